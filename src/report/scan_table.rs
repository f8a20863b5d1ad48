//! `deptrust scan --format table`: what a person reads in a terminal or a CI log.
//!
//! Per project, a heading line (lockfile, ecosystem, package count, exposure score) and a
//! comfy-table of its packages, highest weighted risk first, with their two most severe
//! findings. Packages with no finding at any level and no unknown fact are not given a row:
//! they are counted in one line ("312 packages with no findings"), because in a real lockfile
//! they are most of it and a CI log should show what needs attention. `--format json` lists
//! them all.
//!
//! Then, in this order so that the gate is the last thing a CI log shows: the summary (finding
//! counts per level, packages with unknown facts, exposure scores), the reasons facts were
//! unknown (deduplicated and counted), exceptions that did not apply, lockfiles that could not
//! be read, and the gate.
//!
//! Plain text only, never colour: the output is the same on a terminal, in a pipe and under
//! `NO_COLOR`. Every piece of registry- or lockfile-derived text goes through [`sanitize`](super::sanitize).

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use super::{findings_by_severity, packages_by_weighted_risk, sanitize_line};
use crate::scan::{Coverage, PackageResult, ScanReport};

/// Findings named in a package's row; the rest are counted.
const TOP_FINDINGS: usize = 2;

/// Distinct unknown reasons listed; the rest are counted.
const MAX_UNKNOWN_REASONS: usize = 10;

/// Writes the scan report as plain-text tables followed by a summary and the gate decision.
pub fn render_scan_table(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    for (n, project) in report.projects.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{} ({}): {}, exposure score {:.1}",
            sanitize_line(&project.lockfile),
            sanitize_line(&project.ecosystem),
            plural(project.summary.packages, "package", "packages"),
            project.exposure_score
        )?;
        let (shown, quiet): (Vec<_>, Vec<_>) = packages_by_weighted_risk(project)
            .into_iter()
            // Packages with something to act on: a finding at warn or deny, or one an exception
            // accepted (shown so the exception stays visible). Allow-level records (single-owner,
            // no-provenance) alone are counted, not listed: `--format json` has them.
            .partition(|package| {
                package
                    .findings
                    .iter()
                    .any(|f| f.level != crate::rules::Level::Allow || f.exception.is_some())
            });
        if !shown.is_empty() {
            writeln!(out, "{}", package_table(&shown))?;
        }
        if !quiet.is_empty() {
            let unknown = quiet.iter().filter(|p| !p.unknown.is_empty()).count();
            let recorded = quiet.iter().filter(|p| !p.findings.is_empty()).count();
            let mut details = Vec::new();
            if recorded > 0 {
                details.push(format!("{recorded} with allow-level records only"));
            }
            if unknown > 0 {
                details.push(format!("{unknown} with unknown facts"));
            }
            writeln!(
                out,
                "{} with no findings at warn or deny{}",
                plural(quiet.len(), "package", "packages"),
                if details.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", details.join(", "))
                }
            )?;
        }
    }
    if !report.projects.is_empty() {
        writeln!(out)?;
    }
    write_summary(report, out)?;
    write_unknown_causes(report, out)?;
    if !report.exceptions.is_empty() {
        writeln!(out, "Exceptions that did not apply:")?;
        for note in &report.exceptions {
            writeln!(
                out,
                "  {} {}: {}: {}",
                sanitize_line(&note.package),
                sanitize_line(&note.rule),
                sanitize_line(&note.problem),
                sanitize_line(&note.message)
            )?;
        }
    }
    if !report.errors.is_empty() {
        writeln!(out, "Lockfiles that could not be read:")?;
        for error in &report.errors {
            writeln!(
                out,
                "  {}: {}",
                sanitize_line(&error.lockfile),
                sanitize_line(&error.message)
            )?;
        }
    }
    let verdict = match (report.gate.passed, report.gate.unevaluated) {
        (true, _) => "PASSED",
        (false, false) => "FAILED",
        (false, true) => "FAILED (could not evaluate)",
    };
    writeln!(out, "Gate: {verdict}")?;
    for reason in &report.gate.reasons {
        writeln!(out, "  {}", sanitize_line(reason))?;
    }
    Ok(())
}

fn package_table(packages: &[&PackageResult]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header([
            "package",
            "version",
            "risk",
            "blast radius",
            "contribution",
            "top findings",
        ]);
    for package in packages {
        table.add_row(vec![
            Cell::new(sanitize_line(&package.name)),
            Cell::new(sanitize_line(&package.version)),
            Cell::new(format!("{:.0}", package.risk)).set_alignment(CellAlignment::Right),
            Cell::new(format!("{:.3}", package.blast_radius)).set_alignment(CellAlignment::Right),
            Cell::new(format!("{:.1}", package.contribution)).set_alignment(CellAlignment::Right),
            Cell::new(top_findings(package)),
        ]);
    }
    table
}

/// `new-publisher (deny), install-script (warn), +1 more; 2 unknown`.
fn top_findings(package: &PackageResult) -> String {
    let findings = findings_by_severity(package);
    let mut parts: Vec<String> = findings
        .iter()
        .take(TOP_FINDINGS)
        .map(|finding| format!("{} ({})", sanitize_line(&finding.rule), finding.level))
        .collect();
    if findings.len() > TOP_FINDINGS {
        parts.push(format!("+{} more", findings.len() - TOP_FINDINGS));
    }
    let mut text = parts.join(", ");
    if !package.unknown.is_empty() {
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(&format!("{} unknown", package.unknown.len()));
    }
    text
}

fn write_summary(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let (deny, warn, allow, unknown) =
        report
            .projects
            .iter()
            .fold((0, 0, 0, 0), |(deny, warn, allow, unknown), project| {
                let summary = &project.summary;
                (
                    deny + summary.deny,
                    warn + summary.warn,
                    allow + summary.allow,
                    unknown + summary.unknown,
                )
            });
    writeln!(out, "Summary")?;
    writeln!(out, "  findings: {deny} deny, {warn} warn, {allow} allow")?;
    writeln!(out, "  packages with unknown facts: {unknown}")?;
    writeln!(
        out,
        "  exposure score: {:.1}{} ({})",
        report.exposure_score,
        super::trend(report.exposure_score, report.previous.as_ref()),
        judged(&report.coverage)
    )?;
    for project in &report.projects {
        writeln!(
            out,
            "    {}: {:.1}{} ({})",
            sanitize_line(&project.lockfile),
            project.exposure_score,
            super::trend(project.exposure_score, project.previous.as_ref()),
            judged(&project.coverage)
        )?;
    }
    Ok(())
}

/// One line per distinct (fact, reason), most frequent first.
/// `judged 62.5% of signal inputs`, with the packages whose registry was not reached.
pub(super) fn judged(coverage: &Coverage) -> String {
    let mut text = format!("judged {:.1}% of signal inputs", coverage.percent);
    if coverage.registry_not_reached > 0 {
        text.push_str(&format!(
            "; the registry of {} was not reached",
            plural(coverage.registry_not_reached, "package", "packages")
        ));
    }
    text
}

/// The unknowns, one line per cause (the JSON keeps every package's detail).
fn write_unknown_causes(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let causes = &report.coverage.causes;
    if causes.is_empty() {
        return Ok(());
    }
    let signals: usize = causes.iter().map(|cause| cause.signals).sum();
    writeln!(
        out,
        "Could not judge {} of {}, by cause:",
        plural(signals, "signal input", "signal inputs"),
        report.coverage.total
    )?;
    for cause in causes.iter().take(MAX_UNKNOWN_REASONS) {
        writeln!(
            out,
            "  {}: {} of {}",
            sanitize_line(&cause.cause),
            cause.facts.join(", "),
            plural(cause.packages, "package", "packages")
        )?;
    }
    if causes.len() > MAX_UNKNOWN_REASONS {
        let more = causes.len() - MAX_UNKNOWN_REASONS;
        writeln!(
            out,
            "  … and {more} more {} (--format json lists every package's)",
            if more == 1 { "cause" } else { "causes" }
        )?;
    }
    Ok(())
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::scan_fixture;

    fn render(report: &ScanReport) -> String {
        let mut out = Vec::new();
        render_scan_table(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn scenario() {
        let text = render(&scan_fixture::scan_report());
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn quiet_report_passes_and_collapses_clean_packages() {
        let text = render(&scan_fixture::quiet_report());
        assert!(text.contains("2 packages with no findings"), "{text}");
        assert!(text.ends_with("Gate: PASSED\n"), "{text}");
        assert!(!text.contains("Could not judge"), "{text}");
    }

    #[test]
    fn many_unknown_causes_are_capped() {
        let text = render(&scan_fixture::large_report(30));
        // 30 mirrors timed out, plus the scenario's second project's causes.
        assert!(
            text.contains("more causes (--format json lists every package's)"),
            "{text}"
        );
        let shown = text.matches(": timed out: owners of 1 package").count();
        assert!((8..=10).contains(&shown), "{shown}");
    }
}

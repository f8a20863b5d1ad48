//! `deptrust scan --format table`: what a person reads in a terminal or a CI log.
//!
//! Per project, a heading line (lockfile, ecosystem, package count, exposure score) and the
//! packages with something to act on (a finding at warn or deny, or one an exception or the
//! baseline accepted), worst first: packages with a finding at deny, then warn, each by its
//! contribution to the score. At most [`TableOptions::top`] rows per project (`--top`, `--all`);
//! the rest are counted. Packages with no finding at warn or deny are counted in one line,
//! because in a real lockfile they are most of it; `--format json` lists them all.
//!
//! Then, in this order so that the gate is the last thing a terminal or a CI log shows:
//! - **What to do**: each rule that fired at warn or deny in the rows shown, with the first
//!   sentence of its remediation (`rules/<id>.toml`) and the `deptrust explain` command of its
//!   worst package;
//! - the summary (finding counts per level, what the baseline accepted, packages with unknown
//!   facts, exposure scores), the causes of unknown facts (grouped and counted), exceptions that
//!   did not apply, lockfiles that could not be read;
//! - the gate: `PASSED`, `FAILED`, `FAILED (could not evaluate)` or, when a lockfile could not
//!   be read (exit status 2), `ERROR`, never `PASSED`; its first [`MAX_GATE_REASONS`] reasons
//!   and a count of the rest; on a failure by policy, the `[[exceptions]]` entry that would
//!   accept each of the first [`MAX_SNIPPETS`] denied findings.
//!
//! Width: with [`TableOptions::width`] (a terminal's columns), package names and finding lines
//! are cut with `…` and prose is wrapped to fit; without it (a pipe, a file) nothing is cut.
//! Colour ([`TableOptions::color`]) marks levels and the gate with ANSI styles; the words
//! carry the same meaning without it (`deny`, `warn`, `FAILED`). Every piece of registry- or
//! lockfile-derived text goes through [`sanitize`](super::sanitize).

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{findings_by_severity, sanitize_line};
use crate::rules::{Catalog, Level};
use crate::scan::{Coverage, PackageResult, ProjectResult, ScanReport};

/// How the table is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOptions {
    /// Columns available (a terminal's width): long cells are cut and prose wrapped to fit.
    /// `None`: no limit (a pipe or a file).
    pub width: Option<usize>,
    /// ANSI colours for levels and the gate.
    pub color: bool,
    /// Rows per project; `None`: every package with findings.
    pub top: Option<usize>,
}

impl Default for TableOptions {
    /// A pipe: no width limit, no colour, the top [`DEFAULT_TOP`] rows.
    fn default() -> Self {
        TableOptions {
            width: None,
            color: false,
            top: Some(DEFAULT_TOP),
        }
    }
}

/// Rows per project unless `--top` or `--all` says otherwise.
pub const DEFAULT_TOP: usize = 10;

/// Finding lines in a package's row; the rest are counted.
const TOP_FINDINGS: usize = 3;

/// Distinct unknown causes listed; the rest are counted.
const MAX_UNKNOWN_REASONS: usize = 10;

/// Gate reasons listed; the rest are counted (`--format json` lists them all).
const MAX_GATE_REASONS: usize = 10;

/// `[[exceptions]]` entries shown under a failed gate.
const MAX_SNIPPETS: usize = 3;

/// Days an exception shown under a failed gate runs for (its `expires`).
const SNIPPET_DAYS: i64 = 90;

/// Narrowest package column when cutting to the terminal width.
const MIN_NAME: usize = 12;

/// Narrowest findings column beside the numbers; below it, findings go under their package.
const MIN_FINDINGS: usize = 28;

/// Writes the scan report as plain text: the packages to act on, what to do, the summary and
/// the gate decision, last.
pub fn render_scan_table(
    report: &ScanReport,
    options: &TableOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_with(report, options, crate::rules::catalog(), out)
}

/// [`render_scan_table`] with the rules' prose from `catalog`.
pub(super) fn render_with(
    report: &ScanReport,
    options: &TableOptions,
    catalog: &Catalog,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint(options.color);
    let mut shown_all: Vec<&PackageResult> = Vec::new();
    for (n, project) in report.projects.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        let heading = format!(
            "{} ({}): {}, exposure score {:.1}",
            sanitize_line(&project.lockfile),
            sanitize_line(&project.ecosystem),
            plural(project.summary.packages, "package", "packages"),
            project.exposure_score
        );
        for line in wrap(&heading, "", "  ", options.width) {
            writeln!(out, "{}", paint.bold(&line))?;
        }
        let (to_act, quiet) = actionable(project);
        let limit = options.top.unwrap_or(usize::MAX);
        let shown = &to_act[..to_act.len().min(limit)];
        if !shown.is_empty() {
            write_rows(shown, options, paint, out)?;
        }
        if to_act.len() > shown.len() {
            let more = to_act.len() - shown.len();
            writeln!(
                out,
                "  … {more} more {} with findings (--all lists every one)",
                if more == 1 { "package" } else { "packages" },
            )?;
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
            let line = format!(
                "{} with no findings at warn or deny{}",
                plural(quiet.len(), "package", "packages"),
                if details.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", details.join(", "))
                }
            );
            write_wrapped(out, &line, "  ", "    ", options.width)?;
        }
        shown_all.extend(shown);
    }
    if !report.projects.is_empty() {
        writeln!(out)?;
    }
    write_what_to_do(&shown_all, catalog, options, paint, out)?;
    write_summary(report, options, paint, out)?;
    write_unknown_causes(report, options, out)?;
    if !report.exceptions.is_empty() {
        writeln!(out, "Exceptions that did not apply:")?;
        for note in &report.exceptions {
            let line = format!(
                "{} {}: {}: {}",
                sanitize_line(&note.package),
                sanitize_line(&note.rule),
                note.problem.as_str(),
                sanitize_line(&note.message)
            );
            write_wrapped(out, &line, "  ", "    ", options.width)?;
        }
    }
    if !report.errors.is_empty() {
        writeln!(out, "Lockfiles that could not be read:")?;
        for error in &report.errors {
            let line = format!(
                "{}: {}",
                sanitize_line(&error.lockfile),
                sanitize_line(&error.message)
            );
            write_wrapped(out, &line, "  ", "    ", options.width)?;
        }
    }
    write_gate(report, options, paint, out)
}

/// `--quiet`: the gate line alone (with the number of reasons when it did not pass).
pub fn render_scan_gate(
    report: &ScanReport,
    options: &TableOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint(options.color);
    let (verdict, failed) = gate_verdict(report);
    let mut line = format!("Gate: {verdict}");
    if failed && !report.gate.reasons.is_empty() {
        line.push_str(&format!(
            " ({}; run without --quiet to see them)",
            plural(report.gate.reasons.len(), "reason", "reasons")
        ));
    }
    writeln!(
        out,
        "{}",
        if failed {
            paint.fail(&line)
        } else {
            paint.pass(&line)
        }
    )
}

/// The packages of a project with something to act on, worst first, and the others.
fn actionable(project: &ProjectResult) -> (Vec<&PackageResult>, Vec<&PackageResult>) {
    let (mut to_act, quiet): (Vec<_>, Vec<_>) = project.packages.iter().partition(|package| {
        package
            .findings
            .iter()
            .any(|f| f.level != Level::Allow || f.exception.is_some())
    });
    to_act.sort_by(|a, b| {
        worst_level(b)
            .cmp(&worst_level(a))
            .then(b.contribution.total_cmp(&a.contribution))
            .then(b.weighted_risk.total_cmp(&a.weighted_risk))
            .then_with(|| a.id.cmp(&b.id))
    });
    (to_act, quiet)
}

/// The highest level among a package's findings that count against the gate (the baseline's
/// count as allow here).
fn worst_level(package: &PackageResult) -> Level {
    package
        .findings
        .iter()
        .map(|f| if f.baseline { Level::Allow } else { f.level })
        .max()
        .unwrap_or(Level::Allow)
}

const HEADER: [&str; 6] = ["package", "version", "risk", "blast", "contrib", "findings"];

/// The rows: aligned columns, one line per finding (the first on the package's line).
fn write_rows(
    packages: &[&PackageResult],
    options: &TableOptions,
    paint: Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    struct Row {
        cells: [String; 5],
        findings: Vec<(Option<Level>, String)>,
    }
    let rows: Vec<Row> = packages
        .iter()
        .map(|package| Row {
            cells: [
                sanitize_line(&package.name),
                sanitize_line(&package.version),
                format!("{:.0}", package.risk),
                format!("{:.3}", package.blast_radius),
                format!("{:.1}", package.contribution),
            ],
            findings: finding_lines(package),
        })
        .collect();
    let mut widths = [0usize; 5];
    for (i, width) in widths.iter_mut().enumerate() {
        *width = rows
            .iter()
            .map(|row| row.cells[i].width())
            .chain([HEADER[i].width()])
            .max()
            .unwrap_or(0);
    }
    let findings_width = rows
        .iter()
        .flat_map(|row| &row.findings)
        .map(|(_, text)| text.width())
        .chain([HEADER[5].width()])
        .max()
        .unwrap_or(0);
    // Two spaces of indent and two between columns.
    let fixed = |widths: &[usize; 5]| 2 + widths.iter().sum::<usize>() + 2 * 5;
    // Cuts names, then versions, down to their floors, to give back `excess` columns.
    let shrink = |widths: &mut [usize; 5], excess: usize| {
        let name_cut = excess.min(widths[0].saturating_sub(MIN_NAME));
        widths[0] -= name_cut;
        widths[1] -= (excess - name_cut).min(widths[1].saturating_sub(8));
    };
    let natural = widths;
    let mut stacked = false;
    if let Some(total) = options.width {
        let excess = (fixed(&widths) + findings_width).saturating_sub(total);
        shrink(&mut widths, excess);
        // Too narrow for the findings beside the numbers: each goes on its own line below,
        // and the numbers get the whole width.
        if total.saturating_sub(fixed(&widths)) < MIN_FINDINGS.min(findings_width) {
            stacked = true;
            widths = natural;
            let excess = fixed(&widths).saturating_sub(total);
            shrink(&mut widths, excess);
        }
    }
    let findings_room = options.width.map(|total| {
        if stacked {
            total.saturating_sub(6).max(8)
        } else {
            total.saturating_sub(fixed(&widths))
        }
    });
    let aligned = |cells: &[String; 5], widths: &[usize; 5]| {
        let mut line = String::from("  ");
        for (i, cell) in cells.iter().enumerate() {
            let cell = cut(cell, widths[i]);
            let pad = " ".repeat(widths[i] - cell.width());
            if i >= 2 {
                line.push_str(&pad);
                line.push_str(&cell);
            } else {
                line.push_str(&cell);
                line.push_str(&pad);
            }
            line.push_str("  ");
        }
        line
    };
    let header_cells: [String; 5] = std::array::from_fn(|i| HEADER[i].to_string());
    let header = aligned(&header_cells, &widths) + if stacked { "" } else { HEADER[5] };
    writeln!(out, "{}", paint.dim(header.trim_end()))?;
    let blank = " ".repeat(if stacked { 6 } else { fixed(&widths) });
    for row in &rows {
        let mut first = !stacked;
        if stacked {
            writeln!(out, "{}", aligned(&row.cells, &widths).trim_end())?;
        }
        for (level, text) in &row.findings {
            let prefix = if first {
                aligned(&row.cells, &widths)
            } else {
                blank.clone()
            };
            first = false;
            let text = match findings_room {
                Some(room) => cut(text, room),
                None => text.clone(),
            };
            let text = match level {
                Some(level) => paint.level(*level, &text),
                None => text,
            };
            writeln!(out, "{prefix}{text}")?;
        }
        if row.findings.is_empty() && !stacked {
            writeln!(out, "{}", aligned(&row.cells, &widths).trim_end())?;
        }
    }
    Ok(())
}

/// `deny  new-publisher`, `warn  install-script (baseline)`, `allow single-owner (exception)`,
/// then `; +1 more, 2 unknown` on the last: the level first, so the column reads at a glance.
fn finding_lines(package: &PackageResult) -> Vec<(Option<Level>, String)> {
    let findings = findings_by_severity(package);
    let mut lines: Vec<(Option<Level>, String)> = findings
        .iter()
        .take(TOP_FINDINGS)
        .map(|finding| {
            let mark = match finding.level {
                _ if finding.exception.is_some() => " (accepted by an exception)",
                Level::Deny if finding.baseline => " (in the baseline: not gating)",
                Level::Warn if finding.baseline => " (in the baseline)",
                _ => "",
            };
            let level = if finding.baseline {
                Level::Allow
            } else {
                finding.level
            };
            (
                Some(level),
                format!(
                    "{:<5} {}{mark}",
                    finding.level.as_str(),
                    sanitize_line(&finding.rule)
                ),
            )
        })
        .collect();
    let mut tail = Vec::new();
    if findings.len() > TOP_FINDINGS {
        tail.push(format!("+{} more", findings.len() - TOP_FINDINGS));
    }
    if !package.unknown.is_empty() {
        tail.push(format!("{} unknown", package.unknown.len()));
    }
    // The counts go after the last finding, not on a line of their own.
    match (tail.is_empty(), lines.last_mut()) {
        (true, _) => {}
        (false, Some((_, last))) => {
            last.push_str("; ");
            last.push_str(&tail.join(", "));
        }
        (false, None) => lines.push((None, tail.join(", "))),
    }
    lines
}

/// Each rule that fired at warn or deny in the rows shown (not accepted by an exception or the
/// baseline), most severe first: its remediation's first sentence, and where to look.
fn write_what_to_do(
    shown: &[&PackageResult],
    catalog: &Catalog,
    options: &TableOptions,
    paint: Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    // rule → (level, severity, worst package id, how many packages)
    let mut rules: Vec<(&str, Level, crate::rules::Severity, &str, usize)> = Vec::new();
    for package in shown {
        for finding in &package.findings {
            if finding.level == Level::Allow || finding.exception.is_some() || finding.baseline {
                continue;
            }
            match rules.iter_mut().find(|entry| entry.0 == finding.rule) {
                Some(entry) => {
                    entry.4 += 1;
                    if finding.level > entry.1 {
                        entry.1 = finding.level;
                        entry.3 = &package.id;
                    }
                }
                None => rules.push((
                    &finding.rule,
                    finding.level,
                    finding.severity,
                    &package.id,
                    1,
                )),
            }
        }
    }
    if rules.is_empty() {
        return Ok(());
    }
    // Stable: the first package seen per rule is the worst shown (rows are worst first).
    rules.sort_by(|a, b| (b.1, b.2).cmp(&(a.1, a.2)).then_with(|| a.0.cmp(b.0)));
    writeln!(out, "{}", paint.bold("What to do"))?;
    for (rule, level, _, worst, count) in rules {
        let remedy = catalog
            .rule(rule)
            .map(|rule| first_sentence(&rule.remediation))
            .unwrap_or_else(|| "see the rule's documentation (rules/ in deptrust)".to_string());
        let head = format!(
            "{} ({}, {}): ",
            sanitize_line(rule),
            level.as_str(),
            plural(count, "package", "packages")
        );
        let colored = paint.level(level, &head);
        let text = format!("{head}{remedy}");
        // Wrap on the plain text, colour only the head.
        let mut wrapped = wrap(&text, "  ", "    ", options.width);
        if let Some(first) = wrapped.first_mut() {
            *first = first.replacen(&head, &colored, 1);
        }
        for line in wrapped {
            writeln!(out, "{line}")?;
        }
        writeln!(
            out,
            "    {} deptrust explain {}",
            paint.dim("details:"),
            shell_word(&sanitize_line(worst))
        )?;
    }
    writeln!(out)
}

/// The first sentence of a rule's remediation, on one line; two when the first is too short
/// to act on ("Read what the scripts run.").
fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut end = 0;
    while let Some(next) = flat[end..].find(". ") {
        end += next + 1;
        if end >= 60 {
            return flat[..end].to_string();
        }
        end += 1;
    }
    flat
}

fn write_summary(
    report: &ScanReport,
    options: &TableOptions,
    paint: Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
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
    let in_baseline: Vec<Level> = report
        .projects
        .iter()
        .flat_map(|project| &project.packages)
        .flat_map(|package| &package.findings)
        .filter(|finding| finding.baseline && finding.level != Level::Allow)
        .map(|finding| finding.level)
        .collect();
    writeln!(out, "{}", paint.bold("Summary"))?;
    let mut findings = format!("  findings: {deny} deny, {warn} warn, {allow} allow");
    if !in_baseline.is_empty() {
        let denied = in_baseline.iter().filter(|l| **l == Level::Deny).count();
        findings.push_str(&format!(
            " ({} in the baseline, {denied} of them deny: shown, not gating)",
            in_baseline.len()
        ));
    }
    write_wrapped(out, findings.trim_start(), "  ", "    ", options.width)?;
    writeln!(out, "  packages with unknown facts: {unknown}")?;
    let score = format!(
        "exposure score: {:.1}{} ({})",
        report.exposure_score,
        super::trend(report.exposure_score, report.previous.as_ref()),
        judged(&report.coverage)
    );
    write_wrapped(out, &score, "  ", "    ", options.width)?;
    if report.projects.len() > 1 {
        for project in &report.projects {
            let line = format!(
                "{}: {:.1}{} ({})",
                sanitize_line(&project.lockfile),
                project.exposure_score,
                super::trend(project.exposure_score, project.previous.as_ref()),
                judged(&project.coverage)
            );
            write_wrapped(out, &line, "    ", "      ", options.width)?;
        }
    }
    Ok(())
}

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
fn write_unknown_causes(
    report: &ScanReport,
    options: &TableOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let causes = &report.coverage.causes;
    if causes.is_empty() {
        return Ok(());
    }
    let signals: usize = causes.iter().map(|cause| cause.signals).sum();
    let line = format!(
        "Could not judge {} of {}, by cause:",
        plural(signals, "signal input", "signal inputs"),
        report.coverage.total
    );
    write_wrapped(out, &line, "", "  ", options.width)?;
    for cause in causes.iter().take(MAX_UNKNOWN_REASONS) {
        let line = format!(
            "{}: {} of {}",
            sanitize_line(&cause.cause),
            cause.facts.join(", "),
            plural(cause.packages, "package", "packages")
        );
        write_wrapped(out, &line, "  ", "    ", options.width)?;
    }
    if causes.len() > MAX_UNKNOWN_REASONS {
        let more = causes.len() - MAX_UNKNOWN_REASONS;
        let line = format!(
            "… and {more} more {} (--format json lists every package's)",
            if more == 1 { "cause" } else { "causes" }
        );
        write_wrapped(out, &line, "  ", "    ", options.width)?;
    }
    Ok(())
}

/// The gate line, its reasons (bounded), and how to accept a denied finding.
fn write_gate(
    report: &ScanReport,
    options: &TableOptions,
    paint: Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    let gate = &report.gate;
    let (verdict, failed) = gate_verdict(report);
    for line in wrap(&format!("Gate: {verdict}"), "", "  ", options.width) {
        let line = if failed {
            paint.fail(&line)
        } else {
            paint.pass(&line)
        };
        writeln!(out, "{line}")?;
    }
    for reason in gate.reasons.iter().take(MAX_GATE_REASONS) {
        write_wrapped(out, &sanitize_line(reason), "  ", "    ", options.width)?;
    }
    if gate.reasons.len() > MAX_GATE_REASONS {
        let line = format!(
            "… and {} more (--format json lists them all)",
            gate.reasons.len() - MAX_GATE_REASONS
        );
        write_wrapped(out, &line, "  ", "    ", options.width)?;
    }
    let denied: Vec<(&PackageResult, &str)> = report
        .projects
        .iter()
        .flat_map(|project| actionable(project).0)
        .flat_map(|package| {
            package
                .findings
                .iter()
                .filter(|f| f.level == Level::Deny && !f.baseline && f.exception.is_none())
                .map(move |f| (package, f.rule.as_str()))
        })
        .collect();
    if !denied.is_empty() {
        let expires = report
            .now
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .checked_add(jiff::Span::new().days(SNIPPET_DAYS))
            .map(|date| date.to_string())
            .unwrap_or_else(|_| "YYYY-MM-DD".to_string());
        write_wrapped(
            out,
            "Fix each finding (see What to do), or after review accept it in deptrust.toml:",
            "",
            "  ",
            options.width,
        )?;
        let mut seen = Vec::new();
        for (package, rule) in denied {
            if seen.len() == MAX_SNIPPETS {
                break;
            }
            if seen.contains(&(&package.id, rule)) {
                continue;
            }
            seen.push((&package.id, rule));
            writeln!(out, "  [[exceptions]]")?;
            writeln!(out, "  package = {}", toml_string(&package.id))?;
            writeln!(out, "  rule = {}", toml_string(rule))?;
            writeln!(
                out,
                "  reason = \"reviewed: <why this is acceptable>\"  # required"
            )?;
            writeln!(out, "  expires = {expires}")?;
        }
        let total = report
            .projects
            .iter()
            .flat_map(|project| &project.packages)
            .flat_map(|package| &package.findings)
            .filter(|f| f.level == Level::Deny && !f.baseline && f.exception.is_none())
            .count();
        if total > MAX_SNIPPETS {
            let line = format!(
                "… one entry per package and rule ({total} in all; `rule = \"*\"` accepts every rule of a package)"
            );
            write_wrapped(out, &line, "  ", "    ", options.width)?;
        }
    }
    Ok(())
}

/// The gate's word, and whether it is a failure: a run with an unreadable lockfile (exit
/// status 2) is `ERROR`, never `PASSED`.
fn gate_verdict(report: &ScanReport) -> (String, bool) {
    let gate = &report.gate;
    if !report.errors.is_empty() {
        return (
            format!(
                "ERROR ({} could not be read; nothing in {} was judged)",
                plural(report.errors.len(), "lockfile", "lockfiles"),
                if report.errors.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            ),
            true,
        );
    }
    match (gate.passed, gate.unevaluated) {
        (true, _) => ("PASSED".to_string(), false),
        (false, false) => ("FAILED".to_string(), true),
        (false, true) => ("FAILED (could not evaluate)".to_string(), true),
    }
}

/// `text` as one shell word: as it is when it holds only characters no shell treats
/// specially, else in single quotes.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@:._/+-=,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in sanitize_line(text).chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// `text` cut to `width` columns, ending in `…` when cut.
fn cut(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut kept = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        kept.push(c);
        used += w;
    }
    kept.push('…');
    kept
}

/// Words of `text` in lines of at most `width` columns (the first after `first`, the rest after
/// `rest`); one line when there is no width. A word longer than a line is cut.
fn wrap(text: &str, first: &str, rest: &str, width: Option<usize>) -> Vec<String> {
    let Some(width) = width else {
        return vec![format!("{first}{text}")];
    };
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        let indent = if lines.is_empty() { first } else { rest };
        if !empty && line.width() + 1 + word.width() > width {
            lines.push(line);
            line = rest.to_string();
            empty = true;
        }
        let room = width.saturating_sub(indent.width()).max(8);
        if !empty {
            line.push(' ');
        }
        line.push_str(&cut(word, room));
        empty = false;
    }
    lines.push(line);
    lines
}

fn write_wrapped(
    out: &mut dyn Write,
    text: &str,
    first: &str,
    rest: &str,
    width: Option<usize>,
) -> io::Result<()> {
    for line in wrap(text, first, rest, width) {
        writeln!(out, "{line}")?;
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

/// ANSI styles when colour is on; the text unchanged otherwise.
#[derive(Debug, Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn style(self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn level(self, level: Level, text: &str) -> String {
        match level {
            Level::Deny => self.style(
                Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
                text,
            ),
            Level::Warn => self.style(Style::new().fg_color(Some(AnsiColor::Yellow.into())), text),
            Level::Allow => self.style(Style::new().dimmed(), text),
        }
    }

    fn bold(self, text: &str) -> String {
        self.style(Style::new().bold(), text)
    }

    fn dim(self, text: &str) -> String {
        self.style(Style::new().dimmed(), text)
    }

    fn pass(self, text: &str) -> String {
        self.style(
            Style::new().bold().fg_color(Some(AnsiColor::Green.into())),
            text,
        )
    }

    fn fail(self, text: &str) -> String {
        self.style(
            Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            text,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::scan_fixture;

    fn render_opts(report: &ScanReport, options: &TableOptions) -> String {
        let mut out = Vec::new();
        render_with(report, options, &scan_fixture::catalog(), &mut out).expect("rendered");
        String::from_utf8(out).expect("UTF-8")
    }

    fn render(report: &ScanReport) -> String {
        render_opts(report, &TableOptions::default())
    }

    #[test]
    fn scenario() {
        let text = render(&scan_fixture::scan_report());
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn scenario_at_60_columns_fits() {
        let options = TableOptions {
            width: Some(60),
            ..TableOptions::default()
        };
        let text = render_opts(&scan_fixture::scan_report(), &options);
        for line in text.lines() {
            assert!(line.width() <= 60, "{} columns: {line}", line.width());
        }
        insta::assert_snapshot!(text);
    }

    #[test]
    fn colour_marks_levels_and_the_gate_only_when_asked() {
        let options = TableOptions {
            color: true,
            ..TableOptions::default()
        };
        let text = render_opts(&scan_fixture::scan_report(), &options);
        assert!(text.contains("\u{1b}[1m\u{1b}[31mGate: ERROR"), "{text}");
        assert!(
            text.contains("\u{1b}[1m\u{1b}[31mdeny  new-publisher"),
            "{text}"
        );
        // Without colour, the same words.
        let plain = render(&scan_fixture::scan_report());
        let stripped: String = {
            let mut out = String::new();
            let mut chars = text.chars();
            while let Some(c) = chars.next() {
                if c == '\u{1b}' {
                    for c in chars.by_ref() {
                        if c == 'm' {
                            break;
                        }
                    }
                } else {
                    out.push(c);
                }
            }
            out
        };
        assert_eq!(stripped, plain);
    }

    #[test]
    fn quiet_report_passes_and_collapses_clean_packages() {
        let text = render(&scan_fixture::quiet_report());
        assert!(text.contains("2 packages with no findings"), "{text}");
        assert!(text.ends_with("Gate: PASSED\n"), "{text}");
        assert!(!text.contains("Could not judge"), "{text}");
        assert!(!text.contains("What to do"), "{text}");
    }

    #[test]
    fn a_failed_gate_shows_bounded_reasons_and_exception_entries() {
        let mut report = scan_fixture::large_report(30);
        report.errors.clear();
        let text = render(&report);
        insta::assert_snapshot!(text);
        assert!(
            text.contains("  … and 20 more (--format json lists them all)"),
            "{text}"
        );
        assert_eq!(
            text.matches("[[exceptions]]").count(),
            MAX_SNIPPETS,
            "{text}"
        );
        assert!(text.contains("… 20 more packages with findings (--all lists every one)"));
    }

    #[test]
    fn all_rows_with_no_top() {
        let mut report = scan_fixture::large_report(30);
        report.errors.clear();
        let options = TableOptions {
            top: None,
            ..TableOptions::default()
        };
        let text = render_opts(&report, &options);
        assert_eq!(text.matches("deny  new-publisher").count(), 30, "{text}");
        assert!(!text.contains("more with findings"), "{text}");
    }

    #[test]
    fn baseline_findings_are_marked_and_do_not_count_as_denied() {
        let report = scan_fixture::baseline_report();
        let text = render(&report);
        insta::assert_snapshot!(text);
        assert!(
            text.contains("deny  new-publisher (in the baseline: not gating)"),
            "{text}"
        );
        assert!(text.contains("(1 in the baseline, 1 of them deny: shown, not gating)"));
        assert!(text.ends_with("Gate: PASSED\n"), "{text}");
        assert!(!text.contains("[[exceptions]]"), "{text}");
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

    #[test]
    fn wrap_and_cut_respect_the_width() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
        let lines = wrap("one two three four five", "  ", "    ", Some(12));
        assert_eq!(lines, ["  one two", "    three", "    four", "    five"]);
        assert_eq!(wrap("a b", "  ", "  ", None), ["  a b"]);
        assert_eq!(
            first_sentence(
                "Check that the new publisher is a known maintainer of the package.\nThen pin. More."
            ),
            "Check that the new publisher is a known maintainer of the package."
        );
        assert_eq!(
            first_sentence("Read it. Install with scripts disabled where the package works. Then."),
            "Read it. Install with scripts disabled where the package works."
        );
        assert_eq!(first_sentence("No full stop"), "No full stop");
        assert_eq!(shell_word("npm:@scope/a@1.0.0"), "npm:@scope/a@1.0.0");
        assert_eq!(shell_word("npm:evil|pkg@1'0"), "'npm:evil|pkg@1'\\''0'");
    }
}

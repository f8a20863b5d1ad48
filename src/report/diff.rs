//! `deptrust diff`: the trust delta of a change as text (a terminal, a CI log), JSON (the
//! [`Diff`] document, `schema_version` 1) or Markdown (a pull-request comment). Registry text
//! is sanitized (text) or escaped (JSON, Markdown) like every other renderer's.

use std::io::{self, Write};

use super::{sanitize_line, write_terminal_safe_json};
use crate::app::diff::{Diff, PackageChange};

/// Writes the diff as plain text, the gate last.
pub fn render_diff_table(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "deptrust diff {} → {}: exposure score {:.1} → {:.1} ({:+.1})",
        sanitize_line(&diff.base),
        sanitize_line(&diff.head),
        diff.exposure.before,
        diff.exposure.after,
        diff.exposure.after - diff.exposure.before
    )?;
    let mut unchanged = 0;
    for project in &diff.projects {
        if project.packages.is_empty() && project.status == "changed" {
            unchanged += 1;
            continue;
        }
        writeln!(out)?;
        if project.status == "package" {
            writeln!(
                out,
                "two versions of one package, no lockfile (blast radius unknown: 0)"
            )?;
        } else {
            writeln!(
                out,
                "{} ({}): exposure score {:.1} → {:.1}",
                sanitize_line(&project.lockfile),
                project.status,
                project.exposure.before,
                project.exposure.after
            )?;
        }
        for package in &project.packages {
            write_package(package, out)?;
        }
    }
    if unchanged > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "{unchanged} {} with no dependency change",
            if unchanged == 1 {
                "lockfile"
            } else {
                "lockfiles"
            }
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Gate: {}",
        if diff.gate.passed { "PASSED" } else { "FAILED" }
    )?;
    for reason in &diff.gate.reasons {
        writeln!(out, "  {}", sanitize_line(reason))?;
    }
    Ok(())
}

fn versions(versions: &[String]) -> String {
    if versions.is_empty() {
        "—".to_string()
    } else {
        versions
            .iter()
            .map(|v| sanitize_line(v))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn write_package(package: &PackageChange, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "  {:<10} {} {} → {}  (blast radius {:.3}{})",
        package.change,
        sanitize_line(&package.package),
        versions(&package.from),
        versions(&package.to),
        package.blast_radius,
        if package.dev { ", dev only" } else { "" }
    )?;
    for change in &package.trust {
        writeln!(
            out,
            "      {} {}: {}",
            if change.improvement {
                "better:"
            } else {
                "worse: "
            },
            change.kind,
            sanitize_line(&change.detail)
        )?;
    }
    if let Some(declared) = &package.declared {
        for (sign, list) in [("+", &declared.added), ("-", &declared.removed)] {
            for dependency in list {
                writeln!(out, "      declares {sign} {}", sanitize_line(dependency))?;
            }
        }
    }
    for finding in &package.new_findings {
        writeln!(
            out,
            "      new:    {} ({}): {}",
            sanitize_line(&finding.rule),
            finding.level,
            sanitize_line(&finding.message)
        )?;
    }
    Ok(())
}

/// Writes the diff as its JSON document.
pub fn render_diff_json(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    write_terminal_safe_json(diff, out)?;
    writeln!(out)
}

/// `text` in a Markdown code span that nothing inside can end or break out of.
fn code(text: &str) -> String {
    let text = sanitize_line(text).replace('`', "'").replace('|', "\\|");
    format!("`{text}`")
}

/// Writes the diff as a pull-request comment.
pub fn render_diff_markdown(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<!-- deptrust:diff -->")?;
    writeln!(
        out,
        "## deptrust diff: {}",
        if diff.gate.passed { "PASSED" } else { "FAILED" }
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "Exposure score **{:.1} → {:.1}** ({:+.1}), {} → {}",
        diff.exposure.before,
        diff.exposure.after,
        diff.exposure.after - diff.exposure.before,
        code(&diff.base),
        code(&diff.head)
    )?;
    if !diff.gate.reasons.is_empty() {
        writeln!(out)?;
        writeln!(out, "Gate failed because of:")?;
        writeln!(out)?;
        for reason in &diff.gate.reasons {
            writeln!(out, "- {}", code(reason))?;
        }
    }
    for project in diff.projects.iter().filter(|p| !p.packages.is_empty()) {
        writeln!(out)?;
        if project.status == "package" {
            writeln!(out, "### Two versions of one package (no lockfile)")?;
        } else {
            writeln!(
                out,
                "### {} ({}): {:.1} → {:.1}",
                code(&project.lockfile),
                project.status,
                project.exposure.before,
                project.exposure.after
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "| change | package | from | to | blast radius | trust |"
        )?;
        writeln!(out, "| --- | --- | --- | --- | --- | --- |")?;
        for package in &project.packages {
            let mut trust: Vec<String> = package
                .trust
                .iter()
                .map(|c| {
                    format!(
                        "{} {}",
                        if c.improvement { "✅" } else { "⚠️" },
                        code(&format!("{}: {}", c.kind, c.detail))
                    )
                })
                .collect();
            if let Some(declared) = &package.declared {
                trust.extend(declared.added.iter().map(|d| format!("➕ {}", code(d))));
                trust.extend(declared.removed.iter().map(|d| format!("➖ {}", code(d))));
            }
            trust.extend(
                package
                    .new_findings
                    .iter()
                    .map(|f| format!("🆕 {}", code(&format!("{} ({})", f.rule, f.level)))),
            );
            writeln!(
                out,
                "| {} | {} | {} | {} | {:.3} | {} |",
                package.change,
                code(&package.package),
                code(&versions(&package.from)),
                code(&versions(&package.to)),
                package.blast_radius,
                trust.join("<br>")
            )?;
        }
    }
    Ok(())
}

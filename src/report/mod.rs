//! Renderers: the only code that writes what users read. Each renderer is one file and writes
//! to a `Write` it is given; the library never prints.
//!
//! Text that came from a lockfile or manifest (names, versions, paths) is hostile input: the
//! text renderers pass it through [`sanitize`] so escape sequences never reach a terminal. JSON
//! escapes control characters itself.
//!
//! Every renderer also masks credential-shaped text ([`crate::redact`]): [`sanitize`] for
//! text, `write_terminal_safe_json` for every string of a JSON document (SARIF included), so
//! a token quoted by a warning never reaches a log or a PR comment.

use std::io::{self, Write};

use crate::graph::DepGraph;

pub use explain::{Occurrence, render_explain};
pub use facts::{render_facts_json, render_facts_table};
pub use markdown::render_scan_markdown;
pub use sarif::render_scan_sarif;
pub use scan_json::render_scan_json;
pub use scan_table::render_scan_table;

mod dot;
mod explain;
mod facts;
mod json;
mod markdown;
mod sarif;
#[cfg(test)]
mod scan_fixture;
mod scan_json;
mod scan_table;
mod table;
mod tree;

/// One project: a lockfile path (as given or found) and its graph.
#[derive(Debug)]
pub struct Project {
    /// The lockfile path as given or found, with `/` separators.
    pub lockfile: String,
    /// Its graph.
    pub graph: DepGraph,
}

/// A lockfile that could not be graphed.
#[derive(Debug)]
pub struct Failure {
    /// The lockfile path as given or found.
    pub lockfile: String,
    /// The one-line error.
    pub message: String,
}

/// Output formats of `deptrust graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Public JSON, `schema_version: 1`.
    Json,
    /// An indented tree per root, like `cargo tree`.
    Tree,
    /// Graphviz.
    Dot,
    /// A summary table per project.
    Table,
}

/// Writes the graphs of every project in one format.
pub fn render_graphs(
    format: GraphFormat,
    projects: &[Project],
    failures: &[Failure],
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        GraphFormat::Json => json::render(projects, failures, out),
        GraphFormat::Tree => tree::render(projects, out),
        GraphFormat::Dot => dot::render(projects, out),
        GraphFormat::Table => table::render(projects, out),
    }
}

/// ` (previous run 2026-10-28: 28.0, +4.1)` when there is a previous score, else nothing.
pub(crate) fn trend(now: f64, previous: Option<&crate::history::Previous>) -> String {
    match previous {
        None => String::new(),
        Some(previous) => format!(
            " (previous run {}: {:.1}, {:+.1})",
            previous.at.strftime("%Y-%m-%d"),
            previous.exposure_score,
            now - previous.exposure_score
        ),
    }
}

/// Removes control characters (ANSI escape sequences, C0/C1 controls, bidi overrides) from
/// text bound for a terminal; an escape sequence's printable tail stays visible but inert. Then
/// masks credentials ([`crate::redact::redact`]); in that order, so a control character cannot
/// split a token to hide it.
pub fn sanitize(text: &str) -> String {
    let visible: String = text
        .chars()
        .filter(|c| !interpreted_by_terminals(*c))
        .collect();
    crate::redact::redact(&visible)
}

/// [`sanitize`] for text shown on one line (a message, a table cell): line breaks and tabs
/// become spaces first, so the words they separated stay apart.
fn sanitize_line(text: &str) -> String {
    sanitize(&text.replace(['\r', '\n', '\t'], " "))
}

/// Control characters and bidi overrides: what a terminal may act on instead of printing.
fn interpreted_by_terminals(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Writes a value as pretty JSON that is also safe to print on a terminal: serde_json escapes
/// C0 controls, and this escapes what it leaves raw (DEL, C1 controls such as the one-byte CSI,
/// bidi overrides) as `\uXXXX`, which parses back to the same strings. Every string value is
/// redacted first ([`crate::redact::redact`]).
pub(crate) fn write_terminal_safe_json(
    value: &impl serde::Serialize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text = redact_json_strings(&serde_json::to_string_pretty(value)?);
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        // Structural whitespace stays; inside strings serde_json already escaped it.
        if !matches!(c, '\n' | '\r' | '\t') && interpreted_by_terminals(c) {
            safe.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            safe.push(c);
        }
    }
    out.write_all(safe.as_bytes())?;
    writeln!(out)
}

/// Redacts every string literal of a JSON text in place, keeping the document's key order and
/// layout (a round trip through `serde_json::Value` would sort keys).
fn redact_json_strings(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut rest = 0;
    let bytes = json.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] != b'"' {
            index += 1;
            continue;
        }
        let start = index;
        index += 1;
        while index < bytes.len() && bytes[index] != b'"' {
            index += if bytes[index] == b'\\' { 2 } else { 1 };
        }
        index = (index + 1).min(bytes.len());
        let literal = &json[start..index];
        if let Ok(text) = serde_json::from_str::<String>(literal) {
            let redacted = crate::redact::redact(&text);
            if redacted != text
                && let Ok(encoded) = serde_json::to_string(&redacted)
            {
                out.push_str(&json[rest..start]);
                out.push_str(&encoded);
                rest = index;
            }
        }
    }
    out.push_str(&json[rest..]);
    out
}

/// A project's packages in the order every `deptrust scan` renderer shows them: highest
/// weighted risk first, then by id, so equal scores never reorder between runs.
fn packages_by_weighted_risk(
    project: &crate::scan::ProjectResult,
) -> Vec<&crate::scan::PackageResult> {
    let mut packages: Vec<_> = project.packages.iter().collect();
    packages.sort_by(|a, b| {
        b.contribution
            .total_cmp(&a.contribution)
            .then(b.weighted_risk.total_cmp(&a.weighted_risk))
            .then_with(|| a.id.cmp(&b.id))
    });
    packages
}

/// A package's findings, most severe first: by level (deny, warn, allow), then severity, then
/// rule id.
fn findings_by_severity(package: &crate::scan::PackageResult) -> Vec<&crate::scan::Finding> {
    let mut findings: Vec<_> = package.findings.iter().collect();
    findings.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_output_escapes_what_a_terminal_would_interpret() {
        let value = serde_json::json!({"name": "a\u{9b}31m\u{7f}b\u{202e}c\n"});
        let mut out = Vec::new();
        write_terminal_safe_json(&value, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\\u009b") && text.contains("\\u007f") && text.contains("\\u202e"));
        assert_eq!(sanitize(&text), text.replace('\n', ""));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn renderers_redact_credentials() {
        let secret = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
        let text = format!("`-r x` line 2: https://u:p@h/x, {secret}");
        assert_eq!(sanitize(&text), "`-r x` line 2: https://***@h/x, ***");
        // A control character inside the token does not hide it.
        assert_eq!(sanitize(&format!("ghp_\u{1b}{}", &secret[4..])), "***");
        assert_eq!(
            sanitize_line("extraheader = AUTHORIZATION: basic eC1hY2Nlc3M=\nnext"),
            "extraheader = AUTHORIZATION: ***"
        );
        let value = serde_json::json!({"warnings": [format!("token={secret}")], "n": 1});
        let mut out = Vec::new();
        write_terminal_safe_json(&value, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains(secret), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["warnings"][0], "token=***");
    }

    #[test]
    fn sanitize_strips_escapes_and_controls() {
        assert_eq!(
            sanitize("evil\u{1b}[31mred\u{7}\u{9b}x\u{202e}"),
            "evil[31mredx"
        );
        assert_eq!(sanitize("plain @scope/pkg 1.0.0"), "plain @scope/pkg 1.0.0");
    }
}

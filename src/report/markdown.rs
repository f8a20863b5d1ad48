//! `deptrust scan --format markdown`: a GitHub pull-request comment.
//!
//! A hidden marker (`<!-- deptrust:scan -->`, so a bot can find and update its comment), a
//! heading with the gate decision, the exposure score and the finding counts, the gate's
//! reasons, one row per project, a table of the findings at level deny and warn (deny first,
//! then by weighted risk), unknown facts in a collapsed `<details>`, then exceptions that did
//! not apply and lockfiles that could not be read. Findings at level allow are counted, not
//! listed.
//!
//! GitHub rejects a comment over 65,536 characters. Every list stops at a byte offset of its
//! own (so a flood of findings still leaves room for the unknowns after it) and says how many
//! rows it left out; a message is cut at [`MAX_MESSAGE_CHARS`]. The whole stays under
//! [`BUDGET`] bytes, and bytes are never fewer than characters.
//!
//! Registry and lockfile text is hostile: it is put on one line and stripped of control
//! characters and bidi overrides ([`sanitize_line`]); identifiers (package, version, rule,
//! lockfile) go in code spans, where neither Markdown nor HTML nor `@mentions` act; prose
//! (messages, reasons) has Markdown punctuation backslash-escaped, `<`, `>` and `&` written as
//! entities and a zero-width space after an `@` that starts a word, so it can neither inject
//! HTML nor ping anyone. `|` is escaped everywhere, as GitHub tables need.

use std::io::{self, Write};

use super::{findings_by_severity, packages_by_weighted_risk, sanitize_line};
use crate::rules::Level;
use crate::scan::{Finding, PackageResult, ProjectResult, ScanReport};

/// What the comment may take, in bytes: under GitHub's 65,536 characters with room for a
/// bot's own header or footer.
const BUDGET: usize = 60_000;

/// Characters of one message shown; the rest is cut with `…`.
const MAX_MESSAGE_CHARS: usize = 300;

/// Where each list must stop (byte offsets in the comment), in the order they are written.
const REASONS_END: usize = 6_000;
const PROJECTS_END: usize = 14_000;
const FINDINGS_END: usize = 44_000;
const UNKNOWNS_END: usize = 54_000;
const EXCEPTIONS_END: usize = 57_000;
const ERRORS_END: usize = BUDGET - 500;

/// Writes the scan report as a GitHub-flavoured Markdown comment.
pub fn render_scan_markdown(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let mut comment = Comment::default();
    write_heading(report, &mut comment);
    write_projects(report, &mut comment);
    write_findings(report, &mut comment);
    write_unknowns(report, &mut comment);
    write_notes(report, &mut comment);
    out.write_all(comment.text.as_bytes())
}

/// A Markdown document under construction, with a byte budget per list (shared with the
/// monthly report's Markdown).
#[derive(Default)]
pub(super) struct Comment {
    pub(super) text: String,
}

impl Comment {
    pub(super) fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// Appends rows while the comment stays under `end` bytes; returns how many were left out.
    pub(super) fn rows(
        &mut self,
        rows: impl ExactSizeIterator<Item = String>,
        end: usize,
    ) -> usize {
        let total = rows.len();
        let mut written = 0;
        for row in rows {
            if self.text.len() + row.len() + 1 > end {
                break;
            }
            self.line(&row);
            written += 1;
        }
        total - written
    }
}

fn write_heading(report: &ScanReport, comment: &mut Comment) {
    // A lockfile that could not be read ends the run with exit status 2: never PASSED.
    let verdict = match (report.gate.passed, report.gate.unevaluated) {
        _ if !report.errors.is_empty() => "ERROR (a lockfile could not be read)",
        (true, _) => "PASSED",
        (false, false) => "FAILED",
        (false, true) => "FAILED (could not evaluate)",
    };
    let total = |count: fn(&ProjectResult) -> usize| report.projects.iter().map(count).sum();
    let deny: usize = total(|project| project.summary.deny);
    let warn: usize = total(|project| project.summary.warn);
    let allow: usize = total(|project| project.summary.allow);
    let unknown: usize = total(|project| project.summary.unknown);
    comment.line("<!-- deptrust:scan -->");
    comment.line(&format!("## deptrust scan: {verdict}"));
    comment.line("");
    comment.line(&format!(
        "Exposure score **{:.1}** / 100{} · judged {:.1}% · {deny} deny · {warn} warn · \
         {allow} allowed · {unknown} {} with unknown facts",
        report.exposure_score,
        super::trend(report.exposure_score, report.previous.as_ref()),
        report.coverage.percent,
        if unknown == 1 { "package" } else { "packages" }
    ));
    if report.gate.unevaluated {
        comment.line("");
        comment.line(
            "Some packages could not be looked at (a registry that was not reached, or unknown \
             facts under `unknown = \"deny\"`): the gate does not pass what it could not judge.",
        );
    }
    if !report.gate.reasons.is_empty() {
        comment.line("");
        comment.line("Gate failed because of:");
        comment.line("");
        let left_out = comment.rows(
            report
                .gate
                .reasons
                .iter()
                .map(|reason| format!("- {}", code(reason))),
            REASONS_END,
        );
        if left_out > 0 {
            comment.line(&format!("- …and {left_out} more"));
        }
    }
}

fn write_projects(report: &ScanReport, comment: &mut Comment) {
    if report.projects.is_empty() {
        return;
    }
    comment.line("");
    comment.line(
        "| lockfile | ecosystem | packages | deny | warn | allowed | unknown | exposure score |",
    );
    comment.line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let left_out = comment.rows(
        report.projects.iter().map(|project| {
            let summary = &project.summary;
            format!(
                "| {} | {} | {} | {} | {} | {} | {} | {:.1} |",
                code(&project.lockfile),
                code(&project.ecosystem),
                summary.packages,
                summary.deny,
                summary.warn,
                summary.allow,
                summary.unknown,
                project.exposure_score
            )
        }),
        PROJECTS_END,
    );
    if left_out > 0 {
        comment.line("");
        comment.line(&format!("…and {left_out} more lockfiles."));
    }
}

fn write_findings(report: &ScanReport, comment: &mut Comment) {
    // Deny before warn, then the riskiest package first, so a cut drops the least important.
    let mut rows: Vec<(&ProjectResult, &PackageResult, &Finding)> = report
        .projects
        .iter()
        .flat_map(|project| {
            packages_by_weighted_risk(project)
                .into_iter()
                .flat_map(move |package| {
                    findings_by_severity(package)
                        .into_iter()
                        .filter(|finding| finding.level > Level::Allow)
                        .map(move |finding| (project, package, finding))
                })
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    // Stable sort: within a level, the per-project weighted-risk order stays.
    rows.sort_by_key(|row| std::cmp::Reverse(row.2.level));
    let several = report.projects.len() > 1;
    comment.line("");
    comment.line("### Findings");
    comment.line("");
    if several {
        comment.line("| lockfile | package | version | rule | level | message |");
        comment.line("| --- | --- | --- | --- | --- | --- |");
    } else {
        comment.line("| package | version | rule | level | message |");
        comment.line("| --- | --- | --- | --- | --- |");
    }
    let left_out = comment.rows(
        rows.iter().map(|(project, package, finding)| {
            let level = match (finding.level, finding.baseline) {
                (Level::Deny, false) => "**deny**",
                (Level::Deny, true) => "deny (in the baseline: not gating)",
                (Level::Warn, false) => "warn",
                (Level::Warn, true) => "warn (in the baseline)",
                (Level::Allow, _) => "allow",
            };
            let row = format!(
                "{} | {} | {} | {level} | {} |",
                code(&package.name),
                code(&package.version),
                code(&finding.rule),
                prose(&finding.message)
            );
            if several {
                format!("| {} | {row}", code(&project.lockfile))
            } else {
                format!("| {row}")
            }
        }),
        FINDINGS_END,
    );
    if left_out > 0 {
        comment.line("");
        comment.line(&format!(
            "…and {left_out} more {} not shown here (`deptrust scan --format table` lists them all).",
            if left_out == 1 { "finding" } else { "findings" }
        ));
    }
}

fn write_unknowns(report: &ScanReport, comment: &mut Comment) {
    let causes = &report.coverage.causes;
    if causes.is_empty() {
        return;
    }
    let signals: usize = causes.iter().map(|cause| cause.signals).sum();
    comment.line("");
    comment.line("<details>");
    comment.line(&format!(
        "<summary>Coverage: judged {:.1}% of signal inputs; {signals} could not be judged, by cause</summary>",
        report.coverage.percent
    ));
    comment.line("");
    comment.line("| cause | facts | packages |");
    comment.line("| --- | --- | ---: |");
    let left_out = comment.rows(
        causes.iter().map(|cause| {
            format!(
                "| {} | {} | {} |",
                prose(&cause.cause),
                code(&cause.facts.join(", ")),
                cause.packages
            )
        }),
        UNKNOWNS_END,
    );
    if left_out > 0 {
        comment.line("");
        comment.line(&format!(
            "…and {left_out} more (`deptrust scan --format json` lists every package's)."
        ));
    }
    comment.line("");
    comment.line("</details>");
}

fn write_notes(report: &ScanReport, comment: &mut Comment) {
    if !report.exceptions.is_empty() {
        comment.line("");
        comment.line("### Exceptions that did not apply");
        comment.line("");
        let left_out = comment.rows(
            report.exceptions.iter().map(|note| {
                format!(
                    "- {} {} ({}): {}",
                    code(&note.package),
                    code(&note.rule),
                    prose(note.problem.as_str()),
                    prose(&note.message)
                )
            }),
            EXCEPTIONS_END,
        );
        if left_out > 0 {
            comment.line(&format!("- …and {left_out} more"));
        }
    }
    if !report.errors.is_empty() {
        comment.line("");
        comment.line("### Lockfiles that could not be read");
        comment.line("");
        let left_out = comment.rows(
            report
                .errors
                .iter()
                .map(|error| format!("- {}: {}", code(&error.lockfile), prose(&error.message))),
            ERRORS_END,
        );
        if left_out > 0 {
            comment.line(&format!("- …and {left_out} more"));
        }
    }
}

/// An identifier as an inline code span: one line, sanitized, `|` escaped for tables, and
/// fenced with more backticks than it contains (CommonMark), so nothing in it is interpreted.
pub(super) fn code(text: &str) -> String {
    let text = cut(&sanitize_line(text)).replace('|', "\\|");
    if text.trim().is_empty() {
        return "–".to_string();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A space on each side when the text starts or ends with a backtick (CommonMark strips one).
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// Registry prose for a table cell or a list item: one line, sanitized, cut, with Markdown
/// punctuation escaped, HTML written as text and mentions defused.
pub(super) fn prose(text: &str) -> String {
    let text = cut(&sanitize_line(text));
    let mut escaped = String::with_capacity(text.len() + 16);
    let mut previous: Option<char> = None;
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            // GitHub reads `@name` as a mention where the `@` starts a word; a zero-width space
            // after it keeps `@user` and `@org/team` from notifying anyone (`a@b` is left alone).
            '@' if !previous.is_some_and(|p| p.is_alphanumeric() || p == '_') => {
                escaped.push_str("@\u{200b}");
            }
            // Emphasis, code, links, tables, strikethrough and math.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                escaped.push('\\');
                escaped.push(c);
            }
            _ => escaped.push(c),
        }
        previous = Some(c);
    }
    escaped
}

/// At most [`MAX_MESSAGE_CHARS`] characters, `…` marking a cut.
fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((index, _)) => format!("{}…", &text[..index]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::scan_fixture;

    fn render(report: &ScanReport) -> String {
        let mut out = Vec::new();
        render_scan_markdown(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn scenario() {
        let text = render(&scan_fixture::scan_report());
        for raw in ["<script>", "\u{1b}", "\u{202e}", "\u{7}", "@octocat"] {
            assert!(!text.contains(raw), "{raw:?} reached the comment");
        }
        // Markup in an identifier stays inside its code span, where it is shown as text.
        assert!(text.contains("| `evil\\|pkg` | `1.0.0-<b>` |"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn baseline_findings_are_marked_and_an_unreadable_lockfile_is_an_error() {
        let text = render(&scan_fixture::baseline_report());
        assert!(text.contains("## deptrust scan: PASSED"), "{text}");
        assert!(
            text.contains("| deny (in the baseline: not gating) |"),
            "{text}"
        );
        let text = render(&scan_fixture::scan_report());
        assert!(
            text.contains("## deptrust scan: ERROR (a lockfile could not be read)"),
            "{text}"
        );
    }

    #[test]
    fn quiet_report_has_no_findings_table() {
        let text = render(&scan_fixture::quiet_report());
        assert!(text.contains("## deptrust scan: PASSED"), "{text}");
        assert!(
            !text.contains("### Findings") && !text.contains("<details>"),
            "{text}"
        );
    }

    #[test]
    fn stays_under_githubs_limit_with_5000_findings() {
        let text = render(&scan_fixture::large_report(5_000));
        assert!(
            text.chars().count() < 65_536,
            "{} characters",
            text.chars().count()
        );
        assert!(text.len() <= BUDGET, "{} bytes", text.len());
        // The cut is announced, deny rows come first, and the sections after the findings
        // still have room.
        let shown = text.matches("| `new-publisher` | **deny** |").count();
        assert!(shown > 50, "only {shown} findings shown");
        assert!(
            text.contains(&format!(
                "…and {} more findings not shown here",
                5_000 + 1 - shown
            )),
            "{}",
            &text[text.len() - 3_000..]
        );
        assert!(
            text.contains("could not be judged, by cause</summary>"),
            "{text}"
        );
        assert!(text.contains("</details>"));
        assert!(text.contains("### Lockfiles that could not be read"));
        // Gate reasons are capped too.
        let reasons = text.matches("- `npm:package-").count();
        assert!(reasons > 50, "only {reasons} gate reasons shown");
        assert!(
            text.contains(&format!("- …and {} more\n", 5_000 - reasons)),
            "{}",
            &text[..7_000]
        );
    }

    #[test]
    fn a_flood_of_long_wide_messages_stays_under_the_limit() {
        let mut report = scan_fixture::large_report(2_000);
        for project in &mut report.projects {
            for package in &mut project.packages {
                for finding in &mut package.findings {
                    finding.message = "<&>|漢".repeat(1_000);
                }
                for unknown in &mut package.unknown {
                    unknown.reason = "@everyone &".repeat(1_000);
                }
            }
        }
        report.errors = vec![report.errors[0].clone(); 1_000];
        report.exceptions = vec![report.exceptions[0].clone(); 1_000];
        let text = render(&report);
        assert!(text.len() <= BUDGET, "{} bytes", text.len());
    }

    #[test]
    fn code_spans_and_prose_are_inert() {
        assert_eq!(code("foo"), "`foo`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code(""), "–");
        assert_eq!(
            prose("<script>*x*</script> @bob | [l](u)\nnext $x$ a@b"),
            "&lt;script&gt;\\*x\\*&lt;/script&gt; @\u{200b}bob \\| \\[l\\](u) next \\$x\\$ a@b"
        );
        assert_eq!(prose("a\u{1b}[31mb\u{202e}c"), "a\\[31mbc");
        assert_eq!(cut(&"é".repeat(400)).chars().count(), MAX_MESSAGE_CHARS + 1);
    }
}

//! `deptrust report --markdown`: the monthly view as GitHub-flavoured Markdown (a wiki page, an
//! issue opened by the scheduled workflow, a job summary). The same sections as the HTML page,
//! with the trend as a table (last run of each month). Lists are capped so the page stays under
//! GitHub's 65,536-character limit for an issue body ([`BUDGET`]); each says what it left out.
//! Registry text goes through the scan comment's escaping (`code` for identifiers, `prose` for
//! messages): one line, no control characters, no HTML, no mentions.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::markdown::{Comment as Page, code, prose};
use crate::monthly::{MonthlyReport, Point};
use crate::rules::Severity;

/// Bytes the page may take.
pub const BUDGET: usize = 60_000;

/// Rows of the trend table (the latest months).
const TREND_ROWS: usize = 24;

/// Rows of the events table.
const EVENT_ROWS: usize = 100;

/// Where each list must stop (byte offsets), so one long list leaves room for the rest.
const REPOSITORIES_END: usize = 16_000;
const CONTRIBUTORS_END: usize = 28_000;
const EVENTS_END: usize = 46_000;
const SHARED_END: usize = 53_000;
const COVERAGE_END: usize = BUDGET - 2_000;

/// Severity as icon and word (never by colour alone).
pub(crate) fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "◆ critical",
        Severity::High => "▲ high",
        Severity::Medium => "● medium",
        Severity::Low => "○ low",
        Severity::Info => "· info",
    }
}

/// "up 4.2 since 2026-10-31 (42.7)", "down …", "unchanged since …"; empty without a previous.
pub(crate) fn direction(now: f64, previous: Option<Point>) -> String {
    let Some(previous) = previous else {
        return String::new();
    };
    let delta = now - previous.score;
    let date = previous.at.strftime("%Y-%m-%d");
    if delta.abs() < 0.05 {
        format!("= unchanged since {date} ({:.1})", previous.score)
    } else if delta > 0.0 {
        format!("▲ up {delta:.1} since {date} ({:.1})", previous.score)
    } else {
        format!("▼ down {:.1} since {date} ({:.1})", -delta, previous.score)
    }
}

/// Writes the monthly view as Markdown.
pub fn render(report: &MonthlyReport, out: &mut dyn Write) -> io::Result<()> {
    let mut page = Page::default();
    heading(report, &mut page);
    trend(report, &mut page);
    repositories(report, &mut page);
    contributors(report, &mut page);
    events(report, &mut page);
    shared(report, &mut page);
    coverage(report, &mut page);
    out.write_all(page.text.as_bytes())
}

/// The page: the scan comment's document, and a list that says what it left out (of `shown_of`
/// rows when the list was already cut before, e.g. events).
trait Rows {
    fn list(&mut self, rows: Vec<String>, end: usize, shown_of: Option<usize>);
}

impl Rows for Page {
    fn list(&mut self, rows: Vec<String>, end: usize, shown_of: Option<usize>) {
        let given = rows.len();
        let left_out =
            self.rows(rows.into_iter(), end) + shown_of.map_or(0, |all| all.saturating_sub(given));
        if left_out > 0 {
            self.line("");
            self.line(&format!("…and {left_out} more."));
        }
    }
}

fn day(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%d").to_string()
}

fn heading(report: &MonthlyReport, page: &mut Page) {
    page.line(&format!("# {}", prose(&report.title)));
    page.line("");
    let repositories = report.repositories.len();
    page.line(&format!(
        "As of {} · trust events since {} · {}",
        day(report.now),
        day(report.since),
        if repositories == 1 {
            format!("repository {}", code(&report.repositories[0].name))
        } else {
            format!("{repositories} repositories")
        }
    ));
    page.line("");
    let what = if repositories == 1 {
        "Exposure score"
    } else {
        "Organisation exposure score (mean of the repositories)"
    };
    let direction = direction(report.exposure_score, report.previous);
    page.line(&format!(
        "**{what}: {:.1}** of 100{}",
        report.exposure_score,
        if direction.is_empty() {
            " (no earlier month recorded)".to_string()
        } else {
            format!(" — {direction}")
        }
    ));
    page.line("");
    for alert in &report.alerts {
        page.line(&format!("**⚠ Alert:** {}", prose(alert)));
        page.line("");
    }
    if !report.notes.is_empty() {
        for note in &report.notes {
            page.line(&format!("> {}", prose(note)));
        }
        page.line("");
    }
}

fn trend(report: &MonthlyReport, page: &mut Page) {
    page.line("## Trend");
    page.line("");
    if report.trend.is_empty() {
        page.line("No runs recorded.");
        page.line("");
        return;
    }
    page.line("Last recorded run of each month.");
    page.line("");
    let mut header = String::from("| month | score |");
    let mut rule = String::from("|---|---:|");
    for series in &report.series {
        let _ = write!(header, " {} |", code(&series.label));
        rule.push_str("---:|");
    }
    page.line(&header);
    page.line(&rule);
    let start = report.trend.len().saturating_sub(TREND_ROWS);
    for point in &report.trend[start..] {
        let month = point.at.strftime("%Y-%m").to_string();
        let mut row = format!("| {month} | {:.1} |", point.score);
        for series in &report.series {
            match series
                .points
                .iter()
                .find(|p| p.at.strftime("%Y-%m").to_string() == month)
            {
                Some(p) => {
                    let _ = write!(row, " {:.1} |", p.score);
                }
                None => row.push_str(" – |"),
            }
        }
        page.line(&row);
    }
    if start > 0 {
        page.line("");
        page.line(&format!("…and {start} earlier months."));
    }
    page.line("");
}

fn repositories(report: &MonthlyReport, page: &mut Page) {
    if let [only] = report.repositories.as_slice() {
        page.line("## Projects");
        page.line("");
        page.line(&format!(
            "Scanned {}: gate {}, {} packages, {} at warn or deny, {:.1}% of signal inputs judged.",
            day(only.at),
            if only.gate_passed { "passed" } else { "failed" },
            only.packages,
            only.flagged,
            only.coverage_percent
        ));
        page.line("");
        page.line("| project | ecosystem | score | change |");
        page.line("|---|---|---:|---|");
        let rows = only
            .projects
            .iter()
            .map(|project| {
                format!(
                    "| {} | {} | {:.1} | {} |",
                    code(&project.lockfile),
                    code(&project.ecosystem),
                    project.exposure_score,
                    or_dash(direction(project.exposure_score, project.previous))
                )
            })
            .collect();
        page.list(rows, REPOSITORIES_END, None);
        page.line("");
        return;
    }
    page.line("## Repositories");
    page.line("");
    page.line("| repository | score | change | gate | packages | flagged | judged | scanned |");
    page.line("|---|---:|---|---|---:|---:|---:|---|");
    let rows = report
        .repositories
        .iter()
        .map(|repo| {
            format!(
                "| {} | {:.1} | {} | {} | {} | {} | {:.1}% | {} |",
                code(&repo.name),
                repo.exposure_score,
                or_dash(direction(repo.exposure_score, repo.previous)),
                if repo.gate_passed {
                    "✓ passed"
                } else {
                    "✗ failed"
                },
                repo.packages,
                repo.flagged,
                repo.coverage_percent,
                day(repo.at)
            )
        })
        .collect();
    page.list(rows, REPOSITORIES_END, None);
    page.line("");
}

fn or_dash(text: String) -> String {
    if text.is_empty() { "–".into() } else { text }
}

fn contributors(report: &MonthlyReport, page: &mut Page) {
    page.line("## What to do first");
    page.line("");
    if report.top_packages.is_empty() {
        page.line("No package has a finding at warn or deny: nothing adds to the score.");
        page.line("");
        return;
    }
    page.line("Packages by their share of the score, with the finding that sets their risk.");
    page.line("");
    page.line("| package | versions | severity | finding | blast radius | share | what to do |");
    page.line("|---|---|---|---|---:|---:|---|");
    let rows = report
        .top_packages
        .iter()
        .map(|package| {
            format!(
                "| {} | {} | {} | {}: {} | {:.2} | {:.1} | {} |",
                code(&package.package),
                code(&package.versions.join(", ")),
                severity_label(package.severity),
                code(&package.rule),
                prose(&package.message),
                package.blast_radius,
                package.contribution,
                prose(first_sentence(&package.remediation))
            )
        })
        .collect();
    page.list(rows, CONTRIBUTORS_END, None);
    page.line("");
    if !report.top_rules.is_empty() {
        page.line("| rule | severity | packages | share | what to do |");
        page.line("|---|---|---:|---:|---|");
        let rows = report
            .top_rules
            .iter()
            .map(|rule| {
                format!(
                    "| {} | {} | {} | {:.1} | {} |",
                    code(&rule.rule),
                    severity_label(rule.severity),
                    rule.packages,
                    rule.contribution,
                    prose(first_sentence(&rule.remediation))
                )
            })
            .collect();
        page.list(rows, CONTRIBUTORS_END, None);
        page.line("");
    }
}

/// The first sentence of a remediation (the rest is in `deptrust explain` and `rules/`).
pub(crate) fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    match text.find(". ") {
        Some(end) => &text[..=end],
        None => text,
    }
}

fn events(report: &MonthlyReport, page: &mut Page) {
    page.line(&format!(
        "## Trust events since {} ({})",
        day(report.since),
        report.events.len()
    ));
    page.line("");
    if report.events.is_empty() {
        page.line(&format!(
            "No trust events between {} and {}.",
            day(report.since),
            day(report.now)
        ));
        page.line("");
        return;
    }
    page.line("| date | event | repository | package | severity | what happened |");
    page.line("|---|---|---|---|---|---|");
    let rows = report
        .events
        .iter()
        .take(EVENT_ROWS)
        .map(|event| {
            format!(
                "| {}{} | {} | {} | {} | {} | {} |",
                if event.seen_between_reports {
                    "seen by "
                } else {
                    ""
                },
                day(event.at),
                event.kind.label(),
                code(&event.repository),
                code(&event.package),
                event.severity.map_or("–", severity_label),
                prose(&event.detail)
            )
        })
        .collect();
    page.list(rows, EVENTS_END, Some(report.events.len()));
    page.line("");
}

fn shared(report: &MonthlyReport, page: &mut Page) {
    if report.shared.is_empty() {
        return;
    }
    page.line("## Packages shared by the most repositories");
    page.line("");
    page.line(
        "| package | used by | versions | max blast radius | mean blast radius | worst finding | share |",
    );
    page.line("|---|---:|---|---:|---:|---|---:|");
    let rows = report
        .shared
        .iter()
        .map(|package| {
            format!(
                "| {} | {} of {} | {} | {:.2} | {:.2} | {} | {:.1} |",
                code(&package.package),
                package.repositories,
                package.of,
                code(&package.versions.join(", ")),
                package.max_blast_radius,
                package.mean_blast_radius,
                package
                    .worst
                    .as_ref()
                    .map_or("–".to_string(), |(rule, severity)| {
                        format!("{} {}", severity_label(*severity), code(rule))
                    }),
                package.contribution
            )
        })
        .collect();
    page.list(rows, SHARED_END, None);
    page.line("");
}

fn coverage(report: &MonthlyReport, page: &mut Page) {
    let coverage = &report.coverage;
    page.line("## Coverage");
    page.line("");
    page.line(&format!(
        "Judged {} of {} signal inputs ({:.1}%).",
        coverage.judged, coverage.total, coverage.percent
    ));
    page.line("");
    if coverage.causes.is_empty() {
        return;
    }
    page.line("| not judged because | facts | packages | signals | repositories |");
    page.line("|---|---|---:|---:|---:|");
    let rows = coverage
        .causes
        .iter()
        .map(|cause| {
            format!(
                "| {} | {} | {} | {} | {} |",
                prose(&cause.cause),
                code(&cause.facts.join(", ")),
                cause.packages,
                cause.signals,
                cause.repositories
            )
        })
        .collect();
    page.list(rows, COVERAGE_END, None);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monthly::{
        BuildOptions, ParsedCoverage, ParsedFinding, ParsedPackage, ParsedProject, ParsedReport,
        RepositoryInput, build,
    };
    use crate::rules::Level;

    /// Thousands of flagged packages with long hostile messages: the page stays under GitHub's
    /// limit, says what it left out, and no markup or mention gets through.
    #[test]
    fn a_flood_stays_under_the_budget_and_escaped() {
        let packages = (0..3_000)
            .map(|i| ParsedPackage {
                id: format!("npm:pkg-{i}@1.0.0"),
                key: format!("npm:pkg-{i}"),
                version: "1.0.0".into(),
                blast_radius: 0.5,
                contribution: 0.0,
                findings: vec![ParsedFinding {
                    rule: "new-publisher".into(),
                    level: Level::Deny,
                    severity: Severity::High,
                    message: format!("<script>@octocat</script> {}", "x".repeat(400)),
                    event_at: Some("2026-11-20T00:00:00Z".parse().unwrap()),
                }],
            })
            .collect();
        let report = ParsedReport {
            at: "2026-12-01T00:00:00Z".parse().unwrap(),
            exposure_score: 75.0,
            gate_passed: false,
            coverage: ParsedCoverage::default(),
            projects: vec![ParsedProject {
                lockfile: "package-lock.json".into(),
                ecosystem: "npm".into(),
                exposure_score: 75.0,
                packages,
            }],
        };
        let view = build(
            vec![RepositoryInput {
                name: "r".into(),
                reports: vec![report],
                histories: Vec::new(),
            }],
            &BuildOptions {
                title: "t".into(),
                now: None,
                since: None,
                top: 3_000,
                alerts: Default::default(),
            },
        )
        .unwrap();
        let mut out = Vec::new();
        render(&view, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.len() < BUDGET, "{} bytes", text.len());
        let more: Vec<&str> = text.lines().filter(|l| l.starts_with("…and")).collect();
        // The contributors and the events were both cut, each saying how many it left out.
        assert_eq!(more.len(), 2, "{more:?}");
        assert!(text.contains("## Coverage"), "the last section still fits");
        assert!(!text.contains("<script>") && !text.contains("@octocat"));
    }
}

//! `deptrust report` as one self-contained HTML page: the monthly view that leadership reads on
//! a wall screen or a laptop, opened from a file or a CI artifact.
//!
//! Self-contained: no script at all, no external font, image, style sheet or request of any
//! kind (a Content-Security-Policy `<meta>` forbids them as well, in case anything slipped
//! through); the system font stack, one inline `<style>` and inline SVG.
//!
//! Content, in order: title, "as of" date and period; the headline exposure score and which way
//! it went since the previous month's run (arrow and words); the trend chart
//! (`super::trend_chart`) with its numbers in a table; repositories (one row each, with
//! their projects; a projects table when there is one repository); top contributors (package,
//! versions, severity, rule, message, blast radius, share, what to do); top rules; trust events
//! in the period; shared packages (only when some are); coverage; notes. An empty section says
//! so in words.
//!
//! Design:
//! - Light and dark themes: [`Theme::Auto`] follows `prefers-color-scheme`, [`Theme::Light`] and
//!   [`Theme::Dark`] force one (`data-theme` on `<html>`). Print is always light, without
//!   background fills, with table rows kept whole where the browser can.
//! - The palette is the Okabe–Ito colour-blind-safe set (darkened where a hue is too light for a
//!   white background), kept as Rust constants (`LIGHT`, `DARK`) that the CSS is generated
//!   from and that the tests check for WCAG 2.x contrast: text at least 4.5:1, graphics at
//!   least 3:1, in both themes.
//! - Nothing is told by colour alone: severity has an icon and its word (◆ critical, ▲ high,
//!   ● medium, ○ low, · info), a change has an arrow and words ("up 4.2 since 2026-10-31"),
//!   chart lines have dash patterns and markers.
//! - Responsive: tables scroll sideways in their own region on a narrow screen; type scales
//!   with the viewport up to wall-screen sizes.
//!
//! Every piece of text from the model is hostile (registry text): it is put on one line,
//! stripped of control, bidi and invisible characters, has credentials masked
//! ([`super::sanitize`]) and is HTML-escaped (`escape`).

use std::fmt::Write as _;

use jiff::Timestamp;

use super::trend_chart;
use crate::monthly::{
    Contributor, CoverageView, MonthlyReport, Point, Repository, RuleShare, SharedPackage,
    TrustEvent,
};
use crate::rules::Severity;

/// Which colour theme the page uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow the reader's system setting (`prefers-color-scheme`).
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    fn attribute(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The colours of one theme, as `#rrggbb`. The CSS custom properties are generated from these,
/// and the contrast tests read the same constants.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Palette {
    /// Page background (the chart is drawn on it).
    pub(crate) background: &'static str,
    /// Table headers, the headline box.
    pub(crate) surface: &'static str,
    /// Body text and the chart's headline line.
    pub(crate) text: &'static str,
    /// Secondary text, axis labels.
    pub(crate) muted: &'static str,
    /// Table rules and box borders (decorative: the text says the same).
    pub(crate) border: &'static str,
    /// Chart gridlines (decorative: the y labels say the same).
    pub(crate) grid: &'static str,
    /// Chart axis and ticks.
    pub(crate) axis: &'static str,
    /// Keyboard focus ring.
    pub(crate) focus: &'static str,
    /// Arrow of a rising score (more exposure).
    pub(crate) up: &'static str,
    /// Arrow of a falling score.
    pub(crate) down: &'static str,
    /// Chart series, in order (dash and marker tell them apart as well).
    pub(crate) series: [&'static str; 8],
    /// Severity icons, in [`Severity::ALL`] order (info first).
    pub(crate) severity: [&'static str; 5],
}

/// The light theme (also print). Okabe–Ito blue, vermillion, bluish green and reddish purple
/// pass 3:1 on white; orange and yellow do not, so they are darkened (`#9a6200`, `#7a6a00`).
pub(crate) const LIGHT: Palette = Palette {
    background: "#ffffff",
    surface: "#f3f4f6",
    text: "#1a1a1a",
    muted: "#4a4f55",
    border: "#c9ced4",
    grid: "#dadde1",
    axis: "#4a4f55",
    focus: "#0072b2",
    up: "#d55e00",
    down: "#007a5a",
    series: [
        "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#9a6200", "#0072b2", "#d55e00", "#009e73",
    ],
    severity: ["#4a4f55", "#0072b2", "#7a6a00", "#9a6200", "#d55e00"],
};

/// The dark theme: every Okabe–Ito hue passes 3:1 on it.
pub(crate) const DARK: Palette = Palette {
    background: "#111418",
    surface: "#1c2128",
    text: "#f2f2f2",
    muted: "#bfc5cc",
    border: "#3d444d",
    grid: "#2c323a",
    axis: "#bfc5cc",
    focus: "#56b4e9",
    up: "#e69f00",
    down: "#009e73",
    series: [
        "#56b4e9", "#e69f00", "#009e73", "#f0e442", "#cc79a7", "#d55e00", "#0072b2", "#56b4e9",
    ],
    severity: ["#bfc5cc", "#56b4e9", "#f0e442", "#e69f00", "#d55e00"],
};

/// The icon of a severity (shape as well as colour, so it reads in grey print and for every
/// kind of colour vision).
pub(crate) fn severity_icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "◆",
        Severity::High => "▲",
        Severity::Medium => "●",
        Severity::Low => "○",
        Severity::Info => "·",
    }
}

/// Model text as HTML: on one line, without control, bidi or invisible characters, credentials
/// masked ([`super::sanitize_line`]), then `& < > " '` written as entities, so it is safe in
/// element content and in quoted attributes, in HTML and in SVG.
pub(crate) fn escape(text: &str) -> String {
    let clean = super::sanitize_line(text);
    let mut out = String::with_capacity(clean.len() + 8);
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Registry prose longer than this is cut (the page is read, not searched).
const MAX_TEXT_CHARS: usize = 400;
/// Versions listed in a cell before "and N more".
const MAX_VERSIONS: usize = 6;
/// Projects listed in a repository's row before "and N more".
const MAX_PROJECTS: usize = 6;

/// [`escape`] of text cut to [`MAX_TEXT_CHARS`].
fn prose(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((index, _)) => format!("{}…", escape(&text[..index])),
        None => escape(text),
    }
}

/// An identifier in a code span, or a dash when empty.
fn code(text: &str) -> String {
    let text = escape(text);
    if text.trim().is_empty() {
        "–".to_string()
    } else {
        format!("<code>{text}</code>")
    }
}

/// A score with one decimal, or a dash when it is not a number.
fn score(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.1}")
    } else {
        "–".to_string()
    }
}

/// A 0–100 percentage with one decimal.
fn percentage(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.1}%")
    } else {
        "–".to_string()
    }
}

/// A 0–1 fraction as a whole percent.
fn percent(fraction: f64) -> String {
    if fraction.is_finite() {
        format!("{:.0}%", fraction * 100.0)
    } else {
        "–".to_string()
    }
}

fn date(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d").to_string()
}

/// A `<time>` element for a date.
fn time(at: Timestamp) -> String {
    format!(r#"<time datetime="{}">{}</time>"#, date(at), date(at))
}

/// A severity as its icon and word.
fn severity(severity: Severity) -> String {
    format!(
        r#"<span class="sev sev-{name}"><span class="sev-icon" aria-hidden="true">{icon}</span> {name}</span>"#,
        name = severity.as_str(),
        icon = severity_icon(severity)
    )
}

/// Which way a score went since a previous point: an arrow and words.
struct Direction {
    class: &'static str,
    icon: &'static str,
    /// "up 4.2 since 2026-10-31 (was 38.1)".
    words: String,
    /// "+4.2 since 2026-10-31".
    short: String,
}

fn direction(now: f64, previous: Option<&Point>) -> Direction {
    let Some(previous) = previous.filter(|p| p.score.is_finite() && now.is_finite()) else {
        return Direction {
            class: "none",
            icon: "",
            words: "no earlier month recorded".to_string(),
            short: "no earlier month".to_string(),
        };
    };
    let since = date(previous.at);
    let delta = now - previous.score;
    // Compared as shown: a change that rounds to 0.0 is no change.
    let tenths = (delta * 10.0).round();
    if tenths == 0.0 {
        Direction {
            class: "same",
            icon: "=",
            words: format!("unchanged since {since} ({})", score(previous.score)),
            short: format!("unchanged since {since}"),
        }
    } else if tenths > 0.0 {
        Direction {
            class: "up",
            icon: "▲",
            words: format!(
                "up {:.1} since {since} (was {})",
                delta,
                score(previous.score)
            ),
            short: format!("+{delta:.1} since {since}"),
        }
    } else {
        Direction {
            class: "down",
            icon: "▼",
            words: format!(
                "down {:.1} since {since} (was {})",
                -delta,
                score(previous.score)
            ),
            short: format!("−{:.1} since {since}", -delta),
        }
    }
}

fn direction_html(direction: &Direction, short: bool) -> String {
    let words = if short {
        &direction.short
    } else {
        &direction.words
    };
    if direction.icon.is_empty() {
        return format!(r#"<span class="dir dir-none">{words}</span>"#);
    }
    format!(
        r#"<span class="dir dir-{}"><span class="dir-icon" aria-hidden="true">{}</span> {words}</span>"#,
        direction.class, direction.icon
    )
}

/// Versions as code spans, the first few, then how many more.
fn versions(versions: &[String]) -> String {
    if versions.is_empty() {
        return "–".to_string();
    }
    let mut out: Vec<String> = versions
        .iter()
        .take(MAX_VERSIONS)
        .map(|v| code(v))
        .collect();
    if versions.len() > MAX_VERSIONS {
        out.push(format!("and {} more", versions.len() - MAX_VERSIONS));
    }
    out.join(", ")
}

/// A contribution as score points and its share of the headline.
fn share(contribution: f64, headline: f64) -> String {
    if headline.is_finite() && headline > 0.0 && contribution.is_finite() {
        format!(
            "{} <span class=\"muted\">({:.0}%)</span>",
            score(contribution),
            contribution / headline * 100.0
        )
    } else {
        score(contribution)
    }
}

/// A table with a header row in a region that scrolls sideways on a narrow screen. `columns`
/// are (heading, numeric).
fn table(out: &mut String, label: &str, columns: &[(&str, bool)], rows: &[String]) {
    let _ = write!(
        out,
        r#"<div class="scroll" role="region" tabindex="0" aria-label="{}"><table><thead><tr>"#,
        escape(label)
    );
    for (heading, numeric) in columns {
        let class = if *numeric { r#" class="num""# } else { "" };
        let _ = write!(out, r#"<th scope="col"{class}>{heading}</th>"#);
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        let _ = write!(out, "<tr>{row}</tr>");
    }
    out.push_str("</tbody></table></div>");
}

fn empty(out: &mut String, words: &str) {
    let _ = write!(out, r#"<p class="empty">{words}</p>"#);
}

/// The CSS custom properties of a palette.
fn custom_properties(palette: &Palette) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "--bg:{};--surface:{};--text:{};--muted:{};--border:{};--grid:{};--axis:{};--focus:{};--up:{};--down:{};--headline:{};",
        palette.background,
        palette.surface,
        palette.text,
        palette.muted,
        palette.border,
        palette.grid,
        palette.axis,
        palette.focus,
        palette.up,
        palette.down,
        palette.text,
    );
    for (index, colour) in palette.series.iter().enumerate() {
        let _ = write!(out, "--series-{index}:{colour};");
    }
    for (severity, colour) in Severity::ALL.iter().zip(palette.severity) {
        let _ = write!(out, "--sev-{}:{colour};", severity.as_str());
    }
    out
}

/// The page's style sheet.
fn style() -> String {
    let light = custom_properties(&LIGHT);
    let dark = custom_properties(&DARK);
    let mut css = String::with_capacity(6 * 1024);
    let _ = write!(
        css,
        ":root{{{light}color-scheme:light}}\
         @media (prefers-color-scheme:dark){{:root[data-theme=auto]{{{dark}color-scheme:dark}}}}\
         :root[data-theme=dark]{{{dark}color-scheme:dark}}"
    );
    css.push_str(concat!(
        "*{box-sizing:border-box}",
        "html{font-size:clamp(15px,0.45vw + 10px,22px);-webkit-text-size-adjust:100%}",
        "body{margin:0;background:var(--bg);color:var(--text);",
        "font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",\"Liberation Sans\",\"DejaVu Sans\",Arial,sans-serif;",
        "line-height:1.5;font-variant-numeric:tabular-nums}",
        "main{max-width:1400px;margin:0 auto;padding:1.5rem clamp(0.75rem,3vw,2.5rem) 3rem}",
        "h1{font-size:clamp(1.6rem,2.4vw,2.6rem);line-height:1.2;margin:0 0 .25rem}",
        "h2{font-size:1.35rem;margin:2.5rem 0 .75rem;padding-bottom:.25rem;border-bottom:2px solid var(--border)}",
        "h3{font-size:1.1rem;margin:1.5rem 0 .5rem}",
        ".meta,.muted{color:var(--muted)}",
        ".meta{margin:0}",
        ".alert{margin-top:1.5rem;padding:.75rem 1.25rem;border:3px solid var(--up);border-radius:.5rem;background:var(--surface)}",
        ".alert p{margin:.25rem 0}",
        "code{font-family:ui-monospace,\"DejaVu Sans Mono\",\"Liberation Mono\",Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:break-word}",
        ".headline{display:flex;flex-wrap:wrap;align-items:baseline;gap:.5rem 2rem;margin-top:1.5rem;",
        "padding:1rem 1.5rem;background:var(--surface);border:1px solid var(--border);border-radius:.5rem}",
        ".headline .label{font-size:1.1rem;font-weight:600;width:100%}",
        ".headline .score{font-size:clamp(3rem,6vw,5.5rem);font-weight:700;line-height:1}",
        ".headline .of{font-size:1.2rem;color:var(--muted);font-weight:400}",
        ".headline .dir{font-size:1.35rem;font-weight:600;white-space:normal}",
        ".headline .facts{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;width:100%;color:var(--muted)}",
        ".headline .facts strong{color:var(--text)}",
        ".dir{white-space:nowrap}",
        ".dir-icon{font-weight:700}",
        ".dir-up .dir-icon{color:var(--up)}",
        ".dir-down .dir-icon{color:var(--down)}",
        ".dir-same .dir-icon{color:var(--muted)}",
        ".sev{white-space:nowrap}",
        ".sev-icon{display:inline-block;min-width:1em;text-align:center;font-weight:700;font-size:1.15em;line-height:1}",
        ".sev-critical .sev-icon{color:var(--sev-critical)}",
        ".sev-high .sev-icon{color:var(--sev-high)}",
        ".sev-medium .sev-icon{color:var(--sev-medium)}",
        ".sev-low .sev-icon{color:var(--sev-low)}",
        ".sev-info .sev-icon{color:var(--sev-info)}",
        ".scroll{overflow-x:auto;margin:.5rem 0}",
        ".scroll:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px}",
        "table{border-collapse:collapse;width:100%;font-size:.95rem}",
        "th,td{text-align:left;vertical-align:top;padding:.45rem .6rem;border-bottom:1px solid var(--border)}",
        "thead th{background:var(--surface);font-weight:600;white-space:nowrap}",
        "tbody th{font-weight:600}",
        "th.num,td.num{text-align:right;white-space:nowrap}",
        "td.text{min-width:12rem;max-width:30rem}",
        "td.wide{min-width:10rem}",
        "td.id,th.id{max-width:22rem}",
        "td.date{white-space:nowrap}",
        "ul.projects{margin:0;padding:0;list-style:none}",
        "ul.projects li{white-space:nowrap}",
        ".empty{font-style:italic}",
        "figure{margin:0}",
        ".chart{overflow-x:auto}",
        ".chart svg{display:block;width:100%;height:auto;min-width:640px;max-width:1400px}",
        ".chart-empty{padding:1rem 0}",
        "svg.trend text{fill:var(--muted);font-size:15px;font-family:inherit}",
        "svg.trend .legend text{fill:var(--text);font-size:16px}",
        "svg.trend .grid line{stroke:var(--grid);stroke-width:1}",
        "svg.trend .axis{stroke:var(--axis);stroke-width:1.5}",
        "svg.trend .headline{color:var(--headline)}",
        "svg.trend .s0{color:var(--series-0)}",
        "svg.trend .s1{color:var(--series-1)}",
        "svg.trend .s2{color:var(--series-2)}",
        "svg.trend .s3{color:var(--series-3)}",
        "svg.trend .s4{color:var(--series-4)}",
        "svg.trend .s5{color:var(--series-5)}",
        "svg.trend .s6{color:var(--series-6)}",
        "svg.trend .s7{color:var(--series-7)}",
        "details{margin:.75rem 0}",
        "summary{cursor:pointer;font-weight:600}",
        "footer{margin-top:3rem;color:var(--muted);font-size:.9rem}",
        "footer p{margin:.25rem 0}",
    ));
    let _ = write!(
        css,
        "@media print{{:root,:root[data-theme]{{{light}color-scheme:light}}\
         html{{font-size:11pt}}\
         body{{background:none}}\
         main{{max-width:none;padding:0}}\
         .headline,thead th{{background:none}}\
         .scroll,.chart{{overflow:visible}}\
         .chart svg{{min-width:0}}\
         table{{font-size:9pt}}\
         thead{{display:table-header-group}}\
         tr,.headline,figure,li{{break-inside:avoid}}\
         h2,h3{{break-after:avoid}}\
         details:not([open]){{display:none}}}}"
    );
    css
}

/// The page.
pub fn render(report: &MonthlyReport, theme: Theme) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = escape(&report.title);
    let scheme = match theme {
        Theme::Auto => "light dark",
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    let _ = write!(
        out,
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\" data-theme=\"{theme}\"><head><meta charset=\"utf-8\">",
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<meta name=\"color-scheme\" content=\"{scheme}\">",
            "<meta name=\"generator\" content=\"deptrust report\">",
            "<link rel=\"icon\" href=\"data:,\">",
            "<title>{title} — {date}</title><style>{style}</style></head><body><main>\n"
        ),
        theme = theme.attribute(),
        scheme = scheme,
        title = title,
        date = date(report.now),
        style = style(),
    );
    let _ = write!(
        out,
        r#"<header id="top"><h1>{title}</h1><p class="meta">As of {now} · trust events from {since} to {now}</p></header>"#,
        now = time(report.now),
        since = time(report.since),
    );
    out.push('\n');
    alerts(&mut out, report);
    headline(&mut out, report);
    out.push('\n');
    trend(&mut out, report);
    out.push('\n');
    repositories(&mut out, report);
    out.push('\n');
    contributors(&mut out, report);
    out.push('\n');
    rules(&mut out, report);
    out.push('\n');
    events(&mut out, report);
    out.push('\n');
    shared(&mut out, report);
    coverage(&mut out, &report.coverage);
    out.push('\n');
    notes(&mut out, report);
    out.push('\n');
    out.push_str(concat!(
        "<footer><p>Exposure score: 0 is no known risk, 100 the most; a package's share is the part of the score it adds.</p>",
        "<p>Severity: ◆ critical, ▲ high, ● medium, ○ low, · info. Change: ▲ up (more exposure), ▼ down, = unchanged.</p>",
        "<p>Made by <code>deptrust report</code>.</p></footer>",
        "</main></body></html>\n"
    ));
    out
}

/// The alerts of `[report]` thresholds, first on the page: a bordered box, an icon and words.
fn alerts(out: &mut String, report: &MonthlyReport) {
    if report.alerts.is_empty() {
        return;
    }
    out.push_str(r#"<section id="alerts" class="alert" role="alert">"#);
    for alert in &report.alerts {
        let _ = write!(out, "<p><strong>⚠ Alert:</strong> {}</p>", escape(alert));
    }
    out.push_str("</section>\n");
}

fn headline(out: &mut String, report: &MonthlyReport) {
    let direction = direction(report.exposure_score, report.previous.as_ref());
    let _ = write!(
        out,
        r#"<section id="headline" class="headline" aria-label="Exposure score"><div class="label">{}</div><div class="score">{}<span class="of"> / 100</span></div>{}"#,
        if report.repositories.len() > 1 {
            "Organisation exposure score (the mean of the repositories')"
        } else {
            "Exposure score"
        },
        score(report.exposure_score),
        direction_html(&direction, false),
    );
    let repositories = report.repositories.len();
    let packages: usize = report.repositories.iter().map(|r| r.packages).sum();
    let flagged: usize = report.repositories.iter().map(|r| r.flagged).sum();
    let passed = report.repositories.iter().filter(|r| r.gate_passed).count();
    out.push_str(r#"<ul class="facts">"#);
    if repositories == 1 {
        let gate = if passed == 1 { "passed" } else { "failed" };
        let _ = write!(out, "<li>gate <strong>{gate}</strong></li>");
    } else {
        let _ = write!(
            out,
            "<li><strong>{repositories}</strong> repositories, <strong>{passed}</strong> passing the gate</li>"
        );
    }
    let _ = write!(
        out,
        "<li><strong>{flagged}</strong> of <strong>{packages}</strong> packages flagged</li><li><strong>{}</strong> trust events in the period</li><li>coverage <strong>{}</strong></li></ul></section>",
        report.events.len(),
        percentage(report.coverage.percent),
    );
}

fn trend(out: &mut String, report: &MonthlyReport) {
    out.push_str(r#"<section id="trend"><h2>Trend</h2><figure class="chart">"#);
    out.push_str(&trend_chart::svg(&report.trend, &report.series));
    out.push_str("</figure>");
    // The same numbers as a table: one row per month.
    let headline = trend_chart::monthly(&report.trend);
    let lines: Vec<Vec<(i64, f64)>> = report
        .series
        .iter()
        .map(|s| trend_chart::monthly(&s.points))
        .collect();
    let mut months: Vec<i64> = headline
        .iter()
        .chain(lines.iter().flatten())
        .map(|&(month, _)| month)
        .collect();
    months.sort_unstable();
    months.dedup();
    if !months.is_empty() {
        let mut columns: Vec<(String, bool)> =
            vec![("Month".to_string(), false), ("Headline".to_string(), true)];
        columns.extend(report.series.iter().map(|s| (escape(&s.label), true)));
        let columns: Vec<(&str, bool)> = columns.iter().map(|(h, n)| (h.as_str(), *n)).collect();
        let value = |line: &[(i64, f64)], month: i64| {
            line.iter()
                .find(|(m, _)| *m == month)
                .map_or_else(|| "–".to_string(), |&(_, s)| score(s))
        };
        let rows: Vec<String> = months
            .iter()
            .map(|&month| {
                let mut row = format!(
                    "<td>{:04}-{:02}</td><td class=\"num\">{}</td>",
                    month.div_euclid(12),
                    month.rem_euclid(12) + 1,
                    value(&headline, month)
                );
                for line in &lines {
                    let _ = write!(row, "<td class=\"num\">{}</td>", value(line, month));
                }
                row
            })
            .collect();
        out.push_str("<details><summary>The trend in numbers</summary>");
        table(out, "The trend in numbers", &columns, &rows);
        out.push_str("</details>");
    }
    out.push_str("</section>");
}

fn repositories(out: &mut String, report: &MonthlyReport) {
    let repositories = &report.repositories;
    let heading = if repositories.len() == 1 {
        "Repository"
    } else {
        "Repositories"
    };
    let _ = write!(out, r#"<section id="repositories"><h2>{heading}</h2>"#);
    if repositories.is_empty() {
        empty(out, "No repository reports were given.");
        out.push_str("</section>");
        return;
    }
    let single = repositories.len() == 1;
    let mut columns = vec![
        ("Repository", false),
        ("Score", true),
        ("Change", false),
        ("Gate", false),
        ("Coverage", true),
        ("Packages", true),
        ("Flagged", true),
        ("Latest report", false),
    ];
    if !single {
        columns.push(("Projects", false));
    }
    let rows: Vec<String> = repositories
        .iter()
        .map(|repository| repository_row(repository, !single))
        .collect();
    table(out, heading, &columns, &rows);
    if single {
        let projects = &repositories[0].projects;
        out.push_str("<h3>Projects</h3>");
        if projects.is_empty() {
            empty(out, "No projects were scanned.");
        } else {
            let rows: Vec<String> = projects
                .iter()
                .map(|project| {
                    format!(
                        r#"<td class="id">{}</td><td>{}</td><td class="num">{}</td><td>{}</td>"#,
                        code(&project.lockfile),
                        escape(&project.ecosystem),
                        score(project.exposure_score),
                        direction_html(
                            &direction(project.exposure_score, project.previous.as_ref()),
                            true
                        ),
                    )
                })
                .collect();
            table(
                out,
                "Projects",
                &[
                    ("Project", false),
                    ("Ecosystem", false),
                    ("Score", true),
                    ("Change", false),
                ],
                &rows,
            );
        }
    }
    out.push_str("</section>");
}

fn repository_row(repository: &Repository, with_projects: bool) -> String {
    let gate = if repository.gate_passed {
        r#"<span class="gate">✓ passed</span>"#
    } else {
        r#"<span class="gate">✗ failed</span>"#
    };
    let mut row = format!(
        r#"<th scope="row" class="id">{}</th><td class="num">{}</td><td>{}</td><td>{gate}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td>"#,
        escape(&repository.name),
        score(repository.exposure_score),
        direction_html(
            &direction(repository.exposure_score, repository.previous.as_ref()),
            true
        ),
        percentage(repository.coverage_percent),
        repository.packages,
        repository.flagged,
        time(repository.at),
    );
    if with_projects {
        row.push_str(r#"<td><ul class="projects">"#);
        for project in repository.projects.iter().take(MAX_PROJECTS) {
            let _ = write!(
                row,
                r#"<li>{} <span class="muted">{}</span> {}</li>"#,
                code(&project.lockfile),
                escape(&project.ecosystem),
                score(project.exposure_score)
            );
        }
        if repository.projects.len() > MAX_PROJECTS {
            let _ = write!(
                row,
                "<li>and {} more</li>",
                repository.projects.len() - MAX_PROJECTS
            );
        }
        row.push_str("</ul></td>");
    }
    row
}

fn contributors(out: &mut String, report: &MonthlyReport) {
    out.push_str(r#"<section id="contributors"><h2>Top contributors</h2>"#);
    if report.top_packages.is_empty() {
        empty(out, "No package adds to the exposure score.");
        out.push_str("</section>");
        return;
    }
    let several = report.repositories.len() > 1;
    let mut columns = vec![
        ("Package", false),
        ("Versions", false),
        ("Severity", false),
        ("Rule", false),
        ("Finding", false),
        ("Blast radius", true),
        ("Share", true),
        ("What to do", false),
    ];
    if several {
        columns.push(("Repositories", false));
    }
    let rows: Vec<String> = report
        .top_packages
        .iter()
        .map(|c| contributor_row(c, report.exposure_score, several))
        .collect();
    table(out, "Top contributors", &columns, &rows);
    out.push_str("</section>");
}

fn contributor_row(contributor: &Contributor, headline: f64, several: bool) -> String {
    let mut row = format!(
        r#"<th scope="row" class="id">{}</th><td>{}</td><td>{}</td><td>{}</td><td class="text">{}</td><td class="num">{}</td><td class="num">{}</td><td class="text">{}</td>"#,
        code(&contributor.package),
        versions(&contributor.versions),
        severity(contributor.severity),
        code(&contributor.rule),
        prose(&contributor.message),
        percent(contributor.blast_radius),
        share(contributor.contribution, headline),
        prose(&contributor.remediation),
    );
    if several {
        let names: Vec<String> = contributor
            .repositories
            .iter()
            .map(|name| escape(name))
            .collect();
        let _ = write!(row, "<td>{}</td>", names.join(", "));
    }
    row
}

fn rules(out: &mut String, report: &MonthlyReport) {
    out.push_str(r#"<section id="rules"><h2>Top rules</h2>"#);
    if report.top_rules.is_empty() {
        empty(out, "No rule adds to the exposure score.");
        out.push_str("</section>");
        return;
    }
    let rows: Vec<String> = report
        .top_rules
        .iter()
        .map(|rule: &RuleShare| {
            format!(
                r#"<th scope="row" class="id">{}<br><span class="muted">{}</span></th><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="text">{}</td>"#,
                code(&rule.rule),
                escape(&rule.title),
                severity(rule.severity),
                share(rule.contribution, report.exposure_score),
                rule.packages,
                prose(&rule.remediation),
            )
        })
        .collect();
    table(
        out,
        "Top rules",
        &[
            ("Rule", false),
            ("Severity", false),
            ("Share", true),
            ("Packages", true),
            ("What to do", false),
        ],
        &rows,
    );
    out.push_str("</section>");
}

fn events(out: &mut String, report: &MonthlyReport) {
    out.push_str(r#"<section id="events"><h2>Trust events in the period</h2>"#);
    if report.events.is_empty() {
        empty(
            out,
            &format!(
                "No trust events between {} and {}.",
                date(report.since),
                date(report.now)
            ),
        );
        out.push_str("</section>");
        return;
    }
    let rows: Vec<String> = report.events.iter().map(event_row).collect();
    table(
        out,
        "Trust events in the period",
        &[
            ("Date", false),
            ("Event", false),
            ("Repository", false),
            ("Package", false),
            ("Severity", false),
            ("Detail", false),
        ],
        &rows,
    );
    out.push_str("</section>");
}

fn event_row(event: &TrustEvent) -> String {
    let when = if event.seen_between_reports {
        format!("seen by {}", time(event.at))
    } else {
        time(event.at)
    };
    let severity = event.severity.map_or_else(|| "–".to_string(), severity);
    let rule = event
        .rule
        .as_deref()
        .map(|rule| format!(r#" <span class="muted">({})</span>"#, code(rule)))
        .unwrap_or_default();
    format!(
        r#"<td class="date">{when}</td><td>{}</td><td>{}</td><td class="id">{}</td><td>{severity}</td><td class="text">{}{rule}</td>"#,
        escape(event.kind.label()),
        escape(&event.repository),
        code(&event.package),
        prose(&event.detail),
    )
}

fn shared(out: &mut String, report: &MonthlyReport) {
    if report.shared.is_empty() {
        return;
    }
    out.push_str(r#"<section id="shared"><h2>Shared packages</h2><p class="meta">The packages whose blast radius spans the most repositories.</p>"#);
    let rows: Vec<String> = report
        .shared
        .iter()
        .map(|package: &SharedPackage| {
            let worst = package.worst.as_ref().map_or_else(
                || "none".to_string(),
                |(rule, sev)| format!("{} {}", severity(*sev), code(rule)),
            );
            format!(
                r#"<th scope="row" class="id">{}</th><td>used by {} of {} repositories</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td>{worst}</td><td class="num">{}</td>"#,
                code(&package.package),
                package.repositories,
                package.of,
                versions(&package.versions),
                percent(package.max_blast_radius),
                percent(package.mean_blast_radius),
                share(package.contribution, report.exposure_score),
            )
        })
        .collect();
    table(
        out,
        "Shared packages",
        &[
            ("Package", false),
            ("Used by", false),
            ("Versions", false),
            ("Max blast radius", true),
            ("Mean blast radius", true),
            ("Worst finding", false),
            ("Share", true),
        ],
        &rows,
    );
    out.push_str("</section>\n");
}

fn coverage(out: &mut String, coverage: &CoverageView) {
    out.push_str(r#"<section id="coverage"><h2>Coverage</h2>"#);
    if coverage.total == 0 {
        empty(out, "There was nothing to judge.");
        out.push_str("</section>");
        return;
    }
    let _ = write!(
        out,
        "<p><strong>{}</strong> of signal inputs judged ({} of {}).</p>",
        percentage(coverage.percent),
        coverage.judged,
        coverage.total
    );
    if coverage.causes.is_empty() {
        empty(out, "Everything could be judged.");
    } else {
        let rows: Vec<String> = coverage
            .causes
            .iter()
            .map(|cause| {
                let facts: Vec<String> = cause.facts.iter().map(|f| escape(f)).collect();
                format!(
                    r#"<th scope="row" class="text">{}</th><td class="wide">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>"#,
                    prose(&cause.cause),
                    if facts.is_empty() {
                        "–".to_string()
                    } else {
                        facts.join(", ")
                    },
                    cause.packages,
                    cause.signals,
                    cause.repositories,
                )
            })
            .collect();
        table(
            out,
            "What could not be judged",
            &[
                ("Cause", false),
                ("Facts left unknown", false),
                ("Packages", true),
                ("Signal inputs", true),
                ("Repositories", true),
            ],
            &rows,
        );
    }
    out.push_str("</section>");
}

fn notes(out: &mut String, report: &MonthlyReport) {
    out.push_str(r#"<section id="notes"><h2>Notes</h2>"#);
    if report.notes.is_empty() {
        empty(out, "Nothing to note.");
    } else {
        out.push_str("<ul>");
        for note in &report.notes {
            let _ = write!(out, "<li>{}</li>", prose(note));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::monthly::{CoverageCause, EventKind, ProjectScore, Series};

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn month_points(start: f64, slope: f64) -> Vec<Point> {
        (1..=12)
            .map(|month| Point {
                at: at(&format!("2026-{month:02}-28T09:00:00Z")),
                score: start + slope * f64::from(month),
            })
            .collect()
    }

    /// A report with every section filled; `text` goes into every string from the model.
    fn sample(text: &str) -> MonthlyReport {
        let t = |s: &str| format!("{s}{text}");
        MonthlyReport {
            title: t("Dependency exposure"),
            now: at("2026-12-05T00:00:00Z"),
            since: at("2026-11-05T00:00:00Z"),
            exposure_score: 42.3,
            previous: Some(Point {
                at: at("2026-11-30T10:00:00Z"),
                score: 38.0,
            }),
            trend: month_points(30.0, 1.0),
            repositories: vec![
                Repository {
                    name: t("payments"),
                    at: at("2026-12-04T08:00:00Z"),
                    exposure_score: 51.0,
                    previous: None,
                    gate_passed: false,
                    coverage_percent: 91.5,
                    packages: 412,
                    flagged: 9,
                    projects: vec![ProjectScore {
                        lockfile: t("Cargo.lock"),
                        ecosystem: "cargo".to_string(),
                        exposure_score: 51.0,
                        previous: None,
                    }],
                },
                Repository {
                    name: t("web"),
                    at: at("2026-12-03T08:00:00Z"),
                    exposure_score: 33.5,
                    previous: Some(Point {
                        at: at("2026-11-30T10:00:00Z"),
                        score: 35.0,
                    }),
                    gate_passed: true,
                    coverage_percent: 99.0,
                    packages: 903,
                    flagged: 4,
                    projects: vec![],
                },
            ],
            series: vec![
                Series {
                    label: t("payments"),
                    points: month_points(40.0, 1.0),
                },
                Series {
                    label: t("web"),
                    points: month_points(20.0, 1.1),
                },
            ],
            top_packages: vec![Contributor {
                package: t("npm:left-pad"),
                versions: vec![t("1.3.0")],
                contribution: 8.5,
                blast_radius: 0.42,
                rule: t("owner-changed-recently"),
                severity: Severity::High,
                message: t("owners changed from alice to mallory"),
                remediation: t("Pin the version and review the new owner"),
                repositories: vec![t("payments"), "web".to_string()],
            }],
            top_rules: vec![RuleShare {
                rule: t("owner-changed-recently"),
                title: t("Owners changed recently"),
                severity: Severity::Critical,
                contribution: 8.5,
                packages: 1,
                remediation: t("Review the new owner"),
            }],
            events: vec![
                TrustEvent {
                    at: at("2026-11-20T00:00:00Z"),
                    seen_between_reports: false,
                    kind: EventKind::OwnersChanged,
                    repository: t("payments"),
                    package: t("npm:left-pad@1.3.0"),
                    rule: Some(t("owner-changed-recently")),
                    severity: Some(Severity::High),
                    detail: t("mallory added"),
                },
                TrustEvent {
                    at: at("2026-12-01T00:00:00Z"),
                    seen_between_reports: true,
                    kind: EventKind::Added,
                    repository: "web".to_string(),
                    package: t("npm:is-odd@3.0.1"),
                    rule: None,
                    severity: None,
                    detail: t("new dependency"),
                },
            ],
            shared: vec![SharedPackage {
                package: t("npm:left-pad"),
                repositories: 2,
                of: 2,
                versions: vec!["1.3.0".to_string()],
                max_blast_radius: 0.42,
                mean_blast_radius: 0.3,
                worst: Some((t("owner-changed-recently"), Severity::High)),
                contribution: 8.5,
            }],
            coverage: CoverageView {
                judged: 900,
                total: 1000,
                percent: 90.0,
                causes: vec![CoverageCause {
                    cause: t("registry unreachable"),
                    facts: vec![t("owners")],
                    packages: 12,
                    signals: 100,
                    repositories: 1,
                }],
            },
            notes: vec![t("web has no history file")],
            alerts: vec![t(
                "the exposure score 41.2 is at or above alert-score = 40 <b>",
            )],
        }
    }

    const HOSTILE: &str = " <script>alert('x')</script><img src=x onerror=\"y\"> & \u{1b}[31m\u{9b}2J\u{202e}\u{2066}\u{200b}\u{0}\n\tend";

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        for theme in [Theme::Auto, Theme::Light, Theme::Dark] {
            let html = render(&sample(HOSTILE), theme);
            assert!(!html.contains("<script"), "a script tag got through");
            assert!(!html.contains("<img"), "an img tag got through");
            assert!(!html.contains("onerror=\""));
            for c in [
                '\u{1b}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200b}', '\u{0}', '\t',
            ] {
                assert!(!html.contains(c), "U+{:04X} got through", u32::from(c));
            }
            assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
            assert!(html.contains("onerror=&quot;y&quot;&gt; &amp; [31m2J  end"));
            // Hostile text appears in every section; every one of them escaped.
            let raw = html.matches("alert(").count();
            let escaped = html.matches("&lt;script&gt;alert(&#39;x&#39;)").count();
            assert_eq!(raw, escaped);
            assert!(escaped > 20, "{escaped}");
        }
    }

    #[test]
    fn escape_covers_attribute_and_element_syntax() {
        assert_eq!(escape("a<b>c&d\"e'f"), "a&lt;b&gt;c&amp;d&quot;e&#39;f");
        assert_eq!(escape("x\u{202e}y\r\nz"), "xy  z");
        // Credentials are masked as in every renderer.
        assert!(!escape("token ghp_16C7e42F292c6912E7710c838347Ae178B4a").contains("ghp_"));
        // Long prose is cut on a character boundary.
        let long = "é".repeat(MAX_TEXT_CHARS + 10);
        assert_eq!(prose(&long).chars().count(), MAX_TEXT_CHARS + 1);
    }

    #[test]
    fn every_section_is_present_in_order() {
        let html = render(&sample(""), Theme::Auto);
        assert!(
            html.contains("<strong>⚠ Alert:</strong> the exposure score 41.2 is at or above alert-score = 40 &lt;b&gt;"),
            "the alert, escaped"
        );
        let sections = [
            "<header id=\"top\">",
            "id=\"alerts\"",
            "id=\"headline\"",
            "id=\"trend\"",
            "id=\"repositories\"",
            "id=\"contributors\"",
            "id=\"rules\"",
            "id=\"events\"",
            "id=\"shared\"",
            "id=\"coverage\"",
            "id=\"notes\"",
            "<footer>",
        ];
        let mut last = 0;
        for section in sections {
            let at = html[last..]
                .find(section)
                .unwrap_or_else(|| panic!("{section} missing or out of order"));
            last += at;
        }
        for words in [
            "As of <time datetime=\"2026-12-05\">2026-12-05</time>",
            "trust events from <time datetime=\"2026-11-05\">2026-11-05</time>",
            "42.3",
            "▲</span> up 4.3 since 2026-11-30 (was 38.0)",
            "<svg class=\"trend\"",
            "The trend in numbers",
            "payments",
            "✗ failed",
            "✓ passed",
            "▼</span> −1.5 since 2026-11-30",
            "<code>npm:left-pad</code>",
            "▲</span> high",
            "◆</span> critical",
            "42%",
            "8.5 <span class=\"muted\">(20%)</span>",
            "Pin the version and review the new owner",
            "owners changed",
            "seen by <time datetime=\"2026-12-01\">2026-12-01</time>",
            "used by 2 of 2 repositories",
            "90.0%</strong> of signal inputs judged (900 of 1000)",
            "registry unreachable",
            "web has no history file",
        ] {
            assert!(html.contains(words), "{words:?} missing");
        }
    }

    #[test]
    fn empty_sections_say_so() {
        let mut report = sample("");
        report.previous = None;
        report.trend.clear();
        report.series.clear();
        report.repositories.truncate(1);
        report.repositories[0].projects.clear();
        report.top_packages.clear();
        report.top_rules.clear();
        report.events.clear();
        report.shared.clear();
        report.coverage.causes.clear();
        report.notes.clear();
        let html = render(&report, Theme::Light);
        for words in [
            "no earlier month recorded",
            "No history recorded",
            "<h2>Repository</h2>",
            "No projects were scanned.",
            "No package adds to the exposure score.",
            "No rule adds to the exposure score.",
            "No trust events between 2026-11-05 and 2026-12-05.",
            "Everything could be judged.",
            "Nothing to note.",
        ] {
            assert!(html.contains(words), "{words:?} missing");
        }
        assert!(!html.contains("id=\"shared\""));
        assert!(!html.contains("The trend in numbers"));
        report.repositories.clear();
        report.coverage = CoverageView::default();
        let html = render(&report, Theme::Dark);
        assert!(html.contains("No repository reports were given."));
        assert!(html.contains("There was nothing to judge."));
    }

    #[test]
    fn one_repository_shows_its_projects() {
        let mut report = sample("");
        report.repositories.truncate(1);
        report.repositories[0].previous = Some(Point {
            at: at("2026-11-30T00:00:00Z"),
            score: 51.04,
        });
        let html = render(&report, Theme::Auto);
        assert!(html.contains("<h3>Projects</h3>"));
        assert!(html.contains("<code>Cargo.lock</code>"));
        assert!(html.contains("=</span> unchanged since 2026-11-30"));
        assert!(!html.contains("<th scope=\"col\">Projects</th>"));
        assert!(html.contains("gate <strong>failed</strong>"));
    }

    #[test]
    fn themes_are_set_on_the_root() {
        assert!(
            render(&sample(""), Theme::Auto).contains("<html lang=\"en\" data-theme=\"auto\">")
        );
        assert!(render(&sample(""), Theme::Light).contains("data-theme=\"light\""));
        assert!(render(&sample(""), Theme::Dark).contains("data-theme=\"dark\""));
        let css = style();
        assert!(css.contains("@media (prefers-color-scheme:dark){:root[data-theme=auto]{"));
        assert!(css.contains(&format!("--bg:{}", DARK.background)));
        // Print is light, whatever the theme.
        let print = &css[css.find("@media print").unwrap()..];
        assert!(print.contains(&format!(
            ":root,:root[data-theme]{{--bg:{}",
            LIGHT.background
        )));
    }

    #[test]
    fn no_script_and_no_external_resource() {
        for theme in [Theme::Auto, Theme::Light, Theme::Dark] {
            let html = render(&sample(""), theme).to_lowercase();
            assert!(!html.contains("<script"));
            assert!(!html.contains("http://") && !html.contains("https://"));
            assert!(!html.contains("src="));
            assert!(!html.contains("url("));
            assert!(!html.contains("@import"));
            assert!(
                !html.contains("<iframe") && !html.contains("<object") && !html.contains("<embed")
            );
            // The only link is the empty favicon (so the browser asks for none).
            assert_eq!(html.matches("href=").count(), 1);
            assert!(html.contains("<link rel=\"icon\" href=\"data:,\">"));
            assert!(html.contains("default-src 'none'"));
        }
    }

    /// Relative luminance of `#rrggbb` (WCAG 2.x).
    fn luminance(hex: &str) -> f64 {
        let hex = hex.trim_start_matches('#');
        assert_eq!(hex.len(), 6, "{hex}");
        let channel = |i: usize| {
            let value = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if value <= 0.04045 {
                value / 12.92
            } else {
                ((value + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    }

    /// WCAG 2.x contrast ratio of two colours.
    fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn palette_contrast_meets_wcag_in_both_themes() {
        let mut table = String::new();
        let mut failures = Vec::new();
        for (theme, palette) in [("light", &LIGHT), ("dark", &DARK)] {
            for (what, fg, ground, bg, needed) in contrast_pairs(palette) {
                let ratio = contrast(fg, bg);
                let verdict = if ratio >= needed { "ok" } else { "FAIL" };
                let _ = writeln!(
                    table,
                    "{theme:<5} {what:<16} {fg} on {ground:<10} {bg}: {ratio:>5.2}:1 (needs {needed:.1}) {verdict}"
                );
                if ratio < needed {
                    failures.push(format!("{theme} {what} {fg} on {bg}: {ratio:.2}"));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}\n{table}");
        insta::assert_snapshot!(table);
    }

    /// Every foreground of a palette with what it is drawn on and the ratio it needs: text
    /// 4.5:1, graphics (icons, arrows, chart lines and axis, focus ring) 3:1. Borders and
    /// gridlines are decorative (the text and labels say the same) and are not listed.
    /// (what, foreground, ground name, background, ratio needed).
    fn contrast_pairs(
        palette: &Palette,
    ) -> Vec<(String, &'static str, &'static str, &'static str, f64)> {
        let mut pairs = Vec::new();
        for (ground, colour) in [
            ("background", palette.background),
            ("surface", palette.surface),
        ] {
            pairs.push(("text".to_string(), palette.text, ground, colour, 4.5));
            pairs.push(("muted text".to_string(), palette.muted, ground, colour, 4.5));
            pairs.push(("rising arrow".to_string(), palette.up, ground, colour, 3.0));
            pairs.push((
                "falling arrow".to_string(),
                palette.down,
                ground,
                colour,
                3.0,
            ));
            pairs.push(("focus ring".to_string(), palette.focus, ground, colour, 3.0));
            for (severity, icon) in Severity::ALL.iter().zip(palette.severity) {
                pairs.push((format!("{severity} icon"), icon, ground, colour, 3.0));
            }
        }
        // The chart is drawn on the page background.
        let background = palette.background;
        pairs.push((
            "chart axis".to_string(),
            palette.axis,
            "background",
            background,
            3.0,
        ));
        pairs.push((
            "chart headline".to_string(),
            palette.text,
            "background",
            background,
            3.0,
        ));
        for (index, colour) in palette.series.iter().enumerate() {
            pairs.push((
                format!("chart series {index}"),
                colour,
                "background",
                background,
                3.0,
            ));
        }
        pairs
    }

    #[test]
    fn contrast_formula_matches_known_values() {
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((contrast("#ffffff", "#ffffff") - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        assert!((contrast("#767676", "#ffffff") - 4.54).abs() < 0.01);
    }

    #[test]
    fn numbers_that_are_not_numbers_do_not_break_the_page() {
        let mut report = sample("");
        report.exposure_score = f64::NAN;
        report.top_packages[0].blast_radius = f64::INFINITY;
        let html = render(&report, Theme::Auto);
        assert!(html.contains("no earlier month recorded"));
        report.coverage.percent = f64::NAN;
        report.repositories[0].coverage_percent = f64::NEG_INFINITY;
        let html = render(&report, Theme::Auto);
        assert!(!html.contains("NaN") && !html.contains("inf%") && !html.contains("inf<"));
    }
}

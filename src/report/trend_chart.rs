//! The trend chart of the monthly view (`deptrust report`): an inline SVG, no script, drawn
//! for the page that [`super::monthly_html`] writes.
//!
//! - Months on the x axis (`2026-01`), one position per calendar month (UTC) from the first
//!   recorded month to the last, so a gap in the history shows as a longer segment. A line keeps
//!   the last point of each month (the model gives one point per month; several in one month
//!   are not drawn on top of each other). Past 12 months the labels are thinned to every 2nd,
//!   3rd, 4th, 6th or 12th month, aligned to the calendar (January, April…).
//! - 0–100 on the y axis with a gridline every 20.
//! - The headline line is thicker and drawn last (on top); every series has its own dash
//!   pattern and marker shape as well as its colour, and the legend under the plot shows each
//!   with the same dash and marker, so no line is told apart by colour alone.
//! - Colours come from CSS custom properties (`--series-N`, `--headline`, `--grid`, `--axis`)
//!   through `currentColor`, so the page's light, dark and print themes apply; without the
//!   page's style sheet the chart is drawn in the text colour.
//! - A `<title>` and `<desc>` name the chart for screen readers; the page repeats the numbers
//!   in a table.
//! - Fixed `viewBox` (960 wide; the height grows with the legend) and `width="100%"`, so it
//!   scales to the screen. Coordinates have one decimal, so the output is deterministic.
//!
//! Not supported: more than [`MARKERS`] distinct series styles (the model keeps at most
//! `MAX_SERIES`; past that, styles repeat), scores outside 0–100 (clamped) or not finite
//! (skipped).

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::monthly_html::escape;
use crate::monthly::{Point, Series};

/// The width of the drawing, in user units.
const WIDTH: f64 = 960.0;
/// Left edge of the plot (room for the y labels).
const PLOT_LEFT: f64 = 56.0;
/// Right edge of the plot.
const PLOT_RIGHT: f64 = WIDTH - 24.0;
/// Top of the plot.
const PLOT_TOP: f64 = 20.0;
/// Height of the plot.
const PLOT_HEIGHT: f64 = 300.0;
/// Room at each end of the x axis, so the first and last markers are not cut.
const X_PAD: f64 = 24.0;
/// Most month labels on the x axis.
const MAX_LABELS: i64 = 12;
/// Legend: three columns of labels up to 26 characters, or two up to 44 when a label is longer
/// (longer ones are cut; the full label is in its `<title>` and in the table).
const LEGEND_LAYOUTS: [(usize, usize); 2] = [(3, 26), (2, 44)];
/// Height of a legend row.
const LEGEND_ROW: f64 = 28.0;
/// Past this many points a line shows markers only at its ends (they would hide the line).
const MAX_MARKED_POINTS: usize = 24;

/// Dash patterns of the series, in order (the headline is solid and thicker).
const DASHES: [&str; 8] = [
    "",
    "10 5",
    "3 4",
    "12 4 3 4",
    "6 3",
    "2 6",
    "16 6",
    "8 3 2 3 2 3",
];

/// Marker shapes of the series, in order.
pub(crate) const MARKERS: [Marker; 8] = [
    Marker::Square,
    Marker::Triangle,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Cross,
    Marker::Plus,
    Marker::Ring,
    Marker::Bar,
];

/// A marker shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// Filled circle: the headline only.
    Dot,
    Square,
    Triangle,
    Diamond,
    TriangleDown,
    Cross,
    Plus,
    Ring,
    Bar,
}

impl Marker {
    /// The shape centred on (`x`, `y`), in the current colour.
    fn draw(self, out: &mut String, x: f64, y: f64) {
        let r = 5.0;
        let _ = match self {
            Marker::Dot => write!(
                out,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="6.0" fill="currentColor"/>"#
            ),
            Marker::Ring => write!(
                out,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="none" stroke="currentColor" stroke-width="2.5"/>"#
            ),
            Marker::Square => write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="9.0" height="9.0" fill="currentColor"/>"#,
                x - 4.5,
                y - 4.5
            ),
            Marker::Triangle => write!(
                out,
                r#"<path d="M{x:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z" fill="currentColor"/>"#,
                y - 6.0,
                x + 6.0,
                y + 4.5,
                x - 6.0,
                y + 4.5
            ),
            Marker::TriangleDown => write!(
                out,
                r#"<path d="M{x:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z" fill="currentColor"/>"#,
                y + 6.0,
                x + 6.0,
                y - 4.5,
                x - 6.0,
                y - 4.5
            ),
            Marker::Diamond => write!(
                out,
                r#"<path d="M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z" fill="currentColor"/>"#,
                y - 6.5,
                x + 6.5,
                y + 6.5,
                x - 6.5
            ),
            Marker::Cross => write!(
                out,
                r#"<path d="M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}" fill="none" stroke="currentColor" stroke-width="2.5"/>"#,
                x - r,
                y - r,
                x + r,
                y + r,
                x - r,
                y + r,
                x + r,
                y - r
            ),
            Marker::Plus => write!(
                out,
                r#"<path d="M{:.1} {y:.1}L{:.1} {y:.1}M{x:.1} {:.1}L{x:.1} {:.1}" fill="none" stroke="currentColor" stroke-width="2.5"/>"#,
                x - 6.0,
                x + 6.0,
                y - 6.0,
                y + 6.0
            ),
            Marker::Bar => write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="4.0" height="12.0" fill="currentColor"/>"#,
                x - 2.0,
                y - 6.0
            ),
        };
    }
}

/// A calendar month as a number: `year * 12 + month - 1`.
fn month_of(at: Timestamp) -> i64 {
    let date = at.to_zoned(TimeZone::UTC).date();
    i64::from(date.year()) * 12 + i64::from(date.month()) - 1
}

/// `2026-01` for a month number.
fn month_label(month: i64) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

/// A line's points as (month, score): non-finite scores dropped, scores clamped to 0–100, the
/// last point of each month kept, oldest month first.
pub(crate) fn monthly(points: &[Point]) -> Vec<(i64, f64)> {
    let mut sorted: Vec<&Point> = points.iter().filter(|p| p.score.is_finite()).collect();
    sorted.sort_by_key(|p| p.at);
    let mut by_month: Vec<(i64, f64)> = Vec::with_capacity(sorted.len());
    for point in sorted {
        let month = month_of(point.at);
        let score = point.score.clamp(0.0, 100.0);
        match by_month.last_mut() {
            Some(last) if last.0 == month => last.1 = score,
            _ => by_month.push((month, score)),
        }
    }
    by_month
}

/// Every how many months the x axis is labelled, so that at most [`MAX_LABELS`] labels show.
fn label_step(months: i64) -> i64 {
    for step in [1, 2, 3, 4, 6, 12] {
        if (months + step - 1) / step <= MAX_LABELS {
            return step;
        }
    }
    let years = (months + 12 * MAX_LABELS - 1) / (12 * MAX_LABELS);
    12 * years.max(1)
}

/// A label cut to `max` characters by an ellipsis in the middle: the end of a lockfile path
/// or a repository name tells lines apart as often as its start does.
fn cut(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let head = max.saturating_sub(1) * 2 / 5;
    let tail = max.saturating_sub(1) - head;
    let mut cut: String = text.chars().take(head).collect();
    cut.push('…');
    cut.extend(text.chars().skip(count - tail));
    cut
}

/// The chart, or a sentence saying there is no history when no line has a point.
pub(crate) fn svg(headline: &[Point], series: &[Series]) -> String {
    let headline = monthly(headline);
    let lines: Vec<(String, Vec<(i64, f64)>)> = series
        .iter()
        .map(|s| (s.label.clone(), monthly(&s.points)))
        .collect();
    let all = headline
        .iter()
        .chain(lines.iter().flat_map(|(_, points)| points.iter()));
    let (Some(first), Some(last)) = (
        all.clone().map(|&(month, _)| month).min(),
        all.map(|&(month, _)| month).max(),
    ) else {
        return r#"<p class="empty chart-empty">No history recorded: the trend needs scans recorded with <code>--history</code> in at least one month.</p>"#.to_string();
    };
    let months = last - first + 1;
    let x = |month: i64| -> f64 {
        if months == 1 {
            (PLOT_LEFT + PLOT_RIGHT) / 2.0
        } else {
            let width = PLOT_RIGHT - PLOT_LEFT - 2.0 * X_PAD;
            PLOT_LEFT + X_PAD + (month - first) as f64 / (months - 1) as f64 * width
        }
    };
    let y = |score: f64| -> f64 { PLOT_TOP + (100.0 - score) / 100.0 * PLOT_HEIGHT };
    let plot_bottom = PLOT_TOP + PLOT_HEIGHT;
    let legend_top = plot_bottom + 46.0;
    let longest = lines
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    let (legend_columns, legend_chars) = if longest <= LEGEND_LAYOUTS[0].1 {
        LEGEND_LAYOUTS[0]
    } else {
        LEGEND_LAYOUTS[1]
    };
    let legend_rows = (lines.len() + 1).div_ceil(legend_columns);
    let height = legend_top + legend_rows as f64 * LEGEND_ROW + 4.0;

    let mut out = String::with_capacity(8 * 1024);
    let summary = match (headline.first(), headline.last()) {
        (Some(&(from_month, from)), Some(&(to_month, to))) if from_month != to_month => format!(
            "Headline exposure score {from:.1} in {} and {to:.1} in {}",
            month_label(from_month),
            month_label(to_month)
        ),
        (Some(&(month, score)), _) => {
            format!(
                "Headline exposure score {score:.1} in {}",
                month_label(month)
            )
        }
        _ => "No headline score recorded".to_string(),
    };
    let _ = writeln!(
        out,
        r#"<svg class="trend" viewBox="0 0 {WIDTH:.0} {height:.0}" width="100%" role="img" aria-labelledby="trend-title trend-desc"><title id="trend-title">Exposure score by month, 0 to 100, {} to {}</title><desc id="trend-desc">{}; {} more {}. The numbers are in the table after the chart.</desc>"#,
        month_label(first),
        month_label(last),
        summary,
        lines.len(),
        if lines.len() == 1 { "line" } else { "lines" },
    );

    // Gridlines and the y axis labels.
    out.push_str(r#"<g class="grid">"#);
    for score in (0..=100).step_by(20) {
        let gy = y(f64::from(score));
        let _ = write!(
            out,
            r#"<line x1="{PLOT_LEFT:.1}" y1="{gy:.1}" x2="{PLOT_RIGHT:.1}" y2="{gy:.1}"/>"#
        );
    }
    out.push_str("</g>\n");
    out.push_str(r#"<g class="axis-labels" text-anchor="end">"#);
    for score in (0..=100).step_by(20) {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}">{score}</text>"#,
            PLOT_LEFT - 8.0,
            y(f64::from(score)) + 4.5
        );
    }
    out.push_str("</g>\n");
    let _ = writeln!(
        out,
        r#"<line class="axis" x1="{PLOT_LEFT:.1}" y1="{plot_bottom:.1}" x2="{PLOT_RIGHT:.1}" y2="{plot_bottom:.1}"/>"#
    );

    // Month ticks and labels.
    let step = label_step(months);
    out.push_str(r#"<g class="axis-labels" text-anchor="middle">"#);
    for month in first..=last {
        if month.rem_euclid(step) != 0 {
            continue;
        }
        let mx = x(month);
        let _ = writeln!(
            out,
            r#"<line class="axis" x1="{mx:.1}" y1="{plot_bottom:.1}" x2="{mx:.1}" y2="{:.1}"/><text x="{mx:.1}" y="{:.1}">{}</text>"#,
            plot_bottom + 6.0,
            plot_bottom + 24.0,
            month_label(month)
        );
    }
    out.push_str("</g>\n");

    // Series first, the headline last (on top).
    for (index, (label, points)) in lines.iter().enumerate() {
        let style = index % MARKERS.len();
        let _ = writeln!(
            out,
            r#"<g class="line-series s{style}"><title>{}</title>"#,
            escape(label)
        );
        draw_line(&mut out, points, &x, &y, DASHES[style], "2.5");
        draw_markers(&mut out, points, &x, &y, MARKERS[style], label);
        out.push_str("</g>\n");
    }
    if !headline.is_empty() {
        out.push_str("<g class=\"line-series headline\"><title>Headline score</title>\n");
        draw_line(&mut out, &headline, &x, &y, "", "4.5");
        draw_markers(&mut out, &headline, &x, &y, Marker::Dot, "Headline score");
        out.push_str("</g>\n");
    }

    // The legend: the same dash and marker as the line, then the label.
    out.push_str("<g class=\"legend\">\n");
    let column_width = (WIDTH - PLOT_LEFT) / legend_columns as f64;
    let entries = std::iter::once(("Headline score".to_string(), None)).chain(
        lines
            .iter()
            .enumerate()
            .map(|(index, (label, _))| (label.clone(), Some(index % MARKERS.len()))),
    );
    for (slot, (label, style)) in entries.enumerate() {
        let lx = PLOT_LEFT + (slot % legend_columns) as f64 * column_width;
        let ly = legend_top + (slot / legend_columns) as f64 * LEGEND_ROW;
        let (class, dash, width, marker) = match style {
            None => ("headline".to_string(), "", "4.5", Marker::Dot),
            Some(style) => (format!("s{style}"), DASHES[style], "2.5", MARKERS[style]),
        };
        let _ = write!(
            out,
            r#"<g class="{class}"><title>{}</title><line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="currentColor" stroke-width="{width}"{}/>"#,
            escape(&label),
            lx + 40.0,
            dash_attribute(dash),
        );
        marker.draw(&mut out, lx + 20.0, ly);
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{:.1}">{}</text></g>"#,
            lx + 50.0,
            ly + 5.0,
            escape(&cut(&label, legend_chars))
        );
    }
    out.push_str("</g></svg>\n");
    out
}

/// ` stroke-dasharray="…"` for a pattern, nothing for a solid line.
fn dash_attribute(dash: &str) -> String {
    if dash.is_empty() {
        String::new()
    } else {
        format!(r#" stroke-dasharray="{dash}""#)
    }
}

fn draw_line(
    out: &mut String,
    points: &[(i64, f64)],
    x: &impl Fn(i64) -> f64,
    y: &impl Fn(f64) -> f64,
    dash: &str,
    width: &str,
) {
    if points.len() < 2 {
        return;
    }
    out.push_str(r#"<polyline points=""#);
    for (index, &(month, score)) in points.iter().enumerate() {
        if index > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{:.1},{:.1}", x(month), y(score));
    }
    let _ = write!(
        out,
        r#"" fill="none" stroke="currentColor" stroke-width="{width}" stroke-linejoin="round" stroke-linecap="round"{}/>"#,
        dash_attribute(dash)
    );
    out.push('\n');
}

fn draw_markers(
    out: &mut String,
    points: &[(i64, f64)],
    x: &impl Fn(i64) -> f64,
    y: &impl Fn(f64) -> f64,
    marker: Marker,
    label: &str,
) {
    let ends_only = points.len() > MAX_MARKED_POINTS;
    for (index, &(month, score)) in points.iter().enumerate() {
        if ends_only && index != 0 && index + 1 != points.len() {
            continue;
        }
        let _ = write!(
            out,
            "<g><title>{}, {}: {score:.1}</title>",
            escape(label),
            month_label(month)
        );
        marker.draw(out, x(month), y(score));
        out.push_str("</g>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn point(day: &str, score: f64) -> Point {
        Point {
            at: at(&format!("{day}T12:00:00Z")),
            score,
        }
    }

    fn months(year: i16, count: usize, start: f64, slope: f64) -> Vec<Point> {
        (0..count)
            .map(|i| {
                let month = i % 12 + 1;
                let year = i32::from(year) + (i / 12) as i32;
                point(
                    &format!("{year:04}-{month:02}-28"),
                    start + slope * i as f64,
                )
            })
            .collect()
    }

    /// The chart without its legend.
    fn plotted(svg: &str) -> &str {
        &svg[..svg.find("<g class=\"legend\">").unwrap()]
    }

    #[test]
    fn twelve_months_two_series_snapshot() {
        let headline = months(2026, 12, 30.0, 1.5);
        let series = vec![
            Series {
                label: "Cargo.lock".to_string(),
                points: months(2026, 12, 45.0, -1.0),
            },
            Series {
                label: "web/package-lock.json".to_string(),
                points: months(2026, 12, 12.0, 2.25),
            },
        ];
        insta::assert_snapshot!(svg(&headline, &series));
    }

    #[test]
    fn no_points_says_so() {
        let series = vec![Series {
            label: "a".to_string(),
            points: vec![],
        }];
        let out = svg(&[], &series);
        assert!(out.contains("No history recorded"), "{out}");
        assert!(!out.contains("<svg"));
        // Points that are not numbers are no history either.
        let out = svg(&[point("2026-01-01", f64::NAN)], &[]);
        assert!(out.contains("No history recorded"), "{out}");
    }

    #[test]
    fn one_point_is_a_marker_in_the_middle() {
        let out = svg(&[point("2026-03-31", 42.0)], &[]);
        assert!(out.contains("<svg"));
        assert!(!out.contains("<polyline"), "{out}");
        assert!(out.contains(r#"<circle cx="496.0" cy="194.0""#), "{out}");
        assert!(out.contains(">2026-03</text>"));
        assert!(out.contains("Headline exposure score 42.0 in 2026-03"));
    }

    #[test]
    fn points_in_the_same_month_keep_the_last() {
        let points = vec![
            point("2026-02-20", 80.0),
            point("2026-01-05", 10.0),
            point("2026-01-25", 20.0),
            point("2026-02-01", 50.0),
        ];
        assert_eq!(
            monthly(&points),
            vec![(2026 * 12, 20.0), (2026 * 12 + 1, 80.0)]
        );
        let out = svg(&points, &[]);
        assert_eq!(plotted(&out).matches("<circle").count(), 2, "{out}");
        // Scores out of range are clamped, not drawn off the plot.
        assert_eq!(
            monthly(&[point("2026-01-01", 250.0), point("2026-02-01", -3.0)]),
            vec![(2026 * 12, 100.0), (2026 * 12 + 1, 0.0)]
        );
    }

    #[test]
    fn labels_are_thinned_and_aligned_to_the_calendar() {
        assert_eq!(label_step(1), 1);
        assert_eq!(label_step(12), 1);
        assert_eq!(label_step(13), 2);
        assert_eq!(label_step(36), 3);
        assert_eq!(label_step(60), 6);
        assert_eq!(label_step(144), 12);
        assert_eq!(label_step(145), 24);
        let out = svg(&months(2020, 60, 10.0, 1.0), &[]);
        let labels: Vec<&str> = out
            .split("</text>")
            .filter_map(|part| part.rsplit('>').next())
            .filter(|text| text.len() == 7 && text.as_bytes()[4] == b'-')
            .collect();
        assert_eq!(
            labels,
            [
                "2020-01", "2020-07", "2021-01", "2021-07", "2022-01", "2022-07", "2023-01",
                "2023-07", "2024-01", "2024-07"
            ]
        );
        // 60 points: markers only at the ends.
        assert_eq!(plotted(&out).matches("<circle").count(), 2);
    }

    #[test]
    fn many_series_repeat_styles_and_labels_are_escaped() {
        let series: Vec<Series> = (0..100)
            .map(|i| Series {
                label: format!("<script>alert({i})</script> & \"q\" {}", "x".repeat(60)),
                points: months(2026, 3, f64::from(i), 0.5),
            })
            .collect();
        let out = svg(&months(2026, 3, 50.0, 0.0), &series);
        assert!(!out.contains("<script"));
        assert!(out.contains("&lt;script&gt;alert(0)&lt;/script&gt; &amp; &quot;q&quot;"));
        // Long labels: two legend columns, cut in the middle.
        assert!(
            out.contains(">&lt;script&gt;alert(0)&lt;…xxxxxxxxxxxxxxxxxxxxxxxxxx</text>"),
            "{out}"
        );
        assert_eq!(
            cut("apps/web/package-lock.json", 26),
            "apps/web/package-lock.json"
        );
        assert_eq!(
            cut("services/payments/api/package-lock.json", 26),
            "services/p…ckage-lock.json"
        );
        assert_eq!(out.matches(r#"class="line-series"#).count(), 101);
        // Every series is told apart by dash or marker from the next seven.
        for (a, b) in DASHES.iter().zip(MARKERS.iter()) {
            let same = DASHES
                .iter()
                .zip(MARKERS.iter())
                .filter(|(c, d)| c == &a && d == &b)
                .count();
            assert_eq!(same, 1);
        }
    }

    #[test]
    fn output_is_deterministic() {
        let headline = months(2025, 7, 33.333_333, 1.111_111);
        assert_eq!(svg(&headline, &[]), svg(&headline, &[]));
        assert!(!svg(&headline, &[]).contains("33.333"));
    }
}

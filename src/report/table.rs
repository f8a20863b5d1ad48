//! `--format table`: per project, a header line and a comfy-table of its packages, widest blast
//! radius first.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::{Project, sanitize};

pub(super) fn render(projects: &[Project], out: &mut dyn Write) -> io::Result<()> {
    for (n, project) in projects.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        let graph = &project.graph;
        let dev = graph.nodes.iter().filter(|node| node.dev).count();
        let direct = graph.nodes.iter().filter(|node| node.direct).count();
        writeln!(
            out,
            "{} ({} {}): {} roots, {} packages ({} direct, {} dev-only), {} edges",
            sanitize(&project.lockfile),
            graph.lockfile.format,
            sanitize(&graph.lockfile.format_version),
            graph.roots.len(),
            graph.nodes.len() - graph.roots.len(),
            direct,
            dev,
            graph.edges().len()
        )?;
        let mut rows: Vec<_> = graph.nodes.iter().filter(|node| !node.root).collect();
        rows.sort_by(|a, b| {
            b.blast_radius
                .total_cmp(&a.blast_radius)
                .then_with(|| a.package.id.cmp(&b.package.id))
        });
        let cells = |node: &crate::graph::Node| {
            let yes = |flag: bool| if flag { "yes" } else { "" };
            [
                sanitize(&node.package.id.name),
                sanitize(&node.package.id.version),
                node.package.source.kind().to_string(),
                yes(node.direct).to_string(),
                yes(node.dev).to_string(),
                node.depth.map_or("-".to_string(), |d| d.to_string()),
                node.dependents.to_string(),
                format!("{:.3}", node.blast_radius),
            ]
        };
        write_table(out, &HEADER, &RIGHT, rows.len(), |row| cells(rows[row]))?;
        for warning in &graph.lockfile.warnings {
            writeln!(out, "warning: {}", sanitize(warning))?;
        }
    }
    Ok(())
}

const HEADER: [&str; 8] = [
    "package",
    "version",
    "source",
    "direct",
    "dev",
    "depth",
    "dependents",
    "blast radius",
];

/// Right-aligned columns (the numbers).
const RIGHT: [bool; 8] = [false, false, false, false, false, true, true, true];

/// Writes a table in comfy-table's `UTF8_FULL_CONDENSED` style, row by row: a graph may hold a
/// million packages, and a table built in memory first would hold every cell twice. Two passes
/// over `row(0..rows)`: column widths, then lines. Cells hold no line breaks (they are
/// sanitized).
fn write_table<const N: usize>(
    out: &mut dyn Write,
    header: &[&str; N],
    right: &[bool; N],
    rows: usize,
    row: impl Fn(usize) -> [String; N],
) -> io::Result<()> {
    let mut widths: [usize; N] = std::array::from_fn(|column| header[column].width());
    for index in 0..rows {
        for (width, cell) in widths.iter_mut().zip(row(index)) {
            *width = (*width).max(cell.width());
        }
    }
    let rule = |out: &mut dyn Write, left: &str, fill: &str, middle: &str, end: &str| {
        let parts: Vec<String> = widths.iter().map(|width| fill.repeat(width + 2)).collect();
        writeln!(out, "{left}{}{end}", parts.join(middle))
    };
    let line = |out: &mut dyn Write, cells: &[&str]| -> io::Result<()> {
        let mut text = String::from("│");
        for (column, cell) in cells.iter().enumerate() {
            if column > 0 {
                text.push('┆');
            }
            let pad = " ".repeat(widths[column] - cell.width());
            if right[column] {
                text.push_str(&format!(" {pad}{cell} "));
            } else {
                text.push_str(&format!(" {cell}{pad} "));
            }
        }
        text.push('│');
        writeln!(out, "{text}")
    };
    rule(out, "┌", "─", "┬", "┐")?;
    // The header is left-aligned whatever the column.
    {
        let mut text = String::from("│");
        for (column, cell) in header.iter().enumerate() {
            if column > 0 {
                text.push('┆');
            }
            let pad = " ".repeat(widths[column] - cell.width());
            text.push_str(&format!(" {cell}{pad} "));
        }
        text.push('│');
        writeln!(out, "{text}")?;
    }
    rule(out, "╞", "═", "╪", "╡")?;
    for index in 0..rows {
        let cells = row(index);
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        line(out, &cells)?;
    }
    rule(out, "└", "─", "┴", "┘")
}

#[cfg(test)]
mod tests {
    use super::*;
    use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

    /// The streamed table is byte for byte what comfy-table renders.
    #[test]
    fn the_streamed_table_is_comfy_tables() {
        let rows: Vec<[String; 3]> = vec![
            ["left-pad".into(), "1.3.0".into(), "0.125".into()],
            ["".into(), "漢字".into(), "1".into()],
            [
                "@scope/a-much-longer-name".into(),
                "10.0.0-beta.1".into(),
                "".into(),
            ],
        ];
        let header = ["package", "version", "blast radius"];
        let right = [false, false, true];
        for count in [0, 1, 3] {
            let mut streamed = Vec::new();
            write_table(&mut streamed, &header, &right, count, |index| {
                rows[index].clone()
            })
            .expect("written");
            let mut table = Table::new();
            table
                .load_style(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(header);
            for row in &rows[..count] {
                table.add_row(row.iter().zip(right).map(|(text, right)| {
                    let cell = Cell::new(text);
                    if right {
                        cell.set_alignment(CellAlignment::Right)
                    } else {
                        cell
                    }
                }));
            }
            assert_eq!(
                String::from_utf8(streamed).expect("utf-8"),
                format!("{table}\n"),
                "{count} rows"
            );
        }
    }
}

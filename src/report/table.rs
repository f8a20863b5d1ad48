//! `--format table`: per project, a header line and a comfy-table of its packages, widest blast
//! radius first.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

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
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header([
                "package",
                "version",
                "source",
                "direct",
                "dev",
                "depth",
                "dependents",
                "blast radius",
            ]);
        for node in rows {
            let yes = |flag: bool| if flag { "yes" } else { "" };
            table.add_row(vec![
                Cell::new(sanitize(&node.package.id.name)),
                Cell::new(sanitize(&node.package.id.version)),
                Cell::new(node.package.source.kind()),
                Cell::new(yes(node.direct)),
                Cell::new(yes(node.dev)),
                Cell::new(node.depth.map_or("-".to_string(), |d| d.to_string()))
                    .set_alignment(CellAlignment::Right),
                Cell::new(node.dependents).set_alignment(CellAlignment::Right),
                Cell::new(format!("{:.3}", node.blast_radius)).set_alignment(CellAlignment::Right),
            ]);
        }
        writeln!(out, "{table}")?;
        for warning in &graph.lockfile.warnings {
            writeln!(out, "warning: {}", sanitize(warning))?;
        }
    }
    Ok(())
}

//! `--format dot`: a Graphviz digraph per project (one `subgraph cluster_N` each). Roots are
//! boxes, dev-only packages grey, edges dashed for dev, dotted for optional and peer, bold for
//! build.

use std::io::{self, Write};

use super::{Project, sanitize};
use crate::model::DepKind;

pub(super) fn render(projects: &[Project], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "digraph deptrust {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  node [shape=ellipse, fontname=\"Helvetica\"];")?;
    for (n, project) in projects.iter().enumerate() {
        let graph = &project.graph;
        writeln!(out, "  subgraph cluster_{n} {{")?;
        writeln!(out, "    label={};", quote(&project.lockfile))?;
        for node in &graph.nodes {
            let mut attributes = vec![format!(
                "label={}",
                quote(&format!(
                    "{}\n{}",
                    node.package.id.name, node.package.id.version
                ))
            )];
            if node.root {
                attributes.push("shape=box".into());
            }
            if node.dev {
                attributes.push("color=grey, fontcolor=grey".into());
            }
            writeln!(
                out,
                "    {} [{}];",
                quote(&format!("{n}:{}", node.package.id)),
                attributes.join(", ")
            )?;
        }
        for edge in graph.edges() {
            let style = match edge.kind {
                DepKind::Normal => "",
                DepKind::Build => " [style=bold, label=\"build\"]",
                DepKind::Dev => " [style=dashed, label=\"dev\"]",
                DepKind::Optional => " [style=dotted, label=\"optional\"]",
                DepKind::Peer => " [style=dotted, label=\"peer\"]",
            };
            writeln!(
                out,
                "    {} -> {}{style};",
                quote(&format!("{n}:{}", edge.from)),
                quote(&format!("{n}:{}", edge.to))
            )?;
        }
        writeln!(out, "  }}")?;
    }
    writeln!(out, "}}")
}

/// A DOT string literal: sanitized, with `"` and `\` escaped and newlines as `\n`.
fn quote(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            c if c.is_control() => {}
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    sanitize(&quoted)
}

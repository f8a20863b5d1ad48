//! `--format tree`: one indented tree per root, like `cargo tree`. A package whose subtree was
//! already printed under the same root is marked `(*)` and not expanded again; edge kinds other
//! than normal are shown in brackets.

use std::collections::HashSet;
use std::io::{self, Write};

use super::{Project, sanitize};
use crate::graph::DepGraph;
use crate::model::DepKind;

pub(super) fn render(projects: &[Project], out: &mut dyn Write) -> io::Result<()> {
    for (n, project) in projects.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        let graph = &project.graph;
        writeln!(
            out,
            "# {} ({} {})",
            sanitize(&project.lockfile),
            graph.lockfile.format,
            sanitize(&graph.lockfile.format_version)
        )?;
        for &root in &graph.roots {
            writeln!(out, "{}", label(graph, root))?;
            let mut seen = HashSet::from([root]);
            let mut prefix = String::new();
            walk(graph, root, &mut prefix, &mut seen, out)?;
        }
    }
    Ok(())
}

fn label(graph: &DepGraph, index: usize) -> String {
    let id = &graph.nodes[index].package.id;
    format!("{} v{}", sanitize(&id.name), sanitize(&id.version))
}

/// Depth-first with an explicit stack of iterators would avoid recursion, but depth is bounded by
/// the `(*)` marking: a path never revisits a node, so recursion depth ≤ the number of packages.
/// Deep chains of thousands of packages are not found in real lockfiles; the explicit stack
/// below keeps even those safe.
fn walk(
    graph: &DepGraph,
    start: usize,
    prefix: &mut String,
    seen: &mut HashSet<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    // (children of the node, next child to print, prefix length before this level)
    let mut stack: Vec<(Vec<(usize, DepKind)>, usize, usize)> =
        vec![(graph.children(start), 0, prefix.len())];
    while let Some((children, next, base)) = stack.last_mut() {
        if *next == children.len() {
            prefix.truncate(*base);
            stack.pop();
            continue;
        }
        let (child, kind) = children[*next];
        *next += 1;
        let last = *next == children.len();
        prefix.truncate(*base);
        let kind_label = match kind {
            DepKind::Normal => String::new(),
            other => format!(" [{}]", other.as_str()),
        };
        let repeated = !seen.insert(child);
        writeln!(
            out,
            "{prefix}{}{}{}{}",
            if last { "└── " } else { "├── " },
            label(graph, child),
            kind_label,
            if repeated { " (*)" } else { "" }
        )?;
        if !repeated {
            let base_len = prefix.len();
            prefix.push_str(if last { "    " } else { "│   " });
            let grandchildren = graph.children(child);
            let _ = base_len;
            let level = prefix.len();
            stack.push((grandchildren, 0, level));
        }
    }
    Ok(())
}

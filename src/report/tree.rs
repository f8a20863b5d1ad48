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

/// One level of the depth-first walk: the children of a node, the next one to print, and the
/// length of the line prefix at this level.
struct Level {
    children: Vec<(usize, DepKind)>,
    next: usize,
    prefix_len: usize,
}

/// Depth-first with an explicit stack: no recursion, so a chain of thousands of packages cannot
/// overflow the stack. A node already printed under the same root is marked `(*)`.
fn walk(
    graph: &DepGraph,
    start: usize,
    prefix: &mut String,
    seen: &mut HashSet<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut stack = vec![Level {
        children: graph.children(start),
        next: 0,
        prefix_len: prefix.len(),
    }];
    while let Some(level) = stack.last_mut() {
        prefix.truncate(level.prefix_len);
        let Some(&(child, kind)) = level.children.get(level.next) else {
            stack.pop();
            continue;
        };
        level.next += 1;
        let last = level.next == level.children.len();
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
            prefix.push_str(if last { "    " } else { "│   " });
            stack.push(Level {
                children: graph.children(child),
                next: 0,
                prefix_len: prefix.len(),
            });
        }
    }
    Ok(())
}

//! Renderers: the only code that writes what users read. Each renderer is one file and writes
//! to a `Write` it is given; the library never prints.
//!
//! Text that came from a lockfile or manifest (names, versions, paths) is hostile input: the
//! text renderers pass it through [`sanitize`] so escape sequences never reach a terminal. JSON
//! escapes control characters itself.

use std::io::{self, Write};

use crate::graph::DepGraph;

pub use facts::{render_facts_json, render_facts_table};

mod dot;
mod facts;
mod json;
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

/// Removes control characters (ANSI escape sequences, C0/C1 controls, bidi overrides) from
/// text bound for a terminal; an escape sequence's printable tail stays visible but inert.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_strips_escapes_and_controls() {
        assert_eq!(
            sanitize("evil\u{1b}[31mred\u{7}\u{9b}x\u{202e}"),
            "evil[31mredx"
        );
        assert_eq!(sanitize("plain @scope/pkg 1.0.0"), "plain @scope/pkg 1.0.0");
    }
}

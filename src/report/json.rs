//! `--format json`: the public, versioned JSON document (`schema_version: 1`), documented in
//! `docs/json.md` ("Graph output"). Fields are only ever added within a schema version.
//!
//! Fields added within version 1 and omitted when they say nothing, so documents without them
//! read as before:
//! - `packages[].build_time`: why the package runs its own code when the project is built,
//!   `["build-script"]`, `["proc-macro"]` or both; present only when known (Cargo's exact mode,
//!   `cargo metadata`) and non-empty. It changes neither `blast_radius` nor any score.
//! - `notes` (per project): how the file was read when worth saying but no fault of the file
//!   (Cargo's exact mode falling back to the lockfile alone); omitted when empty.
//! - `edges[].platforms`: the platforms (`cfg(windows)`, a target triple) an edge exists on,
//!   when only some; present only when known (Cargo's exact mode) and not every platform.

use std::io::{self, Write};

use serde::Serialize;

use super::{Failure, Project};

/// The schema version of this document.
const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    projects: Vec<ProjectJson<'a>>,
    errors: Vec<ErrorJson<'a>>,
}

#[derive(Serialize)]
struct ProjectJson<'a> {
    lockfile: &'a str,
    ecosystem: &'static str,
    format: &'static str,
    format_version: &'a str,
    roots: Vec<String>,
    packages: Vec<PackageJson<'a>>,
    edges: Vec<EdgeJson<'a>>,
    warnings: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

#[derive(Serialize)]
struct PackageJson<'a> {
    id: String,
    name: &'a str,
    version: &'a str,
    root: bool,
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    direct: bool,
    dev: bool,
    depth: Option<u32>,
    dependents: u32,
    reached_by: Vec<String>,
    blast_radius: f64,
    /// Why it runs code at build time (module doc); omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    build_time: Vec<&'static str>,
}

#[derive(Serialize)]
struct EdgeJson<'a> {
    from: String,
    to: String,
    kind: &'static str,
    /// The platforms it exists on when only some (module doc); omitted when empty.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    platforms: &'a [String],
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    lockfile: &'a str,
    message: &'a str,
}

pub(super) fn render(
    projects: &[Project],
    failures: &[Failure],
    out: &mut dyn Write,
) -> io::Result<()> {
    let document = Document {
        schema_version: SCHEMA_VERSION,
        projects: projects.iter().map(project).collect(),
        errors: failures
            .iter()
            .map(|failure| ErrorJson {
                lockfile: &failure.lockfile,
                message: &failure.message,
            })
            .collect(),
    };
    super::write_terminal_safe_json(&document, out)
}

fn project(project: &Project) -> ProjectJson<'_> {
    let graph = &project.graph;
    let root_ids: Vec<String> = graph
        .roots
        .iter()
        .map(|&index| graph.nodes[index].package.id.to_string())
        .collect();
    ProjectJson {
        lockfile: &project.lockfile,
        ecosystem: graph.lockfile.ecosystem.as_str(),
        format: graph.lockfile.format,
        format_version: &graph.lockfile.format_version,
        roots: root_ids.clone(),
        packages: graph
            .nodes
            .iter()
            .map(|node| PackageJson {
                id: node.package.id.to_string(),
                name: &node.package.id.name,
                version: &node.package.id.version,
                root: node.root,
                source: node.package.source.kind(),
                location: node.package.source.location().filter(|l| !l.is_empty()),
                direct: node.direct,
                dev: node.dev,
                depth: node.depth,
                dependents: node.dependents,
                reached_by: node
                    .reached_by
                    .iter()
                    .map(|&root| root_ids[root as usize].clone())
                    .collect(),
                blast_radius: node.blast_radius,
                build_time: node.package.build_time.reasons(),
            })
            .collect(),
        edges: graph
            .edges()
            .iter()
            .map(|edge| EdgeJson {
                from: edge.from.to_string(),
                to: edge.to.to_string(),
                kind: edge.kind.as_str(),
                platforms: &edge.platforms,
            })
            .collect(),
        warnings: &graph.lockfile.warnings,
        notes: &graph.lockfile.notes,
    }
}

//! Every lockfile fixture under `fixtures/lockfiles/<format>/<case>.<version>/` is graphed and
//! compared with `expected.json`, the graph the package manager itself listed (see
//! `fixtures/EXPECTED.md` and `fixtures/README.md`). Packages, roots, edges, `direct` and `dev`
//! must be equal; edge kinds are compared where the tool reported one and the lockfile records
//! it (edges from roots always; every edge for formats that keep kinds throughout).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use deptrust::graph::{self, DepGraph};
use deptrust::lockfile::{self, ReadOptions};
use serde::Deserialize;

#[derive(Deserialize)]
struct Expected {
    roots: Vec<String>,
    packages: Vec<ExpectedPackage>,
    edges: Vec<ExpectedEdge>,
}

#[derive(Deserialize)]
struct ExpectedPackage {
    id: String,
    root: bool,
    direct: bool,
    dev: bool,
}

#[derive(Deserialize)]
struct ExpectedEdge {
    from: String,
    to: String,
    kind: Option<String>,
}

/// How much of the tool's view a format's lockfile records.
#[derive(Clone, Copy)]
struct Scope {
    /// Compare kinds of edges between non-root packages too.
    all_kinds: bool,
    /// The lockfile records edges between non-root packages (Pipfile.lock does not).
    transitive_edges: bool,
    /// The lockfile records peer dependencies (yarn.lock v1 does not; the fixture's listing
    /// comes from an installed tree, whose manifests do).
    peer_edges: bool,
}

const FULL: Scope = Scope {
    all_kinds: true,
    transitive_edges: true,
    peer_edges: true,
};
const ROOT_KINDS: Scope = Scope {
    all_kinds: false,
    ..FULL
};

fn fixture_dirs(format: &str) -> Vec<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/lockfiles")
        .join(format);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
        .unwrap_or_else(|e| panic!("{}: {e}", base.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("expected.json").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixtures under {}", base.display());
    dirs
}

fn lockfile_in(dir: &Path) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && lockfile::is_lockfile(path))
        .collect();
    found.sort();
    assert_eq!(
        found.len(),
        1,
        "one lockfile expected in {}: {found:?}",
        dir.display()
    );
    found.remove(0)
}

/// Graphs one fixture and returns every difference from the tool's view.
fn differences(dir: &Path, scope: Scope) -> Vec<String> {
    let path = lockfile_in(dir);
    let expected: Expected =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let parsed = match lockfile::parse_file(&path, ReadOptions::default()) {
        Ok(parsed) => parsed,
        Err(error) => return vec![format!("parse error: {error}")],
    };
    let graph: DepGraph = graph::build(parsed);
    let mut problems = Vec::new();

    let got_roots: BTreeSet<String> = graph
        .roots
        .iter()
        .map(|&i| graph.nodes[i].package.id.to_string())
        .collect();
    let want_roots: BTreeSet<String> = expected.roots.iter().cloned().collect();
    if got_roots != want_roots {
        problems.push(format!("roots: got {got_roots:?}, want {want_roots:?}"));
    }

    let got: BTreeMap<String, (bool, bool, bool)> = graph
        .nodes
        .iter()
        .map(|n| (n.package.id.to_string(), (n.root, n.direct, n.dev)))
        .collect();
    let want: BTreeMap<String, (bool, bool, bool)> = expected
        .packages
        .iter()
        .map(|p| (p.id.clone(), (p.root, p.direct, p.dev)))
        .collect();
    for id in want.keys().filter(|id| !got.contains_key(*id)) {
        problems.push(format!("missing package {id}"));
    }
    for id in got.keys().filter(|id| !want.contains_key(*id)) {
        problems.push(format!("extra package {id}"));
    }
    for (id, flags) in &want {
        if let Some(got_flags) = got.get(id)
            && got_flags != flags
        {
            problems.push(format!(
                "{id}: (root, direct, dev) got {got_flags:?}, want {flags:?}"
            ));
        }
    }

    let roots = &want_roots;
    let keep_from = |from: &str| scope.transitive_edges || roots.contains(from);
    let got_edges: BTreeMap<(String, String), &'static str> = graph
        .edges()
        .iter()
        .filter(|e| scope.peer_edges || e.kind.as_str() != "peer")
        .map(|e| ((e.from.to_string(), e.to.to_string()), e.kind.as_str()))
        .filter(|((from, _), _)| keep_from(from))
        .collect();
    let want_edges: BTreeMap<(String, String), Option<String>> = expected
        .edges
        .iter()
        .filter(|e| scope.peer_edges || e.kind.as_deref() != Some("peer"))
        .map(|e| ((e.from.clone(), e.to.clone()), e.kind.clone()))
        .filter(|((from, _), _)| keep_from(from))
        .collect();
    for (from, to) in want_edges.keys().filter(|k| !got_edges.contains_key(*k)) {
        problems.push(format!("missing edge {from} -> {to}"));
    }
    for (from, to) in got_edges.keys().filter(|k| !want_edges.contains_key(*k)) {
        problems.push(format!("extra edge {from} -> {to}"));
    }
    for ((from, to), kind) in &want_edges {
        let (Some(want_kind), Some(got_kind)) = (kind, got_edges.get(&(from.clone(), to.clone())))
        else {
            continue;
        };
        if (scope.all_kinds || roots.contains(from)) && want_kind != got_kind {
            problems.push(format!(
                "edge {from} -> {to}: kind {got_kind}, want {want_kind}"
            ));
        }
    }
    problems
}

fn check_format(format: &str, scope: Scope) {
    let mut report = String::new();
    for dir in fixture_dirs(format) {
        let problems = differences(&dir, scope);
        if !problems.is_empty() {
            report.push_str(&format!(
                "\n{} ({} differences):\n",
                dir.display(),
                problems.len()
            ));
            for problem in problems.iter().take(25) {
                report.push_str(&format!("  {problem}\n"));
            }
        }
    }
    assert!(
        report.is_empty(),
        "graphs differ from the tool's view:{report}"
    );
}

/// Cargo.lock does not record that a registry crate's dependency is a build dependency.
#[test]
fn cargo() {
    check_format("cargo", ROOT_KINDS);
}

#[test]
fn package_lock() {
    check_format("package-lock", FULL);
}

/// yarn.lock v1 records no peer dependencies.
#[test]
fn yarn_classic() {
    check_format(
        "yarn-classic",
        Scope {
            peer_edges: false,
            ..FULL
        },
    );
}

#[test]
fn yarn_berry() {
    check_format("yarn-berry", FULL);
}

#[test]
fn pnpm() {
    check_format("pnpm", FULL);
}

#[test]
fn uv() {
    check_format("uv", FULL);
}

#[test]
fn poetry() {
    check_format("poetry", FULL);
}

#[test]
fn pdm() {
    check_format("pdm", FULL);
}

/// Pipfile.lock records no edges between packages: only the Pipfile's (root) edges compare.
#[test]
fn pipfile() {
    check_format(
        "pipfile",
        Scope {
            all_kinds: false,
            transitive_edges: false,
            ..FULL
        },
    );
}

#[test]
fn requirements() {
    check_format("requirements", FULL);
}

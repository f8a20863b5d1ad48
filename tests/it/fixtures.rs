//! Every lockfile fixture under `fixtures/lockfiles/<format>/<case>.<version>/` is graphed and
//! compared with `expected.json`, the graph the package manager itself listed (see
//! `fixtures/EXPECTED.md` and `fixtures/README.md`). Packages, roots, edges, `direct` and `dev`
//! must be equal; edge kinds are compared where the tool reported one and the lockfile records
//! it (edges from roots always; every edge for formats that keep kinds throughout).
//!
//! Cargo fixtures are graphed twice: from the lockfile alone (kinds of edges from roots only),
//! and in the exact mode with the fixture's recorded `cargo metadata` listing printed by a fake
//! cargo (every kind, and where the listing records them, build-time crates and
//! platform-specific edges). One test runs the real `cargo metadata` on a workspace of path
//! crates made in a temporary directory (no registry, no network).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use deptrust::graph::{self, DepGraph};
use deptrust::lockfile::{self, CargoMetadata, CargoOptions, ReadOptions};
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
    /// Cargo fixtures converted with `--build-kinds` only.
    build_time: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ExpectedEdge {
    from: String,
    to: String,
    kind: Option<String>,
    /// Cargo fixtures converted with `--build-kinds` only.
    platforms: Option<Vec<String>>,
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
    /// Compare build-time crates and platform-specific edges where the fixture records them
    /// (Cargo's exact mode).
    build_kinds: bool,
}

const FULL: Scope = Scope {
    all_kinds: true,
    transitive_edges: true,
    peer_edges: true,
    build_kinds: false,
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
    differences_with(dir, scope, ReadOptions::default())
}

/// Graphs one fixture with `options` and returns every difference from the tool's view.
fn differences_with(dir: &Path, scope: Scope, options: ReadOptions) -> Vec<String> {
    let path = lockfile_in(dir);
    let expected: Expected =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let parsed = match lockfile::parse_file(&path, options) {
        Ok(parsed) => parsed,
        Err(error) => return vec![format!("parse error: {error}")],
    };
    let mut problems = Vec::new();
    if scope.build_kinds {
        // The exact mode read the listing whole: any warning is a mismatch.
        for warning in &parsed.warnings {
            problems.push(format!("warning: {warning}"));
        }
    }
    let graph: DepGraph = graph::build(parsed);

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

    if scope.build_kinds {
        for package in &expected.packages {
            let (Some(want), Some(node)) = (
                &package.build_time,
                graph
                    .nodes
                    .iter()
                    .find(|n| n.package.id.to_string() == package.id),
            ) else {
                continue;
            };
            let got: Vec<&str> = node.package.build_time.reasons();
            if got != *want {
                problems.push(format!("{}: build_time {got:?}, want {want:?}", package.id));
            }
        }
        let got_platforms: BTreeMap<(String, String), &Vec<String>> = graph
            .edges()
            .iter()
            .map(|e| ((e.from.to_string(), e.to.to_string()), &e.platforms))
            .collect();
        for edge in &expected.edges {
            let Some(want) = &edge.platforms else {
                continue;
            };
            if let Some(got) = got_platforms.get(&(edge.from.clone(), edge.to.clone()))
                && *got != want
            {
                problems.push(format!(
                    "edge {} -> {}: platforms {got:?}, want {want:?}",
                    edge.from, edge.to
                ));
            }
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
    check_format_with(format, scope, |_| ReadOptions::default());
}

fn check_format_with(format: &str, scope: Scope, options: impl Fn(&Path) -> ReadOptions) {
    let mut report = String::new();
    for dir in fixture_dirs(format) {
        let problems = differences_with(&dir, scope, options(&dir));
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

/// A fake cargo that prints a recorded `cargo metadata` listing, whatever it is asked.
#[cfg(unix)]
fn fake_cargo(dir: &Path, listing: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join(format!(
        "cargo-{}",
        listing
            .parent()
            .and_then(Path::file_name)
            .and_then(|name| name.to_str())
            .unwrap_or("listing")
    ));
    std::fs::write(
        &script,
        format!("#!/bin/sh\nexec cat '{}'\n", listing.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// The exact mode reads the kinds of every edge (build dependencies of registry crates
/// included), build scripts, proc macros and platform-specific edges from `cargo metadata`:
/// here the listing each fixture recorded, printed by a fake cargo.
#[cfg(unix)]
#[test]
fn cargo_exact() {
    let scripts = tempfile::tempdir().unwrap();
    check_format_with(
        "cargo",
        Scope {
            build_kinds: true,
            ..FULL
        },
        |dir| ReadOptions {
            cargo: CargoOptions {
                mode: CargoMetadata::Require,
                cargo: Some(fake_cargo(scripts.path(), &dir.join("listing.json"))),
                ..CargoOptions::default()
            },
            ..ReadOptions::default()
        },
    );
}

/// The fixture made for the exact mode records build-time crates and platform-specific
/// edges, and its registry crates have build dependencies a lockfile does not show.
#[test]
fn cargo_buildkinds_fixture_needs_the_exact_mode() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lockfiles/cargo/buildkinds.v4");
    let problems = differences(&dir, FULL);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("libz-sys@1.1.33 -> cargo:vcpkg@0.2.15: kind normal, want build")),
        "{problems:#?}"
    );
    assert!(differences(&dir, ROOT_KINDS).is_empty());
}

/// The exact mode says more and changes no number: the graph JSON gains `build_time` and
/// `platforms` where they apply (omitted elsewhere), and every metric is the lockfile's.
#[cfg(unix)]
#[test]
fn cargo_exact_mode_changes_no_metric_and_adds_json_fields() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lockfiles/cargo/buildkinds.v4");
    let scripts = tempfile::tempdir().unwrap();
    let exact = ReadOptions {
        cargo: CargoOptions {
            mode: CargoMetadata::Require,
            cargo: Some(fake_cargo(scripts.path(), &dir.join("listing.json"))),
            ..CargoOptions::default()
        },
        ..ReadOptions::default()
    };
    let path = dir.join("Cargo.lock");
    let alone = graph::build(lockfile::parse_file(&path, ReadOptions::default()).unwrap());
    let exact = graph::build(lockfile::parse_file(&path, exact).unwrap());
    let metrics = |graph: &DepGraph| -> Vec<String> {
        graph
            .nodes
            .iter()
            .map(|n| {
                format!(
                    "{} {} {} {:?} {} {:?} {}",
                    n.package.id,
                    n.direct,
                    n.dev,
                    n.depth,
                    n.dependents,
                    n.reached_by,
                    n.blast_radius
                )
            })
            .collect()
    };
    assert_eq!(metrics(&alone), metrics(&exact));

    let render = |graph: DepGraph| -> serde_json::Value {
        let mut out = Vec::new();
        deptrust::report::render_graphs(
            deptrust::report::GraphFormat::Json,
            &[deptrust::graph::Project {
                lockfile: "Cargo.lock".into(),
                graph,
            }],
            &[],
            &mut out,
        )
        .unwrap();
        serde_json::from_slice(&out).unwrap()
    };
    let alone = render(alone);
    let exact = render(exact);
    let text = alone.to_string();
    assert!(!text.contains("build_time") && !text.contains("platforms"));
    let packages = exact["projects"][0]["packages"].as_array().unwrap();
    let find = |name: &str| packages.iter().find(|p| p["name"] == name).unwrap();
    assert_eq!(
        find("serde_derive")["build_time"],
        serde_json::json!(["proc-macro"])
    );
    assert_eq!(
        find("libz-sys")["build_time"],
        serde_json::json!(["build-script"])
    );
    assert!(find("vcpkg").get("build_time").is_none());
    let edges = exact["projects"][0]["edges"].as_array().unwrap();
    let winapi = edges
        .iter()
        .find(|e| e["to"] == "cargo:winapi@0.3.9")
        .unwrap();
    assert_eq!(winapi["platforms"], serde_json::json!(["cfg(windows)"]));
    let vcpkg = edges
        .iter()
        .find(|e| e["to"] == "cargo:vcpkg@0.2.15")
        .unwrap();
    assert_eq!(vcpkg["kind"], "build");
    assert!(vcpkg.get("platforms").is_none());
}

/// The real `cargo metadata`, offline, on a workspace of path crates only.
#[test]
fn cargo_exact_with_the_real_cargo() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"derive\", \"helper\", \"testutil\"]\n\n[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nderive = { path = \"derive\" }\n\n[build-dependencies]\nhelper = { path = \"helper\" }\n\n[dev-dependencies]\ntestutil = { path = \"testutil\" }\n\n[target.'cfg(windows)'.dependencies]\nwinonly = { path = \"winonly\" }\n",
        ),
        ("src/main.rs", "fn main() {}\n"),
        ("build.rs", "fn main() {}\n"),
        (
            "derive/Cargo.toml",
            "[package]\nname = \"derive\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\nproc-macro = true\n",
        ),
        ("derive/src/lib.rs", ""),
        (
            "helper/Cargo.toml",
            "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("helper/src/lib.rs", ""),
        ("helper/build.rs", "fn main() {}\n"),
        (
            "testutil/Cargo.toml",
            "[package]\nname = \"testutil\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("testutil/src/lib.rs", ""),
        (
            "winonly/Cargo.toml",
            "[package]\nname = \"winonly\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("winonly/src/lib.rs", ""),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(&cargo)
        .args(["generate-lockfile", "--offline", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .status()
        .expect("cargo runs (the tests run under cargo)");
    assert!(status.success());
    let options = ReadOptions {
        cargo: CargoOptions {
            mode: CargoMetadata::Require,
            cargo: Some(PathBuf::from(&cargo)),
            ..CargoOptions::default()
        },
        ..ReadOptions::default()
    };
    let parsed = lockfile::parse_file(&dir.path().join("Cargo.lock"), options).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let graph = graph::build(parsed);
    let edges: Vec<String> = graph
        .edges()
        .iter()
        .map(|e| {
            format!(
                "{} -> {} {} {:?}",
                e.from,
                e.to,
                e.kind.as_str(),
                e.platforms
            )
        })
        .collect();
    assert_eq!(
        edges,
        [
            "cargo:app@0.1.0 -> cargo:derive@0.1.0 normal []",
            "cargo:app@0.1.0 -> cargo:helper@0.1.0 build []",
            "cargo:app@0.1.0 -> cargo:testutil@0.1.0 dev []",
            "cargo:app@0.1.0 -> cargo:winonly@0.1.0 normal [\"cfg(windows)\"]",
        ]
    );
    let build_time: Vec<String> = graph
        .nodes
        .iter()
        .filter(|n| n.runs_at_build_time())
        .map(|n| format!("{} {:?}", n.package.id, n.package.build_time.reasons()))
        .collect();
    assert_eq!(
        build_time,
        [
            "cargo:app@0.1.0 [\"build-script\"]",
            "cargo:derive@0.1.0 [\"proc-macro\"]",
            "cargo:helper@0.1.0 [\"build-script\"]",
        ]
    );
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

//! The calibration corpus (`fixtures/calibration/`, see its README) stays replayable: one small
//! project's recorded facts cover every package of its lockfile, and `deptrust scan --replay`
//! evaluates it offline. The whole corpus is replayed by `cargo bench --bench calibration`.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use deptrust::graph;
use deptrust::lockfile::{self, ReadOptions};
use deptrust::registry::snapshot::Snapshot;
use serde_json::Value;

/// A small project of the corpus (58 crates): quick to replay.
const PROJECT: &str = "fixtures/calibration/cargo-ripgrep";

#[test]
fn a_calibration_project_replays_with_every_package_recorded() {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join(PROJECT);
    let lockfile_path = directory.join("Cargo.lock");
    let snapshot_path = directory.join("facts.snapshot.json.gz");
    assert!(
        lockfile_path.is_file() && snapshot_path.is_file(),
        "the calibration fixture {} is missing its Cargo.lock or facts.snapshot.json.gz",
        directory.display()
    );

    // Every package of the lockfile has facts in the snapshot (no silent unknown-by-absence).
    let parsed = lockfile::parse_file(&lockfile_path, ReadOptions::default()).unwrap();
    let graph = graph::build(parsed);
    let packages: BTreeSet<String> = graph
        .nodes
        .iter()
        .filter(|node| !node.root)
        .map(|node| node.package.id.to_string())
        .collect();
    assert!(packages.len() >= 50, "{} packages", packages.len());
    let snapshot = Snapshot::read(&snapshot_path, 1 << 30).unwrap();
    let recorded: BTreeSet<String> = snapshot.facts.iter().map(|f| f.id.to_string()).collect();
    let missing: Vec<&String> = packages.difference(&recorded).collect();
    assert!(missing.is_empty(), "not in the snapshot: {missing:?}");

    // The replayed scan evaluates every package, with no network and no error.
    let output = Command::cargo_bin("deptrust")
        .unwrap()
        .env("DEPTRUST_NO_CARGO_METADATA", "1")
        .env_remove("DEPTRUST_CONFIG")
        .env_remove("DEPTRUST_NOW")
        .current_dir(&directory)
        .args(["scan", "--format", "json", "--now"])
        .arg(snapshot.now.to_string())
        .arg("--replay")
        .arg(&snapshot_path)
        .arg(&directory)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1 | 3)),
        "exit {:?}: {stderr}",
        output.status.code()
    );
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["errors"], Value::Array(Vec::new()), "{stderr}");
    let project = &document["projects"][0];
    assert_eq!(project["summary"]["packages"], packages.len(), "{stderr}");
    let evaluated: BTreeSet<String> = project["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(evaluated, packages);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        !text.contains("not in the replayed snapshot"),
        "a package was evaluated without recorded facts"
    );

    // The snapshot was written before unknown facts carried a kind: its reasons are classified
    // by their words as when it was recorded, so the unreachable crates.io API (owners and
    // publishers of every crate) is one network cause, not one cause per wording.
    let causes: Vec<&Value> = document["coverage"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|cause| cause["cause"].as_str().unwrap().contains("crates.io"))
        .collect();
    assert_eq!(causes.len(), 1, "{causes:?}");
    assert_eq!(causes[0]["cause"], "`crates.io`: could not be reached");
    assert_eq!(causes[0]["network"], true);
}

/// The yanked tokio of `cargo-realworld-axum`: `explain` shows its contribution to the project's
/// exposure score, and the scan's JSON gives the same number, the largest share of the score.
#[test]
fn explain_and_the_json_give_a_package_s_contribution() {
    let directory =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/calibration/cargo-realworld-axum");
    let snapshot = directory.join("facts.snapshot.json.gz");
    let now = Snapshot::read(&snapshot, 1 << 30).unwrap().now.to_string();
    let run = |args: &[&str]| {
        let output = Command::cargo_bin("deptrust")
            .unwrap()
            .env("DEPTRUST_NO_CARGO_METADATA", "1")
            .current_dir(&directory)
            .env_remove("DEPTRUST_CONFIG")
            .args(args)
            .args(["--replay", "facts.snapshot.json.gz", "--now", &now])
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (code, json) = run(&["scan", ".", "--format", "json"]);
    assert_eq!(code, Some(0), "{json}");
    let report: Value = serde_json::from_str(&json).unwrap();
    let project = &report["projects"][0];
    let packages = project["packages"].as_array().unwrap();
    let tokio = &packages[0];
    assert_eq!(
        tokio["id"], "cargo:tokio@1.54.0",
        "largest contribution first"
    );
    let contribution = tokio["contribution"].as_f64().unwrap();
    let score = project["exposure_score"].as_f64().unwrap();
    let sum: f64 = packages
        .iter()
        .map(|p| p["contribution"].as_f64().unwrap())
        .sum();
    assert!(
        (sum - score).abs() <= 0.05 * packages.len() as f64,
        "{sum} vs {score}"
    );
    assert!(contribution > score / 2.0, "{contribution} of {score}");

    let (code, text) = run(&["explain", "tokio"]);
    assert_eq!(code, Some(0), "{text}");
    let expected =
        format!("contribution to the project's exposure score: {contribution:.1} of {score:.1}");
    assert!(text.contains(&expected), "{expected:?} missing:\n{text}");
}

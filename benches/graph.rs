//! `cargo bench --bench graph`: deptrust's graph time against the package managers' own
//! listing of the same lockfile, process start included, and the metrics of a synthetic
//! 20,000-package graph with cycles.
//!
//! Targets (issue 2): ≥ 50× faster than `npm ls --all --json --package-lock-only` on an
//! 800+ package package-lock, ≥ 20× faster than `cargo metadata --format-version 1 --offline`
//! on an 800+ crate Cargo.lock, and the 20,000-package graph in under a second.
//! A reference tool that is missing or fails is reported as such; its ratio is skipped.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark harness: a failed setup stops the measurement with its reason"
)]
#![expect(clippy::print_stdout, reason = "a bench binary reports on stdout")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use deptrust::model::{DepKind, Ecosystem, LockfileBuilder, Source};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deptrust = PathBuf::from(env!("CARGO_BIN_EXE_deptrust"));
    let npm_dir = root.join("fixtures/lockfiles/package-lock/big.v3");
    let cargo_dir = root.join("fixtures/lockfiles/cargo/big.v4");

    println!("deptrust graph benchmark (median wall time, process start included)\n");
    compare(
        "package-lock.json (895 entries)",
        &deptrust,
        &npm_dir.join("package-lock.json"),
        "npm ls --all --json --package-lock-only",
        Command::new("npm")
            .args(["ls", "--all", "--json", "--package-lock-only"])
            .current_dir(&npm_dir),
        50.0,
    );
    let mut cargo_metadata = Command::new("cargo");
    cargo_metadata
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .current_dir(&cargo_dir);
    if !succeeds(&mut cargo_metadata) {
        // `--offline` needs the crates' manifests in the local registry cache.
        let _ = Command::new("cargo")
            .args(["fetch", "--locked"])
            .current_dir(&cargo_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    compare(
        "Cargo.lock (874 crates)",
        &deptrust,
        &cargo_dir.join("Cargo.lock"),
        "cargo metadata --format-version 1 --offline",
        &mut cargo_metadata,
        20.0,
    );
    synthetic(20_000);
}

fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Median of `runs` timings of a command; `None` when it cannot run or fails.
fn median(command: &mut Command, runs: usize) -> Option<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        if !succeeds(command) {
            return None;
        }
        times.push(start.elapsed());
    }
    times.sort();
    times.get(runs / 2).copied()
}

fn compare(
    label: &str,
    deptrust: &Path,
    lockfile: &Path,
    reference_label: &str,
    reference: &mut Command,
    target: f64,
) {
    let ours = median(
        Command::new(deptrust)
            .args(["graph", "--format", "json", "--no-cargo-metadata"])
            .arg(lockfile),
        21,
    );
    let theirs = median(reference, 5);
    println!("{label}");
    match ours {
        Some(ours) => println!("  deptrust graph --format json   {:>9.1} ms", ms(ours)),
        None => println!("  deptrust graph failed"),
    }
    match theirs {
        Some(theirs) => println!("  {reference_label:<31}{:>9.1} ms", ms(theirs)),
        None => println!("  {reference_label}: not available or failed here"),
    }
    if let (Some(ours), Some(theirs)) = (ours, theirs) {
        let ratio = theirs.as_secs_f64() / ours.as_secs_f64();
        let verdict = if ratio >= target { "meets" } else { "MISSES" };
        println!("  ratio {ratio:.1}x ({verdict} the {target:.0}x target)\n");
    } else {
        println!();
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A random graph of `count` packages with ~4 edges each (cycles included) under 5 roots.
fn synthetic(count: usize) {
    let mut builder = LockfileBuilder::new(Ecosystem::Npm);
    let ids: Vec<_> = (0..count)
        .map(|i| builder.package(builder.id(format!("p{i}"), "1.0.0"), Source::Registry(None)))
        .collect();
    for root in &ids[..5] {
        builder.root(root.clone());
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut edges = 0;
    for (i, from) in ids.iter().enumerate() {
        for _ in 0..4 {
            // Mostly forward edges (a layered graph), one in eight backwards (cycles).
            let r = next();
            let to = if r % 8 == 0 {
                (r >> 8) as usize % count
            } else {
                (i + 1 + (r >> 8) as usize % 500).min(count - 1)
            };
            let kind = if r % 13 == 0 {
                DepKind::Dev
            } else {
                DepKind::Normal
            };
            builder.edge(from, &ids[to], kind);
            edges += 1;
        }
    }
    let lockfile = builder.finish("npm/package-lock", "3");
    let start = Instant::now();
    let graph = deptrust::graph::build(lockfile);
    let elapsed = start.elapsed();
    let widest = graph
        .nodes
        .iter()
        .map(|node| node.dependents)
        .max()
        .unwrap_or_default();
    println!(
        "synthetic graph: {count} packages, ~{edges} edges with cycles: metrics in {:.1} ms ({}; max dependents {widest})",
        ms(elapsed),
        if elapsed < Duration::from_secs(1) {
            "meets the 1 s target"
        } else {
            "MISSES the 1 s target"
        }
    );
}

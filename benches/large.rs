//! `cargo bench --bench large`: deptrust on hostile-sized inputs (issue 11, items 8 and 9),
//! against the targets:
//!
//! - `deptrust graph --format json` (and `table`) on a package-lock v3 of 1,000,000 packages and
//!   no edges: under 10 s and 1 GB peak RSS;
//! - the same on a chain and on a cycle of 200,000 packages: about 5 s and 612 MB (kept);
//! - 100,000 `[[exceptions]]` in `deptrust.toml`: parsed and matched in under a second, both
//!   in the library (`Policy::parse`, then `exception_for` for every package × rule and
//!   `exception_notes`) and through `deptrust scan --offline` with an empty cache and
//!   `unreachable = "warn"`.
//!
//! The inputs are written to a temporary directory (`tests/hostile/gen_large.py` writes the
//! same files for running the CLI by hand). The CLI runs as a child process, timed by wall
//! clock; its peak RSS comes from `/usr/bin/time -f %M` when that exists, else it is not shown.
//! The library case reports this process's own peak (`VmHWM` in `/proc/self/status`).
//! Nothing here reaches the network.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark harness: a failed setup stops the measurement with its reason"
)]
#![expect(clippy::print_stdout, reason = "a bench binary reports on stdout")]

mod support;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use deptrust::model::Ecosystem;

const FLAT: usize = 1_000_000;
const CHAIN: usize = 200_000;
const EXCEPTIONS: usize = 100_000;
/// The rule ids the exceptions and the matching use (from the real catalog).
const RULES: &[&str] = &["single-owner", "too-new", "*"];

fn main() {
    let deptrust = PathBuf::from(env!("CARGO_BIN_EXE_deptrust"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let time = Path::new("/usr/bin/time").exists();
    println!("deptrust on large inputs (wall time, peak RSS of the process)\n");

    let flat = dir.path().join("flat/package-lock.json");
    write_lock(&flat, FLAT, Shape::Flat);
    for format in ["json", "table"] {
        run_cli(
            &format!("graph --format {format}, {FLAT} packages, no edges"),
            &deptrust,
            &graph_args(&flat, format),
            time,
            Target::new(10.0, 1024),
        );
    }
    for (name, shape) in [("chain", Shape::Chain), ("cycle", Shape::Cycle)] {
        let path = dir.path().join(format!("{name}/package-lock.json"));
        write_lock(&path, CHAIN, shape);
        run_cli(
            &format!("graph --format json, {name} of {CHAIN} packages"),
            &deptrust,
            &graph_args(&path, "json"),
            time,
            Target::new(6.0, 700),
        );
    }

    let project = dir.path().join("exceptions");
    let config = write_exceptions(&project, EXCEPTIONS);
    exceptions_in_library(&config);
    let cache = dir.path().join("empty-cache");
    std::fs::create_dir_all(&cache).expect("cache directory");
    let mut args = vec![
        "scan".to_string(),
        "--offline".to_string(),
        "--config".to_string(),
        config.display().to_string(),
        "--cache-dir".to_string(),
        cache.display().to_string(),
        "--now".to_string(),
        "2026-06-01T00:00:00Z".to_string(),
    ];
    args.push(project.join("package-lock.json").display().to_string());
    run_cli(
        &format!("scan --offline, {EXCEPTIONS} exceptions, 1,000 packages"),
        &deptrust,
        &args,
        time,
        Target::new(1.0, 1024),
    );
}

fn graph_args(lockfile: &Path, format: &str) -> Vec<String> {
    vec![
        "graph".to_string(),
        lockfile.display().to_string(),
        "--format".to_string(),
        format.to_string(),
        // The flat lockfile is larger than the default cap on input size.
        "--max-file-size".to_string(),
        "4000000000".to_string(),
    ]
}

/// A time and memory budget.
struct Target {
    seconds: f64,
    megabytes: u64,
}

impl Target {
    fn new(seconds: f64, megabytes: u64) -> Self {
        Target { seconds, megabytes }
    }

    fn verdict(&self, elapsed: Duration, peak_kilobytes: Option<u64>) -> &'static str {
        let fast = elapsed.as_secs_f64() < self.seconds;
        let small = peak_kilobytes.is_none_or(|peak| peak / 1024 < self.megabytes);
        if fast && small { "ok" } else { "OVER TARGET" }
    }
}

/// Runs deptrust once with stdout discarded; prints wall time, peak RSS and the verdict.
fn run_cli(label: &str, deptrust: &Path, args: &[String], time: bool, target: Target) {
    let (elapsed, peak, output) = support::timed(deptrust, args, time);
    let status = match output.status.code() {
        Some(code) => format!("exit {code}"),
        None => "killed".to_string(),
    };
    println!(
        "{label:<60} {:>8.2} s {:>8}  {status}  [target < {} s, < {} MB: {}]",
        elapsed.as_secs_f64(),
        peak.map_or("n/a".to_string(), |kb| format!("{} MB", kb / 1024)),
        target.seconds,
        target.megabytes,
        target.verdict(elapsed, peak),
    );
    if !matches!(output.status.code(), Some(0..=1)) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        println!(
            "    stderr: {}",
            stderr.lines().take(3).collect::<Vec<_>>().join(" | ")
        );
    }
}

/// The 100,000 exceptions through the library: parse, match every package × rule, notes.
fn exceptions_in_library(config: &Path) {
    let text = std::fs::read_to_string(config).expect("config");
    let today: jiff::civil::Date = "2026-06-01".parse().expect("date");
    let start = Instant::now();
    let policy = deptrust::config::Config::parse(&text, config)
        .expect("the generated config parses")
        .policy;
    let parsed = start.elapsed();
    let mut used = BTreeSet::new();
    let rules: Vec<&str> = RULES.iter().copied().filter(|rule| *rule != "*").collect();
    for i in 0..EXCEPTIONS {
        for rule in &rules {
            let name = format!("p{i}");
            if let Some(exception) =
                policy.exception_for(Ecosystem::Npm, &name, "1.0.0", rule, today)
            {
                used.insert(exception.index);
            }
        }
    }
    let notes = policy.exception_notes(&used, today).len();
    let elapsed = start.elapsed();
    let target = Target::new(1.0, 1024);
    println!(
        "{:<60} {:>8.2} s {:>8}  parse {:.2} s, {} used, {notes} notes  [target < 1 s: {}]",
        format!("library: {EXCEPTIONS} exceptions, parse + match {EXCEPTIONS} × 2 rules"),
        elapsed.as_secs_f64(),
        peak_rss_kilobytes().map_or("n/a".to_string(), |kb| format!("{} MB", kb / 1024)),
        parsed.as_secs_f64(),
        used.len(),
        target.verdict(elapsed, None),
    );
}

/// This process's peak resident set (`VmHWM`), in kB.
fn peak_rss_kilobytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// No edges at all, not even from the root.
    Flat,
    /// root → p0 → p1 → … → pN-1.
    Chain,
    /// The chain with pN-1 → p0.
    Cycle,
}

/// A package-lock v3 of `count` packages `p0`… of one shape.
fn write_lock(path: &Path, count: usize, shape: Shape) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("directory");
    let file = std::fs::File::create(path).expect("lockfile");
    let mut out = BufWriter::new(file);
    let mut text = String::new();
    text.push_str(
        "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n",
    );
    text.push_str("  \"requires\": true,\n  \"packages\": {\n");
    text.push_str("    \"\": {\"name\": \"app\", \"version\": \"1.0.0\"");
    if shape != Shape::Flat && count > 0 {
        text.push_str(", \"dependencies\": {\"p0\": \"1.0.0\"}");
    }
    text.push('}');
    out.write_all(text.as_bytes()).expect("write");
    let integrity = format!("sha512-{}==", "A".repeat(86));
    for i in 0..count {
        text.clear();
        let _ = write!(
            text,
            ",\n    \"node_modules/p{i}\": {{\"version\": \"1.0.0\", \"resolved\": \
             \"https://registry.npmjs.org/p{i}/-/p{i}-1.0.0.tgz\", \"integrity\": \"{integrity}\""
        );
        let next = match shape {
            Shape::Flat => None,
            _ if i + 1 < count => Some(i + 1),
            Shape::Cycle => Some(0),
            Shape::Chain => None,
        };
        if let Some(next) = next {
            let _ = write!(text, ", \"dependencies\": {{\"p{next}\": \"1.0.0\"}}");
        }
        text.push('}');
        out.write_all(text.as_bytes()).expect("write");
    }
    out.write_all(b"\n  }\n}\n").expect("write");
    out.flush().expect("flush");
}

/// `deptrust.toml` with `count` exceptions (every other one for version 1.0.0, rules in turn)
/// and a package-lock of the first 1,000 excepted packages, in `dir`; returns the config path.
fn write_exceptions(dir: &Path, count: usize) -> PathBuf {
    std::fs::create_dir_all(dir).expect("directory");
    let mut text = String::from("version = 1\nunreachable = \"warn\"\n");
    for i in 0..count {
        let rule = RULES[i % RULES.len()];
        let version = if i % 2 == 1 { "@1.0.0" } else { "" };
        let _ = write!(
            text,
            "\n[[exceptions]]\npackage = \"npm:p{i}{version}\"\nrule = \"{rule}\"\n\
             reason = \"hostile input {i}\"\nexpires = 2099-12-31\n"
        );
    }
    let config = dir.join("deptrust.toml");
    std::fs::write(&config, text).expect("config");
    write_lock(
        &dir.join("package-lock.json"),
        count.min(1_000),
        Shape::Flat,
    );
    config
}

//! `cargo bench --bench diff`: `deptrust diff` between HEAD and a working tree in which one
//! package of an 800-package package-lock was upgraded, with a warm cache (issue 14: under
//! 200 ms).
//!
//! A loopback npm registry serves every package's packument (two releases, 1.0.0 and 1.0.1,
//! each with a 20 KB readme as real ones carry); GitHub, the crates.io API and the index refuse
//! connections. The project is committed to a git repository made for the run, then the
//! working tree upgrades one package to 1.0.1. One cold `deptrust diff` fills the cache; the
//! median of 9 warm runs is the figure: reading the base from git objects, two scans with their
//! facts from the cache, the comparison, rendering. Process start included.
//! The second figure replays the calibration corpus's recorded `npm-eslint` facts
//! (`--replay`, 1,081 packages) for comparison: the snapshot is decoded whole for each side.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark harness: a failed setup stops the measurement with its reason"
)]
#![expect(clippy::print_stdout, reason = "a bench binary reports on stdout")]

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PACKAGES: usize = 800;
const NOW: &str = "2026-11-28T12:00:00Z";
const TARGET: Duration = Duration::from_millis(200);

struct Npm;

impl Respond for Npm {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let name = request.url.path().trim_start_matches('/');
        let version = |v: &str| {
            format!(
                r#""{v}":{{"name":"{name}","version":"{v}","_npmUser":{{"name":"alice"}},
                   "dist":{{"integrity":"sha512-AAAA","tarball":"https://example.invalid/x.tgz"}}}}"#
            )
        };
        let body = format!(
            r#"{{"name":"{name}","readme":"{}",
               "time":{{"1.0.0":"2024-01-01T00:00:00.000Z","1.0.1":"2024-06-01T00:00:00.000Z"}},
               "maintainers":[{{"name":"alice"}}],
               "versions":{{{},{}}}}}"#,
            "x".repeat(20_000),
            version("1.0.0"),
            version("1.0.1")
        );
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

fn git(repo: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(repo)
        .args(args)
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("git runs: {e}"));
    assert!(status.success(), "git {args:?}");
}

/// A flat package-lock of `pkg-0` … `pkg-799` at 1.0.0, except `pkg-0` at `first`.
fn package_lock(first: &str) -> String {
    let version = |i: usize| if i == 0 { first } else { "1.0.0" };
    let mut packages = String::from(r#""": {"name": "app", "version": "1.0.0", "dependencies": {"#);
    for i in 0..PACKAGES {
        let _ = write!(
            packages,
            r#"{}"pkg-{i}": "^1.0.0""#,
            if i > 0 { "," } else { "" }
        );
    }
    packages.push_str("}}");
    for i in 0..PACKAGES {
        let v = version(i);
        let _ = write!(
            packages,
            r#", "node_modules/pkg-{i}": {{"version": "{v}", "resolved": "https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-{v}.tgz"}}"#
        );
    }
    format!(
        r#"{{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "packages": {{{packages}}}}}"#
    )
}

/// One `deptrust diff --format json` in `repo`: its wall time and how many packages changed.
fn diff(deptrust: &Path, repo: &Path, args: &[String]) -> (Duration, usize) {
    let start = Instant::now();
    let output = Command::new(deptrust)
        .current_dir(repo)
        .args(["diff", "--format", "json"])
        .args(args)
        .env_remove("DEPTRUST_CONFIG")
        .env("DEPTRUST_NO_CARGO_METADATA", "1")
        .stderr(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("deptrust runs: {e}"));
    let elapsed = start.elapsed();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "deptrust diff failed: {:?}",
        output.status
    );
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("JSON: {e}"));
    let changed = document["projects"][0]["packages"]
        .as_array()
        .map_or(0, Vec::len);
    (elapsed, changed)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let deptrust = PathBuf::from(env!("CARGO_BIN_EXE_deptrust"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(Npm)
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(repo.join("package-lock.json"), package_lock("1.0.0"))
        .unwrap_or_else(|e| panic!("{e}"));
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    std::fs::write(repo.join("package-lock.json"), package_lock("1.0.1"))
        .unwrap_or_else(|e| panic!("{e}"));
    let args = vec![
        format!("--npm-registry={}/", server.uri()),
        "--github-api=http://127.0.0.1:9/".to_string(),
        "--crates-api=http://127.0.0.1:9/".to_string(),
        "--crates-index=http://127.0.0.1:9/".to_string(),
        format!("--cache-dir={}", dir.path().join("cache").display()),
        format!("--now={NOW}"),
    ];
    let (cold, changed) = diff(&deptrust, &repo, &args);
    assert_eq!(changed, 1, "one package upgraded");
    let warm = median((0..9).map(|_| diff(&deptrust, &repo, &args).0).collect());
    println!("deptrust diff benchmark (median of 9 runs, process start included)");
    println!(
        "  HEAD → working tree, {PACKAGES} packages, pkg-0 1.0.0 → 1.0.1, loopback npm registry"
    );
    println!(
        "  cold {:.2} s | warm {:.1} ms ({} the {} ms target)",
        cold.as_secs_f64(),
        warm.as_secs_f64() * 1000.0,
        if warm <= TARGET { "meets" } else { "MISSES" },
        TARGET.as_millis()
    );

    // For comparison: the same diff replaying recorded facts of a real 1,081-package project.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let project = root.join("fixtures/calibration/npm-eslint");
    let snapshot = project.join("facts.snapshot.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(&snapshot).unwrap_or_else(|e| panic!("{}: {e}", snapshot.display())),
    )
    .read_to_string(&mut text)
    .unwrap_or_else(|e| panic!("the snapshot decompresses: {e}"));
    let recorded: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("the snapshot is JSON: {e}"));
    let now = recorded["now"].as_str().unwrap_or(NOW).to_string();
    let replayed = dir.path().join("eslint");
    std::fs::create_dir_all(&replayed).unwrap_or_else(|e| panic!("{e}"));
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(project.join(file), replayed.join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    git(&replayed, &["init", "-q"]);
    git(&replayed, &["add", "."]);
    git(&replayed, &["commit", "-q", "-m", "base"]);
    let lock_path = replayed.join("package-lock.json");
    let lock = std::fs::read_to_string(&lock_path).unwrap_or_else(|e| panic!("{e}"));
    // One upgrade: the first `"version": "x.y.z"` of a node_modules entry, patch plus one.
    let at = lock
        .find("\"node_modules/")
        .and_then(|start| {
            lock[start..]
                .find("\"version\": \"")
                .map(|v| start + v + 12)
        })
        .expect("a package version");
    let end = at + lock[at..].find('"').expect("end of version");
    let old = &lock[at..end];
    let new = match old.rsplit_once('.') {
        Some((head, patch)) => format!("{head}.{}", patch.parse::<u64>().unwrap_or(0) + 1),
        None => format!("{old}.1"),
    };
    std::fs::write(&lock_path, format!("{}{new}{}", &lock[..at], &lock[end..]))
        .unwrap_or_else(|e| panic!("{e}"));
    let args = vec![
        format!("--now={now}"),
        format!("--replay={}", snapshot.display()),
    ];
    let replay = median(
        (0..5)
            .map(|_| diff(&deptrust, &replayed, &args).0)
            .collect(),
    );
    println!(
        "  npm-eslint (1,081 packages), facts replayed from its snapshot: {:.1} ms",
        replay.as_secs_f64() * 1000.0
    );
}

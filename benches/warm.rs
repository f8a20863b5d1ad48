//! `cargo bench --bench warm`: warm runs of `deptrust facts` on 2,000 packages per ecosystem
//! (an npm package-lock, a pinned requirements.txt, a Cargo.lock), against the cache a cold run
//! filled from loopback registries (npm packuments with a 20 KB readme each, as real ones carry;
//! PyPI JSON and Simple pages; the crates index; the crates.io API and GitHub refusing
//! connections). Target (issue 10): each warm run at most 150 ms and 100 MB RSS over nothing;
//! `deptrust graph` of the same lockfile is printed beside it for reference. Peak RSS comes
//! from `/usr/bin/time -f %M` when it exists.
//!
//! A last line measures Cargo from a *complete* cache: a loopback crates.io API answers owners
//! and crate documents, a warm-up through the library (without the API's pace and budget,
//! which keep one cold CLI run from fetching 4,000 API documents) fills the cache, and the warm
//! CLI run must send nothing. `DEPTRUST_BENCH_KEEP=1` keeps the lockfiles and caches on disk
//! and prints the warm command lines, to profile a run by hand.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark harness: a failed setup stops the measurement with its reason"
)]
#![expect(clippy::print_stdout, reason = "a bench binary reports on stdout")]

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use deptrust::model::{Ecosystem, PackageId, Source};
use deptrust::net::{Net, NetConfig, Service};
use deptrust::registry::Endpoints;
use deptrust::registry::gather::Registries;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PACKAGES: usize = 2000;
const NOW: &str = "2026-11-28T12:00:00Z";

struct Npm;

impl Respond for Npm {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let name = request.url.path().trim_start_matches("/npm/");
        let body = format!(
            r#"{{"name":"{name}","readme":"{}","time":{{"1.0.0":"2020-01-01T00:00:00.000Z"}},
               "maintainers":[{{"name":"alice"}}],
               "versions":{{"1.0.0":{{"name":"{name}","version":"1.0.0","_npmUser":{{"name":"alice"}},
                 "dist":{{"integrity":"sha512-AAAA","tarball":"https://example.invalid/x.tgz"}}}}}}}}"#,
            "x".repeat(20_000)
        );
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

/// PyPI JSON and Simple pages, one file per project. `provenance`: the Simple pages speak
/// API 1.3 and point each file at this Integrity API document (verified, and refused, on the
/// cold run; its result recalled on warm runs); without, they speak 1.1 and the Integrity
/// API answers 404.
struct Pypi {
    provenance: Option<String>,
}

impl Respond for Pypi {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let segments: Vec<&str> = request.url.path().split('/').collect();
        let prefix = segments.get(1).copied().unwrap_or_default();
        let file = |name: &str| {
            let provenance = match self.provenance {
                Some(_) => format!(
                    r#","provenance":"/{prefix}/integrity/{name}/1.0.0/{name}-1.0.0.tar.gz/provenance""#
                ),
                None => String::new(),
            };
            format!(
                r#"{{"filename":"{name}-1.0.0.tar.gz","url":"https://files.invalid/{name}-1.0.0.tar.gz","digests":{{"sha256":"{}"}},"hashes":{{"sha256":"{}"}},"upload_time_iso_8601":"2020-01-01T00:00:00Z","yanked":false{provenance}}}"#,
                "a".repeat(64),
                "a".repeat(64)
            )
        };
        let api = if self.provenance.is_some() {
            "1.3"
        } else {
            "1.1"
        };
        let body = match segments.as_slice() {
            ["", _, "pypi", name, "json"] => format!(
                r#"{{"info":{{"name":"{name}","version":"1.0.0","project_urls":null}},"releases":{{"1.0.0":[{}]}}}}"#,
                file(name)
            ),
            ["", _, "simple", name, ""] => format!(
                r#"{{"meta":{{"api-version":"{api}"}},"name":"{name}","files":[{}],"versions":["1.0.0"]}}"#,
                file(name)
            ),
            ["", _, "integrity", _, _, _, "provenance"] => match &self.provenance {
                Some(document) => document.clone(),
                None => return ResponseTemplate::new(404),
            },
            _ => return ResponseTemplate::new(404),
        };
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path_regex("^/npm/"))
            .respond_with(Npm)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex("^/pypi/"))
            .respond_with(Pypi { provenance: None })
            .mount(&server)
            .await;
        // A real PEP 740 document (of another file: verification refuses it, as it would a
        // forged one, and keeps the result).
        let sample = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/samples/pypi-provenance.json"
        );
        Mock::given(method("GET"))
            .and(path_regex("^/pypi-attested/"))
            .respond_with(Pypi {
                provenance: Some(
                    std::fs::read_to_string(sample).unwrap_or_else(|e| panic!("{sample}: {e}")),
                ),
            })
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex("^/api/"))
            .respond_with(support::CratesApi)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex("^/index/"))
            .respond_with(support::IndexFile {
                delay: Duration::ZERO,
            })
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // `DEPTRUST_BENCH_KEEP=1`: the lockfiles and the cache stay on disk after the bench, to
    // profile a warm run by hand (its command lines are printed).
    let keep = std::env::var_os("DEPTRUST_BENCH_KEEP").is_some();
    let cache = dir.path().join("cache");
    let uri = server.uri();
    let registries = [
        format!("--npm-registry={uri}/npm/"),
        format!("--pypi-url={uri}/pypi/"),
        format!("--crates-index={uri}/index/"),
        "--crates-api=http://127.0.0.1:9/".to_string(),
        "--github-api=http://127.0.0.1:9/".to_string(),
        format!("--cache-dir={}", cache.display()),
        format!("--now={NOW}"),
    ];
    let deptrust = PathBuf::from(env!("CARGO_BIN_EXE_deptrust"));
    let time = Path::new("/usr/bin/time").exists();
    println!(
        "deptrust facts, {PACKAGES} packages per ecosystem, warm cache (wall time, peak RSS)\n"
    );
    let mut cargo_graph = None;
    let requirements = write_requirements(dir.path());
    for (ecosystem, lockfile, pypi) in [
        ("npm", write_package_lock(dir.path()), "pypi"),
        ("PyPI", requirements.clone(), "pypi"),
        ("PyPI, with provenance", requirements, "pypi-attested"),
        ("Cargo", write_cargo_lock(dir.path()), "pypi"),
    ] {
        let file = lockfile.display().to_string();
        let mut cold = vec![
            "facts".to_string(),
            file.clone(),
            "--deadline=300".to_string(),
        ];
        cold.extend(registries.iter().map(|flag| {
            if flag.starts_with("--pypi-url=") {
                format!("--pypi-url={uri}/{pypi}/")
            } else {
                flag.clone()
            }
        }));
        let (cold_time, _) = run(&deptrust, &cold, false);
        let graph = vec![
            "graph".to_string(),
            file.clone(),
            "--format=json".to_string(),
        ];
        let (graph_time, graph_peak) = run(&deptrust, &graph, time);
        let (warm_time, warm_peak) = run(&deptrust, &cold, time);
        print_line(
            &format!("{ecosystem:<21} cold {:>6.2} s", cold_time.as_secs_f64()),
            (graph_time, graph_peak),
            (warm_time, warm_peak),
        );
        if keep {
            println!("       warm: {} {}", deptrust.display(), cold.join(" "));
        }
        if ecosystem == "Cargo" {
            cargo_graph = Some((lockfile, graph_time, graph_peak));
        }
    }

    // Cargo from a complete cache: the crates.io API answers, and a warm-up through the
    // library (no pace, no budget: the loopback API is not crates.io) fills the cache with
    // every crate's index file, owners and crate document, which one CLI run cannot do (its
    // API budget and the 1 request/s pace ration a cold run).
    let (lockfile, graph_time, graph_peak) =
        cargo_graph.unwrap_or_else(|| unreachable!("the Cargo lockfile was written"));
    let complete = dir.path().join("cache-complete");
    let (filled, sent) = runtime.block_on(fill_cargo_cache(&uri, &complete));
    let warm = vec![
        "facts".to_string(),
        lockfile.display().to_string(),
        "--deadline=300".to_string(),
        format!("--npm-registry={uri}/npm/"),
        format!("--pypi-url={uri}/pypi/"),
        format!("--crates-index={uri}/index/"),
        format!("--crates-api={uri}/api/"),
        "--github-api=http://127.0.0.1:9/".to_string(),
        format!("--cache-dir={}", complete.display()),
        format!("--now={NOW}"),
    ];
    let mut verbose = warm.clone();
    verbose.push("--verbose".to_string());
    let (_, _, output) = support::timed(&deptrust, &verbose, false);
    let asked = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.starts_with("GET "))
        .count();
    let (warm_time, warm_peak) = run(&deptrust, &warm, time);
    print_line(
        &format!(
            "Cargo, complete cache ({filled} of {PACKAGES} crates with owners, {sent} requests to fill; warm run sends {asked})\n      "
        ),
        (graph_time, graph_peak),
        (warm_time, warm_peak),
    );
    if keep {
        println!("       warm: {} {}", deptrust.display(), warm.join(" "));
    }
    if keep {
        println!("kept: {}", dir.keep().display());
    }
}

/// One result line: the warm run against the target, `deptrust graph` beside it.
fn print_line(
    label: &str,
    (graph_time, graph_peak): (Duration, Option<u64>),
    (warm_time, warm_peak): (Duration, Option<u64>),
) {
    let over = warm_time.saturating_sub(graph_time);
    let ok = warm_time <= Duration::from_millis(150) && warm_peak.is_none_or(|kb| kb <= 100 * 1024);
    println!(
        "{label} | graph {:>4} ms {:>6} | warm facts {:>4} ms {:>6} ({} ms over graph) [target <= 150 ms, <= 100 MB: {}]",
        graph_time.as_millis(),
        megabytes(graph_peak),
        warm_time.as_millis(),
        megabytes(warm_peak),
        over.as_millis(),
        if ok { "ok" } else { "OVER TARGET" }
    );
}

/// Fills `cache` with every crate's index file, owners and crate document from the loopback
/// registry at `uri`, as a week of budgeted runs would: the crates whose owners are known, and
/// the requests sent.
async fn fill_cargo_cache(uri: &str, cache: &Path) -> (usize, u64) {
    let at = |prefix: &str| {
        format!("{uri}/{prefix}/")
            .parse::<url::Url>()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let endpoints = Endpoints {
        npm: at("npm"),
        pypi: at("pypi"),
        crates_index: at("index"),
        crates_api: at("api"),
        github_api: "http://127.0.0.1:9/"
            .parse()
            .unwrap_or_else(|e| panic!("{e}")),
    };
    let services = endpoints
        .services(None)
        .into_iter()
        .map(|service| Service {
            min_interval: None,
            ..service
        })
        .collect();
    let net = Net::new(
        NetConfig {
            cache_dir: Some(cache.to_path_buf()),
            services,
            ..NetConfig::default()
        },
        NOW.parse().unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let packages: Vec<(PackageId, Source)> = (0..PACKAGES)
        .map(|i| {
            (
                PackageId::new(Ecosystem::Cargo, format!("crate-{i}"), "1.0.0"),
                Source::Registry(None),
            )
        })
        .collect();
    let facts = Registries::new(&net, &endpoints).gather(&packages).await;
    let filled = facts.iter().filter(|f| f.owners.known().is_some()).count();
    (filled, net.stats().requests_sent)
}

fn megabytes(peak: Option<u64>) -> String {
    peak.map_or("n/a".to_string(), |kb| format!("{} MB", kb / 1024))
}

/// Runs deptrust with stdout discarded: wall time and peak RSS in kB (with `/usr/bin/time`).
fn run(deptrust: &Path, args: &[String], time: bool) -> (Duration, Option<u64>) {
    let (elapsed, peak, output) = support::timed(deptrust, args, time);
    if !output.status.success() {
        println!(
            "    {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .take(3)
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    (elapsed, peak)
}

fn write_package_lock(dir: &Path) -> PathBuf {
    let mut packages = String::from(r#""": {"name": "app", "version": "1.0.0", "dependencies": {"#);
    for i in 0..PACKAGES {
        let _ = write!(
            packages,
            r#"{}"pkg-{i}": "1.0.0""#,
            if i > 0 { "," } else { "" }
        );
    }
    packages.push_str("}}");
    for i in 0..PACKAGES {
        let _ = write!(
            packages,
            r#", "node_modules/pkg-{i}": {{"version": "1.0.0", "resolved": "https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.0.0.tgz"}}"#
        );
    }
    let text = format!(
        r#"{{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "packages": {{{packages}}}}}"#
    );
    write(dir, "npm/package-lock.json", &text)
}

fn write_requirements(dir: &Path) -> PathBuf {
    let text: String = (0..PACKAGES).map(|i| format!("pkg-{i}==1.0.0\n")).collect();
    write(dir, "pypi/requirements.txt", &text)
}

fn write_cargo_lock(dir: &Path) -> PathBuf {
    let mut text = String::from(
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n",
    );
    for i in 0..PACKAGES {
        let _ = writeln!(text, " \"crate-{i}\",");
    }
    text.push_str("]\n");
    for i in 0..PACKAGES {
        let _ = write!(
            text,
            "\n[[package]]\nname = \"crate-{i}\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
            "a".repeat(64)
        );
    }
    write(dir, "cargo/Cargo.lock", &text)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap_or(dir)).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path
}

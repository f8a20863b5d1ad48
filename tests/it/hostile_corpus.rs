//! The standing hostile-input corpus (issue 11 item 3), data-driven: every case under
//! `tests/hostile/corpus/<category>/<case>/` (written by `tests/hostile/generate.py`) is a small
//! project and an `expect.toml` with the exact outcome of one run of the binary: exit status,
//! every `error:` line, what stdout/stderr must hold, and the planted secrets that must not
//! appear. Every registry case in `tests/hostile/registry/<case>.toml` is served on loopback by
//! wiremock and names the unknown reasons its package must get. On top of each case's own
//! expectations, no output of any case may hold a raw escape character (C0 but tab and newline,
//! DEL, C1, bidi controls), a panic, or exit status 101.
//!
//! Every failing case is listed, not only the first. A case marked `known_bug` is a bug the
//! corpus found and `src/` does not fix yet: it is reported apart and does not fail the test,
//! unless it no longer reproduces (then its marker must go). An empty corpus fails.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::refused_localhost;

/// The pinned clock of every run.
const NOW: &str = "2026-11-28T12:00:00Z";

/// Far longer than any case needs; a run blocked on a FIFO or reading `/dev/zero` is killed.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Not a category: the files the `symlinked` cases point at, outside every case.
const OUTSIDE: &str = "outside";

/// A case's `expect.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    args: Vec<String>,
    exit: i32,
    /// Every `error:` line of stderr, in order (`{case}` is the case directory).
    errors: Vec<String>,
    #[serde(default)]
    stderr_contains: Vec<String>,
    #[serde(default)]
    stdout_contains: Vec<String>,
    #[serde(default)]
    forbidden: Vec<String>,
    /// `fifo NAME` or `sparse NAME BYTES`: made at run time, never committed.
    #[serde(default)]
    setup: Vec<String>,
    known_bug: Option<String>,
}

/// A registry case's file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryCase {
    ecosystem: String,
    exit: i32,
    #[serde(default)]
    unknown: Vec<UnknownFact>,
    /// Rules that must not be among the package's findings.
    #[serde(default)]
    absent_rules: Vec<String>,
    /// Rules that must be among the package's findings (the hostile text is shown, cleaned).
    #[serde(default)]
    present_rules: Vec<String>,
    #[serde(default)]
    forbidden: Vec<String>,
    known_bug: Option<String>,
    route: Vec<Route>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct UnknownFact {
    rule: String,
    fact: String,
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Route {
    service: String,
    path: String,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<String>,
    body_hex: Option<String>,
    /// A gzip body that decodes to this many zero bytes (a decompression bomb).
    gzip_zeros: Option<usize>,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// What one case found: nothing (passed), or each difference.
#[derive(Default)]
struct Tally {
    counts: BTreeMap<String, usize>,
    failures: Vec<String>,
    known_bugs: Vec<String>,
}

impl Tally {
    fn record(&mut self, category: &str, name: &str, known_bug: Option<&str>, diffs: Vec<String>) {
        *self.counts.entry(category.to_string()).or_default() += 1;
        let case = format!("{category}/{name}");
        match (known_bug, diffs.is_empty()) {
            (None, true) => {}
            (None, false) => self
                .failures
                .push(format!("{case}:\n  {}", diffs.join("\n  "))),
            (Some(bug), false) => self
                .known_bugs
                .push(format!("{case}: {bug}\n  {}", diffs.join("\n  "))),
            (Some(bug), true) => self.failures.push(format!(
                "{case}: the known bug no longer reproduces ({bug}): remove `known_bug`"
            )),
        }
    }
}

fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

/// Copies `from` to `to`, recreating symbolic links as they are (not following them).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            let link = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(link, &target).unwrap();
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Runs the binary in `cwd` with `env`, output to files (a large report cannot fill a pipe),
/// killed after [`TIMEOUT`].
fn run(cwd: &Path, args: &[String], env: &[(&str, String)], out_dir: &Path) -> Result<Run, String> {
    let stdout = out_dir.join("stdout");
    let stderr = out_dir.join("stderr");
    let mut child = Command::new(env!("CARGO_BIN_EXE_deptrust"))
        .env_clear()
        .env("DEPTRUST_NO_CARGO_METADATA", "1")
        .current_dir(cwd)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not finish within {TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let read = |path: &Path| String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    Ok(Run {
        code: status.code().unwrap_or(-1),
        stdout: read(&stdout),
        stderr: read(&stderr),
    })
}

/// A character a terminal would interpret (or that reorders text): never printed raw.
fn is_raw_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}' | '\u{200e}' | '\u{200f}'
        )
}

/// What every run must satisfy, whatever the case.
fn invariants(run: &Run, forbidden: &[String], diffs: &mut Vec<String>) {
    if run.code == 101 || run.stderr.contains("panicked") {
        diffs.push(format!("panicked (exit {}): {}", run.code, run.stderr));
    }
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if let Some((at, c)) = text.char_indices().find(|&(_, c)| is_raw_escape(c)) {
            diffs.push(format!("{stream} holds raw {c:?} at byte {at}"));
        }
        for secret in forbidden {
            if text.contains(secret.as_str()) {
                diffs.push(format!("{stream} leaks {secret:?}"));
            }
        }
    }
}

fn clip(text: &str) -> String {
    const MAX: usize = 600;
    if text.len() <= MAX {
        return text.to_string();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

fn setup(case: &Path, steps: &[String]) -> Result<(), String> {
    for step in steps {
        let words: Vec<&str> = step.split_whitespace().collect();
        match words.as_slice() {
            ["fifo", name] => {
                let status = Command::new("mkfifo")
                    .arg(case.join(name))
                    .status()
                    .map_err(|e| format!("mkfifo: {e}"))?;
                if !status.success() {
                    return Err(format!("mkfifo {name} failed"));
                }
            }
            ["sparse", name, bytes] => {
                let bytes: u64 = bytes.parse().map_err(|_| format!("bad setup {step:?}"))?;
                let file = std::fs::File::create(case.join(name)).map_err(|e| e.to_string())?;
                file.set_len(bytes).map_err(|e| e.to_string())?;
            }
            _ => return Err(format!("unknown setup step {step:?}")),
        }
    }
    Ok(())
}

fn check_case(
    case: &Path,
    corpus: &Path,
    work: &Path,
    dead: &str,
) -> (Option<String>, Vec<String>) {
    let text = match std::fs::read_to_string(case.join("expect.toml")) {
        Ok(text) => text,
        Err(e) => return (None, vec![format!("expect.toml: {e}")]),
    };
    let expect: Expect = match toml::from_str(&text) {
        Ok(expect) => expect,
        Err(e) => return (None, vec![format!("expect.toml: {e}")]),
    };
    let mut diffs = Vec::new();
    if let Err(e) = setup(case, &expect.setup) {
        return (expect.known_bug, vec![e]);
    }
    let fill = |s: &str| {
        s.replace("{case}", case.to_str().unwrap())
            .replace("{corpus}", corpus.to_str().unwrap())
    };
    let cache = work.join("cache");
    let env = [
        ("DEPTRUST_NOW", NOW.to_string()),
        ("DEPTRUST_CACHE_DIR", cache.to_str().unwrap().to_string()),
        ("DEPTRUST_NPM_REGISTRY", dead.to_string()),
        ("DEPTRUST_PYPI_URL", dead.to_string()),
        ("DEPTRUST_CRATES_INDEX", dead.to_string()),
        ("DEPTRUST_CRATES_API", dead.to_string()),
        ("DEPTRUST_GITHUB_API", dead.to_string()),
        ("DEPTRUST_DEADLINE", "5".to_string()),
    ];
    let run = match run(case, &expect.args, &env, work) {
        Ok(run) => run,
        Err(e) => return (expect.known_bug, vec![e]),
    };
    if run.code != expect.exit {
        diffs.push(format!(
            "exit {} (expected {}); stderr: {}",
            run.code,
            expect.exit,
            clip(&run.stderr)
        ));
    }
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("error:"))
        .collect();
    let expected: Vec<String> = expect.errors.iter().map(|e| fill(e)).collect();
    if errors != expected {
        diffs.push(format!(
            "error lines {:?}\n    expected {expected:?}",
            errors.iter().map(|e| clip(e)).collect::<Vec<_>>()
        ));
    }
    for (stream, text, wanted) in [
        ("stdout", &run.stdout, &expect.stdout_contains),
        ("stderr", &run.stderr, &expect.stderr_contains),
    ] {
        for want in wanted {
            if !text.contains(&fill(want)) {
                diffs.push(format!("{stream} lacks {want:?}: {}", clip(text)));
            }
        }
    }
    invariants(&run, &expect.forbidden, &mut diffs);
    (expect.known_bug, diffs)
}

fn decode_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn gzip_zeros(len: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        encoder.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    encoder.finish().unwrap()
}

async fn check_registry_case(file: &Path, work: &Path) -> (Option<String>, Vec<String>) {
    let text = std::fs::read_to_string(file).unwrap();
    let case: RegistryCase = match toml::from_str(&text) {
        Ok(case) => case,
        Err(e) => return (None, vec![format!("{}: {e}", file.display())]),
    };
    let npm = MockServer::start().await;
    let pypi = MockServer::start().await;
    let other = MockServer::start().await;
    let github = MockServer::start().await;
    let fill = |s: &str| {
        s.replace("{npm}", &npm.uri())
            .replace("{pypi}", &pypi.uri())
            .replace("{other}", &other.uri())
    };
    for route in &case.route {
        let server = match route.service.as_str() {
            "npm" => &npm,
            "pypi" => &pypi,
            "other" => &other,
            service => return (None, vec![format!("unknown service {service:?}")]),
        };
        let mut response = ResponseTemplate::new(route.status);
        for (name, value) in &route.headers {
            response = response.insert_header(name.as_str(), fill(value).as_str());
        }
        if let Some(body) = &route.body {
            response = response.set_body_raw(fill(body).into_bytes(), "application/json");
        } else if let Some(hex) = &route.body_hex {
            response = response.set_body_raw(decode_hex(hex), "application/json");
        } else if let Some(len) = route.gzip_zeros {
            response = response
                .set_body_raw(gzip_zeros(len), "application/json")
                .insert_header("content-encoding", "gzip");
        }
        Mock::given(method("GET"))
            .and(path(route.path.as_str()))
            .respond_with(response)
            .mount(server)
            .await;
    }
    let project = work.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let id = match case.ecosystem.as_str() {
        "npm" => {
            let lock = serde_json::json!({
                "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
                "packages": {
                    "": {"name": "app", "version": "1.0.0", "dependencies": {"victim": "^1.0.0"}},
                    "node_modules/victim": {
                        "version": "1.0.0",
                        "resolved": "https://registry.npmjs.org/victim/-/victim-1.0.0.tgz",
                        "integrity": format!("sha512-{}==", "A".repeat(86)),
                    },
                },
            });
            std::fs::write(project.join("package-lock.json"), lock.to_string()).unwrap();
            "npm:victim@1.0.0"
        }
        "pypi" => {
            std::fs::write(
                project.join("requirements.txt"),
                "victim==1.0.0\n    # via -r requirements.in\n",
            )
            .unwrap();
            "pypi:victim@1.0.0"
        }
        other => return (None, vec![format!("unknown ecosystem {other:?}")]),
    };
    let dead = refused_localhost();
    let env = [
        ("DEPTRUST_NOW", NOW.to_string()),
        (
            "DEPTRUST_CACHE_DIR",
            work.join("cache").to_str().unwrap().to_string(),
        ),
        ("DEPTRUST_NPM_REGISTRY", format!("{}/", npm.uri())),
        ("DEPTRUST_PYPI_URL", format!("{}/", pypi.uri())),
        ("DEPTRUST_GITHUB_API", format!("{}/", github.uri())),
        ("DEPTRUST_CRATES_INDEX", dead.clone()),
        ("DEPTRUST_CRATES_API", dead),
    ];
    let args: Vec<String> = ["scan", "project", "--format", "json", "--deadline", "4"]
        .map(String::from)
        .to_vec();
    let work_owned = work.to_path_buf();
    let run = tokio::task::spawn_blocking(move || run(&work_owned, &args, &env, &work_owned))
        .await
        .unwrap();
    let run = match run {
        Ok(run) => run,
        Err(e) => return (case.known_bug, vec![e]),
    };
    let mut diffs = Vec::new();
    if run.code != case.exit {
        diffs.push(format!(
            "exit {} (expected {}); stderr: {}",
            run.code,
            case.exit,
            clip(&run.stderr)
        ));
    }
    match serde_json::from_str::<Value>(&run.stdout) {
        Err(e) => diffs.push(format!("stdout is not JSON ({e}): {}", clip(&run.stdout))),
        Ok(report) => {
            let package = report["projects"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|project| project["packages"].as_array().into_iter().flatten())
                .find(|package| package["id"] == id);
            match package {
                None => diffs.push(format!("{id} is not in the report")),
                Some(package) => {
                    let unknown: Vec<UnknownFact> = package["unknown"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|entry| UnknownFact {
                            rule: entry["rule"].as_str().unwrap_or_default().to_string(),
                            fact: entry["fact"].as_str().unwrap_or_default().to_string(),
                            reason: entry["reason"].as_str().unwrap_or_default().to_string(),
                        })
                        .collect();
                    for want in &case.unknown {
                        let want = UnknownFact {
                            rule: want.rule.clone(),
                            fact: want.fact.clone(),
                            reason: fill(&want.reason),
                        };
                        if !unknown.contains(&want) {
                            let got: Vec<&str> = unknown
                                .iter()
                                .filter(|u| u.rule == want.rule && u.fact == want.fact)
                                .map(|u| u.reason.as_str())
                                .collect();
                            diffs.push(format!(
                                "unknown {}/{}: {got:?}\n    expected {:?}",
                                want.rule, want.fact, want.reason
                            ));
                        }
                    }
                    if case.unknown.is_empty() {
                        diffs.push(format!(
                            "the case names no expected unknown reason; the report has {:?}",
                            unknown
                                .iter()
                                .map(|u| format!("{}/{}: {}", u.rule, u.fact, u.reason))
                                .collect::<Vec<_>>()
                        ));
                    }
                    let findings: Vec<&Value> = package["findings"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .collect();
                    for finding in &findings {
                        let rule = finding["rule"].as_str().unwrap_or_default();
                        if case.absent_rules.iter().any(|r| r == rule) {
                            diffs.push(format!("judged {rule} on a hostile document: {finding}"));
                        }
                    }
                    for rule in &case.present_rules {
                        if !findings.iter().any(|f| f["rule"] == rule.as_str()) {
                            diffs
                                .push(format!("no {rule} finding: {}", clip(&package.to_string())));
                        }
                    }
                }
            }
        }
    }
    invariants(&run, &case.forbidden, &mut diffs);
    (case.known_bug, diffs)
}

#[expect(
    clippy::print_stdout,
    reason = "the per-category counts are the test's report"
)]
fn report(tally: &Tally) {
    let total: usize = tally.counts.values().sum();
    println!("hostile corpus: {total} cases");
    for (category, count) in &tally.counts {
        println!("  {category}: {count}");
    }
    if !tally.known_bugs.is_empty() {
        println!(
            "known bugs ({}), not failing the test:\n{}",
            tally.known_bugs.len(),
            tally.known_bugs.join("\n")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_corpus() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().canonicalize().unwrap();
    let corpus = root.join("corpus");
    copy_tree(&hostile_dir().join("corpus"), &corpus);
    let dead = refused_localhost();
    let mut tally = Tally::default();

    for category_dir in sorted_dirs(&corpus) {
        let category = category_dir
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        if category == OUTSIDE {
            continue;
        }
        let cases = sorted_dirs(&category_dir);
        if cases.is_empty() {
            tally.failures.push(format!("{category}: no cases"));
        }
        for case in cases {
            let name = case.file_name().unwrap().to_str().unwrap().to_string();
            let out = root.join("runs").join(&category).join(&name);
            std::fs::create_dir_all(&out).unwrap();
            let (known_bug, diffs) = check_case(&case, &corpus, &out, &dead);
            tally.record(&category, &name, known_bug.as_deref(), diffs);
        }
    }

    let mut registry_cases: Vec<PathBuf> = std::fs::read_dir(hostile_dir().join("registry"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    registry_cases.sort();
    for file in registry_cases {
        let name = file.file_stem().unwrap().to_str().unwrap().to_string();
        let out = root.join("registry-runs").join(&name);
        std::fs::create_dir_all(&out).unwrap();
        let (known_bug, diffs) = check_registry_case(&file, &out).await;
        tally.record("registry", &name, known_bug.as_deref(), diffs);
    }

    report(&tally);
    for category in [
        "malformed",
        "truncated",
        "oversized",
        "deep",
        "cyclic",
        "symlinked",
        "escape-laden",
        "registry",
    ] {
        if tally.counts.get(category).copied().unwrap_or(0) == 0 {
            tally
                .failures
                .push(format!("category {category}: no cases"));
        }
    }
    assert!(
        tally.failures.is_empty(),
        "{} failing hostile case(s):\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}

/// The committed corpus is what the generator writes (`generate.py --check`). Without a
/// `python3` on the machine this says so and checks nothing else.
#[test]
fn hostile_corpus_is_what_the_generator_writes() {
    let output = Command::new("python3")
        .arg(hostile_dir().join("generate.py"))
        .arg("--check")
        .output();
    match output {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut stdout = std::io::stdout();
            writeln!(
                stdout,
                "no python3: the corpus is not compared to its generator"
            )
            .unwrap();
        }
        Err(e) => panic!("python3: {e}"),
        Ok(output) => assert!(
            output.status.success(),
            "the committed corpus differs from `python3 tests/hostile/generate.py`:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

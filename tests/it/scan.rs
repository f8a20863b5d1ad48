//! `deptrust scan` end to end against loopback mock registries (issue 5): real supply-chain
//! incidents reconstructed as registry responses, each run beside a clean, well-kept package
//! that must stay quiet; the exit codes of the gate, the policy file (unknowns, exceptions,
//! errors), the SARIF and Markdown reports, and popularity figures that change nothing.
//!
//! Every registry answer here is constructed (the shapes are those the clients read, see
//! `src/registry/*.rs`), except the sigstore attestations and npm keys of the ultralytics-style
//! test, which are the real samples recorded in `fixtures/samples`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{package, refused_localhost, sample, subject_integrity};

/// The pinned clock of every run.
const NOW: &str = "2026-11-28T12:00:00Z";

// ---------------------------------------------------------------------------------------------
// Mock registries and running the binary.

/// One mock server per service, a work directory for the lockfiles, and a fresh cache.
struct Mocks {
    npm: MockServer,
    pypi: MockServer,
    github: MockServer,
    work: tempfile::TempDir,
}

/// What a run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "not JSON ({error}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

impl Mocks {
    async fn start() -> Mocks {
        Mocks {
            npm: MockServer::start().await,
            pypi: MockServer::start().await,
            github: MockServer::start().await,
            work: tempfile::tempdir().unwrap(),
        }
    }

    /// The project directory (lockfiles, deptrust.toml).
    fn project(&self) -> PathBuf {
        let project = self.work.path().join("project");
        std::fs::create_dir_all(&project).unwrap();
        project
    }

    /// `deptrust` with every service on the mocks and the cache in `cache` (under the work
    /// directory, fresh for each name).
    fn deptrust(&self, cache: &str) -> Command {
        let dead = refused_localhost();
        let mut command = Command::cargo_bin("deptrust").unwrap();
        command
            .env_clear()
            .env("DEPTRUST_NO_CARGO_METADATA", "1")
            .current_dir(self.work.path())
            .env("DEPTRUST_NPM_REGISTRY", format!("{}/", self.npm.uri()))
            .env("DEPTRUST_PYPI_URL", format!("{}/", self.pypi.uri()))
            .env("DEPTRUST_GITHUB_API", format!("{}/", self.github.uri()))
            .env("DEPTRUST_CRATES_INDEX", &dead)
            .env("DEPTRUST_CRATES_API", &dead)
            .env("DEPTRUST_CACHE_DIR", self.work.path().join(cache))
            .env("DEPTRUST_NOW", NOW);
        command
    }

    /// `deptrust scan <project> <args>` with a cache of its own.
    fn scan(&self, cache: &str, args: &[&str]) -> Run {
        let output = self
            .deptrust(cache)
            .arg("scan")
            .arg(self.project())
            .args(args)
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `deptrust scan --format json`.
    fn scan_json(&self, cache: &str) -> (Run, Value) {
        let run = self.scan(cache, &["--format", "json"]);
        let report = run.json();
        (run, report)
    }
}

/// Answers GET `at` with `body` (JSON).
async fn serve(server: &MockServer, at: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

// ---------------------------------------------------------------------------------------------
// Registry documents.

/// One npm release of a constructed packument.
#[derive(Clone)]
struct Rel {
    version: &'static str,
    published: &'static str,
    publisher: &'static str,
    maintainers: Vec<&'static str>,
    /// Merged into the version document (scripts, dist.attestations, integrity…).
    extra: Value,
}

fn rel(
    version: &'static str,
    published: &'static str,
    publisher: &'static str,
    maintainers: &[&'static str],
) -> Rel {
    Rel {
        version,
        published,
        publisher,
        maintainers: maintainers.to_vec(),
        extra: json!({}),
    }
}

impl Rel {
    fn with(mut self, extra: Value) -> Rel {
        merge(&mut self.extra, extra);
        self
    }
}

/// Deep merge of JSON objects (`extra` wins).
fn merge(base: &mut Value, extra: Value) {
    match (base, extra) {
        (Value::Object(base), Value::Object(extra)) => {
            for (key, value) in extra {
                merge(base.entry(key).or_insert(Value::Null), value);
            }
        }
        (base, extra) => *base = extra,
    }
}

fn people(names: &[&str]) -> Value {
    names
        .iter()
        .map(|name| json!({"name": name, "email": format!("{name}@example.com")}))
        .collect()
}

/// A full packument (the fields `src/registry/npm.rs` reads): `time`, top-level
/// `maintainers` (`owners`), `repository`, and per version `_npmUser`, `maintainers`,
/// `repository`, `dist`.
fn packument(name: &str, repository: &str, owners: &[&str], releases: &[Rel]) -> Value {
    let mut time = serde_json::Map::new();
    time.insert("created".into(), json!(releases[0].published));
    time.insert(
        "modified".into(),
        json!(releases[releases.len() - 1].published),
    );
    let mut versions = serde_json::Map::new();
    for release in releases {
        time.insert(release.version.into(), json!(release.published));
        let mut document = json!({
            "name": name,
            "version": release.version,
            "repository": {"type": "git", "url": format!("git+{repository}.git")},
            "_npmUser": {"name": release.publisher, "email": format!("{}@example.com", release.publisher)},
            "maintainers": people(&release.maintainers),
            "dist": {
                "integrity": "sha512-AAAA",
                "tarball": format!("https://registry.npmjs.org/{name}/-/{name}-{}.tgz", release.version),
            },
        });
        merge(&mut document, release.extra.clone());
        versions.insert(release.version.into(), document);
    }
    json!({
        "_id": name,
        "name": name,
        "dist-tags": {"latest": releases[releases.len() - 1].version},
        "time": time,
        "maintainers": people(owners),
        "repository": {"type": "git", "url": format!("git+{repository}.git")},
        "versions": versions,
    })
}

/// `GET /repos/{owner}/{name}` as GitHub answers it (the fields `src/registry/github.rs` reads).
fn github_repo(full_name: &str, id: u64, archived: bool, pushed_at: &str) -> Value {
    let owner = full_name.split('/').next().unwrap();
    json!({
        "id": id,
        "full_name": full_name,
        "name": full_name.split('/').nth(1).unwrap(),
        "owner": {"login": owner, "id": id + 1},
        "archived": archived,
        "disabled": false,
        "pushed_at": pushed_at,
        "default_branch": "main",
    })
}

/// A package-lock.json v3 (as npm 9+ writes it) with the packages as direct dependencies.
fn write_package_lock(dir: &Path, packages: &[(&str, &str)]) {
    let mut root_deps = serde_json::Map::new();
    let mut entries = serde_json::Map::new();
    for (name, version) in packages {
        root_deps.insert((*name).into(), json!(format!("^{version}")));
    }
    entries.insert(
        String::new(),
        json!({"name": "app", "version": "1.0.0", "dependencies": root_deps}),
    );
    for (name, version) in packages {
        entries.insert(
            format!("node_modules/{name}"),
            json!({
                "version": version,
                "resolved": format!("https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"),
                "integrity": "sha512-AAAA",
                "license": "MIT",
            }),
        );
    }
    let lock = json!({
        "name": "app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": true,
        "packages": entries,
    });
    std::fs::write(
        dir.join("package-lock.json"),
        serde_json::to_string_pretty(&lock).unwrap() + "\n",
    )
    .unwrap();
}

// ---------------------------------------------------------------------------------------------
// The clean package every incident runs beside.

/// left-pad as a well-kept package: four releases over three years, all by the same account,
/// the same two maintainers throughout, the version in use ten months old, its repository
/// active and not archived. Only informational findings (no provenance) may come out of it.
async fn mount_left_pad(mocks: &Mocks) {
    let owners = ["stevemao", "azer"];
    let releases = [
        rel("1.0.0", "2024-01-10T10:00:00.000Z", "stevemao", &owners),
        rel("1.1.0", "2024-09-02T10:00:00.000Z", "stevemao", &owners),
        rel("1.2.0", "2025-05-05T10:00:00.000Z", "stevemao", &owners),
        rel("1.3.0", "2026-01-15T10:00:00.000Z", "stevemao", &owners),
    ];
    serve(
        &mocks.npm,
        "/left-pad",
        packument(
            "left-pad",
            "https://github.com/stevemao/left-pad",
            &owners,
            &releases,
        ),
    )
    .await;
    serve(
        &mocks.github,
        "/repos/stevemao/left-pad",
        github_repo("stevemao/left-pad", 18245939, false, "2026-11-01T09:00:00Z"),
    )
    .await;
}

const LEFT_PAD: (&str, &str) = ("left-pad", "1.3.0");

// ---------------------------------------------------------------------------------------------
// Reading reports.

fn finding<'a>(report: &'a Value, id: &str, rule: &str) -> &'a Value {
    let package = package(report, id);
    package["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["rule"] == rule)
        .unwrap_or_else(|| panic!("{id} has no {rule} finding: {package:#}"))
}

fn rules_at(report: &Value, id: &str, level: &str) -> Vec<String> {
    package(report, id)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["level"] == level)
        .map(|finding| finding["rule"].as_str().unwrap().to_string())
        .collect()
}

/// Every finding of the package is recorded at allow/info, and every signal could be judged.
fn assert_clean(report: &Value, id: &str) {
    let package = package(report, id);
    for finding in package["findings"].as_array().unwrap() {
        assert!(
            finding["level"] == "allow" && finding["severity"] == "info",
            "{id} should be clean: {finding:#}"
        );
    }
    assert_eq!(package["risk"], 0.0, "{package:#}");
    assert_eq!(package["unknown"], json!([]), "{package:#}");
}

// ---------------------------------------------------------------------------------------------
// Incidents.

/// event-stream (npm, 2018): dominictarr handed the package to `right9ctrl`, a stranger who
/// had asked to help. right9ctrl was added as a maintainer and published 3.3.6, which pulled in
/// `flatmap-stream` and its wallet-stealing payload. Here: three releases by dominictarr, each
/// with him as sole maintainer; 3.3.6 by right9ctrl, whose version document lists both. Eight
/// years later, with 3.3.6 fresh at the pinned clock (seven weeks old; the payload was live
/// about ten weeks): events are judged by their age.
async fn mount_event_stream(mocks: &Mocks, extra_top_level: Value) {
    mount_event_stream_at(
        mocks,
        extra_top_level,
        [
            "2023-11-05T18:00:00.000Z",
            "2024-05-20T18:00:00.000Z",
            "2025-07-28T18:00:00.000Z",
            "2026-10-09T22:10:00.000Z",
        ],
    )
    .await;
}

/// event-stream with its four releases published at these times.
async fn mount_event_stream_at(mocks: &Mocks, extra_top_level: Value, times: [&'static str; 4]) {
    let mut document = packument(
        "event-stream",
        "https://github.com/dominictarr/event-stream",
        &["right9ctrl"],
        &[
            rel("3.3.2", times[0], "dominictarr", &["dominictarr"]),
            rel("3.3.3", times[1], "dominictarr", &["dominictarr"]),
            rel("3.3.4", times[2], "dominictarr", &["dominictarr"]),
            rel(
                "3.3.6",
                times[3],
                "right9ctrl",
                &["dominictarr", "right9ctrl"],
            )
            .with(json!({"dependencies": {"flatmap-stream": "^0.1.0"}})),
        ],
    );
    merge(&mut document, extra_top_level);
    serve(&mocks.npm, "/event-stream", document).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn event_stream_new_publisher_and_owners_changed() {
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    mount_event_stream(&mocks, json!({})).await;
    serve(
        &mocks.github,
        "/repos/dominictarr/event-stream",
        github_repo(
            "dominictarr/event-stream",
            1134745,
            false,
            "2026-11-26T00:00:00Z",
        ),
    )
    .await;
    write_package_lock(&mocks.project(), &[("event-stream", "3.3.6"), LEFT_PAD]);

    let (run, report) = mocks.scan_json("cache");
    // Only warnings: the gate passes.
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["gate"]["passed"], true);

    let id = "npm:event-stream@3.3.6";
    let new_publisher = finding(&report, id, "new-publisher");
    assert_eq!(new_publisher["level"], "warn");
    assert_eq!(new_publisher["severity"], "high");
    let message = new_publisher["message"].as_str().unwrap();
    assert!(
        message.contains("3.3.6 (the version in use) by right9ctrl"),
        "{message}"
    );
    let found = &new_publisher["evidence"]["new_publishers"][0];
    assert_eq!(found["publisher"]["id"], "npm:user:right9ctrl");
    assert_eq!(found["in_use"], true);

    let owners = finding(&report, id, "owners-changed");
    assert_eq!(owners["level"], "warn");
    assert_eq!(owners["severity"], "medium");
    let message = owners["message"].as_str().unwrap();
    assert!(
        message.contains("since 3.3.4: added right9ctrl"),
        "{message}"
    );
    let change = &owners["evidence"]["since_previous_version"];
    assert_eq!(change["previous_version"], "3.3.4");
    assert_eq!(
        change["added"],
        json!([{"id": "npm:user:right9ctrl", "display": "right9ctrl"}])
    );
    assert_eq!(change["removed"], json!([]));

    assert_clean(&report, "npm:left-pad@1.3.0");
}

/// The same takeover at its real dates (3.3.6 in September 2018), eight years before the
/// pinned clock: in use and examined by everybody since, it is no longer news. No
/// `new-publisher`, `owners-changed` or `dormant-revival` finding.
#[tokio::test(flavor = "multi_thread")]
async fn event_stream_eight_years_on_is_quiet() {
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    mount_event_stream_at(
        &mocks,
        json!({}),
        [
            "2015-11-05T18:00:00.000Z",
            "2016-05-20T18:00:00.000Z",
            "2017-07-28T18:00:00.000Z",
            "2018-09-09T22:10:00.000Z",
        ],
    )
    .await;
    serve(
        &mocks.github,
        "/repos/dominictarr/event-stream",
        github_repo(
            "dominictarr/event-stream",
            1134745,
            false,
            "2026-11-26T00:00:00Z",
        ),
    )
    .await;
    write_package_lock(&mocks.project(), &[("event-stream", "3.3.6"), LEFT_PAD]);

    let (run, report) = mocks.scan_json("cache");
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let package = package(&report, "npm:event-stream@3.3.6");
    let rules: Vec<&str> = package["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap())
        .collect();
    for quiet in ["new-publisher", "owners-changed", "dormant-revival"] {
        assert!(!rules.contains(&quiet), "{quiet}: {package:#}");
    }
    let unknown: Vec<&str> = package["unknown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|unknown| unknown["rule"].as_str().unwrap())
        .collect();
    for quiet in ["new-publisher", "owners-changed", "dormant-revival"] {
        assert!(!unknown.contains(&quiet), "{quiet}: {package:#}");
    }
}

/// nx (npm, August 2025) and the shai-hulud worm (September 2025): with a stolen publish token,
/// the attackers published from their own machines. The malicious versions lacked the
/// provenance the project's CI had attached to every earlier release, and ran a `postinstall`
/// payload (`telemetry.js`) that harvested credentials. Here: three releases advertising
/// attestations (their documents are not served: the advertisement is what counts), then
/// 21.5.0 with none and a new `postinstall`, published by the same account.
async fn mount_nx(mocks: &Mocks) {
    let attested = |version: &str| {
        json!({"dist": {"attestations": {
            "url": format!("https://registry.npmjs.org/-/npm/v1/attestations/nx@{version}"),
            "provenance": {"predicateType": "https://slsa.dev/provenance/v1"},
        }}})
    };
    let maintainers = ["nx-publisher", "nrwl-admin"];
    serve(
        &mocks.npm,
        "/nx",
        packument(
            "nx",
            "https://github.com/nrwl/nx",
            &maintainers,
            &[
                rel(
                    "21.2.0",
                    "2025-06-10T15:00:00.000Z",
                    "nx-publisher",
                    &maintainers,
                )
                .with(attested("21.2.0")),
                rel(
                    "21.3.0",
                    "2025-07-15T15:00:00.000Z",
                    "nx-publisher",
                    &maintainers,
                )
                .with(attested("21.3.0")),
                rel(
                    "21.4.0",
                    "2025-08-12T15:00:00.000Z",
                    "nx-publisher",
                    &maintainers,
                )
                .with(attested("21.4.0")),
                rel(
                    "21.5.0",
                    "2025-08-26T22:32:00.000Z",
                    "nx-publisher",
                    &maintainers,
                )
                .with(json!({"scripts": {"postinstall": "node telemetry.js"}})),
            ],
        ),
    )
    .await;
    serve(
        &mocks.github,
        "/repos/nrwl/nx",
        github_repo("nrwl/nx", 98785402, false, "2026-11-27T08:00:00Z"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn nx_provenance_dropped_denies_and_reports_in_every_format() {
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    mount_nx(&mocks).await;
    let project = mocks.project();
    write_package_lock(&project, &[("nx", "21.5.0"), LEFT_PAD]);

    let (run, report) = mocks.scan_json("json");
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["gate"]["passed"], false);
    assert_eq!(report["gate"]["unevaluated"], false);
    assert_eq!(
        report["gate"]["reasons"],
        json!(["npm:nx@21.5.0: provenance-dropped (deny)"])
    );
    let id = "npm:nx@21.5.0";
    let dropped = finding(&report, id, "provenance-dropped");
    assert_eq!(dropped["level"], "deny");
    assert_eq!(dropped["severity"], "high");
    assert_eq!(
        dropped["evidence"]["last_with_provenance"]["version"],
        "21.4.0"
    );
    assert_eq!(dropped["evidence"]["earlier_with_provenance"], 3);
    // 21.4.0's attestations are looked for (verifying the latest earlier attested release) but
    // not served: what the registry advertises still counts.
    assert_eq!(
        dropped["evidence"]["last_with_provenance"]["kind"],
        "attested"
    );
    let script = finding(&report, id, "install-script");
    assert_eq!(script["level"], "warn");
    assert!(
        script["message"]
            .as_str()
            .unwrap()
            .contains("node telemetry.js"),
        "{script:#}"
    );
    assert_eq!(rules_at(&report, id, "deny"), ["provenance-dropped"]);
    assert_clean(&report, "npm:left-pad@1.3.0");

    // Every report from one evaluation: the same findings in each, the same exit code.
    let dir = mocks.work.path();
    let (json_path, sarif_path, markdown_path) = (
        dir.join("all.json"),
        dir.join("all.sarif"),
        dir.join("all.md"),
    );
    let run = mocks.scan(
        "all",
        &[
            "--format",
            "table",
            "--json",
            json_path.to_str().unwrap(),
            "--sarif",
            sarif_path.to_str().unwrap(),
            "--markdown",
            markdown_path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("Gate: FAILED"), "{}", run.stdout);
    let all: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(all["gate"], report["gate"]);
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"provenance-dropped"), "{rules:?}");
    assert!(
        std::fs::read_to_string(&markdown_path)
            .unwrap()
            .contains("FAILED")
    );

    // SARIF, written to a file: each warn/deny finding a result at the package's line.
    let sarif_path = mocks.work.path().join("x.sarif");
    let run = mocks.scan(
        "sarif",
        &[
            "--format",
            "sarif",
            "--output",
            sarif_path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("gate FAILED"), "{}", run.stderr);
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let lock_text = std::fs::read_to_string(project.join("package-lock.json")).unwrap();
    let lines: Vec<&str> = lock_text.lines().collect();
    let mut seen = Vec::new();
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert!(
            location["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("package-lock.json"),
            "{result:#}"
        );
        let line = location["region"]["startLine"].as_u64().unwrap();
        assert!(line > 1, "{result:#}");
        // The line of the package's entry as the parser read it (its `node_modules/nx` key,
        // not the root's range on it); its version just below.
        let at = usize::try_from(line).unwrap() - 1;
        assert!(
            lines[at].trim_start().starts_with("\"node_modules/nx\": {"),
            "line {line}: {}",
            lines[at]
        );
        assert!(
            lines[at..(at + 6).min(lines.len())]
                .iter()
                .any(|line| line.contains("21.5.0")),
            "line {line}"
        );
        seen.push((
            result["ruleId"].as_str().unwrap().to_string(),
            result["level"].as_str().unwrap().to_string(),
        ));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            ("install-script".to_string(), "warning".to_string()),
            ("provenance-dropped".to_string(), "error".to_string()),
        ]
    );

    // Markdown: the gate line and its reason.
    let run = mocks.scan("markdown", &["--format", "markdown"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("## deptrust scan: FAILED"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("- `npm:nx@21.5.0: provenance-dropped (deny)`"),
        "{}",
        run.stdout
    );
}

/// The terminal views of one failed gate (nx): the table with what to do and the exception
/// entry that would accept the finding, `--quiet`, colour only when asked, and the same scan
/// against a baseline that already has the finding (shown, marked, passing).
#[tokio::test(flavor = "multi_thread")]
async fn nx_terminal_views_quiet_colour_and_baseline() {
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    mount_nx(&mocks).await;
    let project = mocks.project();
    write_package_lock(&project, &[("nx", "21.5.0"), LEFT_PAD]);
    let work = mocks.work.path().display().to_string();
    let tidy = |text: &str| text.replace(&work, "[work]");

    let table = mocks.scan("views", &[]);
    assert_eq!(table.code, 1, "{}", table.stderr);
    assert!(!table.stdout.contains('\u{1b}'), "colour in a pipe");
    insta::assert_snapshot!("nx-failed-gate-table", tidy(&table.stdout));
    assert!(
        table
            .stdout
            .contains("details: deptrust explain npm:nx@21.5.0")
    );
    assert!(
        table
            .stdout
            .contains("package = \"npm:nx@21.5.0\"\n  rule = \"provenance-dropped\"")
    );

    // The width of a terminal of 100 columns (the README's sample is this output).
    let output = mocks
        .deptrust("views")
        .env("COLUMNS", "100")
        .current_dir(&project)
        .arg("scan")
        .output()
        .unwrap();
    let narrow = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        narrow.lines().all(|line| line.chars().count() <= 100),
        "{narrow}"
    );
    insta::assert_snapshot!("nx-failed-gate-table-100-columns", narrow);

    let quiet = mocks.scan("views", &["--quiet"]);
    assert_eq!(quiet.code, 1);
    insta::assert_snapshot!("nx-failed-gate-quiet", quiet.stdout);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);

    let coloured = mocks.scan("views", &["--color", "always"]);
    assert!(
        coloured.stdout.contains("\u{1b}[1m\u{1b}[31mGate: FAILED"),
        "{}",
        coloured.stdout
    );
    let never = mocks.scan("views", &["--color", "never"]);
    assert_eq!(never.stdout, table.stdout);

    // The same finding, already in the base branch's report: shown, marked, not gating.
    let base = mocks.work.path().join("base.json");
    let run = mocks.scan(
        "views",
        &["--format", "json", "--output", base.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let baseline = mocks.scan("views", &["--baseline", base.to_str().unwrap()]);
    assert_eq!(baseline.code, 0, "{}", baseline.stdout);
    insta::assert_snapshot!("nx-baseline-table", tidy(&baseline.stdout));
    assert!(
        baseline
            .stdout
            .contains("deny  provenance-dropped (in the baseline: not gating)"),
        "{}",
        baseline.stdout
    );
    assert!(
        baseline.stdout.ends_with("Gate: PASSED\n"),
        "{}",
        baseline.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exceptions_allow_a_deny_until_they_expire() {
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    mount_nx(&mocks).await;
    let project = mocks.project();
    write_package_lock(&project, &[("nx", "21.5.0"), LEFT_PAD]);
    let policy = |expires: &str| {
        format!(
            "version = 1\n\n[[exceptions]]\npackage = \"npm:nx@21.5.0\"\nrule = \"provenance-dropped\"\nreason = \"maintainers confirmed the release (issue 123)\"\n{expires}"
        )
    };

    // In force: the deny becomes allow, the gate passes (the install-script warning stays).
    std::fs::write(
        project.join("deptrust.toml"),
        policy("expires = 2027-01-31\n"),
    )
    .unwrap();
    let (run, report) = mocks.scan_json("in-force");
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["gate"]["passed"], true);
    let dropped = finding(&report, "npm:nx@21.5.0", "provenance-dropped");
    assert_eq!(dropped["level"], "allow");
    assert_eq!(
        dropped["exception"],
        "maintainers confirmed the release (issue 123)"
    );
    assert_eq!(
        finding(&report, "npm:nx@21.5.0", "install-script")["level"],
        "warn"
    );
    assert_eq!(report["exceptions"], json!([]));

    // Expired before the pinned clock: it no longer applies and is reported.
    std::fs::write(
        project.join("deptrust.toml"),
        policy("expires = 2026-01-31\n"),
    )
    .unwrap();
    let (run, report) = mocks.scan_json("expired");
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let dropped = finding(&report, "npm:nx@21.5.0", "provenance-dropped");
    assert_eq!(dropped["level"], "deny");
    assert!(dropped.get("exception").is_none(), "{dropped:#}");
    let notes = report["exceptions"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert_eq!(notes[0]["package"], "npm:nx@21.5.0");
    assert_eq!(notes[0]["rule"], "provenance-dropped");
    assert_eq!(notes[0]["problem"], "expired");
    assert!(
        notes[0]["message"].as_str().unwrap().contains("2026-01-31"),
        "{notes:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_policy_is_an_input_error() {
    let mocks = Mocks::start().await;
    let project = mocks.project();
    write_package_lock(&project, &[LEFT_PAD]);
    std::fs::write(
        project.join("deptrust.toml"),
        "version = 1\nunknown = \"deny\"\nfail-fast = true\n",
    )
    .unwrap();
    let run = mocks.scan("cache", &["--format", "json"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("deptrust.toml:3:1"), "{}", run.stderr);
    assert!(run.stderr.contains("fail-fast"), "{}", run.stderr);
    // Nothing was asked of the registries.
    assert!(mocks.npm.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn unknowns_under_unknown_deny_leave_the_run_unevaluated() {
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    // The registry fails for one package (Retry-After: 0 keeps the retries instant).
    Mock::given(method("GET"))
        .and(path("/flaky-pkg"))
        .respond_with(ResponseTemplate::new(500).insert_header("retry-after", "0"))
        .mount(&mocks.npm)
        .await;
    let project = mocks.project();
    write_package_lock(&project, &[("flaky-pkg", "1.0.0"), LEFT_PAD]);
    std::fs::write(
        project.join("deptrust.toml"),
        "version = 1\nunknown = \"deny\"\n",
    )
    .unwrap();

    let (run, report) = mocks.scan_json("cache");
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["gate"]["passed"], false);
    assert_eq!(report["gate"]["unevaluated"], true);
    let reasons = report["gate"]["reasons"].as_array().unwrap();
    assert!(!reasons.is_empty());
    for reason in reasons {
        let reason = reason.as_str().unwrap();
        assert!(
            (reason.starts_with("npm:flaky-pkg@1.0.0: ")
                && reason.contains("could not be evaluated"))
                || reason.starts_with("the registry of 1 package could not be reached ("),
            "{reason}"
        );
    }
    assert!(
        reasons
            .iter()
            .any(|reason| reason.as_str().unwrap().contains("500")),
        "{reasons:#?}"
    );
    let flaky = package(&report, "npm:flaky-pkg@1.0.0");
    assert!(!flaky["unknown"].as_array().unwrap().is_empty());
    assert_clean(&report, "npm:left-pad@1.3.0");
}

/// ctx (PyPI, May 2022): no release since 2014; the maintainer's mail domain expired, an
/// attacker registered it, took over the account and published versions that sent the
/// environment (AWS keys) away. Reconstructed npm-shaped (npm names its publishers, PyPI
/// does not without provenance), twelve years later: releases by `figlief` in 2014, then
/// 0.2.2 and 0.2.6 in November 2026 by `aldazar`, days before the pinned clock (the real
/// versions were found within days).
#[tokio::test(flavor = "multi_thread")]
async fn ctx_dormant_revival_by_a_new_publisher_is_high() {
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    serve(
        &mocks.npm,
        "/ctx",
        packument(
            "ctx",
            "https://github.com/figlief/ctx",
            &["aldazar"],
            &[
                rel("0.1.0", "2014-11-21T10:00:00.000Z", "figlief", &["figlief"]),
                rel("0.1.2", "2014-12-19T10:00:00.000Z", "figlief", &["figlief"]),
                rel("0.2.2", "2026-11-14T18:21:00.000Z", "aldazar", &["aldazar"]),
                rel("0.2.6", "2026-11-21T09:40:00.000Z", "aldazar", &["aldazar"]),
            ],
        ),
    )
    .await;
    serve(
        &mocks.github,
        "/repos/figlief/ctx",
        github_repo("figlief/ctx", 27871262, false, "2014-12-19T10:00:00Z"),
    )
    .await;
    write_package_lock(&mocks.project(), &[("ctx", "0.2.6"), LEFT_PAD]);

    let (run, report) = mocks.scan_json("cache");
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let id = "npm:ctx@0.2.6";
    let revival = finding(&report, id, "dormant-revival");
    assert_eq!(revival["level"], "warn");
    assert_eq!(revival["severity"], "high", "{revival:#}");
    assert_eq!(revival["evidence"]["previous_release"]["version"], "0.1.2");
    assert_eq!(revival["evidence"]["revival"]["version"], "0.2.2");
    let message = revival["message"].as_str().unwrap();
    assert!(message.contains("0.2.2 came after 142 months"), "{message}");
    assert!(message.contains("aldazar"), "{message}");

    let new_publisher = finding(&report, id, "new-publisher");
    assert_eq!(new_publisher["level"], "warn");
    assert_eq!(new_publisher["severity"], "high");
    let message = new_publisher["message"].as_str().unwrap();
    assert!(
        message.contains("0.2.2 (published 6 days before the version in use) by aldazar"),
        "{message}"
    );
    assert_clean(&report, "npm:left-pad@1.3.0");
}

/// A yanked version in use (PyPI): requests 2.32.0 was yanked in May 2024, "Yanked due to
/// conflicts with CVE-2024-35195 mitigation", and fixed by 2.32.2/2.32.3. The Simple API
/// (`meta.api-version` 1.4) carries the reason on each file; the JSON API agrees.
#[tokio::test(flavor = "multi_thread")]
async fn yanked_version_in_use_warns_with_the_reason() {
    const REASON: &str = "Yanked due to conflicts with CVE-2024-35195 mitigation";
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    let releases = [
        ("2.31.0", "2023-05-22T15:12:42.313790Z", None),
        ("2.32.0", "2024-05-20T16:32:36.870312Z", Some(REASON)),
        ("2.32.3", "2024-05-29T15:37:47.027316Z", None),
    ];
    let mut json_releases = serde_json::Map::new();
    let mut simple_files = Vec::new();
    for (index, (version, uploaded, yanked)) in releases.iter().enumerate() {
        let mut files = Vec::new();
        for (kind, filename) in [
            (
                "bdist_wheel",
                format!("requests-{version}-py3-none-any.whl"),
            ),
            ("sdist", format!("requests-{version}.tar.gz")),
        ] {
            let sha256 = format!("{:064x}", index * 2 + usize::from(kind == "sdist") + 1);
            files.push(json!({
                "filename": filename,
                "packagetype": kind,
                "upload_time_iso_8601": uploaded,
                "yanked": yanked.is_some(),
                "yanked_reason": yanked,
                "digests": {"sha256": sha256},
            }));
            simple_files.push(json!({
                "filename": filename,
                "url": format!("https://files.pythonhosted.org/packages/{filename}"),
                "hashes": {"sha256": sha256},
                "requires-python": ">=3.8",
                "upload-time": uploaded,
                "yanked": yanked.map_or(json!(false), |reason| json!(reason)),
            }));
        }
        json_releases.insert((*version).to_string(), Value::Array(files));
    }
    serve(
        &mocks.pypi,
        "/pypi/requests/json",
        json!({
            "info": {
                "name": "requests",
                "version": "2.32.3",
                "home_page": "https://requests.readthedocs.io",
                "project_urls": {"Source": "https://github.com/psf/requests"},
            },
            "ownership": {
                "organization": "psf",
                "roles": [{"role": "Owner", "user": "nateprewitt"}, {"role": "Owner", "user": "graffatcolmingov"}],
            },
            "releases": json_releases,
        }),
    )
    .await;
    serve(
        &mocks.pypi,
        "/simple/requests/",
        json!({
            "meta": {"api-version": "1.4", "_last-serial": 24513030},
            "name": "requests",
            "versions": ["2.31.0", "2.32.0", "2.32.3"],
            "files": simple_files,
        }),
    )
    .await;
    serve(
        &mocks.github,
        "/repos/psf/requests",
        github_repo("psf/requests", 1362490, false, "2026-11-20T12:00:00Z"),
    )
    .await;
    let project = mocks.project();
    write_package_lock(&project, &[LEFT_PAD]);
    std::fs::write(
        project.join("requirements.txt"),
        "#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile requirements.in\n#\nrequests==2.32.0\n    # via -r requirements.in\n",
    )
    .unwrap();

    let (run, report) = mocks.scan_json("cache");
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["projects"].as_array().unwrap().len(), 2);
    let yanked = finding(&report, "pypi:requests@2.32.0", "yanked");
    assert_eq!(yanked["level"], "warn");
    assert_eq!(yanked["severity"], "medium");
    assert_eq!(yanked["message"], format!("2.32.0 is yanked: {REASON}"));
    assert_eq!(yanked["evidence"]["yank_reason"], REASON);
    assert_eq!(yanked["evidence"]["latest_not_yanked"], "2.32.3");
    assert_clean(&report, "npm:left-pad@1.3.0");
}

/// An archived repository: the package declares `https://github.com/owner/old`, which its
/// owner archived (as request/request was in 2020): no fix will come.
#[tokio::test(flavor = "multi_thread")]
async fn archived_repository_warns() {
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    let maintainers = ["old-owner", "old-helper"];
    serve(
        &mocks.npm,
        "/old-lib",
        packument(
            "old-lib",
            "https://github.com/owner/old",
            &maintainers,
            &[
                rel(
                    "2.87.0",
                    "2025-02-11T17:00:00.000Z",
                    "old-owner",
                    &maintainers,
                ),
                rel(
                    "2.88.0",
                    "2025-06-20T17:00:00.000Z",
                    "old-owner",
                    &maintainers,
                ),
            ],
        ),
    )
    .await;
    serve(
        &mocks.github,
        "/repos/owner/old",
        github_repo("owner/old", 7283211, true, "2025-06-20T17:00:00Z"),
    )
    .await;
    write_package_lock(&mocks.project(), &[("old-lib", "2.88.0"), LEFT_PAD]);

    let (run, report) = mocks.scan_json("cache");
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let archived = finding(&report, "npm:old-lib@2.88.0", "archived");
    assert_eq!(archived["level"], "warn");
    assert_eq!(archived["severity"], "low");
    assert_eq!(archived["message"], "the repository owner/old is archived");
    assert_eq!(archived["evidence"]["repository_archived"], true);
    assert_eq!(
        rules_at(&report, "npm:old-lib@2.88.0", "warn"),
        ["archived"]
    );
    assert_clean(&report, "npm:left-pad@1.3.0");
}

// ---------------------------------------------------------------------------------------------
// ultralytics: another workflow publishing, with real attestations.

/// ultralytics (PyPI, December 2024): a crafted pull request injected code into the project's
/// GitHub Actions, and the releases built by the subverted pipeline — and later ones published
/// from outside it — carried a cryptominer. A release built by another workflow than its
/// predecessor is how such a pipeline change shows. Reconstructed with real npm attestations:
/// sigstore 1.0.0 was built by `.github/workflows/publish.yml`, 2.1.0 by
/// `.github/workflows/release.yml` (the sigstore-js project really did change workflows; here
/// the change stands for the hijack). The registry's publish times are moved to weeks before
/// the pinned clock (2.1.0 really is from September 2023): a workflow change is judged by the
/// age of the release built by the new workflow.
#[tokio::test(flavor = "multi_thread")]
async fn ultralytics_publisher_identity_changed_with_real_attestations() {
    let (v1_attestations, v2_bundle, keys) = (
        sample("npm-attestations-slsa-v0.2-bundle-v0.1.json"),
        sample("sigstore-bundle.json"),
        sample("npm-keys.json"),
    );
    let v2_attestations = json!({"attestations": [
        {"predicateType": "https://slsa.dev/provenance/v1", "bundle": v2_bundle},
    ]});
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    let attested = |version: &str, integrity: String, predicate: &str| {
        json!({"dist": {
            "integrity": integrity,
            "attestations": {
                "url": format!("https://registry.npmjs.org/-/npm/v1/attestations/sigstore@{version}"),
                "provenance": {"predicateType": predicate},
            },
        }})
    };
    let maintainers = ["bdehamer", "sigstore-bot"];
    serve(
        &mocks.npm,
        "/sigstore",
        packument(
            "sigstore",
            "https://github.com/sigstore/sigstore-js",
            &maintainers,
            &[
                rel(
                    "1.0.0",
                    "2026-08-24T17:46:00.000Z",
                    "sigstore-bot",
                    &maintainers,
                )
                .with(attested(
                    "1.0.0",
                    subject_integrity(&v1_attestations["attestations"][0]["bundle"]),
                    "https://slsa.dev/provenance/v0.2",
                )),
                rel(
                    "2.1.0",
                    "2026-11-05T21:30:00.000Z",
                    "sigstore-bot",
                    &maintainers,
                )
                .with(attested(
                    "2.1.0",
                    subject_integrity(&v2_attestations["attestations"][0]["bundle"]),
                    "https://slsa.dev/provenance/v1",
                )),
            ],
        ),
    )
    .await;
    serve(
        &mocks.npm,
        "/-/npm/v1/attestations/sigstore@1.0.0",
        v1_attestations,
    )
    .await;
    serve(
        &mocks.npm,
        "/-/npm/v1/attestations/sigstore@2.1.0",
        v2_attestations,
    )
    .await;
    serve(&mocks.npm, "/-/npm/v1/keys", keys).await;
    serve(
        &mocks.github,
        "/repos/sigstore/sigstore-js",
        github_repo(
            "sigstore/sigstore-js",
            495574555,
            false,
            "2026-11-25T12:00:00Z",
        ),
    )
    .await;
    write_package_lock(&mocks.project(), &[("sigstore", "2.1.0"), LEFT_PAD]);

    // Both releases verify, each naming its workflow.
    let output = mocks
        .deptrust("facts")
        .args(["facts", "--format", "json", "npm:sigstore@2.1.0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let facts: Value = serde_json::from_slice(&output.stdout).unwrap();
    let releases = facts["facts"][0]["releases"]["known"].as_array().unwrap();
    let identity = |version: &str| {
        let release = releases
            .iter()
            .find(|release| release["version"] == version)
            .unwrap();
        let provenance = &release["verification"]["provenance"];
        assert_eq!(
            provenance["status"], "verified",
            "{version}: {provenance:#}"
        );
        provenance["identity"].clone()
    };
    let (v1, v2) = (identity("1.0.0"), identity("2.1.0"));
    assert_eq!(v1["repository_id"], "495574555", "{v1:#}");
    assert_eq!(v2["repository_id"], "495574555", "{v2:#}");
    assert_eq!(v1["workflow"], ".github/workflows/publish.yml", "{v1:#}");
    assert_eq!(v2["workflow"], ".github/workflows/release.yml", "{v2:#}");

    let (run, report) = mocks.scan_json("scan");
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let id = "npm:sigstore@2.1.0";
    let changed = finding(&report, id, "publisher-identity-changed");
    assert_eq!(changed["level"], "deny");
    assert_eq!(changed["severity"], "high");
    let message = changed["message"].as_str().unwrap();
    assert!(
        message.contains("workflow publish.yml -> release.yml"),
        "{message}"
    );
    // The same repository (by id): only the workflow changed.
    assert!(!message.contains("repository"), "{message}");
    assert_eq!(changed["evidence"]["compared_with"]["version"], "1.0.0");
    assert_eq!(
        report["gate"]["reasons"],
        json!(["npm:sigstore@2.1.0: publisher-identity-changed (deny)"])
    );
    assert_eq!(
        rules_at(&report, id, "deny"),
        ["publisher-identity-changed"]
    );
    assert_clean(&report, "npm:left-pad@1.3.0");
}

// ---------------------------------------------------------------------------------------------
// Popularity changes nothing.

/// Every finding of every package, without the volatile parts of the report.
fn findings_of(report: &Value) -> Value {
    report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|project| project["packages"].as_array().unwrap())
        .map(|package| {
            json!({
                "id": package["id"],
                "risk": package["risk"],
                "findings": package["findings"],
                "unknown": package["unknown"],
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn popularity_figures_change_no_finding() {
    let mut reports = Vec::new();
    for popular in [false, true] {
        let mocks = Mocks::start().await;
        let (downloads, repo_figures) = if popular {
            (
                json!({"downloads": 999_999_999, "stars": 250_000}),
                json!({"stargazers_count": 250_000, "forks_count": 40_000, "watchers_count": 250_000, "subscribers_count": 9_000}),
            )
        } else {
            (json!({}), json!({}))
        };
        mount_event_stream(&mocks, downloads.clone()).await;
        let mut left_pad = packument(
            "left-pad",
            "https://github.com/stevemao/left-pad",
            &["stevemao"],
            &[
                rel(
                    "1.1.0",
                    "2024-09-02T10:00:00.000Z",
                    "stevemao",
                    &["stevemao"],
                ),
                rel(
                    "1.3.0",
                    "2026-01-15T10:00:00.000Z",
                    "stevemao",
                    &["stevemao"],
                ),
            ],
        );
        merge(&mut left_pad, downloads.clone());
        if popular {
            merge(
                &mut left_pad,
                json!({"versions": {"1.3.0": {"downloads": 999_999_999}}}),
            );
        }
        serve(&mocks.npm, "/left-pad", left_pad).await;
        for (full_name, id, pushed) in [
            ("stevemao/left-pad", 18245939, "2026-11-01T09:00:00Z"),
            ("dominictarr/event-stream", 1134745, "2018-11-26T00:00:00Z"),
        ] {
            let mut repo = github_repo(full_name, id, false, pushed);
            merge(&mut repo, repo_figures.clone());
            serve(&mocks.github, &format!("/repos/{full_name}"), repo).await;
        }
        write_package_lock(&mocks.project(), &[("event-stream", "3.3.6"), LEFT_PAD]);
        let (run, report) = mocks.scan_json("cache");
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        assert!(!run.stdout.contains("999999999"), "{}", run.stdout);
        reports.push(report);
    }
    let (plain, popular) = (findings_of(&reports[0]), findings_of(&reports[1]));
    // Something fired (event-stream), so the comparison means something.
    assert!(plain.to_string().contains("new-publisher"), "{plain:#}");
    // left-pad has one maintainer here: single-owner is recorded, at allow, either way.
    assert!(plain.to_string().contains("single-owner"), "{plain:#}");
    assert_eq!(plain, popular);
    assert_eq!(reports[0]["gate"], reports[1]["gate"]);
    assert_eq!(reports[0]["exposure_score"], reports[1]["exposure_score"]);
}

/// xz-style: a co-maintainer added between two runs. PyPI only says who owns a project now, so
/// the change shows against the owners the earlier run recorded, for every version of the
/// project the lockfiles use (two here), and not again once recorded.
#[tokio::test(flavor = "multi_thread")]
async fn owners_added_since_an_earlier_run_show_for_every_version() {
    let mocks = Mocks::start().await;
    let mount = |owners: &'static [&'static str]| {
        let pypi = &mocks.pypi;
        async move {
            pypi.reset().await;
            let mut releases = serde_json::Map::new();
            let mut files = Vec::new();
            for (index, version) in ["5.4.0", "5.6.0"].iter().enumerate() {
                let filename = format!("xz_utils-{version}-py3-none-any.whl");
                let sha256 = format!("{:064x}", index + 1);
                releases.insert(
                    (*version).to_string(),
                    json!([{"filename": filename, "packagetype": "bdist_wheel",
                            "upload_time_iso_8601": format!("2024-0{}-01T00:00:00Z", index + 1),
                            "digests": {"sha256": sha256}}]),
                );
                files.push(json!({"filename": filename, "hashes": {"sha256": sha256},
                                  "upload-time": format!("2024-0{}-01T00:00:00Z", index + 1),
                                  "yanked": false}));
            }
            let roles: Vec<Value> = owners
                .iter()
                .map(|user| json!({"role": "Owner", "user": user}))
                .collect();
            serve(
                pypi,
                "/pypi/xz-utils/json",
                json!({"info": {"name": "xz-utils", "version": "5.6.0",
                                "project_urls": {"Source": "https://github.com/tukaani/xz-utils"}},
                       "ownership": {"organization": null, "roles": roles},
                       "releases": releases}),
            )
            .await;
            serve(
                pypi,
                "/simple/xz-utils/",
                json!({"meta": {"api-version": "1.4"}, "name": "xz-utils",
                       "versions": ["5.4.0", "5.6.0"], "files": files}),
            )
            .await;
        }
    };
    let project = mocks.project();
    for (dir, version) in [("a", "5.4.0"), ("b", "5.6.0")] {
        std::fs::create_dir_all(project.join(dir)).unwrap();
        std::fs::write(
            project.join(dir).join("requirements.txt"),
            format!("xz-utils=={version}\n    # via -r requirements.in\n"),
        )
        .unwrap();
    }

    mount(&["lasse"]).await;
    let (run, first) = mocks.scan_json("shared");
    assert_eq!(run.code, 0, "{}", run.stderr);
    for id in ["pypi:xz-utils@5.4.0", "pypi:xz-utils@5.6.0"] {
        assert!(
            rules_at(&first, id, "warn")
                .iter()
                .all(|r| r != "owners-changed")
        );
    }

    // Two hours later: the cached project documents are stale, so asked again.
    mount(&["lasse", "jiat75"]).await;
    let run = mocks.scan(
        "shared",
        &["--format", "json", "--now", "2026-11-28T14:00:00Z"],
    );
    let second = run.json();
    assert_eq!(run.code, 0, "{}", run.stderr);
    for id in ["pypi:xz-utils@5.4.0", "pypi:xz-utils@5.6.0"] {
        let changed = finding(&second, id, "owners-changed");
        assert!(
            changed["message"].as_str().unwrap().contains("jiat75"),
            "{changed:#}"
        );
    }

    // Recorded now: the next run compares with the new owners.
    let third = mocks
        .scan(
            "shared",
            &["--format", "json", "--now", "2026-11-28T16:00:00Z"],
        )
        .json();
    for id in ["pypi:xz-utils@5.4.0", "pypi:xz-utils@5.6.0"] {
        assert!(
            rules_at(&third, id, "warn")
                .iter()
                .all(|r| r != "owners-changed")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Declared repositories (issue 9 item 4).

/// A PyPI project as the JSON and Simple APIs describe it: one release (`version`, a wheel,
/// uploaded 2025-06-01), `project_urls` as given, owned by `owner`.
async fn mount_pypi_project(mocks: &Mocks, name: &str, version: &str, project_urls: Value) {
    let filename = format!("{}-{version}-py3-none-any.whl", name.replace('-', "_"));
    let sha256 = format!("{:064x}", name.len());
    let uploaded = "2025-06-01T10:00:00.000000Z";
    serve(
        &mocks.pypi,
        &format!("/pypi/{name}/json"),
        json!({
            "info": {"name": name, "version": version, "home_page": null, "project_urls": project_urls},
            "ownership": {"organization": null, "roles": [{"role": "Owner", "user": "owner"}]},
            "releases": {version: [{
                "filename": filename,
                "packagetype": "bdist_wheel",
                "upload_time_iso_8601": uploaded,
                "yanked": false,
                "yanked_reason": null,
                "digests": {"sha256": sha256},
            }]},
        }),
    )
    .await;
    serve(
        &mocks.pypi,
        &format!("/simple/{name}/"),
        json!({
            "meta": {"api-version": "1.4", "_last-serial": 1},
            "name": name,
            "versions": [version],
            "files": [{
                "filename": filename,
                "url": format!("https://files.pythonhosted.org/packages/{filename}"),
                "hashes": {"sha256": sha256},
                "requires-python": ">=3.9",
                "upload-time": uploaded,
                "yanked": false,
            }],
        }),
    )
    .await;
}

/// dbus-python declares its repository on a GitLab instance (`source`, lowercase, as on
/// pypi.org): declared, so no `no-source-repo`; GitHub is not asked, and the repository facts
/// are unknown with the reason. Beside it a project whose only URL is a documentation
/// homepage, which declares no repository.
#[tokio::test(flavor = "multi_thread")]
async fn a_repository_on_another_host_is_declared_and_its_facts_unknown() {
    let mocks = Mocks::start().await;
    mount_left_pad(&mocks).await;
    mount_pypi_project(
        &mocks,
        "dbus-python",
        "1.4.0",
        json!({
            "download": "http://dbus.freedesktop.org/releases/dbus-python/",
            "homepage": "http://www.freedesktop.org/wiki/Software/DBusBindings/#python",
            "source": "https://gitlab.freedesktop.org/dbus/dbus-python/",
            "tracker": "https://gitlab.freedesktop.org/dbus/dbus-python/-/work_items",
        }),
    )
    .await;
    mount_pypi_project(
        &mocks,
        "docs-only",
        "2.0.0",
        json!({"Homepage": "https://docs-only.example.org/", "Documentation": "https://docs-only.example.org/docs"}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/repos/dbus/dbus-python"))
        .respond_with(ResponseTemplate::new(404))
        .expect(0)
        .mount(&mocks.github)
        .await;
    let project = mocks.project();
    write_package_lock(&project, &[LEFT_PAD]);
    std::fs::write(
        project.join("requirements.txt"),
        "#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile requirements.in\n#\ndbus-python==1.4.0\n    # via -r requirements.in\ndocs-only==2.0.0\n    # via -r requirements.in\n",
    )
    .unwrap();

    let run = mocks.scan("cache", &["--format", "json", "--snapshot", "facts.json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();

    let dbus = package(&report, "pypi:dbus-python@1.4.0");
    let rules: Vec<&str> = dbus["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"no-source-repo"), "{dbus:#}");
    let reason =
        "repository on gitlab.freedesktop.org: deptrust reads repository facts from GitHub only";
    let unknown = dbus["unknown"].as_array().unwrap();
    assert!(
        unknown
            .iter()
            .any(|entry| entry["fact"] == "repository_facts" && entry["reason"] == reason),
        "{dbus:#}"
    );
    assert!(
        unknown
            .iter()
            .all(|entry| entry["rule"] != "no-source-repo"),
        "{dbus:#}"
    );

    let docs_only = finding(&report, "pypi:docs-only@2.0.0", "no-source-repo");
    assert_eq!(docs_only["message"], "2.0.0 declares no source repository");

    // The facts keep the canonical URL and the reason.
    let snapshot: Value = serde_json::from_str(
        &std::fs::read_to_string(mocks.work.path().join("facts.json")).unwrap(),
    )
    .unwrap();
    let text = snapshot.to_string();
    assert!(
        text.contains("\"https://gitlab.freedesktop.org/dbus/dbus-python\""),
        "{snapshot:#}"
    );
    assert!(text.contains(reason), "{snapshot:#}");
    assert_clean(&report, "npm:left-pad@1.3.0");
}

// ---------------------------------------------------------------------------------------------
// deptrust diff: the trust delta of an upgrade.

/// `shady` 1.0.0 published by alice with provenance, 1.1.0 by mallory without it; `better`
/// 1.0.0 without provenance, 1.1.0 by the same publisher with it.
async fn mount_upgrades(mocks: &Mocks) {
    let attested = |name: &str, version: &str| {
        json!({"dist": {"attestations": {
            "url": format!("https://registry.npmjs.org/-/npm/v1/attestations/{name}@{version}"),
            "provenance": {"predicateType": "https://slsa.dev/provenance/v1"},
        }}})
    };
    serve(
        &mocks.npm,
        "/shady",
        packument(
            "shady",
            "https://github.com/o/shady",
            &["alice"],
            &[
                rel("1.0.0", "2025-01-10T10:00:00.000Z", "alice", &["alice"])
                    .with(attested("shady", "1.0.0"))
                    .with(json!({"dependencies": {"tslib": "^2.0.0"}})),
                rel(
                    "1.1.0",
                    "2025-03-10T10:00:00.000Z",
                    "mallory",
                    &["alice", "mallory"],
                )
                .with(json!({"dependencies": {"tslib": "^2.1.0", "plain-crypto-js": "^4.2.1"}})),
            ],
        ),
    )
    .await;
    serve(
        &mocks.npm,
        "/better",
        packument(
            "better",
            "https://github.com/o/better",
            &["bob"],
            &[
                rel("1.0.0", "2025-01-10T10:00:00.000Z", "bob", &["bob"]),
                rel("1.1.0", "2025-03-10T10:00:00.000Z", "bob", &["bob"])
                    .with(attested("better", "1.1.0")),
            ],
        ),
    )
    .await;
    for repo in ["o/shady", "o/better"] {
        serve(
            &mocks.github,
            &format!("/repos/{repo}"),
            github_repo(repo, 4242, false, "2026-11-27T08:00:00Z"),
        )
        .await;
    }
}

impl Mocks {
    /// `deptrust diff <args>` run in `dir`, with git on PATH.
    fn diff(&self, cache: &str, dir: &Path, args: &[&str]) -> Run {
        let output = self
            .deptrust(cache)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(dir)
            .arg("diff")
            .args(args)
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_names_a_new_publisher_and_lost_provenance_and_fails_only_on_the_delta() {
    let mocks = Mocks::start().await;
    mount_upgrades(&mocks).await;
    let base = mocks.work.path().join("base");
    let head = mocks.work.path().join("head");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::create_dir_all(&head).unwrap();
    write_package_lock(&base, &[("shady", "1.0.0"), ("better", "1.0.0")]);
    write_package_lock(&head, &[("shady", "1.1.0"), ("better", "1.1.0")]);

    let run = mocks.diff(
        "diff",
        mocks.work.path(),
        &[
            "base/package-lock.json",
            "head/package-lock.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let diff = run.json();
    assert_eq!(diff["schema_version"], 1);
    let packages = diff["projects"][0]["packages"].as_array().unwrap();
    let change = |name: &str| {
        packages
            .iter()
            .find(|p| p["package"] == format!("npm:{name}"))
            .unwrap_or_else(|| panic!("{name} in {diff:#}"))
    };
    let shady = change("shady");
    assert_eq!(shady["change"], "upgraded");
    let kinds: Vec<&str> = shady["trust"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"publisher-changed"), "{kinds:?}");
    assert!(kinds.contains(&"provenance-lost"), "{kinds:?}");
    assert!(kinds.contains(&"maintainers-added"), "{kinds:?}");
    assert_eq!(
        diff["gate"]["reasons"],
        json!(["npm:shady@1.1.0: provenance-dropped (deny), brought by this change"])
    );
    let better = change("better");
    assert_eq!(better["trust"][0]["kind"], "provenance-gained");
    assert_eq!(better["trust"][0]["improvement"], true);

    // The text view names both, the gate last.
    let run = mocks.diff(
        "diff",
        mocks.work.path(),
        &["base/package-lock.json", "head/package-lock.json"],
    );
    assert_eq!(run.code, 1);
    // The README's "Before an upgrade" sample is this output.
    insta::assert_snapshot!("diff-upgrade-table", run.stdout);
    assert!(
        run.stdout
            .contains("worse:  publisher-changed: 1.0.0 was published by alice, 1.1.0 by mallory"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("better: provenance-gained"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .trim_end()
            .ends_with("npm:shady@1.1.0: provenance-dropped (deny), brought by this change"),
        "{}",
        run.stdout
    );

    // SARIF of the change: only the findings it brings, at the head lockfile's lines.
    let sarif_path = mocks.work.path().join("diff.sarif");
    let run = mocks.diff(
        "diff",
        mocks.work.path(),
        &[
            "base/package-lock.json",
            "head/package-lock.json",
            "--sarif",
            sarif_path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"provenance-dropped"), "{rules:?}");
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"], "head/package-lock.json",
            "{result:#}"
        );
        assert!(
            location["region"]["startLine"].as_u64().unwrap() > 1,
            "{result:#}"
        );
        assert!(
            result["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("npm:shady@1.1.0"),
            "{result:#}"
        );
    }

    // An upgrade that only adds provenance passes, shown as an improvement.
    write_package_lock(&head, &[("shady", "1.0.0"), ("better", "1.1.0")]);
    let run = mocks.diff(
        "diff",
        mocks.work.path(),
        &[
            "base/package-lock.json",
            "head/package-lock.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("## deptrust diff: PASSED"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("✅ `provenance-gained"),
        "{}",
        run.stdout
    );
}

/// `deptrust diff` with no arguments: the last commit against the working tree, the base read
/// from git objects.
#[tokio::test(flavor = "multi_thread")]
async fn diff_between_a_git_revision_and_the_working_tree() {
    let mocks = Mocks::start().await;
    mount_upgrades(&mocks).await;
    let project = mocks.project();
    write_package_lock(&project, &[("shady", "1.0.0")]);
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .current_dir(&project)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    write_package_lock(&project, &[("shady", "1.1.0")]);

    let run = mocks.diff("git", &project, &["--format", "json"]);
    // The upgrade drops provenance (deny by default): the change fails the gate.
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let diff = run.json();
    assert_eq!(diff["base"], "HEAD");
    assert_eq!(diff["projects"].as_array().unwrap().len(), 1, "{diff:#}");
    assert_eq!(diff["projects"][0]["lockfile"], "package-lock.json");
    let shady = &diff["projects"][0]["packages"][0];
    assert_eq!(shady["from"], json!(["1.0.0"]));
    assert_eq!(shady["to"], json!(["1.1.0"]));
    assert!(
        shady["new_findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "provenance-dropped" && f["level"] == "deny"),
        "{shady:#}"
    );
    // The working tree is untouched.
    let lock = std::fs::read_to_string(project.join("package-lock.json")).unwrap();
    assert!(lock.contains("1.1.0"));
    // Two revisions, both read from git objects: the upgrade committed, the tree then reverted
    // by hand (the working tree no longer matches either).
    git(&["commit", "-q", "-am", "upgrade"]);
    write_package_lock(&project, &[("shady", "1.0.0")]);
    let run = mocks.diff("git", &project, &["HEAD~1", "HEAD", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let diff = run.json();
    assert_eq!(diff["base"], "HEAD~1");
    assert_eq!(diff["head"], "HEAD");
    assert_eq!(
        diff["projects"][0]["lockfile"], "package-lock.json",
        "{diff:#}"
    );
    assert_eq!(diff["projects"][0]["packages"][0]["to"], json!(["1.1.0"]));
    // A name that is neither a path nor a revision is an input error.
    let run = mocks.diff("git", &project, &["no-such-branch"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`no-such-branch` is neither a path nor a git revision"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// The trust ledger: owners compared on runners that keep no cache.

/// A PyPI owner added between two CI runs, each with an empty cache: without a ledger the
/// second run cannot tell (no earlier run is recorded); with the committed ledger it reports
/// `owners-changed` naming the ledger, and `deptrust trust --package` accepts the change.
#[tokio::test(flavor = "multi_thread")]
async fn a_pypi_owner_added_between_ci_runs_is_caught_through_the_ledger() {
    let mocks = Mocks::start().await;
    let project = mocks.project();
    std::fs::write(
        project.join("requirements.txt"),
        "demo-lib==1.0.0\n    # via -r requirements.in\n",
    )
    .unwrap();
    let mount = |owners: &'static [&'static str]| {
        let pypi = &mocks.pypi;
        async move {
            pypi.reset().await;
            let roles: Vec<Value> = owners
                .iter()
                .map(|user| json!({"role": "Owner", "user": user}))
                .collect();
            let filename = "demo_lib-1.0.0-py3-none-any.whl";
            let sha256 = format!("{:064x}", 7);
            serve(
                pypi,
                "/pypi/demo-lib/json",
                json!({"info": {"name": "demo-lib", "version": "1.0.0", "project_urls": null},
                       "ownership": {"organization": null, "roles": roles},
                       "releases": {"1.0.0": [{"filename": filename, "packagetype": "bdist_wheel",
                           "upload_time_iso_8601": "2024-01-01T00:00:00Z",
                           "digests": {"sha256": sha256}}]}}),
            )
            .await;
            serve(
                pypi,
                "/simple/demo-lib/",
                json!({"meta": {"api-version": "1.4"}, "name": "demo-lib", "versions": ["1.0.0"],
                       "files": [{"filename": filename, "hashes": {"sha256": sha256},
                                  "upload-time": "2024-01-01T00:00:00Z", "yanked": false}]}),
            )
            .await;
        }
    };
    let id = "pypi:demo-lib@1.0.0";
    let trust = |cache: &str, args: &[&str]| {
        let output = mocks
            .deptrust(cache)
            .current_dir(&project)
            .arg("trust")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };

    // Run 1 (its own empty cache): the team accepts what it sees and commits the ledger.
    mount(&["alice"]).await;
    trust("run-1", &[]);
    let ledger = std::fs::read_to_string(project.join("deptrust-ledger.toml")).unwrap();
    assert!(
        ledger.contains("[packages.\"pypi:demo-lib\"]\nowners = [\"pypi:user:alice\"]"),
        "{ledger}"
    );

    // Run 2, a fresh runner (empty cache), after an owner was added.
    mount(&["alice", "mallory"]).await;
    let report = mocks.scan("run-2", &["--format", "json"]).json();
    let changed = finding(&report, id, "owners-changed");
    let message = changed["message"].as_str().unwrap();
    assert!(
        message.contains("since the trust ledger (deptrust-ledger.toml)")
            && message.contains("mallory"),
        "{changed:#}"
    );

    // Without the ledger the same fresh runner has nothing to compare with.
    std::fs::rename(
        project.join("deptrust-ledger.toml"),
        mocks.work.path().join("ledger.bak"),
    )
    .unwrap();
    let report = mocks.scan("run-3", &["--format", "json"]).json();
    assert!(
        rules_at(&report, id, "warn")
            .iter()
            .all(|r| r != "owners-changed"),
        "{report:#}"
    );
    std::fs::rename(
        mocks.work.path().join("ledger.bak"),
        project.join("deptrust-ledger.toml"),
    )
    .unwrap();

    // Reviewed and accepted: the ledger is updated in the same pull request, and the next
    // fresh runner is quiet.
    trust("run-4", &["--package", "pypi:demo-lib"]);
    let ledger = std::fs::read_to_string(project.join("deptrust-ledger.toml")).unwrap();
    assert!(
        ledger.contains("owners = [\"pypi:user:alice\", \"pypi:user:mallory\"]"),
        "{ledger}"
    );
    let report = mocks.scan("run-5", &["--format", "json"]).json();
    assert!(
        rules_at(&report, id, "warn")
            .iter()
            .all(|r| r != "owners-changed"),
        "{report:#}"
    );
}

/// Two versions of one package, before any lockfile changes: the same trust delta.
#[tokio::test(flavor = "multi_thread")]
async fn diff_of_two_package_ids_shows_the_trust_delta() {
    let mocks = Mocks::start().await;
    mount_upgrades(&mocks).await;
    let run = mocks.diff(
        "ids",
        mocks.work.path(),
        &["npm:shady@1.0.0", "npm:shady@1.1.0", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let diff = run.json();
    let change = &diff["projects"][0]["packages"][0];
    assert_eq!(change["package"], "npm:shady");
    assert_eq!(change["change"], "upgraded");
    let kinds: Vec<&str> = change["trust"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"publisher-changed") && kinds.contains(&"provenance-lost"),
        "{kinds:?}"
    );
    assert_eq!(
        diff["gate"]["reasons"],
        json!(["npm:shady@1.1.0: provenance-dropped (deny), brought by this change"])
    );
    // The dependency the new version declares that the old one did not.
    assert_eq!(
        change["declared"],
        json!({"added": ["plain-crypto-js ^4.2.1"], "removed": []})
    );
    let run = mocks.diff(
        "ids",
        mocks.work.path(),
        &["npm:shady@1.0.0", "npm:other@1.1.0"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("are not two versions of one package"),
        "{}",
        run.stderr
    );
}

/// A crates.io version bump whose new release was published by someone else: the diff names
/// the new publisher (crates.io `published_by`) and the `new-publisher` finding it brings.
#[tokio::test(flavor = "multi_thread")]
async fn diff_catches_a_crates_io_bump_with_a_new_published_by() {
    let mocks = Mocks::start().await;
    let crates = MockServer::start().await;
    let lines = [
        json!({"name": "bumpy", "vers": "1.0.0", "deps": [], "cksum": "a".repeat(64),
               "features": {}, "yanked": false, "pubtime": "2025-01-10T10:00:00Z"}),
        json!({"name": "bumpy", "vers": "1.1.0", "deps": [], "cksum": "b".repeat(64),
               "features": {}, "yanked": false, "pubtime": "2026-11-20T10:00:00Z"}),
    ];
    let index: String = lines.iter().map(|line| format!("{line}\n")).collect();
    Mock::given(wiremock::matchers::path("/index/bu/mp/bumpy"))
        .respond_with(ResponseTemplate::new(200).set_body_string(index))
        .mount(&crates)
        .await;
    serve(
        &crates,
        "/api/v1/crates/bumpy",
        json!({"crate": {"name": "bumpy", "repository": null},
               "versions": [
                   {"num": "1.0.0", "created_at": "2025-01-10T10:00:00Z",
                    "published_by": {"id": 7, "login": "alice"}},
                   {"num": "1.1.0", "created_at": "2026-11-20T10:00:00Z",
                    "published_by": {"id": 666, "login": "mallory"}}]}),
    )
    .await;
    serve(
        &crates,
        "/api/v1/crates/bumpy/owners",
        json!({"users": [{"id": 7, "login": "alice", "kind": "user"}]}),
    )
    .await;
    let cargo_lock = |version: &str| {
        format!(
            "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"bumpy\"]\n\n[[package]]\nname = \"bumpy\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        )
    };
    for (dir, version) in [("base", "1.0.0"), ("head", "1.1.0")] {
        let dir = mocks.work.path().join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("Cargo.lock"), cargo_lock(version)).unwrap();
    }
    let output = mocks
        .deptrust("crates")
        .env("DEPTRUST_CRATES_INDEX", format!("{}/index/", crates.uri()))
        .env("DEPTRUST_CRATES_API", format!("{}/", crates.uri()))
        .current_dir(mocks.work.path())
        .args([
            "diff",
            "base/Cargo.lock",
            "head/Cargo.lock",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let diff: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
    let change = &diff["projects"][0]["packages"][0];
    assert_eq!(change["package"], "cargo:bumpy", "{diff:#}");
    assert_eq!(change["change"], "upgraded");
    assert_eq!(
        change["trust"][0]["kind"], "publisher-changed",
        "{change:#}"
    );
    assert_eq!(
        change["trust"][0]["detail"],
        "1.0.0 was published by alice, 1.1.0 by mallory"
    );
    assert!(
        change["new_findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "new-publisher"),
        "{change:#}"
    );
}

/// The ledger's publishers: an upgrade to a version published by an identity the ledger did
/// not accept is a `new-publisher` finding whatever the release's age, until a reviewer
/// accepts it with `deptrust trust --package`.
#[tokio::test(flavor = "multi_thread")]
async fn a_publisher_outside_the_ledger_is_reported_until_accepted() {
    let mocks = Mocks::start().await;
    mount_upgrades(&mocks).await;
    let project = mocks.project();
    let id = "npm:shady@1.1.0";
    let trust = |cache: &str, args: &[&str]| {
        let output = mocks
            .deptrust(cache)
            .current_dir(&project)
            .arg("trust")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    write_package_lock(&project, &[("shady", "1.0.0")]);
    trust("p1", &[]);
    let ledger = std::fs::read_to_string(project.join("deptrust-ledger.toml")).unwrap();
    assert!(
        ledger.contains("publishers = [\"npm:user:alice\"]"),
        "{ledger}"
    );

    // The upgrade: 1.1.0 was published by mallory (long enough ago that the release history
    // alone would no longer count it).
    write_package_lock(&project, &[("shady", "1.1.0")]);
    let report = mocks.scan("p2", &["--format", "json"]).json();
    let found = finding(&report, id, "new-publisher");
    let message = found["message"].as_str().unwrap();
    assert!(
        message.contains(
            "was published by mallory, who is not among the publishers accepted in the trust ledger"
        ),
        "{found:#}"
    );

    trust("p3", &["--package", "npm:shady"]);
    let report = mocks.scan("p4", &["--format", "json"]).json();
    assert!(
        rules_at(&report, id, "warn")
            .iter()
            .all(|r| r != "new-publisher"),
        "{report:#}"
    );
}

/// Two versions of a PyPI project: the old one's dependencies come from its own JSON API
/// document (the project document describes only the latest release).
#[tokio::test(flavor = "multi_thread")]
async fn diff_of_two_pypi_versions_shows_what_the_new_one_declares() {
    let mocks = Mocks::start().await;
    let file = |version: &str, day: u32| {
        json!({"filename": format!("demo_lib-{version}-py3-none-any.whl"),
               "packagetype": "bdist_wheel",
               "upload_time_iso_8601": format!("2024-01-{day:02}T00:00:00Z"),
               "digests": {"sha256": format!("{day:064x}")}})
    };
    serve(
        &mocks.pypi,
        "/pypi/demo-lib/json",
        json!({"info": {"name": "demo-lib", "version": "1.1.0", "project_urls": null,
                        "requires_dist": ["idna>=2", "evil-pkg>=0.1"]},
               "ownership": {"organization": null, "roles": [{"role": "Owner", "user": "alice"}]},
               "releases": {"1.0.0": [file("1.0.0", 1)], "1.1.0": [file("1.1.0", 2)]}}),
    )
    .await;
    serve(
        &mocks.pypi,
        "/pypi/demo-lib/1.0.0/json",
        json!({"info": {"name": "demo-lib", "version": "1.0.0", "requires_dist": ["idna>=2"]},
               "releases": {}}),
    )
    .await;
    let run = mocks.diff(
        "pypi-ids",
        mocks.work.path(),
        &[
            "pypi:demo-lib@1.0.0",
            "pypi:demo-lib@1.1.0",
            "--format",
            "json",
        ],
    );
    let diff = run.json();
    assert_eq!(
        diff["projects"][0]["packages"][0]["declared"],
        json!({"added": ["evil-pkg >=0.1"], "removed": []}),
        "{diff:#}\n{}",
        run.stderr
    );
}

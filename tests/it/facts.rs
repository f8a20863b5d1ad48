//! `deptrust facts` end to end against loopback mocks: snapshot and replay give the same facts,
//! offline mode turns what is not cached into unknowns, tokens go only to their own host and
//! never into output, snapshots or the cache, and registry text reaches the terminal inert.

use std::path::Path;

use assert_cmd::Command;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{sample, subject_integrity};

const TOKEN: &str = "ghp_secret_token_0123456789";
const NOW: &str = "2026-11-28T12:00:00Z";

fn packument(maintainer: &str) -> serde_json::Value {
    serde_json::json!({
        "name": "left-pad",
        "dist-tags": {"latest": "1.3.0"},
        "time": {"created": "2014-03-01T00:00:00.000Z", "1.3.0": "2018-04-09T01:35:13.720Z"},
        "maintainers": [{"name": maintainer, "email": "m@example.com"}],
        "repository": {"type": "git", "url": "git+https://github.com/stevemao/left-pad.git"},
        "versions": {"1.3.0": {
            "name": "left-pad", "version": "1.3.0",
            "_npmUser": {"name": maintainer, "email": "m@example.com"},
            "repository": {"type": "git", "url": "git+https://github.com/stevemao/left-pad.git"},
            "scripts": {"postinstall": "node evil.js"},
            "dist": {"integrity": "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQpjTPpHJ/YyjRhbpH3SD/hAJCvX0O5YINYawVcHgc/ZA9dKg=="}
        }}
    })
}

/// A port where nothing listens.
fn refused() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}

fn deptrust(npm: &str, github: &str, cache: &Path) -> Command {
    let dead = refused();
    let mut command = Command::cargo_bin("deptrust").unwrap();
    command
        .env_clear()
        .env("DEPTRUST_NO_CARGO_METADATA", "1")
        .env("DEPTRUST_NPM_REGISTRY", npm)
        .env("DEPTRUST_GITHUB_API", github)
        .env("DEPTRUST_PYPI_URL", &dead)
        .env("DEPTRUST_CRATES_INDEX", &dead)
        .env("DEPTRUST_CRATES_API", &dead)
        .env("DEPTRUST_CACHE_DIR", cache)
        .env("DEPTRUST_NOW", NOW)
        .env("GITHUB_TOKEN", TOKEN);
    command
}

fn stdout_of(command: &mut Command) -> (i32, String, String) {
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn every_file_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            all.extend(every_file_bytes(&path));
        } else {
            all.extend(std::fs::read(&path).unwrap_or_default());
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_replay_offline_and_tokens() {
    let npm = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/left-pad"))
        .respond_with(ResponseTemplate::new(200).set_body_json(packument("stevemao")))
        .expect(1)
        .mount(&npm)
        .await;
    let github = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/stevemao/left-pad"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": 18245939, "full_name": "stevemao/left-pad", "owner": {"login": "stevemao", "id": 1},
            "archived": true, "disabled": false, "pushed_at": "2018-04-09T01:35:13Z",
            "default_branch": "master", "stargazers_count": 1234, "forks_count": 99
        })))
        .expect(1)
        .mount(&github)
        .await;

    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let snapshot = work.path().join("facts.json");
    let npm_url = format!("{}/", npm.uri());
    let github_url = format!("{}/", github.uri());

    // 1. Live (from the mocks), writing a snapshot.
    let (code, live, stderr) = stdout_of(
        deptrust(&npm_url, &github_url, &cache)
            .args([
                "facts",
                "npm:left-pad@1.3.0",
                "--format",
                "json",
                "--snapshot",
            ])
            .arg(&snapshot),
    );
    assert_eq!(code, 0, "{stderr}");
    let document: serde_json::Value = serde_json::from_str(&live).unwrap();
    let facts = &document["facts"][0];
    assert_eq!(facts["id"], "npm:left-pad@1.3.0");
    assert_eq!(document["now"], NOW);
    assert_eq!(
        facts["install_scripts"]["known"]["postinstall"],
        "node evil.js"
    );
    assert_eq!(facts["repository_facts"]["known"]["archived"], true);
    assert!(
        !live.contains("stargazers") && !live.contains("forks_count") && !live.contains("1234")
    );

    // The token reached GitHub (the mock only answers with it) and nothing else.
    for request in npm.received_requests().await.unwrap() {
        assert!(request.headers.get("authorization").is_none());
    }
    let snapshot_bytes = std::fs::read(&snapshot).unwrap();
    for (what, bytes) in [
        ("stdout", live.as_bytes().to_vec()),
        ("stderr", stderr.as_bytes().to_vec()),
        ("snapshot", snapshot_bytes.clone()),
        ("cache", every_file_bytes(&cache)),
    ] {
        assert!(!contains(&bytes, TOKEN), "the token leaked into {what}");
    }

    // 2. The same cache again: no request (the mocks expect exactly one each).
    let (code, cached, _) = stdout_of(deptrust(&npm_url, &github_url, &cache).args([
        "facts",
        "npm:left-pad@1.3.0",
        "--format",
        "json",
    ]));
    assert_eq!(code, 0);
    assert_eq!(cached, live);

    // 3. Replay with every service unreachable: the same facts.
    let dead = refused();
    let (code, replayed, stderr) = stdout_of(
        deptrust(&dead, &dead, &work.path().join("other-cache"))
            .args([
                "facts",
                "npm:left-pad@1.3.0",
                "--format",
                "json",
                "--replay",
            ])
            .arg(&snapshot),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(replayed, live);

    // 4. Offline with an empty cache: every fact unknown, with the reason; still exit 0.
    let (code, offline, stderr) = stdout_of(
        deptrust(&dead, &dead, &work.path().join("empty-cache")).args([
            "facts",
            "npm:left-pad@1.3.0",
            "--format",
            "json",
            "--offline",
        ]),
    );
    assert_eq!(code, 0, "{stderr}");
    let document: serde_json::Value = serde_json::from_str(&offline).unwrap();
    let reason = document["facts"][0]["releases"]["unknown"]
        .as_str()
        .unwrap();
    assert!(reason.contains("--offline"), "{reason}");
}

#[tokio::test(flavor = "multi_thread")]
async fn registry_text_reaches_the_terminal_inert() {
    let npm = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/left-pad"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(packument("evil\u{1b}]0;owned\u{7}\u{1b}[2Jname")),
        )
        .mount(&npm)
        .await;
    let work = tempfile::tempdir().unwrap();
    let dead = refused();
    let (code, table, stderr) = stdout_of(
        deptrust(&format!("{}/", npm.uri()), &dead, work.path()).args([
            "facts",
            "npm:left-pad@1.3.0",
            "--format",
            "table",
        ]),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(table.contains("evil"), "{table}");
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn bad_package_ids_and_clocks_are_usage_errors() {
    let work = tempfile::tempdir().unwrap();
    let dead = refused();
    let (code, _, stderr) =
        stdout_of(deptrust(&dead, &dead, work.path()).args(["facts", "npm:left-pad"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("not a package id"), "{stderr}");
    let (code, _, stderr) = stdout_of(deptrust(&dead, &dead, work.path()).args([
        "facts",
        "npm:a@1",
        "--now",
        "yesterday",
    ]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--now"), "{stderr}");
}

/// `deptrust facts` verifies registry signatures and npm provenance end to end, from a mock
/// registry serving real attestations and keys; a warm run verifies nothing again.
#[tokio::test]
async fn facts_show_verified_provenance_and_signatures() {
    let (attestations, keys, signed) = (
        sample("npm-attestations.json"),
        sample("npm-keys.json"),
        sample("npm-packument-full.json"),
    );
    let integrity = subject_integrity(&attestations["attestations"][0]["bundle"]);

    let server = MockServer::start().await;
    let base = format!("{}/", server.uri());
    let packument = serde_json::json!({
        "name": "gundam-visor",
        "time": {"1.0.0": "2024-06-01T00:00:00.000Z", "1.0.1": "2024-06-03T18:00:00.000Z"},
        "maintainers": [{"name": "ramonpetgrave64"}],
        "versions": {
            "1.0.0": {"name": "gundam-visor", "version": "1.0.0",
                      "_npmUser": {"name": "ramonpetgrave64"},
                      "dist": {"integrity": "sha512-AAAA"}},
            "1.0.1": {"name": "gundam-visor", "version": "1.0.1",
                      "_npmUser": {"name": "GitHub Actions", "trustedPublisher": {"id": "github"}},
                      "dist": {"integrity": integrity,
                               "attestations": {"url": "https://registry.npmjs.org/-/npm/v1/attestations/gundam-visor@1.0.1",
                                                "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}}}
        }
    });
    for (at, body) in [
        ("/gundam-visor", packument),
        ("/-/npm/v1/attestations/gundam-visor@1.0.1", attestations),
        ("/-/npm/v1/keys", keys),
        ("/@ljharb%2Fhas-package-exports-patterns", signed),
    ] {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let cache = tempfile::tempdir().unwrap();
    let targets = [
        "npm:gundam-visor@1.0.1",
        "npm:@ljharb/has-package-exports-patterns@0.0.2",
    ];
    let (code, json, stderr) = stdout_of(
        deptrust(&base, &refused(), cache.path())
            .args(["facts", "--format", "json"])
            .args(targets),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("2 verified now, 0 results from the cache"),
        "{stderr}"
    );
    let document: serde_json::Value = serde_json::from_str(&json).unwrap();
    let gundam = document["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "gundam-visor")
        .unwrap();
    let release = gundam["releases"]["known"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["version"] == "1.0.1")
        .unwrap();
    let verification = &release["verification"];
    assert_eq!(
        verification["provenance"]["status"], "verified",
        "{verification}"
    );
    let identity = &verification["provenance"]["identity"];
    assert_eq!(
        identity["repository"],
        "https://github.com/ramonpetgrave64/gundam-visor"
    );
    assert_eq!(identity["repository_id"], "810002373");
    assert_eq!(identity["workflow"], ".github/workflows/npm-publish.yml");
    assert_eq!(identity["builder"], "github-hosted");
    // The mock registry serves keys, but this constructed version carries no signature.
    assert_eq!(verification["registry_signature"]["status"], "missing");
    let signed = document["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "@ljharb/has-package-exports-patterns")
        .unwrap();
    let release = signed["releases"]["known"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["version"] == "0.0.2")
        .unwrap();
    assert_eq!(
        release["verification"]["registry_signature"]["status"], "verified",
        "{release}"
    );

    // The table says the same, and a warm run verifies nothing again.
    let (code, table, stderr) = stdout_of(
        deptrust(&base, &refused(), cache.path())
            .args(["facts", "--format", "table"])
            .args(targets),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("0 verified now, 2 results from the cache"),
        "{stderr}"
    );
    assert!(
        table.contains(
            "npm:gundam-visor@1.0.1 provenance verified: repository https://github.com/ramonpetgrave64/gundam-visor id 810002373 workflow .github/workflows/npm-publish.yml ref refs/tags/v1.0.1 builder github-hosted trigger release"
        ),
        "{table}"
    );
    assert!(
        table.contains("npm:@ljharb/has-package-exports-patterns@0.0.2 registry signature verified (key SHA256:jl3b"),
        "{table}"
    );
}

/// A deptrust.toml inside the scanned project (which a pull request can change) may point a
/// service elsewhere, but the operator's token does not follow it there.
#[tokio::test]
async fn a_project_config_cannot_redirect_the_token() {
    let npm = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/left-pad"))
        .respond_with(ResponseTemplate::new(200).set_body_json(packument("stevemao")))
        .mount(&npm)
        .await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&elsewhere)
        .await;
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("deptrust.toml"),
        format!(
            "version = 1\n[registries]\ngithub-api = \"{}/\"\n",
            elsewhere.uri()
        ),
    )
    .unwrap();
    std::fs::write(
        project.path().join("package-lock.json"),
        r#"{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
            "packages": {"": {"name": "app", "version": "1.0.0", "dependencies": {"left-pad": "^1.3.0"}},
                         "node_modules/left-pad": {"version": "1.3.0",
                           "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
                           "integrity": "sha512-AAAA"}}}"#,
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let mut command = Command::cargo_bin("deptrust").unwrap();
    command
        .env_clear()
        .env("DEPTRUST_NO_CARGO_METADATA", "1")
        .env("DEPTRUST_NPM_REGISTRY", format!("{}/", npm.uri()))
        .env("DEPTRUST_PYPI_URL", refused())
        .env("DEPTRUST_CRATES_INDEX", refused())
        .env("DEPTRUST_CRATES_API", refused())
        .env("DEPTRUST_CACHE_DIR", cache.path())
        .env("DEPTRUST_NOW", NOW)
        .env("GITHUB_TOKEN", TOKEN)
        .arg("scan")
        .arg(project.path());
    let (code, _, stderr) = stdout_of(&mut command);
    assert_eq!(code, 0, "{stderr}");
    let requests = elsewhere.received_requests().await.unwrap();
    assert!(
        !requests.is_empty(),
        "the configured endpoint is still used"
    );
    for request in requests {
        assert!(
            !request.headers.contains_key("authorization"),
            "{:?}",
            request.headers
        );
    }
    assert!(
        stderr.contains("GITHUB_TOKEN is not sent to")
            && stderr.contains("set only in deptrust.toml"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN));
}

//! `deptrust scan` against a hostile registry on loopback (issue 11 item 5): every answer is a
//! `200` of the wrong shape. A registry fault makes the facts drawn from it unknown, with a
//! reason naming the URL and what was expected; it never clears a signal (`no-source-repo`,
//! `deprecated`, `install-script` judged on a document that is not one) and never becomes a
//! verdict (`provenance-invalid`, critical, from a document that is not a provenance document).
//! A malformed `200` is a reached registry, so the gate passes with unknowns (exit 0, `docs/scoring.md`,
//! "Coverage and unknowns"); only `unknown = "deny"` would fail it.

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{package, refused_localhost};

/// The pinned clock of every run.
const NOW: &str = "2026-11-28T12:00:00Z";

/// A constructed registry document from `fixtures/registry/<service>/`.
fn fixture(service: &str, name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/registry")
        .join(service)
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Answers GET `at` with `body` as it is, status 200.
async fn serve(server: &MockServer, at: &str, body: impl Into<String>) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.into().into_bytes(), "application/json"),
        )
        .mount(server)
        .await;
}

fn rules(package: &Value) -> Vec<&str> {
    package["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap())
        .collect()
}

/// The reason the report gives for `rule`'s unknown fact `fact`.
fn unknown<'a>(package: &'a Value, rule: &str, fact: &str) -> &'a str {
    package["unknown"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["rule"] == rule && entry["fact"] == fact)
        .and_then(|entry| entry["reason"].as_str())
        .unwrap_or_else(|| panic!("no unknown {rule}/{fact}: {package:#}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_registry_leaves_facts_unknown_and_never_fails_the_gate() {
    let npm = MockServer::start().await;
    let pypi = MockServer::start().await;
    let github = MockServer::start().await;
    let work = tempfile::tempdir().unwrap();

    // npm: a packument that is `{}`; one whose version documents are lists; one whose
    // attestations endpoint answers `{}`.
    serve(&npm, "/blank", "{}").await;
    serve(
        &npm,
        "/hostile",
        fixture("npm", "hostile-version-shapes.json"),
    )
    .await;
    let attestations = format!("{}/-/npm/v1/attestations/attested@1.0.0", npm.uri());
    let integrity = format!("sha512-{}==", "A".repeat(86));
    let attested = json!({
        "name": "attested",
        "time": {"created": "2025-01-02T00:00:00.000Z", "1.0.0": "2025-01-02T00:00:00.000Z"},
        "maintainers": [{"name": "alice", "email": "alice@example.com"}],
        "repository": {"type": "git", "url": "git+https://github.com/example/attested.git"},
        "versions": {"1.0.0": {
            "name": "attested", "version": "1.0.0",
            "_npmUser": {"name": "alice", "email": "alice@example.com"},
            "maintainers": [{"name": "alice", "email": "alice@example.com"}],
            "repository": {"type": "git", "url": "git+https://github.com/example/attested.git"},
            "dist": {
                "integrity": integrity,
                "attestations": {"url": attestations,
                                 "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}},
            },
        }},
    });
    serve(&npm, "/attested", attested.to_string()).await;
    serve(&npm, "/-/npm/v1/attestations/attested@1.0.0", "{}").await;

    // PyPI: a project whose JSON API answers `{}` and Simple API an error object; one with a
    // file entry `yanked: 1`; one whose Integrity API answers `{}`.
    serve(&pypi, "/pypi/blank/json", "{}").await;
    serve(&pypi, "/simple/blank/", r#"{"error": "not found"}"#).await;
    serve(
        &pypi,
        "/pypi/hostile/json",
        fixture("pypi", "hostile-yanked-number.json"),
    )
    .await;
    serve(
        &pypi,
        "/simple/hostile/",
        fixture("pypi", "hostile-yanked-number-simple.json"),
    )
    .await;
    let sdist = "attestedpy-1.0.0.tar.gz";
    let file = json!({
        "filename": sdist, "packagetype": "sdist",
        "digests": {"sha256": "3".repeat(64)},
        "upload_time_iso_8601": "2025-01-02T00:00:00.000000Z", "yanked": false,
    });
    serve(
        &pypi,
        "/pypi/attestedpy/json",
        json!({
            "info": {"name": "attestedpy", "project_urls": {"Source": "https://github.com/example/attestedpy"}},
            "releases": {"1.0.0": [file]},
            "ownership": {"roles": [{"role": "Owner", "user": "alice"}], "organization": null},
        })
        .to_string(),
    )
    .await;
    let provenance = format!("/integrity/attestedpy/1.0.0/{sdist}/provenance");
    serve(
        &pypi,
        "/simple/attestedpy/",
        json!({
            "meta": {"api-version": "1.4", "_last-serial": 1},
            "name": "attestedpy",
            "versions": ["1.0.0"],
            "project-status": {"status": "active"},
            "files": [{
                "filename": sdist, "url": format!("https://files.example/{sdist}"),
                "hashes": {"sha256": "3".repeat(64)},
                "upload-time": "2025-01-02T00:00:00.000000Z", "yanked": false,
                "provenance": provenance,
            }],
        })
        .to_string(),
    )
    .await;
    serve(&pypi, &provenance, "{}").await;

    let project = work.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let mut packages = serde_json::Map::new();
    packages.insert(
        String::new(),
        json!({"name": "app", "version": "1.0.0",
               "dependencies": {"blank": "^1.0.0", "hostile": "^1.0.0", "attested": "^1.0.0"}}),
    );
    for name in ["blank", "hostile", "attested"] {
        packages.insert(
            format!("node_modules/{name}"),
            json!({"version": "1.0.0",
                   "resolved": format!("https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz"),
                   "integrity": "sha512-AAAA"}),
        );
    }
    let lock = json!({"name": "app", "version": "1.0.0", "lockfileVersion": 3,
                      "requires": true, "packages": packages});
    std::fs::write(project.join("package-lock.json"), lock.to_string()).unwrap();
    std::fs::write(
        project.join("requirements.txt"),
        "blank==1.0.0\n    # via -r requirements.in\nhostile==2.0\n    # via -r requirements.in\nattestedpy==1.0.0\n    # via -r requirements.in\n",
    )
    .unwrap();

    let dead = refused_localhost();
    let output = Command::cargo_bin("deptrust")
        .unwrap()
        .env_clear()
        .env("DEPTRUST_NO_CARGO_METADATA", "1")
        .current_dir(work.path())
        .env("DEPTRUST_NPM_REGISTRY", format!("{}/", npm.uri()))
        .env("DEPTRUST_PYPI_URL", format!("{}/", pypi.uri()))
        .env("DEPTRUST_GITHUB_API", format!("{}/", github.uri()))
        .env("DEPTRUST_CRATES_INDEX", &dead)
        .env("DEPTRUST_CRATES_API", &dead)
        .env("DEPTRUST_CACHE_DIR", work.path().join("cache"))
        .env("DEPTRUST_NOW", NOW)
        .arg("scan")
        .arg(&project)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {stdout}\nstderr: {stderr}"));

    // The registry answered: no package counts as not reached, the gate passes with unknowns.
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(report["gate"]["passed"], true, "{report:#}");
    for project in report["projects"].as_array().unwrap() {
        for package in project["packages"].as_array().unwrap() {
            for finding in package["findings"].as_array().unwrap() {
                assert_ne!(finding["level"], "deny", "{package:#}");
                assert_ne!(finding["rule"], "provenance-invalid", "{package:#}");
            }
        }
    }

    // npm `{}`: not a packument, every fact unknown; nothing judged "none".
    let blank = package(&report, "npm:blank@1.0.0");
    let not_a_packument = format!(
        "`{}/blank`: not a packument (a `name` string and a `versions` object): `name` is missing",
        npm.uri()
    );
    assert_eq!(
        unknown(blank, "install-script", "install_scripts"),
        not_a_packument
    );
    assert_eq!(unknown(blank, "deprecated", "status"), not_a_packument);
    assert!(rules(blank).is_empty(), "{blank:#}");

    // npm: the version document in use is a list, not "no install scripts, not deprecated".
    let hostile = package(&report, "npm:hostile@1.0.0");
    let not_a_version = format!(
        "`{}/hostile`: the document of `hostile@1.0.0` is not a version object: found a list where an object is expected",
        npm.uri()
    );
    assert_eq!(
        unknown(hostile, "install-script", "install_scripts"),
        not_a_version
    );
    assert_eq!(unknown(hostile, "deprecated", "status"), not_a_version);
    assert!(!rules(hostile).contains(&"install-script"), "{hostile:#}");

    // npm: the attestations endpoint answers `{}`: unknown, not invalid.
    let attested = package(&report, "npm:attested@1.0.0");
    let reason = unknown(attested, "provenance-invalid", "provenance");
    assert!(
        reason.contains(&format!(
            "`{attestations}`: not an attestations document: the attestations document has no `attestations` list"
        )),
        "{reason}"
    );

    // PyPI `{}` and an error object: nothing judged, not "no source repository".
    let blank = package(&report, "pypi:blank@1.0.0");
    let json_url = format!("{}/pypi/blank/json", pypi.uri());
    let simple_url = format!("{}/simple/blank/", pypi.uri());
    let not_a_project = format!(
        "`{json_url}` is not a PyPI project document: no `info`/`releases` object (`info` is missing, `releases` is missing)"
    );
    assert_eq!(
        unknown(blank, "no-source-repo", "repository"),
        not_a_project
    );
    let not_a_page = format!(
        "`{simple_url}` is not a Simple API project page (PEP 691: `meta.api-version`, `name`, `files` list): `meta` is missing"
    );
    assert_eq!(unknown(blank, "deprecated", "status"), not_a_page);
    assert_eq!(
        unknown(blank, "archived", "repository_facts"),
        format!("the repository is unknown: {not_a_project}")
    );
    let releases = unknown(blank, "yanked", "releases");
    assert_eq!(releases, format!("{not_a_project}; {not_a_page}"));
    let judged = rules(blank);
    for rule in ["no-source-repo", "deprecated", "archived"] {
        assert!(!judged.contains(&rule), "{blank:#}");
    }

    // PyPI `yanked: 1`: whether the release in use is yanked is unknown, not "not yanked".
    let hostile = package(&report, "pypi:hostile@2.0");
    let reason = unknown(hostile, "yanked", "releases");
    assert!(
        reason.starts_with(&format!(
            "whether 2.0 (the version in use) is yanked is unknown: `{}/pypi/hostile/json`: a file of release 2.0 is not a file entry (`filename` a string, `yanked` true or false)",
            pypi.uri()
        )),
        "{reason}"
    );

    // PyPI: the Integrity API answers `{}`: unknown, not invalid.
    let attested = package(&report, "pypi:attestedpy@1.0.0");
    let reason = unknown(attested, "provenance-invalid", "provenance");
    assert!(
        reason.contains(&format!(
            "`{}{provenance}` is not a provenance document (PEP 740): no `attestation_bundles` list",
            pypi.uri()
        )),
        "{reason}"
    );
}

use std::cmp::Ordering;

use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::decoding::{declared_repository, version_from_filename};
use super::wire::Info;
use super::*;

use crate::model::facts::IdentityKind;

use crate::registry::test_support::sample_text as sample;
use crate::registry::test_support::{at, find, releases, unknown_reason as unknown};
use crate::registry::test_support::{fixture_bytes, quick_net};

fn fixture(name: &str) -> String {
    String::from_utf8(fixture_bytes("pypi", name)).expect("a UTF-8 fixture")
}

fn client(server: &MockServer) -> PypiClient {
    let net = quick_net();
    let base = Url::parse(&format!("{}/", server.uri())).expect("the mock's URL");
    PypiClient::new(net, base)
}

async fn serve(server: &MockServer, at: &str, status: u16, body: impl Into<String>) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(status).set_body_string(body.into()))
        .mount(server)
        .await;
}

/// The Simple API page, served only to clients that ask for its JSON form.
async fn serve_simple(server: &MockServer, name: &str, body: impl Into<String>) {
    Mock::given(method("GET"))
        .and(path(format!("/simple/{name}/")))
        .and(header("accept", SIMPLE_ACCEPT))
        .respond_with(ResponseTemplate::new(200).set_body_string(body.into()))
        .mount(server)
        .await;
}

const SAMPLEPROJECT_FILES: [&str; 2] = [
    "sampleproject-4.0.0-py3-none-any.whl",
    "sampleproject-4.0.0.tar.gz",
];

/// sampleproject as PyPI serves it: project document, Simple API page, and the GitHub
/// provenance for both files of 4.0.0.
async fn sampleproject(server: &MockServer) {
    serve(
        server,
        "/pypi/sampleproject/json",
        200,
        sample("pypi-project.json"),
    )
    .await;
    serve_simple(
        server,
        "sampleproject",
        fixture("sampleproject-simple.json"),
    )
    .await;
    for file in SAMPLEPROJECT_FILES {
        let at = format!("/integrity/sampleproject/4.0.0/{file}/provenance");
        serve(server, &at, 200, sample("pypi-provenance.json")).await;
    }
}

fn github_publisher() -> (Provenance, Option<Identity>) {
    (
        Provenance::TrustedPublishing {
            provider: "github".into(),
            repository: Some("pypa/sampleproject".into()),
            workflow: Some("release.yml".into()),
            run: None,
            commit: None,
        },
        Some(Identity {
            id: "trusted-publisher:github:pypa/sampleproject".into(),
            display: "pypa/sampleproject".into(),
            kind: IdentityKind::TrustedPublisher,
        }),
    )
}

#[tokio::test]
async fn the_samples_give_every_fact() {
    let server = MockServer::start().await;
    sampleproject(&server).await;
    let (facts, notes) = client(&server)
        .package_with_notes("sampleproject", "4.0.0")
        .await;

    assert_eq!(facts.id.to_string(), "pypi:sampleproject@4.0.0");
    assert_eq!(facts.ecosystem, crate::model::Ecosystem::Pypi);
    let versions: Vec<&str> = releases(&facts)
        .iter()
        .map(|r| r.version.as_str())
        .collect();
    assert_eq!(
        versions,
        ["1.0", "1.2.0", "1.3.0", "1.3.1", "2.0.0", "3.0.0", "4.0.0"]
    );
    // The earliest upload of the release's files.
    assert_eq!(
        find(&facts, "1.2.0").published,
        at("2015-06-14T14:37:56.383366Z")
    );
    assert_eq!(
        find(&facts, "4.0.0").published,
        at("2024-11-06T22:37:09.220617Z")
    );
    // A release without files has no time.
    assert_eq!(find(&facts, "1.0").published, None);
    let (provenance, publisher) = github_publisher();
    assert_eq!(find(&facts, "4.0.0").provenance, Fact::Known(provenance));
    assert_eq!(find(&facts, "4.0.0").publisher, Fact::Known(publisher));
    assert_eq!(
        find(&facts, "1.2.0").provenance,
        Fact::Known(Provenance::None)
    );
    // PyPI names publishers only through provenance, fetched for the version in use.
    assert!(unknown(&find(&facts, "1.2.0").publisher).contains("only through provenance"));
    // Two files: no single digest.
    assert_eq!(find(&facts, "4.0.0").integrity, None);
    assert!(!find(&facts, "4.0.0").yanked);

    let owners = facts.owners.known().expect("owners are known");
    let owners: Vec<(&str, Option<&str>, IdentityKind)> = owners
        .iter()
        .map(|o| (o.identity.id.as_str(), o.role.as_deref(), o.identity.kind))
        .collect();
    assert_eq!(
        owners,
        [
            ("pypi:user:theacodes", Some("Owner"), IdentityKind::User),
            ("pypi:user:pypa-bot", Some("Maintainer"), IdentityKind::User),
            ("pypi:org:pypa", None, IdentityKind::Team),
        ]
    );
    // `Source` wins over `Homepage`; the URL is kept as declared.
    assert_eq!(
        facts.repository,
        Fact::Known(Some("https://github.com/pypa/sampleproject/".into()))
    );
    assert_eq!(facts.status, Fact::Known(Status::default()));
    assert!(unknown(&facts.install_scripts).contains("install hooks"));
    assert_eq!(unknown(&facts.repository_facts), "not looked up");
    // The docs sample elides some files as "...": skipped, with a note each.
    assert!(
        notes
            .iter()
            .any(|n| n.contains("a file of release 1.3.0 is not a file entry")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn the_simple_api_sample_answers_when_the_json_api_says_404() {
    let server = MockServer::start().await;
    serve(&server, "/pypi/certifi/json", 404, "Not Found").await;
    let page =
        sample("pypi-simple.json").replace("https://pypi.org/", &format!("{}/", server.uri()));
    serve_simple(&server, "certifi", page).await;
    for file in [
        "certifi-2026.7.22-py3-none-any.whl",
        "certifi-2026.7.22.tar.gz",
    ] {
        let at = format!("/integrity/certifi/2026.7.22/{file}/provenance");
        serve(&server, &at, 200, sample("pypi-provenance.json")).await;
    }
    let facts = client(&server).package("certifi", "2026.7.22").await;

    let reason = unknown(&facts.owners);
    assert!(
        reason.contains("/pypi/certifi/json") && reason.contains("404"),
        "{reason}"
    );
    assert_eq!(unknown(&facts.repository), reason);
    assert_eq!(facts.status, Fact::Known(Status::default()));

    let versions: Vec<&str> = releases(&facts)
        .iter()
        .map(|r| r.version.as_str())
        .collect();
    assert_eq!(
        versions,
        [
            "0.0.1",
            "0.0.2",
            "0.0.3",
            "2022.5.18",
            "2026.5.20",
            "2026.6.17",
            "2026.7.22"
        ]
    );
    let yanked = find(&facts, "2022.5.18");
    assert!(yanked.yanked);
    assert_eq!(
        yanked.yank_reason.as_deref(),
        Some("Incorrectly claims to support Python 3.5.")
    );
    assert_eq!(yanked.published, at("2022-05-18T19:12:27.308911Z"));
    assert_eq!(
        find(&facts, "0.0.1").integrity.as_deref(),
        Some("sha256:a6f0d79b2b63a43c71bc128929be3a17bdf5d0a5f74208d7ad9563b3bf8210e9")
    );
    // Listed in `versions` only (the sample is trimmed): known to exist, no time.
    assert_eq!(find(&facts, "0.0.3").published, None);
    assert_eq!(
        find(&facts, "2026.7.22").provenance,
        Fact::Known(github_publisher().0)
    );
}

#[tokio::test]
async fn a_google_publisher_is_named_by_its_service_account() {
    let server = MockServer::start().await;
    serve(&server, "/pypi/gcb-attestation-test/json", 404, "").await;
    let page = json!({
        "meta": {"api-version": "1.4"},
        "name": "gcb-attestation-test",
        "files": [{
            "filename": "gcb_attestation_test-0.0.0.tar.gz",
            "upload-time": "2025-04-21T15:02:30.000000Z",
            "yanked": false,
            "hashes": {"sha256": "461317362419124b6012e855423a9078d6de8aed3e74fa78cc74d669b23dc6cf"},
            "provenance": "/integrity/gcb-attestation-test/0.0.0/gcb_attestation_test-0.0.0.tar.gz/provenance"
        }]
    });
    serve_simple(&server, "gcb-attestation-test", page.to_string()).await;
    serve(
        &server,
        "/integrity/gcb-attestation-test/0.0.0/gcb_attestation_test-0.0.0.tar.gz/provenance",
        200,
        sample("pypi-provenance-google.json"),
    )
    .await;
    let facts = client(&server)
        .package("gcb_attestation_test", "0.0.0")
        .await;

    assert_eq!(facts.name, "gcb-attestation-test");
    let release = find(&facts, "0.0.0");
    assert_eq!(
        release.provenance,
        Fact::Known(Provenance::TrustedPublishing {
            provider: "google".into(),
            repository: None,
            workflow: None,
            run: None,
            commit: None,
        })
    );
    let publisher = release
        .publisher
        .known()
        .and_then(Option::as_ref)
        .expect("a publisher");
    assert_eq!(
        publisher.id,
        "trusted-publisher:google:919436158236-compute@developer.gserviceaccount.com"
    );
    assert_eq!(publisher.kind, IdentityKind::TrustedPublisher);
    // One file: its digest is the release's.
    assert_eq!(
        release.integrity.as_deref(),
        Some("sha256:461317362419124b6012e855423a9078d6de8aed3e74fa78cc74d669b23dc6cf")
    );
}

#[tokio::test]
async fn json_api_errors_leave_the_simple_api_facts() {
    for status in [404, 410, 500] {
        let server = MockServer::start().await;
        serve(&server, "/pypi/sampleproject/json", status, "no").await;
        serve_simple(
            &server,
            "sampleproject",
            fixture("sampleproject-simple.json"),
        )
        .await;
        for file in SAMPLEPROJECT_FILES {
            let at = format!("/integrity/sampleproject/4.0.0/{file}/provenance");
            serve(&server, &at, 200, sample("pypi-provenance.json")).await;
        }
        let facts = client(&server).package("sampleproject", "4.0.0").await;

        let reason = unknown(&facts.owners);
        assert!(
            reason.contains("/pypi/sampleproject/json") && reason.contains(&status.to_string()),
            "{reason}"
        );
        assert_eq!(unknown(&facts.repository), reason);
        assert_eq!(facts.status, Fact::Known(Status::default()));
        assert_eq!(
            find(&facts, "1.2.0").published,
            at("2015-06-14T14:37:56.383366Z")
        );
        assert_eq!(
            find(&facts, "4.0.0").provenance,
            Fact::Known(github_publisher().0)
        );
    }
}

#[tokio::test]
async fn a_truncated_project_document_is_unknown_with_its_url() {
    let document = sample("pypi-project.json");
    let truncated = &document[..document.len() / 2];
    let server = MockServer::start().await;
    serve(&server, "/pypi/sampleproject/json", 200, truncated).await;
    serve_simple(
        &server,
        "sampleproject",
        fixture("sampleproject-simple.json"),
    )
    .await;
    for file in SAMPLEPROJECT_FILES {
        let at = format!("/integrity/sampleproject/4.0.0/{file}/provenance");
        serve(&server, &at, 200, sample("pypi-provenance.json")).await;
    }
    let facts = client(&server).package("sampleproject", "4.0.0").await;

    let reason = unknown(&facts.owners);
    assert!(reason.contains("/pypi/sampleproject/json"), "{reason}");
    assert!(reason.contains("valid JSON"), "{reason}");
    assert_eq!(releases(&facts).len(), 7);
    assert_eq!(facts.status, Fact::Known(Status::default()));
}

#[tokio::test]
async fn a_wrong_type_makes_only_its_section_unknown() {
    let project: Value = serde_json::from_str(&sample("pypi-project.json")).expect("JSON");

    // `ownership.roles` is not a list: owners unknown, the rest known.
    let mut document = project.clone();
    document["ownership"]["roles"] = json!("theacodes");
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        document.to_string(),
    )
    .await;
    serve_simple(
        &server,
        "sampleproject",
        fixture("sampleproject-simple.json"),
    )
    .await;
    let facts = client(&server).package("sampleproject", "1.2.0").await;
    assert!(unknown(&facts.owners).contains("`ownership` has an unexpected shape"));
    assert!(facts.repository.known().is_some());
    assert_eq!(releases(&facts).len(), 7);

    // `releases` is a number and the Simple API is down: not a project document, so every
    // fact from it is unknown, with both reasons where both documents would answer.
    let mut document = project.clone();
    document["releases"] = json!(5);
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        document.to_string(),
    )
    .await;
    serve(&server, "/simple/sampleproject/", 503, "").await;
    let facts = client(&server).package("sampleproject", "1.2.0").await;
    let reason = unknown(&facts.releases);
    let not_a_document = format!(
        "`{}/pypi/sampleproject/json` is not a PyPI project document: no `info`/`releases` object (`releases` is a number)",
        server.uri()
    );
    assert!(reason.contains(&not_a_document), "{reason}");
    assert!(
        reason.contains("/simple/sampleproject/") && reason.contains("503"),
        "{reason}"
    );
    assert_eq!(unknown(&facts.owners), not_a_document);
    assert_eq!(unknown(&facts.repository), not_a_document);

    // `project-status` is a number: status unknown, releases known.
    let mut page: Value =
        serde_json::from_str(&fixture("sampleproject-simple.json")).expect("JSON");
    page["project-status"] = json!(3);
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        project.to_string(),
    )
    .await;
    serve_simple(&server, "sampleproject", page.to_string()).await;
    let facts = client(&server).package("sampleproject", "1.2.0").await;
    assert!(unknown(&facts.status).contains("`project-status` has an unexpected shape"));
    assert_eq!(releases(&facts).len(), 7);
}

/// Issue 11 item 5: a `200` that is not a project document (`{}`, an error object) is a
/// registry fault. Every fact drawn from it is unknown with the URL and the expected shape,
/// never "no releases, not deprecated, no repository".
#[tokio::test]
async fn a_200_that_is_no_project_document_makes_its_facts_unknown() {
    for body in [
        json!({}),
        json!({"error": "not found"}),
        json!({"info": {}}),
    ] {
        let server = MockServer::start().await;
        serve(&server, "/pypi/sampleproject/json", 200, body.to_string()).await;
        serve_simple(&server, "sampleproject", body.to_string()).await;
        let facts = client(&server).package("sampleproject", "4.0.0").await;

        let json_url = format!("{}/pypi/sampleproject/json", server.uri());
        let simple_url = format!("{}/simple/sampleproject/", server.uri());
        let missing = if body.get("info").is_some() {
            "(`releases` is missing)"
        } else {
            "(`info` is missing, `releases` is missing)"
        };
        let not_a_project = format!(
            "`{json_url}` is not a PyPI project document: no `info`/`releases` object {missing}"
        );
        let not_a_page = format!(
            "`{simple_url}` is not a Simple API project page (PEP 691: `meta.api-version`, `name`, `files` list): `meta` is missing"
        );
        assert_eq!(unknown(&facts.owners), not_a_project, "{body}");
        assert_eq!(unknown(&facts.repository), not_a_project, "{body}");
        assert_eq!(
            unknown(&facts.releases),
            format!("{not_a_project}; {not_a_page}"),
            "{body}"
        );
        // Not "active": a malformed page says nothing about the project's status.
        assert_eq!(unknown(&facts.status), not_a_page, "{body}");
    }
}

/// A Simple API page that is not this project's page (PEP 691 needs `meta.api-version`,
/// `name`, `files`) is unknown as a whole: its `project-status` is not read as "active",
/// its files do not join the releases.
#[tokio::test]
async fn a_simple_page_of_the_wrong_shape_is_unknown_as_a_whole() {
    let good: Value = serde_json::from_str(&fixture("sampleproject-simple.json")).expect("JSON");
    let mut no_files = good.clone();
    no_files.as_object_mut().expect("object").remove("files");
    let mut other_name = good.clone();
    other_name["name"] = json!("other-project");
    let mut bad_version = good.clone();
    bad_version["meta"]["api-version"] = json!(1.4);
    let mut nameless_file = good.clone();
    nameless_file["files"][0] = json!(["sampleproject-1.2.0.tar.gz"]);
    let mut empty_status = good.clone();
    empty_status["project-status"] = json!({});
    for (page, expected) in [
        (no_files, ": `files` is missing"),
        (
            other_name,
            ": it is the page of \"other-project\", not of `sampleproject`",
        ),
        (bad_version, ": `meta.api-version` is a number"),
        (
            nameless_file,
            ": file entry 1 has no `filename` string (it is a list)",
        ),
        (
            empty_status,
            "`project-status` has no `status` (PEP 792: active, archived, quarantined or deprecated)",
        ),
    ] {
        let server = MockServer::start().await;
        serve(&server, "/pypi/sampleproject/json", 404, "").await;
        serve_simple(&server, "sampleproject", page.to_string()).await;
        let facts = client(&server).package("sampleproject", "4.0.0").await;
        let reason = unknown(&facts.status);
        let simple_url = format!("`{}/simple/sampleproject/`", server.uri());
        assert!(reason.contains(&simple_url), "{reason}");
        assert!(reason.ends_with(expected), "{reason}");
    }
}

fn hostile(name: &str) -> String {
    fixture(name)
}

/// Issue 11 item 5: a file entry whose `yanked` is a number is no file entry. It used to
/// be dropped, leaving its release "not yanked". Now the release's yank is unknown: for the
/// version in use the release list is unknown (the only fact that can say so); for another
/// release a note; and "every release yanked" is unknown when it turns on that release.
#[tokio::test]
async fn a_yanked_flag_of_the_wrong_type_makes_the_yank_unknown() {
    // The JSON API alone.
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/hostile/json",
        200,
        hostile("hostile-yanked-number.json"),
    )
    .await;
    serve(&server, "/simple/hostile/", 404, "").await;
    let (facts, _) = client(&server).package_with_notes("hostile", "2.0").await;
    let reason = unknown(&facts.releases);
    assert!(
            reason.starts_with(&format!(
                "whether 2.0 (the version in use) is yanked is unknown: `{}/pypi/hostile/json`: a file of release 2.0 is not a file entry (`filename` a string, `yanked` true or false): invalid type: integer `1`, expected a boolean",
                server.uri()
            )),
            "{reason}"
        );
    // Another release in use: 2.0 is listed, its yank noted as unknown.
    let (facts, notes) = client(&server).package_with_notes("hostile", "1.0").await;
    assert!(!find(&facts, "1.0").yanked);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("whether 2.0 is yanked is unknown (listed as not yanked): `")),
        "{notes:?}"
    );

    // The Simple API alone, `yanked: 1` there.
    let server = MockServer::start().await;
    serve(&server, "/pypi/hostile/json", 404, "").await;
    serve_simple(
        &server,
        "hostile",
        hostile("hostile-yanked-number-simple.json"),
    )
    .await;
    let facts = client(&server).package("hostile", "2.0").await;
    let reason = unknown(&facts.releases);
    assert!(
            reason.starts_with(&format!(
                "whether 2.0 (the version in use) is yanked is unknown: `{}/simple/hostile/`: the entry of \"hostile-2.0.tar.gz\" is not a file entry (`filename` a string, `yanked` false, true or a reason)",
                server.uri()
            )),
            "{reason}"
        );

    // 1.0 yanked: whether every release is yanked turns on 2.0, so the status is unknown.
    let mut page: Value =
        serde_json::from_str(&hostile("hostile-yanked-number-simple.json")).expect("JSON");
    page["files"][0]["yanked"] = json!("withdrawn");
    let server = MockServer::start().await;
    serve(&server, "/pypi/hostile/json", 404, "").await;
    serve_simple(&server, "hostile", page.to_string()).await;
    let facts = client(&server).package("hostile", "1.0").await;
    assert!(find(&facts, "1.0").yanked);
    let reason = unknown(&facts.status);
    assert!(
        reason.starts_with("whether every release is yanked is unknown: 2.0: `"),
        "{reason}"
    );
}

/// A provenance publisher that is a list is no publisher (serde would read it field by
/// position as `kind`, `repository`, `workflow`): who published is unknown.
#[tokio::test]
async fn a_publisher_that_is_a_list_names_nobody() {
    let mut provenance: Value =
        serde_json::from_str(&sample("pypi-provenance.json")).expect("JSON");
    provenance["attestation_bundles"][0]["publisher"] =
        json!(["GitHub", "mallory/sampleproject", "release.yml"]);
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        sample("pypi-project.json"),
    )
    .await;
    serve_simple(
        &server,
        "sampleproject",
        fixture("sampleproject-simple.json"),
    )
    .await;
    for file in SAMPLEPROJECT_FILES {
        let at = format!("/integrity/sampleproject/4.0.0/{file}/provenance");
        serve(&server, &at, 200, provenance.to_string()).await;
    }
    let facts = client(&server).package("sampleproject", "4.0.0").await;
    let publisher = unknown(&find(&facts, "4.0.0").publisher);
    assert!(
        publisher.contains("attestation bundle 1 or its `publisher` is not an object"),
        "{publisher}"
    );
    assert!(!publisher.contains("mallory"), "{publisher}");
}

/// Lists where objects are expected are refused, not read field by position: a role
/// `["mallory", "Owner"]` is no owner, a file entry `["hostile-2.0.tar.gz", …]` no file.
#[tokio::test]
async fn lists_are_not_read_as_objects() {
    let mut document: Value =
        serde_json::from_str(&fixture("hostile-yanked-number.json")).expect("JSON");
    document["ownership"]["roles"] = json!([["Owner", "mallory"]]);
    document["releases"]["2.0"][0] = json!(["hostile-2.0.tar.gz", "sdist"]);
    let server = MockServer::start().await;
    serve(&server, "/pypi/hostile/json", 200, document.to_string()).await;
    serve(&server, "/simple/hostile/", 404, "").await;
    let facts = client(&server).package("hostile", "2.0").await;
    let owners = unknown(&facts.owners);
    assert!(
        owners.contains(
            "`ownership` has an unexpected shape: found a list where an object is expected"
        ),
        "{owners}"
    );
    let releases = unknown(&facts.releases);
    assert!(
            releases.contains("a file of release 2.0 is not a file entry (`filename` a string, `yanked` true or false): found a list where an object is expected"),
            "{releases}"
        );
}

#[tokio::test]
async fn project_status_is_read_per_pep_792() {
    let cases = [
        (
            json!({"status": "archived"}),
            Status {
                archived: true,
                ..Status::default()
            },
        ),
        (
            json!({"status": "quarantined"}),
            Status {
                quarantined: true,
                ..Status::default()
            },
        ),
        (
            json!({"status": "deprecated", "reason": "use other"}),
            Status {
                deprecated: Some("use other".into()),
                ..Status::default()
            },
        ),
    ];
    for (status, expected) in cases {
        let mut page: Value =
            serde_json::from_str(&fixture("sampleproject-simple.json")).expect("JSON");
        page["project-status"] = status;
        let server = MockServer::start().await;
        serve(
            &server,
            "/pypi/sampleproject/json",
            200,
            sample("pypi-project.json"),
        )
        .await;
        serve_simple(&server, "sampleproject", page.to_string()).await;
        let facts = client(&server).package("sampleproject", "1.2.0").await;
        assert_eq!(facts.status, Fact::Known(expected));
    }

    // Every file yanked: the project as a whole.
    let mut page: Value =
        serde_json::from_str(&fixture("sampleproject-simple.json")).expect("JSON");
    for file in page["files"].as_array_mut().into_iter().flatten() {
        file["yanked"] = json!("broken");
    }
    let server = MockServer::start().await;
    serve(&server, "/pypi/sampleproject/json", 404, "").await;
    serve_simple(&server, "sampleproject", page.to_string()).await;
    let facts = client(&server).package("sampleproject", "1.2.0").await;
    assert!(facts.status.known().is_some_and(|s| s.all_yanked));
    assert_eq!(find(&facts, "1.2.0").yank_reason.as_deref(), Some("broken"));

    // An unknown status is not guessed.
    let mut page: Value =
        serde_json::from_str(&fixture("sampleproject-simple.json")).expect("JSON");
    page["project-status"] = json!({"status": "frozen"});
    let server = MockServer::start().await;
    serve(&server, "/pypi/sampleproject/json", 404, "").await;
    serve_simple(&server, "sampleproject", page.to_string()).await;
    let facts = client(&server).package("sampleproject", "1.2.0").await;
    assert!(unknown(&facts.status).contains("\"frozen\""));
}

/// A mirror speaking Simple API 1.1 reports neither provenance (1.3) nor project status
/// (1.4): both stay unknown instead of reading as "none" and "active".
#[tokio::test]
async fn an_old_simple_api_leaves_provenance_and_status_unknown() {
    let mut page: Value =
        serde_json::from_str(&fixture("sampleproject-simple.json")).expect("JSON");
    page["meta"] = json!({"api-version": "1.1", "_last-serial": 1});
    if let Some(object) = page.as_object_mut() {
        object.remove("project-status");
    }
    if let Some(files) = page["files"].as_array_mut() {
        for file in files {
            if let Some(file) = file.as_object_mut() {
                file.remove("provenance");
            }
        }
    }
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        sample("pypi-project.json"),
    )
    .await;
    serve_simple(&server, "sampleproject", page.to_string()).await;
    let facts = client(&server).package("sampleproject", "4.0.0").await;
    let status = unknown(&facts.status);
    assert!(status.contains("Simple API 1.1"), "{status}");
    assert!(matches!(find(&facts, "4.0.0").provenance, Fact::Unknown(_)));
    assert!(matches!(find(&facts, "1.2.0").provenance, Fact::Unknown(_)));
}

#[tokio::test]
async fn without_the_simple_api_provenance_is_asked_where_pypi_keeps_it() {
    // Neither file has provenance (404): none.
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        sample("pypi-project.json"),
    )
    .await;
    serve(&server, "/simple/sampleproject/", 500, "").await;
    for file in SAMPLEPROJECT_FILES {
        Mock::given(method("GET"))
            .and(path(format!(
                "/integrity/sampleproject/4.0.0/{file}/provenance"
            )))
            .respond_with(ResponseTemplate::new(404))
            .expect(1)
            .mount(&server)
            .await;
    }
    let facts = client(&server).package("sampleproject", "4.0.0").await;
    let reason = unknown(&facts.status);
    assert!(
        reason.contains("/simple/sampleproject/") && reason.contains("500"),
        "{reason}"
    );
    // A 404 from an Integrity API nobody pointed at proves nothing (a mirror may not
    // serve it): unknown, not "none".
    let in_use = unknown(&find(&facts, "4.0.0").provenance);
    assert!(in_use.contains("answered HTTP 404"), "{in_use}");
    let publisher = unknown(&find(&facts, "4.0.0").publisher);
    assert!(publisher.contains("publisher unknown"), "{publisher}");
    // Nothing answered for the other releases: unknown, not "none".
    let other = unknown(&find(&facts, "1.2.0").provenance);
    assert!(other.contains("the Simple API did not answer"), "{other}");
    assert_eq!(facts.owners.known().map(Vec::len), Some(3));
    server.verify().await;

    // Both files have it: trusted publishing.
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        sample("pypi-project.json"),
    )
    .await;
    serve(&server, "/simple/sampleproject/", 500, "").await;
    for file in SAMPLEPROJECT_FILES {
        let at = format!("/integrity/sampleproject/4.0.0/{file}/provenance");
        serve(&server, &at, 200, sample("pypi-provenance.json")).await;
    }
    let facts = client(&server).package("sampleproject", "4.0.0").await;
    let (provenance, publisher) = github_publisher();
    assert_eq!(find(&facts, "4.0.0").provenance, Fact::Known(provenance));
    assert_eq!(find(&facts, "4.0.0").publisher, Fact::Known(publisher));
    let other = unknown(&find(&facts, "1.2.0").provenance);
    assert!(other.contains("the Simple API did not answer"), "{other}");

    // The Integrity API fails too: nothing said whether there is any. Unknown, with why.
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        sample("pypi-project.json"),
    )
    .await;
    serve(&server, "/simple/sampleproject/", 500, "").await;
    for file in SAMPLEPROJECT_FILES {
        let at = format!("/integrity/sampleproject/4.0.0/{file}/provenance");
        serve(&server, &at, 503, "").await;
    }
    let (facts, notes) = client(&server)
        .package_with_notes("sampleproject", "4.0.0")
        .await;
    let release = find(&facts, "4.0.0");
    for reason in [unknown(&release.provenance), unknown(&release.publisher)] {
        assert!(
            reason.contains("the Simple API did not say whether files have provenance"),
            "{reason}"
        );
        assert!(
            reason.contains("/integrity/sampleproject/4.0.0/") && reason.contains("503"),
            "{reason}"
        );
    }
    assert!(
        notes
            .iter()
            .any(|n| n.contains("not read") && n.contains("503")),
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("recorded as none")),
        "{notes:?}"
    );
    assert_eq!(releases(&facts).len(), 7);
}

#[tokio::test]
async fn a_provenance_fault_keeps_what_the_simple_api_advertised() {
    for (status, body) in [
        (500, String::new()),
        (200, "{\"attestation_bundles\": [".to_string()),
    ] {
        let server = MockServer::start().await;
        serve(
            &server,
            "/pypi/sampleproject/json",
            200,
            sample("pypi-project.json"),
        )
        .await;
        serve_simple(
            &server,
            "sampleproject",
            fixture("sampleproject-simple.json"),
        )
        .await;
        let [wheel, sdist] = SAMPLEPROJECT_FILES;
        let wheel_at = format!("/integrity/sampleproject/4.0.0/{wheel}/provenance");
        serve(&server, &wheel_at, 200, sample("pypi-provenance.json")).await;
        let sdist_at = format!("/integrity/sampleproject/4.0.0/{sdist}/provenance");
        serve(&server, &sdist_at, status, body).await;
        let (facts, notes) = client(&server)
            .package_with_notes("sampleproject", "4.0.0")
            .await;

        assert!(
            matches!(
                &find(&facts, "4.0.0").provenance,
                Fact::Known(Provenance::Attested { url: Some(url), .. }) if url.ends_with("/provenance")
            ),
            "{:?}",
            find(&facts, "4.0.0").provenance
        );
        // The sdist's attestations were not read: who published is unknown, and why.
        let publisher = unknown(&find(&facts, "4.0.0").publisher);
        assert!(
            publisher.contains(sdist) && publisher.contains("could not be read"),
            "{publisher}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n.contains(sdist) && n.contains("not read")),
            "{notes:?}"
        );
        assert_eq!(facts.owners.known().map(Vec::len), Some(3));
    }
}

/// sampleproject served with its 4.0.0 sdist carrying no provenance beside the attested
/// wheel.
async fn sampleproject_with_an_unattested_sdist() -> MockServer {
    let mut page: Value =
        serde_json::from_str(&fixture("sampleproject-simple.json")).expect("JSON");
    for file in page["files"].as_array_mut().into_iter().flatten() {
        if file["filename"] == "sampleproject-4.0.0.tar.gz" {
            file["provenance"] = Value::Null;
        }
    }
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        sample("pypi-project.json"),
    )
    .await;
    serve_simple(&server, "sampleproject", page.to_string()).await;
    server
}

/// A release other than the version in use with provenance for some of its files is
/// attested: the project publishes with provenance.
#[tokio::test]
async fn another_release_with_some_attested_files_is_attested() {
    let server = sampleproject_with_an_unattested_sdist().await;
    let facts = client(&server).package("sampleproject", "1.2.0").await;
    assert!(
        matches!(
            &find(&facts, "4.0.0").provenance,
            Fact::Known(Provenance::Attested { url: Some(url), .. }) if url.contains("py3-none-any.whl")
        ),
        "{:?}",
        find(&facts, "4.0.0").provenance
    );
}

#[tokio::test]
async fn a_file_without_provenance_makes_the_release_none() {
    let server = sampleproject_with_an_unattested_sdist().await;
    let at = "/integrity/sampleproject/4.0.0/sampleproject-4.0.0-py3-none-any.whl/provenance";
    serve(&server, at, 200, sample("pypi-provenance.json")).await;
    let (facts, notes) = client(&server)
        .package_with_notes("sampleproject", "4.0.0")
        .await;
    assert_eq!(
        find(&facts, "4.0.0").provenance,
        Fact::Known(Provenance::None)
    );
    // PyPI names no uploader: unknown, not "nobody".
    let publisher = unknown(&find(&facts, "4.0.0").publisher);
    assert!(publisher.contains("names no uploader"), "{publisher}");
    assert!(
        notes.iter().any(|n| n.contains("carry no provenance")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn only_the_version_in_use_has_its_provenance_fetched() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        sample("pypi-project.json"),
    )
    .await;
    serve_simple(
        &server,
        "sampleproject",
        fixture("sampleproject-simple.json"),
    )
    .await;
    for file in SAMPLEPROJECT_FILES {
        Mock::given(method("GET"))
            .and(path(format!(
                "/integrity/sampleproject/4.0.0/{file}/provenance"
            )))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
    }
    let facts = client(&server).package("sampleproject", "1.2.0").await;
    // Advertised, not fetched.
    assert!(
        matches!(
            find(&facts, "4.0.0").provenance,
            Fact::Known(Provenance::Attested { url: Some(_), .. })
        ),
        "{:?}",
        find(&facts, "4.0.0").provenance
    );
    assert_eq!(
        find(&facts, "1.2.0").provenance,
        Fact::Known(Provenance::None)
    );
    server.verify().await;
}

#[tokio::test]
async fn missing_ownership_is_unknown() {
    let mut document: Value = serde_json::from_str(&sample("pypi-project.json")).expect("JSON");
    if let Some(object) = document.as_object_mut() {
        object.remove("ownership");
    }
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        document.to_string(),
    )
    .await;
    serve_simple(
        &server,
        "sampleproject",
        fixture("sampleproject-simple.json"),
    )
    .await;
    let facts = client(&server).package("sampleproject", "1.2.0").await;
    assert!(unknown(&facts.owners).starts_with("PyPI did not report ownership"));
    assert!(facts.repository.known().is_some());
}

#[tokio::test]
async fn when_nothing_answers_every_fact_is_unknown_with_both_urls() {
    let server = MockServer::start().await;
    serve(&server, "/pypi/sampleproject/json", 410, "").await;
    serve(&server, "/simple/sampleproject/", 404, "").await;
    let facts = client(&server).package("sampleproject", "1.2.0").await;
    let reason = unknown(&facts.releases);
    assert!(
        reason.contains("/pypi/sampleproject/json") && reason.contains("410"),
        "{reason}"
    );
    assert!(
        reason.contains("/simple/sampleproject/") && reason.contains("404"),
        "{reason}"
    );
    assert!(unknown(&facts.owners).contains("410"));
    assert!(unknown(&facts.status).contains("404"));
    assert!(unknown(&facts.repository).contains("410"));
}

#[test]
fn requires_dist_without_extras_by_normalized_name() {
    let document = json!({"info": {"version": "2.32.3", "requires_dist": [
        "charset_normalizer<4,>=2",
        "idna <4,>=2.5",
        "PySocks!=1.5.7,>=1.5.6; extra == \"socks\"",
        "typing-extensions>=4; python_version < \"3.11\"",
        7
    ]}});
    let (version, declared) = requires_dist(&document).expect("declared");
    assert_eq!(version, "2.32.3");
    let pairs: Vec<(&str, &str)> = declared
        .iter()
        .map(|(name, req)| (name.as_str(), req.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("charset-normalizer", "<4,>=2"),
            ("idna", "<4,>=2.5"),
            ("typing-extensions", ">=4; python_version < \"3.11\"")
        ]
    );
    let none = json!({"info": {"version": "1.0", "requires_dist": null}});
    assert_eq!(requires_dist(&none).expect("none").1.len(), 0);
    assert!(requires_dist(&json!({"info": {"requires_dist": []}})).is_none());
    assert!(requires_dist(&json!({"info": {"version": "1", "requires_dist": "x"}})).is_none());
}

#[tokio::test]
async fn popularity_counts_never_reach_the_facts() {
    let mut document: Value = serde_json::from_str(&sample("pypi-project.json")).expect("JSON");
    // Seven digits: a loopback port (five at most) in a URL of the facts cannot match.
    document["info"]["stargazers_count"] = json!(9_876_543);
    document["info"]["forks_count"] = json!(8_675_309);
    document["info"]["watchers"] = json!(9);
    let server = MockServer::start().await;
    serve(
        &server,
        "/pypi/sampleproject/json",
        200,
        document.to_string(),
    )
    .await;
    serve_simple(
        &server,
        "sampleproject",
        fixture("sampleproject-simple.json"),
    )
    .await;
    for file in SAMPLEPROJECT_FILES {
        let at = format!("/integrity/sampleproject/4.0.0/{file}/provenance");
        serve(&server, &at, 200, sample("pypi-provenance.json")).await;
    }
    let facts = client(&server).package("sampleproject", "4.0.0").await;
    let serialized = serde_json::to_string(&facts).expect("serializable");
    for key in ["download", "star", "fork", "watcher", "9876543", "8675309"] {
        assert!(!serialized.contains(key), "`{key}` in {serialized}");
    }
}

/// `project_urls` as real projects write them (labels seen live on pypi.org, 2026-12),
/// and constructed cases for the order of preference.
#[test]
fn the_declared_repository_follows_the_label_preferences() {
    let info = |urls: serde_json::Value, home: Option<&str>, download: Option<&str>| Info {
        project_urls: serde_json::from_value(urls).expect("urls"),
        home_page: home.map(str::to_string),
        download_url: download.map(str::to_string),
    };
    let cases: Vec<(&str, Info, Option<&str>)> = vec![
        // Source labels, in every spelling seen live.
        (
            "requests: Source",
            info(
                json!({"Source": "https://github.com/psf/requests"}),
                None,
                None,
            ),
            Some("https://github.com/psf/requests"),
        ),
        (
            "numpy: lowercase source beside homepage and tracker",
            info(
                json!({"homepage": "https://numpy.org", "source": "https://github.com/numpy/numpy",
                           "tracker": "https://github.com/numpy/numpy/issues",
                           "download": "https://pypi.org/project/numpy/#files"}),
                None,
                None,
            ),
            Some("https://github.com/numpy/numpy"),
        ),
        (
            "pyyaml: Source Code",
            info(
                json!({"Homepage": "https://pyyaml.org/", "Source Code": "https://github.com/yaml/pyyaml",
                           "Mailing lists": "http://lists.sourceforge.net/lists/listinfo/yaml-core"}),
                Some("https://pyyaml.org/"),
                Some("https://pypi.org/project/PyYAML/"),
            ),
            Some("https://github.com/yaml/pyyaml"),
        ),
        (
            "anyio: Source code",
            info(
                json!({"Source code": "https://github.com/agronholm/anyio"}),
                None,
                None,
            ),
            Some("https://github.com/agronholm/anyio"),
        ),
        (
            "urllib3: Code beside Changelog",
            info(
                json!({"Changelog": "https://github.com/urllib3/urllib3/blob/main/CHANGES.rst",
                           "Code": "https://github.com/urllib3/urllib3"}),
                None,
                None,
            ),
            Some("https://github.com/urllib3/urllib3"),
        ),
        (
            "mypy: Repository beside a docs homepage",
            info(
                json!({"Homepage": "https://www.mypy-lang.org/", "Repository": "https://github.com/python/mypy"}),
                None,
                None,
            ),
            Some("https://github.com/python/mypy"),
        ),
        (
            "kiwisolver: lowercase repository",
            info(
                json!({"repository": "https://github.com/nucleic/kiwi"}),
                None,
                None,
            ),
            Some("https://github.com/nucleic/kiwi"),
        ),
        (
            "attrs: GitHub",
            info(
                json!({"Documentation": "https://www.attrs.org/", "GitHub": "https://github.com/python-attrs/attrs"}),
                None,
                None,
            ),
            Some("https://github.com/python-attrs/attrs"),
        ),
        (
            "cherrypy: `GitHub: repo` and `GitHub: issues`",
            info(
                json!({"GitHub: issues": "https://github.com/cherrypy/cherrypy/issues",
                           "GitHub: repo": "https://github.com/cherrypy/cherrypy"}),
                None,
                None,
            ),
            Some("https://github.com/cherrypy/cherrypy"),
        ),
        (
            "punctuation and case: SOURCE_CODE",
            info(
                json!({"SOURCE_CODE": "https://codeberg.org/o/r"}),
                None,
                None,
            ),
            Some("https://codeberg.org/o/r"),
        ),
        (
            "pygobject: Repository on a GitLab instance",
            info(
                json!({"Homepage": "https://pygobject.gnome.org",
                           "Repository": "https://gitlab.gnome.org/GNOME/pygobject.git"}),
                None,
                None,
            ),
            Some("https://gitlab.gnome.org/GNOME/pygobject.git"),
        ),
        (
            "docutils: Code on SourceForge",
            info(
                json!({"Code": "https://sourceforge.net/p/docutils/code/",
                           "Homepage": "https://docutils.sourceforge.io"}),
                None,
                None,
            ),
            Some("https://sourceforge.net/p/docutils/code/"),
        ),
        (
            "lazr.uri: Source on Launchpad",
            info(
                json!({"Homepage": "https://launchpad.net/lazr.uri",
                           "Source": "https://code.launchpad.net/lazr.uri"}),
                None,
                None,
            ),
            Some("https://code.launchpad.net/lazr.uri"),
        ),
        // Preferences among source labels.
        (
            "Source Code beats a GitHub mirror",
            info(
                json!({"GitHub": "https://github.com/o/mirror", "Source Code": " https://gitlab.com/o/r "}),
                None,
                None,
            ),
            Some("https://gitlab.com/o/r"),
        ),
        (
            "a Source that is no repository gives way to a Homepage on GitHub",
            info(
                json!({"Source": "https://example.com/src", "Homepage": "https://github.com/o/r"}),
                None,
                None,
            ),
            Some("https://github.com/o/r"),
        ),
        // Homepages.
        (
            "six: Homepage on GitHub",
            info(
                json!({"Homepage": "https://github.com/benjaminp/six"}),
                Some("https://github.com/benjaminp/six"),
                None,
            ),
            Some("https://github.com/benjaminp/six"),
        ),
        (
            "typing-extensions: Home",
            info(
                json!({"Home": "https://github.com/python/typing_extensions",
                            "Q & A": "https://github.com/python/typing/discussions"}),
                None,
                None,
            ),
            Some("https://github.com/python/typing_extensions"),
        ),
        (
            "M2Crypto: home_page label on a Forgejo host",
            info(
                json!({"changelog": "https://codefloe.com/mcepl/m2crypto/src/branch/master/CHANGES",
                           "home_page": "https://codefloe.com/mcepl/m2crypto",
                           "report": "https://codefloe.com/mcepl/m2crypto/issues"}),
                None,
                None,
            ),
            Some("https://codefloe.com/mcepl/m2crypto"),
        ),
        (
            "pymysql: Project",
            info(
                json!({"Changelog": "https://github.com/PyMySQL/PyMySQL/blob/main/CHANGELOG.md",
                            "Project": "https://github.com/PyMySQL/PyMySQL"}),
                None,
                None,
            ),
            Some("https://github.com/PyMySQL/PyMySQL"),
        ),
        (
            "home_page field only",
            info(json!({}), Some("https://www.github.com/o/r"), None),
            Some("https://www.github.com/o/r"),
        ),
        // Other pages on a code host.
        (
            "coverage: Issues beside a docs homepage",
            info(
                json!({"Homepage": "https://coverage.readthedocs.io", "Issues": "https://github.com/nedbat/coveragepy/issues"}),
                Some("https://coverage.readthedocs.io"),
                None,
            ),
            Some("https://github.com/nedbat/coveragepy/issues"),
        ),
        (
            "wrapt-like: Bug Tracker",
            info(
                json!({"Bug Tracker": "https://github.com/o/r/issues/", "Homepage": "https://o.dev"}),
                None,
                None,
            ),
            Some("https://github.com/o/r/issues/"),
        ),
        (
            "tracker before changelog",
            info(
                json!({"Changelog": "https://github.com/o/changes/blob/main/CHANGES.md",
                           "Issue Tracker": "https://github.com/o/r/issues"}),
                None,
                None,
            ),
            Some("https://github.com/o/r/issues"),
        ),
        (
            "download_url on GitHub",
            info(
                json!({}),
                Some("https://o.dev"),
                Some("https://github.com/o/r/releases"),
            ),
            Some("https://github.com/o/r/releases"),
        ),
        (
            "an unlisted label, Docs on GitHub",
            info(
                json!({"Docs": "https://github.com/o/r"}),
                Some("https://o.dev"),
                None,
            ),
            Some("https://github.com/o/r"),
        ),
        (
            "a sponsor page is nobody's repository",
            info(
                json!({"Funding": "https://github.com/sponsors/o", "Funding-GitHub": "https://github.com/o/funding",
                           "Homepage": "https://o.dev"}),
                None,
                None,
            ),
            None,
        ),
        // No repository.
        (
            "protobuf: a homepage that is no code host",
            info(
                json!({"Homepage": "https://developers.google.com/protocol-buffers/"}),
                Some("https://developers.google.com/protocol-buffers/"),
                None,
            ),
            None,
        ),
        (
            "mercurial: home and download_url labels off any code host",
            info(
                json!({"download_url": "https://mercurial-scm.org/release/", "home": "https://mercurial-scm.org/"}),
                None,
                None,
            ),
            None,
        ),
        ("nothing", info(json!({}), Some(""), Some("")), None),
        ("null URLs", info(json!({"Source": null}), None, None), None),
        (
            "a Source that is no repository, and nothing else: kept as declared",
            info(
                json!({"Source": "https://example.com/src", "Homepage": "https://example.com"}),
                None,
                None,
            ),
            Some("https://example.com/src"),
        ),
    ];
    for (name, info, expected) in cases {
        assert_eq!(declared_repository(&info).as_deref(), expected, "{name}");
    }
}

#[test]
fn file_names_give_their_version() {
    let cases = [
        ("sampleproject-4.0.0-py3-none-any.whl", Some("4.0.0")),
        ("sampleproject-4.0.0.tar.gz", Some("4.0.0")),
        ("zope_interface-6.0-cp311-cp311-win32.whl", Some("6.0")),
        ("zope.interface-6.0.zip", Some("6.0")),
        ("other-1.0.tar.gz", None),
        ("sampleproject-4.0.0.exe", None),
    ];
    for (filename, version) in cases {
        let project = if filename.starts_with("zope") {
            "zope-interface"
        } else {
            "sampleproject"
        };
        assert_eq!(
            version_from_filename(project, filename).as_deref(),
            version,
            "{filename}"
        );
    }
}

#[test]
fn names_and_urls() {
    assert_eq!(normalize_name("Zope.Interface__x"), "zope-interface-x");
    let base = Url::parse("https://mirror.example/root/pypi").expect("URL");
    assert_eq!(
        endpoint(&base, &["simple", "a/../b", ""]).map(|u| u.to_string()),
        Ok("https://mirror.example/root/pypi/simple/a%2F..%2Fb/".to_string())
    );
    assert_eq!(compare_versions("1.10", "1.9"), Ordering::Greater);
    assert_eq!(compare_versions("1.0rc1", "1.0"), Ordering::Less);
    assert_eq!(compare_versions("weird", "1.0"), Ordering::Greater);
    assert!(same_version("1.0.0-RC1", "1.0.0rc1"));
}

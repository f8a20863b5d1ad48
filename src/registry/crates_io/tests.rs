use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use std::collections::BTreeSet;
use std::path::Path;

use super::decoding::declared;
use super::*;

use crate::model::facts::{Identity, IdentityKind, Provenance};

use crate::registry::test_support::sample_text as sample;
use crate::registry::test_support::{at, find, releases, unknown_reason as unknown};
use crate::registry::test_support::{fixture_bytes, quick_net as net, sample_json};

fn fixture(name: &str) -> String {
    String::from_utf8(fixture_bytes("crates", name)).expect("a UTF-8 fixture")
}

/// Index and API on the same mock, as `<mock>/index/` and `<mock>/`.
fn client(server: &MockServer) -> CratesClient {
    let index = Url::parse(&format!("{}/index/", server.uri())).expect("URL");
    let api = Url::parse(&format!("{}/", server.uri())).expect("URL");
    CratesClient::new(net(), index, api)
}

/// A loopback address where nothing listens: connection refused.
fn refused() -> Url {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    Url::parse(&format!("http://127.0.0.1:{port}/")).expect("URL")
}

async fn serve(server: &MockServer, at: &str, status: u16, body: impl Into<String>) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(status).set_body_string(body.into()))
        .mount(server)
        .await;
}

async fn serve_counted(server: &MockServer, at: &str, status: u16, body: &str, times: u64) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .expect(times)
        .mount(server)
        .await;
}

fn user(id: &str, login: &str) -> Fact<Option<Identity>> {
    Fact::Known(Some(Identity {
        id: id.into(),
        display: login.into(),
        kind: IdentityKind::User,
    }))
}

/// Every release's publisher and provenance are unknown, each reason containing every
/// one of `expected`.
fn every_release_unknown(facts: &PackageFacts, expected: &[&str]) {
    for release in releases(facts) {
        for (what, reason) in [
            ("publisher", unknown(&release.publisher)),
            ("provenance", unknown(&release.provenance)),
        ] {
            for part in expected {
                assert!(
                    reason.contains(part),
                    "{} {what}: {reason}",
                    release.version
                );
            }
        }
    }
}

/// A crate document holding `versions` (Version objects of the samples).
fn crate_document(name: &str, repository: Value, versions: Vec<Value>) -> String {
    json!({
        "crate": {"id": name, "name": name, "repository": repository, "downloads": 987654,
                  "recent_downloads": 4321, "yanked": false},
        "versions": versions,
    })
    .to_string()
}

#[tokio::test]
async fn the_api_samples_add_publishers_owners_and_repository_to_the_index() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/index/fo/o_/foo_show",
        200,
        fixture("foo_show.index"),
    )
    .await;
    serve(
        &server,
        "/api/v1/crates/foo_show",
        200,
        sample("crates-crate.json"),
    )
    .await;
    serve(
        &server,
        "/api/v1/crates/foo_show/owners",
        200,
        sample("crates-owners.json"),
    )
    .await;
    let (facts, notes) = client(&server)
        .package_with_notes("foo_show", "0.5.1")
        .await;

    assert_eq!(facts.id.to_string(), "cargo:foo_show@0.5.1");
    assert_eq!(facts.ecosystem, crate::model::Ecosystem::Cargo);
    let versions: Vec<&str> = releases(&facts)
        .iter()
        .map(|r| r.version.as_str())
        .collect();
    assert_eq!(
        versions,
        ["1.0.0", "0.5.0", "0.5.1"],
        "index order: publish order"
    );
    assert_eq!(
        find(&facts, "0.5.0").publisher,
        user("crates:user:1", "foo")
    );
    assert_eq!(
        find(&facts, "0.5.1").publisher,
        user("crates:user:1", "foo")
    );
    // `published_by: null` (very old versions): known, nobody.
    assert_eq!(find(&facts, "1.0.0").publisher, Fact::Known(None));
    // No pubtime and the API's `created_at` is redacted in the snapshot: no time.
    assert_eq!(find(&facts, "1.0.0").published, None);
    assert_eq!(find(&facts, "0.5.0").published, at("2017-03-01T10:00:00Z"));
    assert!(find(&facts, "0.5.1").yanked);
    assert_eq!(find(&facts, "0.5.1").yank_reason, None);
    assert_eq!(
        find(&facts, "0.5.0").integrity.as_deref(),
        Some("sha256:0000000000000000000000000000000000000000000000000000000000000000")
    );
    assert_eq!(
        find(&facts, "0.5.0").provenance,
        Fact::Known(Provenance::None)
    );

    let owners = facts.owners.known().expect("owners are known");
    let owners: Vec<(&str, &str, IdentityKind)> = owners
        .iter()
        .map(|o| {
            (
                o.identity.id.as_str(),
                o.identity.display.as_str(),
                o.identity.kind,
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            ("crates:user:1", "foo", IdentityKind::User),
            ("crates:user:2", "bar", IdentityKind::User),
            (
                "crates:team:1",
                "github:test_org:team_sloth",
                IdentityKind::Team
            ),
            (
                "crates:team:2",
                "github:test_org:team_ferret",
                IdentityKind::Team
            ),
        ]
    );
    assert_eq!(facts.repository, Fact::Known(None));
    // `trustpub_only: false` in the crate sample.
    assert_eq!(
        facts.status,
        Fact::Known(Status {
            trusted_publishing_only: Some(false),
            ..Status::default()
        })
    );
    assert!(unknown(&facts.install_scripts).contains("build scripts"));
    assert_eq!(unknown(&facts.repository_facts), "not looked up");
    assert!(notes.is_empty(), "{notes:?}");
}

#[tokio::test]
async fn the_index_alone_answers_when_the_api_refuses_connections() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/index/ba/se/base64",
        200,
        sample("crates-index-base64-mirror.ndjson"),
    )
    .await;
    let index = Url::parse(&format!("{}/index/", server.uri())).expect("URL");
    let client = CratesClient::new(net(), index, refused());
    let (facts, notes) = client.package_with_notes("base64", "0.22.1").await;

    assert_eq!(releases(&facts).len(), 45);
    let first = &releases(&facts)[0];
    assert_eq!(first.version, "0.1.0");
    assert_eq!(first.published, at("2015-12-04T01:07:31Z"));
    assert_eq!(
        first.integrity.as_deref(),
        Some("sha256:0fcf1cc12085a0cb60a051f2ba4a027b3e84d4265d8831794147f58c584e3301")
    );
    assert_eq!(find(&facts, "0.22.1").published, at("2024-04-30T23:16:40Z"));
    // Who published and whether by trusted publishing: unknown, with the API's URL, not
    // "nobody" and "none".
    every_release_unknown(&facts, &["/api/v1/crates/base64"]);
    let publisher = unknown(&find(&facts, "0.22.1").publisher);
    assert!(publisher.starts_with("publisher unknown: "), "{publisher}");
    let provenance = unknown(&find(&facts, "0.22.1").provenance);
    assert!(
        provenance.starts_with("trusted publishing unknown: "),
        "{provenance}"
    );
    assert_eq!(facts.status, Fact::Known(Status::default()));

    let owners = unknown(&facts.owners);
    assert!(owners.contains("/api/v1/crates/base64/owners"), "{owners}");
    let repository = unknown(&facts.repository);
    assert!(repository.contains("/api/v1/crates/base64"), "{repository}");
    // The releases' facts say why; the notes need not.
    assert!(notes.is_empty(), "{notes:?}");
}

#[tokio::test]
async fn a_403_from_the_api_stops_asking_it_for_the_rest_of_the_run() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/index/ba/se/base64",
        200,
        sample("crates-index-line-with-pubtime.txt"),
    )
    .await;
    let forbidden = "Please provide a User-Agent";
    serve_counted(&server, "/api/v1/crates/base64", 403, forbidden, 1).await;
    serve_counted(&server, "/api/v1/crates/base64/owners", 403, forbidden, 1).await;
    let client = client(&server);

    let facts = client.package("base64", "0.23.1").await;
    let versions: Vec<&str> = releases(&facts)
        .iter()
        .map(|r| r.version.as_str())
        .collect();
    assert_eq!(versions, ["0.22.1", "0.23.1"]);
    assert_eq!(find(&facts, "0.23.1").published, at("2026-08-04T12:34:31Z"));
    let reason = unknown(&facts.owners);
    assert!(
        reason.contains("/api/v1/crates/base64/owners") && reason.contains("403"),
        "{reason}"
    );
    assert!(unknown(&facts.repository).contains("403"));
    every_release_unknown(&facts, &["/api/v1/crates/base64", "403"]);

    // Another crate, the same client: the API is not asked again.
    let index = sample("crates-index-line-with-pubtime.txt").replace("base64", "base65");
    serve(&server, "/index/ba/se/base65", 200, index).await;
    serve_counted(&server, "/api/v1/crates/base65", 200, "{}", 0).await;
    serve_counted(&server, "/api/v1/crates/base65/owners", 200, "{}", 0).await;
    let other = client.package("base65", "0.22.1").await;
    assert_eq!(releases(&other).len(), 2);
    assert!(unknown(&other.owners).contains("failed earlier in this run"));
    assert!(unknown(&other.repository).contains("failed earlier in this run"));
    every_release_unknown(&other, &["failed earlier in this run", "403"]);
    server.verify().await;
}

#[tokio::test]
async fn trusted_publishing_comes_from_trustpub_data() {
    let github = sample_json("crates-version-trustpub-github.json")["version"].clone();
    let mut gitlab = sample_json("crates-version-trustpub-gitlab.json")["version"].clone();
    gitlab["num"] = json!("1.2.0");
    gitlab["created_at"] = json!("2026-02-01T08:00:00.123456+00:00");
    let index = [
            json!({"name": "foo", "vers": "1.1.0", "deps": [], "cksum": "f057a5f8094591ca4faccdbcb3cddaf7299f0045c3076065956308eee13f99ac", "features": {}, "yanked": false, "pubtime": "2026-01-01T00:00:00Z"}),
            json!({"name": "foo", "vers": "1.2.0", "deps": [], "cksum": "f057a5f8094591ca4faccdbcb3cddaf7299f0045c3076065956308eee13f99ac", "features": {}, "yanked": false}),
        ]
        .map(|line| line.to_string())
        .join("\n");
    let server = MockServer::start().await;
    serve(&server, "/index/3/f/foo", 200, index).await;
    let document = crate_document(
        "foo",
        json!(" https://github.com/rust-lang/foo-rs "),
        vec![gitlab, github],
    );
    serve(&server, "/api/v1/crates/foo", 200, document).await;
    serve(
        &server,
        "/api/v1/crates/foo/owners",
        200,
        json!({"users": []}).to_string(),
    )
    .await;
    let facts = client(&server).package("foo", "1.2.0").await;

    assert_eq!(
        find(&facts, "1.1.0").provenance,
        Fact::Known(Provenance::TrustedPublishing {
            provider: "github".into(),
            repository: Some("rust-lang/foo-rs".into()),
            workflow: None,
            run: Some("example-run-id".into()),
            commit: Some("example-sha".into()),
        })
    );
    assert_eq!(
        find(&facts, "1.1.0").publisher,
        Fact::Known(Some(Identity {
            id: "trusted-publisher:github:rust-lang/foo-rs".into(),
            display: "rust-lang/foo-rs".into(),
            kind: IdentityKind::TrustedPublisher,
        }))
    );
    let gitlab = find(&facts, "1.2.0");
    assert!(
        matches!(&gitlab.provenance, Fact::Known(Provenance::TrustedPublishing { provider, .. }) if provider == "gitlab"),
        "{:?}",
        gitlab.provenance
    );
    assert_eq!(
        gitlab
            .publisher
            .known()
            .and_then(Option::as_ref)
            .map(|p| p.id.as_str()),
        Some("trusted-publisher:gitlab:rust-lang/foo-rs")
    );
    // No `pubtime` in the index: the API's `created_at`.
    assert_eq!(gitlab.published, at("2026-02-01T08:00:00.123456Z"));
    assert_eq!(find(&facts, "1.1.0").published, at("2026-01-01T00:00:00Z"));
    assert_eq!(
        facts.repository,
        Fact::Known(Some("https://github.com/rust-lang/foo-rs".into()))
    );
    assert_eq!(facts.owners, Fact::Known(Vec::new()));
}

#[tokio::test]
async fn a_release_the_api_does_not_list_has_unknown_publisher_and_provenance() {
    let mut document = sample_json("crates-crate.json");
    document["versions"]
        .as_array_mut()
        .expect("versions")
        .retain(|version| version["num"] != "0.5.1");
    let server = MockServer::start().await;
    serve(
        &server,
        "/index/fo/o_/foo_show",
        200,
        fixture("foo_show.index"),
    )
    .await;
    serve(
        &server,
        "/api/v1/crates/foo_show",
        200,
        document.to_string(),
    )
    .await;
    serve(
        &server,
        "/api/v1/crates/foo_show/owners",
        200,
        sample("crates-owners.json"),
    )
    .await;
    let facts = client(&server).package("foo_show", "0.5.1").await;

    assert_eq!(releases(&facts).len(), 3);
    let missing = find(&facts, "0.5.1");
    for reason in [unknown(&missing.publisher), unknown(&missing.provenance)] {
        assert!(reason.contains("does not list version 0.5.1"), "{reason}");
    }
    assert_eq!(
        find(&facts, "0.5.0").publisher,
        user("crates:user:1", "foo")
    );
    assert_eq!(find(&facts, "1.0.0").publisher, Fact::Known(None));
}

#[tokio::test]
async fn a_yank_message_is_the_yank_reason() {
    let version = sample_json("crates-version-yanked-audit.json")["version"].clone();
    let index = json!({"name": "patchable", "vers": "1.0.0", "deps": [], "cksum": "d4d2d515985c394dc9fa95c56b935ab0805f6dfbd91a6dc99af9d316dff96dc0", "features": {}, "yanked": true});
    let server = MockServer::start().await;
    serve(&server, "/index/pa/tc/patchable", 200, index.to_string()).await;
    serve(
        &server,
        "/api/v1/crates/patchable",
        200,
        crate_document("patchable", Value::Null, vec![version]),
    )
    .await;
    serve(
        &server,
        "/api/v1/crates/patchable/owners",
        200,
        sample("crates-owners.json"),
    )
    .await;
    let facts = client(&server).package("patchable", "1.0.0").await;

    let release = find(&facts, "1.0.0");
    assert!(release.yanked);
    assert_eq!(release.yank_reason.as_deref(), Some("Updated reason"));
    assert_eq!(release.publisher, user("crates:user:1", "foo"));
    assert!(facts.status.known().is_some_and(|s| s.all_yanked));
}

#[tokio::test]
async fn a_garbage_index_line_is_skipped_and_noted() {
    let mut lines: Vec<String> = sample("crates-index-base64-mirror.ndjson")
        .lines()
        .map(str::to_string)
        .collect();
    lines.insert(
        10,
        "{\"name\": \"base64\", \"vers\": \"9.9.9\", \"cks".to_string(),
    );
    lines.insert(
        20,
        "{\"name\": \"base64\", \"vers\": 5, \"yanked\": false}".to_string(),
    );
    lines.insert(30, "\u{1b}[31mnot json".to_string());
    let server = MockServer::start().await;
    serve(&server, "/index/ba/se/base64", 200, lines.join("\n")).await;
    serve(&server, "/api/v1/crates/base64", 404, "").await;
    serve(&server, "/api/v1/crates/base64/owners", 404, "").await;
    let (facts, notes) = client(&server).package_with_notes("base64", "0.22.1").await;

    assert_eq!(releases(&facts).len(), 45);
    let skipped: Vec<&String> = notes.iter().filter(|n| n.contains("skipped")).collect();
    assert_eq!(skipped.len(), 3, "{notes:?}");
    assert!(skipped[0].contains("line 11"), "{skipped:?}");
    assert!(unknown(&facts.owners).contains("404"));
    every_release_unknown(&facts, &["/api/v1/crates/base64", "404"]);
}

#[tokio::test]
async fn an_index_of_only_garbage_is_unknown() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/index/ba/se/base64",
        200,
        "<html>mirror login</html>\n",
    )
    .await;
    serve(&server, "/api/v1/crates/base64", 404, "").await;
    serve(&server, "/api/v1/crates/base64/owners", 404, "").await;
    let facts = client(&server).package("base64", "0.22.1").await;
    let reason = unknown(&facts.releases);
    assert!(
        reason.contains("/index/ba/se/base64") && reason.contains("none of its 1 lines"),
        "{reason}"
    );
    assert_eq!(unknown(&facts.status), reason);
}

#[tokio::test]
async fn a_crate_missing_from_the_index_is_not_asked_of_the_api() {
    for status in [404, 410] {
        let server = MockServer::start().await;
        serve(&server, "/index/ba/se/base64", status, "").await;
        serve_counted(&server, "/api/v1/crates/base64", 200, "{}", 0).await;
        serve_counted(&server, "/api/v1/crates/base64/owners", 200, "{}", 0).await;
        let facts = client(&server).package("base64", "0.22.1").await;
        for reason in [
            unknown(&facts.releases),
            unknown(&facts.owners),
            unknown(&facts.repository),
            unknown(&facts.status),
        ] {
            assert!(reason.starts_with("not in the index"), "{reason}");
            assert!(reason.contains(&status.to_string()), "{reason}");
        }
        server.verify().await;
    }
}

#[tokio::test]
async fn when_the_index_fails_the_releases_come_from_the_api() {
    let mut old = sample_json("crates-version-yanked-audit.json")["version"].clone();
    old["crate"] = json!("foo");
    old["num"] = json!("0.1.0");
    old["created_at"] = json!("2020-01-01T00:00:00Z");
    let mut new = sample_json("crates-version-trustpub-github.json")["version"].clone();
    new["created_at"] = json!("2026-01-01T00:00:00Z");
    let server = MockServer::start().await;
    serve(&server, "/index/3/f/foo", 500, "").await;
    serve(
        &server,
        "/api/v1/crates/foo",
        200,
        crate_document("foo", Value::Null, vec![new, old]),
    )
    .await;
    serve(
        &server,
        "/api/v1/crates/foo/owners",
        200,
        sample("crates-owners.json"),
    )
    .await;
    let (facts, notes) = client(&server).package_with_notes("foo", "1.1.0").await;

    let versions: Vec<&str> = releases(&facts)
        .iter()
        .map(|r| r.version.as_str())
        .collect();
    assert_eq!(versions, ["0.1.0", "1.1.0"]);
    assert!(find(&facts, "0.1.0").yanked);
    assert_eq!(
        find(&facts, "0.1.0").yank_reason.as_deref(),
        Some("Updated reason")
    );
    // The API answered: publishers and provenance are known.
    assert_eq!(
        find(&facts, "0.1.0").publisher,
        user("crates:user:1", "foo")
    );
    assert_eq!(
        find(&facts, "0.1.0").provenance,
        Fact::Known(Provenance::None)
    );
    assert!(
        matches!(
            &find(&facts, "1.1.0").provenance,
            Fact::Known(Provenance::TrustedPublishing { provider, .. }) if provider == "github"
        ),
        "{:?}",
        find(&facts, "1.1.0").provenance
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("come from the API") && n.contains("500")),
        "{notes:?}"
    );
    assert_eq!(facts.owners.known().map(Vec::len), Some(4));
}

#[tokio::test]
async fn broken_api_answers_are_unknown_while_the_index_stays_known() {
    let cases = [
        (
            "truncated",
            sample("crates-crate.json")[..200].to_string(),
            sample("crates-owners.json")[..100].to_string(),
            "valid JSON",
        ),
        (
            "wrong types",
            json!({"crate": "foo_show", "versions": []}).to_string(),
            json!({"users": {"id": 1}}).to_string(),
            "unexpected shape",
        ),
        (
            "not an object",
            "[]".to_string(),
            "\"users\"".to_string(),
            "not answer a JSON object",
        ),
    ];
    for (case, krate, owners, expected) in cases {
        let server = MockServer::start().await;
        serve(
            &server,
            "/index/fo/o_/foo_show",
            200,
            fixture("foo_show.index"),
        )
        .await;
        serve(&server, "/api/v1/crates/foo_show", 200, krate).await;
        serve(&server, "/api/v1/crates/foo_show/owners", 200, owners).await;
        let facts = client(&server).package("foo_show", "0.5.1").await;
        assert_eq!(releases(&facts).len(), 3, "{case}");
        assert!(facts.status.known().is_some(), "{case}");
        let reason = unknown(&facts.owners);
        assert!(
            reason.contains("/owners") && reason.contains(expected),
            "{case}: {reason}"
        );
        let reason = unknown(&facts.repository);
        assert!(
            reason.contains("/api/v1/crates/foo_show") && reason.contains(expected),
            "{case}: {reason}"
        );
        every_release_unknown(&facts, &["/api/v1/crates/foo_show", expected]);
    }
}

#[tokio::test]
async fn an_api_404_concerns_one_crate_only() {
    let server = MockServer::start().await;
    for name in ["foo_show", "foo_next"] {
        let index = fixture("foo_show.index").replace("foo_show", name);
        serve(&server, &format!("/index/fo/o_/{name}"), 200, index).await;
        serve_counted(&server, &format!("/api/v1/crates/{name}"), 404, "", 1).await;
        serve_counted(
            &server,
            &format!("/api/v1/crates/{name}/owners"),
            404,
            "",
            1,
        )
        .await;
    }
    let client = client(&server);
    for name in ["foo_show", "foo_next"] {
        let facts = client.package(name, "0.5.1").await;
        assert!(unknown(&facts.owners).contains("404"));
        assert!(!unknown(&facts.owners).contains("earlier"));
    }
    server.verify().await;
}

#[tokio::test]
async fn popularity_counts_never_reach_the_facts() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/index/fo/o_/foo_show",
        200,
        fixture("foo_show.index"),
    )
    .await;
    let mut document = sample_json("crates-crate.json");
    document["crate"]["repository"] = json!("https://github.com/o/foo_show");
    // Seven digits: a loopback port (five at most) in a URL of the facts cannot match.
    document["crate"]["stargazers_count"] = json!(9_876_543);
    document["crate"]["forks"] = json!(8_675_309);
    document["crate"]["watchers"] = json!(9);
    document["crate"]["downloads"] = json!(7_654_321);
    serve(
        &server,
        "/api/v1/crates/foo_show",
        200,
        document.to_string(),
    )
    .await;
    serve(
        &server,
        "/api/v1/crates/foo_show/owners",
        200,
        sample("crates-owners.json"),
    )
    .await;
    let facts = client(&server).package("foo_show", "0.5.1").await;
    assert!(facts.repository.known().is_some_and(Option::is_some));
    let serialized = serde_json::to_string(&facts).expect("serializable");
    for key in [
        "download", "star", "fork", "watcher", "9876543", "8675309", "7654321",
    ] {
        assert!(!serialized.contains(key), "`{key}` in {serialized}");
    }
}

#[tokio::test]
async fn a_name_that_is_not_a_crate_name_asks_nothing() {
    let server = MockServer::start().await;
    let facts = client(&server).package("../../etc/passwd", "1.0.0").await;
    assert!(unknown(&facts.releases).contains("not a crates.io crate name"));
    assert!(
        server
            .received_requests()
            .await
            .is_some_and(|r| r.is_empty())
    );
}

/// With a database dump, owners, publishers and repository come from it and the API is
/// never asked; trusted publishing stays unknown (the dump does not have it).
#[tokio::test]
async fn a_database_dump_answers_instead_of_the_api() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/registry/crates-dump");
    let wanted = BTreeSet::from(["alpha-core".to_string()]);
    let dump = CratesDbDump::load(&first_dir(&dir), &wanted).expect("the fixture dump");
    let server = MockServer::start().await;
    let lines = [
            json!({"name": "alpha-core", "vers": "0.1.0", "deps": [], "cksum": "aa", "features": {}, "yanked": false}),
            json!({"name": "alpha-core", "vers": "0.2.0", "deps": [], "cksum": "bb", "features": {}, "yanked": true}),
            json!({"name": "alpha-core", "vers": "0.4.0", "deps": [], "cksum": "dd", "features": {}, "yanked": false}),
        ]
        .map(|line| line.to_string())
        .join("\n");
    serve(&server, "/index/al/ph/alpha-core", 200, lines).await;
    serve_counted(&server, "/api/v1/crates/alpha-core", 500, "", 0).await;
    serve_counted(&server, "/api/v1/crates/alpha-core/owners", 500, "", 0).await;

    let facts = client(&server)
        .with_dump(Arc::new(dump))
        .package("alpha-core", "0.1.0")
        .await;

    let owners = facts.owners.known().expect("owners from the dump");
    assert!(!owners.is_empty());
    assert!(facts.repository.known().is_some());
    let first = find(&facts, "0.1.0");
    assert!(
        matches!(&first.publisher, Fact::Known(Some(who)) if who.id.starts_with("crates:user:"))
    );
    assert!(unknown(&first.provenance).contains("no trusted-publishing data"));
    assert!(
        unknown(&find(&facts, "0.4.0").publisher).contains("not in the crates.io database dump")
    );
}

fn first_dir(dir: &Path) -> std::path::PathBuf {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("the dump fixture")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    entries.sort();
    entries.remove(0)
}

#[test]
fn index_paths_follow_cargo() {
    let index = Url::parse("https://index.crates.io/").expect("URL");
    let cases = [
        ("a", "https://index.crates.io/1/a"),
        ("Ab", "https://index.crates.io/2/ab"),
        ("syn", "https://index.crates.io/3/s/syn"),
        ("Serde_JSON", "https://index.crates.io/se/rd/serde_json"),
        ("base64", "https://index.crates.io/ba/se/base64"),
    ];
    for (name, expected) in cases {
        assert_eq!(
            index_url(&index, name).map(|u| u.to_string()),
            Ok(expected.to_string())
        );
    }
    // A mirror without the trailing slash keeps its path.
    let mirror = Url::parse("https://mirror.example/crates-index").expect("URL");
    assert_eq!(
        index_url(&mirror, "rand").map(|u| u.to_string()),
        Ok("https://mirror.example/crates-index/ra/nd/rand".to_string())
    );
    assert!(is_crate_name("serde-json_2"));
    assert!(!is_crate_name("serde json"));
    assert!(!is_crate_name("ünicode"));
    assert!(!is_crate_name(""));
}

#[test]
fn only_run_wide_failures_stop_the_api() {
    let status = |status| NetError::Status {
        url: "u".into(),
        status,
    };
    assert!(fails_for_good(&status(403)));
    assert!(fails_for_good(&status(429)));
    assert!(fails_for_good(&status(503)));
    assert!(!fails_for_good(&status(404)));
    assert!(!fails_for_good(&status(410)));
    assert!(fails_for_good(&NetError::Timeout { url: "u".into() }));
    assert!(!fails_for_good(&NetError::Offline { url: "u".into() }));
}

/// With a budget of three API requests over two crates (four documents), a run fetches the
/// owners of both first, then one crate document; the other is unknown with the reason. A
/// day later (everything stale), the missing crate document comes first and the owners
/// come from the cache, said with their age.
#[test]
fn declared_dependencies_skip_dev_ones_and_use_the_real_name_of_a_renamed_one() {
    let deps = json!([
        {"name": "serde", "req": "^1.0", "kind": "normal"},
        {"name": "cc", "req": "^1.2", "kind": "build"},
        {"name": "proptest", "req": "^1", "kind": "dev"},
        {"name": "old_name", "package": "real-name", "req": "=0.3.1"},
        {"name": 7, "req": "^1"},
        "not an object"
    ]);
    let found = declared(Some(&deps)).expect("a list");
    let pairs: Vec<(&str, &str)> = found
        .iter()
        .map(|(name, req)| (name.as_str(), req.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [("cc", "^1.2"), ("real-name", "=0.3.1"), ("serde", "^1.0")]
    );
    assert!(declared(Some(&json!({"not": "a list"}))).is_none());
    assert!(declared(None).is_none());
}

#[tokio::test]
async fn the_api_budget_goes_to_what_is_missing_then_to_what_is_oldest() {
    let server = MockServer::start().await;
    for name in ["a", "b"] {
        let index_line = json!({"name": name, "vers": "1.0.0", "deps": [], "cksum": "a".repeat(64), "features": {}, "yanked": false});
        serve(
            &server,
            &format!("/index/1/{name}"),
            200,
            index_line.to_string(),
        )
        .await;
        serve(
            &server,
            &format!("/api/v1/crates/{name}/owners"),
            200,
            r#"{"users":[{"id":7,"login":"alice","kind":"user"}]}"#,
        )
        .await;
        let document = json!({"crate": {"name": name}, "versions": [{"num": "1.0.0", "published_by": {"id": 7, "login": "alice"}}]});
        serve(
            &server,
            &format!("/api/v1/crates/{name}"),
            200,
            document.to_string(),
        )
        .await;
    }
    let cache = tempfile::tempdir().expect("cache");
    let day = |days: i64| {
        let now = jiff::Timestamp::from_second(1_793_534_400 + days * 86_400).expect("time");
        let config = crate::net::NetConfig {
            cache_dir: Some(cache.path().to_path_buf()),
            services: Vec::new(),
            max_retries: 0,
            ..crate::net::NetConfig::default()
        };
        let net = Net::new(config, now).expect("net");
        let index = Url::parse(&format!("{}/index/", server.uri())).expect("URL");
        let api = Url::parse(&format!("{}/", server.uri())).expect("URL");
        CratesClient::new(net, index, api).with_api_budget(3)
    };
    let crates = [("a", "1.0.0"), ("b", "1.0.0")];

    let first = day(0);
    first.plan(&crates).await;
    let a = first.package("a", "1.0.0").await;
    let b = first.package("b", "1.0.0").await;
    assert!(a.owners.known().is_some() && b.owners.known().is_some());
    assert_eq!(find(&a, "1.0.0").publisher, user("crates:user:7", "alice"));
    let reason = match &find(&b, "1.0.0").publisher {
        Fact::Unknown(reason) => reason.clone(),
        known => panic!("{known:?}"),
    };
    assert!(
            reason.contains("not asked: the crates.io API budget of this run (3 requests, --crates-api-budget) is spent; a later run fetches it"),
            "{reason}"
        );
    // Typed: the budget, with the URL not asked.
    assert_eq!(
        reason.kind,
        crate::model::facts::UnknownKind::BudgetExhausted
    );
    assert!(
        reason
            .url
            .as_deref()
            .is_some_and(|url| url.contains("/api/v1/crates/b"))
    );

    let second = day(1);
    second.plan(&crates).await;
    let b = second.package("b", "1.0.0").await;
    assert_eq!(find(&b, "1.0.0").publisher, user("crates:user:7", "alice"));
    assert!(b.owners.known().is_some());
    let received = server.received_requests().await.unwrap_or_default();
    let asked = |at: &str| received.iter().filter(|r| r.url.path() == at).count();
    assert_eq!(asked("/api/v1/crates/b"), 1, "the missing document, once");
    // Three per run: a's and b's owners and a's document the first day; b's document and
    // two stale documents the second (owners refreshed before a stale crate document).
    let api = received
        .iter()
        .filter(|r| r.url.path().starts_with("/api/"))
        .count();
    assert!(api <= 6, "{api} API requests in two runs");
}

/// Within a class, a version published in the last 90 days comes first, whatever the order
/// the crates were given in: with a budget of one request, the recent crate's owners.
#[tokio::test]
async fn the_budget_goes_to_recent_releases_first() {
    let server = MockServer::start().await;
    for (name, pubtime) in [
        ("old", "2020-01-01T00:00:00Z"),
        ("new", "2026-10-25T00:00:00Z"),
    ] {
        let line = json!({"name": name, "vers": "1.0.0", "deps": [], "cksum": "a".repeat(64), "features": {}, "yanked": false, "pubtime": pubtime});
        // Three-letter names live under `3/<first letter>/` in the sparse index.
        let at = format!("/index/3/{}/{name}", &name[..1]);
        serve(&server, &at, 200, line.to_string()).await;
        serve(
            &server,
            &format!("/api/v1/crates/{name}/owners"),
            200,
            r#"{"users":[{"id":7,"login":"alice","kind":"user"}]}"#,
        )
        .await;
    }
    let now = jiff::Timestamp::from_second(1_793_534_400).expect("time"); // 2026-11-01
    let net = Net::new(
        crate::net::NetConfig {
            services: Vec::new(),
            max_retries: 0,
            ..crate::net::NetConfig::default()
        },
        now,
    )
    .expect("net");
    let index = Url::parse(&format!("{}/index/", server.uri())).expect("URL");
    let api = Url::parse(&format!("{}/", server.uri())).expect("URL");
    let client = CratesClient::new(net, index, api).with_api_budget(1);
    client.plan(&[("old", "1.0.0"), ("new", "1.0.0")]).await;
    assert!(
        client
            .package("new", "1.0.0")
            .await
            .owners
            .known()
            .is_some()
    );
    let old = client.package("old", "1.0.0").await;
    assert!(
        old.owners
            .unknown_reason()
            .is_some_and(|r| r.contains("budget")),
        "{:?}",
        old.owners
    );
}

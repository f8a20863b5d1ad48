use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

use crate::registry::test_support::sample_json as sample;
use crate::registry::test_support::{at as time, unknown_reason};
use crate::registry::test_support::{fixture_bytes, quick_net};

fn fixture(name: &str) -> Vec<u8> {
    fixture_bytes("npm", name)
}

fn client_at(base: &str) -> NpmClient {
    let net = quick_net();
    NpmClient::new(net, Url::parse(base).expect("base URL"))
}

async fn serve(server: &MockServer, at: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(at))
        .and(header("accept", "application/json"))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

fn json_body(value: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(value)
}

fn raw_body(body: Vec<u8>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "application/json")
}

fn every_fact_unknown(facts: &PackageFacts) -> Vec<&str> {
    vec![
        unknown_reason(&facts.releases),
        unknown_reason(&facts.owners),
        unknown_reason(&facts.repository),
        unknown_reason(&facts.repository_facts),
        unknown_reason(&facts.status),
        unknown_reason(&facts.install_scripts),
    ]
}

/// A packument holding one version document (as `GET /<name>/<version>` returns it).
fn packument_of(document: &Value, published: &str) -> Value {
    let version = document["version"].as_str().expect("version");
    json!({
        "name": document["name"],
        "time": {"created": published, version: published},
        "maintainers": document["maintainers"],
        "versions": {version: document},
    })
}

#[tokio::test]
async fn full_packument_sample() {
    let server = MockServer::start().await;
    let packument = sample("npm-packument-full.json");
    // Scoped names are escaped like pacote does.
    serve(
        &server,
        "/@ljharb%2Fhas-package-exports-patterns",
        json_body(&packument),
    )
    .await;
    let client = client_at(&server.uri());

    let facts = client
        .package("@ljharb/has-package-exports-patterns", "0.0.2")
        .await;

    assert_eq!(
        facts.id.to_string(),
        "npm:@ljharb/has-package-exports-patterns@0.0.2"
    );
    // Each version's own declaration, normalized.
    for release in facts.releases.known().unwrap() {
        assert_eq!(
            release.repository.as_deref(),
            Some("https://github.com/inspect-js/has-package-exports"),
            "{}",
            release.version
        );
    }
    assert_eq!(facts.ecosystem, crate::model::Ecosystem::Npm);
    assert_eq!(facts.name, "@ljharb/has-package-exports-patterns");
    assert_eq!(facts.version, "0.0.2");
    assert_eq!(facts.registry, format!("{}/", server.uri()));
    let releases = facts.releases.known().expect("releases");
    let versions: Vec<&str> = releases.iter().map(|r| r.version.as_str()).collect();
    assert_eq!(versions, ["0.0.0", "0.0.1", "0.0.2"]);
    assert_eq!(releases[0].published, time("2020-10-09T05:53:58.693Z"));
    assert_eq!(releases[2].published, time("2022-04-07T05:41:55.403Z"));
    let ljharb = Identity {
        id: "npm:user:ljharb".into(),
        display: "ljharb".into(),
        kind: IdentityKind::User,
    };
    for release in releases {
        assert_eq!(release.publisher, Fact::Known(Some(ljharb.clone())));
        assert_eq!(release.provenance, Fact::Known(Provenance::None));
        assert!(!release.yanked);
        assert_eq!(release.signatures.len(), 1);
        assert_eq!(
            release.signatures[0].keyid,
            "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA"
        );
    }
    assert_eq!(
        releases[2].integrity.as_deref(),
        packument["versions"]["0.0.2"]["dist"]["integrity"].as_str()
    );
    assert_eq!(
        facts.owners,
        Fact::Known(vec![Owner {
            identity: ljharb,
            role: Some("maintainer".into()),
        }])
    );
    assert_eq!(
        facts.repository,
        Fact::Known(Some(
            "https://github.com/inspect-js/has-package-exports".into()
        ))
    );
    assert_eq!(facts.install_scripts, Fact::Known(BTreeMap::new()));
    assert_eq!(facts.status, Fact::Known(Status::default()));
    assert_eq!(
        facts.repository_facts,
        Fact::Unknown("not looked up".into())
    );
}

#[tokio::test]
async fn registry_base_with_a_path() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/api/npm/npm-remote/@ljharb%2Fhas-package-exports-patterns",
        json_body(&sample("npm-packument-full.json")),
    )
    .await;
    let client = client_at(&format!("{}/api/npm/npm-remote/", server.uri()));

    let facts = client
        .package("@ljharb/has-package-exports-patterns", "0.0.1")
        .await;

    assert_eq!(facts.releases.known().map(Vec::len), Some(3));
    assert!(facts.registry.ends_with("/api/npm/npm-remote/"));
}

#[tokio::test]
async fn trusted_publisher_with_attestations() {
    let document = sample("npm-version-trusted-publisher.json");
    let server = MockServer::start().await;
    serve(
        &server,
        "/@x402%2Fstellar",
        json_body(&packument_of(&document, "2026-05-13T15:47:24.552Z")),
    )
    .await;
    let client = client_at(&server.uri());

    let facts = client.package("@x402/stellar", "2.12.0").await;

    let releases = facts.releases.known().expect("releases");
    assert_eq!(releases.len(), 1);
    let release = &releases[0];
    assert_eq!(
        release.publisher,
        Fact::Known(Some(Identity {
            id: "npm:user:GitHub Actions".into(),
            display: "GitHub Actions".into(),
            kind: IdentityKind::TrustedPublisher,
        }))
    );
    assert_eq!(
        release.provenance,
        Fact::Known(Provenance::Attested {
            url: Some(
                "https://registry.npmjs.org/-/npm/v1/attestations/@x402%2fstellar@2.12.0".into()
            ),
            predicate_type: Some("https://slsa.dev/provenance/v1".into()),
        })
    );
    assert_eq!(release.published, time("2026-05-13T15:47:24.552Z"));
    assert_eq!(
            release.signatures,
            vec![RegistrySignature {
                keyid: "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U".into(),
                sig: "MEQCIEIHUSPQz2bTfzirFEiEWPtBZsgy13v72S/99EAUO8abAiBhOKC+EFxCrbLJkOQGspAYzIDqGnj8yerBLKzFgBHNtA==".into(),
            }]
        );
    // The repository is a bare string in this document.
    assert_eq!(
        facts.repository,
        Fact::Known(Some("https://github.com/x402-foundation/x402".into()))
    );
    let owners: Vec<&str> = facts
        .owners
        .known()
        .expect("owners")
        .iter()
        .map(|owner| owner.identity.id.as_str())
        .collect();
    assert_eq!(owners, ["npm:user:carsonroscoe_cb", "npm:user:erik_cb"]);
    // `build`, `test`… are not install scripts.
    assert_eq!(facts.install_scripts, Fact::Known(BTreeMap::new()));
}

#[tokio::test]
async fn trusted_publisher_without_attestations() {
    let mut document = sample("npm-version-trusted-publisher.json");
    if let Some(dist) = document["dist"].as_object_mut() {
        dist.remove("attestations");
    }
    let server = MockServer::start().await;
    serve(
        &server,
        "/@x402%2Fstellar",
        json_body(&packument_of(&document, "2026-05-13T15:47:24.552Z")),
    )
    .await;

    let facts = client_at(&server.uri())
        .package("@x402/stellar", "2.12.0")
        .await;

    let release = &facts.releases.known().expect("releases")[0];
    assert_eq!(
        release.provenance,
        Fact::Known(Provenance::TrustedPublishing {
            provider: "github".into(),
            repository: None,
            workflow: None,
            run: None,
            commit: None,
        })
    );
}

#[tokio::test]
async fn a_version_without_npm_user_has_no_publisher() {
    let mut packument = sample("npm-version-deprecated.json");
    packument["versions"]["2.0.0"]
        .as_object_mut()
        .and_then(|document| document.remove("_npmUser"))
        .expect("the sample names its publisher");
    packument["maintainers"] = serde_json::json!([{"name": "alice", "email": "a@example.com"}]);
    let server = MockServer::start().await;
    serve(&server, "/asap", json_body(&packument)).await;

    let facts = client_at(&server.uri()).package("asap", "2.0.0").await;

    // Nobody recorded (as for very old versions): known, none.
    let release = &facts.releases.known().expect("releases")[0];
    assert_eq!(release.publisher, Fact::Known(None));
    assert_eq!(release.provenance, Fact::Known(Provenance::None));
}

/// A mirror that strips `_npmUser` and `maintainers` says nothing about publishers.
#[tokio::test]
async fn a_registry_that_strips_publishers_leaves_them_unknown() {
    let mut packument = sample("npm-version-deprecated.json");
    packument["versions"]["2.0.0"]
        .as_object_mut()
        .and_then(|document| document.remove("_npmUser"))
        .expect("the sample names its publisher");
    let server = MockServer::start().await;
    serve(&server, "/asap", json_body(&packument)).await;

    let facts = client_at(&server.uri()).package("asap", "2.0.0").await;

    let release = &facts.releases.known().expect("releases")[0];
    let Fact::Unknown(reason) = &release.publisher else {
        panic!("publisher should be unknown: {:?}", release.publisher);
    };
    assert!(reason.contains("strips publisher data"), "{reason}");
    assert!(matches!(&release.provenance, Fact::Unknown(_)));
    assert!(facts.owners.known().is_none());
}

#[tokio::test]
async fn install_script_sample() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/esbuild",
        json_body(&sample("npm-version-install-script.json")),
    )
    .await;

    let facts = client_at(&server.uri()).package("esbuild", "0.12.5").await;

    assert_eq!(
        facts.install_scripts,
        Fact::Known(BTreeMap::from([(
            "postinstall".to_string(),
            "node install.js".to_string()
        )]))
    );
    assert_eq!(
        facts.repository,
        Fact::Known(Some("https://github.com/evanw/esbuild".into()))
    );
    let release = &facts.releases.known().expect("releases")[0];
    assert_eq!(release.published, time("2021-05-28T01:10:51.933Z"));
    // The excerpt has no top-level `maintainers`: who can publish is not known, which is
    // not the same as "nobody".
    assert!(unknown_reason(&facts.owners).contains("`maintainers`"));
}

#[tokio::test]
async fn deprecated_sample() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/asap",
        json_body(&sample("npm-version-deprecated.json")),
    )
    .await;

    let facts = client_at(&server.uri()).package("asap", "2.0.0").await;

    let status = facts.status.known().expect("status");
    assert_eq!(
        status.deprecated.as_deref(),
        Some("critical race condition fixed in 2.0.3, update now")
    );
    let release = &facts.releases.known().expect("releases")[0];
    // 2014: no `dist.integrity` (only a shasum), no registry signature.
    assert_eq!(release.integrity, None);
    assert!(release.signatures.is_empty());
    assert_eq!(
        facts.repository,
        Fact::Known(Some("https://github.com/kriskowal/asap".into()))
    );
}

#[tokio::test]
async fn version_not_in_the_packument() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/@ljharb%2Fhas-package-exports-patterns",
        json_body(&sample("npm-packument-full.json")),
    )
    .await;

    let facts = client_at(&server.uri())
        .package("@ljharb/has-package-exports-patterns", "9.9.9")
        .await;

    assert_eq!(facts.releases.known().map(Vec::len), Some(3));
    assert!(facts.owners.known().is_some());
    // The packument's own `repository` stands in for the missing version's.
    assert!(facts.repository.known().is_some());
    for reason in [
        unknown_reason(&facts.install_scripts),
        unknown_reason(&facts.status),
    ] {
        assert!(
            reason.contains("@ljharb/has-package-exports-patterns@9.9.9"),
            "{reason}"
        );
        assert!(reason.contains("is not in the packument"), "{reason}");
    }
}

#[tokio::test]
async fn http_errors_make_every_fact_unknown() {
    for (status, expected) in [
        (404, "answered HTTP 404: no such package"),
        (410, "answered HTTP 410"),
        (500, "answered HTTP 500"),
        (403, "answered HTTP 403"),
    ] {
        let server = MockServer::start().await;
        serve(&server, "/left-pad", ResponseTemplate::new(status)).await;

        let facts = client_at(&server.uri()).package("left-pad", "1.3.0").await;

        for reason in every_fact_unknown(&facts) {
            assert!(reason.contains(expected), "{status}: {reason}");
            assert!(
                reason.contains(&format!("{}/left-pad", server.uri())),
                "{reason}"
            );
        }
        assert_eq!(facts.id.to_string(), "npm:left-pad@1.3.0");
        // The kind says it without the words: 404 and 410 are answers, 500 and 403 faults.
        let kind = facts.releases.reason().map(|reason| reason.kind);
        assert_eq!(
            kind,
            Some(crate::model::facts::UnknownKind::of_status(status)),
            "{status}"
        );
        assert_eq!(
            facts
                .releases
                .reason()
                .is_some_and(|reason| reason.is_network()),
            status == 500 || status == 403,
            "{status}"
        );
    }
}

#[tokio::test]
async fn connection_failure_makes_every_fact_unknown() {
    // A port nothing listens on (a dropped `MockServer` goes back to wiremock's pool and
    // keeps listening).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);

    let facts = client_at(&base).package("left-pad", "1.3.0").await;

    for reason in every_fact_unknown(&facts) {
        assert!(reason.contains(&format!("{base}/left-pad")), "{reason}");
    }
}

#[tokio::test]
async fn bodies_that_are_not_packuments() {
    let full = serde_json::to_vec(&sample("npm-packument-full.json")).expect("JSON");
    let truncated = full[..full.len() / 2].to_vec();
    for (case, body) in [
        ("truncated", truncated),
        ("html", b"<html>Service Unavailable</html>".to_vec()),
        ("array", b"[1, 2, 3]".to_vec()),
        ("string", b"\"left-pad\"".to_vec()),
        ("empty", Vec::new()),
    ] {
        let server = MockServer::start().await;
        serve(&server, "/left-pad", raw_body(body)).await;

        let facts = client_at(&server.uri()).package("left-pad", "1.3.0").await;

        for reason in every_fact_unknown(&facts) {
            assert!(
                reason.starts_with(&format!("`{}/left-pad`: not a packument: ", server.uri())),
                "{case}: {reason}"
            );
        }
    }
}

#[tokio::test]
async fn wrong_top_level_types_lose_only_their_facts() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/wrong-top-level-types",
        raw_body(fixture("wrong-top-level-types.json")),
    )
    .await;

    let facts = client_at(&server.uri())
        .package("wrong-top-level-types", "1.0.0")
        .await;

    let owners = unknown_reason(&facts.owners);
    assert!(owners.contains("`maintainers` is not a list"), "{owners}");
    let releases = unknown_reason(&facts.releases);
    assert!(releases.contains("`time` is not an object"), "{releases}");
    assert_eq!(
        facts.install_scripts,
        Fact::Known(BTreeMap::from([(
            "install".to_string(),
            "node-gyp rebuild".to_string()
        )]))
    );
    assert_eq!(facts.status, Fact::Known(Status::default()));
    assert_eq!(
        facts.repository,
        Fact::Known(Some(
            "https://github.com/example/wrong-top-level-types".into()
        ))
    );
}

#[tokio::test]
async fn wrong_types_in_one_version_keep_the_others() {
    let server = MockServer::start().await;
    // Three packages, one packument: the network layer asks once per URL and run.
    serve(
        &server,
        "/wrong-version-types",
        raw_body(fixture("wrong-version-types.json")),
    )
    .await;
    let client = client_at(&server.uri());

    let good = client.package("wrong-version-types", "1.0.0").await;
    let not_an_object = client.package("wrong-version-types", "1.1.0").await;
    let bad_fields = client.package("wrong-version-types", "1.2.0").await;

    // Every version is listed, whatever its document; the unreadable time sorts first.
    let releases = good.releases.known().expect("releases");
    let versions: Vec<&str> = releases.iter().map(|r| r.version.as_str()).collect();
    assert_eq!(versions, ["1.2.0", "1.0.0", "1.1.0"]);
    let [bad, first, garbage] = releases.as_slice() else {
        panic!("three releases");
    };
    assert_eq!(first.published, time("2024-01-02T00:00:00Z"));
    assert_eq!(
        first
            .publisher
            .known()
            .and_then(Option::as_ref)
            .map(|p| p.id.as_str()),
        Some("npm:user:alice")
    );
    assert_eq!(first.provenance, Fact::Known(Provenance::None));
    assert_eq!(first.integrity.as_deref(), Some("sha512-BBBB"));
    // The malformed second signature is dropped, the good one kept.
    assert_eq!(first.signatures.len(), 1);
    assert_eq!(garbage.published, time("2024-02-01T00:00:00Z"));
    // A version document that is not an object: who published it and how is not known,
    // which is not the same as "nobody" and "no provenance".
    for reason in [
        unknown_reason(&garbage.publisher),
        unknown_reason(&garbage.provenance),
    ] {
        assert_eq!(
            reason,
            format!(
                "`{}/wrong-version-types`: the document of version 1.1.0 is not a version object: found a string where an object is expected",
                server.uri()
            )
        );
    }
    assert_eq!(bad.published, None);
    // `_npmUser` is a number: the publisher is unknown, not "nobody".
    let publisher = unknown_reason(&bad.publisher);
    assert!(
        publisher.contains("`_npmUser` of version 1.2.0 is unreadable"),
        "{publisher}"
    );
    assert_eq!(bad.integrity, None);
    assert!(bad.signatures.is_empty());
    // `attestations` is advertised, though unreadable.
    assert_eq!(
        bad.provenance,
        Fact::Known(Provenance::Attested {
            url: None,
            predicate_type: None
        })
    );
    assert_eq!(good.owners.known().map(Vec::len), Some(2));
    assert_eq!(
        good.status.known().and_then(|s| s.deprecated.as_deref()),
        Some("use 2.x")
    );
    assert_eq!(
        good.repository,
        Fact::Known(Some(
            "https://github.com/example/wrong-version-types".into()
        ))
    );

    assert!(not_an_object.releases.known().is_some());
    for reason in [
        unknown_reason(&not_an_object.status),
        unknown_reason(&not_an_object.install_scripts),
    ] {
        assert!(
            reason.contains("`wrong-version-types@1.1.0` is not a version object"),
            "{reason}"
        );
    }

    let status = unknown_reason(&bad_fields.status);
    assert!(
        status.contains("`deprecated` of `1.2.0` is a number"),
        "{status}"
    );
    let scripts = unknown_reason(&bad_fields.install_scripts);
    assert!(
        scripts.contains("`scripts.postinstall` of `1.2.0` is a list"),
        "{scripts}"
    );
    let repository = unknown_reason(&bad_fields.repository);
    assert!(
        repository.contains("`repository` is a list"),
        "{repository}"
    );
    assert!(bad_fields.owners.known().is_some());
}

/// Issue 11 item 5: a version document that is a list (serde would read it as a struct,
/// field by position, giving "no install scripts, not deprecated"), or a `dist`, `scripts`,
/// `_npmUser` or `trustedPublisher` that is not an object: the facts drawn from it are
/// unknown with the URL and the expected shape, never "none".
#[tokio::test]
async fn parts_of_the_wrong_shape_make_their_facts_unknown_never_none() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/hostile",
        raw_body(fixture("hostile-version-shapes.json")),
    )
    .await;
    let client = client_at(&server.uri());
    let url = format!("{}/hostile", server.uri());

    let list = client.package("hostile", "1.0.0").await;
    let expected = format!(
        "`{url}`: the document of `hostile@1.0.0` is not a version object: found a list where an object is expected"
    );
    assert_eq!(unknown_reason(&list.install_scripts), expected);
    assert_eq!(unknown_reason(&list.status), expected);
    let releases = list.releases.known().expect("the releases are listed");
    let find = |version: &str| {
        releases
            .iter()
            .find(|release| release.version == version)
            .expect("the release")
    };
    let expected = format!(
        "`{url}`: the document of version 1.0.0 is not a version object: found a list where an object is expected"
    );
    assert_eq!(unknown_reason(&find("1.0.0").publisher), expected);
    assert_eq!(unknown_reason(&find("1.0.0").provenance), expected);
    // `dist` a list: the provenance is unknown (it may hide attestations).
    assert_eq!(
        unknown_reason(&find("1.1.0").provenance),
        format!(
            "`{url}`: `dist` of version 1.1.0 is not an object: found a list where an object is expected"
        )
    );
    // `_npmUser` a list: not the account `mallory`.
    assert_eq!(
        unknown_reason(&find("1.2.0").publisher),
        format!(
            "`{url}`: `_npmUser` of version 1.2.0 is unreadable (an object with a `name` string expected)"
        )
    );
    // `trustedPublisher` a list: how it was published is unknown, not "none".
    assert_eq!(
        unknown_reason(&find("1.3.0").provenance),
        format!(
            "`{url}`: `_npmUser.trustedPublisher` of version 1.3.0 is not an object: found a list where an object is expected"
        )
    );

    // `scripts` a list: install scripts unknown, not "none".
    let scripts = client.package("hostile", "1.1.0").await;
    assert_eq!(
        unknown_reason(&scripts.install_scripts),
        format!(
            "`{url}`: `scripts` of `1.1.0` is not an object: invalid type: sequence, expected a map"
        )
    );
}

/// A packument that lacks its `name` or its `versions` object (`200 {}`, an error object,
/// another package's document) is unknown as a whole.
#[tokio::test]
async fn a_packument_without_name_or_versions_is_unknown_as_a_whole() {
    for (body, why) in [
        (json!({}), "`name` is missing"),
        (json!({"error": "not_found"}), "`name` is missing"),
        (
            json!({"name": "left-pad", "maintainers": [{"name": "alice"}]}),
            "`versions` is missing",
        ),
        (
            json!({"name": "left-pad", "versions": []}),
            "`versions` is not an object: invalid type: sequence, expected a map",
        ),
        (
            json!({"versions": {"1.3.0": {}}, "maintainers": [{"name": "alice"}]}),
            "`name` is missing",
        ),
        (
            json!({"name": "right-pad", "versions": {"1.3.0": {}}}),
            "it is the packument of `right-pad`",
        ),
    ] {
        let server = MockServer::start().await;
        serve(&server, "/left-pad", json_body(&body)).await;

        let facts = client_at(&server.uri()).package("left-pad", "1.3.0").await;

        let expected = format!(
            "`{}/left-pad`: not a packument (a `name` string and a `versions` object): {why}",
            server.uri()
        );
        for reason in every_fact_unknown(&facts) {
            assert_eq!(reason, expected, "{body}");
        }
    }
}

#[tokio::test]
async fn popularity_never_reaches_the_facts() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/popular",
        raw_body(fixture("popularity-fields.json")),
    )
    .await;

    let facts = client_at(&server.uri()).package("popular", "1.0.0").await;

    assert!(facts.releases.known().is_some());
    let text = serde_json::to_string(&facts).expect("facts serialize");
    for key in [
        "downloads",
        "stargazers_count",
        "forks_count",
        "watchers",
        "watchers_count",
        "subscribers_count",
        "open_issues_count",
        "users",
        "stars",
        "forks",
    ] {
        assert!(!text.contains(&format!("\"{key}\"")), "`{key}` in {text}");
    }
}

#[tokio::test]
async fn keys_sample() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/-/npm/v1/keys",
        json_body(&sample("npm-keys.json")),
    )
    .await;

    let keys = client_at(&server.uri()).keys().await;

    let keys = keys.known().expect("keys");
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys[0].keyid,
        "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA"
    );
    assert_eq!(keys[0].keytype, "ecdsa-sha2-nistp256");
    assert_eq!(keys[0].scheme, "ecdsa-sha2-nistp256");
    assert_eq!(keys[0].expires, time("2025-01-29T00:00:00Z"));
    assert!(
        keys[0]
            .key
            .starts_with("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")
    );
    assert_eq!(
        keys[1].keyid,
        "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U"
    );
    assert_eq!(keys[1].expires, None);
}

#[tokio::test]
async fn keys_of_a_registry_that_signs_nothing() {
    let server = MockServer::start().await;
    serve(&server, "/-/npm/v1/keys", ResponseTemplate::new(404)).await;

    assert_eq!(
        client_at(&server.uri()).keys().await,
        Fact::Known(Vec::new())
    );
}

#[tokio::test]
async fn keys_faults_are_unknown() {
    for (case, response, expected) in [
        ("500", ResponseTemplate::new(500), "answered HTTP 500"),
        (
            "truncated",
            raw_body(b"{\"keys\": [{\"keyid\": \"SHA".to_vec()),
            "not an npm keys document",
        ),
        (
            "wrong types",
            json_body(&json!({"keys": "none"})),
            "not an npm keys document",
        ),
        (
            "a key that is a list",
            json_body(
                &json!({"keys": [["SHA256:k", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", "MFkw"]]}),
            ),
            "not an npm keys document: found a list where an object is expected",
        ),
        (
            "bad expiry",
            json_body(&json!({"keys": [{
                "keyid": "SHA256:k", "keytype": "ecdsa-sha2-nistp256",
                "scheme": "ecdsa-sha2-nistp256", "key": "MFkw", "expires": "soon"
            }]})),
            "key `SHA256:k` expires at an unreadable time `soon`",
        ),
    ] {
        let server = MockServer::start().await;
        serve(&server, "/-/npm/v1/keys", response).await;

        let keys = client_at(&server.uri()).keys().await;

        let reason = unknown_reason(&keys);
        assert!(reason.contains(expected), "{case}: {reason}");
        assert!(reason.contains("/-/npm/v1/keys"), "{case}: {reason}");
    }
}

#[tokio::test]
async fn attestations_are_fetched_from_the_configured_registry() {
    let server = MockServer::start().await;
    let document = sample("npm-attestations.json");
    serve(
        &server,
        "/-/npm/v1/attestations/gundam-visor@1.0.1",
        json_body(&document),
    )
    .await;
    let client = client_at(&server.uri());
    // As advertised in `dist.attestations.url`: on registry.npmjs.org.
    let advertised =
        Url::parse("https://registry.npmjs.org/-/npm/v1/attestations/gundam-visor@1.0.1")
            .expect("URL");

    let fact = client.attestations(&advertised).await;

    assert_eq!(fact, Fact::Known(document));
}

#[tokio::test]
async fn scoped_attestations_url_keeps_its_escape() {
    let server = MockServer::start().await;
    let document = sample("npm-attestations.json");
    serve(
        &server,
        "/-/npm/v1/attestations/@x402%2fstellar@2.12.0",
        json_body(&document),
    )
    .await;
    let advertised =
        Url::parse("https://registry.npmjs.org/-/npm/v1/attestations/@x402%2fstellar@2.12.0")
            .expect("URL");

    let fact = client_at(&server.uri()).attestations(&advertised).await;

    assert_eq!(fact, Fact::Known(document));
}

#[tokio::test]
async fn attestations_faults_are_unknown() {
    for (case, response, expected) in [
        ("404", ResponseTemplate::new(404), "answered HTTP 404"),
        (
            "not a document",
            json_body(&json!({"error": "nope"})),
            "not an attestations document: the attestations document has no `attestations` list",
        ),
        (
            "200 {}",
            json_body(&json!({})),
            "not an attestations document: the attestations document has no `attestations` list",
        ),
        (
            "empty list",
            json_body(&json!({"attestations": []})),
            "not an attestations document: the attestations document lists no attestation",
        ),
        (
            "an entry that is not an object",
            json_body(&json!({"attestations": [7]})),
            "not an attestations document: attestation 1 is a number, not an object",
        ),
        (
            "a bundle that is not a Sigstore bundle",
            json_body(
                &json!({"attestations": [{"predicateType": "https://slsa.dev/provenance/v1", "bundle": {"x": 1}}]}),
            ),
            "not an attestations document: attestation 1: not a Sigstore bundle",
        ),
        (
            "truncated",
            raw_body(b"{\"attestations\": [".to_vec()),
            "not an attestations document: EOF",
        ),
    ] {
        let server = MockServer::start().await;
        serve(&server, "/-/npm/v1/attestations/x@1.0.0", response).await;
        let url =
            Url::parse(&format!("{}/-/npm/v1/attestations/x@1.0.0", server.uri())).expect("URL");

        let fact = client_at(&server.uri()).attestations(&url).await;

        let reason = unknown_reason(&fact);
        assert!(reason.contains(expected), "{case}: {reason}");
        assert!(reason.contains(url.as_str()), "{case}: {reason}");
    }
}

use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

use crate::registry::test_support::sample_json as sample;
use crate::registry::test_support::unknown_reason;
use crate::registry::test_support::{fixture_bytes, quick_net};

fn fixture(name: &str) -> Vec<u8> {
    fixture_bytes("github", name)
}

fn client_at(base: &str) -> GithubClient {
    let net = quick_net();
    GithubClient::new(net, Url::parse(base).expect("base URL"))
}

fn github(owner: &str, name: &str) -> RepoRef {
    RepoRef {
        host: "github.com".into(),
        owner: owner.into(),
        name: name.into(),
    }
}

async fn serve(server: &MockServer, at: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(at))
        .and(header("accept", ACCEPT_GITHUB))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

const HELLO_WORLD: &str = "/repos/octokit-fixture-org/hello-world";

#[tokio::test]
async fn repository_sample() {
    let server = MockServer::start().await;
    serve(
        &server,
        HELLO_WORLD,
        ResponseTemplate::new(200).set_body_json(sample("github-repo.json")),
    )
    .await;

    let fact = client_at(&server.uri())
        .repository(&github("octokit-fixture-org", "hello-world"))
        .await;

    assert_eq!(
        fact,
        Fact::Known(RepositoryFacts {
            host: "github".into(),
            id: 103703892,
            full_name: "octokit-fixture-org/hello-world".into(),
            owner: "octokit-fixture-org".into(),
            archived: false,
            disabled: false,
            pushed_at: "2017-11-03T20:11:46Z".parse().ok(),
            default_branch: Some("master".into()),
            moved_from: None,
        })
    );
}

#[tokio::test]
async fn case_differences_are_not_moves() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/repos/Octokit-Fixture-Org/Hello-World",
        ResponseTemplate::new(200).set_body_json(sample("github-repo.json")),
    )
    .await;

    let fact = client_at(&server.uri())
        .repository(&github("Octokit-Fixture-Org", "Hello-World"))
        .await;

    assert_eq!(fact.known().map(|facts| &facts.moved_from), Some(&None));
}

#[tokio::test]
async fn renamed_repository_follows_the_301() {
    let recording = sample("github-repo-redirect-301.json");
    let redirect = &recording["redirect"];
    let followed = &recording["followed"];
    let old_path = redirect["request"]["path"].as_str().expect("path");
    let new_path = followed["request"]["path"].as_str().expect("path");
    let mut body = followed["body_excerpt"].clone();
    body["owner"] = followed["owner_excerpt"].clone();
    let server = MockServer::start().await;
    // As recorded, with the Location moved onto the mock.
    serve(
        &server,
        old_path,
        ResponseTemplate::new(301)
            .insert_header("Location", format!("{}{new_path}", server.uri()).as_str())
            .set_body_json(&redirect["body"]),
    )
    .await;
    serve(
        &server,
        new_path,
        ResponseTemplate::new(200).set_body_json(&body),
    )
    .await;
    let old_name = old_path.trim_start_matches("/repos/");
    let (owner, name) = old_name.split_once('/').expect("owner/name");

    let fact = client_at(&server.uri())
        .repository(&github(owner, name))
        .await;

    let facts = fact.known().expect("repository facts");
    assert_eq!(facts.id, 515436299);
    assert_eq!(
        facts.full_name,
        "octokit-fixture-org/tmp-scenario-rename-repository-20220719044033126-ukeod-newname"
    );
    assert_eq!(facts.owner, "octokit-fixture-org");
    assert_eq!(facts.default_branch.as_deref(), Some("main"));
    assert_eq!(facts.pushed_at, "2022-07-19T04:40:33Z".parse().ok());
    assert_eq!(facts.moved_from.as_deref(), Some(old_name));
}

#[tokio::test]
async fn another_full_name_is_a_move_even_without_a_redirect() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/repos/old-owner/hello-world",
        ResponseTemplate::new(200).set_body_json(sample("github-repo.json")),
    )
    .await;

    let fact = client_at(&server.uri())
        .repository(&github("old-owner", "hello-world"))
        .await;

    let facts = fact.known().expect("repository facts");
    assert_eq!(facts.full_name, "octokit-fixture-org/hello-world");
    assert_eq!(facts.moved_from.as_deref(), Some("old-owner/hello-world"));
}

#[tokio::test]
async fn http_errors_are_unknown_with_their_meaning() {
    for (status, expected) in [
        (404, "answered HTTP 404: repository not found or private"),
        (403, "answered HTTP 403: GitHub API rate limit exceeded"),
        (429, "answered HTTP 429: GitHub API rate limit exceeded"),
        (401, "answered HTTP 401: the GitHub token was refused"),
        (500, "answered HTTP 500"),
        (502, "answered HTTP 502"),
    ] {
        let server = MockServer::start().await;
        serve(&server, HELLO_WORLD, ResponseTemplate::new(status)).await;

        let fact = client_at(&server.uri())
            .repository(&github("octokit-fixture-org", "hello-world"))
            .await;

        let reason = unknown_reason(&fact);
        assert!(reason.contains(expected), "{status}: {reason}");
        assert!(
            reason.contains(&format!("`{}{HELLO_WORLD}`", server.uri())),
            "{status}: {reason}"
        );
    }
}

#[tokio::test]
async fn bodies_that_are_not_repositories() {
    let full = serde_json::to_vec(&sample("github-repo.json")).expect("JSON");
    for (case, body) in [
        ("truncated", full[..full.len() / 2].to_vec()),
        ("wrong types", fixture("wrong-types.json")),
        (
            "missing facts",
            br#"{"id": 1, "full_name": "o/r"}"#.to_vec(),
        ),
        (
            "array",
            b"[103703892, \"o/r\", null, false, false]".to_vec(),
        ),
        ("html", b"<html>unicorn</html>".to_vec()),
    ] {
        let server = MockServer::start().await;
        serve(
            &server,
            HELLO_WORLD,
            ResponseTemplate::new(200).set_body_raw(body, "application/json"),
        )
        .await;

        let fact = client_at(&server.uri())
            .repository(&github("octokit-fixture-org", "hello-world"))
            .await;

        let reason = unknown_reason(&fact);
        assert!(
            reason.starts_with(&format!(
                "`{}{HELLO_WORLD}`: not a GitHub repository document: ",
                server.uri()
            )),
            "{case}: {reason}"
        );
    }
}

#[tokio::test]
async fn odd_optional_fields_keep_the_facts() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/repos/example/odd",
        ResponseTemplate::new(200)
            .set_body_raw(fixture("odd-optional-fields.json"), "application/json"),
    )
    .await;

    let fact = client_at(&server.uri())
        .repository(&github("example", "odd"))
        .await;

    let facts = fact.known().expect("repository facts");
    assert_eq!(facts.owner, "example");
    assert!(facts.archived);
    assert_eq!(facts.pushed_at, None);
    assert_eq!(facts.default_branch, None);
}

#[tokio::test]
async fn other_hosts_are_not_looked_up() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let gitlab = RepoRef {
        host: "gitlab.com".into(),
        owner: "group/sub".into(),
        name: "r".into(),
    };

    let fact = client_at(&server.uri()).repository(&gitlab).await;

    assert_eq!(
        fact,
        Fact::unknown_as(
            crate::model::facts::UnknownKind::NotRecorded,
            "repository on gitlab.com: deptrust reads repository facts from GitHub only"
        )
    );
}

#[tokio::test]
async fn popularity_never_reaches_the_facts() {
    let server = MockServer::start().await;
    serve(
        &server,
        HELLO_WORLD,
        ResponseTemplate::new(200).set_body_json(sample("github-repo.json")),
    )
    .await;

    let fact = client_at(&server.uri())
        .repository(&github("octokit-fixture-org", "hello-world"))
        .await;

    assert!(fact.known().is_some());
    let text = serde_json::to_string(&fact).expect("facts serialize");
    for key in [
        "stargazers_count",
        "forks_count",
        "forks",
        "watchers",
        "watchers_count",
        "subscribers_count",
        "network_count",
        "open_issues",
        "open_issues_count",
    ] {
        assert!(!text.contains(&format!("\"{key}\"")), "`{key}` in {text}");
    }
}

#[test]
fn owner_and_name_are_one_path_segment_each() {
    let escaped = utf8_percent_encode("a/b?c", PATH_PART).to_string();
    assert_eq!(escaped, "a%2Fb%3Fc");
    assert_eq!(
        utf8_percent_encode("Repo.js_x-1", PATH_PART).to_string(),
        "Repo.js_x-1"
    );
}

#[test]
fn reasons_never_mention_a_token_value() {
    // The client never holds one; reasons come from the URL and the status only.
    let error = NetError::Status {
        url: "https://api.github.com/repos/o/r".into(),
        status: 403,
    };
    let reason = reason(&error);
    assert_eq!(
        reason.detail,
        "`https://api.github.com/repos/o/r` answered HTTP 403: GitHub API rate limit \
             exceeded (or access denied); a GITHUB_TOKEN raises the limit"
    );
    // The words change; the kind and URL stay the error's.
    assert_eq!(
        reason.kind,
        crate::model::facts::UnknownKind::HttpStatus(403)
    );
    assert_eq!(
        reason.url.as_deref(),
        Some("https://api.github.com/repos/o/r")
    );
}

//! The GitHub client: what the REST API says about a repository a package declares.
//!
//! One request per repository: `GET <api>/repos/<owner>/<name>` with
//! `Accept: application/vnd.github+json` (format:
//! <https://docs.github.com/en/rest/repos/repos>; recorded samples in `fixtures/samples/`).
//! Decoded: `id`, `full_name`, `owner.login`, `archived`, `disabled`, `pushed_at`,
//! `default_branch`;
//! stars, forks, watchers, subscribers and open issues are never decoded.
//!
//! A renamed or transferred repository answers 301 to `/repositories/<id>`; the network layer
//! follows it, and the facts record the name asked in `moved_from`. The token (`GITHUB_TOKEN`)
//! is the network layer's business: this module never sees it.
//!
//! Not supported: other hosts (GitLab, Bitbucket… are unknown, with that reason), GitHub
//! Enterprise repositories (their host is not `github.com`; the API base can still point at a
//! mirror of github.com's API).

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use url::Url;

use crate::model::facts::{Fact, RepositoryFacts};
use crate::model::repo_url::RepoRef;
use crate::net::{Freshness, Net, NetError, Request};

/// Repository facts move slowly; unauthenticated clients have 60 requests an hour.
const REPOSITORY_FRESHNESS: Duration = Duration::from_secs(6 * 60 * 60);
/// GitHub's documented media type.
const ACCEPT_GITHUB: &str = "application/vnd.github+json";
/// The only host this client asks about.
const GITHUB_HOST: &str = "github.com";

/// The GitHub REST API client.
#[derive(Debug, Clone)]
pub struct GithubClient {
    net: Arc<Net>,
    base: Url,
}

/// Why the facts of a repository on another host than github.com are unknown.
pub fn not_looked_up(repo: &RepoRef) -> String {
    format!(
        "repository on {}: deptrust reads repository facts from GitHub only",
        repo.host
    )
}

impl GithubClient {
    /// A client for the API at `base` (`https://api.github.com/`, a mock).
    pub fn new(net: Arc<Net>, base: Url) -> Self {
        GithubClient { net, base }
    }

    /// What GitHub says about `repo`; unknown, with the reason, when it cannot say.
    pub async fn repository(&self, repo: &RepoRef) -> Fact<RepositoryFacts> {
        if !repo.host.eq_ignore_ascii_case(GITHUB_HOST) {
            return Fact::unknown(not_looked_up(repo));
        }
        let asked = repo.full_name();
        let text = format!(
            "{}/repos/{}/{}",
            self.base.as_str().trim_end_matches('/'),
            utf8_percent_encode(&repo.owner, PATH_PART),
            utf8_percent_encode(&repo.name, PATH_PART),
        );
        let url = match Url::parse(&text) {
            Ok(url) => url,
            Err(error) => return Fact::unknown(format!("`{text}` is not a valid URL: {error}")),
        };
        let request = Request {
            url: url.clone(),
            accept: Some(ACCEPT_GITHUB),
            freshness: Freshness::Mutable(REPOSITORY_FRESHNESS),
        };
        let fetched = match self.net.get(request).await {
            Ok(fetched) => fetched,
            Err(error) => return Fact::Unknown(reason(&error)),
        };
        let moved = fetched.final_url != fetched.url;
        decode_repository(&url, &asked, moved, &fetched.body)
    }
}

/// The repository document `body` served at `url` for `asked` (`owner/name`); `redirected`:
/// the request was redirected (the repository moved).
fn decode_repository(
    url: &Url,
    asked: &str,
    redirected: bool,
    body: &[u8],
) -> Fact<RepositoryFacts> {
    let wire: RepositoryWire = match decode_object(body) {
        Ok(wire) => wire,
        Err(error) => {
            return Fact::unknown(format!(
                "`{url}`: not a GitHub repository document: {error}"
            ));
        }
    };
    let moved = redirected || !wire.full_name.eq_ignore_ascii_case(asked);
    let owner = match wire.owner {
        Some(owner) => owner.login,
        None => match wire.full_name.split_once('/') {
            Some((owner, _)) => owner.to_string(),
            None => {
                return Fact::unknown(format!(
                    "`{url}`: the repository has no owner and its full name `{}` names none",
                    excerpt(&wire.full_name)
                ));
            }
        },
    };
    Fact::Known(RepositoryFacts {
        host: "github".into(),
        id: wire.id,
        full_name: wire.full_name,
        owner,
        archived: wire.archived,
        disabled: wire.disabled,
        pushed_at: wire.pushed_at.as_deref().and_then(parse_time),
        default_branch: wire.default_branch,
        moved_from: moved.then(|| asked.to_string()),
    })
}

/// An owner or name as one path segment (they are `[A-Za-z0-9._-]` once normalized; anything
/// else is escaped rather than trusted).
const PATH_PART: &percent_encoding::AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

/// Why a request gave no facts, with what GitHub's status codes mean here.
fn reason(error: &NetError) -> String {
    match error {
        NetError::Status { status: 404, .. } => {
            format!("{error}: repository not found or private")
        }
        NetError::Status {
            status: 403 | 429, ..
        } => format!(
            "{error}: GitHub API rate limit exceeded (or access denied); a GITHUB_TOKEN raises \
             the limit"
        ),
        NetError::Status { status: 401, .. } => {
            format!("{error}: the GitHub token was refused")
        }
        NetError::Status { status: 451, .. } => {
            format!("{error}: repository unavailable for legal reasons")
        }
        _ => error.to_string(),
    }
}

/// A JSON object decoded as `T`. Serde would also take an array for a struct (field by
/// position): only an object is a document here.
fn decode_object<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(_) => "the body is not a JSON object".to_string(),
            Err(error) => excerpt(&error.to_string()),
        });
    }
    serde_json::from_slice(body).map_err(|error| excerpt(&error.to_string()))
}

/// An RFC 3339 time; leniently, a time without offset is taken as UTC.
fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp);
    }
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// Text from the API for a reason: control characters escaped, at most 200 characters.
fn excerpt(text: &str) -> String {
    let escaped: String = text
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    match escaped.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &escaped[..end]),
        None => escaped,
    }
}

// ---------------------------------------------------------------------------------------------
// Wire types. The facts a signal needs are required; a document without them is not a
// repository document. Everything else (stars, forks, watchers…) is skipped unread.

#[derive(Debug, Deserialize)]
struct RepositoryWire {
    id: u64,
    full_name: String,
    #[serde(default, deserialize_with = "lenient")]
    owner: Option<OwnerWire>,
    archived: bool,
    disabled: bool,
    #[serde(default, deserialize_with = "lenient")]
    pushed_at: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    default_branch: Option<String>,
}

#[derive(Debug, Deserialize)]
struct OwnerWire {
    login: String,
}

/// An optional field of the wrong type reads as absent.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

/// Runs the repository decoder on `data`, for [`crate::fuzz`]: the first byte says whether the
/// request was redirected.
pub(crate) fn fuzz(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(url) = Url::parse("https://api.github.invalid/repos/owner/name") else {
        return;
    };
    decode_repository(&url, "owner/name", pick % 2 == 1, body);
}

#[cfg(test)]
mod tests {

    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    use crate::registry::test_support::sample_json as sample;
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

    fn unknown_reason<T: std::fmt::Debug>(fact: &Fact<T>) -> &str {
        match fact {
            Fact::Unknown(reason) => reason,
            Fact::Known(value) => panic!("expected unknown, got {value:?}"),
        }
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
            Fact::Unknown(
                "repository on gitlab.com: deptrust reads repository facts from GitHub only".into()
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
        assert_eq!(
            reason(&error),
            "`https://api.github.com/repos/o/r` answered HTTP 403: GitHub API rate limit \
             exceeded (or access denied); a GITHUB_TOKEN raises the limit"
        );
    }
}

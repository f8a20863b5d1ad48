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

mod wire;

use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

use super::decode::{decode_object, excerpt, parse_time};
use crate::model::facts::{Fact, RepositoryFacts, Unknown};
use crate::model::repo_url::RepoRef;
use crate::net::{Freshness, Net, NetError, Request};
use wire::RepositoryWire;

/// Repository facts move slowly; unauthenticated clients have 60 requests an hour.
const REPOSITORY_FRESHNESS: Duration = Duration::from_secs(6 * 60 * 60);
/// GitHub's documented media type.
const ACCEPT_GITHUB: &str = "application/vnd.github+json";
/// The only host this client asks about.
const GITHUB_HOST: &str = "github.com";

/// The GitHub REST API client.
#[derive(Debug, Clone)]
pub(crate) struct GithubClient {
    net: Arc<Net>,
    base: Url,
}

/// Why the facts of a repository on another host than github.com are unknown.
pub fn not_looked_up(repo: &RepoRef) -> Unknown {
    Unknown::not_recorded(format!(
        "repository on {}: deptrust reads repository facts from GitHub only",
        repo.host
    ))
}

impl GithubClient {
    /// A client for the API at `base` (`https://api.github.com/`, a mock).
    pub(crate) fn new(net: Arc<Net>, base: Url) -> Self {
        GithubClient { net, base }
    }

    /// What GitHub says about `repo`; unknown, with the reason, when it cannot say.
    pub(crate) async fn repository(&self, repo: &RepoRef) -> Fact<RepositoryFacts> {
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
            Err(error) => {
                return Fact::unknown(Unknown::other(format!(
                    "`{text}` is not a valid URL: {error}"
                )));
            }
        };
        let request = Request {
            url: url.clone(),
            accept: Some(ACCEPT_GITHUB),
            freshness: Freshness::Mutable(REPOSITORY_FRESHNESS),
        };
        let fetched = match self.net.get(request).await {
            Ok(fetched) => fetched,
            Err(error) => return Fact::unknown(reason(&error)),
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
            return Fact::unknown(Unknown::malformed(format!(
                "`{url}`: not a GitHub repository document: {error}"
            )));
        }
    };
    let moved = redirected || !wire.full_name.eq_ignore_ascii_case(asked);
    let owner = match wire.owner {
        Some(owner) => owner.login,
        None => match wire.full_name.split_once('/') {
            Some((owner, _)) => owner.to_string(),
            None => {
                return Fact::unknown(Unknown::malformed(format!(
                    "`{url}`: the repository has no owner and its full name `{}` names none",
                    excerpt(&wire.full_name)
                )));
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

/// Why a request gave no facts, with what GitHub's status codes mean here: the kind and URL
/// of the error, in other words.
fn reason(error: &NetError) -> Unknown {
    let words = match error {
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
    };
    Unknown {
        detail: words,
        ..Unknown::from(error)
    }
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
mod tests;

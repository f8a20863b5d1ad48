//! `unmaintained`: no release for `release-months` months, and the repository is archived (or
//! the registry marks the project archived) or was not pushed to for `push-months` months. When
//! the repository cannot be looked at, or the host does not say when it was last pushed, the
//! outcome is unknown: a quiet registry alone is not a finding. Nobody will ship a fix
//! when a vulnerability is found, and an abandoned package is the easiest to take over (ctx,
//! event-stream: handed to or seized by strangers after years of quiet).
//!
//! Some packages are simply finished: small, stable, with nothing left to change. The message
//! says so, and an exception with that reason is the intended answer for them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::support::{evidence, months_before, signed, unknown, whole_months};
use super::{Context, Outcome, Rule};
use crate::model::facts::Fact;
use crate::model::facts::Unknown;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unmaintained;

/// The rule's parameters (defaults in `rules/unmaintained.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Params {
    /// Months without a release.
    pub(crate) release_months: u64,
    /// Months without a push to the repository.
    pub(crate) push_months: u64,
}

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The newest release with a publish time.
    pub(crate) latest_release: LatestRelease<'a>,
    /// Whole months from its publish time to the run's clock.
    pub(crate) months_without_release: i64,
    /// The `release-months` parameter.
    pub(crate) release_months: i64,
    /// The `push-months` parameter.
    pub(crate) push_months: i64,
    /// What made the project look abandoned besides the quiet registry.
    pub(crate) repository: RepositoryState,
}

/// The newest release, in [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct LatestRelease<'a> {
    /// Its version.
    pub(crate) version: &'a str,
    /// Its publish time (RFC 3339).
    pub(crate) published: String,
}

/// The repository's state, in [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RepositoryState {
    /// Whether the repository is archived, or (without `pushed_at`) the registry marks the
    /// project archived.
    pub(crate) archived: bool,
    /// The repository's last push (RFC 3339), `null` when its host does not say; absent when
    /// only the registry marks the project archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pushed_at: Option<Option<String>>,
}

impl Rule for Unmaintained {
    const ID: &'static str = "unmaintained";
    type Params = Params;

    fn judge(&self, cx: &Context<'_>, params: &Params) -> Outcome {
        let release_months = signed(params.release_months);
        let push_months = signed(params.push_months);
        let facts = cx.facts;
        let releases = match &facts.releases {
            Fact::Known(releases) => releases,
            Fact::Unknown(reason) => return unknown("releases", reason.clone()),
        };
        let Some(latest) = releases
            .iter()
            .filter(|release| release.published.is_some())
            .max_by_key(|release| release.published)
        else {
            return unknown(
                "releases",
                Unknown::not_recorded("no release has a publish time"),
            );
        };
        let latest_time = latest.published.unwrap_or(Timestamp::MIN);
        if months_before(cx.now, release_months).is_none_or(|limit| latest_time > limit) {
            return Outcome::Clear;
        }
        let quiet = whole_months(latest_time, cx.now);

        let archived_status = matches!(&facts.status, Fact::Known(status) if status.archived);
        let (repository, repository_state) = match &facts.repository_facts {
            Fact::Known(repository) if repository.archived => (
                format!("the repository {} is archived", repository.full_name),
                RepositoryState {
                    archived: true,
                    pushed_at: Some(repository.pushed_at.map(|t| t.to_string())),
                },
            ),
            _ if archived_status => (
                "the registry marks the project archived".to_string(),
                RepositoryState {
                    archived: true,
                    pushed_at: None,
                },
            ),
            Fact::Known(repository) => match repository.pushed_at {
                Some(pushed) => {
                    if months_before(cx.now, push_months).is_none_or(|limit| pushed > limit) {
                        return Outcome::Clear;
                    }
                    (
                        format!(
                            "the repository {} was last pushed {} months ago",
                            repository.full_name,
                            whole_months(pushed, cx.now)
                        ),
                        RepositoryState {
                            archived: false,
                            pushed_at: Some(Some(pushed.to_string())),
                        },
                    )
                }
                // Unknown is never a risk: a quiet registry alone does not make a package
                // unmaintained (finished packages are quiet too).
                None => {
                    return unknown(
                        "repository_facts",
                        Unknown::not_recorded(format!(
                            "the host does not say when the repository {} was last pushed",
                            repository.full_name
                        )),
                    );
                }
            },
            Fact::Unknown(reason) => return unknown("repository_facts", reason.clone()),
        };
        Outcome::Risk {
            message: format!(
                "no release for {quiet} months (latest: {} on {}) and {repository}; if it is finished and stable, accept it with an exception",
                latest.version,
                latest_time.strftime("%Y-%m-%d")
            ),
            evidence: evidence(&Evidence {
                latest_release: LatestRelease {
                    version: &latest.version,
                    published: latest_time.to_string(),
                },
                months_without_release: quiet,
                release_months,
                push_months,
                repository: repository_state,
            }),
            severity: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facts::{PackageFacts, RepositoryFacts, Status};
    use crate::signals::test_support::{
        Expect, at, check, evaluate, evaluate_with, facts_with, params_with, release, release_mut,
        repository_facts, risk, unknown_facts,
    };
    use serde_json::json;

    /// Last release on `released`, last push on `pushed`.
    fn quiet(released: &str, pushed: Option<&str>) -> PackageFacts {
        let mut facts = facts_with(
            "npm",
            "1.0.0",
            vec![
                release("0.9.0", "2015-01-01T00:00:00Z"),
                release("1.0.0", released),
            ],
        );
        facts.repository_facts = Fact::Known(RepositoryFacts {
            pushed_at: pushed.map(at),
            ..repository_facts()
        });
        facts
    }

    #[test]
    fn table() {
        let old = "2023-06-01T00:00:00Z";
        let mut archived = quiet(old, Some("2025-12-01T00:00:00Z"));
        archived.repository_facts = Fact::Known(RepositoryFacts {
            archived: true,
            ..repository_facts()
        });
        let mut unknown_repository = quiet(old, None);
        unknown_repository.repository_facts = Fact::unknown("the package declares no repository");
        let mut pypi_archived = unknown_repository.clone();
        pypi_archived.status = Fact::Known(Status {
            archived: true,
            ..Status::default()
        });
        let mut untimed = quiet(old, None);
        for version in ["0.9.0", "1.0.0"] {
            release_mut(&mut untimed, version).published = None;
        }
        check(
            &Unmaintained,
            vec![
                (
                    "recent release",
                    quiet("2025-01-01T00:00:00Z", None),
                    Expect::Clear,
                ),
                (
                    "old release, recent push",
                    quiet(old, Some("2025-12-01T00:00:00Z")),
                    Expect::Clear,
                ),
                (
                    "old release, old push",
                    quiet(old, Some("2024-06-01T00:00:00Z")),
                    Expect::Risk(
                        "no release for 31 months (latest: 1.0.0 on 2023-06-01) and the repository owner/repo was last pushed 19 months ago; if it is finished and stable, accept it with an exception",
                    ),
                ),
                (
                    "archived",
                    archived,
                    Expect::Risk("the repository owner/repo is archived"),
                ),
                (
                    "push unknown",
                    quiet(old, None),
                    Expect::Unknown(
                        "repository_facts",
                        "when the repository owner/repo was last pushed",
                    ),
                ),
                (
                    "repository unknown",
                    unknown_repository,
                    Expect::Unknown("repository_facts", "declares no repository"),
                ),
                (
                    "PyPI archived",
                    pypi_archived,
                    Expect::Risk("the registry marks the project archived"),
                ),
                (
                    "no publish times",
                    untimed,
                    Expect::Unknown("releases", "no release has a publish time"),
                ),
                (
                    "releases unknown",
                    unknown_facts(),
                    Expect::Unknown("releases", "offline"),
                ),
            ],
        );
    }

    #[test]
    fn parameters_and_evidence() {
        let facts = quiet("2023-06-01T00:00:00Z", Some("2024-06-01T00:00:00Z"));
        let longer = params_with(&Unmaintained, "release-months", 36);
        assert_eq!(
            evaluate_with(&Unmaintained, &facts, None, &longer),
            Outcome::Clear
        );
        let push = params_with(&Unmaintained, "push-months", 24);
        assert_eq!(
            evaluate_with(&Unmaintained, &facts, None, &push),
            Outcome::Clear
        );
        let (_, evidence, _) = risk(evaluate(&Unmaintained, &facts));
        assert_eq!(evidence["months_without_release"], 31);
        assert_eq!(evidence["repository"]["pushed_at"], "2024-06-01T00:00:00Z");
        assert_eq!(evidence["release_months"], 24);
    }

    /// The typed evidence serializes to exactly the JSON the `json!` literal it replaced gave,
    /// in each of the three repository states (`pushed_at` null, absent, a time).
    #[test]
    fn typed_evidence_is_the_json_it_replaced() {
        let pushed: Timestamp = "2020-02-03T04:05:06Z".parse().unwrap();
        let latest_time: Timestamp = "2019-01-01T00:00:00Z".parse().unwrap();
        let states = [
            (
                RepositoryState {
                    archived: true,
                    pushed_at: Some(Some(pushed.to_string())),
                },
                json!({"archived": true, "pushed_at": Some(pushed).map(|t| t.to_string())}),
            ),
            (
                RepositoryState {
                    archived: true,
                    pushed_at: Some(None),
                },
                json!({"archived": true, "pushed_at": None::<Timestamp>.map(|t| t.to_string())}),
            ),
            (
                RepositoryState {
                    archived: true,
                    pushed_at: None,
                },
                json!({"archived": true}),
            ),
            (
                RepositoryState {
                    archived: false,
                    pushed_at: Some(Some(pushed.to_string())),
                },
                json!({"archived": false, "pushed_at": pushed.to_string()}),
            ),
        ];
        for (state, old_state) in states {
            let typed = evidence(&Evidence {
                latest_release: LatestRelease {
                    version: "1.0.0",
                    published: latest_time.to_string(),
                },
                months_without_release: 83,
                release_months: 24,
                push_months: 24,
                repository: state,
            });
            let old = json!({
                "latest_release": {
                    "version": "1.0.0",
                    "published": latest_time.to_string(),
                },
                "months_without_release": 83,
                "release_months": 24,
                "push_months": 24,
                "repository": old_state,
            });
            assert_eq!(
                serde_json::to_string(&typed).unwrap(),
                serde_json::to_string(&old).unwrap()
            );
        }
    }
}

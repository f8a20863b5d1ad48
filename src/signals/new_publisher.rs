//! `new-publisher`: the version in use, or a version published in the `window-days` days
//! before it, was published by an identity that had published no earlier version (the
//! event-stream takeover: a new maintainer's first publish carried the payload).
//!
//! Who published a release ([`Publisher::of`]):
//! - a registry account (npm `_npmUser`, crates.io `published_by`), compared by its stable id,
//!   never by display name;
//! - a trusted publisher (a CI workflow publishing through OIDC), compared by the verified
//!   build's repository id when both releases have one (stable across renames and
//!   transfers), else by repository (the verified build's, the registry-asserted one, or the
//!   one the registry advertises), else by the registry's account id;
//! - on PyPI, which names no uploader, the verified attestation identity: PyPI publishers are
//!   known only for verified releases (the version in use and the latest earlier attested
//!   release), so a PyPI package without provenance is unknown here.
//!
//! A release is new when no earlier release with a comparable publisher was published by the
//! same identity, and at least one earlier publisher could be compared; when none could, the
//! answer is unknown. The first release of a package is clear: nobody came before to compare
//! with. A release in the window whose publisher is unknown, or the version in use without a
//! publish time (the window cannot be placed), makes the answer unknown unless a new publisher
//! is found elsewhere (the evidence counts the earlier publishers that could not be compared).
//!
//! "Earlier" here is earlier in time ([`History::before`]), on every release line: whether an
//! identity had published the package is a question about who was around before, and a
//! maintainer who published 2.0.0 is not new when publishing a 1.x backport.
//!
//! Age: each new publisher's release is judged by its own publish time against the run's
//! clock ([`AgeWindows`]): the rule's severity while younger than `fresh-days`, one step lower
//! until `expire-days`, dropped beyond; the freshest release found decides the severity.
//! Takeovers were caught within hours to weeks (event-stream: about ten weeks); an identity
//! whose first release has been in use for a year has become the package's maintainer. A new
//! publisher's release without a publish time makes the answer unknown.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::support::{
    AgeEvidence, AgeWindows, History, Weight, evidence, one_step_down, plural, repository_key,
    rule_severity, severity_field, signed, unknown, whole_days,
};
use super::{Context, Outcome, Rule};
use crate::model::facts::Unknown;
use crate::model::facts::{Fact, Identity, IdentityKind, Provenance, Release};
use crate::model::verification::ProvenanceCheck;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewPublisher;

/// The rule's parameters (defaults in `rules/new-publisher.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Params {
    /// Days before the version in use whose releases are also checked (at most 100 years).
    pub(crate) window_days: u64,
    /// Days a new publisher's release weighs fully.
    pub(crate) fresh_days: u64,
    /// Days after which it no longer counts.
    pub(crate) expire_days: u64,
}

impl Rule for NewPublisher {
    const ID: &'static str = "new-publisher";
    type Params = Params;

    fn judge(&self, cx: &Context<'_>, params: &Params) -> Outcome {
        let window = signed(params.window_days).clamp(0, 36_500);
        let windows = AgeWindows::new(params.fresh_days, params.expire_days);
        let history = match History::of(cx.facts) {
            Ok(history) => history,
            Err(outcome) => return outcome,
        };
        let in_use = history.in_use();
        if let Some(outcome) = outside_the_ledger(cx, in_use) {
            return outcome;
        }
        let start = in_use.published.and_then(|published| {
            published
                .checked_sub(SignedDuration::from_hours(window * 24))
                .ok()
        });
        // The version in use, and the releases published in the window before it.
        let mut candidates: Vec<usize> = (0..history.releases.len())
            .filter(|&index| {
                history.is_before(index, history.index)
                    && matches!(
                        (start, history.releases[index].published),
                        (Some(start), Some(published)) if published >= start
                    )
            })
            .collect();
        candidates.push(history.index);

        let mut new = Vec::new();
        // Why a release that is checked could not be judged (the version in use first).
        let mut undetermined = None;
        if in_use.published.is_none() && history.releases.len() > 1 {
            undetermined = Some((
                "releases",
                Unknown::not_recorded(format!(
                    "the registry gives no publish time for {}, so the releases of the {window} days before it cannot be found",
                    in_use.version
                )),
            ));
        }
        for index in candidates.into_iter().rev() {
            match newness(&history, index) {
                Newness::New(found) => new.push((index, found)),
                Newness::Undetermined(reason) => {
                    undetermined.get_or_insert(("publisher", reason));
                }
                Newness::Seen | Newness::First => {}
            }
        }
        new.reverse();
        // Each new publisher's release is judged by its own age; the freshest decides.
        let mut aged = Vec::new();
        for (index, found) in new {
            let release = &history.releases[index];
            match windows.age(cx.now, release, "a new publisher's first release") {
                Ok(age) if age.weight == Weight::Expired => {}
                Ok(age) => aged.push((index, found, age)),
                Err(outcome) => return outcome,
            }
        }
        let Some(freshest) = aged
            .iter()
            .map(|(_, _, age)| age.weight)
            .min_by_key(|weight| match weight {
                Weight::Full => 0,
                Weight::Decayed => 1,
                Weight::Expired => 2,
            })
        else {
            return match undetermined {
                Some((fact, reason)) => unknown(fact, reason),
                None => Outcome::Clear,
            };
        };
        let base = rule_severity(Self::ID);
        let severity = match freshest {
            Weight::Full => base,
            _ => one_step_down(base),
        };
        let items: Vec<String> = aged
            .iter()
            .map(|(index, found, age)| {
                let release = &history.releases[*index];
                format!(
                    "{} ({}) by {}, {}",
                    release.version,
                    relation(release, in_use, *index == history.index),
                    found.publisher.describe(),
                    age.describe(&windows)
                )
            })
            .collect();
        let found: Vec<FoundEvidence<'_>> = aged
            .iter()
            .map(|(index, found, age)| FoundEvidence {
                age: Some(age.evidence(&windows)),
                ..found.evidence(&history.releases[*index], *index == history.index)
            })
            .collect();
        Outcome::Risk {
            message: format!(
                "published by an identity that published no earlier version: {}",
                items.join("; ")
            ),
            evidence: evidence(&Evidence {
                version: &in_use.version,
                window_days: window,
                new_publishers: found,
            }),
            severity: severity_field(Self::ID, severity),
        }
    }
}

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// The `window-days` parameter (clamped to 0..=36500).
    pub(crate) window_days: i64,
    /// The releases published by a new publisher, each with its age.
    pub(crate) new_publishers: Vec<FoundEvidence<'a>>,
}

/// The evidence of a finding against the trust ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct LedgerEvidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// Who published it.
    pub(crate) publisher: &'a Identity,
    /// The publishers the ledger accepted.
    pub(crate) ledger_publishers: Vec<&'a Identity>,
}

/// A release published by an identity that published no earlier version (here and in
/// `dormant-revival`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FoundEvidence<'a> {
    /// The release.
    pub(crate) version: &'a str,
    /// Its publish time (RFC 3339), when the registry gives it.
    pub(crate) published: Option<String>,
    /// Whether it is the version in use.
    pub(crate) in_use: bool,
    /// Who published it.
    pub(crate) publisher: PublisherEvidence<'a>,
    /// Earlier releases whose publisher was compared.
    pub(crate) earlier_releases_compared: usize,
    /// Earlier releases whose publisher is unknown or could not be compared.
    pub(crate) earlier_publishers_unknown: usize,
    /// Its age (`new-publisher` only; absent in `dormant-revival`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) age: Option<AgeEvidence<'a>>,
}

/// A publisher, as evidence: `kind` is `account` or `trusted-publisher`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum PublisherEvidence<'a> {
    /// A registry account of a person or a team.
    Account {
        /// The registry's id of the account.
        id: &'a str,
        /// Its display name.
        display: &'a str,
    },
    /// A CI workflow: trusted publishing, or a verified build nobody's account published.
    TrustedPublisher {
        /// The registry's id for it, when it names one.
        id: Option<&'a str>,
        /// Its display name, when the registry names one.
        display: Option<&'a str>,
        /// The repository (`https://github.com/owner/name`), when known.
        repository: Option<&'a str>,
        /// The host's numeric repository id (as a string), from a verified build.
        repository_id: Option<&'a str>,
    },
}

/// The trust ledger's check (see `app::ledger`): when the ledger accepted publishers for this
/// package (the earlier record's releases, one per accepted identity) and the version in use
/// was published by a known identity that is not among them, that is a finding whatever its
/// age: the ledger is what the team accepted, and a reviewer accepts a new publisher by
/// updating it.
fn outside_the_ledger(cx: &Context<'_>, in_use: &Release) -> Option<Outcome> {
    let previous = cx.previous?;
    if previous.registry != crate::model::facts::LEDGER_SOURCE {
        return None;
    }
    let accepted: Vec<&Identity> = previous
        .releases
        .known()?
        .iter()
        .filter_map(|release| match &release.publisher {
            Fact::Known(Some(identity)) => Some(identity),
            _ => None,
        })
        .collect();
    let Fact::Known(Some(publisher)) = &in_use.publisher else {
        return None;
    };
    if accepted.is_empty() || accepted.iter().any(|identity| identity.id == publisher.id) {
        return None;
    }
    Some(Outcome::Risk {
        message: format!(
            "{} was published by {}, who is not among the publishers accepted in the trust ledger (deptrust-ledger.toml): {}",
            in_use.version,
            publisher.display,
            accepted
                .iter()
                .map(|identity| identity.display.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        evidence: evidence(&LedgerEvidence {
            version: &in_use.version,
            publisher,
            ledger_publishers: accepted,
        }),
        severity: None,
    })
}

/// How a release stands to the version in use, for a message.
fn relation(release: &Release, in_use: &Release, is_in_use: bool) -> String {
    if is_in_use {
        return "the version in use".to_string();
    }
    match (release.published, in_use.published) {
        (Some(published), Some(used)) => match whole_days(published, used) {
            0 => "published the same day as the version in use".to_string(),
            1 => "published 1 day before the version in use".to_string(),
            days => format!("published {days} days before the version in use"),
        },
        _ => "published before the version in use".to_string(),
    }
}

/// Who published a release, in a form that can be compared with another release's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Publisher {
    /// A registry account of a person or a team.
    Account(Identity),
    /// A CI workflow: trusted publishing, or a verified build nobody's account published.
    Build {
        /// The host's numeric repository id, from a verified build.
        repository_id: Option<String>,
        /// The repository, as [`repository_key`] writes it.
        repository: Option<String>,
        /// The registry's identity for it, when it names one.
        account: Option<Identity>,
    },
}

impl Publisher {
    /// Who published `release`, or why that is unknown.
    pub(crate) fn of(release: &Release) -> Result<Publisher, Unknown> {
        let build = match &release.verification {
            Some(verification) => match &verification.provenance {
                ProvenanceCheck::Verified { identity } => Some(identity.as_ref()),
                _ => None,
            },
            None => None,
        };
        let asserted = match &release.verification {
            Some(verification) => match &verification.provenance {
                ProvenanceCheck::RegistryAsserted {
                    provider,
                    repository: Some(repository),
                    ..
                } => Some(repository_key(Some(provider), repository)),
                _ => None,
            },
            None => None,
        };
        let advertised = match &release.provenance {
            Fact::Known(Provenance::TrustedPublishing {
                provider,
                repository: Some(repository),
                ..
            }) => Some(repository_key(Some(provider), repository)),
            _ => None,
        };
        let repository = build
            .and_then(|build| build.repository.as_deref())
            .map(|repository| repository_key(None, repository))
            .or(asserted)
            .or(advertised);
        let repository_id = build.and_then(|build| build.repository_id.clone());
        match &release.publisher {
            Fact::Known(Some(identity)) if identity.kind != IdentityKind::TrustedPublisher => {
                Ok(Publisher::Account(identity.clone()))
            }
            Fact::Known(Some(identity)) => Ok(Publisher::Build {
                repository_id,
                repository,
                account: Some(identity.clone()),
            }),
            _ if build.is_some() => Ok(Publisher::Build {
                repository_id,
                repository,
                account: None,
            }),
            Fact::Known(None) => Err(Unknown::not_recorded(format!(
                "the registry records no publisher for {}",
                release.version
            ))),
            Fact::Unknown(reason) => Err(reason.map_detail(|reason| {
                format!("the publisher of {} is unknown: {reason}", release.version)
            })),
        }
    }

    /// Whether two releases were published by the same identity; `None` when they cannot be
    /// compared (two CI identities with nothing in common to compare).
    pub(crate) fn same(&self, other: &Publisher) -> Option<bool> {
        match (self, other) {
            (Publisher::Account(a), Publisher::Account(b)) => Some(a.id == b.id),
            (
                Publisher::Build {
                    repository_id: id_a,
                    repository: repository_a,
                    account: account_a,
                },
                Publisher::Build {
                    repository_id: id_b,
                    repository: repository_b,
                    account: account_b,
                },
            ) => {
                if let (Some(a), Some(b)) = (id_a, id_b) {
                    Some(a == b)
                } else if let (Some(a), Some(b)) = (repository_a, repository_b) {
                    Some(a == b)
                } else if let (Some(a), Some(b)) = (account_a, account_b) {
                    // Trusted-publisher ids name repositories, which compare ignoring case.
                    Some(a.id.eq_ignore_ascii_case(&b.id))
                } else {
                    None
                }
            }
            _ => Some(false),
        }
    }

    /// Who, for a message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Publisher::Account(identity) => identity.display.clone(),
            Publisher::Build {
                repository_id,
                repository,
                account,
            } => {
                let what = repository
                    .clone()
                    .or_else(|| account.as_ref().map(|account| account.display.clone()))
                    .unwrap_or_else(|| "an unnamed repository".to_string());
                match repository_id {
                    Some(id) => format!("the trusted publisher {what} (repository id {id})"),
                    None => format!("the trusted publisher {what}"),
                }
            }
        }
    }

    /// The facts, as evidence.
    pub(crate) fn evidence(&self) -> PublisherEvidence<'_> {
        match self {
            Publisher::Account(identity) => PublisherEvidence::Account {
                id: &identity.id,
                display: &identity.display,
            },
            Publisher::Build {
                repository_id,
                repository,
                account,
            } => PublisherEvidence::TrustedPublisher {
                id: account.as_ref().map(|account| account.id.as_str()),
                display: account.as_ref().map(|account| account.display.as_str()),
                repository: repository.as_deref(),
                repository_id: repository_id.as_deref(),
            },
        }
    }
}

/// Whether the publisher of one release had published an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Newness {
    /// An earlier release has the same publisher.
    Seen,
    /// The package's first release: nobody to compare with.
    First,
    /// No earlier release with a comparable publisher has this one.
    New(NewPublisherFound),
    /// Cannot tell, and why.
    Undetermined(Unknown),
}

/// A publisher no earlier release had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewPublisherFound {
    /// Who.
    pub(crate) publisher: Publisher,
    /// Earlier releases whose publisher was compared.
    pub(crate) compared: usize,
    /// Earlier releases whose publisher is unknown or could not be compared.
    pub(crate) unknown: usize,
}

impl NewPublisherFound {
    /// The facts about `release`, as evidence (without its age).
    pub(crate) fn evidence<'a>(&'a self, release: &'a Release, in_use: bool) -> FoundEvidence<'a> {
        FoundEvidence {
            version: &release.version,
            published: release.published.map(|time: Timestamp| time.to_string()),
            in_use,
            publisher: self.publisher.evidence(),
            earlier_releases_compared: self.compared,
            earlier_publishers_unknown: self.unknown,
            age: None,
        }
    }
}

/// Whether the publisher of `releases[index]` had published an earlier release.
pub(crate) fn newness(history: &History<'_>, index: usize) -> Newness {
    let Some(release) = history.releases.get(index) else {
        return Newness::Undetermined(Unknown::other(format!("no release number {index}")));
    };
    let publisher = match Publisher::of(release) {
        Ok(publisher) => publisher,
        Err(reason) => return Newness::Undetermined(reason),
    };
    let earlier = history.before(index);
    if earlier.is_empty() {
        return Newness::First;
    }
    let (mut compared, mut unknown) = (0, 0);
    for other in &earlier {
        match Publisher::of(other)
            .ok()
            .and_then(|other| publisher.same(&other))
        {
            Some(true) => return Newness::Seen,
            Some(false) => compared += 1,
            None => unknown += 1,
        }
    }
    if compared == 0 {
        return Newness::Undetermined(Unknown::not_recorded(format!(
            "none of the publishers of the {} before {} is known or comparable with {}",
            plural(earlier.len(), "release"),
            release.version,
            publisher.describe()
        )));
    }
    Newness::New(NewPublisherFound {
        publisher,
        compared,
        unknown,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::model::facts::Owner;
    use crate::model::verification::ProvenanceCheck;
    use crate::signals::test_support::{
        Expect, NOW, at, attested, build, by, check, evaluate, evaluate_with, facts, facts_with,
        params_with, release, release_mut, risk, unknown_facts, verification,
    };

    fn trusted(display: &str) -> Identity {
        Identity {
            id: format!("trusted-publisher:github:{display}"),
            display: display.to_string(),
            kind: IdentityKind::TrustedPublisher,
        }
    }

    /// event-stream: 3.3.4 by dominictarr, then 3.3.5 and 3.3.6 by right9ctrl (2018 in
    /// reality; here two months before the tests' clock, so the takeover is fresh).
    fn event_stream(in_use: &str) -> crate::model::facts::PackageFacts {
        event_stream_at(in_use, "2025-11-01T00:00:00Z", "2025-11-20T00:00:00Z")
    }

    /// event-stream with 3.3.5 and 3.3.6 published at these times.
    fn event_stream_at(
        in_use: &str,
        first: &str,
        second: &str,
    ) -> crate::model::facts::PackageFacts {
        facts_with(
            "npm",
            in_use,
            vec![
                by(release("3.3.4", "2016-06-01T00:00:00Z"), "dominictarr"),
                by(release("3.3.5", first), "right9ctrl"),
                by(release("3.3.6", second), "right9ctrl"),
                by(release("4.0.0", "2025-12-31T00:00:00Z"), "right9ctrl"),
            ],
        )
    }

    #[test]
    fn table() {
        let signal = &NewPublisher;
        let mut first = facts();
        first.version = "1.0.0".into();

        let mut unknown_in_use = facts();
        release_mut(&mut unknown_in_use, "1.1.0").publisher = Fact::unknown("mirror strips it");
        let mut nobody_in_use = facts();
        release_mut(&mut nobody_in_use, "1.1.0").publisher = Fact::Known(None);
        let mut all_earlier_unknown = facts();
        release_mut(&mut all_earlier_unknown, "1.1.0").publisher =
            Fact::Known(Some(crate::signals::test_support::user("mallory")));
        release_mut(&mut all_earlier_unknown, "1.0.0").publisher = Fact::Known(None);

        // One earlier publisher is unknown, another is known and different: still new.
        let mut partly_unknown = facts_with(
            "npm",
            "1.2.0",
            vec![
                release("1.0.0", "2025-01-01T00:00:00Z"),
                by(release("1.1.0", "2025-02-01T00:00:00Z"), "bob"),
                by(release("1.2.0", "2025-06-01T00:00:00Z"), "mallory"),
            ],
        );
        release_mut(&mut partly_unknown, "1.0.0").publisher = Fact::unknown("unreadable");

        // A new publisher 40 days before the version in use is outside the 30-day window.
        let outside = facts_with(
            "npm",
            "1.2.0",
            vec![
                release("1.0.0", "2025-01-01T00:00:00Z"),
                by(release("1.1.0", "2025-04-22T00:00:00Z"), "bob"),
                by(release("1.2.0", "2025-06-01T00:00:00Z"), "bob"),
            ],
        );

        // crates.io: user ids, not logins.
        let crate_user = |id: &str, login: &str| Identity {
            id: format!("crates:user:{id}"),
            display: login.to_string(),
            kind: IdentityKind::User,
        };
        let mut renamed_login = facts_with(
            "cargo",
            "1.1.0",
            vec![
                release("1.0.0", "2025-01-01T00:00:00Z"),
                release("1.1.0", "2025-06-01T00:00:00Z"),
            ],
        );
        release_mut(&mut renamed_login, "1.0.0").publisher =
            Fact::Known(Some(crate_user("42", "old-login")));
        release_mut(&mut renamed_login, "1.1.0").publisher =
            Fact::Known(Some(crate_user("42", "new-login")));
        let mut same_login_other_account = renamed_login.clone();
        release_mut(&mut same_login_other_account, "1.1.0").publisher =
            Fact::Known(Some(crate_user("43", "old-login")));

        let listed = vec![release("1.0.0", "2025-01-01T00:00:00Z")];

        check(
            signal,
            vec![
                ("same publisher", facts(), Expect::Clear),
                ("first release", first, Expect::Clear),
                (
                    "event-stream 3.3.6: new publisher 19 days earlier",
                    event_stream("3.3.6"),
                    Expect::Risk(
                        "3.3.5 (published 19 days before the version in use) by right9ctrl",
                    ),
                ),
                (
                    "event-stream 3.3.5: the new publisher's first release",
                    event_stream("3.3.5"),
                    Expect::Risk("3.3.5 (the version in use) by right9ctrl"),
                ),
                (
                    "event-stream 4.0.0: months later",
                    event_stream("4.0.0"),
                    Expect::Clear,
                ),
                (
                    "publisher of the version in use unknown",
                    unknown_in_use,
                    Expect::Unknown("publisher", "mirror strips it"),
                ),
                (
                    "registry records nobody",
                    nobody_in_use,
                    Expect::Unknown("publisher", "records no publisher for 1.1.0"),
                ),
                (
                    "no earlier publisher known",
                    all_earlier_unknown,
                    Expect::Unknown("publisher", "the 1 release before 1.1.0 is known"),
                ),
                (
                    "one earlier unknown",
                    partly_unknown,
                    Expect::Risk("by mallory"),
                ),
                ("new publisher outside the window", outside, Expect::Clear),
                ("crates.io login renamed", renamed_login, Expect::Clear),
                (
                    "crates.io same login, other account",
                    same_login_other_account,
                    Expect::Risk("by old-login"),
                ),
                (
                    "releases unknown",
                    unknown_facts(),
                    Expect::Unknown("releases", "offline"),
                ),
                (
                    "version not listed",
                    facts_with("npm", "9.9.9", listed),
                    Expect::Unknown("releases", "not among"),
                ),
            ],
        );
    }

    #[test]
    fn evidence_names_the_release_and_the_identity() {
        let (message, evidence, severity) = risk(evaluate(&NewPublisher, &event_stream("3.3.6")));
        assert_eq!(
            message,
            "published by an identity that published no earlier version: \
             3.3.5 (published 19 days before the version in use) by right9ctrl, 61 days ago"
        );
        assert_eq!(severity, None);
        assert_eq!(evidence["version"], "3.3.6");
        assert_eq!(evidence["window_days"], 30);
        let found = &evidence["new_publishers"][0];
        assert_eq!(found["version"], "3.3.5");
        assert_eq!(found["in_use"], false);
        assert_eq!(found["publisher"]["id"], "npm:user:right9ctrl");
        assert_eq!(found["earlier_releases_compared"], 1);
        assert_eq!(found["age"]["age_days"], 61);
        assert_eq!(found["age"]["weight"], "full");
    }

    /// A new publisher's release is judged by its age: full while younger than `fresh-days`
    /// (90), one step lower (high to medium) until `expire-days` (365), clear beyond.
    #[test]
    fn the_new_publisher_is_judged_by_the_age_of_their_release() {
        let signal = &NewPublisher;
        let (_, _, severity) = risk(evaluate(signal, &event_stream("3.3.6")));
        assert_eq!(severity, None, "fresh: the rule's high");

        let decayed = event_stream_at("3.3.6", "2025-06-01T00:00:00Z", "2025-06-20T00:00:00Z");
        let (message, evidence, severity) = risk(evaluate(signal, &decayed));
        assert_eq!(severity, Some(crate::rules::Severity::Medium));
        assert!(
            message.contains("214 days ago, older than 90 days: one severity step lower"),
            "{message}"
        );
        assert_eq!(evidence["new_publishers"][0]["age"]["weight"], "decayed");

        let old = event_stream_at("3.3.6", "2024-06-01T00:00:00Z", "2024-06-20T00:00:00Z");
        assert_eq!(evaluate(signal, &old), Outcome::Clear);
        let old = event_stream_at("3.3.5", "2018-09-01T00:00:00Z", "2018-09-20T00:00:00Z");
        assert_eq!(evaluate(signal, &old), Outcome::Clear, "event-stream today");

        let mut untimed = event_stream("3.3.5");
        release_mut(&mut untimed, "3.3.5").published = None;
        crate::signals::test_support::check_outcome(
            signal,
            "no publish time",
            &evaluate(signal, &untimed),
            Expect::Unknown("releases", "no publish time for 3.3.5"),
        );
    }

    #[test]
    fn the_window_is_a_parameter() {
        let signal = &NewPublisher;
        let facts = event_stream("3.3.6");
        let narrow = params_with(signal, "window-days", 10);
        assert_eq!(evaluate_with(signal, &facts, None, &narrow), Outcome::Clear);
        let wide = params_with(signal, "window-days", 200);
        let (message, _, _) = risk(evaluate_with(signal, &facts, None, &wide));
        assert!(message.contains("3.3.5"), "{message}");
    }

    /// npm trusted publishing: every release's `_npmUser` is "GitHub Actions"; the verified
    /// repository id tells them apart.
    #[test]
    fn trusted_publishers_compare_by_repository_id() {
        let signal = &NewPublisher;
        let actions = Identity {
            id: "npm:user:GitHub Actions".into(),
            display: "GitHub Actions".into(),
            kind: IdentityKind::TrustedPublisher,
        };
        let make = |earlier: &str, earlier_id: &str, now: &str, now_id: &str| {
            let mut facts = facts();
            for (version, repository, id) in
                [("1.0.0", earlier, earlier_id), ("1.1.0", now, now_id)]
            {
                let release = release_mut(&mut facts, version);
                *release = attested(release.clone(), build(repository, id, "release.yml"));
                release.publisher = Fact::Known(Some(actions.clone()));
            }
            facts
        };
        // Renamed repository, same id: the same publisher.
        assert_eq!(
            evaluate(signal, &make("owner/repo", "7", "owner/renamed", "7")),
            Outcome::Clear
        );
        // Same name, another repository (deleted and recreated): a new publisher.
        let (message, evidence, _) = risk(evaluate(
            signal,
            &make("owner/repo", "7", "owner/repo", "8"),
        ));
        assert!(message.contains("repository id 8"), "{message}");
        assert_eq!(
            evidence["new_publishers"][0]["publisher"]["repository_id"],
            "8"
        );

        // Without verification the registry's account is all there is: the same.
        let mut unverified = make("owner/repo", "7", "owner/repo", "8");
        release_mut(&mut unverified, "1.0.0").verification = None;
        assert_eq!(evaluate(signal, &unverified), Outcome::Clear);
    }

    /// crates.io trusted publishing: compared by the repository the registry names.
    #[test]
    fn crates_trusted_publishers_compare_by_repository() {
        let signal = &NewPublisher;
        let make = |earlier: &str, now: &str| {
            let mut facts = facts_with(
                "cargo",
                "1.1.0",
                vec![
                    release("1.0.0", "2025-01-01T00:00:00Z"),
                    release("1.1.0", "2025-06-01T00:00:00Z"),
                ],
            );
            for (version, repository) in [("1.0.0", earlier), ("1.1.0", now)] {
                let release = release_mut(&mut facts, version);
                release.publisher = Fact::Known(Some(trusted(repository)));
                release.provenance = Fact::Known(Provenance::TrustedPublishing {
                    provider: "github".into(),
                    repository: Some(repository.to_string()),
                    workflow: None,
                    run: None,
                    commit: None,
                });
            }
            release_mut(&mut facts, "1.1.0").verification =
                Some(verification(ProvenanceCheck::RegistryAsserted {
                    provider: "github".into(),
                    repository: Some(now.to_string()),
                    run: None,
                    commit: None,
                    trusted_publishing_only: None,
                }));
            facts
        };
        assert_eq!(
            evaluate(signal, &make("owner/repo", "Owner/Repo")),
            Outcome::Clear
        );
        let (message, _, _) = risk(evaluate(signal, &make("owner/repo", "evil/repo")));
        assert!(
            message.contains("the trusted publisher https://github.com/evil/repo"),
            "{message}"
        );
        // A move from an account to trusted publishing is a new publisher too.
        let mut moved = make("owner/repo", "owner/repo");
        release_mut(&mut moved, "1.0.0").publisher =
            Fact::Known(Some(crate::signals::test_support::user("alice")));
        let (message, _, _) = risk(evaluate(signal, &moved));
        assert!(message.contains("trusted publisher"), "{message}");
    }

    /// PyPI names publishers only through verified provenance: the in-use release against the
    /// latest earlier verified one; other earlier releases are unknown.
    #[test]
    fn pypi_compares_verified_identities() {
        let signal = &NewPublisher;
        let make = |earlier_id: &str| {
            let mut facts = facts_with(
                "pypi",
                "2.0",
                vec![
                    release("1.0", "2024-01-01T00:00:00Z"),
                    release("1.1", "2025-01-01T00:00:00Z"),
                    release("2.0", "2025-06-01T00:00:00Z"),
                ],
            );
            for version in ["1.0", "1.1"] {
                release_mut(&mut facts, version).publisher =
                    Fact::unknown("PyPI reports publishers only through provenance");
            }
            let earlier = release_mut(&mut facts, "1.1");
            *earlier = attested(
                earlier.clone(),
                build("pypa/sample", earlier_id, "release.yml"),
            );
            let in_use = release_mut(&mut facts, "2.0");
            *in_use = attested(in_use.clone(), build("pypa/sample", "5", "release.yml"));
            in_use.publisher = Fact::Known(Some(trusted("pypa/sample")));
            facts
        };
        assert_eq!(evaluate(signal, &make("5")), Outcome::Clear);
        let (_, evidence, _) = risk(evaluate(signal, &make("6")));
        assert_eq!(
            evidence["new_publishers"][0]["earlier_publishers_unknown"],
            1
        );

        let mut never_verified = make("5");
        release_mut(&mut never_verified, "1.1").verification = None;
        let Outcome::Unknown { fact, .. } = evaluate(signal, &never_verified) else {
            panic!("nothing earlier to compare with");
        };
        assert_eq!(fact, "publisher");
    }

    #[test]
    fn owners_are_not_publishers() {
        // Owners changing is `owners-changed`; this signal looks at who published.
        let mut facts = facts();
        facts.owners = Fact::Known(vec![Owner {
            identity: crate::signals::test_support::user("mallory"),
            role: None,
        }]);
        assert_eq!(evaluate(&NewPublisher, &facts), Outcome::Clear);
        assert_eq!(at("2026-01-01T00:00:00Z"), NOW);
    }

    /// What a release that is checked cannot tell is unknown, never clear.
    #[test]
    fn what_cannot_be_judged_is_unknown() {
        let signal = &NewPublisher;
        // 1.1.0 (in the window, publisher unknown), 1.2.0 in use by alice.
        let mut window_unknown = facts_with(
            "npm",
            "1.2.0",
            vec![
                release("1.0.0", "2025-01-01T00:00:00Z"),
                release("1.1.0", "2025-05-20T00:00:00Z"),
                release("1.2.0", "2025-06-01T00:00:00Z"),
            ],
        );
        release_mut(&mut window_unknown, "1.1.0").publisher = Fact::unknown("stripped by a mirror");
        let mut untimed = facts();
        release_mut(&mut untimed, "1.1.0").published = None;
        check(
            signal,
            vec![
                (
                    "window release's publisher unknown",
                    window_unknown,
                    Expect::Unknown("publisher", "stripped by a mirror"),
                ),
                (
                    "version in use without publish time",
                    untimed,
                    Expect::Unknown(
                        "releases",
                        "no publish time for 1.1.0, so the releases of the 30 days",
                    ),
                ),
            ],
        );
    }

    /// The typed evidence serializes to exactly the JSON the `json!` literals it replaced gave
    /// (an account and a trusted publisher with and without names, with and without an age,
    /// and the ledger finding).
    #[test]
    fn typed_evidence_is_the_json_it_replaced() {
        let old_publisher = |publisher: &Publisher| match publisher {
            Publisher::Account(identity) => json!({
                "kind": "account",
                "id": identity.id,
                "display": identity.display,
            }),
            Publisher::Build {
                repository_id,
                repository,
                account,
            } => json!({
                "kind": "trusted-publisher",
                "id": account.as_ref().map(|account| &account.id),
                "display": account.as_ref().map(|account| &account.display),
                "repository": repository,
                "repository_id": repository_id,
            }),
        };
        let windows = AgeWindows::new(90, 365);
        let mut untimed = release("1.0.0", "2025-12-01T00:00:00Z");
        untimed.published = None;
        let timed = release("1.1.0", "2025-12-01T00:00:00Z");
        let publishers = [
            Publisher::Account(crate::signals::test_support::user("mallory")),
            Publisher::Build {
                repository_id: Some("123".into()),
                repository: Some("https://github.com/owner/repo".into()),
                account: Some(trusted("owner/repo")),
            },
            Publisher::Build {
                repository_id: None,
                repository: None,
                account: None,
            },
        ];
        for publisher in publishers {
            let found = NewPublisherFound {
                publisher,
                compared: 3,
                unknown: 1,
            };
            for (release, in_use) in [(&timed, true), (&untimed, false)] {
                let old = json!({
                    "version": release.version,
                    "published": release.published.map(|time: Timestamp| time.to_string()),
                    "in_use": in_use,
                    "publisher": old_publisher(&found.publisher),
                    "earlier_releases_compared": found.compared,
                    "earlier_publishers_unknown": found.unknown,
                });
                assert_eq!(
                    serde_json::to_string(&evidence(&found.evidence(release, in_use))).unwrap(),
                    serde_json::to_string(&old).unwrap()
                );
            }
            let age = windows.age(NOW, &timed, "it").unwrap();
            let mut old_found = json!({
                "version": timed.version,
                "published": timed.published.map(|time: Timestamp| time.to_string()),
                "in_use": true,
                "publisher": old_publisher(&found.publisher),
                "earlier_releases_compared": found.compared,
                "earlier_publishers_unknown": found.unknown,
            });
            if let Value::Object(fields) = &mut old_found {
                fields.insert("age".into(), json!(age.evidence(&windows)));
            }
            let old = json!({"version": "1.1.0", "window_days": 30, "new_publishers": [old_found]});
            let typed = evidence(&Evidence {
                version: "1.1.0",
                window_days: 30,
                new_publishers: vec![FoundEvidence {
                    age: Some(age.evidence(&windows)),
                    ..found.evidence(&timed, true)
                }],
            });
            assert_eq!(
                serde_json::to_string(&typed).unwrap(),
                serde_json::to_string(&old).unwrap()
            );
        }
        let publisher = trusted("someone/else");
        let accepted = [
            trusted("owner/repo"),
            crate::signals::test_support::user("alice"),
        ];
        let accepted: Vec<&Identity> = accepted.iter().collect();
        let old = json!({
            "version": "1.1.0",
            "publisher": publisher,
            "ledger_publishers": accepted,
        });
        let typed = evidence(&LedgerEvidence {
            version: "1.1.0",
            publisher: &publisher,
            ledger_publishers: accepted,
        });
        assert_eq!(
            serde_json::to_string(&typed).unwrap(),
            serde_json::to_string(&old).unwrap()
        );
    }
}

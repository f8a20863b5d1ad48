//! `repo-moved`: the repository the package declares is not where its code lives now: the
//! source host redirects it to another owner or name (renamed or transferred), or the version
//! in use was built (verified provenance, or crates.io's registry-asserted trusted publisher)
//! from a repository other than the declared one. A transfer hands the code, and often the
//! publishing workflow, to someone else; a build from another repository means the declared
//! source is not the one shipped.
//!
//! Repositories compare normalized (`https://github.com/owner/name`, case-insensitive, without
//! `.git`). A build from the repository the declared one redirects to is the redirect, reported
//! once.
//!
//! The declared repository changing between versions is checked where the registry records
//! it per version (npm): the version in use against its nearest predecessor that declares one
//! ([`History::predecessors`]: lower versions on its release line published before it, in
//! semver order; acorn 8.17.0 is compared with 8.16.0, not with 0.3.0, whatever the
//! registry's clock says).
//!
//! Age: every finding is about the version in use (what it declares, where it was built,
//! where its declared repository now leads), so it is judged by the publish time of the
//! version in use ([`AgeWindows`]): the rule's severity while younger than `fresh-days`, one
//! step lower until `expire-days`, clear beyond. A version published a year ago has been in use
//! and in view that long, whatever happened to its repository since; upgrading to a fresh
//! release from the moved repository brings the finding back. Unknown when that publish time
//! is unknown.

use serde::Serialize;

use super::support::{
    AgeEvidence, AgeParams, AgeWindows, History, ProvenanceState, evidence, provenance_of,
    repository_key, rule_severity, severity_field, unknown,
};
use super::{Context, Outcome, Rule};
use crate::model::facts::Fact;
use crate::model::verification::ProvenanceCheck;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RepoMoved;

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The repository the package declares (as declared).
    pub(crate) declared: &'a str,
    /// The name (`owner/name`) the source host redirected from, when it redirected.
    pub(crate) moved_from: Option<&'a str>,
    /// The repository's current name (`owner/name`), when the host was looked at.
    pub(crate) now: Option<&'a str>,
    /// The host's numeric id of the repository, when it was looked at.
    pub(crate) repository_id: Option<u64>,
    /// The version in use declaring another repository than its predecessor did, if it does.
    pub(crate) declaration_changed: Option<DeclarationChanged<'a>>,
    /// Where the version in use was built, when that is proven or asserted.
    pub(crate) built_from: Option<BuiltFrom<'a>>,
    /// The age of the version in use, which every finding is about.
    pub(crate) age: AgeEvidence<'a>,
}

/// A changed repository declaration, in [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DeclarationChanged<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// The repository it declares.
    pub(crate) declares: &'a str,
    /// Its nearest predecessor that declares a repository.
    pub(crate) previous_version: &'a str,
    /// The repository that predecessor declared.
    pub(crate) previously_declared: &'a str,
    /// How the predecessor was chosen (`version order, same release line`, …).
    pub(crate) order: String,
}

/// Where the version in use was built, in [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct BuiltFrom<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// `verified` (its provenance verified) or `registry-asserted` (the registry says so).
    pub(crate) basis: &'a str,
    /// The repository, normalized (`https://github.com/owner/name`).
    pub(crate) repository: &'a str,
}

impl Rule for RepoMoved {
    const ID: &'static str = "repo-moved";
    type Params = AgeParams;

    fn judge(&self, cx: &Context<'_>, params: &AgeParams) -> Outcome {
        let windows = AgeWindows::of(params);
        let facts = cx.facts;
        let declared = match &facts.repository {
            Fact::Known(Some(url)) => url.as_str(),
            // No repository: `no-source-repo` reports it.
            Fact::Known(None) => return Outcome::Clear,
            Fact::Unknown(reason) => return unknown("repository", reason.clone()),
        };
        let declared_key = repository_key(None, declared);
        let mut findings = Vec::new();

        let mut redirect_target = None;
        if let Fact::Known(repository) = &facts.repository_facts
            && let Some(from) = &repository.moved_from
        {
            let target = repository_key(
                None,
                &format!("https://github.com/{}", repository.full_name),
            );
            findings.push(format!(
                "the declared repository {from} redirects to {}",
                repository.full_name
            ));
            redirect_target = Some(target);
        }

        // The declaration of the version in use against its nearest predecessor that declares
        // one.
        let history = History::of(facts);
        let mut changed = None;
        if let Ok(history) = &history {
            let in_use = history.in_use();
            let predecessors = history.in_use_predecessors();
            if let Some(now) = &in_use.repository
                && let Some(before) = predecessors
                    .releases
                    .iter()
                    .find(|r| r.repository.is_some())
                && let Some(then) = &before.repository
                && repository_key(None, now) != repository_key(None, then)
            {
                findings.push(format!(
                    "{} declares {now} where {} declared {then}",
                    in_use.version, before.version
                ));
                changed = Some(DeclarationChanged {
                    version: &in_use.version,
                    declares: now,
                    previous_version: &before.version,
                    previously_declared: then,
                    order: predecessors.order.describe(),
                });
            }
        }

        // Where the version in use was built, when that is proven or asserted.
        let built = history.as_ref().ok().and_then(|history| {
            let in_use = history.in_use();
            let verification = in_use.verification.as_ref()?;
            let (basis, repository) = match &verification.provenance {
                ProvenanceCheck::Verified { identity } => (
                    "verified",
                    repository_key(None, identity.repository.as_deref()?),
                ),
                ProvenanceCheck::RegistryAsserted {
                    provider,
                    repository,
                    ..
                } => (
                    "registry-asserted",
                    repository_key(Some(provider), repository.as_deref()?),
                ),
                _ => return None,
            };
            Some((in_use.version.clone(), basis, repository))
        });
        if let Some((version, basis, repository)) = &built
            && *repository != declared_key
            && redirect_target.as_ref() != Some(repository)
        {
            findings.push(format!(
                "{version} was built from {repository} ({basis}), not the declared {declared}"
            ));
        }

        if findings.is_empty() {
            // What could not be compared: the repository's state, the versions' declarations
            // and builds (the releases), where the version in use was built (its provenance).
            if let Fact::Unknown(reason) = &facts.repository_facts {
                return unknown("repository_facts", reason.clone());
            }
            let history = match &history {
                Ok(history) => history,
                Err(outcome) => return outcome.clone(),
            };
            let in_use = history.in_use();
            if let ProvenanceState::Unknown(reason) = provenance_of(in_use) {
                return unknown("provenance", reason);
            }
            if let Some(verification) = &in_use.verification
                && let ProvenanceCheck::Unknown { reason } = &verification.provenance
            {
                return unknown(
                    "provenance",
                    reason.map_detail(|reason| {
                        format!(
                            "where {} was built could not be verified: {reason}",
                            in_use.version
                        )
                    }),
                );
            }
            return Outcome::Clear;
        }
        // Every finding is about the version in use: what it declares, where it was built,
        // where its declared repository now leads. Its age is the event's.
        let age = match &history {
            Ok(history) => match windows.age(cx.now, history.in_use(), "the version in use") {
                Ok(age) => age,
                Err(outcome) => return outcome,
            },
            Err(outcome) => return outcome.clone(),
        };
        let Some(severity) = age.severity(rule_severity(Self::ID)) else {
            return Outcome::Clear;
        };
        Outcome::Risk {
            message: format!(
                "{} ({} was published {})",
                findings.join("; "),
                age.version,
                age.describe(&windows)
            ),
            evidence: evidence(&Evidence {
                declared,
                moved_from: facts
                    .repository_facts
                    .known()
                    .and_then(|repository| repository.moved_from.as_deref()),
                now: facts
                    .repository_facts
                    .known()
                    .map(|repository| repository.full_name.as_str()),
                repository_id: facts
                    .repository_facts
                    .known()
                    .map(|repository| repository.id),
                declaration_changed: changed,
                built_from: built
                    .as_ref()
                    .map(|(version, basis, repository)| BuiltFrom {
                        version,
                        basis,
                        repository,
                    }),
                age: age.evidence(&windows),
            }),
            severity: severity_field(Self::ID, severity),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facts::PackageFacts;
    use crate::signals::test_support::{
        Expect, attested, build, check, evaluate, facts, release_mut, repository_facts, risk,
        unknown_facts, verification,
    };

    fn built_from(repository: &str) -> PackageFacts {
        let mut facts = facts();
        let release = release_mut(&mut facts, "1.1.0");
        *release = attested(release.clone(), build(repository, "1", "release.yml"));
        facts
    }

    fn moved() -> PackageFacts {
        let mut facts = facts();
        facts.repository_facts = Fact::Known(crate::model::facts::RepositoryFacts {
            full_name: "new-owner/repo".into(),
            moved_from: Some("owner/repo".into()),
            ..repository_facts()
        });
        facts
    }

    #[test]
    fn table() {
        let mut moved_and_built_there = moved();
        let release = release_mut(&mut moved_and_built_there, "1.1.0");
        *release = attested(release.clone(), build("New-Owner/repo", "1", "release.yml"));
        let mut moved_and_built_elsewhere = moved();
        let release = release_mut(&mut moved_and_built_elsewhere, "1.1.0");
        *release = attested(release.clone(), build("third/repo", "1", "release.yml"));
        let mut no_repository = built_from("other/repo");
        no_repository.repository = Fact::Known(None);
        let mut repository_unknown = facts();
        repository_unknown.repository = Fact::unknown("API down");
        let mut facts_unknown = facts();
        facts_unknown.repository_facts =
            Fact::unknown("`gitlab.com` repositories are not looked up (only github.com)");
        let mut facts_unknown_built_elsewhere = built_from("other/repo");
        facts_unknown_built_elsewhere.repository_facts = Fact::unknown("rate limited");
        let mut crates = facts();
        release_mut(&mut crates, "1.1.0").verification =
            Some(verification(ProvenanceCheck::RegistryAsserted {
                provider: "github".into(),
                repository: Some("someone/else".into()),
                run: None,
                commit: None,
                trusted_publishing_only: None,
            }));
        check(
            &RepoMoved,
            vec![
                ("in place", facts(), Expect::Clear),
                ("built from it", built_from("Owner/Repo"), Expect::Clear),
                (
                    "redirected",
                    moved(),
                    Expect::Risk("the declared repository owner/repo redirects to new-owner/repo"),
                ),
                (
                    "redirected, built at the target",
                    moved_and_built_there,
                    Expect::Risk("redirects to new-owner/repo"),
                ),
                (
                    "redirected, built elsewhere",
                    moved_and_built_elsewhere,
                    Expect::Risk("; 1.1.0 was built from https://github.com/third/repo (verified)"),
                ),
                (
                    "built elsewhere",
                    built_from("other/repo"),
                    Expect::Risk(
                        "1.1.0 was built from https://github.com/other/repo (verified), not the declared https://github.com/owner/repo",
                    ),
                ),
                (
                    "built elsewhere, host facts unknown",
                    facts_unknown_built_elsewhere,
                    Expect::Risk("built from https://github.com/other/repo"),
                ),
                (
                    "crates.io trusted publisher elsewhere",
                    crates,
                    Expect::Risk("https://github.com/someone/else (registry-asserted)"),
                ),
                ("no repository declared", no_repository, Expect::Clear),
                (
                    "repository unknown",
                    repository_unknown,
                    Expect::Unknown("repository", "API down"),
                ),
                (
                    "host not looked up",
                    facts_unknown,
                    Expect::Unknown("repository_facts", "not looked up"),
                ),
                (
                    "nothing known",
                    unknown_facts(),
                    Expect::Unknown("repository", "offline"),
                ),
            ],
        );
    }

    #[test]
    fn a_redirect_and_its_target_are_reported_once() {
        let mut facts = moved();
        let release = release_mut(&mut facts, "1.1.0");
        *release = attested(release.clone(), build("new-owner/repo", "1", "release.yml"));
        let (message, evidence, _) = risk(evaluate(&RepoMoved, &facts));
        assert_eq!(
            message,
            "the declared repository owner/repo redirects to new-owner/repo \
             (1.1.0 was published 214 days ago, older than 90 days: one severity step lower)"
        );
        assert_eq!(evidence["moved_from"], "owner/repo");
        assert_eq!(evidence["now"], "new-owner/repo");
        assert_eq!(
            evidence["built_from"]["repository"],
            "https://github.com/new-owner/repo"
        );
    }
}

#[cfg(test)]
mod declared_tests {
    use serde_json::json;

    use super::*;
    use crate::signals::test_support::{
        Expect, check, evaluate, facts, facts_with, release, release_mut, repository_facts, risk,
    };

    /// `facts()` whose declared repository redirects to `new-owner/repo`.
    fn moved() -> crate::model::facts::PackageFacts {
        let mut facts = facts();
        facts.repository_facts = Fact::Known(crate::model::facts::RepositoryFacts {
            full_name: "new-owner/repo".into(),
            moved_from: Some("owner/repo".into()),
            ..repository_facts()
        });
        facts
    }

    /// acorn: 0.3.0 … 8.16.0, 8.17.0; the repository changed long ago, at 1.x; the registry's
    /// clock puts 0.3.0 just before 8.17.0 (as old npm time records do).
    #[test]
    fn a_declaration_is_compared_with_the_predecessor_in_version_order() {
        let mut acorn = facts_with(
            "npm",
            "8.17.0",
            vec![
                release("1.0.0", "2015-01-01T00:00:00Z"),
                release("1.1.0", "2015-06-01T00:00:00Z"),
                release("8.16.0", "2025-11-01T00:00:00Z"),
                release("0.3.0", "2025-11-15T00:00:00Z"),
                release("8.17.0", "2025-12-01T00:00:00Z"),
            ],
        );
        for (version, repository) in [
            ("0.3.0", "https://github.com/marijnh/acorn"),
            ("1.0.0", "https://github.com/marijnh/acorn"),
            ("1.1.0", "https://github.com/acornjs/acorn"),
            ("8.16.0", "https://github.com/acornjs/acorn"),
            ("8.17.0", "https://github.com/acornjs/acorn"),
        ] {
            release_mut(&mut acorn, version).repository = Some(repository.into());
        }
        assert_eq!(evaluate(&RepoMoved, &acorn), Outcome::Clear);

        // A backport 1.2.9 after 2.0.0 compares with 1.2.8.
        let mut backport = facts_with(
            "npm",
            "1.2.9",
            vec![
                release("1.2.8", "2025-10-01T00:00:00Z"),
                release("2.0.0", "2025-11-01T00:00:00Z"),
                release("1.2.9", "2025-12-01T00:00:00Z"),
            ],
        );
        release_mut(&mut backport, "1.2.8").repository =
            Some("https://github.com/owner/repo".into());
        release_mut(&mut backport, "2.0.0").repository =
            Some("https://github.com/owner/next".into());
        release_mut(&mut backport, "1.2.9").repository =
            Some("https://github.com/owner/repo".into());
        assert_eq!(evaluate(&RepoMoved, &backport), Outcome::Clear);
        release_mut(&mut backport, "1.2.9").repository =
            Some("https://github.com/owner/next".into());
        let (message, evidence, _) = risk(evaluate(&RepoMoved, &backport));
        assert!(
            message.contains("1.2.9 declares https://github.com/owner/next where 1.2.8 declared"),
            "{message}"
        );
        assert_eq!(
            evidence["declaration_changed"]["order"],
            "version order, same release line"
        );
    }

    #[test]
    fn a_declaration_that_changes_between_versions_is_a_move() {
        let mut facts = facts();
        release_mut(&mut facts, "1.0.0").repository = Some("https://github.com/owner/repo".into());
        release_mut(&mut facts, "1.1.0").repository =
            Some("https://github.com/stranger/repo".into());
        let (message, evidence, _) = risk(evaluate(&RepoMoved, &facts));
        assert!(
            message.contains("1.1.0 declares https://github.com/stranger/repo where 1.0.0 declared https://github.com/owner/repo"),
            "{message}"
        );
        assert_eq!(evidence["declaration_changed"]["previous_version"], "1.0.0");

        // The same repository written differently is not a change.
        release_mut(&mut facts, "1.1.0").repository =
            Some("git+https://github.com/Owner/repo.git".into());
        assert_eq!(evaluate(&RepoMoved, &facts), Outcome::Clear);
        // A version that declares none changes nothing.
        release_mut(&mut facts, "1.1.0").repository = None;
        assert_eq!(evaluate(&RepoMoved, &facts), Outcome::Clear);
    }

    /// Every finding is about the version in use: judged by its age.
    #[test]
    fn findings_are_judged_by_the_age_of_the_version_in_use() {
        let signal = &RepoMoved;
        let at = |published: &str| {
            let mut facts = moved();
            release_mut(&mut facts, "1.1.0").published =
                Some(crate::signals::test_support::at(published));
            facts
        };
        let (_, evidence, severity) = risk(evaluate(signal, &at("2025-12-01T00:00:00Z")));
        assert_eq!(severity, None, "fresh: the rule's medium");
        assert_eq!(evidence["age"]["age_days"], 31);
        let (_, _, severity) = risk(evaluate(signal, &at("2025-06-01T00:00:00Z")));
        assert_eq!(severity, Some(crate::rules::Severity::Low));
        assert_eq!(
            evaluate(signal, &at("2024-06-01T00:00:00Z")),
            Outcome::Clear
        );

        let mut untimed = moved();
        release_mut(&mut untimed, "1.1.0").published = None;
        let mut releases_unknown = moved();
        releases_unknown.releases = Fact::unknown("registry down");
        check(
            signal,
            vec![
                (
                    "no publish time",
                    untimed,
                    Expect::Unknown("releases", "no publish time for 1.1.0"),
                ),
                (
                    "releases unknown",
                    releases_unknown,
                    Expect::Unknown("releases", "registry down"),
                ),
            ],
        );
    }

    /// Nothing found, but the declarations or the build could not be compared: unknown.
    #[test]
    fn what_could_not_be_compared_is_unknown() {
        let mut releases_unknown = facts();
        releases_unknown.releases = Fact::unknown("registry down");
        let mut provenance_unknown = facts();
        release_mut(&mut provenance_unknown, "1.1.0").provenance = Fact::unknown("timeout");
        let mut verification_unknown = facts();
        release_mut(&mut verification_unknown, "1.1.0").verification = Some(
            crate::signals::test_support::verification(ProvenanceCheck::Unknown {
                reason: "Rekor did not answer".into(),
            }),
        );
        check(
            &RepoMoved,
            vec![
                (
                    "releases unknown",
                    releases_unknown,
                    Expect::Unknown("releases", "registry down"),
                ),
                (
                    "provenance unknown",
                    provenance_unknown,
                    Expect::Unknown("provenance", "timeout"),
                ),
                (
                    "verification failed",
                    verification_unknown,
                    Expect::Unknown(
                        "provenance",
                        "where 1.1.0 was built could not be verified: Rekor did not answer",
                    ),
                ),
            ],
        );
    }

    /// The typed evidence serializes to exactly the JSON the `json!` literal it replaced gave,
    /// with every optional part present and absent.
    #[test]
    fn typed_evidence_is_the_json_it_replaced() {
        let windows = AgeWindows::new(90, 365);
        let facts = facts();
        let in_use = facts
            .releases
            .known()
            .and_then(|releases| releases.iter().find(|r| r.version == "1.1.0"))
            .unwrap();
        let age = windows
            .age(crate::signals::test_support::NOW, in_use, "it")
            .unwrap();
        let order = "version order, same release line".to_string();
        let built = (
            "1.1.0".to_string(),
            "verified",
            "https://github.com/third/repo".to_string(),
        );
        for full in [true, false] {
            let typed = evidence(&Evidence {
                declared: "https://github.com/owner/repo",
                moved_from: full.then_some("owner/repo"),
                now: full.then_some("new-owner/repo"),
                repository_id: full.then_some(42),
                declaration_changed: full.then(|| DeclarationChanged {
                    version: "1.1.0",
                    declares: "https://github.com/new-owner/repo",
                    previous_version: "1.0.0",
                    previously_declared: "https://github.com/owner/repo",
                    order: order.clone(),
                }),
                built_from: full.then(|| BuiltFrom {
                    version: &built.0,
                    basis: built.1,
                    repository: &built.2,
                }),
                age: age.evidence(&windows),
            });
            let changed = full.then(|| {
                json!({
                    "version": "1.1.0",
                    "declares": "https://github.com/new-owner/repo",
                    "previous_version": "1.0.0",
                    "previously_declared": "https://github.com/owner/repo",
                    "order": order,
                })
            });
            let built = full.then_some(&built);
            let old = json!({
                "declared": "https://github.com/owner/repo",
                "moved_from": full.then(|| "owner/repo".to_string()),
                "now": full.then_some(&"new-owner/repo".to_string()),
                "repository_id": full.then_some(42_u64),
                "declaration_changed": changed,
                "built_from": built.map(|(version, basis, repository)| json!({
                    "version": version,
                    "basis": basis,
                    "repository": repository,
                })),
                "age": age.evidence(&windows),
            });
            assert_eq!(
                serde_json::to_string(&typed).unwrap(),
                serde_json::to_string(&old).unwrap()
            );
        }
    }
}

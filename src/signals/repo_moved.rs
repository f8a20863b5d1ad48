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
//! it per version (npm): the version in use against the latest earlier release that declares
//! one.

use serde_json::json;

use super::support::{History, repository_key, unknown};
use super::{Context, Outcome, Signal};
use crate::registry::facts::Fact;
use crate::verify::ProvenanceCheck;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RepoMoved;

impl Signal for RepoMoved {
    fn id(&self) -> &'static str {
        "repo-moved"
    }

    fn evaluate(&self, cx: &Context<'_>) -> Outcome {
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

        // The declaration of the version in use against the latest earlier one.
        let mut changed = None;
        if let Ok(history) = History::of(facts) {
            let in_use = history.in_use();
            let mut earlier = history.earlier();
            earlier.sort_by_key(|release| release.published);
            if let Some(now) = &in_use.repository
                && let Some(before) = earlier.iter().rev().find(|r| r.repository.is_some())
                && let Some(then) = &before.repository
                && repository_key(None, now) != repository_key(None, then)
            {
                findings.push(format!(
                    "{} declares {now} where {} declared {then}",
                    in_use.version, before.version
                ));
                changed = Some(json!({
                    "version": in_use.version,
                    "declares": now,
                    "previous_version": before.version,
                    "previously_declared": then,
                }));
            }
        }

        // Where the version in use was built, when that is proven or asserted.
        let built = History::of(facts).ok().and_then(|history| {
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
            return match &facts.repository_facts {
                Fact::Unknown(reason) => unknown("repository_facts", reason.clone()),
                Fact::Known(_) => Outcome::Clear,
            };
        }
        Outcome::Risk {
            message: findings.join("; "),
            evidence: json!({
                "declared": declared,
                "moved_from": facts
                    .repository_facts
                    .known()
                    .and_then(|repository| repository.moved_from.clone()),
                "now": facts.repository_facts.known().map(|repository| &repository.full_name),
                "repository_id": facts.repository_facts.known().map(|repository| repository.id),
                "declaration_changed": changed,
                "built_from": built.as_ref().map(|(version, basis, repository)| json!({
                    "version": version,
                    "basis": basis,
                    "repository": repository,
                })),
            }),
            severity: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::facts::PackageFacts;
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
        facts.repository_facts = Fact::Known(crate::registry::facts::RepositoryFacts {
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
            "the declared repository owner/repo redirects to new-owner/repo"
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
    use super::*;
    use crate::signals::test_support::{evaluate, facts, release_mut, risk};

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
}

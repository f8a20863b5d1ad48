//! `archived`: the package's repository is archived by its owner or disabled by the host, or
//! the registry marks the project archived (PyPI project status, PEP 792). The authors have
//! said they will not change it any more: no fixes will come.
//!
//! A package that declares no repository can only be archived by its registry status; the
//! answer is unknown when the repository could not be looked at (a host other than GitHub,
//! a failed request).

use serde::Serialize;

use super::support::{evidence, unknown};
use super::{Context, NoParams, Outcome, Rule};
use crate::model::facts::Fact;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Archived;

/// The evidence of a finding (each field `null` when unknown or without a repository).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// Whether the registry marks the project archived.
    pub(crate) status_archived: Option<bool>,
    /// The repository (`owner/name`).
    pub(crate) repository: Option<&'a str>,
    /// Whether it is archived.
    pub(crate) repository_archived: Option<bool>,
    /// Whether its host disabled it.
    pub(crate) repository_disabled: Option<bool>,
    /// Its last push (RFC 3339).
    pub(crate) pushed_at: Option<String>,
}

impl Rule for Archived {
    const ID: &'static str = "archived";
    type Params = NoParams;

    fn judge(&self, cx: &Context<'_>, _params: &NoParams) -> Outcome {
        let facts = cx.facts;
        let mut found = Vec::new();
        if let Fact::Known(status) = &facts.status
            && status.archived
        {
            found.push("the registry marks the project archived".to_string());
        }
        if let Fact::Known(repository) = &facts.repository_facts {
            if repository.archived {
                found.push(format!(
                    "the repository {} is archived",
                    repository.full_name
                ));
            }
            if repository.disabled {
                found.push(format!(
                    "the repository {} is disabled by its host",
                    repository.full_name
                ));
            }
        }
        if !found.is_empty() {
            let repository = facts.repository_facts.known();
            let pushed_at = repository
                .and_then(|repository| repository.pushed_at)
                .map(|time| time.to_string());
            return Outcome::Risk {
                message: found.join("; "),
                evidence: evidence(&Evidence {
                    status_archived: facts.status.known().map(|status| status.archived),
                    repository: repository.map(|repository| repository.full_name.as_str()),
                    repository_archived: repository.map(|repository| repository.archived),
                    repository_disabled: repository.map(|repository| repository.disabled),
                    pushed_at,
                }),
                severity: None,
            };
        }
        match (&facts.repository_facts, &facts.repository, &facts.status) {
            (Fact::Known(_), _, _) => Outcome::Clear,
            (_, Fact::Known(None), Fact::Known(_)) => Outcome::Clear,
            (_, Fact::Known(None), Fact::Unknown(reason)) => unknown("status", reason.clone()),
            (Fact::Unknown(reason), _, _) => unknown("repository_facts", reason.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facts::{RepositoryFacts, Status};
    use crate::signals::test_support::{
        Expect, check, evaluate, facts, repository_facts, risk, unknown_facts,
    };

    #[test]
    fn table() {
        let repository = |archived, disabled| {
            let mut facts = facts();
            facts.repository_facts = Fact::Known(RepositoryFacts {
                archived,
                disabled,
                ..repository_facts()
            });
            facts
        };
        let mut pypi = facts();
        pypi.repository_facts = Fact::unknown("`codeberg.org` repositories are not looked up");
        pypi.status = Fact::Known(Status {
            archived: true,
            ..Status::default()
        });
        let mut not_looked_up = pypi.clone();
        not_looked_up.status = Fact::Known(Status::default());
        let mut no_repository = not_looked_up.clone();
        no_repository.repository = Fact::Known(None);
        let mut no_repository_no_status = no_repository.clone();
        no_repository_no_status.status = Fact::unknown("Simple API timeout");
        check(
            &Archived,
            vec![
                ("active", facts(), Expect::Clear),
                (
                    "archived",
                    repository(true, false),
                    Expect::Risk("the repository owner/repo is archived"),
                ),
                (
                    "disabled",
                    repository(false, true),
                    Expect::Risk("the repository owner/repo is disabled by its host"),
                ),
                (
                    "PEP 792 archived",
                    pypi,
                    Expect::Risk("the registry marks the project archived"),
                ),
                (
                    "repository not looked up",
                    not_looked_up,
                    Expect::Unknown("repository_facts", "not looked up"),
                ),
                ("no repository", no_repository, Expect::Clear),
                (
                    "no repository, status unknown",
                    no_repository_no_status,
                    Expect::Unknown("status", "Simple API timeout"),
                ),
                (
                    "nothing known",
                    unknown_facts(),
                    Expect::Unknown("repository_facts", "offline"),
                ),
            ],
        );
    }

    #[test]
    fn evidence() {
        let mut facts = facts();
        facts.repository_facts = Fact::Known(RepositoryFacts {
            archived: true,
            ..repository_facts()
        });
        let (_, evidence, _) = risk(evaluate(&Archived, &facts));
        assert_eq!(evidence["repository_archived"], true);
        assert_eq!(evidence["status_archived"], false);
        assert_eq!(evidence["pushed_at"], "2025-12-01T00:00:00Z");
    }
}

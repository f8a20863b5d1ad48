//! `single-owner`: exactly one account can publish the package. One phished password or
//! leaked token is enough to publish anything under its name, and nobody else can step in.
//! A team owner counts as several people. Informational by default.

use serde::Serialize;

use super::support::{evidence, unknown};
use super::{Context, NoParams, Outcome, Rule};
use crate::model::facts::{Fact, IdentityKind};

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SingleOwner;

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The one owner (a list, as other owner evidence is).
    pub(crate) owners: [OwnerEvidence<'a>; 1],
}

/// An owner, as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct OwnerEvidence<'a> {
    /// The registry's stable id of the account.
    pub(crate) id: &'a str,
    /// How it is shown.
    pub(crate) display: &'a str,
    /// Its role, when the registry says.
    pub(crate) role: Option<&'a str>,
}

impl Rule for SingleOwner {
    const ID: &'static str = "single-owner";
    type Params = NoParams;

    fn judge(&self, cx: &Context<'_>, _params: &NoParams) -> Outcome {
        let owners = match &cx.facts.owners {
            Fact::Known(owners) => owners,
            Fact::Unknown(reason) => return unknown("owners", reason.clone()),
        };
        match owners.as_slice() {
            [only] if only.identity.kind != IdentityKind::Team => Outcome::Risk {
                message: format!("only one account can publish it: {}", only.identity.display),
                evidence: evidence(&Evidence {
                    owners: [OwnerEvidence {
                        id: &only.identity.id,
                        display: &only.identity.display,
                        role: only.role.as_deref(),
                    }],
                }),
                severity: None,
            },
            _ => Outcome::Clear,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facts::{Identity, Owner};
    use crate::signals::test_support::{Expect, check, facts, owner, unknown_facts};

    #[test]
    fn table() {
        let owned = |owners: Vec<Owner>| {
            let mut facts = facts();
            facts.owners = Fact::Known(owners);
            facts
        };
        let team = Owner {
            identity: Identity {
                id: "crates:team:7".into(),
                display: "github:org:maintainers".into(),
                kind: IdentityKind::Team,
            },
            role: None,
        };
        check(
            &SingleOwner,
            vec![
                ("two", facts(), Expect::Clear),
                (
                    "one",
                    owned(vec![owner("alice")]),
                    Expect::Risk("only one account can publish it: alice"),
                ),
                ("a team", owned(vec![team]), Expect::Clear),
                ("none listed", owned(Vec::new()), Expect::Clear),
                (
                    "unknown",
                    unknown_facts(),
                    Expect::Unknown("owners", "offline"),
                ),
            ],
        );
    }
}

//! `no-provenance`: the version in use has no build provenance (no attestation, no trusted
//! publishing), so nothing ties the artifact to a source repository and a build. Informational
//! by default: most packages have none yet; a policy can raise it for the packages that matter.

use serde::Serialize;

use super::support::{History, ProvenanceState, evidence, provenance_of, unknown};
use super::{Context, NoParams, Outcome, Rule};

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoProvenance;

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// Always `absent`.
    pub(crate) provenance: &'static str,
}

impl Rule for NoProvenance {
    const ID: &'static str = "no-provenance";
    type Params = NoParams;

    fn judge(&self, cx: &Context<'_>, _params: &NoParams) -> Outcome {
        let history = match History::of(cx.facts) {
            Ok(history) => history,
            Err(outcome) => return outcome,
        };
        let in_use = history.in_use();
        match provenance_of(in_use) {
            ProvenanceState::Present(_) => Outcome::Clear,
            ProvenanceState::Unknown(reason) => unknown("provenance", reason),
            ProvenanceState::Absent => Outcome::Risk {
                message: format!(
                    "{} has no build provenance: nothing ties it to a source repository and a build",
                    in_use.version
                ),
                evidence: evidence(&Evidence {
                    version: &in_use.version,
                    provenance: "absent",
                }),
                severity: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facts::{Fact, Provenance};
    use crate::model::verification::ProvenanceCheck;
    use crate::signals::test_support::{
        Expect, attested, build, check, facts, release_mut, unknown_facts, verification,
    };

    #[test]
    fn table() {
        let mut verified = facts();
        let release = release_mut(&mut verified, "1.1.0");
        *release = attested(release.clone(), build("owner/repo", "1", "release.yml"));
        let mut advertised = facts();
        release_mut(&mut advertised, "1.1.0").provenance =
            Fact::Known(Provenance::TrustedPublishing {
                provider: "github".into(),
                repository: None,
                workflow: None,
                run: None,
                commit: None,
            });
        let mut checked_absent = facts();
        release_mut(&mut checked_absent, "1.1.0").verification =
            Some(verification(ProvenanceCheck::Absent));
        let mut unknown = facts();
        release_mut(&mut unknown, "1.1.0").provenance = Fact::unknown("the API did not answer");
        let mut unknown_both = unknown.clone();
        release_mut(&mut unknown_both, "1.1.0").verification =
            Some(verification(ProvenanceCheck::Unknown {
                reason: "attestations timed out".into(),
            }));
        // Verification said nothing; the registry says there is none.
        let mut unverifiable = facts();
        release_mut(&mut unverifiable, "1.1.0").verification =
            Some(verification(ProvenanceCheck::Unknown {
                reason: "attestations timed out".into(),
            }));
        check(
            &NoProvenance,
            vec![
                (
                    "none",
                    facts(),
                    Expect::Risk("1.1.0 has no build provenance"),
                ),
                ("verified", verified, Expect::Clear),
                ("trusted publishing advertised", advertised, Expect::Clear),
                (
                    "verification found none",
                    checked_absent,
                    Expect::Risk("no build provenance"),
                ),
                (
                    "registry says none",
                    unverifiable,
                    Expect::Risk("no build provenance"),
                ),
                (
                    "unknown",
                    unknown,
                    Expect::Unknown("provenance", "the API did not answer"),
                ),
                (
                    "unknown, verification too",
                    unknown_both,
                    Expect::Unknown("provenance", "verification: attestations timed out"),
                ),
                (
                    "releases unknown",
                    unknown_facts(),
                    Expect::Unknown("releases", "offline"),
                ),
            ],
        );
    }
}

//! `provenance-invalid`: the version in use advertises provenance that does not verify, or
//! carries a registry signature that does not verify. Either the artifact is not what was
//! built and signed, or someone forged the claim: always critical.
//!
//! Only the version in use is judged, from what verification established
//! (`Release.verification`); a release that was not verified is unknown here.

use serde::Serialize;

use super::support::{History, evidence, one_line, unknown};
use super::{Context, NoParams, Outcome, Rule};
use crate::model::facts::Unknown;
use crate::model::verification::{ProvenanceCheck, SignatureCheck};
use crate::rules::Severity;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProvenanceInvalid;

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// The integrity hash the registry gives for it (`sha512-…`), when it gives one.
    pub(crate) integrity: Option<&'a str>,
    /// What provenance verification established (an object with a `status`).
    pub(crate) provenance: &'a ProvenanceCheck,
    /// What registry-signature verification established (an object with a `status`).
    pub(crate) registry_signature: &'a SignatureCheck,
    /// The attestations that did not verify.
    pub(crate) failed_attestations: Vec<FailedAttestation<'a>>,
}

/// An attestation that did not verify, in [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FailedAttestation<'a> {
    /// What it attests: `provenance`, `publish`, or a PyPI file name.
    pub(crate) subject: &'a str,
    /// Why it did not verify.
    pub(crate) failure: Option<&'a str>,
}

impl Rule for ProvenanceInvalid {
    const ID: &'static str = "provenance-invalid";
    type Params = NoParams;

    fn judge(&self, cx: &Context<'_>, _params: &NoParams) -> Outcome {
        let history = match History::of(cx.facts) {
            Ok(history) => history,
            Err(outcome) => return outcome,
        };
        let in_use = history.in_use();
        let Some(verification) = &in_use.verification else {
            return unknown(
                "provenance",
                Unknown::not_recorded(format!(
                    "the signatures and attestations of {} were not verified",
                    in_use.version
                )),
            );
        };
        let mut failures = Vec::new();
        if let ProvenanceCheck::Invalid { reason } = &verification.provenance {
            failures.push(format!(
                "its provenance does not verify ({})",
                one_line(reason)
            ));
        }
        if let SignatureCheck::Invalid { reason } = &verification.registry_signature {
            failures.push(format!(
                "its registry signature does not verify ({})",
                one_line(reason)
            ));
        }
        if !failures.is_empty() {
            let failed: Vec<_> = verification
                .attestations
                .iter()
                .filter(|attestation| attestation.failure.is_some())
                .map(|attestation| FailedAttestation {
                    subject: &attestation.subject,
                    failure: attestation.failure.as_deref(),
                })
                .collect();
            return Outcome::Risk {
                message: format!("{}: {}", in_use.version, failures.join("; ")),
                evidence: evidence(&Evidence {
                    version: &in_use.version,
                    integrity: in_use.integrity.as_deref(),
                    provenance: &verification.provenance,
                    registry_signature: &verification.registry_signature,
                    failed_attestations: failed,
                }),
                severity: Some(Severity::Critical),
            };
        }
        match (&verification.provenance, &verification.registry_signature) {
            (ProvenanceCheck::Unknown { reason }, _) => unknown(
                "provenance",
                reason.map_detail(|reason| {
                    format!(
                        "the provenance of {} could not be checked: {reason}",
                        in_use.version
                    )
                }),
            ),
            (_, SignatureCheck::Unknown { reason }) => unknown(
                "provenance",
                reason.map_detail(|reason| {
                    format!(
                        "the registry signature of {} could not be checked: {reason}",
                        in_use.version
                    )
                }),
            ),
            _ => Outcome::Clear,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::verification::{AttestationCheck, Verification};
    use crate::signals::test_support::{
        Expect, attested, build, check, evaluate, facts, release_mut, risk, unknown_facts,
        verification,
    };

    fn with(
        provenance: ProvenanceCheck,
        signature: SignatureCheck,
    ) -> crate::model::facts::PackageFacts {
        let mut facts = facts();
        release_mut(&mut facts, "1.1.0").verification = Some(Verification {
            provenance,
            registry_signature: signature,
            attestations: vec![AttestationCheck {
                subject: "provenance".into(),
                predicate_type: Some("https://slsa.dev/provenance/v1".into()),
                failure: Some("subject digest mismatch".into()),
            }],
        });
        facts
    }

    fn good_signature() -> SignatureCheck {
        SignatureCheck::Verified {
            keyid: "SHA256:key".into(),
        }
    }

    #[test]
    fn table() {
        let mut verified = facts();
        let release = release_mut(&mut verified, "1.1.0");
        *release = attested(release.clone(), build("owner/repo", "1", "release.yml"));
        let mut absent = facts();
        release_mut(&mut absent, "1.1.0").verification =
            Some(verification(ProvenanceCheck::Absent));
        let invalid = || ProvenanceCheck::Invalid {
            reason: "subject digest\nmismatch".into(),
        };
        let bad_signature = || SignatureCheck::Invalid {
            reason: "signature does not verify with SHA256:key".into(),
        };
        check(
            &ProvenanceInvalid,
            vec![
                ("verified", verified, Expect::Clear),
                ("no provenance", absent, Expect::Clear),
                (
                    "no signature to check",
                    with(
                        ProvenanceCheck::Absent,
                        SignatureCheck::NotApplicable {
                            reason: "crates.io signs nothing".into(),
                        },
                    ),
                    Expect::Clear,
                ),
                (
                    "unsigned",
                    with(ProvenanceCheck::Absent, SignatureCheck::Missing),
                    Expect::Clear,
                ),
                (
                    "invalid provenance",
                    with(invalid(), good_signature()),
                    Expect::Risk("1.1.0: its provenance does not verify (subject digest mismatch)"),
                ),
                (
                    "invalid signature",
                    with(ProvenanceCheck::Absent, bad_signature()),
                    Expect::Risk("its registry signature does not verify"),
                ),
                (
                    "both",
                    with(invalid(), bad_signature()),
                    Expect::Risk(
                        "does not verify (subject digest mismatch); its registry signature",
                    ),
                ),
                (
                    "invalid signature, provenance unknown",
                    with(
                        ProvenanceCheck::Unknown {
                            reason: "timeout".into(),
                        },
                        bad_signature(),
                    ),
                    Expect::Risk("registry signature does not verify"),
                ),
                (
                    "provenance unknown",
                    with(
                        ProvenanceCheck::Unknown {
                            reason: "timeout".into(),
                        },
                        good_signature(),
                    ),
                    Expect::Unknown("provenance", "could not be checked: timeout"),
                ),
                (
                    "signature unknown",
                    with(
                        ProvenanceCheck::Absent,
                        SignatureCheck::Unknown {
                            reason: "no key SHA256:other".into(),
                        },
                    ),
                    Expect::Unknown("provenance", "no key SHA256:other"),
                ),
                (
                    "not verified",
                    facts(),
                    Expect::Unknown("provenance", "were not verified"),
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
    fn always_critical() {
        let outcome = evaluate(
            &ProvenanceInvalid,
            &with(
                ProvenanceCheck::Invalid {
                    reason: "bad".into(),
                },
                good_signature(),
            ),
        );
        let (_, evidence, severity) = risk(outcome);
        assert_eq!(severity, Some(Severity::Critical));
        assert_eq!(evidence["provenance"]["status"], "invalid");
        assert_eq!(
            evidence["failed_attestations"][0]["failure"],
            "subject digest mismatch"
        );
    }

    /// The typed evidence serializes to exactly the JSON the `json!` literal it replaced gave,
    /// over the same facts (a verified attestation beside the failed one, with and without an
    /// integrity hash).
    #[test]
    fn typed_evidence_is_the_json_it_replaced() {
        for integrity in [None, Some("sha512-abc")] {
            let mut facts = with(
                ProvenanceCheck::Invalid {
                    reason: "subject digest mismatch".into(),
                },
                SignatureCheck::Invalid {
                    reason: "bad key".into(),
                },
            );
            let release = release_mut(&mut facts, "1.1.0");
            release.integrity = integrity.map(str::to_string);
            if let Some(verification) = &mut release.verification {
                verification.attestations.push(AttestationCheck {
                    subject: "publish".into(),
                    predicate_type: None,
                    failure: None,
                });
            }
            let typed = match evaluate(&ProvenanceInvalid, &facts) {
                Outcome::Risk { evidence, .. } => evidence,
                other => panic!("{other:?}"),
            };
            let in_use = release_mut(&mut facts, "1.1.0").clone();
            let verification = in_use.verification.as_ref().unwrap();
            let failed: Vec<_> = verification
                .attestations
                .iter()
                .filter(|attestation| attestation.failure.is_some())
                .map(|attestation| {
                    json!({"subject": attestation.subject, "failure": attestation.failure})
                })
                .collect();
            let old = json!({
                "version": in_use.version,
                "integrity": in_use.integrity,
                "provenance": verification.provenance,
                "registry_signature": verification.registry_signature,
                "failed_attestations": failed,
            });
            assert_eq!(
                serde_json::to_string(&typed).unwrap(),
                serde_json::to_string(&old).unwrap()
            );
        }
    }
}

//! `provenance-dropped`: earlier releases had build provenance (verified attestations,
//! registry-asserted or advertised trusted publishing, advertised attestations) and the
//! version in use has none. Stolen publish tokens do this: the nx and shai-hulud versions were
//! published from an attacker's machine with a token, without the provenance that the
//! project's CI had attached to every earlier release.
//!
//! Earlier releases are those published before the version in use. An earlier release whose
//! provenance does not verify does not count as having had provenance. When the provenance of
//! every earlier release is unknown, so is the answer.

use jiff::Timestamp;
use serde_json::json;

use super::support::{History, ProvenanceState, plural, provenance_of, unknown};
use super::{Context, Outcome, Signal};

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProvenanceDropped;

impl Signal for ProvenanceDropped {
    fn id(&self) -> &'static str {
        "provenance-dropped"
    }

    fn evaluate(&self, cx: &Context<'_>) -> Outcome {
        let history = match History::of(cx.facts) {
            Ok(history) => history,
            Err(outcome) => return outcome,
        };
        let in_use = history.in_use();
        match provenance_of(in_use) {
            ProvenanceState::Present(_) => return Outcome::Clear,
            ProvenanceState::Unknown(reason) => return unknown("provenance", reason),
            ProvenanceState::Absent => {}
        }
        let earlier = history.earlier();
        let mut unknown_count = 0;
        let mut last_with = None;
        let mut with_count = 0;
        let mut without_since = 0;
        for release in &earlier {
            match provenance_of(release) {
                ProvenanceState::Present(kind) if kind != "invalid" => {
                    with_count += 1;
                    without_since = 0;
                    last_with = Some((*release, kind));
                }
                ProvenanceState::Unknown(_) => unknown_count += 1,
                ProvenanceState::Present(_) | ProvenanceState::Absent => without_since += 1,
            }
        }
        let Some((last, kind)) = last_with else {
            if !earlier.is_empty() && unknown_count == earlier.len() {
                return unknown(
                    "provenance",
                    format!(
                        "the provenance of the {} before {} is unknown",
                        plural(earlier.len(), "release"),
                        in_use.version
                    ),
                );
            }
            return Outcome::Clear;
        };
        let when = last
            .published
            .map(|time: Timestamp| format!(", {}", time.strftime("%Y-%m-%d")))
            .unwrap_or_default();
        let mut message = format!(
            "{} has no provenance, while {} before it had: the latest, {} ({kind}{when})",
            in_use.version,
            plural(with_count, "release"),
            last.version
        );
        if without_since > 0 {
            message.push_str(&format!(
                "; {} since had none either",
                plural(without_since, "release")
            ));
        }
        Outcome::Risk {
            message,
            evidence: json!({
                "version": in_use.version,
                "provenance": "absent",
                "last_with_provenance": {
                    "version": last.version,
                    "published": last.published.map(|time| time.to_string()),
                    "kind": kind,
                },
                "earlier_with_provenance": with_count,
                "releases_without_since": without_since,
                "earlier_provenance_unknown": unknown_count,
            }),
            severity: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::facts::{Fact, PackageFacts, Provenance};
    use crate::signals::test_support::{
        Expect, attested, build, check, evaluate, facts, facts_with, release, release_mut, risk,
        unknown_facts, verification,
    };
    use crate::verify::ProvenanceCheck;

    /// nx: 21.4.x built with provenance by CI, the malicious 21.5.0 without.
    fn nx(in_use: &str) -> PackageFacts {
        let mut facts = facts_with(
            "npm",
            in_use,
            vec![
                release("21.3.0", "2025-07-01T00:00:00Z"),
                release("21.4.0", "2025-08-01T00:00:00Z"),
                release("21.4.1", "2025-08-20T00:00:00Z"),
                release("21.5.0", "2025-08-26T00:00:00Z"),
                release("21.6.0", "2025-08-26T02:00:00Z"),
            ],
        );
        for version in ["21.4.0", "21.4.1"] {
            let release = release_mut(&mut facts, version);
            release.provenance = Fact::Known(Provenance::Attested {
                url: None,
                predicate_type: None,
            });
        }
        let latest = release_mut(&mut facts, "21.4.1");
        *latest = attested(latest.clone(), build("nrwl/nx", "1", "publish.yml"));
        facts
    }

    #[test]
    fn table() {
        let mut in_use_verified_absent = nx("21.5.0");
        release_mut(&mut in_use_verified_absent, "21.5.0").verification =
            Some(verification(ProvenanceCheck::Absent));
        let mut in_use_unknown = nx("21.5.0");
        release_mut(&mut in_use_unknown, "21.5.0").provenance = Fact::unknown("timeout");
        let mut earlier_unknown = facts();
        release_mut(&mut earlier_unknown, "1.0.0").provenance = Fact::unknown("timeout");
        let mut earlier_invalid = facts();
        release_mut(&mut earlier_invalid, "1.0.0").verification =
            Some(verification(ProvenanceCheck::Invalid {
                reason: "bad".into(),
            }));
        let mut crates = facts();
        release_mut(&mut crates, "1.0.0").verification =
            Some(verification(ProvenanceCheck::RegistryAsserted {
                provider: "github".into(),
                repository: Some("owner/repo".into()),
                run: None,
                commit: None,
                trusted_publishing_only: None,
            }));
        let mut first = facts();
        first.version = "1.0.0".into();
        check(
            &ProvenanceDropped,
            vec![
                ("never had any", facts(), Expect::Clear),
                ("first release", first, Expect::Clear),
                ("before provenance", nx("21.3.0"), Expect::Clear),
                ("with provenance", nx("21.4.1"), Expect::Clear),
                (
                    "nx 21.5.0",
                    nx("21.5.0"),
                    Expect::Risk(
                        "21.5.0 has no provenance, while 2 releases before it had: the latest, 21.4.1 (verified, 2025-08-20)",
                    ),
                ),
                (
                    "nx 21.6.0",
                    nx("21.6.0"),
                    Expect::Risk("; 1 release since had none either"),
                ),
                (
                    "verification found none",
                    in_use_verified_absent,
                    Expect::Risk("21.5.0 has no provenance"),
                ),
                (
                    "in use unknown",
                    in_use_unknown,
                    Expect::Unknown("provenance", "timeout"),
                ),
                (
                    "every earlier release unknown",
                    earlier_unknown,
                    Expect::Unknown("provenance", "the 1 release before 1.1.0 is unknown"),
                ),
                ("earlier invalid", earlier_invalid, Expect::Clear),
                (
                    "crates.io trusted publishing",
                    crates,
                    Expect::Risk("(registry-asserted, 2025-01-01)"),
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
    fn evidence() {
        let (_, evidence, severity) = risk(evaluate(&ProvenanceDropped, &nx("21.6.0")));
        assert_eq!(severity, None);
        assert_eq!(evidence["last_with_provenance"]["version"], "21.4.1");
        assert_eq!(evidence["earlier_with_provenance"], 2);
        assert_eq!(evidence["releases_without_since"], 1);
    }
}

//! `owners-changed`: who can publish the package changed. event-stream's maintainer handed
//! the package to a stranger, who published the payload; xz's attacker was a patient new
//! co-maintainer. A new owner is not a risk in itself, but it is the moment to look.
//!
//! Two comparisons, each made when its facts exist:
//! - the version in use against the release before it, for registries that record who could
//!   publish each version (npm's per-version `maintainers`); the first release compares with
//!   nothing and is clear;
//! - the owners now against the owners an earlier run recorded (`Context::previous`), for every
//!   registry (PyPI and crates.io only say who owns a package now).
//!
//! Owners compare by stable id; messages name them by display name. When neither comparison
//! can be made, the answer is unknown, with both reasons.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::support::History;
use super::{Context, Outcome, Signal};
use crate::registry::facts::{Fact, Identity, Owner};

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OwnersChanged;

impl Signal for OwnersChanged {
    fn id(&self) -> &'static str {
        "owners-changed"
    }

    fn evaluate(&self, cx: &Context<'_>) -> Outcome {
        let facts = cx.facts;
        let mut compared = false;
        let mut unavailable = Vec::new();
        let mut parts = Vec::new();
        let mut evidence = serde_json::Map::new();
        evidence.insert("version".into(), json!(facts.version));

        // The version in use against the release before it.
        match History::of(facts) {
            Ok(history) => {
                let in_use = history.in_use();
                let mut earlier = history.earlier();
                earlier.sort_by_key(|release| release.published);
                match (&in_use.maintainers, earlier.last()) {
                    (None, _) => unavailable.push(format!(
                        "the registry records no per-version maintainers for {}",
                        in_use.version
                    )),
                    (Some(_), None) => compared = true,
                    (Some(now), Some(previous)) => match &previous.maintainers {
                        None => unavailable.push(format!(
                            "the registry records no per-version maintainers for {}",
                            previous.version
                        )),
                        Some(before) => {
                            compared = true;
                            let change = Change::between(before, now);
                            if !change.is_empty() {
                                parts.push(format!(
                                    "since {}: {}",
                                    previous.version,
                                    change.describe()
                                ));
                                evidence.insert(
                                    "since_previous_version".into(),
                                    change.evidence(
                                        "previous_version",
                                        &previous.version,
                                        previous.published,
                                    ),
                                );
                            }
                        }
                    },
                }
            }
            Err(Outcome::Unknown { reason, .. }) => unavailable.push(reason),
            Err(_) => {}
        }

        // The owners now against an earlier run's.
        match cx.previous {
            None => unavailable.push("no earlier run recorded the owners".to_string()),
            Some(previous) => match (&previous.owners, &facts.owners) {
                (Fact::Known(before), Fact::Known(now)) => {
                    compared = true;
                    let change = Change::between(before, now);
                    if !change.is_empty() {
                        parts.push(format!("since the earlier run: {}", change.describe()));
                        evidence.insert(
                            "since_earlier_run".into(),
                            change.evidence("earlier_run_version", &previous.version, None),
                        );
                    }
                }
                (Fact::Unknown(reason), _) => {
                    unavailable.push(format!("the earlier run's owners are unknown: {reason}"));
                }
                (_, Fact::Unknown(reason)) => {
                    unavailable.push(format!("the owners are unknown: {reason}"));
                }
            },
        }

        if !parts.is_empty() {
            return Outcome::Risk {
                message: format!("owners changed {}", parts.join("; ")),
                evidence: Value::Object(evidence),
                severity: None,
            };
        }
        if compared {
            return Outcome::Clear;
        }
        Outcome::Unknown {
            fact: "owners".to_string(),
            reason: unavailable.join("; "),
        }
    }
}

/// Owners added and removed.
#[derive(Debug)]
struct Change<'a> {
    added: Vec<&'a Identity>,
    removed: Vec<&'a Identity>,
}

impl<'a> Change<'a> {
    fn between(before: &'a [Owner], after: &'a [Owner]) -> Change<'a> {
        let has = |list: &[Owner], identity: &Identity| {
            list.iter().any(|owner| owner.identity.id == identity.id)
        };
        Change {
            added: after
                .iter()
                .map(|owner| &owner.identity)
                .filter(|identity| !has(before, identity))
                .collect(),
            removed: before
                .iter()
                .map(|owner| &owner.identity)
                .filter(|identity| !has(after, identity))
                .collect(),
        }
    }

    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    fn describe(&self) -> String {
        let names = |list: &[&Identity]| {
            list.iter()
                .map(|identity| identity.display.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut text = Vec::new();
        if !self.added.is_empty() {
            text.push(format!("added {}", names(&self.added)));
        }
        if !self.removed.is_empty() {
            text.push(format!("removed {}", names(&self.removed)));
        }
        text.join(", ")
    }

    /// The change against `version` (published at `published`, for a release).
    fn evidence(&self, key: &str, version: &str, published: Option<Timestamp>) -> Value {
        let list = |list: &[&Identity]| {
            list.iter()
                .map(|identity| json!({"id": identity.id, "display": identity.display}))
                .collect::<Vec<_>>()
        };
        let mut evidence = json!({
            key: version,
            "added": list(&self.added),
            "removed": list(&self.removed),
        });
        if let (Some(published), Value::Object(fields)) = (published, &mut evidence) {
            fields.insert("published".into(), json!(published.to_string()));
        }
        evidence
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::facts::PackageFacts;
    use crate::signals::test_support::{
        Expect, check, check_outcome, evaluate, evaluate_with, facts, facts_with, owner, release,
        release_mut, risk, unknown_facts,
    };
    use crate::signals::{Params, Signal};

    /// npm with per-version maintainers: 3.3.5 by dominictarr, 3.3.6 with right9ctrl added.
    fn event_stream(before: &[&str], after: &[&str]) -> PackageFacts {
        let mut facts = facts_with(
            "npm",
            "3.3.6",
            vec![
                release("3.3.5", "2018-09-01T00:00:00Z"),
                release("3.3.6", "2018-09-20T00:00:00Z"),
            ],
        );
        release_mut(&mut facts, "3.3.5").maintainers =
            Some(before.iter().map(|name| owner(name)).collect());
        release_mut(&mut facts, "3.3.6").maintainers =
            Some(after.iter().map(|name| owner(name)).collect());
        facts
    }

    #[test]
    fn table() {
        let mut first = event_stream(&["a"], &["a"]);
        first.version = "3.3.5".into();
        let mut previous_unrecorded = event_stream(&["a"], &["a"]);
        release_mut(&mut previous_unrecorded, "3.3.5").maintainers = None;
        check(
            &OwnersChanged,
            vec![
                (
                    "same",
                    event_stream(&["dominictarr"], &["dominictarr"]),
                    Expect::Clear,
                ),
                (
                    "added",
                    event_stream(&["dominictarr"], &["dominictarr", "right9ctrl"]),
                    Expect::Risk("owners changed since 3.3.5: added right9ctrl"),
                ),
                (
                    "handed over",
                    event_stream(&["dominictarr"], &["right9ctrl"]),
                    Expect::Risk("since 3.3.5: added right9ctrl, removed dominictarr"),
                ),
                ("first release", first, Expect::Clear),
                (
                    "earlier release records none",
                    previous_unrecorded,
                    Expect::Unknown(
                        "owners",
                        "no per-version maintainers for 3.3.5; no earlier run",
                    ),
                ),
                (
                    "crates.io, no earlier run",
                    facts(),
                    Expect::Unknown(
                        "owners",
                        "no per-version maintainers for 1.1.0; no earlier run recorded the owners",
                    ),
                ),
                (
                    "nothing known",
                    unknown_facts(),
                    Expect::Unknown("owners", "nothing cached; no earlier run"),
                ),
            ],
        );
    }

    #[test]
    fn an_earlier_run_gives_the_owners_before() {
        let signal = &OwnersChanged;
        let params = Params::defaults(signal.id());
        let now = facts();
        let mut before = facts();
        before.version = "1.0.0".into();
        check_outcome(
            signal,
            "unchanged",
            &evaluate_with(signal, &now, Some(&before), &params),
            Expect::Clear,
        );

        before.owners = Fact::Known(vec![owner("alice")]);
        let outcome = evaluate_with(signal, &now, Some(&before), &params);
        check_outcome(
            signal,
            "added",
            &outcome,
            Expect::Risk("owners changed since the earlier run: added bob"),
        );
        let (_, evidence, _) = risk(outcome);
        assert_eq!(
            evidence["since_earlier_run"]["earlier_run_version"],
            "1.0.0"
        );
        assert_eq!(
            evidence["since_earlier_run"]["added"][0]["id"],
            "npm:user:bob"
        );
        assert_eq!(evidence["since_earlier_run"]["removed"], json!([]));

        before.owners = Fact::unknown("timeout");
        check_outcome(
            signal,
            "earlier unknown",
            &evaluate_with(signal, &now, Some(&before), &params),
            Expect::Unknown("owners", "the earlier run's owners are unknown: timeout"),
        );
        let mut now_unknown = now.clone();
        now_unknown.owners = Fact::unknown("rate limited");
        before.owners = Fact::Known(vec![owner("alice")]);
        check_outcome(
            signal,
            "now unknown",
            &evaluate_with(signal, &now_unknown, Some(&before), &params),
            Expect::Unknown("owners", "the owners are unknown: rate limited"),
        );
    }

    #[test]
    fn both_comparisons() {
        let signal = &OwnersChanged;
        let now = event_stream(&["dominictarr"], &["dominictarr", "right9ctrl"]);
        let mut before = now.clone();
        before.owners = Fact::Known(vec![owner("alice"), owner("bob"), owner("carol")]);
        let (message, evidence, _) = risk(evaluate_with(
            signal,
            &now,
            Some(&before),
            &Params::defaults(signal.id()),
        ));
        assert_eq!(
            message,
            "owners changed since 3.3.5: added right9ctrl; since the earlier run: removed carol"
        );
        assert_eq!(
            evidence["since_previous_version"]["previous_version"],
            "3.3.5"
        );
        assert_eq!(
            evidence["since_previous_version"]["added"][0]["display"],
            "right9ctrl"
        );
        let (_, evidence, _) = risk(evaluate(signal, &now));
        assert!(evidence.get("since_earlier_run").is_none());
    }
}

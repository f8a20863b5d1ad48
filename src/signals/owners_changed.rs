//! `owners-changed`: who can publish the package changed. event-stream's maintainer handed
//! the package to a stranger, who published the payload; xz's attacker was a patient new
//! co-maintainer. A new owner is not a risk in itself, but it is the moment to look.
//!
//! Two comparisons, each made when its facts exist:
//! - the version in use against its predecessor ([`History::predecessors`]: the nearest lower
//!   version on its release line published before it, in the ecosystem's version order), for
//!   registries that record who could publish each version (npm's per-version
//!   `maintainers`); the first release compares with nothing and is clear. The change came
//!   with the version in use and is judged by its age ([`AgeWindows`]): the rule's severity
//!   while younger than `fresh-days`, one step lower until `expire-days`, dropped beyond;
//!   unknown when its publish time is unknown;
//! - the owners now against the owners an earlier run recorded (`Context::previous`), for every
//!   registry (PyPI and crates.io only say who owns a package now). A change seen since that
//!   run is news and weighs fully (no release dates it).
//!
//! Owners compare by stable id; messages name them by display name. When neither comparison
//! can be made, the answer is unknown, with both reasons.

use jiff::Timestamp;
use serde::Serialize;

use super::support::{
    AgeEvidence, AgeParams, AgeWindows, History, Weight, evidence, one_step_down, rule_severity,
    severity_field,
};
use super::{Context, Outcome, Rule};
use crate::model::facts::Unknown;
use crate::model::facts::{Fact, Identity, Owner};

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OwnersChanged;

/// The evidence of a finding: one or both comparisons, each present only when it found a
/// change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// The change from its predecessor's per-version maintainers (npm), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) since_previous_version: Option<SincePreviousVersion<'a>>,
    /// The change from the owners an earlier run (or the trust ledger) recorded, when there
    /// is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) since_earlier_run: Option<SinceEarlierRun<'a>>,
}

/// The change from the predecessor, in [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SincePreviousVersion<'a> {
    /// The predecessor.
    pub(crate) previous_version: &'a str,
    /// Its publish time (RFC 3339); absent when the registry gives none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) published: Option<String>,
    /// Maintainers of the version in use the predecessor did not have.
    pub(crate) added: Vec<OwnerEvidence<'a>>,
    /// Maintainers of the predecessor the version in use does not have.
    pub(crate) removed: Vec<OwnerEvidence<'a>>,
    /// How the predecessor was chosen (`version order, same release line`, …).
    pub(crate) order: String,
    /// The age of the version in use, which brought the change.
    pub(crate) age: AgeEvidence<'a>,
}

/// The change from an earlier run's owners, in [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SinceEarlierRun<'a> {
    /// The version that earlier run (or the ledger) recorded.
    pub(crate) earlier_run_version: &'a str,
    /// Owners now that it did not record.
    pub(crate) added: Vec<OwnerEvidence<'a>>,
    /// Owners it recorded that are gone.
    pub(crate) removed: Vec<OwnerEvidence<'a>>,
}

/// An owner added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct OwnerEvidence<'a> {
    /// The registry's stable id.
    pub(crate) id: &'a str,
    /// The display name.
    pub(crate) display: &'a str,
}

impl Rule for OwnersChanged {
    const ID: &'static str = "owners-changed";
    type Params = AgeParams;

    fn judge(&self, cx: &Context<'_>, params: &AgeParams) -> Outcome {
        let windows = AgeWindows::of(params);
        let facts = cx.facts;
        let mut compared = false;
        let mut unavailable = Vec::new();
        let mut parts = Vec::new();
        let mut weights = Vec::new();
        let mut age_unknown = None;
        // The change from the predecessor (with it, its order and the age), and the change
        // since the earlier run (with its version), as found.
        let mut since_previous = None;
        let mut since_earlier = None;

        // The version in use against its predecessor.
        match History::of(facts) {
            Ok(history) => {
                let in_use = history.in_use();
                let predecessors = history.in_use_predecessors();
                match (&in_use.maintainers, predecessors.releases.first()) {
                    (None, _) => unavailable.push(Unknown::not_recorded(format!(
                        "the registry records no per-version maintainers for {}",
                        in_use.version
                    ))),
                    (Some(_), None) => compared = true,
                    (Some(now), Some(previous)) => match &previous.maintainers {
                        None => unavailable.push(Unknown::not_recorded(format!(
                            "the registry records no per-version maintainers for {}",
                            previous.version
                        ))),
                        Some(before) => {
                            compared = true;
                            let change = Change::between(before, now);
                            if !change.is_empty() {
                                // The change came with the version in use: its age is the
                                // event's.
                                match windows.age(cx.now, in_use, "the change") {
                                    Err(outcome) => age_unknown = Some(outcome),
                                    Ok(age) if age.weight == Weight::Expired => {}
                                    Ok(age) => {
                                        parts.push(format!(
                                            "since {}: {} ({} was published {})",
                                            previous.version,
                                            change.describe(),
                                            in_use.version,
                                            age.describe(&windows)
                                        ));
                                        weights.push(age.weight);
                                        since_previous = Some((
                                            *previous,
                                            change,
                                            predecessors.order.describe(),
                                            age,
                                        ));
                                    }
                                }
                            }
                        }
                    },
                }
            }
            Err(Outcome::Unknown { reason, .. }) => unavailable.push(reason),
            Err(_) => {}
        }

        // The owners now against an earlier run's: a change seen since that run is news, at
        // full weight (no release dates it).
        match cx.previous {
            None => unavailable.push(Unknown::not_recorded("no earlier run recorded the owners")),
            Some(previous) => match (&previous.owners, &facts.owners) {
                (Fact::Known(before), Fact::Known(now)) => {
                    compared = true;
                    let change = Change::between(before, now);
                    if !change.is_empty() {
                        let since = if previous.registry == crate::model::facts::LEDGER_SOURCE {
                            "since the trust ledger (deptrust-ledger.toml)"
                        } else {
                            "since the earlier run"
                        };
                        parts.push(format!("{since}: {}", change.describe()));
                        since_earlier = Some((previous.version.as_str(), change));
                        weights.push(Weight::Full);
                    }
                }
                (Fact::Unknown(reason), _) => {
                    unavailable.push(reason.map_detail(|reason| {
                        format!("the earlier run's owners are unknown: {reason}")
                    }));
                }
                (_, Fact::Unknown(reason)) => {
                    unavailable.push(
                        reason.map_detail(|reason| format!("the owners are unknown: {reason}")),
                    );
                }
            },
        }

        if !parts.is_empty() {
            let base = rule_severity(Self::ID);
            let severity = if weights.contains(&Weight::Full) {
                base
            } else {
                one_step_down(base)
            };
            return Outcome::Risk {
                message: format!("owners changed {}", parts.join("; ")),
                evidence: evidence(&Evidence {
                    version: &facts.version,
                    since_previous_version: since_previous.as_ref().map(
                        |(previous, change, order, age)| SincePreviousVersion {
                            previous_version: &previous.version,
                            published: previous.published.map(|time: Timestamp| time.to_string()),
                            added: Change::listed(&change.added),
                            removed: Change::listed(&change.removed),
                            order: order.clone(),
                            age: age.evidence(&windows),
                        },
                    ),
                    since_earlier_run: since_earlier.as_ref().map(|(version, change)| {
                        SinceEarlierRun {
                            earlier_run_version: version,
                            added: Change::listed(&change.added),
                            removed: Change::listed(&change.removed),
                        }
                    }),
                }),
                severity: severity_field(Self::ID, severity),
            };
        }
        if let Some(outcome) = age_unknown {
            return outcome;
        }
        if compared {
            return Outcome::Clear;
        }
        Outcome::Unknown {
            fact: "owners".to_string(),
            reason: Unknown::joined(
                &unavailable,
                unavailable
                    .iter()
                    .map(|reason| reason.detail.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
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

    /// Owners as evidence.
    fn listed(list: &[&'a Identity]) -> Vec<OwnerEvidence<'a>> {
        list.iter()
            .map(|identity| OwnerEvidence {
                id: &identity.id,
                display: &identity.display,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::model::facts::PackageFacts;
    use crate::signals::test_support::{
        Expect, check, check_outcome, evaluate, evaluate_with, facts, facts_with, owner, release,
        release_mut, risk, unknown_facts,
    };
    use crate::signals::{Params, Signal};

    /// npm with per-version maintainers: 3.3.5 by dominictarr, 3.3.6 with right9ctrl added
    /// (2018 in reality; here weeks before the tests' clock).
    fn event_stream(before: &[&str], after: &[&str]) -> PackageFacts {
        event_stream_at(before, after, "2025-12-20T00:00:00Z")
    }

    /// The same, with 3.3.6 published at `published`.
    fn event_stream_at(before: &[&str], after: &[&str], published: &str) -> PackageFacts {
        let mut facts = facts_with(
            "npm",
            "3.3.6",
            vec![
                release("3.3.5", "2018-09-01T00:00:00Z"),
                release("3.3.6", published),
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
            "owners changed since 3.3.5: added right9ctrl (3.3.6 was published 12 days ago); since the earlier run: removed carol"
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

    /// The change came with the version in use: judged by its age.
    #[test]
    fn the_change_is_judged_by_the_age_of_the_version_in_use() {
        let signal = &OwnersChanged;
        let (message, evidence, severity) = risk(evaluate(
            signal,
            &event_stream(&["dominictarr"], &["dominictarr", "right9ctrl"]),
        ));
        assert_eq!(severity, None, "fresh: the rule's medium");
        assert!(
            message.contains("(3.3.6 was published 12 days ago)"),
            "{message}"
        );
        assert_eq!(evidence["since_previous_version"]["age"]["weight"], "full");

        let decayed = event_stream_at(
            &["dominictarr"],
            &["dominictarr", "right9ctrl"],
            "2025-06-01T00:00:00Z",
        );
        let (_, evidence, severity) = risk(evaluate(signal, &decayed));
        assert_eq!(severity, Some(crate::rules::Severity::Low));
        assert_eq!(evidence["since_previous_version"]["age"]["age_days"], 214);

        let old = event_stream_at(
            &["dominictarr"],
            &["dominictarr", "right9ctrl"],
            "2018-09-20T00:00:00Z",
        );
        assert_eq!(evaluate(signal, &old), Outcome::Clear);
        // An old change, and a change since the earlier run: only the news is reported, at
        // the rule's severity.
        let mut before = old.clone();
        before.owners = Fact::Known(vec![owner("alice")]);
        let (message, _, severity) = risk(evaluate_with(
            signal,
            &old,
            Some(&before),
            &Params::defaults(signal.id()),
        ));
        assert_eq!(message, "owners changed since the earlier run: added bob");
        assert_eq!(severity, None);

        let mut untimed = event_stream(&["dominictarr"], &["right9ctrl"]);
        release_mut(&mut untimed, "3.3.6").published = None;
        check(
            signal,
            vec![(
                "no publish time",
                untimed,
                Expect::Unknown("releases", "no publish time for 3.3.6"),
            )],
        );
    }

    /// The version in use is compared with its predecessor in version order on its release
    /// line, not with the release published just before it.
    #[test]
    fn the_predecessor_is_the_nearest_lower_version_on_the_line() {
        let signal = &OwnersChanged;
        let with = |facts: &mut PackageFacts, version: &str, names: &[&str]| {
            release_mut(facts, version).maintainers =
                Some(names.iter().map(|name| owner(name)).collect());
        };
        // A backport 1.2.9 published after 2.0.0, which a new maintainer published.
        let mut backport = facts_with(
            "npm",
            "1.2.9",
            vec![
                release("1.2.8", "2025-10-01T00:00:00Z"),
                release("2.0.0", "2025-11-01T00:00:00Z"),
                release("1.2.9", "2025-12-01T00:00:00Z"),
            ],
        );
        with(&mut backport, "1.2.8", &["alice"]);
        with(&mut backport, "2.0.0", &["alice", "carol"]);
        with(&mut backport, "1.2.9", &["alice"]);
        assert_eq!(evaluate(signal, &backport), Outcome::Clear);
        with(&mut backport, "1.2.9", &["mallory"]);
        let (message, evidence, _) = risk(evaluate(signal, &backport));
        assert!(
            message.contains("since 1.2.8: added mallory, removed alice"),
            "{message}"
        );
        assert_eq!(
            evidence["since_previous_version"]["order"],
            "version order, same release line"
        );

        // acorn: the registry's clock puts 0.3.0 just before 8.17.0; 8.16.0 is its predecessor.
        let mut acorn = facts_with(
            "npm",
            "8.17.0",
            vec![
                release("1.0.0", "2015-01-01T00:00:00Z"),
                release("8.16.0", "2025-11-01T00:00:00Z"),
                release("0.3.0", "2025-11-15T00:00:00Z"),
                release("8.17.0", "2025-12-01T00:00:00Z"),
            ],
        );
        with(&mut acorn, "1.0.0", &["marijn"]);
        with(&mut acorn, "0.3.0", &["marijn"]);
        with(&mut acorn, "8.16.0", &["marijn", "adrian"]);
        with(&mut acorn, "8.17.0", &["marijn", "adrian"]);
        assert_eq!(evaluate(signal, &acorn), Outcome::Clear);

        // A new major version follows the highest lower version.
        let mut major = facts_with(
            "npm",
            "2.0.0",
            vec![
                release("1.0.0", "2025-10-01T00:00:00Z"),
                release("1.1.0", "2025-11-01T00:00:00Z"),
                release("2.0.0", "2025-12-01T00:00:00Z"),
            ],
        );
        with(&mut major, "1.0.0", &["alice"]);
        with(&mut major, "1.1.0", &["alice", "bob"]);
        with(&mut major, "2.0.0", &["alice", "bob"]);
        assert_eq!(evaluate(signal, &major), Outcome::Clear);
        with(&mut major, "2.0.0", &["alice"]);
        let (message, evidence, _) = risk(evaluate(signal, &major));
        assert!(message.contains("since 1.1.0: removed bob"), "{message}");
        assert_eq!(
            evidence["since_previous_version"]["order"],
            "version order, no earlier release on its line"
        );

        // A version that does not parse: publish-time order, said in the evidence.
        let mut loose = facts_with(
            "npm",
            "1.1",
            vec![
                release("1.0.0", "2025-10-01T00:00:00Z"),
                release("1.1", "2025-12-01T00:00:00Z"),
            ],
        );
        with(&mut loose, "1.0.0", &["alice"]);
        with(&mut loose, "1.1", &["mallory"]);
        let (_, evidence, _) = risk(evaluate(signal, &loose));
        let order = evidence["since_previous_version"]["order"]
            .as_str()
            .unwrap();
        assert!(
            order.starts_with("publish time (`1.1` is not a semver version"),
            "{order}"
        );
    }

    /// The typed evidence serializes to exactly the JSON the `json!` literals it replaced gave
    /// (each comparison alone and both, a predecessor with and without a publish time).
    #[test]
    fn typed_evidence_is_the_json_it_replaced() {
        // The literal `Change::evidence` wrote.
        let old_change = |change: &Change<'_>,
                          key: &str,
                          version: &str,
                          published: Option<Timestamp>|
         -> Value {
            let list = |list: &[&Identity]| {
                list.iter()
                    .map(|identity| json!({"id": identity.id, "display": identity.display}))
                    .collect::<Vec<_>>()
            };
            let mut evidence = json!({
                key: version,
                "added": list(&change.added),
                "removed": list(&change.removed),
            });
            if let (Some(published), Value::Object(fields)) = (published, &mut evidence) {
                fields.insert("published".into(), json!(published.to_string()));
            }
            evidence
        };
        let before = [owner("dominictarr"), owner("alice")];
        let after = [owner("dominictarr"), owner("right9ctrl")];
        let change = Change::between(&before, &after);
        let windows = AgeWindows::new(90, 365);
        let in_use = release("3.3.6", "2025-12-20T00:00:00Z");
        let age = windows
            .age(crate::signals::test_support::NOW, &in_use, "the change")
            .unwrap();
        let order = "version order, same release line";
        let time: Timestamp = "2018-09-01T00:00:00Z".parse().unwrap();
        for (previous, earlier, published) in [
            (true, false, Some(time)),
            (true, true, None),
            (false, true, None),
        ] {
            let mut old = serde_json::Map::new();
            old.insert("version".into(), json!(in_use.version));
            if previous {
                let mut change = old_change(&change, "previous_version", "3.3.5", published);
                if let Value::Object(fields) = &mut change {
                    fields.insert("order".into(), json!(order));
                    fields.insert("age".into(), json!(age.evidence(&windows)));
                }
                old.insert("since_previous_version".into(), change);
            }
            if earlier {
                old.insert(
                    "since_earlier_run".into(),
                    old_change(&change, "earlier_run_version", "3.3.5", None),
                );
            }
            let typed = evidence(&Evidence {
                version: &in_use.version,
                since_previous_version: previous.then(|| SincePreviousVersion {
                    previous_version: "3.3.5",
                    published: published.map(|time: Timestamp| time.to_string()),
                    added: Change::listed(&change.added),
                    removed: Change::listed(&change.removed),
                    order: order.to_string(),
                    age: age.evidence(&windows),
                }),
                since_earlier_run: earlier.then(|| SinceEarlierRun {
                    earlier_run_version: "3.3.5",
                    added: Change::listed(&change.added),
                    removed: Change::listed(&change.removed),
                }),
            });
            assert_eq!(
                serde_json::to_string(&typed).unwrap(),
                serde_json::to_string(&Value::Object(old)).unwrap()
            );
        }
    }
}

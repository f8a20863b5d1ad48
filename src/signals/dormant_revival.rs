//! `dormant-revival`: a package silent for `silence-months` months or more came back to life,
//! and the version in use is that revival or follows it (the ctx takeover: an abandoned
//! package's maintainer domain expired, a stranger took over the account and published new
//! versions after years of silence).
//!
//! The revival is the release that broke the silence: walking back from the version in use
//! through the releases published before it, the first one that came at least
//! `silence-months` calendar months after its predecessor, provided it was published no more
//! than `silence-months` months before the version in use (a package revived long ago and
//! active since is not flagged). Releases without a publish time are left out.
//!
//! Severity rises to high when the revival or the version in use was published by an
//! identity that published no earlier version (the `new-publisher` logic).
//!
//! Silence is a matter of time, so releases are ordered by publish time here, not by version.
//!
//! Age: the revival is judged by its publish time against the run's clock ([`AgeWindows`]):
//! full while younger than `fresh-days` (ctx was found within days), one step lower until
//! `expire-days`, clear beyond (fnv 1.0.7, a revival in 2020 in use ever since, is not a
//! warning). Decayed, a revival by the old maintainer would be info, which weighs nothing and
//! only crowds the report: it is clear instead.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::new_publisher::{FoundEvidence, NewPublisherFound, Newness, newness};
use super::support::{
    AgeEvidence, AgeWindows, History, Weight, evidence, months_before, rule_severity,
    severity_field, signed, unknown, whole_days, whole_months,
};
use super::{Context, Outcome, Rule};
use crate::model::facts::Unknown;
use crate::rules::Severity;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DormantRevival;

/// The rule's parameters (defaults in `rules/dormant-revival.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Params {
    /// Months without a release that count as dormancy (at least 1 is used).
    pub(crate) silence_months: u64,
    /// Days a revival weighs fully.
    pub(crate) fresh_days: u64,
    /// Days after which a revival no longer counts.
    pub(crate) expire_days: u64,
}

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// The `silence-months` parameter (at least 1).
    pub(crate) silence_months: i64,
    /// Whole months between the revival and the release before it.
    pub(crate) silent_months: i64,
    /// The release before the silence.
    pub(crate) previous_release: ReleaseEvidence<'a>,
    /// The release that broke the silence.
    pub(crate) revival: ReleaseEvidence<'a>,
    /// The revival and the version in use when published by an identity that published no
    /// earlier version (without their age).
    pub(crate) new_publishers: Vec<FoundEvidence<'a>>,
    /// Why whether their publishers are new could not be told, if it could not.
    pub(crate) publisher_unknown: Option<String>,
    /// The age of the revival.
    pub(crate) age: AgeEvidence<'a>,
}

/// A release, in [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ReleaseEvidence<'a> {
    /// Its version.
    pub(crate) version: &'a str,
    /// Its publish time (RFC 3339).
    pub(crate) published: String,
}

impl Rule for DormantRevival {
    const ID: &'static str = "dormant-revival";
    type Params = Params;

    fn judge(&self, cx: &Context<'_>, params: &Params) -> Outcome {
        let months = signed(params.silence_months).max(1);
        let windows = AgeWindows::new(params.fresh_days, params.expire_days);
        let history = match History::of(cx.facts) {
            Ok(history) => history,
            Err(outcome) => return outcome,
        };
        let in_use = history.in_use();
        let Some(used) = in_use.published else {
            return unknown(
                "releases",
                Unknown::not_recorded(format!(
                    "the registry gives no publish time for {}",
                    in_use.version
                )),
            );
        };
        // The version in use and the releases before it that have a publish time, oldest first.
        let mut timed: Vec<(usize, Timestamp)> = (0..history.releases.len())
            .filter(|&index| index == history.index || history.is_before(index, history.index))
            .filter_map(|index| history.releases[index].published.map(|time| (index, time)))
            .collect();
        timed.sort_by_key(|&(index, time)| (time, index));
        let Some(window_start) = months_before(used, months) else {
            return Outcome::Clear;
        };
        let revival = timed.windows(2).rev().find_map(|pair| {
            let ((previous, previous_time), (next, next_time)) = (pair[0], pair[1]);
            (next_time >= window_start
                && months_before(next_time, months).is_some_and(|limit| previous_time <= limit))
            .then_some((previous, previous_time, next, next_time))
        });
        // `find_map` from the newest pair: a revival older than the window is not one.
        let Some((previous, previous_time, revival, revival_time)) = revival else {
            return Outcome::Clear;
        };
        let silent = whole_months(previous_time, revival_time);
        let previous = &history.releases[previous];
        let revived = &history.releases[revival];
        let age = match windows.age(cx.now, revived, "the revival") {
            Ok(age) => age,
            Err(outcome) => return outcome,
        };
        if age.weight == Weight::Expired {
            return Outcome::Clear;
        }

        let mut message = if revival == history.index {
            format!(
                "the version in use {} came after {silent} months without a release (previous: {} on {})",
                revived.version,
                previous.version,
                date(previous_time)
            )
        } else {
            format!(
                "{} came after {silent} months without a release (previous: {} on {}); the version in use {} followed it {} days later",
                revived.version,
                previous.version,
                date(previous_time),
                in_use.version,
                whole_days(revival_time, used)
            )
        };

        message.push_str(&format!("; the revival was {}", age.describe(&windows)));

        // Who published the revival and the version in use.
        let mut checked = vec![revival];
        if revival != history.index {
            checked.push(history.index);
        }
        let mut found_new: Vec<(usize, NewPublisherFound)> = Vec::new();
        let mut publisher_unknown: Option<String> = None;
        for index in checked {
            match newness(&history, index) {
                Newness::New(found) => {
                    let release = &history.releases[index];
                    message.push_str(&format!(
                        "; {} was published by {}, who published no earlier version",
                        release.version,
                        found.publisher.describe()
                    ));
                    found_new.push((index, found));
                }
                Newness::Undetermined(reason) => {
                    publisher_unknown.get_or_insert(reason.detail);
                }
                Newness::Seen | Newness::First => {}
            }
        }
        let new_publishers: Vec<FoundEvidence<'_>> = found_new
            .iter()
            .map(|(index, found)| {
                found.evidence(&history.releases[*index], *index == history.index)
            })
            .collect();
        let evidence_severity = if new_publishers.is_empty() {
            rule_severity(Self::ID)
        } else {
            Severity::High
        };
        // Decayed, a revival by its old maintainer would be info: it weighs nothing and only
        // crowds the report, so it is clear once it is no longer fresh.
        let severity = match age.severity(evidence_severity) {
            Some(Severity::Info) | None => return Outcome::Clear,
            Some(severity) => severity,
        };
        Outcome::Risk {
            message,
            evidence: evidence(&Evidence {
                version: &in_use.version,
                silence_months: months,
                silent_months: silent,
                previous_release: release_evidence(&previous.version, previous_time),
                revival: release_evidence(&revived.version, revival_time),
                new_publishers,
                publisher_unknown,
                age: age.evidence(&windows),
            }),
            severity: severity_field(Self::ID, severity),
        }
    }
}

/// `YYYY-MM-DD` (UTC).
fn date(time: Timestamp) -> String {
    time.strftime("%Y-%m-%d").to_string()
}

fn release_evidence(version: &str, published: Timestamp) -> ReleaseEvidence<'_> {
    ReleaseEvidence {
        version,
        published: published.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::model::facts::{Fact, PackageFacts};
    use crate::signals::test_support::{
        Expect, by, check, evaluate, evaluate_with, facts, facts_with, params_with,
        params_with_all, release, release_mut, risk, unknown_facts,
    };

    /// ctx: 0.1.2 in 2014, then a stranger's 0.2.2 and 0.2.6 (May 2022 in reality; here
    /// in December 2025, fresh at the tests' clock).
    fn ctx(in_use: &str, new_owner: &str) -> PackageFacts {
        ctx_revived(
            in_use,
            new_owner,
            "2025-12-14T00:00:00Z",
            "2025-12-17T00:00:00Z",
        )
    }

    /// ctx revived at these dates.
    fn ctx_revived(in_use: &str, new_owner: &str, revival: &str, next: &str) -> PackageFacts {
        facts_with(
            "npm",
            in_use,
            vec![
                by(release("0.1.0", "2014-12-10T00:00:00Z"), "figo"),
                by(release("0.1.2", "2014-12-18T00:00:00Z"), "figo"),
                by(release("0.2.2", revival), new_owner),
                by(release("0.2.6", next), new_owner),
            ],
        )
    }

    #[test]
    fn table() {
        let signal = &DormantRevival;
        let mut untimed = ctx("0.2.2", "figo");
        release_mut(&mut untimed, "0.2.2").published = None;
        let mut first = facts();
        first.version = "1.0.0".into();
        // Revived in 2023, active since: the revival is older than the window.
        let revived_long_ago = facts_with(
            "npm",
            "3.0.0",
            vec![
                release("1.0.0", "2019-01-01T00:00:00Z"),
                release("2.0.0", "2023-01-01T00:00:00Z"),
                release("2.1.0", "2023-09-01T00:00:00Z"),
                release("2.2.0", "2024-05-01T00:00:00Z"),
                release("3.0.0", "2025-01-01T00:00:00Z"),
            ],
        );
        // Twenty-three months of silence is not twenty-four (a year's break is routine).
        let short = facts_with(
            "npm",
            "1.1.0",
            vec![
                release("1.0.0", "2023-12-01T00:00:00Z"),
                release("1.1.0", "2025-11-01T00:00:00Z"),
            ],
        );
        let exactly = facts_with(
            "npm",
            "1.1.0",
            vec![
                release("1.0.0", "2023-11-01T00:00:00Z"),
                release("1.1.0", "2025-11-01T00:00:00Z"),
            ],
        );
        check(
            signal,
            vec![
                ("active", facts(), Expect::Clear),
                ("first release", first, Expect::Clear),
                (
                    "ctx: the revival in use",
                    ctx("0.2.2", "figo"),
                    Expect::Risk(
                        "the version in use 0.2.2 came after 131 months without a release",
                    ),
                ),
                (
                    "ctx: after the revival",
                    ctx("0.2.6", "figo"),
                    Expect::Risk("the version in use 0.2.6 followed it 3 days later"),
                ),
                (
                    "ctx: before the revival",
                    ctx("0.1.2", "figo"),
                    Expect::Clear,
                ),
                ("revived long ago", revived_long_ago, Expect::Clear),
                ("twenty-three months", short, Expect::Clear),
                (
                    "twenty-four months",
                    exactly,
                    Expect::Risk(
                        "came after 24 months without a release (previous: 1.0.0 on 2023-11-01)",
                    ),
                ),
                (
                    "no publish time",
                    untimed,
                    Expect::Unknown("releases", "no publish time for 0.2.2"),
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
    fn a_new_publisher_makes_it_high() {
        let signal = &DormantRevival;
        let (_, evidence, severity) = risk(evaluate(signal, &ctx("0.2.6", "figo")));
        assert_eq!(severity, None, "the old maintainer came back");
        assert_eq!(evidence["new_publishers"], json!([]));

        let (message, evidence, severity) = risk(evaluate(signal, &ctx("0.2.6", "stranger")));
        assert_eq!(severity, Some(Severity::High));
        assert!(
            message.ends_with(
                "; the revival was 18 days ago; 0.2.2 was published by stranger, who published no earlier version"
            ),
            "{message}"
        );
        assert_eq!(evidence["revival"]["version"], "0.2.2");
        assert_eq!(evidence["previous_release"]["version"], "0.1.2");
        assert_eq!(evidence["silent_months"], 131);
        assert_eq!(evidence["age"]["age_days"], 18);
        assert_eq!(evidence["age"]["weight"], "full");
        assert_eq!(evidence["new_publishers"][0]["version"], "0.2.2");

        // Who published is unknown: the revival stands, at the rule's severity.
        let mut unknown_publisher = ctx("0.2.2", "stranger");
        release_mut(&mut unknown_publisher, "0.2.2").publisher = Fact::unknown("stripped");
        let (_, evidence, severity) = risk(evaluate(signal, &unknown_publisher));
        assert_eq!(severity, None);
        assert!(
            evidence["publisher_unknown"]
                .as_str()
                .is_some_and(|reason| reason.contains("stripped")),
            "{evidence}"
        );
    }

    #[test]
    fn the_silence_is_a_parameter() {
        let signal = &DormantRevival;
        let facts = ctx("0.2.2", "figo");
        let patient = params_with(signal, "silence-months", 140);
        assert_eq!(
            evaluate_with(signal, &facts, None, &patient),
            Outcome::Clear
        );
        let eager = params_with(signal, "silence-months", 3);
        let short = facts_with(
            "npm",
            "1.1.0",
            vec![
                release("1.0.0", "2025-07-01T00:00:00Z"),
                release("1.1.0", "2025-12-01T00:00:00Z"),
            ],
        );
        let (message, _, _) = risk(evaluate_with(signal, &short, None, &eager));
        assert!(message.contains("after 5 months"), "{message}");
    }

    /// The revival is judged by its age: full while younger than `fresh-days` (90), one step
    /// lower until `expire-days` (365), clear beyond. Decayed, a revival by the old maintainer
    /// would be info: clear.
    #[test]
    fn the_revival_is_judged_by_its_age() {
        let signal = &DormantRevival;
        // 2025-10-01 is 92 days before the clock; 2025-01-02 is 364; 2024-12-01 is 396.
        let decayed = ctx_revived(
            "0.2.6",
            "stranger",
            "2025-10-01T00:00:00Z",
            "2025-10-03T00:00:00Z",
        );
        let (message, evidence, severity) = risk(evaluate(signal, &decayed));
        assert_eq!(severity, Some(Severity::Medium), "high, one step lower");
        assert!(
            message.contains(
                "; the revival was 92 days ago, older than 90 days: one severity step lower"
            ),
            "{message}"
        );
        assert_eq!(evidence["age"]["weight"], "decayed");
        let almost_a_year = ctx_revived(
            "0.2.6",
            "stranger",
            "2025-01-02T00:00:00Z",
            "2025-01-03T00:00:00Z",
        );
        let (_, _, severity) = risk(evaluate(signal, &almost_a_year));
        assert_eq!(severity, Some(Severity::Medium));

        check(
            signal,
            vec![
                (
                    "old maintainer, fresh",
                    ctx("0.2.6", "figo"),
                    Expect::Risk("0.2.2 came after 131 months"),
                ),
                (
                    "old maintainer, decayed",
                    ctx_revived(
                        "0.2.6",
                        "figo",
                        "2025-10-01T00:00:00Z",
                        "2025-10-03T00:00:00Z",
                    ),
                    Expect::Clear,
                ),
                (
                    "new publisher, more than a year ago",
                    ctx_revived(
                        "0.2.6",
                        "stranger",
                        "2024-12-01T00:00:00Z",
                        "2024-12-03T00:00:00Z",
                    ),
                    Expect::Clear,
                ),
                (
                    // fnv 1.0.7: revived in 2020 after years, in use since.
                    "fnv 1.0.7",
                    facts_with(
                        "cargo",
                        "1.0.7",
                        vec![
                            release("1.0.5", "2016-06-21T00:00:00Z"),
                            release("1.0.6", "2017-12-14T00:00:00Z"),
                            release("1.0.7", "2020-05-14T00:00:00Z"),
                        ],
                    ),
                    Expect::Clear,
                ),
            ],
        );

        // The windows are parameters.
        let params = params_with_all(signal, &[("fresh-days", 10), ("expire-days", 15)]);
        assert_eq!(
            evaluate_with(signal, &ctx("0.2.6", "stranger"), None, &params),
            Outcome::Clear,
            "18 days is past a 15-day expiry"
        );
        let wide = params_with(signal, "fresh-days", 400);
        let (_, _, severity) = risk(evaluate_with(signal, &decayed, None, &wide));
        assert_eq!(severity, Some(Severity::High));
    }

    /// The typed evidence serializes to exactly the JSON the `json!` literal it replaced gave,
    /// with and without new publishers and a reason they are unknown.
    #[test]
    fn typed_evidence_is_the_json_it_replaced() {
        let old_release = |version: &str, published: Timestamp| -> Value {
            json!({"version": version, "published": published.to_string()})
        };
        let windows = AgeWindows::new(90, 365);
        let previous_time: Timestamp = "2014-01-01T00:00:00Z".parse().unwrap();
        let revived = release("0.2.6", "2025-12-14T00:00:00Z");
        let revival_time = revived.published.unwrap();
        let age = windows
            .age(crate::signals::test_support::NOW, &revived, "it")
            .unwrap();
        let found = NewPublisherFound {
            publisher: super::super::new_publisher::Publisher::Account(
                crate::signals::test_support::user("stranger"),
            ),
            compared: 2,
            unknown: 0,
        };
        for (new, reason) in [
            (true, None),
            (false, Some("the registry is down".to_string())),
        ] {
            let new_publishers: Vec<FoundEvidence<'_>> = if new {
                vec![found.evidence(&revived, true)]
            } else {
                Vec::new()
            };
            let old_new: Vec<Value> = new_publishers.iter().map(|found| json!(found)).collect();
            let old = json!({
                "version": revived.version,
                "silence_months": 24,
                "silent_months": 143,
                "previous_release": old_release("0.1.2", previous_time),
                "revival": old_release(&revived.version, revival_time),
                "new_publishers": old_new,
                "publisher_unknown": reason,
                "age": age.evidence(&windows),
            });
            let typed = evidence(&Evidence {
                version: &revived.version,
                silence_months: 24,
                silent_months: 143,
                previous_release: release_evidence("0.1.2", previous_time),
                revival: release_evidence(&revived.version, revival_time),
                new_publishers,
                publisher_unknown: reason.clone(),
                age: age.evidence(&windows),
            });
            assert_eq!(
                serde_json::to_string(&typed).unwrap(),
                serde_json::to_string(&old).unwrap()
            );
        }
    }
}

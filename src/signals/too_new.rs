//! `too-new`: the version in use was published less than `hours` hours before the run (a
//! cooldown). Malicious versions are usually found and pulled within days (the nx and
//! shai-hulud releases were live for hours); waiting out a short cooldown before adopting a
//! release avoids most of them. A publish time later than the run's clock counts as age zero.

use crate::model::facts::Unknown;
use serde::{Deserialize, Serialize};

use super::support::{History, evidence, hours_before, signed, unknown};
use super::{Context, Outcome, Rule};

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TooNew;

/// The rule's parameters (defaults in `rules/too-new.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Params {
    /// Hours a release must have been published before it is adopted.
    pub(crate) hours: u64,
}

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// Its publish time (RFC 3339).
    pub(crate) published: String,
    /// The run's clock (RFC 3339).
    pub(crate) now: String,
    /// Whole hours since it was published.
    pub(crate) age_hours: i64,
    /// The cooldown, in hours (the `hours` parameter).
    pub(crate) hours: i64,
}

impl Rule for TooNew {
    const ID: &'static str = "too-new";
    type Params = Params;

    fn judge(&self, cx: &Context<'_>, params: &Params) -> Outcome {
        let hours = signed(params.hours);
        let history = match History::of(cx.facts) {
            Ok(history) => history,
            Err(outcome) => return outcome,
        };
        let in_use = history.in_use();
        let Some(published) = in_use.published else {
            return unknown(
                "releases",
                Unknown::not_recorded(format!(
                    "the registry gives no publish time for {}",
                    in_use.version
                )),
            );
        };
        let Some(cooldown_start) = hours_before(cx.now, hours) else {
            return Outcome::Clear;
        };
        if published <= cooldown_start {
            return Outcome::Clear;
        }
        let age = cx.now.duration_since(published).as_hours().max(0);
        Outcome::Risk {
            message: format!(
                "{} was published {age} hours ago, within the {hours}-hour cooldown",
                in_use.version
            ),
            evidence: evidence(&Evidence {
                version: &in_use.version,
                published: published.to_string(),
                now: cx.now.to_string(),
                age_hours: age,
                hours,
            }),
            severity: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::test_support::{
        Expect, NOW, check, evaluate, evaluate_with, facts_with, params_with, release, release_mut,
        risk, unknown_facts,
    };

    fn published(at: &str) -> crate::model::facts::PackageFacts {
        facts_with(
            "npm",
            "1.1.0",
            vec![
                release("1.0.0", "2025-01-01T00:00:00Z"),
                release("1.1.0", at),
            ],
        )
    }

    #[test]
    fn table() {
        let mut untimed = published("2025-12-31T00:00:00Z");
        release_mut(&mut untimed, "1.1.0").published = None;
        check(
            &TooNew,
            vec![
                (
                    "months old",
                    published("2025-06-01T00:00:00Z"),
                    Expect::Clear,
                ),
                (
                    "exactly 72 hours",
                    published("2025-12-29T00:00:00Z"),
                    Expect::Clear,
                ),
                (
                    "71 hours",
                    published("2025-12-29T01:00:00Z"),
                    Expect::Risk("1.1.0 was published 71 hours ago, within the 72-hour cooldown"),
                ),
                (
                    "an hour ago",
                    published("2025-12-31T23:00:00Z"),
                    Expect::Risk("published 1 hours ago"),
                ),
                (
                    "in the future",
                    published("2026-01-02T00:00:00Z"),
                    Expect::Risk("published 0 hours ago"),
                ),
                (
                    "no publish time",
                    untimed,
                    Expect::Unknown("releases", "no publish time for 1.1.0"),
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
    fn evidence_and_parameter() {
        let facts = published("2025-12-30T00:00:00Z");
        let (_, evidence, _) = risk(evaluate(&TooNew, &facts));
        assert_eq!(evidence["age_hours"], 48);
        assert_eq!(evidence["hours"], 72);
        assert_eq!(evidence["now"], NOW.to_string());
        let short = params_with(&TooNew, "hours", 24);
        assert_eq!(evaluate_with(&TooNew, &facts, None, &short), Outcome::Clear);
    }
}

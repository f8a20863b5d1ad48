//! `yanked`: the version in use is yanked (crates.io, PyPI), or every version of the package
//! is. Its authors withdrew it, often for a security or correctness problem; a lockfile can
//! keep pinning it long after. npm has no yank (an unpublished npm version disappears, and the
//! signals then report the releases as unknown: "not among the releases the registry lists").

use serde::Serialize;

use super::support::{History, evidence, one_line};
use super::{Context, NoParams, Outcome, Rule};
use crate::model::facts::Fact;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Yanked;

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// Whether it is yanked.
    pub(crate) yanked: bool,
    /// Why, when the registry says.
    pub(crate) yank_reason: Option<&'a str>,
    /// Whether every version of the package is yanked.
    pub(crate) all_yanked: bool,
    /// The newest version after it that is not yanked, when there is one.
    pub(crate) latest_not_yanked: Option<&'a str>,
}

impl Rule for Yanked {
    const ID: &'static str = "yanked";
    type Params = NoParams;

    fn judge(&self, cx: &Context<'_>, _params: &NoParams) -> Outcome {
        let history = match History::of(cx.facts) {
            Ok(history) => history,
            Err(outcome) => return outcome,
        };
        let in_use = history.in_use();
        let all_yanked = matches!(&cx.facts.status, Fact::Known(status) if status.all_yanked);
        if !in_use.yanked && !all_yanked {
            return Outcome::Clear;
        }
        let mut message = if in_use.yanked {
            format!("{} is yanked", in_use.version)
        } else {
            format!(
                "{} belongs to a package whose every version is yanked",
                in_use.version
            )
        };
        if let Some(reason) = in_use
            .yank_reason
            .as_deref()
            .filter(|r| !r.trim().is_empty())
        {
            message.push_str(&format!(": {}", one_line(reason)));
        }
        let newer_unyanked = history
            .releases
            .iter()
            .enumerate()
            .filter(|(index, release)| history.is_before(history.index, *index) && !release.yanked)
            .map(|(_, release)| release.version.as_str())
            .next_back();
        Outcome::Risk {
            message,
            evidence: evidence(&Evidence {
                version: &in_use.version,
                yanked: in_use.yanked,
                yank_reason: in_use.yank_reason.as_deref(),
                all_yanked,
                latest_not_yanked: newer_unyanked,
            }),
            severity: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facts::Status;
    use crate::signals::test_support::{
        Expect, check, evaluate, facts, facts_with, release, release_mut, risk, unknown_facts,
    };

    #[test]
    fn table() {
        let mut yanked = facts();
        release_mut(&mut yanked, "1.1.0").yanked = true;
        let mut with_reason = yanked.clone();
        release_mut(&mut with_reason, "1.1.0").yank_reason =
            Some("security:\nCVE-2025-0001".into());
        let mut earlier_yanked = facts();
        release_mut(&mut earlier_yanked, "1.0.0").yanked = true;
        let mut all = facts();
        all.status = Fact::Known(Status {
            all_yanked: true,
            ..Status::default()
        });
        check(
            &Yanked,
            vec![
                ("not yanked", facts(), Expect::Clear),
                ("an earlier version yanked", earlier_yanked, Expect::Clear),
                ("yanked", yanked, Expect::Risk("1.1.0 is yanked")),
                (
                    "yanked with a reason",
                    with_reason,
                    Expect::Risk("1.1.0 is yanked: security: CVE-2025-0001"),
                ),
                ("all yanked", all, Expect::Risk("every version is yanked")),
                (
                    "not listed",
                    facts_with(
                        "npm",
                        "2.0.0",
                        vec![release("1.0.0", "2025-01-01T00:00:00Z")],
                    ),
                    Expect::Unknown("releases", "unpublished or removed"),
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
    fn evidence_points_to_a_newer_release() {
        let mut facts = facts_with(
            "cargo",
            "1.0.0",
            vec![
                release("1.0.0", "2025-01-01T00:00:00Z"),
                release("1.0.1", "2025-02-01T00:00:00Z"),
                release("1.0.2", "2025-03-01T00:00:00Z"),
            ],
        );
        release_mut(&mut facts, "1.0.0").yanked = true;
        release_mut(&mut facts, "1.0.2").yanked = true;
        let (_, evidence, _) = risk(evaluate(&Yanked, &facts));
        assert_eq!(evidence["latest_not_yanked"], "1.0.1");
    }
}

//! `publisher-identity-changed`: the version in use was built from another source repository
//! or by another workflow than the earlier release it is compared with. The ultralytics
//! compromise published through a workflow the attacker had subverted; a release suddenly
//! built from a fork, a new repository or a different workflow file is how a hijacked
//! publishing pipeline shows.
//!
//! Where a release was built ([`Source`]): the verified build identity (repository id,
//! repository, workflow), else the registry-asserted trusted publisher (crates.io: repository
//! only), else the trusted publisher the registry advertises (`Provenance::TrustedPublishing`
//! with a repository). The version in use is compared with its nearest predecessor that has
//! one ([`History::predecessors`]: lower versions on its release line published before it, in
//! the ecosystem's version order; a backport is compared with its own line, whose workflow may
//! differ from the main line's). Repositories compare by numeric id when both are known (a rename is not a change; the
//! `repo-moved` signal reports renames), else by normalized URL; workflows compare by file
//! name (`.github/workflows/release.yml` and `release.yml` are the same).
//!
//! Age: a change of repository weighs fully at any age (the code in use did not come from
//! where its predecessor's came from, and age does not change that); a change of workflow
//! within the same repository is judged by the publish time of the version in use
//! ([`AgeWindows`]): full while younger than `fresh-days`, one step lower until
//! `expire-days`, clear beyond (workflows are renamed and split routinely, and a subverted one
//! shows within weeks). Unknown when a workflow change's publish time is unknown.
//!
//! Clear when the version in use has no provenance (`provenance-dropped` judges that) or
//! provenance that does not verify (`provenance-invalid`), and when no earlier release says
//! where it was built.

use serde::Serialize;

use super::support::{
    AgeEvidence, AgeParams, AgeWindows, History, ProvenanceState, evidence, provenance_of,
    repository_key, rule_severity, severity_field, unknown,
};
use super::{Context, Outcome, Rule};
use crate::model::facts::Unknown;
use crate::model::facts::{Fact, Provenance, Release};
use crate::model::verification::ProvenanceCheck;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PublisherIdentityChanged;

impl Rule for PublisherIdentityChanged {
    const ID: &'static str = "publisher-identity-changed";
    type Params = AgeParams;

    fn judge(&self, cx: &Context<'_>, params: &AgeParams) -> Outcome {
        let windows = AgeWindows::of(params);
        let history = match History::of(cx.facts) {
            Ok(history) => history,
            Err(outcome) => return outcome,
        };
        let in_use = history.in_use();
        let current = match Source::of(in_use) {
            Some(source) => source,
            None => {
                return match provenance_of(in_use) {
                    ProvenanceState::Absent | ProvenanceState::Present("invalid") => Outcome::Clear,
                    ProvenanceState::Unknown(reason) => unknown("provenance", reason),
                    ProvenanceState::Present(_) => match &in_use.verification {
                        Some(verification) => match &verification.provenance {
                            ProvenanceCheck::Unknown { reason } => unknown(
                                "provenance",
                                reason.map_detail(|reason| {
                                    format!(
                                        "the provenance of {} could not be verified: {reason}",
                                        in_use.version
                                    )
                                }),
                            ),
                            _ => Outcome::Clear,
                        },
                        None => unknown(
                            "provenance",
                            Unknown::not_recorded(format!(
                                "the provenance of {} was not verified and does not name a repository",
                                in_use.version
                            )),
                        ),
                    },
                };
            }
        };
        if let Some(outcome) = outside_the_ledger(cx, in_use, &current) {
            return outcome;
        }
        let predecessors = history.in_use_predecessors();
        let earlier = &predecessors.releases;
        let Some((baseline, before)) = earlier
            .iter()
            .find_map(|release| Source::of(release).map(|source| (*release, source)))
        else {
            // An earlier release with provenance that says nothing about where it was built
            // (attestations not verified) leaves the comparison open.
            let unverified = earlier.iter().find(|release| {
                let state = provenance_of(release);
                matches!(state, ProvenanceState::Present(kind) if kind != "invalid")
            });
            return match unverified {
                Some(release) => unknown(
                    "provenance",
                    Unknown::not_recorded(format!(
                        "the latest earlier release with provenance, {}, was not verified and names no repository",
                        release.version
                    )),
                ),
                None => match earlier
                    .iter()
                    .find_map(|release| match provenance_of(release) {
                        ProvenanceState::Unknown(reason) => {
                            Some((release.version.as_str(), reason))
                        }
                        _ => None,
                    }) {
                    // It may have said where it was built.
                    Some((version, reason)) => unknown(
                        "provenance",
                        reason.map_detail(|reason| {
                            format!("the provenance of the earlier release {version} is unknown: {reason}")
                        }),
                    ),
                    None => Outcome::Clear,
                },
            };
        };
        let mut changes = Vec::new();
        let repository_changed = match (&before.repository_id, &current.repository_id) {
            (Some(a), Some(b)) => a != b,
            _ => matches!((&before.repository, &current.repository), (Some(a), Some(b)) if a != b),
        };
        if repository_changed {
            changes.push(format!(
                "repository {} -> {}",
                before.describe_repository(),
                current.describe_repository()
            ));
        }
        if let (Some(a), Some(b)) = (&before.workflow, &current.workflow)
            && a != b
        {
            changes.push(format!("workflow {a} -> {b}"));
        }
        if changes.is_empty() {
            return Outcome::Clear;
        }
        // Built from another repository: the code in use did not come from where its
        // predecessor's did, however long ago that was; full weight at any age. Built by
        // another workflow of the same repository: workflows are renamed and split routinely,
        // and a subverted one shows within weeks; weighed by the age of the version in use.
        let base = rule_severity(Self::ID);
        let (severity, age) = if repository_changed {
            (base, None)
        } else {
            let age = match windows.age(cx.now, in_use, "the workflow change") {
                Ok(age) => age,
                Err(outcome) => return outcome,
            };
            match age.severity(base) {
                Some(severity) => (severity, Some(age)),
                None => return Outcome::Clear,
            }
        };
        let when = age
            .as_ref()
            .map(|age| {
                format!(
                    " ({} was published {})",
                    in_use.version,
                    age.describe(&windows)
                )
            })
            .unwrap_or_default();
        Outcome::Risk {
            message: format!(
                "{} was built elsewhere than {}: {}{when}",
                in_use.version,
                baseline.version,
                changes.join("; ")
            ),
            evidence: evidence(&Evidence {
                version: &in_use.version,
                built_from: current.evidence(),
                compared_with: ComparedWith {
                    version: &baseline.version,
                    built_from: before.evidence(),
                    order: predecessors.order.describe(),
                },
                age: age.as_ref().map(|age| age.evidence(&windows)),
            }),
            severity: severity_field(Self::ID, severity),
        }
    }
}

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// Where it was built.
    pub(crate) built_from: SourceEvidence<'a>,
    /// The predecessor it is compared with.
    pub(crate) compared_with: ComparedWith<'a>,
    /// The age of the version in use, `null` when the repository changed (full weight at any
    /// age).
    pub(crate) age: Option<AgeEvidence<'a>>,
}

/// The predecessor, in [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ComparedWith<'a> {
    /// Its version: the nearest predecessor with a build source.
    pub(crate) version: &'a str,
    /// Where it was built.
    pub(crate) built_from: SourceEvidence<'a>,
    /// How it was chosen (`version order, same release line`, …).
    pub(crate) order: String,
}

/// The evidence of a finding against the trust ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct LedgerEvidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// Where it was built.
    pub(crate) built_by: SourceEvidence<'a>,
    /// The builders the ledger accepted.
    pub(crate) ledger_builders: Vec<SourceEvidence<'a>>,
}

/// Where a release was built, as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SourceEvidence<'a> {
    /// `verified`, `registry-asserted` or `advertised`.
    pub(crate) basis: &'static str,
    /// The repository (`https://github.com/owner/name`), when named.
    pub(crate) repository: Option<&'a str>,
    /// The host's numeric repository id (verified builds only).
    pub(crate) repository_id: Option<&'a str>,
    /// The workflow file name (`release.yml`), when named.
    pub(crate) workflow: Option<&'a str>,
}

/// The trust ledger's check (see `app::ledger`): when the ledger accepted trusted-publishing
/// builders for this package (the earlier record's releases whose provenance names one) and
/// the version in use was built elsewhere (another repository, or another workflow where both
/// name one), that is a finding whatever its age, until the ledger is updated.
fn outside_the_ledger(cx: &Context<'_>, in_use: &Release, current: &Source) -> Option<Outcome> {
    let previous = cx.previous?;
    if previous.registry != crate::model::facts::LEDGER_SOURCE {
        return None;
    }
    let accepted: Vec<Source> = previous
        .releases
        .known()?
        .iter()
        .filter_map(Source::of)
        .collect();
    let matches = |source: &Source| {
        let same_repository = match (&source.repository, &current.repository) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        let same_workflow = match (&source.workflow, &current.workflow) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        same_repository && same_workflow
    };
    if accepted.is_empty() || accepted.iter().any(matches) {
        return None;
    }
    let describe = |source: &Source| match &source.workflow {
        Some(workflow) => format!("{} {workflow}", source.describe_repository()),
        None => source.describe_repository(),
    };
    Some(Outcome::Risk {
        message: format!(
            "{} was built by {}, not a builder accepted in the trust ledger (deptrust-ledger.toml): {}",
            in_use.version,
            describe(current),
            accepted.iter().map(describe).collect::<Vec<_>>().join(", ")
        ),
        evidence: evidence(&LedgerEvidence {
            version: &in_use.version,
            built_by: current.evidence(),
            ledger_builders: accepted.iter().map(Source::evidence).collect(),
        }),
        severity: None,
    })
}

/// Where a release was built, as far as its provenance says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Source {
    /// `verified`, `registry-asserted` or `advertised`.
    basis: &'static str,
    /// Numeric repository id (verified builds only).
    repository_id: Option<String>,
    /// Repository, as [`repository_key`] writes it.
    repository: Option<String>,
    /// Workflow file name.
    workflow: Option<String>,
}

impl Source {
    /// Where `release` was built, when its provenance names a repository or a workflow.
    fn of(release: &Release) -> Option<Source> {
        let verified =
            release
                .verification
                .as_ref()
                .and_then(|verification| match &verification.provenance {
                    ProvenanceCheck::Verified { identity } => Some(Source {
                        basis: "verified",
                        repository_id: identity.repository_id.clone(),
                        repository: identity
                            .repository
                            .as_deref()
                            .map(|repository| repository_key(None, repository)),
                        workflow: identity.workflow.as_deref().map(workflow_file),
                    }),
                    ProvenanceCheck::RegistryAsserted {
                        provider,
                        repository,
                        ..
                    } => Some(Source {
                        basis: "registry-asserted",
                        repository_id: None,
                        repository: repository
                            .as_deref()
                            .map(|repository| repository_key(Some(provider), repository)),
                        workflow: None,
                    }),
                    _ => None,
                });
        let source = verified.or_else(|| match &release.provenance {
            Fact::Known(Provenance::TrustedPublishing {
                provider,
                repository,
                workflow,
                ..
            }) => Some(Source {
                basis: "advertised",
                repository_id: None,
                repository: repository
                    .as_deref()
                    .map(|repository| repository_key(Some(provider), repository)),
                workflow: workflow.as_deref().map(workflow_file),
            }),
            _ => None,
        })?;
        (source.repository.is_some() || source.workflow.is_some()).then_some(source)
    }

    fn describe_repository(&self) -> String {
        let repository = self.repository.as_deref().unwrap_or("(unnamed)");
        match &self.repository_id {
            Some(id) => format!("{repository} (id {id})"),
            None => repository.to_string(),
        }
    }

    fn evidence(&self) -> SourceEvidence<'_> {
        SourceEvidence {
            basis: self.basis,
            repository: self.repository.as_deref(),
            repository_id: self.repository_id.as_deref(),
            workflow: self.workflow.as_deref(),
        }
    }
}

/// The file name of a workflow path or reference (`.github/workflows/release.yml@refs/…`).
fn workflow_file(workflow: &str) -> String {
    let path = workflow.split('@').next().unwrap_or(workflow);
    path.rsplit('/').next().unwrap_or(path).to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::model::facts::PackageFacts;
    use crate::rules::Severity;
    use crate::signals::test_support::{
        Expect, at, attested, build, check, evaluate, facts, facts_with, release, release_mut,
        risk, unknown_facts, verification,
    };
    use crate::verify::BuildIdentity;

    /// 1.0.0 and 1.1.0 (in use, published a month before the tests' clock) built as these.
    fn built(earlier: BuildIdentity, now: BuildIdentity) -> PackageFacts {
        built_at(earlier, now, Some("2025-12-01T00:00:00Z"))
    }

    /// The same, with 1.1.0 published at `published`.
    fn built_at(
        earlier: BuildIdentity,
        now: BuildIdentity,
        published: Option<&str>,
    ) -> PackageFacts {
        let mut facts = facts();
        let release = release_mut(&mut facts, "1.0.0");
        *release = attested(release.clone(), earlier);
        release.published = Some(at("2023-01-01T00:00:00Z"));
        let release = release_mut(&mut facts, "1.1.0");
        *release = attested(release.clone(), now);
        release.published = published.map(at);
        facts
    }

    fn crates(earlier: &str, now: &str) -> PackageFacts {
        let mut facts = facts_with(
            "cargo",
            "1.1.0",
            vec![
                release("1.0.0", "2025-01-01T00:00:00Z"),
                release("1.1.0", "2025-06-01T00:00:00Z"),
            ],
        );
        release_mut(&mut facts, "1.0.0").provenance = Fact::Known(Provenance::TrustedPublishing {
            provider: "github".into(),
            repository: Some(earlier.into()),
            workflow: None,
            run: None,
            commit: None,
        });
        release_mut(&mut facts, "1.1.0").verification =
            Some(verification(ProvenanceCheck::RegistryAsserted {
                provider: "github".into(),
                repository: Some(now.into()),
                run: None,
                commit: None,
                trusted_publishing_only: Some(true),
            }));
        facts
    }

    #[test]
    fn a_builder_outside_the_trust_ledger_is_a_finding_until_accepted() {
        let ledger = crate::app::ledger::Ledger::parse(
            "version = 1\n[packages.\"cargo:pkg\"]\ntrusted-publishing = [\"github o/good\"]\n",
            std::path::Path::new("deptrust-ledger.toml"),
        )
        .expect("ledger");
        let previous = ledger.as_previous();
        let previous = previous.get("cargo:pkg").expect("entry");
        let params = crate::signals::Params::defaults("publisher-identity-changed");
        // Built from the repository the ledger accepted, as before: clear.
        let same = crates("o/good", "o/good");
        assert_eq!(
            crate::signals::test_support::evaluate_with(
                &PublisherIdentityChanged,
                &same,
                Some(previous),
                &params
            ),
            Outcome::Clear
        );
        // Built elsewhere: a finding naming the ledger, whatever the history says.
        let moved = crates("o/evil", "o/evil");
        match crate::signals::test_support::evaluate_with(
            &PublisherIdentityChanged,
            &moved,
            Some(previous),
            &params,
        ) {
            Outcome::Risk { message, .. } => assert!(
                message.contains("not a builder accepted in the trust ledger"),
                "{message}"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn table() {
        let same = || build("ultralytics/ultralytics", "100", "publish.yml");
        let mut no_provenance_now = built(same(), same());
        release_mut(&mut no_provenance_now, "1.1.0").verification = None;
        release_mut(&mut no_provenance_now, "1.1.0").provenance = Fact::Known(Provenance::None);
        let mut invalid_now = built(same(), same());
        release_mut(&mut invalid_now, "1.1.0").verification =
            Some(verification(ProvenanceCheck::Invalid {
                reason: "bad".into(),
            }));
        let mut unverified_now = built(same(), same());
        release_mut(&mut unverified_now, "1.1.0").verification = None;
        let mut verification_failed = built(same(), same());
        release_mut(&mut verification_failed, "1.1.0").verification =
            Some(verification(ProvenanceCheck::Unknown {
                reason: "Rekor did not answer".into(),
            }));
        let mut nothing_earlier = built(same(), same());
        release_mut(&mut nothing_earlier, "1.0.0").verification = None;
        let mut first_attested = built(same(), same());
        let earlier = release_mut(&mut first_attested, "1.0.0");
        earlier.verification = None;
        earlier.provenance = Fact::Known(Provenance::None);
        check(
            &PublisherIdentityChanged,
            vec![
                ("same build", built(same(), same()), Expect::Clear),
                (
                    "renamed repository, same id",
                    built(same(), build("ultralytics/yolo", "100", "publish.yml")),
                    Expect::Clear,
                ),
                (
                    "another repository",
                    built(same(), build("attacker/ultralytics", "666", "publish.yml")),
                    Expect::Risk(
                        "1.1.0 was built elsewhere than 1.0.0: repository https://github.com/ultralytics/ultralytics (id 100) -> https://github.com/attacker/ultralytics (id 666)",
                    ),
                ),
                (
                    "another workflow",
                    built(
                        same(),
                        build("ultralytics/ultralytics", "100", "format.yml"),
                    ),
                    Expect::Risk("workflow publish.yml -> format.yml"),
                ),
                ("no provenance now", no_provenance_now, Expect::Clear),
                ("invalid now", invalid_now, Expect::Clear),
                (
                    "attested, not verified",
                    unverified_now,
                    Expect::Unknown("provenance", "was not verified"),
                ),
                (
                    "verification failed",
                    verification_failed,
                    Expect::Unknown("provenance", "Rekor did not answer"),
                ),
                (
                    "earlier provenance not verified",
                    nothing_earlier,
                    Expect::Unknown(
                        "provenance",
                        "release with provenance, 1.0.0, was not verified",
                    ),
                ),
                (
                    "first release with provenance",
                    first_attested,
                    Expect::Clear,
                ),
                (
                    "crates.io same",
                    crates("owner/repo", "Owner/Repo"),
                    Expect::Clear,
                ),
                (
                    "crates.io other repository",
                    crates("owner/repo", "fork/repo"),
                    Expect::Risk(
                        "repository https://github.com/owner/repo -> https://github.com/fork/repo",
                    ),
                ),
                ("never any provenance", facts(), Expect::Clear),
                (
                    "releases unknown",
                    unknown_facts(),
                    Expect::Unknown("releases", "offline"),
                ),
            ],
        );
    }

    #[test]
    fn workflow_names_compare_by_file() {
        assert_eq!(
            workflow_file(".github/workflows/release.yml"),
            "release.yml"
        );
        assert_eq!(
            workflow_file("o/r/.github/workflows/release.yml@refs/tags/v1"),
            "release.yml"
        );
        assert_eq!(workflow_file("release.yml"), "release.yml");

        // PyPI: the earlier release's advertised trusted publisher names `release.yml`.
        let mut facts = built(
            build("pypa/sample", "5", "release.yml"),
            build("pypa/sample", "5", "release.yml"),
        );
        let earlier = release_mut(&mut facts, "1.0.0");
        earlier.verification = None;
        earlier.provenance = Fact::Known(Provenance::TrustedPublishing {
            provider: "github".into(),
            repository: Some("pypa/sample".into()),
            workflow: Some("release.yml".into()),
            run: None,
            commit: None,
        });
        assert_eq!(evaluate(&PublisherIdentityChanged, &facts), Outcome::Clear);
    }

    #[test]
    fn evidence() {
        let (_, evidence, severity) = risk(evaluate(
            &PublisherIdentityChanged,
            &built(
                build("o/r", "1", "publish.yml"),
                build("o/r", "1", "other.yml"),
            ),
        ));
        assert_eq!(severity, None);
        assert_eq!(evidence["built_from"]["workflow"], "other.yml");
        assert_eq!(evidence["built_from"]["basis"], "verified");
        assert_eq!(evidence["compared_with"]["version"], "1.0.0");
        assert_eq!(
            evidence["compared_with"]["built_from"]["repository_id"],
            "1"
        );
    }

    /// Another repository: full weight at any age. Another workflow of the same repository:
    /// judged by the age of the version in use.
    #[test]
    fn age() {
        let signal = &PublisherIdentityChanged;
        let same = || build("o/r", "1", "publish.yml");
        let other_workflow = || build("o/r", "1", "other.yml");
        let other_repository = || build("fork/r", "2", "publish.yml");

        let (message, evidence, severity) =
            risk(evaluate(signal, &built(same(), other_workflow())));
        assert_eq!(severity, None);
        assert!(
            message.ends_with("(1.1.0 was published 31 days ago)"),
            "{message}"
        );
        assert_eq!(evidence["age"]["weight"], "full");
        let decayed = built_at(same(), other_workflow(), Some("2025-06-01T00:00:00Z"));
        let (_, _, severity) = risk(evaluate(signal, &decayed));
        assert_eq!(severity, Some(Severity::Medium));
        check(
            signal,
            vec![
                (
                    "workflow changed more than a year ago",
                    built_at(same(), other_workflow(), Some("2024-06-01T00:00:00Z")),
                    Expect::Clear,
                ),
                (
                    "workflow changed, no publish time",
                    built_at(same(), other_workflow(), None),
                    Expect::Unknown("releases", "no publish time for 1.1.0"),
                ),
                (
                    "repository changed long ago",
                    built_at(same(), other_repository(), Some("2024-12-01T00:00:00Z")),
                    Expect::Risk(
                        "repository https://github.com/o/r (id 1) -> https://github.com/fork/r (id 2)",
                    ),
                ),
                (
                    "repository changed, no publish time",
                    built_at(same(), other_repository(), None),
                    Expect::Risk(
                        "repository https://github.com/o/r (id 1) -> https://github.com/fork/r (id 2)",
                    ),
                ),
            ],
        );
        let (_, evidence, severity) = risk(evaluate(
            signal,
            &built_at(same(), other_repository(), Some("2024-12-01T00:00:00Z")),
        ));
        assert_eq!(severity, None);
        assert_eq!(evidence["age"], Value::Null);
    }

    /// A backport is compared with its release line.
    #[test]
    fn a_backport_is_compared_with_its_line() {
        let signal = &PublisherIdentityChanged;
        let mut facts = facts_with(
            "npm",
            "1.2.9",
            vec![
                release("1.2.8", "2025-10-01T00:00:00Z"),
                release("2.0.0", "2025-11-01T00:00:00Z"),
                release("1.2.9", "2025-12-01T00:00:00Z"),
            ],
        );
        for (version, workflow) in [
            ("1.2.8", "release-1.x.yml"),
            ("2.0.0", "release.yml"),
            ("1.2.9", "release-1.x.yml"),
        ] {
            let release = release_mut(&mut facts, version);
            *release = attested(release.clone(), build("o/r", "1", workflow));
        }
        assert_eq!(evaluate(signal, &facts), Outcome::Clear);
        let release = release_mut(&mut facts, "1.2.9");
        *release = attested(release.clone(), build("o/r", "1", "release.yml"));
        let (message, evidence, _) = risk(evaluate(signal, &facts));
        assert!(
            message.contains(
                "1.2.9 was built elsewhere than 1.2.8: workflow release-1.x.yml -> release.yml"
            ),
            "{message}"
        );
        assert_eq!(
            evidence["compared_with"]["order"],
            "version order, same release line"
        );
    }

    /// No earlier release says where it was built, and one's provenance is unknown: unknown.
    #[test]
    fn earlier_provenance_unknown() {
        let mut facts = built(
            build("o/r", "1", "publish.yml"),
            build("o/r", "1", "publish.yml"),
        );
        let earlier = release_mut(&mut facts, "1.0.0");
        earlier.verification = None;
        earlier.provenance = Fact::unknown("document unreadable");
        check(
            &PublisherIdentityChanged,
            vec![(
                "earlier unknown",
                facts,
                Expect::Unknown(
                    "provenance",
                    "the provenance of the earlier release 1.0.0 is unknown: document unreadable",
                ),
            )],
        );
    }

    /// The typed evidence serializes to exactly the JSON the `json!` literals it replaced gave
    /// (sources with and without names, with and without an age, and the ledger finding).
    #[test]
    fn typed_evidence_is_the_json_it_replaced() {
        let old_source = |source: &Source| {
            json!({
                "basis": source.basis,
                "repository": source.repository,
                "repository_id": source.repository_id,
                "workflow": source.workflow,
            })
        };
        let current = Source {
            basis: "verified",
            repository_id: Some("123".into()),
            repository: Some("https://github.com/other/repo".into()),
            workflow: Some("release.yml".into()),
        };
        let before = Source {
            basis: "advertised",
            repository_id: None,
            repository: None,
            workflow: Some("publish.yml".into()),
        };
        let windows = AgeWindows::new(90, 365);
        let in_use = release("1.1.0", "2025-12-01T00:00:00Z");
        let age = windows
            .age(crate::signals::test_support::NOW, &in_use, "it")
            .unwrap();
        for age in [Some(&age), None] {
            let old = json!({
                "version": in_use.version,
                "built_from": old_source(&current),
                "compared_with": {
                    "version": "1.0.0",
                    "built_from": old_source(&before),
                    "order": "version order, same release line",
                },
                "age": age.map(|age| age.evidence(&windows)),
            });
            let typed = super::evidence(&Evidence {
                version: &in_use.version,
                built_from: current.evidence(),
                compared_with: ComparedWith {
                    version: "1.0.0",
                    built_from: before.evidence(),
                    order: "version order, same release line".to_string(),
                },
                age: age.map(|age| age.evidence(&windows)),
            });
            assert_eq!(
                serde_json::to_string(&typed).unwrap(),
                serde_json::to_string(&old).unwrap()
            );
        }
        let accepted = [before.clone(), current.clone()];
        let old = json!({
            "version": in_use.version,
            "built_by": old_source(&current),
            "ledger_builders": accepted.iter().map(old_source).collect::<Vec<_>>(),
        });
        let typed = super::evidence(&LedgerEvidence {
            version: &in_use.version,
            built_by: current.evidence(),
            ledger_builders: accepted.iter().map(Source::evidence).collect(),
        });
        assert_eq!(
            serde_json::to_string(&typed).unwrap(),
            serde_json::to_string(&old).unwrap()
        );
    }
}

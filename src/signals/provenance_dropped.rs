//! `provenance-dropped`: the release the version in use follows had build provenance
//! (verified attestations, registry-asserted or advertised trusted publishing, advertised
//! attestations) and the version in use has none. Stolen publish tokens do this: the nx and
//! shai-hulud versions were published from an attacker's machine with a token, without the
//! provenance that the project's CI had attached to every earlier release.
//!
//! Earlier releases are the predecessors of the version in use ([`History::predecessors`]):
//! lower versions on its release line published before it (every lower version when its line
//! has none), nearest first; publish-time order when its version does not parse. An earlier
//! release whose provenance does not verify does not count as having had provenance. A PyPI
//! release some of whose files carry provenance (verified, or advertised by the index) shows
//! that the project publishes with provenance, even when another file of it has none. When the
//! provenance of every earlier release is unknown, so is the answer.
//!
//! A PyPI version in use must have provenance for every installable file: a file without any
//! beside attested ones (PyPI lets files be added to a release later, and the installer may
//! pick that one) is a finding that names the file, whatever the earlier releases had.
//!
//! Age:
//! - The version in use is itself the release without provenance, its predecessor (the
//!   nearest with known provenance) had some, or some of its own files have some: full weight
//!   at any age. The artifact in use was published outside the pipeline its predecessor went
//!   through, and age does not change that; the remedy (pin the predecessor, or confirm with
//!   the maintainers and record an exception) stays the same.
//! - The version in use follows releases that already had none: the event is the first
//!   release without provenance (the drop), weighed by its age with `fresh-days` and
//!   `expire-days` (full, then one step lower, then clear). A drop older than `expire-days`
//!   followed by releases without provenance is how the project publishes now, not an event;
//!   unknown when the drop's publish time is unknown.

use jiff::Timestamp;
use serde::Serialize;

use super::support::{
    AgeEvidence, AgeParams, AgeWindows, History, ProvenanceState, evidence, plural, provenance_of,
    rule_severity, severity_field, unknown,
};
use super::{Context, Outcome, Rule};
use crate::model::Ecosystem;
use crate::model::facts::Unknown;
use crate::model::facts::{Fact, Release};

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProvenanceDropped;

/// What the PyPI verification records for a file without provenance
/// (`crate::verify::pypi::combine`).
const NO_FILE_PROVENANCE: &str = "no provenance for this file";

impl Rule for ProvenanceDropped {
    const ID: &'static str = "provenance-dropped";
    type Params = AgeParams;

    fn judge(&self, cx: &Context<'_>, params: &AgeParams) -> Outcome {
        let windows = AgeWindows::of(params);
        let history = match History::of(cx.facts) {
            Ok(history) => history,
            Err(outcome) => return outcome,
        };
        let pypi = cx.facts.ecosystem == Ecosystem::Pypi;
        let in_use = history.in_use();
        match provenance_of(in_use) {
            ProvenanceState::Present(_) => return Outcome::Clear,
            ProvenanceState::Unknown(reason) => return unknown("provenance", reason),
            ProvenanceState::Absent => {}
        }
        if pypi {
            let files = Files::of(in_use);
            if !files.attested.is_empty() && !files.without.is_empty() {
                return Outcome::Risk {
                    message: format!(
                        "{}: {} {} no provenance while {} of the same release {} ({})",
                        in_use.version,
                        quoted(&files.without),
                        if files.without.len() == 1 {
                            "has"
                        } else {
                            "have"
                        },
                        quoted(&files.attested),
                        if files.attested.len() == 1 {
                            "is attested"
                        } else {
                            "are attested"
                        },
                        files.basis
                    ),
                    evidence: evidence(&FilesEvidence {
                        version: &in_use.version,
                        provenance: "absent",
                        files_without_provenance: &files.without,
                        files_with_provenance: &files.attested,
                        files_basis: files.basis,
                    }),
                    severity: None,
                };
            }
        }

        let predecessors = history.in_use_predecessors();
        let mut unknown_count = 0;
        let mut last_with = None;
        let mut with_count = 0;
        // Releases without provenance between the latest with and the version in use, nearest
        // first.
        let mut without_since: Vec<&Release> = Vec::new();
        for release in &predecessors.releases {
            match had_provenance(release, pypi) {
                Had::Some(kind) => {
                    with_count += 1;
                    last_with.get_or_insert((*release, kind));
                }
                Had::Unknown => unknown_count += 1,
                Had::None if last_with.is_none() => without_since.push(release),
                Had::None => {}
            }
        }
        let Some((last, kind)) = last_with else {
            // None is known to have had provenance; one whose provenance is unknown may have.
            if unknown_count == predecessors.releases.len() && unknown_count > 0 {
                return unknown(
                    "provenance",
                    Unknown::other(format!(
                        "the provenance of the {} before {} is unknown",
                        plural(predecessors.releases.len(), "release"),
                        in_use.version
                    )),
                );
            }
            if unknown_count > 0 {
                return unknown(
                    "provenance",
                    Unknown::other(format!(
                        "none of the {} before {} is known to have had provenance, and the provenance of {unknown_count} of them is unknown",
                        plural(predecessors.releases.len(), "release"),
                        in_use.version
                    )),
                );
            }
            return Outcome::Clear;
        };
        let base = rule_severity(Self::ID);
        // The drop: the first release without provenance after the latest with.
        let (severity, age) = match without_since.last() {
            None => (base, None),
            Some(drop) => {
                let age = match windows.age(cx.now, drop, "the drop") {
                    Ok(age) => age,
                    Err(outcome) => return outcome,
                };
                match age.severity(base) {
                    Some(severity) => (severity, Some(age)),
                    None => return Outcome::Clear,
                }
            }
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
        if let Some(age) = &age {
            message.push_str(&format!(
                "; {} since had none either, from {} (published {})",
                plural(without_since.len(), "release"),
                age.version,
                age.describe(&windows)
            ));
        }
        Outcome::Risk {
            message,
            evidence: evidence(&Evidence {
                version: &in_use.version,
                provenance: "absent",
                last_with_provenance: LastWithProvenance {
                    version: &last.version,
                    published: last.published.map(|time| time.to_string()),
                    kind,
                },
                earlier_with_provenance: with_count,
                releases_without_since: without_since.len(),
                earlier_provenance_unknown: unknown_count,
                order: predecessors.order.describe(),
                drop: age.as_ref().map(|age| age.evidence(&windows)),
            }),
            severity: severity_field(Self::ID, severity),
        }
    }
}

/// The evidence of a finding about files of the version in use (PyPI): some are attested,
/// some are not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FilesEvidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// Always `absent`: the release as a whole has no provenance.
    pub(crate) provenance: &'static str,
    /// Its files without provenance.
    pub(crate) files_without_provenance: &'a [String],
    /// Its files with provenance.
    pub(crate) files_with_provenance: &'a [String],
    /// `verified` (what verifying each file found) or `advertised` (what the index says).
    pub(crate) files_basis: &'static str,
}

/// The evidence of a finding about earlier releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// Always `absent`: the version in use has no provenance.
    pub(crate) provenance: &'static str,
    /// The latest earlier release that had provenance.
    pub(crate) last_with_provenance: LastWithProvenance<'a>,
    /// How many earlier releases had provenance.
    pub(crate) earlier_with_provenance: usize,
    /// How many releases between that one and the version in use had none.
    pub(crate) releases_without_since: usize,
    /// How many earlier releases' provenance is unknown.
    pub(crate) earlier_provenance_unknown: usize,
    /// How the earlier releases were ordered (`version order, same release line`, …).
    pub(crate) order: String,
    /// The age of the drop (the first release without provenance since), `null` when the
    /// version in use is itself the drop (full weight at any age).
    pub(crate) drop: Option<AgeEvidence<'a>>,
}

/// The latest earlier release with provenance, in [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct LastWithProvenance<'a> {
    /// Its version.
    pub(crate) version: &'a str,
    /// Its publish time (RFC 3339), when the registry gives it.
    pub(crate) published: Option<String>,
    /// The kind of provenance it had.
    pub(crate) kind: &'static str,
}

/// Whether an earlier release had provenance.
enum Had {
    /// It had, of this kind.
    Some(&'static str),
    /// It had none.
    None,
    /// Unknown.
    Unknown,
}

/// Whether `release` had provenance: its own (valid) provenance, or, on PyPI, some files with
/// provenance even where another file has none.
fn had_provenance(release: &Release, pypi: bool) -> Had {
    let state = provenance_of(release);
    if let ProvenanceState::Present(kind) = state
        && kind != "invalid"
    {
        return Had::Some(kind);
    }
    if pypi {
        let files = Files::of(release);
        if !files.attested.is_empty() {
            return Had::Some(if files.basis == "verified" {
                "verified, some files"
            } else {
                "advertised, some files"
            });
        }
    }
    match state {
        ProvenanceState::Unknown(_) => Had::Unknown,
        _ => Had::None,
    }
}

/// The files of a PyPI release with and without provenance, as far as recorded.
#[derive(Debug, Default)]
struct Files {
    /// With provenance.
    attested: Vec<String>,
    /// Without any.
    without: Vec<String>,
    /// `verified` (what verifying each file found) or `advertised` (what the index says).
    basis: &'static str,
}

impl Files {
    /// From the verification of each file when the release was verified, else from the
    /// provenance addresses the index advertises (only when the index said which files have
    /// one: otherwise the addresses are where it was asked, not what it advertised).
    fn of(release: &Release) -> Files {
        if let Some(verification) = &release.verification
            && !verification.attestations.is_empty()
        {
            let mut files = Files {
                basis: "verified",
                ..Files::default()
            };
            for check in &verification.attestations {
                match check.failure.as_deref() {
                    None => files.attested.push(check.subject.clone()),
                    Some(NO_FILE_PROVENANCE) => files.without.push(check.subject.clone()),
                    Some(_) => {}
                }
            }
            return files;
        }
        let mut files = Files {
            basis: "advertised",
            ..Files::default()
        };
        if matches!(release.provenance, Fact::Known(_)) {
            for file in &release.files {
                match file.provenance {
                    Some(_) => files.attested.push(file.filename.clone()),
                    None => files.without.push(file.filename.clone()),
                }
            }
        }
        files
    }
}

/// `"a.whl"` or `"a.whl", "b.tar.gz"`.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("{name:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::model::facts::{PackageFacts, Provenance, ReleaseFile};
    use crate::model::verification::{AttestationCheck, ProvenanceCheck};
    use crate::rules::Severity;
    use crate::signals::test_support::{
        Expect, NOW, at, attested, build, check, evaluate, facts, facts_with, release, release_mut,
        risk, unknown_facts, verification,
    };

    /// The malicious 21.5.0 (August 2025 in reality; here five weeks before the tests' clock).
    const DROP: (&str, &str) = ("21.5.0", "2025-11-26T00:00:00Z");

    /// nx: 21.4.x built with provenance by CI, the malicious 21.5.0 without.
    fn nx(in_use: &str) -> PackageFacts {
        let mut facts = facts_with(
            "npm",
            in_use,
            vec![
                release("21.3.0", "2025-10-01T00:00:00Z"),
                release("21.4.0", "2025-11-01T00:00:00Z"),
                release("21.4.1", "2025-11-20T00:00:00Z"),
                release(DROP.0, DROP.1),
                release("21.6.0", "2025-11-26T02:00:00Z"),
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
                        "21.5.0 has no provenance, while 2 releases before it had: the latest, 21.4.1 (verified, 2025-11-20)",
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

    /// The version in use is itself the drop: full weight at any age. It follows an earlier
    /// drop: judged by the drop's age.
    #[test]
    fn age() {
        let signal = &ProvenanceDropped;
        let dated = |in_use: &str, drop: &str| {
            let mut facts = nx(in_use);
            release_mut(&mut facts, "21.5.0").published = Some(at(drop));
            facts
        };
        // nx 21.5.0 still in use two years on: still the release without provenance.
        let mut old_nx = nx("21.5.0");
        for (version, time) in [
            ("21.3.0", "2023-10-01T00:00:00Z"),
            ("21.4.0", "2023-11-01T00:00:00Z"),
            ("21.4.1", "2023-11-20T00:00:00Z"),
            ("21.5.0", "2023-11-26T00:00:00Z"),
            ("21.6.0", "2023-11-26T02:00:00Z"),
        ] {
            release_mut(&mut old_nx, version).published = Some(at(time));
        }
        let (_, evidence, severity) = risk(evaluate(signal, &old_nx));
        assert_eq!(severity, None, "the rule's high, however old");
        assert_eq!(evidence["drop"], Value::Null);
        let mut untimed_in_use = nx("21.5.0");
        release_mut(&mut untimed_in_use, "21.5.0").published = None;
        let (_, _, severity) = risk(evaluate(signal, &untimed_in_use));
        assert_eq!(severity, None, "no age needed");

        // 21.6.0 follows the drop 21.5.0.
        let (message, evidence, severity) = risk(evaluate(signal, &nx("21.6.0")));
        assert_eq!(severity, None);
        assert!(
            message.ends_with(
                "; 1 release since had none either, from 21.5.0 (published 36 days ago)"
            ),
            "{message}"
        );
        assert_eq!(evidence["drop"]["version"], "21.5.0");
        let (_, evidence, severity) =
            risk(evaluate(signal, &dated("21.6.0", "2025-09-01T00:00:00Z")));
        assert_eq!(severity, Some(Severity::Medium));
        assert_eq!(evidence["drop"]["weight"], "decayed");
        let mut untimed_drop = nx("21.6.0");
        release_mut(&mut untimed_drop, "21.5.0").published = None;
        check(
            signal,
            vec![
                (
                    "drop more than a year ago",
                    dated("21.6.0", "2024-11-01T00:00:00Z"),
                    Expect::Clear,
                ),
                (
                    "drop without publish time",
                    untimed_drop,
                    Expect::Unknown("releases", "no publish time for 21.5.0"),
                ),
            ],
        );
    }

    /// Earlier releases are the predecessors on the release line.
    #[test]
    fn release_lines() {
        let signal = &ProvenanceDropped;
        let with_provenance = |facts: &mut PackageFacts, version: &str| {
            let release = release_mut(facts, version);
            *release = attested(release.clone(), build("owner/repo", "1", "publish.yml"));
        };
        // 2.x publishes with provenance; the 1.x line never did: a backport 1.2.9 without is
        // clear.
        let mut backport = facts_with(
            "npm",
            "1.2.9",
            vec![
                release("1.2.8", "2025-10-01T00:00:00Z"),
                release("2.0.0", "2025-11-01T00:00:00Z"),
                release("1.2.9", "2025-12-01T00:00:00Z"),
            ],
        );
        with_provenance(&mut backport, "2.0.0");
        assert_eq!(evaluate(signal, &backport), Outcome::Clear);
        // A new major version without provenance after 2.x had it.
        let mut major = backport.clone();
        if let Fact::Known(releases) = &mut major.releases {
            releases.push(release("3.0.0", "2025-12-20T00:00:00Z"));
        }
        major.version = "3.0.0".into();
        let (message, evidence, _) = risk(evaluate(signal, &major));
        assert!(message.contains("the latest, 2.0.0 (verified"), "{message}");
        assert_eq!(
            evidence["order"],
            "version order, no earlier release on its line"
        );
        // 1.2.8 had provenance, the backport has none.
        with_provenance(&mut backport, "1.2.8");
        let (message, _, _) = risk(evaluate(signal, &backport));
        assert!(message.contains("the latest, 1.2.8"), "{message}");
    }

    fn file(name: &str, provenance: bool) -> ReleaseFile {
        ReleaseFile {
            filename: name.to_string(),
            sha256: None,
            provenance: provenance
                .then(|| format!("https://pypi.example/integrity/{name}/provenance")),
        }
    }

    fn checked(name: &str, failure: Option<&str>) -> AttestationCheck {
        AttestationCheck {
            subject: name.to_string(),
            predicate_type: failure
                .is_none()
                .then(|| "https://docs.pypi.org/attestations/publish/v1".to_string()),
            failure: failure.map(str::to_string),
        }
    }

    /// A PyPI release of a file with verified provenance and one without (verification
    /// records the release as without).
    fn mixed(mut release: Release) -> Release {
        release.provenance = Fact::Known(Provenance::None);
        release.files = vec![
            file("pkg-2.0-py3-none-any.whl", true),
            file("pkg-2.0.tar.gz", false),
        ];
        let mut check = verification(ProvenanceCheck::Absent);
        check.attestations = vec![
            checked("pkg-2.0-py3-none-any.whl", None),
            checked("pkg-2.0.tar.gz", Some(NO_FILE_PROVENANCE)),
        ];
        release.verification = Some(check);
        release
    }

    fn pypi() -> PackageFacts {
        facts_with(
            "pypi",
            "2.0",
            vec![
                release("1.0", "2025-10-01T00:00:00Z"),
                release("1.1", "2025-11-01T00:00:00Z"),
                release("2.0", "2025-12-01T00:00:00Z"),
            ],
        )
    }

    #[test]
    fn pypi_files() {
        let signal = &ProvenanceDropped;
        // The version in use: a file without provenance beside an attested one.
        let mut in_use_mixed = pypi();
        let in_use = release_mut(&mut in_use_mixed, "2.0");
        *in_use = mixed(in_use.clone());
        let (message, evidence, severity) = risk(evaluate(signal, &in_use_mixed));
        assert_eq!(
            message,
            "2.0: \"pkg-2.0.tar.gz\" has no provenance while \"pkg-2.0-py3-none-any.whl\" of the same release is attested (verified)"
        );
        assert_eq!(severity, None);
        assert_eq!(
            evidence["files_without_provenance"],
            json!(["pkg-2.0.tar.gz"])
        );
        // The same, known from the index's advertisement only (not verified).
        let mut advertised = in_use_mixed.clone();
        release_mut(&mut advertised, "2.0").verification = None;
        let (message, _, _) = risk(evaluate(signal, &advertised));
        assert!(message.ends_with("is attested (advertised)"), "{message}");
        // Old, still a finding: the file is in the release in use.
        let mut old = in_use_mixed.clone();
        release_mut(&mut old, "2.0").published = Some(at("2020-01-01T00:00:00Z"));
        let (_, _, severity) = risk(evaluate(signal, &old));
        assert_eq!(severity, None);

        // An earlier release some of whose files had verified provenance: the project
        // publishes with provenance; 2.0 with none dropped it.
        let mut earlier_mixed = pypi();
        let earlier = release_mut(&mut earlier_mixed, "1.1");
        *earlier = mixed(earlier.clone());
        let in_use = release_mut(&mut earlier_mixed, "2.0");
        in_use.files = vec![file("pkg-2.0.tar.gz", false)];
        let (message, _, _) = risk(evaluate(signal, &earlier_mixed));
        assert!(
            message.contains("the latest, 1.1 (verified, some files, 2025-11-01)"),
            "{message}"
        );
        // An earlier release the index says has provenance for some files (not verified).
        let mut earlier_advertised = pypi();
        let earlier = release_mut(&mut earlier_advertised, "1.1");
        earlier.provenance = Fact::Known(Provenance::Attested {
            url: None,
            predicate_type: None,
        });
        let (message, _, _) = risk(evaluate(signal, &earlier_advertised));
        assert!(message.contains("the latest, 1.1 (attested"), "{message}");

        // Every file attested: clear; no file attested anywhere: clear.
        let mut all = pypi();
        let in_use = release_mut(&mut all, "2.0");
        *in_use = attested(in_use.clone(), build("owner/repo", "1", "release.yml"));
        in_use.files = vec![
            file("pkg-2.0-py3-none-any.whl", true),
            file("pkg-2.0.tar.gz", true),
        ];
        assert_eq!(evaluate(signal, &all), Outcome::Clear);
        assert_eq!(evaluate(signal, &pypi()), Outcome::Clear);
    }

    /// None known to have had provenance, some unknown: unknown, not clear.
    #[test]
    fn some_earlier_provenance_unknown() {
        let mut facts = facts_with(
            "npm",
            "1.2.0",
            vec![
                release("1.0.0", "2025-01-01T00:00:00Z"),
                release("1.1.0", "2025-06-01T00:00:00Z"),
                release("1.2.0", "2025-12-01T00:00:00Z"),
            ],
        );
        release_mut(&mut facts, "1.0.0").provenance = Fact::unknown("document unreadable");
        check(
            &ProvenanceDropped,
            vec![(
                "one of two unknown",
                facts,
                Expect::Unknown(
                    "provenance",
                    "none of the 2 releases before 1.2.0 is known to have had provenance, and the provenance of 1 of them is unknown",
                ),
            )],
        );
    }

    /// The typed evidence serializes to exactly the JSON the `json!` literals it replaced gave
    /// (files of one release; earlier releases with and without a drop and a publish time).
    #[test]
    fn typed_evidence_is_the_json_it_replaced() {
        let without = vec!["pkg-2.0.tar.gz".to_string()];
        let attested = vec!["pkg-2.0-py3-none-any.whl".to_string()];
        let old = json!({
            "version": "2.0",
            "provenance": "absent",
            "files_without_provenance": without,
            "files_with_provenance": attested,
            "files_basis": "verified",
        });
        let typed = super::evidence(&FilesEvidence {
            version: "2.0",
            provenance: "absent",
            files_without_provenance: &without,
            files_with_provenance: &attested,
            files_basis: "verified",
        });
        assert_eq!(
            serde_json::to_string(&typed).unwrap(),
            serde_json::to_string(&old).unwrap()
        );
        let windows = AgeWindows::new(90, 365);
        let drop_release = release("1.1.0", "2025-11-01T00:00:00Z");
        let age = windows.age(NOW, &drop_release, "the drop").unwrap();
        let mut untimed = release("1.0.0", "2025-01-01T00:00:00Z");
        untimed.published = None;
        let timed = release("1.0.0", "2025-01-01T00:00:00Z");
        for (last, age) in [(&timed, Some(&age)), (&untimed, None)] {
            let old = json!({
                "version": "1.2.0",
                "provenance": "absent",
                "last_with_provenance": {
                    "version": last.version,
                    "published": last.published.map(|time| time.to_string()),
                    "kind": "npm provenance",
                },
                "earlier_with_provenance": 4,
                "releases_without_since": 1,
                "earlier_provenance_unknown": 2,
                "order": "version order, same release line",
                "drop": age.map(|age| age.evidence(&windows)),
            });
            let typed = super::evidence(&Evidence {
                version: "1.2.0",
                provenance: "absent",
                last_with_provenance: LastWithProvenance {
                    version: &last.version,
                    published: last.published.map(|time| time.to_string()),
                    kind: "npm provenance",
                },
                earlier_with_provenance: 4,
                releases_without_since: 1,
                earlier_provenance_unknown: 2,
                order: "version order, same release line".to_string(),
                drop: age.map(|age| age.evidence(&windows)),
            });
            assert_eq!(
                serde_json::to_string(&typed).unwrap(),
                serde_json::to_string(&old).unwrap()
            );
        }
    }
}

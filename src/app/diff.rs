//! `deptrust diff`: what changes in trust between two states of a project's dependencies.
//!
//! Each side is scanned with one call to [`super::scan::run`]; this module compares the two
//! scans ([`compare`], pure, no I/O) and, for a git revision, extracts the side's lockfiles and
//! manifests from git objects without touching the working tree ([`extract_revision`]).
//!
//! Per project (lockfiles matched by their path relative to each side's root): packages added,
//! removed, upgraded, downgraded or changed (several versions), each with its blast radius; for
//! a package whose version changed, the trust delta between its old and new version from the
//! registries' facts (publisher, provenance, trusted-publishing builder, install scripts,
//! per-version maintainers and repository); the findings the head has that the base did not
//! have for that package (by rule); the exposure score before and after. The gate is on the
//! delta: it fails when the change brings a finding at level deny, whatever the standing debt.
//!
//! Two package ids (`deptrust diff npm:axios@1.7.9 npm:axios@1.8.0`, [`run_ids`]) give the
//! same trust delta and new findings for one package before any lockfile changes (its blast
//! radius is unknown there: 0). Not yet: the dependencies the new version declares that the old
//! one did not (the facts do not carry declared dependencies), and SARIF.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::scan::{FactsFrom, Observer, ScanOutcome, ScanRequest, ScanRunError};
use crate::model::facts::{Fact, PackageFacts, Provenance, Release};
use crate::rules::Level;

/// Version of the diff JSON document.
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// The trust delta of a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// [`DIFF_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// How the base side was named (a path or a git revision).
    pub base: String,
    /// How the head side was named.
    pub head: String,
    /// The exposure score of the base and of the head.
    pub exposure: Before<f64>,
    /// One per lockfile on either side.
    pub projects: Vec<ProjectDiff>,
    /// The decision on the delta.
    pub gate: DiffGate,
}

/// A value before and after.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Before<T> {
    /// In the base.
    pub before: T,
    /// In the head.
    pub after: T,
}

/// One lockfile's changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectDiff {
    /// The lockfile, relative to its side's root.
    pub lockfile: String,
    /// `added` (only in the head), `removed` (only in the base), `changed`, or `package` for
    /// two package ids compared with no lockfile (`lockfile` is then empty).
    pub status: &'static str,
    /// Its exposure score before and after (0 on the side it is missing from).
    pub exposure: Before<f64>,
    /// Each package whose versions differ, by name.
    pub packages: Vec<PackageChange>,
}

/// One package whose versions differ between the sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageChange {
    /// `<ecosystem>:<name>`.
    pub package: String,
    /// `added`, `removed`, `upgraded`, `downgraded` or `changed` (several versions).
    pub change: &'static str,
    /// Versions in the base.
    pub from: Vec<String>,
    /// Versions in the head.
    pub to: Vec<String>,
    /// Its blast radius in the head (in the base when removed).
    pub blast_radius: f64,
    /// Reached only through dev dependencies (in the head, or the base when removed).
    pub dev: bool,
    /// What changed in who publishes and how it is built, old version to new.
    pub trust: Vec<TrustChange>,
    /// Findings of the head version the base version did not have (by rule).
    pub new_findings: Vec<NewFinding>,
    /// What the new version declares that the old one did not, when the registry says for
    /// both (npm, crates.io).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<DeclaredChange>,
}

/// The difference between two versions' declared dependencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclaredChange {
    /// Dependencies only the new version declares: `name requirement`.
    pub added: Vec<String>,
    /// Dependencies only the old version declared.
    pub removed: Vec<String>,
}

/// What the new version declares that the old one did not (and the reverse); `None` when the
/// registry does not say for both, or nothing changed.
pub fn declared_change(
    old: Option<&PackageFacts>,
    new: Option<&PackageFacts>,
) -> Option<DeclaredChange> {
    let before = old?.declared_dependencies.as_ref()?;
    let after = new?.declared_dependencies.as_ref()?;
    let added: Vec<String> = after
        .iter()
        .filter(|(name, _)| !before.contains_key(*name))
        .map(|(name, requirement)| format!("{name} {requirement}"))
        .collect();
    let removed: Vec<String> = before
        .iter()
        .filter(|(name, _)| !after.contains_key(*name))
        .map(|(name, requirement)| format!("{name} {requirement}"))
        .collect();
    (!added.is_empty() || !removed.is_empty()).then_some(DeclaredChange { added, removed })
}

/// One change in trust between two versions of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustChange {
    /// Stable id: `publisher-changed`, `provenance-lost`, `provenance-gained`,
    /// `builder-changed`, `install-script-added`, `install-script-removed`,
    /// `maintainers-added`, `maintainers-removed`, `repository-moved`.
    pub kind: &'static str,
    /// Whether it is an improvement (provenance gained, an install script removed).
    pub improvement: bool,
    /// One line: what it was and what it is.
    pub detail: String,
}

/// A finding the change brings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewFinding {
    /// The package id (head version).
    pub id: String,
    /// Rule id.
    pub rule: String,
    /// Level after policy and exceptions.
    pub level: Level,
    /// The finding's message.
    pub message: String,
}

/// The decision on the delta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffGate {
    /// No new finding at level deny, and both sides read.
    pub passed: bool,
    /// One line per new denied finding or unreadable lockfile.
    pub reasons: Vec<String>,
}

impl Diff {
    /// The exit status the diff stands for: 2 when a lockfile of either side could not be
    /// read, 1 when the change brings a finding at level deny, else 0.
    pub fn exit_status(&self, base: &ScanOutcome, head: &ScanOutcome) -> u8 {
        if !base.report.errors.is_empty() || !head.report.errors.is_empty() {
            2
        } else if self.gate.passed {
            0
        } else {
            1
        }
    }
}

/// One side's packages of a lockfile: `<ecosystem>:<name>` → version → (blast radius, dev).
type Versions = BTreeMap<String, BTreeMap<String, (f64, bool)>>;

fn versions_of(outcome: &ScanOutcome, lockfile: &str) -> Versions {
    let mut versions: Versions = BTreeMap::new();
    for project in &outcome.projects {
        if project.lockfile != lockfile {
            continue;
        }
        for node in project.graph.nodes.iter().filter(|node| !node.root) {
            let id = &node.package.id;
            versions
                .entry(format!("{}:{}", id.ecosystem, id.name))
                .or_default()
                .insert(id.version.clone(), (node.blast_radius, node.dev));
        }
    }
    versions
}

/// Compares two scans. `base_root`/`head_root` are stripped from lockfile paths so that the
/// same lockfile matches on both sides.
pub fn compare(
    base_name: &str,
    base: &ScanOutcome,
    base_root: &str,
    head_name: &str,
    head: &ScanOutcome,
    head_root: &str,
) -> Diff {
    let relative = |lockfile: &str, root: &str| -> String {
        let root = root.trim_end_matches('/');
        let stripped = if root.is_empty() || root == "." {
            lockfile
        } else {
            lockfile
                .strip_prefix(root)
                .map_or(lockfile, |rest| rest.trim_start_matches('/'))
        };
        stripped.trim_start_matches("./").to_string()
    };
    let base_lockfiles: BTreeMap<String, &str> = base
        .projects
        .iter()
        .map(|p| (relative(&p.lockfile, base_root), p.lockfile.as_str()))
        .collect();
    let head_lockfiles: BTreeMap<String, &str> = head
        .projects
        .iter()
        .map(|p| (relative(&p.lockfile, head_root), p.lockfile.as_str()))
        .collect();
    let score_of = |outcome: &ScanOutcome, shown: Option<&&str>| -> f64 {
        shown
            .and_then(|shown| {
                let shown = shown.trim_start_matches("./");
                outcome.report.projects.iter().find(|p| p.lockfile == shown)
            })
            .map_or(0.0, |p| p.exposure_score)
    };
    let names: BTreeSet<&String> = base_lockfiles.keys().chain(head_lockfiles.keys()).collect();
    let mut projects = Vec::new();
    let mut reasons = Vec::new();
    for name in names {
        let (in_base, in_head) = (base_lockfiles.get(name), head_lockfiles.get(name));
        let old = in_base.map_or_else(Versions::new, |l| versions_of(base, l));
        let new = in_head.map_or_else(Versions::new, |l| versions_of(head, l));
        let mut packages = Vec::new();
        let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for key in keys {
            let before = old.get(key).cloned().unwrap_or_default();
            let after = new.get(key).cloned().unwrap_or_default();
            let from: Vec<String> = before.keys().cloned().collect();
            let to: Vec<String> = after.keys().cloned().collect();
            if from == to {
                continue;
            }
            let ecosystem = key
                .split_once(':')
                .and_then(|(e, _)| crate::model::Ecosystem::parse(e));
            let change = match (from.as_slice(), to.as_slice()) {
                ([], _) => "added",
                (_, []) => "removed",
                ([a], [b]) => match ecosystem
                    .and_then(|e| crate::version_order::Version::parse(e, a).ok())
                    .zip(ecosystem.and_then(|e| crate::version_order::Version::parse(e, b).ok()))
                    .and_then(|(a, b)| a.compare(&b))
                {
                    Some(std::cmp::Ordering::Less) => "upgraded",
                    Some(std::cmp::Ordering::Greater) => "downgraded",
                    _ => "changed",
                },
                _ => "changed",
            };
            let (blast_radius, dev) = after
                .values()
                .chain(before.values())
                .copied()
                .fold((0.0_f64, true), |(radius, dev), (r, d)| {
                    (radius.max(r), dev && d)
                });
            let id_of = |version: &str| format!("{key}@{version}");
            let mut trust = Vec::new();
            let mut declared = None;
            if let ([old_version], [new_version]) = (from.as_slice(), to.as_slice()) {
                let (old_facts, new_facts) = (
                    base.facts.get(&id_of(old_version)),
                    head.facts.get(&id_of(new_version)),
                );
                trust = trust_delta(old_facts, new_facts, old_version, new_version);
                declared = declared_change(old_facts, new_facts);
            }
            let new_findings = new_findings(base, head, key, &from, &to);
            for finding in &new_findings {
                if finding.level == Level::Deny {
                    reasons.push(format!(
                        "{}: {} (deny), brought by this change",
                        finding.id, finding.rule
                    ));
                }
            }
            packages.push(PackageChange {
                package: key.clone(),
                change,
                from,
                to,
                blast_radius: (blast_radius * 1000.0).round() / 1000.0,
                dev,
                trust,
                new_findings,
                declared,
            });
        }
        // Widest reach first, then by name.
        packages.sort_by(|a, b| {
            b.blast_radius
                .total_cmp(&a.blast_radius)
                .then_with(|| a.package.cmp(&b.package))
        });
        projects.push(ProjectDiff {
            lockfile: name.clone(),
            status: match (in_base, in_head) {
                (None, _) => "added",
                (_, None) => "removed",
                _ => "changed",
            },
            exposure: Before {
                before: score_of(base, in_base),
                after: score_of(head, in_head),
            },
            packages,
        });
    }
    for (side, outcome) in [("base", base), ("head", head)] {
        for error in &outcome.report.errors {
            reasons.push(format!(
                "{side}: {} could not be read, so nothing in it was compared",
                error.lockfile
            ));
        }
    }
    Diff {
        schema_version: DIFF_SCHEMA_VERSION,
        base: base_name.to_string(),
        head: head_name.to_string(),
        exposure: Before {
            before: base.report.exposure_score,
            after: head.report.exposure_score,
        },
        projects,
        gate: DiffGate {
            passed: reasons.is_empty(),
            reasons,
        },
    }
}

/// Findings (at warn or deny) of the head's versions of `key` whose rule none of the base's
/// versions had.
fn new_findings(
    base: &ScanOutcome,
    head: &ScanOutcome,
    key: &str,
    from: &[String],
    to: &[String],
) -> Vec<NewFinding> {
    let ids = |versions: &[String]| -> BTreeSet<String> {
        versions.iter().map(|v| format!("{key}@{v}")).collect()
    };
    let (old_ids, new_ids) = (ids(from), ids(to));
    let old_rules: BTreeSet<&str> = base
        .report
        .projects
        .iter()
        .flat_map(|p| &p.packages)
        .filter(|p| old_ids.contains(&p.id))
        .flat_map(|p| &p.findings)
        .map(|f| f.rule.as_str())
        .collect();
    let mut found: Vec<NewFinding> = head
        .report
        .projects
        .iter()
        .flat_map(|p| &p.packages)
        .filter(|p| new_ids.contains(&p.id))
        .flat_map(|p| p.findings.iter().map(move |f| (p, f)))
        .filter(|(_, f)| f.level != Level::Allow && !old_rules.contains(f.rule.as_str()))
        .map(|(p, f)| NewFinding {
            id: p.id.clone(),
            rule: f.rule.clone(),
            level: f.level,
            message: f.message.clone(),
        })
        .collect();
    found.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| (&a.id, &a.rule).cmp(&(&b.id, &b.rule)))
    });
    found.dedup();
    found
}

fn release<'a>(facts: Option<&'a PackageFacts>, version: &str) -> Option<&'a Release> {
    facts?
        .releases
        .known()?
        .iter()
        .find(|release| release.version == version)
}

fn provenance_kind(provenance: &Provenance) -> Option<String> {
    match provenance {
        Provenance::None => None,
        Provenance::Attested { .. } => Some("attestations".to_string()),
        Provenance::TrustedPublishing {
            provider,
            repository,
            workflow,
            ..
        } => Some(format!(
            "trusted publishing ({provider}{}{})",
            repository
                .as_ref()
                .map(|r| format!(" {r}"))
                .unwrap_or_default(),
            workflow
                .as_ref()
                .map(|w| format!(" {w}"))
                .unwrap_or_default()
        )),
    }
}

/// What changed between two versions of one package. The head's facts list every release, the
/// old one included; install scripts come from each side's own facts. An unknown on either side
/// is no change (the scan's coverage says what could not be judged).
pub fn trust_delta(
    old_facts: Option<&PackageFacts>,
    new_facts: Option<&PackageFacts>,
    old_version: &str,
    new_version: &str,
) -> Vec<TrustChange> {
    let mut changes = Vec::new();
    let new_release = release(new_facts, new_version);
    let old_release = release(new_facts, old_version).or_else(|| release(old_facts, old_version));
    if let (Some(old), Some(new)) = (old_release, new_release) {
        if let (Fact::Known(Some(before)), Fact::Known(Some(after))) =
            (&old.publisher, &new.publisher)
            && before.id != after.id
        {
            changes.push(TrustChange {
                kind: "publisher-changed",
                improvement: false,
                detail: format!(
                    "{old_version} was published by {}, {new_version} by {}",
                    before.display, after.display
                ),
            });
        }
        if let (Fact::Known(before), Fact::Known(after)) = (&old.provenance, &new.provenance) {
            match (provenance_kind(before), provenance_kind(after)) {
                (Some(kind), None) => changes.push(TrustChange {
                    kind: "provenance-lost",
                    improvement: false,
                    detail: format!("{old_version} had {kind}; {new_version} has none"),
                }),
                (None, Some(kind)) => changes.push(TrustChange {
                    kind: "provenance-gained",
                    improvement: true,
                    detail: format!("{new_version} has {kind}; {old_version} had none"),
                }),
                (Some(a), Some(b)) if a != b => changes.push(TrustChange {
                    kind: "builder-changed",
                    improvement: false,
                    detail: format!("{old_version}: {a}; {new_version}: {b}"),
                }),
                _ => {}
            }
        }
        if let (Some(before), Some(after)) = (&old.maintainers, &new.maintainers) {
            let names = |owners: &[crate::model::facts::Owner]| -> BTreeSet<String> {
                owners.iter().map(|o| o.identity.display.clone()).collect()
            };
            let (before, after) = (names(before), names(after));
            let added: Vec<&String> = after.difference(&before).collect();
            let removed: Vec<&String> = before.difference(&after).collect();
            if !added.is_empty() {
                changes.push(TrustChange {
                    kind: "maintainers-added",
                    improvement: false,
                    detail: format!("{new_version} adds {}", join(&added)),
                });
            }
            if !removed.is_empty() {
                changes.push(TrustChange {
                    kind: "maintainers-removed",
                    improvement: false,
                    detail: format!("{new_version} no longer lists {}", join(&removed)),
                });
            }
        }
        if let (Some(before), Some(after)) = (&old.repository, &new.repository)
            && before != after
        {
            changes.push(TrustChange {
                kind: "repository-moved",
                improvement: false,
                detail: format!("{old_version}: {before}; {new_version}: {after}"),
            });
        }
    }
    let scripts = |facts: Option<&PackageFacts>| -> Option<BTreeMap<String, String>> {
        facts?.install_scripts.known().cloned()
    };
    if let (Some(before), Some(after)) = (scripts(old_facts), scripts(new_facts)) {
        for (name, command) in &after {
            if !before.contains_key(name) {
                changes.push(TrustChange {
                    kind: "install-script-added",
                    improvement: false,
                    detail: format!("{new_version} runs `{name}`: {command}"),
                });
            }
        }
        for name in before.keys() {
            if !after.contains_key(name) {
                changes.push(TrustChange {
                    kind: "install-script-removed",
                    improvement: true,
                    detail: format!("{new_version} no longer runs `{name}`"),
                });
            }
        }
    }
    changes
}

fn join(names: &[&String]) -> String {
    names
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One `deptrust diff`.
#[derive(Debug, Clone)]
pub struct DiffRequest<'a> {
    /// The base: a lockfile, a directory or a git revision.
    pub base: &'a str,
    /// The head: the same.
    pub head: &'a str,
    /// The git repository revisions are read from.
    pub repository: &'a Path,
    /// How lockfiles are read.
    pub read: crate::lockfile::ReadOptions,
    /// `--config`; else the head's `deptrust.toml` (a revision's own is not read).
    pub config: Option<&'a Path>,
    /// `--exclude` patterns.
    pub exclude: &'a [String],
    /// The run's clock.
    pub now: jiff::Timestamp,
    /// Where facts come from (both sides share it, and the cache).
    pub facts: FactsFrom<'a>,
}

/// Why a diff could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// A side names neither a path nor a revision.
    #[error("`{0}` is neither a path nor a git revision of the repository here")]
    NoSuchSide(String),
    /// A revision holds no lockfile.
    #[error("revision `{0}` holds no lockfile")]
    EmptyRevision(String),
    /// A revision could not be read.
    #[error(transparent)]
    Revision(#[from] RevisionError),
    /// The temporary directory for a revision could not be made.
    #[error("cannot make a temporary directory for a revision: {0}")]
    TempDir(#[source] std::io::Error),
    /// A side could not be scanned.
    #[error(transparent)]
    Scan(#[from] ScanRunError),
    /// Two package ids that are not versions of one package.
    #[error("`{0}` and `{1}` are not two versions of one package")]
    NotOnePackage(String, String),
    /// Facts could not be gathered at all.
    #[error(transparent)]
    Gather(#[from] super::gather::GatherError),
    /// The configuration could not be used.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The snapshot could not be read.
    #[error(transparent)]
    Snapshot(#[from] crate::registry::snapshot::SnapshotError),
}

/// `deptrust diff <id> <id>`: two versions of one package, with no lockfile.
#[derive(Debug, Clone)]
pub struct IdsRequest<'a> {
    /// The version in use (`npm:axios@1.7.9`).
    pub old: &'a crate::model::PackageId,
    /// The version considered.
    pub new: &'a crate::model::PackageId,
    /// `--config`, else `./deptrust.toml` when present.
    pub config: Option<&'a Path>,
    /// The run's clock.
    pub now: jiff::Timestamp,
    /// Where facts come from.
    pub facts: FactsFrom<'a>,
}

/// The trust delta between two versions of one package, judged as a direct dependency of
/// unknown reach (blast radius 0), with the exit status (1 when the new version brings a
/// finding at level deny).
pub fn run_ids(
    request: &IdsRequest<'_>,
    observer: &dyn Observer,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Diff, u8), DiffError> {
    use crate::model::Source;
    let (old, new) = (request.old, request.new);
    if old.ecosystem != new.ecosystem || old.name != new.name {
        return Err(DiffError::NotOnePackage(old.to_string(), new.to_string()));
    }
    let config = super::projects::find_config(request.config, &[PathBuf::from(".")])?;
    let packages = [
        (old.clone(), Source::Registry(None)),
        (new.clone(), Source::Registry(None)),
    ];
    let (facts, previous) = match request.facts {
        FactsFrom::Replay(path) => {
            let snapshot = crate::registry::snapshot::Snapshot::read(path, 1 << 30)?;
            (
                snapshot.replay(&[old.clone(), new.clone()], path),
                BTreeMap::new(),
            )
        }
        FactsFrom::Registries(options) => {
            let gathered = super::gather::gather(
                options,
                &config,
                request.now,
                &packages,
                super::gather::Owners::Read,
                env,
                |net| observer.gathering(net),
            )?;
            observer.gathered(&gathered);
            (gathered.facts, gathered.previous)
        }
    };
    // PyPI's project document describes only the latest release: each version's own document
    // says what it declares (two requests at most).
    let mut facts = facts;
    if let (FactsFrom::Registries(options), crate::model::Ecosystem::Pypi) =
        (request.facts, old.ecosystem)
        && facts.iter().any(|f| f.declared_dependencies.is_none())
    {
        let network = super::gather::network(options, &config, request.now, env)?;
        let client = crate::registry::pypi::PypiClient::new(network.net, network.endpoints.pypi);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DiffError::Gather(super::gather::GatherError::Runtime(e)))?;
        for package in facts
            .iter_mut()
            .filter(|f| f.declared_dependencies.is_none())
        {
            package.declared_dependencies =
                runtime.block_on(client.declared(&package.name, &package.version));
        }
    }
    let find = |id: &crate::model::PackageId| facts.iter().find(|f| &f.id == id);
    let options = crate::scan::Options {
        policy: &config.policy,
        now: request.now,
        baseline: None,
    };
    let key = format!("{}:{}", old.ecosystem, old.name);
    let risks = |id: &crate::model::PackageId| -> Vec<(String, Level, String)> {
        let Some(package) = find(id) else {
            return Vec::new();
        };
        crate::scan::judge(package, previous.get(&key), options)
            .into_iter()
            .filter_map(|verdict| match verdict.outcome {
                crate::signals::Outcome::Risk { message, .. } => {
                    let level = if verdict.exception.is_some() {
                        Level::Allow
                    } else {
                        verdict.level
                    };
                    Some((verdict.rule.to_string(), level, message))
                }
                _ => None,
            })
            .collect()
    };
    let old_rules: BTreeSet<String> = risks(old).into_iter().map(|(rule, ..)| rule).collect();
    let new_findings: Vec<NewFinding> = risks(new)
        .into_iter()
        .filter(|(rule, level, _)| *level != Level::Allow && !old_rules.contains(rule))
        .map(|(rule, level, message)| NewFinding {
            id: new.to_string(),
            rule,
            level,
            message,
        })
        .collect();
    let change = match crate::version_order::Version::parse(old.ecosystem, &old.version)
        .ok()
        .zip(crate::version_order::Version::parse(new.ecosystem, &new.version).ok())
        .and_then(|(a, b)| a.compare(&b))
    {
        Some(std::cmp::Ordering::Less) => "upgraded",
        Some(std::cmp::Ordering::Greater) => "downgraded",
        _ => "changed",
    };
    let reasons: Vec<String> = new_findings
        .iter()
        .filter(|f| f.level == Level::Deny)
        .map(|f| format!("{}: {} (deny), brought by this change", f.id, f.rule))
        .collect();
    let diff = Diff {
        schema_version: DIFF_SCHEMA_VERSION,
        base: old.to_string(),
        head: new.to_string(),
        exposure: Before {
            before: 0.0,
            after: 0.0,
        },
        projects: vec![ProjectDiff {
            lockfile: String::new(),
            status: "package",
            exposure: Before {
                before: 0.0,
                after: 0.0,
            },
            packages: vec![PackageChange {
                package: key,
                change,
                from: vec![old.version.clone()],
                to: vec![new.version.clone()],
                blast_radius: 0.0,
                dev: false,
                trust: trust_delta(find(old), find(new), &old.version, &new.version),
                new_findings,
                declared: declared_change(find(old), find(new)),
            }],
        }],
        gate: DiffGate {
            passed: reasons.is_empty(),
            reasons,
        },
    };
    let status = u8::from(!diff.gate.passed);
    Ok((diff, status))
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<Self> {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("deptrust-diff-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One side of a diff: what to scan, the root its lockfile paths are relative to, and the
/// directory holding a revision's files (removed with it).
struct Side {
    path: PathBuf,
    root: String,
    _dir: Option<TempDir>,
}

fn side(named: &str, repository: &Path, max_file_bytes: u64) -> Result<Side, DiffError> {
    let path = PathBuf::from(named);
    if path.exists() {
        let root = if path.is_file() {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| ".".to_string(), |p| p.display().to_string())
        } else {
            named.to_string()
        };
        return Ok(Side {
            path,
            root,
            _dir: None,
        });
    }
    if !is_revision(repository, named) {
        return Err(DiffError::NoSuchSide(named.to_string()));
    }
    let dir = TempDir::new().map_err(DiffError::TempDir)?;
    if extract_revision(repository, named, &dir.0, max_file_bytes)? == 0 {
        return Err(DiffError::EmptyRevision(named.to_string()));
    }
    Ok(Side {
        path: dir.0.clone(),
        root: dir.0.display().to_string(),
        _dir: Some(dir),
    })
}

/// A finished `deptrust diff` of two states.
#[derive(Debug)]
pub struct DiffOutcome {
    /// The comparison.
    pub diff: Diff,
    /// Its exit status ([`Diff::exit_status`]).
    pub status: u8,
    /// The head's scan report cut down to the findings the change brings (each package at its
    /// lockfile line; a revision's lockfiles named by their path in the repository), for
    /// SARIF: code scanning then shows what the pull request adds, not the standing debt.
    pub changes: ScanReport,
}

/// The head's report with only the findings the change brings, and the diff's gate.
fn changes_report(diff: &Diff, head: &ScanOutcome, head_root: &str) -> ScanReport {
    let brought: BTreeSet<(&str, &str)> = diff
        .projects
        .iter()
        .flat_map(|p| &p.packages)
        .flat_map(|p| &p.new_findings)
        .map(|f| (f.id.as_str(), f.rule.as_str()))
        .collect();
    let root = head_root.trim_end_matches('/');
    let mut report = head.report.clone();
    for project in &mut report.projects {
        if !root.is_empty()
            && root != "."
            && let Some(rest) = project.lockfile.strip_prefix(root)
        {
            project.lockfile = rest.trim_start_matches('/').to_string();
        }
        for package in &mut project.packages {
            let id = package.id.clone();
            package
                .findings
                .retain(|f| brought.contains(&(id.as_str(), f.rule.as_str())));
        }
        project.packages.retain(|p| !p.findings.is_empty());
    }
    report.exceptions.clear();
    report.gate = crate::scan::Gate {
        passed: diff.gate.passed,
        unevaluated: false,
        reasons: diff.gate.reasons.clone(),
    };
    report
}

use crate::scan::ScanReport;

/// Scans both sides (one [`super::scan::run`] each) and compares them; the exit status
/// with it ([`Diff::exit_status`]).
pub fn run(
    request: &DiffRequest<'_>,
    observer: &dyn Observer,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<DiffOutcome, DiffError> {
    let limit = request.read.max_file_bytes;
    let base = side(request.base, request.repository, limit)?;
    let head = side(request.head, request.repository, limit)?;
    // One policy for both sides: the head's.
    let found;
    let config = match request.config {
        Some(path) => Some(path),
        None => {
            let dir = if head.path.is_file() {
                head.path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            } else {
                head.path.clone()
            };
            found = dir.join("deptrust.toml");
            found.exists().then_some(found.as_path())
        }
    };
    // One ledger for both sides: the head's.
    let head_paths = [head.path.clone()];
    let ledger_path = super::ledger::find(&head_paths);
    let ledger = ledger_path.as_deref();
    let scan = |side: &Side| {
        let paths = [side.path.clone()];
        let request = ScanRequest {
            paths: &paths,
            read: request.read.clone(),
            config,
            exclude: request.exclude,
            now: request.now,
            facts: request.facts,
            snapshot: None,
            baseline: None,
            history: None,
            owners: super::gather::Owners::Read,
            ledger,
        };
        super::scan::run(&request, observer, env)
    };
    let base_outcome = scan(&base)?;
    let head_outcome = scan(&head)?;
    let diff = compare(
        request.base,
        &base_outcome,
        &base.root,
        request.head,
        &head_outcome,
        &head.root,
    );
    let status = diff.exit_status(&base_outcome, &head_outcome);
    // A revision's files sit in a temporary directory: their paths are made relative to it.
    // A path given is kept as given (relative to where deptrust runs, like a scan's).
    let changes = changes_report(
        &diff,
        &head_outcome,
        if head._dir.is_some() { &head.root } else { "" },
    );
    Ok(DiffOutcome {
        diff,
        status,
        changes,
    })
}

/// Why a git revision could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read `{revision}` from git: {message}")]
pub struct RevisionError {
    /// The revision.
    pub revision: String,
    /// What went wrong (git's first line of error, or the file).
    pub message: String,
}

/// File names copied out of a revision besides lockfiles: the manifests the parsers read
/// beside them, requirement includes, and the policy.
fn wanted_beside(name: &str) -> bool {
    matches!(
        name,
        "Cargo.toml"
            | "package.json"
            | "pnpm-workspace.yaml"
            | ".yarnrc.yml"
            | "pyproject.toml"
            | "Pipfile"
            | "deptrust.toml"
    ) || name.ends_with(".txt")
        || name.ends_with(".in")
}

/// Whether `revision` names a commit in the git repository at `repo` (git on PATH).
pub fn is_revision(repo: &Path, revision: &str) -> bool {
    !revision.starts_with('-')
        && std::process::Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["rev-parse", "--verify", "--quiet"])
            .arg(format!("{revision}^{{commit}}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
}

/// Copies the lockfiles and manifests of `revision` (every file at most `max_file_bytes`)
/// into `into`, keeping their paths, from git's objects: the working tree is not touched.
/// Returns how many files were written.
pub fn extract_revision(
    repo: &Path,
    revision: &str,
    into: &Path,
    max_file_bytes: u64,
) -> Result<usize, RevisionError> {
    let error = |message: String| RevisionError {
        revision: revision.to_string(),
        message,
    };
    let git = |args: &[&str]| -> Result<Vec<u8>, RevisionError> {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| error(format!("cannot run git: {e}")))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(error(
                stderr.lines().next().unwrap_or("git failed").to_string(),
            ));
        }
        Ok(output.stdout)
    };
    if revision.starts_with('-') {
        return Err(error("a revision does not start with `-`".to_string()));
    }
    let commit = format!("{revision}^{{commit}}");
    let listing = git(&["ls-tree", "-r", "-z", "-l", "--full-tree", &commit])?;
    let mut written = 0;
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        // `<mode> SP <type> SP <object> SP+ <size> TAB <path>`
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split_whitespace().collect();
        if fields.get(1) != Some(&"blob") {
            continue;
        }
        let size: u64 = fields
            .get(3)
            .and_then(|s| s.parse().ok())
            .unwrap_or(u64::MAX);
        let name = path.rsplit('/').next().unwrap_or(path);
        let relative = Path::new(path);
        let safe = relative
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !safe
            || size > max_file_bytes
            || !(crate::lockfile::is_lockfile(relative) || wanted_beside(name))
        {
            continue;
        }
        let object = fields.get(2).copied().unwrap_or_default();
        let bytes = git(&["cat-file", "blob", object])?;
        let target: PathBuf = into.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| error(format!("{path}: {e}")))?;
        }
        std::fs::write(&target, bytes).map_err(|e| error(format!("{path}: {e}")))?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facts::{Identity, IdentityKind};

    fn facts(version: &str, releases: Vec<Release>, scripts: &[(&str, &str)]) -> PackageFacts {
        let mut facts = crate::model::facts::PackageFacts::all_unknown(
            &crate::model::PackageId::new(crate::model::Ecosystem::Npm, "nx", version),
            "test",
        );
        facts.releases = Fact::Known(releases);
        facts.install_scripts = Fact::Known(
            scripts
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        facts
    }

    fn release(version: &str, publisher: &str, provenance: Provenance) -> Release {
        Release::new(
            version,
            None,
            Fact::Known(Some(Identity {
                id: format!("npm:user:{publisher}"),
                display: publisher.to_string(),
                kind: IdentityKind::User,
            })),
            Fact::Known(provenance),
        )
    }

    fn attested() -> Provenance {
        Provenance::Attested {
            url: None,
            predicate_type: None,
        }
    }

    #[test]
    fn a_new_publisher_without_provenance_and_a_new_install_script() {
        let releases = vec![
            release("21.4.0", "nrwl", attested()),
            release("21.5.0", "mallory", Provenance::None),
        ];
        let old = facts("21.4.0", releases.clone(), &[]);
        let new = facts("21.5.0", releases, &[("postinstall", "node telemetry.js")]);
        let kinds: Vec<&str> = trust_delta(Some(&old), Some(&new), "21.4.0", "21.5.0")
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                "publisher-changed",
                "provenance-lost",
                "install-script-added"
            ]
        );
    }

    #[test]
    fn provenance_gained_is_an_improvement_and_unknowns_are_no_change() {
        let releases = vec![
            release("1.0.0", "alice", Provenance::None),
            release("1.1.0", "alice", attested()),
        ];
        let new = facts("1.1.0", releases, &[]);
        let changes = trust_delta(None, Some(&new), "1.0.0", "1.1.0");
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].kind, "provenance-gained");
        assert!(changes[0].improvement);
        // Nothing known about the new version: nothing said.
        assert!(trust_delta(None, None, "1.0.0", "1.1.0").is_empty());
    }

    #[test]
    fn only_lockfiles_and_manifests_of_a_revision_are_extracted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join("web/src")).expect("dir");
        std::fs::write(repo.join("web/package-lock.json"), "{\"v\": 1}").expect("write");
        std::fs::write(repo.join("web/package.json"), "{}").expect("write");
        std::fs::write(repo.join("web/src/index.js"), "code").expect("write");
        let git = |args: &[&str]| {
            let status = std::process::Command::new("git")
                .arg("-C")
                .arg(&repo)
                .args(args)
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .stdout(std::process::Stdio::null())
                .status()
                .expect("git runs");
            assert!(status.success(), "git {args:?}");
        };
        git(&["init", "-q"]);
        git(&["add", "."]);
        git(&["commit", "-q", "-m", "one"]);
        std::fs::write(repo.join("web/package-lock.json"), "{\"v\": 2}").expect("write");
        assert!(is_revision(&repo, "HEAD"));
        assert!(!is_revision(&repo, "no-such-branch"));
        let out = dir.path().join("out");
        let written = extract_revision(&repo, "HEAD", &out, 1 << 20).expect("extracted");
        assert_eq!(written, 2);
        assert_eq!(
            std::fs::read_to_string(out.join("web/package-lock.json")).expect("read"),
            "{\"v\": 1}"
        );
        assert!(!out.join("web/src/index.js").exists());
        // The working tree is as it was.
        assert_eq!(
            std::fs::read_to_string(repo.join("web/package-lock.json")).expect("read"),
            "{\"v\": 2}"
        );
        let error = extract_revision(&repo, "nope", &out, 1 << 20).expect_err("no revision");
        assert!(
            error
                .to_string()
                .starts_with("cannot read `nope` from git:")
        );
    }
}

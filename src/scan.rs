//! Evaluation: signals applied to every package of every project, judged by the policy, scored
//! and turned into one gate decision. Pure: the facts, graphs, policy and clock come in, a
//! [`ScanReport`] goes out; renderers in [`crate::report`] write it.
//!
//! The JSON form of [`ScanReport`] is public (`schema_version` 1; `docs/json.md`, "Scan output").
//!
//! Scoring (README, "Scoring"; arithmetic in [`crate::score`]): a package's risk is the risk of
//! its most severe finding at level warn or deny (`rules/severity.toml`); its weighted risk is
//! risk × blast radius; a project's exposure combines its packages in severity bands, each
//! package's contribution shown; the overall exposure combines every project's packages the
//! same way. Unknown signals add nothing to a score (a guess would be either a false alarm or a
//! false comfort): they are counted beside it as the coverage, and gate the run under
//! `unknown = "deny"`.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::coverage::{Tally, cause_for, nothing_gathered, registry_not_reached};
use crate::graph::DepGraph;
use crate::model::facts::{Fact, PackageFacts};
use crate::model::{ExceptionProblem, Source};
use crate::policy::Policy;
use crate::rules::{Level, Severity, catalog};
use crate::signals::{Context, Outcome, SIGNALS};

/// Version of the JSON document.
pub const SCHEMA_VERSION: u32 = 1;

/// The result of a scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanReport {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The run's clock.
    pub now: jiff::Timestamp,
    /// Exposure score of all projects together (0–100).
    pub exposure_score: f64,
    /// The previous run's overall score, from `--history`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<crate::history::Previous>,
    /// The gate decision.
    pub gate: Gate,
    /// How much of every project could be judged, and the causes of what could not.
    pub coverage: Coverage,
    /// One entry per lockfile.
    pub projects: Vec<ProjectResult>,
    /// Policy exceptions that expired or matched nothing (reported, never silently ignored).
    pub exceptions: Vec<ExceptionNote>,
    /// Lockfiles that could not be read.
    pub errors: Vec<ScanError>,
}

/// The gate decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gate {
    /// No finding at level deny, no unknown under `unknown = "deny"`, no package whose registry
    /// was not reached under `unreachable = "deny"`, and every lockfile read.
    pub passed: bool,
    /// Could not evaluate: unknown facts under `unknown = "deny"` (exit code 3).
    pub unevaluated: bool,
    /// One line per reason: `npm:foo@1.2.3: new-publisher (deny)`.
    pub reasons: Vec<String>,
}

/// One lockfile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectResult {
    /// Lockfile path as given or found.
    pub lockfile: String,
    /// `cargo`, `npm`, `pypi`.
    pub ecosystem: String,
    /// The project's exposure score (0–100).
    pub exposure_score: f64,
    /// The previous run's score of this lockfile, from `--history`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<crate::history::Previous>,
    /// Counts of findings by level, and of packages with unknown facts.
    pub summary: Summary,
    /// How much could be judged, and the causes of what could not.
    pub coverage: Coverage,
    /// Packages, largest contribution first.
    pub packages: Vec<PackageResult>,
}

/// How much could be judged.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Coverage {
    /// Signal verdicts that could be judged (clear or a finding).
    pub judged: usize,
    /// Every signal verdict (signals × packages evaluated).
    pub total: usize,
    /// `judged / total` in percent, one decimal (100 when there was nothing to judge).
    pub percent: f64,
    /// Packages whose registry could not be reached at all (nothing about them was judged
    /// from it).
    pub registry_not_reached: usize,
    /// The unknowns grouped by cause (service and failure), network faults first.
    pub causes: Vec<crate::coverage::CauseSummary>,
}

impl Coverage {
    pub(crate) fn from_tally(
        judged: usize,
        total: usize,
        unreached: usize,
        tally: &Tally,
    ) -> Coverage {
        Coverage {
            judged,
            total,
            percent: if total == 0 {
                100.0
            } else {
                ((judged as f64 / total as f64) * 1000.0).floor() / 10.0
            },
            registry_not_reached: unreached,
            causes: tally.summaries(),
        }
    }
}

/// Counts for a summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Packages evaluated.
    pub packages: usize,
    /// Packages left out: roots, packages that do not come from a registry (path, git), and
    /// dev-only packages when the policy says dev dependencies do not count.
    pub skipped: usize,
    /// Findings at level deny.
    pub deny: usize,
    /// Findings at level warn.
    pub warn: usize,
    /// Findings at level allow (recorded, not problems), exceptions included.
    pub allow: usize,
    /// Packages with at least one unknown signal.
    pub unknown: usize,
}

/// One package of one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageResult {
    /// `<ecosystem>:<name>@<version>`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Version in use.
    pub version: String,
    /// A root depends on it directly.
    pub direct: bool,
    /// Reached only through dev dependencies.
    pub dev: bool,
    /// Line of its entry in the lockfile (1-based), when found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Blast radius (0–1).
    pub blast_radius: f64,
    /// Why it runs its own code when the project is built (`build-script`, `proc-macro`;
    /// Cargo's exact mode only); omitted from JSON when empty. It does not change the score.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub build_time: Vec<&'static str>,
    /// Risk from its findings (0–100).
    pub risk: f64,
    /// `risk × blast_radius`: the exposure score this package alone would give.
    pub weighted_risk: f64,
    /// Its share of the project's exposure score (the shares add up to the score).
    pub contribution: f64,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Signals that could not be judged.
    pub unknown: Vec<UnknownFact>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Level after policy and exceptions.
    pub level: Level,
    /// Severity from the rule.
    pub severity: Severity,
    /// One line.
    pub message: String,
    /// The facts behind it.
    pub evidence: Value,
    /// The exception that allowed it, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    /// Already present in the baseline report (`--baseline`): shown, but old debt does not fail
    /// the gate.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub baseline: bool,
}

/// A signal that could not be judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownFact {
    /// Rule id.
    pub rule: String,
    /// The missing fact.
    pub fact: String,
    /// Why.
    pub reason: String,
}

/// An exception that did not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionNote {
    /// `package` of the exception.
    pub package: String,
    /// `rule` of the exception.
    pub rule: String,
    /// `expired` or `unused`.
    pub problem: crate::model::ExceptionProblem,
    /// Human text.
    pub message: String,
}

/// A lockfile that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanError {
    /// Lockfile path.
    pub lockfile: String,
    /// What went wrong.
    pub message: String,
}

/// One project to evaluate.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// Lockfile path as shown (forward slashes, relative when given relative).
    pub lockfile: &'a str,
    /// Its graph (each package's line in the lockfile comes with it, as its parser read it).
    pub graph: &'a DepGraph,
}

/// What an evaluation depends on besides the projects.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The policy.
    pub policy: &'a Policy,
    /// The run's clock.
    pub now: Timestamp,
    /// Findings (package id, rule) of a baseline report: old debt that does not fail the gate.
    pub baseline: Option<&'a BTreeSet<(String, String)>>,
}

/// Every signal's verdict on one package, with the level the policy gives it (exceptions
/// applied). Clear outcomes are included: `deptrust explain` shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Rule id.
    pub rule: &'static str,
    /// The signal's outcome.
    pub outcome: Outcome,
    /// The policy's level for the rule on this package.
    pub level: Level,
    /// The severity (the rule's, or the one the evidence raised it to).
    pub severity: Severity,
    /// The index and reason of the exception that applies, if any.
    pub exception: Option<(usize, String)>,
}

/// Judges one package with every signal.
pub fn judge(
    facts: &PackageFacts,
    previous: Option<&PackageFacts>,
    options: Options<'_>,
) -> Vec<Verdict> {
    let today = options.now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let ecosystem = facts.ecosystem;
    SIGNALS
        .iter()
        .map(|signal| {
            let rule = signal.id();
            let params = options.policy.params(rule);
            let outcome = signal.evaluate(&Context {
                facts,
                previous,
                now: options.now,
                params,
            });
            let default_severity = catalog()
                .rule(rule)
                .map_or(Severity::Medium, |rule| rule.severity);
            let severity = match &outcome {
                Outcome::Risk {
                    severity: Some(raised),
                    ..
                } => *raised,
                _ => default_severity,
            };
            let exception = options
                .policy
                .exception_for(ecosystem, &facts.name, &facts.version, rule, today)
                .map(|exception| (exception.index, exception.reason.clone()));
            Verdict {
                rule,
                outcome,
                level: options.policy.level(rule),
                severity,
                exception,
            }
        })
        .collect()
}

/// The severity that counts for a package: that of its most severe finding at level warn or
/// deny that no exception accepts.
pub fn counted_severity(verdicts: &[Verdict]) -> Option<Severity> {
    counted(verdicts).map(|v| v.severity).max()
}

/// The verdicts that count towards a package's risk: findings without an exception, at level
/// warn or deny.
pub fn counted(verdicts: &[Verdict]) -> impl Iterator<Item = &Verdict> {
    verdicts
        .iter()
        .filter(|v| matches!(v.outcome, Outcome::Risk { .. }))
        .filter(|v| v.exception.is_none() && v.level != Level::Allow)
}

/// A package's risk (0–100) from its verdicts: the risk of its counted severity.
pub fn risk_of(verdicts: &[Verdict]) -> f64 {
    round(crate::score::package_risk(counted_severity(verdicts)))
}

/// One decimal (and never `-0`: an empty `f64` sum is negative zero).
fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0 + 0.0
}

/// Evaluates every project. `facts` are keyed by package id (`npm:x@1.0.0`); `previous` holds
/// an earlier run's facts keyed by `<ecosystem>:<name>`.
pub fn evaluate(
    inputs: &[Input<'_>],
    facts: &BTreeMap<String, PackageFacts>,
    previous: &BTreeMap<String, PackageFacts>,
    options: Options<'_>,
    errors: Vec<ScanError>,
) -> ScanReport {
    let today = options.now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut used = BTreeSet::new();
    let mut reasons = Vec::new();
    let mut unevaluated = false;
    let mut denied = false;
    let mut projects = Vec::new();
    let mut all_scored = Vec::new();
    let (mut all_judged, mut all_total, mut all_unreached) = (0, 0, 0);
    let mut all_tally = Tally::default();
    // Packages whose registry was not reached, by cause (one gate reason per cause).
    let mut unreached_causes: BTreeMap<String, usize> = BTreeMap::new();
    for input in inputs {
        let ecosystem = input.graph.lockfile.ecosystem;
        let counted = options.policy.counts_ecosystem(ecosystem);
        let mut packages = Vec::new();
        let mut scored = Vec::new();
        let mut skipped = 0;
        let (mut total, mut unreached) = (0, 0);
        let mut tally = Tally::default();
        for node in &input.graph.nodes {
            let id = node.package.id.to_string();
            let registry = matches!(node.package.source, Source::Registry(_));
            if node.root || !registry || !counted || (node.dev && !options.policy.counts_dev()) {
                skipped += usize::from(!node.root);
                continue;
            }
            let fallback;
            let package_facts = match facts.get(&id) {
                Some(found) => found,
                None => {
                    fallback = crate::model::facts::PackageFacts::all_unknown(
                        &node.package.id,
                        nothing_gathered(),
                    );
                    &fallback
                }
            };
            let previous = previous.get(&format!("{}:{}", ecosystem, node.package.id.name));
            let verdicts = judge(package_facts, previous, options);
            if let Fact::Unknown(reason) = &package_facts.releases
                && registry_not_reached(reason)
            {
                unreached += 1;
                *unreached_causes
                    .entry(cause_for(&id, reason).describe())
                    .or_insert(0usize) += 1;
            }
            total += verdicts.len();
            let mut findings = Vec::new();
            let mut unknown = Vec::new();
            for verdict in &verdicts {
                if let Some((index, _)) = &verdict.exception {
                    used.insert(*index);
                }
                match &verdict.outcome {
                    Outcome::Clear => {}
                    Outcome::Risk {
                        message, evidence, ..
                    } => {
                        let level = if verdict.exception.is_some() {
                            Level::Allow
                        } else {
                            verdict.level
                        };
                        let in_baseline = options.baseline.is_some_and(|baseline| {
                            baseline.contains(&(id.clone(), verdict.rule.to_string()))
                        });
                        if level == Level::Deny && !in_baseline {
                            denied = true;
                            reasons.push(format!("{id}: {} (deny)", verdict.rule));
                        }
                        findings.push(Finding {
                            rule: verdict.rule.to_string(),
                            level,
                            severity: verdict.severity,
                            message: message.clone(),
                            evidence: evidence.clone(),
                            exception: verdict.exception.as_ref().map(|(_, r)| r.clone()),
                            baseline: in_baseline,
                        });
                    }
                    Outcome::Unknown { fact, reason } => {
                        tally.add(&id, fact, reason);
                        if verdict.exception.is_none()
                            && verdict.level != Level::Allow
                            && options.policy.unknown() == Level::Deny
                        {
                            unevaluated = true;
                            reasons.push(format!(
                                "{id}: {} could not be evaluated ({fact} unknown: {reason})",
                                verdict.rule
                            ));
                        }
                        unknown.push(UnknownFact {
                            rule: verdict.rule.to_string(),
                            fact: fact.clone(),
                            reason: reason.detail.clone(),
                        });
                    }
                }
            }
            findings.sort_by(|a, b| {
                (b.level, b.severity)
                    .cmp(&(a.level, a.severity))
                    .then_with(|| a.rule.cmp(&b.rule))
            });
            let risk = risk_of(&verdicts);
            scored.push(crate::score::Scored {
                severity: counted_severity(&verdicts),
                blast_radius: round3(node.blast_radius),
            });
            packages.push(PackageResult {
                line: node.package.line,
                id,
                name: node.package.id.name.clone(),
                version: node.package.id.version.clone(),
                direct: node.direct,
                dev: node.dev,
                blast_radius: round3(node.blast_radius),
                build_time: node.package.build_time.reasons(),
                risk,
                weighted_risk: weighted(risk, node.blast_radius),
                contribution: 0.0,
                findings,
                unknown,
            });
        }
        let exposure = crate::score::exposure(&scored);
        for (package, contribution) in packages.iter_mut().zip(&exposure.contributions) {
            package.contribution = round(*contribution);
        }
        all_scored.extend(scored);
        packages.sort_by(|a, b| {
            b.contribution
                .total_cmp(&a.contribution)
                .then(b.weighted_risk.total_cmp(&a.weighted_risk))
                .then(b.risk.total_cmp(&a.risk))
                .then_with(|| a.id.cmp(&b.id))
        });
        let mut summary = summarize(&packages);
        summary.skipped = skipped;
        let judged = total
            - packages
                .iter()
                .map(|package| package.unknown.len())
                .sum::<usize>();
        let coverage = Coverage::from_tally(judged, total, unreached, &tally);
        all_judged += judged;
        all_total += total;
        all_unreached += unreached;
        all_tally.merge(&tally);
        projects.push(ProjectResult {
            lockfile: input.lockfile.to_string(),
            ecosystem: ecosystem.as_str().to_string(),
            exposure_score: round(exposure.score),
            previous: None,
            summary,
            coverage,
            packages,
        });
    }
    let exceptions = options
        .policy
        .exception_notes(&used, today)
        .into_iter()
        .map(|(exception, problem)| ExceptionNote {
            package: format!(
                "{}:{}{}",
                exception.ecosystem,
                exception.name,
                exception
                    .version
                    .as_ref()
                    .map(|v| format!("@{v}"))
                    .unwrap_or_default()
            ),
            rule: exception.rule.clone().unwrap_or_else(|| "*".into()),
            problem,
            message: match problem {
                ExceptionProblem::Expired => format!(
                    "the exception for {exception} (deptrust.toml line {}) expired on {}: it no longer applies",
                    exception.line,
                    exception.expires.map(|d| d.to_string()).unwrap_or_default()
                ),
                ExceptionProblem::Unused => format!(
                    "the exception for {exception} (deptrust.toml line {}) matched no finding",
                    exception.line
                ),
            },
        })
        .collect();
    reasons.dedup();
    if options.policy.unreachable() == Level::Deny && !unreached_causes.is_empty() {
        unevaluated = true;
        for (cause, count) in &unreached_causes {
            reasons.push(format!(
                "the registry of {} could not be reached ({cause}): nothing about {} was judged",
                plural(*count, "package"),
                if *count == 1 { "it" } else { "them" }
            ));
        }
    }
    // A lockfile that could not be read was not judged at all: the gate cannot pass (exit 2).
    for error in &errors {
        reasons.push(format!(
            "{} could not be read, so nothing in it was judged",
            error.lockfile
        ));
    }
    ScanReport {
        schema_version: SCHEMA_VERSION,
        now: options.now,
        exposure_score: round(crate::score::exposure(&all_scored).score),
        previous: None,
        gate: Gate {
            passed: !denied && !unevaluated && errors.is_empty(),
            unevaluated: unevaluated && !denied,
            reasons,
        },
        coverage: Coverage::from_tally(all_judged, all_total, all_unreached, &all_tally),
        projects,
        exceptions,
        errors,
    }
}

/// Weighted risk: risk × the blast radius as shown (three decimals), to one decimal, so the
/// arithmetic can be redone from the output.
pub fn weighted(risk: f64, blast_radius: f64) -> f64 {
    round(risk * round3(blast_radius))
}

fn plural(count: usize, thing: &str) -> String {
    if count == 1 {
        format!("1 {thing}")
    } else {
        format!("{count} {thing}s")
    }
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0 + 0.0
}

fn summarize(packages: &[PackageResult]) -> Summary {
    let count = |level: Level| {
        packages
            .iter()
            .flat_map(|package| &package.findings)
            .filter(|finding| finding.level == level)
            .count()
    };
    Summary {
        packages: packages.len(),
        skipped: 0,
        deny: count(Level::Deny),
        warn: count(Level::Warn),
        allow: count(Level::Allow),
        unknown: packages.iter().filter(|p| !p.unknown.is_empty()).count(),
    }
}

impl ScanReport {
    /// Puts the latest earlier run of `history` beside this report's scores (runs at or after
    /// the report's clock are not "earlier"), then records this report as a run.
    pub fn annotate_and_record(&mut self, history: &mut crate::history::History) {
        use crate::history::Previous;
        if let Some(run) = history.latest_before(self.now) {
            self.previous = Some(Previous {
                at: run.at,
                exposure_score: run.exposure_score,
            });
            for project in &mut self.projects {
                project.previous = run.projects.get(&project.lockfile).map(|score| Previous {
                    at: run.at,
                    exposure_score: *score,
                });
            }
        }
        history.record(crate::history::Run {
            at: self.now,
            exposure_score: self.exposure_score,
            projects: self
                .projects
                .iter()
                .map(|p| (p.lockfile.clone(), p.exposure_score))
                .collect(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DepKind, Ecosystem, LockfileBuilder, PackageId};
    use crate::signals::test_support::{NOW, by, facts, facts_with, release, unknown_facts};

    /// A project `app` → `pkg@1.1.0` → `leaf@1.0.0`, plus a path dependency; the registry
    /// packages at the lines the parser would give them in a package-lock.json.
    fn graph() -> DepGraph {
        let mut builder = LockfileBuilder::new(Ecosystem::Npm);
        let app = builder.package(
            PackageId::new(Ecosystem::Npm, "app", "0.0.0"),
            Source::Workspace,
        );
        builder.root(app.clone());
        let pkg = builder.package_at(
            PackageId::new(Ecosystem::Npm, "pkg", "1.1.0"),
            Source::Registry(None),
            Some(3),
        );
        let leaf = builder.package_at(
            PackageId::new(Ecosystem::Npm, "leaf", "1.0.0"),
            Source::Registry(None),
            Some(6),
        );
        let local = builder.package(
            PackageId::new(Ecosystem::Npm, "local", "1.0.0"),
            Source::Path("../local".into()),
        );
        builder.edge(&app, &pkg, DepKind::Normal);
        builder.edge(&pkg, &leaf, DepKind::Normal);
        builder.edge(&app, &local, DepKind::Normal);
        crate::graph::build(builder.finish("npm/package-lock", "3"))
    }

    fn leaf_facts() -> PackageFacts {
        let mut leaf = facts();
        leaf.id = "npm:leaf@1.0.0".parse().unwrap();
        leaf.name = "leaf".into();
        leaf.version = "1.0.0".into();
        leaf.releases = Fact::Known(vec![release("1.0.0", "2020-01-01T00:00:00Z")]);
        leaf
    }

    use crate::model::facts::Fact;

    /// `pkg@1.1.0` published by a new account `mallory` (new-publisher, warn by default).
    fn all_facts() -> BTreeMap<String, PackageFacts> {
        let pkg = facts_with(
            "npm",
            "1.1.0",
            vec![
                release("1.0.0", "2025-01-01T00:00:00Z"),
                by(release("1.1.0", "2025-12-01T00:00:00Z"), "mallory"),
            ],
        );
        [pkg, leaf_facts()]
            .into_iter()
            .map(|f| (f.id.to_string(), f))
            .collect()
    }

    fn policy(text: &str) -> Policy {
        crate::config::Config::parse(text, std::path::Path::new("deptrust.toml"))
            .unwrap()
            .policy
    }

    fn run(policy: &Policy, facts: &BTreeMap<String, PackageFacts>) -> ScanReport {
        run_with(policy, facts, None)
    }

    fn run_with(
        policy: &Policy,
        facts: &BTreeMap<String, PackageFacts>,
        baseline: Option<&BTreeSet<(String, String)>>,
    ) -> ScanReport {
        let graph = graph();
        let inputs = [Input {
            lockfile: "package-lock.json",
            graph: &graph,
        }];
        evaluate(
            &inputs,
            facts,
            &BTreeMap::new(),
            Options {
                policy,
                now: NOW,
                baseline,
            },
            Vec::new(),
        )
    }

    fn package<'a>(report: &'a ScanReport, name: &str) -> &'a PackageResult {
        report.projects[0]
            .packages
            .iter()
            .find(|p| p.name == name)
            .unwrap()
    }

    #[test]
    fn findings_scores_and_a_passing_gate_at_warn() {
        let report = run(&Policy::default(), &all_facts());
        assert!(report.gate.passed, "{:?}", report.gate);
        let pkg = package(&report, "pkg");
        let rules: Vec<&str> = pkg.findings.iter().map(|f| f.rule.as_str()).collect();
        assert!(rules.contains(&"new-publisher"), "{rules:?}");
        let finding = pkg
            .findings
            .iter()
            .find(|f| f.rule == "new-publisher")
            .unwrap();
        assert_eq!(finding.level, Level::Warn);
        assert_eq!(finding.severity, Severity::High);
        // new-publisher (high, 75) is the most severe finding counted: no-provenance is
        // allow/info.
        assert_eq!(pkg.risk, 75.0);
        assert_eq!(pkg.weighted_risk, round(75.0 * pkg.blast_radius));
        assert_eq!(pkg.weighted_risk, weighted(75.0, pkg.blast_radius));
        assert_eq!(pkg.line, Some(3));
        assert_eq!(package(&report, "leaf").line, Some(6));
        // The path dependency and the root are not evaluated; the path one is counted.
        assert_eq!(report.projects[0].summary.packages, 2);
        assert_eq!(report.projects[0].summary.skipped, 1);
        // The contributions account for the score; one package alone scores its weighted risk.
        let project = &report.projects[0];
        let sum: f64 = project.packages.iter().map(|p| p.contribution).sum();
        assert!((project.exposure_score - sum).abs() <= 0.1, "{project:?}");
        assert!(project.exposure_score >= pkg.weighted_risk - 0.1);
        // Largest contribution first.
        assert_eq!(report.projects[0].packages[0].name, "pkg");
    }

    #[test]
    fn deny_fails_the_gate_and_an_exception_accepts_it() {
        let denying = "version = 1\n[rules.new-publisher]\nlevel = \"deny\"\n";
        let report = run(&policy(denying), &all_facts());
        assert!(!report.gate.passed);
        assert!(!report.gate.unevaluated);
        assert_eq!(
            report.gate.reasons,
            vec!["npm:pkg@1.1.0: new-publisher (deny)".to_string()]
        );

        let excepted = format!(
            "{denying}[[exceptions]]\npackage = \"npm:pkg@1.1.0\"\nrule = \"new-publisher\"\nreason = \"mallory is the new maintainer, announced\"\n"
        );
        let report = run(&policy(&excepted), &all_facts());
        assert!(report.gate.passed, "{:?}", report.gate);
        let finding = package(&report, "pkg")
            .findings
            .iter()
            .find(|f| f.rule == "new-publisher")
            .unwrap();
        assert_eq!(finding.level, Level::Allow);
        assert!(finding.exception.is_some());
        assert_eq!(package(&report, "pkg").risk, 0.0);
        assert!(report.exceptions.is_empty(), "{:?}", report.exceptions);

        // Expired: no longer applies, and is reported.
        let expired = format!("{excepted}expires = 2025-12-31\n");
        let report = run(&policy(&expired), &all_facts());
        assert!(!report.gate.passed);
        assert_eq!(report.exceptions.len(), 1);
        assert_eq!(report.exceptions[0].problem, ExceptionProblem::Expired);

        // Matching nothing: reported as unused.
        let unused = format!(
            "{denying}[[exceptions]]\npackage = \"npm:other\"\nrule = \"*\"\nreason = \"x\"\n"
        );
        let report = run(&policy(&unused), &all_facts());
        assert_eq!(report.exceptions[0].problem, ExceptionProblem::Unused);
    }

    #[test]
    fn a_baseline_keeps_old_debt_from_failing_the_gate() {
        let denying = policy("version = 1\n[rules.new-publisher]\nlevel = \"deny\"\n");
        let baseline: BTreeSet<(String, String)> =
            [("npm:pkg@1.1.0".to_string(), "new-publisher".to_string())].into();
        let report = run_with(&denying, &all_facts(), Some(&baseline));
        assert!(report.gate.passed, "{:?}", report.gate);
        let finding = package(&report, "pkg")
            .findings
            .iter()
            .find(|f| f.rule == "new-publisher")
            .unwrap();
        assert!(finding.baseline);
        assert_eq!(finding.level, Level::Deny);
        // Another version is not debt.
        let other: BTreeSet<(String, String)> =
            [("npm:pkg@1.0.0".to_string(), "new-publisher".to_string())].into();
        assert!(!run_with(&denying, &all_facts(), Some(&other)).gate.passed);
    }

    #[test]
    fn unknown_facts_gate_only_under_unknown_deny() {
        let mut facts = all_facts();
        let mut blind = unknown_facts();
        blind.id = "npm:leaf@1.0.0".parse().unwrap();
        blind.name = "leaf".into();
        blind.version = "1.0.0".into();
        facts.insert(blind.id.to_string(), blind);
        let report = run(&Policy::default(), &facts);
        assert!(report.gate.passed);
        let leaf = package(&report, "leaf");
        assert!(!leaf.unknown.is_empty());
        // Unknown adds nothing to the score: it is listed, not guessed.
        assert_eq!(leaf.risk, 0.0);
        assert_eq!(
            report.projects[0].summary.unknown,
            report.projects[0]
                .packages
                .iter()
                .filter(|p| !p.unknown.is_empty())
                .count()
        );

        let report = run(&policy("version = 1\nunknown = \"deny\"\n"), &facts);
        assert!(!report.gate.passed);
        assert!(report.gate.unevaluated);
        assert!(
            report
                .gate
                .reasons
                .iter()
                .any(|r| r.starts_with("npm:leaf@1.0.0: ") && r.contains("could not be evaluated")),
            "{:?}",
            report.gate.reasons
        );
    }

    #[test]
    fn missing_facts_are_unknown_not_clear() {
        let mut facts = all_facts();
        facts.remove("npm:leaf@1.0.0");
        let report = run(&Policy::default(), &facts);
        assert!(!package(&report, "leaf").unknown.is_empty());
    }

    #[test]
    fn dev_and_ecosystem_settings_leave_packages_out() {
        let report = run(
            &policy("version = 1\necosystems = [\"pypi\"]\n"),
            &all_facts(),
        );
        assert_eq!(report.projects[0].summary.packages, 0);
        assert_eq!(report.projects[0].exposure_score, 0.0);
    }
}

//! The monthly view (`deptrust report`): one page for the people who track dependency risk
//! over time, built from the scan JSON reports and `--history` files that each repository's CI
//! keeps. Pure: [`build`] takes parsed inputs and a clock and returns a [`MonthlyReport`]; the
//! renderers in `report/` write it as HTML or Markdown; `app::report` reads the files.
//!
//! What it computes (the definitions are in `docs/report.md`):
//! - each repository's exposure score now (its latest scan report) and its trend: the last
//!   recorded run of each calendar month (UTC) from its history file and reports;
//! - the organisation's score when there are several repositories: the mean of their scores, so
//!   that each package's share of it (the sum of its contributions over the repositories,
//!   divided by their number) adds up to it exactly;
//! - the top contributors (packages, and rules by the finding that gives a package its risk);
//! - trust events in the period: findings about events (a new publisher, an owner change, a
//!   moved repository, a revival…) dated inside it, and, where an earlier report of the same
//!   repository is given, what changed since: packages added, removed or changed version, and
//!   findings that appeared or cleared (provenance lost or gained, a new install script, a
//!   deprecation, a yank);
//! - the packages shared by the most repositories (the organisation's widest blast radius);
//! - coverage: what could not be judged and why, merged over repositories.

mod build;
mod input;

pub use build::{BuildError, BuildOptions, MAX_EVENTS, RepositoryInput, Since, build, parse_since};
pub use input::{
    DocumentKind, InputError, ParsedCoverage, ParsedFinding, ParsedHistory, ParsedPackage,
    ParsedProject, ParsedReport, document_kind, parse_history, parse_report,
};

use jiff::Timestamp;
use serde::Serialize;

use crate::rules::Severity;

/// The whole monthly view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyReport {
    /// The report's title.
    pub title: String,
    /// The report's clock: the latest scan report's time unless given.
    pub now: Timestamp,
    /// Start of the period for trust events.
    pub since: Timestamp,
    /// The headline score: the one repository's, or the organisation's (mean of repositories).
    pub exposure_score: f64,
    /// The headline score at the last recorded run before this month (for "which way").
    pub previous: Option<Point>,
    /// The trend of the headline score, one point per month, oldest first.
    pub trend: Vec<Point>,
    /// Repositories, highest score first (one when the report is about one repository).
    pub repositories: Vec<Repository>,
    /// Series for the trend chart: per project (one repository) or per repository
    /// (several), highest score now first; at most [`MAX_SERIES`].
    pub series: Vec<Series>,
    /// Packages by their share of the headline score, largest first.
    pub top_packages: Vec<Contributor>,
    /// Rules by the share of the headline score of the packages whose risk they set.
    pub top_rules: Vec<RuleShare>,
    /// Trust events in the period, newest first.
    pub events: Vec<TrustEvent>,
    /// Packages used by the most repositories (empty for one repository).
    pub shared: Vec<SharedPackage>,
    /// What could not be judged, merged over repositories.
    pub coverage: CoverageView,
    /// Alerts raised by the thresholds of `[report]` in deptrust.toml (empty: none).
    pub alerts: Vec<String>,
    /// Things the reader should know about the inputs (a repository without history, a report
    /// older than the period…).
    pub notes: Vec<String>,
}

/// Series drawn at most on the chart (the rest are in the tables).
pub const MAX_SERIES: usize = 8;

/// A score at a time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// When it was recorded.
    pub at: Timestamp,
    /// The score (0–100).
    pub score: f64,
}

/// One line of the trend chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// What it is the score of (a project's lockfile or a repository's name).
    pub label: String,
    /// One point per month, oldest first.
    pub points: Vec<Point>,
}

/// One repository (one scan report, the latest given for its name).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repository {
    /// Its name (from `NAME=FILE`, or the report's file or folder name).
    pub name: String,
    /// When its latest report was made.
    pub at: Timestamp,
    /// Its exposure score now.
    pub exposure_score: f64,
    /// Its last recorded run before this month, when known.
    pub previous: Option<Point>,
    /// Whether its latest scan passed the gate.
    pub gate_passed: bool,
    /// Percent of signal inputs judged.
    pub coverage_percent: f64,
    /// Packages evaluated, and how many at warn or deny.
    pub packages: usize,
    /// Packages with a finding at warn or deny.
    pub flagged: usize,
    /// Its projects (lockfiles), highest score first.
    pub projects: Vec<ProjectScore>,
}

/// One project of a repository.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectScore {
    /// The lockfile.
    pub lockfile: String,
    /// `cargo`, `npm` or `pypi`.
    pub ecosystem: String,
    /// Its exposure score.
    pub exposure_score: f64,
    /// Its previous score, when the history has one.
    pub previous: Option<Point>,
}

/// A package's share of the headline score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contributor {
    /// `ecosystem:name` (versions differ between repositories).
    pub package: String,
    /// Versions in use, sorted.
    pub versions: Vec<String>,
    /// Its share of the headline score.
    pub contribution: f64,
    /// The largest blast radius it has in any project (0–1).
    pub blast_radius: f64,
    /// The finding that sets its risk: rule, severity, message.
    pub rule: String,
    /// Severity of that finding.
    pub severity: Severity,
    /// Its message (registry text, sanitised by the renderer).
    pub message: String,
    /// What to do: the rule's remediation.
    pub remediation: String,
    /// Repositories it is flagged in (names), sorted.
    pub repositories: Vec<String>,
}

/// A rule's share of the headline score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleShare {
    /// The rule id.
    pub rule: String,
    /// Its title.
    pub title: String,
    /// The most severe severity it fired with.
    pub severity: Severity,
    /// Share of the headline score.
    pub contribution: f64,
    /// Packages it sets the risk of.
    pub packages: usize,
    /// What to do (the rule's remediation).
    pub remediation: String,
}

/// What kind of trust event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// A package entered the graph.
    Added,
    /// A package left the graph.
    Removed,
    /// A package changed version.
    Changed,
    /// A version published by someone who had not published it before.
    NewPublisher,
    /// The accounts that can publish changed.
    OwnersChanged,
    /// A release lost the provenance earlier ones had, or a package is now without it.
    ProvenanceLost,
    /// A package that had no (or dropped) provenance now has it.
    ProvenanceGained,
    /// Where or by whom a release was built changed.
    PublisherIdentityChanged,
    /// The declared source repository moved.
    RepoMoved,
    /// A release after a long silence.
    DormantRevival,
    /// Deprecated by its publisher.
    Deprecated,
    /// Yanked.
    Yanked,
    /// A new install script (or a source-only release that runs its build).
    InstallScript,
    /// Any other finding that appeared.
    FindingAppeared,
    /// Any other finding that cleared.
    FindingCleared,
}

impl EventKind {
    /// Stable kebab-case id.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Added => "added",
            EventKind::Removed => "removed",
            EventKind::Changed => "changed",
            EventKind::NewPublisher => "new-publisher",
            EventKind::OwnersChanged => "owners-changed",
            EventKind::ProvenanceLost => "provenance-lost",
            EventKind::ProvenanceGained => "provenance-gained",
            EventKind::PublisherIdentityChanged => "publisher-identity-changed",
            EventKind::RepoMoved => "repo-moved",
            EventKind::DormantRevival => "dormant-revival",
            EventKind::Deprecated => "deprecated",
            EventKind::Yanked => "yanked",
            EventKind::InstallScript => "install-script",
            EventKind::FindingAppeared => "finding-appeared",
            EventKind::FindingCleared => "finding-cleared",
        }
    }

    /// Short words for a reader ("new publisher").
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Added => "added",
            EventKind::Removed => "removed",
            EventKind::Changed => "version changed",
            EventKind::NewPublisher => "new publisher",
            EventKind::OwnersChanged => "owners changed",
            EventKind::ProvenanceLost => "provenance lost",
            EventKind::ProvenanceGained => "provenance gained",
            EventKind::PublisherIdentityChanged => "builder changed",
            EventKind::RepoMoved => "repository moved",
            EventKind::DormantRevival => "dormant package revived",
            EventKind::Deprecated => "deprecated",
            EventKind::Yanked => "yanked",
            EventKind::InstallScript => "install script",
            EventKind::FindingAppeared => "new finding",
            EventKind::FindingCleared => "finding cleared",
        }
    }
}

/// One trust event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrustEvent {
    /// When it happened (a release's publish time), or, for a change seen between two reports,
    /// the later report's time.
    pub at: Timestamp,
    /// `true` when `at` is the time of the report that first saw it, not of the event itself.
    pub seen_between_reports: bool,
    /// The kind.
    pub kind: EventKind,
    /// The repository.
    pub repository: String,
    /// The package id (`ecosystem:name@version`).
    pub package: String,
    /// The rule behind it, when a finding is.
    pub rule: Option<String>,
    /// Severity when a finding is behind it.
    pub severity: Option<Severity>,
    /// What happened (registry text, sanitised by the renderer).
    pub detail: String,
}

/// Coverage merged over repositories.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CoverageView {
    /// Signal inputs judged.
    pub judged: u64,
    /// Signal inputs in all.
    pub total: u64,
    /// `judged / total` in percent (100 when there is nothing to judge).
    pub percent: f64,
    /// Causes of what was not judged, most signals first.
    pub causes: Vec<CoverageCause>,
}

/// One cause of unknowns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageCause {
    /// The cause as the scan grouped it.
    pub cause: String,
    /// The facts it left unknown.
    pub facts: Vec<String>,
    /// Packages affected (summed over repositories).
    pub packages: u64,
    /// Signal inputs it left unjudged.
    pub signals: u64,
    /// Repositories it appears in.
    pub repositories: usize,
}

/// A package used by several repositories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedPackage {
    /// `ecosystem:name`.
    pub package: String,
    /// Repositories that use it.
    pub repositories: usize,
    /// Out of how many.
    pub of: usize,
    /// Versions in use, sorted.
    pub versions: Vec<String>,
    /// The largest blast radius it has in any project (0–1).
    pub max_blast_radius: f64,
    /// Mean of its largest blast radius in each repository that uses it.
    pub mean_blast_radius: f64,
    /// Its most severe finding at warn or deny in any repository, if any: (rule, severity).
    pub worst: Option<(String, Severity)>,
    /// Its share of the organisation's score.
    pub contribution: f64,
}

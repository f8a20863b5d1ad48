//! Evaluation: signals applied to every package of every project, judged by the policy, scored
//! and turned into one gate decision. Pure: the facts, graphs, policy and clock come in, a
//! [`ScanReport`] goes out; renderers in [`crate::report`] write it.
//!
//! The JSON form of [`ScanReport`] is public (`schema_version` 1; README, "Scan output").

use serde::Serialize;
use serde_json::Value;

use crate::rules::{Level, Severity};

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
    /// The gate decision.
    pub gate: Gate,
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
    /// No finding at level deny, and no unknown under `unknown = "deny"`.
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
    /// Counts of findings by level, and of packages with unknown facts.
    pub summary: Summary,
    /// Packages, highest weighted risk first.
    pub packages: Vec<PackageResult>,
}

/// Counts for a summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Packages evaluated.
    pub packages: usize,
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
    /// Risk from its findings (0–100).
    pub risk: f64,
    /// `risk × blast_radius`.
    pub weighted_risk: f64,
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
    pub problem: String,
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

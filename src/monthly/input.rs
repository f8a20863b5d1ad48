//! The two inputs of `deptrust report`, read through private wire types that take only what the
//! monthly view needs (other fields of these public documents are ignored, so reports and
//! histories written by later deptrust versions with new fields still read):
//! - a scan JSON report (`deptrust scan --json`, `docs/json.md`, `schema_version` 1);
//! - a history file (`deptrust scan --history`, [`crate::history`]).

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::history::History;
use crate::rules::{Level, Severity};

/// A scan report, as the monthly view needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedReport {
    /// When the scan ran.
    pub at: Timestamp,
    /// Its overall exposure score.
    pub exposure_score: f64,
    /// Whether the gate passed.
    pub gate_passed: bool,
    /// Signal inputs judged and in all, and the causes of the rest.
    pub coverage: ParsedCoverage,
    /// Its projects.
    pub projects: Vec<ParsedProject>,
}

/// Coverage of one report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedCoverage {
    /// Judged inputs.
    pub judged: u64,
    /// All inputs.
    pub total: u64,
    /// (cause, facts, packages, signals).
    pub causes: Vec<(String, Vec<String>, u64, u64)>,
}

/// One project of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedProject {
    /// The lockfile.
    pub lockfile: String,
    /// Its ecosystem.
    pub ecosystem: String,
    /// Its exposure score.
    pub exposure_score: f64,
    /// Its packages (every package the scan evaluated).
    pub packages: Vec<ParsedPackage>,
}

/// One package of a project.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedPackage {
    /// `ecosystem:name@version`.
    pub id: String,
    /// `ecosystem:name`.
    pub key: String,
    /// The version.
    pub version: String,
    /// Its blast radius (0–1).
    pub blast_radius: f64,
    /// Its contribution to the project's score.
    pub contribution: f64,
    /// Its findings.
    pub findings: Vec<ParsedFinding>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFinding {
    /// Rule id.
    pub rule: String,
    /// Policy level.
    pub level: Level,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
    /// When the event it is about happened (a release's publish time), when its evidence says.
    pub event_at: Option<Timestamp>,
}

impl ParsedFinding {
    /// Whether the policy acts on it (warn or deny).
    pub fn counted(&self) -> bool {
        matches!(self.level, Level::Warn | Level::Deny)
    }
}

/// A history file, as the monthly view needs it.
pub type ParsedHistory = History;

/// An input that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("`{path}`: {reason}")]
pub struct InputError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

#[derive(Deserialize)]
struct WireReport {
    schema_version: u32,
    now: Timestamp,
    exposure_score: f64,
    gate: WireGate,
    #[serde(default)]
    coverage: Option<WireCoverage>,
    #[serde(default)]
    projects: Vec<WireProject>,
}

#[derive(Deserialize)]
struct WireGate {
    passed: bool,
}

#[derive(Deserialize)]
struct WireCoverage {
    judged: u64,
    total: u64,
    #[serde(default)]
    causes: Vec<WireCause>,
}

#[derive(Deserialize)]
struct WireCause {
    cause: String,
    #[serde(default)]
    facts: Vec<String>,
    #[serde(default)]
    packages: u64,
    #[serde(default)]
    signals: u64,
}

#[derive(Deserialize)]
struct WireProject {
    lockfile: String,
    ecosystem: String,
    exposure_score: f64,
    #[serde(default)]
    packages: Vec<WirePackage>,
}

#[derive(Deserialize)]
struct WirePackage {
    id: String,
    name: String,
    version: String,
    blast_radius: f64,
    #[serde(default)]
    contribution: f64,
    #[serde(default)]
    findings: Vec<WireFinding>,
}

#[derive(Deserialize)]
struct WireFinding {
    rule: String,
    level: Level,
    severity: Severity,
    #[serde(default)]
    message: String,
    #[serde(default)]
    evidence: Value,
}

/// What a JSON document is, from its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A history file (`schema_version` and `runs`).
    History,
    /// A scan report (`now`, `exposure_score`, `gate` and `projects`).
    ScanReport,
    /// Anything else (a facts snapshot, a diff report, SARIF, another tool's JSON, not JSON).
    Other,
}

/// Tells a history file from a scan report from anything else, by its top-level keys only.
pub fn document_kind(text: &str) -> DocumentKind {
    use serde::de::IgnoredAny;
    #[derive(Deserialize)]
    struct Probe {
        schema_version: Option<IgnoredAny>,
        runs: Option<IgnoredAny>,
        now: Option<IgnoredAny>,
        exposure_score: Option<IgnoredAny>,
        gate: Option<IgnoredAny>,
        projects: Option<IgnoredAny>,
    }
    match serde_json::from_str::<Probe>(text) {
        Ok(probe) if probe.schema_version.is_some() && probe.runs.is_some() => {
            DocumentKind::History
        }
        Ok(probe)
            if probe.now.is_some()
                && probe.exposure_score.is_some()
                && probe.gate.is_some()
                && probe.projects.is_some() =>
        {
            DocumentKind::ScanReport
        }
        _ => DocumentKind::Other,
    }
}

/// Parses a scan JSON report (`path` names it in errors).
pub fn parse_report(text: &str, path: &str) -> Result<ParsedReport, InputError> {
    let error = |reason: String| InputError {
        path: path.to_string(),
        reason,
    };
    let wire: WireReport = serde_json::from_str(text).map_err(|e| {
        error(format!(
            "not a deptrust scan JSON report (`deptrust scan --json`): {e}"
        ))
    })?;
    if wire.schema_version != crate::scan::SCHEMA_VERSION {
        return Err(error(format!(
            "scan report schema_version {} (this deptrust reads {})",
            wire.schema_version,
            crate::scan::SCHEMA_VERSION
        )));
    }
    let score = |value: f64, what: &str| {
        if value.is_finite() && (0.0..=100.0).contains(&value) {
            Ok(value)
        } else {
            Err(error(format!(
                "{what} {value} is not a score from 0 to 100"
            )))
        }
    };
    let exposure_score = score(wire.exposure_score, "exposure_score")?;
    let mut projects = Vec::with_capacity(wire.projects.len());
    for project in wire.projects {
        let exposure_score = score(
            project.exposure_score,
            &format!("{}: exposure_score", project.lockfile),
        )?;
        let mut packages = Vec::with_capacity(project.packages.len());
        for package in project.packages {
            let ecosystem = package
                .id
                .split_once(':')
                .map(|(ecosystem, _)| ecosystem)
                .ok_or_else(|| {
                    error(format!(
                        "package id `{}` is not `ecosystem:name@version`",
                        package.id
                    ))
                })?;
            let blast_radius = if package.blast_radius.is_finite() {
                package.blast_radius.clamp(0.0, 1.0)
            } else {
                0.0
            };
            let contribution = if package.contribution.is_finite() {
                package.contribution.clamp(0.0, 100.0)
            } else {
                0.0
            };
            packages.push(ParsedPackage {
                key: format!("{ecosystem}:{}", package.name),
                id: package.id,
                version: package.version,
                blast_radius,
                contribution,
                findings: package
                    .findings
                    .into_iter()
                    .map(|finding| ParsedFinding {
                        event_at: event_time(&finding.evidence),
                        rule: finding.rule,
                        level: finding.level,
                        severity: finding.severity,
                        message: finding.message,
                    })
                    .collect(),
            });
        }
        projects.push(ParsedProject {
            lockfile: project.lockfile,
            ecosystem: project.ecosystem,
            exposure_score,
            packages,
        });
    }
    let coverage = wire
        .coverage
        .map(|coverage| ParsedCoverage {
            judged: coverage.judged.min(coverage.total),
            total: coverage.total,
            causes: coverage
                .causes
                .into_iter()
                .map(|cause| (cause.cause, cause.facts, cause.packages, cause.signals))
                .collect(),
        })
        .unwrap_or_default();
    Ok(ParsedReport {
        at: wire.now,
        exposure_score,
        gate_passed: wire.gate.passed,
        coverage,
        projects,
    })
}

/// Parses a history file (`path` names it in errors).
pub fn parse_history(text: &str, path: &str) -> Result<ParsedHistory, InputError> {
    let history = History::parse(text, path).map_err(|error| InputError {
        path: path.to_string(),
        reason: error.reason,
    })?;
    for run in &history.runs {
        let scores = std::iter::once(&run.exposure_score).chain(run.projects.values());
        for score in scores {
            if !(score.is_finite() && (0.0..=100.0).contains(score)) {
                return Err(InputError {
                    path: path.to_string(),
                    reason: format!("the run at {} has a score {score} outside 0–100", run.at),
                });
            }
        }
    }
    Ok(history)
}

/// When the event a finding is about happened: the `published` time of its `age` (the event
/// signals' decay evidence) or of the provenance `drop`.
fn event_time(evidence: &Value) -> Option<Timestamp> {
    ["age", "drop"].iter().find_map(|key| {
        evidence
            .get(key)?
            .get("published")?
            .as_str()?
            .parse::<Timestamp>()
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"schema_version": 1, "now": "2026-11-28T12:00:00Z", "exposure_score": 46.9,
      "gate": {"passed": false, "unevaluated": false, "reasons": []},
      "coverage": {"judged": 10, "total": 12, "percent": 83.3, "registry_not_reached": 0,
        "causes": [{"cause": "`api.github.com`: could not be reached", "network": true,
                    "facts": ["repository_facts"], "packages": 1, "signals": 2}]},
      "projects": [{"lockfile": "package-lock.json", "ecosystem": "npm", "exposure_score": 46.9,
        "summary": {}, "coverage": {},
        "packages": [{"id": "npm:@scope/foo@1.2.3", "name": "@scope/foo", "version": "1.2.3",
          "direct": true, "dev": false, "blast_radius": 0.6, "risk": 75, "weighted_risk": 45,
          "contribution": 45, "future_field": [1, 2],
          "findings": [{"rule": "new-publisher", "level": "deny", "severity": "high",
            "message": "m", "evidence": {"age": {"published": "2026-11-20T00:00:00Z"}}}],
          "unknown": []}]}],
      "exceptions": [], "errors": []}"#;

    #[test]
    fn a_scan_report_reads_with_its_event_dates() {
        let report = parse_report(REPORT, "r.json").unwrap();
        assert_eq!(report.exposure_score, 46.9);
        assert!(!report.gate_passed);
        assert_eq!(report.coverage.causes[0].3, 2);
        let package = &report.projects[0].packages[0];
        assert_eq!(package.key, "npm:@scope/foo");
        let finding = &package.findings[0];
        assert!(finding.counted());
        assert_eq!(
            finding.event_at,
            Some("2026-11-20T00:00:00Z".parse().unwrap())
        );
        assert_eq!(document_kind(REPORT), DocumentKind::ScanReport);
        assert_eq!(
            document_kind(r#"{"schema_version": 1, "runs": []}"#),
            DocumentKind::History
        );
        for other in [
            "",
            "[]",
            r#"{"schema_version": 2, "now": "x", "strings": [], "facts": []}"#,
            r#"{"version": "2.1.0", "runs": []}"#,
            r#"{"schema_version": 1, "base": "a", "head": "b", "exposure": {}, "projects": [], "gate": {}}"#,
        ] {
            assert_eq!(document_kind(other), DocumentKind::Other, "{other}");
        }
    }

    #[test]
    fn bad_inputs_are_errors_naming_the_file() {
        let cases = [
            "",
            "[]",
            "{}",
            &REPORT.replace("\"schema_version\": 1", "\"schema_version\": 9"),
            &REPORT.replace("46.9,\n      \"gate\"", "460.9,\n      \"gate\""),
            &REPORT.replace("npm:@scope/foo@1.2.3", "nocolon"),
            &REPORT.replace("\"high\"", "\"extreme\""),
        ];
        for text in cases {
            let error = parse_report(text, "reports/r.json").unwrap_err();
            assert!(
                error.to_string().starts_with("`reports/r.json`: "),
                "{error}"
            );
        }
        let error = parse_history(
            r#"{"schema_version": 1, "runs": [{"at": "2026-01-01T00:00:00Z", "exposure_score": 101, "projects": {}}]}"#,
            "h.json",
        )
        .unwrap_err();
        assert!(error.to_string().contains("outside 0–100"), "{error}");
    }
}

//! The rule catalog: one `rules/<id>.toml` per signal, embedded in the binary. A rule's id is
//! public API (the `deptrust.toml` key, the SARIF `ruleId`, the file name); its file says what
//! it checks, why, how to fix it, its default level and severity, and its parameters with their
//! defaults. Severity weights (for the risk score) are in `rules/severity.toml`.
//!
//! The files are parsed once, on first use; a test proves every embedded file parses and that
//! every signal in [`crate::signals::SIGNALS`] has exactly one rule and the other way round.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// What the policy does with a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Recorded, never shown as a problem.
    Allow,
    /// Shown; does not fail the gate.
    Warn,
    /// Fails the gate.
    Deny,
}

impl Level {
    /// `allow`, `warn`, `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    /// Parses `allow`, `warn`, `deny`.
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a finding weighs in the risk score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Informational: weight 0 by default.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// `info`, `low`, `medium`, `high`, `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The weight of one finding of this severity in a package's risk (0–100), from
    /// `rules/severity.toml`.
    pub fn weight(self) -> f64 {
        let weights = &catalog().weights;
        match self {
            Severity::Info => weights.info,
            Severity::Low => weights.low,
            Severity::Medium => weights.medium,
            Severity::High => weights.high,
            Severity::Critical => weights.critical,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule, as its `rules/<id>.toml` describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Public id (kebab-case), equal to the file name.
    pub id: String,
    /// One line.
    pub title: String,
    /// Why it matters, with the incident it comes from.
    pub why: String,
    /// What exactly it checks.
    pub checks: String,
    /// What to do about a finding.
    pub remediation: String,
    /// Level when the policy does not set one.
    pub level: Level,
    /// Severity of a finding.
    pub severity: Severity,
    /// Parameters and their defaults.
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
}

/// A rule parameter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// The default value (an integer, a float, a boolean, a string or a list of strings).
    pub default: toml::Value,
    /// What it means.
    pub description: String,
}

/// Severity weights.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Weight of an info finding.
    pub info: f64,
    /// Weight of a low finding.
    pub low: f64,
    /// Weight of a medium finding.
    pub medium: f64,
    /// Weight of a high finding.
    pub high: f64,
    /// Weight of a critical finding.
    pub critical: f64,
}

/// Every rule, sorted by id, and the severity weights.
#[derive(Debug)]
pub struct Catalog {
    /// The rules, sorted by id.
    pub rules: Vec<Rule>,
    /// Severity weights.
    pub weights: Weights,
}

impl Catalog {
    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|rule| rule.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.rules[index])
    }
}

/// The embedded rule files: one line per rule.
const RULE_FILES: &[(&str, &str)] = &[
    // (file stem, contents) — one line per rule, added with its signal.
];

const SEVERITY_FILE: &str = include_str!("../rules/severity.toml");

/// The catalog, parsed on first use.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| match parse_catalog() {
        Ok(catalog) => catalog,
        // The files are compiled in and a test parses them all: this cannot happen in a build
        // that passed its tests.
        Err(error) => unreachable!("embedded rule catalog is invalid: {error}"),
    })
}

fn parse_catalog() -> Result<Catalog, String> {
    let weights: Weights =
        toml::from_str(SEVERITY_FILE).map_err(|error| format!("rules/severity.toml: {error}"))?;
    let mut rules = Vec::with_capacity(RULE_FILES.len());
    for (stem, text) in RULE_FILES {
        let rule: Rule =
            toml::from_str(text).map_err(|error| format!("rules/{stem}.toml: {error}"))?;
        if rule.id != *stem {
            return Err(format!("rules/{stem}.toml: `id` is `{}`", rule.id));
        }
        rules.push(rule);
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Catalog { rules, weights })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_parses() {
        let catalog = parse_catalog().unwrap();
        assert_eq!(catalog.rules.len(), RULE_FILES.len());
        for rule in &catalog.rules {
            assert!(
                rule.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} is not kebab-case",
                rule.id
            );
        }
    }
}

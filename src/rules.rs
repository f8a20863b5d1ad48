//! The rule catalog: one `rules/<id>.toml` per signal, embedded in the binary. A rule's id is
//! public API (the `deptrust.toml` key, the SARIF `ruleId`, the file name); its file says what
//! it checks, why, how to fix it, its default level and severity, and its parameters with their
//! defaults. Severity weights (for the risk score) are in `rules/severity.toml`.
//!
//! The files are parsed once, on first use; a test proves every embedded file parses, that its
//! parameters fit its signal's typed `Params` (every name, no other, of the field's type: a
//! misspelt, missing or mistyped parameter fails it), and that every signal in
//! `crate::signals::SIGNALS` has exactly one rule and the other way round. The defaults are
//! written here only: the signals have none of their own.

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

    /// The risk (0–100) one finding of this severity gives a package, from
    /// `rules/severity.toml`.
    pub fn weight(self) -> f64 {
        catalog().weights.of(self).risk
    }

    /// The highest exposure score findings of this severity and below can reach together, from
    /// `rules/severity.toml`.
    pub fn ceiling(self) -> f64 {
        catalog().weights.of(self).ceiling
    }

    /// Every severity, least severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
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
    /// Parameters and their defaults (the only place they are written: the signal's `Params`
    /// type has one field per parameter and no default).
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

/// How one severity weighs in the exposure score (`rules/severity.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weight {
    /// The score one finding gives on a package with blast radius 1.
    pub risk: f64,
    /// The highest score findings of this severity and below reach together.
    pub ceiling: f64,
}

/// Severity weights, one table per severity.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Info.
    pub info: Weight,
    /// Low.
    pub low: Weight,
    /// Medium.
    pub medium: Weight,
    /// High.
    pub high: Weight,
    /// Critical.
    pub critical: Weight,
}

impl Weights {
    /// The weight of `severity`.
    pub fn of(&self, severity: Severity) -> Weight {
        match severity {
            Severity::Info => self.info,
            Severity::Low => self.low,
            Severity::Medium => self.medium,
            Severity::High => self.high,
            Severity::Critical => self.critical,
        }
    }

    /// The invariants the score's monotonicity rests on: every value in [0, 100], risk at most
    /// the ceiling, and ceiling, risk and risk / ceiling non-decreasing with severity.
    fn check(&self) -> Result<(), String> {
        let mut previous = Weight {
            risk: 0.0,
            ceiling: 0.0,
        };
        let mut previous_reach = 0.0;
        for severity in Severity::ALL {
            let weight = self.of(severity);
            let problem = if !(0.0..=100.0).contains(&weight.risk)
                || !(0.0..=100.0).contains(&weight.ceiling)
            {
                Some("values must lie in [0, 100]")
            } else if weight.risk > weight.ceiling {
                Some("risk exceeds ceiling")
            } else if weight.risk < previous.risk || weight.ceiling < previous.ceiling {
                Some("risk and ceiling must not fall as severity rises")
            } else if reach(weight) < previous_reach {
                Some("risk / ceiling must not fall as severity rises")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(format!("rules/severity.toml [{severity}]: {problem}"));
            }
            previous = weight;
            previous_reach = reach(weight);
        }
        Ok(())
    }
}

/// The share of its severity's ceiling one finding reaches on a package with blast radius 1.
pub fn reach(weight: Weight) -> f64 {
    if weight.ceiling > 0.0 {
        weight.risk / weight.ceiling
    } else {
        0.0
    }
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
    ("archived", include_str!("../rules/archived.toml")),
    ("deprecated", include_str!("../rules/deprecated.toml")),
    (
        "dormant-revival",
        include_str!("../rules/dormant-revival.toml"),
    ),
    (
        "install-script",
        include_str!("../rules/install-script.toml"),
    ),
    ("new-publisher", include_str!("../rules/new-publisher.toml")),
    ("no-provenance", include_str!("../rules/no-provenance.toml")),
    (
        "no-source-repo",
        include_str!("../rules/no-source-repo.toml"),
    ),
    (
        "owners-changed",
        include_str!("../rules/owners-changed.toml"),
    ),
    (
        "provenance-dropped",
        include_str!("../rules/provenance-dropped.toml"),
    ),
    (
        "provenance-invalid",
        include_str!("../rules/provenance-invalid.toml"),
    ),
    (
        "publisher-identity-changed",
        include_str!("../rules/publisher-identity-changed.toml"),
    ),
    ("repo-moved", include_str!("../rules/repo-moved.toml")),
    ("single-owner", include_str!("../rules/single-owner.toml")),
    ("too-new", include_str!("../rules/too-new.toml")),
    ("unmaintained", include_str!("../rules/unmaintained.toml")),
    ("yanked", include_str!("../rules/yanked.toml")),
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
    weights.check()?;
    let mut rules = Vec::with_capacity(RULE_FILES.len());
    for (stem, text) in RULE_FILES {
        rules.push(parse_rule(stem, text)?);
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Catalog { rules, weights })
}

/// One rule file.
fn parse_rule(stem: &str, text: &str) -> Result<Rule, String> {
    let rule: Rule = toml::from_str(text).map_err(|error| format!("rules/{stem}.toml: {error}"))?;
    if rule.id != stem {
        return Err(format!("rules/{stem}.toml: `id` is `{}`", rule.id));
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::BTreeSet;

    use crate::signals::{SIGNALS, signal};

    /// A rule file as the tests check it: parsed, and its parameters typed by its signal.
    fn check_rule(stem: &str, text: &str) -> Result<Rule, String> {
        let rule = parse_rule(stem, text)?;
        let defaults = rule
            .parameters
            .iter()
            .map(|(name, parameter)| (name.clone(), parameter.default.clone()))
            .collect();
        let signal = signal(stem).ok_or_else(|| format!("rules/{stem}.toml: no signal"))?;
        signal
            .type_params(&defaults)
            .map_err(|problem| format!("rules/{stem}.toml: [parameters]: {problem}"))?;
        Ok(rule)
    }

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
            for text in [&rule.title, &rule.why, &rule.checks, &rule.remediation] {
                assert!(!text.trim().is_empty(), "{}: an empty text", rule.id);
            }
            for (name, parameter) in &rule.parameters {
                assert!(
                    !parameter.description.trim().is_empty(),
                    "{}: parameter {name} has no description",
                    rule.id
                );
            }
        }

        // One signal per rule and one rule per signal, in the same (id) order.
        let signal_ids: Vec<&str> = SIGNALS.iter().map(|signal| signal.id()).collect();
        let rule_ids: Vec<&str> = catalog.rules.iter().map(|rule| rule.id.as_str()).collect();
        assert_eq!(signal_ids, rule_ids, "SIGNALS and rules/*.toml differ");
        let unique: BTreeSet<&str> = signal_ids.iter().copied().collect();
        assert_eq!(
            unique.len(),
            signal_ids.len(),
            "a signal id is listed twice"
        );
        let stems: BTreeSet<&str> = RULE_FILES.iter().map(|(stem, _)| *stem).collect();
        assert_eq!(stems, unique, "RULE_FILES lists other rules than SIGNALS");

        // Every rule's parameters fit its signal's typed `Params`.
        for (stem, text) in RULE_FILES {
            assert_eq!(check_rule(stem, text).err(), None);
        }
    }

    /// The parameters of a rule file must fit its signal's `Params`: a misspelt, missing,
    /// mistyped or negative parameter is refused by the type.
    #[test]
    fn parameters_that_do_not_fit_the_signal_are_refused() {
        let text = RULE_FILES
            .iter()
            .find(|(stem, _)| *stem == "too-new")
            .map(|(_, text)| *text)
            .unwrap();
        let head = &text[..text.find("[parameters.").unwrap()];
        let file = |parameters: &str| format!("{head}{parameters}");
        let rule = check_rule("too-new", text).unwrap();
        assert_eq!(
            rule.parameters["hours"].default,
            toml::Value::Integer(72),
            "the default is read from the file"
        );
        for (parameters, expected) in [
            (
                "[parameters.hourz]\ndefault = 72\ndescription = \"d\"\n",
                "unknown field `hourz`, expected `hours`",
            ),
            ("", "missing field `hours`"),
            (
                "[parameters.hours]\ndefault = \"72\"\ndescription = \"d\"\n",
                "invalid type: string \"72\", expected u64",
            ),
            (
                "[parameters.hours]\ndefault = -1\ndescription = \"d\"\n",
                "invalid value: integer `-1`, expected u64",
            ),
        ] {
            let error = check_rule("too-new", &file(parameters)).unwrap_err();
            assert!(
                error.starts_with("rules/too-new.toml: [parameters]: ") && error.contains(expected),
                "{parameters:?}: {error}"
            );
        }
        // A rule without parameters takes none.
        let text = RULE_FILES
            .iter()
            .find(|(stem, _)| *stem == "archived")
            .map(|(_, text)| *text)
            .unwrap();
        let error = check_rule(
            "archived",
            &format!("{text}\n[parameters.days]\ndefault = 1\ndescription = \"d\"\n"),
        )
        .unwrap_err();
        assert!(error.contains("unknown field `days`"), "{error}");
    }

    #[test]
    fn levels_and_severities() {
        let catalog = catalog();
        let level = |id: &str| catalog.rule(id).map(|rule| (rule.level, rule.severity));
        assert_eq!(
            level("provenance-invalid"),
            Some((Level::Deny, Severity::Critical))
        );
        assert_eq!(level("no-provenance"), Some((Level::Allow, Severity::Info)));
        assert_eq!(level("too-new"), Some((Level::Warn, Severity::Medium)));
        assert!(Severity::Critical.weight() > Severity::High.weight());
    }

    #[test]
    fn severity_weights_that_would_break_monotonicity_are_refused() {
        let ok = catalog().weights.clone();
        assert_eq!(ok.check(), Ok(()));
        let mut bad = ok.clone();
        bad.medium.risk = 50.0; // above its ceiling
        assert!(
            bad.check()
                .unwrap_err()
                .contains("[medium]: risk exceeds ceiling")
        );
        let mut bad = ok.clone();
        bad.high.ceiling = 30.0;
        assert!(bad.check().is_err());
        let mut bad = ok;
        bad.low = Weight {
            risk: 10.0,
            ceiling: 10.0,
        }; // reach 1 below medium's reach: a higher severity would weigh less
        assert!(bad.check().unwrap_err().contains("risk / ceiling"));
    }
}

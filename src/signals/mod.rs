//! Signals: pure judgement. Each signal is one file, a pure function of a package's facts, its
//! place in the graph, an earlier run's facts (when there is one), the rule's parameters and
//! an injected clock, returning [`Outcome::Clear`], [`Outcome::Risk`] with evidence, or
//! [`Outcome::Unknown`] with the fact that was missing and why. No I/O, no `now()`.
//!
//! Stars, forks, watchers and download counts are never inputs (the facts do not even carry
//! them). A signal's id is public API and has its `rules/<id>.toml`.
//!
//! To add a signal: a file here with a unit struct implementing [`Signal`] and its table
//! tests, one line in [`SIGNALS`], one `rules/<id>.toml`, one line in `rules::RULE_FILES`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::Value;

use crate::registry::facts::PackageFacts;

/// Where the package sits in the project.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// A root depends on it directly.
    pub direct: bool,
    /// Reached only through dev dependencies.
    pub dev: bool,
    /// Share of the project it can reach (0–1), from the graph.
    pub blast_radius: f64,
}

/// Everything a signal may look at.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The package's facts (the version in use is `facts.version`).
    pub facts: &'a PackageFacts,
    /// The same package's facts recorded by an earlier run, when there is one (owners seen
    /// before, for registries that only say who owns a package now).
    pub previous: Option<&'a PackageFacts>,
    /// Its place in the graph.
    pub placement: Placement,
    /// The run's clock.
    pub now: Timestamp,
    /// The rule's parameters: the catalog defaults overridden by the policy.
    pub params: &'a Params,
}

/// The verdict of one signal on one package.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing to report.
    Clear,
    /// A risk, with a one-line message and the evidence behind it.
    Risk {
        /// What was found (plain text; registry text in it is sanitized by renderers).
        message: String,
        /// The facts that show it (JSON object).
        evidence: Value,
        /// A severity other than the rule's, when the evidence warrants it (a dormant package
        /// revived by a new publisher is worse than one revived by its old maintainer).
        severity: Option<crate::rules::Severity>,
    },
    /// Could not be judged.
    Unknown {
        /// The fact that is missing (`releases`, `owners`, `provenance`, …).
        fact: String,
        /// Why it is missing.
        reason: String,
    },
}

/// A signal.
pub trait Signal: Sync {
    /// The public rule id (kebab-case).
    fn id(&self) -> &'static str;
    /// Judges one package.
    fn evaluate(&self, cx: &Context<'_>) -> Outcome;
}

/// Rule parameters, by name: the catalog's defaults overridden by the policy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(pub BTreeMap<String, toml::Value>);

impl Params {
    /// The defaults of rule `id` from the catalog.
    pub fn defaults(id: &str) -> Params {
        Params(
            crate::rules::catalog()
                .rule(id)
                .map(|rule| {
                    rule.parameters
                        .iter()
                        .map(|(name, p)| (name.clone(), p.default.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    /// An integer parameter (`fallback` when absent or not an integer).
    pub fn int(&self, name: &str, fallback: i64) -> i64 {
        self.0
            .get(name)
            .and_then(toml::Value::as_integer)
            .unwrap_or(fallback)
    }

    /// A number parameter (integers are accepted).
    pub fn float(&self, name: &str, fallback: f64) -> f64 {
        match self.0.get(name) {
            Some(toml::Value::Float(value)) => *value,
            Some(toml::Value::Integer(value)) => *value as f64,
            _ => fallback,
        }
    }

    /// A boolean parameter.
    pub fn bool(&self, name: &str, fallback: bool) -> bool {
        self.0
            .get(name)
            .and_then(toml::Value::as_bool)
            .unwrap_or(fallback)
    }
}

/// Every signal: one line each, in rule-id order.
pub static SIGNALS: &[&dyn Signal] = &[];

/// The signal with this id.
pub fn signal(id: &str) -> Option<&'static dyn Signal> {
    SIGNALS.iter().copied().find(|signal| signal.id() == id)
}

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
//! A signal reads every parameter of its rule through [`Params`] first thing, before any early
//! return (a test checks the names it reads against its rule's).

mod archived;
mod deprecated;
mod dormant_revival;
mod install_script;
mod new_publisher;
mod no_provenance;
mod no_source_repo;
mod owners_changed;
mod provenance_dropped;
mod provenance_invalid;
mod publisher_identity_changed;
mod repo_moved;
mod single_owner;
mod support;
#[cfg(test)]
pub(crate) mod test_support;
mod too_new;
mod unmaintained;
mod yanked;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::Value;

use crate::model::facts::PackageFacts;

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
        read(name);
        self.0
            .get(name)
            .and_then(toml::Value::as_integer)
            .unwrap_or(fallback)
    }

    /// A number parameter (integers are accepted).
    pub fn float(&self, name: &str, fallback: f64) -> f64 {
        read(name);
        match self.0.get(name) {
            Some(toml::Value::Float(value)) => *value,
            Some(toml::Value::Integer(value)) => *value as f64,
            _ => fallback,
        }
    }

    /// A boolean parameter.
    pub fn bool(&self, name: &str, fallback: bool) -> bool {
        read(name);
        self.0
            .get(name)
            .and_then(toml::Value::as_bool)
            .unwrap_or(fallback)
    }
}

/// Records that a parameter was read, so a test can compare the names a signal reads with its
/// rule's (a misspelt name would silently fall back to the default).
#[cfg(test)]
fn read(name: &str) {
    PARAMETERS_READ.with(|read| read.borrow_mut().insert(name.to_string()));
}

#[cfg(not(test))]
fn read(_name: &str) {}

#[cfg(test)]
thread_local! {
    static PARAMETERS_READ: std::cell::RefCell<std::collections::BTreeSet<String>> =
        const { std::cell::RefCell::new(std::collections::BTreeSet::new()) };
}

/// The parameter names read on this thread since the last call.
#[cfg(test)]
pub(crate) fn take_parameters_read() -> std::collections::BTreeSet<String> {
    PARAMETERS_READ.with(|read| std::mem::take(&mut *read.borrow_mut()))
}

/// Every signal: one line each, in rule-id order.
pub static SIGNALS: &[&dyn Signal] = &[
    &archived::Archived,
    &deprecated::Deprecated,
    &dormant_revival::DormantRevival,
    &install_script::InstallScript,
    &new_publisher::NewPublisher,
    &no_provenance::NoProvenance,
    &no_source_repo::NoSourceRepo,
    &owners_changed::OwnersChanged,
    &provenance_dropped::ProvenanceDropped,
    &provenance_invalid::ProvenanceInvalid,
    &publisher_identity_changed::PublisherIdentityChanged,
    &repo_moved::RepoMoved,
    &single_owner::SingleOwner,
    &too_new::TooNew,
    &unmaintained::Unmaintained,
    &yanked::Yanked,
];

/// The signal with this id.
pub fn signal(id: &str) -> Option<&'static dyn Signal> {
    SIGNALS.iter().copied().find(|signal| signal.id() == id)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::test_support::{
        attested, build, by, evaluate, evaluate_with, facts_with, owner, release, release_mut,
        unknown_facts,
    };
    use super::*;
    use crate::model::facts::Fact;

    /// The fact names an [`Outcome::Unknown`] may give.
    const FACTS: [&str; 8] = [
        "releases",
        "publisher",
        "owners",
        "provenance",
        "repository",
        "repository_facts",
        "status",
        "install_scripts",
    ];

    #[test]
    fn signals_are_listed_once_in_id_order() {
        let ids: Vec<&str> = SIGNALS.iter().map(|signal| signal.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for id in ids {
            assert_eq!(signal(id).map(|signal| signal.id()), Some(id));
        }
        assert!(signal("stars").is_none());
    }

    #[test]
    fn nothing_known_is_unknown_never_a_risk() {
        let facts = unknown_facts();
        for signal in SIGNALS {
            match evaluate(*signal, &facts) {
                Outcome::Unknown { fact, reason } => {
                    assert!(FACTS.contains(&fact.as_str()), "{}: {fact}", signal.id());
                    assert!(reason.contains("offline"), "{}: {reason}", signal.id());
                }
                other => panic!("{}: {other:?}", signal.id()),
            }
        }
    }

    /// A package with something for every signal to look at: a takeover of an old, dormant
    /// package (new publisher and maintainer, no provenance after attested releases, an
    /// install script, a repository that moved).
    fn busy_package() -> PackageFacts {
        let mut facts = facts_with(
            "npm",
            "2.0.1",
            vec![
                by(release("1.0.0", "2021-01-01T00:00:00Z"), "alice"),
                by(release("1.1.0", "2022-03-01T00:00:00Z"), "alice"),
                by(release("2.0.0", "2025-12-20T00:00:00Z"), "mallory"),
                by(release("2.0.1", "2025-12-30T00:00:00Z"), "mallory"),
            ],
        );
        let attested_release = release_mut(&mut facts, "1.1.0");
        *attested_release = attested(attested_release.clone(), build("owner/repo", "1", "ci.yml"));
        attested_release.maintainers = Some(vec![owner("alice")]);
        release_mut(&mut facts, "2.0.1").maintainers = Some(vec![owner("alice"), owner("mallory")]);
        release_mut(&mut facts, "2.0.0").maintainers = Some(vec![owner("alice")]);
        facts.owners = Fact::Known(vec![owner("mallory")]);
        facts.install_scripts = Fact::Known(
            [("postinstall".to_string(), "node steal.js".to_string())]
                .into_iter()
                .collect(),
        );
        if let Fact::Known(repository) = &mut facts.repository_facts {
            repository.moved_from = Some("owner/old".into());
            repository.pushed_at = None;
        }
        facts
    }

    fn outcomes(
        facts: &PackageFacts,
        previous: Option<&PackageFacts>,
    ) -> Vec<(&'static str, Outcome)> {
        SIGNALS
            .iter()
            .map(|signal| {
                let params = Params::defaults(signal.id());
                (
                    signal.id(),
                    evaluate_with(*signal, facts, previous, &params),
                )
            })
            .collect()
    }

    /// Adds popularity figures to a serialized package and each of its releases.
    fn with_popularity(
        facts: &PackageFacts,
        stars: u64,
        forks: u64,
        downloads: u64,
    ) -> PackageFacts {
        let mut value = serde_json::to_value(facts).expect("facts serialize");
        let popularity = json!({"stars": stars, "forks": forks, "downloads": downloads});
        let add = |object: &mut Value| {
            if let (Value::Object(fields), Value::Object(extra)) = (object, &popularity) {
                fields.extend(extra.clone());
            }
        };
        add(&mut value);
        if let Some(Value::Array(releases)) = value.pointer_mut("/releases/known") {
            for release in releases {
                add(release);
            }
        }
        if let Some(repository) = value.pointer_mut("/repository_facts/known") {
            add(repository);
        }
        let text = value.to_string();
        assert!(text.contains("\"stars\""), "{text}");
        assert!(text.contains("\"downloads\""), "{text}");
        serde_json::from_value(value).expect("facts ignore unknown keys")
    }

    /// Stars, forks and downloads are never inputs: facts do not even carry them, and adding
    /// them to the facts' JSON changes no outcome, whatever their values.
    #[test]
    fn popularity_changes_no_outcome() {
        let facts = busy_package();
        let previous = {
            let mut previous = facts.clone();
            previous.owners = Fact::Known(vec![owner("alice")]);
            previous
        };
        let before = outcomes(&facts, Some(&previous));
        let risks = before
            .iter()
            .filter(|(_, outcome)| matches!(outcome, Outcome::Risk { .. }))
            .count();
        assert!(
            risks >= 8,
            "the package should trip most signals: {before:#?}"
        );

        for (stars, forks, downloads) in [(0, 0, 0), (250_000, 40_000, 90_000_000_000)] {
            let popular = with_popularity(&facts, stars, forks, downloads);
            assert_eq!(
                popular, facts,
                "the figures are dropped when the facts are read"
            );
            let popular_previous = with_popularity(&previous, stars, forks, downloads);
            assert_eq!(outcomes(&popular, Some(&popular_previous)), before);
        }
    }

    /// Every risk of the busy package: a one-line message and an object as evidence.
    #[test]
    fn risks_are_one_line_with_object_evidence() {
        for (id, outcome) in outcomes(&busy_package(), None) {
            match outcome {
                Outcome::Risk {
                    message, evidence, ..
                } => {
                    assert!(
                        !message.is_empty() && !message.contains('\n'),
                        "{id}: {message:?}"
                    );
                    assert!(evidence.is_object(), "{id}: {evidence}");
                }
                Outcome::Unknown { fact, .. } => assert!(FACTS.contains(&fact.as_str()), "{id}"),
                Outcome::Clear => {}
            }
        }
    }
}

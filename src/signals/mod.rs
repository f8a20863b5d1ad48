//! Signals: pure judgement. Each signal is one file, a pure function of a package's facts, an
//! earlier run's facts (when there is one), the rule's parameters and an injected clock (where
//! the package sits in the graph weighs its findings in [`crate::score`], not here), returning [`Outcome::Clear`], [`Outcome::Risk`] with evidence, or
//! [`Outcome::Unknown`] with the fact that was missing and why. No I/O, no `now()`.
//!
//! Stars, forks, watchers and download counts are never inputs (the facts do not even carry
//! them). A signal's id is public API and has its `rules/<id>.toml`.
//!
//! To add a signal: a file here with a unit struct implementing [`Rule`] (its id, its
//! `Params` type and its judgement) and its table tests, one line in [`SIGNALS`], one
//! `rules/<id>.toml`, one line in `rules::RULE_FILES`.
//!
//! Parameters are typed: a rule's `Params` is a struct deserialized from the catalog defaults
//! in `rules/<id>.toml` overlaid with the policy's `[rules.<id>]` values, with no default of
//! its own (`#[serde(deny_unknown_fields, rename_all = "kebab-case")]`, no `#[serde(default)]`).
//! A test refuses a rule file whose parameters do not fit the type (a misspelt, missing or
//! mistyped name), and the policy checks its values against the catalog's (see
//! `crate::policy`), so the values a signal gets always fit.

mod archived;
mod deprecated;
mod dormant_revival;
#[cfg(test)]
mod evidence_doc;
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

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::model::facts::{PackageFacts, Unknown};

/// Everything a signal may look at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// The package's facts (the version in use is `facts.version`).
    pub facts: &'a PackageFacts,
    /// The same package's facts recorded by an earlier run, when there is one (owners seen
    /// before, for registries that only say who owns a package now).
    pub previous: Option<&'a PackageFacts>,
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
        /// Why it is missing: what went wrong, typed, and its words.
        reason: Unknown,
    },
}

/// A signal, as the scan sees it: implemented for every [`Rule`].
pub(crate) trait Signal: Sync {
    /// The public rule id (kebab-case).
    fn id(&self) -> &'static str;
    /// The typed view of parameter values (the rule's `Params`), or why they do not fit it.
    fn type_params(&self, values: &Values) -> Result<Typed, String>;
    /// Judges one package (with the parameters in `cx.params`).
    fn evaluate(&self, cx: &Context<'_>) -> Outcome;
}

/// A signal with typed parameters: one per rule of the catalog.
pub(crate) trait Rule: Sync + 'static {
    /// The public rule id (kebab-case), equal to its `rules/<id>.toml`.
    const ID: &'static str;
    /// Its parameters: a struct with one field per parameter of `rules/<id>.toml`, no defaults
    /// of its own, unknown fields denied ([`NoParams`] when it has none).
    type Params: DeserializeOwned + Send + Sync + 'static;
    /// Judges one package.
    fn judge(&self, cx: &Context<'_>, params: &Self::Params) -> Outcome;
}

impl<R: Rule> Signal for R {
    fn id(&self) -> &'static str {
        R::ID
    }

    fn type_params(&self, values: &Values) -> Result<Typed, String> {
        let table: toml::Table = values
            .iter()
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        toml::Value::Table(table)
            .try_into::<R::Params>()
            .map(|params| Arc::new(params) as Typed)
            .map_err(|error| error.message().trim_end().to_string())
    }

    fn evaluate(&self, cx: &Context<'_>) -> Outcome {
        match cx.params.typed::<R::Params>() {
            Some(params) => self.judge(cx, params),
            // Only parameters built for another catalog than the embedded one (tests) get here:
            // the values of the policy are checked against the catalog's, and those against
            // the type by the rules' tests.
            None => Outcome::Unknown {
                fact: "parameters".to_string(),
                reason: Unknown::other(format!(
                    "the parameters given do not fit rule `{}`: {}",
                    R::ID,
                    cx.params.problem().unwrap_or("another rule's")
                )),
            },
        }
    }
}

/// The parameters of a rule without any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoParams {}

/// Parameter values by name, as written in the catalog and the policy.
pub(crate) type Values = BTreeMap<String, toml::Value>;

/// A rule's typed parameters, type-erased (a [`Rule::Params`]).
pub(crate) type Typed = Arc<dyn Any + Send + Sync>;

/// One rule's parameters: the catalog's defaults overlaid with the policy's values, and the
/// rule's typed view of them (built once, when the policy is read).
#[derive(Clone)]
pub struct Params {
    values: Values,
    typed: Result<Typed, String>,
}

impl Params {
    /// No values, and no typed view (what an id outside the catalog gets).
    pub const NONE: Params = Params {
        values: BTreeMap::new(),
        typed: Err(String::new()),
    };

    /// Rule `id`'s parameters with these values, typed by its signal when they fit (see
    /// [`Params::problem`]).
    pub fn new(id: &str, values: Values) -> Params {
        let typed = match signal(id) {
            Some(signal) => signal.type_params(&values),
            None => Err(format!("no signal has the id `{id}`")),
        };
        Params { values, typed }
    }

    /// The defaults of rule `id` from the catalog.
    pub fn defaults(id: &str) -> Params {
        let values = crate::rules::catalog()
            .rule(id)
            .map(|rule| {
                rule.parameters
                    .iter()
                    .map(|(name, p)| (name.clone(), p.default.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Params::new(id, values)
    }

    /// The values, by name.
    pub fn values(&self) -> &Values {
        &self.values
    }

    /// The value of parameter `name`.
    pub fn value(&self, name: &str) -> Option<&toml::Value> {
        self.values.get(name)
    }

    /// Why the values do not fit their rule's `Params` (`None` when they do).
    pub fn problem(&self) -> Option<&str> {
        self.typed.as_ref().err().map(String::as_str)
    }

    /// The typed view, when it is a `P`.
    pub fn typed<P: Any>(&self) -> Option<&P> {
        self.typed.as_ref().ok()?.downcast_ref::<P>()
    }
}

impl Default for Params {
    fn default() -> Self {
        Params::NONE
    }
}

/// Parameters are equal when their values are (the typed view follows from them).
impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.values == other.values
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Params").field(&self.values).finish()
    }
}

/// Every signal: one line each, in rule-id order.
pub(crate) static SIGNALS: &[&dyn Signal] = &[
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
pub(crate) fn signal(id: &str) -> Option<&'static dyn Signal> {
    SIGNALS.iter().copied().find(|signal| signal.id() == id)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::test_support::{
        NOW, busy_package, evaluate, evaluate_with, owner, release_mut, unknown_facts,
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

    /// The signals' typed parameters come from the catalog (they have no defaults of their
    /// own), and the policy's values overlay them.
    #[test]
    fn parameters_are_typed_from_the_catalog() {
        for signal in SIGNALS {
            assert_eq!(
                Params::defaults(signal.id()).problem(),
                None,
                "{}",
                signal.id()
            );
        }
        assert_eq!(
            Params::defaults("too-new").typed::<too_new::Params>(),
            Some(&too_new::Params { hours: 72 })
        );
        assert_eq!(
            Params::defaults("new-publisher").typed::<new_publisher::Params>(),
            Some(&new_publisher::Params {
                window_days: 30,
                fresh_days: 90,
                expire_days: 365
            })
        );
        assert_eq!(
            Params::defaults("dormant-revival")
                .typed::<dormant_revival::Params>()
                .map(|params| params.silence_months),
            Some(24)
        );
        assert_eq!(
            Params::defaults("unmaintained").typed::<unmaintained::Params>(),
            Some(&unmaintained::Params {
                release_months: 24,
                push_months: 12
            })
        );
        assert_eq!(
            Params::defaults("archived").typed::<NoParams>(),
            Some(&NoParams {})
        );
        assert_eq!(Params::defaults("archived").values(), &Values::new());

        let mut values = Params::defaults("too-new").values().clone();
        values.insert("hours".into(), toml::Value::Integer(48));
        let params = Params::new("too-new", values);
        assert_eq!(
            params.typed::<too_new::Params>(),
            Some(&too_new::Params { hours: 48 })
        );
        // Another rule's type is not this one's.
        assert_eq!(params.typed::<unmaintained::Params>(), None);
    }

    /// Values that do not fit the rule (only possible with another catalog than the embedded
    /// one) are never judged: the signal says what is wrong with them.
    #[test]
    fn parameters_that_do_not_fit_are_not_judged() {
        let facts = busy_package();
        for (values, problem) in [
            (
                vec![("hourz", toml::Value::Integer(1))],
                "unknown field `hourz`",
            ),
            (vec![], "missing field `hours`"),
            (
                vec![("hours", toml::Value::String("72".into()))],
                "invalid type: string \"72\"",
            ),
        ] {
            let params = Params::new(
                "too-new",
                values
                    .into_iter()
                    .map(|(name, value)| (name.to_string(), value))
                    .collect(),
            );
            assert!(
                params.problem().is_some_and(|p| p.contains(problem)),
                "{params:?}"
            );
            match evaluate_with(&too_new::TooNew, &facts, None, &params) {
                Outcome::Unknown { fact, reason } => {
                    assert_eq!(fact, "parameters");
                    assert!(
                        reason.starts_with("the parameters given do not fit rule `too-new`: ")
                            && reason.contains(problem),
                        "{reason}"
                    );
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            Params::new("not-a-rule", Values::new()).problem(),
            Some("no signal has the id `not-a-rule`")
        );
        assert_eq!(Params::NONE, Params::default());
    }

    /// The typed evidence serializes to exactly the JSON the `json!` literals it replaced gave
    /// (those literals are repeated here, over the same facts).
    #[test]
    fn typed_evidence_is_the_json_it_replaced() {
        let mut facts = busy_package();
        let in_use = release_mut(&mut facts, "2.0.1");
        in_use.yanked = true;
        in_use.yank_reason = Some("broken build".into());
        if let Fact::Known(repository) = &mut facts.repository_facts {
            repository.archived = true;
            repository.pushed_at = Some("2025-06-01T00:00:00Z".parse().unwrap());
        }
        let risk = |id: &str| match evaluate(signal(id).unwrap(), &facts) {
            Outcome::Risk { evidence, .. } => evidence.to_string(),
            other => panic!("{id}: {other:?}"),
        };
        let in_use = facts
            .releases
            .known()
            .and_then(|releases| releases.iter().find(|r| r.version == "2.0.1"))
            .unwrap();
        let published = in_use.published.unwrap();
        let age = NOW.duration_since(published).as_hours();
        assert_eq!(
            risk("too-new"),
            json!({
                "version": in_use.version,
                "published": published.to_string(),
                "now": NOW.to_string(),
                "age_hours": age,
                "hours": 72,
            })
            .to_string()
        );
        assert_eq!(
            risk("yanked"),
            json!({
                "version": in_use.version,
                "yanked": in_use.yanked,
                "yank_reason": in_use.yank_reason,
                "all_yanked": false,
                "latest_not_yanked": None::<&str>,
            })
            .to_string()
        );
        let repository = facts.repository_facts.known();
        assert_eq!(
            risk("archived"),
            json!({
                "status_archived": facts.status.known().map(|status| status.archived),
                "repository": repository.map(|repository| repository.full_name.clone()),
                "repository_archived": repository.map(|repository| repository.archived),
                "repository_disabled": repository.map(|repository| repository.disabled),
                "pushed_at": repository
                    .and_then(|repository| repository.pushed_at)
                    .map(|time| time.to_string()),
            })
            .to_string()
        );
        assert_eq!(
            risk("no-provenance"),
            json!({"version": in_use.version, "provenance": "absent"}).to_string()
        );
        let only = &facts.owners.known().unwrap()[0];
        assert_eq!(
            risk("single-owner"),
            json!({
                "owners": [{
                    "id": only.identity.id,
                    "display": only.identity.display,
                    "role": only.role,
                }],
            })
            .to_string()
        );
    }

    /// `deprecated` and `no-source-repo`, as [`typed_evidence_is_the_json_it_replaced`].
    #[test]
    fn typed_evidence_is_the_json_it_replaced_for_status_and_repository() {
        let risk = |id: &str, facts: &PackageFacts| match evaluate(signal(id).unwrap(), facts) {
            Outcome::Risk { evidence, .. } => evidence.to_string(),
            other => panic!("{id}: {other:?}"),
        };
        for (deprecated, quarantined) in [(Some("use bar"), false), (None, true)] {
            let mut facts = busy_package();
            facts.status = Fact::Known(crate::model::facts::Status {
                deprecated: deprecated.map(str::to_string),
                quarantined,
                ..Default::default()
            });
            let status = facts.status.known().unwrap();
            assert_eq!(
                risk("deprecated", &facts),
                json!({
                    "version": facts.version,
                    "deprecated": status.deprecated,
                    "quarantined": status.quarantined,
                })
                .to_string()
            );
        }
        let mut facts = busy_package();
        facts.repository = Fact::Known(None);
        assert_eq!(
            risk("no-source-repo", &facts),
            json!({"version": facts.version, "repository": null}).to_string()
        );
        let url = "https://example.com/home".to_string();
        facts.repository = Fact::Known(Some(url.clone()));
        assert_eq!(
            risk("no-source-repo", &facts),
            json!({"version": facts.version, "repository": url}).to_string()
        );
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

//! The policy: what a project does with each rule's findings, written in `deptrust.toml` beside
//! `[registries]` (see [`crate::config`], which reads the file once and reports the problems of
//! both parts together).
//!
//! ```toml
//! version = 1                      # required; the only version this deptrust reads
//! unknown = "warn"                 # allow | warn | deny: what an unknown fact does (default warn)
//! unreachable = "deny"             # allow | warn | deny: a package whose registry could not be
//!                                  # reached (default deny: the gate cannot pass, exit 3)
//! ecosystems = ["cargo", "npm", "pypi"]   # which ecosystems are evaluated (default all)
//! dev = true                       # whether dev-only dependencies count (default true)
//!
//! [registries]                     # base URLs of the services: see `crate::config`
//! npm = "https://npm.example.com/repository/npm/"
//!
//! [rules.too-new]                  # one table per rule id of the catalog (`rules/<id>.toml`)
//! level = "deny"                   # allow | warn | deny (default: the rule's own level)
//! hours = 48                       # a parameter of that rule
//!
//! [[exceptions]]
//! package = "npm:left-pad"         # <ecosystem>:<name> or <ecosystem>:<name>@<version>
//! rule = "single-owner"            # a rule id, or "*" for every rule
//! reason = "vendored, reviewed"    # required, non-empty
//! expires = 2027-01-31             # optional: a TOML date or a "YYYY-MM-DD" string
//! ```
//!
//! Parsing is strict and reports every problem at once, each at the line and column of the
//! key or value at fault: unknown keys (at the top level, in a rule table, in an exception),
//! unknown rule ids, unknown parameter names, wrong types, bad levels, a missing or empty
//! `reason`, a bad `expires`, a bad `package`, and a missing `version`. The one exception is a
//! `version` other than 1: then the rest of the file follows a format this deptrust does not
//! know, and only that is reported.
//!
//! Parameter values must have the type of the catalog default: an integer default takes an
//! integer, a float default takes any number, and a non-negative default takes no negative
//! value. Lists take lists of the same element type.
//!
//! Exceptions: package names are compared as the model stores them (PyPI names normalized per
//! PEP 503, others exactly); versions are compared exactly. An exception applies through its
//! `expires` date and never after it. When several exceptions match a finding, the most
//! specific one wins (a version over a whole package, a rule id over `*`), then the first in the
//! file. After a scan, [`Policy::exception_notes`] reports the exceptions that expired and the
//! ones that matched nothing (shadowed ones included), so no exception outlives its purpose.
//!
//! Not supported: per-rule `unknown` levels, version ranges in exceptions, and command-line
//! level overrides (those belong to the CLI layer).
//!
//! No printing and no clock here: the caller passes `today`.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::model::{Ecosystem, ExceptionProblem};
use crate::rules::{Catalog, Level, catalog};
use crate::signals::Params;

/// The only `version` of the policy format this deptrust reads.
pub(crate) const VERSION: i64 = 1;

/// Every ecosystem a policy can name.
const ECOSYSTEMS: &[Ecosystem] = &[Ecosystem::Cargo, Ecosystem::Npm, Ecosystem::Pypi];

/// The top-level keys that belong to the policy (the file's other top-level key is
/// `registries`, read by [`crate::config`]).
pub(crate) const POLICY_KEYS: &[&str] = &[
    "version",
    "unknown",
    "unreachable",
    "ecosystems",
    "dev",
    "rules",
    "exceptions",
];

/// The keys of one `[[exceptions]]` entry.
const EXCEPTION_KEYS: &[&str] = &["package", "rule", "reason", "expires"];

/// The name of the top-level table in messages.
pub(crate) const TOP_LEVEL: &str = "the top-level table";

/// What the project does with each rule's findings.
///
/// [`Policy::default`] is every rule at its catalog level with its default parameters,
/// unknown facts at `warn`, every ecosystem, dev dependencies counted, and no exceptions.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    unknown: Level,
    unreachable: Level,
    /// `None`: every ecosystem.
    ecosystems: Option<BTreeSet<Ecosystem>>,
    dev: bool,
    rules: BTreeMap<String, RuleSettings>,
    exceptions: Vec<Exception>,
    /// Ecosystem → package name → indexes into `exceptions`, in file order: the candidates
    /// for a package, so matching costs the exceptions naming it, not every exception.
    by_package: HashMap<Ecosystem, HashMap<String, Vec<usize>>>,
}

/// One rule's level and parameters.
#[derive(Debug, Clone, PartialEq)]
struct RuleSettings {
    level: Level,
    params: Params,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::from_catalog(catalog())
    }
}

/// No parameters: what [`Policy::params`] returns for an id outside the catalog.
static NO_PARAMS: Params = Params::NONE;

impl Policy {
    /// The default policy over `catalog`.
    fn from_catalog(catalog: &Catalog) -> Policy {
        Policy {
            unknown: Level::Warn,
            unreachable: Level::Deny,
            ecosystems: None,
            dev: true,
            rules: catalog
                .rules
                .iter()
                .map(|rule| {
                    let values = rule
                        .parameters
                        .iter()
                        .map(|(name, parameter)| (name.clone(), parameter.default.clone()))
                        .collect();
                    let settings = RuleSettings {
                        level: rule.level,
                        params: Params::new(&rule.id, values),
                    };
                    (rule.id.clone(), settings)
                })
                .collect(),
            exceptions: Vec::new(),
            by_package: HashMap::new(),
        }
    }

    /// Sets the exceptions (in file order) and indexes them by package.
    fn set_exceptions(&mut self, exceptions: Vec<Exception>) {
        let mut by_package: HashMap<Ecosystem, HashMap<String, Vec<usize>>> = HashMap::new();
        for exception in &exceptions {
            by_package
                .entry(exception.ecosystem)
                .or_default()
                .entry(exception.name.clone())
                .or_default()
                .push(exception.index);
        }
        self.exceptions = exceptions;
        self.by_package = by_package;
    }

    /// The level of rule `rule`: the policy's, else the catalog's; `warn` for an id the catalog
    /// does not have.
    pub fn level(&self, rule: &str) -> Level {
        self.rules
            .get(rule)
            .map_or(Level::Warn, |settings| settings.level)
    }

    /// The parameters of rule `rule`: the catalog defaults overridden by the policy (none for an
    /// id the catalog does not have).
    pub fn params(&self, rule: &str) -> &Params {
        self.rules
            .get(rule)
            .map_or(&NO_PARAMS, |settings| &settings.params)
    }

    /// Whether packages of `ecosystem` are evaluated.
    pub fn counts_ecosystem(&self, ecosystem: Ecosystem) -> bool {
        self.ecosystems
            .as_ref()
            .is_none_or(|ecosystems| ecosystems.contains(&ecosystem))
    }

    /// Whether packages reached only through dev dependencies are evaluated.
    pub fn counts_dev(&self) -> bool {
        self.dev
    }

    /// What an unknown outcome (a fact that could not be judged) does.
    pub fn unknown(&self) -> Level {
        self.unknown
    }

    /// What a package whose registry could not be reached at all does: `deny` leaves the run
    /// unevaluated (exit 3), `warn` reports it, `allow` records it.
    pub fn unreachable(&self) -> Level {
        self.unreachable
    }

    /// Every exception, in file order (`exceptions()[i].index == i`).
    pub fn exceptions(&self) -> &[Exception] {
        &self.exceptions
    }

    /// The exception that accepts a finding of rule `rule` on `ecosystem:name@version` on day
    /// `today`, if any. Expired exceptions never apply; among several matches the most
    /// specific wins (a version over a whole package, a rule id over `*`), then the first.
    ///
    /// The evaluator records the [`Exception::index`] of each exception it applies and passes
    /// the set to [`Policy::exception_notes`] at the end.
    pub fn exception_for(
        &self,
        ecosystem: Ecosystem,
        name: &str,
        version: &str,
        rule: &str,
        today: Date,
    ) -> Option<&Exception> {
        let name = normalize_name(ecosystem, name);
        let candidates = self.by_package.get(&ecosystem)?.get(name.as_ref())?;
        candidates
            .iter()
            .map(|&index| &self.exceptions[index])
            .filter(|exception| !exception.is_expired(today) && exception.covers(version, rule))
            // `max_by_key` keeps the last maximum: reverse the index so the first one wins.
            .max_by_key(|exception| (exception.specificity(), std::cmp::Reverse(exception.index)))
    }

    /// The exceptions to report after an evaluation that applied the exceptions whose
    /// [`Exception::index`] is in `used`: those that expired before `today`, and those that
    /// matched nothing. In file order.
    pub fn exception_notes(
        &self,
        used: &BTreeSet<usize>,
        today: Date,
    ) -> Vec<(&Exception, ExceptionProblem)> {
        self.exceptions
            .iter()
            .filter_map(|exception| {
                if exception.is_expired(today) {
                    Some((exception, ExceptionProblem::Expired))
                } else if used.contains(&exception.index) {
                    None
                } else {
                    Some((exception, ExceptionProblem::Unused))
                }
            })
            .collect()
    }
}

/// One `[[exceptions]]` entry: accepts the findings of one rule (or every rule) on one package
/// (or one version of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// Its position among the file's exceptions (0-based): the key for
    /// [`Policy::exception_notes`].
    pub index: usize,
    /// The 1-based line of the entry in the file.
    pub line: usize,
    /// The package's ecosystem.
    pub ecosystem: Ecosystem,
    /// The package name (PyPI names PEP 503-normalized).
    pub name: String,
    /// The one version it applies to; `None` for every version.
    pub version: Option<String>,
    /// The one rule it applies to; `None` for every rule (`*`).
    pub rule: Option<String>,
    /// Why the risk is accepted.
    pub reason: String,
    /// The last day it applies.
    pub expires: Option<Date>,
}

impl Exception {
    /// Whether it covers rule `rule` on `ecosystem:name@version` (ignoring `expires`).
    pub fn matches(&self, ecosystem: Ecosystem, name: &str, version: &str, rule: &str) -> bool {
        self.ecosystem == ecosystem
            && self.name == normalize_name(ecosystem, name)
            && self.covers(version, rule)
    }

    /// Whether it covers rule `rule` on version `version` of its own package.
    fn covers(&self, version: &str, rule: &str) -> bool {
        self.version.as_deref().is_none_or(|own| own == version)
            && self.rule.as_deref().is_none_or(|own| own == rule)
    }

    /// Whether `today` is after its `expires` date.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| expires < today)
    }

    /// How narrow it is: a version counts more than a rule id.
    fn specificity(&self) -> u8 {
        u8::from(self.version.is_some()) * 2 + u8::from(self.rule.is_some())
    }
}

impl fmt::Display for Exception {
    /// `npm:left-pad@1.3.0 (rule single-owner)`, `pypi:requests (every rule)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.ecosystem, self.name)?;
        if let Some(version) = &self.version {
            write!(f, "@{version}")?;
        }
        match &self.rule {
            Some(rule) => write!(f, " (rule {rule})"),
            None => f.write_str(" (every rule)"),
        }
    }
}

/// A name as the model stores it.
fn normalize_name(ecosystem: Ecosystem, name: &str) -> Cow<'_, str> {
    ecosystem.normalize_name(name)
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Every problem found in one `deptrust.toml` (policy and `[registries]`), in file order.
/// Displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyErrors {
    /// The problems (at least one), sorted by position.
    pub errors: Vec<PolicyError>,
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.errors.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyErrors {}

/// One problem, at a position in the file: `deptrust.toml:7:1: unknown key …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {kind}", path = .path.display())]
pub struct PolicyError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line.
    pub line: usize,
    /// The 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub kind: PolicyErrorKind,
}

/// What is wrong at one position. `table` names where the key is: `the top-level table`,
/// `[registries]`, `[rules]`, `[rules.too-new]`, `[[exceptions]]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// The file is not valid TOML.
    #[error("invalid TOML: {message}")]
    Syntax {
        /// The TOML parser's message.
        message: String,
    },
    /// A key this format does not have.
    #[error("unknown key `{key}` in {table} (expected {})", one_of(.expected))]
    UnknownKey {
        /// The key.
        key: String,
        /// Where.
        table: String,
        /// The keys that table takes.
        expected: Vec<String>,
    },
    /// A rule id the catalog does not have.
    #[error("unknown rule `{id}` in {table} (expected {})", one_of(.expected))]
    UnknownRule {
        /// The id.
        id: String,
        /// Where.
        table: String,
        /// What is accepted there.
        expected: Vec<String>,
    },
    /// A required key is absent.
    #[error("missing key `{key}` in {table} (expected {expected})")]
    MissingKey {
        /// The key.
        key: String,
        /// Where.
        table: String,
        /// What it should hold.
        expected: String,
    },
    /// A value of the wrong TOML type.
    #[error("wrong type for `{key}` in {table}: found {found} (expected {expected})")]
    WrongType {
        /// The key.
        key: String,
        /// Where.
        table: String,
        /// The type found (`a string`, `an integer`, …).
        found: &'static str,
        /// What is accepted.
        expected: String,
    },
    /// A value of the right type that is not acceptable.
    #[error("invalid value for `{key}` in {table}: {value} (expected {expected})")]
    InvalidValue {
        /// The key.
        key: String,
        /// Where.
        table: String,
        /// The value, as written.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// A `version` this deptrust does not read.
    #[error("unsupported `version = {found}` (this deptrust reads version {supported})")]
    UnsupportedVersion {
        /// The version in the file.
        found: i64,
        /// The version this deptrust reads.
        supported: i64,
    },
}

/// `one of: a, b, c`, or what an empty list means.
fn one_of(expected: &[String]) -> String {
    match expected {
        [] => "nothing: the rule catalog is empty".to_string(),
        [only] => only.clone(),
        _ => format!("one of: {}", expected.join(", ")),
    }
}

/// Collects problems with their positions; shared with [`crate::config`].
pub(crate) struct Problems<'a> {
    path: &'a Path,
    text: &'a str,
    /// Byte offset of the start of each line, for positions without rescanning the text.
    line_starts: Vec<usize>,
    errors: Vec<(usize, PolicyError)>,
}

impl<'a> Problems<'a> {
    /// No problems yet, in file `path` whose text is `text`.
    pub(crate) fn new(path: &'a Path, text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(index, _)| index + 1))
            .collect();
        Problems {
            path,
            text,
            line_starts,
            errors: Vec::new(),
        }
    }

    /// The 1-based line of byte `offset`.
    fn line(&self, offset: usize) -> usize {
        // The number of lines starting at or before `offset`; line 1 starts at 0.
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// Records a problem at byte range `span`.
    pub(crate) fn push(&mut self, span: Range<usize>, kind: PolicyErrorKind) {
        let offset = span.start.min(self.text.len());
        let line = self.line(offset);
        let line_start = self.line_starts[line - 1];
        // Characters, not bytes, from the line start; an offset inside a character (never from
        // the parser) counts the line so far as empty rather than panicking.
        let column = self
            .text
            .get(line_start..offset)
            .map_or(0, |text| text.chars().count())
            + 1;
        let error = PolicyError {
            path: self.path.to_path_buf(),
            line,
            column,
            kind,
        };
        self.errors.push((offset, error));
    }

    /// `Ok` when nothing was recorded, else every problem in file order.
    pub(crate) fn finish(self) -> Result<(), PolicyErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.into_errors())
        }
    }

    /// Every problem recorded, in file order.
    pub(crate) fn into_errors(mut self) -> PolicyErrors {
        // Stable: problems at one position keep the order they were found in.
        self.errors.sort_by_key(|(offset, _)| *offset);
        PolicyErrors {
            errors: self.errors.into_iter().map(|(_, error)| error).collect(),
        }
    }

    /// Reports every key of `table` not in `expected`.
    pub(crate) fn unknown_keys(&mut self, table: &DeTable<'_>, name: &str, expected: &[&str]) {
        for key in table.keys() {
            if !expected.contains(&key.get_ref().as_ref()) {
                self.push(
                    key.span(),
                    PolicyErrorKind::UnknownKey {
                        key: key.get_ref().to_string(),
                        table: name.to_string(),
                        expected: expected.iter().map(|key| key.to_string()).collect(),
                    },
                );
            }
        }
    }

    /// Reports a value of the wrong type.
    pub(crate) fn wrong_type(
        &mut self,
        key: &str,
        table: &str,
        value: &Spanned<DeValue<'_>>,
        expected: &str,
    ) {
        self.push(
            value.span(),
            PolicyErrorKind::WrongType {
                key: key.to_string(),
                table: table.to_string(),
                found: type_name(value.get_ref()),
                expected: expected.to_string(),
            },
        );
    }

    /// Reports an unacceptable value.
    pub(crate) fn invalid(
        &mut self,
        key: &str,
        table: &str,
        value: &Spanned<DeValue<'_>>,
        expected: &str,
    ) {
        self.push(
            value.span(),
            PolicyErrorKind::InvalidValue {
                key: key.to_string(),
                table: table.to_string(),
                value: written(value.get_ref()),
                expected: expected.to_string(),
            },
        );
    }

    /// The string in `value`, or a type error.
    pub(crate) fn string<'v>(
        &mut self,
        key: &str,
        table: &str,
        value: &'v Spanned<DeValue<'_>>,
        expected: &str,
    ) -> Option<&'v str> {
        let text = value.get_ref().as_str();
        if text.is_none() {
            self.wrong_type(key, table, value, expected);
        }
        text
    }

    /// A level (`allow`, `warn`, `deny`) in `value`, or an error.
    fn level(&mut self, key: &str, table: &str, value: &Spanned<DeValue<'_>>) -> Option<Level> {
        const EXPECTED: &str = "one of: allow, warn, deny";
        let text = self.string(key, table, value, &format!("a string, {EXPECTED}"))?;
        let level = Level::parse(text);
        if level.is_none() {
            self.invalid(key, table, value, EXPECTED);
        }
        level
    }
}

/// `a string`, `an integer`, … for messages.
fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// A scalar as written, in backticks, for messages.
fn written(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(text) => format!("`{text:?}`"),
        DeValue::Integer(integer) => format!("`{integer}`"),
        DeValue::Float(float) => format!("`{float}`"),
        DeValue::Boolean(boolean) => format!("`{boolean}`"),
        DeValue::Datetime(datetime) => format!("`{datetime}`"),
        DeValue::Array(_) | DeValue::Table(_) => type_name(value).to_string(),
    }
}

/// Parses TOML, or reports every syntax error.
pub(crate) fn parse_toml<'i>(
    text: &'i str,
    path: &Path,
) -> Result<Spanned<DeTable<'i>>, PolicyErrors> {
    let (root, errors) = DeTable::parse_recoverable(text);
    let mut problems = Problems::new(path, text);
    for error in errors {
        problems.push(
            error.span().unwrap_or_default(),
            PolicyErrorKind::Syntax {
                message: error.message().trim_end().to_string(),
            },
        );
    }
    problems.finish().map(|()| root)
}

// ---------------------------------------------------------------------------------------------
// Reading the policy part of the document

/// Checks `version`; `false` when it names a format this deptrust does not read (then nothing
/// else in the file is worth checking).
pub(crate) fn check_version(root: &DeTable<'_>, problems: &mut Problems<'_>) -> bool {
    let Some(value) = root.get("version") else {
        problems.push(
            0..0,
            PolicyErrorKind::MissingKey {
                key: "version".to_string(),
                table: TOP_LEVEL.to_string(),
                expected: format!("`version = {VERSION}` at the top of the file"),
            },
        );
        return true;
    };
    let version = match value.get_ref() {
        DeValue::Integer(integer) => i64::from_str_radix(integer.as_str(), integer.radix()).ok(),
        _ => {
            problems.wrong_type(
                "version",
                TOP_LEVEL,
                value,
                &format!("the integer {VERSION}"),
            );
            return true;
        }
    };
    match version {
        Some(VERSION) => true,
        Some(found) => {
            problems.push(
                value.span(),
                PolicyErrorKind::UnsupportedVersion {
                    found,
                    supported: VERSION,
                },
            );
            false
        }
        None => {
            problems.invalid("version", TOP_LEVEL, value, &format!("{VERSION}"));
            true
        }
    }
}

impl Policy {
    /// Reads the policy keys of `root` (other top-level keys are the caller's), recording every
    /// problem. `version` is checked by [`check_version`].
    pub(crate) fn from_document(
        root: &DeTable<'_>,
        catalog: &Catalog,
        problems: &mut Problems<'_>,
    ) -> Policy {
        let mut policy = Policy::from_catalog(catalog);
        for (key, value) in root {
            match key.get_ref().as_ref() {
                "unknown" => {
                    if let Some(level) = problems.level("unknown", TOP_LEVEL, value) {
                        policy.unknown = level;
                    }
                }
                "unreachable" => {
                    if let Some(level) = problems.level("unreachable", TOP_LEVEL, value) {
                        policy.unreachable = level;
                    }
                }
                "ecosystems" => policy.ecosystems = read_ecosystems(value, problems),
                "dev" => match value.get_ref() {
                    DeValue::Boolean(dev) => policy.dev = *dev,
                    _ => problems.wrong_type("dev", TOP_LEVEL, value, "a boolean"),
                },
                "rules" => read_rules(&mut policy, value, catalog, problems),
                "exceptions" => policy.set_exceptions(read_exceptions(value, catalog, problems)),
                _ => {}
            }
        }
        policy
    }
}

/// `ecosystems = [...]`; `None` when it names them all.
fn read_ecosystems(
    value: &Spanned<DeValue<'_>>,
    problems: &mut Problems<'_>,
) -> Option<BTreeSet<Ecosystem>> {
    let names = ECOSYSTEMS
        .iter()
        .map(|ecosystem| format!("`{ecosystem}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let Some(items) = value.get_ref().as_array() else {
        problems.wrong_type(
            "ecosystems",
            TOP_LEVEL,
            value,
            &format!("an array of: {names}"),
        );
        return None;
    };
    if items.is_empty() {
        problems.invalid(
            "ecosystems",
            TOP_LEVEL,
            value,
            &format!("at least one of: {names} (an empty list would evaluate nothing)"),
        );
        return None;
    }
    let mut set = BTreeSet::new();
    for item in items.iter() {
        let Some(text) =
            problems.string("ecosystems", TOP_LEVEL, item, &format!("one of: {names}"))
        else {
            continue;
        };
        match ECOSYSTEMS
            .iter()
            .find(|ecosystem| ecosystem.as_str() == text)
        {
            Some(ecosystem) => {
                set.insert(*ecosystem);
            }
            None => problems.invalid("ecosystems", TOP_LEVEL, item, &format!("one of: {names}")),
        }
    }
    (set.len() < ECOSYSTEMS.len()).then_some(set)
}

/// `[rules]`: one table per rule id.
fn read_rules(
    policy: &mut Policy,
    value: &Spanned<DeValue<'_>>,
    catalog: &Catalog,
    problems: &mut Problems<'_>,
) {
    let Some(rules) = value.get_ref().as_table() else {
        problems.wrong_type("rules", TOP_LEVEL, value, "a table of rule tables");
        return;
    };
    for (key, value) in rules {
        let id = key.get_ref().as_ref();
        let (Some(rule), Some(settings)) = (catalog.rule(id), policy.rules.get_mut(id)) else {
            problems.push(
                key.span(),
                PolicyErrorKind::UnknownRule {
                    id: id.to_string(),
                    table: "[rules]".to_string(),
                    expected: rule_ids(catalog),
                },
            );
            continue;
        };
        let table_name = format!("[rules.{id}]");
        let Some(table) = value.get_ref().as_table() else {
            problems.wrong_type(
                id,
                "[rules]",
                value,
                "a table with `level` and the rule's parameters",
            );
            continue;
        };
        let mut values = settings.params.values().clone();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            if name == "level" {
                if let Some(level) = problems.level("level", &table_name, value) {
                    settings.level = level;
                }
            } else if let Some(parameter) = rule.parameters.get(name) {
                if let Some(value) =
                    read_parameter(name, &table_name, &parameter.default, value, problems)
                {
                    values.insert(name.to_string(), value);
                }
            } else {
                let expected = std::iter::once("level".to_string())
                    .chain(rule.parameters.keys().cloned())
                    .collect();
                problems.push(
                    key.span(),
                    PolicyErrorKind::UnknownKey {
                        key: name.to_string(),
                        table: table_name.clone(),
                        expected,
                    },
                );
            }
        }
        // The values have the catalog defaults' types; the rule's `Params` type has the last
        // word (a catalog that does not fit its signal, as in tests, is left to the signal).
        let fits_catalog = settings.params.problem().is_none();
        let params = Params::new(id, values);
        if let Some(problem) = params.problem().filter(|_| fits_catalog) {
            problems.invalid(
                id,
                "[rules]",
                value,
                &format!("parameters that fit the rule ({problem})"),
            );
        } else {
            settings.params = params;
        }
    }
}

/// The catalog's rule ids, in backticks.
fn rule_ids(catalog: &Catalog) -> Vec<String> {
    catalog
        .rules
        .iter()
        .map(|rule| format!("`{}`", rule.id))
        .collect()
}

/// A parameter value, checked against the type of its default.
fn read_parameter(
    name: &str,
    table: &str,
    default: &toml::Value,
    value: &Spanned<DeValue<'_>>,
    problems: &mut Problems<'_>,
) -> Option<toml::Value> {
    let expected = expected_type(default);
    let converted = match (default, value.get_ref()) {
        (toml::Value::Integer(_), DeValue::Integer(_))
        | (toml::Value::Float(_), DeValue::Integer(_) | DeValue::Float(_))
        | (toml::Value::String(_), DeValue::String(_))
        | (toml::Value::Boolean(_), DeValue::Boolean(_))
        | (toml::Value::Datetime(_), DeValue::Datetime(_)) => to_value(value.get_ref()),
        (toml::Value::Array(defaults), DeValue::Array(items)) => {
            let element = defaults
                .first()
                .cloned()
                .unwrap_or_else(|| toml::Value::String(String::new()));
            // Every element is checked, so that all the bad ones are reported.
            let converted: Vec<Option<toml::Value>> = items
                .iter()
                .map(|item| read_parameter(name, table, &element, item, problems))
                .collect();
            return converted
                .into_iter()
                .collect::<Option<Vec<_>>>()
                .map(toml::Value::Array);
        }
        _ => {
            problems.wrong_type(name, table, value, &expected);
            return None;
        }
    };
    let converted = match (default, converted) {
        (toml::Value::Float(_), Some(toml::Value::Integer(integer))) => {
            Some(toml::Value::Float(integer as f64))
        }
        (_, converted) => converted,
    };
    let acceptable = match (default, &converted) {
        (toml::Value::Integer(default), Some(toml::Value::Integer(value))) => {
            *default < 0 || *value >= 0
        }
        (toml::Value::Float(default), Some(toml::Value::Float(value))) => {
            value.is_finite() && (*default < 0.0 || *value >= 0.0)
        }
        (_, converted) => converted.is_some(),
    };
    if acceptable {
        converted
    } else {
        let expected = match default {
            toml::Value::Integer(default) if *default >= 0 => "a non-negative integer",
            toml::Value::Float(default) if *default >= 0.0 => "a finite non-negative number",
            toml::Value::Float(_) => "a finite number",
            _ => expected.as_str(),
        };
        problems.invalid(name, table, value, expected);
        None
    }
}

/// What a parameter with this default accepts.
fn expected_type(default: &toml::Value) -> String {
    match default {
        toml::Value::String(_) => "a string".to_string(),
        toml::Value::Integer(_) => "an integer".to_string(),
        toml::Value::Float(_) => "a number".to_string(),
        toml::Value::Boolean(_) => "a boolean".to_string(),
        toml::Value::Datetime(_) => "a datetime".to_string(),
        toml::Value::Array(items) => match items.first() {
            Some(item) => format!(
                "an array of {}",
                expected_type(item).trim_start_matches("a ")
            ),
            None => "an array of strings".to_string(),
        },
        toml::Value::Table(_) => "a table".to_string(),
    }
}

/// A parsed value as a [`toml::Value`]; `None` for an integer out of range.
fn to_value(value: &DeValue<'_>) -> Option<toml::Value> {
    Some(match value {
        DeValue::String(text) => toml::Value::String(text.to_string()),
        DeValue::Integer(integer) => {
            toml::Value::Integer(i64::from_str_radix(integer.as_str(), integer.radix()).ok()?)
        }
        DeValue::Float(float) => toml::Value::Float(float.as_str().parse().ok()?),
        DeValue::Boolean(boolean) => toml::Value::Boolean(*boolean),
        DeValue::Datetime(datetime) => toml::Value::Datetime(*datetime),
        DeValue::Array(items) => toml::Value::Array(
            items
                .iter()
                .map(|item| to_value(item.get_ref()))
                .collect::<Option<_>>()?,
        ),
        DeValue::Table(table) => toml::Value::Table(
            table
                .iter()
                .map(|(key, value)| Some((key.get_ref().to_string(), to_value(value.get_ref())?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// `[[exceptions]]`.
fn read_exceptions(
    value: &Spanned<DeValue<'_>>,
    catalog: &Catalog,
    problems: &mut Problems<'_>,
) -> Vec<Exception> {
    const TABLE: &str = "[[exceptions]]";
    let Some(items) = value.get_ref().as_array() else {
        problems.wrong_type("exceptions", TOP_LEVEL, value, "an array of tables");
        return Vec::new();
    };
    let mut exceptions = Vec::new();
    for item in items.iter() {
        let Some(table) = item.get_ref().as_table() else {
            problems.wrong_type("exceptions", TOP_LEVEL, item, "a table");
            continue;
        };
        let before = problems.errors.len();
        problems.unknown_keys(table, TABLE, EXCEPTION_KEYS);
        let package = read_required(table, item, "package", PACKAGE_EXPECTED, problems)
            .and_then(|value| read_package(value, problems));
        let rule = read_required(table, item, "rule", "a rule id or `*`", problems)
            .and_then(|value| read_exception_rule(value, catalog, problems));
        let reason = read_required(table, item, "reason", REASON_EXPECTED, problems)
            .and_then(|value| read_reason(value, problems));
        let expires = match table.get("expires") {
            Some(value) => read_date(value, problems).map(Some),
            None => Some(None),
        };
        if let (Some((ecosystem, name, version)), Some(rule), Some(reason), Some(expires)) =
            (package, rule, reason, expires)
            && problems.errors.len() == before
        {
            let line = problems.line(item.span().start.min(problems.text.len()));
            exceptions.push(Exception {
                index: exceptions.len(),
                line,
                ecosystem,
                name,
                version,
                rule,
                reason,
                expires,
            });
        }
    }
    exceptions
}

const PACKAGE_EXPECTED: &str = "`<ecosystem>:<name>` or `<ecosystem>:<name>@<version>`, \
                                ecosystem one of: cargo, npm, pypi";
const REASON_EXPECTED: &str = "a non-empty string saying why the risk is accepted";

/// A required key of an exception, or a `missing key` error at the entry.
fn read_required<'t, 'i>(
    table: &'t DeTable<'i>,
    item: &Spanned<DeValue<'_>>,
    key: &str,
    expected: &str,
    problems: &mut Problems<'_>,
) -> Option<&'t Spanned<DeValue<'i>>> {
    let value = table.get(key);
    if value.is_none() {
        problems.push(
            item.span(),
            PolicyErrorKind::MissingKey {
                key: key.to_string(),
                table: "[[exceptions]]".to_string(),
                expected: expected.to_string(),
            },
        );
    }
    value
}

/// `package = "<ecosystem>:<name>[@<version>]"`.
fn read_package(
    value: &Spanned<DeValue<'_>>,
    problems: &mut Problems<'_>,
) -> Option<(Ecosystem, String, Option<String>)> {
    let text = problems.string("package", "[[exceptions]]", value, PACKAGE_EXPECTED)?;
    let parsed = parse_package(text);
    if parsed.is_none() {
        problems.invalid("package", "[[exceptions]]", value, PACKAGE_EXPECTED);
    }
    parsed
}

/// `npm:@scope/name@1.0.0` → (npm, `@scope/name`, `1.0.0`).
fn parse_package(text: &str) -> Option<(Ecosystem, String, Option<String>)> {
    let (ecosystem, rest) = text.trim().split_once(':')?;
    let ecosystem = *ECOSYSTEMS
        .iter()
        .find(|candidate| candidate.as_str() == ecosystem)?;
    // An npm scope starts with `@`: the version separator is a later `@`.
    let (name, version) = match rest.rfind('@') {
        Some(index) if index > 0 => (&rest[..index], Some(&rest[index + 1..])),
        _ => (rest, None),
    };
    let valid = |part: &str| !part.is_empty() && !part.contains(char::is_whitespace);
    if !valid(name) || version.is_some_and(|version| !valid(version)) {
        return None;
    }
    Some((
        ecosystem,
        normalize_name(ecosystem, name).into_owned(),
        version.map(str::to_string),
    ))
}

/// `rule = "<id>"` or `"*"` (`None`).
fn read_exception_rule(
    value: &Spanned<DeValue<'_>>,
    catalog: &Catalog,
    problems: &mut Problems<'_>,
) -> Option<Option<String>> {
    let id = problems.string("rule", "[[exceptions]]", value, "a rule id or `*`")?;
    if id == "*" {
        return Some(None);
    }
    if catalog.rule(id).is_none() {
        problems.push(
            value.span(),
            PolicyErrorKind::UnknownRule {
                id: id.to_string(),
                table: "[[exceptions]]".to_string(),
                expected: std::iter::once("`*`".to_string())
                    .chain(rule_ids(catalog))
                    .collect(),
            },
        );
        return None;
    }
    Some(Some(id.to_string()))
}

/// `reason = "…"`, not blank.
fn read_reason(value: &Spanned<DeValue<'_>>, problems: &mut Problems<'_>) -> Option<String> {
    let reason = problems.string("reason", "[[exceptions]]", value, REASON_EXPECTED)?;
    if reason.trim().is_empty() {
        problems.invalid("reason", "[[exceptions]]", value, REASON_EXPECTED);
        return None;
    }
    Some(reason.trim().to_string())
}

/// `expires = 2027-01-31` or `"2027-01-31"`.
fn read_date(value: &Spanned<DeValue<'_>>, problems: &mut Problems<'_>) -> Option<Date> {
    const EXPECTED: &str = "a date such as 2027-01-31 (a TOML date or a \"YYYY-MM-DD\" string)";
    let date = match value.get_ref() {
        DeValue::Datetime(datetime) if datetime.time.is_none() && datetime.offset.is_none() => {
            datetime.date.and_then(|date| {
                Date::new(
                    i16::try_from(date.year).ok()?,
                    i8::try_from(date.month).ok()?,
                    i8::try_from(date.day).ok()?,
                )
                .ok()
            })
        }
        DeValue::Datetime(_) => None,
        DeValue::String(text) => parse_date(text),
        _ => {
            problems.wrong_type("expires", "[[exceptions]]", value, EXPECTED);
            return None;
        }
    };
    if date.is_none() {
        problems.invalid("expires", "[[exceptions]]", value, EXPECTED);
    }
    date
}

/// Exactly `YYYY-MM-DD`.
fn parse_date(text: &DeString<'_>) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    let number = |range: Range<usize>| text.get(range)?.parse::<i16>().ok();
    Date::new(
        number(0..4)?,
        i8::try_from(number(5..7)?).ok()?,
        i8::try_from(number(8..10)?).ok()?,
    )
    .ok()
}

// ---------------------------------------------------------------------------------------------
// Template

/// The commented policy part of the `deptrust.toml` that `deptrust init` writes
/// ([`crate::config::template`]): every option with its default, `settings` (the file's other
/// sections, written by `config`) after `exclude`, every rule of the catalog with its level,
/// severity, title and parameters, and an example exception. As written it parses to
/// [`Policy::default`].
pub(crate) fn template_for(catalog: &Catalog, settings: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut add = |text: &str| lines.extend(text.split('\n').map(str::to_string));
    add("# deptrust.toml: this project's dependency trust policy.
#
# Every option is listed with its default. A line `# key = value` or `# [table]` is a setting:
# uncomment it to change it. Unknown keys, rules and parameters are errors.

# Format version of this file (required).
version = 1

# What an unknown (a fact that could not be judged, such as a registry that did not answer)
# does: \"allow\" (recorded only), \"warn\" (shown) or \"deny\" (fails the gate).
# unknown = \"warn\"

# What a package whose registry could not be reached at all (offline with nothing cached, a
# connection that failed, a timeout, a server error) does: \"deny\" leaves the gate
# unevaluated (exit 3: it never says PASSED about what it could not look at), \"warn\" shows
# it, \"allow\" records it. Secondary sources (GitHub, the crates.io API) only lower the
# coverage.
# unreachable = \"deny\"

# The ecosystems that are evaluated.
# ecosystems = [\"cargo\", \"npm\", \"pypi\"]

# Whether dependencies reached only through dev dependencies count.
# dev = true

# Directories and lockfiles that a directory search leaves out: glob patterns relative to the
# searched directory (`*` stays within a path component, `**` spans several). A lockfile named
# on the command line is always read. --exclude adds patterns.
# exclude = [\"fixtures\", \"**/testdata\"]
");
    add(settings);
    add("
# Rules: one table per rule id. `level` is \"allow\", \"warn\" or \"deny\"; the other keys
# are the rule's parameters, of the type of their default.");
    for rule in &catalog.rules {
        add("");
        add(&format!("# {}: {}", rule.id, one_line(&rule.title)));
        add(&format!("# severity: {}", rule.severity));
        add(&format!("# [rules.{}]", rule.id));
        add(&format!("# level = \"{}\"", rule.level));
        for (name, parameter) in &rule.parameters {
            add(&format!(
                "# {name} = {}  # {}",
                parameter.default,
                one_line(&parameter.description)
            ));
        }
    }
    let example_rule = if catalog.rule("single-owner").is_some() {
        "single-owner"
    } else {
        "*"
    };
    add(&format!(
        "
# Exceptions: accept the findings of one rule (\"*\": every rule) on one package, or on one
# version of it. Names are compared as in lockfiles (PyPI names PEP 503-normalized). `reason`
# is required. An exception applies through its `expires` date, then no longer applies and is
# reported as expired; one that matches nothing is reported as unused.
# [[exceptions]]
# package = \"npm:left-pad@1.3.0\"
# rule = \"{example_rule}\"
# reason = \"vendored and reviewed; see docs/dependencies.md\"
# expires = 2027-01-31"
    ));
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// Text on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A whole `deptrust.toml` read as `config` reads it, its policy kept.
    fn parse_with(text: &str, path: &Path, catalog: &Catalog) -> Result<Policy, PolicyErrors> {
        crate::config::Config::parse_with(text, path, catalog).map(|config| config.policy)
    }

    /// Against the real catalog.
    fn parse_real(text: &str, path: &Path) -> Result<Policy, PolicyErrors> {
        parse_with(text, path, catalog())
    }
    use crate::rules::Rule;

    /// A catalog with the shapes of the real rules, so that these tests do not depend on the
    /// real rules' defaults.
    fn test_catalog() -> Catalog {
        let rule = |text: &str| toml::from_str::<Rule>(text).unwrap();
        let rules = vec![
            rule(
                r#"
                id = "new-publisher"
                title = "A version was published by someone who never published it before"
                why = "w"
                checks = "c"
                remediation = "r"
                level = "warn"
                severity = "high"
                [parameters.window-days]
                default = 30
                description = "Days during which a new publisher is reported."
            "#,
            ),
            rule(
                r#"
                id = "single-owner"
                title = "One person can publish"
                why = "w"
                checks = "c"
                remediation = "r"
                level = "allow"
                severity = "low"
            "#,
            ),
            rule(
                r#"
                id = "too-new"
                title = "The version in use was published very recently"
                why = "w"
                checks = "c"
                remediation = "r"
                level = "warn"
                severity = "medium"
                [parameters.hours]
                default = 72
                description = "Hours after publication during which a version is too new."
                [parameters.ratio]
                default = 0.5
                description = "A float."
                [parameters.scopes]
                default = ["a"]
                description = "A list."
            "#,
            ),
        ];
        let weights = crate::rules::catalog().weights.clone();
        Catalog { rules, weights }
    }

    fn parse(text: &str) -> Result<Policy, PolicyErrors> {
        parse_with(text, Path::new("deptrust.toml"), &test_catalog())
    }

    fn messages(text: &str) -> Vec<String> {
        parse(text)
            .unwrap_err()
            .errors
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn empty_policy_is_the_default() {
        let policy = parse("version = 1\n").unwrap();
        assert_eq!(policy, Policy::from_catalog(&test_catalog()));
        assert_eq!(policy.level("too-new"), Level::Warn);
        assert_eq!(policy.level("single-owner"), Level::Allow);
        assert_eq!(policy.level("not-a-rule"), Level::Warn);
        assert_eq!(
            policy.params("too-new").value("hours"),
            Some(&toml::Value::Integer(72))
        );
        assert_eq!(policy.params("not-a-rule"), &Params::default());
        assert_eq!(policy.unknown(), Level::Warn);
        assert_eq!(policy.unreachable(), Level::Deny);
        assert!(policy.counts_dev());
        assert!(ECOSYSTEMS.iter().all(|e| policy.counts_ecosystem(*e)));
        assert!(policy.exceptions().is_empty());
    }

    #[test]
    fn every_option_is_read() {
        let policy = parse(
            r#"
version = 1
unknown = "deny"
unreachable = "warn"
ecosystems = ["npm", "pypi"]
dev = false

[registries]
npm = "https://npm.example.com/"

[rules.too-new]
level = "deny"
hours = 48
ratio = 1
scopes = ["b", "c"]

[rules]
new-publisher = { level = "allow", window-days = 10 }
"#,
        )
        .unwrap();
        assert_eq!(policy.unknown(), Level::Deny);
        assert_eq!(policy.unreachable(), Level::Warn);
        assert!(!policy.counts_ecosystem(Ecosystem::Cargo));
        assert!(policy.counts_ecosystem(Ecosystem::Npm));
        assert!(!policy.counts_dev());
        assert_eq!(policy.level("too-new"), Level::Deny);
        assert_eq!(
            policy.params("too-new").value("hours"),
            Some(&toml::Value::Integer(48))
        );
        // An integer given for a float parameter is stored as a float.
        assert_eq!(
            policy.params("too-new").value("ratio"),
            Some(&toml::Value::Float(1.0))
        );
        assert_eq!(policy.level("new-publisher"), Level::Allow);
        assert_eq!(
            policy.params("new-publisher").value("window-days"),
            Some(&toml::Value::Integer(10))
        );
        // Naming every ecosystem is the same as the default.
        let all = parse("version = 1\necosystems = [\"pypi\", \"npm\", \"cargo\"]\n").unwrap();
        assert_eq!(all, Policy::from_catalog(&test_catalog()));
    }

    #[test]
    fn unknown_key_error_names_file_line_column_and_expected_keys() {
        let errors = messages("version = 1\n\n[rules.too-new]\nlevel = \"deny\"\nhourz = 48\n");
        assert_eq!(
            errors,
            ["deptrust.toml:5:1: unknown key `hourz` in [rules.too-new] \
                 (expected one of: level, hours, ratio, scopes)"]
        );
        let errors = messages("version = 1\nunknwn = \"warn\"\n");
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with(
                "deptrust.toml:2:1: unknown key `unknwn` in the top-level table (expected one of: "
            ) && errors[0].contains("registries"),
            "{errors:?}"
        );
        let errors = messages(
            "version = 1\n[[exceptions]]\npackage = \"npm:a\"\nrule = \"*\"\nreason = \"r\"\n  why = 1\n",
        );
        assert_eq!(
            errors,
            ["deptrust.toml:6:3: unknown key `why` in [[exceptions]] \
                 (expected one of: package, rule, reason, expires)"]
        );
    }

    #[test]
    fn bad_level_is_an_error() {
        assert_eq!(
            messages("version = 1\n[rules.too-new]\nlevel = \"error\"\n"),
            [
                "deptrust.toml:3:9: invalid value for `level` in [rules.too-new]: `\"error\"` \
                 (expected one of: allow, warn, deny)"
            ]
        );
        assert_eq!(
            messages("version = 1\nunknown = 2\n"),
            [
                "deptrust.toml:2:11: wrong type for `unknown` in the top-level table: found an \
                 integer (expected a string, one of: allow, warn, deny)"
            ]
        );
    }

    #[test]
    fn unknown_rule_id_is_an_error() {
        assert_eq!(
            messages("version = 1\n[rules.too-old]\nlevel = \"deny\"\n"),
            [
                "deptrust.toml:2:8: unknown rule `too-old` in [rules] (expected one of: \
                 `new-publisher`, `single-owner`, `too-new`)"
            ]
        );
        let errors = messages(
            "version = 1\n[[exceptions]]\npackage = \"npm:a\"\nrule = \"too-old\"\nreason = \"r\"\n",
        );
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("deptrust.toml:4:8: unknown rule `too-old` in [[exceptions]]"),
            "{errors:?}"
        );
    }

    #[test]
    fn wrong_parameter_type_is_an_error() {
        assert_eq!(
            messages("version = 1\n[rules.too-new]\nhours = \"48\"\n"),
            [
                "deptrust.toml:3:9: wrong type for `hours` in [rules.too-new]: found a string \
                 (expected an integer)"
            ]
        );
        assert_eq!(
            messages("version = 1\n[rules.too-new]\nhours = 1.5\n"),
            [
                "deptrust.toml:3:9: wrong type for `hours` in [rules.too-new]: found a float \
                 (expected an integer)"
            ]
        );
        assert_eq!(
            messages("version = 1\n[rules.too-new]\nhours = -1\n"),
            [
                "deptrust.toml:3:9: invalid value for `hours` in [rules.too-new]: `-1` \
                 (expected a non-negative integer)"
            ]
        );
        assert_eq!(
            messages("version = 1\n[rules.too-new]\nscopes = [\"a\", 2, true]\n"),
            [
                "deptrust.toml:3:16: wrong type for `scopes` in [rules.too-new]: found an \
                 integer (expected a string)",
                "deptrust.toml:3:19: wrong type for `scopes` in [rules.too-new]: found a \
                 boolean (expected a string)"
            ]
        );
        assert_eq!(
            messages("version = 1\n[rules]\ntoo-new = \"deny\"\n"),
            [
                "deptrust.toml:3:11: wrong type for `too-new` in [rules]: found a string \
                 (expected a table with `level` and the rule's parameters)"
            ]
        );
    }

    #[test]
    fn version_is_required_and_must_be_1() {
        assert_eq!(
            messages("unknown = \"warn\"\n"),
            [
                "deptrust.toml:1:1: missing key `version` in the top-level table \
                 (expected `version = 1` at the top of the file)"
            ]
        );
        // Only the version is reported: the rest follows a format this deptrust does not know.
        assert_eq!(
            messages("version = 2\nunknwn = 1\n[rules.whatever]\n"),
            ["deptrust.toml:1:11: unsupported `version = 2` (this deptrust reads version 1)"]
        );
        assert_eq!(
            messages("version = \"1\"\n"),
            [
                "deptrust.toml:1:11: wrong type for `version` in the top-level table: found a \
                 string (expected the integer 1)"
            ]
        );
    }

    #[test]
    fn missing_or_empty_reason_is_an_error() {
        assert_eq!(
            messages("version = 1\n\n[[exceptions]]\npackage = \"npm:a\"\nrule = \"*\"\n"),
            ["deptrust.toml:3:1: missing key `reason` in [[exceptions]] \
                 (expected a non-empty string saying why the risk is accepted)"]
        );
        assert_eq!(
            messages(
                "version = 1\n[[exceptions]]\npackage = \"npm:a\"\nrule = \"*\"\nreason = \"  \"\n"
            ),
            [
                "deptrust.toml:5:10: invalid value for `reason` in [[exceptions]]: `\"  \"` \
                 (expected a non-empty string saying why the risk is accepted)"
            ]
        );
    }

    #[test]
    fn bad_package_and_expires_are_errors() {
        let errors = messages(
            r#"version = 1
[[exceptions]]
package = "maven:a"
rule = "*"
reason = "r"
expires = "31/01/2027"
[[exceptions]]
package = "npm:a@"
rule = "*"
reason = "r"
expires = "2027-02-30"
[[exceptions]]
package = "npm:a"
rule = "*"
reason = "r"
expires = 2027-01-31T00:00:00Z
"#,
        );
        let positions: Vec<&str> = errors
            .iter()
            .map(|e| e.split(": ").next().unwrap())
            .collect();
        assert_eq!(
            positions,
            [
                "deptrust.toml:3:11",
                "deptrust.toml:6:11",
                "deptrust.toml:8:11",
                "deptrust.toml:11:11",
                "deptrust.toml:16:11",
            ],
            "{errors:#?}"
        );
        assert!(errors[0].contains("`package`") && errors[0].contains("<ecosystem>:<name>"));
        assert!(errors[1].contains("`expires`") && errors[1].contains("2027-01-31"));
    }

    #[test]
    fn several_errors_are_reported_together_in_file_order() {
        let result = Config::parse_with(
            r#"version = 1
unknown = "sometimes"
dev = "yes"

[registries]
npm = "not a url"
nmp = "https://x/"

[rules.too-new]
level = "deny"
hourz = 1

[[exceptions]]
package = "npm:left-pad"
rule = "single-owner"
"#,
            Path::new("deptrust.toml"),
            &test_catalog(),
        );
        let text = result.unwrap_err().to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        let positions: Vec<&str> = lines
            .iter()
            .map(|line| line.split(": ").next().unwrap())
            .collect();
        assert_eq!(
            positions,
            [
                "deptrust.toml:2:11",
                "deptrust.toml:3:7",
                "deptrust.toml:6:7",
                "deptrust.toml:7:1",
                "deptrust.toml:11:1",
                "deptrust.toml:13:1",
            ],
            "{text}"
        );
        assert!(lines[2].contains("`npm` in [registries]"), "{text}");
        assert!(lines[5].contains("missing key `reason`"), "{text}");
    }

    #[test]
    fn syntax_errors_are_reported_with_their_position() {
        let errors = messages("version = 1\nunknown = \n");
        assert!(
            errors.len() == 1
                && errors[0].starts_with("deptrust.toml:2:")
                && errors[0].contains("invalid TOML"),
            "{errors:?}"
        );
    }

    const EXCEPTIONS: &str = r#"version = 1
[[exceptions]]
package = "npm:left-pad"
rule = "*"
reason = "vendored"

[[exceptions]]
package = "npm:@scope/pkg@1.0.0"
rule = "too-new"
reason = "reviewed this exact version"
expires = "2026-06-30"

[[exceptions]]
package = "pypi:Zope.Interface"
rule = "single-owner"
reason = "well known"
expires = 2026-01-01

[[exceptions]]
package = "cargo:serde"
rule = "new-publisher"
reason = "never seen"
"#;

    #[test]
    fn wildcard_exception_covers_every_rule_of_the_package() {
        let policy = parse(EXCEPTIONS).unwrap();
        let today = date("2026-03-01");
        for rule in ["too-new", "single-owner", "new-publisher"] {
            let exception = policy
                .exception_for(Ecosystem::Npm, "left-pad", "1.3.0", rule, today)
                .unwrap();
            assert_eq!(exception.index, 0);
            assert_eq!(exception.line, 2);
            assert_eq!(exception.to_string(), "npm:left-pad (every rule)");
        }
        assert!(
            policy
                .exception_for(Ecosystem::Cargo, "left-pad", "1.3.0", "too-new", today)
                .is_none()
        );
    }

    #[test]
    fn versioned_exception_only_matches_that_version_and_rule() {
        let policy = parse(EXCEPTIONS).unwrap();
        let today = date("2026-03-01");
        let exception = policy
            .exception_for(Ecosystem::Npm, "@scope/pkg", "1.0.0", "too-new", today)
            .unwrap();
        assert_eq!(exception.index, 1);
        assert_eq!(exception.to_string(), "npm:@scope/pkg@1.0.0 (rule too-new)");
        assert!(
            policy
                .exception_for(Ecosystem::Npm, "@scope/pkg", "1.0.1", "too-new", today)
                .is_none()
        );
        assert!(
            policy
                .exception_for(Ecosystem::Npm, "@scope/pkg", "1.0.0", "single-owner", today)
                .is_none()
        );
        // It applies through its `expires` day, not after.
        let last_day = date("2026-06-30");
        assert!(
            policy
                .exception_for(Ecosystem::Npm, "@scope/pkg", "1.0.0", "too-new", last_day)
                .is_some()
        );
        let day_after = date("2026-07-01");
        assert!(
            policy
                .exception_for(Ecosystem::Npm, "@scope/pkg", "1.0.0", "too-new", day_after)
                .is_none()
        );
    }

    #[test]
    fn most_specific_exception_wins() {
        let policy = parse(
            r#"version = 1
[[exceptions]]
package = "npm:a"
rule = "*"
reason = "broad"
[[exceptions]]
package = "npm:a@2.0.0"
rule = "too-new"
reason = "narrow"
[[exceptions]]
package = "npm:a"
rule = "too-new"
reason = "rule only"
"#,
        )
        .unwrap();
        let today = date("2026-03-01");
        let index = |version: &str, rule: &str| {
            policy
                .exception_for(Ecosystem::Npm, "a", version, rule, today)
                .map(|exception| exception.index)
        };
        assert_eq!(index("2.0.0", "too-new"), Some(1));
        assert_eq!(index("1.0.0", "too-new"), Some(2));
        assert_eq!(index("1.0.0", "single-owner"), Some(0));
    }

    /// The index by package picks what a search of every exception picks: most specific, then
    /// first in the file, expired ones skipped, across packages, versions and rules.
    #[test]
    fn indexed_matching_matches_a_search_of_every_exception() {
        let mut text = String::from("version = 1\n");
        let packages = [
            "npm:a",
            "npm:a@1.0.0",
            "npm:b",
            "pypi:Zope.Interface",
            "cargo:a",
        ];
        let rules = ["*", "too-new", "single-owner"];
        let expires = ["", "expires = 2026-01-01\n"];
        for (i, package) in packages.iter().enumerate() {
            for (j, rule) in rules.iter().enumerate() {
                // Twice each, the second copy expiring on odd positions: ties and expiry.
                for copy in 0..2 {
                    let expires = expires[(i + j + copy) % 2];
                    text.push_str(&format!(
                        "[[exceptions]]\npackage = \"{package}\"\nrule = \"{rule}\"\n\
                         reason = \"r\"\n{expires}"
                    ));
                }
            }
        }
        let policy = parse(&text).unwrap();
        assert_eq!(policy.exceptions().len(), 30);
        for today in [date("2025-06-01"), date("2026-06-01")] {
            for ecosystem in [Ecosystem::Npm, Ecosystem::Pypi, Ecosystem::Cargo] {
                for name in ["a", "b", "zope_interface", "c"] {
                    for version in ["1.0.0", "2.0.0"] {
                        for rule in ["too-new", "single-owner", "new-publisher"] {
                            let naive = policy
                                .exceptions()
                                .iter()
                                .filter(|e| {
                                    !e.is_expired(today)
                                        && e.matches(ecosystem, name, version, rule)
                                })
                                .max_by_key(|e| (e.specificity(), std::cmp::Reverse(e.index)))
                                .map(|e| e.index);
                            let indexed = policy
                                .exception_for(ecosystem, name, version, rule, today)
                                .map(|e| e.index);
                            assert_eq!(indexed, naive, "{ecosystem}:{name}@{version} {rule}");
                        }
                    }
                }
            }
        }
    }

    /// Lines and columns come from one index of line starts: right at the end of a large file
    /// and after multi-byte characters.
    #[test]
    fn positions_are_exact_in_a_large_file() {
        let mut text = String::from("version = 1\n# é ü\n");
        for i in 0..2_000 {
            text.push_str(&format!(
                "[[exceptions]]\npackage = \"npm:p{i}\"\nrule = \"*\"\nreason = \"r\"\n"
            ));
        }
        let policy = parse(&text).unwrap();
        assert_eq!(policy.exceptions()[0].line, 3);
        assert_eq!(policy.exceptions()[1_999].line, 3 + 4 * 1_999);
        text.push_str(
            "[[exceptions]]\npackage = \"npm:x\"\nrule = \"*\"\nreason = \"r\"\nbogus = 1\n",
        );
        let errors = messages(&text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("deptrust.toml:8007:1: "),
            "{}",
            errors[0]
        );
        let errors = messages("version = 1\n# é\nunknown = \"nope\"\n");
        assert!(
            errors[0].starts_with("deptrust.toml:3:11: "),
            "{}",
            errors[0]
        );
        let errors = messages("version = 1\nx = \"é\" = 1\n");
        assert!(
            errors[0].starts_with("deptrust.toml:2:9: "),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn pypi_names_are_normalized() {
        let policy = parse(EXCEPTIONS).unwrap();
        assert_eq!(policy.exceptions()[2].name, "zope-interface");
        let today = date("2025-12-31");
        for name in ["zope-interface", "Zope_Interface", "zope.interface"] {
            let exception =
                policy.exception_for(Ecosystem::Pypi, name, "5.0", "single-owner", today);
            assert_eq!(exception.map(|e| e.index), Some(2), "{name}");
        }
        // npm and Cargo names are compared exactly.
        assert!(
            policy
                .exception_for(Ecosystem::Npm, "Left-Pad", "1.0.0", "too-new", today)
                .is_none()
        );
    }

    #[test]
    fn expired_exceptions_are_reported_and_never_applied() {
        let policy = parse(EXCEPTIONS).unwrap();
        let today = date("2026-03-01");
        assert!(
            policy
                .exception_for(
                    Ecosystem::Pypi,
                    "zope-interface",
                    "5.0",
                    "single-owner",
                    today
                )
                .is_none()
        );
        let used = BTreeSet::from([0, 1]);
        let notes: Vec<(usize, ExceptionProblem)> = policy
            .exception_notes(&used, today)
            .into_iter()
            .map(|(exception, problem)| (exception.index, problem))
            .collect();
        assert_eq!(
            notes,
            [
                (2, ExceptionProblem::Expired),
                (3, ExceptionProblem::Unused)
            ]
        );
        assert_eq!(ExceptionProblem::Expired.to_string(), "expired");
    }

    #[test]
    fn exception_matching_nothing_is_reported_unused() {
        let policy = parse(EXCEPTIONS).unwrap();
        let today = date("2025-01-01");
        let notes = policy.exception_notes(&BTreeSet::new(), today);
        assert_eq!(notes.len(), 4);
        assert!(
            notes
                .iter()
                .all(|(_, problem)| *problem == ExceptionProblem::Unused)
        );
    }

    /// Uncomments the settings of a template (`# key = value`, `# [table]`).
    fn uncomment(template: &str) -> String {
        template
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with('[')
                        || rest.split_once(" = ").is_some_and(|(key, _)| {
                            !key.is_empty()
                                && key
                                    .bytes()
                                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                        }) =>
                {
                    rest.to_string()
                }
                _ => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn template_parses_to_the_default_policy() {
        let catalog = test_catalog();
        let text = template_for(&catalog, &crate::config::settings_template());
        let path = Path::new("deptrust.toml");
        let default = Policy::from_catalog(&catalog);
        assert_eq!(parse_with(&text, path, &catalog).unwrap(), default);
        for rule in &catalog.rules {
            assert!(text.contains(&format!("# [rules.{}]", rule.id)), "{text}");
            assert!(text.contains(&rule.title), "{text}");
        }
        assert!(
            text.contains("# hours = 72  # Hours after publication"),
            "{text}"
        );
        assert!(text.contains("# severity: medium"), "{text}");

        // With every setting uncommented, only the example exception is added.
        let uncommented = uncomment(&text);
        let policy = parse_with(&uncommented, path, &catalog).unwrap();
        assert_eq!(policy.exceptions().len(), 1, "{uncommented}");
        assert_eq!(policy.exceptions()[0].rule.as_deref(), Some("single-owner"));
        assert_eq!(
            Policy {
                exceptions: Vec::new(),
                by_package: HashMap::new(),
                ..policy
            },
            default,
            "{uncommented}"
        );
        let config = Config::parse_with(&uncommented, path, &catalog).unwrap();
        assert_eq!(
            config.registries.npm.map(String::from).as_deref(),
            Some("https://registry.npmjs.org/")
        );
    }

    #[test]
    fn template_of_the_real_catalog_parses_to_the_default_policy() {
        let text = crate::config::template();
        let path = Path::new("deptrust.toml");
        assert_eq!(parse_real(&text, path).unwrap(), Policy::default());
        let policy = parse_real(&uncomment(&text), path).unwrap();
        assert_eq!(policy.exceptions().len(), 1);
        assert_eq!(
            Policy {
                exceptions: Vec::new(),
                by_package: HashMap::new(),
                ..policy
            },
            Policy::default()
        );
    }

    #[test]
    fn real_catalog_rules_are_configurable() {
        let path = Path::new("deptrust.toml");
        let policy = parse_real(
            "version = 1\n[rules.too-new]\nlevel = \"deny\"\nhours = 48\n\
             [rules.new-publisher]\nlevel = \"allow\"\n",
            path,
        )
        .unwrap();
        assert_eq!(policy.level("too-new"), Level::Deny);
        assert_eq!(
            policy.params("too-new").value("hours"),
            Some(&toml::Value::Integer(48))
        );
        assert_eq!(policy.level("new-publisher"), Level::Allow);
        // Every rule's values fit its signal's typed parameters.
        for rule in &catalog().rules {
            assert_eq!(policy.params(&rule.id).problem(), None, "{}", rule.id);
        }
        assert_eq!(
            Policy::default().params("too-new").value("hours"),
            Some(&toml::Value::Integer(72))
        );
        assert_eq!(
            parse_real("version = 1\n[rules.too-new]\nhourz = 1\n", path)
                .unwrap_err()
                .to_string(),
            "deptrust.toml:3:1: unknown key `hourz` in [rules.too-new] \
             (expected one of: level, hours)"
        );
    }

    use crate::config::Config;
}

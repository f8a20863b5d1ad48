//! `poetry.lock`, lock versions 1.0, 1.1, 2.0 and 2.1, read without running Poetry.
//!
//! Format: [Poetry's lockfile](https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock)
//! (no published schema; `[metadata] lock-version` says which). Versions:
//! - **1.0** (Poetry 1.0): file hashes in `[metadata.files]`; each package has a `category`
//!   (`main` or `dev`). Poetry 1.0.0 to 1.0.9 wrote no `lock-version` (Poetry 1.0.10 added
//!   it): a file with `[metadata.files]` and no `lock-version` is read as 1.0, as Poetry does.
//! - **1.1** (Poetry 1.1 to 1.2): the same, for everything read here.
//! - **2.0** (Poetry 1.3 to 1.8): file hashes in each package's `files`.
//! - **2.1** (Poetry 2): each package lists its dependency `groups` instead of a `category`
//!   and, when it is not always needed, its `markers`.
//!
//! Other versions (and files before Poetry 1.0, which have neither `lock-version` nor
//! `[metadata.files]`) are refused by name.
//!
//! Read here:
//! - every `[[package]]`: one node per name and version; `[package.source]` `git`, `url`,
//!   `file`, `directory` and `legacy` (a simple index, kept with its URL) sources;
//! - the root, from the `pyproject.toml` beside the lockfile (PEP 621 `[project]` or
//!   `[tool.poetry]`): main dependencies → `normal`, the project's extras (`optional = true`)
//!   → `optional`, other groups → `dev`. A project without a name is named after its
//!   directory (with a warning);
//! - `[package.dependencies]`: `name = "constraint"`, `name = { version, markers, extras,
//!   optional, … }` or an array of such (multiple-constraints dependencies) → `normal` edges.
//!   An `optional = true` dependency is an edge (`optional`) only when some dependent asks for
//!   an extra of `[package.extras]` that lists it; extras are activated transitively;
//! - several locked versions of one name (marker forks): the constraint picks (Poetry's `^`,
//!   `~`, `*`, `||` syntax and PEP 440), then markers (below), else every candidate, with a
//!   warning;
//! - markers (see [`super::markers`] for what is decided): a dependency whose `markers`,
//!   together with the declaring package's own `markers` (lock 2.1; a table of markers per
//!   group is their disjunction), can never hold within the project's Python range is no
//!   edge (Poetry writes each package's dependencies as published, so
//!   `importlib-metadata = { markers = "python_version < \"3.8\"" }` stays in a lock for
//!   `^3.10`). The range is `[metadata] python-versions` (a Poetry constraint), else the
//!   pyproject's `project.requires-python` or `tool.poetry.dependencies.python`, else every
//!   Python. Among several locked versions, an edge goes to those whose `markers` can hold
//!   together with the dependency's and the declaring package's. A marker that is not
//!   understood counts as one that may hold, with a warning. The root's PEP 621 dependencies
//!   and `markers = "…"` of its Poetry dependencies are decided the same way.
//!
//! Without a `pyproject.toml` (warned), the root depends on every package nothing else depends
//! on, `dev` when the lockfile's own `category`/`groups` say so.
//!
//! Not supported: platform markers are not evaluated (the graph covers every platform); lock
//! versions before 2.1 record no per-package markers, so forks there are told apart by
//! constraint and the dependency's own markers only; a root dependency with several locked
//! versions is linked to all of them whose markers agree (the pyproject's Poetry constraints
//! and its `python = "…"` keys are not compared); a dependency that is not locked although its
//! markers can hold is a warning, not an edge.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;

use serde::Deserialize;

use super::markers::{Marker, MarkerScope, parse_marker, python_range};
use super::{
    PoetrySpec, allowed_or_all, normalize_name, normalize_version, project_root, read_toml,
};
use crate::lockfile::lines::LineCounter;
use crate::lockfile::{Format, LockfileInput, LockfileParser, ParseError};
use crate::model::{DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `pypi/poetry-lock` parser.
#[derive(Debug)]
pub(crate) struct PoetryLock;

const SUPPORTED: &str = "1.0, 1.1, 2.0, 2.1";

/// What this parser reads.
pub(crate) const FORMAT: Format = Format {
    id: "pypi/poetry-lock",
    ecosystem: Ecosystem::Pypi,
    tool: "Poetry",
    files: &["poetry.lock"],
    versions: "1.x, 2.x",
    accepted: SUPPORTED,
};

/// Only the version, read again when the whole file does not fit [`LockWire`], so that an
/// unknown format is refused by name rather than by a schema error.
#[derive(Deserialize)]
struct VersionWire {
    metadata: Option<MetadataWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct MetadataWire {
    lock_version: Option<toml::Value>,
    /// `[metadata.files]`: Poetry 1.0.0 to 1.0.9 wrote it without a `lock-version`.
    files: Option<toml::Value>,
    /// The project's Python range, a Poetry constraint (`^3.10`, `>=3.8,<4.0`).
    python_versions: Option<String>,
}

#[derive(Deserialize)]
struct LockWire {
    metadata: Option<MetadataWire>,
    #[serde(default)]
    package: Vec<PackageWire>,
}

#[derive(Deserialize)]
struct PackageWire {
    /// Spanned: its line is the package's.
    name: toml::Spanned<String>,
    version: String,
    #[serde(default)]
    optional: bool,
    /// Lock versions 1.x: `main` or `dev`.
    category: Option<String>,
    /// Lock version 2.1: the dependency groups that need the package.
    groups: Option<Vec<String>>,
    /// A string, or (2.1) a table of markers per group.
    markers: Option<toml::Value>,
    /// name → `"constraint"` | `{ version, markers, extras, optional, … }` | array of tables.
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    /// extra → `["dep (>=1)", "other"]`.
    #[serde(default)]
    extras: BTreeMap<String, Vec<String>>,
    source: Option<SourceWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct SourceWire {
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
    resolved_reference: Option<String>,
}

impl PackageWire {
    /// Every `[package.dependencies]` entry (several for a multiple-constraints dependency).
    fn specs(&self) -> Vec<PoetrySpec> {
        self.dependencies
            .iter()
            .flat_map(|(name, value)| PoetrySpec::read(name, value))
            .collect()
    }

    /// The lockfile's own dev flag: `category = "dev"` (1.x) or no `main` group (2.1).
    fn dev_hint(&self) -> Option<bool> {
        if let Some(groups) = &self.groups {
            return Some(!groups.iter().any(|group| group == "main"));
        }
        self.category.as_deref().map(|category| category == "dev")
    }

    /// The package's own markers: a string, or (2.1) a table of markers per group, which
    /// holds where any of them does.
    fn marker(&self) -> Option<Marker> {
        match self.markers.as_ref()? {
            toml::Value::String(text) => Some(parse_marker(text)),
            toml::Value::Table(groups) => Some(Marker::any(groups.values().map(|value| {
                value.as_str().map_or_else(
                    || Marker::Unknown(format!("`{value}` is not a string")),
                    parse_marker,
                )
            }))),
            other => Some(Marker::Unknown(format!(
                "`{other}` is not a string or table"
            ))),
        }
    }

    fn to_source(&self) -> Source {
        let Some(source) = &self.source else {
            return Source::Registry(None);
        };
        let url = source.url.clone().unwrap_or_default();
        match source.kind.as_str() {
            "git" => Source::Git(match &source.resolved_reference {
                Some(reference) => format!("{url}#{reference}"),
                None => url,
            }),
            "legacy" => Source::Registry(Some(url)),
            "directory" | "file" => Source::Path(url),
            "url" => Source::Url(url),
            _ => Source::Unknown,
        }
    }
}

impl LockfileParser for PoetryLock {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        let wire: LockWire = read_toml(input, |probe: &VersionWire| {
            detect_version(input, probe.metadata.as_ref())
        })?;
        let version = detect_version(input, wire.metadata.as_ref())?;
        let lock_python = wire
            .metadata
            .as_ref()
            .and_then(|m| m.python_versions.clone());
        let mut graph = Graph::new(wire, input.contents);
        let (root, project) = project_root(input, &mut graph.builder)?;
        // The lock's range and the pyproject's Poetry one are Poetry constraints, PEP 621's
        // `requires-python` PEP 440 specifiers.
        let python = match (lock_python, &project) {
            (Some(range), _) => Some((range.clone(), poetry_python_range(&range))),
            (None, Some(project)) => match (&project.requires_python, &project.poetry_python) {
                (Some(range), _) => Some((range.clone(), python_range(&[range]))),
                (None, Some(range)) => Some((range.clone(), poetry_python_range(range))),
                (None, None) => None,
            },
            (None, None) => None,
        };
        if let Some((range, parsed)) = python {
            if parsed.is_none() {
                graph.builder.warn(format!(
                    "the Python range `{range}` does not parse: markers are decided for every Python"
                ));
            }
            graph.scope = MarkerScope::new(parsed);
        }
        match project {
            Some(project) => {
                for declared in &project.declared {
                    if !graph.scope.can_hold(&[&declared.marker]) {
                        continue;
                    }
                    let targets = match &declared.requirement {
                        Some(requirement) => {
                            graph.candidates(&declared.name, |version| requirement.allows(version))
                        }
                        None => graph.candidates(&declared.name, |_| true),
                    };
                    let targets = graph.by_markers(&root, &declared.marker, &Marker::TRUE, targets);
                    if targets.is_empty() {
                        graph.builder.warn(format!(
                            "`{root}` depends on `{}`, which is not in the lockfile",
                            declared.name
                        ));
                    }
                    for target in targets {
                        graph.edge_to(&root, target, declared.kind, &declared.extras);
                    }
                }
            }
            None => graph.guess_root_edges(&root),
        }
        graph.package_edges();
        Ok(graph.builder.finish(self.id(), version))
    }
}

fn detect_version(
    input: &LockfileInput<'_>,
    metadata: Option<&MetadataWire>,
) -> Result<String, ParseError> {
    let Some(value) = metadata.and_then(|m| m.lock_version.as_ref()) else {
        // Poetry itself reads a missing `lock-version` as 1.0 (its `Locker`).
        if metadata.is_some_and(|m| m.files.is_some()) {
            return Ok("1.0".to_string());
        }
        return Err(input.invalid(
            "missing `[metadata] lock-version` (a lockfile older than Poetry 1.0 is not supported)",
        ));
    };
    let Some(version) = value.as_str() else {
        return Err(input.invalid(format!("`lock-version` must be a string, found `{value}`")));
    };
    match version {
        "1.0" | "1.1" | "2.0" | "2.1" => Ok(version.to_string()),
        other => Err(input.unsupported(other, SUPPORTED)),
    }
}

struct Graph {
    packages: Vec<PackageWire>,
    specs: Vec<Vec<PoetrySpec>>,
    ids: Vec<PackageId>,
    by_name: HashMap<String, Vec<usize>>,
    /// Each package's own markers (`true` without them).
    markers: Vec<Marker>,
    scope: MarkerScope,
    builder: LockfileBuilder,
    /// Extras asked of a package, still to expand.
    pending: Vec<(usize, String)>,
}

impl Graph {
    fn new(wire: LockWire, text: &str) -> Self {
        let mut builder = LockfileBuilder::new(Ecosystem::Pypi);
        let packages = wire.package;
        let ids: Vec<PackageId> = packages
            .iter()
            .map(|p| {
                builder.id(
                    normalize_name(p.name.get_ref()),
                    normalize_version(&p.version),
                )
            })
            .collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut lines = LineCounter::new(text);
        for (i, (package, id)) in packages.iter().zip(&ids).enumerate() {
            by_name.entry(id.name.clone()).or_default().push(i);
            let line = lines.line(package.name.span().start);
            builder.package_at(id.clone(), package.to_source(), line);
            if let Some(dev) = package.dev_hint() {
                builder.dev_hint(id, dev);
            }
        }
        let specs = packages.iter().map(PackageWire::specs).collect();
        let markers = packages
            .iter()
            .zip(&ids)
            .map(|(package, id)| {
                let marker = package.marker().unwrap_or(Marker::TRUE);
                if let Some(reason) = marker.unknown() {
                    builder.warn(format!(
                        "the markers of `{id}` are not understood ({reason}): they count as ones that may hold"
                    ));
                }
                marker
            })
            .collect();
        Graph {
            packages,
            specs,
            ids,
            by_name,
            markers,
            scope: MarkerScope::default(),
            builder,
            pending: Vec::new(),
        }
    }

    /// The locked packages of a name that a version test accepts; all of them when it accepts
    /// none (the constraint is not one this parser reads right).
    fn candidates(&self, name: &str, allows: impl Fn(&str) -> bool) -> Vec<usize> {
        let Some(all) = self.by_name.get(name) else {
            return Vec::new();
        };
        allowed_or_all(all, |&i| allows(&self.ids[i].version))
    }

    /// Of several candidates, those whose markers can hold together with the dependency's
    /// (`edge`) and the declaring package's (`parent`); all of them, with a warning, when none
    /// can.
    fn by_markers(
        &mut self,
        from: &PackageId,
        edge: &Marker,
        parent: &Marker,
        candidates: Vec<usize>,
    ) -> Vec<usize> {
        if candidates.len() < 2 {
            return candidates;
        }
        let with_markers: Vec<(usize, &Marker)> = candidates
            .iter()
            .map(|&i| (i, self.markers.get(i).unwrap_or(&Marker::TRUE)))
            .collect();
        if let Some(picked) = self.scope.pick(&[edge, parent], &with_markers) {
            return picked;
        }
        let name = &self.ids[candidates[0]].name;
        let versions: Vec<&str> = candidates
            .iter()
            .map(|&i| self.ids[i].version.as_str())
            .collect();
        let warning = format!(
            "`{from}` depends on `{name}`, locked at {}, and no version's markers can hold together with the dependency's: the edge goes to every one",
            versions.join(", ")
        );
        self.builder.warn(warning);
        candidates
    }

    /// The packages a dependency entry of `from` names: none when its markers can never hold;
    /// else by its constraint, then by markers.
    fn resolve(&mut self, from: usize, spec: &PoetrySpec) -> Vec<usize> {
        let from_id = self.ids[from].clone();
        let edge = spec.markers.as_deref().map_or(Marker::TRUE, parse_marker);
        if let (Some(text), Some(reason)) = (&spec.markers, edge.unknown()) {
            self.builder.warn(format!(
                "`{from_id}` depends on `{}` with markers `{text}` that are not understood ({reason}): the edge is kept",
                spec.name
            ));
        }
        let parent = self.markers.get(from).cloned().unwrap_or(Marker::TRUE);
        if !self.scope.can_hold(&[&edge, &parent]) {
            return Vec::new();
        }
        let candidates = self.candidates(&spec.name, |version| {
            spec.constraint
                .as_deref()
                .is_none_or(|constraint| constraint_allows(constraint, version).unwrap_or(true))
        });
        if candidates.is_empty() {
            self.builder.warn(format!(
                "`{from_id}` depends on `{}`, which is not in the lockfile",
                spec.name
            ));
        }
        self.by_markers(&from_id, &edge, &parent, candidates)
    }

    fn edge_to(&mut self, from: &PackageId, target: usize, kind: DepKind, extras: &[String]) {
        self.builder.edge(from, &self.ids[target], kind);
        self.pending
            .extend(extras.iter().map(|extra| (target, extra.clone())));
    }

    /// Every package's non-optional dependencies, then the optional ones of requested extras.
    fn package_edges(&mut self) {
        for from in 0..self.packages.len() {
            let specs = self.specs[from].clone();
            for spec in specs.iter().filter(|spec| !spec.optional) {
                self.spec_edges(from, spec, DepKind::Normal);
            }
        }
        let mut active: BTreeSet<(usize, String)> = BTreeSet::new();
        while let Some((package, extra)) = self.pending.pop() {
            if !active.insert((package, extra.clone())) {
                continue;
            }
            let Some(listed) = self.packages.get(package).and_then(|p| {
                p.extras
                    .iter()
                    .find(|(name, _)| normalize_name(name) == extra)
                    .map(|(_, list)| list.clone())
            }) else {
                let id = &self.ids[package];
                self.builder.warn(format!(
                    "extra `{extra}` of `{id}` is requested but not in the lockfile"
                ));
                continue;
            };
            for entry in listed {
                let (name, nested) = extra_entry(&entry);
                if name == self.ids[package].name {
                    // `all = ["self[a, b]"]`: an extra made of other extras.
                    self.pending
                        .extend(nested.into_iter().map(|extra| (package, extra)));
                    continue;
                }
                let specs: Vec<PoetrySpec> = self.specs[package]
                    .iter()
                    .filter(|spec| spec.name == name)
                    .cloned()
                    .collect();
                if specs.is_empty() {
                    let id = &self.ids[package];
                    self.builder.warn(format!(
                        "extra `{extra}` of `{id}` lists `{name}`, which it does not depend on"
                    ));
                }
                for mut spec in specs {
                    spec.extras.extend(nested.iter().cloned());
                    self.spec_edges(package, &spec, DepKind::Optional);
                }
            }
        }
    }

    fn spec_edges(&mut self, from: usize, spec: &PoetrySpec, kind: DepKind) {
        let targets = self.resolve(from, spec);
        let from_id = self.ids[from].clone();
        for target in targets {
            self.edge_to(&from_id, target, kind, &spec.extras);
        }
    }

    /// Without a pyproject: the root depends on every package nothing else depends on.
    fn guess_root_edges(&mut self, root: &PackageId) {
        // A dependency whose markers never hold does not count.
        let depended = self
            .specs
            .iter()
            .zip(&self.markers)
            .flat_map(|(specs, parent)| specs.iter().map(move |spec| (spec, parent)))
            .filter(|(spec, parent)| {
                let edge = spec.markers.as_deref().map_or(Marker::TRUE, parse_marker);
                self.scope.can_hold(&[&edge, parent])
            })
            .map(|(spec, _)| spec.name.as_str());
        let packages = self.packages.iter().zip(&self.ids).map(|(package, id)| {
            let kind = if package.dev_hint() == Some(true) {
                DepKind::Dev
            } else if package.optional {
                DepKind::Optional
            } else {
                DepKind::Normal
            };
            (id, kind)
        });
        super::guess_root_edges(&mut self.builder, root, depended, packages);
    }
}

/// `"PySocks (>=1.5.6,!=1.5.7)"`, `"pysocks>=1.5.6"` or `"uvicorn[standard]"` → the normalized
/// name and the extras in brackets.
fn extra_entry(entry: &str) -> (String, Vec<String>) {
    let entry = entry.trim();
    let end = entry
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(entry.len());
    let (name, rest) = entry.split_at(end);
    let extras = rest
        .trim_start()
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .map(|(inside, _)| {
            inside
                .split(',')
                .map(normalize_name)
                .filter(|extra| !extra.is_empty())
                .collect()
        })
        .unwrap_or_default();
    (normalize_name(name), extras)
}

/// A Poetry constraint on the Python version (`^3.10`, `>=3.8,<4.0 || ^2.7`) as a marker;
/// `None` when it does not parse.
fn poetry_python_range(constraint: &str) -> Option<pep508_rs::MarkerTree> {
    let branches: Vec<String> = constraint
        .split("||")
        .map(pep440_specifiers)
        .collect::<Option<Vec<String>>>()?;
    let branches: Vec<&str> = branches.iter().map(String::as_str).collect();
    python_range(&branches)
}

/// Whether a version satisfies a Poetry constraint (`^1.2`, `~1.2`, `>=1,<2 || >3`, `*`,
/// `1.2.3`, PEP 440 operators); `None` when the constraint or version does not parse.
fn constraint_allows(constraint: &str, version: &str) -> Option<bool> {
    let version = pep440_rs::Version::from_str(version.trim()).ok()?;
    let mut any = false;
    for branch in constraint.split("||") {
        let specifiers = pep440_specifiers(branch)?;
        let specifiers = pep440_rs::VersionSpecifiers::from_str(&specifiers).ok()?;
        any |= specifiers.contains(&version);
    }
    Some(any)
}

/// One `||` branch of a Poetry constraint in PEP 440 syntax (`""` for any version).
fn pep440_specifiers(branch: &str) -> Option<String> {
    // Clauses are separated by commas or spaces; an operator may stand apart from its version.
    let mut clauses: Vec<String> = Vec::new();
    let mut operator = String::new();
    for token in branch.split([',', ' ']).filter(|t| !t.is_empty()) {
        if token.chars().all(|c| "<>=!~^".contains(c)) {
            operator.push_str(token);
        } else {
            clauses.push(format!("{operator}{token}"));
            operator.clear();
        }
    }
    let mut out: Vec<String> = Vec::new();
    for clause in clauses {
        if clause == "*" {
            continue;
        }
        if let Some(base) = clause.strip_prefix('^') {
            let (lower, release) = release_of(base)?;
            let index = release
                .iter()
                .position(|&part| part != 0)
                .unwrap_or(release.len().saturating_sub(1));
            out.push(format!(">={lower}"));
            out.push(format!("<{}", bump(&release, index)));
        } else if clause.starts_with("~=") || clause.starts_with(['<', '>', '=', '!']) {
            out.push(clause);
        } else if let Some(base) = clause.strip_prefix('~') {
            let (lower, release) = release_of(base)?;
            let index = if release.len() > 1 { 1 } else { 0 };
            out.push(format!(">={lower}"));
            out.push(format!("<{}", bump(&release, index)));
        } else {
            out.push(format!("=={clause}"));
        }
    }
    Some(out.join(","))
}

fn release_of(text: &str) -> Option<(String, Vec<u64>)> {
    let version = pep440_rs::Version::from_str(text.trim()).ok()?;
    let release = version.release().to_vec();
    (!release.is_empty()).then(|| (version.to_string(), release))
}

/// The release truncated after `index`, with that part increased: `bump([1, 2, 3], 1)` = `1.3`.
fn bump(release: &[u64], index: usize) -> String {
    let mut parts: Vec<u64> = release.iter().take(index + 1).copied().collect();
    if let Some(last) = parts.last_mut() {
        *last = last.saturating_add(1);
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::lockfile::test_support::fixture_lines;
    use crate::lockfile::test_support::{dir_with, edges, ids, parse_with};

    fn parse_in(dir: &Path, contents: &str) -> Result<Lockfile, ParseError> {
        parse_with(&PoetryLock, &dir.join("poetry.lock"), contents)
    }

    fn parse(contents: &str) -> Result<Lockfile, ParseError> {
        parse_in(Path::new("/nonexistent-dir/My_Project"), contents)
    }

    const PYPROJECT: &str = r#"
[tool.poetry]
name = "demo"
version = "1.0.0"

[tool.poetry.dependencies]
python = "^3.9"
requests = { version = "^2.31", extras = ["socks"] }
numpy = [
    { version = "<2", python = "<3.10" },
    { version = ">=2", python = ">=3.10" },
]
pyyaml = { version = "^6", optional = true }

[tool.poetry.extras]
yaml = ["pyyaml"]

[tool.poetry.group.dev.dependencies]
pytest = "^8"
"#;

    const LOCK: &str = r#"
[[package]]
name = "requests"
version = "2.32.3"
optional = false
groups = ["main"]

[package.dependencies]
idna = ">=2.5,<4"
PySocks = { version = ">=1.5.6,!=1.5.7", optional = true }
chardet = { version = ">=3.0.2,<6", optional = true }

[package.extras]
socks = ["PySocks (>=1.5.6,!=1.5.7)"]
use-chardet-on-py3 = ["chardet (>=3.0.2,<6)"]

[[package]]
name = "idna"
version = "3.7"
optional = false
groups = ["main"]

[[package]]
name = "pysocks"
version = "1.7.1"
optional = false
groups = ["main"]

[[package]]
name = "numpy"
version = "1.26.4"
optional = false
groups = ["main"]
markers = "python_version < \"3.10\""

[[package]]
name = "numpy"
version = "2.1.0"
optional = false
groups = ["main"]
markers = "python_version >= \"3.10\""

[[package]]
name = "pandas"
version = "2.2.0"
optional = false
groups = ["dev"]

[package.dependencies]
numpy = [
    { version = ">=1.22.4,<2", markers = "python_version < \"3.11\"" },
    { version = ">=2.0", markers = "python_version >= \"3.12\"" },
]

[[package]]
name = "pyyaml"
version = "6.0.1"
optional = true
groups = ["main"]

[[package]]
name = "pytest"
version = "8.0.0"
optional = false
groups = ["dev"]

[package.dependencies]
pandas = "*"
colorama = { version = "*", markers = "sys_platform == \"win32\"" }

[package.source]
type = "legacy"
url = "https://mirror.example/simple"
reference = "mirror"

[metadata]
lock-version = "2.1"
python-versions = "^3.9"
content-hash = "00"
"#;

    fn project(pyproject: &str) -> tempfile::TempDir {
        dir_with(&[("pyproject.toml", pyproject)])
    }

    #[test]
    fn graphs_roots_extras_groups_and_forks() {
        let dir = project(PYPROJECT);
        let lockfile = parse_in(dir.path(), LOCK).unwrap();
        assert_eq!(lockfile.format_version, "2.1");
        assert_eq!(lockfile.roots[0].to_string(), "pypi:demo@1.0.0");
        assert_eq!(
            edges(&lockfile),
            [
                "pypi:demo@1.0.0 -> pypi:numpy@1.26.4 normal",
                "pypi:demo@1.0.0 -> pypi:numpy@2.1.0 normal",
                "pypi:demo@1.0.0 -> pypi:pytest@8.0.0 dev",
                "pypi:demo@1.0.0 -> pypi:pyyaml@6.0.1 optional",
                "pypi:demo@1.0.0 -> pypi:requests@2.32.3 normal",
                "pypi:pandas@2.2.0 -> pypi:numpy@1.26.4 normal",
                "pypi:pandas@2.2.0 -> pypi:numpy@2.1.0 normal",
                "pypi:pytest@8.0.0 -> pypi:pandas@2.2.0 normal",
                // The `socks` extra asked by the root; `chardet` is never asked.
                "pypi:requests@2.32.3 -> pypi:idna@3.7 normal",
                "pypi:requests@2.32.3 -> pypi:pysocks@1.7.1 optional",
            ]
        );
        // `colorama` is not locked (its marker never held): a warning, not an error.
        assert!(
            lockfile.warnings.iter().any(|w| w.contains("`colorama`")),
            "{:?}",
            lockfile.warnings
        );
        let pytest = lockfile.packages.iter().find(|p| p.id.name == "pytest");
        assert_eq!(
            pytest.map(|p| &p.source),
            Some(&Source::Registry(Some(
                "https://mirror.example/simple".into()
            )))
        );
    }

    #[test]
    fn forks_are_picked_by_constraint() {
        let lock = LOCK.replace(
            "numpy = [\n    { version = \">=1.22.4,<2\", markers = \"python_version < \\\"3.11\\\"\" },\n    { version = \">=2.0\", markers = \"python_version >= \\\"3.12\\\"\" },\n]",
            "numpy = \"^1.22\"",
        );
        let dir = project(PYPROJECT);
        let lockfile = parse_in(dir.path(), &lock).unwrap();
        let pandas: Vec<String> = edges(&lockfile)
            .into_iter()
            .filter(|e| e.starts_with("pypi:pandas"))
            .collect();
        assert_eq!(pandas, ["pypi:pandas@2.2.0 -> pypi:numpy@1.26.4 normal"]);
    }

    #[test]
    fn markers_drop_impossible_edges_and_pick_fork_versions() {
        let lock = r#"
[[package]]
name = "contourpy"
version = "1.3.2"
optional = false
groups = ["main"]
markers = "python_version == \"3.10\""

[package.dependencies]
numpy = ">=1.23"

[[package]]
name = "contourpy"
version = "1.3.3"
optional = false
groups = ["main"]
markers = { main = "python_version >= \"3.11\"", dev = "python_version >= \"3.12\"" }

[package.dependencies]
numpy = ">=1.25"

[[package]]
name = "numpy"
version = "2.2.6"
optional = false
groups = ["main"]
markers = "python_version == \"3.10\""

[[package]]
name = "numpy"
version = "2.4.6"
optional = false
groups = ["main"]
markers = "python_version >= \"3.11\""

[[package]]
name = "jsonschema"
version = "4.17.3"
optional = false
groups = ["main"]

[package.dependencies]
attrs = ">=17.4.0"
importlib-metadata = { version = "*", markers = "python_version < \"3.8\"" }
colorama = { version = "*", markers = "sys_platform == \"win32\"" }
odd = { version = "*", markers = "python_version < \"3.x\"" }

[[package]]
name = "attrs"
version = "26.1.0"
optional = false
groups = ["main"]

[[package]]
name = "importlib-metadata"
version = "9.0.1"
optional = false
groups = ["main"]

[[package]]
name = "colorama"
version = "0.4.6"
optional = false
groups = ["main"]

[[package]]
name = "odd"
version = "1.0"
optional = false
groups = ["main"]

[metadata]
lock-version = "2.1"
python-versions = "^3.10"
content-hash = "00"
"#;
        let dir = project(
            r#"
[project]
name = "forked"
version = "0.1.0"
requires-python = ">=3.7"
dependencies = [
    "contourpy",
    "jsonschema",
    "importlib-metadata",
    "backports-zoneinfo; python_version < '3.9'",
]
"#,
        );
        let lockfile = parse_in(dir.path(), lock).unwrap();
        let package_edges: Vec<String> = edges(&lockfile)
            .into_iter()
            .filter(|e| !e.starts_with("pypi:forked"))
            .collect();
        assert_eq!(
            package_edges,
            [
                "pypi:contourpy@1.3.2 -> pypi:numpy@2.2.6 normal",
                "pypi:contourpy@1.3.3 -> pypi:numpy@2.4.6 normal",
                "pypi:jsonschema@4.17.3 -> pypi:attrs@26.1.0 normal",
                "pypi:jsonschema@4.17.3 -> pypi:colorama@0.4.6 normal",
                "pypi:jsonschema@4.17.3 -> pypi:odd@1.0 normal",
            ]
        );
        let warnings = lockfile.warnings.join("\n");
        assert!(warnings.contains("`odd` with markers"), "{warnings}");
        // The lock's `python-versions` (^3.10) is the range, not the pyproject's (>=3.7):
        // `backports-zoneinfo` is not locked and never holds, so no warning either.
        assert!(!warnings.contains("backports-zoneinfo"), "{warnings}");
        assert!(!warnings.contains("importlib-metadata"), "{warnings}");

        // Without the lock's range, the pyproject's is used.
        let open = lock.replace("python-versions = \"^3.10\"\n", "");
        let lockfile = parse_in(dir.path(), &open).unwrap();
        assert!(edges(&lockfile).contains(
            &"pypi:jsonschema@4.17.3 -> pypi:importlib-metadata@9.0.1 normal".to_string()
        ));
        let poetry = project(
            "[tool.poetry]\nname = \"p\"\n[tool.poetry.dependencies]\npython = \"~3.10\"\n",
        );
        let lockfile = parse_in(poetry.path(), &open).unwrap();
        assert!(!edges(&lockfile).contains(
            &"pypi:jsonschema@4.17.3 -> pypi:importlib-metadata@9.0.1 normal".to_string()
        ));
    }

    #[test]
    fn without_pyproject_the_root_is_the_directory() {
        let lockfile = parse(LOCK).unwrap();
        assert_eq!(lockfile.roots[0].to_string(), "pypi:my-project@0.0.0");
        assert!(
            lockfile
                .warnings
                .iter()
                .any(|w| w.contains("no `pyproject.toml`")
                    && w.contains("its dependencies are guessed")
                    && w.contains("for development comes from the lockfile's groups"))
        );
        let root_edges: Vec<String> = edges(&lockfile)
            .into_iter()
            .filter(|e| e.starts_with("pypi:my-project"))
            .collect();
        assert_eq!(
            root_edges,
            [
                "pypi:my-project@0.0.0 -> pypi:pytest@8.0.0 dev",
                "pypi:my-project@0.0.0 -> pypi:pyyaml@6.0.1 optional",
                "pypi:my-project@0.0.0 -> pypi:requests@2.32.3 normal",
            ]
        );
    }

    #[test]
    fn detects_and_refuses_versions() {
        for version in ["1.0", "1.1", "2.0", "2.1"] {
            let lock = format!(
                "[[package]]\nname = \"a\"\nversion = \"1\"\ncategory = \"main\"\noptional = false\n\n[metadata]\nlock-version = \"{version}\"\n"
            );
            assert_eq!(parse(&lock).unwrap().format_version, version);
        }
        let error = parse("[metadata]\nlock-version = \"3.0\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unsupported pypi/poetry-lock version `3.0`"),
            "{error}"
        );
        let error = parse("package = 3\n[metadata]\nlock-version = \"3.0\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("version `3.0`"), "{error}");
        let error = parse("[metadata]\ncontent-hash = \"00\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("lock-version"), "{error}");
        // Poetry 1.0.0 to 1.0.9: `[metadata.files]` but no `lock-version`.
        let lock = "[[package]]\nname = \"a\"\nversion = \"1\"\ncategory = \"dev\"\noptional = false\npython-versions = \"*\"\n\n[metadata]\ncontent-hash = \"00\"\npython-versions = \"^3.6\"\n\n[metadata.files]\na = []\n";
        let lockfile = parse(lock).unwrap();
        assert_eq!(lockfile.format_version, "1.0");
        assert_eq!(ids(&lockfile).len(), 2, "{:?}", ids(&lockfile));
    }

    #[test]
    fn truncated_files_name_the_line() {
        let truncated = &LOCK[..LOCK.find("name = \"idna\"").unwrap() + 9];
        let error = parse(truncated).unwrap_err().to_string();
        assert!(error.contains("at line 18"), "{error}");
    }

    #[test]
    fn constraints() {
        let cases = [
            ("^1.2", "1.9.0", true),
            ("^1.2", "2.0.0", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("~1.2", "1.2.9", true),
            ("~1.2", "1.3", false),
            ("~=1.2", "1.9", true),
            (">=1.5.6,<1.5.7 || >1.5.7", "1.5.7", false),
            (">=1.5.6,<1.5.7 || >1.5.7", "1.6", true),
            (">= 2.0, < 3", "2.5", true),
            (">=2.0 <3", "3.0", false),
            ("*", "9", true),
            ("1.2.3", "1.2.3", true),
            ("1.2.*", "1.3.0", false),
        ];
        for (constraint, version, want) in cases {
            assert_eq!(
                constraint_allows(constraint, version),
                Some(want),
                "{constraint} {version}"
            );
        }
        assert_eq!(constraint_allows("nonsense", "1.0"), None);
        assert_eq!(
            extra_entry("uvicorn[standard] (>=0.12)"),
            ("uvicorn".into(), vec!["standard".into()])
        );
        assert_eq!(extra_entry("PySocks>=1.5"), ("pysocks".into(), vec![]));
    }

    #[test]
    fn packages_record_the_line_of_their_name() {
        let lines = fixture_lines(
            "fixtures/lockfiles/poetry/basic.v2.1/poetry.lock",
            &[
                "pypi:certifi@2026.10.19.post1",
                "pypi:charset-normalizer@3.5.3",
            ],
        );
        assert_eq!(lines, [Some(4), Some(20)]);
        // The name as written (`zope.interface`), not as normalized.
        let lines = fixture_lines(
            "fixtures/lockfiles/poetry/old.v1.1/poetry.lock",
            &["pypi:zope-interface@8.6"],
        );
        assert_eq!(lines, [Some(251)]);
    }
}

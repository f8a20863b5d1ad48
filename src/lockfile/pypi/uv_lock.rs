//! `uv.lock`, version 1 (any revision), read without running uv.
//!
//! Format: [uv's lockfile](https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile)
//! (`version = 1`, `revision = N`; the schema is uv's own, written by `uv lock`). Version 1
//! is the only one uv has shipped; revisions add fields without changing the ones read here.
//! Other versions are refused by name.
//!
//! Read here:
//! - every `[[package]]` (`name`, `version`, `source`): one node per name and version. Local
//!   packages whose version is dynamic have no `version` and become `@0.0.0`;
//! - roots: the `[manifest] members` of a workspace, else the packages whose source is
//!   `editable = "."` or `virtual = "."` (the project itself, which uv.lock records);
//! - edges: `dependencies` → `normal`; a root's `optional-dependencies` (its extras) →
//!   `optional`; a root's `dev-dependencies` (PEP 735 dependency groups and
//!   `tool.uv.dev-dependencies`) → `dev`;
//! - extras of dependencies: a dependency entry with `extra = ["x"]` on package P activates
//!   P's `optional-dependencies.x`, which become `optional` edges from P (as `uv tree` shows
//!   `P[x]`). Activation is transitive;
//! - a dependency names its package by name, adding `version` and `source` only when several
//!   packages share the name (marker forks): both are matched when present;
//! - markers (see [`super::markers`] for what is decided): a dependency whose `marker` can
//!   never hold within the top-level `requires-python` (else the pyproject's
//!   `project.requires-python` beside the lockfile, else every Python) is no edge. uv itself
//!   writes no such dependency (it simplifies markers against `requires-python`), so this only
//!   guards hand-made or foreign files. When several locked packages still match a dependency
//!   (no `version` given), the edge goes to those whose `resolution-markers` (the forks that
//!   chose the version; none: every fork) can hold together with the dependency's `marker`
//!   and the declaring package's `resolution-markers`; when none can, to all of them, with a
//!   warning. A marker that is not understood counts as one that may hold, with a warning.
//!   `resolution-markers` never remove an edge on their own: they say which forks chose a
//!   version, not every environment in which it is installed (uv reuses a version locked for
//!   one fork in another: `exceptiongroup -> typing-extensions 4.13.2` with marker
//!   `python_full_version < '3.9' or python_full_version >= '3.11'`, while 4.13.2's
//!   `resolution-markers` say `< '3.9'`).
//!
//! Not supported: the dependency groups of a virtual workspace root (`[manifest]
//! dependency-groups`, a root without a package: a warning says they are skipped), and
//! `[manifest] requirements` / `overrides` / `constraints` (their effect is already in the
//! resolved packages). Platform markers are not evaluated: the graph covers every platform.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;

use super::markers::{Marker, MarkerScope, parse_marker, python_range};
use super::{normalize_name, normalize_version, read_pyproject, read_toml};
use crate::lockfile::lines::LineCounter;
use crate::lockfile::{Format, LockfileInput, LockfileParser, ParseError};
use crate::model::{DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `pypi/uv-lock` parser.
#[derive(Debug)]
pub(crate) struct UvLock;

const SUPPORTED: &str = "1";

/// What this parser reads.
pub(crate) const FORMAT: Format = Format {
    id: "pypi/uv-lock",
    ecosystem: Ecosystem::Pypi,
    tool: "uv",
    files: &["uv.lock"],
    versions: "1",
    accepted: SUPPORTED,
};

const PYPI: &str = "https://pypi.org/simple";

/// Only the version, read again when the whole file does not fit [`LockWire`], so that a
/// future format is refused by name rather than by a schema error.
#[derive(Deserialize)]
struct VersionWire {
    version: Option<toml::Value>,
}

#[derive(Deserialize)]
struct LockWire {
    version: Option<toml::Value>,
    #[serde(rename = "requires-python")]
    requires_python: Option<String>,
    manifest: Option<ManifestWire>,
    #[serde(default)]
    package: Vec<PackageWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ManifestWire {
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    dependency_groups: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct PackageWire {
    /// Spanned: its line is the package's.
    name: toml::Spanned<String>,
    version: Option<String>,
    source: Option<SourceWire>,
    /// The forks whose resolution chose this version (none: every fork).
    #[serde(default)]
    resolution_markers: Vec<String>,
    #[serde(default)]
    dependencies: Vec<DependencyWire>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Vec<DependencyWire>>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, Vec<DependencyWire>>,
}

/// `source = { registry = "…" }` and its siblings; exactly one key is set.
#[derive(Deserialize, PartialEq, Eq)]
struct SourceWire {
    registry: Option<String>,
    editable: Option<String>,
    #[serde(rename = "virtual")]
    virtual_: Option<String>,
    git: Option<String>,
    path: Option<String>,
    directory: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct DependencyWire {
    name: String,
    version: Option<String>,
    source: Option<SourceWire>,
    #[serde(default)]
    extra: Vec<String>,
    marker: Option<String>,
}

impl SourceWire {
    /// The local path of an editable or virtual (workspace) package.
    fn local(&self) -> Option<&str> {
        self.editable.as_deref().or(self.virtual_.as_deref())
    }

    fn to_source(&self) -> Source {
        if let Some(registry) = &self.registry {
            let default = registry.trim_end_matches('/') == PYPI;
            return Source::Registry((!default).then(|| registry.clone()));
        }
        if let Some(git) = &self.git {
            return Source::Git(git.clone());
        }
        if let Some(url) = &self.url {
            return Source::Url(url.clone());
        }
        match self
            .local()
            .or(self.path.as_deref())
            .or(self.directory.as_deref())
        {
            Some(path) => Source::Path(path.to_string()),
            None => Source::Unknown,
        }
    }
}

impl LockfileParser for UvLock {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        let wire: LockWire = read_toml(input, |probe: &VersionWire| {
            detect_version(input, probe.version.as_ref())
        })?;
        let version = detect_version(input, wire.version.as_ref())?;
        // uv always writes `requires-python`; the pyproject is only read when it is missing.
        let python = match &wire.requires_python {
            Some(range) => Some(range.clone()),
            None => read_pyproject(input, Path::new(""))
                .ok()
                .flatten()
                .and_then(|project| project.requires_python),
        };
        let mut graph = Graph::new(wire, input.contents);
        if let Some(range) = python {
            let parsed = python_range(&[&range]);
            if parsed.is_none() {
                graph.builder.warn(format!(
                    "the Python range `{range}` does not parse: markers are decided for every Python"
                ));
            }
            graph.scope = MarkerScope::new(parsed);
        }
        Ok(graph.build(self.id(), version))
    }
}

fn detect_version(
    input: &LockfileInput<'_>,
    version: Option<&toml::Value>,
) -> Result<String, ParseError> {
    match version {
        None => Err(input.invalid("missing top-level `version`")),
        Some(value) => match value.as_integer() {
            Some(1) => Ok("1".into()),
            Some(other) => Err(input.unsupported(other, SUPPORTED)),
            None => Err(input.invalid(format!("`version` must be an integer, found `{value}`"))),
        },
    }
}

/// The lockfile with its packages indexed by name.
struct Graph {
    wire: LockWire,
    ids: Vec<PackageId>,
    /// Each package's line (that of its `name`).
    lines: Vec<Option<u32>>,
    by_name: HashMap<String, Vec<usize>>,
    /// Each package's `resolution-markers`, as one disjunction.
    markers: Vec<Marker>,
    scope: MarkerScope,
    builder: LockfileBuilder,
}

impl Graph {
    fn new(wire: LockWire, text: &str) -> Self {
        let mut builder = LockfileBuilder::new(Ecosystem::Pypi);
        let mut counter = LineCounter::new(text);
        let lines = wire
            .package
            .iter()
            .map(|package| counter.line(package.name.span().start))
            .collect();
        let ids: Vec<PackageId> = wire
            .package
            .iter()
            .map(|package| {
                let version = package
                    .version
                    .as_deref()
                    .map_or_else(|| "0.0.0".to_string(), normalize_version);
                builder.id(normalize_name(package.name.get_ref()), version)
            })
            .collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, id) in ids.iter().enumerate() {
            by_name.entry(id.name.clone()).or_default().push(i);
        }
        let markers = wire
            .package
            .iter()
            .zip(&ids)
            .map(|(package, id)| {
                let marker = Marker::any(package.resolution_markers.iter().map(|m| parse_marker(m)));
                if let Some(reason) = marker.unknown() {
                    builder.warn(format!(
                        "the `resolution-markers` of `{id}` are not understood ({reason}): they count as ones that may hold"
                    ));
                }
                marker
            })
            .collect();
        Graph {
            wire,
            ids,
            lines,
            by_name,
            markers,
            scope: MarkerScope::default(),
            builder,
        }
    }

    fn build(mut self, format: &'static str, version: String) -> Lockfile {
        let roots = self.roots();
        for (i, package) in self.wire.package.iter().enumerate() {
            let source = package
                .source
                .as_ref()
                .map_or(Source::Unknown, SourceWire::to_source);
            self.builder
                .package_at(self.ids[i].clone(), source, self.lines[i]);
        }
        for &root in &roots {
            self.builder.root(self.ids[root].clone());
        }

        // Extras activated so far, and those still to expand.
        let mut active: BTreeSet<(usize, String)> = BTreeSet::new();
        let mut pending: Vec<(usize, String)> = Vec::new();
        for i in 0..self.wire.package.len() {
            self.edges(i, Section::Dependencies, DepKind::Normal, &mut pending);
            if roots.contains(&i) {
                self.edges(i, Section::AllExtras, DepKind::Optional, &mut pending);
                self.edges(i, Section::Groups, DepKind::Dev, &mut pending);
                // A root's extras are all in the graph already.
                if let Some(package) = self.wire.package.get(i) {
                    for extra in package.optional_dependencies.keys() {
                        active.insert((i, normalize_name(extra)));
                    }
                }
            }
        }
        while let Some((i, extra)) = pending.pop() {
            if !active.insert((i, extra.clone())) {
                continue;
            }
            let known = self.wire.package.get(i).is_some_and(|p| {
                p.optional_dependencies
                    .keys()
                    .any(|k| normalize_name(k) == extra)
            });
            // uv writes no entry for an extra that adds nothing on any platform.
            if !known {
                continue;
            }
            self.edges(i, Section::Extra(&extra), DepKind::Optional, &mut pending);
        }

        if let Some(manifest) = &self.wire.manifest
            && !manifest.dependency_groups.is_empty()
        {
            let groups: Vec<&str> = manifest
                .dependency_groups
                .keys()
                .map(String::as_str)
                .collect();
            self.builder.warn(format!(
                "the dependency groups of the virtual workspace root ({}) are not graphed",
                groups.join(", ")
            ));
        }
        if roots.is_empty() {
            self.builder
                .warn("no workspace member found in the lockfile: the graph has no root");
        }
        self.builder.finish(format, version)
    }

    /// The workspace members: `[manifest] members`, else the project at `.`.
    fn roots(&mut self) -> BTreeSet<usize> {
        let packages = &self.wire.package;
        let is_local = |i: &usize| {
            packages
                .get(*i)
                .and_then(|p| p.source.as_ref())
                .is_some_and(|s| s.local().is_some() || s.path.is_some() || s.directory.is_some())
        };
        let mut roots = BTreeSet::new();
        let members: Vec<String> = self
            .wire
            .manifest
            .as_ref()
            .map(|m| m.members.iter().map(|name| normalize_name(name)).collect())
            .unwrap_or_default();
        if members.is_empty() {
            roots.extend((0..packages.len()).filter(|&i| {
                packages
                    .get(i)
                    .and_then(|p| p.source.as_ref())
                    .and_then(SourceWire::local)
                    .is_some_and(|path| path == "." || path.is_empty())
            }));
            return roots;
        }
        for member in members {
            let candidates = self.by_name.get(&member).cloned().unwrap_or_default();
            let local: Vec<usize> = candidates.iter().copied().filter(is_local).collect();
            match local.first().or(candidates.first()) {
                Some(&i) => {
                    roots.insert(i);
                }
                None => self.builder.warn(format!(
                    "workspace member `{member}` is not a package of the lockfile"
                )),
            }
        }
        roots
    }

    /// Adds the edges of one section of package `from`, queueing the extras they request.
    fn edges(
        &mut self,
        from: usize,
        section: Section<'_>,
        kind: DepKind,
        pending: &mut Vec<(usize, String)>,
    ) {
        let Some(package) = self.wire.package.get(from) else {
            return;
        };
        let lists: Vec<&Vec<DependencyWire>> = match section {
            Section::Dependencies => vec![&package.dependencies],
            Section::AllExtras => package.optional_dependencies.values().collect(),
            Section::Groups => package.dev_dependencies.values().collect(),
            Section::Extra(extra) => package
                .optional_dependencies
                .iter()
                .filter(|(name, _)| normalize_name(name) == extra)
                .map(|(_, list)| list)
                .collect(),
        };
        let mut found: Vec<(usize, Vec<String>)> = Vec::new();
        let mut missing: Vec<String> = Vec::new();
        let mut problems: Vec<String> = Vec::new();
        let from_id = &self.ids[from];
        let parent = self.markers.get(from).unwrap_or(&Marker::TRUE);
        for dependency in lists.into_iter().flatten() {
            let marker = dependency
                .marker
                .as_deref()
                .map_or(Marker::TRUE, parse_marker);
            if let (Some(text), Some(reason)) = (&dependency.marker, marker.unknown()) {
                problems.push(format!(
                    "`{from_id}` depends on `{}` with a marker `{text}` that is not understood ({reason}): the edge is kept",
                    dependency.name
                ));
            }
            if !self.scope.can_hold(&[&marker]) {
                continue;
            }
            let targets = match self.resolve(dependency, &marker, parent) {
                Ok(targets) => targets,
                Err(targets) => {
                    let versions: Vec<&str> = targets
                        .iter()
                        .map(|&t| self.ids[t].version.as_str())
                        .collect();
                    problems.push(format!(
                        "`{from_id}` depends on `{}`, locked at {}, and no version's `resolution-markers` can hold together with the dependency's marker: the edge goes to every one",
                        dependency.name,
                        versions.join(", ")
                    ));
                    targets
                }
            };
            if targets.is_empty() {
                missing.push(dependency.name.clone());
            }
            let extras: Vec<String> = dependency.extra.iter().map(|e| normalize_name(e)).collect();
            found.extend(targets.into_iter().map(|t| (t, extras.clone())));
        }
        let from_id = self.ids[from].clone();
        for problem in problems {
            self.builder.warn(problem);
        }
        for name in missing {
            self.builder.warn(format!(
                "`{from_id}` depends on `{name}`, which is not in the lockfile"
            ));
        }
        for (target, extras) in found {
            self.builder.edge(&from_id, &self.ids[target], kind);
            pending.extend(extras.into_iter().map(|extra| (target, extra)));
        }
    }

    /// The packages a dependency entry names: by name, then version and source when given,
    /// then (several still matching) by markers: the dependency's own and those of the
    /// declaring package, `parent`. `Err` with every match when no match's markers agree.
    fn resolve(
        &self,
        dependency: &DependencyWire,
        marker: &Marker,
        parent: &Marker,
    ) -> Result<Vec<usize>, Vec<usize>> {
        let Some(candidates) = self.by_name.get(&normalize_name(&dependency.name)) else {
            return Ok(Vec::new());
        };
        let version = dependency.version.as_deref().map(normalize_version);
        let matching: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| version.as_ref().is_none_or(|v| self.ids[i].version == *v))
            .filter(|&i| {
                dependency.source.as_ref().is_none_or(|wanted| {
                    self.wire
                        .package
                        .get(i)
                        .is_some_and(|p| p.source.as_ref() == Some(wanted))
                })
            })
            .collect();
        if matching.len() < 2 {
            return Ok(matching);
        }
        let with_markers: Vec<(usize, &Marker)> = matching
            .iter()
            .map(|&i| (i, self.markers.get(i).unwrap_or(&Marker::TRUE)))
            .collect();
        self.scope
            .pick(&[marker, parent], &with_markers)
            .ok_or(matching)
    }
}

/// Which dependency lists of a package to read.
#[derive(Clone, Copy)]
enum Section<'a> {
    Dependencies,
    AllExtras,
    Groups,
    Extra(&'a str),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::test_support::fixture_lines;
    use crate::lockfile::test_support::{edges, parse_with};

    fn parse(contents: &str) -> Result<Lockfile, ParseError> {
        parse_with(&UvLock, Path::new("/nonexistent-dir/uv.lock"), contents)
    }

    const APP: &str = r#"
version = 1
revision = 3
requires-python = ">=3.9"

[[package]]
name = "App"
version = "1.0"
source = { editable = "." }
dependencies = [
    { name = "requests", version = "2.32.0", source = { registry = "https://pypi.org/simple" }, extra = ["socks"], marker = "python_full_version < '3.10'" },
    { name = "requests", version = "2.34.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.10'" },
]

[package.optional-dependencies]
cli = [{ name = "click" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]
lint = [{ name = "ghost" }]

[[package]]
name = "requests"
version = "2.32.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "idna" }]

[package.optional-dependencies]
socks = [{ name = "PySocks" }]

[[package]]
name = "requests"
version = "2.34.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "idna" }]

[package.optional-dependencies]
socks = [{ name = "PySocks" }]

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pysocks"
version = "1.7.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "click"
version = "8.1.8"
source = { git = "https://github.com/pallets/click?rev=8.1.8#abc" }

[[package]]
name = "pytest"
version = "8.0.0-RC1"
source = { registry = "https://example.org/simple" }
"#;

    #[test]
    fn graphs_extras_groups_and_forks() {
        let lockfile = parse(APP).unwrap();
        assert_eq!(lockfile.format_version, "1");
        assert_eq!(lockfile.roots[0].to_string(), "pypi:app@1.0");
        assert_eq!(
            edges(&lockfile),
            [
                "pypi:app@1.0 -> pypi:click@8.1.8 optional",
                "pypi:app@1.0 -> pypi:pytest@8.0.0rc1 dev",
                "pypi:app@1.0 -> pypi:requests@2.32.0 normal",
                "pypi:app@1.0 -> pypi:requests@2.34.0 normal",
                "pypi:requests@2.32.0 -> pypi:idna@3.10 normal",
                // Only the fork that was asked for `socks` gets it.
                "pypi:requests@2.32.0 -> pypi:pysocks@1.7.1 optional",
                "pypi:requests@2.34.0 -> pypi:idna@3.10 normal",
            ]
        );
        let sources: Vec<(String, &str)> = lockfile
            .packages
            .iter()
            .map(|p| (p.id.to_string(), p.source.kind()))
            .collect();
        assert!(sources.contains(&("pypi:click@8.1.8".into(), "git")));
        assert!(sources.contains(&("pypi:app@1.0".into(), "workspace")));
        let pytest = lockfile
            .packages
            .iter()
            .find(|p| p.id.name == "pytest")
            .unwrap();
        assert_eq!(
            pytest.source,
            Source::Registry(Some("https://example.org/simple".into()))
        );
        assert!(lockfile.warnings.iter().any(|w| w.contains("`ghost`")));
    }

    #[test]
    fn extras_activate_transitively() {
        let lock = r#"
version = 1
[manifest]
members = ["a", "b"]

[[package]]
name = "a"
source = { virtual = "." }
dependencies = [{ name = "x", extra = ["one"] }]

[[package]]
name = "b"
version = "0.2.0"
source = { editable = "packages/b" }
dependencies = [{ name = "a" }]

[[package]]
name = "x"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
[package.optional-dependencies]
one = [{ name = "y", extra = ["two"] }]
unused = [{ name = "z" }]

[[package]]
name = "y"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
[package.optional-dependencies]
two = [{ name = "z" }]

[[package]]
name = "z"
version = "1.0"
source = { url = "https://example.org/z-1.0.tar.gz" }
"#;
        let lockfile = parse(lock).unwrap();
        let roots: Vec<String> = lockfile.roots.iter().map(ToString::to_string).collect();
        assert_eq!(roots, ["pypi:a@0.0.0", "pypi:b@0.2.0"]);
        assert_eq!(
            edges(&lockfile),
            [
                "pypi:a@0.0.0 -> pypi:x@1.0 normal",
                "pypi:b@0.2.0 -> pypi:a@0.0.0 normal",
                "pypi:x@1.0 -> pypi:y@1.0 optional",
                "pypi:y@1.0 -> pypi:z@1.0 optional",
            ]
        );
    }

    #[test]
    fn markers_drop_impossible_edges_and_pick_fork_versions() {
        let lock = r#"
version = 1
revision = 3
requires-python = ">=3.9"

[[package]]
name = "app"
version = "1.0"
source = { virtual = "." }
dependencies = [
    { name = "lib" },
    { name = "old", marker = "python_full_version < '3.8'" },
    { name = "odd", marker = "python_version < '3.x'" },
    { name = "split", marker = "sys_platform == 'darwin'" },
]

[[package]]
name = "lib"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.10'"]
dependencies = [{ name = "dep" }]

[[package]]
name = "lib"
version = "2.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.11'", "python_full_version == '3.10.*'"]
dependencies = [{ name = "dep" }, { name = "plat", marker = "sys_platform == 'win32'" }]

[[package]]
name = "dep"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.10'"]

[[package]]
name = "dep"
version = "2.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.10'"]

[[package]]
name = "old"
version = "1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "odd"
version = "1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "plat"
version = "1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "split"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["sys_platform == 'linux'"]

[[package]]
name = "split"
version = "2.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["sys_platform == 'win32'"]
"#;
        let lockfile = parse(lock).unwrap();
        assert_eq!(
            edges(&lockfile),
            [
                "pypi:app@1.0 -> pypi:lib@1.0 normal",
                "pypi:app@1.0 -> pypi:lib@2.0 normal",
                // Unknown marker: kept.
                "pypi:app@1.0 -> pypi:odd@1.0 normal",
                // No version's markers agree: every version.
                "pypi:app@1.0 -> pypi:split@1.0 normal",
                "pypi:app@1.0 -> pypi:split@2.0 normal",
                // Each fork of `lib` to the fork of `dep` its markers agree with.
                "pypi:lib@1.0 -> pypi:dep@1.0 normal",
                "pypi:lib@2.0 -> pypi:dep@2.0 normal",
                // Platform markers never drop an edge.
                "pypi:lib@2.0 -> pypi:plat@1.0 normal",
            ]
        );
        let warnings = lockfile.warnings.join("\n");
        assert!(warnings.contains("`odd` with a marker"), "{warnings}");
        assert!(
            warnings.contains("`split`, locked at 1.0, 2.0"),
            "{warnings}"
        );
        assert!(!warnings.contains("`old`"), "{warnings}");

        // Without `requires-python` (and no pyproject), only the forks are told apart.
        let open = lock.replace("requires-python = \">=3.9\"\n", "");
        let lockfile = parse(&open).unwrap();
        assert!(
            edges(&lockfile).contains(&"pypi:app@1.0 -> pypi:old@1.0 normal".to_string()),
            "{:?}",
            edges(&lockfile)
        );
        // A Python range that does not parse leaves every Python open, with a warning.
        let bad = lock.replace(">=3.9", ">=3.9;?");
        let lockfile = parse(&bad).unwrap();
        assert!(edges(&lockfile).contains(&"pypi:app@1.0 -> pypi:old@1.0 normal".to_string()));
        assert!(
            lockfile
                .warnings
                .iter()
                .any(|w| w.contains("does not parse"))
        );
    }

    #[test]
    fn refuses_unknown_versions_by_name() {
        let error = parse("version = 2\n").unwrap_err().to_string();
        assert!(
            error.contains("unsupported pypi/uv-lock version `2`"),
            "{error}"
        );
        // A future schema is refused by its version, not by the mismatch.
        let error = parse("version = 2\npackage = 3\n").unwrap_err().to_string();
        assert!(error.contains("version `2`"), "{error}");
        let error = parse("version = \"1\"\n").unwrap_err().to_string();
        assert!(error.contains("must be an integer"), "{error}");
        let error = parse("[[package]]\nname = \"a\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("missing top-level `version`"), "{error}");
    }

    #[test]
    fn truncated_files_name_the_line() {
        let truncated = &APP[..APP.find("[[package]]\nname = \"idna\"").unwrap() + 20];
        let error = parse(truncated).unwrap_err().to_string();
        assert!(error.contains("at line "), "{error}");
        assert!(error.contains("uv.lock"), "{error}");
    }

    #[test]
    fn packages_record_the_line_of_their_name() {
        let lines = fixture_lines(
            "fixtures/lockfiles/uv/basic.v1/uv.lock",
            &[
                "pypi:certifi@2026.10.19.post1",
                "pypi:charset-normalizer@3.5.3",
                "pypi:click@8.1.8",
            ],
        );
        assert_eq!(lines, [Some(11), Some(19), Some(198)]);
    }
}

//! `pdm.lock`, lock versions 4.x, read without running PDM.
//!
//! Format: [PDM's lockfile](https://pdm-project.org/latest/usage/lockfile/) (no published
//! schema; `[metadata] lock_version` says which). Lock version 4.0 came with PDM 2.0; the
//! minor versions since (4.1 to 4.5: `cross_platform`, `strategy`, `[[metadata.targets]]`,
//! per-package `groups` and `marker`) add fields without changing the ones read here. Other
//! versions (PDM 1's 3.x) are refused by name.
//!
//! Read here:
//! - every `[[package]]` (`name`, `version`, and the `git`/`url`/`path` keys of non-index
//!   packages): one node per name and version. An entry with `extras = ["x"]` is the same node
//!   as the plain one: its `dependencies` (minus the pin on the plain package) are `optional`
//!   edges of that node, as `uv tree` shows `P[x]`; PDM only writes such an entry when some
//!   dependent asks for the extra;
//! - `dependencies`: PEP 508 strings → `normal` edges, to the locked version the specifiers
//!   allow when a name is locked at several versions;
//! - markers (see [`super::markers`] for what is decided): a dependency whose marker, together
//!   with the declaring package's own `marker`, can never hold within the project's Python
//!   range is no edge (`importlib-metadata; python_version < "3.8"` in a lock for `>=3.9`;
//!   PDM writes each package's dependencies as published). The range is the union of the
//!   `[[metadata.targets]] requires_python` (lock 4.5), else `[metadata] requires_python`,
//!   else the pyproject's `project.requires-python`, else every Python. When a name is locked
//!   at several versions with different `marker`s (one per lock target, `pdm lock --python …
//!   --append`), an edge goes to the versions whose `marker` can hold together with the
//!   dependency's marker and the declaring package's `marker`: `contourpy 1.3.2` (marker
//!   `python_version == "3.10"`) depends on `numpy 2.2.6` (same marker), not on `numpy 2.4.6`
//!   (`python_version >= "3.11"`). When none can, the edge goes to every version the
//!   specifiers allow, with a warning. A marker that is not understood counts as one that may
//!   hold, with a warning (a dependency whose marker does not parse is still an edge);
//! - the root, from the `pyproject.toml` beside the lockfile: `[project] dependencies` →
//!   `normal`, `[project.optional-dependencies]` → `optional`, `[tool.pdm.dev-dependencies]`
//!   and PEP 735 `[dependency-groups]` → `dev`, with their markers decided as above. A project
//!   without a name is named after its directory (with a warning).
//!
//! Without a `pyproject.toml` (warned), the root depends on every package nothing else depends
//! on (through a dependency that can hold), `dev` when the package's `groups` do not include
//! `default`.
//!
//! Not supported: platform markers are not evaluated (the graph covers every platform, and a
//! name locked at a single version is the target whatever its `marker`); a dependency that is
//! not locked although its marker can hold is a warning, not an edge; the index a package
//! came from is not recorded by PDM, so index packages are reported as from the default index.

use std::collections::HashMap;

use serde::Deserialize;

use super::markers::{Marker, MarkerScope, parse_marker, python_range, requirement_marker_text};
use super::{
    PyRequirement, allowed_or_all, normalize_name, normalize_version, parse_requirement,
    project_root, read_toml,
};
use crate::lockfile::lines::LineCounter;
use crate::lockfile::{Format, LockfileInput, LockfileParser, ParseError};
use crate::model::{DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `pypi/pdm-lock` parser.
#[derive(Debug)]
pub(crate) struct PdmLock;

const SUPPORTED: &str = "4.x";

/// What this parser reads.
pub(crate) const FORMAT: Format = Format {
    id: "pypi/pdm-lock",
    ecosystem: Ecosystem::Pypi,
    tool: "PDM",
    files: &["pdm.lock"],
    versions: "4.x",
    accepted: SUPPORTED,
};

/// Only the version, read again when the whole file does not fit [`LockWire`], so that an
/// unknown format is refused by name rather than by a schema error.
#[derive(Deserialize)]
struct VersionWire {
    metadata: Option<MetadataWire>,
}

#[derive(Deserialize)]
struct MetadataWire {
    lock_version: Option<toml::Value>,
    /// Lock versions before 4.5: the project's Python range.
    requires_python: Option<String>,
    /// Lock version 4.5: one target per `pdm lock [--python …] [--append]`.
    #[serde(default)]
    targets: Vec<TargetWire>,
}

#[derive(Deserialize)]
struct TargetWire {
    requires_python: Option<String>,
}

impl MetadataWire {
    /// The Python range the lock was made for: the union of its targets, else its
    /// `requires_python`; `None` when it does not say (or a target does not).
    fn python_range(&self) -> Option<Vec<String>> {
        if !self.targets.is_empty() {
            return self
                .targets
                .iter()
                .map(|target| target.requires_python.clone())
                .collect();
        }
        self.requires_python.clone().map(|range| vec![range])
    }
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
    version: Option<String>,
    #[serde(default)]
    extras: Vec<String>,
    groups: Option<Vec<String>>,
    #[serde(default)]
    dependencies: Vec<String>,
    /// Lock versions 4.5 with `inherit_metadata`: where the package is needed.
    marker: Option<String>,
    git: Option<String>,
    revision: Option<String>,
    url: Option<String>,
    path: Option<String>,
}

impl PackageWire {
    fn to_source(&self) -> Source {
        if let Some(git) = &self.git {
            return Source::Git(match &self.revision {
                Some(revision) => format!("{git}#{revision}"),
                None => git.clone(),
            });
        }
        if let Some(url) = &self.url {
            return Source::Url(url.clone());
        }
        if let Some(path) = &self.path {
            return Source::Path(path.clone());
        }
        Source::Registry(None)
    }

    /// The lockfile's own dev flag: not in the `default` group.
    fn dev_hint(&self) -> Option<bool> {
        self.groups
            .as_ref()
            .map(|groups| !groups.iter().any(|group| group == "default"))
    }
}

impl LockfileParser for PdmLock {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        let wire: LockWire = read_toml(input, |probe: &VersionWire| {
            detect_version(input, probe.metadata.as_ref())
        })?;
        let version = detect_version(input, wire.metadata.as_ref())?;
        let lock_python = wire.metadata.as_ref().and_then(MetadataWire::python_range);
        let mut graph = Graph::new(wire, input.contents);
        let (root, project) = project_root(input, &mut graph.builder)?;
        let python = lock_python.or_else(|| {
            project
                .as_ref()
                .and_then(|p| p.requires_python.clone())
                .map(|range| vec![range])
        });
        if let Some(branches) = &python {
            let branches: Vec<&str> = branches.iter().map(String::as_str).collect();
            let range = python_range(&branches);
            if range.is_none() {
                graph.builder.warn(format!(
                    "the Python range `{}` does not parse: markers are decided for every Python",
                    branches.join(" || ")
                ));
            }
            graph.scope = MarkerScope::new(range);
        }
        match project {
            Some(project) => {
                for declared in &project.declared {
                    let targets = graph.resolve(
                        &root,
                        &declared.name,
                        declared.requirement.as_ref(),
                        &Marker::TRUE,
                    );
                    for target in targets {
                        graph.builder.edge(&root, &target, declared.kind);
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
        return Err(input.invalid("missing `[metadata] lock_version`"));
    };
    let Some(version) = value.as_str() else {
        return Err(input.invalid(format!("`lock_version` must be a string, found `{value}`")));
    };
    let major = version.split('.').next().unwrap_or_default();
    if major == "4" {
        Ok(version.to_string())
    } else {
        Err(input.unsupported(version, SUPPORTED))
    }
}

struct Graph {
    packages: Vec<PackageWire>,
    ids: Vec<PackageId>,
    /// Normalized name → the distinct locked ids of that name.
    by_name: HashMap<String, Vec<PackageId>>,
    /// Each locked id's own `marker` (`true` without one).
    markers: HashMap<PackageId, Marker>,
    scope: MarkerScope,
    builder: LockfileBuilder,
}

impl Graph {
    fn new(wire: LockWire, text: &str) -> Self {
        let mut builder = LockfileBuilder::new(Ecosystem::Pypi);
        let packages = wire.package;
        let ids: Vec<PackageId> = packages
            .iter()
            .map(|p| {
                let version = p
                    .version
                    .as_deref()
                    .map_or_else(|| "0.0.0".to_string(), normalize_version);
                builder.id(normalize_name(p.name.get_ref()), version)
            })
            .collect();
        let mut by_name: HashMap<String, Vec<PackageId>> = HashMap::new();
        let mut markers: HashMap<PackageId, Marker> = HashMap::new();
        let mut lines = LineCounter::new(text);
        for (package, id) in packages.iter().zip(&ids) {
            let versions = by_name.entry(id.name.clone()).or_default();
            if !versions.contains(id) {
                versions.push(id.clone());
            }
            let line = lines.line(package.name.span().start);
            builder.package_at(id.clone(), package.to_source(), line);
            if let Some(dev) = package.dev_hint() {
                builder.dev_hint(id, dev);
            }
            // The plain entry and its `extras` entries share the marker; the first one read
            // is kept.
            if !markers.contains_key(id) {
                let marker = package.marker.as_deref().map_or(Marker::TRUE, parse_marker);
                if let (Some(text), Some(reason)) = (&package.marker, marker.unknown()) {
                    builder.warn(format!(
                        "the marker `{text}` of `{id}` is not understood ({reason}): it counts as one that may hold"
                    ));
                }
                markers.insert(id.clone(), marker);
            }
        }
        Graph {
            packages,
            ids,
            by_name,
            markers,
            scope: MarkerScope::default(),
            builder,
        }
    }

    /// The locked versions a dependency of `from` (whose own marker is `parent`) goes to:
    /// none when its marker can never hold; those the specifiers allow (all of them when they
    /// allow none), narrowed by markers when there are several. Warns of what is not decided.
    fn resolve(
        &mut self,
        from: &PackageId,
        name: &str,
        requirement: Option<&PyRequirement>,
        parent: &Marker,
    ) -> Vec<PackageId> {
        let edge = requirement.map_or(Marker::TRUE, |r| r.marker.clone());
        if !self.scope.can_hold(&[&edge, parent]) {
            return Vec::new();
        }
        let Some(all) = self.by_name.get(name) else {
            self.builder.warn(format!(
                "`{from}` depends on `{name}`, which is not in the lockfile"
            ));
            return Vec::new();
        };
        let allowed = allowed_or_all(all, |id| requirement.is_none_or(|r| r.allows(&id.version)));
        if allowed.len() < 2 {
            return allowed;
        }
        let candidates: Vec<(PackageId, &Marker)> = allowed
            .iter()
            .map(|id| (id.clone(), self.markers.get(id).unwrap_or(&Marker::TRUE)))
            .collect();
        match self.scope.pick(&[&edge, parent], &candidates) {
            Some(picked) => picked,
            None => {
                let versions: Vec<&str> = allowed.iter().map(|id| id.version.as_str()).collect();
                self.builder.warn(format!(
                    "`{from}` depends on `{name}`, locked at {}, and no version's marker can hold together with the dependency's: the edge goes to every one",
                    versions.join(", ")
                ));
                allowed
            }
        }
    }

    /// A dependency string, or (when only its marker does not parse) the requirement before
    /// the marker with an unknown marker; `Err` with a warning when neither parses.
    fn requirement(from: &PackageId, text: &str) -> Result<PyRequirement, String> {
        match parse_requirement(text) {
            Ok(requirement) => Ok(requirement),
            Err(error) => {
                let fallback = requirement_marker_text(text).and_then(|(head, _)| {
                    parse_requirement(head).ok().map(|mut requirement| {
                        requirement.marker = Marker::Unknown(error.clone());
                        requirement
                    })
                });
                fallback.ok_or_else(|| {
                    format!("`{from}` has a dependency `{text}` that does not parse: {error}")
                })
            }
        }
    }

    fn package_edges(&mut self) {
        for i in 0..self.packages.len() {
            let Some(package) = self.packages.get(i) else {
                continue;
            };
            let from = self.ids[i].clone();
            // An `extras` entry adds the extra's dependencies to the plain package.
            let kind = if package.extras.is_empty() {
                DepKind::Normal
            } else {
                DepKind::Optional
            };
            let parent = self.markers.get(&from).cloned().unwrap_or(Marker::TRUE);
            let dependencies = package.dependencies.clone();
            let mut found: Vec<PackageId> = Vec::new();
            for text in &dependencies {
                match Self::requirement(&from, text) {
                    Ok(requirement) => {
                        if let Some(reason) = requirement.marker.unknown() {
                            self.builder.warn(format!(
                                "`{from}` has a dependency `{text}` whose marker is not understood ({reason}): it is kept"
                            ));
                        }
                        found.extend(self.resolve(
                            &from,
                            &requirement.name,
                            Some(&requirement),
                            &parent,
                        ));
                    }
                    Err(problem) => self.builder.warn(problem),
                }
            }
            for target in found {
                // The pin of an extras entry on its own plain package is dropped here.
                self.builder.edge(&from, &target, kind);
            }
        }
    }

    /// Without a pyproject: the root depends on every package nothing else depends on.
    fn guess_root_edges(&mut self, root: &PackageId) {
        // An extras entry's pin on its own plain package does not count, nor a dependency
        // whose marker never holds.
        let depended: Vec<String> = self
            .packages
            .iter()
            .zip(&self.ids)
            .flat_map(|(package, id)| {
                let parent = self.markers.get(id).unwrap_or(&Marker::TRUE);
                package
                    .dependencies
                    .iter()
                    .filter_map(|text| Self::requirement(id, text).ok())
                    .filter(|requirement| self.scope.can_hold(&[&requirement.marker, parent]))
                    .map(|requirement| requirement.name)
                    .filter(move |name| *name != id.name)
            })
            .collect();
        let packages = self.packages.iter().zip(&self.ids).map(|(package, id)| {
            let kind = if package.dev_hint() == Some(true) {
                DepKind::Dev
            } else {
                DepKind::Normal
            };
            (id, kind)
        });
        super::guess_root_edges(&mut self.builder, root, depended, packages);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::lockfile::test_support::fixture_lines;
    use crate::lockfile::test_support::{dir_with, edges, parse_with};

    fn parse_in(dir: &Path, contents: &str) -> Result<Lockfile, ParseError> {
        parse_with(&PdmLock, &dir.join("pdm.lock"), contents)
    }

    fn parse(contents: &str) -> Result<Lockfile, ParseError> {
        parse_in(Path::new("/nonexistent-dir/pdm_app"), contents)
    }

    const PYPROJECT: &str = r#"
[project]
name = "pdm-demo"
version = "0.1.0"
dependencies = ["requests[socks]>=2.31", "numpy"]

[project.optional-dependencies]
yaml = ["PyYAML>=6"]

[tool.pdm.dev-dependencies]
test = ["pytest>=8"]

[dependency-groups]
lint = ["ruff"]
"#;

    const LOCK: &str = r#"
# This file is @generated by PDM.
# It is not intended for manual editing.

[metadata]
groups = ["default", "lint", "test", "yaml"]
strategy = ["inherit_metadata"]
lock_version = "4.5.0"
content_hash = "sha256:00"

[[metadata.targets]]
requires_python = ">=3.9"

[[package]]
name = "requests"
version = "2.32.3"
groups = ["default"]
dependencies = [
    "idna<4,>=2.5",
]

[[package]]
name = "requests"
version = "2.32.3"
extras = ["socks"]
groups = ["default"]
dependencies = [
    "PySocks!=1.5.7,>=1.5.6",
    "requests==2.32.3",
]

[[package]]
name = "idna"
version = "3.7"
groups = ["default"]

[[package]]
name = "pysocks"
version = "1.7.1"
groups = ["default"]

[[package]]
name = "numpy"
version = "1.26.4"
groups = ["default"]
marker = "python_version < \"3.10\""

[[package]]
name = "numpy"
version = "2.1.0"
groups = ["default"]
marker = "python_version >= \"3.10\""

[[package]]
name = "pyyaml"
version = "6.0.1"
groups = ["yaml"]

[[package]]
name = "pytest"
version = "8.3.2"
groups = ["test"]
dependencies = [
    "colorama; sys_platform == \"win32\"",
    "numpy<2; python_version < \"3.10\"",
]

[[package]]
name = "ruff"
version = "0.6.0"
groups = ["lint"]
git = "https://github.com/astral-sh/ruff.git"
revision = "abc123"
"#;

    fn project(pyproject: &str) -> tempfile::TempDir {
        dir_with(&[("pyproject.toml", pyproject)])
    }

    #[test]
    fn graphs_roots_extras_groups_and_forks() {
        let dir = project(PYPROJECT);
        let lockfile = parse_in(dir.path(), LOCK).unwrap();
        assert_eq!(lockfile.format_version, "4.5.0");
        assert_eq!(lockfile.roots[0].to_string(), "pypi:pdm-demo@0.1.0");
        assert_eq!(
            edges(&lockfile),
            [
                "pypi:pdm-demo@0.1.0 -> pypi:numpy@1.26.4 normal",
                "pypi:pdm-demo@0.1.0 -> pypi:numpy@2.1.0 normal",
                "pypi:pdm-demo@0.1.0 -> pypi:pytest@8.3.2 dev",
                "pypi:pdm-demo@0.1.0 -> pypi:pyyaml@6.0.1 optional",
                "pypi:pdm-demo@0.1.0 -> pypi:requests@2.32.3 normal",
                "pypi:pdm-demo@0.1.0 -> pypi:ruff@0.6.0 dev",
                "pypi:pytest@8.3.2 -> pypi:numpy@1.26.4 normal",
                "pypi:requests@2.32.3 -> pypi:idna@3.7 normal",
                "pypi:requests@2.32.3 -> pypi:pysocks@1.7.1 optional",
            ]
        );
        // One node for `requests` and its `socks` entry.
        let requests = lockfile
            .packages
            .iter()
            .filter(|p| p.id.name == "requests")
            .count();
        assert_eq!(requests, 1);
        assert!(
            lockfile.warnings.iter().any(|w| w.contains("`colorama`")),
            "{:?}",
            lockfile.warnings
        );
        let ruff = lockfile.packages.iter().find(|p| p.id.name == "ruff");
        assert_eq!(
            ruff.map(|p| &p.source),
            Some(&Source::Git(
                "https://github.com/astral-sh/ruff.git#abc123".into()
            ))
        );
    }

    #[test]
    fn without_pyproject_the_root_is_the_directory() {
        let lockfile = parse(LOCK).unwrap();
        assert_eq!(lockfile.roots[0].to_string(), "pypi:pdm-app@0.0.0");
        let root_edges: Vec<String> = edges(&lockfile)
            .into_iter()
            .filter(|e| e.starts_with("pypi:pdm-app"))
            .collect();
        assert_eq!(
            root_edges,
            [
                "pypi:pdm-app@0.0.0 -> pypi:pytest@8.3.2 dev",
                "pypi:pdm-app@0.0.0 -> pypi:pyyaml@6.0.1 dev",
                "pypi:pdm-app@0.0.0 -> pypi:requests@2.32.3 normal",
                "pypi:pdm-app@0.0.0 -> pypi:ruff@0.6.0 dev",
            ]
        );
    }

    #[test]
    fn markers_drop_impossible_edges_and_pick_fork_versions() {
        let lock = r#"
[metadata]
groups = ["default"]
strategy = ["inherit_metadata"]
lock_version = "4.5.1"

[[metadata.targets]]
requires_python = "==3.10.*"

[[metadata.targets]]
requires_python = ">=3.11"

[[package]]
name = "contourpy"
version = "1.3.2"
groups = ["default"]
marker = "python_version == \"3.10\""
dependencies = ["numpy>=1.23"]

[[package]]
name = "contourpy"
version = "1.3.3"
groups = ["default"]
marker = "python_version >= \"3.11\""
dependencies = [
    "numpy>=1.25",
    "numpy>=1.20; python_version == \"3.10\"",
]

[[package]]
name = "numpy"
version = "2.2.6"
groups = ["default"]
marker = "python_version == \"3.10\""

[[package]]
name = "numpy"
version = "2.4.6"
groups = ["default"]
marker = "python_version >= \"3.11\""

[[package]]
name = "jsonschema"
version = "4.17.3"
groups = ["default"]
dependencies = [
    "typing-extensions; python_version < \"3.8\"",
    "importlib-resources>=1.4.0; python_version < \"3.9\"",
    "colorama; sys_platform == \"win32\"",
    "attrs; python_version <",
    "six; python_version < \"3.x\"",
]

[[package]]
name = "typing-extensions"
version = "4.16.0"
groups = ["default"]

[[package]]
name = "colorama"
version = "0.4.6"
groups = ["default"]
marker = "sys_platform == \"win32\""

[[package]]
name = "attrs"
version = "26.1.0"
groups = ["default"]

[[package]]
name = "six"
version = "1.17.0"
groups = ["default"]

[[package]]
name = "split"
version = "1.0"
groups = ["default"]
marker = "sys_platform == \"linux\""

[[package]]
name = "split"
version = "2.0"
groups = ["default"]
marker = "sys_platform == \"win32\""
"#;
        let dir = project(
            r#"
[project]
name = "forked"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
    "contourpy",
    "jsonschema",
    "typing-extensions",
    "backports-zoneinfo; python_version < '3.9'",
    "split; sys_platform == 'darwin'",
]
"#,
        );
        let lockfile = parse_in(dir.path(), lock).unwrap();
        assert_eq!(
            edges(&lockfile),
            [
                // The dependency's marker (3.10) cannot hold with 1.3.3's own (>=3.11).
                "pypi:contourpy@1.3.2 -> pypi:numpy@2.2.6 normal",
                "pypi:contourpy@1.3.3 -> pypi:numpy@2.4.6 normal",
                "pypi:forked@0.1.0 -> pypi:contourpy@1.3.2 normal",
                "pypi:forked@0.1.0 -> pypi:contourpy@1.3.3 normal",
                "pypi:forked@0.1.0 -> pypi:jsonschema@4.17.3 normal",
                "pypi:forked@0.1.0 -> pypi:split@1.0 normal",
                "pypi:forked@0.1.0 -> pypi:split@2.0 normal",
                "pypi:forked@0.1.0 -> pypi:typing-extensions@4.16.0 normal",
                // Markers that do not parse keep their edges.
                "pypi:jsonschema@4.17.3 -> pypi:attrs@26.1.0 normal",
                "pypi:jsonschema@4.17.3 -> pypi:colorama@0.4.6 normal",
                "pypi:jsonschema@4.17.3 -> pypi:six@1.17.0 normal",
            ]
        );
        let warnings = lockfile.warnings.join("\n");
        for expected in [
            "`attrs; python_version <` whose marker is not understood",
            "`six; python_version < \"3.x\"` whose marker is not understood",
            "`split`, locked at 1.0, 2.0",
        ] {
            assert!(warnings.contains(expected), "{expected}: {warnings}");
        }
        // Impossible dependencies are no edge and no warning.
        for absent in [
            "importlib-resources",
            "backports-zoneinfo",
            "typing-extensions`",
        ] {
            assert!(!warnings.contains(absent), "{absent}: {warnings}");
        }

        // Without a pyproject the Python range comes from the lock's targets alone, and a
        // dependency that never holds does not hide a package from the root.
        let lockfile = parse(lock).unwrap();
        assert!(
            edges(&lockfile)
                .contains(&"pypi:pdm-app@0.0.0 -> pypi:typing-extensions@4.16.0 normal".into())
        );
        assert!(
            !edges(&lockfile)
                .contains(&"pypi:jsonschema@4.17.3 -> pypi:typing-extensions@4.16.0 normal".into())
        );
    }

    #[test]
    fn the_python_range_falls_back_to_the_pyproject() {
        let lock = r#"
[metadata]
lock_version = "4.4.1"

[[package]]
name = "a"
version = "1"
dependencies = ["b; python_version < '3.8'"]

[[package]]
name = "b"
version = "1"
"#;
        let with = |requires: &str| {
            let dir = project(&format!(
                "[project]\nname = \"p\"\nrequires-python = \"{requires}\"\ndependencies = [\"a\", \"b\"]\n"
            ));
            edges(&parse_in(dir.path(), lock).unwrap())
        };
        assert!(!with(">=3.9").contains(&"pypi:a@1 -> pypi:b@1 normal".to_string()));
        assert!(with(">=3.7").contains(&"pypi:a@1 -> pypi:b@1 normal".to_string()));
        // The lock's own range wins over the pyproject's.
        let old = lock.replace(
            "lock_version = \"4.4.1\"",
            "lock_version = \"4.4.1\"\nrequires_python = \">=3.7\"",
        );
        let dir = project("[project]\nname = \"p\"\nrequires-python = \">=3.9\"\n");
        assert!(
            edges(&parse_in(dir.path(), &old).unwrap())
                .contains(&"pypi:a@1 -> pypi:b@1 normal".to_string())
        );
    }

    #[test]
    fn detects_and_refuses_versions() {
        for version in ["4.0", "4.4.1", "4.5.0"] {
            let lock = format!("[metadata]\nlock_version = \"{version}\"\n");
            assert_eq!(parse(&lock).unwrap().format_version, version);
        }
        let error = parse("[metadata]\nlock_version = \"3.1\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unsupported pypi/pdm-lock version `3.1`"),
            "{error}"
        );
        let error = parse("package = 3\n[metadata]\nlock_version = \"5.0\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("version `5.0`"), "{error}");
        let error = parse("[[package]]\nname = \"a\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("missing `[metadata] lock_version`"),
            "{error}"
        );
    }

    #[test]
    fn truncated_files_name_the_line() {
        let truncated = &LOCK[..LOCK.find("\"idna<4").unwrap() + 4];
        let error = parse(truncated).unwrap_err().to_string();
        assert!(error.contains("at line 19"), "{error}");
    }

    #[test]
    fn packages_record_the_line_of_their_name() {
        let lines = fixture_lines(
            "fixtures/lockfiles/pdm/basic.v4.5.1/pdm.lock",
            &[
                "pypi:anyio@4.16.0",
                "pypi:ast-serialize@0.13.1",
                "pypi:certifi@2026.10.19.post1",
            ],
        );
        assert_eq!(lines, [Some(14), Some(30), Some(96)]);
    }
}

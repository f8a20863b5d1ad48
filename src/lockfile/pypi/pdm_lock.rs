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
//!   allow when a name is locked at several versions (else to every candidate);
//! - the root, from the `pyproject.toml` beside the lockfile: `[project] dependencies` →
//!   `normal`, `[project.optional-dependencies]` → `optional`, `[tool.pdm.dev-dependencies]`
//!   and PEP 735 `[dependency-groups]` → `dev`. A project without a name is named after its
//!   directory (with a warning).
//!
//! Without a `pyproject.toml` (warned), the root depends on every package nothing else depends
//! on, `dev` when the package's `groups` do not include `default`.
//!
//! Not supported: markers are not evaluated (the graph covers every platform); a dependency
//! that is not locked (its marker never holds) is a warning, not an edge; the index a package
//! came from is not recorded by PDM, so index packages are reported as from the default index.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::{
    PyRequirement, allowed_or_all, normalize_name, normalize_version, parse_requirement,
    project_root, read_toml,
};
use crate::lockfile::{LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `pypi/pdm-lock` parser.
#[derive(Debug)]
pub(crate) struct PdmLock;

const SUPPORTED: &str = "4.x";

/// Only the version, read again when the whole file does not fit [`LockWire`], so that an
/// unknown format is refused by name rather than by a schema error.
#[derive(Deserialize)]
struct VersionWire {
    metadata: Option<MetadataWire>,
}

#[derive(Deserialize)]
struct MetadataWire {
    lock_version: Option<toml::Value>,
}

#[derive(Deserialize)]
struct LockWire {
    metadata: Option<MetadataWire>,
    #[serde(default)]
    package: Vec<PackageWire>,
}

#[derive(Deserialize)]
struct PackageWire {
    name: String,
    version: Option<String>,
    #[serde(default)]
    extras: Vec<String>,
    groups: Option<Vec<String>>,
    #[serde(default)]
    dependencies: Vec<String>,
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
    fn id(&self) -> &'static str {
        "pypi/pdm-lock"
    }

    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Pypi
    }

    fn matches(&self, path: &Path) -> bool {
        file_name(path) == "pdm.lock"
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        let wire: LockWire = read_toml(input, |probe: &VersionWire| {
            detect_version(input, probe.metadata.as_ref())
        })?;
        let version = detect_version(input, wire.metadata.as_ref())?;
        let mut graph = Graph::new(wire);
        let (root, project) = project_root(input, &mut graph.builder)?;
        match project {
            Some(project) => {
                for declared in &project.declared {
                    let targets = graph.resolve(&declared.name, declared.requirement.as_ref());
                    if targets.is_empty() {
                        graph.builder.warn(format!(
                            "`{root}` depends on `{}`, which is not in the lockfile",
                            declared.name
                        ));
                    }
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
    builder: LockfileBuilder,
}

impl Graph {
    fn new(wire: LockWire) -> Self {
        let mut builder = LockfileBuilder::new(Ecosystem::Pypi);
        let packages = wire.package;
        let ids: Vec<PackageId> = packages
            .iter()
            .map(|p| {
                let version = p
                    .version
                    .as_deref()
                    .map_or_else(|| "0.0.0".to_string(), normalize_version);
                builder.id(normalize_name(&p.name), version)
            })
            .collect();
        let mut by_name: HashMap<String, Vec<PackageId>> = HashMap::new();
        for (package, id) in packages.iter().zip(&ids) {
            let versions = by_name.entry(id.name.clone()).or_default();
            if !versions.contains(id) {
                versions.push(id.clone());
            }
            builder.package(id.clone(), package.to_source());
            if let Some(dev) = package.dev_hint() {
                builder.dev_hint(id, dev);
            }
        }
        Graph {
            packages,
            ids,
            by_name,
            builder,
        }
    }

    /// The locked versions of a name the requirement allows (all of them when it allows none).
    fn resolve(&self, name: &str, requirement: Option<&PyRequirement>) -> Vec<PackageId> {
        let Some(all) = self.by_name.get(name) else {
            return Vec::new();
        };
        allowed_or_all(all, |id| requirement.is_none_or(|r| r.allows(&id.version)))
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
            let mut found: Vec<PackageId> = Vec::new();
            let mut problems: Vec<String> = Vec::new();
            for text in &package.dependencies {
                match parse_requirement(text) {
                    Ok(requirement) => {
                        let targets = self.resolve(&requirement.name, Some(&requirement));
                        if targets.is_empty() {
                            problems.push(format!(
                                "`{from}` depends on `{}`, which is not in the lockfile",
                                requirement.name
                            ));
                        }
                        found.extend(targets);
                    }
                    Err(error) => problems.push(format!(
                        "`{from}` has a dependency `{text}` that does not parse: {error}"
                    )),
                }
            }
            for problem in problems {
                self.builder.warn(problem);
            }
            for target in found {
                // The pin of an extras entry on its own plain package is dropped here.
                self.builder.edge(&from, &target, kind);
            }
        }
    }

    /// Without a pyproject: the root depends on every package nothing else depends on.
    fn guess_root_edges(&mut self, root: &PackageId) {
        // An extras entry's pin on its own plain package does not count.
        let depended = self
            .packages
            .iter()
            .zip(&self.ids)
            .flat_map(|(package, id)| {
                package
                    .dependencies
                    .iter()
                    .filter_map(|text| parse_requirement(text).ok())
                    .map(|requirement| requirement.name)
                    .filter(move |name| *name != id.name)
            });
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
    use super::*;
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
}

//! The ecosystem-neutral vocabulary shared by every layer: ecosystems, package ids, dependency
//! kinds, sources, and the flat [`Lockfile`] every parser returns.
//!
//! A [`Lockfile`] is deliberately flat (packages, roots, edges): parsers know their format, the
//! graph module ([`crate::graph`]) is the one place that turns it into a petgraph and computes
//! per-package metrics.

pub mod facts;
pub mod repo_url;
pub mod verification;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

/// A package ecosystem, named as in package ids (`cargo:serde@1.0.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// crates.io and other Cargo registries.
    Cargo,
    /// The npm registry (npm, yarn and pnpm lockfiles).
    Npm,
    /// PyPI and other Python package indexes.
    Pypi,
}

impl Ecosystem {
    /// The lowercase name used in ids and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
        }
    }

    /// `name` as package ids of this ecosystem spell it: PyPI names PEP 503 normalized
    /// ([`normalize_pypi_name`]), others as written.
    pub fn normalize_name(self, name: &str) -> std::borrow::Cow<'_, str> {
        match self {
            Ecosystem::Pypi => std::borrow::Cow::Owned(normalize_pypi_name(name)),
            Ecosystem::Cargo | Ecosystem::Npm => std::borrow::Cow::Borrowed(name),
        }
    }

    /// The ecosystem named `cargo`, `npm` or `pypi`.
    pub fn parse(name: &str) -> Option<Ecosystem> {
        match name {
            "cargo" => Some(Ecosystem::Cargo),
            "npm" => Some(Ecosystem::Npm),
            "pypi" => Some(Ecosystem::Pypi),
            _ => None,
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an exception of `deptrust.toml` is reported after a scan (`problem` in the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ExceptionProblem {
    /// Its `expires` date has passed: it no longer applies.
    Expired,
    /// It matched no finding.
    Unused,
}

impl ExceptionProblem {
    /// `expired`, `unused`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionProblem::Expired => "expired",
            ExceptionProblem::Unused => "unused",
        }
    }
}

impl fmt::Display for ExceptionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A PyPI project name normalized per [PEP 503](https://peps.python.org/pep-0503/#normalized-names):
/// lowercase, runs of `-`, `_` and `.` become one `-`.
pub fn normalize_pypi_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !out.is_empty() {
                out.push('-');
            }
            separator = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// One package version: `<ecosystem>:<name>@<version>`.
///
/// Names are the real package names (npm aliases and Cargo renames resolved, PyPI names PEP 503
/// normalized); two copies of one `name@version` are one id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackageId {
    /// The ecosystem the package belongs to.
    pub ecosystem: Ecosystem,
    /// The real package name.
    pub name: String,
    /// The exact version in use; `0.0.0` for a root that declares none.
    pub version: String,
}

impl PackageId {
    /// Builds an id from its parts.
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, version: impl Into<String>) -> Self {
        PackageId {
            ecosystem,
            name: name.into(),
            version: version.into(),
        }
    }
}

impl fmt::Display for PackageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}@{}", self.ecosystem, self.name, self.version)
    }
}

impl Serialize for PackageId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl std::str::FromStr for PackageId {
    type Err = String;

    /// `<ecosystem>:<name>@<version>`, as [`PackageId`]'s `Display` writes it.
    fn from_str(text: &str) -> Result<PackageId, String> {
        let parsed = text.split_once(':').and_then(|(ecosystem, rest)| {
            let (name, version) = rest.rsplit_once('@')?;
            let ecosystem = Ecosystem::parse(ecosystem)?;
            (!name.is_empty() && !version.is_empty())
                .then(|| PackageId::new(ecosystem, name, version))
        });
        parsed.ok_or_else(|| {
            format!("`{text}` is not a package id (`<cargo|npm|pypi>:<name>@<version>`)")
        })
    }
}

impl<'de> Deserialize<'de> for PackageId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why one package depends on another.
///
/// The order is the strength order: when one package depends on another in several ways, the
/// edge keeps the first kind of this list (a normal edge beats a dev edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    /// A regular runtime dependency.
    Normal,
    /// A build-time dependency (Cargo `[build-dependencies]`).
    Build,
    /// An optional dependency: npm `optionalDependencies`, a Python extra of a root.
    Optional,
    /// An npm peer dependency, satisfied by the dependent's environment.
    Peer,
    /// A development-only dependency (npm `devDependencies`, Cargo `[dev-dependencies]`,
    /// Python dependency groups other than the main one).
    Dev,
}

impl DepKind {
    /// The lowercase name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DepKind::Normal => "normal",
            DepKind::Build => "build",
            DepKind::Optional => "optional",
            DepKind::Peer => "peer",
            DepKind::Dev => "dev",
        }
    }
}

/// Where a package comes from, as the lockfile records it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// The project itself or one of its workspace members.
    Workspace,
    /// A package registry; `None` is the ecosystem's default registry.
    Registry(Option<String>),
    /// A local directory outside the workspace.
    Path(String),
    /// A git repository (URL with its revision when known).
    Git(String),
    /// A direct download URL (tarball, wheel).
    Url(String),
    /// The lockfile does not say.
    Unknown,
}

impl Source {
    /// The kind of source, as printed in JSON (`registry`, `git`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Workspace => "workspace",
            Source::Registry(_) => "registry",
            Source::Path(_) => "path",
            Source::Git(_) => "git",
            Source::Url(_) => "url",
            Source::Unknown => "unknown",
        }
    }

    /// The location detail (registry URL when not the default, path, git or download URL).
    pub fn location(&self) -> Option<&str> {
        match self {
            Source::Registry(url) => url.as_deref(),
            Source::Path(location) | Source::Git(location) | Source::Url(location) => {
                Some(location)
            }
            Source::Workspace | Source::Unknown => None,
        }
    }

    /// How much this source says: a richer source wins when two records of one id are merged.
    fn rank(&self) -> u8 {
        match self {
            Source::Unknown => 0,
            Source::Registry(None) => 1,
            Source::Registry(Some(_)) | Source::Url(_) | Source::Git(_) | Source::Path(_) => 2,
            Source::Workspace => 3,
        }
    }
}

/// Whether a package runs its own code when the project is built (Cargo build scripts and
/// proc macros run on every developer machine and CI runner that builds the project). Known
/// only where the package manager was asked (Cargo's exact mode, see
/// [`crate::lockfile::CargoMetadata`]); all `false` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct BuildTime {
    /// It has a build script (a `custom-build` target).
    pub build_script: bool,
    /// It is a proc macro.
    pub proc_macro: bool,
}

impl BuildTime {
    /// Whether it runs code at build time at all.
    pub fn any(self) -> bool {
        self.build_script || self.proc_macro
    }

    /// Why it runs at build time, as printed in JSON: `build-script`, `proc-macro`.
    pub fn reasons(self) -> Vec<&'static str> {
        let mut reasons = Vec::new();
        if self.build_script {
            reasons.push("build-script");
        }
        if self.proc_macro {
            reasons.push("proc-macro");
        }
        reasons
    }
}

/// One package as a lockfile records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedPackage {
    /// Its id.
    pub id: PackageId,
    /// Where it comes from.
    pub source: Source,
    /// The lockfile's own dev flag, for formats that record no edges for this package
    /// (Pipfile.lock): used only when the package cannot be reached from a root.
    pub dev_hint: Option<bool>,
    /// Whether it runs code at build time, where known (see [`BuildTime`]).
    pub build_time: BuildTime,
    /// The 1-based line where the lockfile defines it (its entry's key or `name` line), as its
    /// parser read it; the first when the file defines it twice. `None` for formats without
    /// lines (`cargo metadata` JSON) and for packages only named by others.
    pub line: Option<u32>,
}

/// One dependency edge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edge {
    /// The dependent.
    pub from: PackageId,
    /// The dependency.
    pub to: PackageId,
    /// Why.
    pub kind: DepKind,
    /// The platforms (`cfg(windows)`, a target triple) the edge exists on, when only some;
    /// empty when it exists on every platform or the lockfile does not say (only Cargo's
    /// exact mode knows).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
}

/// What one parser read from one lockfile: packages (roots included), roots and edges, sorted.
#[derive(Debug, Clone)]
pub struct Lockfile {
    /// The ecosystem of every package in it.
    pub ecosystem: Ecosystem,
    /// The parser id, `<ecosystem>/<format>` (`npm/package-lock`).
    pub format: &'static str,
    /// The format version the file declares (`3`, `9.0`, `8`).
    pub format_version: String,
    /// Every package, roots included, sorted by id.
    pub packages: Vec<LockedPackage>,
    /// The project and its workspace members, sorted.
    pub roots: Vec<PackageId>,
    /// One edge per (from, to) pair, sorted.
    pub edges: Vec<Edge>,
    /// Things the user should know that did not stop the parse (unpinned requirements, dangling
    /// references).
    pub warnings: Vec<String>,
    /// How the file was read, when it is worth saying but is no fault of the file (Cargo's
    /// exact mode falling back to the lockfile alone).
    pub notes: Vec<String>,
}

/// Collects packages, roots and edges while a parser walks its file, merging duplicates: one
/// package per id, one edge per pair (the strongest kind wins), roots deduplicated.
#[derive(Debug)]
pub struct LockfileBuilder {
    ecosystem: Ecosystem,
    /// Id → source, dev hint and line (the id is held once: lockfiles may list a million
    /// packages).
    packages: BTreeMap<PackageId, (Source, Option<bool>, Option<u32>)>,
    roots: BTreeSet<PackageId>,
    edges: BTreeMap<(PackageId, PackageId), DepKind>,
    /// Edges that exist only on some platforms (filled by Cargo's exact mode only).
    platforms: BTreeMap<(PackageId, PackageId), Vec<String>>,
    /// Packages that run code at build time (filled by Cargo's exact mode only).
    build_time: BTreeMap<PackageId, BuildTime>,
    warnings: Vec<String>,
    notes: Vec<String>,
}

impl LockfileBuilder {
    /// Starts an empty lockfile of one ecosystem.
    pub fn new(ecosystem: Ecosystem) -> Self {
        LockfileBuilder {
            ecosystem,
            packages: BTreeMap::new(),
            roots: BTreeSet::new(),
            edges: BTreeMap::new(),
            platforms: BTreeMap::new(),
            build_time: BTreeMap::new(),
            warnings: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The ecosystem of this lockfile.
    pub fn ecosystem(&self) -> Ecosystem {
        self.ecosystem
    }

    /// Makes an id of this lockfile's ecosystem.
    pub fn id(&self, name: impl Into<String>, version: impl Into<String>) -> PackageId {
        PackageId::new(self.ecosystem, name, version)
    }

    /// Adds a package, or merges it into the record of the same id (the richer source wins).
    pub fn package(&mut self, id: PackageId, source: Source) -> PackageId {
        self.package_at(id, source, None)
    }

    /// [`package`](Self::package), defined at a 1-based `line` of the lockfile (see
    /// [`LockedPackage::line`]): of two lines for one id, the first in the file is kept.
    pub fn package_at(&mut self, id: PackageId, source: Source, line: Option<u32>) -> PackageId {
        match self.packages.get_mut(&id) {
            Some((existing, _, at)) => {
                if source.rank() > existing.rank() {
                    *existing = source;
                }
                *at = first_line(*at, line);
            }
            None => {
                self.packages.insert(id.clone(), (source, None, line));
            }
        }
        id
    }

    /// Records the 1-based line where the lockfile defines a package added before (see
    /// [`package_at`](Self::package_at)).
    pub fn line(&mut self, id: &PackageId, line: Option<u32>) {
        if let Some((_, _, at)) = self.packages.get_mut(id) {
            *at = first_line(*at, line);
        }
    }

    /// Records the lockfile's own dev flag of a package (see [`LockedPackage::dev_hint`]).
    /// A package marked both dev and not dev is not dev.
    pub fn dev_hint(&mut self, id: &PackageId, dev: bool) {
        if let Some((_, hint, _)) = self.packages.get_mut(id) {
            *hint = Some(hint.map_or(dev, |old| old && dev));
        }
    }

    /// Whether a package of this id was added.
    pub fn contains(&self, id: &PackageId) -> bool {
        self.packages.contains_key(id)
    }

    /// Marks a package (added with [`Source::Workspace`]) as a root.
    pub fn root(&mut self, id: PackageId) {
        let id = self.package(id, Source::Workspace);
        self.roots.insert(id);
    }

    /// Adds an edge; a second edge between the same pair keeps the stronger kind.
    /// Self-edges are dropped (a Python extra that names its own package).
    pub fn edge(&mut self, from: &PackageId, to: &PackageId, kind: DepKind) {
        if from == to {
            return;
        }
        self.edges
            .entry((from.clone(), to.clone()))
            .and_modify(|existing| *existing = (*existing).min(kind))
            .or_insert(kind);
    }

    /// Records that the edge `from → to` exists only on these platforms (see
    /// [`Edge::platforms`]); an empty list or an edge never added is ignored.
    pub fn platforms(&mut self, from: &PackageId, to: &PackageId, platforms: &[String]) {
        if !platforms.is_empty() {
            self.platforms
                .insert((from.clone(), to.clone()), platforms.to_vec());
        }
    }

    /// Records whether a package runs code at build time (see [`BuildTime`]).
    pub fn build_time(&mut self, id: &PackageId, build_time: BuildTime) {
        if build_time.any() {
            self.build_time.insert(id.clone(), build_time);
        } else {
            self.build_time.remove(id);
        }
    }

    /// Adds a warning.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// Records how the file was read ([`Lockfile::notes`]).
    pub fn note(&mut self, message: impl Into<String>) {
        self.notes.push(message.into());
    }

    /// Finishes the lockfile. Edge endpoints that were never added as packages are added with an
    /// unknown source, so the graph is always closed.
    pub fn finish(mut self, format: &'static str, format_version: impl Into<String>) -> Lockfile {
        let dangling: Vec<PackageId> = self
            .edges
            .keys()
            .flat_map(|(from, to)| [from, to])
            .filter(|id| !self.packages.contains_key(*id))
            .cloned()
            .collect();
        for id in dangling {
            self.package(id, Source::Unknown);
        }
        Lockfile {
            ecosystem: self.ecosystem,
            format,
            format_version: format_version.into(),
            packages: self
                .packages
                .into_iter()
                .map(|(id, (source, dev_hint, line))| LockedPackage {
                    build_time: self.build_time.remove(&id).unwrap_or_default(),
                    id,
                    source,
                    dev_hint,
                    line,
                })
                .collect(),
            roots: self.roots.into_iter().collect(),
            edges: self
                .edges
                .into_iter()
                .map(|((from, to), kind)| {
                    let platforms = if self.platforms.is_empty() {
                        Vec::new()
                    } else {
                        self.platforms
                            .remove(&(from.clone(), to.clone()))
                            .unwrap_or_default()
                    };
                    Edge {
                        from,
                        to,
                        kind,
                        platforms,
                    }
                })
                .collect(),
            warnings: counted(self.warnings),
            notes: self.notes,
        }
    }
}

/// The earlier of two lines, either possibly unknown.
fn first_line(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Each distinct warning once, in order of first appearance, with how many times it was given
/// when more than once (a parser warns per place a package appears: the same line thrice
/// reads as duplicates).
fn counted(warnings: Vec<String>) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for warning in warnings {
        let count = counts.entry(warning.clone()).or_insert(0);
        if *count == 0 {
            order.push(warning);
        }
        *count += 1;
    }
    order
        .into_iter()
        .map(|warning| match counts.get(&warning) {
            Some(&count) if count > 1 => format!("{warning} ({count} times)"),
            _ => warning,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_as_ecosystem_name_version() {
        let id = PackageId::new(Ecosystem::Npm, "@scope/pkg", "1.2.3");
        assert_eq!(id.to_string(), "npm:@scope/pkg@1.2.3");
    }

    #[test]
    fn ids_read_back_as_they_print_and_anything_else_is_refused() {
        for text in [
            "npm:@scope/pkg@1.2.3",
            "cargo:serde@1.0.0",
            "pypi:zope-interface@7.0",
        ] {
            let id: PackageId = text.parse().unwrap();
            assert_eq!(id.to_string(), text);
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(serde_json::from_str::<PackageId>(&json).unwrap(), id);
        }
        for bad in [
            "",
            "npm:",
            "npm:x",
            "npm:@1.0",
            "npm:x@",
            "maven:x@1",
            "x@1",
        ] {
            let error = bad.parse::<PackageId>().unwrap_err();
            assert!(error.contains("is not a package id"), "{error}");
        }
    }

    #[test]
    fn builder_merges_duplicates_and_keeps_the_strongest_kind() {
        let mut builder = LockfileBuilder::new(Ecosystem::Cargo);
        let app = builder.id("app", "0.1.0");
        builder.root(app.clone());
        let dep = builder.package(builder.id("dep", "1.0.0"), Source::Registry(None));
        builder.package(dep.clone(), Source::Unknown);
        builder.edge(&app, &dep, DepKind::Dev);
        builder.edge(&app, &dep, DepKind::Normal);
        builder.edge(&dep, &dep, DepKind::Normal);
        let lockfile = builder.finish("cargo/cargo-lock", "4");
        assert_eq!(lockfile.packages.len(), 2);
        assert_eq!(lockfile.packages[1].source, Source::Registry(None));
        assert_eq!(lockfile.edges.len(), 1);
        assert_eq!(lockfile.edges[0].kind, DepKind::Normal);
    }

    #[test]
    fn of_two_lines_of_one_id_the_first_is_kept() {
        let mut builder = LockfileBuilder::new(Ecosystem::Npm);
        let x = builder.package_at(builder.id("x", "1.0.0"), Source::Registry(None), Some(9));
        builder.package_at(x.clone(), Source::Registry(None), Some(4));
        builder.package_at(x.clone(), Source::Registry(None), None);
        builder.line(&x, Some(7));
        builder.package(builder.id("y", "1.0.0"), Source::Registry(None));
        let lockfile = builder.finish("npm/package-lock", "3");
        let lines: Vec<Option<u32>> = lockfile.packages.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(4), None]);
    }

    #[test]
    fn dangling_edge_targets_become_packages() {
        let mut builder = LockfileBuilder::new(Ecosystem::Npm);
        let app = builder.id("app", "1.0.0");
        builder.root(app.clone());
        builder.edge(&app, &builder.id("ghost", "1.0.0"), DepKind::Normal);
        let lockfile = builder.finish("npm/package-lock", "3");
        assert_eq!(lockfile.packages.len(), 2);
        assert_eq!(lockfile.packages[0].source, Source::Workspace);
        assert_eq!(lockfile.packages[1].source, Source::Unknown);
    }

    #[test]
    fn a_repeated_warning_is_given_once_with_its_count() {
        let mut builder = LockfileBuilder::new(Ecosystem::Npm);
        for _ in 0..3 {
            builder.warn("`a` requires `b`, which is missing");
        }
        builder.warn("another");
        let lockfile = builder.finish("npm/package-lock", "3");
        assert_eq!(
            lockfile.warnings,
            ["`a` requires `b`, which is missing (3 times)", "another"]
        );
    }
}

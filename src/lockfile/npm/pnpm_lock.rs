//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x, read without running pnpm.
//!
//! Versions ([pnpm's lockfile spec](https://github.com/pnpm/spec/tree/master/lockfile)):
//! - **5.0 to 5.4** ([5.x](https://github.com/pnpm/spec/blob/master/lockfile/5.md), pnpm 3 to 7;
//!   pnpm 7 writes 5.4): `importers` (or, for a single project, top-level `dependencies`,
//!   `devDependencies`, `optionalDependencies`) map names to plain version references beside a
//!   `specifiers` map; `packages` keyed by dependency path, `/name/1.0.0`,
//!   `/@scope/name/1.0.0_@scope+peer@2.0.0` (resolved peers after the first `_` following the
//!   version, a scoped peer's `/` written `+`, long suffixes a base32 hash; `host/name/1.0.0`
//!   for a registry other than the default), holding metadata and the edges as in 6.x.
//!   `5.4-inlineSpecifiers` (pnpm 7 with `use-inline-specifiers-lockfile-format`) writes its
//!   importers as 6.x does (`{specifier, version}`) and its paths as 5.4.
//! - **6.0, 6.1** ([6.0](https://github.com/pnpm/spec/blob/master/lockfile/6.0.md), pnpm 8;
//!   6.1 adds `settings`): `importers` (or, for a single project, top-level `dependencies`,
//!   `devDependencies`, `optionalDependencies`) of `{specifier, version}`; one `packages` map
//!   keyed by dependency path, `/name@1.0.0(peer@2.0.0)`, holding metadata and the edges.
//! - **9.x** ([9.0](https://github.com/pnpm/spec/blob/master/lockfile/9.0.md), pnpm 9 and
//!   later): `importers` only; `packages` keyed `name@1.0.0` holds the metadata (resolution,
//!   peer dependencies, `version` of non-registry packages) and `snapshots` keyed by
//!   `name@1.0.0(peer@2.0.0)` holds the edges of each peer variant. A file that starts with
//!   pnpm 11's env document (`---`, config dependencies, `---`) is read from its second document.
//!
//! Graph rules: every importer is a root, named from its `package.json` (directory name and
//! `0.0.0` when it declares none). Importer edges take their kind from the section
//! (`dependencies` normal, `devDependencies` dev, `optionalDependencies` optional); a `link:`
//! version is an edge to the importer at that path (to a path package outside the workspace
//! otherwise). A version reference resolves to a dependency path as pnpm's `refToRelative`
//! does: `1.0.0(peer@2.0.0)` → `name@1.0.0(peer@2.0.0)` (v6: `/name@…`, v5: `1.0.0_peer@2.0.0`
//! → `/name/1.0.0_peer@2.0.0`), aliases `real@1.0.0` (v6: `/real@1.0.0`, v5: `/real/1.0.0`) as
//! written, tarball, git and `file:` ids. One node per real `name@version`: the peer suffix (and
//! `(patch_hash=…)`) is dropped, so peer variants merge; non-registry packages take the `name`
//! and `version` their entry records. Package edges: `dependencies` → normal, except the names
//! the package declares in `peerDependencies` → peer (pnpm writes a variant's resolved peers
//! among its `dependencies`); `optionalDependencies` → optional. References to dependency paths
//! the file lacks are warnings, not errors.
//!
//! Sources: `resolution.integrity` alone → the default registry; a registry package whose
//! `tarball` is elsewhere → that registry; other tarballs → URL, git-hosted tarballs
//! (codeload.github.com, GitLab, Bitbucket archives) and `type: git` → git; `directory` and
//! `file:` tarballs → path.
//!
//! Not supported: versions below 5 (pnpm 1 and 2 wrote `shrinkwrap.yaml`, another file), 5.5
//! and later minors of 5 (never written), 7.0 (written only by pnpm 9 pre-releases) and any other
//! major, refused by name. A per-importer lockfile (`shared-workspace-lockfile=false`) is
//! read as the single project it describes. Ignored: `specifiers`, `settings`, `overrides`,
//! `catalogs` (what counts is the version a `catalog:` specifier resolved to),
//! `patchedDependencies`, `time`, `packageExtensionsChecksum`, `pnpmfileChecksum`, the
//! `dev`/`optional` flags (the graph computes them) and `transitivePeerDependencies`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{
    DEFAULT_REGISTRY_HOSTS, directory_name, read_package_json, split_name_version, tarball_registry,
};
use crate::lockfile::lines::yaml_key;
use crate::lockfile::{Format, LockfileInput, LockfileParser, ParseError};
use crate::model::{DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `npm/pnpm-lock` parser.
#[derive(Debug)]
pub(crate) struct PnpmLock;

mod v5;

const SUPPORTED: &str = "5.0, 5.1, 5.2, 5.3, 5.4, 5.4-inlineSpecifiers, 6.0, 6.1, 9.0";

/// What this parser reads.
pub(crate) const FORMAT: Format = Format {
    id: "npm/pnpm-lock",
    ecosystem: Ecosystem::Npm,
    tool: "pnpm",
    files: &["pnpm-lock.yaml"],
    versions: "5.x (5.0–5.4), 6, 9",
    accepted: SUPPORTED,
};

/// pnpm lockfiles are shallow (an importer dependency is five levels deep); anything much deeper
/// is not a lockfile and is refused before it can cost stack or time.
const MAX_DEPTH: usize = 12;
/// pnpm never writes anchors or aliases (it dumps with `noRefs`); a few are tolerated in
/// hand-edited files, far too few for an alias bomb.
const MAX_ALIASES: usize = 1_000;
const MAX_REPLAYED_EVENTS: usize = 100_000;
/// Node and scalar budgets grow with the file (a 10 MB lockfile has about a million nodes); this
/// floor keeps small files on the library's defaults.
const MIN_NODES: usize = 250_000;
const MIN_SCALAR_BYTES: usize = 64 * 1024 * 1024;

/// The supported lockfile generations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generation {
    /// 5.x: `/name/version_peers` paths, edges in `packages`.
    V5,
    /// 6.x: `/name@version` paths, edges in `packages`.
    V6,
    /// 9.x: `name@version` paths, edges in `snapshots`.
    V9,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LockWire {
    lockfile_version: Option<String>,
    importers: Option<BTreeMap<String, Option<ImporterWire>>>,
    /// 6.x single-project files keep the project's dependencies at the top level.
    dependencies: Option<BTreeMap<String, DependencyWire>>,
    dev_dependencies: Option<BTreeMap<String, DependencyWire>>,
    optional_dependencies: Option<BTreeMap<String, DependencyWire>>,
    packages: Option<HashMap<String, Option<PackageWire>>>,
    snapshots: Option<HashMap<String, Option<SnapshotWire>>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ImporterWire {
    dependencies: Option<BTreeMap<String, DependencyWire>>,
    dev_dependencies: Option<BTreeMap<String, DependencyWire>>,
    optional_dependencies: Option<BTreeMap<String, DependencyWire>>,
}

/// `{specifier: ^1.0.0, version: 1.0.0(peer@2.0.0)}`; only the resolved version matters.
#[derive(Deserialize)]
struct DependencyWire {
    version: String,
}

/// A `packages` entry: metadata in 9.x, metadata and edges in 6.x.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PackageWire {
    resolution: Option<ResolutionWire>,
    name: Option<String>,
    version: Option<String>,
    dependencies: Option<BTreeMap<String, String>>,
    optional_dependencies: Option<BTreeMap<String, String>>,
    peer_dependencies: Option<BTreeMap<String, IgnoredAny>>,
}

/// A 9.x `snapshots` entry: the edges of one peer variant.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SnapshotWire {
    dependencies: Option<BTreeMap<String, String>>,
    optional_dependencies: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize, Default)]
struct ResolutionWire {
    integrity: Option<String>,
    tarball: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    repo: Option<String>,
    commit: Option<String>,
    directory: Option<String>,
}

/// Only the version, for files that do not deserialize as a supported version.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionProbe {
    lockfile_version: Option<IgnoredVersion>,
}

/// A version written as a string (`'6.0'`) or a number (`5.4`).
#[derive(Deserialize)]
#[serde(untagged)]
enum IgnoredVersion {
    Text(String),
    Number(f64),
}

impl IgnoredVersion {
    fn text(&self) -> String {
        match self {
            IgnoredVersion::Text(text) => text.clone(),
            IgnoredVersion::Number(number) => number.to_string(),
        }
    }
}

impl LockfileParser for PnpmLock {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        let (document, skipped_lines) = main_document(input.contents);
        let mut wire: LockWire =
            match serde_saphyr::from_str_with_options(document, yaml_options(document.len())) {
                Ok(wire) => wire,
                Err(error) => read_v5(input, document, &error, skipped_lines)?,
            };
        let Some(version) = wire.lockfile_version.as_deref() else {
            return Err(input.invalid("no `lockfileVersion`"));
        };
        let generation =
            generation(version).ok_or_else(|| input.unsupported(version, SUPPORTED))?;
        let version = version.to_string();
        let top_level = ImporterWire {
            dependencies: wire.dependencies.take(),
            dev_dependencies: wire.dev_dependencies.take(),
            optional_dependencies: wire.optional_dependencies.take(),
        };
        let mut graph = Graph::new(input, generation, &wire);
        graph.importers(&wire, &top_level)?;
        graph.packages(&wire);
        Ok(graph.builder.finish(self.id(), version))
    }
}

/// pnpm 11 may put an env document (config dependencies) before the lockfile proper:
/// `---\n<env>\n---\n<lockfile>`. Returns the lockfile document and the lines before it.
fn main_document(contents: &str) -> (&str, usize) {
    let mut lines = contents.split_inclusive('\n');
    let starts_with_marker = lines.next().is_some_and(|line| line.trim_end() == "---");
    if !starts_with_marker {
        return (contents, 0);
    }
    let mut offset = contents.find('\n').map_or(contents.len(), |i| i + 1);
    for (index, line) in lines.enumerate() {
        offset += line.len();
        if line.trim_end() == "---" {
            let rest = contents.get(offset..).unwrap_or("");
            return (rest, index + 2);
        }
    }
    (contents, 0)
}

/// The 1-based line (in the whole file: `document` follows `skipped_lines` lines) of each key
/// of the `packages` and `snapshots` maps, the first of a key written twice: one pass over
/// the text.
fn entry_lines(document: &str, skipped_lines: usize) -> HashMap<&str, u32> {
    let mut lines = HashMap::new();
    // Inside `packages:` or `snapshots:`, with the indentation of their keys once seen.
    let mut section: Option<Option<usize>> = None;
    for (index, line) in document.lines().enumerate() {
        let content = line.trim_start_matches(' ');
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if indent == 0 {
            section = matches!(yaml_key(line), Some("packages" | "snapshots")).then_some(None);
            continue;
        }
        let Some(keys) = &mut section else {
            continue;
        };
        if *keys.get_or_insert(indent) != indent {
            continue;
        }
        let number = index
            .checked_add(skipped_lines)
            .and_then(|n| n.checked_add(1))
            .and_then(|n| u32::try_from(n).ok());
        if let (Some(key), Some(number)) = (yaml_key(content), number) {
            lines.entry(key).or_insert(number);
        }
    }
    lines
}

fn yaml_options(len: usize) -> serde_saphyr::Options {
    let nodes = len.saturating_add(MIN_NODES);
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_nodes: nodes,
            max_events: nodes.saturating_mul(2).saturating_add(16),
            max_total_scalar_bytes: len.max(MIN_SCALAR_BYTES),
            max_aliases: MAX_ALIASES,
            max_anchors: MAX_ALIASES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_REPLAYED_EVENTS,
            max_replay_stack_depth: MAX_DEPTH,
        },
    }
}

/// A file that failed to deserialize as 6.x/9.x (`error`): a 5.x lockfile (importers map names
/// to plain version strings, written beside `specifiers`), a well-formed lockfile of a version
/// refused by name, or a YAML error, reported against the shape its version calls for.
fn read_v5(
    input: &LockfileInput<'_>,
    document: &str,
    error: &serde_saphyr::Error,
    skipped_lines: usize,
) -> Result<LockWire, ParseError> {
    let v5_error = match serde_saphyr::from_str_with_options::<v5::LockWireV5>(
        document,
        yaml_options(document.len()),
    ) {
        Ok(wire) => {
            return match wire.version() {
                Some(version) if is_plain_v5(&version) => Ok(wire.into_wire()),
                Some(version) if generation(&version).is_none() => {
                    Err(input.unsupported(version, SUPPORTED))
                }
                _ => Err(yaml_error(input, error, skipped_lines)),
            };
        }
        Err(v5_error) => v5_error,
    };
    let probe: Option<VersionProbe> =
        serde_saphyr::from_str_with_options(document, yaml_options(document.len())).ok();
    let version = probe
        .and_then(|probe| probe.lockfile_version)
        .map(|v| v.text());
    Err(match version {
        Some(version) if generation(&version).is_none() => input.unsupported(version, SUPPORTED),
        Some(version) if is_plain_v5(&version) => yaml_error(input, &v5_error, skipped_lines),
        Some(_) => yaml_error(input, error, skipped_lines),
        // Not YAML, or no version: the reading that got further met the file's real fault
        // (the other one stopped at the first importer written in the other shape).
        None if position(&v5_error) > position(error) => {
            yaml_error(input, &v5_error, skipped_lines)
        }
        None => yaml_error(input, error, skipped_lines),
    })
}

/// Where an error was met, `(line, column)`; `(0, 0)` when unknown.
fn position(error: &serde_saphyr::Error) -> (u64, u64) {
    error
        .location()
        .map_or((0, 0), |location| (location.line(), location.column()))
}

/// A 5.x version whose importers are written with plain version strings (all but
/// `5.4-inlineSpecifiers`).
fn is_plain_v5(version: &str) -> bool {
    generation(version) == Some(Generation::V5) && version != v5::INLINE_SPECIFIERS
}

/// A YAML error at its line in the file: when an env document was cut off, its lines are added
/// back, and the library's own `line N column M:` prefix (relative to the cut) is dropped.
fn yaml_error(
    input: &LockfileInput<'_>,
    error: &serde_saphyr::Error,
    skipped_lines: usize,
) -> ParseError {
    if skipped_lines == 0 {
        return input.yaml_error(error);
    }
    let line = error
        .location()
        .map(|location| location.line() as usize + skipped_lines);
    let message = error.to_string();
    let first = message.lines().next().unwrap_or("invalid YAML");
    let without_prefix = first.strip_prefix("error: ").unwrap_or(first);
    let message = match without_prefix.split_once(": ") {
        Some((position, rest)) if position.starts_with("line ") => rest,
        _ => without_prefix,
    };
    input.syntax(line, message)
}

/// `5.0` to `5.4` (and pnpm 7's `5.4-inlineSpecifiers`), `6.0`, `6.1`, `9.0` (and any other
/// minor of 6 and 9: pnpm versions are ComVer, a minor change stays readable; 5.x ended with 5.4).
fn generation(version: &str) -> Option<Generation> {
    if version == v5::INLINE_SPECIFIERS {
        return Some(Generation::V5);
    }
    let (major, minor) = version.split_once('.').unwrap_or((version, "0"));
    if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match major {
        "5" if matches!(minor, "0" | "1" | "2" | "3" | "4") => Some(Generation::V5),
        "6" => Some(Generation::V6),
        "9" => Some(Generation::V9),
        _ => None,
    }
}

/// Where a dependency reference points.
enum Reference {
    /// A package of the lockfile, by dependency path.
    Package(String),
    /// A directory (`link:`), relative to the lockfile's directory, `/`-separated.
    Link(String),
}

/// The graph under construction, with the indexes that resolve references.
struct Graph<'a> {
    input: &'a LockfileInput<'a>,
    generation: Generation,
    builder: LockfileBuilder,
    /// Dependency path (with and without its peer suffix) → node.
    nodes: HashMap<String, PackageId>,
    /// Importer directory (`""` for the root) → root.
    importers: HashMap<String, PackageId>,
    /// `link:` directories outside the workspace → their node.
    linked: HashMap<String, PackageId>,
    /// Dependency paths already reported missing.
    missing: BTreeSet<String>,
}

impl<'a> Graph<'a> {
    fn new(input: &'a LockfileInput<'a>, generation: Generation, wire: &LockWire) -> Self {
        let mut graph = Graph {
            input,
            generation,
            builder: LockfileBuilder::new(Ecosystem::Npm),
            nodes: HashMap::new(),
            importers: HashMap::new(),
            linked: HashMap::new(),
            missing: BTreeSet::new(),
        };
        graph.index_packages(wire);
        graph
    }

    /// Adds one node per package (peer variants merge) and indexes every dependency path.
    fn index_packages(&mut self, wire: &LockWire) {
        let packages = wire.packages.as_ref();
        let metadata = |path: &str| packages.and_then(|p| p.get(path)).and_then(Option::as_ref);
        let mut paths: Vec<&str> = match self.generation {
            Generation::V5 | Generation::V6 => packages
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default(),
            Generation::V9 => {
                let mut paths: Vec<&str> = wire
                    .snapshots
                    .as_ref()
                    .map(|s| s.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                // Every package has a snapshot in files pnpm writes; keep those that do not.
                let with_snapshot: BTreeSet<&str> =
                    paths.iter().map(|path| remove_suffix(path)).collect();
                if let Some(packages) = packages {
                    paths.extend(
                        packages
                            .keys()
                            .map(String::as_str)
                            .filter(|path| !with_snapshot.contains(path)),
                    );
                }
                paths
            }
        };
        paths.sort_unstable();
        let (document, skipped_lines) = main_document(self.input.contents);
        let lines = entry_lines(document, skipped_lines);
        for path in paths {
            let base = self.base_path(path);
            let package = match self.generation {
                Generation::V5 | Generation::V6 => metadata(path),
                Generation::V9 => metadata(base),
            };
            let Some((name, version, registry)) = self.name_version(path, package) else {
                self.builder.warn(format!(
                    "`{path}` in `{}` names no package: skipped",
                    self.input.path.display()
                ));
                continue;
            };
            let source = source_of(package.and_then(|p| p.resolution.as_ref()), &name, registry);
            // The entry's key line: its `packages` entry (before `snapshots` in the file).
            let line = lines.get(base).or_else(|| lines.get(path)).copied();
            let id = self
                .builder
                .package_at(self.builder.id(name, version), source, line);
            self.nodes
                .entry(base.to_string())
                .or_insert_with(|| id.clone());
            self.nodes.insert(path.to_string(), id);
        }
    }

    /// A dependency path without its peer (and patch) suffix.
    fn base_path<'p>(&self, path: &'p str) -> &'p str {
        match self.generation {
            Generation::V5 => v5::remove_peers(path),
            Generation::V6 | Generation::V9 => remove_suffix(path),
        }
    }

    /// The real name and version of a dependency path, and its registry when it is a registry
    /// package (a semver version in the path).
    fn name_version(
        &self,
        path: &str,
        package: Option<&PackageWire>,
    ) -> Option<(String, String, Option<Registry>)> {
        let (key, host) = match self.generation {
            Generation::V5 => return v5_name_version(path, package),
            Generation::V9 => (Some(remove_suffix(path)), None),
            Generation::V6 => match path.strip_prefix('/') {
                Some(relative) => (Some(remove_suffix(relative)), None),
                // `registry.example.com/foo@1.0.0`: a registry path with its host.
                None => match path.split_once('/') {
                    Some((host, rest)) if !path.starts_with("file:") => {
                        (Some(remove_suffix(rest)), Some(host))
                    }
                    _ => (None, None),
                },
            },
        };
        let parsed = key.and_then(split_name_version);
        let semver_version = parsed
            .map(|(_, version)| version)
            .and_then(|version| registry_version(version));
        let registry = match (semver_version, host) {
            (Some(_), Some(host)) => Some(Registry::Host(host.to_string())),
            (Some(_), None) => Some(Registry::Default),
            (None, _) => None,
        };
        // 6.x gives non-registry packages a `name`; 9.x paths always start with it.
        let declared_name = package.and_then(|p| p.name.as_deref());
        let parsed_name = if registry.is_some() || self.generation == Generation::V9 {
            parsed.map(|(name, _)| name)
        } else {
            None
        };
        let name = match self.generation {
            Generation::V9 => parsed_name.or(declared_name),
            Generation::V5 | Generation::V6 => declared_name.or(parsed_name),
        }?;
        let version = package
            .and_then(|p| p.version.as_deref())
            .or(semver_version)
            .or(parsed.map(|(_, version)| version))
            .unwrap_or("0.0.0");
        Some((name.to_string(), version.to_string(), registry))
    }

    /// Adds every importer as a root, then its edges.
    fn importers(&mut self, wire: &LockWire, top_level: &ImporterWire) -> Result<(), ParseError> {
        let empty = ImporterWire::default();
        let mut importers: Vec<(String, &ImporterWire)> = match &wire.importers {
            Some(importers) if !importers.is_empty() => importers
                .iter()
                .map(|(path, importer)| {
                    (join_relative("", path), importer.as_ref().unwrap_or(&empty))
                })
                .collect(),
            _ => vec![(String::new(), top_level)],
        };
        importers.sort_by(|a, b| a.0.cmp(&b.0));
        let mut unnamed = Vec::new();
        for (dir, _) in &importers {
            let manifest = read_package_json(self.input, Path::new(dir))?;
            if manifest.is_none() {
                unnamed.push(if dir.is_empty() { "." } else { dir.as_str() });
            }
            let manifest = manifest.unwrap_or_default();
            let name = manifest
                .name
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| directory_name(self.input, Path::new(dir)));
            let version = manifest
                .version
                .filter(|version| !version.is_empty())
                .unwrap_or_else(|| "0.0.0".to_string());
            let id = self.builder.id(name, version);
            self.builder.root(id.clone());
            self.importers.insert(dir.clone(), id);
        }
        if !unnamed.is_empty() {
            let mut listed = unnamed
                .iter()
                .take(5)
                .map(|dir| format!("`{dir}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if unnamed.len() > 5 {
                listed.push_str(&format!(" and {} more", unnamed.len() - 5));
            }
            self.builder.warn(format!(
                "no package.json for importer(s) {listed} of `{}`: named after their directories, version 0.0.0",
                self.input.path.display()
            ));
        }
        for (dir, importer) in importers {
            let Some(from) = self.importers.get(&dir).cloned() else {
                continue;
            };
            let sections = [
                (&importer.dependencies, DepKind::Normal),
                (&importer.dev_dependencies, DepKind::Dev),
                (&importer.optional_dependencies, DepKind::Optional),
            ];
            for (section, kind) in sections {
                for (alias, dependency) in section.iter().flatten() {
                    self.edge(&from, &dir, alias, &dependency.version, kind);
                }
            }
        }
        Ok(())
    }

    /// Adds the edges of every package: 5.x and 6.x `packages` entries, 9.x `snapshots`.
    fn packages(&mut self, wire: &LockWire) {
        let mut entries: Vec<EdgeList<'_>> = Vec::new();
        let packages = wire.packages.as_ref();
        match self.generation {
            Generation::V5 | Generation::V6 => {
                for (path, package) in packages.into_iter().flatten() {
                    let package = package.as_ref();
                    entries.push(EdgeList {
                        path,
                        dependencies: package.and_then(|p| p.dependencies.as_ref()),
                        optional: package.and_then(|p| p.optional_dependencies.as_ref()),
                        package,
                    });
                }
            }
            Generation::V9 => {
                for (path, snapshot) in wire.snapshots.iter().flatten() {
                    let snapshot = snapshot.as_ref();
                    let package = packages
                        .and_then(|p| p.get(remove_suffix(path)))
                        .and_then(Option::as_ref);
                    entries.push(EdgeList {
                        path,
                        dependencies: snapshot.and_then(|s| s.dependencies.as_ref()),
                        optional: snapshot.and_then(|s| s.optional_dependencies.as_ref()),
                        package,
                    });
                }
            }
        }
        entries.sort_unstable_by(|a, b| a.path.cmp(b.path));
        for entry in entries {
            let Some(from) = self.nodes.get(entry.path).cloned() else {
                continue;
            };
            let peers = entry.package.and_then(|p| p.peer_dependencies.as_ref());
            for (alias, reference) in entry.dependencies.into_iter().flatten() {
                let kind = if peers.is_some_and(|peers| peers.contains_key(alias)) {
                    DepKind::Peer
                } else {
                    DepKind::Normal
                };
                self.edge(&from, "", alias, reference, kind);
            }
            for (alias, reference) in entry.optional.into_iter().flatten() {
                self.edge(&from, "", alias, reference, DepKind::Optional);
            }
        }
    }

    /// Adds an edge from `from` to what `alias: reference` names; `base` is the directory that
    /// `link:` references are relative to.
    fn edge(&mut self, from: &PackageId, base: &str, alias: &str, reference: &str, kind: DepKind) {
        let to = match to_dependency_path(self.generation, reference, alias) {
            Reference::Link(target) => {
                let dir = join_relative(base, &target);
                match self.importers.get(&dir) {
                    Some(id) => id.clone(),
                    None => self.linked_package(alias, &dir),
                }
            }
            Reference::Package(path) => {
                let found = self
                    .nodes
                    .get(&path)
                    .or_else(|| self.nodes.get(self.base_path(&path)))
                    .cloned();
                match found {
                    Some(id) => id,
                    None => {
                        if self.missing.insert(path.clone()) {
                            self.builder.warn(format!(
                                "`{from}` depends on `{alias}` at `{path}`, which is not in `{}`",
                                self.input.path.display()
                            ));
                        }
                        return;
                    }
                }
            }
        };
        self.builder.edge(from, &to, kind);
    }

    /// A `link:` to a directory that is not an importer: a path package named by its
    /// `package.json` (the dependency's name and `0.0.0` when it has none).
    fn linked_package(&mut self, alias: &str, dir: &str) -> PackageId {
        if let Some(id) = self.linked.get(dir) {
            return id.clone();
        }
        let manifest = match read_package_json(self.input, Path::new(dir)) {
            Ok(manifest) => manifest.unwrap_or_default(),
            Err(error) => {
                self.builder.warn(error.to_string());
                Default::default()
            }
        };
        let name = manifest
            .name
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| alias.to_string());
        let version = manifest
            .version
            .filter(|version| !version.is_empty())
            .unwrap_or_else(|| "0.0.0".to_string());
        let id = self.builder.package(
            self.builder.id(name, version),
            Source::Path(dir.to_string()),
        );
        self.linked.insert(dir.to_string(), id.clone());
        id
    }
}

/// The edges one `packages` (5.x, 6.x) or `snapshots` (9.x) entry records.
struct EdgeList<'w> {
    path: &'w str,
    dependencies: Option<&'w BTreeMap<String, String>>,
    optional: Option<&'w BTreeMap<String, String>>,
    package: Option<&'w PackageWire>,
}

/// Which registry a registry package comes from.
enum Registry {
    /// The default registry (npmjs.org, or whatever `.npmrc` configures).
    Default,
    /// A 5.x or 6.x path that names its registry's host.
    Host(String),
}

/// Resolves `alias: reference` to a dependency path, as pnpm's `refToRelative` does for each
/// lockfile generation.
fn to_dependency_path(generation: Generation, reference: &str, alias: &str) -> Reference {
    if let Some(target) = reference.strip_prefix("link:") {
        return Reference::Link(target.to_string());
    }
    let path = match generation {
        Generation::V5 => v5::ref_to_path(reference, alias),
        Generation::V9 => {
            if reference.starts_with('@') {
                reference.to_string()
            } else {
                match reference.find('@') {
                    None => format!("{alias}@{reference}"),
                    Some(at) => {
                        let before = |c: char| reference.find(c).is_none_or(|i| at < i);
                        if before(':') && before('(') {
                            reference.to_string()
                        } else {
                            format!("{alias}@{reference}")
                        }
                    }
                }
            }
        }
        Generation::V6 => {
            let head = reference.split('(').next().unwrap_or(reference);
            if reference.starts_with("file:") || head.contains('/') {
                reference.to_string()
            } else {
                format!("/{alias}@{reference}")
            }
        }
    };
    Reference::Package(path)
}

/// The real name and version of a 5.x dependency path and, for a registry path, its registry:
/// a non-registry entry records its `name` and `version`, which win as in 6.x.
fn v5_name_version(
    path: &str,
    package: Option<&PackageWire>,
) -> Option<(String, String, Option<Registry>)> {
    let parsed = v5::parse_path(path);
    let name = package
        .and_then(|p| p.name.as_deref())
        .or(parsed.map(|p| p.name))?;
    let version = package
        .and_then(|p| p.version.as_deref())
        .or(parsed.map(|p| p.version))
        .unwrap_or("0.0.0");
    let registry = parsed.map(|p| match p.host {
        Some(host) => Registry::Host(host.to_string()),
        None => Registry::Default,
    });
    Some((name.to_string(), version.to_string(), registry))
}

/// Drops the suffix of a dependency path: the resolved peers (`(react@18.2.0)`, nested or
/// hashed) and a `(patch_hash=…)`, as pnpm's `removeSuffix` does.
fn remove_suffix(path: &str) -> &str {
    if !path.ends_with(')') {
        return path;
    }
    let mut depth: i64 = 1;
    for (index, byte) in path.bytes().enumerate().rev().skip(1) {
        match byte {
            b'(' => depth -= 1,
            b')' => depth += 1,
            _ if depth == 0 => return path.get(..index + 1).unwrap_or(path),
            _ => {}
        }
    }
    path
}

/// The version of a registry dependency path: a semver version (pnpm's `semver.valid`), also
/// when followed by a 5.x-style `_peer` suffix.
fn registry_version(version: &str) -> Option<&str> {
    if semver::Version::parse(version).is_ok() {
        return Some(version);
    }
    let (head, _) = version.split_once('_')?;
    semver::Version::parse(head).is_ok().then_some(head)
}

/// Where a package comes from, by its `resolution`.
fn source_of(
    resolution: Option<&ResolutionWire>,
    name: &str,
    registry: Option<Registry>,
) -> Source {
    let Some(resolution) = resolution else {
        return match registry {
            Some(Registry::Host(host)) => Source::Registry(Some(format!("https://{host}/"))),
            _ => Source::Unknown,
        };
    };
    if resolution.kind.as_deref() == Some("git") || resolution.repo.is_some() {
        let repo = resolution.repo.clone().unwrap_or_default();
        return Source::Git(match &resolution.commit {
            Some(commit) => format!("{repo}#{commit}"),
            None => repo,
        });
    }
    if let Some(directory) = &resolution.directory {
        return Source::Path(directory.clone());
    }
    if let Some(tarball) = &resolution.tarball {
        if let Some(path) = tarball.strip_prefix("file:") {
            return Source::Path(path.to_string());
        }
        if is_git_hosted(tarball) {
            return Source::Git(tarball.clone());
        }
        if registry.is_some() {
            return registry_of_tarball(tarball, name);
        }
        return Source::Url(tarball.clone());
    }
    match registry {
        Some(Registry::Host(host)) => Source::Registry(Some(format!("https://{host}/"))),
        _ if resolution.integrity.is_some() => Source::Registry(None),
        _ => Source::Unknown,
    }
}

/// A registry package with a tarball URL (a registry other than the default, or
/// `lockfile-include-tarball-url`): the registry is what precedes `/<name>/-/`.
fn registry_of_tarball(tarball: &str, name: &str) -> Source {
    let encoded = name.replacen('/', "%2f", 1);
    let registry = tarball_registry(tarball, name).or_else(|| tarball_registry(tarball, &encoded));
    match registry {
        Some(registry) if is_default_registry(registry) => Source::Registry(None),
        Some(registry) => Source::Registry(Some(registry.to_string())),
        None => Source::Url(tarball.to_string()),
    }
}

/// Whether a registry URL is the default registry itself (pnpm writes tarball URLs of the
/// default registry with `lockfile-include-tarball-url`), over `http://` too.
fn is_default_registry(url: &str) -> bool {
    let host = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    DEFAULT_REGISTRY_HOSTS.contains(&host)
}

/// Tarballs of a git host's archive endpoint (pnpm's `isGitHostedTarballUrl`).
fn is_git_hosted(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    match host.to_ascii_lowercase().as_str() {
        "codeload.github.com" => path.contains("/tar.gz/"),
        "bitbucket.org" => path.contains("/get/"),
        "gitlab.com" => path.contains("/-/archive/") || path.contains("/repository/archive"),
        _ => false,
    }
}

/// Joins a `/`-separated path relative to the lockfile's directory with a relative target,
/// resolving `.` and `..` lexically: `packages/a` + `../b` → `packages/b`, `.` → `""`.
fn join_relative(base: &str, target: &str) -> String {
    let target = target.replace('\\', "/");
    if target.starts_with('/') {
        return target;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(target.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::test_support::fixture_lines;
    use crate::lockfile::test_support::{self, dir_with, edges, ids};

    fn parse(contents: &str) -> Result<Lockfile, ParseError> {
        test_support::parse_with(
            &PnpmLock,
            Path::new("/nonexistent-dir/pnpm-lock.yaml"),
            contents,
        )
    }

    /// Writes the manifests into a temporary directory and parses the lockfile there.
    fn parse_with(manifests: &[(&str, &str)], contents: &str) -> Lockfile {
        let dir = dir_with(manifests);
        let path = dir.path().join("pnpm-lock.yaml");
        test_support::parse_with(&PnpmLock, &path, contents).unwrap()
    }

    const V9: &str = "\
lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

catalogs:
  default:
    react:
      specifier: ^18.2.0
      version: 18.2.0

importers:

  .:
    dependencies:
      react:
        specifier: 'catalog:'
        version: 18.2.0
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)
      lodash-alias:
        specifier: npm:lodash@^4
        version: lodash@4.17.21
    devDependencies:
      '@scope/tool':
        specifier: ^1.0.0
        version: 1.0.0(react@18.2.0)
    optionalDependencies:
      fsevents:
        specifier: ^2.3.0
        version: 2.3.3

packages:

  '@scope/tool@1.0.0':
    resolution: {integrity: sha512-tool}
    peerDependencies:
      react: '*'

  fsevents@2.3.3:
    resolution: {integrity: sha512-fsevents}
    os: [darwin]

  js-tokens@4.0.0:
    resolution: {integrity: sha512-jstokens}

  lodash@4.17.21:
    resolution: {integrity: sha512-lodash}

  loose-envify@1.4.0:
    resolution: {integrity: sha512-looseenvify}
    hasBin: true

  react-dom@18.2.0:
    resolution: {integrity: sha512-reactdom}
    peerDependencies:
      react: ^18.2.0

  react@18.2.0:
    resolution: {integrity: sha512-react, tarball: https://npm.example.com/react/-/react-18.2.0.tgz}

  react@17.0.2:
    resolution: {integrity: sha512-react17}

  scheduler@0.23.0:
    resolution: {integrity: sha512-scheduler}

snapshots:

  '@scope/tool@1.0.0(react@18.2.0)':
    dependencies:
      react: 18.2.0

  '@scope/tool@1.0.0(react@17.0.2)':
    dependencies:
      react: 17.0.2
    optionalDependencies:
      js-tokens: 4.0.0

  fsevents@2.3.3:
    optional: true

  js-tokens@4.0.0: {}

  lodash@4.17.21: {}

  loose-envify@1.4.0:
    dependencies:
      js-tokens: 4.0.0

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
      scheduler: 0.23.0

  react@18.2.0:
    dependencies:
      loose-envify: 1.4.0

  react@17.0.2:
    dependencies:
      loose-envify: 1.4.0

  scheduler@0.23.0:
    dependencies:
      loose-envify: 1.4.0
      ghost: 1.0.0
";

    #[test]
    fn v9_merges_peer_variants_and_resolves_aliases() {
        let lockfile = parse_with(
            &[("package.json", r#"{"name": "app", "version": "1.0.0"}"#)],
            V9,
        );
        assert_eq!(lockfile.format_version, "9.0");
        assert_eq!(
            lockfile.roots,
            [PackageId::new(Ecosystem::Npm, "app", "1.0.0")]
        );
        assert_eq!(
            ids(&lockfile),
            [
                "npm:@scope/tool@1.0.0",
                "npm:app@1.0.0",
                "npm:fsevents@2.3.3",
                "npm:js-tokens@4.0.0",
                "npm:lodash@4.17.21",
                "npm:loose-envify@1.4.0",
                "npm:react@17.0.2",
                "npm:react@18.2.0",
                "npm:react-dom@18.2.0",
                "npm:scheduler@0.23.0",
            ]
        );
        assert_eq!(
            edges(&lockfile),
            [
                "npm:@scope/tool@1.0.0 -> npm:js-tokens@4.0.0 optional",
                "npm:@scope/tool@1.0.0 -> npm:react@17.0.2 peer",
                "npm:@scope/tool@1.0.0 -> npm:react@18.2.0 peer",
                "npm:app@1.0.0 -> npm:@scope/tool@1.0.0 dev",
                "npm:app@1.0.0 -> npm:fsevents@2.3.3 optional",
                "npm:app@1.0.0 -> npm:lodash@4.17.21 normal",
                "npm:app@1.0.0 -> npm:react@18.2.0 normal",
                "npm:app@1.0.0 -> npm:react-dom@18.2.0 normal",
                "npm:loose-envify@1.4.0 -> npm:js-tokens@4.0.0 normal",
                "npm:react@17.0.2 -> npm:loose-envify@1.4.0 normal",
                "npm:react@18.2.0 -> npm:loose-envify@1.4.0 normal",
                "npm:react-dom@18.2.0 -> npm:loose-envify@1.4.0 normal",
                "npm:react-dom@18.2.0 -> npm:react@18.2.0 peer",
                "npm:react-dom@18.2.0 -> npm:scheduler@0.23.0 normal",
                "npm:scheduler@0.23.0 -> npm:loose-envify@1.4.0 normal",
            ]
        );
        let source = |id: &str| {
            lockfile
                .packages
                .iter()
                .find(|p| p.id.to_string() == id)
                .map(|p| p.source.clone())
        };
        assert_eq!(source("npm:lodash@4.17.21"), Some(Source::Registry(None)));
        assert_eq!(
            source("npm:react@18.2.0"),
            Some(Source::Registry(Some("https://npm.example.com/".into())))
        );
        assert_eq!(lockfile.warnings.len(), 1, "{:?}", lockfile.warnings);
        let crlf = parse_with(
            &[("package.json", r#"{"name": "app", "version": "1.0.0"}"#)],
            &V9.replace('\n', "\r\n"),
        );
        assert_eq!(edges(&crlf), edges(&lockfile));
        assert!(
            lockfile.warnings[0].contains("ghost@1.0.0"),
            "{:?}",
            lockfile.warnings
        );
    }

    const V6: &str = "\
lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

dependencies:
  react-dom:
    specifier: ^18.2.0
    version: 18.2.0(react@18.2.0)
  str:
    specifier: npm:string-width@^4
    version: /string-width@4.2.3
  is-negative:
    specifier: github:kevva/is-negative#1d7e288
    version: github.com/kevva/is-negative/1d7e288222b53a0cab90a331f1865220ec29560c
  local:
    specifier: file:vendor/local
    version: file:vendor/local

devDependencies:
  is-positive:
    specifier: https://registry.npmjs.org/is-positive/-/is-positive-1.0.0.tgz
    version: '@registry.npmjs.org/is-positive/-/is-positive-1.0.0.tgz'

packages:

  /loose-envify@1.4.0:
    resolution: {integrity: sha512-a}
    dev: false

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-b}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
    dev: false

  /react@18.2.0:
    resolution: {integrity: sha512-c}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /string-width@4.2.3:
    resolution: {integrity: sha512-d}
    dev: false

  github.com/kevva/is-negative/1d7e288222b53a0cab90a331f1865220ec29560c:
    resolution: {tarball: https://codeload.github.com/kevva/is-negative/tar.gz/1d7e288222b53a0cab90a331f1865220ec29560c}
    name: is-negative
    version: 2.1.0
    dev: false

  '@registry.npmjs.org/is-positive/-/is-positive-1.0.0.tgz':
    resolution: {tarball: https://registry.npmjs.org/is-positive/-/is-positive-1.0.0.tgz}
    name: is-positive
    version: 1.0.0
    dev: true

  file:vendor/local:
    resolution: {directory: vendor/local, type: directory}
    name: local
    version: 0.1.0
    dependencies:
      react: 18.2.0
    dev: false
";

    #[test]
    fn v6_single_project_with_non_registry_packages() {
        let lockfile = parse_with(&[("package.json", r#"{"name": "solo"}"#)], V6);
        assert_eq!(lockfile.format_version, "6.0");
        assert_eq!(lockfile.roots[0].to_string(), "npm:solo@0.0.0");
        assert_eq!(
            edges(&lockfile),
            [
                "npm:local@0.1.0 -> npm:react@18.2.0 normal",
                "npm:react@18.2.0 -> npm:loose-envify@1.4.0 normal",
                "npm:react-dom@18.2.0 -> npm:loose-envify@1.4.0 normal",
                "npm:react-dom@18.2.0 -> npm:react@18.2.0 peer",
                "npm:solo@0.0.0 -> npm:is-negative@2.1.0 normal",
                "npm:solo@0.0.0 -> npm:is-positive@1.0.0 dev",
                "npm:solo@0.0.0 -> npm:local@0.1.0 normal",
                "npm:solo@0.0.0 -> npm:react-dom@18.2.0 normal",
                "npm:solo@0.0.0 -> npm:string-width@4.2.3 normal",
            ]
        );
        let sources: BTreeMap<String, Source> = lockfile
            .packages
            .iter()
            .map(|p| (p.id.to_string(), p.source.clone()))
            .collect();
        assert!(
            matches!(&sources["npm:is-negative@2.1.0"], Source::Git(url) if url.contains("codeload"))
        );
        assert!(matches!(&sources["npm:is-positive@1.0.0"], Source::Url(_)));
        assert_eq!(
            sources["npm:local@0.1.0"],
            Source::Path("vendor/local".into())
        );
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
    }

    const V5: &str = "\
lockfileVersion: 5.4

specifiers:
  '@babel/core': ^7.23.0
  '@babel/plugin-syntax-jsx': ^7.23.0
  fsevents: ^2.3.0
  is-negative: github:kevva/is-negative#1d7e288
  is-positive: https://example.com/is-positive-1.0.0.tgz
  local: file:vendor/local
  private: ^1.0.0
  react: ^18.2.0
  react-dom: ^18.2.0
  str: npm:string-width@^4
  tool: ^1.0.0

dependencies:
  '@babel/core': 7.23.9
  '@babel/plugin-syntax-jsx': 7.23.3_@babel+core@7.23.9
  is-negative: github.com/kevva/is-negative/1d7e288222b53a0cab90a331f1865220ec29560c
  local: file:vendor/local_react@17.0.2
  private: registry.example.com/private/1.0.0
  react: 18.2.0
  react-dom: 18.2.0_react@18.2.0
  str: /string-width/4.2.3

devDependencies:
  is-positive: '@example.com/is-positive-1.0.0.tgz'
  tool: 1.0.0_7nlsuvxyk3ihtrnunkpkf3ldma

optionalDependencies:
  fsevents: 2.3.3

packages:

  /@babel/core/7.23.9:
    resolution: {integrity: sha512-a}
    dev: false

  /@babel/plugin-syntax-jsx/7.23.3_@babel+core@7.23.9:
    resolution: {integrity: sha512-b}
    peerDependencies:
      '@babel/core': ^7.0.0-0
    dependencies:
      '@babel/core': 7.23.9
      '@babel/helper-plugin-utils': 7.22.5
    dev: false

  /fsevents/2.3.3:
    resolution: {integrity: sha512-c}
    os: [darwin]
    requiresBuild: true
    dev: false
    optional: true

  /react-dom/18.2.0_react@18.2.0:
    resolution: {integrity: sha512-d}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      react: 18.2.0
    dev: false

  /react/17.0.2:
    resolution: {integrity: sha512-e}

  /react/18.2.0:
    resolution: {integrity: sha512-f, tarball: https://npm.example.com/react/-/react-18.2.0.tgz}

  /string-width/4.2.3:
    resolution: {integrity: sha512-g}
    dev: false

  /tool/1.0.0_7nlsuvxyk3ihtrnunkpkf3ldma:
    resolution: {integrity: sha512-h}
    peerDependencies:
      react: '*'
      react-dom: '*'
    dependencies:
      react: 18.2.0
      react-dom: 18.2.0_react@18.2.0
    optionalDependencies:
      fsevents: 2.3.3
    dev: true

  /tool/1.0.0_react@17.0.2:
    resolution: {integrity: sha512-h}
    peerDependencies:
      react: '*'
    dependencies:
      react: 17.0.2
    dev: false

  registry.example.com/private/1.0.0:
    resolution: {integrity: sha512-i}
    dev: false

  github.com/kevva/is-negative/1d7e288222b53a0cab90a331f1865220ec29560c:
    resolution: {tarball: https://codeload.github.com/kevva/is-negative/tar.gz/1d7e288222b53a0cab90a331f1865220ec29560c}
    name: is-negative
    version: 2.1.0
    dev: false

  '@example.com/is-positive-1.0.0.tgz':
    resolution: {tarball: https://example.com/is-positive-1.0.0.tgz}
    name: is-positive
    version: 1.0.0
    dev: true

  file:vendor/local_react@17.0.2:
    resolution: {directory: vendor/local, type: directory}
    name: local
    version: 0.1.0
    peerDependencies:
      react: '*'
    dependencies:
      react: 17.0.2
      tool: 1.0.0_react@17.0.2
    dev: false
";

    #[test]
    fn v5_single_project_with_peers_aliases_and_non_registry_packages() {
        let lockfile = parse_with(&[("package.json", r#"{"name": "solo"}"#)], V5);
        assert_eq!(lockfile.format_version, "5.4");
        assert_eq!(lockfile.roots[0].to_string(), "npm:solo@0.0.0");
        assert_eq!(
            ids(&lockfile),
            [
                "npm:@babel/core@7.23.9",
                "npm:@babel/plugin-syntax-jsx@7.23.3",
                "npm:fsevents@2.3.3",
                "npm:is-negative@2.1.0",
                "npm:is-positive@1.0.0",
                "npm:local@0.1.0",
                "npm:private@1.0.0",
                "npm:react@17.0.2",
                "npm:react@18.2.0",
                "npm:react-dom@18.2.0",
                "npm:solo@0.0.0",
                "npm:string-width@4.2.3",
                "npm:tool@1.0.0",
            ]
        );
        assert_eq!(
            edges(&lockfile),
            [
                "npm:@babel/plugin-syntax-jsx@7.23.3 -> npm:@babel/core@7.23.9 peer",
                "npm:local@0.1.0 -> npm:react@17.0.2 peer",
                "npm:local@0.1.0 -> npm:tool@1.0.0 normal",
                "npm:react-dom@18.2.0 -> npm:react@18.2.0 peer",
                "npm:solo@0.0.0 -> npm:@babel/core@7.23.9 normal",
                "npm:solo@0.0.0 -> npm:@babel/plugin-syntax-jsx@7.23.3 normal",
                "npm:solo@0.0.0 -> npm:fsevents@2.3.3 optional",
                "npm:solo@0.0.0 -> npm:is-negative@2.1.0 normal",
                "npm:solo@0.0.0 -> npm:is-positive@1.0.0 dev",
                "npm:solo@0.0.0 -> npm:local@0.1.0 normal",
                "npm:solo@0.0.0 -> npm:private@1.0.0 normal",
                "npm:solo@0.0.0 -> npm:react@18.2.0 normal",
                "npm:solo@0.0.0 -> npm:react-dom@18.2.0 normal",
                "npm:solo@0.0.0 -> npm:string-width@4.2.3 normal",
                "npm:solo@0.0.0 -> npm:tool@1.0.0 dev",
                "npm:tool@1.0.0 -> npm:fsevents@2.3.3 optional",
                "npm:tool@1.0.0 -> npm:react@17.0.2 peer",
                "npm:tool@1.0.0 -> npm:react@18.2.0 peer",
                "npm:tool@1.0.0 -> npm:react-dom@18.2.0 peer",
            ]
        );
        let sources: BTreeMap<String, Source> = lockfile
            .packages
            .iter()
            .map(|p| (p.id.to_string(), p.source.clone()))
            .collect();
        assert_eq!(sources["npm:@babel/core@7.23.9"], Source::Registry(None));
        assert_eq!(
            sources["npm:react@18.2.0"],
            Source::Registry(Some("https://npm.example.com/".into()))
        );
        assert_eq!(
            sources["npm:private@1.0.0"],
            Source::Registry(Some("https://registry.example.com/".into()))
        );
        assert!(
            matches!(&sources["npm:is-negative@2.1.0"], Source::Git(url) if url.contains("codeload"))
        );
        assert_eq!(
            sources["npm:is-positive@1.0.0"],
            Source::Url("https://example.com/is-positive-1.0.0.tgz".into())
        );
        assert_eq!(
            sources["npm:local@0.1.0"],
            Source::Path("vendor/local".into())
        );
        assert_eq!(lockfile.warnings.len(), 1, "{:?}", lockfile.warnings);
        assert!(
            lockfile.warnings[0].contains("/@babel/helper-plugin-utils/7.22.5"),
            "{:?}",
            lockfile.warnings
        );
        let crlf = parse_with(
            &[("package.json", r#"{"name": "solo"}"#)],
            &V5.replace('\n', "\r\n"),
        );
        assert_eq!(edges(&crlf), edges(&lockfile));
    }

    #[test]
    fn v5_workspace_links_between_importers() {
        let lockfile = "\
lockfileVersion: 5.3
importers:
  .:
    specifiers:
      '@w/a': workspace:*
    devDependencies:
      '@w/a': link:packages/a
  packages/a:
    specifiers:
      '@w/b': workspace:^
      outside: link:../../../elsewhere
      legacy: npm:ms@2.0.0
      plugin: ^1.0.0
    dependencies:
      '@w/b': link:../b
      outside: link:../../../elsewhere
      legacy: /ms/2.0.0
      plugin: 1.0.0_@w+b@packages+b
  packages/b:
    specifiers:
      ms: ^2.1.3
    dependencies:
      ms: 2.1.3
  packages/empty: {}
packages:
  /ms/2.0.0:
    resolution: {integrity: sha512-ms0}
  /ms/2.1.3:
    resolution: {integrity: sha512-ms}
  /plugin/1.0.0_@w+b@packages+b:
    resolution: {integrity: sha512-plugin}
    peerDependencies:
      '@w/b': '*'
    dependencies:
      '@w/b': link:packages/b
";
        let parsed = parse_with(
            &[
                ("package.json", r#"{"name": "root", "private": true}"#),
                (
                    "packages/a/package.json",
                    r#"{"name": "@w/a", "version": "1.0.0"}"#,
                ),
                ("packages/b/package.json", r#"{"version": "2.0.0"}"#),
                ("packages/empty/package.json", r#"{"name": "empty"}"#),
            ],
            lockfile,
        );
        assert_eq!(parsed.format_version, "5.3");
        let roots: Vec<String> = parsed.roots.iter().map(ToString::to_string).collect();
        assert_eq!(
            roots,
            [
                "npm:@w/a@1.0.0",
                "npm:b@2.0.0",
                "npm:empty@0.0.0",
                "npm:root@0.0.0"
            ]
        );
        assert_eq!(
            edges(&parsed),
            [
                "npm:@w/a@1.0.0 -> npm:b@2.0.0 normal",
                "npm:@w/a@1.0.0 -> npm:ms@2.0.0 normal",
                "npm:@w/a@1.0.0 -> npm:outside@0.0.0 normal",
                "npm:@w/a@1.0.0 -> npm:plugin@1.0.0 normal",
                "npm:b@2.0.0 -> npm:ms@2.1.3 normal",
                "npm:plugin@1.0.0 -> npm:b@2.0.0 peer",
                "npm:root@0.0.0 -> npm:@w/a@1.0.0 dev",
            ]
        );
        assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
        assert!(
            parsed.warnings[0].contains("../elsewhere/package.json"),
            "{:?}",
            parsed.warnings
        );
    }

    #[test]
    fn v5_hostile_inputs_never_panic() {
        let cases = [
            // Types other than the plain strings 5.x importers hold: errors naming the line.
            "lockfileVersion: 5.4\ndependencies:\n  a: [1]\n",
            "lockfileVersion: 5.4\nimporters:\n  .:\n    dependencies:\n      a: ~\n",
            "lockfileVersion: 5.4\npackages:\n  /a/1.0.0:\n    dependencies: [x]\n",
            "lockfileVersion: 5.4\npackages: [\n",
            "lockfileVersion: 5.4\ndependencies:\n  a: 1.0.0\n  a: 2.0.0\n",
        ];
        for contents in cases {
            let error = parse(contents).unwrap_err();
            assert!(
                matches!(error, ParseError::Syntax { line: Some(_), .. }),
                "{contents}: {error}"
            );
        }
        // Not YAML further down a 5.x file: the fault's own line, not the first importer's.
        let broken = "lockfileVersion: 5.4\ndependencies:\n  a: 1.0.0\npackages:\n  /a/1.0.0: {}\n  /b/1.0.0_\u{7f}: {}\n";
        let error = parse(broken).unwrap_err();
        assert!(
            matches!(error, ParseError::Syntax { line: Some(6), .. }),
            "{error}"
        );
        // The 6.x importer shape under a plain 5.x version is read as `5.4-inlineSpecifiers`.
        let inline = "lockfileVersion: 5.4\ndependencies:\n  a: {specifier: ^1, version: 1.0.0}\npackages:\n  /a/1.0.0: {}\n";
        assert_eq!(
            edges(&parse(inline).unwrap()),
            ["npm:nonexistent-dir@0.0.0 -> npm:a@1.0.0 normal"]
        );
        // Paths and references that name nothing: warnings or skipped entries, never a panic.
        let odd = "\
lockfileVersion: 5.4
dependencies:
  a: ''
  b: _
  c: /
  d: //
  e: /@/
  f: 1.0.0_
  g: 'file:'
  h: 'link:'
  i: /é/1.0.0_ü
  j: '@'
  k: 1.0.0(x@1.0.0)
packages:
  /:
  '':
  _: {}
  /a/:
    name: named
  /é/1.0.0_ü:
    dependencies:
      z: /é/1.0.0_ü
  /f/1.0.0: {}
  'file:':
    dependencies:
      a: ''
  /x/1.0.0_%: {}
";
        let lockfile = parse(odd).unwrap();
        assert!(
            ids(&lockfile).contains(&"npm:é@1.0.0".to_string()),
            "{:?}",
            ids(&lockfile)
        );
        assert!(
            edges(&lockfile).contains(&"npm:nonexistent-dir@0.0.0 -> npm:f@1.0.0 normal".into()),
            "{:?}",
            edges(&lockfile)
        );
        assert!(!lockfile.warnings.is_empty());
    }

    #[test]
    fn workspace_links_between_importers() {
        let lockfile = "\
lockfileVersion: '9.0'
importers:
  .:
    devDependencies:
      '@w/a':
        specifier: workspace:*
        version: link:packages/a
  packages/a:
    dependencies:
      '@w/b':
        specifier: workspace:^
        version: link:../b
      outside:
        specifier: link:../../../elsewhere
        version: link:../../../elsewhere
  packages/b:
    dependencies:
      ms:
        specifier: ^2.1.3
        version: 2.1.3
packages:
  ms@2.1.3:
    resolution: {integrity: sha512-ms}
snapshots:
  ms@2.1.3: {}
";
        let parsed = parse_with(
            &[
                ("package.json", r#"{"name": "root", "private": true}"#),
                (
                    "packages/a/package.json",
                    r#"{"name": "@w/a", "version": "1.0.0"}"#,
                ),
                ("packages/b/package.json", r#"{"version": "2.0.0"}"#),
            ],
            lockfile,
        );
        let roots: Vec<String> = parsed.roots.iter().map(ToString::to_string).collect();
        assert_eq!(roots, ["npm:@w/a@1.0.0", "npm:b@2.0.0", "npm:root@0.0.0"]);
        assert_eq!(
            edges(&parsed),
            [
                "npm:@w/a@1.0.0 -> npm:b@2.0.0 normal",
                "npm:@w/a@1.0.0 -> npm:outside@0.0.0 normal",
                "npm:b@2.0.0 -> npm:ms@2.1.3 normal",
                "npm:root@0.0.0 -> npm:@w/a@1.0.0 dev",
            ]
        );
        let outside = parsed
            .packages
            .iter()
            .find(|p| p.id.name == "outside")
            .map(|p| p.source.clone());
        assert_eq!(outside, Some(Source::Path("../elsewhere".into())));
    }

    #[test]
    fn refuses_unknown_versions_by_name() {
        // Well-formed 5.x-shaped files of versions pnpm never wrote are refused by name, with
        // the deserializing shape (plain importer versions) or without.
        let shaped = |version: &str| {
            format!(
                "lockfileVersion: {version}\nspecifiers:\n  a: ^1.0.0\ndependencies:\n  a: 1.0.0\npackages:\n  /a/1.0.0:\n    resolution: {{integrity: x}}\n"
            )
        };
        for version in [
            "4.0",
            "5.5",
            "5.9",
            "5.10",
            "'5.04'",
            "'5.4-foo'",
            "3",
            "'7.0'",
            "'8.0'",
            "'10.0'",
            "'6.x'",
        ] {
            for contents in [shaped(version), format!("lockfileVersion: {version}\n")] {
                let error = parse(&contents).unwrap_err().to_string();
                assert!(
                    error.contains("unsupported npm/pnpm-lock version"),
                    "{version}: {error}"
                );
                assert!(
                    error.contains(
                        "supported: 5.0, 5.1, 5.2, 5.3, 5.4, 5.4-inlineSpecifiers, 6.0, 6.1, 9.0"
                    ),
                    "{error}"
                );
            }
        }
        assert!(
            parse(&shaped("5.9"))
                .unwrap_err()
                .to_string()
                .contains("version `5.9`")
        );
        let error = parse("importers: {}\n").unwrap_err().to_string();
        assert!(error.contains("lockfileVersion"), "{error}");
        let error = parse("specifiers: {}\ndependencies:\n  a: 1.0.0\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("at line 3"), "{error}");
        for (version, shown) in [
            ("'6.1'", "6.1"),
            ("5.4", "5.4"),
            ("'5.3'", "5.3"),
            ("5.0", "5.0"),
            ("5", "5"),
            ("5.1", "5.1"),
            ("'5.4-inlineSpecifiers'", "5.4-inlineSpecifiers"),
        ] {
            let lockfile = parse(&format!("lockfileVersion: {version}\n")).unwrap();
            assert_eq!(lockfile.format_version, shown);
            let lockfile = parse(&shaped(version));
            if shown.starts_with('5') && !shown.ends_with("Specifiers") {
                assert_eq!(
                    edges(&lockfile.unwrap()),
                    ["npm:nonexistent-dir@0.0.0 -> npm:a@1.0.0 normal"]
                );
            } else {
                assert!(lockfile.is_err(), "{version}");
            }
        }
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let truncated = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: [1\n";
        let error = parse(truncated).unwrap_err();
        assert!(
            matches!(error, ParseError::Syntax { line: Some(_), .. }),
            "{error}"
        );
        let garbage = "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: x\n  b: [\n";
        let error = parse(garbage).unwrap_err().to_string();
        assert!(error.contains(" at line "), "{error}");
        let wrong_type =
            "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a: 1.0.0\n";
        let error = parse(wrong_type).unwrap_err().to_string();
        assert!(error.contains("at line 5"), "{error}");
        let not_yaml = "\u{1}\u{2}: : :\n\t- [\n";
        assert!(parse(not_yaml).is_err());
    }

    #[test]
    fn refuses_deep_nesting_and_alias_bombs() {
        let deep = format!(
            "lockfileVersion: '9.0'\nsettings: {}{}\n",
            "[".repeat(500),
            "]".repeat(500)
        );
        assert!(parse(&deep).is_err());
        let deep_block: String = (0..200)
            .map(|depth| format!("{}k{depth}:\n", "  ".repeat(depth)))
            .collect();
        assert!(parse(&format!("lockfileVersion: '9.0'\n{deep_block}")).is_err());
        let mut bomb =
            String::from("lockfileVersion: '9.0'\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..12 {
            let previous = format!("*a{}", level - 1);
            let items = [previous.as_str(); 10].join(", ");
            bomb.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        bomb.push_str("settings: *a11\n");
        assert!(parse(&bomb).is_err());
    }

    #[test]
    fn reads_the_lockfile_after_an_env_document() {
        let contents = "---\nlockfileVersion: '9.0'\nimporters:\n  .:\n    configDependencies: {}\npackages: {}\nsnapshots: {}\n---\nlockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      ms:\n        specifier: ^2\n        version: 2.1.3\npackages:\n  ms@2.1.3:\n    resolution: {integrity: x}\nsnapshots:\n  ms@2.1.3: {}\n";
        let lockfile = parse(contents).unwrap();
        assert_eq!(
            edges(&lockfile),
            ["npm:nonexistent-dir@0.0.0 -> npm:ms@2.1.3 normal"]
        );
        let broken = "---\nlockfileVersion: '9.0'\n---\nlockfileVersion: '9.0'\npackages: [\n";
        let error = parse(broken).unwrap_err();
        assert!(
            matches!(error, ParseError::Syntax { line: Some(5), .. }),
            "{error}"
        );
        assert!(!error.to_string().contains("line 2"), "{error}");
    }

    #[test]
    fn empty_lockfile_has_one_root() {
        let lockfile = parse("lockfileVersion: '9.0'\n\nimporters:\n\n  .: {}\n").unwrap();
        assert_eq!(ids(&lockfile), ["npm:nonexistent-dir@0.0.0"]);
        assert!(
            lockfile
                .warnings
                .iter()
                .any(|w| w.contains("no package.json"))
        );
    }

    #[test]
    fn dependency_paths_follow_ref_to_relative() {
        let path =
            |generation, reference, alias| match to_dependency_path(generation, reference, alias) {
                Reference::Package(path) => path,
                Reference::Link(dir) => format!("link {dir}"),
            };
        use Generation::{V6, V9};
        assert_eq!(path(V9, "1.0.0", "a"), "a@1.0.0");
        assert_eq!(
            path(V9, "1.0.0(@types/react@18.0.0)", "a"),
            "a@1.0.0(@types/react@18.0.0)"
        );
        assert_eq!(path(V9, "real@1.0.0", "a"), "real@1.0.0");
        assert_eq!(
            path(V9, "@s/real@1.0.0(p@1.0.0)", "a"),
            "@s/real@1.0.0(p@1.0.0)"
        );
        assert_eq!(path(V9, "file:../x", "a"), "a@file:../x");
        assert_eq!(
            path(V9, "git+ssh://git@github.com/u/r.git#abc", "a"),
            "a@git+ssh://git@github.com/u/r.git#abc"
        );
        assert_eq!(path(V9, "link:../b", "a"), "link ../b");
        assert_eq!(
            path(V6, "1.0.0(@types/react@18.0.0)", "a"),
            "/a@1.0.0(@types/react@18.0.0)"
        );
        assert_eq!(path(V6, "/real@1.0.0", "a"), "/real@1.0.0");
        assert_eq!(path(V6, "file:x", "a"), "file:x");
        assert_eq!(path(V6, "github.com/u/r/abc", "a"), "github.com/u/r/abc");
    }

    #[test]
    fn suffixes_and_paths() {
        assert_eq!(
            remove_suffix("a@1.0.0(b@2.0.0(c@3.0.0))(d@4.0.0)"),
            "a@1.0.0"
        );
        assert_eq!(remove_suffix("a@1.0.0(patch_hash=xyz)(b@2.0.0)"), "a@1.0.0");
        assert_eq!(remove_suffix("a@1.0.0"), "a@1.0.0");
        assert_eq!(remove_suffix("((("), "(((");
        assert_eq!(remove_suffix(")"), ")");
        assert_eq!(remove_suffix("(x)"), "(x)");
        assert_eq!(join_relative("packages/a", "../b"), "packages/b");
        assert_eq!(join_relative("", "."), "");
        assert_eq!(join_relative("a", "../../x"), "../x");
        assert_eq!(generation("6.1"), Some(Generation::V6));
        assert_eq!(generation("9.0"), Some(Generation::V9));
        assert_eq!(generation("9.x"), None);
        assert_eq!(generation("90"), None);
        assert!(is_git_hosted("https://codeload.github.com/u/r/tar.gz/abc"));
        assert!(!is_git_hosted("https://registry.npmjs.org/a/-/a-1.0.0.tgz"));
    }

    /// Each package's line is that of its `packages` key, the first of its peer variants.
    #[test]
    fn packages_record_the_line_of_their_entry() {
        let ids = [
            "npm:@types/json-schema@7.0.15",
            "npm:ajv-keywords@3.5.2",
            "npm:ajv@6.12.0",
        ];
        let lines = fixture_lines("fixtures/lockfiles/pnpm/basic.v9/pnpm-lock.yaml", &ids);
        assert_eq!(lines, [Some(36), Some(39), Some(44)]);
        let lines = fixture_lines("fixtures/lockfiles/pnpm/basic.v6/pnpm-lock.yaml", &ids);
        assert_eq!(lines, [Some(34), Some(38), Some(54)]);
        let lines = fixture_lines(
            "fixtures/lockfiles/pnpm/basic.v5.4/pnpm-lock.yaml",
            &[
                "npm:@babel/runtime@7.29.17",
                "npm:@types/json-schema@7.0.15",
                "npm:ajv@6.12.0",
            ],
        );
        assert_eq!(lines, [Some(39), Some(52), Some(76)]);
    }
}

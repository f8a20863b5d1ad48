//! `yarn.lock` of yarn berry (yarn 2, 3 and 4): YAML with a `__metadata` entry.
//!
//! Versions (`__metadata.version`, yarn's `LOCKFILE_VERSION` in `@yarnpkg/core`'s
//! `Project.ts`, <https://github.com/yarnpkg/berry/blob/master/packages/yarnpkg-core/sources/Project.ts>):
//! **4** (yarn 2), **5** and **6** (yarn 3), **7** (yarn 4 prereleases), **8** (yarn 4.0 to
//! 4.13), **9** (yarn 4.14), **10** (yarn 4.15 to 4.18; see `fixtures/README.md`). They differ
//! in checksum and cache-key details and in whether dependency ranges spell the default `npm:`
//! protocol (yarn 2 and 3 leave it out), not in the fields this parser reads.
//! Other versions are refused by name.
//!
//! Each entry is keyed by the comma-separated descriptors it satisfies
//! (`"a@npm:^1.0.0, a@npm:^1.1.0"`) and records the `resolution` locator (`a@npm:1.2.3`), the
//! `version`, and `dependencies` (`name: range`, ranges such as `npm:^1.0.0`, aliases
//! `npm:real@^1`), with `dependenciesMeta.<name>.optional` marking optional ones. Manual:
//! <https://yarnpkg.com/advanced/lexicon#descriptor>, <https://yarnpkg.com/protocols>.
//!
//! The graph:
//! - **Nodes** are real `name@version`, the name of the resolution locator (the real name of an
//!   alias) and the entry's `version`. `patch:` locators (`resolve@patch:resolve@npm%3A1.22.0#…`,
//!   the compat patches yarn applies to `resolve`, `fsevents`, `typescript`) and `virtual:`
//!   locators merge into the package they wrap.
//! - **Roots** are the `workspace:` entries (the project and its members). Their ids take the
//!   name and version of their `package.json` (the lockfile writes `0.0.0-use.local`; a
//!   manifest without a version is `0.0.0`, without a name is named after its directory).
//! - **Edges**: each dependency `name: range` goes to the entry whose key lists the descriptor
//!   `name@range` (older lockfiles omit the `npm:` protocol in ranges; both spellings are
//!   tried). A descriptor the key binds to its parent (`a@link:../a::locator=app%40workspace%3A.`,
//!   as yarn writes `link:`, `portal:`, `file:` and `patch:` descriptors) is matched without its
//!   `locator` parameter, preferring the parent's locator. A workspace's `catalog:` and
//!   `catalog:<name>` ranges are read from `.yarnrc.yml` (`catalog`, `catalogs`), and the root
//!   `package.json`'s `resolutions` (`name`, `name@range`, `**/name`, `parent/name`) are applied
//!   when the written range is not a key (the lockfile keeps the original range and keys the
//!   entry by the resolution's). A missing target is a warning. Kinds: the lockfile merges a workspace's
//!   `dependencies`, `devDependencies` and `optionalDependencies`, so a workspace's edge kinds
//!   come from its `package.json` (the strongest section naming the dependency); other edges are
//!   `optional` when `dependenciesMeta` says so, else `normal`.
//! - **No peer edges**: yarn records a package's `peerDependencies` but not which version
//!   satisfies them (that choice lives in `virtual:` instances, which the lockfile does not keep).
//! - **Sources**: `npm:` is the default registry, or the registry of an `__archiveUrl`
//!   parameter; git URLs (`…#commit=…`) are git; `file:`, `link:`, `portal:` and `exec:` are
//!   paths; `http(s):` tarballs are URLs; `patch:` takes the source of the package it patches.
//!
//! The YAML is read with a bounded budget (node and event counts scale with the file, nesting
//! is capped at a few levels, anchors and aliases are all but refused): yarn never writes
//! anchors or deep structures.
//!
//! Not supported: `packageExtensions` (their effect is in the lockfile already); workspaces whose `package.json` lies outside the lockfile's directory.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use super::{
    PackageJson, directory_name, on_default_registry, read_package_json, split_name_version,
    tarball_registry,
};
use crate::lockfile::lines::yaml_key;
use crate::lockfile::{Format, LockfileInput, LockfileParser, ParseError};
use crate::model::{DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `npm/yarn-berry` parser.
#[derive(Debug)]
pub(crate) struct YarnBerry;

const SUPPORTED: &str = "4, 5, 6, 7, 8, 9, 10";

/// What this parser reads.
pub(crate) const FORMAT: Format = Format {
    id: "npm/yarn-berry",
    ecosystem: Ecosystem::Npm,
    tool: "yarn",
    files: &["yarn.lock"],
    versions: "yarn 2 to 4",
    accepted: SUPPORTED,
};

const KNOWN_VERSIONS: std::ops::RangeInclusive<u32> = 4..=10;
const METADATA: &str = "__metadata";
/// Yarn writes workspaces' versions as this placeholder.
const LOCAL_VERSION: &str = "0.0.0-use.local";

/// One lockfile entry (and `__metadata`, which shares `version`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryWire {
    version: Option<String>,
    resolution: Option<String>,
    dependencies: Option<BTreeMap<String, String>>,
    dependencies_meta: Option<BTreeMap<String, MetaWire>>,
}

#[derive(Debug, Deserialize)]
struct MetaWire {
    optional: Option<bool>,
}

impl LockfileParser for YarnBerry {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn claims(&self, contents: &str) -> bool {
        is_berry(contents)
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        // The version is checked before the YAML is read, so that a future format is refused by
        // name rather than with whatever its structure breaks.
        if let Some(version) = scan_version(input.contents) {
            check_version(input, &version)?;
        }
        let wire: BTreeMap<String, EntryWire> =
            serde_saphyr::from_str_with_options(input.contents, yaml_options(input.contents))
                .map_err(|e| input.yaml_error(&e))?;
        let version = wire
            .get(METADATA)
            .and_then(|metadata| metadata.version.clone())
            .ok_or_else(|| input.invalid("`__metadata.version` is missing"))?;
        let version = check_version(input, &version)?;
        let entries: Vec<(&str, &EntryWire)> = wire
            .iter()
            .filter(|(key, _)| key.as_str() != METADATA)
            .map(|(key, entry)| (key.as_str(), entry))
            .collect();

        let mut builder = LockfileBuilder::new(Ecosystem::Npm);
        let lines = key_lines(input.contents);
        let graph = Graph::new(input, &entries, &lines, &mut builder)?;
        graph.add_edges(&mut builder);
        Ok(builder.finish(self.id(), version.to_string()))
    }
}

/// The 1-based line of each top-level key (an entry's descriptors, as the YAML parser reads
/// them), the first of a key written twice: one pass over the text.
fn key_lines(contents: &str) -> HashMap<&str, u32> {
    let mut lines = HashMap::new();
    for (index, line) in contents.lines().enumerate() {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let (Some(key), Ok(number)) = (yaml_key(line), u32::try_from(index + 1)) {
            lines.entry(key).or_insert(number);
        }
    }
    lines
}

/// Whether a `yarn.lock` is a berry (YAML, `__metadata`) lockfile.
pub(crate) fn is_berry(contents: &str) -> bool {
    contents
        .lines()
        .any(|line| line.starts_with("__metadata:") || line.starts_with("\"__metadata\":"))
}

/// `__metadata.version` found by a line scan (`__metadata:` then an indented `version: N`).
fn scan_version(contents: &str) -> Option<String> {
    contents
        .lines()
        .skip_while(|line| {
            !(line.starts_with("__metadata:") || line.starts_with("\"__metadata\":"))
        })
        .skip(1)
        .take_while(|line| line.starts_with([' ', '\t']) || line.trim().is_empty())
        .find_map(|line| line.trim().strip_prefix("version:"))
        .map(|version| {
            let version = version.split(" #").next().unwrap_or(version);
            version.trim().trim_matches(['"', '\'']).to_string()
        })
}

fn check_version(input: &LockfileInput<'_>, version: &str) -> Result<u32, ParseError> {
    match version.parse::<u32>() {
        Ok(number) if KNOWN_VERSIONS.contains(&number) => Ok(number),
        _ => Err(input.unsupported(version, SUPPORTED)),
    }
}

/// A bounded YAML budget: generous counts for the largest monorepo lockfiles (they scale with
/// the input, itself capped by the read limit), little nesting, almost no anchors.
fn yaml_options(contents: &str) -> serde_saphyr::Options {
    let size = contents.len();
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: 250_000_usize.max(size / 2),
            max_events: 1_000_000_usize.max(size),
            max_total_scalar_bytes: (64_usize << 20).max(size),
            max_depth: 8,
            max_aliases: 100,
            max_anchors: 100,
            max_documents: 1,
        },
        alias_limits: alias_limits(),
        // `name:` with no range is a warning about `name@`, not a type error.
        null_as_string: true,
    }
}

/// Yarn never writes anchors: replaying aliases is capped far below the node budget.
fn alias_limits() -> serde_saphyr::options::AliasLimits {
    let mut limits = serde_saphyr::options::AliasLimits::default();
    limits.max_total_replayed_events = 10_000;
    limits
}

/// What an entry's resolution locator says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Locator {
    /// A workspace at a path relative to the project (`.` for the project).
    Workspace(String),
    /// Any other package, with its source.
    Package(Source),
}

/// `name@reference` → (name, what the reference means).
fn parse_locator(resolution: &str) -> Option<(&str, Locator)> {
    let (name, reference) = split_name_version(resolution)?;
    let reference = devirtualize(reference);
    let locator = match reference.strip_prefix("workspace:") {
        Some(path) => Locator::Workspace(path.to_string()),
        None => Locator::Package(source_of(name, reference, 0)),
    };
    Some((name, locator))
}

/// `virtual:<hash>#<reference>` → `<reference>`.
fn devirtualize(reference: &str) -> &str {
    match reference.strip_prefix("virtual:") {
        Some(rest) => rest.split_once('#').map_or(rest, |(_, inner)| inner),
        None => reference,
    }
}

/// The source a locator reference names. `depth` bounds nested `patch:` locators.
fn source_of(name: &str, reference: &str, depth: usize) -> Source {
    let (base, parameters) = reference.split_once("::").unwrap_or((reference, ""));
    if base.starts_with("npm:") {
        return match archive_url(parameters) {
            Some(url) => registry_of(name, &url),
            None => Source::Registry(None),
        };
    }
    if let Some(patched) = base.strip_prefix("patch:") {
        let inner = percent_decode(patched.split('#').next().unwrap_or(patched));
        return match split_name_version(&inner) {
            Some((inner_name, inner_reference)) if depth < 4 => {
                source_of(inner_name, devirtualize(inner_reference), depth + 1)
            }
            _ => Source::Unknown,
        };
    }
    if is_git(reference) {
        return Source::Git(reference.to_string());
    }
    for protocol in ["file:", "link:", "portal:", "exec:"] {
        if let Some(path) = base.strip_prefix(protocol) {
            return Source::Path(path.to_string());
        }
    }
    if base.starts_with("http://") || base.starts_with("https://") {
        return Source::Url(base.to_string());
    }
    if base.starts_with("workspace:") {
        return Source::Workspace;
    }
    Source::Unknown
}

/// Git locators: yarn writes `<url>#commit=<sha>` (or `#head=`/`#tag=` before resolution).
fn is_git(reference: &str) -> bool {
    let protocols = [
        "git:",
        "git+",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "ssh://",
    ];
    protocols.iter().any(|p| reference.starts_with(p))
        || ["#commit=", "#head=", "#tag=", "#semver="]
            .iter()
            .any(|marker| reference.contains(marker))
        || reference
            .split('#')
            .next()
            .is_some_and(|url| url.ends_with(".git"))
}

/// The `__archiveUrl` parameter of an `npm:` locator from a custom registry.
fn archive_url(parameters: &str) -> Option<String> {
    parameters
        .split('&')
        .find_map(|parameter| parameter.strip_prefix("__archiveUrl="))
        .map(percent_decode)
}

/// `https://host/path/@s/a/-/a-1.0.0.tgz` → the registry `https://host/path/`.
fn registry_of(name: &str, url: &str) -> Source {
    if on_default_registry(url) {
        return Source::Registry(None);
    }
    match tarball_registry(url, name) {
        Some(registry) => Source::Registry(Some(registry.to_string())),
        None => Source::Url(url.to_string()),
    }
}

/// Decodes `%XX` escapes; malformed escapes are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let escape = bytes
            .get(index + 1..index + 3)
            .filter(|_| byte == b'%')
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(value) => {
                decoded.push(value);
                index += 3;
            }
            None => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The `catalog` and `catalogs` of `.yarnrc.yml` (other settings are ignored).
#[derive(Debug, Default, Deserialize)]
struct YarnrcWire {
    #[serde(default)]
    catalog: Option<BTreeMap<String, String>>,
    #[serde(default)]
    catalogs: Option<BTreeMap<String, BTreeMap<String, String>>>,
}

/// Named catalogs: `""` is the default `catalog`.
type Catalogs = HashMap<String, BTreeMap<String, String>>;

/// Reads the catalogs of `.yarnrc.yml` beside the lockfile; an unreadable file is a warning.
fn read_catalogs(input: &LockfileInput<'_>, builder: &mut LockfileBuilder) -> Catalogs {
    let mut catalogs = Catalogs::new();
    let text = match input.read_beside(Path::new(".yarnrc.yml")) {
        Ok(Some(text)) => text,
        Ok(None) => return catalogs,
        Err(error) => {
            builder.warn(format!("`.yarnrc.yml` not read: {error}"));
            return catalogs;
        }
    };
    if !text.contains("catalog") {
        return catalogs;
    }
    match serde_saphyr::from_str_with_options::<YarnrcWire>(&text, yaml_options(&text)) {
        Ok(wire) => {
            if let Some(default) = wire.catalog {
                catalogs.insert(String::new(), default);
            }
            catalogs.extend(wire.catalogs.unwrap_or_default());
        }
        Err(error) => builder.warn(format!(
            "the catalogs of `.yarnrc.yml` beside `{}` could not be read: {}",
            input.path.display(),
            error.to_string().lines().next().unwrap_or("invalid YAML")
        )),
    }
    catalogs
}

/// A `resolutions` key → the package name it applies to and the range it is limited to:
/// `name`, `name@range`, `**/name`, `parent/name`, `parent/@s/name@range`.
fn resolution_pattern(key: &str) -> Option<(&str, Option<&str>)> {
    let segments: Vec<&str> = key.split('/').collect();
    let last = segments.len().checked_sub(1)?;
    let start = match segments.get(last.wrapping_sub(1)) {
        Some(scope) if last > 0 && scope.starts_with('@') && !scope[1..].contains('@') => last - 1,
        _ => last,
    };
    let offset: usize = segments[..start].iter().map(|s| s.len() + 1).sum();
    let descriptor = &key[offset..];
    match split_name_version(descriptor) {
        Some((name, range)) => Some((name, Some(range))),
        None => Some((descriptor, None)),
    }
}

/// A workspace entry: its root id and the kinds its `package.json` gives its dependencies.
struct Workspace {
    kinds: HashMap<String, DepKind>,
}

/// The entries as nodes, with the descriptor index used to resolve dependencies.
struct Graph<'a> {
    entries: &'a [(&'a str, &'a EntryWire)],
    ids: Vec<PackageId>,
    workspaces: HashMap<usize, Workspace>,
    by_descriptor: HashMap<&'a str, usize>,
    /// Descriptors bound to a parent, by the descriptor without its `locator` parameter:
    /// (the decoded parent locator, entry).
    bound: HashMap<&'a str, Vec<(String, usize)>>,
    catalogs: Catalogs,
    /// The root `package.json`'s `resolutions`, as (name, limited to range, new range).
    resolutions: Vec<(String, Option<String>, String)>,
}

impl<'a> Graph<'a> {
    fn new(
        input: &LockfileInput<'_>,
        entries: &'a [(&'a str, &'a EntryWire)],
        lines: &HashMap<&str, u32>,
        builder: &mut LockfileBuilder,
    ) -> Result<Self, ParseError> {
        let mut ids = Vec::with_capacity(entries.len());
        let mut workspaces = HashMap::new();
        let mut by_descriptor = HashMap::new();
        let mut bound: HashMap<&str, Vec<(String, usize)>> = HashMap::new();
        let mut resolutions = Vec::new();
        let mut missing_manifests = Vec::new();
        for (index, (key, entry)) in entries.iter().enumerate() {
            let resolution = entry
                .resolution
                .as_deref()
                .ok_or_else(|| input.invalid(format!("entry `{key}` has no `resolution`")))?;
            let (name, locator) = parse_locator(resolution).ok_or_else(|| {
                input.invalid(format!(
                    "entry `{key}` has an invalid `resolution`: `{resolution}`"
                ))
            })?;
            let id = match locator {
                Locator::Workspace(path) => {
                    let (id, workspace) = read_workspace(input, name, &path, entry)?;
                    if workspace.is_none() {
                        missing_manifests.push(path.clone());
                    }
                    if let Some(manifest) = workspace.as_ref().filter(|_| path == ".") {
                        for (key, range) in &manifest.resolutions {
                            if let Some((name, limit)) = resolution_pattern(key) {
                                let limit = limit.map(str::to_string);
                                resolutions.push((name.to_string(), limit, range.clone()));
                            }
                        }
                    }
                    builder.root(id.clone());
                    workspaces.insert(
                        index,
                        Workspace {
                            kinds: workspace.map(|m| kinds_of(&m)).unwrap_or_default(),
                        },
                    );
                    id
                }
                Locator::Package(source) => {
                    let version = entry
                        .version
                        .clone()
                        .filter(|version| !version.is_empty())
                        .or_else(|| version_of_reference(resolution))
                        .unwrap_or_else(|| {
                            builder.warn(format!(
                                "entry `{key}` has no `version`; it is listed as 0.0.0"
                            ));
                            "0.0.0".into()
                        });
                    builder.package_at(builder.id(name, version), source, lines.get(key).copied())
                }
            };
            ids.push(id);
            for descriptor in key.split(',').map(str::trim).filter(|d| !d.is_empty()) {
                if by_descriptor.insert(descriptor, index).is_some() {
                    builder.warn(format!(
                        "descriptor `{descriptor}` is listed by two entries; `{key}` is used"
                    ));
                }
                if let Some((base, parameters)) = descriptor.split_once("::") {
                    let parent = parameters
                        .split('&')
                        .find_map(|parameter| parameter.strip_prefix("locator="));
                    if let Some(parent) = parent {
                        bound
                            .entry(base)
                            .or_default()
                            .push((percent_decode(parent), index));
                    }
                }
            }
        }
        if !missing_manifests.is_empty() {
            builder.warn(format!(
                "no package.json for the workspace(s) {} beside `{}`: their names and versions come from the lockfile and their edges are `normal` (dev dependencies are not told apart)",
                missing_manifests
                    .iter()
                    .map(|path| format!("`{path}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                input.path.display()
            ));
        }
        let catalogs = if workspaces.is_empty() {
            Catalogs::new()
        } else {
            read_catalogs(input, builder)
        };
        Ok(Graph {
            entries,
            ids,
            workspaces,
            by_descriptor,
            bound,
            catalogs,
            resolutions,
        })
    }

    /// The entry a dependency `name: range` of the entry resolved as `parent` goes to: the
    /// descriptor itself, or bound to its parent, after `catalog:` and `resolutions`.
    fn resolve(&self, name: &str, range: &str, parent: &str) -> Option<usize> {
        let range = match range.strip_prefix("catalog:") {
            Some(catalog) => self
                .catalogs
                .get(catalog.trim())
                .and_then(|entries| entries.get(name))
                .map_or(range, String::as_str),
            None => range,
        };
        if let Some(index) = self.lookup_bound(name, range, parent) {
            return Some(index);
        }
        let resolved = self
            .resolutions
            .iter()
            .filter(|(pattern, _, _)| pattern == name)
            .find(|(_, limit, _)| {
                limit.as_deref().is_none_or(|limit| {
                    limit == range
                        || range.strip_prefix("npm:") == Some(limit)
                        || limit.strip_prefix("npm:") == Some(range)
                })
            })?;
        self.lookup_bound(name, &resolved.2, parent)
    }

    /// [`lookup`](Self::lookup), then the descriptor bound to `parent` (or to the only parent
    /// it is bound to).
    fn lookup_bound(&self, name: &str, range: &str, parent: &str) -> Option<usize> {
        if let Some(index) = self.lookup(name, range) {
            return Some(index);
        }
        let candidates = self.bound.get(format!("{name}@{range}").as_str())?;
        let mine = candidates.iter().find(|(locator, _)| locator == parent);
        match (mine, candidates.as_slice()) {
            (Some((_, index)), _) => Some(*index),
            (None, [(_, index)]) => Some(*index),
            _ => None,
        }
    }

    /// The entry holding the descriptor `name@range`.
    fn lookup(&self, name: &str, range: &str) -> Option<usize> {
        let exact = self.by_descriptor.get(format!("{name}@{range}").as_str());
        if let Some(index) = exact {
            return Some(*index);
        }
        // Yarn 2 and 3 lockfiles write ranges without the default `npm:` protocol, and a
        // range may be written with it while the key is not.
        let alternative = match range.strip_prefix("npm:") {
            Some(bare) => format!("{name}@{bare}"),
            None if !has_protocol(range) => format!("{name}@npm:{range}"),
            None => return None,
        };
        self.by_descriptor.get(alternative.as_str()).copied()
    }

    fn add_edges(&self, builder: &mut LockfileBuilder) {
        for (index, (_, entry)) in self.entries.iter().enumerate() {
            let Some(dependencies) = &entry.dependencies else {
                continue;
            };
            let from = &self.ids[index];
            let workspace = self.workspaces.get(&index);
            let parent = entry.resolution.as_deref().unwrap_or_default();
            for (name, range) in dependencies {
                let optional = is_optional(entry, name);
                let Some(target) = self.resolve(name, range, parent) else {
                    builder.warn(format!(
                        "`{from}` depends on `{name}@{range}`, which is not in the lockfile"
                    ));
                    continue;
                };
                let declared = workspace.and_then(|w| w.kinds.get(name.as_str()).copied());
                let kind = match declared {
                    Some(kind) => kind,
                    None if optional => DepKind::Optional,
                    None => DepKind::Normal,
                };
                builder.edge(from, &self.ids[target], kind);
            }
        }
    }
}

/// Whether `dependenciesMeta` marks a dependency optional (keys are `name` or `name@range`).
fn is_optional(entry: &EntryWire, name: &str) -> bool {
    entry.dependencies_meta.as_ref().is_some_and(|meta| {
        meta.iter().any(|(key, value)| {
            let key_name = split_name_version(key).map_or(key.as_str(), |(n, _)| n);
            key_name == name && value.optional == Some(true)
        })
    })
}

/// `npm:^1.0.0` has a protocol, `^1.0.0` does not (a Windows-style `C:` never appears here).
fn has_protocol(range: &str) -> bool {
    range.split_once(':').is_some_and(|(protocol, _)| {
        !protocol.is_empty()
            && protocol
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '+')
    })
}

/// `a@npm:1.2.3` → `1.2.3`, for an entry without a `version`.
fn version_of_reference(resolution: &str) -> Option<String> {
    let (_, reference) = split_name_version(resolution)?;
    let version = devirtualize(reference).strip_prefix("npm:")?;
    let version = version.split("::").next().unwrap_or(version);
    (!version.is_empty()).then(|| version.to_string())
}

/// The root id of a workspace and its manifest, when it has one beside the lockfile.
fn read_workspace(
    input: &LockfileInput<'_>,
    name: &str,
    path: &str,
    entry: &EntryWire,
) -> Result<(PackageId, Option<PackageJson>), ParseError> {
    let dir = workspace_dir(path);
    let manifest = match &dir {
        Some(dir) => read_package_json(input, dir)?,
        None => None,
    };
    let lockfile_version = entry
        .version
        .clone()
        .filter(|version| !version.is_empty() && version != LOCAL_VERSION);
    let id = match &manifest {
        Some(manifest) => PackageId::new(
            Ecosystem::Npm,
            manifest
                .name
                .clone()
                .unwrap_or_else(|| directory_name(input, dir.as_deref().unwrap_or(Path::new("")))),
            manifest.version.clone().unwrap_or_else(|| "0.0.0".into()),
        ),
        None => PackageId::new(
            Ecosystem::Npm,
            name,
            lockfile_version.unwrap_or_else(|| "0.0.0".into()),
        ),
    };
    Ok((id, manifest))
}

/// A workspace path relative to the lockfile, or `None` when it leaves the project.
fn workspace_dir(path: &str) -> Option<PathBuf> {
    let path = Path::new(path);
    let mut dir = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::Normal(part) => dir.push(part),
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(dir)
}

/// Each dependency's kind in a workspace manifest: the strongest section naming it.
fn kinds_of(manifest: &PackageJson) -> HashMap<String, DepKind> {
    let sections = [
        (&manifest.dependencies, DepKind::Normal),
        (&manifest.optional_dependencies, DepKind::Optional),
        (&manifest.peer_dependencies, DepKind::Peer),
        (&manifest.dev_dependencies, DepKind::Dev),
    ];
    let mut kinds: HashMap<String, DepKind> = HashMap::new();
    for (section, kind) in sections {
        for name in section.keys() {
            kinds
                .entry(name.clone())
                .and_modify(|existing| *existing = (*existing).min(kind))
                .or_insert(kind);
        }
    }
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::test_support::fixture_lines;
    use crate::lockfile::test_support::{edges, ids, parse_with};

    fn parse(contents: &str) -> Result<Lockfile, ParseError> {
        parse_with(
            &YarnBerry,
            Path::new("/nonexistent-dir/yarn.lock"),
            contents,
        )
    }

    const BASIC: &str = r#"# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"@s/a@npm:^1.0.0, @s/a@npm:^1.1.0":
  version: 1.2.3
  resolution: "@s/a@npm:1.2.3"
  dependencies:
    b: "npm:^2.0.0"
    fsevents: "npm:^2.3.3"
  dependenciesMeta:
    fsevents:
      optional: true
  peerDependencies:
    react: "*"
  checksum: 10c0/abc
  languageName: node
  linkType: hard

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    "@s/a": "npm:^1.1.0"
    left: "npm:left-pad@^1.3.0"
    resolve: "patch:resolve@npm%3A^1.22.0#optional!builtin<compat/resolve>"
    tool: "https://github.com/user/tool.git#commit=abc"
    ghost: "npm:^9"
  languageName: unknown
  linkType: soft

"b@npm:^2.0.0":
  version: 2.1.0
  resolution: "b@npm:2.1.0::__archiveUrl=https%3A%2F%2Fnpm.example.com%2Frepo%2Fb%2F-%2Fb-2.1.0.tgz"
  languageName: node
  linkType: hard

"fsevents@npm:^2.3.3":
  version: 2.3.3
  resolution: "fsevents@npm:2.3.3"
  languageName: node
  linkType: hard

"fsevents@patch:fsevents@npm%3A^2.3.3#optional!builtin<compat/fsevents>":
  version: 2.3.3
  resolution: "fsevents@patch:fsevents@npm%3A2.3.3#optional!builtin<compat/fsevents>::version=2.3.3&hash=df0bf1"
  languageName: node
  linkType: hard

"left@npm:left-pad@^1.3.0":
  version: 1.3.0
  resolution: "left-pad@npm:1.3.0"
  languageName: node
  linkType: hard

"resolve@patch:resolve@npm%3A^1.22.0#optional!builtin<compat/resolve>":
  version: 1.22.8
  resolution: "resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d"
  dependencies:
    b: "npm:^2.0.0"
  languageName: node
  linkType: hard

"tool@https://github.com/user/tool.git#commit=abc":
  version: 0.3.0
  resolution: "tool@https://github.com/user/tool.git#commit=abc"
  languageName: node
  linkType: hard
"#;

    #[test]
    fn merges_descriptors_patches_and_aliases() {
        let lockfile = parse(BASIC).unwrap();
        assert_eq!(lockfile.format_version, "8");
        assert_eq!(
            ids(&lockfile),
            [
                "npm:@s/a@1.2.3",
                "npm:app@0.0.0",
                "npm:b@2.1.0",
                "npm:fsevents@2.3.3",
                "npm:left-pad@1.3.0",
                "npm:resolve@1.22.8",
                "npm:tool@0.3.0",
            ]
        );
        assert_eq!(
            edges(&lockfile),
            [
                "npm:@s/a@1.2.3 -> npm:b@2.1.0 normal",
                "npm:@s/a@1.2.3 -> npm:fsevents@2.3.3 optional",
                "npm:app@0.0.0 -> npm:@s/a@1.2.3 normal",
                "npm:app@0.0.0 -> npm:left-pad@1.3.0 normal",
                "npm:app@0.0.0 -> npm:resolve@1.22.8 normal",
                "npm:app@0.0.0 -> npm:tool@0.3.0 normal",
                "npm:resolve@1.22.8 -> npm:b@2.1.0 normal",
            ]
        );
        assert_eq!(lockfile.roots[0].to_string(), "npm:app@0.0.0");
        let sources: Vec<&Source> = lockfile.packages.iter().map(|p| &p.source).collect();
        assert_eq!(sources[0], &Source::Registry(None));
        assert_eq!(sources[1], &Source::Workspace);
        assert_eq!(
            sources[2],
            &Source::Registry(Some("https://npm.example.com/repo/".into()))
        );
        assert_eq!(sources[5], &Source::Registry(None));
        assert_eq!(
            sources[6],
            &Source::Git("https://github.com/user/tool.git#commit=abc".into())
        );
        let warnings = lockfile.warnings.join("\n");
        assert!(
            warnings.contains("`ghost@npm:^9`, which is not in the lockfile"),
            "{warnings}"
        );
        assert!(warnings.contains("no package.json"), "{warnings}");
    }

    #[test]
    fn accepts_crlf_line_endings() {
        let crlf = BASIC.replace('\n', "\r\n");
        let lockfile = parse(&crlf).unwrap();
        let lf = parse(BASIC).unwrap();
        assert_eq!(ids(&lockfile), ids(&lf));
        assert_eq!(edges(&lockfile), edges(&lf));
    }

    #[test]
    fn reads_old_ranges_without_protocol() {
        let v4 = "__metadata:\n  version: 4\n\n\"a@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n  dependencies:\n    b: 2\n\n\"b@npm:2\":\n  version: 2.10\n  resolution: \"b@npm:2.10\"\n";
        let lockfile = parse(v4).unwrap();
        assert_eq!(lockfile.format_version, "4");
        assert_eq!(edges(&lockfile), ["npm:a@1.0.0 -> npm:b@2.10 normal"]);
    }

    #[test]
    fn refuses_unknown_versions_by_name() {
        assert_eq!(
            scan_version("# c\r\n__metadata:\r\n  cacheKey: 8\r\n  version: \"6\" # yarn 3\r\n"),
            Some("6".into())
        );
        for version in ["3", "11", "x"] {
            let contents = format!("__metadata:\n  version: {version}\n  cacheKey: 10c0\n");
            let error = parse(&contents).unwrap_err().to_string();
            assert!(
                error.contains(&format!("unsupported npm/yarn-berry version `{version}`")),
                "{error}"
            );
        }
        let error = parse("__metadata:\n  cacheKey: 8\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("`__metadata.version` is missing"), "{error}");
    }

    #[test]
    fn refuses_bad_yaml_with_a_line() {
        let truncated = "__metadata:\n  version: 8\n\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\n";
        let error = parse(truncated).unwrap_err().to_string();
        assert!(error.contains("at line"), "{error}");
        assert!(error.contains("yarn.lock"), "{error}");
        let garbage = "__metadata:\n  version: 8\n: : :\n\t- [\n";
        assert!(parse(garbage).is_err());
        let no_resolution = "__metadata:\n  version: 8\n\"a@npm:^1\":\n  version: 1.0.0\n";
        let error = parse(no_resolution).unwrap_err().to_string();
        assert!(error.contains("has no `resolution`"), "{error}");
    }

    #[test]
    fn refuses_deep_nesting_without_panicking() {
        let depth = 10_000;
        let deep = format!(
            "__metadata:\n  version: 8\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n  bin: {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let error = parse(&deep).unwrap_err().to_string();
        assert!(error.contains("at line 6"), "{error}");
        let mut block = String::from("__metadata:\n  version: 8\nx:\n");
        for level in 1..200 {
            block.push_str(&" ".repeat(level * 2));
            block.push_str("k:\n");
        }
        let error = parse(&block).unwrap_err().to_string();
        assert!(error.contains("budget breached"), "{error}");
    }

    #[test]
    fn refuses_alias_bombs() {
        let mut bomb = String::from(
            "__metadata:\n  version: 8\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n  x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
        );
        for level in 1..12 {
            let aliases = vec![format!("*a{}", level - 1); 10].join(", ");
            bomb.push_str(&format!("  x{level}: &a{level} [{aliases}]\n"));
        }
        let error = parse(&bomb).unwrap_err().to_string();
        assert!(error.contains("limit exceeded"), "{error}");
    }

    #[test]
    fn resolves_catalogs_resolutions_and_bound_descriptors() {
        let dir = crate::lockfile::test_support::dir_with(&[
            (
                "package.json",
                r#"{"name": "app", "workspaces": ["tools"],
                    "dependencies": {"a": "catalog:", "b": "catalog:dev", "c": "^1.0.0"},
                    "resolutions": {"c": "1.5.0", "**/d@^2.0.0": "2.2.0", "e": "link:./stub"}}"#,
            ),
            (
                ".yarnrc.yml",
                "nodeLinker: node-modules\ncatalog:\n  a: ^1.2.0\ncatalogs:\n  dev:\n    b: npm:^3.0.0\n",
            ),
            (
                "tools/package.json",
                r#"{"name": "tools", "version": "1.0.0"}"#,
            ),
        ]);
        let lock = r#"__metadata:
  version: 10
  cacheKey: 10c0

"a@npm:^1.2.0":
  version: 1.2.1
  resolution: "a@npm:1.2.1"
  dependencies:
    d: "npm:^2.0.0"
    e: "npm:^1.0.0"
  languageName: node
  linkType: hard

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    a: "catalog:"
    b: "catalog:dev"
    c: "npm:^1.0.0"
    helper: "link:./helper"
  languageName: unknown
  linkType: soft

"b@npm:^3.0.0":
  version: 3.0.1
  resolution: "b@npm:3.0.1"
  languageName: node
  linkType: hard

"c@npm:1.5.0":
  version: 1.5.0
  resolution: "c@npm:1.5.0"
  languageName: node
  linkType: hard

"d@npm:2.2.0":
  version: 2.2.0
  resolution: "d@npm:2.2.0"
  languageName: node
  linkType: hard

"e@link:./stub::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "e@link:./stub::locator=app%40workspace%3A."
  languageName: node
  linkType: soft

"helper@link:../helper::locator=tools%40workspace%3Atools":
  version: 0.0.0-use.local
  resolution: "helper@link:../helper::locator=tools%40workspace%3Atools"
  languageName: node
  linkType: soft

"helper@link:./helper::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "helper@link:./helper::locator=app%40workspace%3A."
  languageName: node
  linkType: soft

"tools@workspace:tools":
  version: 0.0.0-use.local
  resolution: "tools@workspace:tools"
  dependencies:
    helper: "link:../helper"
  languageName: unknown
  linkType: soft
"#;
        let lockfile = parse_with(&YarnBerry, &dir.path().join("yarn.lock"), lock).unwrap();
        assert_eq!(lockfile.warnings, Vec::<String>::new());
        assert_eq!(
            edges(&lockfile),
            [
                "npm:a@1.2.1 -> npm:d@2.2.0 normal",
                "npm:a@1.2.1 -> npm:e@0.0.0-use.local normal",
                "npm:app@0.0.0 -> npm:a@1.2.1 normal",
                "npm:app@0.0.0 -> npm:b@3.0.1 normal",
                "npm:app@0.0.0 -> npm:c@1.5.0 normal",
                "npm:app@0.0.0 -> npm:helper@0.0.0-use.local normal",
                "npm:tools@1.0.0 -> npm:helper@0.0.0-use.local normal",
            ]
        );
    }

    #[test]
    fn names_sources() {
        assert_eq!(source_of("a", "npm:1.0.0", 0), Source::Registry(None));
        assert_eq!(
            source_of("a", "file:../a::locator=app%40workspace%3A.", 0),
            Source::Path("../a".into())
        );
        assert_eq!(
            source_of("a", "portal:../a::locator=app%40workspace%3A.", 0),
            Source::Path("../a".into())
        );
        assert_eq!(
            source_of("a", "https://host/a-1.0.0.tgz", 0),
            Source::Url("https://host/a-1.0.0.tgz".into())
        );
        assert!(matches!(
            source_of("a", "git+ssh://git@host/a.git#commit=abc", 0),
            Source::Git(_)
        ));
        assert_eq!(
            parse_locator("a@virtual:abc123#npm:1.0.0"),
            Some(("a", Locator::Package(Source::Registry(None))))
        );
        assert_eq!(
            parse_locator("@s/w@workspace:packages/w"),
            Some(("@s/w", Locator::Workspace("packages/w".into())))
        );
        assert_eq!(percent_decode("a%40b%3A%zz%"), "a@b:%zz%");
        assert_eq!(workspace_dir("."), Some(PathBuf::new()));
        assert_eq!(workspace_dir("../x"), None);
        assert_eq!(workspace_dir("/etc"), None);
    }

    #[test]
    fn packages_record_the_line_of_their_entry() {
        let lines = fixture_lines(
            "fixtures/lockfiles/yarn-berry/basic.v10/yarn.lock",
            &[
                "npm:@isaacs/fs-minipass@4.0.1",
                "npm:abbrev@5.0.0",
                "npm:balanced-match@1.0.2",
            ],
        );
        assert_eq!(lines, [Some(8), Some(17), Some(24)]);
    }
}

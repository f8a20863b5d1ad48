//! `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.
//!
//! Format: <https://docs.npmjs.com/cli/configuring-npm/package-lock-json>.
//!
//! - **v2 and v3** have a flat `packages` map keyed by install location (`""` is the root,
//!   `node_modules/a/node_modules/b` a nested copy, `packages/x` a workspace member). A
//!   dependency of the package at location `L` resolves as Node does: `L/node_modules/<name>`,
//!   then the same in each parent directory up to the root. Links (`"link": true`, workspaces
//!   and `file:` directories) resolve to their target's entry. The real name of an aliased
//!   package (`"x": "npm:real@^1"`) is the entry's `name`. Edges come from `dependencies`
//!   (normal), `optionalDependencies` (optional), `peerDependencies` (peer) and
//!   `devDependencies` (dev, recorded for the root, workspaces and links only). The root depends
//!   on each workspace member (normal), as npm's own tree shows.
//! - **v1** (npm 5 and 6) has a nested `dependencies` tree with `requires` maps that resolve
//!   upward through the tree the same way. It records neither peer edges nor the root's own
//!   dependencies: those come from the `package.json` beside the lockfile. Aliases are written
//!   as `"version": "npm:real@1.2.3"`.
//!
//! A v2 file carries both forms; the `packages` map is used.
//!
//! Not supported: resolving `file:` dependencies of a v1 lockfile to their package.json (the
//! node keeps the `file:` spec as its version); bundled dependencies are ordinary nodes.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{directory_name, parse_alias, read_package_json};
use crate::lockfile::lines::{lines_at, offset_in};
use crate::lockfile::{Format, LockfileInput, LockfileParser, ParseError, Text};
use crate::model::{DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `package-lock.json` parser.
#[derive(Debug)]
pub(crate) struct PackageLock;

const SUPPORTED: &str = "1, 2, 3";

/// What this parser reads.
pub(crate) const FORMAT: Format = Format {
    id: "npm/package-lock",
    ecosystem: Ecosystem::Npm,
    tool: "npm",
    files: &["package-lock.json", "npm-shrinkwrap.json"],
    versions: "1, 2, 3",
    accepted: SUPPORTED,
};

const NPM_REGISTRY: &str = "https://registry.npmjs.org/";

/// Strings are borrowed from the file where they need no unescaping, and dependency ranges
/// are skipped (only the names resolve): a lockfile of 10⁶ packages is held once, not twice.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LockWire<'a> {
    name: Option<String>,
    version: Option<String>,
    lockfile_version: Option<serde_json::Value>,
    #[serde(borrow)]
    packages: Option<Packages<'a>>,
    #[serde(borrow)]
    dependencies: Option<V1Tree<'a>>,
}

/// A v1 `dependencies` map: install name (borrowed from the file where it can be, for the
/// entry's line) → entry.
type V1Tree<'a> = BTreeMap<Text<'a>, V1Wire<'a>>;

/// The names of a dependency section; their ranges are not needed.
type Names<'a> = BTreeMap<Text<'a>, IgnoredAny>;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct EntryWire<'a> {
    #[serde(borrow)]
    name: Option<Text<'a>>,
    #[serde(borrow)]
    version: Option<Text<'a>>,
    #[serde(borrow)]
    resolved: Option<Text<'a>>,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    dev_optional: bool,
    #[serde(default, borrow)]
    dependencies: Names<'a>,
    #[serde(default, borrow)]
    dev_dependencies: Names<'a>,
    #[serde(default, borrow)]
    optional_dependencies: Names<'a>,
    #[serde(default, borrow)]
    peer_dependencies: Names<'a>,
    #[serde(default)]
    workspaces: Option<serde_json::Value>,
}

/// The `packages` map: install location → entry, in location order (the last of duplicate
/// keys wins, as in a map). A sorted list with an index rather than a `BTreeMap`: half the
/// memory for a lockfile of a million packages.
struct Packages<'a> {
    entries: Vec<(Text<'a>, EntryWire<'a>)>,
    index: HashMap<Text<'a>, usize>,
}

impl<'a> Packages<'a> {
    fn get(&self, location: &str) -> Option<&EntryWire<'a>> {
        self.get_key_value(location).map(|(_, entry)| entry)
    }

    /// Where `location` is in [`Packages::iter`]'s order.
    fn position(&self, location: &str) -> Option<usize> {
        self.index.get(location).copied()
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn get_key_value(&self, location: &str) -> Option<(&str, &EntryWire<'a>)> {
        let (key, entry) = &self.entries[*self.index.get(location)?];
        Some((key, entry))
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &EntryWire<'a>)> {
        self.entries.iter().map(|(key, entry)| (&**key, entry))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Packages<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Vec<(Text<'de>, EntryWire<'de>)>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of install locations to package entries")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(entries)
            }
        }
        let mut entries = deserializer.deserialize_map(Visitor)?;
        // Stable: of duplicate keys, the last one read stays last.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        // In place; the entry kept takes the later duplicate's value.
        entries.dedup_by(|later, kept| {
            let duplicate = later.0 == kept.0;
            if duplicate {
                std::mem::swap(later, kept);
            }
            duplicate
        });
        let index = entries
            .iter()
            .enumerate()
            .map(|(position, (key, _))| (key.clone(), position))
            .collect();
        Ok(Packages { entries, index })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1Wire<'a> {
    version: String,
    resolved: Option<String>,
    #[serde(default)]
    requires: BTreeMap<String, String>,
    #[serde(default, borrow)]
    dependencies: V1Tree<'a>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    optional: bool,
}

impl LockfileParser for PackageLock {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        if !input.contents.trim_start().starts_with('{') {
            return Err(input.syntax(Some(1), "expected a JSON object"));
        }
        let wire: LockWire =
            serde_json::from_str(input.contents).map_err(|e| input.json_error(&e))?;
        let version = match &wire.lockfile_version {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(other) => {
                return Err(input.invalid(format!(
                    "`lockfileVersion` must be a number, found `{other}`"
                )));
            }
            None => {
                return Err(input.invalid(
                    "no `lockfileVersion`: not a package-lock.json written by npm 5 or later",
                ));
            }
        };
        match version {
            Some(2 | 3) => match &wire.packages {
                Some(packages) => {
                    let version = version.unwrap_or_default().to_string();
                    Ok(parse_packages(input, packages)?.finish(self.id(), version))
                }
                // npm reads the legacy tree whatever the version says when `packages` is
                // missing (arborist's `loadVirtual`); so does deptrust, and says so.
                None if wire.dependencies.is_some() => {
                    let mut builder = parse_v1(input, &wire)?;
                    builder.warn(format!(
                        "lockfileVersion {} without a `packages` map: read from the legacy `dependencies` tree, as npm does",
                        version.unwrap_or_default()
                    ));
                    Ok(builder.finish(self.id(), version.unwrap_or_default().to_string()))
                }
                None => Err(input.invalid(
                    "lockfileVersion 2 and 3 need a `packages` map (or, as npm falls back to, a `dependencies` tree)",
                )),
            },
            Some(1) => Ok(parse_v1(input, &wire)?.finish(self.id(), "1")),
            _ => Err(input.unsupported(
                wire.lockfile_version
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                SUPPORTED,
            )),
        }
    }
}

/// v2/v3: the flat `packages` map.
fn parse_packages(
    input: &LockfileInput<'_>,
    packages: &Packages<'_>,
) -> Result<LockfileBuilder, ParseError> {
    let mut builder = LockfileBuilder::new(Ecosystem::Npm);
    let root_entry = packages
        .get("")
        .ok_or_else(|| input.invalid("the `packages` map has no root entry `\"\"`"))?;
    let members = workspace_members(root_entry, packages);

    // The name and version of the node each location stands for, by position (none for a
    // link: dependencies resolve through it to its target). Borrowed where the file allows:
    // ids are built again for edges rather than held twice.
    let mut nodes: Vec<Option<(Cow<'_, str>, &str)>> = Vec::with_capacity(packages.len());
    // Each entry's line: that of its key (`"node_modules/x": {`), where the key is borrowed
    // from the file (no escapes in it).
    let offsets: Vec<Option<usize>> = packages
        .iter()
        .map(|(location, _)| offset_in(input.contents, location))
        .collect();
    let lines = lines_at(input.contents, &offsets);
    for ((location, entry), line) in packages.iter().zip(lines) {
        if entry.link {
            nodes.push(None);
            continue;
        }
        let name: Cow<'_, str> = match entry.name.as_deref().filter(|name| !name.is_empty()) {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(
                install_name(location)
                    .or_else(|| link_name(location, packages))
                    .filter(|name| !name.is_empty())
                    .unwrap_or_else(|| directory_name(input, Path::new(location))),
            ),
        };
        let version = entry
            .version
            .as_deref()
            .filter(|v| !v.is_empty())
            .unwrap_or("0.0.0");
        let id = builder.id(name.as_ref(), version);
        let is_root = location.is_empty() || members.contains(&location);
        let source = if is_root {
            Source::Workspace
        } else if !location.contains("node_modules/") {
            Source::Path(location.to_string())
        } else {
            source_of(entry.resolved.as_deref())
        };
        if is_root {
            builder.root(id.clone());
        }
        // npm's own flags, used only for an entry no root reaches (the graph decides the rest).
        builder.package_at(id.clone(), source, line);
        builder.dev_hint(&id, entry.dev || entry.dev_optional);
        nodes.push(Some((name, version)));
    }
    let node = |location: &str| -> Option<PackageId> {
        let (name, version) = nodes[packages.position(location)?].as_ref()?;
        Some(PackageId::new(Ecosystem::Npm, name.as_ref(), *version))
    };

    for (location, entry) in packages.iter() {
        if entry.link {
            continue;
        }
        let Some(from) = node(location) else {
            continue;
        };
        let sections = [
            (&entry.dependencies, DepKind::Normal),
            (&entry.optional_dependencies, DepKind::Optional),
            (&entry.peer_dependencies, DepKind::Peer),
            (&entry.dev_dependencies, DepKind::Dev),
        ];
        for (section, kind) in sections {
            for name in section.keys() {
                match resolve(location, name, packages) {
                    Some(target) => {
                        if let Some(to) = node(target) {
                            builder.edge(&from, &to, kind);
                        }
                    }
                    None if kind == DepKind::Normal => builder.warn(format!(
                        "`{from}` depends on `{name}`, which is not installed at any location it can see"
                    )),
                    None => {}
                }
            }
        }
    }
    if let Some(root) = node("") {
        for member in &members {
            if let Some(to) = node(member) {
                builder.edge(&root, &to, DepKind::Normal);
            }
        }
    }
    Ok(builder)
}

/// The locations of workspace members: entries outside `node_modules` matched by the root's
/// `workspaces` globs.
fn workspace_members<'a>(root: &EntryWire<'_>, packages: &'a Packages<'_>) -> Vec<&'a str> {
    let patterns: Vec<glob::Pattern> = match &root.workspaces {
        Some(serde_json::Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(serde_json::Value::Object(object)) => match object.get("packages") {
            Some(serde_json::Value::Array(items)) => items.iter().collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
    .into_iter()
    .filter_map(serde_json::Value::as_str)
    .filter_map(|pattern| {
        glob::Pattern::new(pattern.trim_start_matches("./").trim_end_matches('/')).ok()
    })
    .collect();
    packages
        .iter()
        .filter(|(location, entry)| {
            !location.is_empty()
                && !entry.link
                && !location.contains("node_modules/")
                && patterns.iter().any(|pattern| pattern.matches(location))
        })
        .map(|(location, _)| location)
        .collect()
}

/// The name a package is installed under at a `node_modules` location.
fn install_name(location: &str) -> Option<String> {
    location
        .rfind("node_modules/")
        .map(|index| location[index + "node_modules/".len()..].to_string())
}

/// For a link target without a `name`, the name of the link pointing at it.
fn link_name(location: &str, packages: &Packages<'_>) -> Option<String> {
    packages
        .iter()
        .find(|(_, entry)| entry.link && entry.resolved.as_deref() == Some(location))
        .and_then(|(link, _)| install_name(link))
}

/// Node's module resolution over lockfile locations: the nearest `node_modules/<name>` from
/// `location` upward, links followed to their target.
fn resolve<'a>(location: &str, name: &str, packages: &'a Packages<'_>) -> Option<&'a str> {
    let mut dir = location;
    loop {
        let candidate = if dir.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{dir}/node_modules/{name}")
        };
        if let Some((key, entry)) = packages.get_key_value(candidate.as_str()) {
            if entry.link {
                let target = entry.resolved.as_deref()?;
                return packages.get_key_value(target).map(|(key, _)| key);
            }
            return Some(key);
        }
        if dir.is_empty() {
            return None;
        }
        dir = match dir.rfind('/') {
            Some(index) => &dir[..index],
            None => "",
        };
    }
}

fn source_of(resolved: Option<&str>) -> Source {
    let Some(resolved) = resolved else {
        return Source::Registry(None);
    };
    if resolved.starts_with(NPM_REGISTRY) {
        return Source::Registry(None);
    }
    if resolved.starts_with("git") || resolved.starts_with("github:") {
        return Source::Git(resolved.to_string());
    }
    if let Some(path) = resolved.strip_prefix("file:") {
        return Source::Path(path.to_string());
    }
    if resolved.starts_with("http://") || resolved.starts_with("https://") {
        // `<registry>/<name>/-/<name>-<version>.tgz` is a registry tarball (a mirror or a
        // private registry); any other URL is a direct download.
        return match resolved.find("/-/") {
            Some(_) => Source::Registry(Some(registry_base(resolved))),
            None => Source::Url(resolved.to_string()),
        };
    }
    Source::Unknown
}

/// `https://host/path/@scope/name/-/name-1.0.0.tgz` → `https://host/path/`.
fn registry_base(resolved: &str) -> String {
    let before = resolved.split("/-/").next().unwrap_or(resolved);
    let trimmed = match before.rfind('/') {
        Some(index) if before[..index].ends_with(|c: char| c != '/') => {
            let head = &before[..index];
            // A scoped name spans two segments.
            match head.rfind('/') {
                Some(scope) if head[scope + 1..].starts_with('@') => &head[..=scope],
                _ => &before[..=index],
            }
        }
        _ => before,
    };
    trimmed.to_string()
}

/// v1: the nested `dependencies` tree.
fn parse_v1(input: &LockfileInput<'_>, wire: &LockWire<'_>) -> Result<LockfileBuilder, ParseError> {
    let mut builder = LockfileBuilder::new(Ecosystem::Npm);
    let empty = BTreeMap::new();
    let top = wire.dependencies.as_ref().unwrap_or(&empty);
    let manifest = read_package_json(input, Path::new(""))?;
    let name = wire
        .name
        .clone()
        .or_else(|| manifest.as_ref().and_then(|m| m.name.clone()))
        .unwrap_or_else(|| directory_name(input, Path::new("")));
    let version = wire
        .version
        .clone()
        .or_else(|| manifest.as_ref().and_then(|m| m.version.clone()))
        .unwrap_or_else(|| "0.0.0".into());
    let root = builder.id(name, version);
    builder.root(root.clone());

    // Walk the tree: each node is identified by its chain of ancestors.
    let mut required_at_top: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    let mut stack: Vec<Vec<(&str, &V1Wire<'_>)>> =
        top.iter().map(|(k, v)| vec![(&**k, v)]).collect();
    // Each entry's id and the offset of its key (`"x": {`), for its line.
    let mut defined: Vec<(PackageId, Option<usize>)> = Vec::new();
    while let Some(chain) = stack.pop() {
        let Some(&(install, entry)) = chain.last() else {
            continue;
        };
        let from = v1_id(&builder, install, entry);
        builder.package(from.clone(), v1_source(entry));
        // npm's own flag, for a copy no root reaches (a nested entry left behind).
        builder.dev_hint(&from, entry.dev);
        for name in entry.requires.keys() {
            match v1_resolve(&chain, name, top) {
                Some((install, target)) => {
                    if top
                        .get(install)
                        .is_some_and(|entry| std::ptr::eq(entry, target))
                    {
                        required_at_top.insert(install);
                    }
                    let to = v1_id(&builder, install, target);
                    builder.edge(&from, &to, DepKind::Normal);
                }
                None => builder.warn(format!(
                    "`{from}` requires `{name}`, which is not in the lockfile where it can see it"
                )),
            }
        }
        for (child, child_entry) in &entry.dependencies {
            let mut next = chain.clone();
            next.push((&**child, child_entry));
            stack.push(next);
        }
        defined.push((from, offset_in(input.contents, install)));
    }
    let offsets: Vec<Option<usize>> = defined.iter().map(|(_, offset)| *offset).collect();
    for ((id, _), line) in defined.iter().zip(lines_at(input.contents, &offsets)) {
        builder.line(id, line);
    }

    match &manifest {
        Some(manifest) => {
            for declared in manifest.declared() {
                match top.get_key_value(declared.name.as_str()) {
                    Some((install, entry)) => {
                        let install: &str = install;
                        let to = v1_id(&builder, install, entry);
                        builder.edge(&root, &to, declared.kind);
                    }
                    None if declared.kind == DepKind::Normal => builder.warn(format!(
                        "package.json declares `{}`, which is not in the lockfile",
                        declared.name
                    )),
                    None => {}
                }
            }
        }
        None => {
            builder.warn(format!(
                "no package.json beside `{}`: the root's dependencies are guessed from the top-level entries nothing requires",
                input.path.display()
            ));
            for (install, entry) in top {
                if !required_at_top.contains(&**install) {
                    let kind = if entry.dev {
                        DepKind::Dev
                    } else if entry.optional {
                        DepKind::Optional
                    } else {
                        DepKind::Normal
                    };
                    let to = v1_id(&builder, install, entry);
                    builder.edge(&root, &to, kind);
                }
            }
        }
    }
    Ok(builder)
}

/// The real name and version of a v1 entry (`"version": "npm:real@1.0.0"` for aliases).
fn v1_id(builder: &LockfileBuilder, install: &str, entry: &V1Wire<'_>) -> PackageId {
    match parse_alias(&entry.version) {
        Some((real, version)) => builder.id(real, version),
        None => builder.id(install, entry.version.as_str()),
    }
}

fn v1_source(entry: &V1Wire<'_>) -> Source {
    if let Some(path) = entry.version.strip_prefix("file:") {
        return Source::Path(path.to_string());
    }
    if entry.version.starts_with("git") || entry.version.starts_with("github:") {
        return Source::Git(entry.version.clone());
    }
    source_of(entry.resolved.as_deref())
}

/// Resolves `name` from the entry at the end of `chain`: its own nested dependencies, then
/// each ancestor's, then the top level.
fn v1_resolve<'a, 't>(
    chain: &[(&'a str, &'a V1Wire<'t>)],
    name: &str,
    top: &'a V1Tree<'t>,
) -> Option<(&'a str, &'a V1Wire<'t>)> {
    for &(_, entry) in chain.iter().rev() {
        if let Some((key, found)) = entry.dependencies.get_key_value(name) {
            return Some((&**key, found));
        }
    }
    top.get_key_value(name).map(|(key, entry)| (&**key, entry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::test_support::fixture_lines;
    use crate::lockfile::test_support::{edges, parse_with};

    fn parse(contents: &str) -> Result<Lockfile, ParseError> {
        parse_with(
            &PackageLock,
            Path::new("/nonexistent-dir/package-lock.json"),
            contents,
        )
    }

    #[test]
    fn v3_resolves_nested_copies_and_aliases() {
        let lockfile = parse(
            r#"{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "packages": {
                "": {"name": "app", "version": "1.0.0", "dependencies": {"a": "^1", "x": "npm:b@^2"},
                     "devDependencies": {"t": "1"}},
                "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "^1"}},
                "node_modules/a/node_modules/b": {"version": "1.5.0"},
                "node_modules/x": {"name": "b", "version": "2.0.0",
                     "resolved": "https://registry.npmjs.org/b/-/b-2.0.0.tgz"},
                "node_modules/t": {"version": "1.0.0", "dev": true, "dependencies": {"a": "^1"},
                     "peerDependencies": {"missing-peer": "*"}}
            }}"#,
        )
        .unwrap();
        assert_eq!(
            edges(&lockfile),
            [
                "npm:a@1.0.0 -> npm:b@1.5.0 normal",
                "npm:app@1.0.0 -> npm:a@1.0.0 normal",
                "npm:app@1.0.0 -> npm:b@2.0.0 normal",
                "npm:app@1.0.0 -> npm:t@1.0.0 dev",
                "npm:t@1.0.0 -> npm:a@1.0.0 normal",
            ]
        );
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
    }

    #[test]
    fn v1_resolves_upward_and_reads_aliases() {
        let lockfile = parse(
            r#"{"name": "app", "version": "1.0.0", "lockfileVersion": 1, "dependencies": {
                "a": {"version": "1.0.0", "requires": {"b": "^1", "y": "npm:c@^1"},
                      "dependencies": {"b": {"version": "1.1.0"}}},
                "b": {"version": "2.0.0"},
                "y": {"version": "npm:c@1.2.0"}
            }}"#,
        )
        .unwrap();
        assert_eq!(lockfile.format_version, "1");
        let edges = edges(&lockfile);
        assert!(
            edges.contains(&"npm:a@1.0.0 -> npm:b@1.1.0 normal".to_string()),
            "{edges:?}"
        );
        assert!(
            edges.contains(&"npm:a@1.0.0 -> npm:c@1.2.0 normal".to_string()),
            "{edges:?}"
        );
        // No package.json: the root depends on what nothing requires.
        assert!(
            edges.contains(&"npm:app@1.0.0 -> npm:a@1.0.0 normal".to_string()),
            "{edges:?}"
        );
        assert!(
            edges.contains(&"npm:app@1.0.0 -> npm:b@2.0.0 normal".to_string()),
            "{edges:?}"
        );
        assert_eq!(lockfile.warnings.len(), 1);
    }

    #[test]
    fn refuses_unknown_versions_and_wrong_shapes() {
        let error = parse(r#"{"lockfileVersion": 4, "packages": {}}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unsupported npm/package-lock version `4`"),
            "{error}"
        );
        let error = parse(r#"{"name": "x"}"#).unwrap_err().to_string();
        assert!(error.contains("no `lockfileVersion`"), "{error}");
        let error = parse("{\n\"lockfileVersion\": 3,\n\"packages\": [1]}")
            .unwrap_err()
            .to_string();
        assert!(error.contains("at line 3"), "{error}");
        let error = parse(r#"{"lockfileVersion": 3, "packages": {}}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("no root entry"), "{error}");
    }

    #[test]
    fn registry_sources() {
        assert_eq!(source_of(None), Source::Registry(None));
        assert_eq!(
            source_of(Some("https://npm.example.com/repo/@s/a/-/a-1.0.0.tgz")),
            Source::Registry(Some("https://npm.example.com/repo/".into()))
        );
        assert_eq!(
            source_of(Some("https://npm.example.com/a/-/a-1.0.0.tgz")),
            Source::Registry(Some("https://npm.example.com/".into()))
        );
        assert!(matches!(
            source_of(Some("git+ssh://git@github.com/a/b.git#abc")),
            Source::Git(_)
        ));
    }

    #[test]
    fn v2_and_v3_without_packages_fall_back_to_the_legacy_tree() {
        let lockfile = parse(
            r#"{"name": "app", "version": "1.0.0", "lockfileVersion": 2, "requires": true,
                "dependencies": {"ms": {"version": "2.1.3", "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz"}}}"#,
        )
        .unwrap();
        let ids: Vec<String> = lockfile.packages.iter().map(|p| p.id.to_string()).collect();
        assert!(ids.contains(&"npm:ms@2.1.3".to_string()), "{ids:?}");
        assert!(
            lockfile
                .warnings
                .iter()
                .any(|w| w.contains("legacy `dependencies` tree")),
            "{:?}",
            lockfile.warnings
        );
        let error = parse(r#"{"lockfileVersion": 3}"#).unwrap_err().to_string();
        assert!(error.contains("need a `packages` map"), "{error}");
    }

    #[test]
    fn entries_no_root_reaches_keep_npms_dev_flag() {
        let lockfile = parse(
            r#"{"name": "app", "lockfileVersion": 3, "packages": {
                "": {"name": "app", "version": "1.0.0"},
                "node_modules/left-behind": {"version": "1.0.0", "dev": true},
                "node_modules/also-left": {"version": "2.0.0"}
            }}"#,
        )
        .unwrap();
        let graph = crate::graph::build(lockfile);
        let dev = |name: &str| {
            graph
                .nodes
                .iter()
                .find(|node| node.package.id.name == name)
                .map(|node| node.dev)
        };
        assert_eq!(dev("left-behind"), Some(true));
        assert_eq!(dev("also-left"), Some(false));
    }

    /// Each package's line is that of its entry's key, the first of several copies: a nested
    /// copy, an alias.
    #[test]
    fn packages_record_the_line_of_their_entry() {
        let ids = ["npm:agent-base@6.0.2", "npm:debug@4.4.3", "npm:debug@2.6.9"];
        let lines = fixture_lines(
            "fixtures/lockfiles/package-lock/basic.v3/package-lock.json",
            &ids,
        );
        assert_eq!(lines, [Some(21), Some(33), Some(109)]);
        let lines = fixture_lines(
            "fixtures/lockfiles/package-lock/basic.v1/package-lock.json",
            &ids,
        );
        assert_eq!(lines, [Some(7), Some(15), Some(64)]);
        let lines = fixture_lines(
            "fixtures/lockfiles/package-lock/alias.v3/package-lock.json",
            &["npm:string-width@4.2.3"],
        );
        assert_eq!(lines, [Some(175)]);
        // A key with an escape is not spelled as read: no line, and no panic.
        let lockfile = parse(
            r#"{"lockfileVersion": 3, "packages": {"": {"name": "app"},
            "node_modules/\u0061": {"version": "1.0.0"},
            "node_modules/b": {"version": "1.0.0"}}}"#,
        )
        .unwrap();
        let lines: Vec<Option<u32>> = lockfile.packages.iter().map(|p| p.line).collect();
        // `a`, the root `app` (its `""` key), `b`.
        assert_eq!(lines, [None, Some(1), Some(3)]);
    }
}

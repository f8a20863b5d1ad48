//! `Cargo.lock`, versions 1 to 4, read without running cargo.
//!
//! Versions ([cargo's `ResolveVersion`](https://doc.rust-lang.org/cargo/reference/resolver.html)):
//! - **1**: no `version` key; checksums in `[metadata]`; every dependency written in full,
//!   `"name version (source)"`. Very old files also have a `[root]` table.
//! - **2**: no `version` key; checksums in each `[[package]]`; dependencies as short as
//!   unambiguous (`"name"`, `"name version"`, `"name version (source)"`).
//! - **3** (`version = 3`): as 2, with git sources encoded more precisely.
//! - **4** (`version = 4`): as 3, with URL-encoded git refs.
//!
//! Roots are the workspace members, read from the `Cargo.toml` beside the lockfile
//! (`[package]`, `[workspace] members` globs minus `exclude`, and path dependencies inside the
//! workspace, which cargo makes members too). The kinds of the members' own edges (normal,
//! dev, build, including `[target.'cfg(…)'.*]` tables, renamed and `workspace = true`
//! dependencies) come from their `Cargo.toml` files. Edges between non-member crates are
//! `normal`: a lockfile does not record that a registry crate's dependency is a build
//! dependency, and dev-dependencies of non-members are never in it.
//!
//! The exact mode ([`CargoMetadata`], module [`cargo_metadata`]) asks `cargo metadata` for what
//! the lockfile does not say: the kind of every edge (a registry crate's build dependencies
//! included), the platforms of target-specific edges (`[target.'cfg(windows)'.dependencies]`),
//! and which crates have a build script or are proc macros (they run at build time). The
//! lockfile stays the graph: packages, roots and edges are its own; only kinds, platforms and
//! build-time flags come from cargo, matched by name, version and source. An edge cargo does not
//! list keeps its lockfile kind. When cargo cannot tell, the lockfile alone is read and a warning
//! says why (an error when the mode is required).
//!
//! Not supported: virtual manifests outside the lockfile's directory (`package.workspace =
//! "../.."` pointing elsewhere), `[patch]`/`[replace]` sections (their effect is in the lockfile,
//! so the graph is right; only the manifest side is not read).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::cargo_metadata::{self, CargoMetadata};
use super::confine::normalize;
use super::lines::LineCounter;
use super::{Format, LockfileInput, LockfileParser, ParseError};
use crate::model::{BuildTime, DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `Cargo.lock` parser.
#[derive(Debug)]
pub(crate) struct CargoLock;

const SUPPORTED: &str = "1, 2, 3, 4";

/// What this parser reads.
pub(crate) const FORMAT: Format = Format {
    id: "cargo/cargo-lock",
    ecosystem: Ecosystem::Cargo,
    tool: "Cargo",
    files: &["Cargo.lock"],
    versions: "1, 2, 3, 4",
    accepted: SUPPORTED,
};

const CRATES_IO: [&str; 2] = [
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

#[derive(Deserialize)]
struct LockWire {
    version: Option<toml::Value>,
    #[serde(default)]
    package: Vec<PackageRaw>,
    root: Option<PackageRaw>,
    metadata: Option<toml::Table>,
}

/// A `[[package]]` as deserialized: its `name` spanned, for the line of the entry.
#[derive(Deserialize)]
struct PackageRaw {
    name: toml::Spanned<String>,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// A `[[package]]`, with the line of its `name`.
struct PackageWire {
    name: String,
    /// The 1-based line of `name = "…"`.
    line: Option<u32>,
    version: String,
    source: Option<String>,
    dependencies: Vec<String>,
}

impl LockfileParser for CargoLock {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        let wire: LockWire = toml::from_str(input.contents).map_err(|e| input.toml_error(&e))?;
        let version = detect_version(input, &wire)?;
        let mut lines = LineCounter::new(input.contents);
        let packages: Vec<PackageWire> = wire
            .package
            .into_iter()
            .chain(wire.root)
            .map(|raw| PackageWire {
                line: lines.line(raw.name.span().start),
                name: raw.name.into_inner(),
                version: raw.version,
                source: raw.source,
                dependencies: raw.dependencies,
            })
            .collect();
        for package in &packages {
            if package.name.is_empty() || package.version.is_empty() {
                return Err(input.invalid("a [[package]] has an empty `name` or `version`"));
            }
        }
        let mut builder = LockfileBuilder::new(Ecosystem::Cargo);
        let ids: Vec<PackageId> = packages
            .iter()
            .map(|package| builder.id(&package.name, &package.version))
            .collect();
        let by_name = index_by_name(&packages);

        let workspace = Workspace::read(input, &packages)?;
        if workspace.manifests.is_empty() {
            builder.warn(format!(
                "no Cargo.toml beside `{}`: roots are guessed from the path packages nothing depends on, and every edge is `normal`",
                input.path.display()
            ));
        }
        let members: BTreeSet<usize> = workspace.members.keys().copied().collect();
        for (i, package) in packages.iter().enumerate() {
            let source = if members.contains(&i) {
                Source::Workspace
            } else {
                source_of(package.source.as_deref())
            };
            builder.package_at(ids[i].clone(), source, package.line);
        }
        for &member in &members {
            builder.root(ids[member].clone());
        }

        let exact = exact_mode(input, &packages, &mut builder)?;
        if let Some(exact) = &exact {
            for (i, id) in ids.iter().enumerate() {
                builder.build_time(
                    id,
                    BuildTime {
                        build_script: exact.build_script[i],
                        proc_macro: exact.proc_macro[i],
                    },
                );
            }
        }
        for (i, package) in packages.iter().enumerate() {
            for dependency in &package.dependencies {
                let Some(target) = resolve(dependency, &packages, &by_name) else {
                    builder.warn(format!(
                        "`{}` depends on `{dependency}`, which is not in the lockfile",
                        ids[i]
                    ));
                    continue;
                };
                let exact_edge = exact
                    .as_ref()
                    .and_then(|exact| exact.edges.get(&(i, target)));
                if let Some((kind, platforms)) = exact_edge {
                    builder.edge(&ids[i], &ids[target], *kind);
                    if !platforms.is_empty() {
                        builder.platforms(&ids[i], &ids[target], platforms);
                    }
                    continue;
                }
                let kind = match workspace.members.get(&i) {
                    Some(manifest) => manifest.kind_of(&packages[target]),
                    None => DepKind::Normal,
                };
                builder.edge(&ids[i], &ids[target], kind);
            }
        }
        for warning in workspace.warnings {
            builder.warn(warning);
        }
        Ok(builder.finish(self.id(), version))
    }
}

/// Runs `cargo metadata` when [`ReadOptions::cargo`](super::ReadOptions) asks for it (module
/// [`cargo_metadata`](super::cargo_metadata)): `None` for the lockfile alone, with a warning
/// saying why when the exact mode was asked for and could not run, or an error when it was
/// required.
fn exact_mode(
    input: &LockfileInput<'_>,
    packages: &[PackageWire],
    builder: &mut LockfileBuilder,
) -> Result<Option<cargo_metadata::Exact>, ParseError> {
    let mode = input.options.cargo.mode;
    if mode == CargoMetadata::Off
        || (mode == CargoMetadata::Auto && !input.dir().join("Cargo.toml").is_file())
    {
        // Without a Cargo.toml, the lockfile alone is read and already warned about.
        return Ok(None);
    }
    let locked: Vec<cargo_metadata::Locked<'_>> = packages
        .iter()
        .map(|package| cargo_metadata::Locked {
            name: &package.name,
            version: &package.version,
            source: package.source.as_deref(),
        })
        .collect();
    let result = cargo_metadata::run(input)
        .and_then(|json| cargo_metadata::read(&json, &locked).map_err(cargo_metadata::Unavailable));
    match result {
        Ok(exact) => {
            for warning in &exact.warnings {
                builder.warn(warning.clone());
            }
            Ok(Some(exact))
        }
        Err(cargo_metadata::Unavailable(why)) if mode == CargoMetadata::Require => Err(input
            .manifest(
                Path::new("Cargo.toml"),
                format!("--cargo-metadata: exact edge kinds unavailable: {why}"),
            )),
        Err(cargo_metadata::Unavailable(why)) => {
            // A note, not a warning: nothing is wrong with the file, and on most machines
            // (a CI runner that never fetched every platform's crates) this is the usual case.
            builder.note(format!(
                "edge kinds from the lockfile alone (edges between registry crates are `normal`, build scripts and proc macros unknown): {why}"
            ));
            Ok(None)
        }
    }
}

fn detect_version(input: &LockfileInput<'_>, wire: &LockWire) -> Result<String, ParseError> {
    if let Some(version) = &wire.version {
        return match version.as_integer() {
            Some(3) => Ok("3".into()),
            Some(4) => Ok("4".into()),
            Some(other) => Err(input.unsupported(other, SUPPORTED)),
            None => Err(input.invalid(format!("`version` must be an integer, found `{version}`"))),
        };
    }
    let v1_metadata = wire
        .metadata
        .as_ref()
        .is_some_and(|table| table.keys().any(|key| key.starts_with("checksum ")));
    if v1_metadata || wire.root.is_some() {
        return Ok("1".into());
    }
    let has_checksum = wire.package.iter().any(|p| p.checksum.is_some());
    let short_dependency = wire
        .package
        .iter()
        .flat_map(|p| &p.dependencies)
        .any(|d| !d.contains(' '));
    if has_checksum || short_dependency {
        return Ok("2".into());
    }
    let any_dependency = wire.package.iter().any(|p| !p.dependencies.is_empty());
    Ok(if any_dependency { "1" } else { "2" }.into())
}

fn index_by_name(packages: &[PackageWire]) -> HashMap<&str, Vec<usize>> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, package) in packages.iter().enumerate() {
        by_name.entry(package.name.as_str()).or_default().push(i);
    }
    by_name
}

/// Resolves `"name"`, `"name version"` or `"name version (source)"` to a package index.
fn resolve(
    dependency: &str,
    packages: &[PackageWire],
    by_name: &HashMap<&str, Vec<usize>>,
) -> Option<usize> {
    let mut parts = dependency.splitn(3, ' ');
    let name = parts.next()?;
    let version = parts.next();
    let source = parts
        .next()
        .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
    let candidates = by_name.get(name)?;
    let matching: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| version.is_none_or(|v| packages[i].version == v))
        .filter(|&i| source.is_none_or(|s| same_source(packages[i].source.as_deref(), s)))
        .collect();
    matching.first().copied()
}

/// v1 wrote sources in full while packages of later versions may carry a precise git `#sha`.
fn same_source(package: Option<&str>, wanted: &str) -> bool {
    match package {
        Some(source) => {
            source == wanted
                || source.split('#').next() == wanted.split('#').next()
                || (CRATES_IO.contains(&source) && CRATES_IO.contains(&wanted))
        }
        None => false,
    }
}

/// Whether a lockfile source and a `cargo metadata` source are one (both `None` for a path
/// package).
pub(super) fn same_source_opt(locked: Option<&str>, metadata: Option<&str>) -> bool {
    match (locked, metadata) {
        (None, None) => true,
        (locked, Some(metadata)) => same_source(locked, metadata),
        (Some(_), None) => false,
    }
}

fn source_of(source: Option<&str>) -> Source {
    let Some(source) = source else {
        return Source::Path(String::new());
    };
    if CRATES_IO.contains(&source) {
        return Source::Registry(None);
    }
    if let Some(url) = source
        .strip_prefix("registry+")
        .or_else(|| source.strip_prefix("sparse+"))
    {
        return Source::Registry(Some(url.to_string()));
    }
    if let Some(url) = source.strip_prefix("git+") {
        return Source::Git(url.to_string());
    }
    if let Some(path) = source.strip_prefix("path+") {
        return Source::Path(path.to_string());
    }
    Source::Unknown
}

/// The manifests of the workspace: member package index → its dependency declarations.
struct Workspace {
    manifests: Vec<PathBuf>,
    members: BTreeMap<usize, Manifest>,
    warnings: Vec<String>,
}

/// The dependency declarations of one member: real crate name → (kind, version requirement).
#[derive(Default)]
struct Manifest {
    declared: HashMap<String, Vec<(DepKind, Option<semver::VersionReq>)>>,
}

impl Manifest {
    fn kind_of(&self, target: &PackageWire) -> DepKind {
        let Some(declarations) = self.declared.get(&target.name) else {
            return DepKind::Normal;
        };
        let version = semver::Version::parse(&target.version).ok();
        let matching: Vec<DepKind> = declarations
            .iter()
            .filter(|(_, req)| match (req, &version) {
                (Some(req), Some(version)) => req.matches(version),
                _ => true,
            })
            .map(|(kind, _)| *kind)
            .collect();
        let pool: Vec<DepKind> = if matching.is_empty() {
            declarations.iter().map(|(kind, _)| *kind).collect()
        } else {
            matching
        };
        pool.into_iter().min().unwrap_or(DepKind::Normal)
    }
}

impl Workspace {
    fn read(input: &LockfileInput<'_>, packages: &[PackageWire]) -> Result<Self, ParseError> {
        let mut workspace = Workspace {
            manifests: Vec::new(),
            members: BTreeMap::new(),
            warnings: Vec::new(),
        };
        let root_path = PathBuf::from("Cargo.toml");
        let Some(root) = read_manifest(input, &root_path)? else {
            workspace.guess_members(packages);
            return Ok(workspace);
        };
        let inherited = root
            .get("workspace")
            .and_then(|w| w.get("dependencies"))
            .and_then(toml::Value::as_table)
            .cloned()
            .unwrap_or_default();
        let list = |keys: &[&str]| {
            string_list(&root, keys).map_err(|problem| input.manifest(&root_path, problem))
        };
        let excluded: Vec<PathBuf> = list(&["workspace", "exclude"])?
            .iter()
            .map(|s| normalize(Path::new(s)))
            .collect();

        let mut queue: Vec<PathBuf> = vec![PathBuf::new()];
        for pattern in list(&["workspace", "members"])? {
            if pattern.contains(['*', '?', '[']) {
                queue.extend(input.glob_dirs(&pattern));
                continue;
            }
            // A plain path: one member, confined (and warned about) once.
            match input.confine(Path::new(&pattern)) {
                Ok(dir) => queue.push(dir),
                Err(refusal) => workspace.warnings.push(format!(
                    "workspace member `{pattern}` {refusal}: it points outside the project, not read"
                )),
            }
        }
        let mut seen = BTreeSet::new();
        while let Some(dir) = queue.pop() {
            if !seen.insert(dir.clone()) || excluded.iter().any(|e| dir.starts_with(e)) {
                continue;
            }
            let manifest_path = dir.join("Cargo.toml");
            let manifest = if dir.as_os_str().is_empty() {
                Some(root.clone())
            } else {
                read_manifest(input, &manifest_path)?
            };
            let Some(manifest) = manifest else {
                workspace.warnings.push(format!(
                    "workspace member `{}` has no Cargo.toml",
                    input.dir().join(&dir).display()
                ));
                continue;
            };
            workspace.manifests.push(manifest_path.clone());
            let Some(name) = manifest
                .get("package")
                .and_then(|p| p.get("name"))
                .and_then(toml::Value::as_str)
            else {
                continue; // a virtual manifest
            };
            // Path dependencies inside the workspace directory are members too.
            for (_, spec) in dependency_tables(&manifest) {
                if let Some(path) = spec.get("path").and_then(toml::Value::as_str) {
                    // Outside the project (`..`, absolute, a symbolic link out): not a
                    // member, and never read.
                    if let Ok(target) = input.confine(&dir.join(path))
                        && !target.starts_with("..")
                    {
                        queue.push(target);
                    }
                }
            }
            let Some(index) = find_member(packages, name, &manifest) else {
                workspace.warnings.push(format!(
                    "workspace member `{name}` ({}) is not in the lockfile",
                    input.dir().join(&manifest_path).display()
                ));
                continue;
            };
            workspace
                .members
                .insert(index, declarations(&manifest, &inherited));
        }
        Ok(workspace)
    }

    /// Without manifests: the path packages nothing depends on (or every path package).
    fn guess_members(&mut self, packages: &[PackageWire]) {
        let depended: BTreeSet<&str> = packages
            .iter()
            .flat_map(|p| &p.dependencies)
            .filter_map(|d| d.split(' ').next())
            .collect();
        let local: Vec<usize> = (0..packages.len())
            .filter(|&i| packages[i].source.is_none())
            .collect();
        let top: Vec<usize> = local
            .iter()
            .copied()
            .filter(|&i| !depended.contains(packages[i].name.as_str()))
            .collect();
        for i in if top.is_empty() { local } else { top } {
            self.members.insert(i, Manifest::default());
        }
    }
}

fn read_manifest(
    input: &LockfileInput<'_>,
    path: &Path,
) -> Result<Option<toml::Table>, ParseError> {
    let Some(text) = input.read_beside(path)? else {
        return Ok(None);
    };
    text.parse::<toml::Table>()
        .map(Some)
        .map_err(|e| input.manifest(path, format!("invalid TOML: {}", e.message())))
}

fn find_member(packages: &[PackageWire], name: &str, manifest: &toml::Table) -> Option<usize> {
    let version = manifest
        .get("package")
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str);
    let local: Vec<usize> = (0..packages.len())
        .filter(|&i| packages[i].source.is_none() && packages[i].name == name)
        .collect();
    local
        .iter()
        .copied()
        .find(|&i| version.is_some_and(|v| packages[i].version == v))
        .or_else(|| local.first().copied())
}

fn string_list(table: &toml::Table, keys: &[&str]) -> Result<Vec<String>, String> {
    let mut current = table;
    for (n, key) in keys.iter().enumerate() {
        let Some(next) = current.get(*key) else {
            return Ok(Vec::new());
        };
        if n + 1 == keys.len() {
            let not_strings = || format!("`{}` is not a list of strings", keys.join("."));
            return next
                .as_array()
                .ok_or_else(not_strings)?
                .iter()
                .map(|item| item.as_str().map(str::to_string).ok_or_else(not_strings))
                .collect();
        }
        match next.as_table() {
            Some(table) => current = table,
            None => return Err(format!("`{}` is not a table", keys[..=n].join("."))),
        }
    }
    Ok(Vec::new())
}

/// Every `(kind, name → spec)` dependency table of a manifest, target-specific ones included.
fn dependency_tables(manifest: &toml::Table) -> Vec<(DepKind, toml::Table)> {
    const SECTIONS: [(&str, DepKind); 5] = [
        ("dependencies", DepKind::Normal),
        ("build-dependencies", DepKind::Build),
        ("build_dependencies", DepKind::Build),
        ("dev-dependencies", DepKind::Dev),
        ("dev_dependencies", DepKind::Dev),
    ];
    let mut scopes: Vec<&toml::Table> = vec![manifest];
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        scopes.extend(targets.values().filter_map(toml::Value::as_table));
    }
    let mut tables = Vec::new();
    for scope in scopes {
        for (section, kind) in SECTIONS {
            if let Some(table) = scope.get(section).and_then(toml::Value::as_table) {
                for (name, spec) in table {
                    tables.push((kind, with_key(name.clone(), spec.clone())));
                }
            }
        }
    }
    tables
}

/// Keeps the dependency key next to its spec: `serde = "1"` → `{key = "serde", version = "1"}`.
fn with_key(key: String, spec: toml::Value) -> toml::Table {
    let mut table = match spec {
        toml::Value::Table(table) => table,
        toml::Value::String(version) => {
            let mut table = toml::Table::new();
            table.insert("version".into(), toml::Value::String(version));
            table
        }
        _ => toml::Table::new(),
    };
    table.insert("__key".into(), toml::Value::String(key));
    table
}

fn declarations(manifest: &toml::Table, inherited: &toml::Table) -> Manifest {
    let mut result = Manifest::default();
    for (kind, spec) in dependency_tables(manifest) {
        let key = spec
            .get("__key")
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_string();
        let from_workspace = spec.get("workspace").and_then(toml::Value::as_bool) == Some(true);
        let base = if from_workspace {
            inherited
                .get(&key)
                .cloned()
                .map(|value| with_key(key.clone(), value))
                .unwrap_or_default()
        } else {
            toml::Table::new()
        };
        let field = |name: &str| {
            spec.get(name)
                .or_else(|| base.get(name))
                .and_then(toml::Value::as_str)
                .map(str::to_string)
        };
        let real = field("package").unwrap_or_else(|| key.clone());
        let requirement = field("version").and_then(|v| semver::VersionReq::parse(&v).ok());
        result
            .declared
            .entry(real)
            .or_default()
            .push((kind, requirement));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::test_support::fixture_lines;
    use crate::lockfile::test_support::parse_with;

    fn parse(contents: &str) -> Result<Lockfile, ParseError> {
        parse_with(
            &CargoLock,
            Path::new("/nonexistent-dir/Cargo.lock"),
            contents,
        )
    }

    #[test]
    fn detects_versions() {
        let v4 = "version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n";
        assert_eq!(parse(v4).unwrap().format_version, "4");
        let v2 = "[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"b\"]\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"00\"\n";
        assert_eq!(parse(v2).unwrap().format_version, "2");
        let v1 = "[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\"]\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n[metadata]\n\"checksum b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"00\"\n";
        let lockfile = parse(v1).unwrap();
        assert_eq!(lockfile.format_version, "1");
        assert_eq!(lockfile.edges.len(), 1);
        assert_eq!(lockfile.roots[0].to_string(), "cargo:a@0.1.0");
    }

    #[test]
    fn refuses_unknown_versions_by_name() {
        let error = parse("version = 7\n").unwrap_err().to_string();
        assert!(
            error.contains("unsupported cargo/cargo-lock version `7`"),
            "{error}"
        );
        let error = parse("version = \"x\"\n").unwrap_err().to_string();
        assert!(error.contains("must be an integer"), "{error}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let error = parse("version = 4\n[[package]]\nname = \n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("at line 3"), "{error}");
        let error = parse("[[package]]\nname = 3\nversion = \"1\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("Cargo.lock"), "{error}");
    }

    #[test]
    fn members_outside_the_workspace_are_refused() {
        let dir = crate::lockfile::test_support::dir_with(&[
            (
                "ws/Cargo.toml",
                "[workspace]\nmembers = [\"/**\", \"../other\", \"/etc\", \"app\"]\n",
            ),
            (
                "ws/app/Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\nx = { path = \"/tmp/x\" }\n",
            ),
            (
                "other/Cargo.toml",
                "[package]\nname = \"other\"\nversion = \"0.1.0\"\n",
            ),
        ]);
        let lock = "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n[[package]]\nname = \"other\"\nversion = \"0.1.0\"\n";
        let lockfile = parse_with(&CargoLock, &dir.path().join("ws/Cargo.lock"), lock).unwrap();
        assert_eq!(lockfile.roots[0].to_string(), "cargo:app@0.1.0");
        let warnings = lockfile.warnings.join("\n");
        for expected in [
            "workspace pattern `/**` is absolute: it points outside the project, not expanded",
            "workspace member `../other` climbs out of the project",
            "workspace member `/etc` is absolute",
        ] {
            assert!(warnings.contains(expected), "{expected}\n{warnings}");
        }
        assert_eq!(lockfile.warnings.len(), 3, "{warnings}");
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }

    /// Each package's line is that of its `name`; two versions of one name each their own.
    #[test]
    fn packages_record_the_line_of_their_name() {
        let lines = fixture_lines(
            "fixtures/lockfiles/cargo/basic.v4/Cargo.lock",
            &["cargo:cc@1.11.3", "cargo:basic@0.1.0"],
        );
        assert_eq!(lines, [Some(22), Some(6)]);
        let lines = fixture_lines(
            "fixtures/lockfiles/cargo/big.v4/Cargo.lock",
            &["cargo:defmt@0.3.101", "cargo:defmt@1.2.0"],
        );
        assert_eq!(lines, [Some(2275), Some(2284)]);
        let lines = fixture_lines(
            "fixtures/lockfiles/cargo/basic.v1/Cargo.lock",
            &["cargo:cc@1.11.3"],
        );
        assert_eq!(lines, [Some(20)]);
    }
}

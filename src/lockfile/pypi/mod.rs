//! Python lockfiles (uv, Poetry, Pipenv, PDM, pip-compile) and what they share: PEP 503 names,
//! PEP 440 versions, PEP 508 requirements, `pyproject.toml` manifests, Poetry dependency specs,
//! index URLs, reading a TOML lockfile, picking among several locked versions of a name, and the
//! root of a project without a manifest.
//!
//! Names are normalized per [PEP 503](https://peps.python.org/pep-0503/#normalized-names),
//! versions per [PEP 440](https://peps.python.org/pep-0440/#normalization) (a version that does
//! not parse is kept as written).
//!
//! Environment markers ([`markers`]): uv.lock, poetry.lock and pdm.lock are universal locks,
//! for every platform and every Python of the project's `requires-python` range, so the graph
//! covers every platform and no marker is evaluated against one environment. What is decided,
//! for those three (uv.lock: top-level `requires-python`; pdm.lock: `[[metadata.targets]]
//! requires_python` or `[metadata] requires_python`; poetry.lock: `[metadata]
//! python-versions`; else the pyproject's `project.requires-python` or
//! `tool.poetry.dependencies.python`):
//! - a dependency whose marker can never hold within that Python range (with the declaring
//!   package's own marker, where the lockfile records one) is no edge: only
//!   `python_version` / `python_full_version` can make a marker impossible; platform markers
//!   never do;
//! - where a name is locked at several versions for different markers (a forked lock), an
//!   edge goes to the versions whose own markers (uv's `resolution-markers`, Poetry's
//!   `markers`, PDM's `marker`) can hold together with the edge's; when none can, to all of
//!   them, with a warning;
//! - a marker that does not parse (or that `pep508_rs` reads only in part) is unknown: it may
//!   hold, the edge is kept, and a warning says so.
//!
//! Pipfile.lock and requirements.txt pin each package with the marker under which it is
//! installed, and record no edges between packages: their markers are not decided (every
//! entry is a node).

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use serde::de::DeserializeOwned;

use super::{LockfileInput, ParseError};
use crate::model::{DepKind, LockfileBuilder, PackageId, Source};
use markers::Marker;

pub(crate) mod markers;
pub(crate) mod pdm_lock;
pub(crate) mod pipfile_lock;
pub(crate) mod poetry_lock;
pub(crate) mod requirements_txt;
pub(crate) mod uv_lock;

/// PyPI's simple index, at its address and its legacy one.
const PYPI_INDEXES: [&str; 2] = ["https://pypi.org/simple", "https://pypi.python.org/simple"];

pub(crate) use crate::model::normalize_pypi_name as normalize_name;

/// PEP 440 normal form (`1.0.0-RC1` → `1.0.0rc1`); kept as written when it does not parse.
pub(crate) fn normalize_version(version: &str) -> String {
    let version = version.trim();
    pep440_rs::Version::from_str(version)
        .map(|parsed| parsed.to_string())
        .unwrap_or_else(|_| version.to_string())
}

/// A PEP 508 requirement, reduced to what the graph needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyRequirement {
    /// Normalized name.
    pub(crate) name: String,
    /// Normalized extras requested.
    pub(crate) extras: Vec<String>,
    /// Version specifiers, when given.
    pub(crate) specifiers: Option<pep440_rs::VersionSpecifiers>,
    /// A direct URL, when given instead of specifiers.
    pub(crate) url: Option<String>,
    /// The environment marker after `;` (`true` when there is none).
    pub(crate) marker: Marker,
}

impl PyRequirement {
    /// Whether a version satisfies the specifiers (true when there are none or the version does
    /// not parse).
    pub(crate) fn allows(&self, version: &str) -> bool {
        match (&self.specifiers, pep440_rs::Version::from_str(version)) {
            (Some(specifiers), Ok(version)) => specifiers.contains(&version),
            _ => true,
        }
    }
}

/// Parses a PEP 508 requirement string (`requests[socks]>=2; python_version < "3.12"`).
pub(crate) fn parse_requirement(text: &str) -> Result<PyRequirement, String> {
    let text = text.trim();
    // pep508_rs 0.9.2 slices its input at byte offsets that can fall inside a multi-byte
    // character (found by `cargo fuzz`, twice). Names, versions and markers of real
    // requirements are ASCII; a direct reference to a non-ASCII path (`pkg @ file:///josé/…`)
    // is read by the callers' own `name @ url` handling.
    if !text.is_ascii() {
        return Err(
            "it holds characters outside ASCII, which no package name or version has".into(),
        );
    }
    // pep508_rs 0.9.2 panics on a name that ends in `.`, `-` or `_` followed by more text
    // (`markupsafe.==2.1`): its parser takes the name, then its own name check refuses it and
    // an `expect` fails. Found by `cargo fuzz` (fuzz/regressions/lockfile_requirements/);
    // refused here first with the message pep508_rs gives at the end of a line.
    if text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        let name_end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
            .unwrap_or(text.len());
        if let Some(last) = text[..name_end]
            .chars()
            .last()
            .filter(|c| matches!(c, '.' | '-' | '_'))
        {
            return Err(format!(
                "Package name must end with an alphanumeric character, not '{last}'"
            ));
        }
    }
    // The same for an extra (`pkg[extra_]`, `pkg[a_ , b]`): an extra is a run of name
    // characters, ended by `,`, `]`, whitespace (any Unicode whitespace) or the end.
    if let Some(rest) = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .map(|end| text[end..].trim_start())
        .and_then(|rest| rest.strip_prefix('['))
    {
        let inside = rest.split(']').next().unwrap_or(rest);
        let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
        let mut run_last = None;
        for c in inside.chars().chain(std::iter::once(',')) {
            if is_name(c) {
                run_last = Some(c);
                continue;
            }
            if let Some(last) = run_last.take()
                && matches!(last, '.' | '-' | '_')
                && (c == ',' || c.is_whitespace())
            {
                return Err(format!(
                    "Extra name must end with an alphanumeric character, not '{last}'"
                ));
            }
        }
    }
    // The marker is checked before pep508_rs sees it (see `markers`: its algebra lives behind
    // a process-wide lock that a panic would poison), then read again on its own, so that a
    // comparison pep508_rs ignores makes the marker unknown rather than narrower.
    let marker = match markers::requirement_marker_text(text) {
        Some((_, marker)) => {
            markers::check_marker_text(marker).map_err(|reason| format!("its marker: {reason}"))?;
            Some(marker)
        }
        None => None,
    };
    // And should pep508_rs panic on an input the checks above do not foresee, the line is an
    // error rather than the end of the scan.
    let parsed = std::panic::catch_unwind(|| pep508_rs::Requirement::from_str(text))
        .map_err(|_| "the PEP 508 parser failed on this requirement".to_string())?;
    // Only the message: the error's own `Display` underlines the input and panics on an
    // offset inside a multi-byte character (pep508_rs 0.9.2, found by `cargo fuzz`).
    let requirement: pep508_rs::Requirement = parsed.map_err(|e| {
        e.message
            .to_string()
            .lines()
            .next()
            .unwrap_or("invalid requirement")
            .to_string()
    })?;
    let (specifiers, url) = match requirement.version_or_url {
        Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) => (Some(specifiers), None),
        Some(pep508_rs::VersionOrUrl::Url(url)) => (None, Some(url.to_string())),
        None => (None, None),
    };
    Ok(PyRequirement {
        name: normalize_name(requirement.name.as_ref()),
        extras: requirement
            .extras
            .iter()
            .map(|extra| normalize_name(extra.as_ref()))
            .collect(),
        specifiers,
        url,
        marker: marker.map_or(Marker::TRUE, markers::parse_marker),
    })
}

/// One dependency a project declares in `pyproject.toml` (or Pipfile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyDeclared {
    /// Normalized name.
    pub(crate) name: String,
    /// Normalized extras requested.
    pub(crate) extras: Vec<String>,
    /// `normal` (main), `optional` (an extra of the project) or `dev` (any other group).
    pub(crate) kind: DepKind,
    /// The requirement as parsed, for matching among several locked versions.
    pub(crate) requirement: Option<PyRequirement>,
    /// Its environment marker (PEP 508, or a Poetry dependency's `markers`); `true` without.
    pub(crate) marker: Marker,
}

/// The parts of a `pyproject.toml` that shape the graph (PEP 621 `[project]`, PEP 735
/// `[dependency-groups]`, `[tool.poetry]`, `[tool.pdm]`, `[tool.uv]`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Pyproject {
    /// `project.name` or `tool.poetry.name`, normalized.
    pub(crate) name: Option<String>,
    /// `project.version` or `tool.poetry.version`, normalized.
    pub(crate) version: Option<String>,
    /// Every declared dependency.
    pub(crate) declared: Vec<PyDeclared>,
    /// `project.requires-python` (PEP 440 specifiers), as written.
    pub(crate) requires_python: Option<String>,
    /// `tool.poetry.dependencies.python` (a Poetry constraint), as written.
    pub(crate) poetry_python: Option<String>,
}

impl Pyproject {
    /// Parses the text of a `pyproject.toml`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("invalid TOML: {}", e.message().trim_end()))?;
        let get = |path: &[&str]| -> Option<&toml::Value> {
            let mut value = table.get(path[0])?;
            for key in &path[1..] {
                value = value.get(*key)?;
            }
            Some(value)
        };
        let string = |path: &[&str]| get(path).and_then(toml::Value::as_str).map(str::to_string);
        let mut project = Pyproject {
            name: string(&["project", "name"])
                .or_else(|| string(&["tool", "poetry", "name"]))
                .map(|name| normalize_name(&name)),
            version: string(&["project", "version"])
                .or_else(|| string(&["tool", "poetry", "version"]))
                .map(|version| normalize_version(&version)),
            declared: Vec::new(),
            requires_python: string(&["project", "requires-python"]),
            poetry_python: string(&["tool", "poetry", "dependencies", "python"]),
        };
        let pep508_list = |value: Option<&toml::Value>| -> Vec<String> {
            value
                .and_then(toml::Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(toml::Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        for text in pep508_list(get(&["project", "dependencies"])) {
            project.push_pep508(&text, DepKind::Normal);
        }
        if let Some(extras) =
            get(&["project", "optional-dependencies"]).and_then(toml::Value::as_table)
        {
            for list in extras.values() {
                for text in pep508_list(Some(list)) {
                    project.push_pep508(&text, DepKind::Optional);
                }
            }
        }
        // PEP 735 groups, and the older tool-specific dev-dependency lists.
        if let Some(groups) = get(&["dependency-groups"]).and_then(toml::Value::as_table) {
            for list in groups.values() {
                for text in pep508_list(Some(list)) {
                    project.push_pep508(&text, DepKind::Dev);
                }
            }
        }
        for text in pep508_list(get(&["tool", "uv", "dev-dependencies"])) {
            project.push_pep508(&text, DepKind::Dev);
        }
        if let Some(groups) =
            get(&["tool", "pdm", "dev-dependencies"]).and_then(toml::Value::as_table)
        {
            for list in groups.values() {
                for text in pep508_list(Some(list)) {
                    project.push_pep508(&text, DepKind::Dev);
                }
            }
        }
        // Poetry's own tables.
        if let Some(main) = get(&["tool", "poetry", "dependencies"]).and_then(toml::Value::as_table)
        {
            project.push_poetry(main, DepKind::Normal);
        }
        if let Some(dev) =
            get(&["tool", "poetry", "dev-dependencies"]).and_then(toml::Value::as_table)
        {
            project.push_poetry(dev, DepKind::Dev);
        }
        if let Some(groups) = get(&["tool", "poetry", "group"]).and_then(toml::Value::as_table) {
            for (group, body) in groups {
                if let Some(deps) = body.get("dependencies").and_then(toml::Value::as_table) {
                    let kind = if group == "main" {
                        DepKind::Normal
                    } else {
                        DepKind::Dev
                    };
                    project.push_poetry(deps, kind);
                }
            }
        }
        // `name[extra]` naming the project itself (PDM's and uv's way to include an extra in a
        // group or another extra) is no package: the extra's members are declared already.
        if let Some(name) = project.name.clone() {
            project.declared.retain(|declared| declared.name != name);
        }
        Ok(project)
    }

    fn push_pep508(&mut self, text: &str, kind: DepKind) {
        // `{include-group = "x"}` entries are tables, never strings: they are skipped by the
        // caller; their members are declared in their own group.
        if let Ok(requirement) = parse_requirement(text) {
            self.declared.push(PyDeclared {
                name: requirement.name.clone(),
                extras: requirement.extras.clone(),
                kind,
                marker: requirement.marker.clone(),
                requirement: Some(requirement),
            });
        }
    }

    fn push_poetry(&mut self, table: &toml::Table, kind: DepKind) {
        for (name, value) in table {
            if name.eq_ignore_ascii_case("python") {
                continue;
            }
            for spec in PoetrySpec::read(name, value) {
                self.declared.push(PyDeclared {
                    name: spec.name,
                    extras: spec.extras,
                    kind: if spec.optional && kind == DepKind::Normal {
                        DepKind::Optional
                    } else {
                        kind
                    },
                    requirement: None,
                    marker: spec
                        .markers
                        .as_deref()
                        .map_or(Marker::TRUE, markers::parse_marker),
                });
            }
        }
    }
}

/// One Poetry dependency spec, as `pyproject.toml` (`[tool.poetry.dependencies]` and groups) and
/// `poetry.lock` (`[package.dependencies]`) write them: `name = "constraint"`,
/// `name = { version, markers, extras, optional, … }`, or one table of an array of them (a
/// multiple-constraints dependency).
#[derive(Debug, Clone, Default)]
pub(crate) struct PoetrySpec {
    /// Normalized.
    pub(crate) name: String,
    pub(crate) constraint: Option<String>,
    pub(crate) markers: Option<String>,
    /// Normalized extras requested of the dependency.
    pub(crate) extras: Vec<String>,
    pub(crate) optional: bool,
}

impl PoetrySpec {
    /// The specs of one `name = …` entry: one, or one per table of an array.
    pub(crate) fn read(name: &str, value: &toml::Value) -> Vec<PoetrySpec> {
        let name = normalize_name(name);
        let tables: Vec<&toml::Value> = match value {
            toml::Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        tables
            .into_iter()
            .map(|table| PoetrySpec::of(&name, table))
            .collect()
    }

    fn of(name: &str, value: &toml::Value) -> PoetrySpec {
        let string = |key: &str| {
            value
                .get(key)
                .and_then(toml::Value::as_str)
                .map(str::to_string)
        };
        match value {
            toml::Value::String(constraint) => PoetrySpec {
                name: name.to_string(),
                constraint: Some(constraint.clone()),
                ..PoetrySpec::default()
            },
            _ => PoetrySpec {
                name: name.to_string(),
                constraint: string("version"),
                markers: string("markers"),
                extras: value
                    .get("extras")
                    .and_then(toml::Value::as_array)
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(toml::Value::as_str)
                            .map(normalize_name)
                            .collect()
                    })
                    .unwrap_or_default(),
                optional: value.get("optional").and_then(toml::Value::as_bool) == Some(true),
            },
        }
    }
}

/// The source of a package from an index URL: PyPI (either address, with or without a trailing
/// `/`) is the default registry, any other index a registry of its own.
pub(crate) fn index_source(url: &str) -> Source {
    if PYPI_INDEXES.contains(&url.trim_end_matches('/')) {
        Source::Registry(None)
    } else {
        Source::Registry(Some(url.to_string()))
    }
}

/// Reads a TOML lockfile into its wire type `W`. When the file does not fit, its version alone
/// is read (`P`) and checked first, so that an unknown format is refused by name rather than by
/// a schema error; otherwise the TOML error is reported.
pub(crate) fn read_toml<W: DeserializeOwned, P: DeserializeOwned, T>(
    input: &LockfileInput<'_>,
    check_version: impl FnOnce(&P) -> Result<T, ParseError>,
) -> Result<W, ParseError> {
    match toml::from_str(input.contents) {
        Ok(wire) => Ok(wire),
        Err(error) => {
            if let Ok(probe) = toml::from_str::<P>(input.contents) {
                check_version(&probe)?;
            }
            Err(input.toml_error(&error))
        }
    }
}

/// Of the locked packages of one name, those `allows` accepts; all of them when there is only
/// one, or when it accepts none (a requirement this parser does not read right loses no edge).
pub(crate) fn allowed_or_all<T: Clone>(locked: &[T], allows: impl Fn(&T) -> bool) -> Vec<T> {
    if locked.len() < 2 {
        return locked.to_vec();
    }
    let allowed: Vec<T> = locked.iter().filter(|item| allows(item)).cloned().collect();
    if allowed.is_empty() {
        locked.to_vec()
    } else {
        allowed
    }
}

/// Without a manifest: the root depends on every package whose name is not in `depended` (the
/// names some package depends on), with the kind given beside each package.
pub(crate) fn guess_root_edges<'a, N: Ord + Borrow<str>>(
    builder: &mut LockfileBuilder,
    root: &PackageId,
    depended: impl IntoIterator<Item = N>,
    packages: impl IntoIterator<Item = (&'a PackageId, DepKind)>,
) {
    let depended: BTreeSet<N> = depended.into_iter().collect();
    for (id, kind) in packages {
        if !depended.contains(id.name.as_str()) {
            builder.edge(root, id, kind);
        }
    }
}

/// Reads `pyproject.toml` beside the lockfile (or in `dir` relative to it); `Ok(None)` when
/// absent.
pub(crate) fn read_pyproject(
    input: &LockfileInput<'_>,
    dir: &Path,
) -> Result<Option<Pyproject>, ParseError> {
    let path = dir.join("pyproject.toml");
    let Some(text) = input.read_beside(&path)? else {
        return Ok(None);
    };
    Pyproject::parse(&text)
        .map(Some)
        .map_err(|message| input.manifest(&path, message))
}

/// The name of the lockfile's directory, normalized: the root of a project that declares none.
pub(crate) fn directory_project_name(input: &LockfileInput<'_>) -> String {
    normalize_name(&super::npm::directory_name(input, Path::new("")))
}

/// Groups declarations by name, for lookups.
pub(crate) fn by_name(declared: &[PyDeclared]) -> BTreeMap<&str, Vec<&PyDeclared>> {
    let mut map: BTreeMap<&str, Vec<&PyDeclared>> = BTreeMap::new();
    for item in declared {
        map.entry(item.name.as_str()).or_default().push(item);
    }
    map
}

/// The root of a lockfile that does not record its own project (Poetry, PDM): named and
/// versioned from the `pyproject.toml` beside the lockfile (`@0.0.0` without a version), else
/// after the lockfile's directory, with a warning. The pyproject is returned for its
/// declarations; `None` when there is none.
pub(crate) fn project_root(
    input: &LockfileInput<'_>,
    builder: &mut crate::model::LockfileBuilder,
) -> Result<(crate::model::PackageId, Option<Pyproject>), ParseError> {
    let project = read_pyproject(input, Path::new(""))?;
    let name = match project.as_ref().and_then(|p| p.name.clone()) {
        Some(name) => name,
        None => {
            let name = directory_project_name(input);
            builder.warn(match project {
                Some(_) => format!(
                    "`pyproject.toml` beside `{}` names no project: the root is named `{name}` after its directory",
                    input.path.display()
                ),
                // Used by poetry.lock and pdm.lock, which then guess the root's edges.
                None => format!(
                    "no `pyproject.toml` beside `{}`: the root is named `{name}` after its directory, its dependencies are guessed (the packages nothing else depends on) and whether each is for development comes from the lockfile's groups",
                    input.path.display()
                ),
            });
            name
        }
    };
    let version = project
        .as_ref()
        .and_then(|p| p.version.clone())
        .unwrap_or_else(|| "0.0.0".to_string());
    let id = builder.id(name, version);
    builder.root(id.clone());
    Ok((id, project))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions_normalize() {
        assert_eq!(normalize_name("Typing_Extensions"), "typing-extensions");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("a--_.b"), "a-b");
        assert_eq!(normalize_version("1.0.0-RC1"), "1.0.0rc1");
        assert_eq!(normalize_version("2.0"), "2.0");
        assert_eq!(normalize_version("not a version"), "not a version");
    }

    #[test]
    fn requirements_parse() {
        let requirement =
            parse_requirement("Requests[SOCKS] >=2.0 ; python_version < '3.12'").unwrap();
        assert_eq!(requirement.name, "requests");
        assert_eq!(requirement.extras, ["socks"]);
        assert!(requirement.allows("2.31.0"));
        assert!(!requirement.allows("1.0"));
        assert!(parse_requirement("???").is_err());
    }

    #[test]
    fn pyproject_declarations() {
        let project = Pyproject::parse(
            r#"
            [project]
            name = "My_App"
            version = "1.0"
            dependencies = ["requests[socks]>=2"]
            [project.optional-dependencies]
            fast = ["orjson"]
            [dependency-groups]
            dev = ["pytest", {include-group = "lint"}]
            lint = ["ruff"]
            [tool.poetry.group.docs.dependencies]
            sphinx = "^7"
            [tool.poetry.dependencies]
            python = "^3.9"
            click = {version = "^8", optional = true}
            "#,
        )
        .unwrap();
        assert_eq!(project.name.as_deref(), Some("my-app"));
        let kinds: Vec<(&str, DepKind)> = project
            .declared
            .iter()
            .map(|d| (d.name.as_str(), d.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("requests", DepKind::Normal),
                ("orjson", DepKind::Optional),
                ("pytest", DepKind::Dev),
                ("ruff", DepKind::Dev),
                ("click", DepKind::Optional),
                ("sphinx", DepKind::Dev),
            ]
        );
    }

    #[test]
    fn self_references_to_extras_are_not_dependencies() {
        let project = Pyproject::parse(
            r#"
            [project]
            name = "Tool"
            dependencies = ["click"]
            [project.optional-dependencies]
            fast = ["orjson"]
            all = ["tool[fast]"]
            [dependency-groups]
            test = ["Tool[fast]", "pytest"]
            "#,
        )
        .unwrap();
        let names: Vec<&str> = project.declared.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["click", "orjson", "pytest"]);
    }

    #[test]
    fn poetry_specs() {
        let table: toml::Table = toml::from_str(
            r#"
            a = "^1"
            b = { version = ">=2", markers = "os_name == 'nt'", extras = ["X_Y"], optional = true }
            C_D = [{ version = "<2", python = "<3.10" }, { version = ">=2" }]
            "#,
        )
        .unwrap();
        let specs: Vec<String> = ["a", "b", "C_D"]
            .into_iter()
            .flat_map(|name| PoetrySpec::read(name, &table[name]))
            .map(|s| {
                let (constraint, markers) = (s.constraint, s.markers);
                let (extras, optional) = (s.extras, s.optional);
                format!(
                    "{} {constraint:?} {markers:?} {extras:?} {optional}",
                    s.name
                )
            })
            .collect();
        assert_eq!(
            specs,
            [
                r#"a Some("^1") None [] false"#,
                r#"b Some(">=2") Some("os_name == 'nt'") ["x-y"] true"#,
                r#"c-d Some("<2") None [] false"#,
                r#"c-d Some(">=2") None [] false"#,
            ]
        );
    }

    #[test]
    fn index_urls() {
        assert_eq!(
            index_source("https://pypi.org/simple/"),
            Source::Registry(None)
        );
        assert_eq!(
            index_source("https://pypi.python.org/simple"),
            Source::Registry(None)
        );
        assert_eq!(
            index_source("https://mirror.example/simple/"),
            Source::Registry(Some("https://mirror.example/simple/".into()))
        );
    }

    #[test]
    fn toml_lockfiles_are_refused_by_version_first() {
        #[derive(serde::Deserialize)]
        struct Wire {
            #[expect(dead_code, reason = "only its shape matters")]
            version: u32,
            #[expect(dead_code, reason = "only its shape matters")]
            package: Vec<String>,
        }
        #[derive(serde::Deserialize)]
        struct Probe {
            version: u32,
        }
        let read = |contents: &str| {
            let input = LockfileInput::new(
                Path::new("x.lock"),
                contents,
                "pypi/x-lock",
                crate::lockfile::ReadOptions::default(),
            );
            read_toml::<Wire, Probe, ()>(&input, |probe| match probe.version {
                1 => Ok(()),
                other => Err(input.unsupported(other, "1")),
            })
            .map(|_| ())
            .map_err(|error| error.to_string())
        };
        assert_eq!(read("version = 1\npackage = []\n"), Ok(()));
        let error = read("version = 2\npackage = 3\n").unwrap_err();
        assert!(
            error.contains("unsupported pypi/x-lock version `2`"),
            "{error}"
        );
        let error = read("version = 1\npackage = 3\n").unwrap_err();
        assert!(error.contains("at line 2"), "{error}");
    }

    #[test]
    fn picks_and_guesses() {
        assert_eq!(allowed_or_all(&[1, 2, 3], |&n| n > 1), [2, 3]);
        assert_eq!(allowed_or_all(&[1, 2, 3], |_| false), [1, 2, 3]);
        assert_eq!(allowed_or_all(&[1], |_| false), [1]);
        assert!(allowed_or_all::<u8>(&[], |_| true).is_empty());

        let mut builder = LockfileBuilder::new(crate::model::Ecosystem::Pypi);
        let root = builder.id("root", "0.0.0");
        let a = builder.id("a", "1");
        let b = builder.id("b", "1");
        let c = builder.id("c", "1");
        let packages = [
            (&a, DepKind::Normal),
            (&b, DepKind::Dev),
            (&c, DepKind::Normal),
        ];
        guess_root_edges(&mut builder, &root, ["c"], packages);
        let edges = crate::lockfile::test_support::edges(&builder.finish("pypi/x-lock", "1"));
        assert_eq!(
            edges,
            [
                "pypi:root@0.0.0 -> pypi:a@1 normal",
                "pypi:root@0.0.0 -> pypi:b@1 dev"
            ]
        );
    }

    #[test]
    fn a_name_ending_in_punctuation_is_an_error_not_a_panic() {
        for text in [
            "markupsafe.==2.1",
            "six-==1.16.0",
            "a_ [x]",
            "b. ; python_version > '3'",
        ] {
            let error = parse_requirement(text).expect_err(text);
            assert!(
                error.contains("must end with an alphanumeric character"),
                "{text}: {error}"
            );
        }
        assert!(parse_requirement("zope.interface==6.0").is_ok());
        assert!(parse_requirement("six.").is_err());
        for text in [
            "jinja2[hon_ ]>=3",
            "a[b,c-]",
            "a [x.]==1",
            "inico[nfig.3.\u{c}2; python_version >= '3'",
        ] {
            let error = parse_requirement(text).expect_err(text);
            assert!(error.contains("Extra name must end"), "{text}: {error}");
        }
        assert!(parse_requirement("requests[socks, security]>=2").is_ok());
        // pep508_rs 0.9.2 overflows (a panic that poisons its marker algebra for the rest of
        // the process) on a 20-digit `python_version`, and overflows the stack on deep
        // parentheses: such markers are refused before it sees them.
        let deep = format!(
            "a; {}python_version < '3'{}",
            "(".repeat(50_000),
            ")".repeat(50_000)
        );
        for text in [
            "a; python_version > '3.18446744073709551615'",
            "a @ https://x.example/a.whl ; python_version <= '3.18446744073709551615'",
            deep.as_str(),
        ] {
            let error = parse_requirement(text).expect_err(&text[..40]);
            assert!(error.starts_with("its marker: "), "{error}");
        }
        let requirement = parse_requirement("a>=1; python_version < '3.8'").unwrap();
        assert!(requirement.marker.unknown().is_none());
        let requirement = parse_requirement("a; python_version < '3.x'").unwrap();
        assert!(requirement.marker.unknown().is_some());
        assert_eq!(parse_requirement("a").unwrap().marker, Marker::TRUE);
        let error = parse_requirement("r\u{49d7}==1 ; a").expect_err("non-ASCII");
        assert!(error.contains("outside ASCII"), "{error}");
    }
}

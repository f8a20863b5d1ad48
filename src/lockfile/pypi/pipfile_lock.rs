//! `Pipfile.lock`, pipfile-spec 6, read with the `Pipfile` beside it, without running pipenv.
//!
//! Format: [Pipfile.lock](https://pipenv.pypa.io/en/latest/pipfile.html#pipfile-lock), JSON
//! written by `pipenv lock`. `_meta.pipfile-spec` is the format version; 6 is the only one
//! pipenv has written since 2018 and the only one read here. Other versions are refused by
//! name, and a file without `_meta` is refused.
//!
//! Read here:
//! - every section: `default` (`[packages]` of the Pipfile), `develop` (`[dev-packages]`) and
//!   every custom category (any top-level key besides `_meta`; pipenv writes one section per
//!   Pipfile category). One node per name and version;
//! - `version` (`"==1.2.3"`, `"===x"`) and `index` (a name from `_meta.sources`: the registry;
//!   without `index`, the first source, pipenv's primary index). `hashes`, `markers` and
//!   `extras` are not needed for the graph: markers are not evaluated, the graph covers every
//!   platform;
//! - VCS entries (`git`, and `hg`/`svn`/`bzr` with `ref`): a node with source git (other VCS:
//!   URL), version from `version`, else the `ref` (usually a commit hash);
//! - `file` and `path` entries: a node with source URL or path, version from `version`, else
//!   from the wheel or sdist file name or an `#egg=name-version` fragment;
//! - roots: one, the project, named after the lockfile's directory at `0.0.0`;
//! - edges: Pipfile.lock records none between packages. The project's own edges come from the
//!   `Pipfile` beside the lockfile: `[packages]` → `normal`, `[dev-packages]` and any other
//!   category table → `dev` (`[source]`, `[requires]`, `[scripts]` and `[pipenv]` are not
//!   dependencies). Packages the Pipfile does not name get no edge; their dev flag is the
//!   lockfile's: dev when they appear only in sections other than `default`. Without a
//!   `Pipfile`, every package of `default` is a `normal` dependency of the project and every
//!   package of another section a `dev` one.
//!
//! Warned about and skipped, as they have no `name@version`: entries whose `version` is `"*"`
//! or missing (pipenv writes them for requirements whose markers were false on the locking
//! machine, such as `sys_platform == 'win32'`) unless they are VCS/file/path entries with a
//! version known as above, local `path` entries without a version (`-e .`, the project
//! itself), and entries pinned with anything but `==`/`===`.
//!
//! Not supported: transitive edges (not in the file; the graph has one warning that says so),
//! Pipfile specs other than 6, environment variables in source URLs (kept as written).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::requirements_txt::version_from_url;
use super::{index_source, normalize_name, normalize_version};
use crate::lockfile::lines::json_entry_lines;
use crate::lockfile::{Format, LockfileInput, LockfileParser, ParseError};
use crate::model::{DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `pypi/pipfile-lock` parser.
#[derive(Debug)]
pub(crate) struct PipfileLock;

const SUPPORTED: &str = "6";

/// What this parser reads.
pub(crate) const FORMAT: Format = Format {
    id: "pypi/pipfile-lock",
    ecosystem: Ecosystem::Pypi,
    tool: "Pipenv",
    files: &["Pipfile.lock"],
    versions: "spec 6",
    accepted: SUPPORTED,
};

const DEFAULT_SECTION: &str = "default";
const DEVELOP_SECTION: &str = "develop";

/// Pipfile tables that are not package categories.
const NOT_CATEGORIES: [&str; 4] = ["source", "requires", "scripts", "pipenv"];

#[derive(Deserialize)]
struct MetaWire {
    #[serde(rename = "pipfile-spec")]
    pipfile_spec: Option<Value>,
    #[serde(default)]
    sources: Vec<SourceWire>,
}

#[derive(Deserialize)]
struct SourceWire {
    name: Option<String>,
    url: Option<String>,
}

/// One entry of a section. `hashes`, `markers` and `extras` are left to serde's default of
/// ignoring unknown keys: the graph does not use them.
#[derive(Deserialize)]
struct EntryWire {
    version: Option<String>,
    index: Option<String>,
    git: Option<String>,
    hg: Option<String>,
    svn: Option<String>,
    bzr: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    file: Option<String>,
    path: Option<String>,
    #[serde(default)]
    editable: bool,
}

impl LockfileParser for PipfileLock {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        let top: Map<String, Value> =
            serde_json::from_str(input.contents).map_err(|e| input.json_error(&e))?;
        let meta = top
            .get("_meta")
            .ok_or_else(|| input.invalid("missing `_meta` (not a Pipfile.lock?)"))?;
        let meta =
            MetaWire::deserialize(meta).map_err(|e| input.invalid(format!("`_meta`: {e}")))?;
        let version = detect_version(input, meta.pipfile_spec.as_ref())?;
        let sources = Sources::new(&meta.sources);

        let lines = json_entry_lines(input.contents);
        let mut builder = LockfileBuilder::new(Ecosystem::Pypi);
        let root = builder.id(super::directory_project_name(input), "0.0.0");
        builder.root(root.clone());

        // Section name → normalized package name → id.
        let mut sections: BTreeMap<String, BTreeMap<String, PackageId>> = BTreeMap::new();
        let mut skipped: BTreeSet<String> = BTreeSet::new();
        for (section, body) in &top {
            if section == "_meta" {
                continue;
            }
            let Some(body) = body.as_object() else {
                return Err(input.invalid(format!("section `{section}` is not an object")));
            };
            let locked = sections.entry(section.clone()).or_default();
            for (name, entry) in body {
                let entry = EntryWire::deserialize(entry)
                    .map_err(|e| input.invalid(format!("`{section}.{name}`: {e}")))?;
                let line = lines.get(&(section.as_str(), name.as_str())).copied();
                let name = normalize_name(name);
                match locate(&name, &entry, &sources) {
                    Ok((version, source)) => {
                        let id =
                            builder.package_at(builder.id(name.clone(), version), source, line);
                        builder.dev_hint(&id, section != DEFAULT_SECTION);
                        locked.insert(name, id);
                    }
                    Err(why) => {
                        builder.warn(format!(
                            "`{}`: `{name}` in section `{section}` skipped: {why}",
                            input.path.display()
                        ));
                        skipped.insert(name);
                    }
                }
            }
        }

        match read_pipfile(input)? {
            Some(categories) => {
                for (category, names) in &categories {
                    let (section, kind) = match category.as_str() {
                        "packages" => (DEFAULT_SECTION, DepKind::Normal),
                        "dev-packages" => (DEVELOP_SECTION, DepKind::Dev),
                        other => (other, DepKind::Dev),
                    };
                    for name in names {
                        let found = sections
                            .get(section)
                            .and_then(|locked| locked.get(name))
                            .or_else(|| sections.values().find_map(|locked| locked.get(name)));
                        match found {
                            Some(id) => builder.edge(&root, id, kind),
                            None if skipped.contains(name) => {}
                            None => builder.warn(format!(
                                "the Pipfile declares `{name}` in [{category}], but `{}` does not lock it",
                                input.path.display()
                            )),
                        }
                    }
                }
            }
            None => {
                builder.warn(format!(
                    "no Pipfile beside `{}`: every package of `default` is taken as a normal dependency of the project, every package of another section as a dev one",
                    input.path.display()
                ));
                for (section, locked) in &sections {
                    let kind = if section == DEFAULT_SECTION {
                        DepKind::Normal
                    } else {
                        DepKind::Dev
                    };
                    for id in locked.values() {
                        builder.edge(&root, id, kind);
                    }
                }
            }
        }
        builder.warn(
            "Pipfile.lock records no edges between packages: only the project's own dependencies are graphed, and the dev flag of the others is the lockfile's section",
        );
        Ok(builder.finish(self.id(), version))
    }
}

fn detect_version(input: &LockfileInput<'_>, spec: Option<&Value>) -> Result<String, ParseError> {
    match spec {
        None => Err(input.invalid("missing `_meta.pipfile-spec`")),
        Some(value) => match value.as_u64() {
            Some(6) => Ok("6".into()),
            Some(other) => Err(input.unsupported(other, SUPPORTED)),
            None => Err(input.unsupported(value, SUPPORTED)),
        },
    }
}

/// `_meta.sources`, by name.
struct Sources {
    by_name: BTreeMap<String, Source>,
    primary: Source,
}

impl Sources {
    fn new(sources: &[SourceWire]) -> Self {
        let by_name = sources
            .iter()
            .filter_map(|source| {
                let url = source.url.as_deref()?;
                Some((source.name.clone()?, index_source(url)))
            })
            .collect();
        let primary = sources
            .first()
            .and_then(|source| source.url.as_deref())
            .map_or(Source::Registry(None), index_source);
        Sources { by_name, primary }
    }

    fn get(&self, index: Option<&str>) -> Source {
        match index {
            None => self.primary.clone(),
            Some(name) => self.by_name.get(name).cloned().unwrap_or(Source::Unknown),
        }
    }
}

/// The version and source of one entry, or why it has no `name@version`.
fn locate(name: &str, entry: &EntryWire, sources: &Sources) -> Result<(String, Source), String> {
    let pinned = match entry.version.as_deref().map(str::trim) {
        None | Some("" | "*") => None,
        Some(version) => match pin(version) {
            Some(version) => Some(version),
            None => return Err(format!("`version` `{version}` is not an exact pin")),
        },
    };
    let vcs = [
        ("git", entry.git.as_deref()),
        ("hg", entry.hg.as_deref()),
        ("svn", entry.svn.as_deref()),
        ("bzr", entry.bzr.as_deref()),
    ]
    .into_iter()
    .find_map(|(scheme, url)| url.map(|url| (scheme, url)));
    if let Some((scheme, url)) = vcs {
        let location = match &entry.reference {
            Some(reference) => format!("{url}@{reference}"),
            None => url.to_string(),
        };
        let source = if scheme == "git" {
            Source::Git(location)
        } else {
            Source::Url(format!("{scheme}+{location}"))
        };
        let version = pinned.or_else(|| entry.reference.clone());
        return match version {
            Some(version) => Ok((version, source)),
            None => Err(format!(
                "a {scheme} dependency with neither `version` nor `ref`"
            )),
        };
    }
    if let Some(file) = &entry.file {
        let version = pinned.or_else(|| version_from_url(Some(name), file).map(|(_, v)| v));
        return match version {
            Some(version) => Ok((version, Source::Url(file.clone()))),
            None => Err(format!("no version for the file `{file}`")),
        };
    }
    if let Some(path) = &entry.path {
        let version = pinned.or_else(|| version_from_url(Some(name), path).map(|(_, v)| v));
        let editable = if entry.editable { "editable " } else { "" };
        return match version {
            Some(version) => Ok((version, Source::Path(path.clone()))),
            None => Err(format!("no version for the {editable}local path `{path}`")),
        };
    }
    match pinned {
        Some(version) => Ok((version, sources.get(entry.index.as_deref()))),
        None => Err(
            "no pinned version (`\"*\"` or none: pipenv locks no version for requirements whose markers were false when locking)"
                .to_string(),
        ),
    }
}

/// `==1.2.3` / `===1.2.3` → the normalized version; anything else is not a pin.
fn pin(version: &str) -> Option<String> {
    if let Some(exact) = version.strip_prefix("===") {
        return Some(exact.trim().to_string()).filter(|v| !v.is_empty());
    }
    let version = version.strip_prefix("==")?.trim();
    if version.is_empty() || version.contains(['*', ',', '<', '>', '!', '~', '=']) {
        return None;
    }
    Some(normalize_version(version))
}

/// The package categories of the `Pipfile` beside the lockfile (table name → normalized
/// package names), or `None` when there is no Pipfile.
fn read_pipfile(
    input: &LockfileInput<'_>,
) -> Result<Option<BTreeMap<String, Vec<String>>>, ParseError> {
    let path = Path::new("Pipfile");
    let Some(text) = input.read_beside(path)? else {
        return Ok(None);
    };
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        input.manifest(path, format!("invalid TOML: {}", e.message().trim_end()))
    })?;
    let mut categories = BTreeMap::new();
    for (key, value) in &table {
        if NOT_CATEGORIES.contains(&key.as_str()) {
            continue;
        }
        let Some(packages) = value.as_table() else {
            continue;
        };
        let names: Vec<String> = packages.keys().map(|name| normalize_name(name)).collect();
        categories.insert(key.clone(), names);
    }
    Ok(Some(categories))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::test_support::fixture_lines;
    use crate::lockfile::test_support::{edges, ids, parse_with};

    fn parse_in(dir: &Path, contents: &str) -> Result<Lockfile, ParseError> {
        parse_with(&PipfileLock, &dir.join("Pipfile.lock"), contents)
    }

    fn parse(contents: &str) -> Result<Lockfile, ParseError> {
        parse_in(Path::new("/nonexistent-dir/My_Project"), contents)
    }

    const LOCK: &str = r#"{
        "_meta": {
            "pipfile-spec": 6,
            "sources": [
                {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true},
                {"name": "corp", "url": "https://pypi.corp.example/simple/", "verify_ssl": true}
            ]
        },
        "default": {
            "Requests": {"hashes": ["sha256:00"], "extras": ["socks"], "index": "pypi", "version": "==2.31.0"},
            "urllib3": {"markers": "python_version >= '3.8'", "version": "==2.0.0"},
            "internal": {"index": "corp", "version": "==1.0"},
            "pywin32": {"markers": "sys_platform == 'win32'", "version": "*"},
            "mylib": {"git": "https://github.com/me/mylib.git", "ref": "0123abcd", "editable": true},
            "wheel-dep": {"file": "https://example.org/wheel_dep-3.1-py3-none-any.whl"},
            "myproject": {"editable": true, "path": "."}
        },
        "develop": {
            "pytest": {"version": "==8.0.0"},
            "urllib3": {"version": "==2.0.0"},
            "iniconfig": {"version": "==2.0.0"}
        },
        "docs": {
            "sphinx": {"version": "==7.0"}
        }
    }"#;

    #[test]
    fn without_a_pipfile_sections_become_edges() {
        let lockfile = parse(LOCK).unwrap();
        assert_eq!(lockfile.format_version, "6");
        assert_eq!(
            ids(&lockfile),
            [
                "pypi:iniconfig@2.0.0",
                "pypi:internal@1.0",
                "pypi:my-project@0.0.0",
                "pypi:mylib@0123abcd",
                "pypi:pytest@8.0.0",
                "pypi:requests@2.31.0",
                "pypi:sphinx@7.0",
                "pypi:urllib3@2.0.0",
                "pypi:wheel-dep@3.1",
            ]
        );
        assert_eq!(lockfile.roots[0].to_string(), "pypi:my-project@0.0.0");
        let edges = edges(&lockfile);
        assert!(edges.contains(&"pypi:my-project@0.0.0 -> pypi:requests@2.31.0 normal".into()));
        assert!(edges.contains(&"pypi:my-project@0.0.0 -> pypi:urllib3@2.0.0 normal".into()));
        assert!(edges.contains(&"pypi:my-project@0.0.0 -> pypi:sphinx@7.0 dev".into()));
        assert!(edges.contains(&"pypi:my-project@0.0.0 -> pypi:pytest@8.0.0 dev".into()));
        let source = |name: &str| {
            lockfile
                .packages
                .iter()
                .find(|package| package.id.name == name)
                .map(|package| package.source.clone())
                .unwrap()
        };
        assert_eq!(source("requests"), Source::Registry(None));
        assert_eq!(source("urllib3"), Source::Registry(None));
        assert_eq!(
            source("internal"),
            Source::Registry(Some("https://pypi.corp.example/simple/".into()))
        );
        assert_eq!(
            source("mylib"),
            Source::Git("https://github.com/me/mylib.git@0123abcd".into())
        );
        assert!(matches!(source("wheel-dep"), Source::Url(_)));
        let warnings = lockfile.warnings.join("\n");
        assert!(
            warnings.contains("`pywin32` in section `default` skipped"),
            "{warnings}"
        );
        assert!(
            warnings.contains("`myproject` in section `default` skipped"),
            "{warnings}"
        );
        assert!(warnings.contains("no Pipfile beside"), "{warnings}");
        assert!(
            warnings.contains("records no edges between packages"),
            "{warnings}"
        );
    }

    #[test]
    fn the_pipfile_gives_the_direct_edges_and_sections_the_dev_flag() {
        let dir = std::env::temp_dir().join(format!("deptrust-pipfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("Pipfile"),
            "[[source]]\nurl = \"https://pypi.org/simple\"\nname = \"pypi\"\n\n[packages]\nrequests = {version = \"*\", extras = [\"socks\"]}\npywin32 = {version = \"*\", markers = \"sys_platform == 'win32'\"}\nghost = \"*\"\n\n[dev-packages]\nPyTest = \"*\"\n\n[docs]\nSphinx = \"*\"\n\n[requires]\npython_version = \"3.11\"\n\n[scripts]\ntest = \"pytest\"\n",
        )
        .unwrap();
        let lockfile = parse_in(&dir, LOCK);
        std::fs::remove_dir_all(&dir).unwrap();
        let lockfile = lockfile.unwrap();
        let root = lockfile.roots[0].to_string();
        assert!(root.starts_with("pypi:deptrust-pipfile-"), "{root}");
        let edges: Vec<String> = edges(&lockfile)
            .into_iter()
            .map(|edge| edge.replace(&root, "root"))
            .collect();
        assert_eq!(
            edges,
            [
                "root -> pypi:pytest@8.0.0 dev",
                "root -> pypi:requests@2.31.0 normal",
                "root -> pypi:sphinx@7.0 dev",
            ]
        );
        let hint = |name: &str| {
            lockfile
                .packages
                .iter()
                .find(|package| package.id.name == name)
                .and_then(|package| package.dev_hint)
        };
        // urllib3 is in `default` and `develop`: not dev; iniconfig only in `develop`.
        assert_eq!(hint("urllib3"), Some(false));
        assert_eq!(hint("iniconfig"), Some(true));
        assert_eq!(hint("sphinx"), Some(true));
        let warnings = lockfile.warnings.join("\n");
        assert!(
            warnings.contains("declares `ghost` in [packages]"),
            "{warnings}"
        );
        // pywin32 is warned about once, where it is skipped.
        assert_eq!(warnings.matches("pywin32").count(), 1, "{warnings}");
        assert!(!warnings.contains("no Pipfile beside"), "{warnings}");
    }

    #[test]
    fn refuses_other_specs_by_name() {
        let error = parse(r#"{"_meta": {"pipfile-spec": 7}, "default": {}}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unsupported pypi/pipfile-lock version `7` (supported: 6)"),
            "{error}"
        );
        let error = parse(r#"{"_meta": {"pipfile-spec": "six"}}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("version `\"six\"`"), "{error}");
        let error = parse(r#"{"_meta": {}}"#).unwrap_err().to_string();
        assert!(error.contains("missing `_meta.pipfile-spec`"), "{error}");
        let error = parse(r#"{"default": {}}"#).unwrap_err().to_string();
        assert!(error.contains("missing `_meta`"), "{error}");
    }

    #[test]
    fn malformed_files_name_the_file_and_line() {
        let error = parse("{\n  \"_meta\": {\"pipfile-spec\": 6},\n  \"default\": {,}\n}")
            .unwrap_err()
            .to_string();
        assert!(error.contains("Pipfile.lock"), "{error}");
        assert!(error.contains("at line 3"), "{error}");
        let error = parse(r#"{"_meta": {"pipfile-spec": 6}, "default": {"a": {"version": 1}}}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("`default.a`"), "{error}");
        let error = parse(r#"{"_meta": {"pipfile-spec": 6}, "default": []}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("section `default` is not an object"),
            "{error}"
        );
    }

    #[test]
    fn pins_are_exact() {
        assert_eq!(pin("==1.0.0-RC1").as_deref(), Some("1.0.0rc1"));
        assert_eq!(pin("===custom").as_deref(), Some("custom"));
        assert_eq!(pin(">=1"), None);
        assert_eq!(pin("==1.*"), None);
        assert_eq!(pin("1.0"), None);
    }

    /// Each package's line is that of its key in its section, the first section's when two
    /// sections lock one version.
    #[test]
    fn packages_record_the_line_of_their_entry() {
        let lines = fixture_lines(
            "fixtures/lockfiles/pipfile/basic.v6/Pipfile.lock",
            &[
                "pypi:attrs@26.1.0",
                "pypi:charset-normalizer@3.5.3",
                "pypi:packaging@26.4",
                "pypi:iniconfig@2.3.1",
            ],
        );
        assert_eq!(lines, [Some(19), Some(34), Some(220), Some(268)]);
        let lines = fixture_lines(
            "fixtures/lockfiles/pipfile/categories.v6/Pipfile.lock",
            &["pypi:markupsafe@3.0.4"],
        );
        assert_eq!(lines, [Some(28)]);
    }
}

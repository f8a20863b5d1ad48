//! npm-ecosystem lockfiles (npm, yarn, pnpm) and what they share: `package.json` manifests,
//! workspace globs, `npm:` aliases and the registry of a tarball URL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{LockfileInput, ParseError};
use crate::model::DepKind;

pub(crate) mod package_lock;
pub(crate) mod pnpm_lock;
pub(crate) mod yarn_berry;
pub(crate) mod yarn_classic;

/// The parts of a `package.json` that shape the graph.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PackageJson {
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub(crate) version: Option<String>,
    #[serde(default, deserialize_with = "lenient_map")]
    pub(crate) dependencies: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "lenient_map")]
    pub(crate) dev_dependencies: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "lenient_map")]
    pub(crate) optional_dependencies: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "lenient_map")]
    pub(crate) peer_dependencies: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) peer_dependencies_meta: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub(crate) workspaces: Option<serde_json::Value>,
    /// Yarn's `resolutions` (`pattern: range`), read by the yarn berry parser.
    #[serde(default, deserialize_with = "lenient_map")]
    pub(crate) resolutions: BTreeMap<String, String>,
}

impl PackageJson {
    /// Every declared dependency with its kind; a name in several sections keeps the strongest
    /// (npm lets `optionalDependencies` override `dependencies`). Optional peers are included,
    /// marked by `optional_peer`.
    pub(crate) fn declared(&self) -> Vec<Declared> {
        let mut all: BTreeMap<&str, Declared> = BTreeMap::new();
        let sections = [
            (&self.peer_dependencies, DepKind::Peer),
            (&self.dev_dependencies, DepKind::Dev),
            (&self.dependencies, DepKind::Normal),
            (&self.optional_dependencies, DepKind::Optional),
        ];
        for (section, kind) in sections {
            for (name, range) in section {
                let optional_peer = kind == DepKind::Peer && self.peer_is_optional(name);
                all.insert(
                    name,
                    Declared {
                        name: name.clone(),
                        range: range.clone(),
                        kind,
                        optional_peer,
                    },
                );
            }
        }
        all.into_values().collect()
    }

    /// Whether `peerDependenciesMeta.<name>.optional` is true.
    pub(crate) fn peer_is_optional(&self, name: &str) -> bool {
        self.peer_dependencies_meta
            .get(name)
            .and_then(|meta| meta.get("optional"))
            .and_then(serde_json::Value::as_bool)
            == Some(true)
    }

    /// The workspace globs (`"workspaces": [...]` or `{"packages": [...]}`).
    pub(crate) fn workspace_globs(&self) -> Vec<String> {
        let list = match &self.workspaces {
            Some(serde_json::Value::Array(items)) => items.as_slice(),
            Some(serde_json::Value::Object(object)) => match object.get("packages") {
                Some(serde_json::Value::Array(items)) => items.as_slice(),
                _ => &[],
            },
            _ => &[],
        };
        list.iter()
            .filter_map(serde_json::Value::as_str)
            .map(str::to_string)
            .collect()
    }
}

/// One dependency declared in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declared {
    /// The name it is installed under (an alias name for `npm:` aliases).
    pub(crate) name: String,
    /// The range or specifier as written.
    pub(crate) range: String,
    /// The section it is declared in.
    pub(crate) kind: DepKind,
    /// An optional peer (missing is fine).
    pub(crate) optional_peer: bool,
}

/// A field that should be a string but may be anything in hand-written manifests.
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(value.as_str().map(str::to_string))
}

/// A name → range map whose odd entries (non-string ranges) are dropped rather than fatal.
fn lenient_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    let mut map = BTreeMap::new();
    if let serde_json::Value::Object(object) = value {
        for (name, range) in object {
            if let Some(range) = range.as_str() {
                map.insert(name, range.to_string());
            }
        }
    }
    Ok(map)
}

/// Reads `package.json` in a directory relative to the lockfile; `Ok(None)` when absent.
pub(crate) fn read_package_json(
    input: &LockfileInput<'_>,
    dir: &Path,
) -> Result<Option<PackageJson>, ParseError> {
    let path = dir.join("package.json");
    let Some(text) = input.read_beside(&path)? else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| input.manifest(&path, format!("invalid JSON at line {}: {e}", e.line())))
}

/// The root `package.json` and those of its workspace members, as (directory relative to the
/// lockfile, manifest); the root is first, with directory `""`.
pub(crate) fn workspace_manifests(
    input: &LockfileInput<'_>,
    extra_globs: &[String],
) -> Result<Vec<(PathBuf, PackageJson)>, ParseError> {
    let mut found = Vec::new();
    let Some(root) = read_package_json(input, Path::new(""))? else {
        return Ok(found);
    };
    let mut globs = root.workspace_globs();
    globs.extend(extra_globs.iter().cloned());
    found.push((PathBuf::new(), root));
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut excluded: Vec<PathBuf> = Vec::new();
    for pattern in globs {
        match pattern.strip_prefix('!') {
            Some(negated) => excluded.extend(input.glob_dirs(negated)),
            None => dirs.extend(input.glob_dirs(&pattern)),
        }
    }
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        if excluded.contains(&dir) || dir.as_os_str().is_empty() {
            continue;
        }
        if let Some(manifest) = read_package_json(input, &dir)? {
            found.push((dir, manifest));
        }
    }
    Ok(found)
}

/// The name of a directory (the last path component of the lockfile's directory), for roots
/// whose manifest declares no name.
pub(crate) fn directory_name(input: &LockfileInput<'_>, dir: &Path) -> String {
    let full = input.dir().join(dir);
    let absolute = std::path::absolute(&full).unwrap_or(full);
    absolute
        .components()
        .filter_map(|component| match component {
            std::path::Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .next_back()
        .unwrap_or("root")
        .to_string()
}

/// `npm:real@^1.0.0` → `("real", "^1.0.0")`; `npm:@scope/real@1` → `("@scope/real", "1")`;
/// `npm:real` → `("real", "*")`.
pub(crate) fn parse_alias(range: &str) -> Option<(&str, &str)> {
    let spec = range.strip_prefix("npm:")?;
    Some(split_name_version(spec).unwrap_or((spec, "*")))
}

/// `name@version` or `@scope/name@version` → (name, version), splitting at the `@` that is not
/// the scope's.
pub(crate) fn split_name_version(spec: &str) -> Option<(&str, &str)> {
    let search_from = usize::from(spec.starts_with('@'));
    let at = spec[search_from..].find('@')? + search_from;
    Some((&spec[..at], &spec[at + 1..]))
}

/// The hosts of the default registry: npm's own and yarn's mirror of it.
pub(crate) const DEFAULT_REGISTRY_HOSTS: [&str; 2] = ["registry.npmjs.org", "registry.yarnpkg.com"];

/// Whether a tarball URL is on the default registry: `https://` and one of
/// [`DEFAULT_REGISTRY_HOSTS`], whatever the path.
pub(crate) fn on_default_registry(url: &str) -> bool {
    url.strip_prefix("https://")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(host, _)| DEFAULT_REGISTRY_HOSTS.contains(&host))
}

/// The registry of a registry tarball of package `name` (a mirror or a private registry): what
/// precedes `/<name>/-/`, with its trailing `/`. `https://host/path/@s/a/-/a-1.0.0.tgz` →
/// `https://host/path/` for `@s/a`; `None` when the URL does not name the package that way.
/// Callers that meet `%2f`-encoded scoped names try that spelling of `name` too.
pub(crate) fn tarball_registry<'u>(url: &'u str, name: &str) -> Option<&'u str> {
    let index = url.find(&format!("/{name}/-/"))?;
    url.get(..=index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_names() {
        assert_eq!(parse_alias("npm:real@^1.0.0"), Some(("real", "^1.0.0")));
        assert_eq!(parse_alias("npm:@s/real@1"), Some(("@s/real", "1")));
        assert_eq!(parse_alias("npm:real"), Some(("real", "*")));
        assert_eq!(parse_alias("^1.0.0"), None);
        assert_eq!(split_name_version("@s/a@1.0.0"), Some(("@s/a", "1.0.0")));
        assert_eq!(
            split_name_version("a@1.0.0(b@2)"),
            Some(("a", "1.0.0(b@2)"))
        );
        assert_eq!(split_name_version("@s/a"), None);
    }

    #[test]
    fn declared_keeps_the_strongest_section() {
        let manifest: PackageJson = serde_json::from_str(
            r#"{"dependencies": {"a": "1", "b": "2"}, "devDependencies": {"a": "1", "c": 3},
                "optionalDependencies": {"b": "2"}, "peerDependencies": {"p": "*"},
                "peerDependenciesMeta": {"p": {"optional": true}}, "name": 5}"#,
        )
        .unwrap();
        let declared = manifest.declared();
        let kinds: Vec<(&str, DepKind, bool)> = declared
            .iter()
            .map(|d| (d.name.as_str(), d.kind, d.optional_peer))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", DepKind::Normal, false),
                ("b", DepKind::Optional, false),
                ("p", DepKind::Peer, true)
            ]
        );
        assert_eq!(manifest.name, None);
    }

    #[test]
    fn tarball_registries() {
        assert!(on_default_registry(
            "https://registry.npmjs.org/a/-/a-1.0.0.tgz"
        ));
        assert!(on_default_registry(
            "https://registry.yarnpkg.com/@s/a/-/a-1.0.0.tgz#sha"
        ));
        assert!(!on_default_registry(
            "http://registry.npmjs.org/a/-/a-1.0.0.tgz"
        ));
        assert!(!on_default_registry(
            "https://registry.npmjs.org.example.com/a"
        ));
        assert!(!on_default_registry("https://registry.npmjs.org"));
        assert!(!on_default_registry("registry.npmjs.org/a/-/a-1.0.0.tgz"));
        assert_eq!(
            tarball_registry("https://host/path/@s/a/-/a-1.0.0.tgz", "@s/a"),
            Some("https://host/path/")
        );
        assert_eq!(
            tarball_registry("https://host/a/-/a-1.0.0.tgz", "a"),
            Some("https://host/")
        );
        assert_eq!(
            tarball_registry("https://host/@s%2fa/-/a-1.0.0.tgz", "@s%2fa"),
            Some("https://host/")
        );
        assert_eq!(
            tarball_registry("https://host/@s%2fa/-/a-1.0.0.tgz", "@s/a"),
            None
        );
        assert_eq!(tarball_registry("https://host/b/-/b-1.0.0.tgz", "a"), None);
        assert_eq!(tarball_registry("https://host/a-1.0.0.tgz", "a"), None);
    }
}

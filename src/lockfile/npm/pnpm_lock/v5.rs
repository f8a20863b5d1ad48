//! What lockfile 5.x (pnpm 3 to 7) does differently from 6.x: importers map names to plain
//! version strings (beside a `specifiers` map), and dependency paths are `/name/1.0.0`,
//! `/@scope/name/1.0.0_@scope+peer@2.0.0` (pnpm's `dependency-path` of pnpm 7, read to learn
//! its rules: peers after the first `_` that follows the version, a scoped peer's `/` written
//! `+`, suffixes longer than 26 characters (32 in older pnpm) replaced by a base32 hash).

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::{DependencyWire, ImporterWire, LockWire, PackageWire};

/// The spelling pnpm 7 gives a 5.4 lockfile whose importers are written as in 6.x
/// (`{specifier, version}`, setting `use-inline-specifiers-lockfile-format`).
pub(super) const INLINE_SPECIFIERS: &str = "5.4-inlineSpecifiers";

/// A 5.x lockfile: as [`LockWire`], but importer dependencies are plain version strings.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LockWireV5 {
    /// As written: pnpm writes 5.x as a plain YAML scalar (`5.4`), read as its text.
    lockfile_version: Option<String>,
    importers: Option<BTreeMap<String, Option<ImporterWireV5>>>,
    /// Single-project files keep the project's dependencies at the top level.
    dependencies: Option<BTreeMap<String, String>>,
    dev_dependencies: Option<BTreeMap<String, String>>,
    optional_dependencies: Option<BTreeMap<String, String>>,
    packages: Option<HashMap<String, Option<PackageWire>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImporterWireV5 {
    dependencies: Option<BTreeMap<String, String>>,
    dev_dependencies: Option<BTreeMap<String, String>>,
    optional_dependencies: Option<BTreeMap<String, String>>,
}

impl LockWireV5 {
    /// The declared `lockfileVersion`.
    pub(super) fn version(&self) -> Option<String> {
        self.lockfile_version.clone()
    }

    /// The same lockfile in the shape the 6.x reader takes.
    pub(super) fn into_wire(self) -> LockWire {
        let lockfile_version = self.version();
        let importers = self.importers.map(|importers| {
            importers
                .into_iter()
                .map(|(path, importer)| {
                    let importer = importer.map(|importer| ImporterWire {
                        dependencies: section(importer.dependencies),
                        dev_dependencies: section(importer.dev_dependencies),
                        optional_dependencies: section(importer.optional_dependencies),
                    });
                    (path, importer)
                })
                .collect()
        });
        LockWire {
            lockfile_version,
            importers,
            dependencies: section(self.dependencies),
            dev_dependencies: section(self.dev_dependencies),
            optional_dependencies: section(self.optional_dependencies),
            packages: self.packages,
            snapshots: None,
        }
    }
}

fn section(
    dependencies: Option<BTreeMap<String, String>>,
) -> Option<BTreeMap<String, DependencyWire>> {
    dependencies.map(|dependencies| {
        dependencies
            .into_iter()
            .map(|(name, version)| (name, DependencyWire { version }))
            .collect()
    })
}

/// A registry dependency path of 5.x split as pnpm's `parse` splits it:
/// `[host]/[@scope/]name/version[_peers]` with a semver version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RegistryPath<'a> {
    /// The registry's host when it is not the default one (`registry.example.com/foo/1.0.0`).
    pub(super) host: Option<&'a str>,
    pub(super) name: &'a str,
    pub(super) version: &'a str,
    /// What follows the first `_` after the version: resolved peers (`react@18.2.0`,
    /// `@babel+core@7.23.9+react@18.2.0`), their hash, or a patch hash.
    pub(super) peers: Option<&'a str>,
}

/// Splits a registry dependency path; `None` for other paths (`file:` ids, tarball ids
/// `@host/path.tgz`, git ids `github.com/user/repo/commit`), whose entry records `name` and
/// `version`, and for anything whose version is not semver.
pub(super) fn parse_path(path: &str) -> Option<RegistryPath<'_>> {
    let (host, rest) = match path.strip_prefix('/') {
        Some(rest) => (None, rest),
        None => {
            let (host, rest) = path.split_once('/')?;
            // pnpm writes a registry's host with `:` as `+`; `file:` ids and `@`-prefixed
            // tarball ids are not registry paths.
            if host.is_empty() || host.starts_with('@') || host.contains(':') {
                return None;
            }
            (Some(host), rest)
        }
    };
    let name_len = if rest.starts_with('@') {
        let (scope, after) = rest.split_once('/')?;
        let (bare, _) = after.split_once('/')?;
        if scope.len() < 2 || bare.is_empty() {
            return None;
        }
        scope.len() + 1 + bare.len()
    } else {
        rest.find('/')?
    };
    let name = rest.get(..name_len).filter(|name| !name.is_empty())?;
    let version_and_peers = rest.get(name_len + 1..)?;
    let (version, peers) = match version_and_peers.split_once('_') {
        Some((version, peers)) => (version, Some(peers)),
        None => (version_and_peers, None),
    };
    semver::Version::parse(version).ok()?;
    Some(RegistryPath {
        host,
        name,
        version,
        peers,
    })
}

/// A dependency path without its peer suffix (`/a/1.0.0_b@2.0.0` → `/a/1.0.0`); other paths
/// unchanged (the peer variants of a non-registry package merge by their recorded name and
/// version instead).
pub(super) fn remove_peers(path: &str) -> &str {
    match parse_path(path).and_then(|parsed| parsed.peers) {
        Some(peers) => path
            .get(..path.len().saturating_sub(peers.len() + 1))
            .unwrap_or(path),
        None => path,
    }
}

/// The dependency path a 5.x version reference names, as pnpm 7's `refToRelative` resolves it:
/// `1.0.0_peer@2.0.0` → `/name/1.0.0_peer@2.0.0`; references with a `/` (aliases
/// `/real/1.0.0`, tarball, git and registry-host ids) and `file:` ids as written. `link:` is
/// handled by the caller.
pub(super) fn ref_to_path(reference: &str, alias: &str) -> String {
    if reference.starts_with("file:") {
        return reference.to_string();
    }
    let slash_before_paren = match reference.find('(') {
        Some(paren) => reference
            .get(..paren)
            .is_some_and(|head| head.contains('/')),
        None => reference.contains('/'),
    };
    if slash_before_paren {
        reference.to_string()
    } else {
        format!("/{alias}/{reference}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(path: &str) -> Option<(Option<&str>, &str, &str, Option<&str>)> {
        parse_path(path).map(|p| (p.host, p.name, p.version, p.peers))
    }

    #[test]
    fn registry_paths_split_like_pnpm() {
        assert_eq!(
            registry("/lodash/4.17.21"),
            Some((None, "lodash", "4.17.21", None))
        );
        assert_eq!(
            registry("/@babel/core/7.23.9"),
            Some((None, "@babel/core", "7.23.9", None))
        );
        assert_eq!(
            registry("/react-dom/18.2.0_react@18.2.0"),
            Some((None, "react-dom", "18.2.0", Some("react@18.2.0")))
        );
        // Scoped peers are written with `+` instead of `/`, several peers joined by `+`.
        assert_eq!(
            registry("/@babel/plugin-syntax-jsx/7.23.3_@babel+core@7.23.9"),
            Some((
                None,
                "@babel/plugin-syntax-jsx",
                "7.23.3",
                Some("@babel+core@7.23.9")
            ))
        );
        assert_eq!(
            registry("/ts-node/10.9.2_@types+node@20.0.0+typescript@5.0.0"),
            Some((
                None,
                "ts-node",
                "10.9.2",
                Some("@types+node@20.0.0+typescript@5.0.0")
            ))
        );
        // Long suffixes are a base32 hash.
        assert_eq!(
            registry("/react-redux/8.1.3_egguyi6kvemdtrnkbl3bdoeaey"),
            Some((
                None,
                "react-redux",
                "8.1.3",
                Some("egguyi6kvemdtrnkbl3bdoeaey")
            ))
        );
        // Underscores in names and prerelease versions are not suffixes.
        assert_eq!(
            registry("/lodash_fork/1.0.0-rc.1+build.5_x@1.0.0"),
            Some((None, "lodash_fork", "1.0.0-rc.1+build.5", Some("x@1.0.0")))
        );
        // A registry other than the default one, by host.
        assert_eq!(
            registry("registry.example.com/@s/a/1.0.0_b@2.0.0"),
            Some((
                Some("registry.example.com"),
                "@s/a",
                "1.0.0",
                Some("b@2.0.0")
            ))
        );
        assert_eq!(
            registry("localhost+4873/a/1.0.0"),
            Some((Some("localhost+4873"), "a", "1.0.0", None))
        );
    }

    #[test]
    fn other_paths_are_not_registry_paths() {
        for path in [
            "file:vendor/local-lib",
            "file:vendor/local-lib_react@18.2.0",
            "file:../x.tgz",
            "@registry.npmjs.org/is-positive/-/is-positive-1.0.0.tgz",
            "registry.npmjs.org/is-positive/-/is-positive-1.0.0.tgz",
            "github.com/kevva/is-negative/1d7e288222b53a0cab90a331f1865220ec29560c",
            "codeload.github.com/u/r/tar.gz/abc",
            "/a/not-semver",
            "/a/1.0",
            "/a/",
            "/a",
            "/@s/a",
            "/@/a/1.0.0",
            "/@s//1.0.0",
            "//1.0.0",
            "/",
            "",
            "_",
            "/a/1.0.0/extra",
            "/a/_1.0.0",
            "/a/1.0.0(react@18.2.0)",
            "/a@1.0.0",
            "a@1.0.0",
        ] {
            assert_eq!(parse_path(path), None, "{path}");
        }
    }

    #[test]
    fn peer_suffixes_are_removed_from_registry_paths_only() {
        assert_eq!(remove_peers("/a/1.0.0_b@2.0.0"), "/a/1.0.0");
        assert_eq!(
            remove_peers("/@s/a/1.0.0_@s+b@2.0.0+c@3.0.0"),
            "/@s/a/1.0.0"
        );
        assert_eq!(remove_peers("/a/1.0.0_"), "/a/1.0.0");
        assert_eq!(remove_peers("host/a/1.0.0_x"), "host/a/1.0.0");
        assert_eq!(remove_peers("/a/1.0.0"), "/a/1.0.0");
        assert_eq!(
            remove_peers("file:vendor/local-lib_react@18.2.0"),
            "file:vendor/local-lib_react@18.2.0"
        );
        assert_eq!(remove_peers("/é/1.0.0_ü"), "/é/1.0.0");
        assert_eq!(remove_peers("_"), "_");
    }

    #[test]
    fn references_resolve_like_ref_to_relative() {
        assert_eq!(ref_to_path("1.0.0", "a"), "/a/1.0.0");
        assert_eq!(
            ref_to_path("1.0.0_react@18.2.0", "a"),
            "/a/1.0.0_react@18.2.0"
        );
        assert_eq!(
            ref_to_path("7.23.3_@babel+core@7.23.9", "@babel/plugin-syntax-jsx"),
            "/@babel/plugin-syntax-jsx/7.23.3_@babel+core@7.23.9"
        );
        assert_eq!(
            ref_to_path("8.1.3_egguyi6kvemdtrnkbl3bdoeaey", "react-redux"),
            "/react-redux/8.1.3_egguyi6kvemdtrnkbl3bdoeaey"
        );
        // Aliases name the real package's path.
        assert_eq!(ref_to_path("/debug/2.6.9", "legacy-debug"), "/debug/2.6.9");
        assert_eq!(
            ref_to_path("/@s/real/1.0.0_p@1.0.0", "x"),
            "/@s/real/1.0.0_p@1.0.0"
        );
        assert_eq!(ref_to_path("file:vendor/x", "x"), "file:vendor/x");
        assert_eq!(
            ref_to_path(
                "@registry.npmjs.org/is-positive/-/is-positive-1.0.0.tgz",
                "p"
            ),
            "@registry.npmjs.org/is-positive/-/is-positive-1.0.0.tgz"
        );
        assert_eq!(
            ref_to_path("github.com/u/r/1d7e288", "r"),
            "github.com/u/r/1d7e288"
        );
        assert_eq!(
            ref_to_path("registry.example.com/a/1.0.0", "a"),
            "registry.example.com/a/1.0.0"
        );
        assert_eq!(ref_to_path("1.0.0(p@1.0.0/x)", "a"), "/a/1.0.0(p@1.0.0/x)");
        assert_eq!(ref_to_path("", "a"), "/a/");
    }
}

//! The trust ledger, `deptrust-ledger.toml`: the identities a team accepted for each package,
//! committed beside the lockfiles and reviewed in pull requests like them.
//!
//! ```toml
//! # deptrust trust ledger: the identities accepted for each package. …
//! version = 1
//!
//! [packages."pypi:requests"]
//! owners = ["pypi:user:graffatcolmingov", "pypi:user:nateprewitt"]
//! publishers = ["trusted-publisher:github:psf/requests"]
//! trusted-publishing = ["github psf/requests .github/workflows/publish.yml"]
//! ```
//!
//! One entry per package (`<ecosystem>:<name>`), sorted; every list sorted and deduplicated,
//! so a change shows as the lines it adds or removes. Identities are the registries' stable ids
//! (see [`crate::model::facts::Identity`]), never display names.
//!
//! `deptrust trust` writes it from what the registries say now (trust on first use): every
//! package of the lockfiles, or only the ones named. `scan` and `diff` read it: a package's
//! ledger owners stand for "the owners an earlier run saw", so `owners-changed` fires on an
//! ephemeral CI runner with an empty cache whenever the owners differ from what was accepted;
//! a reviewer accepts the change by updating the ledger in the same pull request. Packages the
//! ledger does not name fall back to the cache's earlier runs.
//!
//! Its `publishers` stand for the identities accepted to publish: `new-publisher` reports a
//! version in use published by a known identity outside them, whatever its age. Its
//! `trusted-publishing` builders work the same way for `publisher-identity-changed`: a version
//! in use built from another repository, or by another workflow, than every accepted builder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::facts::{Fact, Identity, IdentityKind, Owner, PackageFacts, Provenance};

/// The file name, looked for in the scanned directory.
pub const LEDGER_FILE: &str = "deptrust-ledger.toml";

pub use crate::model::facts::LEDGER_SOURCE;

/// The accepted identities of every package in the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// `<ecosystem>:<name>` → its entry.
    pub packages: BTreeMap<String, Entry>,
}

/// The accepted identities of one package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    /// Who may publish (owners, maintainers), by stable id.
    #[serde(default)]
    pub owners: BTreeSet<String>,
    /// Who published the accepted releases, by stable id.
    #[serde(default)]
    pub publishers: BTreeSet<String>,
    /// Trusted-publishing builders: `<provider> <repository> <workflow>`.
    #[serde(default)]
    pub trusted_publishing: BTreeSet<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct WireLedger {
    version: u32,
    #[serde(default)]
    packages: BTreeMap<String, Entry>,
}

/// Why the ledger could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// It could not be read.
    #[error("cannot read the trust ledger: {0}")]
    Read(#[source] crate::lockfile::ReadError),
    /// It is not a ledger of this version.
    #[error("{path}: not a deptrust trust ledger: {message}", path = .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its line when TOML says it.
        message: String,
    },
    /// It could not be written.
    #[error("cannot write the trust ledger `{}`: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl Ledger {
    /// Parses a ledger (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Ledger, LedgerError> {
        let invalid = |message: String| LedgerError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let wire: WireLedger =
            toml::from_str(text).map_err(|error| invalid(error.to_string().replace('\n', " ")))?;
        if wire.version != 1 {
            return Err(invalid(format!(
                "version {} (this deptrust reads version 1)",
                wire.version
            )));
        }
        for key in wire.packages.keys() {
            let valid = key.split_once(':').is_some_and(|(ecosystem, name)| {
                crate::model::Ecosystem::parse(ecosystem).is_some() && !name.is_empty()
            });
            if !valid {
                return Err(invalid(format!(
                    "package `{key}` is not `<ecosystem>:<name>` (cargo, npm, pypi)"
                )));
            }
        }
        Ok(Ledger {
            packages: wire.packages,
        })
    }

    /// Reads the ledger at `path`; `Ok(None)` when there is none.
    pub fn read(path: &Path, max_file_bytes: u64) -> Result<Option<Ledger>, LedgerError> {
        match crate::lockfile::read_bounded(path, max_file_bytes, None) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| LedgerError::Invalid {
                    path: path.to_path_buf(),
                    message: "not UTF-8 text".to_string(),
                })?;
                Ledger::parse(&text, path).map(Some)
            }
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(LedgerError::Read(error)),
        }
    }

    /// The file's text: a header, then one table per package, sorted.
    pub fn render(&self) -> String {
        let mut text = String::from(
            "# deptrust trust ledger: the identities accepted for each package (stable registry ids).\n\
             # `deptrust trust` writes it from what the registries say now; `deptrust scan` and\n\
             # `deptrust diff` report owners that differ from it (owners-changed). Review a change\n\
             # here like a change to the lockfile, and accept it by committing the updated ledger.\n\
             version = 1\n",
        );
        for (package, entry) in &self.packages {
            text.push('\n');
            text.push_str(&format!("[packages.{}]\n", toml_string(package)));
            for (key, values) in [
                ("owners", &entry.owners),
                ("publishers", &entry.publishers),
                ("trusted-publishing", &entry.trusted_publishing),
            ] {
                let list: Vec<String> = values.iter().map(|v| toml_string(v)).collect();
                text.push_str(&format!("{key} = [{}]\n", list.join(", ")));
            }
        }
        text
    }

    /// Writes the ledger to `path`.
    pub fn write(&self, path: &Path) -> Result<(), LedgerError> {
        std::fs::write(path, self.render()).map_err(|source| LedgerError::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Records what the registries say now about each package of `facts` (its owners, the
    /// publisher and trusted-publishing builder of the version in use), replacing its entry;
    /// with `only`, just those `<ecosystem>:<name>` keys. Owners, publishers or builders that
    /// are unknown leave that part of an existing entry as it was. Returns how many entries
    /// were written.
    pub fn accept(&mut self, facts: &[&PackageFacts], only: Option<&BTreeSet<String>>) -> usize {
        let mut written = BTreeSet::new();
        for package in facts {
            let key = format!("{}:{}", package.ecosystem, package.name);
            if only.is_some_and(|only| !only.contains(&key)) {
                continue;
            }
            let entry = self.packages.entry(key.clone()).or_default();
            if let Fact::Known(owners) = &package.owners {
                entry.owners = owners.iter().map(|o| o.identity.id.clone()).collect();
            }
            let release = package
                .releases
                .known()
                .and_then(|releases| releases.iter().find(|r| r.version == package.version));
            if let Some(release) = release {
                if let Fact::Known(Some(publisher)) = &release.publisher {
                    entry.publishers.insert(publisher.id.clone());
                }
                if let Fact::Known(Provenance::TrustedPublishing {
                    provider,
                    repository,
                    workflow,
                    ..
                }) = &release.provenance
                {
                    let builder = [
                        Some(provider.as_str()),
                        repository.as_deref(),
                        workflow.as_deref(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                    entry.trusted_publishing.insert(builder);
                }
            }
            written.insert(key);
        }
        written.len()
    }

    /// The ledger's owners as facts "an earlier run recorded", keyed `<ecosystem>:<name>` like
    /// [`crate::scan::evaluate`]'s `previous`.
    pub fn as_previous(&self) -> BTreeMap<String, PackageFacts> {
        self.packages
            .iter()
            .filter_map(|(key, entry)| {
                let (ecosystem, name) = key.split_once(':')?;
                let ecosystem = crate::model::Ecosystem::parse(ecosystem)?;
                let mut facts = crate::model::facts::PackageFacts::all_unknown(
                    &crate::model::PackageId::new(ecosystem, name, "ledger"),
                    crate::model::facts::Unknown::not_recorded("not in the trust ledger"),
                );
                facts.registry = LEDGER_SOURCE.to_string();
                // One stand-in release per accepted publisher: `new-publisher` compares the
                // version in use's publisher with them.
                facts.releases = Fact::Known(
                    entry
                        .publishers
                        .iter()
                        .map(|id| {
                            crate::model::facts::Release::new(
                                "ledger",
                                None,
                                Fact::Known(Some(identity_of(id))),
                                Fact::unknown_as(
                                    crate::model::facts::UnknownKind::NotRecorded,
                                    "not in the trust ledger",
                                ),
                            )
                        })
                        .chain(entry.trusted_publishing.iter().map(|builder| {
                            // `<provider> <repository> [<workflow>]`, as `accept` writes it.
                            let mut parts = builder.split_whitespace();
                            let provider = parts.next().unwrap_or_default().to_string();
                            let repository = parts.next().map(str::to_string);
                            let workflow = parts.next().map(str::to_string);
                            crate::model::facts::Release::new(
                                "ledger",
                                None,
                                Fact::Known(None),
                                Fact::Known(Provenance::TrustedPublishing {
                                    provider,
                                    repository,
                                    workflow,
                                    run: None,
                                    commit: None,
                                }),
                            )
                        }))
                        .collect(),
                );
                facts.owners = Fact::Known(
                    entry
                        .owners
                        .iter()
                        .map(|id| Owner {
                            identity: identity_of(id),
                            role: None,
                        })
                        .collect(),
                );
                Some((key.clone(), facts))
            })
            .collect()
    }
}

/// The ledger of a run: `deptrust-ledger.toml` in the first path given that is a directory (or
/// the directory of the first lockfile given), when it exists.
pub fn find(paths: &[PathBuf]) -> Option<PathBuf> {
    let first = paths.first()?;
    let dir = if first.is_dir() {
        first.clone()
    } else {
        first.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let path = if dir.as_os_str().is_empty() {
        PathBuf::from(LEDGER_FILE)
    } else {
        dir.join(LEDGER_FILE)
    };
    path.exists().then_some(path)
}

/// Why `deptrust trust` could not record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// A package named is not `<ecosystem>:<name>`.
    #[error("--package `{0}` is not `<ecosystem>:<name>` (cargo, npm, pypi)")]
    NotAPackage(String),
    /// A package named is not in the lockfiles.
    #[error("--package `{0}` is not a registry package of the lockfiles scanned")]
    NotInLockfiles(String),
    /// The scan failed.
    #[error(transparent)]
    Scan(#[from] super::scan::ScanRunError),
    /// The ledger could not be read or written.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What `deptrust trust` did.
#[derive(Debug)]
pub struct Trusted {
    /// The ledger file written.
    pub path: PathBuf,
    /// Entries written this run.
    pub written: usize,
    /// Entries in the ledger now.
    pub total: usize,
    /// The scan that gathered the facts (its errors: lockfiles that could not be read).
    pub outcome: super::scan::ScanOutcome,
}

/// `deptrust trust`: scans `request` (earlier runs' owners read, not recorded; no ledger read,
/// since it is what is being written), then records what the registries say now for every
/// registry package, or only `packages` (`<ecosystem>:<name>`), in the ledger of the paths
/// (created beside the lockfiles when there is none).
pub fn trust(
    request: &super::scan::ScanRequest<'_>,
    packages: &[String],
    observer: &dyn super::scan::Observer,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Trusted, TrustError> {
    for package in packages {
        let known = package.split_once(':').is_some_and(|(ecosystem, name)| {
            crate::model::Ecosystem::parse(ecosystem).is_some() && !name.is_empty()
        });
        if !known {
            return Err(TrustError::NotAPackage(package.clone()));
        }
    }
    let request = super::scan::ScanRequest {
        owners: super::gather::Owners::Read,
        ledger: None,
        baseline: None,
        history: None,
        ..request.clone()
    };
    let outcome = super::scan::run(&request, observer, env)?;
    let path = find(request.paths).unwrap_or_else(|| {
        let dir = match request.paths.first() {
            Some(first) if first.is_dir() => first.clone(),
            Some(first) => first.parent().map(Path::to_path_buf).unwrap_or_default(),
            None => PathBuf::new(),
        };
        dir.join(LEDGER_FILE)
    });
    let limit = request.read.max_file_bytes;
    let mut ledger = Ledger::read(&path, limit)?.unwrap_or_default();
    let only: Option<BTreeSet<String>> =
        (!packages.is_empty()).then(|| packages.iter().cloned().collect());
    let facts: Vec<&PackageFacts> = outcome.facts.values().collect();
    let written = ledger.accept(&facts, only.as_ref());
    if let Some(missing) = only
        .iter()
        .flatten()
        .find(|key| !ledger.packages.contains_key(*key))
    {
        return Err(TrustError::NotInLockfiles(missing.clone()));
    }
    ledger.write(&path)?;
    Ok(Trusted {
        path,
        written,
        total: ledger.packages.len(),
        outcome,
    })
}

/// An identity from its stable id: `npm:user:alice` shows as `alice`.
fn identity_of(id: &str) -> Identity {
    let kind = if id.contains(":team:") || id.contains(":org:") {
        IdentityKind::Team
    } else if id.starts_with("trusted-publisher:") {
        IdentityKind::TrustedPublisher
    } else {
        IdentityKind::User
    };
    Identity {
        id: id.to_string(),
        display: id.rsplit(':').next().unwrap_or(id).to_string(),
        kind,
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_sorted_and_parses_back() {
        let mut ledger = Ledger::default();
        ledger.packages.insert(
            "pypi:requests".into(),
            Entry {
                owners: ["pypi:user:b", "pypi:user:a"].map(String::from).into(),
                publishers: BTreeSet::new(),
                trusted_publishing: ["github psf/requests publish.yml".to_string()].into(),
            },
        );
        ledger
            .packages
            .insert("npm:left-pad".into(), Entry::default());
        let text = ledger.render();
        let npm = text.find("[packages.\"npm:left-pad\"]").expect("npm entry");
        let pypi = text
            .find("[packages.\"pypi:requests\"]")
            .expect("pypi entry");
        assert!(npm < pypi, "{text}");
        assert!(
            text.contains("owners = [\"pypi:user:a\", \"pypi:user:b\"]"),
            "{text}"
        );
        let parsed = Ledger::parse(&text, Path::new(LEDGER_FILE)).expect("parses");
        assert_eq!(parsed, ledger);
        assert_eq!(parsed.render(), text);
    }

    #[test]
    fn malformed_ledgers_are_named_errors() {
        for (text, expected) in [
            ("version = 2\n", "version 2"),
            (
                "version = 1\n[packages.\"left-pad\"]\n",
                "not `<ecosystem>:<name>`",
            ),
            (
                "version = 1\n[packages.\"npm:a\"]\nowner = []\n",
                "unknown field `owner`",
            ),
            ("nope", "deptrust-ledger.toml: not a deptrust trust ledger"),
        ] {
            let error = Ledger::parse(text, Path::new(LEDGER_FILE))
                .expect_err(text)
                .to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn owners_become_an_earlier_runs_record() {
        let ledger = Ledger::parse(
            "version = 1\n[packages.\"pypi:demo\"]\nowners = [\"pypi:user:alice\", \"pypi:org:psf\"]\n",
            Path::new(LEDGER_FILE),
        )
        .expect("parses");
        let previous = ledger.as_previous();
        let demo = &previous["pypi:demo"];
        assert_eq!(demo.registry, LEDGER_SOURCE);
        let owners = demo.owners.known().expect("known");
        assert_eq!(owners.len(), 2);
        assert_eq!(owners[0].identity.display, "psf");
        assert_eq!(owners[0].identity.kind, IdentityKind::Team);
    }
}

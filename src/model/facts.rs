//! The facts model: what the registries and source hosts say about a package, raw and without
//! judgement, the same shape for every ecosystem. Signals (a later layer) judge these facts.
//!
//! Every fact that a request could fail to establish is a [`Fact`]: known, or unknown with the
//! reason (a 404, a timeout, offline with nothing cached). An unknown fact is never a default
//! value: "no provenance" and "could not tell" are different facts.
//!
//! Stars, forks, watchers and download counts are deliberately absent: they are easy to game
//! and say nothing about who controls a package. Clients drop them when decoding.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use super::verification::Verification;

/// A fact, or why it could not be established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact<T> {
    /// Established.
    Known(T),
    /// Not established; the reason names the URL or source and what went wrong.
    Unknown(String),
}

impl<T> Fact<T> {
    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(value) => Some(value),
            Fact::Unknown(_) => None,
        }
    }

    /// Why it is unknown, when it is.
    pub fn unknown_reason(&self) -> Option<&str> {
        match self {
            Fact::Known(_) => None,
            Fact::Unknown(reason) => Some(reason),
        }
    }

    /// An unknown fact with a reason.
    pub fn unknown(reason: impl Into<String>) -> Self {
        Fact::Unknown(reason.into())
    }
}

/// Everything gathered about one package (a name in an ecosystem) and the version in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageFacts {
    /// The version in use (`<ecosystem>:<name>@<version>` in JSON).
    pub id: super::PackageId,
    /// Ecosystem (`cargo`, `npm`, `pypi` in JSON).
    pub ecosystem: super::Ecosystem,
    /// Package name.
    pub name: String,
    /// The version in use.
    pub version: String,
    /// The registry the facts come from (base URL).
    pub registry: String,
    /// Every release the registry lists, oldest first.
    pub releases: Fact<Vec<Release>>,
    /// Who can publish now: owners or maintainers with stable ids.
    pub owners: Fact<Vec<Owner>>,
    /// The repository the package declares (normalized URL), if any.
    pub repository: Fact<Option<String>>,
    /// What the source host says about that repository.
    pub repository_facts: Fact<RepositoryFacts>,
    /// Deprecated, archived, quarantined, yanked project as a whole.
    pub status: Fact<Status>,
    /// Install-time scripts of the version in use (npm `preinstall`, `install`,
    /// `postinstall`), name → command.
    pub install_scripts: Fact<BTreeMap<String, String>>,
    /// Problems that did not make a whole fact unknown (a skipped index line, an unreadable
    /// attestation), for the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What the version in use declares it depends on (name → requirement), from the
    /// registry's metadata: npm `dependencies`, `optionalDependencies` and `peerDependencies`;
    /// the crates.io index's `deps` other than dev ones (by package name); PyPI's
    /// `requires_dist` without extras, for the latest release only (the project document
    /// describes no other). `None` when the registry does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_dependencies: Option<BTreeMap<String, String>>,
}

/// One published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The version string as the registry writes it.
    pub version: String,
    /// When it was published (upload time of its first file for PyPI, `pubtime` or
    /// `created_at` for crates.io); `None` when the registry does not say.
    pub published: Option<Timestamp>,
    /// Who published it: known (`None` when the registry records nobody, as for very old
    /// versions) or unknown (the service that says could not be asked).
    pub publisher: Fact<Option<Identity>>,
    /// Yanked (or unpublished / deprecated-for-security by the registry's own mechanism).
    pub yanked: bool,
    /// The registry's yank reason, when given.
    pub yank_reason: Option<String>,
    /// Build provenance as the registry reports it (not verified here); unknown when the
    /// service that says could not be asked.
    pub provenance: Fact<Provenance>,
    /// Integrity digest of the artifact (`sha512-…` for npm, `sha256:<hex>` for crates and
    /// PyPI files), when the registry gives one.
    pub integrity: Option<String>,
    /// npm: the registry's signatures of `<name>@<version>:<integrity>` (keyid → signature).
    pub signatures: Vec<RegistrySignature>,
    /// npm: the version's own `maintainers` list (who could publish when it was published);
    /// `None` when the registry does not record it per version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainers: Option<Vec<Owner>>,
    /// npm: the repository this version declares (normalized); `None` when the registry does
    /// not record it per version or the version declares none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The files of the release with their digests and provenance addresses, for the
    /// releases whose attestations are verified per file (PyPI: the version in use).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<ReleaseFile>,
    /// What verifying the release's signatures and attestations established; `None` when the
    /// release was not looked at (only the version in use and the latest earlier attested
    /// release are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

/// One file of a release (PyPI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseFile {
    /// The distribution file name (`pkg-1.0-py3-none-any.whl`).
    pub filename: String,
    /// Hex SHA-256 the index gives.
    pub sha256: Option<String>,
    /// The Integrity API address of its provenance (PEP 740), when the index advertises one.
    pub provenance: Option<String>,
}

/// A registry signature over a release (npm `dist.signatures`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrySignature {
    /// Key id, e.g. `SHA256:DhQ8…`.
    pub keyid: String,
    /// Base64 DER ECDSA signature.
    pub sig: String,
}

/// An account or automated identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identity {
    /// Stable id within the registry: `npm:user:<name>`, `crates:user:<id>`,
    /// `crates:team:<id>`, `pypi:user:<name>`, `pypi:org:<slug>`,
    /// `trusted-publisher:github:<owner/repo>`.
    pub id: String,
    /// What to show (login, name).
    pub display: String,
    /// What kind of identity.
    pub kind: IdentityKind,
}

/// The kind of an [`Identity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    /// A person's account.
    User,
    /// A team or organization.
    Team,
    /// A CI workflow publishing through OIDC trusted publishing.
    TrustedPublisher,
}

/// What [`PackageFacts::registry`] says for owners that come from the trust ledger
/// (`deptrust-ledger.toml`) rather than from a registry, so that `owners-changed` names the
/// ledger as what they changed since.
pub const LEDGER_SOURCE: &str = "ledger:deptrust-ledger.toml";

/// Someone who can publish the package now.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Owner {
    /// Who.
    pub identity: Identity,
    /// Their role, when the registry says (`Owner`, `Maintainer`).
    pub role: Option<String>,
}

/// Provenance as the registry advertises it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Provenance {
    /// The registry advertises none.
    None,
    /// Attestations exist (npm `dist.attestations`, PyPI Integrity API provenance).
    Attested {
        /// Where to fetch them.
        url: Option<String>,
        /// The SLSA predicate type when advertised.
        predicate_type: Option<String>,
    },
    /// Published by OIDC trusted publishing (crates.io `trustpub_data`, npm
    /// `_npmUser.trustedPublisher`, PyPI attestation publisher).
    TrustedPublishing {
        /// `github`, `gitlab`, `google`.
        provider: String,
        /// `owner/repo` or project path, when given.
        repository: Option<String>,
        /// Workflow file or job, when given.
        workflow: Option<String>,
        /// The CI run or job that published (crates.io `run_id` / `job_id`), when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
        /// The commit it was built from (crates.io `sha`), when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        commit: Option<String>,
    },
}

/// What the source host says about a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryFacts {
    /// `github`.
    pub host: String,
    /// Numeric id, stable across renames and transfers.
    pub id: u64,
    /// `owner/name` now.
    pub full_name: String,
    /// Owner login now.
    pub owner: String,
    /// Archived by its owner.
    pub archived: bool,
    /// Disabled by the host.
    pub disabled: bool,
    /// Last push.
    pub pushed_at: Option<Timestamp>,
    /// Default branch.
    pub default_branch: Option<String>,
    /// The declared `owner/name` when the host redirected to another one (renamed or
    /// transferred).
    pub moved_from: Option<String>,
}

/// The state of the project as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Deprecation message of the version in use (npm `deprecated`), or the project's
    /// (PEP 792 `deprecated`).
    pub deprecated: Option<String>,
    /// PEP 792 `archived`.
    pub archived: bool,
    /// PEP 792 `quarantined` (the registry suspects malware).
    pub quarantined: bool,
    /// Every version yanked (crates.io `yanked`).
    pub all_yanked: bool,
    /// crates.io `trustpub_only`: the crate accepts only trusted-publishing uploads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_publishing_only: Option<bool>,
}
impl PackageFacts {
    /// Facts of a package nothing could be asked about: every fact unknown for `reason`.
    pub fn all_unknown(id: &super::PackageId, reason: &str) -> PackageFacts {
        PackageFacts {
            id: id.clone(),
            ecosystem: id.ecosystem,
            name: id.name.clone(),
            version: id.version.clone(),
            registry: String::new(),
            releases: Fact::unknown(reason),
            owners: Fact::unknown(reason),
            repository: Fact::unknown(reason),
            repository_facts: Fact::unknown(reason),
            status: Fact::<Status>::unknown(reason),
            install_scripts: Fact::unknown(reason),
            notes: Vec::new(),
            declared_dependencies: None,
        }
    }
}

/// A registry signing key (`/-/npm/v1/keys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NpmKey {
    /// `SHA256:…`, the OpenSSH fingerprint of the key; matches `dist.signatures[].keyid`.
    pub keyid: String,
    /// `ecdsa-sha2-nistp256`.
    pub keytype: String,
    /// `ecdsa-sha2-nistp256`.
    pub scheme: String,
    /// Base64 DER SubjectPublicKeyInfo.
    pub key: String,
    /// When the key stopped signing; signatures made before stay valid. `None`: current.
    pub expires: Option<Timestamp>,
}

//! What verification established about a release: the results `verify` computes and the
//! facts, signals and reports carry. Pure data; the checks themselves are in `crate::verify`.

use serde::{Deserialize, Serialize};

use super::facts::Unknown;

/// What verification established about one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Where and how the release was built, as far as it is proven.
    pub provenance: ProvenanceCheck,
    /// The registry's own signature over the release (npm).
    pub registry_signature: SignatureCheck,
    /// Each attestation checked, for the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<AttestationCheck>,
}

/// The provenance of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum ProvenanceCheck {
    /// Attestations verified against the trusted root and bound to this artifact.
    Verified {
        /// Who built it, from the signing certificate (and the signed statement).
        identity: Box<BuildIdentity>,
    },
    /// The registry says the release came from trusted publishing, without a signature to
    /// check (crates.io `trustpub_data`): weaker than verified, stronger than nothing.
    RegistryAsserted {
        /// `github`, `gitlab`.
        provider: String,
        /// `owner/repo` or project path.
        repository: Option<String>,
        /// The CI run or job id.
        run: Option<String>,
        /// The commit built.
        commit: Option<String>,
        /// The crate accepts only trusted-publishing uploads (crates.io `trustpub_only`).
        trusted_publishing_only: Option<bool>,
    },
    /// The registry advertises no provenance for the release.
    Absent,
    /// Provenance is advertised but does not verify.
    Invalid {
        /// What failed, naming the attestation.
        reason: String,
    },
    /// Could not be established (the document did not answer, the registry strips it).
    Unknown {
        /// Why: `reason` (the words), `kind` and, when a request failed, `url` (as in an
        /// unknown fact).
        #[serde(flatten)]
        reason: Unknown,
    },
}

/// The registry signature of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum SignatureCheck {
    /// A signature verified with this registry key.
    Verified {
        /// The key's id.
        keyid: String,
    },
    /// A signature is present and does not verify (bad signature, expired key).
    Invalid {
        /// What failed.
        reason: String,
    },
    /// The registry signs releases but this one carries no signature.
    Missing,
    /// No registry signature to check: the registry serves no keys, or the ecosystem has none.
    NotApplicable {
        /// Why.
        reason: String,
    },
    /// Could not be established (no key with the signature's id, keys did not answer).
    Unknown {
        /// Why: `reason` (the words), `kind` and, when a request failed, `url` (as in an
        /// unknown fact).
        #[serde(flatten)]
        reason: Unknown,
    },
}

/// Where a release was built, from a verified signing certificate and its signed statement.
/// Fields the certificate carries win over the statement's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildIdentity {
    /// OIDC issuer (`https://token.actions.githubusercontent.com`).
    pub issuer: Option<String>,
    /// The certificate's subject (SAN): the workflow URI or service account.
    pub subject: Option<String>,
    /// Source repository URI (`https://github.com/owner/repo`).
    pub repository: Option<String>,
    /// The host's numeric repository id: stable across renames and transfers.
    pub repository_id: Option<String>,
    /// The host's numeric id of the repository owner.
    pub repository_owner_id: Option<String>,
    /// Workflow file path in the repository (`.github/workflows/release.yml`).
    pub workflow: Option<String>,
    /// The ref the workflow ran at (`refs/tags/v1.0.1`).
    pub workflow_ref: Option<String>,
    /// The commit built.
    pub commit: Option<String>,
    /// The runner: `github-hosted`, `self-hosted`, or the builder id when no runner is named.
    pub builder: Option<String>,
    /// What triggered the build (`push`, `release`, `workflow_dispatch`).
    pub trigger: Option<String>,
    /// Deployment environment (`pypi`, `release`), when the build declared one.
    pub environment: Option<String>,
    /// The run that built it (a URL on GitHub).
    pub run: Option<String>,
    /// The provenance predicate type (`https://slsa.dev/provenance/v1`).
    pub predicate_type: Option<String>,
}

/// One attestation checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationCheck {
    /// What it attests: `provenance`, `publish`, or a PyPI file name.
    pub subject: String,
    /// Its predicate type, when readable.
    pub predicate_type: Option<String>,
    /// `None` when it verified, else why not.
    pub failure: Option<String>,
}

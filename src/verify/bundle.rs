//! One Sigstore bundle carrying a DSSE envelope with an in-toto statement, verified offline
//! with `sigstore-verify` against a trusted root: the Sigstore public-good root embedded in
//! the binary, or one read from a file (`--trusted-root`). What is checked (sigstore-verify
//! `Verifier::verify`): the signing time (Rekor integrated time through its signed entry
//! timestamp or inclusion proof, or RFC 3161 timestamps), the certificate chain to a Fulcio CA
//! valid at that time, its SCT, the issuer (when the caller demands one), the inclusion proof
//! and signed checkpoint, the DSSE signature, the consistency of the log entry with the bundle,
//! and that a subject of the statement carries the artifact's digest. Key-signed bundles (the
//! npm publish attestation) are checked with the caller's key instead of a certificate.
//!
//! After the cryptography, the statement is read here: its subjects, predicate type and
//! predicate, and the build identity from the certificate's Fulcio claims (OIDs
//! 1.3.6.1.4.1.57264.1.*, deprecated GitHub claims as a fallback for 2023 certificates), with
//! gaps filled from the SLSA predicate (v1 and v0.2). A statement that names another
//! repository than the certificate is invalid.
//!
//! Bundles v0.1, v0.2 and v0.3 are read (their media types decide what proof is required).
//! Not supported: several DSSE signatures, message-signature bundles (npm and PyPI use DSSE).

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigstore_verify::crypto::CertificateInfo;
use sigstore_verify::trust_root::{SIGSTORE_PRODUCTION_TRUSTED_ROOT, TrustedRoot};
use sigstore_verify::types::{
    ArtifactDigest, Bundle, DerPublicKey, DigestBytes, HashAlgorithm, SignatureContent,
};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy, Verifier};

use super::BuildIdentity;

/// A trusted root that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("trusted root `{label}`: {reason}")]
pub struct TrustRootError {
    /// Where it came from (a file path, or `embedded`).
    pub label: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A Sigstore trusted root, ready to verify.
pub struct TrustRoot {
    verifier: Verifier,
    /// SHA-256 (hex) of the root's JSON: results verified under another root are not reused.
    pub id: String,
    /// `embedded` or the file it was read from.
    pub label: String,
}

impl std::fmt::Debug for TrustRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustRoot")
            .field("id", &self.id)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl TrustRoot {
    /// The Sigstore public-good production root embedded in the binary.
    pub fn production() -> Result<TrustRoot, TrustRootError> {
        TrustRoot::from_json(SIGSTORE_PRODUCTION_TRUSTED_ROOT, "embedded")
    }

    /// A root from its JSON (`application/vnd.dev.sigstore.trustedroot+json;version=0.1`).
    pub fn from_json(text: &str, label: &str) -> Result<TrustRoot, TrustRootError> {
        let error = |reason: String| TrustRootError {
            label: label.to_string(),
            reason,
        };
        let root = TrustedRoot::from_json(text)
            .map_err(|e| error(format!("not a Sigstore trusted root: {e}")))?;
        let verifier = Verifier::new(&root).map_err(|e| error(e.to_string()))?;
        Ok(TrustRoot {
            verifier,
            id: sha256_hex(text.as_bytes()),
            label: label.to_string(),
        })
    }
}

/// Who must have signed.
#[derive(Debug, Clone, Copy)]
pub enum Signer<'a> {
    /// A Fulcio certificate, from any identity; `issuer` demands an OIDC issuer.
    Keyless {
        /// The OIDC issuer the certificate must name, when one is demanded.
        issuer: Option<&'a str>,
    },
    /// A managed key (DER SubjectPublicKeyInfo), as npm signs its publish attestations.
    Key(&'a [u8]),
}

/// The artifact a statement must be about.
#[derive(Debug, Clone, Copy)]
pub enum Digest<'a> {
    /// SHA-256 bytes (PyPI files).
    Sha256(&'a [u8]),
    /// SHA-512 bytes (npm tarballs).
    Sha512(&'a [u8]),
}

impl Digest<'_> {
    fn name(self) -> &'static str {
        match self {
            Digest::Sha256(_) => "sha256",
            Digest::Sha512(_) => "sha512",
        }
    }

    fn hex(self) -> String {
        let bytes = match self {
            Digest::Sha256(bytes) | Digest::Sha512(bytes) => bytes,
        };
        hex_string(bytes)
    }
}

/// One subject of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Its name (a purl for npm, a file name for PyPI).
    pub name: String,
    /// Algorithm → hex digest.
    pub digest: BTreeMap<String, String>,
}

/// What a verified bundle says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    /// The statement's predicate type.
    pub predicate_type: String,
    /// The statement's subjects.
    pub subjects: Vec<Subject>,
    /// The predicate (for the npm publish attestation: name, version, registry).
    pub predicate: Value,
    /// Who built it, for certificate-signed bundles.
    pub identity: Option<BuildIdentity>,
    /// When the transparency log recorded it, when verified.
    pub integrated_time: Option<Timestamp>,
}

impl Verified {
    /// Whether a subject has this name and this digest.
    pub fn names(&self, name: &str, digest: Digest<'_>) -> bool {
        let hex = digest.hex();
        self.subjects.iter().any(|subject| {
            subject.name == name
                && subject
                    .digest
                    .get(digest.name())
                    .is_some_and(|found| found.eq_ignore_ascii_case(&hex))
        })
    }
}

/// Whether `bundle` decodes as a Sigstore bundle (v0.1–v0.3): a bundle that does not is a
/// document of the wrong shape (unknown), not a bundle that fails verification (invalid).
pub fn check_shape(bundle: &Value) -> Result<(), String> {
    Bundle::deserialize(bundle)
        .map(drop)
        .map_err(|error| format!("not a Sigstore bundle: {}", short(&error.to_string())))
}

/// Verifies a DSSE bundle over `digest` for `signer` and reads its statement. The error is a
/// sentence for the user (it names what failed, never the bundle's bytes).
pub fn verify_dsse(
    root: &TrustRoot,
    bundle: &Value,
    digest: Digest<'_>,
    signer: Signer<'_>,
) -> Result<Verified, String> {
    let parsed: Bundle = Bundle::deserialize(bundle)
        .map_err(|error| format!("not a Sigstore bundle: {}", short(&error.to_string())))?;
    let SignatureContent::DsseEnvelope(envelope) = &parsed.content else {
        return Err("the bundle signs a message, not an in-toto statement".into());
    };
    if envelope.payload_type != "application/vnd.in-toto+json" {
        return Err(format!(
            "the envelope carries `{}`, not an in-toto statement",
            short(&envelope.payload_type)
        ));
    }
    let artifact = match digest {
        Digest::Sha256(bytes) => {
            ArtifactDigest::new(HashAlgorithm::Sha2256, DigestBytes::new(bytes.to_vec()))
        }
        Digest::Sha512(bytes) => {
            ArtifactDigest::new(HashAlgorithm::Sha2512, DigestBytes::new(bytes.to_vec()))
        }
    }
    .map_err(|error| format!("the artifact digest is unusable: {error}"))?;

    // The verifier is not expected to panic on hostile input; if it ever does, the bundle is
    // invalid rather than the run lost.
    let outcome = catch_unwind(AssertUnwindSafe(|| match signer {
        Signer::Keyless { issuer } => {
            let mut policy = VerificationPolicy::any_identity();
            if let Some(issuer) = issuer {
                policy = policy.require_issuer(issuer);
            }
            root.verifier.verify(artifact.clone(), &parsed, &policy)
        }
        Signer::Key(der) => {
            let policy = PublicKeyVerificationPolicy::new(DerPublicKey::new(der.to_vec()));
            root.verifier.verify(artifact.clone(), &parsed, &policy)
        }
    }));
    let result = match outcome {
        Ok(Ok(result)) => result,
        Ok(Err(error)) => return Err(short(&error.to_string())),
        Err(_) => return Err("the verifier failed on this bundle".into()),
    };

    let statement: Value = serde_json::from_slice(envelope.payload.as_bytes())
        .map_err(|error| format!("the signed payload is not JSON: {error}"))?;
    let predicate_type = statement
        .get("predicateType")
        .and_then(Value::as_str)
        .ok_or("the statement has no `predicateType`")?
        .to_string();
    let subjects = statement
        .get("subject")
        .and_then(Value::as_array)
        .ok_or("the statement has no `subject` list")?
        .iter()
        .map(|subject| Subject {
            name: subject
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            digest: subject
                .get("digest")
                .and_then(Value::as_object)
                .map(|digests| {
                    digests
                        .iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_ascii_lowercase())))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let predicate = statement.get("predicate").cloned().unwrap_or(Value::Null);
    let identity = match result.certificate() {
        Some(certificate) => Some(identity(certificate, &predicate_type, &predicate)?),
        None => None,
    };
    Ok(Verified {
        predicate_type,
        subjects,
        predicate,
        identity,
        integrated_time: result.integrated_time(),
    })
}

/// The build identity: certificate claims first, the SLSA predicate for what they lack; a
/// predicate that contradicts the certificate is an error.
fn identity(
    certificate: &CertificateInfo,
    predicate_type: &str,
    predicate: &Value,
) -> Result<BuildIdentity, String> {
    let claims = &certificate.ci_claims;
    let old = &claims.deprecated_github;
    // Certificates from before the provider-neutral claims (2023) only carry the workflow in
    // their subject: `https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1`.
    let san = certificate
        .identity
        .as_ref()
        .map(|san| san.as_str().to_string())
        .filter(|san| san.starts_with("https://"));
    let (workflow, workflow_ref) = claims
        .build_config_uri
        .as_deref()
        .or(claims.build_signer_uri.as_deref())
        .or(san.as_deref())
        .and_then(|uri| workflow_of(uri, claims.source_repository_uri.as_deref()))
        .map_or((None, None), |(path, at)| (Some(path), Some(at)));
    let mut identity = BuildIdentity {
        issuer: certificate.issuer.clone(),
        subject: certificate
            .identity
            .as_ref()
            .map(|san| san.as_str().to_string()),
        repository: claims.source_repository_uri.clone().or_else(|| {
            old.workflow_repository
                .as_ref()
                .map(|repo| format!("https://github.com/{repo}"))
        }),
        repository_id: claims.source_repository_identifier.clone(),
        repository_owner_id: claims.source_repository_owner_identifier.clone(),
        workflow,
        workflow_ref: workflow_ref.or_else(|| {
            claims
                .source_repository_ref
                .clone()
                .or(old.workflow_ref.clone())
        }),
        commit: claims
            .source_repository_digest
            .clone()
            .or(old.workflow_sha.clone()),
        builder: claims.runner_environment.clone(),
        trigger: claims
            .build_trigger
            .clone()
            .or(old.workflow_trigger.clone()),
        environment: claims.deployment_environment.clone(),
        run: claims.run_invocation_uri.clone(),
        predicate_type: Some(predicate_type.to_string()),
    };
    let stated = from_predicate(predicate);
    if let (Some(certified), Some(stated)) = (&identity.repository, &stated.repository)
        && !same_repository(certified, stated)
    {
        return Err(format!(
            "the statement names repository `{}` but the certificate was issued to `{}`",
            short(stated),
            short(certified)
        ));
    }
    if let (Some(certified), Some(stated)) = (&identity.repository_id, &stated.repository_id)
        && certified != stated
    {
        return Err(format!(
            "the statement names repository id {} but the certificate says {}",
            short(stated),
            short(certified)
        ));
    }
    let fill = |field: &mut Option<String>, value: Option<String>| {
        if field.is_none() {
            *field = value;
        }
    };
    fill(&mut identity.repository, stated.repository);
    fill(&mut identity.repository_id, stated.repository_id);
    fill(
        &mut identity.repository_owner_id,
        stated.repository_owner_id,
    );
    fill(&mut identity.workflow, stated.workflow);
    fill(&mut identity.workflow_ref, stated.workflow_ref);
    fill(&mut identity.commit, stated.commit);
    fill(&mut identity.builder, stated.builder);
    fill(&mut identity.trigger, stated.trigger);
    fill(&mut identity.run, stated.run);
    Ok(identity)
}

/// `https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1` → (path, ref); GitLab writes
/// `https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main`.
fn workflow_of(uri: &str, repository: Option<&str>) -> Option<(String, String)> {
    // The first `@`: refs may hold one (`refs/tags/pkg@1.2.3`), workflow paths do not.
    let (location, at) = uri.split_once('@')?;
    let path = match location.split_once("//") {
        // Skip the scheme's `//`, then GitLab's `//` separator.
        Some((_, rest)) => match rest.split_once("//") {
            Some((_, path)) => path.to_string(),
            None => match repository {
                Some(repository) => location
                    .strip_prefix(repository.trim_end_matches('/'))?
                    .trim_start_matches('/')
                    .to_string(),
                None => {
                    // `host/owner/repo/path…`: GitHub repositories are two segments deep.
                    let mut segments = rest.splitn(4, '/');
                    let _host = segments.next()?;
                    let _owner = segments.next()?;
                    let _repo = segments.next()?;
                    segments.next()?.to_string()
                }
            },
        },
        None => return None,
    };
    (!path.is_empty()).then(|| (path, at.to_string()))
}

/// What the SLSA predicate says (npm CLI v1 and v0.2 layouts).
fn from_predicate(predicate: &Value) -> BuildIdentity {
    let text = |value: Option<&Value>| {
        value
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let at = |path: &[&str]| {
        let mut value = predicate;
        for key in path {
            value = value.get(key)?;
        }
        Some(value)
    };
    if let Some(workflow) = at(&["buildDefinition", "externalParameters", "workflow"]) {
        let github = at(&["buildDefinition", "internalParameters", "github"]);
        return BuildIdentity {
            repository: text(workflow.get("repository")),
            workflow: text(workflow.get("path")),
            workflow_ref: text(workflow.get("ref")),
            repository_id: text(github.and_then(|g| g.get("repository_id"))),
            repository_owner_id: text(github.and_then(|g| g.get("repository_owner_id"))),
            trigger: text(github.and_then(|g| g.get("event_name"))),
            commit: text(
                predicate.pointer("/buildDefinition/resolvedDependencies/0/digest/gitCommit"),
            ),
            builder: text(at(&["runDetails", "builder", "id"]))
                .map(|id| id.rsplit('/').next().unwrap_or(&id).to_string()),
            run: text(at(&["runDetails", "metadata", "invocationId"])),
            ..BuildIdentity::default()
        };
    }
    if let Some(environment) = at(&["invocation", "environment"]) {
        let server = text(environment.get("GITHUB_SERVER_URL"))
            .unwrap_or_else(|| "https://github.com".into());
        // `entryPoint` is `owner/repo/.github/workflows/x.yml@ref` in npm's v0.2 predicate.
        let repository = text(environment.get("GITHUB_REPOSITORY"));
        let workflow = text(at(&["invocation", "configSource", "entryPoint"])).map(|entry| {
            let path = entry.split('@').next().unwrap_or(&entry);
            match &repository {
                Some(repo) => path
                    .strip_prefix(&format!("{repo}/"))
                    .unwrap_or(path)
                    .to_string(),
                None => path.to_string(),
            }
        });
        return BuildIdentity {
            repository: repository
                .clone()
                .map(|repo| format!("{}/{repo}", server.trim_end_matches('/'))),
            repository_id: text(environment.get("GITHUB_REPOSITORY_ID")),
            repository_owner_id: text(environment.get("GITHUB_REPOSITORY_OWNER_ID")),
            workflow,
            workflow_ref: text(environment.get("GITHUB_REF")),
            commit: text(environment.get("GITHUB_SHA")),
            trigger: text(environment.get("GITHUB_EVENT_NAME")),
            run: match (
                text(environment.get("GITHUB_REPOSITORY")),
                text(environment.get("GITHUB_RUN_ID")),
            ) {
                (Some(repo), Some(run)) => Some(format!(
                    "{}/{repo}/actions/runs/{run}",
                    server.trim_end_matches('/')
                )),
                _ => None,
            },
            ..BuildIdentity::default()
        };
    }
    BuildIdentity::default()
}

/// Repository URIs compare without scheme variations, `.git` or case.
pub fn same_repository(a: &str, b: &str) -> bool {
    fn key(uri: &str) -> String {
        let uri = uri.trim().trim_start_matches("git+");
        let uri = uri
            .split_once("://")
            .map_or(uri, |(_, rest)| rest)
            .trim_end_matches('/');
        uri.trim_end_matches(".git").to_ascii_lowercase()
    }
    key(a) == key(b)
}

/// Decodes a `sha512-<base64>` (SRI) digest.
pub fn sri_sha512(integrity: &str) -> Option<Vec<u8>> {
    // An SRI string may list several algorithms; take the sha512 one.
    integrity.split_whitespace().find_map(|part| {
        let encoded = part.strip_prefix("sha512-")?;
        let encoded = encoded.split('?').next().unwrap_or(encoded);
        STANDARD
            .decode(encoded)
            .ok()
            .filter(|bytes| bytes.len() == 64)
    })
}

/// Decodes a 64-character hex SHA-256.
pub fn hex_sha256(hex: &str) -> Option<Vec<u8>> {
    let hex = hex.trim().strip_prefix("sha256:").unwrap_or(hex.trim());
    if hex.len() != 64 {
        return None;
    }
    (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Lowercase hex.
pub fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 hex of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sigstore_verify::crypto::sha256(bytes).to_hex()
}

/// A message cut to a readable length, on a character boundary.
fn short(text: &str) -> String {
    const MAX: usize = 300;
    if text.len() <= MAX {
        return text.to_string();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_paths_and_refs() {
        assert_eq!(
            workflow_of(
                "https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1",
                Some("https://github.com/o/r")
            ),
            Some((
                ".github/workflows/release.yml".into(),
                "refs/tags/v1".into()
            ))
        );
        assert_eq!(
            workflow_of(
                "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main",
                None
            ),
            Some((
                ".github/workflows/release.yml".into(),
                "refs/heads/main".into()
            ))
        );
        assert_eq!(
            workflow_of(
                "https://gitlab.com/group/sub/project//.gitlab-ci.yml@refs/heads/main",
                None
            ),
            Some((".gitlab-ci.yml".into(), "refs/heads/main".into()))
        );
        assert_eq!(
            workflow_of(
                "https://github.com/o/r/.github/workflows/release.yml@refs/tags/mypkg@1.0.0",
                Some("https://github.com/o/r")
            ),
            Some((
                ".github/workflows/release.yml".into(),
                "refs/tags/mypkg@1.0.0".into()
            ))
        );
        assert_eq!(workflow_of("no-at-sign", None), None);
        assert_eq!(workflow_of("https://github.com/o@x", None), None);
    }

    #[test]
    fn digests_decode() {
        assert_eq!(sri_sha512("sha512-AAAA"), None);
        let sri = format!("sha1-xyz sha512-{}", STANDARD.encode([7u8; 64]));
        assert_eq!(sri_sha512(&sri), Some(vec![7u8; 64]));
        assert_eq!(hex_sha256(&"ab".repeat(32)), Some(vec![0xab; 32]));
        assert_eq!(
            hex_sha256(&format!("sha256:{}", "0f".repeat(32))),
            Some(vec![15; 32])
        );
        assert_eq!(hex_sha256("zz"), None);
        assert_eq!(hex_sha256(&"é".repeat(32)), None);
    }

    #[test]
    fn repositories_compare_loosely() {
        assert!(same_repository(
            "https://github.com/Owner/Repo",
            "git+https://github.com/owner/repo.git"
        ));
        assert!(!same_repository(
            "https://github.com/owner/repo",
            "https://github.com/owner/other"
        ));
    }

    #[test]
    fn the_embedded_root_loads_and_garbage_roots_do_not() {
        let root = TrustRoot::production().unwrap();
        assert_eq!(root.label, "embedded");
        let error = TrustRoot::from_json("{}", "root.json").unwrap_err();
        assert!(
            error.to_string().starts_with("trusted root `root.json`"),
            "{error}"
        );
        assert!(TrustRoot::from_json("not json", "x").is_err());
    }

    #[test]
    fn malformed_bundles_are_errors_never_panics() {
        let root = TrustRoot::production().unwrap();
        let digest = [0u8; 64];
        let cases = [
            Value::Null,
            serde_json::json!({}),
            serde_json::json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}),
            serde_json::json!({"mediaType": 7, "verificationMaterial": [], "dsseEnvelope": "x"}),
            serde_json::json!({
                "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
                "verificationMaterial": {"certificate": {"rawBytes": "AAAA"}, "tlogEntries": []},
                "dsseEnvelope": {"payload": "e30=", "payloadType": "application/vnd.in-toto+json",
                                 "signatures": [{"sig": "AAAA"}]}
            }),
        ];
        for case in cases {
            let outcome = verify_dsse(
                &root,
                &case,
                Digest::Sha512(&digest),
                Signer::Keyless { issuer: None },
            );
            assert!(outcome.is_err(), "{case}");
        }
        // A digest of the wrong length is refused before any verification.
        let error = verify_dsse(
            &root,
            &Value::Null,
            Digest::Sha256(&[1, 2, 3]),
            Signer::Keyless { issuer: None },
        )
        .unwrap_err();
        assert!(error.contains("not a Sigstore bundle"), "{error}");
    }
}

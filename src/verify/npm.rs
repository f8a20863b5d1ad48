//! npm provenance: the attestations document of a release (`/-/npm/v1/attestations/<name>@<version>`,
//! `{"attestations": [{"predicateType", "bundle"}]}`) verified entry by entry.
//!
//! - SLSA provenance (`https://slsa.dev/provenance/v0.2` or `/v1`): a keyless bundle (Fulcio
//!   certificate), any issuer (GitHub Actions and GitLab CI both publish); the build identity
//!   comes from the certificate and the predicate.
//! - The npm publish attestation (`https://github.com/npm/attestation/tree/main/specs/publish/v0.1`):
//!   signed by the registry's key named in `verificationMaterial.publicKey.hint`; the key must
//!   not have expired before the log recorded the attestation; the predicate must name this
//!   package and version.
//!
//! Every statement must have a subject `pkg:npm/<name>@<version>` (scope `@` as `%40`) whose
//! `sha512` equals `dist.integrity`, as pacote requires. The release is verified when its
//! provenance statement verifies and nothing else fails; invalid when any attestation fails.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::bundle::{self, Digest, Signer, TrustRoot, Verified};
use super::{AttestationCheck, ProvenanceCheck, json_type};
use crate::model::facts::NpmKey;
use crate::model::facts::{Fact, Release, Unknown};

/// The predicate type of npm's publish attestation.
pub const PUBLISH_PREDICATE: &str =
    "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";

/// The purl npm writes as the subject of `name@version`.
pub fn purl(name: &str, version: &str) -> String {
    format!("pkg:npm/{}@{version}", name.replace('@', "%40"))
}

/// One attestation to verify: what the document lists, ready for [`verify_entry`].
#[derive(Debug, Clone)]
pub struct Entry {
    /// The advertised predicate type.
    pub predicate_type: Option<String>,
    /// The bundle.
    pub bundle: Value,
}

/// The entries of an attestations document, or why it is not one: the document must hold a
/// non-empty `attestations` list of objects, each with a `bundle` object that decodes as a
/// Sigstore bundle and, when present, a string `predicateType`. A document of the wrong shape
/// is a registry fault (the provenance is unknown), never an attestation that fails (invalid).
pub fn entries(document: &Value) -> Result<Vec<Entry>, String> {
    let list = match document.get("attestations") {
        Some(Value::Array(list)) => list,
        None => return Err("the attestations document has no `attestations` list".into()),
        Some(other) => {
            return Err(format!(
                "the attestations document's `attestations` is {}, not a list",
                json_type(other)
            ));
        }
    };
    if list.is_empty() {
        return Err("the attestations document lists no attestation".into());
    }
    list.iter()
        .enumerate()
        .map(|(index, entry)| {
            let at = format!("attestation {}", index + 1);
            if !entry.is_object() {
                return Err(format!("{at} is {}, not an object", json_type(entry)));
            }
            let predicate_type = match entry.get("predicateType") {
                None | Some(Value::Null) => None,
                Some(Value::String(text)) => Some(text.clone()),
                Some(other) => {
                    return Err(format!("{at}: `predicateType` is {}", json_type(other)));
                }
            };
            let bundle = match entry.get("bundle") {
                Some(bundle @ Value::Object(_)) => bundle.clone(),
                None => return Err(format!("{at} has no `bundle`")),
                Some(other) => return Err(format!("{at}: `bundle` is {}", json_type(other))),
            };
            bundle::check_shape(&bundle).map_err(|error| format!("{at}: {error}"))?;
            Ok(Entry {
                predicate_type,
                bundle,
            })
        })
        .collect()
}

/// Why an attestation did not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryError {
    /// It was checked and does not verify (a bad signature, another artifact, an expired key).
    Invalid(String),
    /// It could not be checked: what it must be checked against is missing (the registry's
    /// keys did not answer or list no such key, the release has no sha512 integrity). A
    /// registry fault makes the provenance unknown, never invalid.
    Unchecked(String),
}

impl From<String> for EntryError {
    fn from(reason: String) -> Self {
        EntryError::Invalid(reason)
    }
}

/// Verifies one entry for `name`'s release; `Ok` with what it proved.
pub fn verify_entry(
    root: &TrustRoot,
    name: &str,
    release: &Release,
    entry: &Entry,
    keys: &Fact<Vec<NpmKey>>,
) -> Result<Verified, EntryError> {
    let unchecked = |reason: &str| EntryError::Unchecked(reason.to_string());
    // A bundle of the wrong shape cannot be checked ([`entries`] refuses it already).
    bundle::check_shape(&entry.bundle).map_err(EntryError::Unchecked)?;
    let integrity = release.integrity.as_deref().ok_or_else(|| {
        unchecked("the release has no `dist.integrity` to bind the attestation to")
    })?;
    let digest = bundle::sri_sha512(integrity).ok_or_else(|| {
        unchecked("`dist.integrity` has no sha512 digest to bind the attestation to")
    })?;
    let publish = entry.predicate_type.as_deref() == Some(PUBLISH_PREDICATE);
    let verified = if publish {
        let hint = entry
            .bundle
            .pointer("/verificationMaterial/publicKey/hint")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                EntryError::Invalid(
                    "the publish attestation names no registry key (`publicKey.hint`)".into(),
                )
            })?;
        let keys = match keys {
            Fact::Known(keys) if keys.is_empty() => {
                return Err(unchecked(
                    "the registry serves no signing keys to check the publish attestation with",
                ));
            }
            Fact::Known(keys) => keys,
            Fact::Unknown(reason) => {
                return Err(EntryError::Unchecked(format!(
                    "the registry's keys are unknown: {reason}"
                )));
            }
        };
        let key = keys
            .iter()
            .find(|key| key.keyid == hint)
            .ok_or_else(|| EntryError::Unchecked(format!("the registry lists no key `{hint}`")))?;
        let der = STANDARD.decode(key.key.trim()).map_err(|error| {
            EntryError::Unchecked(format!("registry key `{hint}` is not base64: {error}"))
        })?;
        let verified = bundle::verify_dsse(
            root,
            &entry.bundle,
            Digest::Sha512(&digest),
            Signer::Key(&der),
        )?;
        if let (Some(expires), Some(logged)) = (key.expires, verified.integrated_time)
            && logged >= expires
        {
            return Err(EntryError::Invalid(format!(
                "registry key `{hint}` expired at {expires}, before the attestation was logged ({logged})"
            )));
        }
        let named = |field: &str| verified.predicate.get(field).and_then(Value::as_str);
        if named("name") != Some(name) || named("version") != Some(release.version.as_str()) {
            return Err(EntryError::Invalid(format!(
                "the publish attestation is for {}@{}, not {name}@{}",
                named("name").unwrap_or("?"),
                named("version").unwrap_or("?"),
                release.version
            )));
        }
        verified
    } else {
        bundle::verify_dsse(
            root,
            &entry.bundle,
            Digest::Sha512(&digest),
            Signer::Keyless { issuer: None },
        )?
    };
    let expected = purl(name, &release.version);
    if !verified.names(&expected, Digest::Sha512(&digest)) {
        let found: Vec<&str> = verified.subjects.iter().map(|s| s.name.as_str()).collect();
        return Err(EntryError::Invalid(format!(
            "the statement is about {found:?}, not `{expected}` with this release's sha512"
        )));
    }
    if let Some(advertised) = &entry.predicate_type
        && advertised != &verified.predicate_type
    {
        return Err(EntryError::Invalid(format!(
            "the document lists predicate `{advertised}` but the signed statement is `{}`",
            verified.predicate_type
        )));
    }
    Ok(verified)
}

/// Combines the entries' outcomes into the release's provenance: invalid when any
/// attestation does not verify; verified when the provenance statement verified; unknown when
/// the provenance statement could not be checked; else absent (a publish attestation alone
/// says nothing about where the release was built).
pub fn combine(
    outcomes: &[(Entry, Result<Verified, EntryError>)],
) -> (ProvenanceCheck, Vec<AttestationCheck>) {
    let mut checks = Vec::new();
    let mut provenance = None;
    let mut failure = None;
    let mut unchecked = None;
    for (entry, outcome) in outcomes {
        let is_publish = entry.predicate_type.as_deref() == Some(PUBLISH_PREDICATE);
        let subject = if is_publish { "publish" } else { "provenance" };
        match outcome {
            Ok(verified) => {
                if !is_publish && provenance.is_none() {
                    provenance = verified.identity.clone();
                }
                checks.push(AttestationCheck {
                    subject: subject.into(),
                    predicate_type: Some(verified.predicate_type.clone()),
                    failure: None,
                });
            }
            Err(EntryError::Invalid(reason)) => {
                failure.get_or_insert_with(|| format!("{subject} attestation: {reason}"));
                checks.push(AttestationCheck {
                    subject: subject.into(),
                    predicate_type: entry.predicate_type.clone(),
                    failure: Some(reason.clone()),
                });
            }
            Err(EntryError::Unchecked(reason)) => {
                if !is_publish {
                    unchecked.get_or_insert_with(|| format!("{subject} attestation: {reason}"));
                }
                checks.push(AttestationCheck {
                    subject: subject.into(),
                    predicate_type: entry.predicate_type.clone(),
                    failure: Some(format!("not checked: {reason}")),
                });
            }
        }
    }
    let check = match (failure, provenance, unchecked) {
        (Some(reason), _, _) => ProvenanceCheck::Invalid { reason },
        (None, Some(identity), _) => ProvenanceCheck::Verified {
            identity: Box::new(identity),
        },
        (None, None, Some(reason)) => ProvenanceCheck::Unknown {
            reason: Unknown::other(reason),
        },
        // Only a publish attestation: the registry saw the upload, nothing says where it was
        // built.
        (None, None, None) => ProvenanceCheck::Absent,
    };
    (check, checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_escape_the_scope() {
        assert_eq!(purl("@npmcli/x", "1.0.0"), "pkg:npm/%40npmcli/x@1.0.0");
        assert_eq!(purl("left-pad", "1.3.0"), "pkg:npm/left-pad@1.3.0");
    }

    #[test]
    fn documents_without_attestations_are_refused() {
        assert!(entries(&serde_json::json!({})).is_err());
        assert!(entries(&serde_json::json!({"attestations": []})).is_err());
        assert!(entries(&serde_json::json!({"attestations": "x"})).is_err());
        for (document, expected) in [
            (
                serde_json::json!({"attestations": [[]]}),
                "attestation 1 is a list, not an object",
            ),
            (
                serde_json::json!({"attestations": [{"predicateType": 3, "bundle": {}}]}),
                "attestation 1: `predicateType` is a number",
            ),
            (
                serde_json::json!({"attestations": [{"predicateType": "x"}]}),
                "attestation 1 has no `bundle`",
            ),
            (
                serde_json::json!({"attestations": [{"bundle": "x"}]}),
                "attestation 1: `bundle` is a string",
            ),
            (
                serde_json::json!({"attestations": [{"bundle": {}}]}),
                "attestation 1: not a Sigstore bundle",
            ),
        ] {
            let error = entries(&document).unwrap_err();
            assert!(error.starts_with(expected), "{document}: {error}");
        }
    }

    #[test]
    fn any_failure_makes_the_release_invalid() {
        let entry = Entry {
            predicate_type: Some("https://slsa.dev/provenance/v1".into()),
            bundle: Value::Null,
        };
        let (check, checks) = combine(&[(
            entry.clone(),
            Err(EntryError::Invalid("bad signature".into())),
        )]);
        assert_eq!(
            check,
            ProvenanceCheck::Invalid {
                reason: "provenance attestation: bad signature".into()
            }
        );
        assert_eq!(checks[0].failure.as_deref(), Some("bad signature"));
        assert_eq!(combine(&[]).0, ProvenanceCheck::Absent);
        // A provenance statement that could not be checked is unknown, not invalid.
        let (check, checks) =
            combine(&[(entry, Err(EntryError::Unchecked("keys timed out".into())))]);
        assert!(
            matches!(check, ProvenanceCheck::Unknown { .. }),
            "{check:?}"
        );
        assert_eq!(
            checks[0].failure.as_deref(),
            Some("not checked: keys timed out")
        );
    }
}

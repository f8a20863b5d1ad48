//! PyPI PEP 740: the Integrity API provenance of a file
//! (`{"version": 1, "attestation_bundles": [{"publisher", "attestations": [...]}]}`), each
//! attestation converted to a Sigstore v0.3 bundle (certificate + transparency entries as
//! verification material, statement + signature as a DSSE envelope, as
//! `pypi-attestations`' `Attestation.to_bundle()` does) and verified.
//!
//! For each attestation: the certificate's issuer is the one of the declared publisher's kind
//! (GitHub `https://token.actions.githubusercontent.com`, GitLab `https://gitlab.com`, Google
//! `https://accounts.google.com`); the statement's subject is the file name with the file's
//! SHA-256; and the certificate matches the declared publisher: GitHub repository and workflow
//! file (and environment when both name one), GitLab project and workflow path, Google
//! service-account e-mail. A publisher kind without an attestation identity (ActiveState) or
//! an unknown kind is invalid: nothing ties the signature to it.
//!
//! A document of the wrong shape ([`check_document`]: no `attestation_bundles` list, a bundle
//! or attestation that is not an object, a part missing) is not a provenance document: the
//! client refuses it and the provenance is unknown, never invalid (`200 {}` is a registry
//! fault).

use serde_json::{Value, json};

use super::bundle::{self, Digest, Signer, TrustRoot};
use super::{AttestationCheck, BuildIdentity, ProvenanceCheck, json_type};
use crate::model::facts::{ReleaseFile, Unknown};

/// What verifying one file's provenance gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// Every attestation verified; the build identity of the first.
    Verified(Box<BuildIdentity>, String),
    /// The file has no provenance.
    Absent,
    /// An attestation failed.
    Invalid(String),
    /// The provenance could not be read.
    Unknown(Unknown),
}

/// The v0.3 bundle of one PEP 740 attestation.
pub fn to_bundle(attestation: &Value) -> Result<Value, String> {
    let material = attestation
        .get("verification_material")
        .ok_or("the attestation has no `verification_material`")?;
    let envelope = attestation
        .get("envelope")
        .ok_or("the attestation has no `envelope`")?;
    let text = |value: Option<&Value>, what: &str| {
        value
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("the attestation has no `{what}`"))
    };
    Ok(json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": text(material.get("certificate"), "certificate")?},
            "tlogEntries": material.get("transparency_entries").cloned().unwrap_or(json!([])),
        },
        "dsseEnvelope": {
            "payload": text(envelope.get("statement"), "statement")?,
            "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": text(envelope.get("signature"), "signature")?}],
        },
    }))
}

/// Whether `document` has the shape of a PEP 740 provenance object: a non-empty
/// `attestation_bundles` list of objects, each with a `publisher` object naming its `kind` and
/// a non-empty `attestations` list of objects with `verification_material.certificate`,
/// `verification_material.transparency_entries`, `envelope.statement` and
/// `envelope.signature`, which convert to a Sigstore bundle. A document that is not is a
/// registry fault (the provenance is unknown), never an attestation that fails (invalid).
pub fn check_document(document: &Value) -> Result<(), String> {
    let bundles = match document.get("attestation_bundles") {
        Some(Value::Array(bundles)) if !bundles.is_empty() => bundles,
        Some(Value::Array(_)) => return Err("`attestation_bundles` is empty".into()),
        None => return Err("no `attestation_bundles` list".into()),
        Some(other) => return Err(format!("`attestation_bundles` is {}", json_type(other))),
    };
    for (index, entry) in bundles.iter().enumerate() {
        let at = format!("attestation bundle {}", index + 1);
        if !entry.is_object() {
            return Err(format!("{at} is {}, not an object", json_type(entry)));
        }
        match entry.get("publisher") {
            Some(publisher @ Value::Object(_)) => match publisher.get("kind") {
                Some(Value::String(_)) => {}
                None => return Err(format!("{at}: the publisher has no `kind`")),
                Some(other) => {
                    return Err(format!(
                        "{at}: the publisher's `kind` is {}",
                        json_type(other)
                    ));
                }
            },
            None => return Err(format!("{at} has no `publisher`")),
            Some(other) => return Err(format!("{at}: `publisher` is {}", json_type(other))),
        }
        let attestations = match entry.get("attestations") {
            Some(Value::Array(list)) if !list.is_empty() => list,
            Some(Value::Array(_)) => return Err(format!("{at}: `attestations` is empty")),
            None => return Err(format!("{at} has no `attestations` list")),
            Some(other) => return Err(format!("{at}: `attestations` is {}", json_type(other))),
        };
        for (number, attestation) in attestations.iter().enumerate() {
            let at = format!("{at}, attestation {}", number + 1);
            if !attestation.is_object() {
                return Err(format!("{at} is {}, not an object", json_type(attestation)));
            }
            if !attestation
                .pointer("/verification_material/transparency_entries")
                .is_some_and(Value::is_array)
            {
                return Err(format!(
                    "{at}: `verification_material.transparency_entries` is not a list"
                ));
            }
            let converted = to_bundle(attestation).map_err(|error| format!("{at}: {error}"))?;
            bundle::check_shape(&converted).map_err(|error| format!("{at}: {error}"))?;
        }
    }
    Ok(())
}

/// The issuer a publisher kind's certificates carry.
fn issuer_of(kind: &str) -> Option<&'static str> {
    match kind.to_ascii_lowercase().as_str() {
        "github" => Some("https://token.actions.githubusercontent.com"),
        "gitlab" => Some("https://gitlab.com"),
        "google" => Some("https://accounts.google.com"),
        _ => None,
    }
}

/// Verifies the provenance document of `filename` (hex SHA-256 `sha256`).
pub fn verify_file(
    root: &TrustRoot,
    filename: &str,
    sha256: &str,
    document: &Value,
) -> Result<(BuildIdentity, String), String> {
    let digest = bundle::hex_sha256(sha256)
        .ok_or_else(|| format!("the index gives no usable sha256 for {filename:?}"))?;
    let bundles = document
        .get("attestation_bundles")
        .and_then(Value::as_array)
        .filter(|list| !list.is_empty())
        .ok_or("the provenance lists no attestation bundle")?;
    let mut first = None;
    for entry in bundles {
        let publisher = entry
            .get("publisher")
            .filter(|p| p.is_object())
            .ok_or("an attestation bundle names no publisher")?;
        let kind = publisher
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let issuer = issuer_of(kind).ok_or_else(|| {
            format!("publisher kind {kind:?} has no attestation identity to check")
        })?;
        let attestations = entry
            .get("attestations")
            .and_then(Value::as_array)
            .filter(|list| !list.is_empty())
            .ok_or("an attestation bundle holds no attestation")?;
        for attestation in attestations {
            let converted = to_bundle(attestation)?;
            let verified = bundle::verify_dsse(
                root,
                &converted,
                Digest::Sha256(&digest),
                Signer::Keyless {
                    issuer: Some(issuer),
                },
            )?;
            if !verified.subjects.iter().any(|subject| {
                same_filename(&subject.name, filename)
                    && subject
                        .digest
                        .get("sha256")
                        .is_some_and(|hex| hex.eq_ignore_ascii_case(sha256.trim()))
            }) {
                let found: Vec<&str> = verified.subjects.iter().map(|s| s.name.as_str()).collect();
                return Err(format!(
                    "the statement is about {found:?}, not {filename:?} with its sha256"
                ));
            }
            let mut identity = verified.identity.unwrap_or_default();
            matches_publisher(&identity, publisher)?;
            if identity.environment.is_none() {
                identity.environment = non_empty(publisher.get("environment"));
            }
            first.get_or_insert((identity, verified.predicate_type));
        }
    }
    first.ok_or_else(|| "the provenance holds no attestation".into())
}

/// The certificate must be the declared publisher's.
fn matches_publisher(identity: &BuildIdentity, publisher: &Value) -> Result<(), String> {
    let kind = publisher
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let declared = |field: &str| non_empty(publisher.get(field));
    let mismatch = |what: &str, declared: &str, found: Option<&String>| {
        format!(
            "the certificate's {what} is {} but the publisher declares {declared:?}",
            found.map_or("absent".to_string(), |f| format!("{f:?}"))
        )
    };
    match kind.as_str() {
        "github" | "gitlab" => {
            let host = if kind == "github" {
                "https://github.com"
            } else {
                "https://gitlab.com"
            };
            let repository = declared("repository").ok_or("the publisher names no repository")?;
            let expected = format!("{host}/{repository}");
            if !identity
                .repository
                .as_deref()
                .is_some_and(|found| bundle::same_repository(found, &expected))
            {
                return Err(mismatch(
                    "repository",
                    &expected,
                    identity.repository.as_ref(),
                ));
            }
            let workflow = if kind == "github" {
                declared("workflow").map(|w| format!(".github/workflows/{w}"))
            } else {
                declared("workflow_filepath")
            }
            .ok_or("the publisher names no workflow")?;
            if identity.workflow.as_deref() != Some(workflow.as_str()) {
                return Err(mismatch("workflow", &workflow, identity.workflow.as_ref()));
            }
            if let (Some(environment), Some(found)) =
                (declared("environment"), identity.environment.as_ref())
                && &environment != found
            {
                return Err(mismatch("environment", &environment, Some(found)));
            }
            Ok(())
        }
        "google" => {
            let email = declared("email").ok_or("the publisher names no service account")?;
            if identity.subject.as_deref() != Some(email.as_str()) {
                return Err(mismatch("identity", &email, identity.subject.as_ref()));
            }
            Ok(())
        }
        other => Err(format!(
            "publisher kind {other:?} has no attestation identity to check"
        )),
    }
}

fn non_empty(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// File names compare exactly, or after the normalization `pypi-attestations` applies
/// (case, and `-` in the distribution name written as `_`).
fn same_filename(subject: &str, filename: &str) -> bool {
    subject == filename
        || subject.to_ascii_lowercase().replace('-', "_")
            == filename.to_ascii_lowercase().replace('-', "_")
}

/// Combines the files of a release: invalid when an attestation failed; unknown when one could
/// not be read; verified when every file's provenance verified; absent when any file has none
/// (PyPI lets files be added to a release later: a file without provenance beside attested
/// ones may come from outside the publishing workflow, and an installer may pick it; the
/// attested files are still listed as verified).
pub fn combine(
    outcomes: &[(ReleaseFile, FileOutcome)],
) -> (ProvenanceCheck, Vec<AttestationCheck>) {
    let mut checks = Vec::new();
    let mut identity = None;
    let mut invalid = None;
    let mut unknown = None;
    for (file, outcome) in outcomes {
        let (predicate_type, failure) = match outcome {
            FileOutcome::Verified(found, predicate_type) => {
                identity.get_or_insert_with(|| found.clone());
                (Some(predicate_type.clone()), None)
            }
            FileOutcome::Absent => (None, Some("no provenance for this file".to_string())),
            FileOutcome::Invalid(reason) => {
                invalid.get_or_insert_with(|| format!("{:?}: {reason}", file.filename));
                (None, Some(reason.clone()))
            }
            FileOutcome::Unknown(reason) => {
                unknown.get_or_insert_with(|| {
                    reason.map_detail(|reason| format!("{:?}: {reason}", file.filename))
                });
                (None, Some(format!("not read: {reason}")))
            }
        };
        checks.push(AttestationCheck {
            subject: file.filename.clone(),
            predicate_type,
            failure,
        });
    }
    let any_absent = outcomes
        .iter()
        .any(|(_, outcome)| matches!(outcome, FileOutcome::Absent));
    let check = match (invalid, unknown, identity) {
        (Some(reason), _, _) => ProvenanceCheck::Invalid { reason },
        (None, Some(reason), _) => ProvenanceCheck::Unknown { reason },
        (None, None, Some(_)) if any_absent => ProvenanceCheck::Absent,
        (None, None, Some(identity)) => ProvenanceCheck::Verified { identity },
        (None, None, None) => ProvenanceCheck::Absent,
    };
    (check, checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> ReleaseFile {
        ReleaseFile {
            filename: name.into(),
            sha256: None,
            provenance: None,
        }
    }

    #[test]
    fn conversion_needs_every_part() {
        assert!(to_bundle(&json!({})).is_err());
        assert!(to_bundle(&json!({"verification_material": {}, "envelope": {}})).is_err());
        let bundle = to_bundle(&json!({
            "verification_material": {"certificate": "Y2VydA==", "transparency_entries": [{"logIndex": "1"}]},
            "envelope": {"statement": "e30=", "signature": "c2ln"}
        }))
        .unwrap();
        assert_eq!(bundle["dsseEnvelope"]["signatures"][0]["sig"], "c2ln");
        assert_eq!(
            bundle["verificationMaterial"]["tlogEntries"][0]["logIndex"],
            "1"
        );
    }

    #[test]
    fn unusable_documents_are_errors() {
        let root = TrustRoot::production().unwrap();
        let sha = "ab".repeat(32);
        for document in [
            json!({}),
            json!({"attestation_bundles": []}),
            json!({"attestation_bundles": [{"attestations": []}]}),
            json!({"attestation_bundles": [{"publisher": {"kind": "ActiveState"}, "attestations": [{}]}]}),
            json!({"attestation_bundles": [{"publisher": {"kind": "GitHub"}, "attestations": [{}]}]}),
        ] {
            assert!(
                verify_file(&root, "x.whl", &sha, &document).is_err(),
                "{document}"
            );
        }
        assert!(verify_file(&root, "x.whl", "short", &json!({})).is_err());
    }

    #[test]
    fn publisher_matching() {
        let identity = BuildIdentity {
            repository: Some("https://github.com/pypa/sampleproject".into()),
            workflow: Some(".github/workflows/release.yml".into()),
            ..BuildIdentity::default()
        };
        let github = |repo: &str, workflow: &str| json!({"kind": "GitHub", "repository": repo, "workflow": workflow, "environment": ""});
        assert!(matches_publisher(&identity, &github("pypa/sampleproject", "release.yml")).is_ok());
        assert!(matches_publisher(&identity, &github("PyPA/SampleProject", "release.yml")).is_ok());
        let error =
            matches_publisher(&identity, &github("evil/sampleproject", "release.yml")).unwrap_err();
        assert!(error.contains("repository"), "{error}");
        let error =
            matches_publisher(&identity, &github("pypa/sampleproject", "other.yml")).unwrap_err();
        assert!(error.contains("workflow"), "{error}");
        let mut with_environment = identity.clone();
        with_environment.environment = Some("staging".into());
        let declared = json!({"kind": "GitHub", "repository": "pypa/sampleproject",
                              "workflow": "release.yml", "environment": "pypi"});
        assert!(matches_publisher(&with_environment, &declared).is_err());
        let google = BuildIdentity {
            subject: Some("sa@project.iam.gserviceaccount.com".into()),
            ..BuildIdentity::default()
        };
        assert!(
            matches_publisher(
                &google,
                &json!({"kind": "Google", "email": "sa@project.iam.gserviceaccount.com"})
            )
            .is_ok()
        );
        assert!(matches_publisher(&google, &json!({"kind": "Google", "email": "x@y"})).is_err());
        let gitlab = BuildIdentity {
            repository: Some("https://gitlab.com/group/project".into()),
            workflow: Some(".gitlab-ci.yml".into()),
            ..BuildIdentity::default()
        };
        assert!(
            matches_publisher(
                &gitlab,
                &json!({"kind": "GitLab", "repository": "group/project", "workflow_filepath": ".gitlab-ci.yml"})
            )
            .is_ok()
        );
    }

    #[test]
    fn combining_files() {
        let verified = FileOutcome::Verified(Box::default(), "p".into());
        assert!(matches!(
            combine(&[
                (file("a.whl"), verified.clone()),
                (file("a.tar.gz"), verified.clone())
            ])
            .0,
            ProvenanceCheck::Verified { .. }
        ));
        // A file without provenance beside attested ones: the release has none.
        let (check, checks) = combine(&[
            (file("a.whl"), verified.clone()),
            (file("a.tar.gz"), FileOutcome::Absent),
        ]);
        assert_eq!(check, ProvenanceCheck::Absent);
        assert_eq!(checks.len(), 2);
        assert_eq!(
            checks[0].failure, None,
            "the attested file is listed as verified"
        );
        assert_eq!(
            combine(&[(file("a.whl"), FileOutcome::Absent)]).0,
            ProvenanceCheck::Absent
        );
        assert!(matches!(
            combine(&[
                (file("a.whl"), verified.clone()),
                (file("b.whl"), FileOutcome::Invalid("bad".into()))
            ])
            .0,
            ProvenanceCheck::Invalid { .. }
        ));
        assert!(matches!(
            combine(&[
                (file("a.whl"), verified),
                (file("b.whl"), FileOutcome::Unknown("timeout".into()))
            ])
            .0,
            ProvenanceCheck::Unknown { .. }
        ));
        assert_eq!(combine(&[]).0, ProvenanceCheck::Absent);
    }
}

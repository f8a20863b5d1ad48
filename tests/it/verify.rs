//! Conformance of verification against real published bundles recorded in `fixtures/samples/`
//! (read in place, never copied into the repository; the folder exists in CI). When the folder
//! is absent the tests say so and pass.

use serde_json::{Value, json};

use deptrust::model::facts::NpmKey;
use deptrust::model::facts::{Fact, Provenance, Release};
use deptrust::verify::bundle::{self, Digest, Signer, TrustRoot};
use deptrust::verify::{ProvenanceCheck, SignatureCheck, npm, pypi, registry_signature};

use crate::support::{sample, subject_integrity};

fn keys() -> Fact<Vec<NpmKey>> {
    let document = sample("npm-keys.json");
    Fact::Known(
        document["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|key| NpmKey {
                keyid: key["keyid"].as_str().unwrap().into(),
                keytype: key["keytype"].as_str().unwrap().into(),
                scheme: key["scheme"].as_str().unwrap().into(),
                key: key["key"].as_str().unwrap().into(),
                expires: key["expires"].as_str().map(|t| t.parse().unwrap()),
            })
            .collect(),
    )
}

fn release(version: &str, integrity: String) -> Release {
    Release {
        integrity: Some(integrity),
        ..Release::new(
            version,
            None,
            Fact::Known(None),
            Fact::Known(Provenance::None),
        )
    }
}

fn verify_npm(
    root: &TrustRoot,
    name: &str,
    release: &Release,
    document: &Value,
) -> (ProvenanceCheck, Vec<deptrust::verify::AttestationCheck>) {
    verify_npm_with(root, name, release, document, &keys())
}

/// Every entry of an attestations document verified with these registry keys, combined.
fn verify_npm_with(
    root: &TrustRoot,
    name: &str,
    release: &Release,
    document: &Value,
    keys: &Fact<Vec<NpmKey>>,
) -> (ProvenanceCheck, Vec<deptrust::verify::AttestationCheck>) {
    let outcomes: Vec<_> = npm::entries(document)
        .unwrap()
        .into_iter()
        .map(|entry| {
            let outcome = npm::verify_entry(root, name, release, &entry, keys);
            (entry, outcome)
        })
        .collect();
    npm::combine(&outcomes)
}

#[test]
fn npm_provenance_v0_2_bundles_with_slsa_v1_and_the_publish_attestation() {
    let document = sample("npm-attestations.json");
    let root = TrustRoot::production().unwrap();
    let integrity = subject_integrity(&document["attestations"][0]["bundle"]);
    let release = release("1.0.1", integrity.clone());
    let (check, checks) = verify_npm(&root, "gundam-visor", &release, &document);
    assert_eq!(checks.len(), 2);
    assert!(checks.iter().all(|c| c.failure.is_none()), "{checks:?}");
    let ProvenanceCheck::Verified { identity } = check else {
        panic!("{check:?}");
    };
    assert_eq!(
        identity.repository.as_deref(),
        Some("https://github.com/ramonpetgrave64/gundam-visor")
    );
    assert_eq!(identity.repository_id.as_deref(), Some("810002373"));
    assert_eq!(identity.repository_owner_id.as_deref(), Some("32398091"));
    assert_eq!(
        identity.workflow.as_deref(),
        Some(".github/workflows/npm-publish.yml")
    );
    assert_eq!(identity.workflow_ref.as_deref(), Some("refs/tags/v1.0.1"));
    assert_eq!(identity.builder.as_deref(), Some("github-hosted"));
    assert_eq!(identity.trigger.as_deref(), Some("release"));
    assert_eq!(
        identity.issuer.as_deref(),
        Some("https://token.actions.githubusercontent.com")
    );
    assert_eq!(
        identity.commit.as_deref(),
        Some("599500821344b070902a7a5666064bfdaba715df")
    );

    // A changed artifact digest fails every attestation.
    let mut tampered = integrity.into_bytes();
    let at = tampered.len() - 5;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = self::release("1.0.1", String::from_utf8(tampered).unwrap());
    let (check, checks) = verify_npm(&root, "gundam-visor", &tampered, &document);
    assert!(
        matches!(check, ProvenanceCheck::Invalid { .. }),
        "{check:?}"
    );
    assert!(checks.iter().all(|c| c.failure.is_some()));

    // Another package name (another purl) fails.
    let (check, checks) = verify_npm(&root, "gundam-visor-cli", &release, &document);
    assert!(
        matches!(check, ProvenanceCheck::Invalid { .. }),
        "{check:?}"
    );
    let provenance = checks.iter().find(|c| c.subject == "provenance").unwrap();
    let reason = provenance.failure.as_deref().unwrap();
    assert!(
        reason.contains("pkg:npm/gundam-visor-cli@1.0.1"),
        "{reason}"
    );
    let publish = checks.iter().find(|c| c.subject == "publish").unwrap();
    assert!(
        publish
            .failure
            .as_deref()
            .unwrap()
            .contains("gundam-visor-cli")
    );
}

#[test]
fn npm_provenance_v0_1_bundles_with_slsa_v0_2() {
    let document = sample("npm-attestations-slsa-v0.2-bundle-v0.1.json");
    let root = TrustRoot::production().unwrap();
    let release = release(
        "1.0.0",
        subject_integrity(&document["attestations"][0]["bundle"]),
    );
    let (check, checks) = verify_npm(&root, "sigstore", &release, &document);
    assert!(checks.iter().all(|c| c.failure.is_none()), "{checks:?}");
    let ProvenanceCheck::Verified { identity } = check else {
        panic!("{check:?}");
    };
    assert_eq!(
        identity.repository.as_deref(),
        Some("https://github.com/sigstore/sigstore-js")
    );
    assert_eq!(identity.repository_id.as_deref(), Some("495574555"));
    assert_eq!(
        identity.workflow.as_deref(),
        Some(".github/workflows/publish.yml")
    );
    assert_eq!(identity.workflow_ref.as_deref(), Some("refs/tags/v1.0.0"));
    assert_eq!(
        identity.commit.as_deref(),
        Some("06528997c3c8ab9f864fad9a3658446aca7fd86d")
    );
    assert_eq!(
        identity.predicate_type.as_deref(),
        Some("https://slsa.dev/provenance/v0.2")
    );
}

#[test]
fn npm_provenance_v0_3_bundle() {
    let bundle = sample("sigstore-bundle.json");
    let root = TrustRoot::production().unwrap();
    let document = json!({"attestations": [
        {"predicateType": "https://slsa.dev/provenance/v1", "bundle": bundle}
    ]});
    let release = release("2.1.0", subject_integrity(&bundle));
    let (check, _) = verify_npm(&root, "sigstore", &release, &document);
    let ProvenanceCheck::Verified { identity } = check else {
        panic!("{check:?}");
    };
    assert_eq!(
        identity.repository.as_deref(),
        Some("https://github.com/sigstore/sigstore-js")
    );
    assert_eq!(identity.repository_id.as_deref(), Some("495574555"));
    assert_eq!(
        identity.workflow.as_deref(),
        Some(".github/workflows/release.yml")
    );
    assert_eq!(identity.builder.as_deref(), Some("github-hosted"));

    // A policy demanding another issuer fails.
    let digest = bundle::sri_sha512(&subject_integrity(&bundle)).unwrap();
    let error = bundle::verify_dsse(
        &root,
        &bundle,
        Digest::Sha512(&digest),
        Signer::Keyless {
            issuer: Some("https://accounts.google.com"),
        },
    )
    .unwrap_err();
    assert!(error.to_lowercase().contains("issuer"), "{error}");
}

#[test]
fn pypi_pep_740_provenance() {
    let document = sample("pypi-provenance.json");
    let root = TrustRoot::production().unwrap();
    let sha = "0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b";
    let (identity, predicate) =
        pypi::verify_file(&root, "sampleproject-4.0.0.tar.gz", sha, &document).unwrap();
    assert_eq!(
        identity.repository.as_deref(),
        Some("https://github.com/pypa/sampleproject")
    );
    assert_eq!(
        identity.workflow.as_deref(),
        Some(".github/workflows/release.yml")
    );
    assert!(identity.repository_id.is_some(), "{identity:?}");
    assert!(
        predicate.ends_with("/attestations/publish/v1"),
        "{predicate}"
    );

    // Another file's digest, another file name, another declared publisher: all fail.
    let other = "c23e447ea90d796d1e645c35c4b2de125040add12a845825546f91c93f391b6b";
    assert!(pypi::verify_file(&root, "sampleproject-4.0.0.tar.gz", other, &document).is_err());
    assert!(
        pypi::verify_file(
            &root,
            "sampleproject-4.0.0-py3-none-any.whl",
            sha,
            &document
        )
        .is_err()
    );
    let mut impostor = document.clone();
    impostor["attestation_bundles"][0]["publisher"]["repository"] = json!("evil/sampleproject");
    let error = pypi::verify_file(&root, "sampleproject-4.0.0.tar.gz", sha, &impostor).unwrap_err();
    assert!(error.contains("repository"), "{error}");
    let mut workflow = document.clone();
    workflow["attestation_bundles"][0]["publisher"]["workflow"] = json!("other.yml");
    assert!(pypi::verify_file(&root, "sampleproject-4.0.0.tar.gz", sha, &workflow).is_err());
}

#[test]
fn elided_google_provenance_is_invalid_not_a_panic() {
    // The sample's log body and proof hashes are elided: it must fail cleanly.
    let document = sample("pypi-provenance-google.json");
    let root = TrustRoot::production().unwrap();
    let sha = "ab".repeat(32);
    assert!(
        pypi::verify_file(&root, "gcb_attestation_test-0.0.0.tar.gz", &sha, &document).is_err()
    );
}

#[test]
fn npm_registry_signatures_of_real_packuments() {
    let packument = sample("npm-packument-full.json");
    let keys = keys();
    let name = packument["name"].as_str().unwrap();
    for (version, document) in packument["versions"].as_object().unwrap() {
        let mut release = release(
            version,
            document["dist"]["integrity"].as_str().unwrap().into(),
        );
        release.published = packument["time"][version]
            .as_str()
            .map(|t| t.parse().unwrap());
        release.signatures = document["dist"]["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| deptrust::model::facts::RegistrySignature {
                keyid: s["keyid"].as_str().unwrap().into(),
                sig: s["sig"].as_str().unwrap().into(),
            })
            .collect();
        assert!(
            matches!(
                registry_signature::check(name, &release, &keys),
                SignatureCheck::Verified { .. }
            ),
            "{name}@{version}"
        );
        // Another version's message does not verify.
        release.version = format!("{version}-x");
        assert!(matches!(
            registry_signature::check(name, &release, &keys),
            SignatureCheck::Invalid { .. }
        ));
    }
    let trusted = sample("npm-version-trusted-publisher.json");
    let mut release = release(
        trusted["version"].as_str().unwrap(),
        trusted["dist"]["integrity"].as_str().unwrap().into(),
    );
    release.signatures = vec![deptrust::model::facts::RegistrySignature {
        keyid: trusted["dist"]["signatures"][0]["keyid"]
            .as_str()
            .unwrap()
            .into(),
        sig: trusted["dist"]["signatures"][0]["sig"]
            .as_str()
            .unwrap()
            .into(),
    }];
    assert_eq!(
        registry_signature::check(trusted["name"].as_str().unwrap(), &release, &keys),
        SignatureCheck::Verified {
            keyid: "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U".into()
        }
    );
}

#[test]
fn truncated_and_mangled_real_bundles_are_invalid_never_a_panic() {
    let document = sample("npm-attestations.json");
    let root = TrustRoot::production().unwrap();
    let bundle = document["attestations"][0]["bundle"].clone();
    let digest = bundle::sri_sha512(&subject_integrity(&bundle)).unwrap();
    let text = bundle.to_string();
    for cut in (0..text.len()).step_by(text.len() / 40 + 1) {
        if let Ok(value) = serde_json::from_str::<Value>(&text[..cut]) {
            let _ = bundle::verify_dsse(
                &root,
                &value,
                Digest::Sha512(&digest),
                Signer::Keyless { issuer: None },
            );
        }
    }
    // Flip characters inside every base64 field.
    for pointer in [
        "/dsseEnvelope/payload",
        "/dsseEnvelope/signatures/0/sig",
        "/verificationMaterial/x509CertificateChain/certificates/0/rawBytes",
        "/verificationMaterial/tlogEntries/0/canonicalizedBody",
        "/verificationMaterial/tlogEntries/0/inclusionPromise/signedEntryTimestamp",
        "/verificationMaterial/tlogEntries/0/integratedTime",
        "/verificationMaterial/tlogEntries/0/logIndex",
    ] {
        let Some(original) = bundle.pointer(pointer).and_then(Value::as_str) else {
            continue;
        };
        for (position, replacement) in [(10, "Z"), (original.len() / 2, "9"), (0, "")] {
            let mut mangled = bundle.clone();
            let mut changed = original.to_string();
            if position < changed.len() && changed.is_char_boundary(position) {
                changed.replace_range(position..position + 1, replacement);
            }
            *mangled.pointer_mut(pointer).unwrap() = json!(changed);
            if changed != original {
                assert!(
                    bundle::verify_dsse(
                        &root,
                        &mangled,
                        Digest::Sha512(&digest),
                        Signer::Keyless { issuer: None }
                    )
                    .is_err(),
                    "{pointer} changed at {position} still verifies"
                );
            }
        }
    }
}

#[test]
fn a_registry_without_usable_keys_leaves_the_publish_attestation_unchecked_not_invalid() {
    let document = sample("npm-attestations.json");
    let root = TrustRoot::production().unwrap();
    let release = release(
        "1.0.1",
        subject_integrity(&document["attestations"][0]["bundle"]),
    );
    for keys in [
        Fact::unknown_as(
            deptrust::model::facts::UnknownKind::HttpStatus(503),
            "`https://registry.example/-/npm/v1/keys` answered HTTP 503",
        ),
        Fact::Known(Vec::new()),
    ] {
        let (check, checks) = verify_npm_with(&root, "gundam-visor", &release, &document, &keys);
        assert!(
            matches!(check, ProvenanceCheck::Verified { .. }),
            "{check:?}"
        );
        let publish = checks.iter().find(|c| c.subject == "publish").unwrap();
        assert!(
            publish
                .failure
                .as_deref()
                .unwrap()
                .starts_with("not checked: "),
            "{publish:?}"
        );
    }
    // Without a sha512 integrity nothing can be bound: unknown, not invalid.
    let bare = self::release("1.0.1", "sha1-AAAA".into());
    assert!(matches!(
        verify_npm(&root, "gundam-visor", &bare, &document).0,
        ProvenanceCheck::Unknown { .. }
    ));
}

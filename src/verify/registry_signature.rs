//! npm registry signatures: the registry signs `<name>@<version>:<dist.integrity>` with ECDSA
//! P-256 over SHA-256 (ASN.1 DER signature, base64), with a key from `/-/npm/v1/keys` chosen
//! by `keyid`. As in pacote (`lib/registry.js`): a key that expired at or before the
//! version's publish time (or 2015-01-01 when the registry gives none) makes the signature
//! invalid; a signature whose key the registry does not list is unknown; a registry serving
//! no keys signs nothing, so the check does not apply (private registries must not fail).
//! A key or signature that is not of the documented shape (not base64, not a P-256 key) is a
//! registry fault: unknown, never invalid. A well-formed signature that does not match is
//! invalid.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use sigstore_verify::crypto::{SigningScheme, VerificationKey};
use sigstore_verify::types::{DerPublicKey, SignatureBytes};

use super::SignatureCheck;
use crate::model::facts::NpmKey;
use crate::model::facts::{Fact, Release, Unknown};

/// The publish time pacote assumes for a version the registry gives no time for.
const UNDATED: Timestamp = Timestamp::constant(1_420_070_400, 0); // 2015-01-01T00:00:00Z

/// Checks the registry signatures of `name`'s release against the registry's keys.
pub fn check(name: &str, release: &Release, keys: &Fact<Vec<NpmKey>>) -> SignatureCheck {
    let keys = match keys {
        Fact::Unknown(reason) => {
            return SignatureCheck::Unknown {
                reason: reason.map_detail(|reason| {
                    format!("the registry's signing keys are unknown: {reason}")
                }),
            };
        }
        Fact::Known(keys) if keys.is_empty() => {
            return SignatureCheck::NotApplicable {
                reason: "the registry serves no signing keys".into(),
            };
        }
        Fact::Known(keys) => keys,
    };
    if release.signatures.is_empty() {
        return SignatureCheck::Missing;
    }
    let Some(integrity) = &release.integrity else {
        return SignatureCheck::Unknown {
            reason: Unknown::not_recorded(format!(
                "{name}@{} has signatures but no `dist.integrity` to check them against",
                release.version
            )),
        };
    };
    let message = format!("{name}@{}:{integrity}", release.version);
    let published = release.published.unwrap_or(UNDATED);

    let mut unknown_keys = Vec::new();
    let mut failures = Vec::new();
    let mut unchecked = Vec::new();
    for signature in &release.signatures {
        let Some(key) = keys.iter().find(|key| key.keyid == signature.keyid) else {
            unknown_keys.push(signature.keyid.as_str());
            continue;
        };
        match verify_one(key, published, &message, &signature.sig) {
            Ok(()) => {
                return SignatureCheck::Verified {
                    keyid: key.keyid.clone(),
                };
            }
            Err(Failure::Invalid(reason)) => {
                failures.push(format!("key `{}`: {reason}", key.keyid));
            }
            Err(Failure::Malformed(reason)) => {
                unchecked.push(format!("key `{}`: {reason}", key.keyid));
            }
        }
    }
    if !failures.is_empty() {
        return SignatureCheck::Invalid {
            reason: format!(
                "registry signature of {name}@{} does not verify: {}",
                release.version,
                failures.join("; ")
            ),
        };
    }
    if !unchecked.is_empty() {
        return SignatureCheck::Unknown {
            reason: Unknown::malformed(format!(
                "registry signature of {name}@{} could not be checked: {}",
                release.version,
                unchecked.join("; ")
            )),
        };
    }
    SignatureCheck::Unknown {
        reason: Unknown::not_recorded(format!(
            "the registry lists no key with id {} (signature of {name}@{})",
            unknown_keys
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", "),
            release.version
        )),
    }
}

/// Why one signature did not verify.
enum Failure {
    /// Checked, and it does not hold (an expired key, a signature that does not match).
    Invalid(String),
    /// The key or the signature is not of the documented shape (not base64, not a P-256
    /// key): a registry fault, so nothing was checked.
    Malformed(String),
}

/// Verifies one signature with one key.
fn verify_one(
    key: &NpmKey,
    published: Timestamp,
    message: &str,
    signature: &str,
) -> Result<(), Failure> {
    if let Some(expires) = key.expires
        && published >= expires
    {
        return Err(Failure::Invalid(format!(
            "the key expired at {expires}, before the version was published ({published})"
        )));
    }
    let der = STANDARD
        .decode(key.key.trim())
        .map_err(|error| Failure::Malformed(format!("the key is not base64: {error}")))?;
    let key = VerificationKey::from_spki_with_scheme(
        &DerPublicKey::new(der),
        SigningScheme::EcdsaP256Sha256,
    )
    .map_err(|error| Failure::Malformed(format!("the key is not a P-256 public key: {error}")))?;
    let signature = STANDARD
        .decode(signature.trim())
        .map_err(|error| Failure::Malformed(format!("the signature is not base64: {error}")))?;
    key.verify(message.as_bytes(), &SignatureBytes::new(signature))
        .map_err(|_| Failure::Invalid("the signature does not match the release".to_string()))
}

#[cfg(test)]
mod tests {
    use sigstore_verify::crypto::KeyPair;

    use super::*;
    use crate::model::facts::RegistrySignature;

    const INTEGRITY: &str = "sha512-4/RWEeXDO6bocPONheFe6Ci4AL2vXwUlOHK9xVGBx8fGLpGgJGWhZDyM6kNYmQ2QhlF4Vpaq2D2xbKLVmjo2Dw==";

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    struct Signer {
        pair: KeyPair,
        keyid: String,
    }

    impl Signer {
        fn new(keyid: &str) -> Signer {
            Signer {
                pair: KeyPair::generate_ecdsa_p256().unwrap(),
                keyid: keyid.into(),
            }
        }

        fn key(&self, expires: Option<&str>) -> NpmKey {
            NpmKey {
                keyid: self.keyid.clone(),
                keytype: "ecdsa-sha2-nistp256".into(),
                scheme: "ecdsa-sha2-nistp256".into(),
                key: STANDARD.encode(self.pair.public_key_der().unwrap().as_bytes()),
                expires: expires.map(at),
            }
        }

        fn sign(&self, message: &str) -> RegistrySignature {
            RegistrySignature {
                keyid: self.keyid.clone(),
                sig: STANDARD.encode(self.pair.sign(message.as_bytes()).unwrap().as_bytes()),
            }
        }
    }

    fn release(signatures: Vec<RegistrySignature>) -> Release {
        Release {
            integrity: Some(INTEGRITY.into()),
            signatures,
            ..Release::new(
                "0.0.2",
                Some(at("2024-06-01T00:00:00Z")),
                Fact::Known(None),
                Fact::Known(crate::model::facts::Provenance::None),
            )
        }
    }

    const NAME: &str = "@scope/pkg";

    fn message() -> String {
        format!("{NAME}@0.0.2:{INTEGRITY}")
    }

    #[test]
    fn a_valid_signature_verifies() {
        let signer = Signer::new("SHA256:test");
        let release = release(vec![signer.sign(&message())]);
        let keys = Fact::Known(vec![signer.key(None)]);
        assert_eq!(
            check(NAME, &release, &keys),
            SignatureCheck::Verified {
                keyid: "SHA256:test".into()
            }
        );
        // Still valid when the key expired after the version was published.
        let keys = Fact::Known(vec![signer.key(Some("2025-01-29T00:00:00Z"))]);
        assert!(matches!(
            check(NAME, &release, &keys),
            SignatureCheck::Verified { .. }
        ));
    }

    #[test]
    fn tampered_integrity_is_invalid() {
        let signer = Signer::new("SHA256:test");
        let mut release = release(vec![signer.sign(&message())]);
        release.integrity = Some(INTEGRITY.replace("4/RW", "5/RW"));
        let SignatureCheck::Invalid { reason } =
            check(NAME, &release, &Fact::Known(vec![signer.key(None)]))
        else {
            panic!("not invalid");
        };
        assert!(reason.contains("does not match"), "{reason}");
        // Another package's name or version does not verify either.
        let release = self::release(vec![signer.sign(&message())]);
        assert!(matches!(
            check("pkg", &release, &Fact::Known(vec![signer.key(None)])),
            SignatureCheck::Invalid { .. }
        ));
    }

    #[test]
    fn a_signature_by_another_key_is_invalid() {
        let signer = Signer::new("SHA256:test");
        let impostor = Signer::new("SHA256:test");
        let release = release(vec![impostor.sign(&message())]);
        assert!(matches!(
            check(NAME, &release, &Fact::Known(vec![signer.key(None)])),
            SignatureCheck::Invalid { .. }
        ));
    }

    #[test]
    fn an_unknown_keyid_is_unknown() {
        let signer = Signer::new("SHA256:other");
        let listed = Signer::new("SHA256:listed");
        let release = release(vec![signer.sign(&message())]);
        let SignatureCheck::Unknown { reason } =
            check(NAME, &release, &Fact::Known(vec![listed.key(None)]))
        else {
            panic!("not unknown");
        };
        assert!(reason.contains("`SHA256:other`"), "{reason}");
    }

    #[test]
    fn a_key_expired_before_publishing_is_invalid() {
        let signer = Signer::new("SHA256:old");
        let release = release(vec![signer.sign(&message())]);
        let keys = Fact::Known(vec![signer.key(Some("2024-01-01T00:00:00Z"))]);
        let SignatureCheck::Invalid { reason } = check(NAME, &release, &keys) else {
            panic!("not invalid");
        };
        assert!(reason.contains("expired"), "{reason}");
        // Undated versions count as published on 2015-01-01, as pacote does.
        let mut undated = release.clone();
        undated.published = None;
        let keys = Fact::Known(vec![signer.key(Some("2014-12-31T00:00:00Z"))]);
        assert!(matches!(
            check(NAME, &undated, &keys),
            SignatureCheck::Invalid { .. }
        ));
    }

    #[test]
    fn one_good_signature_among_several_is_enough() {
        let old = Signer::new("SHA256:old");
        let new = Signer::new("SHA256:new");
        let release = release(vec![
            RegistrySignature {
                keyid: "SHA256:gone".into(),
                sig: "AAAA".into(),
            },
            new.sign(&message()),
        ]);
        let keys = Fact::Known(vec![old.key(Some("2025-01-29T00:00:00Z")), new.key(None)]);
        assert_eq!(
            check(NAME, &release, &keys),
            SignatureCheck::Verified {
                keyid: "SHA256:new".into()
            }
        );
    }

    /// Issue 11 item 5: a key or a signature that is not base64 (or no P-256 key) is a
    /// registry fault, unknown with the reason; a well-formed one that does not match is
    /// invalid.
    #[test]
    fn malformed_keys_and_signatures_are_unknown_and_mismatches_invalid() {
        let signer = Signer::new("SHA256:test");
        let good = signer.sign(&message());
        for (sig, expected) in [
            (STANDARD.encode(b"not der"), "does not match"),
            (String::new(), "does not match"),
        ] {
            let release = release(vec![RegistrySignature {
                keyid: "SHA256:test".into(),
                sig,
            }]);
            match check(NAME, &release, &Fact::Known(vec![signer.key(None)])) {
                SignatureCheck::Invalid { reason } => {
                    assert!(reason.contains(expected), "{reason} lacks {expected}")
                }
                other => panic!("{other:?}"),
            }
        }
        let cases: Vec<(NpmKey, String, &str)> = vec![
            (
                signer.key(None),
                "%%%".into(),
                "the signature is not base64",
            ),
            (
                NpmKey {
                    key: "%%%".into(),
                    ..signer.key(None)
                },
                good.sig.clone(),
                "key is not base64",
            ),
            (
                NpmKey {
                    key: STANDARD.encode(b"\x30\x03\x02\x01\x01"),
                    ..signer.key(None)
                },
                good.sig.clone(),
                "not a P-256 public key",
            ),
            (
                NpmKey {
                    key: String::new(),
                    ..signer.key(None)
                },
                good.sig.clone(),
                "not a P-256 public key",
            ),
        ];
        for (key, sig, expected) in cases {
            let release = release(vec![RegistrySignature {
                keyid: "SHA256:test".into(),
                sig,
            }]);
            match check(NAME, &release, &Fact::Known(vec![key])) {
                SignatureCheck::Unknown { reason } => {
                    assert!(
                        reason.starts_with(&format!(
                            "registry signature of {NAME}@0.0.2 could not be checked: key `SHA256:test`: "
                        )),
                        "{reason}"
                    );
                    assert!(reason.contains(expected), "{reason} lacks {expected}")
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn registries_without_keys_or_signatures() {
        let signer = Signer::new("SHA256:test");
        assert!(matches!(
            check(
                NAME,
                &release(vec![signer.sign(&message())]),
                &Fact::Known(Vec::new())
            ),
            SignatureCheck::NotApplicable { .. }
        ));
        assert_eq!(
            check(
                NAME,
                &release(Vec::new()),
                &Fact::Known(vec![signer.key(None)])
            ),
            SignatureCheck::Missing
        );
        assert!(matches!(
            check(
                NAME,
                &release(vec![signer.sign(&message())]),
                &Fact::unknown("timed out")
            ),
            SignatureCheck::Unknown { .. }
        ));
        let mut no_integrity = release(vec![signer.sign(&message())]);
        no_integrity.integrity = None;
        assert!(matches!(
            check(NAME, &no_integrity, &Fact::Known(vec![signer.key(None)])),
            SignatureCheck::Unknown { .. }
        ));
    }
}

//! Verification: what the signatures and attestations of a release prove, checked here
//! rather than taken from the registry's word. Pure functions of the documents the registry
//! clients fetched, the registry's keys and a Sigstore trusted root: no network, no clock.
//!
//! Supported (formats: the Sigstore bundle <https://docs.sigstore.dev/about/bundle/>, PEP 740
//! <https://peps.python.org/pep-0740/>, npm provenance
//! <https://docs.npmjs.com/generating-provenance-statements>; recorded samples in
//! `fixtures/samples/`):
//! - npm registry signatures ([`registry_signature`]): ECDSA P-256 / SHA-256 over
//!   `<name>@<version>:<dist.integrity>`, key chosen by `keyid` from `/-/npm/v1/keys`; a key
//!   that expired before the version was published does not count.
//! - npm provenance ([`npm`]): every Sigstore bundle (v0.1, v0.2, v0.3) of the attestations
//!   document, verified against the trusted root (certificate chain, SCT, transparency-log
//!   inclusion proof or signed entry timestamp, DSSE signature); the in-toto subject must be
//!   the purl of this package and version with the SHA-512 of `dist.integrity`. The npm
//!   publish attestation is verified with the registry's key.
//! - PyPI PEP 740 ([`pypi`]): each attestation of each file of the version in use, converted
//!   to a v0.3 bundle; the subject is the file name and its SHA-256; the certificate must match
//!   the trusted publisher the bundle declares (GitHub repository + workflow (+ environment),
//!   GitLab project + workflow path, Google service account).
//! - crates.io trusted publishing: `trustpub_data` recorded as registry-asserted (unsigned).
//!
//! A registry fault is never a verdict. A document of the wrong shape (an attestations document
//! or a PEP 740 provenance object without its list, an entry or bundle that is not an object,
//! a Sigstore bundle that does not decode, an attestation without its certificate, statement or
//! signature) makes the provenance *unknown* ([`ProvenanceCheck::Unknown`]); only a well-formed
//! attestation that fails verification (signature, certificate chain, transparency log,
//! subject, identity) makes it *invalid*. The same holds for registry signatures: a signature
//! or key that is not base64 is unknown, one that does not verify is invalid.
//!
//! Not supported: keys from npm's TUF target (the keys endpoint is used); bundles with several
//! DSSE signatures; GitLab and Google identities on npm provenance beyond what the certificate
//! says; checking a PyPI file's digest against the lockfile's own hash (the index's digest is
//! the subject checked).

pub mod bundle;
pub mod npm;
pub mod pypi;
pub mod registry_signature;

use serde_json::Value;

/// "an object", "a string"… for reasons that say what a document holds where another shape was
/// expected.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

pub use crate::model::verification::{
    AttestationCheck, BuildIdentity, ProvenanceCheck, SignatureCheck, Verification,
};

//! What several test modules share: the real samples of `../shared/api/samples` (read in place,
//! never copied; the folder exists here and in CI, and a test given `None` checks nothing) and
//! the npm integrity an attestation's statement names.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// A JSON sample from `../shared/api/samples`, or `None` when the folder is absent.
pub(crate) fn shared_sample(name: &str) -> Option<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/api/samples")
        .join(name);
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

/// The `sha512-<base64>` (npm `dist.integrity`) of the first subject of a bundle's statement.
pub(crate) fn subject_integrity(bundle: &Value) -> String {
    let payload = STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let statement: Value = serde_json::from_slice(&payload).unwrap();
    let hex = statement["subject"][0]["digest"]["sha512"]
        .as_str()
        .unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    format!("sha512-{}", STANDARD.encode(bytes))
}

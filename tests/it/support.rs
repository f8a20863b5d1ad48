//! What several test modules share: the real samples recorded in `fixtures/samples` (origins in
//! `fixtures/README.md`; a missing one fails the test) and the npm integrity an attestation's
//! statement names.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// The path of a recorded sample in `fixtures/samples`.
pub(crate) fn sample_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/samples")
        .join(name)
}

/// A JSON sample from `fixtures/samples`; a missing or unreadable sample fails the test.
pub(crate) fn sample(name: &str) -> Value {
    let path = sample_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("recorded sample {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("sample {}: {e}", path.display()))
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

/// A URL on `localhost` where nothing listens. `localhost`, not `127.0.0.1`: the crates.io API
/// host is paced at one request per second, keyed by host without port, so a dead crates.io API
/// on `127.0.0.1` would pace every other mock (all on `127.0.0.1`) too.
pub(crate) fn refused_localhost() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://localhost:{port}/")
}

/// A package of a scan JSON report, by id; a missing one fails the test.
pub(crate) fn package<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|project| project["packages"].as_array().unwrap())
        .find(|package| package["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in the report: {report:#}"))
}

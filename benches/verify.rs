//! `cargo bench --bench verify`: verifying 1,000 Sigstore bundles offline (issue 4's target:
//! under 2 s on a 2-core machine). The bundles are the real ones in
//! `fixtures/samples/` (npm provenance v0.1, v0.2 and v0.3, npm publish attestations
//! signed with the registry key, and a PyPI PEP 740 attestation), verified in turn until 1,000
//! verifications have run. Each is a full verification (certificate chain, SCT, log proof or
//! signed entry timestamp, DSSE signature, subject): the cache of results sits above this
//! layer and is not involved.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark harness: a failed setup stops the measurement with its reason"
)]
#![expect(clippy::print_stdout, reason = "a bench binary reports on stdout")]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use deptrust::verify::bundle::{self, Digest, Signer, TrustRoot};
use deptrust::verify::pypi;

const TOTAL: usize = 1_000;
const TARGET: Duration = Duration::from_secs(2);

struct Case {
    bundle: Value,
    digest: Vec<u8>,
    key: Option<Vec<u8>>,
}

fn sha512_of_subject(bundle: &Value) -> Vec<u8> {
    let payload = STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let statement: Value = serde_json::from_slice(&payload).unwrap();
    let hex = statement["subject"][0]["digest"]["sha512"]
        .as_str()
        .unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/samples");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let keys = read("npm-keys.json");
    let npm_key = |hint: &str| -> Vec<u8> {
        let key = keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["keyid"] == hint)
            .unwrap();
        STANDARD.decode(key["key"].as_str().unwrap()).unwrap()
    };
    let mut cases = Vec::new();
    for document in [
        read("npm-attestations.json"),
        read("npm-attestations-slsa-v0.2-bundle-v0.1.json"),
    ] {
        for entry in document["attestations"].as_array().unwrap() {
            let bundle = entry["bundle"].clone();
            let key = bundle
                .pointer("/verificationMaterial/publicKey/hint")
                .and_then(Value::as_str)
                .map(npm_key);
            cases.push(Case {
                digest: sha512_of_subject(&bundle),
                bundle,
                key,
            });
        }
    }
    let v03 = read("sigstore-bundle.json");
    cases.push(Case {
        digest: sha512_of_subject(&v03),
        bundle: v03,
        key: None,
    });
    let pypi_document = read("pypi-provenance.json");
    let pypi_bundle =
        pypi::to_bundle(&pypi_document["attestation_bundles"][0]["attestations"][0]).unwrap();
    let pypi_digest =
        bundle::hex_sha256("0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b")
            .unwrap();

    let root = TrustRoot::production().unwrap();
    // Warm up (and prove every case verifies).
    for case in &cases {
        verify(&root, case);
    }
    let started = Instant::now();
    let mut done = 0;
    while done < TOTAL {
        for case in &cases {
            if done == TOTAL {
                break;
            }
            verify(&root, case);
            done += 1;
        }
        if done < TOTAL {
            bundle::verify_dsse(
                &root,
                &pypi_bundle,
                Digest::Sha256(&pypi_digest),
                Signer::Keyless {
                    issuer: Some("https://token.actions.githubusercontent.com"),
                },
            )
            .unwrap();
            done += 1;
        }
    }
    let elapsed = started.elapsed();
    println!(
        "verify bench: {TOTAL} bundles ({} distinct: npm v0.1/v0.2/v0.3 provenance, npm publish attestations, PyPI PEP 740) in {:.1} ms, {:.3} ms per bundle; target {} ms: {:.1}x under",
        cases.len() + 1,
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e3 / TOTAL as f64,
        TARGET.as_millis(),
        TARGET.as_secs_f64() / elapsed.as_secs_f64()
    );
}

fn verify(root: &TrustRoot, case: &Case) {
    let signer = match &case.key {
        Some(key) => Signer::Key(key),
        None => Signer::Keyless { issuer: None },
    };
    bundle::verify_dsse(root, &case.bundle, Digest::Sha512(&case.digest), signer).unwrap();
}

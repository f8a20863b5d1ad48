//! What the client tests share: the recorded real samples of `fixtures/samples/` (origins in
//! `fixtures/README.md`), the constructed responses of
//! `fixtures/registry/<service>/`, and a network layer without retries, so a fault answers at
//! once (retries are the network layer's, tested there).

use std::sync::Arc;

use crate::net::{Net, NetConfig};

/// A recorded response from `fixtures/samples/`; a missing sample fails the test.
pub(crate) fn sample_text(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/samples/");
    fs_err::read_to_string(format!("{path}{name}")).expect("a recorded sample of fixtures/samples")
}

/// A recorded JSON response from `fixtures/samples/`.
pub(crate) fn sample_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&sample_text(name)).expect("a JSON sample")
}

/// A constructed response under `fixtures/registry/<service>/`.
pub(crate) fn fixture_bytes(service: &str, name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/registry/");
    fs_err::read(format!("{path}{service}/{name}")).expect("a fixture")
}

/// A network layer without retries, its clock at the Unix epoch.
pub(crate) fn quick_net() -> Arc<Net> {
    let config = NetConfig {
        max_retries: 0,
        ..NetConfig::default()
    };
    Net::new(config, jiff::Timestamp::UNIX_EPOCH).expect("the net layer")
}

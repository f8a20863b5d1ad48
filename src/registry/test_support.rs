//! What the client tests share: the recorded real samples of `fixtures/samples/` (origins in
//! `fixtures/README.md`), the constructed responses of
//! `fixtures/registry/<service>/`, and a network layer without retries, so a fault answers at
//! once (retries are the network layer's, tested there); and the few accessors every client's
//! tests read facts with.

use std::sync::Arc;

use jiff::Timestamp;

use crate::model::facts::{Fact, PackageFacts, Release};
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

/// A timestamp the test writes (RFC 3339).
pub(crate) fn at(text: &str) -> Option<Timestamp> {
    Some(text.parse().expect("a timestamp"))
}

/// The known releases of `facts`.
pub(crate) fn releases(facts: &PackageFacts) -> &[Release] {
    facts.releases.known().expect("releases are known")
}

/// The release `version` of `facts`.
pub(crate) fn find<'a>(facts: &'a PackageFacts, version: &str) -> &'a Release {
    releases(facts)
        .iter()
        .find(|r| r.version == version)
        .expect("the release")
}

/// Why `fact` is unknown; a known fact fails the test.
pub(crate) fn unknown_reason<T: std::fmt::Debug>(fact: &Fact<T>) -> &str {
    match fact {
        Fact::Unknown(reason) => reason,
        Fact::Known(value) => panic!("expected unknown, got {value:?}"),
    }
}

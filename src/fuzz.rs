//! Entry points for fuzzing: the `cargo fuzz` targets in `fuzz/` call them with the fuzzer's
//! bytes, and the regression tests (`tests/it/fuzz_regressions.rs`) replay every input the
//! fuzzer kept in `fuzz/regressions/` through them on stable Rust.
//!
//! Each function takes arbitrary bytes and must return, whatever they are: errors and unknown
//! facts are expected outcomes, a panic, a hang or unbounded memory is a bug. They run the same
//! code as a scan (parsers, graph, config, each registry client's decoders, Sigstore
//! verification) without the network or the file system of a project. Not a stable API.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use url::Url;

use crate::config::Config;
use crate::lockfile::{self, ReadOptions};
use crate::model::facts::{Fact, Release};
use crate::net::{Net, NetConfig};
use crate::registry::crates_io::dump::CratesDbDump;
use crate::registry::{crates_io, github, npm, pypi};
use crate::verify::bundle::TrustRoot;

/// The lockfile names `lockfile` is fuzzed under: one per parser (a `requirements.txt` and
/// both `yarn.lock` formats, told apart by content).
pub const LOCKFILE_NAMES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "uv.lock",
    "poetry.lock",
    "Pipfile.lock",
    "pdm.lock",
    "requirements.txt",
];

/// A directory that does not exist: manifests beside the lockfile and `-r` includes are
/// looked up there and not found, as for a lockfile scanned alone.
const NOWHERE: &str = "/nonexistent/deptrust-fuzz";

/// Parses `data` as the lockfile `file_name` and builds its graph.
pub fn lockfile(file_name: &str, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(NOWHERE).join(file_name);
    if let Ok(parsed) = lockfile::parse_text(&path, text, ReadOptions::default()) {
        crate::graph::build(parsed);
    }
}

/// Parses `data` as `deptrust.toml`.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Config::parse(text, Path::new("deptrust.toml"));
}

/// Decodes `data` as an npm registry document (the first byte picks which).
pub fn npm(data: &[u8]) {
    static CLIENT: OnceLock<Option<npm::NpmClient>> = OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        let net = offline_net()?;
        let base = Url::parse("https://registry.npmjs.invalid/").ok()?;
        Some(npm::NpmClient::new(net, base))
    });
    if let Some(client) = client {
        npm::fuzz(client, data);
    }
}

/// Decodes `data` as a PyPI document (the first byte picks which).
pub fn pypi(data: &[u8]) {
    pypi::fuzz(data);
}

/// Decodes `data` as a crates.io index file or API document (the first byte picks which).
pub fn crates_io(data: &[u8]) {
    crates_io::fuzz(data);
}

/// Decodes `data` as a GitHub repository document.
pub fn github(data: &[u8]) {
    github::fuzz(data);
}

/// Loads `data` as a crates.io database dump: its parts, split at each `0xFF` byte (never in
/// UTF-8 text), are `crates.csv`, `versions.csv`, `crate_owners.csv`, `users.csv`, `teams.csv`
/// and `metadata.json`, written to a directory of this process.
pub fn crates_dump(data: &[u8]) {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    let Some(root) = DIR.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("deptrust-fuzz-dump-{}", std::process::id()));
        std::fs::create_dir_all(root.join("data")).ok()?;
        Some(root)
    }) else {
        return;
    };
    let mut parts = data.split(|byte| *byte == 0xFF);
    let files = [
        "data/crates.csv",
        "data/versions.csv",
        "data/crate_owners.csv",
        "data/users.csv",
        "data/teams.csv",
        "metadata.json",
    ];
    for file in files {
        let written = match parts.next() {
            Some(part) => std::fs::write(root.join(file), part),
            None => match std::fs::remove_file(root.join(file)) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
                _ => Ok(()),
            },
        };
        if written.is_err() {
            return;
        }
    }
    let wanted: BTreeSet<String> = ["serde", "pkg", "a"].map(String::from).into();
    if let Ok(dump) = CratesDbDump::load(root, &wanted) {
        for name in &wanted {
            dump.crate_facts(name);
        }
    }
}

/// Verifies `data` as Sigstore attestations: as an npm attestations document (each bundle
/// against a release with a fixed integrity) and as a PyPI provenance document (against a
/// file with a fixed digest), under the embedded production root.
pub fn sigstore(data: &[u8]) {
    static ROOT: OnceLock<Option<TrustRoot>> = OnceLock::new();
    let Some(root) = ROOT.get_or_init(|| TrustRoot::production().ok()) else {
        return;
    };
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(entries) = crate::verify::npm::entries(&document) {
        let release = Release {
            integrity: Some(format!("sha512-{}", "A".repeat(86) + "==")),
            ..Release::new(
                "1.0.0",
                None,
                Fact::Known(None),
                Fact::unknown_as(crate::model::facts::UnknownKind::Other, "fuzzing"),
            )
        };
        for entry in &entries {
            let _ = crate::verify::npm::verify_entry(
                root,
                "pkg",
                &release,
                entry,
                &Fact::Known(Vec::new()),
            );
        }
    }
    if crate::verify::pypi::check_document(&document).is_ok() {
        let _ =
            crate::verify::pypi::verify_file(root, "pkg-1.0.0.tar.gz", &"0".repeat(64), &document);
    }
}

/// A network layer that never connects (offline, no cache), for clients that need one.
fn offline_net() -> Option<Arc<Net>> {
    let config = NetConfig {
        offline: true,
        cache_dir: None,
        ..NetConfig::default()
    };
    Net::new(config, jiff::Timestamp::UNIX_EPOCH).ok()
}

//! What several benchmarks share: a loopback sparse-index responder and a timed run of the
//! deptrust binary. Each bench is its own crate and uses part of this.
#![allow(dead_code, reason = "each bench uses only part of it")]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use wiremock::{Request, Respond, ResponseTemplate};

/// Any sparse-index path `…/<name>`: one release (1.0.0) of that crate, after `delay`.
pub(crate) struct IndexFile {
    pub(crate) delay: Duration,
}

impl Respond for IndexFile {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let name = request.url.path().rsplit('/').next().unwrap_or_default();
        let body = format!(
            r#"{{"name":"{name}","vers":"1.0.0","deps":[],"cksum":"{}","features":{{}},"yanked":false}}"#,
            "a".repeat(64)
        );
        ResponseTemplate::new(200)
            .set_body_raw(body, "text/plain")
            .set_delay(self.delay)
    }
}

/// A crates.io API that answers every crate: its owners (one user) and its document (one
/// version, 1.0.0, published by that user, no repository), at once and without a pace of its
/// own. Under any base path: `…/api/v1/crates/<name>` and `…/api/v1/crates/<name>/owners`.
pub(crate) struct CratesApi;

impl Respond for CratesApi {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let segments: Vec<&str> = request.url.path().rsplit('/').take(4).collect();
        let body = match segments.as_slice() {
            ["owners", _, "crates", "v1"] => {
                r#"{"users":[{"id":7,"login":"alice","kind":"user"}]}"#.to_string()
            }
            [name, "crates", "v1", "api"] => format!(
                r#"{{"crate":{{"name":"{name}","repository":null}},"versions":[{{"num":"1.0.0","created_at":"2024-01-01T00:00:00Z","published_by":{{"id":7,"login":"alice"}}}}]}}"#
            ),
            _ => return ResponseTemplate::new(404),
        };
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

/// Runs deptrust once with stdout discarded and `DEPTRUST_CONFIG` unset: wall time, peak RSS
/// in kB (from `/usr/bin/time -f %M` when `time`), and what it printed on stderr.
pub(crate) fn timed(
    deptrust: &Path,
    args: &[String],
    time: bool,
) -> (Duration, Option<u64>, Output) {
    let report = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("a temporary file: {e}"));
    let mut command = if time {
        let mut command = Command::new("/usr/bin/time");
        command
            .args(["-f", "%M", "-o"])
            .arg(report.path())
            .arg(deptrust);
        command
    } else {
        Command::new(deptrust)
    };
    command
        .args(args)
        .env_remove("DEPTRUST_CONFIG")
        .env("DEPTRUST_NO_CARGO_METADATA", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("deptrust runs: {e}"));
    let elapsed = start.elapsed();
    let peak = std::fs::read_to_string(report.path())
        .ok()
        .and_then(|text| text.lines().last()?.trim().parse::<u64>().ok());
    (elapsed, peak, output)
}

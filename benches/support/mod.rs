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

//! Exposure history: the monthly view for leadership. `deptrust scan --history FILE` reads the
//! scores earlier runs recorded in FILE, puts the previous run's beside each score of the report
//! (the trend), and appends this run. A plain JSON file, so it can be committed, kept as a CI
//! artifact, or charted:
//!
//! ```json
//! {"schema_version": 1,
//!  "runs": [{"at": "2026-10-28T12:00:00Z", "exposure_score": 28.0,
//!            "projects": {"package-lock.json": 28.0}}]}
//! ```
//!
//! Pure: `app::scan` reads and writes the file, `ScanReport::annotate_and_record` puts a run in. The oldest runs beyond [`MAX_RUNS`] are dropped.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Version of the history file.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// Runs kept (about eight years of daily runs).
pub(crate) const MAX_RUNS: usize = 3_000;

/// The history file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Oldest first.
    pub runs: Vec<Run>,
}

impl Default for History {
    fn default() -> Self {
        History {
            schema_version: SCHEMA_VERSION,
            runs: Vec::new(),
        }
    }
}

/// One recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    /// The run's clock.
    pub at: Timestamp,
    /// Its overall exposure score.
    pub exposure_score: f64,
    /// Each project's exposure score, by lockfile.
    pub projects: BTreeMap<String, f64>,
}

/// An earlier score, for a trend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Previous {
    /// When it was recorded.
    pub at: Timestamp,
    /// The score then.
    pub exposure_score: f64,
}

/// A history file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("history `{path}`: {reason}")]
pub struct HistoryError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

impl History {
    /// Parses a history file's text.
    pub fn parse(text: &str, path: &str) -> Result<History, HistoryError> {
        let history: History = serde_json::from_str(text).map_err(|error| HistoryError {
            path: path.to_string(),
            reason: format!("not a deptrust history file: {error}"),
        })?;
        if history.schema_version != SCHEMA_VERSION {
            return Err(HistoryError {
                path: path.to_string(),
                reason: format!(
                    "schema_version {} (this deptrust reads {SCHEMA_VERSION})",
                    history.schema_version
                ),
            });
        }
        Ok(history)
    }

    /// The latest run strictly before `at` (a run at or after it is not "earlier").
    pub fn latest_before(&self, at: Timestamp) -> Option<&Run> {
        self.runs
            .iter()
            .filter(|run| run.at < at)
            .max_by_key(|run| run.at)
    }

    /// Records a run, keeping the runs in time order and at most [`MAX_RUNS`] of them.
    pub fn record(&mut self, run: Run) {
        self.runs.push(run);
        self.runs.sort_by_key(|run| run.at);
        if self.runs.len() > MAX_RUNS {
            let excess = self.runs.len() - MAX_RUNS;
            self.runs.drain(..excess);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{Gate, ProjectResult, SCHEMA_VERSION as SCAN_SCHEMA, ScanReport, Summary};

    fn report(at: &str, scores: &[(&str, f64)], overall: f64) -> ScanReport {
        ScanReport {
            schema_version: SCAN_SCHEMA,
            now: at.parse().unwrap(),
            exposure_score: overall,
            previous: None,
            gate: Gate {
                passed: true,
                unevaluated: false,
                reasons: Vec::new(),
            },
            coverage: Default::default(),
            projects: scores
                .iter()
                .map(|(lockfile, score)| ProjectResult {
                    lockfile: lockfile.to_string(),
                    ecosystem: "npm".into(),
                    exposure_score: *score,
                    previous: None,
                    summary: Summary::default(),
                    coverage: Default::default(),
                    packages: Vec::new(),
                })
                .collect(),
            exceptions: Vec::new(),
            errors: Vec::new(),
        }
    }

    #[test]
    fn each_run_sees_the_previous_one_and_is_recorded() {
        let mut history = History::default();
        let mut first = report("2026-10-28T12:00:00Z", &[("a.lock", 28.0)], 28.0);
        first.annotate_and_record(&mut history);
        assert_eq!(first.previous, None);

        let mut second = report(
            "2026-11-28T12:00:00Z",
            &[("a.lock", 32.1), ("new.lock", 5.0)],
            35.5,
        );
        second.annotate_and_record(&mut history);
        assert_eq!(second.previous.unwrap().exposure_score, 28.0);
        assert_eq!(second.projects[0].previous.unwrap().exposure_score, 28.0);
        assert_eq!(
            second.projects[1].previous, None,
            "a new project has no trend"
        );
        assert_eq!(history.runs.len(), 2);

        // Round trip through the file format.
        let text = serde_json::to_string(&history).unwrap();
        assert_eq!(History::parse(&text, "h.json").unwrap(), history);
        // A run "in the past" (a pinned clock) compares with what came before it only.
        let mut replayed = report("2026-11-01T00:00:00Z", &[("a.lock", 1.0)], 1.0);
        replayed.annotate_and_record(&mut history);
        assert_eq!(replayed.previous.unwrap().exposure_score, 28.0);
        assert_eq!(history.runs[1].at, replayed.now, "kept in time order");
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        for text in [
            "",
            "[]",
            "{\"schema_version\": 2, \"runs\": []}",
            "{\"runs\": 3}",
        ] {
            let error = History::parse(text, "h.json").unwrap_err();
            assert!(error.to_string().starts_with("history `h.json`"), "{error}");
        }
    }

    #[test]
    fn old_runs_are_dropped_beyond_the_cap() {
        let mut history = History::default();
        for day in 0..(MAX_RUNS + 5) {
            history.runs.push(Run {
                at: Timestamp::from_second(i64::try_from(day).unwrap() * 86_400).unwrap(),
                exposure_score: 1.0,
                projects: BTreeMap::new(),
            });
        }
        let mut latest = report("2040-01-01T00:00:00Z", &[], 2.0);
        latest.annotate_and_record(&mut history);
        assert_eq!(history.runs.len(), MAX_RUNS);
        assert_eq!(history.runs.last().unwrap().exposure_score, 2.0);
    }
}

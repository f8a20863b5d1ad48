//! Snapshots: every fact a run used, written in a stable order (`--snapshot FILE`), so a CI
//! decision can be reproduced and audited later by running from it with no network
//! (`--replay FILE`).
//!
//! The file is JSON: `{"schema_version": 1, "now": "<RFC 3339>", "facts": [PackageFacts…]}`,
//! facts sorted by id. A package the replayed snapshot does not hold gets every fact unknown.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::facts::PackageFacts;
use super::gather::unknown_facts;
use crate::model::PackageId;

/// The schema version of snapshot files.
pub const SCHEMA_VERSION: u32 = 1;

/// A snapshot file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The clock of the run that wrote it.
    pub now: jiff::Timestamp,
    /// Every fact the run used, sorted by id.
    pub facts: Vec<PackageFacts>,
}

/// Why a snapshot could not be written or read. Names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Reading or writing failed.
    #[error("snapshot `{path}`: {source}", path = .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a snapshot.
    #[error("snapshot `{path}` is not a deptrust snapshot: {message}", path = .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Snapshot {
    /// A snapshot of these facts (sorted here).
    pub fn new(now: jiff::Timestamp, mut facts: Vec<PackageFacts>) -> Self {
        facts.sort_by(|a, b| a.id.cmp(&b.id));
        facts.dedup_by(|a, b| a.id == b.id);
        Snapshot {
            schema_version: SCHEMA_VERSION,
            now,
            facts,
        }
    }

    /// Writes the snapshot (pretty JSON, atomically: a temporary file renamed into place).
    pub fn write(&self, path: &Path) -> Result<(), SnapshotError> {
        let io = |source| SnapshotError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| io(std::io::Error::other(e.to_string())))?;
        text.push('\n');
        let temporary = path.with_extension("tmp-deptrust");
        std::fs::write(&temporary, text).map_err(io)?;
        std::fs::rename(&temporary, path).map_err(io)
    }

    /// Reads a snapshot.
    pub fn read(path: &Path, max_bytes: u64) -> Result<Self, SnapshotError> {
        let io = |source| SnapshotError::Io {
            path: path.to_path_buf(),
            source,
        };
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > max_bytes {
            return Err(SnapshotError::Invalid {
                path: path.to_path_buf(),
                message: format!("{size} bytes, over the limit of {max_bytes}"),
            });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let snapshot: Snapshot =
            serde_json::from_str(&text).map_err(|e| SnapshotError::Invalid {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        if snapshot.schema_version != SCHEMA_VERSION {
            return Err(SnapshotError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "schema_version {} (this deptrust reads {SCHEMA_VERSION})",
                    snapshot.schema_version
                ),
            });
        }
        Ok(snapshot)
    }

    /// The facts of these packages as recorded; a package not recorded gets every fact
    /// unknown, naming the snapshot.
    pub fn replay(&self, packages: &[PackageId], path: &Path) -> Vec<PackageFacts> {
        let recorded: BTreeMap<&str, &PackageFacts> =
            self.facts.iter().map(|f| (f.id.as_str(), f)).collect();
        let mut out: Vec<PackageFacts> = packages
            .iter()
            .map(|id| match recorded.get(id.to_string().as_str()) {
                Some(facts) => (*facts).clone(),
                None => unknown_facts(
                    id,
                    &format!(
                        "`{id}` is not in the replayed snapshot `{}`",
                        path.display()
                    ),
                ),
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ecosystem;

    #[test]
    fn round_trips_and_replays() {
        let now: jiff::Timestamp = "2026-11-28T12:00:00Z".parse().unwrap();
        let a = PackageId::new(Ecosystem::Npm, "a", "1.0.0");
        let b = PackageId::new(Ecosystem::Npm, "b", "2.0.0");
        let snapshot = Snapshot::new(now, vec![unknown_facts(&b, "x"), unknown_facts(&a, "y")]);
        assert_eq!(snapshot.facts[0].id, "npm:a@1.0.0");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("facts.json");
        snapshot.write(&path).unwrap();
        let read = Snapshot::read(&path, 1 << 20).unwrap();
        assert_eq!(read, snapshot);
        let c = PackageId::new(Ecosystem::Npm, "c", "3.0.0");
        let replayed = read.replay(&[c, a], &path);
        assert_eq!(replayed[0].id, "npm:a@1.0.0");
        assert!(format!("{:?}", replayed[1].owners).contains("not in the replayed snapshot"));
    }

    #[test]
    fn refuses_what_is_not_a_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("facts.json");
        std::fs::write(
            &path,
            "{\"schema_version\": 9, \"now\": \"2026-01-01T00:00:00Z\", \"facts\": []}",
        )
        .unwrap();
        let error = Snapshot::read(&path, 1 << 20).unwrap_err().to_string();
        assert!(error.contains("schema_version 9"), "{error}");
        std::fs::write(&path, "garbage").unwrap();
        assert!(Snapshot::read(&path, 1 << 20).is_err());
    }
}

//! Snapshots: every fact a run used, written in a stable order (`--snapshot FILE`), so a CI
//! decision can be reproduced and audited later by running from it with no network
//! (`--replay FILE`).
//!
//! # Format
//!
//! The file is JSON, written compactly:
//!
//! ```json
//! {"schema_version": 2, "now": "<RFC 3339>", "strings": ["…", …], "facts": [PackageFacts…]}
//! ```
//!
//! `facts` are sorted by id. Every string *value* inside `facts` (never an object key) that
//! occurs at least twice and has at least [`MIN_SHARED_LEN`] bytes is stored once in `strings`
//! and written in its place as `{"$s": <index into strings>}`; `strings` is in order of first
//! occurrence, so the same facts always give the same bytes. The reason a fact is unknown is
//! usually the same sentence for every release of a package (and the same URL or repository is
//! repeated per release): the table is what keeps a snapshot of a 1,000-package npm project at a
//! few megabytes instead of sixty (and gzip does the rest). An object key of the facts that
//! starts with `$` (an npm script could be named `$s`) is written with one more `$` and read
//! back without it, so a one-key object `{"$s": n}` is always a reference.
//!
//! What is kept: every fact, except the integrity digests of the releases *other than the one
//! in use* (`releases[].integrity` is `null` for them). No judgement reads those digests: the
//! signals read the digest of the release in use only, and verification, which does read
//! other releases' digests, runs while facts are gathered and is recorded in each release's
//! `verification`. The digests are random bytes that neither the string table nor gzip can
//! shrink, and an npm package can list thousands of releases: kept, they were three quarters of
//! a compressed snapshot. The release in use is the one whose version equals the package's,
//! as written or as equal PEP 440 versions (`1.0` and `1.0.0`); when in doubt a digest is kept.
//!
//! A file whose name ends in `.gz` is written gzip-compressed (deterministic: no name, time 0 in
//! the header); reading recognises gzip by its magic bytes, whatever the name. The size limit of
//! [`Snapshot::read`] applies to the file and to its uncompressed content.
//!
//! Versions read:
//! - **2** (written since the string table): as above.
//! - **1**: `{"schema_version": 1, "now": …, "facts": [PackageFacts…]}`, the same facts with
//!   every string inline (pretty-printed when deptrust wrote it). Still read, never written.
//!
//! Replay is exact: reading a written snapshot gives back the very facts of
//! [`Snapshot::new`], strings included, and a replayed scan decides as the recorded one did. A package the replayed snapshot does not hold gets every fact unknown.
//! Not supported: other compressions (zstd, xz), streaming reads (the file is read whole).

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::PackageId;
use crate::model::facts::{Fact, PackageFacts};

/// The schema version of the snapshot files written: 2, with a string table (see the module
/// documentation). Files of version 1 are still read.
pub const SCHEMA_VERSION: u32 = 2;

/// The version of the shape of the facts themselves (`PackageFacts`), as `deptrust facts
/// --format json` prints them: unchanged by the snapshot file's string table.
pub const FACTS_DOCUMENT_VERSION: u32 = 1;

/// The versions of snapshot files [`Snapshot::read`] accepts.
pub const READABLE_VERSIONS: &[u32] = &[1, 2];

/// Strings shorter than this stay inline even when repeated: a reference (`{"$s":123}`) would
/// not be shorter.
pub const MIN_SHARED_LEN: usize = 12;

/// The key of a reference into the string table.
const REFERENCE_KEY: &str = "$s";

/// The first two bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A snapshot file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`SCHEMA_VERSION`] (a version 1 file read is held in the current form).
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

/// The file as written (version 2): facts with references into `strings`.
#[derive(Serialize, Deserialize)]
struct SnapshotWire {
    schema_version: u32,
    now: jiff::Timestamp,
    strings: Vec<String>,
    facts: Value,
}

/// Only the version, read first to choose the layout.
#[derive(Deserialize)]
struct VersionWire {
    schema_version: u32,
}

impl Snapshot {
    /// A snapshot of these facts (sorted here), without the integrity digests of the releases
    /// not in use (see the module documentation).
    pub fn new(now: jiff::Timestamp, mut facts: Vec<PackageFacts>) -> Self {
        facts.sort_by(|a, b| a.id.cmp(&b.id));
        facts.dedup_by(|a, b| a.id == b.id);
        facts.iter_mut().for_each(drop_digests_not_in_use);
        Snapshot {
            schema_version: SCHEMA_VERSION,
            now,
            facts,
        }
    }

    /// The bytes of the file (version 2, compact JSON with its string table, newline-ended;
    /// not compressed).
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let facts = serde_json::to_value(&self.facts).map_err(|e| e.to_string())?;
        let (strings, facts) = share_strings(facts);
        let wire = SnapshotWire {
            schema_version: SCHEMA_VERSION,
            now: self.now,
            strings,
            facts,
        };
        let mut bytes = serde_json::to_vec(&wire).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Reads a snapshot from the bytes of a file (gzip or plain JSON, version 1 or 2), at most
    /// `max_bytes` of uncompressed content.
    pub fn from_bytes(bytes: &[u8], max_bytes: u64) -> Result<Self, String> {
        let plain;
        let text: &[u8] = if bytes.starts_with(&GZIP_MAGIC) {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(bytes)
                .take(max_bytes.saturating_add(1))
                .read_to_end(&mut out)
                .map_err(|e| format!("not valid gzip: {e}"))?;
            if out.len() as u64 > max_bytes {
                return Err(format!(
                    "over the limit of {max_bytes} bytes once uncompressed"
                ));
            }
            plain = out;
            &plain
        } else {
            bytes
        };
        let version: VersionWire = serde_json::from_slice(text).map_err(|e| e.to_string())?;
        match version.schema_version {
            1 => {
                let mut snapshot: Snapshot =
                    serde_json::from_slice(text).map_err(|e| e.to_string())?;
                snapshot.schema_version = SCHEMA_VERSION;
                Ok(snapshot)
            }
            2 => {
                let wire: SnapshotWire = serde_json::from_slice(text).map_err(|e| e.to_string())?;
                let facts = resolve_strings(wire.facts, &wire.strings)?;
                let facts: Vec<PackageFacts> =
                    serde_json::from_value(facts).map_err(|e| e.to_string())?;
                Ok(Snapshot {
                    schema_version: SCHEMA_VERSION,
                    now: wire.now,
                    facts,
                })
            }
            other => Err(format!(
                "schema_version {other} (this deptrust reads {READABLE_VERSIONS:?})"
            )),
        }
    }

    /// Writes the snapshot atomically (a temporary file renamed into place); gzip-compressed
    /// when the name ends in `.gz`.
    pub fn write(&self, path: &Path) -> Result<(), SnapshotError> {
        let io = |source| SnapshotError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut bytes = self.to_bytes().map_err(|e| io(std::io::Error::other(e)))?;
        if path.extension().is_some_and(|extension| extension == "gz") {
            let mut encoder = flate2::GzBuilder::new()
                .mtime(0)
                .write(Vec::new(), flate2::Compression::best());
            encoder.write_all(&bytes).map_err(io)?;
            bytes = encoder.finish().map_err(io)?;
        }
        let temporary = path.with_extension("tmp-deptrust");
        std::fs::write(&temporary, bytes).map_err(io)?;
        std::fs::rename(&temporary, path).map_err(io)
    }

    /// Reads a snapshot (version 1 or 2, plain or gzip); the file and its uncompressed content
    /// may each hold at most `max_bytes`.
    pub fn read(path: &Path, max_bytes: u64) -> Result<Self, SnapshotError> {
        let io = |source| SnapshotError::Io {
            path: path.to_path_buf(),
            source,
        };
        let invalid = |message| SnapshotError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        // A regular file within the limit only: a FIFO or `/dev/zero` is refused, not read.
        let bytes =
            crate::lockfile::read_bounded(path, max_bytes, None).map_err(|error| match error {
                crate::lockfile::ReadError::Io { source, .. } => io(source),
                crate::lockfile::ReadError::TooLarge {
                    size: Some(size), ..
                } => invalid(format!("{size} bytes, over the limit of {max_bytes}")),
                other => invalid(other.to_string()),
            })?;
        Snapshot::from_bytes(&bytes, max_bytes).map_err(invalid)
    }

    /// The facts of these packages as recorded; a package not recorded gets every fact
    /// unknown, naming the snapshot.
    pub fn replay(&self, packages: &[PackageId], path: &Path) -> Vec<PackageFacts> {
        let recorded: BTreeMap<&PackageId, &PackageFacts> =
            self.facts.iter().map(|f| (&f.id, f)).collect();
        let mut out: Vec<PackageFacts> = packages
            .iter()
            .map(|id| match recorded.get(id) {
                Some(facts) => (*facts).clone(),
                None => PackageFacts::all_unknown(
                    id,
                    crate::model::facts::Unknown::not_recorded(format!(
                        "`{id}` is not in the replayed snapshot `{}`",
                        path.display()
                    )),
                ),
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
        out
    }
}

/// Forgets the integrity digest of every release that is not (or cannot be) the one in use.
fn drop_digests_not_in_use(facts: &mut PackageFacts) {
    let in_use = facts.version.as_str();
    let in_use_pep440 = pep440_rs::Version::from_str(in_use.trim()).ok();
    if let Fact::Known(releases) = &mut facts.releases {
        for release in releases {
            let same = release.version == in_use
                || in_use_pep440.as_ref().is_some_and(|in_use| {
                    pep440_rs::Version::from_str(release.version.trim())
                        .is_ok_and(|version| &version == in_use)
                });
            if !same {
                release.integrity = None;
            }
        }
    }
}

/// Moves every string value of `value` that occurs at least twice and has at least
/// [`MIN_SHARED_LEN`] bytes into a table (in order of first occurrence) and writes a reference
/// in its place; object keys starting with `$` get one more `$`.
fn share_strings(mut value: Value) -> (Vec<String>, Value) {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    count_strings(&value, &mut seen, &mut order);
    let strings: Vec<String> = order
        .into_iter()
        .filter(|s| seen.get(s).is_some_and(|&count| count >= 2))
        .map(str::to_owned)
        .collect();
    let index: HashMap<String, usize> = strings
        .iter()
        .enumerate()
        .map(|(i, s)| (s.clone(), i))
        .collect();
    replace_strings(&mut value, &index);
    (strings, value)
}

fn count_strings<'a>(value: &'a Value, seen: &mut HashMap<&'a str, u32>, order: &mut Vec<&'a str>) {
    match value {
        Value::String(s) if s.len() >= MIN_SHARED_LEN => {
            let count = seen.entry(s.as_str()).or_insert(0);
            if *count == 0 {
                order.push(s.as_str());
            }
            *count += 1;
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| count_strings(item, seen, order)),
        Value::Object(map) => map
            .values()
            .for_each(|item| count_strings(item, seen, order)),
        _ => {}
    }
}

fn replace_strings(value: &mut Value, index: &HashMap<String, usize>) {
    match value {
        Value::String(s) => {
            if let Some(&i) = index.get(s.as_str()) {
                let mut reference = Map::with_capacity(1);
                reference.insert(REFERENCE_KEY.to_owned(), Value::from(i));
                *value = Value::Object(reference);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_strings(item, index)),
        Value::Object(map) => {
            if map.keys().any(|key| key.starts_with('$')) {
                // A key of the facts themselves (an npm script named `$s`, say) gets one more
                // `$`, so that no object of the facts reads as a reference.
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(key, item)| match key.starts_with('$') {
                        true => (format!("${key}"), item),
                        false => (key, item),
                    })
                    .collect();
            }
            map.values_mut()
                .for_each(|item| replace_strings(item, index));
        }
        _ => {}
    }
}

/// The inverse of [`share_strings`]: every reference replaced by its string, every `$$` key
/// back to `$`.
fn resolve_strings(mut value: Value, strings: &[String]) -> Result<Value, String> {
    resolve_in_place(&mut value, strings)?;
    Ok(value)
}

fn resolve_in_place(value: &mut Value, strings: &[String]) -> Result<(), String> {
    match value {
        Value::Array(items) => {
            for item in items {
                resolve_in_place(item, strings)?;
            }
        }
        Value::Object(map) => {
            if map.len() == 1
                && let Some(reference) = map.get(REFERENCE_KEY)
            {
                let text = reference
                    .as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .and_then(|i| strings.get(i))
                    .ok_or_else(|| {
                        format!(
                            "`{{\"{REFERENCE_KEY}\": {reference}}}` is not an index into the {} \
                             strings of the table",
                            strings.len()
                        )
                    })?;
                *value = Value::String(text.clone());
                return Ok(());
            }
            if map.keys().any(|key| key.starts_with("$$")) {
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(key, item)| match key.strip_prefix('$') {
                        Some(rest) if rest.starts_with('$') => (rest.to_owned(), item),
                        _ => (key, item),
                    })
                    .collect();
            }
            for item in map.values_mut() {
                resolve_in_place(item, strings)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ecosystem;

    fn now() -> jiff::Timestamp {
        "2026-11-28T12:00:00Z".parse().unwrap()
    }

    /// Facts as a run against a mirror records them: the same unknown reason on every release.
    fn mirrored_facts(name: &str, releases: usize) -> PackageFacts {
        let reason = format!(
            "`https://registry.npmjs.org/{name}` records no `_npmUser` on any version and no \
             `maintainers` (a mirror that strips publisher data?)"
        );
        let releases: Vec<Value> = (0..releases)
            .map(|i| {
                serde_json::json!({
                    "version": format!("1.0.{i}"),
                    "published": format!("2024-02-{:02}T10:00:00Z", i % 28 + 1),
                    "publisher": {"unknown": reason},
                    "yanked": false,
                    "yank_reason": null,
                    "provenance": {"unknown": reason},
                    "integrity": format!("sha512-{name}{i:0>80}=="),
                    "signatures": [],
                    "repository": "https://github.com/example/example"
                })
            })
            .collect();
        let mut facts = PackageFacts::all_unknown(
            &PackageId::new(Ecosystem::Npm, name, "1.0.0"),
            "owners unknown: the mirror strips maintainers",
        );
        facts.releases = serde_json::from_value(serde_json::json!({ "known": releases })).unwrap();
        facts.install_scripts = Fact::Known(
            [
                ("postinstall".to_owned(), "node install.js".to_owned()),
                (
                    "$s".to_owned(),
                    "a script named like a reference".to_owned(),
                ),
                ("$$x".to_owned(), "and one with two dollars".to_owned()),
            ]
            .into_iter()
            .collect(),
        );
        facts
    }

    #[test]
    fn round_trips_and_replays() {
        let a = PackageId::new(Ecosystem::Npm, "a", "1.0.0");
        let b = PackageId::new(Ecosystem::Npm, "b", "2.0.0");
        let snapshot = Snapshot::new(
            now(),
            vec![
                PackageFacts::all_unknown(&b, "x"),
                PackageFacts::all_unknown(&a, "y"),
            ],
        );
        assert_eq!(snapshot.facts[0].id.to_string(), "npm:a@1.0.0");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("facts.json");
        snapshot.write(&path).unwrap();
        let read = Snapshot::read(&path, 1 << 20).unwrap();
        assert_eq!(read, snapshot);
        let c = PackageId::new(Ecosystem::Npm, "c", "3.0.0");
        let replayed = read.replay(&[c, a], &path);
        assert_eq!(replayed[0].id.to_string(), "npm:a@1.0.0");
        assert!(format!("{:?}", replayed[1].owners).contains("not in the replayed snapshot"));
    }

    #[test]
    fn the_string_table_and_gzip_keep_every_fact_exact() {
        let snapshot = Snapshot::new(
            now(),
            vec![
                mirrored_facts("left-pad", 40),
                mirrored_facts("typescript", 300),
            ],
        );
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("facts.snapshot.json");
        let gzip = dir.path().join("facts.snapshot.json.gz");
        snapshot.write(&plain).unwrap();
        snapshot.write(&gzip).unwrap();
        assert_eq!(Snapshot::read(&plain, 1 << 24).unwrap(), snapshot);
        assert_eq!(Snapshot::read(&gzip, 1 << 24).unwrap(), snapshot);
        // gzip is recognised by its bytes, not its name.
        let renamed = dir.path().join("renamed.json");
        std::fs::copy(&gzip, &renamed).unwrap();
        assert_eq!(Snapshot::read(&renamed, 1 << 24).unwrap(), snapshot);

        // Each repeated reason is stored once; the file is deterministic.
        let text = std::fs::read_to_string(&plain).unwrap();
        assert_eq!(
            text.matches("records no `_npmUser`").count(),
            2,
            "{}",
            &text[..400]
        );
        assert!(
            text.starts_with("{\"schema_version\":2,"),
            "{}",
            &text[..80]
        );
        let again = dir.path().join("again.json.gz");
        snapshot.write(&again).unwrap();
        assert_eq!(
            std::fs::read(&again).unwrap(),
            std::fs::read(&gzip).unwrap()
        );

        // Far smaller than the version 1 layout (pretty JSON, every string inline).
        let version_1 = serde_json::to_string_pretty(&snapshot).unwrap();
        let compressed = std::fs::metadata(&gzip).unwrap().len() as usize;
        assert!(
            text.len() * 2 < version_1.len(),
            "{} vs {}",
            text.len(),
            version_1.len()
        );
        assert!(
            compressed * 20 < version_1.len(),
            "{compressed} vs {}",
            version_1.len()
        );
    }

    #[test]
    fn keeps_the_digest_of_the_release_in_use_only() {
        let mut npm = mirrored_facts("left-pad", 3);
        npm.version = "1.0.1".to_owned();
        let mut pypi = mirrored_facts("requests", 3);
        pypi.id = "pypi:requests@1.0".parse().unwrap();
        pypi.ecosystem = crate::model::Ecosystem::Pypi;
        pypi.version = "1.0".to_owned();
        let snapshot = Snapshot::new(now(), vec![npm, pypi]);
        let digests = |facts: &PackageFacts| -> Vec<(String, bool)> {
            facts
                .releases
                .known()
                .unwrap()
                .iter()
                .map(|r| (r.version.clone(), r.integrity.is_some()))
                .collect()
        };
        let kept = |v: &[(&str, bool)]| -> Vec<(String, bool)> {
            v.iter().map(|(a, b)| (a.to_string(), *b)).collect()
        };
        assert_eq!(
            digests(&snapshot.facts[0]),
            kept(&[("1.0.0", false), ("1.0.1", true), ("1.0.2", false)])
        );
        // `1.0` is `1.0.0` in PEP 440.
        assert_eq!(
            digests(&snapshot.facts[1]),
            kept(&[("1.0.0", true), ("1.0.1", false), ("1.0.2", false)])
        );
    }

    #[test]
    fn reads_version_1_files() {
        let snapshot = Snapshot::new(now(), vec![mirrored_facts("left-pad", 3)]);
        let mut version_1 = serde_json::to_value(&snapshot).unwrap();
        version_1["schema_version"] = 1.into();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("facts.json");
        std::fs::write(&path, serde_json::to_string_pretty(&version_1).unwrap()).unwrap();
        let read = Snapshot::read(&path, 1 << 20).unwrap();
        assert_eq!(read, snapshot);
        assert_eq!(read.schema_version, SCHEMA_VERSION);
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
        std::fs::write(
            &path,
            "{\"schema_version\":2,\"now\":\"2026-01-01T00:00:00Z\",\"strings\":[],\
             \"facts\":[{\"id\":{\"$s\":0}}]}",
        )
        .unwrap();
        let error = Snapshot::read(&path, 1 << 20).unwrap_err().to_string();
        assert!(error.contains("not an index"), "{error}");
        std::fs::write(&path, [0x1f, 0x8b, 0, 1, 2]).unwrap();
        let error = Snapshot::read(&path, 1 << 20).unwrap_err().to_string();
        assert!(error.contains("gzip"), "{error}");
    }

    #[test]
    fn the_size_limit_holds_once_uncompressed() {
        let snapshot = Snapshot::new(now(), vec![mirrored_facts("typescript", 300)]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("facts.json.gz");
        snapshot.write(&path).unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        let error = Snapshot::read(&path, size + 10).unwrap_err().to_string();
        assert!(error.contains("once uncompressed"), "{error}");
    }
}

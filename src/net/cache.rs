//! The HTTP cache: one SQLite table in `<cache_dir>/http-cache.sqlite3`, keyed by URL and
//! `Accept`, holding the validators (`ETag`, `Last-Modified`), when the answer was fetched (on
//! the run's clock, never the system clock), its freshness and the body.
//!
//! Why SQLite (rusqlite, bundled) rather than files or a cache crate: one file, atomic writes in
//! transactions, and WAL mode with a busy timeout lets two deptrust processes read and write it
//! at once; `http-cache-reqwest` is built on another reqwest major version.
//!
//! Failure is never fatal: a row that does not decode is deleted and treated as a miss; a file
//! that is not a database (or is corrupt at its header) is deleted and recreated on open; any
//! other error makes the lookup a miss or the write a no-op. Only 2xx answers are stored (the
//! caller guarantees it), and only the body and validators: request headers (tokens) never
//! reach the file.
//!
//! SQLite calls block (disk I/O, and up to the busy timeout when another process writes), so
//! each one runs on tokio's blocking pool ([`tokio::task::spawn_blocking`]) with the connection
//! behind a `std::sync::Mutex`: the async workers (two on a two-core machine) are never stalled
//! by a multi-megabyte write or a lock held by another process. A single connection is enough:
//! each call is short, and the network, not SQLite, is the bottleneck.
//!
//! A second table, `derived`, keeps values computed from cached answers (verification results,
//! keyed by what was verified) so a warm run does not compute them again.
//!
//! A third, `pace`, holds the next free start of each paced service (the crates.io API), so
//! that processes sharing the cache directory (two CI jobs on one machine) share its pace:
//! each paced request takes its slot in an `IMMEDIATE` transaction ([`Cache::reserve_start`]).
//! The slots are on the system clock, the only clock two processes share.
//!
//! Not supported: `Cache-Control`/`Expires` from the server (freshness is decided by the
//! caller per kind of resource), `Vary` beyond `Accept`, and eviction (the whole file can be
//! deleted at any time).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use url::Url;

use super::{Fetched, Freshness};

/// The cache file inside `cache_dir`.
pub(super) const FILE_NAME: &str = "http-cache.sqlite3";

/// How long a write waits for another process holding the lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS responses (
    url           TEXT    NOT NULL,
    accept        TEXT    NOT NULL,
    final_url     TEXT    NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    fetched_at    INTEGER NOT NULL,
    freshness     TEXT    NOT NULL,
    body          BLOB    NOT NULL,
    PRIMARY KEY (url, accept)
);
CREATE TABLE IF NOT EXISTS derived (
    key   TEXT NOT NULL PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS pace (
    service    TEXT    NOT NULL PRIMARY KEY,
    next_start INTEGER NOT NULL
);";

/// The furthest ahead a shared pace's next start may lie before it is taken for a clock that
/// jumped back (a start can legitimately be a few intervals ahead: one per process waiting).
const MAX_PACE_AHEAD: Duration = Duration::from_secs(300);

/// A start slot taken from the shared pace of a service ([`Cache::reserve_start`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot {
    /// When the request may start, in microseconds since the Unix epoch (system clock).
    pub(super) start: i64,
    /// The next start the table held before this slot was taken (given back by a refund).
    previous: i64,
    /// The next start this slot left in the table.
    next: i64,
}

/// The cache key: the URL and the `Accept` header (`""` when none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) url: String,
    pub(super) accept: String,
}

impl Key {
    /// The key of a request.
    pub(super) fn of(request: &super::Request) -> Key {
        Key {
            url: request.url.as_str().to_owned(),
            accept: request.accept.unwrap_or_default().to_owned(),
        }
    }
}

/// A cached answer.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) final_url: Url,
    pub(super) etag: Option<String>,
    pub(super) last_modified: Option<String>,
    pub(super) fetched_at: jiff::Timestamp,
    pub(super) body: Vec<u8>,
}

impl Entry {
    /// Whether the entry may be served without asking the server, at `now`. An entry fetched
    /// "after" `now` (a cache written by a run with a later clock) has no known age: stale.
    pub(super) fn is_fresh(&self, freshness: Freshness, now: jiff::Timestamp) -> bool {
        match freshness {
            Freshness::Immutable => true,
            Freshness::Mutable(ttl) => {
                let Ok(age) = Duration::try_from(now.duration_since(self.fetched_at)) else {
                    return false;
                };
                age < ttl
            }
        }
    }
}

/// The validators and metadata written with a body.
#[derive(Debug, Clone)]
pub(super) struct Meta {
    pub(super) etag: Option<String>,
    pub(super) last_modified: Option<String>,
    pub(super) fetched_at: jiff::Timestamp,
    pub(super) freshness: Freshness,
}

/// An open cache.
#[derive(Debug, Clone)]
pub(super) struct Cache {
    connection: Arc<Mutex<Connection>>,
}

impl Cache {
    /// Opens (or creates) the cache in `dir`; a file that is not a valid database is deleted
    /// and recreated. The error is a sentence for the caller to report.
    pub(super) fn open(dir: &Path) -> Result<Cache, String> {
        fs_err::create_dir_all(dir).map_err(|error| error.to_string())?;
        let path = dir.join(FILE_NAME);
        let connection = match open_file(&path) {
            Ok(connection) => connection,
            Err(error) if is_corruption(&error) => {
                remove_database(&path)?;
                open_file(&path).map_err(|error| describe(&path, &error))?
            }
            Err(error) => return Err(describe(&path, &error)),
        };
        Ok(Cache {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// The entry for `key`, if any and readable. A row that does not decode is deleted.
    pub(super) async fn load(&self, key: &Key) -> Option<Entry> {
        let key = key.clone();
        self.blocking(move |connection| load(connection, &key))
            .await
            .flatten()
    }

    /// Writes an answer (replacing any older one), atomically.
    pub(super) async fn store(&self, key: &Key, fetched: Arc<Fetched>, meta: Meta) {
        let key = key.clone();
        // A failed write only costs a refetch next run.
        let _ = self
            .blocking(move |connection| store(connection, &key, &fetched, &meta))
            .await;
    }

    /// Records a successful revalidation (304): the entry is fresh again as of `meta`.
    pub(super) async fn touch(&self, key: &Key, final_url: Url, meta: Meta) {
        let key = key.clone();
        let _ = self
            .blocking(move |connection| touch(connection, &key, &final_url, &meta))
            .await;
    }

    /// A value derived from cached answers (a verification result), by key.
    pub(super) async fn load_derived(&self, key: &str) -> Option<Vec<u8>> {
        let key = key.to_string();
        self.blocking(move |connection| {
            connection
                .query_row(
                    "SELECT value FROM derived WHERE key = ?1",
                    params![key],
                    |row| row.get::<_, Vec<u8>>(0),
                )
                .optional()
                .ok()
                .flatten()
        })
        .await
        .flatten()
    }

    /// Every stored value of `keys` that exists, in one query per key on one connection
    /// (a warm run of thousands of packages would otherwise pay a thread hop per key).
    pub(super) async fn load_derived_many(
        &self,
        keys: Vec<String>,
    ) -> std::collections::HashMap<String, Vec<u8>> {
        self.blocking(move |connection| {
            let mut found = std::collections::HashMap::new();
            let Ok(mut statement) =
                connection.prepare_cached("SELECT value FROM derived WHERE key = ?1")
            else {
                return found;
            };
            for key in keys {
                if let Ok(Some(value)) = statement
                    .query_row(params![key], |row| row.get::<_, Vec<u8>>(0))
                    .optional()
                {
                    found.insert(key, value);
                }
            }
            found
        })
        .await
        .unwrap_or_default()
    }

    /// Stores a derived value (replacing any older one).
    pub(super) async fn store_derived(&self, key: &str, value: Vec<u8>) {
        let key = key.to_string();
        let _ = self
            .blocking(move |connection| {
                connection.execute(
                    "INSERT OR REPLACE INTO derived (key, value) VALUES (?1, ?2)",
                    params![key, value],
                )
            })
            .await;
    }

    /// The entries of `keys` (`None` for a key without a readable one), in one blocking call.
    pub(super) async fn load_many(&self, keys: Vec<Key>) -> Vec<(Key, Option<Entry>)> {
        self.blocking(move |connection| {
            keys.into_iter()
                .map(|key| {
                    let entry = load(connection, &key);
                    (key, entry)
                })
                .collect()
        })
        .await
        .unwrap_or_default()
    }

    /// For each of `keys` that has a readable entry: what `inspect` makes of its URL and body
    /// (run on the blocking pool, so bodies are never all held at once), when it was fetched,
    /// and whether it is fresh for `freshness` at `now`. One blocking call on one connection
    /// for all of them (a warm run of thousands of crates would otherwise pay a thread hop per
    /// key).
    pub(super) async fn inspect_many<T: Send + 'static>(
        &self,
        keys: Vec<Key>,
        freshness: Freshness,
        now: jiff::Timestamp,
        inspect: impl Fn(&str, &[u8]) -> T + Send + 'static,
    ) -> std::collections::HashMap<String, (T, jiff::Timestamp, bool)> {
        self.blocking(move |connection| {
            let mut found = std::collections::HashMap::new();
            for key in keys {
                if let Some(entry) = load(connection, &key) {
                    let fresh = entry.is_fresh(freshness, now);
                    let value = inspect(&key.url, &entry.body);
                    found.insert(key.url, (value, entry.fetched_at, fresh));
                }
            }
            found
        })
        .await
        .unwrap_or_default()
    }

    /// Takes the next start slot of the paced service `service` (its base URL) for all the
    /// processes sharing this cache: the later of the table's next start and `now`, leaving
    /// `interval` after it for the next taker. In one `IMMEDIATE` transaction, so two
    /// processes never take the same slot. `None` when the table cannot be used (the file is
    /// read-only, or locked past the busy timeout): the run is then paced on its own.
    pub(super) async fn reserve_start(
        &self,
        service: &str,
        interval: Duration,
        now: impl FnOnce() -> i64 + Send + 'static,
    ) -> Option<Slot> {
        let service = service.to_string();
        let interval = i64::try_from(interval.as_micros()).unwrap_or(i64::MAX);
        let ahead = i64::try_from(MAX_PACE_AHEAD.as_micros()).unwrap_or(i64::MAX);
        self.blocking(move |connection| -> rusqlite::Result<Slot> {
            let transaction =
                connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            // Read inside the transaction: a clock read before a late blocking thread would
            // put the slot in the past and the next one less than an interval after the start.
            let now = now();
            let previous: i64 = transaction
                .query_row(
                    "SELECT next_start FROM pace WHERE service = ?1",
                    params![service],
                    |row| row.get(0),
                )
                .optional()?
                .unwrap_or(i64::MIN);
            // A next start far ahead comes from a clock that jumped back: start now.
            let start = if previous > now.saturating_add(ahead.saturating_add(interval)) {
                now
            } else {
                previous.max(now)
            };
            let next = start.saturating_add(interval);
            transaction.execute(
                "INSERT OR REPLACE INTO pace (service, next_start) VALUES (?1, ?2)",
                params![service, next],
            )?;
            transaction.commit()?;
            Ok(Slot {
                start,
                previous,
                next,
            })
        })
        .await?
        .ok()
    }

    /// Moves the service's next start to an interval after `actual`, the real start of `slot`'s
    /// request when it began later than the slot (a late wake-up on a loaded machine), so the
    /// next request keeps a whole interval from it. Only while no later slot was taken.
    pub(super) async fn confirm_start(
        &self,
        service: &str,
        slot: Slot,
        actual: i64,
        interval: Duration,
    ) -> Slot {
        let interval = i64::try_from(interval.as_micros()).unwrap_or(i64::MAX);
        let next = actual.saturating_add(interval);
        if next <= slot.next {
            return slot;
        }
        let service = service.to_string();
        let moved = self
            .blocking(move |connection| {
                connection.execute(
                    "UPDATE pace SET next_start = ?3 WHERE service = ?1 AND next_start = ?2",
                    params![service, slot.next, next],
                )
            })
            .await
            .and_then(Result::ok)
            .is_some_and(|rows| rows == 1);
        if moved {
            Slot {
                start: actual,
                previous: slot.previous,
                next,
            }
        } else {
            slot
        }
    }

    /// Gives back a slot whose request never reached the server, unless a later slot was taken
    /// meanwhile (then the next taker already waits behind it).
    pub(super) async fn release_start(&self, service: &str, slot: Slot) {
        let service = service.to_string();
        let _ = self
            .blocking(move |connection| {
                connection.execute(
                    "UPDATE pace SET next_start = ?3 WHERE service = ?1 AND next_start = ?2",
                    params![service, slot.next, slot.previous],
                )
            })
            .await;
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> T + Send + 'static,
    ) -> Option<T> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut connection)
        })
        .await
        .ok()
    }
}

fn open_file(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // The first statement that reads the header: a file that is not a database fails here.
    connection
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
    // Safe with WAL: a power loss may lose the last writes, never corrupt the file.
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.execute_batch(SCHEMA)?;
    Ok(connection)
}

fn is_corruption(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

fn remove_database(path: &Path) -> Result<(), String> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let mut shm = path.as_os_str().to_owned();
    shm.push("-shm");
    for file in [path.to_path_buf(), PathBuf::from(wal), PathBuf::from(shm)] {
        match fs_err::remove_file(&file) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error.to_string()),
        }
    }
    Ok(())
}

fn describe(path: &Path, error: &rusqlite::Error) -> String {
    format!("cannot use the cache `{}`: {error}", path.display())
}

fn load(connection: &mut Connection, key: &Key) -> Option<Entry> {
    type Row = (String, Option<String>, Option<String>, i64, String, Vec<u8>);
    let row = connection
        .prepare_cached(
            "SELECT final_url, etag, last_modified, fetched_at, freshness, body
             FROM responses WHERE url = ?1 AND accept = ?2",
        )
        .and_then(|mut statement| {
            statement
                .query_row(
                    params![key.url, key.accept],
                    |row| -> rusqlite::Result<Row> {
                        Ok((
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                            row.get(5)?,
                        ))
                    },
                )
                .optional()
        });
    let (final_url, etag, last_modified, fetched_at, freshness, body) = match row {
        Ok(Some(row)) => row,
        Ok(None) => return None,
        Err(error) if is_undecodable(&error) => {
            delete(connection, key);
            return None;
        }
        // The database is busy or damaged: a miss; the answer is fetched again.
        Err(_) => return None,
    };
    let entry = Url::parse(&final_url).ok().and_then(|final_url| {
        parse_freshness(&freshness)?;
        Some(Entry {
            final_url,
            etag,
            last_modified,
            fetched_at: jiff::Timestamp::from_second(fetched_at).ok()?,
            body,
        })
    });
    if entry.is_none() {
        delete(connection, key);
    }
    entry
}

/// A value of the wrong type in a column (SQLite does not enforce column types).
fn is_undecodable(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::Utf8Error(..)
    )
}

fn delete(connection: &Connection, key: &Key) {
    // Best effort: if it fails, the row is replaced by the next successful fetch anyway.
    let _ = connection.execute(
        "DELETE FROM responses WHERE url = ?1 AND accept = ?2",
        params![key.url, key.accept],
    );
}

/// A failed write only costs a refetch next run, so errors are dropped by the caller.
fn store(
    connection: &mut Connection,
    key: &Key,
    fetched: &Fetched,
    meta: &Meta,
) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    transaction.execute(
        "INSERT OR REPLACE INTO responses
             (url, accept, final_url, etag, last_modified, fetched_at, freshness, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            key.url,
            key.accept,
            fetched.final_url.as_str(),
            meta.etag,
            meta.last_modified,
            meta.fetched_at.as_second(),
            format_freshness(meta.freshness),
            fetched.body,
        ],
    )?;
    transaction.commit()
}

fn touch(
    connection: &mut Connection,
    key: &Key,
    final_url: &Url,
    meta: &Meta,
) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    // A 304 may carry new validators; keep the old ones when it does not.
    transaction.execute(
        "UPDATE responses
             SET final_url = ?3, etag = coalesce(?4, etag),
                 last_modified = coalesce(?5, last_modified), fetched_at = ?6, freshness = ?7
             WHERE url = ?1 AND accept = ?2",
        params![
            key.url,
            key.accept,
            final_url.as_str(),
            meta.etag,
            meta.last_modified,
            meta.fetched_at.as_second(),
            format_freshness(meta.freshness),
        ],
    )?;
    transaction.commit()
}

fn format_freshness(freshness: Freshness) -> String {
    match freshness {
        Freshness::Immutable => "immutable".to_owned(),
        Freshness::Mutable(ttl) => format!("mutable:{}", ttl.as_secs()),
    }
}

/// The stored freshness is informative (the request's freshness decides, so a changed policy
/// applies to old entries too), but a value that does not parse marks a damaged row.
fn parse_freshness(text: &str) -> Option<Freshness> {
    if text == "immutable" {
        return Some(Freshness::Immutable);
    }
    let seconds = text.strip_prefix("mutable:")?.parse().ok()?;
    Some(Freshness::Mutable(Duration::from_secs(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(fetched_at: jiff::Timestamp) -> Entry {
        Entry {
            final_url: Url::parse("https://example.org/").expect("url"),
            etag: None,
            last_modified: None,
            fetched_at,
            body: Vec::new(),
        }
    }

    #[test]
    fn freshness_is_measured_against_the_run_clock() {
        let now: jiff::Timestamp = "2026-11-01T12:00:00Z".parse().expect("time");
        let hour = Duration::from_secs(3600);
        let fetched = |seconds_ago: i64| {
            entry(
                now.checked_sub(jiff::SignedDuration::from_secs(seconds_ago))
                    .expect("time"),
            )
        };
        assert!(fetched(0).is_fresh(Freshness::Mutable(hour), now));
        assert!(fetched(3599).is_fresh(Freshness::Mutable(hour), now));
        assert!(!fetched(3600).is_fresh(Freshness::Mutable(hour), now));
        assert!(!fetched(-10).is_fresh(Freshness::Mutable(hour), now));
        assert!(fetched(10_000_000).is_fresh(Freshness::Immutable, now));
    }

    #[test]
    fn freshness_round_trips() {
        for freshness in [
            Freshness::Immutable,
            Freshness::Mutable(Duration::from_secs(600)),
        ] {
            assert_eq!(
                parse_freshness(&format_freshness(freshness)),
                Some(freshness)
            );
        }
        assert_eq!(parse_freshness("mutable:soon"), None);
    }

    #[tokio::test]
    async fn a_row_of_the_wrong_types_is_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::open(dir.path()).expect("open");
        let key = Key {
            url: "https://example.org/a".into(),
            accept: String::new(),
        };
        let fetched = Arc::new(Fetched {
            url: Url::parse(&key.url).expect("url"),
            final_url: Url::parse(&key.url).expect("url"),
            body: b"{}".to_vec(),
            from_cache: false,
        });
        let meta = Meta {
            etag: Some("\"1\"".into()),
            last_modified: None,
            fetched_at: jiff::Timestamp::UNIX_EPOCH,
            freshness: Freshness::Immutable,
        };
        cache.store(&key, fetched, meta).await;
        assert!(cache.load(&key).await.is_some());
        {
            let connection = cache.connection.lock().expect("lock");
            connection
                .execute("UPDATE responses SET fetched_at = 'yesterday'", [])
                .expect("update");
        }
        assert!(cache.load(&key).await.is_none());
        let connection = cache.connection.lock().expect("lock");
        let rows: i64 = connection
            .query_row("SELECT count(*) FROM responses", [], |row| row.get(0))
            .expect("count");
        assert_eq!(rows, 0);
    }
}

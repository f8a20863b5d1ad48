//! A local crates.io database dump (`--crates-db-dump PATH`): owners, publishers, repositories
//! and releases of many crates without one API request per crate, for big graphs.
//!
//! crates.io publishes `db-dump.tar.gz` on its static host, regenerated every 24 hours; the
//! crates.io data-access policy prefers it to the API for bulk use. deptrust reads the
//! **extracted** archive (`tar xzf db-dump.tar.gz`): pass the `<date>` directory it unpacks to
//! (`metadata.json`, `schema.sql`, `data/*.csv`) or its `data/` directory.
//!
//! Files read, each with the `csv` crate, columns found by header name (the export writes them
//! in alphabetical order, and other columns come and go; those not listed are ignored):
//! - `data/crates.csv`: `id`, `name`, `repository`;
//! - `data/versions.csv`: `crate_id`, `num`, `created_at`, `yanked`, `published_by`, `checksum`;
//! - `data/crate_owners.csv`: `crate_id`, `owner_id`, `owner_kind` (0 = user, 1 = team);
//! - `data/users.csv`: `id`, `gh_login`; `data/teams.csv`: `id`, `login` (`github:<org>:<team>`);
//! - `metadata.json` (optional): `timestamp`, when the dump was started ([`CratesDbDump::date`]),
//!   so facts can say how old the dump is.
//!
//! The real files are several GB: they are streamed record by record, never read whole, and
//! only rows that concern a wanted crate (or an owner or publisher of one) are kept. Crate
//! names match case-insensitively; `-` and `_` stay distinct, so a name matches only the crate
//! published under that spelling (crates.io refuses a second crate that differs only in them).
//!
//! Values are PostgreSQL `\copy … WITH CSV HEADER` output: NULL is an empty field, booleans are
//! `t`/`f`, and times are `2015-01-28 22:55:43.062952` (`timestamp without time zone`, which
//! crates.io keeps in UTC) or carry an hours-only offset (`…+00`); both are accepted, as is
//! RFC 3339.
//!
//! Damage is contained. A missing file, a missing column or a read failure is an error
//! ([`DumpError`]). A record that does not decode or whose key fields (ids, version number,
//! `yanked`, owner kind) do not parse is skipped and counted ([`CratesDbDump::skipped_rows`]); a
//! field that is not needed to place the row (`created_at`, `published_by`, `checksum`) and
//! does not parse is dropped to `None`, the row kept, and counted
//! ([`CratesDbDump::skipped_fields`]). The first few of each are kept as errors naming the file
//! and line ([`CratesDbDump::problems`]). Rows of crates nobody asked for are not parsed, so
//! their damage is not counted.
//!
//! What the dump does **not** have, so these facts still need the API (or stay unknown):
//! - trusted publishing: `versions.trustpub_data` is private. A release published by trusted
//!   publishing has no `published_by` (NULL), exactly like a release too old to have one: from
//!   the dump alone the two cannot be told apart;
//! - yank messages (`versions.yank_message` is private) and who yanked or unyanked a release
//!   (`version_owner_actions` is private); `yanked` itself is there;
//! - owner roles (crates.io has none) and pending owner invitations; deleted owners are
//!   already filtered out by the export, so the owners are the current ones.
//!
//! Loading is blocking file I/O (seconds to minutes on a full dump): call it off the async
//! runtime (`tokio::task::spawn_blocking`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::model::facts::{Identity, IdentityKind, Owner};
use crate::registry::decode::civil_utc;

/// How many skipped rows and fields are kept as errors for [`CratesDbDump::problems`].
const MAX_PROBLEMS: usize = 20;

/// `metadata.json` is a few dozen bytes; more than this is not a crates.io dump's.
const MAX_METADATA_BYTES: u64 = 1 << 20;

/// What a crates.io database dump says about the wanted crates.
#[derive(Debug)]
pub struct CratesDbDump {
    /// The `<date>` directory (the parent of `data/`).
    root: PathBuf,
    /// `metadata.json`'s `timestamp`.
    date: Option<String>,
    /// Wanted crates found in the dump, by lowercased name.
    crates: BTreeMap<String, DumpCrate>,
    skipped_rows: usize,
    skipped_fields: usize,
    problems: Vec<DumpError>,
}

/// One crate as the dump has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpCrate {
    /// The declared repository (`crates.repository`, trimmed), if any.
    pub repository: Option<String>,
    /// Users and teams who own the crate now, sorted by identity.
    pub owners: Vec<Owner>,
    /// Every release in the dump, by version number.
    pub versions: BTreeMap<String, DumpVersion>,
}

/// One release as the dump has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpVersion {
    /// `versions.created_at`; `None` when it does not parse.
    pub published: Option<Timestamp>,
    /// `crates:user:<id>` (display: GitHub login, or the id when `users.csv` lacks the user).
    /// `None` for old releases and for trusted-publishing ones (the dump cannot tell which).
    pub publisher: Option<Identity>,
    /// Yanked now.
    pub yanked: bool,
    /// sha256 of the `.crate`, lowercase hex, as in the index's `cksum`.
    pub checksum: Option<String>,
}

/// Why a dump could not be read, or a row or field of it was skipped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DumpError {
    /// The directory has neither `data/crates.csv` nor `crates.csv`.
    #[error(
        "`{}` is not an extracted crates.io database dump: it has neither `data/crates.csv` \
         nor `crates.csv` (extract `db-dump.tar.gz` and pass the `<date>` directory it unpacks to)",
        dir.display()
    )]
    NotADump {
        /// The directory given.
        dir: PathBuf,
    },
    /// A file the dump must have is absent.
    #[error("the crates.io database dump has no `{}`", path.display())]
    MissingFile {
        /// The file expected.
        path: PathBuf,
    },
    /// A file could not be opened or read.
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
    /// The CSV reader failed in a way that ends the file (an I/O error mid-file).
    #[error("cannot read `{}`{}", path.display(), at_line(*line))]
    Csv {
        /// The file.
        path: PathBuf,
        /// The line reached, when known.
        line: Option<u64>,
        /// What went wrong.
        #[source]
        source: csv::Error,
    },
    /// The header row lacks a column deptrust needs.
    #[error("`{}` has no `{column}` column (its columns: {found})", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column needed.
        column: &'static str,
        /// The columns the header has, comma-separated.
        found: String,
    },
    /// A record that does not decode (for example, the wrong number of fields); skipped.
    #[error("`{}`{}: the record does not decode; skipped", path.display(), at_line(*line))]
    MalformedRecord {
        /// The file.
        path: PathBuf,
        /// The line where the record starts, when known.
        line: Option<u64>,
        /// What the CSV reader said.
        #[source]
        source: csv::Error,
    },
    /// A field that does not parse: the row is skipped when the field is a key, else the
    /// field is dropped.
    #[error(
        "`{}`{}: `{column}` is not {expected}: {value:?}; {}",
        path.display(),
        at_line(*line),
        if *row_skipped { "row skipped" } else { "field ignored" }
    )]
    MalformedField {
        /// The file.
        path: PathBuf,
        /// The line where the record starts, when known.
        line: Option<u64>,
        /// The column.
        column: &'static str,
        /// The value (at most 80 characters).
        value: String,
        /// What the value should have been.
        expected: &'static str,
        /// Whether the whole row was skipped.
        row_skipped: bool,
    },
    /// `metadata.json` is not the JSON object crates.io writes.
    #[error("`{}` is not valid JSON", path.display())]
    Metadata {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        #[source]
        source: serde_json::Error,
    },
}

fn at_line(line: Option<u64>) -> String {
    line.map(|line| format!(" line {line}")).unwrap_or_default()
}

impl CratesDbDump {
    /// Reads what the dump at `dir` (the `<date>` directory or its `data/`) says about the
    /// `wanted` crate names. Names not in the dump are simply absent from the result.
    pub fn load(dir: &Path, wanted: &BTreeSet<String>) -> Result<Self, DumpError> {
        let (root, data) = locate(dir)?;
        let date = read_date(&root)?;
        let wanted: HashSet<String> = wanted
            .iter()
            .map(|name| name.to_ascii_lowercase())
            .collect();
        let mut loader = Loader {
            wanted,
            crates: BTreeMap::new(),
            crate_keys: HashMap::new(),
            users: HashMap::new(),
            teams: HashMap::new(),
            problems: Problems::default(),
        };
        // Open every table first: a missing file or column is an error before any long scan.
        let crates = Table::open(&data.join("crates.csv"), &["id", "name", "repository"])?;
        let versions = Table::open(
            &data.join("versions.csv"),
            &[
                "crate_id",
                "num",
                "created_at",
                "yanked",
                "published_by",
                "checksum",
            ],
        )?;
        let owners = Table::open(
            &data.join("crate_owners.csv"),
            &["crate_id", "owner_id", "owner_kind"],
        )?;
        let users = Table::open(&data.join("users.csv"), &["id", "gh_login"])?;
        let teams = Table::open(&data.join("teams.csv"), &["id", "login"])?;

        loader.read_crates(crates)?;
        if !loader.crate_keys.is_empty() {
            loader.read_versions(versions)?;
            loader.read_owners(owners)?;
        }
        let users = loader.read_logins(users, Which::Users)?;
        let teams = loader.read_logins(teams, Which::Teams)?;
        let Loader {
            mut crates,
            problems,
            ..
        } = loader;
        for krate in crates.values_mut() {
            for version in krate.versions.values_mut() {
                if let Some(publisher) = &mut version.publisher {
                    name_identity(publisher, &users, &teams);
                }
            }
            for owner in &mut krate.owners {
                name_identity(&mut owner.identity, &users, &teams);
            }
            krate.owners.sort();
            krate.owners.dedup();
        }
        Ok(CratesDbDump {
            root,
            date,
            crates,
            skipped_rows: problems.skipped_rows,
            skipped_fields: problems.skipped_fields,
            problems: problems.samples,
        })
    }

    /// What the dump says about the crate `name` (case-insensitive), if it was wanted and is
    /// in the dump.
    pub fn crate_facts(&self, name: &str) -> Option<DumpCrate> {
        self.crates.get(&name.to_ascii_lowercase()).cloned()
    }

    /// When the dump was started, as `metadata.json` writes it (RFC 3339, UTC), if it says.
    pub fn date(&self) -> Option<String> {
        self.date.clone()
    }

    /// The dump's `<date>` directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Rows skipped because they did not decode or a key field did not parse.
    pub fn skipped_rows(&self) -> usize {
        self.skipped_rows
    }

    /// Fields dropped to `None` because they did not parse (their rows were kept).
    pub fn skipped_fields(&self) -> usize {
        self.skipped_fields
    }

    /// The first skipped rows and fields (at most 20), each naming the file and line.
    pub fn problems(&self) -> &[DumpError] {
        &self.problems
    }
}

/// The `<date>` directory and its `data/` directory.
fn locate(dir: &Path) -> Result<(PathBuf, PathBuf), DumpError> {
    if dir.join("data").join("crates.csv").is_file() {
        return Ok((dir.to_path_buf(), dir.join("data")));
    }
    if dir.join("crates.csv").is_file() {
        let root = dir
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return Ok((root.to_path_buf(), dir.to_path_buf()));
    }
    Err(DumpError::NotADump {
        dir: dir.to_path_buf(),
    })
}

/// `metadata.json`'s `timestamp`; `None` when the file or the key is absent.
fn read_date(root: &Path) -> Result<Option<String>, DumpError> {
    let path = root.join("metadata.json");
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(DumpError::Io { path, source }),
    };
    let mut text = String::new();
    if let Err(source) = file.take(MAX_METADATA_BYTES).read_to_string(&mut text) {
        return Err(DumpError::Io { path, source });
    }
    let metadata: serde_json::Value = match serde_json::from_str(&text) {
        Ok(metadata) => metadata,
        Err(source) => return Err(DumpError::Metadata { path, source }),
    };
    Ok(metadata
        .get("timestamp")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|timestamp| !timestamp.is_empty())
        .map(str::to_string))
}

/// One CSV file of the dump, with the positions of the columns asked for.
struct Table {
    path: PathBuf,
    reader: csv::Reader<File>,
    columns: Vec<usize>,
    record: csv::ByteRecord,
}

impl Table {
    fn open(path: &Path, names: &[&'static str]) -> Result<Table, DumpError> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(DumpError::MissingFile {
                    path: path.to_path_buf(),
                });
            }
            Err(source) => {
                return Err(DumpError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .buffer_capacity(1 << 16)
            .from_reader(file);
        let headers = reader.byte_headers().map_err(|source| DumpError::Csv {
            path: path.to_path_buf(),
            line: source.position().map(csv::Position::line),
            source,
        })?;
        let mut columns = Vec::with_capacity(names.len());
        for &name in names {
            match headers
                .iter()
                .position(|header| header.trim_ascii() == name.as_bytes())
            {
                Some(index) => columns.push(index),
                None => {
                    let found: Vec<_> = headers.iter().map(String::from_utf8_lossy).collect();
                    return Err(DumpError::MissingColumn {
                        path: path.to_path_buf(),
                        column: name,
                        found: found.join(", "),
                    });
                }
            }
        }
        Ok(Table {
            path: path.to_path_buf(),
            reader,
            columns,
            record: csv::ByteRecord::new(),
        })
    }

    /// Reads the next record; `Ok(None)` at the end. Records that do not decode are skipped
    /// and counted here.
    fn next(&mut self, problems: &mut Problems) -> Result<Option<Row<'_>>, DumpError> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => break,
                Err(source) if is_record_error(&source) => {
                    problems.row(DumpError::MalformedRecord {
                        path: self.path.clone(),
                        line: source.position().map(csv::Position::line),
                        source,
                    })
                }
                Err(source) => {
                    return Err(DumpError::Csv {
                        path: self.path.clone(),
                        line: source.position().map(csv::Position::line),
                        source,
                    });
                }
            }
        }
        Ok(Some(Row {
            path: &self.path,
            record: &self.record,
            columns: &self.columns,
        }))
    }
}

/// A record error leaves the reader able to go on; anything else (I/O) ends the file.
fn is_record_error(error: &csv::Error) -> bool {
    matches!(
        error.kind(),
        csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
    )
}

/// One record, its fields addressed by the position of the column in [`Table::open`]'s list.
struct Row<'a> {
    path: &'a Path,
    record: &'a csv::ByteRecord,
    columns: &'a [usize],
}

impl Row<'_> {
    /// The raw field; empty when absent (it cannot be: records have the header's length).
    fn bytes(&self, column: usize) -> &[u8] {
        self.columns
            .get(column)
            .and_then(|&index| self.record.get(index))
            .unwrap_or_default()
    }

    /// The field as trimmed text; `Err` with the lossy text when it is not UTF-8.
    fn text(&self, column: usize) -> Result<&str, String> {
        let bytes = self.bytes(column);
        std::str::from_utf8(bytes)
            .map(str::trim)
            .map_err(|_| String::from_utf8_lossy(bytes).into_owned())
    }

    /// The field parsed by `parse`; `Ok(None)` for NULL (empty); `Err` with the problem.
    fn parse<T>(
        &self,
        column: usize,
        name: &'static str,
        expected: &'static str,
        row_skipped: bool,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, DumpError> {
        let bad = |value: &str| DumpError::MalformedField {
            path: self.path.to_path_buf(),
            line: self.record.position().map(csv::Position::line),
            column: name,
            value: value.chars().take(80).collect(),
            expected,
            row_skipped,
        };
        match self.text(column) {
            Ok("") => Ok(None),
            Ok(text) => parse(text).map(Some).ok_or_else(|| bad(text)),
            Err(lossy) => Err(bad(&lossy)),
        }
    }

    /// A key field: NULL or unparsable skips the row.
    fn key<T>(
        &self,
        column: usize,
        name: &'static str,
        expected: &'static str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, DumpError> {
        self.parse(column, name, expected, true, parse)?
            .ok_or_else(|| DumpError::MalformedField {
                path: self.path.to_path_buf(),
                line: self.record.position().map(csv::Position::line),
                column: name,
                value: String::new(),
                expected,
                row_skipped: true,
            })
    }

    /// An optional field: NULL is `None`; unparsable is `None` and counted.
    fn optional<T>(
        &self,
        column: usize,
        name: &'static str,
        expected: &'static str,
        problems: &mut Problems,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        self.parse(column, name, expected, false, parse)
            .unwrap_or_else(|error| {
                problems.field(error);
                None
            })
    }
}

/// Counts and first examples of what was skipped.
#[derive(Default)]
struct Problems {
    skipped_rows: usize,
    skipped_fields: usize,
    samples: Vec<DumpError>,
}

impl Problems {
    fn row(&mut self, error: DumpError) {
        self.skipped_rows += 1;
        self.sample(error);
    }

    fn field(&mut self, error: DumpError) {
        self.skipped_fields += 1;
        self.sample(error);
    }

    fn sample(&mut self, error: DumpError) {
        if self.samples.len() < MAX_PROBLEMS {
            self.samples.push(error);
        }
    }
}

#[derive(Clone, Copy)]
enum Which {
    Users,
    Teams,
}

/// The state of one load: what is kept so far, and the ids later files are filtered by.
struct Loader {
    /// Lowercased wanted names.
    wanted: HashSet<String>,
    crates: BTreeMap<String, DumpCrate>,
    /// `crates.id` → lowercased name, for the wanted crates found.
    crate_keys: HashMap<i64, String>,
    /// Users (owners or publishers of a wanted crate) → login, filled by `users.csv`.
    users: HashMap<i64, Option<String>>,
    /// Teams owning a wanted crate → login, filled by `teams.csv`.
    teams: HashMap<i64, Option<String>>,
    problems: Problems,
}

impl Loader {
    fn read_crates(&mut self, mut table: Table) -> Result<(), DumpError> {
        const ID: usize = 0;
        const NAME: usize = 1;
        const REPOSITORY: usize = 2;
        while let Some(row) = table.next(&mut self.problems)? {
            // The name first: most rows are not wanted, and are left unparsed.
            let key = match row.text(NAME) {
                Ok(name) => name.to_ascii_lowercase(),
                Err(_) => continue,
            };
            if !self.wanted.contains(&key) {
                continue;
            }
            let id = match row.key(ID, "id", "a crate id", parse_id) {
                Ok(id) => id,
                Err(error) => {
                    self.problems.row(error);
                    continue;
                }
            };
            let repository = row.optional(
                REPOSITORY,
                "repository",
                "UTF-8 text",
                &mut self.problems,
                |text| Some(text.to_string()),
            );
            self.crate_keys.insert(id, key.clone());
            self.crates.insert(
                key,
                DumpCrate {
                    repository,
                    owners: Vec::new(),
                    versions: BTreeMap::new(),
                },
            );
        }
        Ok(())
    }

    fn read_versions(&mut self, mut table: Table) -> Result<(), DumpError> {
        const CRATE_ID: usize = 0;
        const NUM: usize = 1;
        const CREATED_AT: usize = 2;
        const YANKED: usize = 3;
        const PUBLISHED_BY: usize = 4;
        const CHECKSUM: usize = 5;
        while let Some(row) = table.next(&mut self.problems)? {
            let key = match row.key(CRATE_ID, "crate_id", "a crate id", parse_id) {
                Ok(crate_id) => match self.crate_keys.get(&crate_id) {
                    Some(key) => key,
                    None => continue,
                },
                Err(error) => {
                    self.problems.row(error);
                    continue;
                }
            };
            let keys = (|| {
                let num = row.key(NUM, "num", "a version number", |text| {
                    Some(text.to_string())
                })?;
                let yanked = row.key(YANKED, "yanked", "a boolean (`t`/`f`)", parse_bool)?;
                Ok::<_, DumpError>((num, yanked))
            })();
            let (num, yanked) = match keys {
                Ok(keys) => keys,
                Err(error) => {
                    self.problems.row(error);
                    continue;
                }
            };
            let published = row.optional(
                CREATED_AT,
                "created_at",
                "a timestamp",
                &mut self.problems,
                parse_timestamp,
            );
            let publisher = row
                .optional(
                    PUBLISHED_BY,
                    "published_by",
                    "a user id",
                    &mut self.problems,
                    parse_id,
                )
                .map(|user| {
                    self.users.insert(user, None);
                    placeholder(Which::Users, user)
                });
            let checksum = row.optional(
                CHECKSUM,
                "checksum",
                "a sha256 digest (64 hex digits)",
                &mut self.problems,
                parse_checksum,
            );
            if let Some(krate) = self.crates.get_mut(key) {
                krate.versions.insert(
                    num,
                    DumpVersion {
                        published,
                        publisher,
                        yanked,
                        checksum,
                    },
                );
            }
        }
        Ok(())
    }

    fn read_owners(&mut self, mut table: Table) -> Result<(), DumpError> {
        const CRATE_ID: usize = 0;
        const OWNER_ID: usize = 1;
        const OWNER_KIND: usize = 2;
        while let Some(row) = table.next(&mut self.problems)? {
            let key = match row.key(CRATE_ID, "crate_id", "a crate id", parse_id) {
                Ok(crate_id) => match self.crate_keys.get(&crate_id) {
                    Some(key) => key,
                    None => continue,
                },
                Err(error) => {
                    self.problems.row(error);
                    continue;
                }
            };
            let owner = (|| {
                let id = row.key(OWNER_ID, "owner_id", "a user or team id", parse_id)?;
                let which =
                    row.key(
                        OWNER_KIND,
                        "owner_kind",
                        "0 (user) or 1 (team)",
                        |text| match text {
                            "0" => Some(Which::Users),
                            "1" => Some(Which::Teams),
                            _ => None,
                        },
                    )?;
                Ok::<_, DumpError>((which, id))
            })();
            let (which, id) = match owner {
                Ok(owner) => owner,
                Err(error) => {
                    self.problems.row(error);
                    continue;
                }
            };
            match which {
                Which::Users => self.users.insert(id, None),
                Which::Teams => self.teams.insert(id, None),
            };
            if let Some(krate) = self.crates.get_mut(key) {
                krate.owners.push(Owner {
                    identity: placeholder(which, id),
                    role: None,
                });
            }
        }
        Ok(())
    }

    /// The logins of the users or teams collected so far. Stops early once all are found.
    fn read_logins(
        &mut self,
        mut table: Table,
        which: Which,
    ) -> Result<HashMap<i64, Option<String>>, DumpError> {
        const ID: usize = 0;
        const LOGIN: usize = 1;
        let mut logins = std::mem::take(match which {
            Which::Users => &mut self.users,
            Which::Teams => &mut self.teams,
        });
        let (id_name, login_name) = match which {
            Which::Users => ("id", "gh_login"),
            Which::Teams => ("id", "login"),
        };
        let mut missing = logins.len();
        while missing > 0 {
            let Some(row) = table.next(&mut self.problems)? else {
                break;
            };
            let id = match row.key(ID, id_name, "an id", parse_id) {
                Ok(id) => id,
                Err(error) => {
                    self.problems.row(error);
                    continue;
                }
            };
            let Some(slot) = logins.get_mut(&id) else {
                continue;
            };
            let login = row.optional(
                LOGIN,
                login_name,
                "UTF-8 text",
                &mut self.problems,
                |text| Some(text.to_string()),
            );
            if slot.is_none() {
                missing -= 1;
            }
            *slot = login.or_else(|| Some(String::new()));
        }
        Ok(logins)
    }
}

/// `crates:user:<id>` or `crates:team:<id>`, displayed as the id until the login is known.
fn placeholder(which: Which, id: i64) -> Identity {
    let (prefix, kind) = match which {
        Which::Users => ("user", IdentityKind::User),
        Which::Teams => ("team", IdentityKind::Team),
    };
    Identity {
        id: format!("crates:{prefix}:{id}"),
        display: id.to_string(),
        kind,
    }
}

/// Replaces a placeholder's display with the login, when the dump has a non-empty one.
fn name_identity(
    identity: &mut Identity,
    users: &HashMap<i64, Option<String>>,
    teams: &HashMap<i64, Option<String>>,
) {
    let logins = match identity.kind {
        IdentityKind::Team => teams,
        _ => users,
    };
    let login = identity
        .id
        .rsplit(':')
        .next()
        .and_then(|id| id.parse::<i64>().ok())
        .and_then(|id| logins.get(&id))
        .and_then(Option::as_deref)
        .filter(|login| !login.is_empty());
    if let Some(login) = login {
        identity.display = login.to_string();
    }
}

fn parse_id(text: &str) -> Option<i64> {
    text.parse().ok()
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "t" | "true" => Some(true),
        "f" | "false" => Some(false),
        _ => None,
    }
}

fn parse_checksum(text: &str) -> Option<String> {
    (text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit()))
        .then(|| text.to_ascii_lowercase())
}

/// A PostgreSQL or RFC 3339 time: `2015-01-28 22:55:43.062952+00`, `… 22:55:43+00`,
/// `2015-01-28T22:55:43Z`; a time without offset (`timestamp without time zone`) is UTC.
fn parse_timestamp(text: &str) -> Option<Timestamp> {
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp);
    }
    // PostgreSQL writes the offset in hours only (`+00`); RFC 3339 wants `+00:00`.
    let bytes = text.as_bytes();
    let hours_only = bytes.len() > 3
        && matches!(bytes[bytes.len() - 3], b'+' | b'-')
        && bytes[bytes.len() - 2..].iter().all(u8::is_ascii_digit)
        && bytes[..bytes.len() - 3].contains(&b':');
    if hours_only && let Ok(timestamp) = format!("{text}:00").parse::<Timestamp>() {
        return Some(timestamp);
    }
    civil_utc(text)
}

#[cfg(test)]
mod tests;

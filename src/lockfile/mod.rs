//! Lockfile parsers: one file per format, registered in [`PARSERS`]. Each parser declares its
//! [`Format`] (id, ecosystem, file names, versions): discovery and error messages are derived
//! from them, and this table, `docs/formats.md`, the README, `deptrust graph --help` and
//! `action.yml` are checked against them (`tests/it/formats.rs`).
//!
//! Supported (each parser's module doc lists its versions and limits):
//!
//! | id | file | versions |
//! |---|---|---|
//! | `cargo/cargo-lock` | `Cargo.lock` (+ `Cargo.toml` files for roots and edge kinds) | 1, 2, 3, 4 |
//! | `npm/package-lock` | `package-lock.json`, `npm-shrinkwrap.json` | 1, 2, 3 |
//! | `npm/yarn-classic` | `yarn.lock` (+ `package.json` files) | 1 |
//! | `npm/yarn-berry` | `yarn.lock` with `__metadata` (+ `package.json` files) | yarn 2 to 4 |
//! | `npm/pnpm-lock` | `pnpm-lock.yaml` (+ `package.json` files) | 5.x (5.0–5.4), 6, 9 |
//! | `pypi/uv-lock` | `uv.lock` | 1 |
//! | `pypi/poetry-lock` | `poetry.lock` (+ `pyproject.toml`) | 1.x, 2.x |
//! | `pypi/pipfile-lock` | `Pipfile.lock` (+ `Pipfile`) | spec 6 |
//! | `pypi/pdm-lock` | `pdm.lock` (+ `pyproject.toml`) | 4.x |
//! | `pypi/requirements-txt` | `requirements*.txt`, `*requirements.txt`, `requirements/*.txt` | pip-compile style |
//!
//! A parser reads its lockfile from memory and may read the manifests beside it through
//! [`LockfileInput`] (Cargo.toml, package.json, pyproject.toml, Pipfile, included requirement
//! files). It never runs a package manager and never touches the network, with one opt-in
//! exception: Cargo's exact mode ([`CargoMetadata`], off by default in [`ReadOptions`], on
//! by default on the command line) runs `cargo metadata --offline` for the edge kinds and
//! build-time crates a `Cargo.lock` does not record.
//!
//! Each parser records the line where the lockfile defines each package
//! ([`LockedPackage::line`](crate::model::LockedPackage::line)): the `name` line of a TOML
//! `[[package]]`, the key line of a JSON or YAML entry, the header of a yarn classic entry, the
//! first line of a requirement; reports (SARIF) point there.
//!
//! Every path a lockfile or manifest names is confined to the project root (see [`confine`]):
//! absolute paths, `..` out of the root, VCS metadata and symbolic links out of the root are
//! refused with a warning and not read.

use std::cell::RefCell;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::Lockfile;

mod cargo_lock;
mod cargo_metadata;
pub mod confine;
mod discover;
mod format;
mod lines;
mod npm;
mod pypi;
pub mod read;
#[cfg(test)]
pub(crate) mod test_support;

pub use cargo_metadata::{CargoMetadata, CargoOptions};
pub use discover::{
    DiscoverError, Discovered, Exclude, ExcludeError, discover, discover_excluding,
};
pub use format::{Format, formats, supported_files};
pub use read::{ReadError, read_bounded};

/// One lockfile format.
pub trait LockfileParser: Send + Sync + 'static {
    /// What the format is: its id, ecosystem, file names and versions.
    fn format(&self) -> &'static Format;
    /// Stable id `<ecosystem>/<format>`, e.g. `npm/package-lock` ([`Format::id`]). Public API:
    /// it appears in JSON output as `format`.
    fn id(&self) -> &'static str {
        self.format().id
    }
    /// Whether the contents of a file whose name [`Format::matches`] are this format; used
    /// where two formats share one file name (`yarn.lock`). The default claims everything.
    fn claims(&self, _contents: &str) -> bool {
        true
    }
    /// Parses one lockfile.
    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError>;
}

/// Every supported format, in detection order.
pub const PARSERS: &[&dyn LockfileParser] = &[
    &cargo_lock::CargoLock,
    &npm::package_lock::PackageLock,
    &npm::yarn_berry::YarnBerry,
    &npm::yarn_classic::YarnClassic,
    &npm::pnpm_lock::PnpmLock,
    &pypi::uv_lock::UvLock,
    &pypi::poetry_lock::PoetryLock,
    &pypi::pipfile_lock::PipfileLock,
    &pypi::pdm_lock::PdmLock,
    &pypi::requirements_txt::RequirementsTxt,
];

/// The largest lockfile or manifest read by default (128 MiB): real lockfiles of big monorepos
/// stay well below; anything larger is refused rather than loaded.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;

/// How lockfiles and their manifests are read (through [`read_bounded`]).
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Files larger than this are refused with [`ReadError::TooLarge`].
    pub max_file_bytes: u64,
    /// The scanned tree: a lockfile or manifest that resolves outside it (through a symbolic
    /// link, a symlinked directory or `..`) is refused. `None` reads wherever a path leads.
    pub root: Option<PathBuf>,
    /// Whether and how `Cargo.lock` is completed by `cargo metadata` (off by default).
    pub cargo: CargoOptions,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            root: None,
            cargo: CargoOptions::default(),
        }
    }
}

/// A lockfile in memory, plus access to the manifests beside it, confined to the project root.
#[derive(Debug)]
pub struct LockfileInput<'a> {
    /// The lockfile path, as given or found.
    pub path: &'a Path,
    /// Its text.
    pub contents: &'a str,
    /// The parser reading it (for error messages).
    pub format: &'static str,
    /// Limits for the manifests read beside it.
    pub options: ReadOptions,
    /// The root every path the lockfile names is confined to.
    root: confine::Root,
    /// Warnings about refused paths, added to the lockfile's warnings by [`parse_input`].
    refused: RefCell<Vec<String>>,
}

impl<'a> LockfileInput<'a> {
    /// A lockfile whose named paths are confined to its own directory.
    pub fn new(
        path: &'a Path,
        contents: &'a str,
        format: &'static str,
        options: ReadOptions,
    ) -> Self {
        let mut input = LockfileInput {
            path,
            contents,
            format,
            options,
            root: confine::Root::new(Path::new("."), None),
            refused: RefCell::new(Vec::new()),
        };
        input.root = confine::Root::new(input.dir(), None);
        input
    }

    /// Confines named paths to `root` (the directory searched, above the lockfile) instead of
    /// the lockfile's directory; ignored when `root` does not hold the lockfile.
    #[must_use]
    pub fn with_root(mut self, root: &Path) -> Self {
        self.root = confine::Root::new(self.dir(), Some(root));
        self
    }
}

impl LockfileInput<'_> {
    /// The directory holding the lockfile.
    pub fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        }
    }

    /// Resolves a path the lockfile names (relative to the lockfile's directory) within the
    /// project root: the normalized path relative to the lockfile's directory, or why it is
    /// refused. Callers that know a line warn themselves; see [`refuse`](Self::refuse).
    pub fn confine(&self, named: &Path) -> Result<PathBuf, confine::Refusal> {
        self.root.resolve(named)
    }

    /// Records a warning about a refused path (once per message); [`parse_input`] adds them to
    /// the lockfile's warnings.
    pub fn refuse(&self, message: String) {
        let mut refused = self.refused.borrow_mut();
        if !refused.contains(&message) {
            refused.push(message);
        }
    }

    /// Reads a file relative to the lockfile's directory; `Ok(None)` when it does not exist or
    /// lies outside the project (then with a warning, see [`confine`](Self::confine)).
    pub fn read_beside(&self, relative: &Path) -> Result<Option<String>, ParseError> {
        let relative = match self.confine(relative) {
            Ok(relative) => relative,
            Err(refusal) => {
                self.refuse(format!(
                    "`{}` {refusal}: it points outside the project, not read",
                    relative.display()
                ));
                return Ok(None);
            }
        };
        let path = self.dir().join(relative);
        match read_text(&path, &self.options) {
            Ok(text) => Ok(Some(text)),
            Err(ParseError::Read(error)) if error.is_not_found() => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Expands a workspace glob (`packages/*`, `crates/**`) relative to the lockfile's
    /// directory into the directories it names, sorted, relative to that directory. Patterns
    /// that are absolute or climb out of the project are refused, matches outside it (through
    /// symbolic links) are dropped, and expansion stops after
    /// [`MAX_GLOB_MATCHES`](confine::MAX_GLOB_MATCHES) entries; each with a warning.
    pub fn glob_dirs(&self, pattern: &str) -> Vec<PathBuf> {
        self.glob_dirs_at_most(pattern, confine::MAX_GLOB_MATCHES)
    }

    fn glob_dirs_at_most(&self, pattern: &str, limit: usize) -> Vec<PathBuf> {
        let base = self.dir();
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        if let Err(refusal) = self.root.check_pattern(pattern) {
            self.refuse(format!(
                "workspace pattern `{pattern}` {refusal}: it points outside the project, not expanded"
            ));
            return Vec::new();
        }
        let full = base.join(pattern);
        let Some(full) = full.to_str() else {
            return Vec::new();
        };
        let Ok(paths) = glob::glob(full) else {
            return Vec::new();
        };
        let mut dirs: Vec<PathBuf> = Vec::new();
        for (visited, path) in paths.enumerate() {
            if visited >= limit {
                self.refuse(format!(
                    "workspace pattern `{pattern}` matches more than {limit} entries: expansion stopped there"
                ));
                break;
            }
            let Ok(path) = path else {
                continue;
            };
            if path.components().any(|c| c.as_os_str() == "node_modules") || !path.is_dir() {
                continue;
            }
            let Ok(relative) = path.strip_prefix(base) else {
                continue;
            };
            match self.confine(relative) {
                Ok(relative) => dirs.push(relative),
                Err(refusal) => self.refuse(format!(
                    "`{}` (matched by workspace pattern `{pattern}`) {refusal}: not read",
                    relative.display()
                )),
            }
        }
        dirs.sort();
        dirs
    }

    /// A syntax error at an optional 1-based line.
    pub fn syntax(&self, line: Option<usize>, message: impl fmt::Display) -> ParseError {
        ParseError::Syntax {
            path: self.path.to_path_buf(),
            format: self.format,
            line,
            message: message.to_string(),
        }
    }

    /// A well-formed file whose content is not what the format requires.
    pub fn invalid(&self, message: impl fmt::Display) -> ParseError {
        ParseError::Invalid {
            path: self.path.to_path_buf(),
            format: self.format,
            message: message.to_string(),
        }
    }

    /// An error in a manifest read beside the lockfile.
    pub fn manifest(&self, manifest: &Path, message: impl fmt::Display) -> ParseError {
        ParseError::Manifest {
            lockfile: self.path.to_path_buf(),
            manifest: self.dir().join(manifest),
            message: message.to_string(),
        }
    }

    /// A format version this parser does not know.
    pub fn unsupported(&self, version: impl fmt::Display, supported: &'static str) -> ParseError {
        ParseError::UnsupportedVersion {
            path: self.path.to_path_buf(),
            format: self.format,
            version: version.to_string(),
            supported,
        }
    }

    /// Converts a serde_json error on this file.
    pub fn json_error(&self, error: &serde_json::Error) -> ParseError {
        self.syntax(Some(error.line()), strip_position(&error.to_string()))
    }

    /// Converts a toml error on this file.
    pub fn toml_error(&self, error: &toml::de::Error) -> ParseError {
        let line = error.span().map(|span| line_of(self.contents, span.start));
        self.syntax(line, error.message())
    }

    /// Converts a YAML error on this file.
    pub fn yaml_error(&self, error: &serde_saphyr::Error) -> ParseError {
        let line = error.location().map(|location| location.line() as usize);
        let message = error.to_string();
        let message = message.lines().next().unwrap_or("invalid YAML").to_string();
        self.syntax(line, message)
    }
}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// serde_json appends " at line X column Y"; the line is reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// Why a lockfile could not be graphed. Every variant names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The file was refused or could not be read: not a regular file, outside the scanned
    /// tree, over the size limit, missing or unreadable.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The file could not be read (no longer produced: see [`ParseError::Read`]).
    #[error("failed to read `{path}`: {source}", path = .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than the limit (no longer produced: see [`ParseError::Read`]).
    #[error("`{path}` is {size} bytes, over the limit of {limit} bytes for a lockfile or manifest", path = .path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("`{path}` is not UTF-8 text (binary file?)", path = .path.display())]
    NotText {
        /// The file.
        path: PathBuf,
    },
    /// The file does not parse as its format.
    #[error("failed to parse `{path}` as {format}{at}: {message}", path = .path.display(), at = line_suffix(*.line))]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser id.
        format: &'static str,
        /// The 1-based line, where the format allows.
        line: Option<usize>,
        /// What was expected.
        message: String,
    },
    /// The file parses but does not hold what the format requires.
    #[error("invalid {format} `{path}`: {message}", path = .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The parser id.
        format: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The format version is not supported.
    #[error("`{path}`: unsupported {format} version `{version}` (supported: {supported})", path = .path.display())]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The parser id.
        format: &'static str,
        /// The version found.
        version: String,
        /// The versions supported.
        supported: &'static str,
    },
    /// A manifest beside the lockfile is broken.
    #[error("`{manifest}` (manifest of `{lockfile}`): {message}", manifest = .manifest.display(), lockfile = .lockfile.display())]
    Manifest {
        /// The lockfile.
        lockfile: PathBuf,
        /// The manifest.
        manifest: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No parser knows this file name.
    #[error("`{path}` is not a supported lockfile (supported: {supported})", path = .path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// The supported file names.
        supported: &'static str,
    },
}

fn line_suffix(line: Option<usize>) -> String {
    match line {
        Some(line) => format!(" at line {line}"),
        None => String::new(),
    }
}

/// Reads a lockfile or manifest as text through [`read_bounded`]: a regular file within the
/// size limit and the scanned tree, UTF-8 without NUL bytes; a leading BOM is dropped.
pub fn read_text(path: &Path, options: &ReadOptions) -> Result<String, ParseError> {
    let bytes = read_bounded(path, options.max_file_bytes, options.root.as_deref())?;
    let mut text = String::from_utf8(bytes).map_err(|_| ParseError::NotText {
        path: path.to_path_buf(),
    })?;
    if text.contains('\0') {
        return Err(ParseError::NotText {
            path: path.to_path_buf(),
        });
    }
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// The parser for a path, by file name; for `yarn.lock`, by content too.
pub fn parser_for(path: &Path, contents: &str) -> Option<&'static dyn LockfileParser> {
    PARSERS
        .iter()
        .copied()
        .find(|parser| parser.format().matches(path) && parser.claims(contents))
}

/// Whether any parser accepts this file name.
pub fn is_lockfile(path: &Path) -> bool {
    formats().any(|format| format.matches(path))
}

/// Reads and parses one lockfile; paths it names are confined to its directory.
pub fn parse_file(path: &Path, options: ReadOptions) -> Result<Lockfile, ParseError> {
    parse_file_in(path, None, options)
}

/// Reads and parses one lockfile found under `root` (the directory given on the command line):
/// paths it names are confined to `root`, or to the lockfile's directory when `root` is `None`
/// or does not hold it.
pub fn parse_file_in(
    path: &Path,
    root: Option<&Path>,
    options: ReadOptions,
) -> Result<Lockfile, ParseError> {
    if !is_lockfile(path) {
        return Err(ParseError::UnknownFormat {
            path: path.to_path_buf(),
            supported: supported_files(),
        });
    }
    let options = match root {
        Some(root) if options.root.is_none() => ReadOptions {
            root: Some(root.to_path_buf()),
            ..options
        },
        _ => options,
    };
    let contents = read_text(path, &options)?;
    parse_text(path, &contents, options)
}

/// Parses a lockfile already read (with [`read_text`]) from `path`; manifests are read beside
/// it with `options`.
pub fn parse_text(
    path: &Path,
    contents: &str,
    options: ReadOptions,
) -> Result<Lockfile, ParseError> {
    let parser = parser_for(path, contents).ok_or_else(|| ParseError::UnknownFormat {
        path: path.to_path_buf(),
        supported: supported_files(),
    })?;
    // Paths the lockfile names are confined to the scanned tree (`options.root`), or to the
    // lockfile's own directory.
    let root = options.root.clone();
    let mut input = LockfileInput::new(path, contents, parser.id(), options);
    if let Some(root) = root.as_deref().filter(|root| root.is_dir()) {
        input = input.with_root(root);
    }
    parse_input(parser, &input)
}

/// Parses a lockfile in memory, adding the warnings about paths it named that were refused.
pub fn parse_input(
    parser: &dyn LockfileParser,
    input: &LockfileInput<'_>,
) -> Result<Lockfile, ParseError> {
    // Every package manager writes something, even for a project without dependencies, but
    // a requirements file may list nothing: an empty lockfile is a file cut or cleared, and
    // graphing it as "no packages" would let a scan judge nothing and pass.
    if input.contents.trim().is_empty() && parser.id() != pypi::requirements_txt::FORMAT.id {
        return Err(input.invalid("the file is empty"));
    }
    let mut lockfile = parser.parse(input)?;
    lockfile.warnings.extend(input.refused.take());
    Ok(lockfile)
}

/// A string of a lockfile, borrowed from its text when it needs no unescaping (serde's own
/// `Cow<str>` always copies inside an `Option` or as a map key): wire types of large formats
/// use it so that a lockfile of a million packages is not held twice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct Text<'a>(pub(crate) std::borrow::Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for Text<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                text: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(Text(std::borrow::Cow::Borrowed(text)))
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Text(std::borrow::Cow::Owned(text.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(Text(std::borrow::Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// The file name of a path, or "" when it has none.
pub(crate) fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_ids_are_unique_and_well_formed() {
        let mut ids: Vec<&str> = PARSERS.iter().map(|parser| parser.id()).collect();
        for id in &ids {
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '/' || c == '-'),
                "{id}"
            );
            let ecosystem = id.split('/').next().unwrap_or_default();
            assert!(["cargo", "npm", "pypi"].contains(&ecosystem), "{id}");
        }
        ids.sort_unstable();
        let count = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), count);
        insta::assert_snapshot!(ids.join("\n"));
    }

    #[test]
    fn file_names_select_parsers() {
        let cases = [
            ("Cargo.lock", Some("cargo/cargo-lock")),
            ("a/b/package-lock.json", Some("npm/package-lock")),
            ("npm-shrinkwrap.json", Some("npm/package-lock")),
            ("pnpm-lock.yaml", Some("npm/pnpm-lock")),
            ("uv.lock", Some("pypi/uv-lock")),
            ("poetry.lock", Some("pypi/poetry-lock")),
            ("Pipfile.lock", Some("pypi/pipfile-lock")),
            ("pdm.lock", Some("pypi/pdm-lock")),
            ("requirements.txt", Some("pypi/requirements-txt")),
            ("requirements-dev.txt", Some("pypi/requirements-txt")),
            ("dev-requirements.txt", Some("pypi/requirements-txt")),
            ("requirements/base.txt", Some("pypi/requirements-txt")),
            ("requirements.in", None),
            ("package.json", None),
            ("Cargo.toml", None),
            ("notes.txt", None),
        ];
        for (path, want) in cases {
            let got = parser_for(Path::new(path), "").map(|parser| parser.id());
            assert_eq!(got, want, "{path}");
        }
        let berry = "__metadata:\n  version: 8\n";
        assert_eq!(
            parser_for(Path::new("yarn.lock"), berry).map(|p| p.id()),
            Some("npm/yarn-berry")
        );
        let classic = "# yarn lockfile v1\n";
        assert_eq!(
            parser_for(Path::new("yarn.lock"), classic).map(|p| p.id()),
            Some("npm/yarn-classic")
        );
    }

    #[test]
    fn workspace_globs_stay_in_the_project() {
        let dir = test_support::dir_with(&[
            ("project/packages/a/package.json", "{}"),
            ("project/packages/b/package.json", "{}"),
            ("elsewhere/c/package.json", "{}"),
        ]);
        let lockfile = dir.path().join("project/yarn.lock");
        let input = LockfileInput::new(&lockfile, "", "npm/yarn-classic", ReadOptions::default());
        assert_eq!(
            input.glob_dirs("packages/*"),
            [PathBuf::from("packages/a"), PathBuf::from("packages/b")]
        );
        assert!(input.glob_dirs("/**").is_empty());
        assert!(input.glob_dirs("../*").is_empty());
        assert!(input.glob_dirs("packages/../../elsewhere/*").is_empty());
        assert_eq!(
            input.glob_dirs_at_most("packages/*", 1),
            [PathBuf::from("packages/a")]
        );
        let refused = input.refused.take();
        assert_eq!(refused.len(), 4, "{refused:#?}");
        assert!(
            refused[3].contains("matches more than 1 entries: expansion stopped there"),
            "{refused:#?}"
        );
        assert!(
            refused[0].contains("workspace pattern `/**` is absolute"),
            "{refused:#?}"
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                dir.path().join("elsewhere"),
                dir.path().join("project/packages/link"),
            )
            .unwrap();
            assert_eq!(input.glob_dirs("packages/*").len(), 2);
            let manifest = Path::new("packages/link/c/package.json");
            assert!(input.read_beside(manifest).unwrap().is_none());
            let refused = input.refused.take();
            assert_eq!(refused.len(), 2, "{refused:#?}");
            assert!(
                refused.iter().all(|r| r.contains("symbolic link")),
                "{refused:#?}"
            );
        }
    }

    #[test]
    fn line_of_counts_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}

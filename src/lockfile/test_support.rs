//! Helpers shared by the parsers' unit tests: parse text in memory as if read from a path, and
//! list a lockfile's package ids and edges as strings for assertions.

use std::path::Path;

use super::{LockfileInput, LockfileParser, ParseError, ReadOptions, parse_input};
use crate::model::Lockfile;

/// Parses `contents` with `parser` as if read from `path` (manifests are read beside it), with
/// the default read options; the format is the parser's id.
pub(crate) fn parse_with(
    parser: &dyn LockfileParser,
    path: &Path,
    contents: &str,
) -> Result<Lockfile, ParseError> {
    let input = LockfileInput::new(path, contents, parser.id(), ReadOptions::default());
    parse_input(parser, &input)
}

/// Every package id, in the lockfile's (sorted) order.
pub(crate) fn ids(lockfile: &Lockfile) -> Vec<String> {
    lockfile
        .packages
        .iter()
        .map(|package| package.id.to_string())
        .collect()
}

/// Every edge as `from -> to kind`, in the lockfile's (sorted) order.
pub(crate) fn edges(lockfile: &Lockfile) -> Vec<String> {
    lockfile
        .edges
        .iter()
        .map(|edge| format!("{} -> {} {}", edge.from, edge.to, edge.kind.as_str()))
        .collect()
}

/// A temporary directory holding `files` (relative path, text), removed when dropped: the
/// manifests a parser reads beside its lockfile.
pub(crate) fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, text).unwrap();
    }
    dir
}

/// The line each package (`<ecosystem>:<name>@<version>`) is recorded at, reading the fixture
/// lockfile at `path` (relative to the crate root) with the default read options.
pub(crate) fn fixture_lines(path: &str, ids: &[&str]) -> Vec<Option<u32>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let lockfile = super::parse_file(&path, ReadOptions::default()).unwrap();
    ids.iter()
        .map(|id| {
            lockfile
                .packages
                .iter()
                .find(|package| package.id.to_string() == *id)
                .unwrap_or_else(|| panic!("{id} is not in {}", path.display()))
                .line
        })
        .collect()
}

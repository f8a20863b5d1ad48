//! What each lockfile format is, in one place: every parser declares a [`Format`] and
//! [`PARSERS`](super::PARSERS) lists the parsers, so the file names discovery looks for, the
//! names error messages list ([`supported_files`]) and the ids in JSON output all come from the
//! descriptors. The texts written by hand (the `deptrust graph --help` list, the tables of
//! `docs/formats.md` and of this module's parent, the README's list of tools, the cache key of
//! `action.yml`) are checked against them by tests, which name the format missing or extra.

use std::path::Path;
use std::sync::OnceLock;

use super::{PARSERS, file_name};
use crate::model::Ecosystem;

/// One lockfile format, as users are told about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// Stable id `<ecosystem>/<format>`, e.g. `npm/package-lock`. Public API: it appears in
    /// JSON output as `format`.
    pub id: &'static str,
    /// The ecosystem of every package the format yields.
    pub ecosystem: Ecosystem,
    /// The tool that writes it, as the README names it (`npm`, `Poetry`, `pip-compile`).
    pub tool: &'static str,
    /// The file names it is read from: a name (`Cargo.lock`) or a pattern with one `*`
    /// (`requirements*.txt`), optionally below a directory of a given name
    /// (`requirements/*.txt`). Two formats may share a name (`yarn.lock`): the parsers then
    /// tell them apart by content ([`LockfileParser::claims`](super::LockfileParser::claims)).
    pub files: &'static [&'static str],
    /// The format versions read, as the documentation shows them (`1, 2, 3`, `4.x`).
    pub versions: &'static str,
    /// The versions accepted, exactly, as an error about an unknown version lists them.
    pub accepted: &'static str,
}

impl Format {
    /// Whether a file at `path` has one of [`files`](Self::files)' names (path only, no I/O).
    pub fn matches(&self, path: &Path) -> bool {
        self.files
            .iter()
            .any(|pattern| matches_pattern(pattern, path))
    }

    /// A relative path for each of [`files`](Self::files), its `*` made `x`
    /// (`requirements/x.txt`): names this format is read from, for tests and examples.
    pub fn example_paths(&self) -> impl Iterator<Item = String> + use<> {
        self.files.iter().map(|pattern| pattern.replace('*', "x"))
    }
}

/// Whether `path` has the name `pattern` describes (see [`Format::files`]).
fn matches_pattern(pattern: &str, path: &Path) -> bool {
    let (dir, name) = match pattern.rsplit_once('/') {
        Some((dir, name)) => (Some(dir), name),
        None => (None, pattern),
    };
    if let Some(dir) = dir {
        let in_dir = path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|parent| parent == dir);
        if !in_dir {
            return false;
        }
    }
    let file = file_name(path);
    match name.split_once('*') {
        Some((prefix, suffix)) => {
            file.len() >= prefix.len() + suffix.len()
                && file.starts_with(prefix)
                && file.ends_with(suffix)
        }
        None => file == name,
    }
}

/// Every format, in detection order (the order of [`PARSERS`]).
pub fn formats() -> impl Iterator<Item = &'static Format> {
    PARSERS.iter().map(|parser| parser.format())
}

/// The supported file names, for error messages: every name of [`Format::files`], once, in
/// the order of [`PARSERS`].
pub fn supported_files() -> &'static str {
    static LIST: OnceLock<String> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut names: Vec<&str> = Vec::new();
        for name in formats().flat_map(|format| format.files.iter().copied()) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.join(", ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_are_well_formed() {
        for format in formats() {
            let prefix = format!("{}/", format.ecosystem.as_str());
            assert!(format.id.starts_with(&prefix), "{}", format.id);
            assert!(!format.files.is_empty(), "{}", format.id);
            assert!(!format.tool.is_empty(), "{}", format.id);
            assert!(!format.versions.is_empty(), "{}", format.id);
            assert!(!format.accepted.is_empty(), "{}", format.id);
            for pattern in format.files {
                // One `*` at most, in the file name; one directory at most, without wildcards.
                let name = pattern.rsplit('/').next().unwrap_or_default();
                assert!(pattern.matches('*').count() <= 1, "{pattern}");
                assert!(pattern.matches('/').count() <= 1, "{pattern}");
                assert_eq!(
                    name.matches('*').count(),
                    pattern.matches('*').count(),
                    "{pattern}"
                );
            }
            for example in format.example_paths() {
                assert!(format.matches(Path::new(&example)), "{example}");
                // No format earlier in detection order takes the name from it, unless both
                // read it and tell each other apart by content (`yarn.lock`).
                let chosen =
                    super::super::parser_for(Path::new(&example), "").map(|parser| parser.format());
                assert!(
                    chosen.is_some_and(|chosen| chosen
                        .files
                        .iter()
                        .any(|name| format.files.contains(name))),
                    "`{example}` of {} is read as {:?}",
                    format.id,
                    chosen.map(|chosen| chosen.id)
                );
            }
        }
    }

    #[test]
    fn patterns_match_names_as_before() {
        let cases = [
            ("requirements*.txt", "requirements.txt", true),
            ("requirements*.txt", "requirements-dev.txt", true),
            ("requirements*.txt", "requirements.in", false),
            ("requirements*.txt", "requirements", false),
            ("*requirements.txt", "dev-requirements.txt", true),
            ("*requirements.txt", "requirements.txt", true),
            ("*requirements.txt", "requirement.txt", false),
            ("requirements/*.txt", "requirements/base.txt", true),
            ("requirements/*.txt", "a/requirements/.txt", true),
            ("requirements/*.txt", "base.txt", false),
            ("requirements/*.txt", "other/base.txt", false),
            ("requirements/*.txt", "requirements/base.in", false),
            ("Cargo.lock", "a/b/Cargo.lock", true),
            ("Cargo.lock", "cargo.lock", false),
            ("Cargo.lock", "Cargo.lock.bak", false),
        ];
        for (pattern, path, want) in cases {
            assert_eq!(
                matches_pattern(pattern, Path::new(path)),
                want,
                "{pattern} {path}"
            );
        }
    }

    #[test]
    fn supported_files_lists_every_name_once() {
        insta::assert_snapshot!(supported_files());
    }
}

//! Finding lockfiles: a path given on the command line is a lockfile or a directory searched
//! recursively. Vendored and generated trees are skipped, symbolic links to directories are not
//! followed (no loops), and the result is sorted so runs are deterministic.
//!
//! Nothing with a lockfile's name is dropped in silence: a symbolic link, a FIFO or a device of
//! that name is returned like a lockfile, for the reader to follow (a link to a regular file
//! inside the scanned tree) or refuse by name; a directory or entry that cannot be read is a
//! problem returned beside the lockfiles, so the run reports it and fails.
//!
//! **Excluded paths** ([`Exclude`]: `exclude` in `deptrust.toml`, `--exclude`): glob patterns
//! matched against each directory's and lockfile's path relative to the searched directory,
//! with `/` separators (`fixtures`, `tests/data/*`, `**/testdata`, `examples/*/yarn.lock`).
//! `*`, `?` and `[…]` stay within one path component; `**` spans any number of them. An excluded
//! directory is not entered. A lockfile named on the command line is read whatever the patterns
//! say: they shape directory searches only.

use std::path::{Path, PathBuf};

use super::is_lockfile;

/// Directories never searched: installed packages, build output, VCS metadata, virtualenvs and
/// vendored trees hold other people's lockfiles, not the project's.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "target",
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pypackages__",
    "site-packages",
    ".yarn",
    ".pnpm-store",
    "vendor",
    "third_party",
    "third-party",
];

/// Why a path given by the user could not be searched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoverError {
    /// The path does not exist or cannot be read.
    #[error("cannot read `{path}`: {source}", path = .path.display())]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A directory below the path could not be listed: lockfiles in it may be missed.
    #[error("cannot search directory `{path}` for lockfiles: {source}", path = .path.display())]
    UnreadableDirectory {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Paths left out of directory searches: glob patterns relative to the searched directory.
#[derive(Debug, Clone, Default)]
pub struct Exclude {
    patterns: Vec<(String, glob::Pattern)>,
}

/// A pattern of `exclude` / `--exclude` that is not a valid glob.
#[derive(Debug, thiserror::Error)]
#[error("exclude pattern `{pattern}` is not a valid glob: {message}")]
pub struct ExcludeError {
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong with it.
    pub message: String,
}

impl Exclude {
    /// Compiles the patterns (a leading `./` and a trailing `/` are ignored).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, ExcludeError> {
        let patterns = patterns
            .iter()
            .map(|written| {
                let written = written.as_ref();
                let trimmed = written.trim_start_matches("./").trim_end_matches('/');
                glob::Pattern::new(trimmed)
                    .map(|pattern| (written.to_string(), pattern))
                    .map_err(|error| ExcludeError {
                        pattern: written.to_string(),
                        message: error.msg.to_string(),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Exclude { patterns })
    }

    /// Whether nothing is excluded.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The first pattern matching `relative` (a path below the searched directory).
    fn matching(&self, relative: &Path) -> Option<&str> {
        if self.patterns.is_empty() {
            return None;
        }
        let text = relative.to_string_lossy().replace('\\', "/");
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        self.patterns
            .iter()
            .find(|(_, pattern)| pattern.matches_with(&text, options))
            .map(|(written, _)| written.as_str())
    }
}

/// What a path given on the command line holds.
#[derive(Debug)]
pub struct Discovered {
    /// The scanned tree: the directory given, or for a lockfile given by path, the current
    /// directory when the lockfile is below it, else the lockfile's directory. Reads are
    /// confined to it.
    pub root: PathBuf,
    /// Every file with a lockfile's name (or the file given), sorted.
    pub lockfiles: Vec<PathBuf>,
    /// Directories that could not be searched, sorted.
    pub problems: Vec<DiscoverError>,
    /// Lockfiles found but not read, and why (a `package-lock.json` beside an
    /// `npm-shrinkwrap.json`: npm uses the shrinkwrap and ignores it).
    pub notes: Vec<String>,
    /// Directories and lockfiles left out by [`Exclude`], sorted.
    pub excluded: Vec<PathBuf>,
}

/// The lockfiles a path stands for: itself when it is not a directory (whatever its name: the
/// parser then says whether it is supported), or every file with a supported lockfile's name
/// below it when it is a directory, with the directories that could not be searched.
pub fn discover(path: &Path) -> Result<Discovered, DiscoverError> {
    discover_excluding(path, &Exclude::default())
}

/// [`discover`], leaving out what `exclude` matches below a searched directory.
pub fn discover_excluding(path: &Path, exclude: &Exclude) -> Result<Discovered, DiscoverError> {
    let unreadable = |source| DiscoverError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(unreadable)?;
    if !metadata.is_dir() {
        return Ok(Discovered {
            root: file_root(path),
            lockfiles: vec![path.to_path_buf()],
            problems: Vec::new(),
            notes: Vec::new(),
            excluded: Vec::new(),
        });
    }
    let mut found = Vec::new();
    let mut excluded = Vec::new();
    let mut problems = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(source) => {
                problems.push(DiscoverError::UnreadableDirectory {
                    path: clean(&dir),
                    source,
                });
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(source) => {
                    problems.push(DiscoverError::UnreadableDirectory {
                        path: clean(&dir),
                        source,
                    });
                    continue;
                }
            };
            let entry_path = entry.path();
            let kind = match entry.file_type() {
                Ok(kind) => kind,
                Err(_) if is_lockfile(&entry_path) => {
                    // The reader names the problem.
                    found.push(clean(&entry_path));
                    continue;
                }
                Err(source) => {
                    problems.push(DiscoverError::UnreadableDirectory {
                        path: clean(&entry_path),
                        source,
                    });
                    continue;
                }
            };
            let is_excluded = || {
                entry_path
                    .strip_prefix(path)
                    .is_ok_and(|relative| exclude.matching(relative).is_some())
            };
            if kind.is_dir() {
                let name = entry.file_name();
                if SKIPPED_DIRS.iter().any(|skipped| name == *skipped) {
                    continue;
                }
                if is_excluded() {
                    excluded.push(clean(&entry_path));
                } else {
                    stack.push(entry_path);
                }
            } else if is_lockfile(&entry_path) && is_excluded() {
                excluded.push(clean(&entry_path));
            } else if is_lockfile(&entry_path) {
                // Regular files, and symbolic links, FIFOs and devices too: the reader follows
                // or refuses each by name rather than have it vanish from the scan.
                found.push(clean(&entry_path));
            }
        }
    }
    found.sort();
    excluded.sort();
    problems.sort_by_key(|problem| problem.to_string());
    // npm reads `npm-shrinkwrap.json` when it exists and ignores `package-lock.json` beside it.
    let mut notes = Vec::new();
    let shrinkwraps: Vec<PathBuf> = found
        .iter()
        .filter(|found| {
            found
                .file_name()
                .is_some_and(|name| name == "npm-shrinkwrap.json")
        })
        .filter_map(|found| found.parent().map(Path::to_path_buf))
        .collect();
    found.retain(|found| {
        let shadowed = found
            .file_name()
            .is_some_and(|name| name == "package-lock.json")
            && found
                .parent()
                .is_some_and(|dir| shrinkwraps.iter().any(|s| s == dir));
        if shadowed {
            notes.push(format!(
                "`{}` not read: npm uses `{}` beside it",
                found.display(),
                found.with_file_name("npm-shrinkwrap.json").display()
            ));
        }
        !shadowed
    });
    Ok(Discovered {
        root: path.to_path_buf(),
        lockfiles: found,
        problems,
        notes,
        excluded,
    })
}

/// The scanned tree of a lockfile given by path: the current directory when the lockfile is
/// below it (so `requirements/dev.txt` may include `../base.txt`), else its own directory.
fn file_root(path: &Path) -> PathBuf {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let here = std::env::current_dir().and_then(std::fs::canonicalize);
    match (here, std::fs::canonicalize(&parent)) {
        (Ok(here), Ok(parent)) if parent.starts_with(&here) => here,
        _ => parent,
    }
}

/// `./a/b` → `a/b`, so paths print as users type them.
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix("./").unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lockfiles_and_skips_vendored_trees() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "Cargo.lock",
            "web/package-lock.json",
            "web/node_modules/x/package-lock.json",
            "py/poetry.lock",
            "py/.venv/lib/uv.lock",
            "target/debug/Cargo.lock",
            "docs/readme.md",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let found: Vec<String> = discover(root)
            .unwrap()
            .lockfiles
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            found,
            ["Cargo.lock", "py/poetry.lock", "web/package-lock.json"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn keeps_links_and_special_files_with_lockfile_names_and_reports_unreadable_dirs() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("real.txt"), "").unwrap();
        std::os::unix::fs::symlink(root.join("real.txt"), root.join("Cargo.lock")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(root.join("yarn.lock"))
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::create_dir(root.join("locked")).unwrap();
        std::fs::write(root.join("locked/uv.lock"), "").unwrap();
        std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o000))
            .unwrap();
        let found = discover(root).unwrap();
        let names: Vec<String> = found
            .lockfiles
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        // Permission bits do not stop root (CI containers): then the lockfile is found.
        let readable = std::fs::read_dir(root.join("locked")).is_ok();
        std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        if readable {
            assert_eq!(names, ["Cargo.lock", "locked/uv.lock", "yarn.lock"]);
            assert!(found.problems.is_empty(), "{:?}", found.problems);
        } else {
            assert_eq!(names, ["Cargo.lock", "yarn.lock"]);
            assert_eq!(found.problems.len(), 1);
            let message = found.problems[0].to_string();
            assert!(message.contains("locked"), "{message}");
            assert!(message.contains("cannot search directory"), "{message}");
        }
    }

    #[test]
    fn excluded_directories_are_not_entered_and_named_files_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for file in [
            "Cargo.lock",
            "fixtures/a/Cargo.lock",
            "fuzz/Cargo.lock",
            "web/package-lock.json",
            "web/legacy/package-lock.json",
            "deep/x/testdata/uv.lock",
            "examples/one/yarn.lock",
            "examples/two/pnpm-lock.yaml",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(&path, "").expect("write");
        }
        let exclude = Exclude::new(&[
            "fixtures",
            "./fuzz/",
            "web/legacy/*",
            "**/testdata",
            "examples/*/yarn.lock",
        ])
        .expect("valid");
        let found = discover_excluding(root, &exclude).expect("discovered");
        let relative = |paths: &[PathBuf]| -> Vec<String> {
            paths
                .iter()
                .map(|p| {
                    p.strip_prefix(root)
                        .expect("under")
                        .to_string_lossy()
                        .replace('\\', "/")
                })
                .collect()
        };
        assert_eq!(
            relative(&found.lockfiles),
            [
                "Cargo.lock",
                "examples/two/pnpm-lock.yaml",
                "web/package-lock.json"
            ]
        );
        assert_eq!(
            relative(&found.excluded),
            [
                "deep/x/testdata",
                "examples/one/yarn.lock",
                "fixtures",
                "fuzz",
                "web/legacy/package-lock.json"
            ]
        );
        // A lockfile named on the command line is read whatever the patterns say.
        let named = discover_excluding(&root.join("fuzz/Cargo.lock"), &exclude).expect("file");
        assert_eq!(named.lockfiles.len(), 1);
        // `*` stays within one component: `web/*` does not reach `web/legacy/package-lock.json`.
        let shallow = Exclude::new(&["web/*.json"]).expect("valid");
        let found = discover_excluding(root, &shallow).expect("discovered");
        assert!(
            relative(&found.lockfiles).contains(&"web/legacy/package-lock.json".to_string()),
            "{:?}",
            found.lockfiles
        );
    }

    #[test]
    fn an_invalid_exclude_pattern_is_named() {
        let error = Exclude::new(&["ok", "a/[b"]).expect_err("invalid");
        assert!(
            error
                .to_string()
                .starts_with("exclude pattern `a/[b` is not a valid glob")
        );
    }

    #[test]
    fn a_missing_path_is_an_error() {
        let error = discover(Path::new("/no/such/dir")).unwrap_err();
        assert!(error.to_string().contains("/no/such/dir"));
    }

    #[test]
    fn a_shrinkwrap_shadows_the_package_lock_beside_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        for file in [
            "a/npm-shrinkwrap.json",
            "a/package-lock.json",
            "b/package-lock.json",
        ] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(&path, "{}").expect("write");
        }
        let found = discover(dir.path()).expect("discovered");
        let names: Vec<String> = found
            .lockfiles
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .expect("under")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["a/npm-shrinkwrap.json", "b/package-lock.json"]);
        assert_eq!(found.notes.len(), 1);
        assert!(
            found.notes[0].contains("a/package-lock.json` not read: npm uses"),
            "{:?}",
            found.notes
        );
    }
}

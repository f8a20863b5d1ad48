//! Finding lockfiles: a path given on the command line is a lockfile or a directory searched
//! recursively. Vendored and generated trees are skipped, symbolic links to directories are not
//! followed (no loops), and the result is sorted so runs are deterministic.
//!
//! Nothing with a lockfile's name is dropped in silence: a symbolic link, a FIFO or a device of
//! that name is returned like a lockfile, for the reader to follow (a link to a regular file
//! inside the scanned tree) or refuse by name; a directory or entry that cannot be read is a
//! problem returned beside the lockfiles, so the run reports it and fails.

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
}

/// The lockfiles a path stands for: itself when it is not a directory (whatever its name: the
/// parser then says whether it is supported), or every file with a supported lockfile's name
/// below it when it is a directory, with the directories that could not be searched.
pub fn discover(path: &Path) -> Result<Discovered, DiscoverError> {
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
        });
    }
    let mut found = Vec::new();
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
            if kind.is_dir() {
                let name = entry.file_name();
                if !SKIPPED_DIRS.iter().any(|skipped| name == *skipped) {
                    stack.push(entry_path);
                }
            } else if is_lockfile(&entry_path) {
                // Regular files, and symbolic links, FIFOs and devices too: the reader follows
                // or refuses each by name rather than have it vanish from the scan.
                found.push(clean(&entry_path));
            }
        }
    }
    found.sort();
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

//! Finding lockfiles: a path given on the command line is a lockfile or a directory searched
//! recursively. Vendored and generated trees are skipped, symbolic links are not followed (no
//! loops), and the result is sorted so runs are deterministic.

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
}

/// The lockfiles a path stands for: itself when it is a file (whatever its name: the parser
/// then says whether it is supported), or every supported lockfile below it when it is a
/// directory. Unreadable subdirectories are skipped.
pub fn discover(path: &Path) -> Result<Vec<PathBuf>, DiscoverError> {
    let metadata = std::fs::metadata(path).map_err(|source| DiscoverError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let entry_path = entry.path();
            if kind.is_dir() {
                let name = entry.file_name();
                if !SKIPPED_DIRS.iter().any(|skipped| name == *skipped) {
                    stack.push(entry_path);
                }
            } else if kind.is_file() && is_lockfile(&entry_path) {
                found.push(clean(&entry_path));
            }
        }
    }
    found.sort();
    Ok(found)
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

    #[test]
    fn a_missing_path_is_an_error() {
        let error = discover(Path::new("/no/such/dir")).unwrap_err();
        assert!(error.to_string().contains("/no/such/dir"));
    }
}

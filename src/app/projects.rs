//! Finding the projects of a run: the configuration that applies, then every lockfile under the
//! paths given, parsed and graphed. What a user should be told (notes, excluded paths,
//! lockfiles that could not be read) comes back in [`Loaded`]; nothing is printed here.

use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigError};
use crate::graph::{Failure, Project};
use crate::lockfile::{self, DiscoverError, Exclude, ReadOptions};

/// The projects found under the paths of a run.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Each lockfile read, graphed.
    pub projects: Vec<Project>,
    /// Lockfiles that could not be read or parsed, and directories that could not be searched:
    /// never skipped in silence.
    pub failures: Vec<Failure>,
    /// Lockfiles found but not read, and why (a `package-lock.json` shadowed by the
    /// `npm-shrinkwrap.json` beside it).
    pub notes: Vec<String>,
    /// Directories and lockfiles left out by `exclude`.
    pub excluded: Vec<PathBuf>,
}

/// Why the paths of a run hold no project.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A path given cannot be searched.
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    /// A directory holds no supported lockfile (outside the excluded paths).
    #[error(
        "no supported lockfile found under `{}`{} (supported: {})",
        .path.display(),
        excluded_note(.excluded.len()),
        lockfile::supported_files()
    )]
    NoLockfile {
        /// The directory.
        path: PathBuf,
        /// What `exclude` left out under it.
        excluded: Vec<PathBuf>,
    },
}

fn excluded_note(excluded: usize) -> String {
    if excluded == 0 {
        String::new()
    } else {
        format!(" outside the excluded paths ({excluded} left out; --verbose lists them)")
    }
}

/// The configuration of a run: `explicit` (`--config`), else the `deptrust.toml` of the first
/// path given that is a directory with one (or of the directory of a lockfile given), else
/// `./deptrust.toml`, else the defaults. A found file must resolve inside its directory; one
/// that exists but cannot be used is an error, never a silent fall-back to the defaults.
pub fn find_config(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<Config, ConfigError> {
    if let Some(path) = explicit {
        return Config::read(path);
    }
    let candidates = paths
        .iter()
        .filter_map(|path| {
            if path.is_dir() {
                Some(path.clone())
            } else {
                path.parent().map(|dir| {
                    if dir.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        dir.to_path_buf()
                    }
                })
            }
        })
        .chain([PathBuf::from(".")]);
    for dir in candidates {
        let candidate = dir.join("deptrust.toml");
        // `symlink_metadata`: a link or a FIFO of that name is reported, not skipped.
        if std::fs::symlink_metadata(&candidate).is_ok() {
            return Config::read_within(&candidate, Some(&dir));
        }
    }
    Ok(Config::default())
}

/// Discovers, parses and graphs every lockfile under the paths. A path that cannot be searched, or a directory with no lockfile, is an error; a
/// lockfile that cannot be read or parsed, and a directory below a path that cannot be
/// searched, is a failure returned beside the others. Reads are confined to each path's
/// scanned tree.
pub fn load_projects(
    paths: &[PathBuf],
    options: &ReadOptions,
    exclude: &Exclude,
) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    for path in paths {
        let found = lockfile::discover_excluding(path, exclude)?;
        if found.lockfiles.is_empty() && found.problems.is_empty() {
            return Err(LoadError::NoLockfile {
                path: path.clone(),
                excluded: found.excluded,
            });
        }
        loaded.excluded.extend(found.excluded);
        loaded.notes.extend(found.notes);
        for problem in &found.problems {
            let lockfile = match problem {
                DiscoverError::UnreadableDirectory { path, .. } => path,
                _ => path,
            };
            loaded.failures.push(Failure {
                lockfile: lockfile.to_string_lossy().replace('\\', "/"),
                message: problem.to_string(),
            });
        }
        let options = ReadOptions {
            root: Some(found.root.clone()),
            ..options.clone()
        };
        for lockfile_path in found.lockfiles {
            let shown = lockfile_path.to_string_lossy().replace('\\', "/");
            match lockfile::parse_file(&lockfile_path, options.clone()) {
                Ok(parsed) => loaded.projects.push(Project {
                    lockfile: shown,
                    graph: crate::graph::build(parsed),
                }),
                Err(error) => loaded.failures.push(Failure {
                    lockfile: shown,
                    message: error.to_string(),
                }),
            }
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, file: &str, text: &str) {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, text).expect("write");
    }

    const CARGO_LOCK: &str = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n";

    #[test]
    fn graphs_what_it_finds_and_returns_failures_notes_and_exclusions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, "app/Cargo.lock", CARGO_LOCK);
        write(root, "broken/Cargo.lock", "version = [");
        write(root, "fixtures/Cargo.lock", CARGO_LOCK);
        write(
            root,
            "web/npm-shrinkwrap.json",
            "{\"lockfileVersion\": 3, \"packages\": {\"\": {\"name\": \"w\"}}}",
        );
        write(root, "web/package-lock.json", "{}");
        let exclude = Exclude::new(&["fixtures"]).expect("valid");
        let loaded = load_projects(&[root.to_path_buf()], &ReadOptions::default(), &exclude)
            .expect("loaded");
        let lockfiles: Vec<&str> = loaded
            .projects
            .iter()
            .map(|p| {
                p.lockfile
                    .rsplit_once(&*dir.path().to_string_lossy())
                    .map_or("", |(_, rest)| rest)
            })
            .collect();
        assert_eq!(lockfiles, ["/app/Cargo.lock", "/web/npm-shrinkwrap.json"]);
        assert_eq!(loaded.failures.len(), 1);
        assert!(loaded.failures[0].lockfile.ends_with("broken/Cargo.lock"));
        assert_eq!(loaded.notes.len(), 1, "{:?}", loaded.notes);
        assert_eq!(loaded.excluded, [root.join("fixtures")]);
    }

    #[test]
    fn a_directory_with_nothing_outside_the_excluded_paths_says_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "fixtures/Cargo.lock", CARGO_LOCK);
        let exclude = Exclude::new(&["fixtures"]).expect("valid");
        let error = load_projects(
            &[dir.path().to_path_buf()],
            &ReadOptions::default(),
            &exclude,
        )
        .expect_err("nothing left");
        assert!(
            error
                .to_string()
                .contains("outside the excluded paths (1 left out; --verbose lists them)"),
            "{error}"
        );
    }

    #[test]
    fn the_config_of_the_scanned_directory_is_found_and_a_broken_one_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            dir.path(),
            "deptrust.toml",
            "version = 1\nexclude = [\"fixtures\"]\n",
        );
        let config = find_config(None, &[dir.path().to_path_buf()]).expect("config");
        assert_eq!(config.exclude, ["fixtures"]);
        write(dir.path(), "deptrust.toml", "version = 1\nnope = 1\n");
        let error = find_config(None, &[dir.path().join("Cargo.lock")]).expect_err("invalid");
        assert!(error.to_string().contains("unknown key `nope`"), "{error}");
    }
}

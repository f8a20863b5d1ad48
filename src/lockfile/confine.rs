//! Confinement: a path that a lockfile or manifest names is read only when it stays inside the
//! project.
//!
//! deptrust reads untrusted lockfiles from pull requests, in CI jobs that hold tokens. A
//! lockfile names other files: requirement includes (`-r`, `-c`), workspace members and their
//! globs (`package.json` `workspaces`, Cargo `[workspace] members`), path dependencies'
//! manifests, pnpm importers and yarn workspaces (their `package.json`). Each of them is resolved against the project
//! root (the directory given to `deptrust`, or else the lockfile's directory) and refused when:
//!
//! - it is absolute (`/etc/passwd`, `C:\…`, `\\server\share`);
//! - it climbs out of the root with `..` once `.` and `..` are resolved lexically;
//! - it goes through VCS metadata (`.git`, `.hg`, `.svn`): these are never a project's
//!   manifests, and `.git/config` is where CI checkouts keep their credentials;
//! - it exists and, once symbolic links are resolved ([`std::fs::canonicalize`]), lies outside
//!   the canonical root.
//!
//! A refused path is not read; the caller skips it with a warning that names the lockfile, the
//! line where the format has one, and the reason. The rest of the file is still graphed.
//!
//! Workspace globs are expanded only under the lockfile's directory, their matches are confined
//! like any other path, and expansion stops at [`MAX_GLOB_MATCHES`] entries.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// How many entries one workspace glob may visit before expansion stops with a warning: real
/// monorepos have hundreds of members, `/**` on a CI runner has millions of files.
pub const MAX_GLOB_MATCHES: usize = 10_000;

/// Directories whose content is never a project's manifest.
const VCS_DIRS: [&str; 3] = [".git", ".hg", ".svn"];

/// Why a path named by a lockfile is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The path is absolute.
    Absolute,
    /// `..` takes it out of the project root.
    Escapes,
    /// A symbolic link on the way leads outside the project root.
    Symlink,
    /// The path goes through `.git`, `.hg` or `.svn`.
    VcsMetadata,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::Absolute => "is absolute",
            Refusal::Escapes => "climbs out of the project with `..`",
            Refusal::Symlink => "leads out of the project through a symbolic link",
            Refusal::VcsMetadata => "is inside VCS metadata (`.git`, `.hg`, `.svn`)",
        })
    }
}

/// A project root that paths are confined to.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    /// The root as given (joined with relative paths to read them).
    dir: PathBuf,
    /// The lockfile's directory relative to `dir`, normalized (`""` when they are the same).
    lockfile_dir: PathBuf,
    /// `dir` with symbolic links resolved, when it exists.
    canonical: Option<PathBuf>,
}

impl Root {
    /// The root for a lockfile in `lockfile_dir`, confined to `root` when it is given and holds
    /// the lockfile, else to the lockfile's directory.
    pub(crate) fn new(lockfile_dir: &Path, root: Option<&Path>) -> Self {
        let fallback = || Root {
            dir: lockfile_dir.to_path_buf(),
            lockfile_dir: PathBuf::new(),
            canonical: std::fs::canonicalize(lockfile_dir).ok(),
        };
        let Some(root) = root else {
            return fallback();
        };
        let inside = lockfile_dir
            .strip_prefix(root)
            .ok()
            .map(normalize)
            .or_else(|| {
                let dir = std::fs::canonicalize(lockfile_dir).ok()?;
                let root = std::fs::canonicalize(root).ok()?;
                dir.strip_prefix(root).ok().map(Path::to_path_buf)
            });
        match inside {
            Some(inside) if !inside.starts_with("..") => Root {
                dir: root.to_path_buf(),
                lockfile_dir: inside,
                canonical: std::fs::canonicalize(root).ok(),
            },
            _ => fallback(),
        }
    }

    /// Resolves `named`, relative to the lockfile's directory, to a path relative to the
    /// lockfile's directory (normalized, possibly starting with `..` when the root is above the
    /// lockfile), or refuses it.
    pub(crate) fn resolve(&self, named: &Path) -> Result<PathBuf, Refusal> {
        if named.has_root()
            || named
                .components()
                .any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
        {
            return Err(Refusal::Absolute);
        }
        let in_root = normalize(&self.lockfile_dir.join(named));
        if in_root.starts_with("..") {
            return Err(Refusal::Escapes);
        }
        if in_root
            .components()
            .any(|c| VCS_DIRS.iter().any(|vcs| c.as_os_str() == *vcs))
        {
            return Err(Refusal::VcsMetadata);
        }
        if let Some(canonical_root) = &self.canonical
            && let Ok(canonical) = std::fs::canonicalize(self.dir.join(&in_root))
            && !canonical.starts_with(canonical_root)
        {
            return Err(Refusal::Symlink);
        }
        Ok(relative_to(&in_root, &self.lockfile_dir))
    }
}

/// `target` (relative to the root) as seen from `from` (also relative to the root).
fn relative_to(target: &Path, from: &Path) -> PathBuf {
    let target: Vec<Component<'_>> = target.components().collect();
    let from: Vec<Component<'_>> = from.components().collect();
    let common = target.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for component in &target[common..] {
        out.push(component);
    }
    out
}

impl Root {
    /// Whether a glob pattern is refused before expansion: absolute, or escaping with `..`.
    /// Glob metacharacters never match `..` (directory listings do not hold it), so a lexical
    /// check of the literal components is enough; matches are confined one by one.
    pub(crate) fn check_pattern(&self, pattern: &str) -> Result<(), Refusal> {
        let named = Path::new(pattern);
        if pattern.starts_with(['/', '\\'])
            || named
                .components()
                .any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
        {
            return Err(Refusal::Absolute);
        }
        if normalize(&self.lockfile_dir.join(named)).starts_with("..") {
            return Err(Refusal::Escapes);
        }
        Ok(())
    }
}

/// Lexically normalizes `a/./b/../c` to `a/c`, keeping leading `..` (and a root or prefix).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => parts.push(component),
            },
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_rules() {
        let root = Root::new(Path::new("/nonexistent-deptrust/app"), None);
        let cases: [(&str, Result<&str, Refusal>); 10] = [
            ("base.txt", Ok("base.txt")),
            ("./reqs/../base.txt", Ok("base.txt")),
            ("reqs/base.txt", Ok("reqs/base.txt")),
            ("/etc/passwd", Err(Refusal::Absolute)),
            ("../outside.txt", Err(Refusal::Escapes)),
            ("reqs/../../outside.txt", Err(Refusal::Escapes)),
            ("a/../../../../etc/passwd", Err(Refusal::Escapes)),
            (".git/config", Err(Refusal::VcsMetadata)),
            ("sub/.hg/hgrc", Err(Refusal::VcsMetadata)),
            ("..", Err(Refusal::Escapes)),
        ];
        for (named, want) in cases {
            let got = root.resolve(Path::new(named));
            assert_eq!(got, want.map(PathBuf::from), "{named}");
        }
    }

    #[test]
    fn a_root_above_the_lockfile_allows_climbing_to_it() {
        let root = Root::new(
            Path::new("/nonexistent-deptrust/repo/requirements"),
            Some(Path::new("/nonexistent-deptrust/repo")),
        );
        assert_eq!(
            root.resolve(Path::new("../base.txt")),
            Ok(PathBuf::from("../base.txt"))
        );
        assert_eq!(root.resolve(Path::new("dev.txt")), Ok("dev.txt".into()));
        assert_eq!(
            root.resolve(Path::new("../../x.txt")),
            Err(Refusal::Escapes)
        );
        // A root that does not hold the lockfile is ignored.
        let root = Root::new(
            Path::new("/nonexistent-deptrust/a"),
            Some(Path::new("/nonexistent-deptrust/b")),
        );
        assert_eq!(root.resolve(Path::new("../b/x")), Err(Refusal::Escapes));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "x").unwrap();
        let project = tempfile::tempdir().unwrap();
        std::fs::create_dir(project.path().join("inner")).unwrap();
        std::fs::write(project.path().join("inner/ok.txt"), "x").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            project.path().join("link.txt"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), project.path().join("dir")).unwrap();
        std::os::unix::fs::symlink(
            project.path().join("inner/ok.txt"),
            project.path().join("inside.txt"),
        )
        .unwrap();
        let root = Root::new(project.path(), None);
        assert_eq!(root.resolve(Path::new("link.txt")), Err(Refusal::Symlink));
        assert_eq!(
            root.resolve(Path::new("dir/secret.txt")),
            Err(Refusal::Symlink)
        );
        assert_eq!(
            root.resolve(Path::new("inside.txt")),
            Ok("inside.txt".into())
        );
        assert_eq!(
            root.resolve(Path::new("missing.txt")),
            Ok("missing.txt".into())
        );
    }

    #[test]
    fn patterns() {
        let root = Root::new(Path::new("/nonexistent-deptrust/app"), None);
        assert_eq!(root.check_pattern("packages/*"), Ok(()));
        assert_eq!(root.check_pattern("crates/**"), Ok(()));
        assert_eq!(root.check_pattern("/**"), Err(Refusal::Absolute));
        assert_eq!(root.check_pattern("../*"), Err(Refusal::Escapes));
        assert_eq!(
            root.check_pattern("packages/../../*"),
            Err(Refusal::Escapes)
        );
        assert_eq!(root.check_pattern("packages/../other/*"), Ok(()));
    }

    #[test]
    fn relative_paths_between_root_directories() {
        assert_eq!(
            relative_to(Path::new("base.txt"), Path::new("requirements")),
            PathBuf::from("../base.txt")
        );
        assert_eq!(
            relative_to(Path::new("a/b/c.txt"), Path::new("a")),
            PathBuf::from("b/c.txt")
        );
        assert_eq!(
            relative_to(Path::new("x"), Path::new("")),
            PathBuf::from("x")
        );
    }
}

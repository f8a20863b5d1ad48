//! The one way deptrust reads a file that the scanned project or the operator supplies:
//! lockfiles, the manifests beside them, `deptrust.toml`/`--config`, `--baseline`,
//! `--history`, `--replay` and `--trusted-root`.
//!
//! Those files come from pull requests, so the reader assumes they are hostile:
//!
//! - Only regular files are read. A FIFO, a device, a socket or a directory is refused by name
//!   *before* it is opened (opening a FIFO for reading blocks until a writer appears), and the
//!   opened handle is checked again.
//! - At most `limit` bytes are read (`take(limit + 1)`), whatever the metadata says: `/dev/zero`
//!   and files that grow while read stop at the limit.
//! - With a `root` (the scanned tree), the path must resolve inside it: a symbolic link (or a
//!   symlinked directory on the way) pointing outside the tree is refused, one pointing to a
//!   regular file inside it is followed. Without a root (a file the operator names on the command
//!   line), symbolic links are followed.
//!
//! Not covered: a file swapped for a FIFO between the check and the `open` (the open could then
//! block); closing that needs `O_NONBLOCK`, which needs `libc`, not a dependency.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What a path is, when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A named pipe.
    Fifo,
    /// A character device such as `/dev/zero`.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A Unix socket.
    Socket,
    /// Anything else that is not a regular file.
    Other,
}

impl FileKind {
    fn of(file_type: std::fs::FileType) -> Self {
        if file_type.is_dir() {
            return FileKind::Directory;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_fifo() {
                return FileKind::Fifo;
            }
            if file_type.is_char_device() {
                return FileKind::CharDevice;
            }
            if file_type.is_block_device() {
                return FileKind::BlockDevice;
            }
            if file_type.is_socket() {
                return FileKind::Socket;
            }
        }
        FileKind::Other
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a FIFO (named pipe)",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Socket => "a socket",
            FileKind::Other => "a special file",
        })
    }
}

/// Why a file was not read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be read (missing, no permission, …).
    #[error("failed to read `{path}`: {source}", path = .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The path is not a regular file.
    #[error("`{path}` is {kind}, not a regular file", path = .path.display())]
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is.
        kind: FileKind,
    },
    /// The path resolves outside the scanned tree.
    #[error("`{path}` {how} `{target}`, outside the scanned tree `{root}`", path = .path.display(), how = if *.symlink { "is a symbolic link to" } else { "resolves to" }, target = .target.display(), root = .root.display())]
    Outside {
        /// The file.
        path: PathBuf,
        /// Where it resolves.
        target: PathBuf,
        /// The scanned tree.
        root: PathBuf,
        /// Whether the path itself is a symbolic link (else a directory on the way is).
        symlink: bool,
    },
    /// A symbolic link whose target does not exist.
    #[error("`{path}` is a symbolic link to `{target}`, which does not exist", path = .path.display(), target = .target.display())]
    Dangling {
        /// The link.
        path: PathBuf,
        /// What it names.
        target: PathBuf,
    },
    /// The file is larger than the limit.
    #[error("`{path}` is {size}, over the limit of {limit} bytes", path = .path.display(), size = match .size { Some(size) => format!("{size} bytes"), None => format!("more than {limit} bytes") })]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size, when the metadata gave it.
        size: Option<u64>,
        /// The limit.
        limit: u64,
    },
}

impl ReadError {
    /// Whether the file does not exist (a missing optional manifest, a first `--history`).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Reads a regular file of at most `limit` bytes; with `root`, only one that resolves inside
/// `root`. See the module documentation.
pub fn read_bounded(path: &Path, limit: u64, root: Option<&Path>) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let link = std::fs::symlink_metadata(path).map_err(io)?;
    let symlink = link.file_type().is_symlink();
    let mut open_path = path.to_path_buf();
    if symlink || root.is_some() {
        let target = match std::fs::canonicalize(path) {
            Ok(target) => target,
            Err(error) if symlink && error.kind() == std::io::ErrorKind::NotFound => {
                return Err(ReadError::Dangling {
                    path: path.to_path_buf(),
                    target: std::fs::read_link(path).unwrap_or_default(),
                });
            }
            Err(error) => return Err(io(error)),
        };
        if let Some(root) = root {
            let root = std::fs::canonicalize(root).map_err(|source| ReadError::Io {
                path: root.to_path_buf(),
                source,
            })?;
            if !target.starts_with(&root) {
                return Err(ReadError::Outside {
                    path: path.to_path_buf(),
                    target,
                    root,
                    symlink,
                });
            }
        }
        // Open what was checked, not the link again.
        open_path = target;
    }
    let metadata = if symlink {
        std::fs::metadata(&open_path).map_err(io)?
    } else {
        link
    };
    check_regular(path, &metadata)?;
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            size: Some(metadata.len()),
            limit,
        });
    }
    let file = std::fs::File::open(&open_path).map_err(io)?;
    // The path may have been swapped since the check: the handle is what is read.
    check_regular(path, &file.metadata().map_err(io)?)?;
    let capacity = usize::try_from(metadata.len()).unwrap_or(0);
    read_at_most(file, limit, capacity)
        .map_err(io)?
        .ok_or_else(|| ReadError::TooLarge {
            path: path.to_path_buf(),
            size: None,
            limit,
        })
}

/// Reads `reader` to its end, or `None` as soon as it yields more than `limit` bytes.
fn read_at_most(
    reader: impl Read,
    limit: u64,
    capacity: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

fn check_regular(path: &Path, metadata: &std::fs::Metadata) -> Result<(), ReadError> {
    if metadata.file_type().is_file() {
        Ok(())
    } else {
        Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind: FileKind::of(metadata.file_type()),
        })
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("small.txt"), "hello").unwrap();
        dir
    }

    #[test]
    fn reads_a_regular_file() {
        let dir = tree();
        let path = dir.path().join("small.txt");
        assert_eq!(read_bounded(&path, 5, None).unwrap(), b"hello");
        assert_eq!(read_bounded(&path, 5, Some(dir.path())).unwrap(), b"hello");
    }

    #[test]
    fn refuses_a_file_over_the_limit() {
        let dir = tree();
        let path = dir.path().join("small.txt");
        let error = read_bounded(&path, 4, None).unwrap_err();
        assert!(
            matches!(
                error,
                ReadError::TooLarge {
                    size: Some(5),
                    limit: 4,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("small.txt"), "{error}");
    }

    #[test]
    fn an_endless_source_stops_at_the_limit() {
        assert_eq!(read_at_most(std::io::repeat(0), 1024, 0).unwrap(), None);
        assert_eq!(
            read_at_most(&b"abc"[..], 3, 0).unwrap(),
            Some(b"abc".to_vec())
        );
    }

    #[test]
    fn dev_zero_through_a_symlink_is_refused_before_it_is_read() {
        let dir = tree();
        let path = dir.path().join("package.json");
        symlink("/dev/zero", &path).unwrap();
        // Without a root the link is followed, and the device is refused before it is read.
        let error = read_bounded(&path, 1024, None).unwrap_err();
        assert!(
            matches!(
                error,
                ReadError::NotRegular {
                    kind: FileKind::CharDevice,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("package.json"), "{error}");
        // With a root it is outside the tree.
        let error = read_bounded(&path, 1024, Some(dir.path())).unwrap_err();
        assert!(
            matches!(error, ReadError::Outside { symlink: true, .. }),
            "{error}"
        );
    }

    #[test]
    fn refuses_a_fifo_without_blocking() {
        let dir = tree();
        let path = dir.path().join("yarn.lock");
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo runs");
        assert!(status.success());
        let error = read_bounded(&path, 1024, Some(dir.path())).unwrap_err();
        assert!(
            matches!(
                error,
                ReadError::NotRegular {
                    kind: FileKind::Fifo,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("yarn.lock"), "{error}");
    }

    #[test]
    fn refuses_a_directory() {
        let dir = tree();
        let error = read_bounded(dir.path(), 1024, None).unwrap_err();
        assert!(
            matches!(
                error,
                ReadError::NotRegular {
                    kind: FileKind::Directory,
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn follows_a_symlink_inside_the_tree_only() {
        let dir = tree();
        let outside = tree();
        let inside = dir.path().join("inside.txt");
        symlink(dir.path().join("small.txt"), &inside).unwrap();
        assert_eq!(
            read_bounded(&inside, 5, Some(dir.path())).unwrap(),
            b"hello"
        );

        let escaping = dir.path().join("Cargo.lock");
        symlink(outside.path().join("small.txt"), &escaping).unwrap();
        let error = read_bounded(&escaping, 5, Some(dir.path())).unwrap_err();
        assert!(
            matches!(error, ReadError::Outside { symlink: true, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("Cargo.lock"), "{error}");
        assert!(
            error.to_string().contains("outside the scanned tree"),
            "{error}"
        );

        // A symlinked directory on the way counts too.
        symlink(outside.path(), dir.path().join("linked")).unwrap();
        let through = dir.path().join("linked/small.txt");
        let error = read_bounded(&through, 5, Some(dir.path())).unwrap_err();
        assert!(
            matches!(error, ReadError::Outside { symlink: false, .. }),
            "{error}"
        );
    }

    #[test]
    fn names_a_dangling_symlink() {
        let dir = tree();
        let path = dir.path().join("Pipfile");
        symlink(dir.path().join("missing"), &path).unwrap();
        let error = read_bounded(&path, 5, Some(dir.path())).unwrap_err();
        assert!(matches!(error, ReadError::Dangling { .. }), "{error}");
        assert!(!error.is_not_found());
    }

    #[test]
    fn a_missing_file_is_not_found() {
        let dir = tree();
        let error = read_bounded(&dir.path().join("nope"), 5, None).unwrap_err();
        assert!(error.is_not_found(), "{error}");
    }
}

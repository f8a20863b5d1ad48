//! Hostile files in the scanned tree (issue 11, items 4 and 6): a manifest linked to
//! `/dev/zero`, a FIFO named like a lockfile, a lockfile linked outside the tree, a directory
//! that cannot be read, `--config /dev/zero`. Each run ends within seconds with one `error:`
//! line naming the file and exit status 2, and the other lockfiles of the scan are still graphed.
#![cfg(unix)]

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Longer than any of these runs needs by far; a run that reads `/dev/zero` or blocks on a FIFO
/// would never end.
const TIMEOUT: Duration = Duration::from_secs(20);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|line| line.starts_with("error:"))
            .collect()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// A project with one good lockfile (`good/uv.lock`), and a work directory around it for the
/// cache and for files outside the tree.
struct Project {
    work: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let work = tempfile::tempdir().unwrap();
        let project = Project { work };
        let good = project.root().join("good");
        std::fs::create_dir_all(&good).unwrap();
        std::fs::copy(fixture("uv/basic.v1/uv.lock"), good.join("uv.lock")).unwrap();
        project
    }

    fn root(&self) -> PathBuf {
        self.work.path().join("project")
    }

    /// `deptrust scan <project> --offline --format json <args>`, killed after [`TIMEOUT`].
    /// Output goes to files, so a large report cannot fill a pipe that nobody reads yet.
    fn scan(&self, args: &[&str]) -> Run {
        let stdout = self.work.path().join("stdout");
        let stderr = self.work.path().join("stderr");
        let mut child = Command::new(env!("CARGO_BIN_EXE_deptrust"))
            .env_clear()
            .env("DEPTRUST_NO_CARGO_METADATA", "1")
            .current_dir(self.work.path())
            .env("DEPTRUST_NOW", "2026-11-28T12:00:00Z")
            .arg("scan")
            .arg(self.root())
            .args(["--offline", "--format", "json", "--cache-dir"])
            .arg(self.work.path().join("cache"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("deptrust did not finish within {TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Run {
            code: status.code().unwrap_or(-1),
            stdout: std::fs::read_to_string(&stdout).unwrap(),
            stderr: std::fs::read_to_string(&stderr).unwrap(),
            took: start.elapsed(),
        }
    }
}

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/lockfiles")
        .join(relative)
}

fn lockfiles(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` in {report}"))
        .iter()
        .map(|entry| entry["lockfile"].as_str().unwrap().to_string())
        .collect()
}

/// Exit 2, one `error:` line naming `name` and saying `why`, the same file in the JSON
/// `errors`, and `good/uv.lock` still graphed.
fn assert_refused(run: &Run, name: &str, why: &str) {
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "stderr: {}", run.stderr);
    assert!(errors[0].contains(name), "{}", errors[0]);
    assert!(errors[0].contains(why), "{}", errors[0]);
    let report = run.json();
    let failed = lockfiles(&report, "errors");
    assert_eq!(failed.len(), 1, "{failed:?}");
    let graphed = lockfiles(&report, "projects");
    assert_eq!(graphed.len(), 1, "{graphed:?}");
    assert!(graphed[0].ends_with("good/uv.lock"), "{graphed:?}");
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
}

#[test]
fn a_manifest_linked_to_dev_zero_is_refused() {
    let project = Project::new();
    let npm = project.root().join("npm");
    std::fs::create_dir_all(&npm).unwrap();
    // package-lock v1 takes its roots from package.json.
    std::fs::copy(
        fixture("package-lock/basic.v1/package-lock.json"),
        npm.join("package-lock.json"),
    )
    .unwrap();
    symlink("/dev/zero", npm.join("package.json")).unwrap();
    let run = project.scan(&[]);
    // The manifest is refused before any read (confinement: it leads out of the project), with
    // one warning; the lockfile is still graphed from its own entries. Exit 3: offline with an
    // empty cache, no registry was reached.
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("package.json") && line.contains("outside the project"))
        .collect();
    assert_eq!(warnings.len(), 1, "stderr: {}", run.stderr);
    assert!(run.error_lines().is_empty(), "stderr: {}", run.stderr);
    let report = run.json();
    assert!(lockfiles(&report, "errors").is_empty());
    let graphed = lockfiles(&report, "projects");
    assert!(
        graphed.iter().any(|l| l.ends_with("npm/package-lock.json")),
        "{graphed:?}"
    );
}

#[test]
fn a_fifo_named_like_a_lockfile_is_refused_without_blocking() {
    let project = Project::new();
    let yarn = project.root().join("yarn");
    std::fs::create_dir_all(&yarn).unwrap();
    let status = Command::new("mkfifo")
        .arg(yarn.join("yarn.lock"))
        .status()
        .unwrap();
    assert!(status.success());
    let run = project.scan(&[]);
    assert_refused(
        &run,
        "yarn/yarn.lock",
        "is a FIFO (named pipe), not a regular file",
    );
}

#[test]
fn a_lockfile_linked_outside_the_tree_is_refused() {
    let project = Project::new();
    let outside = project.work.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::copy(
        fixture("cargo/basic.v4/Cargo.lock"),
        outside.join("Cargo.lock"),
    )
    .unwrap();
    let cargo = project.root().join("cargo");
    std::fs::create_dir_all(&cargo).unwrap();
    symlink(outside.join("Cargo.lock"), cargo.join("Cargo.lock")).unwrap();
    let run = project.scan(&[]);
    assert_refused(&run, "cargo/Cargo.lock", "outside the scanned tree");
}

#[test]
fn a_lockfile_linked_inside_the_tree_is_followed() {
    let project = Project::new();
    let other = project.root().join("other");
    std::fs::create_dir_all(&other).unwrap();
    symlink(project.root().join("good/uv.lock"), other.join("uv.lock")).unwrap();
    let run = project.scan(&[]);
    assert!(run.error_lines().is_empty(), "{}", run.stderr);
    let graphed = lockfiles(&run.json(), "projects");
    assert_eq!(graphed.len(), 2, "{graphed:?}");
}

#[test]
fn an_unreadable_directory_is_reported_or_read_never_skipped() {
    let project = Project::new();
    let locked = project.root().join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::copy(fixture("uv/basic.v1/uv.lock"), locked.join("uv.lock")).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root (CI containers) reads it anyway: then the honest outcome is that it is graphed.
    let privileged = std::fs::read_dir(&locked).is_ok();
    let run = project.scan(&[]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
    let report = run.json();
    if privileged {
        assert!(run.error_lines().is_empty(), "{}", run.stderr);
        assert_ne!(run.code, 2, "{}", run.stderr);
        assert!(lockfiles(&report, "errors").is_empty());
        let graphed = lockfiles(&report, "projects");
        assert_eq!(graphed.len(), 2, "{graphed:?}");
        assert!(graphed.iter().any(|p| p.ends_with("locked/uv.lock")));
    } else {
        assert_eq!(run.code, 2, "{}", run.stderr);
        let errors = run.error_lines();
        assert_eq!(errors.len(), 1, "{}", run.stderr);
        assert!(
            errors[0].contains("cannot search directory"),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains("locked"), "{}", errors[0]);
        assert_eq!(lockfiles(&report, "errors").len(), 1);
        assert_eq!(lockfiles(&report, "projects").len(), 1);
    }
}

#[test]
fn config_from_dev_zero_is_refused() {
    let project = Project::new();
    let run = project.scan(&["--config", "/dev/zero"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].contains("/dev/zero"), "{}", errors[0]);
    assert!(errors[0].contains("character device"), "{}", errors[0]);
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
}

#[test]
fn a_deptrust_toml_that_is_a_fifo_is_refused_not_ignored() {
    let project = Project::new();
    let status = Command::new("mkfifo")
        .arg(project.root().join("deptrust.toml"))
        .status()
        .unwrap();
    assert!(status.success());
    let run = project.scan(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].contains("deptrust.toml"), "{}", errors[0]);
    assert!(errors[0].contains("FIFO"), "{}", errors[0]);
}

//! Issue 11 item 3: a lockfile from a pull request must not make deptrust read files outside
//! the project, nor quote a credential in any output. A project in a tempdir names `/etc/passwd`,
//! a file two directories up holding a fake `.git/config` secret, a symbolic link out of the
//! project, its own `.git/config`, and workspace globs `/**` and `../*`; every command and
//! format is run and searched for the secret.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// What the outside file and the project's `.git/config` hold: never to be printed.
const SECRET: &str = "c2VjcmV0LXRva2VuLWRvLW5vdC1sZWFr";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `<work>/outside.txt`, `<work>/a/project/{requirements.txt, yarn.lock, package.json, …}`.
fn project(work: &Path) -> PathBuf {
    let git_config = format!(
        "[core]\n\trepositoryformatversion = 0\n[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic {SECRET}\n{SECRET}\n"
    );
    std::fs::write(work.join("outside.txt"), &git_config).unwrap();
    let project = work.join("a/project");
    std::fs::create_dir_all(project.join(".git")).unwrap();
    std::fs::write(project.join(".git/config"), &git_config).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(work.join("outside.txt"), project.join("linked.txt")).unwrap();
    std::fs::write(
        project.join("requirements.txt"),
        "requests==2.31.0\n-r /etc/passwd\n-r ../../outside.txt\n-c linked.txt\n-r .git/config\nsix==1.16.0\n",
    )
    .unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lockfiles/yarn-classic/basic.v1");
    std::fs::copy(fixture.join("yarn.lock"), project.join("yarn.lock")).unwrap();
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("package.json")).unwrap())
            .unwrap();
    manifest["workspaces"] = serde_json::json!(["/**", "../*"]);
    std::fs::write(project.join("package.json"), manifest.to_string()).unwrap();
    project
}

fn run(work: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("deptrust")
        .unwrap()
        .env_clear()
        .env("DEPTRUST_NO_CARGO_METADATA", "1")
        .current_dir(work)
        .env("DEPTRUST_NOW", "2026-11-01T12:00:00Z")
        .args(args)
        .output()
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(!text.contains(SECRET), "{args:?} {stream} leaks:\n{text}");
        assert!(
            !text.contains("root:x:0"),
            "{args:?} {stream} quotes /etc/passwd"
        );
        assert!(
            !text.contains("repositoryformatversion"),
            "{args:?} {stream} quotes a file"
        );
    }
    run
}

/// Each refused path, warned about exactly once (`deptrust graph --format json` keeps a
/// lockfile's warnings in its `warnings`).
fn assert_refusals(output: &str) {
    let mut expected = vec![
        "`-r /etc/passwd` is absolute",
        "`-r ../../outside.txt` climbs out of the project",
        "`-r .git/config` is inside VCS metadata",
        "workspace pattern `/**` is absolute",
        "workspace pattern `../*` climbs out of the project",
    ];
    if cfg!(unix) {
        expected.push("`-c linked.txt` leads out of the project through a symbolic link");
    }
    for warning in expected {
        assert_eq!(output.matches(warning).count(), 1, "{warning}\n{output}");
    }
}

#[test]
fn graph_reads_nothing_outside_the_project() {
    let work = tempfile::tempdir().unwrap();
    let project = project(work.path());
    let project = project.to_str().unwrap();
    let run = run(work.path(), &["graph", project, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_refusals(&run.stdout);
    assert!(
        run.stdout.contains("requirements.txt` line 2"),
        "{}",
        run.stdout
    );
    for id in [
        "pypi:requests@2.31.0",
        "pypi:six@1.16.0",
        "npm:left-pad@1.3.0",
    ] {
        assert!(run.stdout.contains(id), "{id} missing:\n{}", run.stdout);
    }
}

#[test]
fn scan_reports_refusals_in_every_format_without_the_secret() {
    let work = tempfile::tempdir().unwrap();
    let project = project(work.path());
    let project = project.to_str().unwrap();
    std::fs::create_dir(work.path().join("cache")).unwrap();
    for format in ["json", "markdown", "sarif"] {
        let cache = work.path().join("cache");
        let run = run(
            work.path(),
            &[
                "scan",
                project,
                "--offline",
                "--cache-dir",
                cache.to_str().unwrap(),
                "--format",
                format,
            ],
        );
        // Offline with an empty cache: no registry reached, the gate does not pass (`docs/scoring.md`,
        // "Coverage and unknowns").
        assert_eq!(run.code, 3, "{format}: {}", run.stderr);
        assert_refusals(&run.stderr);
        // The project's own packages are still judged.
        if format == "json" {
            for id in [
                "pypi:requests@2.31.0",
                "pypi:six@1.16.0",
                "npm:left-pad@1.3.0",
            ] {
                assert!(run.stdout.contains(id), "{id} missing:\n{}", run.stdout);
            }
        }
    }
}

#[test]
fn a_lockfile_line_with_a_credential_is_redacted() {
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("p");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("requirements.txt"),
        format!("requests==2.31.0\n-r https://user:{SECRET}@example.com/r.txt\nnot-a-requirement password={SECRET}\n"),
    )
    .unwrap();
    let run = run(work.path(), &["graph", project.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("at line 3"), "{}", run.stderr);
}

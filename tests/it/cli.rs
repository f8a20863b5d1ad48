//! The `deptrust` binary as users run it: exit codes, stdout and stderr, bad input.

use std::path::Path;

use assert_cmd::Command;

fn deptrust() -> Command {
    let mut command = Command::cargo_bin("deptrust").unwrap();
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    // Lockfile-only graphs: what `cargo metadata` adds depends on this machine's cargo cache.
    command.env("DEPTRUST_NO_CARGO_METADATA", "1");
    command
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = deptrust().args(args).output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

const SMALL: &str = "fixtures/lockfiles/cargo/virtual.v4/Cargo.lock";

#[test]
fn help_shows_examples() {
    let run = run(&["graph", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Examples:"), "{}", run.stdout);
}

#[test]
fn json_output_is_the_public_schema() {
    let run = run(&["graph", SMALL, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("virtual-json", run.stdout);
}

#[test]
fn tree_output() {
    let run = run(&["graph", SMALL, "--format", "tree"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("virtual-tree", run.stdout);
}

#[test]
fn table_output() {
    let run = run(&["graph", SMALL, "--format", "table"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("virtual-table", run.stdout);
}

#[test]
fn dot_output() {
    let run = run(&["graph", SMALL, "--format", "dot"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("virtual-dot", run.stdout);
}

/// Every fixture directory is one project of a monorepo with every supported format.
#[test]
fn a_monorepo_of_every_ecosystem_graphs_every_lockfile() {
    let run = run(&["graph", "fixtures/lockfiles", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let projects = document["projects"].as_array().unwrap();
    let fixtures =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lockfiles"))
            .unwrap()
            .flat_map(|format| std::fs::read_dir(format.unwrap().path()).unwrap())
            .filter(|case| {
                case.as_ref()
                    .unwrap()
                    .path()
                    .join("expected.json")
                    .is_file()
            })
            .count();
    assert_eq!(projects.len(), fixtures);
    let ecosystems: std::collections::BTreeSet<&str> = projects
        .iter()
        .map(|p| p["ecosystem"].as_str().unwrap())
        .collect();
    assert_eq!(
        ecosystems.into_iter().collect::<Vec<_>>(),
        ["cargo", "npm", "pypi"]
    );
    assert_eq!(document["errors"].as_array().unwrap().len(), 0);
}

/// Writes `contents` as `name` in a fresh directory and graphs it.
fn graph_file(name: &str, contents: &[u8], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    let mut args = vec!["graph", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    run(&args)
}

/// One line on stderr naming the file, exit code 2, and never a panic.
fn assert_clean_failure(run: &Run, needles: &[&str]) {
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for needle in needles {
        assert!(
            errors[0].contains(needle),
            "`{needle}` not in: {}",
            errors[0]
        );
    }
}

#[test]
fn malformed_lockfiles_fail_cleanly() {
    let cases: &[(&str, &[u8], &[&str])] = &[
        (
            "package-lock.json",
            b"{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n",
            &["package-lock.json", "npm/package-lock", "line"],
        ),
        (
            "Cargo.lock",
            b"version = 4\n[[package]]\nname = \"a\"\nversion = ",
            &["Cargo.lock", "cargo/cargo-lock", "line 4"],
        ),
        (
            "package-lock.json",
            b"lockfileVersion: 3\n",
            &["package-lock.json", "expected a JSON object"],
        ),
        (
            "Cargo.lock",
            b"{\"version\": 4}",
            &["Cargo.lock", "cargo/cargo-lock", "line 1"],
        ),
        (
            "Cargo.lock",
            b"version = 9\n",
            &["unsupported cargo/cargo-lock version `9`"],
        ),
        (
            "package-lock.json",
            b"{\"lockfileVersion\": 7, \"packages\": {}}",
            &["unsupported npm/package-lock version `7`"],
        ),
        (
            "Cargo.lock",
            &[0x7f, b'E', b'L', b'F', 0, 0, 1, 0xff, 0xfe],
            &["Cargo.lock", "not UTF-8 text"],
        ),
        ("package-lock.json", &[b'{', 0, 0, 0], &["not UTF-8 text"]),
    ];
    for (name, contents, needles) in cases {
        assert_clean_failure(&graph_file(name, contents, &[]), needles);
    }
}

/// A file that is not what its name says: an HTML error page saved under every lockfile name
/// (every name of every format, from the parsers' descriptors).
#[test]
fn files_that_are_not_what_their_name_says_fail_cleanly() {
    let page = b"<html><body>404 Not Found</body></html>\n";
    let mut names: Vec<String> = Vec::new();
    for name in deptrust::lockfile::formats().flat_map(|format| format.example_paths()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    assert!(names.len() >= 9, "{names:?}");
    for name in &names {
        assert_clean_failure(&graph_file(name, page, &[]), &[name, "line 1"]);
    }
    let json = br#"{"lockfileVersion": 3, "packages": {}}"#;
    for name in [
        "poetry.lock",
        "yarn.lock",
        "pnpm-lock.yaml",
        "Pipfile.lock",
        "requirements.txt",
    ] {
        assert_clean_failure(&graph_file(name, json, &[]), &[name]);
    }
}

#[test]
fn oversized_files_are_refused() {
    let run = graph_file(
        "Cargo.lock",
        &vec![b'#'; 4096],
        &["--max-file-size", "1000"],
    );
    assert_clean_failure(&run, &["Cargo.lock", "4096 bytes", "limit of 1000"]);
}

#[test]
fn deeply_nested_input_fails_without_overflowing() {
    let deep_json = format!(
        "{{\"lockfileVersion\": 3, \"packages\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_clean_failure(
        &graph_file("package-lock.json", deep_json.as_bytes(), &[]),
        &["package-lock.json"],
    );
    let deep_toml = format!(
        "version = 4\nx = {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_clean_failure(
        &graph_file("Cargo.lock", deep_toml.as_bytes(), &[]),
        &["Cargo.lock"],
    );
    let deep_yaml = format!(
        "lockfileVersion: '9.0'\nimporters: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_clean_failure(
        &graph_file("pnpm-lock.yaml", deep_yaml.as_bytes(), &[]),
        &["pnpm-lock.yaml"],
    );
    let deep_python = format!(
        "version = 1\n[[package]]\nname = {}1{}\n",
        "{a = ".repeat(50_000),
        "}".repeat(50_000)
    );
    assert_clean_failure(
        &graph_file("uv.lock", deep_python.as_bytes(), &[]),
        &["uv.lock"],
    );
}

#[test]
fn a_broken_lockfile_in_a_directory_does_not_hide_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lockfiles/cargo/virtual.v4");
    std::fs::create_dir_all(dir.path().join("good")).unwrap();
    for file in ["Cargo.lock", "Cargo.toml"] {
        std::fs::copy(good.join(file), dir.path().join("good").join(file)).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("bad")).unwrap();
    std::fs::write(dir.path().join("bad/package-lock.json"), "{ not json").unwrap();
    let run = run(&["graph", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 2);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(document["projects"].as_array().unwrap().len(), 1);
    assert_eq!(document["errors"].as_array().unwrap().len(), 1);
    assert!(
        run.stderr.contains("bad/package-lock.json"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_paths_and_empty_directories_are_errors() {
    let run1 = run(&["graph", "/no/such/path"]);
    assert_clean_failure(&run1, &["/no/such/path"]);
    let dir = tempfile::tempdir().unwrap();
    let run2 = run(&["graph", dir.path().to_str().unwrap()]);
    assert_clean_failure(&run2, &["no supported lockfile found"]);
    let run3 = run(&["graph", "Cargo.toml"]);
    assert_clean_failure(&run3, &["Cargo.toml", "not a supported lockfile"]);
}

#[test]
fn terminal_output_never_carries_escape_sequences() {
    let lockfile =
        "version = 4\n[[package]]\nname = \"evil\\u001b[2J\"\nversion = \"1.0.0\\u0007\"\n";
    for format in ["tree", "table", "dot"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Cargo.lock");
        std::fs::write(&path, lockfile).unwrap();
        let run = run(&["graph", path.to_str().unwrap(), "--format", format]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            !run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'),
            "{format}: {:?}",
            run.stdout
        );
        assert!(!run.stderr.contains('\u{1b}'), "{format}: {:?}", run.stderr);
    }
}

#[test]
fn init_writes_a_policy_that_parses_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deptrust.toml");
    let output = deptrust()
        .args(["init", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with('#') || text.contains("version = 1"),
        "{text}"
    );
    for rule in [
        "new-publisher",
        "provenance-invalid",
        "too-new",
        "single-owner",
    ] {
        assert!(text.contains(rule), "{rule} missing from the template");
    }
    // The written file is a valid policy: a scan with it reads it without error (exit 3, not
    // 2: offline with an empty cache, no registry was reached, and the default policy does not
    // pass what it could not look at).
    let scan = deptrust()
        .args(["scan", "fixtures/lockfiles/cargo/basic.v4", "--offline"])
        .args(["--config", path.to_str().unwrap()])
        .env("DEPTRUST_CACHE_DIR", dir.path().join("cache"))
        .env("DEPTRUST_NOW", "2026-11-28T12:00:00Z")
        .output()
        .unwrap();
    assert_eq!(
        scan.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    // A second init refuses to replace it.
    let again = deptrust()
        .args(["init", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert!(
        deptrust()
            .args(["init", "--force", path.to_str().unwrap()])
            .output()
            .unwrap()
            .status
            .success()
    );
}

#[test]
fn explain_shows_every_signal_and_the_arithmetic() {
    let dir = tempfile::tempdir().unwrap();
    let output = deptrust()
        .args([
            "explain",
            "serde",
            "fixtures/lockfiles/cargo/basic.v4",
            "--offline",
        ])
        .env("DEPTRUST_CACHE_DIR", dir.path())
        .env("DEPTRUST_NOW", "2026-11-28T12:00:00Z")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for needle in [
        "signals:",
        "new-publisher",
        "provenance-invalid",
        "risk = 0",
        "blast radius = weight 1 × roots (½ + ½ × ",
        "weighted risk = risk × blast radius",
        "not in the cache and the network is off (--offline)",
    ] {
        assert!(stdout.contains(needle), "{needle:?} missing:\n{stdout}");
    }
    // A package that is not there is a clear error.
    let missing = deptrust()
        .args([
            "explain",
            "no-such-crate",
            "fixtures/lockfiles/cargo/basic.v4",
            "--offline",
        ])
        .env("DEPTRUST_CACHE_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("is not in any lockfile"));
}

#[test]
fn a_trusted_root_that_cannot_be_used_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("root.json");
    std::fs::write(&garbage, "{\"mediaType\": 7}").unwrap();
    for (root, needle) in [
        (
            dir.path().join("missing.json"),
            "cannot read the trusted root",
        ),
        (garbage, "not a Sigstore trusted root"),
    ] {
        let output = deptrust()
            .args(["facts", "npm:left-pad@1.3.0", "--offline"])
            .arg("--trusted-root")
            .arg(&root)
            .env("DEPTRUST_CACHE_DIR", dir.path().join("cache"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{stderr}");
    }
    // The production root recorded in fixtures/samples is accepted in its place.
    let production = crate::support::sample_path("trusted_root.json");
    let output = deptrust()
        .args(["facts", "npm:left-pad@1.3.0", "--offline"])
        .arg("--trusted-root")
        .arg(&production)
        .env("DEPTRUST_CACHE_DIR", dir.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn history_shows_the_previous_score_and_keeps_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("exposure.json");
    // Offline with an empty cache: reported, not gated, so the run records its score.
    let policy = dir.path().join("deptrust.toml");
    std::fs::write(&policy, "version = 1\nunreachable = \"warn\"\n").unwrap();
    let scan = |now: &str| {
        let output = deptrust()
            .args(["scan", "fixtures/lockfiles/cargo/basic.v4", "--offline"])
            .arg("--config")
            .arg(&policy)
            .arg("--history")
            .arg(&history)
            .env("DEPTRUST_CACHE_DIR", dir.path().join("cache"))
            .env("DEPTRUST_NOW", now)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let first = scan("2026-10-28T12:00:00Z");
    assert!(!first.contains("previous run"), "{first}");
    let second = scan("2026-11-28T12:00:00Z");
    assert!(second.contains("(previous run 2026-10-28: "), "{second}");
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&history).unwrap()).unwrap();
    assert_eq!(recorded["runs"].as_array().unwrap().len(), 2);
    // A file that is not a history is an input error, and is left alone.
    std::fs::write(&history, "not json").unwrap();
    let output = deptrust()
        .args(["scan", "fixtures/lockfiles/cargo/basic.v4", "--offline"])
        .arg("--history")
        .arg(&history)
        .env("DEPTRUST_CACHE_DIR", dir.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a deptrust history file"));
    assert_eq!(std::fs::read_to_string(&history).unwrap(), "not json");
}

#[test]
fn completions_and_man_page_come_from_the_clap_definitions() {
    let bash = run(&["completions", "bash"]);
    assert_eq!(bash.code, 0, "{}", bash.stderr);
    assert!(bash.stdout.contains("_deptrust()"), "{}", bash.stdout);
    assert!(bash.stdout.contains("--exclude"), "{}", bash.stdout);
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("deptrust"), "{shell}");
    }
    let man = run(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(
        man.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &man.stdout[..80]
    );
    assert!(man.stdout.contains(".TH deptrust 1"), "{}", man.stdout);
    let dir = tempfile::tempdir().unwrap();
    let pages = run(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(pages.code, 0, "{}", pages.stderr);
    for page in ["deptrust.1", "deptrust-scan.1", "deptrust-explain.1"] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
}

#[test]
fn exclude_leaves_paths_out_of_directory_searches() {
    let all = run(&["graph", "fixtures/lockfiles/cargo", "--format", "table"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert!(all.stdout.contains("basic.v1/Cargo.lock"), "{}", all.stdout);
    let some = run(&[
        "graph",
        "fixtures/lockfiles/cargo",
        "--format",
        "table",
        "--exclude",
        "basic.*",
        "--exclude",
        "big.v4/Cargo.lock",
        "--verbose",
    ]);
    assert_eq!(some.code, 0, "{}", some.stderr);
    assert!(!some.stdout.contains("basic."), "{}", some.stdout);
    assert!(!some.stdout.contains("big.v4"), "{}", some.stdout);
    assert!(
        some.stdout.contains("workspace.v4/Cargo.lock"),
        "{}",
        some.stdout
    );
    assert!(
        some.stderr
            .contains("excluded `fixtures/lockfiles/cargo/basic.v1`"),
        "{}",
        some.stderr
    );
    // Everything excluded: said so, not "no lockfile".
    let none = run(&["graph", "fixtures/lockfiles/cargo", "--exclude", "*"]);
    assert_eq!(none.code, 2);
    let cases =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lockfiles/cargo"))
            .unwrap()
            .count();
    assert!(
        none.stderr.contains(&format!(
            "outside the excluded paths ({cases} left out; --verbose lists them)"
        )),
        "{}",
        none.stderr
    );
    let bad = run(&["graph", "fixtures/lockfiles/cargo", "--exclude", "a/[b"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("exclude pattern `a/[b` is not a valid glob"),
        "{}",
        bad.stderr
    );
}

/// This repository's own `deptrust.toml` keeps `deptrust scan .` on deptrust's dependencies.
#[test]
fn scanning_this_repository_reads_only_its_own_lockfile() {
    let cache = tempfile::tempdir().unwrap();
    let out = deptrust()
        .args([
            "scan",
            ".",
            "--offline",
            "--format",
            "json",
            "--now",
            "2026-12-04T00:00:00Z",
        ])
        .env("DEPTRUST_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lockfiles: Vec<&str> = report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|project| project["lockfile"].as_str().unwrap())
        .collect();
    assert_eq!(lockfiles, ["Cargo.lock"]);
    assert!(report["errors"].as_array().unwrap().is_empty());
}

/// The README's sample output is the snapshot of the nx test at 100 columns, not a copy that
/// drifts.
#[test]
fn the_readme_sample_is_the_tested_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let sample = readme
        .split_once("$ deptrust scan\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(sample, _)| sample)
        .expect("a sample after `$ deptrust scan` in the README");
    let snapshot = std::fs::read_to_string(
        root.join("tests/it/snapshots/it__scan__nx-failed-gate-table-100-columns.snap"),
    )
    .unwrap();
    let expected = snapshot.splitn(3, "---\n").nth(2).expect("snapshot body");
    assert_eq!(sample.trim_end(), expected.trim_end());
}

/// The README's "Before an upgrade" sample is the snapshot of the diff test.
#[test]
fn the_readme_diff_sample_is_the_tested_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let sample = readme
        .split_once("$ deptrust diff base/package-lock.json head/package-lock.json\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(sample, _)| sample)
        .expect("a diff sample in the README");
    let snapshot =
        std::fs::read_to_string(root.join("tests/it/snapshots/it__scan__diff-upgrade-table.snap"))
            .unwrap();
    let expected = snapshot.splitn(3, "---\n").nth(2).expect("snapshot body");
    assert_eq!(sample.trim_end(), expected.trim_end());
}

//! `deptrust report`: the monthly view from the fixture in `fixtures/report/` (two repositories,
//! twelve monthly runs each, two scan reports each; how it was made: `fixtures/README.md`).

use std::io::Read;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The fixture's `.json.gz` reports unpacked beside its history files, in a new folder.
pub(crate) fn unpack_fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/report");
    for repo in ["web", "api"] {
        let to = dir.path().join("reports").join(repo);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(source.join(repo)).expect("fixtures/report is missing") {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".gz") {
                let mut text = String::new();
                flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
                    .read_to_string(&mut text)
                    .unwrap();
                std::fs::write(to.join(stem), text).unwrap();
            } else {
                std::fs::copy(&path, to.join(name)).unwrap();
            }
        }
    }
    let reports = dir.path().join("reports");
    (dir, reports)
}

fn deptrust(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("deptrust").unwrap();
    command
        .current_dir(dir)
        .env_remove("DEPTRUST_CONFIG")
        .env("NO_COLOR", "1");
    command
}

#[test]
fn the_fixture_report_in_markdown() {
    let (dir, _) = unpack_fixture();
    let output = deptrust(dir.path())
        .args([
            "report",
            "reports",
            "--since",
            "2026-10-01",
            "--markdown",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("2 repositories"), "{text}");
    assert!(
        text.contains("| `web` | 40.0 | ▲ up 2.5 since 2026-11-04 (37.5) |"),
        "{text}"
    );
    // Events of the period: dated findings and the changes between the two reports.
    for event in [
        "| seen by 2026-12-04 | yanked | `api` | `cargo:tokio@1.54.0` | ● medium |",
        "| seen by 2026-12-04 | added | `web` | `npm:esbuild@0.25.12` |",
        "| seen by 2026-12-04 | removed | `api` | `cargo:openssl@0.10.73` |",
        "| seen by 2026-12-04 | provenance gained | `web` | `npm:picomatch@2.3.2` |",
        "| 2026-11-05 | dormant package revived | `api` | `cargo:mime@0.3.18` | ○ low |",
    ] {
        assert!(text.contains(event), "{event}\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn a_threshold_in_deptrust_toml_raises_an_alert_with_exit_1() {
    let (dir, _) = unpack_fixture();
    std::fs::write(
        dir.path().join("deptrust.toml"),
        "version = 1\n[report]\nalert-score = 25\nalert-rise = 50\n",
    )
    .unwrap();
    let output = deptrust(dir.path())
        .args(["report", "reports", "--markdown", "report.md"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("alert: the exposure score 27.0 is at or above alert-score = 25"),
        "{stderr}"
    );
    let page = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        page.contains("**⚠ Alert:** the exposure score 27.0"),
        "{page}"
    );
    assert!(
        output.stdout.is_empty(),
        "nothing on stdout with --markdown FILE"
    );
}

#[test]
fn bad_inputs_are_errors_naming_the_file_with_exit_2() {
    let (dir, reports) = unpack_fixture();
    std::fs::write(reports.join("web/broken.json"), "{\"schema_version\": 1").unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["report", "reports", "--config", "/dev/null/none"],
            "config",
        ),
        (
            &["report", "reports/web/broken.json"],
            "reports/web/broken.json`: not a deptrust scan JSON report",
        ),
        (&["report", "missing.json"], "missing.json"),
        (
            &["report", "reports/web/history.json", "--since", "yesterday"],
            "--since `yesterday`",
        ),
    ];
    for (args, expected) in cases {
        let output = deptrust(dir.path()).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?} {output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // The threshold out of range is named at its line.
    std::fs::write(
        dir.path().join("deptrust.toml"),
        "version = 1\n[report]\nalert-score = 200\n",
    )
    .unwrap();
    let output = deptrust(dir.path())
        .args(["report", "reports/web/deptrust-2026-12.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("deptrust.toml:3"), "{stderr}");
    assert!(stderr.contains("alert-score"), "{stderr}");
}

#[test]
fn one_repository_with_its_history_by_name() {
    let (dir, _) = unpack_fixture();
    let output = deptrust(dir.path())
        .args([
            "report",
            "shop=reports/web/deptrust-2026-12.json",
            "--history",
            "reports/web/history.json",
            "--markdown",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("repository `shop`"), "{text}");
    assert!(text.contains("## Projects"), "{text}");
    assert!(
        text.contains("| 2026-01 | 22.4 | 22.4 |"),
        "the history's first month: {text}"
    );
    assert!(
        text.contains("**Exposure score: 40.0** of 100 — ▲ up 2.5 since 2026-11-04 (37.5)"),
        "{text}"
    );
}

/// The example workflows parse, and every `deptrust report` / `deptrust scan` option they use
/// is one the command has.
#[test]
fn the_example_workflows_use_real_options() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["deptrust-monthly.yml", "deptrust-org-report.yml"] {
        let text = std::fs::read_to_string(root.join(".github/workflows").join(name)).unwrap();
        let workflow: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let steps = workflow["jobs"]["report"]["steps"].as_array().expect(name);
        let scripts: Vec<&str> = steps
            .iter()
            .filter_map(|step| step["run"].as_str())
            .collect();
        let mut checked = 0;
        for command in ["report", "scan"] {
            let help = Command::cargo_bin("deptrust")
                .unwrap()
                .args([command, "--help"])
                .output()
                .unwrap();
            let help = String::from_utf8(help.stdout).unwrap();
            // The command's lines, joined across `\` continuations.
            let joined = scripts.join("\n").replace("\\\n", " ");
            for line in joined.lines() {
                let Some(rest) = line.trim().strip_prefix(&format!("deptrust {command} ")) else {
                    continue;
                };
                checked += 1;
                for option in rest
                    .split_whitespace()
                    .filter(|word| word.starts_with("--"))
                {
                    assert!(
                        help.contains(&format!("{option} "))
                            || help.contains(&format!("{option}\n")),
                        "{name}: `deptrust {command}` has no option {option}"
                    );
                }
            }
        }
        assert!(checked > 0, "{name} runs deptrust");
    }
}

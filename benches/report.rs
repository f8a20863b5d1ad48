//! `cargo bench --bench report`: the organisation roll-up of `deptrust report` over many
//! repositories' scan reports. Each of the 13 calibration projects is scanned once from its
//! recorded facts (`deptrust scan --replay`, clock pinned), then `REPOSITORIES` repositories
//! are generated: repository i holds the report of project i mod 13 and a history of twelve
//! monthly runs. Prints the wall time and peak RSS of `deptrust report` writing both the HTML
//! page and the Markdown, and the cross-repository blast radius table it wrote.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark harness: a failed setup stops the measurement with its reason"
)]
#![expect(clippy::print_stdout, reason = "a bench binary reports on stdout")]

mod support;

use std::path::{Path, PathBuf};

const NOW: &str = "2026-12-04T12:00:00Z";
const REPOSITORIES: usize = 50;

fn main() {
    let deptrust = PathBuf::from(env!("CARGO_BIN_EXE_deptrust"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let time = Path::new("/usr/bin/time").exists();

    let calibration = root.join("fixtures/calibration");
    let mut projects: Vec<PathBuf> = std::fs::read_dir(&calibration)
        .expect("fixtures/calibration")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.join("facts.snapshot.json.gz").exists())
        .collect();
    projects.sort();
    let mut reports = Vec::new();
    for project in &projects {
        let out = dir.path().join(format!(
            "{}.json",
            project.file_name().unwrap().to_string_lossy()
        ));
        let args: Vec<String> = [
            "scan",
            ".",
            "--replay",
            "facts.snapshot.json.gz",
            "--now",
            NOW,
            "--json",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([out.display().to_string()])
        .collect();
        let status = std::process::Command::new(&deptrust)
            .args(&args)
            .current_dir(project)
            .env_remove("DEPTRUST_CONFIG")
            .env("DEPTRUST_NO_CARGO_METADATA", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("deptrust scan runs");
        assert!(
            matches!(status.code(), Some(0 | 1)),
            "scan of {} failed: {status}",
            project.display()
        );
        reports.push(std::fs::read_to_string(&out).expect("the scan report"));
    }

    let org = dir.path().join("org");
    let mut bytes = 0;
    let mut packages = 0;
    for i in 0..REPOSITORIES {
        let repo = org.join(format!("service-{i:02}"));
        std::fs::create_dir_all(&repo).unwrap();
        let report = &reports[i % reports.len()];
        bytes += report.len();
        packages += report.matches("\"blast_radius\"").count();
        std::fs::write(repo.join("deptrust.json"), report).unwrap();
        let runs: Vec<String> = (1..=11)
            .map(|month| {
                let score = ((i * 7 + month * 3) % 40) as f64 + 0.5;
                format!(
                    r#"{{"at": "2026-{month:02}-04T12:00:00Z", "exposure_score": {score}, "projects": {{}}}}"#
                )
            })
            .collect();
        std::fs::write(
            repo.join("history.json"),
            format!(r#"{{"schema_version": 1, "runs": [{}]}}"#, runs.join(",")),
        )
        .unwrap();
    }
    println!(
        "deptrust report over {REPOSITORIES} repositories ({} distinct real projects, {packages} packages, {:.1} MB of scan JSON, 12 monthly runs each)\n",
        reports.len(),
        bytes as f64 / 1e6
    );
    let html = dir.path().join("org.html");
    let markdown = dir.path().join("org.md");
    let args: Vec<String> = vec![
        "report".into(),
        org.display().to_string(),
        "--html".into(),
        html.display().to_string(),
        "--markdown".into(),
        markdown.display().to_string(),
    ];
    let mut times = Vec::new();
    for _ in 0..3 {
        let (elapsed, peak, output) = support::timed(&deptrust, &args, time);
        assert!(
            output.status.success(),
            "deptrust report failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        times.push((elapsed, peak));
    }
    for (run, (elapsed, peak)) in times.iter().enumerate() {
        println!(
            "run {}: {:.3} s, peak RSS {}",
            run + 1,
            elapsed.as_secs_f64(),
            peak.map_or("unknown (no /usr/bin/time)".to_string(), |kb| format!(
                "{:.1} MB",
                kb as f64 / 1024.0
            ))
        );
    }
    let page = std::fs::read_to_string(&markdown).unwrap();
    let html_bytes = std::fs::metadata(&html).map_or(0, |m| m.len());
    println!(
        "\nHTML page: {:.1} KB; Markdown: {:.1} KB\n",
        html_bytes as f64 / 1024.0,
        page.len() as f64 / 1024.0
    );
    let heading = page
        .lines()
        .find(|line| line.starts_with("**Organisation exposure score"))
        .unwrap_or("(no headline)");
    println!("{heading}\n");
    let shared: Vec<&str> = page
        .lines()
        .skip_while(|line| !line.starts_with("## Packages shared"))
        .take_while(|line| !line.starts_with("## Coverage"))
        .collect();
    println!("{}", shared.join("\n"));
}

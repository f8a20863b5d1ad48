//! What several signals share: the version in use among the releases and the releases
//! published before it, calendar arithmetic on the run's clock, repository comparison, and
//! registry text made fit for a one-line message.

use std::str::FromStr;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp, Unit};

use super::Outcome;
use crate::registry::facts::{Fact, PackageFacts, Provenance, Release};
use crate::registry::repo_url;
use crate::verify::ProvenanceCheck;

/// The longest registry text quoted in a message (the evidence keeps all of it).
const QUOTE_LIMIT: usize = 160;

/// The largest month count a parameter may ask for (a thousand years).
const MAX_MONTHS: i64 = 12_000;

/// An [`Outcome::Unknown`] for `fact`.
pub(crate) fn unknown(fact: &str, reason: impl Into<String>) -> Outcome {
    Outcome::Unknown {
        fact: fact.to_string(),
        reason: reason.into(),
    }
}

/// The release history of a package and where the version in use sits in it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct History<'a> {
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
                (facts.ecosystem == "pypi")
                    .then(|| {
                        releases
                            .iter()
                            .position(|release| same_pep440(&release.version, &facts.version))
                    })
                    .flatten()
            });
        match index {
            Some(index) => Ok(History { releases, index }),
            None => Err(unknown(
                "releases",
                format!(
                    "version {} is not among the {} releases the registry lists (unpublished or removed?)",
                    facts.version,
                    releases.len()
                ),
            )),
        }
    }

    /// The release in use.
    pub(crate) fn in_use(&self) -> &'a Release {
        &self.releases[self.index]
    }

    /// The releases published before the version in use, oldest first.
    pub(crate) fn earlier(&self) -> Vec<&'a Release> {
        self.before(self.index)
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
    Unknown(String),
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
            ProvenanceCheck::Unknown { reason } => not_verified = Some(reason.as_str()),
        }
    }
    match (&release.provenance, not_verified) {
        (Fact::Known(Provenance::None), _) => ProvenanceState::Absent,
        (Fact::Known(Provenance::Attested { .. }), _) => ProvenanceState::Present("attested"),
        (Fact::Known(Provenance::TrustedPublishing { .. }), _) => {
            ProvenanceState::Present("trusted-publishing")
        }
        (Fact::Unknown(reason), None) => ProvenanceState::Unknown(reason.clone()),
        (Fact::Unknown(reason), Some(check)) => {
            ProvenanceState::Unknown(format!("{reason}; verification: {check}"))
        }
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

        facts.ecosystem = "npm".into();
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
            .earlier()
            .iter()
            .map(|release| release.version.as_str())
            .collect();
        assert_eq!(earlier, ["0.1", "1.2.4", "2.0.0"]);
        assert!(history.before(0).is_empty());
        assert!(history.before(99).is_empty());
    }
}

//! Versions in each registry's own order, and the release line a version belongs to, so that
//! a release is compared with the release it was made from rather than with whatever was
//! published just before it.
//!
//! Supported: semver 2.0 for npm and Cargo (the `semver` crate; npm's tolerated leading `v`
//! or `=` is dropped), PEP 440 for PyPI (`pep440_rs`, as the PyPI client and the Python
//! lockfile parsers read versions).
//!
//! A release line is what a registry maintains side by side: for semver the major version, or
//! `0.minor` while the major version is 0 (where each minor is its own line); for PEP 440 the
//! epoch and the first release segment. A backport `1.2.9` published after `2.0.0` is on line
//! 1 and follows `1.2.8`.
//!
//! [`predecessors`] puts the releases a release follows in that order. The gatherer uses it
//! to choose the earlier release it verifies, and the signals to choose the release they
//! compare with, so both mean the same release.
//!
//! Not supported: other ecosystems, npm's loose versions (`1.0`, `1.0.0beta`) and versions
//! that do not parse; callers fall back to publish-time order for them and say so.

use std::cmp::Ordering;
use std::str::FromStr;

use crate::model::Ecosystem;
use crate::model::facts::Release;

/// The releases `releases[index]` follows, as indexes into `releases`, nearest first, and
/// whether they are on its release line: the lower versions on its line that were published
/// before it (when both publish times are known); when its line has none (a new major
/// version, a first prerelease), every lower version published before it. Other releases whose
/// version does not parse are left out. `Err` says why the release's own version does not
/// parse (or `index` is out of range).
pub(crate) fn predecessors(
    ecosystem: Ecosystem,
    releases: &[Release],
    index: usize,
) -> Result<(Vec<usize>, bool), String> {
    let release = releases
        .get(index)
        .ok_or_else(|| format!("no release number {index}"))?;
    let version = Version::parse(ecosystem, &release.version)?;
    let published_before = |other: &Release| match (other.published, release.published) {
        (Some(other), Some(this)) => other <= this,
        _ => true,
    };
    let mut lower: Vec<(Version, usize)> = releases
        .iter()
        .enumerate()
        .filter(|&(other, _)| other != index)
        .filter_map(|(position, other)| {
            let parsed = Version::parse(ecosystem, &other.version).ok()?;
            (version.compare(&parsed) == Some(Ordering::Greater) && published_before(other))
                .then_some((parsed, position))
        })
        .collect();
    // Nearest first.
    lower.sort_by(|(a, _), (b, _)| b.compare(a).unwrap_or(Ordering::Equal));
    let line = version.line();
    let on_line: Vec<usize> = lower
        .iter()
        .filter(|(other, _)| other.line() == line)
        .map(|(_, position)| *position)
        .collect();
    if on_line.is_empty() {
        Ok((
            lower.into_iter().map(|(_, position)| position).collect(),
            false,
        ))
    } else {
        Ok((on_line, true))
    }
}

/// A parsed version of one ecosystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Version {
    /// npm, Cargo.
    Semver(semver::Version),
    /// PyPI.
    Pep440(pep440_rs::Version),
}

/// A release line: versions on one line are maintained one after another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// Semver: the major version, and the minor one while the major is 0.
    Semver(u64, Option<u64>),
    /// PEP 440: the epoch and the first release segment.
    Pep440(u64, u64),
}

impl Version {
    /// `text` as a version of `ecosystem` (`npm`, `cargo`, `pypi`), or why it is not one.
    pub(crate) fn parse(ecosystem: Ecosystem, text: &str) -> Result<Version, String> {
        let text = text.trim();
        match ecosystem {
            Ecosystem::Npm | Ecosystem::Cargo => {
                let bare = if ecosystem == Ecosystem::Npm {
                    text.trim_start_matches(['v', '='])
                } else {
                    text
                };
                semver::Version::parse(bare)
                    .map(Version::Semver)
                    .map_err(|error| format!("`{text}` is not a semver version: {error}"))
            }
            Ecosystem::Pypi => pep440_rs::Version::from_str(text)
                .map(Version::Pep440)
                .map_err(|error| format!("`{text}` is not a PEP 440 version: {error}")),
        }
    }

    /// The release line of this version.
    pub(crate) fn line(&self) -> Line {
        match self {
            Version::Semver(version) if version.major == 0 => Line::Semver(0, Some(version.minor)),
            Version::Semver(version) => Line::Semver(version.major, None),
            Version::Pep440(version) => Line::Pep440(
                version.epoch(),
                version.release().first().copied().unwrap_or(0),
            ),
        }
    }

    /// The order of two versions of one ecosystem; `None` across ecosystems.
    pub(crate) fn compare(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            // Build metadata does not order semver versions (semver 2.0, item 10).
            (Version::Semver(a), Version::Semver(b)) => Some(
                a.major
                    .cmp(&b.major)
                    .then(a.minor.cmp(&b.minor))
                    .then(a.patch.cmp(&b.patch))
                    .then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
                        (true, true) => Ordering::Equal,
                        (true, false) => Ordering::Greater,
                        (false, true) => Ordering::Less,
                        (false, false) => a.pre.cmp(&b.pre),
                    }),
            ),
            (Version::Pep440(a), Version::Pep440(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(ecosystem: &str, text: &str) -> Version {
        Version::parse(eco(ecosystem), text).expect("a version")
    }

    fn eco(name: &str) -> Ecosystem {
        Ecosystem::parse(name).expect("an ecosystem")
    }

    fn less(ecosystem: &str, a: &str, b: &str) -> bool {
        parse(ecosystem, a).compare(&parse(ecosystem, b)) == Some(Ordering::Less)
    }

    #[test]
    fn semver_order_and_lines() {
        for (a, b) in [
            ("1.2.9", "2.0.0"),
            ("2.0.0-rc.1", "2.0.0"),
            ("2.0.0-alpha", "2.0.0-beta"),
            ("0.3.0", "8.16.0"),
            ("8.16.0", "8.17.0"),
            ("1.9.0", "1.10.0"),
        ] {
            assert!(less("npm", a, b), "{a} < {b}");
            assert!(!less("npm", b, a), "not {b} < {a}");
        }
        assert_eq!(
            parse("cargo", "1.0.0+build.1").compare(&parse("cargo", "1.0.0")),
            Some(Ordering::Equal)
        );
        assert_eq!(parse("npm", "v1.2.3"), parse("npm", "1.2.3"));
        assert_eq!(parse("npm", "1.2.9").line(), parse("npm", "1.0.0").line());
        assert_ne!(parse("npm", "1.2.9").line(), parse("npm", "2.0.0").line());
        assert_eq!(
            parse("cargo", "0.3.1").line(),
            parse("cargo", "0.3.0").line()
        );
        assert_ne!(
            parse("cargo", "0.3.1").line(),
            parse("cargo", "0.4.0").line()
        );
        assert_eq!(
            parse("npm", "2.0.0-rc.1").line(),
            parse("npm", "2.0.0").line()
        );
    }

    #[test]
    fn pep440_order_and_lines() {
        for (a, b) in [
            ("1.2.9", "2.0"),
            ("2.0rc1", "2.0"),
            ("2.0", "2.0.post1"),
            ("2.0.dev1", "2.0a1"),
            ("1!0.1", "1!0.2"),
            ("9.0", "1!0.1"),
        ] {
            assert!(less("pypi", a, b), "{a} < {b}");
        }
        assert_eq!(
            parse("pypi", "1.0").compare(&parse("pypi", "1.0.0")),
            Some(Ordering::Equal)
        );
        assert_eq!(parse("pypi", "0.23").line(), parse("pypi", "0.24.1").line());
        assert_ne!(parse("pypi", "1.0").line(), parse("pypi", "2.0").line());
        assert_ne!(parse("pypi", "1!1.0").line(), parse("pypi", "1.0").line());
    }

    #[test]
    fn what_does_not_parse_says_why() {
        for (ecosystem, text, why) in [
            ("npm", "1.0", "not a semver version"),
            ("cargo", "latest", "not a semver version"),
            ("pypi", "not-a-version", "not a PEP 440 version"),
        ] {
            let Err(reason) = Version::parse(eco(ecosystem), text) else {
                panic!("{ecosystem} {text} parsed");
            };
            assert!(reason.contains(why), "{reason}");
        }
        assert_eq!(parse("npm", "1.0.0").compare(&parse("pypi", "1.0.0")), None);
    }
}

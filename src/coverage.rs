//! Coverage: how much of a scan could be judged, and why the rest could not, said once per
//! cause. Pure: it reads the typed unknown reasons ([`Unknown`]) the registry clients wrote.
//!
//! The cause of an unknown is the service (the host and port of the URL whose request failed)
//! and the kind of failure ([`UnknownKind`]: offline with nothing cached, unreachable, timed
//! out, an HTTP status, too large, a refused redirect), decided from the kind, never from the
//! words. Any other reason is its own cause, its words with the package-specific parts
//! (versions, counts, quoted names) folded so that one problem shared by many packages is one
//! line.
//!
//! A package's registry was *not reached* when its release list, the one fact every package
//! gets from its own registry, is unknown because of the network (offline, a deadline,
//! unreachable or not asked, timed out, a server error or rate limit, a body too large, a
//! refused redirect: [`UnknownKind::is_network`]), or when no facts were gathered for it at all. An answer that says the package is not there (404) or that
//! could not be read is a reached registry: it lowers the coverage but is not a network fault.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::facts::{Unknown, UnknownKind};

/// The words of the reason the scan gives a package for which no facts were gathered at all
/// (kind [`UnknownKind::NothingGathered`]).
const NOTHING_GATHERED: &str = "no facts were gathered for this package";

/// The reason the scan gives a package for which no facts were gathered at all.
pub(crate) fn nothing_gathered() -> Unknown {
    Unknown::new(UnknownKind::NothingGathered, NOTHING_GATHERED)
}

/// The cause of one unknown reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cause {
    /// The service (host, with the port when it has one), when the reason names a URL.
    pub service: Option<String>,
    /// What went wrong, one short phrase without package-specific parts.
    pub what: String,
    /// Whether this is a network fault (the service could not be reached or did not answer
    /// usably), as opposed to an answer that lacks the fact.
    pub network: bool,
}

impl Cause {
    /// One line: `` `registry.npmjs.org`: timed out ``.
    pub(crate) fn describe(&self) -> String {
        match &self.service {
            Some(service) => format!("`{service}`: {}", self.what),
            None => self.what.clone(),
        }
    }
}

/// The cause of an unknown `reason` given to package `package` (`npm:ms@2.1.3`): its name and
/// version in the reason's words are folded so that one problem shared by many packages is one
/// cause.
pub(crate) fn cause_for(package: &str, reason: &Unknown) -> Cause {
    let (name, version) = package
        .split_once(':')
        .map_or(package, |(_, rest)| rest)
        .rsplit_once('@')
        .unwrap_or((package, ""));
    let mut folded = reason.detail.clone();
    if !version.is_empty() {
        folded = replace_word(&folded, version, "<version>");
    }
    if !name.is_empty() {
        folded = replace_word(&folded, name, "<package>");
    }
    cause_of(reason.kind, reason.url.as_deref(), &folded)
}

/// `text` with every occurrence of `word` that is not part of a longer word (letters, digits,
/// `.`, `-`, `_`, `+` around it) replaced.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let part = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '+');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(part) || after.is_some_and(|c| part(c) && c != '.') {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// The cause of an unknown of `kind` from a request to `url` (when one failed), described by
/// `detail` (already folded). The service is the host of `url`; a reason that no request names
/// falls back to the first URL its words quote.
fn cause_of(kind: UnknownKind, url: Option<&str>, detail: &str) -> Cause {
    let service = url.and_then(host_of).or_else(|| first_url_host(detail));
    let network_kind = match kind {
        UnknownKind::NothingGathered => Some("no facts were gathered".to_string()),
        UnknownKind::Offline => {
            Some("not in the cache and the network is off (--offline)".to_string())
        }
        UnknownKind::NetworkDeadline => {
            Some("not fetched before the run's network deadline (--deadline)".to_string())
        }
        UnknownKind::ServiceDeadline => {
            Some("not fetched before its service's deadline (--service-deadline)".to_string())
        }
        UnknownKind::NotAsked | UnknownKind::ConnectionFailed | UnknownKind::BudgetExhausted => {
            Some("could not be reached".to_string())
        }
        UnknownKind::TimedOut => Some("timed out".to_string()),
        UnknownKind::HttpStatus(status) if kind.is_network() => {
            Some(format!("answered HTTP {status}"))
        }
        UnknownKind::BodyTooLarge => Some("answered with a body larger than the limit".to_string()),
        UnknownKind::RefusedRedirect => {
            Some("redirected where deptrust does not follow".to_string())
        }
        UnknownKind::HttpStatus(_)
        | UnknownKind::NotFound(_)
        | UnknownKind::Malformed
        | UnknownKind::NotRecorded
        | UnknownKind::Other => None,
    };
    match network_kind {
        Some(what) => Cause {
            service,
            what,
            network: true,
        },
        // An answer: a status names its service; anything else is its own words, folded.
        None => match (kind.status(), service) {
            (Some(status), Some(service)) => Cause {
                service: Some(service),
                what: format!("answered HTTP {status}"),
                network: false,
            },
            _ => Cause {
                service: None,
                what: fold(detail),
                network: false,
            },
        },
    }
}

/// Whether an unknown release list with this reason means the package's registry was not
/// reached.
pub(crate) fn registry_not_reached(reason: &Unknown) -> bool {
    reason.is_network()
}

/// Unknowns of one cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CauseSummary {
    /// One line naming the service and what went wrong.
    pub cause: String,
    /// Whether the service could not be reached (a network fault).
    pub network: bool,
    /// The facts it left unknown, sorted.
    pub facts: Vec<String>,
    /// Packages with at least one unknown of this cause.
    pub packages: usize,
    /// Signal verdicts it left unknown.
    pub signals: usize,
}

/// What one cause left unknown.
#[derive(Debug, Default)]
struct Counts {
    facts: BTreeSet<String>,
    packages: BTreeSet<String>,
    signals: usize,
}

/// Collects unknowns by cause.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    causes: BTreeMap<Cause, Counts>,
}

impl Tally {
    /// Records one unknown verdict of `package` for `fact` with `reason`.
    pub(crate) fn add(&mut self, package: &str, fact: &str, reason: &Unknown) {
        let entry = self.causes.entry(cause_for(package, reason)).or_default();
        entry.facts.insert(fact.to_string());
        entry.packages.insert(package.to_string());
        entry.signals += 1;
    }

    /// Adds another tally.
    pub(crate) fn merge(&mut self, other: &Tally) {
        for (cause, counts) in &other.causes {
            let entry = self.causes.entry(cause.clone()).or_default();
            entry.facts.extend(counts.facts.iter().cloned());
            entry.packages.extend(counts.packages.iter().cloned());
            entry.signals += counts.signals;
        }
    }

    /// One summary per cause: network faults first, then most packages first.
    pub(crate) fn summaries(&self) -> Vec<CauseSummary> {
        let mut summaries: Vec<CauseSummary> = self
            .causes
            .iter()
            .map(|(cause, counts)| CauseSummary {
                cause: cause.describe(),
                network: cause.network,
                facts: counts.facts.iter().cloned().collect(),
                packages: counts.packages.len(),
                signals: counts.signals,
            })
            .collect();
        summaries.sort_by(|a, b| {
            b.network
                .cmp(&a.network)
                .then(b.packages.cmp(&a.packages))
                .then(b.signals.cmp(&a.signals))
                .then_with(|| a.cause.cmp(&b.cause))
        });
        summaries
    }
}

/// The host (and port) of the first URL quoted in backticks, for reasons that no request
/// names.
fn first_url_host(reason: &str) -> Option<String> {
    reason
        .split('`')
        .skip(1)
        .step_by(2)
        .find_map(|quoted| host_of(quoted.trim()))
}

/// The service of `url`: its host, with the port when it names one.
fn host_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// A reason without its package-specific parts: a quoted URL becomes its host, other quoted
/// text that is not a plain identifier (`maintainers`, `_npmUser`) becomes `…`.
fn fold(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    for (i, part) in reason.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
            continue;
        }
        let identifier = !part.is_empty()
            && part.len() <= 40
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '<' | '>'));
        let shown = match url::Url::parse(part.trim()) {
            Ok(url) if url.host_str().is_some() => url.host_str().unwrap_or_default().to_string(),
            _ if identifier => part.to_string(),
            _ => "…".to_string(),
        };
        out.push('`');
        out.push_str(&shown);
        out.push('`');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::NetError;

    /// The reason a failed request to `url` gives.
    fn net(error: NetError) -> Unknown {
        Unknown::from(&error)
    }

    /// The cause of `reason` as the scan sees it (no package to fold).
    fn cause(reason: &Unknown) -> Cause {
        cause_for("", reason)
    }

    fn offline(url: &str) -> Unknown {
        net(NetError::Offline { url: url.into() })
    }

    fn status(url: &str, status: u16) -> Unknown {
        net(NetError::Status {
            url: url.into(),
            status,
        })
    }

    #[test]
    fn causes_of_network_faults_name_the_service_once() {
        let offline_ms = cause(&offline("https://registry.npmjs.org/ms"));
        assert_eq!(
            offline_ms.describe(),
            "`registry.npmjs.org`: not in the cache and the network is off (--offline)"
        );
        assert!(offline_ms.network);
        assert_eq!(
            offline_ms,
            cause(&offline("https://registry.npmjs.org/debug"))
        );
        let unreachable = net(NetError::Connect {
            url: "https://api.github.com/repos/a/b".into(),
            message: "dns error".into(),
        })
        .map_detail(|reason| format!("the repository is unknown: {reason}"));
        assert_eq!(
            cause(&unreachable).describe(),
            "`api.github.com`: could not be reached"
        );
        let asked = net(NetError::NotAsked {
            url: "https://crates.io/api/v1/crates/x/owners".into(),
            reason: "`crates.io` failed to answer 3 requests in a row".into(),
        });
        assert_eq!(
            asked.detail,
            "`https://crates.io/api/v1/crates/x/owners`: connection failed: not asked: `crates.io` failed to answer 3 requests in a row"
        );
        assert_eq!(
            cause(&asked).describe(),
            "`crates.io`: could not be reached"
        );
        assert_eq!(
            cause(&net(NetError::Timeout {
                url: "http://127.0.0.1:4000/x".into()
            }))
            .describe(),
            "`127.0.0.1:4000`: timed out"
        );
        assert!(cause(&status("https://pypi.org/pypi/x/json", 503)).network);
        assert!(cause(&status("https://pypi.org/pypi/x/json", 429)).network);
        assert!(cause(&nothing_gathered()).network);
        let late = cause(&net(NetError::Deadline {
            url: "https://pypi.org/pypi/x/json".into(),
            seconds: 60,
        }));
        assert!(late.network);
        assert_eq!(
            late.describe(),
            "`pypi.org`: not fetched before the run's network deadline (--deadline)"
        );
    }

    #[test]
    fn answers_are_not_network_faults() {
        let missing = cause(&status("https://registry.npmjs.org/private-thing", 404));
        assert!(!missing.network);
        assert_eq!(
            missing.describe(),
            "`registry.npmjs.org`: answered HTTP 404"
        );
        let a = cause_for(
            "npm:a@1.2.3",
            &Unknown::not_recorded("the registry records no per-version maintainers for 1.2.3"),
        );
        let b = cause_for(
            "pypi:b-c@4.0.0rc1",
            &Unknown::not_recorded("the registry records no per-version maintainers for 4.0.0rc1"),
        );
        assert_eq!(a, b);
        assert_eq!(
            a.describe(),
            "the registry records no per-version maintainers for <version>"
        );
        assert!(!a.network);
        // A version inside a longer one is left alone.
        assert_eq!(
            replace_word("1.2.30 and 1.2.3, 11.2.3", "1.2.3", "<v>"),
            "1.2.30 and <v>, 11.2.3"
        );
        assert_eq!(
            cause(&Unknown::not_recorded(
                "`https://x.org/a`: the packument lists no `maintainers`"
            ))
            .what,
            "`x.org`: the packument lists no `maintainers`"
        );
        assert_eq!(
            cause(&Unknown::malformed(
                "`not a url/at all`: unreadable `repository`"
            ))
            .what,
            "`…`: unreadable `repository`"
        );
    }

    /// A 404 and an offline miss are told apart by their kind alone, whatever the words say.
    #[test]
    fn the_kind_decides_not_the_words() {
        let words = "`https://registry.npmjs.org/ms` could not be had";
        let missing = Unknown {
            kind: UnknownKind::NotFound(404),
            detail: words.to_string(),
            url: Some("https://registry.npmjs.org/ms".into()),
        };
        let offline = Unknown {
            kind: UnknownKind::Offline,
            ..missing.clone()
        };
        assert!(!registry_not_reached(&missing));
        assert!(registry_not_reached(&offline));
        assert_eq!(
            cause(&missing).describe(),
            "`registry.npmjs.org`: answered HTTP 404"
        );
        assert_eq!(
            cause(&offline).describe(),
            "`registry.npmjs.org`: not in the cache and the network is off (--offline)"
        );
        // Words that look like a network fault do not make one.
        let quoted =
            Unknown::malformed("`https://x.org/a`: the `name` is \"timed out (--offline)\"");
        assert!(!cause(&quoted).network);
        assert!(!registry_not_reached(&quoted));
    }

    /// A cause is a network fault exactly when its kind is one.
    #[test]
    fn the_cause_is_a_network_fault_when_the_kind_is() {
        let mut kinds = vec![
            UnknownKind::Offline,
            UnknownKind::NetworkDeadline,
            UnknownKind::ServiceDeadline,
            UnknownKind::NotAsked,
            UnknownKind::ConnectionFailed,
            UnknownKind::TimedOut,
            UnknownKind::BodyTooLarge,
            UnknownKind::RefusedRedirect,
            UnknownKind::NotFound(404),
            UnknownKind::NotFound(410),
            UnknownKind::Malformed,
            UnknownKind::NotRecorded,
            UnknownKind::BudgetExhausted,
            UnknownKind::NothingGathered,
            UnknownKind::Other,
        ];
        kinds.extend([401, 403, 429, 451, 500, 503].map(UnknownKind::HttpStatus));
        for kind in kinds {
            let reason = Unknown {
                kind,
                detail: "`https://x.org/a`: something".into(),
                url: Some("https://x.org/a".into()),
            };
            assert_eq!(cause(&reason).network, kind.is_network(), "{kind:?}");
            assert_eq!(registry_not_reached(&reason), kind.is_network(), "{kind:?}");
        }
    }

    #[test]
    fn a_tally_groups_by_cause() {
        let mut tally = Tally::default();
        for package in ["npm:a@1", "npm:b@1"] {
            for fact in ["releases", "owners"] {
                tally.add(
                    package,
                    fact,
                    &net(NetError::Timeout {
                        url: format!("https://registry.npmjs.org/{package}"),
                    }),
                );
            }
        }
        tally.add(
            "npm:a@1",
            "repository_facts",
            &Unknown::not_recorded("the package declares no repository"),
        );
        let summaries = tally.summaries();
        assert_eq!(summaries.len(), 2);
        assert_eq!(summaries[0].cause, "`registry.npmjs.org`: timed out");
        assert_eq!(summaries[0].packages, 2);
        assert_eq!(summaries[0].signals, 4);
        assert_eq!(summaries[0].facts, ["owners", "releases"]);
        assert!(!summaries[1].network);
    }

    proptest::proptest! {
        /// Reasons come from registries: classifying one never panics, whatever it holds.
        #[test]
        fn any_reason_has_a_cause(
            package in "\\PC{0,12}",
            reason in "(`|http |https://|é€|1\\.2|timed out|HTTP 5|\\PC){0,20}",
            url in proptest::option::of("(https?://|\\PC){0,6}"),
            status in 100u16..600,
        ) {
            for kind in [UnknownKind::Other, UnknownKind::of_status(status), UnknownKind::TimedOut] {
                let reason = Unknown { kind, detail: reason.clone(), url: url.clone() };
                let cause = cause_for(&package, &reason);
                proptest::prop_assert!(!cause.describe().is_empty() || reason.detail.is_empty());
            }
        }
    }
}

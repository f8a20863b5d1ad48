//! The facts model: what the registries and source hosts say about a package, raw and without
//! judgement, the same shape for every ecosystem. Signals (a later layer) judge these facts.
//!
//! Every fact that a request could fail to establish is a [`Fact`]: known, or unknown with the
//! reason (a 404, a timeout, offline with nothing cached). An unknown fact is never a default
//! value: "no provenance" and "could not tell" are different facts. The reason is typed
//! ([`Unknown`]): its [`UnknownKind`] says what went wrong, so that coverage and policy tell a
//! 404 from `--offline` without reading the words, and its detail says it for people.
//!
//! Stars, forks, watchers and download counts are deliberately absent: they are easy to game
//! and say nothing about who controls a package. Clients drop them when decoding.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use super::verification::Verification;

/// A fact, or why it could not be established.
///
/// In JSON: `{"known": <value>}`, or `{"unknown": "<detail>", "kind": "<kind>"}` with
/// `"http_status": <code>` for the kinds that carry one and `"url": "<url>"` when a request to that
/// URL failed. The `unknown` text is the same as before kinds existed; an entry without a
/// `kind` (written by an older deptrust) reads as kind `other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact<T> {
    /// Established.
    Known(T),
    /// Not established; the reason says what went wrong and names the URL or source.
    Unknown(Unknown),
}

/// Why a fact is unknown: what went wrong ([`UnknownKind`]), in words for people (`detail`),
/// and the URL of the request that failed, when one did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// What went wrong.
    pub kind: UnknownKind,
    /// The whole reason as shown to people: names the URL or source and what went wrong.
    pub detail: String,
    /// The URL of the request that failed ([`crate::net::NetError`] names one), when the reason comes
    /// from one.
    pub url: Option<String>,
}

/// What kind of thing left a fact unknown. The network kinds ([`UnknownKind::is_network`])
/// are faults of reaching a service; the others are answers that lack the fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnknownKind {
    /// `--offline` and the document is not in the cache.
    Offline,
    /// Not fetched before the run's network deadline (`--deadline`).
    NetworkDeadline,
    /// Not fetched before its service's deadline (`--service-deadline`).
    ServiceDeadline,
    /// Not asked: the service was given up earlier in the run (it failed to answer too many
    /// requests in a row).
    NotAsked,
    /// The connection failed (DNS, refused, reset, TLS).
    ConnectionFailed,
    /// No answer in time.
    TimedOut,
    /// The service answered with this HTTP status (other than 404 and 410).
    HttpStatus(u16),
    /// The body was larger than the limit.
    BodyTooLarge,
    /// A redirect deptrust does not follow (not https, or too many).
    RefusedRedirect,
    /// The service answered 404 or 410 (the code): an answer that the thing is not there,
    /// not a network fault.
    NotFound(u16),
    /// The answer could not be read (not JSON, not the expected shape, a bad value).
    Malformed,
    /// The source does not record or support the fact (the repository host is not GitHub, the
    /// registry does not say, the package declares nothing).
    NotRecorded,
    /// The crates.io API budget of the run was spent.
    BudgetExhausted,
    /// No facts were gathered for the package at all.
    NothingGathered,
    /// Anything else.
    Other,
}

impl UnknownKind {
    /// Whether this is a network fault (the service could not be reached or did not answer
    /// usably: offline, a deadline, unreachable or not asked (given up, or the crates.io API
    /// budget spent), timed out, HTTP 403, 429 or 5xx, a body too large, a refused redirect, or
    /// nothing gathered at all), as opposed to an answer that lacks the fact (a 404, an
    /// unreadable document).
    pub fn is_network(self) -> bool {
        match self {
            UnknownKind::Offline
            | UnknownKind::NetworkDeadline
            | UnknownKind::ServiceDeadline
            | UnknownKind::NotAsked
            | UnknownKind::ConnectionFailed
            | UnknownKind::TimedOut
            | UnknownKind::BodyTooLarge
            | UnknownKind::RefusedRedirect
            | UnknownKind::BudgetExhausted
            | UnknownKind::NothingGathered => true,
            UnknownKind::HttpStatus(status) => status == 403 || status == 429 || status >= 500,
            UnknownKind::NotFound(_)
            | UnknownKind::Malformed
            | UnknownKind::NotRecorded
            | UnknownKind::Other => false,
        }
    }

    /// Which kind a reason joined from several takes ([`Unknown::joined`]): lower first.
    fn precedence(self) -> u8 {
        match self {
            UnknownKind::NothingGathered => 0,
            UnknownKind::Offline => 1,
            UnknownKind::NetworkDeadline => 2,
            UnknownKind::ServiceDeadline => 3,
            UnknownKind::NotAsked
            | UnknownKind::ConnectionFailed
            | UnknownKind::BudgetExhausted => 4,
            UnknownKind::TimedOut => 5,
            UnknownKind::HttpStatus(_) | UnknownKind::NotFound(_) => 6,
            UnknownKind::BodyTooLarge => 7,
            UnknownKind::RefusedRedirect => 8,
            UnknownKind::Malformed | UnknownKind::NotRecorded | UnknownKind::Other => 9,
        }
    }

    /// The HTTP status, for the kinds that carry one.
    pub fn status(self) -> Option<u16> {
        match self {
            UnknownKind::HttpStatus(status) | UnknownKind::NotFound(status) => Some(status),
            _ => None,
        }
    }

    /// The kind of an HTTP status answer: 404 and 410 are [`UnknownKind::NotFound`].
    pub fn of_status(status: u16) -> UnknownKind {
        match status {
            404 | 410 => UnknownKind::NotFound(status),
            _ => UnknownKind::HttpStatus(status),
        }
    }

    /// Its name in JSON (kebab-case, without the status).
    pub fn name(self) -> &'static str {
        match self {
            UnknownKind::Offline => "offline",
            UnknownKind::NetworkDeadline => "network-deadline",
            UnknownKind::ServiceDeadline => "service-deadline",
            UnknownKind::NotAsked => "not-asked",
            UnknownKind::ConnectionFailed => "connection-failed",
            UnknownKind::TimedOut => "timed-out",
            UnknownKind::HttpStatus(_) => "http-status",
            UnknownKind::BodyTooLarge => "body-too-large",
            UnknownKind::RefusedRedirect => "refused-redirect",
            UnknownKind::NotFound(_) => "not-found",
            UnknownKind::Malformed => "malformed",
            UnknownKind::NotRecorded => "not-recorded",
            UnknownKind::BudgetExhausted => "budget-exhausted",
            UnknownKind::NothingGathered => "nothing-gathered",
            UnknownKind::Other => "other",
        }
    }

    /// The kind named `name` (with `status` for the kinds that carry one); `other` for a name
    /// this deptrust does not know or a status kind without a status.
    fn from_name(name: &str, status: Option<u16>) -> UnknownKind {
        match (name, status) {
            ("offline", _) => UnknownKind::Offline,
            ("network-deadline", _) => UnknownKind::NetworkDeadline,
            ("service-deadline", _) => UnknownKind::ServiceDeadline,
            ("not-asked", _) => UnknownKind::NotAsked,
            ("connection-failed", _) => UnknownKind::ConnectionFailed,
            ("timed-out", _) => UnknownKind::TimedOut,
            ("http-status", Some(status)) => UnknownKind::HttpStatus(status),
            ("body-too-large", _) => UnknownKind::BodyTooLarge,
            ("refused-redirect", _) => UnknownKind::RefusedRedirect,
            ("not-found", Some(status)) => UnknownKind::NotFound(status),
            ("malformed", _) => UnknownKind::Malformed,
            ("not-recorded", _) => UnknownKind::NotRecorded,
            ("budget-exhausted", _) => UnknownKind::BudgetExhausted,
            ("nothing-gathered", _) => UnknownKind::NothingGathered,
            _ => UnknownKind::Other,
        }
    }
}

impl Unknown {
    /// A reason of `kind` that no request names.
    pub fn new(kind: UnknownKind, detail: impl Into<String>) -> Unknown {
        Unknown {
            kind,
            detail: detail.into(),
            url: None,
        }
    }

    /// An answer that could not be read ([`UnknownKind::Malformed`]).
    pub fn malformed(detail: impl Into<String>) -> Unknown {
        Unknown::new(UnknownKind::Malformed, detail)
    }

    /// A fact the source does not record or support ([`UnknownKind::NotRecorded`]).
    pub fn not_recorded(detail: impl Into<String>) -> Unknown {
        Unknown::new(UnknownKind::NotRecorded, detail)
    }

    /// Anything else ([`UnknownKind::Other`]).
    pub fn other(detail: impl Into<String>) -> Unknown {
        Unknown::new(UnknownKind::Other, detail)
    }

    /// The same kind and URL with other words (`the repository is unknown: {detail}`).
    pub fn map_detail(&self, detail: impl FnOnce(&str) -> String) -> Unknown {
        Unknown {
            kind: self.kind,
            detail: detail(&self.detail),
            url: self.url.clone(),
        }
    }

    /// One reason for several (`{project}; {simple}`): the kind and URL of the one that says
    /// most about reaching the service (offline, a deadline, unreachable, timed out, a status,
    /// too large, a redirect, in that order; the first on a tie), with `detail` as its words.
    pub fn joined<'a>(parts: impl IntoIterator<Item = &'a Unknown>, detail: String) -> Unknown {
        let chosen = parts
            .into_iter()
            .enumerate()
            .min_by_key(|(index, part)| (part.kind.precedence(), *index))
            .map(|(_, part)| (part.kind, part.url.clone()));
        let (kind, url) = chosen.unwrap_or((UnknownKind::Other, None));
        Unknown { kind, detail, url }
    }

    /// Whether this is a network fault ([`UnknownKind::is_network`]).
    pub fn is_network(&self) -> bool {
        self.kind.is_network()
    }
}

/// In unit tests, plain words are a reason of kind [`UnknownKind::Other`]. Not in the library:
/// every reason deptrust makes says its kind ([`Unknown::new`], [`Unknown::other`],
/// [`Fact::unknown_as`]), so the compiler refuses a site that forgets it.
#[cfg(test)]
impl From<&str> for Unknown {
    fn from(detail: &str) -> Unknown {
        Unknown::new(UnknownKind::Other, detail)
    }
}

/// In unit tests, plain words are a reason of kind [`UnknownKind::Other`].
#[cfg(test)]
impl From<String> for Unknown {
    fn from(detail: String) -> Unknown {
        Unknown::new(UnknownKind::Other, detail)
    }
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::ops::Deref for Unknown {
    type Target = str;

    /// The detail: renderers read the words.
    fn deref(&self) -> &str {
        &self.detail
    }
}

impl<T> Fact<T> {
    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(value) => Some(value),
            Fact::Unknown(_) => None,
        }
    }

    /// Why it is unknown, in words, when it is.
    pub fn unknown_reason(&self) -> Option<&str> {
        match self {
            Fact::Known(_) => None,
            Fact::Unknown(reason) => Some(&reason.detail),
        }
    }

    /// Why it is unknown, typed, when it is.
    pub fn reason(&self) -> Option<&Unknown> {
        match self {
            Fact::Known(_) => None,
            Fact::Unknown(reason) => Some(reason),
        }
    }

    /// An unknown fact with a reason (a typed [`Unknown`], or a [`crate::net::NetError`]).
    pub fn unknown(reason: impl Into<Unknown>) -> Self {
        Fact::Unknown(reason.into())
    }

    /// An unknown fact of `kind` with these words.
    pub fn unknown_as(kind: UnknownKind, detail: impl Into<String>) -> Self {
        Fact::Unknown(Unknown::new(kind, detail))
    }
}

impl<T: Serialize> Serialize for Fact<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Fact::Known(value) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("known", value)?;
                map.end()
            }
            Fact::Unknown(reason) => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("unknown", &reason.detail)?;
                reason.serialize_kind(&mut map)?;
                map.end()
            }
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Fact<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FactVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for FactVisitor<T> {
            type Value = Fact<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a fact: {"known": …} or {"unknown": "<reason>", "kind": …}"#)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fact<T>, A::Error> {
                let mut known: Option<T> = None;
                let mut detail: Option<String> = None;
                let mut fields = KindFields::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "known" if known.is_none() => known = Some(map.next_value()?),
                        "unknown" if detail.is_none() => detail = Some(map.next_value()?),
                        "known" | "unknown" => {
                            return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
                        }
                        other => {
                            if !fields.read(other, &mut map)? {
                                return Err(de::Error::unknown_field(
                                    other,
                                    &["known", "unknown", "kind", "http_status", "url"],
                                ));
                            }
                        }
                    }
                }
                match (known, detail) {
                    (Some(value), None) if fields.is_empty() => Ok(Fact::Known(value)),
                    (None, Some(detail)) => Ok(Fact::Unknown(fields.into_unknown(detail))),
                    _ => Err(de::Error::custom(
                        "a fact is either `known` or `unknown` (with its `kind`)",
                    )),
                }
            }
        }

        deserializer.deserialize_map(FactVisitor(std::marker::PhantomData))
    }
}

impl Unknown {
    /// Writes `kind`, `http_status` (for the kinds that carry one) and `url` (when known).
    fn serialize_kind<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        map.serialize_entry("kind", self.kind.name())?;
        if let Some(status) = self.kind.status() {
            map.serialize_entry("http_status", &status)?;
        }
        if let Some(url) = &self.url {
            map.serialize_entry("url", url)?;
        }
        Ok(())
    }
}

/// The fields beside the words of an unknown reason, as read.
#[derive(Default)]
struct KindFields {
    kind: Option<String>,
    status: Option<u16>,
    url: Option<String>,
}

impl KindFields {
    /// Reads the value of `key` when it is one of these fields (`false` when it is not).
    fn read<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        let duplicate = || de::Error::custom(format_args!("duplicate field `{key}`"));
        match key {
            "kind" if self.kind.is_some() => Err(duplicate()),
            "http_status" if self.status.is_some() => Err(duplicate()),
            "url" if self.url.is_some() => Err(duplicate()),
            "kind" => {
                self.kind = Some(map.next_value()?);
                Ok(true)
            }
            "http_status" => {
                self.status = map.next_value()?;
                Ok(true)
            }
            "url" => {
                self.url = map.next_value()?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn is_empty(&self) -> bool {
        self.kind.is_none() && self.status.is_none() && self.url.is_none()
    }

    /// The reason with these words; kind `other` when one this deptrust does not know was
    /// written, and read from the words when none was ([`UnknownKind::of_legacy_words`]:
    /// snapshots and cache entries written before kinds existed).
    fn into_unknown(self, detail: String) -> Unknown {
        Unknown {
            kind: match self.kind {
                Some(name) => UnknownKind::from_name(&name, self.status),
                None => UnknownKind::of_legacy_words(&detail),
            },
            detail,
            url: self.url,
        }
    }
}

impl UnknownKind {
    /// The kind of a reason written before kinds existed (a snapshot or cache entry of an
    /// earlier deptrust, which wrote only the words), read from the words by the rules that
    /// classified them then, so that a replayed snapshot is judged and summarized as it was
    /// recorded. Only reading such files uses it: every reason deptrust makes now is typed
    /// where it is made.
    pub(crate) fn of_legacy_words(detail: &str) -> UnknownKind {
        let lower = detail.to_ascii_lowercase();
        let status = || {
            let rest = &lower[lower.find("http ")? + 5..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (digits.len() == 3).then(|| digits.parse().ok()).flatten()
        };
        if detail == "no facts were gathered for this package" {
            UnknownKind::NothingGathered
        } else if lower.contains("is not in the cache and the network is off") {
            UnknownKind::Offline
        } else if lower.contains("network deadline") {
            UnknownKind::NetworkDeadline
        } else if lower.contains("service deadline") {
            UnknownKind::ServiceDeadline
        } else if lower.contains("not asked:") {
            UnknownKind::NotAsked
        } else if lower.contains("connection failed") {
            UnknownKind::ConnectionFailed
        } else if lower.contains("timed out") {
            UnknownKind::TimedOut
        } else if let Some(status) = status() {
            UnknownKind::of_status(status)
        } else if lower.contains("the body is larger than") {
            UnknownKind::BodyTooLarge
        } else if lower.contains("redirect")
            && (lower.contains("not https") || lower.contains("too many"))
        {
            UnknownKind::RefusedRedirect
        } else {
            UnknownKind::Other
        }
    }
}

/// A reason on its own (in a verification check): `{"reason": "<detail>", "kind": …}`, with
/// `http_status` and `url` as in a [`Fact`].
impl Serialize for Unknown {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("reason", &self.detail)?;
        self.serialize_kind(&mut map)?;
        map.end()
    }
}

/// Reads what [`Unknown`]'s `Serialize` writes; other keys are left alone (the reason is
/// flattened into the object of its check), a missing `kind` is `other`.
impl<'de> Deserialize<'de> for Unknown {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UnknownVisitor;

        impl<'de> Visitor<'de> for UnknownVisitor {
            type Value = Unknown;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a reason: {"reason": "<words>", "kind": …}"#)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unknown, A::Error> {
                let mut detail: Option<String> = None;
                let mut fields = KindFields::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "reason" if detail.is_some() => {
                            return Err(de::Error::custom("duplicate field `reason`"));
                        }
                        "reason" => detail = Some(map.next_value()?),
                        other => {
                            if !fields.read(other, &mut map)? {
                                map.next_value::<de::IgnoredAny>()?;
                            }
                        }
                    }
                }
                let detail = detail.ok_or_else(|| de::Error::missing_field("reason"))?;
                Ok(fields.into_unknown(detail))
            }
        }

        deserializer.deserialize_map(UnknownVisitor)
    }
}

/// Everything gathered about one package (a name in an ecosystem) and the version in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageFacts {
    /// The version in use (`<ecosystem>:<name>@<version>` in JSON).
    pub id: super::PackageId,
    /// Ecosystem (`cargo`, `npm`, `pypi` in JSON).
    pub ecosystem: super::Ecosystem,
    /// Package name.
    pub name: String,
    /// The version in use.
    pub version: String,
    /// The registry the facts come from (base URL).
    pub registry: String,
    /// Every release the registry lists, oldest first.
    pub releases: Fact<Vec<Release>>,
    /// Who can publish now: owners or maintainers with stable ids.
    pub owners: Fact<Vec<Owner>>,
    /// The repository the package declares (normalized URL), if any.
    pub repository: Fact<Option<String>>,
    /// What the source host says about that repository.
    pub repository_facts: Fact<RepositoryFacts>,
    /// Deprecated, archived, quarantined, yanked project as a whole.
    pub status: Fact<Status>,
    /// Install-time scripts of the version in use (npm `preinstall`, `install`,
    /// `postinstall`), name → command.
    pub install_scripts: Fact<BTreeMap<String, String>>,
    /// Problems that did not make a whole fact unknown (a skipped index line, an unreadable
    /// attestation), for the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What the version in use declares it depends on (name → requirement), from the
    /// registry's metadata: npm `dependencies`, `optionalDependencies` and `peerDependencies`;
    /// the crates.io index's `deps` other than dev ones (by package name); PyPI's
    /// `requires_dist` without extras, for the latest release only (the project document
    /// describes no other). `None` when the registry does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_dependencies: Option<BTreeMap<String, String>>,
}

/// One published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The version string as the registry writes it.
    pub version: String,
    /// When it was published (upload time of its first file for PyPI, `pubtime` or
    /// `created_at` for crates.io); `None` when the registry does not say.
    pub published: Option<Timestamp>,
    /// Who published it: known (`None` when the registry records nobody, as for very old
    /// versions) or unknown (the service that says could not be asked).
    pub publisher: Fact<Option<Identity>>,
    /// Yanked (or unpublished / deprecated-for-security by the registry's own mechanism).
    pub yanked: bool,
    /// The registry's yank reason, when given.
    pub yank_reason: Option<String>,
    /// Build provenance as the registry reports it (not verified here); unknown when the
    /// service that says could not be asked.
    pub provenance: Fact<Provenance>,
    /// Integrity digest of the artifact (`sha512-…` for npm, `sha256:<hex>` for crates and
    /// PyPI files), when the registry gives one.
    pub integrity: Option<String>,
    /// npm: the registry's signatures of `<name>@<version>:<integrity>` (keyid → signature).
    pub signatures: Vec<RegistrySignature>,
    /// npm: the version's own `maintainers` list (who could publish when it was published);
    /// `None` when the registry does not record it per version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainers: Option<Vec<Owner>>,
    /// npm: the repository this version declares (normalized); `None` when the registry does
    /// not record it per version or the version declares none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The files of the release with their digests and provenance addresses, for the
    /// releases whose attestations are verified per file (PyPI: the version in use).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<ReleaseFile>,
    /// What verifying the release's signatures and attestations established; `None` when the
    /// release was not looked at (only the version in use and the latest earlier attested
    /// release are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

impl Release {
    /// A release with these facts and nothing else recorded: not yanked, no digest, no
    /// signatures, maintainers, repository or files, not verified.
    pub fn new(
        version: impl Into<String>,
        published: Option<Timestamp>,
        publisher: Fact<Option<Identity>>,
        provenance: Fact<Provenance>,
    ) -> Release {
        Release {
            version: version.into(),
            published,
            publisher,
            yanked: false,
            yank_reason: None,
            provenance,
            integrity: None,
            signatures: Vec::new(),
            maintainers: None,
            repository: None,
            files: Vec::new(),
            verification: None,
        }
    }
}

/// One file of a release (PyPI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseFile {
    /// The distribution file name (`pkg-1.0-py3-none-any.whl`).
    pub filename: String,
    /// Hex SHA-256 the index gives.
    pub sha256: Option<String>,
    /// The Integrity API address of its provenance (PEP 740), when the index advertises one.
    pub provenance: Option<String>,
}

/// A registry signature over a release (npm `dist.signatures`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrySignature {
    /// Key id, e.g. `SHA256:DhQ8…`.
    pub keyid: String,
    /// Base64 DER ECDSA signature.
    pub sig: String,
}

/// An account or automated identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identity {
    /// Stable id within the registry: `npm:user:<name>`, `crates:user:<id>`,
    /// `crates:team:<id>`, `pypi:user:<name>`, `pypi:org:<slug>`,
    /// `trusted-publisher:github:<owner/repo>`.
    pub id: String,
    /// What to show (login, name).
    pub display: String,
    /// What kind of identity.
    pub kind: IdentityKind,
}

/// The kind of an [`Identity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    /// A person's account.
    User,
    /// A team or organization.
    Team,
    /// A CI workflow publishing through OIDC trusted publishing.
    TrustedPublisher,
}

/// What [`PackageFacts::registry`] says for owners that come from the trust ledger
/// (`deptrust-ledger.toml`) rather than from a registry, so that `owners-changed` names the
/// ledger as what they changed since.
pub const LEDGER_SOURCE: &str = "ledger:deptrust-ledger.toml";

/// Someone who can publish the package now.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Owner {
    /// Who.
    pub identity: Identity,
    /// Their role, when the registry says (`Owner`, `Maintainer`).
    pub role: Option<String>,
}

/// Provenance as the registry advertises it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Provenance {
    /// The registry advertises none.
    None,
    /// Attestations exist (npm `dist.attestations`, PyPI Integrity API provenance).
    Attested {
        /// Where to fetch them.
        url: Option<String>,
        /// The SLSA predicate type when advertised.
        predicate_type: Option<String>,
    },
    /// Published by OIDC trusted publishing (crates.io `trustpub_data`, npm
    /// `_npmUser.trustedPublisher`, PyPI attestation publisher).
    TrustedPublishing {
        /// `github`, `gitlab`, `google`.
        provider: String,
        /// `owner/repo` or project path, when given.
        repository: Option<String>,
        /// Workflow file or job, when given.
        workflow: Option<String>,
        /// The CI run or job that published (crates.io `run_id` / `job_id`), when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
        /// The commit it was built from (crates.io `sha`), when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        commit: Option<String>,
    },
}

/// What the source host says about a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryFacts {
    /// `github`.
    pub host: String,
    /// Numeric id, stable across renames and transfers.
    pub id: u64,
    /// `owner/name` now.
    pub full_name: String,
    /// Owner login now.
    pub owner: String,
    /// Archived by its owner.
    pub archived: bool,
    /// Disabled by the host.
    pub disabled: bool,
    /// Last push.
    pub pushed_at: Option<Timestamp>,
    /// Default branch.
    pub default_branch: Option<String>,
    /// The declared `owner/name` when the host redirected to another one (renamed or
    /// transferred).
    pub moved_from: Option<String>,
}

/// The state of the project as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Deprecation message of the version in use (npm `deprecated`), or the project's
    /// (PEP 792 `deprecated`).
    pub deprecated: Option<String>,
    /// PEP 792 `archived`.
    pub archived: bool,
    /// PEP 792 `quarantined` (the registry suspects malware).
    pub quarantined: bool,
    /// Every version yanked (crates.io `yanked`).
    pub all_yanked: bool,
    /// crates.io `trustpub_only`: the crate accepts only trusted-publishing uploads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_publishing_only: Option<bool>,
}

impl PackageFacts {
    /// Facts of a package nothing could be asked about: every fact unknown for `reason`.
    pub fn all_unknown(id: &super::PackageId, reason: impl Into<Unknown>) -> PackageFacts {
        let reason: Unknown = reason.into();
        PackageFacts {
            id: id.clone(),
            ecosystem: id.ecosystem,
            name: id.name.clone(),
            version: id.version.clone(),
            registry: String::new(),
            releases: Fact::unknown(reason.clone()),
            owners: Fact::unknown(reason.clone()),
            repository: Fact::unknown(reason.clone()),
            repository_facts: Fact::unknown(reason.clone()),
            status: Fact::<Status>::unknown(reason.clone()),
            install_scripts: Fact::unknown(reason),
            notes: Vec::new(),
            declared_dependencies: None,
        }
    }
}

/// A registry signing key (`/-/npm/v1/keys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NpmKey {
    /// `SHA256:…`, the OpenSSH fingerprint of the key; matches `dist.signatures[].keyid`.
    pub keyid: String,
    /// `ecdsa-sha2-nistp256`.
    pub keytype: String,
    /// `ecdsa-sha2-nistp256`.
    pub scheme: String,
    /// Base64 DER SubjectPublicKeyInfo.
    pub key: String,
    /// When the key stopped signing; signatures made before stay valid. `None`: current.
    pub expires: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::NetError;

    /// Each `NetError` variant gives its kind, its words unchanged and the URL it names.
    #[test]
    fn every_net_error_maps_to_its_kind() {
        let url = || "https://registry.npmjs.org/ms".to_string();
        let cases = [
            (NetError::Offline { url: url() }, UnknownKind::Offline),
            (
                NetError::Status {
                    url: url(),
                    status: 404,
                },
                UnknownKind::NotFound(404),
            ),
            (
                NetError::Status {
                    url: url(),
                    status: 410,
                },
                UnknownKind::NotFound(410),
            ),
            (
                NetError::Status {
                    url: url(),
                    status: 503,
                },
                UnknownKind::HttpStatus(503),
            ),
            (NetError::Timeout { url: url() }, UnknownKind::TimedOut),
            (
                NetError::Connect {
                    url: url(),
                    message: "dns error".into(),
                },
                UnknownKind::ConnectionFailed,
            ),
            (
                NetError::NotAsked {
                    url: url(),
                    reason: "given up".into(),
                },
                UnknownKind::NotAsked,
            ),
            (
                NetError::TooLarge {
                    url: url(),
                    limit: 10,
                },
                UnknownKind::BodyTooLarge,
            ),
            (
                NetError::InsecureRedirect {
                    url: url(),
                    location: "http://x.org/".into(),
                },
                UnknownKind::RefusedRedirect,
            ),
            (
                NetError::TooManyRedirects { url: url() },
                UnknownKind::RefusedRedirect,
            ),
            (
                NetError::Deadline {
                    url: url(),
                    seconds: 60,
                },
                UnknownKind::NetworkDeadline,
            ),
            (
                NetError::ServiceDeadline {
                    url: url(),
                    service: "crates.io API".into(),
                    seconds: 60,
                },
                UnknownKind::ServiceDeadline,
            ),
            (
                NetError::Other {
                    url: url(),
                    message: "odd".into(),
                },
                UnknownKind::Other,
            ),
        ];
        for (error, kind) in cases {
            let reason = Unknown::from(&error);
            assert_eq!(reason.kind, kind, "{error}");
            assert_eq!(reason.detail, error.to_string());
            assert_eq!(reason.url.as_deref(), Some(url().as_str()));
        }
    }

    #[test]
    fn network_kinds_are_faults_and_answers_are_not() {
        for kind in [
            UnknownKind::Offline,
            UnknownKind::NetworkDeadline,
            UnknownKind::ServiceDeadline,
            UnknownKind::NotAsked,
            UnknownKind::ConnectionFailed,
            UnknownKind::TimedOut,
            UnknownKind::HttpStatus(403),
            UnknownKind::HttpStatus(429),
            UnknownKind::HttpStatus(500),
            UnknownKind::BodyTooLarge,
            UnknownKind::RefusedRedirect,
            UnknownKind::BudgetExhausted,
            UnknownKind::NothingGathered,
        ] {
            assert!(kind.is_network(), "{kind:?}");
        }
        for kind in [
            UnknownKind::NotFound(404),
            UnknownKind::HttpStatus(401),
            UnknownKind::Malformed,
            UnknownKind::NotRecorded,
            UnknownKind::Other,
        ] {
            assert!(!kind.is_network(), "{kind:?}");
        }
    }

    /// A 404 and an offline miss with the same words are told apart by the kind alone.
    #[test]
    fn a_not_found_is_not_offline() {
        let words = "`https://registry.npmjs.org/ms`: no answer";
        let missing = Unknown::new(UnknownKind::NotFound(404), words);
        let offline = Unknown::new(UnknownKind::Offline, words);
        assert_eq!(missing.detail, offline.detail);
        assert_ne!(missing, offline);
        assert!(!missing.is_network());
        assert!(offline.is_network());
    }

    #[test]
    fn facts_round_trip_with_their_kind_and_the_same_words() {
        let fact: Fact<Option<String>> = Fact::unknown(&NetError::Status {
            url: "https://pypi.org/pypi/x/json".into(),
            status: 404,
        });
        let json = serde_json::to_value(&fact).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({
                "unknown": "`https://pypi.org/pypi/x/json` answered HTTP 404",
                "kind": "not-found",
                "http_status": 404,
                "url": "https://pypi.org/pypi/x/json",
            })
        );
        assert_eq!(
            serde_json::from_value::<Fact<Option<String>>>(json).expect("reads"),
            fact
        );
        for known in [Fact::Known(None), Fact::Known(Some("x".to_string()))] {
            let json = serde_json::to_string(&known).expect("serializes");
            assert_eq!(
                serde_json::from_str::<Fact<Option<String>>>(&json).expect("reads"),
                known
            );
        }
        assert_eq!(
            serde_json::to_string(&Fact::<u8>::unknown_as(UnknownKind::Malformed, "bad"))
                .expect("serializes"),
            r#"{"unknown":"bad","kind":"malformed"}"#
        );
    }

    /// An entry an older deptrust wrote (a plain reason) takes the kind its words had then (a
    /// replayed snapshot is summarized as it was recorded); a kind this deptrust does not know
    /// is `other`; anything that is not a fact is an error, never a panic.
    #[test]
    fn old_and_odd_facts_read_without_panicking() {
        let old: Fact<u8> =
            serde_json::from_str(r#"{"unknown": "`https://x.org/a` timed out"}"#).expect("reads");
        assert_eq!(
            old,
            Fact::unknown_as(UnknownKind::TimedOut, "`https://x.org/a` timed out")
        );
        for (words, kind) in [
            (
                "`https://a.org/x`: connection failed: not asked: `a.org:443` failed to answer 7 requests in a row",
                UnknownKind::NotAsked,
            ),
            (
                "`https://a.org/x`: connection failed: dns error",
                UnknownKind::ConnectionFailed,
            ),
            (
                "`https://a.org/x` answered HTTP 404",
                UnknownKind::NotFound(404),
            ),
            (
                "`https://a.org/x` answered HTTP 503",
                UnknownKind::HttpStatus(503),
            ),
            (
                "`https://a.org/x` is not in the cache and the network is off (--offline)",
                UnknownKind::Offline,
            ),
            (
                "no facts were gathered for this package",
                UnknownKind::NothingGathered,
            ),
            ("the packument lists no `maintainers`", UnknownKind::Other),
        ] {
            let json = serde_json::json!({ "unknown": words }).to_string();
            let read: Fact<u8> = serde_json::from_str(&json).expect("reads");
            assert_eq!(
                read.reason().map(|reason| reason.kind),
                Some(kind),
                "{words}"
            );
        }
        let strange: Fact<u8> =
            serde_json::from_str(r#"{"unknown": "x", "kind": "from-the-future"}"#).expect("reads");
        assert_eq!(
            strange.reason().map(|reason| reason.kind),
            Some(UnknownKind::Other)
        );
        let no_status: Fact<u8> =
            serde_json::from_str(r#"{"unknown": "x", "kind": "http-status"}"#).expect("reads");
        assert_eq!(
            no_status.reason().map(|reason| reason.kind),
            Some(UnknownKind::Other)
        );
        for bad in [
            r#"{}"#,
            r#"{"known": 1, "unknown": "x"}"#,
            r#"{"known": 1, "kind": "other"}"#,
            r#"{"unknown": 1}"#,
            r#"{"unknown": "x", "extra": 1}"#,
            r#"{"unknown": "x", "unknown": "y"}"#,
            r#""unknown""#,
            r#"[1]"#,
        ] {
            assert!(serde_json::from_str::<Fact<u8>>(bad).is_err(), "{bad}");
        }
    }

    /// A verification check keeps its `reason` words and carries the kind beside them; one
    /// written before kinds existed reads as kind `other`.
    #[test]
    fn checks_carry_the_kind_beside_the_reason() {
        use crate::model::verification::{ProvenanceCheck, SignatureCheck};
        let check = ProvenanceCheck::Unknown {
            reason: Unknown::from(&NetError::Status {
                url: "https://registry.npmjs.org/-/npm/v1/attestations/a@1".into(),
                status: 503,
            }),
        };
        let json = serde_json::to_value(&check).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({
                "status": "unknown",
                "reason": "`https://registry.npmjs.org/-/npm/v1/attestations/a@1` answered HTTP 503",
                "kind": "http-status",
                "http_status": 503,
                "url": "https://registry.npmjs.org/-/npm/v1/attestations/a@1",
            })
        );
        assert_eq!(
            serde_json::from_value::<ProvenanceCheck>(json).expect("reads"),
            check
        );
        let old: SignatureCheck =
            serde_json::from_str(r#"{"status": "unknown", "reason": "no key"}"#).expect("reads");
        assert_eq!(
            old,
            SignatureCheck::Unknown {
                reason: Unknown::other("no key")
            }
        );
        assert!(serde_json::from_str::<SignatureCheck>(r#"{"status": "unknown"}"#).is_err());
    }

    #[test]
    fn a_joined_reason_takes_the_most_telling_kind() {
        let malformed = Unknown::malformed("`https://pypi.org/pypi/x/json` did not answer JSON");
        let timed_out = Unknown::from(&NetError::Timeout {
            url: "https://pypi.org/simple/x/".into(),
        });
        let joined = Unknown::joined([&malformed, &timed_out], "both".into());
        assert_eq!(joined.kind, UnknownKind::TimedOut);
        assert_eq!(joined.url, timed_out.url);
        assert_eq!(joined.detail, "both");
        assert_eq!(Unknown::joined([], "none".into()).kind, UnknownKind::Other);
    }
}

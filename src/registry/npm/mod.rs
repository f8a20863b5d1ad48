//! The npm registry client: the facts of one package from its full packument, the registry's
//! signing keys, and the attestations of a version that advertises them.
//!
//! Requests (formats:
//! <https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md>,
//! <https://docs.npmjs.com/about-registry-signatures>; recorded samples in `fixtures/samples/`):
//! - `GET <registry>/<name>` with `Accept: application/json`: the **full** packument (the
//!   abbreviated "corgi" document has no `time`, `maintainers`, `_npmUser` nor `repository`).
//!   Scoped names are escaped `@scope%2Fname`, as pacote does. One request per package.
//! - `GET <registry>/-/npm/v1/keys`: the registry's signing keys (a 404 means the registry
//!   signs nothing, as private registries do).
//! - `GET <registry>/-/npm/v1/attestations/<name>@<version>`: only for versions whose
//!   `dist.attestations` advertises them.
//!
//! Decoding is defensive: every field is decoded on its own (`Field`), so a field of the
//! wrong type makes the facts that need it unknown and leaves the others known; one broken
//! version does not lose the others. A registry fault is never "none": a document that is not
//! a packument (not an object, no `name` string naming this package, no `versions` object) is
//! unknown as a whole; a part that must be an object (a version document, its `dist`,
//! `_npmUser`, `trustedPublisher`, `scripts`, the packument's `time`) is refused when it is
//! anything else, lists included (serde would read a list as a struct, field by position), and
//! the facts drawn from it (install scripts, deprecation, publisher, provenance) are unknown
//! with the URL and the expected shape. An attestations document of the wrong shape is unknown
//! too (see [`NpmClient::attestations`]).
//!
//! Not expressed: a malformed `dist.signatures` leaves the release without signatures (the
//! facts model has no unknown for them), which verification reports as "missing", a state no
//! signal judges.
//!
//! What maps where:
//! - releases: the keys of `versions`, published at `time[<version>]`, oldest first; publisher
//!   from `_npmUser` (`npm:user:<name>`, a trusted publisher when it has `trustedPublisher`);
//!   provenance from `dist.attestations` (else trusted publishing, else none); `dist.integrity`;
//!   `dist.signatures`. npm has no yank: `yanked` is always false.
//! - owners: the top-level `maintainers`, role `maintainer` (npm calls the list "not
//!   authoritative, but a cache").
//! - repository: the version in use's `repository` (string or `{url}`), else the top-level one;
//!   normalized when it is a repository URL, else as declared.
//! - install scripts: the version in use's `scripts.preinstall|install|postinstall`.
//! - status: the version in use's `deprecated`.
//!
//! Not read: the abbreviated document, `time.unpublished`, per-version `maintainers`,
//! `_npmUser.approver` (no real sample), the legacy `dist.npm-signature`, `dist.shasum` (only
//! `integrity` is what registry signatures cover). Popularity fields (downloads, stars) are
//! never decoded.

mod wire;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::Value;
use url::Url;

use super::decode::{Object, decode_object, detail, excerpt, json_type, parse_time};
use crate::model::facts::{
    Fact, Identity, IdentityKind, NpmKey, Owner, PackageFacts, Provenance, RegistrySignature,
    Release, Status, Unknown, UnknownKind,
};
use crate::model::{Ecosystem, repo_url};
use crate::net::{Freshness, Net, NetError, Request};
use wire::{Field, KeysWire, PackumentWire, VersionWire};

/// A packument changes with every publish, deprecation or owner change.
const PACKUMENT_FRESHNESS: Duration = Duration::from_secs(60 * 60);
/// Keys change once in years; a day is plenty.
const KEYS_FRESHNESS: Duration = Duration::from_secs(24 * 60 * 60);
/// The only `Accept` the registry needs for full documents.
const ACCEPT_JSON: &str = "application/json";
/// The scripts npm runs at install time.
const INSTALL_SCRIPTS: [&str; 3] = ["preinstall", "install", "postinstall"];

/// What pacote escapes in a package name: `/` (scoped names) and anything a URL path cannot
/// hold as is. `@` stays.
const NAME: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The npm registry client.
#[derive(Debug, Clone)]
pub struct NpmClient {
    net: Arc<Net>,
    base: Url,
}

impl NpmClient {
    /// A client for the registry at `base` (`https://registry.npmjs.org/`, a mirror, a mock).
    pub fn new(net: Arc<Net>, base: Url) -> Self {
        NpmClient { net, base }
    }

    /// The facts of `name` at `version`, from one request for the full packument.
    pub async fn package(&self, name: &str, version: &str) -> PackageFacts {
        let url = match self.url(&utf8_percent_encode(name, NAME).to_string()) {
            Ok(url) => url,
            Err(reason) => return self.unknown(name, version, &Unknown::other(reason)),
        };
        let request = Request {
            url: url.clone(),
            accept: Some(ACCEPT_JSON),
            freshness: Freshness::Mutable(PACKUMENT_FRESHNESS),
        };
        let fetched = match self.net.get(request).await {
            Ok(fetched) => fetched,
            Err(NetError::Status { url, status: 404 }) => {
                let reason = Unknown {
                    kind: UnknownKind::NotFound(404),
                    detail: format!("`{url}` answered HTTP 404: no such package in this registry"),
                    url: Some(url),
                };
                return self.unknown(name, version, &reason);
            }
            Err(error) => return self.unknown(name, version, &Unknown::from(&error)),
        };
        self.decode_packument(name, version, &url, &fetched.body)
    }

    /// The facts of `name` at `version` from the packument `body` served at `url`.
    fn decode_packument(&self, name: &str, version: &str, url: &Url, body: &[u8]) -> PackageFacts {
        match decode_object::<PackumentWire>(body) {
            Ok(packument) => self.facts(name, version, url, packument),
            Err(error) => {
                let reason = Unknown::malformed(format!("`{url}`: not a packument: {error}"));
                self.unknown(name, version, &reason)
            }
        }
    }

    /// The registry's signing keys. A registry without the endpoint (404) signs nothing: an
    /// empty list.
    pub async fn keys(&self) -> Fact<Vec<NpmKey>> {
        let url = match self.url("-/npm/v1/keys") {
            Ok(url) => url,
            Err(reason) => return Fact::unknown(Unknown::other(reason)),
        };
        let request = Request {
            url: url.clone(),
            accept: Some(ACCEPT_JSON),
            freshness: Freshness::Mutable(KEYS_FRESHNESS),
        };
        let fetched = match self.net.get(request).await {
            Ok(fetched) => fetched,
            Err(NetError::Status { status: 404, .. }) => return Fact::Known(Vec::new()),
            Err(error) => return Fact::unknown(&error),
        };
        decode_keys(&url, &fetched.body)
    }

    /// The attestations document at `url` (a version's `dist.attestations.url`), fetched from
    /// this client's registry: like pacote, only the path of `url` is kept when it names
    /// another origin, so mirrors and private registries answer for themselves. Call it only
    /// for versions that advertise attestations.
    pub async fn attestations(&self, url: &Url) -> Fact<Value> {
        let url = match self.rebase(url) {
            Ok(url) => url,
            Err(reason) => return Fact::unknown(Unknown::other(reason)),
        };
        let request = Request {
            url: url.clone(),
            accept: Some(ACCEPT_JSON),
            freshness: Freshness::Immutable,
        };
        let fetched = match self.net.get(request).await {
            Ok(fetched) => fetched,
            Err(error) => return Fact::unknown(&error),
        };
        decode_attestations(&url, &fetched.body)
    }

    /// `<base>/<path>`, keeping any path the base has (`…/api/npm/npm-remote/`).
    fn url(&self, path: &str) -> Result<Url, String> {
        let text = format!("{}/{path}", self.base.as_str().trim_end_matches('/'));
        Url::parse(&text).map_err(|error| format!("`{text}` is not a valid URL: {error}"))
    }

    /// `url` on this client's registry.
    fn rebase(&self, url: &Url) -> Result<Url, String> {
        let base_path = self.base.path().trim_end_matches('/');
        if url.origin() == self.base.origin() && url.path().starts_with(base_path) {
            return Ok(url.clone());
        }
        let mut path = url.path().trim_start_matches('/').to_string();
        if let Some(query) = url.query() {
            path = format!("{path}?{query}");
        }
        self.url(&path)
    }

    /// Facts of a package nothing is known about, for `reason`.
    fn unknown(&self, name: &str, version: &str, reason: &Unknown) -> PackageFacts {
        PackageFacts {
            registry: self.base.to_string(),
            ..PackageFacts::all_unknown(
                &crate::model::PackageId::new(Ecosystem::Npm, name, version),
                reason.clone(),
            )
        }
    }

    /// Maps a decoded packument to facts.
    fn facts(
        &self,
        name: &str,
        version: &str,
        url: &Url,
        packument: PackumentWire,
    ) -> PackageFacts {
        // A packument names its package and lists its versions; a document without them (an
        // error object, another package's document) says nothing about this package.
        let not_a_packument = |why: String| {
            format!("`{url}`: not a packument (a `name` string and a `versions` object): {why}")
        };
        let problem = match (&packument.name, &packument.versions) {
            (Field::Absent, _) => Some("`name` is missing".to_string()),
            (Field::Invalid(error), _) => Some(format!("`name` is not a string: {error}")),
            (Field::Valid(found), _) if found != name => {
                Some(format!("it is the packument of `{}`", excerpt(found)))
            }
            (_, Field::Absent) => Some("`versions` is missing".to_string()),
            (_, Field::Invalid(error)) => Some(format!("`versions` is not an object: {error}")),
            (Field::Valid(_), Field::Valid(_)) => None,
        };
        if let Some(why) = problem {
            return self.unknown(name, version, &Unknown::malformed(not_a_packument(why)));
        }
        let mut facts = self.unknown(name, version, &Unknown::other("not looked up"));

        let versions = match packument.versions {
            Field::Valid(versions) => Ok(versions),
            Field::Absent | Field::Invalid(_) => Err(not_a_packument("no `versions`".into())),
        };

        facts.releases = match (&versions, &packument.time) {
            (Err(reason), _) => Fact::unknown(Unknown::malformed(reason.clone())),
            (Ok(_), Field::Invalid(error)) => {
                malformed(format!("`{url}`: `time` is not an object: {error}"))
            }
            (Ok(versions), time) => Fact::Known(releases(url, versions, time.valid())),
        };
        // The repository each version declares (a change between versions is a signal).
        if let (Ok(versions), Fact::Known(releases)) = (&versions, &mut facts.releases) {
            for release in releases.iter_mut() {
                if let Some(Field::Valid(document)) = versions.get(&release.version)
                    && let Fact::Known(declared) = repository(url, &document.repository)
                {
                    release.repository = declared;
                }
            }
        }

        // The public registry records `_npmUser` on every version published since 2014 and
        // `maintainers` on every packument. A registry serving neither (a mirror that strips
        // them) says nothing about publishers: "nobody" would be a silent default.
        let stripped = matches!(packument.maintainers, Field::Absent)
            && facts.releases.known().is_some_and(|releases| {
                releases
                    .iter()
                    .all(|release| matches!(release.publisher, Fact::Known(None)))
            });
        if stripped && let Fact::Known(releases) = &mut facts.releases {
            let reason = Unknown::not_recorded(format!(
                "`{url}` records no `_npmUser` on any version and no `maintainers` (a mirror that strips publisher data?)"
            ));
            for release in releases {
                release.publisher = Fact::unknown(reason.clone());
                // Such a mirror drops `dist.attestations` and `dist.signatures` too: "none"
                // would be a guess.
                if release.provenance == Fact::Known(Provenance::None) {
                    release.provenance = Fact::unknown(reason.clone());
                }
            }
        }

        facts.owners = match packument.maintainers {
            Field::Valid(maintainers) => owners(url, &maintainers),
            Field::Absent => Fact::unknown_as(
                UnknownKind::NotRecorded,
                format!("`{url}`: the packument lists no `maintainers`"),
            ),
            Field::Invalid(error) => {
                malformed(format!("`{url}`: `maintainers` is not a list: {error}"))
            }
        };

        let in_use = match &versions {
            Err(reason) => Err(Unknown::malformed(reason.clone())),
            Ok(versions) => match versions.get(version) {
                Some(Field::Valid(document)) => Ok(document),
                Some(Field::Invalid(error)) => Err(Unknown::malformed(format!(
                    "`{url}`: the document of `{name}@{version}` is not a version object: {error}"
                ))),
                Some(Field::Absent) => Err(Unknown::malformed(format!(
                    "`{url}`: the document of `{name}@{version}` is null"
                ))),
                None => Err(Unknown::not_recorded(format!(
                    "`{name}@{version}` is not in the packument `{url}`"
                ))),
            },
        };

        // The version in use's `repository`, else the packument's (hoisted from `latest`).
        let declared = match in_use.as_ref().map(|document| &document.repository) {
            Ok(field @ (Field::Valid(_) | Field::Invalid(_))) => field,
            Ok(Field::Absent) | Err(_) => &packument.repository,
        };
        facts.repository = repository(url, declared);

        facts.install_scripts = match &in_use {
            Err(reason) => Fact::unknown(reason.clone()),
            Ok(document) => install_scripts(url, version, &document.scripts),
        };
        facts.declared_dependencies = in_use.as_ref().ok().map(|document| {
            // A requirement that is not a string (a hostile or broken document) is left out.
            [
                &document.peer_dependencies,
                &document.optional_dependencies,
                &document.dependencies,
            ]
            .into_iter()
            .filter_map(|field| match field {
                Field::Valid(map) => Some(map),
                _ => None,
            })
            .flatten()
            .filter_map(|(name, requirement)| {
                requirement.as_str().map(|r| (name.clone(), r.to_string()))
            })
            .collect()
        });
        facts.status = match &in_use {
            Err(reason) => Fact::unknown(reason.clone()),
            Ok(document) => match deprecation(&document.deprecated) {
                Ok(deprecated) => Fact::Known(Status {
                    deprecated,
                    ..Status::default()
                }),
                Err(found) => malformed(format!(
                    "`{url}`: `deprecated` of `{version}` is {found}, not a message"
                )),
            },
        };
        facts
    }
}

/// An unknown fact for an answer that could not be read.
fn malformed<T>(detail: String) -> Fact<T> {
    Fact::unknown(Unknown::malformed(detail))
}

/// The registry's signing keys from the keys document `body` served at `url`.
fn decode_keys(url: &Url, body: &[u8]) -> Fact<Vec<NpmKey>> {
    let wire: KeysWire = match decode_object(body) {
        Ok(wire) => wire,
        Err(error) => {
            return malformed(format!("`{url}`: not an npm keys document: {error}"));
        }
    };
    let mut keys = Vec::with_capacity(wire.keys.len());
    for Object(key) in wire.keys {
        let expires = match &key.expires {
            None => None,
            Some(text) => match parse_time(text) {
                Some(expires) => Some(expires),
                None => {
                    return malformed(format!(
                        "`{url}`: key `{}` expires at an unreadable time `{}`",
                        key.keyid,
                        excerpt(text)
                    ));
                }
            },
        };
        keys.push(NpmKey {
            keyid: key.keyid,
            keytype: key.keytype,
            scheme: key.scheme,
            key: key.key,
            expires,
        });
    }
    Fact::Known(keys)
}

/// The attestations document `body` served at `url`, when it has the shape verification needs.
fn decode_attestations(url: &Url, body: &[u8]) -> Fact<Value> {
    match serde_json::from_slice::<Value>(body) {
        // The shape verification needs (`crate::verify::npm::entries`); a document of
        // another shape is a registry fault, so the provenance is unknown, never invalid.
        Ok(document) => match crate::verify::npm::entries(&document) {
            Ok(_) => Fact::Known(document),
            Err(why) => malformed(format!(
                "`{url}`: not an attestations document: {}",
                excerpt(&why)
            )),
        },
        Err(error) => malformed(format!(
            "`{url}`: not an attestations document: {}",
            detail(&error)
        )),
    }
}

/// Every release, oldest first (releases without a publish time first, then by version).
fn releases(
    url: &Url,
    versions: &BTreeMap<String, Field<VersionWire>>,
    time: Option<&BTreeMap<String, Value>>,
) -> Vec<Release> {
    let mut releases: Vec<Release> = versions
        .iter()
        .map(|(version, document)| {
            let published = time
                .and_then(|time| time.get(version))
                .and_then(Value::as_str)
                .and_then(parse_time);
            release(url, version, published, document)
        })
        .collect();
    releases.sort_by_cached_key(|release| {
        (
            release.published,
            semver::Version::parse(&release.version).ok(),
            release.version.clone(),
        )
    });
    releases
}

/// One release; a version whose document is not an object keeps only its version and time:
/// who published it and how are unknown, not "nobody" and "none".
fn release(
    url: &Url,
    version: &str,
    published: Option<Timestamp>,
    document: &Field<VersionWire>,
) -> Release {
    let unreadable = Unknown::malformed(match document {
        Field::Invalid(error) => {
            format!("`{url}`: the document of version {version} is not a version object: {error}")
        }
        _ => format!("`{url}`: the document of version {version} is null"),
    });
    let mut release = Release::new(
        version,
        published,
        Fact::unknown(unreadable.clone()),
        Fact::unknown(unreadable),
    );
    let Some(document) = document.valid() else {
        return release;
    };
    let user = document.npm_user.valid();
    let trusted = user.and_then(|user| user.trusted_publisher.valid());
    // No `_npmUser`: the registry records nobody (very old versions). One that does not give
    // a name is a registry fault: who published is unknown, not "nobody".
    release.publisher = match (&document.npm_user, user.and_then(|user| user.name.valid())) {
        (Field::Absent, _) => Fact::Known(None),
        (_, Some(name)) => Fact::Known(Some(Identity {
            id: format!("npm:user:{name}"),
            display: name.clone(),
            kind: if trusted.is_some() {
                IdentityKind::TrustedPublisher
            } else {
                IdentityKind::User
            },
        })),
        (_, None) => malformed(format!(
            "`{url}`: `_npmUser` of version {version} is unreadable (an object with a `name` string expected)"
        )),
    };
    // Per-version maintainers: who could publish at that time. An unreadable list is dropped
    // (not a partial list that could hide the account that matters).
    release.maintainers = document
        .maintainers
        .valid()
        .and_then(|list| owners_of(list).ok());
    let dist = document.dist.valid();
    release.integrity = dist.and_then(|dist| dist.integrity.valid()).cloned();
    release.signatures = dist
        .and_then(|dist| dist.signatures.valid())
        .into_iter()
        .flatten()
        .filter_map(Field::valid)
        .map(|signature| RegistrySignature {
            keyid: signature.keyid.clone(),
            sig: signature.sig.clone(),
        })
        .collect();
    // Attestations carry the verifiable claim (and where to fetch it); a trusted publisher
    // without them still says how the release was built. The publisher's kind keeps the
    // trusted-publisher fact either way.
    // A `dist` or `trustedPublisher` of the wrong shape may hide the attestations or the
    // trusted publisher: the provenance is unknown, not "none".
    if let Field::Invalid(error) = &document.dist {
        release.provenance = malformed(format!(
            "`{url}`: `dist` of version {version} is not an object: {error}"
        ));
        return release;
    }
    if let Some(Field::Invalid(error)) = user.map(|user| &user.trusted_publisher) {
        release.provenance = malformed(format!(
            "`{url}`: `_npmUser.trustedPublisher` of version {version} is not an object: {error}"
        ));
        return release;
    }
    release.provenance = Fact::Known(match (dist.map(|dist| &dist.attestations), trusted) {
        (Some(Field::Valid(attestations)), _) => Provenance::Attested {
            url: attestations.url.valid().cloned(),
            predicate_type: attestations
                .provenance
                .valid()
                .and_then(|provenance| provenance.predicate_type.valid())
                .cloned(),
        },
        (Some(Field::Invalid(_)), _) => Provenance::Attested {
            url: None,
            predicate_type: None,
        },
        (_, Some(trusted)) => Provenance::TrustedPublishing {
            provider: trusted
                .id
                .valid()
                .cloned()
                .unwrap_or_else(|| "unknown".into()),
            repository: None,
            workflow: None,
            run: None,
            commit: None,
        },
        _ => Provenance::None,
    });
    release
}

/// The top-level maintainers; one unreadable entry makes the list unknown (a partial list
/// could hide the account that matters).
fn owners(url: &Url, maintainers: &[Value]) -> Fact<Vec<Owner>> {
    match owners_of(maintainers) {
        Ok(owners) => Fact::Known(owners),
        Err((index, found)) => malformed(format!(
            "`{url}`: maintainer {} has no name (found {found})",
            index + 1
        )),
    }
}

/// A maintainers list as owners; the index and JSON type of the first entry without a name.
fn owners_of(maintainers: &[Value]) -> Result<Vec<Owner>, (usize, &'static str)> {
    let mut owners = BTreeSet::new();
    for (index, maintainer) in maintainers.iter().enumerate() {
        let Some(name) = person_name(maintainer) else {
            return Err((index, json_type(maintainer)));
        };
        owners.insert(Owner {
            identity: Identity {
                id: format!("npm:user:{name}"),
                display: name,
                kind: IdentityKind::User,
            },
            role: Some("maintainer".into()),
        });
    }
    Ok(owners.into_iter().collect())
}

/// `{"name": "x", …}`, or the package.json string form `"x <mail> (url)"`.
fn person_name(person: &Value) -> Option<String> {
    let name = match person {
        Value::Object(fields) => fields.get("name")?.as_str()?,
        Value::String(text) => text.split(['<', '(']).next().unwrap_or_default(),
        _ => return None,
    };
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// The declared repository: `"url"` or `{"type": "git", "url": "…", "directory": …}`.
fn repository(url: &Url, declared: &Field<Value>) -> Fact<Option<String>> {
    let text = match declared {
        Field::Absent => return Fact::Known(None),
        Field::Invalid(error) => {
            return malformed(format!("`{url}`: unreadable `repository`: {error}"));
        }
        Field::Valid(Value::String(text)) => text.as_str(),
        Field::Valid(Value::Object(fields)) => match fields.get("url") {
            Some(Value::String(text)) => text.as_str(),
            None | Some(Value::Null) => return Fact::Known(None),
            Some(other) => {
                return malformed(format!(
                    "`{url}`: `repository.url` is {}, not a string",
                    json_type(other)
                ));
            }
        },
        Field::Valid(other) => {
            return malformed(format!(
                "`{url}`: `repository` is {}, not a string or an object",
                json_type(other)
            ));
        }
    };
    let text = text.trim();
    if text.is_empty() {
        return Fact::Known(None);
    }
    // Not a repository URL (a homepage, a self-hosted page): kept as declared, the gatherer
    // reports it as such.
    Fact::Known(Some(
        repo_url::normalize(text).map_or_else(|| text.to_string(), |repo| repo.url()),
    ))
}

fn install_scripts(
    url: &Url,
    version: &str,
    scripts: &Field<BTreeMap<String, Value>>,
) -> Fact<BTreeMap<String, String>> {
    let scripts = match scripts {
        Field::Absent => return Fact::Known(BTreeMap::new()),
        Field::Invalid(error) => {
            return malformed(format!(
                "`{url}`: `scripts` of `{version}` is not an object: {error}"
            ));
        }
        Field::Valid(scripts) => scripts,
    };
    let mut found = BTreeMap::new();
    for name in INSTALL_SCRIPTS {
        match scripts.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(command)) => {
                found.insert(name.to_string(), command.clone());
            }
            Some(other) => {
                return malformed(format!(
                    "`{url}`: `scripts.{name}` of `{version}` is {}, not a command",
                    json_type(other)
                ));
            }
        }
    }
    Fact::Known(found)
}

/// `deprecated`: a message; `""` and `false` mean not deprecated (`npm deprecate pkg ""`
/// undoes a deprecation). Anything else: the JSON type found.
fn deprecation(deprecated: &Field<Value>) -> Result<Option<String>, &'static str> {
    match deprecated {
        Field::Absent | Field::Valid(Value::Bool(false)) => Ok(None),
        Field::Valid(Value::String(message)) if message.trim().is_empty() => Ok(None),
        Field::Valid(Value::String(message)) => Ok(Some(message.clone())),
        Field::Valid(other) => Err(json_type(other)),
        Field::Invalid(_) => Err("unreadable"),
    }
}

/// Runs an npm decoder on `data`, for [`crate::fuzz`]: the first byte picks the document
/// (packument, keys, attestations). A packument is read for the name and the first version
/// it lists, so the fuzzer reaches past the name check.
pub(crate) fn fuzz(client: &NpmClient, data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(url) = client.url("pkg") else {
        return;
    };
    match pick % 3 {
        0 => {
            let document = serde_json::from_slice::<Value>(body).ok();
            let name = document
                .as_ref()
                .and_then(|document| document.get("name")?.as_str())
                .unwrap_or("pkg");
            let version = document
                .as_ref()
                .and_then(|document| document.get("versions")?.as_object()?.keys().next())
                .map_or("1.0.0", String::as_str);
            client.decode_packument(name, version, &url, body);
        }
        1 => {
            decode_keys(&url, body);
        }
        _ => {
            decode_attestations(&url, body);
        }
    }
}

#[cfg(test)]
mod tests;

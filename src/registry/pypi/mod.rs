//! PyPI: what the index says about a project and the version in use, raw and without judgement.
//!
//! Requests, per project (economy: one JSON document per project, issue 3):
//! 1. the JSON API project document `<base>pypi/<name>/json` (warehouse
//!    `legacy/api/json.py`): releases and the upload times and yank state of their files,
//!    `info.project_urls`, `info.home_page` and `info.download_url` (the declared repository,
//!    see [`declared_repository`]), `ownership.roles` and `ownership.organization` (who can
//!    publish);
//! 2. the Simple JSON API `<base>simple/<name>/` with
//!    `Accept: application/vnd.pypi.simple.v1+json` (PEP 691/700/714/740/792): the project
//!    status, per-file `upload-time`, `yanked` (`false | true | "reason"`) and `provenance` URL;
//! 3. the Integrity API provenance (PEP 740) of the files of the version in use only, and only
//!    those that advertise a `provenance` URL: the trusted publisher of each attestation bundle.
//!    When the Simple API gave no answer, the provenance URLs are not known, so the Integrity
//!    API is asked at its PyPI location (`<base>integrity/<name>/<version>/<file>/provenance`);
//!    a 404 there means "no provenance".
//!
//! The two documents are fetched at once. A document of the wrong shape is refused as a whole,
//! and every fact drawn from it is unknown with a reason naming the URL and what was expected:
//! a `200 {}` or `200 {"error": …}` is a registry fault, never "no releases, not deprecated, no
//! repository". A project document needs an `info` object and a `releases` object; a Simple API
//! page needs what PEP 691 requires (`meta.api-version` as `<major>.<minor>`, `name`, a `files`
//! list of entries with a `filename` string) and must name this project. Within a document of
//! the right shape, each section (`releases`, `info`, `ownership`, `files`, `project-status`) is
//! decoded on its own, so a wrong type in one section makes only the facts drawn from it
//! unknown; a `project-status` without its `status` is unknown, not `active`. A request that fails makes the facts drawn from
//! that document unknown, with a reason naming the URL; the facts the other document answers
//! stay known (the releases, for one, come from either).
//!
//! Choices worth knowing:
//! - A release's publish time is the earliest upload time of its files (PyPI has no
//!   per-release time). Releases are sorted in PEP 440 order, oldest first; a version that does
//!   not parse goes after those that do.
//! - A release is yanked when every file of it is (PyPI yanks whole releases; PEP 592).
//! - A file entry of the wrong shape (`yanked: 1`, a string for an entry) cannot say whether it
//!   is yanked, and [`Release::yanked`] is a plain bool. The least invasive honest answer:
//!   a release with such an entry and no readable file known not to be yanked has an unknown
//!   yank. For the version in use that makes the release list unknown (the one fact that can
//!   carry it, so the `yanked` signal reports unknown instead of clear); for another release
//!   it is listed as not yanked with a note; and the status is unknown when "every release is
//!   yanked" turns on such a release. Its other facts come from its readable files.
//! - `integrity` is `sha256:<hex>` only when the release has exactly one file: a release with
//!   a wheel and an sdist has no single artifact digest.
//! - Provenance of the version in use: trusted publishing when every file carries provenance
//!   and every attestation names the same publisher; `None` when any file has none (that file
//!   was not published with attestations). Other releases are `Attested` when the Simple API
//!   advertises provenance for any of their files (no request is made for them), else `None`:
//!   a release with some attested files shows that the project publishes with provenance,
//!   which is what earlier releases are looked at for (their `files` say which, for the
//!   release that is verified).
//! - `install_scripts` is unknown: PyPI does not report install hooks. A wheel runs no code when
//!   installed, but an sdist runs its build backend (`setup.py`), and the index cannot tell
//!   which artifact the installer picks. "Known, empty" would be a false reassurance.
//! - `repository_facts` is left unknown ("not looked up"): the gatherer fills it.
//! - The declared repository is kept as the raw URL (trimmed); the gatherer normalizes it.
//! - A provenance document of the wrong shape is unknown, never invalid (see
//!   [`PypiClient::provenance_document`]).
//! - What went wrong without making a whole fact unknown (a file entry that does not decode, a
//!   provenance document that does not answer) is returned as notes by
//!   [`PypiClient::package_with_notes`].
//!
//! Not supported: the per-version JSON endpoint (`/pypi/<name>/<version>/json`; it answers 404
//! on some mirrors, and the project document already holds every release); per-file uploader
//! identity (no PyPI API exposes it); verifying attestations (a later layer does).

mod wire;

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::decode::{Object, endpoint, fact, json_object, json_type, section, timestamp};
use crate::model::facts::{
    Fact, Identity, IdentityKind, Owner, PackageFacts, Provenance, Release, ReleaseFile, Status,
};
use crate::model::normalize_pypi_name as normalize_name;
use crate::model::repo_url;
use crate::net::{Freshness, Net, NetError, Request};
use wire::{
    Info, JsonFile, Ownership, ProjectStatus, ProvenanceWire, PublisherWire, SimpleFile, Yanked,
};

/// The Simple API's JSON form (PEP 691).
const SIMPLE_ACCEPT: &str = "application/vnd.pypi.simple.v1+json";
/// The Integrity API's JSON form (PEP 740).
const INTEGRITY_ACCEPT: &str = "application/vnd.pypi.integrity.v1+json";
/// How long a project document or Simple API page stays fresh.
const PROJECT_FRESHNESS: Freshness = Freshness::Mutable(Duration::from_secs(60 * 60));

/// `project_urls` labels that name the source repository, most preferred first. Labels are
/// compared after PEP 753 normalization (lowercase, without whitespace and punctuation:
/// `Source Code`, `source_code` and `SOURCE-CODE` are all `sourcecode`).
const SOURCE_LABELS: [&[&str]; 4] = [
    &["source", "sources", "sourcecode", "sourcerepository", "src"],
    &[
        "repository",
        "repo",
        "githubrepo",
        "gitrepository",
        "coderepository",
    ],
    &["code", "git"],
    &[
        "github",
        "gitlab",
        "codeberg",
        "bitbucket",
        "sourcehut",
        "sourceforge",
        "launchpad",
    ],
];

/// `project_urls` labels of the project's homepage (`home_page` is how the `home_page` field
/// reappears when a tool copies it into `project_urls`).
const HOMEPAGE_LABELS: &[&str] = &["homepage", "home", "website", "project"];

/// Labels whose URL names the repository when it is on a code host (an issue tracker at
/// `github.com/o/r/issues`, a changelog at `github.com/o/r/blob/…`), tried in this order before
/// the remaining labels.
const PAGE_LABELS: &[&str] = &[
    "issues",
    "issuetracker",
    "tracker",
    "bugtracker",
    "bugs",
    "bugreports",
    "githubissues",
    "changelog",
    "changes",
    "releasenotes",
    "history",
    "whatsnew",
    "download",
    "downloads",
    "documentation",
    "docs",
];

/// Normalized label prefixes whose URLs are never the repository (a sponsor page on GitHub is
/// someone's profile, not their code).
const FUNDING_LABELS: &[&str] = &["fund", "sponsor", "donat", "tidelift", "thanksdev"];

/// The PyPI client: JSON API, Simple API and Integrity API of one index.
#[derive(Debug, Clone)]
pub struct PypiClient {
    net: Arc<Net>,
    base: Url,
}

impl PypiClient {
    /// A client for the index at `base` (`https://pypi.org/`).
    pub fn new(net: Arc<Net>, base: Url) -> Self {
        PypiClient { net, base }
    }

    /// The facts of project `name` (PEP 503 normalized) with `version` in use.
    pub async fn package(&self, name: &str, version: &str) -> PackageFacts {
        let (mut facts, notes) = self.package_with_notes(name, version).await;
        facts.notes = notes;
        facts
    }

    /// What `version` of project `name` declares (`requires_dist` without extras), from its
    /// own JSON API document (`/pypi/<name>/<version>/json`): one request, made only when asked
    /// (`deptrust diff` of two versions), since the project document describes only the latest
    /// release. `None` when it could not be fetched or does not say.
    pub async fn declared(&self, name: &str, version: &str) -> Option<BTreeMap<String, String>> {
        let name = normalize_name(name);
        let url = endpoint(&self.base, &["pypi", &name, version, "json"]);
        let (_, document) = self
            .fetch_document(&url, None, Freshness::Immutable)
            .await
            .ok()?;
        requires_dist(&document).map(|(_, declared)| declared)
    }

    /// [`PypiClient::package`], plus what went wrong without making a whole fact unknown
    /// (a file entry skipped, a provenance document that did not answer), one line each.
    pub async fn package_with_notes(
        &self,
        name: &str,
        version: &str,
    ) -> (PackageFacts, Vec<String>) {
        let name = normalize_name(name);
        let mut notes = Vec::new();
        let mut facts = PackageFacts {
            id: format!("pypi:{name}@{version}"),
            ecosystem: "pypi".to_string(),
            name: name.clone(),
            version: version.to_string(),
            registry: self.base.to_string(),
            notes: Vec::new(),
            declared_dependencies: None,
            releases: Fact::unknown("not looked up"),
            owners: Fact::unknown("not looked up"),
            repository: Fact::unknown("not looked up"),
            repository_facts: Fact::unknown("not looked up"),
            status: Fact::unknown("not looked up"),
            install_scripts: Fact::unknown(
                "PyPI does not report install hooks (an sdist runs its build backend when installed)",
            ),
        };
        if name.is_empty() {
            let reason = "an empty project name cannot be looked up";
            facts.releases = Fact::unknown(reason);
            facts.owners = Fact::unknown(reason);
            facts.repository = Fact::unknown(reason);
            facts.status = Fact::unknown(reason);
            return (facts, notes);
        }

        let json_url = endpoint(&self.base, &["pypi", &name, "json"]);
        let simple_url = endpoint(&self.base, &["simple", &name, ""]);
        let (project, simple) = futures_util::join!(
            self.fetch_document(&json_url, None, PROJECT_FRESHNESS),
            self.fetch_document(&simple_url, Some(SIMPLE_ACCEPT), PROJECT_FRESHNESS),
        );
        let project =
            project.and_then(|(url, doc)| ProjectDocument::decode(&url, &name, &doc, &mut notes));
        let simple =
            simple.and_then(|(url, doc)| SimpleDocument::decode(&url, &name, &doc, &mut notes));

        match &project {
            Ok(project) => {
                facts.owners = fact(project.owners.clone());
                facts.repository = fact(project.repository.clone());
                // `info` describes the latest release only: other versions' are not known.
                facts.declared_dependencies = project
                    .declared
                    .as_ref()
                    .filter(|(latest, _)| {
                        latest == version
                            || matches!(
                                (
                                    latest.parse::<pep440_rs::Version>(),
                                    version.parse::<pep440_rs::Version>(),
                                ),
                                (Ok(a), Ok(b)) if a == b
                            )
                    })
                    .map(|(_, declared)| declared.clone());
            }
            Err(reason) => {
                facts.owners = Fact::unknown(reason.clone());
                facts.repository = Fact::unknown(reason.clone());
            }
        }

        let in_use_yank = |releases: &Releases, unreadable: &Unreadable| {
            let key = release_key(releases, version);
            releases
                .get(&key)
                .map_or(Ok(false), |files| yank_of(files, unreadable.get(&key)))
                .map_err(|reason| {
                    format!("whether {version} (the version in use) is yanked is unknown: {reason}")
                })
        };
        let (releases, unreadable) = match merge_releases(&name, &project, &simple, &mut notes)
            .and_then(|(releases, unreadable)| {
                in_use_yank(&releases, &unreadable)?;
                Ok((releases, unreadable))
            }) {
            Ok(merged) => merged,
            Err(reason) => {
                facts.releases = Fact::unknown(reason.clone());
                facts.status = match &simple {
                    Ok(simple) => fact(simple.status.clone()),
                    Err(reason) => Fact::unknown(reason.clone()),
                };
                return (facts, notes);
            }
        };

        facts.status = match &simple {
            Ok(simple) => match (&simple.status, &all_yanked(&releases, &unreadable)) {
                (Ok(status), Ok(all_yanked)) => Fact::Known(Status {
                    all_yanked: *all_yanked,
                    ..status.clone()
                }),
                (Err(reason), _) | (_, Err(reason)) => Fact::unknown(reason.clone()),
            },
            Err(reason) => Fact::unknown(reason.clone()),
        };

        let in_use = releases
            .keys()
            .find(|key| key.as_str() == version)
            .or_else(|| releases.keys().find(|key| same_version(key, version)))
            .cloned();
        // The Simple API listed the files, so a file without a `provenance` URL has none.
        let advertised =
            matches!(&simple, Ok(simple) if simple.files.is_ok() && simple.reports_provenance);
        let mut in_use_provenance = None;
        match &in_use {
            Some(key) => {
                if let Some(files) = releases.get(key) {
                    in_use_provenance = Some(
                        self.in_use_provenance(&name, key, files, advertised, &mut notes)
                            .await,
                    );
                }
            }
            None => notes.push(format!(
                "version {version} is not among the releases PyPI lists for `{name}`"
            )),
        }

        let mut list: Vec<Release> = Vec::with_capacity(releases.len());
        let mut file_lists: BTreeMap<String, Vec<ReleaseFile>> = BTreeMap::new();
        for (release_version, files) in releases {
            file_lists.insert(
                release_version.clone(),
                files
                    .iter()
                    .map(|(filename, record)| ReleaseFile {
                        filename: filename.clone(),
                        sha256: record.sha256.clone(),
                        provenance: match (&record.provenance, advertised) {
                            (Some(url), _) => Some(url.to_string()),
                            (None, true) => None,
                            // Where `in_use_provenance` asked, when the index did not say.
                            (None, false) => endpoint(
                                &self.base,
                                &["integrity", &name, &release_version, filename, "provenance"],
                            )
                            .ok()
                            .map(|url| url.to_string()),
                        },
                    })
                    .collect(),
            );
            let (provenance, publisher) = match (&in_use, &in_use_provenance) {
                (Some(key), Some(found)) if *key == release_version => found.clone(),
                _ => (
                    if advertised {
                        Fact::Known(advertised_provenance(&files, advertised))
                    } else {
                        Fact::unknown(
                            "the Simple API did not answer, so provenance is unknown".to_string(),
                        )
                    },
                    Fact::unknown(
                        "PyPI reports publishers only through provenance, fetched for the version in use",
                    ),
                ),
            };
            let yanked = match yank_of(&files, unreadable.get(&release_version)) {
                Ok(yanked) => yanked,
                Err(reason) => {
                    // Not the version in use (that one made the releases unknown above).
                    notes.push(format!(
                        "whether {release_version} is yanked is unknown (listed as not yanked): {reason}"
                    ));
                    false
                }
            };
            list.push(release(
                release_version,
                &files,
                yanked,
                provenance,
                publisher,
            ));
        }
        list.sort_by(|a, b| compare_versions(&a.version, &b.version));
        // The files of the version in use and of the nearest earlier release with provenance
        // (as the verification stage chooses it): the releases whose attestations are verified.
        if let Some(key) = &in_use
            && let Some(position) = list.iter().position(|r| &r.version == key)
        {
            let earlier = super::verification::earlier_attested("pypi", &list, position);
            for index in [Some(position), earlier].into_iter().flatten() {
                list[index].files = file_lists.remove(&list[index].version).unwrap_or_default();
            }
        }
        facts.releases = Fact::Known(list);
        (facts, notes)
    }

    /// GETs a JSON document: its final URL (for resolving relative links) and its top-level
    /// object, or why there is none (naming the URL).
    async fn fetch_document(
        &self,
        url: &Result<Url, String>,
        accept: Option<&'static str>,
        freshness: Freshness,
    ) -> Result<(Url, Value), String> {
        let url = url.clone()?;
        let label = url.to_string();
        let fetched = self
            .net
            .get(Request {
                url,
                accept,
                freshness,
            })
            .await
            .map_err(|error| error.to_string())?;
        Ok((
            fetched.final_url.clone(),
            json_object(&label, &fetched.body)?,
        ))
    }

    /// The provenance and publisher of the version in use, from the Integrity API. The
    /// publisher is never known to be nobody: PyPI names no uploader, only trusted publishers.
    async fn in_use_provenance(
        &self,
        name: &str,
        version: &str,
        files: &BTreeMap<String, FileRecord>,
        advertised: bool,
        notes: &mut Vec<String>,
    ) -> (Fact<Provenance>, Fact<Option<Identity>>) {
        const NO_UPLOADER: &str =
            "PyPI names no uploader for files without trusted-publishing provenance";
        if files.is_empty() {
            return (Fact::Known(Provenance::None), Fact::unknown(NO_UPLOADER));
        }
        let lookups = files.iter().map(|(filename, record)| async move {
            let url = if advertised {
                match &record.provenance {
                    Some(url) => url.clone(),
                    None => return (filename, ProvenanceLookup::Absent),
                }
            } else {
                match endpoint(
                    &self.base,
                    &["integrity", name, version, filename, "provenance"],
                ) {
                    Ok(url) => url,
                    Err(reason) => return (filename, ProvenanceLookup::Failed(reason)),
                }
            };
            (filename, self.provenance(url, advertised).await)
        });
        let lookups = join_all(lookups).await;

        let mut publishers = Vec::new();
        let mut absent = Vec::new();
        let mut failed = Vec::new();
        for (filename, lookup) in lookups {
            match lookup {
                ProvenanceLookup::Publisher(publisher) => publishers.push((filename, publisher)),
                ProvenanceLookup::Absent => absent.push(filename),
                ProvenanceLookup::Failed(reason) => failed.push((filename, reason)),
            }
        }
        for (filename, reason) in &failed {
            notes.push(format!("provenance of {filename:?} not read: {reason}"));
        }
        if !absent.is_empty() {
            if absent.len() < files.len() {
                let names: Vec<&str> = absent.iter().map(|name| name.as_str()).collect();
                notes.push(format!(
                    "{version}: {names:?} carry no provenance while other files of the release do"
                ));
            }
            return (Fact::Known(Provenance::None), Fact::unknown(NO_UPLOADER));
        }
        if !failed.is_empty() {
            let unread: Vec<String> = failed
                .iter()
                .map(|(filename, reason)| format!("{filename:?} ({reason})"))
                .collect();
            let not_read = format!("the provenance of {} could not be read", unread.join(", "));
            if !advertised {
                // Neither the Simple API nor the Integrity API said whether there is any.
                let reason = format!(
                    "the Simple API did not say whether files have provenance and {not_read}"
                );
                return (
                    Fact::unknown(format!("provenance unknown: {reason}")),
                    Fact::unknown(format!("publisher unknown: {reason}")),
                );
            }
            return (
                Fact::Known(first_advertised(files)),
                Fact::unknown(format!("publisher unknown: {not_read}")),
            );
        }
        let mut distinct: Vec<&Option<Publisher>> = Vec::new();
        for (_, publisher) in &publishers {
            if !distinct.contains(&publisher) {
                distinct.push(publisher);
            }
        }
        match distinct.as_slice() {
            [Some(publisher)] => (
                Fact::Known(publisher.provenance()),
                match publisher.identity() {
                    Some(identity) => Fact::Known(Some(identity)),
                    None => Fact::unknown(format!(
                        "the attestations of {version} name a {} publisher without repository or account",
                        publisher.provider
                    )),
                },
            ),
            _ => {
                let reason =
                    format!("{version}: the files' attestations do not name one trusted publisher");
                notes.push(reason.clone());
                (Fact::Known(first_advertised(files)), Fact::unknown(reason))
            }
        }
    }

    /// The provenance document at `url` (a [`ReleaseFile::provenance`] address), as JSON. The
    /// network layer answers from memory when [`PypiClient::package`] already fetched it.
    ///
    /// A document of the wrong shape ([`crate::verify::pypi::check_document`]: `200 {}`, no
    /// `attestation_bundles` list, a bundle that is not an object) is refused as a whole: the
    /// fact is unknown ("not a provenance document"), so verification never judges it invalid.
    pub async fn provenance_document(&self, url: &str) -> Fact<Value> {
        let url = match Url::parse(url) {
            Ok(url) => url,
            Err(error) => return Fact::unknown(format!("`{url}` is not a URL: {error}")),
        };
        let label = url.to_string();
        let fetched = self
            .net
            .get(Request {
                url,
                accept: Some(INTEGRITY_ACCEPT),
                freshness: Freshness::Immutable,
            })
            .await;
        match fetched {
            Ok(fetched) => match serde_json::from_slice::<Value>(&fetched.body) {
                Ok(document) => match provenance_shape(&document) {
                    Ok(()) => Fact::Known(document),
                    Err(why) => Fact::unknown(format!(
                        "`{label}` is not a provenance document (PEP 740): {why}"
                    )),
                },
                Err(error) => Fact::unknown(format!("`{label}` is not JSON: {error}")),
            },
            Err(error) => Fact::unknown(error.to_string()),
        }
    }

    /// Reads one provenance document. `advertised`: the Simple API pointed at it (so a 404 is
    /// a fault, not "none").
    async fn provenance(&self, url: Url, advertised: bool) -> ProvenanceLookup {
        let label = url.to_string();
        let fetched = self
            .net
            .get(Request {
                url,
                accept: Some(INTEGRITY_ACCEPT),
                freshness: Freshness::Immutable,
            })
            .await;
        let fetched = match fetched {
            Ok(fetched) => fetched,
            // Not advertised means the Simple API failed or is too old to say (a mirror): a 404
            // from this address then proves nothing, as a mirror may not serve the Integrity
            // API at all.
            Err(NetError::Status { status: 404, .. }) if !advertised => {
                return ProvenanceLookup::Failed(format!(
                    "the index did not say whether files have provenance and `{label}` answered HTTP 404"
                ));
            }
            Err(error) => return ProvenanceLookup::Failed(error.to_string()),
        };
        decode_provenance(&label, &fetched.body)
    }
}

/// The publisher named by the provenance document `body` served at `label` (only the
/// registry's word; the Sigstore parts are checked by `provenance_document`).
fn decode_provenance(label: &str, body: &[u8]) -> ProvenanceLookup {
    let document = serde_json::from_slice::<Value>(body)
        .map_err(|error| error.to_string())
        .and_then(|document| {
            if !document.is_object() {
                return Err(format!(
                    "the body is {}, not an object",
                    json_type(&document)
                ));
            }
            // Serde would read a list as a struct, field by position: a publisher
            // `["GitHub", "o/r"]` is no publisher.
            let bundles = document
                .get("attestation_bundles")
                .and_then(Value::as_array)
                .ok_or("no `attestation_bundles` list")?;
            for (index, bundle) in bundles.iter().enumerate() {
                let publisher = bundle.get("publisher").filter(|p| !p.is_null());
                if !bundle.is_object() || publisher.is_some_and(|p| !p.is_object()) {
                    return Err(format!(
                        "attestation bundle {} or its `publisher` is not an object",
                        index + 1
                    ));
                }
            }
            ProvenanceWire::deserialize(&document).map_err(|error| error.to_string())
        });
    let document = match document {
        Ok(document) => document,
        Err(why) => {
            return ProvenanceLookup::Failed(format!(
                "`{label}` is not a provenance document (PEP 740): {why}"
            ));
        }
    };
    let mut publishers: Vec<Option<Publisher>> = document
        .attestation_bundles
        .into_iter()
        .map(|bundle| bundle.publisher.and_then(PublisherWire::into_publisher))
        .collect();
    publishers.dedup();
    match publishers.as_slice() {
        [] => ProvenanceLookup::Failed(format!("`{label}` holds no attestation bundle")),
        [one] => ProvenanceLookup::Publisher(one.clone()),
        _ => ProvenanceLookup::Publisher(None),
    }
}

/// A PEP 740 provenance object: a JSON object of the shape [`crate::verify::pypi::check_document`]
/// describes.
fn provenance_shape(document: &Value) -> Result<(), String> {
    if !document.is_object() {
        return Err(format!(
            "the body is {}, not an object",
            json_type(document)
        ));
    }
    crate::verify::pypi::check_document(document)
}

/// PEP 753 label normalization: lowercase, without whitespace and punctuation.
fn normalize_label(label: &str) -> String {
    label
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether two version strings are the same PEP 440 version.
fn same_version(a: &str, b: &str) -> bool {
    match (
        pep440_rs::Version::from_str(a.trim()),
        pep440_rs::Version::from_str(b.trim()),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

/// PEP 440 order; versions that do not parse go last, in string order.
fn compare_versions(a: &str, b: &str) -> Ordering {
    match (
        pep440_rs::Version::from_str(a),
        pep440_rs::Version::from_str(b),
    ) {
        (Ok(x), Ok(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// The version a distribution filename carries, for files the JSON API did not list
/// (wheel: `{name}-{version}-…whl`; sdist: `{name}-{version}.tar.gz|.zip`).
fn version_from_filename(project: &str, filename: &str) -> Option<String> {
    const SDIST: [&str; 7] = [
        ".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz", ".zip", ".tar",
    ];
    let (stem, tagged) = if let Some(stem) = filename.strip_suffix(".whl") {
        (stem, true)
    } else if let Some(stem) = filename.strip_suffix(".egg") {
        (stem, true)
    } else {
        (
            SDIST
                .iter()
                .find_map(|extension| filename.strip_suffix(extension))?,
            false,
        )
    };
    for (at, _) in stem.match_indices('-') {
        if normalize_name(&stem[..at]) != project {
            continue;
        }
        let rest = &stem[at + 1..];
        let version = if tagged {
            rest.split('-').next().unwrap_or_default()
        } else {
            rest
        };
        return (!version.is_empty()).then(|| version.to_string());
    }
    None
}

/// Every release with its files: version (as written) → filename → file.
type Releases = BTreeMap<String, BTreeMap<String, FileRecord>>;

/// File entries that did not decode, per release: version → why (naming the URL).
type Unreadable = BTreeMap<String, Vec<String>>;

/// What the JSON API project document says, section by section.
#[derive(Debug)]
struct ProjectDocument {
    /// version → filename → file.
    releases: Result<Releases, String>,
    /// The file entries of each release that did not decode.
    unreadable: Unreadable,
    repository: Result<Option<String>, String>,
    owners: Result<Vec<Owner>, String>,
    /// The release `info` describes (the latest) and what it declares (`requires_dist`
    /// without extras), when `info` says.
    declared: Option<(String, BTreeMap<String, String>)>,
}

/// What a JSON API file entry's `yanked` must be.
const JSON_YANKED: &str = "`filename` a string, `yanked` true or false";
/// What a Simple API file entry's `yanked` must be (PEP 592/691).
const SIMPLE_YANKED: &str = "`filename` a string, `yanked` false, true or a reason";

impl ProjectDocument {
    /// The sections of a project document; `Err` (every fact from it unknown) when it is not
    /// one: a project document has an `info` object and a `releases` object (warehouse
    /// `legacy/api/json.py`). `200 {}` or `200 {"message": "Not Found"}` is a registry fault,
    /// not a project without releases.
    fn decode(
        url: &Url,
        name: &str,
        document: &Value,
        notes: &mut Vec<String>,
    ) -> Result<Self, String> {
        let shape = |key: &str| match document.get(key) {
            Some(Value::Object(_)) => None,
            None => Some(format!("`{key}` is missing")),
            Some(other) => Some(format!("`{key}` is {}", json_type(other))),
        };
        let wrong: Vec<String> = ["info", "releases"].into_iter().filter_map(shape).collect();
        if !wrong.is_empty() {
            return Err(format!(
                "`{url}` is not a PyPI project document: no `info`/`releases` object ({})",
                wrong.join(", ")
            ));
        }
        // The document of another project (a mirror's mix-up) says nothing about this one.
        if let Some(named) = document.pointer("/info/name").and_then(Value::as_str)
            && normalize_name(named) != name
        {
            return Err(format!(
                "`{url}` is not a PyPI project document: it is the document of {:?}, not of `{name}`",
                named.chars().take(100).collect::<String>()
            ));
        }
        let mut unreadable = Unreadable::new();
        let releases = section::<BTreeMap<String, Vec<Value>>>(document, "releases", url).and_then(
            |releases| {
                let releases = releases.ok_or_else(|| format!("`{url}` lists no `releases`"))?;
                let mut out = BTreeMap::new();
                for (version, files) in releases {
                    let mut records = BTreeMap::new();
                    for file in files {
                        match Object::<JsonFile>::deserialize(&file) {
                            Ok(Object(file)) => {
                                let record = FileRecord {
                                    uploaded: timestamp(file.upload_time_iso_8601.as_deref()),
                                    yanked: file.yanked.unwrap_or(false),
                                    yank_reason: file.yanked_reason.filter(|r| !r.is_empty()),
                                    sha256: file.digests.and_then(|d| d.0.sha256),
                                    provenance: None,
                                };
                                records.insert(file.filename, record);
                            }
                            Err(error) => {
                                let reason = format!(
                                    "`{url}`: a file of release {version} is not a file entry ({JSON_YANKED}): {error}"
                                );
                                notes.push(reason.clone());
                                unreadable.entry(version.clone()).or_default().push(reason);
                            }
                        }
                    }
                    out.insert(version, records);
                }
                Ok(out)
            },
        );
        let repository = section::<Info>(document, "info", url)
            .map(|info| info.and_then(|info| declared_repository(&info)));
        let declared = requires_dist(document);
        let owners =
            section::<Object<Ownership>>(document, "ownership", url).and_then(|ownership| {
                let ownership = ownership.map(|Object(ownership)| ownership);
                let ownership =
                    ownership.ok_or_else(|| format!("PyPI did not report ownership in `{url}`"))?;
                let mut owners: Vec<Owner> = ownership
                    .roles
                    .unwrap_or_default()
                    .into_iter()
                    .map(|Object(role)| Owner {
                        identity: Identity {
                            id: format!("pypi:user:{}", role.user),
                            display: role.user,
                            kind: IdentityKind::User,
                        },
                        role: role.role,
                    })
                    .collect();
                if let Some(organization) = ownership.organization.filter(|o| !o.is_empty()) {
                    owners.push(Owner {
                        identity: Identity {
                            id: format!("pypi:org:{organization}"),
                            display: organization,
                            kind: IdentityKind::Team,
                        },
                        role: None,
                    });
                }
                Ok(owners)
            });
        Ok(ProjectDocument {
            releases,
            unreadable,
            repository,
            owners,
            declared,
        })
    }
}

/// What the release `info` describes declares: `info.requires_dist` entries that are not for
/// an extra, normalized name → the rest of the requirement (`>=2.5,<4`, with its environment
/// marker). Read leniently: entries that are not strings are left out; a missing or malformed
/// `info.version` or `requires_dist` gives nothing.
fn requires_dist(document: &Value) -> Option<(String, BTreeMap<String, String>)> {
    let version = document.pointer("/info/version")?.as_str()?.to_string();
    let entries = match document.pointer("/info/requires_dist")? {
        Value::Null => return Some((version, BTreeMap::new())),
        Value::Array(entries) => entries,
        _ => return None,
    };
    let mut declared = BTreeMap::new();
    for entry in entries.iter().filter_map(Value::as_str) {
        if entry.contains("extra ==") || entry.contains("extra==") {
            continue;
        }
        let end = entry
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
            .unwrap_or(entry.len());
        let (name, rest) = entry.split_at(end);
        if name.is_empty() {
            continue;
        }
        declared.insert(
            crate::model::normalize_pypi_name(name),
            rest.trim().to_string(),
        );
    }
    Some((version, declared))
}

/// The repository `info` declares, as written (the gatherer normalizes it):
/// 1. the URL of the most preferred source label ([`SOURCE_LABELS`]) that is a repository
///    ([`repo_url::normalize`]);
/// 2. else the homepage ([`HOMEPAGE_LABELS`], then the `home_page` field) when it is a
///    repository (a homepage on a code host; any other homepage declares no repository);
/// 3. else any other URL that names a repository: the labels of [`PAGE_LABELS`] in that
///    order, the `download_url` field, then the remaining labels in alphabetical order (never
///    a funding label);
/// 4. else the URL of a source label that is no repository, as declared: the project said
///    where its source is, and `no-source-repo` names what it said.
fn declared_repository(info: &Info) -> Option<String> {
    let mut labelled: Vec<(String, &str)> = info
        .project_urls
        .iter()
        .flatten()
        .filter_map(|(label, url)| {
            let url = url.as_deref()?.trim();
            (!url.is_empty()).then(|| (normalize_label(label), url))
        })
        .collect();
    // Stable order whatever the labels' spelling: by normalized label, then URL.
    labelled.sort();
    let under = |labels: &[&str]| -> Vec<&str> {
        labels
            .iter()
            .flat_map(|wanted| {
                labelled
                    .iter()
                    .filter(move |(label, _)| label == wanted)
                    .map(|(_, url)| *url)
            })
            .collect()
    };
    let field = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(str::to_string)
    };
    let is_repository = |url: &&str| repo_url::normalize(url).is_some();

    for labels in SOURCE_LABELS {
        if let Some(url) = under(labels).into_iter().find(is_repository) {
            return Some(url.to_string());
        }
    }
    let homepages = under(HOMEPAGE_LABELS).into_iter().map(str::to_string);
    if let Some(url) = homepages
        .chain(field(&info.home_page))
        .find(|url| is_repository(&url.as_str()))
    {
        return Some(url);
    }
    let known: Vec<&str> = SOURCE_LABELS
        .iter()
        .flat_map(|labels| labels.iter())
        .chain(HOMEPAGE_LABELS)
        .chain(PAGE_LABELS)
        .copied()
        .collect();
    let funding = |label: &str| {
        FUNDING_LABELS
            .iter()
            .any(|prefix| label.starts_with(prefix))
    };
    let rest = labelled
        .iter()
        .filter(|(label, _)| !known.contains(&label.as_str()) && !funding(label))
        .map(|(_, url)| url.to_string());
    let others = under(PAGE_LABELS)
        .into_iter()
        .map(str::to_string)
        .chain(field(&info.download_url))
        .chain(rest);
    if let Some(url) = others.into_iter().find(|url| is_repository(&url.as_str())) {
        return Some(url);
    }
    SOURCE_LABELS
        .iter()
        .find_map(|labels| under(labels).first().map(|url| (*url).to_string()))
}

/// What the Simple API page says, section by section.
#[derive(Debug)]
struct SimpleDocument {
    /// Resolved provenance URLs, per file.
    files: Result<Vec<(String, FileRecord)>, String>,
    /// File entries that did not decode: their file name and why.
    unreadable: Vec<(String, String)>,
    /// PEP 700 `versions` (possibly without files).
    versions: Vec<String>,
    status: Result<Status, String>,
    /// The page's `meta.api-version` is 1.3 or later (PEP 740 `provenance` keys): a file
    /// without one has no provenance. An older page (a mirror) says nothing either way.
    reports_provenance: bool,
}

/// `meta.api-version` as (major, minor); `None` when absent or unreadable.
fn simple_api_version(document: &Value) -> Option<(u64, u64)> {
    let text = document.get("meta")?.get("api-version")?.as_str()?;
    let (major, minor) = text.split_once('.')?;
    Some((major.trim().parse().ok()?, minor.trim().parse().ok()?))
}

impl SimpleDocument {
    /// The sections of the page of project `name`; `Err` (every fact from it unknown) when it
    /// is not one. PEP 691 requires `meta` with `api-version` (`<major>.<minor>`), `name` and
    /// `files` (a list of objects with a string `filename`); the name must be this project's.
    /// Without them nothing on the page can be trusted to describe the project: an absent
    /// `project-status` then means nothing, not "active".
    fn decode(
        url: &Url,
        name: &str,
        document: &Value,
        notes: &mut Vec<String>,
    ) -> Result<Self, String> {
        let not_a_page = |what: String| {
            format!(
                "`{url}` is not a Simple API project page (PEP 691: `meta.api-version`, `name`, `files` list): {what}"
            )
        };
        let Some(api_version) = simple_api_version(document) else {
            return Err(not_a_page(match document.get("meta") {
                None => "`meta` is missing".to_string(),
                Some(Value::Object(meta)) => match meta.get("api-version") {
                    None => "`meta.api-version` is missing".to_string(),
                    Some(Value::String(text)) => {
                        format!("`meta.api-version` {text:?} is not `<major>.<minor>`")
                    }
                    Some(other) => format!("`meta.api-version` is {}", json_type(other)),
                },
                Some(other) => format!("`meta` is {}", json_type(other)),
            }));
        };
        match document.get("name") {
            Some(Value::String(found)) if normalize_name(found) == name => {}
            Some(Value::String(found)) => {
                return Err(not_a_page(format!(
                    "it is the page of {found:?}, not of `{name}`"
                )));
            }
            None => return Err(not_a_page("`name` is missing".to_string())),
            Some(other) => return Err(not_a_page(format!("`name` is {}", json_type(other)))),
        }
        let entries = match document.get("files") {
            Some(Value::Array(entries)) => entries,
            None => return Err(not_a_page("`files` is missing".to_string())),
            Some(other) => return Err(not_a_page(format!("`files` is {}", json_type(other)))),
        };
        // PEP 740 provenance came with API 1.3, PEP 792 project status with 1.4.
        let reports = |since: (u64, u64)| api_version >= since;
        let version_label = format!("{}.{}", api_version.0, api_version.1);
        let mut unreadable = Vec::new();
        let mut out = Vec::new();
        for (index, file) in entries.iter().enumerate() {
            // An entry without a file name cannot even be placed in a release.
            let Some(filename) = file.get("filename").and_then(Value::as_str) else {
                return Err(not_a_page(format!(
                    "file entry {} has no `filename` string (it is {})",
                    index + 1,
                    json_type(file)
                )));
            };
            match Object::<SimpleFile>::deserialize(file) {
                Ok(Object(file)) => {
                    let (yanked, yank_reason) = match file.yanked {
                        None | Some(Yanked::Flag(false)) => (false, None),
                        Some(Yanked::Flag(true)) => (true, None),
                        Some(Yanked::Reason(reason)) => {
                            (true, Some(reason).filter(|r| !r.is_empty()))
                        }
                    };
                    let provenance = match file.provenance.as_deref().map(|p| url.join(p)) {
                        None => None,
                        Some(Ok(provenance)) => Some(provenance),
                        Some(Err(error)) => {
                            notes.push(format!(
                                "`{url}`: provenance URL of {:?} is not a URL: {error}",
                                file.filename
                            ));
                            None
                        }
                    };
                    let record = FileRecord {
                        uploaded: timestamp(file.upload_time.as_deref()),
                        yanked,
                        yank_reason,
                        sha256: file.hashes.and_then(|h| h.0.sha256),
                        provenance,
                    };
                    out.push((file.filename, record));
                }
                Err(error) => {
                    let reason = format!(
                        "`{url}`: the entry of {filename:?} is not a file entry ({SIMPLE_YANKED}): {error}"
                    );
                    notes.push(reason.clone());
                    unreadable.push((filename.to_string(), reason));
                }
            }
        }
        let files: Result<_, String> = Ok(out);
        let versions = match section::<Vec<String>>(document, "versions", url) {
            Ok(versions) => versions.unwrap_or_default(),
            Err(reason) => {
                notes.push(reason);
                Vec::new()
            }
        };
        let status =
            section::<Object<ProjectStatus>>(document, "project-status", url).and_then(|status| {
                let status = status.map(|Object(status)| status);
                // PEP 792: an absent status means `active`, on a page recent enough to have it.
                let Some(status) = status else {
                    if !reports((1, 4)) {
                        return Err(format!(
                            "`{url}` speaks Simple API {version_label}, which does not report project status (PEP 792 needs 1.4)"
                        ));
                    }
                    return Ok(Status::default());
                };
                let mut out = Status::default();
                // A `project-status` object without its `status` is malformed, not `active`.
                let Some(found) = status.status.as_deref() else {
                    return Err(format!(
                        "`{url}`: `project-status` has no `status` (PEP 792: active, archived, quarantined or deprecated)"
                    ));
                };
                match found {
                    "active" => {}
                    "archived" => out.archived = true,
                    "quarantined" => out.quarantined = true,
                    "deprecated" => {
                        out.deprecated =
                            Some(status.reason.filter(|r| !r.is_empty()).unwrap_or_else(|| {
                                "deprecated (PEP 792 project status)".to_string()
                            }));
                    }
                    other => {
                        return Err(format!("`{url}`: unrecognized project status {other:?}"));
                    }
                }
                Ok(out)
            });
        Ok(SimpleDocument {
            files,
            unreadable,
            versions,
            status,
            reports_provenance: reports((1, 3)),
        })
    }
}

/// What is known about one distribution file, from either API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct FileRecord {
    uploaded: Option<Timestamp>,
    yanked: bool,
    yank_reason: Option<String>,
    sha256: Option<String>,
    /// The Integrity API URL the Simple API advertises.
    provenance: Option<Url>,
}

impl FileRecord {
    /// Fills what `self` lacks from `other` (the JSON API's values win).
    fn merge(&mut self, other: FileRecord) {
        self.uploaded = self.uploaded.or(other.uploaded);
        self.yanked |= other.yanked;
        self.yank_reason = self.yank_reason.take().or(other.yank_reason);
        self.sha256 = self.sha256.take().or(other.sha256);
        self.provenance = self.provenance.take().or(other.provenance);
    }
}

/// Every release with its files, from both documents: version (as written) → filename → file;
/// and the file entries of each release that did not decode.
fn merge_releases(
    project_name: &str,
    project: &Result<ProjectDocument, String>,
    simple: &Result<SimpleDocument, String>,
    notes: &mut Vec<String>,
) -> Result<(Releases, Unreadable), String> {
    let from_project = match project {
        Ok(project) => project
            .releases
            .clone()
            .map(|releases| (releases, project.unreadable.clone())),
        Err(reason) => Err(reason.clone()),
    };
    let from_simple = match simple {
        Ok(simple) => simple
            .files
            .as_ref()
            .map(|files| (files, &simple.unreadable, &simple.versions)),
        Err(reason) => Err(reason),
    };
    let (mut releases, mut unreadable) = match (from_project, &from_simple) {
        (Ok(found), _) => found,
        (Err(_), Ok(_)) => (Releases::new(), Unreadable::new()),
        (Err(project), Err(simple)) => return Err(format!("{project}; {simple}")),
    };
    if let Ok((files, unreadable_files, versions)) = from_simple {
        let by_filename: BTreeMap<String, String> = releases
            .iter()
            .flat_map(|(version, files)| {
                files
                    .keys()
                    .map(move |filename| (filename.clone(), version.clone()))
            })
            .collect();
        let version_of = |releases: &Releases, filename: &str| match by_filename.get(filename) {
            Some(version) => Some(version.clone()),
            None => version_from_filename(project_name, filename)
                .map(|parsed| release_key(releases, &parsed)),
        };
        for (filename, record) in files {
            let Some(version) = version_of(&releases, filename) else {
                notes.push(format!(
                    "{filename:?}: no version could be read from the file name; skipped"
                ));
                continue;
            };
            releases
                .entry(version)
                .or_default()
                .entry(filename.clone())
                .or_default()
                .merge(record.clone());
        }
        for (filename, reason) in unreadable_files {
            match version_of(&releases, filename) {
                Some(version) => {
                    // The release exists even when its only file is unreadable.
                    releases.entry(version.clone()).or_default();
                    unreadable.entry(version).or_default().push(reason.clone());
                }
                None => notes.push(format!(
                    "{filename:?}: no version could be read from the file name; skipped"
                )),
            }
        }
        for version in versions {
            let key = release_key(&releases, version);
            releases.entry(key).or_default();
        }
    }
    Ok((releases, unreadable))
}

/// The key under which `version` is stored: an existing equal PEP 440 version, else itself.
fn release_key(releases: &Releases, version: &str) -> String {
    releases
        .keys()
        .find(|key| key.as_str() == version)
        .or_else(|| releases.keys().find(|key| same_version(key, version)))
        .cloned()
        .unwrap_or_else(|| version.to_string())
}

/// Whether a release is yanked: every file of it is. A file entry that did not decode may be
/// the one that is not yanked, or the release's only file: unless a readable file is known
/// not to be yanked, the answer is unknown (the reasons of the unreadable entries).
fn yank_of(
    files: &BTreeMap<String, FileRecord>,
    unreadable: Option<&Vec<String>>,
) -> Result<bool, String> {
    if files.values().any(|file| !file.yanked) {
        return Ok(false);
    }
    match unreadable {
        Some(reasons) if !reasons.is_empty() => Err(reasons.join("; ")),
        _ => Ok(!files.is_empty()),
    }
}

/// Every release that has files is yanked (and at least one has files); unknown when no
/// release is known not to be yanked and one's yank state is unknown.
fn all_yanked(releases: &Releases, unreadable: &Unreadable) -> Result<bool, String> {
    let mut any = false;
    let mut unknown = None;
    for (version, files) in releases {
        let entries = unreadable.get(version);
        if files.is_empty() && entries.is_none_or(Vec::is_empty) {
            continue;
        }
        any = true;
        match yank_of(files, entries) {
            Ok(false) => return Ok(false),
            Ok(true) => {}
            Err(reason) => {
                unknown.get_or_insert(format!(
                    "whether every release is yanked is unknown: {version}: {reason}"
                ));
            }
        }
    }
    match unknown {
        Some(reason) => Err(reason),
        None => Ok(any),
    }
}

/// Provenance of a release that is not in use, from what the Simple API advertises.
fn advertised_provenance(files: &BTreeMap<String, FileRecord>, advertised: bool) -> Provenance {
    if advertised && files.values().any(|f| f.provenance.is_some()) {
        first_advertised(files)
    } else {
        Provenance::None
    }
}

/// `Attested` with the first advertised provenance URL.
fn first_advertised(files: &BTreeMap<String, FileRecord>) -> Provenance {
    Provenance::Attested {
        url: files
            .values()
            .find_map(|f| f.provenance.as_ref())
            .map(Url::to_string),
        predicate_type: None,
    }
}

/// One release from its files.
fn release(
    version: String,
    files: &BTreeMap<String, FileRecord>,
    yanked: bool,
    provenance: Fact<Provenance>,
    publisher: Fact<Option<Identity>>,
) -> Release {
    let integrity = match files.values().collect::<Vec<_>>().as_slice() {
        [only] => only.sha256.as_ref().map(|hex| format!("sha256:{hex}")),
        _ => None,
    };
    Release {
        published: files.values().filter_map(|f| f.uploaded).min(),
        publisher,
        yanked,
        yank_reason: if yanked {
            files.values().find_map(|f| f.yank_reason.clone())
        } else {
            None
        },
        provenance,
        integrity,
        signatures: Vec::new(),
        maintainers: None,
        repository: None,
        files: Vec::new(),
        verification: None,
        version,
    }
}

/// What the Integrity API said about one file.
#[derive(Debug)]
enum ProvenanceLookup {
    /// Provenance exists; the publisher its attestations name (`None`: none, or several).
    Publisher(Option<Publisher>),
    /// The file has no provenance.
    Absent,
    /// The question could not be answered.
    Failed(String),
}

/// A trusted publisher named by an attestation bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Publisher {
    /// `github`, `gitlab`, `google` (lowercased `kind`).
    provider: String,
    /// `owner/repo` or project path (GitHub, GitLab).
    repository: Option<String>,
    /// Workflow file (GitHub `workflow`, GitLab `workflow_filepath`).
    workflow: Option<String>,
    /// Service account (Google).
    email: Option<String>,
}

impl Publisher {
    fn provenance(&self) -> Provenance {
        Provenance::TrustedPublishing {
            provider: self.provider.clone(),
            repository: self.repository.clone(),
            workflow: self.workflow.clone(),
            run: None,
            commit: None,
        }
    }

    fn identity(&self) -> Option<Identity> {
        let subject = self.repository.as_ref().or(self.email.as_ref())?;
        Some(Identity {
            id: format!("trusted-publisher:{}:{subject}", self.provider),
            display: subject.clone(),
            kind: IdentityKind::TrustedPublisher,
        })
    }
}

impl PublisherWire {
    fn into_publisher(self) -> Option<Publisher> {
        let provider = self.kind.trim().to_lowercase();
        if provider.is_empty() {
            return None;
        }
        let non_empty = |text: Option<String>| text.filter(|t| !t.trim().is_empty());
        Some(Publisher {
            provider,
            repository: non_empty(self.repository),
            workflow: non_empty(self.workflow).or(non_empty(self.workflow_filepath)),
            email: non_empty(self.email),
        })
    }
}

/// Runs the PyPI decoders on `data`, for [`crate::fuzz`]: the first byte picks the document
/// (project JSON, Simple API page, provenance); releases are then merged and judged for yanks
/// as [`PypiClient::package_with_notes`] does.
pub(crate) fn fuzz(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(url) = Url::parse("https://pypi.invalid/pypi/pkg/json") else {
        return;
    };
    let mut notes = Vec::new();
    if pick % 3 == 2 {
        decode_provenance(url.as_str(), body);
        if let Ok(document) = serde_json::from_slice::<Value>(body) {
            let _ = provenance_shape(&document);
        }
        return;
    }
    let document = json_object(url.as_str(), body);
    let name = document
        .as_ref()
        .ok()
        .and_then(|document| {
            document
                .pointer("/info/name")
                .or_else(|| document.get("name"))?
                .as_str()
        })
        .map_or_else(|| "pkg".to_string(), normalize_name);
    let (project, simple): (
        Result<ProjectDocument, String>,
        Result<SimpleDocument, String>,
    ) = if pick % 3 == 0 {
        let project = document
            .and_then(|document| ProjectDocument::decode(&url, &name, &document, &mut notes));
        (project, Err("not asked".to_string()))
    } else {
        let simple = document
            .and_then(|document| SimpleDocument::decode(&url, &name, &document, &mut notes));
        (Err("not asked".to_string()), simple)
    };
    if let Ok((releases, unreadable)) = merge_releases(&name, &project, &simple, &mut notes) {
        let _ = all_yanked(&releases, &unreadable);
        for (version, files) in &releases {
            let yanked = yank_of(files, unreadable.get(version)).unwrap_or(false);
            let provenance = Fact::Known(advertised_provenance(files, true));
            release(
                version.clone(),
                files,
                yanked,
                provenance,
                Fact::Known(None),
            );
        }
    }
}

#[cfg(test)]
mod tests;

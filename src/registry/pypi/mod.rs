//! PyPI: what the index says about a project and the version in use, raw and without judgement.
//!
//! Requests, per project (economy: one JSON document per project, issue 3):
//! 1. the JSON API project document `<base>pypi/<name>/json` (warehouse
//!    `legacy/api/json.py`): releases and the upload times and yank state of their files,
//!    `info.project_urls`, `info.home_page` and `info.download_url` (the declared repository,
//!    see `declared_repository`), `ownership.roles` and `ownership.organization` (who can
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
//!   `PypiClient::provenance_document`).
//! - What went wrong without making a whole fact unknown (a file entry that does not decode, a
//!   provenance document that does not answer) is returned as notes by
//!   `PypiClient::package_with_notes`.
//!
//! Not supported: the per-version JSON endpoint (`/pypi/<name>/<version>/json`; it answers 404
//! on some mirrors, and the project document already holds every release); per-file uploader
//! identity (no PyPI API exposes it); verifying attestations (a later layer does).

mod decoding;
mod wire;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::Value;
use url::Url;

use super::decode::{endpoint, fact, json_object};
use crate::model::Ecosystem;
use crate::model::facts::{
    Fact, Identity, PackageFacts, Provenance, Release, ReleaseFile, Status, Unknown, UnknownKind,
};
use crate::model::normalize_pypi_name as normalize_name;
use crate::net::{Freshness, Net, NetError, Request};
use decoding::{
    FileRecord, ProjectDocument, ProvenanceLookup, Publisher, Releases, SimpleDocument, Unreadable,
    advertised_provenance, all_yanked, compare_versions, decode_provenance, first_advertised,
    merge_releases, provenance_shape, release, release_key, requires_dist, same_version, yank_of,
};

/// The Simple API's JSON form (PEP 691).
const SIMPLE_ACCEPT: &str = "application/vnd.pypi.simple.v1+json";
/// The Integrity API's JSON form (PEP 740).
const INTEGRITY_ACCEPT: &str = "application/vnd.pypi.integrity.v1+json";
/// How long a project document or Simple API page stays fresh.
const PROJECT_FRESHNESS: Freshness = Freshness::Mutable(Duration::from_secs(60 * 60));

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
    pub(crate) async fn package_with_notes(
        &self,
        name: &str,
        version: &str,
    ) -> (PackageFacts, Vec<String>) {
        let name = normalize_name(name);
        let mut notes = Vec::new();
        let mut facts = PackageFacts {
            id: crate::model::PackageId::new(Ecosystem::Pypi, &name, version),
            ecosystem: Ecosystem::Pypi,
            name: name.clone(),
            version: version.to_string(),
            registry: self.base.to_string(),
            notes: Vec::new(),
            declared_dependencies: None,
            releases: Fact::unknown_as(UnknownKind::Other, "not looked up"),
            owners: Fact::unknown_as(UnknownKind::Other, "not looked up"),
            repository: Fact::unknown_as(UnknownKind::Other, "not looked up"),
            repository_facts: Fact::unknown_as(UnknownKind::Other, "not looked up"),
            status: Fact::unknown_as(UnknownKind::Other, "not looked up"),
            install_scripts: Fact::unknown_as(
                UnknownKind::NotRecorded,
                "PyPI does not report install hooks (an sdist runs its build backend when installed)",
            ),
        };
        if name.is_empty() {
            let reason = Unknown::other("an empty project name cannot be looked up");
            facts.releases = Fact::unknown(reason.clone());
            facts.owners = Fact::unknown(reason.clone());
            facts.repository = Fact::unknown(reason.clone());
            facts.status = Fact::unknown(reason);
            return (facts, notes);
        }

        let json_url = endpoint(&self.base, &["pypi", &name, "json"]);
        let simple_url = endpoint(&self.base, &["simple", &name, ""]);
        let (project, simple) = futures_util::join!(
            self.fetch_document(&json_url, None, PROJECT_FRESHNESS),
            self.fetch_document(&simple_url, Some(SIMPLE_ACCEPT), PROJECT_FRESHNESS),
        );
        let project = project.and_then(|(url, doc)| {
            ProjectDocument::decode(&url, &name, &doc, &mut notes).map_err(Unknown::malformed)
        });
        let simple = simple.and_then(|(url, doc)| {
            SimpleDocument::decode(&url, &name, &doc, &mut notes).map_err(Unknown::malformed)
        });

        match &project {
            Ok(project) => {
                facts.owners = fact(project.owners.clone().map_err(Unknown::malformed));
                facts.repository = fact(project.repository.clone().map_err(Unknown::malformed));
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
                    Unknown::malformed(format!(
                        "whether {version} (the version in use) is yanked is unknown: {reason}"
                    ))
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
                    Ok(simple) => fact(simple.status.clone().map_err(Unknown::malformed)),
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
                (Err(reason), _) | (_, Err(reason)) => {
                    Fact::unknown(Unknown::malformed(reason.clone()))
                }
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
                        Fact::unknown_as(
                            UnknownKind::Other,
                            "the Simple API did not answer, so provenance is unknown",
                        )
                    },
                    Fact::unknown_as(
                        UnknownKind::NotRecorded,
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
            let earlier = super::verification::earlier_attested(Ecosystem::Pypi, &list, position);
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
    ) -> Result<(Url, Value), Unknown> {
        let url = url.clone().map_err(Unknown::other)?;
        let label = url.to_string();
        let fetched = self
            .net
            .get(Request {
                url,
                accept,
                freshness,
            })
            .await
            .map_err(|error| Unknown::from(&error))?;
        Ok((
            fetched.final_url.clone(),
            json_object(&label, &fetched.body).map_err(Unknown::malformed)?,
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
            return (
                Fact::Known(Provenance::None),
                Fact::unknown_as(UnknownKind::NotRecorded, NO_UPLOADER),
            );
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
                    Err(reason) => {
                        return (filename, ProvenanceLookup::Failed(Unknown::other(reason)));
                    }
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
            return (
                Fact::Known(Provenance::None),
                Fact::unknown_as(UnknownKind::NotRecorded, NO_UPLOADER),
            );
        }
        if !failed.is_empty() {
            let unread: Vec<String> = failed
                .iter()
                .map(|(filename, reason)| format!("{filename:?} ({reason})"))
                .collect();
            let not_read = Unknown::joined(
                failed.iter().map(|(_, reason)| reason),
                format!("the provenance of {} could not be read", unread.join(", ")),
            );
            if !advertised {
                // Neither the Simple API nor the Integrity API said whether there is any.
                let reason = not_read.map_detail(|not_read| {
                    format!(
                        "the Simple API did not say whether files have provenance and {not_read}"
                    )
                });
                return (
                    Fact::unknown(
                        reason.map_detail(|reason| format!("provenance unknown: {reason}")),
                    ),
                    Fact::unknown(
                        reason.map_detail(|reason| format!("publisher unknown: {reason}")),
                    ),
                );
            }
            return (
                Fact::Known(first_advertised(files)),
                Fact::unknown(
                    not_read.map_detail(|not_read| format!("publisher unknown: {not_read}")),
                ),
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
                    None => Fact::unknown_as(
                        UnknownKind::NotRecorded,
                        format!(
                            "the attestations of {version} name a {} publisher without repository or account",
                            publisher.provider
                        ),
                    ),
                },
            ),
            _ => {
                let reason =
                    format!("{version}: the files' attestations do not name one trusted publisher");
                notes.push(reason.clone());
                (
                    Fact::Known(first_advertised(files)),
                    Fact::unknown_as(UnknownKind::Other, reason),
                )
            }
        }
    }

    /// The provenance document at `url` (a [`ReleaseFile::provenance`] address), as JSON. The
    /// network layer answers from memory when [`PypiClient::package`] already fetched it.
    ///
    /// A document of the wrong shape ([`crate::verify::pypi::check_document`]: `200 {}`, no
    /// `attestation_bundles` list, a bundle that is not an object) is refused as a whole: the
    /// fact is unknown ("not a provenance document"), so verification never judges it invalid.
    pub(crate) async fn provenance_document(&self, url: &str) -> Fact<Value> {
        let url = match Url::parse(url) {
            Ok(url) => url,
            Err(error) => {
                return Fact::unknown_as(
                    UnknownKind::Other,
                    format!("`{url}` is not a URL: {error}"),
                );
            }
        };
        let label = url.to_string();
        match self.integrity_get(url).await {
            Ok(fetched) => match serde_json::from_slice::<Value>(&fetched.body) {
                Ok(document) => match provenance_shape(&document) {
                    Ok(()) => Fact::Known(document),
                    Err(why) => Fact::unknown(Unknown::malformed(format!(
                        "`{label}` is not a provenance document (PEP 740): {why}"
                    ))),
                },
                Err(error) => Fact::unknown(Unknown::malformed(format!(
                    "`{label}` is not JSON: {error}"
                ))),
            },
            Err(error) => Fact::unknown(&error),
        }
    }

    /// One request to the Integrity API (its documents never change once published).
    async fn integrity_get(&self, url: Url) -> Result<Arc<crate::net::Fetched>, NetError> {
        self.net
            .get(Request {
                url,
                accept: Some(INTEGRITY_ACCEPT),
                freshness: Freshness::Immutable,
            })
            .await
    }

    /// Reads one provenance document. `advertised`: the Simple API pointed at it (so a 404 is
    /// a fault, not "none").
    async fn provenance(&self, url: Url, advertised: bool) -> ProvenanceLookup {
        let label = url.to_string();
        let fetched = match self.integrity_get(url).await {
            Ok(fetched) => fetched,
            // Not advertised means the Simple API failed or is too old to say (a mirror): a 404
            // from this address then proves nothing, as a mirror may not serve the Integrity
            // API at all.
            Err(NetError::Status { status: 404, .. }) if !advertised => {
                return ProvenanceLookup::Failed(Unknown {
                    kind: UnknownKind::NotFound(404),
                    detail: format!(
                        "the index did not say whether files have provenance and `{label}` answered HTTP 404"
                    ),
                    url: Some(label),
                });
            }
            Err(error) => return ProvenanceLookup::Failed(Unknown::from(&error)),
        };
        decode_provenance(&label, &fetched.body)
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
        Result<ProjectDocument, Unknown>,
        Result<SimpleDocument, Unknown>,
    ) = if pick % 3 == 0 {
        let project = document.map_err(Unknown::malformed).and_then(|document| {
            ProjectDocument::decode(&url, &name, &document, &mut notes).map_err(Unknown::malformed)
        });
        (project, Err(Unknown::other("not asked")))
    } else {
        let simple = document.map_err(Unknown::malformed).and_then(|document| {
            SimpleDocument::decode(&url, &name, &document, &mut notes).map_err(Unknown::malformed)
        });
        (Err(Unknown::other("not asked")), simple)
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

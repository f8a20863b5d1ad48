//! PyPI's documents turned into facts: the JSON API's project document and the Simple API's
//! page each read section by section, their files merged into releases (yanks, hashes,
//! provenance advertised), the declared repository picked from the project URLs, and the
//! Integrity API's provenance read for its publisher. Pure functions of the bodies: the
//! requests are the client's ([`super::PypiClient`]).

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::str::FromStr;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::wire::{
    Info, JsonFile, Ownership, ProjectStatus, ProvenanceWire, PublisherWire, SimpleFile, Yanked,
};
use crate::model::facts::{
    Fact, Identity, IdentityKind, Owner, Provenance, Release, Status, Unknown,
};
use crate::model::normalize_pypi_name as normalize_name;
use crate::model::repo_url;
use crate::registry::decode::{Object, json_type, section, timestamp};

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

/// The publisher named by the provenance document `body` served at `label` (only the
/// registry's word; the Sigstore parts are checked by `provenance_document`).
pub(super) fn decode_provenance(label: &str, body: &[u8]) -> ProvenanceLookup {
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
            return ProvenanceLookup::Failed(Unknown::malformed(format!(
                "`{label}` is not a provenance document (PEP 740): {why}"
            )));
        }
    };
    let mut publishers: Vec<Option<Publisher>> = document
        .attestation_bundles
        .into_iter()
        .map(|bundle| bundle.publisher.and_then(PublisherWire::into_publisher))
        .collect();
    publishers.dedup();
    match publishers.as_slice() {
        [] => ProvenanceLookup::Failed(Unknown::malformed(format!(
            "`{label}` holds no attestation bundle"
        ))),
        [one] => ProvenanceLookup::Publisher(one.clone()),
        _ => ProvenanceLookup::Publisher(None),
    }
}

/// A PEP 740 provenance object: a JSON object of the shape [`crate::verify::pypi::check_document`]
/// describes.
pub(super) fn provenance_shape(document: &Value) -> Result<(), String> {
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
pub(super) fn same_version(a: &str, b: &str) -> bool {
    match (
        pep440_rs::Version::from_str(a.trim()),
        pep440_rs::Version::from_str(b.trim()),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

/// PEP 440 order; versions that do not parse go last, in string order.
pub(super) fn compare_versions(a: &str, b: &str) -> Ordering {
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
pub(super) fn version_from_filename(project: &str, filename: &str) -> Option<String> {
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
pub(super) type Releases = BTreeMap<String, BTreeMap<String, FileRecord>>;

/// File entries that did not decode, per release: version → why (naming the URL).
pub(super) type Unreadable = BTreeMap<String, Vec<String>>;

/// What the JSON API project document says, section by section.
#[derive(Debug)]
pub(super) struct ProjectDocument {
    /// version → filename → file.
    pub(super) releases: Result<Releases, String>,
    /// The file entries of each release that did not decode.
    pub(super) unreadable: Unreadable,
    pub(super) repository: Result<Option<String>, String>,
    pub(super) owners: Result<Vec<Owner>, String>,
    /// The release `info` describes (the latest) and what it declares (`requires_dist`
    /// without extras), when `info` says.
    pub(super) declared: Option<(String, BTreeMap<String, String>)>,
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
    pub(super) fn decode(
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
pub(super) fn requires_dist(document: &Value) -> Option<(String, BTreeMap<String, String>)> {
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
pub(super) fn declared_repository(info: &Info) -> Option<String> {
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
pub(super) struct SimpleDocument {
    /// Resolved provenance URLs, per file.
    pub(super) files: Result<Vec<(String, FileRecord)>, String>,
    /// File entries that did not decode: their file name and why.
    pub(super) unreadable: Vec<(String, String)>,
    /// PEP 700 `versions` (possibly without files).
    pub(super) versions: Vec<String>,
    pub(super) status: Result<Status, String>,
    /// The page's `meta.api-version` is 1.3 or later (PEP 740 `provenance` keys): a file
    /// without one has no provenance. An older page (a mirror) says nothing either way.
    pub(super) reports_provenance: bool,
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
    pub(super) fn decode(
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
pub(super) struct FileRecord {
    pub(super) uploaded: Option<Timestamp>,
    pub(super) yanked: bool,
    pub(super) yank_reason: Option<String>,
    pub(super) sha256: Option<String>,
    /// The Integrity API URL the Simple API advertises.
    pub(super) provenance: Option<Url>,
}

impl FileRecord {
    /// Fills what `self` lacks from `other` (the JSON API's values win).
    pub(super) fn merge(&mut self, other: FileRecord) {
        self.uploaded = self.uploaded.or(other.uploaded);
        self.yanked |= other.yanked;
        self.yank_reason = self.yank_reason.take().or(other.yank_reason);
        self.sha256 = self.sha256.take().or(other.sha256);
        self.provenance = self.provenance.take().or(other.provenance);
    }
}

/// Every release with its files, from both documents: version (as written) → filename → file;
/// and the file entries of each release that did not decode.
pub(super) fn merge_releases(
    project_name: &str,
    project: &Result<ProjectDocument, Unknown>,
    simple: &Result<SimpleDocument, Unknown>,
    notes: &mut Vec<String>,
) -> Result<(Releases, Unreadable), Unknown> {
    let from_project = match project {
        Ok(project) => project
            .releases
            .clone()
            .map(|releases| (releases, project.unreadable.clone()))
            .map_err(Unknown::malformed),
        Err(reason) => Err(reason.clone()),
    };
    let from_simple = match simple {
        Ok(simple) => simple
            .files
            .as_ref()
            .map(|files| (files, &simple.unreadable, &simple.versions))
            .map_err(|reason| Unknown::malformed(reason.clone())),
        Err(reason) => Err(reason.clone()),
    };
    let (mut releases, mut unreadable) = match (from_project, &from_simple) {
        (Ok(found), _) => found,
        (Err(_), Ok(_)) => (Releases::new(), Unreadable::new()),
        (Err(project), Err(simple)) => {
            let detail = format!("{project}; {simple}");
            return Err(Unknown::joined([&project, simple], detail));
        }
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
pub(super) fn release_key(releases: &Releases, version: &str) -> String {
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
pub(super) fn yank_of(
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
pub(super) fn all_yanked(releases: &Releases, unreadable: &Unreadable) -> Result<bool, String> {
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
pub(super) fn advertised_provenance(
    files: &BTreeMap<String, FileRecord>,
    advertised: bool,
) -> Provenance {
    if advertised && files.values().any(|f| f.provenance.is_some()) {
        first_advertised(files)
    } else {
        Provenance::None
    }
}

/// `Attested` with the first advertised provenance URL.
pub(super) fn first_advertised(files: &BTreeMap<String, FileRecord>) -> Provenance {
    Provenance::Attested {
        url: files
            .values()
            .find_map(|f| f.provenance.as_ref())
            .map(Url::to_string),
        predicate_type: None,
    }
}

/// One release from its files.
pub(super) fn release(
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
pub(super) enum ProvenanceLookup {
    /// Provenance exists; the publisher its attestations name (`None`: none, or several).
    Publisher(Option<Publisher>),
    /// The file has no provenance.
    Absent,
    /// The question could not be answered.
    Failed(Unknown),
}

/// A trusted publisher named by an attestation bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Publisher {
    /// `github`, `gitlab`, `google` (lowercased `kind`).
    pub(super) provider: String,
    /// `owner/repo` or project path (GitHub, GitLab).
    pub(super) repository: Option<String>,
    /// Workflow file (GitHub `workflow`, GitLab `workflow_filepath`).
    pub(super) workflow: Option<String>,
    /// Service account (Google).
    pub(super) email: Option<String>,
}

impl Publisher {
    pub(super) fn provenance(&self) -> Provenance {
        Provenance::TrustedPublishing {
            provider: self.provider.clone(),
            repository: self.repository.clone(),
            workflow: self.workflow.clone(),
            run: None,
            commit: None,
        }
    }

    pub(super) fn identity(&self) -> Option<Identity> {
        let subject = self.repository.as_ref().or(self.email.as_ref())?;
        Some(Identity {
            id: format!("trusted-publisher:{}:{subject}", self.provider),
            display: subject.clone(),
            kind: IdentityKind::TrustedPublisher,
        })
    }
}

impl PublisherWire {
    pub(super) fn into_publisher(self) -> Option<Publisher> {
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

//! crates.io's documents turned into facts: sparse-index lines into releases, the API's crate
//! document into repository, trusted-publishing and yank details, the owners document into
//! owners. Pure functions of the bodies: the requests, the budget and the cache are the
//! client's ([`super::CratesClient`]).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::IndexFailure;
use super::wire::{CrateWire, IndexLine, OwnerWire, VersionWire};
use crate::model::facts::{
    Fact, Identity, IdentityKind, Owner, Provenance, Release, Unknown, UnknownKind,
};
use crate::registry::decode::{section, timestamp};

/// One decoded index line.
#[derive(Debug)]
pub(super) struct IndexEntry {
    pub(super) version: String,
    pub(super) yanked: bool,
    pub(super) integrity: Option<String>,
    pub(super) published: Option<Timestamp>,
    /// Normal and build dependencies, package name → requirement; `None` when `deps` is
    /// missing or not a list.
    pub(super) dependencies: Option<BTreeMap<String, String>>,
}

/// An index line's `deps` other than dev ones, by package name (a renamed dependency's
/// `package`), with their requirements; entries that are not objects with string `name` and
/// `req` are left out.
pub(super) fn declared(deps: Option<&serde_json::Value>) -> Option<BTreeMap<String, String>> {
    let deps = deps?.as_array()?;
    Some(
        deps.iter()
            .filter(|dep| dep.get("kind").and_then(serde_json::Value::as_str) != Some("dev"))
            .filter_map(|dep| {
                let name = dep
                    .get("package")
                    .and_then(serde_json::Value::as_str)
                    .or_else(|| dep.get("name").and_then(serde_json::Value::as_str))?;
                let requirement = dep.get("req").and_then(serde_json::Value::as_str)?;
                Some((name.to_string(), requirement.to_string()))
            })
            .collect(),
    )
}

impl IndexEntry {
    pub(super) fn from_line(
        line: IndexLine,
        url: &str,
        number: usize,
        notes: &mut Vec<String>,
    ) -> Self {
        let integrity = match line.cksum {
            Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Some(format!("sha256:{}", hex.to_ascii_lowercase()))
            }
            Some(other) => {
                notes.push(format!(
                    "`{url}` line {number}: `cksum` {other:?} is not a sha256 digest"
                ));
                None
            }
            None => None,
        };
        let published = timestamp(line.pubtime.as_deref());
        if published.is_none()
            && let Some(pubtime) = &line.pubtime
        {
            notes.push(format!(
                "`{url}` line {number}: `pubtime` {pubtime:?} is not a timestamp"
            ));
        }
        IndexEntry {
            dependencies: declared(line.deps.as_ref()),
            version: line.vers,
            yanked: line.yanked.unwrap_or(false),
            integrity,
            published,
        }
    }

    /// The release, with what the API adds when it answered.
    /// `api`: the API's record of this version, `Ok(None)` when the API answered without it,
    /// `Err(reason)` when it could not be asked: publisher and provenance are then unknown.
    pub(super) fn release(self, api: Result<Option<&ApiVersion>, &Unknown>) -> Release {
        let (publisher, provenance) = match api {
            Ok(Some(v)) => (
                Fact::Known(v.publisher.clone()),
                Fact::Known(v.provenance.clone()),
            ),
            Ok(None) => {
                let reason = format!(
                    "the crates.io API does not list version {} (published after it answered?)",
                    self.version
                );
                (
                    Fact::unknown_as(UnknownKind::NotRecorded, reason.clone()),
                    Fact::unknown_as(UnknownKind::NotRecorded, reason),
                )
            }
            Err(reason) => (
                Fact::unknown(reason.map_detail(|reason| format!("publisher unknown: {reason}"))),
                Fact::unknown(
                    reason.map_detail(|reason| format!("trusted publishing unknown: {reason}")),
                ),
            ),
        };
        let api = api.ok().flatten();
        Release {
            published: self.published.or(api.and_then(|v| v.published)),
            publisher,
            yanked: self.yanked,
            yank_reason: if self.yanked {
                api.and_then(|v| v.yank_message.clone())
            } else {
                None
            },
            provenance,
            integrity: self.integrity,
            signatures: Vec::new(),
            maintainers: None,
            repository: None,
            files: Vec::new(),
            verification: None,
            version: self.version,
        }
    }
}

/// What the crate endpoint answers.
#[derive(Debug)]
pub(super) struct CrateAnswer {
    pub(super) repository: Option<String>,
    /// `trustpub_only`: only trusted-publishing uploads are accepted.
    pub(super) trustpub_only: Option<bool>,
    /// `num` → version; in the order the API lists them.
    pub(super) versions: BTreeMap<String, ApiVersion>,
    /// `num`s in the order listed.
    pub(super) order: Vec<String>,
}

/// What the API says about one version.
#[derive(Debug, Clone)]
pub(super) struct ApiVersion {
    pub(super) published: Option<Timestamp>,
    pub(super) publisher: Option<Identity>,
    pub(super) provenance: Provenance,
    pub(super) yanked: bool,
    pub(super) yank_message: Option<String>,
    pub(super) integrity: Option<String>,
}

impl CrateAnswer {
    pub(super) fn decode(
        url: &Url,
        document: &Value,
        notes: &mut Vec<String>,
    ) -> Result<Self, String> {
        let krate = section::<CrateWire>(document, "crate", url)?
            .ok_or_else(|| format!("`{url}` has no `crate` object"))?;
        let mut versions = BTreeMap::new();
        let mut order = Vec::new();
        let listed = match section::<Vec<Value>>(document, "versions", url) {
            Ok(listed) => listed.unwrap_or_default(),
            Err(reason) => {
                notes.push(reason);
                Vec::new()
            }
        };
        for entry in listed {
            match VersionWire::deserialize(&entry) {
                Ok(version) => {
                    order.push(version.num.clone());
                    versions.insert(version.num.clone(), ApiVersion::from_wire(version));
                }
                Err(error) => notes.push(format!("`{url}`: a version entry was skipped: {error}")),
            }
        }
        Ok(CrateAnswer {
            trustpub_only: krate.trustpub_only,
            repository: krate
                .repository
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty()),
            versions,
            order,
        })
    }

    /// Releases from the API alone (when the index did not answer), oldest first.
    pub(super) fn releases(&self) -> Vec<Release> {
        let mut releases: Vec<Release> = self
            .order
            .iter()
            .rev()
            .filter_map(|num| {
                let version = self.versions.get(num)?;
                Some(Release {
                    version: num.clone(),
                    published: version.published,
                    publisher: Fact::Known(version.publisher.clone()),
                    yanked: version.yanked,
                    yank_reason: version.yank_message.clone().filter(|_| version.yanked),
                    provenance: Fact::Known(version.provenance.clone()),
                    integrity: version.integrity.clone(),
                    signatures: Vec::new(),
                    maintainers: None,
                    repository: None,
                    files: Vec::new(),
                    verification: None,
                })
            })
            .collect();
        // Stable: versions without a time go last, in the API's order.
        releases.sort_by_key(|release| (release.published.is_none(), release.published));
        releases
    }
}

impl ApiVersion {
    pub(super) fn from_wire(wire: VersionWire) -> Self {
        let trusted = wire.trustpub_data.and_then(|data| {
            let provider = data.provider.trim().to_lowercase();
            let repository = data
                .repository
                .or(data.project_path)
                .filter(|r| !r.trim().is_empty());
            let non_empty = |text: Option<String>| text.filter(|t| !t.trim().is_empty());
            let run = non_empty(data.run_id).or(non_empty(data.job_id));
            let commit = non_empty(data.sha);
            (!provider.is_empty()).then_some((provider, repository, run, commit))
        });
        let (provenance, publisher) = match trusted {
            Some((provider, repository, run, commit)) => (
                Provenance::TrustedPublishing {
                    provider: provider.clone(),
                    repository: repository.clone(),
                    workflow: None,
                    run,
                    commit,
                },
                repository.map(|repository| Identity {
                    id: format!("trusted-publisher:{provider}:{repository}"),
                    display: repository,
                    kind: IdentityKind::TrustedPublisher,
                }),
            ),
            None => (
                Provenance::None,
                wire.published_by.map(|user| Identity {
                    id: format!("crates:user:{}", user.id),
                    display: user.login,
                    kind: IdentityKind::User,
                }),
            ),
        };
        ApiVersion {
            published: timestamp(wire.created_at.as_deref()),
            publisher,
            provenance,
            yanked: wire.yanked.unwrap_or(false),
            yank_message: wire.yank_message.filter(|m| !m.trim().is_empty()),
            integrity: wire
                .checksum
                .filter(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(|hex| format!("sha256:{}", hex.to_ascii_lowercase())),
        }
    }
}

/// The index file `body` served at `label` for crate `name`: one entry per line that is one.
pub(super) fn decode_index(
    label: &str,
    name: &str,
    body: &[u8],
    notes: &mut Vec<String>,
) -> Result<Vec<IndexEntry>, IndexFailure> {
    let mut entries = Vec::new();
    let mut skipped = 0usize;
    for (number, line) in body.split(|byte| *byte == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let line_number = number + 1;
        match serde_json::from_slice::<IndexLine>(line) {
            Ok(line) if !line.name.eq_ignore_ascii_case(name) => {
                skipped += 1;
                notes.push(format!(
                    "`{label}` line {line_number}: names crate {:?}, not `{name}`; skipped",
                    line.name
                ));
            }
            Ok(line) => entries.push(IndexEntry::from_line(line, label, line_number, notes)),
            Err(error) => {
                skipped += 1;
                notes.push(format!(
                    "`{label}` line {line_number} is not an index entry ({error}); skipped"
                ));
            }
        }
    }
    if entries.is_empty() {
        return Err(IndexFailure {
            reason: Unknown::malformed(if skipped == 0 {
                format!("`{label}` lists no release")
            } else {
                format!("`{label}`: none of its {skipped} lines is an index entry")
            }),
            absent: false,
        });
    }
    Ok(entries)
}

/// The owners document: users and teams.
pub(super) fn decode_owners(
    url: &Url,
    document: &Value,
    notes: &mut Vec<String>,
) -> Result<Vec<Owner>, String> {
    let listed = section::<Vec<Value>>(document, "users", url)?
        .ok_or_else(|| format!("`{url}` has no `users` list"))?;
    let mut owners = Vec::new();
    for entry in listed {
        let owner = match OwnerWire::deserialize(&entry) {
            Ok(owner) => owner,
            Err(error) => {
                notes.push(format!("`{url}`: an owner entry was skipped: {error}"));
                continue;
            }
        };
        let (prefix, kind) = match owner.kind.as_deref().unwrap_or("user") {
            "user" => ("user", IdentityKind::User),
            "team" => ("team", IdentityKind::Team),
            other => {
                notes.push(format!(
                    "`{url}`: owner {:?} has unknown kind {other:?}; skipped",
                    owner.login
                ));
                continue;
            }
        };
        owners.push(Owner {
            identity: Identity {
                id: format!("crates:{prefix}:{}", owner.id),
                display: owner.login,
                kind,
            },
            role: None,
        });
    }
    Ok(owners)
}

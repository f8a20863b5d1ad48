//! crates.io: what the sparse index and the API say about a crate and the version in use, raw
//! and without judgement.
//!
//! Requests, per crate (economy: the API only for what the index cannot answer, issue 3):
//! 1. the sparse index file `<index>/<path>` (cargo's registry-index path rules: `1/<n>`,
//!    `2/<n>`, `3/<c>/<n>`, `<c1c2>/<c3c4>/<n>`, lowercased): one JSON object per line, one
//!    line per release, in publish order: `vers`, `yanked`, `cksum` (sha256 of the `.crate`)
//!    and `pubtime` (when the index has it). No rate limit applies.
//! 2. the API, which the net layer paces at one request per second (shared by the processes
//!    using one cache directory):
//!    `api/v1/crates/<name>?include=versions` (the declared `repository`; per version
//!    `published_by`, `trustpub_data`, `yank_message`, and `created_at` as the publish time of
//!    releases whose index line has no `pubtime`) and `api/v1/crates/<name>/owners` (users and
//!    teams who can publish now).
//!
//! When the index answers 404 or 410 the crate is not in this registry: every fact is unknown
//! and the API is not asked. When the API cannot be reached, the releases from the index stay
//! known and the owners and repository are unknown with the reason; so are each release's
//! publisher and provenance. When the index fails otherwise, the releases come from the API's
//! versions.
//!
//! Once the API fails in a way that will not change during the run (connection refused,
//! timeout, 403 — crates.io's answer to a client it refuses —, 429 or 5xx after the net layer's
//! retries), this client stops asking it: at one request per second, asking again for each of a
//! thousand crates would only add a quarter of an hour of failures. The later crates' facts say
//! so. A 404 or 410 concerns one crate and does not stop anything.
//!
//! Choices worth knowing:
//! - `integrity` is `sha256:<cksum>`; `publisher` is `crates:user:<id>` (display: login) or, for
//!   a trusted-publishing release, `trusted-publisher:<provider>:<repository>`, which is also
//!   the release's [`Provenance::TrustedPublishing`] (crates.io gives no workflow file).
//! - `yanked` comes from the index (the only field of a line that ever changes);
//!   `yank_reason` from the API's `yank_message`.
//! - `install_scripts` is unknown: crates.io does not report build scripts, and `build.rs` and
//!   procedural macros run at build time, not at install time.
//! - The declared repository is kept as the raw URL (trimmed); the gatherer normalizes it.
//! - What went wrong without making a whole fact unknown (an index line that does not decode, a
//!   version entry skipped) is returned as notes by `CratesClient::package_with_notes`.
//!
//! A run's API requests are rationed ([`CratesClient::with_api_budget`], default
//! [`DEFAULT_API_BUDGET`], `--crates-api-budget`): at one request per second, two requests per
//! crate make a first scan of 335 crates take eleven minutes. `CratesClient::plan` spends the
//! budget on owners never fetched, then crate documents never fetched (or without the version
//! in use), then the stalest; past the budget, a document comes from the cache however old, its
//! age in the package's notes ("owners as of 2026-11-28 (6 days old …)"), or is unknown with the
//! reason, and later runs fill it in. Measured by `cargo bench --bench cargo_budget`.
//!
//! Organisations that scan many repositories can answer owners, publishers and repositories
//! from a local crates.io database dump instead (`--crates-db-dump DIR`, [`dump`]):
//! `curl -sSfL https://static.crates.io/db-dump.tar.gz | tar -xz` (about 1 GB unpacked, updated
//! daily; fetching it is left to the operator, e.g. one scheduled job that shares it). The dump
//! has no trusted-publishing data and no yank messages.
//!
//! [`Provenance::TrustedPublishing`]: crate::model::facts::Provenance::TrustedPublishing

mod decoding;
pub mod dump;
mod wire;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use url::Url;

use super::decode::{endpoint, fact, json_object};
use crate::model::Ecosystem;
use crate::model::facts::{Fact, PackageFacts, Release, Status, Unknown, UnknownKind};
use crate::net::{Freshness, Net, NetError, Request};
use decoding::{CrateAnswer, IndexEntry, decode_index, decode_owners};
use dump::CratesDbDump;
use wire::IndexLine;

/// How long an index file or API answer stays fresh.
const FRESHNESS: Freshness = Freshness::Mutable(Duration::from_secs(60 * 60));

/// The crates.io client: sparse index and API.
#[derive(Debug)]
pub struct CratesClient {
    net: Arc<Net>,
    index: Url,
    api: Url,
    /// Why the API is no longer asked in this run, once it failed for good.
    api_down: Mutex<Option<String>>,
    /// A local database dump answering owners, publishers and repositories instead of the API.
    dump: Option<Arc<CratesDbDump>>,
    /// The API requests this run may send, when rationed ([`CratesClient::with_api_budget`]).
    budget: Option<Budget>,
}

/// How recent a version in use must be for its documents to come first within a class of
/// [`CratesClient::plan`]: the window in which new-publisher and too-new judge a release.
const RECENT: Duration = Duration::from_secs(90 * 24 * 60 * 60);

/// The default number of crates.io API requests per run: at the API's one request per second
/// it fits the default network deadline (60 s) with room for the index.
pub const DEFAULT_API_BUDGET: usize = 50;

/// A per-run ration of crates.io API requests. Past it, documents come from the cache however
/// old (said with their age in the package's notes) or are unknown with the reason, and later
/// runs fill them in: [`CratesClient::plan`] spends each run's budget on what is missing first,
/// then on what is oldest.
#[derive(Debug)]
struct Budget {
    limit: usize,
    /// The URLs this run may fetch, when planned; else the first `limit` asked.
    allowed: Mutex<Option<HashSet<String>>>,
    /// What the plan found in the cache for each planned URL: when it was fetched and whether
    /// it is fresh, or `None` when nothing is cached (so a document past the budget with
    /// nothing cached is answered without asking the cache again).
    seen: Mutex<HashMap<String, Option<(jiff::Timestamp, bool)>>>,
    spent: std::sync::atomic::AtomicUsize,
}

impl Budget {
    fn allows(&self, url: &Url) -> bool {
        let allowed = self.allowed.lock().unwrap_or_else(PoisonError::into_inner);
        match allowed.as_ref() {
            Some(allowed) => allowed.contains(url.as_str()),
            None => self.spent.fetch_add(1, Ordering::Relaxed) < self.limit,
        }
    }
}

impl CratesClient {
    /// A client for the sparse index at `index` (`https://index.crates.io/`) and the API at
    /// `api` (`https://crates.io/`).
    pub fn new(net: Arc<Net>, index: Url, api: Url) -> Self {
        CratesClient {
            net,
            index,
            api,
            api_down: Mutex::new(None),
            dump: None,
            budget: None,
        }
    }

    /// Sends at most `limit` crates.io API requests in this run (see [`DEFAULT_API_BUDGET`]);
    /// call `CratesClient::plan` with the run's crates to choose which.
    pub fn with_api_budget(mut self, limit: usize) -> Self {
        self.budget = Some(Budget {
            limit,
            allowed: Mutex::new(None),
            seen: Mutex::new(HashMap::new()),
            spent: std::sync::atomic::AtomicUsize::new(0),
        });
        self
    }

    /// Chooses the API documents this run fetches within its budget, from what the cache holds
    /// for `crates` (name, version in use): owners never fetched first, then crate documents
    /// never fetched or without the version in use (its publisher), then stale owners, then
    /// stale crate documents, oldest first; within each, versions published in the last 90 days
    /// first (from the index, which is asked here and not rationed), then in the order of
    /// `crates` (callers put direct dependencies first). Owners come first because they change without a release; a
    /// version's publisher never changes once known.
    ///
    /// Returns how many API requests this run expects to send (all of them, twice the crates,
    /// without a budget; none with a database dump).
    pub(crate) async fn plan(&self, crates: &[(&str, &str)]) -> usize {
        if self.dump.is_some() {
            return 0;
        }
        let Some(budget) = &self.budget else {
            return 2 * crates.len();
        };
        // The index (not rationed, and asked for every crate anyway: the answers are kept for
        // `package`) says when each version in use was published: a recent one is where a
        // new publisher matters most, so its documents come first within each class.
        let index_requests: Vec<Request> = crates
            .iter()
            .filter_map(|&(name, _)| index_url(&self.index, name).ok())
            .map(|url| Request {
                url,
                accept: None,
                freshness: FRESHNESS,
            })
            .collect();
        self.net.preload(&index_requests).await;
        let recent: Vec<bool> = futures_util::stream::iter(crates.iter())
            .map(|&(name, version)| self.recently_published(name, version))
            .buffered(16)
            .collect()
            .await;
        // What the cache holds for every API document, in one query: its age, and for a
        // crate document whether it lists the version in use (the publisher).
        let mut versions: HashMap<String, String> = HashMap::new();
        let mut requests = Vec::new();
        let mut urls = Vec::new();
        for (position, &(name, version)) in crates.iter().enumerate() {
            if !is_crate_name(name) {
                continue;
            }
            let (Ok(owners), Ok(krate)) = (self.owners_url(name), self.crate_url(name)) else {
                continue;
            };
            versions.insert(krate.to_string(), version.to_string());
            requests.push(api_request(&owners));
            requests.push(api_request(&krate));
            urls.push((position, owners.to_string(), krate.to_string()));
        }
        let cached = self
            .net
            .inspect_cached(&requests, move |url, body| {
                let Some(version) = versions.get(url) else {
                    return true;
                };
                serde_json::from_slice::<Value>(body)
                    .ok()
                    .and_then(|document| {
                        document.get("versions")?.as_array().map(|listed| {
                            listed.iter().any(|entry| {
                                entry.get("num").and_then(Value::as_str) == Some(version)
                            })
                        })
                    })
                    .unwrap_or(false)
            })
            .await;
        let mut seen = HashMap::new();
        let mut wanted: Vec<(u8, bool, jiff::Timestamp, usize, String)> = Vec::new();
        for (position, owners, krate) in urls {
            let older = !recent.get(position).copied().unwrap_or(false);
            match cached.get(&owners) {
                None => wanted.push((0, older, jiff::Timestamp::MIN, position, owners.clone())),
                Some(&(_, at, false)) => wanted.push((2, older, at, position, owners.clone())),
                Some(_) => {}
            }
            match cached.get(&krate) {
                None => wanted.push((1, older, jiff::Timestamp::MIN, position, krate.clone())),
                Some(&(false, at, _)) => wanted.push((1, older, at, position, krate.clone())),
                Some(&(true, at, false)) => wanted.push((3, older, at, position, krate.clone())),
                Some(&(true, _, true)) => {}
            }
            for url in [owners, krate] {
                let state = cached.get(&url).map(|&(_, at, fresh)| (at, fresh));
                seen.insert(url, state);
            }
        }
        *budget.seen.lock().unwrap_or_else(PoisonError::into_inner) = seen;
        wanted.sort();
        let allowed: HashSet<String> = wanted
            .into_iter()
            .take(budget.limit)
            .map(|(_, _, _, _, url)| url)
            .collect();
        let count = allowed.len();
        *budget
            .allowed
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(allowed);
        count
    }

    /// Whether the index says `version` of `name` was published within [`RECENT`] of the run's
    /// clock (false when it does not say).
    async fn recently_published(&self, name: &str, version: &str) -> bool {
        let Ok(url) = index_url(&self.index, name) else {
            return false;
        };
        let label = url.to_string();
        let request = Request {
            url,
            accept: None,
            freshness: FRESHNESS,
        };
        let Ok(fetched) = self.net.get(request).await else {
            return false;
        };
        let mut notes = Vec::new();
        let Ok(entries) = decode_index(&label, name, &fetched.body, &mut notes) else {
            return false;
        };
        entries
            .iter()
            .find(|entry| entry.version == version)
            .and_then(|entry| entry.published)
            .and_then(|published| {
                jiff::SignedDuration::try_from(RECENT)
                    .ok()
                    .and_then(|recent| self.net.now().checked_sub(recent).ok())
                    .map(|since| published >= since)
            })
            .unwrap_or(false)
    }

    fn crate_url(&self, name: &str) -> Result<Url, String> {
        endpoint(&self.api, &["api", "v1", "crates", name]).map(|mut url| {
            url.set_query(Some("include=versions"));
            url
        })
    }

    fn owners_url(&self, name: &str) -> Result<Url, String> {
        endpoint(&self.api, &["api", "v1", "crates", name, "owners"])
    }

    /// Answers owners, publishers and repositories from a crates.io database dump instead of
    /// the API (big graphs: the API allows one request per second). The dump has no
    /// trusted-publishing data and no yank messages: provenance stays unknown.
    pub fn with_dump(mut self, dump: Arc<CratesDbDump>) -> Self {
        self.dump = Some(dump);
        self
    }

    /// The facts of crate `name` with `version` in use.
    pub async fn package(&self, name: &str, version: &str) -> PackageFacts {
        let (mut facts, notes) = self.package_with_notes(name, version).await;
        facts.notes = notes;
        facts
    }

    /// [`CratesClient::package`], plus what went wrong without making a whole fact unknown
    /// (an index line skipped, a version entry of the API skipped), one line each.
    pub(crate) async fn package_with_notes(
        &self,
        name: &str,
        version: &str,
    ) -> (PackageFacts, Vec<String>) {
        let mut notes = Vec::new();
        let mut facts = PackageFacts {
            id: crate::model::PackageId::new(Ecosystem::Cargo, name, version),
            ecosystem: Ecosystem::Cargo,
            name: name.to_string(),
            version: version.to_string(),
            registry: self.index.to_string(),
            releases: Fact::unknown_as(UnknownKind::Other, "not looked up"),
            owners: Fact::unknown_as(UnknownKind::Other, "not looked up"),
            repository: Fact::unknown_as(UnknownKind::Other, "not looked up"),
            repository_facts: Fact::unknown_as(UnknownKind::Other, "not looked up"),
            status: Fact::unknown_as(UnknownKind::Other, "not looked up"),
            notes: Vec::new(),
            declared_dependencies: None,
            install_scripts: Fact::unknown_as(
                UnknownKind::NotRecorded,
                "crates.io does not report build scripts (build.rs and proc macros run at build time)",
            ),
        };
        if !is_crate_name(name) {
            let reason = Unknown::other(format!("`{name}` is not a crates.io crate name"));
            set_all_unknown(&mut facts, &reason);
            return (facts, notes);
        }

        let index = match index_url(&self.index, name) {
            Ok(url) => self.index_entries(url, name, &mut notes).await,
            Err(reason) => Err(IndexFailure {
                reason: Unknown::other(reason),
                absent: false,
            }),
        };
        if let Err(IndexFailure {
            reason,
            absent: true,
        }) = &index
        {
            set_all_unknown(
                &mut facts,
                &reason.map_detail(|reason| format!("not in the index: {reason}")),
            );
            return (facts, notes);
        }
        if let Ok(entries) = &index {
            facts.declared_dependencies = entries
                .iter()
                .find(|entry| entry.version == version)
                .and_then(|entry| entry.dependencies.clone());
        }

        if let Some(dump) = &self.dump {
            self.answer_from_dump(dump, name, version, index, &mut facts, &mut notes);
            return (facts, notes);
        }

        let crate_url = self.crate_url(name);
        let owners_url = self.owners_url(name);
        let (krate, owners) =
            futures_util::join!(self.api_document(crate_url), self.api_document(owners_url));
        let (krate, owners) = (
            stale_note(
                krate,
                &mut notes,
                "publishers and repository",
                self.net.now(),
            ),
            stale_note(owners, &mut notes, "owners", self.net.now()),
        );
        let krate = krate.and_then(|(url, document)| {
            CrateAnswer::decode(&url, &document, &mut notes).map_err(Unknown::malformed)
        });
        let owners = owners.and_then(|(url, document)| {
            decode_owners(&url, &document, &mut notes).map_err(Unknown::malformed)
        });

        facts.owners = fact(owners);
        facts.repository = fact(
            krate
                .as_ref()
                .map(|k| k.repository.clone())
                .map_err(Clone::clone),
        );

        let releases = match (index, &krate) {
            (Ok(entries), Ok(krate)) => Ok(entries
                .into_iter()
                .map(|entry| {
                    let api = krate.versions.get(&entry.version);
                    entry.release(Ok(api))
                })
                .collect::<Vec<_>>()),
            (Ok(entries), Err(reason)) => Ok(entries
                .into_iter()
                .map(|entry| entry.release(Err(reason)))
                .collect()),
            (Err(failure), Ok(krate)) => {
                notes.push(format!(
                    "releases of `{name}` come from the API: {}",
                    failure.reason
                ));
                Ok(krate.releases())
            }
            (Err(failure), Err(_)) => Err(failure.reason),
        };
        match releases {
            Ok(releases) => {
                if !releases.iter().any(|r| r.version == version) {
                    notes.push(format!(
                        "version {version} is not among the releases of `{name}`"
                    ));
                }
                facts.status = Fact::Known(Status {
                    all_yanked: !releases.is_empty() && releases.iter().all(|r| r.yanked),
                    trusted_publishing_only: krate.as_ref().ok().and_then(|k| k.trustpub_only),
                    ..Status::default()
                });
                facts.releases = Fact::Known(releases);
            }
            Err(reason) => {
                facts.status = Fact::unknown(reason.clone());
                facts.releases = Fact::unknown(reason);
            }
        }
        (facts, notes)
    }

    /// Owners, publishers and repository from the database dump; releases from the index.
    fn answer_from_dump(
        &self,
        dump: &CratesDbDump,
        name: &str,
        version: &str,
        index: Result<Vec<IndexEntry>, IndexFailure>,
        facts: &mut PackageFacts,
        notes: &mut Vec<String>,
    ) {
        let label = match dump.date() {
            Some(date) => format!("the crates.io database dump of {date}"),
            None => "the crates.io database dump".to_string(),
        };
        let no_trustpub = Unknown::not_recorded(format!("{label} has no trusted-publishing data"));
        let Some(krate) = dump.crate_facts(name) else {
            let reason = Unknown::not_recorded(format!("`{name}` is not in {label}"));
            facts.owners = Fact::unknown(reason.clone());
            facts.repository = Fact::unknown(reason.clone());
            match index {
                Ok(entries) => {
                    facts.releases = Fact::Known(
                        entries
                            .into_iter()
                            .map(|entry| entry.release(Err(&reason)))
                            .collect(),
                    );
                    facts.status = Fact::unknown(reason);
                }
                Err(failure) => set_all_unknown(facts, &failure.reason),
            }
            return;
        };
        facts.owners = Fact::Known(krate.owners.clone());
        facts.repository = Fact::Known(krate.repository.clone());
        let entries = match index {
            Ok(entries) => entries,
            Err(failure) => {
                facts.releases = Fact::unknown(failure.reason.clone());
                facts.status = Fact::unknown(failure.reason);
                return;
            }
        };
        let releases: Vec<Release> = entries
            .into_iter()
            .map(|entry| {
                let dumped = krate.versions.get(&entry.version);
                let publisher = match dumped {
                    Some(v) => Fact::Known(v.publisher.clone()),
                    None => Fact::unknown_as(
                        UnknownKind::NotRecorded,
                        format!(
                            "version {} is not in {label} (published after it?)",
                            entry.version
                        ),
                    ),
                };
                let published = entry.published.or(dumped.and_then(|v| v.published));
                let mut release = entry.release(Err(&no_trustpub));
                release.publisher = publisher;
                release.published = published;
                release
            })
            .collect();
        if !releases.iter().any(|r| r.version == version) {
            notes.push(format!(
                "version {version} is not among the releases of `{name}`"
            ));
        }
        facts.status = Fact::Known(Status {
            all_yanked: !releases.is_empty() && releases.iter().all(|r| r.yanked),
            ..Status::default()
        });
        facts.releases = Fact::Known(releases);
    }

    /// The lines of the crate's index file that decode; the others become notes.
    async fn index_entries(
        &self,
        url: Url,
        name: &str,
        notes: &mut Vec<String>,
    ) -> Result<Vec<IndexEntry>, IndexFailure> {
        let label = url.to_string();
        let fetched = self
            .net
            .get(Request {
                url,
                accept: None,
                freshness: FRESHNESS,
            })
            .await
            .map_err(|error| IndexFailure {
                absent: matches!(
                    error,
                    NetError::Status {
                        status: 404 | 410,
                        ..
                    }
                ),
                reason: Unknown::from(&error),
            })?;
        decode_index(&label, name, &fetched.body, notes)
    }

    /// GETs an API document (a JSON object), unless the API failed for good earlier in the
    /// run.
    /// An API document; with its fetch time when it is a stale answer from the cache (the
    /// budget was spent).
    async fn api_document(
        &self,
        url: Result<Url, String>,
    ) -> Result<(Url, Value, Option<jiff::Timestamp>), Unknown> {
        let url = url.map_err(Unknown::other)?;
        if let Some(budget) = &self.budget {
            // What the plan saw, else the cache.
            let seen = budget
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(url.as_str())
                .copied();
            let fresh = match seen {
                Some(state) => state.is_some_and(|(_, fresh)| fresh),
                None => matches!(
                    self.net.cached(&api_request(&url)).await,
                    Some((_, _, true))
                ),
            };
            if !fresh && !budget.allows(&url) {
                let cached = match seen {
                    Some(None) => None,
                    _ => self.net.cached(&api_request(&url)).await,
                };
                let spent = format!(
                    "the crates.io API budget of this run ({} requests, --crates-api-budget) is spent",
                    budget.limit
                );
                return match cached {
                    Some((fetched, at, _)) => json_object(url.as_str(), &fetched.body)
                        .map(|document| (url.clone(), document, Some(at)))
                        .map_err(|problem| Unknown::malformed(format!("{problem}; {spent}"))),
                    None => Err(Unknown {
                        kind: UnknownKind::BudgetExhausted,
                        detail: format!("`{url}` not asked: {spent}; a later run fetches it"),
                        url: Some(url.to_string()),
                    }),
                };
            }
        }
        if let Some(reason) = self.api_down() {
            return Err(Unknown {
                kind: UnknownKind::NotAsked,
                detail: format!(
                    "`{url}` not asked: the crates.io API failed earlier in this run ({reason})"
                ),
                url: Some(url.to_string()),
            });
        }
        let label = url.to_string();
        let fetched = match self.net.get(api_request(&url)).await {
            Ok(fetched) => fetched,
            Err(error) => {
                let reason = error.to_string();
                if fails_for_good(&error)
                    && let Ok(mut down) = self.api_down.lock()
                {
                    down.get_or_insert_with(|| reason.clone());
                }
                return Err(Unknown::from(&error));
            }
        };
        let document = json_object(&label, &fetched.body).map_err(Unknown::malformed)?;
        Ok((url, document, None))
    }

    fn api_down(&self) -> Option<String> {
        self.api_down.lock().ok().and_then(|down| down.clone())
    }
}

/// Whether an API failure will repeat for every other crate of the run.
fn fails_for_good(error: &NetError) -> bool {
    match error {
        NetError::Status { status, .. } => matches!(status, 403 | 429 | 500..=599),
        NetError::Offline { .. } | NetError::TooLarge { .. } => false,
        _ => true,
    }
}

/// The request for an API document.
fn api_request(url: &Url) -> Request {
    Request {
        url: url.clone(),
        accept: Some("application/json"),
        freshness: FRESHNESS,
    }
}

/// An API answer without its fetch time; a stale one (the budget was spent) says its age in
/// the package's notes.
fn stale_note(
    answer: Result<(Url, Value, Option<jiff::Timestamp>), Unknown>,
    notes: &mut Vec<String>,
    what: &str,
    now: jiff::Timestamp,
) -> Result<(Url, Value), Unknown> {
    let (url, document, stale) = answer?;
    if let Some(at) = stale {
        let days = now.duration_since(at).as_hours().max(0) / 24;
        notes.push(format!(
            "{what} as of {} ({days} days old, from the cache: the crates.io API budget of this run was spent): `{url}`",
            at.strftime("%Y-%m-%d")
        ));
    }
    Ok((url, document))
}

/// Every fact unknown for `reason` (install scripts and repository facts keep theirs).
fn set_all_unknown(facts: &mut PackageFacts, reason: &Unknown) {
    facts.releases = Fact::unknown(reason.clone());
    facts.owners = Fact::unknown(reason.clone());
    facts.repository = Fact::unknown(reason.clone());
    facts.status = Fact::unknown(reason.clone());
}

/// crates.io names: ASCII letters, digits, `-` and `_` (which also keeps index paths safe).
fn is_crate_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The index file of a crate, by cargo's path rules (lowercased).
fn index_url(index: &Url, name: &str) -> Result<Url, String> {
    let lower = name.to_ascii_lowercase();
    let path: Vec<&str> = match lower.len() {
        0 => return Err("an empty crate name has no index file".to_string()),
        1 => vec!["1", &lower],
        2 => vec!["2", &lower],
        3 => vec!["3", &lower[..1], &lower],
        _ => vec![&lower[..2], &lower[2..4], &lower],
    };
    endpoint(index, &path)
}

/// Why the index gave no release.
#[derive(Debug)]
struct IndexFailure {
    reason: Unknown,
    /// 404 or 410: the crate is not in this registry.
    absent: bool,
}

/// Runs a crates.io decoder on `data`, for [`crate::fuzz`]: the first byte picks the document
/// (index file, API crate document, owners document).
pub(crate) fn fuzz(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(url) = Url::parse("https://crates.invalid/api/v1/crates/pkg") else {
        return;
    };
    let mut notes = Vec::new();
    match pick % 3 {
        0 => {
            let name = body
                .split(|byte| *byte == b'\n')
                .find_map(|line| serde_json::from_slice::<IndexLine>(line).ok())
                .map_or_else(|| "pkg".to_string(), |line| line.name);
            if let Ok(entries) = decode_index(url.as_str(), &name, body, &mut notes) {
                for entry in entries {
                    entry.release(Err(&Unknown::other("not asked")));
                }
            }
        }
        1 => {
            if let Ok(answer) = json_object(url.as_str(), body)
                .and_then(|document| CrateAnswer::decode(&url, &document, &mut notes))
            {
                answer.releases();
            }
        }
        _ => {
            let _ = json_object(url.as_str(), body)
                .and_then(|document| decode_owners(&url, &document, &mut notes));
        }
    }
}

#[cfg(test)]
mod tests;

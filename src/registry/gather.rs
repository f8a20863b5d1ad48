//! Gathering: which requests a run makes for a set of packages, and in what order.
//!
//! 1. Packages are deduplicated; roots and packages that do not come from a registry (path,
//!    git, workspace) get every fact unknown with that reason, and no request.
//! 2. Each registry package is asked of its ecosystem's client, many at once (the network
//!    layer bounds the requests in flight per host and paces the crates.io API).
//! 3. With a trusted root, the version in use (and the latest earlier release with
//!    provenance) is verified as each package's facts arrive ([`super::verification`]).
//! 4. The declared repositories are normalized and each distinct GitHub repository is asked
//!    once, however many packages declare it; a repository on another host has its facts
//!    unknown with that reason (only the GitHub client exists).
//!
//! Economy of requests (issue 3): one packument per npm package, one JSON document (plus its
//! Simple API page) per PyPI project, provenance only for the files of the version in use,
//! the crates.io API only for what the sparse index cannot answer.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use futures_util::stream::{self, StreamExt};

use super::Endpoints;
use super::crates_io::CratesClient;
use super::github::{self, GithubClient};
use super::npm::NpmClient;
use super::pypi::PypiClient;
use super::verification::{VerificationStats, Verifier};
use crate::model::facts::{Fact, PackageFacts, RepositoryFacts, Unknown, UnknownKind};
use crate::model::repo_url::{self, RepoRef};
use crate::model::verification::{ProvenanceCheck, SignatureCheck};
use crate::model::{Ecosystem, PackageId, Source};
use crate::net::Net;
use crate::verify::bundle::TrustRoot;

/// How many packages are asked at once (the network layer bounds requests per host).
const PACKAGES_IN_FLIGHT: usize = 64;

/// One client per service.
#[derive(Debug)]
pub struct Registries {
    net: Arc<Net>,
    endpoints: Endpoints,
    npm: NpmClient,
    pypi: PypiClient,
    crates: CratesClient,
    github: GithubClient,
    verifier: Option<Verifier>,
    /// The trusted root's id, when verifying: decoded facts are then kept verified, under a
    /// key naming the root ([`Registries::decoded_key`]).
    root_id: Option<String>,
    /// Attestation results carried by verified decoded facts in this run (recalled from the
    /// cache with the facts rather than one by one).
    recalled_with_facts: std::sync::atomic::AtomicU64,
}

impl Registries {
    /// Clients for every service, at the given endpoints.
    pub fn new(net: &Arc<Net>, endpoints: &Endpoints) -> Self {
        Registries {
            net: Arc::clone(net),
            endpoints: endpoints.clone(),
            npm: NpmClient::new(Arc::clone(net), endpoints.npm.clone()),
            pypi: PypiClient::new(Arc::clone(net), endpoints.pypi.clone()),
            crates: CratesClient::new(
                Arc::clone(net),
                endpoints.crates_index.clone(),
                endpoints.crates_api.clone(),
            ),
            github: GithubClient::new(Arc::clone(net), endpoints.github_api.clone()),
            verifier: None,
            root_id: None,
            recalled_with_facts: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Verifies signatures and attestations against `root` (see [`super::verification`]).
    pub fn with_trust_root(mut self, net: &Arc<Net>, root: Arc<TrustRoot>) -> Self {
        self.root_id = Some(root.id.clone());
        self.verifier = Some(Verifier::new(root, Arc::clone(net)));
        self
    }

    /// How many attestations were verified and how many results came from the cache (one by
    /// one, or with the package's verified decoded facts).
    pub fn verification_stats(&self) -> VerificationStats {
        let mut stats = self
            .verifier
            .as_ref()
            .map(Verifier::stats)
            .unwrap_or_default();
        stats.recalled += self
            .recalled_with_facts
            .load(std::sync::atomic::Ordering::Relaxed);
        stats
    }

    /// Uses a crates.io database dump for owners, publishers and repositories.
    pub fn with_crates_client(mut self, crates: CratesClient) -> Self {
        self.crates = crates;
        self
    }

    /// Gathers the facts of every package, sorted by id.
    pub async fn gather(&self, packages: &[(PackageId, Source)]) -> Vec<PackageFacts> {
        let unique: BTreeMap<&PackageId, &Source> =
            packages.iter().map(|(id, source)| (id, source)).collect();
        // Facts an earlier run decoded, read at once: a package that has them asks nothing
        // (no request, no cache lookup), so it is neither planned nor announced below.
        let keys: Vec<String> = unique.keys().map(|id| self.decoded_key(id)).collect();
        let decoded = self.net.recall_many(keys).await;
        let mut ready: HashMap<&PackageId, PackageFacts> = unique
            .iter()
            .filter(|(_, source)| matches!(source, Source::Registry(_)))
            .filter_map(|(id, _)| Some((*id, self.decoded(id, &decoded)?)))
            .collect();
        drop(decoded);
        let asks = |id: &PackageId, source: &Source| {
            matches!(source, Source::Registry(_)) && !ready.contains_key(id)
        };
        // The crates.io API is rationed per run: choose what this run fetches first, in the
        // order given (callers put direct dependencies first).
        let mut planned = BTreeSet::new();
        let crates: Vec<(&str, &str)> = packages
            .iter()
            .filter(|(id, source)| {
                id.ecosystem == Ecosystem::Cargo && asks(id, source) && planned.insert(id)
            })
            .map(|(id, _)| (id.name.as_str(), id.version.as_str()))
            .collect();
        let api_requests = self.crates.plan(&crates).await;
        // What each service will be asked, for the progress `main` shows.
        let count = |ecosystem: Ecosystem| {
            unique
                .iter()
                .filter(|(id, source)| id.ecosystem == ecosystem && asks(id, source))
                .count() as u64
        };
        self.net.expect(&self.endpoints.npm, count(Ecosystem::Npm));
        self.net
            .expect(&self.endpoints.pypi, 2 * count(Ecosystem::Pypi));
        self.net
            .expect(&self.endpoints.crates_index, crates.len() as u64);
        self.net
            .expect(&self.endpoints.crates_api, api_requests as u64);
        let mut facts: Vec<PackageFacts> = stream::iter(unique)
            .map(|(id, source)| {
                let known = ready.remove(id);
                self.package(id, source, known)
            })
            .buffer_unordered(PACKAGES_IN_FLIGHT)
            .collect()
            .await;

        let repositories: BTreeSet<RepoRef> = facts
            .iter()
            .filter_map(declared_repository)
            .filter(RepoRef::is_github)
            .collect();
        self.net
            .expect(&self.endpoints.github_api, repositories.len() as u64);
        let answers: BTreeMap<RepoRef, Fact<RepositoryFacts>> = stream::iter(repositories)
            .map(|repo| async move {
                let answer = self.github.repository(&repo).await;
                (repo, answer)
            })
            .buffer_unordered(PACKAGES_IN_FLIGHT)
            .collect()
            .await;
        for package in &mut facts {
            package.repository_facts = match &package.repository {
                Fact::Unknown(reason) => Fact::unknown(
                    reason.map_detail(|reason| format!("the repository is unknown: {reason}")),
                ),
                Fact::Known(None) => Fact::unknown_as(
                    UnknownKind::NotRecorded,
                    "the package declares no repository",
                ),
                Fact::Known(Some(url)) => match declared_repository(package) {
                    Some(repo) => answers
                        .get(&repo)
                        .cloned()
                        .unwrap_or_else(|| Fact::unknown(github::not_looked_up(&repo))),
                    None => Fact::unknown_as(
                        UnknownKind::Other,
                        format!("`{url}` is not a repository URL"),
                    ),
                },
            };
        }
        facts.sort_by(|a, b| a.id.cmp(&b.id));
        facts
    }

    async fn package(
        &self,
        id: &PackageId,
        source: &Source,
        known: Option<PackageFacts>,
    ) -> PackageFacts {
        if !matches!(source, Source::Registry(_)) {
            return PackageFacts::all_unknown(
                id,
                Unknown::not_recorded(format!(
                    "`{id}` does not come from a registry (source: {})",
                    source.kind()
                )),
            );
        }
        if let Some(facts) = known {
            // Verified already when a verifier runs (the key names its root).
            if self.verifier.is_some() {
                self.recalled_with_facts.fetch_add(
                    recalled_results(&facts),
                    std::sync::atomic::Ordering::Relaxed,
                );
            }
            return facts;
        }
        let mut facts = match id.ecosystem {
            Ecosystem::Npm => self.npm.package(&id.name, &id.version).await,
            Ecosystem::Pypi => self.pypi.package(&id.name, &id.version).await,
            Ecosystem::Cargo => self.crates.package(&id.name, &id.version).await,
        };
        // Every client hands back a repository URL as declared; store it normalized.
        if let Fact::Known(Some(url)) = &facts.repository
            && let Some(repo) = repo_url::normalize(url)
        {
            facts.repository = Fact::Known(Some(repo.url()));
        }
        if let Some(verifier) = &self.verifier {
            verifier.verify(&mut facts, &self.npm, &self.pypi).await;
        }
        self.keep_decoded(id, &facts).await;
        facts
    }
}

impl Registries {
    /// The key of a package's decoded facts: its id and the registry asked.
    fn decoded_key(&self, id: &PackageId) -> String {
        let base = match id.ecosystem {
            Ecosystem::Npm => &self.endpoints.npm,
            Ecosystem::Pypi => &self.endpoints.pypi,
            Ecosystem::Cargo => &self.endpoints.crates_index,
        };
        match &self.root_id {
            Some(root) => format!("facts/v3 {base} {id} verified {root}"),
            None => format!("facts/v3 {base} {id}"),
        }
    }

    /// The facts decoded by an earlier run from documents that are still fresh, so that a warm
    /// run reads a few hundred bytes per package instead of re-parsing its registry documents
    /// (a PyPI project document can be megabytes). Offline, whatever their age, like the
    /// documents themselves. When verifying, they are kept verified: a warm run neither loads
    /// an attestation document nor recalls a verification result per file.
    fn decoded(&self, id: &PackageId, decoded: &HashMap<String, Vec<u8>>) -> Option<PackageFacts> {
        let bytes = decoded.get(&self.decoded_key(id))?;
        let kept: DecodedFacts = serde_json::from_slice(bytes).ok()?;
        (self.net.is_offline() || self.net.now() < kept.until).then_some(kept.facts)
    }

    /// Keeps `facts` for later runs while the documents behind them stay fresh, unless
    /// something in them is transient: a service that did not answer, a budget that ran out,
    /// an answer taken stale from the cache. Those are asked again next run.
    async fn keep_decoded(&self, id: &PackageId, facts: &PackageFacts) {
        if !lasting(facts) {
            return;
        }
        let Some(until) = self.net.now().checked_add(DECODED_FRESHNESS).ok() else {
            return;
        };
        let kept = DecodedFacts {
            until,
            facts: facts.clone(),
        };
        if let Ok(bytes) = serde_json::to_vec(&kept) {
            self.net.remember(&self.decoded_key(id), bytes).await;
        }
    }
}

/// How long decoded facts are reused: the freshness of the documents they come from (npm
/// packuments, PyPI project pages, crates.io index files and API documents: one hour).
const DECODED_FRESHNESS: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// A package's decoded facts, kept in the cache until `until`.
#[derive(serde::Serialize, serde::Deserialize)]
struct DecodedFacts {
    until: jiff::Timestamp,
    facts: PackageFacts,
}

/// Whether nothing in `facts` is transient (see [`Registries::keep_decoded`]): no unknown fact
/// or unknown verification check of a network kind (a service not asked or given up, a budget
/// spent, offline, a timeout, …), and nothing of the kind in the notes and the other words of
/// verification (invalid reasons, attestation failures), which are words only.
fn lasting(facts: &PackageFacts) -> bool {
    let mut reasons: Vec<Option<&Unknown>> = vec![
        facts.releases.reason(),
        facts.owners.reason(),
        facts.repository.reason(),
        facts.status.reason(),
        facts.install_scripts.reason(),
    ];
    // What verification could not check (an attestation document that did not answer, the
    // registry keys) is asked again too.
    let mut verification_texts: Vec<&str> = Vec::new();
    if let Fact::Known(releases) = &facts.releases {
        for release in releases {
            reasons.push(release.publisher.reason());
            reasons.push(release.provenance.reason());
            let Some(verification) = &release.verification else {
                continue;
            };
            match &verification.provenance {
                ProvenanceCheck::Unknown { reason } => reasons.push(Some(reason)),
                ProvenanceCheck::Invalid { reason } => verification_texts.push(reason),
                _ => {}
            }
            match &verification.registry_signature {
                SignatureCheck::Unknown { reason } => reasons.push(Some(reason)),
                SignatureCheck::Invalid { reason } | SignatureCheck::NotApplicable { reason } => {
                    verification_texts.push(reason);
                }
                _ => {}
            }
            verification_texts.extend(
                verification
                    .attestations
                    .iter()
                    .filter_map(|attestation| attestation.failure.as_deref()),
            );
        }
    }
    // Network kinds include a service not asked and a spent crates.io API budget.
    !reasons.into_iter().flatten().any(Unknown::is_network)
        && !verification_texts.iter().any(|text| transient_text(text))
        && !facts.notes.iter().any(|note| transient_text(note))
}

/// Whether a note or a verification result (words, not a typed reason) tells of something
/// transient: a service not asked, a budget, or a network fault named in its words.
fn transient_text(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("not asked")
        || lower.contains("budget")
        || lower.contains("is not in the cache and the network is off")
        || lower.contains("network deadline")
        || lower.contains("service deadline")
        || lower.contains("connection failed")
        || lower.contains("timed out")
        || lower.contains("the body is larger than")
        || (lower.contains("redirect")
            && (lower.contains("not https") || lower.contains("too many")))
        || http_status(&lower).is_some_and(|status| status == 403 || status == 429 || status >= 500)
}

/// The status of `answered HTTP NNN` in lower-case words.
fn http_status(lower: &str) -> Option<u16> {
    let rest = &lower[lower.find("http ")? + 5..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 3).then(|| digits.parse().ok()).flatten()
}

/// The attestation results a package's verified facts carry that the verification stage keeps
/// in the cache: every npm attestation entry checked, and each PyPI file whose provenance
/// document was checked (not one that was absent or could not be read).
fn recalled_results(facts: &PackageFacts) -> u64 {
    let Fact::Known(releases) = &facts.releases else {
        return 0;
    };
    releases
        .iter()
        .filter_map(|release| release.verification.as_ref())
        .flat_map(|verification| &verification.attestations)
        .filter(|check| {
            facts.ecosystem != Ecosystem::Pypi
                || check.failure.as_deref().is_none_or(|failure| {
                    !failure.starts_with("not read:") && failure != "no provenance for this file"
                })
        })
        .count() as u64
}

/// The normalized repository a package declares, when it declares one.
fn declared_repository(facts: &PackageFacts) -> Option<RepoRef> {
    match &facts.repository {
        Fact::Known(Some(url)) => repo_url::normalize(url),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::net::NetConfig;

    fn packument(name: &str) -> String {
        serde_json::json!({
            "name": name,
            "time": {"1.0.0": "2020-01-01T00:00:00.000Z"},
            "maintainers": [{"name": "alice"}],
            "versions": {"1.0.0": {"name": name, "version": "1.0.0", "_npmUser": {"name": "alice"},
                         "dist": {"integrity": "sha512-AAAA"}}}
        })
        .to_string()
    }

    /// A warm run within the documents' freshness takes the decoded facts, asking nothing and
    /// loading no document; facts with a network fault are never kept, so the next run asks.
    #[tokio::test]
    async fn warm_runs_reuse_decoded_facts_but_never_transient_ones() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/left-pad"))
            .respond_with(ResponseTemplate::new(200).set_body_string(packument("left-pad")))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/flaky"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let cache = tempfile::tempdir().expect("cache");
        let endpoints = Endpoints {
            npm: url::Url::parse(&format!("{}/", server.uri())).expect("url"),
            ..Endpoints::default()
        };
        let packages = [
            (
                PackageId::new(Ecosystem::Npm, "left-pad", "1.0.0"),
                Source::Registry(None),
            ),
            (
                PackageId::new(Ecosystem::Npm, "flaky", "1.0.0"),
                Source::Registry(None),
            ),
        ];
        let now = jiff::Timestamp::from_second(1_793_534_400).expect("time");
        let run = |at: jiff::Timestamp| {
            let config = NetConfig {
                cache_dir: Some(cache.path().to_path_buf()),
                max_retries: 0,
                ..NetConfig::default()
            };
            Net::new(config, at).expect("net")
        };
        let first_net = run(now);
        let first = Registries::new(&first_net, &endpoints)
            .gather(&packages)
            .await;
        let later = now
            .checked_add(jiff::SignedDuration::from_mins(30))
            .expect("time");
        let second_net = run(later);
        let second = Registries::new(&second_net, &endpoints)
            .gather(&packages)
            .await;
        assert_eq!(first[1], second[1], "left-pad: the same facts");
        let stats = second_net.stats();
        assert_eq!(stats.cache_hits, 0, "no document loaded for left-pad");
        assert_eq!(stats.requests_sent, 1, "flaky asked again: {stats:?}");
        assert!(!lasting(&first[0]), "{:?}", first[0].releases);
    }

    /// Crates whose decoded facts are fresh are not planned: a warm Cargo run reads no index
    /// file and no API document from the cache (2,000 crates: three lookups each otherwise)
    /// and announces no request.
    #[tokio::test]
    async fn a_warm_cargo_run_plans_nothing_for_decoded_crates() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/index/se/rd/serde"))
            .respond_with(ResponseTemplate::new(200).set_body_string(format!(
                r#"{{"name":"serde","vers":"1.0.0","deps":[],"cksum":"{}","features":{{}},"yanked":false}}"#,
                "a".repeat(64)
            )))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/crates/serde/owners"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string(r#"{"users":[{"id":7,"login":"alice","kind":"user"}]}"#),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/crates/serde"))
            .respond_with(ResponseTemplate::new(200).set_body_string(
                r#"{"crate":{"name":"serde","repository":null},"versions":[{"num":"1.0.0","created_at":"2024-01-01T00:00:00Z","published_by":{"id":7,"login":"alice"}}]}"#,
            ))
            .mount(&server)
            .await;
        let cache = tempfile::tempdir().expect("cache");
        let base = url::Url::parse(&format!("{}/", server.uri())).expect("url");
        let endpoints = Endpoints {
            crates_index: base.join("index/").expect("url"),
            crates_api: base.clone(),
            ..Endpoints::default()
        };
        let packages = [(
            PackageId::new(Ecosystem::Cargo, "serde", "1.0.0"),
            Source::Registry(None),
        )];
        let now = jiff::Timestamp::from_second(1_793_534_400).expect("time");
        let run = || async {
            let config = NetConfig {
                cache_dir: Some(cache.path().to_path_buf()),
                services: endpoints
                    .services(None)
                    .into_iter()
                    .map(|service| crate::net::Service {
                        min_interval: None,
                        ..service
                    })
                    .collect(),
                max_retries: 0,
                ..NetConfig::default()
            };
            let net = Net::new(config, now).expect("net");
            let crates = CratesClient::new(
                Arc::clone(&net),
                endpoints.crates_index.clone(),
                endpoints.crates_api.clone(),
            )
            .with_api_budget(10);
            let facts = Registries::new(&net, &endpoints)
                .with_crates_client(crates)
                .gather(&packages)
                .await;
            (net, facts)
        };
        let (first_net, first) = run().await;
        assert_eq!(first_net.stats().requests_sent, 3);
        assert!(first[0].owners.known().is_some(), "{:?}", first[0].owners);
        let (second_net, second) = run().await;
        assert_eq!(first, second);
        assert_eq!(second_net.stats(), crate::net::NetStats::default());
        assert!(
            second_net
                .progress()
                .iter()
                .all(|service| service.expected == 0),
            "{:?}",
            second_net.progress()
        );
    }

    /// Verified facts are kept with their verification, unless something in it is transient:
    /// an attestation document or the registry keys that did not answer are asked again.
    #[test]
    fn a_verification_that_met_a_network_fault_is_not_kept() {
        let id = PackageId::new(Ecosystem::Npm, "left-pad", "1.0.0");
        let with = |check: serde_json::Value| {
            let release: crate::model::facts::Release = serde_json::from_value(serde_json::json!({
                "version": "1.0.0",
                "published": null,
                "publisher": {"known": null},
                "yanked": false,
                "yank_reason": null,
                "integrity": null,
                "signatures": [],
                "provenance": {"known": {"kind": "none"}},
                "verification": {
                    "provenance": check,
                    "registry_signature": {"status": "missing"}
                }
            }))
            .expect("a release");
            PackageFacts {
                releases: Fact::Known(vec![release]),
                owners: Fact::Known(Vec::new()),
                repository: Fact::Known(None),
                status: Fact::Known(crate::model::facts::Status::default()),
                install_scripts: Fact::Known(Default::default()),
                ..PackageFacts::all_unknown(&id, "unused")
            }
        };
        let unknown = |reason: Unknown| {
            serde_json::to_value(ProvenanceCheck::Unknown { reason }).expect("serializes")
        };
        assert!(lasting(&with(unknown(Unknown::other(
            "the attestations name another package"
        )))));
        assert!(!lasting(&with(unknown(Unknown::from(
            &crate::net::NetError::Status {
                url: "https://registry.npmjs.org/-/npm/v1/attestations/left-pad@1.0.0".into(),
                status: 503,
            }
        )))));
        assert!(!lasting(&with(unknown(Unknown::from(
            &crate::net::NetError::Timeout {
                url: "https://registry.npmjs.org/-/npm/v1/keys".into(),
            }
        )))));
        // The kind decides, not the words.
        assert!(lasting(&with(unknown(Unknown::malformed(
            "`https://registry.npmjs.org/-/npm/v1/keys` timed out"
        )))));
    }
}

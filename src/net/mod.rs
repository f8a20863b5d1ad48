//! The network: the only code in deptrust that sends a request. All code that wants to reach a
//! registry or source host goes through [`Net::get`].
//!
//! What it guarantees for every request:
//! - the User-Agent `deptrust/<version> (+<repository>)`;
//! - a per-host limit of requests in flight (default 16) and per-service minimum intervals
//!   between request starts (the crates.io API: one request per second, per its data-access
//!   policy; a service is its base URL, so `index.crates.io`, and npm or PyPI served by the
//!   same mirror host, are not slowed). With a cache, the interval is kept by all the processes
//!   sharing its directory together (two CI jobs on one runner), not by each one (see
//!   `limit.rs`); processes with different cache directories are paced independently;
//! - connect and total timeouts (the total covers a slow body); retries with exponential
//!   backoff and jitter on 429, 500, 502, 503, 504, connection errors and timeouts, honouring
//!   `Retry-After` (seconds or an HTTP date; a longer wait than allowed gives up at once);
//! - a cap on body size, counted on the bytes read (after gzip decoding);
//! - redirects followed by hand, at most 5 hops, only to `https`, or to plain `http` on the
//!   origin of the request (loopback mocks) or on a host of [`NetConfig::http_redirect_hosts`];
//!   [`Fetched::final_url`] is where they ended;
//! - identical requests (URL and `Accept`) coalesced: one request per URL per run, later
//!   callers answered from memory;
//! - a SQLite cache keyed by URL and `Accept`, with `ETag`/`Last-Modified` revalidation and a
//!   freshness per kind of resource ([`Freshness`]) measured on the run's clock; offline mode
//!   answers from the cache only, whatever the age;
//! - tokens sent only to the host they belong to (checked again on every redirect hop), never
//!   in errors, `Debug` output or the cache.
//!
//! Errors are values ([`NetError`]) that name the URL: callers turn them into *unknown* facts.
//! It prints nothing: [`Net::progress`] tells, per service, how many of its requests were
//! answered out of how many its callers announced ([`Net::expect`]), for `main` to show.
//!
//! Not supported: methods other than GET, server cache directives (`Cache-Control`,
//! `Expires`, `Vary`), serving a stale entry when revalidation fails, and cache eviction.
//!
//! Files: `limit.rs` (per-host gates), `http.rs` (one fetch: redirects, retries, body cap),
//! `cache.rs` (the SQLite store); this file ties them together.

mod cache;
mod http;
mod limit;
mod reason;
pub use limit::{Service, gate_key};

/// The pace of the crates.io API: its data-access policy allows one request per second; we
/// start one every 1.1 s so that delays on the way (a loaded CI runner, the network) never make
/// two requests arrive less than a second apart (the `cargo_budget` bench, under load, saw
/// 1.0 s starts arrive 0.92 s apart).
pub const CRATES_API_INTERVAL: Duration = Duration::from_millis(1_100);
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use tokio::sync::OnceCell;
use url::Url;

use cache::{Cache, Key, Meta};
use http::{Answer, Validators};
use limit::Gates;

/// The User-Agent of every request.
pub const USER_AGENT: &str = concat!(
    "deptrust/",
    env!("CARGO_PKG_VERSION"),
    " (+",
    env!("CARGO_PKG_REPOSITORY"),
    ")"
);

/// How long a cached response may be used without asking the server again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// A document that changes (a packument, a project page, repository facts): fresh for
    /// this long, then revalidated with `If-None-Match` / `If-Modified-Since`.
    Mutable(Duration),
    /// A document that never changes once published (a version document, an attestation,
    /// a provenance file): cached for good.
    Immutable,
}

/// A secret header sent only to one host.
#[derive(Clone)]
pub struct HostToken {
    /// Where it may be sent: `host` (any port) or `host:port` (that port only).
    pub host: String,
    /// The header name (`Authorization`).
    pub header: String,
    /// The header value (`Bearer …`). Never printed: `Debug` redacts it.
    pub value: String,
}

impl fmt::Debug for HostToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostToken")
            .field("host", &self.host)
            .field("header", &self.header)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// How the network layer behaves.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Answer from the cache only; anything not cached is [`NetError::Offline`].
    pub offline: bool,
    /// Where the cache lives; `None` disables it.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Requests in flight per host (per host and port when the URL names a port).
    pub max_in_flight_per_host: usize,
    /// The services of the run, each with its own pace, deadline and give-up state (see
    /// [`Service`]); a URL under none is its host's own service. Default: the crates.io API
    /// at `https://crates.io/`, one request per second.
    pub services: Vec<Service>,
    /// TCP/TLS connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout (headers and body).
    pub request_timeout: Duration,
    /// Largest body accepted.
    pub max_body_bytes: u64,
    /// Bytes of bodies this run keeps in memory for later callers ([`MAX_KEPT_BYTES`]).
    pub max_kept_bytes: u64,
    /// The largest body stored in the cache ([`MAX_CACHED_BODY`]).
    pub max_cached_body: u64,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff delay; doubles each retry, with jitter.
    pub initial_backoff: Duration,
    /// The longest `Retry-After` honoured; longer waits give up.
    pub max_retry_after: Duration,
    /// Secret headers, each sent only to its own host.
    pub tokens: Vec<HostToken>,
    /// Hosts a redirect may reach over plain `http` (an internal mirror without TLS). Any
    /// other redirect must go to `https` or stay on the origin of the request.
    pub http_redirect_hosts: Vec<String>,
    /// The run's network deadline, from [`Net::new`]: a request not answered by then (its
    /// retries and `Retry-After` waits included) is [`NetError::Deadline`]. `None`: none.
    pub deadline: Option<Duration>,
    /// Where one line per request goes (`--verbose`), when set.
    pub log: Option<RequestLog>,
}

/// Receives one line per request: `GET <url>: 200 in 85 ms (31.2 KB)`, `cache <url> (fresh)`.
/// URLs carry no credentials (they are refused or moved into host tokens), and headers are
/// never logged.
#[derive(Clone)]
pub struct RequestLog(pub Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestLog")
    }
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            offline: false,
            cache_dir: None,
            max_in_flight_per_host: 16,
            services: vec![Service {
                min_interval: Some(CRATES_API_INTERVAL),
                ..Service::new(
                    "crates.io API",
                    Url::parse("https://crates.io/")
                        .unwrap_or_else(|_| unreachable!("constant URL")),
                )
            }],
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_body_bytes: 64 * 1024 * 1024,
            max_kept_bytes: MAX_KEPT_BYTES,
            max_cached_body: MAX_CACHED_BODY,
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            deadline: None,
            tokens: Vec::new(),
            http_redirect_hosts: Vec::new(),
            log: None,
        }
    }
}

/// One GET request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The URL.
    pub url: Url,
    /// The `Accept` header, when the server needs one.
    pub accept: Option<&'static str>,
    /// How long a cached answer stays fresh.
    pub freshness: Freshness,
}

/// A successful (2xx) response.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL requested.
    pub url: Url,
    /// The URL that answered, after redirects.
    pub final_url: Url,
    /// The body.
    pub body: Vec<u8>,
    /// Served from the cache without a request (or revalidated with a 304).
    pub from_cache: bool,
}

/// Why a request gave no usable answer. Every variant names the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// Offline mode and nothing cached.
    #[error("`{url}` is not in the cache and the network is off (--offline)")]
    Offline {
        /// The URL.
        url: String,
    },
    /// The server answered with a non-success status.
    #[error("`{url}` answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// No answer in time.
    #[error("`{url}` timed out")]
    Timeout {
        /// The URL.
        url: String,
    },
    /// The connection failed.
    #[error("`{url}`: connection failed: {message}")]
    Connect {
        /// The URL.
        url: String,
        /// What failed.
        message: String,
    },
    /// Not asked: the URL's service was given up earlier in the run (it failed to answer
    /// [`UNREACHABLE_AFTER`] requests in a row).
    #[error("`{url}`: connection failed: not asked: {reason}")]
    NotAsked {
        /// The URL.
        url: String,
        /// Why the service was given up.
        reason: String,
    },
    /// The body was larger than allowed.
    #[error("`{url}`: the body is larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// A redirect to a non-https URL.
    #[error("`{url}` redirected to `{location}`, which is not https")]
    InsecureRedirect {
        /// The URL.
        url: String,
        /// Where it pointed.
        location: String,
    },
    /// The run's network deadline passed before an answer came.
    #[error("`{url}` was not fetched: the run's network deadline ({seconds} s) passed")]
    Deadline {
        /// The URL.
        url: String,
        /// The deadline, in seconds from the start of the run.
        seconds: u64,
    },
    /// The deadline of the URL's service passed before an answer came.
    #[error("`{url}` was not fetched: the service deadline of the {service} ({seconds} s) passed")]
    ServiceDeadline {
        /// The URL.
        url: String,
        /// The service.
        service: String,
        /// Its deadline, in seconds from the start of the run.
        seconds: u64,
    },
    /// Too many redirects (or a loop).
    #[error("`{url}`: too many redirects")]
    TooManyRedirects {
        /// The URL.
        url: String,
    },
    /// Anything else reqwest reports.
    #[error("`{url}`: {message}")]
    Other {
        /// The URL.
        url: String,
        /// What failed.
        message: String,
    },
}

impl NetError {
    /// The URL the failed request named.
    pub fn url(&self) -> &str {
        match self {
            NetError::Offline { url }
            | NetError::Status { url, .. }
            | NetError::Timeout { url }
            | NetError::Connect { url, .. }
            | NetError::NotAsked { url, .. }
            | NetError::TooLarge { url, .. }
            | NetError::InsecureRedirect { url, .. }
            | NetError::Deadline { url, .. }
            | NetError::ServiceDeadline { url, .. }
            | NetError::TooManyRedirects { url }
            | NetError::Other { url, .. } => url,
        }
    }
}

/// Counters of one run (for tests, the benchmark and `--verbose` output).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Requests sent over the network (retries, redirect hops and revalidations included).
    pub requests_sent: u64,
    /// Answers served from the cache without a request.
    pub cache_hits: u64,
    /// Cached answers revalidated with a 304.
    pub revalidated: u64,
    /// The most requests in flight at once, across all hosts.
    pub max_in_flight: u64,
}

/// The network capability. Cheap to share: clone the `Arc`.
///
/// Phases of [`Net::get`]: the answer of this run, if the URL was already asked (or is being
/// asked: concurrent callers wait for the same fetch); else the cache (fresh, or anything in
/// offline mode); else the network, conditional when a stale entry has validators, through
/// the host's gate, with retries and redirects; then the cache is updated.
pub struct Net {
    /// Built on the first request that goes to the network: loading the platform's root
    /// certificates costs a warm or offline run (that sends nothing) a tenth of a second.
    client: std::sync::OnceLock<Result<reqwest::Client, String>>,
    config: NetConfig,
    /// The run's clock: cache ages are measured against it.
    now: jiff::Timestamp,
    /// When `now` was taken, to follow the clock during the run (`Retry-After` dates).
    started: std::time::Instant,
    tokens: Vec<Token>,
    gates: Gates,
    cache: Option<Cache>,
    cache_error: Option<String>,
    /// One cell per URL and `Accept`: the first caller fetches, the others wait for its answer,
    /// and later callers get it from memory. A `OnceCell` rather than a shared future: when the
    /// fetching caller is dropped (cancelled), a waiting caller takes over instead of the
    /// fetch being lost, and nothing needs to be `'static`.
    answers: Mutex<HashMap<Key, Arc<AnswerCell>>>,
    /// Per service (or host outside every service): consecutive attempts that failed to
    /// connect, timed out or were answered 429 or 5xx, and the last such error. From
    /// [`UNREACHABLE_AFTER`] on, it is not asked again in this run (a firewalled service would
    /// otherwise cost every package its full retry schedule and pacing wait).
    unreachable: Mutex<HashMap<String, (u32, String)>>,
    /// Cache entries read ahead by [`Net::preload`] (`None`: nothing cached), each taken by
    /// the first fetch of its key instead of a query of its own.
    preloaded: Mutex<HashMap<Key, Option<cache::Entry>>>,
    /// Bytes of bodies held in `answers` (see [`MAX_KEPT_BYTES`]).
    kept_bytes: AtomicU64,
    counters: Counters,
    /// Per service (or host): requests answered and requests announced, for [`Net::progress`].
    progress: Mutex<std::collections::BTreeMap<String, (u64, u64)>>,
}

/// How far one service's requests have come in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceProgress {
    /// The service's name, or the host for a URL under no service.
    pub name: String,
    /// Requests answered (from the network or the cache, or failed).
    pub done: u64,
    /// Requests its callers announced ([`Net::expect`]), at least `done`.
    pub expected: u64,
    /// Its pace, when it has one (the crates.io API: one request per second).
    pub pace: Option<Duration>,
    /// Given up for the rest of the run: its reason.
    pub given_up: Option<String>,
}

/// How many attempts in a row to a service (or a host outside every service) must fail to
/// connect, time out, or be answered 429 or 5xx before the rest of the run stops asking it.
/// Attempts, not requests: a paced service queued behind a storm would otherwise take
/// minutes to give up. A success in between resets the count, so a few transient errors
/// among answers never give a service up.
pub const UNREACHABLE_AFTER: u32 = 8;

/// The answer to one URL and `Accept` in this run, once known.
type AnswerCell = OnceCell<Result<Kept, NetError>>;

/// The largest body stored in the cache. Writing bodies of tens of megabytes into SQLite
/// kept memory growing with their number (80 packuments of 50 MB: 2.7 GB peak, against 0.5 GB
/// without the cache); the few larger documents are fetched again when stale, and their
/// decoded facts are still reused while fresh.
pub const MAX_CACHED_BODY: u64 = 16 * 1024 * 1024;

/// How long a 404 to a document that never changes once published is remembered.
pub const NOT_FOUND_IMMUTABLE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Bodies of this run kept in memory for later callers, at most this many bytes in all: past
/// it, an answer is kept only while a caller holds it, and a later caller asks again (the
/// cache answers when there is one). Without the bound, a run over packages with 50 MB
/// packuments would hold every one of them until it ends.
pub const MAX_KEPT_BYTES: u64 = 256 * 1024 * 1024;

/// An answer as this run keeps it.
#[derive(Debug, Clone)]
enum Kept {
    /// Within [`MAX_KEPT_BYTES`]: kept for the run.
    Held(Arc<Fetched>),
    /// Past it: kept only while some caller holds it.
    Dropped(std::sync::Weak<Fetched>),
}

/// A token with its header parsed once and marked sensitive (kept out of HTTP/2 header
/// compression tables and of hyper's debug output).
struct Token {
    host: String,
    name: HeaderName,
    value: HeaderValue,
}

impl fmt::Debug for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `NetConfig`'s `Debug` redacts token values (see `HostToken`).
        f.debug_struct("Net")
            .field("config", &self.config)
            .field("now", &self.now)
            .field("cache", &self.cache.is_some())
            .field("cache_error", &self.cache_error)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Net {
    /// Builds the network layer. `now` is the run's clock (cache freshness is measured
    /// against it). Needs no async runtime; [`Net::get`] must run on a tokio runtime.
    ///
    /// A cache that cannot be opened is not an error: the run goes on without it and
    /// [`Net::cache_error`] says why.
    pub fn new(config: NetConfig, now: jiff::Timestamp) -> Result<Arc<Self>, NetError> {
        let tokens = config
            .tokens
            .iter()
            .map(|token| {
                let name = HeaderName::from_bytes(token.header.as_bytes());
                let value = HeaderValue::from_str(&token.value);
                match (name, value) {
                    (Ok(name), Ok(mut value)) => {
                        value.set_sensitive(true);
                        Ok(Token {
                            host: token.host.clone(),
                            name,
                            value,
                        })
                    }
                    // Never echo the value.
                    _ => Err(NetError::Other {
                        url: token.host.clone(),
                        message: format!(
                            "the token for `{}` is not a valid `{}` header",
                            token.host, token.header
                        ),
                    }),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (cache, cache_error) = match &config.cache_dir {
            None => (None, None),
            Some(dir) => match Cache::open(dir) {
                Ok(cache) => (Some(cache), None),
                Err(error) => (None, Some(error)),
            },
        };
        let gates = match &cache {
            Some(cache) => Gates::new(config.max_in_flight_per_host).share_paces(cache.clone()),
            None => Gates::new(config.max_in_flight_per_host),
        };
        Ok(Arc::new(Net {
            client: std::sync::OnceLock::new(),
            gates,
            now,
            started: std::time::Instant::now(),
            tokens,
            cache,
            cache_error,
            answers: Mutex::new(HashMap::new()),
            unreachable: Mutex::new(HashMap::new()),
            preloaded: Mutex::new(HashMap::new()),
            kept_bytes: AtomicU64::new(0),
            counters: Counters::default(),
            progress: Mutex::new(std::collections::BTreeMap::new()),
            config,
        }))
    }

    /// The HTTP client, built on first use.
    fn client(&self, url: &str) -> Result<&reqwest::Client, NetError> {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .user_agent(USER_AGENT)
                    .connect_timeout(self.config.connect_timeout)
                    .timeout(self.config.request_timeout)
                    // Followed by hand, to check every hop (see `http.rs`).
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|error| format!("cannot build the HTTP client: {error}"))
            })
            .as_ref()
            .map_err(|message| NetError::Other {
                url: url.to_owned(),
                message: message.clone(),
            })
    }

    /// The counters so far.
    pub fn stats(&self) -> NetStats {
        self.counters.snapshot()
    }

    /// Why the cache is not in use, when a cache directory was configured but could not be
    /// opened (the run goes on without a cache).
    pub fn cache_error(&self) -> Option<&str> {
        self.cache_error.as_deref()
    }

    /// A value stored by [`Net::remember`] in this or an earlier run (when a cache is in use).
    pub async fn recall(&self, key: &str) -> Option<Vec<u8>> {
        self.cache.as_ref()?.load_derived(key).await
    }

    /// [`Net::recall`] for many keys at once: the values found.
    pub async fn recall_many(&self, keys: Vec<String>) -> HashMap<String, Vec<u8>> {
        match &self.cache {
            Some(cache) => cache.load_derived_many(keys).await,
            None => HashMap::new(),
        }
    }

    /// Keeps a value computed from fetched answers (a verification result) for later runs.
    /// Keys must not contain secrets; values must not either.
    pub async fn remember(&self, key: &str, value: Vec<u8>) {
        if let Some(cache) = &self.cache {
            cache.store_derived(key, value).await;
        }
    }

    /// What the cache holds for `request`, whatever its age, without asking the network: the
    /// answer, when it was fetched, and whether it is still fresh on the run's clock. For
    /// callers that ration a service (a per-run budget) and would rather use a stale answer,
    /// said with its age, than none.
    pub async fn cached(&self, request: &Request) -> Option<(Arc<Fetched>, jiff::Timestamp, bool)> {
        let key = Key::of(request);
        let entry = self.cache.as_ref()?.load(&key).await?;
        let fresh = entry.is_fresh(request.freshness, self.now);
        let fetched_at = entry.fetched_at;
        Some((
            Arc::new(Fetched {
                url: request.url.clone(),
                final_url: entry.final_url,
                body: entry.body,
                from_cache: true,
            }),
            fetched_at,
            fresh,
        ))
    }

    /// Reads the cache entries of `requests` in one query, for their first [`Net::get`] in this
    /// run to use instead of a query each (a warm run of thousands of crates reads their index
    /// files this way). Entries are held until then; call it only for requests about to be
    /// made.
    pub async fn preload(&self, requests: &[Request]) {
        let Some(cache) = &self.cache else {
            return;
        };
        let keys = requests.iter().map(Key::of).collect();
        let found = cache.load_many(keys).await;
        let mut preloaded = self
            .preloaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        preloaded.extend(found);
    }

    /// [`Net::cached`] for many requests of one freshness at once, keyed by URL: what
    /// `inspect` makes of each cached answer (its URL and body), when it was fetched and
    /// whether it is still fresh. One cache query for all of them; bodies are looked at one at
    /// a time and not kept.
    pub async fn inspect_cached<T: Send + 'static>(
        &self,
        requests: &[Request],
        inspect: impl Fn(&str, &[u8]) -> T + Send + 'static,
    ) -> HashMap<String, (T, jiff::Timestamp, bool)> {
        let (Some(cache), Some(first)) = (&self.cache, requests.first()) else {
            return HashMap::new();
        };
        let keys = requests.iter().map(Key::of).collect();
        cache
            .inspect_many(keys, first.freshness, self.now, inspect)
            .await
    }

    /// Announces `count` more requests to the service of `base` (its base URL), so that
    /// [`Net::progress`] can tell how many are left.
    pub fn expect(&self, base: &Url, count: u64) {
        let name = self.progress_name(base);
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        progress.entry(name).or_default().1 += count;
    }

    /// Per service with requests announced or answered: how far it has come, its pace and
    /// whether it was given up.
    pub fn progress(&self) -> Vec<ServiceProgress> {
        let progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        progress
            .iter()
            .map(|(name, &(done, expected))| {
                let service = self.config.services.iter().find(|s| &s.name == name);
                let scope = match service {
                    Some(service) => format!("the {} at `{}`", service.name, service.base),
                    None => format!("`{name}`"),
                };
                ServiceProgress {
                    name: name.clone(),
                    done,
                    expected: expected.max(done),
                    pace: service.and_then(|service| service.min_interval),
                    given_up: self.unreachable_reason(&scope),
                }
            })
            .collect()
    }

    fn progress_name(&self, url: &Url) -> String {
        match limit::service_of(&self.config.services, url) {
            Some(service) => service.name.clone(),
            None => scope_of(url).unwrap_or_default().to_ascii_lowercase(),
        }
    }

    fn count_done(&self, url: &Url) {
        let name = self.progress_name(url);
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        progress.entry(name).or_default().0 += 1;
    }

    /// Whether the run answers from the cache only (`--offline`).
    pub fn is_offline(&self) -> bool {
        self.config.offline
    }

    /// The run's clock (when it started).
    pub fn now(&self) -> jiff::Timestamp {
        self.now
    }

    /// GETs a URL (see the module doc for what is guaranteed).
    pub async fn get(&self, request: Request) -> Result<Arc<Fetched>, NetError> {
        if !request.url.username().is_empty() || request.url.password().is_some() {
            // Credentials in a URL would travel into error messages, facts and the cache:
            // main moves them into a host token; anything else is refused, redacted.
            return Err(NetError::Other {
                url: redact_userinfo(&request.url),
                message: "credentials in URLs are not accepted here; use a token variable".into(),
            });
        }
        let key = Key::of(&request);
        // At most twice: a second time only when this run's answer was not kept in memory
        // (past `MAX_KEPT_BYTES`) and nobody holds it any more.
        for _ in 0..2 {
            let cell = {
                let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
                Arc::clone(answers.entry(key.clone()).or_default())
            };
            let mut fetched = None;
            let kept = cell
                .get_or_init(|| async {
                    let answer = self.fetch(request.clone(), key.clone()).await;
                    self.count_done(&request.url);
                    answer.map(|answer| {
                        let kept = self.keep(&answer);
                        fetched = Some(answer);
                        kept
                    })
                })
                .await
                .clone();
            if let Some(answer) = fetched {
                return Ok(answer);
            }
            match kept {
                Err(error) => return Err(error),
                Ok(Kept::Held(answer)) => return Ok(answer),
                Ok(Kept::Dropped(weak)) => match weak.upgrade() {
                    Some(answer) => return Ok(answer),
                    None => {
                        let mut answers =
                            self.answers.lock().unwrap_or_else(PoisonError::into_inner);
                        if answers
                            .get(&key)
                            .is_some_and(|current| Arc::ptr_eq(current, &cell))
                        {
                            answers.remove(&key);
                        }
                    }
                },
            }
        }
        self.fetch(request, key).await
    }

    /// Sends a line to the request log, when there is one.
    fn log(&self, line: impl FnOnce() -> String) {
        if let Some(log) = &self.config.log {
            (log.0)(&line());
        }
    }

    /// How this run keeps `answer` for later callers (see [`MAX_KEPT_BYTES`]).
    fn keep(&self, answer: &Arc<Fetched>) -> Kept {
        let size = answer.body.len() as u64;
        let kept = self.kept_bytes.fetch_add(size, Ordering::Relaxed) + size;
        if kept <= self.config.max_kept_bytes {
            Kept::Held(Arc::clone(answer))
        } else {
            self.kept_bytes.fetch_sub(size, Ordering::Relaxed);
            Kept::Dropped(Arc::downgrade(answer))
        }
    }

    /// Time left before the run's network deadline (zero once it passed); `None` without one.
    fn remaining(&self) -> Option<Duration> {
        self.config
            .deadline
            .map(|deadline| deadline.saturating_sub(self.started.elapsed()))
    }

    /// The service of `url` and the time left before its deadline, when it has one.
    fn service_remaining(&self, url: &Url) -> Option<(&Service, Duration)> {
        let service = limit::service_of(&self.config.services, url)?;
        let deadline = service.deadline?;
        Some((service, deadline.saturating_sub(self.started.elapsed())))
    }

    fn service_deadline_error(&self, url: &Url, service: &Service) -> NetError {
        NetError::ServiceDeadline {
            url: url.to_string(),
            service: service.name.clone(),
            seconds: service.deadline.unwrap_or_default().as_secs(),
        }
    }

    /// What a URL's failures count against: its service (by name), else its host.
    fn scope(&self, url: &Url) -> String {
        match limit::service_of(&self.config.services, url) {
            Some(service) => format!("the {} at `{}`", service.name, service.base),
            None => format!(
                "`{}`",
                scope_of(url).unwrap_or_default().to_ascii_lowercase()
            ),
        }
    }

    fn deadline_error(&self, url: &str) -> NetError {
        NetError::Deadline {
            url: url.to_owned(),
            seconds: self.config.deadline.unwrap_or_default().as_secs(),
        }
    }

    /// The run's clock, advanced by the time elapsed since [`Net::new`].
    fn clock(&self) -> jiff::Timestamp {
        jiff::SignedDuration::try_from(self.started.elapsed())
            .ok()
            .and_then(|elapsed| self.now.checked_add(elapsed).ok())
            .unwrap_or(self.now)
    }

    async fn fetch(&self, request: Request, key: Key) -> Result<Arc<Fetched>, NetError> {
        let preloaded = self
            .preloaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key);
        let cached = match (preloaded, &self.cache) {
            (Some(entry), _) => entry,
            (None, Some(cache)) => cache.load(&key).await,
            (None, None) => None,
        };
        if let Some(entry) = &cached
            && (self.config.offline || entry.is_fresh(request.freshness, self.now))
        {
            self.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
            self.log(|| {
                format!(
                    "cache {} ({})",
                    request.url,
                    if self.config.offline {
                        "offline"
                    } else {
                        "fresh"
                    }
                )
            });
            return Ok(Arc::new(Fetched {
                url: request.url,
                final_url: entry.final_url.clone(),
                body: entry.body.clone(),
                from_cache: true,
            }));
        }
        // A 404 is a fact about the resource (no such package, no provenance for this file),
        // remembered for as long as the answer would have been fresh (a week for documents that
        // never change once published); other failures are never remembered.
        let not_found_key = format!("not-found/v1 {} {}", key.accept, key.url);
        if cached.is_none()
            && let Some(cache) = &self.cache
            && let Some(at) = cache.load_derived(&not_found_key).await
            && let Some(at) = std::str::from_utf8(&at)
                .ok()
                .and_then(|at| at.parse::<jiff::Timestamp>().ok())
        {
            let lifetime = match request.freshness {
                Freshness::Mutable(ttl) => ttl,
                Freshness::Immutable => NOT_FOUND_IMMUTABLE,
            };
            let age = Duration::try_from(self.now.duration_since(at)).unwrap_or(Duration::MAX);
            if self.config.offline || age < lifetime {
                self.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
                self.log(|| format!("cache {}: 404 remembered from {at}", request.url));
                return Err(NetError::Status {
                    url: request.url.to_string(),
                    status: 404,
                });
            }
        }
        if self.config.offline {
            self.log(|| format!("cache {}: not cached (offline)", request.url));
            return Err(NetError::Offline {
                url: request.url.to_string(),
            });
        }
        let validators = cached
            .as_ref()
            .filter(|entry| entry.etag.is_some() || entry.last_modified.is_some())
            .map(|entry| Validators {
                etag: entry.etag.clone(),
                last_modified: entry.last_modified.clone(),
            });
        let host = self.scope(&request.url);
        if let Some(reason) = self.unreachable_reason(&host) {
            return Err(NetError::NotAsked {
                url: request.url.to_string(),
                reason,
            });
        }
        // The sooner of the run's deadline and the service's.
        let deadline = match (self.remaining(), self.service_remaining(&request.url)) {
            (Some(run), Some((service, left))) if left < run => {
                Some((left, self.service_deadline_error(&request.url, service)))
            }
            (Some(run), _) => Some((run, self.deadline_error(request.url.as_str()))),
            (None, Some((service, left))) => {
                Some((left, self.service_deadline_error(&request.url, service)))
            }
            (None, None) => None,
        };
        let started = std::time::Instant::now();
        let fetched = match deadline {
            None => self.fetch_network(&request, validators.as_ref()).await,
            Some((left, error)) if left.is_zero() => Err(error),
            Some((left, error)) => {
                match tokio::time::timeout(left, self.fetch_network(&request, validators.as_ref()))
                    .await
                {
                    Ok(fetched) => fetched,
                    Err(_) => Err(error),
                }
            }
        };
        self.log(|| {
            let took = started.elapsed().as_millis();
            match &fetched {
                Ok(Answer::Body { body, .. }) => format!(
                    "GET {}: {} in {took} ms ({:.1} KB)",
                    request.url,
                    if validators.is_some() {
                        "changed"
                    } else {
                        "200"
                    },
                    body.len() as f64 / 1024.0
                ),
                Ok(Answer::NotModified { .. }) => {
                    format!("GET {}: 304 not modified in {took} ms", request.url)
                }
                Err(error) => format!("GET {}: failed after {took} ms: {error}", request.url),
            }
        });
        if let (Err(NetError::Status { status: 404, .. }), Some(cache)) = (&fetched, &self.cache) {
            cache
                .store_derived(&not_found_key, self.now.to_string().into_bytes())
                .await;
        }
        let answer = fetched?;
        match (answer, cached) {
            (
                Answer::NotModified {
                    final_url,
                    etag,
                    last_modified,
                },
                Some(entry),
            ) => {
                self.counters.revalidated.fetch_add(1, Ordering::Relaxed);
                if let Some(cache) = &self.cache {
                    let meta = Meta {
                        etag,
                        last_modified,
                        fetched_at: self.now,
                        freshness: request.freshness,
                    };
                    cache.touch(&key, final_url.clone(), meta).await;
                }
                Ok(Arc::new(Fetched {
                    url: request.url,
                    final_url,
                    body: entry.body,
                    from_cache: true,
                }))
            }
            // Only sent with validators, which come from a cached entry.
            (Answer::NotModified { .. }, None) => Err(NetError::Status {
                url: request.url.to_string(),
                status: 304,
            }),
            (
                Answer::Body {
                    final_url,
                    body,
                    etag,
                    last_modified,
                },
                _,
            ) => {
                let fetched = Arc::new(Fetched {
                    url: request.url,
                    final_url,
                    body,
                    from_cache: false,
                });
                if let Some(cache) = &self.cache
                    && fetched.body.len() as u64 <= self.config.max_cached_body
                {
                    let meta = Meta {
                        etag,
                        last_modified,
                        fetched_at: self.now,
                        freshness: request.freshness,
                    };
                    cache.store(&key, Arc::clone(&fetched), meta).await;
                }
                Ok(fetched)
            }
        }
    }
}

impl Net {
    fn unreachable_reason(&self, host: &str) -> Option<String> {
        let unreachable = self
            .unreachable
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (failures, last) = unreachable.get(host)?;
        (*failures >= UNREACHABLE_AFTER).then(|| {
            format!("{host} failed {failures} attempts in a row in this run (last: {last})")
        })
    }

    fn host_failed(&self, host: &str, error: &NetError) {
        let mut unreachable = self
            .unreachable
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = unreachable
            .entry(host.to_string())
            .or_insert((0, String::new()));
        entry.0 += 1;
        entry.1 = error.to_string();
        if entry.0 == UNREACHABLE_AFTER {
            // Requests queued behind its gate learn it now, not after their wait.
            self.gates.wake_all();
        }
    }

    fn host_answered(&self, host: &str) {
        let mut unreachable = self
            .unreachable
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        unreachable.remove(host);
    }
}

/// The counters behind [`NetStats`].
#[derive(Debug, Default)]
struct Counters {
    requests_sent: AtomicU64,
    cache_hits: AtomicU64,
    revalidated: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
}

impl Counters {
    /// Counts a request sent; it stays in flight until the guard is dropped.
    fn start_request(&self) -> InFlight<'_> {
        self.requests_sent.fetch_add(1, Ordering::Relaxed);
        let now_in_flight = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight
            .fetch_max(now_in_flight, Ordering::SeqCst);
        InFlight(self)
    }

    fn snapshot(&self) -> NetStats {
        NetStats {
            requests_sent: self.requests_sent.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            revalidated: self.revalidated.load(Ordering::Relaxed),
            max_in_flight: self.max_in_flight.load(Ordering::SeqCst),
        }
    }
}

/// A request in flight (see [`Counters::start_request`]).
struct InFlight<'a>(&'a Counters);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A URL with its user name and password replaced by `***`, for messages.
pub fn redact_userinfo(url: &Url) -> String {
    let mut redacted = url.clone();
    if !url.username().is_empty() {
        let _ = redacted.set_username("***");
    }
    if url.password().is_some() {
        let _ = redacted.set_password(Some("***"));
    }
    redacted.to_string()
}

/// The token scope of a base URL: `host:port`, the port explicit or the scheme's default.
pub fn scope_of(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// Moves the user name and password of a base URL into a `Basic` token for its host, so they
/// are sent only as a header to that host and never appear in messages or the cache.
pub fn split_userinfo(url: &Url) -> (Url, Option<HostToken>) {
    use base64::Engine;
    if url.username().is_empty() && url.password().is_none() {
        return (url.clone(), None);
    }
    let user = percent_encoding::percent_decode_str(url.username()).decode_utf8_lossy();
    let password = url
        .password()
        .map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    let mut clean = url.clone();
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    let token = url.host_str().map(|host| HostToken {
        host: scope_of(url).unwrap_or_else(|| host.to_string()),
        header: "Authorization".into(),
        value: format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        ),
    });
    (clean, token)
}

#[cfg(test)]
mod userinfo_tests {
    use super::*;

    #[test]
    fn credentials_leave_the_url_for_a_host_token() {
        let url = Url::parse("https://ci%40corp:s3cr%2Ft@npm.example.com/repo/").unwrap();
        let (clean, token) = split_userinfo(&url);
        assert_eq!(clean.as_str(), "https://npm.example.com/repo/");
        let token = token.unwrap();
        assert_eq!(token.host, "npm.example.com:443");
        // base64("ci@corp:s3cr/t")
        assert_eq!(token.value, "Basic Y2lAY29ycDpzM2NyL3Q=");
        assert!(!format!("{token:?}").contains("Y2lA"));
        assert_eq!(
            redact_userinfo(&url),
            "https://***:***@npm.example.com/repo/"
        );
        let (same, none) = split_userinfo(&clean);
        assert_eq!(same, clean);
        assert!(none.is_none());
    }

    #[tokio::test]
    async fn urls_with_credentials_are_refused_without_leaking_them() {
        let net = Net::new(NetConfig::default(), jiff::Timestamp::UNIX_EPOCH).unwrap();
        let error = net
            .get(Request {
                url: Url::parse("https://user:hunter2@127.0.0.1:9/x").unwrap(),
                accept: None,
                freshness: Freshness::Immutable,
            })
            .await
            .unwrap_err()
            .to_string();
        assert!(!error.contains("hunter2"), "{error}");
        assert!(error.contains("***"), "{error}");
    }
}

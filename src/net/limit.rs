//! Gates: a limit of requests in flight per host, and a pace (a minimum interval between the
//! starts of two requests) per *service*.
//!
//! A service is a base URL the run was configured with ([`Service`]): the crates.io API, the
//! npm registry, PyPI… A request belongs to the service whose base is the longest prefix of its
//! URL (scheme, host, port and path), so a mirror that serves npm, PyPI, the crates index and
//! the crates.io API from one host by path prefix (Artifactory, Nexus) paces only the requests
//! to the crates.io API, and the others keep their concurrency. Hosts are keyed by
//! [`gate_key`] (the host, with `:port` when the URL names one).
//!
//! The pace is enforced with an async mutex that is held *while sleeping*: the next request
//! cannot take its turn until the previous one has recorded its start, so two starts are never
//! closer than the interval however many tasks race (a "reserve a slot, then sleep" scheme
//! without the lock can let a late waker and an on-time waker start too close together). The
//! tokio mutex and semaphore are fair (FIFO), so waiting requests go in arrival order.
//!
//! A request that waited its turn asks [`Gates::enter`]'s `given_up` again before it sleeps or
//! starts: once its service or host was given up, every queued request returns at once.
//!
//! With a cache, a pace is also shared by every process using the same cache directory (two
//! CI jobs on one runner): once a paced request has its turn and a slot on its host, it takes
//! the service's next start from the cache's `pace` table ([`super::cache::Cache::reserve_start`],
//! on the system clock) and waits for it, so the processes together keep the interval.
//! Processes with different cache directories, or without a cache, are paced independently.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

use super::cache::{Cache, Slot};

/// The gate a URL goes through: its host, plus `:port` when the URL names a port.
pub fn gate_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// A service the run talks to, named by its base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Its name in messages and progress (`crates.io API`).
    pub name: String,
    /// Requests whose URL starts with this base (scheme, host, port, path) belong to it.
    pub base: Url,
    /// The least time between the starts of two requests to it (the crates.io API: 1 s).
    pub min_interval: Option<Duration>,
    /// How long after the start of the run its requests may still be answered; `None`: only
    /// the run's deadline.
    pub deadline: Option<Duration>,
}

impl Service {
    /// A service without pace or deadline of its own.
    pub fn new(name: impl Into<String>, base: Url) -> Self {
        Service {
            name: name.into(),
            base,
            min_interval: None,
            deadline: None,
        }
    }

    /// Whether `url` is under this service's base; the length of the base's path when it is
    /// (the longest match wins).
    fn matches(&self, url: &Url) -> Option<usize> {
        let same_origin = self.base.scheme() == url.scheme()
            && self.base.host_str().map(str::to_ascii_lowercase)
                == url.host_str().map(str::to_ascii_lowercase)
            && self.base.port_or_known_default() == url.port_or_known_default();
        if !same_origin {
            return None;
        }
        let base = self.base.path().trim_end_matches('/');
        let path = url.path();
        let under = path == base
            || (path.starts_with(base) && path.as_bytes().get(base.len()) == Some(&b'/'));
        under.then_some(base.len())
    }
}

/// The service `url` belongs to: the one whose base is its longest prefix.
pub(super) fn service_of<'a>(services: &'a [Service], url: &Url) -> Option<&'a Service> {
    services
        .iter()
        .filter_map(|service| service.matches(url).map(|length| (length, service)))
        .max_by_key(|(length, _)| *length)
        .map(|(_, service)| service)
}

/// All the gates of one run, created on first use.
#[derive(Debug)]
pub(super) struct Gates {
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    paces: Mutex<HashMap<String, Arc<Pace>>>,
    max_in_flight: usize,
    /// Woken when a service or host is given up: every waiting request asks again.
    changed: Notify,
    /// Where paces are shared with other processes (the cache), when there is one.
    shared: Option<Cache>,
}

/// The pace of one service.
#[derive(Debug)]
pub(super) struct Pace {
    interval: Duration,
    /// Held by the request whose turn it is, from its wait until it starts.
    turn: Arc<tokio::sync::Mutex<()>>,
    /// When the last request started.
    last_start: Mutex<Option<Instant>>,
}

/// A paced request's turn, once taken: given back with [`Turn::refund`] when the attempt never
/// reached the server (the connection failed), so a service that refuses connections is not
/// asked one attempt per interval.
#[derive(Debug)]
pub(super) struct Turn {
    pace: Arc<Pace>,
    start: Instant,
    previous: Option<Instant>,
    /// The slot taken from the shared pace (the cache, the service's key), when shared.
    shared: Option<(Cache, String, Slot)>,
}

impl Turn {
    /// Gives the turn back: the next request may start as if this one had not.
    pub(super) async fn refund(self, gates: &Gates) {
        {
            let mut last = self
                .pace
                .last_start
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if *last == Some(self.start) {
                *last = self.previous;
            }
        }
        if let Some((cache, service, slot)) = &self.shared {
            cache.release_start(service, *slot).await;
        }
        gates.wake_all();
    }
}

impl Gates {
    pub(super) fn new(max_in_flight: usize) -> Self {
        Gates {
            hosts: Mutex::new(HashMap::new()),
            paces: Mutex::new(HashMap::new()),
            // Zero would block every request for good; the semaphore has its own maximum.
            max_in_flight: max_in_flight.clamp(1, Semaphore::MAX_PERMITS),
            changed: Notify::new(),
            shared: None,
        }
    }

    /// Shares every pace with the other processes using `cache` (see the module doc).
    pub(super) fn share_paces(mut self, cache: Cache) -> Self {
        self.shared = Some(cache);
        self
    }

    /// Wakes every waiting request to ask its `given_up` again (a service or host was just
    /// given up).
    pub(super) fn wake_all(&self) {
        self.changed.notify_waiters();
    }

    /// Waits for `future` until it completes (`Some`) or [`Gates::wake_all`] is called
    /// (`None`); the reason at once when `given_up` has one.
    async fn wait_or_wake<F: Future>(
        &self,
        future: F,
        given_up: &impl Fn() -> Option<String>,
    ) -> Result<Option<F::Output>, String> {
        let mut notified = std::pin::pin!(self.changed.notified());
        notified.as_mut().enable();
        if let Some(reason) = given_up() {
            return Err(reason);
        }
        tokio::select! {
            output = future => Ok(Some(output)),
            () = notified => Ok(None),
        }
    }

    /// Waits for `future`, or returns the reason as soon as `given_up` has one (asked first,
    /// then each time [`Gates::wake_all`] is called).
    pub(super) async fn wait<F: Future>(
        &self,
        future: F,
        given_up: &impl Fn() -> Option<String>,
    ) -> Result<F::Output, String> {
        let mut future = std::pin::pin!(future);
        loop {
            let mut notified = std::pin::pin!(self.changed.notified());
            notified.as_mut().enable();
            if let Some(reason) = given_up() {
                return Err(reason);
            }
            tokio::select! {
                output = &mut future => return Ok(output),
                () = &mut notified => {}
            }
        }
    }

    /// Waits for a slot on `host` and for `service`'s turn; the request may start when this
    /// returns `Ok` and counts as in flight until the permit is dropped (after its body is
    /// read). `given_up` is asked after each wait: `Err` with its reason, at once, when the
    /// service or host was given up meanwhile.
    pub(super) async fn enter(
        &self,
        host: &str,
        service: Option<&Service>,
        given_up: impl Fn() -> Option<String>,
    ) -> Result<(OwnedSemaphorePermit, Option<Turn>), String> {
        let semaphore = {
            let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
            let semaphore = hosts
                .entry(host.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(self.max_in_flight)));
            Arc::clone(semaphore)
        };
        let pace = service.and_then(|service| {
            let interval = service
                .min_interval
                .filter(|interval| !interval.is_zero())?;
            let mut paces = self.paces.lock().unwrap_or_else(PoisonError::into_inner);
            let pace = paces.entry(service.name.clone()).or_insert_with(|| {
                Arc::new(Pace {
                    interval,
                    turn: Arc::new(tokio::sync::Mutex::new(())),
                    last_start: Mutex::new(None),
                })
            });
            Some(Arc::clone(pace))
        });
        // A paced request takes its turn first and only then a slot on the host, holding its
        // turn meanwhile: requests waiting for their turn never hold the host's slots, which
        // other services on the same host need, and two starts are never closer than the pace.
        let (permit, turn) = match pace {
            None => (
                self.wait(Arc::clone(&semaphore).acquire_owned(), &given_up)
                    .await?,
                None,
            ),
            Some(pace) => {
                let _turn = self
                    .wait(Arc::clone(&pace.turn).lock_owned(), &given_up)
                    .await?;
                // Until the interval since the last start has passed; a refunded turn moves
                // the last start back and wakes this wait to look again.
                loop {
                    let last = *pace
                        .last_start
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    let Some(target) = last.map(|last| last + pace.interval) else {
                        break;
                    };
                    if Instant::now() >= target {
                        break;
                    }
                    if self
                        .wait_or_wake(tokio::time::sleep_until(target), &given_up)
                        .await?
                        .is_some()
                    {
                        break;
                    }
                }
                let permit = self
                    .wait(Arc::clone(&semaphore).acquire_owned(), &given_up)
                    .await?;
                // The slot across processes, taken last: a start is never earlier than it.
                let shared = match (&self.shared, service) {
                    (Some(cache), Some(service)) => {
                        self.shared_start(cache, service.base.as_str(), pace.interval, &given_up)
                            .await?
                    }
                    _ => None,
                };
                let start = Instant::now();
                let previous = pace
                    .last_start
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .replace(start);
                (
                    permit,
                    Some(Turn {
                        pace,
                        start,
                        previous,
                        shared,
                    }),
                )
            }
        };
        // The semaphore is never closed.
        let permit = permit.map_err(|_| "the request limiter is closed".to_string())?;
        if let Some(reason) = given_up() {
            if let Some(turn) = turn {
                turn.refund(self).await;
            }
            return Err(reason);
        }
        Ok((permit, turn))
    }

    /// Takes the service's next start from the pace shared through `cache` and waits for it;
    /// the slot is given back when the service is given up meanwhile. `None` when the shared
    /// pace cannot be used (the run's own pace still holds).
    async fn shared_start(
        &self,
        cache: &Cache,
        service: &str,
        interval: Duration,
        given_up: &impl Fn() -> Option<String>,
    ) -> Result<Option<(Cache, String, Slot)>, String> {
        let Some(slot) = cache.reserve_start(service, interval, wall_clock).await else {
            return Ok(None);
        };
        let wait = u64::try_from(slot.start.saturating_sub(wall_clock())).unwrap_or(0);
        if wait > 0
            && let Err(reason) = self
                .wait(tokio::time::sleep(Duration::from_micros(wait)), given_up)
                .await
        {
            cache.release_start(service, slot).await;
            return Err(reason);
        }
        // A wake-up later than the slot moves the next start with the real one.
        let slot = cache
            .confirm_start(service, slot, wall_clock(), interval)
            .await;
        Ok(Some((cache.clone(), service.to_string(), slot)))
    }
}

/// The system clock in microseconds since the Unix epoch: the only clock two processes
/// share, so the shared pace is kept on it. Not the run's clock (`--now`, pinned in tests),
/// which says how old facts are, not when a request may start.
fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    #[test]
    fn gate_keys_carry_an_explicit_port() {
        let key = |text: &str| gate_key(&url(text));
        assert_eq!(key("https://crates.io/api/v1/crates/x"), "crates.io");
        assert_eq!(key("https://crates.io:443/x"), "crates.io");
        assert_eq!(key("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
        assert_ne!(key("http://127.0.0.1:8080/"), key("http://127.0.0.1:8081/"));
    }

    #[test]
    fn a_request_belongs_to_the_longest_matching_base() {
        let services = [
            Service::new("crates.io API", url("http://mirror:8081/")),
            Service::new("npm registry", url("http://mirror:8081/npm/")),
            Service::new("PyPI", url("http://mirror:8081/pypi")),
            Service::new("GitHub API", url("https://api.github.com/")),
        ];
        let name = |text: &str| service_of(&services, &url(text)).map(|s| s.name.as_str());
        assert_eq!(
            name("http://mirror:8081/api/v1/crates/x"),
            Some("crates.io API")
        );
        assert_eq!(
            name("http://mirror:8081/npm/left-pad"),
            Some("npm registry")
        );
        assert_eq!(name("http://MIRROR:8081/npm"), Some("npm registry"));
        assert_eq!(name("http://mirror:8081/pypi/x/json"), Some("PyPI"));
        // A path segment is matched whole: `/pypi-extra` is not under `/pypi`.
        assert_eq!(
            name("http://mirror:8081/pypi-extra/x"),
            Some("crates.io API")
        );
        assert_eq!(name("http://mirror:8082/npm/x"), None);
        assert_eq!(name("https://mirror:8081/npm/x"), None);
        assert_eq!(
            name("https://api.github.com:443/repos/a/b"),
            Some("GitHub API")
        );
    }

    fn paced(name: &str, interval: Duration) -> Service {
        Service {
            min_interval: Some(interval),
            ..Service::new(name, url("http://limited/"))
        }
    }

    #[tokio::test]
    async fn starts_are_spaced_by_the_interval_under_concurrency() {
        let interval = Duration::from_millis(50);
        let gates = Arc::new(Gates::new(16));
        let service = paced("limited", interval);
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let gates = Arc::clone(&gates);
                let service = service.clone();
                tokio::spawn(async move {
                    let _permit = gates.enter("limited", Some(&service), || None).await;
                    Instant::now()
                })
            })
            .collect();
        let mut starts = Vec::new();
        for task in tasks {
            starts.push(task.await.expect("task"));
        }
        starts.sort();
        for pair in starts.windows(2) {
            assert!(pair[1] - pair[0] >= interval, "{:?}", pair[1] - pair[0]);
        }
    }

    #[tokio::test]
    async fn queued_requests_of_a_given_up_service_return_at_once() {
        let gates = Arc::new(Gates::new(16));
        let service = paced("slow", Duration::from_secs(3600));
        let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let given_up = {
            let down = Arc::clone(&down);
            move || {
                down.load(std::sync::atomic::Ordering::SeqCst)
                    .then(|| "given up".to_string())
            }
        };
        let first = gates.enter("host", Some(&service), given_up.clone()).await;
        assert!(first.is_ok());
        // The second would wait an hour for its turn; the service is given up meanwhile.
        let second = {
            let gates = Arc::clone(&gates);
            let service = service.clone();
            let given_up = given_up.clone();
            tokio::spawn(async move { gates.enter("host", Some(&service), given_up).await })
        };
        let third = {
            let gates = Arc::clone(&gates);
            let service = service.clone();
            let given_up = given_up.clone();
            tokio::spawn(async move { gates.enter("host", Some(&service), given_up).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let started = std::time::Instant::now();
        down.store(true, std::sync::atomic::Ordering::SeqCst);
        gates.wake_all();
        for queued in [second, third] {
            let answer = tokio::time::timeout(Duration::from_millis(500), queued)
                .await
                .expect("answered at once")
                .expect("task");
            assert!(matches!(answer, Err(ref reason) if reason == "given up"));
        }
        assert!(started.elapsed() < Duration::from_millis(500));
    }

    #[tokio::test]
    async fn a_refunded_turn_lets_the_next_request_start_at_once() {
        let gates = Arc::new(Gates::new(16));
        let service = paced("refusing", Duration::from_secs(3600));
        let (permit, turn) = gates
            .enter("host", Some(&service), || None)
            .await
            .expect("first");
        // The next request waits for its turn (an hour)...
        let next = {
            let gates = Arc::clone(&gates);
            let service = service.clone();
            tokio::spawn(async move { gates.enter("host", Some(&service), || None).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!next.is_finished());
        // ...until the first gives its turn back (its connection failed).
        drop(permit);
        turn.expect("a paced turn").refund(&gates).await;
        let next = tokio::time::timeout(Duration::from_millis(500), next)
            .await
            .expect("started at once")
            .expect("task");
        assert!(next.is_ok());
    }

    #[tokio::test]
    async fn in_flight_is_bounded_per_host() {
        let gates = Gates::new(2);
        let first = gates.enter("host", None, || None).await;
        let second = gates.enter("host", None, || None).await;
        assert!(first.is_ok() && second.is_ok());
        let third = tokio::time::timeout(
            Duration::from_millis(50),
            gates.enter("host", None, || None),
        )
        .await;
        assert!(
            third.is_err(),
            "a third request entered while two were in flight"
        );
        let other = tokio::time::timeout(
            Duration::from_millis(50),
            gates.enter("other", None, || None),
        )
        .await;
        assert!(matches!(other, Ok(Ok(_))), "another host has its own slots");
        drop(first);
        let third = tokio::time::timeout(
            Duration::from_millis(500),
            gates.enter("host", None, || None),
        )
        .await;
        assert!(matches!(third, Ok(Ok(_))));
    }
}

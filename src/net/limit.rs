//! Per-host gates: a limit of requests in flight and, for some hosts, a minimum interval
//! between the starts of two requests.
//!
//! A gate is keyed by the exact host string of the URL (`crates.io`, not `index.crates.io`),
//! with the port when the URL names one (`127.0.0.1:8080`), so only the services listed in
//! [`super::NetConfig::min_intervals`] are slowed down: mirrors of several registries on one
//! host but different ports do not share the crates.io API's pace. See [`gate_key`].
//!
//! The interval is enforced with an async mutex that is held *while sleeping*: the next request
//! cannot take its turn until the previous one has recorded its start, so two starts are never
//! closer than the interval however many tasks race (a "reserve a slot, then sleep" scheme
//! without the lock can let a late waker and an on-time waker start too close together). The
//! tokio mutex and semaphore are fair (FIFO), so waiting requests go in arrival order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

/// The gate a URL goes through: its host, plus `:port` when the URL names a port.
pub fn gate_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// All the gates of one run, created on first use.
#[derive(Debug)]
pub(super) struct Gates {
    per_host: Mutex<HashMap<String, Arc<Gate>>>,
    max_in_flight: usize,
    intervals: Vec<(String, Duration)>,
}

impl Gates {
    pub(super) fn new(max_in_flight: usize, intervals: Vec<(String, Duration)>) -> Self {
        Gates {
            per_host: Mutex::new(HashMap::new()),
            // Zero would block every request for good; the semaphore has its own maximum.
            max_in_flight: max_in_flight.clamp(1, Semaphore::MAX_PERMITS),
            intervals,
        }
    }

    /// The gate of `host`.
    pub(super) fn gate(&self, host: &str) -> Arc<Gate> {
        let mut per_host = self.per_host.lock().unwrap_or_else(PoisonError::into_inner);
        let gate = per_host.entry(host.to_owned()).or_insert_with(|| {
            let interval = self
                .intervals
                .iter()
                .filter(|(limited, _)| limited.eq_ignore_ascii_case(host))
                .map(|(_, interval)| *interval)
                .max()
                .filter(|interval| !interval.is_zero());
            Arc::new(Gate {
                in_flight: Arc::new(Semaphore::new(self.max_in_flight)),
                interval,
                last_start: tokio::sync::Mutex::new(None),
            })
        });
        Arc::clone(gate)
    }
}

/// The gate of one host.
#[derive(Debug)]
pub(super) struct Gate {
    in_flight: Arc<Semaphore>,
    interval: Option<Duration>,
    last_start: tokio::sync::Mutex<Option<Instant>>,
}

impl Gate {
    /// Waits for a slot and for this host's turn; the request may start when this returns and
    /// counts as in flight until the permit is dropped (after its body is read).
    pub(super) async fn enter(&self) -> Option<OwnedSemaphorePermit> {
        // The semaphore is never closed, so `None` cannot happen; the caller still maps it to
        // an error rather than panicking.
        let permit = Arc::clone(&self.in_flight).acquire_owned().await.ok()?;
        if let Some(interval) = self.interval {
            let mut last_start = self.last_start.lock().await;
            if let Some(previous) = *last_start {
                tokio::time::sleep_until(previous + interval).await;
            }
            *last_start = Some(Instant::now());
        }
        Some(permit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_keys_carry_an_explicit_port() {
        let key = |text: &str| gate_key(&Url::parse(text).unwrap());
        assert_eq!(key("https://crates.io/api/v1/crates/x"), "crates.io");
        assert_eq!(key("https://crates.io:443/x"), "crates.io");
        assert_eq!(key("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
        assert_ne!(key("http://127.0.0.1:8080/"), key("http://127.0.0.1:8081/"));
    }

    #[tokio::test]
    async fn only_the_exact_host_is_limited() {
        let gates = Gates::new(16, vec![("crates.io".into(), Duration::from_secs(1))]);
        assert_eq!(
            gates.gate("crates.io").interval,
            Some(Duration::from_secs(1))
        );
        assert_eq!(gates.gate("index.crates.io").interval, None);
        assert_eq!(gates.gate("static.crates.io").interval, None);
        assert!(Arc::ptr_eq(
            &gates.gate("crates.io"),
            &gates.gate("crates.io")
        ));
    }

    #[tokio::test]
    async fn starts_are_spaced_by_the_interval_under_concurrency() {
        let interval = Duration::from_millis(50);
        let gates = Arc::new(Gates::new(16, vec![("limited".into(), interval)]));
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let gates = Arc::clone(&gates);
                tokio::spawn(async move {
                    let gate = gates.gate("limited");
                    let _permit = gate.enter().await;
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
    async fn in_flight_is_bounded() {
        let gates = Gates::new(2, Vec::new());
        let gate = gates.gate("host");
        let first = gate.enter().await;
        let second = gate.enter().await;
        assert!(first.is_some() && second.is_some());
        let third = tokio::time::timeout(Duration::from_millis(50), gate.enter()).await;
        assert!(
            third.is_err(),
            "a third request entered while two were in flight"
        );
        drop(first);
        let third = tokio::time::timeout(Duration::from_millis(500), gate.enter()).await;
        assert!(matches!(third, Ok(Some(_))));
    }
}

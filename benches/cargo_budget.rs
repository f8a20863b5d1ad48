//! `cargo bench --bench cargo_budget`: a Cargo project of 335 crates against a loopback crates.io
//! (sparse index with 50 ms per answer; an API that enforces one request per second and answers
//! 429 to anything faster), scanned once a day for a simulated week with the default per-run
//! API budget and network deadline, on one cache. Targets (issue 10):
//! - the first run gives a complete report (every crate's facts known or unknown with a
//!   reason) in at most 90 s;
//! - after the week, every crate's owners are at most 7 days old;
//! - the API never sees two requests less than a second apart.
//!
//! Takes about seven minutes: the API's pace is real time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark harness: a failed setup stops the measurement with its reason"
)]
#![expect(clippy::print_stdout, reason = "a bench binary reports on stdout")]

mod support;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use deptrust::model::facts::Fact;
use deptrust::model::{Ecosystem, PackageId, Source};
use deptrust::net::{Freshness, Net, NetConfig, Request as NetRequest};
use deptrust::registry::Endpoints;
use deptrust::registry::crates_io::{CratesClient, DEFAULT_API_BUDGET};
use deptrust::registry::gather::Registries;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CRATES: usize = 335;
const DAYS: usize = 7;

/// The API: owners and crate documents, 429 to a request less than a second after the last.
#[derive(Clone, Default)]
struct Api {
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let now = Instant::now();
        let mut arrivals = self.arrivals.lock().unwrap_or_else(PoisonError::into_inner);
        let too_soon = arrivals
            .last()
            .is_some_and(|last| now.duration_since(*last) < Duration::from_millis(950));
        arrivals.push(now);
        if too_soon {
            return ResponseTemplate::new(429);
        }
        let segments: Vec<&str> = request.url.path().split('/').collect();
        let body = match segments.as_slice() {
            ["", "api", "api", "v1", "crates", _, "owners"] => {
                r#"{"users":[{"id":7,"login":"alice","kind":"user"}]}"#.to_string()
            }
            ["", "api", "api", "v1", "crates", name] => format!(
                r#"{{"crate":{{"name":"{name}","repository":null}},"versions":[{{"num":"1.0.0","created_at":"2024-01-01T00:00:00Z","published_by":{{"id":7,"login":"alice"}}}}]}}"#
            ),
            _ => return ResponseTemplate::new(404),
        };
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    runtime.block_on(run());
}

async fn run() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/index/"))
        .respond_with(support::IndexFile {
            delay: Duration::from_millis(50),
        })
        .mount(&server)
        .await;
    let api = Api::default();
    Mock::given(method("GET"))
        .and(path_regex("^/api/"))
        .respond_with(api.clone())
        .mount(&server)
        .await;
    let at = |prefix: &str| {
        format!("{}/{prefix}/", server.uri())
            .parse()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let closed: url::Url = "http://127.0.0.1:9/"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let endpoints = Endpoints {
        crates_index: at("index"),
        crates_api: at("api"),
        github_api: closed,
        ..Endpoints::default()
    };
    let packages: Vec<(PackageId, Source)> = (0..CRATES)
        .map(|i| {
            (
                PackageId::new(Ecosystem::Cargo, format!("crate-{i}"), "1.0.0"),
                Source::Registry(None),
            )
        })
        .collect();
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let start: jiff::Timestamp = "2026-11-01T06:00:00Z"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "deptrust on {CRATES} crates, crates.io API at 1 request/s, budget {DEFAULT_API_BUDGET} requests per run, deadline 60 s, one run a day\n"
    );
    let mut worst_first = 0.0;
    let mut last_net = None;
    let mut now = start;
    for day in 1..=DAYS {
        now = start
            .checked_add(jiff::SignedDuration::from_hours(24 * (day as i64 - 1)))
            .unwrap_or_else(|e| panic!("{e}"));
        let net = Net::new(
            NetConfig {
                cache_dir: Some(cache.path().to_path_buf()),
                services: endpoints.services(None),
                deadline: Some(Duration::from_secs(60)),
                ..NetConfig::default()
            },
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let crates = CratesClient::new(
            Arc::clone(&net),
            endpoints.crates_index.clone(),
            endpoints.crates_api.clone(),
        )
        .with_api_budget(DEFAULT_API_BUDGET);
        let registries = Registries::new(&net, &endpoints).with_crates_client(crates);
        let began = Instant::now();
        let facts = registries.gather(&packages).await;
        let elapsed = began.elapsed().as_secs_f64();
        let complete = facts.len() == CRATES
            && facts.iter().all(|f| match &f.owners {
                Fact::Known(_) => true,
                Fact::Unknown(reason) => !reason.is_empty(),
            });
        let owners_known = facts.iter().filter(|f| f.owners.known().is_some()).count();
        let stale = facts
            .iter()
            .filter(|f| f.notes.iter().any(|n| n.starts_with("owners as of")))
            .count();
        let publishers_known = facts
            .iter()
            .filter(|f| {
                f.releases.known().is_some_and(|releases| {
                    releases
                        .iter()
                        .any(|r| matches!(r.publisher, Fact::Known(Some(_))))
                })
            })
            .count();
        if day == 1 {
            worst_first = elapsed;
        }
        println!(
            "day {day}: {elapsed:.1} s, {} requests; owners known for {owners_known} crates ({stale} from the cache past their freshness), publishers for {publishers_known}; report complete: {complete}",
            net.stats().requests_sent
        );
        last_net = Some(net);
        // The next run is a day later: in this bench a second of real time keeps the last
        // request of one run and the first of the next apart as a day would.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    // The age of every crate's owners document after the week.
    let net = last_net.unwrap_or_else(|| unreachable!("seven runs"));
    let mut oldest = Duration::ZERO;
    let mut missing = 0;
    for i in 0..CRATES {
        let url = format!("{}/api/api/v1/crates/crate-{i}/owners", server.uri())
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let request = NetRequest {
            url,
            accept: Some("application/json"),
            freshness: Freshness::Mutable(Duration::from_secs(3600)),
        };
        match net.cached(&request).await {
            Some((_, at, _)) => {
                let age = Duration::try_from(now.duration_since(at)).unwrap_or(Duration::MAX);
                oldest = oldest.max(age);
            }
            None => missing += 1,
        }
    }
    let arrivals = api.arrivals.lock().unwrap_or_else(PoisonError::into_inner);
    let closest = arrivals
        .windows(2)
        .map(|pair| pair[1].duration_since(pair[0]))
        .min()
        .unwrap_or(Duration::MAX);
    let days = oldest.as_secs_f64() / 86_400.0;
    println!(
        "\nfirst report: {worst_first:.1} s ({} the 90 s target)",
        if worst_first <= 90.0 {
            "meets"
        } else {
            "MISSES"
        }
    );
    println!(
        "after {DAYS} days: owners never fetched for {missing} crates, oldest owners {days:.1} days old ({} the 7-day target)",
        if missing == 0 && days <= 7.0 {
            "meets"
        } else {
            "MISSES"
        }
    );
    println!(
        "API: {} requests in the week, the closest two {:.3} s apart ({} the 1 request/s policy)",
        arrivals.len(),
        closest.as_secs_f64(),
        if closest >= Duration::from_millis(950) {
            "keeps"
        } else {
            "BREAKS"
        }
    );
}

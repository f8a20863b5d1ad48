//! `cargo bench --bench facts`: gathering facts from ONE loopback host and port that serves
//! npm, PyPI, the crates index, the crates.io API and GitHub by path prefix (as Artifactory and
//! Nexus do), adding 50 ms to every response:
//! - 1,000 npm packages: at least 16 requests in flight, under 5 s in all (the crates.io API's
//!   one request per second applies to its own path only, not to npm on the same host);
//! - a second run on the same cache makes no request while TTLs hold;
//! - that cached run adds under 100 ms for 2,000 packages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark harness: a failed setup stops the measurement with its reason"
)]
#![expect(clippy::print_stdout, reason = "a bench binary reports on stdout")]

mod support;

use std::time::{Duration, Instant};

use deptrust::model::{Ecosystem, PackageId, Source};
use deptrust::net::{Net, NetConfig};
use deptrust::registry::Endpoints;
use deptrust::registry::gather::Registries;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers any `/<name>` with a small packument for that name, after 50 ms.
struct Packument;

impl Respond for Packument {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let name = request
            .url
            .path()
            .trim_start_matches("/npm/")
            .replace("%2F", "/");
        let body = format!(
            r#"{{"name":"{name}","dist-tags":{{"latest":"1.0.0"}},
               "time":{{"created":"2020-01-01T00:00:00.000Z","1.0.0":"2020-01-01T00:00:00.000Z"}},
               "maintainers":[{{"name":"alice","email":"a@example.com"}}],
               "versions":{{"1.0.0":{{"name":"{name}","version":"1.0.0",
                 "_npmUser":{{"name":"alice","email":"a@example.com"}},
                 "dist":{{"integrity":"sha512-AAAA","tarball":"https://example.invalid/x.tgz"}}}}}}}}"#
        );
        ResponseTemplate::new(200)
            .set_body_raw(body, "application/json")
            .set_delay(Duration::from_millis(50))
    }
}

fn crates(count: usize) -> Vec<(PackageId, Source)> {
    (0..count)
        .map(|i| {
            (
                PackageId::new(Ecosystem::Cargo, format!("crate-{i}"), "1.0.0"),
                Source::Registry(None),
            )
        })
        .collect()
}

/// 300 crates whose index answers and whose crates.io API and GitHub refuse connections
/// (a firewall): the cost of the unreachable services, cold and warm.
async fn unreachable_services(now: jiff::Timestamp) {
    let index = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(support::IndexFile {
            delay: Duration::from_millis(50),
        })
        .mount(&index)
        .await;
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        drop(listener);
        address
    };
    let closed = |path: &str| {
        format!("http://{refused}/{path}/")
            .parse()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let endpoints = Endpoints {
        crates_index: format!("{}/", index.uri())
            .parse()
            .unwrap_or_else(|e| panic!("{e}")),
        crates_api: closed("api"),
        github_api: closed("github"),
        ..Endpoints::default()
    };
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = NetConfig {
        cache_dir: Some(cache.path().to_path_buf()),
        services: endpoints.services(None),
        ..NetConfig::default()
    };
    for (label, target) in [("cold", 5.0), ("warm", 1.0)] {
        let net = Net::new(config.clone(), now).unwrap_or_else(|e| panic!("{e}"));
        let registries = Registries::new(&net, &endpoints);
        let start = Instant::now();
        let facts = registries.gather(&crates(300)).await;
        let elapsed = start.elapsed().as_secs_f64();
        let known = facts
            .iter()
            .filter(|f| f.releases.known().is_some())
            .count();
        println!(
            "300 crates, crates.io API and GitHub refusing connections, {label}: {elapsed:.2} s, {} requests, {known} with known releases ({} the {target} s target)",
            net.stats().requests_sent,
            if elapsed <= target { "meets" } else { "MISSES" }
        );
    }
}

fn packages(count: usize) -> Vec<(PackageId, Source)> {
    (0..count)
        .map(|i| {
            (
                PackageId::new(Ecosystem::Npm, format!("pkg-{i}"), "1.0.0"),
                Source::Registry(None),
            )
        })
        .collect()
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
        .respond_with(Packument)
        .mount(&server)
        .await;
    let at = |prefix: &str| {
        format!("{}/{prefix}/", server.uri())
            .parse()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // One mirror for everything, by path prefix.
    let endpoints = Endpoints {
        npm: at("npm"),
        pypi: at("pypi"),
        crates_index: at("crates-index"),
        crates_api: at("crates-api"),
        github_api: at("github"),
    };
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let now: jiff::Timestamp = "2026-11-28T12:00:00Z"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let config = NetConfig {
        cache_dir: Some(cache.path().to_path_buf()),
        services: endpoints.services(None),
        ..NetConfig::default()
    };

    println!(
        "deptrust facts benchmark: one loopback host serving npm, PyPI, the crates index, the crates.io API and GitHub by path prefix, 50 ms added to every response\n"
    );
    for (label, count) in [("cold cache", 1000usize), ("1,000 cached, 1,000 new", 2000)] {
        let net = Net::new(config.clone(), now).unwrap_or_else(|e| panic!("{e}"));
        let registries = Registries::new(&net, &endpoints);
        let start = Instant::now();
        let facts = registries.gather(&packages(count)).await;
        let elapsed = start.elapsed();
        let stats = net.stats();
        let known = facts
            .iter()
            .filter(|f| f.releases.known().is_some())
            .count();
        println!(
            "{label}, {count} packages: {:.2} s, {} requests, at most {} in flight, {known} with known releases{}",
            elapsed.as_secs_f64(),
            stats.requests_sent,
            stats.max_in_flight,
            if count == 1000 {
                let verdict = elapsed < Duration::from_secs(5) && stats.max_in_flight >= 16;
                format!(
                    " ({} the < 5 s and >= 16 in flight targets)",
                    if verdict { "meets" } else { "MISSES" }
                )
            } else {
                String::new()
            }
        );
    }
    let net = Net::new(config.clone(), now).unwrap_or_else(|e| panic!("{e}"));
    let registries = Registries::new(&net, &endpoints);
    let start = Instant::now();
    registries.gather(&packages(2000)).await;
    let elapsed = start.elapsed();
    let stats = net.stats();
    println!(
        "warm cache, 2000 packages: {:.1} ms, {} requests, {} cache hits ({} the 0 requests and < 100 ms targets)",
        elapsed.as_secs_f64() * 1000.0,
        stats.requests_sent,
        stats.cache_hits,
        if stats.requests_sent == 0 && elapsed < Duration::from_millis(100) {
            "meets"
        } else {
            "MISSES"
        }
    );
    println!();
    unreachable_services(now).await;
}

//! The network layer against loopback mocks (wiremock, plus a few raw TCP servers for faults
//! wiremock cannot produce). No test reaches the internet.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::Instant;

use futures_util::future::join_all;
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

use super::*;

const HOUR: Duration = Duration::from_secs(3600);

fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_793_534_400).expect("time") // 2026-11-01T12:00:00Z
}

fn later(seconds: i64) -> jiff::Timestamp {
    now()
        .checked_add(jiff::SignedDuration::from_secs(seconds))
        .expect("time")
}

/// Small timeouts and backoffs, no rate limit.
fn config() -> NetConfig {
    NetConfig {
        services: Vec::new(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(3),
        max_retries: 2,
        initial_backoff: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(5),
        ..NetConfig::default()
    }
}

fn net(config: NetConfig) -> Arc<Net> {
    Net::new(config, now()).expect("net")
}

fn get(url: impl AsRef<str>) -> Request {
    Request {
        url: Url::parse(url.as_ref()).expect("url"),
        accept: None,
        freshness: Freshness::Mutable(HOUR),
    }
}

async fn ok_mock(server: &MockServer, at: &str, body: &str) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(server)
        .await;
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

async fn received_at(server: &MockServer, at: &str) -> usize {
    received(server)
        .await
        .iter()
        .filter(|request| request.url.path() == at)
        .count()
}

/// Runs `bad` and a good request at once: the fault must not disturb the other request.
async fn fault_beside_success(net: &Net, bad: Request) -> NetError {
    let good_server = MockServer::start().await;
    ok_mock(&good_server, "/good", "fine").await;
    let (bad, good) = tokio::join!(
        net.get(bad),
        net.get(get(format!("{}/good", good_server.uri())))
    );
    let good = good.expect("the other request succeeds");
    assert_eq!(good.body, b"fine");
    bad.expect_err("the fault is an error")
}

/// A TCP server on loopback running `serve` on a thread for each connection.
fn raw_server(serve: fn(std::net::TcpStream)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    address
}

fn read_request_head(stream: &mut std::net::TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
}

fn cache_files_contain(dir: &Path, needle: &[u8]) -> bool {
    fs_err::read_dir(dir)
        .expect("cache dir")
        .flatten()
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with("http-cache")
        })
        .any(|entry| {
            let bytes = fs_err::read(entry.path()).unwrap_or_default();
            bytes.windows(needle.len()).any(|window| window == needle)
        })
}

// ---------------------------------------------------------------------------------------------
// Statuses

#[tokio::test]
async fn client_errors_are_not_retried_and_name_the_url() {
    let server = MockServer::start().await;
    for status in [404_u16, 410, 401, 403] {
        Mock::given(path(format!("/{status}")))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
    }
    let net = net(config());
    for status in [404_u16, 410, 401, 403] {
        let url = format!("{}/{status}", server.uri());
        let error = fault_beside_success(&net, get(&url)).await;
        assert_eq!(
            error,
            NetError::Status {
                url: url.clone(),
                status
            }
        );
        assert!(error.to_string().contains(&url), "{error}");
        assert_eq!(received_at(&server, &format!("/{status}")).await, 1);
    }
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(path("/busy"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    ok_mock(&server, "/busy", "at last").await;
    let net = net(NetConfig {
        // Retry-After wins over the backoff.
        initial_backoff: Duration::from_millis(1),
        ..config()
    });
    let started = Instant::now();
    let fetched = net
        .get(get(format!("{}/busy", server.uri())))
        .await
        .expect("success after the wait");
    assert_eq!(fetched.body, b"at last");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(net.stats().requests_sent, 2);
}

#[tokio::test]
async fn retry_after_beyond_the_limit_gives_up_with_the_status() {
    let server = MockServer::start().await;
    Mock::given(path("/later"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let net = net(config());
    let url = format!("{}/later", server.uri());
    let error = fault_beside_success(&net, get(&url)).await;
    assert_eq!(error, NetError::Status { url, status: 429 });
    assert_eq!(received_at(&server, "/later").await, 1);
}

#[tokio::test]
async fn server_errors_are_retried_then_fail() {
    let server = MockServer::start().await;
    for status in [500_u16, 502, 503, 504] {
        Mock::given(path(format!("/{status}")))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
    }
    for status in [500_u16, 502, 503, 504] {
        // A fresh run each: three in a row would give the host up (see the storm test).
        let net = net(config());
        let url = format!("{}/{status}", server.uri());
        let error = fault_beside_success(&net, get(&url)).await;
        assert_eq!(error, NetError::Status { url, status });
        // The first attempt and `max_retries` more.
        assert_eq!(received_at(&server, &format!("/{status}")).await, 3);
    }
}

#[tokio::test]
async fn a_server_error_then_success_succeeds() {
    let server = MockServer::start().await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    ok_mock(&server, "/flaky", "ok").await;
    let net = net(config());
    let fetched = net
        .get(get(format!("{}/flaky", server.uri())))
        .await
        .expect("retried");
    assert_eq!(fetched.body, b"ok");
    assert_eq!(net.stats().requests_sent, 2);
}

// ---------------------------------------------------------------------------------------------
// Connections, time and size

#[tokio::test]
async fn connection_refused_is_retried_then_fails() {
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address")
    };
    let net = net(config());
    let url = format!("http://{closed}/x");
    let error = fault_beside_success(&net, get(&url)).await;
    assert!(
        matches!(&error, NetError::Connect { url: named, .. } if *named == url),
        "{error:?}"
    );
    // The good request counts one.
    assert_eq!(net.stats().requests_sent, 3 + 1);
}

/// After `UNREACHABLE_AFTER` requests in a row fail to connect, the host is not asked again in
/// this run; other hosts are unaffected.
#[tokio::test]
async fn an_unreachable_host_is_given_up_for_the_run() {
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address")
    };
    let net = net(NetConfig {
        max_retries: 0,
        ..config()
    });
    for n in 0..UNREACHABLE_AFTER {
        let error = net
            .get(get(format!("http://{closed}/{n}")))
            .await
            .expect_err("closed port");
        assert!(matches!(error, NetError::Connect { .. }), "{error:?}");
    }
    let sent = net.stats().requests_sent;
    let error = net
        .get(get(format!("http://{closed}/after")))
        .await
        .expect_err("given up");
    assert!(matches!(error, NetError::NotAsked { .. }), "{error:?}");
    assert!(error.to_string().contains("not asked"), "{error}");
    assert!(error.to_string().contains("in a row"), "{error}");
    assert_eq!(net.stats().requests_sent, sent);

    let server = MockServer::start().await;
    ok_mock(&server, "/fine", "ok").await;
    assert!(net.get(get(format!("{}/fine", server.uri()))).await.is_ok());
}

#[tokio::test]
async fn connection_reset_is_retried_then_fails() {
    // Closing a socket with unread data makes the kernel send a reset instead of a FIN.
    let address = raw_server(|stream| {
        std::thread::sleep(Duration::from_millis(50));
        drop(stream);
    });
    let net = net(config());
    let url = format!("http://{address}/reset");
    let error = fault_beside_success(&net, get(&url)).await;
    assert!(
        matches!(&error, NetError::Connect { url: named, .. } if *named == url),
        "{error:?}"
    );
    assert_eq!(net.stats().requests_sent, 3 + 1);
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let net = net(NetConfig {
        request_timeout: Duration::from_millis(300),
        max_retries: 1,
        ..config()
    });
    let url = format!("{}/slow", server.uri());
    let started = Instant::now();
    let error = fault_beside_success(&net, get(&url)).await;
    assert_eq!(error, NetError::Timeout { url });
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(net.stats().requests_sent, 2 + 1);
}

#[tokio::test]
async fn a_slow_body_times_out() {
    let address = raw_server(|mut stream| {
        read_request_head(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789");
        let _ = stream.flush();
        std::thread::sleep(Duration::from_secs(5));
    });
    let net = net(NetConfig {
        request_timeout: Duration::from_millis(400),
        max_retries: 0,
        ..config()
    });
    let url = format!("http://{address}/trickle");
    let started = Instant::now();
    let error = fault_beside_success(&net, get(&url)).await;
    assert_eq!(error, NetError::Timeout { url });
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let server = MockServer::start().await;
    Mock::given(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 2000]))
        .mount(&server)
        .await;
    ok_mock(&server, "/small", &"y".repeat(1000)).await;
    let net = net(NetConfig {
        max_body_bytes: 1000,
        ..config()
    });
    let url = format!("{}/big", server.uri());
    let error = fault_beside_success(&net, get(&url)).await;
    assert_eq!(error, NetError::TooLarge { url, limit: 1000 });
    assert_eq!(received_at(&server, "/big").await, 1, "not retried");
    // Exactly at the limit is fine.
    let small = net.get(get(format!("{}/small", server.uri()))).await;
    assert_eq!(small.expect("at the limit").body.len(), 1000);
}

#[tokio::test]
async fn an_oversized_body_without_a_length_is_cut_short() {
    // Chunked, never-ending: only counting the bytes read stops it.
    let address = raw_server(|mut stream| {
        read_request_head(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
        let chunk = format!("400\r\n{}\r\n", "z".repeat(0x400));
        while stream.write_all(chunk.as_bytes()).is_ok() {}
    });
    let net = net(NetConfig {
        max_body_bytes: 100_000,
        ..config()
    });
    let url = format!("http://{address}/endless");
    let error = fault_beside_success(&net, get(&url)).await;
    assert_eq!(
        error,
        NetError::TooLarge {
            url,
            limit: 100_000
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Redirects

#[tokio::test]
async fn a_redirect_on_the_same_origin_is_followed_and_reported() {
    let server = MockServer::start().await;
    Mock::given(path("/repos/old/name"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/repositories/42"))
        .mount(&server)
        .await;
    ok_mock(&server, "/repositories/42", "{}").await;
    let net = net(config());
    let url = format!("{}/repos/old/name", server.uri());
    let fetched = net.get(get(&url)).await.expect("followed");
    assert_eq!(fetched.url.as_str(), url);
    assert_eq!(
        fetched.final_url.as_str(),
        format!("{}/repositories/42", server.uri())
    );
}

#[tokio::test]
async fn a_redirect_to_http_elsewhere_is_refused() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    ok_mock(&elsewhere, "/landing", "should not be fetched").await;
    let location = format!("http://localhost:{}/landing", elsewhere.address().port());
    Mock::given(path("/moved"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", location.as_str()))
        .mount(&server)
        .await;
    let net = net(config());
    let url = format!("{}/moved", server.uri());
    let error = fault_beside_success(&net, get(&url)).await;
    assert_eq!(error, NetError::InsecureRedirect { url, location });
    assert!(received(&elsewhere).await.is_empty());
}

#[tokio::test]
async fn a_redirect_loop_and_a_long_chain_stop() {
    let server = MockServer::start().await;
    Mock::given(path("/ping"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/pong"))
        .mount(&server)
        .await;
    Mock::given(path("/pong"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/ping"))
        .mount(&server)
        .await;
    // /hop/0 → /hop/1 → … → /hop/N
    for hop in 0..7 {
        Mock::given(path(format!("/hop/{hop}")))
            .respond_with(
                ResponseTemplate::new(307).insert_header("location", format!("/hop/{}", hop + 1)),
            )
            .mount(&server)
            .await;
    }
    let net = net(config());

    let url = format!("{}/ping", server.uri());
    let error = fault_beside_success(&net, get(&url)).await;
    assert_eq!(error, NetError::TooManyRedirects { url });

    // Five redirects are followed…
    let chain = MockServer::start().await;
    for hop in 0..5 {
        Mock::given(path(format!("/hop/{hop}")))
            .respond_with(
                ResponseTemplate::new(307).insert_header("location", format!("/hop/{}", hop + 1)),
            )
            .mount(&chain)
            .await;
    }
    ok_mock(&chain, "/hop/5", "five hops").await;
    let fetched = net
        .get(get(format!("{}/hop/0", chain.uri())))
        .await
        .expect("five hops are allowed");
    assert_eq!(fetched.body, b"five hops");

    // …six are not.
    let url = format!("{}/hop/0", server.uri());
    let error = net.get(get(&url)).await.expect_err("six hops");
    assert_eq!(error, NetError::TooManyRedirects { url });
}

// ---------------------------------------------------------------------------------------------
// Headers, limits and tokens

#[tokio::test]
async fn every_request_carries_the_user_agent() {
    let server = MockServer::start().await;
    Mock::given(header("user-agent", USER_AGENT))
        .and(path("/redirect"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/target"))
        .mount(&server)
        .await;
    Mock::given(header("user-agent", USER_AGENT))
        .and(path("/target"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(header("user-agent", USER_AGENT))
        .and(path("/flaky"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(header("user-agent", USER_AGENT))
        .and(path("/flaky"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let net = net(config());
    for at in ["/redirect", "/flaky"] {
        net.get(get(format!("{}{at}", server.uri())))
            .await
            .expect("matched with the User-Agent");
    }
    let requests = received(&server).await;
    assert_eq!(requests.len(), 4);
    assert!(USER_AGENT.starts_with("deptrust/"));
    for request in requests {
        assert_eq!(
            request
                .headers
                .get("user-agent")
                .and_then(|v| v.to_str().ok()),
            Some(USER_AGENT)
        );
    }
}

/// Records when each path was asked.
struct ArrivalTimes(Arc<Mutex<Vec<(String, Instant)>>>);

impl Respond for ArrivalTimes {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((request.url.path().to_owned(), Instant::now()));
        ResponseTemplate::new(200)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limited_host_gets_one_request_per_interval() {
    // Long enough that five unpaced requests on a loaded 2-core machine (hundreds of
    // milliseconds) still finish well before the paced ones could.
    let interval = Duration::from_millis(500);
    let server = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .respond_with(ArrivalTimes(Arc::clone(&arrivals)))
        .mount(&server)
        .await;
    // `/c/` plays the crates.io API, paced; `/i/` on the same host and port plays the index,
    // which keeps its concurrency (one mirror serving both by path prefix).
    let port = server.address().port();
    let net = net(NetConfig {
        services: vec![Service {
            min_interval: Some(interval),
            ..Service::new(
                "limited",
                Url::parse(&format!("http://127.0.0.1:{port}/c/")).expect("url"),
            )
        }],
        ..config()
    });
    let started = Instant::now();
    let limited = join_all((0..5).map(|n| net.get(get(format!("http://127.0.0.1:{port}/c/{n}")))));
    let unlimited = async {
        let results =
            join_all((0..5).map(|n| net.get(get(format!("http://127.0.0.1:{port}/i/{n}"))))).await;
        (results, started.elapsed())
    };
    let (limited, (unlimited, unlimited_took)) = tokio::join!(limited, unlimited);
    assert!(limited.iter().chain(&unlimited).all(Result::is_ok));
    assert!(started.elapsed() >= interval * 4, "{:?}", started.elapsed());
    assert!(unlimited_took < interval * 3, "{unlimited_took:?}");

    let arrivals = arrivals.lock().unwrap_or_else(PoisonError::into_inner);
    let limited_arrivals: Vec<_> = arrivals
        .iter()
        .filter(|(path, _)| path.starts_with("/c/"))
        .map(|(_, at)| *at)
        .collect();
    assert_eq!(limited_arrivals.len(), 5);
    // The limiter spaces the starts exactly (see the tests in `limit.rs`); what the server
    // sees adds scheduling jitter to each arrival, which a loaded machine makes tens of
    // milliseconds, so the span of the five is checked: jitter does not add up over it
    // (without a limiter it would be about zero).
    let span = limited_arrivals[4] - limited_arrivals[0];
    assert!(span >= interval * 4 - Duration::from_millis(60), "{span:?}");
}

/// Two `Net`s on one cache directory stand for two deptrust processes (two CI jobs on one
/// runner): together they keep the paced service's interval, through the cache's `pace`
/// table. Each alone would span only half as long.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_a_cache_share_the_pace() {
    let interval = Duration::from_millis(300);
    let server = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .respond_with(ArrivalTimes(Arc::clone(&arrivals)))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let paced = || {
        net(NetConfig {
            cache_dir: Some(dir.path().to_path_buf()),
            services: vec![Service {
                min_interval: Some(interval),
                ..Service::new(
                    "limited",
                    Url::parse(&format!("{}/c/", server.uri())).expect("url"),
                )
            }],
            ..config()
        })
    };
    let (one, two) = (paced(), paced());
    let asked = |net: Arc<Net>, from: usize| {
        let uri = server.uri();
        async move { join_all((from..from + 4).map(|n| net.get(get(format!("{uri}/c/{n}"))))).await }
    };
    let (first, second) = tokio::join!(asked(Arc::clone(&one), 0), asked(Arc::clone(&two), 4));
    assert!(first.iter().chain(&second).all(Result::is_ok));
    let mut arrivals: Vec<Instant> = arrivals
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .map(|(_, at)| *at)
        .collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), 8);
    // As in `a_limited_host_gets_one_request_per_interval`: the span, which scheduling jitter
    // does not add up over (each process alone: about 3 intervals).
    let span = arrivals[7] - arrivals[0];
    assert!(span >= interval * 7 - Duration::from_millis(60), "{span:?}");
}

/// The shared pace's slots: one after the other on one cache directory, given back when the
/// request never reached the server, and independent on another directory.
#[tokio::test]
async fn shared_pace_slots_follow_each_other_per_cache_directory() {
    let interval = Duration::from_secs(1);
    let second: i64 = 1_000_000;
    let (dir, other) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let (one, two) = (
        cache::Cache::open(dir.path()).expect("open"),
        cache::Cache::open(dir.path()).expect("open"),
    );
    let elsewhere = cache::Cache::open(other.path()).expect("open");
    let now = 1_793_534_400 * second;
    let service = "http://127.0.0.1:9/api/";
    let first = one
        .reserve_start(service, interval, move || now)
        .await
        .expect("slot");
    assert_eq!(first.start, now);
    let next = two
        .reserve_start(service, interval, move || now)
        .await
        .expect("slot");
    assert_eq!(next.start, now + second, "the other process waits its turn");
    // Another service, and the same service on another cache directory, have their own.
    let api = one
        .reserve_start("http://127.0.0.1:9/other/", interval, move || now)
        .await
        .expect("slot");
    assert_eq!(api.start, now);
    let apart = elsewhere
        .reserve_start(service, interval, move || now)
        .await
        .expect("slot");
    assert_eq!(apart.start, now);
    // A slot whose request never reached the server is given back...
    two.release_start(service, next).await;
    let again = one
        .reserve_start(service, interval, move || now)
        .await
        .expect("slot");
    assert_eq!(again.start, now + second);
    // ...unless a later one was taken meanwhile.
    one.release_start(service, first).await;
    let later = two
        .reserve_start(service, interval, move || now)
        .await
        .expect("slot");
    assert_eq!(later.start, now + 2 * second);
    // A next start far ahead is a clock that jumped back: start now.
    let jumped = now - 3600 * second;
    let slot = one
        .reserve_start(service, interval, move || jumped)
        .await
        .expect("slot");
    assert_eq!(slot.start, jumped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_per_host_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(200)))
        .mount(&server)
        .await;
    let net = net(NetConfig {
        max_in_flight_per_host: 3,
        ..config()
    });
    let results = join_all((0..9).map(|n| net.get(get(format!("{}/{n}", server.uri()))))).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(net.stats().max_in_flight, 3);
    assert_eq!(net.stats().requests_sent, 9);
}

#[tokio::test]
async fn a_token_goes_only_to_its_host_and_nowhere_else() {
    const SECRET: &str = "Bearer s3cr3t-t0ken-value";
    let token_host = MockServer::start().await;
    let other = MockServer::start().await;
    let other_url = format!("http://localhost:{}", other.address().port());
    Mock::given(path("/start"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", format!("{other_url}/landing")),
        )
        .mount(&token_host)
        .await;
    ok_mock(&token_host, "/direct", "token host").await;
    Mock::given(path("/missing"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&token_host)
        .await;
    ok_mock(&other, "/landing", "landed").await;
    ok_mock(&other, "/direct", "other host").await;

    let cache_dir = tempfile::tempdir().expect("tempdir");
    let config = NetConfig {
        cache_dir: Some(cache_dir.path().to_path_buf()),
        tokens: vec![HostToken {
            host: "127.0.0.1".into(),
            header: "Authorization".into(),
            value: SECRET.into(),
        }],
        // The other mock is plain http on another host: allow that redirect for the test.
        http_redirect_hosts: vec!["localhost".into()],
        ..config()
    };
    assert!(!format!("{config:?}").contains(SECRET));
    let net = net(config);

    let landed = net
        .get(get(format!("{}/start", token_host.uri())))
        .await
        .expect("redirected");
    assert_eq!(landed.body, b"landed");
    net.get(get(format!("{}/direct", token_host.uri())))
        .await
        .expect("token host");
    net.get(get(format!("{other_url}/direct")))
        .await
        .expect("other host");
    let error = net
        .get(get(format!("{}/missing", token_host.uri())))
        .await
        .expect_err("404");

    for request in received(&token_host).await {
        assert_eq!(
            request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok()),
            Some(SECRET),
            "the token host gets the token: {}",
            request.url
        );
    }
    let other_requests = received(&other).await;
    assert_eq!(other_requests.len(), 2);
    for request in other_requests {
        assert!(
            request.headers.get("authorization").is_none(),
            "the token leaked to {}",
            request.url
        );
    }

    assert!(!format!("{net:?}").contains(SECRET));
    assert!(!format!("{error} {error:?}").contains(SECRET));
    drop(net);
    assert!(cache_files_contain(cache_dir.path(), b"token host"));
    assert!(!cache_files_contain(cache_dir.path(), SECRET.as_bytes()));
    assert!(!cache_files_contain(cache_dir.path(), b"s3cr3t"));
}

#[tokio::test]
async fn identical_concurrent_requests_are_sent_once() {
    let server = MockServer::start().await;
    Mock::given(path("/packument"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("{}")
                .set_delay(Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    let net = net(config());
    let url = format!("{}/packument", server.uri());
    let results = join_all((0..10).map(|_| net.get(get(&url)))).await;
    let first = results[0].as_ref().expect("ok");
    assert!(results.iter().all(|result| {
        result
            .as_ref()
            .is_ok_and(|fetched| Arc::ptr_eq(fetched, first))
    }));
    // Asked again later in the run: answered from memory.
    net.get(get(&url)).await.expect("again");
    assert_eq!(received_at(&server, "/packument").await, 1);
    // Another `Accept` is another request.
    net.get(Request {
        accept: Some("application/vnd.npm.install-v1+json"),
        ..get(&url)
    })
    .await
    .expect("other accept");
    assert_eq!(received_at(&server, "/packument").await, 2);
    assert_eq!(net.stats().requests_sent, 2);
}

// ---------------------------------------------------------------------------------------------
// Cache

#[tokio::test]
async fn a_fresh_cached_answer_needs_no_request() {
    let server = MockServer::start().await;
    ok_mock(&server, "/doc", "cached body").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let with_cache = |now| {
        Net::new(
            NetConfig {
                cache_dir: Some(dir.path().to_path_buf()),
                ..config()
            },
            now,
        )
        .expect("net")
    };
    let url = format!("{}/doc", server.uri());

    let first = with_cache(now());
    assert!(first.cache_error().is_none());
    assert!(!first.get(get(&url)).await.expect("fetched").from_cache);
    drop(first);

    let second = with_cache(later(60));
    let fetched = second.get(get(&url)).await.expect("cached");
    assert!(fetched.from_cache);
    assert_eq!(fetched.body, b"cached body");
    assert_eq!(fetched.final_url.as_str(), url);
    assert_eq!(
        second.stats(),
        NetStats {
            requests_sent: 0,
            cache_hits: 1,
            revalidated: 0,
            max_in_flight: 0
        }
    );
    // Immutable documents never expire.
    let years_later = with_cache(later(10 * 365 * 86_400));
    let fetched = years_later
        .get(Request {
            freshness: Freshness::Immutable,
            ..get(&url)
        })
        .await
        .expect("cached");
    assert!(fetched.from_cache);
    assert_eq!(years_later.stats().requests_sent, 0);
    assert_eq!(received_at(&server, "/doc").await, 1);
}

#[tokio::test]
async fn a_stale_answer_is_revalidated() {
    let server = MockServer::start().await;
    Mock::given(path("/doc"))
        .and(header("if-none-match", "\"v1\""))
        .and(header_exists("if-modified-since"))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    Mock::given(path("/doc"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("version one")
                .insert_header("etag", "\"v1\"")
                .insert_header("last-modified", "Sat, 31 Oct 2026 12:00:00 GMT"),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let with_cache = |now| {
        Net::new(
            NetConfig {
                cache_dir: Some(dir.path().to_path_buf()),
                ..config()
            },
            now,
        )
        .expect("net")
    };
    let url = format!("{}/doc", server.uri());
    with_cache(now()).get(get(&url)).await.expect("fetched");

    // Two hours later, past the one-hour TTL: a conditional request, answered 304.
    let stale = with_cache(later(2 * 3600));
    let fetched = stale.get(get(&url)).await.expect("revalidated");
    assert!(fetched.from_cache);
    assert_eq!(fetched.body, b"version one");
    let stats = stale.stats();
    assert_eq!((stats.requests_sent, stats.revalidated), (1, 1));
    drop(stale);

    // The 304 refreshed the entry: fresh again for an hour from then.
    let refreshed = with_cache(later(2 * 3600 + 60));
    assert!(refreshed.get(get(&url)).await.expect("fresh").from_cache);
    assert_eq!(refreshed.stats().requests_sent, 0);
    assert_eq!(received_at(&server, "/doc").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_can_share_the_cache() {
    // Two `Net`s on one directory stand for two deptrust processes: two SQLite connections
    // writing at once, serialized by WAL and the busy timeout.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'b'; 64 * 1024]))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let with_cache = || {
        net(NetConfig {
            cache_dir: Some(dir.path().to_path_buf()),
            ..config()
        })
    };
    let (one, two) = (with_cache(), with_cache());
    let urls: Vec<String> = (0..40).map(|n| format!("{}/{n}", server.uri())).collect();
    let (first, second) = tokio::join!(
        join_all(urls[..20].iter().map(|url| one.get(get(url)))),
        join_all(urls[20..].iter().map(|url| two.get(get(url)))),
    );
    assert!(first.iter().chain(&second).all(Result::is_ok));
    drop((one, two));
    let third = with_cache();
    let all = join_all(urls.iter().map(|url| third.get(get(url)))).await;
    assert!(
        all.iter()
            .all(|result| result.as_ref().is_ok_and(|f| f.from_cache))
    );
    assert_eq!(third.stats().requests_sent, 0);
}

/// Entries read ahead in one query answer their first `get` as the cache would, and a key
/// with nothing cached goes to the network; `inspect_cached` looks at the cached bodies only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preloaded_and_inspected_entries_answer_as_the_cache_would() {
    let server = MockServer::start().await;
    ok_mock(&server, "/a", "alpha").await;
    ok_mock(&server, "/b", "beta").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let with_cache = || {
        net(NetConfig {
            cache_dir: Some(dir.path().to_path_buf()),
            ..config()
        })
    };
    let (a, b) = (
        get(format!("{}/a", server.uri())),
        get(format!("{}/b", server.uri())),
    );
    with_cache().get(a.clone()).await.expect("a");
    let warm = with_cache();
    let seen = warm
        .inspect_cached(&[a.clone(), b.clone()], |url, body| {
            format!("{url} {}", String::from_utf8_lossy(body))
        })
        .await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    let (text, at, fresh) = &seen[a.url.as_str()];
    assert_eq!(text, &format!("{} alpha", a.url));
    assert_eq!((*at, *fresh), (now(), true));
    warm.preload(&[a.clone(), b.clone()]).await;
    let first = warm.get(a).await.expect("a");
    assert!(first.from_cache);
    assert_eq!(first.body, b"alpha");
    let second = warm.get(b).await.expect("b");
    assert!(!second.from_cache);
    assert_eq!(warm.stats().requests_sent, 1);
    assert_eq!(warm.stats().cache_hits, 1);
}

#[tokio::test]
async fn errors_are_not_cached() {
    let server = MockServer::start().await;
    Mock::given(path("/gone"))
        .respond_with(ResponseTemplate::new(410))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("{}/gone", server.uri());
    for _ in 0..2 {
        let net = net(NetConfig {
            cache_dir: Some(dir.path().to_path_buf()),
            ..config()
        });
        let error = net.get(get(&url)).await.expect_err("410");
        assert_eq!(
            error,
            NetError::Status {
                url: url.clone(),
                status: 410
            }
        );
    }
    assert_eq!(received_at(&server, "/gone").await, 2);
}

/// A 404 is a fact (no such document): later runs take it from the cache while it would have
/// been fresh (offline too), then ask again; a 503 is never remembered.
#[tokio::test]
async fn not_found_is_remembered_while_fresh() {
    let server = MockServer::start().await;
    Mock::given(path("/missing"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = format!("{}/missing", server.uri());
    let run = |at: jiff::Timestamp, offline: bool| {
        Net::new(
            NetConfig {
                cache_dir: Some(dir.path().to_path_buf()),
                offline,
                max_retries: 0,
                ..config()
            },
            at,
        )
        .expect("net")
    };
    for (at, offline) in [
        (now(), false),
        (later(1800), false),
        (later(30 * 86_400), true),
    ] {
        let net = run(at, offline);
        let error = net.get(get(&missing)).await.expect_err("404");
        assert_eq!(
            error,
            NetError::Status {
                url: missing.clone(),
                status: 404
            }
        );
    }
    assert_eq!(
        received_at(&server, "/missing").await,
        1,
        "asked once in three runs"
    );
    // An hour later (the request's freshness), it is asked again.
    run(later(3601), false)
        .get(get(&missing))
        .await
        .expect_err("404");
    assert_eq!(received_at(&server, "/missing").await, 2);

    let flaky = format!("{}/flaky", server.uri());
    for _ in 0..2 {
        run(now(), false).get(get(&flaky)).await.expect_err("503");
    }
    assert_eq!(received_at(&server, "/flaky").await, 2);
}

#[tokio::test]
async fn a_corrupt_cache_file_is_recreated() {
    let server = MockServer::start().await;
    ok_mock(&server, "/doc", "body").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("http-cache.sqlite3");
    fs_err::write(&file, "this is not a database ".repeat(400)).expect("write");
    let url = format!("{}/doc", server.uri());
    for expected_requests in [1, 0] {
        let net = net(NetConfig {
            cache_dir: Some(dir.path().to_path_buf()),
            ..config()
        });
        assert_eq!(net.cache_error(), None);
        assert_eq!(net.get(get(&url)).await.expect("ok").body, b"body");
        assert_eq!(net.stats().requests_sent, expected_requests);
    }
}

#[tokio::test]
async fn a_corrupt_cache_row_is_refetched() {
    let server = MockServer::start().await;
    ok_mock(&server, "/doc", "body").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("{}/doc", server.uri());
    let config = NetConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..config()
    };
    net(config.clone()).get(get(&url)).await.expect("ok");
    {
        let connection =
            rusqlite::Connection::open(dir.path().join("http-cache.sqlite3")).expect("open");
        connection
            .execute("UPDATE responses SET body = 3.5, final_url = 42", [])
            .expect("damage");
    }
    let net = net(config);
    let fetched = net.get(get(&url)).await.expect("refetched");
    assert_eq!(fetched.body, b"body");
    assert!(!fetched.from_cache);
    assert_eq!(net.stats().requests_sent, 1);
}

#[tokio::test]
async fn offline_serves_any_cached_answer_and_nothing_else() {
    let server = MockServer::start().await;
    ok_mock(&server, "/doc", "old but cached").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("{}/doc", server.uri());
    net(NetConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..config()
    })
    .get(get(&url))
    .await
    .expect("fetched");

    let offline = Net::new(
        NetConfig {
            offline: true,
            cache_dir: Some(dir.path().to_path_buf()),
            ..config()
        },
        later(365 * 86_400),
    )
    .expect("net");
    let fetched = offline
        .get(Request {
            freshness: Freshness::Mutable(Duration::from_secs(1)),
            ..get(&url)
        })
        .await
        .expect("served from the cache regardless of age");
    assert_eq!(fetched.body, b"old but cached");
    let missing = format!("{}/missing", server.uri());
    assert_eq!(
        offline.get(get(&missing)).await.expect_err("not cached"),
        NetError::Offline { url: missing }
    );
    assert_eq!(offline.stats().requests_sent, 0);
    assert_eq!(received(&server).await.len(), 1);

    // Offline without a cache at all.
    let bare = net(NetConfig {
        offline: true,
        ..config()
    });
    assert!(matches!(
        bare.get(get(&url)).await,
        Err(NetError::Offline { .. })
    ));
}

/// Progress per service: announced requests, answered ones (cache hits and failures too), the
/// pace, and the give-up.
#[tokio::test]
async fn progress_counts_each_services_requests() {
    let server = MockServer::start().await;
    ok_mock(&server, "/api/a", "{}").await;
    let base = |path: &str| Url::parse(&format!("{}{path}", server.uri())).expect("url");
    let net = net(NetConfig {
        services: vec![Service {
            min_interval: Some(Duration::from_millis(1)),
            ..Service::new("crates.io API", base("/api/"))
        }],
        ..config()
    });
    net.expect(&base("/api/"), 3);
    net.get(get(format!("{}/api/a", server.uri())))
        .await
        .expect("a");
    net.get(get(format!("{}/api/missing", server.uri())))
        .await
        .expect_err("404");
    net.get(get(format!("{}/other", server.uri())))
        .await
        .expect_err("404");
    let progress = net.progress();
    let api = progress
        .iter()
        .find(|s| s.name == "crates.io API")
        .expect("api");
    assert_eq!((api.done, api.expected), (2, 3));
    assert_eq!(api.pace, Some(Duration::from_millis(1)));
    assert_eq!(api.given_up, None);
    let host = progress
        .iter()
        .find(|s| s.name.starts_with("127.0.0.1"))
        .expect("host");
    assert_eq!((host.done, host.expected), (1, 1));
}

/// A registry that never answers (each try within the per-request timeout, retried, then a
/// `Retry-After` longer than what is left) costs at most the run's deadline; once it passed,
/// nothing more is sent and every request is `Deadline`.
#[tokio::test]
async fn the_run_deadline_bounds_a_registry_that_never_answers() {
    let server = MockServer::start().await;
    Mock::given(path("/hang"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    Mock::given(path("/later"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "5"))
        .mount(&server)
        .await;
    let net = net(NetConfig {
        request_timeout: Duration::from_secs(20),
        max_retries: 3,
        deadline: Some(Duration::from_millis(800)),
        ..config()
    });
    let started = Instant::now();
    let hang = format!("{}/hang", server.uri());
    let later = format!("{}/later", server.uri());
    let (hung, retried) = tokio::join!(net.get(get(&hang)), net.get(get(&later)));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        hung.unwrap_err(),
        NetError::Deadline {
            url: hang,
            seconds: 0
        }
    );
    // The 5 s Retry-After outlasts the deadline: the 503 is the answer, at once.
    assert!(
        matches!(retried.unwrap_err(), NetError::Status { status: 503, .. }),
        "a Retry-After beyond the deadline is not waited for"
    );
    let sent = net.stats().requests_sent;
    let after = format!("{}/other", server.uri());
    let error = net.get(get(&after)).await.unwrap_err();
    assert!(matches!(error, NetError::Deadline { .. }), "{error:?}");
    assert_eq!(
        net.stats().requests_sent,
        sent,
        "nothing is sent after the deadline"
    );
}

#[tokio::test]
async fn answers_past_the_memory_bound_are_not_kept_for_the_run() {
    let server = MockServer::start().await;
    ok_mock(&server, "/big", &"x".repeat(1000)).await;
    ok_mock(&server, "/small", "ok").await;
    let net = net(NetConfig {
        max_kept_bytes: 10,
        ..config()
    });
    let big = || get(format!("{}/big", server.uri()));
    // Held by a caller: later callers share it, nothing is asked again.
    let held = net.get(big()).await.expect("big");
    let again = net.get(big()).await.expect("big again");
    assert!(Arc::ptr_eq(&held, &again));
    assert_eq!(received_at(&server, "/big").await, 1);
    // Nobody holds it any more: it is gone from memory, and asked again (no cache here).
    let weak = Arc::downgrade(&held);
    drop((held, again));
    assert!(weak.upgrade().is_none(), "the body was freed");
    net.get(big()).await.expect("big, third time");
    assert_eq!(received_at(&server, "/big").await, 2);
    // Small answers within the bound are kept for the run.
    drop(
        net.get(get(format!("{}/small", server.uri())))
            .await
            .expect("small"),
    );
    net.get(get(format!("{}/small", server.uri())))
        .await
        .expect("small again");
    assert_eq!(received_at(&server, "/small").await, 1);
}

/// A service that keeps answering 503 is given up after `UNREACHABLE_AFTER` attempts in a row:
/// the rest of the run's requests to it, queued or not, return at once without a request or a
/// pacing wait, while another service on the same host and port goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_service_is_given_up_and_its_queue_answered_at_once() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path_regex("^/api/"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path_regex("^/npm/"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let base = |path: &str| Url::parse(&format!("{}{path}", server.uri())).expect("url");
    let net = net(NetConfig {
        services: vec![
            Service {
                // Paced: without the give-up, 40 requests and their retries would take 24 s.
                min_interval: Some(Duration::from_millis(200)),
                ..Service::new("crates.io API", base("/api/"))
            },
            Service::new("npm registry", base("/npm/")),
        ],
        ..config()
    });
    let started = Instant::now();
    let (api, npm) = tokio::join!(
        join_all((0..40).map(|n| net.get(get(format!("{}/api/v1/crates/c{n}", server.uri()))))),
        join_all((0..40).map(|n| net.get(get(format!("{}/npm/p{n}", server.uri()))))),
    );
    assert!(npm.iter().all(Result::is_ok), "the other service goes on");
    let not_asked = api
        .iter()
        .filter(|answer| {
            matches!(answer, Err(NetError::NotAsked { reason, .. })
                if reason.starts_with("the crates.io API at")
                    && reason.contains("failed 8 attempts in a row"))
        })
        .count();
    // Those whose own attempt failed end with that answer (their retry wait is cut short);
    // every other one was not asked.
    let failed_themselves = api
        .iter()
        .filter(|answer| matches!(answer, Err(NetError::Status { status: 503, .. })))
        .count();
    assert_eq!(not_asked + failed_themselves, 40, "{api:?}");
    assert!(failed_themselves <= UNREACHABLE_AFTER as usize, "{api:?}");
    // Eight paced attempts, then nothing.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let sent = received(&server)
        .await
        .iter()
        .filter(|request| request.url.path().starts_with("/api/"))
        .count();
    assert_eq!(
        sent, UNREACHABLE_AFTER as usize,
        "attempts before the service was given up"
    );
}

#[tokio::test]
async fn a_service_deadline_bounds_only_its_service() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path_regex("^/slow/"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    ok_mock(&server, "/fast/x", "ok").await;
    let base = |path: &str| Url::parse(&format!("{}{path}", server.uri())).expect("url");
    let net = net(NetConfig {
        services: vec![Service {
            deadline: Some(Duration::from_millis(300)),
            ..Service::new("GitHub API", base("/slow/"))
        }],
        request_timeout: Duration::from_secs(60),
        deadline: Some(Duration::from_secs(20)),
        ..config()
    });
    let started = Instant::now();
    let slow = net.get(get(format!("{}/slow/repo", server.uri()))).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let error = slow.expect_err("past its deadline");
    assert!(
        error
            .to_string()
            .contains("was not fetched: the service deadline of the GitHub API (0 s) passed"),
        "{error}"
    );
    assert!(
        net.get(get(format!("{}/fast/x", server.uri())))
            .await
            .is_ok()
    );
}

/// Bodies above `max_cached_body` are not stored: the next run asks again.
#[tokio::test]
async fn large_bodies_are_not_cached() {
    let server = MockServer::start().await;
    ok_mock(&server, "/big", &"x".repeat(2000)).await;
    ok_mock(&server, "/small", "ok").await;
    let dir = tempfile::tempdir().expect("tempdir");
    for _ in 0..2 {
        let net = net(NetConfig {
            cache_dir: Some(dir.path().to_path_buf()),
            max_cached_body: 1000,
            ..config()
        });
        net.get(get(format!("{}/big", server.uri())))
            .await
            .expect("big");
        net.get(get(format!("{}/small", server.uri())))
            .await
            .expect("small");
    }
    assert_eq!(received_at(&server, "/big").await, 2);
    assert_eq!(received_at(&server, "/small").await, 1);
}

#[tokio::test]
async fn the_request_log_gets_one_line_per_request_and_never_a_token() {
    let server = MockServer::start().await;
    ok_mock(&server, "/doc", "body").await;
    Mock::given(path("/gone"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let lines = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let logged = Arc::clone(&lines);
    let log = RequestLog(Arc::new(move |line: &str| {
        logged.lock().expect("lock").push(line.to_string());
    }));
    let host = Url::parse(&server.uri()).expect("url");
    let config = || NetConfig {
        cache_dir: Some(cache_dir.path().to_path_buf()),
        log: Some(log.clone()),
        tokens: vec![HostToken {
            host: scope_of(&host).expect("scope"),
            header: "Authorization".into(),
            value: "Bearer secret-token-value".into(),
        }],
        ..self::config()
    };
    let first = net(config());
    first
        .get(get(format!("{}/doc", server.uri())))
        .await
        .expect("doc");
    let _ = first.get(get(format!("{}/gone", server.uri()))).await;
    // A second run: the document is fresh in the cache, the 404 remembered.
    let second = net(config());
    second
        .get(get(format!("{}/doc", server.uri())))
        .await
        .expect("doc");
    let _ = second.get(get(format!("{}/gone", server.uri()))).await;
    let lines = lines.lock().expect("lock").clone();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    let uri = server.uri();
    assert!(
        lines[0].starts_with(&format!("GET {uri}/doc: 200 in ")),
        "{lines:#?}"
    );
    assert!(lines[0].ends_with(" KB)"), "{lines:#?}");
    assert!(
        lines[1].starts_with(&format!("GET {uri}/gone: failed after ")),
        "{lines:#?}"
    );
    assert!(lines[1].contains("404"), "{lines:#?}");
    assert_eq!(lines[2], format!("cache {uri}/doc (fresh)"));
    assert!(
        lines[3].starts_with(&format!("cache {uri}/gone: 404 remembered")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().all(|line| !line.contains("secret")),
        "{lines:#?}"
    );
}

//! The monthly HTML page (`deptrust report`) in a real browser: headless Chromium driven over
//! the Chrome DevTools Protocol (a WebSocket from `tungstenite`; the one HTTP request, for the
//! list of targets, over a plain `TcpStream`).
//!
//! [`check_page`] loads a page from a `file://` URL and reports console errors, uncaught
//! exceptions, browser log errors, every network request other than the page itself, the size
//! of the trend chart and the page background in each theme; it writes a full-page screenshot
//! of the light and the dark theme (`prefers-color-scheme` emulated on the `Auto` page), and of
//! the page as printed.
//!
//! Chromium is `/usr/bin/chromium` (Debian's `chromium` package) or `DEPTRUST_CHROMIUM`. When it
//! is missing the test fails and says how to install it, unless `DEPTRUST_SKIP_BROWSER=1`, when
//! it says on stderr why it is skipped. Every wait has a deadline, so a broken browser fails
//! the test within a minute; the browser's whole process group is killed at the end, on failure
//! too.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use deptrust::monthly::{
    Contributor, CoverageCause, CoverageView, EventKind, MonthlyReport, Point, ProjectScore,
    Repository, RuleShare, Series, SharedPackage, TrustEvent,
};
use deptrust::report::monthly_html::{Theme, render};
use deptrust::rules::Severity;
use jiff::Timestamp;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// The whole check, launch to last screenshot.
const BUDGET: Duration = Duration::from_secs(45);
/// The viewport: a laptop screen.
const VIEWPORT: (u32, u32) = (1280, 900);

/// What the browser saw.
#[derive(Debug, Default)]
pub(crate) struct PageCheck {
    /// The page's own URL.
    pub(crate) url: String,
    /// `console.error` (and `console.assert`) calls.
    pub(crate) console_errors: Vec<String>,
    /// Uncaught exceptions.
    pub(crate) exceptions: Vec<String>,
    /// Browser log entries at level error (a blocked resource, a CSP violation…).
    pub(crate) log_errors: Vec<String>,
    /// Requests for anything but the page itself.
    pub(crate) requests: Vec<String>,
    /// Whether the page's own request was seen (so that no other request means something).
    pub(crate) page_requested: bool,
    /// The trend chart's rendered size in CSS pixels, when there is one.
    pub(crate) chart: Option<(f64, f64)>,
    /// The body's computed background colour in each theme: (theme, colour).
    pub(crate) backgrounds: Vec<(String, String)>,
    /// The screenshots written: (theme, path).
    pub(crate) screenshots: Vec<(String, PathBuf)>,
}

/// Chromium's path: `DEPTRUST_CHROMIUM`, else Debian's `/usr/bin/chromium`.
fn chromium_path() -> PathBuf {
    std::env::var_os("DEPTRUST_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Whether the browser test runs: `true` when Chromium is there; `false` (saying why on
/// stderr) when it is not and `DEPTRUST_SKIP_BROWSER=1`; otherwise the test fails and says how
/// to install it.
#[expect(
    clippy::print_stderr,
    reason = "a skipped test says why on stderr, where cargo test shows it"
)]
fn browser_available() -> bool {
    let path = chromium_path();
    if path.is_file() {
        return true;
    }
    if std::env::var("DEPTRUST_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!(
            "browser test skipped: no Chromium at {} and DEPTRUST_SKIP_BROWSER=1 \
             (install it with `apt-get install -y chromium`, or set DEPTRUST_CHROMIUM)",
            path.display()
        );
        return false;
    }
    panic!(
        "the browser test needs headless Chromium and there is none at {}: install it with \
         `apt-get install -y chromium` (Debian's package), or set DEPTRUST_CHROMIUM to its path; \
         set DEPTRUST_SKIP_BROWSER=1 to skip this test",
        path.display()
    );
}

/// A running browser; dropping it kills its whole process group and removes its profile.
struct Browser {
    child: Child,
    /// Removed after the browser is gone.
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium's renderer and GPU processes are in its process group (it leads one).
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts Chromium on `about:blank` and returns it with its DevTools port.
fn launch(chromium: &Path, deadline: Instant) -> (Browser, u16) {
    use std::os::unix::process::CommandExt as _;

    let profile = tempfile::tempdir().expect("a temporary Chromium profile");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", chromium.display()));
    let stderr = child.stderr.take().expect("Chromium's stderr");
    let browser = Browser {
        child,
        _profile: profile,
    };
    // Read stderr to its end on a thread (a full pipe would stall the browser); the first
    // `DevTools listening on ws://127.0.0.1:PORT/…` line gives the port.
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        let mut seen = Vec::new();
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if !sent {
                if let Some(rest) = line.split("DevTools listening on ws://").nth(1) {
                    let port = rest
                        .split('/')
                        .next()
                        .and_then(|host| host.rsplit(':').next())
                        .and_then(|port| port.parse::<u16>().ok());
                    let _ = sender.send(port.ok_or(line.clone()));
                    sent = true;
                } else if seen.len() < 20 {
                    seen.push(line);
                }
            }
        }
        if !sent {
            let _ = sender.send(Err(format!(
                "Chromium exited without a DevTools port; its stderr:\n{}",
                seen.join("\n")
            )));
        }
    });
    let wait = deadline.saturating_duration_since(Instant::now());
    match receiver.recv_timeout(wait) {
        Ok(Ok(port)) => (browser, port),
        Ok(Err(message)) => panic!("Chromium did not start: {message}"),
        Err(_) => panic!("Chromium did not print its DevTools port within {wait:?}"),
    }
}

/// `GET /json/list` on the DevTools port: the WebSocket URL of the first page target.
fn page_target(port: u16, deadline: Instant) -> String {
    loop {
        match list_targets(port) {
            Ok(targets) => {
                let page = targets.as_array().and_then(|targets| {
                    targets
                        .iter()
                        .find(|t| t["type"] == "page")
                        .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(str::to_string))
                });
                if let Some(url) = page {
                    return url;
                }
            }
            Err(error) if Instant::now() >= deadline => {
                panic!("GET /json/list on 127.0.0.1:{port}: {error}")
            }
            Err(_) => {}
        }
        assert!(
            Instant::now() < deadline,
            "Chromium on port {port} listed no page target"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn list_targets(port: u16) -> std::io::Result<Value> {
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    // Chromium keeps the connection open: read the headers, then `Content-Length` bytes.
    let mut response = Vec::new();
    let mut buffer = [0u8; 8192];
    let body = loop {
        let read = stream.read(&mut buffer)?;
        if read == 0 {
            return Err(std::io::Error::new(
                ErrorKind::UnexpectedEof,
                "the connection closed before the whole answer",
            ));
        }
        response.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&response);
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidData, "no Content-Length"))?;
        if body.len() >= length {
            break body.to_string();
        }
    };
    serde_json::from_str(body.trim())
        .map_err(|e| std::io::Error::new(ErrorKind::InvalidData, format!("{e}: {body}")))
}

/// One DevTools session on a page: commands with ids, events kept in arrival order.
struct Session {
    socket: WebSocket<TcpStream>,
    next_id: u64,
    events: Vec<Value>,
    deadline: Instant,
}

impl Session {
    fn connect(url: &str, deadline: Instant) -> Self {
        let authority = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("not a ws:// URL: {url}"));
        let address: std::net::SocketAddr = authority
            .parse()
            .unwrap_or_else(|e| panic!("DevTools address {authority}: {e}"));
        let stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
        stream
            .set_read_timeout(Some(Duration::from_millis(250)))
            .unwrap();
        stream
            .set_write_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut handshake = tungstenite::client(url, stream);
        let socket = loop {
            match handshake {
                Ok((socket, _)) => break socket,
                Err(tungstenite::HandshakeError::Interrupted(mid)) => {
                    assert!(
                        Instant::now() < deadline,
                        "WebSocket handshake with {url} timed out"
                    );
                    handshake = mid.handshake();
                }
                Err(tungstenite::HandshakeError::Failure(error)) => {
                    panic!("WebSocket handshake with {url}: {error}")
                }
            }
        };
        Session {
            socket,
            next_id: 1,
            events: Vec::new(),
            deadline,
        }
    }

    /// The next message, or `None` when none came within the read timeout.
    fn read(&mut self) -> Option<Value> {
        match self.socket.read() {
            Ok(Message::Text(text)) => Some(
                serde_json::from_str(text.as_str())
                    .unwrap_or_else(|e| panic!("DevTools sent something not JSON: {e}")),
            ),
            Ok(_) => None,
            Err(tungstenite::Error::Io(error))
                if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
            {
                None
            }
            Err(error) => panic!("reading from DevTools: {error}"),
        }
    }

    /// Sends a command and waits for its result; events that arrive meanwhile are kept.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let command = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(Message::text(command.to_string()))
            .unwrap_or_else(|e| panic!("sending {method}: {e}"));
        loop {
            assert!(
                Instant::now() < self.deadline,
                "no answer to {method} before the deadline"
            );
            let Some(message) = self.read() else { continue };
            if message["id"] == id {
                if let Some(error) = message.get("error") {
                    panic!("{method} failed: {error}");
                }
                return message["result"].clone();
            }
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
    }

    /// Waits for an event (or one already received).
    fn wait_for(&mut self, method: &str) {
        if self.events.iter().any(|e| e["method"] == method) {
            return;
        }
        loop {
            assert!(
                Instant::now() < self.deadline,
                "no {method} event before the deadline"
            );
            if let Some(message) = self.read()
                && message.get("method").is_some()
            {
                let done = message["method"] == method;
                self.events.push(message);
                if done {
                    return;
                }
            }
        }
    }

    /// Reads whatever arrives during `quiet` (late console messages, late requests).
    fn drain(&mut self, quiet: Duration) {
        let until = Instant::now() + quiet;
        while Instant::now() < until.min(self.deadline) {
            if let Some(message) = self.read()
                && message.get("method").is_some()
            {
                self.events.push(message);
            }
        }
    }

    /// A JavaScript expression's value (DevTools evaluates it; the page itself runs none).
    fn evaluate(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        if let Some(details) = result.get("exceptionDetails") {
            panic!("evaluating {expression}: {details}");
        }
        result["result"]["value"].clone()
    }
}

/// Loads `html` in headless Chromium, checks it and writes `light.png`, `dark.png` and
/// `print.png` (print media) into
/// `screenshots`. Panics when the browser cannot be started or driven; what the page did is
/// returned for the caller to judge.
pub(crate) fn check_page(html: &Path, screenshots: &Path) -> PageCheck {
    let chromium = chromium_path();
    let deadline = Instant::now() + BUDGET;
    let html = html
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", html.display()));
    let url = url_of(&html);
    let (browser, port) = launch(&chromium, deadline);
    let mut session = Session::connect(&page_target(port, deadline), deadline);
    for domain in ["Page", "Runtime", "Log", "Network"] {
        session.call(&format!("{domain}.enable"), json!({}));
    }
    session.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": VIEWPORT.0, "height": VIEWPORT.1, "deviceScaleFactor": 1, "mobile": false}),
    );
    // Events from about:blank are not the page's.
    session.events.clear();
    session.call("Page.navigate", json!({"url": url}));
    session.wait_for("Page.loadEventFired");
    session.drain(Duration::from_millis(500));

    let mut check = PageCheck {
        url: url.clone(),
        ..PageCheck::default()
    };
    let chart = session.evaluate(
        "(() => { const svg = document.querySelector('svg.trend'); if (!svg) return null; \
         const r = svg.getBoundingClientRect(); return [r.width, r.height]; })()",
    );
    check.chart = chart
        .as_array()
        .and_then(|size| Some((size.first()?.as_f64()?, size.get(1)?.as_f64()?)));

    fs_err::create_dir_all(screenshots).expect("the screenshot folder");
    // Light and dark as the reader's system asks; then print (always light), with a dark
    // system setting to show that print ignores it.
    for (theme, media, scheme) in [
        ("light", "screen", "light"),
        ("dark", "screen", "dark"),
        ("print", "print", "dark"),
    ] {
        session.call(
            "Emulation.setEmulatedMedia",
            json!({"media": media, "features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
        let background = session.evaluate("getComputedStyle(document.body).backgroundColor");
        check.backgrounds.push((
            theme.to_string(),
            background.as_str().unwrap_or_default().to_string(),
        ));
        let metrics = session.call("Page.getLayoutMetrics", json!({}));
        let height = metrics["cssContentSize"]["height"]
            .as_f64()
            .unwrap_or(f64::from(VIEWPORT.1))
            .clamp(1.0, 16_384.0);
        let shot = session.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": VIEWPORT.0, "height": height, "scale": 1},
            }),
        );
        let png = STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("screenshot is base64");
        let path = screenshots.join(format!("{theme}.png"));
        fs_err::write(&path, png).expect("writing the screenshot");
        check.screenshots.push((theme.to_string(), path));
    }
    session.drain(Duration::from_millis(200));

    for event in &session.events {
        let params = &event["params"];
        match event["method"].as_str().unwrap_or_default() {
            "Runtime.consoleAPICalled"
                if matches!(params["type"].as_str(), Some("error" | "assert")) =>
            {
                check.console_errors.push(params["args"].to_string());
            }
            "Runtime.exceptionThrown" => check
                .exceptions
                .push(params["exceptionDetails"].to_string()),
            "Log.entryAdded" if params["entry"]["level"] == "error" => check.log_errors.push(
                params["entry"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ),
            "Network.requestWillBeSent" => {
                let requested = params["request"]["url"].as_str().unwrap_or_default();
                if requested == url {
                    check.page_requested = true;
                } else {
                    check.requests.push(requested.to_string());
                }
            }
            _ => {}
        }
    }
    drop(session);
    drop(browser);
    check
}

/// `file://` URL of an absolute path, with the characters a URL cannot hold escaped.
fn url_of(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// Where screenshots go: `target/report-screenshots` of the target folder this test binary
/// was built in (`<target>/debug/deps/it-…`), so `CARGO_TARGET_DIR` is honoured.
fn screenshot_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("report-screenshots")
}

fn at(text: &str) -> Timestamp {
    text.parse().expect("a timestamp")
}

fn monthly_points(start: f64, steps: &[f64]) -> Vec<Point> {
    let mut score = start;
    (1..=12)
        .map(|month| {
            score = (score + steps[(month - 1) % steps.len()]).clamp(0.0, 100.0);
            Point {
                at: at(&format!("2026-{month:02}-28T06:00:00Z")),
                score,
            }
        })
        .collect()
}

/// A hand-made report: 12 monthly points, two series, a few contributors, events and shared
/// packages, and one hostile message (a `<script>` that the page must show as text).
fn sample_report() -> MonthlyReport {
    let repositories = ["payments-api", "storefront-web"];
    MonthlyReport {
        title: "Dependency exposure — Acme engineering".to_string(),
        now: at("2026-12-05T06:00:00Z"),
        since: at("2026-11-05T06:00:00Z"),
        exposure_score: 41.7,
        previous: Some(Point {
            at: at("2026-11-28T06:00:00Z"),
            score: 37.5,
        }),
        trend: monthly_points(28.0, &[1.5, -0.5, 2.0, 0.8, -1.2, 1.0]),
        series: vec![
            Series {
                label: repositories[0].to_string(),
                points: monthly_points(40.0, &[1.0, 0.5, -2.0, 1.5]),
            },
            Series {
                label: repositories[1].to_string(),
                points: monthly_points(18.0, &[2.0, 1.0, 0.0, 3.0, -1.0]),
            },
        ],
        repositories: vec![
            Repository {
                name: repositories[0].to_string(),
                at: at("2026-12-04T22:10:00Z"),
                exposure_score: 52.3,
                previous: Some(Point {
                    at: at("2026-11-28T06:00:00Z"),
                    score: 49.0,
                }),
                gate_passed: false,
                coverage_percent: 94.2,
                packages: 388,
                flagged: 11,
                projects: vec![ProjectScore {
                    lockfile: "Cargo.lock".to_string(),
                    ecosystem: "cargo".to_string(),
                    exposure_score: 52.3,
                    previous: Some(Point {
                        at: at("2026-11-28T06:00:00Z"),
                        score: 49.0,
                    }),
                }],
            },
            Repository {
                name: repositories[1].to_string(),
                at: at("2026-12-05T05:40:00Z"),
                exposure_score: 31.1,
                previous: Some(Point {
                    at: at("2026-11-28T06:00:00Z"),
                    score: 31.1,
                }),
                gate_passed: true,
                coverage_percent: 88.9,
                packages: 1204,
                flagged: 6,
                projects: vec![
                    ProjectScore {
                        lockfile: "package-lock.json".to_string(),
                        ecosystem: "npm".to_string(),
                        exposure_score: 33.0,
                        previous: None,
                    },
                    ProjectScore {
                        lockfile: "tools/uv.lock".to_string(),
                        ecosystem: "pypi".to_string(),
                        exposure_score: 12.4,
                        previous: None,
                    },
                ],
            },
        ],
        top_packages: vec![
            Contributor {
                package: "npm:event-stream".to_string(),
                versions: vec!["3.3.6".to_string()],
                contribution: 9.4,
                blast_radius: 0.61,
                rule: "owner-changed-recently".to_string(),
                severity: Severity::Critical,
                message:
                    "publish rights moved to a new account 12 days ago <script>alert(1)</script>"
                        .to_string(),
                remediation:
                    "Pin the last version published by the previous owner and review the diff"
                        .to_string(),
                repositories: vec![repositories[1].to_string()],
            },
            Contributor {
                package: "cargo:openssl-sys".to_string(),
                versions: vec!["0.9.102".to_string(), "0.9.104".to_string()],
                contribution: 6.2,
                blast_radius: 0.34,
                rule: "install-script".to_string(),
                severity: Severity::High,
                message: "build script runs at install time".to_string(),
                remediation: "Review build.rs changes on upgrade".to_string(),
                repositories: vec![repositories[0].to_string()],
            },
            Contributor {
                package: "pypi:requests".to_string(),
                versions: vec!["2.32.3".to_string()],
                contribution: 2.1,
                blast_radius: 0.12,
                rule: "provenance-missing".to_string(),
                severity: Severity::Medium,
                message: "no attestation for this release".to_string(),
                remediation: "Prefer releases with provenance".to_string(),
                repositories: vec![repositories[1].to_string()],
            },
        ],
        top_rules: vec![
            RuleShare {
                rule: "owner-changed-recently".to_string(),
                title: "Owners changed recently".to_string(),
                severity: Severity::Critical,
                contribution: 9.4,
                packages: 1,
                remediation: "Review the new owner before upgrading".to_string(),
            },
            RuleShare {
                rule: "install-script".to_string(),
                title: "Runs code at install".to_string(),
                severity: Severity::High,
                contribution: 6.2,
                packages: 3,
                remediation: "Review install scripts on upgrade".to_string(),
            },
        ],
        events: vec![
            TrustEvent {
                at: at("2026-12-01T06:00:00Z"),
                seen_between_reports: true,
                kind: EventKind::Added,
                repository: repositories[1].to_string(),
                package: "npm:left-pad@1.3.0".to_string(),
                rule: None,
                severity: None,
                detail: "new dependency of storefront-web".to_string(),
            },
            TrustEvent {
                at: at("2026-11-23T14:02:00Z"),
                seen_between_reports: false,
                kind: EventKind::OwnersChanged,
                repository: repositories[1].to_string(),
                package: "npm:event-stream@3.3.6".to_string(),
                rule: Some("owner-changed-recently".to_string()),
                severity: Some(Severity::Critical),
                detail: "right9ctrl added as owner".to_string(),
            },
            TrustEvent {
                at: at("2026-11-12T09:30:00Z"),
                seen_between_reports: false,
                kind: EventKind::ProvenanceLost,
                repository: repositories[0].to_string(),
                package: "cargo:openssl-sys@0.9.104".to_string(),
                rule: Some("provenance-lost".to_string()),
                severity: Some(Severity::Low),
                detail: "0.9.104 has no trusted-publishing attestation; 0.9.102 had one"
                    .to_string(),
            },
        ],
        shared: vec![SharedPackage {
            package: "npm:lodash".to_string(),
            repositories: 2,
            of: 2,
            versions: vec!["4.17.21".to_string()],
            max_blast_radius: 0.44,
            mean_blast_radius: 0.31,
            worst: Some(("maintainer-inactive".to_string(), Severity::Low)),
            contribution: 0.8,
        }],
        coverage: CoverageView {
            judged: 4512,
            total: 4890,
            percent: 92.3,
            causes: vec![CoverageCause {
                cause: "registry did not answer (timeout)".to_string(),
                facts: vec!["owners".to_string(), "provenance".to_string()],
                packages: 41,
                signals: 378,
                repositories: 2,
            }],
        },
        alerts: Vec::new(),
        notes: vec!["storefront-web has no history before 2026-03".to_string()],
    }
}

#[test]
#[expect(
    clippy::print_stdout,
    reason = "the screenshot paths are for the person running the test"
)]
fn monthly_page_in_headless_chromium() {
    if !browser_available() {
        return;
    }
    let folder = tempfile::tempdir().unwrap();
    let html = folder.path().join("monthly report.html");
    fs_err::write(&html, render(&sample_report(), Theme::Auto)).unwrap();
    let screenshots = screenshot_dir();
    let check = check_page(&html, &screenshots);
    // The page itself beside its screenshots, for a person to open.
    fs_err::copy(&html, screenshots.join("monthly.html")).unwrap();
    println!("page: {}", screenshots.join("monthly.html").display());
    for (theme, path) in &check.screenshots {
        println!("{theme} screenshot: {}", path.display());
    }
    assert_clean(&check);
}

/// What every page must pass: no console error, exception or browser log error, no request but
/// the page itself, a sized chart, both themes in effect, real screenshots.
fn assert_clean(check: &PageCheck) {
    assert!(check.url.starts_with("file:///"), "{}", check.url);
    assert!(
        check.console_errors.is_empty(),
        "console errors: {:?}",
        check.console_errors
    );
    assert!(
        check.exceptions.is_empty(),
        "exceptions: {:?}",
        check.exceptions
    );
    assert!(
        check.log_errors.is_empty(),
        "browser log errors: {:?}",
        check.log_errors
    );
    assert!(
        check.page_requested,
        "the browser reported no request for the page itself: network events are not seen"
    );
    assert!(
        check.requests.is_empty(),
        "requests other than {}: {:?}",
        check.url,
        check.requests
    );
    let (width, height) = check.chart.expect("the trend chart is on the page");
    assert!(width > 300.0 && height > 150.0, "chart is {width}x{height}");
    // The themes took effect: white in light, the dark background in dark.
    assert_eq!(
        check.backgrounds,
        [
            ("light".to_string(), "rgb(255, 255, 255)".to_string()),
            ("dark".to_string(), "rgb(17, 20, 24)".to_string()),
            ("print".to_string(), "rgba(0, 0, 0, 0)".to_string()),
        ]
    );
    for (theme, path) in &check.screenshots {
        let png = fs_err::read(path).unwrap();
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
            "{theme} screenshot {} is not a PNG of a page",
            path.display()
        );
    }
}

/// The fixture of `fixtures/report/` (two repositories, twelve monthly runs each, real scan
/// reports) through `deptrust report --html`, as a user makes the page.
#[test]
#[expect(
    clippy::print_stdout,
    reason = "the screenshot paths are for the person running the test"
)]
fn the_fixture_report_page_in_headless_chromium() {
    if !browser_available() {
        return;
    }
    let (dir, reports) = crate::report::unpack_fixture();
    let html = dir.path().join("report.html");
    let output = assert_cmd::Command::cargo_bin("deptrust")
        .unwrap()
        .env_remove("DEPTRUST_CONFIG")
        .current_dir(dir.path())
        .arg("report")
        .arg(&reports)
        .args(["--since", "2026-10-01", "--html"])
        .arg(&html)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let screenshots = screenshot_dir().join("fixture");
    let check = check_page(&html, &screenshots);
    fs_err::copy(&html, screenshots.join("report.html")).unwrap();
    println!("page: {}", screenshots.join("report.html").display());
    for (theme, path) in &check.screenshots {
        println!("{theme} screenshot: {}", path.display());
    }
    assert_clean(&check);
}

/// The checks catch what they look for: a page with a script that logs an error and throws,
/// and an image from elsewhere (a closed loopback port, so nothing leaves the machine).
#[test]
fn the_page_checks_catch_scripts_errors_and_requests() {
    if !browser_available() {
        return;
    }
    let folder = tempfile::tempdir().unwrap();
    let html = folder.path().join("bad.html");
    fs_err::write(
        &html,
        "<!DOCTYPE html><html><head><title>bad</title></head><body>\
         <img src=\"http://127.0.0.1:9/pixel.png\" alt=\"\">\
         <script>console.error('boom'); throw new Error('bad page');</script></body></html>",
    )
    .unwrap();
    let check = check_page(&html, &folder.path().join("shots"));
    assert!(check.page_requested);
    assert!(
        check
            .requests
            .iter()
            .any(|url| url == "http://127.0.0.1:9/pixel.png"),
        "{:?}",
        check.requests
    );
    assert!(
        check.console_errors.iter().any(|e| e.contains("boom")),
        "{:?}",
        check.console_errors
    );
    assert!(
        check.exceptions.iter().any(|e| e.contains("bad page")),
        "{:?}",
        check.exceptions
    );
    assert_eq!(check.chart, None);
}

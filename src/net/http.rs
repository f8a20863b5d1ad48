//! One network fetch: redirects followed by hand, each hop retried on its own, each attempt
//! through its host's gate, the body streamed under a cap.
//!
//! Redirects are followed here rather than by reqwest (`Policy::none()`) so that every hop is
//! checked the same way as the first request: its scheme, the host of each token, and its own
//! host's gate (a redirect to the crates.io API is rate limited too).

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use url::Url;

use super::{Net, NetError, Request};

/// Redirects followed before giving up.
pub(super) const MAX_REDIRECTS: usize = 5;

/// The validators of a cached answer, sent as a conditional request.
#[derive(Debug, Clone, Default)]
pub(super) struct Validators {
    pub(super) etag: Option<String>,
    pub(super) last_modified: Option<String>,
}

/// What the network answered.
#[derive(Debug)]
pub(super) enum Answer {
    /// A 2xx with its body.
    Body {
        final_url: Url,
        body: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// A 304 to a conditional request: the cached body is still current.
    NotModified {
        final_url: Url,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// The outcome of one attempt at one hop.
enum Step {
    Done(Answer),
    Redirect(String),
}

/// Why an attempt failed, and whether another attempt may succeed.
enum Failure {
    Retry {
        error: NetError,
        retry_after: Option<Duration>,
    },
    Fatal(NetError),
}

impl Net {
    /// Fetches `request` over the network, following redirects.
    pub(super) async fn fetch_network(
        &self,
        request: &Request,
        validators: Option<&Validators>,
    ) -> Result<Answer, NetError> {
        let url = request.url.as_str();
        let mut current = request.url.clone();
        let mut visited = vec![current.clone()];
        loop {
            let location = match self
                .attempt_with_retries(url, &current, request.accept, validators)
                .await?
            {
                Step::Done(answer) => return Ok(answer),
                Step::Redirect(location) => location,
            };
            let next = current.join(&location).map_err(|_| NetError::Other {
                url: url.to_owned(),
                message: format!("redirected to an invalid location `{location}`"),
            })?;
            if !self.redirect_allowed(&request.url, &next) {
                return Err(NetError::InsecureRedirect {
                    url: url.to_owned(),
                    location: next.to_string(),
                });
            }
            if visited.contains(&next) || visited.len() > MAX_REDIRECTS {
                return Err(NetError::TooManyRedirects {
                    url: url.to_owned(),
                });
            }
            visited.push(next.clone());
            current = next;
        }
    }

    /// A redirect may go to https, or to plain http on the origin of the request (a loopback
    /// mock, a mirror the user chose to reach over http) or on a host the configuration allows.
    fn redirect_allowed(&self, requested: &Url, next: &Url) -> bool {
        match next.scheme() {
            "https" => true,
            "http" => {
                next.origin() == requested.origin()
                    || next.host_str().is_some_and(|host| {
                        self.config
                            .http_redirect_hosts
                            .iter()
                            .any(|allowed| allowed.eq_ignore_ascii_case(host))
                    })
            }
            _ => false,
        }
    }

    async fn attempt_with_retries(
        &self,
        url: &str,
        hop: &Url,
        accept: Option<&'static str>,
        validators: Option<&Validators>,
    ) -> Result<Step, NetError> {
        let mut retries = 0;
        let scope = self.scope(hop);
        loop {
            // Every attempt tells whether the service answers: one that fails to connect, times
            // out, or answers 429 or 5xx counts towards giving the service up for the run
            // (`UNREACHABLE_AFTER` in a row); any other answer resets the count.
            let (error, retry_after) = match self.attempt(url, hop, accept, validators).await {
                Ok(step) => {
                    self.host_answered(&scope);
                    return Ok(step);
                }
                Err(Failure::Fatal(error)) => {
                    match &error {
                        NetError::Status { .. } => self.host_answered(&scope),
                        // A name that does not resolve is not retried, but is a failure.
                        NetError::Connect { .. } => {
                            self.host_failed(&scope, &error);
                        }
                        _ => {}
                    }
                    return Err(error);
                }
                Err(Failure::Retry { error, retry_after }) => {
                    self.host_failed(&scope, &error);
                    (error, retry_after)
                }
            };
            if retries >= self.config.max_retries {
                return Err(error);
            }
            let wait = match retry_after {
                Some(wait) if wait > self.config.max_retry_after => return Err(error),
                Some(wait) => wait,
                None => backoff(
                    self.config.initial_backoff,
                    retries,
                    self.config.max_retry_after,
                ),
            };
            // A wait that would outlast the run's deadline is not worth starting.
            if self.remaining().is_some_and(|left| wait >= left) {
                return Err(error);
            }
            // A service given up meanwhile ends the wait at once: the retry would not be sent.
            if self
                .gates
                .wait(tokio::time::sleep(wait), &|| {
                    self.unreachable_reason(&scope)
                })
                .await
                .is_err()
            {
                return Err(error);
            }
            retries += 1;
        }
    }

    async fn attempt(
        &self,
        url: &str,
        hop: &Url,
        accept: Option<&'static str>,
        validators: Option<&Validators>,
    ) -> Result<Step, Failure> {
        let fatal = |message: &str| {
            Failure::Fatal(NetError::Other {
                url: url.to_owned(),
                message: message.to_owned(),
            })
        };
        if !matches!(hop.scheme(), "http" | "https") {
            return Err(fatal("only http and https URLs can be fetched"));
        }
        if hop.host_str().is_none() {
            return Err(fatal("the URL has no host"));
        }
        // Requests that queued behind the gate while their service or host was failing: once
        // it counts as unreachable, they return at once, neither sent nor retried.
        let scope = self.scope(hop);
        let service = super::limit::service_of(&self.config.services, hop);
        // Built before the gate: building the client (once per run, TLS roots) must not delay
        // a paced request after its turn, or the next one starts less than an interval after
        // it reached the server.
        let client = self.client(url).map_err(Failure::Fatal)?;
        let (_permit, turn) = self
            .gates
            .enter(&super::limit::gate_key(hop), service, || {
                self.unreachable_reason(&scope)
            })
            .await
            .map_err(|reason| {
                Failure::Fatal(NetError::NotAsked {
                    url: url.to_owned(),
                    reason,
                })
            })?;
        let _in_flight = self.counters.start_request();

        let mut builder = client.get(hop.clone());
        if let Some(accept) = accept {
            builder = builder.header(header::ACCEPT, accept);
        }
        if let Some(validators) = validators {
            if let Some(etag) = &validators.etag {
                builder = builder.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(last_modified) = &validators.last_modified {
                builder = builder.header(header::IF_MODIFIED_SINCE, last_modified);
            }
        }
        // Checked on every hop: a redirect to another host never carries the token.
        for token in &self.tokens {
            if token_applies(&token.host, hop) {
                builder = builder.header(token.name.clone(), token.value.clone());
            }
        }

        let mut response = match builder.send().await {
            Ok(response) => response,
            Err(error) => {
                let failure = classify(url, error);
                // Nothing reached the server: the pace's turn is given back.
                if let (
                    Some(turn),
                    Failure::Retry {
                        error: NetError::Connect { .. },
                        ..
                    }
                    | Failure::Fatal(NetError::Connect { .. }),
                ) = (turn, &failure)
                {
                    turn.refund(&self.gates).await;
                }
                return Err(failure);
            }
        };
        let status = response.status();
        let headers = response.headers();
        let validator = |name| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let etag = validator(header::ETAG);
        let last_modified = validator(header::LAST_MODIFIED);
        let status_error = NetError::Status {
            url: url.to_owned(),
            status: status.as_u16(),
        };
        match status {
            _ if status.is_success() => {}
            StatusCode::NOT_MODIFIED if validators.is_some() => {
                return Ok(Step::Done(Answer::NotModified {
                    final_url: hop.clone(),
                    etag,
                    last_modified,
                }));
            }
            StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT => {
                return match validator(header::LOCATION) {
                    Some(location) => Ok(Step::Redirect(location)),
                    None => Err(Failure::Fatal(status_error)),
                };
            }
            StatusCode::TOO_MANY_REQUESTS
            | StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => {
                return Err(Failure::Retry {
                    error: status_error,
                    retry_after: retry_after(headers, self.clock()),
                });
            }
            _ => return Err(Failure::Fatal(status_error)),
        }

        let limit = self.config.max_body_bytes;
        let too_large = || {
            Failure::Fatal(NetError::TooLarge {
                url: url.to_owned(),
                limit,
            })
        };
        // The declared length is only a hint (absent when chunked or decompressed): the count
        // of bytes actually read is what is capped.
        let declared = response.content_length().unwrap_or(0);
        if declared > limit {
            return Err(too_large());
        }
        let capacity = usize::try_from(declared.min(8 * 1024 * 1024)).unwrap_or(0);
        let mut body = Vec::with_capacity(capacity);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| classify(url, error))?
        {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Step::Done(Answer::Body {
            final_url: hop.clone(),
            body,
            etag,
            last_modified,
        }))
    }
}

/// Turns a reqwest error into a [`NetError`] naming `url`, retryable when the connection or
/// the clock failed rather than the data.
fn classify(url: &str, error: reqwest::Error) -> Failure {
    let url = url.to_owned();
    if error.is_timeout() {
        return Failure::Retry {
            error: NetError::Timeout { url },
            retry_after: None,
        };
    }
    // `is_request`: the connection broke while sending (reset, closed early); `is_body`: while
    // reading the body. Both are worth another attempt, unlike a body that fails to decode.
    let retryable = error.is_connect() || error.is_request() || error.is_body();
    let connect = error.is_connect();
    let message = error_chain(&error.without_url());
    // The name does not exist (EAI_NONAME): a firewalled or mistyped service, not a blip
    // (a temporary resolver failure says "Temporary failure in name resolution" and is
    // retried). Retrying only delays the answer.
    if connect && message.contains("Name or service not known") {
        return Failure::Fatal(NetError::Connect { url, message });
    }
    if retryable {
        Failure::Retry {
            error: NetError::Connect { url, message },
            retry_after: None,
        }
    } else {
        Failure::Fatal(NetError::Other { url, message })
    }
}

/// `error: cause: cause`, as reqwest's own `Display` shows only the outermost message.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !message.contains(&cause_text) {
            message.push_str(": ");
            message.push_str(&cause_text);
        }
        source = cause.source();
    }
    message
}

/// Exponential backoff with jitter: `initial × 2^retry`, capped, then scaled by a random factor
/// in [0.5, 1) so that clients that failed together do not retry together.
fn backoff(initial: Duration, retry: u32, cap: Duration) -> Duration {
    let exponential = initial.saturating_mul(2_u32.saturating_pow(retry));
    exponential.min(cap).mul_f64(0.5 + fastrand::f64() / 2.0)
}

/// `Retry-After` as a wait: delay-seconds, or an HTTP date measured against the response's
/// `Date` (the server's own clock) when present, else against `now`.
fn retry_after(headers: &HeaderMap, now: jiff::Timestamp) -> Option<Duration> {
    let parser = jiff::fmt::rfc2822::DateTimeParser::new();
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parser.parse_timestamp(value).ok()?;
    let reference = headers
        .get(header::DATE)
        .and_then(|date| date.to_str().ok())
        .and_then(|date| parser.parse_timestamp(date.trim()).ok())
        .unwrap_or(now);
    Some(Duration::try_from(at.duration_since(reference)).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let now: jiff::Timestamp = "2015-10-21T07:28:00Z".parse().expect("time");
        assert_eq!(
            retry_after(&headers(&[(header::RETRY_AFTER, "120")]), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(
                &headers(&[(header::RETRY_AFTER, "Wed, 21 Oct 2015 07:28:30 GMT")]),
                now
            ),
            Some(Duration::from_secs(30))
        );
        // The server's `Date` wins over our clock.
        assert_eq!(
            retry_after(
                &headers(&[
                    (header::RETRY_AFTER, "Wed, 21 Oct 2015 07:28:30 GMT"),
                    (header::DATE, "Wed, 21 Oct 2015 07:28:20 GMT"),
                ]),
                now
            ),
            Some(Duration::from_secs(10))
        );
        // In the past: retry now.
        assert_eq!(
            retry_after(
                &headers(&[(header::RETRY_AFTER, "Wed, 21 Oct 2015 07:00:00 GMT")]),
                now
            ),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after(&headers(&[(header::RETRY_AFTER, "soon")]), now),
            None
        );
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let initial = Duration::from_millis(100);
        let cap = Duration::from_secs(1);
        for retry in 0..3 {
            let full = initial * 2_u32.pow(retry);
            let wait = backoff(initial, retry, cap);
            assert!(wait >= full / 2 && wait < full, "{retry}: {wait:?}");
        }
        assert!(backoff(initial, 30, cap) < cap);
        assert!(backoff(initial, u32::MAX, cap) < cap);
    }
}

/// Whether a token scoped to `scope` (`host`, any port, or `host:port`, that port only) may be
/// sent to `url`. main scopes its tokens with the port, so two services on one host (loopback
/// mocks, an internal server) never share a token.
pub(crate) fn token_applies(scope: &str, url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    match scope.rsplit_once(':') {
        Some((scope_host, port)) if !port.contains(']') => match port.parse::<u16>() {
            Ok(port) => {
                scope_host.eq_ignore_ascii_case(host) && url.port_or_known_default() == Some(port)
            }
            Err(_) => false,
        },
        _ => scope.eq_ignore_ascii_case(host),
    }
}

#[cfg(test)]
mod token_scope_tests {
    use super::*;

    #[test]
    fn tokens_match_host_and_port() {
        let url = |text: &str| Url::parse(text).unwrap();
        assert!(token_applies(
            "api.github.com",
            &url("https://api.github.com/repos/a/b")
        ));
        assert!(token_applies(
            "api.github.com:443",
            &url("https://API.github.com/x")
        ));
        assert!(!token_applies(
            "api.github.com:443",
            &url("http://api.github.com/x")
        ));
        assert!(!token_applies(
            "127.0.0.1:8080",
            &url("http://127.0.0.1:8081/x")
        ));
        assert!(token_applies(
            "127.0.0.1:8080",
            &url("http://127.0.0.1:8080/x")
        ));
        assert!(token_applies("[::1]:8080", &url("http://[::1]:8080/x")));
        assert!(token_applies("[::1]", &url("http://[::1]:9/x")));
        assert!(!token_applies("evil.com", &url("https://api.github.com/x")));
    }
}

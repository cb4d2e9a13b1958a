//! The Goaddon API client: `Authorization: Basic base64(token)`, JSON in
//! and out, timeouts, and retries with exponential backoff and jitter on
//! 429 (honouring Retry-After), 500, 502, 503, 504 and connection errors
//! (SPEC 9): each retry is announced (reason and wait), no wait is longer
//! than 60 s, an overall deadline ends the work, answers over 32 MiB are
//! refused, and a request whose answer was lost after it may have reached
//! the server is reported as such, never as "not applied".
//! The token is kept out of every message and Debug output.

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::fmt;
use std::time::Duration;

pub const TIMEOUT: Duration = Duration::from_secs(30);
const MAX_ATTEMPTS: u32 = 5;
/// Longest single wait between attempts (Retry-After included).
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// Largest answer goakit reads.
pub const MAX_ANSWER: usize = 32 * 1024 * 1024;

/// A secret that never prints.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(s: &str) -> Token {
        Token(s.trim().to_string())
    }

    /// `text` with the token and its encoded form blanked out, for
    /// server messages that might echo the request.
    fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            return text.to_string();
        }
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.0.as_bytes());
        text.replace(&b64, "***").replace(&self.0, "***")
    }

    fn header(&self) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(self.0.as_bytes())
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

#[derive(Debug, Clone)]
pub enum ApiError {
    /// 401: the token was refused.
    Unauthorized,
    /// Any other non-2xx answer, with the start of the server's message.
    Status { status: u16, message: String },
    /// No answer: refused, timed out, dropped.
    Network(String),
    /// A 2xx answer that is not the JSON expected.
    BadAnswer(String),
    /// The request may have reached the server, and no answer came back:
    /// whether it was applied is unknown.
    Lost(String),
    /// The overall deadline (`--timeout`) passed.
    Deadline(Duration),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unauthorized => f.write_str(
                "401 Unauthorized: the API refused the token (check GOAKIT_TOKEN or --token-file)",
            ),
            ApiError::Status { status, message } => {
                let reason = StatusCode::from_u16(*status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("");
                write!(f, "{status} {reason}")?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            ApiError::Network(m) => write!(f, "no answer: {m}"),
            ApiError::BadAnswer(m) => write!(f, "unexpected answer: {m}"),
            ApiError::Lost(m) => write!(f, "the answer was lost ({m})"),
            ApiError::Deadline(d) => write!(
                f,
                "gave up: the overall deadline of {} s (--timeout) passed",
                d.as_secs()
            ),
        }
    }
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized => Some(401),
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Could the server have applied the request?
    pub fn maybe_applied(&self) -> bool {
        matches!(self, ApiError::Lost(_))
    }
}

/// `Retry-After` is either seconds or an HTTP date (RFC 9110 10.2.3).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// The server's message from an error body: `message`/`error`/`errors`
/// of a JSON body, else the start of the text.
fn server_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        for key in ["message", "error", "errors"] {
            if let Some(m) = v.get(key) {
                return match m {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
            }
        }
    }
    let t = body.trim();
    match t.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

/// Told of each retry, with a line saying what failed and the wait.
pub type RetryHook = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

#[derive(Clone)]
pub struct Client {
    base: String,
    token: Token,
    http: reqwest::Client,
    /// First backoff step; doubled each retry, plus jitter.
    pub backoff: Duration,
    /// Requests sent, retries included (for reports and benchmarks).
    pub sent: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// When the whole command gives up (`--timeout`), and that timeout.
    pub deadline: Option<(tokio::time::Instant, Duration)>,
    /// Told of each retry: what failed and how long goakit waits.
    pub on_retry: Option<RetryHook>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Client({})", self.base)
    }
}

/// Is this host this machine?
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Client {
    /// `api` is `[addon].api`; plain http is refused unless it is loopback.
    pub fn new(api: &str, token: Token) -> Result<Client, String> {
        let url = reqwest::Url::parse(api)
            .map_err(|e| format!("[addon].api {api:?} is not a URL: {e}"))?;
        let host = url.host_str().unwrap_or("");
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(host) => {}
            "http" => {
                return Err(format!(
                    "[addon].api uses plain http to {host}: refused, the token would travel unencrypted (use https://)"
                ));
            }
            other => return Err(format!("[addon].api has unsupported scheme {other:?}")),
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("goakit/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot create HTTP client: {e}"))?;
        Ok(Client {
            base: api.trim_end_matches('/').to_string(),
            token,
            http,
            backoff: Duration::from_millis(250),
            sent: Default::default(),
            deadline: None,
            on_retry: None,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn wait_for(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(r) = retry_after {
            return r.min(MAX_WAIT);
        }
        let exp = self.backoff * 2u32.pow(attempt.min(6));
        // Jitter up to half a step, so clients that failed together do not retry together.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0) as u64;
        let jitter = Duration::from_nanos(nanos % (exp.as_nanos() as u64 / 2 + 1));
        (exp + jitter).min(MAX_WAIT)
    }

    /// Waits before attempt `attempt + 1`, announcing it; `Err` when the
    /// wait would pass the deadline.
    async fn wait(
        &self,
        method: &Method,
        path: &str,
        attempt: u32,
        retry_after: Option<Duration>,
        why: &ApiError,
    ) -> Result<(), ApiError> {
        let wait = self.wait_for(attempt, retry_after);
        if let Some((deadline, total)) = self.deadline
            && tokio::time::Instant::now() + wait > deadline
        {
            return Err(ApiError::Deadline(total));
        }
        if let Some(tell) = &self.on_retry {
            tell(&format!(
                "retrying {method} {path} in {:.1} s (attempt {} of {MAX_ATTEMPTS}): {why}",
                wait.as_secs_f64(),
                attempt + 1
            ));
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// The whole answer, at most MAX_ANSWER bytes.
    async fn read_answer(
        resp: reqwest::Response,
    ) -> Result<String, Result<reqwest::Error, String>> {
        let too_big = || {
            format!(
                "the answer is larger than {} MiB: refused",
                MAX_ANSWER >> 20
            )
        };
        if resp.content_length().is_some_and(|n| n > MAX_ANSWER as u64) {
            return Err(Err(too_big()));
        }
        let mut resp = resp;
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(Ok)? {
            if bytes.len() + chunk.len() > MAX_ANSWER {
                return Err(Err(too_big()));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Sends a request; retries what is safe to retry. A POST is retried on
    /// a connection error only when the request never left (connect failed),
    /// so a create is never sent twice.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ApiError> {
        let attempt = self.attempts(&method, path, body);
        match self.deadline {
            // A write cut off by the deadline may have reached the server.
            Some((deadline, total)) => tokio::time::timeout_at(deadline, attempt)
                .await
                .unwrap_or_else(|_| {
                    Err(if method == Method::GET {
                        ApiError::Deadline(total)
                    } else {
                        ApiError::Lost(ApiError::Deadline(total).to_string())
                    })
                }),
            None => attempt.await,
        }
    }

    async fn attempts(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ApiError> {
        let method = method.clone();
        let url = format!("{}{}", self.base, path);
        // Whether the request may have been applied decides how an error
        // is reported.
        let lost = |maybe_applied: bool, e: ApiError| {
            if maybe_applied && !matches!(e, ApiError::Deadline(_)) {
                ApiError::Lost(e.to_string())
            } else {
                e
            }
        };
        let mut attempt = 0;
        // Did an earlier attempt reach the server without an answer coming back?
        let mut maybe_applied = false;
        loop {
            attempt += 1;
            let mut req = self
                .http
                .request(method.clone(), &url)
                .header(reqwest::header::AUTHORIZATION, self.token.header())
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(b) = body {
                req = req.json(b);
            }
            self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let outcome = req.send().await;
            let (retry, retry_after, err) = match outcome {
                Err(e) => {
                    let safe = method != Method::POST || e.is_connect();
                    maybe_applied |= !e.is_connect();
                    let msg = if e.is_timeout() {
                        "timed out".to_string()
                    } else if e.is_connect() {
                        "connection refused or host unreachable".to_string()
                    } else {
                        e.without_url().to_string()
                    };
                    (safe, None, ApiError::Network(msg))
                }
                Ok(resp) => {
                    let status = resp.status();
                    let retry_after = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_retry_after);
                    // A write the server took: its answer's body says nothing more.
                    let write_done = method != Method::GET && status.is_success();
                    let text = match Self::read_answer(resp).await {
                        Ok(t) => t,
                        Err(_) if write_done => return Ok(Value::Null),
                        Err(Err(too_big)) => return Err(ApiError::BadAnswer(too_big)),
                        Err(Ok(e)) => {
                            let safe = method != Method::POST;
                            maybe_applied = true;
                            let err =
                                ApiError::Network(format!("answer cut off: {}", e.without_url()));
                            if safe && attempt < MAX_ATTEMPTS {
                                self.wait(&method, path, attempt, None, &err)
                                    .await
                                    .map_err(|e| lost(maybe_applied, e))?;
                                continue;
                            }
                            return Err(lost(maybe_applied, err));
                        }
                    };
                    if status.is_success() {
                        if text.trim().is_empty() || write_done {
                            return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
                        }
                        return serde_json::from_str(&text)
                            .map_err(|e| ApiError::BadAnswer(format!("not JSON ({e})")));
                    }
                    if status == StatusCode::UNAUTHORIZED {
                        return Err(lost(maybe_applied, ApiError::Unauthorized));
                    }
                    // The delete whose answer was lost did its work: the item is gone.
                    if method == Method::DELETE && status == StatusCode::NOT_FOUND && maybe_applied
                    {
                        return Ok(Value::Null);
                    }
                    // A create is retried only when the server says it did
                    // nothing (429, 503); after another 5xx it may exist.
                    let retry = if method == Method::POST {
                        matches!(status.as_u16(), 429 | 503)
                    } else {
                        matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
                    };
                    if method == Method::POST && matches!(status.as_u16(), 500 | 502 | 504) {
                        maybe_applied = true;
                    }
                    (
                        retry,
                        retry_after,
                        ApiError::Status {
                            status: status.as_u16(),
                            message: self.token.redact(&server_message(&text)),
                        },
                    )
                }
            };
            if !retry || attempt >= MAX_ATTEMPTS {
                return Err(lost(maybe_applied, err));
            }
            self.wait(&method, path, attempt, retry_after, &err)
                .await
                .map_err(|e| lost(maybe_applied, e))?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_http_date() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        let later = chrono::Utc::now() + chrono::Duration::seconds(30);
        let wait =
            parse_retry_after(&later.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).unwrap();
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));
        // A date in the past means "now".
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn no_single_wait_is_longer_than_a_minute() {
        let c = Client::new("http://127.0.0.1:9", Token::new("x")).unwrap();
        assert_eq!(c.wait_for(1, Some(Duration::from_secs(3600))), MAX_WAIT);
        assert_eq!(
            c.wait_for(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        let slow = Client {
            backoff: Duration::from_secs(10),
            ..c
        };
        assert!(slow.wait_for(6, None) <= MAX_WAIT);
    }

    #[test]
    fn token_never_prints() {
        let t = Token::new("a-secret\n");
        assert_eq!(format!("{t:?}"), "Token(***)");
        let b64 = base64::engine::general_purpose::STANDARD.encode("a-secret");
        assert_eq!(
            t.redact(&format!("bad header Basic {b64} for a-secret")),
            "bad header Basic *** for ***"
        );
        let c = Client::new("http://127.0.0.1:9", t).unwrap();
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn http_only_to_loopback() {
        let t = || Token::new("x");
        for ok in [
            "https://goaddon.com",
            "http://localhost:3000",
            "http://127.0.0.2",
            "http://[::1]:80",
        ] {
            assert!(Client::new(ok, t()).is_ok(), "{ok}");
        }
        for bad in [
            "http://goaddon.com",
            "http://localhost.evil.com",
            "http://10.0.0.1",
            "ftp://localhost",
            "not a url",
        ] {
            assert!(Client::new(bad, t()).is_err(), "{bad}");
        }
    }
}

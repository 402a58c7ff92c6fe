//! The ENOWARS checker protocol (v2): a checker is an HTTP service. `GET /service` describes it
//! (flag, noise and havoc variants); `POST /` with a task (`putflag`, `getflag`, `putnoise`,
//! `getnoise`, `havoc`) answers `{"result": "OK" | "MUMBLE" | "OFFLINE" | "INTERNAL_ERROR",
//! "message", "attackInfo"}`.
//!
//! Results map to verdicts as docs/scoring.md states: OK → OK, OFFLINE → DOWN, MUMBLE → MUMBLE
//! except on a `getflag`, where the protocol defines it as "the flag was not found" → CORRUPT;
//! INTERNAL_ERROR → CHECKER_ERROR (the checker's own answer; its message stays private). A
//! checker that cannot be reached, answers an HTTP status other than 200 or a body that is not
//! such a result has *failed* (the service's `on_checker_failure` decides); no answer within the
//! timeout is DOWN, as the protocol says.
//!
//! Checkers live on the drill network: plain HTTP/1.1, one connection per task, no proxy, no TLS.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use drillboard_scenario::{Msg, msg};

/// The longest wait for a connection to a checker service.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// What `GET /service` says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceInfo {
    /// The service's name.
    #[serde(default)]
    pub service_name: String,
    /// Flag stores.
    pub flag_variants: u32,
    /// Noise variants.
    #[serde(default)]
    pub noise_variants: u32,
    /// Havoc variants.
    #[serde(default)]
    pub havoc_variants: u32,
}

/// One task for the checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskMessage<'a> {
    /// `putflag`, `getflag`, `putnoise`, `getnoise` or `havoc`.
    pub method: &'a str,
    /// The team's address: a host name or IP, without the service's port (the checker knows
    /// its service's port, as the protocol says).
    pub address: &'a str,
    /// The team's number.
    pub team_id: u32,
    /// The team's name.
    pub team_name: &'a str,
    /// The round now.
    pub current_round: u32,
    /// The round of the put a get reads back (the current round otherwise).
    pub related_round: u32,
    /// The flag, for `putflag` and `getflag`.
    pub flag: Option<&'a str>,
    /// From 0.
    pub variant: u32,
    /// Milliseconds the checker has.
    pub timeout_ms: u64,
    /// Milliseconds a round lasts.
    pub round_ms: u64,
    /// `{flag|noise|havoc}_s{service}_r{related round}_t{team}_i{variant}`: the same for a put
    /// and the gets of what it put.
    pub chain: String,
}

/// The answer of a task.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultMessage {
    /// OK, MUMBLE, OFFLINE or INTERNAL_ERROR.
    pub result: String,
    /// Shown publicly, except with INTERNAL_ERROR.
    #[serde(default)]
    pub message: Option<String>,
    /// For a `putflag`: public information attackers may use (a user name).
    #[serde(default)]
    pub attack_info: Option<String>,
}

/// Why a task has no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// No answer in time: the service is taken as OFFLINE.
    Timeout,
    /// The checker failed: unreachable, a bad status, an unreadable body.
    Failed(Msg),
}

/// A task id unique for this game: milliseconds since 1970 when the process started, times 1024,
/// then counting (below 2⁵³, a JSON number any checker reads exactly).
fn next_task_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let _ = NEXT.compare_exchange(
        0,
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_millis() as u64 * 1024),
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    NEXT.fetch_add(1, Ordering::SeqCst)
}

/// The task's JSON body.
pub fn task_body(t: &TaskMessage<'_>) -> serde_json::Value {
    json!({
        "taskId": next_task_id(),
        "method": t.method,
        "address": t.address,
        "teamId": t.team_id,
        "teamName": t.team_name,
        "currentRoundId": t.current_round,
        "relatedRoundId": t.related_round,
        "flag": t.flag,
        "variantId": t.variant,
        "timeout": t.timeout_ms,
        "roundLength": t.round_ms,
        "taskChainId": t.chain,
        "flagRegex": null,
        "flagHash": null,
        "attackInfo": null,
    })
}

/// Send a task; the parsed result.
pub async fn call(
    base: &str,
    task: &TaskMessage<'_>,
    timeout: Duration,
    limit: usize,
) -> Result<ResultMessage, CallError> {
    let body = task_body(task).to_string();
    let (status, reply) = request(base, "POST", "/", Some(&body), timeout, limit).await?;
    if status != 200 {
        return Err(CallError::Failed(msg!(
            "checker_http_status",
            "the checker answered HTTP {status}: {body}",
            status = status,
            body = snippet(&reply)
        )));
    }
    let r: ResultMessage = serde_json::from_slice(&reply).map_err(|e| {
        CallError::Failed(msg!(
            "checker_not_result",
            "the checker's answer is not a result ({detail}): {body}",
            detail = e,
            body = snippet(&reply)
        ))
    })?;
    match r.result.as_str() {
        "OK" | "MUMBLE" | "OFFLINE" | "INTERNAL_ERROR" => Ok(r),
        other => Err(CallError::Failed(msg!(
            "checker_unknown_result",
            "the checker answered the unknown result `{result}`",
            result = other
        ))),
    }
}

/// `GET /service`.
pub async fn info(base: &str, timeout: Duration) -> Result<ServiceInfo, Msg> {
    match request(base, "GET", "/service", None, timeout, 64 * 1024).await {
        Ok((200, body)) => serde_json::from_slice(&body).map_err(|e| {
            msg!(
                "service_info_bad",
                "the checker at {url}: GET /service is not a service description ({detail}): {body}",
                url = base,
                detail = e,
                body = snippet(&body)
            )
        }),
        Ok((status, body)) => Err(msg!(
            "service_info_status",
            "the checker at {url}: GET /service answered HTTP {status}: {body}",
            url = base,
            status = status,
            body = snippet(&body)
        )),
        Err(CallError::Timeout) => Err(msg!(
            "service_info_timeout",
            "the checker at {url}: GET /service did not answer within {wait}",
            url = base,
            wait = format!("{timeout:?}")
        )),
        Err(CallError::Failed(e)) => Err(e),
    }
}

fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let s = s.trim();
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// The host of a team's address, without its port: `10.60.1.2:8080` → `10.60.1.2`,
/// `[fd00::2]:80` → `fd00::2`, `team1.drill` → `team1.drill`.
pub fn host_only(address: &str) -> &str {
    if let Some(rest) = address.strip_prefix('[')
        && let Some((h, _)) = rest.split_once(']')
    {
        return h;
    }
    match address.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => address,
    }
}

/// `http://host:port[/prefix]` → (`host:port`, `host` header, prefix without a trailing `/`).
pub fn parse_base(base: &str) -> Result<(String, String, String), String> {
    let rest = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("`{base}` is not an http:// address"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
        None => (rest, ""),
    };
    if authority.is_empty() || authority.contains('@') {
        return Err(format!("`{base}` has no host"));
    }
    let has_port = authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let addr = if has_port {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    Ok((addr, authority.to_owned(), path.to_owned()))
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`): (status, body), the body
/// cut at `limit` bytes. Reads `Content-Length`, chunked and to-the-end bodies.
async fn request(
    base: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    timeout: Duration,
    limit: usize,
) -> Result<(u16, Vec<u8>), CallError> {
    let (addr, host, prefix) = parse_base(base)
        .map_err(|e| CallError::Failed(msg!("checker_bad_address", "{detail}", detail = e)))?;
    // Reaching the checker is the checker's side: a checker host that is off or filtered is a
    // failure (the service's policy decides), never the team's DOWN. Only a checker that took
    // the task and did not answer in time is OFFLINE.
    let connect_within = timeout.min(CONNECT_TIMEOUT);
    let mut sock = match tokio::time::timeout(connect_within, TcpStream::connect(&addr)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            return Err(CallError::Failed(msg!(
                "checker_unreachable",
                "cannot reach the checker at {base}: {detail}",
                base = base,
                detail = e
            )));
        }
        Err(_) => {
            return Err(CallError::Failed(msg!(
                "checker_no_connection",
                "cannot reach the checker at {base}: no connection within {wait}",
                base = base,
                wait = format!("{connect_within:?}")
            )));
        }
    };
    let work = async {
        let mut head = format!(
            "{method} {prefix}{path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: drillboard\r\nAccept: application/json\r\nConnection: close\r\n"
        );
        if let Some(b) = body {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        head.push_str("\r\n");
        head.push_str(body.unwrap_or(""));
        let lost = |e: std::io::Error| {
            CallError::Failed(msg!(
                "checker_connection_lost",
                "the checker at {base}: {detail}",
                base = base,
                detail = e
            ))
        };
        sock.write_all(head.as_bytes()).await.map_err(lost)?;
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            let n = sock.read(&mut buf).await.map_err(lost)?;
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&buf[..n]);
            if raw.len() > limit + 64 * 1024 || complete(&raw) {
                break;
            }
        }
        parse_response(&raw, limit).map_err(|e| {
            CallError::Failed(msg!(
                "checker_bad_http",
                "{base}: {detail}",
                base = base,
                detail = e
            ))
        })
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| CallError::Timeout)?
}

/// Whether `raw` holds a whole response (a server that keeps the connection open despite
/// `Connection: close` is not waited for).
fn complete(raw: &[u8]) -> bool {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let body = &raw[end + 4..];
    if head.contains("transfer-encoding: chunked") {
        return body.ends_with(b"0\r\n\r\n");
    }
    head.lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .is_some_and(|n| body.len() >= n)
}

/// Status and body of a whole HTTP/1.1 response.
fn parse_response(raw: &[u8], limit: usize) -> Result<(u16, Vec<u8>), String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the checker's answer ended before its headers did")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .filter(|_| status_line.starts_with("HTTP/1."))
        .ok_or_else(|| format!("not an HTTP answer: {}", snippet(status_line.as_bytes())))?;
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        }
    }
    let rest = &raw[end + 4..];
    let mut body = if chunked {
        dechunk(rest)?
    } else {
        match length {
            Some(n) if rest.len() >= n => rest[..n].to_vec(),
            Some(n) if rest.len() < limit => {
                return Err(format!(
                    "the answer is cut short ({} of {n} bytes)",
                    rest.len()
                ));
            }
            _ => rest.to_vec(),
        }
    };
    body.truncate(limit);
    Ok((status, body))
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunked answer is cut short")?;
        let size_text = String::from_utf8_lossy(&rest[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("bad chunk size `{size_text}`"))?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if rest.len() < size {
            return Err("a chunked answer is cut short".into());
        }
        out.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_read_by_length_chunks_or_to_the_end() {
        let plain = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n{}\r\nextra";
        assert_eq!(parse_response(plain, 1024), Ok((200, b"{}\r\n".to_vec())));
        let chunked =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4;x=y\r\n\":1}\r\n0\r\n\r\n";
        assert_eq!(
            parse_response(chunked, 1024),
            Ok((200, b"{\"a\":1}".to_vec()))
        );
        assert!(complete(plain) && complete(chunked));
        assert!(!complete(
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}"
        ));
        let to_end = b"HTTP/1.0 500 Internal Server Error\r\n\r\noops";
        assert_eq!(parse_response(to_end, 1024), Ok((500, b"oops".to_vec())));
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", 1024).is_err());
        assert!(parse_response(b"SSH-2.0-OpenSSH\r\n\r\n", 1024).is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\n", 1024).is_err());
    }

    #[test]
    fn checker_addresses() {
        assert_eq!(
            parse_base("http://10.0.0.5:9100").unwrap(),
            (
                "10.0.0.5:9100".into(),
                "10.0.0.5:9100".into(),
                String::new()
            )
        );
        assert_eq!(
            parse_base("http://checkers.drill/notes/").unwrap(),
            (
                "checkers.drill:80".into(),
                "checkers.drill".into(),
                "/notes".into()
            )
        );
        assert!(parse_base("https://x").is_err());
        assert!(parse_base("http://").is_err());
    }

    #[test]
    fn team_addresses_lose_their_port() {
        assert_eq!(host_only("10.60.1.2:8080"), "10.60.1.2");
        assert_eq!(host_only("team1.drill:80"), "team1.drill");
        assert_eq!(host_only("team1.drill"), "team1.drill");
        assert_eq!(host_only("[fd00::2]:80"), "fd00::2");
        assert_eq!(host_only("fd00::2"), "fd00::2");
    }

    #[test]
    fn task_ids_are_unique_and_exact_in_json() {
        let a = next_task_id();
        let b = next_task_id();
        assert!(b > a && b < 1 << 53);
    }
}

//! What an anonymous crowd and a connection flood cost the real server, measured from outside.
//!
//! The defences (failed sign-ins per address and account, the bounded password-hashing queue,
//! connections capped per address, the HTTP header and TCP handshake timeouts) are unit-tested
//! one by one in `drillboard-api`; this bench checks what they add up to in the release binary,
//! over real sockets: that 500 wrong sign-ins at once and 4,000 idle or slow connections from one
//! address neither grow the server's memory nor slow the board and the flag paths for the teams
//! playing. It starts `drillboard demo` as its own process and talks to it over loopback only,
//! from several source addresses (all of 127/8 is loopback on Linux), so the per-address limits
//! apply as they would in a drill network. Figures go to docs/benchmarks.md; the process exits
//! non-zero when a target is missed.
//!
//! Run with `cargo bench -p drillboard --bench abuse` (about a minute). The client holds about
//! 4,000 sockets at once: it raises its soft open-file limit to the hard one and stops if that is
//! below [`NEEDED_FDS`] (on our machines `ulimit -n` is 20,000).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{sleep, timeout, timeout_at};

/// Wrong sign-ins released at once, from [`LOGIN_SOURCES`] addresses (127.0.0.2 and up).
const LOGINS: usize = 500;
const LOGIN_SOURCES: usize = 8;
/// Where the board reader, the attacker and the honest team connect from.
const READER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 200);
const ATTACKER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const TEAM: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);
/// The attacker's connections: silent ones to the flag port, slow partial headers over HTTP.
const IDLE_TCP: usize = 3_000;
const SLOW_HTTP: usize = 1_000;
/// The server's defaults, per address (`--max-flag-connections-per-address`, `--max-connections-per-address`).
const TCP_CAP: usize = 64;
const HTTP_CAP: usize = 256;
/// Longest an attacker connection is held by the bench (the server's timeouts are 10 s).
const HOLD: Duration = Duration::from_secs(20);
/// The bench's own sockets at most, with room for the rest.
const NEEDED_FDS: u64 = (IDLE_TCP + SLOW_HTTP + 300) as u64;

const TARGET_RSS_MB: f64 = 200.0;
const TARGET_BOARD_P99: Duration = Duration::from_millis(50);
const TARGET_TEAM: Duration = Duration::from_secs(1);

fn main() -> anyhow::Result<()> {
    let fds = raise_fd_limit()?;
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .unwrap_or(": ?");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let dir = std::env::var("CARGO_TARGET_DIR").map(|d| format!("CARGO_TARGET_DIR={d} "));
    println!(
        "machine: {cores} cores, {}, open-file limit {fds}",
        model.trim_start_matches([':', ' ', '\t'])
    );
    println!(
        "command: {}cargo bench -p drillboard --bench abuse\n",
        dir.unwrap_or_default()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let rows = rt.block_on(run())?;
    println!(
        "\n{:<58} {:>30}  {:<16} result",
        "measurement", "measured", "target"
    );
    for r in &rows {
        let verdict = match r.ok {
            Some(true) => "ok",
            Some(false) => "MISSED",
            None => "",
        };
        println!(
            "{:<58} {:>30}  {:<16} {verdict}",
            r.what, r.measured, r.target
        );
    }
    if rows.iter().any(|r| r.ok == Some(false)) {
        std::process::exit(1);
    }
    Ok(())
}

/// One line of the final table; `ok` is None for figures without a target.
struct Row {
    what: String,
    measured: String,
    target: &'static str,
    ok: Option<bool>,
}

fn row(
    what: impl Into<String>,
    measured: impl Into<String>,
    target: &'static str,
    ok: Option<bool>,
) -> Row {
    Row {
        what: what.into(),
        measured: measured.into(),
        target,
        ok,
    }
}

async fn run() -> anyhow::Result<Vec<Row>> {
    let mut server = Server::start()?;
    let t = Instant::now();
    loop {
        if let Ok((200, _)) = http(READER, server.http, &request("GET", "/readyz", "", "")).await {
            break;
        }
        ensure!(
            t.elapsed() < Duration::from_secs(30),
            "the server was not ready within 30 s"
        );
        sleep(Duration::from_millis(100)).await;
    }
    let logins: serde_json::Value =
        serde_json::from_slice(&std::fs::read(server.dir.path().join("demo-logins.json"))?)?;
    let teams: Vec<(String, String)> = logins
        .as_array()
        .context("demo-logins.json is not a list")?
        .iter()
        .filter_map(|l| {
            Some((
                l["username"].as_str()?.to_owned(),
                l["team_token"].as_str()?.to_owned(),
            ))
        })
        .collect();
    ensure!(!teams.is_empty(), "demo-logins.json holds no team token");
    println!(
        "server pid {} on http://{} and tcp {}",
        server.pid, server.http, server.flags
    );
    let mut rows = login_flood(&server, &teams).await?;
    rows.extend(connection_flood(&server, &teams[0]).await?);
    let alive = server.alive();
    rows.push(row(
        "server still running at the end",
        alive.to_string(),
        "true",
        Some(alive),
    ));
    let complaints = server.complaints();
    rows.push(row(
        "server log: WARN and ERROR lines",
        complaints.len().to_string(),
        "",
        None,
    ));
    for l in complaints.iter().take(5) {
        println!("server log: {l}");
    }
    Ok(rows)
}

/// Scenario A: 500 wrong sign-ins released at once while a reader polls the board.
async fn login_flood(server: &Server, teams: &[(String, String)]) -> anyhow::Result<Vec<Row>> {
    println!("A: {LOGINS} wrong sign-ins at once from {LOGIN_SOURCES} addresses");
    let quiet = poll_board(
        server.http,
        Arc::new(AtomicBool::new(false)),
        Duration::from_secs(2),
    )
    .await;
    let barrier = Arc::new(tokio::sync::Barrier::new(LOGINS + 1));
    let per_source = LOGINS.div_ceil(LOGIN_SOURCES);
    let mut tasks = Vec::new();
    for i in 0..LOGINS {
        let from = Ipv4Addr::new(127, 0, 0, 2 + (i / per_source) as u8);
        // A quarter aim at real team logins, the rest at names nobody has.
        let username = match i % 4 {
            0 => teams[(i / 4) % teams.len()].0.clone(),
            _ => format!("nobody-{i:03}"),
        };
        let body = serde_json::json!({"username": username, "password": "wrong"}).to_string();
        let req = request("POST", "/api/v1/auth/login", "", &body);
        let (barrier, to) = (barrier.clone(), server.http);
        tasks.push(tokio::spawn(async move {
            let conn = connect(from, to).await;
            barrier.wait().await;
            exchange(&mut conn?, &req, Duration::from_secs(30)).await
        }));
    }
    barrier.wait().await;
    let released = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let reader = tokio::spawn(poll_board(
        server.http,
        stop.clone(),
        Duration::from_secs(120),
    ));
    let mut answers = BTreeMap::<String, usize>::new();
    for t in tasks {
        let key = match t.await? {
            Ok(code) => code.to_string(),
            Err(e) => format!("error: {e}"),
        };
        *answers.entry(key).or_default() += 1;
    }
    let took = released.elapsed();
    sleep(Duration::from_secs(2).saturating_sub(took)).await;
    stop.store(true, Relaxed);
    let mut during = reader.await?;
    let (hwm, rss) = (server.kb("VmHWM"), server.kb("VmRSS"));
    sleep(Duration::from_secs(5)).await;
    let rss_later = server.kb("VmRSS");
    let count = |k: &str| answers.get(k).copied().unwrap_or(0);
    let expected = count("401") + count("429") == LOGINS;
    let mut q = quiet.samples;
    let p99 = pct(&mut during.samples, 99.0);
    Ok(vec![
        row(
            "A: sign-in answers (all 500 released by one barrier)",
            fmt_counts(&answers),
            "401 or 429",
            Some(expected),
        ),
        row("A: last answer after the release", ms(took), "", None),
        row(
            format!("A: board p50 / p99 before the flood ({} reads)", q.len()),
            format!("{} / {}", ms(pct(&mut q, 50.0)), ms(pct(&mut q, 99.0))),
            "",
            None,
        ),
        row(
            format!(
                "A: board p50 / p99 during the flood ({} reads, {} failed)",
                during.samples.len(),
                during.failed
            ),
            format!("{} / {}", ms(pct(&mut during.samples, 50.0)), ms(p99)),
            "p99 < 50 ms",
            Some(p99 < TARGET_BOARD_P99 && during.failed == 0),
        ),
        row(
            "A: server peak RSS (VmHWM) after the flood",
            mb(hwm),
            "< 200 MiB",
            Some(hwm / 1024.0 < TARGET_RSS_MB),
        ),
        row(
            "A: server VmRSS after the flood / 5 s later",
            format!("{} / {}", mb(rss), mb(rss_later)),
            "",
            None,
        ),
    ])
}

/// Scenario B: 3,000 silent TCP and 1,000 slow HTTP connections from one address, while a team
/// from another address submits, reads the board and uses the TCP flag port.
async fn connection_flood(server: &Server, team: &(String, String)) -> anyhow::Result<Vec<Row>> {
    println!("B: {IDLE_TCP} idle TCP + {SLOW_HTTP} slow HTTP connections from {ATTACKER}");
    let held = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let settled = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let tcp: Vec<_> = (0..IDLE_TCP)
        .map(|_| tokio::spawn(idle_tcp(server.flags, held.clone(), settled.clone())))
        .collect();
    let slow: Vec<_> = (0..SLOW_HTTP)
        .map(|_| tokio::spawn(slow_http(server.http, held.clone(), settled.clone())))
        .collect();
    while settled.load(Relaxed) < IDLE_TCP + SLOW_HTTP && start.elapsed() < Duration::from_secs(15)
    {
        sleep(Duration::from_millis(50)).await;
    }
    let in_place = start.elapsed();
    let mut probes: [Probe; 3] = Default::default();
    let mut during = Vec::new();
    for _ in 0..3 {
        during.push([held[0].load(Relaxed), held[1].load(Relaxed)]);
        for (p, (took, ok, seen)) in probes.iter_mut().zip(team_probes(server, team).await) {
            p.slowest = p.slowest.max(took);
            p.bad |= !ok || took >= TARGET_TEAM;
            p.seen.insert(seen);
        }
        sleep(Duration::from_secs(1)).await;
    }
    let rss_held = server.kb("VmRSS");
    let deadline = tokio::time::Instant::now() + HOLD + Duration::from_secs(20);
    let mut tallies = [Tally::default(), Tally::default()];
    for (tally, tasks) in tallies.iter_mut().zip([tcp, slow]) {
        for mut t in tasks {
            let outcome = match timeout_at(deadline, &mut t).await {
                Ok(done) => done?,
                Err(_) => {
                    t.abort();
                    Outcome::Odd("overran the bench's own limit")
                }
            };
            tally.add(outcome);
        }
    }
    let mut rows = vec![row(
        "B: every attacker connection answered or kept after",
        ms(in_place),
        "",
        None,
    )];
    let kinds = [
        ("TCP", IDLE_TCP, TCP_CAP, "<= 64 kept", "all, ~10 s", 12),
        ("HTTP", SLOW_HTTP, HTTP_CAP, "<= 256 kept", "all, ~11 s", 13),
    ];
    for (k, (t, (name, total, cap, kept_target, closed_target, limit))) in
        tallies.iter().zip(kinds).enumerate()
    {
        rows.push(row(
            format!(
                "B: attacker {name}: kept / refused of {total}{}",
                t.odd_text()
            ),
            format!("{} / {}", t.kept, t.refused),
            kept_target,
            Some(t.kept <= cap && t.kept + t.refused == total),
        ));
        let lo = during.iter().map(|d| d[k]).min().unwrap_or(0);
        let hi = during.iter().map(|d| d[k]).max().unwrap_or(0);
        rows.push(row(
            format!("B: attacker {name} held while the team played"),
            format!("{lo}-{hi}"),
            "",
            None,
        ));
        let (first, last) = (
            t.closed.iter().min().copied(),
            t.closed.iter().max().copied(),
        );
        rows.push(row(
            format!(
                "B: attacker {name} closed by the server ({} still open at {} s)",
                t.open,
                HOLD.as_secs()
            ),
            format!("{} after {}-{}", t.closed.len(), secs(first), secs(last)),
            closed_target,
            Some(t.closed.len() == t.kept && last.is_some_and(|l| l < Duration::from_secs(limit))),
        ));
    }
    let names = [
        "(a) jeopardy submit over HTTP",
        "(b) scoreboard read",
        "(c) TCP token + FAKE flag",
    ];
    for (p, what) in probes.iter().zip(names) {
        let seen = p.seen.iter().cloned().collect::<Vec<_>>().join(", ");
        rows.push(row(
            format!("B: team {what}, slowest of 3 ({seen})"),
            ms(p.slowest),
            "< 1 s",
            Some(!p.bad),
        ));
    }
    let hwm = server.kb("VmHWM");
    rows.push(row(
        "B: server VmRSS while held / VmHWM at the end",
        format!("{} / {}", mb(rss_held), mb(hwm)),
        "< 200 MiB",
        Some(hwm / 1024.0 < TARGET_RSS_MB),
    ));
    Ok(rows)
}

/// The honest team's actions over the rounds: the slowest, whether any missed, what was answered.
#[derive(Default)]
struct Probe {
    slowest: Duration,
    bad: bool,
    seen: std::collections::BTreeSet<String>,
}

/// The honest team's three actions: (time, answered as expected, what it saw).
async fn team_probes(
    server: &Server,
    (name, token): &(String, String),
) -> [(Duration, bool, String); 3] {
    let headers = format!("X-Team-Token: {token}\r\n");
    let submit = request(
        "POST",
        "/api/v1/challenges/web-01/submit",
        &headers,
        r#"{"flag":"x"}"#,
    );
    let t = Instant::now();
    let a = match http(TEAM, server.http, &submit).await {
        Ok((code, took)) => (took, (200..500).contains(&code), format!("{code}")),
        Err(e) => (t.elapsed(), false, format!("{e:#}")),
    };
    let t = Instant::now();
    let b = match http(
        TEAM,
        server.http,
        &request("GET", "/api/v1/scoreboard", "", ""),
    )
    .await
    {
        Ok((code, took)) => (took, code == 200, format!("{code}")),
        Err(e) => (t.elapsed(), false, format!("{e:#}")),
    };
    let t = Instant::now();
    let c = match tcp_flag(server.flags, token).await {
        Ok(answer) => (
            t.elapsed(),
            answer.starts_with("FAKE "),
            answer
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Err(e) => (t.elapsed(), false, format!("{name}: {e:#}")),
    };
    [a, b, c]
}

/// The TCP flag handshake and one fake flag; the server's answer to it.
async fn tcp_flag(to: SocketAddr, token: &str) -> anyhow::Result<String> {
    let mut r = BufReader::new(connect(TEAM, to).await?);
    let greeting = line(&mut r).await?;
    ensure!(greeting.starts_with("Welcome"), "greeting: {greeting}");
    r.get_mut()
        .write_all(format!("{token}\n").as_bytes())
        .await?;
    let reply = line(&mut r).await?;
    ensure!(reply.contains("enter your flags"), "token reply: {reply}");
    r.get_mut().write_all(b"FAKE\n").await?;
    line(&mut r).await
}

async fn line(r: &mut BufReader<TcpStream>) -> anyhow::Result<String> {
    let mut s = String::new();
    let n = timeout(Duration::from_secs(5), r.read_line(&mut s))
        .await
        .context("no line within 5 s")??;
    ensure!(n > 0, "closed by the server");
    Ok(s.trim_end().to_owned())
}

/// What became of one attacker connection.
enum Outcome {
    /// Refused at once with the server's one-line message or 429.
    Refused,
    /// Accepted, then closed by the server this long after connecting.
    Closed(Duration),
    /// Accepted and still open when the bench let go.
    Open,
    Odd(&'static str),
}

#[derive(Default)]
struct Tally {
    kept: usize,
    refused: usize,
    closed: Vec<Duration>,
    open: usize,
    odd: BTreeMap<&'static str, usize>,
}

impl Tally {
    fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Refused => self.refused += 1,
            Outcome::Closed(t) => {
                self.kept += 1;
                self.closed.push(t);
            }
            Outcome::Open => {
                self.kept += 1;
                self.open += 1;
            }
            Outcome::Odd(what) => *self.odd.entry(what).or_default() += 1,
        }
    }

    fn odd_text(&self) -> String {
        self.odd.iter().map(|(k, n)| format!(", {n} {k}")).collect()
    }
}

/// A flag-port connection that never sends its token.
async fn idle_tcp(
    to: SocketAddr,
    held: Arc<[AtomicUsize; 2]>,
    settled: Arc<AtomicUsize>,
) -> Outcome {
    let conn = connect(ATTACKER, to).await;
    let at = Instant::now();
    let first = match conn {
        Ok(s) => {
            let mut r = BufReader::new(s);
            let mut l = String::new();
            let got = timeout(Duration::from_secs(5), r.read_line(&mut l)).await;
            Some((r, got.is_ok(), l))
        }
        Err(_) => None,
    };
    settled.fetch_add(1, Relaxed);
    let mut r = match first {
        None => return Outcome::Odd("could not connect"),
        Some((_, _, l)) if l.starts_with("too many connections") => return Outcome::Refused,
        Some((r, _, l)) if l.starts_with("Welcome") => r,
        Some((_, false, _)) => return Outcome::Odd("had no greeting within 5 s"),
        Some(_) => return Outcome::Odd("were closed without a message"),
    };
    held[0].fetch_add(1, Relaxed);
    let mut rest = Vec::new();
    let end = timeout(HOLD, r.read_to_end(&mut rest)).await;
    held[0].fetch_sub(1, Relaxed);
    if end.is_ok() {
        Outcome::Closed(at.elapsed())
    } else {
        Outcome::Open
    }
}

/// An HTTP connection that sends a request header one byte a second and never finishes it.
/// A refusal comes at once, so a connection with no answer after a second counts as kept.
async fn slow_http(
    to: SocketAddr,
    held: Arc<[AtomicUsize; 2]>,
    settled: Arc<AtomicUsize>,
) -> Outcome {
    const PARTIAL: &[u8] = b"GET /api/v1/scoreboard HTTP/1.1\r\nHost: drill\r\nX-Slow: ";
    let Ok(s) = connect(ATTACKER, to).await else {
        settled.fetch_add(1, Relaxed);
        return Outcome::Odd("could not connect");
    };
    let at = Instant::now();
    let (mut rd, mut wr) = s.into_split();
    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(1),
        Duration::from_secs(1),
    );
    let (mut kept, mut sent, mut buf) = (false, 0, [0u8; 512]);
    let outcome = loop {
        tokio::select! {
            got = rd.read(&mut buf) => match got {
                Ok(n) if n > 0 && status(&buf[..n]) == Some(429) => break Outcome::Refused,
                Ok(n) if n > 0 => continue,
                _ if kept => break Outcome::Closed(at.elapsed()),
                _ => break Outcome::Odd("were closed without an answer"),
            },
            _ = tick.tick() => {
                if !kept {
                    kept = true;
                    settled.fetch_add(1, Relaxed);
                    held[1].fetch_add(1, Relaxed);
                }
                if at.elapsed() >= HOLD {
                    break Outcome::Open;
                }
                let b = PARTIAL.get(sent).copied().unwrap_or(b'a');
                if wr.write_all(&[b]).await.is_err() {
                    break Outcome::Closed(at.elapsed());
                }
                sent += 1;
            }
        }
    };
    if kept {
        held[1].fetch_sub(1, Relaxed);
    } else {
        settled.fetch_add(1, Relaxed);
    }
    match outcome {
        Outcome::Refused if kept => Outcome::Odd("were refused late"),
        o => o,
    }
}

/// Board reads, one every 20 ms from [`READER`], until `stop` or `max`.
async fn poll_board(to: SocketAddr, stop: Arc<AtomicBool>, max: Duration) -> Latencies {
    let req = request("GET", "/api/v1/scoreboard", "", "");
    let mut out = Latencies {
        samples: Vec::new(),
        failed: 0,
    };
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let start = Instant::now();
    while !stop.load(Relaxed) && start.elapsed() < max {
        tick.tick().await;
        match http(READER, to, &req).await {
            Ok((200, took)) => out.samples.push(took),
            _ => out.failed += 1,
        }
    }
    out
}

struct Latencies {
    samples: Vec<Duration>,
    failed: usize,
}

/// A TCP connection to `to` from the loopback address `from`.
async fn connect(from: Ipv4Addr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let sock = TcpSocket::new_v4()?;
    sock.bind(SocketAddr::new(from.into(), 0))?;
    let s = timeout(Duration::from_secs(10), sock.connect(to))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect took 10 s"))??;
    s.set_nodelay(true)?;
    Ok(s)
}

fn request(method: &str, path: &str, headers: &str, body: &str) -> String {
    let content = if body.is_empty() {
        String::new()
    } else {
        format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        )
    };
    format!(
        "{method} {path} HTTP/1.1\r\nHost: drill\r\nConnection: close\r\n{headers}{content}\r\n{body}"
    )
}

/// One request on a new connection from `from`: the status and the time taken, connect included.
async fn http(from: Ipv4Addr, to: SocketAddr, req: &str) -> anyhow::Result<(u16, Duration)> {
    let t = Instant::now();
    let mut s = connect(from, to).await?;
    let code = exchange(&mut s, req, Duration::from_secs(5)).await?;
    Ok((code, t.elapsed()))
}

/// Send `req` and read the answer to its end (`Connection: close`): its status.
async fn exchange(s: &mut TcpStream, req: &str, limit: Duration) -> anyhow::Result<u16> {
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    timeout(limit, s.read_to_end(&mut buf))
        .await
        .context("no complete answer in time")??;
    status(&buf).context("not an HTTP answer")
}

fn status(answer: &[u8]) -> Option<u16> {
    let head = std::str::from_utf8(answer.get(..12)?).ok()?;
    head.strip_prefix("HTTP/1.1 ")?.parse().ok()
}

/// The `drillboard demo` process, stopped when dropped (also when the bench panics).
struct Server {
    child: Child,
    pid: u32,
    http: SocketAddr,
    flags: SocketAddr,
    /// Dropped after `child` is stopped.
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> anyhow::Result<Server> {
        let dir = tempfile::tempdir()?;
        let log = std::fs::File::create(dir.path().join("server.log"))?;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drillboard"));
        cmd.arg("demo")
            .arg("--no-bots")
            .arg("--data-dir")
            .arg(dir.path());
        cmd.args([
            "--listen",
            "127.0.0.1:0",
            "--flags-listen",
            "127.0.0.1:0",
            "--service-port",
            "0",
        ]);
        // The server's defaults are what is measured.
        for (k, _) in
            std::env::vars_os().filter(|(k, _)| k.to_string_lossy().starts_with("DRILLBOARD_"))
        {
            cmd.env_remove(k);
        }
        cmd.env_remove("RUST_LOG");
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()?;
        let stdout = child.stdout.take().context("no stdout")?;
        let unbound: SocketAddr = ([0, 0, 0, 0], 0).into();
        let mut server = Server {
            pid: child.id(),
            child,
            http: unbound,
            flags: unbound,
            dir,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the banner, then keeps the pipe drained.
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let _ = tx.send(l);
            }
        });
        let until = Instant::now() + Duration::from_secs(60);
        while server.http == unbound || server.flags == unbound {
            let Ok(l) = rx.recv_timeout(until.saturating_duration_since(Instant::now())) else {
                let log = std::fs::read_to_string(server.dir.path().join("server.log"))
                    .unwrap_or_default();
                bail!("the server printed no addresses within 60 s; its log:\n{log}");
            };
            if let Some(a) = l.strip_prefix("drillboard is listening on http://") {
                server.http = a.trim().parse()?;
            } else if let Some(a) = l.strip_prefix("flag submission over TCP on ") {
                server.flags = a.trim().parse()?;
            }
        }
        Ok(server)
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The server's warnings and errors so far (its log is on stderr, in the data folder).
    fn complaints(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        log.lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .map(str::to_owned)
            .collect()
    }

    /// A `/proc/<pid>/status` figure, in KiB.
    fn kb(&self, field: &str) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(f64::NAN)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first: the demo then stops its Python service copies as well.
        let pid = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Raise the soft open-file limit to the hard one (no unsafe: rustix) and check it suffices.
fn raise_fd_limit() -> anyhow::Result<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut lim = getrlimit(Resource::Nofile);
    if lim.current != lim.maximum {
        lim.current = lim.maximum;
        let _ = setrlimit(Resource::Nofile, lim);
    }
    let now = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    ensure!(
        now >= NEEDED_FDS,
        "{now} open files allowed, the bench needs {NEEDED_FDS}: run it under `ulimit -n 20000`"
    );
    Ok(now)
}

/// Nearest-rank percentile.
fn pct(v: &mut [Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

fn fmt_counts(m: &BTreeMap<String, usize>) -> String {
    m.iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn secs(d: Option<Duration>) -> String {
    d.map_or("-".into(), |d| format!("{:.1} s", d.as_secs_f64()))
}

fn mb(kb: f64) -> String {
    format!("{:.1} MiB", kb / 1024.0)
}

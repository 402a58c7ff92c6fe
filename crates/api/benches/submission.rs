//! Flag submission throughput for 63 teams, over TCP (token handshake, pipelined lines) and
//! HTTP (`PUT /flags`, 1,000 flags a request, keep-alive), on SQLite and PostgreSQL.
//!
//! Run with `cargo bench -p drillboard-api --bench submission` (both databases), or add
//! `-- sqlite` / `-- postgres` for one. PostgreSQL is the server named by `DATABASE_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`); the bench makes its own database there
//! and drops it afterwards. Figures go in docs/benchmarks.md.
//!
//! The server is the real one (the TCP flag server and the router behind a real socket); the
//! clients run in the same process on the same two cores, so the figures are a lower bound of
//! what a server with its own machine does. "Accepted" is only counted when the reply said so,
//! which the server only says after the commit, and the stored captures are counted afterwards.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use drillboard_api::ops::{self, ClockAction, Credential};
use drillboard_api::{AppState, Settings};
use drillboard_gameserver::flags::{FlagInfo, FlagKey};
use drillboard_scoring::EventKind;
use drillboard_store::Store;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const TEAMS: usize = 63;
const SERVICES: usize = 8;
/// Places per service: 1 and 2 are submitted over TCP, 3 and 4 over HTTP.
const PLACES: u8 = 4;
/// Rounds played before the measurement; with a lifetime of 5 every flag planted is alive.
const ROUNDS: u32 = 5;
/// Forged flags each team sends per protocol.
const INVALID_PER_TEAM: usize = 20_000;
/// Flags in one HTTP request.
const PER_REQUEST: usize = 1_000;
const SECRET: &[u8] = b"benchmark flag secret, long enough";
/// 2026-12-01T01:00:00Z, the exercise's planned start; the bench clock stands one minute later.
const T0: i64 = 1_796_086_800_000;

fn scenario() -> String {
    let mut s = String::from(
        r#"version: 1
exercise:
  id: bench
  title: Benchmark
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 8h
attack_defense:
  round_length: 60s
  flag_lifetime: 5
  flags_per_second: 1000000
  max_flags_per_request: 1000
teams:
"#,
    );
    for t in 0..TEAMS {
        s.push_str(&format!("  - {{id: team{t}, name: Team {t}}}\n"));
    }
    s.push_str("services:\n");
    for v in 0..SERVICES {
        s.push_str(&format!(
            "  - {{id: svc{v}, checker: [\"true\"], places: {PLACES}, host: \"{{team}}.bench:80\"}}\n"
        ));
    }
    s
}

struct Bench {
    state: AppState,
    tokens: Vec<String>,
    ids: Vec<u16>,
    key: FlagKey,
    tcp: std::net::SocketAddr,
    http: std::net::SocketAddr,
}

async fn setup(store: Store) -> Bench {
    store.migrate().await.expect("migrate");
    let clock = Arc::new(AtomicI64::new(T0 + 60_000));
    let c = clock.clone();
    let settings = Settings {
        jwt_secrets: vec![b"bench-secret-bench-secret-bench-secret".to_vec()],
        session_seconds: 3_600,
        login_failures_per_minute: 10,
        flag_secret: SECRET.to_vec(),
        checker_concurrency: 1,
        trusted_proxies: Default::default(),
        checkers_dir: None,
    };
    let state = AppState::new(store, settings, Arc::new(move || c.load(Ordering::SeqCst)))
        .await
        .expect("state");
    let src = scenario();
    let s = drillboard_scenario::load_str(&src, "bench.yaml", None).expect("scenario");
    let creds: Vec<Credential> = ops::load_scenario(&state, s, src, "bench")
        .await
        .expect("load");
    ops::clock(&state, ClockAction::Start, "bench")
        .await
        .expect("start");
    for n in 1..=ROUNDS {
        let at = T0 + 60_000 - (ROUNDS - n) as i64;
        state.store().begin_round(n, at).await.expect("round");
        if n < ROUNDS {
            state.store().end_round(n, "done", at).await.expect("round");
        }
    }
    state.reload().await.expect("reload");
    let tokens = (0..TEAMS)
        .map(|t| {
            let name = format!("team{t}");
            creds
                .iter()
                .find(|c| c.username == name)
                .and_then(|c| c.team_token.clone())
                .expect("team token")
        })
        .collect();
    let ids = (0..TEAMS)
        .map(|t| state.live().team(&format!("team{t}")).expect("team").id as u16)
        .collect();
    let tcp_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let tcp = tcp_listener.local_addr().expect("addr");
    // Every client comes from 127.0.0.1: the per-address cap is lifted for the benchmark.
    let limits = drillboard_api::conn::ConnLimits {
        per_address: 4096,
        ..drillboard_api::game::tcp::default_limits()
    };
    tokio::spawn(drillboard_api::game::tcp::serve(
        state.clone(),
        tcp_listener,
        drillboard_api::conn::Slots::new(limits, Default::default()),
    ));
    let http_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let http = http_listener.local_addr().expect("addr");
    let router = drillboard_api::router(state.clone());
    tokio::spawn(axum::serve(http_listener, router).into_future());
    Bench {
        state,
        tokens,
        ids,
        key: FlagKey::new(SECRET, "DRILL_"),
        tcp,
        http,
    }
}

impl Bench {
    /// Every flag of the other teams at these places, for attacker `a`.
    fn valid(&self, a: usize, places: std::ops::RangeInclusive<u8>) -> Vec<String> {
        let mut out = Vec::new();
        for v in (0..TEAMS).filter(|v| *v != a) {
            for service in 0..SERVICES as u8 {
                for round in 1..=ROUNDS {
                    for place in places.clone() {
                        out.push(self.key.make(FlagInfo {
                            round,
                            team: self.ids[v],
                            service,
                            place,
                        }));
                    }
                }
            }
        }
        out
    }

    /// Well-formed flags with a wrong signature (the last character of the MAC changed).
    fn forged(&self, a: usize) -> Vec<String> {
        let good = self.valid(a, 1..=PLACES);
        (0..INVALID_PER_TEAM)
            .map(|i| {
                let mut f = good[i % good.len()].clone().into_bytes();
                let k = f.len() - 2;
                f[k] = if f[k] == b'A' { b'B' } else { b'A' };
                String::from_utf8(f).expect("ascii")
            })
            .collect()
    }

    async fn captures(&self) -> usize {
        self.state
            .store()
            .events()
            .await
            .expect("events")
            .iter()
            .filter(|(e, _)| matches!(e.kind, EventKind::FlagCaptured { .. }))
            .count()
    }
}

/// One team over TCP: handshake, then every flag pipelined while replies are read. Returns the
/// number of replies with `code`.
async fn tcp_team(
    addr: std::net::SocketAddr,
    token: String,
    flags: Vec<String>,
    code: &str,
) -> usize {
    let sock = TcpStream::connect(addr).await.expect("connect");
    sock.set_nodelay(true).ok();
    let (rd, mut wr) = sock.into_split();
    let mut rd = BufReader::new(rd);
    let mut line = String::new();
    rd.read_line(&mut line).await.expect("greeting");
    wr.write_all(format!("{token}\n").as_bytes())
        .await
        .expect("token");
    line.clear();
    rd.read_line(&mut line).await.expect("handshake");
    assert!(line.contains("enter your flags"), "handshake: {line}");
    let n = flags.len();
    let writer = tokio::spawn(async move {
        let mut buf = String::with_capacity(n * 40);
        for f in &flags {
            buf.push_str(f);
            buf.push('\n');
        }
        wr.write_all(buf.as_bytes()).await.expect("send");
        wr
    });
    let want = format!(" {code}");
    let mut hits = 0;
    for _ in 0..n {
        line.clear();
        rd.read_line(&mut line).await.expect("reply");
        let mut words = line.split(' ');
        words.next();
        if words.next().is_some_and(|c| want[1..] == *c) {
            hits += 1;
        }
    }
    drop(writer.await);
    hits
}

/// One team over HTTP: `PUT /flags` with `PER_REQUEST` flags at a time on one keep-alive
/// connection. Returns the number of replies whose `status` is true.
async fn http_team(addr: std::net::SocketAddr, token: String, flags: Vec<String>) -> usize {
    let mut sock = BufReader::new(TcpStream::connect(addr).await.expect("connect"));
    let mut accepted = 0;
    let mut head = String::new();
    for chunk in flags.chunks(PER_REQUEST) {
        let body = serde_json::to_string(chunk).expect("json");
        let req = format!(
            "PUT /flags HTTP/1.1\r\nhost: bench\r\nx-team-token: {token}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        sock.get_mut()
            .write_all(req.as_bytes())
            .await
            .expect("send");
        let mut length = 0;
        loop {
            head.clear();
            sock.read_line(&mut head).await.expect("head");
            if head == "\r\n" {
                break;
            }
            if let Some((k, v)) = head.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().expect("length");
            }
            assert!(!head.is_empty(), "connection closed");
        }
        let mut buf = vec![0; length];
        sock.read_exact(&mut buf).await.expect("body");
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&buf).expect("reply json");
        assert_eq!(rows.len(), chunk.len());
        accepted += rows.iter().filter(|r| r["status"] == true).count();
    }
    accepted
}

#[derive(Clone, Copy)]
enum Proto {
    Tcp,
    Http,
}

/// Run every team at once; returns (replies counted, seconds).
async fn run(b: &Bench, proto: Proto, flags: Vec<Vec<String>>, code: &'static str) -> (usize, f64) {
    let start = Instant::now();
    let tasks: Vec<_> = flags
        .into_iter()
        .enumerate()
        .map(|(t, f)| {
            let token = b.tokens[t].clone();
            match proto {
                Proto::Tcp => tokio::spawn(tcp_team(b.tcp, token, f, code)),
                Proto::Http => tokio::spawn(http_team(b.http, token, f)),
            }
        })
        .collect();
    let mut n = 0;
    for t in tasks {
        n += t.await.expect("client");
    }
    (n, start.elapsed().as_secs_f64())
}

fn report(what: &str, n: usize, secs: f64) {
    println!(
        "  {what:<44} {n:>9} flags in {secs:>6.2} s = {:>9.0} flags/s",
        n as f64 / secs
    );
}

async fn bench(backend: &str, store: Store) {
    println!(
        "{backend}: {TEAMS} teams, {SERVICES} services, {PLACES} places, {ROUNDS} rounds alive"
    );
    let b = setup(store).await;

    let tcp_valid: Vec<_> = (0..TEAMS).map(|a| b.valid(a, 1..=2)).collect();
    let expected: usize = tcp_valid.iter().map(Vec::len).sum();
    let (ok, secs) = run(&b, Proto::Tcp, tcp_valid, "OK").await;
    assert_eq!(ok, expected, "every valid flag accepted over TCP");
    report("TCP, valid (accepted, stored)", ok, secs);

    let http_valid: Vec<_> = (0..TEAMS).map(|a| b.valid(a, 3..=4)).collect();
    let expected_http: usize = http_valid.iter().map(Vec::len).sum();
    let (ok, secs) = run(&b, Proto::Http, http_valid, "OK").await;
    assert_eq!(ok, expected_http, "every valid flag accepted over HTTP");
    report("HTTP, valid (accepted, stored)", ok, secs);

    let stored = b.captures().await;
    assert_eq!(stored, expected + expected_http, "captures in the database");

    let forged: Vec<_> = (0..TEAMS).map(|a| b.forged(a)).collect();
    let (inv, secs) = run(&b, Proto::Tcp, forged.clone(), "INV").await;
    assert_eq!(
        inv,
        TEAMS * INVALID_PER_TEAM,
        "every forged flag rejected over TCP"
    );
    report("TCP, forged (rejected INV)", inv, secs);

    let (acc, secs) = run(&b, Proto::Http, forged, "").await;
    assert_eq!(acc, 0, "no forged flag accepted over HTTP");
    report("HTTP, forged (rejected)", TEAMS * INVALID_PER_TEAM, secs);

    let dup: Vec<_> = (0..TEAMS).map(|a| b.valid(a, 1..=2)).collect();
    let (n, secs) = run(&b, Proto::Tcp, dup, "DUP").await;
    assert_eq!(n, expected, "every repeat answered DUP over TCP");
    report("TCP, repeats (rejected DUP)", n, secs);

    assert_eq!(b.captures().await, stored, "rejections stored nothing");
    let store = b.state.store().clone();
    drop(b);
    store.close().await.ok();
}

fn postgres_admin_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => u,
        _ => "postgres://postgres@127.0.0.1:5432/test".to_owned(),
    }
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; the other arguments pick the databases.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let want = |b: &str| args.is_empty() || args.iter().any(|a| a == b);
    if want("sqlite") {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        );
        bench("SQLite", Store::connect(&url).await.expect("sqlite")).await;
    }
    if want("postgres") {
        let admin_url = postgres_admin_url();
        let admin = Store::connect(&admin_url)
            .await
            .expect("PostgreSQL reachable");
        let name = format!("drillboard_bench_{}", std::process::id());
        admin
            .execute_admin(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        let (base, _) = admin_url.rsplit_once('/').expect("url with a database");
        let store = Store::connect(&format!("{base}/{name}"))
            .await
            .expect("connect");
        bench("PostgreSQL", store).await;
        admin
            .execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .expect("drop database");
    }
}

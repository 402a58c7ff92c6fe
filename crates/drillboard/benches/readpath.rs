//! The read path and jeopardy writes of the real server, measured from outside: the board for
//! 63 and 1,063 teams, new solves and wrong flags from 63 teams at once, both together, memory
//! at 1,000 teams × 100,000 events with 16 readers and a stream of changes, start-up time, and
//! the SQLite WAL under sustained writes.
//!
//! Each data set is made in a fresh database (SQLite in a temporary folder; PostgreSQL in a
//! database the bench creates on the server named by `DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`, and drops afterwards): the scenario through
//! `drillboard scenario load`, then the teams, their API tokens and the event log written
//! straight through the store (a 100,000-event history would take too long to play over HTTP).
//! The release binary `drillboard serve` then runs as its own process, and this process is the
//! load client: keep-alive HTTP/1.1 connections over loopback, latencies measured per request.
//!
//! Run with `cargo bench -p drillboard --bench readpath` (both databases, about 10 minutes with
//! the 5-minute WAL run), or add `-- sqlite` / `-- postgres` for one, `--wal-seconds N` to
//! shorten the WAL run, `--only board63,writes,board1063,large,wal,replicas` for some parts (`replicas`:
//! PostgreSQL only). Figures go to docs/benchmarks.md; the process exits non-zero when a
//! target is missed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use drillboard_scoring::EventKind;
use drillboard_store::{ExerciseUpdate, NewEvent, NewTeam, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long each throughput measurement runs.
const RUN: Duration = Duration::from_secs(8);
/// Challenges of the 63-team write data set: each team solves each once, so new solves run out
/// after 63 × this many.
const WRITE_CHALLENGES: usize = 400;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let wal_seconds = args
        .iter()
        .position(|a| a == "--wal-seconds")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(300u64);
    let want = |b: &str| {
        let named = args.iter().any(|a| a == "sqlite" || a == "postgres");
        !named || args.iter().any(|a| a == b)
    };
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpu = read("/proc/cpuinfo");
    let model = cpu
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .unwrap_or("?")
        .trim_start_matches([':', ' ', '\t'])
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {cores} cores, {model}");
    let dir = std::env::var("CARGO_TARGET_DIR").map(|d| format!("CARGO_TARGET_DIR={d} "));
    println!(
        "command: {}cargo bench -p drillboard --bench readpath -- {}",
        dir.unwrap_or_default(),
        args.iter()
            .filter(|a| *a != "--bench")
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut report = Report::default();
    let started = Instant::now();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if want(backend.name()) {
            rt.block_on(run(backend, wal_seconds, &mut report))?;
        }
    }
    let all_met = report.print();
    println!("bench run time {:.0} s", started.elapsed().as_secs_f64());
    if !all_met {
        std::process::exit(1);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

async fn run(backend: Backend, wal_seconds: u64, r: &mut Report) -> anyhow::Result<()> {
    let db = backend.name();
    println!("\n== {db}");
    // `-- only board63,writes,board1063,large,wal,replicas` runs some parts.
    let args: Vec<String> = std::env::args().collect();
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let part = |name: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|x| x == name))
    };

    // 1. The board of a 63-team drill with a history: reads alone.
    if part("board63") {
        let set = DataSet::history(63, 30, 0x63);
        let server = Server::prepare(backend, &set).await?;
        let board = server.get("/api/v1/scoreboard", false).await?;
        let zipped = server.get("/api/v1/scoreboard", true).await?;
        r.info(
            db,
            "board, 63 teams: size plain / gzip",
            format!("{} / {}", kb(board.len()), kb(zipped.len())),
        );
        let s = server.load(readers(64, Read::Board), RUN).await?;
        r.check(
            db,
            "board reads, 63 teams, 64 conns",
            s.summary(),
            "≥ 30,000 req/s, p99 < 10 ms",
            s.rate() >= 30_000.0 && s.p(0.99) < 10_000,
        );
        let s = server.load(readers(1, Read::Board), RUN / 2).await?;
        r.info(db, "board reads, 63 teams, 1 conn", s.summary());
        let s = server.load(readers(64, Read::BoardGzip), RUN / 2).await?;
        r.info(db, "board reads gzipped, 63 teams, 64 conns", s.summary());
        r.info(db, "server VmHWM", mib(server.kb("VmHWM")));
        server.check_log(r, db);
    }

    // 2. Jeopardy writes by 63 teams: new solves, wrong flags, and solves with 64 readers.
    if part("writes") {
        let set = DataSet::empty(63, WRITE_CHALLENGES);
        let server = Server::prepare(backend, &set).await?;
        let half = WRITE_CHALLENGES / 2;
        let readers_alone = server.load(readers(64, Read::Board), RUN / 2).await?;
        let solves = server.load(solvers(&set, 0..half), RUN).await?;
        ensure!(
            solves.status(200) == solves.count(),
            "every new solve is accepted: {solves:?}"
        );
        r.check(
            db,
            "new solves, 63 conns",
            solves.summary(),
            "≥ 10,000/s, p99 < 50 ms (SQLite)",
            backend == Backend::Postgres || (solves.rate() >= 10_000.0 && solves.p(0.99) < 50_000),
        );
        let wrong = server.load(wrong(&set), RUN).await?;
        r.check(
            db,
            "wrong flags, 63 conns",
            wrong.summary(),
            "≥ 10,000/s, p99 < 50 ms (SQLite)",
            backend == Backend::Postgres || (wrong.rate() >= 10_000.0 && wrong.p(0.99) < 50_000),
        );
        let mut both = solvers(&set, half..WRITE_CHALLENGES);
        both.extend(readers(64, Read::Board));
        let mixed = server.load(both, RUN).await?;
        let (w, rd) = (mixed.part("solve"), mixed.part("board"));
        let (fw, fr) = (
            w.rate() / solves.rate(),
            rd.rate() / readers_alone.rate().max(1.0),
        );
        r.info(
            db,
            "board reads alone on this data set (400 challenges), 64 conns",
            readers_alone.summary(),
        );
        r.check(
            db,
            "mixed: 63 solvers + 64 board readers",
            format!(
                "solves {} ({:.0} %), reads {} ({:.0} %)",
                w.summary(),
                fw * 100.0,
                rd.summary(),
                fr * 100.0
            ),
            "each ≥ 80 % of its rate alone",
            fw >= 0.8 && fr >= 0.8,
        );
        let stored = server.count_events().await?;
        ensure!(
            stored as usize == solves.status(200) + w.status(200),
            "every acknowledged solve is stored once: {stored} events, {} + {} acknowledged",
            solves.status(200),
            w.status(200)
        );
        r.info(db, "server VmHWM", mib(server.kb("VmHWM")));
        if backend == Backend::Sqlite {
            let wal = server.wal_bytes();
            r.info(db, "WAL after these runs", mib(wal as f64 / 1024.0));
        }
        server.check_log(r, db);
    }

    // 3. 1,063 teams and 51,000 solves: the warm board.
    if part("board1063") {
        let set = DataSet::history(1_063, 100, 0x1063);
        let server = Server::prepare(backend, &set).await?;
        let board = server.get("/api/v1/scoreboard", false).await?;
        let zipped = server.get("/api/v1/scoreboard", true).await?;
        let team = server
            .get(&format!("/api/v1/scoreboard/teams/{}", set.slug(7)), false)
            .await?;
        let s1 = server.load(readers(1, Read::Board), RUN / 2).await?;
        r.check(
            db,
            format!("warm board, 1,063 teams / {} solves, 1 conn", set.solves),
            format!(
                "{}; {} plain, {} gzip",
                s1.summary(),
                kb(board.len()),
                kb(zipped.len())
            ),
            "< 2 ms, < 150 KB before gzip",
            s1.p(0.5) < 2_000 && board.len() < 150_000,
        );
        r.info(db, "one team's breakdown, 1,063 teams", kb(team.len()));
        let s = server.load(readers(64, Read::BoardGzip), RUN / 2).await?;
        r.info(
            db,
            "board reads gzipped, 1,063 teams, 64 conns",
            s.summary(),
        );
        server.check_log(r, db);
    }

    // 4. 1,000 teams × 100,000 events: start-up, and memory under 16 readers and changes.
    if part("large") {
        let set = DataSet::large();
        let mut server = Server::prepare(backend, &set).await?;
        r.info(
            db,
            "start to /healthz 200, 1,000 teams × 100,000 events",
            format!(
                "{:.0} ms (CPU {:.0} ms)",
                server.startup.as_secs_f64() * 1000.0,
                server.cpu_ms_at_start
            ),
        );
        let at_start = server.kb("VmRSS");
        let organiser = server.organiser_token().await?;
        let stop = Arc::new(AtomicBool::new(false));
        let changes = tokio::spawn(adjust_every(
            server.http,
            organiser,
            set.slugs(),
            Duration::from_millis(100),
            stop.clone(),
        ));
        let mut mix = readers(6, Read::Board);
        mix.extend(readers(2, Read::BoardGzip));
        mix.extend(readers(6, Read::Team(set.slugs())));
        mix.extend(readers(2, Read::History));
        let s = server.load(mix, RUN * 2).await?;
        stop.store(true, Relaxed);
        let made = changes.await??;
        let peak = server.kb("VmHWM");
        r.check(
            db,
            "memory, 1,000 teams × 100,000 events, 16 readers, 10 changes/s",
            format!(
                "VmRSS {} at start, peak VmHWM {}; {} ({made} changes)",
                mib(at_start),
                mib(peak),
                s.summary()
            ),
            "< 150 MiB peak",
            peak / 1024.0 < 150.0,
        );
        for part in ["board", "board-gzip", "team", "history"] {
            r.info(
                db,
                format!("  {part} reads in that run"),
                s.part(part).summary(),
            );
        }
        server.restart().await?;
        r.info(
            db,
            "start again (warm page cache)",
            format!(
                "{:.0} ms (CPU {:.0} ms)",
                server.startup.as_secs_f64() * 1000.0,
                server.cpu_ms_at_start
            ),
        );
        server.check_log(r, db);
    }

    // 5. SQLite's WAL under sustained writes (wrong flags, each an attempt row).
    if backend == Backend::Sqlite && wal_seconds > 0 && part("wal") {
        let set = DataSet::empty(63, 10);
        let server = Server::prepare(backend, &set).await?;
        let stop = Arc::new(AtomicBool::new(false));
        let watch = {
            let path = server.dir.path().join("drillboard.db-wal");
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut max = 0u64;
                while !stop.load(Relaxed) {
                    max = max.max(std::fs::metadata(&path).map_or(0, |m| m.len()));
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                max
            })
        };
        let s = server
            .load(wrong(&set), Duration::from_secs(wal_seconds))
            .await?;
        let at_end = server.wal_bytes();
        stop.store(true, Relaxed);
        let max = watch.await?;
        let db_size = std::fs::metadata(server.dir.path().join("drillboard.db"))?.len();
        r.check(
            db,
            format!("WAL during {wal_seconds} s of wrong flags from 63 teams"),
            format!(
                "{} attempts ({}); WAL largest {}, at the end {}; database {}",
                s.count(),
                s.summary(),
                mib(max as f64 / 1024.0),
                mib(at_end as f64 / 1024.0),
                mib(db_size as f64 / 1024.0)
            ),
            "< 64 MiB",
            max < 64 << 20,
        );
        server.check_log(r, db);
    }

    // 6. Replicas on one PostgreSQL database: new solves through two against one, both boards
    // equal afterwards, and one change told to 10,000 event streams spread over three.
    if backend == Backend::Postgres && part("replicas") {
        let set = DataSet::empty(63, WRITE_CHALLENGES);
        let server = Server::prepare(backend, &set).await?;
        let replica = server.replica().await?;
        let half = WRITE_CHALLENGES / 2;
        let one = server.load(solvers(&set, 0..half), RUN).await?;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (i, c) in solvers(&set, half..WRITE_CHALLENGES)
            .into_iter()
            .enumerate()
        {
            if i % 2 == 0 { a.push(c) } else { b.push(c) }
        }
        let (sa, sb) = tokio::join!(server.load(a, RUN), replica.load(b, RUN));
        let (sa, sb) = (sa?, sb?);
        let both = sa.rate() + sb.rate();
        r.check(
            db,
            "new solves, 63 conns: 1 replica / 2 replicas",
            format!(
                "{} / {:.0}/s ({:.0} %; p99 {:.1} and {:.1} ms)",
                one.summary(),
                both,
                both / one.rate() * 100.0,
                sa.p(0.99) as f64 / 1000.0,
                sb.p(0.99) as f64 / 1000.0
            ),
            "2 replicas within 20 % of 1",
            both >= 0.8 * one.rate(),
        );
        let stored = server.count_events().await?;
        let acknowledged = one.status(200) + sa.status(200) + sb.status(200);
        ensure!(
            stored as usize == acknowledged,
            "every acknowledged solve is stored once: {stored} events, {acknowledged} acknowledged"
        );
        let settled = Instant::now() + Duration::from_secs(10);
        loop {
            let (x, y) = (
                board_rows_of(&server.get("/api/v1/scoreboard", false).await?)?,
                board_rows_of(&replica.get("/api/v1/scoreboard", false).await?)?,
            );
            if x == y {
                r.info(
                    db,
                    "both boards equal after the run",
                    format!("{} teams", x.as_array().map_or(0, Vec::len)),
                );
                break;
            }
            ensure!(
                Instant::now() < settled,
                "the replicas' boards still differ after 10 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Each server takes at most 4,096 connections: 10,000 streams need a third replica.
        let third = server.replica().await?;
        let all = [&server, &replica, &third];
        let rss = || all.iter().map(|s| s.kb("VmRSS")).sum::<f64>();
        let before = rss();
        let clients = 10_000;
        let addrs: Vec<SocketAddr> = all.iter().map(|s| s.http).collect();
        let (streams, opened) = open_streams(&addrs, clients).await?;
        let after = rss();
        r.info(
            db,
            format!(
                "{clients} event streams over 3 replicas: opened in / server memory per stream"
            ),
            format!(
                "{:.1} s / {:.1} KiB",
                opened.as_secs_f64(),
                (after - before) / clients as f64
            ),
        );
        let token = server.organiser_token().await?;
        let told = Instant::now();
        adjust_once(server.http, &token, &set.slug(3)).await?;
        let waits = heard_by_all(streams, told, Duration::from_secs(30)).await?;
        let slowest = waits.iter().max().copied().unwrap_or_default();
        let heard = waits.len();
        r.check(
            db,
            format!(
                "one adjustment (through one replica) told to {clients} streams over 3 replicas"
            ),
            format!(
                "{heard} heard it; slowest {:.0} ms after the request was sent, median {:.0} ms",
                slowest.as_secs_f64() * 1000.0,
                median(&waits).as_secs_f64() * 1000.0
            ),
            "all within 1 s",
            heard == clients && slowest <= Duration::from_secs(1),
        );
        for s in all {
            s.check_log(r, db);
        }
    }
    Ok(())
}

/// The rows of a board answer (its teams, scores and ranks), for comparing two servers.
fn board_rows_of(body: &[u8]) -> anyhow::Result<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(body)?;
    Ok(v["rows"].clone())
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Open `n` event streams, spread over `servers` and over loopback addresses (200 per address,
/// as spectators come from many machines), each past its `hello`: the streams and how long
/// opening them all took.
async fn open_streams(
    servers: &[SocketAddr],
    n: usize,
) -> anyhow::Result<(Vec<TcpStream>, Duration)> {
    let began = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let server = servers[i % servers.len()];
        let from: std::net::Ipv4Addr =
            [127, 0, 1 + (i / 200 / 250) as u8, 1 + (i / 200 % 250) as u8].into();
        tasks.spawn(async move {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind((from, 0).into())?;
            let mut conn = socket.connect(server).await?;
            conn.write_all(b"GET /api/v1/stream HTTP/1.1\r\nHost: bench\r\n\r\n")
                .await?;
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            while !seen.windows(5).any(|w| w == b"hello") {
                let k = conn.read(&mut buf).await?;
                ensure!(
                    k > 0,
                    "a stream closed before its hello: {}",
                    String::from_utf8_lossy(&seen)
                );
                seen.extend_from_slice(&buf[..k]);
            }
            anyhow::Ok(conn)
        });
    }
    let mut out = Vec::with_capacity(n);
    while let Some(r) = tasks.join_next().await {
        out.push(r??);
    }
    Ok((out, began.elapsed()))
}

/// Wait for an `update` on every stream: how long after `began` each heard it.
async fn heard_by_all(
    streams: Vec<TcpStream>,
    began: Instant,
    within: Duration,
) -> anyhow::Result<Vec<Duration>> {
    let mut tasks = tokio::task::JoinSet::new();
    for mut conn in streams {
        tasks.spawn(async move {
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let k = conn.read(&mut buf).await?;
                ensure!(k > 0, "a stream closed");
                seen.extend_from_slice(&buf[..k]);
                if seen.windows(6).any(|w| w == b"update") {
                    return anyhow::Ok(began.elapsed());
                }
            }
        });
    }
    let mut out = Vec::new();
    let deadline = tokio::time::sleep(within);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            r = tasks.join_next() => match r {
                Some(r) => out.push(r??),
                None => break,
            },
            _ = &mut deadline => break,
        }
    }
    tasks.abort_all();
    Ok(out)
}

/// One adjustment of a point, as an organiser makes it.
async fn adjust_once(addr: SocketAddr, token: &str, team: &str) -> anyhow::Result<()> {
    let body =
        format!("{{\"team\":\"{team}\",\"points\":1,\"reason\":\"bench: told to every stream\"}}");
    let req = format!(
        "POST /api/v1/adjustments HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (status, body) = request(addr, req.as_bytes()).await?;
    ensure!(
        status == 200,
        "adjustment: {status} {}",
        String::from_utf8_lossy(&body)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------- data sets

/// What a data set holds: teams (all with API tokens), challenges with static flags, events.
struct DataSet {
    teams: usize,
    challenges: usize,
    events: Vec<NewEvent>,
    solves: usize,
    /// When the exercise started (events follow it).
    start: i64,
}

impl DataSet {
    fn now() -> i64 {
        chrono::Utc::now().timestamp_millis()
    }

    fn slug(&self, i: usize) -> String {
        format!("t{i:04}")
    }

    fn slugs(&self) -> Arc<Vec<String>> {
        Arc::new((0..self.teams).map(|i| self.slug(i)).collect())
    }

    fn token(i: usize) -> String {
        format!("dbt_{:048x}", 0x5eed_0000_0000_u64 + i as u64)
    }

    fn flag(c: usize) -> String {
        format!("FLAG{{bench-{c:04}}}")
    }

    /// No events: the write benchmarks start from an empty log.
    fn empty(teams: usize, challenges: usize) -> DataSet {
        DataSet {
            teams,
            challenges,
            events: Vec::new(),
            solves: 0,
            start: Self::now() - 60_000,
        }
    }

    /// A drill two hours in: each team solved about 48 % of the challenges at pseudo-random
    /// times, with some hints and adjustments.
    fn history(teams: usize, challenges: usize, seed: u64) -> DataSet {
        let start = Self::now() - 2 * 3_600_000;
        let mut rng = Rng(seed);
        let mut events = Vec::new();
        let mut solves = 0;
        for t in 0..teams {
            for c in 0..challenges {
                if rng.below(100) < 48 {
                    solves += 1;
                    events.push(NewEvent {
                        at: start + rng.below(7_000_000) as i64,
                        team: format!("t{t:04}"),
                        kind: EventKind::Solve {
                            challenge: format!("c{c:04}"),
                        },
                        actor: None,
                    });
                }
                if rng.below(100) < 3 {
                    events.push(NewEvent {
                        at: start + rng.below(7_000_000) as i64,
                        team: format!("t{t:04}"),
                        kind: EventKind::HintUnlock {
                            challenge: format!("c{c:04}"),
                            hint: "1".into(),
                        },
                        actor: None,
                    });
                }
            }
            if rng.below(100) < 10 {
                events.push(NewEvent {
                    at: start + rng.below(7_000_000) as i64,
                    team: format!("t{t:04}"),
                    kind: EventKind::Adjustment {
                        points: (rng.below(40) as f64) - 20.0,
                        reason: "bench".into(),
                    },
                    actor: Some("org".into()),
                });
            }
        }
        events.sort_by_key(|e| e.at);
        DataSet {
            teams,
            challenges,
            events,
            solves,
            start,
        }
    }

    /// 1,000 teams, 100 challenges, 100,000 events: 90 % solves, 5 % hint unlocks, 5 %
    /// adjustments (the scoring benchmark's mix).
    fn large() -> DataSet {
        let (teams, challenges) = (1_000, 100);
        let start = Self::now() - 6 * 3_600_000;
        let mut rng = Rng(0x100_000);
        let mut events = Vec::with_capacity(100_000);
        let mut solves = 0;
        // 90,000 of the 100,000 (team, challenge) pairs solved, 5,000 hints, 5,000 adjustments.
        for t in 0..teams {
            for c in 0..challenges {
                let at = start + rng.below(6 * 3_600_000) as i64;
                let (team, challenge) = (format!("t{t:04}"), format!("c{c:04}"));
                let kind = match (t * challenges + c) % 20 {
                    0 => EventKind::HintUnlock {
                        challenge,
                        hint: "1".into(),
                    },
                    1 => EventKind::Adjustment {
                        points: (rng.below(40) as f64) - 20.0,
                        reason: format!("bench adjustment {c}"),
                    },
                    _ => {
                        solves += 1;
                        EventKind::Solve { challenge }
                    }
                };
                events.push(NewEvent {
                    at,
                    team,
                    kind,
                    actor: None,
                });
            }
        }
        events.sort_by_key(|e| e.at);
        DataSet {
            teams,
            challenges,
            events,
            solves,
            start,
        }
    }

    fn scenario_yaml(&self) -> String {
        let mut y = String::from(
            "version: 1\nexercise:\n  id: readpath-bench\n  title: {vi: \"Đo đường đọc\", en: \"Read path bench\"}\n  timezone: Asia/Ho_Chi_Minh\n  start: 2026-12-01T08:00:00+07:00\n  duration: 8h\nscoring:\n  wrong_flags_per_minute: 100000000\nchallenges:\n",
        );
        for c in 0..self.challenges {
            let value = match c % 3 {
                0 => format!("{}", 100 + (c % 7) * 50),
                1 => "{function: logarithmic, initial: 500, decay: 30, minimum: 100}".into(),
                _ => "{function: linear, initial: 400, decay: 5, minimum: 50}".into(),
            };
            y.push_str(&format!(
                "  - id: c{c:04}\n    title: C{c}\n    category: bench\n    value: {value}\n    flags: [\"{}\"]\n    first_blood: [30, 20, 10]\n    hints: [{{content: \"look\", cost: 10}}]\n",
                Self::flag(c)
            ));
        }
        y
    }
}

/// A small deterministic generator (the data sets are the same on every run).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

// ---------------------------------------------------------------------------------- the server

/// `drillboard serve` on a prepared database, stopped when dropped.
struct Server {
    child: Child,
    pid: u32,
    http: SocketAddr,
    url: String,
    startup: Duration,
    cpu_ms_at_start: f64,
    /// The PostgreSQL database to drop afterwards (admin URL, name).
    pg: Option<(String, String)>,
    dir: tempfile::TempDir,
}

impl Server {
    /// Make the data set's database and start the server on it.
    async fn prepare(backend: Backend, set: &DataSet) -> anyhow::Result<Server> {
        let dir = tempfile::tempdir()?;
        let (url, pg) = match backend {
            Backend::Sqlite => (
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("drillboard.db").display()
                ),
                None,
            ),
            Backend::Postgres => {
                let admin_url = match std::env::var("DATABASE_URL") {
                    Ok(u) if u.starts_with("postgres") => u,
                    _ => "postgres://postgres@127.0.0.1:5432/test".to_owned(),
                };
                let admin = Store::connect(&admin_url)
                    .await
                    .context("PostgreSQL reachable at DATABASE_URL")?;
                static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
                let name = format!(
                    "drillboard_readpath_{}_{}",
                    std::process::id(),
                    N.fetch_add(1, Relaxed)
                );
                admin
                    .execute_admin(&format!("CREATE DATABASE {name}"))
                    .await?;
                let (base, _) = admin_url
                    .rsplit_once('/')
                    .context("a URL with a database")?;
                (format!("{base}/{name}"), Some((admin_url, name)))
            }
        };
        let cli = |args: &[&str]| -> anyhow::Result<()> {
            let out = Command::new(env!("CARGO_BIN_EXE_drillboard"))
                .arg("--data-dir")
                .arg(dir.path())
                .arg("--database-url")
                .arg(&url)
                .args(args)
                .env("DRILLBOARD_NEW_PASSWORD", "organiser-password")
                .output()?;
            ensure!(
                out.status.success(),
                "drillboard {args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            Ok(())
        };
        let yaml = dir.path().join("scenario.yaml");
        std::fs::write(&yaml, set.scenario_yaml())?;
        let made = Instant::now();
        cli(&["migrate"])?;
        cli(&["scenario", "load", &yaml.display().to_string()])?;
        cli(&["user", "add", "--role", "organiser", "--username", "org"])?;
        let store = Store::connect(&url).await?;
        let now = DataSet::now();
        for i in 0..set.teams {
            let t = store
                .upsert_team(
                    &NewTeam {
                        slug: set.slug(i),
                        name: format!("Đội ƯCSC tỉnh {i}"),
                        organisation: format!("Sở TTTT {i}"),
                        members: Vec::new(),
                    },
                    now,
                )
                .await?;
            let token = DataSet::token(i);
            let hash = drillboard_api::auth::hash_token(&token);
            store
                .create_token(t.id, &hash, &token[..12], "bench", now)
                .await?;
        }
        store
            .update_exercise(
                ExerciseUpdate {
                    status: Some("running".into()),
                    started_at: Some(Some(set.start)),
                    ends_at: Some(Some(set.start + 8 * 3_600_000)),
                    freeze_at: Some(None),
                    ..Default::default()
                },
                now,
            )
            .await?;
        // Solves and hint unlocks as the plays writer stores them (many per transaction);
        // adjustments one by one, as organisers make them.
        let (plays, others): (Vec<&NewEvent>, Vec<&NewEvent>) = set.events.iter().partition(|e| {
            matches!(
                e.kind,
                EventKind::Solve { .. } | EventKind::HintUnlock { .. }
            )
        });
        for batch in plays.chunks(2_000) {
            let batch: Vec<NewEvent> = batch.iter().map(|e| (*e).clone()).collect();
            store.commit_plays(&[], &batch).await?;
        }
        for e in others {
            store.append_event(e.clone()).await?;
        }
        drop(store);
        println!(
            "  data set: {} teams, {} challenges, {} events, made in {:.1} s",
            set.teams,
            set.challenges,
            set.events.len(),
            made.elapsed().as_secs_f64()
        );
        let mut server = Server {
            child: Command::new("true").spawn()?,
            pid: 0,
            http: ([127, 0, 0, 1], 0).into(),
            url,
            startup: Duration::ZERO,
            cpu_ms_at_start: 0.0,
            pg,
            dir,
        };
        server.start().await?;
        Ok(server)
    }

    async fn start(&mut self) -> anyhow::Result<()> {
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))?;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drillboard"));
        cmd.arg("--data-dir")
            .arg(self.dir.path())
            .arg("--database-url")
            .arg(&self.url)
            .args(["serve", "--listen", "127.0.0.1:0", "--flags-listen", "off"]);
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("DRILLBOARD_") || k == "RUST_LOG" {
                cmd.env_remove(k);
            }
        }
        let began = Instant::now();
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()?;
        let stdout = child.stdout.take().context("no stdout")?;
        self.pid = child.id();
        self.child = child;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for l in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let _ = tx.send(l);
            }
        });
        let until = Instant::now() + Duration::from_secs(120);
        let addr = loop {
            let Ok(l) = rx.recv_timeout(until.saturating_duration_since(Instant::now())) else {
                bail!(
                    "the server printed no address; its log:\n{}",
                    std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
                );
            };
            if let Some(a) = l.strip_prefix("drillboard is listening on http://") {
                break a.trim().parse()?;
            }
        };
        self.http = addr;
        loop {
            if let Ok((200, _)) = request(addr, &get_request("/healthz", false)).await {
                break;
            }
            ensure!(Instant::now() < until, "no /healthz 200 in 120 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.startup = began.elapsed();
        self.cpu_ms_at_start = self.cpu_ms();
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        if let Some(l) = log.lines().rev().find(|l| l.contains("state loaded")) {
            println!("  server: {l}");
        }
        Ok(())
    }

    /// A second server on the same database (a replica with its own data folder); the
    /// database stays this one's to drop.
    async fn replica(&self) -> anyhow::Result<Server> {
        let mut server = Server {
            child: Command::new("true").spawn()?,
            pid: 0,
            http: ([127, 0, 0, 1], 0).into(),
            url: self.url.clone(),
            startup: Duration::ZERO,
            cpu_ms_at_start: 0.0,
            pg: None,
            dir: tempfile::tempdir()?,
        };
        server.start().await?;
        Ok(server)
    }

    async fn restart(&mut self) -> anyhow::Result<()> {
        self.stop();
        self.start().await
    }

    fn stop(&mut self) {
        use rustix::process::{Pid, Signal, kill_process};
        let _ = kill_process(Pid::from_child(&self.child), Signal::TERM);
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Run `conns` against this server and note the server's own CPU time per request.
    async fn load(&self, conns: Vec<Conn>, duration: Duration) -> anyhow::Result<Stats> {
        let before = self.cpu_ms();
        let mut s = load(self.http, conns, duration).await?;
        s.server_cpu_ms = self.cpu_ms() - before;
        Ok(s)
    }

    /// User + system CPU time of the server so far, in ms.
    fn cpu_ms(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap_or_default();
        let after = stat.rsplit_once(')').map_or("", |x| x.1);
        let f: Vec<f64> = after
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0.0))
            .collect();
        // Fields 14 and 15 (utime, stime), counted from after the command name.
        let ticks = f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0);
        ticks * 1000.0 / 100.0
    }

    /// A `/proc/<pid>/status` figure, in KiB.
    fn kb(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid));
        let status = status.unwrap_or_default();
        let line = status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'));
        line.and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(f64::NAN)
    }

    fn wal_bytes(&self) -> u64 {
        std::fs::metadata(self.dir.path().join("drillboard.db-wal")).map_or(0, |m| m.len())
    }

    async fn get(&self, path: &str, gzip: bool) -> anyhow::Result<Vec<u8>> {
        let (status, body) = request(self.http, &get_request(path, gzip)).await?;
        ensure!(status == 200, "GET {path}: {status}");
        Ok(body)
    }

    async fn count_events(&self) -> anyhow::Result<u64> {
        let store = Store::connect(&self.url).await?;
        Ok(store.event_count().await?)
    }

    async fn organiser_token(&self) -> anyhow::Result<String> {
        let body = r#"{"username":"org","password":"organiser-password"}"#;
        let req = format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let (status, body) = request(self.http, req.as_bytes()).await?;
        ensure!(status == 200, "sign-in: {status}");
        let v: serde_json::Value = serde_json::from_slice(&body)?;
        Ok(v["token"].as_str().context("a token")?.to_owned())
    }

    /// Warnings and errors the server logged count against the run.
    fn check_log(&self, r: &mut Report, db: &str) {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let bad: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains(" 500 "))
            .collect();
        if !bad.is_empty() {
            r.check(
                db,
                "server errors",
                bad.iter().take(3).copied().collect::<Vec<_>>().join(" | "),
                "none",
                false,
            );
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
        if let Some((admin, name)) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                rt.block_on(async {
                    let admin = Store::connect(&admin).await?;
                    admin
                        .execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await?;
                    anyhow::Ok(())
                })
            })
            .join();
        }
    }
}

// ---------------------------------------------------------------------------------- the client

/// What one connection asks for, request after request.
#[derive(Clone)]
enum Read {
    Board,
    BoardGzip,
    Team(Arc<Vec<String>>),
    History,
}

/// One connection's work: a name to count it under, and its requests (None: done).
struct Conn {
    part: &'static str,
    next: Box<dyn FnMut(u64) -> Option<Vec<u8>> + Send>,
}

fn get_request(path: &str, gzip: bool) -> Vec<u8> {
    let enc = if gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    format!("GET {path} HTTP/1.1\r\nHost: bench\r\n{enc}\r\n").into_bytes()
}

fn readers(n: usize, what: Read) -> Vec<Conn> {
    (0..n)
        .map(|i| {
            let what = what.clone();
            let part = match what {
                Read::Board => "board",
                Read::BoardGzip => "board-gzip",
                Read::Team(_) => "team",
                Read::History => "history",
            };
            Conn {
                part,
                next: Box::new(move |k| {
                    Some(match &what {
                        Read::Board => get_request("/api/v1/scoreboard", false),
                        Read::BoardGzip => get_request("/api/v1/scoreboard", true),
                        Read::Team(slugs) => {
                            let t = &slugs[(k as usize * 31 + i * 7) % slugs.len()];
                            get_request(&format!("/api/v1/scoreboard/teams/{t}"), true)
                        }
                        Read::History => get_request("/api/v1/scoreboard/history?top=10", true),
                    })
                }),
            }
        })
        .collect()
}

fn submit_request(team: usize, challenge: usize, flag: &str) -> Vec<u8> {
    let body = format!("{{\"flag\":\"{flag}\"}}");
    format!(
        "POST /api/v1/challenges/c{challenge:04}/submit HTTP/1.1\r\nHost: bench\r\nX-Team-Token: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        DataSet::token(team),
        body.len()
    )
    .into_bytes()
}

/// One connection per team, each solving the challenges of `range` once (in its own order).
fn solvers(set: &DataSet, range: std::ops::Range<usize>) -> Vec<Conn> {
    (0..set.teams)
        .map(|t| {
            let range = range.clone();
            Conn {
                part: "solve",
                next: Box::new(move |k| {
                    let n = range.len() as u64;
                    (k < n).then(|| {
                        let c = range.start + ((k + t as u64 * 17) % n) as usize;
                        submit_request(t, c, &DataSet::flag(c))
                    })
                }),
            }
        })
        .collect()
}

/// One connection per team sending wrong flags.
fn wrong(set: &DataSet) -> Vec<Conn> {
    let n = set.challenges;
    (0..set.teams)
        .map(|t| Conn {
            part: "wrong",
            next: Box::new(move |k| Some(submit_request(t, k as usize % n, "FLAG{nope}"))),
        })
        .collect()
}

/// An organiser adjustment every `every` until `stop`: the board changes all the time.
async fn adjust_every(
    addr: SocketAddr,
    token: String,
    slugs: Arc<Vec<String>>,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<usize> {
    let mut conn = TcpStream::connect(addr).await?;
    let mut buf = Vec::new();
    let mut made = 0;
    let mut tick = tokio::time::interval(every);
    while !stop.load(Relaxed) {
        tick.tick().await;
        let body = format!(
            "{{\"team\":\"{}\",\"points\":1,\"reason\":\"bench change {made}\"}}",
            slugs[made * 13 % slugs.len()]
        );
        let req = format!(
            "POST /api/v1/adjustments HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        conn.write_all(req.as_bytes()).await?;
        let (status, _) = read_response(&mut conn, &mut buf).await?;
        ensure!(status == 200, "adjustment: {status}");
        made += 1;
    }
    Ok(made)
}

/// One request on a new connection.
async fn request(addr: SocketAddr, req: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
    let mut conn = TcpStream::connect(addr).await?;
    conn.write_all(req).await?;
    let mut buf = Vec::new();
    let (status, len) = read_response(&mut conn, &mut buf).await?;
    Ok((status, buf[buf.len() - len..].to_vec()))
}

/// Read one response into `buf` (emptied first): its status and body length (the body is the
/// end of `buf`).
async fn read_response(conn: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<(u16, usize)> {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = conn.read(&mut chunk).await?;
        ensure!(n > 0, "the server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end])?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("a status line")?;
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).await?;
        ensure!(n > 0, "the server closed the connection mid-body");
        buf.extend_from_slice(&chunk[..n]);
    }
    buf.drain(..head_end);
    Ok((status, len))
}

/// What a load run saw.
#[derive(Debug, Default)]
struct Stats {
    /// (part, status, latency µs) of every request.
    done: Vec<(&'static str, u16, u32)>,
    elapsed: Duration,
    /// The server's CPU time over the run (0: not measured).
    server_cpu_ms: f64,
}

impl Stats {
    fn count(&self) -> usize {
        self.done.len()
    }
    fn status(&self, s: u16) -> usize {
        self.done.iter().filter(|d| d.1 == s).count()
    }
    fn rate(&self) -> f64 {
        self.count() as f64 / self.elapsed.as_secs_f64()
    }
    /// The `q` quantile of the latencies, in µs.
    fn p(&self, q: f64) -> u32 {
        let mut l: Vec<u32> = self.done.iter().map(|d| d.2).collect();
        if l.is_empty() {
            return 0;
        }
        l.sort_unstable();
        l[((l.len() - 1) as f64 * q) as usize]
    }
    fn part(&self, part: &str) -> Stats {
        Stats {
            done: self.done.iter().filter(|d| d.0 == part).copied().collect(),
            elapsed: self.elapsed,
            server_cpu_ms: 0.0,
        }
    }
    fn summary(&self) -> String {
        let mut statuses: HashMap<u16, usize> = HashMap::new();
        for d in &self.done {
            *statuses.entry(d.1).or_default() += 1;
        }
        let mut s: Vec<_> = statuses.into_iter().collect();
        s.sort();
        let s: Vec<String> = s.iter().map(|(k, v)| format!("{v}×{k}")).collect();
        let cpu = if self.server_cpu_ms > 0.0 {
            format!(
                ", server CPU {:.0} µs/req ({:.0} % of a core)",
                self.server_cpu_ms * 1000.0 / self.count().max(1) as f64,
                self.server_cpu_ms / self.elapsed.as_secs_f64() / 10.0
            )
        } else {
            String::new()
        };
        format!(
            "{:.0}/s, p50 {:.2} ms, p99 {:.2} ms{cpu} [{}]",
            self.rate(),
            self.p(0.5) as f64 / 1000.0,
            self.p(0.99) as f64 / 1000.0,
            s.join(" ")
        )
    }
}

/// Run every connection at once (released together) for `duration` or until all are done.
async fn load(addr: SocketAddr, conns: Vec<Conn>, duration: Duration) -> anyhow::Result<Stats> {
    let barrier = Arc::new(tokio::sync::Barrier::new(conns.len()));
    let began = Instant::now();
    let mut tasks = Vec::new();
    for mut c in conns {
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = TcpStream::connect(addr).await?;
            conn.set_nodelay(true)?;
            let mut buf = Vec::with_capacity(64 * 1024);
            let mut done = Vec::new();
            barrier.wait().await;
            let until = Instant::now() + duration;
            let mut k = 0;
            while Instant::now() < until {
                let Some(req) = (c.next)(k) else { break };
                k += 1;
                let t = Instant::now();
                conn.write_all(&req).await?;
                let (status, _) = read_response(&mut conn, &mut buf).await?;
                done.push((c.part, status, t.elapsed().as_micros() as u32));
            }
            anyhow::Ok((done, Instant::now()))
        }));
    }
    let mut stats = Stats::default();
    let mut last = began;
    for t in tasks {
        let (done, ended) = t.await??;
        stats.done.extend(done);
        last = last.max(ended);
    }
    stats.elapsed = last - began;
    Ok(stats)
}

// ---------------------------------------------------------------------------------- the report

#[derive(Default)]
struct Report {
    rows: Vec<(String, String, String, String, Option<bool>)>,
}

impl Report {
    fn check(
        &mut self,
        db: &str,
        what: impl Into<String>,
        figure: impl Into<String>,
        target: &str,
        met: bool,
    ) {
        let (what, figure) = (what.into(), figure.into());
        println!(
            "  {what}: {figure} (target {target}: {})",
            if met { "met" } else { "MISSED" }
        );
        self.rows
            .push((db.into(), what, figure, target.into(), Some(met)));
    }

    fn info(&mut self, db: &str, what: impl Into<String>, figure: impl Into<String>) {
        let (what, figure) = (what.into(), figure.into());
        println!("  {what}: {figure}");
        self.rows
            .push((db.into(), what, figure, String::new(), None));
    }

    /// The table for docs/benchmarks.md; true when every target was met.
    fn print(&self) -> bool {
        println!("\n| database | work | figure | target | met |\n|---|---|---|---|---|");
        for (db, what, figure, target, met) in &self.rows {
            let met = match met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            };
            println!("| {db} | {what} | {figure} | {target} | {met} |");
        }
        self.rows.iter().all(|r| r.4 != Some(false))
    }
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn mib(kib: f64) -> String {
    format!("{:.1} MiB", kib / 1024.0)
}

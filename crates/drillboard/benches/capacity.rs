//! Checker capacity of a national attack/defend round, measured with real processes on the
//! local PostgreSQL: 63 teams × 8 services, each checker run burning about 0.2 s of CPU, rounds
//! of 60 s; with 0 worker processes (the server runs the checkers), then 1, then 2
//! `drillboard worker` processes on this machine. For each: the jobs, how many finished inside
//! their round (the rest are late: checker errors, never the teams' fault), the mean job time,
//! the round lag, and the CPU taken per round by the server, the workers and their checkers
//! (on a saturated machine this is what the machine has, not what the round needs).
//!
//! Run with `cargo bench -p drillboard --bench capacity` (about 8 minutes), or
//! `-- --workers 0,2 --rounds 1 --round-seconds 30 --teams 20 --services 4 --cpu-ms 100` for a
//! shorter run. PostgreSQL from `DATABASE_URL` (default the local server), in a database the
//! bench creates and drops. Figures go to docs/benchmarks.md.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use drillboard_store::Store;

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let workers: Vec<usize> = arg(&args, "--workers", "0,1,2".to_owned())
        .split(',')
        .filter_map(|w| w.trim().parse().ok())
        .collect();
    let rounds: u32 = arg(&args, "--rounds", 2);
    let round_s: u64 = arg(&args, "--round-seconds", 60);
    let teams: usize = arg(&args, "--teams", 63);
    let services: usize = arg(&args, "--services", 8);
    let cpu_ms: u64 = arg(&args, "--cpu-ms", 200);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {cores} cores");
    println!(
        "command: cargo bench -p drillboard --bench capacity -- --workers {} --rounds {rounds} \
         --round-seconds {round_s} --teams {teams} --services {services} --cpu-ms {cpu_ms}",
        workers
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "\n| worker processes | jobs | inside their round | late | mean job | round lag | CPU used per round |"
    );
    println!("|---|---|---|---|---|---|---|");
    for w in workers {
        let row = rt.block_on(run(w, rounds, round_s, teams, services, cpu_ms))?;
        println!("{row}");
    }
    Ok(())
}

async fn run(
    workers: usize,
    rounds: u32,
    round_s: u64,
    teams: usize,
    services: usize,
    cpu_ms: u64,
) -> anyhow::Result<String> {
    let admin = match std::env::var("DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => u,
        _ => "postgres://postgres@127.0.0.1:5432/test".to_owned(),
    };
    let name = format!("drillboard_capacity_{}_{workers}", std::process::id());
    let store = Store::connect(&admin)
        .await
        .context("PostgreSQL reachable")?;
    store
        .execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    store
        .execute_admin(&format!("CREATE DATABASE {name}"))
        .await?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    let dir = tempfile::tempdir()?;
    // A checker run: burn `cpu_ms` of CPU in Python, then answer OK.
    let burn = format!(
        "import sys, time\nt = time.process_time()\nwhile time.process_time() - t < {}: pass\nsys.exit(101)",
        cpu_ms as f64 / 1000.0
    );
    let script = dir.path().join("burn.py");
    std::fs::write(&script, burn)?;
    let mut yaml = String::from(
        "version: 1\nexercise:\n  id: capacity\n  title: Capacity\n  timezone: Asia/Ho_Chi_Minh\n  \
         start: 2026-12-01T08:00:00+07:00\n  duration: 8h\nteams:\n",
    );
    for t in 0..teams {
        yaml.push_str(&format!("  - {{id: t{t}, name: Team {t}}}\n"));
    }
    yaml.push_str(&format!(
        "attack_defense:\n  round_length: {round_s}s\nservices:\n"
    ));
    for s in 0..services {
        yaml.push_str(&format!(
            "  - id: s{s}\n    checker: [python3, {}]\n    timeout: {}s\n    host: \"{{team}}.drill.internal\"\n",
            script.display(),
            (round_s / 6).clamp(1, 10)
        ));
    }
    let file = dir.path().join("scenario.yaml");
    std::fs::write(&file, yaml)?;
    let cli = |args: &[&str]| -> anyhow::Result<()> {
        let out = Command::new(env!("CARGO_BIN_EXE_drillboard"))
            .arg("--data-dir")
            .arg(dir.path())
            .arg("--database-url")
            .arg(&url)
            .args(args)
            .output()?;
        ensure!(
            out.status.success(),
            "drillboard {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    };
    cli(&["scenario", "load", &file.display().to_string()])?;
    cli(&[
        "user",
        "add",
        "--role",
        "organiser",
        "--username",
        "org",
        "--password",
        "organiser-password",
    ])?;
    let mut procs = Vec::new();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_drillboard"));
    serve
        .arg("--data-dir")
        .arg(dir.path())
        .arg("--database-url")
        .arg(&url)
        .args(["serve", "--listen", "127.0.0.1:0", "--flags-listen", "off"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = serve.spawn()?;
    let stdout = child.stdout.take().context("stdout")?;
    let server_pid = child.id();
    procs.push(Proc(child));
    let mut lines = std::io::BufReader::new(stdout).lines();
    let addr = loop {
        let Some(Ok(l)) = lines.next() else {
            bail!("the server exited")
        };
        if let Some(a) = l.strip_prefix("drillboard is listening on http://") {
            break a.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let mut worker_pids = Vec::new();
    for i in 0..workers {
        let child = Command::new(env!("CARGO_BIN_EXE_drillboard"))
            .arg("--database-url")
            .arg(&url)
            .args(["worker", "--capacity", "16", "--name", &format!("w{i}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        worker_pids.push(child.id());
        procs.push(Proc(child));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let token = login(&addr).await?;
    let (status, body) = post(&addr, "/api/v1/exercise/start", &token, "{}").await?;
    ensure!(status == 200, "start: {status} {body}");
    let cpu_before = cpu_s(server_pid) + worker_pids.iter().map(|p| cpu_s(*p)).sum::<f64>();
    let began = Instant::now();
    let run = Store::connect(&url).await?;
    // Wait for `rounds` rounds to end.
    loop {
        let done = run
            .rounds()
            .await?
            .iter()
            .filter(|r| r.status != "running")
            .count() as u32;
        if done >= rounds {
            break;
        }
        ensure!(
            began.elapsed() < Duration::from_secs(round_s * (u64::from(rounds) + 2) + 60),
            "rounds did not end"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let cpu_after = cpu_s(server_pid) + worker_pids.iter().map(|p| cpu_s(*p)).sum::<f64>();
    let metrics = get(&addr, "/metrics", &token).await?;
    let sum = |prefix: &str| -> f64 {
        metrics
            .lines()
            .filter(|l| l.starts_with(prefix))
            .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
            .sum()
    };
    let jobs = sum("drillboard_checker_verdicts_total");
    let late = sum("drillboard_checker_late_jobs_total") + 0.0;
    let secs = sum("drillboard_checker_job_seconds_sum");
    let counted = sum("drillboard_checker_job_seconds_count");
    let lag = sum("drillboard_round_lag_seconds");
    drop(procs);
    run.close().await.ok();
    store
        .execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    let per_round = (cpu_after - cpu_before) / f64::from(rounds);
    Ok(format!(
        "| {workers} | {jobs:.0} | {:.0} ({:.0} %) | {late:.0} | {:.1} s | {lag:.1} s | {per_round:.0} s ({:.1} cores busy over a {round_s} s round) |",
        jobs - late,
        (jobs - late) / jobs.max(1.0) * 100.0,
        secs / counted.max(1.0),
        per_round / round_s as f64
    ))
}

/// User + system CPU of a process and its waited-for children, in seconds.
fn cpu_s(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14–17 of stat (utime, stime, cutime, cstime) are 11–14 after the state.
    f.get(10..14).map_or(0.0, |v| v.iter().sum::<f64>()) / 100.0
}

async fn request(addr: &str, req: String) -> anyhow::Result<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(req.as_bytes()).await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, body.to_owned()))
}

async fn post(addr: &str, path: &str, token: &str, body: &str) -> anyhow::Result<(u16, String)> {
    request(
        addr,
        format!(
            "POST {path} HTTP/1.0\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .await
}

async fn get(addr: &str, path: &str, token: &str) -> anyhow::Result<String> {
    let (status, body) = request(
        addr,
        format!("GET {path} HTTP/1.0\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n"),
    )
    .await?;
    ensure!(status == 200, "GET {path}: {status}");
    Ok(body)
}

async fn login(addr: &str) -> anyhow::Result<String> {
    let body = r#"{"username":"org","password":"organiser-password"}"#;
    let (status, text) = request(
        addr,
        format!(
            "POST /api/v1/auth/login HTTP/1.0\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .await?;
    ensure!(status == 200, "sign-in: {status} {text}");
    let v: serde_json::Value = serde_json::from_str(&text)?;
    Ok(v["token"].as_str().context("a token")?.to_owned())
}

//! National scale with real processes on the local PostgreSQL: two replicas and two checker
//! workers. Teams submit through both replicas at once; the replica that runs the round ticker
//! is killed with SIGKILL in the middle of a round, then a worker in the middle of a job. No
//! round is doubled or skipped, every acknowledged submission is counted once, the surviving
//! replica serves the same board as a fresh server replaying the log, and a change made through
//! one replica reaches an event stream open on the other.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;

use support::{BIN, http_json};

const JWT: &str = "scale-test-session-secret-0123456789abcdef";
const FLAGS: &str = "scale-test-flag-secret-0123456789abcdef";

struct Proc {
    child: Child,
    addr: Option<String>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base(url: &str, data: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data-dir").arg(data).arg("--database-url").arg(url);
    c.args(["--jwt-secret", JWT, "--flag-secret", FLAGS]);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("DRILLBOARD_") {
            c.env_remove(k);
        }
    }
    c.env("RUST_LOG", "warn");
    c
}

fn replica(url: &str, data: &Path) -> Proc {
    let mut child = base(url, data)
        .args(["serve", "--listen", "127.0.0.1:0", "--flags-listen", "off"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server exited").unwrap();
        if let Some(rest) = line.strip_prefix("drillboard is listening on http://") {
            break rest.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Proc {
        child,
        addr: Some(addr),
    }
}

fn worker(url: &str, data: &Path, name: &str) -> Proc {
    let child = base(url, data)
        .args(["worker", "--capacity", "3", "--name", name])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    Proc { child, addr: None }
}

fn admin_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => u,
        _ => "postgres://postgres@127.0.0.1:5432/test".to_owned(),
    }
}

/// The rounds as the database has them: (number, status).
fn rounds(rt: &tokio::runtime::Runtime, url: &str) -> Vec<(u32, String)> {
    rt.block_on(async {
        let store = drillboard_store::Store::connect(url).await.unwrap();
        let r = store
            .rounds()
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.number as u32, r.status))
            .collect();
        store.close().await.ok();
        r
    })
}

fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < until, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn board(addr: &str) -> Value {
    let (s, b) = http_json(addr, "GET", "/api/v1/scoreboard", &[], None);
    assert_eq!(s, 200, "{b}");
    b["rows"].clone()
}

#[test]
fn two_replicas_and_two_workers_survive_kills() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let admin = admin_url();
    let name = format!("drillboard_scale_{}", std::process::id());
    let url = rt.block_on(async {
        let a = drillboard_store::Store::connect(&admin)
            .await
            .expect("PostgreSQL must be reachable (see README)");
        a.execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
        a.execute_admin(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        format!("{base}/{name}")
    });
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("services");
    std::fs::create_dir(&files).unwrap();
    // Each team's service is a file; every checker step takes 0.3 s.
    let checker = format!(
        "sleep 0.3; d={}/$2; case $1 in check) exit 101;; put) echo $4 >> $d; exit 101;; get) grep -qx $4 $d && exit 101; exit 102;; esac",
        files.display()
    );
    let challenges: String = (1..=6)
        .map(|i| format!("  - {{id: c{i}, title: C{i}, category: web, value: 100, flags: [\"FLAG{{c{i}}}\"]}}\n"))
        .collect();
    let scenario = format!(
        r#"version: 1
exercise:
  id: scale
  title: Scale
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 4h
teams:
  - {{id: alpha, name: Alpha}}
  - {{id: bravo, name: Bravo}}
  - {{id: charlie, name: Charlie}}
  - {{id: delta, name: Delta}}
challenges:
{challenges}attack_defense:
  round_length: 6s
services:
  - id: notes
    checker: [sh, -c, '{checker}', checker]
    timeout: 2s
    host: "{{team}}.drill.internal"
"#
    );
    let yaml = dir.path().join("scenario.yaml");
    std::fs::write(&yaml, scenario).unwrap();
    let creds = dir.path().join("creds.csv");
    let data = |n: &str| {
        let d = dir.path().join(n);
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let ok = |c: &mut Command| {
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    ok(base(&url, &data("setup"))
        .args(["scenario", "load"])
        .arg(&yaml)
        .arg("--credentials")
        .arg(&creds));
    ok(base(&url, &data("setup"))
        .args(["user", "add", "--role", "organiser", "--username", "org"])
        .args(["--password", "organiser-password"]));
    let teams: Vec<(String, String)> = std::fs::read_to_string(&creds)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("team,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].to_owned(), f[2].to_owned())
        })
        .collect();
    assert_eq!(teams.len(), 4);

    let mut a = replica(&url, &data("a"));
    let b = replica(&url, &data("b"));
    let mut w1 = worker(&url, &data("w1"), "w1");
    let _w2 = worker(&url, &data("w2"), "w2");
    let (a_addr, b_addr) = (a.addr.clone().unwrap(), b.addr.clone().unwrap());
    let organiser = support::bearer(
        &a_addr,
        &json!({"username": "org", "password": "organiser-password"}),
    );
    let (s, body) = http_json(
        &a_addr,
        "POST",
        "/api/v1/exercise/start",
        &[("Authorization", &organiser)],
        Some(json!({})),
    );
    assert_eq!(s, 200, "{body}");

    // An event stream open on B.
    let mut stream = TcpStream::connect(&b_addr).unwrap();
    stream
        .write_all(b"GET /api/v1/stream HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();

    // Teams submit through both replicas at once.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(teams.len()));
    let submitters: Vec<_> = teams
        .iter()
        .enumerate()
        .map(|(t, (user, password))| {
            let (user, password, barrier) = (user.clone(), password.clone(), barrier.clone());
            let addrs = [a_addr.clone(), b_addr.clone()];
            std::thread::spawn(move || {
                let tokens: Vec<String> = addrs
                    .iter()
                    .map(|a| support::bearer(a, &json!({"username": user, "password": password})))
                    .collect();
                barrier.wait();
                let mut accepted = 0;
                for i in 1..=6 {
                    let via = (t + i) % 2;
                    let (s, body) = http_json(
                        &addrs[via],
                        "POST",
                        &format!("/api/v1/challenges/c{i}/submit"),
                        &[("Authorization", &tokens[via])],
                        Some(json!({"flag": format!("FLAG{{c{i}}}")})),
                    );
                    assert_eq!(s, 200, "{body}");
                    if body["status"] == "accepted" {
                        accepted += 1;
                    }
                }
                accepted
            })
        })
        .collect();
    let accepted: usize = submitters.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(accepted, 24);

    // A round played by the workers.
    wait_for("round 1 done", 60, || {
        rounds(&rt, &url)
            .iter()
            .any(|r| r == &(1, "done".to_owned()))
    });
    // The ticker's holder: the replica whose metrics count started rounds.
    let started = |addr: &str| {
        let (_, text) = support::http(
            addr,
            "GET",
            "/metrics",
            &[("Authorization", &organiser)],
            None,
        );
        text.lines()
            .find_map(|l| l.strip_prefix("drillboard_rounds_started_total "))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let a_holds = started(&a_addr) > 0.0;
    // A change made through A reaches the stream open on B.
    let (s, body) = http_json(
        &a_addr,
        "POST",
        "/api/v1/adjustments",
        &[("Authorization", &organiser)],
        Some(json!({"team": "alpha", "points": 5, "reason": "scale test"})),
    );
    assert_eq!(s, 200, "{body}");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("scoreboard") {
        let n = stream.read(&mut buf).expect("B's stream heard the change");
        assert!(
            n > 0,
            "B's stream closed: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    drop(stream);
    assert!(a_holds || started(&b_addr) > 0.0);
    // Kill the holder in the middle of a round.
    let (mut holder, survivor) = if a_holds {
        (Some(&mut a), b_addr.clone())
    } else {
        (None, a_addr.clone())
    };
    wait_for("a round under way", 60, || {
        rounds(&rt, &url).last().is_some_and(|r| r.1 == "running")
    });
    let killed_in = rounds(&rt, &url).last().unwrap().0;
    match holder.take() {
        Some(p) => {
            p.child.kill().unwrap();
            p.child.wait().unwrap();
        }
        None => drop(b),
    }
    wait_for("the survivor plays on", 60, || {
        rounds(&rt, &url)
            .iter()
            .any(|r| r.0 > killed_in && r.1 == "done")
    });
    // Now a worker in the middle of a job.
    wait_for("a round under way again", 60, || {
        rounds(&rt, &url).last().is_some_and(|r| r.1 == "running")
    });
    std::thread::sleep(Duration::from_millis(500));
    w1.child.kill().unwrap();
    w1.child.wait().unwrap();
    let after_worker = rounds(&rt, &url).last().unwrap().0;
    wait_for("rounds go on with one worker", 90, || {
        rounds(&rt, &url)
            .iter()
            .any(|r| r.0 > after_worker && r.1 == "done")
    });

    // No round doubled or skipped; the killed one interrupted.
    let all = rounds(&rt, &url);
    let numbers: Vec<u32> = all.iter().map(|r| r.0).collect();
    assert_eq!(
        numbers,
        (1..=numbers.len() as u32).collect::<Vec<_>>(),
        "{all:?}"
    );
    assert_eq!(
        all.iter().find(|r| r.0 == killed_in).unwrap().1,
        "interrupted",
        "{all:?}"
    );
    // Every acknowledged solve counted once; the survivor's board equals a fresh replay.
    let fresh = replica(&url, &data("fresh"));
    let fresh_addr = fresh.addr.clone().unwrap();
    wait_for("the survivor's board equals a replay", 20, || {
        board(&survivor) == board(&fresh_addr)
    });
    let events = rt.block_on(async {
        let store = drillboard_store::Store::connect(&url).await.unwrap();
        let n = store.events().await.unwrap();
        store.close().await.ok();
        n.iter()
            .filter(|(e, _)| matches!(e.kind, drillboard_scoring::EventKind::Solve { .. }))
            .count()
    });
    assert_eq!(events, 24);
    // The checks ran on the workers, not on the replicas.
    let jobs = rt.block_on(async {
        let store = drillboard_store::Store::connect(&url).await.unwrap();
        let j = store.jobs_of(1).await.unwrap();
        store.close().await.ok();
        j
    });
    assert_eq!(jobs.len(), 4, "{jobs:?}");
    assert!(
        jobs.iter()
            .all(|j| j.status == "done" && matches!(j.worker.as_deref(), Some("w1" | "w2"))),
        "{jobs:?}"
    );
    drop(fresh);
    drop(a);
    drop(_w2);
    rt.block_on(async {
        let a = drillboard_store::Store::connect(&admin).await.unwrap();
        a.execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
    });
}

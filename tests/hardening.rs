//! Black-box tests of the binary under hostile connections: the open-file limit it raises,
//! connection caps per address (HTTP and TCP), slow request headers, and the private database.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::{BIN, http};

/// A server started under `ulimit -Sn 1024` (the common default), with the TCP flag server on.
struct Limited {
    child: Child,
    http: String,
    flags: String,
}

impl Drop for Limited {
    fn drop(&mut self) {
        support::stop(&mut self.child);
    }
}

fn start_limited(data: &Path, extra: &str) -> Limited {
    let cmd = format!(
        "ulimit -Sn 1024 && exec '{BIN}' --data-dir '{}' serve --listen 127.0.0.1:0 --flags-listen 127.0.0.1:0 {extra}",
        data.display()
    );
    let mut child = Command::new("sh")
        .args(["-c", &cmd])
        .env("RUST_LOG", "warn")
        .env_remove("DRILLBOARD_DATABASE_URL")
        .env_remove("DRILLBOARD_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut http = None;
    let flags = loop {
        let line = lines.next().expect("the server exited").unwrap();
        if let Some(a) = line.strip_prefix("drillboard is listening on http://") {
            http = Some(a.trim().to_owned());
        }
        if let Some(a) = line.strip_prefix("flag submission over TCP on ") {
            break a.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Limited {
        child,
        http: http.unwrap(),
        flags,
    }
}

/// Connect to `to` from the loopback address `from` (all of 127/8 is this machine).
fn connect_from(from: &str, to: &str) -> std::io::Result<TcpStream> {
    let from: IpAddr = from.parse().unwrap();
    let to: SocketAddr = to.parse().unwrap();
    // std cannot bind before connecting; tokio's socket can, run on a small runtime.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    rt.block_on(async {
        let s = tokio::net::TcpSocket::new_v4()?;
        s.bind(SocketAddr::new(from, 0))?;
        s.connect(to).await?.into_std()
    })
    .and_then(|s| {
        s.set_nonblocking(false)?;
        Ok(s)
    })
}

fn open_files_limit(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap()
        .to_owned();
    let parts: Vec<&str> = line.split_whitespace().collect();
    (parts[3].to_owned(), parts[4].to_owned())
}

#[test]
fn idle_flag_connections_do_not_take_the_api_down() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_limited(dir.path(), "");
    // The server raised its soft limit to the hard one.
    let (soft, hard) = open_files_limit(server.child.id());
    assert_eq!(soft, hard, "soft limit {soft}, hard {hard}");
    if hard.parse::<u64>().is_ok_and(|h| h < 2048) {
        eprintln!("skipped the flood: the hard open-file limit here is {hard}");
        return;
    }
    // 1,100 idle flag connections from 20 addresses (55 each, under the per-address cap):
    // beyond the old soft limit of 1,024 open files. This test process needs as many.
    let mut mine = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    if mine.current < mine.maximum {
        mine.current = mine.maximum;
        let _ = rustix::process::setrlimit(rustix::process::Resource::Nofile, mine);
    }
    let mut idle = Vec::new();
    for i in 0..1100 {
        let from = format!("127.0.1.{}", 1 + i % 20);
        idle.push(connect_from(&from, &server.flags).unwrap());
    }
    // Every one got its greeting, and the API still answers.
    for s in idle.iter_mut().step_by(50) {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut line = String::new();
        BufReader::new(&*s).read_line(&mut line).unwrap();
        assert!(line.contains("Welcome"), "{line}");
    }
    let started = Instant::now();
    let (status, body) = http(&server.http, "GET", "/readyz", &[], None);
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn connections_are_capped_per_address_and_slow_headers_are_cut() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_limited(
        dir.path(),
        "--max-connections-per-address 20 --max-flag-connections-per-address 5",
    );
    // HTTP: the 21st connection from one address is answered 429 and closed.
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(connect_from("127.0.2.1", &server.http).unwrap());
    }
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = connect_from("127.0.2.1", &server.http).unwrap();
    extra
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = String::new();
    let _ = extra.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.contains("too_many_connections"), "{answer}");
    // Another address is served at once.
    let mut s = connect_from("127.0.2.2", &server.http).unwrap();
    let started = Instant::now();
    s.write_all(b"GET /api/v1/announcements HTTP/1.0\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(1));

    // TCP flags: the 6th connection from one address is told so.
    let mut flags = Vec::new();
    for _ in 0..5 {
        flags.push(connect_from("127.0.2.3", &server.flags).unwrap());
    }
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = connect_from("127.0.2.3", &server.flags).unwrap();
    extra
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut line = String::new();
    BufReader::new(&mut extra).read_line(&mut line).unwrap();
    assert!(
        line.contains("too many connections from your address"),
        "{line}"
    );

    // A flag connection that never sends its token is closed 10 s after the greeting.
    let mut silent = connect_from("127.0.2.5", &server.flags).unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let silent_since = Instant::now();

    // Slowloris: headers trickled one byte a second are cut 10 s after they began.
    let mut slow = connect_from("127.0.2.4", &server.http).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let started = Instant::now();
    let request =
        b"GET /api/v1/scoreboard HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let mut closed = None;
    for b in request.iter().cycle().take(40) {
        if slow.write_all(&[*b]).is_err() {
            closed = Some(started.elapsed());
            break;
        }
        let mut buf = [0u8; 64];
        match slow.read(&mut buf) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            // End of stream, an answer or a reset: the server gave up on this request.
            _ => {
                closed = Some(started.elapsed());
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(900));
    }
    let closed = closed.expect("the slow connection was never closed");
    assert!(
        closed >= Duration::from_secs(9) && closed <= Duration::from_secs(14),
        "closed after {closed:?}"
    );
    let mut rest = String::new();
    let _ = silent.read_to_string(&mut rest);
    let waited = silent_since.elapsed();
    assert!(rest.contains("Welcome"), "{rest}");
    assert!(
        waited >= Duration::from_secs(9) && waited <= Duration::from_secs(14),
        "the silent flag connection closed after {waited:?}"
    );
    drop(held);
}

#[test]
fn the_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let server = start_limited(dir.path(), "");
    let (status, _) = http(&server.http, "GET", "/readyz", &[], None);
    assert_eq!(status, 200);
    for name in [
        "drillboard.db",
        "drillboard.db-wal",
        "drillboard.db-shm",
        "session.key",
    ] {
        let path = dir.path().join(name);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} is {mode:o}");
    }
    // A SQLite file named with --database-url, too.
    let custom = dir.path().join("elsewhere.db");
    let out = support::drillboard(dir.path())
        .arg("--database-url")
        .arg(format!("sqlite://{}?mode=rwc", custom.display()))
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = std::fs::metadata(&custom).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "elsewhere.db is {mode:o}");
}

/// An acknowledged play: team, challenge, the flag sent, accepted?
type Play = (String, String, String, bool);

#[test]
fn kill_9_during_a_jeopardy_burst_loses_no_acknowledged_play() {
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let (mut server, _) = support::start_demo(dir.path());
    let addr = server.addr.clone();
    let logins: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("demo-logins.json")).unwrap(),
    )
    .unwrap();
    let scenario = drillboard_scenario::load_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo/scenario.yaml"),
    )
    .unwrap();
    let flags: Vec<(String, String)> = scenario
        .challenges
        .iter()
        .filter_map(|c| match &c.flags[0] {
            drillboard_scenario::Flag::Static { content, .. } => {
                Some((c.id.clone(), content.clone()))
            }
            _ => None,
        })
        .collect();
    // Every team plays at once: a wrong flag, then the right one, for each challenge; what the
    // server acknowledged is remembered as (team, challenge, flag sent, accepted?).
    let acked: Arc<Mutex<Vec<Play>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let players: Vec<_> = logins
        .iter()
        .filter(|l| l["role"] == "team")
        .map(|l| {
            let team = l["username"].as_str().unwrap().to_owned();
            let token = l["team_token"].as_str().unwrap().to_owned();
            let (addr, flags, acked, stop) =
                (addr.clone(), flags.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                for (i, (challenge, flag)) in flags.iter().enumerate() {
                    for sent in [format!("VNDRILL{{wrong-{i}}}"), flag.clone()] {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let body = serde_json::json!({"flag": sent}).to_string();
                        let path = format!("/api/v1/challenges/{challenge}/submit");
                        let Ok((status, text)) = support::try_http(
                            &addr,
                            "POST",
                            &path,
                            &[("X-Team-Token", &token)],
                            Some(&body),
                        ) else {
                            return;
                        };
                        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                        if status == 200 {
                            let accepted = v["status"] == "accepted";
                            if accepted || v["status"] == "incorrect" {
                                acked.lock().unwrap().push((
                                    team.clone(),
                                    challenge.clone(),
                                    sent.clone(),
                                    accepted,
                                ));
                            }
                        }
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(400));
    server.child.kill().unwrap(); // SIGKILL, mid-burst
    server.child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for p in players {
        let _ = p.join();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 10,
        "the burst was cut too early: {} acknowledged",
        acked.len()
    );
    assert!(acked.iter().any(|a| a.3), "no solve was acknowledged");

    // Restart on the same data: every acknowledged play is stored, solves as events too.
    let restarted = support::start_serve(dir.path());
    let organiser = logins.iter().find(|l| l["role"] == "organiser").unwrap();
    let bearer = support::bearer(&restarted.addr, organiser);
    let (status, export) = support::http_json(
        &restarted.addr,
        "GET",
        "/api/v1/export",
        &[("Authorization", &bearer)],
        None,
    );
    assert_eq!(status, 200);
    let attempts: HashSet<(String, String, String)> = export["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap().to_owned();
            (f("team"), f("challenge"), f("submitted"))
        })
        .collect();
    let solves: HashSet<(String, String)> = export["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"]["type"] == "solve")
        .map(|e| {
            let team = e["team"].as_str().unwrap().to_owned();
            (team, e["event"]["challenge"].as_str().unwrap().to_owned())
        })
        .collect();
    for (team, challenge, sent, accepted) in &acked {
        let key = (team.clone(), challenge.clone(), sent.clone());
        assert!(
            attempts.contains(&key),
            "acknowledged attempt lost: {key:?}"
        );
        if *accepted {
            assert!(
                solves.contains(&(team.clone(), challenge.clone())),
                "acknowledged solve lost: {team} {challenge}"
            );
        }
    }
    eprintln!(
        "{} acknowledged plays, all stored after kill -9",
        acked.len()
    );
}

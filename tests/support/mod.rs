//! What the black-box tests share: running the binary, a demo server, and a tiny HTTP/1.0 client.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_drillboard");

pub fn drillboard(data_dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data-dir").arg(data_dir);
    for var in [
        "DRILLBOARD_DATABASE_URL",
        "DRILLBOARD_JWT_SECRET",
        "DRILLBOARD_DATA_DIR",
        "DRILLBOARD_LISTEN",
        "DRILLBOARD_CHECKERS_DIR",
        "DRILLBOARD_TRUSTED_PROXIES",
    ] {
        c.env_remove(var);
    }
    c.env("RUST_LOG", "warn");
    c
}

/// A server process that is killed when the test ends, however it ends.
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Drop for Server {
    /// Stop it as Ctrl-C would (so the demo stops its service copies too), then for good.
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// SIGTERM, up to 5 s to finish, then SIGKILL.
pub fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..50 {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

pub fn start_demo(data_dir: &Path) -> (Server, Vec<String>) {
    let mut child = drillboard(data_dir)
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--flags-listen",
            "127.0.0.1:0",
        ])
        .args(["--service-port", "0", "--no-bots"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let addr = loop {
        let line = lines
            .next()
            .expect("the demo exited before listening")
            .unwrap();
        seen.push(line.clone());
        if let Some(rest) = line.strip_prefix("drillboard is listening on http://") {
            break rest.trim().to_owned();
        }
    };
    // Read the banner (it follows the address), then let the rest drain in the background.
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("Ctrl-C");
        seen.push(line);
        if done {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    (Server { child, addr }, seen)
}

/// `drillboard serve` on a free port with whatever the data folder holds (no banner).
pub fn start_serve(data_dir: &Path) -> Server {
    start_serve_on(data_dir, "127.0.0.1:0")
}

/// `drillboard serve` on `addr` (a restart on the same address).
pub fn start_serve_on(data_dir: &Path, addr: &str) -> Server {
    let mut child = drillboard(data_dir)
        .args(["serve", "--listen", addr, "--flags-listen", "off"])
        // The demo scenario's checker, for scenarios loaded through the organiser console.
        .arg("--checkers-dir")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server exited before listening")
            .unwrap();
        if let Some(rest) = line.strip_prefix("drillboard is listening on http://") {
            break rest.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

/// One HTTP/1.0 request; returns status and body.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String) {
    try_http(addr, method, path, headers, body).unwrap()
}

/// [`http`], with a connection error (a server just killed, say) as an error.
pub fn try_http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, body.to_owned()))
}

pub fn http_json(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let b = body.map(|v| v.to_string());
    let (status, text) = http(addr, method, path, headers, b.as_deref());
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Sign in with a demo login (`{"username", "password", …}`): the `Authorization` header value.
pub fn bearer(addr: &str, login: &Value) -> String {
    let (status, answer) = http_json(
        addr,
        "POST",
        "/api/v1/auth/login",
        &[],
        Some(serde_json::json!({"username": login["username"], "password": login["password"]})),
    );
    assert_eq!(status, 200, "sign-in of {}: {answer}", login["username"]);
    format!("Bearer {}", answer["token"].as_str().unwrap())
}

/// The rows of a compact board (`columns` + `rows`) as objects: `rank`, `of`, `team` {`id`,
/// `name`, `organisation`}, `score`, `components` {…}, `solves`, `reached_at`, `movement`.
pub fn board_rows(board: &Value) -> Vec<Value> {
    let columns: Vec<&str> = board["columns"]
        .as_array()
        .unwrap_or_else(|| panic!("a board has columns: {board}"))
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let parts = [
        "tasks",
        "reports",
        "attack",
        "defense",
        "sla",
        "adjustments",
    ];
    board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let cell = |name: &str| row[columns.iter().position(|c| *c == name).unwrap()].clone();
            let components: serde_json::Map<String, Value> =
                parts.iter().map(|p| (p.to_string(), cell(p))).collect();
            serde_json::json!({
                "rank": cell("rank"),
                "of": board["of"],
                "team": {"id": cell("team"), "name": cell("name"), "organisation": cell("organisation")},
                "score": cell("score"),
                "components": components,
                "solves": cell("solves"),
                "reached_at": cell("reached_at"),
                "movement": cell("movement"),
            })
        })
        .collect()
}

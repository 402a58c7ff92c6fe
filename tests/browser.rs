//! Browser tests: the real pages in headless Chromium, driven through chromedriver's W3C WebDriver
//! protocol (plain HTTP, no client library). `.ci/run` installs Debian's `chromium` and
//! `chromium-driver`; where chromedriver is missing outside CI these tests say so and pass.
//! Screenshots go to `tests/screenshots-out/` (ignored by git).

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{start_demo, start_serve};

/// One HTTP/1.1 request to chromedriver, reading exactly `Content-Length` bytes (it keeps the
/// connection open, and refuses HTTP/1.0).
fn http(addr: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut buf = vec![0u8; length];
    r.read_exact(&mut buf).unwrap();
    (status, String::from_utf8_lossy(&buf).into_owned())
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    addr: String,
    session: String,
    _profile: tempfile::TempDir,
    /// One browser at a time: they are heavy for two cores, and two chromedrivers could pick the
    /// same free port between its probe and their start.
    _one_at_a_time: std::sync::MutexGuard<'static, ()>,
}

static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = http(
            &self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

impl Driver {
    /// Start chromedriver and a headless Chromium session, or None where there is no chromedriver
    /// (outside CI).
    fn start() -> Option<Driver> {
        let Some(bin) = chromedriver() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must have chromedriver: .ci/run installs chromium-driver"
            );
            eprintln!(
                "chromedriver is not installed (apt-get install chromium chromium-driver); browser tests skipped"
            );
            return None;
        };
        let one_at_a_time = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let addr = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1280,1000",
                     format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let (status, body) = http(&addr, "POST", "/session", Some(&caps.to_string()));
        assert_eq!(status, 200, "new session: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let session = v["value"]["sessionId"].as_str().unwrap().to_owned();
        Some(Driver {
            child,
            addr,
            session,
            _profile: profile,
            _one_at_a_time: one_at_a_time,
        })
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let b = body.map(|v| v.to_string());
        let (status, text) = http(
            &self.addr,
            method,
            &format!("/session/{}{path}", self.session),
            b.as_deref(),
        );
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(status, 200, "{method} {path}: {text}");
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    fn js(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Wait until `script` returns something truthy; returns it.
    fn until(&self, what: &str, script: &str, args: Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let v = self.js(script, args.clone());
            if !(v.is_null() || v == json!(false) || v == json!("") || v == json!(0)) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn element(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT].as_str().unwrap().to_owned()
    }

    /// Click the element `css` names. A page that redraws the element between finding and
    /// clicking it (a live refresh) makes it stale: it is found again, as a person would.
    fn click(&self, css: &str) {
        for _ in 0..3 {
            let e = self.element(css);
            let (status, text) = http(
                &self.addr,
                "POST",
                &format!("/session/{}/element/{e}/click", self.session),
                Some("{}"),
            );
            if status == 200 {
                return;
            }
            assert!(text.contains("stale element"), "click {css}: {text}");
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{css} went stale three times in a row");
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.cmd("POST", &format!("/element/{e}/clear"), Some(json!({})));
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        );
    }

    fn text(&self, css: &str) -> String {
        self.js(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : '';",
            json!([css]),
        )
        .as_str()
        .unwrap_or("")
        .to_owned()
    }

    fn screenshot(&self, name: &str) {
        let png = self.cmd("GET", "/screenshot", None);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/screenshots-out");
        std::fs::create_dir_all(&dir).unwrap();
        let bytes = decode_base64(png.as_str().unwrap());
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }

    /// Fill the sign-in form of the current page (team or judge) with a demo login and send it.
    fn sign_in(&self, login: &Value) {
        self.until(
            "the sign-in form",
            "return !document.querySelector('#login-view').hidden",
            json!([]),
        );
        self.type_into("#username", login["username"].as_str().unwrap());
        self.type_into("#password", login["password"].as_str().unwrap());
        self.click("#login-submit");
    }

    /// Set a text field's value at once (a whole scenario is too long to type), as if typed.
    fn fill(&self, css: &str, text: &str) {
        self.js(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', {bubbles: true})); return true;",
            json!([css, text]),
        );
    }

    /// Switch the page's language and wait until `css` reads `text`.
    fn language(&self, lang: &str, css: &str, text: &str) {
        self.click(&format!("[data-lang={lang}]"));
        self.until(
            "the language switch",
            "const e = document.querySelector(arguments[0]); return e && e.textContent.trim() === arguments[1]",
            json!([css, text]),
        );
    }

    fn new_tab(&self) -> String {
        self.cmd("POST", "/window/new", Some(json!({"type": "tab"})))["handle"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn current_tab(&self) -> String {
        self.cmd("GET", "/window", None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn switch(&self, handle: &str) {
        self.cmd("POST", "/window", Some(json!({"handle": handle})));
    }
}

/// The demo on a free port: the server, its base address and the logins it wrote.
fn demo(dir: &Path) -> (support::Server, String, Vec<Value>) {
    let (server, _) = start_demo(dir);
    let base = format!("http://{}", server.addr);
    let logins =
        serde_json::from_str(&std::fs::read_to_string(dir.join("demo-logins.json")).unwrap())
            .unwrap();
    (server, base, logins)
}

fn decode_base64(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=') {
        let Some(v) = A.iter().position(|a| *a == c) else {
            continue;
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

#[test]
fn a_team_submits_flags_and_the_public_board_follows_live_in_both_languages() {
    let Some(d) = Driver::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (server, base, logins) = demo(dir.path());
    // The last team in the list: it starts at the bottom of the board (equal scores go by name).
    let team = logins.iter().rev().find(|l| l["role"] == "team").unwrap();
    let scenario = drillboard_scenario::load_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo/scenario.yaml"),
    )
    .unwrap();
    let challenge = scenario
        .challenges
        .iter()
        .find(|c| {
            c.requires.is_empty()
                && c.release_after_seconds == 0
                && matches!(c.flags[0], drillboard_scenario::Flag::Static { .. })
        })
        .unwrap();
    let drillboard_scenario::Flag::Static { content: flag, .. } = &challenge.flags[0] else {
        unreachable!()
    };

    // The public board, in Vietnamese by default, then in English (remembered).
    d.go(&format!("{base}/"));
    d.until(
        "the board rows",
        "return document.querySelectorAll('#board-body tr').length >= 12",
        json!([]),
    );
    assert_eq!(d.text("#board-heading"), "Bảng xếp hạng");
    d.screenshot("leaderboard-vi");
    d.click("[data-lang=en]");
    d.until(
        "English texts",
        "return document.querySelector('#board-heading').textContent.trim() === 'Leaderboard'",
        json!([]),
    );
    d.screenshot("leaderboard-en");
    let board_tab = d.current_tab();

    // The team signs in on another tab (English is remembered there too).
    let team_tab = d.new_tab();
    d.switch(&team_tab);
    d.go(&format!("{base}/team"));
    d.until(
        "the sign-in form",
        "return !document.querySelector('#login-view').hidden",
        json!([]),
    );
    assert_eq!(d.text("#login-heading"), "Team sign-in");
    d.sign_in(team);
    let find_card = "const c = [...document.querySelectorAll('article.challenge')].find(a => a.textContent.includes(arguments[0])); \
                     return c ? c.id : null;";
    let card = d
        .until("the challenge card", find_card, json!([challenge.title.en]))
        .as_str()
        .unwrap()
        .to_owned();
    d.screenshot("team-en");
    d.type_into(
        &format!("#{card} input[name=flag]"),
        "VNDRILL{not-the-flag}",
    );
    d.click(&format!("#{card} button[type=submit]"));
    let feedback = format!("#{card} .msg:not([hidden])");
    d.until("the wrong-flag feedback", "const e = document.querySelector(arguments[0]); return e && e.textContent.includes('Incorrect flag.')", json!([feedback]));
    d.type_into(&format!("#{card} input[name=flag]"), flag);
    d.click(&format!("#{card} button[type=submit]"));
    d.until("the accepted feedback", "const c = document.getElementById(arguments[0]); return c && c.textContent.includes('Correct!')", json!([card]));

    // Captured attack/defend flags pasted into the page: found in the text, each reply said in
    // the page's language.
    d.until(
        "the attack/defend section",
        "return !document.querySelector('#ad-section').hidden",
        json!([]),
    );
    d.fill(
        "#ad-flags",
        "farm output:\nDRILL_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= and DRILL_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\n",
    );
    d.click("#ad-flags-send");
    let replies = d.until(
        "the replies per flag",
        "const l = document.querySelectorAll('#ad-flags-result li'); return l.length === 2 ? [...l].map(x => x.innerText) : null",
        json!([]),
    );
    for r in replies.as_array().unwrap() {
        assert!(
            r.as_str().unwrap().ends_with("not a valid flag"),
            "{replies}"
        );
    }
    assert_eq!(
        d.js(
            "return document.querySelector('#ad-flags').value",
            json!([])
        ),
        "",
        "nothing to send again"
    );

    // An announcement made while the team works pops up in view until dismissed.
    let organiser = logins.iter().find(|l| l["role"] == "organiser").unwrap();
    let bearer = support::bearer(&server.addr, organiser);
    let (status, _) = support::http_json(
        &server.addr,
        "POST",
        "/api/v1/announcements",
        &[("Authorization", &bearer)],
        Some(
            json!({"text": {"vi": "Cổng thông tin bị tấn công lại", "en": "The portal is under attack again"}}),
        ),
    );
    assert_eq!(status, 201);
    d.until(
        "the announcement pop-up",
        "const p = document.getElementById('ann-popup'); return p && !p.hidden && p.innerText.includes('The portal is under attack again')",
        json!([]),
    );
    d.click("#ann-popup-close");
    d.until(
        "the pop-up dismissed",
        "return document.getElementById('ann-popup').hidden",
        json!([]),
    );

    // "Why we have N points": the solved challenge is in the team's own breakdown.
    d.click("#tx-score-summary");
    d.until(
        "the breakdown with the solve",
        "const t = document.querySelector('#tx-sc-challenges'); return t && t.textContent.includes(arguments[0])",
        json!([challenge.title.en]),
    );
    // The team's API token for its exploit farm: shown once, then listed by its prefix.
    d.type_into("#tx-token-label", "farm");
    d.click("#tx-token-create");
    let token = d.until(
        "the new token",
        "const v = document.querySelector('#tx-new-token-value'); return v && v.value.startsWith('dbt_') ? v.value : null",
        json!([]),
    );
    let token = token.as_str().unwrap().to_owned();
    d.until(
        "the token in the list",
        "const t = document.querySelector('#tx-token-table'); return t && t.textContent.includes('farm')",
        json!([]),
    );
    let (status, me) = support::http_json(
        &server.addr,
        "GET",
        "/api/v1/me",
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(status, 200, "the token the page showed works: {me}");

    // Back on the board tab, never reloaded: the team now leads.
    d.switch(&board_tab);
    let name = team["team"].as_str().unwrap();
    d.until(
        "the new rank on the live board",
        "const r = document.querySelector('#board-body tr'); return r && r.textContent.includes(arguments[0])",
        json!([name]),
    );
    d.screenshot("leaderboard-after-solve");
    // Who solved the challenge, from the challenge list; the next round's countdown by the grid.
    d.js(
        "const b = [...document.querySelectorAll('#challenge-body button.team-toggle')].find(x => x.textContent.includes(arguments[0])); b.scrollIntoView(); b.click(); return true",
        json!([challenge.title.en]),
    );
    d.until(
        "the challenge's solvers",
        "const l = document.querySelector('#challenge-body .solvers'); return l && l.textContent.includes(arguments[0])",
        json!([name]),
    );
    let next = d.until(
        "the next round's countdown",
        "const e = document.getElementById('services-next'); return e && /^Next round in \\d+:\\d\\d$/.test(e.textContent) ? e.textContent : null",
        json!([]),
    );
    assert!(next.as_str().unwrap().starts_with("Next round in"));
    // The leader's breakdown on the board explains the points by the solve.
    d.click("#board-body tr button.team-toggle");
    d.until(
        "the board's breakdown",
        "const b = document.querySelector('#board-body .breakdown'); return b && b.textContent.includes(arguments[0])",
        json!([challenge.title.en]),
    );
    // The projector's view: big type, no navigation, on a full-HD screen.
    d.cmd(
        "POST",
        "/window/rect",
        Some(json!({"width": 1920, "height": 1080})),
    );
    d.go(&format!("{base}/?screen=1"));
    d.until(
        "the projector view",
        "const p = document.getElementById('projector'); return p && !p.hidden && document.querySelectorAll('#pj-table tbody tr').length >= 12",
        json!([]),
    );
    d.screenshot("leaderboard-big-screen-en");
    // Escape leaves it, back to the page with its navigation.
    d.js(
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); return true",
        json!([]),
    );
    d.until(
        "the page again",
        "return document.getElementById('projector').hidden && !document.body.classList.contains('big-screen')",
        json!([]),
    );
    drop(server);
}

/// A national drill's projector: 63 teams on a 1920×1080 screen. Every team is shown within one
/// paging cycle, the top three on every page, in type of at least 28 px, nothing below the
/// screen's edge or cut at its side.
#[test]
fn the_projector_shows_63_teams_in_one_cycle() {
    let Some(d) = Driver::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (server, base, logins) = demo(dir.path());
    let organiser = logins.iter().find(|l| l["role"] == "organiser").unwrap();
    let bearer = support::bearer(&server.addr, organiser);
    let extra: Vec<Value> = (13..=63)
        .map(|i| json!({"id": format!("tinh-{i:02}"), "name": format!("Đội ứng cứu sự cố tỉnh số {i:02}")}))
        .collect();
    let (status, body) = support::http_json(
        &server.addr,
        "POST",
        "/api/v1/teams",
        &[("Authorization", &bearer)],
        Some(Value::Array(extra)),
    );
    assert_eq!(status, 200, "{body}");
    let (_, board) = support::http_json(&server.addr, "GET", "/api/v1/scoreboard", &[], None);
    let all: std::collections::BTreeSet<String> = support::board_rows(&board)
        .iter()
        .map(|r| r["team"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all.len(), 63);

    d.cmd(
        "POST",
        "/window/rect",
        Some(json!({"width": 1920, "height": 1080})),
    );
    let (status, _) = support::http_json(
        &server.addr,
        "POST",
        "/api/v1/announcements",
        &[("Authorization", &bearer)],
        Some(
            json!({"text": {"vi": "Vòng chung kết bắt đầu lúc 14:00", "en": "The final starts at 14:00"}}),
        ),
    );
    assert_eq!(status, 201);
    d.go(&format!("{base}/?screen=1&page=2"));
    d.until(
        "the projector view with its pages",
        "const p = document.getElementById('projector'); return p && !p.hidden && Number(p.dataset.pages) > 1 && document.querySelectorAll('#pj-table tbody tr').length > 3",
        json!([]),
    );
    let page = "const p = document.getElementById('projector'); \
        const rows = [...document.querySelectorAll('#pj-table tbody tr')]; \
        const t = document.getElementById('pj-table'); \
        return {page: Number(p.dataset.page), pages: Number(p.dataset.pages), kind: p.dataset.kind, \
          names: rows.map(r => r.querySelector('th').textContent), \
          ranks: rows.map(r => Number((r.querySelector('.pj-rank span') || {}).textContent)), \
          font: Math.min(...rows.map(r => parseFloat(getComputedStyle(r.querySelector('th')).fontSize))), \
          bottom: Math.max(...rows.map(r => r.getBoundingClientRect().bottom)), \
          right: t.getBoundingClientRect().right, \
          clipped: rows.flatMap(r => [...r.children].filter(c => c.scrollWidth > c.clientWidth + 1 && !c.classList.contains('pj-team')).map(c => c.className + ': ' + c.textContent)), \
          height: window.innerHeight, width: document.documentElement.clientWidth};";
    let mut seen = std::collections::BTreeSet::new();
    let mut pages_seen = std::collections::BTreeSet::new();
    let mut board_pages = std::collections::BTreeSet::new();
    let first = d.js(page, json!([]));
    let pages = first["pages"].as_u64().unwrap();
    let started = std::time::Instant::now();
    while pages_seen.len() < pages as usize
        && started.elapsed() < std::time::Duration::from_secs(60)
    {
        let p = d.js(page, json!([]));
        if p["kind"] == "board" {
            pages_seen.insert(p["page"].as_u64().unwrap());
            let names: Vec<String> = p["names"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_owned())
                .collect();
            let ranks: Vec<u64> = p["ranks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_u64().unwrap())
                .collect();
            assert!(
                ranks[..3].iter().all(|r| *r <= 3),
                "the top three stay on every page: {p}"
            );
            assert!(
                p["font"].as_f64().unwrap() >= 28.0,
                "row text below 28 px: {p}"
            );
            assert!(
                p["bottom"].as_f64().unwrap() <= p["height"].as_f64().unwrap(),
                "a row below the screen: {p}"
            );
            assert!(
                p["right"].as_f64().unwrap() <= p["width"].as_f64().unwrap(),
                "the table is wider than the screen: {p}"
            );
            assert_eq!(p["clipped"], json!([]), "a number is cut off: {p}");
            if p["page"] == 2 {
                d.screenshot("projector-63-page-2");
            }
            board_pages.insert(p["page"].as_u64().unwrap());
            seen.extend(names);
        } else {
            pages_seen.insert(p["page"].as_u64().unwrap());
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    // The latest announcement runs along the bottom, below the last row.
    let news = d.js(
        "const n = document.getElementById('pj-news'); return n ? {text: n.textContent} : null",
        json!([]),
    );
    assert!(
        news["text"]
            .as_str()
            .unwrap_or("")
            .contains("Vòng chung kết bắt đầu lúc 14:00"),
        "{news}"
    );
    let seen_board_pages = board_pages.len();
    let missing: Vec<&String> = all.difference(&seen).collect();
    assert!(missing.is_empty(), "not shown in one cycle: {missing:?}");
    assert!(
        seen_board_pages <= 5,
        "63 teams take {seen_board_pages} pages"
    );
    drop(server);
}

#[test]
fn a_report_is_marked_blind_and_the_team_sees_the_released_grade() {
    let Some(d) = Driver::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (server, base, logins) = demo(dir.path());
    let team = logins.iter().find(|l| l["role"] == "team").unwrap();
    let login_of = |name: &str| {
        logins
            .iter()
            .find(|l| l["username"] == name)
            .unwrap()
            .clone()
    };
    let scenario = drillboard_scenario::load_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo/scenario.yaml"),
    )
    .unwrap();
    let inject = scenario
        .injects
        .iter()
        .find(|i| {
            i.release_after_seconds == 0
                && i.audience.is_empty()
                && i.report.as_ref().is_some_and(|r| !r.double_marking)
        })
        .expect("the demo has a single-marked inject open at the start");
    let rubric = inject.report.as_ref().unwrap().rubric.len();

    // The team writes its report on the team page.
    d.go(&format!("{base}/team"));
    d.sign_in(team);
    let find_inject = "const c = [...document.querySelectorAll('article')].find(a => a.id.startsWith('inj-') && a.textContent.includes(arguments[0])); \
                       return c ? c.id.slice(4) : null;";
    let k = d
        .until("the inject card", find_inject, json!([inject.title.vi]))
        .as_str()
        .unwrap()
        .to_owned();
    d.js("window.scrollTo(0, 0); return true", json!([]));
    d.screenshot("team-vi");
    // The report names the team: judges mark blind.
    let team_name = team["team"].as_str().unwrap();
    d.type_into(
        &format!("#rep-text-{k}"),
        &format!("## Tóm tắt\n\n{team_name} đã cô lập máy chủ web và xoá **webshell**."),
    );
    // Server errors are said in the page's language by their code, not in the server's English.
    let said = d.js(
        "return import('/static/i18n.js').then(m => [\
           m.serverText({status: 409, code: 'exercise_not_running', message: 'submissions are closed: the exercise is paused'}),\
           m.serverText({status: 429, code: 'rate_limited', message: 'too many wrong flags', retry_after: 42}),\
           m.serverText({status: 400, code: 'some_future_code', message: 'an English sentence'})])",
        json!([]),
    );
    assert_eq!(
        said,
        json!([
            "Cuộc diễn tập chưa bắt đầu, đang tạm dừng hoặc đã kết thúc.",
            "Gửi quá nhanh: hãy thử lại sau 42 giây.",
            "an English sentence"
        ]),
        "an unknown code falls back to the server's sentence"
    );
    // The preview shows the draft formatted, as the judges will see it.
    d.click(&format!("#rep-prevbtn-{k}"));
    let heading = d.until(
        "the formatted preview",
        "const b = document.getElementById(arguments[0]); const h = b && b.querySelector('h2'); \
         return h && b.querySelector('strong') ? h.textContent : null",
        json!([format!("rep-prev-body-{k}")]),
    );
    assert_eq!(heading, "Tóm tắt");
    d.screenshot("team-preview-vi");
    d.click(&format!("#rep-prevbtn-{k}"));
    d.click(&format!("#rep-submit-{k}"));
    // The page warns that the report names the team before it is sent.
    let warning = d.until(
        "the warning that the report names the team",
        "const dlg = document.querySelector('#confirm-dialog'); return dlg && dlg.open ? dlg.innerText : null",
        json!([]),
    );
    assert!(warning.as_str().unwrap().contains(team_name), "{warning}");
    d.click("#confirm-ok");
    d.until("the submission receipt", "const e = document.getElementById(arguments[0]); return e && !e.hidden && e.className.includes('msg-success')", json!([format!("rep-fb-{k}")]));
    d.screenshot("team-report-vi");
    d.click("#logout");

    // A judge marks it on the judge console, blind.
    let judge = login_of("judge");
    d.go(&format!("{base}/judge"));
    d.sign_in(&judge);
    d.until(
        "the marking queue",
        "return document.querySelector('#queue a.queue-item') !== null",
        json!([]),
    );
    d.click("#queue a.queue-item");
    d.until(
        "the rubric form",
        "return document.querySelector('#mark-form') !== null",
        json!([]),
    );
    d.screenshot("judge-vi");
    d.language("en", "#judge-heading", "Incident report marking");
    d.screenshot("judge-en");
    d.language("vi", "#judge-heading", "Chấm điểm báo cáo sự cố");
    for i in 0..rubric {
        d.type_into(&format!("#score-{i}"), "2");
    }
    d.type_into("#overall", "Rõ ràng, đủ các bước.");
    d.click("#mark-submit");
    d.until(
        "the confirmation",
        "const dlg = document.querySelector('#confirm-dialog'); return dlg && dlg.open",
        json!([]),
    );
    d.click("#confirm-ok");
    d.until(
        "the mark's receipt",
        "const e = document.querySelector('#detail .msg-success'); return e && !e.hidden",
        json!([]),
    );
    let page = d
        .js("return document.body.innerText", json!([]))
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        d.js(
            "return document.getElementById('report-redacted') !== null",
            json!([])
        )
        .as_bool()
        .unwrap(),
        "the judge is told the team's name was hidden"
    );
    for identity in [
        team["username"].as_str().unwrap(),
        team["team"].as_str().unwrap(),
    ] {
        assert!(
            !page.contains(identity),
            "the judge console shows the team ({identity})"
        );
    }

    // Beside the marking, in their own tabs: the live board and any team's history.
    d.click("#jx-tab-board");
    d.until(
        "the judges' live board",
        "return document.querySelectorAll('#jx-board-body tbody tr').length >= 12",
        json!([]),
    );
    d.screenshot("judge-board-vi");
    d.click("#jx-tab-history");
    // The team list loads after the tab opens: choose only once the team is in it.
    d.until(
        "the team in the history's list",
        "return [...document.querySelectorAll('#jx-team option')].some(o => o.value === arguments[0])",
        json!([team["username"]]),
    );
    d.js(
        "const s = document.querySelector('#jx-team'); s.value = arguments[0]; \
         s.dispatchEvent(new Event('change', {bubbles: true})); return true",
        json!([team["username"]]),
    );
    d.until(
        "the team's history",
        "const h = document.querySelector('#jx-log-heading'); return h && h.textContent.length > 0",
        json!([]),
    );
    d.click("#jx-tab-marking");

    // The organiser sees the marking progress in the console and releases the grades there.
    d.click("#logout");
    let organiser = login_of("organiser");
    d.go(&format!("{base}/organiser"));
    d.until(
        "the sign-in form",
        "return !document.querySelector('#login-view').hidden",
        json!([]),
    );
    d.type_into("#org-username", organiser["username"].as_str().unwrap());
    d.type_into("#org-password", organiser["password"].as_str().unwrap());
    d.click("#org-login-submit");
    let row = format!("report-row-{}", inject.id);
    // Cells: released, due, reports in, unmarked, second marking, moderation, final, grades.
    let cells = d.until(
        "the marking progress with one final grade",
        "const r = document.getElementById(arguments[0]); if (!r) return null; \
         const c = [...r.querySelectorAll('td')].map(td => td.innerText.trim()); \
         return c[6] === '1' ? c : null",
        json!([row]),
    );
    assert_eq!(cells[3], "0", "nothing left unmarked: {cells}");
    assert!(
        cells[2].as_str().unwrap().starts_with("1 /"),
        "one report in: {cells}"
    );
    d.js(
        "document.getElementById(arguments[0]).scrollIntoView(); return true",
        json!([row]),
    );
    d.screenshot("organiser-reports-vi");
    d.click(&format!("#release-{}", inject.id));
    d.until(
        "the confirmation",
        "const dlg = document.querySelector('#confirm-dialog'); return dlg && dlg.open",
        json!([]),
    );
    d.click("#confirm-ok");
    d.until(
        "the release time in place of the button",
        "const r = document.getElementById(arguments[0]); return r && !document.getElementById(arguments[1]) && r.innerText.includes('Đã công bố')",
        json!([row, format!("release-{}", inject.id)]),
    );
    let audit = {
        let bearer = support::bearer(&server.addr, &organiser);
        support::http_json(
            &server.addr,
            "GET",
            "/api/v1/audit",
            &[("Authorization", &bearer)],
            None,
        )
        .1
    };
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "report.release" && a["detail"]["inject"] == inject.id.as_str()),
        "the release is audited"
    );
    // An inject scheduled for later is released from the same section, at once.
    let later = scenario
        .injects
        .iter()
        .find(|i| i.release_after_seconds > 0 && i.report.is_some())
        .expect("the demo has a later inject asking for a report");
    d.click(&format!("#release-now-{}", later.id));
    d.until(
        "the confirmation",
        "const dlg = document.querySelector('#confirm-dialog'); return dlg && dlg.open",
        json!([]),
    );
    d.click("#confirm-ok");
    d.until(
        "the inject released",
        "return document.getElementById(arguments[0]) && !document.getElementById(arguments[1])",
        json!([
            format!("report-row-{}", later.id),
            format!("release-now-{}", later.id)
        ]),
    );
    d.click("#logout");

    // The team sees its grade: the total is 2 points per criterion.
    d.go(&format!("{base}/team"));
    d.sign_in(team);
    let k = d
        .until("the inject card", find_inject, json!([inject.title.vi]))
        .as_str()
        .unwrap()
        .to_owned();
    let grade = d.until(
        "the released grade",
        "const g = document.getElementById(arguments[0]); return g ? g.innerText : null",
        json!([format!("grade-{k}")]),
    );
    let total = (2 * rubric).to_string();
    assert!(
        grade.as_str().unwrap().contains(&total),
        "grade shows {total}: {grade}"
    );
    let (_, board) = support::http_json(&server.addr, "GET", "/api/v1/scoreboard", &[], None);
    let row = support::board_rows(&board)
        .iter()
        .find(|r| r["team"]["id"] == team["username"])
        .unwrap()
        .clone();
    assert_eq!(
        row["components"]["reports"].as_f64(),
        Some(2.0 * rubric as f64),
        "{row}"
    );
    d.screenshot("team-grade-vi");
    drop(server);
}

#[test]
fn the_organiser_loads_the_demo_and_starts_it() {
    let Some(d) = Driver::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = support::drillboard(dir.path())
        .args(["user", "add", "--role", "organiser", "--username", "org"])
        .args(["--password", "organiser-password"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = start_serve(dir.path());
    let base = format!("http://{}", server.addr);
    let demo = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo/scenario.yaml"),
    )
    .unwrap();

    d.go(&format!("{base}/organiser"));
    d.until(
        "the sign-in form",
        "return !document.querySelector('#login-view').hidden",
        json!([]),
    );
    // A wrong password is refused with a message, and the password is selected for retyping.
    d.type_into("#org-username", "org");
    d.type_into("#org-password", "not-the-password");
    d.click("#org-login-submit");
    d.until(
        "the sign-in error",
        "const e = document.querySelector('#org-login-error'); return e && !e.hidden && e.textContent.trim().length > 0",
        json!([]),
    );
    assert_eq!(
        d.js("return document.activeElement.id", json!([])),
        json!("org-password")
    );
    d.type_into("#org-password", "organiser-password");
    d.click("#org-login-submit");
    d.until(
        "the console",
        "return !document.querySelector('#org-view').hidden",
        json!([]),
    );
    assert_eq!(
        d.until(
            "no exercise yet",
            "return document.querySelector('#clock-status').dataset.status",
            json!([])
        ),
        "none"
    );

    // A broken scenario: every problem with its line and column; a click moves the cursor there.
    let broken = demo.replacen("duration: 4h", "duration: soon", 1);
    d.fill("#scenario-text", &broken);
    d.click("#scenario-validate");
    let problem = d.until(
        "the problem list",
        "const p = document.querySelector('#scenario-problem-0'); return p ? p.textContent : null",
        json!([]),
    );
    let problem = problem.as_str().unwrap().to_owned();
    assert!(
        problem.contains("scenario.yaml") || problem.contains(':'),
        "{problem}"
    );
    let line = broken
        .lines()
        .position(|l| l.contains("duration: soon"))
        .unwrap()
        + 1;
    assert!(
        problem.contains(&line.to_string()),
        "line {line} in {problem}"
    );
    d.click("#scenario-problem-0");
    let cursor_line = d.js(
        "const t = document.querySelector('#scenario-text'); \
         return t.value.slice(0, t.selectionStart).split('\\n').length",
        json!([]),
    );
    assert_eq!(cursor_line, json!(line));
    // Every problem and its fix reads in Vietnamese (translated by code), and in English after
    // a switch; the English server text is not on the Vietnamese page.
    let broken = broken.replacen("  title:", "  colour: red\n  title:", 1);
    d.fill("#scenario-text", &broken);
    d.click("#scenario-validate");
    let read_all = "const l = document.querySelector('#scenario-problems'); \
         return l && !l.hidden && l.children.length >= 2 ? l.textContent : null";
    let vi = d.until("two problems", read_all, json!([]));
    let vi = vi.as_str().unwrap().to_lowercase();
    for words in [
        "không phải một khoảng thời gian",
        "viết số kèm đơn vị",
        "trường `colour` không được dùng",
    ] {
        assert!(vi.contains(words), "{words:?} in {vi}");
    }
    for english in [
        "is not a duration",
        "unknown field",
        "write a number",
        "Server:",
    ] {
        assert!(!vi.contains(english), "{english:?} in {vi}");
    }
    d.js(
        "document.querySelector('#scenario-feedback').scrollIntoView({block: 'start'})",
        json!([]),
    );
    d.screenshot("organiser-problems-vi");
    d.language("en", "#scenario-validate", "Validate");
    let en = d.js(read_all, json!([]));
    let en = en.as_str().unwrap();
    assert!(
        en.contains("is not a duration") && en.contains("unknown field `colour`"),
        "{en}"
    );
    d.language("vi", "#scenario-validate", "Kiểm tra");

    // The demo itself: valid, loaded (credentials shown once), started.
    d.fill("#scenario-text", &demo);
    d.click("#scenario-validate");
    d.until(
        "the scenario is valid",
        "const m = document.querySelector('#scenario-feedback .msg-success'); return m && !m.hidden",
        json!([]),
    );
    d.click("#scenario-load");
    d.until(
        "the new logins",
        "const c = document.querySelector('#scenario-credentials'); return c && !c.hidden && c.querySelectorAll('tr').length > 8",
        json!([]),
    );
    d.click("#clock-start");
    d.until(
        "the running exercise",
        "return document.querySelector('#clock-status').dataset.status === 'running'",
        json!([]),
    );
    assert_eq!(d.text("#clock-status"), "Đang diễn ra");
    d.fill("#announce-vi", "Bắt đầu diễn tập!");
    d.fill("#announce-en", "The drill has started!");
    d.click("#announce-send");
    d.until(
        "the announcement in the list",
        "const l = document.querySelector('#announce-items'); return l && l.textContent.includes('Bắt đầu diễn tập!')",
        json!([]),
    );
    let show_clock = "document.querySelector('#sec-clock').scrollIntoView(); return true";
    d.js(show_clock, json!([]));
    d.screenshot("organiser-vi");
    d.language("en", "#clock-status", "Running");
    d.js(show_clock, json!([]));
    d.screenshot("organiser-en");

    // Pausing asks for a reason; resuming offers to give the paused time back.
    let (_, before) = support::http_json(&server.addr, "GET", "/api/v1/exercise", &[], None);
    d.click("#clock-pause");
    d.until(
        "the pause dialog",
        "const dlg = document.querySelector('#confirm-dialog'); return dlg && dlg.open && !document.querySelector('#confirm-reason-field').hidden",
        json!([]),
    );
    assert_eq!(
        d.js(
            "return document.querySelector('#confirm-ok').disabled",
            json!([])
        ),
        true,
        "no pause without a reason"
    );
    d.type_into("#confirm-reason", "Power cut in the hall");
    d.click("#confirm-ok");
    d.until(
        "the paused exercise",
        "return document.querySelector('#clock-status').dataset.status === 'paused'",
        json!([]),
    );
    std::thread::sleep(Duration::from_millis(1500));
    d.click("#clock-resume");
    d.until(
        "the resume dialog with its two choices",
        "const dlg = document.querySelector('#confirm-dialog'); return dlg && dlg.open && !document.querySelector('#confirm-alt').hidden",
        json!([]),
    );
    d.click("#confirm-ok");
    d.until(
        "the running exercise again",
        "return document.querySelector('#clock-status').dataset.status === 'running'",
        json!([]),
    );
    // The audit log reads in words (the console is in English by now): actions named, times
    // formatted, the reason kept, filterable.
    d.until(
        "the audit log in words",
        "const t = document.querySelector('#audit-table'); if (!t) return false; const x = t.innerText; \
         return x.includes('Power cut in the hall') && x.includes('Exercise clock') && x.includes('added: 0 min') && !/\\d{13}/.test(x)",
        json!([]),
    );
    d.js(
        "const s = document.getElementById('audit-action'); s.value = 'exercise.clock'; \
         s.dispatchEvent(new Event('change')); return true",
        json!([]),
    );
    let rows = d.js(
        "return [...document.querySelectorAll('#audit-table tbody tr')].map(r => r.children[2].innerText)",
        json!([]),
    );
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r == "Exercise clock"),
        "{rows}"
    );
    let (_, after) = support::http_json(&server.addr, "GET", "/api/v1/exercise", &[], None);
    let ms = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp_millis()
    };
    let moved = ms(&after["ends_at"]) - ms(&before["ends_at"]);
    assert!(
        (1_400..60_000).contains(&moved),
        "the end moved by the paused time: {moved} ms"
    );

    // The server agrees: the demo runs, its teams are on the public board.
    let (_, ex) = support::http_json(&server.addr, "GET", "/api/v1/exercise", &[], None);
    assert_eq!(ex["status"], "running", "{ex}");
    let (_, board) = support::http_json(&server.addr, "GET", "/api/v1/scoreboard", &[], None);
    assert!(support::board_rows(&board).len() >= 10, "{board}");
    let (_, list) = support::http_json(&server.addr, "GET", "/api/v1/announcements", &[], None);
    assert_eq!(
        list["announcements"][0]["text"]["en"],
        "The drill has started!"
    );

    // The board on another tab loses the server, says so, and comes back by itself.
    let board = d.new_tab();
    d.switch(&board);
    d.go(&format!("{base}/"));
    let live = "const e = document.querySelector('#live-status'); return e && e.classList.contains(arguments[0])";
    d.until("the live notice", live, json!(["is-live"]));
    let addr = server.addr.clone();
    drop(server);
    d.until("the lost-connection notice", live, json!(["is-lost"]));
    assert_eq!(d.text("#live-status"), "Connection lost, reconnecting…");
    let server = support::start_serve_on(dir.path(), &addr);
    d.until("the reconnection", live, json!(["is-live"]));
    d.until(
        "the board after the restart",
        "return document.querySelectorAll('#board-body tr').length >= 10",
        json!([]),
    );
    drop(server);
}

/// Controls without an accessible name (label, text, aria-label, aria-labelledby or title),
/// among the visible ones.
const UNNAMED: &str = r#"
const bad = [];
for (const e of document.querySelectorAll('button, input, select, textarea, a[href], summary')) {
  if (e.type === 'hidden' || e.offsetParent === null) continue;
  const by = (e.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
    .map((id) => (document.getElementById(id) || {}).textContent || '').join('');
  const labels = e.labels ? [...e.labels].map((l) => l.textContent).join('') : '';
  const own = ['button', 'a', 'summary'].includes(e.localName) ? e.textContent : '';
  const name = [e.getAttribute('aria-label'), by, labels, own, e.getAttribute('title'),
    e.type === 'submit' || e.type === 'button' ? e.value : ''].map((x) => (x || '').trim()).join('');
  if (!name) bad.push(e.outerHTML.slice(0, 160));
}
return bad;
"#;

#[test]
fn every_console_fits_a_phone_and_names_every_control() {
    let Some(d) = Driver::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (server, base, logins) = demo(dir.path());
    let login = |role: &str| logins.iter().find(|l| l["role"] == role).unwrap().clone();
    d.cmd(
        "POST",
        "/window/rect",
        Some(json!({"width": 390, "height": 844})),
    );
    let check = |page: &str| {
        for lang in ["vi", "en"] {
            d.click(&format!("[data-lang={lang}]"));
            std::thread::sleep(Duration::from_millis(300));
            let width = d.js("return document.documentElement.scrollWidth", json!([]));
            let inner = d.js("return window.innerWidth", json!([]));
            assert!(
                width.as_i64().unwrap() <= inner.as_i64().unwrap(),
                "{page} ({lang}) is {width} px wide on a {inner} px phone"
            );
            let unnamed = d.js(UNNAMED, json!([]));
            assert_eq!(
                unnamed,
                json!([]),
                "{page} ({lang}): controls without a name"
            );
        }
    };
    d.go(&format!("{base}/"));
    d.until(
        "the board rows",
        "return document.querySelectorAll('#board-body tr').length >= 12",
        json!([]),
    );
    check("the board");
    d.go(&format!("{base}/team"));
    d.sign_in(&login("team"));
    d.until(
        "the challenges",
        "return document.querySelectorAll('article.challenge').length > 0",
        json!([]),
    );
    check("the team page");
    d.screenshot("team-phone");
    d.click("#logout");
    d.go(&format!("{base}/judge"));
    d.sign_in(&login("judge"));
    d.until(
        "the judge console",
        "return document.querySelector('#judge-heading') && !document.querySelector('#console').hidden",
        json!([]),
    );
    check("the judge console");
    d.click("#logout");
    let org = login("organiser");
    d.go(&format!("{base}/organiser"));
    d.until(
        "the sign-in form",
        "return !document.querySelector('#login-view').hidden",
        json!([]),
    );
    d.type_into("#org-username", org["username"].as_str().unwrap());
    d.type_into("#org-password", org["password"].as_str().unwrap());
    d.click("#org-login-submit");
    d.until(
        "the console",
        "return !document.querySelector('#org-view').hidden && document.querySelector('#clock-status').dataset.status === 'running'",
        json!([]),
    );
    check("the organiser console");
    d.screenshot("organiser-phone");
    // Vietnamese in monospace (the scenario editor, the audit log) uses a font that places its
    // accents right, and that font is on this machine.
    let font = d.js(
        "const f = getComputedStyle(document.getElementById('scenario-text')).fontFamily; \
         return {family: f, available: document.fonts.check('16px \"DejaVu Sans Mono\"', 'Tiếng Việt ệ ặ ữ')}",
        json!([]),
    );
    assert!(
        font["family"]
            .as_str()
            .unwrap()
            .starts_with("\"DejaVu Sans Mono\""),
        "{font}"
    );
    assert_eq!(font["available"], true, "{font}");
    drop(server);
}

/// The board at a phone, a laptop and a full-HD screen, in both languages: nothing scrolls
/// sideways or is cut off, the total of every team is on screen, and on the laptop the first
/// rows of the board are above the fold.
#[test]
fn the_board_fits_a_phone_a_laptop_and_full_hd_in_both_languages() {
    let Some(d) = Driver::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (server, base, _) = demo(dir.path());
    d.go(&format!("{base}/"));
    d.until(
        "the board rows",
        "return document.querySelectorAll('#board-body tr.team-row').length >= 12",
        json!([]),
    );
    let measure = "const wraps = [...document.querySelectorAll('main .table-wrap')].filter(w => w.offsetParent !== null); \
        const cut = wraps.filter(w => w.scrollWidth > w.clientWidth + 1).map(w => (w.querySelector('table') || w).id + ' ' + w.scrollWidth + '>' + w.clientWidth); \
        const totals = [...document.querySelectorAll('#board-body tr.team-row td.score')]; \
        const off = totals.filter(td => td.getBoundingClientRect().right > window.innerWidth + 1).length; \
        const first = document.querySelector('#board-body tr.team-row'); \
        return {cut, off, page: document.documentElement.scrollWidth, inner: window.innerWidth, \
                firstRowTop: first.getBoundingClientRect().top + window.scrollY, height: window.innerHeight};";
    for (w, h) in [(390, 844), (1366, 768), (1920, 1080)] {
        d.cmd(
            "POST",
            "/window/rect",
            Some(json!({"width": w, "height": h})),
        );
        for lang in ["vi", "en"] {
            d.click(&format!("[data-lang={lang}]"));
            std::thread::sleep(Duration::from_millis(300));
            let m = d.js(measure, json!([]));
            d.screenshot(&format!("board-{w}-{lang}"));
            assert_eq!(m["cut"], json!([]), "{w}px {lang}: a table is cut off: {m}");
            assert_eq!(m["off"], 0, "{w}px {lang}: totals off the screen: {m}");
            assert!(
                m["page"].as_f64().unwrap() <= m["inner"].as_f64().unwrap(),
                "{w}px {lang}: the page scrolls sideways: {m}"
            );
            if w >= 1366 {
                assert!(
                    m["firstRowTop"].as_f64().unwrap() + 40.0 < m["height"].as_f64().unwrap(),
                    "{w}px {lang}: the board starts below the fold: {m}"
                );
            }
            d.screenshot(&format!("board-{w}-{lang}"));
        }
    }
    drop(server);
}

//! Drill-day hardening: a crowd on every write path at once, sign-in floods, limits that hold
//! under concurrency, sessions that end when they should, control characters, probes for
//! unreleased challenges, disqualified teams, and recovery from a store that refuses writes.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use drillboard_api::conn::Peer;
use drillboard_api::ops;
use drillboard_scenario::Team;
use serde_json::{Value, json};
use tokio::sync::Barrier;

use crate::both;
use crate::helpers::{Backend, Drill, SCENARIO, T0, TestApp, json_request, send_to};

both!(
    a_crowd_on_every_write_path_gets_2xx,
    wrong_logins_at_once_are_limited_exactly,
    wrong_flags_at_once_are_limited_exactly,
    staff_are_not_locked_out_by_a_guesser,
    sessions_end_on_reset_disable_and_sign_out,
    control_characters_are_refused_by_field,
    unreleased_challenges_answer_as_missing,
    disqualified_teams_cannot_submit,
    scenarios_over_http_run_only_confined_checkers,
    alias_bombs_are_refused_over_http,
);

/// Run `n` requests released at once by a barrier; returns (status, body) of each.
async fn at_once<F, Fut>(n: usize, f: F) -> Vec<(StatusCode, Value)>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = (StatusCode, Value)> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let f = Arc::new(f);
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (barrier, f) = (barrier.clone(), f.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                f(i).await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn statuses(results: &[(StatusCode, Value)]) -> Vec<u16> {
    let mut s: Vec<u16> = results.iter().map(|r| r.0.as_u16()).collect();
    s.sort();
    s.dedup();
    s
}

/// 63 teams (the ACID size): 60 more beside alpha, bravo and charlie. Returns the API token of
/// every team, the three first included.
async fn sixty_three_teams(d: &Drill) -> Vec<(String, String)> {
    let more: Vec<Team> = (0..60)
        .map(|i| {
            serde_json::from_value(
                json!({"id": format!("p{i:02}"), "name": format!("Tỉnh {i:02}"), "organisation": "Sở TT&TT", "members": [], "networks": []}),
            )
            .unwrap()
        })
        .collect();
    let creds = ops::create_teams(&d.app.state, &more, "test")
        .await
        .unwrap();
    let mut tokens: Vec<(String, String)> = ["alpha", "bravo", "charlie"]
        .iter()
        .map(|t| ((*t).to_owned(), d.token_of(t).to_owned()))
        .collect();
    tokens.extend(
        creds
            .into_iter()
            .map(|c| (c.username, c.team_token.unwrap())),
    );
    assert_eq!(tokens.len(), 63);
    tokens
}

async fn a_crowd_on_every_write_path_gets_2xx(backend: Backend) {
    let d = Drill::started(backend).await;
    let tokens = Arc::new(sixty_three_teams(&d).await);
    d.app.set_time(T0 + 44 * 60_000); // the deface report is due at 55 min
    let app = Arc::new(d.app.router.clone());
    let send =
        |app: Arc<axum::Router>, method: Method, path: String, token: String, body: Value| {
            send_to(
                (*app).clone(),
                json_request(method, &path, Some(&token), Some(body)),
            )
        };

    // Every team submits its report in the same instant.
    let (a, t) = (app.clone(), tokens.clone());
    let reports = at_once(63, move |i| {
        send(
            a.clone(),
            Method::PUT,
            "/api/v1/injects/deface/report".into(),
            t[i].1.clone(),
            json!({"body": format!("# Báo cáo của đội {i}\n\nWebshell tìm thấy.")}),
        )
    })
    .await;
    assert_eq!(
        statuses(&reports),
        [200],
        "{:?}",
        reports.iter().find(|r| r.0 != 200)
    );
    let (_, all) = d.app.get("/api/v1/reports", Some(&d.organiser)).await;
    assert_eq!(all.as_array().unwrap().len(), 63, "{all}");

    // ... and revises it, again all at once (a second version of each).
    let (a, t) = (app.clone(), tokens.clone());
    let revised = at_once(63, move |i| {
        send(
            a.clone(),
            Method::PUT,
            "/api/v1/injects/deface/report".into(),
            t[i].1.clone(),
            json!({"body": format!("# Báo cáo của đội {i}, bản 2")}),
        )
    })
    .await;
    assert_eq!(statuses(&revised), [200]);
    assert!(
        revised.iter().all(|r| r.1["version"] == 2),
        "{:?}",
        revised[0]
    );

    // Every team solves, and unlocks a hint, in the same instant.
    let (a, t) = (app.clone(), tokens.clone());
    let solves = at_once(63, move |i| {
        send(
            a.clone(),
            Method::POST,
            "/api/v1/challenges/plain/submit".into(),
            t[i].1.clone(),
            json!({"flag": "flag{plain}"}),
        )
    })
    .await;
    assert_eq!(statuses(&solves), [200]);
    assert!(solves.iter().all(|r| r.1["status"] == "accepted"));
    let (a, t) = (app.clone(), tokens.clone());
    let hints = at_once(63, move |i| {
        send(
            a.clone(),
            Method::POST,
            "/api/v1/challenges/web/hints/1/unlock".into(),
            t[i].1.clone(),
            json!({}),
        )
    })
    .await;
    assert_eq!(statuses(&hints), [200], "{:?}", hints[0]);

    // Organisers at once: announcements, adjustments, new tokens.
    let org = d.organiser.clone();
    let a = app.clone();
    let staff = at_once(30, move |i| {
        let (method, path, body) = match i % 3 {
            0 => (
                Method::POST,
                "/api/v1/announcements".to_owned(),
                json!({"text": {"vi": format!("Thông báo {i}"), "en": format!("Notice {i}")}}),
            ),
            1 => (
                Method::POST,
                "/api/v1/adjustments".to_owned(),
                json!({"team": "alpha", "points": 1, "reason": format!("bonus {i}")}),
            ),
            _ => (
                Method::POST,
                "/api/v1/teams/bravo/tokens".to_owned(),
                json!({"label": format!("farm {i}")}),
            ),
        };
        send(a.clone(), method, path, org.clone(), body)
    })
    .await;
    assert!(
        staff.iter().all(|r| r.0.is_success()),
        "{:?}",
        staff.iter().find(|r| !r.0.is_success())
    );
    let (_, alpha) = d
        .app
        .get("/api/v1/scoreboard/teams/alpha", Some(&d.organiser))
        .await;
    assert_eq!(
        alpha["adjustments"].as_array().unwrap().len(),
        10,
        "{alpha}"
    );
    let (_, tokens) = d
        .app
        .get("/api/v1/teams/bravo/tokens", Some(&d.organiser))
        .await;
    assert_eq!(tokens.as_array().unwrap().len(), 11, "{tokens}");
    d.finish().await;
}

/// A login request from `peer` (as the HTTP server would tell), with headers.
async fn login_from(
    app: &TestApp,
    peer: &str,
    headers: &[(&str, &str)],
    username: &str,
    password: &str,
) -> (StatusCode, Value) {
    let body = json!({"username": username, "password": password});
    let mut req = json_request(Method::POST, "/api/v1/auth/login", None, Some(body));
    for (k, v) in headers {
        let name = axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap();
        req.headers_mut().insert(name, v.parse().unwrap());
    }
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(Peer(addr)));
    app.send(req).await
}

async fn wrong_logins_at_once_are_limited_exactly(backend: Backend) {
    let d = Drill::started(backend).await;
    let app = Arc::new(d.app.router.clone());
    let results = at_once(200, move |_| {
        let app = app.clone();
        async move {
            let body = json!({"username": "alpha", "password": "guess"});
            let mut req = json_request(Method::POST, "/api/v1/auth/login", None, Some(body));
            let peer: SocketAddr = "198.51.100.7:5000".parse().unwrap();
            req.extensions_mut().insert(ConnectInfo(Peer(peer)));
            send_to((*app).clone(), req).await
        }
    })
    .await;
    let wrong = results
        .iter()
        .filter(|r| r.0 == StatusCode::UNAUTHORIZED)
        .count();
    let limited = results
        .iter()
        .filter(|r| r.0 == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // Exactly the limit (10 a minute) was checked; the rest never reached the hasher.
    assert_eq!((wrong, limited), (10, 190));
    d.finish().await;
}

async fn wrong_flags_at_once_are_limited_exactly(backend: Backend) {
    let d = Drill::started(backend).await;
    let token = d.token_of("charlie").to_owned();
    let app = Arc::new(d.app.router.clone());
    let results = at_once(200, move |i| {
        let (app, token) = (app.clone(), token.clone());
        async move {
            let body = json!({"flag": format!("guess-{i}")});
            let path = "/api/v1/challenges/web/submit";
            send_to(
                (*app).clone(),
                json_request(Method::POST, path, Some(&token), Some(body)),
            )
            .await
        }
    })
    .await;
    let judged = results.iter().filter(|r| r.0 == StatusCode::OK).count();
    let limited = results
        .iter()
        .filter(|r| r.0 == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((judged, limited), (10, 190));
    let (_, export) = d.app.get("/api/v1/export", Some(&d.organiser)).await;
    let recorded = export["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["team"] == "charlie")
        .count();
    assert_eq!(recorded, 10, "only judged attempts are recorded");
    // A right flag still gets through for another team, and gives nothing back to charlie.
    let (_, b) = d.app.submit(d.team("bravo"), "web", "FLAG{web}").await;
    assert_eq!(b["status"], "accepted");
    d.finish().await;
}

async fn staff_are_not_locked_out_by_a_guesser(backend: Backend) {
    let app = TestApp::with(backend, None, |s| {
        s.trusted_proxies =
            drillboard_api::limits::TrustedProxies(vec!["10.0.0.0/8".parse().unwrap()]);
    })
    .await;
    let d = Drill::started_on(app).await;
    // 15 wrong logins for a team from one address.
    for _ in 0..15 {
        login_from(&d.app, "198.51.100.9", &[], "alpha", "guess").await;
    }
    let (s, _) = login_from(&d.app, "198.51.100.9", &[], "alpha", "guess").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // The organiser at the same address still signs in; so does alpha from elsewhere.
    let (s, b) = login_from(&d.app, "198.51.100.9", &[], "org", "organiser-password").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let alpha_password = d
        .creds
        .iter()
        .find(|c| c.username == "alpha")
        .unwrap()
        .password
        .clone();
    let (s, b) = login_from(&d.app, "198.51.100.10", &[], "alpha", &alpha_password).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // Behind a trusted proxy, each forwarded client has its own count...
    for _ in 0..10 {
        login_from(
            &d.app,
            "10.0.0.1",
            &[("x-forwarded-for", "203.0.113.5")],
            "bravo",
            "x",
        )
        .await;
    }
    let (s, _) = login_from(
        &d.app,
        "10.0.0.1",
        &[("x-forwarded-for", "203.0.113.5")],
        "bravo",
        "x",
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let (s, _) = login_from(
        &d.app,
        "10.0.0.1",
        &[("x-forwarded-for", "203.0.113.6")],
        "bravo",
        "x",
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "another client behind the proxy"
    );
    // ... and a client that is not a trusted proxy cannot choose its address.
    for i in 0..10 {
        let fake = format!("192.0.2.{i}");
        login_from(
            &d.app,
            "198.51.100.20",
            &[("x-forwarded-for", &fake)],
            "charlie",
            "x",
        )
        .await;
    }
    let (s, _) = login_from(
        &d.app,
        "198.51.100.20",
        &[("x-forwarded-for", "192.0.2.99")],
        "charlie",
        "x",
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    d.finish().await;
}

async fn sessions_end_on_reset_disable_and_sign_out(backend: Backend) {
    let d = Drill::started(backend).await;
    let (s, _) = d.app.get("/api/v1/marking", Some(&d.judge)).await;
    assert_eq!(s, StatusCode::OK);
    // A password reset ends the judge's sessions at once.
    let (s, cred) = d
        .app
        .post(
            "/api/v1/users/judy/reset-password",
            Some(&d.organiser),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{cred}");
    let (s, b) = d.app.get("/api/v1/marking", Some(&d.judge)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sign in again")
    );
    let fresh = d
        .app
        .login("judy", cred["password"].as_str().unwrap())
        .await;
    let (s, _) = d.app.get("/api/v1/marking", Some(&fresh)).await;
    assert_eq!(s, StatusCode::OK);

    // Disabling a team login ends its sessions and its sign-ins; enabling allows sign-ins again.
    let alpha_password = d
        .creds
        .iter()
        .find(|c| c.username == "alpha")
        .unwrap()
        .password
        .clone();
    let (s, _) = d
        .app
        .post("/api/v1/users/alpha/disable", Some(&d.organiser), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = d.app.get("/api/v1/challenges", Some(d.team("alpha"))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(
        b["error"]["message"].as_str().unwrap().contains("disabled"),
        "{b}"
    );
    let (s, _) = d
        .app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "alpha", "password": alpha_password}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = d
        .app
        .post("/api/v1/users/alpha/enable", Some(&d.organiser), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = d.app.get("/api/v1/challenges", Some(d.team("alpha"))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "old sessions stay ended");
    let again = d.app.login("alpha", &alpha_password).await;

    // Sign out everywhere: this session and every other one of the login.
    let other = d.app.login("alpha", &alpha_password).await;
    let (s, _) = d
        .app
        .post("/api/v1/auth/logout-everywhere", Some(&again), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    for t in [&again, &other] {
        let (s, _) = d.app.get("/api/v1/me", Some(t)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // An organiser cannot disable their own login; unknown logins are 404.
    let (s, _) = d
        .app
        .post("/api/v1/users/org/disable", Some(&d.organiser), json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = d
        .app
        .post(
            "/api/v1/users/nobody/disable",
            Some(&d.organiser),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = d
        .app
        .post(
            "/api/v1/users/judy/disable",
            Some(d.team("bravo")),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    d.finish().await;
}

async fn control_characters_are_refused_by_field(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.set_time(T0 + 20 * 60_000);
    let org = d.organiser.clone();
    let alpha = d.team("alpha").to_owned();
    let nul = "a\u{0}b";
    let cases: Vec<(Method, &str, Option<&str>, Value, &str)> = vec![
        (
            Method::POST,
            "/api/v1/auth/login",
            None,
            json!({"username": nul, "password": "x"}),
            "username",
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            None,
            json!({"username": "org", "password": nul}),
            "password",
        ),
        (
            Method::POST,
            "/api/v1/challenges/web/submit",
            Some(&alpha),
            json!({"flag": nul}),
            "flag",
        ),
        (
            Method::POST,
            "/api/v1/teams",
            Some(&org),
            json!([{"id": "zz", "name": nul}]),
            "[0].name",
        ),
        (
            Method::PUT,
            "/api/v1/injects/deface/report",
            Some(&alpha),
            json!({"body": format!("ok\n{nul}")}),
            "body",
        ),
        (
            Method::POST,
            "/api/v1/teams/alpha/tokens",
            Some(&org),
            json!({"label": nul}),
            "label",
        ),
        (
            Method::POST,
            "/api/v1/adjustments",
            Some(&org),
            json!({"team": "alpha", "points": 1, "reason": nul}),
            "reason",
        ),
        (
            Method::POST,
            "/api/v1/announcements",
            Some(&org),
            json!({"text": {"vi": "x\u{1b}[31m", "en": "x"}}),
            "text.vi",
        ),
        (
            Method::POST,
            "/api/v1/teams/alpha/disqualify",
            Some(&org),
            json!({"reason": "x\u{7f}yz"}),
            "reason",
        ),
    ];
    for (method, path, token, body, field) in cases {
        let (s, b) = d.app.call(method.clone(), path, token, Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{method} {path}: {b}");
        assert_eq!(b["error"]["code"], "control_character", "{path}: {b}");
        assert_eq!(b["error"]["field"], field, "{path}: {b}");
    }
    // In the address and the query string.
    for (path, field) in [
        ("/api/v1/challenges/we%00b/submit", "path"),
        ("/api/v1/teams/al%1Fpha/tokens", "path"),
        ("/api/v1/scoreboard?at=2026%00", "query"),
    ] {
        let (s, b) = d
            .app
            .call(Method::POST, path, Some(&alpha), Some(json!({"flag": "x"})))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {b}");
        assert_eq!(b["error"]["field"], field, "{path}: {b}");
    }
    // A YAML or CSV body: the line and column.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/teams/import")
        .header(header::AUTHORIZATION, format!("Bearer {org}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from("name,organisation,members\nTeam\u{0}X,Sở,\n"))
        .unwrap();
    let (s, b) = d.app.send(req).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["field"], "body (line 2, column 5)", "{b}");
    // A YAML escape that decodes to one: refused with its line, whatever the database.
    let yaml = SCENARIO.replace(r#"name: "Bravo""#, r#"name: "Bra\0vo""#);
    assert_ne!(yaml, SCENARIO);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/scenario/validate")
        .header(header::AUTHORIZATION, format!("Bearer {org}"))
        .header(header::CONTENT_TYPE, "application/yaml")
        .body(Body::from(yaml))
        .unwrap();
    let (s, b) = d.app.send(req).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.to_string().contains("U+0000"), "{b}");
    // Line ends and tabs are text, not control characters; nothing was stored by the above.
    let (s, b) = d
        .app
        .call(
            Method::PUT,
            "/api/v1/injects/deface/report",
            Some(&alpha),
            Some(json!({"body": "line 1\r\n\tline 2"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["version"], 1);
    let (_, teams) = d.app.get("/api/v1/teams", Some(&org)).await;
    assert_eq!(teams.as_array().unwrap().len(), 3);
    d.finish().await;
}

async fn unreleased_challenges_answer_as_missing(backend: Backend) {
    let d = Drill::started(backend).await;
    let t = d.team("alpha");
    // `late` opens after an hour, `locked` after `web` is solved; `nope` does not exist.
    let mut answers = Vec::new();
    for id in ["late", "locked", "nope"] {
        let (s, b) = d.app.submit(t, id, "FLAG{x}").await;
        let msg = b["error"]["message"].as_str().unwrap().replace(id, "ID");
        answers.push((s, b["error"]["code"].clone(), msg));
        let (s2, b2) = d
            .app
            .post(
                &format!("/api/v1/challenges/{id}/hints/1/unlock"),
                Some(t),
                json!({}),
            )
            .await;
        answers.push((
            s2,
            b2["error"]["code"].clone(),
            b2["error"]["message"].as_str().unwrap().replace(id, "ID"),
        ));
    }
    assert_eq!(answers[0].0, StatusCode::NOT_FOUND);
    assert!(
        answers.iter().step_by(2).all(|a| *a == answers[0]),
        "{answers:?}"
    );
    assert!(
        answers.iter().skip(1).step_by(2).all(|a| *a == answers[1]),
        "{answers:?}"
    );
    d.finish().await;
}

async fn disqualified_teams_cannot_submit(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.set_time(T0 + 20 * 60_000);
    let (s, _) = d
        .app
        .post(
            "/api/v1/teams/alpha/disqualify",
            Some(&d.organiser),
            json!({"reason": "attacked the scoring server"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = d.app.submit(d.team("alpha"), "web", "FLAG{web}").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("disqualified"),
        "{b}"
    );
    let (s, _) = d
        .app
        .post(
            "/api/v1/challenges/web/hints/1/unlock",
            Some(d.team("alpha")),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = d
        .app
        .call(
            Method::PUT,
            "/api/v1/injects/deface/report",
            Some(d.team("alpha")),
            Some(json!({"body": "late work"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // Reinstated, the team plays again.
    let (s, _) = d
        .app
        .post(
            "/api/v1/teams/alpha/reinstate",
            Some(&d.organiser),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, b) = d.app.submit(d.team("alpha"), "web", "FLAG{web}").await;
    assert_eq!(b["status"], "accepted");
    d.finish().await;
}

const AD_SCENARIO: &str = r#"
version: 1
exercise: {id: ad, title: AD, timezone: Asia/Ho_Chi_Minh, start: 2026-12-01T08:00:00+07:00, duration: 2h}
teams: [{id: alpha, name: Alpha}, {id: bravo, name: Bravo}]
attack_defense: {round_length: 30s, flag_lifetime: 3}
services:
  - id: notes
    checker: CHECKER
    timeout: 5s
    host: "{team}.drill.internal:8080"
"#;

async fn scenarios_over_http_run_only_confined_checkers(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("notes")).unwrap();
    std::fs::write(dir.path().join("notes/checker.py"), "print()").unwrap();
    let checkers = dir.path().to_owned();
    let app = TestApp::with(backend, None, move |s| s.checkers_dir = Some(checkers)).await;
    ops::create_user(
        &app.state,
        "org",
        drillboard_api::auth::Role::Organiser,
        Some("organiser-password".into()),
        "t",
    )
    .await
    .unwrap();
    let org = app.login("org", "organiser-password").await;
    let put = |yaml: String| {
        let req = Request::builder()
            .method(Method::PUT)
            .uri("/api/v1/scenario")
            .header(header::AUTHORIZATION, format!("Bearer {org}"))
            .header(header::CONTENT_TYPE, "application/yaml")
            .body(Body::from(yaml))
            .unwrap();
        app.send(req)
    };
    for evil in [
        "[/bin/sh, -c, 'touch /tmp/pwned', x]",
        "[python3, -c, 'import os']",
        "[python3, ../../etc/passwd]",
        "[curl, http://example.invalid/x]",
    ] {
        let (s, b) = put(AD_SCENARIO.replace("CHECKER", evil)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{evil}: {b}");
        let problem = &b["error"]["problems"][0];
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("service `notes`"),
            "{b}"
        );
        assert!(
            problem["hint"].as_str().unwrap().contains("checker folder"),
            "{b}"
        );
    }
    let (s, b) = put(AD_SCENARIO.replace("CHECKER", "[python3, notes/checker.py]")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let checker = app.state.live().scenario.as_ref().unwrap().services[0]
        .checker
        .clone();
    let expected = dir.path().canonicalize().unwrap().join("notes/checker.py");
    assert_eq!(
        checker,
        ["python3".to_owned(), expected.display().to_string()]
    );
    app.finish().await;
}

async fn alias_bombs_are_refused_over_http(backend: Backend) {
    let d = Drill::loaded(backend).await;
    let mut yaml = String::from("version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        yaml.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{p}"); 10].join(", ")
        ));
    }
    let started = std::time::Instant::now();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/scenario/validate")
        .header(header::AUTHORIZATION, format!("Bearer {}", d.organiser))
        .header(header::CONTENT_TYPE, "application/yaml")
        .body(Body::from(yaml))
        .unwrap();
    let (s, b) = d.app.send(req).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.to_string().contains("expands to more than"), "{b}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    d.finish().await;
}

both!(writes_recover_by_themselves_after_a_storage_fault);

/// A way to make the database refuse writes for a while: a full disk (SQLite on a small tmpfs)
/// or an injected error (PostgreSQL: a trigger raising `disk_full`).
enum Fault {
    Disk { mount: tempfile::TempDir },
    Trigger,
}

impl Fault {
    /// Prepare; `None` when this machine cannot mount a tmpfs (not root) and CI is not running.
    fn prepare(backend: Backend) -> Option<Fault> {
        if backend == Backend::Postgres {
            return Some(Fault::Trigger);
        }
        let mount = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=48m", "tmpfs"])
            .arg(mount.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("CI").is_none(),
                "the disk-full test needs to mount a tmpfs (root) under CI"
            );
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        Some(Fault::Disk { mount })
    }

    fn sqlite_dir(&self) -> Option<&std::path::Path> {
        match self {
            Fault::Disk { mount } => Some(mount.path()),
            Fault::Trigger => None,
        }
    }

    async fn start(&self, app: &TestApp) {
        match self {
            Fault::Disk { mount } => {
                // An empty write-ahead log, so that every write needs new space.
                app.state
                    .store()
                    .execute_admin("PRAGMA wal_checkpoint(TRUNCATE)")
                    .await
                    .unwrap();
                use std::io::Write;
                let mut f = std::fs::File::create(mount.path().join("filler")).unwrap();
                let block = vec![0u8; 1 << 20];
                while f.write_all(&block).is_ok() {}
                let _ = f.write_all(&[0u8; 4096]);
                let _ = f.sync_all();
            }
            Fault::Trigger => {
                let store = app.state.store();
                store
                    .execute_admin(
                        "CREATE FUNCTION drillboard_fault() RETURNS trigger AS $$ BEGIN \
                         RAISE EXCEPTION 'injected: no space left on device' USING ERRCODE = 'disk_full'; \
                         END $$ LANGUAGE plpgsql",
                    )
                    .await
                    .unwrap();
                for table in ["report_versions", "announcements", "health_probe", "events"] {
                    store
                        .execute_admin(&format!(
                            "CREATE TRIGGER fault_{table} BEFORE INSERT OR UPDATE ON {table} \
                             FOR EACH ROW EXECUTE FUNCTION drillboard_fault()"
                        ))
                        .await
                        .unwrap();
                }
            }
        }
    }

    async fn end(&self, app: &TestApp) {
        match self {
            Fault::Disk { mount } => std::fs::remove_file(mount.path().join("filler")).unwrap(),
            Fault::Trigger => app
                .state
                .store()
                .execute_admin("DROP FUNCTION drillboard_fault() CASCADE")
                .await
                .unwrap(),
        }
    }
}

impl Drop for Fault {
    fn drop(&mut self) {
        if let Fault::Disk { mount } = self {
            let _ = std::process::Command::new("umount")
                .arg(mount.path())
                .status();
        }
    }
}

async fn writes_recover_by_themselves_after_a_storage_fault(backend: Backend) {
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    let Some(fault) = Fault::prepare(backend) else {
        return;
    };
    let app = TestApp::with(backend, fault.sqlite_dir(), |_| {}).await;
    let d = Drill::started_on(app).await;
    d.app.set_time(T0 + 20 * 60_000);
    assert_eq!(d.app.get("/readyz", None).await.0, StatusCode::OK);

    // Teams keep revising their reports (30 KB each) the whole time; every acknowledged
    // version is remembered, with when it was acknowledged.
    let acked: Arc<Mutex<Vec<(String, i64, Instant)>>> = Arc::default();
    let seen: Arc<Mutex<Vec<(u16, Instant)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (router, acked, seen, stop) = (
            d.app.router.clone(),
            acked.clone(),
            seen.clone(),
            stop.clone(),
        );
        let tokens: Vec<(String, String)> = ["alpha", "bravo", "charlie"]
            .iter()
            .map(|t| ((*t).to_owned(), d.token_of(t).to_owned()))
            .collect();
        tokio::spawn(async move {
            let mut i = 0usize;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) && i < 5000 {
                let (team, token) = &tokens[i % 3];
                let body = json!({"body": format!("{i}\n{}", "x".repeat(30_000))});
                let path = "/api/v1/injects/deface/report";
                let req = json_request(Method::PUT, path, Some(token), Some(body));
                let (status, v) = send_to(router.clone(), req).await;
                let status = status.as_u16();
                if status == 200 {
                    acked.lock().unwrap().push((
                        team.clone(),
                        v["version"].as_i64().unwrap(),
                        Instant::now(),
                    ));
                }
                seen.lock().unwrap().push((status, Instant::now()));
                i += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;

    fault.start(&d.app).await;
    let fault_at = Instant::now();
    // Writes fail (503, never 500) and the server says it is not ready.
    let deadline = fault_at + Duration::from_secs(10);
    loop {
        let failed = seen
            .lock()
            .unwrap()
            .iter()
            .any(|(s, t)| *t > fault_at && *s == 503);
        if failed {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no write failed during the fault"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Readiness turns (its answer is shared for a second, so within about one).
    let b = loop {
        let (s, b) = d.app.get("/readyz", None).await;
        if s == StatusCode::SERVICE_UNAVAILABLE {
            break b;
        }
        assert!(
            Instant::now() < deadline,
            "still ready during the fault: {b}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(b["checks"]["write"]["ok"], false, "{b}");
    assert_eq!(b["checks"]["read"]["ok"], true, "{b}");
    tokio::time::sleep(Duration::from_secs(2)).await;

    fault.end(&d.app).await;
    let freed = Instant::now();
    // Within 5 s writes succeed again and the server is ready, with no restart.
    let recovered = loop {
        let ok = acked.lock().unwrap().iter().any(|(_, _, t)| *t > freed);
        if ok && d.app.get("/readyz", None).await.0 == StatusCode::OK {
            break freed.elapsed();
        }
        assert!(
            freed.elapsed() < Duration::from_secs(5),
            "writes did not recover within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!("recovered {recovered:?} after the fault ended");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    writer.await.unwrap();

    let statuses: std::collections::BTreeSet<u16> =
        seen.lock().unwrap().iter().map(|(s, _)| *s).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    // Every acknowledged version is stored, exactly once.
    for team in ["alpha", "bravo", "charlie"] {
        let (s, mine) = d
            .app
            .get("/api/v1/injects/deface/report", Some(d.team(team)))
            .await;
        assert_eq!(s, StatusCode::OK, "{mine}");
        let stored: Vec<i64> = mine["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect();
        let expected: Vec<i64> = acked
            .lock()
            .unwrap()
            .iter()
            .filter(|(t, _, _)| t == team)
            .map(|(_, v, _)| *v)
            .collect();
        assert_eq!(
            stored, expected,
            "{team}: stored versions vs acknowledged ones"
        );
    }
    d.finish().await;
}

both!(a_board_behind_the_log_is_rebuilt_by_readiness);

async fn a_board_behind_the_log_is_rebuilt_by_readiness(backend: Backend) {
    let d = Drill::started(backend).await;
    // An event stored behind the live board's back (as if its request died after the commit).
    d.app
        .state
        .store()
        .append_event(drillboard_store::NewEvent {
            at: T0 + 1000,
            team: "bravo".into(),
            kind: drillboard_scoring::EventKind::Adjustment {
                points: 7.0,
                reason: "stored behind the board's back".into(),
            },
            actor: Some("test".into()),
        })
        .await
        .unwrap();
    let score = |d: &Drill| {
        let live = d.app.state.live();
        let s = live.standings(None).unwrap();
        s.standings
            .iter()
            .find(|r| &*r.team == "bravo")
            .unwrap()
            .score
    };
    assert_eq!(score(&d), 0.0);
    let (s, b) = d.app.get("/readyz", None).await;
    if backend == Backend::Postgres {
        // Replicas may store events this process never sees: the check is SQLite's only.
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(b["checks"]["live"].is_null(), "{b}");
    } else {
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{b}");
        assert_eq!(b["checks"]["live"]["ok"], false, "{b}");
        // One answer is shared for a second; the next one sees the rebuilt board.
        let (s2, _) = d.app.get("/readyz", None).await;
        assert_eq!(s2, StatusCode::SERVICE_UNAVAILABLE, "shared for a second");
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let (s, b) = d.app.get("/readyz", None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(score(&d), 7.0, "the board was rebuilt from the log");
    }
    d.finish().await;
}

both!(the_write_ahead_log_is_emptied_by_a_checkpoint);

async fn the_write_ahead_log_is_emptied_by_a_checkpoint(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let d = Drill::started_on(TestApp::with(backend, Some(dir.path()), |_| {}).await).await;
    d.app.set_time(T0 + 20 * 60_000);
    let store = d.app.state.store().clone();
    let before = store.write_activity();
    for i in 0..20 {
        let body = json!({"body": format!("{i}\n{}", "y".repeat(90_000))});
        let (s, _) = d
            .app
            .call(
                Method::PUT,
                "/api/v1/injects/deface/report",
                Some(d.team("alpha")),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    let wal = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
            .find(|f| f.file_name().to_string_lossy().ends_with(".db-wal"))
            .map(|f| f.metadata().unwrap().len())
    };
    match backend {
        Backend::Sqlite => {
            assert!(store.write_activity() >= before + 20, "writes are counted");
            assert!(wal().unwrap() > 1_500_000, "{:?}", wal());
            let (log, done) = store.checkpoint(true).await.unwrap().unwrap();
            assert_eq!(log, done, "every frame checkpointed");
            assert_eq!(wal(), Some(0), "the log is emptied");
            // Nothing was lost on the way.
            let (_, mine) = d
                .app
                .get("/api/v1/injects/deface/report", Some(d.team("alpha")))
                .await;
            assert_eq!(mine["versions"].as_array().unwrap().len(), 20);
        }
        Backend::Postgres => assert_eq!(store.checkpoint(true).await.unwrap(), None),
    }
    d.finish().await;
}

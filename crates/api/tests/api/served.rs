//! The board is served from bytes made once per change: the served board equals one computed
//! from the engine after any sequence of events, a 304 comes only when nothing a reader sees has
//! changed, and the gzip copy is the same board.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, Drill, T0, board_rows, json_request, send_to};

both!(
    the_served_board_equals_the_computed_one_after_any_events,
    not_modified_only_while_nothing_changed,
    compact_rows_movement_first_solves_and_breakdowns,
    a_crowd_after_a_change_sees_the_change,
);

/// The served live board, and the same board computed for this request at the moment it shows
/// (a board with `?at=` is never cached).
async fn served_and_computed(d: &Drill, token: Option<&str>) -> (Value, Value) {
    let (s, served) = d.app.get("/api/v1/scoreboard", token).await;
    assert_eq!(s, StatusCode::OK, "{served}");
    let at = served["as_of"].as_str().unwrap();
    let (s, computed) = d
        .app
        .get(&format!("/api/v1/scoreboard?at={at}"), Some(&d.organiser))
        .await;
    assert_eq!(s, StatusCode::OK, "{computed}");
    (served, computed)
}

/// A property over random sequences of plays, adjustments and time: one fixed sequence, and
/// one from a new seed every run (printed on failure, to replay it).
async fn the_served_board_equals_the_computed_one_after_any_events(backend: Backend) {
    let fresh = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    for seed in [0x5eed_d811_b0a4_d001, fresh | 1] {
        served_equals_computed(backend, seed).await;
    }
}

async fn served_equals_computed(backend: Backend, seed: u64) {
    let d = Drill::started(backend).await;
    let teams = ["alpha", "bravo", "charlie"];
    let first_seed = seed;
    let mut seed = seed;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for step in 0..40 {
        d.app.advance(30_000 + next(120_000) as i64);
        let team = teams[next(3) as usize];
        let (what, s) = match next(6) {
            0 => (
                "solve web",
                d.app.submit(d.team(team), "web", "FLAG{web}").await.0,
            ),
            1 => {
                let flag = format!("FLAG{{dyn-{}}}", next(100));
                (
                    "solve dyn",
                    d.app.submit(d.team(team), "dyn", &flag).await.0,
                )
            }
            2 => (
                "wrong flag",
                d.app.submit(d.team(team), "plain", "nope").await.0,
            ),
            3 => {
                let path = "/api/v1/challenges/web/hints/1/unlock";
                (
                    "hint",
                    d.app.post(path, Some(d.team(team)), json!({})).await.0,
                )
            }
            4 => {
                let points = (next(20) as f64 + 1.0) * if next(2) == 0 { 1.0 } else { -1.0 };
                let body =
                    json!({"team": team, "points": points, "reason": format!("step {step}")});
                (
                    "adjustment",
                    d.app
                        .post("/api/v1/adjustments", Some(&d.organiser), body)
                        .await
                        .0,
                )
            }
            _ => ("nothing", StatusCode::OK),
        };
        assert!(
            s.is_success() || s == StatusCode::TOO_MANY_REQUESTS,
            "{what}: {s}"
        );
        // The organiser's live view and the public view (frozen in the last 30 minutes).
        let (served, computed) = served_and_computed(&d, Some(&d.organiser)).await;
        assert_eq!(
            served, computed,
            "seed {first_seed:#x}, step {step} ({what})"
        );
        // Each team's breakdown likewise, and it agrees with its row of the board.
        for (i, team) in teams.iter().enumerate() {
            let path = format!("/api/v1/scoreboard/teams/{team}");
            let (_, mut one) = d.app.get(&path, Some(&d.organiser)).await;
            let at = format!("{path}?at=2099-01-01T00:00:00Z");
            let (_, mut again) = d.app.get(&at, Some(&d.organiser)).await;
            one.as_object_mut().unwrap().remove("as_of");
            again.as_object_mut().unwrap().remove("as_of");
            assert_eq!(one, again, "seed {first_seed:#x}, step {step}: {team}");
            let row = board_rows(&served)
                .into_iter()
                .find(|r| r["team"]["id"] == *team)
                .unwrap();
            for k in [
                "rank",
                "score",
                "components",
                "solves",
                "reached_at",
                "team",
            ] {
                assert_eq!(one[k], row[k], "step {step}: {team} {k}");
            }
            // Rebuilt from the store: a fresh engine fed the whole log serves the same bytes.
            if step % 10 == 9 && i == 0 {
                let (_, before) = d.app.get("/api/v1/scoreboard", Some(&d.organiser)).await;
                let (_, history) = d
                    .app
                    .get("/api/v1/scoreboard/history", Some(&d.organiser))
                    .await;
                d.app.state.reload().await.unwrap();
                let (_, after) = d.app.get("/api/v1/scoreboard", Some(&d.organiser)).await;
                assert_eq!(
                    before, after,
                    "seed {first_seed:#x}, step {step}: rebuilt board"
                );
                let (_, rebuilt) = d
                    .app
                    .get("/api/v1/scoreboard/history", Some(&d.organiser))
                    .await;
                assert_eq!(
                    history, rebuilt,
                    "seed {first_seed:#x}, step {step}: rebuilt history"
                );
            }
        }
        let (_, public) = d.app.get("/api/v1/scoreboard", None).await;
        let frozen = public["frozen"].as_bool().unwrap();
        if !frozen {
            let mut public = public;
            public.as_object_mut().unwrap().remove("as_of");
            assert_eq!(public["rows"], computed["rows"], "step {step}");
        }
    }
    d.finish().await;
}

async fn not_modified_only_while_nothing_changed(backend: Backend) {
    let d = Drill::started(backend).await;
    let router = d.app.router.clone();
    let get = |etag: Option<String>, gzip: bool| {
        let router = router.clone();
        async move {
            let mut req = json_request(Method::GET, "/api/v1/scoreboard", None, None);
            if let Some(e) = etag {
                req.headers_mut()
                    .insert(header::IF_NONE_MATCH, e.parse().unwrap());
            }
            if gzip {
                req.headers_mut()
                    .insert(header::ACCEPT_ENCODING, "gzip".parse().unwrap());
            }
            let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
            let status = res.status();
            let etag = res
                .headers()
                .get(header::ETAG)
                .map(|v| v.to_str().unwrap().to_owned());
            let encoding = res.headers().get(header::CONTENT_ENCODING).cloned();
            let bytes = http_body_util::BodyExt::collect(res.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, etag, encoding, bytes)
        }
    };
    let (s, first, _, plain) = get(None, false).await;
    assert_eq!(s, StatusCode::OK);
    let first = first.expect("an ETag");
    // Unchanged: 304 with no body, however much time passes without an event.
    let (s, tag, _, body) = get(Some(first.clone()), false).await;
    assert_eq!(
        (s, tag.as_deref(), body.len()),
        (StatusCode::NOT_MODIFIED, Some(first.as_str()), 0)
    );
    d.app.advance(5 * 60_000);
    assert_eq!(
        get(Some(first.clone()), false).await.0,
        StatusCode::NOT_MODIFIED
    );
    // The gzip copy is the same board.
    let (s, _, encoding, zipped) = get(None, true).await;
    assert_eq!(
        (s, encoding.unwrap()),
        (StatusCode::OK, "gzip".parse().unwrap())
    );
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&zipped[..]),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, plain);
    // A solve changes the board: the old tag gets the new board.
    let (s, _) = d.app.submit(d.team("alpha"), "web", "FLAG{web}").await;
    assert_eq!(s, StatusCode::OK);
    let (s, second, _, _) = get(Some(first.clone()), false).await;
    assert_eq!(s, StatusCode::OK);
    let second = second.unwrap();
    assert_ne!(second, first);
    assert_eq!(
        get(Some(second.clone()), false).await.0,
        StatusCode::NOT_MODIFIED
    );
    // A challenge released by the clock alone (`late`, after an hour) is a change too.
    d.app.set_time(T0 + 61 * 60_000);
    let (s, third, _, body) = get(Some(second.clone()), false).await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(third.unwrap(), second);
    let board: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        board["challenges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "late")
    );
    // The CTFtime feed is served the same way.
    let feed = |etag: Option<String>| {
        let mut req = json_request(Method::GET, "/api/v1/scoreboard/ctftime", None, None);
        if let Some(e) = etag {
            req.headers_mut()
                .insert(header::IF_NONE_MATCH, e.parse().unwrap());
        }
        let router = d.app.router.clone();
        async move {
            let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
            let tag = res
                .headers()
                .get(header::ETAG)
                .map(|v| v.to_str().unwrap().to_owned());
            (res.status(), tag)
        }
    };
    let (s, tag) = feed(None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(feed(tag.clone()).await.0, StatusCode::NOT_MODIFIED);
    let (s, _) = d.app.submit(d.team("bravo"), "web", "FLAG{web}").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(feed(tag).await.0, StatusCode::OK);
    // A staff member's credentials are no reason to serve a stale body either.
    let (s, b) = send_to(
        d.app.router.clone(),
        json_request(Method::GET, "/api/v1/scoreboard", Some(&d.organiser), None),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    d.finish().await;
}

/// The board's rows follow its `columns`; `movement` compares with the chart point at least one
/// step earlier; each challenge names its first solver; a team's breakdown follows the frozen
/// board like the board, and a team that is not on the board is a 404 naming it.
async fn compact_rows_movement_first_solves_and_breakdowns(backend: Backend) {
    let d = Drill::started(backend).await;
    // The drill is 2 h long: chart points every 2 min. Alpha scores first, Bravo passes it later.
    d.app.advance(60_000);
    let (s, _) = d.app.submit(d.team("alpha"), "plain", "flag{plain}").await;
    assert_eq!(s, StatusCode::OK);
    let (_, b) = d.app.get("/api/v1/scoreboard", None).await;
    assert_eq!(
        b["columns"],
        json!([
            "rank",
            "team",
            "name",
            "organisation",
            "score",
            "tasks",
            "reports",
            "attack",
            "defense",
            "sla",
            "adjustments",
            "solves",
            "reached_at",
            "movement"
        ])
    );
    let rows = board_rows(&b);
    assert_eq!(rows[0]["team"]["id"], "alpha");
    assert_eq!(
        rows[0]["movement"],
        Value::Null,
        "no earlier chart point yet: {b}"
    );
    d.app.advance(5 * 60_000);
    let (s, _) = d.app.submit(d.team("bravo"), "web", "FLAG{web}").await;
    assert_eq!(s, StatusCode::OK);
    let (_, b) = d.app.get("/api/v1/scoreboard", None).await;
    let rows = board_rows(&b);
    let by = |id: &str| rows.iter().find(|r| r["team"]["id"] == id).unwrap().clone();
    assert_eq!(by("bravo")["rank"], 1);
    // Four minutes in (the point at least 2 min before 6 min), alpha led and bravo was second.
    assert_eq!(by("bravo")["movement"], 1, "{b}");
    assert_eq!(by("alpha")["movement"], -1, "{b}");
    assert_eq!(by("charlie")["movement"], 0, "{b}");
    let web = b["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "web")
        .unwrap();
    assert_eq!(web["first_solve"]["team"], "bravo", "{web}");
    let dynamic = b["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "dyn")
        .unwrap();
    assert_eq!(dynamic["first_solve"], Value::Null);
    // The breakdown: the solve with its points and time.
    let (s, alpha) = d.app.get("/api/v1/scoreboard/teams/alpha", None).await;
    assert_eq!(s, StatusCode::OK, "{alpha}");
    assert_eq!(alpha["challenges"][0]["challenge"], "plain", "{alpha}");
    assert_eq!(alpha["rank"], 2);
    assert_eq!(alpha["of"], 3);
    let (s, e) = d.app.get("/api/v1/scoreboard/teams/nobody", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("nobody"),
        "{e}"
    );
    // Teams may not look at another time.
    let (s, _) = d
        .app
        .get(
            "/api/v1/scoreboard/teams/alpha?at=2026-12-01T01:00:00Z",
            Some(d.team("alpha")),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // In the freeze (the last 30 min) teams and the public see the breakdown at the freeze.
    d.app.set_time(T0 + 95 * 60_000);
    let (s, _) = d.app.submit(d.team("alpha"), "web", "FLAG{web}").await;
    assert_eq!(s, StatusCode::OK);
    let (_, public) = d
        .app
        .get("/api/v1/scoreboard/teams/alpha", Some(d.team("alpha")))
        .await;
    assert_eq!(public["frozen"], true);
    assert_eq!(
        public["challenges"].as_array().unwrap().len(),
        1,
        "{public}"
    );
    let (_, staff) = d
        .app
        .get("/api/v1/scoreboard/teams/alpha", Some(&d.judge))
        .await;
    assert_eq!(staff["frozen"], false);
    assert_eq!(staff["challenges"].as_array().unwrap().len(), 2, "{staff}");
    d.finish().await;
}

/// 48 readers at once right after each solve (one board built for them all, single-flight):
/// every one of them is answered with a board that holds the solve, the same bytes for all.
async fn a_crowd_after_a_change_sees_the_change(backend: Backend) {
    let d = Drill::started(backend).await;
    let plays = [
        ("alpha", "web", "FLAG{web}"),
        ("bravo", "plain", "flag{plain}"),
        ("charlie", "dyn", "FLAG{dyn-1}"),
        ("bravo", "web", "FLAG{web}"),
        ("alpha", "dyn", "FLAG{dyn-2}"),
        ("charlie", "plain", "flag{plain}"),
    ];
    let mut solved = 0;
    for (team, challenge, flag) in plays {
        d.app.advance(1_000);
        let (s, b) = d.app.submit(d.team(team), challenge, flag).await;
        assert_eq!(b["status"], "accepted", "{s} {b}");
        solved += 1;
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(48));
        let readers: Vec<_> = (0..48)
            .map(|_| {
                let router = d.app.router.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    send_to(
                        router,
                        json_request(Method::GET, "/api/v1/scoreboard", None, None),
                    )
                    .await
                })
            })
            .collect();
        let mut bodies = Vec::new();
        for r in readers {
            let (s, b) = r.await.unwrap();
            assert_eq!(s, StatusCode::OK, "{b}");
            bodies.push(b);
        }
        let solves: i64 = board_rows(&bodies[0])
            .iter()
            .map(|r| r["solves"].as_i64().unwrap())
            .sum();
        assert_eq!(solves, solved, "{}", bodies[0]);
        assert!(bodies.iter().all(|b| *b == bodies[0]));
    }
    d.finish().await;
}

/// The pages and their scripts are served like the board: an ETag (304 on a match) and a gzip
/// copy for clients that take it, with the security headers kept.
#[tokio::test]
async fn pages_and_scripts_have_etags_and_gzip() {
    use std::io::Read;
    let d = Drill::loaded(Backend::Sqlite).await;
    for path in [
        "/",
        "/static/board.js",
        "/static/projector.js",
        "/static/app.css",
    ] {
        let req = |extra: &[(header::HeaderName, &str)]| {
            let mut b = axum::http::Request::builder().uri(path);
            for (k, v) in extra {
                b = b.header(k, *v);
            }
            b.body(axum::body::Body::empty()).unwrap()
        };
        let plain = tower::ServiceExt::oneshot(d.app.router.clone(), req(&[]))
            .await
            .unwrap();
        assert_eq!(plain.status(), StatusCode::OK, "{path}");
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        assert!(
            plain
                .headers()
                .contains_key(header::CONTENT_SECURITY_POLICY)
        );
        let etag = plain.headers()[header::ETAG].to_str().unwrap().to_owned();
        let plain_body = axum::body::to_bytes(plain.into_body(), usize::MAX)
            .await
            .unwrap();
        let zipped = tower::ServiceExt::oneshot(
            d.app.router.clone(),
            req(&[(header::ACCEPT_ENCODING, "gzip, deflate")]),
        )
        .await
        .unwrap();
        assert_eq!(zipped.headers()[header::CONTENT_ENCODING], "gzip", "{path}");
        assert_eq!(zipped.headers()[header::ETAG].to_str().unwrap(), etag);
        let body = axum::body::to_bytes(zipped.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(
            body.len() * 2 < plain_body.len(),
            "{path}: gzip saves little"
        );
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, plain_body, "{path}");
        let again = tower::ServiceExt::oneshot(
            d.app.router.clone(),
            req(&[(header::IF_NONE_MATCH, &etag)]),
        )
        .await
        .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    d.finish().await;
}

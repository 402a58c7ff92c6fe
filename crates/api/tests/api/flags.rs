//! Flag submission: exactly-once credit, flag kinds, rate limits, hints.

use axum::http::StatusCode;
use drillboard_scoring::{Engine, EventKind};
use serde_json::json;

use crate::both;
use crate::helpers::{Backend, Drill};

both!(
    exactly_once_under_concurrency,
    flag_kinds_and_feedback,
    wrong_flags_are_rate_limited,
    hints_are_charged_once,
    prerequisites_hide_challenges,
    replay_equals_live,
    hidden_and_limited_challenges
);

async fn exactly_once_under_concurrency(backend: Backend) {
    let d = Drill::started(backend).await;
    let token = d.team("bravo").to_owned();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let app = d.app.router.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let req = axum::http::Request::post("/api/v1/challenges/web/submit")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(r#"{"flag":"FLAG{web}"}"#))
                .unwrap();
            let res = app.oneshot(req).await.unwrap();
            let status = res.status();
            let bytes = http_body_util::BodyExt::collect(res.into_body())
                .await
                .unwrap()
                .to_bytes();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
            )
        }));
    }
    let mut accepted = 0;
    let mut duplicate = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        match body["status"].as_str().unwrap() {
            "accepted" => accepted += 1,
            "already_solved" => duplicate += 1,
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!((accepted, duplicate), (1, 49));
    let solves = d
        .app
        .state
        .store()
        .events()
        .await
        .unwrap()
        .into_iter()
        .filter(|(e, _)| matches!(e.kind, EventKind::Solve { .. }))
        .count();
    assert_eq!(solves, 1, "exactly one solve event is stored");
    let (_, board) = d.app.board(Some(&d.organiser)).await;
    assert_eq!(
        board[0],
        ("bravo".to_owned(), 120.0),
        "100 points + 20 first blood, credited once"
    );
    d.finish().await;
}

async fn flag_kinds_and_feedback(backend: Backend) {
    let d = Drill::started(backend).await;
    let t = d.team("alpha");
    let (s, b) = d.app.submit(t, "dyn", "FLAG{dyn-12x}").await;
    assert_eq!(
        (s, b["status"].as_str()),
        (StatusCode::OK, Some("incorrect"))
    );
    let (_, b) = d.app.submit(t, "dyn", "  FLAG{dyn-42}\n").await;
    assert_eq!(
        b["status"], "accepted",
        "regex flags match the trimmed submission whole: {b}"
    );
    assert_eq!(b["points"], 500);
    let (_, b) = d.app.submit(t, "plain", "FLAG{PLAIN}").await;
    assert_eq!(b["status"], "accepted", "case-insensitive flag");
    let (_, b) = d.app.submit(t, "web", "flag{web}").await;
    assert_eq!(
        b["status"], "incorrect",
        "static flags are case-sensitive by default"
    );
    let (s, b) = d.app.submit(t, "nope", "x").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, b) = d.app.submit(t, "web", "   ").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["field"], "flag");
    d.finish().await;
}

async fn wrong_flags_are_rate_limited(backend: Backend) {
    let d = Drill::started(backend).await;
    let t = d.team("charlie");
    for i in 0..10 {
        let (s, b) = d.app.submit(t, "web", &format!("guess-{i}")).await;
        assert_eq!(b["status"], "incorrect", "attempt {i}: {s} {b}");
        d.app.advance(1000);
    }
    let (s, b) = d.app.submit(t, "web", "FLAG{web}").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
    assert_eq!(b["error"]["code"], "rate_limited");
    let wait = b["error"]["retry_after"].as_u64().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Other teams are not slowed down.
    let (_, b) = d.app.submit(d.team("bravo"), "web", "wrong").await;
    assert_eq!(b["status"], "incorrect");
    d.app.advance(wait as i64 * 1000);
    let (s, b) = d.app.submit(t, "web", "FLAG{web}").await;
    assert_eq!(
        (s, b["status"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "{b}"
    );
    d.finish().await;
}

async fn hints_are_charged_once(backend: Backend) {
    let d = Drill::started(backend).await;
    let t = d.team("alpha");
    let (_, list) = d.app.get("/api/v1/challenges", Some(t)).await;
    let web = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "web")
        .unwrap();
    assert_eq!(
        web["hints"][0]["content"],
        serde_json::Value::Null,
        "locked hint content is hidden"
    );
    let (s, b) = d
        .app
        .post("/api/v1/challenges/web/hints/1/unlock", Some(t), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["charged"].as_bool(), b["hint"]["content"]["en"].as_str()),
        (Some(true), Some("look closer"))
    );
    assert_eq!(
        b["hint"]["content_html"]["en"], "<p>look closer</p>\n",
        "hints are formatted as Markdown, by the server"
    );
    let (_, b) = d
        .app
        .post("/api/v1/challenges/web/hints/1/unlock", Some(t), json!({}))
        .await;
    assert_eq!(b["charged"], false);
    let (s, _) = d
        .app
        .post("/api/v1/challenges/web/hints/9/unlock", Some(t), json!({}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    d.app.submit(t, "web", "FLAG{web}").await;
    let (_, board) = d.app.board(None).await;
    assert_eq!(board[0], ("alpha".to_owned(), 120.0 - 15.0));
    let (_, list) = d.app.get("/api/v1/challenges", Some(t)).await;
    let web = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "web")
        .unwrap();
    assert_eq!(web["hints"][0]["unlocked"], true);
    assert_eq!(web["solved"], true);
    d.finish().await;
}

async fn prerequisites_hide_challenges(backend: Backend) {
    let d = Drill::started(backend).await;
    let t = d.team("bravo");
    let ids = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let (_, list) = d.app.get("/api/v1/challenges", Some(t)).await;
    assert!(!ids(&list).contains(&"locked".to_owned()));
    let (s, _) = d.app.submit(t, "locked", "FLAG{locked-secret}").await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a locked challenge cannot be solved"
    );
    d.app.submit(t, "web", "FLAG{web}").await;
    let (_, list) = d.app.get("/api/v1/challenges", Some(t)).await;
    assert!(ids(&list).contains(&"locked".to_owned()));
    let (_, b) = d.app.submit(t, "locked", "FLAG{locked-secret}").await;
    assert_eq!(b["status"], "accepted");
    d.finish().await;
}

async fn replay_equals_live(backend: Backend) {
    let d = Drill::started(backend).await;
    let steps = [
        ("alpha", "dyn", "FLAG{dyn-1}"),
        ("bravo", "web", "FLAG{web}"),
        ("charlie", "dyn", "FLAG{dyn-2}"),
        ("bravo", "dyn", "FLAG{dyn-3}"),
        ("alpha", "plain", "flag{plain}"),
        ("bravo", "locked", "FLAG{locked-secret}"),
    ];
    for (team, ch, flag) in steps {
        d.app.advance(30_000);
        let (_, b) = d.app.submit(d.team(team), ch, flag).await;
        assert_eq!(b["status"], "accepted", "{team} {ch}: {b}");
    }
    d.app
        .post(
            "/api/v1/challenges/web/hints/1/unlock",
            Some(d.team("charlie")),
            json!({}),
        )
        .await;
    let (s, b) = d.app.post("/api/v1/adjustments", Some(&d.organiser), json!({"team": "charlie", "points": 42.5, "reason": "helped another team's infrastructure"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let live = d.app.state.live().standings(None).unwrap();
    let config = d.app.state.live().engine.as_ref().unwrap().config().clone();
    let events: Vec<_> = d
        .app
        .state
        .store()
        .events()
        .await
        .unwrap()
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    let replayed = Engine::replay(config, events.iter()).standings(None);
    assert_eq!(*live, replayed);
    // And after a restart (a full reload from the database) the board is the same again.
    d.app.state.reload().await.unwrap();
    assert_eq!(*d.app.state.live().standings(None).unwrap(), replayed);
    let charlie = replayed
        .standings
        .iter()
        .find(|s| &*s.team == "charlie")
        .unwrap();
    assert_eq!(charlie.components.adjustments, 42.5);
    d.finish().await;
}

async fn hidden_and_limited_challenges(backend: Backend) {
    let d = Drill::started(backend).await;
    let extra = r#"  - id: secret
    title: Secret
    value: 10
    flags: ["FLAG{secret}"]
    hidden: true
  - id: limited
    title: Limited
    value: 30
    flags: ["FLAG{limited}"]
    max_attempts: 2
    connection_info: "nc 10.60.0.5 9001"
"#;
    let src = crate::helpers::SCENARIO.replacen("injects:\n", &format!("{extra}injects:\n"), 1);
    let s = drillboard_scenario::load_str(&src, "test.yaml", None).unwrap();
    drillboard_api::ops::load_scenario(&d.app.state, s, src.clone(), "test")
        .await
        .unwrap();
    let t = d.team("alpha");
    let listed = |v: &serde_json::Value, id: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
    };
    // A hidden challenge: not listed, not solvable, not on the public board; staff see it.
    let (_, mine) = d.app.get("/api/v1/challenges", Some(t)).await;
    assert!(listed(&mine, "secret").is_none(), "{mine}");
    let (s, _) = d.app.submit(t, "secret", "FLAG{secret}").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, board) = d.app.get("/api/v1/scoreboard", None).await;
    assert!(!board.to_string().contains("\"secret\""), "{board}");
    let (_, staff) = d.app.get("/api/v1/challenges", Some(&d.judge)).await;
    assert_eq!(listed(&staff, "secret").unwrap()["hidden"], true);
    // A limited challenge: its connection, and the attempts left.
    let limited = listed(&mine, "limited").unwrap();
    assert_eq!(limited["connection_info"], "nc 10.60.0.5 9001");
    assert_eq!(
        (
            limited["max_attempts"].clone(),
            limited["attempts_left"].clone()
        ),
        (json!(2), json!(2))
    );
    for _ in 0..2 {
        let (_, b) = d.app.submit(t, "limited", "FLAG{nope}").await;
        assert_eq!(b["status"], "incorrect", "{b}");
    }
    let (_, mine) = d.app.get("/api/v1/challenges", Some(t)).await;
    assert_eq!(listed(&mine, "limited").unwrap()["attempts_left"], 0);
    // Spent: even the right flag no longer counts, and the reason is named.
    let (s, b) = d.app.submit(t, "limited", "FLAG{limited}").await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_attempts_left")),
        "{b}"
    );
    // Another team's attempts are its own.
    let (_, b) = d
        .app
        .submit(d.team("bravo"), "limited", "FLAG{limited}")
        .await;
    assert_eq!(b["status"], "accepted", "{b}");
    // A challenge with points on the board cannot be hidden afterwards.
    let rehide = src.replace(
        "    max_attempts: 2\n",
        "    max_attempts: 2\n    hidden: true\n",
    );
    let s2 = drillboard_scenario::load_str(&rehide, "test.yaml", None).unwrap();
    let err = drillboard_api::ops::load_scenario(&d.app.state, s2, rehide, "test")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot be hidden"), "{err}");
    d.finish().await;
}

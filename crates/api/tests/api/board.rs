//! The scoreboard: dynamic values, tie-breaks, the frozen board, the CTFtime feed.

use axum::http::StatusCode;
use serde_json::json;

use crate::both;
use crate::helpers::{Backend, Drill, T0, board_rows};

both!(
    dynamic_values_are_retroactive,
    ties_break_by_time_then_name,
    frozen_board_per_role,
    ctftime_feed_shape
);

async fn dynamic_values_are_retroactive(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.submit(d.team("alpha"), "dyn", "FLAG{dyn-1}").await;
    let (_, b) = d.app.board(None).await;
    assert_eq!(b[0], ("alpha".to_owned(), 500.0));
    d.app.advance(1000);
    d.app.submit(d.team("bravo"), "dyn", "FLAG{dyn-2}").await;
    d.app.advance(1000);
    d.app.submit(d.team("charlie"), "dyn", "FLAG{dyn-3}").await;
    // Three solves, k = 2: ceil(500 + (100 - 500) * 4 / 9) = 323 for every solver, the first too.
    let (_, b) = d.app.board(None).await;
    assert_eq!(
        b.iter().map(|r| r.1).collect::<Vec<_>>(),
        [323.0, 323.0, 323.0]
    );
    assert_eq!(
        b.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["alpha", "bravo", "charlie"]
    );
    let (_, full) = d.app.get("/api/v1/scoreboard", None).await;
    let dyn_row = full["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "dyn")
        .unwrap();
    assert_eq!(
        (dyn_row["value"].as_i64(), dyn_row["solves"].as_i64()),
        (Some(323), Some(3))
    );
    d.finish().await;
}

async fn ties_break_by_time_then_name(backend: Backend) {
    let d = Drill::started(backend).await;
    // "Zeta Alpha" sorts after "Bravo" by name, but reaches 50 first.
    d.app.submit(d.team("alpha"), "plain", "flag{plain}").await;
    d.app.advance(5_000);
    d.app.submit(d.team("bravo"), "plain", "flag{plain}").await;
    let (_, b) = d.app.get("/api/v1/scoreboard", None).await;
    let rows = board_rows(&b);
    assert_eq!(rows[0]["team"]["id"], "alpha");
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[0]["of"], 3);
    assert_eq!(rows[1]["team"]["id"], "bravo");
    assert_eq!(rows[0]["score"], rows[1]["score"]);
    // Charlie has nothing yet and comes last; with equal times the name decides.
    assert_eq!(rows[2]["team"]["id"], "charlie");
    d.app
        .submit(d.team("charlie"), "plain", "flag{plain}")
        .await;
    let (_, b) = d.app.board(None).await;
    assert_eq!(
        b.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["alpha", "bravo", "charlie"]
    );
    d.finish().await;
}

async fn frozen_board_per_role(backend: Backend) {
    let d = Drill::started(backend).await;
    let (_, b) = d.app.submit(d.team("alpha"), "web", "FLAG{web}").await;
    // The solver is told its first-blood bonus beside the value (100 + 20 = 120 on the board).
    assert_eq!(
        (b["points"].as_i64(), b["first_blood_bonus"].as_i64()),
        (Some(100), Some(20)),
        "{b}"
    );
    // The exercise is 2 h long and freezes 30 min before the end.
    d.app.set_time(T0 + 95 * 60_000);
    let (s, b) = d.app.submit(d.team("charlie"), "web", "FLAG{web}").await;
    assert_eq!(
        (s, b["status"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "submissions stay open while frozen"
    );
    // After the freeze, what the solver is told follows its frozen board: no bonus shown.
    assert_eq!(b["first_blood_bonus"], 0, "{b}");
    // Who solved it: the public sees the solvers up to the freeze, staff everyone.
    let (s, public) = d.app.get("/api/v1/scoreboard/challenges/web", None).await;
    assert_eq!(s, StatusCode::OK, "{public}");
    assert_eq!(public["frozen"], true);
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["solvers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["team"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&public), ["alpha"]);
    assert_eq!(public["solvers"][0]["first_blood_bonus"], 20);
    let (_, staff) = d
        .app
        .get("/api/v1/scoreboard/challenges/web", Some(&d.judge))
        .await;
    assert_eq!(names(&staff), ["alpha", "charlie"]);
    let (s, _) = d.app.get("/api/v1/scoreboard/challenges/nope", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let public = d.app.board(None).await;
    let team = d.app.board(Some(d.team("charlie"))).await;
    let organiser = d.app.board(Some(&d.organiser)).await;
    let judge = d.app.board(Some(&d.judge)).await;
    assert!(
        public.0 && team.0,
        "the public and teams see the frozen board"
    );
    assert!(
        !organiser.0 && !judge.0,
        "organisers and judges see it live"
    );
    let score_of = |rows: &Vec<(String, f64)>, id: &str| rows.iter().find(|r| r.0 == id).unwrap().1;
    assert_eq!(score_of(&public.1, "charlie"), 0.0);
    assert_eq!(score_of(&team.1, "charlie"), 0.0);
    assert_eq!(score_of(&organiser.1, "charlie"), 100.0);
    assert_eq!(score_of(&judge.1, "charlie"), 100.0);
    let (s, _) = d
        .app
        .get(
            "/api/v1/scoreboard?at=2026-12-01T08:00:00%2B07:00",
            Some(d.team("alpha")),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "teams cannot time-travel past the freeze"
    );
    let (s, b) = d
        .app
        .get(
            "/api/v1/scoreboard?at=2026-12-01T08:00:00.500%2B07:00",
            Some(&d.judge),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = d
        .app
        .get("/api/v1/scoreboard?at=yesterday", Some(&d.judge))
        .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("at"))
    );
    let (_, ex) = d.app.get("/api/v1/exercise", None).await;
    assert_eq!(ex["frozen"], true);
    // After the announcement the organiser lifts the freeze and everyone sees the final board.
    let (s, _) = d
        .app
        .post("/api/v1/exercise/unfreeze", Some(&d.organiser), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let public = d.app.board(None).await;
    assert!(!public.0);
    assert_eq!(score_of(&public.1, "charlie"), 100.0);
    d.finish().await;
}

async fn ctftime_feed_shape(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.submit(d.team("bravo"), "web", "FLAG{web}").await;
    let (s, b) = d.app.get("/api/v1/scoreboard/ctftime", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        b["tasks"].as_array().unwrap().len(),
        4,
        "the challenge released after 1 h is not listed yet: {b}"
    );
    let (_, public) = d.app.get("/api/v1/scoreboard", None).await;
    let (_, staff) = d.app.get("/api/v1/scoreboard", Some(&d.judge)).await;
    assert_eq!(public["challenges"].as_array().unwrap().len(), 4);
    // Each challenge's category comes in both languages for the pages (the key stays).
    let web = public["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "web")
        .unwrap();
    assert_eq!(
        (web["category"].clone(), web["category_text"].clone()),
        (json!("web"), json!({"vi": "web", "en": "web"}))
    );
    assert_eq!(staff["challenges"].as_array().unwrap().len(), 5);
    let (s, _) = d.app.submit(d.team("alpha"), "late", "FLAG{late}").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not released yet");
    d.app.advance(3_600_000);
    let (_, b) = d.app.submit(d.team("alpha"), "late", "FLAG{late}").await;
    assert_eq!(b["status"], "accepted");
    let (_, b) = d.app.get("/api/v1/scoreboard/ctftime", None).await;
    assert_eq!(b["tasks"].as_array().unwrap().len(), 5);
    let first = &b["standings"][0];
    assert_eq!(first["pos"], 1);
    assert_eq!(first["team"], "Bravo");
    assert_eq!(first["score"], 120.0);
    assert_eq!(first["taskStats"]["Web"]["points"], 120);
    assert_eq!(first["taskStats"]["Web"]["time"], T0 / 1000);
    assert_eq!(first["lastAccept"], T0 / 1000);
    assert_eq!(b["standings"].as_array().unwrap().len(), 3);
    d.finish().await;
}

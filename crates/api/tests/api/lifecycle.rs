//! The exercise clock, scenario loading over the API, team import, audit and export.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, Drill, SCENARIO, T0};

both!(
    every_event_kind_survives_the_database,
    submissions_only_while_running,
    scenario_over_the_api,
    teams_disqualification_audit_and_export,
    a_resume_can_give_back_the_paused_time,
    the_event_log_comes_in_pages
);

async fn submissions_only_while_running(backend: Backend) {
    let d = Drill::loaded(backend).await;
    let t = d.team("alpha");
    let (s, b) = d.app.submit(t, "web", "FLAG{web}").await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("exercise_not_running")),
        "{b}"
    );
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not started")
    );
    let (_, ex) = d.app.get("/api/v1/exercise", None).await;
    assert_eq!(ex["status"], "not_started");
    assert_eq!(ex["timezone"], "Asia/Ho_Chi_Minh");
    d.app.set_time(T0);
    let org = Some(d.organiser.as_str());
    assert_eq!(
        d.app.post("/api/v1/exercise/start", org, json!({})).await.0,
        StatusCode::OK
    );
    let (s, b) = d.app.post("/api/v1/exercise/start", org, json!({})).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("wrong_state"))
    );
    let (_, b) = d.app.post("/api/v1/exercise/pause", org, json!({})).await;
    assert_eq!(b["status"], "paused");
    let (s, b) = d.app.submit(t, "web", "FLAG{web}").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        b["error"]["message"].as_str().unwrap().contains("paused"),
        "{b}"
    );
    d.app.post("/api/v1/exercise/resume", org, json!({})).await;
    let (_, b) = d.app.submit(t, "web", "FLAG{web}").await;
    assert_eq!(b["status"], "accepted");
    // Past the end time the exercise is over by itself; extending reopens it.
    d.app.set_time(T0 + 2 * 3_600_000 + 1);
    let (s, b) = d.app.submit(t, "plain", "flag{plain}").await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (s, b) = d
        .app
        .post("/api/v1/exercise/extend", org, json!({"minutes": 15}))
        .await;
    assert_eq!(
        (s, b["status"].as_str()),
        (StatusCode::OK, Some("running")),
        "{b}"
    );
    let (_, b) = d.app.submit(t, "plain", "flag{plain}").await;
    assert_eq!(b["status"], "accepted");
    let (_, b) = d.app.post("/api/v1/exercise/end", org, json!({})).await;
    assert_eq!(b["status"], "ended");
    let (s, _) = d.app.submit(d.team("bravo"), "plain", "flag{plain}").await;
    assert_eq!(s, StatusCode::CONFLICT);
    d.finish().await;
}

async fn yaml(
    app: &crate::helpers::TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: String,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/yaml")
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn scenario_over_the_api(backend: Backend) {
    let d = Drill::started(backend).await;
    let org = d.organiser.clone();
    let broken = SCENARIO
        .replace("duration: 2h", "duration: 2 hours")
        .replace("category: web", "category: web\n    colour: red");
    let (s, b) = yaml(
        &d.app,
        Method::POST,
        "/api/v1/scenario/validate",
        &org,
        broken.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let problems = b["error"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{b}");
    assert!(
        problems
            .iter()
            .all(|p| p["line"].as_u64().unwrap() > 0 && p["column"].as_u64().unwrap() > 0)
    );
    let (s, _) = yaml(&d.app, Method::PUT, "/api/v1/scenario", &org, broken).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, b) = yaml(
        &d.app,
        Method::POST,
        "/api/v1/scenario/validate",
        &org,
        SCENARIO.to_owned(),
    )
    .await;
    assert_eq!((s, b["valid"].as_bool()), (StatusCode::OK, Some(true)));
    // Reloading with a new challenge and a new team keeps the clock and the scores.
    d.app.submit(d.team("alpha"), "web", "FLAG{web}").await;
    d.app.submit(d.team("alpha"), "plain", "flag{plain}").await;
    let more = SCENARIO
        .replace(
            "  - {id: charlie,",
            "  - {id: delta, name: \"Delta\"}\n  - {id: charlie,",
        )
        .replace(
            "challenges:\n",
            "challenges:\n  - {id: extra, title: Extra, value: 10, flags: [\"e\"]}\n",
        );
    let (s, b) = yaml(&d.app, Method::PUT, "/api/v1/scenario", &org, more).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["credentials"].as_array().unwrap().len(),
        1,
        "only the new team gets a login: {b}"
    );
    assert_eq!(b["credentials"][0]["username"], "delta");
    let (_, ex) = d.app.get("/api/v1/exercise", None).await;
    assert_eq!(ex["status"], "running");
    let (_, board) = d.app.board(None).await;
    assert_eq!(board.len(), 4);
    assert_eq!(board[0], ("alpha".to_owned(), 170.0));
    // A challenge that already has solves cannot disappear.
    let fewer = SCENARIO.replace(
        "  - id: plain\n    title: Plain\n",
        "  - id: plain2\n    title: Plain\n",
    );
    assert_ne!(fewer, SCENARIO);
    let (s, b) = yaml(&d.app, Method::PUT, "/api/v1/scenario", &org, fewer).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("challenge_in_use")),
        "{b}"
    );
    let other = SCENARIO.replace("id: test-drill", "id: other-drill");
    let (s, b) = yaml(&d.app, Method::PUT, "/api/v1/scenario", &org, other).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (_, board) = d.app.board(None).await;
    assert_eq!(
        board[0],
        ("alpha".to_owned(), 170.0),
        "a refused load changes nothing"
    );
    d.finish().await;
}

async fn teams_disqualification_audit_and_export(backend: Backend) {
    let d = Drill::started(backend).await;
    let org = Some(d.organiser.as_str());
    let csv =
        "name,organisation,members\nĐội Cần Thơ,Sở TTTT Cần Thơ,An;Bình\nĐội Huế,Sở TTTT Huế,\n";
    let req = Request::post("/api/v1/teams/import")
        .header(header::AUTHORIZATION, format!("Bearer {}", d.organiser))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv))
        .unwrap();
    let (s, b) = d.app.send(req).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let creds = b["credentials"].as_array().unwrap();
    assert_eq!(creds.len(), 2);
    assert_eq!(creds[0]["username"], "doi-can-tho");
    let new_team = d
        .app
        .login("doi-can-tho", creds[0]["password"].as_str().unwrap())
        .await;
    let (_, b) = d.app.submit(&new_team, "plain", "flag{plain}").await;
    assert_eq!(b["status"], "accepted");
    let (s, b) = d
        .app
        .post(
            "/api/v1/teams",
            org,
            json!([{"name": "Đội Cần Thơ", "id": "cantho2"}]),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("team_name_taken")),
        "{b}"
    );

    d.app.submit(d.team("bravo"), "web", "FLAG{web}").await;
    let (s, _) = d
        .app
        .post(
            "/api/v1/teams/bravo/disqualify",
            org,
            json!({"reason": "attacked the scoring server"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, board) = d.app.board(None).await;
    assert!(board.iter().all(|r| r.0 != "bravo"));
    assert_eq!(board.len(), 4);
    d.app
        .post("/api/v1/teams/bravo/reinstate", org, json!({}))
        .await;
    let (_, board) = d.app.board(None).await;
    assert_eq!(board[0], ("bravo".to_owned(), 120.0));

    let (_, events) = d.app.get("/api/v1/events?team=bravo", Some(&d.judge)).await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["solve", "disqualify", "reinstate"]);
    let (_, audit) = d.app.get("/api/v1/audit", org).await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for a in [
        "scenario.load",
        "team.create",
        "user.create",
        "exercise.clock",
        "event.append",
    ] {
        assert!(actions.contains(&a), "audit log lacks {a}: {actions:?}");
    }
    let (s, export) = d.app.get("/api/v1/export", org).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(export["format"], "drillboard-export/1");
    assert_eq!(export["events"].as_array().unwrap().len(), 4);
    assert_eq!(export["teams"].as_array().unwrap().len(), 5);
    let text = export.to_string();
    assert!(
        !text.contains("$argon2"),
        "no password hashes in the export"
    );
    assert!(
        !text.contains(d.token_of("alpha")),
        "no tokens in the export"
    );
    d.finish().await;
}

async fn every_event_kind_survives_the_database(backend: Backend) {
    use drillboard_scoring::{EventKind, ServiceState};
    use drillboard_store::NewEvent;
    let app = crate::helpers::TestApp::empty(backend).await;
    let kinds = vec![
        EventKind::Solve {
            challenge: "web".into(),
        },
        EventKind::HintUnlock {
            challenge: "web".into(),
            hint: "1".into(),
        },
        EventKind::Adjustment {
            points: -2.5,
            reason: "late start".into(),
        },
        EventKind::Disqualify {
            reason: "attacked the scoreboard".into(),
        },
        EventKind::Reinstate,
        EventKind::ReportGraded {
            inject: "deface".into(),
            criteria: vec![("detect".into(), 7.5), ("contain".into(), 5.0)],
            submitted_at: 1_234,
        },
        EventKind::GradesReleased {
            inject: "deface".into(),
        },
        EventKind::FlagCaptured {
            service: "web".into(),
            victim: "bravo".into(),
            round: 42,
            place: 2,
        },
        EventKind::ServiceChecked {
            service: "web".into(),
            round: 42,
            state: ServiceState::Recovering,
        },
        EventKind::RoundVoided {
            service: "web".into(),
            round: 41,
        },
    ];
    for (i, kind) in kinds.iter().enumerate() {
        let e = app
            .state
            .store()
            .append_event(NewEvent {
                at: 1_000 + i as i64,
                team: "alpha".into(),
                kind: kind.clone(),
                actor: Some("test".into()),
            })
            .await
            .unwrap();
        assert_eq!(&e.kind, kind);
    }
    let stored: Vec<_> = app
        .state
        .store()
        .events()
        .await
        .unwrap()
        .into_iter()
        .map(|(e, _)| e.kind)
        .collect();
    assert_eq!(stored, kinds);
    app.finish().await;
}

async fn a_resume_can_give_back_the_paused_time(backend: Backend) {
    let d = Drill::started(backend).await;
    let org = Some(d.organiser.as_str());
    let (_, ex) = d.app.get("/api/v1/exercise", None).await;
    let (ends, freeze) = (ex["ends_at"].clone(), ex["freeze_at"].clone());
    // Pause and freeze carry a reason into the audit log.
    let (s, b) = d
        .app
        .post(
            "/api/v1/exercise/pause",
            org,
            json!({"reason": "mất điện phòng máy"}),
        )
        .await;
    assert_eq!(
        (s, b["status"].as_str()),
        (StatusCode::OK, Some("paused")),
        "{b}"
    );
    // Only resume extends; a reason has a limit; nothing else is accepted.
    for (action, body, field) in [
        ("freeze", json!({"extend": true}), "extend"),
        ("resume", json!({"reason": "x".repeat(501)}), "reason"),
        ("resume", json!({"extend": "yes"}), ""),
        ("resume", json!({"why": "no"}), ""),
    ] {
        let (s, b) = d
            .app
            .post(&format!("/api/v1/exercise/{action}"), org, body)
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{action}: {b}");
        if !field.is_empty() {
            assert_eq!(b["error"]["field"], field, "{b}");
        }
    }
    d.app.advance(12 * 60_000 + 345);
    let (s, b) = d
        .app
        .post(
            "/api/v1/exercise/resume",
            org,
            json!({"extend": true, "reason": "điện đã có lại"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let ms = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp_millis()
    };
    assert_eq!(
        ms(&b["ends_at"]) - ms(&ends),
        12 * 60_000 + 345,
        "the end moves by the pause"
    );
    assert_eq!(
        ms(&b["freeze_at"]) - ms(&freeze),
        12 * 60_000 + 345,
        "a freeze to come moves too"
    );
    let (_, audit) = d.app.get("/api/v1/audit", org).await;
    let clock: Vec<&serde_json::Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "exercise.clock")
        .collect();
    let pause = clock
        .iter()
        .find(|a| a["detail"]["action"] == "pause")
        .unwrap();
    assert_eq!(pause["detail"]["reason"], "mất điện phòng máy");
    let resume = clock
        .iter()
        .find(|a| a["detail"]["action"] == "resume")
        .unwrap();
    assert_eq!(resume["detail"]["extended_ms"], 12 * 60_000 + 345);
    assert_eq!(resume["detail"]["reason"], "điện đã có lại");
    // A plain resume leaves the end where it is.
    d.app.post("/api/v1/exercise/pause", org, json!({})).await;
    d.app.advance(60_000);
    let (_, b2) = d.app.post("/api/v1/exercise/resume", org, json!({})).await;
    assert_eq!(b2["ends_at"], b["ends_at"]);
    d.finish().await;
}

async fn the_event_log_comes_in_pages(backend: Backend) {
    let d = Drill::started(backend).await;
    let org = Some(d.organiser.as_str());
    d.app.submit(d.team("alpha"), "web", "FLAG{web}").await;
    d.app.submit(d.team("bravo"), "web", "FLAG{web}").await;
    for i in 0..5 {
        let (s, b) = d
            .app
            .post(
                "/api/v1/adjustments",
                org,
                json!({"team": "charlie", "points": i + 1, "reason": "bonus for the write-up"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (_, all) = d.app.get("/api/v1/events", org).await;
    let all = all.as_array().unwrap().clone();
    assert_eq!(all.len(), 7, "the whole log, oldest first, without a limit");
    // Newest first, three at a time, until the log ends.
    let mut seen = Vec::new();
    let mut path = "/api/v1/events?limit=3".to_owned();
    loop {
        let (s, page) = d.app.get(&path, org).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let page = page.as_array().unwrap().clone();
        if page.is_empty() {
            break;
        }
        let last = page.last().unwrap()["seq"].as_i64().unwrap();
        seen.extend(page.iter().map(|e| e["seq"].as_i64().unwrap()));
        path = format!("/api/v1/events?limit=3&before={last}");
    }
    let mut want: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    want.reverse();
    assert_eq!(seen, want);
    // By type and team.
    let (_, adj) = d
        .app
        .get("/api/v1/events?type=adjustment&limit=2", org)
        .await;
    let adj = adj.as_array().unwrap();
    assert_eq!(adj.len(), 2);
    assert!(adj.iter().all(|e| e["event"]["type"] == "adjustment"));
    assert_eq!(adj[0]["event"]["points"], 5.0, "the newest first");
    let (_, solves) = d
        .app
        .get("/api/v1/events?type=solve&team=bravo&limit=10", org)
        .await;
    assert_eq!(solves.as_array().unwrap().len(), 1);
    let (_, typed) = d.app.get("/api/v1/events?type=solve", org).await;
    assert_eq!(typed.as_array().unwrap().len(), 2, "a type without a page");
    // Mistakes are named.
    for (q, field) in [
        ("type=capture", "type"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("before=5", "before"),
    ] {
        let (s, b) = d.app.get(&format!("/api/v1/events?{q}"), org).await;
        assert_eq!(
            (s, b["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{q}: {b}"
        );
    }
    let (s, _) = d.app.get("/api/v1/events?_=1733650000", org).await;
    assert_eq!(s, StatusCode::OK, "a cache buster is ignored, as before");
    d.finish().await;
}

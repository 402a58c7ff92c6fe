//! Two servers on one PostgreSQL database behave as one: a solve, an adjustment, a clock change
//! or an announcement made through either reaches the other's board and event stream, and a
//! crowd sent through both at once leaves both boards equal to a replay of the event log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use drillboard_api::changes::Kind;
use serde_json::json;

use crate::helpers::{Backend, Drill, TestApp};

/// Wait (at most 20 s) until `check` holds on `app`.
async fn eventually<F, Fut>(what: &str, app: &TestApp, check: F)
where
    F: Fn(TestApp2) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        if check(TestApp2(app.router.clone())).await {
            return;
        }
        assert!(Instant::now() < until, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A router to send requests to from inside a closure.
#[derive(Clone)]
struct TestApp2(axum::Router);

impl TestApp2 {
    async fn board(&self) -> Vec<(String, f64)> {
        let req =
            crate::helpers::json_request(axum::http::Method::GET, "/api/v1/scoreboard", None, None);
        let (status, body) = crate::helpers::send_to(self.0.clone(), req).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        crate::helpers::board_rows(&body)
            .iter()
            .map(|s| {
                (
                    s["team"]["id"].as_str().unwrap().to_owned(),
                    s["score"].as_f64().unwrap(),
                )
            })
            .collect()
    }
}

fn score(board: &[(String, f64)], team: &str) -> f64 {
    board.iter().find(|(t, _)| t == team).map_or(0.0, |r| r.1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgres_serve_one_drill() {
    let d = Drill::started(Backend::Postgres).await;
    let b = d.app.replica().await;
    let follow_a = tokio::spawn(drillboard_api::follow::run(d.app.state.clone()));
    let follow_b = tokio::spawn(drillboard_api::follow::run(b.state.clone()));
    let mut stream_b = b.state.changes().subscribe();

    // A solve through A reaches B's board and B's open streams.
    let (s, body) = d.app.submit(d.team("alpha"), "web", "FLAG{web}").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "accepted");
    eventually("the solve on B", &b, |r| async move {
        score(&r.board().await, "alpha") > 0.0
    })
    .await;
    let kinds = tokio::time::timeout(
        Duration::from_secs(20),
        stream_b.next(Duration::from_millis(10)),
    )
    .await
    .expect("B's stream heard of the solve")
    .unwrap();
    assert!(kinds.contains(&Kind::Scoreboard), "{kinds:?}");

    // Sessions work on both; an adjustment through B reaches A.
    let (s, body) = b
        .post(
            "/api/v1/adjustments",
            Some(&d.organiser),
            json!({"team": "bravo", "points": 7, "reason": "checked by the lead judge"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    eventually("the adjustment on A", &d.app, |r| async move {
        score(&r.board().await, "bravo") == 7.0
    })
    .await;

    // A crowd through both at once: every acknowledged submission counted once.
    let barrier = Arc::new(tokio::sync::Barrier::new(12));
    let mut tasks = Vec::new();
    for i in 0..12 {
        let app = if i % 2 == 0 {
            d.app.router.clone()
        } else {
            b.router.clone()
        };
        let team = ["alpha", "bravo", "charlie"][i % 3];
        let token = d.team(team).to_owned();
        let (challenge, flag) = [
            ("plain", "flag{plain}"),
            ("web", "FLAG{web}"),
            ("dyn", "FLAG{dyn-7}"),
            ("web", "FLAG{no}"),
        ][i % 4];
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let req = crate::helpers::json_request(
                axum::http::Method::POST,
                &format!("/api/v1/challenges/{challenge}/submit"),
                Some(&token),
                Some(json!({"flag": flag})),
            );
            crate::helpers::send_to(app, req).await
        }));
    }
    for t in tasks {
        let (s, body) = t.await.unwrap();
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    // Both boards settle on what a fresh server reads from the log.
    let fresh = d.app.replica().await;
    let want = TestApp2(fresh.router.clone()).board().await;
    assert!(score(&want, "charlie") > 0.0, "{want:?}");
    for (name, app) in [("A", &d.app), ("B", &b)] {
        let want = want.clone();
        eventually(&format!("{name} equals a replay"), app, move |r| {
            let want = want.clone();
            async move { r.board().await == want }
        })
        .await;
    }

    // A clock change and an announcement through A reach B.
    let (s, body) = d
        .app
        .post(
            "/api/v1/exercise/freeze",
            Some(&d.organiser),
            json!({"reason": "rehearsal"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    eventually("the freeze on B", &b, |r| async move {
        let req =
            crate::helpers::json_request(axum::http::Method::GET, "/api/v1/exercise", None, None);
        let (_, ex) = crate::helpers::send_to(r.0.clone(), req).await;
        ex["frozen"] == true
    })
    .await;
    let mut stream_b = b.state.changes().subscribe();
    let (s, body) = d
        .app
        .post(
            "/api/v1/announcements",
            Some(&d.organiser),
            json!({"text": {"vi": "Nghỉ 10 phút", "en": "Break for 10 minutes"}}),
        )
        .await;
    assert!(s.is_success(), "{body}");
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let kinds = tokio::time::timeout(
            until.saturating_duration_since(Instant::now()),
            stream_b.next(Duration::from_millis(10)),
        )
        .await
        .expect("B's stream heard of the announcement")
        .unwrap();
        if kinds.contains(&Kind::Announcements) {
            break;
        }
    }

    follow_a.abort();
    follow_b.abort();
    fresh.finish().await;
    b.finish().await;
    d.finish().await;
}

/// Wait (at most 30 s) until the last round of `app`'s database is `number` with `status`.
async fn round_is(app: &TestApp, number: i64, status: &str) {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(r) = app.state.store().last_round().await.unwrap()
            && i64::from(r.number) == number
            && r.status == status
        {
            return;
        }
        assert!(
            Instant::now() < until,
            "round {number} never became {status}: {:?}",
            app.state.store().rounds().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ticker_moves_to_another_replica_when_its_holder_dies() {
    // Every check takes a second, so a round is under way when the ticker's holder dies.
    let src = r#"
version: 1
exercise:
  id: election
  title: Election
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 2h
teams:
  - {id: alpha, name: Alpha}
  - {id: bravo, name: Bravo}
attack_defense:
  round_length: 30s
services:
  - id: notes
    checker: [sh, -c, 'sleep 1; exit 101', checker]
    timeout: 5s
    host: "{team}.drill.internal"
"#;
    let (a, _, _) = TestApp::started_with(Backend::Postgres, src).await;
    let b = a.replica().await;
    let ticker_a = tokio::spawn(drillboard_api::game::ticker::run(a.state.clone()));
    round_is(&a, 1, "done").await;
    // B stands by: A keeps playing, B plays nothing.
    let ticker_b = tokio::spawn(drillboard_api::game::ticker::run(b.state.clone()));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    a.advance(30_000);
    round_is(&a, 2, "done").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(a.state.store().rounds().await.unwrap().len(), 2);
    // A dies in the middle of round 3 (its connection, and with it the lock, goes).
    a.advance(30_000);
    round_is(&a, 3, "running").await;
    ticker_a.abort();
    // B takes over: round 3 is closed as interrupted (its verdicts never counted), round 4 is
    // played when due.
    round_is(&b, 3, "interrupted").await;
    a.advance(30_000);
    round_is(&b, 4, "done").await;
    let rounds = b.state.store().rounds().await.unwrap();
    let seen: Vec<(u32, &str)> = rounds
        .iter()
        .map(|r| (r.number as u32, r.status.as_str()))
        .collect();
    assert_eq!(
        seen,
        [(1, "done"), (2, "done"), (3, "interrupted"), (4, "done")]
    );
    // Round 4's verdicts exist once per team; no round has verdicts twice.
    for n in [1, 2, 4] {
        assert_eq!(
            b.state.store().checks_in(n).await.unwrap().len(),
            2,
            "round {n}"
        );
    }
    assert!(b.state.store().checks_in(3).await.unwrap().is_empty());
    ticker_b.abort();
    b.finish().await;
    a.finish().await;
}

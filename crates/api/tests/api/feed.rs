//! What keeps pages live: the change stream (and its silence about scores while frozen),
//! announcements, the score history of the board's chart, and the list of logins.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::both;
use crate::helpers::{Backend, Drill, T0};

both!(
    the_stream_tells_what_changed_and_keeps_quiet_about_scores_while_frozen,
    announcements_are_checked_listed_and_audited,
    the_history_follows_the_board_and_its_freeze,
    organisers_list_logins,
    results_export_as_csv,
    adjustments_show_their_reasons_on_the_board,
    the_clock_alone_tells_pages_when_the_board_freezes_and_the_drill_ends
);

/// An open event stream.
struct Stream(Body);

impl Stream {
    async fn open(d: &Drill) -> Stream {
        let req = Request::get("/api/v1/stream").body(Body::empty()).unwrap();
        let res = d.app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Stream(res.into_body())
    }

    /// The next event's (name, data), or None if nothing comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<(String, Value)> {
        loop {
            let frame = tokio::time::timeout(wait, self.0.frame()).await.ok()?;
            let frame = frame.expect("stream ended").unwrap();
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let text = String::from_utf8(data.to_vec()).unwrap();
            let mut name = None;
            let mut body = None;
            for line in text.lines() {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = Some(n.to_owned());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    body = Some(serde_json::from_str(d).unwrap());
                }
            }
            // Keep-alive comments have neither.
            if let (Some(n), Some(b)) = (name, body) {
                return Some((n, b));
            }
        }
    }

    async fn update(&mut self) -> Vec<String> {
        let (name, data) = self
            .next(Duration::from_secs(5))
            .await
            .expect("an update within 5 s");
        assert_eq!(name, "update", "{data}");
        data["what"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_owned())
            .collect()
    }
}

async fn announce(d: &Drill, token: &str, body: Value) -> (StatusCode, Value) {
    d.app.post("/api/v1/announcements", Some(token), body).await
}

async fn the_stream_tells_what_changed_and_keeps_quiet_about_scores_while_frozen(backend: Backend) {
    let d = Drill::started(backend).await;
    let mut s = Stream::open(&d).await;
    let (name, hello) = s.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(name, "hello");
    assert!(hello["at"].is_string());

    let (st, b) = announce(
        &d,
        &d.organiser,
        json!({"text": {"vi": "Chào", "en": "Hi"}}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(s.update().await, ["announcements"]);

    let (st, b) = d.app.submit(d.team("alpha"), "web", "FLAG{web}").await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(s.update().await, ["scoreboard"]);

    // Frozen: the clock change is told, the scores that follow are not.
    let (st, b) = d
        .app
        .post("/api/v1/exercise/freeze", Some(&d.organiser), json!({}))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(s.update().await, ["exercise"]);
    let (st, b) = d.app.submit(d.team("bravo"), "web", "FLAG{web}").await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(s.next(Duration::from_millis(600)).await, None);
    announce(&d, &d.organiser, json!({"text": {"en": "Frozen"}})).await;
    assert_eq!(s.update().await, ["announcements"]);

    // Unfrozen: scores are told again.
    d.app
        .post("/api/v1/exercise/unfreeze", Some(&d.organiser), json!({}))
        .await;
    assert_eq!(s.update().await, ["exercise"]);
    d.app.submit(d.team("charlie"), "web", "FLAG{web}").await;
    assert_eq!(s.update().await, ["scoreboard"]);

    // Shutting down ends every stream (the server's graceful stop must not wait for pages).
    d.app.state.changes().close();
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(f) = s.0.frame().await {
            f.unwrap();
        }
    })
    .await;
    assert!(end.is_ok(), "the stream did not end on close");
    d.finish().await;
}

async fn announcements_are_checked_listed_and_audited(backend: Backend) {
    let d = Drill::started(backend).await;
    let (st, _) = announce(&d, d.team("alpha"), json!({"text": {"en": "fake"}})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = d
        .app
        .post(
            "/api/v1/announcements",
            None,
            json!({"text": {"en": "anon"}}),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, b) = announce(&d, &d.organiser, json!({"text": {"vi": "  ", "en": ""}})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["field"], "text", "{b}");
    let long = "x".repeat(2001);
    let (st, b) = announce(&d, &d.organiser, json!({"text": {"vi": long}})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["field"], "text.vi", "{b}");
    let (st, b) = announce(&d, &d.organiser, json!({"text": {"en": "x"}, "extra": 1})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    // PostgreSQL cannot store a NUL: refused with the field, not a 500.
    let (st, b) = announce(&d, &d.organiser, json!({"text": {"en": "a\u{0}b"}})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["field"], "text.en", "{b}");

    d.app.advance(60_000);
    let (st, first) = announce(
        &d,
        &d.organiser,
        json!({"text": {"vi": "Bắt đầu vòng 2", "en": "Round 2 starts"}}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{first}");
    d.app.advance(60_000);
    let (_, second) = announce(&d, &d.organiser, json!({"text": {"en": " Only English "}})).await;
    assert_eq!(second["text"], json!({"vi": "", "en": "Only English"}));

    let (st, list) = d.app.get("/api/v1/announcements", None).await;
    assert_eq!(st, StatusCode::OK);
    let list = list["announcements"].as_array().unwrap();
    assert_eq!(list.len(), 2, "the refused ones were not stored");
    assert_eq!(list[0]["id"], second["id"], "newest first");
    assert_eq!(list[1]["text"]["vi"], "Bắt đầu vòng 2");
    assert_eq!(list[1]["at"], "2026-12-01T01:01:00.000Z");

    let (_, audit) = d.app.get("/api/v1/audit", Some(&d.organiser)).await;
    let created = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "announcement.create")
        .count();
    assert_eq!(created, 2, "{audit}");
    d.finish().await;
}

/// (team, [scores]) of the history as `token` sees it.
async fn history(d: &Drill, token: Option<&str>, top: usize) -> (Value, Vec<(String, Vec<f64>)>) {
    let (st, b) = d
        .app
        .get(&format!("/api/v1/scoreboard/history?top={top}"), token)
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let series = b["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["team"].as_str().unwrap().to_owned(),
                s["points"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["score"].as_f64().unwrap())
                    .collect(),
            )
        })
        .collect();
    (b, series)
}

async fn the_history_follows_the_board_and_its_freeze(backend: Backend) {
    let d = Drill::started(backend).await;
    for bad in ["0", "21", "x"] {
        let (st, b) = d
            .app
            .get(&format!("/api/v1/scoreboard/history?top={bad}"), None)
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "top={bad}: {b}");
    }
    // 2 h exercise: a sample every 2 minutes from the start.
    d.app.set_time(T0 + 5 * 60_000);
    d.app.submit(d.team("bravo"), "web", "FLAG{web}").await;
    d.app.set_time(T0 + 9 * 60_000);
    d.app.submit(d.team("alpha"), "plain", "flag{plain}").await;
    d.app.set_time(T0 + 10 * 60_000 + 30_000);
    let (body, series) = history(&d, None, 2).await;
    assert_eq!(body["frozen"], false);
    let (_, board) = d.app.board(None).await;
    // The top two, in rank order, each ending at its board score.
    assert_eq!(series.len(), 2);
    for ((team, points), (bteam, bscore)) in series.iter().zip(&board) {
        assert_eq!(team, bteam);
        assert_eq!(points.last(), Some(bscore));
    }
    // Samples at 0, 2, 4, 6, 8 minutes, then the last change (9 min; the chart draws on to now):
    // bravo (web + first blood) from 6 min.
    assert_eq!(body["as_of"], "2026-12-01T01:09:00.000Z");
    let bravo = &series.iter().find(|(t, _)| t == "bravo").unwrap().1;
    assert_eq!(bravo, &[0.0, 0.0, 0.0, 120.0, 120.0, 120.0]);
    let alpha = &series.iter().find(|(t, _)| t == "alpha").unwrap().1;
    assert_eq!(alpha, &[0.0, 0.0, 0.0, 0.0, 0.0, 50.0]);
    // Nothing changes while no event comes: the same bytes, and 304 for a current copy.
    d.app.set_time(T0 + 11 * 60_000);
    let (again, _) = history(&d, None, 2).await;
    assert_eq!(again, body);

    // After the freeze (at 1 h 30), the public history stops at the freeze; staff see on.
    d.app.set_time(T0 + 100 * 60_000);
    d.app.submit(d.team("charlie"), "web", "FLAG{web}").await;
    let (body, public) = history(&d, None, 3).await;
    assert_eq!(body["frozen"], true);
    assert_eq!(body["as_of"], "2026-12-01T02:30:00.000Z");
    let charlie =
        |s: &[(String, Vec<f64>)]| s.iter().find(|(t, _)| t == "charlie").unwrap().1.clone();
    assert_eq!(*charlie(&public).last().unwrap(), 0.0);
    let (body, staff) = history(&d, Some(&d.judge), 3).await;
    assert_eq!(body["frozen"], false);
    assert!(*charlie(&staff).last().unwrap() > 0.0);
    // The cached past samples are the same for both.
    assert_eq!(charlie(&public)[..10], charlie(&staff)[..10]);
    // After the end (2 h), an adjustment still counts: the history ends on the final board.
    d.app.set_time(T0 + 130 * 60_000);
    d.app
        .post("/api/v1/exercise/unfreeze", Some(&d.organiser), json!({}))
        .await;
    let (st, b) = d
        .app
        .post(
            "/api/v1/adjustments",
            Some(&d.organiser),
            json!({"team": "charlie", "points": 7, "reason": "late bonus"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (body, after) = history(&d, None, 3).await;
    assert_eq!(body["as_of"], "2026-12-01T03:10:00.000Z");
    let (_, board) = d.app.board(None).await;
    for (team, points) in &after {
        let score = board.iter().find(|(t, _)| t == team).unwrap().1;
        assert_eq!(points.last(), Some(&score), "{team}");
    }
    // 60 samples over the 2 h (none after the end), then the moment shown.
    assert_eq!(after[0].1.len(), 61);
    d.finish().await;
}

async fn organisers_list_logins(backend: Backend) {
    let d = Drill::started(backend).await;
    let (st, _) = d.app.get("/api/v1/users", Some(&d.judge)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, b) = d.app.get("/api/v1/users", Some(&d.organiser)).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let users = b["users"].as_array().unwrap();
    let find = |name: &str| users.iter().find(|u| u["username"] == name).unwrap();
    assert_eq!(find("org")["role"], "organiser");
    assert_eq!(find("lead")["lead"], true);
    assert_eq!(find("judy")["team"], Value::Null);
    assert_eq!(find("alpha")["role"], "team");
    assert_eq!(find("alpha")["team"], "alpha");
    assert!(users.iter().all(|u| u.get("password_hash").is_none()));
    d.finish().await;
}

async fn results_export_as_csv(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.submit(d.team("bravo"), "web", "FLAG{web}").await;
    let get = |q: &str, token: &str| {
        Request::get(format!("/api/v1/export{q}"))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let res = d
        .app
        .router
        .clone()
        .oneshot(get("?format=csv", &d.organiser))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(body.to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}rank,of,team,name,organisation,score,tasks,attack,defense,sla,reports,adjustments,solves"
    );
    assert_eq!(lines[1], "1,3,bravo,Bravo,Sở B,120,120,0,0,0,0,0,1");
    assert_eq!(lines.len(), 4);
    let (st, b) = d
        .app
        .get("/api/v1/export?format=xml", Some(&d.organiser))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["field"], "format");
    let (st, _) = d.app.get("/api/v1/export?format=csv", Some(&d.judge)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, b) = d.app.get("/api/v1/export", Some(&d.organiser)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["format"], "drillboard-export/1");
    d.finish().await;
}

async fn the_clock_alone_tells_pages_when_the_board_freezes_and_the_drill_ends(backend: Backend) {
    let d = Drill::started(backend).await;
    let watcher = tokio::spawn(drillboard_api::changes::watch_clock(d.app.state.clone()));
    let mut s = Stream::open(&d).await;
    s.next(Duration::from_secs(5)).await.unwrap();
    // Nothing happens while the clock runs on inside the same state.
    d.app.set_time(T0 + 60 * 60_000);
    assert_eq!(s.next(Duration::from_millis(1500)).await, None);
    // 30 minutes before the end of the 2 h drill, the board freezes by itself.
    d.app.set_time(T0 + 90 * 60_000);
    assert_eq!(s.update().await, ["exercise"]);
    d.app.set_time(T0 + 120 * 60_000);
    assert_eq!(s.update().await, ["exercise"]);
    watcher.abort();
    d.finish().await;
}

async fn adjustments_show_their_reasons_on_the_board(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.set_time(T0 + 60_000);
    let (st, b) = d
        .app
        .post(
            "/api/v1/adjustments",
            Some(&d.organiser),
            json!({"team": "alpha", "points": -15.5, "reason": "scanned outside the drill network"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    d.app.set_time(T0 + 120_000);
    d.app
        .post(
            "/api/v1/adjustments",
            Some(&d.organiser),
            json!({"team": "alpha", "points": 5, "reason": "helped the organisers"}),
        )
        .await;
    let (_, alpha) = d.app.get("/api/v1/scoreboard/teams/alpha", None).await;
    assert_eq!(alpha["components"]["adjustments"], -10.5);
    assert_eq!(
        alpha["adjustments"],
        json!([
            {"points": -15.5, "reason": "scanned outside the drill network", "at": "2026-12-01T01:01:00.000Z"},
            {"points": 5.0, "reason": "helped the organisers", "at": "2026-12-01T01:02:00.000Z"},
        ])
    );
    d.finish().await;
}

//! What a round's verdicts mean (FAUST's service states) and what a failed checker means
//! (`on_checker_failure`), played through the real ticker with shell checkers.

use std::time::Duration;

use axum::http::StatusCode;
use drillboard_api::game::ticker;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, T0, TestApp};

both!(
    a_lost_current_flag_is_corrupt_and_a_lost_old_one_recovering,
    failed_checkers_follow_the_service_policy,
    short_flags_with_a_suffix_are_planted_and_accepted,
    a_team_added_mid_game_changes_no_past_round,
    a_checker_crash_on_an_older_flag_does_not_lift_recovering,
    round_verdicts_follow_the_frozen_board,
);

fn scenario(services: &str) -> String {
    format!(
        r#"
version: 1
exercise:
  id: verdicts
  title: Verdicts
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 2h
teams:
  - {{id: alpha, name: Alpha}}
  - {{id: bravo, name: Bravo}}
  - {{id: charlie, name: Charlie}}
attack_defense:
  round_length: 30s
  flag_lifetime: 5
services:
{services}"#
    )
}

async fn start(backend: Backend, src: &str) -> (TestApp, String) {
    let (app, organiser, _) = TestApp::started_with(backend, src).await;
    (app, organiser)
}

async fn play(app: &TestApp) -> u32 {
    let (n, end) = ticker::play_round(&app.state, Duration::from_secs(20))
        .await
        .unwrap()
        .expect("a round was played");
    assert!(matches!(end, ticker::RoundEnd::Done(_)));
    n
}

/// (team, service) → state in round `n`.
async fn states(app: &TestApp, n: u32) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = app
        .state
        .store()
        .checks_in(n)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.team, c.service, c.state))
        .collect();
    v.sort();
    v
}

fn sla(app: &TestApp, team: &str) -> f64 {
    app.state
        .live()
        .standings(None)
        .unwrap()
        .standings
        .iter()
        .find(|s| &*s.team == team)
        .unwrap()
        .components
        .sla
}

async fn a_lost_current_flag_is_corrupt_and_a_lost_old_one_recovering(backend: Backend) {
    // Each team's service keeps its flags in a file. Alpha's accepts every put and keeps
    // nothing; bravo's loses everything at each check (a restart), so this round's flags read
    // back and older ones do not; charlie's keeps everything.
    let dir = tempfile::tempdir().unwrap();
    let checker = format!(
        "d={}/$2; case $1 in check) case $2 in bravo*) : > $d;; esac; exit 101;; put) case $2 in alpha*) ;; *) echo $4 >> $d;; esac; exit 101;; get) grep -qx $4 $d 2>/dev/null && exit 101; echo flag not found; exit 102;; esac",
        dir.path().display()
    );
    let src = scenario(&format!(
        "  - id: notes\n    checker: [sh, -c, '{checker}', checker]\n    timeout: 5s\n    places: 2\n    host: \"{{team}}.drill.internal\"\n"
    ));
    let (app, _) = start(backend, &src).await;
    for round in 1..=3 {
        assert_eq!(play(&app).await, round);
        let want = |team: &str, state: &str| (team.into(), "notes".into(), state.into());
        let bravo = if round == 1 { "ok" } else { "recovering" };
        assert_eq!(
            states(&app, round).await,
            [
                want("alpha", "corrupt"),
                want("bravo", bravo),
                want("charlie", "ok")
            ],
            "round {round}"
        );
    }
    // Both current flags were read back each round; a service that never returns a flag
    // cannot be stolen from, and earns no SLA.
    let checks = app.state.store().checks_in(2).await.unwrap();
    let bravo = checks.iter().find(|c| c.team == "bravo").unwrap();
    for step in [
        "get (place 1, round 2): OK",
        "get (place 2, round 2): OK",
        "get (place 1, round 1): CORRUPT",
    ] {
        assert!(bravo.private.contains(step), "{step}: {}", bravo.private);
    }
    assert_eq!(bravo.public, "flag not found");
    let root3 = 3f64.sqrt();
    assert_eq!(sla(&app, "alpha"), 0.0);
    assert!((sla(&app, "bravo") - 2.0 * root3).abs() < 1e-9);
    assert!((sla(&app, "charlie") - 3.0 * root3).abs() < 1e-9);
    app.finish().await;
}

async fn failed_checkers_follow_the_service_policy(backend: Backend) {
    // A checker that crashes with a traceback (exit 1) whatever the service does, as a real one
    // did when its service was stopped. Alpha's service is listening; bravo's and charlie's
    // addresses refuse connections.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let crash = "echo Traceback \\(most recent call last\\): >&2; echo ConnectionRefusedError: Errno 111 >&2; exit 1";
    let service = |id: &str, policy: &str| {
        format!(
            "  - id: {id}\n    checker: [sh, -c, '{crash}', checker]\n    timeout: 2s\n    host: \"127.0.0.1:{closed}\"\n    hosts: {{alpha: \"127.0.0.1:{open}\"}}\n{policy}"
        )
    };
    let src = scenario(&format!(
        "{}{}{}",
        service("probed", ""),
        service("counted_up", "    on_checker_failure: up\n"),
        service("counted_down", "    on_checker_failure: down\n")
    ));
    let (app, organiser) = start(backend, &src).await;
    let loaded = app.state.live().scenario.clone().unwrap();
    assert_eq!(
        loaded.services[0].on_checker_failure, "probe",
        "probe is the default when the address has a port"
    );
    assert_eq!(play(&app).await, 1);
    let s = |team: &str, service: &str, state: &str| (team.into(), service.into(), state.into());
    assert_eq!(
        states(&app, 1).await,
        [
            s("alpha", "counted_down", "down"),
            s("alpha", "counted_up", "checker_error"),
            s("alpha", "probed", "checker_error"),
            s("bravo", "counted_down", "down"),
            s("bravo", "counted_up", "checker_error"),
            s("bravo", "probed", "down"),
            s("charlie", "counted_down", "down"),
            s("charlie", "counted_up", "checker_error"),
            s("charlie", "probed", "down"),
        ]
    );
    // The metrics count each verdict by service and state, and time each job.
    let (_, text) = crate::metrics::scrape(&app, Some(&organiser)).await;
    let verdicts = |service: &str, state: &str| {
        crate::metrics::sample(
            &text,
            &format!(
                "drillboard_checker_verdicts_total{{service=\"{service}\",state=\"{state}\"}}"
            ),
        )
    };
    assert_eq!(verdicts("probed", "down"), Some(2.0), "{text}");
    assert_eq!(verdicts("counted_up", "checker_error"), Some(3.0), "{text}");
    assert_eq!(
        crate::metrics::sample(
            &text,
            "drillboard_checker_job_seconds_count{service=\"probed\"}"
        ),
        Some(3.0),
        "{text}"
    );
    // SLA: checker_error counts as up; a stopped service no longer outscores a running one.
    let root3 = 3f64.sqrt();
    assert!((sla(&app, "alpha") - 2.0 * root3).abs() < 1e-9);
    assert!((sla(&app, "bravo") - root3).abs() < 1e-9);
    // Organisers see every failure at once: one alert per service, each team with the step,
    // the failure, the decision and the checker's stderr.
    let (status, body) = app.get("/api/v1/alerts", Some(&organiser)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let alerts = body["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 3, "{body}");
    let probed = alerts.iter().find(|a| a["service"] == "probed").unwrap();
    assert_eq!(probed["round"], 1);
    assert_eq!(probed["voided"], false);
    let team = |id: &str| -> Value {
        probed["teams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["team"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(team("alpha")["state"], "checker_error");
    assert_eq!(team("alpha")["step"], "check");
    assert_eq!(
        team("alpha")["what"],
        "exit code 1, which is not a checker verdict"
    );
    // Pages say it by code and parameters.
    assert_eq!(team("alpha")["what_code"], "checker_exit_code");
    assert_eq!(team("alpha")["what_params"]["code"], "1");
    assert_eq!(team("alpha")["decided_code"], "decided_probe_open");
    assert_eq!(team("bravo")["decided_code"], "decided_probe_refused");
    assert!(
        team("alpha")["decided"]
            .as_str()
            .unwrap()
            .contains("accepts connections"),
        "{probed}"
    );
    assert!(
        team("bravo")["decided"]
            .as_str()
            .unwrap()
            .ends_with("so down"),
        "{probed}"
    );
    assert!(
        team("charlie")["stderr"]
            .as_str()
            .unwrap()
            .contains("ConnectionRefusedError"),
        "{probed}"
    );
    // Teams and the public never see them.
    let (status, _) = app.get("/api/v1/alerts", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    drop(listener);
    app.finish().await;
}

async fn short_flags_with_a_suffix_are_planted_and_accepted(backend: Backend) {
    let src = scenario(
        "  - id: notes\n    checker: [sh, -c, 'exit 101', checker]\n    timeout: 5s\n    host: \"{team}.drill.internal\"\n",
    )
    .replace(
        "  flag_lifetime: 5\n",
        "  flag_lifetime: 5\n  flag_prefix: FLAG{\n  flag_body_length: 21\n  flag_suffix: \"}\"\n",
    );
    let (app, _, creds) = TestApp::started_with(backend, &src).await;
    play(&app).await;
    let (_, ex) = app.get("/api/v1/exercise", None).await;
    let format = ex["attack_defense"]["flag_format"].as_str().unwrap();
    assert_eq!(format, "FLAG\\{[A-Z2-7]{21}\\}");
    let re = regex::Regex::new(&format!("^{format}$")).unwrap();
    let flags = app.state.store().flags_since(1).await.unwrap();
    let alpha = flags.iter().find(|f| f.team == "alpha").unwrap();
    assert_eq!(alpha.flag.len(), 27, "{}", alpha.flag);
    assert!(re.is_match(&alpha.flag), "{}", alpha.flag);
    let token = creds
        .iter()
        .find(|c| c.username == "bravo")
        .and_then(|c| c.team_token.clone())
        .unwrap();
    let mut forged = alpha.flag.clone().into_bytes();
    forged[25] = if forged[25] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let (status, body) = app
        .send(
            axum::http::Request::builder()
                .method("PUT")
                .uri("/flags")
                .header("content-type", "application/json")
                .header("x-team-token", token)
                .body(axum::body::Body::from(
                    json!([alpha.flag, forged]).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["status"], true, "{body}");
    assert_eq!(body[1]["status"], false, "{body}");
    app.finish().await;
}

async fn a_team_added_mid_game_changes_no_past_round(backend: Backend) {
    let src = scenario(
        "  - id: notes\n    checker: [sh, -c, 'exit 101', checker]\n    timeout: 5s\n    host: \"{team}.drill.internal\"\n",
    );
    let (app, organiser) = start(backend, &src).await;
    for round in 1..=2 {
        app.set_time(T0 + round * 1_000);
        play(&app).await;
    }
    let board = |at: Option<i64>| {
        app.state
            .live()
            .standings(at)
            .unwrap()
            .standings
            .iter()
            .map(|s| (s.team.to_string(), s.score))
            .collect::<Vec<_>>()
    };
    let before = board(None);
    assert_eq!(before.len(), 3);
    assert!(
        before.iter().all(|(_, s)| *s == 2.0 * 3f64.sqrt()),
        "{before:?}"
    );
    app.set_time(T0 + 2_500);
    let (status, body) = app
        .post(
            "/api/v1/teams",
            Some(&organiser),
            json!([{"id": "delta", "name": "Delta"}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.set_time(T0 + 3_000);
    play(&app).await;
    // Every standing at rounds before the new team's first is what it was.
    let then: Vec<_> = board(Some(T0 + 2_999))
        .into_iter()
        .filter(|(t, _)| t != "delta")
        .collect();
    assert_eq!(then, before);
    // Round 3 counts four teams.
    let now = board(None);
    let alpha = now.iter().find(|(t, _)| t == "alpha").unwrap().1;
    assert_eq!(alpha, 2.0 * 3f64.sqrt() + 2.0);
    let delta = now.iter().find(|(t, _)| t == "delta").unwrap().1;
    assert_eq!(delta, 2.0);
    app.finish().await;
}

async fn a_checker_crash_on_an_older_flag_does_not_lift_recovering(backend: Backend) {
    // Every service loses its flags at each check. Reading back an older flag: place 1 says
    // CORRUPT, place 2's checker crashes (exit 1), counted as up by the policy.
    let dir = tempfile::tempdir().unwrap();
    let checker = format!(
        "d={}/$2; case $1 in check) : > $d; exit 101;; put) echo $4 >> $d; exit 101;; get) grep -qx $4 $d 2>/dev/null && exit 101; [ $5 = 1 ] && exit 102; echo boom >&2; exit 1;; esac",
        dir.path().display()
    );
    let src = scenario(&format!(
        "  - id: notes\n    checker: [sh, -c, '{checker}', checker]\n    timeout: 5s\n    places: 2\n    host: \"{{team}}.drill.internal:80\"\n    on_checker_failure: up\n"
    ));
    let (app, _) = start(backend, &src).await;
    play(&app).await;
    play(&app).await;
    let round2 = states(&app, 2).await;
    assert!(
        round2.iter().all(|(_, _, s)| s == "recovering"),
        "{round2:?}"
    );
    let check = app.state.store().checks_in(2).await.unwrap();
    assert!(
        check[0].private.contains("policy up"),
        "the crash is still logged: {}",
        check[0].private
    );
    app.finish().await;
}

async fn round_verdicts_follow_the_frozen_board(backend: Backend) {
    let src = scenario(
        "  - id: notes\n    checker: [sh, -c, 'exit 101', checker]\n    timeout: 5s\n    host: \"{team}.drill.internal\"\n",
    );
    let (app, organiser) = start(backend, &src).await;
    app.set_time(T0 + 1_000);
    play(&app).await;
    app.set_time(T0 + 2_000);
    let (s, b) = app
        .post(
            "/api/v1/exercise/freeze",
            Some(&organiser),
            json!({"reason": "last hour"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.set_time(T0 + 3_000);
    play(&app).await;
    let (s, _) = app.get("/api/v1/rounds/1", None).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "a round over before the freeze stays public"
    );
    let (s, b) = app.get("/api/v1/rounds/2", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    assert!(
        b["error"]["message"].as_str().unwrap().contains("froze"),
        "{b}"
    );
    let (s, _) = app.get("/api/v1/rounds/2", Some(&organiser)).await;
    assert_eq!(s, StatusCode::OK, "staff see every round");
    // The service grid follows the same rule: the public sees the verdicts of round 1.
    let (_, public) = app.get("/api/v1/services", None).await;
    assert_eq!(public["round"], 1, "{public}");
    assert_eq!(public["teams"][0]["services"][0]["round"], 1, "{public}");
    let (_, staff) = app.get("/api/v1/services", Some(&organiser)).await;
    assert_eq!(staff["teams"][0]["services"][0]["round"], 2, "{staff}");
    app.finish().await;
}

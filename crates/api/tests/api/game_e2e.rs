//! End to end: the demo's real service (Python) and checker for four rounds, with two bot teams
//! running the demo exploit over TCP and HTTP, and standings checked against values worked out
//! by hand from the FAUST formulas.

use std::path::PathBuf;
use std::time::Duration;

use drillboard_api::game::ticker::{self, RoundEnd};
use drillboard_api::ops::{self, ClockAction};
use drillboard_gameserver::round::State;
use tokio::net::TcpListener;
use tokio::process::{Child, Command};

use crate::both;
use crate::helpers::{Backend, T0, TestApp};

fn demo(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/demo")
        .join(file)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_service(port: u16, data: &std::path::Path) -> Child {
    start_service_at("127.0.0.1", port, data).await
}

async fn start_service_at(ip: &str, port: u16, data: &std::path::Path) -> Child {
    let child = Command::new("python3")
        .arg(demo("service/notes.py"))
        .args(["--host", ip, "--port", &port.to_string(), "--data"])
        .arg(data)
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs the demo service");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect((ip, port)).await.is_ok() {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the demo service did not start on port {port}");
}

async fn exploit(board: &str, flags: &str, team: &str, token: &str, how: &str) -> String {
    let out = Command::new("python3")
        .arg(demo("exploit/notes_exploit.py"))
        .args([
            "--board", board, "--tcp", flags, "--team", team, "--token", token,
        ])
        .args(["--submit", how, "--once"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

both!(demo_service_checker_and_bots_score_as_computed_by_hand);

async fn demo_service_checker_and_bots_score_as_computed_by_hand(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (free_port(), free_port());
    let src = format!(
        r#"
version: 1
exercise: {{id: ad-e2e, title: AD, timezone: UTC, start: 2026-12-01T01:00:00Z, duration: 2h}}
teams:
  - {{id: alpha, name: Alpha}}
  - {{id: bravo, name: Bravo}}
challenges:
  - {{id: warmup, title: Warm-up, value: 10, flags: ["FLAG{{w}}"]}}
attack_defense: {{round_length: 30s, flag_lifetime: 3}}
services:
  - id: notes
    checker: [python3, "{}"]
    timeout: 8s
    host: "127.0.0.1:0"
    hosts: {{alpha: "127.0.0.1:{pa}", bravo: "127.0.0.1:{pb}"}}
"#,
        demo("checker/notes_checker.py").display()
    );
    let app = TestApp::empty(backend).await;
    let scenario = drillboard_scenario::load_str(&src, "e2e.yaml", None).unwrap();
    let creds = ops::load_scenario(&app.state, scenario, src.clone(), "test")
        .await
        .unwrap();
    let token = |t: &str| {
        creds
            .iter()
            .find(|c| c.username == t)
            .and_then(|c| c.team_token.clone())
            .unwrap()
    };
    app.set_time(T0);
    ops::clock(&app.state, ClockAction::Start, "test")
        .await
        .unwrap();
    let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let board = format!("http://{}", http.local_addr().unwrap());
    tokio::spawn(axum::serve(http, drillboard_api::router(app.state.clone())).into_future());
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let flags = tcp.local_addr().unwrap().to_string();
    tokio::spawn(drillboard_api::game::tcp::serve(
        app.state.clone(),
        tcp,
        drillboard_api::conn::Slots::new(
            drillboard_api::game::tcp::default_limits(),
            Default::default(),
        ),
    ));

    let _alpha_service = start_service(pa, &dir.path().join("alpha")).await;
    let mut bravo_service = start_service(pb, &dir.path().join("bravo")).await;
    // Play a round and check both verdicts; returns the round's number.
    let state = &app.state;
    let round = |alpha: State, bravo: State| async move {
        let (n, results) = match ticker::play_round(state, Duration::from_secs(30))
            .await
            .unwrap()
        {
            Some((n, RoundEnd::Done(results))) => (n, results),
            other => panic!("the round did not finish: {other:?}"),
        };
        let mut got: Vec<(String, State)> =
            results.iter().map(|r| (r.team.clone(), r.state)).collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            got,
            [("alpha".to_owned(), alpha), ("bravo".to_owned(), bravo)],
            "round {n}: {results:#?}"
        );
        n
    };
    let (alpha, bravo) = (token("alpha"), token("bravo"));

    // Round 1: both up; alpha steals bravo's round-1 flag over TCP.
    assert_eq!(round(State::Ok, State::Ok).await, 1);
    let out = exploit(&board, &flags, "alpha", &alpha, "tcp").await;
    assert!(out.contains(", 1 accepted,"), "{out}");
    // Round 2: bravo steals alpha's flags of rounds 1 and 2 over HTTP; alpha takes round 2's.
    round(State::Ok, State::Ok).await;
    let out = exploit(&board, &flags, "bravo", &bravo, "http").await;
    assert!(out.contains(", 2 accepted,"), "{out}");
    let out = exploit(&board, &flags, "alpha", &alpha, "tcp").await;
    assert!(out.contains(", 1 accepted,"), "{out}");
    // Round 3: bravo's service is down; there is nothing to steal from it.
    bravo_service.kill().await.unwrap();
    round(State::Ok, State::Down).await;
    let out = exploit(&board, &flags, "alpha", &alpha, "tcp").await;
    assert!(out.contains(", 0 accepted,"), "{out}");
    // Round 4: bravo is back with its data; alpha takes the new flag (round 2's is a repeat).
    let _bravo_again = start_service(pb, &dir.path().join("bravo")).await;
    assert_eq!(round(State::Ok, State::Ok).await, 4);
    let out = exploit(&board, &flags, "alpha", &alpha, "tcp").await;
    assert!(out.contains(", 1 accepted,"), "{out}");

    // By hand, FAUST with every weight 1 and two active teams (sqrt 2 per counted round):
    // alpha captured 3 flags, each captured once: attack 3 x (1 + 1/1) = 6; lost 2 flags once
    //   each: defense -2 x 1^0.75 = -2; up in rounds 1-4: SLA 4 sqrt 2.   Total 4 + 4 sqrt 2.
    // bravo captured 2: attack 4; lost 3: defense -3; up in rounds 1, 2, 4: SLA 3 sqrt 2.
    //   Total 1 + 3 sqrt 2.
    let r2 = 2f64.sqrt();
    let want = [
        ("alpha", 6.0, -2.0, 4.0 * r2, 4.0 + 4.0 * r2),
        ("bravo", 4.0, -3.0, 3.0 * r2, 1.0 + 3.0 * r2),
    ];
    let live = app.state.live().standings(None).unwrap();
    for (rank, (team, attack, defense, sla, total)) in want.into_iter().enumerate() {
        let s = &live.standings[rank];
        assert_eq!(&*s.team, team, "rank {}", rank + 1);
        let c = s.components;
        for (what, got, want) in [
            ("attack", c.attack, attack),
            ("defense", c.defense, defense),
            ("sla", c.sla, sla),
            ("total", s.score, total),
        ] {
            assert!((got - want).abs() < 1e-9, "{team} {what}: {got} != {want}");
        }
    }
    // A replay of the stored log gives the same board.
    app.state.reload().await.unwrap();
    let replayed = app.state.live().standings(None).unwrap();
    assert_eq!(replayed.standings, live.standings);
    app.finish().await;
}

both!(an_enowars_checker_service_plays_flags_noise_and_havoc);

async fn start_enochecker(port: u16, service_port: u16, db: &std::path::Path) -> Child {
    let child = Command::new("python3")
        .arg(demo("checker/notes_enochecker.py"))
        .args(["--port", &port.to_string()])
        .args(["--service-port", &service_port.to_string(), "--db"])
        .arg(db)
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs the demo enochecker");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the enochecker did not start on port {port}");
}

/// The demo service checked by an ENOWARS-protocol checker service (written here, standard
/// library Python): alpha's service keeps its notes, bravo's address refuses connections,
/// charlie's loses its notes after every round. As on a real drill network, every team's
/// service has the same port on its own address (127.0.0.2, .3, .4); the checker is sent the
/// address without the port. Three rounds; states, SLA and attack info as
/// docs/scoring.md states them.
async fn an_enowars_checker_service_plays_flags_noise_and_havoc(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (port, checker) = (free_port(), free_port());
    let service = |havoc: u8| {
        format!(
            r#"
version: 1
exercise: {{id: eno, title: ENO, timezone: UTC, start: 2026-12-01T01:00:00Z, duration: 2h}}
teams:
  - {{id: alpha, name: Alpha}}
  - {{id: bravo, name: Bravo}}
  - {{id: charlie, name: Charlie}}
attack_defense: {{round_length: 30s, flag_lifetime: 3}}
services:
  - id: notes
    checker: {{http: "http://127.0.0.1:{checker}"}}
    noise: 1
    havoc: {havoc}
    timeout: 5s
    host: "127.0.0.3:{port}"
    hosts: {{alpha: "127.0.0.2:{port}", charlie: "127.0.0.4:{port}"}}
"#
        )
    };
    let src = service(1);
    let (app, organiser, _) = TestApp::started_with(backend, &src).await;
    assert_eq!(
        app.state.live().scenario.as_ref().unwrap().services[0]
            .checker_http
            .as_deref(),
        Some(format!("http://127.0.0.1:{checker}").as_str())
    );
    let _checker = start_enochecker(checker, port, &dir.path().join("checker.json")).await;
    // Alpha on 127.0.0.2, charlie on 127.0.0.4; nothing listens on bravo's 127.0.0.3.
    let _alpha = start_service_at("127.0.0.2", port, &dir.path().join("alpha")).await;
    let charlie_data = dir.path().join("charlie");
    let mut charlie = start_service_at("127.0.0.4", port, &charlie_data).await;
    let play = || async {
        match ticker::play_round(&app.state, Duration::from_secs(30))
            .await
            .unwrap()
        {
            Some((n, RoundEnd::Done(results))) => {
                let mut got: Vec<(String, State)> =
                    results.iter().map(|r| (r.team.clone(), r.state)).collect();
                got.sort_by(|a, b| a.0.cmp(&b.0));
                (n, got, results)
            }
            other => panic!("the round did not finish: {other:?}"),
        }
    };
    let want = |c: State| {
        vec![
            ("alpha".to_owned(), State::Ok),
            ("bravo".to_owned(), State::Down),
            ("charlie".to_owned(), c),
        ]
    };
    for round in 1..=3u32 {
        let (n, got, results) = play().await;
        assert_eq!(n, round);
        // Charlie's service comes back without its notes: this round's flag reads back, the
        // older one does not.
        let charlie_state = if round == 1 {
            State::Ok
        } else {
            State::Recovering
        };
        assert_eq!(got, want(charlie_state), "round {n}: {results:#?}");
        let alpha = results.iter().find(|r| r.team == "alpha").unwrap();
        for step in [
            "putnoise (variant 0): OK",
            "getnoise (variant 0): OK",
            "havoc (variant 0): OK",
            "put (place 1): OK",
            &format!("get (place 1, round {n}): OK"),
        ] {
            assert!(alpha.private.contains(step), "{step}: {}", alpha.private);
        }
        assert!(alpha.alert.is_none());
        let bravo = results.iter().find(|r| r.team == "bravo").unwrap();
        assert_eq!(bravo.public, "service is down", "OFFLINE is DOWN");
        charlie.kill().await.unwrap();
        std::fs::remove_dir_all(&charlie_data).unwrap();
        charlie = start_service_at("127.0.0.4", port, &charlie_data).await;
    }
    // SLA: three teams checked each round.
    let root3 = 3f64.sqrt();
    let live = app.state.live().standings(None).unwrap();
    let sla = |t: &str| {
        live.standings
            .iter()
            .find(|s| &*s.team == t)
            .unwrap()
            .components
            .sla
    };
    assert!((sla("alpha") - 3.0 * root3).abs() < 1e-9);
    assert_eq!(sla("bravo"), 0.0);
    assert!((sla("charlie") - 2.0 * root3).abs() < 1e-9);
    // Attack info: what the checker's putflag returned (the note id) is what attackers see.
    let (_, data) = app.get("/api/v1/attack-data", None).await;
    let alpha_ids = &data["services"]["notes"][format!("127.0.0.2:{port}")];
    for round in ["1", "2", "3"] {
        let ids = alpha_ids[round]["1"].as_array().unwrap();
        assert_eq!(ids.len(), 1, "{data}");
        let id = ids[0].as_str().unwrap();
        assert!(
            id.starts_with('e') && id.len() == 17,
            "the note id the checker made: {id}"
        );
        assert!(
            std::fs::read_dir(dir.path().join("alpha"))
                .unwrap()
                .any(|f| f.unwrap().file_name().to_string_lossy().contains(id)),
            "note {id} is in alpha's service"
        );
    }
    // No checker failed, so no alert.
    let (_, alerts) = app.get("/api/v1/alerts", Some(&organiser)).await;
    assert_eq!(alerts["alerts"], serde_json::json!([]), "{alerts}");
    // A scenario asking for a havoc variant the checker does not have: the checker answers
    // INTERNAL_ERROR (counted as up, never the team's fault), and organisers are told both
    // that the variants differ and which teams' checks failed.
    let two = service(2);
    let s = drillboard_scenario::load_str(&two, "eno.yaml", None).unwrap();
    ops::load_scenario(&app.state, s, two, "test")
        .await
        .unwrap();
    let (n, got, _) = play().await;
    assert_eq!(n, 4);
    assert_eq!(got[0], ("alpha".to_owned(), State::CheckerError));
    let (_, alerts) = app.get("/api/v1/alerts", Some(&organiser)).await;
    let list = alerts["alerts"].as_array().unwrap();
    assert!(
        list.iter()
            .any(|a| a["problem"].as_str().is_some_and(|p| p
                .contains("1 havoc variants; the scenario plays 1 places, 1 noise and 2 havoc"))),
        "{alerts}"
    );
    let teams = list
        .iter()
        .find(|a| a["problem"].is_null())
        .map(|a| a["teams"].clone())
        .unwrap();
    let alpha = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["team"] == "alpha")
        .unwrap();
    assert_eq!(alpha["step"], "havoc (variant 1)");
    assert_eq!(alpha["what"], "the checker answered CHECKER_ERROR");
    assert_eq!(alpha["what_code"], "answered_checker_error");
    let variants = list
        .iter()
        .find(|a| a["problem_code"] == "checker_variants")
        .expect("the variant mismatch, by code");
    assert_eq!(variants["problem_params"]["want_havoc"], "2");
    app.finish().await;
}

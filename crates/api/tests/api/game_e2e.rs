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
    let child = Command::new("python3")
        .arg(demo("service/notes.py"))
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--data"])
        .arg(data)
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs the demo service");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
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

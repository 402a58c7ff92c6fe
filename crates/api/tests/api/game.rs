//! Attack/defend: flag submission over HTTP and TCP (every reply, read the way real farms read
//! it), many pipelining clients, a client that never reads, rounds that resume after a restart
//! or a pause, voided rounds, attack data and the service grid.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use drillboard_api::AppState;
use drillboard_api::game::ticker::{self, RoundEnd};
use drillboard_api::ops::{self, ClockAction, Credential};
use drillboard_gameserver::flags::{FlagInfo, FlagKey};
use drillboard_gameserver::replies::{self, Class};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::both;
use crate::helpers::{Backend, FLAG_SECRET, T0, TestApp};

/// Three teams; charlie's machines are 127.0.0.3 (a loopback address a test can bind to).
/// The checker always answers OK, or sleeps when `{SLEEP}` is set.
fn scenario(checker: &str, rate: u32) -> String {
    format!(
        r#"
version: 1
exercise:
  id: ad-drill
  title: AD
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 2h
teams:
  - {{id: alpha, name: Alpha}}
  - {{id: bravo, name: Bravo}}
  - {{id: charlie, name: Charlie, network: 127.0.0.3/32}}
challenges:
  - {{id: warmup, title: Warm-up, value: 10, flags: ["FLAG{{w}}"]}}
attack_defense:
  round_length: 30s
  flag_lifetime: 3
  flags_per_second: {rate}
  max_flags_per_request: 5
services:
  - id: notes
    checker: [sh, -c, '{checker}', checker]
    timeout: 5s
    places: 2
    host: "{{team}}.drill.internal:8080"
"#
    )
}

struct Ad {
    app: TestApp,
    organiser: String,
    creds: Vec<Credential>,
    key: FlagKey,
}

impl Ad {
    async fn start(backend: Backend, checker: &str) -> Ad {
        Ad::start_with(backend, checker, 1).await
    }

    async fn start_with(backend: Backend, checker: &str, rate: u32) -> Ad {
        let (app, organiser, creds) =
            TestApp::started_with(backend, &scenario(checker, rate)).await;
        Ad {
            app,
            organiser,
            creds,
            key: FlagKey::new(FLAG_SECRET, "DRILL_"),
        }
    }

    fn state(&self) -> &AppState {
        &self.app.state
    }

    fn token(&self, team: &str) -> String {
        self.creds
            .iter()
            .find(|c| c.username == team)
            .and_then(|c| c.team_token.clone())
            .unwrap()
    }

    fn id(&self, team: &str) -> u16 {
        self.state().live().team(team).unwrap().id as u16
    }

    fn flag(&self, victim: &str, round: u32, place: u8) -> String {
        self.key.make(FlagInfo {
            round,
            team: self.id(victim),
            service: 0,
            place,
        })
    }

    async fn round(&self) -> (u32, RoundEnd) {
        ticker::play_round(self.state(), Duration::from_secs(20))
            .await
            .unwrap()
            .expect("a round was played")
    }

    async fn put_flags(&self, token: Option<&str>, flags: &[String]) -> (StatusCode, Value) {
        let mut b = Request::builder()
            .method(Method::PUT)
            .uri("/flags")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            b = b.header("x-team-token", t);
        }
        self.app
            .send(b.body(Body::from(json!(flags).to_string())).unwrap())
            .await
    }

    async fn tcp(&self) -> std::net::SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(drillboard_api::game::tcp::serve(
            self.state().clone(),
            l,
            drillboard_api::conn::Slots::new(
                drillboard_api::game::tcp::default_limits(),
                Default::default(),
            ),
        ));
        addr
    }

    async fn finish(self) {
        self.app.finish().await
    }
}

/// Each reply's message through DestructiveFarm's and forcad_tcp's rules.
fn class_of(msg: &str) -> Class {
    let a = replies::destructivefarm(msg);
    assert_eq!(a, replies::forcad_tcp(msg), "{msg}");
    a
}

both!(
    http_replies_are_exact_and_classified,
    tcp_handshakes_and_codes,
    fifty_pipelining_clients,
    a_client_that_never_reads_blocks_nobody,
    rounds_resume_pause_and_void,
    attack_data_and_the_grid,
    played_services_keep_their_place,
    flag_submission_under_abuse_and_outage,
);

async fn flag_submission_under_abuse_and_outage(backend: Backend) {
    let ad = Ad::start(backend, "exit 101").await;
    ad.round().await;
    let alpha = ad.token("alpha");
    let good = ad.flag("bravo", 1, 1);
    // A flag longer than any flag can be: 400 naming it, not echoed back.
    let huge = "A".repeat(2_000_000);
    let (status, body) = ad.put_flags(Some(&alpha), &[good.clone(), huge]).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        &body.to_string()[..200.min(body.to_string().len())]
    );
    assert_eq!(body["error"]["code"], "flag_too_long");
    assert_eq!(body["error"]["field"], "[1]");
    assert!(body.to_string().len() < 1000, "the flag is not echoed");

    // TCP: a caps per address; the team of another address is not affected.
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let limits = drillboard_api::conn::ConnLimits {
        per_address: 3,
        ..drillboard_api::game::tcp::default_limits()
    };
    tokio::spawn(drillboard_api::game::tcp::serve(
        ad.state().clone(),
        l,
        drillboard_api::conn::Slots::new(limits, Default::default()),
    ));
    let from = |ip: &str| {
        let ip: std::net::IpAddr = ip.parse().unwrap();
        async move {
            let s = tokio::net::TcpSocket::new_v4().unwrap();
            s.bind(std::net::SocketAddr::new(ip, 0)).unwrap();
            s.connect(addr).await.unwrap()
        }
    };
    let mut held = Vec::new();
    for _ in 0..3 {
        let (rd, wr) = from("127.0.0.2").await.into_split();
        let mut r = BufReader::new(rd);
        assert!(read_line(&mut r).await.contains("Welcome"));
        held.push((r, wr));
    }
    let mut r = BufReader::new(from("127.0.0.2").await.into_split().0);
    assert!(
        read_line(&mut r)
            .await
            .contains("too many connections from your address")
    );
    let (rd, mut wr) = from("127.0.0.4").await.into_split();
    let mut r = BufReader::new(rd);
    assert!(read_line(&mut r).await.contains("Welcome"));
    wr.write_all(format!("{alpha}\n{good}\n").as_bytes())
        .await
        .unwrap();
    assert!(read_line(&mut r).await.contains("enter your flags"));
    assert!(read_line(&mut r).await.starts_with(&format!("{good} OK")));
    drop(held);

    // A disqualified team: refused as a whole (403 without the list shape, so a farm keeps its
    // flags), over TCP with a clear line, also on a connection opened before.
    let bravo = ad.token("bravo");
    let (rd, mut early_w) = from("127.0.0.6").await.into_split();
    let mut early = BufReader::new(rd);
    read_line(&mut early).await;
    early_w
        .write_all(format!("{bravo}\n").as_bytes())
        .await
        .unwrap();
    assert!(read_line(&mut early).await.contains("enter your flags"));
    let (status, _) = ad
        .app
        .post(
            "/api/v1/teams/bravo/disqualify",
            Some(&ad.organiser),
            json!({"reason": "attacked the scoring server"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    early_w
        .write_all(format!("{}\n", ad.flag("alpha", 1, 1)).as_bytes())
        .await
        .unwrap();
    assert!(read_line(&mut early).await.contains("disqualified"));
    let (status, body) = ad.put_flags(Some(&bravo), &[ad.flag("alpha", 1, 1)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("disqualified")
    );
    let (rd, mut wr) = from("127.0.0.5").await.into_split();
    let mut r = BufReader::new(rd);
    read_line(&mut r).await;
    wr.write_all(format!("{bravo}\n").as_bytes()).await.unwrap();
    assert!(read_line(&mut r).await.contains("disqualified"));

    // The database goes away: every flag is "try again later", in the list shape.
    ad.state().store().clone().close().await.unwrap();
    // With the token known from a moment ago the flags are judged and their storing fails (200);
    // with a token to look up, the lookup fails (503). Either way: the list, "try again later".
    let (status, body) = ad
        .put_flags(Some(&alpha), &[ad.flag("charlie", 1, 2)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let msg = body[0]["msg"].as_str().unwrap();
    assert_eq!(class_of(msg), Class::Retry, "{msg}");
    ad.state().0.tokens.clear();
    let (status, body) = ad
        .put_flags(Some(&alpha), &[ad.flag("charlie", 1, 2)])
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let msg = body[0]["msg"].as_str().unwrap();
    assert!(msg.contains("try again later"), "{msg}");
    assert_eq!(class_of(msg), Class::Retry);
    ad.finish().await;
}

async fn http_replies_are_exact_and_classified(backend: Backend) {
    let ad = Ad::start(backend, "exit 101").await;
    let alpha = ad.token("alpha");
    // Before the first round the game has not started: every flag is "try again later".
    let early = ad.flag("bravo", 1, 1);
    let (status, body) = ad
        .put_flags(Some(&alpha), std::slice::from_ref(&early))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["status"], false);
    assert_eq!(class_of(body[0]["msg"].as_str().unwrap()), Class::Retry);
    for _ in 0..3 {
        assert!(matches!(ad.round().await.1, RoundEnd::Done(_)));
    }
    // Round 3, lifetime 3: flags of rounds 1 to 3 count.
    let good = ad.flag("bravo", 3, 1);
    let mut forged = ad.flag("bravo", 3, 2).into_bytes();
    forged[10] = if forged[10] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let own = ad.flag("alpha", 3, 1);
    let sent = vec![
        good.clone(),
        good.clone(),
        own.clone(),
        forged.clone(),
        "not a flag at all".to_owned(),
    ];
    let (status, body) = ad.put_flags(Some(&alpha), &sent).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = body.as_array().unwrap();
    assert_eq!(rows.len(), sent.len());
    let want = [
        (true, "accepted", Class::Accepted),
        (false, "already submitted", Class::Rejected),
        (false, "your own", Class::Rejected),
        (false, "invalid flag", Class::Rejected),
        (false, "invalid flag", Class::Rejected),
    ];
    for (i, (row, (ok, text, class))) in rows.iter().zip(want).enumerate() {
        assert_eq!(row["flag"], json!(sent[i]), "{row}");
        assert_eq!(row["status"], json!(ok), "{i}: {row}");
        let msg = row["msg"].as_str().unwrap();
        assert!(msg.contains(text), "{i}: {msg}");
        assert_eq!(class_of(msg), class, "{i}: {msg}");
    }
    // A flag of a round still to come is forged.
    let (_, body) = ad.put_flags(Some(&alpha), &[ad.flag("bravo", 4, 1)]).await;
    assert!(body[0]["msg"].as_str().unwrap().contains("invalid flag"));
    // A repeat in a later request is a duplicate too (memory, then the database).
    let (_, body) = ad
        .put_flags(Some(&alpha), std::slice::from_ref(&good))
        .await;
    assert!(
        body[0]["msg"]
            .as_str()
            .unwrap()
            .contains("already submitted")
    );
    // One more round: round 1's flags are now too old.
    ad.round().await;
    let (_, body) = ad
        .put_flags(Some(&alpha), &[ad.flag("charlie", 1, 1)])
        .await;
    let msg = body[0]["msg"].as_str().unwrap();
    assert!(msg.contains("too old"), "{msg}");
    assert_eq!(class_of(msg), Class::Rejected);
    // Unknown token: 403 with an error object, not a list (a farm then raises and keeps its
    // flags, instead of filing each as rejected), and nothing is judged: the flag still counts
    // when it comes again with the right token.
    let fresh = ad.flag("charlie", 2, 1);
    let (status, body) = ad
        .put_flags(Some("dbt_nope"), &[fresh.clone(), own.clone()])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.is_array(), "{body}");
    assert_eq!(body["error"]["code"], "forbidden", "{body}");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("X-Team-Token") && msg.contains("2 flags"),
        "{msg}"
    );
    let (status, body) = ad.put_flags(None, std::slice::from_ref(&fresh)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no team token"),
        "{body}"
    );
    // The team page sends flags with its session: the same pipeline, replies with a code.
    let password = ad
        .creds
        .iter()
        .find(|c| c.username == "alpha")
        .map(|c| c.password.clone())
        .unwrap();
    let session = ad.app.login("alpha", &password).await;
    let req = |bearer: &str, flags: &[String]| {
        Request::builder()
            .method(Method::PUT)
            .uri("/flags")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
            .body(Body::from(json!(flags).to_string()))
            .unwrap()
    };
    let (status, body) = ad
        .app
        .send(req(&session, std::slice::from_ref(&fresh)))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body[0]["status"].clone(), body[0]["code"].clone()),
        (json!(true), json!("accepted")),
        "{body}"
    );
    let (_, body) = ad.app.send(req(&session, std::slice::from_ref(&own))).await;
    assert_eq!(body[0]["code"], "own", "{body}");
    // Organisers do not submit flags.
    let (status, body) = ad
        .app
        .send(req(&ad.organiser, std::slice::from_ref(&fresh)))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = ad
        .app
        .send(req("not-a-session", std::slice::from_ref(&fresh)))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, body) = ad
        .put_flags(Some(&alpha), std::slice::from_ref(&fresh))
        .await;
    assert_eq!(
        (body[0]["status"].clone(), body[0]["code"].clone()),
        (json!(false), json!("duplicate")),
        "{body}"
    );
    // Rate limit: 1 flag/s, bursts of max(10 s of rate, one request) = 10; the test clock
    // stands still, so nothing refills until it moves.
    let bravo = ad.token("bravo");
    let mut many = Vec::new();
    for round in 2..=4 {
        for place in 1..=2 {
            many.push(ad.flag("alpha", round, place));
            many.push(ad.flag("charlie", round, place));
        }
    }
    let (mut accepted, mut limited) = (Vec::new(), Vec::new());
    for chunk in many.chunks(4) {
        let (status, body) = ad.put_flags(Some(&bravo), chunk).await;
        assert_eq!(status, StatusCode::OK);
        for (row, f) in body.as_array().unwrap().iter().zip(chunk) {
            let msg = row["msg"].as_str().unwrap();
            if row["status"] == true {
                accepted.push(f.clone());
            } else {
                assert!(msg.contains("rate limit"), "{msg}");
                assert_eq!(
                    class_of(msg),
                    Class::Retry,
                    "a limited flag is retried, never lost"
                );
                limited.push(f.clone());
            }
        }
    }
    assert_eq!((accepted.len(), limited.len()), (10, 2));
    ad.app.advance(2_000);
    let (_, body) = ad.put_flags(Some(&bravo), &limited).await;
    assert!(
        body.as_array().unwrap().iter().all(|r| r["status"] == true),
        "{body}"
    );
    // Too many flags in one request: a 400 naming the limit.
    let (status, body) = ad.put_flags(Some(&alpha), &vec![good.clone(); 6]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "too_many_flags");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 5")
    );
    // Not JSON of strings: a 400 naming the place.
    let req = Request::put("/flags")
        .header("x-team-token", &alpha)
        .body(Body::from(r#"["ok", 5]"#))
        .unwrap();
    let (status, body) = ad.app.send(req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "[1]");
    // Paused: "try again later".
    ops::clock(ad.state(), ClockAction::Pause, "test")
        .await
        .unwrap();
    let (_, body) = ad.put_flags(Some(&alpha), &[ad.flag("bravo", 4, 2)]).await;
    let msg = body[0]["msg"].as_str().unwrap();
    assert!(msg.contains("try again later"), "{msg}");
    assert_eq!(class_of(msg), Class::Retry);
    ad.finish().await;
}

async fn read_line(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
    let mut s = String::new();
    tokio::time::timeout(Duration::from_secs(10), r.read_line(&mut s))
        .await
        .expect("a reply within 10 s")
        .unwrap();
    s.trim_end().to_owned()
}

async fn tcp_handshakes_and_codes(backend: Backend) {
    let ad = Ad::start(backend, "exit 101").await;
    let addr = ad.tcp().await;
    // No round yet: ERR, retried by every farm.
    {
        let (rd, mut wr) = TcpStream::connect(addr).await.unwrap().into_split();
        let mut r = BufReader::new(rd);
        assert!(read_line(&mut r).await.contains("Welcome"));
        wr.write_all(format!("{}\n", ad.token("alpha")).as_bytes())
            .await
            .unwrap();
        assert!(read_line(&mut r).await.contains("enter your flags"));
        let f = ad.flag("bravo", 1, 1);
        wr.write_all(format!("{f}\n").as_bytes()).await.unwrap();
        let line = read_line(&mut r).await;
        assert!(line.starts_with(&format!("{f} ERR ")), "{line}");
        assert_eq!(replies::s4dfarm_faust(&line), Class::Retry);
        assert_eq!(class_of(&line), Class::Retry);
    }
    ad.round().await;
    ad.round().await;
    // Token handshake (forcad_tcp), then pipelined flags: one reply line each, in order.
    let (rd, mut wr) = TcpStream::connect(addr).await.unwrap().into_split();
    let mut r = BufReader::new(rd);
    let greeting = read_line(&mut r).await;
    assert!(
        greeting.contains("Welcome") && !greeting.contains("Enter your flags"),
        "{greeting}"
    );
    wr.write_all(format!("{}\n", ad.token("alpha")).as_bytes())
        .await
        .unwrap();
    assert!(read_line(&mut r).await.contains("enter your flags"));
    let good = ad.flag("bravo", 2, 1);
    let sent = [
        (good.clone(), "OK", Class::Accepted, Class::Accepted),
        (good.clone(), "DUP", Class::Rejected, Class::Rejected),
        (
            ad.flag("alpha", 2, 1),
            "OWN",
            Class::Rejected,
            Class::Rejected,
        ),
        (
            format!("{}X", &good[..good.len() - 1]),
            "INV",
            Class::Rejected,
            Class::Retry,
        ),
        ("garbage".repeat(100), "INV", Class::Rejected, Class::Retry),
    ];
    let mut batch = String::new();
    for (f, ..) in &sent {
        batch.push_str(f);
        batch.push_str("\r\n");
    }
    batch.push('\n'); // an empty line gets no reply
    wr.write_all(batch.as_bytes()).await.unwrap();
    for (f, code, class, faust) in &sent {
        let line = read_line(&mut r).await;
        let shown = if f.len() > 256 {
            "(line too long)"
        } else {
            f.as_str()
        };
        assert!(line.starts_with(&format!("{shown} {code} ")), "{line}");
        assert_eq!(class_of(&line), *class, "{line}");
        assert_eq!(replies::s4dfarm_faust(&line), *faust, "{line}");
    }
    drop(wr);
    // An unknown token is told so and the connection closes.
    let (rd, mut wr) = TcpStream::connect(addr).await.unwrap().into_split();
    let mut r = BufReader::new(rd);
    read_line(&mut r).await;
    wr.write_all(b"dbt_wrong\n").await.unwrap();
    let line = read_line(&mut r).await;
    assert!(line.contains("unknown team token"), "{line}");
    assert_eq!(read_line(&mut r).await, "", "closed after a wrong token");
    // Charlie's network: no handshake, flags straight after the greeting (FAUST, S4DFarm).
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind("127.0.0.3:0".parse().unwrap()).unwrap();
    let (rd, mut wr) = sock.connect(addr).await.unwrap().into_split();
    let mut r = BufReader::new(rd);
    let greeting = read_line(&mut r).await;
    assert!(
        greeting.contains("One flag per line please")
            && greeting.contains("Enter your flags")
            && greeting.contains("Welcome"),
        "{greeting}"
    );
    let f = ad.flag("alpha", 1, 2);
    wr.write_all(format!("{f}\n{}\n", ad.flag("charlie", 2, 1)).as_bytes())
        .await
        .unwrap();
    let line = read_line(&mut r).await;
    assert!(line.starts_with(&format!("{f} OK ")), "{line}");
    assert!(read_line(&mut r).await.contains(" OWN "));
    // The capture is charlie's.
    let events = ad.state().store().events().await.unwrap();
    assert!(events.iter().any(|(e, _)| e.team == "charlie"
        && matches!(&e.kind, drillboard_scoring::EventKind::FlagCaptured { victim, round: 1, place: 2, .. } if victim == "alpha")));
    ad.finish().await;
}

async fn fifty_pipelining_clients(backend: Backend) {
    let ad = Ad::start_with(backend, "exit 101", 100_000).await;
    let addr = ad.tcp().await;
    ad.round().await;
    let teams = ["alpha", "bravo", "charlie"];
    // Every client of a team sends the same flags of the two other teams: 2 victims x 2 places.
    let mut clients = Vec::new();
    for i in 0..50 {
        let team = teams[i % 3];
        let token = ad.token(team);
        let flags: Vec<String> = teams
            .iter()
            .filter(|v| **v != team)
            .flat_map(|v| [ad.flag(v, 1, 1), ad.flag(v, 1, 2)])
            .chain((0..40).map(|n| format!("DRILL_{n:032}=")))
            .collect();
        clients.push(tokio::spawn(async move {
            let (rd, mut wr) = TcpStream::connect(addr).await.unwrap().into_split();
            let mut r = BufReader::new(rd);
            read_line(&mut r).await;
            wr.write_all(format!("{token}\n").as_bytes()).await.unwrap();
            read_line(&mut r).await;
            let mut all = String::new();
            for f in &flags {
                all.push_str(f);
                all.push('\n');
            }
            wr.write_all(all.as_bytes()).await.unwrap();
            let mut got = Vec::new();
            for f in &flags {
                let line = read_line(&mut r).await;
                assert!(line.starts_with(&format!("{f} ")), "{line}");
                got.push((f.clone(), line.split(' ').nth(1).unwrap().to_owned()));
            }
            (team, got)
        }));
    }
    let mut ok: std::collections::HashMap<(&str, String), usize> = Default::default();
    for c in clients {
        let (team, got) = c.await.unwrap();
        for (flag, code) in got {
            assert!(["OK", "DUP", "INV"].contains(&code.as_str()), "{code}");
            if flag.starts_with("DRILL_0") {
                assert_eq!(code, "INV");
            }
            if code == "OK" {
                *ok.entry((team, flag)).or_default() += 1;
            }
        }
    }
    // Each team credited each of its 4 flags exactly once.
    assert_eq!(ok.len(), 12, "{ok:?}");
    assert!(ok.values().all(|n| *n == 1), "{ok:?}");
    let captures = ad
        .state()
        .store()
        .events()
        .await
        .unwrap()
        .into_iter()
        .filter(|(e, _)| matches!(e.kind, drillboard_scoring::EventKind::FlagCaptured { .. }))
        .count();
    assert_eq!(captures, 12);
    ad.finish().await;
}

async fn a_client_that_never_reads_blocks_nobody(backend: Backend) {
    let ad = Ad::start(backend, "exit 101").await;
    let addr = ad.tcp().await;
    ad.round().await;
    // The hog sends flags as fast as it can and never reads a reply.
    let token = ad.token("bravo");
    let hog = tokio::spawn(async move {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("{token}\n").as_bytes()).await.unwrap();
        let line = "DRILL_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".repeat(10_000);
        for _ in 0..200 {
            if s.write_all(line.as_bytes()).await.is_err() {
                break;
            }
        }
        s
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (rd, mut wr) = TcpStream::connect(addr).await.unwrap().into_split();
    let mut r = BufReader::new(rd);
    read_line(&mut r).await;
    wr.write_all(format!("{}\n", ad.token("alpha")).as_bytes())
        .await
        .unwrap();
    read_line(&mut r).await;
    let f = ad.flag("charlie", 1, 1);
    let started = std::time::Instant::now();
    wr.write_all(format!("{f}\n").as_bytes()).await.unwrap();
    let line = read_line(&mut r).await;
    assert!(line.starts_with(&format!("{f} OK")), "{line}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    hog.abort();
    ad.finish().await;
}

async fn rounds_resume_pause_and_void(backend: Backend) {
    let ad = Ad::start(backend, "exit 101").await;
    assert!(matches!(ad.round().await, (1, RoundEnd::Done(_))));
    // A crash during round 2: its row stays `running`.
    ad.state().store().begin_round(2, T0).await.unwrap();
    let restarted = AppState::new(
        ad.state().store().clone(),
        ad.state().0.settings.clone(),
        Arc::new(|| T0 + 60_000),
    )
    .await
    .unwrap();
    ticker::close_stale_round(&restarted).await.unwrap();
    let (n, _) = ticker::play_round(&restarted, Duration::from_secs(20))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 3, "round 2 is not run again, and the next one follows");
    let rounds = ad.state().store().rounds().await.unwrap();
    let status: Vec<(i32, &str)> = rounds
        .iter()
        .map(|r| (r.number, r.status.as_str()))
        .collect();
    assert_eq!(status, [(1, "done"), (2, "interrupted"), (3, "done")]);
    let audit = ad.state().store().audit_log().await.unwrap();
    assert!(audit.iter().any(|a| a.action == "round.interrupted"));
    drop(restarted);
    ad.state().reload().await.unwrap();
    // SLA: rounds 1 and 3 counted OK for each of 3 teams: 2 x sqrt(3).
    let sla = |st: &drillboard_scoring::Standings, team: &str| {
        st.standings
            .iter()
            .find(|s| &*s.team == team)
            .unwrap()
            .components
            .sla
    };
    let s = ad.state().live().standings(None).unwrap();
    assert!(
        (sla(&s, "alpha") - 2.0 * 3f64.sqrt()).abs() < 1e-9,
        "{}",
        sla(&s, "alpha")
    );
    // Void round 3 of `notes`: SLA follows at once.
    let (status, body) = ad
        .app
        .post(
            "/api/v1/rounds/3/void",
            Some(&ad.organiser),
            json!({"service": "notes", "reason": "checker broken"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let s = ad.state().live().standings(None).unwrap();
    assert!((sla(&s, "alpha") - 3f64.sqrt()).abs() < 1e-9);
    let (status, body) = ad
        .app
        .post(
            "/api/v1/rounds/3/void",
            Some(&ad.organiser),
            json!({"service": "notes", "reason": "again"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = ad
        .app
        .post(
            "/api/v1/rounds/3/void",
            Some(&ad.organiser),
            json!({"service": "mail", "reason": "nope nope"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("service"))
    );
    let (status, _) = ad
        .app
        .post(
            "/api/v1/rounds/9/void",
            Some(&ad.organiser),
            json!({"service": "notes", "reason": "not yet"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = ad
        .app
        .post(
            "/api/v1/rounds/1/void",
            Some(&ad.token("alpha")),
            json!({"service": "notes", "reason": "mine"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, rounds) = ad.app.get("/api/v1/rounds", None).await;
    assert_eq!(rounds["rounds"][2]["voided"], json!(["notes"]));
    // A pause during a round interrupts it: no verdicts, and no new round until resumed.
    let state = ad.state().clone();
    let slow =
        tokio::spawn(async move { ticker::play_round(&state, Duration::from_secs(20)).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    ops::clock(ad.state(), ClockAction::Pause, "test")
        .await
        .unwrap();
    let (n, end) = slow.await.unwrap().unwrap().unwrap();
    assert_eq!(n, 4);
    // The fast checker may have finished before the pause was seen; either way round 4 is over.
    let r4 = ad.state().store().last_round().await.unwrap().unwrap();
    assert_eq!(
        r4.status,
        if end == RoundEnd::Interrupted {
            "interrupted"
        } else {
            "done"
        }
    );
    assert!(
        ticker::play_round(ad.state(), Duration::from_secs(20))
            .await
            .unwrap()
            .is_none()
    );
    ops::clock(ad.state(), ClockAction::Resume, "test")
        .await
        .unwrap();
    assert_eq!(ad.round().await.0, 5);
    ad.finish().await;
}

/// A team's cell of the only service in the grid.
fn grid_cell(grid: &Value, team: &str) -> Value {
    grid["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["team"]["id"] == team)
        .unwrap()["services"][0]
        .clone()
}

async fn attack_data_and_the_grid(backend: Backend) {
    // Charlie's service is down (the checker says 104 for charlie's host) and a message on stderr.
    let ad = Ad::start(
        backend,
        r#"case "$2" in charlie.*) echo "no answer"; echo "secret detail" >&2; exit 104;; *) [ "$1" = put ] && echo "$3:private"; exit 101;; esac"#,
    )
    .await;
    ad.round().await;
    ad.round().await;
    // What teams are shown to play: the round, the flag format, the limits.
    let (_, ex) = ad.app.get("/api/v1/exercise", None).await;
    let game = &ex["attack_defense"];
    assert_eq!(game["round"], 2, "{ex}");
    assert_eq!(game["round_seconds"], 30);
    assert_eq!(game["max_flags_per_request"], 5);
    let re = regex::Regex::new(&format!("^{}$", game["flag_format"].as_str().unwrap())).unwrap();
    assert!(re.is_match(&ad.flag("bravo", 2, 1)));
    assert!(!re.is_match("DRILL_not-a-flag"));
    assert_eq!(
        game["tcp_port"],
        Value::Null,
        "no TCP server was bound here"
    );
    let (status, data) = ad.app.get("/api/v1/attack-data", None).await;
    assert_eq!(status, StatusCode::OK, "{data}");
    assert_eq!(data["round"], 2);
    let alpha = &data["services"]["notes"]["alpha.drill.internal:8080"];
    for round in ["1", "2"] {
        for place in ["1", "2"] {
            let ids = alpha[round][place].as_array().unwrap();
            assert_eq!(ids.len(), 1);
            let id = ids[0].as_str().unwrap();
            assert!(id.starts_with("notes-") && !id.contains("private"), "{id}");
        }
    }
    assert!(
        data["services"]["notes"]["charlie.drill.internal:8080"].is_null(),
        "nothing planted on a down service"
    );
    assert_eq!(
        data["teams"][2]["hosts"]["notes"],
        "charlie.drill.internal:8080"
    );
    let (_, grid) = ad.app.get("/api/v1/services", None).await;
    assert!(
        !grid.to_string().contains("-0.0"),
        "no flag lost is 0, not -0: {grid}"
    );
    let row = |team: &str| grid_cell(&grid, team);
    assert_eq!(row("alpha")["state"], "ok");
    assert_eq!(row("charlie")["state"], "down");
    assert_eq!(row("charlie")["message"], "no answer");
    assert!((row("alpha")["sla"].as_f64().unwrap() - 2.0 * 3f64.sqrt()).abs() < 1e-9);
    assert_eq!(row("charlie")["sla"], 0.0);
    // A capture moves attack and defense, and makes a first blood.
    let (_, body) = ad
        .put_flags(Some(&ad.token("bravo")), &[ad.flag("alpha", 2, 1)])
        .await;
    assert_eq!(body[0]["status"], true, "{body}");
    let (_, grid) = ad.app.get("/api/v1/services", None).await;
    let row = |team: &str| grid_cell(&grid, team);
    assert_eq!(row("bravo")["attack"], 2.0);
    assert_eq!(row("alpha")["defense"], -1.0);
    assert_eq!(grid["first_bloods"][0]["team"], "bravo");
    assert_eq!(grid["first_bloods"][0]["victim"], "alpha");
    // Round history: stderr only for organisers.
    let (_, public) = ad.app.get("/api/v1/rounds/2", None).await;
    assert!(public["checks"][0].get("private").is_none());
    let (_, staff) = ad.app.get("/api/v1/rounds/2", Some(&ad.organiser)).await;
    let charlie = staff["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["team"] == "charlie")
        .unwrap();
    assert!(
        charlie["private"]
            .as_str()
            .unwrap()
            .contains("secret detail"),
        "{charlie}"
    );
    let (status, _) = ad.app.get("/api/v1/rounds/7", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    ad.finish().await;
}

async fn played_services_keep_their_place(backend: Backend) {
    let ad = Ad::start(backend, "exit 101").await;
    let load = |yaml: String| async {
        let s = drillboard_scenario::load_str(&yaml, "ad.yaml", None).unwrap();
        ops::load_scenario(ad.state(), s, yaml, "test").await
    };
    let extra = "  - id: mail\n    checker: [\"true\"]\n    host: \"{team}.drill.internal:25\"\n";
    let base = scenario("exit 101", 1);
    let (head, notes) = base.split_once("services:\n").unwrap();
    let before = format!("{head}services:\n{extra}{notes}");
    // Before any round, services may be reordered freely.
    load(before).await.unwrap();
    load(base.clone()).await.unwrap();
    assert!(matches!(ad.round().await.1, RoundEnd::Done(_)));
    // Flags carry their service's position: once played, `notes` must stay first.
    let err = load(format!("{head}services:\n{extra}{notes}"))
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("notes"), "{msg}");
    let res = axum::response::IntoResponse::into_response(err);
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // A new service at the end is fine.
    load(format!("{base}{extra}")).await.unwrap();
    assert_eq!(
        ad.state().live().scenario.as_ref().unwrap().services.len(),
        2
    );
    ad.finish().await;
}

//! Who may do what, and how bad requests are answered: 401, 403, named fields, 413, never 500.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, Drill, TestApp};

both!(
    without_a_token_is_401,
    wrong_role_is_403,
    teams_never_see_flags_or_others_data,
    api_tokens_work_and_revoke,
    bad_input_is_a_named_4xx,
    logins_are_rate_limited
);

async fn without_a_token_is_401(backend: Backend) {
    let d = Drill::started(backend).await;
    for (method, path) in [
        (Method::GET, "/api/v1/challenges"),
        (Method::POST, "/api/v1/challenges/web/submit"),
        (Method::GET, "/api/v1/me"),
        (Method::GET, "/api/v1/events"),
        (Method::GET, "/api/v1/export"),
        (Method::PUT, "/api/v1/scenario"),
        (Method::POST, "/api/v1/exercise/pause"),
    ] {
        let (s, b) = d
            .app
            .call(method.clone(), path, None, Some(json!({"flag": "x"})))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {path}: {b}");
        assert_eq!(b["error"]["code"], "unauthorized");
    }
    let (s, _) = d.app.get("/api/v1/challenges", Some("not-a-jwt")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = d.app.get("/api/v1/scoreboard", Some("not-a-jwt")).await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "bad credentials are refused even on public pages"
    );
    // A token signed with another key, or expired, is refused.
    let other =
        drillboard_api::auth::Keys::new(&[b"another-secret-another-secret-xx".to_vec()]).unwrap();
    let forged = other
        .sign(&drillboard_api::auth::Claims {
            sub: 1,
            name: "org".into(),
            role: drillboard_api::auth::Role::Organiser,
            team: None,
            exp: u64::MAX / 4,
            iat: 0,
            epoch: 0,
        })
        .unwrap();
    let (s, _) = d.app.get("/api/v1/events", Some(&forged)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let expired = other_keys_same_secret()
        .sign(&drillboard_api::auth::Claims {
            sub: 1,
            name: "org".into(),
            role: drillboard_api::auth::Role::Organiser,
            team: None,
            exp: 1_000_000,
            iat: 0,
            epoch: 0,
        })
        .unwrap();
    let (s, _) = d.app.get("/api/v1/events", Some(&expired)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "an expired session is refused");
    d.finish().await;
}

fn other_keys_same_secret() -> drillboard_api::auth::Keys {
    drillboard_api::auth::Keys::new(&[b"test-secret-test-secret-test-secret!".to_vec()]).unwrap()
}

async fn wrong_role_is_403(backend: Backend) {
    let d = Drill::started(backend).await;
    let team = d.team("alpha");
    for (method, path, who) in [
        (Method::PUT, "/api/v1/scenario", team),
        (Method::POST, "/api/v1/exercise/pause", team),
        (Method::POST, "/api/v1/exercise/pause", d.judge.as_str()),
        (Method::POST, "/api/v1/adjustments", d.judge.as_str()),
        (Method::GET, "/api/v1/events", team),
        (Method::GET, "/api/v1/audit", d.judge.as_str()),
        (Method::GET, "/api/v1/export", team),
        (Method::GET, "/api/v1/teams", team),
        (Method::POST, "/api/v1/users", d.judge.as_str()),
        (Method::GET, "/api/v1/teams/bravo/tokens", team),
        (
            Method::POST,
            "/api/v1/challenges/web/submit",
            d.organiser.as_str(),
        ),
    ] {
        let body = if path.ends_with("submit") {
            json!({"flag": "x"})
        } else {
            json!({})
        };
        let (s, b) = d
            .app
            .call(method.clone(), path, Some(who), Some(body))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {path}: {b}");
        assert_eq!(b["error"]["code"], "forbidden");
    }
    d.finish().await;
}

async fn teams_never_see_flags_or_others_data(backend: Backend) {
    let d = Drill::started(backend).await;
    let t = d.team("alpha");
    d.app.submit(d.team("bravo"), "web", "FLAG{web}").await;
    let (_, list) = d.app.get("/api/v1/challenges", Some(t)).await;
    let text = list.to_string();
    for secret in ["FLAG{web}", "dyn-[0-9]", "flag{plain}", "locked-secret"] {
        assert!(
            !text.contains(secret),
            "a team's challenge list leaks {secret}"
        );
    }
    let (_, board) = d.app.get("/api/v1/scoreboard", Some(t)).await;
    assert!(!board.to_string().contains("FLAG{"));
    let (s, _) = d.app.get("/api/v1/scenario", Some(t)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = d
        .app
        .post("/api/v1/teams/bravo/tokens", Some(t), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    d.finish().await;
}

async fn api_tokens_work_and_revoke(backend: Backend) {
    let d = Drill::started(backend).await;
    let initial = d.token_of("charlie").to_owned();
    // Farms send the token in X-Team-Token; scripts may send it as a Bearer token.
    let req = Request::post("/api/v1/challenges/plain/submit")
        .header("x-team-token", &initial)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"flag":"flag{plain}"}"#))
        .unwrap();
    let (s, b) = d.app.send(req).await;
    assert_eq!(
        (s, b["status"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "{b}"
    );
    let (s, created) = d
        .app
        .post(
            "/api/v1/teams/charlie/tokens",
            Some(d.team("charlie")),
            json!({"label": "farm"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{created}");
    let farm = created["token"].as_str().unwrap().to_owned();
    let (s, me) = d.app.get("/api/v1/me", Some(&farm)).await;
    assert_eq!(
        (s, me["team"]["id"].as_str()),
        (StatusCode::OK, Some("charlie"))
    );
    let (_, list) = d
        .app
        .get("/api/v1/teams/charlie/tokens", Some(&d.organiser))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        !list.to_string().contains(&farm),
        "stored tokens are never shown again"
    );
    let id = created["id"].as_i64().unwrap();
    let (s, _) = d
        .app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(d.team("alpha")),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "another team cannot revoke it");
    let (s, _) = d
        .app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(d.team("charlie")),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = d.app.get("/api/v1/me", Some(&farm)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    let (s, _) = d
        .app
        .get("/api/v1/me", Some("dbt_00000000000000000000000000000000"))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    d.finish().await;
}

async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(c) = content_type {
        b = b.header(header::CONTENT_TYPE, c);
    }
    app.send(b.body(body.into()).unwrap()).await
}

async fn bad_input_is_a_named_4xx(backend: Backend) {
    let d = Drill::started(backend).await;
    let t = d.team("alpha");
    let json = Some("application/json");
    let (s, b) = raw(
        &d.app,
        Method::POST,
        "/api/v1/challenges/web/submit",
        Some(t),
        json,
        r#"{"flg":"x"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(
        b["error"]["message"].as_str().unwrap().contains("flg"),
        "{b}"
    );
    let (s, b) = raw(
        &d.app,
        Method::POST,
        "/api/v1/challenges/web/submit",
        Some(t),
        json,
        r#"{"flag": 5}"#,
    )
    .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("flag")),
        "{b}"
    );
    let (s, b) = raw(
        &d.app,
        Method::POST,
        "/api/v1/challenges/web/submit",
        Some(t),
        json,
        r#"{"flag": "x""#,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, _) = raw(
        &d.app,
        Method::POST,
        "/api/v1/challenges/web/submit",
        Some(t),
        Some("text/plain"),
        r#"{"flag":"x"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, b) = d
        .app
        .post(
            "/api/v1/adjustments",
            Some(&d.organiser),
            json!({"team": "alpha", "points": 10, "reason": ""}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("reason"))
    );
    let (s, b) = d
        .app
        .post(
            "/api/v1/adjustments",
            Some(&d.organiser),
            json!({"team": "ghost", "points": 10, "reason": "because"}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("team"))
    );
    let (s, b) = d
        .app
        .post(
            "/api/v1/adjustments",
            Some(&d.organiser),
            json!([{"team": "alpha"}]),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = d
        .app
        .post(
            "/api/v1/teams",
            Some(&d.organiser),
            json!([{"name": "Ok"}, {"name": "Bad", "id": "BAD ID"}]),
        )
        .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("[1].id")),
        "{b}"
    );
    let (s, b) = d
        .app
        .post(
            "/api/v1/exercise/extend",
            Some(&d.organiser),
            json!({"minutes": "ten"}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("minutes")),
        "{b}"
    );
    let (s, _) = d
        .app
        .post("/api/v1/exercise/explode", Some(&d.organiser), json!({}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A body over the limit is refused before it is read whole.
    let big = format!(r#"{{"flag":"{}"}}"#, "A".repeat(3 * 1024 * 1024));
    let (s, b) = raw(
        &d.app,
        Method::POST,
        "/api/v1/challenges/web/submit",
        Some(t),
        json,
        big,
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert_eq!(b["error"]["code"], "payload_too_large");
    let (s, _) = raw(
        &d.app,
        Method::PUT,
        "/api/v1/scenario",
        Some(&d.organiser),
        Some("application/yaml"),
        vec![0xff, 0xfe, 0x00],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = raw(
        &d.app,
        Method::DELETE,
        "/api/v1/scoreboard",
        None,
        None,
        Body::empty(),
    )
    .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let (s, b) = d.app.get("/api/v1/nothing-here", None).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    // A sweep of odd requests: none may be a 5xx.
    let odd: Vec<(Method, &str, Option<&str>, &str)> = vec![
        (Method::POST, "/api/v1/auth/login", json, "null"),
        (
            Method::POST,
            "/api/v1/auth/login",
            json,
            r#"{"username": "x"}"#,
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            json,
            r#"{"username": "x", "password": "y", "extra": 1}"#,
        ),
        (
            Method::POST,
            "/api/v1/challenges/%00/submit",
            json,
            r#"{"flag":"x"}"#,
        ),
        (
            Method::POST,
            "/api/v1/challenges/web/hints/%FF/unlock",
            None,
            "",
        ),
        (Method::DELETE, "/api/v1/tokens/not-a-number", None, ""),
        (Method::DELETE, "/api/v1/tokens/999999", None, ""),
        (Method::GET, "/api/v1/teams/ghost/tokens", None, ""),
        (Method::POST, "/api/v1/users/ghost/reset-password", None, ""),
        (
            Method::POST,
            "/api/v1/users",
            json,
            r#"{"username": "x", "role": "emperor"}"#,
        ),
        (
            Method::POST,
            "/api/v1/users",
            json,
            r#"{"username": "bad name!", "role": "judge"}"#,
        ),
        (
            Method::POST,
            "/api/v1/teams/import",
            Some("text/csv"),
            "nothing,useful\n",
        ),
        (
            Method::POST,
            "/api/v1/adjustments",
            json,
            r#"{"team": "alpha", "points": 1e400, "reason": "xyz"}"#,
        ),
        (
            Method::POST,
            "/api/v1/teams/alpha/disqualify",
            json,
            r#"{}"#,
        ),
        (Method::GET, "/api/v1/scoreboard?at=", None, ""),
        (Method::GET, "/static/../../etc/passwd", None, ""),
    ];
    for (method, path, ct, body) in odd {
        let (s, b) = raw(
            &d.app,
            method.clone(),
            path,
            Some(&d.organiser),
            ct,
            body.to_owned(),
        )
        .await;
        assert!(s.is_client_error(), "{method} {path} {body}: {s} {b}");
        assert!(
            b["error"]["message"].is_string() || s == StatusCode::NOT_FOUND,
            "{method} {path}: {b}"
        );
    }
    d.finish().await;
}

async fn logins_are_rate_limited(backend: Backend) {
    let app = TestApp::empty(backend).await;
    for _ in 0..10 {
        let (s, _) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": "nobody", "password": "wrong"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, b) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "nobody", "password": "wrong"}),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
    app.finish().await;
}

//! The OpenAPI document matches the router: every documented operation exists.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::both;
use crate::helpers::{Backend, Drill};

both!(every_documented_operation_exists);

async fn every_documented_operation_exists(backend: Backend) {
    let d = Drill::started(backend).await;
    let (s, spec) = d.app.get("/api/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 25, "only {} paths documented", paths.len());
    let mut checked = 0;
    for (path, ops) in paths {
        let concrete = path
            .replace("{id}", "alpha")
            .replace("{hint}", "1")
            .replace("{action}", "freeze")
            .replace("{username}", "judy")
            .replace("{file}", "app.css")
            .replace("{n}", "1");
        for (method, op) in ops.as_object().unwrap() {
            let Ok(m) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            assert!(op["summary"].is_string(), "{method} {path} has no summary");
            assert!(
                op["responses"].is_object(),
                "{method} {path} has no responses"
            );
            let concrete = if path.starts_with("/api/v1/tokens/") {
                concrete.replace("alpha", "1")
            } else {
                concrete.clone()
            };
            if path == "/api/v1/stream" {
                // An endless body: check the head only.
                let req = axum::http::Request::get(path)
                    .body(axum::body::Body::empty())
                    .unwrap();
                let res = tower::ServiceExt::oneshot(d.app.router.clone(), req)
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                assert_eq!(
                    res.headers()["content-type"].to_str().unwrap(),
                    "text/event-stream"
                );
                checked += 1;
                continue;
            }
            let (s, b) = d
                .app
                .call(
                    m.clone(),
                    &concrete,
                    Some(&d.organiser),
                    Some(Value::Object(Default::default())),
                )
                .await;
            let missing = s == StatusCode::METHOD_NOT_ALLOWED
                || (s == StatusCode::NOT_FOUND
                    && b["error"]["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("no such endpoint")));
            assert!(
                !missing,
                "{method} {path} is documented but not routed ({s} {b})"
            );
            assert!(!s.is_server_error(), "{method} {concrete}: {s} {b}");
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked}");
    d.finish().await;
}

//! `GET /metrics`: organisers only, the Prometheus text format, and counters that follow what
//! was done (flag submissions by result, requests by route pattern, never by raw path).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::both;
use crate::helpers::{Backend, Drill, TestApp};

both!(metrics_count_submissions_and_requests_for_organisers_only);

/// The metrics text as `token` gets it: status and body.
pub async fn scrape(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let mut req = Request::builder().method(Method::GET).uri("/metrics");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let ctype = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    if status == StatusCode::OK {
        assert_eq!(
            ctype.as_deref(),
            Some("text/plain; version=0.0.4; charset=utf-8")
        );
    }
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

/// The value of the sample `line` (name and labels exactly), if the text has it.
pub fn sample(text: &str, line: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(line)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics_count_submissions_and_requests_for_organisers_only(backend: Backend) {
    let d = Drill::started(backend).await;
    assert_eq!(scrape(&d.app, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scrape(&d.app, Some(d.team("alpha"))).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, body) = d.app.submit(d.team("alpha"), "web", "FLAG{nope}").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = d.app.submit(d.team("alpha"), "web", "FLAG{web}").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = d.app.get("/wp-login.php", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, text) = scrape(&d.app, Some(&d.organiser)).await;
    assert_eq!(s, StatusCode::OK, "{text}");
    let submissions = "drillboard_flag_submissions_total";
    assert_eq!(
        sample(
            &text,
            &format!("{submissions}{{protocol=\"jeopardy\",result=\"incorrect\"}}")
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("{submissions}{{protocol=\"jeopardy\",result=\"accepted\"}}")
        ),
        Some(1.0),
        "{text}"
    );
    let route = "drillboard_http_requests_total{route=\"/api/v1/challenges/{id}/submit\",method=\"POST\",status=\"200\"}";
    assert_eq!(sample(&text, route), Some(2.0), "{text}");
    assert_eq!(
        sample(
            &text,
            "drillboard_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert!(!text.contains("wp-login"), "{text}");
    // Counted with the two failed scrapes before it.
    assert!(
        sample(
            &text,
            "drillboard_http_requests_total{route=\"/metrics\",method=\"GET\",status=\"401\"}"
        ) == Some(1.0),
        "{text}"
    );
    assert!(sample(&text, "drillboard_teams").unwrap() >= 2.0, "{text}");
    assert_eq!(sample(&text, "drillboard_exercise_running"), Some(1.0));
    assert!(
        sample(&text, "drillboard_db_read_connections").unwrap() >= 1.0,
        "{text}"
    );
    assert_eq!(sample(&text, "drillboard_stream_clients"), Some(0.0));
    // Every sample line is `name{labels} value` or `name value`, after its HELP and TYPE.
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let (name, value) = l.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{l}");
        let bare = name.split('{').next().unwrap();
        let family = bare
            .trim_end_matches("_bucket")
            .trim_end_matches("_sum")
            .trim_end_matches("_count");
        assert!(
            text.contains(&format!("# TYPE {family} ")),
            "no TYPE for {l}"
        );
    }
    d.finish().await;
}

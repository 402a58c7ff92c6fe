//! The web pages, compiled into the binary so that nothing is fetched from outside at run time.

use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::json::Path;

/// Every file under `web/`, with its content type.
const FILES: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../../../../web/index.html"),
    ),
    (
        "judge.html",
        "text/html; charset=utf-8",
        include_str!("../../../../web/judge.html"),
    ),
    (
        "team.html",
        "text/html; charset=utf-8",
        include_str!("../../../../web/team.html"),
    ),
    (
        "api-docs.html",
        "text/html; charset=utf-8",
        include_str!("../../../../web/api-docs.html"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../../../web/app.css"),
    ),
    (
        "api.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/api.js"),
    ),
    (
        "i18n.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/i18n.js"),
    ),
    (
        "board.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/board.js"),
    ),
    (
        "judge.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/judge.js"),
    ),
    (
        "team.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/team.js"),
    ),
    (
        "organiser.html",
        "text/html; charset=utf-8",
        include_str!("../../../../web/organiser.html"),
    ),
    (
        "organiser.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/organiser.js"),
    ),
    (
        "organiser-texts.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/organiser-texts.js"),
    ),
    (
        "problem-texts.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/problem-texts.js"),
    ),
    (
        "organiser.css",
        "text/css; charset=utf-8",
        include_str!("../../../../web/organiser.css"),
    ),
    (
        "team-extra.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/team-extra.js"),
    ),
    (
        "judge-extra.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/judge-extra.js"),
    ),
    (
        "judge-extra.css",
        "text/css; charset=utf-8",
        include_str!("../../../../web/judge-extra.css"),
    ),
    (
        "breakdown.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/breakdown.js"),
    ),
    (
        "signin.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/signin.js"),
    ),
    (
        "live.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/live.js"),
    ),
    (
        "projector.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/projector.js"),
    ),
    (
        "api-docs.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/api-docs.js"),
    ),
];

/// The OpenAPI document of the HTTP API.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Every file with its ETag and gzip copy, made once at the first request: pages are revalidated
/// with a 304 and sent compressed (the board page and its scripts are a quarter of their size).
static SERVED: LazyLock<Vec<(&'static str, crate::served::Served)>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, mime, body)| {
            (
                *name,
                crate::served::Served::of_bytes(
                    body.as_bytes().to_vec(),
                    mime,
                    flate2::Compression::best(),
                ),
            )
        })
        .collect()
});

fn serve(name: &str, headers: &HeaderMap) -> Response {
    match SERVED.iter().find(|(n, _)| *n == name) {
        Some((_, served)) => {
            let mut r = served.respond(headers);
            // Pages load only from this server: the drill network is air-gapped.
            r.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; base-uri 'none'; frame-ancestors 'none'"),
            );
            r.headers_mut().insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            r
        }
        None => ApiError::NotFound(format!("no file `{name}`")).into_response(),
    }
}

/// `GET /`: the public leaderboard.
pub async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

/// `GET /team`: the team page.
pub async fn team(headers: HeaderMap) -> Response {
    serve("team.html", &headers)
}

/// `GET /judge`: the judges' marking console.
pub async fn judge(headers: HeaderMap) -> Response {
    serve("judge.html", &headers)
}

/// `GET /organiser`: the organisers' console.
pub async fn organiser(headers: HeaderMap) -> Response {
    serve("organiser.html", &headers)
}

/// `GET /api/docs`: the browsable API reference.
pub async fn docs(headers: HeaderMap) -> Response {
    serve("api-docs.html", &headers)
}

/// `GET /static/{file}`.
pub async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    serve(&file, &headers)
}

/// `GET /api/openapi.json`.
pub async fn openapi() -> Response {
    let mut r = (StatusCode::OK, OPENAPI).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

//! The web pages, compiled into the binary so that nothing is fetched from outside at run time.

use axum::http::{HeaderValue, StatusCode, header};
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
        "api-docs.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../../web/api-docs.js"),
    ),
];

/// The OpenAPI document of the HTTP API.
pub const OPENAPI: &str = include_str!("../openapi.json");

fn serve(name: &str) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => {
            let mut r = (*body).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
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
pub async fn index() -> Response {
    serve("index.html")
}

/// `GET /team`: the team page.
pub async fn team() -> Response {
    serve("team.html")
}

/// `GET /judge`: the judges' marking console.
pub async fn judge() -> Response {
    serve("judge.html")
}

/// `GET /organiser`: the organisers' console.
pub async fn organiser() -> Response {
    serve("organiser.html")
}

/// `GET /api/docs`: the browsable API reference.
pub async fn docs() -> Response {
    serve("api-docs.html")
}

/// `GET /static/{file}`.
pub async fn asset(Path(file): Path<String>) -> Response {
    serve(&file)
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

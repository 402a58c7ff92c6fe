//! The HTTP routes. `router` is separate from serving so tests drive the app in-process.

pub mod admin;
pub mod feed;
pub mod game;
pub mod play;
pub mod public;
pub mod reports;
pub mod session;
pub mod web;

use std::any::Any;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::{AppState, MAX_BODY_BYTES};

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(public::healthz))
        .route("/readyz", get(public::readyz))
        .route("/metrics", get(public::metrics))
        .route("/api/v1/exercise", get(public::exercise))
        .route("/api/v1/scoreboard", get(public::scoreboard))
        .route("/api/v1/scoreboard/ctftime", get(public::ctftime))
        .route("/api/v1/scoreboard/history", get(feed::history))
        .route("/api/v1/scoreboard/teams/{id}", get(public::team_score))
        .route(
            "/api/v1/scoreboard/challenges/{id}",
            get(public::challenge_solvers),
        )
        .route("/api/v1/stream", get(feed::stream))
        .route(
            "/api/v1/announcements",
            get(feed::announcements).post(feed::announce),
        )
        .route("/api/v1/auth/login", post(session::login))
        .route("/api/v1/me", get(session::me))
        .route("/api/v1/challenges", get(play::challenges))
        .route("/api/v1/challenges/{id}/submit", post(play::submit))
        .route(
            "/api/v1/challenges/{id}/hints/{hint}/unlock",
            post(play::unlock),
        )
        .route("/api/v1/scenario/validate", post(admin::validate))
        .route(
            "/api/v1/scenario",
            get(admin::get_scenario).put(admin::load),
        )
        .route("/api/v1/exercise/{action}", post(admin::clock))
        .route("/api/v1/teams", get(admin::teams).post(admin::create_teams))
        .route("/api/v1/teams/import", post(admin::import_teams))
        .route(
            "/api/v1/teams/{id}/tokens",
            get(admin::tokens).post(admin::new_token),
        )
        .route("/api/v1/teams/{id}/disqualify", post(admin::disqualify))
        .route("/api/v1/teams/{id}/reinstate", post(admin::reinstate))
        .route("/api/v1/tokens/{id}", delete(admin::revoke_token))
        .route("/api/v1/users", get(admin::users).post(admin::create_user))
        .route(
            "/api/v1/users/{username}/reset-password",
            post(admin::reset_password),
        )
        .route(
            "/api/v1/users/{username}/disable",
            post(admin::disable_user),
        )
        .route("/api/v1/users/{username}/enable", post(admin::enable_user))
        .route(
            "/api/v1/auth/logout-everywhere",
            post(session::logout_everywhere),
        )
        .route("/api/v1/adjustments", post(admin::adjust))
        .route("/api/v1/events", get(admin::events))
        .route("/api/v1/audit", get(admin::audit))
        .route("/api/v1/export", get(admin::export))
        .route("/api/v1/injects", get(reports::list))
        .route(
            "/api/v1/injects/{id}/report",
            get(reports::mine)
                .put(reports::submit)
                .layer(DefaultBodyLimit::max(reports::MAX_REPORT_BODY)),
        )
        .route(
            "/api/v1/injects/{id}/release-grades",
            post(reports::release),
        )
        .route("/api/v1/injects/{id}/release", post(reports::release_now))
        .route("/api/v1/reports", get(reports::all))
        .route("/api/v1/markdown", post(reports::preview))
        .route("/api/v1/files/{id}", get(reports::file))
        .route("/api/v1/marking", get(reports::queue))
        .route(
            "/api/v1/marking/{code}",
            get(reports::detail).post(reports::mark),
        )
        .route("/flags", put(game::put_flags))
        .route("/api/v1/attack-data", get(game::attack_data))
        .route("/api/v1/services", get(game::services))
        .route("/api/v1/rounds", get(game::rounds))
        .route("/api/v1/alerts", get(game::alerts))
        .route("/api/v1/workers", get(game::workers))
        .route("/api/v1/rounds/{n}", get(game::round))
        .route("/api/v1/rounds/{n}/void", post(game::void))
        .route("/api/openapi.json", get(web::openapi))
        .route("/api/docs", get(web::docs))
        .route("/", get(web::index))
        .route("/team", get(web::team))
        .route("/judge", get(web::judge))
        .route("/organiser", get(web::organiser))
        .route("/static/{file}", get(web::asset))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(
            crate::json::refuse_control_in_uri,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), track))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
                tracing::info_span!("request", method = %req.method(), route)
            }),
        )
        .with_state(state)
}

/// Count every request for `/metrics`, by its route pattern (never the raw path).
async fn track(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> Response {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method: &'static str = match req.method().as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    state
        .0
        .metrics
        .request(&route, method, res.status().as_u16(), started.elapsed());
    res
}

async fn not_found(req: Request<axum::body::Body>) -> Response {
    ApiError::NotFound(format!(
        "no such endpoint: {} {}",
        req.method(),
        req.uri().path()
    ))
    .into_response()
}

async fn method_not_allowed(req: Request<axum::body::Body>) -> Response {
    let mut r = ApiError::BadRequest {
        code: "method_not_allowed",
        message: format!("{} is not allowed on {}", req.method(), req.uri().path()),
        field: None,
    }
    .into_response();
    *r.status_mut() = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    r
}

fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    ApiError::Internal(anyhow::anyhow!("handler panicked: {detail}")).into_response()
}

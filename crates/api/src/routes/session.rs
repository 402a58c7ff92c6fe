//! Signing in.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Caller, Claims, ClientIp, Role, verify_password};
use crate::error::{ApiError, ApiResult};
use crate::json;
use crate::routes::public::iso;
use crate::state::AppState;

/// Login body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// `POST /api/v1/auth/login`: a session token for a username and password.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    json::Json(body): json::Json<Login>,
) -> ApiResult<Json<Value>> {
    if let Some(wait) = state.0.login_limiter.check(ip) {
        return Err(ApiError::RateLimited {
            message: format!("too many failed sign-ins from this address; wait {wait} s"),
            retry_after: wait,
        });
    }
    if body.username.len() > 128 {
        return Err(ApiError::field(
            "username",
            "the username is longer than 128 bytes",
        ));
    }
    if body.password.len() > 1024 {
        return Err(ApiError::field(
            "password",
            "the password is longer than 1024 bytes",
        ));
    }
    let user = state.store().user_by_name(&body.username).await?;
    let ok = verify_password(
        body.password,
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            state.0.login_limiter.fail(ip);
            return Err(ApiError::Unauthorized("wrong username or password".into()));
        }
    };
    let role = Role::parse(&user.role).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "user {} has unknown role {}",
            user.id,
            user.role
        ))
    })?;
    let team = match user.team_id {
        Some(id) => state.store().team(id).await?,
        None => None,
    };
    let now = state.now();
    let exp = (now / 1000) as u64 + state.0.settings.session_seconds;
    let claims = Claims {
        sub: user.id,
        name: user.username.clone(),
        role,
        team: team.as_ref().map(|t| t.slug.clone()),
        exp,
        iat: (now / 1000) as u64,
    };
    let token = state.0.keys.sign(&claims)?;
    Ok(Json(json!({
        "token": token,
        "role": role,
        "username": user.username,
        "team": team.map(|t| json!({"id": t.slug, "name": t.name})),
        "expires_at": iso(exp as i64 * 1000),
    })))
}

/// `GET /api/v1/me`: who the token belongs to.
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    let team = caller.team.as_deref().and_then(|slug| {
        state
            .live()
            .team(slug)
            .map(|t| json!({"id": t.slug, "name": t.name}))
    });
    Ok(Json(
        json!({"username": caller.name, "role": caller.role, "team": team}),
    ))
}

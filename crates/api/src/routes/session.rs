//! Signing in.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Caller, Claims, Role, verify_password};
use crate::error::{ApiError, ApiResult};
use crate::json;
use crate::limits::ClientIp;
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
///
/// The attempt is counted against the limits (per address and username, per username, per
/// address) before the password is hashed, and taken back if it was right; the hash itself
/// waits for one of the few hashing threads, or is refused with 429 when too many wait.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    json::Json(body): json::Json<Login>,
) -> ApiResult<Json<Value>> {
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
    let ticket = state
        .0
        .login_limiter
        .reserve(ip, &body.username, state.now())
        .map_err(|wait| ApiError::RateLimited {
            message: format!(
                "too many failed sign-ins for this login or from this address; wait {wait} s"
            ),
            retry_after: wait,
        })?;
    let user = match state.store().user_by_name(&body.username).await {
        Ok(u) => u,
        Err(e) => {
            state.0.login_limiter.not_judged(ticket);
            return Err(e.into());
        }
    };
    let ok = verify_password(
        body.password,
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let Some(ok) = ok else {
        state.0.login_limiter.not_judged(ticket);
        return Err(ApiError::RateLimited {
            message: "too many sign-ins at this moment; try again in a second".into(),
            retry_after: 1,
        });
    };
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => return Err(ApiError::Unauthorized("wrong username or password".into())),
    };
    state.0.login_limiter.succeeded(ticket);
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
        epoch: user.session_epoch,
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

/// `POST /api/v1/auth/logout-everywhere`: end every session of the caller's login, on every
/// device (this one too).
pub async fn logout_everywhere(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Value>> {
    if !caller.is_session() {
        return Err(ApiError::Forbidden(
            "API tokens have no sessions; revoke the token instead".into(),
        ));
    }
    state.store().bump_session_epoch(caller.user_id).await?;
    state
        .store()
        .audit(
            &caller.name,
            "user.logout_everywhere",
            json!({"username": caller.name}),
            state.now(),
        )
        .await?;
    Ok(Json(json!({"signed_out": true})))
}

/// `GET /api/v1/me`: who the token belongs to.
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    let team = caller.team.as_deref().and_then(|slug| {
        state
            .live()
            .team(slug)
            .map(|t| {
                let members: Vec<String> = serde_json::from_str(&t.members).unwrap_or_default();
                json!({"id": t.slug, "name": t.name, "organisation": t.organisation, "members": members})
            })
    });
    Ok(Json(
        json!({"username": caller.name, "role": caller.role, "team": team}),
    ))
}

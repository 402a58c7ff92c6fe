//! One error type for the HTTP layer: every failure becomes a status and a JSON body
//! `{"error": {"code", "message", "field"?, ...}}`. Server-side details are logged, never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use drillboard_store::StoreError;

/// An error answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed; `field` names the part at fault when there is one.
    #[error("{message}")]
    BadRequest {
        /// Machine-readable code.
        code: &'static str,
        /// What is wrong and how to fix it.
        message: String,
        /// The JSON path or parameter at fault.
        field: Option<String>,
    },
    /// 401: no valid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: authenticated, but this role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409: the request conflicts with the current state.
    #[error("{message}")]
    Conflict {
        /// Machine-readable code.
        code: &'static str,
        /// What conflicts.
        message: String,
    },
    /// 413: the body (or a file in it) is larger than allowed.
    #[error("{}", too_large(*limit))]
    PayloadTooLarge {
        /// The limit in bytes (0: the endpoint's request limit, see docs/api.md).
        limit: usize,
    },
    /// 415: wrong content type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: the content is well-formed but invalid (e.g. a scenario with problems).
    #[error("{message}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// Every problem found.
        problems: Value,
    },
    /// 429: slow down.
    #[error("{message}")]
    RateLimited {
        /// What was limited.
        message: String,
        /// Seconds until a retry can succeed.
        retry_after: u64,
    },
    /// 503: the database cannot take the request now (a full disk, an outage); try again.
    #[error("the server cannot store or read data at this moment; try again in a few seconds")]
    Unavailable(String),
    /// 500: logged with its cause; the client sees a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn too_large(limit: usize) -> String {
    if limit == 0 {
        "the request body is larger than this endpoint accepts (see docs/api.md)".to_owned()
    } else {
        format!("a file or field is larger than {limit} bytes")
    }
}

impl ApiError {
    /// A 400 naming the field at fault.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code: "invalid_field",
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// Refuse a `reason` under 3 characters: "say why {what} (at least 3 characters)".
    pub fn require_reason(reason: &str, what: &str) -> Result<(), Self> {
        if reason.trim().chars().count() < 3 {
            return Err(ApiError::field(
                "reason",
                format!("say why {what} (at least 3 characters)"),
            ));
        }
        Ok(())
    }

    /// A 409 with a code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            message: message.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Conflict { code, .. } => code,
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Invalid { .. } => "invalid",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => ApiError::conflict("conflict", m),
            StoreError::NotFound(m) => ApiError::NotFound(m),
            StoreError::Unavailable(e) => ApiError::Unavailable(e.to_string()),
            StoreError::Db(e) => ApiError::Internal(e.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut body = json!({ "code": self.code(), "message": self.to_string() });
        match &self {
            ApiError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                body["message"] = json!("internal error; the server log has the details");
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                body["retry_after"] = json!(5);
            }
            ApiError::BadRequest { field: Some(f), .. } => body["field"] = json!(f),
            ApiError::Invalid { problems, .. } => body["problems"] = problems.clone(),
            ApiError::RateLimited { retry_after, .. } => body["retry_after"] = json!(retry_after),
            _ => {}
        }
        let mut response = (status, axum::Json(json!({ "error": body }))).into_response();
        if let ApiError::RateLimited { retry_after, .. } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

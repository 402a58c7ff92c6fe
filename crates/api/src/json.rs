//! A JSON body extractor whose rejections use the API's error shape and name the field at fault.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Like `axum::Json`, but a bad body is a 400 that says which field is wrong, an oversize body a
/// 413, and a missing content type a 415 — all in the API's error shape.
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as JSON with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        parse(&bytes).map(Json)
    }
}

/// Whether `c` is a control character no field accepts: every C0 control but tab, line feed
/// and carriage return, and DEL. (PostgreSQL cannot store NUL in text at all; SQLite can, and
/// both databases must answer alike.)
pub fn is_refused_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x80) || c == '\u{7f}'
}

/// A 400 for a control character in `field`.
fn control_character(field: String, c: char) -> ApiError {
    ApiError::BadRequest {
        code: "control_character",
        message: format!(
            "`{field}` contains the control character U+{:04X}; remove it",
            c as u32
        ),
        field: Some(field),
    }
}

/// The first string (key or value) in `v` holding a refused control character, as (path, char).
fn find_control(v: &serde_json::Value, path: &mut String) -> Option<(String, char)> {
    match v {
        serde_json::Value::String(s) => s
            .chars()
            .find(|c| is_refused_control(*c))
            .map(|c| (path.clone(), c)),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = find_control(item, path);
            path.truncate(len);
            found
        }),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
            let found = match k.chars().find(|c| is_refused_control(*c)) {
                Some(c) => Some((path.clone(), c)),
                None => find_control(item, path),
            };
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

/// Whether the JSON text may hold a refused control character: escaped (`\\u0000` to
/// `\\u001f`, `\\u007f`) or a raw DEL (raw C0 characters make the JSON invalid anyway). Cheap
/// enough for every body.
fn may_hold_control(bytes: &[u8]) -> bool {
    bytes.contains(&0x7f)
        || bytes.windows(6).any(|w| {
            w[0] == b'\\'
                && w[1] == b'u'
                && w[2] == b'0'
                && w[3] == b'0'
                && (matches!(w[4], b'0' | b'1') || (w[4] == b'7' && matches!(w[5], b'f' | b'F')))
        })
}

/// Parse JSON, naming the path of the first bad field. A string holding a control character
/// is refused with a 400 naming its field, whatever the database.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if may_hold_control(bytes)
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes)
        && let Some((field, c)) = find_control(&v, &mut String::new())
    {
        let field = if field.is_empty() {
            "body".to_owned()
        } else {
            field
        };
        return Err(control_character(field, c));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if path == "." { None } else { Some(path) };
        let message = match &field {
            Some(f) => format!("`{f}`: {inner}"),
            None => format!("the body is not valid JSON for this request: {inner}"),
        };
        ApiError::BadRequest {
            code: "invalid_json",
            message,
            field,
        }
    })
}

/// Map a body-reading failure: over the size limit is 413, anything else 400.
pub fn body_error(e: axum::extract::rejection::BytesRejection) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge { limit: 0 }
    } else {
        ApiError::BadRequest {
            code: "unreadable_body",
            message: format!("the body could not be read: {e}"),
            field: None,
        }
    }
}

/// Like `axum::extract::Path`, with rejections in the API's error shape.
pub struct Path<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e| ApiError::BadRequest {
                code: "invalid_path",
                message: format!("the address is not valid: {}", e.body_text()),
                field: Some("path".into()),
            })
    }
}

/// Like `axum::extract::Query`, with rejections in the API's error shape.
pub struct Query<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| ApiError::BadRequest {
                code: "invalid_query",
                message: format!("the query string is not valid: {}", e.body_text()),
                field: Some("query".into()),
            })
    }
}

/// The raw body, with an over-size body answered as a JSON 413 like everywhere else, and a
/// control character (other than tab and line ends) refused with its line and column.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        if let Some(at) = bytes
            .iter()
            .position(|b| (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || *b == 0x7f)
        {
            let before = &bytes[..at];
            let line = before.iter().filter(|b| **b == b'\n').count() + 1;
            let col = at
                - before
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            return Err(control_character(
                format!("body (line {line}, column {col})"),
                bytes[at] as char,
            ));
        }
        Ok(RawBody(bytes))
    }
}

/// Refuse a request whose path or query holds a percent-encoded control character
/// (`%00`-`%1F`, `%7F`) with a 400 naming which, before any handler sees it.
pub async fn refuse_control_in_uri(
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let encoded = |s: &str| {
        s.as_bytes().windows(3).find_map(|w| {
            let hex = std::str::from_utf8(&w[1..]).ok()?;
            let v = u8::from_str_radix(hex, 16).ok()?;
            (w[0] == b'%' && (v < 0x20 || v == 0x7f)).then_some(v as char)
        })
    };
    let uri = req.uri();
    if let Some(c) = encoded(uri.path()) {
        return control_character("path".into(), c).into_response();
    }
    if let Some(c) = uri.query().and_then(encoded) {
        return control_character("query".into(), c).into_response();
    }
    next.run(req).await
}

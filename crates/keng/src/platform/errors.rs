//! The one error type of the application. Handlers return [`AppError`]; it becomes a
//! response carrying an [`ErrorInfo`] extension, and the `render_errors` layer of the web
//! module turns that into an HTML error page for browsers or an RFC 9457
//! `application/problem+json` body for the API, in the request's language.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed or invalid input: 400 with a message key and optional detail.
    #[error("bad request: {key}")]
    BadRequest {
        key: &'static str,
        detail: Option<String>,
    },
    /// Input that parses but breaks a rule, with the offending fields: 422.
    #[error("invalid input")]
    Invalid(Vec<(String, &'static str)>),
    #[error("not signed in")]
    Unauthorized,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("too many requests")]
    TooManyRequests {
        key: &'static str,
        retry_after_secs: i64,
    },
    /// A service we depend on (the file store) cannot be used now: 503, try again later.
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad(key: &'static str) -> AppError {
        AppError::BadRequest { key, detail: None }
    }

    pub fn invalid(field: &str, key: &'static str) -> AppError {
        AppError::Invalid(vec![(field.to_string(), key)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn key(&self) -> &'static str {
        match self {
            AppError::BadRequest { key, .. } => key,
            AppError::Invalid(_) => "err.invalid",
            AppError::Unauthorized => "err.unauthorized",
            AppError::Forbidden(k) => k,
            AppError::NotFound => "err.not_found",
            AppError::Conflict(k) => k,
            AppError::TooManyRequests { key, .. } => key,
            AppError::Unavailable(k) => k,
            AppError::Internal(_) => "err.internal",
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        if e.is_unique_violation() {
            AppError::Conflict("err.duplicate")
        } else if e.is_foreign_key_violation() {
            AppError::bad("err.reference")
        } else if e.is_unavailable() {
            // The database cannot be reached now: try again, not "something went wrong".
            tracing::error!(error = %e, "the database is unavailable");
            AppError::Unavailable("err.db_unavailable")
        } else {
            AppError::Internal(e.to_string())
        }
    }
}

/// What the error renderer needs, carried as a response extension.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub key: &'static str,
    pub detail: Option<String>,
    pub fields: Vec<(String, &'static str)>,
    pub retry_after_secs: Option<i64>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(msg) = &self {
            tracing::error!(error = %msg, "internal error");
        }
        let info = ErrorInfo {
            key: self.key(),
            detail: match &self {
                AppError::BadRequest { detail, .. } => detail.clone(),
                _ => None,
            },
            fields: match &self {
                AppError::Invalid(f) => f.clone(),
                _ => Vec::new(),
            },
            retry_after_secs: match &self {
                AppError::TooManyRequests {
                    retry_after_secs, ..
                } => Some(*retry_after_secs),
                AppError::Unavailable(_) => Some(30),
                _ => None,
            },
        };
        let mut resp = status.into_response();
        resp.extensions_mut().insert(info);
        resp
    }
}

//! Errors of the HTTP server and the one place that maps each of them to an HTTP status.
//!
//! Every error response has the body `{"error": {"status": 404, "reason": "…", "hint": "…"}}`
//! (`hint` is left out when there is none), for the REST API and for `/sparql` alike.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

/// An error that a request ends with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A parameter or body is missing or malformed.
    #[error("{reason}")]
    BadRequest {
        /// Description of the problem, naming the parameter and value.
        reason: String,
        /// Advice on what to send instead.
        hint: Option<String>,
    },
    /// No entity has this identifier.
    #[error("unknown entity {id:?}")]
    UnknownEntity {
        /// Identifier as sent.
        id: String,
    },
    /// No route matches the path.
    #[error("no route for {method} {path}")]
    NoRoute {
        /// Request method.
        method: String,
        /// Request path.
        path: String,
    },
    /// The route exists but not for this method.
    #[error("method {method} is not allowed on {path}")]
    MethodNotAllowed {
        /// Request method.
        method: String,
        /// Request path.
        path: String,
        /// Methods of the route, for the `Allow` header (`GET, HEAD`).
        allowed: String,
    },
    /// The body, query string or a list in it is larger than the server accepts.
    #[error("{what} is too large: {size} > {limit}")]
    TooLarge {
        /// Measured thing (`request body`, `pair list` …).
        what: &'static str,
        /// Size sent, in the unit of `limit`.
        size: usize,
        /// Maximum accepted.
        limit: usize,
        /// Flag that raises the limit.
        flag: &'static str,
    },
    /// The parameters are valid one by one but do not fit together.
    #[error("{reason}")]
    InvalidCombination {
        /// Description of the mismatch, naming the values.
        reason: String,
        /// Advice on a combination that fits.
        hint: Option<String>,
    },
    /// The server is still loading the graph.
    #[error("the server is still loading the graph")]
    Loading,
    /// Loading failed. Only `/healthz` and `/metrics` work.
    #[error("loading failed: {0}")]
    LoadFailed(String),
    /// No trained model is loaded.
    #[error("model not loaded; train one with rxgraph train")]
    ModelNotLoaded,
    /// None of the media types in `Accept` can be produced.
    #[error("cannot produce any of the accepted media types ({accept})")]
    NotAcceptable {
        /// The request's `Accept` header.
        accept: String,
        /// Media types this request can produce.
        available: String,
    },
    /// The body's media type is not one the route reads.
    #[error("unsupported content type {content_type:?}")]
    UnsupportedMediaType {
        /// Content type sent.
        content_type: String,
        /// Content types the route reads.
        expected: &'static str,
    },
    /// A SPARQL update arrived but updates are disabled.
    #[error("SPARQL updates are disabled on this server")]
    UpdatesDisabled,
    /// The SPARQL query ran past its deadline and was cancelled.
    #[error("query timed out after {timeout_ms} ms and was cancelled")]
    QueryTimeout {
        /// Deadline, in milliseconds.
        timeout_ms: u64,
    },
    /// The client closed the connection before the query finished, so no one reads the reply.
    #[error("the client closed the connection; query cancelled")]
    ClientClosed,
    /// The SPARQL query buffered more solutions for a sort, group or DISTINCT than allowed.
    #[error("query stopped: a sort, group or DISTINCT buffered more than {limit} solutions")]
    QueryBudget {
        /// Maximum number of buffered solutions.
        limit: u64,
    },
    /// Every SPARQL evaluation slot stayed taken until the deadline, possibly by cancelled
    /// queries still unwinding.
    #[error("all {slots} query slots stayed busy until the deadline")]
    Busy {
        /// Number of concurrent evaluations allowed.
        slots: usize,
    },
    /// An unexpected failure on the server's side.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// Builds a 400 error with a hint.
    pub fn bad_request(reason: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::BadRequest {
            reason: reason.into(),
            hint: Some(hint.into()),
        }
    }

    /// Returns the advice shown in the `hint` field, if any.
    fn hint(&self) -> Option<String> {
        match self {
            Self::BadRequest { hint, .. } | Self::InvalidCombination { hint, .. } => hint.clone(),
            Self::UnknownEntity { .. } => Some(
                "look the identifier up with /api/v1/entities?q=NAME; ids look like \
                 Compound::DB00945 or DB00945"
                    .into(),
            ),
            Self::NoRoute { .. } => Some("the routes are listed in /api/v1/openapi.json".into()),
            Self::MethodNotAllowed { .. } => {
                Some("the methods of each route are listed in /api/v1/openapi.json".into())
            }
            Self::TooLarge { flag, .. } => {
                Some(format!("send less, or restart with a larger {flag}"))
            }
            Self::Loading => Some("retry when /healthz returns 200".into()),
            Self::LoadFailed(_) => {
                Some("see the server log, fix the work directory and restart".into())
            }
            Self::ModelNotLoaded => {
                Some("restart the server with --model DIR pointing at a trained model".into())
            }
            Self::NotAcceptable { available, .. } => Some(format!("accept one of: {available}")),
            Self::UnsupportedMediaType { expected, .. } => Some(format!("send one of: {expected}")),
            Self::UpdatesDisabled => Some("restart the server with --allow-update".into()),
            Self::QueryTimeout { .. } => Some(
                "make the query more selective (bind a subject or add a LIMIT) or restart with a \
                 larger --timeout-ms"
                    .into(),
            ),
            Self::QueryBudget { .. } => Some(
                "make the pattern under ORDER BY, GROUP BY or DISTINCT more selective, or restart \
                 with a larger --max-sort-rows"
                    .into(),
            ),
            Self::Busy { .. } => Some("retry in a few seconds".into()),
            Self::Internal(_) | Self::ClientClosed => None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::UpdatesDisabled => StatusCode::FORBIDDEN,
            Self::UnknownEntity { .. } | Self::NoRoute { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::InvalidCombination { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Loading
            | Self::LoadFailed(_)
            | Self::ModelNotLoaded
            | Self::QueryBudget { .. }
            | Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::QueryTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            // 499 is nginx's "client closed request"; it only shows in logs and metrics.
            Self::ClientClosed => StatusCode::from_u16(499).expect("499 is a valid status"),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let mut error = json!({ "status": status.as_u16(), "reason": self.to_string() });
        if let Some(hint) = self.hint() {
            error["hint"] = hint.into();
        }
        let mut response = HttpResponse::build(status);
        if matches!(self, Self::Loading | Self::Busy { .. }) {
            response.insert_header(("Retry-After", "5"));
        }
        if let Self::MethodNotAllowed { allowed, .. } = self {
            response.insert_header(("Allow", allowed.as_str()));
        }
        response.json(json!({ "error": error }))
    }
}

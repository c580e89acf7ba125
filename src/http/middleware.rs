//! Per-request context: the request id (echoed, generated when absent), a tracing span
//! that every log line of the request carries, authentication, rate limiting and metrics.

use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use tracing::Instrument;

use super::rate_limit::Decision;
use crate::auth::authenticate;
use crate::auth::Authentication;
use crate::error::AppError;
use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Routes that orchestrators poll; they are not rate limited.
const UNLIMITED: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// A client-sent id is kept when it is short, printable ASCII; otherwise a new one is made.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

fn set_rate_headers(headers: &mut actix_web::http::header::HeaderMap, decision: &Decision) {
    let pairs = [
        ("ratelimit-limit", decision.limit.to_string()),
        ("ratelimit-remaining", decision.remaining.to_string()),
        ("ratelimit-reset", decision.reset.to_string()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

/// Authenticates and rate-limits; returns the answer to send instead when the request
/// must stop here.
async fn admit(state: &AppState, req: &ServiceRequest) -> (Option<Decision>, Option<AppError>) {
    let authentication = match authenticate::resolve(&state.tokens, &state.db, req.headers()).await {
        Ok(a) => a,
        Err(e) => return (None, Some(e)),
    };
    let key = match &authentication {
        Authentication::Authenticated(caller) => format!("client:{}", caller.client_id),
        _ => format!("ip:{}", req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default()),
    };
    req.extensions_mut().insert(authentication);
    if UNLIMITED.contains(&req.path()) {
        return (None, None);
    }
    let decision = state.rate_limiter.check(&key);
    let refusal = (!decision.allowed).then_some(AppError::RateLimited { retry_after: decision.retry_after });
    (Some(decision), refusal)
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let id = request_id(&req);
    let method = req.method().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.path());
    let started = Instant::now();

    let (decision, refusal) = match &state {
        Some(state) => admit(state, &req).instrument(span.clone()).await,
        None => (None, None),
    };
    let mut res = match refusal {
        Some(error) => {
            let response = span.in_scope(|| error.error_response());
            req.into_response(response).map_into_right_body()
        }
        None => next.call(req).instrument(span.clone()).await?.map_into_left_body(),
    };

    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(state) = &state {
        state.metrics.observe(&method, &route, status, elapsed.as_secs_f64());
    }
    if let Some(decision) = &decision {
        set_rate_headers(res.headers_mut(), decision);
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    span.in_scope(|| {
        tracing::info!(status, elapsed_ms = elapsed.as_secs_f64() * 1000.0, route = %route, "request completed");
    });
    Ok(res)
}

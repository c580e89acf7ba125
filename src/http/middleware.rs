//! Per-request context: the request id (echoed, generated when absent), a tracing span
//! that every log line of the request carries, authentication, rate limiting and metrics.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, ResponseError};
use tracing::Instrument;

use super::rate_limit::Decision;
use crate::auth::authenticate;
use crate::auth::Authentication;
use crate::db::precondition::{self, Precondition};
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

/// What the middleware decided before the handler.
struct Admission {
    decision: Option<Decision>,
    refusal: Option<AppError>,
    /// The caller's standing, to check on the request's first database hop.
    standing: Option<Arc<Precondition>>,
}

/// Authenticates (the token; the client's standing is deferred) and rate-limits; says what
/// to answer instead when the request must stop here.
async fn admit(state: &AppState, req: &ServiceRequest) -> Admission {
    let authentication = match authenticate::resolve(&state.tokens, req.headers()).await {
        Ok(a) => a,
        Err(e) => return Admission { decision: None, refusal: Some(e), standing: None },
    };
    let (key, standing) = match &authentication {
        Authentication::Authenticated(caller) => {
            (format!("client:{}", caller.client_id), authenticate::standing(caller, &state.standings))
        }
        _ => (format!("ip:{}", req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default()), None),
    };
    req.extensions_mut().insert(authentication);
    if UNLIMITED.contains(&req.path()) {
        return Admission { decision: None, refusal: None, standing };
    }
    let decision = state.rate_limiter.check(&key);
    let refusal = (!decision.allowed).then_some(AppError::RateLimited { retry_after: decision.retry_after });
    Admission { decision: Some(decision), refusal, standing }
}

/// Checks the caller's standing now, unless a database hop of the handler already did.
async fn settle(state: &AppState, standing: &Arc<Precondition>) -> Result<(), AppError> {
    match standing.outcome() {
        Some(true) => Ok(()),
        Some(false) => Err(standing.refusal()),
        None => {
            let standing = Arc::clone(standing);
            state.db.run(move |conn| standing.enforce(conn)).await
        }
    }
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let id = request_id(&req);
    let method = req.method().to_string();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.path());
    let started = Instant::now();

    let mut admission = match &state {
        Some(state) => admit(state, &req).instrument(span.clone()).await,
        None => Admission { decision: None, refusal: None, standing: None },
    };
    // A WebSocket keeps going after its first answer: its caller's standing is checked first.
    if let (Some(state), Some(standing), None) = (&state, &admission.standing, &admission.refusal) {
        if req.headers().contains_key(header::UPGRADE) {
            admission.refusal = settle(state, standing).instrument(span.clone()).await.err();
        }
    }
    let refuse = |req: HttpRequest, error: AppError| {
        let response = span.in_scope(|| error.error_response());
        ServiceResponse::new(req, response).map_into_right_body()
    };
    let mut res = match (admission.refusal, &admission.standing) {
        (Some(error), _) => {
            let (req, _) = req.into_parts();
            refuse(req, error)
        }
        (None, None) => next.call(req).instrument(span.clone()).await?.map_into_left_body(),
        (None, Some(standing)) => {
            let res = precondition::scope(Arc::clone(standing), next.call(req)).instrument(span.clone()).await?;
            // Nothing leaves before the standing is known: checked on the handler's first
            // database hop, or here when the handler made none.
            let settled = match &state {
                Some(state) => settle(state, standing).instrument(span.clone()).await,
                None => Ok(()),
            };
            match settled {
                Ok(()) => res.map_into_left_body(),
                Err(error) => refuse(res.into_parts().0, error),
            }
        }
    };
    let decision = admission.decision;
    // After routing, the matched pattern is known without matching the path again.
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());

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

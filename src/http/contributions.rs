//! Contributions over REST. Each handler reads the request, calls one service function
//! and shapes the answer; the rules live in `service::contributions`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::Admission;
use crate::domain::contribution::ReviewDecision;
use crate::error::AppError;
use crate::http::etag::if_match;
use crate::http::paging::page_response;
use crate::service::contributions::{self, Action, Contribution, FilterParams, Revision};
use crate::service::page::clamp_limit;
use crate::state::AppState;

/// The body as a JSON object: 400 when it is not JSON or not an object.
fn object(body: &[u8]) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::BadRequest("the body must be a JSON object".into())),
        Err(e) => Err(AppError::BadRequest(format!("malformed JSON: {e}"))),
    }
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, c: &Contribution) -> HttpResponse {
    if let Ok(tag) = HeaderValue::from_str(&c.etag()) {
        response.insert_header((header::ETAG, tag));
    }
    response.json(c)
}

fn location(c: &Contribution) -> (header::HeaderName, String) {
    (header::LOCATION, format!("/api/v1/contributions/{}", c.id))
}

/// A contribution as a client writes it: every field of the contract except those the server sets.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ContributionWrite {
    #[schema(example = "grcp-7")]
    consultation: Option<String>,
    session: Option<i32>,
    #[schema(example = "breakout")]
    segment: Option<String>,
    group: Option<String>,
    question_ids: Option<Vec<String>>,
    kind: crate::domain::contribution::ContributionKind,
    practice_category: Option<crate::domain::contribution::PracticeCategory>,
    title: String,
    summary: Option<String>,
    body: String,
    #[schema(example = "fr")]
    language: Option<String>,
    regions: Option<Vec<crate::domain::Region>>,
    scope: Option<crate::domain::contribution::GeographicScope>,
    replicable: Option<bool>,
    replicability_notes: Option<String>,
    #[schema(example = json!(["gcm_objectives/5"]))]
    themes: Option<Vec<String>>,
    links: Option<Vec<crate::service::contribution_input::Link>>,
    external_ref: Option<String>,
    /// Create and submit at once (creation only).
    submit: Option<bool>,
}

/// Creates a contribution (a draft, or submitted with `"submit": true`).
#[utoipa::path(
    post, path = "/api/v1/contributions", tag = "contributions",
    request_body = ContributionWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Up to 255 characters, kept 24 h per organisation: the same key and body return the first answer")),
    responses(
        (status = 201, body = Contribution, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = crate::error::Problem, description = "Malformed JSON, unknown or server-owned fields"),
        (status = 422, body = crate::error::Problem, description = "Invalid fields, or an Idempotency-Key reused with another body"),
    ),
    security(("bearer" = ["contributions:write"]))
)]
#[post("/contributions")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: crate::http::body::Body,
) -> Result<HttpResponse, AppError> {
    let map = object(&body)?;
    let key = match req.headers().get("idempotency-key") {
        Some(v) => {
            Some(v.to_str().map_err(|_| AppError::BadRequest("Idempotency-Key must be ASCII".into()))?.to_owned())
        }
        None => None,
    };
    let created = state.db.run(move |conn| contributions::create(conn, &caller, &map, key.as_deref())).await?;
    let mut response = HttpResponse::Created();
    response.insert_header(location(&created.contribution));
    if created.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(with_etag(response, &created.contribution))
}

#[derive(Serialize, ToSchema)]
pub struct ContributionList {
    pub data: Vec<Contribution>,
    pub next_cursor: Option<String>,
}

/// Lists the contributions the caller may see: by relevance with `q` (among the newest
/// 1,000 matches), else newest first.
#[utoipa::path(
    get, path = "/api/v1/contributions", tag = "contributions",
    params(FilterParams),
    responses((status = 200, body = ContributionList, headers(("Link" = String, description = "rel=\"next\" when there is a next page")))),
    security(("bearer" = ["contributions:read"]))
)]
#[get("/contributions")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<FilterParams>,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    let filter = params.to_filter()?;
    let limit = clamp_limit(params.limit);
    let cursor = params.cursor;
    let page = state
        .db
        .run_admitted(Admission::of(&filter), move |conn| {
            contributions::list(conn, &caller, &filter, cursor.as_deref(), limit)
        })
        .await?;
    Ok(page_response(&req, page))
}

/// One contribution.
#[utoipa::path(
    get, path = "/api/v1/contributions/{id}", tag = "contributions",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Contribution, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)),
    security(("bearer" = ["contributions:read"]))
)]
#[get("/contributions/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let c = state.db.run(move |conn| contributions::get(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &c))
}

/// Changes client fields with a JSON merge patch (RFC 7396); `If-Match` guards against lost updates.
#[utoipa::path(
    patch, path = "/api/v1/contributions/{id}", tag = "contributions",
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header, description = "The ETag read, e.g. \"3\"")),
    request_body(content = Object, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, body = Contribution, headers(("ETag" = String))),
        (status = 400, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem, description = "Not editable in its status"),
        (status = 412, body = crate::error::Problem, description = "If-Match names an older version"),
        (status = 422, body = crate::error::Problem),
    ),
    security(("bearer" = ["contributions:write"]))
)]
#[patch("/contributions/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: crate::http::body::Body,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(req.headers())?;
    let map = object(&body)?;
    let id = id.into_inner();
    let c = state.db.run(move |conn| contributions::update(conn, &caller, &id, &map, expected)).await?;
    Ok(with_etag(HttpResponse::Ok(), &c))
}

/// Creates (201) or replaces (200) your organisation's contribution with this external reference.
#[utoipa::path(
    put, path = "/api/v1/contributions/external/{external_ref}", tag = "contributions",
    params(("external_ref" = String, Path)),
    request_body = ContributionWrite,
    responses((status = 201, body = Contribution), (status = 200, body = Contribution), (status = 409, body = crate::error::Problem)),
    security(("bearer" = ["contributions:write"]))
)]
#[put("/contributions/external/{external_ref}")]
pub async fn upsert_external(
    state: web::Data<AppState>,
    caller: Caller,
    external_ref: web::Path<String>,
    body: crate::http::body::Body,
) -> Result<HttpResponse, AppError> {
    let map = object(&body)?;
    let reference = external_ref.into_inner();
    let (created, c) =
        state.db.run(move |conn| contributions::upsert_by_external_ref(conn, &caller, &reference, &map)).await?;
    let response = if created {
        let mut r = HttpResponse::Created();
        r.insert_header(location(&c));
        r
    } else {
        HttpResponse::Ok()
    };
    Ok(with_etag(response, &c))
}

async fn step(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    action: Action,
) -> Result<HttpResponse, AppError> {
    let c = state.db.run(move |conn| contributions::transition(conn, &caller, &id, action)).await?;
    Ok(with_etag(HttpResponse::Ok(), &c))
}

/// Submits a draft (or a contribution whose changes were requested) for review.
#[utoipa::path(post, path = "/api/v1/contributions/{id}/submit", tag = "contributions", params(("id" = String, Path)),
    responses((status = 200, body = Contribution), (status = 409, body = crate::error::Problem)), security(("bearer" = ["contributions:write"])))]
#[post("/contributions/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    step(state, caller, id.into_inner(), Action::Submit).await
}

/// Withdraws a contribution, from any status.
#[utoipa::path(post, path = "/api/v1/contributions/{id}/withdraw", tag = "contributions", params(("id" = String, Path)),
    responses((status = 200, body = Contribution), (status = 409, body = crate::error::Problem)), security(("bearer" = ["contributions:write"])))]
#[post("/contributions/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    step(state, caller, id.into_inner(), Action::Withdraw).await
}

/// A review decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub decision: ReviewDecision,
    pub note: Option<String>,
}

/// Publishes, sends back for changes, or rejects a submitted contribution.
#[utoipa::path(post, path = "/api/v1/contributions/{id}/review", tag = "contributions", params(("id" = String, Path)),
    request_body = ReviewRequest,
    responses((status = 200, body = Contribution), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = ["review"])))]
#[post("/contributions/{id}/review")]
pub async fn review(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: crate::http::body::Body,
) -> Result<HttpResponse, AppError> {
    let ReviewRequest { decision, note } =
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")))?;
    step(state, caller, id.into_inner(), Action::Review { decision, note }).await
}

#[derive(Serialize, ToSchema)]
pub struct RevisionList {
    pub data: Vec<Revision>,
}

/// Every version of a contribution, oldest first (owner and reviewers).
#[utoipa::path(get, path = "/api/v1/contributions/{id}/revisions", tag = "contributions", params(("id" = String, Path)),
    responses((status = 200, body = RevisionList), (status = 404, body = crate::error::Problem)), security(("bearer" = ["contributions:read"])))]
#[get("/contributions/{id}/revisions")]
pub async fn revisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let data = state.db.run(move |conn| contributions::revisions(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(RevisionList { data }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct EndorsementRequest {
    pub note: Option<String>,
}

/// Your organisation endorses another's published contribution.
#[utoipa::path(post, path = "/api/v1/contributions/{id}/endorsements", tag = "contributions", params(("id" = String, Path)),
    request_body(content = Option<EndorsementRequest>),
    responses((status = 201, body = Contribution), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = ["contributions:write"])))]
#[post("/contributions/{id}/endorsements")]
pub async fn endorse(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: crate::http::body::Body,
) -> Result<HttpResponse, AppError> {
    let request: EndorsementRequest = if body.iter().all(u8::is_ascii_whitespace) {
        EndorsementRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")))?
    };
    let id = id.into_inner();
    let c = state.db.run(move |conn| contributions::endorse(conn, &caller, &id, request.note.as_deref())).await?;
    Ok(HttpResponse::Created().json(c))
}

/// Your organisation withdraws its endorsement.
#[utoipa::path(delete, path = "/api/v1/contributions/{id}/endorsements", tag = "contributions", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)), security(("bearer" = ["contributions:write"])))]
#[delete("/contributions/{id}/endorsements")]
pub async fn unendorse(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    state.db.run(move |conn| contributions::remove_endorsement(conn, &caller, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

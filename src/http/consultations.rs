//! Consultations and their structure.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::AppError;
use crate::http::lang::{localized, RequestLang};
use crate::service::structure::{self, BreakoutGroup, Consultation, ConsultationSummary, NewGroup};
use crate::state::AppState;

/// A list of consultations (all fit on one page).
#[derive(Serialize, ToSchema)]
pub struct ConsultationList {
    pub data: Vec<ConsultationSummary>,
    pub next_cursor: Option<String>,
}

/// Lists the consultations.
#[utoipa::path(
    get, path = "/api/v1/consultations", tag = "structure",
    params(crate::http::LangParam),
    responses((status = 200, body = ConsultationList, headers(("Content-Language" = String))), (status = 401, body = crate::error::Problem)),
    security(("bearer" = ["consultation:read"]))
)]
#[get("/consultations")]
pub async fn list(state: web::Data<AppState>, caller: Caller, lang: RequestLang) -> Result<HttpResponse, AppError> {
    caller.require(crate::auth::Scope::ConsultationRead)?;
    let lang = lang.0;
    let data = state.db.run(move |conn| structure::list_consultations(conn, lang)).await?;
    Ok(localized(lang, &ConsultationList { data, next_cursor: None }))
}

/// One consultation with its whole tree: purposes, topics, sessions, segments, groups.
#[utoipa::path(
    get, path = "/api/v1/consultations/{slug}", tag = "structure",
    params(("slug" = String, Path, example = "grcp-7"), crate::http::LangParam),
    responses((status = 200, body = Consultation, headers(("Content-Language" = String))), (status = 404, body = crate::error::Problem)),
    security(("bearer" = ["consultation:read"]))
)]
#[get("/consultations/{slug}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    lang: RequestLang,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    caller.require(crate::auth::Scope::ConsultationRead)?;
    let lang = lang.0;
    let slug = slug.into_inner();
    let tree = state.db.run(move |conn| structure::get_consultation(conn, &slug, lang)).await?;
    Ok(localized(lang, &tree))
}

/// Adds a breakout group to a segment.
#[utoipa::path(
    post, path = "/api/v1/segments/{segment_id}/groups", tag = "structure",
    params(("segment_id" = String, Path, format = Uuid)),
    request_body = NewGroup,
    responses((status = 201, body = BreakoutGroup), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("bearer" = ["admin"]))
)]
#[actix_web::post("/segments/{segment_id}/groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    caller: Caller,
    segment_id: web::Path<String>,
    body: web::Json<NewGroup>,
) -> Result<HttpResponse, AppError> {
    caller.require(crate::auth::Scope::Admin)?;
    let segment_id = segment_id.into_inner();
    let input = body.into_inner();
    let group = state.db.run(move |conn| structure::create_group(conn, &segment_id, &input)).await?;
    Ok(HttpResponse::Created().json(group))
}

//! Partner organisations.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::AppError;
use crate::http::paging::page_response;
use crate::service::organisations::{self, Organisation};
use crate::service::page::clamp_limit;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationList {
    pub data: Vec<Organisation>,
    pub next_cursor: Option<String>,
}

/// Lists organisations by name.
#[utoipa::path(
    get, path = "/api/v1/organisations", tag = "organisations",
    params(ListParams),
    responses((status = 200, body = OrganisationList, headers(("Link" = String, description = "rel=\"next\" when there is a next page")))),
    security(("bearer" = ["consultation:read"]))
)]
#[get("/organisations")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    caller.require(crate::auth::Scope::ConsultationRead)?;
    let ListParams { limit, cursor } = params.into_inner();
    let limit = clamp_limit(limit);
    let page = state.db.run(move |conn| organisations::list(conn, cursor.as_deref(), limit)).await?;
    Ok(page_response(&req, page))
}

/// One organisation.
#[utoipa::path(
    get, path = "/api/v1/organisations/{id}", tag = "organisations",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Organisation), (status = 404, body = crate::error::Problem)),
    security(("bearer" = ["consultation:read"]))
)]
#[get("/organisations/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, AppError> {
    caller.require(crate::auth::Scope::ConsultationRead)?;
    let id = id.into_inner();
    let org = state.db.run(move |conn| organisations::get(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(org))
}

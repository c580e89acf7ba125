//! Administration of partner organisations and their API clients (`admin` scope).

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, Scope};
use crate::error::AppError;
use crate::http::paging::page_response;
use crate::service::clients::{self, Client, Credentials, NewClientRequest, NewOrganisation};
use crate::service::organisations::Organisation;
use crate::service::page::clamp_limit;
use crate::state::AppState;

/// Adds a partner organisation.
#[utoipa::path(
    post, path = "/api/v1/organisations", tag = "organisations",
    request_body = NewOrganisation,
    responses((status = 201, body = Organisation), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)),
    security(("bearer" = ["admin"]))
)]
#[post("/organisations")]
pub async fn create_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewOrganisation>,
) -> Result<HttpResponse, AppError> {
    caller.require(Scope::Admin)?;
    let input = body.into_inner();
    let org = state.db.run(move |conn| clients::create_organisation(conn, &input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/organisations/{}", org.id.as_str())))
        .json(org))
}

/// Creates an API client; the answer is the only place its secret appears.
#[utoipa::path(
    post, path = "/api/v1/clients", tag = "clients",
    request_body = NewClientRequest,
    responses((status = 201, body = Credentials), (status = 422, body = crate::error::Problem)),
    security(("bearer" = ["admin"]))
)]
#[post("/clients")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewClientRequest>,
) -> Result<HttpResponse, AppError> {
    caller.require(Scope::Admin)?;
    let input = body.into_inner();
    let credentials = state.db.run(move |conn| clients::create_client(conn, &input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/clients/{}", credentials.client_id)))
        .insert_header(("Cache-Control", "no-store"))
        .json(credentials))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClientListParams {
    /// Only the clients of this organisation.
    pub organisation: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ClientList {
    pub data: Vec<Client>,
    pub next_cursor: Option<String>,
}

/// Lists API clients, oldest first.
#[utoipa::path(
    get, path = "/api/v1/clients", tag = "clients", params(ClientListParams),
    responses((status = 200, body = ClientList)),
    security(("bearer" = ["admin"]))
)]
#[get("/clients")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ClientListParams>,
) -> Result<HttpResponse, AppError> {
    caller.require(Scope::Admin)?;
    let ClientListParams { organisation, limit, cursor } = params.into_inner();
    let limit = clamp_limit(limit);
    let page = state
        .db
        .run(move |conn| clients::list_clients(conn, organisation.as_deref(), cursor.as_deref(), limit))
        .await?;
    Ok(page_response(&req, page))
}

/// One API client.
#[utoipa::path(
    get, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Client), (status = 404, body = crate::error::Problem)),
    security(("bearer" = ["admin"]))
)]
#[get("/clients/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, AppError> {
    caller.require(Scope::Admin)?;
    let id = id.into_inner();
    let client = state.db.run(move |conn| clients::get_client(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(client))
}

/// Revokes an API client: its tokens are refused from the next request on this node, and
/// within a second on every other.
#[utoipa::path(
    delete, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Client, description = "The revoked client"), (status = 404, body = crate::error::Problem)),
    security(("bearer" = ["admin"]))
)]
#[delete("/clients/{id}")]
pub async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    caller.require(Scope::Admin)?;
    let id = id.into_inner();
    let revoked = id.clone();
    let client = state.db.run(move |conn| clients::revoke_client(conn, &revoked)).await?;
    state.standings.forget(&id);
    Ok(HttpResponse::Ok().json(client))
}

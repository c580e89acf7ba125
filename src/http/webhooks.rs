//! Webhook subscriptions over REST (`sync:read`).

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::AppError;
use crate::http::paging::page_response;
use crate::service::page::clamp_limit;
use crate::service::webhooks::{self, Delivery, NewWebhook, Webhook, WebhookPatch};
use crate::state::AppState;

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")))
}

/// Subscribes a URL to events; the answer is the only one that shows the secret.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "sync", request_body = NewWebhook,
    responses((status = 201, body = Webhook), (status = 422, body = crate::error::Problem, description = "Invalid URL or events; private targets")),
    security(("bearer" = ["sync:read"])))]
#[post("/webhooks")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: crate::http::body::Body,
) -> Result<HttpResponse, AppError> {
    let input: NewWebhook = parse(&body)?;
    let allow = state.config.webhook_allow_private;
    let hook = state.db.run(move |conn| webhooks::create(conn, &caller, &input, allow)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/webhooks/{}", hook.id)))
        .insert_header(("Cache-Control", "no-store"))
        .json(hook))
}

#[derive(Serialize, ToSchema)]
pub struct WebhookList {
    pub data: Vec<Webhook>,
}

/// Your organisation's subscriptions.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "sync", responses((status = 200, body = WebhookList)), security(("bearer" = ["sync:read"])))]
#[get("/webhooks")]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let data = state.db.run(move |conn| webhooks::list(conn, &caller)).await?;
    Ok(HttpResponse::Ok().json(WebhookList { data }))
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "sync", params(("id" = String, Path)),
    responses((status = 200, body = Webhook), (status = 404, body = crate::error::Problem)), security(("bearer" = ["sync:read"])))]
#[get("/webhooks/{id}")]
pub async fn get(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let hook = state.db.run(move |conn| webhooks::get(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(hook))
}

/// Changes the URL, the events or `active`; `rotate_secret` issues a new secret (shown once).
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "sync", params(("id" = String, Path)), request_body = WebhookPatch,
    responses((status = 200, body = Webhook), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = ["sync:read"])))]
#[patch("/webhooks/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: crate::http::body::Body,
) -> Result<HttpResponse, AppError> {
    let patch: WebhookPatch = parse(&body)?;
    let allow = state.config.webhook_allow_private;
    let id = id.into_inner();
    let hook = state.db.run(move |conn| webhooks::update(conn, &caller, &id, &patch, allow)).await?;
    Ok(HttpResponse::Ok().json(hook))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "sync", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)), security(("bearer" = ["sync:read"])))]
#[delete("/webhooks/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    state.db.run(move |conn| webhooks::delete(conn, &caller, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryList {
    pub data: Vec<Delivery>,
    pub next_cursor: Option<String>,
}

/// The delivery log, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "sync", params(("id" = String, Path), DeliveryParams),
    responses((status = 200, body = DeliveryList), (status = 404, body = crate::error::Problem)), security(("bearer" = ["sync:read"])))]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    params: web::Query<DeliveryParams>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let DeliveryParams { limit, cursor } = params.into_inner();
    let limit = clamp_limit(limit);
    let page = state.db.run(move |conn| webhooks::deliveries(conn, &caller, &id, cursor.as_deref(), limit)).await?;
    Ok(page_response(&req, page))
}

/// Queues a delivery again, now.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", tag = "sync",
    params(("id" = String, Path), ("delivery_id" = String, Path)),
    responses((status = 202, body = Delivery), (status = 404, body = crate::error::Problem)), security(("bearer" = ["sync:read"])))]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, delivery) = path.into_inner();
    let d = state.db.run(move |conn| webhooks::redeliver(conn, &caller, &id, &delivery)).await?;
    Ok(HttpResponse::Accepted().json(d))
}

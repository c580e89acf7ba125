//! The change feed over REST (`sync:read`).

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::AppError;
use crate::service::changes::{self, ChangePage};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    /// A cursor from an earlier answer (`next_cursor`, or a change's `cursor`); absent: from the start.
    pub after: Option<String>,
    /// Changes per answer, 1 to 1000 (default 100).
    pub limit: Option<i64>,
}

/// Every change the caller may see, in commit order; `delete` when a contribution leaves its view.
#[utoipa::path(
    get, path = "/api/v1/changes", tag = "sync", params(FeedParams),
    responses((status = 200, body = ChangePage), (status = 400, body = crate::error::Problem)),
    security(("bearer" = ["sync:read"]))
)]
#[get("/changes")]
pub async fn feed(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<FeedParams>,
) -> Result<HttpResponse, AppError> {
    let FeedParams { after, limit } = params.into_inner();
    let page = state.db.run(move |conn| changes::feed(conn, &caller, after.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

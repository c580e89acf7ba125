//! Taxonomies and their terms.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::AppError;
use crate::http::lang::{localized, RequestLang};
use crate::service::taxonomies::{self, Taxonomy};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct TaxonomyList {
    pub data: Vec<Taxonomy>,
}

/// Lists every taxonomy with its terms.
#[utoipa::path(
    get, path = "/api/v1/taxonomies", tag = "structure",
    params(crate::http::LangParam),
    responses((status = 200, body = TaxonomyList, headers(("Content-Language" = String)))),
    security(("bearer" = ["consultation:read"]))
)]
#[get("/taxonomies")]
pub async fn list(state: web::Data<AppState>, caller: Caller, lang: RequestLang) -> Result<HttpResponse, AppError> {
    caller.require(crate::auth::Scope::ConsultationRead)?;
    let lang = lang.0;
    let data = state.db.run(move |conn| taxonomies::list(conn, lang)).await?;
    Ok(localized(lang, &TaxonomyList { data }))
}

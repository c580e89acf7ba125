//! The REST door: one route table, one file per resource, extractors and middleware.

pub mod body;
pub mod changes;
pub mod clients;
pub mod consultations;
pub mod contributions;
pub mod dashboard;
pub mod docs;
pub mod etag;
pub mod lang;
pub mod me;
pub mod middleware;
pub mod oauth;
pub mod openapi;
pub mod ops;
pub mod organisations;
pub mod paging;
pub mod rate_limit;
pub mod synthesis;
pub mod taxonomies;
pub mod webhooks;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::IntoParams;

use crate::error::AppError;

/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The `lang` query parameter shared by localized routes.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangParam {
    /// `en` or `fr`; overrides `Accept-Language`. The answer's `Content-Language` says which was used.
    #[param(example = "fr")]
    pub lang: Option<String>,
}

/// Registers every REST route and the extractor settings that turn bad input into problems.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(BODY_LIMIT).content_type_required(false).error_handler(json_error))
        .app_data(web::PayloadConfig::default().limit(BODY_LIMIT))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(openapi::document)
        .service(oauth::token)
        .service(oauth::jwks)
        .service(
            web::scope("/api/v1")
                .service(consultations::list)
                .service(consultations::get)
                .service(consultations::create_group)
                .service(me::me)
                .service(changes::feed)
                .service(webhooks::create)
                .service(webhooks::list)
                .service(webhooks::get)
                .service(webhooks::update)
                .service(webhooks::remove)
                .service(webhooks::deliveries)
                .service(webhooks::redeliver)
                .service(synthesis::create_outcome)
                .service(synthesis::list_outcomes)
                .service(synthesis::get_outcome)
                .service(synthesis::adopt)
                .service(synthesis::transmit)
                .service(synthesis::report_progress)
                .service(synthesis::progress)
                .service(synthesis::stats)
                .service(synthesis::clusters)
                .service(synthesis::report)
                .service(contributions::upsert_external)
                .service(contributions::create)
                .service(contributions::list)
                .service(contributions::get)
                .service(contributions::update)
                .service(contributions::submit)
                .service(contributions::withdraw)
                .service(contributions::review)
                .service(contributions::revisions)
                .service(contributions::endorse)
                .service(contributions::unendorse)
                .service(clients::create_organisation)
                .service(clients::create)
                .service(clients::list)
                .service(clients::get)
                .service(clients::revoke)
                .service(taxonomies::list)
                .service(organisations::list)
                .service(organisations::get),
        );
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    match err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            AppError::PayloadTooLarge(BODY_LIMIT).into()
        }
        JsonPayloadError::ContentType => {
            AppError::BadRequest("the body must be JSON, sent with `Content-Type: application/json`".into()).into()
        }
        JsonPayloadError::Deserialize(e) => AppError::BadRequest(format!("invalid JSON body: {e}")).into(),
        other => AppError::BadRequest(format!("invalid JSON body: {other}")).into(),
    }
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    AppError::BadRequest(format!("invalid query string: {err}")).into()
}

fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    AppError::NotFound(format!("no such resource: {err}")).into()
}

/// Any route the table does not know.
pub async fn unknown_route(req: HttpRequest) -> HttpResponse {
    actix_web::ResponseError::error_response(&AppError::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

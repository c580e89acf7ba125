//! The OpenAPI document, generated from the handlers' annotations.

use actix_web::{get, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::{
    changes, clients, consultations, contributions, me, oauth, ops, organisations, synthesis, taxonomies, webhooks,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "consultation-hub",
        description = "Partner-integration API of an inter-state consultation on migration: the consultation's structure, partners' contributions, sync and synthesis.",
        license(name = "Apache-2.0")
    ),
    paths(
        ops::healthz, ops::readyz, ops::metrics, document,
        oauth::token, oauth::jwks, me::me,
        consultations::list, consultations::get, consultations::create_group,
        taxonomies::list,
        organisations::list, organisations::get, clients::create_organisation,
        clients::create, clients::list, clients::get, clients::revoke,
        contributions::create, contributions::list, contributions::get, contributions::update,
        contributions::upsert_external, contributions::submit, contributions::withdraw, contributions::review,
        contributions::revisions, contributions::endorse, contributions::unendorse,
        changes::feed, webhooks::create, webhooks::list, webhooks::get, webhooks::update, webhooks::remove,
        webhooks::deliveries, webhooks::redeliver,
        synthesis::create_outcome, synthesis::list_outcomes, synthesis::get_outcome, synthesis::adopt, synthesis::transmit,
        synthesis::report_progress, synthesis::progress, synthesis::stats, synthesis::clusters, synthesis::report,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "structure", description = "The consultation: purposes, topics, sessions, segments, groups, objectives, questions; taxonomies."),
        (name = "auth", description = "Access tokens (OAuth 2.0 client credentials, EdDSA JWTs) and their public keys."),
        (name = "organisations", description = "Partner organisations."),
        (name = "contributions", description = "Partners' contributions: submit, edit, review, endorse, find."),
        (name = "sync", description = "The change feed and webhooks, for systems that mirror contributions."),
        (name = "synthesis", description = "Outcomes for the co-facilitators, commitments' progress, counts, clusters and the report."),
        (name = "clients", description = "API clients of partner organisations (secretariat only)."),
        (name = "operations", description = "Health, readiness and metrics.")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The document as served and as checked in (pretty JSON with a final newline).
pub fn render() -> String {
    let mut text = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, content_type = "application/json", description = "OpenAPI document")))]
#[get("/openapi.json")]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(render())
}

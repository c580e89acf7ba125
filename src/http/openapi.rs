//! The OpenAPI document, generated from the handlers' annotations.

use actix_web::{get, HttpResponse};
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
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
    modifiers(&BearerAuth, &ProblemResponses),
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

/// The media type of every error answer of the authenticated API (RFC 9457).
const PROBLEM_JSON: &str = "application/problem+json";

/// The error answers of the authenticated API, documented once for every operation they can
/// come from: every error is a problem document (`application/problem+json`), and besides the
/// errors an operation declares, the request pipeline itself can answer 400 (a query string,
/// path parameter or body that does not parse, or an unknown query parameter), 401, 403, 429,
/// 404 (a path naming nothing), 413 (a body over the cap) and 422 (invalid fields, such as an
/// unsupported `lang`). The token endpoint and the operations routes keep their own formats.
struct ProblemResponses;

impl ProblemResponses {
    fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
        [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch]
            .into_iter()
            .filter_map(Option::as_mut)
    }

    fn complete(operation: &mut Operation) {
        let has_path_parameters = operation
            .parameters
            .iter()
            .flatten()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path));
        let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
        let has_body = operation.request_body.is_some();
        let problem = || ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
        for response in
            operation.responses.responses.iter_mut().filter(|(code, _)| code.parse::<u16>().is_ok_and(|c| c >= 400))
        {
            if let (_, RefOr::T(response)) = response {
                if let Some(content) = response.content.shift_remove("application/json") {
                    response.content.insert(PROBLEM_JSON.into(), content);
                }
            }
        }
        let pipeline = [
            ("400", true, "Malformed request: a query string, path parameter or body that does not parse, or an unknown query parameter"),
            ("401", true, "No valid access token"),
            ("403", true, "The token lacks the scope this operation needs"),
            ("404", has_path_parameters, "Not found, or not visible to the caller"),
            ("413", has_body, "The body is larger than the 1 MiB cap"),
            ("422", has_parameters || has_body, "Invalid fields, each named in `errors`"),
            ("429", true, "The client's request quota is spent; `Retry-After` says when to come back"),
        ];
        for (code, applies, description) in pipeline {
            if applies && !operation.responses.responses.contains_key(code) {
                let response = ResponseBuilder::new().description(description).content(PROBLEM_JSON, problem()).build();
                operation.responses.responses.insert(code.into(), RefOr::T(response));
            }
        }
    }
}

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in Self::operations(item) {
                if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    Self::complete(operation);
                }
            }
        }
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

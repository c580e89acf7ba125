//! HTTP endpoints of GraphQL: POST and GET `/graphql`, and GraphiQL for browsers.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::parser::types::{DocumentOperations, OperationType};

use async_graphql::dataloader::DataLoader;

use super::assets;
use super::loaders::{OrganisationLoader, QuestionLoader};
use super::HubSchema;
use crate::auth::Caller;
use crate::error::AppError;
use crate::http::lang::negotiate;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/graphql").route(web::post().to(post)).route(web::get().to(get)))
        .service(web::resource("/graphql/ws").route(web::get().to(websocket)))
        .service(web::resource("/graphql/assets/{file}").route(web::get().to(assets::serve)));
}

/// A single GraphQL response as JSON; errors stay inside the GraphQL envelope.
fn respond(mut response: async_graphql::Response) -> HttpResponse {
    response.errors.iter_mut().for_each(AppError::annotate_graphql);
    let mut http = HttpResponse::Ok();
    http.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    http.json(response)
}

/// A request-level failure, in GraphQL's shape, with the HTTP status that fits.
fn refuse(error: AppError) -> HttpResponse {
    let status = actix_web::ResponseError::status_code(&error);
    let unauthenticated = matches!(error, AppError::Unauthenticated(_));
    let mut server_error = async_graphql::Error::from(error).into_server_error(Default::default());
    AppError::annotate_graphql(&mut server_error);
    let mut response = HttpResponse::build(status);
    if unauthenticated {
        response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
    }
    response.json(async_graphql::Response::from_errors(vec![server_error]))
}

/// Aliases let one request ask for the same costly field many times: a cap keeps that bounded.
pub const MAX_ALIASES: usize = 30;

/// How many aliased fields a document has (fragments counted once).
fn aliases(query: &str) -> usize {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn walk(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => usize::from(f.node.alias.is_some()) + walk(&f.node.selection_set.node),
                Selection::InlineFragment(f) => walk(&f.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let Ok(document) = async_graphql::parser::parse_query(query) else { return 0 };
    let operations: usize = match &document.operations {
        DocumentOperations::Single(op) => walk(&op.node.selection_set.node),
        DocumentOperations::Multiple(ops) => ops.values().map(|op| walk(&op.node.selection_set.node)).sum(),
    };
    operations + document.fragments.values().map(|f| walk(&f.node.selection_set.node)).sum::<usize>()
}

async fn execute(schema: &HubSchema, req: &HttpRequest, request: async_graphql::Request) -> HttpResponse {
    if aliases(&request.query) > MAX_ALIASES {
        return refuse(AppError::BadRequest(format!("the query has more than {MAX_ALIASES} aliases")));
    }
    let caller = match Caller::from_http(req) {
        Ok(caller) => caller,
        Err(e) => return refuse(e),
    };
    let lang = match negotiate(req) {
        Ok(lang) => lang,
        Err(e) => return refuse(e),
    };
    let state = match req.app_data::<web::Data<crate::state::AppState>>() {
        Some(state) => state.get_ref().clone(),
        None => return refuse(AppError::Internal(anyhow::anyhow!("no application state"))),
    };
    // Loaders live for this request only: nothing one caller loads is served to another.
    let organisations = DataLoader::new(OrganisationLoader { db: state.db.clone() }, actix_web::rt::spawn);
    let questions = DataLoader::new(QuestionLoader { db: state.db.clone(), lang }, actix_web::rt::spawn);
    let request = request.data(caller).data(crate::http::lang::RequestLang(lang)).data(organisations).data(questions);
    respond(schema.execute(request).await)
}

async fn post(schema: web::Data<HubSchema>, req: HttpRequest, body: crate::http::body::Body) -> HttpResponse {
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return refuse(AppError::BadRequest(format!("the body is not JSON: {e}"))),
    };
    if value.is_array() {
        return refuse(AppError::BadRequest(
            "batched GraphQL requests are not supported; send one operation per request".into(),
        ));
    }
    match serde_json::from_value::<async_graphql::Request>(value) {
        Ok(request) => execute(&schema, &req, request).await,
        Err(e) => refuse(AppError::BadRequest(format!("not a GraphQL request: {e}"))),
    }
}

/// Browsers get GraphiQL; other clients may run queries (never mutations) over GET.
async fn get(schema: web::Data<HubSchema>, req: HttpRequest) -> HttpResponse {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html && req.query_string().is_empty() {
        return assets::graphiql_page();
    }
    let request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(r) => r,
        Err(e) => return refuse(AppError::BadRequest(format!("not a GraphQL request: {e}"))),
    };
    if is_mutation(&request) {
        return HttpResponse::MethodNotAllowed().insert_header((header::ALLOW, HeaderValue::from_static("POST"))).json(
            async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(
                "mutations are not allowed over GET; use POST",
                None,
            )]),
        );
    }
    execute(&schema, &req, request).await
}

/// Whether the operation a GET would run is a mutation (or a subscription).
fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false; // the executor reports the syntax error
    };
    let not_query = |ty: OperationType| ty != OperationType::Query;
    match &document.operations {
        DocumentOperations::Single(op) => not_query(op.node.ty),
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops.get(name.as_str()).is_some_and(|op| not_query(op.node.ty)),
            None => ops.values().any(|op| not_query(op.node.ty)),
        },
    }
}

/// Subscriptions over WebSocket (`graphql-transport-ws`); the token comes in `connection_init`.
async fn websocket(
    schema: web::Data<HubSchema>,
    state: web::Data<crate::state::AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let state = state.get_ref().clone();
    async_graphql_actix_web::GraphQLSubscription::new(HubSchema::clone(&schema))
        .on_connection_init(move |value| {
            let state = state.clone();
            async move {
                let caller = super::subscription::authenticate_init(&state, &value)
                    .await
                    .map_err(|e| async_graphql::Error::new(e.to_string()))?;
                let mut data = async_graphql::Data::default();
                data.insert(caller);
                data.insert(DataLoader::new(OrganisationLoader { db: state.db.clone() }, actix_web::rt::spawn));
                data.insert(DataLoader::new(
                    QuestionLoader { db: state.db.clone(), lang: crate::domain::Lang::default() },
                    actix_web::rt::spawn,
                ));
                Ok(data)
            }
        })
        .start(&req, payload)
}

//! GraphiQL, served from the binary: nothing is loaded from another host.
//! The files come from npm packages; `vendor/graphiql/README.md` says which.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpResponse};

const PAGE: &str = include_str!("../../vendor/graphiql/index.html");

/// `(file name, content type, bytes)` of every asset the page loads.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("../../vendor/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("../../vendor/graphiql/graphiql.min.css")),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../vendor/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../vendor/graphiql/react-dom.production.min.js"),
    ),
];

pub fn graphiql_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:",
            ),
        ))
        .body(PAGE)
}

pub async fn serve(file: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(name, _, _)| *name == file.as_str()) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")))
            .body(*bytes),
        None => actix_web::ResponseError::error_response(&crate::error::AppError::not_found("asset")),
    }
}

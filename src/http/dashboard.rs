//! The read-only dashboard: a static page served by the binary (nothing from another host)
//! that signs in with client credentials and draws from GraphQL.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpResponse};

/// `(file name, content type, bytes)` of the dashboard's files.
const FILES: &[(&str, &str, &[u8])] = &[
    ("index.html", "text/html; charset=utf-8", include_bytes!("../../assets/dashboard/index.html")),
    ("dashboard.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/dashboard/dashboard.js")),
    ("dashboard.css", "text/css; charset=utf-8", include_bytes!("../../assets/dashboard/dashboard.css")),
];

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

fn serve_file(name: &str) -> HttpResponse {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header((header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
            .body(*bytes),
        None => actix_web::ResponseError::error_response(&crate::error::AppError::not_found("file")),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard", web::get().to(|| async { serve_file("index.html") }))
        .route("/dashboard/{file}", web::get().to(|file: web::Path<String>| async move { serve_file(&file) }));
}

//! List answers: `{"data", "next_cursor"}` plus a `Link: <…>; rel="next"` header.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::service::page::Page;

#[derive(Serialize)]
struct ListBody<T> {
    data: Vec<T>,
    next_cursor: Option<String>,
}

/// The URL of the next page: the request's own URL with `cursor` replaced.
pub fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string()).unwrap_or_default();
    pairs.retain(|(k, _)| k != "cursor");
    pairs.push(("cursor".into(), cursor.into()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{}?{}", req.path(), query)
}

pub fn page_response<T: Serialize>(req: &HttpRequest, page: Page<T>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &page.next_cursor {
        if let Ok(value) = HeaderValue::from_str(&format!("<{}>; rel=\"next\"", next_link(req, cursor))) {
            response.insert_header((header::LINK, value));
        }
    }
    response.json(ListBody { data: page.data, next_cursor: page.next_cursor })
}

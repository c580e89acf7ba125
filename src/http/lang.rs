//! The language of an answer: `?lang=` first, then `Accept-Language`, else English.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header::{self, AcceptLanguage, Header, HeaderValue, Preference};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::domain::Lang;
use crate::error::AppError;

/// The negotiated language of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLang(pub Lang);

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// Negotiates the language; an explicit unsupported `?lang=` is an error, an unsupported
/// `Accept-Language` falls back to English.
pub fn negotiate(req: &HttpRequest) -> Result<Lang, AppError> {
    let query = serde_urlencoded::from_str::<LangQuery>(req.query_string()).ok().and_then(|q| q.lang);
    if let Some(tag) = query.filter(|t| !t.is_empty()) {
        return tag.parse().map_err(|e: String| AppError::Validation(vec![crate::error::FieldError::new("lang", e)]));
    }
    let Ok(accept) = AcceptLanguage::parse(req) else {
        return Ok(Lang::default());
    };
    Ok(accept
        .ranked()
        .into_iter()
        .find_map(|pref| match pref {
            Preference::Specific(tag) => Lang::from_tag(tag.primary_language()),
            Preference::Any => Some(Lang::default()),
        })
        .unwrap_or_default())
}

impl FromRequest for RequestLang {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(negotiate(req).map(RequestLang))
    }
}

/// A JSON answer in a language, saying which.
pub fn localized<T: Serialize>(lang: Lang, body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.code())))
        .insert_header((header::VARY, HeaderValue::from_static("Accept-Language")))
        .json(body)
}

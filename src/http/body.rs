//! The raw request body, capped at [`BODY_LIMIT`](super::BODY_LIMIT) with a problem answer
//! (413) past it, for handlers that parse JSON themselves.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{web, FromRequest, HttpRequest};

use crate::error::AppError;

pub struct Body(pub web::Bytes);

impl std::ops::Deref for Body {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl FromRequest for Body {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Body, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            bytes.await.map(Body).map_err(|e| {
                let too_large = e.as_error::<PayloadError>().is_some_and(|p| matches!(p, PayloadError::Overflow))
                    || e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE;
                if too_large {
                    AppError::PayloadTooLarge(super::BODY_LIMIT)
                } else {
                    AppError::BadRequest("the request body could not be read".into())
                }
            })
        })
    }
}

//! The token endpoint (OAuth 2.0 client credentials) and the public keys that verify tokens.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::keys::Jwks;
use crate::error::AppError;
use crate::service::oauth::{self, OAuthError, TokenRequest};
use crate::state::AppState;

/// The form fields of a token request (`application/x-www-form-urlencoded`).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenForm {
    #[schema(example = "client_credentials")]
    pub grant_type: Option<String>,
    /// Or send the credentials with HTTP Basic authentication.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Space-separated; a subset of the client's scopes (all of them when absent).
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    #[schema(example = 3600)]
    pub expires_in: u64,
    #[schema(example = "consultation:read contributions:read")]
    pub scope: String,
}

/// An error of RFC 6749 §5.2.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthErrorBody {
    #[schema(example = "invalid_client")]
    pub error: &'static str,
    pub error_description: String,
}

fn oauth_error(error: OAuthError) -> HttpResponse {
    if let OAuthError::Server(inner) = error {
        return actix_web::ResponseError::error_response(&inner);
    }
    let mut response = match error {
        OAuthError::InvalidClient => {
            let mut r = HttpResponse::Unauthorized();
            r.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"consultation-hub\"")));
            r
        }
        _ => HttpResponse::BadRequest(),
    };
    response
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .json(OAuthErrorBody { error: error.code(), error_description: error.to_string() })
}

/// Credentials from the `Authorization: Basic` header (RFC 6749 §2.3.1: form-encoded, then base64).
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(OAuthError::InvalidClient)?;
    let (id, secret) = decoded.split_once(':').ok_or(OAuthError::InvalidClient)?;
    let unescape = |s: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
            .ok()
            .and_then(|mut v| v.pop())
            .map(|(_, v)| v)
            .unwrap_or_else(|| s.to_owned())
    };
    Ok(Some((unescape(id), unescape(secret))))
}

fn token_request(req: &HttpRequest, body: &[u8]) -> Result<TokenRequest, OAuthError> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !body.is_empty() && !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(OAuthError::InvalidRequest("the body must be application/x-www-form-urlencoded".into()));
    }
    let form: TokenForm = serde_urlencoded::from_bytes(body)
        .map_err(|e| OAuthError::InvalidRequest(format!("malformed form body: {e}")))?;
    let (client_id, client_secret) = match (basic_credentials(req)?, form.client_id, form.client_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(OAuthError::InvalidRequest("send the client credentials one way only".into()))
        }
        (Some(basic), None, None) => basic,
        (None, Some(id), Some(secret)) => (id, secret),
        (None, _, _) => return Err(OAuthError::InvalidClient),
    };
    Ok(TokenRequest { grant_type: form.grant_type, client_id, client_secret, scope: form.scope })
}

/// Issues an access token for a client's credentials.
#[utoipa::path(
    post, path = "/oauth/token", tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse, description = "Sent with `Cache-Control: no-store`"),
        (status = 400, body = OAuthErrorBody, description = "invalid_request, unsupported_grant_type or invalid_scope"),
        (status = 401, body = OAuthErrorBody, description = "invalid_client: unknown, wrong or revoked credentials"),
    )
)]
#[post("/oauth/token")]
pub async fn token(state: web::Data<AppState>, req: HttpRequest, body: crate::http::body::Body) -> HttpResponse {
    let request = match token_request(&req, &body) {
        Ok(r) => r,
        Err(e) => return oauth_error(e),
    };
    match oauth::issue_token(&state, request).await {
        Ok(issued) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
            .insert_header((header::PRAGMA, HeaderValue::from_static("no-cache")))
            .json(TokenResponse {
                access_token: issued.access_token,
                token_type: "Bearer",
                expires_in: issued.expires_in,
                scope: issued.scope,
            }),
        Err(e) => oauth_error(e),
    }
}

/// The public keys that verify access tokens (Ed25519, RFC 8037).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth", responses((status = 200, body = Jwks)))]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let jwks = state.tokens.keys.jwks(state.tokens.ttl()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60")))
        .json(jwks))
}

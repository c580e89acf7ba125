//! Turns an `Authorization` header into an [`Authentication`]: the token's signature and
//! claims, then the client's standing in the database (so a revocation counts at once on
//! every node).

use actix_web::http::header::{HeaderMap, AUTHORIZATION};

use super::caller::{Authentication, Caller};
use super::tokens::Tokens;
use crate::db::clients;
use crate::db::Db;
use crate::error::AppError;

/// The bearer token of a request, if it sent one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Verifies a bearer token and checks that its client is still active.
pub async fn authenticate(tokens: &Tokens, db: &Db, token: &str) -> Result<Caller, AppError> {
    let claims = tokens.verify(token).await?;
    let client_id = claims.sub.clone();
    let active = db.run(move |conn| Ok(clients::is_active(conn, &client_id)?)).await?;
    if !active {
        return Err(AppError::Unauthenticated("invalid access token: the client is revoked".into()));
    }
    Ok(Caller::from_claims(&claims))
}

/// The outcome for a request's headers; server-side failures stay errors.
pub async fn resolve(tokens: &Tokens, db: &Db, headers: &HeaderMap) -> Result<Authentication, AppError> {
    let Some(token) = bearer(headers) else {
        return Ok(match headers.get(AUTHORIZATION) {
            Some(_) => Authentication::Rejected("the Authorization header must use the Bearer scheme".into()),
            None => Authentication::Anonymous,
        });
    };
    match authenticate(tokens, db, token).await {
        Ok(caller) => Ok(Authentication::Authenticated(caller)),
        Err(AppError::Unauthenticated(why)) => Ok(Authentication::Rejected(why)),
        Err(other) => Err(other),
    }
}

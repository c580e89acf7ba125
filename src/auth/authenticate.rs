//! Turns an `Authorization` header into an [`Authentication`]: the token's signature and
//! claims, then the client's standing in the database (so a revocation made anywhere counts
//! within a second on every node).

use std::sync::Arc;

use actix_web::http::header::{HeaderMap, AUTHORIZATION};

use super::caller::{Authentication, Caller};
use super::standing::Standings;
use super::tokens::Tokens;
use crate::db::clients;
use crate::db::precondition::Precondition;
use crate::db::Db;
use crate::error::AppError;

/// The bearer token of a request, if it sent one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Verifies a bearer token and checks that its client is still active, in the database.
pub async fn authenticate(tokens: &Tokens, db: &Db, token: &str) -> Result<Caller, AppError> {
    let caller = verify(tokens, token).await?;
    let standing = standing_check(&caller, None);
    db.run(move |conn| standing.enforce(conn)).await?;
    Ok(caller)
}

/// The token's signature and claims only: the caller it names, standing not yet checked.
pub async fn verify(tokens: &Tokens, token: &str) -> Result<Caller, AppError> {
    Ok(Caller::from_claims(&tokens.verify(token).await?))
}

/// "The caller's client is not revoked", as a precondition of the request's database work;
/// none when the client was found active a moment ago (see [`Standings`]).
pub fn standing(caller: &Caller, standings: &Arc<Standings>) -> Option<Arc<Precondition>> {
    if standings.is_fresh(&caller.client_id) {
        return None;
    }
    Some(standing_check(caller, Some(Arc::clone(standings))))
}

fn standing_check(caller: &Caller, standings: Option<Arc<Standings>>) -> Arc<Precondition> {
    let client_id = caller.client_id.clone();
    Precondition::new(
        move |conn| {
            let active = clients::is_active(conn, &client_id)?;
            if let (true, Some(standings)) = (active, &standings) {
                standings.record_active(&client_id);
            }
            Ok(active)
        },
        || AppError::Unauthenticated("invalid access token: the client is revoked".into()),
    )
}

/// The outcome for a request's headers, from the token alone: the caller's standing is
/// left to the caller of this function (see [`standing`]). Server-side failures stay errors.
pub async fn resolve(tokens: &Tokens, headers: &HeaderMap) -> Result<Authentication, AppError> {
    let Some(token) = bearer(headers) else {
        return Ok(match headers.get(AUTHORIZATION) {
            Some(_) => Authentication::Rejected("the Authorization header must use the Bearer scheme".into()),
            None => Authentication::Anonymous,
        });
    };
    match verify(tokens, token).await {
        Ok(caller) => Ok(Authentication::Authenticated(caller)),
        Err(AppError::Unauthenticated(why)) => Ok(Authentication::Rejected(why)),
        Err(other) => Err(other),
    }
}

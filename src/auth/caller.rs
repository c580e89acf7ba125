//! The caller of a request, resolved once per request by the authentication middleware
//! and taken by every handler (as an extractor) and resolver (from the context).

use std::collections::BTreeSet;
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use super::tokens::Claims;
use super::Scope;
use crate::domain::OrgKind;
use crate::error::AppError;

/// An authenticated API client, acting for its organisation with its token's scopes.
#[derive(Debug, Clone)]
pub struct Caller {
    pub client_id: String,
    pub organisation_id: String,
    pub org_kind: OrgKind,
    scopes: BTreeSet<Scope>,
}

/// What the middleware found in the `Authorization` header, kept in the request's extensions.
#[derive(Debug, Clone)]
pub enum Authentication {
    /// No bearer token was sent.
    Anonymous,
    Authenticated(Caller),
    Rejected(String),
}

impl Caller {
    pub fn from_claims(claims: &Claims) -> Caller {
        Caller {
            client_id: claims.sub.clone(),
            organisation_id: claims.org.clone(),
            org_kind: claims.org_kind,
            scopes: claims.scopes(),
        }
    }

    pub fn scopes(&self) -> &BTreeSet<Scope> {
        &self.scopes
    }

    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// 403 naming the scope when the caller lacks it.
    pub fn require(&self, scope: Scope) -> Result<(), AppError> {
        if self.has(scope) {
            Ok(())
        } else {
            Err(AppError::MissingScope(scope.as_str()))
        }
    }

    /// The caller of a request: 401 without a valid bearer token.
    pub fn from_http(req: &HttpRequest) -> Result<Caller, AppError> {
        match req.extensions().get::<Authentication>() {
            Some(Authentication::Authenticated(caller)) => Ok(caller.clone()),
            Some(Authentication::Rejected(why)) => Err(AppError::Unauthenticated(why.clone())),
            Some(Authentication::Anonymous) | None => {
                Err(AppError::Unauthenticated("send an access token as `Authorization: Bearer <token>`".into()))
            }
        }
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Caller::from_http(req))
    }
}

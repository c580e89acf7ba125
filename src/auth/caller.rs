//! The caller of a request.

use std::collections::BTreeSet;
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use super::Scope;
use crate::error::AppError;

/// An authenticated caller and the scopes its token grants.
#[derive(Debug, Clone)]
pub struct Caller {
    scopes: BTreeSet<Scope>,
}

impl Caller {
    /// The caller of a public deployment without tokens: it may read the structure.
    fn public_reader() -> Caller {
        Caller { scopes: BTreeSet::from([Scope::ConsultationRead]) }
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

    /// Resolves the caller of a request.
    pub fn from_http(_req: &HttpRequest) -> Result<Caller, AppError> {
        Ok(Caller::public_reader())
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Caller::from_http(req))
    }
}

//! Who the token belongs to.

use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::domain::OrgKind;

/// The caller as its token describes it.
#[derive(Debug, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "Me")]
pub struct Me {
    pub client_id: String,
    pub organisation_id: String,
    pub org_kind: OrgKind,
    pub scopes: Vec<String>,
}

impl From<&Caller> for Me {
    fn from(caller: &Caller) -> Self {
        Me {
            client_id: caller.client_id.clone(),
            organisation_id: caller.organisation_id.clone(),
            org_kind: caller.org_kind,
            scopes: caller.scopes().iter().map(|s| s.as_str().to_owned()).collect(),
        }
    }
}

/// The client, organisation and scopes of the access token.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/me")]
pub async fn me(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(Me::from(&caller))
}

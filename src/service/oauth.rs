//! The OAuth 2.0 client credentials grant (RFC 6749 §4.4).

use std::collections::BTreeSet;

use crate::auth::secrets;
use crate::auth::tokens::{IssuedToken, Subject};
use crate::auth::Scope;
use crate::db::clients as rows;
use crate::domain::OrgKind;
use crate::error::AppError;
use crate::state::AppState;

/// The errors of RFC 6749 §5.2 this endpoint uses.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("client authentication failed")]
    InvalidClient,
    #[error("only the client_credentials grant is supported")]
    UnsupportedGrantType,
    #[error("{0}")]
    InvalidScope(String),
    #[error(transparent)]
    Server(#[from] AppError),
}

impl OAuthError {
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::InvalidScope(_) => "invalid_scope",
            OAuthError::Server(_) => "server_error",
        }
    }
}

/// A token request, whichever way the client sent its credentials.
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    pub scope: Option<String>,
}

/// Checks the client's credentials and issues a token with the requested (or all) scopes.
pub async fn issue_token(state: &AppState, request: TokenRequest) -> Result<IssuedToken, OAuthError> {
    match request.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(_) => return Err(OAuthError::UnsupportedGrantType),
        None => return Err(OAuthError::InvalidRequest("grant_type is required".into())),
    }
    let TokenRequest { client_id, client_secret, scope, .. } = request;
    let found = state.db.run(move |conn| Ok(rows::find_client_with_kind(conn, &client_id)?)).await?;
    // The hash is checked off the database connection, on the few hashing threads.
    let stored = found.as_ref().filter(|(c, _)| c.revoked_at.is_none()).map(|(c, _)| c.secret_hash.clone());
    let verified = secrets::verify_off_thread(client_secret, stored).await;
    let found = found.filter(|_| verified);
    let (client, kind) = found.ok_or(OAuthError::InvalidClient)?;
    let granted: BTreeSet<Scope> = client.scopes.split_whitespace().filter_map(|s| s.parse().ok()).collect();
    let scopes = match scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => granted,
        Some(text) => {
            let mut wanted = BTreeSet::new();
            for word in text.split_whitespace() {
                let scope: Scope = word.parse().map_err(OAuthError::InvalidScope)?;
                if !granted.contains(&scope) {
                    return Err(OAuthError::InvalidScope(format!("the client does not have the `{scope}` scope")));
                }
                wanted.insert(scope);
            }
            wanted
        }
    };
    let org_kind: OrgKind =
        kind.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("organisation of client {}: {e}", client.id)))?;
    let token = state
        .tokens
        .issue(&Subject { client_id: &client.id, organisation_id: &client.organisation_id, org_kind, scopes: &scopes })
        .await?;
    Ok(token)
}

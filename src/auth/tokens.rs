//! Access tokens: JWTs signed with Ed25519 (`alg: EdDSA`, `typ: at+jwt`), checked strictly.

use std::collections::BTreeSet;

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::KeyStore;
use super::Scope;
use crate::domain::{clock, OrgKind};
use crate::error::AppError;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 5;
const TYP: &str = "at+jwt";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The client id.
    pub sub: String,
    /// The organisation id.
    pub org: String,
    pub org_kind: OrgKind,
    /// Space-separated scopes.
    pub scope: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
}

impl Claims {
    pub fn scopes(&self) -> BTreeSet<Scope> {
        self.scope.split_whitespace().filter_map(|s| s.parse().ok()).collect()
    }
}

/// Who a token is for.
pub struct Subject<'a> {
    pub client_id: &'a str,
    pub organisation_id: &'a str,
    pub org_kind: OrgKind,
    pub scopes: &'a BTreeSet<Scope>,
}

pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
    pub scope: String,
}

/// Joins scopes in the contract's order.
pub fn scope_string(scopes: &BTreeSet<Scope>) -> String {
    scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

/// Signs and verifies tokens of one issuer for one audience.
pub struct Tokens {
    pub keys: KeyStore,
    issuer: String,
    audience: String,
    ttl: u64,
}

impl Tokens {
    pub fn new(keys: KeyStore, issuer: String, audience: String, ttl: u64) -> Self {
        Tokens { keys, issuer, audience, ttl }
    }

    pub fn ttl(&self) -> u64 {
        self.ttl
    }

    pub async fn issue(&self, subject: &Subject<'_>) -> Result<IssuedToken, AppError> {
        let key = self.keys.signing_key().await?;
        let now = clock::now().unix_timestamp();
        let scope = scope_string(subject.scopes);
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: subject.client_id.to_owned(),
            org: subject.organisation_id.to_owned(),
            org_kind: subject.org_kind,
            scope: scope.clone(),
            iat: now,
            nbf: now,
            exp: now + i64::try_from(self.ttl).unwrap_or(3600),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TYP.into());
        header.kid = Some(key.kid.clone());
        let access_token = jsonwebtoken::encode(&header, &claims, &key.encoding)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("signing a token: {e}")))?;
        Ok(IssuedToken { access_token, expires_in: self.ttl, scope })
    }

    /// Checks the signature with one of our keys, then `exp`, `nbf`, `iss`, `aud`, `sub`.
    /// Revocation is checked by the caller, against the database.
    pub async fn verify(&self, token: &str) -> Result<Claims, AppError> {
        let reject = |why: &str| AppError::Unauthenticated(format!("invalid access token: {why}"));
        let header = jsonwebtoken::decode_header(token).map_err(|_| reject("malformed or unsupported header"))?;
        if header.alg != Algorithm::EdDSA {
            return Err(reject("algorithm not allowed"));
        }
        let typ_ok = header
            .typ
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(TYP) || t.eq_ignore_ascii_case("application/at+jwt"));
        if !typ_ok {
            return Err(reject("not an access token (typ)"));
        }
        let kid = header.kid.ok_or_else(|| reject("no key id"))?;
        let key = self.keys.find(&kid).await?.ok_or_else(|| reject("unknown key id"))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => reject("expired"),
                ErrorKind::ImmatureSignature => reject("not yet valid"),
                ErrorKind::InvalidIssuer => reject("wrong issuer"),
                ErrorKind::InvalidAudience => reject("wrong audience"),
                ErrorKind::MissingRequiredClaim(claim) => reject(&format!("missing claim `{claim}`")),
                ErrorKind::InvalidSignature => reject("bad signature"),
                _ => reject("malformed claims"),
            }
        })?;
        Ok(data.claims)
    }
}

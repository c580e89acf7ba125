//! Access tokens: JWTs signed with Ed25519 (`alg: EdDSA`, `typ: at+jwt`), checked strictly.

use std::collections::BTreeSet;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::KeyStore;
use super::verified::VerifiedTokens;
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
    verified: VerifiedTokens,
}

impl Tokens {
    pub fn new(keys: KeyStore, issuer: String, audience: String, ttl: u64) -> Self {
        Tokens { keys, issuer, audience, ttl, verified: VerifiedTokens::default() }
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
        let access_token = sign(&claims, &key.kid, &key.encoding)?;
        Ok(IssuedToken { access_token, expires_in: self.ttl, scope })
    }

    /// Checks the signature with one of our keys, then `exp`, `nbf`, `iss`, `aud`, `sub`.
    /// Revocation is checked by the caller, against the database. A token verified before
    /// is only checked for expiry again (see [`VerifiedTokens`]).
    pub async fn verify(&self, token: &str) -> Result<Claims, AppError> {
        let now = clock::now().unix_timestamp();
        if let Some(claims) = self.verified.get(token, now) {
            return Ok(claims);
        }
        let kid = header_kid(token)?;
        let key = self.keys.find(&kid).await?.ok_or_else(|| reject("unknown key id"))?;
        let claims = check(token, &key.decoding, &self.issuer, &self.audience)?;
        self.verified.insert(token, &claims, now);
        Ok(claims)
    }
}

fn reject(why: &str) -> AppError {
    AppError::Unauthenticated(format!("invalid access token: {why}"))
}

/// Signs claims as an access token: `alg` EdDSA, `typ` at+jwt, `kid` naming the key.
pub fn sign(claims: &Claims, kid: &str, key: &EncodingKey) -> Result<String, AppError> {
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some(TYP.into());
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, key).map_err(|e| AppError::Internal(anyhow::anyhow!("signing a token: {e}")))
}

/// The checks made before any key is looked up: the header parses, the algorithm is EdDSA,
/// `typ` says access token, and a `kid` names the key. Returns the `kid`.
pub fn header_kid(token: &str) -> Result<String, AppError> {
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
    header.kid.ok_or_else(|| reject("no key id"))
}

/// The signature with `key` (EdDSA only), then `exp` and `nbf` with [`LEEWAY_SECS`], `iss`,
/// `aud` and `sub`. Needs no I/O: [`Tokens::verify`] runs it with the key the `kid` names.
pub fn check(token: &str, key: &DecodingKey, issuer: &str, audience: &str) -> Result<Claims, AppError> {
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.leeway = LEEWAY_SECS;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|e| {
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

//! The server's Ed25519 signing keys: kept in the database (so every node signs and verifies
//! with the same set), cached in memory for a few seconds, published as a JWKS.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rand_core::OsRng;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::db::clients::{self as rows, KeyRow};
use crate::db::{Db, DbConn};
use crate::domain::clock;
use crate::error::AppError;

/// How stale the signing key may be: a key added by `admin rotate-keys` signs new tokens
/// within this time on every node.
const SIGNING_REFRESH: Duration = Duration::from_secs(2);
/// How often an unknown `kid` may trigger a reload (a key made by another node moments ago).
const UNKNOWN_KID_REFRESH: Duration = Duration::from_secs(1);

/// One key, ready to sign and verify.
pub struct Key {
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The raw public key, base64url (the JWK `x`).
    pub public_x: String,
    pub created_at: OffsetDateTime,
}

impl Key {
    fn from_row(row: KeyRow) -> Result<Key, AppError> {
        let der = STANDARD
            .decode(row.private_key.as_bytes())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("signing key {}: {e}", row.kid)))?;
        let decoding = DecodingKey::from_ed_components(&row.public_key)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("signing key {}: {e}", row.kid)))?;
        let created_at = clock::parse(&row.created_at)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("signing key {}: {e}", row.kid)))?;
        Ok(Key {
            encoding: EncodingKey::from_ed_der(&der),
            decoding,
            public_x: row.public_key,
            created_at,
            kid: row.kid,
        })
    }
}

/// A new key pair as stored.
pub fn generate() -> anyhow::Result<KeyRow> {
    let signing = ed25519_dalek::SigningKey::generate(&mut OsRng);
    let der = signing.to_pkcs8_der().map_err(|e| anyhow::anyhow!("PKCS#8 encoding: {e}"))?;
    Ok(KeyRow {
        kid: uuid::Uuid::now_v7().simple().to_string(),
        private_key: STANDARD.encode(der.as_bytes()),
        public_key: URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes()),
        created_at: clock::to_db(clock::now()),
    })
}

/// Makes the first key of a new database.
pub fn ensure_signing_key(conn: &mut DbConn) -> anyhow::Result<bool> {
    if rows::list_keys(conn)?.is_empty() {
        rows::insert_key(conn, &generate()?)?;
        return Ok(true);
    }
    Ok(false)
}

/// Adds a key that signs every token from now on; earlier keys keep verifying.
pub fn rotate(conn: &mut DbConn) -> anyhow::Result<KeyRow> {
    let key = generate()?;
    rows::insert_key(conn, &key)?;
    Ok(key)
}

/// A JSON Web Key Set (RFC 7517) of Ed25519 public keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Jwk {
    #[schema(example = "OKP")]
    pub kty: &'static str,
    #[schema(example = "Ed25519")]
    pub crv: &'static str,
    pub kid: String,
    #[serde(rename = "use")]
    #[schema(example = "sig")]
    pub use_: &'static str,
    #[schema(example = "EdDSA")]
    pub alg: &'static str,
    pub x: String,
}

struct Cache {
    loaded_at: Instant,
    /// Newest first.
    keys: Arc<Vec<Arc<Key>>>,
}

/// The keys of this deployment, cached.
pub struct KeyStore {
    db: Db,
    cache: RwLock<Option<Cache>>,
}

impl KeyStore {
    pub fn new(db: Db) -> Self {
        KeyStore { db, cache: RwLock::new(None) }
    }

    fn cached(&self, max_age: Duration) -> Option<Arc<Vec<Arc<Key>>>> {
        let guard = self.cache.read().ok()?;
        let cache = guard.as_ref()?;
        (cache.loaded_at.elapsed() <= max_age).then(|| cache.keys.clone())
    }

    async fn reload(&self) -> Result<Arc<Vec<Arc<Key>>>, AppError> {
        let rows = self.db.run(|conn| Ok(rows::list_keys(conn)?)).await?;
        let keys: Vec<Arc<Key>> = rows.into_iter().map(|r| Key::from_row(r).map(Arc::new)).collect::<Result<_, _>>()?;
        let keys = Arc::new(keys);
        if let Ok(mut guard) = self.cache.write() {
            *guard = Some(Cache { loaded_at: Instant::now(), keys: keys.clone() });
        }
        Ok(keys)
    }

    async fn keys(&self, max_age: Duration) -> Result<Arc<Vec<Arc<Key>>>, AppError> {
        match self.cached(max_age) {
            Some(keys) => Ok(keys),
            None => self.reload().await,
        }
    }

    /// The newest key, which signs new tokens.
    pub async fn signing_key(&self) -> Result<Arc<Key>, AppError> {
        self.keys(SIGNING_REFRESH)
            .await?
            .first()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no signing key")))
    }

    /// The key with this `kid`, if it is one of ours.
    pub async fn find(&self, kid: &str) -> Result<Option<Arc<Key>>, AppError> {
        let find = |keys: &Arc<Vec<Arc<Key>>>| keys.iter().find(|k| k.kid == kid).cloned();
        if let Some(key) = self.keys(Duration::from_secs(3600)).await.as_ref().ok().and_then(find) {
            return Ok(Some(key));
        }
        Ok(self.keys(UNKNOWN_KID_REFRESH).await.as_ref().ok().and_then(find))
    }

    /// Every key that can still verify a live token: the newest, and each older one whose
    /// successor appeared less than a token lifetime (plus the signing cache and leeway) ago.
    pub async fn jwks(&self, token_ttl: u64) -> Result<Jwks, AppError> {
        let keys = self.keys(Duration::from_secs(1)).await?;
        let now = clock::now();
        let horizon = time::Duration::seconds(
            i64::try_from(token_ttl).unwrap_or(i64::MAX / 2)
                + SIGNING_REFRESH.as_secs() as i64
                + super::tokens::LEEWAY_SECS as i64,
        );
        let mut successor: Option<OffsetDateTime> = None;
        let mut out = Vec::new();
        for key in keys.iter() {
            let live = successor.is_none_or(|next| next + horizon > now);
            if live {
                out.push(Jwk {
                    kty: "OKP",
                    crv: "Ed25519",
                    kid: key.kid.clone(),
                    use_: "sig",
                    alg: "EdDSA",
                    x: key.public_x.clone(),
                });
            }
            successor = Some(key.created_at);
        }
        Ok(Jwks { keys: out })
    }
}

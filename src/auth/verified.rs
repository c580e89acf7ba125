//! Tokens whose signature and claims were already checked, so that a partner sending the
//! same token on every request pays for the Ed25519 verification once, not each time.
//!
//! The key is the SHA-256 of the whole token: a hit means these exact bytes were verified
//! before with one of our keys. Expiry is still checked on every hit; revocation is not
//! this module's business (it is checked against the database on every request).

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::tokens::{Claims, LEEWAY_SECS};

/// How many distinct tokens are remembered; past it, expired ones are dropped, then all.
const CAPACITY: usize = 4096;

#[derive(Default)]
pub struct VerifiedTokens {
    entries: Mutex<HashMap<[u8; 32], Claims>>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn live(claims: &Claims, now: i64) -> bool {
    claims.exp.saturating_add(LEEWAY_SECS as i64) >= now
}

impl VerifiedTokens {
    /// The claims of `token` if it was verified before and has not expired at `now`.
    pub fn get(&self, token: &str, now: i64) -> Option<Claims> {
        let key = digest(token);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(&key) {
            Some(claims) if live(claims, now) => Some(claims.clone()),
            Some(_) => {
                entries.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Remembers claims that were just verified from `token`.
    pub fn insert(&self, token: &str, claims: &Claims, now: i64) {
        let key = digest(token);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.retain(|_, c| live(c, now));
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, claims.clone());
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrgKind;

    fn claims(exp: i64) -> Claims {
        Claims {
            iss: "i".into(),
            aud: "a".into(),
            sub: "client".into(),
            org: "org".into(),
            org_kind: OrgKind::Ngo,
            scope: "contributions:read".into(),
            iat: 0,
            nbf: 0,
            exp,
            jti: "j".into(),
        }
    }

    #[test]
    fn a_hit_needs_the_same_bytes_and_a_live_token() {
        let cache = VerifiedTokens::default();
        cache.insert("token-a", &claims(100), 50);
        assert_eq!(cache.get("token-a", 60).map(|c| c.sub), Some("client".into()));
        assert!(cache.get("token-b", 60).is_none(), "another token is not a hit");
        assert!(cache.get("token-a", 100 + LEEWAY_SECS as i64 + 1).is_none(), "expired tokens are not hits");
        assert_eq!(cache.len(), 0, "an expired entry is dropped when seen");
    }

    #[test]
    fn it_stays_bounded() {
        let cache = VerifiedTokens::default();
        for i in 0..(CAPACITY * 2 + 3) {
            cache.insert(&format!("t{i}"), &claims(1_000), 0);
        }
        assert!(cache.len() <= CAPACITY);
    }
}

//! Client secrets: random, shown once, stored only as argon2id hashes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand_core::{OsRng, RngCore};

/// argon2id with 19 MiB of memory, 2 passes, 1 lane: OWASP's recommended minimum for
/// password storage, about 20 ms per verification on one core of a current server.
pub const ARGON2_MEMORY_KIB: u32 = 19_456;
pub const ARGON2_ITERATIONS: u32 = 2;
pub const ARGON2_PARALLELISM: u32 = 1;

fn hasher() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM, None)
        .unwrap_or_else(|_| Params::default());
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// `bytes` random bytes, base64url, behind a prefix that says what the string is.
pub fn random_token(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(buf))
}

/// A new client secret (256 bits).
pub fn new_client_secret() -> String {
    random_token("hubsec_", 32)
}

pub fn hash(secret: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| anyhow::anyhow!("argon2: {e}"))
}

/// Whether `secret` matches the stored hash; a malformed hash matches nothing.
pub fn verify(secret: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| hasher().verify_password(secret.as_bytes(), &parsed).is_ok())
}

/// Spends the time of one verification, so that an unknown client id answers no faster
/// than a wrong secret.
pub fn verify_nothing(secret: &str) {
    const DUMMY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$o2tQmq3KhEVh9B1WmfF8rJ7bLlkfQ1zQ2m5d0q9XyqE";
    let _ = verify(secret, DUMMY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_secret() {
        let secret = new_client_secret();
        assert!(secret.starts_with("hubsec_") && secret.len() > 40);
        let stored = hash(&secret).expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(&secret, &stored));
        assert!(!verify("hubsec_wrong", &stored));
        assert!(!verify(&secret, "not a hash"));
    }
}

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

/// Whether `secret` matches the stored hash; a malformed hash matches nothing. The argon2
/// working memory is kept per thread and reused: allocating 19 MiB per check makes the
/// allocator keep hundreds of MiB under load.
pub fn verify(secret: &str, stored: &str) -> bool {
    use argon2::password_hash::Output;
    thread_local! {
        static MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    if parsed.algorithm != Algorithm::Argon2id.ident() || params.m_cost() > 4 * ARGON2_MEMORY_KIB {
        // Only our own kind of hash, with bounded memory.
        return hasher().verify_password(secret.as_bytes(), &parsed).is_ok();
    }
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else { return false };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let computed = MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        memory.resize(params.block_count(), argon2::Block::default());
        argon.hash_password_into_with_memory(secret.as_bytes(), salt, &mut out, memory.as_mut_slice())
    });
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

/// Spends the time of one verification, so that an unknown client id answers no faster
/// than a wrong secret.
pub fn verify_nothing(secret: &str) {
    const DUMMY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$o2tQmq3KhEVh9B1WmfF8rJ7bLlkfQ1zQ2m5d0q9XyqE";
    let _ = verify(secret, DUMMY);
}

/// Threads that check secrets. argon2 needs 19 MiB per check; on a thread pool that rotates
/// work over many threads each thread's allocator arena would keep its own copy (hundreds of
/// MiB under load), so checks run on these few threads only — which also bounds the CPU a
/// flood of token requests can take.
const HASHING_THREADS: usize = 2;

type Job = Box<dyn FnOnce() + Send>;

fn hashing_pool() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<Job>> {
    static POOL: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..HASHING_THREADS {
            let rx = rx.clone();
            let _ = std::thread::Builder::new().name(format!("secret-check-{i}")).spawn(move || loop {
                let job = match rx.lock() {
                    Ok(guard) => guard.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
        }
        std::sync::Mutex::new(tx)
    })
}

/// Checks `secret` against `stored` on the hashing threads (spending the same time when there
/// is no stored hash, so that unknown clients answer no faster).
pub async fn verify_off_thread(secret: String, stored: Option<String>) -> bool {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let ok = match stored {
            Some(hash) => verify(&secret, &hash),
            None => {
                verify_nothing(&secret);
                false
            }
        };
        let _ = tx.send(ok);
    });
    let sent = hashing_pool().lock().map(|sender| sender.send(job).is_ok()).unwrap_or(false);
    sent && rx.await.unwrap_or(false)
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

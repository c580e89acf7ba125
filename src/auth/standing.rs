//! Which clients were found active in the database a moment ago, so that a partner sending
//! many requests a second costs the database one standing check per half second, not one
//! per request.
//!
//! The contract gives a running server one second to honour a revocation made anywhere
//! (another node, the admin CLI); an entry is trusted for half of that. A revocation made
//! through this node forgets the client at once, so it counts from the very next request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an active standing read from the database is trusted.
pub const TRUSTED_FOR: Duration = Duration::from_millis(500);

/// How many clients are remembered; past it, the stale ones are dropped, then all.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub struct Standings {
    active: Mutex<HashMap<String, Instant>>,
}

impl Standings {
    /// Whether the client was found active less than [`TRUSTED_FOR`] ago.
    pub fn is_fresh(&self, client_id: &str) -> bool {
        let active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        active.get(client_id).is_some_and(|at| at.elapsed() < TRUSTED_FOR)
    }

    /// Remembers that the database just said the client is active.
    pub fn record_active(&self, client_id: &str) {
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        if active.len() >= CAPACITY && !active.contains_key(client_id) {
            active.retain(|_, at| at.elapsed() < TRUSTED_FOR);
            if active.len() >= CAPACITY {
                active.clear();
            }
        }
        active.insert(client_id.to_owned(), Instant::now());
    }

    /// Forgets a client revoked through this node.
    pub fn forget(&self, client_id: &str) {
        self.active.lock().unwrap_or_else(|e| e.into_inner()).remove(client_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_trusted_briefly_and_forgotten_on_demand() {
        let standings = Standings::default();
        assert!(!standings.is_fresh("a"));
        standings.record_active("a");
        assert!(standings.is_fresh("a"));
        standings.forget("a");
        assert!(!standings.is_fresh("a"));
        standings.record_active("b");
        std::thread::sleep(TRUSTED_FOR + Duration::from_millis(20));
        assert!(!standings.is_fresh("b"), "stale after TRUSTED_FOR");
    }

    #[test]
    fn it_stays_bounded() {
        let standings = Standings::default();
        for i in 0..(CAPACITY + 5) {
            standings.record_active(&format!("c{i}"));
        }
        assert!(standings.active.lock().map(|m| m.len()).unwrap_or(0) <= CAPACITY);
    }
}

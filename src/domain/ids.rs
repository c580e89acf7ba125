//! Identifiers: random v7 UUIDs for new rows, name-based v5 UUIDs for seed rows so that
//! every database seeded from the same files has the same ids.

use uuid::Uuid;

/// Namespace of the name-based ids of seed data.
const SEED_NAMESPACE: Uuid = Uuid::from_u128(0x6b1c_27e4_3f0a_4d4e_9a51_52c2_86f0_7b13);

/// A new time-ordered id.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// The id of a seed row, derived from its path in the seed files (e.g. `grcp-7/session/2`).
pub fn seed_id(path: &str) -> Uuid {
    Uuid::new_v5(&SEED_NAMESPACE, path.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_ids_are_stable() {
        assert_eq!(seed_id("grcp-7"), seed_id("grcp-7"));
        assert_ne!(seed_id("grcp-7"), seed_id("grcp-8"));
    }
}

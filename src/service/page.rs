//! Keyset pagination: opaque cursors and page sizes shared by every list.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The default and largest page sizes of REST lists.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// A clamped page size: 1 ..= [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent.
pub fn clamp_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// The position after the last row of a page: the values of its sort key, in order.
/// Clients see it only as an opaque string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub Vec<String>);

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&self.0).unwrap_or_default())
    }

    /// Decodes a cursor made by [`Cursor::encode`] with `arity` key values.
    pub fn decode(raw: &str, arity: usize) -> Result<Cursor, AppError> {
        let invalid =
            || AppError::BadRequest("the cursor is not valid; use a `next_cursor` returned by this list".into());
        let bytes = URL_SAFE_NO_PAD.decode(raw.as_bytes()).map_err(|_| invalid())?;
        let values: Vec<String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if values.len() != arity {
            return Err(invalid());
        }
        Ok(Cursor(values))
    }
}

/// One page of a list and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
    /// The cursor of each item (where a list resumes after it), for Relay edges.
    pub cursors: Vec<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only tells that more exist.
    pub fn from_rows<R>(mut rows: Vec<R>, limit: i64, key: impl Fn(&R) -> Cursor, map: impl FnMut(R) -> T) -> Page<T> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let cursors: Vec<String> = rows.iter().map(|r| key(r).encode()).collect();
        let next_cursor = if more { cursors.last().cloned() } else { None };
        Page { data: rows.into_iter().map(map).collect(), next_cursor, cursors }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor(vec!["Économie".into(), "42".into()]);
        assert_eq!(Cursor::decode(&c.encode(), 2).ok(), Some(c.clone()));
        assert!(Cursor::decode(&c.encode(), 3).is_err());
        assert!(Cursor::decode("not base64!", 2).is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode(b"{}"), 2).is_err());
    }

    #[test]
    fn limits_are_clamped() {
        assert_eq!(clamp_limit(None), 50);
        assert_eq!(clamp_limit(Some(0)), 1);
        assert_eq!(clamp_limit(Some(10_000)), 200);
    }
}

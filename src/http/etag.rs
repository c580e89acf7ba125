//! `ETag` / `If-Match` for optimistic concurrency: the ETag is the version, quoted.

use actix_web::http::header::{HeaderMap, IF_MATCH};

use crate::error::AppError;

/// The version an `If-Match` header asks for: `None` when absent or `*`.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i32>, AppError> {
    let Some(value) = headers.get(IF_MATCH) else { return Ok(None) };
    let text = value.to_str().map_err(|_| AppError::BadRequest("If-Match is not valid text".into()))?;
    parse_if_match(text)
}

/// Parses `"3"`, `W/"3"` or `*`. Lists of several tags are refused: a write targets one version.
pub fn parse_if_match(text: &str) -> Result<Option<i32>, AppError> {
    let text = text.trim();
    if text == "*" {
        return Ok(None);
    }
    let invalid = || AppError::BadRequest(format!("If-Match must be one ETag such as \"3\", not `{text}`"));
    let tag = text.strip_prefix("W/").unwrap_or(text);
    let inner = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')).ok_or_else(invalid)?;
    inner.parse::<i32>().map(Some).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_forms() {
        assert_eq!(parse_if_match("\"3\"").ok(), Some(Some(3)));
        assert_eq!(parse_if_match("W/\"12\"").ok(), Some(Some(12)));
        assert_eq!(parse_if_match("*").ok(), Some(None));
        for bad in ["3", "\"three\"", "\"1\", \"2\"", "\"", ""] {
            assert!(parse_if_match(bad).is_err(), "{bad}");
        }
    }
}

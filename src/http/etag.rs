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
/// Entity tags compare character by character (RFC 9110 §8.8.3.2), so only the tag the server
/// sends for a version names it: `"03"`, `"+3"` or `"-0"` are other tags, refused.
pub fn parse_if_match(text: &str) -> Result<Option<i32>, AppError> {
    let text = text.trim();
    if text == "*" {
        return Ok(None);
    }
    let invalid = || AppError::BadRequest(format!("If-Match must be one ETag such as \"3\", not `{text}`"));
    let tag = text.strip_prefix("W/").unwrap_or(text);
    let inner = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')).ok_or_else(invalid)?;
    match inner.parse::<i32>() {
        Ok(version) if version.to_string() == inner => Ok(Some(version)),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_forms() {
        assert_eq!(parse_if_match("\"3\"").ok(), Some(Some(3)));
        assert_eq!(parse_if_match("W/\"12\"").ok(), Some(Some(12)));
        assert_eq!(parse_if_match("*").ok(), Some(None));
        assert_eq!(parse_if_match("\"-1\"").ok(), Some(Some(-1)));
        for bad in ["3", "\"three\"", "\"1\", \"2\"", "\"", "", "\"03\"", "\"+3\"", "\"-0\"", "\" 3\""] {
            assert!(parse_if_match(bad).is_err(), "{bad}");
        }
    }
}

//! The client-writable fields of a contribution: which keys a body may carry, how they are
//! typed and checked, and how a JSON merge patch (RFC 7396) applies to them. Both doors
//! hand a JSON object here, so every rule on input is written once.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::domain::contribution::{ContributionKind, GeographicScope, PracticeCategory};
use crate::domain::Region;
use crate::error::{AppError, FieldError};

/// Fields a client may write.
pub const CLIENT_FIELDS: &[&str] = &[
    "consultation",
    "session",
    "segment",
    "group",
    "question_ids",
    "kind",
    "practice_category",
    "title",
    "summary",
    "body",
    "language",
    "regions",
    "scope",
    "replicable",
    "replicability_notes",
    "themes",
    "links",
    "external_ref",
];

/// Fields the server sets; a client sending one gets 400 naming it.
pub const SERVER_FIELDS: &[&str] = &[
    "id",
    "status",
    "version",
    "organisation",
    "endorsement_count",
    "progress_status",
    "created_at",
    "updated_at",
    "submitted_at",
    "published_at",
];

pub const MAX_TITLE: usize = 300;
pub const MAX_SUMMARY: usize = 2_000;
pub const MAX_BODY: usize = 100_000;
pub const MAX_NOTES: usize = 5_000;
pub const MAX_LIST: usize = 50;
pub const MAX_EXTERNAL_REF: usize = 255;

/// A link attached to a contribution.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    async_graphql::SimpleObject,
    async_graphql::InputObject,
)]
#[graphql(input_name = "LinkInput")]
pub struct Link {
    #[schema(example = "https://example.org/report.pdf")]
    pub url: String,
    pub title: Option<String>,
}

/// Every client field, typed; what validation and storage work with.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    pub consultation: Option<String>,
    pub session: Option<i32>,
    pub segment: Option<String>,
    pub group: Option<String>,
    pub question_ids: Vec<String>,
    pub kind: Option<ContributionKind>,
    pub practice_category: Option<PracticeCategory>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub body: Option<String>,
    pub language: Option<String>,
    pub regions: Vec<Region>,
    pub scope: Option<GeographicScope>,
    pub replicable: Option<bool>,
    pub replicability_notes: Option<String>,
    pub themes: Vec<String>,
    pub links: Vec<Link>,
    pub external_ref: Option<String>,
}

/// Refuses server-owned and unknown keys, by name (400). `extra` are keys a door adds.
pub fn check_keys(body: &Map<String, Value>, extra: &[&str]) -> Result<(), AppError> {
    for key in body.keys() {
        if SERVER_FIELDS.contains(&key.as_str()) {
            return Err(AppError::BadRequest(format!("`{key}` is set by the server and cannot be written")));
        }
        if !CLIENT_FIELDS.contains(&key.as_str()) && !extra.contains(&key.as_str()) {
            return Err(AppError::BadRequest(format!("unknown field `{key}`")));
        }
    }
    Ok(())
}

/// Applies a JSON merge patch to an object: `null` removes, objects merge, the rest replaces.
pub fn merge(base: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match value {
            Value::Null => {
                base.remove(key);
            }
            Value::Object(inner) => {
                let mut target = match base.remove(key) {
                    Some(Value::Object(existing)) => existing,
                    _ => Map::new(),
                };
                merge(&mut target, inner);
                base.insert(key.clone(), Value::Object(target));
            }
            other => {
                base.insert(key.clone(), other.clone());
            }
        }
    }
}

struct Reader<'a> {
    map: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl Reader<'_> {
    fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    fn text(&mut self, field: &str, max: usize) -> Option<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                let s = s.trim();
                if s.chars().count() > max {
                    self.fail(field, format!("must be at most {max} characters"));
                    None
                } else if s.is_empty() {
                    None
                } else {
                    Some(s.to_owned())
                }
            }
            Some(_) => {
                self.fail(field, "must be a string");
                None
            }
        }
    }

    fn typed<T: serde::de::DeserializeOwned>(&mut self, field: &str, expected: &str) -> Option<T> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(v) => match serde_json::from_value(v.clone()) {
                Ok(t) => Some(t),
                Err(_) => {
                    self.fail(field, format!("must be {expected}"));
                    None
                }
            },
        }
    }

    fn list<T: serde::de::DeserializeOwned>(&mut self, field: &str, expected: &str) -> Vec<T> {
        let list: Vec<T> = self.typed(field, &format!("a list of {expected}")).unwrap_or_default();
        if list.len() > MAX_LIST {
            self.fail(field, format!("must have at most {MAX_LIST} items"));
        }
        list
    }

    fn vocabulary<T: std::str::FromStr<Err = crate::domain::kinds::UnknownValue>>(&mut self, field: &str) -> Option<T> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => match s.parse() {
                Ok(v) => Some(v),
                Err(e) => {
                    self.fail(field, e.to_string());
                    None
                }
            },
            Some(_) => {
                self.fail(field, "must be a string");
                None
            }
        }
    }
}

fn dedup<T: Ord + Clone>(mut list: Vec<T>) -> Vec<T> {
    let mut seen = std::collections::BTreeSet::new();
    list.retain(|x| seen.insert(x.clone()));
    list
}

impl Fields {
    /// Reads and checks the shape of every field (types, vocabularies, lengths, required
    /// fields); references to the structure are checked against the database later.
    pub fn from_map(map: &Map<String, Value>) -> Result<Fields, AppError> {
        let mut r = Reader { map, errors: Vec::new() };
        let regions: Vec<String> = r.list("regions", "region names");
        let mut parsed_regions = Vec::new();
        for region in regions {
            match region.parse::<Region>() {
                Ok(v) => parsed_regions.push(v),
                Err(e) => r.fail("regions", e.to_string()),
            }
        }
        let fields = Fields {
            consultation: r.text("consultation", 100),
            session: r.typed("session", "a session number"),
            segment: r.text("segment", 100),
            group: r.text("group", 100),
            question_ids: dedup(r.list("question_ids", "question ids")),
            kind: r.vocabulary("kind"),
            practice_category: r.vocabulary("practice_category"),
            title: r.text("title", MAX_TITLE),
            summary: r.text("summary", MAX_SUMMARY),
            body: r.text("body", MAX_BODY),
            language: r.text("language", 16),
            regions: dedup(parsed_regions),
            scope: r.vocabulary("scope"),
            replicable: r.typed("replicable", "true or false"),
            replicability_notes: r.text("replicability_notes", MAX_NOTES),
            themes: dedup(r.list("themes", "taxonomy term ids")),
            links: r.list("links", "links {url, title}"),
            external_ref: r.text("external_ref", MAX_EXTERNAL_REF),
        };
        let mut errors = r.errors;
        let missing = |errors: &mut Vec<FieldError>, field: &str, present: bool| {
            if !present && !errors.iter().any(|e| e.field == field) {
                errors.push(FieldError::new(field, "is required"));
            }
        };
        missing(&mut errors, "kind", fields.kind.is_some());
        missing(&mut errors, "title", fields.title.is_some());
        missing(&mut errors, "body", fields.body.is_some());
        if fields.practice_category.is_some() && fields.kind.is_some_and(|k| k != ContributionKind::GoodPractice) {
            errors.push(FieldError::new("practice_category", "only good practices have a practice category"));
        }
        if let Some(language) = &fields.language {
            let ok = (2..=3).contains(&language.split('-').next().unwrap_or_default().len())
                && language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                errors.push(FieldError::new("language", "must be a language code such as `en`, `fr` or `es`"));
            }
        }
        for link in &fields.links {
            let scheme_ok = link.url.starts_with("https://") || link.url.starts_with("http://");
            if !scheme_ok || link.url.len() > 2000 || link.url.chars().any(char::is_whitespace) {
                errors.push(FieldError::new("links", format!("`{}` is not an http(s) URL", link.url)));
            }
        }
        if fields.session.is_some_and(|s| s < 1) {
            errors.push(FieldError::new("session", "must be a session number (1 or more)"));
        }
        if errors.is_empty() {
            Ok(fields)
        } else {
            Err(AppError::Validation(errors))
        }
    }

    /// The fields as a JSON object, the base a merge patch applies to.
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = Map::new();
        let mut put = |key: &str, value: Value| {
            if !value.is_null() {
                map.insert(key.to_owned(), value);
            }
        };
        put("consultation", serde_json::json!(self.consultation));
        put("session", serde_json::json!(self.session));
        put("segment", serde_json::json!(self.segment));
        put("group", serde_json::json!(self.group));
        put("question_ids", serde_json::json!(self.question_ids));
        put("kind", serde_json::json!(self.kind));
        put("practice_category", serde_json::json!(self.practice_category));
        put("title", serde_json::json!(self.title));
        put("summary", serde_json::json!(self.summary));
        put("body", serde_json::json!(self.body));
        put("language", serde_json::json!(self.language));
        put("regions", serde_json::json!(self.regions));
        put("scope", serde_json::json!(self.scope));
        put("replicable", serde_json::json!(self.replicable));
        put("replicability_notes", serde_json::json!(self.replicability_notes));
        put("themes", serde_json::json!(self.themes));
        put("links", serde_json::json!(self.links));
        put("external_ref", serde_json::json!(self.external_ref));
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn server_owned_and_unknown_fields_are_named() {
        for key in ["status", "organisation", "version"] {
            let err = check_keys(&object(json!({ key: 1 })), &[]).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains(key), "{err}");
        }
        assert!(check_keys(&object(json!({"colour": 1})), &[]).is_err());
        assert!(check_keys(&object(json!({"submit": true})), &["submit"]).is_ok());
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut base = object(json!({"title": "a", "summary": "b", "links": [{"url": "x"}]}));
        merge(&mut base, &object(json!({"summary": null, "title": "c", "links": []})));
        assert_eq!(Value::Object(base), json!({"title": "c", "links": []}));
    }

    #[test]
    fn fields_are_checked_with_field_errors() {
        let err = Fields::from_map(&object(json!({"kind": "poem", "title": 3, "practice_category": "law"})));
        let Err(AppError::Validation(errors)) = err else { panic!("expected validation errors") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "title", "body"]);
        let ok =
            Fields::from_map(&object(json!({"kind": "gap", "title": " T ", "body": "B", "regions": ["asia", "asia"]})));
        let ok = ok.expect("valid");
        assert_eq!(ok.title.as_deref(), Some("T"));
        assert_eq!(ok.regions, vec![Region::Asia]);
        let round = Fields::from_map(&ok.to_map()).ok();
        assert_eq!(round, Some(ok));
    }
}

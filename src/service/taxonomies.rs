//! The controlled vocabularies contributions are tagged with.

use std::collections::HashMap;

use async_graphql::{SimpleObject, ID};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::taxonomies as rows;
use crate::db::DbConn;
use crate::domain::Lang;
use crate::error::AppError;

#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Taxonomy {
    #[schema(example = "gcm_objectives")]
    pub key: String,
    pub title: String,
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Term {
    /// `taxonomy_key/code`, the form contributions use in `themes`.
    #[schema(value_type = String, example = "gcm_objectives/5")]
    pub id: ID,
    #[schema(example = "5")]
    pub code: String,
    #[schema(example = "Regular pathways")]
    pub label: String,
    pub title: String,
}

pub fn list(conn: &mut DbConn, lang: Lang) -> Result<Vec<Taxonomy>, AppError> {
    let (taxonomies, terms) = rows::load_all(conn)?;
    let mut by_taxonomy: HashMap<String, Vec<Term>> = HashMap::new();
    for t in terms {
        by_taxonomy.entry(t.taxonomy_key).or_default().push(Term {
            id: ID(t.id),
            code: t.code,
            label: lang.pick(t.label_en, t.label_fr),
            title: lang.pick(t.title_en, t.title_fr),
        });
    }
    Ok(taxonomies
        .into_iter()
        .map(|t| Taxonomy {
            terms: by_taxonomy.remove(&t.key).unwrap_or_default(),
            title: lang.pick(t.title_en, t.title_fr),
            key: t.key,
        })
        .collect())
}

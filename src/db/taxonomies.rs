//! Reads of the taxonomies and their terms.

use diesel::prelude::*;

use super::schema::*;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = taxonomies)]
pub struct TaxonomyRow {
    pub key: String,
    pub title_en: String,
    pub title_fr: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = taxonomy_terms)]
pub struct TermRow {
    pub id: String,
    pub taxonomy_key: String,
    pub code: String,
    pub label_en: String,
    pub label_fr: String,
    pub title_en: String,
    pub title_fr: String,
}

/// Every taxonomy and every term, each in display order.
pub fn load_all(conn: &mut DbConn) -> QueryResult<(Vec<TaxonomyRow>, Vec<TermRow>)> {
    let taxonomies = taxonomies::table.order(taxonomies::position).select(TaxonomyRow::as_select()).load(conn)?;
    let terms = taxonomy_terms::table
        .order((taxonomy_terms::taxonomy_key, taxonomy_terms::position))
        .select(TermRow::as_select())
        .load(conn)?;
    Ok((taxonomies, terms))
}

/// Which of the given term ids exist.
pub fn existing_term_ids(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<String>> {
    taxonomy_terms::table.filter(taxonomy_terms::id.eq_any(ids)).select(taxonomy_terms::id).load(conn)
}

//! Search relevance computed by the database, so a search reads one page of rows rather
//! than every match: each query word found in the title counts 2, in the summary 1.
//!
//! It reads `contributions.rank_terms`, laid out by
//! [`search::rank_terms`](crate::domain::search::rank_terms) as ` title words | summary
//! words ` (stemmed, folded, each word between spaces): a word `w` is in the title when the
//! text holds ` w ` before the `|`, and in the summary when it holds ` w ` after it. Index
//! words are alphanumeric, so they hold no `LIKE` wildcard; they are bound as parameters all
//! the same. The same SQL runs on SQLite and Postgres, so both rank alike.

use diesel::expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Integer, Text};
use diesel::QueryResult;

use super::connection::MultiBackend;
use crate::domain::search::Query;

const TERMS: &str = "contributions.rank_terms";

/// The relevance of a contribution to a query, as an SQL integer expression.
#[derive(Debug, Clone)]
pub struct Relevance {
    /// Per query word: the `LIKE` patterns of a title hit, then those of a summary hit.
    words: Vec<(Vec<String>, Vec<String>)>,
}

impl Relevance {
    pub fn new(query: &Query) -> Relevance {
        let words = query
            .words
            .iter()
            .map(|forms| {
                let title = forms.iter().map(|f| format!("% {f} %|%")).collect();
                let summary = forms.iter().map(|f| format!("%|% {f} %")).collect();
                (title, summary)
            })
            .collect();
        Relevance { words }
    }
}

fn any_like<'b>(out: &mut AstPass<'_, 'b, MultiBackend>, patterns: &'b [String]) -> QueryResult<()> {
    out.push_sql("(");
    for (i, pattern) in patterns.iter().enumerate() {
        if i > 0 {
            out.push_sql(" OR ");
        }
        out.push_sql(TERMS);
        out.push_sql(" LIKE ");
        out.push_bind_param::<Text, String>(pattern)?;
    }
    out.push_sql(")");
    Ok(())
}

impl QueryFragment<MultiBackend> for Relevance {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("(0");
        for (title, summary) in &self.words {
            out.push_sql(" + CASE WHEN ");
            any_like(&mut out, title)?;
            out.push_sql(" THEN 2 ELSE 0 END + CASE WHEN ");
            any_like(&mut out, summary)?;
            out.push_sql(" THEN 1 ELSE 0 END");
        }
        // Never a bare `(0)`: both databases read an integer literal in ORDER BY as a column number.
        out.push_sql(" + 0)");
        Ok(())
    }
}

impl Expression for Relevance {
    type SqlType = Integer;
}

impl<QS> AppearsOnTable<QS> for Relevance {}

impl<QS> SelectableExpression<QS> for Relevance {}

impl<GB> ValidGrouping<GB> for Relevance {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for Relevance {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

//! Outcomes and progress reports.

use diesel::prelude::*;

use super::schema::{outcome_contributions as oc, outcomes as o, progress_reports as p};
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = o)]
pub struct OutcomeRow {
    pub id: String,
    pub consultation: String,
    pub kind: String,
    pub session: Option<i32>,
    pub segment: Option<String>,
    pub group_id: Option<String>,
    pub title: String,
    pub text: String,
    pub status: String,
    pub organisation_id: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub adopted_at: Option<String>,
    pub transmitted_at: Option<String>,
}

pub fn insert_outcome(conn: &mut DbConn, row: &OutcomeRow, contribution_ids: &[String]) -> QueryResult<()> {
    diesel::insert_into(o::table).values(row).execute(conn)?;
    for (i, c) in contribution_ids.iter().enumerate() {
        diesel::insert_into(oc::table)
            .values((
                oc::outcome_id.eq(&row.id),
                oc::contribution_id.eq(c),
                oc::position.eq(i32::try_from(i).unwrap_or(0)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find_outcome(conn: &mut DbConn, id: &str) -> QueryResult<Option<OutcomeRow>> {
    o::table.find(id).select(OutcomeRow::as_select()).first(conn).optional()
}

/// Outcomes of a consultation, oldest first; `drafts` includes those not yet adopted.
pub fn list_outcomes(conn: &mut DbConn, consultation: &str, drafts: bool) -> QueryResult<Vec<OutcomeRow>> {
    let mut q = o::table.filter(o::consultation.eq(consultation)).into_boxed();
    if !drafts {
        q = q.filter(o::status.ne("draft"));
    }
    q.order((o::created_at.asc(), o::id.asc())).select(OutcomeRow::as_select()).load(conn)
}

/// `(outcome_id, contribution_id)` links of the given outcomes, in order.
pub fn outcome_links(conn: &mut DbConn, outcome_ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    oc::table
        .filter(oc::outcome_id.eq_any(outcome_ids))
        .order((oc::outcome_id, oc::position))
        .select((oc::outcome_id, oc::contribution_id))
        .load(conn)
}

pub fn set_outcome_status(conn: &mut DbConn, id: &str, status: &str, at: &str) -> QueryResult<()> {
    let target = o::table.find(id);
    match status {
        "adopted" => {
            diesel::update(target).set((o::status.eq(status), o::updated_at.eq(at), o::adopted_at.eq(at))).execute(conn)
        }
        "transmitted" => diesel::update(target)
            .set((o::status.eq(status), o::updated_at.eq(at), o::transmitted_at.eq(at)))
            .execute(conn),
        _ => diesel::update(target).set((o::status.eq(status), o::updated_at.eq(at))).execute(conn),
    }
    .map(|_| ())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = p)]
pub struct ProgressRow {
    pub id: String,
    pub contribution_id: String,
    pub status: String,
    pub note: Option<String>,
    pub as_of: String,
    pub created_by: String,
    pub created_at: String,
}

pub fn insert_progress(conn: &mut DbConn, row: &ProgressRow) -> QueryResult<()> {
    diesel::insert_into(p::table).values(row).execute(conn).map(|_| ())
}

/// A commitment's reports, oldest first (by date, then by when they were made).
pub fn progress_of(conn: &mut DbConn, contribution_ids: &[String]) -> QueryResult<Vec<ProgressRow>> {
    p::table
        .filter(p::contribution_id.eq_any(contribution_ids))
        .order((p::contribution_id, p::as_of.asc(), p::created_at.asc()))
        .select(ProgressRow::as_select())
        .load(conn)
}

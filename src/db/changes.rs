//! The change feed: one row per change of a contribution, written in the same transaction.
//!
//! Order is `(txid, seq)`. On Postgres a reader only reads rows whose transaction id is
//! below the oldest transaction still running (`pg_snapshot_xmin`): every row it could
//! read later has a larger `txid` than any row it has read, so nothing lands behind a
//! cursor. On SQLite writers are serialised and `txid` is 0, so `seq` alone is commit order.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use super::schema::changes;
use super::DbConn;
use crate::domain::contribution::Viewer;

/// A position in the feed: after the row `(txid, seq)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub txid: i64,
    pub seq: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub struct ChangeRow {
    pub seq: i64,
    pub txid: i64,
    pub contribution_id: String,
    pub version: i32,
    pub event: String,
    pub organisation_id: String,
    pub status_before: Option<String>,
    pub status_after: String,
    pub snapshot: String,
    pub at: String,
}

impl ChangeRow {
    pub fn position(&self) -> Position {
        Position { txid: self.txid, seq: self.seq }
    }
}

pub struct NewChange<'a> {
    pub contribution_id: &'a str,
    pub version: i32,
    pub event: &'a str,
    pub organisation_id: &'a str,
    pub status_before: Option<&'a str>,
    pub status_after: &'a str,
    pub snapshot: &'a str,
    pub at: &'a str,
}

/// Appends a change; `txid` comes from the column default (the transaction's id on Postgres).
pub fn insert(conn: &mut DbConn, c: &NewChange<'_>) -> QueryResult<()> {
    diesel::insert_into(changes::table)
        .values((
            changes::contribution_id.eq(c.contribution_id),
            changes::version.eq(c.version),
            changes::event.eq(c.event),
            changes::organisation_id.eq(c.organisation_id),
            changes::status_before.eq(c.status_before),
            changes::status_after.eq(c.status_after),
            changes::snapshot.eq(c.snapshot),
            changes::at.eq(c.at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Up to `limit` committed rows after `after`, in feed order, that `viewer` could see
/// before or after the change (the rest are never shown to it). `None` reads every row.
pub fn read(conn: &mut DbConn, after: Position, viewer: Option<&Viewer>, limit: i64) -> QueryResult<Vec<ChangeRow>> {
    let mut query = changes::table.into_boxed();
    query = match conn {
        // A row-value comparison: the planner starts a range scan of the (txid, seq) index
        // at `after`, where `txid > a OR (txid = a AND seq > b)` read the feed from its start
        // on every page. Only rows below the oldest running transaction are read.
        DbConn::Pg(_) => query
            .filter(
                sql::<Bool>("(changes.txid, changes.seq) > (")
                    .bind::<BigInt, _>(after.txid)
                    .sql(", ")
                    .bind::<BigInt, _>(after.seq)
                    .sql(")"),
            )
            .filter(sql::<Bool>("changes.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))
            .order((changes::txid.asc(), changes::seq.asc())),
        // `txid` is always 0, so the row value is a range of the rowid, read in table order
        // (SQLite planned the row value as `txid >= a` and walked the index from the start on
        // every page). A position with another txid is before or after every row, as it is
        // in the row-value order.
        DbConn::Sqlite(_) => {
            let after_seq = match after.txid.cmp(&0) {
                std::cmp::Ordering::Less => i64::MIN,
                std::cmp::Ordering::Equal => after.seq,
                std::cmp::Ordering::Greater => i64::MAX,
            };
            query.filter(changes::seq.gt(after_seq)).order(changes::seq.asc())
        }
    };
    if let Some(v) = viewer {
        let seen = changes::organisation_id
            .eq(v.organisation_id.clone())
            .or(changes::status_after.eq("published"))
            .or(changes::status_before.eq("published"));
        query = if v.reviewer {
            query.filter(seen.or(changes::status_after.ne("draft")).or(changes::status_before.ne("draft")))
        } else {
            query.filter(seen)
        };
    }
    query.limit(limit).select(ChangeRow::as_select()).load(conn)
}

/// The position of the newest committed row (where a new follower starts "from now").
pub fn head(conn: &mut DbConn) -> QueryResult<Position> {
    let mut query = changes::table.into_boxed();
    if let DbConn::Pg(_) = conn {
        query = query.filter(sql::<Bool>("changes.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"));
    }
    let last: Option<(i64, i64)> = query
        .order((changes::txid.desc(), changes::seq.desc()))
        .select((changes::txid, changes::seq))
        .first(conn)
        .optional()?;
    Ok(last.map(|(txid, seq)| Position { txid, seq }).unwrap_or_default())
}

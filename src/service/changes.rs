//! The change feed as a caller follows it: every change it may see, in commit order, with
//! a `delete` when a contribution leaves its view.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Scope};
use crate::db::changes::{self as rows, ChangeRow, NewChange, Position};
use crate::db::DbConn;
use crate::domain::clock;
use crate::domain::contribution::{Event, FeedOp, Status, Viewer};
use crate::error::AppError;
use crate::service::contributions::{viewer, Contribution};
use crate::service::page::Cursor;

/// The default and largest number of changes per read.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;
/// Rows scanned per read at most, so that a caller who sees little still gets an answer fast.
const SCAN_FACTOR: i64 = 10;

/// Appends a change of `contribution` to the feed (inside the caller's transaction).
pub fn record(
    conn: &mut DbConn,
    contribution: &Contribution,
    status_before: Option<&str>,
    event: Event,
) -> Result<(), AppError> {
    let snapshot = serde_json::to_string(contribution).map_err(|e| AppError::Internal(e.into()))?;
    rows::insert(
        conn,
        &NewChange {
            contribution_id: &contribution.id,
            version: contribution.version,
            event: event.as_str(),
            organisation_id: &contribution.organisation,
            status_before,
            status_after: contribution.status.as_str(),
            snapshot: &snapshot,
            at: &clock::to_db(clock::now()),
        },
    )?;
    Ok(())
}

/// One change as a follower sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Change {
    /// Resume after this change.
    pub cursor: String,
    /// `upsert`, or `delete` when the contribution left the caller's view.
    #[schema(example = "upsert")]
    pub op: String,
    #[schema(example = "contribution")]
    pub entity: String,
    #[schema(format = Uuid)]
    pub id: String,
    /// What happened, e.g. `contribution.published`.
    pub event: String,
    pub at: String,
    /// The contribution after the change; null on delete.
    pub data: Option<Contribution>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Where to resume (also when no change was visible in what was scanned).
    pub next_cursor: Option<String>,
    /// Whether more changes are already waiting.
    pub has_more: bool,
}

pub fn encode(position: Position) -> String {
    Cursor(vec![position.txid.to_string(), position.seq.to_string()]).encode()
}

pub fn decode(raw: &str) -> Result<Position, AppError> {
    let c = Cursor::decode(raw, 2)?;
    let bad = || AppError::BadRequest("the cursor is not valid; use a cursor returned by this feed".into());
    Ok(Position { txid: c.0[0].parse().map_err(|_| bad())?, seq: c.0[1].parse().map_err(|_| bad())? })
}

/// How a stored change shows to a viewer, if at all.
pub fn present(row: &ChangeRow, viewer: &Viewer) -> Result<Option<Change>, AppError> {
    let corrupt = || AppError::Internal(anyhow::anyhow!("change {} is invalid", row.seq));
    let after: Status = row.status_after.parse().map_err(|_| corrupt())?;
    let before: Option<Status> = row.status_before.as_deref().map(str::parse).transpose().map_err(|_| corrupt())?;
    let Some(op) = viewer.feed_op(&row.organisation_id, before, after) else { return Ok(None) };
    let data = match op {
        FeedOp::Upsert => Some(serde_json::from_str::<Contribution>(&row.snapshot).map_err(|_| corrupt())?),
        FeedOp::Delete => None,
    };
    Ok(Some(Change {
        cursor: encode(row.position()),
        op: match op {
            FeedOp::Upsert => "upsert",
            FeedOp::Delete => "delete",
        }
        .to_owned(),
        entity: "contribution".into(),
        id: row.contribution_id.clone(),
        event: row.event.clone(),
        at: row.at.clone(),
        data,
    }))
}

/// What a bounded read of the feed found.
pub struct Visible {
    pub changes: Vec<Change>,
    /// Where the next read resumes.
    pub position: Position,
    /// Whether more rows are already waiting.
    pub has_more: bool,
}

/// Reads up to `limit` visible changes after `after`, scanning a bounded number of rows.
pub fn read_visible(conn: &mut DbConn, viewer: &Viewer, after: Position, limit: i64) -> Result<Visible, AppError> {
    let batch = limit.clamp(1, MAX_LIMIT);
    let mut position = after;
    let mut out = Vec::new();
    let mut scanned = 0;
    loop {
        let rows = rows::read(conn, position, Some(viewer), batch)?;
        let full = i64::try_from(rows.len()).unwrap_or(0) == batch;
        for row in &rows {
            position = row.position();
            if let Some(change) = present(row, viewer)? {
                out.push(change);
                if i64::try_from(out.len()).unwrap_or(0) == limit {
                    let has_more = !rows::read(conn, position, Some(viewer), 1)?.is_empty();
                    return Ok(Visible { changes: out, position, has_more });
                }
            }
        }
        scanned += batch;
        if !full {
            return Ok(Visible { changes: out, position, has_more: false });
        }
        if scanned >= batch * SCAN_FACTOR {
            return Ok(Visible { changes: out, position, has_more: true });
        }
    }
}

/// The feed of a caller (`sync:read`).
pub fn feed(
    conn: &mut DbConn,
    caller: &Caller,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<ChangePage, AppError> {
    caller.require(Scope::SyncRead)?;
    let after = after.map(decode).transpose()?.unwrap_or_default();
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let found = read_visible(conn, &viewer(caller), after, limit)?;
    Ok(ChangePage { changes: found.changes, next_cursor: Some(encode(found.position)), has_more: found.has_more })
}

/// Where a follower that wants only what happens from now on starts.
pub fn head(conn: &mut DbConn) -> Result<Position, AppError> {
    Ok(rows::head(conn)?)
}

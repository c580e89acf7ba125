//! Webhook subscriptions, their leases and their deliveries.

use diesel::prelude::*;

use super::changes::Position;
use super::schema::{webhook_deliveries as d, webhooks as w};
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = w)]
pub struct WebhookRow {
    pub id: String,
    pub organisation_id: String,
    pub reviewer: bool,
    pub created_by: String,
    pub url: String,
    /// JSON list of event names.
    pub events: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<String>,
    pub active: bool,
    pub disabled_reason: Option<String>,
    pub failure_streak: i32,
    pub cursor_txid: i64,
    pub cursor_seq: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl WebhookRow {
    pub fn cursor(&self) -> Position {
        Position { txid: self.cursor_txid, seq: self.cursor_seq }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = d)]
pub struct DeliveryRow {
    pub id: String,
    pub webhook_id: String,
    pub position: i64,
    pub change_seq: i64,
    pub event: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: String,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

pub fn insert(conn: &mut DbConn, row: &WebhookRow) -> QueryResult<()> {
    diesel::insert_into(w::table).values(row).execute(conn).map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<WebhookRow>> {
    w::table.find(id).select(WebhookRow::as_select()).first(conn).optional()
}

pub fn list(conn: &mut DbConn, organisation: &str) -> QueryResult<Vec<WebhookRow>> {
    w::table
        .filter(w::organisation_id.eq(organisation))
        .order(w::created_at.asc())
        .select(WebhookRow::as_select())
        .load(conn)
}

/// The client-settable columns.
pub struct WebhookChanges<'a> {
    pub url: &'a str,
    pub events: &'a str,
    pub active: bool,
    pub disabled_reason: Option<&'a str>,
    pub secret: &'a str,
    pub previous_secret: Option<&'a str>,
    pub previous_secret_until: Option<&'a str>,
    pub failure_streak: i32,
    pub updated_at: &'a str,
}

pub fn update(conn: &mut DbConn, id: &str, c: &WebhookChanges<'_>) -> QueryResult<()> {
    diesel::update(w::table.find(id))
        .set((
            w::url.eq(c.url),
            w::events.eq(c.events),
            w::active.eq(c.active),
            w::disabled_reason.eq(c.disabled_reason),
            w::secret.eq(c.secret),
            w::previous_secret.eq(c.previous_secret),
            w::previous_secret_until.eq(c.previous_secret_until),
            w::failure_streak.eq(c.failure_streak),
            w::updated_at.eq(c.updated_at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::delete(d::table.filter(d::webhook_id.eq(id))).execute(conn)?;
    diesel::delete(w::table.find(id)).execute(conn).map(|_| ())
}

/// Takes (or renews) the lease of every active subscription that no live node holds.
/// Returns the subscriptions this node now holds.
pub fn lease(conn: &mut DbConn, node: &str, now: &str, until: &str) -> QueryResult<Vec<WebhookRow>> {
    diesel::update(
        w::table
            .filter(w::active.eq(true))
            .filter(w::lease_until.is_null().or(w::lease_until.lt(now)).or(w::lease_owner.eq(node))),
    )
    .set((w::lease_owner.eq(node), w::lease_until.eq(until)))
    .execute(conn)?;
    w::table
        .filter(w::active.eq(true))
        .filter(w::lease_owner.eq(node))
        .filter(w::lease_until.ge(now))
        .select(WebhookRow::as_select())
        .load(conn)
}

/// Extends this node's lease of one subscription; false when it lost it.
pub fn renew(conn: &mut DbConn, id: &str, node: &str, until: &str) -> QueryResult<bool> {
    let n = diesel::update(w::table.find(id).filter(w::lease_owner.eq(node)).filter(w::active.eq(true)))
        .set(w::lease_until.eq(until))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn set_cursor(conn: &mut DbConn, id: &str, position: Position) -> QueryResult<()> {
    diesel::update(w::table.find(id))
        .set((w::cursor_txid.eq(position.txid), w::cursor_seq.eq(position.seq)))
        .execute(conn)
        .map(|_| ())
}

pub fn set_health(conn: &mut DbConn, id: &str, failure_streak: i32, disabled_reason: Option<&str>) -> QueryResult<()> {
    let target = w::table.find(id);
    match disabled_reason {
        Some(reason) => diesel::update(target)
            .set((w::failure_streak.eq(failure_streak), w::active.eq(false), w::disabled_reason.eq(reason)))
            .execute(conn),
        None => diesel::update(target).set(w::failure_streak.eq(failure_streak)).execute(conn),
    }
    .map(|_| ())
}

pub fn last_position(conn: &mut DbConn, webhook: &str) -> QueryResult<i64> {
    let last: Option<i64> =
        d::table.filter(d::webhook_id.eq(webhook)).select(diesel::dsl::max(d::position)).first(conn)?;
    Ok(last.unwrap_or(0))
}

pub fn insert_delivery(conn: &mut DbConn, row: &DeliveryRow) -> QueryResult<()> {
    diesel::insert_into(d::table).values(row).execute(conn).map(|_| ())
}

/// The first delivery still to be made, in order.
pub fn next_pending(conn: &mut DbConn, webhook: &str) -> QueryResult<Option<DeliveryRow>> {
    d::table
        .filter(d::webhook_id.eq(webhook))
        .filter(d::status.eq("pending"))
        .order(d::position.asc())
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_delivery(conn: &mut DbConn, webhook: &str, id: &str) -> QueryResult<Option<DeliveryRow>> {
    d::table
        .filter(d::webhook_id.eq(webhook))
        .filter(d::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

/// Deliveries newest first, before the position `before` when given.
pub fn deliveries(conn: &mut DbConn, webhook: &str, before: Option<i64>, limit: i64) -> QueryResult<Vec<DeliveryRow>> {
    let mut q = d::table.filter(d::webhook_id.eq(webhook)).into_boxed();
    if let Some(p) = before {
        q = q.filter(d::position.lt(p));
    }
    q.order(d::position.desc()).limit(limit).select(DeliveryRow::as_select()).load(conn)
}

pub struct Attempt<'a> {
    pub status: &'a str,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<&'a str>,
    pub next_attempt_at: &'a str,
    pub delivered_at: Option<&'a str>,
}

pub fn record_attempt(conn: &mut DbConn, id: &str, a: &Attempt<'_>) -> QueryResult<()> {
    diesel::update(d::table.find(id))
        .set((
            d::status.eq(a.status),
            d::attempts.eq(a.attempts),
            d::last_status_code.eq(a.last_status_code),
            d::last_error.eq(a.last_error),
            d::next_attempt_at.eq(a.next_attempt_at),
            d::delivered_at.eq(a.delivered_at),
        ))
        .execute(conn)
        .map(|_| ())
}

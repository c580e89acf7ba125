//! The webhook dispatcher. Every node runs one; each subscription is leased to one node at a
//! time (a lease row with an expiry, taken with a conditional UPDATE on both backends), so
//! each delivery attempt is made by one node. Per subscription it turns new changes from
//! the feed into deliveries (the changes table is the transactional outbox), then sends
//! them strictly in order, retrying with exponential backoff and jitter, for up to 3 days.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rand_core::{OsRng, RngCore};
use serde_json::json;
use time::OffsetDateTime;

use super::client::{Outcome, WebhookClient};
use crate::db::webhooks::{self as rows, Attempt, DeliveryRow, WebhookRow};
use crate::db::{write_transaction, Db, DbConn};
use crate::domain::contribution::{Event, Viewer};
use crate::domain::webhook::{backoff, secret_key, sign, wants};
use crate::domain::{clock, ids};
use crate::error::AppError;
use crate::service::changes;
use crate::service::webhooks::payload;

/// How long deliveries are retried before they are given up.
const GIVE_UP_AFTER: time::Duration = time::Duration::days(3);
/// Consecutive failed attempts after which a subscription is disabled.
pub const DISABLE_AFTER_FAILURES: i32 = 200;
/// Idle time between two rounds.
const TICK: Duration = Duration::from_millis(100);
/// Subscriptions served in parallel by one node.
const PARALLEL: usize = 4;

pub struct Settings {
    pub retry_base: Duration,
    pub timeout: Duration,
    pub allow_private: bool,
}

/// A running dispatcher; stops when dropped.
pub struct Dispatcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Worker {
    db: Db,
    node: String,
    client: WebhookClient,
    settings: Settings,
}

pub fn start(db: Db, settings: Settings) -> Dispatcher {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let worker = Worker {
        db,
        node: ids::new_id().to_string(),
        client: WebhookClient::new(settings.timeout, settings.allow_private),
        settings,
    };
    let thread = std::thread::Builder::new()
        .name("webhook-dispatcher".into())
        .spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                if let Err(e) = worker.round() {
                    tracing::warn!(error = %e, "webhook dispatcher round failed");
                }
                std::thread::sleep(TICK);
            }
        })
        .ok();
    Dispatcher { stop, thread }
}

fn jitter() -> f64 {
    f64::from(OsRng.next_u32()) / f64::from(u32::MAX)
}

impl Worker {
    /// The lease outlives the longest attempt, so no other node can take over mid-attempt.
    fn lease_until(&self, now: OffsetDateTime) -> String {
        clock::to_db(
            now + time::Duration::try_from(self.settings.timeout + Duration::from_secs(5))
                .unwrap_or(time::Duration::seconds(15)),
        )
    }

    fn round(&self) -> Result<(), AppError> {
        let now = clock::now();
        let leased = {
            let mut conn = self.db.get()?;
            rows::lease(&mut conn, &self.node, &clock::to_db(now), &self.lease_until(now))?
        };
        for chunk in leased.chunks(PARALLEL) {
            std::thread::scope(|s| {
                for webhook in chunk {
                    s.spawn(move || {
                        if let Err(e) = self.serve(webhook) {
                            tracing::warn!(webhook = %webhook.id, error = %e, "webhook round failed");
                        }
                    });
                }
            });
        }
        Ok(())
    }

    fn serve(&self, webhook: &WebhookRow) -> Result<(), AppError> {
        let mut conn = self.db.get()?;
        self.fan_out(&mut conn, webhook)?;
        // Send what is due, in order; stop at the first failure (it keeps its place).
        for _ in 0..50 {
            if !self.deliver_next(&mut conn, webhook)? {
                break;
            }
        }
        Ok(())
    }

    /// Turns the changes this subscription may see into deliveries, and moves its cursor,
    /// in one transaction: nothing is lost or queued twice.
    fn fan_out(&self, conn: &mut DbConn, webhook: &WebhookRow) -> Result<(), AppError> {
        let events: Vec<String> = serde_json::from_str(&webhook.events).unwrap_or_default();
        let viewer = Viewer { organisation_id: webhook.organisation_id.clone(), reviewer: webhook.reviewer };
        write_transaction(conn, |conn| {
            let current = rows::find(conn, &webhook.id)?.ok_or_else(|| AppError::not_found("webhook"))?;
            let found = changes::read_visible(conn, &viewer, current.cursor(), 200)?;
            if found.position == current.cursor() {
                return Ok(());
            }
            let mut position = rows::last_position(conn, &webhook.id)?;
            let now = clock::to_db(clock::now());
            for change in found.changes {
                let Ok(event) = change.event.parse::<Event>() else { continue };
                if !wants(&events, event) {
                    continue;
                }
                let data = match &change.data {
                    Some(c) => serde_json::to_value(c).unwrap_or_default(),
                    // The contribution left the subscriber's view: only its id is told.
                    None => json!({ "id": change.id }),
                };
                position += 1;
                rows::insert_delivery(
                    conn,
                    &DeliveryRow {
                        id: format!("msg_{}", ids::new_id().simple()),
                        webhook_id: webhook.id.clone(),
                        position,
                        change_seq: changes::decode(&change.cursor).map(|p| p.seq).unwrap_or_default(),
                        event: event.as_str().to_owned(),
                        payload: payload(event.as_str(), &change.at, data),
                        status: "pending".into(),
                        attempts: 0,
                        last_status_code: None,
                        last_error: None,
                        next_attempt_at: now.clone(),
                        created_at: now.clone(),
                        delivered_at: None,
                    },
                )?;
            }
            rows::set_cursor(conn, &webhook.id, found.position)?;
            Ok(())
        })
    }

    /// Makes the next due attempt; true when it succeeded (so the next one may follow).
    fn deliver_next(&self, conn: &mut DbConn, webhook: &WebhookRow) -> Result<bool, AppError> {
        let Some(delivery) = rows::next_pending(conn, &webhook.id)? else { return Ok(false) };
        let now = clock::now();
        if delivery.next_attempt_at > clock::to_db(now) {
            return Ok(false);
        }
        if clock::parse(&delivery.created_at).is_ok_and(|created| now - created > GIVE_UP_AFTER) {
            rows::record_attempt(
                conn,
                &delivery.id,
                &Attempt {
                    status: "failed",
                    attempts: delivery.attempts,
                    last_status_code: delivery.last_status_code,
                    last_error: Some("given up after 3 days of failed attempts"),
                    next_attempt_at: &delivery.next_attempt_at,
                    delivered_at: None,
                },
            )?;
            tracing::warn!(webhook = %webhook.id, delivery = %delivery.id, "webhook delivery given up after 3 days");
            return Ok(true);
        }
        if !rows::renew(conn, &webhook.id, &self.node, &self.lease_until(now))? {
            return Ok(false);
        }
        // The subscription as it is now (its secret may have been rotated since the lease).
        let Some(current) = rows::find(conn, &webhook.id)? else { return Ok(false) };
        let outcome = self.client.send(&current.url, &signature_headers(&current, &delivery, now), &delivery.payload);
        let attempts = delivery.attempts + 1;
        let after = clock::now();
        if outcome.succeeded() {
            let at = clock::to_db(after);
            write_transaction(conn, |conn| -> Result<(), AppError> {
                rows::record_attempt(
                    conn,
                    &delivery.id,
                    &Attempt {
                        status: "delivered",
                        attempts,
                        last_status_code: status_code(&outcome),
                        last_error: None,
                        next_attempt_at: &at,
                        delivered_at: Some(&at),
                    },
                )?;
                Ok(rows::set_health(conn, &webhook.id, 0, None)?)
            })?;
            return Ok(true);
        }
        let wait = backoff(self.settings.retry_base, u32::try_from(attempts).unwrap_or(u32::MAX), jitter());
        let next = clock::to_db(after + time::Duration::try_from(wait).unwrap_or(time::Duration::hours(1)));
        let error = match &outcome {
            Outcome::Status(code) => format!("the receiver answered {code}"),
            Outcome::Failed(e) => e.clone(),
        };
        let streak = current.failure_streak + 1;
        let disable = (streak >= DISABLE_AFTER_FAILURES)
            .then(|| format!("disabled after {streak} failed attempts in a row: {error}"));
        write_transaction(conn, |conn| -> Result<(), AppError> {
            rows::record_attempt(
                conn,
                &delivery.id,
                &Attempt {
                    status: "pending",
                    attempts,
                    last_status_code: status_code(&outcome),
                    last_error: Some(&error),
                    next_attempt_at: &next,
                    delivered_at: None,
                },
            )?;
            Ok(rows::set_health(conn, &webhook.id, streak, disable.as_deref())?)
        })?;
        if let Some(reason) = disable {
            tracing::warn!(webhook = %webhook.id, organisation = %webhook.organisation_id, %reason, "webhook disabled");
        } else {
            tracing::info!(webhook = %webhook.id, delivery = %delivery.id, attempts, %error, "webhook delivery failed; will retry");
        }
        Ok(false)
    }
}

fn status_code(outcome: &Outcome) -> Option<i32> {
    match outcome {
        Outcome::Status(code) => Some(i32::from(*code)),
        Outcome::Failed(_) => None,
    }
}

/// `webhook-id`, `webhook-timestamp` and `webhook-signature` (both secrets during a rotation).
fn signature_headers(webhook: &WebhookRow, delivery: &DeliveryRow, now: OffsetDateTime) -> Vec<(&'static str, String)> {
    let timestamp = now.unix_timestamp();
    let mut signatures = Vec::new();
    if let Some(key) = secret_key(&webhook.secret) {
        signatures.push(sign(&key, &delivery.id, timestamp, delivery.payload.as_bytes()));
    }
    let previous_live =
        webhook.previous_secret_until.as_deref().is_some_and(|until| until > clock::to_db(now).as_str());
    if let (Some(previous), true) = (&webhook.previous_secret, previous_live) {
        if let Some(key) = secret_key(previous) {
            signatures.push(sign(&key, &delivery.id, timestamp, delivery.payload.as_bytes()));
        }
    }
    vec![
        ("webhook-id", delivery.id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signatures.join(" ")),
    ]
}

//! Webhook subscriptions as partners manage them (`sync:read`): one organisation's
//! subscriptions are invisible to every other.

use std::net::ToSocketAddrs;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::{secrets, Caller, Scope};
use crate::db::changes::Position;
use crate::db::webhooks::{self as rows, DeliveryRow, WebhookChanges, WebhookRow};
use crate::db::{write_transaction, DbConn};
use crate::domain::contribution::Event;
use crate::domain::webhook::{is_public, secret_key, ALL_EVENTS};
use crate::domain::{clock, ids};
use crate::error::{AppError, FieldError};
use crate::service::changes;
use crate::service::page::{Cursor, Page};

/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

/// A subscription as listed (never with its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    #[schema(format = Uuid)]
    pub id: String,
    pub url: String,
    #[schema(example = json!(["contribution.published", "contribution.withdrawn"]))]
    pub events: Vec<String>,
    pub active: bool,
    /// Why the service disabled it, if it did.
    pub disabled_reason: Option<String>,
    pub failure_streak: i32,
    pub created_at: String,
    pub updated_at: String,
    /// Only in the answers that create or rotate it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: Option<String>,
}

impl Webhook {
    fn from_row(row: &WebhookRow, show_secret: bool) -> Webhook {
        Webhook {
            id: row.id.clone(),
            url: row.url.clone(),
            events: serde_json::from_str(&row.events).unwrap_or_default(),
            active: row.active,
            disabled_reason: row.disabled_reason.clone(),
            failure_streak: row.failure_streak,
            created_at: row.created_at.clone(),
            updated_at: row.updated_at.clone(),
            secret: show_secret.then(|| row.secret.clone()),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    #[schema(example = "https://crm.example.org/hooks/consultation")]
    pub url: String,
    #[schema(example = json!(["*"]))]
    pub events: Vec<String>,
    /// A `whsec_…` secret of your own; one is generated when absent.
    pub secret: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// Re-enables a disabled subscription (or pauses one).
    pub active: Option<bool>,
    /// Replaces the secret; both are used to sign for 24 hours.
    #[serde(default)]
    pub rotate_secret: bool,
}

/// One delivery of an event to a subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: String,
    #[schema(example = "contribution.published")]
    pub event: String,
    /// `pending`, `delivered` or `failed` (given up after 3 days).
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        Delivery {
            next_attempt_at: (r.status == "pending").then_some(r.next_attempt_at),
            id: r.id,
            event: r.event,
            status: r.status,
            attempts: r.attempts,
            last_status_code: r.last_status_code,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
        }
    }
}

fn check_events(events: &[String]) -> Result<Vec<String>, FieldError> {
    if events.is_empty() {
        return Err(FieldError::new("events", "name at least one event, or \"*\""));
    }
    let mut out = Vec::new();
    for e in events {
        if e != ALL_EVENTS && e.parse::<Event>().is_err() {
            let names: Vec<&str> = Event::ALL.iter().map(|e| e.as_str()).collect();
            return Err(FieldError::new(
                "events",
                format!("unknown event `{e}`; expected \"*\" or one of: {}", names.join(", ")),
            ));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(out)
}

/// Refuses URLs that are not http(s), carry credentials, or whose host resolves to a
/// loopback, private, link-local or unspecified address (unless private targets are allowed).
pub fn check_target(url: &str, allow_private: bool) -> Result<(), FieldError> {
    let bad = |m: &str| FieldError::new("url", m);
    let uri: ureq::http::Uri = url.parse().map_err(|_| bad("is not a valid URL"))?;
    let scheme = uri.scheme_str().unwrap_or_default();
    if scheme != "https" && scheme != "http" {
        return Err(bad("must be an http or https URL"));
    }
    let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad("must not carry credentials"));
    }
    if url.len() > 2000 {
        return Err(bad("must be at most 2000 characters"));
    }
    if allow_private {
        return Ok(());
    }
    let host = authority.host().trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(if scheme == "https" { 443 } else { 80 });
    let addrs: Vec<_> = (host, port).to_socket_addrs().map_err(|_| bad("does not resolve"))?.collect();
    if addrs.is_empty() || addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(bad("resolves to a loopback, private, link-local or unspecified address"));
    }
    Ok(())
}

fn new_secret() -> String {
    use base64::Engine;
    let raw = secrets::random_token("", 24);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw).unwrap_or_default();
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn owned(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<WebhookRow, AppError> {
    rows::find(conn, id)?
        .filter(|w| w.organisation_id == caller.organisation_id)
        .ok_or_else(|| AppError::not_found("webhook"))
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    input: &NewWebhook,
    allow_private: bool,
) -> Result<Webhook, AppError> {
    caller.require(Scope::SyncRead)?;
    let mut errors = Vec::new();
    if let Err(e) = check_target(&input.url, allow_private) {
        errors.push(e);
    }
    let events = check_events(&input.events).map_err(|e| errors.push(e)).unwrap_or_default();
    if let Some(s) = &input.secret {
        if secret_key(s).is_none() {
            errors.push(FieldError::new("secret", "must be `whsec_` followed by at least 16 base64-encoded bytes"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let now = clock::to_db(clock::now());
    write_transaction(conn, |conn| {
        // Deliveries start with the changes made from now on.
        let Position { txid, seq } = changes::head(conn)?;
        let row = WebhookRow {
            id: ids::new_id().to_string(),
            organisation_id: caller.organisation_id.clone(),
            reviewer: caller.has(Scope::Review),
            created_by: caller.client_id.clone(),
            url: input.url.clone(),
            events: serde_json::to_string(&events).unwrap_or_else(|_| "[]".into()),
            secret: input.secret.clone().unwrap_or_else(new_secret),
            previous_secret: None,
            previous_secret_until: None,
            active: true,
            disabled_reason: None,
            failure_streak: 0,
            cursor_txid: txid,
            cursor_seq: seq,
            lease_owner: None,
            lease_until: None,
            created_at: now.clone(),
            updated_at: now.clone(),
        };
        rows::insert(conn, &row)?;
        Ok(Webhook::from_row(&row, true))
    })
}

pub fn list(conn: &mut DbConn, caller: &Caller) -> Result<Vec<Webhook>, AppError> {
    caller.require(Scope::SyncRead)?;
    Ok(rows::list(conn, &caller.organisation_id)?.iter().map(|r| Webhook::from_row(r, false)).collect())
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<Webhook, AppError> {
    caller.require(Scope::SyncRead)?;
    Ok(Webhook::from_row(&owned(conn, caller, id)?, false))
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    patch: &WebhookPatch,
    allow_private: bool,
) -> Result<Webhook, AppError> {
    caller.require(Scope::SyncRead)?;
    let mut errors = Vec::new();
    if let Some(url) = &patch.url {
        if let Err(e) = check_target(url, allow_private) {
            errors.push(e);
        }
    }
    let events = match &patch.events {
        Some(list) => check_events(list).map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    write_transaction(conn, |conn| {
        let row = owned(conn, caller, id)?;
        let now = clock::now();
        let (secret, previous, until) = if patch.rotate_secret {
            let until = clock::to_db(now + time::Duration::hours(ROTATION_OVERLAP_HOURS));
            (new_secret(), Some(row.secret.clone()), Some(until))
        } else {
            (row.secret.clone(), row.previous_secret.clone(), row.previous_secret_until.clone())
        };
        let active = patch.active.unwrap_or(row.active);
        let events_json =
            events.as_ref().map(|e| serde_json::to_string(e).unwrap_or_default()).unwrap_or(row.events.clone());
        let reenabled = active && !row.active;
        rows::update(
            conn,
            id,
            &WebhookChanges {
                url: patch.url.as_deref().unwrap_or(&row.url),
                events: &events_json,
                active,
                disabled_reason: if active { None } else { row.disabled_reason.as_deref() },
                secret: &secret,
                previous_secret: previous.as_deref(),
                previous_secret_until: until.as_deref(),
                failure_streak: if reenabled { 0 } else { row.failure_streak },
                updated_at: &clock::to_db(now),
            },
        )?;
        let updated = rows::find(conn, id)?.ok_or_else(|| AppError::not_found("webhook"))?;
        Ok(Webhook::from_row(&updated, patch.rotate_secret))
    })
}

pub fn delete(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<(), AppError> {
    caller.require(Scope::SyncRead)?;
    write_transaction(conn, |conn| {
        owned(conn, caller, id)?;
        Ok(rows::delete(conn, id)?)
    })
}

pub fn deliveries(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Delivery>, AppError> {
    caller.require(Scope::SyncRead)?;
    owned(conn, caller, id)?;
    let before = match cursor {
        Some(c) => Some(
            Cursor::decode(c, 1)?.0[0]
                .parse::<i64>()
                .map_err(|_| AppError::BadRequest("the cursor is not valid".into()))?,
        ),
        None => None,
    };
    let fetched = rows::deliveries(conn, id, before, limit + 1)?;
    Ok(Page::from_rows(fetched, limit, |r| Cursor(vec![r.position.to_string()]), Delivery::from))
}

/// Queues a delivery again, now, keeping its id (receivers deduplicate on `webhook-id`).
pub fn redeliver(conn: &mut DbConn, caller: &Caller, id: &str, delivery_id: &str) -> Result<Delivery, AppError> {
    caller.require(Scope::SyncRead)?;
    write_transaction(conn, |conn| {
        owned(conn, caller, id)?;
        let delivery = rows::find_delivery(conn, id, delivery_id)?.ok_or_else(|| AppError::not_found("delivery"))?;
        let now = clock::to_db(clock::now());
        rows::record_attempt(
            conn,
            delivery_id,
            &rows::Attempt {
                status: "pending",
                attempts: delivery.attempts,
                last_status_code: delivery.last_status_code,
                last_error: delivery.last_error.as_deref(),
                next_attempt_at: &now,
                delivered_at: None,
            },
        )?;
        Ok(Delivery::from(rows::find_delivery(conn, id, delivery_id)?.ok_or_else(|| AppError::not_found("delivery"))?))
    })
}

/// The body of a delivery: `{"type", "timestamp", "data"}`.
pub fn payload(event: &str, at: &str, data: Value) -> String {
    serde_json::json!({"type": event, "timestamp": at, "data": data}).to_string()
}

//! Live updates: `contributionChanged`, fed by the change feed (so it works across nodes),
//! with the subscriber's visibility applied to every event.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use async_graphql::{Context, Enum, InputObject, Result, SimpleObject, Subscription, ID};
use futures_util::stream::{self, Stream};

use crate::auth::{Caller, Scope};
use crate::db::changes::Position;
use crate::db::clients;
use crate::domain::contribution::{ContributionKind, Status, Viewer};
use crate::error::AppError;
use crate::service::changes::{self, Change};
use crate::service::contributions::{viewer, Contribution};
use crate::state::AppState;

/// How often a subscription looks for new changes.
const POLL: Duration = Duration::from_millis(200);
/// How often it checks that the subscriber's client is still active.
const RECHECK: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ChangeOp {
    Upsert,
    Delete,
}

/// One change, as the subscriber may see it.
#[derive(Debug, Clone, SimpleObject)]
pub struct ContributionChange {
    pub cursor: String,
    pub op: ChangeOp,
    /// e.g. `contribution.published`.
    pub event: String,
    pub id: ID,
    pub at: String,
    /// The contribution after the change; null on delete.
    pub contribution: Option<Contribution>,
}

impl From<Change> for ContributionChange {
    fn from(c: Change) -> Self {
        ContributionChange {
            cursor: c.cursor,
            op: if c.op == "delete" { ChangeOp::Delete } else { ChangeOp::Upsert },
            event: c.event,
            id: ID(c.id),
            at: c.at,
            contribution: c.data,
        }
    }
}

/// Which changes to receive; every field is optional.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ChangeFilter {
    pub consultation: Option<String>,
    pub kind: Option<ContributionKind>,
    pub status: Option<Status>,
    pub organisation: Option<ID>,
    /// Event types, e.g. `["contribution.published"]`.
    pub events: Option<Vec<String>>,
}

impl ChangeFilter {
    fn accepts(&self, change: &Change) -> bool {
        if let Some(events) = &self.events {
            if !events.iter().any(|e| e == &change.event) {
                return false;
            }
        }
        let Some(c) = &change.data else {
            // A delete carries no data: it passes unless the filter needs data to decide.
            return self.consultation.is_none()
                && self.kind.is_none()
                && self.status.is_none()
                && self.organisation.is_none();
        };
        self.consultation.as_ref().is_none_or(|v| v == &c.consultation)
            && self.kind.is_none_or(|v| v == c.kind)
            && self.status.is_none_or(|v| v == c.status)
            && self.organisation.as_ref().is_none_or(|v| v.as_str() == c.organisation)
    }
}

struct Follower {
    state: AppState,
    client_id: String,
    viewer: Viewer,
    filter: ChangeFilter,
    position: Position,
    pending: VecDeque<Change>,
    checked_at: Instant,
}

impl Follower {
    /// The next change, waiting for one; `None` ends the stream (client revoked).
    async fn next(&mut self) -> Option<Change> {
        loop {
            if let Some(change) = self.pending.pop_front() {
                return Some(change);
            }
            actix_web::rt::time::sleep(POLL).await;
            let recheck = self.checked_at.elapsed() >= RECHECK;
            let (viewer, position, client) = (self.viewer.clone(), self.position, self.client_id.clone());
            let read = self
                .state
                .db
                .run(move |conn| {
                    if recheck && !clients::is_active(conn, &client)? {
                        return Ok(None);
                    }
                    Ok(Some(changes::read_visible(conn, &viewer, position, 100)?))
                })
                .await;
            match read {
                Ok(None) => return None,
                Ok(Some(found)) => {
                    if recheck {
                        self.checked_at = Instant::now();
                    }
                    self.position = found.position;
                    self.pending.extend(found.changes.into_iter().filter(|c| self.filter.accepts(c)));
                }
                Err(e) => tracing::warn!(error = %e, "subscription poll failed; retrying"),
            }
        }
    }
}

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// Every change to a contribution the subscriber may see, from now on.
    async fn contribution_changed(
        &self,
        ctx: &Context<'_>,
        filter: Option<ChangeFilter>,
    ) -> Result<impl Stream<Item = ContributionChange>> {
        let state = ctx.data::<AppState>()?.clone();
        let caller = ctx.data::<Caller>()?.clone();
        caller.require(Scope::ContributionsRead)?;
        let start = state.db.run(changes::head).await?;
        let follower = Follower {
            state,
            client_id: caller.client_id.clone(),
            viewer: viewer(&caller),
            filter: filter.unwrap_or_default(),
            position: start,
            pending: VecDeque::new(),
            checked_at: Instant::now(),
        };
        Ok(stream::unfold(follower, |mut f| async move { f.next().await.map(|c| (ContributionChange::from(c), f)) }))
    }
}

/// The caller of a WebSocket connection, from its `connection_init` payload
/// (`{"Authorization": "Bearer …"}`).
pub async fn authenticate_init(state: &AppState, payload: &serde_json::Value) -> std::result::Result<Caller, AppError> {
    let header =
        payload.get("Authorization").or_else(|| payload.get("authorization")).and_then(|v| v.as_str()).ok_or_else(
            || AppError::Unauthenticated("send {\"Authorization\": \"Bearer <token>\"} in connection_init".into()),
        )?;
    let token = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .ok_or_else(|| AppError::Unauthenticated("the Authorization value must use the Bearer scheme".into()))?;
    crate::auth::authenticate::authenticate(&state.tokens, &state.db, token).await
}

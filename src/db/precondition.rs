//! A check that a request's database work must pass first, run on the request's first
//! database hop and on the same connection, instead of a round trip of its own.
//!
//! The authentication middleware uses it for the caller's standing (is the client still
//! active?): every request still checks it against the database, so a revocation counts
//! from the next request on every node, but a read by id costs one hop, not two. Work that
//! runs outside the request's task (spawned DataLoader batches) does not see it; the
//! middleware runs the check itself after the handler when no hop ran it, before any
//! answer leaves.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use diesel::QueryResult;

use super::DbConn;
use crate::error::AppError;

tokio::task_local! {
    static CURRENT: Arc<Precondition>;
}

type Check = dyn Fn(&mut DbConn) -> QueryResult<bool> + Send + Sync;
type Refusal = dyn Fn() -> AppError + Send + Sync;

pub struct Precondition {
    check: Box<Check>,
    refusal: Box<Refusal>,
    held: OnceLock<bool>,
}

impl Precondition {
    /// `check` answers whether the precondition holds; `refusal` is the error when it does not.
    pub fn new(
        check: impl Fn(&mut DbConn) -> QueryResult<bool> + Send + Sync + 'static,
        refusal: impl Fn() -> AppError + Send + Sync + 'static,
    ) -> Arc<Precondition> {
        Arc::new(Precondition { check: Box::new(check), refusal: Box::new(refusal), held: OnceLock::new() })
    }

    /// Whether it held, once some hop has checked it.
    pub fn outcome(&self) -> Option<bool> {
        self.held.get().copied()
    }

    /// Checks it on `conn` unless that was done already; the refusal when it does not hold.
    pub fn enforce(&self, conn: &mut DbConn) -> Result<(), AppError> {
        let held = match self.held.get() {
            Some(held) => *held,
            None => {
                let held = (self.check)(conn)?;
                *self.held.get_or_init(|| held)
            }
        };
        if held {
            Ok(())
        } else {
            Err(self.refusal())
        }
    }

    /// The refusal error.
    pub fn refusal(&self) -> AppError {
        (self.refusal)()
    }
}

/// Runs `work` (a request's handler) with `precondition` as the request's precondition.
pub async fn scope<F: Future>(precondition: Arc<Precondition>, work: F) -> F::Output {
    CURRENT.scope(precondition, work).await
}

/// The precondition of the current request, while it has not been checked yet.
pub(super) fn pending() -> Option<Arc<Precondition>> {
    CURRENT.try_with(Arc::clone).ok().filter(|p| p.outcome().is_none())
}

//! What every request handler and resolver can reach: built once at start-up.

use std::sync::Arc;

use crate::auth::standing::Standings;
use crate::auth::tokens::Tokens;
use crate::config::Config;
use crate::db::Db;
use crate::http::rate_limit::RateLimiter;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub tokens: Arc<Tokens>,
    /// Clients recently found active (the revocation check's short memory).
    pub standings: Arc<Standings>,
    pub rate_limiter: Arc<RateLimiter>,
}

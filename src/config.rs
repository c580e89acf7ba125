//! Configuration from `HUB_*` environment variables (or the matching flags), built once in
//! `main` and passed down.

use clap::Args;

use crate::db::DatabaseUrl;

/// Where the service keeps its data when nothing is set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/consultation-hub.db";

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database URL: sqlite://relative.db, sqlite:///absolute.db or postgres://… (falls back to DATABASE_URL).
    #[arg(long, env = "HUB_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Address and port to listen on.
    #[arg(long, env = "HUB_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,
    /// The `iss` claim of access tokens.
    #[arg(long, env = "HUB_ISSUER", default_value = "urn:consultation-hub", global = true)]
    pub issuer: String,
    /// The `aud` claim of access tokens.
    #[arg(long, env = "HUB_AUDIENCE", default_value = "consultation-hub", global = true)]
    pub audience: String,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, env = "HUB_TOKEN_TTL", default_value_t = 3600, global = true)]
    pub token_ttl: u64,
    /// Requests per minute per client.
    #[arg(long, env = "HUB_RATE_LIMIT", default_value_t = 1200, global = true)]
    pub rate_limit: u32,
    /// Allow webhook targets on loopback, private and link-local addresses.
    #[arg(long, env = "HUB_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, global = true)]
    pub webhook_allow_private: bool,
    /// First webhook retry delay in milliseconds; later ones grow exponentially.
    #[arg(long, env = "HUB_WEBHOOK_RETRY_BASE_MS", default_value_t = 5000, global = true)]
    pub webhook_retry_base_ms: u64,
    /// Timeout of one webhook delivery attempt, in milliseconds.
    #[arg(long, env = "HUB_WEBHOOK_TIMEOUT_MS", default_value_t = 10_000, global = true)]
    pub webhook_timeout_ms: u64,
    /// Largest number of pooled database connections.
    #[arg(long, env = "HUB_DB_POOL_SIZE", default_value_t = 10, global = true)]
    pub db_pool_size: u32,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "HUB_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// Log filter, in tracing's EnvFilter syntax.
    #[arg(long, env = "HUB_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log format: `text` or `json`.
    #[arg(long, env = "HUB_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: String,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub bind: String,
    pub issuer: String,
    pub audience: String,
    pub token_ttl: u64,
    pub rate_limit: u32,
    pub webhook_allow_private: bool,
    pub webhook_retry_base_ms: u64,
    pub webhook_timeout_ms: u64,
    pub db_pool_size: u32,
    pub workers: Option<usize>,
}

impl Config {
    /// Validates the settings; `DATABASE_URL` is read when `HUB_DATABASE_URL` is absent.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Config> {
        let raw = settings
            .database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let database_url = DatabaseUrl::parse(&raw).map_err(|e| anyhow::anyhow!("HUB_DATABASE_URL: {e}"))?;
        anyhow::ensure!(settings.token_ttl >= 60, "HUB_TOKEN_TTL must be at least 60 seconds");
        anyhow::ensure!(settings.rate_limit >= 1, "HUB_RATE_LIMIT must be at least 1");
        anyhow::ensure!(settings.db_pool_size >= 1, "HUB_DB_POOL_SIZE must be at least 1");
        Ok(Config {
            database_url,
            bind: settings.bind.clone(),
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            token_ttl: settings.token_ttl,
            rate_limit: settings.rate_limit,
            webhook_allow_private: settings.webhook_allow_private,
            webhook_retry_base_ms: settings.webhook_retry_base_ms,
            webhook_timeout_ms: settings.webhook_timeout_ms.max(100),
            db_pool_size: settings.db_pool_size,
            workers: settings.workers,
        })
    }

    /// Defaults for a given database, as the tests and tools use it.
    pub fn for_database(database_url: DatabaseUrl) -> Config {
        Config {
            database_url,
            bind: "127.0.0.1:0".into(),
            issuer: "urn:consultation-hub".into(),
            audience: "consultation-hub".into(),
            token_ttl: 3600,
            rate_limit: 1200,
            webhook_allow_private: false,
            webhook_retry_base_ms: 5000,
            webhook_timeout_ms: 10_000,
            db_pool_size: 4,
            workers: None,
        }
    }
}

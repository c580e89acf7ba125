//! Start-up: connect, migrate and seed the database, build the app, serve.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};

use crate::auth::keys::KeyStore;
use crate::auth::tokens::Tokens;
use crate::config::Config;
use crate::db::{migrate, seed, Db};
use crate::graphql;
use crate::http;
use crate::http::rate_limit::RateLimiter;
use crate::metrics::Metrics;
use crate::state::AppState;

/// Connects to the database and brings it up to date: migrations, then the seed.
/// Every subcommand that touches the database goes through here first.
pub fn prepare_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url, config.db_pool_size)?;
    let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
    migrate::with_startup_lock(&mut conn, |conn| {
        let applied = migrate::run_migrations(conn)?;
        let seeded = seed::run(conn)?;
        let new_key = crate::auth::keys::ensure_signing_key(conn)?;
        let backfilled =
            crate::service::contributions::backfill_rank_terms(conn).map_err(|e| anyhow::anyhow!("{e}"))?;
        if backfilled > 0 {
            tracing::info!(rows = backfilled, "ranking words filled for older contributions");
        }
        tracing::info!(
            migrations_applied = applied,
            consultations_seeded = seeded.consultations,
            taxonomy_terms_seeded = seeded.taxonomy_terms,
            organisations_seeded = seeded.organisations,
            signing_key_created = new_key,
            database = %config.database_url.redacted(),
            "database ready"
        );
        Ok(())
    })?;
    Ok(db)
}

/// The state shared by every worker.
pub fn build_state(db: Db, config: Config) -> AppState {
    let tokens =
        Tokens::new(KeyStore::new(db.clone()), config.issuer.clone(), config.audience.clone(), config.token_ttl);
    AppState {
        rate_limiter: Arc::new(RateLimiter::new(config.rate_limit)),
        tokens: Arc::new(tokens),
        standings: Arc::default(),
        db,
        config: Arc::new(config),
        metrics: Arc::new(Metrics::new()),
    }
}

/// The whole application: middleware, REST, GraphQL and docs. Tests serve this same value.
pub fn build_app(
    state: AppState,
    schema: graphql::HubSchema,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(schema))
        .wrap(Compress::default())
        .wrap(from_fn(http::middleware::request_context))
        .configure(http::configure)
        .configure(graphql::handlers::configure)
        .configure(http::docs::configure)
        .configure(http::dashboard::configure)
        .default_service(web::to(http::unknown_route))
}

/// How long an idle keep-alive connection stays open.
pub const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(75);

/// Starts this node's webhook dispatcher; it stops when the returned value is dropped.
pub fn start_dispatcher(state: &AppState) -> crate::sync::dispatcher::Dispatcher {
    let c = &state.config;
    crate::sync::dispatcher::start(
        state.db.clone(),
        crate::sync::dispatcher::Settings {
            retry_base: std::time::Duration::from_millis(c.webhook_retry_base_ms.max(1)),
            timeout: std::time::Duration::from_millis(c.webhook_timeout_ms),
            allow_private: c.webhook_allow_private,
        },
    )
}

/// Serves until SIGTERM or Ctrl-C, then drains in-flight requests.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let bind = config.bind.clone();
    let workers = config.workers;
    let blocking_threads = usize::try_from(config.db_pool_size).unwrap_or(10) + 2;
    let db = {
        let config = config.clone();
        actix_web::rt::task::spawn_blocking(move || prepare_database(&config)).await??
    };
    let state = build_state(db, config);
    let schema = graphql::build_schema(state.clone());
    let dispatcher = start_dispatcher(&state);
    let mut server = HttpServer::new(move || build_app(state.clone(), schema.clone()))
        .shutdown_timeout(30)
        // Longer than clients' idle pools keep connections, so a reused one is never half-closed.
        .keep_alive(KEEP_ALIVE)
        .client_request_timeout(std::time::Duration::from_secs(30))
        // Blocking work is database work: more threads than pooled connections only wait,
        // and each idle thread keeps memory (its stack and allocator arena).
        .worker_max_blocking_threads(blocking_threads)
        .bind(&bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    for addr in server.addrs() {
        tracing::info!(%addr, "listening");
    }
    server.run().await?;
    drop(dispatcher);
    tracing::info!("stopped");
    Ok(())
}

//! Connections to SQLite or Postgres behind one enum, pooled with r2d2.
//!
//! The backend is chosen from the URL scheme and a failure to connect is reported as is:
//! diesel's derived `establish` falls back from Postgres to SQLite silently, so it is not used.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use tokio::sync::Semaphore;

use crate::error::AppError;

/// How long work waits for a database connection before it is answered 503.
const POOL_WAIT: Duration = Duration::from_secs(5);
/// A connection whose last use succeeded this recently is handed out without a test query:
/// testing every checkout cost a round trip per request. One idle longer, or whose last use
/// failed, is tested first and replaced when the test fails.
const ALIVE_BYPASS: Duration = Duration::from_millis(500);

/// One connection of either backend; queries written against it run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Pg(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A validated database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (relative paths are relative to the working directory).
    Sqlite(PathBuf),
    /// A libpq connection URL, kept whole.
    Postgres(String),
}

impl DatabaseUrl {
    /// Accepts `sqlite://relative.db`, `sqlite:///absolute.db` and `postgres://` / `postgresql://`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if let Some(rest) = raw.strip_prefix("sqlite://") {
            if rest.is_empty() {
                return Err("a sqlite:// URL needs a file path".into());
            }
            if rest == ":memory:" || rest.starts_with("file::memory:") {
                return Err(
                    "in-memory SQLite is not supported: each pooled connection would get its own database".into()
                );
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(rest)));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(raw.to_owned()));
        }
        Err("the database URL must start with sqlite:// or postgres://".into())
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL with any password masked, for logs.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    let userinfo = &url[scheme_end + 3..at];
                    let user = userinfo.split(':').next().unwrap_or_default();
                    format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
                }
                _ => url.clone(),
            },
        }
    }
}

/// A pooled connection and when it last proved alive.
pub struct PoolConn {
    conn: DbConn,
    alive_at: Option<Instant>,
}

impl PoolConn {
    /// Records how the last piece of work on this connection ended: after a failure the
    /// next checkout tests it, whatever the time.
    fn settle(&mut self, ok: bool) {
        self.alive_at = ok.then(Instant::now);
    }

    fn proved_alive(&self) -> bool {
        self.alive_at.is_some_and(|at| at.elapsed() < ALIVE_BYPASS)
    }
}

impl Deref for PoolConn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl DerefMut for PoolConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// A connection checked out of the pool; it goes back when dropped.
pub struct Conn(PooledConnection<ConnectionManager>);

impl Deref for Conn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.0.conn
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.0.conn
    }
}

/// Opens connections for r2d2 and prepares each one (SQLite pragmas).
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ManageConnection for ConnectionManager {
    type Connection = PoolConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PoolConn, r2d2::Error> {
        let conn = match &self.url {
            DatabaseUrl::Postgres(url) => {
                PgConnection::establish(url).map(DbConn::Pg).map_err(r2d2::Error::ConnectionError)?
            }
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = SqliteConnection::establish(&path).map_err(r2d2::Error::ConnectionError)?;
                // busy_timeout must come first: switching to WAL takes a lock other connections may hold.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
                DbConn::Sqlite(conn)
            }
        };
        Ok(PoolConn { conn, alive_at: Some(Instant::now()) })
    }

    fn is_valid(&self, conn: &mut PoolConn) -> Result<(), r2d2::Error> {
        if conn.proved_alive() {
            return Ok(());
        }
        conn.conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)?;
        conn.settle(true);
        Ok(())
    }

    /// A connection left inside a transaction (a panic mid-work) is not reused.
    fn has_broken(&self, conn: &mut PoolConn) -> bool {
        use diesel::r2d2::R2D2Connection;
        std::thread::panicking() || conn.conn.is_broken()
    }
}

pub type DbPool = Pool<ConnectionManager>;

/// How a piece of database work is admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// A pooled connection, in arrival order.
    Ordinary,
    /// A full-text search: it keeps the database's CPU busy for long, and each one running
    /// holds the search index's buffers. At most one per core runs at a time, and never on
    /// every pooled connection (it then takes one like the rest), so a burst of searches
    /// neither starves other work nor multiplies memory; more at once made SQLite slower.
    Search,
}

impl Admission {
    /// Search when the filter has words to look for.
    pub fn of(filter: &crate::domain::contribution::Filter) -> Admission {
        if filter.q.as_ref().is_some_and(|q| !q.is_empty()) {
            Admission::Search
        } else {
            Admission::Ordinary
        }
    }
}

/// The pool plus the way to run blocking work off the async executor.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
    /// Permits of [`Admission::Search`] work, taken before a pool permit.
    search_permits: Arc<Semaphore>,
    /// One permit per pooled connection. Work waits for a permit, in arrival order, before it
    /// takes a blocking thread: blocking threads then never queue on the pool's lock, where
    /// wake-ups are unordered and a few requests would wait far longer than the rest.
    permits: Arc<Semaphore>,
}

impl Db {
    /// Builds the pool without waiting for connections, so start-up fails fast and clearly.
    pub fn connect(url: &DatabaseUrl, max_size: u32) -> anyhow::Result<Self> {
        if let DatabaseUrl::Sqlite(path) = url {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("cannot create the directory {}: {e}", dir.display()))?;
            }
        }
        let manager = ConnectionManager { url: url.clone() };
        let pool =
            Pool::builder().max_size(max_size).min_idle(Some(1)).connection_timeout(POOL_WAIT).build_unchecked(manager);
        // Fail now, with the driver's own message, if the database cannot be reached.
        pool.get().map_err(|e| anyhow::anyhow!("cannot connect to {}: {e}", url.redacted()))?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Db {
            pool,
            backend: url.backend(),
            // Never the whole pool: ordinary work (and the revocation check) keeps a connection.
            search_permits: Arc::new(Semaphore::new(cores.min(max_size as usize - 1).max(1))),
            permits: Arc::new(Semaphore::new(max_size as usize)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for blocking callers (CLI, start-up, background workers).
    pub fn get(&self) -> Result<Conn, AppError> {
        // Its user reports no outcome: the next checkout tests it.
        let mut conn = self.pool.get().map_err(|e| AppError::Unavailable(anyhow::anyhow!(e)))?;
        conn.settle(false);
        Ok(Conn(conn))
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, after the request's
    /// [`Precondition`](super::precondition::Precondition) when one is pending.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.run_admitted(Admission::Ordinary, f).await
    }

    /// [`run`](Self::run), admitted as `admission` says. The wait for permits, of both kinds
    /// together, is bounded by the same 5 s.
    pub async fn run_admitted<T, F>(&self, admission: Admission, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let precondition = super::precondition::pending();
        let permits = async {
            let search = match admission {
                Admission::Search => Some(Arc::clone(&self.search_permits).acquire_owned().await?),
                Admission::Ordinary => None,
            };
            Ok::<_, tokio::sync::AcquireError>((search, Arc::clone(&self.permits).acquire_owned().await?))
        };
        let permits = tokio::time::timeout(POOL_WAIT, permits)
            .await
            .map_err(|_| AppError::Unavailable(anyhow::anyhow!("no database connection became free in {POOL_WAIT:?}")))?
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        actix_web::rt::task::spawn_blocking(move || {
            let _permits = permits;
            let mut conn = pool.get().map_err(|e| AppError::Unavailable(anyhow::anyhow!(e)))?;
            // Unproven until the work ends well: a panic in `f` leaves it to be tested.
            conn.settle(false);
            let result = match precondition {
                Some(precondition) => precondition.enforce(&mut conn).and_then(|()| f(&mut conn)),
                None => f(&mut conn),
            };
            // Client errors (404, 422, …) say nothing about the connection; the rest may.
            conn.settle(!matches!(result, Err(AppError::Internal(_) | AppError::Unavailable(_))));
            result
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("database task failed: {e}")))?
    }
}

/// Runs `f` in a write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, taking the
/// write lock up front, so concurrent writers queue (busy timeout) instead of failing when
/// a read snapshot goes stale; on Postgres it is an ordinary transaction. Nested
/// transactions inside `f` become savepoints.
pub fn write_transaction<T, E>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if let DbConn::Pg(_) = conn {
        return conn.transaction(f);
    }
    if let DbConn::Sqlite(inner) = conn {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    if let DbConn::Sqlite(inner) = conn {
        match &result {
            Ok(_) => {
                if let Err(e) = AnsiTransactionManager::commit_transaction(inner) {
                    let _ = AnsiTransactionManager::rollback_transaction(inner);
                    return Err(e.into());
                }
            }
            Err(_) => AnsiTransactionManager::rollback_transaction(inner)?,
        }
    }
    result
}

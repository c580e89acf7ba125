//! Embedded migrations, one folder per backend with identical names.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConn;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the Postgres advisory lock that serialises start-up work between nodes.
const STARTUP_LOCK: i64 = 0x6875_6221;

/// Runs `f` while no other node runs start-up work on the same Postgres database.
///
/// SQLite needs no lock here: the database belongs to one server process, and the admin
/// commands that share it find nothing pending.
pub fn with_startup_lock<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> anyhow::Result<T>) -> anyhow::Result<T> {
    match conn {
        DbConn::Pg(_) => {
            conn.batch_execute(&format!("SELECT pg_advisory_lock({STARTUP_LOCK})"))?;
            let out = f(conn);
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({STARTUP_LOCK})"))?;
            out
        }
        DbConn::Sqlite(_) => f(conn),
    }
}

/// Applies every pending migration of the connection's backend.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(applied.len())
}

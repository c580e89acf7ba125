//! Storage: the one place where SQL lives. Functions take `&mut DbConn` and return
//! `QueryResult`, so callers compose them inside transactions.

pub mod changes;
pub mod clients;
pub mod connection;
pub mod contributions;
pub mod migrate;
pub mod organisations;
pub mod precondition;
pub mod relevance;
pub mod schema;
pub mod seed;
pub mod structure;
pub mod synthesis;
pub mod taxonomies;
pub mod webhooks;

pub use connection::{write_transaction, Admission, Backend, Conn, DatabaseUrl, Db, DbConn, DbPool};

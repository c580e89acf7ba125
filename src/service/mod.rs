//! Use-cases that both doors (REST and GraphQL) call, so a rule is written once.
//! Functions here are synchronous and take a connection; the doors run them through
//! [`crate::db::Db::run`], off the async executor.

pub mod bench_seed;
pub mod changes;
pub mod clients;
pub mod contribution_input;
pub mod contributions;
pub mod oauth;
pub mod organisations;
pub mod page;
pub mod report;
pub mod structure;
pub mod synthesis;
pub mod taxonomies;
pub mod webhooks;

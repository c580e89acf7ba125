//! consultation-hub: the partner-integration API of an inter-state consultation on migration.
//! See ARCHITECTURE.md for the layers and where each rule lives.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod service;
pub mod startup;
pub mod state;
pub mod sync;

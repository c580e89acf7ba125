//! Outbound sync: the webhook dispatcher and the HTTP client it sends with.

pub mod client;
pub mod dispatcher;

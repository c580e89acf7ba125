//! Domain types and rules, free of HTTP, GraphQL and SQL.

pub mod clock;
pub mod contribution;
pub mod ids;
pub mod kinds;
pub mod language;
pub mod search;
pub mod synthesis;
pub mod webhook;

pub use kinds::{OrgKind, Region, SegmentKind};
pub use language::Lang;

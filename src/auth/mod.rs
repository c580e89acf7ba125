//! Who is calling and what they may do. Handlers take a [`Caller`] parameter and resolvers
//! read one from the context, so no route can forget to check.

pub mod caller;
pub mod scope;

pub use caller::Caller;
pub use scope::Scope;

//! Who is calling and what they may do: client secrets, signing keys, access tokens, and
//! the [`Caller`] that handlers take as a parameter and resolvers read from the context,
//! so no route can forget to check.

pub mod authenticate;
pub mod caller;
pub mod guard;
pub mod keys;
pub mod scope;
pub mod secrets;
pub mod standing;
pub mod tokens;
pub mod verified;

pub use caller::{Authentication, Caller};
pub use scope::Scope;

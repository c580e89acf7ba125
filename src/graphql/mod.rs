//! The GraphQL door: the same service functions as REST, in camelCase.

pub mod assets;
pub mod handlers;
pub mod query;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};

use crate::state::AppState;

pub type HubSchema = Schema<query::QueryRoot, EmptyMutation, EmptySubscription>;

/// Query depth, complexity and directive limits: a dashboard's deepest honest query
/// (the whole consultation tree) stays well inside them.
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 2_000;
pub const MAX_RECURSIVE_DEPTH: usize = 32;
pub const MAX_DIRECTIVES: usize = 8;

/// The schema without request data; the server adds the state, the SDL printer needs none.
fn builder() -> async_graphql::SchemaBuilder<query::QueryRoot, EmptyMutation, EmptySubscription> {
    Schema::build(query::QueryRoot, EmptyMutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(MAX_RECURSIVE_DEPTH)
        .limit_directives(MAX_DIRECTIVES)
}

/// The schema the server executes.
pub fn build_schema(state: AppState) -> HubSchema {
    builder().data(state).finish()
}

/// The SDL, exactly as checked in at `schema.graphql`.
pub fn sdl() -> String {
    let mut text = builder().finish().sdl();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

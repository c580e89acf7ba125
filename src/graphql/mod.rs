//! The GraphQL door: the same service functions as REST, in camelCase.

pub mod assets;
pub mod contributions;
pub mod handlers;
pub mod loaders;
pub mod query;
pub mod subscription;
pub mod synthesis;

use async_graphql::{MergedObject, Schema};

use crate::state::AppState;

/// Every query field.
#[derive(MergedObject, Default)]
pub struct Query(query::QueryRoot, contributions::ContributionQuery, synthesis::SynthesisQuery);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(contributions::ContributionMutation, synthesis::SynthesisMutation);

pub type HubSchema = Schema<Query, Mutation, subscription::SubscriptionRoot>;

/// Query depth, complexity and directive limits: a dashboard's deepest honest query
/// (the whole consultation tree) stays well inside them.
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 2_000;
pub const MAX_RECURSIVE_DEPTH: usize = 32;
pub const MAX_DIRECTIVES: usize = 8;

/// The schema without request data; the server adds the state, the SDL printer needs none.
fn builder() -> async_graphql::SchemaBuilder<Query, Mutation, subscription::SubscriptionRoot> {
    Schema::build(Query::default(), Mutation::default(), subscription::SubscriptionRoot)
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

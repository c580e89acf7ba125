//! The GraphQL side of scope checks: one guard, the same rule as the REST extractor.

use async_graphql::{Context, Guard, Result};

use super::{Caller, Scope};

pub struct ScopeGuard(pub Scope);

impl Guard for ScopeGuard {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        Ok(ctx.data::<Caller>()?.require(self.0)?)
    }
}

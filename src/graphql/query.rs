//! Query fields. Each resolver checks the caller's scope and calls one service function.

use async_graphql::{Context, Object, Result};

use crate::auth::guard::ScopeGuard;
use crate::auth::{Caller, Scope};
use crate::domain::Lang;
use crate::http::lang::RequestLang;
use crate::http::me::Me;
use crate::service::organisations::{self, Organisation};
use crate::service::structure::{self, Consultation};
use crate::service::taxonomies::{self, Taxonomy};
use crate::state::AppState;

#[derive(Default)]
pub struct QueryRoot;

fn state<'a>(ctx: &'a Context<'_>) -> Result<&'a AppState> {
    ctx.data::<AppState>()
}

fn language(ctx: &Context<'_>, explicit: Option<Lang>) -> Lang {
    explicit.or_else(|| ctx.data_opt::<RequestLang>().map(|l| l.0)).unwrap_or_default()
}

#[Object]
impl QueryRoot {
    /// Every consultation with its tree.
    #[graphql(guard = "ScopeGuard(Scope::ConsultationRead)")]
    async fn consultations(&self, ctx: &Context<'_>, lang: Option<Lang>) -> Result<Vec<Consultation>> {
        let state = state(ctx)?;
        let lang = language(ctx, lang);
        Ok(state.db.run(move |conn| structure::list_consultation_trees(conn, lang)).await?)
    }

    /// One consultation by slug (e.g. `grcp-7`).
    #[graphql(guard = "ScopeGuard(Scope::ConsultationRead)")]
    async fn consultation(&self, ctx: &Context<'_>, slug: String, lang: Option<Lang>) -> Result<Option<Consultation>> {
        let state = state(ctx)?;
        let lang = language(ctx, lang);
        Ok(Some(state.db.run(move |conn| structure::get_consultation(conn, &slug, lang)).await?))
    }

    /// Every taxonomy with its terms.
    #[graphql(guard = "ScopeGuard(Scope::ConsultationRead)")]
    async fn taxonomies(&self, ctx: &Context<'_>, lang: Option<Lang>) -> Result<Vec<Taxonomy>> {
        let state = state(ctx)?;
        let lang = language(ctx, lang);
        Ok(state.db.run(move |conn| taxonomies::list(conn, lang)).await?)
    }

    /// Organisations by name (at most 200).
    #[graphql(guard = "ScopeGuard(Scope::ConsultationRead)")]
    async fn organisations(&self, ctx: &Context<'_>) -> Result<Vec<Organisation>> {
        let state = state(ctx)?;
        let page = state.db.run(|conn| organisations::list(conn, None, crate::service::page::MAX_LIMIT)).await?;
        Ok(page.data)
    }

    /// One organisation by id.
    #[graphql(guard = "ScopeGuard(Scope::ConsultationRead)")]
    async fn organisation(&self, ctx: &Context<'_>, id: async_graphql::ID) -> Result<Option<Organisation>> {
        let state = state(ctx)?;
        Ok(Some(state.db.run(move |conn| organisations::get(conn, &id)).await?))
    }

    /// The client, organisation and scopes of the access token.
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        Ok(Me::from(ctx.data::<Caller>()?))
    }
}

//! The synthesis in GraphQL: the same service functions as REST.

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::contributions::ContributionFilter;
use crate::auth::Caller;
use crate::domain::contribution::ContributionKind;
use crate::domain::synthesis::StatsDimension;
use crate::error::AppError;
use crate::service::contributions::{self, Contribution};
use crate::service::synthesis::{self, Cluster, NewOutcome, NewProgress, Outcome, ProgressReport};
use crate::state::AppState;

async fn run<T: Send + 'static>(
    ctx: &Context<'_>,
    f: impl FnOnce(&mut crate::db::DbConn, &Caller) -> std::result::Result<T, AppError> + Send + 'static,
) -> Result<T> {
    let state = ctx.data::<AppState>()?;
    let caller = ctx.data::<Caller>()?.clone();
    Ok(state.db.run(move |conn| f(conn, &caller)).await?)
}

/// The value of one grouped dimension in a count.
#[derive(Debug, Clone, SimpleObject)]
pub struct StatsKey {
    pub dimension: StatsDimension,
    /// Null when the contributions have no value for it.
    pub value: Option<String>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct StatsRow {
    pub keys: Vec<StatsKey>,
    pub count: i64,
}

#[derive(Default)]
pub struct SynthesisQuery;

#[Object]
impl SynthesisQuery {
    /// Outcomes of a consultation (drafts only to the secretariat).
    async fn outcomes(&self, ctx: &Context<'_>, consultation: Option<String>) -> Result<Vec<Outcome>> {
        run(ctx, move |conn, caller| synthesis::list_outcomes(conn, caller, consultation.as_deref())).await
    }

    /// Counts of the contributions the caller may see, grouped by up to three dimensions.
    async fn stats(
        &self,
        ctx: &Context<'_>,
        consultation: Option<String>,
        group_by: Vec<StatsDimension>,
        filter: Option<ContributionFilter>,
    ) -> Result<Vec<StatsRow>> {
        let mut params = filter.unwrap_or_default().params();
        if consultation.is_some() {
            params.consultation = consultation;
        }
        let filter = params.to_filter()?;
        let dims = group_by.clone();
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?.clone();
        let rows = state
            .db
            .run_admitted(crate::db::Admission::of(&filter), move |conn| {
                synthesis::stats(conn, &caller, &filter, &dims)
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| StatsRow {
                keys: r
                    .keys
                    .into_iter()
                    .filter_map(|(k, value)| k.parse().ok().map(|dimension| StatsKey { dimension, value }))
                    .collect(),
                count: r.count,
            })
            .collect())
    }

    /// Groups of similar published contributions across groups and regions.
    async fn clusters(&self, ctx: &Context<'_>, consultation: Option<String>) -> Result<Vec<Cluster>> {
        run(ctx, move |conn, caller| synthesis::clusters(conn, caller, consultation.as_deref())).await
    }

    /// The commitments the caller may see, with their latest progress (`progressStatus`).
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        consultation: Option<String>,
        #[graphql(default = 100)] first: i32,
    ) -> Result<Vec<Contribution>> {
        let filter = crate::domain::contribution::Filter {
            consultation,
            kind: Some(ContributionKind::Commitment),
            ..Default::default()
        };
        let first = i64::from(first.clamp(1, 200));
        let page = run(ctx, move |conn, caller| contributions::list(conn, caller, &filter, None, first)).await?;
        Ok(page.data)
    }

    /// A commitment's progress reports, oldest first.
    async fn progress(&self, ctx: &Context<'_>, contribution_id: ID) -> Result<Vec<ProgressReport>> {
        run(ctx, move |conn, caller| synthesis::progress(conn, caller, &contribution_id)).await
    }
}

#[derive(Default)]
pub struct SynthesisMutation;

#[Object]
impl SynthesisMutation {
    /// Records an outcome of the discussions (`review` or `admin`).
    async fn create_outcome(&self, ctx: &Context<'_>, input: NewOutcome) -> Result<Outcome> {
        run(ctx, move |conn, caller| synthesis::create_outcome(conn, caller, &input)).await
    }

    async fn adopt_outcome(&self, ctx: &Context<'_>, id: ID) -> Result<Outcome> {
        run(ctx, move |conn, caller| synthesis::advance_outcome(conn, caller, &id, false)).await
    }

    /// Transmits an adopted outcome to the co-facilitators.
    async fn transmit_outcome(&self, ctx: &Context<'_>, id: ID) -> Result<Outcome> {
        run(ctx, move |conn, caller| synthesis::advance_outcome(conn, caller, &id, true)).await
    }

    /// The owner reports progress on a commitment.
    async fn report_progress(
        &self,
        ctx: &Context<'_>,
        contribution_id: ID,
        input: NewProgress,
    ) -> Result<ProgressReport> {
        run(ctx, move |conn, caller| synthesis::report_progress(conn, caller, &contribution_id, &input)).await
    }
}

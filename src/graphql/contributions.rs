//! Contributions in GraphQL: the same service functions as REST.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Enum, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};
use serde_json::{Map, Value};

use super::loaders::{OrganisationLoader, QuestionLoader, QuestionRef};
use crate::auth::Caller;
use crate::domain::contribution::{ContributionKind, GeographicScope, PracticeCategory, ReviewDecision, Status};
use crate::domain::{OrgKind, Region};
use crate::error::AppError;
use crate::service::contribution_input::Link;
use crate::service::contributions::{self, Action, Contribution, FilterParams};
use crate::service::organisations::Organisation;
use crate::state::AppState;

/// Largest and default `first` of a contributions connection.
pub const MAX_FIRST: i32 = 100;
pub const DEFAULT_FIRST: i32 = 20;

fn context<'a>(ctx: &'a Context<'_>) -> Result<(&'a AppState, &'a Caller)> {
    Ok((ctx.data::<AppState>()?, ctx.data::<Caller>()?))
}

#[ComplexObject]
impl Contribution {
    /// The organisation that owns the contribution.
    #[graphql(name = "organisation")]
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let loader = ctx.data::<DataLoader<OrganisationLoader>>()?;
        Ok(loader.load_one(self.organisation.clone()).await.map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?)
    }

    /// The guiding questions the contribution answers.
    async fn questions(&self, ctx: &Context<'_>) -> Result<Vec<QuestionRef>> {
        let loader = ctx.data::<DataLoader<QuestionLoader>>()?;
        let found = loader
            .load_many(self.question_ids.iter().cloned())
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        Ok(self.question_ids.iter().filter_map(|id| found.get(id).cloned()).collect())
    }
}

/// Narrows a list of contributions; every field is optional.
#[derive(Debug, Default, InputObject)]
pub struct ContributionFilter {
    pub consultation: Option<String>,
    pub kind: Option<ContributionKind>,
    pub status: Option<Status>,
    pub session: Option<i32>,
    pub segment: Option<String>,
    pub group: Option<ID>,
    pub question: Option<ID>,
    pub organisation: Option<ID>,
    pub org_kind: Option<OrgKind>,
    pub region: Option<Region>,
    pub theme: Option<String>,
    /// RFC 3339.
    pub updated_since: Option<String>,
    /// Full-text search with French and English stemming; results by relevance among the
    /// newest 1,000 matches (narrow with the other filters to reach older ones).
    pub q: Option<String>,
}

impl ContributionFilter {
    pub fn params(&self) -> FilterParams {
        FilterParams {
            consultation: self.consultation.clone(),
            kind: self.kind.map(|v| v.as_str().to_owned()),
            status: self.status.map(|v| v.as_str().to_owned()),
            session: self.session,
            segment: self.segment.clone(),
            group: self.group.as_ref().map(|v| v.to_string()),
            question: self.question.as_ref().map(|v| v.to_string()),
            organisation: self.organisation.as_ref().map(|v| v.to_string()),
            org_kind: self.org_kind.map(|v| v.as_str().to_owned()),
            region: self.region.map(|v| v.as_str().to_owned()),
            theme: self.theme.clone(),
            updated_since: self.updated_since.clone(),
            q: self.q.clone(),
            limit: None,
            cursor: None,
        }
    }
}

/// The order of a contributions connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ContributionOrder {
    /// Newest first (the default without `q`).
    Newest,
    /// Best match first (the default with `q`; needs `q`).
    Relevance,
}

/// What a connection adds to its edges.
#[derive(SimpleObject)]
pub struct ContributionConnectionFields {
    /// How many contributions the caller may see pass the filter.
    pub total_count: i64,
}

/// The fields of a new contribution (or of a full replacement by external reference).
#[derive(Debug, InputObject)]
pub struct ContributionInput {
    pub consultation: Option<String>,
    pub session: Option<i32>,
    pub segment: Option<String>,
    pub group: Option<ID>,
    pub question_ids: Option<Vec<ID>>,
    pub kind: ContributionKind,
    pub practice_category: Option<PracticeCategory>,
    pub title: String,
    pub summary: Option<String>,
    pub body: String,
    pub language: Option<String>,
    pub regions: Option<Vec<Region>>,
    pub scope: Option<GeographicScope>,
    pub replicable: Option<bool>,
    pub replicability_notes: Option<String>,
    pub themes: Option<Vec<String>>,
    pub links: Option<Vec<Link>>,
    pub external_ref: Option<String>,
}

/// Changes to a contribution: absent fields stay, `null` clears.
#[derive(Debug, Default, InputObject)]
pub struct ContributionPatch {
    pub consultation: MaybeUndefined<String>,
    pub session: MaybeUndefined<i32>,
    pub segment: MaybeUndefined<String>,
    pub group: MaybeUndefined<ID>,
    pub question_ids: MaybeUndefined<Vec<ID>>,
    pub kind: MaybeUndefined<ContributionKind>,
    pub practice_category: MaybeUndefined<PracticeCategory>,
    pub title: MaybeUndefined<String>,
    pub summary: MaybeUndefined<String>,
    pub body: MaybeUndefined<String>,
    pub language: MaybeUndefined<String>,
    pub regions: MaybeUndefined<Vec<Region>>,
    pub scope: MaybeUndefined<GeographicScope>,
    pub replicable: MaybeUndefined<bool>,
    pub replicability_notes: MaybeUndefined<String>,
    pub themes: MaybeUndefined<Vec<String>>,
    pub links: MaybeUndefined<Vec<Link>>,
    pub external_ref: MaybeUndefined<String>,
}

fn put<T: serde::Serialize>(map: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), serde_json::to_value(v).unwrap_or(Value::Null));
    }
}

fn ids(list: Option<Vec<ID>>) -> Option<Vec<String>> {
    list.map(|l| l.into_iter().map(|i| i.to_string()).collect())
}

impl ContributionInput {
    /// The same JSON object a REST client would send.
    fn into_map(self) -> Map<String, Value> {
        let mut m = Map::new();
        put(&mut m, "consultation", self.consultation);
        put(&mut m, "session", self.session);
        put(&mut m, "segment", self.segment);
        put(&mut m, "group", self.group.map(|g| g.to_string()));
        put(&mut m, "question_ids", ids(self.question_ids));
        put(&mut m, "kind", Some(self.kind));
        put(&mut m, "practice_category", self.practice_category);
        put(&mut m, "title", Some(self.title));
        put(&mut m, "summary", self.summary);
        put(&mut m, "body", Some(self.body));
        put(&mut m, "language", self.language);
        put(&mut m, "regions", self.regions);
        put(&mut m, "scope", self.scope);
        put(&mut m, "replicable", self.replicable);
        put(&mut m, "replicability_notes", self.replicability_notes);
        put(&mut m, "themes", self.themes);
        put(&mut m, "links", self.links);
        put(&mut m, "external_ref", self.external_ref);
        m
    }
}

fn patch<T: serde::Serialize>(map: &mut Map<String, Value>, key: &str, value: MaybeUndefined<T>) {
    match value {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => {
            map.insert(key.to_owned(), Value::Null);
        }
        MaybeUndefined::Value(v) => {
            map.insert(key.to_owned(), serde_json::to_value(v).unwrap_or(Value::Null));
        }
    }
}

impl ContributionPatch {
    /// The same JSON merge patch a REST client would send.
    fn into_map(self) -> Map<String, Value> {
        let mut m = Map::new();
        patch(&mut m, "consultation", self.consultation);
        patch(&mut m, "session", self.session);
        patch(&mut m, "segment", self.segment);
        patch(&mut m, "group", self.group.map_value(|g| g.to_string()));
        patch(&mut m, "question_ids", self.question_ids.map_value(|l| ids(Some(l)).unwrap_or_default()));
        patch(&mut m, "kind", self.kind);
        patch(&mut m, "practice_category", self.practice_category);
        patch(&mut m, "title", self.title);
        patch(&mut m, "summary", self.summary);
        patch(&mut m, "body", self.body);
        patch(&mut m, "language", self.language);
        patch(&mut m, "regions", self.regions);
        patch(&mut m, "scope", self.scope);
        patch(&mut m, "replicable", self.replicable);
        patch(&mut m, "replicability_notes", self.replicability_notes);
        patch(&mut m, "themes", self.themes);
        patch(&mut m, "links", self.links);
        patch(&mut m, "external_ref", self.external_ref);
        m
    }
}

#[derive(Default)]
pub struct ContributionQuery;

#[Object]
impl ContributionQuery {
    /// One contribution the caller may see.
    async fn contribution(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Contribution>> {
        let (state, caller) = context(ctx)?;
        let caller = caller.clone();
        Ok(Some(state.db.run(move |conn| contributions::get(conn, &caller, &id)).await?))
    }

    /// The contributions the caller may see, as a Relay connection.
    async fn contributions(
        &self,
        ctx: &Context<'_>,
        filter: Option<ContributionFilter>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        order_by: Option<ContributionOrder>,
    ) -> Result<Connection<String, Contribution, ContributionConnectionFields, EmptyFields>> {
        let (state, caller) = context(ctx)?;
        if !(1..=MAX_FIRST).contains(&first) {
            return Err(AppError::Validation(vec![crate::error::FieldError::new(
                "first",
                format!("must be between 1 and {MAX_FIRST}"),
            )])
            .into());
        }
        let filter = filter.unwrap_or_default();
        let searching = filter.q.as_deref().is_some_and(|q| !q.trim().is_empty());
        if order_by == Some(ContributionOrder::Relevance) && !searching {
            return Err(
                AppError::Validation(vec![crate::error::FieldError::new("orderBy", "RELEVANCE needs `q`")]).into()
            );
        }
        if order_by == Some(ContributionOrder::Newest) && searching {
            return Err(AppError::Validation(vec![crate::error::FieldError::new(
                "orderBy",
                "with `q` results come by relevance",
            )])
            .into());
        }
        let filter = filter.params().to_filter()?;
        let caller = caller.clone();
        // Counting scans every match: only when the query asks for it.
        let wants_total = ctx.look_ahead().field("totalCount").exists();
        let (page, total) = state
            .db
            .run_admitted(crate::db::Admission::of(&filter), move |conn| {
                let page = contributions::list(conn, &caller, &filter, after.as_deref(), i64::from(first))?;
                let total = if wants_total { contributions::count(conn, &caller, &filter)? } else { 0 };
                Ok((page, total))
            })
            .await?;
        let mut connection = Connection::with_additional_fields(
            false,
            page.next_cursor.is_some(),
            ContributionConnectionFields { total_count: total },
        );
        connection.edges.extend(page.cursors.into_iter().zip(page.data).map(|(cursor, c)| Edge::new(cursor, c)));
        Ok(connection)
    }
}

#[derive(Default)]
pub struct ContributionMutation;

async fn run<T: Send + 'static>(
    ctx: &Context<'_>,
    f: impl FnOnce(&mut crate::db::DbConn, &Caller) -> std::result::Result<T, AppError> + Send + 'static,
) -> Result<T> {
    let (state, caller) = context(ctx)?;
    let caller = caller.clone();
    Ok(state.db.run(move |conn| f(conn, &caller)).await?)
}

#[Object]
impl ContributionMutation {
    /// Creates a contribution (and submits it when `submit` is true).
    async fn create_contribution(
        &self,
        ctx: &Context<'_>,
        input: ContributionInput,
        #[graphql(default = false)] submit: bool,
        idempotency_key: Option<String>,
    ) -> Result<Contribution> {
        let mut body = input.into_map();
        if submit {
            body.insert("submit".into(), Value::Bool(true));
        }
        run(ctx, move |conn, caller| {
            Ok(contributions::create(conn, caller, &body, idempotency_key.as_deref())?.contribution)
        })
        .await
    }

    /// Changes a contribution; with `expectedVersion`, only if it is still at that version.
    async fn update_contribution(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ContributionPatch,
        expected_version: Option<i32>,
    ) -> Result<Contribution> {
        let body = input.into_map();
        run(ctx, move |conn, caller| {
            contributions::update(conn, caller, &id, &body, expected_version).map_err(|e| match e {
                AppError::PreconditionFailed(m) => AppError::Conflict(m),
                other => other,
            })
        })
        .await
    }

    async fn submit_contribution(&self, ctx: &Context<'_>, id: ID) -> Result<Contribution> {
        run(ctx, move |conn, caller| contributions::transition(conn, caller, &id, Action::Submit)).await
    }

    async fn withdraw_contribution(&self, ctx: &Context<'_>, id: ID) -> Result<Contribution> {
        run(ctx, move |conn, caller| contributions::transition(conn, caller, &id, Action::Withdraw)).await
    }

    /// A secretariat decision on a submitted contribution (`review` scope).
    async fn review_contribution(
        &self,
        ctx: &Context<'_>,
        id: ID,
        decision: ReviewDecision,
        note: Option<String>,
    ) -> Result<Contribution> {
        run(ctx, move |conn, caller| contributions::transition(conn, caller, &id, Action::Review { decision, note }))
            .await
    }

    /// Your organisation's endorsement of another's published contribution.
    async fn endorse_contribution(&self, ctx: &Context<'_>, id: ID, note: Option<String>) -> Result<Contribution> {
        run(ctx, move |conn, caller| contributions::endorse(conn, caller, &id, note.as_deref())).await
    }

    async fn remove_endorsement(&self, ctx: &Context<'_>, id: ID) -> Result<Contribution> {
        run(ctx, move |conn, caller| contributions::remove_endorsement(conn, caller, &id)).await
    }

    /// Creates or replaces your organisation's contribution with this external reference.
    async fn upsert_contribution_by_external_ref(
        &self,
        ctx: &Context<'_>,
        external_ref: String,
        input: ContributionInput,
    ) -> Result<Contribution> {
        let body = input.into_map();
        run(ctx, move |conn, caller| Ok(contributions::upsert_by_external_ref(conn, caller, &external_ref, &body)?.1))
            .await
    }
}

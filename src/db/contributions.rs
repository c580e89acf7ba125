//! Contributions, their join tables, revisions, endorsements and idempotency keys.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::connection::MultiBackend;
use super::relevance::Relevance;
use super::schema::*;
use super::DbConn;
use crate::domain::contribution::{Filter, Status, Viewer};
use crate::domain::search::Query;

/// A contribution as stored (without its index words).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
// `None` is inserted as NULL (every nullable column defaults to NULL), not as `DEFAULT`:
// diesel never reuses a prepared statement whose SQL holds `DEFAULT`, so every insert
// was parsed and planned anew.
#[diesel(table_name = contributions, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ContributionRow {
    pub id: String,
    pub consultation: String,
    pub session: Option<i32>,
    pub segment: Option<String>,
    pub group_id: Option<String>,
    pub kind: String,
    pub practice_category: Option<String>,
    pub title: String,
    pub summary: Option<String>,
    pub body: String,
    pub language: String,
    pub scope: Option<String>,
    pub replicable: Option<bool>,
    pub replicability_notes: Option<String>,
    pub external_ref: Option<String>,
    pub status: String,
    pub version: i32,
    pub organisation_id: String,
    pub org_kind: String,
    pub created_by: String,
    pub endorsement_count: i32,
    pub progress_status: Option<String>,
    /// JSON arrays.
    pub question_ids: String,
    pub regions: String,
    pub themes: String,
    pub links: String,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub published_at: Option<String>,
}

/// The filterable lists of a contribution, kept in join tables.
pub struct Facets<'a> {
    pub regions: &'a [String],
    pub themes: &'a [String],
    pub questions: &'a [String],
}

/// Writes the facet rows of a contribution; `fresh` when it has none yet (a new row), so
/// nothing needs deleting first.
fn write_facets(conn: &mut DbConn, id: &str, facets: &Facets<'_>, fresh: bool) -> QueryResult<()> {
    if !fresh {
        diesel::delete(contribution_regions::table.filter(contribution_regions::contribution_id.eq(id)))
            .execute(conn)?;
        diesel::delete(contribution_themes::table.filter(contribution_themes::contribution_id.eq(id))).execute(conn)?;
        diesel::delete(contribution_questions::table.filter(contribution_questions::contribution_id.eq(id)))
            .execute(conn)?;
    }
    // One statement per row: MultiConnection has no multi-row INSERT for SQLite.
    for region in facets.regions {
        diesel::insert_into(contribution_regions::table)
            .values((contribution_regions::contribution_id.eq(id), contribution_regions::region.eq(region)))
            .execute(conn)?;
    }
    for theme in facets.themes {
        diesel::insert_into(contribution_themes::table)
            .values((contribution_themes::contribution_id.eq(id), contribution_themes::term_id.eq(theme)))
            .execute(conn)?;
    }
    for question in facets.questions {
        diesel::insert_into(contribution_questions::table)
            .values((contribution_questions::contribution_id.eq(id), contribution_questions::question_id.eq(question)))
            .execute(conn)?;
    }
    Ok(())
}

/// The index words of a contribution: all of them (matching) and those of its title and
/// summary (ranking).
pub struct SearchText {
    pub terms: String,
    pub rank: String,
}

pub fn insert(conn: &mut DbConn, row: &ContributionRow, text: &SearchText, facets: &Facets<'_>) -> QueryResult<()> {
    diesel::insert_into(contributions::table)
        .values((row, contributions::search_terms.eq(&text.terms), contributions::rank_terms.eq(&text.rank)))
        .execute(conn)?;
    write_facets(conn, &row.id, facets, true)
}

/// Replaces the row if it is still at `expected_version`; false when another write won.
pub fn update(
    conn: &mut DbConn,
    row: &ContributionRow,
    expected_version: i32,
    text: Option<&SearchText>,
    facets: Option<&Facets<'_>>,
) -> QueryResult<bool> {
    let target =
        contributions::table.filter(contributions::id.eq(&row.id)).filter(contributions::version.eq(expected_version));
    let changed = match text {
        Some(t) => diesel::update(target)
            .set((row, contributions::search_terms.eq(&t.terms), contributions::rank_terms.eq(&t.rank)))
            .execute(conn)?,
        None => diesel::update(target).set(row).execute(conn)?,
    };
    if changed == 0 {
        return Ok(false);
    }
    if let Some(facets) = facets {
        write_facets(conn, &row.id, facets, false)?;
    }
    Ok(true)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<ContributionRow>> {
    contributions::table.find(id).select(ContributionRow::as_select()).first(conn).optional()
}

pub fn find_by_external_ref(
    conn: &mut DbConn,
    organisation: &str,
    external_ref: &str,
) -> QueryResult<Option<ContributionRow>> {
    contributions::table
        .filter(contributions::organisation_id.eq(organisation))
        .filter(contributions::external_ref.eq(external_ref))
        .select(ContributionRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_many(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<ContributionRow>> {
    contributions::table.filter(contributions::id.eq_any(ids)).select(ContributionRow::as_select()).load(conn)
}

type Boxed<'a> = contributions::BoxedQuery<'a, MultiBackend>;

/// How SQLite checks full-text matches: as the set of every match (cheap when the words are
/// rare, or when every match is read anyway, as a count does), or row by row (cheap when a
/// scan newest first stops after a few thousand rows, as the search window's does when the
/// words are common). Postgres checks its stored vector row by row either way.
#[derive(Clone, Copy, PartialEq)]
enum Fts {
    Set,
    PerRow,
}

/// From how many text matches on SQLite a search checks matches row by row.
const COMMON_WORDS: i64 = 5000;

/// The rows a viewer may see that pass a filter, unordered.
fn filtered<'a>(conn: &DbConn, filter: &'a Filter, viewer: &'a Viewer) -> Boxed<'a> {
    filtered_with(conn, filter, viewer, Fts::Set)
}

/// [`Fts::PerRow`] on SQLite when the query's words match at least [`COMMON_WORDS`] rows
/// (counted up to there only), else [`Fts::Set`].
fn fts_for(conn: &mut DbConn, query: &Query) -> QueryResult<Fts> {
    if !matches!(conn, DbConn::Sqlite(_)) || query.is_empty() {
        return Ok(Fts::Set);
    }
    let matches: i64 = diesel::select(
        sql::<BigInt>("(SELECT count(*) FROM (SELECT rowid FROM contributions_fts WHERE contributions_fts MATCH ")
            .bind::<Text, _>(query.fts5())
            .sql(" LIMIT ")
            .bind::<BigInt, _>(COMMON_WORDS)
            .sql("))"),
    )
    .get_result(conn)?;
    Ok(if matches >= COMMON_WORDS { Fts::PerRow } else { Fts::Set })
}

fn filtered_with<'a>(conn: &DbConn, filter: &'a Filter, viewer: &'a Viewer, fts: Fts) -> Boxed<'a> {
    use contributions as c;
    let mut query = c::table.into_boxed();
    // Visibility, the one rule of `Viewer::can_see`, in SQL. Everyone sees what is published,
    // so a filter on that status needs no more (and the planner reads the status index).
    query = if filter.status == Some(Status::Published) {
        query
    } else if viewer.reviewer {
        query.filter(
            c::status.eq("published").or(c::organisation_id.eq(&viewer.organisation_id)).or(c::status.ne("draft")),
        )
    } else {
        query.filter(c::status.eq("published").or(c::organisation_id.eq(&viewer.organisation_id)))
    };
    if let Some(v) = &filter.consultation {
        query = query.filter(c::consultation.eq(v));
    }
    if let Some(v) = filter.kind {
        query = query.filter(c::kind.eq(v.as_str()));
    }
    if let Some(v) = filter.status {
        query = query.filter(c::status.eq(v.as_str()));
    }
    if let Some(v) = filter.session {
        query = query.filter(c::session.eq(v));
    }
    if let Some(v) = &filter.segment {
        query = query.filter(c::segment.eq(v));
    }
    if let Some(v) = &filter.group {
        query = query.filter(c::group_id.eq(v));
    }
    if let Some(v) = &filter.organisation {
        query = query.filter(c::organisation_id.eq(v));
    }
    if let Some(v) = filter.org_kind {
        query = query.filter(c::org_kind.eq(v.as_str()));
    }
    if let Some(v) = &filter.updated_since {
        query = query.filter(c::updated_at.ge(v));
    }
    if let Some(v) = filter.region {
        query = query.filter(
            c::id.eq_any(
                contribution_regions::table
                    .filter(contribution_regions::region.eq(v.as_str()))
                    .select(contribution_regions::contribution_id),
            ),
        );
    }
    if let Some(v) = &filter.theme {
        query = query.filter(
            c::id.eq_any(
                contribution_themes::table
                    .filter(contribution_themes::term_id.eq(v))
                    .select(contribution_themes::contribution_id),
            ),
        );
    }
    if let Some(v) = &filter.question {
        query = query.filter(
            c::id.eq_any(
                contribution_questions::table
                    .filter(contribution_questions::question_id.eq(v))
                    .select(contribution_questions::contribution_id),
            ),
        );
    }
    if filter.q.as_ref().is_some_and(Query::is_empty) {
        // A search with no words (only stop words or punctuation) matches nothing.
        query = query.filter(sql::<Bool>("1 = 0"));
    } else if let Some(q) = &filter.q {
        // Both indexes hold the same stemmed words, so both match the same rows.
        query = match conn {
            DbConn::Sqlite(_) if fts == Fts::PerRow => query.filter(
                sql::<Bool>("EXISTS (SELECT 1 FROM contributions_fts WHERE contributions_fts MATCH ")
                    .bind::<Text, _>(q.fts5())
                    .sql(" AND contributions_fts.rowid = contributions.rowid)"),
            ),
            DbConn::Sqlite(_) => query.filter(
                sql::<Bool>(
                    "contributions.rowid IN (SELECT rowid FROM contributions_fts WHERE contributions_fts MATCH ",
                )
                .bind::<Text, _>(q.fts5())
                .sql(")"),
            ),
            DbConn::Pg(_) => query.filter(
                sql::<Bool>("contributions.search_vector @@ to_tsquery('simple', ")
                    .bind::<Text, _>(q.tsquery())
                    .sql(")"),
            ),
        };
    }
    query
}

/// A page newest first (ids are time-ordered), after the id `before` when given.
pub fn list(
    conn: &mut DbConn,
    filter: &Filter,
    viewer: &Viewer,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ContributionRow>> {
    let mut query = filtered(conn, filter, viewer);
    if let Some(id) = before {
        query = query.filter(contributions::id.lt(id.to_owned()));
    }
    query.order(contributions::id.desc()).limit(limit).select(ContributionRow::as_select()).load(conn)
}

pub fn count(conn: &mut DbConn, filter: &Filter, viewer: &Viewer) -> QueryResult<i64> {
    filtered(conn, filter, viewer).count().get_result(conn)
}

/// How many of the newest matches a search ranks. Ranking reads each candidate's words, so
/// it is bounded the way public search APIs bound theirs (GitHub serves the first 1,000
/// results): a query matching more ranks its newest 1,000 matches; filters reach older ones.
pub const SEARCH_WINDOW: i64 = 1000;

/// A page of search matches, most relevant first (ties newest first), after the
/// `(relevance, id)` of the previous page's last row when given; only the newest
/// [`SEARCH_WINDOW`] matches are ranked.
pub fn search(
    conn: &mut DbConn,
    filter: &Filter,
    viewer: &Viewer,
    query: &Query,
    after: Option<(i32, &str)>,
    limit: i64,
) -> QueryResult<Vec<(ContributionRow, i32)>> {
    // The oldest match inside the window: found newest first, so the scan stops there.
    let fts = fts_for(conn, query)?;
    let oldest: Option<String> = filtered_with(conn, filter, viewer, fts)
        .select(contributions::id)
        .order(contributions::id.desc())
        .offset(SEARCH_WINDOW - 1)
        .limit(1)
        .first(conn)
        .optional()?;
    let relevance = Relevance::new(query);
    let mut rows = filtered_with(conn, filter, viewer, fts);
    if let Some(oldest) = oldest {
        rows = rows.filter(contributions::id.ge(oldest));
    }
    if let Some((score, id)) = after {
        rows = rows.filter(
            relevance.clone().lt(score).or(relevance.clone().eq(score).and(contributions::id.lt(id.to_owned()))),
        );
    }
    rows.order((relevance.clone().desc(), contributions::id.desc()))
        .limit(limit)
        .select((ContributionRow::as_select(), relevance))
        .load(conn)
}

/// A row written before `rank_terms` existed.
#[derive(Debug, Queryable)]
pub struct Unranked {
    pub id: String,
    pub language: String,
    pub title: String,
    pub summary: Option<String>,
}

pub fn missing_rank_terms(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Unranked>> {
    contributions::table
        .filter(contributions::rank_terms.is_null())
        .select((contributions::id, contributions::language, contributions::title, contributions::summary))
        .limit(limit)
        .load(conn)
}

pub fn set_rank_terms(conn: &mut DbConn, id: &str, rank: &str) -> QueryResult<()> {
    diesel::update(contributions::table.find(id)).set(contributions::rank_terms.eq(rank)).execute(conn).map(|_| ())
}

pub struct RevisionRow {
    pub version: i32,
    pub at: String,
    pub by_client: String,
    pub status: String,
    pub snapshot: String,
}

pub fn insert_revision(conn: &mut DbConn, contribution_id: &str, r: &RevisionRow) -> QueryResult<()> {
    diesel::insert_into(contribution_revisions::table)
        .values((
            contribution_revisions::contribution_id.eq(contribution_id),
            contribution_revisions::version.eq(r.version),
            contribution_revisions::at.eq(&r.at),
            contribution_revisions::by_client.eq(&r.by_client),
            contribution_revisions::status.eq(&r.status),
            contribution_revisions::snapshot.eq(&r.snapshot),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn revisions(conn: &mut DbConn, contribution_id: &str) -> QueryResult<Vec<RevisionRow>> {
    let rows: Vec<(i32, String, String, String, String)> = contribution_revisions::table
        .filter(contribution_revisions::contribution_id.eq(contribution_id))
        .order(contribution_revisions::version.asc())
        .select((
            contribution_revisions::version,
            contribution_revisions::at,
            contribution_revisions::by_client,
            contribution_revisions::status,
            contribution_revisions::snapshot,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(version, at, by_client, status, snapshot)| RevisionRow { version, at, by_client, status, snapshot })
        .collect())
}

pub fn endorsement_exists(conn: &mut DbConn, contribution_id: &str, organisation_id: &str) -> QueryResult<bool> {
    let n: i64 = endorsements::table
        .filter(endorsements::contribution_id.eq(contribution_id))
        .filter(endorsements::organisation_id.eq(organisation_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn insert_endorsement(
    conn: &mut DbConn,
    contribution_id: &str,
    organisation_id: &str,
    note: Option<&str>,
    by: &str,
    at: &str,
) -> QueryResult<()> {
    diesel::insert_into(endorsements::table)
        .values((
            endorsements::contribution_id.eq(contribution_id),
            endorsements::organisation_id.eq(organisation_id),
            endorsements::note.eq(note),
            endorsements::created_by.eq(by),
            endorsements::created_at.eq(at),
        ))
        .execute(conn)?;
    refresh_endorsement_count(conn, contribution_id)
}

pub fn delete_endorsement(conn: &mut DbConn, contribution_id: &str, organisation_id: &str) -> QueryResult<bool> {
    let n = diesel::delete(
        endorsements::table
            .filter(endorsements::contribution_id.eq(contribution_id))
            .filter(endorsements::organisation_id.eq(organisation_id)),
    )
    .execute(conn)?;
    refresh_endorsement_count(conn, contribution_id)?;
    Ok(n > 0)
}

fn refresh_endorsement_count(conn: &mut DbConn, contribution_id: &str) -> QueryResult<()> {
    let n: i64 =
        endorsements::table.filter(endorsements::contribution_id.eq(contribution_id)).count().get_result(conn)?;
    diesel::update(contributions::table.find(contribution_id))
        .set(contributions::endorsement_count.eq(i32::try_from(n).unwrap_or(i32::MAX)))
        .execute(conn)
        .map(|_| ())
}

/// A stored answer to a request made with an `Idempotency-Key`.
pub struct IdempotentAnswer {
    pub request_hash: String,
    pub status: i32,
    pub response: String,
    pub created_at: String,
}

pub fn find_idempotency(conn: &mut DbConn, organisation: &str, key: &str) -> QueryResult<Option<IdempotentAnswer>> {
    let row: Option<(String, i32, String, String)> = idempotency_keys::table
        .filter(idempotency_keys::organisation_id.eq(organisation))
        .filter(idempotency_keys::key.eq(key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::response,
            idempotency_keys::created_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(request_hash, status, response, created_at)| IdempotentAnswer {
        request_hash,
        status,
        response,
        created_at,
    }))
}

pub fn insert_idempotency(
    conn: &mut DbConn,
    organisation: &str,
    key: &str,
    answer: &IdempotentAnswer,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::organisation_id.eq(organisation),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(&answer.request_hash),
            idempotency_keys::status.eq(answer.status),
            idempotency_keys::response.eq(&answer.response),
            idempotency_keys::created_at.eq(&answer.created_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Forgets keys older than `before` (they are kept 24 hours).
pub fn purge_idempotency(conn: &mut DbConn, before: &str) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before))).execute(conn)
}

/// Which of these questions belong to a consultation: `(id, session number, segment key)`.
pub fn questions_of(conn: &mut DbConn, consultation_id: &str, ids: &[String]) -> QueryResult<Vec<String>> {
    questions::table
        .filter(questions::consultation_id.eq(consultation_id))
        .filter(questions::id.eq_any(ids))
        .select(questions::id)
        .load(conn)
}

/// A question's label and texts, for display.
#[derive(Debug, Queryable)]
pub struct QuestionText {
    pub id: String,
    pub label: Option<String>,
    pub text_en: String,
    pub text_fr: String,
}

pub fn question_texts(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<QuestionText>> {
    questions::table
        .filter(questions::id.eq_any(ids))
        .select((questions::id, questions::label, questions::text_en, questions::text_fr))
        .load(conn)
}

/// What dashboard counts need of a contribution.
#[derive(Debug, Queryable)]
pub struct StatRow {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub org_kind: String,
    pub session: Option<i32>,
    pub segment: Option<String>,
    pub group_id: Option<String>,
    pub organisation_id: String,
    pub regions: String,
    pub themes: String,
}

pub fn stat_rows(conn: &mut DbConn, filter: &Filter, viewer: &Viewer) -> QueryResult<Vec<StatRow>> {
    use contributions as c;
    filtered(conn, filter, viewer)
        .select((
            c::id,
            c::kind,
            c::status,
            c::org_kind,
            c::session,
            c::segment,
            c::group_id,
            c::organisation_id,
            c::regions,
            c::themes,
        ))
        .load(conn)
}

/// What clustering needs of a published contribution.
#[derive(Debug, Queryable)]
pub struct ClusterRow {
    pub id: String,
    pub title: String,
    pub search_terms: String,
    pub session: Option<i32>,
    pub segment: Option<String>,
    pub group_id: Option<String>,
    pub organisation_id: String,
    pub regions: String,
}

/// The newest `limit` published contributions of a consultation.
pub fn cluster_rows(conn: &mut DbConn, consultation: &str, limit: i64) -> QueryResult<Vec<ClusterRow>> {
    use contributions as c;
    c::table
        .filter(c::consultation.eq(consultation))
        .filter(c::status.eq("published"))
        .order(c::id.desc())
        .limit(limit)
        .select((c::id, c::title, c::search_terms, c::session, c::segment, c::group_id, c::organisation_id, c::regions))
        .load(conn)
}

/// The published contributions of a consultation a viewer may see, oldest first.
pub fn published_of(conn: &mut DbConn, consultation: &str, viewer: &Viewer) -> QueryResult<Vec<ContributionRow>> {
    let filter = Filter {
        consultation: Some(consultation.to_owned()),
        status: Some(crate::domain::contribution::Status::Published),
        ..Filter::default()
    };
    filtered(conn, &filter, viewer).order(contributions::id.asc()).select(ContributionRow::as_select()).load(conn)
}

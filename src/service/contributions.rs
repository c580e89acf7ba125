//! Contributions: submit, edit, review, endorse and find them. Visibility, the lifecycle and
//! validation live here once; REST and GraphQL both call these functions.

use std::collections::BTreeSet;

use async_graphql::SimpleObject;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::{Caller, Scope};
use crate::db::contributions::{self as rows, ContributionRow, Facets, IdempotentAnswer, RevisionRow};
use crate::db::{structure as structure_rows, taxonomies as taxonomy_rows, write_transaction, DbConn};
use crate::domain::contribution::{
    ContributionKind, Event, Filter, GeographicScope, PracticeCategory, RefusedTransition, ReviewDecision, Status,
    Viewer,
};
use crate::domain::search::{self, Query};
use crate::domain::{clock, ids, Region};
use crate::error::{AppError, FieldError};
use crate::service::changes;
use crate::service::contribution_input::{check_keys, merge, Fields, Link};
use crate::service::page::{Cursor, Page};

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_WINDOW_HOURS: i64 = 24;
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// A contribution as partners read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Contribution {
    #[schema(format = Uuid)]
    #[graphql(name = "id")]
    pub id: String,
    /// The consultation's slug.
    #[schema(example = "grcp-7")]
    pub consultation: String,
    /// The session's number.
    pub session: Option<i32>,
    /// The segment's key.
    #[schema(example = "breakout")]
    pub segment: Option<String>,
    /// The breakout group's id.
    pub group: Option<String>,
    pub question_ids: Vec<String>,
    pub kind: ContributionKind,
    pub practice_category: Option<PracticeCategory>,
    pub title: String,
    pub summary: Option<String>,
    pub body: String,
    #[schema(example = "fr")]
    pub language: String,
    pub regions: Vec<Region>,
    pub scope: Option<GeographicScope>,
    pub replicable: Option<bool>,
    pub replicability_notes: Option<String>,
    /// Taxonomy term ids, e.g. `gcm_objectives/5`.
    pub themes: Vec<String>,
    pub links: Vec<Link>,
    pub external_ref: Option<String>,
    pub status: Status,
    /// 1 on creation, one more at every change; the `ETag`.
    pub version: i32,
    /// The owning organisation's id.
    #[schema(format = Uuid)]
    #[graphql(name = "organisationId")]
    pub organisation: String,
    pub endorsement_count: i32,
    /// The latest progress report of a commitment.
    pub progress_status: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub published_at: Option<String>,
}

fn corrupt(id: &str, what: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("contribution {id}: stored {what} is invalid"))
}

fn parse_json<T: serde::de::DeserializeOwned>(id: &str, what: &str, text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|_| corrupt(id, what))
}

fn parse_vocab<T: std::str::FromStr>(id: &str, what: &str, text: &str) -> Result<T, AppError> {
    text.parse().map_err(|_| corrupt(id, what))
}

impl Contribution {
    pub fn from_row(row: ContributionRow) -> Result<Contribution, AppError> {
        let id = row.id.clone();
        Ok(Contribution {
            question_ids: parse_json(&id, "question_ids", &row.question_ids)?,
            regions: parse_json(&id, "regions", &row.regions)?,
            themes: parse_json(&id, "themes", &row.themes)?,
            links: parse_json(&id, "links", &row.links)?,
            kind: parse_vocab(&id, "kind", &row.kind)?,
            practice_category: row.practice_category.as_deref().map(|v| parse_vocab(&id, "category", v)).transpose()?,
            scope: row.scope.as_deref().map(|v| parse_vocab(&id, "scope", v)).transpose()?,
            status: parse_vocab(&id, "status", &row.status)?,
            id: row.id,
            consultation: row.consultation,
            session: row.session,
            segment: row.segment,
            group: row.group_id,
            title: row.title,
            summary: row.summary,
            body: row.body,
            language: row.language,
            replicable: row.replicable,
            replicability_notes: row.replicability_notes,
            external_ref: row.external_ref,
            version: row.version,
            organisation: row.organisation_id,
            endorsement_count: row.endorsement_count,
            progress_status: row.progress_status,
            created_at: row.created_at,
            updated_at: row.updated_at,
            submitted_at: row.submitted_at,
            published_at: row.published_at,
        })
    }

    /// The ETag of this version.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }

    fn fields(&self) -> Fields {
        Fields {
            consultation: Some(self.consultation.clone()),
            session: self.session,
            segment: self.segment.clone(),
            group: self.group.clone(),
            question_ids: self.question_ids.clone(),
            kind: Some(self.kind),
            practice_category: self.practice_category,
            title: Some(self.title.clone()),
            summary: self.summary.clone(),
            body: Some(self.body.clone()),
            language: Some(self.language.clone()),
            regions: self.regions.clone(),
            scope: self.scope,
            replicable: self.replicable,
            replicability_notes: self.replicability_notes.clone(),
            themes: self.themes.clone(),
            links: self.links.clone(),
            external_ref: self.external_ref.clone(),
        }
    }
}

/// What a caller may see, from its organisation and scopes.
pub fn viewer(caller: &Caller) -> Viewer {
    Viewer { organisation_id: caller.organisation_id.clone(), reviewer: caller.has(Scope::Review) }
}

/// Fields whose references to the structure and taxonomies were checked.
struct Checked {
    fields: Fields,
    consultation: String,
    kind: ContributionKind,
    title: String,
    body: String,
    language: String,
}

/// Checks references: the consultation, session, segment, group, questions and themes
/// must exist and fit together. Missing session or segment are inferred where unambiguous.
fn check_references(conn: &mut DbConn, mut fields: Fields) -> Result<Checked, AppError> {
    let mut errors = Vec::new();
    let consultations = structure_rows::list_consultations(conn)?;
    let consultation = match &fields.consultation {
        Some(slug) => consultations.iter().find(|c| &c.slug == slug),
        None if consultations.len() == 1 => consultations.first(),
        None => None,
    };
    let Some(consultation) = consultation else {
        let message = if fields.consultation.is_some() { "no such consultation" } else { "is required" };
        return Err(AppError::Validation(vec![FieldError::new("consultation", message)]));
    };
    fields.consultation = Some(consultation.slug.clone());
    let groups = fields.group.is_some();
    let segments = groups || fields.segment.is_some();
    let questions = !fields.question_ids.is_empty();
    let needs = structure_rows::ReferenceNeeds {
        sessions: segments || questions || fields.session.is_some(),
        segments,
        groups,
        questions,
    };
    let tree = structure_rows::load_reference_rows(conn, &consultation.id, &needs)?;
    let session_of = |id: &str| tree.sessions.iter().find(|s| s.id == id);

    // A group implies its segment, a segment its session.
    if let Some(group_id) = &fields.group {
        match tree.groups.iter().find(|g| &g.id == group_id) {
            None => errors.push(FieldError::new("group", "no such breakout group in this consultation")),
            Some(group) => {
                let segment = tree.segments.iter().find(|s| s.id == group.segment_id);
                match (segment, &fields.segment) {
                    (Some(seg), Some(key)) if &seg.key != key => {
                        errors.push(FieldError::new("group", "the group is not in this segment"))
                    }
                    (Some(seg), _) => fields.segment = Some(seg.key.clone()),
                    (None, _) => {}
                }
            }
        }
    }
    if let Some(key) = &fields.segment {
        let candidates: Vec<_> = tree
            .segments
            .iter()
            .filter(|s| &s.key == key)
            .filter(|s| fields.session.is_none_or(|n| session_of(&s.session_id).is_some_and(|x| x.number == n)))
            .collect();
        match candidates.as_slice() {
            [segment] => fields.session = session_of(&segment.session_id).map(|s| s.number),
            [] => errors.push(FieldError::new("segment", "no such segment in this session")),
            _ => errors.push(FieldError::new("session", "is required to tell which segment is meant")),
        }
    }
    if let Some(number) = fields.session {
        if !tree.sessions.iter().any(|s| s.number == number) {
            errors.push(FieldError::new("session", format!("the consultation has no session {number}")));
        }
    }
    for q in &fields.question_ids {
        match tree.questions.iter().find(|x| &x.id == q) {
            None => {
                errors.push(FieldError::new("question_ids", format!("`{q}` is not a question of this consultation")))
            }
            Some(question) => {
                let session_number = question.session_id.as_deref().and_then(session_of).map(|s| s.number);
                if fields.session.is_some() && session_number.is_some() && session_number != fields.session {
                    errors.push(FieldError::new("question_ids", format!("`{q}` belongs to another session")));
                }
            }
        }
    }
    if !fields.themes.is_empty() {
        let known = taxonomy_rows::existing_term_ids(conn, &fields.themes)?;
        for theme in &fields.themes {
            if !known.contains(theme) {
                errors.push(FieldError::new("themes", format!("`{theme}` is not a taxonomy term")));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let missing = || AppError::Internal(anyhow::anyhow!("checked fields lost a required value"));
    Ok(Checked {
        consultation: consultation.slug.clone(),
        kind: fields.kind.ok_or_else(missing)?,
        title: fields.title.clone().ok_or_else(missing)?,
        body: fields.body.clone().ok_or_else(missing)?,
        language: fields.language.clone().unwrap_or_else(|| "en".to_owned()).to_ascii_lowercase(),
        fields,
    })
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// Writes the checked fields into a row (keeping the server-owned columns of `row`).
fn apply(row: &mut ContributionRow, checked: &Checked) {
    let f = &checked.fields;
    row.consultation = checked.consultation.clone();
    row.session = f.session;
    row.segment = f.segment.clone();
    row.group_id = f.group.clone();
    row.kind = checked.kind.as_str().to_owned();
    row.practice_category = f.practice_category.map(|c| c.as_str().to_owned());
    row.title = checked.title.clone();
    row.summary = f.summary.clone();
    row.body = checked.body.clone();
    row.language = checked.language.clone();
    row.scope = f.scope.map(|s| s.as_str().to_owned());
    row.replicable = f.replicable;
    row.replicability_notes = f.replicability_notes.clone();
    row.external_ref = f.external_ref.clone();
    row.question_ids = to_json(&f.question_ids);
    row.regions = to_json(&f.regions);
    row.themes = to_json(&f.themes);
    row.links = to_json(&f.links);
}

fn search_text(row: &ContributionRow) -> rows::SearchText {
    rows::SearchText {
        terms: search::index_terms(&row.language, &[&row.title, row.summary.as_deref().unwrap_or(""), &row.body]),
        rank: search::rank_terms(&row.language, &row.title, row.summary.as_deref()),
    }
}

fn facets_of(checked: &Checked) -> (Vec<String>, Vec<String>, Vec<String>) {
    let f = &checked.fields;
    (f.regions.iter().map(|r| r.as_str().to_owned()).collect(), f.themes.clone(), f.question_ids.clone())
}

/// Records a change: the row at its new version, and its revision.
fn record(
    conn: &mut DbConn,
    caller: &Caller,
    row: &ContributionRow,
    previous: Option<&ContributionRow>,
    index: Option<&Checked>,
    events: &[Event],
) -> Result<Contribution, AppError> {
    let previous_version = previous.map(|p| p.version);
    let view = Contribution::from_row(row.clone())?;
    let facets_lists = index.map(facets_of);
    let facets = facets_lists.as_ref().map(|(regions, themes, questions)| Facets { regions, themes, questions });
    let text = index.map(|_| search_text(row));
    match previous_version {
        None => rows::insert(
            conn,
            row,
            text.as_ref()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a new contribution needs its index words")))?,
            facets
                .as_ref()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a new contribution needs its facets")))?,
        )?,
        Some(expected) => {
            if !rows::update(conn, row, expected, text.as_ref(), facets.as_ref())? {
                return Err(AppError::PreconditionFailed(
                    "the contribution was changed by another request; read it again and retry".into(),
                ));
            }
        }
    }
    rows::insert_revision(
        conn,
        &row.id,
        &RevisionRow {
            version: row.version,
            at: row.updated_at.clone(),
            by_client: caller.client_id.clone(),
            status: row.status.clone(),
            snapshot: to_json(&view),
        },
    )?;
    for event in events {
        changes::record(conn, &view, previous.map(|p| p.status.as_str()), *event)?;
    }
    Ok(view)
}

fn require_writer(caller: &Caller) -> Result<(), AppError> {
    caller.require(Scope::ContributionsWrite)
}

fn new_row(caller: &Caller, now: &str) -> ContributionRow {
    ContributionRow {
        id: ids::new_id().to_string(),
        consultation: String::new(),
        session: None,
        segment: None,
        group_id: None,
        kind: String::new(),
        practice_category: None,
        title: String::new(),
        summary: None,
        body: String::new(),
        language: String::new(),
        scope: None,
        replicable: None,
        replicability_notes: None,
        external_ref: None,
        status: Status::Draft.as_str().to_owned(),
        version: 1,
        organisation_id: caller.organisation_id.clone(),
        org_kind: caller.org_kind.as_str().to_owned(),
        created_by: caller.client_id.clone(),
        endorsement_count: 0,
        progress_status: None,
        question_ids: "[]".into(),
        regions: "[]".into(),
        themes: "[]".into(),
        links: "[]".into(),
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
        submitted_at: None,
        published_at: None,
    }
}

fn external_ref_taken(
    conn: &mut DbConn,
    caller: &Caller,
    external_ref: Option<&str>,
    except: Option<&str>,
) -> Result<(), AppError> {
    if let Some(reference) = external_ref {
        if let Some(existing) = rows::find_by_external_ref(conn, &caller.organisation_id, reference)? {
            if Some(existing.id.as_str()) != except {
                return Err(AppError::Conflict(format!(
                    "your organisation already has contribution {} with external_ref `{reference}`",
                    existing.id
                )));
            }
        }
    }
    Ok(())
}

/// Creates a contribution from a JSON object (and submits it when `submit` is true).
fn create_in(conn: &mut DbConn, caller: &Caller, body: &Map<String, Value>) -> Result<Contribution, AppError> {
    check_keys(body, &["submit"])?;
    let submit = match body.get("submit") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(AppError::Validation(vec![FieldError::new("submit", "must be true or false")])),
    };
    let mut fields_map = body.clone();
    fields_map.remove("submit");
    let checked = check_references(conn, Fields::from_map(&fields_map)?)?;
    external_ref_taken(conn, caller, checked.fields.external_ref.as_deref(), None)?;
    let now = clock::to_db(clock::now());
    let mut row = new_row(caller, &now);
    apply(&mut row, &checked);
    let mut events = vec![Event::Created];
    if submit {
        // Created and submitted in one change: version 1, one revision, two events.
        let submitted = Status::Draft.submit().map_err(|e| AppError::Conflict(e.to_string()))?;
        row.status = submitted.as_str().to_owned();
        row.submitted_at = Some(now);
        events.push(Event::Submitted);
    }
    record(conn, caller, &row, None, Some(&checked), &events)
}

/// An answer to a creation, as stored for `Idempotency-Key` replays.
#[derive(Debug, Clone)]
pub struct Created {
    pub contribution: Contribution,
    /// True when this is the stored answer to an earlier request with the same key.
    pub replayed: bool,
}

fn request_hash(body: &Map<String, Value>) -> String {
    // serde_json's maps are sorted, so equal objects hash equally whatever their key order.
    let canonical = serde_json::to_vec(body).unwrap_or_default();
    Sha256::digest(canonical).iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a contribution; with an idempotency key, the same key and body return the
/// first answer, another body 422, and concurrent duplicates create one contribution.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    body: &Map<String, Value>,
    idempotency_key: Option<&str>,
) -> Result<Created, AppError> {
    require_writer(caller)?;
    let Some(key) = idempotency_key else {
        let contribution = write_transaction(conn, |conn| create_in(conn, caller, body))?;
        return Ok(Created { contribution, replayed: false });
    };
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return Err(AppError::BadRequest(format!(
            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters"
        )));
    }
    let hash = request_hash(body);
    // A concurrent request with the same key may win the insert; then its answer is read.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let outcome = write_transaction(conn, |conn| -> Result<Created, AppError> {
            let now = clock::now();
            let horizon = clock::to_db(now - time::Duration::hours(IDEMPOTENCY_WINDOW_HOURS));
            if let Some(stored) = rows::find_idempotency(conn, &caller.organisation_id, key)? {
                if stored.created_at >= horizon {
                    if stored.request_hash != hash {
                        return Err(AppError::Unprocessable(
                            "this Idempotency-Key was used with a different request body".into(),
                        ));
                    }
                    let contribution: Contribution = serde_json::from_str(&stored.response)
                        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored idempotent answer: {e}")))?;
                    return Ok(Created { contribution, replayed: true });
                }
                rows::purge_idempotency(conn, &horizon)?;
            }
            let contribution = create_in(conn, caller, body)?;
            rows::insert_idempotency(
                conn,
                &caller.organisation_id,
                key,
                &IdempotentAnswer {
                    request_hash: hash.clone(),
                    status: 201,
                    response: to_json(&contribution),
                    created_at: clock::to_db(now),
                },
            )?;
            Ok(Created { contribution, replayed: false })
        });
        match outcome {
            Err(AppError::Internal(e)) if attempts < 5 && is_conflict(&e) => continue,
            other => return other,
        }
    }
}

/// Whether a database error is a lost race (unique violation or a busy SQLite snapshot).
fn is_conflict(error: &anyhow::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error.downcast_ref::<Error>() {
        Some(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => true,
        Some(Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _)) => true,
        Some(Error::DatabaseError(_, info)) => info.message().contains("locked") || info.message().contains("busy"),
        _ => false,
    }
}

/// A row the caller may see, or 404.
fn visible_row(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<ContributionRow, AppError> {
    let row = rows::find(conn, id)?.ok_or_else(|| AppError::not_found("contribution"))?;
    let status: Status = parse_vocab(id, "status", &row.status)?;
    if viewer(caller).can_see(&row.organisation_id, status) {
        Ok(row)
    } else {
        Err(AppError::not_found("contribution"))
    }
}

/// A row the caller's organisation owns (404 when invisible, 403 when only visible).
fn owned_row(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<ContributionRow, AppError> {
    let row = visible_row(conn, caller, id)?;
    if row.organisation_id != caller.organisation_id {
        return Err(AppError::Forbidden("only the organisation that owns the contribution may change it".into()));
    }
    Ok(row)
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<Contribution, AppError> {
    caller.require(Scope::ContributionsRead)?;
    Contribution::from_row(visible_row(conn, caller, id)?)
}

/// Applies a JSON merge patch of client fields, if the version still is `if_match`.
pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    patch: &Map<String, Value>,
    if_match: Option<i32>,
) -> Result<Contribution, AppError> {
    require_writer(caller)?;
    check_keys(patch, &[])?;
    write_transaction(conn, |conn| {
        let row = owned_row(conn, caller, id)?;
        if if_match.is_some_and(|v| v != row.version) {
            return Err(AppError::PreconditionFailed(format!(
                "the contribution is at version {}, not {}",
                row.version,
                if_match.unwrap_or_default()
            )));
        }
        let current = Contribution::from_row(row.clone())?;
        if !current.status.editable() {
            return Err(AppError::Conflict(format!("a {} contribution cannot be edited", current.status)));
        }
        let mut map = current.fields().to_map();
        merge(&mut map, patch);
        let checked = check_references(conn, Fields::from_map(&map)?)?;
        external_ref_taken(conn, caller, checked.fields.external_ref.as_deref(), Some(id))?;
        let mut next = row.clone();
        apply(&mut next, &checked);
        next.version = row.version + 1;
        next.updated_at = clock::to_db(clock::now());
        record(conn, caller, &next, Some(&row), Some(&checked), &[Event::Updated])
    })
}

/// Creates (201) or updates (200) the caller's contribution with this external reference.
pub fn upsert_by_external_ref(
    conn: &mut DbConn,
    caller: &Caller,
    external_ref: &str,
    body: &Map<String, Value>,
) -> Result<(bool, Contribution), AppError> {
    require_writer(caller)?;
    if external_ref.is_empty() || external_ref.len() > crate::service::contribution_input::MAX_EXTERNAL_REF {
        return Err(AppError::Validation(vec![FieldError::new("external_ref", "must be 1 to 255 characters")]));
    }
    if body.get("external_ref").is_some_and(|v| v.as_str() != Some(external_ref)) {
        return Err(AppError::Validation(vec![FieldError::new(
            "external_ref",
            "differs from the reference in the URL",
        )]));
    }
    let mut body = body.clone();
    body.insert("external_ref".into(), Value::String(external_ref.to_owned()));
    write_transaction(conn, |conn| match rows::find_by_external_ref(conn, &caller.organisation_id, external_ref)? {
        None => Ok((true, create_in(conn, caller, &body)?)),
        Some(existing) => {
            check_keys(&body, &[])?;
            let current = Contribution::from_row(existing.clone())?;
            if !current.status.editable() {
                return Err(AppError::Conflict(format!("a {} contribution cannot be edited", current.status)));
            }
            // A full replacement: what the body leaves out is cleared.
            let checked = check_references(conn, Fields::from_map(&body)?)?;
            let mut next = existing.clone();
            apply(&mut next, &checked);
            if next == existing {
                return Ok((false, current));
            }
            next.version = existing.version + 1;
            next.updated_at = clock::to_db(clock::now());
            Ok((false, record(conn, caller, &next, Some(&existing), Some(&checked), &[Event::Updated])?))
        }
    })
}

/// A lifecycle step.
#[derive(Debug, Clone)]
pub enum Action {
    Submit,
    Withdraw,
    Review { decision: ReviewDecision, note: Option<String> },
}

fn transition_in(conn: &mut DbConn, caller: &Caller, id: &str, action: Action) -> Result<Contribution, AppError> {
    let row = match &action {
        Action::Review { .. } => visible_row(conn, caller, id)?,
        _ => owned_row(conn, caller, id)?,
    };
    let status: Status = parse_vocab(id, "status", &row.status)?;
    let refused = |e: RefusedTransition| AppError::Conflict(e.to_string());
    let next_status = match &action {
        Action::Submit => status.submit().map_err(refused)?,
        Action::Withdraw => status.withdraw().map_err(refused)?,
        Action::Review { decision, .. } => status.review(*decision).map_err(refused)?,
    };
    let now = clock::to_db(clock::now());
    let mut next = row.clone();
    next.status = next_status.as_str().to_owned();
    next.version = row.version + 1;
    next.updated_at = now.clone();
    match next_status {
        Status::Submitted => next.submitted_at = Some(now),
        Status::Published => next.published_at = Some(now),
        _ => {}
    }
    record(conn, caller, &next, Some(&row), None, &[Event::of_status(next_status)])
}

/// Submits, withdraws or reviews a contribution.
pub fn transition(conn: &mut DbConn, caller: &Caller, id: &str, action: Action) -> Result<Contribution, AppError> {
    match &action {
        Action::Review { note, .. } => {
            caller.require(Scope::Review)?;
            if note.as_ref().is_some_and(|n| n.chars().count() > 5_000) {
                return Err(AppError::Validation(vec![FieldError::new("note", "must be at most 5000 characters")]));
            }
        }
        _ => require_writer(caller)?,
    }
    write_transaction(conn, |conn| transition_in(conn, caller, id, action))
}

/// One version of a contribution.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    pub version: i32,
    pub at: String,
    /// The client that made the change.
    pub by: String,
    pub status: Status,
    pub contribution: Contribution,
}

/// The history of a contribution: to its owner and reviewers only.
pub fn revisions(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<Vec<Revision>, AppError> {
    caller.require(Scope::ContributionsRead)?;
    let row = visible_row(conn, caller, id)?;
    if row.organisation_id != caller.organisation_id && !caller.has(Scope::Review) {
        return Err(AppError::not_found("revisions"));
    }
    rows::revisions(conn, id)?
        .into_iter()
        .map(|r| {
            Ok(Revision {
                version: r.version,
                at: r.at,
                by: r.by_client,
                status: parse_vocab(id, "revision status", &r.status)?,
                contribution: parse_json(id, "revision", &r.snapshot)?,
            })
        })
        .collect()
}

/// An organisation's support for another's published contribution.
pub fn endorse(conn: &mut DbConn, caller: &Caller, id: &str, note: Option<&str>) -> Result<Contribution, AppError> {
    require_writer(caller)?;
    if note.is_some_and(|n| n.chars().count() > 2_000) {
        return Err(AppError::Validation(vec![FieldError::new("note", "must be at most 2000 characters")]));
    }
    write_transaction(conn, |conn| {
        let row = visible_row(conn, caller, id)?;
        if row.organisation_id == caller.organisation_id {
            return Err(AppError::Unprocessable("an organisation cannot endorse its own contribution".into()));
        }
        if row.status != Status::Published.as_str() {
            return Err(AppError::Conflict("only published contributions can be endorsed".into()));
        }
        if rows::endorsement_exists(conn, id, &caller.organisation_id)? {
            return Err(AppError::Conflict("your organisation already endorses this contribution".into()));
        }
        rows::insert_endorsement(
            conn,
            id,
            &caller.organisation_id,
            note,
            &caller.client_id,
            &clock::to_db(clock::now()),
        )?;
        let view = Contribution::from_row(visible_row(conn, caller, id)?)?;
        changes::record(conn, &view, Some(view.status.as_str()), Event::Endorsed)?;
        Ok(view)
    })
}

pub fn remove_endorsement(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<Contribution, AppError> {
    require_writer(caller)?;
    write_transaction(conn, |conn| {
        visible_row(conn, caller, id)?;
        if !rows::delete_endorsement(conn, id, &caller.organisation_id)? {
            return Err(AppError::not_found("endorsement"));
        }
        let view = Contribution::from_row(visible_row(conn, caller, id)?)?;
        changes::record(conn, &view, Some(view.status.as_str()), Event::Updated)?;
        Ok(view)
    })
}

/// A page of the contributions a caller may see: by relevance when searching, else newest first.
pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    filter: &Filter,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Contribution>, AppError> {
    caller.require(Scope::ContributionsRead)?;
    let viewer = viewer(caller);
    match &filter.q {
        Some(query) => search_page(conn, &viewer, filter, query, cursor, limit),
        None => {
            let before = cursor.map(|c| Cursor::decode(c, 1)).transpose()?;
            let fetched = rows::list(conn, filter, &viewer, before.as_ref().map(|c| c.0[0].as_str()), limit + 1)?;
            let page = Page::from_rows(fetched, limit, |r| Cursor(vec![r.id.clone()]), |r| r);
            Ok(Page {
                data: page.data.into_iter().map(Contribution::from_row).collect::<Result<_, _>>()?,
                next_cursor: page.next_cursor,
                cursors: page.cursors,
            })
        }
    }
}

/// Relevance: query words in the title count twice, in the summary once; ties newest first.
fn search_page(
    conn: &mut DbConn,
    viewer: &Viewer,
    filter: &Filter,
    query: &Query,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Contribution>, AppError> {
    let after = match cursor {
        Some(raw) => {
            let c = Cursor::decode(raw, 2)?;
            let score = c.0[0].parse::<i32>().map_err(|_| AppError::BadRequest("the cursor is not valid".into()))?;
            Some((score, c.0[1].clone()))
        }
        None => None,
    };
    let fetched =
        rows::search(conn, filter, viewer, query, after.as_ref().map(|(s, id)| (*s, id.as_str())), limit + 1)?;
    let page = Page::from_rows(fetched, limit, |(r, score)| Cursor(vec![score.to_string(), r.id.clone()]), |(r, _)| r);
    Ok(Page {
        data: page.data.into_iter().map(Contribution::from_row).collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
        cursors: page.cursors,
    })
}

/// How many contributions a caller may see pass the filter.
pub fn count(conn: &mut DbConn, caller: &Caller, filter: &Filter) -> Result<i64, AppError> {
    caller.require(Scope::ContributionsRead)?;
    Ok(rows::count(conn, filter, &viewer(caller))?)
}

/// Contributions by id, as far as the caller may see them (for batched loading).
pub fn visible_many(conn: &mut DbConn, caller: &Caller, ids: &[String]) -> Result<Vec<Contribution>, AppError> {
    let viewer = viewer(caller);
    rows::find_many(conn, ids)?
        .into_iter()
        .map(Contribution::from_row)
        .filter(|c| c.as_ref().map_or(true, |c| viewer.can_see(&c.organisation, c.status)))
        .collect()
}

/// Builds a filter, checking each value; the doors pass what the client sent.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FilterParams {
    /// Consultation slug.
    pub consultation: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    /// Session number.
    pub session: Option<i32>,
    /// Segment key.
    pub segment: Option<String>,
    /// Breakout group id.
    pub group: Option<String>,
    /// Question id.
    pub question: Option<String>,
    /// Organisation id.
    pub organisation: Option<String>,
    pub org_kind: Option<String>,
    pub region: Option<String>,
    /// Taxonomy term id, e.g. `gcm_objectives/5`.
    pub theme: Option<String>,
    /// RFC 3339 timestamp: only contributions changed at or after it.
    pub updated_since: Option<String>,
    /// Full-text search with French and English stemming; results by relevance among the
    /// newest 1,000 matches (narrow with the other filters to reach older ones).
    pub q: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl FilterParams {
    pub fn to_filter(&self) -> Result<Filter, AppError> {
        let mut errors = Vec::new();
        fn vocab<T: std::str::FromStr<Err = crate::domain::kinds::UnknownValue>>(
            errors: &mut Vec<FieldError>,
            field: &str,
            value: &Option<String>,
        ) -> Option<T> {
            value.as_deref().and_then(|v| match v.parse::<T>() {
                Ok(t) => Some(t),
                Err(e) => {
                    errors.push(FieldError::new(field, e.to_string()));
                    None
                }
            })
        }
        let filter = Filter {
            consultation: self.consultation.clone(),
            kind: vocab(&mut errors, "kind", &self.kind),
            status: vocab(&mut errors, "status", &self.status),
            session: self.session,
            segment: self.segment.clone(),
            group: self.group.clone(),
            question: self.question.clone(),
            organisation: self.organisation.clone(),
            org_kind: vocab(&mut errors, "org_kind", &self.org_kind),
            region: vocab(&mut errors, "region", &self.region),
            theme: self.theme.clone(),
            updated_since: match &self.updated_since {
                None => None,
                Some(v) => match clock::parse(v) {
                    Ok(t) => Some(clock::to_db(t)),
                    Err(_) => {
                        errors.push(FieldError::new("updated_since", "must be an RFC 3339 timestamp"));
                        None
                    }
                },
            },
            q: self.q.as_deref().map(Query::parse),
        };
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

/// The question texts of contributions, in a language (for display next to them).
pub fn question_labels(
    conn: &mut DbConn,
    ids: &[String],
    lang: crate::domain::Lang,
) -> Result<Vec<(String, Option<String>, String)>, AppError> {
    Ok(rows::question_texts(conn, ids)?.into_iter().map(|q| (q.id, q.label, lang.pick(q.text_en, q.text_fr))).collect())
}

/// Distinct ids among the question lists of contributions.
pub fn question_ids_of<'a>(contributions: impl IntoIterator<Item = &'a Contribution>) -> Vec<String> {
    let set: BTreeSet<&String> = contributions.into_iter().flat_map(|c| c.question_ids.iter()).collect();
    set.into_iter().cloned().collect()
}

/// Records a commitment's latest progress on the contribution itself (owner only; a change
/// like any other: new version, revision, change-feed event). Runs inside the caller's transaction.
pub fn set_progress_status(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    progress: &str,
) -> Result<Contribution, AppError> {
    let row = owned_row(conn, caller, id)?;
    if row.kind != ContributionKind::Commitment.as_str() {
        return Err(AppError::Unprocessable("only commitments have progress reports".into()));
    }
    if row.status == Status::Withdrawn.as_str() || row.status == Status::Rejected.as_str() {
        return Err(AppError::Conflict(format!("a {} commitment takes no progress reports", row.status)));
    }
    if row.progress_status.as_deref() == Some(progress) {
        return Contribution::from_row(row);
    }
    let mut next = row.clone();
    next.progress_status = Some(progress.to_owned());
    next.version = row.version + 1;
    next.updated_at = clock::to_db(clock::now());
    record(conn, caller, &next, Some(&row), None, &[Event::Updated])
}

/// A visible contribution's owner and kind (for checks made elsewhere).
pub fn visible(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<Contribution, AppError> {
    Contribution::from_row(visible_row(conn, caller, id)?)
}

/// Fills the ranking words of rows written before they were stored (run at start-up).
pub fn backfill_rank_terms(conn: &mut DbConn) -> Result<usize, AppError> {
    let mut done = 0;
    loop {
        let batch = rows::missing_rank_terms(conn, 500)?;
        if batch.is_empty() {
            return Ok(done);
        }
        write_transaction(conn, |conn| -> Result<(), AppError> {
            for r in &batch {
                rows::set_rank_terms(conn, &r.id, &search::rank_terms(&r.language, &r.title, r.summary.as_deref()))?;
            }
            Ok(())
        })?;
        done += batch.len();
    }
}

//! From contributions to what goes to the co-facilitators: outcomes, commitments' progress,
//! dashboard counts and convergence clusters. Everything is computed under the caller's
//! visibility.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_graphql::SimpleObject;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Scope};
use crate::db::contributions as contribution_rows;
use crate::db::synthesis::{self as rows, OutcomeRow, ProgressRow};
use crate::db::{structure as structure_rows, write_transaction, DbConn};
use crate::domain::contribution::{Filter, Status};
use crate::domain::synthesis::{OutcomeKind, OutcomeStatus, ProgressStatus, StatsDimension};
use crate::domain::{clock, ids};
use crate::error::{AppError, FieldError};
use crate::service::contributions::{self, viewer, Contribution};

/// An outcome with the contributions it rests on.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
pub struct Outcome {
    pub id: String,
    pub consultation: String,
    pub kind: OutcomeKind,
    pub session: Option<i32>,
    pub segment: Option<String>,
    pub group: Option<String>,
    pub title: String,
    pub text: String,
    pub status: OutcomeStatus,
    pub contribution_ids: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub adopted_at: Option<String>,
    pub transmitted_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(deny_unknown_fields)]
pub struct NewOutcome {
    pub consultation: Option<String>,
    pub kind: OutcomeKind,
    pub session: Option<i32>,
    pub segment: Option<String>,
    pub group: Option<String>,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub contribution_ids: Vec<String>,
}

fn outcome_view(row: OutcomeRow, links: &[(String, String)]) -> Result<Outcome, AppError> {
    let corrupt = || AppError::Internal(anyhow::anyhow!("outcome {} is invalid", row.id));
    Ok(Outcome {
        contribution_ids: links.iter().filter(|(o, _)| o == &row.id).map(|(_, c)| c.clone()).collect(),
        kind: row.kind.parse().map_err(|_| corrupt())?,
        status: row.status.parse().map_err(|_| corrupt())?,
        id: row.id,
        consultation: row.consultation,
        session: row.session,
        segment: row.segment,
        group: row.group_id,
        title: row.title,
        text: row.text,
        created_at: row.created_at,
        updated_at: row.updated_at,
        adopted_at: row.adopted_at,
        transmitted_at: row.transmitted_at,
    })
}

fn require_secretariat(caller: &Caller) -> Result<(), AppError> {
    if caller.has(Scope::Review) || caller.has(Scope::Admin) {
        Ok(())
    } else {
        Err(AppError::MissingScope(Scope::Review.as_str()))
    }
}

/// The slug of the named consultation, or of the only one.
fn consultation_slug(conn: &mut DbConn, slug: Option<&str>) -> Result<String, AppError> {
    let all = structure_rows::list_consultations(conn)?;
    match slug {
        Some(s) if all.iter().any(|c| c.slug == s) => Ok(s.to_owned()),
        Some(_) => Err(AppError::Validation(vec![FieldError::new("consultation", "no such consultation")])),
        None if all.len() == 1 => Ok(all[0].slug.clone()),
        None => Err(AppError::Validation(vec![FieldError::new("consultation", "is required")])),
    }
}

/// Records an outcome resting on published contributions (`review` or `admin`).
pub fn create_outcome(conn: &mut DbConn, caller: &Caller, input: &NewOutcome) -> Result<Outcome, AppError> {
    require_secretariat(caller)?;
    let mut errors = Vec::new();
    let title = input.title.trim();
    let text = input.text.trim();
    if title.is_empty() || title.chars().count() > 300 {
        errors.push(FieldError::new("title", "must be 1 to 300 characters"));
    }
    if text.is_empty() || text.chars().count() > 20_000 {
        errors.push(FieldError::new("text", "must be 1 to 20000 characters"));
    }
    let consultation = consultation_slug(conn, input.consultation.as_deref()).map_err(|e| match e {
        AppError::Validation(mut list) => {
            errors.append(&mut list);
            AppError::Validation(Vec::new())
        }
        other => other,
    });
    let consultation = match consultation {
        Ok(c) => Some(c),
        Err(AppError::Validation(_)) => None,
        Err(other) => return Err(other),
    };
    let mut ids_seen = BTreeSet::new();
    for id in &input.contribution_ids {
        if !ids_seen.insert(id.clone()) {
            continue;
        }
        match contribution_rows::find(conn, id)? {
            Some(c) if c.status == Status::Published.as_str() && Some(&c.consultation) == consultation.as_ref() => {}
            Some(_) => errors.push(FieldError::new(
                "contribution_ids",
                format!("`{id}` is not a published contribution of this consultation"),
            )),
            None => errors.push(FieldError::new("contribution_ids", format!("`{id}` does not exist"))),
        }
    }
    if let (Some(slug), true) = (&consultation, input.session.is_some() || input.group.is_some()) {
        let tree = structure_rows::find_consultation(conn, slug)?
            .map(|c| structure_rows::load_tree_rows(conn, std::slice::from_ref(&c.id)))
            .transpose()?;
        if let Some(number) = input.session {
            if !tree.as_ref().is_some_and(|t| t.sessions.iter().any(|s| s.number == number)) {
                errors.push(FieldError::new("session", format!("the consultation has no session {number}")));
            }
        }
        if let Some(group) = &input.group {
            if !tree.as_ref().is_some_and(|t| t.groups.iter().any(|g| &g.id == group)) {
                errors.push(FieldError::new("group", format!("the consultation has no group `{group}`")));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let now = clock::to_db(clock::now());
    let row = OutcomeRow {
        id: ids::new_id().to_string(),
        consultation: consultation.unwrap_or_default(),
        kind: input.kind.as_str().into(),
        session: input.session,
        segment: input.segment.clone(),
        group_id: input.group.clone(),
        title: title.into(),
        text: text.into(),
        status: OutcomeStatus::Draft.as_str().into(),
        organisation_id: caller.organisation_id.clone(),
        created_by: caller.client_id.clone(),
        created_at: now.clone(),
        updated_at: now,
        adopted_at: None,
        transmitted_at: None,
    };
    let linked: Vec<String> = ids_seen.into_iter().collect();
    let ordered: Vec<String> =
        input.contribution_ids.iter().filter(|id| linked.contains(id)).fold(Vec::new(), |mut acc, id| {
            if !acc.contains(id) {
                acc.push(id.clone());
            }
            acc
        });
    write_transaction(conn, |conn| rows::insert_outcome(conn, &row, &ordered).map_err(AppError::from))?;
    get_outcome(conn, caller, &row.id)
}

pub fn get_outcome(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<Outcome, AppError> {
    caller.require(Scope::ContributionsRead).or_else(|_| require_secretariat(caller))?;
    let row = rows::find_outcome(conn, id)?.ok_or_else(|| AppError::not_found("outcome"))?;
    if row.status == OutcomeStatus::Draft.as_str() && require_secretariat(caller).is_err() {
        return Err(AppError::not_found("outcome"));
    }
    let links = rows::outcome_links(conn, std::slice::from_ref(&row.id))?;
    outcome_view(row, &links)
}

/// Outcomes of a consultation: drafts only to the secretariat.
pub fn list_outcomes(conn: &mut DbConn, caller: &Caller, consultation: Option<&str>) -> Result<Vec<Outcome>, AppError> {
    caller.require(Scope::ContributionsRead).or_else(|_| require_secretariat(caller))?;
    let slug = consultation_slug(conn, consultation)?;
    let list = rows::list_outcomes(conn, &slug, require_secretariat(caller).is_ok())?;
    let ids: Vec<String> = list.iter().map(|o| o.id.clone()).collect();
    let links = rows::outcome_links(conn, &ids)?;
    list.into_iter().map(|o| outcome_view(o, &links)).collect()
}

/// Adopts (draft → adopted) or transmits (adopted → transmitted) an outcome.
pub fn advance_outcome(conn: &mut DbConn, caller: &Caller, id: &str, transmit: bool) -> Result<Outcome, AppError> {
    require_secretariat(caller)?;
    write_transaction(conn, |conn| -> Result<(), AppError> {
        let row = rows::find_outcome(conn, id)?.ok_or_else(|| AppError::not_found("outcome"))?;
        let status: OutcomeStatus =
            row.status.parse().map_err(|_| AppError::Internal(anyhow::anyhow!("outcome {id}")))?;
        let next = if transmit { status.transmit() } else { status.adopt() };
        let next = next.ok_or_else(|| {
            AppError::Conflict(format!(
                "cannot {} an outcome that is {status}",
                if transmit { "transmit" } else { "adopt" }
            ))
        })?;
        rows::set_outcome_status(conn, id, next.as_str(), &clock::to_db(clock::now()))?;
        Ok(())
    })?;
    get_outcome(conn, caller, id)
}

/// One progress report of a commitment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
pub struct ProgressReport {
    pub id: String,
    pub status: ProgressStatus,
    pub note: Option<String>,
    /// The date the report speaks of (YYYY-MM-DD).
    pub as_of: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(deny_unknown_fields)]
pub struct NewProgress {
    pub status: ProgressStatus,
    pub note: Option<String>,
    /// YYYY-MM-DD; today when absent.
    pub as_of: Option<String>,
}

fn progress_view(row: ProgressRow) -> Result<ProgressReport, AppError> {
    Ok(ProgressReport {
        status: row.status.parse().map_err(|_| AppError::Internal(anyhow::anyhow!("progress {}", row.id)))?,
        id: row.id,
        note: row.note,
        as_of: row.as_of,
        created_at: row.created_at,
    })
}

/// The owner reports progress on a commitment; the latest report (by date) becomes its status.
pub fn report_progress(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: &NewProgress,
) -> Result<ProgressReport, AppError> {
    caller.require(Scope::ContributionsWrite)?;
    let as_of = match &input.as_of {
        Some(d) => time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|_| AppError::Validation(vec![FieldError::new("as_of", "must be a date such as 2026-11-27")]))?,
        None => clock::now().date(),
    };
    if input.note.as_ref().is_some_and(|n| n.chars().count() > 5_000) {
        return Err(AppError::Validation(vec![FieldError::new("note", "must be at most 5000 characters")]));
    }
    write_transaction(conn, |conn| {
        let current = contributions::visible(conn, caller, id)?;
        if current.organisation != caller.organisation_id {
            return Err(AppError::Forbidden(
                "only the organisation that made the commitment reports its progress".into(),
            ));
        }
        let row = ProgressRow {
            id: ids::new_id().to_string(),
            contribution_id: id.to_owned(),
            status: input.status.as_str().into(),
            note: input.note.clone().filter(|n| !n.trim().is_empty()),
            as_of: as_of.to_string(),
            created_by: caller.client_id.clone(),
            created_at: clock::to_db(clock::now()),
        };
        if current.kind != crate::domain::contribution::ContributionKind::Commitment {
            return Err(AppError::Unprocessable("only commitments have progress reports".into()));
        }
        rows::insert_progress(conn, &row)?;
        let latest = rows::progress_of(conn, &[id.to_owned()])?.pop().map(|r| r.status).unwrap_or_default();
        contributions::set_progress_status(conn, caller, id, &latest)?;
        progress_view(row)
    })
}

pub fn progress(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<Vec<ProgressReport>, AppError> {
    caller.require(Scope::ContributionsRead)?;
    contributions::visible(conn, caller, id)?;
    rows::progress_of(conn, &[id.to_owned()])?.into_iter().map(progress_view).collect()
}

/// One cell of a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatsRow {
    /// The value of each grouped dimension (null: none).
    #[schema(value_type = Object, example = json!({"kind": "good_practice", "region": "africa"}))]
    pub keys: BTreeMap<String, Option<String>>,
    pub count: i64,
}

/// Counts of the contributions the caller may see that pass `filter`, grouped by up to three
/// dimensions. A contribution counts once in each of its regions and themes (and under null
/// when it has none).
pub fn stats(
    conn: &mut DbConn,
    caller: &Caller,
    filter: &Filter,
    group_by: &[StatsDimension],
) -> Result<Vec<StatsRow>, AppError> {
    caller.require(Scope::ContributionsRead)?;
    if group_by.len() > 3 {
        return Err(AppError::Validation(vec![FieldError::new("group_by", "at most 3 dimensions")]));
    }
    let mut dims: Vec<StatsDimension> = Vec::new();
    for d in group_by {
        if !dims.contains(d) {
            dims.push(*d);
        }
    }
    let rows = contribution_rows::stat_rows(conn, filter, &viewer(caller))?;
    let mut counts: BTreeMap<Vec<Option<String>>, i64> = BTreeMap::new();
    for r in rows {
        let regions: Vec<String> = serde_json::from_str(&r.regions).unwrap_or_default();
        let themes: Vec<String> = serde_json::from_str(&r.themes).unwrap_or_default();
        let values = |d: StatsDimension| -> Vec<Option<String>> {
            let one = |v: Option<String>| vec![v];
            let many = |list: &Vec<String>| {
                if list.is_empty() {
                    vec![None]
                } else {
                    list.iter().cloned().map(Some).collect()
                }
            };
            match d {
                StatsDimension::Kind => one(Some(r.kind.clone())),
                StatsDimension::Status => one(Some(r.status.clone())),
                StatsDimension::OrgKind => one(Some(r.org_kind.clone())),
                StatsDimension::Session => one(r.session.map(|s| s.to_string())),
                StatsDimension::Segment => one(r.segment.clone()),
                StatsDimension::Group => one(r.group_id.clone()),
                StatsDimension::Organisation => one(Some(r.organisation_id.clone())),
                StatsDimension::Region => many(&regions),
                StatsDimension::Theme => many(&themes),
            }
        };
        let mut combos: Vec<Vec<Option<String>>> = vec![Vec::new()];
        for d in &dims {
            let vals = values(*d);
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    vals.iter().map(move |v| {
                        let mut n = c.clone();
                        n.push(v.clone());
                        n
                    })
                })
                .collect();
        }
        for combo in combos {
            *counts.entry(combo).or_default() += 1;
        }
    }
    Ok(counts
        .into_iter()
        .map(|(values, count)| StatsRow {
            keys: dims.iter().map(|d| d.as_str().to_owned()).zip(values).collect(),
            count,
        })
        .collect())
}

/// Similar published contributions, as the rapporteur looks for what recurs across groups.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Cluster {
    /// The title of the most central member.
    pub label: String,
    pub contribution_ids: Vec<String>,
    pub titles: Vec<String>,
    /// Breakout groups (ids) and segments the members come from.
    pub groups: Vec<String>,
    pub segments: Vec<String>,
    pub regions: Vec<String>,
    pub organisations: Vec<String>,
}

/// Cosine similarity of TF-IDF vectors above which two contributions are grouped.
pub const CLUSTER_THRESHOLD: f64 = 0.3;
/// How many of the newest published contributions are compared.
pub const CLUSTER_WINDOW: i64 = 2_000;

/// Groups published contributions whose stemmed words are alike (TF-IDF over index words,
/// cosine similarity, single link above [`CLUSTER_THRESHOLD`]); clusters of one are left out.
pub fn clusters(conn: &mut DbConn, caller: &Caller, consultation: Option<&str>) -> Result<Vec<Cluster>, AppError> {
    caller.require(Scope::ContributionsRead)?;
    let slug = consultation_slug(conn, consultation)?;
    let rows = contribution_rows::cluster_rows(conn, &slug, CLUSTER_WINDOW)?;
    let docs: Vec<BTreeSet<&str>> =
        rows.iter().map(|r| r.search_terms.split(' ').filter(|t| !t.is_empty()).collect()).collect();
    let mut df: HashMap<&str, f64> = HashMap::new();
    for d in &docs {
        for t in d {
            *df.entry(t).or_default() += 1.0;
        }
    }
    let n = docs.len() as f64;
    let idf = |t: &str| ((1.0 + n) / (1.0 + df.get(t).copied().unwrap_or(0.0))).ln() + 1.0;
    let vectors: Vec<HashMap<&str, f64>> = docs.iter().map(|d| d.iter().map(|t| (*t, idf(t))).collect()).collect();
    let norms: Vec<f64> = vectors.iter().map(|v| v.values().map(|w| w * w).sum::<f64>().sqrt()).collect();
    let cosine = |a: usize, b: usize| -> f64 {
        let (small, large) = if vectors[a].len() <= vectors[b].len() { (a, b) } else { (b, a) };
        let dot: f64 = vectors[small].iter().filter_map(|(t, w)| vectors[large].get(t).map(|x| w * x)).sum();
        if norms[a] == 0.0 || norms[b] == 0.0 {
            0.0
        } else {
            dot / (norms[a] * norms[b])
        }
    };
    let mut parent: Vec<usize> = (0..docs.len()).collect();
    fn root(parent: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while parent[r] != r {
            parent[r] = parent[parent[r]];
            r = parent[r];
        }
        r
    }
    let mut centrality = vec![0.0f64; docs.len()];
    for a in 0..docs.len() {
        for b in (a + 1)..docs.len() {
            let s = cosine(a, b);
            if s >= CLUSTER_THRESHOLD {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra] = rb;
                centrality[a] += s;
                centrality[b] += s;
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..docs.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<Cluster> = groups
        .into_values()
        .filter(|members| members.len() > 1)
        .map(|members| {
            let central =
                members.iter().copied().max_by(|a, b| centrality[*a].total_cmp(&centrality[*b])).unwrap_or(members[0]);
            let set = |f: &dyn Fn(usize) -> Vec<String>| -> Vec<String> {
                members.iter().flat_map(|m| f(*m)).collect::<BTreeSet<_>>().into_iter().collect()
            };
            Cluster {
                label: rows[central].title.clone(),
                contribution_ids: members.iter().map(|m| rows[*m].id.clone()).collect(),
                titles: members.iter().map(|m| rows[*m].title.clone()).collect(),
                groups: set(&|m| rows[m].group_id.clone().into_iter().collect()),
                segments: set(&|m| rows[m].segment.clone().into_iter().collect()),
                regions: set(&|m| serde_json::from_str::<Vec<String>>(&rows[m].regions).unwrap_or_default()),
                organisations: set(&|m| vec![rows[m].organisation_id.clone()]),
            }
        })
        .collect();
    out.sort_by(|a, b| b.contribution_ids.len().cmp(&a.contribution_ids.len()).then_with(|| a.label.cmp(&b.label)));
    Ok(out)
}

/// Progress reports by commitment id.
pub type ProgressById = HashMap<String, Vec<ProgressReport>>;

/// Published contributions with their progress history, for reports.
pub fn published_with_progress(
    conn: &mut DbConn,
    caller: &Caller,
    consultation: &str,
) -> Result<(Vec<Contribution>, ProgressById), AppError> {
    let rows = contribution_rows::published_of(conn, consultation, &viewer(caller))?;
    let list: Vec<Contribution> = rows.into_iter().map(Contribution::from_row).collect::<Result<_, _>>()?;
    let commitment_ids: Vec<String> = list
        .iter()
        .filter(|c| c.kind == crate::domain::contribution::ContributionKind::Commitment)
        .map(|c| c.id.clone())
        .collect();
    let mut progress: HashMap<String, Vec<ProgressReport>> = HashMap::new();
    for r in rows::progress_of(conn, &commitment_ids)? {
        progress.entry(r.contribution_id.clone()).or_default().push(progress_view(r)?);
    }
    Ok((list, progress))
}

/// The consultation slug a report or count is about.
pub fn resolve_consultation(conn: &mut DbConn, slug: Option<&str>) -> Result<String, AppError> {
    consultation_slug(conn, slug)
}

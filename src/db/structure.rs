//! Reads of the consultation tree: one query per table for any number of consultations.

use diesel::prelude::*;

use super::schema::*;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = consultations)]
pub struct ConsultationRow {
    pub id: String,
    pub slug: String,
    pub title_en: String,
    pub title_fr: String,
    pub theme_en: String,
    pub theme_fr: String,
    pub venue_en: String,
    pub venue_fr: String,
    pub starts_on: String,
    pub ends_on: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = purposes)]
pub struct PurposeRow {
    pub id: String,
    pub consultation_id: String,
    pub position: i32,
    pub text_en: String,
    pub text_fr: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub consultation_id: String,
    pub number: i32,
    pub title_en: String,
    pub title_fr: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = segments)]
pub struct SegmentRow {
    pub id: String,
    pub session_id: String,
    pub key: String,
    pub kind: String,
    pub position: i32,
    pub title_en: String,
    pub title_fr: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = objectives)]
pub struct ObjectiveRow {
    pub id: String,
    pub session_id: String,
    pub segment_id: Option<String>,
    pub position: i32,
    pub text_en: String,
    pub text_fr: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = questions)]
pub struct QuestionRow {
    pub id: String,
    pub consultation_id: String,
    pub session_id: Option<String>,
    pub segment_id: Option<String>,
    pub parent_id: Option<String>,
    pub position: i32,
    pub label: Option<String>,
    pub text_en: String,
    pub text_fr: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = question_references)]
pub struct ReferenceRow {
    pub question_id: String,
    pub position: i32,
    pub document: String,
    pub section: Option<String>,
    pub paragraph: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = breakout_groups)]
pub struct GroupRow {
    pub id: String,
    pub segment_id: String,
    pub name: String,
}

/// Every row below a set of consultations, each list in display order.
#[derive(Debug, Default)]
pub struct TreeRows {
    pub purposes: Vec<PurposeRow>,
    pub sessions: Vec<SessionRow>,
    pub segments: Vec<SegmentRow>,
    pub objectives: Vec<ObjectiveRow>,
    pub questions: Vec<QuestionRow>,
    pub references: Vec<ReferenceRow>,
    pub groups: Vec<GroupRow>,
    /// `(group_id, region)` pairs.
    pub group_regions: Vec<(String, String)>,
}

pub fn list_consultations(conn: &mut DbConn) -> QueryResult<Vec<ConsultationRow>> {
    consultations::table
        .order((consultations::starts_on.desc(), consultations::slug.asc()))
        .select(ConsultationRow::as_select())
        .load(conn)
}

pub fn find_consultation(conn: &mut DbConn, slug: &str) -> QueryResult<Option<ConsultationRow>> {
    consultations::table
        .filter(consultations::slug.eq(slug))
        .select(ConsultationRow::as_select())
        .first(conn)
        .optional()
}

/// The parts of one consultation's structure a contribution can point at; each list is
/// loaded only when asked for, so that a contribution naming none of them costs no query.
#[derive(Default)]
pub struct ReferenceRows {
    pub sessions: Vec<SessionRow>,
    pub segments: Vec<SegmentRow>,
    pub groups: Vec<GroupRow>,
    pub questions: Vec<QuestionRow>,
}

/// Which lists of [`ReferenceRows`] to load.
pub struct ReferenceNeeds {
    pub sessions: bool,
    pub segments: bool,
    pub groups: bool,
    pub questions: bool,
}

pub fn load_reference_rows(
    conn: &mut DbConn,
    consultation_id: &String,
    needs: &ReferenceNeeds,
) -> QueryResult<ReferenceRows> {
    let ids = std::slice::from_ref(consultation_id);
    let mut rows = ReferenceRows::default();
    if needs.sessions {
        rows.sessions = sessions_of(conn, ids)?;
    }
    if needs.segments {
        rows.segments = segments_of(conn, ids)?;
    }
    if needs.groups {
        rows.groups = groups_of(conn, ids)?;
    }
    if needs.questions {
        rows.questions = questions_of(conn, ids)?;
    }
    Ok(rows)
}

fn sessions_of(conn: &mut DbConn, consultation_ids: &[String]) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::consultation_id.eq_any(consultation_ids))
        .order(sessions::number)
        .select(SessionRow::as_select())
        .load(conn)
}

fn segments_of(conn: &mut DbConn, consultation_ids: &[String]) -> QueryResult<Vec<SegmentRow>> {
    segments::table
        .filter(segments::consultation_id.eq_any(consultation_ids))
        .order(segments::position)
        .select(SegmentRow::as_select())
        .load(conn)
}

fn groups_of(conn: &mut DbConn, consultation_ids: &[String]) -> QueryResult<Vec<GroupRow>> {
    breakout_groups::table
        .filter(breakout_groups::consultation_id.eq_any(consultation_ids))
        .order((breakout_groups::created_at.asc(), breakout_groups::name.asc()))
        .select(GroupRow::as_select())
        .load(conn)
}

fn questions_of(conn: &mut DbConn, consultation_ids: &[String]) -> QueryResult<Vec<QuestionRow>> {
    questions::table
        .filter(questions::consultation_id.eq_any(consultation_ids))
        .order(questions::position)
        .select(QuestionRow::as_select())
        .load(conn)
}

/// Loads the trees of the given consultations with a fixed number of queries.
pub fn load_tree_rows(conn: &mut DbConn, consultation_ids: &[String]) -> QueryResult<TreeRows> {
    let groups = groups_of(conn, consultation_ids)?;
    let group_ids: Vec<&String> = groups.iter().map(|g| &g.id).collect();
    let group_regions = if group_ids.is_empty() {
        Vec::new()
    } else {
        breakout_group_regions::table
            .filter(breakout_group_regions::group_id.eq_any(group_ids))
            .order((breakout_group_regions::group_id, breakout_group_regions::region))
            .select((breakout_group_regions::group_id, breakout_group_regions::region))
            .load(conn)?
    };
    Ok(TreeRows {
        purposes: purposes::table
            .filter(purposes::consultation_id.eq_any(consultation_ids))
            .order(purposes::position)
            .select(PurposeRow::as_select())
            .load(conn)?,
        sessions: sessions_of(conn, consultation_ids)?,
        segments: segments_of(conn, consultation_ids)?,
        objectives: objectives::table
            .filter(objectives::consultation_id.eq_any(consultation_ids))
            .order(objectives::position)
            .select(ObjectiveRow::as_select())
            .load(conn)?,
        questions: questions_of(conn, consultation_ids)?,
        references: question_references::table
            .filter(question_references::consultation_id.eq_any(consultation_ids))
            .order(question_references::position)
            .select(ReferenceRow::as_select())
            .load(conn)?,
        groups,
        group_regions,
    })
}

/// The consultation a segment belongs to, if the segment exists.
pub fn segment_consultation(conn: &mut DbConn, segment_id: &str) -> QueryResult<Option<String>> {
    segments::table.find(segment_id).select(segments::consultation_id).first(conn).optional()
}

pub fn group_name_taken(conn: &mut DbConn, segment_id: &str, name: &str) -> QueryResult<bool> {
    let count: i64 = breakout_groups::table
        .filter(breakout_groups::segment_id.eq(segment_id))
        .filter(breakout_groups::name.eq(name))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

pub fn insert_group(
    conn: &mut DbConn,
    id: &str,
    consultation_id: &str,
    segment_id: &str,
    name: &str,
    regions: &[&str],
    created_at: &str,
) -> QueryResult<()> {
    diesel::insert_into(breakout_groups::table)
        .values((
            breakout_groups::id.eq(id),
            breakout_groups::consultation_id.eq(consultation_id),
            breakout_groups::segment_id.eq(segment_id),
            breakout_groups::name.eq(name),
            breakout_groups::created_at.eq(created_at),
        ))
        .execute(conn)?;
    for region in regions {
        diesel::insert_into(breakout_group_regions::table)
            .values((breakout_group_regions::group_id.eq(id), breakout_group_regions::region.eq(*region)))
            .execute(conn)?;
    }
    Ok(())
}

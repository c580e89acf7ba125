//! The consultation's structure as partners read it, in one language.

use std::collections::HashMap;

use async_graphql::{SimpleObject, ID};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::structure::{self as rows, ConsultationRow, QuestionRow, TreeRows};
use crate::db::DbConn;
use crate::domain::{Lang, Region, SegmentKind};
use crate::error::AppError;

/// A consultation without its tree, as listed.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "ConsultationSummary")]
pub struct ConsultationSummary {
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    #[schema(example = "grcp-7")]
    pub slug: String,
    pub title: String,
    pub theme: String,
    #[schema(example = "2017-10-10")]
    pub starts_on: String,
    #[schema(example = "2017-10-11")]
    pub ends_on: String,
    pub venue: String,
}

/// A consultation with its purposes, meeting-level questions (topics) and sessions.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "Consultation")]
pub struct Consultation {
    #[serde(flatten)]
    #[graphql(flatten)]
    pub summary: ConsultationSummary,
    pub purposes: Vec<TextItem>,
    /// The meeting-level guiding questions.
    pub topics: Vec<Question>,
    pub sessions: Vec<Session>,
}

/// A numbered text: a purpose of the meeting or an objective of a session or segment.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct TextItem {
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    pub position: i32,
    pub text: String,
}

/// A guiding question; sub-items carry a label (`i`, `ii`, `iii`).
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Question {
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    pub position: i32,
    pub label: Option<String>,
    pub text: String,
    #[schema(no_recursion)]
    pub children: Vec<Question>,
    pub references: Vec<Reference>,
}

/// A citation of a UN document, as the seed's footnotes place them.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Reference {
    /// UN document symbol, e.g. `A/RES/71/1` (New York Declaration).
    #[schema(example = "A/RES/71/1")]
    pub document: String,
    #[schema(example = "Annex II")]
    pub section: Option<String>,
    #[schema(example = 2)]
    pub paragraph: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Session {
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    pub number: i32,
    pub title: String,
    pub objectives: Vec<TextItem>,
    pub questions: Vec<Question>,
    pub segments: Vec<Segment>,
}

/// A part of a session: a discussion, the breakout groups, or the plenary.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Segment {
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    #[schema(example = "breakout")]
    pub key: String,
    pub kind: SegmentKind,
    pub title: String,
    pub objectives: Vec<TextItem>,
    pub questions: Vec<Question>,
    pub groups: Vec<BreakoutGroup>,
}

#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct BreakoutGroup {
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    pub name: String,
    pub regions: Vec<Region>,
}

fn summary(row: ConsultationRow, lang: Lang) -> ConsultationSummary {
    ConsultationSummary {
        id: ID(row.id),
        slug: row.slug,
        title: lang.pick(row.title_en, row.title_fr),
        theme: lang.pick(row.theme_en, row.theme_fr),
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        venue: lang.pick(row.venue_en, row.venue_fr),
    }
}

pub fn list_consultations(conn: &mut DbConn, lang: Lang) -> Result<Vec<ConsultationSummary>, AppError> {
    Ok(rows::list_consultations(conn)?.into_iter().map(|row| summary(row, lang)).collect())
}

/// Every consultation with its whole tree, loaded with a fixed number of queries.
pub fn list_consultation_trees(conn: &mut DbConn, lang: Lang) -> Result<Vec<Consultation>, AppError> {
    let consultations = rows::list_consultations(conn)?;
    let ids: Vec<String> = consultations.iter().map(|c| c.id.clone()).collect();
    let tree = rows::load_tree_rows(conn, &ids)?;
    Ok(assemble(consultations, tree, lang))
}

pub fn get_consultation(conn: &mut DbConn, slug: &str, lang: Lang) -> Result<Consultation, AppError> {
    let row = rows::find_consultation(conn, slug)?.ok_or_else(|| AppError::not_found("consultation"))?;
    let tree = rows::load_tree_rows(conn, std::slice::from_ref(&row.id))?;
    assemble(vec![row], tree, lang).pop().ok_or_else(|| AppError::not_found("consultation"))
}

/// Builds nested trees from flat rows that arrive in display order.
fn assemble(consultations: Vec<ConsultationRow>, rows: TreeRows, lang: Lang) -> Vec<Consultation> {
    let mut regions: HashMap<String, Vec<Region>> = HashMap::new();
    for (group, region) in rows.group_regions {
        if let Ok(region) = region.parse() {
            regions.entry(group).or_default().push(region);
        }
    }
    let mut groups: HashMap<String, Vec<BreakoutGroup>> = HashMap::new();
    for g in rows.groups {
        let regions = regions.remove(&g.id).unwrap_or_default();
        groups.entry(g.segment_id).or_default().push(BreakoutGroup { id: ID(g.id), name: g.name, regions });
    }

    let mut references: HashMap<String, Vec<Reference>> = HashMap::new();
    for r in rows.references {
        references.entry(r.question_id).or_default().push(Reference {
            document: r.document,
            section: r.section,
            paragraph: r.paragraph,
        });
    }
    let questions = QuestionForest::new(rows.questions, references, lang);

    // Objectives keyed by segment when they have one, else by session.
    let mut objectives: HashMap<String, Vec<TextItem>> = HashMap::new();
    for o in rows.objectives {
        let owner = o.segment_id.unwrap_or(o.session_id);
        objectives.entry(owner).or_default().push(TextItem {
            id: ID(o.id),
            position: o.position,
            text: lang.pick(o.text_en, o.text_fr),
        });
    }

    let mut segments: HashMap<String, Vec<Segment>> = HashMap::new();
    for s in rows.segments {
        let segment = Segment {
            objectives: objectives.remove(&s.id).unwrap_or_default(),
            questions: questions.under(&s.id),
            groups: groups.remove(&s.id).unwrap_or_default(),
            id: ID(s.id),
            key: s.key,
            kind: s.kind.parse().unwrap_or(SegmentKind::Discussion),
            title: lang.pick(s.title_en, s.title_fr),
        };
        segments.entry(s.session_id).or_default().push(segment);
    }

    let mut sessions: HashMap<String, Vec<Session>> = HashMap::new();
    for s in rows.sessions {
        let session = Session {
            objectives: objectives.remove(&s.id).unwrap_or_default(),
            questions: questions.under(&s.id),
            segments: segments.remove(&s.id).unwrap_or_default(),
            id: ID(s.id),
            number: s.number,
            title: lang.pick(s.title_en, s.title_fr),
        };
        sessions.entry(s.consultation_id).or_default().push(session);
    }

    let mut purposes: HashMap<String, Vec<TextItem>> = HashMap::new();
    for p in rows.purposes {
        purposes.entry(p.consultation_id).or_default().push(TextItem {
            id: ID(p.id),
            position: p.position,
            text: lang.pick(p.text_en, p.text_fr),
        });
    }

    consultations
        .into_iter()
        .map(|c| {
            let topics = questions.under(&c.id);
            let purposes = purposes.remove(&c.id).unwrap_or_default();
            let sessions = sessions.remove(&c.id).unwrap_or_default();
            Consultation { summary: summary(c, lang), purposes, topics, sessions }
        })
        .collect()
}

/// Questions grouped by what they hang under: a parent question, else a segment,
/// else a session, else the consultation (topics).
struct QuestionForest {
    by_owner: HashMap<String, Vec<QuestionRow>>,
    references: HashMap<String, Vec<Reference>>,
    lang: Lang,
}

impl QuestionForest {
    fn new(rows: Vec<QuestionRow>, references: HashMap<String, Vec<Reference>>, lang: Lang) -> Self {
        let mut by_owner: HashMap<String, Vec<QuestionRow>> = HashMap::new();
        for q in rows {
            let owner = q
                .parent_id
                .clone()
                .or_else(|| q.segment_id.clone())
                .or_else(|| q.session_id.clone())
                .unwrap_or_else(|| q.consultation_id.clone());
            by_owner.entry(owner).or_default().push(q);
        }
        QuestionForest { by_owner, references, lang }
    }

    fn under(&self, owner: &str) -> Vec<Question> {
        self.by_owner
            .get(owner)
            .map(|list| {
                list.iter()
                    .map(|q| Question {
                        id: ID(q.id.clone()),
                        position: q.position,
                        label: q.label.clone(),
                        text: self.lang.pick(q.text_en.clone(), q.text_fr.clone()),
                        children: self.under(&q.id),
                        references: self.references.get(&q.id).cloned().unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A new breakout group of a segment.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    #[schema(example = "Africa and the Middle East")]
    pub name: String,
    #[serde(default)]
    pub regions: Vec<Region>,
}

/// Adds a breakout group to a segment; names are unique within a segment.
pub fn create_group(conn: &mut DbConn, segment_id: &str, input: &NewGroup) -> Result<BreakoutGroup, AppError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Validation(vec![crate::error::FieldError::new("name", "must be 1 to 200 characters")]));
    }
    let mut regions = input.regions.clone();
    regions.sort();
    regions.dedup();
    let id = crate::domain::ids::new_id().to_string();
    crate::db::write_transaction(conn, |conn| {
        let consultation =
            rows::segment_consultation(conn, segment_id)?.ok_or_else(|| AppError::not_found("segment"))?;
        if rows::group_name_taken(conn, segment_id, name)? {
            return Err(AppError::Conflict(format!("the segment already has a group named `{name}`")));
        }
        let region_names: Vec<&str> = regions.iter().map(|r| r.as_str()).collect();
        rows::insert_group(
            conn,
            &id,
            &consultation,
            segment_id,
            name,
            &region_names,
            &crate::domain::clock::to_db(crate::domain::clock::now()),
        )?;
        Ok(())
    })?;
    Ok(BreakoutGroup { id: ID(id), name: name.to_owned(), regions })
}

//! Loads the seed files (the consultation, taxonomies, organisations) into an empty or
//! partly seeded database. Rows that exist are left alone, so a second run changes nothing.

use diesel::prelude::*;
use serde::Deserialize;

use super::schema::*;
use super::DbConn;
use crate::domain::ids::seed_id;
use crate::domain::{clock, OrgKind, Region, SegmentKind};

const CONSULTATIONS: &[&str] = &[include_str!("../../seed/consultations/grcp-7.json")];
const TAXONOMIES: &str = include_str!("../../seed/taxonomies.json");
const ORGANISATIONS: &str = include_str!("../../seed/organisations.json");

#[derive(Deserialize)]
struct Text {
    en: String,
    fr: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsultationSeed {
    slug: String,
    title: Text,
    theme: Text,
    starts_on: String,
    ends_on: String,
    venue: Text,
    purposes: Vec<TextItem>,
    topics: Vec<QuestionSeed>,
    sessions: Vec<SessionSeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextItem {
    text: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionSeed {
    text: Text,
    label: Option<String>,
    #[serde(default)]
    references: Vec<ReferenceSeed>,
    #[serde(default)]
    children: Vec<QuestionSeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferenceSeed {
    document: String,
    section: Option<String>,
    paragraph: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionSeed {
    number: i32,
    title: Text,
    objectives: Vec<TextItem>,
    questions: Vec<QuestionSeed>,
    segments: Vec<SegmentSeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentSeed {
    key: String,
    kind: SegmentKind,
    title: Text,
    objectives: Vec<TextItem>,
    questions: Vec<QuestionSeed>,
}

#[derive(Deserialize)]
struct TaxonomyFile {
    taxonomies: Vec<TaxonomySeed>,
}

#[derive(Deserialize)]
struct TaxonomySeed {
    key: String,
    title: Text,
    terms: Vec<TermSeed>,
}

#[derive(Deserialize)]
struct TermSeed {
    code: String,
    label: Text,
    title: Text,
    #[serde(default)]
    unverified: bool,
}

#[derive(Deserialize)]
struct OrganisationFile {
    organisations: Vec<OrganisationSeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganisationSeed {
    key: String,
    name: String,
    acronym: Option<String>,
    kind: OrgKind,
    regions: Vec<Region>,
}

/// What a seed run inserted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub consultations: usize,
    pub taxonomy_terms: usize,
    pub organisations: usize,
}

/// Inserts whatever part of the seed is missing, in one transaction.
pub fn run(conn: &mut DbConn) -> anyhow::Result<SeedReport> {
    let consultations: Vec<ConsultationSeed> = CONSULTATIONS
        .iter()
        .map(|text| serde_json::from_str(text))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("seed consultation file: {e}"))?;
    let taxonomy_file: TaxonomyFile =
        serde_json::from_str(TAXONOMIES).map_err(|e| anyhow::anyhow!("seed taxonomies file: {e}"))?;
    let organisation_file: OrganisationFile =
        serde_json::from_str(ORGANISATIONS).map_err(|e| anyhow::anyhow!("seed organisations file: {e}"))?;

    crate::db::write_transaction(conn, |conn| {
        let mut report = SeedReport::default();
        for seed in &consultations {
            report.consultations += insert_consultation(conn, seed)?;
        }
        for (position, taxonomy) in taxonomy_file.taxonomies.iter().enumerate() {
            report.taxonomy_terms += insert_taxonomy(conn, position, taxonomy)?;
        }
        for seed in &organisation_file.organisations {
            report.organisations += insert_organisation(conn, seed)?;
        }
        Ok(report)
    })
}

fn position(index: usize) -> i32 {
    i32::try_from(index + 1).unwrap_or(i32::MAX)
}

fn insert_consultation(conn: &mut DbConn, seed: &ConsultationSeed) -> QueryResult<usize> {
    let exists: i64 = consultations::table.filter(consultations::slug.eq(&seed.slug)).count().get_result(conn)?;
    if exists > 0 {
        return Ok(0);
    }
    let root = seed.slug.as_str();
    let cid = seed_id(root).to_string();
    diesel::insert_into(consultations::table)
        .values((
            consultations::id.eq(&cid),
            consultations::slug.eq(&seed.slug),
            consultations::title_en.eq(&seed.title.en),
            consultations::title_fr.eq(&seed.title.fr),
            consultations::theme_en.eq(&seed.theme.en),
            consultations::theme_fr.eq(&seed.theme.fr),
            consultations::venue_en.eq(&seed.venue.en),
            consultations::venue_fr.eq(&seed.venue.fr),
            consultations::starts_on.eq(&seed.starts_on),
            consultations::ends_on.eq(&seed.ends_on),
            consultations::created_at.eq(clock::to_db(clock::now())),
        ))
        .execute(conn)?;
    for (i, purpose) in seed.purposes.iter().enumerate() {
        diesel::insert_into(purposes::table)
            .values((
                purposes::id.eq(seed_id(&format!("{root}/purpose/{}", i + 1)).to_string()),
                purposes::consultation_id.eq(&cid),
                purposes::position.eq(position(i)),
                purposes::text_en.eq(&purpose.text.en),
                purposes::text_fr.eq(&purpose.text.fr),
            ))
            .execute(conn)?;
    }
    let place = Place { consultation: &cid, session: None, segment: None };
    insert_questions(conn, &place, &format!("{root}/topic"), None, &seed.topics)?;
    for session in &seed.sessions {
        let path = format!("{root}/session/{}", session.number);
        let sid = seed_id(&path).to_string();
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&sid),
                sessions::consultation_id.eq(&cid),
                sessions::number.eq(session.number),
                sessions::title_en.eq(&session.title.en),
                sessions::title_fr.eq(&session.title.fr),
            ))
            .execute(conn)?;
        let place = Place { consultation: &cid, session: Some(&sid), segment: None };
        insert_objectives(conn, &place, &path, &session.objectives)?;
        insert_questions(conn, &place, &format!("{path}/question"), None, &session.questions)?;
        for (i, segment) in session.segments.iter().enumerate() {
            let seg_path = format!("{path}/segment/{}", segment.key);
            let seg_id = seed_id(&seg_path).to_string();
            diesel::insert_into(segments::table)
                .values((
                    segments::id.eq(&seg_id),
                    segments::consultation_id.eq(&cid),
                    segments::session_id.eq(&sid),
                    segments::key.eq(&segment.key),
                    segments::kind.eq(segment.kind.as_str()),
                    segments::position.eq(position(i)),
                    segments::title_en.eq(&segment.title.en),
                    segments::title_fr.eq(&segment.title.fr),
                ))
                .execute(conn)?;
            let place = Place { consultation: &cid, session: Some(&sid), segment: Some(&seg_id) };
            insert_objectives(conn, &place, &seg_path, &segment.objectives)?;
            insert_questions(conn, &place, &format!("{seg_path}/question"), None, &segment.questions)?;
        }
    }
    Ok(1)
}

/// Where in the tree objectives and questions hang.
struct Place<'a> {
    consultation: &'a str,
    session: Option<&'a str>,
    segment: Option<&'a str>,
}

fn insert_objectives(conn: &mut DbConn, place: &Place<'_>, path: &str, items: &[TextItem]) -> QueryResult<()> {
    let Some(session) = place.session else { return Ok(()) };
    for (i, item) in items.iter().enumerate() {
        diesel::insert_into(objectives::table)
            .values((
                objectives::id.eq(seed_id(&format!("{path}/objective/{}", i + 1)).to_string()),
                objectives::consultation_id.eq(place.consultation),
                objectives::session_id.eq(session),
                objectives::segment_id.eq(place.segment),
                objectives::position.eq(position(i)),
                objectives::text_en.eq(&item.text.en),
                objectives::text_fr.eq(&item.text.fr),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn insert_questions(
    conn: &mut DbConn,
    place: &Place<'_>,
    path: &str,
    parent: Option<&str>,
    items: &[QuestionSeed],
) -> QueryResult<()> {
    for (i, question) in items.iter().enumerate() {
        let qpath = format!("{path}/{}", i + 1);
        let qid = seed_id(&qpath).to_string();
        diesel::insert_into(questions::table)
            .values((
                questions::id.eq(&qid),
                questions::consultation_id.eq(place.consultation),
                questions::session_id.eq(place.session),
                questions::segment_id.eq(place.segment),
                questions::parent_id.eq(parent),
                questions::position.eq(position(i)),
                questions::label.eq(&question.label),
                questions::text_en.eq(&question.text.en),
                questions::text_fr.eq(&question.text.fr),
            ))
            .execute(conn)?;
        for (r, reference) in question.references.iter().enumerate() {
            diesel::insert_into(question_references::table)
                .values((
                    question_references::question_id.eq(&qid),
                    question_references::position.eq(position(r)),
                    question_references::consultation_id.eq(place.consultation),
                    question_references::document.eq(&reference.document),
                    question_references::section.eq(&reference.section),
                    question_references::paragraph.eq(reference.paragraph),
                ))
                .execute(conn)?;
        }
        insert_questions(conn, place, &format!("{qpath}/child"), Some(&qid), &question.children)?;
    }
    Ok(())
}

fn insert_taxonomy(conn: &mut DbConn, index: usize, seed: &TaxonomySeed) -> QueryResult<usize> {
    let exists: i64 = taxonomies::table.filter(taxonomies::key.eq(&seed.key)).count().get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(taxonomies::table)
            .values((
                taxonomies::key.eq(&seed.key),
                taxonomies::position.eq(position(index)),
                taxonomies::title_en.eq(&seed.title.en),
                taxonomies::title_fr.eq(&seed.title.fr),
            ))
            .execute(conn)?;
    }
    let existing: Vec<String> = taxonomy_terms::table
        .filter(taxonomy_terms::taxonomy_key.eq(&seed.key))
        .select(taxonomy_terms::code)
        .load(conn)?;
    let mut inserted = 0;
    for (i, term) in seed.terms.iter().enumerate() {
        if existing.contains(&term.code) {
            continue;
        }
        diesel::insert_into(taxonomy_terms::table)
            .values((
                taxonomy_terms::id.eq(format!("{}/{}", seed.key, term.code)),
                taxonomy_terms::taxonomy_key.eq(&seed.key),
                taxonomy_terms::code.eq(&term.code),
                taxonomy_terms::position.eq(position(i)),
                taxonomy_terms::label_en.eq(&term.label.en),
                taxonomy_terms::label_fr.eq(&term.label.fr),
                taxonomy_terms::title_en.eq(&term.title.en),
                taxonomy_terms::title_fr.eq(&term.title.fr),
                taxonomy_terms::unverified.eq(term.unverified),
            ))
            .execute(conn)?;
        inserted += 1;
    }
    Ok(inserted)
}

fn insert_organisation(conn: &mut DbConn, seed: &OrganisationSeed) -> QueryResult<usize> {
    let exists: i64 = organisations::table.filter(organisations::seed_key.eq(&seed.key)).count().get_result(conn)?;
    if exists > 0 {
        return Ok(0);
    }
    let id = seed_id(&format!("organisation/{}", seed.key)).to_string();
    let regions: Vec<&str> = seed.regions.iter().map(|r| r.as_str()).collect();
    super::organisations::insert(
        conn,
        &super::organisations::NewOrganisationRow {
            id: &id,
            seed_key: Some(&seed.key),
            name: &seed.name,
            acronym: seed.acronym.as_deref(),
            kind: seed.kind.as_str(),
            regions: &regions,
            created_at: &clock::to_db(clock::now()),
        },
    )?;
    Ok(1)
}

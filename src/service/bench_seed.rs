//! A realistic data set for benchmarks: organisations of every kind and region, and
//! contributions of every kind and status with French and English bodies of about 1.6 KB,
//! written straight through the storage layer in large transactions (with their facets,
//! index words, revisions and change-feed rows, as the API would write them).

use rand_core::{OsRng, RngCore};

use crate::db::contributions::{self as rows, ContributionRow, Facets, RevisionRow};
use crate::db::organisations::{self as org_rows, NewOrganisationRow};
use crate::db::{changes as change_rows, write_transaction, DbConn};
use crate::domain::contribution::{ContributionKind, Event, Status};
use crate::domain::{clock, ids, search, OrgKind, Region};
use crate::error::AppError;
use crate::service::contributions::Contribution;

const FR_WORDS: &[&str] = &[
    "migration",
    "migrants",
    "pacte",
    "mondial",
    "coopération",
    "régionale",
    "politique",
    "protection",
    "droits",
    "travailleurs",
    "frontières",
    "intégration",
    "données",
    "partenariat",
    "mécanismes",
    "consultatifs",
    "retour",
    "réintégration",
    "diaspora",
    "envois",
    "fonds",
    "compétences",
    "reconnaissance",
    "traite",
    "trafic",
    "sécurité",
    "dialogue",
    "gouvernance",
    "durable",
    "développement",
    "inclusion",
    "sociale",
    "accès",
    "services",
    "santé",
];
const EN_WORDS: &[&str] = &[
    "migration",
    "migrants",
    "compact",
    "global",
    "cooperation",
    "regional",
    "policy",
    "protection",
    "rights",
    "workers",
    "borders",
    "integration",
    "data",
    "partnership",
    "mechanisms",
    "consultative",
    "return",
    "reintegration",
    "diaspora",
    "remittances",
    "funds",
    "skills",
    "recognition",
    "trafficking",
    "smuggling",
    "safety",
    "dialogue",
    "governance",
    "sustainable",
    "development",
    "inclusion",
    "social",
    "access",
    "services",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: fast and good enough for test data.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[(self.next() % list.len() as u64) as usize]
    }
}

fn text(rng: &mut Rng, words: &[&str], bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 16);
    while out.len() < bytes {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(rng.pick::<&str>(words));
    }
    out
}

/// What a seeding run made.
#[derive(Debug, serde::Serialize)]
pub struct Seeded {
    pub organisations: usize,
    pub contributions: usize,
}

/// Adds `organisations` organisations and `contributions` contributions.
pub fn run(conn: &mut DbConn, organisations: usize, contributions: usize) -> Result<Seeded, AppError> {
    let mut rng = Rng(OsRng.next_u64() | 1);
    let now = clock::to_db(clock::now());
    let mut orgs: Vec<(String, OrgKind)> = Vec::new();
    write_transaction(conn, |conn| -> Result<(), AppError> {
        for i in 0..organisations {
            let kind = OrgKind::ALL[i % (OrgKind::ALL.len() - 1)];
            let id = ids::new_id().to_string();
            let region = Region::ALL[i % Region::ALL.len()].as_str();
            org_rows::insert(
                conn,
                &NewOrganisationRow {
                    id: &id,
                    seed_key: None,
                    name: &format!("Benchmark organisation {i:04}"),
                    acronym: Some(&format!("BO{i}")),
                    kind: kind.as_str(),
                    regions: &[region],
                    created_at: &now,
                },
            )?;
            orgs.push((id, kind));
        }
        Ok(())
    })?;
    if orgs.is_empty() {
        return Ok(Seeded { organisations: 0, contributions: 0 });
    }
    let statuses = [
        Status::Published,
        Status::Published,
        Status::Published,
        Status::Submitted,
        Status::Draft,
        Status::ChangesRequested,
        Status::Rejected,
        Status::Withdrawn,
    ];
    let mut done = 0;
    while done < contributions {
        let batch = (contributions - done).min(2000);
        write_transaction(conn, |conn| -> Result<(), AppError> {
            for _ in 0..batch {
                let (org, kind) = rng.pick(&orgs).clone();
                let french = rng.next().is_multiple_of(2);
                let words = if french { FR_WORDS } else { EN_WORDS };
                let contribution_kind = *rng.pick(ContributionKind::ALL);
                let status = *rng.pick(&statuses);
                let region = *rng.pick(Region::ALL);
                let theme = format!("gcm_objectives/{}", 1 + rng.next() % 23);
                let at = clock::to_db(clock::now());
                let row = ContributionRow {
                    id: ids::new_id().to_string(),
                    consultation: "grcp-7".into(),
                    session: Some(2),
                    segment: Some("breakout".into()),
                    group_id: None,
                    kind: contribution_kind.as_str().into(),
                    practice_category: (contribution_kind == ContributionKind::GoodPractice).then(|| "policy".into()),
                    title: text(&mut rng, words, 60),
                    summary: Some(text(&mut rng, words, 200)),
                    body: text(&mut rng, words, 1350),
                    language: if french { "fr".into() } else { "en".into() },
                    scope: Some("regional".into()),
                    replicable: Some(true),
                    replicability_notes: None,
                    external_ref: None,
                    status: status.as_str().into(),
                    version: 1,
                    organisation_id: org.clone(),
                    org_kind: kind.as_str().into(),
                    created_by: "benchmark".into(),
                    endorsement_count: 0,
                    progress_status: None,
                    question_ids: "[]".into(),
                    regions: format!("[\"{}\"]", region.as_str()),
                    themes: format!("[\"{theme}\"]"),
                    links: "[]".into(),
                    created_at: at.clone(),
                    updated_at: at.clone(),
                    submitted_at: (status != Status::Draft).then(|| at.clone()),
                    published_at: (status == Status::Published).then(|| at.clone()),
                };
                let index = rows::SearchText {
                    terms: search::index_terms(
                        &row.language,
                        &[&row.title, row.summary.as_deref().unwrap_or(""), &row.body],
                    ),
                    rank: search::rank_terms(&row.language, &row.title, row.summary.as_deref()),
                };
                let regions = vec![region.as_str().to_owned()];
                let themes = vec![theme];
                rows::insert(conn, &row, &index, &Facets { regions: &regions, themes: &themes, questions: &[] })?;
                let view = Contribution::from_row(row.clone())?;
                let snapshot = serde_json::to_string(&view).map_err(|e| AppError::Internal(e.into()))?;
                rows::insert_revision(
                    conn,
                    &row.id,
                    &RevisionRow {
                        version: 1,
                        at: at.clone(),
                        by_client: "benchmark".into(),
                        status: row.status.clone(),
                        snapshot: snapshot.clone(),
                    },
                )?;
                change_rows::insert(
                    conn,
                    &change_rows::NewChange {
                        contribution_id: &row.id,
                        version: 1,
                        event: Event::Created.as_str(),
                        organisation_id: &org,
                        status_before: None,
                        status_after: &row.status,
                        snapshot: &snapshot,
                        at: &at,
                    },
                )?;
            }
            Ok(())
        })?;
        done += batch;
        if done % 20_000 == 0 || done == contributions {
            tracing::info!(done, total = contributions, "benchmark data");
        }
    }
    Ok(Seeded { organisations: orgs.len(), contributions })
}

//! Heavier contribution cases, each spawning its own app: keyset paging over 10,000 rows
//! while new ones arrive, the list limit, and a fixed full-text scenario whose ranked
//! answers are written out in full. Every case runs on SQLite and on Postgres with the same
//! expectations, so passing on both means both backends answer alike.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use consultation_hub::db::Backend;
use serde_json::{json, Value};

use crate::contributions::{create, id_of, list, minimal, post, query, titles, with, writer};
use crate::contributions_graphql::{data, lit};
use crate::helpers::{Partner, TestApp};
use crate::BackendCase;

pub const CASES: &[BackendCase] = &[
    ("contributions_load::paging_10000_while_inserting_sees_each_once", paging_10000_while_inserting_sees_each_once),
    ("contributions_load::limit_defaults_to_50_and_is_clamped_to_200", limit_defaults_to_50_and_is_clamped_to_200),
    (
        "contributions_load::search_ranks_a_fixed_corpus_the_same_on_every_backend",
        search_ranks_a_fixed_corpus_the_same_on_every_backend,
    ),
];

/// An app whose rate limit does not get in the way of thousands of requests.
fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.rate_limit = 1_000_000;
        c.db_pool_size = 8;
    })
}

/// Creates `n` drafts of `partner` over HTTP from 8 threads; returns their ids.
pub fn bulk_insert(app: &TestApp, partner: &Partner, n: usize) -> Vec<String> {
    const THREADS: usize = 8;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let token = partner.token.as_str();
                s.spawn(move || {
                    (t..n)
                        .step_by(THREADS)
                        .map(|i| {
                            let body =
                                with(minimal(&format!("Bulk {i}"), "Inserted in bulk."), json!({"submit": false}));
                            let r = post(app, token, &body);
                            assert_eq!(r.status, 201, "bulk insert {i}: {}", r.text());
                            id_of(&r.json())
                        })
                        .collect::<Vec<String>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("an inserting thread panicked")).collect()
    })
}

/// Follows `next_cursor` from the first page, `limit` at a time; returns the ids seen and
/// the number of pages.
pub fn page_through(app: &TestApp, token: &str, limit: usize) -> (Vec<String>, usize) {
    let limit_text = limit.to_string();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut pairs = vec![("limit", limit_text.as_str())];
        if let Some(c) = &cursor {
            pairs.push(("cursor", c.as_str()));
        }
        let page = list(app, token, &query(&pairs));
        pages += 1;
        let data = page["data"].as_array().unwrap_or_else(|| panic!("no data on page {pages}: {page}"));
        assert!(data.len() <= limit, "page {pages} has {} items, more than limit={limit}", data.len());
        seen.extend(data.iter().map(id_of));
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert!(!data.is_empty(), "page {pages} is empty but has a next cursor");
                cursor = Some(next.to_owned());
            }
            None => return (seen, pages),
        }
        assert!(pages < 100_000, "paging does not end");
    }
}

/// THE HEAVIEST CASE OF THE SUITE: 10,000 contributions created over HTTP, then read back
/// 137 at a time, following `next_cursor`, while another thread keeps creating new ones.
/// Keyset paging must show each of the 10,000 exactly once and no id twice.
fn paging_10000_while_inserting_sees_each_once(backend: Backend) {
    let app = spawn(backend);
    let owner = writer(&app);
    let originals = bulk_insert(&app, &owner, 10_000);
    assert_eq!(originals.len(), 10_000);
    assert_eq!(originals.iter().collect::<HashSet<_>>().len(), 10_000, "10,000 distinct ids");

    let stop = AtomicBool::new(false);
    let (paged, inserted) = std::thread::scope(|s| {
        let inserter = s.spawn(|| {
            let mut ids = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let body = minimal(&format!("Late {}", ids.len()), "Inserted while paging.");
                ids.push(id_of(&create(&app, &owner.token, &body)));
            }
            ids
        });
        let pager = s.spawn(|| page_through(&app, &owner.token, 137));
        // Stop the inserter whatever happened to the pager, then report.
        let paged = pager.join();
        stop.store(true, Ordering::SeqCst);
        let inserted = inserter.join();
        (paged.expect("the paging thread panicked"), inserted.expect("the inserting thread panicked"))
    });
    let (seen, pages) = paged;
    assert!(!inserted.is_empty(), "contributions were created while paging");
    assert!(pages >= 73, "10,000 rows at 137 a page take at least 73 pages, got {pages}");

    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in &seen {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    let twice: Vec<(&&str, &usize)> = counts.iter().filter(|(_, n)| **n > 1).take(5).collect();
    assert!(twice.is_empty(), "ids seen more than once (first 5): {twice:?}");
    let missing: Vec<&String> = originals.iter().filter(|id| !counts.contains_key(id.as_str())).collect();
    assert!(
        missing.is_empty(),
        "{} of the 10,000 were never seen, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let known: HashSet<&str> = originals.iter().chain(&inserted).map(String::as_str).collect();
    let strangers: Vec<&String> = seen.iter().filter(|id| !known.contains(id.as_str())).take(5).collect();
    assert!(strangers.is_empty(), "ids that nobody created: {strangers:?}");

    // A search that all 10,000 match (same relevance) ranks the newest SEARCH_WINDOW of them,
    // newest first, each once, and says so by ending there.
    let window = usize::try_from(consultation_hub::db::contributions::SEARCH_WINDOW).unwrap_or(1000);
    let mut found: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut pairs = vec![("q", "bulk"), ("limit", "200")];
        if let Some(c) = &cursor {
            pairs.push(("cursor", c.as_str()));
        }
        let page = list(&app, &owner.token, &query(&pairs));
        found.extend(page["data"].as_array().into_iter().flatten().map(id_of));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(found.len() <= 2 * window, "search paging does not end");
    }
    let mut newest = originals.clone();
    newest.sort_unstable_by(|a, b| b.cmp(a));
    newest.truncate(window);
    assert_eq!(found, newest, "the newest {window} matches, newest first, each once");
}

fn limit_defaults_to_50_and_is_clamped_to_200(backend: Backend) {
    let app = spawn(backend);
    let owner = writer(&app);
    let made: HashSet<String> = bulk_insert(&app, &owner, 205).into_iter().collect();
    let t = owner.token.as_str();

    let default = list(&app, t, "");
    assert_eq!(default["data"].as_array().map(Vec::len), Some(50), "the default limit is 50");
    assert!(default["next_cursor"].is_string());

    let clamped = list(&app, t, "limit=500");
    assert_eq!(clamped["data"].as_array().map(Vec::len), Some(200), "limit=500 is clamped to 200");
    let cursor = clamped["next_cursor"].as_str().unwrap_or_else(|| panic!("a next page after 200 of 205"));
    let rest = list(&app, t, &query(&[("limit", "500"), ("cursor", cursor)]));
    assert_eq!(rest["data"].as_array().map(Vec::len), Some(5));
    assert!(rest["next_cursor"].is_null(), "{}", rest["next_cursor"]);

    let seen: HashSet<String> = [&clamped, &rest]
        .into_iter()
        .flat_map(|p: &Value| p["data"].as_array().into_iter().flatten().map(id_of))
        .collect();
    assert_eq!(seen, made, "two pages hold all 205");
}

/// Twelve contributions in French and English, created in this order. The bodies are chosen
/// so that each query's answer is the same whether a row is stemmed in its own language or
/// in both (checked against PostgreSQL's Snowball `french` and `english` configurations, and
/// with accents folded).
const CORPUS: [(&str, &str, &str); 12] = [
    ("fr", "Les migrations de travail", "Les accords bilatéraux encadrent la mobilité de la main-d'oeuvre."),
    ("en", "Data for policy", "Better migration data informs evidence-based decisions."),
    ("en", "Border management", "Integrated border management policies respect human rights."),
    ("fr", "Travailleurs saisonniers", "Les flux migratoires saisonniers demandent une protection sociale."),
    ("fr", "Recrutement équitable", "Le recrutement équitable protège les travailleurs migrants contre les abus."),
    ("en", "Skills partnerships", "Training programmes help workers gain recognised skills before departure."),
    ("en", "Remittance costs", "Lowering the cost of sending money home supports families."),
    ("en", "Health of migrants", "Access to health services for migrants in transit."),
    ("fr", "Envois de fonds", "Réduire le coût des transferts d'argent vers les familles."),
    ("fr", "Gestion des frontières", "Les politiques de gestion des frontières respectent les droits humains."),
    (
        "en",
        "Labour mobility corridors",
        "Bilateral agreements organise labour mobility between countries of origin and destination.",
    ),
    ("fr", "Jardins partagés", "Un chat mignon dort au soleil dans le jardin."),
];

/// Each query with the exact titles it finds, best first. Where two are found, one has the
/// word in its title and was created before the other, which has it only in its body: the
/// title match ranks first although newest-first would put it last.
const QUERIES: &[(&str, &[&str])] = &[
    ("migration", &["Les migrations de travail", "Data for policy"]),
    ("migrations", &["Les migrations de travail", "Data for policy"]),
    ("migratoires", &["Travailleurs saisonniers"]),
    ("policy", &["Data for policy", "Border management"]),
    ("policies", &["Data for policy", "Border management"]),
    ("worker", &["Skills partnerships"]),
    ("workers", &["Skills partnerships"]),
    ("travailleurs", &["Travailleurs saisonniers", "Recrutement équitable"]),
    ("recrutement", &["Recrutement équitable"]),
    ("remittances", &["Remittance costs"]),
    ("fonds", &["Envois de fonds"]),
    ("gestion", &["Gestion des frontières"]),
    ("border", &["Border management"]),
    ("health", &["Health of migrants"]),
    ("skills", &["Skills partnerships"]),
    ("labour", &["Labour mobility corridors"]),
    ("mignon", &["Jardins partagés"]),
    ("zanzibar", &[]),
];

fn search_ranks_a_fixed_corpus_the_same_on_every_backend(backend: Backend) {
    let app = spawn(backend);
    let owner = writer(&app);
    let t = owner.token.as_str();
    for (language, title, body) in CORPUS {
        create(&app, t, &json!({"kind": "recommendation", "title": title, "body": body, "language": language}));
    }
    for (q, expected) in QUERIES {
        let rest = titles(&list(&app, t, &query(&[("q", *q)])));
        assert_eq!(rest, *expected, "REST q={q}");

        let doc = app.graphql_as(
            t,
            &format!(
                "{{ contributions(filter: {{q: {}}}, first: 100) {{ totalCount edges {{ node {{ title }} }} }} }}",
                lit(q)
            ),
            json!({}),
        );
        let conn = data(&doc, "contributions");
        let gql: Vec<&str> = conn["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"]["title"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(gql, *expected, "GraphQL q={q}: {doc}");
        assert_eq!(conn["totalCount"], Value::from(expected.len()), "GraphQL totalCount q={q}");
    }
}

//! The seeded consultation's structure over REST, in both languages.

use serde_json::Value;

use crate::helpers::TestApp;
use crate::AppCase;

pub const CASES: &[AppCase] = &[
    ("structure::tree_has_the_seed_shape", tree_has_the_seed_shape),
    ("structure::topic_sub_items_cite_their_documents", topic_sub_items_cite_their_documents),
    ("structure::french_texts_are_the_seed_words", french_texts_are_the_seed_words),
    (
        "structure::english_is_the_default_and_every_text_is_translated",
        english_is_the_default_and_every_text_is_translated,
    ),
    ("structure::language_negotiation", language_negotiation),
    (
        "structure::unsupported_lang_parameter_is_a_validation_problem",
        unsupported_lang_parameter_is_a_validation_problem,
    ),
    ("structure::consultation_list_and_unknown_slug", consultation_list_and_unknown_slug),
    ("structure::taxonomies_have_the_contract_terms", taxonomies_have_the_contract_terms),
    ("structure::organisations_page_by_cursor_without_gaps", organisations_page_by_cursor_without_gaps),
    ("structure::organisation_by_id_and_bad_cursor", organisation_by_id_and_bad_cursor),
];

pub fn tree(app: &TestApp, lang: &str) -> Value {
    let response = app.get(&format!("/api/v1/consultations/grcp-7?lang={lang}"));
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("content-language"), Some(lang));
    response.json()
}

fn len(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

fn tree_has_the_seed_shape(app: &TestApp) {
    let t = tree(app, "fr");
    assert_eq!(t["slug"], "grcp-7");
    assert_eq!(t["starts_on"], "2017-10-10");
    assert_eq!(t["ends_on"], "2017-10-11");
    assert_eq!(len(&t["purposes"]), 3);
    assert_eq!(len(&t["topics"]), 4);
    let labels: Vec<&str> =
        t["topics"][1]["children"].as_array().into_iter().flatten().filter_map(|c| c["label"].as_str()).collect();
    assert_eq!(labels, ["i", "ii", "iii"]);
    assert!(t["topics"][0]["label"].is_null());

    let sessions = t["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.iter().map(|s| s["number"].as_i64()).collect::<Vec<_>>(), [Some(1), Some(2), Some(3)]);

    let s1 = &sessions[0];
    assert_eq!((len(&s1["objectives"]), len(&s1["questions"]), len(&s1["segments"])), (2, 3, 0));

    let s2 = &sessions[1];
    assert_eq!((len(&s2["objectives"]), len(&s2["questions"])), (6, 0));
    let keys: Vec<(&str, &str)> = s2["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| (s["key"].as_str().unwrap_or(""), s["kind"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(keys, [("breakout", "breakout"), ("plenary", "plenary")]);
    let breakout = &s2["segments"][0];
    assert_eq!(len(&breakout["questions"]), 5);
    let children: Vec<usize> =
        breakout["questions"].as_array().into_iter().flatten().map(|q| len(&q["children"])).collect();
    assert_eq!(children, [0, 3, 0, 0, 0]);
    assert_eq!(len(&breakout["groups"]), 0);
    assert_eq!(len(&s2["segments"][1]["questions"]), 6);

    let s3 = &sessions[2];
    assert_eq!((len(&s3["objectives"]), len(&s3["questions"])), (0, 0));
    let shape: Vec<(&str, &str, usize, usize)> = s3["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["key"].as_str().unwrap_or(""),
                s["kind"].as_str().unwrap_or(""),
                len(&s["objectives"]),
                len(&s["questions"]),
            )
        })
        .collect();
    assert_eq!(shape, [("follow-up", "discussion", 2, 2), ("partners", "discussion", 4, 4)]);

    // Positions count from 1 in order; ids are UUIDs.
    for (i, p) in t["purposes"].as_array().into_iter().flatten().enumerate() {
        assert_eq!(p["position"].as_u64(), Some(i as u64 + 1));
        assert!(uuid::Uuid::parse_str(p["id"].as_str().unwrap_or("")).is_ok());
    }
}

fn topic_sub_items_cite_their_documents(app: &TestApp) {
    let t = tree(app, "en");
    let children = &t["topics"][1]["children"];
    let nyd = |p: u64| serde_json::json!({"document": "A/RES/71/1", "section": "Annex II", "paragraph": p});
    let modalities = |p: u64| serde_json::json!({"document": "A/RES/71/280", "section": null, "paragraph": p});
    assert_eq!(children[0]["references"], serde_json::json!([nyd(2)]));
    assert_eq!(children[1]["references"], serde_json::json!([modalities(2)]));
    assert_eq!(children[2]["references"], serde_json::json!([nyd(8), modalities(15)]));
    // Nothing else in the tree carries a reference.
    let mut cited = 0;
    walk_questions(&t, &mut |q| cited += len(&q["references"]));
    assert_eq!(cited, 4);
}

/// Calls `f` on every question of a tree, sub-items included.
pub fn walk_questions(tree: &Value, f: &mut dyn FnMut(&Value)) {
    fn visit(list: &Value, f: &mut dyn FnMut(&Value)) {
        for q in list.as_array().into_iter().flatten() {
            f(q);
            visit(&q["children"], f);
        }
    }
    visit(&tree["topics"], f);
    for s in tree["sessions"].as_array().into_iter().flatten() {
        visit(&s["questions"], f);
        for seg in s["segments"].as_array().into_iter().flatten() {
            visit(&seg["questions"], f);
        }
    }
}

/// Every text of a tree with its path.
fn texts(tree: &Value) -> Vec<(String, String)> {
    let mut out = vec![
        ("title".to_owned(), tree["title"].as_str().unwrap_or_default().to_owned()),
        ("theme".to_owned(), tree["theme"].as_str().unwrap_or_default().to_owned()),
    ];
    fn collect(path: String, v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    if (k == "text" || k == "title") && v.is_string() {
                        out.push((format!("{path}.{k}"), v.as_str().unwrap_or_default().to_owned()));
                    } else {
                        collect(format!("{path}.{k}"), v, out);
                    }
                }
            }
            Value::Array(list) => {
                for (i, v) in list.iter().enumerate() {
                    collect(format!("{path}[{i}]"), v, out);
                }
            }
            _ => {}
        }
    }
    for key in ["purposes", "topics", "sessions"] {
        collect(key.to_owned(), &tree[key], &mut out);
    }
    out
}

fn french_texts_are_the_seed_words(app: &TestApp) {
    // The seed document, as the secretariat wrote it, without its markdown emphasis and
    // footnote marks (which the tree carries as `references`), lines joined by spaces.
    let source = include_str!("../../seed/source/grcp-7.fr.md");
    let normalized: String = source
        .replace("**", "")
        .replace(['¹', '²', '³', '⁴', '*'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let t = tree(app, "fr");
    let all = texts(&t);
    assert!(all.len() > 50, "expected every text of the tree, got {}", all.len());
    for (path, text) in all {
        if path.ends_with("venue") {
            continue;
        }
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(normalized.contains(&words), "{path}: {text:?} is not in the seed document");
    }
    assert_eq!(
        t["topics"][1]["children"][0]["text"],
        "des principes, engagements et accords concernant les migrations internationales sous tous leurs aspects qui pourraient sous-tendre un cadre global de coopération internationale sur les migrants et la mobilité humaine et renforcer la gouvernance et la coordination mondiales s'agissant des migrations internationales ?"
    );
    assert_eq!(t["sessions"][1]["segments"][0]["title"], "Groupes de discussion");
}

fn english_is_the_default_and_every_text_is_translated(app: &TestApp) {
    let response = app.get("/api/v1/consultations/grcp-7");
    assert_eq!(response.header("content-language"), Some("en"));
    let en = response.json();
    let fr = tree(app, "fr");
    let (en_texts, fr_texts) = (texts(&en), texts(&fr));
    assert_eq!(en_texts.len(), fr_texts.len());
    for ((path, e), (_, f)) in en_texts.iter().zip(&fr_texts) {
        assert!(!e.trim().is_empty(), "{path} has no English text");
        assert_ne!(e, f, "{path} is not translated");
    }
    assert!(en["theme"].as_str().unwrap_or_default().contains("Global Compact"), "{}", en["theme"]);
}

fn language_negotiation(app: &TestApp) {
    let fr = app.get_with("/api/v1/consultations/grcp-7", &[("accept-language", "de-DE, fr-CH;q=0.9, en;q=0.5")]);
    assert_eq!(fr.header("content-language"), Some("fr"));
    assert!(fr.json()["title"].as_str().unwrap_or_default().starts_with("Septième"));
    let explicit = app.get_with("/api/v1/consultations/grcp-7?lang=en", &[("accept-language", "fr")]);
    assert_eq!(explicit.header("content-language"), Some("en"));
    let unknown = app.get_with("/api/v1/taxonomies", &[("accept-language", "de")]);
    assert_eq!(unknown.header("content-language"), Some("en"));
    let fr_terms = app.get("/api/v1/taxonomies?lang=fr").json();
    let en_terms = app.get("/api/v1/taxonomies?lang=en").json();
    assert_ne!(fr_terms["data"][0]["terms"][0]["title"], en_terms["data"][0]["terms"][0]["title"]);
}

fn unsupported_lang_parameter_is_a_validation_problem(app: &TestApp) {
    let body = app.get("/api/v1/consultations/grcp-7?lang=xx").problem(422);
    assert_eq!(body["errors"][0]["field"], "lang");
}

fn consultation_list_and_unknown_slug(app: &TestApp) {
    let list = app.get("/api/v1/consultations?lang=fr");
    assert_eq!(list.status, 200);
    let body = list.json();
    assert_eq!(len(&body["data"]), 1);
    assert_eq!(body["data"][0]["slug"], "grcp-7");
    assert!(body["next_cursor"].is_null());
    assert!(body["data"][0].get("sessions").is_none(), "a list shows summaries");
    app.get("/api/v1/consultations/grcp-99").problem(404);
}

fn taxonomies_have_the_contract_terms(app: &TestApp) {
    let body = app.get("/api/v1/taxonomies").json();
    let data = body["data"].as_array().expect("data");
    let find = |key: &str| data.iter().find(|t| t["key"] == key).unwrap_or_else(|| panic!("taxonomy {key}"));
    let codes = |key: &str| -> Vec<String> {
        find(key)["terms"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| t["code"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(codes("gcm_objectives"), (1..=23).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(codes("gcm_guiding_principles").len(), 10);
    assert_eq!(codes("nyd_annex2_elements"), ('a'..='x').map(|c| c.to_string()).collect::<Vec<_>>());
    assert_eq!(codes("gcm_thematic_clusters").len(), 6);
    let five = &find("gcm_objectives")["terms"][4];
    assert_eq!(five["id"], "gcm_objectives/5");
    assert_eq!(five["label"], "Regular pathways");
    assert!(five["title"].as_str().unwrap_or_default().starts_with("Enhance availability and flexibility"));
}

fn organisations_page_by_cursor_without_gaps(app: &TestApp) {
    let everything = app.get("/api/v1/organisations?limit=200").json();
    let total = len(&everything["data"]);
    assert!(total >= 25, "seed organisations: {total}");
    let mut seen = Vec::new();
    let mut path = "/api/v1/organisations?limit=7".to_owned();
    loop {
        let page = app.get(&path);
        assert_eq!(page.status, 200);
        let body = page.json();
        seen.extend(body["data"].as_array().into_iter().flatten().map(|o| o["id"].as_str().unwrap_or("").to_owned()));
        match body["next_cursor"].as_str() {
            Some(_) => {
                let link = page.header("link").expect("Link header on a page with a next one");
                let target = link.trim_start_matches('<').split('>').next().unwrap_or_default();
                assert!(link.ends_with("rel=\"next\""), "{link}");
                path = target.to_owned();
            }
            None => {
                assert!(page.header("link").is_none());
                break;
            }
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), total);
    assert_eq!(unique.len(), total);
    let first = &everything["data"][0];
    for key in ["id", "name", "acronym", "kind", "regions"] {
        assert!(first.get(key).is_some(), "organisation field {key}");
    }
}

fn organisation_by_id_and_bad_cursor(app: &TestApp) {
    let list = app.get("/api/v1/organisations?limit=1").json();
    let id = list["data"][0]["id"].as_str().expect("id").to_owned();
    let one = app.get(&format!("/api/v1/organisations/{id}"));
    assert_eq!(one.status, 200);
    assert_eq!(one.json(), list["data"][0]);
    app.get("/api/v1/organisations/00000000-0000-0000-0000-000000000000").problem(404);
    app.get("/api/v1/organisations?cursor=garbage").problem(400);
    app.get("/api/v1/organisations?limit=ten").problem(400);
    app.get("/api/v1/organisations?colour=blue").problem(400);
}

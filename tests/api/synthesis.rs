//! Synthesis and follow-up: outcomes, commitments' progress, counts, clusters, the report.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Reader, Xlsx};
use serde_json::{json, Value};

use crate::helpers::{Partner, TestApp};
use crate::AppCase;

pub const CASES: &[AppCase] = &[
    ("synthesis::outcomes_go_from_draft_to_transmitted", outcomes_go_from_draft_to_transmitted),
    ("synthesis::commitments_report_progress", commitments_report_progress),
    ("synthesis::stats_equal_independent_counts_under_each_callers_visibility", stats_equal_independent_counts),
    (
        "synthesis::near_identical_recommendations_cluster_across_groups",
        near_identical_recommendations_cluster_across_groups,
    ),
    ("synthesis::report_in_every_format_has_the_transmitted_recommendations", report_in_every_format),
];

const WRITER: &str = "consultation:read contributions:read contributions:write";

fn contribution(app: &TestApp, p: &Partner, body: Value) -> String {
    let r = app.json_as("POST", Some(&p.token), "/api/v1/contributions", &body);
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap_or_default().to_owned()
}

fn publish(app: &TestApp, id: &str) {
    let r = app.json_as(
        "POST",
        Some(&app.admin_token),
        &format!("/api/v1/contributions/{id}/review"),
        &json!({"decision": "publish"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

fn published(app: &TestApp, p: &Partner, body: Value) -> String {
    let mut body = body;
    body["submit"] = json!(true);
    let id = contribution(app, p, body);
    publish(app, &id);
    id
}

fn outcomes_go_from_draft_to_transmitted(app: &TestApp) {
    let p = app.partner("rcp", WRITER);
    let support = published(app, &p, json!({"kind": "recommendation", "title": "Support me", "body": "B"}));
    let draft = contribution(app, &p, json!({"kind": "recommendation", "title": "Not published", "body": "B"}));
    let bad = app.post_json(
        "/api/v1/outcomes",
        &json!({"kind": "general_recommendation", "title": "T", "text": "X", "contribution_ids": [draft]}),
    );
    assert_eq!(bad.problem(422)["errors"][0]["field"], "contribution_ids");
    app.post_json("/api/v1/outcomes", &json!({"kind": "verdict", "title": "T", "text": "X"})).problem(400);
    // A group that is not one of the consultation's is a field error, not a failed foreign key.
    let no_group = app.post_json(
        "/api/v1/outcomes",
        &json!({"consultation": "grcp-7", "kind": "general_recommendation", "group": "\u{a03cf}", "title": "T", "text": "X"}),
    );
    assert_eq!(no_group.problem(422)["errors"][0]["field"], "group");
    let forbidden = app.json_as(
        "POST",
        Some(&p.token),
        "/api/v1/outcomes",
        &json!({"kind": "agreement", "title": "T", "text": "X"}),
    );
    assert!(forbidden.problem(403)["detail"].as_str().unwrap_or_default().contains("review"));

    let created = app.post_json(
        "/api/v1/outcomes",
        &json!({"consultation": "grcp-7", "kind": "general_recommendation", "session": 2, "segment": "plenary",
                "title": "Strengthen ISCM partnerships", "text": "The meeting recommends…", "contribution_ids": [support]}),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let o = created.json();
    assert_eq!((o["status"].as_str(), o["contribution_ids"].clone()), (Some("draft"), json!([support])));
    let id = o["id"].as_str().unwrap_or_default().to_owned();
    // Partners do not see drafts.
    assert!(app.get_as(Some(&p.token), "/api/v1/outcomes?consultation=grcp-7").json()["data"]
        .as_array()
        .is_some_and(|l| l.is_empty()));
    app.get_as(Some(&p.token), &format!("/api/v1/outcomes/{id}")).problem(404);
    app.post_json(&format!("/api/v1/outcomes/{id}/transmit"), &json!({})).problem(409);
    assert_eq!(app.post_json(&format!("/api/v1/outcomes/{id}/adopt"), &json!({})).json()["status"], "adopted");
    let sent = app.post_json(&format!("/api/v1/outcomes/{id}/transmit"), &json!({})).json();
    assert_eq!(sent["status"], "transmitted");
    assert!(sent["transmitted_at"].is_string());
    app.post_json(&format!("/api/v1/outcomes/{id}/adopt"), &json!({})).problem(409);
    let seen = app.get_as(Some(&p.token), "/api/v1/outcomes?consultation=grcp-7").json();
    assert_eq!(seen["data"][0]["id"], id.as_str());
    let gql = app.graphql("{ outcomes(consultation: \"grcp-7\") { id status kind contributionIds } }", json!({}));
    assert_eq!(gql["data"]["outcomes"][0]["status"], "TRANSMITTED");
}

fn commitments_report_progress(app: &TestApp) {
    let p = app.partner("un_regional_commission", WRITER);
    let other = app.partner("ngo", WRITER);
    let c = published(app, &p, json!({"kind": "commitment", "title": "Train 200 border officials", "body": "B"}));
    let report = |token: &str, body: Value| {
        app.json_as("POST", Some(token), &format!("/api/v1/contributions/{c}/progress"), &body)
    };
    assert_eq!(
        report(&p.token, json!({"status": "in_progress", "note": "Half trained", "as_of": "2026-06-30"})).status,
        201
    );
    assert_eq!(report(&p.token, json!({"status": "planned", "as_of": "2026-01-15"})).status, 201, "an older report");
    let latest = app.get_as(Some(&p.token), &format!("/api/v1/contributions/{c}")).json();
    assert_eq!(latest["progress_status"], "in_progress", "the latest by date, not by entry");
    let history = app.get_as(Some(&other.token), &format!("/api/v1/contributions/{c}/progress")).json();
    let statuses: Vec<&str> =
        history["data"].as_array().into_iter().flatten().filter_map(|r| r["status"].as_str()).collect();
    assert_eq!(statuses, ["planned", "in_progress"]);
    report(&other.token, json!({"status": "achieved"})).problem(403);
    report(&p.token, json!({"status": "done"})).problem(400);
    report(&p.token, json!({"status": "achieved", "as_of": "tomorrow"})).problem(422);
    let rec = published(app, &p, json!({"kind": "recommendation", "title": "R", "body": "B"}));
    app.json_as(
        "POST",
        Some(&p.token),
        &format!("/api/v1/contributions/{rec}/progress"),
        &json!({"status": "planned"}),
    )
    .problem(422);
    let gql = app.graphql("{ commitments(consultation: \"grcp-7\") { id progressStatus } }", json!({}));
    assert_eq!(gql["data"]["commitments"][0]["progressStatus"], "in_progress");
}

/// Every contribution the token may see, by following the list's cursors.
fn all_visible(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut path = "/api/v1/contributions?limit=200".to_owned();
    loop {
        let page = app.get_as(Some(token), &path).json();
        out.extend(page["data"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/contributions?limit=200&cursor={c}"),
            None => return out,
        }
    }
}

fn stats_equal_independent_counts(app: &TestApp) {
    let a = app.partner("ngo", WRITER);
    let b = app.partner("academia", WRITER);
    let regions = ["africa", "asia", "europe"];
    let kinds = ["good_practice", "recommendation", "gap"];
    for i in 0..18 {
        let owner = if i % 2 == 0 { &a } else { &b };
        let mut body =
            json!({"kind": kinds[i % 3], "title": format!("S{i}"), "body": "B", "regions": [regions[i % 3]]});
        if i % 4 == 0 {
            body["regions"] = json!([regions[i % 3], "global"]);
        }
        match i % 3 {
            0 => {
                published(app, owner, body);
            }
            1 => {
                body["submit"] = json!(true);
                contribution(app, owner, body);
            }
            _ => {
                contribution(app, owner, body);
            }
        }
    }
    for (who, token) in
        [("partner a", a.token.as_str()), ("partner b", b.token.as_str()), ("admin", app.admin_token.as_str())]
    {
        let mut expected: BTreeMap<(String, String), i64> = BTreeMap::new();
        for c in all_visible(app, token) {
            for r in c["regions"].as_array().into_iter().flatten() {
                *expected
                    .entry((c["kind"].as_str().unwrap_or("").to_owned(), r.as_str().unwrap_or("").to_owned()))
                    .or_default() += 1;
            }
        }
        let stats = app.get_as(Some(token), "/api/v1/stats?consultation=grcp-7&group_by=kind,region");
        assert_eq!(stats.status, 200, "{}", stats.text());
        let got: BTreeMap<(String, String), i64> = stats.json()["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| {
                (
                    (
                        row["keys"]["kind"].as_str().unwrap_or("").to_owned(),
                        row["keys"]["region"].as_str().unwrap_or("").to_owned(),
                    ),
                    row["count"].as_i64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(got, expected, "{who}: stats equal the rows it may see");
        assert!(!got.is_empty());
        let gql = app.graphql_as(
            token,
            "{ stats(consultation: \"grcp-7\", groupBy: [KIND, REGION]) { keys { dimension value } count } }",
            json!({}),
        );
        let gql_total: i64 =
            gql["data"]["stats"].as_array().into_iter().flatten().filter_map(|r| r["count"].as_i64()).sum();
        assert_eq!(gql_total, expected.values().sum::<i64>(), "{who}: GraphQL agrees");
    }
    app.get("/api/v1/stats?group_by=colour").problem(422);
    // A search with no words (only punctuation, or nothing) matches nothing, as lists do.
    for q in ["", "%20", "%22", "-", "*", "a%20OR"] {
        let r = app.get(&format!("/api/v1/stats?q={q}"));
        assert_eq!((r.status, r.json()), (200, json!({"data": []})), "q={q}");
    }
    // The list reads a blank `q` as no search; a search of punctuation or stop words finds nothing.
    for q in ["%22", "-", "*", "a%20OR"] {
        let list = app.get(&format!("/api/v1/contributions?q={q}"));
        assert_eq!((list.status, list.json()), (200, json!({"data": [], "next_cursor": null})), "list, q={q}");
    }
    app.get("/api/v1/stats?group_by=kind&limit=3").problem(400);
}

fn near_identical_recommendations_cluster_across_groups(app: &TestApp) {
    let tree = app.get("/api/v1/consultations/grcp-7").json();
    let segment = tree["sessions"][1]["segments"][0]["id"].as_str().unwrap_or_default().to_owned();
    let mut groups = Vec::new();
    for (name, region) in [("Africa", "africa"), ("Asia-Pacific", "asia"), ("Europe", "europe")] {
        let g =
            app.post_json(&format!("/api/v1/segments/{segment}/groups"), &json!({"name": name, "regions": [region]}));
        assert_eq!(g.status, 201, "{}", g.text());
        groups.push((g.json()["id"].as_str().unwrap_or_default().to_owned(), region));
    }
    let texts = [
        ("Strengthen regional cooperation on labour migration data", "Countries should share labour migration data and build regional cooperation on statistics about migrant workers."),
        ("Regional cooperation on data about labour migration must be strengthened", "Sharing statistics on migrant workers and labour migration data through stronger regional cooperation is needed."),
        ("Build stronger regional cooperation for labour migration statistics", "Regional cooperation should improve data and statistics on labour migration and migrant workers across countries."),
    ];
    let mut similar = Vec::new();
    for ((group, region), (title, body)) in groups.iter().zip(texts) {
        let p = app.partner("rcp", WRITER);
        similar.push(published(app, &p, json!({"kind": "recommendation", "title": title, "body": body, "language": "en", "group": group, "regions": [region]})));
    }
    let unrelated = [
        (
            "Cheaper remittance transfers",
            "Reduce the fees banks charge on remittances sent by diasporas to their families.",
        ),
        (
            "Alternatives to immigration detention for children",
            "Children should never be detained; community-based alternatives exist.",
        ),
        (
            "Consular protection in crises",
            "Embassies need evacuation plans for nationals caught in natural disasters abroad.",
        ),
    ];
    let mut others = Vec::new();
    for (title, body) in unrelated {
        let p = app.partner("ngo", WRITER);
        others.push(published(
            app,
            &p,
            json!({"kind": "recommendation", "title": title, "body": body, "language": "en"}),
        ));
    }
    let clusters = app.get("/api/v1/consultations/grcp-7/clusters").json();
    let list = clusters["data"].as_array().cloned().unwrap_or_default();
    let ours: Vec<&Value> = list
        .iter()
        .filter(|c| {
            c["contribution_ids"].as_array().is_some_and(|ids| ids.iter().any(|i| similar.iter().any(|s| i == s)))
        })
        .collect();
    assert_eq!(ours.len(), 1, "one cluster holds the three: {clusters}");
    let mut ids: Vec<String> = ours[0]["contribution_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    ids.sort();
    let mut want = similar.clone();
    want.sort();
    assert_eq!(ids, want, "exactly the three near-identical ones");
    assert_eq!(ours[0]["groups"].as_array().map(Vec::len), Some(3), "it spans the three groups");
    assert_eq!(ours[0]["regions"], json!(["africa", "asia", "europe"]));
    for o in &others {
        assert!(
            list.iter().all(|c| c["contribution_ids"].as_array().is_none_or(|ids| !ids.iter().any(|i| i == o))),
            "{o} stays apart"
        );
    }
}

fn report_in_every_format(app: &TestApp) {
    let p = app.partner("un_regional_commission", WRITER);
    let support = published(
        app,
        &p,
        json!({"kind": "recommendation", "title": "Portable social security for migrant workers", "body": "B", "session": 2, "segment": "breakout"}),
    );
    let commitment = published(
        app,
        &p,
        json!({"kind": "commitment", "title": "Publish an annual migration data report", "body": "B"}),
    );
    app.json_as(
        "POST",
        Some(&p.token),
        &format!("/api/v1/contributions/{commitment}/progress"),
        &json!({"status": "achieved", "as_of": "2026-10-01"}),
    );
    let o = app.post_json("/api/v1/outcomes", &json!({"kind": "general_recommendation", "title": "Make social security portable", "text": "Recommended to the co-facilitators.", "contribution_ids": [support]})).json();
    let id = o["id"].as_str().unwrap_or_default();
    app.post_json(&format!("/api/v1/outcomes/{id}/adopt"), &json!({}));
    app.post_json(&format!("/api/v1/outcomes/{id}/transmit"), &json!({}));

    let md = app.get_as(Some(&p.token), "/api/v1/consultations/grcp-7/report?format=md");
    assert_eq!(md.status, 200, "{}", md.text());
    assert!(md.header("content-type").unwrap_or_default().starts_with("text/markdown"));
    let text = md.text();
    for needle in [
        "Make social security portable",
        "transmitted",
        "Portable social security for migrant workers",
        "Publish an annual migration data report",
        "achieved",
    ] {
        assert!(text.contains(needle), "markdown lacks {needle:?}:\n{text}");
    }
    let csv = app.get_as(Some(&p.token), "/api/v1/consultations/grcp-7/report?format=csv");
    assert!(csv.header("content-type").unwrap_or_default().starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv.body.as_slice());
    let records: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
    assert!(records
        .iter()
        .any(|r| &r[0] == "outcome" && &r[5] == "Make social security portable" && &r[4] == "transmitted"));
    assert!(records
        .iter()
        .any(|r| &r[0] == "supporting_contribution" && &r[5] == "Portable social security for migrant workers"));
    assert!(records.iter().any(|r| &r[0] == "commitment" && &r[9] == "achieved"));
    let xlsx = app.get_as(Some(&p.token), "/api/v1/consultations/grcp-7/report?format=xlsx");
    assert_eq!(xlsx.status, 200);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.body.clone())).expect("an XLSX workbook");
    let outcomes = book.worksheet_range("Outcomes").expect("Outcomes sheet");
    let cells: Vec<String> = outcomes.cells().map(|(_, _, v)| v.to_string()).collect();
    assert!(cells.iter().any(|c| c == "Make social security portable"));
    assert!(cells.iter().any(|c| c.contains("Portable social security for migrant workers")));
    assert!(cells.iter().any(|c| c == "transmitted"));
    let commitments = book.worksheet_range("Commitments").expect("Commitments sheet");
    assert!(commitments.cells().any(|(_, _, v)| *v == "achieved"));
    app.get_as(Some(&p.token), "/api/v1/consultations/grcp-7/report?format=pdf").problem(422);
}

//! Contributions over REST (contract §4 "Contributions", with the scopes of §3 and the
//! problems of §6): creation, merge-patch edits under versions, the lifecycle, revisions,
//! endorsements, idempotent creation, upsert by external reference, lists, filters and
//! full-text search. Who sees what, across REST and GraphQL, is in
//! `contributions_graphql::visibility_matrix_rest_and_graphql`.
//!
//! The helpers are `pub`: the GraphQL and load modules build their data with them.

use std::collections::{BTreeSet, HashSet};
use std::sync::Barrier;
use std::time::Duration;

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::helpers::{Partner, TestApp, TestResponse};
use crate::AppCase;

pub const CASES: &[AppCase] = &[
    (
        "contributions::create_answers_201_with_location_etag_and_server_fields",
        create_answers_201_with_location_etag_and_server_fields,
    ),
    ("contributions::minimal_create_defaults_the_consultation", minimal_create_defaults_the_consultation),
    ("contributions::create_with_submit_true_submits_at_once", create_with_submit_true_submits_at_once),
    (
        "contributions::server_owned_and_unknown_fields_are_400_naming_them",
        server_owned_and_unknown_fields_are_400_naming_them,
    ),
    ("contributions::validation_errors_are_422_naming_the_field", validation_errors_are_422_naming_the_field),
    ("contributions::patch_merges_and_bumps_version_and_etag", patch_merges_and_bumps_version_and_etag),
    ("contributions::patch_with_a_stale_if_match_is_412", patch_with_a_stale_if_match_is_412),
    (
        "contributions::patch_refuses_server_owned_fields_and_changes_nothing",
        patch_refuses_server_owned_fields_and_changes_nothing,
    ),
    (
        "contributions::owner_edits_only_while_draft_submitted_or_changes_requested",
        owner_edits_only_while_draft_submitted_or_changes_requested,
    ),
    ("contributions::other_organisations_get_404_on_drafts_never_403", other_organisations_get_404_on_drafts_never_403),
    ("contributions::lifecycle_follows_the_contract", lifecycle_follows_the_contract),
    ("contributions::refused_transitions_are_409", refused_transitions_are_409),
    ("contributions::review_needs_the_review_scope", review_needs_the_review_scope),
    ("contributions::revisions_record_every_change", revisions_record_every_change),
    ("contributions::endorsements_by_other_organisations", endorsements_by_other_organisations),
    ("contributions::idempotency_key_replays_the_first_answer", idempotency_key_replays_the_first_answer),
    (
        "contributions::concurrent_posts_with_one_idempotency_key_make_one_contribution",
        concurrent_posts_with_one_idempotency_key_make_one_contribution,
    ),
    (
        "contributions::racing_patches_with_one_if_match_let_exactly_one_win",
        racing_patches_with_one_if_match_let_exactly_one_win,
    ),
    ("contributions::put_by_external_ref_creates_then_updates", put_by_external_ref_creates_then_updates),
    ("contributions::list_pages_newest_first_with_link_and_cursor", list_pages_newest_first_with_link_and_cursor),
    ("contributions::list_refuses_unknown_parameters_and_bad_cursors", list_refuses_unknown_parameters_and_bad_cursors),
    ("contributions::list_filters_narrow_the_results", list_filters_narrow_the_results),
    ("contributions::search_stems_french_and_english", search_stems_french_and_english),
    ("contributions::search_ranks_title_matches_first", search_ranks_title_matches_first),
];

// ---------------------------------------------------------------------------------------
// Helpers, shared with `contributions_graphql` and `contributions_load`.
// ---------------------------------------------------------------------------------------

/// Scopes of a partner that reads and writes contributions.
pub const WRITER: &str = "consultation:read contributions:read contributions:write";
/// Scopes of a partner that only reads.
pub const READER: &str = "consultation:read contributions:read";
/// Scopes of a reviewing organisation (the secretariat's admin client has every scope).
pub const REVIEWER: &str = "consultation:read contributions:read contributions:write review";

pub const LIST: &str = "/api/v1/contributions";

/// The fields the server owns, with values a client might try to send.
pub fn server_owned_fields(other_org: &str) -> Vec<(&'static str, Value)> {
    let ts = json!("2020-01-01T00:00:00Z");
    vec![
        ("id", json!(uuid::Uuid::new_v4().to_string())),
        ("status", json!("published")),
        ("version", json!(7)),
        ("organisation", json!(other_org)),
        ("endorsement_count", json!(12)),
        ("created_at", ts.clone()),
        ("updated_at", ts.clone()),
        ("submitted_at", ts.clone()),
        ("published_at", ts),
    ]
}

/// A partner (an NGO) that writes contributions.
pub fn writer(app: &TestApp) -> Partner {
    app.partner("ngo", WRITER)
}

/// A partner with the `review` scope (the secretariat kind cannot be created).
pub fn reviewer(app: &TestApp) -> Partner {
    app.partner("un_agency", REVIEWER)
}

pub fn path(id: &str) -> String {
    format!("{LIST}/{id}")
}

pub fn id_of(c: &Value) -> String {
    c["id"].as_str().unwrap_or_else(|| panic!("no id in {c}")).to_owned()
}

/// Ids and texts of the seed structure that contributions point at.
pub struct Seed {
    pub breakout_segment: String,
    pub breakout_question: String,
    pub breakout_question_text: String,
    pub follow_up_question: String,
    pub session_one_question: String,
}

pub fn seed(app: &TestApp) -> Seed {
    let t = app.get("/api/v1/consultations/grcp-7?lang=en").json();
    let s = |v: &Value| v.as_str().unwrap_or_else(|| panic!("missing in the seed tree: {v}")).to_owned();
    let breakout = &t["sessions"][1]["segments"][0];
    assert_eq!(breakout["key"], "breakout");
    assert_eq!(t["sessions"][2]["segments"][0]["key"], "follow-up");
    Seed {
        breakout_segment: s(&breakout["id"]),
        breakout_question: s(&breakout["questions"][0]["id"]),
        breakout_question_text: s(&breakout["questions"][0]["text"]),
        follow_up_question: s(&t["sessions"][2]["segments"][0]["questions"][0]["id"]),
        session_one_question: s(&t["sessions"][0]["questions"][0]["id"]),
    }
}

/// A create body with every client field set (a fresh `external_ref` each time).
pub fn full_body(question_id: &str, title: &str) -> Value {
    json!({
        "consultation": "grcp-7",
        "session": 2,
        "segment": "breakout",
        "kind": "good_practice",
        "practice_category": "policy",
        "title": title,
        "summary": "Bilateral labour mobility agreements between neighbouring states.",
        "body": "Les migrations de travail sont encadrées par des accords bilatéraux entre pays d'origine et de destination.",
        "language": "fr",
        "regions": ["africa"],
        "scope": "regional",
        "replicable": true,
        "replicability_notes": "Needs a bilateral agreement and a joint committee.",
        "themes": ["gcm_objectives/5"],
        "links": [{"url": "https://example.org/x", "title": "x"}],
        "question_ids": [question_id],
        "external_ref": format!("crm-{}", uuid::Uuid::new_v4().simple()),
    })
}

/// The smallest valid create body.
pub fn minimal(title: &str, body: &str) -> Value {
    json!({"kind": "recommendation", "title": title, "body": body})
}

/// `base` with the members of `extra` added or replaced.
pub fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
    base
}

/// `base` with one member set.
pub fn with_field(mut base: Value, key: &str, value: Value) -> Value {
    if let Some(b) = base.as_object_mut() {
        b.insert(key.to_owned(), value);
    }
    base
}

/// `base` without one member.
pub fn without(mut base: Value, key: &str) -> Value {
    if let Some(b) = base.as_object_mut() {
        b.remove(key);
    }
    base
}

pub fn post(app: &TestApp, token: &str, body: &Value) -> TestResponse {
    app.json_as("POST", Some(token), LIST, body)
}

pub fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> TestResponse {
    app.send(
        "POST",
        LIST,
        Some(token),
        &[("idempotency-key", key)],
        Some(("application/json", body.to_string().into_bytes())),
    )
}

/// Creates a contribution and returns it; panics unless the answer is 201.
pub fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = post(app, token, body);
    assert_eq!(r.status, 201, "POST {LIST} {body}: {}", r.text());
    r.json()
}

/// A valid draft of `partner` with every field set.
pub fn draft(app: &TestApp, partner: &Partner) -> Value {
    let seed = seed(app);
    create(app, &partner.token, &full_body(&seed.breakout_question, "Bilateral labour agreements"))
}

pub fn get(app: &TestApp, token: &str, id: &str) -> TestResponse {
    app.get_as(Some(token), &path(id))
}

/// Reads a contribution; panics unless the answer is 200.
pub fn fetch(app: &TestApp, token: &str, id: &str) -> Value {
    let r = get(app, token, id);
    assert_eq!(r.status, 200, "GET {}: {}", path(id), r.text());
    r.json()
}

pub fn version_of(c: &Value) -> i64 {
    c["version"].as_i64().unwrap_or_else(|| panic!("no version in {c}"))
}

/// A JSON merge patch, with `If-Match: "N"` when given.
pub fn patch(app: &TestApp, token: &str, id: &str, body: &Value, if_match: Option<i64>) -> TestResponse {
    let tag = if_match.map(|v| format!("\"{v}\""));
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(tag) = &tag {
        headers.push(("if-match", tag.as_str()));
    }
    app.send(
        "PATCH",
        &path(id),
        Some(token),
        &headers,
        Some(("application/merge-patch+json", body.to_string().into_bytes())),
    )
}

/// `POST /contributions/{id}/{action}` without a body (`submit`, `withdraw`).
pub fn act(app: &TestApp, token: &str, id: &str, action: &str) -> TestResponse {
    app.send("POST", &format!("{}/{action}", path(id)), Some(token), &[], None)
}

/// `POST /contributions/{id}/review` with a decision and a note.
pub fn review(app: &TestApp, token: &str, id: &str, decision: &str) -> TestResponse {
    app.json_as(
        "POST",
        Some(token),
        &format!("{}/review", path(id)),
        &json!({"decision": decision, "note": format!("Decision: {decision}.")}),
    )
}

pub fn endorse(app: &TestApp, token: &str, id: &str, note: &str) -> TestResponse {
    app.json_as("POST", Some(token), &format!("{}/endorsements", path(id)), &json!({"note": note}))
}

/// The body of a 200 answer.
pub fn ok(r: TestResponse, what: &str) -> Value {
    assert_eq!(r.status, 200, "{what}: expected 200, got {}: {}", r.status, r.text());
    r.json()
}

/// Creates `body` as `owner` and drives it to `status` (reviews by the secretariat's admin).
pub fn in_status(app: &TestApp, owner: &Partner, status: &str, body: &Value) -> Value {
    let created = create(app, &owner.token, body);
    let id = id_of(&created);
    let steps: &[&str] = match status {
        "draft" => &[],
        "submitted" => &["submit"],
        "changes_requested" => &["submit", "request_changes"],
        "published" => &["submit", "publish"],
        "rejected" => &["submit", "reject"],
        "withdrawn" => &["submit", "withdraw"],
        other => panic!("no way to build a contribution in status {other}"),
    };
    let mut last = created;
    for step in steps {
        let r = match *step {
            "submit" | "withdraw" => act(app, &owner.token, &id, step),
            decision => review(app, &app.admin_token, &id, decision),
        };
        last = ok(r, &format!("{step} on the way to {status}"));
    }
    assert_eq!(last["status"], status, "{last}");
    last
}

/// A query string from pairs, URL-encoded.
pub fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("query string")
}

/// `GET /contributions?{query}`; panics unless the answer is 200.
pub fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app.get_as(Some(token), &format!("{LIST}?{query}"));
    assert_eq!(r.status, 200, "GET {LIST}?{query}: {}", r.text());
    r.json()
}

pub fn ids(list: &Value) -> Vec<String> {
    list["data"].as_array().unwrap_or_else(|| panic!("no data in {list}")).iter().map(id_of).collect()
}

pub fn titles(list: &Value) -> Vec<String> {
    list["data"].as_array().into_iter().flatten().map(|c| c["title"].as_str().unwrap_or_default().to_owned()).collect()
}

pub fn list_ids(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    ids(&list(app, token, query))
}

/// Every id a caller sees under `filters`, in order, following `next_cursor` 200 at a time.
pub fn all_ids(app: &TestApp, token: &str, filters: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut pairs: Vec<(&str, &str)> = filters.to_vec();
        pairs.push(("limit", "200"));
        if let Some(c) = &cursor {
            pairs.push(("cursor", c.as_str()));
        }
        let page = list(app, token, &query(&pairs));
        out.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return out,
        }
    }
    panic!("more than 1000 pages under {filters:?}");
}

pub fn set(ids: &[String]) -> BTreeSet<String> {
    ids.iter().cloned().collect()
}

pub fn set_of(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).clone()).collect()
}

/// The fields named by a validation problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect()
}

/// Whether `fields` name `field` (or an item of it, as `themes[0]`).
pub fn names_field(fields: &[String], field: &str) -> bool {
    fields.iter().any(|f| f == field || f.starts_with(&format!("{field}[")) || f.starts_with(&format!("{field}.")))
}

/// Whether a text has `word` as a whole word (letters, digits and `_`).
pub fn mentions(text: &Value, word: &str) -> bool {
    text.as_str().unwrap_or_default().split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == word)
}

/// A 422 problem whose `errors` name `field`, each with a message.
pub fn assert_invalid(r: &TestResponse, field: &str) -> Value {
    let p = r.problem(422);
    let fields = error_fields(&p);
    assert!(names_field(&fields, field), "expected a validation error on `{field}`, got {fields:?}: {p}");
    for e in p["errors"].as_array().into_iter().flatten() {
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "every error has a message: {p}");
    }
    p
}

/// A 400 problem whose `detail` names `field`.
pub fn assert_refused_field(r: &TestResponse, field: &str) {
    assert_eq!(r.status, 400, "a client sending `{field}` gets 400, got {}: {}", r.status, r.text());
    let p = r.problem(400);
    assert!(mentions(&p["detail"], field), "the 400 must name `{field}`: {p}");
}

/// A 400 or 422 problem naming `field` in `detail` or `errors`.
pub fn assert_rejected(r: &TestResponse, field: &str) {
    assert!(r.status == 400 || r.status == 422, "expected 400 or 422 naming `{field}`, got {}: {}", r.status, r.text());
    let p = r.problem(r.status);
    assert!(mentions(&p["detail"], field) || names_field(&error_fields(&p), field), "`{field}` is not named: {p}");
}

/// An RFC 3339 UTC timestamp ending in `Z`.
pub fn assert_utc(v: &Value, what: &str) -> OffsetDateTime {
    let s = v.as_str().unwrap_or_else(|| panic!("{what} is not a timestamp: {v}"));
    assert!(s.ends_with('Z'), "{what} is not UTC with a Z: {s}");
    OffsetDateTime::parse(s, &Rfc3339).unwrap_or_else(|e| panic!("{what} is not RFC 3339 ({e}): {s}"))
}

/// Now, RFC 3339 UTC, for `updated_since`.
pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc().format(&Rfc3339).expect("format now")
}

/// Data for the filter cases of both doors.
pub struct FilterFixture {
    pub ngo: Partner,
    pub academia: Partner,
    pub seed: Seed,
    /// A breakout group of session 2.
    pub group: String,
    /// Published by the NGO: session 2, segment `breakout`, the group, the first breakout
    /// question, `good_practice`, Africa, GCM objective 5, the word "remittances".
    pub a: String,
    /// Published by the NGO: session 3, segment `follow-up`, `recommendation`, Europe, objective 1.
    pub b: String,
    /// Published by the academic organisation: session 1, `gap`, Asia, objective 23.
    pub c: String,
    /// The NGO's draft: session 2, `breakout`, `good_practice`, Africa, objective 5.
    pub d: String,
    /// A time after every change above except the last edit of `d`.
    pub since: String,
}

pub fn filter_fixture(app: &TestApp) -> FilterFixture {
    let seed = seed(app);
    let group = app.post_json(
        &format!("/api/v1/segments/{}/groups", seed.breakout_segment),
        &json!({"name": "Africa", "regions": ["africa"]}),
    );
    assert_eq!(group.status, 201, "{}", group.text());
    let group = id_of(&group.json());
    let ngo = writer(app);
    let academia = app.partner("academia", WRITER);
    let a = in_status(
        app,
        &ngo,
        "published",
        &json!({"session": 2, "segment": "breakout", "group": group, "question_ids": [seed.breakout_question],
                "kind": "good_practice", "practice_category": "project", "title": "Alpha corridor",
                "body": "Lower remittances fees along the corridor.", "language": "en",
                "regions": ["africa"], "themes": ["gcm_objectives/5"]}),
    );
    let b = in_status(
        app,
        &ngo,
        "published",
        &json!({"session": 3, "segment": "follow-up", "question_ids": [seed.follow_up_question],
                "kind": "recommendation", "title": "Bravo review", "body": "A yearly review of progress.",
                "language": "en", "regions": ["europe"], "themes": ["gcm_objectives/1"]}),
    );
    let c = in_status(
        app,
        &academia,
        "published",
        &json!({"session": 1, "question_ids": [seed.session_one_question], "kind": "gap",
                "title": "Charlie data gap", "body": "Data on returns is missing.", "language": "en",
                "regions": ["asia"], "themes": ["gcm_objectives/23"]}),
    );
    let d = in_status(
        app,
        &ngo,
        "draft",
        &json!({"session": 2, "segment": "breakout", "kind": "good_practice", "practice_category": "law",
                "title": "Delta draft", "body": "A law on recruitment fees.", "language": "en",
                "regions": ["africa"], "themes": ["gcm_objectives/5"]}),
    );
    std::thread::sleep(Duration::from_millis(100));
    let since = now_rfc3339();
    std::thread::sleep(Duration::from_millis(100));
    ok(patch(app, &ngo.token, &id_of(&d), &json!({"title": "Delta draft, revised"}), None), "edit d");
    FilterFixture { ngo, academia, seed, group, a: id_of(&a), b: id_of(&b), c: id_of(&c), d: id_of(&d), since }
}

// ---------------------------------------------------------------------------------------
// Creation
// ---------------------------------------------------------------------------------------

fn create_answers_201_with_location_etag_and_server_fields(app: &TestApp) {
    let partner = writer(app);
    let seed = seed(app);
    let body = full_body(&seed.breakout_question, "Bilateral labour agreements");
    let r = post(app, &partner.token, &body);
    assert_eq!(r.status, 201, "{}", r.text());
    let c = r.json();
    let id = id_of(&c);
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "the id is a UUID: {c}");
    let location = r.header("location").unwrap_or_default().to_owned();
    assert!(location.ends_with(&path(&id)), "Location {location:?} for {id}");
    assert_eq!(r.header("etag"), Some("\"1\""), "ETag: {:?}", r.header("etag"));
    for (key, value) in body.as_object().expect("object") {
        assert_eq!(&c[key], value, "field `{key}` is not what was sent: {c}");
    }
    assert_eq!(c["status"], "draft", "{c}");
    assert_eq!(c["version"], 1, "{c}");
    assert_eq!(c["organisation"], partner.organisation_id.as_str(), "{c}");
    assert_eq!(c["endorsement_count"], 0, "{c}");
    let created = assert_utc(&c["created_at"], "created_at");
    let updated = assert_utc(&c["updated_at"], "updated_at");
    assert!(updated >= created, "{c}");
    assert!(c["submitted_at"].is_null() && c["published_at"].is_null(), "{c}");

    let again = get(app, &partner.token, &id);
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.header("etag"), Some("\"1\""));
    assert_eq!(again.json(), c, "GET answers what POST answered");
}

fn minimal_create_defaults_the_consultation(app: &TestApp) {
    let partner = writer(app);
    let c = create(app, &partner.token, &minimal("Short", "Kind, title and body are enough."));
    assert_eq!(c["consultation"], "grcp-7", "the only consultation is the default: {c}");
    assert_eq!(
        (c["kind"].as_str(), c["status"].as_str(), c["version"].as_i64()),
        (Some("recommendation"), Some("draft"), Some(1))
    );
    assert_eq!(c["title"], "Short");

    for field in ["kind", "title", "body"] {
        let r = post(app, &partner.token, &without(minimal("Missing", "Something is missing."), field));
        assert_rejected(&r, field);
    }
    assert_eq!(list_ids(app, &partner.token, ""), [id_of(&c)], "refused requests create nothing");
}

fn create_with_submit_true_submits_at_once(app: &TestApp) {
    let partner = writer(app);
    let r = post(app, &partner.token, &with(minimal("Straight in", "Created and submitted."), json!({"submit": true})));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("etag"), Some("\"1\""));
    let c = r.json();
    assert_eq!(c["status"], "submitted", "{c}");
    assert_eq!(c["version"], 1, "{c}");
    assert!(c.get("submit").is_none(), "`submit` is an instruction, not a field: {c}");
    assert_utc(&c["submitted_at"], "submitted_at");
    assert!(c["published_at"].is_null(), "{c}");

    let r = post(app, &partner.token, &with(minimal("Kept", "A draft."), json!({"submit": false})));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["status"], "draft");
}

fn server_owned_and_unknown_fields_are_400_naming_them(app: &TestApp) {
    let partner = writer(app);
    let other = writer(app);
    let mut fields = server_owned_fields(&other.organisation_id);
    fields.push(("colour", json!("blue")));
    for (field, value) in fields {
        let r = post(app, &partner.token, &with_field(minimal("Refused", "Refused body."), field, value));
        assert_refused_field(&r, field);
    }
    let malformed =
        app.send("POST", LIST, Some(&partner.token), &[], Some(("application/json", b"{not json".to_vec())));
    malformed.problem(400);
    assert!(list_ids(app, &partner.token, "").is_empty(), "a refused request writes nothing");
}

fn validation_errors_are_422_naming_the_field(app: &TestApp) {
    let partner = writer(app);
    let t = partner.token.as_str();
    let base = minimal("A valid title", "A valid body.");
    assert_invalid(&post(app, t, &with(base.clone(), json!({"title": ""}))), "title");
    assert_rejected(&post(app, t, &with(base.clone(), json!({"kind": "poem"}))), "kind");
    assert_invalid(
        &post(app, t, &with(base.clone(), json!({"kind": "recommendation", "practice_category": "policy"}))),
        "practice_category",
    );
    assert_invalid(&post(app, t, &with(base.clone(), json!({"themes": ["nope/1"]}))), "themes");
    assert_invalid(&post(app, t, &with(base.clone(), json!({"session": 9}))), "session");
    assert_invalid(&post(app, t, &with(base.clone(), json!({"session": 2, "segment": "nowhere"}))), "segment");
    assert!(list_ids(app, t, "").is_empty(), "invalid bodies create nothing");

    // The same rules on PATCH; a refused patch changes nothing.
    let c = create(app, t, &with(base, json!({"kind": "good_practice", "practice_category": "law"})));
    let id = id_of(&c);
    assert_invalid(&patch(app, t, &id, &json!({"title": ""}), None), "title");
    assert_invalid(&patch(app, t, &id, &json!({"themes": ["nope/1"]}), None), "themes");
    assert_invalid(&patch(app, t, &id, &json!({"session": 9}), None), "session");
    let after = fetch(app, t, &id);
    assert_eq!(after["version"], 1, "{after}");
    assert_eq!(after["title"], "A valid title", "{after}");
}

// ---------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------

fn patch_merges_and_bumps_version_and_etag(app: &TestApp) {
    let partner = writer(app);
    let t = partner.token.as_str();
    let c = draft(app, &partner);
    let id = id_of(&c);
    let r =
        patch(app, t, &id, &json!({"title": "Revised title", "summary": null, "regions": ["africa", "europe"]}), None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("etag"), Some("\"2\""));
    let p = r.json();
    assert_eq!(p["version"], 2, "{p}");
    assert_eq!(p["title"], "Revised title");
    assert!(p["summary"].is_null(), "null removes a member in a merge patch: {p}");
    assert_eq!(p["regions"], json!(["africa", "europe"]));
    for untouched in [
        "body",
        "themes",
        "question_ids",
        "links",
        "kind",
        "practice_category",
        "external_ref",
        "created_at",
        "status",
        "organisation",
    ] {
        assert_eq!(p[untouched], c[untouched], "`{untouched}` was not in the patch: {p}");
    }
    assert!(assert_utc(&p["updated_at"], "updated_at") >= assert_utc(&c["updated_at"], "updated_at"));

    // Plain application/json works too, and a current If-Match passes.
    let r = app.send(
        "PATCH",
        &path(&id),
        Some(t),
        &[("if-match", "\"2\"")],
        Some(("application/json", json!({"replicable": false}).to_string().into_bytes())),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("etag"), Some("\"3\""));
    assert_eq!((r.json()["version"].as_i64(), r.json()["replicable"].as_bool()), (Some(3), Some(false)));
    let now = get(app, t, &id);
    assert_eq!(now.header("etag"), Some("\"3\""));
    assert_eq!(now.json()["title"], "Revised title");
}

fn patch_with_a_stale_if_match_is_412(app: &TestApp) {
    let partner = writer(app);
    let t = partner.token.as_str();
    let id = id_of(&draft(app, &partner));
    let first = ok(patch(app, t, &id, &json!({"title": "First edit"}), Some(1)), "If-Match 1 on version 1");
    assert_eq!(first["version"], 2);
    patch(app, t, &id, &json!({"title": "Lost edit"}), Some(1)).problem(412);
    let now = fetch(app, t, &id);
    assert_eq!((now["version"].as_i64(), now["title"].as_str()), (Some(2), Some("First edit")), "{now}");
}

fn patch_refuses_server_owned_fields_and_changes_nothing(app: &TestApp) {
    let partner = writer(app);
    let other = writer(app);
    let t = partner.token.as_str();
    let c = draft(app, &partner);
    let id = id_of(&c);
    let mut fields = server_owned_fields(&other.organisation_id);
    fields.push(("colour", json!("blue")));
    for (field, value) in fields {
        let r = patch(app, t, &id, &with_field(json!({"title": "Sneaky"}), field, value), None);
        assert_refused_field(&r, field);
    }
    let malformed =
        app.send("PATCH", &path(&id), Some(t), &[], Some(("application/merge-patch+json", b"{oops".to_vec())));
    malformed.problem(400);
    let after = fetch(app, t, &id);
    assert_eq!(after, c, "nothing changed, not even the title sent beside a refused field");
}

fn owner_edits_only_while_draft_submitted_or_changes_requested(app: &TestApp) {
    let owner = writer(app);
    let t = owner.token.as_str();
    for status in ["draft", "submitted", "changes_requested"] {
        let c = in_status(app, &owner, status, &minimal("Editable", "An editable contribution."));
        let id = id_of(&c);
        let p = ok(patch(app, t, &id, &json!({"title": format!("Edited while {status}")}), None), status);
        assert_eq!(p["version"].as_i64(), Some(version_of(&c) + 1), "{status}: {p}");
        assert_eq!(p["status"], status, "an edit does not change the status: {p}");
    }
    for status in ["published", "rejected", "withdrawn"] {
        let c = in_status(app, &owner, status, &minimal("Frozen", "A frozen contribution."));
        let id = id_of(&c);
        patch(app, t, &id, &json!({"title": "Too late"}), None).problem(409);
        let after = fetch(app, t, &id);
        assert_eq!(
            (after["version"].as_i64(), after["title"].as_str()),
            (Some(version_of(&c)), Some("Frozen")),
            "{status}: {after}"
        );
    }
}

fn other_organisations_get_404_on_drafts_never_403(app: &TestApp) {
    let owner = writer(app);
    let other = writer(app);
    let reviewer = reviewer(app);
    let id = id_of(&draft(app, &owner));
    for (who, token) in [
        ("another partner", other.token.as_str()),
        ("a reviewer", reviewer.token.as_str()),
        ("the secretariat", app.admin_token.as_str()),
    ] {
        get(app, token, &id).problem(404);
        app.get_as(Some(token), &format!("{}/revisions", path(&id))).problem(404);
        let r = patch(app, token, &id, &json!({"title": "Not yours"}), None);
        assert_eq!(r.status, 404, "{who} editing a draft it cannot see: {}", r.text());
        r.problem(404);
        for action in ["submit", "withdraw"] {
            act(app, token, &id, action).problem(404);
        }
        endorse(app, token, &id, "Not visible").problem(404);
    }
    review(app, &app.admin_token, &id, "publish").problem(404);
    review(app, &reviewer.token, &id, "reject").problem(404);
    get(app, &owner.token, "00000000-0000-0000-0000-000000000000").problem(404);
    let after = fetch(app, &owner.token, &id);
    assert_eq!((after["version"].as_i64(), after["status"].as_str()), (Some(1), Some("draft")), "{after}");
}

// ---------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------

fn lifecycle_follows_the_contract(app: &TestApp) {
    let owner = writer(app);
    let reviewer = reviewer(app);
    let t = owner.token.as_str();
    let id = id_of(&create(app, t, &minimal("Lifecycle", "From draft to withdrawn.")));

    let s = ok(act(app, t, &id, "submit"), "submit a draft");
    assert_eq!((s["status"].as_str(), s["version"].as_i64()), (Some("submitted"), Some(2)), "{s}");
    assert_utc(&s["submitted_at"], "submitted_at");
    assert!(s["published_at"].is_null(), "{s}");

    let cr = ok(review(app, &reviewer.token, &id, "request_changes"), "request changes");
    assert_eq!((cr["status"].as_str(), cr["version"].as_i64()), (Some("changes_requested"), Some(3)), "{cr}");
    let e = ok(patch(app, t, &id, &json!({"body": "From draft to withdrawn, revised."}), Some(3)), "edit after review");
    assert_eq!((e["status"].as_str(), e["version"].as_i64()), (Some("changes_requested"), Some(4)), "{e}");
    let s = ok(act(app, t, &id, "submit"), "submit again");
    assert_eq!((s["status"].as_str(), s["version"].as_i64()), (Some("submitted"), Some(5)), "{s}");

    let p = ok(review(app, &app.admin_token, &id, "publish"), "publish");
    assert_eq!((p["status"].as_str(), p["version"].as_i64()), (Some("published"), Some(6)), "{p}");
    assert_utc(&p["published_at"], "published_at");
    assert_utc(&p["submitted_at"], "submitted_at");
    let reader = app.partner("academia", READER);
    assert_eq!(fetch(app, &reader.token, &id)["status"], "published", "published is for every reader");

    let w = ok(act(app, t, &id, "withdraw"), "withdraw a published contribution");
    assert_eq!((w["status"].as_str(), w["version"].as_i64()), (Some("withdrawn"), Some(7)), "{w}");
    get(app, &reader.token, &id).problem(404);

    // Rejected, then withdrawn.
    let r = in_status(app, &owner, "rejected", &minimal("Rejected", "Will be rejected."));
    let w = ok(act(app, t, &id_of(&r), "withdraw"), "withdraw a rejected contribution");
    assert_eq!((w["status"].as_str(), w["version"].as_i64()), (Some("withdrawn"), Some(version_of(&r) + 1)), "{w}");

    // Straight from a draft.
    let d = create(app, t, &minimal("Second thoughts", "Withdrawn as a draft."));
    let w = ok(act(app, t, &id_of(&d), "withdraw"), "withdraw a draft");
    assert_eq!((w["status"].as_str(), w["version"].as_i64()), (Some("withdrawn"), Some(2)), "{w}");
}

fn refused_transitions_are_409(app: &TestApp) {
    let owner = writer(app);
    let reviewer = reviewer(app);
    let t = owner.token.as_str();
    let admin = app.admin_token.as_str();

    // A draft cannot be reviewed: the reviewing organisation's own draft, which it can see.
    let own = create(app, &reviewer.token, &minimal("Reviewer's own", "A draft of the reviewing organisation."));
    review(app, &reviewer.token, &id_of(&own), "publish").problem(409);

    let refusals: &[(&str, &[(&str, &str)])] = &[
        ("submitted", &[("owner", "submit")]),
        ("changes_requested", &[("admin", "publish"), ("admin", "reject"), ("admin", "request_changes")]),
        ("published", &[("owner", "submit"), ("admin", "publish"), ("admin", "reject")]),
        ("rejected", &[("owner", "submit"), ("admin", "publish")]),
        ("withdrawn", &[("owner", "withdraw"), ("owner", "submit"), ("admin", "publish")]),
    ];
    for (status, attempts) in refusals {
        let c = in_status(app, &owner, status, &minimal("Refusals", "Transitions that are refused."));
        let id = id_of(&c);
        for (who, step) in *attempts {
            let r = match (*who, *step) {
                ("owner", action) => act(app, t, &id, action),
                (_, decision) => review(app, admin, &id, decision),
            };
            assert_eq!(r.status, 409, "{step} from {status}: {}", r.text());
            r.problem(409);
        }
        let after = fetch(app, t, &id);
        assert_eq!(
            (after["status"].as_str(), after["version"].as_i64()),
            (Some(*status), Some(version_of(&c))),
            "{after}"
        );
    }

    // An unknown decision is refused, and the answer says what is allowed.
    let submitted = in_status(app, &owner, "submitted", &minimal("Odd decision", "An unknown decision."));
    let odd = review(app, admin, &id_of(&submitted), "maybe");
    assert!(odd.status == 400 || odd.status == 422, "decision `maybe`: {} {}", odd.status, odd.text());
    let p = odd.problem(odd.status);
    assert!(
        mentions(&p["detail"], "decision")
            || mentions(&p["detail"], "publish")
            || names_field(&error_fields(&p), "decision"),
        "the problem names the field or the allowed decisions: {p}"
    );
    assert_eq!(fetch(app, t, &id_of(&submitted))["status"], "submitted");
}

fn review_needs_the_review_scope(app: &TestApp) {
    let owner = writer(app);
    let c = in_status(app, &owner, "submitted", &minimal("Self-review", "The owner cannot review."));
    let id = id_of(&c);
    let p = review(app, &owner.token, &id, "publish").problem(403);
    assert!(p["detail"].as_str().unwrap_or_default().contains("review"), "the 403 names the scope: {p}");
    let after = fetch(app, &owner.token, &id);
    assert_eq!(
        (after["status"].as_str(), after["version"].as_i64()),
        (Some("submitted"), c["version"].as_i64()),
        "{after}"
    );
}

fn revisions_record_every_change(app: &TestApp) {
    let owner = writer(app);
    let t = owner.token.as_str();
    let c = draft(app, &owner);
    let id = id_of(&c);
    ok(patch(app, t, &id, &json!({"title": "Second title"}), Some(1)), "edit");
    ok(act(app, t, &id, "submit"), "submit");
    ok(review(app, &app.admin_token, &id, "publish"), "publish");

    let r = app.get_as(Some(t), &format!("{}/revisions", path(&id)));
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    let revisions = body["data"].as_array().unwrap_or_else(|| panic!("no data: {body}"));
    let versions: Vec<Option<i64>> = revisions.iter().map(|r| r["version"].as_i64()).collect();
    assert_eq!(versions, [Some(1), Some(2), Some(3), Some(4)], "{body}");
    let statuses: Vec<&str> = revisions.iter().map(|r| r["status"].as_str().unwrap_or_default()).collect();
    assert_eq!(statuses, ["draft", "draft", "submitted", "published"], "{body}");
    let by: Vec<&str> = revisions.iter().map(|r| r["by"].as_str().unwrap_or_default()).collect();
    let (o, a) = (owner.client_id.as_str(), app.admin.client_id.as_str());
    assert_eq!(by, [o, o, o, a], "`by` is the client that made the change: {body}");
    let titles: Vec<&str> = revisions.iter().map(|r| r["contribution"]["title"].as_str().unwrap_or_default()).collect();
    assert_eq!(titles, ["Bilateral labour agreements", "Second title", "Second title", "Second title"], "{body}");
    let mut previous = None;
    for rev in revisions {
        assert_eq!(
            rev["contribution"]["version"], rev["version"],
            "a revision holds the contribution at its version: {rev}"
        );
        assert_eq!(rev["contribution"]["status"], rev["status"], "{rev}");
        assert_eq!(rev["contribution"]["id"], id.as_str(), "{rev}");
        let at = assert_utc(&rev["at"], "revision at");
        assert!(previous.is_none_or(|p| p <= at), "revisions in order: {body}");
        previous = Some(at);
    }
    assert_eq!(revisions[0]["contribution"], c, "the first revision is the created contribution");
}

// ---------------------------------------------------------------------------------------
// Endorsements
// ---------------------------------------------------------------------------------------

fn endorsements_by_other_organisations(app: &TestApp) {
    let owner = writer(app);
    let other = app.partner("academia", WRITER);
    let reviewer = reviewer(app);
    let published = in_status(app, &owner, "published", &minimal("Endorse me", "A published practice."));
    let id = id_of(&published);
    let endorsements = format!("{}/endorsements", path(&id));

    let r = endorse(app, &other.token, &id, "We do the same.");
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(fetch(app, &owner.token, &id)["endorsement_count"], 1);
    assert_eq!(fetch(app, &other.token, &id)["endorsement_count"], 1);
    endorse(app, &other.token, &id, "Once more").problem(409);

    let own = endorse(app, &owner.token, &id, "Our own");
    assert!(own.status == 409 || own.status == 422, "the owner endorsing: {} {}", own.status, own.text());
    own.problem(own.status);

    // Only published contributions: a draft the endorser cannot see, a submitted one it can.
    let d = draft(app, &owner);
    endorse(app, &other.token, &id_of(&d), "Invisible").problem(404);
    let s = in_status(app, &owner, "submitted", &minimal("Not yet", "Submitted, not published."));
    let early = endorse(app, &reviewer.token, &id_of(&s), "Too early");
    assert!(early.status == 409 || early.status == 422, "endorsing a submitted one: {} {}", early.status, early.text());
    early.problem(early.status);
    assert_eq!(fetch(app, &owner.token, &id_of(&s))["endorsement_count"], 0);

    let removed = app.send("DELETE", &endorsements, Some(&other.token), &[], None);
    assert_eq!(removed.status, 204, "{}", removed.text());
    assert_eq!(fetch(app, &owner.token, &id)["endorsement_count"], 0);
    let again = app.json_as("POST", Some(&other.token), &endorsements, &json!({}));
    assert_eq!(again.status, 201, "the note is optional, and one may endorse again: {}", again.text());
    assert_eq!(fetch(app, &owner.token, &id)["endorsement_count"], 1);
}

// ---------------------------------------------------------------------------------------
// Idempotency and concurrency
// ---------------------------------------------------------------------------------------

fn idempotency_key_replays_the_first_answer(app: &TestApp) {
    let owner = writer(app);
    let body = minimal("Idempotent", "Sent twice, made once.");
    let first = post_with_key(app, &owner.token, "key-1", &body);
    assert_eq!(first.status, 201, "{}", first.text());
    assert_ne!(first.header("idempotent-replayed"), Some("true"), "the first answer is not a replay");
    let replay = post_with_key(app, &owner.token, "key-1", &body);
    assert_eq!(replay.status, 201, "{}", replay.text());
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.json(), first.json(), "the replay is the first answer");
    assert_eq!(replay.header("location"), first.header("location"));
    assert_eq!(replay.header("etag"), first.header("etag"));
    let id = id_of(&first.json());

    post_with_key(app, &owner.token, "key-1", &minimal("Different", "Another body under the same key.")).problem(422);
    assert_eq!(list_ids(app, &owner.token, ""), [id.clone()], "one contribution for one key");

    // The key belongs to the organisation that sent it.
    let other = writer(app);
    let theirs = post_with_key(app, &other.token, "key-1", &body);
    assert_eq!(theirs.status, 201, "{}", theirs.text());
    assert_ne!(theirs.header("idempotent-replayed"), Some("true"));
    let theirs = theirs.json();
    assert_ne!(id_of(&theirs), id);
    assert_eq!(theirs["organisation"], other.organisation_id.as_str());

    let longest = "k".repeat(255);
    assert_eq!(post_with_key(app, &owner.token, &longest, &body).status, 201, "255 characters are allowed");
    let too_long = post_with_key(app, &owner.token, &"k".repeat(256), &body);
    assert!(
        too_long.status == 400 || too_long.status == 422,
        "a 256-character key: {} {}",
        too_long.status,
        too_long.text()
    );
    too_long.problem(too_long.status);
}

fn concurrent_posts_with_one_idempotency_key_make_one_contribution(app: &TestApp) {
    let owner = writer(app);
    let body = minimal("Twenty at once", "The same request from twenty threads.");
    let barrier = Barrier::new(20);
    let answers: Vec<TestResponse> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                let (barrier, body, token) = (&barrier, &body, owner.token.as_str());
                s.spawn(move || {
                    barrier.wait();
                    post_with_key(app, token, "same-key", body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a posting thread panicked")).collect()
    });
    for a in &answers {
        assert_eq!(a.status, 201, "every duplicate gets the first answer: {}", a.text());
    }
    let ids: HashSet<String> = answers.iter().map(|a| id_of(&a.json())).collect();
    assert_eq!(ids.len(), 1, "one contribution: {ids:?}");
    let replayed = answers.iter().filter(|a| a.header("idempotent-replayed") == Some("true")).count();
    assert_eq!(replayed, 19, "all but the first are replays");
    assert_eq!(list_ids(app, &owner.token, "").len(), 1, "exactly one contribution exists");
}

fn racing_patches_with_one_if_match_let_exactly_one_win(app: &TestApp) {
    let owner = writer(app);
    let id = id_of(&create(app, &owner.token, &minimal("Race", "Two editors, one version.")));
    for round in 1..=5i64 {
        let barrier = Barrier::new(2);
        let answers: Vec<TestResponse> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|i| {
                    let (barrier, id, token) = (&barrier, id.as_str(), owner.token.as_str());
                    s.spawn(move || {
                        barrier.wait();
                        patch(app, token, id, &json!({"title": format!("Round {round}, editor {i}")}), Some(round))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("a patching thread panicked")).collect()
        });
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
        statuses.sort_unstable();
        let texts: Vec<String> = answers.iter().map(TestResponse::text).collect();
        assert_eq!(statuses, [200, 412], "round {round}: {texts:?}");
        let loser = answers.iter().find(|a| a.status == 412).expect("a 412");
        loser.problem(412);
        let winner = answers.iter().find(|a| a.status == 200).expect("a 200").json();
        let now = fetch(app, &owner.token, &id);
        assert_eq!(now["version"].as_i64(), Some(round + 1), "round {round}: {now}");
        assert_eq!(now["title"], winner["title"], "the winner's edit stands");
    }
}

// ---------------------------------------------------------------------------------------
// Upsert by external reference
// ---------------------------------------------------------------------------------------

fn put_by_external_ref_creates_then_updates(app: &TestApp) {
    let owner = writer(app);
    let seed = seed(app);
    let body = without(full_body(&seed.breakout_question, "Synced from the CRM"), "external_ref");
    let url = "/api/v1/contributions/external/crm-42";

    let created = app.json_as("PUT", Some(&owner.token), url, &body);
    assert_eq!(created.status, 201, "{}", created.text());
    let c = created.json();
    assert_eq!(
        (c["external_ref"].as_str(), c["version"].as_i64(), c["status"].as_str()),
        (Some("crm-42"), Some(1), Some("draft")),
        "{c}"
    );
    assert_eq!(c["organisation"], owner.organisation_id.as_str());
    assert_eq!(c["title"], "Synced from the CRM");

    let updated = app.json_as("PUT", Some(&owner.token), url, &with(body.clone(), json!({"title": "Synced again"})));
    assert_eq!(updated.status, 200, "{}", updated.text());
    let u = updated.json();
    assert_eq!(id_of(&u), id_of(&c), "the same contribution");
    assert_eq!(
        (u["version"].as_i64(), u["title"].as_str(), u["external_ref"].as_str()),
        (Some(2), Some("Synced again"), Some("crm-42")),
        "{u}"
    );
    assert_eq!(fetch(app, &owner.token, &id_of(&c))["title"], "Synced again");

    // Another organisation's reference of the same name is its own contribution.
    let other = writer(app);
    let theirs = app.json_as("PUT", Some(&other.token), url, &body);
    assert_eq!(theirs.status, 201, "{}", theirs.text());
    let theirs = theirs.json();
    assert_ne!(id_of(&theirs), id_of(&c));
    assert_eq!(theirs["organisation"], other.organisation_id.as_str());
    assert_eq!(list_ids(app, &owner.token, "").len(), 1, "the owner still has one contribution");
}

// ---------------------------------------------------------------------------------------
// Lists, filters, search
// ---------------------------------------------------------------------------------------

fn list_pages_newest_first_with_link_and_cursor(app: &TestApp) {
    let owner = writer(app);
    let made: Vec<String> = (0..5)
        .map(|i| id_of(&create(app, &owner.token, &minimal(&format!("Page item {i}"), "One of five."))))
        .collect();
    let newest_first: Vec<String> = made.iter().rev().cloned().collect();

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut next = format!("{LIST}?limit=2");
    loop {
        let page = app.get_as(Some(&owner.token), &next);
        assert_eq!(page.status, 200, "{next}: {}", page.text());
        let body = page.json();
        let data = ids(&body);
        sizes.push(data.len());
        seen.extend(data);
        match body["next_cursor"].as_str() {
            Some(_) => {
                let link =
                    page.header("link").unwrap_or_else(|| panic!("a Link header on a page with a next one: {body}"));
                assert!(link.ends_with("rel=\"next\""), "{link}");
                let target = link.trim_start_matches('<').split('>').next().unwrap_or_default();
                let target = target.strip_prefix(app.address.as_str()).unwrap_or(target);
                assert!(target.contains("limit=2"), "the Link keeps the query: {link}");
                next = target.to_owned();
            }
            None => {
                assert!(body["next_cursor"].is_null(), "{body}");
                assert!(page.header("link").is_none(), "no Link on the last page");
                break;
            }
        }
        assert!(sizes.len() < 10, "paging does not end: {sizes:?}");
    }
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(seen, newest_first, "newest first, each once");
    assert_eq!(list_ids(app, &owner.token, ""), newest_first, "the default limit holds all five");
}

fn list_refuses_unknown_parameters_and_bad_cursors(app: &TestApp) {
    let owner = writer(app);
    create(app, &owner.token, &minimal("Listed", "Something to list."));
    let t = Some(owner.token.as_str());
    app.get_as(t, &format!("{LIST}?colour=blue")).problem(400);
    app.get_as(t, &format!("{LIST}?cursor=garbage")).problem(400);
    app.get_as(t, &format!("{LIST}?limit=ten")).problem(400);
    let bad_time = app.get_as(t, &format!("{LIST}?updated_since=yesterday"));
    assert!(bad_time.status == 400 || bad_time.status == 422, "{} {}", bad_time.status, bad_time.text());
    bad_time.problem(bad_time.status);
}

fn list_filters_narrow_the_results(app: &TestApp) {
    let fx = filter_fixture(app);
    let (a, b, c, d) = (&fx.a, &fx.b, &fx.c, &fx.d);
    let academia = fx.academia.organisation_id.as_str();
    let cases: Vec<(Vec<(&str, &str)>, BTreeSet<String>)> = vec![
        (vec![], set_of(&[a, b, c, d])),
        (vec![("consultation", "grcp-7")], set_of(&[a, b, c, d])),
        (vec![("kind", "good_practice")], set_of(&[a, d])),
        (vec![("status", "published")], set_of(&[a, b, c])),
        (vec![("status", "draft")], set_of(&[d])),
        (vec![("session", "2")], set_of(&[a, d])),
        (vec![("session", "3")], set_of(&[b])),
        (vec![("segment", "breakout")], set_of(&[a, d])),
        (vec![("segment", "follow-up")], set_of(&[b])),
        (vec![("group", fx.group.as_str())], set_of(&[a])),
        (vec![("question", fx.seed.breakout_question.as_str())], set_of(&[a])),
        (vec![("organisation", academia)], set_of(&[c])),
        (vec![("org_kind", "academia")], set_of(&[c])),
        (vec![("org_kind", "ngo")], set_of(&[a, b, d])),
        (vec![("region", "africa")], set_of(&[a, d])),
        (vec![("region", "europe")], set_of(&[b])),
        (vec![("theme", "gcm_objectives/5")], set_of(&[a, d])),
        (vec![("theme", "gcm_objectives/1")], set_of(&[b])),
        (vec![("updated_since", fx.since.as_str())], set_of(&[d])),
        (vec![("kind", "good_practice"), ("status", "draft")], set_of(&[d])),
        (vec![("q", "remittances")], set_of(&[a])),
    ];
    for (filters, expected) in &cases {
        let got = set(&all_ids(app, &fx.ngo.token, filters));
        assert_eq!(&got, expected, "filters {filters:?} as the owner of a, b, d");
    }
    // The secretariat sees what was published, and nobody's drafts.
    assert_eq!(set(&all_ids(app, &app.admin_token, &[])), set_of(&[a, b, c]));
    assert!(all_ids(app, &app.admin_token, &[("status", "draft")]).is_empty());
    assert_eq!(set(&all_ids(app, &fx.academia.token, &[("org_kind", "ngo")])), set_of(&[a, b]));
}

fn search_stems_french_and_english(app: &TestApp) {
    let owner = writer(app);
    let t = owner.token.as_str();
    let fr = |title: &str, body: &str| with(minimal(title, body), json!({"language": "fr"}));
    let en = |title: &str, body: &str| with(minimal(title, body), json!({"language": "en"}));
    let migrations = id_of(&create(
        app,
        t,
        &fr("Accords de travail", "Les migrations de travail sont encadrées par des accords bilatéraux."),
    ));
    let migratoires = id_of(&create(
        app,
        t,
        &fr("Flux saisonniers", "Les flux migratoires saisonniers demandent une protection sociale."),
    ));
    let mignon = id_of(&create(app, t, &fr("Jardins partagés", "Un chat mignon dort au soleil dans le jardin.")));
    let policies = id_of(&create(app, t, &en("Protection", "These policies protect workers in every sector.")));

    let search = |q: &str| list_ids(app, t, &query(&[("q", q)]));
    assert!(search("migration").contains(&migrations), "q=migration finds \"migrations\"");
    assert!(search("migrations").contains(&migrations));
    assert!(search("migratoires").contains(&migratoires), "q=migratoires finds \"migratoires\"");
    assert!(!search("migratoires").contains(&mignon), "q=migratoires does not find an unrelated text");
    assert!(!search("migration").contains(&mignon));
    assert_eq!(search("mignon"), [mignon.clone()]);
    assert_eq!(search("policy"), [policies.clone()], "q=policy finds \"policies\"");
    assert_eq!(search("worker"), [policies.clone()], "q=worker finds \"workers\"");
    assert!(search("zanzibar").is_empty());
    // Search keeps to what the caller may see: these are drafts.
    let stranger = app.partner("academia", READER);
    assert!(list_ids(app, &stranger.token, &query(&[("q", "migration")])).is_empty());
}

fn search_ranks_title_matches_first(app: &TestApp) {
    let owner = writer(app);
    let t = owner.token.as_str();
    let en = |title: &str, body: &str| with(minimal(title, body), json!({"language": "en"}));
    // The title match is created first, so that newest-first would put it last.
    let in_title = id_of(&create(app, t, &en("Remittances in the region", "Lower fees help families.")));
    let in_body = id_of(&create(app, t, &en("Family support", "Cheaper remittances help families at home.")));
    create(app, t, &en("Unrelated", "Border management and data."));
    assert_eq!(list_ids(app, t, &query(&[("q", "remittances")])), [in_title, in_body], "a title match ranks first");
}

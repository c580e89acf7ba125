//! Contributions through GraphQL (contract §5): the same data, rules and visibility as REST,
//! in camelCase, with errors carrying `extensions.code`; and the visibility matrix of §4
//! checked through both doors.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::contributions::{
    all_ids, assert_utc, create, draft, fetch, filter_fixture, get, id_of, in_status, list, list_ids, minimal,
    names_field, query, reviewer, seed, set, set_of, with, writer, READER, WRITER,
};
use crate::helpers::TestApp;
use crate::AppCase;

pub const CASES: &[AppCase] = &[
    ("contributions_graphql::create_and_read_in_camel_case", create_and_read_in_camel_case),
    ("contributions_graphql::update_with_expected_version_and_conflict", update_with_expected_version_and_conflict),
    (
        "contributions_graphql::lifecycle_and_endorsements_through_mutations",
        lifecycle_and_endorsements_through_mutations,
    ),
    (
        "contributions_graphql::validation_errors_are_bad_user_input_with_fields",
        validation_errors_are_bad_user_input_with_fields,
    ),
    (
        "contributions_graphql::invisible_contributions_are_null_with_not_found",
        invisible_contributions_are_null_with_not_found,
    ),
    ("contributions_graphql::mutations_need_their_scopes", mutations_need_their_scopes),
    ("contributions_graphql::connection_pages_like_rest", connection_pages_like_rest),
    ("contributions_graphql::first_over_100_is_bad_user_input", first_over_100_is_bad_user_input),
    ("contributions_graphql::filters_match_rest", filters_match_rest),
    ("contributions_graphql::upsert_by_external_ref", upsert_by_external_ref),
    ("contributions_graphql::visibility_matrix_rest_and_graphql", visibility_matrix_rest_and_graphql),
];

/// Every field a test reads from a Contribution.
pub const FIELDS: &str = "id title summary body language kind practiceCategory regions scope replicable \
    replicabilityNotes externalRef status version endorsementCount createdAt updatedAt submittedAt publishedAt \
    organisation { id name kind } questions { id text }";

const CREATE: &str = "mutation($input: ContributionInput!, $submit: Boolean!) { \
    createContribution(input: $input, submit: $submit) { id title summary body language kind practiceCategory \
    regions scope replicable replicabilityNotes externalRef status version endorsementCount createdAt updatedAt \
    submittedAt publishedAt organisation { id name kind } questions { id text } } }";

const UPDATE: &str = "mutation($id: ID!, $input: ContributionPatch!, $expected: Int) { \
    updateContribution(id: $id, input: $input, expectedVersion: $expected) { id title status version } }";

const ONE: &str = "query($id: ID!) { contribution(id: $id) { id title status version endorsementCount } }";

/// A GraphQL string literal (JSON's escapes are GraphQL's).
pub fn lit(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// The `extensions.code` of the first error, or "" when there is none.
pub fn code(doc: &Value) -> &str {
    doc["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

/// The value of a root field of an answer without errors.
pub fn data<'a>(doc: &'a Value, field: &str) -> &'a Value {
    assert!(doc["errors"].as_array().is_none_or(Vec::is_empty), "unexpected errors: {doc}");
    let v = &doc["data"][field];
    assert!(!v.is_null(), "no {field} in {doc}");
    v
}

/// Asserts the first error's `extensions.code` and returns the error.
pub fn error<'a>(doc: &'a Value, expected: &str) -> &'a Value {
    assert_eq!(code(doc), expected, "expected a {expected} error: {doc}");
    &doc["errors"][0]
}

/// A ContributionInput with every field set.
pub fn full_input(question_id: &str, title: &str) -> Value {
    json!({
        "consultation": "grcp-7",
        "session": 2,
        "segment": "breakout",
        "questionIds": [question_id],
        "kind": "GOOD_PRACTICE",
        "practiceCategory": "POLICY",
        "title": title,
        "summary": "Bilateral labour mobility agreements between neighbouring states.",
        "body": "Les migrations de travail sont encadrées par des accords bilatéraux.",
        "language": "fr",
        "regions": ["AFRICA"],
        "scope": "REGIONAL",
        "replicable": true,
        "replicabilityNotes": "Needs a bilateral agreement.",
        "themes": ["gcm_objectives/5"],
        "links": [{"url": "https://example.org/x", "title": "x"}],
        "externalRef": format!("erp-{}", uuid::Uuid::new_v4().simple()),
    })
}

pub fn minimal_input(title: &str) -> Value {
    json!({"kind": "RECOMMENDATION", "title": title, "body": "Written through GraphQL."})
}

/// Runs createContribution and returns the whole answer.
pub fn create_gql(app: &TestApp, token: &str, input: &Value, submit: bool) -> Value {
    app.graphql_as(token, CREATE, json!({"input": input, "submit": submit}))
}

/// Runs a mutation on one contribution: `submitContribution`, `withdrawContribution`, …
pub fn on(app: &TestApp, token: &str, mutation: &str, id: &str, args: &str) -> Value {
    let q = format!(
        "mutation($id: ID!) {{ {mutation}(id: $id{args}) {{ id status version endorsementCount submittedAt publishedAt }} }}"
    );
    app.graphql_as(token, &q, json!({"id": id}))
}

pub fn review_gql(app: &TestApp, token: &str, id: &str, decision: &str) -> Value {
    on(app, token, "reviewContribution", id, &format!(", decision: {decision}, note: \"Reviewed.\""))
}

/// Ids and totalCount of `contributions(filter: {…})` (first 100).
pub fn connection(app: &TestApp, token: &str, filter: &str) -> (Vec<String>, i64) {
    let q = format!(
        "{{ contributions(filter: {{{filter}}}, first: 100) {{ totalCount edges {{ cursor node {{ id }} }} \
         pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let doc = app.graphql_as(token, &q, json!({}));
    let conn = data(&doc, "contributions");
    let ids = conn["edges"].as_array().into_iter().flatten().map(|e| id_of(&e["node"])).collect();
    let total = conn["totalCount"].as_i64().unwrap_or_else(|| panic!("no totalCount: {doc}"));
    (ids, total)
}

fn create_and_read_in_camel_case(app: &TestApp) {
    let partner = writer(app);
    let seed = seed(app);
    let input = full_input(&seed.breakout_question, "Through GraphQL");
    let doc = create_gql(app, &partner.token, &input, false);
    let c = data(&doc, "createContribution").clone();
    let id = id_of(&c);
    for key in [
        "title",
        "summary",
        "body",
        "language",
        "kind",
        "practiceCategory",
        "regions",
        "scope",
        "replicable",
        "replicabilityNotes",
        "externalRef",
    ] {
        assert_eq!(c[key], input[key], "`{key}`: {c}");
    }
    assert_eq!(
        (c["status"].as_str(), c["version"].as_i64(), c["endorsementCount"].as_i64()),
        (Some("DRAFT"), Some(1), Some(0)),
        "{c}"
    );
    assert_eq!(c["organisation"]["id"], partner.organisation_id.as_str());
    assert_eq!(c["organisation"]["kind"], "NGO");
    assert!(c["organisation"]["name"].as_str().is_some_and(|n| n.starts_with("ngo ")), "{c}");
    assert_eq!(c["questions"], json!([{"id": seed.breakout_question, "text": seed.breakout_question_text}]));
    assert_utc(&c["createdAt"], "createdAt");
    assert_utc(&c["updatedAt"], "updatedAt");
    assert!(c["submittedAt"].is_null() && c["publishedAt"].is_null(), "{c}");

    // REST shows the same contribution.
    let rest = fetch(app, &partner.token, &id);
    assert_eq!((rest["status"].as_str(), rest["version"].as_i64()), (Some("draft"), Some(1)), "{rest}");
    assert_eq!(
        (rest["kind"].as_str(), rest["practice_category"].as_str(), rest["scope"].as_str()),
        (Some("good_practice"), Some("policy"), Some("regional"))
    );
    assert_eq!(rest["regions"], json!(["africa"]));
    assert_eq!(rest["themes"], json!(["gcm_objectives/5"]));
    assert_eq!(rest["question_ids"], json!([seed.breakout_question]));
    assert_eq!(rest["links"], json!([{"url": "https://example.org/x", "title": "x"}]));
    assert_eq!(
        (rest["session"].as_i64(), rest["segment"].as_str(), rest["consultation"].as_str()),
        (Some(2), Some("breakout"), Some("grcp-7"))
    );
    assert_eq!(rest["external_ref"], input["externalRef"]);
    assert_eq!(rest["created_at"], c["createdAt"]);

    // And the query answers what the mutation answered.
    let q = app.graphql_as(
        &partner.token,
        &format!("query($id: ID!) {{ contribution(id: $id) {{ {FIELDS} }} }}"),
        json!({"id": id}),
    );
    assert_eq!(data(&q, "contribution"), &c);

    // submit: true creates and submits at once.
    let doc = create_gql(app, &partner.token, &minimal_input("Submitted at once"), true);
    let s = data(&doc, "createContribution");
    assert_eq!((s["status"].as_str(), s["version"].as_i64()), (Some("SUBMITTED"), Some(1)), "{s}");
    assert_utc(&s["submittedAt"], "submittedAt");
}

fn update_with_expected_version_and_conflict(app: &TestApp) {
    let partner = writer(app);
    let t = partner.token.as_str();
    let id = id_of(data(&create_gql(app, t, &minimal_input("Before"), false), "createContribution"));
    let doc = app.graphql_as(t, UPDATE, json!({"id": id, "input": {"title": "After"}, "expected": 1}));
    let u = data(&doc, "updateContribution");
    assert_eq!(
        (u["title"].as_str(), u["version"].as_i64(), u["status"].as_str()),
        (Some("After"), Some(2), Some("DRAFT")),
        "{u}"
    );

    let stale = app.graphql_as(t, UPDATE, json!({"id": id, "input": {"title": "Lost"}, "expected": 1}));
    error(&stale, "CONFLICT");
    let unconditional = app.graphql_as(t, UPDATE, json!({"id": id, "input": {"summary": "Added"}, "expected": null}));
    assert_eq!(data(&unconditional, "updateContribution")["version"], 3);
    let rest = fetch(app, t, &id);
    assert_eq!(
        (rest["title"].as_str(), rest["summary"].as_str(), rest["version"].as_i64()),
        (Some("After"), Some("Added"), Some(3)),
        "{rest}"
    );
}

fn lifecycle_and_endorsements_through_mutations(app: &TestApp) {
    let owner = writer(app);
    let other = app.partner("academia", WRITER);
    let reviewer = reviewer(app);
    let t = owner.token.as_str();
    let c = data(&create_gql(app, t, &minimal_input("Lifecycle"), true), "createContribution").clone();
    let id = id_of(&c);
    assert_eq!(c["status"], "SUBMITTED");

    let cr = review_gql(app, &reviewer.token, &id, "REQUEST_CHANGES");
    let cr = data(&cr, "reviewContribution");
    assert_eq!((cr["status"].as_str(), cr["version"].as_i64()), (Some("CHANGES_REQUESTED"), Some(2)), "{cr}");
    let s = on(app, t, "submitContribution", &id, "");
    let s = data(&s, "submitContribution");
    assert_eq!((s["status"].as_str(), s["version"].as_i64()), (Some("SUBMITTED"), Some(3)), "{s}");

    let forbidden = review_gql(app, t, &id, "PUBLISH");
    let e = error(&forbidden, "FORBIDDEN");
    assert!(e["message"].as_str().unwrap_or_default().contains("review"), "the error names the scope: {forbidden}");

    let p = review_gql(app, &app.admin_token, &id, "PUBLISH");
    let p = data(&p, "reviewContribution");
    assert_eq!((p["status"].as_str(), p["version"].as_i64()), (Some("PUBLISHED"), Some(4)), "{p}");
    assert_utc(&p["publishedAt"], "publishedAt");
    error(&on(app, t, "submitContribution", &id, ""), "CONFLICT");
    error(&review_gql(app, &app.admin_token, &id, "REJECT"), "CONFLICT");

    let en = on(app, &other.token, "endorseContribution", &id, ", note: \"We do this too.\"");
    assert_eq!(data(&en, "endorseContribution")["endorsementCount"], 1, "{en}");
    error(&on(app, &other.token, "endorseContribution", &id, ""), "CONFLICT");
    let own = on(app, t, "endorseContribution", &id, "");
    assert!(matches!(code(&own), "CONFLICT" | "BAD_USER_INPUT"), "the owner endorsing: {own}");
    assert_eq!(fetch(app, t, &id)["endorsement_count"], 1);

    let w = on(app, t, "withdrawContribution", &id, "");
    let w = data(&w, "withdrawContribution");
    assert_eq!((w["status"].as_str(), w["version"].as_i64()), (Some("WITHDRAWN"), Some(5)), "{w}");
    error(&on(app, t, "withdrawContribution", &id, ""), "CONFLICT");

    // Reviewing is only from `submitted`: the reviewing organisation's own draft.
    let own_draft =
        id_of(data(&create_gql(app, &reviewer.token, &minimal_input("Reviewer's draft"), false), "createContribution"));
    error(&review_gql(app, &reviewer.token, &own_draft, "PUBLISH"), "CONFLICT");
}

fn validation_errors_are_bad_user_input_with_fields(app: &TestApp) {
    let partner = writer(app);
    let t = partner.token.as_str();
    let base = minimal_input("Valid");
    let cases = [
        (with(base.clone(), json!({"title": ""})), vec!["title"]),
        (
            with(base.clone(), json!({"kind": "RECOMMENDATION", "practiceCategory": "POLICY"})),
            vec!["practice_category", "practiceCategory"],
        ),
        (with(base.clone(), json!({"themes": ["nope/1"]})), vec!["themes"]),
        (with(base.clone(), json!({"session": 9})), vec!["session"]),
    ];
    for (input, fields) in cases {
        let doc = create_gql(app, t, &input, false);
        let e = error(&doc, "BAD_USER_INPUT");
        let named: Vec<String> = e["extensions"]["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["field"].as_str().map(str::to_owned))
            .collect();
        assert!(fields.iter().any(|f| names_field(&named, f)), "expected an error on {fields:?}: {doc}");
        for f in e["extensions"]["errors"].as_array().into_iter().flatten() {
            assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{doc}");
        }
    }
    // An enum value outside the vocabulary never reaches the service.
    error(&create_gql(app, t, &with(base, json!({"kind": "POEM"})), false), "BAD_USER_INPUT");
    assert!(list_ids(app, t, "").is_empty(), "nothing was created");

    // The same rules on update; nothing changes.
    let id = id_of(data(&create_gql(app, t, &minimal_input("Kept"), false), "createContribution"));
    let doc = app.graphql_as(t, UPDATE, json!({"id": id, "input": {"title": ""}, "expected": null}));
    error(&doc, "BAD_USER_INPUT");
    let rest = fetch(app, t, &id);
    assert_eq!((rest["title"].as_str(), rest["version"].as_i64()), (Some("Kept"), Some(1)), "{rest}");
}

fn invisible_contributions_are_null_with_not_found(app: &TestApp) {
    let owner = writer(app);
    let other = writer(app);
    let id = id_of(&draft(app, &owner));
    for (who, token) in [("another partner", other.token.as_str()), ("the secretariat", app.admin_token.as_str())] {
        let doc = app.graphql_as(token, ONE, json!({"id": id}));
        assert!(doc["data"]["contribution"].is_null(), "{who}: {doc}");
        error(&doc, "NOT_FOUND");
    }
    let unknown = app.graphql_as(&owner.token, ONE, json!({"id": "00000000-0000-0000-0000-000000000000"}));
    assert!(unknown["data"]["contribution"].is_null(), "{unknown}");
    error(&unknown, "NOT_FOUND");

    let o = other.token.as_str();
    error(
        &app.graphql_as(o, UPDATE, json!({"id": id, "input": {"title": "Not yours"}, "expected": null})),
        "NOT_FOUND",
    );
    for mutation in ["submitContribution", "withdrawContribution", "endorseContribution"] {
        error(&on(app, o, mutation, &id, ""), "NOT_FOUND");
    }
    error(&review_gql(app, &app.admin_token, &id, "PUBLISH"), "NOT_FOUND");
    let rest = fetch(app, &owner.token, &id);
    assert_eq!(
        (rest["status"].as_str(), rest["version"].as_i64(), rest["title"].as_str()),
        (Some("draft"), Some(1), Some("Bilateral labour agreements")),
        "{rest}"
    );
}

fn mutations_need_their_scopes(app: &TestApp) {
    let reader = app.partner("academia", READER);
    let doc = create_gql(app, &reader.token, &minimal_input("No write scope"), false);
    let e = error(&doc, "FORBIDDEN");
    assert!(
        e["message"].as_str().unwrap_or_default().contains("contributions:write"),
        "the error names the scope: {doc}"
    );
    assert!(list_ids(app, &reader.token, "").is_empty());
}

fn connection_pages_like_rest(app: &TestApp) {
    let owner = writer(app);
    let t = owner.token.as_str();
    for i in 0..7 {
        create(app, t, &minimal(&format!("Edge {i}"), "One of seven."));
    }
    let org = lit(&owner.organisation_id);
    let rest = all_ids(app, t, &[("organisation", owner.organisation_id.as_str())]);
    assert_eq!(rest.len(), 7);
    let q = format!(
        "query($after: String) {{ contributions(filter: {{organisation: {org}}}, first: 3, after: $after) {{ totalCount \
         edges {{ cursor node {{ id title status version organisation {{ id name kind }} questions {{ id text }} }} }} \
         pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let mut after = Value::Null;
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    loop {
        let doc = app.graphql_as(t, &q, json!({"after": after}));
        let conn = data(&doc, "contributions");
        assert_eq!(conn["totalCount"], 7, "{doc}");
        let edges = conn["edges"].as_array().unwrap_or_else(|| panic!("no edges: {doc}"));
        for e in edges {
            let node = &e["node"];
            assert!(e["cursor"].as_str().is_some_and(|c| !c.is_empty()), "{e}");
            assert_eq!((node["status"].as_str(), node["version"].as_i64()), (Some("DRAFT"), Some(1)), "{node}");
            assert_eq!(node["organisation"]["id"], owner.organisation_id.as_str());
            assert_eq!(node["organisation"]["kind"], "NGO");
            assert_eq!(node["questions"], json!([]));
            seen.push(id_of(node));
        }
        let info = &conn["pageInfo"];
        if let Some(last) = edges.last() {
            assert_eq!(info["endCursor"], last["cursor"], "endCursor is the last edge's cursor: {doc}");
        }
        let more = info["hasNextPage"].as_bool().unwrap_or_else(|| panic!("no hasNextPage: {doc}"));
        pages.push((edges.len(), more));
        if !more {
            break;
        }
        after = info["endCursor"].clone();
        assert!(pages.len() < 10, "paging does not end: {pages:?}");
    }
    assert_eq!(pages, [(3, true), (3, true), (1, false)]);
    assert_eq!(seen, rest, "the same order as REST, each once");
}

fn first_over_100_is_bad_user_input(app: &TestApp) {
    let owner = writer(app);
    create(app, &owner.token, &minimal("One", "Just one."));
    let doc = app.graphql_as(&owner.token, "{ contributions(first: 101) { totalCount } }", json!({}));
    error(&doc, "BAD_USER_INPUT");
    assert!(doc["data"].is_null() || doc["data"]["contributions"].is_null(), "{doc}");
    let fine = app.graphql_as(&owner.token, "{ contributions(first: 100) { totalCount } }", json!({}));
    assert_eq!(data(&fine, "contributions")["totalCount"], 1);
    let default = app.graphql_as(&owner.token, "{ contributions { totalCount edges { node { id } } } }", json!({}));
    assert_eq!(data(&default, "contributions")["edges"].as_array().map(Vec::len), Some(1));
}

fn filters_match_rest(app: &TestApp) {
    let fx = filter_fixture(app);
    let (a, b, c, d) = (&fx.a, &fx.b, &fx.c, &fx.d);
    let academia = fx.academia.organisation_id.as_str();
    let cases: Vec<(String, Vec<(&str, &str)>, BTreeSet<String>)> = vec![
        ("status: PUBLISHED".into(), vec![("status", "published")], set_of(&[a, b, c])),
        ("kind: GOOD_PRACTICE".into(), vec![("kind", "good_practice")], set_of(&[a, d])),
        ("q: \"remittances\"".into(), vec![("q", "remittances")], set_of(&[a])),
        (format!("organisation: {}", lit(academia)), vec![("organisation", academia)], set_of(&[c])),
        ("session: 2".into(), vec![("session", "2")], set_of(&[a, d])),
        ("segment: \"breakout\"".into(), vec![("segment", "breakout")], set_of(&[a, d])),
        ("region: AFRICA".into(), vec![("region", "africa")], set_of(&[a, d])),
        ("theme: \"gcm_objectives/5\"".into(), vec![("theme", "gcm_objectives/5")], set_of(&[a, d])),
        ("orgKind: NGO".into(), vec![("org_kind", "ngo")], set_of(&[a, b, d])),
        (format!("updatedSince: {}", lit(&fx.since)), vec![("updated_since", fx.since.as_str())], set_of(&[d])),
        (
            "status: DRAFT, kind: GOOD_PRACTICE".into(),
            vec![("status", "draft"), ("kind", "good_practice")],
            set_of(&[d]),
        ),
    ];
    for (filter, rest_filters, expected) in &cases {
        let (gql, total) = connection(app, &fx.ngo.token, filter);
        let rest = all_ids(app, &fx.ngo.token, rest_filters);
        assert_eq!(&set(&gql), expected, "GraphQL filter {{{filter}}}");
        assert_eq!(gql, rest, "GraphQL {{{filter}}} and REST {rest_filters:?} differ");
        assert_eq!(total, expected.len() as i64, "totalCount of {{{filter}}}");
    }
    let (none, total) = connection(app, &app.admin_token, "status: DRAFT");
    assert!(none.is_empty() && total == 0, "nobody else's drafts: {none:?} {total}");
}

fn upsert_by_external_ref(app: &TestApp) {
    let owner = writer(app);
    let seed = seed(app);
    let mut input = full_input(&seed.breakout_question, "Synced through GraphQL");
    if let Some(m) = input.as_object_mut() {
        m.remove("externalRef");
    }
    let upsert = "mutation($input: ContributionInput!) { upsertContributionByExternalRef(externalRef: \"erp-9\", \
                  input: $input) { id title version externalRef organisation { id } } }";
    let first = app.graphql_as(&owner.token, upsert, json!({"input": input}));
    let first = data(&first, "upsertContributionByExternalRef").clone();
    assert_eq!((first["version"].as_i64(), first["externalRef"].as_str()), (Some(1), Some("erp-9")), "{first}");
    let again =
        app.graphql_as(&owner.token, upsert, json!({"input": with(input.clone(), json!({"title": "Synced again"}))}));
    let again = data(&again, "upsertContributionByExternalRef");
    assert_eq!(id_of(again), id_of(&first), "the same contribution");
    assert_eq!((again["version"].as_i64(), again["title"].as_str()), (Some(2), Some("Synced again")), "{again}");

    let other = writer(app);
    let theirs = app.graphql_as(&other.token, upsert, json!({"input": input}));
    let theirs = data(&theirs, "upsertContributionByExternalRef");
    assert_ne!(id_of(theirs), id_of(&first), "another organisation's reference is its own");
    assert_eq!(theirs["organisation"]["id"], other.organisation_id.as_str());
    // The REST door sees the same thing.
    let rest = list(app, &owner.token, &query(&[("organisation", owner.organisation_id.as_str())]));
    assert_eq!(rest["data"].as_array().map(Vec::len), Some(1), "{rest}");
    assert_eq!(rest["data"][0]["external_ref"], "erp-9");
}

/// Contract §4: drafts only to the owning organisation; submitted, changes_requested,
/// rejected and withdrawn to the owner and `review` callers; published to every reader.
/// Invisible is 404 on a single read and absent from lists, search, GraphQL and counts.
fn visibility_matrix_rest_and_graphql(app: &TestApp) {
    let owner = writer(app);
    let other = app.partner("academia", READER);
    let reviewer = reviewer(app);
    // (status, GraphQL enum value, a word only this contribution's body contains)
    let statuses = [
        ("draft", "DRAFT", "vismarkalpha"),
        ("submitted", "SUBMITTED", "vismarkbravo"),
        ("changes_requested", "CHANGES_REQUESTED", "vismarkcharlie"),
        ("published", "PUBLISHED", "vismarkdelta"),
        ("rejected", "REJECTED", "vismarkecho"),
        ("withdrawn", "WITHDRAWN", "vismarkfoxtrot"),
    ];
    let made: Vec<String> = statuses
        .iter()
        .map(|(status, _, word)| {
            let body =
                with(minimal(&format!("Matrix {status}"), &format!("Matrix entry {word}.")), json!({"language": "en"}));
            id_of(&in_status(app, &owner, status, &body))
        })
        .collect();
    let org = owner.organisation_id.as_str();
    let callers = [
        ("owner", owner.token.as_str(), true, false),
        ("another partner", other.token.as_str(), false, false),
        ("a reviewer", reviewer.token.as_str(), false, true),
        ("the secretariat", app.admin_token.as_str(), false, true),
    ];
    for (who, token, is_owner, reviews) in callers {
        let listed = all_ids(app, token, &[("organisation", org)]);
        let mut expected_count = 0;
        for ((status, gql_status, word), id) in statuses.iter().zip(&made) {
            let visible = *status == "published" || is_owner || (reviews && *status != "draft");
            expected_count += i64::from(visible);
            let cell = format!("{who} × {status}");

            // REST: single read.
            let r = get(app, token, id);
            if visible {
                assert_eq!(r.status, 200, "{cell}: single read: {}", r.text());
                assert_eq!(r.json()["status"], *status, "{cell}");
            } else {
                assert_eq!(r.status, 404, "{cell}: single read must be 404: {}", r.text());
                r.problem(404);
            }
            // REST: list filtered by organisation.
            assert_eq!(listed.contains(id), visible, "{cell}: list {listed:?}");
            // REST: search for the word only this one has.
            let found = list_ids(app, token, &query(&[("q", *word)]));
            let expected: Vec<String> = if visible { vec![id.clone()] } else { vec![] };
            assert_eq!(found, expected, "{cell}: search q={word}");
            // GraphQL: contribution(id).
            let doc = app.graphql_as(token, ONE, json!({"id": id}));
            if visible {
                assert_eq!(data(&doc, "contribution")["status"], *gql_status, "{cell}: {doc}");
            } else {
                assert!(doc["data"]["contribution"].is_null(), "{cell}: {doc}");
                assert_eq!(code(&doc), "NOT_FOUND", "{cell}: {doc}");
            }
            // GraphQL: totalCount of this organisation's contributions in this status.
            let (ids, total) = connection(app, token, &format!("organisation: {}, status: {gql_status}", lit(org)));
            assert_eq!(total, i64::from(visible), "{cell}: totalCount");
            assert_eq!(ids, expected, "{cell}: edges");
        }
        assert_eq!(listed.len() as i64, expected_count, "{who}: list {listed:?}");
        let (_, total) = connection(app, token, &format!("organisation: {}", lit(org)));
        assert_eq!(total, expected_count, "{who}: totalCount with filter organisation");
    }
}

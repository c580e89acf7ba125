//! The same structure through GraphQL, and the GraphQL endpoint's own rules.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::AppCase;

pub const CASES: &[AppCase] = &[
    ("graphql::tree_equals_rest_in_both_languages", tree_equals_rest_in_both_languages),
    ("graphql::taxonomies_and_organisations_equal_rest", taxonomies_and_organisations_equal_rest),
    ("graphql::unknown_slug_is_not_found", unknown_slug_is_not_found),
    ("graphql::depth_limit_refuses_deep_queries", depth_limit_refuses_deep_queries),
    ("graphql::batches_and_get_mutations_are_refused", batches_and_get_mutations_are_refused),
    ("graphql::queries_over_get", queries_over_get),
    ("graphql::graphiql_is_served_from_the_binary", graphiql_is_served_from_the_binary),
    ("graphql::aliases_are_capped", aliases_are_capped),
];

const QUESTION: &str = "id position label text references { document section paragraph }";

fn tree_query() -> String {
    let q = format!("{QUESTION} children {{ {QUESTION} children {{ {QUESTION} }} }}");
    format!(
        "query($lang: Lang) {{ consultation(slug: \"grcp-7\", lang: $lang) {{ id slug title theme startsOn endsOn venue \
         purposes {{ id position text }} topics {{ {q} }} \
         sessions {{ id number title objectives {{ id position text }} questions {{ {q} }} \
           segments {{ id key kind title objectives {{ id position text }} questions {{ {q} }} groups {{ id name regions }} }} }} }} }}"
    )
}

/// REST's snake_case JSON as GraphQL shows it: camelCase keys, enum values in capitals.
fn as_graphql(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = camel(k);
                    let value = if k == "kind" || k == "regions" { upper(v) } else { as_graphql(v) };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(list) => Value::Array(list.iter().map(as_graphql).collect()),
        other => other.clone(),
    }
}

fn upper(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.to_uppercase()),
        Value::Array(list) => Value::Array(list.iter().map(upper).collect()),
        other => other.clone(),
    }
}

fn camel(key: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in key.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Drops empty `children` of the deepest level, which the query does not ask for.
fn trim_leaf_children(v: &mut Value, depth: usize) {
    match v {
        Value::Object(map) => {
            if depth == 3 {
                map.remove("children");
            }
            let next = if map.contains_key("label") { depth + 1 } else { depth };
            for (k, child) in map.iter_mut() {
                trim_leaf_children(
                    child,
                    if k == "children" {
                        next
                    } else if map_is_question(k) {
                        0
                    } else {
                        depth
                    },
                );
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|c| trim_leaf_children(c, depth)),
        _ => {}
    }
}

fn map_is_question(key: &str) -> bool {
    key == "topics" || key == "questions"
}

fn tree_equals_rest_in_both_languages(app: &TestApp) {
    for (lang, gql_lang) in [("en", "EN"), ("fr", "FR")] {
        let mut rest = crate::structure::tree(app, lang);
        trim_leaf_children(&mut rest, 0);
        let gql = app.graphql(&tree_query(), json!({ "lang": gql_lang }));
        assert!(gql.get("errors").is_none(), "{gql}");
        assert_eq!(gql["data"]["consultation"], as_graphql(&rest), "GraphQL and REST differ in {lang}");
    }
    // Without an argument the request's Accept-Language decides.
    let response = app.post_raw(
        "/graphql",
        "application/json",
        json!({"query": "{ consultation(slug: \"grcp-7\") { title } }"}).to_string().as_bytes(),
        &[("accept-language", "fr")],
    );
    assert!(response.json()["data"]["consultation"]["title"].as_str().unwrap_or_default().starts_with("Septième"));
}

fn taxonomies_and_organisations_equal_rest(app: &TestApp) {
    let gql = app.graphql(
        "{ taxonomies { key title terms { id code label title } } organisations { id name acronym kind regions } }",
        json!({}),
    );
    let rest_tax = app.get("/api/v1/taxonomies").json();
    assert_eq!(gql["data"]["taxonomies"], as_graphql(&rest_tax["data"]));
    let rest_orgs = app.get("/api/v1/organisations?limit=200").json();
    assert_eq!(gql["data"]["organisations"], as_graphql(&rest_orgs["data"]));
}

fn unknown_slug_is_not_found(app: &TestApp) {
    let gql = app.graphql("{ consultation(slug: \"nope\") { id } }", json!({}));
    assert_eq!(gql["data"]["consultation"], Value::Null);
    assert_eq!(gql["errors"][0]["extensions"]["code"], "NOT_FOUND", "{gql}");
}

fn depth_limit_refuses_deep_queries(app: &TestApp) {
    let mut inner = "id".to_owned();
    for _ in 0..14 {
        inner = format!("id children {{ {inner} }}");
    }
    let query = format!("{{ consultation(slug: \"grcp-7\") {{ topics {{ {inner} }} }} }}");
    let gql = app.graphql(&query, json!({}));
    assert!(gql["data"].is_null(), "{gql}");
    let message = gql["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nested too deep"), "{message}");
    assert_eq!(gql["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

fn batches_and_get_mutations_are_refused(app: &TestApp) {
    let batch =
        app.post_json("/graphql", &json!([{"query": "{ taxonomies { key } }"}, {"query": "{ taxonomies { key } }"}]));
    assert_eq!(batch.status, 400, "{}", batch.text());
    assert!(batch.text().contains("batched"));
    let get = app.get("/graphql?query=mutation%20%7B%20__typename%20%7D");
    assert_eq!(get.status, 405, "{}", get.text());
    let garbage = app.post_raw("/graphql", "application/json", b"{not json", &[]);
    assert_eq!(garbage.status, 400);
    let huge = vec![b' '; 1024 * 1024 + 1];
    assert_eq!(app.post_raw("/graphql", "application/json", &huge, &[]).status, 413);
}

fn queries_over_get(app: &TestApp) {
    let response = app.get("/graphql?query=%7B%20taxonomies%20%7B%20key%20%7D%20%7D");
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["data"]["taxonomies"][0]["key"], "gcm_objectives");
}

fn graphiql_is_served_from_the_binary(app: &TestApp) {
    let page = app.get_with("/graphql", &[("accept", "text/html,application/xhtml+xml")]);
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("GraphiQL"));
    assert!(!html.contains("http://") && !html.contains("https://"), "the page must not load from another host");
    let mut assets = 0;
    for src in html.split("/graphql/assets/").skip(1) {
        let file = src.split(['"', '\'']).next().unwrap_or_default();
        let asset = app.get(&format!("/graphql/assets/{file}"));
        assert_eq!(asset.status, 200, "{file}");
        assert!(asset.body.len() > 1000, "{file}");
        assets += 1;
    }
    assert!(assets >= 4, "GraphiQL loads its scripts and styles from this server");
    assert_eq!(app.get("/graphql/assets/nope.js").status, 404);
}

pub fn aliases_are_capped(app: &TestApp) {
    let many: String = (0..31).map(|i| format!("a{i}: taxonomies {{ key }} ")).collect();
    let response = app.post_json("/graphql", &json!({"query": format!("{{ {many} }}")}));
    assert_eq!(response.status, 400, "{}", response.text());
    assert_eq!(response.json()["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let few: String = (0..5).map(|i| format!("a{i}: taxonomies {{ key }} ")).collect();
    let ok = app.graphql(&format!("{{ {few} }}"), json!({}));
    assert!(ok["data"]["a4"].is_array(), "{ok}");
}

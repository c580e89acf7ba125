//! Generated artefacts checked in at the repository root stay equal to what the code prints.

use crate::PlainCase;

pub const CASES: &[PlainCase] = &[
    ("artefacts::schema_graphql_is_current", schema_graphql_is_current),
    ("artefacts::openapi_json_is_current", openapi_json_is_current),
    ("artefacts::every_route_is_documented", every_route_is_documented),
];

fn compare(file: &str, generated: &str, command: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{file} differs from what the code generates; run `cargo run -q -- {command} > {file}` and commit it"
    );
}

fn schema_graphql_is_current() {
    compare("schema.graphql", &consultation_hub::graphql::sdl(), "schema");
}

fn openapi_json_is_current() {
    compare("openapi.json", &consultation_hub::http::openapi::render(), "openapi");
}

/// Every REST route the handlers declare is in the OpenAPI document with its method, and the
/// document names no route that does not exist.
pub fn every_route_is_documented() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut routes = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("src/http") {
        let path = entry.expect("entry").path();
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or_default().to_owned();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        // Operations and OAuth live at the root; resources under /api/v1.
        let prefix = if ["ops.rs", "openapi.rs", "oauth.rs"].contains(&file.as_str()) { "" } else { "/api/v1" };
        for line in text.lines() {
            let line = line.trim();
            for method in ["get", "post", "put", "patch", "delete"] {
                let open = format!("#[{method}(\"");
                let qualified = format!("#[actix_web::{method}(\"");
                let rest = line.strip_prefix(&open).or_else(|| line.strip_prefix(&qualified));
                if let Some(rest) = rest {
                    let route = rest.split('"').next().unwrap_or_default();
                    routes.insert((method.to_owned(), format!("{prefix}{route}")));
                }
            }
        }
    }
    assert!(routes.len() > 40, "found the route table: {routes:?}");
    let doc: serde_json::Value = serde_json::from_str(&consultation_hub::http::openapi::render()).expect("json");
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_owned(), path.clone()));
            }
        }
    }
    let missing: Vec<_> = routes.difference(&documented).collect();
    assert!(missing.is_empty(), "routes missing from the OpenAPI document: {missing:?}");
    let phantom: Vec<_> = documented.difference(&routes).collect();
    assert!(phantom.is_empty(), "documented routes that do not exist: {phantom:?}");
}

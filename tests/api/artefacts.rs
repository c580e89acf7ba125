//! Generated artefacts checked in at the repository root stay equal to what the code prints.

use crate::PlainCase;

pub const CASES: &[PlainCase] = &[
    ("artefacts::schema_graphql_is_current", schema_graphql_is_current),
    ("artefacts::openapi_json_is_current", openapi_json_is_current),
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

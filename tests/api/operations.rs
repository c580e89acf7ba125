//! Health, readiness, metrics, request ids, documentation and error shapes.

use crate::helpers::TestApp;
use crate::AppCase;

pub const CASES: &[AppCase] = &[
    ("operations::health_and_readiness", health_and_readiness),
    ("operations::request_ids_are_echoed_or_made", request_ids_are_echoed_or_made),
    ("operations::metrics_count_requests_by_route", metrics_count_requests_by_route),
    ("operations::openapi_and_docs_are_served", openapi_and_docs_are_served),
    ("operations::unknown_routes_are_problems", unknown_routes_are_problems),
];

fn health_and_readiness(app: &TestApp) {
    let health = app.get("/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let ready = app.get("/readyz");
    assert_eq!(ready.status, 200, "{}", ready.text());
}

fn request_ids_are_echoed_or_made(app: &TestApp) {
    let echoed = app.get_with("/healthz", &[("x-request-id", "partner-req-42")]);
    assert_eq!(echoed.header("x-request-id"), Some("partner-req-42"));
    let made = app.get("/healthz");
    let id = made.header("x-request-id").expect("a generated request id");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let not_printable = app.get_with("/healthz", &[("x-request-id", &"x".repeat(500))]);
    assert_ne!(not_printable.header("x-request-id"), Some("x".repeat(500).as_str()));
    // Error answers carry it too.
    assert!(app.get("/api/v1/nothing-here").header("x-request-id").is_some());
}

fn metrics_count_requests_by_route(app: &TestApp) {
    app.get("/api/v1/consultations/grcp-7");
    app.get("/api/v1/consultations/grcp-7");
    let metrics = app.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(metrics.header("content-type").unwrap_or_default().starts_with("text/plain"));
    let text = metrics.text();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("hub_http_requests_total")
                && l.contains("route=\"/api/v1/consultations/{slug}\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no request counter for the route:\n{text}"));
    assert!(line.ends_with(" 2"), "{line}");
    assert!(text.contains("hub_http_request_duration_seconds_bucket"));
}

fn openapi_and_docs_are_served(app: &TestApp) {
    let doc = app.get("/openapi.json");
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap_or_default().starts_with("3."));
    for path in [
        "/api/v1/consultations",
        "/api/v1/consultations/{slug}",
        "/api/v1/taxonomies",
        "/api/v1/organisations",
        "/healthz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
    let redirect = app.get("/docs/");
    assert_eq!(redirect.status, 200, "{}", redirect.text());
    let html = redirect.text();
    assert!(html.to_lowercase().contains("swagger"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "docs must not load from another host");
}

fn unknown_routes_are_problems(app: &TestApp) {
    let body = app.get("/api/v1/nothing-here").problem(404);
    assert!(body["detail"].as_str().unwrap_or_default().contains("/api/v1/nothing-here"));
}

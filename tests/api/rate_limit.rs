//! Rate limiting per client.

use consultation_hub::db::Backend;

use crate::helpers::TestApp;
use crate::BackendCase;

pub const CASES: &[BackendCase] = &[("rate_limit::clients_get_their_quota_then_429", clients_get_their_quota_then_429)];

fn clients_get_their_quota_then_429(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.rate_limit = 6);
    // Spawning used one request of the admin's quota (its token) from this address.
    let partner_token = app.admin_token.clone();
    let mut remaining = Vec::new();
    for _ in 0..6 {
        let r = app.get_as(Some(&partner_token), "/api/v1/taxonomies");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("ratelimit-limit"), Some("6"));
        assert!(r.header("ratelimit-reset").is_some_and(|v| v.parse::<u64>().is_ok()));
        remaining.push(r.header("ratelimit-remaining").and_then(|v| v.parse::<u32>().ok()).unwrap_or(99));
    }
    assert_eq!(remaining, [5, 4, 3, 2, 1, 0]);
    let refused = app.get_as(Some(&partner_token), "/api/v1/taxonomies");
    let body = refused.problem(429);
    let retry: u64 = refused.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or(0);
    assert!((1..=11).contains(&retry), "Retry-After {retry}");
    assert_eq!(refused.header("ratelimit-remaining"), Some("0"));
    assert!(body["detail"].as_str().unwrap_or_default().contains("retry"));
    // Health checks are not counted.
    assert_eq!(app.get_as(None, "/healthz").status, 200);
}

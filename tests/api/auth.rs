//! Tokens and access: the token endpoint, what a valid token is, scopes, keys, rate limits.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::Signer;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};
use crate::AppCase;

pub const CASES: &[AppCase] = &[
    ("auth::public_routes_need_no_token", public_routes_need_no_token),
    ("auth::api_routes_need_a_bearer_token", api_routes_need_a_bearer_token),
    ("auth::token_endpoint_follows_rfc_6749", token_endpoint_follows_rfc_6749),
    ("auth::tokens_carry_the_contract_header_and_claims", tokens_carry_the_contract_header_and_claims),
    ("auth::forged_and_invalid_tokens_get_401", forged_and_invalid_tokens_get_401),
    ("auth::a_revoked_clients_tokens_stop_at_once", a_revoked_clients_tokens_stop_at_once),
    (
        "auth::a_revoked_client_reads_and_writes_nothing_on_any_path",
        a_revoked_client_reads_and_writes_nothing_on_any_path,
    ),
    ("auth::scopes_are_enforced_with_403_naming_the_scope", scopes_are_enforced_with_403_naming_the_scope),
    ("auth::rotated_keys_keep_old_tokens_valid", rotated_keys_keep_old_tokens_valid),
    ("auth::tokens_verify_offline_with_an_independent_library", tokens_verify_offline_with_an_independent_library),
    ("auth::admin_manages_organisations_clients_and_groups", admin_manages_organisations_clients_and_groups),
    ("auth::me_describes_the_token", me_describes_the_token),
];

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn parts(token: &str) -> (Value, Value) {
    let mut it = token.split('.');
    let header = URL_SAFE_NO_PAD.decode(it.next().unwrap_or_default()).expect("header");
    let payload = URL_SAFE_NO_PAD.decode(it.next().unwrap_or_default()).expect("payload");
    (serde_json::from_slice(&header).expect("header json"), serde_json::from_slice(&payload).expect("payload json"))
}

fn assert_401(response: &TestResponse, what: &str) {
    assert_eq!(response.status, 401, "{what}: expected 401, got {} {}", response.status, response.text());
    assert_eq!(response.header("www-authenticate"), Some("Bearer"), "{what}");
    response.problem(401);
}

/// Signs claims with the server's own newest private key, read from the database, so that
/// each negative case below differs from an accepted token in one respect only.
fn sign_with_server_key(app: &TestApp, header: &Value, claims: &Value) -> String {
    let mut conn = app.conn();
    let key = consultation_hub::db::clients::list_keys(&mut conn).expect("keys").remove(0);
    let der = STANDARD.decode(key.private_key).expect("der");
    let encoding = jsonwebtoken::EncodingKey::from_ed_der(&der);
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    h.typ = header["typ"].as_str().map(str::to_owned);
    h.kid = header["kid"].as_str().map(str::to_owned).or(Some(key.kid));
    jsonwebtoken::encode(&h, claims, &encoding).expect("sign")
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn valid_claims(app: &TestApp) -> Value {
    let (_, claims) = parts(&app.admin_token);
    let n = now();
    json!({
        "iss": "urn:consultation-hub", "aud": "consultation-hub", "sub": claims["sub"], "org": claims["org"],
        "org_kind": "secretariat", "scope": "consultation:read", "iat": n, "nbf": n, "exp": n + 600, "jti": "t-1"
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().map(|m| m.remove(key));
    claims
}

const PROBE: &str = "/api/v1/consultations";

fn public_routes_need_no_token(app: &TestApp) {
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs/", "/.well-known/jwks.json"] {
        let response = app.get_as(None, path);
        assert_eq!(response.status, 200, "{path}: {}", response.text());
    }
    let graphiql = app.send("GET", "/graphql", None, &[("accept", "text/html")], None);
    assert_eq!(graphiql.status, 200);
}

fn api_routes_need_a_bearer_token(app: &TestApp) {
    for path in [
        PROBE,
        "/api/v1/consultations/grcp-7",
        "/api/v1/taxonomies",
        "/api/v1/organisations",
        "/api/v1/clients",
        "/api/v1/me",
    ] {
        assert_401(&app.get_as(None, path), path);
    }
    let basic = app.send("GET", PROBE, None, &[("authorization", "Basic YTpi")], None);
    assert_401(&basic, "basic scheme");
    let gql = app.json_as("POST", None, "/graphql", &json!({"query": "{ taxonomies { key } }"}));
    assert_eq!(gql.status, 401, "{}", gql.text());
    assert_eq!(gql.header("www-authenticate"), Some("Bearer"));
    assert_eq!(gql.json()["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

fn token_request(app: &TestApp, form: &[(&str, &str)], headers: &[(&str, &str)]) -> TestResponse {
    let body = serde_urlencoded::to_string(form).expect("form");
    app.send("POST", "/oauth/token", None, headers, Some(("application/x-www-form-urlencoded", body.into_bytes())))
}

fn token_endpoint_follows_rfc_6749(app: &TestApp) {
    let id = app.admin.client_id.as_str();
    let secret = app.admin.client_secret.as_str();
    let ok =
        token_request(app, &[("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)], &[]);
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.header("cache-control"), Some("no-store"));
    let body = ok.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "consultation:read contributions:read contributions:write sync:read review admin");

    let basic = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
    let via_basic = token_request(
        app,
        &[("grant_type", "client_credentials"), ("scope", "consultation:read")],
        &[("authorization", &basic)],
    );
    assert_eq!(via_basic.status, 200, "{}", via_basic.text());
    assert_eq!(via_basic.json()["scope"], "consultation:read");
    let narrow = via_basic.json()["access_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(app.get_as(Some(&narrow), PROBE).status, 200);
    let forbidden = app.get_as(Some(&narrow), "/api/v1/clients").problem(403);
    assert!(forbidden["detail"].as_str().unwrap_or_default().contains("admin"));

    let error = |r: TestResponse, status: u16, code: &str| {
        assert_eq!(r.status, status, "{code}: {}", r.text());
        assert_eq!(r.json()["error"], code);
    };
    error(
        token_request(
            app,
            &[("grant_type", "client_credentials"), ("client_id", id), ("client_secret", "hubsec_wrong")],
            &[],
        ),
        401,
        "invalid_client",
    );
    error(
        token_request(
            app,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "00000000-0000-0000-0000-000000000000"),
                ("client_secret", secret),
            ],
            &[],
        ),
        401,
        "invalid_client",
    );
    error(token_request(app, &[("grant_type", "client_credentials")], &[]), 401, "invalid_client");
    error(
        token_request(app, &[("grant_type", "password"), ("client_id", id), ("client_secret", secret)], &[]),
        400,
        "unsupported_grant_type",
    );
    error(token_request(app, &[("client_id", id), ("client_secret", secret)], &[]), 400, "invalid_request");
    let reader = app.partner("ngo", "consultation:read");
    error(
        token_request(
            app,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &reader.client_id),
                ("client_secret", &reader.client_secret),
                ("scope", "admin"),
            ],
            &[],
        ),
        400,
        "invalid_scope",
    );
    error(
        token_request(
            app,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", "everything"),
            ],
            &[],
        ),
        400,
        "invalid_scope",
    );
}

fn tokens_carry_the_contract_header_and_claims(app: &TestApp) {
    let partner = app.partner("academia", "consultation:read contributions:read");
    let (header, claims) = parts(&partner.token);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["typ"], "at+jwt");
    let jwks = app.get_as(None, "/.well-known/jwks.json").json();
    let kids: Vec<&Value> = jwks["keys"].as_array().into_iter().flatten().map(|k| &k["kid"]).collect();
    assert!(kids.contains(&&header["kid"]), "kid {} not in {jwks}", header["kid"]);
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str(), key["use"].as_str()),
        (Some("OKP"), Some("Ed25519"), Some("sig"))
    );
    assert!(key.get("d").is_none(), "the private half never leaves the server");
    assert_eq!(claims["iss"], "urn:consultation-hub");
    assert_eq!(claims["aud"], "consultation-hub");
    assert_eq!(claims["sub"], partner.client_id.as_str());
    assert_eq!(claims["org"], partner.organisation_id.as_str());
    assert_eq!(claims["org_kind"], "academia");
    assert_eq!(claims["scope"], "consultation:read contributions:read");
    let (iat, nbf, exp) = (claims["iat"].as_i64(), claims["nbf"].as_i64(), claims["exp"].as_i64());
    assert!(iat.is_some() && nbf == iat && exp.zip(iat).map(|(e, i)| e - i) == Some(3600), "{claims}");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
}

fn forged_and_invalid_tokens_get_401(app: &TestApp) {
    let claims = valid_claims(app);
    let (real_header, _) = parts(&app.admin_token);
    let kid = real_header["kid"].as_str().unwrap_or_default().to_owned();
    let at_jwt = json!({"typ": "at+jwt"});

    // The control: the same helper, right claims, is accepted.
    let good = sign_with_server_key(app, &at_jwt, &claims);
    assert_eq!(app.get_as(Some(&good), PROBE).status, 200, "the signing helper must make valid tokens");

    let mut cases: Vec<(&str, String)> = Vec::new();
    let unsigned = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "at+jwt", "kid": kid})), b64(&claims));
    cases.push(("alg none", unsigned));
    // HS256 keyed with the public key, as published in the JWKS (both raw bytes and the text).
    let jwks = app.get_as(None, "/.well-known/jwks.json").json();
    let x = jwks["keys"][0]["x"].as_str().unwrap_or_default().to_owned();
    for (label, secret) in [
        ("HS256 with raw public key", URL_SAFE_NO_PAD.decode(&x).unwrap_or_default()),
        ("HS256 with x text", x.clone().into_bytes()),
    ] {
        let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        h.typ = Some("at+jwt".into());
        h.kid = Some(kid.clone());
        let token = jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_secret(&secret)).expect("hs256");
        cases.push((label, token));
    }
    // A foreign Ed25519 key, once with our kid and once with its own.
    let foreign = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    for (label, k) in [("foreign key, known kid", kid.as_str()), ("unknown kid", "not-one-of-ours")] {
        let signing_input = format!("{}.{}", b64(&json!({"alg": "EdDSA", "typ": "at+jwt", "kid": k})), b64(&claims));
        let signature = foreign.sign(signing_input.as_bytes());
        cases.push((label, format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))));
    }
    // A valid token whose payload was changed after signing.
    let mut pieces: Vec<String> = good.split('.').map(str::to_owned).collect();
    pieces[1] = b64(&with(claims.clone(), "scope", json!("consultation:read admin")));
    cases.push(("tampered payload", pieces.join(".")));
    let n = now();
    cases.push((
        "expired",
        sign_with_server_key(app, &at_jwt, &with(with(claims.clone(), "exp", json!(n - 120)), "iat", json!(n - 900))),
    ));
    cases.push(("nbf in the future", sign_with_server_key(app, &at_jwt, &with(claims.clone(), "nbf", json!(n + 600)))));
    cases.push((
        "wrong iss",
        sign_with_server_key(app, &at_jwt, &with(claims.clone(), "iss", json!("urn:someone-else"))),
    ));
    cases.push(("wrong aud", sign_with_server_key(app, &at_jwt, &with(claims.clone(), "aud", json!("another-api")))));
    cases.push(("missing exp", sign_with_server_key(app, &at_jwt, &without(claims.clone(), "exp"))));
    cases.push(("missing sub", sign_with_server_key(app, &at_jwt, &without(claims.clone(), "sub"))));
    cases.push(("not an access token (typ JWT)", sign_with_server_key(app, &json!({"typ": "JWT"}), &claims)));
    cases.push(("garbage", "not.a.token".to_owned()));
    for (what, token) in &cases {
        assert_401(&app.get_as(Some(token), PROBE), what);
        let gql = app.json_as("POST", Some(token), "/graphql", &json!({"query": "{ taxonomies { key } }"}));
        assert_eq!(gql.status, 401, "GraphQL, {what}");
    }
}

fn a_revoked_clients_tokens_stop_at_once(app: &TestApp) {
    // Through the REST door.
    let partner = app.partner("ngo", "consultation:read");
    assert_eq!(app.get_as(Some(&partner.token), PROBE).status, 200);
    let revoked =
        app.send("DELETE", &format!("/api/v1/clients/{}", partner.client_id), Some(&app.admin_token), &[], None);
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    assert!(revoked.json()["revoked_at"].is_string());
    assert_401(&app.get_as(Some(&partner.token), PROBE), "token of a client revoked over REST");
    // As `admin revoke-client` does it: straight in the database, from another process.
    let other = app.partner("ngo", "consultation:read");
    assert_eq!(app.get_as(Some(&other.token), PROBE).status, 200);
    consultation_hub::service::clients::revoke_client(&mut app.conn(), &other.client_id).expect("revoke");
    // The contract gives a running server one second to notice; it trusts a standing for half.
    let revoked_at = std::time::Instant::now();
    while app.get_as(Some(&other.token), PROBE).status == 200 {
        assert!(revoked_at.elapsed() < std::time::Duration::from_secs(1), "still accepted a second after revocation");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_401(&app.get_as(Some(&other.token), PROBE), "token of a client revoked in the database");
    // A revoked client gets no new token.
    let refused = token_request(
        app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &other.client_id),
            ("client_secret", &other.client_secret),
        ],
        &[],
    );
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["error"], "invalid_client");
}

/// The standing check rides on a request's first database hop: whatever the handler does
/// (no hop, a read, a write, GraphQL reads and mutations, a refused body), a revoked client
/// gets 401 and changes nothing, even with a token that was verified (and remembered) before.
fn a_revoked_client_reads_and_writes_nothing_on_any_path(app: &TestApp) {
    let p = app.partner("ngo", "consultation:read contributions:read contributions:write");
    let draft = json!({"kind": "gap", "title": "Before revocation", "body": "b", "language": "en"});
    let created = app.json_as("POST", Some(&p.token), "/api/v1/contributions", &draft);
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(app.get_as(Some(&p.token), "/api/v1/me").status, 200);
    assert_eq!(app.graphql_as(&p.token, "{ consultations { slug } }", json!({}))["errors"], Value::Null);

    let revoked = app.send("DELETE", &format!("/api/v1/clients/{}", p.client_id), Some(&app.admin_token), &[], None);
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    let count = |app: &TestApp| -> i64 {
        use consultation_hub::db::schema::contributions::dsl as c;
        use diesel::prelude::*;
        c::contributions
            .filter(c::organisation_id.eq(&p.organisation_id))
            .count()
            .get_result(&mut *app.conn())
            .expect("count")
    };
    let before = count(app);
    assert_401(&app.get_as(Some(&p.token), "/api/v1/me"), "a route without a database hop");
    assert_401(&app.get_as(Some(&p.token), &format!("/api/v1/contributions/{id}")), "a read by id");
    assert_401(&app.get_as(Some(&p.token), "/api/v1/contributions"), "a list");
    let write = json!({"kind": "gap", "title": "After revocation", "body": "b", "language": "en"});
    assert_401(&app.json_as("POST", Some(&p.token), "/api/v1/contributions", &write), "a create");
    assert_401(
        &app.json_as("PATCH", Some(&p.token), &format!("/api/v1/contributions/{id}"), &json!({"title": "x"})),
        "an edit",
    );
    assert_401(&app.json_as("POST", Some(&p.token), "/api/v1/contributions", &json!({"bogus": 1})), "a refused body");
    let query =
        json!({"query": "{ contributions(first: 5) { totalCount edges { node { id organisation { name } } } } }"});
    assert_401(&app.json_as("POST", Some(&p.token), "/graphql", &query), "a GraphQL query");
    let mutation = json!({"query": "mutation { createContribution(input: {kind: GAP, title: \"GraphQL after\", body: \"b\", language: \"en\"}, submit: false) { id } }"});
    assert_401(&app.json_as("POST", Some(&p.token), "/graphql", &mutation), "a GraphQL mutation");
    assert_eq!(count(app), before, "a revoked client wrote nothing");
    let title: String = {
        use consultation_hub::db::schema::contributions::dsl as c;
        use diesel::prelude::*;
        c::contributions.find(&id).select(c::title).get_result(&mut *app.conn()).expect("title")
    };
    assert_eq!(title, "Before revocation");
}

fn scopes_are_enforced_with_403_naming_the_scope(app: &TestApp) {
    let writer = app.partner("ngo", "contributions:read contributions:write");
    let problem = app.get_as(Some(&writer.token), "/api/v1/consultations/grcp-7").problem(403);
    assert!(problem["detail"].as_str().unwrap_or_default().contains("consultation:read"), "{problem}");
    let reader = app.partner("ngo", "consultation:read");
    for path in ["/api/v1/clients", "/api/v1/clients/00000000-0000-0000-0000-000000000000"] {
        let problem = app.get_as(Some(&reader.token), path).problem(403);
        assert!(problem["detail"].as_str().unwrap_or_default().contains("`admin`"), "{problem}");
    }
    let create =
        app.json_as("POST", Some(&reader.token), "/api/v1/organisations", &json!({"name": "x", "kind": "ngo"}));
    create.problem(403);
    let gql = app.graphql_as(&writer.token, "{ consultation(slug: \"grcp-7\") { slug } }", json!({}));
    assert_eq!(gql["errors"][0]["extensions"]["code"], "FORBIDDEN", "{gql}");
    assert!(gql["errors"][0]["message"].as_str().unwrap_or_default().contains("consultation:read"));
}

fn rotated_keys_keep_old_tokens_valid(app: &TestApp) {
    let old = app.admin_token.clone();
    let (old_header, _) = parts(&old);
    let new_key = consultation_hub::auth::keys::rotate(&mut app.conn()).expect("rotate");
    // Nodes pick a new signing key up within seconds.
    std::thread::sleep(std::time::Duration::from_millis(2300));
    let fresh = app.token(&app.admin.client_id, &app.admin.client_secret, None);
    let (fresh_header, _) = parts(&fresh);
    assert_eq!(fresh_header["kid"], new_key.kid.as_str());
    assert_ne!(fresh_header["kid"], old_header["kid"]);
    assert_eq!(app.get_as(Some(&old), PROBE).status, 200, "a token signed before the rotation still verifies");
    assert_eq!(app.get_as(Some(&fresh), PROBE).status, 200);
    let jwks = app.get_as(None, "/.well-known/jwks.json").json();
    let kids: Vec<&str> = jwks["keys"].as_array().into_iter().flatten().filter_map(|k| k["kid"].as_str()).collect();
    assert!(
        kids.contains(&new_key.kid.as_str()) && kids.contains(&old_header["kid"].as_str().unwrap_or_default()),
        "{kids:?}"
    );
}

fn tokens_verify_offline_with_an_independent_library(app: &TestApp) {
    use jwt_compact::alg::Ed25519;
    use jwt_compact::jwk::JsonWebKey;
    use jwt_compact::{AlgorithmExt, TimeOptions, UntrustedToken};

    let partner = app.partner("rcp", "consultation:read");
    let jwks = app.get_as(None, "/.well-known/jwks.json").text();
    let untrusted = UntrustedToken::new(&partner.token).expect("parse");
    let kid = untrusted.header().key_id.clone().expect("kid");
    let set: Value = serde_json::from_str(&jwks).expect("jwks");
    let jwk_value =
        set["keys"].as_array().into_iter().flatten().find(|k| k["kid"] == kid.as_str()).expect("key").clone();
    let mut jwk_value = jwk_value;
    // jwt-compact reads the RFC 7517 members it knows; it has no use for these two.
    for member in ["kid", "use", "alg"] {
        jwk_value.as_object_mut().map(|m| m.remove(member));
    }
    let jwk: JsonWebKey<'_> = serde_json::from_value(jwk_value).expect("a JWK jwt-compact understands");
    let key = ed25519_dalek::VerifyingKey::try_from(&jwk).expect("Ed25519 public key");
    let token = Ed25519.validator::<Value>(&key).validate(&untrusted).expect("signature verifies offline");
    token.claims().validate_expiration(&TimeOptions::default()).expect("not expired");
    assert_eq!(token.claims().custom["sub"], partner.client_id.as_str());
    // And the same library refuses a token signed by someone else.
    let mut forged = partner.token.clone();
    forged.truncate(forged.len() - 4);
    forged.push_str("AAAA");
    let untrusted = UntrustedToken::new(&forged).expect("parse");
    assert!(Ed25519.validator::<Value>(&key).validate(&untrusted).is_err());
}

fn admin_manages_organisations_clients_and_groups(app: &TestApp) {
    let bad = app.post_json("/api/v1/organisations", &json!({"name": "  ", "kind": "ngo", "acronym": ""}));
    let problem = bad.problem(422);
    let fields: Vec<&str> =
        problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["name", "acronym"]);
    app.post_json("/api/v1/organisations", &json!({"name": "X", "kind": "planet"})).problem(400);
    app.post_json("/api/v1/organisations", &json!({"name": "X", "kind": "ngo", "colour": "red"})).problem(400);
    let created = app.post_json("/api/v1/organisations", &json!({"name": "Migrant Rights Network", "kind": "ngo", "acronym": "MRN", "regions": ["asia", "africa", "asia"]}));
    assert_eq!(created.status, 201, "{}", created.text());
    let org = created.json();
    assert_eq!(org["regions"], json!(["africa", "asia"]));
    assert_eq!(app.get(&format!("/api/v1/organisations/{}", org["id"].as_str().unwrap_or_default())).json(), org);

    let client = app.post_json(
        "/api/v1/clients",
        &json!({"organisation_id": org["id"], "scopes": "consultation:read", "name": "CRM sync"}),
    );
    assert_eq!(client.status, 201);
    let client_id = client.json()["client_id"].as_str().unwrap_or_default().to_owned();
    app.post_json("/api/v1/clients", &json!({"organisation_id": org["id"], "scopes": "root"})).problem(422);
    app.post_json("/api/v1/clients", &json!({"organisation_id": "nope", "scopes": "admin"})).problem(422);
    let listed = app.get(&format!("/api/v1/clients?organisation={}", org["id"].as_str().unwrap_or_default())).json();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["data"][0]["id"], client_id.as_str());
    assert_eq!(listed["data"][0]["scopes"], json!(["consultation:read"]));
    assert!(!listed.to_string().contains("secret"), "secrets are never listed");
    app.get("/api/v1/clients/00000000-0000-0000-0000-000000000000").problem(404);
    app.send("DELETE", "/api/v1/clients/00000000-0000-0000-0000-000000000000", Some(&app.admin_token), &[], None)
        .problem(404);

    // Breakout groups of session 2's breakout segment.
    let tree = app.get("/api/v1/consultations/grcp-7").json();
    let segment = tree["sessions"][1]["segments"][0]["id"].as_str().unwrap_or_default().to_owned();
    let group =
        app.post_json(&format!("/api/v1/segments/{segment}/groups"), &json!({"name": "Africa", "regions": ["africa"]}));
    assert_eq!(group.status, 201, "{}", group.text());
    assert_eq!(group.json()["regions"], json!(["africa"]));
    app.post_json(&format!("/api/v1/segments/{segment}/groups"), &json!({"name": "Africa"})).problem(409);
    app.post_json("/api/v1/segments/00000000-0000-0000-0000-000000000000/groups", &json!({"name": "Asia"}))
        .problem(404);
    let reader = app.partner("ngo", "consultation:read");
    app.json_as("POST", Some(&reader.token), &format!("/api/v1/segments/{segment}/groups"), &json!({"name": "Asia"}))
        .problem(403);
    let tree = app.get("/api/v1/consultations/grcp-7").json();
    assert_eq!(tree["sessions"][1]["segments"][0]["groups"][0]["name"], "Africa");
}

fn me_describes_the_token(app: &TestApp) {
    let partner = app.partner("member_state", "consultation:read contributions:read");
    let me = app.get_as(Some(&partner.token), "/api/v1/me").json();
    assert_eq!(me["client_id"], partner.client_id.as_str());
    assert_eq!(me["organisation_id"], partner.organisation_id.as_str());
    assert_eq!(me["org_kind"], "member_state");
    assert_eq!(me["scopes"], json!(["consultation:read", "contributions:read"]));
    let gql = app.graphql_as(&partner.token, "{ me { clientId orgKind scopes } }", json!({}));
    assert_eq!(gql["data"]["me"]["clientId"], partner.client_id.as_str());
    assert_eq!(gql["data"]["me"]["orgKind"], "MEMBER_STATE");
}

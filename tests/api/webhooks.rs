//! Webhooks: subscriptions, Standard Webhooks signatures, retries in order, crash safety, SSRF.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use consultation_hub::db::Backend;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{TestApp, TestDatabase};
use crate::nodes::{admin, Node};
use crate::{AppCase, BackendCase};

pub const CASES: &[AppCase] =
    &[("webhooks::private_targets_are_refused_when_the_flag_is_off", private_targets_are_refused_when_the_flag_is_off)];

pub const BACKEND_CASES: &[BackendCase] = &[
    (
        "webhooks::subscriptions_are_per_organisation_and_show_the_secret_once",
        subscriptions_are_per_organisation_and_show_the_secret_once,
    ),
    ("webhooks::a_failing_receiver_gets_every_event_in_order", a_failing_receiver_gets_every_event_in_order),
    ("webhooks::rotation_signs_with_both_secrets", rotation_signs_with_both_secrets),
    ("webhooks::kill_9_between_commit_and_delivery_still_delivers", kill_9_between_commit_and_delivery_still_delivers),
    ("webhooks::redirects_to_private_addresses_are_not_followed", redirects_to_private_addresses_are_not_followed),
];

const SYNC: &str = "consultation:read contributions:read contributions:write sync:read";

/// One request a receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub answered: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).unwrap_or("")
    }
}

/// A loopback HTTP receiver that answers 500 to its first `fail_first` requests, then 200.
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicUsize>,
}

/// The redirections a receiver may answer with, in turn.
const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

impl Receiver {
    pub fn start(fail_first: usize) -> Receiver {
        Self::start_on(TcpListener::bind("127.0.0.1:0").expect("bind"), fail_first)
    }

    pub fn start_on(listener: TcpListener, fail_first: usize) -> Receiver {
        Self::serve(listener, move |served| (if served < fail_first { 500 } else { 200 }, None))
    }

    /// A receiver that answers every request with a redirection (301, 302, 303, 307, 308 in
    /// turn) to `location`.
    pub fn redirecting_to(location: &str) -> Receiver {
        let location = location.to_owned();
        Self::serve(TcpListener::bind("127.0.0.1:0").expect("bind"), move |served| {
            (REDIRECTS[served % REDIRECTS.len()], Some(location.clone()))
        })
    }

    /// Serves requests one at a time; `answer` gives the status (and `Location`) of the n-th.
    fn serve(listener: TcpListener, answer: impl Fn(usize) -> (u16, Option<String>) + Send + 'static) -> Receiver {
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        listener.set_nonblocking(true).expect("nonblocking");
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicUsize::new(0));
        let (g, st) = (got.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut served = 0usize;
            while st.load(Ordering::SeqCst) == 0 {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (status, location) = answer(served);
                        served += 1;
                        if let Some(r) = handle(stream, status, location.as_deref()) {
                            g.lock().expect("lock").push(r);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Receiver { url, got, stop }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    /// Waits until `n` requests were answered 200.
    pub fn wait_for_successes(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let ok: Vec<Received> = self.received().into_iter().filter(|r| r.answered == 200).collect();
            if ok.len() >= n || Instant::now() > deadline {
                return ok;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(1, Ordering::SeqCst);
    }
}

fn handle(stream: TcpStream, status: u16, location: Option<&str>) -> Option<Received> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).ok()?;
    let mut out = stream;
    let reason = match status {
        200 => "OK",
        300..=399 => "Redirect",
        _ => "Internal Server Error",
    };
    let location = location.map(|l| format!("location: {l}\r\n")).unwrap_or_default();
    let _ = write!(out, "HTTP/1.1 {status} {reason}\r\n{location}content-length: 2\r\nconnection: close\r\n\r\nok");
    let _ = out.flush();
    Some(Received { headers, body: String::from_utf8_lossy(&body).into_owned(), answered: status })
}

/// Checks a Standard Webhooks signature header with an HMAC computed here, from the spec.
pub fn signature_valid(secret: &str, r: &Received) -> bool {
    let key = STANDARD.decode(secret.trim_start_matches("whsec_")).expect("secret");
    let signed = format!("{}.{}.{}", r.header("webhook-id"), r.header("webhook-timestamp"), r.body);
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("hmac");
    mac.update(signed.as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    r.header("webhook-signature").split(' ').any(|s| s == expected)
}

fn fast(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.webhook_allow_private = true;
        c.webhook_retry_base_ms = 50;
        c.webhook_timeout_ms = 2000;
    })
}

fn subscribe(app: &TestApp, token: &str, url: &str, events: Value) -> Value {
    let r = app.json_as("POST", Some(token), "/api/v1/webhooks", &json!({"url": url, "events": events}));
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

fn create(app: &TestApp, token: &str, title: &str) -> String {
    let r =
        app.json_as("POST", Some(token), "/api/v1/contributions", &json!({"kind": "gap", "title": title, "body": "B"}));
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap_or_default().to_owned()
}

fn private_targets_are_refused_when_the_flag_is_off(app: &TestApp) {
    let p = app.partner("ngo", SYNC);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:8080/hook",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/hook",
        "ftp://example.org/hook",
        "https://user:pass@example.org/hook",
        "not a url",
    ] {
        let r = app.json_as("POST", Some(&p.token), "/api/v1/webhooks", &json!({"url": url, "events": ["*"]}));
        let problem = r.problem(422);
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
    }
    let r = app.json_as(
        "POST",
        Some(&p.token),
        "/api/v1/webhooks",
        &json!({"url": "https://8.8.8.8/x", "events": ["contribution.eaten"]}),
    );
    assert_eq!(r.problem(422)["errors"][0]["field"], "events");
    let reader = app.partner("ngo", "contributions:read");
    app.json_as(
        "POST",
        Some(&reader.token),
        "/api/v1/webhooks",
        &json!({"url": "https://203.0.113.1/x", "events": ["*"]}),
    )
    .problem(403);
}

fn subscriptions_are_per_organisation_and_show_the_secret_once(backend: Backend) {
    let app = fast(backend);
    let p = app.partner("ngo", SYNC);
    let other = app.partner("ngo", SYNC);
    let hook = subscribe(&app, &p.token, "http://127.0.0.1:9/hook", json!(["contribution.published", "*"]));
    let secret = hook["secret"].as_str().unwrap_or_default();
    assert!(
        secret.starts_with("whsec_") && STANDARD.decode(&secret[6..]).map(|k| k.len()).unwrap_or(0) >= 24,
        "{hook}"
    );
    let id = hook["id"].as_str().unwrap_or_default();
    let one = app.get_as(Some(&p.token), &format!("/api/v1/webhooks/{id}")).json();
    assert!(one.get("secret").is_none(), "the secret is shown only once: {one}");
    assert_eq!(one["events"], json!(["contribution.published", "*"]));
    let listed = app.get_as(Some(&p.token), "/api/v1/webhooks").json();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1));
    assert!(!listed.to_string().contains("whsec_"));
    // Another organisation sees and touches nothing of it.
    app.get_as(Some(&other.token), &format!("/api/v1/webhooks/{id}")).problem(404);
    assert_eq!(app.get_as(Some(&other.token), "/api/v1/webhooks").json()["data"], json!([]));
    app.json_as("PATCH", Some(&other.token), &format!("/api/v1/webhooks/{id}"), &json!({"active": false})).problem(404);
    app.send("DELETE", &format!("/api/v1/webhooks/{id}"), Some(&other.token), &[], None).problem(404);
    // The owner pauses and deletes it.
    let paused = app.json_as("PATCH", Some(&p.token), &format!("/api/v1/webhooks/{id}"), &json!({"active": false}));
    assert_eq!(paused.json()["active"], false);
    assert_eq!(app.send("DELETE", &format!("/api/v1/webhooks/{id}"), Some(&p.token), &[], None).status, 204);
    app.get_as(Some(&p.token), &format!("/api/v1/webhooks/{id}")).problem(404);
}

fn a_failing_receiver_gets_every_event_in_order(backend: Backend) {
    let app = fast(backend);
    let p = app.partner("ngo", SYNC);
    let receiver = Receiver::start(3);
    let hook = subscribe(&app, &p.token, &receiver.url, json!(["contribution.created"]));
    let secret = hook["secret"].as_str().unwrap_or_default().to_owned();
    let ids: Vec<String> = (0..5).map(|i| create(&app, &p.token, &format!("In order {i}"))).collect();
    let ok = receiver.wait_for_successes(5, Duration::from_secs(30));
    assert_eq!(ok.len(), 5, "every event arrives: {:?}", receiver.received().len());
    let order: Vec<String> = ok
        .iter()
        .map(|r| {
            serde_json::from_str::<Value>(&r.body)
                .ok()
                .and_then(|b| b["data"]["id"].as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(order, ids, "in order, the failing first one before the rest");
    let all = receiver.received();
    assert_eq!(all.len(), 8, "3 failed attempts, then 5 deliveries");
    let first_id = all[0].header("webhook-id").to_owned();
    assert!(all[..4].iter().all(|r| r.header("webhook-id") == first_id), "retries keep the message id");
    for r in &all {
        assert!(signature_valid(&secret, r), "signature verifies: {:?}", r.headers);
        let body: Value = serde_json::from_str(&r.body).expect("json body");
        assert_eq!(body["type"], "contribution.created");
        assert!(body["timestamp"].is_string());
        let ts: i64 = r.header("webhook-timestamp").parse().unwrap_or(0);
        assert!((time::OffsetDateTime::now_utc().unix_timestamp() - ts).abs() < 120);
    }
    // The delivery log tells the story.
    let log = app
        .get_as(Some(&p.token), &format!("/api/v1/webhooks/{}/deliveries", hook["id"].as_str().unwrap_or("")))
        .json();
    let entries = log["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 5);
    let oldest = &entries[4];
    assert_eq!(
        (oldest["status"].as_str(), oldest["attempts"].as_i64(), oldest["last_status_code"].as_i64()),
        (Some("delivered"), Some(4), Some(200))
    );
    // Manual redelivery sends it once more, with the same id.
    let redeliver = app.send(
        "POST",
        &format!(
            "/api/v1/webhooks/{}/deliveries/{}/redeliver",
            hook["id"].as_str().unwrap_or(""),
            oldest["id"].as_str().unwrap_or("")
        ),
        Some(&p.token),
        &[],
        None,
    );
    assert_eq!(redeliver.status, 202, "{}", redeliver.text());
    let again = receiver.wait_for_successes(6, Duration::from_secs(10));
    assert_eq!(again.len(), 6);
    assert_eq!(again[5].header("webhook-id"), oldest["id"].as_str().unwrap_or(""));
}

fn rotation_signs_with_both_secrets(backend: Backend) {
    let app = fast(backend);
    let p = app.partner("ngo", SYNC);
    let receiver = Receiver::start(0);
    let hook = subscribe(&app, &p.token, &receiver.url, json!(["*"]));
    let old = hook["secret"].as_str().unwrap_or_default().to_owned();
    let rotated = app.json_as(
        "PATCH",
        Some(&p.token),
        &format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap_or("")),
        &json!({"rotate_secret": true}),
    );
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    let new = rotated.json()["secret"].as_str().unwrap_or_default().to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    create(&app, &p.token, "After rotation");
    let got = receiver.wait_for_successes(1, Duration::from_secs(10));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].header("webhook-signature").split(' ').count(), 2, "both signatures during the rotation");
    assert!(signature_valid(&old, &got[0]) && signature_valid(&new, &got[0]));
}

fn kill_9_between_commit_and_delivery_still_delivers(backend: Backend) {
    let database = TestDatabase::create(backend);
    let url = database.url().clone();
    let env = [
        ("HUB_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("HUB_WEBHOOK_RETRY_BASE_MS", "100"),
        ("HUB_WEBHOOK_TIMEOUT_MS", "1000"),
    ];
    let org = admin(&url, &["create-org", "--name", "Crash NGO", "--kind", "ngo"]);
    let client =
        admin(&url, &["create-client", "--org", org["organisation_id"].as_str().unwrap_or(""), "--scopes", SYNC]);
    // The receiver's port is reserved, but nothing answers there yet: deliveries fail.
    let reserved = TcpListener::bind("127.0.0.1:0").expect("bind");
    let hook_url = format!("http://{}/hook", reserved.local_addr().expect("addr"));
    drop(reserved);
    let node = Node::start_with(&url, &env);
    let token = node.token(client["client_id"].as_str().unwrap_or(""), client["client_secret"].as_str().unwrap_or(""));
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let post = |path: &str, body: Value| -> (u16, Value) {
        let mut r = agent
            .post(format!("{}{path}", node.base))
            .header("authorization", format!("Bearer {token}"))
            .send_json(body)
            .expect("request");
        (r.status().as_u16(), r.body_mut().read_json().unwrap_or(Value::Null))
    };
    let (status, hook) = post("/api/v1/webhooks", json!({"url": hook_url, "events": ["*"]}));
    assert_eq!(status, 201, "{hook}");
    let (status, c) =
        post("/api/v1/contributions", json!({"kind": "commitment", "title": "Acknowledged", "body": "B"}));
    assert_eq!(status, 201, "{c}");
    // Committed and acknowledged; the node dies before any delivery succeeded.
    node.kill();
    let listener =
        TcpListener::bind(hook_url.trim_start_matches("http://").trim_end_matches("/hook")).expect("rebind the port");
    let receiver = Receiver::start_on(listener, 0);
    let _restarted = Node::start_with(&url, &env);
    let got = receiver.wait_for_successes(1, Duration::from_secs(30));
    assert_eq!(got.len(), 1, "the event is delivered after the restart");
    let body: Value = serde_json::from_str(&got[0].body).expect("json");
    assert_eq!(body["data"]["id"], c["id"]);
    assert!(signature_valid(hook["secret"].as_str().unwrap_or(""), &got[0]));
}

/// A receiver that answers with redirections to an internal address: the dispatcher does not
/// follow them (whatever the code, and even with private targets allowed, as here, so that the
/// loopback receivers can be used), records each attempt as failed with the 3xx status, and
/// retries; the internal address receives nothing.
fn redirects_to_private_addresses_are_not_followed(backend: Backend) {
    let app = fast(backend);
    let p = app.partner("ngo", SYNC);
    let internal = Receiver::start(0);
    let redirector = Receiver::redirecting_to(&internal.url);
    let hook = subscribe(&app, &p.token, &redirector.url, json!(["contribution.created"]));
    create(&app, &p.token, "Redirected");

    let deadline = Instant::now() + Duration::from_secs(30);
    while redirector.received().len() < REDIRECTS.len() {
        assert!(internal.received().is_empty(), "a redirection was followed: {:?}", internal.received());
        assert!(Instant::now() < deadline, "the dispatcher stopped trying: {} attempts", redirector.received().len());
        std::thread::sleep(Duration::from_millis(20));
    }
    let answered: Vec<u16> = redirector.received().iter().map(|r| r.answered).collect();
    assert_eq!(answered[..REDIRECTS.len()], REDIRECTS, "every kind of redirection was tried");
    std::thread::sleep(Duration::from_millis(300));
    assert!(internal.received().is_empty(), "a redirection was followed: {:?}", internal.received());

    let path = format!("/api/v1/webhooks/{}/deliveries", hook["id"].as_str().unwrap_or(""));
    let log = app.get_as(Some(&p.token), &path).json();
    let delivery = &log["data"][0];
    assert_eq!(delivery["status"], "pending", "{log}");
    assert_eq!(delivery["delivered_at"], Value::Null, "{log}");
    assert!(delivery["attempts"].as_i64().unwrap_or(0) >= REDIRECTS.len() as i64, "{log}");
    let code = delivery["last_status_code"].as_i64().unwrap_or(0);
    assert!((300..400).contains(&code), "the attempt is recorded with the redirection's status: {log}");
    let hooks = app.get_as(Some(&p.token), &format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap_or(""))).json();
    assert!(hooks["failure_streak"].as_i64().unwrap_or(0) >= REDIRECTS.len() as i64, "{hooks}");
}

//! The change feed and live GraphQL subscriptions.

use std::collections::{HashMap, HashSet};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use consultation_hub::auth::tokens::Claims;
use consultation_hub::auth::Caller;
use consultation_hub::db::{Backend, DbConn};
use consultation_hub::domain::OrgKind;
use serde_json::{json, Value};
use tungstenite::client::IntoClientRequest;
use tungstenite::Message;

use crate::helpers::{Partner, TestApp, TestDatabase};
use crate::nodes::{admin, Node};
use crate::{AppCase, BackendCase};

pub const CASES: &[AppCase] = &[
    ("sync::feed_follows_visibility_with_tombstones", feed_follows_visibility_with_tombstones),
    ("sync::feed_pages_resume_from_cursors", feed_pages_resume_from_cursors),
    ("sync::positions_outside_the_feed_read_all_or_nothing", positions_outside_the_feed_read_all_or_nothing),
    (
        "sync::subscription_gets_events_within_a_second_and_no_foreign_drafts",
        subscription_gets_events_within_a_second_and_no_foreign_drafts,
    ),
];

pub const BACKEND_CASES: &[BackendCase] =
    &[("sync::two_nodes_many_writers_feed_has_every_change_once", two_nodes_many_writers_feed_has_every_change_once)];

/// SQLite serialises writers: a transaction cannot stay open beside another's commit there.
pub const POSTGRES_CASES: &[BackendCase] = &[("sync::a_late_commit_is_not_skipped", a_late_commit_is_not_skipped)];

const WRITER: &str = "consultation:read contributions:read contributions:write sync:read";

fn create(app: &TestApp, token: &str, title: &str, submit: bool) -> Value {
    let r = app.json_as(
        "POST",
        Some(token),
        "/api/v1/contributions",
        &json!({"kind": "recommendation", "title": title, "body": "A body.", "submit": submit}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

fn act(app: &TestApp, token: &str, id: &str, action: &str, body: Option<Value>) -> Value {
    let r =
        app.json_as("POST", Some(token), &format!("/api/v1/contributions/{id}/{action}"), &body.unwrap_or(json!({})));
    assert_eq!(r.status, 200, "{action}: {}", r.text());
    r.json()
}

/// Follows the feed until at least `count` changes arrived (other tests' open transactions
/// on the same Postgres cluster may delay, never drop, what the feed shows), then to its end.
fn drain_at_least(app: &TestApp, token: &str, after: Option<&str>, count: usize) -> (Vec<Value>, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut all, mut cursor) = drain(app, token, after);
    while all.len() < count && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        let (more, next) = drain(app, token, Some(&cursor));
        all.extend(more);
        cursor = next;
    }
    (all, cursor)
}

/// Every change visible to `token` after `after`, following cursors to the end.
fn drain(app: &TestApp, token: &str, after: Option<&str>) -> (Vec<Value>, String) {
    let mut out = Vec::new();
    let mut cursor = after.map(str::to_owned);
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/changes?after={c}&limit=7"),
            None => "/api/v1/changes?limit=7".to_owned(),
        };
        let r = app.get_as(Some(token), &path);
        assert_eq!(r.status, 200, "{}", r.text());
        let page = r.json();
        out.extend(page["changes"].as_array().cloned().unwrap_or_default());
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if page["has_more"] != true {
            return (out, cursor.unwrap_or_default());
        }
    }
}

fn feed_follows_visibility_with_tombstones(app: &TestApp) {
    let owner = app.partner("ngo", WRITER);
    let other = app.partner("academia", "contributions:read sync:read");
    let draft = create(app, &owner.token, "Still a draft", false);
    let shared = create(app, &owner.token, "To be published", true);
    let id = shared["id"].as_str().unwrap_or_default().to_owned();
    act(app, &app.admin_token, &id, "review", Some(json!({"decision": "publish"})));
    act(app, &owner.token, &id, "withdraw", None);

    let (theirs, _) = drain_at_least(app, &other.token, None, 2);
    let seen: Vec<(&str, &str, &str)> = theirs
        .iter()
        .map(|c| (c["id"].as_str().unwrap_or(""), c["op"].as_str().unwrap_or(""), c["event"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        seen,
        [(id.as_str(), "upsert", "contribution.published"), (id.as_str(), "delete", "contribution.withdrawn")]
    );
    assert!(theirs[1]["data"].is_null(), "a delete carries no data");
    assert_eq!(theirs[0]["data"]["status"], "published");
    assert_eq!(theirs[0]["entity"], "contribution");

    let (mine, _) = drain_at_least(app, &owner.token, None, 5);
    let events: Vec<&str> = mine.iter().map(|c| c["event"].as_str().unwrap_or("")).collect();
    assert_eq!(
        events,
        [
            "contribution.created",
            "contribution.created",
            "contribution.submitted",
            "contribution.published",
            "contribution.withdrawn"
        ]
    );
    assert_eq!(mine[0]["id"], draft["id"]);
    assert!(mine.iter().all(|c| c["op"] == "upsert"), "the owner always sees its own");

    let reader = app.partner("ngo", "contributions:read");
    let problem = app.get_as(Some(&reader.token), "/api/v1/changes").problem(403);
    assert!(problem["detail"].as_str().unwrap_or_default().contains("sync:read"));
    app.get_as(Some(&owner.token), "/api/v1/changes?after=bogus").problem(400);
    app.get_as(Some(&owner.token), "/api/v1/changes?since=1").problem(400);
}

fn feed_pages_resume_from_cursors(app: &TestApp) {
    let owner = app.partner("ngo", WRITER);
    for i in 0..20 {
        create(app, &owner.token, &format!("Item {i}"), false);
    }
    let (first, cursor) = drain_at_least(app, &owner.token, None, 20);
    assert_eq!(first.len(), 20);
    let cursors: HashSet<&str> = first.iter().filter_map(|c| c["cursor"].as_str()).collect();
    assert_eq!(cursors.len(), 20, "every change has its own cursor");
    // Nothing new: an empty page that keeps the position.
    let (none, same) = drain(app, &owner.token, Some(&cursor));
    assert!(none.is_empty());
    assert_eq!(same, cursor);
    create(app, &owner.token, "After the cursor", false);
    let (next, _) = drain_at_least(app, &owner.token, Some(&cursor), 1);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0]["data"]["title"], "After the cursor");
    // Resuming from any change's cursor gives the rest.
    let (rest, _) = drain_at_least(app, &owner.token, first[9]["cursor"].as_str(), 11);
    assert_eq!(rest.len(), 11);
    assert_eq!(rest[0]["cursor"], first[10]["cursor"]);
}

/// A caller of the partner's organisation, for service calls made outside HTTP.
fn caller_of(partner: &Partner, kind: OrgKind) -> Caller {
    Caller::from_claims(&Claims {
        iss: String::new(),
        aud: String::new(),
        sub: partner.client_id.clone(),
        org: partner.organisation_id.clone(),
        org_kind: kind,
        scope: WRITER.into(),
        iat: 0,
        nbf: 0,
        exp: 0,
        jti: String::new(),
    })
}

fn a_late_commit_is_not_skipped(backend: Backend) {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let app = TestApp::spawn(backend);
    let owner = app.partner("ngo", WRITER);
    let (_, start) = drain(&app, &owner.token, None);

    // Transaction A inserts and stays open.
    let mut a = app.conn();
    let DbConn::Pg(pg) = &mut *a else { panic!("expected Postgres") };
    AnsiTransactionManager::begin_transaction(pg).expect("begin A");
    let body = json!({"kind": "gap", "title": "From A", "body": "Written in a long transaction."});
    let first = consultation_hub::service::contributions::create(
        &mut a,
        &caller_of(&owner, OrgKind::Ngo),
        body.as_object().expect("object"),
        None,
    )
    .expect("create in A");

    // Transaction B inserts and commits; a reader follows the feed meanwhile.
    let second = create(&app, &owner.token, "From B", false);
    let (while_open, cursor) = drain(&app, &owner.token, Some(&start));
    let ids_open: Vec<&str> = while_open.iter().filter_map(|c| c["id"].as_str()).collect();
    assert!(!ids_open.contains(&first.contribution.id.as_str()), "A's row is not visible before A commits");

    // A commits: the reader, resuming from where it stood, receives both.
    let DbConn::Pg(pg) = &mut *a else { panic!("expected Postgres") };
    AnsiTransactionManager::commit_transaction(pg).expect("commit A");
    drop(a);
    let (after, _) = drain_at_least(&app, &owner.token, Some(&cursor), 2 - while_open.len());
    let mut got: Vec<String> =
        while_open.iter().chain(after.iter()).filter_map(|c| c["id"].as_str().map(str::to_owned)).collect();
    got.sort();
    let mut want = vec![first.contribution.id.clone(), second["id"].as_str().unwrap_or_default().to_owned()];
    want.sort();
    assert_eq!(got, want, "both changes arrive, none skipped, none twice");
}

fn two_nodes_many_writers_feed_has_every_change_once(backend: Backend) {
    let database = TestDatabase::create(backend);
    let url = database.url().clone();
    let boot = admin(&url, &["bootstrap"]);
    let org = admin(&url, &["create-org", "--name", "Sync NGO", "--kind", "ngo"]);
    let org_id = org["organisation_id"].as_str().unwrap_or_default().to_owned();
    let client = admin(&url, &["create-client", "--org", &org_id, "--scopes", WRITER]);
    let nodes = [Node::start(&url), Node::start(&url)];
    let _ = boot;
    let token =
        nodes[0].token(client["client_id"].as_str().unwrap_or(""), client["client_secret"].as_str().unwrap_or(""));
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let call = |node: &Node, method: &str, path: &str, body: Option<Value>| -> (u16, Value) {
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", node.base))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json");
        if method == "PATCH" {
            req = req.header("content-type", "application/merge-patch+json");
        }
        let req = req.body(body.map(|b| b.to_string()).unwrap_or_default().into_bytes()).expect("request");
        let mut r = agent.run(req).expect("request");
        let status = r.status().as_u16();
        (status, r.body_mut().read_json().unwrap_or(Value::Null))
    };

    let done = std::sync::atomic::AtomicBool::new(false);
    let acked = std::sync::Mutex::new(HashSet::<(String, i64)>::new());
    let (acknowledged, received) = std::thread::scope(|s| {
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let nodes = &nodes;
                let call = &call;
                let acked = &acked;
                s.spawn(move || {
                    let mut acks = Vec::new();
                    let mut mine: Vec<String> = Vec::new();
                    for i in 0..30u64 {
                        let node = &nodes[((w + i) % 2) as usize];
                        // A pseudo-random mix of creations and edits.
                        if mine.is_empty() || (i * 7 + w) % 3 != 0 {
                            let (status, c) = call(
                                node,
                                "POST",
                                "/api/v1/contributions",
                                Some(json!({"kind": "gap", "title": format!("w{w} #{i}"), "body": "B"})),
                            );
                            assert_eq!(status, 201, "{c}");
                            mine.push(c["id"].as_str().unwrap_or("").to_owned());
                            acks.push((c["id"].as_str().unwrap_or("").to_owned(), c["version"].as_i64().unwrap_or(0)));
                            acked.lock().expect("lock").insert(acks[acks.len() - 1].clone());
                        } else {
                            let id = &mine[(i as usize * 13) % mine.len()];
                            let (status, c) = call(
                                node,
                                "PATCH",
                                &format!("/api/v1/contributions/{id}"),
                                Some(json!({"summary": format!("edit {i}")})),
                            );
                            assert_eq!(status, 200, "{c}");
                            acks.push((id.clone(), c["version"].as_i64().unwrap_or(0)));
                            acked.lock().expect("lock").insert(acks[acks.len() - 1].clone());
                        }
                    }
                    acks
                })
            })
            .collect();
        let consumer = s.spawn(|| {
            let mut seen: Vec<(String, i64, String)> = Vec::new();
            let mut cursor: Option<String> = None;
            let mut quiet_since: Option<Instant> = None;
            loop {
                let path = match &cursor {
                    Some(c) => format!("/api/v1/changes?after={c}&limit=13"),
                    None => "/api/v1/changes?limit=13".to_owned(),
                };
                let (status, page) = call(&nodes[1], "GET", &path, None);
                assert_eq!(status, 200, "{page}");
                let batch = page["changes"].as_array().cloned().unwrap_or_default();
                for c in &batch {
                    seen.push((
                        c["id"].as_str().unwrap_or("").to_owned(),
                        c["data"]["version"].as_i64().unwrap_or(0),
                        c["cursor"].as_str().unwrap_or("").to_owned(),
                    ));
                }
                cursor = page["next_cursor"].as_str().map(str::to_owned);
                if batch.is_empty() && done.load(std::sync::atomic::Ordering::SeqCst) {
                    // Stop once everything acknowledged has arrived (or give up after a while:
                    // then the assertions below report what is missing).
                    let since = *quiet_since.get_or_insert_with(Instant::now);
                    let got: HashSet<(String, i64)> = seen.iter().map(|(id, v, _)| (id.clone(), *v)).collect();
                    let complete = acked.lock().expect("lock").is_subset(&got);
                    if complete || since.elapsed() > Duration::from_secs(30) {
                        return seen;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                } else if !batch.is_empty() {
                    quiet_since = None;
                }
            }
        });
        let acks: Vec<(String, i64)> = writers.into_iter().flat_map(|w| w.join().expect("writer")).collect();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        (acks, consumer.join().expect("consumer"))
    });

    let cursors: HashSet<&str> = received.iter().map(|(_, _, c)| c.as_str()).collect();
    assert_eq!(cursors.len(), received.len(), "no change is delivered twice in one pass");
    let got: HashSet<(String, i64)> = received.iter().map(|(id, v, _)| (id.clone(), *v)).collect();
    let want: HashSet<(String, i64)> = acknowledged.iter().cloned().collect();
    let missing: Vec<&(String, i64)> = want.difference(&got).take(5).collect();
    assert!(missing.is_empty(), "acknowledged changes missing from the feed (first 5): {missing:?}");
    assert_eq!(got, want, "the set read equals the set committed");
    let per_id: HashMap<&str, usize> = received.iter().fold(HashMap::new(), |mut m, (id, _, _)| {
        *m.entry(id.as_str()).or_default() += 1;
        m
    });
    assert!(!per_id.is_empty());
}

/// A `graphql-transport-ws` client: connects, authenticates and subscribes.
struct Subscriber {
    socket: tungstenite::WebSocket<TcpStream>,
}

impl Subscriber {
    fn connect(app: &TestApp, token: &str, query: &str) -> Subscriber {
        let url = app.address.replace("http://", "ws://") + "/graphql/ws";
        let mut request = url.into_client_request().expect("request");
        request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
        let host = app.address.trim_start_matches("http://").to_owned();
        let stream = TcpStream::connect(&host).expect("tcp");
        let (mut socket, _) = tungstenite::client(request, stream).expect("websocket handshake");
        let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}});
        socket.send(Message::text(init.to_string())).expect("init");
        let mut s = Subscriber { socket };
        let ack = s.next_message(Duration::from_secs(5)).expect("connection_ack");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        let sub = json!({"id": "1", "type": "subscribe", "payload": {"query": query}});
        s.socket.send(Message::text(sub.to_string())).expect("subscribe");
        s
    }

    fn next_message(&mut self, within: Duration) -> Option<Value> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            self.socket.get_mut().set_read_timeout(Some(left.max(Duration::from_millis(1)))).ok()?;
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    let v: Value = serde_json::from_str(text.as_str()).ok()?;
                    if v["type"] == "ping" {
                        let _ = self.socket.send(Message::text(json!({"type": "pong"}).to_string()));
                        continue;
                    }
                    return Some(v);
                }
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }
}

fn subscription_gets_events_within_a_second_and_no_foreign_drafts(app: &TestApp) {
    let author = app.partner("ngo", WRITER);
    let watcher = app.partner("academia", "contributions:read");
    let mut sub = Subscriber::connect(
        app,
        &watcher.token,
        "subscription { contributionChanged { op event id contribution { title status } } }",
    );
    std::thread::sleep(Duration::from_millis(300));
    // Another partner's draft and submission: the watcher may not see them.
    let c = create(app, &author.token, "Not for the watcher yet", false);
    let id = c["id"].as_str().unwrap_or_default().to_owned();
    act(app, &author.token, &id, "submit", None);
    assert!(sub.next_message(Duration::from_millis(800)).is_none(), "nothing of another partner's draft arrives");
    // Published: it arrives within a second of the write.
    let written = Instant::now();
    act(app, &app.admin_token, &id, "review", Some(json!({"decision": "publish"})));
    let msg = sub.next_message(Duration::from_secs(1)).expect("an event within a second of the REST write");
    assert!(written.elapsed() <= Duration::from_secs(1));
    assert_eq!(msg["type"], "next", "{msg}");
    let change = &msg["payload"]["data"]["contributionChanged"];
    assert_eq!(change["op"], "UPSERT");
    assert_eq!(change["event"], "contribution.published");
    assert_eq!(change["id"], id.as_str());
    assert_eq!(change["contribution"]["status"], "PUBLISHED");

    // A connection without a valid token is refused.
    let url = app.address.replace("http://", "ws://") + "/graphql/ws";
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
    let stream = TcpStream::connect(app.address.trim_start_matches("http://")).expect("tcp");
    let (socket, _) = tungstenite::client(request, stream).expect("handshake");
    let mut bad = Subscriber { socket };
    bad.socket
        .send(Message::text(
            json!({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}}).to_string(),
        ))
        .expect("init");
    let answer = bad.next_message(Duration::from_secs(3));
    assert!(answer.as_ref().is_none_or(|a| a["type"] != "connection_ack"), "no ack without a valid token: {answer:?}");
}

/// A position is `(txid, seq)` in row-value order on both backends: one before every
/// transaction reads the whole feed, one after every transaction reads nothing.
fn positions_outside_the_feed_read_all_or_nothing(app: &TestApp) {
    let owner = app.partner("ngo", WRITER);
    create(app, &owner.token, "First", false);
    create(app, &owner.token, "Second", false);
    let (all, _) = drain_at_least(app, &owner.token, None, 2);
    assert_eq!(all.len(), 2);
    let cursor =
        |txid: i64, seq: i64| consultation_hub::service::page::Cursor(vec![txid.to_string(), seq.to_string()]).encode();
    let page = |c: &str| app.get_as(Some(&owner.token), &format!("/api/v1/changes?after={c}")).json();
    let before = page(&cursor(-1, i64::MAX));
    assert_eq!(before["changes"].as_array().map(Vec::len), Some(2), "{before}");
    let beyond = page(&cursor(i64::MAX, 0));
    assert_eq!(beyond["changes"].as_array().map(Vec::len), Some(0), "{beyond}");
    assert_eq!(beyond["has_more"], false);
}

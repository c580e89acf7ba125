//! Crash safety: writers create contributions with unique Idempotency-Keys while the server is
//! killed with SIGKILL at random moments and restarted. Every acknowledged write must exist
//! exactly once; unacknowledged ones, retried with their key, at most once.
//! `CRASH_KILLS` and `CRASH_WRITERS` make the run longer (see docs/RELIABILITY.md).
//!
//! On Postgres a second fault is available: the database itself is stopped in immediate mode
//! (`pg_ctl -m immediate`: no checkpoint, backends killed) and started again while the server
//! and the writers keep going. It needs a throwaway cluster, so it only runs when
//! `CRASH_DB_STOP` and `CRASH_DB_START` name the shell commands that stop and start the server
//! behind `HUB_TEST_POSTGRES_URL` (`scripts/crash.sh pg-immediate` sets them up).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use consultation_hub::db::{Backend, DbConn};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::TestDatabase;
use crate::nodes::{admin, Node};
use crate::BackendCase;

pub const CASES: &[BackendCase] = &[
    ("crash::kill_9_loses_no_acknowledged_write", kill_9_loses_no_acknowledged_write),
    ("crash::negative_control_detects_loss", negative_control_detects_loss),
];

/// Postgres only, and only with `CRASH_DB_STOP` / `CRASH_DB_START` set (see [`database_commands`]).
pub const POSTGRES_CASES: &[BackendCase] =
    &[("crash::pg_immediate_stop_loses_no_acknowledged_write", pg_immediate_stop_loses_no_acknowledged_write)];

/// The commands that stop (immediate mode) and start the database server, when both are set.
pub fn database_commands() -> Option<(String, String)> {
    let get = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    Some((get("CRASH_DB_STOP")?, get("CRASH_DB_START")?))
}

/// What is made to fail during the run.
enum Fault {
    /// `kill -9` of the server, then a new server on the same database.
    KillServer,
    /// The database server stopped in immediate mode and started again; the server keeps running.
    StopDatabase { stop: String, start: String },
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What one writer knows: the keys it got a 201 for, and those it never got an answer for.
#[derive(Default)]
struct Ledger {
    acknowledged: HashMap<String, String>,
    unanswered: HashSet<String>,
}

fn kill_9_loses_no_acknowledged_write(backend: Backend) {
    let report = run(backend, env_number("CRASH_KILLS", 3), env_number("CRASH_WRITERS", 4), false, &Fault::KillServer);
    assert!(report.lost.is_empty(), "acknowledged writes lost: {:?}", report.lost);
    assert!(report.acknowledged > 0, "writes were acknowledged");
}

fn pg_immediate_stop_loses_no_acknowledged_write(backend: Backend) {
    let (stop, start) = database_commands().expect("CRASH_DB_STOP and CRASH_DB_START");
    let fault = Fault::StopDatabase { stop, start };
    let report = run(backend, env_number("CRASH_KILLS", 3), env_number("CRASH_WRITERS", 4), false, &fault);
    assert!(report.lost.is_empty(), "acknowledged writes lost: {:?}", report.lost);
    assert!(report.acknowledged > 0, "writes were acknowledged");
}

/// Runs a shell command of the operator's (stopping or starting the database server).
fn shell(command: &str) {
    let status = std::process::Command::new("sh").arg("-c").arg(command).status().expect("run sh");
    assert!(status.success(), "`{command}` failed: {status}");
}

/// The same harness with writers that count a write as acknowledged before the server
/// answered (as a server that acknowledged before committing would make them): the check
/// must then report lost writes, which shows it can see them.
fn negative_control_detects_loss(backend: Backend) {
    let report = run(backend, 1, 2, true, &Fault::KillServer);
    assert!(!report.lost.is_empty(), "the harness must detect writes acknowledged but never committed");
    eprintln!(
        "negative control ({backend:?}): {} of {} early-acknowledged writes detected as lost",
        report.lost.len(),
        report.acknowledged
    );
}

struct Report {
    acknowledged: usize,
    lost: Vec<String>,
}

fn run(backend: Backend, kills: usize, writers: usize, acknowledge_early: bool, fault: &Fault) -> Report {
    let database = TestDatabase::create(backend);
    let url = database.url().clone();
    let org = admin(&url, &["create-org", "--name", "Crash writers", "--kind", "ngo"]);
    let client = admin(
        &url,
        &[
            "create-client",
            "--org",
            org["organisation_id"].as_str().unwrap_or(""),
            "--scopes",
            "contributions:read contributions:write",
        ],
    );
    let (id, secret) = (
        client["client_id"].as_str().unwrap_or("").to_owned(),
        client["client_secret"].as_str().unwrap_or("").to_owned(),
    );

    let node: Mutex<Option<Node>> = Mutex::new(Some(Node::start(&url)));
    let base = |n: &Mutex<Option<Node>>| n.lock().expect("lock").as_ref().map(|x| x.base.clone());
    let token = node.lock().expect("lock").as_ref().map(|n| n.token(&id, &secret)).unwrap_or_default();
    let stop = AtomicBool::new(false);
    let ledger = Mutex::new(Ledger::default());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();

    let post = |base: &str, key: &str| -> Option<(u16, Value)> {
        let response = agent
            .post(format!("{base}/api/v1/contributions"))
            .header("authorization", format!("Bearer {token}"))
            .header("idempotency-key", key)
            .send_json(json!({"kind": "commitment", "title": key, "body": "Written under fire."}));
        let mut r = response.ok()?;
        let status = r.status().as_u16();
        Some((status, r.body_mut().read_json().unwrap_or(Value::Null)))
    };

    std::thread::scope(|s| {
        for w in 0..writers {
            let (post, node, stop, ledger) = (&post, &node, &stop, &ledger);
            s.spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let key = format!("crash-w{w}-{i}");
                    i += 1;
                    if acknowledge_early {
                        ledger.lock().expect("lock").acknowledged.insert(key.clone(), String::new());
                    }
                    let answered = base(node).and_then(|b| post(&b, &key));
                    let mut l = ledger.lock().expect("lock");
                    match answered {
                        Some((201, body)) => {
                            l.acknowledged.insert(key, body["id"].as_str().unwrap_or("").to_owned());
                        }
                        _ if acknowledge_early => {}
                        _ => {
                            l.unanswered.insert(key);
                        }
                    }
                    drop(l);
                    std::thread::sleep(Duration::from_millis(5));
                }
            });
        }
        let (node, stop, ledger, url) = (&node, &stop, &ledger, &url);
        s.spawn(move || {
            for k in 0..kills {
                // A random moment: a few hundred milliseconds of writes.
                let pause = 300 + (std::process::id() as u64 * 7919 + k as u64 * 104_729) % 700;
                std::thread::sleep(Duration::from_millis(pause));
                match fault {
                    Fault::KillServer => {
                        if let Some(n) = node.lock().expect("lock").take() {
                            n.kill();
                        }
                        std::thread::sleep(Duration::from_millis(100));
                        *node.lock().expect("lock") = Some(Node::start(url));
                    }
                    Fault::StopDatabase { stop, start } => {
                        shell(stop);
                        std::thread::sleep(Duration::from_millis(100));
                        shell(start);
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(500));
            stop.store(true, Ordering::SeqCst);
            let _ = ledger;
        });
    });

    // Retry every unanswered request with its key: the first answer (if the write happened) or a new write.
    let base_now = base(&node).expect("a node");
    let unanswered: Vec<String> = ledger.lock().expect("lock").unanswered.iter().cloned().collect();
    for key in &unanswered {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match post(&base_now, key) {
                Some((201, _)) => break,
                _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
                other => panic!("retry of {key} failed: {other:?}"),
            }
        }
    }

    let l = ledger.lock().expect("lock");
    diesel::table! { contributions (id) { id -> Text, title -> Text, } }
    let db = consultation_hub::db::Db::connect(&url, 1).expect("connect");
    let mut conn = db.get().expect("conn");
    let rows: Vec<(String, String)> =
        contributions::table.select((contributions::id, contributions::title)).load(&mut *conn).expect("rows");
    let mut by_title: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, title) in &rows {
        by_title.entry(title.as_str()).or_default().push(id.as_str());
    }
    let lost: Vec<String> = l.acknowledged.keys().filter(|k| !by_title.contains_key(k.as_str())).cloned().collect();
    let duplicated = by_title.iter().filter(|(title, ids)| title.starts_with("crash-") && ids.len() > 1).count();
    if acknowledge_early {
        return Report { acknowledged: l.acknowledged.len(), lost };
    }
    for (key, id) in l.acknowledged.iter().filter(|(k, _)| by_title.contains_key(k.as_str())) {
        assert_eq!(by_title[key.as_str()], vec![id.as_str()], "{key} exists exactly once, with the acknowledged id");
    }
    for key in &unanswered {
        assert_eq!(by_title.get(key.as_str()).map(Vec::len), Some(1), "{key}: retried with its key, exactly once");
    }
    if let DbConn::Sqlite(sqlite) = &mut *conn {
        #[derive(QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let check: Check = diesel::sql_query("PRAGMA integrity_check").get_result(sqlite).expect("integrity_check");
        assert_eq!(check.integrity_check, "ok");
    }
    let what = match fault {
        Fault::KillServer => "kills of the server",
        Fault::StopDatabase { .. } => "immediate stops of the database",
    };
    eprintln!(
        "crash run ({backend:?}): {kills} {what}, {} acknowledged writes, {} unanswered then retried, {} lost, {duplicated} duplicated",
        l.acknowledged.len(),
        unanswered.len(),
        lost.len()
    );
    assert_eq!(duplicated, 0, "no write exists twice");
    Report { acknowledged: l.acknowledged.len(), lost }
}

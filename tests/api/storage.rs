//! The storage layer on each backend: seeding, batched reads, connection settings.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use consultation_hub::config::Config;
use consultation_hub::db::{Backend, DatabaseUrl, Db, DbConn};
use consultation_hub::domain::Lang;
use consultation_hub::{service, startup};
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;

use crate::helpers::{TestApp, TestDatabase};
use crate::{BackendCase, PlainCase};

pub const CASES: &[BackendCase] = &[
    ("storage::seeding_twice_changes_nothing", seeding_twice_changes_nothing),
    ("storage::the_tree_loads_with_a_fixed_number_of_queries", the_tree_loads_with_a_fixed_number_of_queries),
];

/// Cases that need a database server that can drop connections.
pub const POSTGRES_CASES: &[BackendCase] =
    &[("storage::connections_the_server_dropped_are_replaced", connections_the_server_dropped_are_replaced)];

pub const PLAIN_CASES: &[PlainCase] = &[
    ("storage::sqlite_connections_are_durable_and_checked", sqlite_connections_are_durable_and_checked),
    ("storage::a_bad_postgres_url_fails_and_never_falls_back", a_bad_postgres_url_fails_and_never_falls_back),
    ("storage::database_urls_are_parsed_strictly", database_urls_are_parsed_strictly),
    ("storage::searches_run_at_most_one_per_core", searches_run_at_most_one_per_core),
];

diesel::table! { consultations (id) { id -> Text, } }
diesel::table! { questions (id) { id -> Text, } }
diesel::table! { taxonomy_terms (id) { id -> Text, } }
diesel::table! { organisations (id) { id -> Text, } }
diesel::table! { objectives (id) { id -> Text, } }

fn counts(conn: &mut DbConn) -> [i64; 5] {
    [
        consultations::table.count().get_result(conn).unwrap_or(-1),
        questions::table.count().get_result(conn).unwrap_or(-1),
        taxonomy_terms::table.count().get_result(conn).unwrap_or(-1),
        organisations::table.count().get_result(conn).unwrap_or(-1),
        objectives::table.count().get_result(conn).unwrap_or(-1),
    ]
}

fn seeding_twice_changes_nothing(backend: Backend) {
    let database = TestDatabase::create(backend);
    let config = Config::for_database(database.url().clone());
    let db = startup::prepare_database(&config).expect("first start");
    let before = counts(&mut db.get().expect("conn"));
    assert_eq!(before, [1, 30, 63, before[3], 14]);
    assert!(before[3] >= 25);
    let tree_before =
        service::structure::get_consultation(&mut db.get().expect("conn"), "grcp-7", Lang::Fr).expect("tree");
    drop(db);
    let db = startup::prepare_database(&config).expect("second start");
    let mut conn = db.get().expect("conn");
    assert_eq!(counts(&mut conn), before);
    let report = consultation_hub::db::seed::run(&mut conn).expect("third seed");
    assert_eq!(report, Default::default(), "a seed run on a seeded database inserts nothing");
    let tree_after = service::structure::get_consultation(&mut conn, "grcp-7", Lang::Fr).expect("tree");
    assert_eq!(
        serde_json::to_value(&tree_before).ok(),
        serde_json::to_value(&tree_after).ok(),
        "ids and texts are stable across starts"
    );
}

struct QueryCounter(Arc<AtomicUsize>);

impl Instrumentation for QueryCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn the_tree_loads_with_a_fixed_number_of_queries(backend: Backend) {
    let app = TestApp::spawn(backend);
    let measure = |app: &TestApp| {
        let counter = Arc::new(AtomicUsize::new(0));
        let mut conn = app.conn();
        conn.set_instrumentation(QueryCounter(counter.clone()));
        let trees = service::structure::list_consultation_trees(&mut conn, Lang::En).expect("trees");
        conn.set_instrumentation(QueryCounter(Arc::new(AtomicUsize::new(0))));
        (counter.load(Ordering::SeqCst), trees.len())
    };
    let (queries, trees) = measure(&app);
    assert_eq!(trees, 1);
    // One query per table, whatever the size of the tree.
    assert!(queries <= 10, "{queries} queries for one tree");
    // Adding rows under the tree does not add queries.
    let mut conn = app.conn();
    diesel::sql_query(
        "INSERT INTO breakout_groups (id, consultation_id, segment_id, name, created_at) \
         SELECT 'g-' || s.id, s.consultation_id, s.id, 'Group ' || s.key, '2026-01-01T00:00:00.000000Z' FROM segments s",
    )
    .execute(&mut *conn)
    .expect("insert groups");
    diesel::sql_query("INSERT INTO breakout_group_regions (group_id, region) SELECT id, 'africa' FROM breakout_groups")
        .execute(&mut *conn)
        .expect("insert regions");
    drop(conn);
    let (after, _) = measure(&app);
    assert_eq!(after, queries + 1, "only the group regions query joins once groups exist");
}

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

fn pragma(conn: &mut SqliteConnection, name: &str) -> String {
    // The table-valued form names its column after the pragma, except busy_timeout.
    let column = if name == "busy_timeout" { "timeout" } else { name };
    diesel::sql_query(format!("SELECT CAST({column} AS TEXT) AS value FROM pragma_{name}"))
        .get_result::<Pragma>(conn)
        .map(|p| p.value)
        .unwrap_or_else(|e| panic!("pragma {name}: {e}"))
}

fn sqlite_connections_are_durable_and_checked() {
    let database = TestDatabase::create(Backend::Sqlite);
    let db = Db::connect(database.url(), 3).expect("connect");
    // Every pooled connection, not just the first, carries the settings.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut conn = db.get().expect("conn");
        let DbConn::Sqlite(sqlite) = &mut *conn else { panic!("expected SQLite") };
        assert_eq!(pragma(sqlite, "journal_mode"), "wal");
        assert_eq!(pragma(sqlite, "synchronous"), "2", "synchronous=FULL");
        assert_eq!(pragma(sqlite, "foreign_keys"), "1");
        assert_eq!(pragma(sqlite, "busy_timeout"), "10000");
        held.push(conn);
    }
}

fn a_bad_postgres_url_fails_and_never_falls_back() {
    let url = DatabaseUrl::parse("postgres://nobody:secret@127.0.0.1:1/none").expect("parse");
    let err = Db::connect(&url, 1).err().expect("connecting to a closed port must fail").to_string();
    assert!(err.contains("cannot connect"), "{err}");
    assert!(!err.contains("secret"), "the password is masked: {err}");
}

fn database_urls_are_parsed_strictly() {
    assert_eq!(DatabaseUrl::parse("sqlite://data/hub.db"), Ok(DatabaseUrl::Sqlite("data/hub.db".into())));
    assert_eq!(DatabaseUrl::parse("sqlite:///var/lib/hub.db"), Ok(DatabaseUrl::Sqlite("/var/lib/hub.db".into())));
    assert!(DatabaseUrl::parse("sqlite://:memory:").is_err());
    assert!(DatabaseUrl::parse("mysql://x").is_err());
    assert!(DatabaseUrl::parse("").is_err());
}

/// Ends every connection of the app's pool, from a connection of its own, as a database
/// restart or an idle-connection reaper would.
fn drop_pooled_connections(app: &TestApp) -> usize {
    let DatabaseUrl::Postgres(url) = app.database.url() else { panic!("a Postgres case") };
    let mut outside = diesel::PgConnection::establish(url).expect("a connection outside the pool");
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&mut outside)
    .expect("terminate the pool's connections")
}

/// A connection is handed out untested only while its last use is recent; one that failed
/// or sat idle is tested first, and replaced when the server has dropped it.
fn connections_the_server_dropped_are_replaced(backend: Backend) {
    let app = TestApp::spawn(backend);
    let path = "/api/v1/contributions?limit=5";
    let warm = |n: usize| {
        for _ in 0..n {
            assert_eq!(app.get(path).status, 200);
        }
    };
    warm(10);

    // Idle past the window: every checkout tests its connection, so no request fails.
    let dropped = drop_pooled_connections(&app);
    assert!(dropped >= 1, "the pool held connections");
    std::thread::sleep(std::time::Duration::from_millis(700));
    for i in 0..20 {
        let status = app.get(path).status;
        assert_eq!(status, 200, "request {i} after an idle pause got {status}");
    }

    // Right away: a connection used within the window is trusted, so a request may fail on
    // a dropped one, but at most once per connection, and then the pool has healed.
    warm(10);
    let dropped = drop_pooled_connections(&app);
    let statuses: Vec<u16> = (0..30).map(|_| app.get(path).status).collect();
    let failed = statuses.iter().filter(|&&s| s != 200).count();
    assert!(failed <= dropped, "{failed} failures for {dropped} dropped connections: {statuses:?}");
    assert!(statuses[statuses.len() - 10..].iter().all(|&s| s == 200), "the pool did not heal: {statuses:?}");
    assert!(statuses.iter().all(|&s| s == 200 || s == 500 || s == 503), "{statuses:?}");
}

/// Searches are admitted one per core at most, beside ordinary work, which keeps the rest
/// of the pool; a filter without words is ordinary work.
fn searches_run_at_most_one_per_core() {
    use consultation_hub::db::Admission;
    use consultation_hub::domain::contribution::Filter;
    use consultation_hub::domain::search::Query;

    let words = Filter { q: Some(Query::parse("migration")), ..Filter::default() };
    assert_eq!(Admission::of(&words), Admission::Search);
    assert_eq!(Admission::of(&Filter { q: Some(Query::parse("the")), ..Filter::default() }), Admission::Ordinary);
    assert_eq!(Admission::of(&Filter::default()), Admission::Ordinary);

    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let database = TestDatabase::create(Backend::Sqlite);
    let db = Db::connect(database.url(), (cores + 3) as u32).expect("connect");
    // Open every connection first, so that the work below overlaps from its start.
    let opened: Vec<_> = (0..cores + 3).map(|_| db.get().expect("conn")).collect();
    drop(opened);
    // [searches running, all work running] and the most of each seen at once.
    let running = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let most = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    actix_web::rt::System::new().block_on(async {
        let tasks = (0..4 * cores + 6).map(|i| {
            let (db, running, most) = (db.clone(), Arc::clone(&running), Arc::clone(&most));
            let admission = if i % 3 == 2 { Admission::Ordinary } else { Admission::Search };
            async move {
                db.run_admitted(admission, move |_| {
                    let search = usize::from(admission == Admission::Search);
                    let searching = running[0].fetch_add(search, Ordering::SeqCst) + search;
                    let all = running[1].fetch_add(1, Ordering::SeqCst) + 1;
                    most[0].fetch_max(searching, Ordering::SeqCst);
                    most[1].fetch_max(all, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(120));
                    running[0].fetch_sub(search, Ordering::SeqCst);
                    running[1].fetch_sub(1, Ordering::SeqCst);
                    Ok(())
                })
                .await
            }
        });
        for result in futures_util::future::join_all(tasks).await {
            result.expect("work ran");
        }
    });
    let searches_at_once = most[0].load(Ordering::SeqCst);
    assert!(searches_at_once <= cores, "{searches_at_once} searches ran at once on {cores} cores");
    // A pool of one still serves searches.
    let single = Db::connect(database.url(), 1).expect("connect");
    actix_web::rt::System::new()
        .block_on(single.run_admitted(Admission::Search, |_| Ok(())))
        .expect("a search on a pool of one");
    let at_once = most[1].load(Ordering::SeqCst);
    assert!(at_once > cores, "ordinary work ran beside the searches on the rest of the pool ({at_once} at once)");
}

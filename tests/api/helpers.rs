//! Spawns an isolated app per test: a fresh database (a temporary SQLite file, or a new
//! Postgres database), a real HTTP server on a free port, and a blocking client.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use consultation_hub::config::Config;
use consultation_hub::db::{Backend, DatabaseUrl};
use consultation_hub::state::AppState;
use consultation_hub::{graphql, startup};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::Value;

/// The variable naming the Postgres server of the Postgres half of the suite.
pub const POSTGRES_ENV: &str = "HUB_TEST_POSTGRES_URL";

/// A database made for one test and removed after it.
pub enum TestDatabase {
    Sqlite { _dir: tempfile::TempDir, url: DatabaseUrl },
    Postgres { admin_url: String, name: String, url: DatabaseUrl },
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDatabase {
    pub fn create(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = DatabaseUrl::Sqlite(dir.path().join("hub.db"));
                TestDatabase::Sqlite { _dir: dir, url }
            }
            Backend::Postgres => {
                let admin_url = std::env::var(POSTGRES_ENV).expect("HUB_TEST_POSTGRES_URL");
                let name = format!(
                    "hub_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    uuid::Uuid::new_v4().simple()
                );
                let mut admin = PgConnection::establish(&admin_url).expect("connect to the test Postgres server");
                admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create the test database");
                let url = DatabaseUrl::Postgres(replace_database(&admin_url, &name));
                TestDatabase::Postgres { admin_url, name, url }
            }
        }
    }

    pub fn url(&self) -> &DatabaseUrl {
        match self {
            TestDatabase::Sqlite { url, .. } | TestDatabase::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { admin_url, name, .. } = self {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The same server URL with another database name.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// A running app on its own database.
pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub backend: Backend,
    /// A token of the secretariat's admin client, with every scope.
    pub admin_token: String,
    pub admin: Credentials,
    agent: ureq::Agent,
    server: Option<(actix_web::dev::ServerHandle, JoinHandle<()>)>,
    _dispatcher: consultation_hub::sync::dispatcher::Dispatcher,
    // Dropped last: the server must stop before its database goes.
    pub database: TestDatabase,
}

/// The credentials `admin bootstrap` or `admin create-client` print.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub organisation_id: String,
    pub client_id: String,
    pub client_secret: String,
}

/// A partner organisation with one client and a token of it.
#[derive(Debug, Clone)]
pub struct Partner {
    pub organisation_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub token: String,
}

impl TestApp {
    pub fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {})
    }

    /// Spawns with a configuration adjusted by `tweak`.
    pub fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let database = TestDatabase::create(backend);
        let mut config = Config::for_database(database.url().clone());
        tweak(&mut config);
        Self::serve(database, config)
    }

    /// Serves an existing database with the given configuration.
    pub fn serve(database: TestDatabase, config: Config) -> TestApp {
        let db = startup::prepare_database(&config).expect("prepare the test database");
        let state = startup::build_state(db, config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let (tx, rx) = mpsc::channel();
        let server_state = state.clone();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let schema = graphql::build_schema(server_state.clone());
                let server =
                    actix_web::HttpServer::new(move || startup::build_app(server_state.clone(), schema.clone()))
                        .workers(2)
                        .disable_signals()
                        .listen(listener)
                        .expect("listen")
                        .run();
                let _ = tx.send(server.handle());
                let _ = server.await;
            });
        });
        let handle = rx.recv().expect("server handle");
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let dispatcher = startup::start_dispatcher(&state);
        let admin = {
            let mut conn = state.db.get().expect("conn");
            let c = consultation_hub::service::clients::bootstrap(&mut conn).expect("bootstrap");
            Credentials { organisation_id: c.organisation_id, client_id: c.client_id, client_secret: c.client_secret }
        };
        let mut app = TestApp {
            address,
            state,
            backend: Backend::Sqlite,
            admin_token: String::new(),
            admin,
            agent,
            server: Some((handle, thread)),
            _dispatcher: dispatcher,
            database,
        };
        app.backend = app.state.db.backend();
        app.admin_token = app.token(&app.admin.client_id.clone(), &app.admin.client_secret.clone(), None);
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Gets a token by the client credentials grant; panics unless it is issued.
    pub fn token(&self, client_id: &str, secret: &str, scope: Option<&str>) -> String {
        let mut form = vec![("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret)];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let body = serde_urlencoded::to_string(&form).expect("form");
        let response = self.send(
            "POST",
            "/oauth/token",
            None,
            &[],
            Some(("application/x-www-form-urlencoded", body.into_bytes())),
        );
        assert_eq!(response.status, 200, "token: {}", response.text());
        response.json()["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Creates an organisation of `kind` and a client of it with `scopes`, and gets a token.
    pub fn partner(&self, kind: &str, scopes: &str) -> Partner {
        let org = self.post_json(
            "/api/v1/organisations",
            &serde_json::json!({"name": format!("{kind} {}", uuid::Uuid::new_v4().simple()), "kind": kind, "regions": ["africa"]}),
        );
        assert_eq!(org.status, 201, "{}", org.text());
        let organisation_id = org.json()["id"].as_str().expect("id").to_owned();
        let client = self
            .post_json("/api/v1/clients", &serde_json::json!({"organisation_id": organisation_id, "scopes": scopes}));
        assert_eq!(client.status, 201, "{}", client.text());
        let c = client.json();
        let client_id = c["client_id"].as_str().expect("client_id").to_owned();
        let client_secret = c["client_secret"].as_str().expect("client_secret").to_owned();
        let token = self.token(&client_id, &client_secret, None);
        Partner { organisation_id, client_id, client_secret, token }
    }

    /// Sends a request with an optional bearer token, extra headers and an optional body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> TestResponse {
        let mut builder = ureq::http::Request::builder().method(method).uri(self.url(path));
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let result = match body {
            Some((content_type, bytes)) => {
                let request = builder.header("content-type", content_type).body(bytes).expect("request");
                self.agent.run(request)
            }
            None => self.agent.run(builder.body(()).expect("request")),
        };
        TestResponse::from(result.unwrap_or_else(|e| panic!("{method} {path}: {e}")))
    }

    /// A GET as the admin client, with extra headers.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.send("GET", path, Some(&self.admin_token), headers, None)
    }

    /// A GET as the admin client.
    pub fn get(&self, path: &str) -> TestResponse {
        self.get_with(path, &[])
    }

    /// A GET with the given token (or none).
    pub fn get_as(&self, token: Option<&str>, path: &str) -> TestResponse {
        self.send("GET", path, token, &[], None)
    }

    /// A POST of raw bytes as the admin client.
    pub fn post_raw(&self, path: &str, content_type: &str, body: &[u8], headers: &[(&str, &str)]) -> TestResponse {
        self.send("POST", path, Some(&self.admin_token), headers, Some((content_type, body.to_vec())))
    }

    /// A JSON POST as the admin client.
    pub fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        self.post_raw(path, "application/json", body.to_string().as_bytes(), &[])
    }

    /// A JSON request with any method and token.
    pub fn json_as(&self, method: &str, token: Option<&str>, path: &str, body: &Value) -> TestResponse {
        self.send(method, path, token, &[], Some(("application/json", body.to_string().into_bytes())))
    }

    /// Runs a GraphQL operation as the admin client and returns the whole response document.
    pub fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(&self.admin_token, query, variables)
    }

    /// Runs a GraphQL operation with a token.
    pub fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let response =
            self.json_as("POST", Some(token), "/graphql", &serde_json::json!({"query": query, "variables": variables}));
        assert_eq!(response.status, 200, "GraphQL over HTTP answered {}: {}", response.status, response.text());
        response.json()
    }

    /// A blocking connection to the app's database.
    pub fn conn(&self) -> impl std::ops::DerefMut<Target = consultation_hub::db::DbConn> {
        self.state.db.get().expect("database connection")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((handle, thread)) = self.server.take() {
            actix_web::rt::System::new().block_on(handle.stop(false));
            let _ = thread.join();
        }
    }
}

/// What a test looks at in an answer.
pub struct TestResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl From<ureq::http::Response<ureq::Body>> for TestResponse {
    fn from(mut response: ureq::http::Response<ureq::Body>) -> Self {
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let body = response.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec().expect("body");
        TestResponse { status, headers, body }
    }
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Asserts an RFC 9457 problem with the given status and returns it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "expected {status}, got {}: {}", self.status, self.text());
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.text());
        let body = self.json();
        assert_eq!(body["status"], status);
        assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(), "{body}");
        body
    }
}

//! Several `serve` processes on one database, administered with the CLI, as a deployment
//! behind a load balancer runs them.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use consultation_hub::db::{Backend, DatabaseUrl};
use serde_json::Value;

use crate::helpers::TestDatabase;
use crate::BackendCase;

pub const CASES: &[BackendCase] = &[
    ("nodes::revocation_and_rotation_reach_every_node", revocation_and_rotation_reach_every_node),
    ("nodes::sigterm_drains_and_exits_zero", sigterm_drains_and_exits_zero),
];

const BIN: &str = env!("CARGO_BIN_EXE_consultation-hub");

fn database_url(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    }
}

/// A `serve` process, killed when dropped.
pub struct Node {
    child: Child,
    pub base: String,
    agent: ureq::Agent,
}

impl Node {
    pub fn start(database: &DatabaseUrl) -> Node {
        Self::start_with(database, &[])
    }

    /// Starts a node with extra `HUB_*` settings.
    pub fn start_with(database: &DatabaseUrl, env: &[(&str, &str)]) -> Node {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let child = Command::new(BIN)
            .arg("serve")
            .envs(env.iter().copied())
            .env("HUB_DATABASE_URL", database_url(database))
            .env("HUB_BIND", format!("127.0.0.1:{port}"))
            .env("HUB_WORKERS", "2")
            .env("HUB_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a serve process");
        let node = Node {
            child,
            base: format!("http://127.0.0.1:{port}"),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(10)))
                .build()
                .into(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while node.status("GET", "/readyz", None) != 200 {
            assert!(Instant::now() < deadline, "the node did not become ready");
            std::thread::sleep(Duration::from_millis(50));
        }
        node
    }

    pub fn status(&self, method: &str, path: &str, token: Option<&str>) -> u16 {
        let mut request = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        match self.agent.run(request.body(()).expect("request")) {
            Ok(r) => r.status().as_u16(),
            Err(_) => 0,
        }
    }

    pub fn token(&self, client_id: &str, secret: &str) -> String {
        let body = serde_urlencoded::to_string([
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .expect("form");
        let request = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}/oauth/token", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.into_bytes())
            .expect("request");
        let mut response = self.agent.run(request).expect("token request");
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = response.body_mut().read_json().expect("json");
        body["access_token"].as_str().expect("access_token").to_owned()
    }

    /// `kill -9`: no chance to finish anything.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(Instant::now() < deadline, "the node did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs an `admin` subcommand and parses the JSON it prints.
pub fn admin(database: &DatabaseUrl, args: &[&str]) -> Value {
    let output = Command::new(BIN)
        .arg("admin")
        .args(args)
        .env("HUB_DATABASE_URL", database_url(database))
        .env("HUB_LOG", "warn")
        .output()
        .expect("run the admin command");
    assert!(output.status.success(), "admin {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("admin {args:?} printed no JSON ({e})"))
}

fn kid(token: &str) -> String {
    use base64::Engine;
    let header = token.split('.').next().unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap_or_default();
    serde_json::from_slice::<Value>(&bytes).ok().and_then(|h| h["kid"].as_str().map(str::to_owned)).unwrap_or_default()
}

fn revocation_and_rotation_reach_every_node(backend: Backend) {
    let database = TestDatabase::create(backend);
    let url = database.url().clone();
    let boot = admin(&url, &["bootstrap"]);
    let again = admin(&url, &["bootstrap"]);
    assert_eq!(boot["organisation_id"], again["organisation_id"], "bootstrap reuses the secretariat");
    assert_ne!(boot["client_id"], again["client_id"], "and makes a new admin client each time");
    let (a, b) = (Node::start(&url), Node::start(&url));
    let admin_token =
        a.token(boot["client_id"].as_str().unwrap_or_default(), boot["client_secret"].as_str().unwrap_or_default());

    let org = admin(
        &url,
        &["create-org", "--name", "Regional Commission", "--kind", "un_regional_commission", "--region", "africa"],
    );
    let org_id = org["organisation_id"].as_str().expect("organisation_id").to_owned();
    let first = admin(&url, &["create-client", "--org", &org_id, "--scopes", "consultation:read", "--name", "first"]);
    let second = admin(&url, &["create-client", "--org", &org_id, "--scopes", "consultation:read"]);
    let cred = |c: &Value| {
        (
            c["client_id"].as_str().unwrap_or_default().to_owned(),
            c["client_secret"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let ((id1, s1), (id2, s2)) = (cred(&first), cred(&second));

    // Revoked through node A's REST door: node A refuses the token on the very next request,
    // node B within the contract's second, and neither accepts it afterwards.
    let t1 = a.token(&id1, &s1);
    assert_eq!(b.status("GET", "/api/v1/taxonomies", Some(&t1)), 200);
    assert_eq!(a.status("DELETE", &format!("/api/v1/clients/{id1}"), Some(&admin_token)), 200);
    assert_eq!(a.status("GET", "/api/v1/taxonomies", Some(&t1)), 401);
    refused_within_a_second(&b, &t1);

    // Revoked with the CLI, beside the running nodes.
    let t2 = b.token(&id2, &s2);
    assert_eq!(a.status("GET", "/api/v1/taxonomies", Some(&t2)), 200);
    let revoked = admin(&url, &["revoke-client", &id2]);
    assert_eq!(revoked["client_id"], id2.as_str());
    refused_within_a_second(&a, &t2);
    refused_within_a_second(&b, &t2);

    // A key added with the CLI signs new tokens on every node within 5 seconds.
    let before =
        a.token(boot["client_id"].as_str().unwrap_or_default(), boot["client_secret"].as_str().unwrap_or_default());
    let rotated = admin(&url, &["rotate-keys"]);
    let new_kid = rotated["kid"].as_str().expect("kid").to_owned();
    std::thread::sleep(Duration::from_secs(5));
    for node in [&a, &b] {
        let fresh = node
            .token(boot["client_id"].as_str().unwrap_or_default(), boot["client_secret"].as_str().unwrap_or_default());
        assert_eq!(kid(&fresh), new_kid);
        assert_eq!(node.status("GET", "/api/v1/taxonomies", Some(&before)), 200, "older tokens stay valid");
    }
    drop((a, b));
    drop(database);
}

fn sigterm_drains_and_exits_zero(backend: Backend) {
    let database = TestDatabase::create(backend);
    let mut node = Node::start(database.url());
    assert_eq!(node.status("GET", "/healthz", None), 200);
    let status = node.terminate();
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
}

/// A node refuses `token` within one second (the contract's bound for a revocation made
/// elsewhere) and keeps refusing it.
fn refused_within_a_second(node: &Node, token: &str) {
    let start = std::time::Instant::now();
    while node.status("GET", "/api/v1/taxonomies", Some(token)) != 401 {
        assert!(start.elapsed() < Duration::from_secs(1), "a revoked token was still accepted after a second");
        std::thread::sleep(Duration::from_millis(20));
    }
    for _ in 0..3 {
        assert_eq!(node.status("GET", "/api/v1/taxonomies", Some(token)), 401);
    }
}

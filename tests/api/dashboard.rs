//! The read-only dashboard in a real browser: headless Chromium signs in through the URL
//! fragment (kiosk mode), draws from GraphQL, and the dumped DOM must carry the totals the
//! REST API gives the same client. A screenshot is kept in `target/test-artefacts/`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use consultation_hub::db::Backend;
use serde_json::{json, Value};

use crate::helpers::{Partner, TestApp};

pub const CASES: &[crate::BackendCase] =
    &[("dashboard::renders_counts_in_headless_chromium", renders_counts_in_headless_chromium)];

const WRITER: &str = "consultation:read contributions:read contributions:write";
/// How long one Chromium run may take before it is killed.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// How long to keep dumping the DOM until the page says it is ready.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// Chromium on `PATH` (`chromium`, then `chromium-browser`), else `/usr/bin/chromium`.
pub fn chromium() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let dirs: Vec<PathBuf> = on_path.collect();
    ["chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
        .chain(std::iter::once(PathBuf::from("/usr/bin/chromium")))
        .find(|p| p.is_file())
}

fn contribution(app: &TestApp, p: &Partner, body: &Value) -> String {
    let r = app.json_as("POST", Some(&p.token), "/api/v1/contributions", body);
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().expect("contribution id").to_owned()
}

fn published(app: &TestApp, p: &Partner, mut body: Value) -> String {
    body["submit"] = json!(true);
    let id = contribution(app, p, &body);
    let r = app.json_as(
        "POST",
        Some(&app.admin_token),
        &format!("/api/v1/contributions/{id}/review"),
        &json!({"decision": "publish"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    id
}

fn progress(app: &TestApp, owner: &Partner, id: &str, status: &str, as_of: &str) {
    let r = app.json_as(
        "POST",
        Some(&owner.token),
        &format!("/api/v1/contributions/{id}/progress"),
        &json!({"status": status, "as_of": as_of}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
}

/// Like `TestApp::partner`, with a real-looking name and an acronym.
fn named_partner(app: &TestApp, name: &str, acronym: Option<&str>, kind: &str) -> Partner {
    let org = app.post_json(
        "/api/v1/organisations",
        &json!({"name": name, "acronym": acronym, "kind": kind, "regions": ["global"]}),
    );
    assert_eq!(org.status, 201, "{}", org.text());
    let organisation_id = org.json()["id"].as_str().expect("organisation id").to_owned();
    let client = app.post_json("/api/v1/clients", &json!({"organisation_id": organisation_id, "scopes": WRITER}));
    assert_eq!(client.status, 201, "{}", client.text());
    let c = client.json();
    let client_id = c["client_id"].as_str().expect("client_id").to_owned();
    let client_secret = c["client_secret"].as_str().expect("client_secret").to_owned();
    let token = app.token(&client_id, &client_secret, None);
    Partner { organisation_id, client_id, client_secret, token }
}

/// Published contributions, commitments with progress, and near-identical recommendations
/// from three breakout groups. Returns how many contributions were published.
fn seed(app: &TestApp) -> usize {
    let tree = app.get("/api/v1/consultations/grcp-7").json();
    let segment = tree["sessions"][1]["segments"][0]["id"].as_str().expect("breakout segment").to_owned();
    let mut published_count = 0;

    let texts = [
        ("Africa", "africa", "Strengthen regional cooperation on labour migration data", "Countries should share labour migration data and build regional cooperation on statistics about migrant workers."),
        ("Asia-Pacific", "asia", "Regional cooperation on data about labour migration must be strengthened", "Sharing statistics on migrant workers and labour migration data through stronger regional cooperation is needed."),
        ("Europe", "europe", "Build stronger regional cooperation for labour migration statistics", "Regional cooperation should improve data and statistics on labour migration and migrant workers across countries."),
    ];
    for (name, region, title, body) in texts {
        let g =
            app.post_json(&format!("/api/v1/segments/{segment}/groups"), &json!({"name": name, "regions": [region]}));
        assert_eq!(g.status, 201, "{}", g.text());
        let group = g.json()["id"].as_str().expect("group id").to_owned();
        let p = app.partner("rcp", WRITER);
        published(
            app,
            &p,
            json!({"kind": "recommendation", "title": title, "body": body, "language": "en", "group": group, "regions": [region]}),
        );
        published_count += 1;
    }

    // A second, smaller convergence, outside the breakout groups.
    let diaspora = app.partner("ngo", WRITER);
    for (title, body, regions) in [
        ("Cut the cost of sending remittances home", "Remittance fees charged by banks and transfer operators should fall below three percent for diaspora families.", json!(["americas"])),
        ("Lower remittance fees for diaspora families", "Banks and transfer operators charge diaspora families remittance fees that should fall below three percent.", json!(["africa", "americas"])),
    ] {
        published(app, &diaspora, json!({"kind": "recommendation", "title": title, "body": body, "language": "en", "regions": regions}));
        published_count += 1;
    }

    let ngo = app.partner("ngo", WRITER);
    let academia = app.partner("academia", WRITER);
    let others = [
        (
            &ngo,
            "good_practice",
            "One-stop centres for returning migrants",
            "Municipal desks help returnees find housing and work.",
            json!(["africa"]),
        ),
        (
            &ngo,
            "good_practice",
            "Mobile birth registration in rural districts",
            "Registrars travel by motorbike to record newborns in remote villages.",
            json!(["africa"]),
        ),
        (
            &academia,
            "good_practice",
            "Free movement protocol in practice",
            "A regional passport lets citizens cross borders without visas.",
            json!(["africa", "global"]),
        ),
        (
            &academia,
            "good_practice",
            "Skills recognition across borders",
            "Mutual recognition of vocational diplomas shortens job searches.",
            json!(["europe"]),
        ),
        (
            &ngo,
            "good_practice",
            "Language tutoring by volunteers",
            "Retired teachers give weekly lessons in community libraries.",
            json!(["europe"]),
        ),
        (
            &ngo,
            "good_practice",
            "Humanitarian visas for disaster survivors",
            "Neighbouring states grant temporary stay after hurricanes.",
            json!(["americas", "global"]),
        ),
        (
            &academia,
            "good_practice",
            "Pre-departure orientation for domestic workers",
            "Recruits learn about contracts, wages and helplines before leaving.",
            json!(["asia"]),
        ),
        (
            &academia,
            "gap",
            "No data on climate-induced displacement",
            "Few states record people who move because of drought or floods.",
            json!(["asia"]),
        ),
        (
            &ngo,
            "gap",
            "Children in detention are not counted",
            "Detention statistics rarely separate minors from adults.",
            json!([]),
        ),
        (
            &ngo,
            "gap",
            "Sponsorship reform lacks monitoring",
            "Nobody checks whether employer sponsorship rules changed in practice.",
            json!(["middle_east"]),
        ),
        (
            &academia,
            "gap",
            "Ministries seldom coordinate",
            "Labour, interior and foreign affairs offices rarely meet.",
            json!(["africa"]),
        ),
        (
            &academia,
            "partnership",
            "Pacific seasonal work partnership",
            "Employers and island states plan seasonal schemes together.",
            json!(["oceania", "asia"]),
        ),
        (
            &ngo,
            "partnership",
            "Twinning of border academies",
            "Instructors exchange curricula and visit each other's campuses.",
            json!(["europe", "africa"]),
        ),
        (
            &ngo,
            "innovative_solution",
            "Digital consular registration",
            "An app lets nationals abroad register with their consulate.",
            json!(["middle_east"]),
        ),
        (
            &academia,
            "innovative_solution",
            "Tamper-proof wage records",
            "Employers log salary payments so that disputes can be settled quickly.",
            json!(["asia", "global"]),
        ),
        (
            &academia,
            "common_approach",
            "Shared resettlement pledges",
            "Countries of the hemisphere agree on resettlement places each year.",
            json!(["americas"]),
        ),
        (
            &ngo,
            "means_of_implementation",
            "Pooled fund for reintegration",
            "Donors contribute to one trust fund administered jointly.",
            json!(["global"]),
        ),
    ];
    for (owner, kind, title, body, regions) in others {
        published(app, owner, json!({"kind": kind, "title": title, "body": body, "regions": regions}));
        published_count += 1;
    }

    let eca = named_partner(app, "Economic Commission for Africa", Some("ECA"), "un_regional_commission");
    let mercosur = named_partner(app, "South American Conference on Migration", None, "rcp");
    let commitments = [
        (
            "Train 200 border officials",
            "Officers learn screening that respects rights.",
            json!(["africa"]),
            Some(("in_progress", "2026-06-30")),
        ),
        (
            "Publish an annual migration data report",
            "Statistics offices release figures every spring.",
            json!(["europe"]),
            Some(("achieved", "2026-03-01")),
        ),
        (
            "Open three migrant resource centres",
            "Walk-in advice on permits in three capitals.",
            json!(["global"]),
            Some(("planned", "2026-01-15")),
        ),
        (
            "Fund language courses for newcomers",
            "Evening classes, free of charge, during the first year.",
            json!([]),
            None,
        ),
        (
            "Translate the labour code for foreign workers",
            "Plain summaries of employment rights in eight scripts.",
            json!(["africa", "asia"]),
            Some(("achieved", "2026-05-10")),
        ),
        (
            "Pilot a mobile clinic at the northern crossing",
            "A van with nurses visits the crossing weekly.",
            json!(["americas"]),
            Some(("discontinued", "2026-04-02")),
        ),
        (
            "Map recruitment agencies in the Gulf",
            "An open register of licensed intermediaries.",
            json!(["middle_east"]),
            Some(("in_progress", "2026-07-01")),
        ),
    ];
    for (i, (title, body, regions, report)) in commitments.into_iter().enumerate() {
        let owner = if i % 3 == 2 { &mercosur } else { &eca };
        let id = published(app, owner, json!({"kind": "commitment", "title": title, "body": body, "regions": regions}));
        published_count += 1;
        if let Some((status, as_of)) = report {
            progress(app, owner, &id, status, as_of);
        }
    }

    // Not published: the dashboard's client must not count these.
    contribution(app, &ngo, &json!({"kind": "gap", "title": "A draft", "body": "Draft.", "regions": ["africa"]}));
    contribution(
        app,
        &academia,
        &json!({"kind": "recommendation", "title": "Awaiting review", "body": "Submitted.", "regions": ["asia"], "submit": true}),
    );
    published_count
}

/// Every item of a paginated list, by following `next_cursor`.
fn all_pages(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut url = format!("{path}&limit=200");
    loop {
        let page = app.get_as(Some(token), &url);
        assert_eq!(page.status, 200, "{}", page.text());
        let page = page.json();
        out.extend(page["data"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("{path}&limit=200&cursor={c}"),
            None => return out,
        }
    }
}

/// What one Chromium run left behind.
struct Run {
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// Runs Chromium headless with a fresh profile, killing it (and its children) after
/// [`RUN_TIMEOUT`].
fn run_chromium(binary: &Path, extra: &[String], url: &str) -> Run {
    let profile = tempfile::tempdir().expect("a profile directory");
    let out_path = profile.path().join("stdout.txt");
    let err_path = profile.path().join("stderr.txt");
    let mut command = Command::new(binary);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--mute-audio",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().join("profile").display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("stdout file"))
        .stderr(File::create(&err_path).expect("stderr file"));
    // Its own process group, so that a timeout ends the renderers and helpers too.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let started = Instant::now();
    let mut child = command.spawn().unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
    loop {
        match child.try_wait().expect("poll chromium") {
            Some(_) => break,
            None if started.elapsed() > RUN_TIMEOUT => {
                let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
                let _ = child.kill();
                let _ = child.wait();
                let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
                panic!("chromium did not finish within {RUN_TIMEOUT:?}; stderr:\n{}", tail(&stderr));
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    Run {
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
        elapsed: started.elapsed(),
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// The value of `name` on the dumped DOM's `<body>` tag.
fn body_attribute(dom: &str, name: &str) -> Option<String> {
    let start = dom.find("<body")?;
    let end = start + dom[start..].find('>')?;
    let tag = &dom[start..end];
    let needle = format!(" {name}=\"");
    let from = tag.find(&needle)? + needle.len();
    let len = tag[from..].find('"')?;
    Some(tag[from..from + len].to_owned())
}

/// The text of the page's error box, for failure messages.
fn error_text(dom: &str) -> String {
    let Some(start) = dom.find("id=\"error\"") else { return String::new() };
    let rest = &dom[start..];
    let end = rest.find("</div>").unwrap_or(rest.len());
    rest[..end].to_owned()
}

fn total(dom: &str, name: &str) -> usize {
    body_attribute(dom, name)
        .unwrap_or_else(|| panic!("<body> lacks {name}"))
        .parse()
        .unwrap_or_else(|e| panic!("{name} is not a number: {e}"))
}

fn renders_counts_in_headless_chromium(backend: Backend) {
    let binary = chromium().expect("chromium (the case is ignored without it)");
    let app = TestApp::spawn(backend);
    let seeded = seed(&app);
    let viewer = app.partner("un_agency", "consultation:read contributions:read");

    // What the API says to the same client.
    let contributions = all_pages(&app, &viewer.token, "/api/v1/contributions?consultation=grcp-7&status=published");
    let all_visible = all_pages(&app, &viewer.token, "/api/v1/contributions?consultation=grcp-7");
    assert_eq!(contributions.len(), seeded, "the viewer sees exactly the published contributions");
    assert_eq!(all_visible.len(), seeded, "and nothing unpublished");
    let commitments =
        all_pages(&app, &viewer.token, "/api/v1/contributions?consultation=grcp-7&kind=commitment&status=published");
    let clusters = app.get_as(Some(&viewer.token), "/api/v1/consultations/grcp-7/clusters");
    assert_eq!(clusters.status, 200, "{}", clusters.text());
    let clusters = clusters.json()["data"].as_array().map(Vec::len).unwrap_or(0);
    assert!(clusters >= 1, "the near-identical recommendations form a cluster");

    let page = format!(
        "{}/dashboard#client_id={}&client_secret={}",
        app.address,
        urlencode(&viewer.client_id),
        urlencode(&viewer.client_secret)
    );

    // Dump the DOM until the page says it is ready (or failed), for at most READY_WITHIN.
    let started = Instant::now();
    let mut attempts = 0;
    let dom = loop {
        attempts += 1;
        let run = run_chromium(&binary, &["--dump-dom".to_owned()], &page);
        let state = body_attribute(&run.stdout, "data-state");
        match state.as_deref() {
            Some("ready") => break run.stdout,
            Some("error") => {
                panic!("the dashboard failed: {}\nstderr:\n{}", error_text(&run.stdout), tail(&run.stderr))
            }
            _ if started.elapsed() > READY_WITHIN => panic!(
                "not ready after {attempts} runs ({:?}); state {state:?}\nDOM:\n{}\nstderr:\n{}",
                started.elapsed(),
                run.stdout,
                tail(&run.stderr)
            ),
            _ => eprintln!("dashboard state {state:?} after {:?}; dumping again", run.elapsed),
        }
    };
    eprintln!("dashboard ready after {attempts} run(s), {:?}", started.elapsed());

    let shown = total(&dom, "data-total-contributions");
    assert!(shown > 0);
    assert_eq!(shown, contributions.len(), "contributions: the dashboard and GET /contributions agree");
    let shown = total(&dom, "data-total-commitments");
    assert!(shown > 0);
    assert_eq!(shown, commitments.len(), "commitments: the dashboard and GET /contributions?kind=commitment agree");
    let shown = total(&dom, "data-total-clusters");
    assert!(shown > 0);
    assert_eq!(shown, clusters, "clusters: the dashboard and GET /clusters agree");
    assert!(dom.contains("Seventh Global Meeting"), "the consultation's title is shown");
    assert!(dom.contains("<svg"), "the charts are drawn");
    assert!(dom.contains("Strengthen regional cooperation") || dom.contains("regional cooperation"));
    assert!(!dom.contains(&viewer.client_secret), "the secret does not end up in the page");
    assert_eq!(body_attribute(&dom, "data-csp-violations"), None, "nothing was blocked by the CSP");

    // Without credentials: the sign-in form. With a wrong secret: a message, and no data.
    let signin = run_chromium(&binary, &["--dump-dom".to_owned()], &format!("{}/dashboard", app.address));
    assert_eq!(body_attribute(&signin.stdout, "data-state").as_deref(), Some("signin"), "{}", signin.stdout);
    assert!(signin.stdout.contains("id=\"signin-form\""));
    let wrong = format!("{}/dashboard#client_id={}&client_secret=wrong", app.address, urlencode(&viewer.client_id));
    let refused = run_chromium(&binary, &["--dump-dom".to_owned()], &wrong);
    assert_eq!(body_attribute(&refused.stdout, "data-state").as_deref(), Some("error"), "{}", refused.stdout);
    assert!(error_text(&refused.stdout).contains("Wrong client id or client secret"), "{}", refused.stdout);
    assert_eq!(body_attribute(&refused.stdout, "data-total-contributions"), None);

    // A screenshot, kept as a test artefact.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("test-artefacts");
    std::fs::create_dir_all(&dir).expect("create target/test-artefacts");
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let png = dir.join(format!("dashboard-{name}.png"));
    let _ = std::fs::remove_file(&png);
    let shot = run_chromium(
        &binary,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,1600".to_owned(),
            "--hide-scrollbars".to_owned(),
        ],
        &page,
    );
    let size = std::fs::metadata(&png)
        .unwrap_or_else(|e| panic!("no screenshot at {} ({e}); stderr:\n{}", png.display(), tail(&shot.stderr)))
        .len();
    assert!(size > 10 * 1024, "the screenshot is only {size} bytes: {}", png.display());
    eprintln!("dashboard screenshot: {} ({size} bytes, {:?})", png.display(), shot.elapsed);
}

/// Percent-encodes a fragment parameter's value.
fn urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)]).expect("encode").trim_start_matches("v=").to_owned()
}

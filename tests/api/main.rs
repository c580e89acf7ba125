//! The integration suite: every backend-dependent case runs on SQLite and on Postgres.
//! Postgres runs when `HUB_TEST_POSTGRES_URL` names a server; otherwise its half is
//! reported as ignored, with a banner saying so.

#![allow(clippy::type_complexity, clippy::cloned_ref_to_slice_refs)]

mod artefacts;
mod auth;
mod contributions;
mod contributions_graphql;
mod contributions_load;
mod crash;
mod dashboard;
mod helpers;
mod nodes;
mod operations;
mod rate_limit;
mod storage;
mod structure;
mod structure_graphql;
mod sync;
mod synthesis;
mod webhooks;

use consultation_hub::db::Backend;
use libtest_mimic::{Arguments, Trial};

use helpers::{TestApp, POSTGRES_ENV};

/// A case that runs against a freshly spawned app.
pub type AppCase = (&'static str, fn(&TestApp));
/// A case that prepares its own database of the given backend.
pub type BackendCase = (&'static str, fn(Backend));
/// A case that needs no database.
pub type PlainCase = (&'static str, fn());

fn main() {
    let args = Arguments::from_args();
    let postgres = std::env::var(POSTGRES_ENV).ok().filter(|v| !v.is_empty()).is_some();
    if !postgres {
        eprintln!();
        eprintln!("################################################################################");
        eprintln!("##  POSTGRES TESTS SKIPPED: {POSTGRES_ENV} is not set.");
        eprintln!("##  Only the SQLite half of the suite runs. To run both, e.g.:");
        eprintln!("##    {POSTGRES_ENV}=postgres://postgres@127.0.0.1:5432/postgres cargo test");
        eprintln!("################################################################################");
        eprintln!();
    }

    let chromium = dashboard::chromium().is_some();
    if !chromium {
        eprintln!();
        eprintln!("################################################################################");
        eprintln!("##  DASHBOARD BROWSER TEST SKIPPED: chromium not found; install Debian's chromium");
        eprintln!("##  (apt-get install chromium), or put chromium or chromium-browser on PATH.");
        eprintln!("################################################################################");
        eprintln!();
    }

    let app_cases: Vec<AppCase> = [
        structure::CASES,
        structure_graphql::CASES,
        operations::CASES,
        auth::CASES,
        contributions::CASES,
        contributions_graphql::CASES,
        sync::CASES,
        webhooks::CASES,
        synthesis::CASES,
    ]
    .concat();
    let backend_cases: Vec<BackendCase> = [
        storage::CASES,
        rate_limit::CASES,
        nodes::CASES,
        contributions_load::CASES,
        sync::BACKEND_CASES,
        webhooks::BACKEND_CASES,
        crash::CASES,
    ]
    .concat();
    let plain_cases: Vec<PlainCase> = [artefacts::CASES, storage::PLAIN_CASES].concat();

    let mut trials = Vec::new();
    for (backend, name) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
        let skip = backend == Backend::Postgres && !postgres;
        for &(case, run) in &app_cases {
            let trial = Trial::test(format!("{name}::{case}"), move || {
                let app = TestApp::spawn(backend);
                run(&app);
                Ok(())
            });
            trials.push(trial.with_ignored_flag(skip));
        }
        let only_here: Vec<BackendCase> = if backend == Backend::Postgres {
            [sync::POSTGRES_CASES, storage::POSTGRES_CASES].concat()
        } else {
            Vec::new()
        };
        for &(case, run) in backend_cases.iter().chain(&only_here) {
            let trial = Trial::test(format!("{name}::{case}"), move || {
                run(backend);
                Ok(())
            });
            trials.push(trial.with_ignored_flag(skip));
        }
        // Stops the database server itself: only on a throwaway cluster (scripts/crash.sh pg-immediate).
        let database_fault: &[BackendCase] = if backend == Backend::Postgres { crash::POSTGRES_CASES } else { &[] };
        for &(case, run) in database_fault {
            let trial = Trial::test(format!("{name}::{case}"), move || {
                run(backend);
                Ok(())
            });
            trials.push(trial.with_ignored_flag(skip || crash::database_commands().is_none()));
        }
        for &(case, run) in dashboard::CASES {
            let trial = Trial::test(format!("{name}::{case}"), move || {
                run(backend);
                Ok(())
            });
            trials.push(trial.with_ignored_flag(skip || !chromium));
        }
    }
    for &(case, run) in &plain_cases {
        trials.push(Trial::test(case, move || {
            run();
            Ok(())
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}

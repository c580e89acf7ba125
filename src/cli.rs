//! The command line: `serve` (default), `migrate`, `schema`, `openapi`.

use clap::{Parser, Subcommand};

use crate::config::{Config, Settings};

#[derive(Debug, Parser)]
#[command(
    name = "consultation-hub",
    version,
    about = "Partner-integration API of an inter-state consultation on migration."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending migrations and load the seed data, then exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Print the OpenAPI document (JSON).
    Openapi,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            Ok(())
        }
        Command::Openapi => {
            print!("{}", crate::http::openapi::render());
            Ok(())
        }
        Command::Migrate => {
            let config = Config::from_settings(&cli.settings)?;
            crate::startup::prepare_database(&config)?;
            Ok(())
        }
        Command::Serve => {
            let config = Config::from_settings(&cli.settings)?;
            actix_web::rt::System::new().block_on(crate::startup::serve(config))
        }
    }
}

/// Logs go to stderr, as text or JSON lines.
pub fn init_logging(settings: &Settings) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if settings.log_format == "json" {
        builder.json().flatten_event(true).with_current_span(true).init();
    } else {
        builder.init();
    }
}

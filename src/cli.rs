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
    /// Fill the database with a generated data set for benchmarks (prints JSON).
    BenchSeed {
        #[arg(long, default_value_t = 10_000)]
        contributions: usize,
        #[arg(long, default_value_t = 200)]
        organisations: usize,
    },
    /// Administer organisations, API clients and signing keys (prints JSON).
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create the secretariat organisation if absent, and a new admin client with every scope.
    Bootstrap,
    /// Add a partner organisation.
    CreateOrg {
        #[arg(long)]
        name: String,
        /// un_regional_commission, regional_igo, ngo, academia, private_sector, rcp,
        /// interregional_forum, global_process, member_state or un_agency.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        acronym: Option<String>,
        /// africa, americas, asia, europe, oceania, middle_east or global; repeatable.
        #[arg(long = "region")]
        regions: Vec<String>,
    },
    /// Create an API client of an organisation; prints its secret, shown only this once.
    CreateClient {
        #[arg(long)]
        org: String,
        /// Space-separated scopes, e.g. "consultation:read contributions:read contributions:write".
        #[arg(long)]
        scopes: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Revoke an API client: its tokens are refused within a second on every node.
    RevokeClient { client_id: String },
    /// Add a signing key: new tokens carry its kid within seconds; older tokens stay valid.
    RotateKeys,
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
        Command::BenchSeed { contributions, organisations } => {
            let config = Config::from_settings(&cli.settings)?;
            let db = crate::startup::prepare_database(&config)?;
            let mut conn = db.get()?;
            let seeded = crate::service::bench_seed::run(&mut conn, organisations, contributions)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string(&seeded)?);
            Ok(())
        }
        Command::Admin(command) => {
            let config = Config::from_settings(&cli.settings)?;
            let db = crate::startup::prepare_database(&config)?;
            let mut conn = db.get()?;
            let output = admin(&mut conn, command)?;
            println!("{output}");
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

fn admin(conn: &mut crate::db::DbConn, command: AdminCommand) -> anyhow::Result<serde_json::Value> {
    use crate::service::clients;
    use serde_json::json;
    // Field errors are spelled out: the CLI has no problem document to carry them.
    let explain = |e: crate::error::AppError| match e {
        crate::error::AppError::Validation(fields) => anyhow::anyhow!(
            "{}",
            fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    };
    Ok(match command {
        AdminCommand::Bootstrap => serde_json::to_value(clients::bootstrap(conn).map_err(explain)?)?,
        AdminCommand::CreateOrg { name, kind, acronym, regions } => {
            let input: clients::NewOrganisation = serde_json::from_value(json!({
                "name": name,
                "kind": kind,
                "acronym": acronym,
                "regions": regions,
            }))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let org = clients::create_organisation(conn, &input).map_err(explain)?;
            json!({ "organisation_id": org.id.as_str() })
        }
        AdminCommand::CreateClient { org, scopes, name } => serde_json::to_value(
            clients::create_client(conn, &clients::NewClientRequest { organisation_id: org, scopes, name })
                .map_err(explain)?,
        )?,
        AdminCommand::RevokeClient { client_id } => {
            let client = clients::revoke_client(conn, &client_id).map_err(explain)?;
            json!({ "client_id": client.id, "revoked_at": client.revoked_at })
        }
        AdminCommand::RotateKeys => {
            let key = crate::auth::keys::rotate(conn)?;
            json!({ "kid": key.kid, "created_at": key.created_at })
        }
    })
}

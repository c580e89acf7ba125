//! Partner organisations and their API clients, as the secretariat administers them.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{secrets, Scope};
use crate::db::clients::{self as rows, ClientRow, NewClient};
use crate::db::organisations::{self as org_rows, NewOrganisationRow};
use crate::db::DbConn;
use crate::domain::ids::{new_id, seed_id};
use crate::domain::{clock, OrgKind, Region};
use crate::error::{AppError, FieldError};
use crate::service::organisations::{self, Organisation};
use crate::service::page::{Cursor, Page};

/// The secretariat organisation that `admin bootstrap` creates, the same on every run.
pub const SECRETARIAT_KEY: &str = "secretariat";
const SECRETARIAT_NAME: &str = "Secretariat of the Global Meeting of Regional Consultative Processes on Migration";

/// A client's credentials: the secret appears here once and is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct Credentials {
    #[schema(format = Uuid)]
    pub organisation_id: String,
    #[schema(format = Uuid)]
    pub client_id: String,
    pub client_secret: String,
}

/// An API client as listed (never with its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct Client {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub organisation_id: String,
    pub name: String,
    #[schema(example = json!(["consultation:read", "contributions:read", "contributions:write"]))]
    pub scopes: Vec<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl From<ClientRow> for Client {
    fn from(row: ClientRow) -> Self {
        Client {
            id: row.id,
            organisation_id: row.organisation_id,
            name: row.name,
            scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// A new organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    #[schema(example = "Economic Commission for Africa")]
    pub name: String,
    pub kind: OrgKind,
    #[serde(default)]
    #[schema(example = "ECA")]
    pub acronym: Option<String>,
    #[serde(default)]
    pub regions: Vec<Region>,
}

/// A new API client of an organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientRequest {
    #[schema(format = Uuid)]
    pub organisation_id: String,
    /// Space-separated scopes.
    #[schema(example = "consultation:read contributions:read contributions:write")]
    pub scopes: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// Parses a space-separated scope list; unknown or absent scopes are field errors.
pub fn parse_scopes(field: &str, text: &str) -> Result<BTreeSet<Scope>, AppError> {
    let mut scopes = BTreeSet::new();
    let mut errors = Vec::new();
    for word in text.split_whitespace() {
        match word.parse::<Scope>() {
            Ok(scope) => {
                scopes.insert(scope);
            }
            Err(e) => errors.push(FieldError::new(field, e)),
        }
    }
    if scopes.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(field, "at least one scope is required"));
    }
    if errors.is_empty() {
        Ok(scopes)
    } else {
        Err(AppError::Validation(errors))
    }
}

fn validate_organisation(input: &NewOrganisation) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("name", "must be 1 to 200 characters"));
    }
    if input.acronym.as_deref().is_some_and(|a| a.trim().is_empty() || a.chars().count() > 40) {
        errors.push(FieldError::new("acronym", "must be 1 to 40 characters"));
    }
    if input.kind == OrgKind::Secretariat {
        errors.push(FieldError::new("kind", "the secretariat organisation is created by `admin bootstrap`"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

pub fn create_organisation(conn: &mut DbConn, input: &NewOrganisation) -> Result<Organisation, AppError> {
    validate_organisation(input)?;
    let id = new_id().to_string();
    let mut regions: Vec<&str> = input.regions.iter().map(|r| r.as_str()).collect();
    regions.sort_unstable();
    regions.dedup();
    crate::db::write_transaction(conn, |conn| {
        org_rows::insert(
            conn,
            &NewOrganisationRow {
                id: &id,
                seed_key: None,
                name: input.name.trim(),
                acronym: input.acronym.as_deref().map(str::trim),
                kind: input.kind.as_str(),
                regions: &regions,
                created_at: &clock::to_db(clock::now()),
            },
        )
    })?;
    organisations::get(conn, &id)
}

fn insert_client(
    conn: &mut DbConn,
    organisation_id: &str,
    name: &str,
    scopes: &BTreeSet<Scope>,
) -> Result<Credentials, AppError> {
    let client_id = new_id().to_string();
    let client_secret = secrets::new_client_secret();
    let secret_hash = secrets::hash(&client_secret).map_err(AppError::Internal)?;
    rows::insert_client(
        conn,
        &NewClient {
            id: &client_id,
            organisation_id,
            name,
            secret_hash: &secret_hash,
            scopes: &crate::auth::tokens::scope_string(scopes),
            created_at: &clock::to_db(clock::now()),
        },
    )?;
    Ok(Credentials { organisation_id: organisation_id.to_owned(), client_id, client_secret })
}

pub fn create_client(conn: &mut DbConn, input: &NewClientRequest) -> Result<Credentials, AppError> {
    let scopes = parse_scopes("scopes", &input.scopes)?;
    let name = input.name.as_deref().map(str::trim).unwrap_or("").to_owned();
    if name.chars().count() > 200 {
        return Err(AppError::Validation(vec![FieldError::new("name", "must be at most 200 characters")]));
    }
    if org_rows::find(conn, &input.organisation_id)?.is_none() {
        return Err(AppError::Validation(vec![FieldError::new("organisation_id", "no such organisation")]));
    }
    let name = if name.is_empty() { "API client".to_owned() } else { name };
    insert_client(conn, &input.organisation_id, &name, &scopes)
}

/// Creates the secretariat organisation if absent, and a new admin client with every scope.
pub fn bootstrap(conn: &mut DbConn) -> Result<Credentials, AppError> {
    crate::db::write_transaction(conn, |conn| {
        let id = seed_id(&format!("organisation/{SECRETARIAT_KEY}")).to_string();
        if org_rows::find(conn, &id)?.is_none() {
            org_rows::insert(
                conn,
                &NewOrganisationRow {
                    id: &id,
                    seed_key: Some(SECRETARIAT_KEY),
                    name: SECRETARIAT_NAME,
                    acronym: Some("Secretariat"),
                    kind: OrgKind::Secretariat.as_str(),
                    regions: &[Region::Global.as_str()],
                    created_at: &clock::to_db(clock::now()),
                },
            )?;
        }
        insert_client(conn, &id, "Secretariat administrator", &Scope::ALL.into_iter().collect())
    })
}

pub fn get_client(conn: &mut DbConn, id: &str) -> Result<Client, AppError> {
    rows::find_client(conn, id)?.map(Client::from).ok_or_else(|| AppError::not_found("client"))
}

pub fn list_clients(
    conn: &mut DbConn,
    organisation: Option<&str>,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Page<Client>, AppError> {
    let after = cursor.map(|c| Cursor::decode(c, 2)).transpose()?;
    let key = after.as_ref().map(|c| (c.0[0].as_str(), c.0[1].as_str()));
    let fetched = rows::list_clients(conn, organisation, key, limit + 1)?;
    Ok(Page::from_rows(fetched, limit, |c| Cursor(vec![c.created_at.clone(), c.id.clone()]), Client::from))
}

/// Revokes a client: its tokens stop working on the next request, on every node.
pub fn revoke_client(conn: &mut DbConn, id: &str) -> Result<Client, AppError> {
    if !rows::revoke_client(conn, id, &clock::to_db(clock::now()))? {
        return Err(AppError::not_found("client"));
    }
    get_client(conn, id)
}

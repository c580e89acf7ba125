//! API clients and signing keys.

use diesel::prelude::*;

use super::schema::*;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_clients)]
pub struct ClientRow {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub secret_hash: String,
    pub scopes: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = signing_keys)]
pub struct KeyRow {
    pub kid: String,
    pub private_key: String,
    pub public_key: String,
    pub created_at: String,
}

pub struct NewClient<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub name: &'a str,
    pub secret_hash: &'a str,
    pub scopes: &'a str,
    pub created_at: &'a str,
}

pub fn insert_client(conn: &mut DbConn, c: &NewClient<'_>) -> QueryResult<()> {
    diesel::insert_into(api_clients::table)
        .values((
            api_clients::id.eq(c.id),
            api_clients::organisation_id.eq(c.organisation_id),
            api_clients::name.eq(c.name),
            api_clients::secret_hash.eq(c.secret_hash),
            api_clients::scopes.eq(c.scopes),
            api_clients::created_at.eq(c.created_at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn find_client(conn: &mut DbConn, id: &str) -> QueryResult<Option<ClientRow>> {
    api_clients::table.find(id).select(ClientRow::as_select()).first(conn).optional()
}

/// The client with its organisation's kind, for token issuance.
pub fn find_client_with_kind(conn: &mut DbConn, id: &str) -> QueryResult<Option<(ClientRow, String)>> {
    api_clients::table
        .inner_join(organisations::table)
        .filter(api_clients::id.eq(id))
        .select((ClientRow::as_select(), organisations::kind))
        .first(conn)
        .optional()
}

/// Whether a client exists and is not revoked: checked on every authenticated request.
pub fn is_active(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
    let count: i64 = api_clients::table
        .filter(api_clients::id.eq(id))
        .filter(api_clients::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// Clients in creation order, optionally of one organisation, after a `(created_at, id)` key.
pub fn list_clients(
    conn: &mut DbConn,
    organisation: Option<&str>,
    after: Option<(&str, &str)>,
    limit: i64,
) -> QueryResult<Vec<ClientRow>> {
    let mut query = api_clients::table
        .select(ClientRow::as_select())
        .order((api_clients::created_at.asc(), api_clients::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some(org) = organisation {
        query = query.filter(api_clients::organisation_id.eq(org.to_owned()));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            api_clients::created_at
                .gt(at.to_owned())
                .or(api_clients::created_at.eq(at.to_owned()).and(api_clients::id.gt(id.to_owned()))),
        );
    }
    query.load(conn)
}

/// Marks a client revoked; returns false when it does not exist. Revoking twice keeps the first time.
pub fn revoke_client(conn: &mut DbConn, id: &str, at: &str) -> QueryResult<bool> {
    let exists = find_client(conn, id)?.is_some();
    if exists {
        diesel::update(api_clients::table.filter(api_clients::id.eq(id)).filter(api_clients::revoked_at.is_null()))
            .set(api_clients::revoked_at.eq(at))
            .execute(conn)?;
    }
    Ok(exists)
}

pub fn insert_key(conn: &mut DbConn, key: &KeyRow) -> QueryResult<()> {
    diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::kid.eq(&key.kid),
            signing_keys::private_key.eq(&key.private_key),
            signing_keys::public_key.eq(&key.public_key),
            signing_keys::created_at.eq(&key.created_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Every signing key, newest first.
pub fn list_keys(conn: &mut DbConn) -> QueryResult<Vec<KeyRow>> {
    signing_keys::table
        .select(KeyRow::as_select())
        .order((signing_keys::created_at.desc(), signing_keys::kid.desc()))
        .load(conn)
}

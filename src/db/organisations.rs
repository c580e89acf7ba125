//! Organisations and their regions.

use diesel::prelude::*;

use super::schema::*;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub acronym: Option<String>,
    pub kind: String,
}

/// A page of organisations ordered by name then id, after the given `(name, id)` key.
pub fn list(conn: &mut DbConn, after: Option<(&str, &str)>, limit: i64) -> QueryResult<Vec<OrganisationRow>> {
    let mut query = organisations::table
        .select(OrganisationRow::as_select())
        .order((organisations::name.asc(), organisations::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some((name, id)) = after {
        query = query.filter(
            organisations::name
                .gt(name.to_owned())
                .or(organisations::name.eq(name.to_owned()).and(organisations::id.gt(id.to_owned()))),
        );
    }
    query.load(conn)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<OrganisationRow>> {
    organisations::table.filter(organisations::id.eq(id)).select(OrganisationRow::as_select()).first(conn).optional()
}

/// `(organisation_id, region)` pairs of the given organisations.
pub fn regions_of(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    organisation_regions::table
        .filter(organisation_regions::organisation_id.eq_any(ids))
        .order((organisation_regions::organisation_id, organisation_regions::region))
        .select((organisation_regions::organisation_id, organisation_regions::region))
        .load(conn)
}

/// A row to insert, with its regions.
pub struct NewOrganisationRow<'a> {
    pub id: &'a str,
    /// The stable key of seed organisations; none for those added later.
    pub seed_key: Option<&'a str>,
    pub name: &'a str,
    pub acronym: Option<&'a str>,
    pub kind: &'a str,
    pub regions: &'a [&'a str],
    pub created_at: &'a str,
}

/// Inserts an organisation with its regions.
pub fn insert(conn: &mut DbConn, org: &NewOrganisationRow<'_>) -> QueryResult<()> {
    diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(org.id),
            organisations::seed_key.eq(org.seed_key),
            organisations::name.eq(org.name),
            organisations::acronym.eq(org.acronym),
            organisations::kind.eq(org.kind),
            organisations::created_at.eq(org.created_at),
        ))
        .execute(conn)?;
    for region in org.regions {
        diesel::insert_into(organisation_regions::table)
            .values((organisation_regions::organisation_id.eq(org.id), organisation_regions::region.eq(*region)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find_many(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<OrganisationRow>> {
    organisations::table.filter(organisations::id.eq_any(ids)).select(OrganisationRow::as_select()).load(conn)
}

//! Organisations as partners and the secretariat see them.

use std::collections::HashMap;

use async_graphql::{SimpleObject, ID};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::organisations::{self as rows, OrganisationRow};
use crate::db::DbConn;
use crate::domain::{OrgKind, Region};
use crate::error::AppError;
use crate::service::page::{Cursor, Page};

#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Organisation {
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    pub name: String,
    pub acronym: Option<String>,
    pub kind: OrgKind,
    pub regions: Vec<Region>,
}

fn with_regions(conn: &mut DbConn, list: Vec<OrganisationRow>) -> Result<Vec<Organisation>, AppError> {
    let ids: Vec<String> = list.iter().map(|o| o.id.clone()).collect();
    let mut regions: HashMap<String, Vec<Region>> = HashMap::new();
    for (org, region) in rows::regions_of(conn, &ids)? {
        if let Ok(region) = region.parse() {
            regions.entry(org).or_default().push(region);
        }
    }
    list.into_iter()
        .map(|o| {
            let kind = o.kind.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("organisation {}: {e}", o.id)))?;
            Ok(Organisation {
                regions: regions.remove(&o.id).unwrap_or_default(),
                id: ID(o.id),
                name: o.name,
                acronym: o.acronym,
                kind,
            })
        })
        .collect()
}

/// A page of organisations by name.
pub fn list(conn: &mut DbConn, cursor: Option<&str>, limit: i64) -> Result<Page<Organisation>, AppError> {
    let after = cursor.map(|c| Cursor::decode(c, 2)).transpose()?;
    let after_key = after.as_ref().map(|c| (c.0[0].as_str(), c.0[1].as_str()));
    let fetched = rows::list(conn, after_key, limit + 1)?;
    let page = Page::from_rows(fetched, limit, |o| Cursor(vec![o.name.clone(), o.id.clone()]), |o| o);
    Ok(Page { data: with_regions(conn, page.data)?, next_cursor: page.next_cursor, cursors: page.cursors })
}

pub fn get(conn: &mut DbConn, id: &str) -> Result<Organisation, AppError> {
    let row = rows::find(conn, id)?.ok_or_else(|| AppError::not_found("organisation"))?;
    with_regions(conn, vec![row])?.pop().ok_or_else(|| AppError::not_found("organisation"))
}

/// Organisations by id, in one query for the rows and one for their regions.
pub fn get_many(conn: &mut DbConn, ids: &[String]) -> Result<Vec<Organisation>, AppError> {
    let found = rows::find_many(conn, ids)?;
    with_regions(conn, found)
}

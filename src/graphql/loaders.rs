//! Batched loading, made per request (never shared between callers): every organisation
//! or question that a page of contributions mentions is fetched in one query.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use crate::db::Db;
use crate::domain::Lang;
use crate::error::AppError;
use crate::service::contributions;
use crate::service::organisations::{self, Organisation};

pub struct OrganisationLoader {
    pub db: Db,
}

impl Loader<String> for OrganisationLoader {
    type Value = Organisation;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Organisation>, Self::Error> {
        let ids = keys.to_vec();
        let list = self.db.run(move |conn| organisations::get_many(conn, &ids)).await.map_err(Arc::new)?;
        Ok(list.into_iter().map(|o| (o.id.to_string(), o)).collect())
    }
}

/// A question as shown beside a contribution.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
#[graphql(name = "QuestionRef")]
pub struct QuestionRef {
    pub id: async_graphql::ID,
    pub label: Option<String>,
    pub text: String,
}

pub struct QuestionLoader {
    pub db: Db,
    pub lang: Lang,
}

impl Loader<String> for QuestionLoader {
    type Value = QuestionRef;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, QuestionRef>, Self::Error> {
        let ids = keys.to_vec();
        let lang = self.lang;
        let list = self.db.run(move |conn| contributions::question_labels(conn, &ids, lang)).await.map_err(Arc::new)?;
        Ok(list
            .into_iter()
            .map(|(id, label, text)| (id.clone(), QuestionRef { id: async_graphql::ID(id), label, text }))
            .collect())
    }
}

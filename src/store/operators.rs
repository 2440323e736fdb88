//! Operators: the people at the shopping company, known by name.

use super::{Actor, Result, Store};
use crate::domain::ids::OperatorId;

impl Store {
    /// Registers the operator on first use and returns who they are for audited writes.
    pub async fn actor(&self, name: &str) -> Result<Actor> {
        let id: OperatorId = sqlx::query_scalar(
            "INSERT INTO operators (name) VALUES ($1)
             ON CONFLICT (name) DO UPDATE SET last_seen_at = now()
             RETURNING id",
        )
        .bind(name)
        .fetch_one(&self.pool)
        .await?;
        Ok(Actor {
            id,
            name: name.to_string(),
        })
    }
}

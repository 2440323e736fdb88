//! Operators: the people at the shopping company, known by name.

use super::{Actor, Result, Store};
use crate::domain::ids::OperatorId;

impl Store {
    /// Registers the operator on first use and returns who they are for audited writes.
    /// The connected login as the acting operator (its row made on first use).
    pub async fn session_actor(&self) -> Result<Actor> {
        let (id, name): (OperatorId, String) =
            sqlx::query_as("SELECT register_session_operator(), session_user::text")
                .fetch_one(&self.pool)
                .await?;
        Ok(Actor { id, name })
    }

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

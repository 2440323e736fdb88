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
        let role = self.whoami().await?.role();
        Ok(Actor { id, name, role })
    }

    /// The operator named `name` (its row made if missing, which only the schema owner and
    /// leads may: an existing one, such as `system`, any login may act under).
    pub async fn actor(&self, name: &str) -> Result<Actor> {
        let known: Option<OperatorId> = sqlx::query_scalar(
            "UPDATE operators SET last_seen_at = now() WHERE name = $1 RETURNING id",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        let id = match known {
            Some(id) => id,
            None => {
                sqlx::query_scalar(
                    "INSERT INTO operators (name) VALUES ($1)
                     ON CONFLICT (name) DO UPDATE SET last_seen_at = now()
                     RETURNING id",
                )
                .bind(name)
                .fetch_one(&self.pool)
                .await?
            }
        };
        Ok(Actor {
            id,
            name: name.to_string(),
            role: self.whoami().await?.role(),
        })
    }
}

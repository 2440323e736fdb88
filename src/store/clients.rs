//! Clients: insert, list, edit (optimistic), soft delete. Targets point at them
//! (`targets.client_id`), which is what row-level security for client logins will key on.

use serde_json::json;
use sqlx::PgConnection;

use super::audit::{EntityType, record};
use super::{Actor, Result, Store, StoreError};
use crate::domain::client::{Client, ClientInput};
use crate::domain::ids::{ClientId, TargetId};

/// A client row with its count of live targets.
const SELECT_CLIENT: &str = "SELECT c.*, (SELECT count(*) FROM targets t
                                          WHERE t.client_id = c.id AND t.deleted_at IS NULL)
                                         AS targets
                             FROM clients c";

/// The live client named `name` (any case), inside a transaction; NotFound names it. The share
/// lock holds off a concurrent delete until this transaction ends, and waits for one under way
/// (then sees the client gone): a target never ends up pointing at a deleted client.
pub(super) async fn resolve_client(conn: &mut PgConnection, name: &str) -> Result<ClientId> {
    sqlx::query_scalar(
        "SELECT id FROM clients WHERE lower(name) = lower($1) AND deleted_at IS NULL FOR SHARE",
    )
    .bind(name.trim())
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| StoreError::not_found("client", format!("{:?}", name.trim())))
}

impl Store {
    pub async fn insert_client(&self, actor: &Actor, input: &ClientInput) -> Result<Client> {
        let mut tx = self.pool.begin().await?;
        let client: Client = sqlx::query_as(
            "INSERT INTO clients (name, contact, notes, created_by) VALUES ($1, $2, $3, $4)
             RETURNING *",
        )
        .bind(&input.name)
        .bind(&input.contact)
        .bind(&input.notes)
        .bind(actor.id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| duplicate_name(e, &input.name))?;
        record(
            &mut tx,
            actor,
            "create",
            EntityType::Client,
            Some(client.id.0),
            json!({ "name": client.name, "contact": client.contact }),
        )
        .await?;
        tx.commit().await?;
        Ok(client)
    }

    /// Clients by name; deleted ones too when asked.
    pub async fn list_clients(&self, include_deleted: bool) -> Result<Vec<Client>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_CLIENT} WHERE ($1 OR c.deleted_at IS NULL) ORDER BY lower(c.name), c.id"
        )))
        .bind(include_deleted)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn client(&self, id: ClientId) -> Result<Client> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_CLIENT} WHERE c.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("client", id))
    }

    /// The live client with this name, in any case.
    pub async fn client_by_name(&self, name: &str) -> Result<Client> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_CLIENT} WHERE lower(c.name) = lower($1) AND c.deleted_at IS NULL"
        )))
        .bind(name.trim())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("client", format!("{:?}", name.trim())))
    }

    /// The names of the live clients, by name (what a target's `client` may say).
    pub async fn client_names(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT name FROM clients WHERE deleted_at IS NULL ORDER BY lower(name), id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Updates a live client if it still has `expected_version` (None: whatever it has now).
    pub async fn update_client(
        &self,
        actor: &Actor,
        id: ClientId,
        expected_version: Option<i32>,
        input: &ClientInput,
    ) -> Result<Client> {
        let mut tx = self.pool.begin().await?;
        let before: Client =
            sqlx::query_as("SELECT * FROM clients WHERE id = $1 AND deleted_at IS NULL FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::not_found("client", id))?;
        if expected_version.is_some_and(|v| v != before.version) {
            return Err(StoreError::Conflict {
                entity: "client",
                id: id.to_string(),
            });
        }
        sqlx::query(
            "UPDATE clients SET name = $1, contact = $2, notes = $3, updated_at = now(),
                    version = version + 1
             WHERE id = $4",
        )
        .bind(&input.name)
        .bind(&input.contact)
        .bind(&input.notes)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| duplicate_name(e, &input.name))?;
        let changed = input.changed_from(&ClientInput::from(&before));
        record(
            &mut tx,
            actor,
            "edit",
            EntityType::Client,
            Some(id.0),
            json!({ "changed": changed, "before": ClientInput::from(&before), "after": input }),
        )
        .await?;
        tx.commit().await?;
        self.client(id).await
    }

    /// Soft-deletes a live client. With `detach`, its live targets first lose their client
    /// (each audited); without, a client that still has live targets is refused. Both in one
    /// transaction, so a target added meanwhile cannot be left pointing at a deleted client.
    pub async fn delete_client(
        &self,
        actor: &Actor,
        id: ClientId,
        detach: bool,
    ) -> Result<Vec<TargetId>> {
        let mut tx = self.pool.begin().await?;
        let name: String = sqlx::query_scalar(
            "SELECT name FROM clients WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("client", id))?;
        let targets: Vec<TargetId> = sqlx::query_scalar(
            "SELECT id FROM targets WHERE client_id = $1 AND deleted_at IS NULL ORDER BY id
             FOR UPDATE",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        if !targets.is_empty() && !detach {
            return Err(StoreError::Refused(format!(
                "client {name:?} still has {} target(s); move them to another client first, \
                 or detach them with --force (they keep their shops and show \"no client\")",
                targets.len()
            )));
        }
        for t in &targets {
            sqlx::query(
                "UPDATE targets SET client_id = NULL, updated_at = now(), version = version + 1
                 WHERE id = $1",
            )
            .bind(t)
            .execute(&mut *tx)
            .await?;
            record(
                &mut tx,
                actor,
                "edit",
                EntityType::Target,
                Some(t.0),
                json!({ "changed": ["client"], "client_before": name, "why": "client deleted" }),
            )
            .await?;
        }
        sqlx::query(
            "UPDATE clients SET deleted_at = now(), updated_at = now(), version = version + 1
             WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "delete",
            EntityType::Client,
            Some(id.0),
            json!({ "name": name, "detached_targets": targets }),
        )
        .await?;
        tx.commit().await?;
        Ok(targets)
    }
}

/// "already exists: a client named X": the unique index on live names, said plainly.
fn duplicate_name(e: sqlx::Error, name: &str) -> StoreError {
    match StoreError::from(e) {
        StoreError::Duplicate(_) => StoreError::Duplicate(format!("a client named {name:?}")),
        other => other,
    }
}

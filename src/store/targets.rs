//! Targets: insert, list, edit (optimistic), soft delete, and all-or-nothing import.

use serde_json::json;
use sqlx::PgConnection;

use super::audit::{EntityType, record};
use super::clients::resolve_client;
use super::{Actor, Result, Store, StoreError};
use crate::domain::ids::{ClientId, TargetId};
use crate::domain::target::{Target, TargetInput};

#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    /// Matches name, city, property manager, email or client name, case-insensitively.
    pub search: Option<String>,
    pub tag: Option<String>,
    /// Only this client's targets.
    pub client: Option<ClientId>,
    pub include_deleted: bool,
}

/// Targets with their client's name (`t` is the targets row set, a table or a CTE).
const WITH_CLIENT: &str =
    "SELECT t.*, c.name AS client FROM t LEFT JOIN clients c ON c.id = t.client_id";

/// The id of the client an input names, checked inside the write's transaction.
async fn client_id(conn: &mut PgConnection, t: &TargetInput) -> Result<Option<ClientId>> {
    match t.client.as_deref() {
        Some(name) => Ok(Some(resolve_client(conn, name).await?)),
        None => Ok(None),
    }
}

async fn insert_one(conn: &mut PgConnection, actor: &Actor, t: &TargetInput) -> Result<Target> {
    let client = client_id(conn, t).await?;
    let target: Target = bind_fields(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "WITH t AS (
                 INSERT INTO targets (name, street, city, state, zip, phone, email, website,
                                      owners, property_manager, time_zone, notes, tags,
                                      created_by, client_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                 RETURNING *)
             {WITH_CLIENT}"
        ))),
        t,
    )
    .bind(actor.id)
    .bind(client)
    .fetch_one(&mut *conn)
    .await?;
    record(
        conn,
        actor,
        "create",
        EntityType::Target,
        Some(target.id.0),
        json!({ "name": target.name, "client": target.client }),
    )
    .await?;
    Ok(target)
}

impl Store {
    pub async fn insert_target(&self, actor: &Actor, input: &TargetInput) -> Result<Target> {
        let mut tx = self.pool.begin().await?;
        let t = insert_one(&mut tx, actor, input).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Inserts every target or none (one transaction).
    pub async fn import_targets(
        &self,
        actor: &Actor,
        inputs: &[TargetInput],
    ) -> Result<Vec<Target>> {
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::with_capacity(inputs.len());
        for input in inputs {
            out.push(insert_one(&mut tx, actor, input).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn target(&self, id: TargetId) -> Result<Target> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "WITH t AS (SELECT * FROM targets WHERE id = $1) {WITH_CLIENT}"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("target", id))
    }

    pub async fn list_targets(&self, filter: &TargetFilter) -> Result<Vec<Target>> {
        let pattern = filter.search.as_deref().map(|s| {
            format!(
                "%{}%",
                s.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
        Ok(sqlx::query_as(
            "SELECT t.*, c.name AS client FROM targets t LEFT JOIN clients c ON c.id = t.client_id
             WHERE ($1 OR t.deleted_at IS NULL)
               AND ($2::text IS NULL OR t.name ILIKE $2 OR t.city ILIKE $2
                    OR t.property_manager ILIKE $2 OR t.email ILIKE $2 OR c.name ILIKE $2)
               AND ($3::text IS NULL OR $3 = ANY(t.tags))
               AND ($4::bigint IS NULL OR t.client_id = $4)
             ORDER BY lower(t.name), t.id",
        )
        .bind(filter.include_deleted)
        .bind(pattern)
        .bind(filter.tag.as_deref().map(str::to_lowercase))
        .bind(filter.client)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Updates a live target if it still has `expected_version` (None: whatever it has now).
    pub async fn update_target(
        &self,
        actor: &Actor,
        id: TargetId,
        expected_version: Option<i32>,
        t: &TargetInput,
    ) -> Result<Target> {
        let mut tx = self.pool.begin().await?;
        let before: Target = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "WITH t AS (SELECT * FROM targets WHERE id = $1 AND deleted_at IS NULL FOR UPDATE)
             {WITH_CLIENT}"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("target", id))?;
        if expected_version.is_some_and(|v| v != before.version) {
            return Err(StoreError::Conflict {
                entity: "target",
                id: id.to_string(),
            });
        }
        let client = client_id(&mut tx, t).await?;
        let after: Target = bind_fields(
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "WITH t AS (
                     UPDATE targets SET name = $1, street = $2, city = $3, state = $4, zip = $5,
                            phone = $6, email = $7, website = $8, owners = $9,
                            property_manager = $10, time_zone = $11, notes = $12, tags = $13,
                            client_id = $15, updated_at = now(), version = version + 1
                     WHERE id = $14 RETURNING *)
                 {WITH_CLIENT}"
            ))),
            t,
        )
        .bind(id)
        .bind(client)
        .fetch_one(&mut *tx)
        .await?;
        // The stored values on both sides: a client typed in another case is no change.
        let changed = changed_fields(&TargetInput::from(&before), &TargetInput::from(&after));
        record(
            &mut tx,
            actor,
            "edit",
            EntityType::Target,
            Some(id.0),
            json!({ "changed": changed }),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Soft delete: the row stays for the shops and reports that refer to it.
    pub async fn delete_target(&self, actor: &Actor, id: TargetId) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let name: Option<String> = sqlx::query_scalar(
            "UPDATE targets SET deleted_at = now(), version = version + 1
             WHERE id = $1 AND deleted_at IS NULL RETURNING name",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let name = name.ok_or_else(|| StoreError::not_found("target", id))?;
        record(
            &mut tx,
            actor,
            "delete",
            EntityType::Target,
            Some(id.0),
            json!({ "name": name }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

type TargetQuery<'q> =
    sqlx::query::QueryAs<'q, sqlx::Postgres, Target, sqlx::postgres::PgArguments>;

/// Binds the thirteen editable fields as $1..$13, in `CSV_FIELDS` order.
fn bind_fields<'q>(q: TargetQuery<'q>, t: &'q TargetInput) -> TargetQuery<'q> {
    q.bind(&t.name)
        .bind(&t.street)
        .bind(&t.city)
        .bind(&t.state)
        .bind(&t.zip)
        .bind(&t.phone)
        .bind(&t.email)
        .bind(&t.website)
        .bind(&t.owners)
        .bind(&t.property_manager)
        .bind(&t.time_zone)
        .bind(&t.notes)
        .bind(&t.tags)
}

fn changed_fields(before: &TargetInput, after: &TargetInput) -> Vec<&'static str> {
    let b = serde_json::to_value(before).unwrap_or_default();
    let a = serde_json::to_value(after).unwrap_or_default();
    crate::domain::target::CSV_FIELDS
        .iter()
        .copied()
        .filter(|f| b.get(f) != a.get(f))
        .collect()
}

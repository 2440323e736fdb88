//! The audit log: who did what to which entity, written in the same transaction as the change.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;

use super::{Actor, Result, Store};
use crate::text_enum;

text_enum! {
    pub enum EntityType {
        Operator => "operator",
        Target => "target",
        PersonaTemplate => "persona_template",
        Persona => "persona",
        Mailbox => "mailbox",
        Shop => "shop",
        Message => "message",
        Fact => "fact",
        Grade => "grade",
        Job => "job",
        WebsiteSnapshot => "website_snapshot",
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub operator: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub detail: serde_json::Value,
}

/// Appends one entry; call it inside the transaction that makes the change.
pub(crate) async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    entity: EntityType,
    entity_id: Option<i64>,
    detail: serde_json::Value,
) -> Result<()> {
    record_as(conn, &actor.name, action, entity, entity_id, detail).await
}

/// The name background work is audited under (no operator pressed a key).
pub const SYSTEM: &str = "system";

/// Like [`record`], for background work that acts under a fixed name such as [`SYSTEM`].
pub(crate) async fn record_as(
    conn: &mut PgConnection,
    operator: &str,
    action: &str,
    entity: EntityType,
    entity_id: Option<i64>,
    detail: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (operator, action, entity_type, entity_id, detail)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(operator)
    .bind(action)
    .bind(entity.as_str())
    .bind(entity_id)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The history of one entity, oldest first.
    pub async fn audit_for(&self, entity: EntityType, id: i64) -> Result<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT * FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY at, id",
        )
        .bind(entity.as_str())
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }
}

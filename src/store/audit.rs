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
        Client => "client",
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

    /// The decisions on record, oldest first (the newest `limit` of those that match): those on a
    /// shop include its messages, facts and grades.
    pub async fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT * FROM (
                 SELECT a.* FROM audit_log a
                 WHERE ($1::bigint IS NULL
                        OR (a.entity_type = 'shop' AND a.entity_id = $1)
                        OR (a.entity_type = 'message'
                            AND a.entity_id IN (SELECT id FROM messages WHERE shop_id = $1))
                        OR (a.entity_type = 'fact'
                            AND a.entity_id IN (SELECT id FROM facts WHERE shop_id = $1))
                        OR (a.entity_type = 'grade'
                            AND a.entity_id IN (SELECT id FROM grades WHERE shop_id = $1)))
                   AND ($2::text IS NULL OR a.operator = $2)
                   AND ($3::timestamptz IS NULL OR a.at >= $3)
                 ORDER BY a.at DESC, a.id DESC
                 LIMIT $4) newest
             ORDER BY at, id",
        )
        .bind(filter.shop.map(|s| s.0))
        .bind(filter.operator.as_deref())
        .bind(filter.since)
        .bind(filter.limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Which audit entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub shop: Option<crate::domain::ids::ShopId>,
    pub operator: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub limit: i64,
}

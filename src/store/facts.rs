//! The fact sheet in Postgres: extractions merged in, superseded values kept, conflicts marked.

use serde::Serialize;
use serde_json::{Value, json};

use super::audit::{EntityType, SYSTEM, record_as};
use super::messages::notify_ids;
use super::{Result, Store};
use crate::domain::community::Extraction;
use crate::domain::facts::{CurrentFact, merge};
use crate::domain::ids::{FactId, MessageId, ShopId};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FactRow {
    pub id: FactId,
    pub field_path: String,
    pub value: Value,
    pub source_message_id: Option<MessageId>,
    pub evidence: String,
    pub extracted_by: String,
    pub conflict: bool,
    pub superseded_by: Option<FactId>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// How sure the reader was (0-1); none for facts read before confidences were kept.
    pub confidence: Option<f64>,
}

impl Store {
    /// Merges what one message said into the shop's fact sheet; returns the facts added.
    pub async fn apply_extraction(
        &self,
        shop: ShopId,
        source: Option<MessageId>,
        extraction: &Extraction,
        extracted_by: &str,
    ) -> Result<Vec<FactId>> {
        let mut tx = self.pool.begin().await?;
        // Serialise merges per shop so two extractions never both "add" the same field.
        sqlx::query("SELECT id FROM shops WHERE id = $1 FOR UPDATE")
            .bind(shop)
            .execute(&mut *tx)
            .await?;
        let current: Vec<(FactId, String, Value)> = sqlx::query_as(
            "SELECT id, field_path, value FROM facts WHERE shop_id = $1 AND superseded_by IS NULL",
        )
        .bind(shop)
        .fetch_all(&mut *tx)
        .await?;
        let as_current: Vec<CurrentFact> = current
            .iter()
            .map(|(_, p, v)| CurrentFact {
                field_path: p.clone(),
                value: v.clone(),
            })
            .collect();
        // What this message gave before, if it is being read again.
        let said: Vec<CurrentFact> = match source {
            Some(m) => sqlx::query_as::<_, (String, Value)>(
                "SELECT field_path, value FROM facts WHERE shop_id = $1 AND source_message_id = $2",
            )
            .bind(shop)
            .bind(m)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|(field_path, value)| CurrentFact { field_path, value })
            .collect(),
            None => Vec::new(),
        };
        let mut added = Vec::new();
        for f in merge(&as_current, &said, extraction) {
            let id: FactId = sqlx::query_scalar(
                "INSERT INTO facts (shop_id, field_path, value, source_message_id, evidence,
                                    extracted_by, conflict, confidence)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(shop)
            .bind(&f.field_path)
            .bind(&f.value)
            .bind(source)
            .bind(&f.evidence)
            .bind(extracted_by)
            .bind(f.conflict)
            .bind(f.confidence.map(|c| c as f32))
            .fetch_one(&mut *tx)
            .await?;
            if f.supersedes
                && let Some((old, ..)) = current.iter().find(|(_, p, _)| *p == f.field_path)
            {
                sqlx::query("UPDATE facts SET superseded_by = $2 WHERE id = $1")
                    .bind(old)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            added.push(id);
        }
        if !added.is_empty() {
            record_as(
                &mut tx,
                SYSTEM,
                "extract",
                EntityType::Shop,
                Some(shop.0),
                json!({ "facts": added.len(), "source_message_id": source, "by": extracted_by }),
            )
            .await?;
            notify_ids(&mut tx, "shops", &[shop]).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Every fact of a shop, current and superseded, oldest first.
    pub async fn shop_facts(&self, shop: ShopId) -> Result<Vec<FactRow>> {
        Ok(sqlx::query_as(
            "SELECT id, field_path, value, source_message_id, evidence, extracted_by, conflict,
                    superseded_by, created_at, confidence::float8 AS confidence
             FROM facts WHERE shop_id = $1 ORDER BY id",
        )
        .bind(shop)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records how an inbound message was read (responder, extraction, signals).
    pub async fn set_message_analysis(
        &self,
        id: MessageId,
        responder: crate::domain::message::ResponderKind,
        analysis: &Value,
    ) -> Result<()> {
        sqlx::query("UPDATE messages SET responder_kind = $2, analysis = $3 WHERE id = $1")
            .bind(id)
            .bind(responder)
            .bind(analysis)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Store {
    /// How an inbound message was read, if it has been.
    pub async fn message_analysis(&self, id: MessageId) -> Result<Option<Value>> {
        Ok(
            sqlx::query_scalar("SELECT analysis FROM messages WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }
}

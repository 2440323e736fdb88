//! Demo seeding only: a past thread written as it would have happened (sent messages, replies
//! with their raw source, the shop's status at the end), so a new operator sees shops in every
//! state on the first run. The path of statuses is checked against the state machine.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::audit::{EntityType, record};
use super::{Actor, Result, Store, StoreError};
use crate::domain::ids::{MessageId, ShopId};
use crate::domain::message::MessageKind;
use crate::domain::shop::ShopStatus;

/// One message of a demo thread.
#[derive(Debug, Clone)]
pub struct PastMessage {
    pub at: DateTime<Utc>,
    pub kind: MessageKind,
    /// Outbound: `sent` or `failed`.
    pub outbound_status: Option<&'static str>,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub from_addr: String,
    pub from_name: String,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    /// Inbound: the source as received.
    pub raw: Option<Vec<u8>>,
    pub last_error: Option<String>,
}

impl Store {
    /// Writes a past thread for a `new` shop and walks it along `path` to its last status.
    pub async fn insert_demo_history(
        &self,
        actor: &Actor,
        shop: ShopId,
        messages: &[PastMessage],
        path: &[ShopStatus],
        reason: &str,
    ) -> Result<Vec<MessageId>> {
        let mut from = ShopStatus::New;
        for to in path {
            from.transition(*to)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            from = *to;
        }
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::new();
        for m in messages {
            let outbound = m.outbound_status.is_some();
            let id: MessageId = sqlx::query_scalar(
                "INSERT INTO messages (shop_id, direction, kind, status, message_id, in_reply_to,
                     reference_ids, from_addr, from_name, to_addrs, subject, body_text, raw,
                     date_header, received_at, sent_at, approved_by, approved_at, last_error,
                     created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, coalesce(array_remove(ARRAY[$6], NULL), '{}'),
                     $7, $8, ARRAY[$9], $10, $11, $12, $13,
                     CASE WHEN $2 = 'inbound' THEN $13 END,
                     CASE WHEN $4 = 'sent' THEN $13 END,
                     CASE WHEN $2 = 'outbound' THEN $14::bigint END,
                     CASE WHEN $2 = 'outbound' THEN $13 END, $15, $13, $13)
                 RETURNING id",
            )
            .bind(shop)
            .bind(if outbound { "outbound" } else { "inbound" })
            .bind(m.kind)
            .bind(m.outbound_status)
            .bind(&m.message_id)
            .bind(&m.in_reply_to)
            .bind(&m.from_addr)
            .bind(&m.from_name)
            .bind(&m.to_addr)
            .bind(&m.subject)
            .bind(&m.body_text)
            .bind(&m.raw)
            .bind(m.at)
            .bind(actor.id)
            .bind(&m.last_error)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        let first = messages.first().map(|m| m.at);
        let last = messages.last().map(|m| m.at);
        let sent = messages
            .iter()
            .filter(|m| {
                m.outbound_status == Some("sent")
                    && matches!(m.kind, MessageKind::FollowUp | MessageKind::Nudge)
            })
            .count() as i32;
        sqlx::query(
            "UPDATE shops SET status = $2, status_reason = $3, started_at = coalesce($4, started_at),
                    ended_at = CASE WHEN $5 THEN coalesce($6, now()) END, follow_ups_sent = $7,
                    created_at = coalesce($4, created_at), updated_at = coalesce($6, now()),
                    version = version + 1
             WHERE id = $1 AND status = 'new'",
        )
        .bind(shop)
        .bind(from)
        .bind(reason)
        .bind(first)
        .bind(from.is_finished())
        .bind(last)
        .bind(sent)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "demo_history",
            EntityType::Shop,
            Some(shop.0),
            json!({ "status": from, "messages": ids.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }
}

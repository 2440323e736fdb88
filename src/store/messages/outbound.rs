//! Outbound drafts and the outbox: Message-ID fixed at creation, claims with SKIP LOCKED.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::super::audit::{EntityType, SYSTEM, record, record_as};
use super::super::shops::move_shop_if_allowed;
use super::super::{Actor, Result, Store, StoreError};
use super::{MESSAGE_COLUMNS, MessageRow, mark_sent_tx, notify_ids};
use crate::domain::ids::{MailboxId, MessageId, ShopId};
use crate::domain::message::MessageKind;
use crate::domain::outbox::WaitReason;
use crate::domain::shop::ShopStatus;

/// What a draft says; sender and recipient come from the shop's persona and target.
#[derive(Debug, Clone)]
pub struct NewDraft {
    pub shop_id: ShopId,
    pub kind: MessageKind,
    pub subject: String,
    pub body_text: String,
    /// For follow-ups: the message this answers, and the thread so far (oldest first).
    pub in_reply_to: Option<String>,
    pub reference_ids: Vec<String>,
    /// Model, prompt version, temperature, instructions.
    pub generation: Option<serde_json::Value>,
}

/// A message claimed for sending.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboundJob {
    pub id: MessageId,
    pub message_id: String,
    pub shop_id: Option<ShopId>,
    pub mailbox_id: Option<MailboxId>,
    pub from_addr: String,
    pub from_name: String,
    pub to_addrs: Vec<String>,
    pub subject: String,
    pub body_text: String,
    pub in_reply_to: Option<String>,
    pub reference_ids: Vec<String>,
    /// Tries including this one.
    pub attempts: i32,
    /// The status before this claim: `approved` (first look), `queued` (a scheduled or retried
    /// send) or `sending` (a sender died holding it: it may have gone out already).
    pub previous_status: String,
    pub time_zone: Option<String>,
}

pub(super) async fn insert_draft(store: &Store, actor: &Actor, d: &NewDraft) -> Result<MessageRow> {
    if !matches!(
        d.kind,
        MessageKind::Inquiry | MessageKind::FollowUp | MessageKind::Nudge
    ) {
        return Err(StoreError::Invalid(format!(
            "{} is not an outbound kind",
            d.kind
        )));
    }
    let mut tx = store.pool.begin().await?;
    let (persona_email, persona_name, mailbox, target_email): (String, String, Option<MailboxId>, String) =
        sqlx::query_as(
            "SELECT p.email, p.first_name || ' ' || p.last_name, p.mailbox_id, t.email
             FROM shops s JOIN personas p ON p.id = s.persona_id JOIN targets t ON t.id = s.target_id
             WHERE s.id = $1",
        )
        .bind(d.shop_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("shop", d.shop_id))?;
    if target_email.is_empty() {
        return Err(StoreError::Invalid(
            "the target has no email address to write to".into(),
        ));
    }
    let domain = persona_email.rsplit('@').next().unwrap_or("localhost");
    let message_id = format!("{}@{}", uuid::Uuid::now_v7().simple(), domain);
    let row: MessageRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO messages (shop_id, mailbox_id, direction, kind, status, message_id,
             in_reply_to, reference_ids, from_addr, from_name, to_addrs, subject, body_text,
             generation)
         VALUES ($1, $2, 'outbound', $3, 'pending_review', $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING {MESSAGE_COLUMNS}"
    )))
    .bind(d.shop_id)
    .bind(mailbox)
    .bind(d.kind)
    .bind(&message_id)
    .bind(&d.in_reply_to)
    .bind(&d.reference_ids)
    .bind(&persona_email)
    .bind(&persona_name)
    .bind(vec![target_email])
    .bind(&d.subject)
    .bind(&d.body_text)
    .bind(&d.generation)
    .fetch_one(&mut *tx)
    .await?;
    let why = format!("{} drafted", d.kind);
    move_shop_if_allowed(
        &mut tx,
        &actor.name,
        d.shop_id,
        ShopStatus::AwaitingReview,
        &why,
    )
    .await?;
    record(
        &mut tx,
        actor,
        "draft",
        EntityType::Message,
        Some(row.id.0),
        json!({ "shop_id": d.shop_id, "kind": d.kind }),
    )
    .await?;
    notify_ids(&mut tx, "messages", &[row.id]).await?;
    tx.commit().await?;
    Ok(row)
}

impl Store {
    /// Claims up to `limit` messages that are due, for `lease`: approved ones, queued ones whose
    /// time has come, and `sending` ones whose sender's lease ran out (it died mid-send).
    /// `SKIP LOCKED` lets any number of senders run side by side.
    pub async fn claim_outbound(&self, limit: i64, lease: Duration) -> Result<Vec<OutboundJob>> {
        let mut tx = self.pool.begin().await?;
        let claimed: Vec<(MessageId, String)> = sqlx::query_as(
            "WITH due AS (
                 SELECT id, status AS previous_status FROM messages
                 WHERE direction = 'outbound'
                   AND ((status IN ('approved', 'queued') AND coalesce(next_attempt_at, '-infinity') <= now())
                        OR (status = 'sending' AND send_lease_until < now()))
                 ORDER BY next_attempt_at NULLS FIRST, id
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED)
             UPDATE messages m SET status = 'sending', send_lease_until = now() + $2,
                    attempts = m.attempts + 1, updated_at = now()
             FROM due WHERE m.id = due.id
             RETURNING m.id, due.previous_status",
        )
        .bind(limit)
        .bind(lease)
        .fetch_all(&mut *tx)
        .await?;
        let ids: Vec<MessageId> = claimed.iter().map(|c| c.0).collect();
        let mut jobs: Vec<OutboundJob> = sqlx::query_as(
            "SELECT m.id, m.message_id, m.shop_id, m.mailbox_id, m.from_addr, m.from_name,
                    m.to_addrs, m.subject, m.body_text, m.in_reply_to, m.reference_ids, m.attempts,
                    ''::text AS previous_status, t.time_zone
             FROM messages m LEFT JOIN shops s ON s.id = m.shop_id
                  LEFT JOIN targets t ON t.id = s.target_id
             WHERE m.id = ANY($1) ORDER BY m.id",
        )
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        for job in &mut jobs {
            if let Some((_, prev)) = claimed.iter().find(|c| c.0 == job.id) {
                job.previous_status = prev.clone();
            }
        }
        Ok(jobs)
    }

    /// Puts a claimed message back in the queue until `until`.
    pub async fn defer_outbound(
        &self,
        id: MessageId,
        until: DateTime<Utc>,
        reason: Option<WaitReason>,
        error: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE messages SET status = 'queued', next_attempt_at = $2, wait_reason = $3,
                    last_error = coalesce($4, last_error), send_lease_until = NULL, updated_at = now()
             WHERE id = $1 AND status = 'sending'",
        )
        .bind(id)
        .bind(until)
        .bind(reason)
        .bind(error)
        .execute(&mut *tx)
        .await?;
        notify_ids(&mut tx, "messages", &[id]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The SMTP server accepted it (or a copy was found): sent, once.
    pub async fn mark_outbound_sent(&self, message_id: &str, how: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let changed = mark_sent_tx(&mut tx, &[message_id], how).await?;
        tx.commit().await?;
        Ok(!changed.is_empty())
    }

    /// A permanent failure: kept with the server's answer for an operator.
    pub async fn mark_outbound_failed(&self, id: MessageId, error: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE messages SET status = 'failed', last_error = $2, send_lease_until = NULL,
                    wait_reason = NULL, updated_at = now(), version = version + 1
             WHERE id = $1 AND status = 'sending'",
        )
        .bind(id)
        .bind(error)
        .execute(&mut *tx)
        .await?;
        record_as(
            &mut tx,
            SYSTEM,
            "send_failed",
            EntityType::Message,
            Some(id.0),
            json!({ "error": error }),
        )
        .await?;
        notify_ids(&mut tx, "messages", &[id]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many messages a mailbox has sent since `since` (for the daily cap).
    pub async fn sent_since(
        &self,
        mailbox: Option<MailboxId>,
        since: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM messages
             WHERE direction = 'outbound' AND status = 'sent' AND sent_at >= $2
               AND mailbox_id IS NOT DISTINCT FROM $1",
        )
        .bind(mailbox)
        .bind(since)
        .fetch_one(&self.pool)
        .await?)
    }
}

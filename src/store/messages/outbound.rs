//! Outbound drafts and the outbox: Message-ID fixed at creation, claims with SKIP LOCKED.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::super::audit::{EntityType, SYSTEM, record, record_as};
use super::super::draft_versions::{Change, add_version};
use super::super::shops::move_shop_if_allowed;
use super::super::{Actor, Result, Store, StoreError};
use super::{MESSAGE_COLUMNS, MessageRow, mark_sent_tx, notify_ids};
use crate::domain::ids::{MailboxId, MessageId, ShopId};
use crate::domain::message::{DraftEvent, MessageKind, VersionHow};
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
    /// SMTP attempts made so far (claims do not count).
    pub attempts: i32,
    /// The status before this claim: `approved` (first look), `queued` (a scheduled or retried
    /// send) or `sending` (a sender died holding it: it may have gone out already).
    pub previous_status: String,
    /// Set when an SMTP attempt began and its outcome is not known: look before sending again.
    pub smtp_started_at: Option<DateTime<Utc>>,
    pub time_zone: Option<String>,
}

/// A sent message whose copy in the Sent folder is still to be filed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SentCopy {
    pub id: MessageId,
    pub message_id: String,
    pub from_addr: String,
    pub raw: Vec<u8>,
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
    let how = match d.generation.as_ref().and_then(|g| g["model"].as_str()) {
        Some("offline") => VersionHow::Offline,
        Some(_) => VersionHow::Ai,
        None => VersionHow::Edit,
    };
    add_version(&mut tx, row.id, &actor.name, Change::plain(how)).await?;
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

/// How an SMTP attempt ended, for putting a message back in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpOutcome {
    /// No attempt was made (window, cap, lost connection before sending): nothing changes.
    NotTried,
    /// The server answered with a temporary refusal: not sent, and the attempt counts.
    Refused,
    /// The server could not be reached: not sent, and the attempt does not count.
    Unreachable,
    /// The connection broke mid-attempt: it may have gone. It is looked for before any retry.
    Unknown,
}

impl Store {
    /// Claims up to `limit` messages that are due, for `lease`, as `owner`: approved ones,
    /// queued ones whose time has come, and `sending` ones whose sender's lease ran out (it died
    /// or stopped). A claim is not an attempt. `SKIP LOCKED` lets any number of senders run.
    pub async fn claim_outbound(
        &self,
        owner: Uuid,
        limit: i64,
        lease: Duration,
    ) -> Result<Vec<OutboundJob>> {
        Ok(sqlx::query_as(
            "WITH due AS (
                 SELECT id, status AS previous_status FROM messages
                 WHERE direction = 'outbound'
                   AND ((status IN ('approved', 'queued') AND coalesce(next_attempt_at, '-infinity') <= now())
                        OR (status = 'sending' AND send_lease_until < now()))
                 ORDER BY next_attempt_at NULLS FIRST, id
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED),
             claimed AS (
                 -- DraftEvent::ClaimToSend: approved or queued and due, or a lapsed sender's.
                 UPDATE messages m SET status = $4, send_owner = $3,
                        send_lease_until = now() + $2, updated_at = now()
                 FROM due WHERE m.id = due.id
                 RETURNING m.*, due.previous_status)
             SELECT c.id, c.message_id, c.shop_id, c.mailbox_id, c.from_addr, c.from_name,
                    c.to_addrs, c.subject, c.body_text, c.in_reply_to, c.reference_ids,
                    c.attempts, c.previous_status, c.smtp_started_at, t.time_zone
             FROM claimed c LEFT JOIN shops s ON s.id = c.shop_id
                  LEFT JOIN targets t ON t.id = s.target_id
             ORDER BY c.id",
        )
        .bind(limit)
        .bind(lease)
        .bind(owner)
        .bind(DraftEvent::ClaimToSend.to())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Extends every claim `owner` holds (the sender's heartbeat); how many it holds.
    pub async fn renew_outbound_claims(&self, owner: Uuid, lease: Duration) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE messages SET send_lease_until = now() + $2
             WHERE direction = 'outbound' AND send_owner = $1
               AND (status = 'sending' OR (status = 'sent' AND NOT sent_copy_filed))",
        )
        .bind(owner)
        .bind(lease)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Right before handing `raw` to SMTP: counts the attempt and records that its outcome is not
    /// known yet. `false` when the claim is no longer `owner`'s (it lapsed and another sender
    /// took the message): then this sender must not send it.
    pub async fn begin_smtp(
        &self,
        id: MessageId,
        owner: Uuid,
        raw: &[u8],
        lease: Duration,
    ) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE messages SET attempts = attempts + 1, smtp_started_at = now(), raw = $3,
                    send_lease_until = now() + $4, updated_at = now()
             WHERE id = $1 AND status = 'sending' AND send_owner = $2",
        )
        .bind(id)
        .bind(owner)
        .bind(raw)
        .bind(lease)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Puts a claimed message back in the queue until `until`, saying why.
    pub async fn defer_outbound(
        &self,
        id: MessageId,
        owner: Uuid,
        until: DateTime<Utc>,
        reason: Option<WaitReason>,
        error: Option<&str>,
        outcome: SmtpOutcome,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let (settled, refund) = match outcome {
            SmtpOutcome::NotTried => (false, false),
            SmtpOutcome::Refused => (true, false),
            SmtpOutcome::Unreachable => (true, true),
            SmtpOutcome::Unknown => (false, false),
        };
        sqlx::query(
            "UPDATE messages SET status = $8, next_attempt_at = $2, wait_reason = $3,
                    last_error = coalesce($4, last_error), send_lease_until = NULL,
                    send_owner = NULL,
                    smtp_started_at = CASE WHEN $5 THEN NULL ELSE smtp_started_at END,
                    attempts = CASE WHEN $6 THEN greatest(attempts - 1, 0) ELSE attempts END,
                    updated_at = now()
             WHERE id = $1 AND status = ANY($9) AND send_owner = $7",
        )
        .bind(id)
        .bind(until)
        .bind(reason)
        .bind(error)
        .bind(settled)
        .bind(refund)
        .bind(owner)
        .bind(DraftEvent::Defer.to())
        .bind(DraftEvent::Defer.from_texts())
        .execute(&mut *tx)
        .await?;
        notify_ids(&mut tx, "messages", &[id]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A real check of the mailbox found no copy of a message whose SMTP outcome was unknown:
    /// it did not go, and may be sent.
    pub async fn settle_not_sent(&self, id: MessageId, owner: Uuid) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE messages SET smtp_started_at = NULL, updated_at = now()
             WHERE id = $1 AND status = 'sending' AND send_owner = $2",
        )
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// The SMTP server accepted it (or a copy was found): sent, once. `filed`: the copy in Sent
    /// exists.
    pub async fn mark_outbound_sent(
        &self,
        message_id: &str,
        how: &str,
        filed: bool,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let changed = mark_sent_tx(&mut tx, &[message_id], how, filed).await?;
        tx.commit().await?;
        Ok(!changed.is_empty())
    }

    /// A permanent failure: kept with the server's answer for an operator.
    pub async fn mark_outbound_failed(
        &self,
        id: MessageId,
        owner: Uuid,
        error: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE messages SET status = $4, last_error = $2, send_lease_until = NULL,
                    send_owner = NULL, smtp_started_at = NULL,
                    wait_reason = NULL, updated_at = now(), version = version + 1
             WHERE id = $1 AND status = ANY($5) AND send_owner = $3",
        )
        .bind(id)
        .bind(error)
        .bind(owner)
        .bind(DraftEvent::Fail.to())
        .bind(DraftEvent::Fail.from_texts())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(()); // another sender has it now
        }
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

    /// An operator sends a failed message again: back in the queue with fresh attempts.
    pub async fn retry_failed(&self, actor: &Actor, id: MessageId) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let previous: Option<Option<String>> = sqlx::query_scalar(
            "UPDATE messages SET status = $2, attempts = 0, next_attempt_at = now(),
                    wait_reason = NULL, updated_at = now(), version = version + 1
             WHERE id = $1 AND direction = 'outbound' AND status = ANY($3)
             RETURNING last_error",
        )
        .bind(id)
        .bind(DraftEvent::Retry.to())
        .bind(DraftEvent::Retry.from_texts())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(previous) = previous else {
            let status: Option<Option<String>> = sqlx::query_scalar(
                "SELECT status FROM messages WHERE id = $1 AND direction = 'outbound'",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            return Err(match status {
                None => StoreError::not_found("outbound message", id),
                Some(s) => StoreError::Invalid(format!(
                    "message {id} is {}, not failed: only a failed message can be retried",
                    s.unwrap_or_default()
                )),
            });
        };
        record(
            &mut tx,
            actor,
            "retry",
            EntityType::Message,
            Some(id.0),
            json!({ "previous_error": previous }),
        )
        .await?;
        let shop: Option<ShopId> = sqlx::query_scalar("SELECT shop_id FROM messages WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(shop) = shop {
            move_shop_if_allowed(
                &mut tx,
                &actor.name,
                shop,
                ShopStatus::AwaitingSend,
                "send retried",
            )
            .await?;
        }
        notify_ids(&mut tx, "messages", &[id]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sent messages whose copy in Sent is missing (a crash, or IMAP down right after SMTP),
    /// claimed for `lease` by `owner` so two senders do not file one twice.
    pub async fn claim_sent_copies(
        &self,
        owner: Uuid,
        limit: i64,
        lease: Duration,
    ) -> Result<Vec<SentCopy>> {
        Ok(sqlx::query_as(
            "UPDATE messages m SET send_owner = $1, send_lease_until = now() + $3
             FROM (SELECT id FROM messages
                   WHERE direction = 'outbound' AND status = 'sent' AND NOT sent_copy_filed
                     AND raw IS NOT NULL
                     AND (send_lease_until IS NULL OR send_lease_until < now())
                   ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) due
             WHERE m.id = due.id
             RETURNING m.id, m.message_id, m.from_addr, m.raw",
        )
        .bind(owner)
        .bind(limit)
        .bind(lease)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The copy is in Sent now.
    pub async fn mark_sent_copy_filed(&self, id: MessageId) -> Result<()> {
        sqlx::query(
            "UPDATE messages SET sent_copy_filed = true, send_owner = NULL, send_lease_until = NULL
             WHERE id = $1",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives a Sent-filing claim back (IMAP is down): another pass tries again.
    pub async fn release_sent_copy(&self, id: MessageId, owner: Uuid) -> Result<()> {
        sqlx::query(
            "UPDATE messages SET send_owner = NULL, send_lease_until = NULL
             WHERE id = $1 AND send_owner = $2 AND status = 'sent'",
        )
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
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

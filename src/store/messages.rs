//! Messages: inbound batches from the sync (stored with their folder state in one transaction)
//! and the outbound life of drafts (create, approve, claim for sending, mark sent or failed).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, QueryBuilder};

use super::audit::{EntityType, SYSTEM, record, record_as};
use super::draft_versions;
use super::shops::{apply_reaction, move_shop_if_allowed};
use super::{Actor, Result, Store, StoreError};
use crate::domain::ids::{MailboxId, MessageId, ShopId};
use crate::domain::message::{DraftEvent, DraftStatus, MessageKind, ResponderKind, VersionHow};
use crate::domain::outbox::WaitReason;
use crate::domain::reaction::{Arrival, Reaction};
use crate::domain::reply::Reply;
use crate::domain::shop::ShopStatus;

/// The channel every writer NOTIFYs and every TUI LISTENs on; payloads are small JSON objects
/// naming what changed (`{"messages":[1,2]}`), never the data itself.
pub const EVENTS_CHANNEL: &str = "secret_shop_events";

/// One inbound message, parsed, classified and threaded, ready to store.
#[derive(Debug, Clone, Default)]
pub struct InboundMessage {
    pub uid: u32,
    pub shop_id: Option<ShopId>,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub reference_ids: Vec<String>,
    pub from_addr: String,
    pub from_name: String,
    pub to_addrs: Vec<String>,
    pub cc_addrs: Vec<String>,
    pub delivered_to: Vec<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub raw: Vec<u8>,
    pub parse_error: Option<String>,
    pub is_auto_reply: bool,
    pub is_bounce: bool,
    pub responder_kind: Option<ResponderKind>,
    pub date_header: Option<DateTime<Utc>>,
}

/// A batch from one folder, with the folder state it brings the store to.
#[derive(Debug)]
pub struct InboundBatch {
    pub mailbox: MailboxId,
    pub folder: String,
    pub uidvalidity: u32,
    pub highest_uid: u32,
    pub messages: Vec<InboundMessage>,
    /// The syncer's lease on the mailbox: the batch is refused if it was lost meanwhile.
    pub lease: Option<super::LeaseGrant>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestOutcome {
    /// Newly stored messages, in batch order.
    pub stored: Vec<MessageId>,
    /// Already stored (the same copy: same UID, or the same bytes renumbered): skipped.
    pub duplicates: usize,
    /// Copies of our own sent mail (recognised by Message-ID and sender): not stored again.
    pub own_copies: usize,
    /// Our own outbound messages found in the mailbox while still marked `sending`: now sent.
    pub confirmed_sent: Vec<MessageId>,
}

/// A message row for lists and the thread view.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MessageRow {
    pub id: MessageId,
    pub shop_id: Option<ShopId>,
    pub mailbox_id: Option<MailboxId>,
    pub direction: String,
    pub kind: MessageKind,
    pub status: Option<DraftStatus>,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub reference_ids: Vec<String>,
    pub from_addr: String,
    pub from_name: String,
    pub to_addrs: Vec<String>,
    pub subject: String,
    pub body_text: String,
    pub parse_error: Option<String>,
    pub is_auto_reply: bool,
    pub is_bounce: bool,
    pub responder_kind: Option<ResponderKind>,
    pub received_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub wait_reason: Option<WaitReason>,
    pub last_error: Option<String>,
    pub imap_uid: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
    /// Drafts: model, prompt version, temperature, the operator's instructions.
    pub generation: Option<serde_json::Value>,
    /// Drafts under review: who holds the claim and until when (only while it is live).
    pub claimed_until: Option<DateTime<Utc>>,
    pub claimed_by_name: Option<String>,
}

const MESSAGE_COLUMNS: &str = "id, shop_id, mailbox_id, direction, kind, status, message_id,
    in_reply_to, reference_ids, from_addr, from_name, to_addrs, subject, body_text, parse_error,
    is_auto_reply, is_bounce, responder_kind, received_at, sent_at, attempts, next_attempt_at,
    wait_reason, last_error, imap_uid, created_at, version, generation,
    CASE WHEN claimed_until > now() THEN claimed_until END AS claimed_until,
    CASE WHEN claimed_until > now()
         THEN (SELECT o.name FROM operators o WHERE o.id = messages.claimed_by) END AS claimed_by_name";

/// Rows per INSERT: 21 binds each stays far below Postgres' 65535-parameter limit.
const INSERT_CHUNK: usize = 1000;

impl Store {
    /// Stores a batch and advances the folder's sync state in one transaction, then NOTIFYs the
    /// new ids (delivered at commit). Each mailbox copy is stored once: a copy already stored
    /// (same folder, UIDVALIDITY and UID, or the same bytes renumbered by a UIDVALIDITY change)
    /// is skipped; two copies with one Message-ID are both kept. Copies of our own sent mail are
    /// recognised by their Message-ID and sender, and confirm the send instead. What follows
    /// from each new message (its shop's move, reading it, a bounced address) is `react`'s call
    /// (`domain::reaction::on_arrival`); a copy stored before gets no reaction.
    pub async fn ingest_batch(
        &self,
        batch: &InboundBatch,
        react: impl Fn(Arrival) -> Reaction,
    ) -> Result<IngestOutcome> {
        let mut tx = self.pool.begin().await?;
        if let Some(grant) = &batch.lease
            && !super::leases::lease_is_live(&mut tx, grant).await?
        {
            return Err(StoreError::LeaseLost(grant.name.clone()));
        }
        let mut outcome = IngestOutcome::default();
        let own = own_copies(&mut tx, &batch.messages).await?;
        outcome.own_copies = own.len();
        let mut fresh: Vec<&InboundMessage> = Vec::with_capacity(batch.messages.len());
        let renumbered = folder_was_renumbered(&mut tx, batch).await?;
        for m in batch.messages.iter().filter(|m| !own.contains(&m.uid)) {
            if renumbered && rekey_copy(&mut tx, batch, m).await? {
                outcome.duplicates += 1;
            } else {
                fresh.push(m);
            }
        }
        let mut stored_uid_set = std::collections::HashSet::new();
        for chunk in fresh.chunks(INSERT_CHUNK) {
            let rows = insert_inbound(&mut tx, batch, chunk).await?;
            outcome.duplicates += chunk.len() - rows.len();
            stored_uid_set.extend(rows.iter().map(|(uid, _)| *uid as u32));
            let by_uid: HashMap<i64, MessageId> = rows.into_iter().collect();
            for m in chunk {
                if let Some(id) = by_uid.get(&(m.uid as i64)) {
                    outcome.stored.push(*id);
                }
            }
        }
        // Copies of our own mail (the sender Bccs the persona) prove the server accepted it.
        let own_ids: Vec<&str> = batch
            .messages
            .iter()
            .filter(|m| own.contains(&m.uid))
            .filter_map(|m| m.message_id.as_deref())
            .collect();
        outcome.confirmed_sent =
            mark_sent_tx(&mut tx, &own_ids, "seen in the mailbox", false).await?;

        // Only what is new reacts; a re-synced copy changes nothing.
        let new_messages = batch
            .messages
            .iter()
            .filter(|m| stored_uid_set.contains(&m.uid));
        for (m, id) in new_messages.zip(&outcome.stored) {
            let Some(shop) = m.shop_id else { continue };
            let reaction = react(Arrival {
                for_shop: true,
                is_bounce: m.is_bounce,
                is_auto_reply: m.is_auto_reply,
            });
            apply_reaction(&mut tx, SYSTEM, shop, *id, &reaction).await?;
        }

        sqlx::query(
            "INSERT INTO mailbox_folders (mailbox_id, folder, uidvalidity, highest_uid, last_synced_at, last_error)
             VALUES ($1, $2, $3, $4, now(), NULL)
             ON CONFLICT (mailbox_id, folder) DO UPDATE SET
                 uidvalidity = EXCLUDED.uidvalidity,
                 highest_uid = CASE WHEN mailbox_folders.uidvalidity = EXCLUDED.uidvalidity
                                    THEN greatest(mailbox_folders.highest_uid, EXCLUDED.highest_uid)
                                    ELSE EXCLUDED.highest_uid END,
                 last_synced_at = now(), last_error = NULL",
        )
        .bind(batch.mailbox)
        .bind(&batch.folder)
        .bind(batch.uidvalidity as i64)
        .bind(batch.highest_uid as i64)
        .execute(&mut *tx)
        .await?;
        notify_ids(&mut tx, "messages", &outcome.stored).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Our outbound Message-IDs among `keys`, with their shops and the persona address they
    /// were sent from (for threading replies).
    pub async fn shops_by_outbound_id(
        &self,
        keys: &[String],
    ) -> Result<HashMap<String, (ShopId, String)>> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(String, ShopId, String)> = sqlx::query_as(
            "SELECT message_id, shop_id, lower(from_addr) FROM messages
             WHERE direction = 'outbound' AND shop_id IS NOT NULL AND message_id = ANY($1)",
        )
        .bind(keys)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, shop, from)| (id, (shop, from)))
            .collect())
    }

    /// The latest shop for each (persona address, target address) pair, lower-cased.
    pub async fn shops_by_addresses(&self) -> Result<HashMap<(String, String), ShopId>> {
        let rows: Vec<(String, String, ShopId)> = sqlx::query_as(
            "SELECT DISTINCT ON (lower(p.email), lower(t.email)) lower(p.email), lower(t.email), s.id
             FROM shops s JOIN personas p ON p.id = s.persona_id JOIN targets t ON t.id = s.target_id
             WHERE t.email <> ''
             ORDER BY lower(p.email), lower(t.email), s.created_at DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(p, t, s)| ((p, t), s)).collect())
    }

    pub async fn message(&self, id: MessageId) -> Result<MessageRow> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("message", id))
    }

    /// A shop's conversation, oldest first.
    pub async fn shop_messages(&self, shop: ShopId) -> Result<Vec<MessageRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE shop_id = $1
             ORDER BY coalesce(sent_at, received_at, created_at), id"
        )))
        .bind(shop)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Inbound mail, newest first; `unmatched_only` for the operator's assign list.
    pub async fn inbox(&self, unmatched_only: bool, limit: i64) -> Result<Vec<MessageRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages
             WHERE direction = 'inbound' AND ($1 = false OR kind = 'unmatched')
             ORDER BY received_at DESC NULLS LAST, id DESC LIMIT $2"
        )))
        .bind(unmatched_only)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The raw bytes of a stored message.
    /// The reply as sync stored it (see [`Reply`]), without the raw bytes; `None` when the row
    /// predates that (`reply_parts` false: parse [`Store::message_raw`] instead) or is absent.
    pub async fn message_reply(&self, id: MessageId) -> Result<Option<Reply>> {
        let row: Option<(String, String, String, String, Option<String>, bool)> = sqlx::query_as(
            "SELECT from_addr, from_name, subject, body_text, body_html, is_auto_reply OR is_bounce
             FROM messages WHERE id = $1 AND reply_parts",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(from_addr, from_name, subject, text, html, automatic)| Reply {
                from_addr,
                from_name,
                subject,
                text,
                html,
                automatic,
            },
        ))
    }

    pub async fn message_raw(&self, id: MessageId) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar("SELECT raw FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .flatten())
    }
}

async fn insert_inbound(
    conn: &mut PgConnection,
    batch: &InboundBatch,
    chunk: &[&InboundMessage],
) -> Result<Vec<(i64, MessageId)>> {
    let mut q = QueryBuilder::new(
        "INSERT INTO messages (mailbox_id, imap_folder, imap_uidvalidity, imap_uid, shop_id,
             direction, kind, message_id, in_reply_to, reference_ids, from_addr, from_name,
             to_addrs, cc_addrs, delivered_to, subject, body_text, body_html, raw, parse_error,
             is_auto_reply, is_bounce, responder_kind, date_header, received_at, reply_parts) ",
    );
    q.push_values(chunk, |mut row, m| {
        let kind = if m.shop_id.is_some() {
            MessageKind::Response
        } else {
            MessageKind::Unmatched
        };
        row.push_bind(batch.mailbox)
            .push_bind(&batch.folder)
            .push_bind(batch.uidvalidity as i64)
            .push_bind(m.uid as i64)
            .push_bind(m.shop_id)
            .push("'inbound'")
            .push_bind(kind)
            .push_bind(&m.message_id)
            .push_bind(&m.in_reply_to)
            .push_bind(&m.reference_ids)
            .push_bind(&m.from_addr)
            .push_bind(&m.from_name)
            .push_bind(&m.to_addrs)
            .push_bind(&m.cc_addrs)
            .push_bind(&m.delivered_to)
            .push_bind(&m.subject)
            .push_bind(&m.body_text)
            .push_bind(&m.body_html)
            .push_bind(&m.raw)
            .push_bind(&m.parse_error)
            .push_bind(m.is_auto_reply)
            .push_bind(m.is_bounce)
            .push_bind(m.responder_kind)
            .push_bind(m.date_header)
            .push("now()")
            // Everything the reader needs is in the columns above.
            .push("true");
    });
    // The copy is already stored (a batch re-fetched after a crash): skip it, keep the rest.
    q.push(
        " ON CONFLICT (mailbox_id, imap_folder, imap_uidvalidity, imap_uid) DO NOTHING
          RETURNING imap_uid, id",
    );
    Ok(q.build_query_as().fetch_all(conn).await?)
}

/// UIDs in the batch that are copies of our own outbound mail: the Message-ID we gave it, from
/// the address we sent it from. (A stranger reusing one of our ids is still stored.)
async fn own_copies(
    conn: &mut PgConnection,
    messages: &[InboundMessage],
) -> Result<std::collections::HashSet<u32>> {
    let ids: Vec<&str> = messages
        .iter()
        .filter_map(|m| m.message_id.as_deref())
        .collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let ours: Vec<(String, String)> = sqlx::query_as(
        "SELECT message_id, lower(from_addr) FROM messages
         WHERE direction = 'outbound' AND message_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let ours: HashMap<String, String> = ours.into_iter().collect();
    Ok(messages
        .iter()
        .filter(|m| {
            m.message_id
                .as_ref()
                .and_then(|id| ours.get(id))
                .is_some_and(|from| m.from_addr.eq_ignore_ascii_case(from))
        })
        .map(|m| m.uid)
        .collect())
}

/// Does the folder hold copies stored under another UIDVALIDITY (the server renumbered it)?
async fn folder_was_renumbered(conn: &mut PgConnection, batch: &InboundBatch) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM messages
                        WHERE mailbox_id = $1 AND imap_folder = $2 AND imap_uidvalidity <> $3
                          AND direction = 'inbound')",
    )
    .bind(batch.mailbox)
    .bind(&batch.folder)
    .bind(batch.uidvalidity as i64)
    .fetch_one(conn)
    .await?)
}

/// After a UIDVALIDITY change: if a copy with these exact bytes was stored under the old
/// numbering, move it to the new one (each old copy matches one new copy) and say so.
async fn rekey_copy(
    conn: &mut PgConnection,
    batch: &InboundBatch,
    m: &InboundMessage,
) -> Result<bool> {
    let moved: Option<MessageId> = sqlx::query_scalar(
        "UPDATE messages SET imap_uidvalidity = $3, imap_uid = $4, updated_at = now()
         WHERE id = (SELECT id FROM messages
                     WHERE mailbox_id = $1 AND imap_folder = $2 AND imap_uidvalidity <> $3
                       AND direction = 'inbound' AND raw_sha256 = sha256($5)
                     ORDER BY id LIMIT 1)
         RETURNING id",
    )
    .bind(batch.mailbox)
    .bind(&batch.folder)
    .bind(batch.uidvalidity as i64)
    .bind(m.uid as i64)
    .bind(&m.raw)
    .fetch_optional(conn)
    .await?;
    Ok(moved.is_some())
}

/// Marks outbound messages still `sending` with these Message-IDs as sent, and moves their
/// shops on; returns the ids it changed.
/// Any approved message not yet marked sent: a copy in the mailbox proves the server took it,
/// also for one a sender gave up on.
async fn mark_sent_tx(
    conn: &mut PgConnection,
    message_ids: &[&str],
    how: &str,
    filed_in_sent: bool,
) -> Result<Vec<MessageId>> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(MessageId, Option<ShopId>)> = sqlx::query_as(
        "UPDATE messages SET status = $3, sent_at = coalesce(sent_at, now()),
                send_lease_until = NULL, send_owner = NULL, smtp_started_at = NULL,
                sent_copy_filed = sent_copy_filed OR $2,
                wait_reason = NULL, last_error = NULL,
                updated_at = now(), version = version + 1
         WHERE direction = 'outbound' AND status = ANY($4)
           AND message_id = ANY($1)
         RETURNING id, shop_id",
    )
    .bind(message_ids)
    .bind(filed_in_sent)
    .bind(DraftEvent::ConfirmSent.to())
    .bind(DraftEvent::ConfirmSent.from_texts())
    .fetch_all(&mut *conn)
    .await?;
    for (id, shop) in &rows {
        record_as(
            conn,
            SYSTEM,
            "send",
            EntityType::Message,
            Some(id.0),
            json!({ "how": how }),
        )
        .await?;
        if let Some(shop) = shop {
            move_shop_if_allowed(conn, SYSTEM, *shop, ShopStatus::AwaitingReply, "sent").await?;
        }
    }
    notify_ids(
        conn,
        "messages",
        &rows.iter().map(|r| r.0).collect::<Vec<_>>(),
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// NOTIFY `{"<what>": [ids]}` in chunks that stay under the 8000-byte payload limit.
pub(crate) async fn notify_ids<T: Serialize>(
    conn: &mut PgConnection,
    what: &str,
    ids: &[T],
) -> Result<()> {
    for chunk in ids.chunks(500) {
        let payload = json!({ what: chunk }).to_string();
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(EVENTS_CHANNEL)
            .bind(payload)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub use outbound::{NewDraft, OutboundJob, SentCopy, SmtpOutcome};
pub use review::CLAIM_MINUTES;

mod outbound;
mod review;

impl Store {
    /// Drafts wait for an operator; nothing is sent before `approve_draft`.
    pub async fn insert_draft(&self, actor: &Actor, draft: &NewDraft) -> Result<MessageRow> {
        outbound::insert_draft(self, actor, draft).await
    }

    /// Rejects a pending draft with a reason; the shop goes back to where it was before it.
    /// Where the shop goes is `react`'s call on the draft's kind (`domain::reaction::on_rejection`).
    pub async fn reject_draft(
        &self,
        actor: &Actor,
        id: MessageId,
        reason: &str,
        react: impl FnOnce(MessageKind) -> Reaction,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let row: Option<(Option<ShopId>, MessageKind)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE messages SET status = $4, rejected_by = $2, rejected_reason = $3,
                    rejected_at = now(), claimed_by = NULL, claimed_until = NULL,
                    updated_at = now(), version = version + 1
             WHERE id = $1 AND status = ANY($5) AND direction = 'outbound' AND {}
             RETURNING shop_id, kind",
                review::free_or_mine("$2")
            )))
            .bind(id)
            .bind(actor.id)
            .bind(reason)
            .bind(DraftEvent::Reject.to())
            .bind(DraftEvent::Reject.from_texts())
            .fetch_optional(&mut *tx)
            .await?;
        let Some((shop, kind)) = row else {
            return Err(review::why_not(&mut tx, id, actor).await);
        };
        record(
            &mut tx,
            actor,
            "reject",
            EntityType::Message,
            Some(id.0),
            json!({ "before": { "status": "pending_review" }, "after": { "status": "rejected" },
                    "reason": reason }),
        )
        .await?;
        if let Some(shop) = shop {
            apply_reaction(&mut tx, &actor.name, shop, id, &react(kind)).await?;
        }
        notify_ids(&mut tx, "messages", &[id]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An operator assigns an unmatched message to a shop; what follows (it counts as the
    /// agent's reply: `domain::reaction::on_assignment`) is the caller's `reaction`.
    pub async fn assign_message(
        &self,
        actor: &Actor,
        id: MessageId,
        shop: ShopId,
        reaction: &Reaction,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let exists: Option<ShopId> = sqlx::query_scalar("SELECT id FROM shops WHERE id = $1")
            .bind(shop)
            .fetch_optional(&mut *tx)
            .await?;
        exists.ok_or_else(|| StoreError::not_found("shop", shop))?;
        let n = sqlx::query(
            "UPDATE messages SET shop_id = $2, kind = 'response', updated_at = now(),
                    version = version + 1
             WHERE id = $1 AND direction = 'inbound' AND kind = 'unmatched'",
        )
        .bind(id)
        .bind(shop)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("unmatched message", id));
        }
        record(
            &mut tx,
            actor,
            "assign",
            EntityType::Message,
            Some(id.0),
            json!({ "shop_id": shop }),
        )
        .await?;
        apply_reaction(&mut tx, &actor.name, shop, id, reaction).await?;
        notify_ids(&mut tx, "messages", &[id]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Drafts waiting for an operator, oldest first.
    pub async fn pending_drafts(&self) -> Result<Vec<MessageRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages
             WHERE direction = 'outbound' AND status = 'pending_review' ORDER BY created_at, id"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Approves a pending draft if it still has `version`: two operators approving at once send
    /// it once (the second gets `Conflict`). It may go at once (no undo window).
    pub async fn approve_draft(&self, actor: &Actor, id: MessageId, version: i32) -> Result<()> {
        self.approve_draft_with_undo(actor, id, version, 0).await
    }

    /// Approves as [`Store::approve_draft`], with `undo_secs` in which the outbox leaves it
    /// alone and it can be recalled ([`Store::recall_message`]).
    pub async fn approve_draft_with_undo(
        &self,
        actor: &Actor,
        id: MessageId,
        version: i32,
        undo_secs: u64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let shop: Option<Option<ShopId>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "UPDATE messages SET status = $5, approved_by = $3, approved_at = now(),
                    claimed_by = NULL, claimed_until = NULL,
                    next_attempt_at = CASE WHEN $4 > 0
                        THEN now() + make_interval(secs => $4) END,
                    wait_reason = CASE WHEN $4 > 0 THEN 'undo' END,
                    updated_at = now(), version = version + 1
             WHERE id = $1 AND version = $2 AND status = ANY($6) AND direction = 'outbound'
               AND {}
             RETURNING shop_id",
            review::free_or_mine("$3")
        )))
        .bind(id)
        .bind(version)
        .bind(actor.id)
        .bind(undo_secs.min(86_400) as f64)
        .bind(DraftEvent::Approve.to())
        .bind(DraftEvent::Approve.from_texts())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(shop) = shop else {
            return Err(review::why_not(&mut tx, id, actor).await);
        };
        // Which text was approved: the draft's latest version.
        let number: Option<i32> =
            sqlx::query_scalar("SELECT max(number) FROM draft_versions WHERE message_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        record(
            &mut tx,
            actor,
            "approve",
            EntityType::Message,
            Some(id.0),
            json!({ "before": { "status": "pending_review" },
                    "after": { "status": "approved", "version": number,
                               "undo_seconds": undo_secs } }),
        )
        .await?;
        if let Some(shop) = shop {
            move_shop_if_allowed(
                &mut tx,
                &actor.name,
                shop,
                ShopStatus::AwaitingSend,
                "approved",
            )
            .await?;
        }
        notify_ids(&mut tx, "messages", &[id]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes an approved message back before the outbox has it: a draft again (a new version),
    /// held by whoever recalled it. Refused, saying plainly why, once the outbox has taken it
    /// (sending, sent) or an attempt may have reached the server.
    pub async fn recall_message(&self, actor: &Actor, id: MessageId) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let shop: Option<Option<ShopId>> = sqlx::query_scalar(
            "UPDATE messages SET status = $4, approved_by = NULL, approved_at = NULL,
                    next_attempt_at = NULL, wait_reason = NULL, last_error = NULL,
                    claimed_by = $2, claimed_until = now() + make_interval(mins => $3),
                    updated_at = now(), version = version + 1
             WHERE id = $1 AND direction = 'outbound' AND status = ANY($5)
               AND smtp_started_at IS NULL
             RETURNING shop_id",
        )
        .bind(id)
        .bind(actor.id)
        .bind(review::CLAIM_MINUTES)
        .bind(DraftEvent::Recall.to())
        .bind(DraftEvent::Recall.from_texts())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(shop) = shop else {
            return Err(why_not_recalled(&mut tx, id).await);
        };
        let number = draft_versions::add_version(
            &mut tx,
            id,
            &actor.name,
            draft_versions::Change::plain(VersionHow::Recall),
        )
        .await?;
        record(
            &mut tx,
            actor,
            "recall",
            EntityType::Message,
            Some(id.0),
            json!({ "before": { "status": "approved" },
                    "after": { "status": "pending_review", "version": number } }),
        )
        .await?;
        if let Some(shop) = shop {
            move_shop_if_allowed(
                &mut tx,
                &actor.name,
                shop,
                ShopStatus::AwaitingReview,
                "recalled",
            )
            .await?;
        }
        notify_ids(&mut tx, "messages", &[id]).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Why a recall touched nothing, in words for the operator.
async fn why_not_recalled(conn: &mut sqlx::PgConnection, id: MessageId) -> StoreError {
    type Row = (
        Option<String>,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<chrono::DateTime<chrono::Utc>>,
    );
    let row: std::result::Result<Option<Row>, _> = sqlx::query_as(
        "SELECT status::text, sent_at, smtp_started_at FROM messages
         WHERE id = $1 AND direction = 'outbound'",
    )
    .bind(id)
    .fetch_optional(conn)
    .await;
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| "an unknown time".into())
    };
    let why = match row {
        Err(e) => return e.into(),
        Ok(None) => return StoreError::not_found("message", id),
        Ok(Some((Some(s), sent, _))) if s == "sent" => {
            format!("message {id} was sent at {}: too late to recall", at(sent))
        }
        Ok(Some((Some(s), _, _))) if s == "sending" => {
            format!("message {id} is being sent right now: too late to recall")
        }
        Ok(Some((_, _, Some(started)))) => format!(
            "message {id} may already have reached the mail server (an attempt began at {}): \
             it cannot be recalled",
            at(Some(started))
        ),
        Ok(Some((Some(s), _, _))) if s == "pending_review" => {
            format!("message {id} is not approved: it is a draft awaiting review")
        }
        Ok(Some((s, _, _))) => format!(
            "message {id} is {}: only an approved message can be recalled",
            s.unwrap_or_default()
        ),
    };
    StoreError::Refused(why)
}

//! Read-only queries shaped for the TUI's lists: one row per line on screen, names joined in,
//! paged with LIMIT/OFFSET so nothing ever loads every row.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Result, Store};
use crate::domain::ids::{MessageId, PersonaId, ShopId, TargetId};
use crate::domain::shop::ShopStatus;

/// A shop as the shops list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ShopRow {
    pub id: ShopId,
    pub target_id: TargetId,
    pub target_name: String,
    pub persona_id: PersonaId,
    pub persona_name: String,
    pub status: ShopStatus,
    pub status_reason: Option<String>,
    pub last_activity: DateTime<Utc>,
    pub last_sent_at: Option<DateTime<Utc>>,
    /// The oldest draft awaiting review, if any.
    pub pending_draft: Option<MessageId>,
    /// Why an approved message is not sent yet (outside window, daily cap, retry).
    pub wait_reason: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub score: Option<f64>,
    /// Why the current grade needs an operator's review (empty: it does not, or no grade).
    pub review_reasons: Vec<String>,
    /// An approved message that failed to send (an operator may retry it), and why.
    pub failed_message: Option<MessageId>,
    pub send_error: Option<String>,
    /// "follow-up rejected by NAME: REASON" while that rejection holds the planner (no reply and
    /// nothing sent since).
    pub rejection: Option<String>,
    /// The approved message on its way (approved, queued or sending), and its status: it can be
    /// recalled until the outbox takes it.
    pub outbox_message: Option<MessageId>,
    pub outbox_status: Option<String>,
    /// The target's client (its name); `None`: no client.
    #[sqlx(default)]
    pub client: Option<String>,
}

/// A line of the inbox: one inbound message with its shop's names.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct InboxRow {
    pub id: MessageId,
    pub shop_id: Option<ShopId>,
    pub target_name: Option<String>,
    pub from_addr: String,
    pub from_name: String,
    pub subject: String,
    pub received_at: Option<DateTime<Utc>>,
    pub kind: String,
    pub responder_kind: Option<String>,
    pub is_auto_reply: bool,
    pub is_bounce: bool,
    pub parse_error: Option<String>,
    pub read: bool,
}

/// One mailbox folder's sync state, for the status bar.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct SyncState {
    pub address: String,
    pub folder: String,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// A long pass under way: messages stored so far of the total.
    pub sync_done: Option<i32>,
    pub sync_total: Option<i32>,
}

/// What the inbox shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    pub unmatched_only: bool,
    pub shop: Option<ShopId>,
    /// Target name contains this (any case).
    pub target: Option<String>,
    /// auto, ai or human.
    pub responder: Option<String>,
    /// Rows to load (the newest first); 0 = the UI's default page. Grows as the operator
    /// scrolls past the end.
    pub limit: i64,
}

impl Store {
    /// Shops, most recently active first.
    pub async fn shop_rows(&self, limit: i64, offset: i64) -> Result<Vec<ShopRow>> {
        Ok(sqlx::query_as(
            // The page of shops first (an index walk), then the joins for those rows only.
            "SELECT s.id, s.target_id, t.name AS target_name, s.persona_id,
                    p.first_name || ' ' || p.last_name AS persona_name, s.status, s.status_reason,
                    s.updated_at AS last_activity, m.last_sent_at, m.pending_draft,
                    m.wait_reason, m.next_attempt_at, g.total AS score,
                    coalesce(g.review_reasons, '{}') AS review_reasons, m.failed_message,
                    m.send_error, rj.rejection, ob.id AS outbox_message,
                    ob.status::text AS outbox_status, c.name AS client
             FROM (SELECT * FROM shops ORDER BY updated_at DESC, id DESC LIMIT $1 OFFSET $2) s
             JOIN targets t ON t.id = s.target_id
             LEFT JOIN clients c ON c.id = t.client_id
             JOIN personas p ON p.id = s.persona_id
             LEFT JOIN grades g ON g.shop_id = s.id AND g.is_current
             LEFT JOIN LATERAL (
                 -- The planner's rule (PlanInput::held_by_rejection), for the shop's next step.
                 SELECT replace(x.kind::text, '_', '-') || ' rejected by ' || o.name
                        || coalesce(': ' || nullif(x.rejected_reason, ''), '') AS rejection
                 FROM messages x JOIN operators o ON o.id = x.rejected_by
                 WHERE x.shop_id = s.id AND x.direction = 'outbound' AND x.status = 'rejected'
                   AND x.kind IN ('follow_up', 'nudge') AND o.name <> 'system'
                   AND x.rejected_at > coalesce((SELECT max(y.sent_at) FROM messages y
                         WHERE y.shop_id = s.id AND y.direction = 'outbound'
                           AND y.status = 'sent'), '-infinity')
                   AND x.rejected_at > coalesce((SELECT max(r.received_at) FROM messages r
                         WHERE r.shop_id = s.id AND r.direction = 'inbound'
                           AND NOT r.is_auto_reply AND NOT r.is_bounce
                           AND coalesce(r.responder_kind, 'human') <> 'auto'), '-infinity')
                 ORDER BY x.rejected_at DESC LIMIT 1
             ) rj ON true
             LEFT JOIN LATERAL (
                 SELECT max(sent_at) FILTER (WHERE status = 'sent') AS last_sent_at,
                        min(id) FILTER (WHERE status = 'pending_review') AS pending_draft,
                        max(wait_reason) FILTER (WHERE status IN ('approved', 'queued'))
                            AS wait_reason,
                        min(next_attempt_at) FILTER (WHERE status IN ('approved', 'queued'))
                            AS next_attempt_at,
                        min(id) FILTER (WHERE status = 'failed') AS failed_message,
                        max(last_error) FILTER (WHERE status = 'failed') AS send_error
                 FROM messages WHERE shop_id = s.id AND direction = 'outbound'
             ) m ON true
             LEFT JOIN LATERAL (
                 SELECT id, status FROM messages
                 WHERE shop_id = s.id AND direction = 'outbound'
                   AND status IN ('approved', 'queued', 'sending')
                 ORDER BY id LIMIT 1
             ) ob ON true
             ORDER BY s.updated_at DESC, s.id DESC",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One target's shops, newest first.
    pub async fn target_shop_rows(&self, target: TargetId) -> Result<Vec<ShopRow>> {
        Ok(sqlx::query_as(
            "SELECT s.id, s.target_id, t.name AS target_name, s.persona_id,
                    p.first_name || ' ' || p.last_name AS persona_name, s.status, s.status_reason,
                    s.updated_at AS last_activity, NULL::timestamptz AS last_sent_at,
                    NULL::bigint AS pending_draft, NULL::text AS wait_reason,
                    NULL::timestamptz AS next_attempt_at, g.total AS score,
                    coalesce(g.review_reasons, '{}') AS review_reasons,
                    NULL::bigint AS failed_message, NULL::text AS send_error,
                    NULL::text AS rejection, NULL::bigint AS outbox_message,
                    NULL::text AS outbox_status, c.name AS client
             FROM shops s
             JOIN targets t ON t.id = s.target_id
             LEFT JOIN clients c ON c.id = t.client_id
             JOIN personas p ON p.id = s.persona_id
             LEFT JOIN grades g ON g.shop_id = s.id AND g.is_current
             WHERE s.target_id = $1
             ORDER BY s.created_at DESC, s.id DESC LIMIT 200",
        )
        .bind(target)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Inbound mail, newest first, filtered.
    pub async fn inbox_rows(
        &self,
        filter: &InboxFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<InboxRow>> {
        Ok(sqlx::query_as(
            "SELECT m.id, m.shop_id, t.name AS target_name, m.from_addr, m.from_name, m.subject,
                    m.received_at, m.kind, m.responder_kind, m.is_auto_reply, m.is_bounce,
                    m.parse_error, m.read_at IS NOT NULL AS read
             FROM messages m
             LEFT JOIN shops s ON s.id = m.shop_id
             LEFT JOIN targets t ON t.id = s.target_id
             WHERE m.direction = 'inbound'
               AND ($1 = false OR m.kind = 'unmatched')
               AND ($2::bigint IS NULL OR m.shop_id = $2)
               AND ($3::text IS NULL OR t.name ILIKE '%' || $3 || '%')
               AND ($4::text IS NULL OR m.responder_kind = $4)
             ORDER BY m.received_at DESC NULLS LAST, m.id DESC
             LIMIT $5 OFFSET $6",
        )
        .bind(filter.unmatched_only)
        .bind(filter.shop)
        .bind(&filter.target)
        .bind(&filter.responder)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every mailbox folder's last good sync and last error.
    pub async fn sync_states(&self) -> Result<Vec<SyncState>> {
        Ok(sqlx::query_as(
            "SELECT m.address, f.folder, f.last_synced_at, f.last_error, f.sync_done, f.sync_total
             FROM mailbox_folders f JOIN mailboxes m ON m.id = f.mailbox_id
             WHERE m.enabled ORDER BY m.address, f.folder",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Marks inbound messages as read (the inbox's unread marker).
    pub async fn mark_read(&self, ids: &[MessageId]) -> Result<()> {
        sqlx::query(
            "UPDATE messages SET read_at = now() WHERE id = ANY($1) AND read_at IS NULL
               AND direction = 'inbound'",
        )
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

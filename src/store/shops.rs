//! Shops: creation and status moves. Every move goes through the domain state machine.

use serde_json::json;
use sqlx::PgConnection;

use super::audit::{EntityType, record, record_as};
use super::{Actor, Result, Store, StoreError};
use crate::domain::ids::{ClientId, MessageId, PersonaId, ShopId, TargetId};
use crate::domain::job::JobKind;
use crate::domain::message::DraftEvent;
use crate::domain::shop::{Shop, ShopStatus};

const SHOP_COLUMNS: &str = "id, target_id, persona_id, status, status_reason, required_fields,
    follow_ups_sent, next_action_at, started_at, ended_at, created_at, updated_at, version";

impl Store {
    /// Records a new shop (status `new`) and marks the persona's address as used, so it never
    /// changes again.
    pub async fn create_shop(
        &self,
        actor: &Actor,
        target: TargetId,
        persona: PersonaId,
        required_fields: &[String],
    ) -> Result<Shop> {
        let mut tx = self.pool.begin().await?;
        let shop: Shop = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO shops (target_id, persona_id, required_fields, started_by, started_at)
             VALUES ($1, $2, $3, $4, now()) RETURNING {SHOP_COLUMNS}"
        )))
        .bind(target)
        .bind(persona)
        .bind(required_fields)
        .bind(actor.id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE personas SET first_used_at = coalesce(first_used_at, now()) WHERE id = $1",
        )
        .bind(persona)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "start",
            EntityType::Shop,
            Some(shop.id.0),
            json!({ "target_id": target, "persona_id": persona }),
        )
        .await?;
        tx.commit().await?;
        Ok(shop)
    }

    /// An operator cancels a shop; illegal from a finished state.
    pub async fn cancel_shop(&self, actor: &Actor, id: ShopId, reason: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let from: ShopStatus =
            sqlx::query_scalar("SELECT status FROM shops WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::not_found("shop", id))?;
        from.transition(ShopStatus::Cancelled)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        move_shop_if_allowed(&mut tx, &actor.name, id, ShopStatus::Cancelled, reason).await?;
        // Nothing of a cancelled shop leaves any more.
        sqlx::query(
            "UPDATE messages SET status = $3, rejected_by = $2, rejected_reason = 'shop cancelled', rejected_at = now(),
                    updated_at = now(), version = version + 1
             WHERE shop_id = $1 AND direction = 'outbound' AND status = ANY($4)",
        )
        .bind(id)
        .bind(actor.id)
        .bind(DraftEvent::CancelShop.to())
        .bind(DraftEvent::CancelShop.from_texts())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_shops(&self) -> Result<Vec<Shop>> {
        self.list_shops_of(None).await
    }

    /// The shops of one client's targets (`None`: every shop), most recently changed first.
    pub async fn list_shops_of(&self, client: Option<ClientId>) -> Result<Vec<Shop>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SHOP_COLUMNS} FROM shops
             WHERE $1::bigint IS NULL
                OR target_id IN (SELECT id FROM targets WHERE client_id = $1)
             ORDER BY updated_at DESC, id DESC"
        )))
        .bind(client)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn shop(&self, id: ShopId) -> Result<Shop> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SHOP_COLUMNS} FROM shops WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("shop", id))
    }
}

/// Moves a shop if the state machine allows it; returns whether it moved. Background work uses
/// this: a late reply to a completed shop is stored but does not reopen the shop.
pub(crate) async fn move_shop_if_allowed(
    conn: &mut PgConnection,
    operator: &str,
    id: ShopId,
    to: ShopStatus,
    reason: &str,
) -> Result<bool> {
    let from: Option<ShopStatus> =
        sqlx::query_scalar("SELECT status FROM shops WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(from) = from else {
        return Err(StoreError::not_found("shop", id));
    };
    if from == to {
        return Ok(false);
    }
    if !from.can_become(to) {
        tracing::info!(shop = %id, %from, %to, "shop status move not allowed; left as is");
        return Ok(false);
    }
    sqlx::query(
        "UPDATE shops SET status = $2, status_reason = $3, updated_at = now(),
                version = version + 1,
                ended_at = CASE WHEN $4 THEN now() ELSE ended_at END
         WHERE id = $1",
    )
    .bind(id)
    .bind(to)
    .bind(reason)
    .bind(to.is_finished())
    .execute(&mut *conn)
    .await?;
    record_as(
        conn,
        operator,
        "status",
        EntityType::Shop,
        Some(id.0),
        json!({ "from": from, "to": to, "reason": reason }),
    )
    .await?;
    Ok(true)
}

/// What the follow-up planner needs to know about one shop, read in one go.
#[derive(Debug, Clone)]
pub struct PlanState {
    pub shop: Shop,
    /// Checklist names the fact sheet has a value for.
    pub known: Vec<String>,
    pub last_sent_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_reply_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Follow-ups and nudges sent.
    pub follow_ups_sent: u32,
    /// A draft is in flight, or a reply has not been read yet: plan nothing until it settles.
    pub draft_pending: bool,
    /// The latest real reply declined (nothing available, waitlist closed).
    pub declined: bool,
    /// A nudge still awaiting review although the agent has replied since it was drafted.
    pub stale_nudge: Option<MessageId>,
    /// When an operator (not the system) last rejected a follow-up or nudge.
    pub rejected_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Store {
    /// Shops waiting on the agent or on our next step.
    pub async fn shops_to_plan(&self) -> Result<Vec<ShopId>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM shops WHERE status IN ('awaiting_reply', 'replied') ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn plan_state(&self, id: ShopId) -> Result<PlanState> {
        let shop = self.shop(id).await?;
        let paths: Vec<String> = sqlx::query_scalar(
            // An operator's value answers a checklist item as the agent's would.
            "SELECT field_path FROM facts WHERE shop_id = $1 AND superseded_by IS NULL
             UNION SELECT key FROM overrides WHERE shop_id = $1 AND kind = 'fact'",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut known: Vec<String> = paths
            .iter()
            .map(|p| crate::domain::facts::checklist_name(p).to_string())
            .collect();
        known.sort();
        known.dedup();
        #[derive(sqlx::FromRow)]
        struct Row {
            last_sent_at: Option<chrono::DateTime<chrono::Utc>>,
            last_reply_at: Option<chrono::DateTime<chrono::Utc>>,
            follow_ups: i64,
            pending: bool,
            unread: bool,
            declined: Option<bool>,
            stale_nudge: Option<MessageId>,
            rejected_at: Option<chrono::DateTime<chrono::Utc>>,
        }
        let r: Row = sqlx::query_as(
            "SELECT
                 max(sent_at) FILTER (WHERE direction = 'outbound' AND status = 'sent')
                     AS last_sent_at,
                 max(received_at) FILTER (WHERE direction = 'inbound' AND NOT is_auto_reply
                                          AND NOT is_bounce
                                          AND coalesce(responder_kind, 'human') <> 'auto')
                     AS last_reply_at,
                 count(*) FILTER (WHERE direction = 'outbound' AND status = 'sent'
                                  AND kind IN ('follow_up', 'nudge')) AS follow_ups,
                 coalesce(bool_or(direction = 'outbound' AND status IN
                     ('pending_review', 'approved', 'queued', 'sending')), false) AS pending,
                 EXISTS (SELECT 1 FROM jobs j
                         JOIN messages x ON x.id = (j.payload->>'message_id')::bigint
                         WHERE x.shop_id = $1 AND j.kind = $2
                           AND j.status IN ('queued', 'running')) AS unread,
                 (SELECT (l.analysis->'signals'->>'declined')::boolean FROM messages l
                  WHERE l.shop_id = $1 AND l.direction = 'inbound' AND NOT l.is_auto_reply
                    AND NOT l.is_bounce AND l.analysis IS NOT NULL
                  ORDER BY l.received_at DESC NULLS LAST, l.id DESC LIMIT 1) AS declined,
                 min(id) FILTER (WHERE direction = 'outbound' AND kind = 'nudge'
                                 AND status = 'pending_review'
                                 AND created_at < (SELECT max(r.received_at) FROM messages r
                                                   WHERE r.shop_id = $1
                                                     AND r.direction = 'inbound'
                                                     AND NOT r.is_auto_reply
                                                     AND NOT r.is_bounce)) AS stale_nudge,
                 (SELECT max(x.rejected_at) FROM messages x JOIN operators o ON o.id = x.rejected_by
                  WHERE x.shop_id = $1 AND x.direction = 'outbound' AND x.status = 'rejected'
                    AND x.kind IN ('follow_up', 'nudge') AND o.name <> 'system') AS rejected_at
             FROM messages m WHERE m.shop_id = $1",
        )
        .bind(id)
        .bind(JobKind::ExtractFacts)
        .fetch_one(&self.pool)
        .await?;
        Ok(PlanState {
            shop,
            known,
            last_sent_at: r.last_sent_at,
            last_reply_at: r.last_reply_at,
            follow_ups_sent: r.follow_ups as u32,
            draft_pending: r.pending || r.unread,
            declined: r.declined.unwrap_or(false),
            stale_nudge: r.stale_nudge,
            rejected_at: r.rejected_at,
        })
    }

    /// The drafts of a shop operators rejected (not the system's own superseded nudges), oldest
    /// first: what the next draft must not repeat, and why.
    pub async fn rejected_drafts(
        &self,
        id: ShopId,
    ) -> Result<Vec<crate::domain::message::RejectedDraft>> {
        Ok(sqlx::query_as(
            "SELECT x.body_text AS body, coalesce(x.rejected_reason, '') AS reason
             FROM messages x JOIN operators o ON o.id = x.rejected_by
             WHERE x.shop_id = $1 AND x.direction = 'outbound' AND x.status = 'rejected'
               AND o.name <> 'system'
             ORDER BY x.rejected_at, x.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Ends a shop by the planner's decision (completed or timed out), audited as the system.
    pub async fn finish_shop(&self, id: ShopId, to: ShopStatus, reason: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let moved = move_shop_if_allowed(&mut tx, super::audit::SYSTEM, id, to, reason).await?;
        tx.commit().await?;
        Ok(moved)
    }
}

impl Store {
    /// The latest shop (id, target name) in which `persona` met this target, or another target
    /// of the same property manager within `window_days`: its cover may be burnt.
    pub async fn persona_clash(
        &self,
        persona: PersonaId,
        target: TargetId,
        manager: &str,
        window_days: u32,
    ) -> Result<Option<(ShopId, String)>> {
        Ok(sqlx::query_as(
            "SELECT s.id, t.name FROM shops s JOIN targets t ON t.id = s.target_id
             WHERE s.persona_id = $1
               AND (s.target_id = $2
                    OR ($3 <> '' AND t.property_manager = $3
                        AND s.created_at > now() - make_interval(days => $4)))
             ORDER BY s.created_at DESC LIMIT 1",
        )
        .bind(persona)
        .bind(target)
        .bind(manager)
        .bind(window_days as i32)
        .fetch_optional(&self.pool)
        .await?)
    }
}

/// Applies what the caller decided follows from an event on `shop`'s message `message`
/// (see `domain::reaction`), inside the event's transaction.
pub(crate) async fn apply_reaction(
    conn: &mut PgConnection,
    operator: &str,
    shop: ShopId,
    message: crate::domain::ids::MessageId,
    reaction: &crate::domain::reaction::Reaction,
) -> Result<()> {
    if reaction.address_bounced {
        sqlx::query(
            "UPDATE targets SET email_status = 'bouncing', updated_at = now()
             WHERE id = (SELECT target_id FROM shops WHERE id = $1)",
        )
        .bind(shop)
        .execute(&mut *conn)
        .await?;
    }
    if let Some((to, why)) = reaction.shop {
        move_shop_if_allowed(conn, operator, shop, to, why).await?;
    }
    if reaction.extract_facts {
        super::jobs::enqueue_tx(
            conn,
            JobKind::ExtractFacts,
            json!({ "message_id": message }),
            &JobKind::ExtractFacts.dedupe_key(message),
        )
        .await?;
    }
    Ok(())
}

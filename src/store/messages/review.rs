//! The review queue's claims and edits (DESIGN.md §3): an operator who opens a draft holds it for
//! a few minutes; the others see who holds it and cannot change it until the claim lapses.

use serde_json::{Value, json};
use sqlx::PgConnection;

use super::super::audit::{EntityType, record};
use super::super::draft_versions::{Change, add_version};
use super::super::{Actor, Result, Store, StoreError};
use super::{MESSAGE_COLUMNS, MessageRow, notify_ids};
use crate::domain::ids::MessageId;
use crate::domain::message::VersionHow;

/// How long opening a draft holds it; each edit or reopen renews it.
pub const CLAIM_MINUTES: i32 = 5;

/// SQL condition: nobody else holds a live claim. `$ACTOR` is the acting operator's id.
pub(super) fn free_or_mine(actor_param: &str) -> String {
    format!(
        "(claimed_by IS NULL OR claimed_by = {actor_param} OR claimed_until IS NULL \
         OR claimed_until <= now())"
    )
}

/// Why a conditional update on a draft touched nothing: gone, no longer pending, held by someone
/// else, or changed since the operator read it.
pub(super) async fn why_not(conn: &mut PgConnection, id: MessageId, actor: &Actor) -> StoreError {
    // status, and (holder, until) when someone else holds a live claim.
    type Why = (Option<String>, Option<String>, Option<String>);
    let row: std::result::Result<Option<Why>, _> = sqlx::query_as(
        "SELECT m.status,
                    CASE WHEN m.claimed_until > now() AND m.claimed_by <> $2 THEN o.name END,
                    CASE WHEN m.claimed_until > now() AND m.claimed_by <> $2
                         THEN to_char(m.claimed_until AT TIME ZONE 'UTC', 'HH24:MI:SS \"UTC\"') END
             FROM messages m LEFT JOIN operators o ON o.id = m.claimed_by
             WHERE m.id = $1 AND m.direction = 'outbound'",
    )
    .bind(id)
    .bind(actor.id)
    .fetch_optional(conn)
    .await;
    match row {
        Err(e) => e.into(),
        Ok(None) => StoreError::not_found("draft", id),
        Ok(Some((status, _, _))) if status.as_deref() != Some("pending_review") => {
            StoreError::Conflict {
                entity: "draft (no longer pending review)",
                id: id.to_string(),
            }
        }
        Ok(Some((_, Some(by), Some(until)))) => StoreError::Held {
            entity: "draft",
            id: id.to_string(),
            by,
            until,
        },
        Ok(Some(_)) => StoreError::Conflict {
            entity: "draft",
            id: id.to_string(),
        },
    }
}

impl Store {
    /// Opens a pending draft for review: holds it for `CLAIM_MINUTES` (renewing the operator's own
    /// claim). Fails with `Held` when another operator holds it.
    pub async fn claim_draft(&self, actor: &Actor, id: MessageId) -> Result<MessageRow> {
        let mut tx = self.pool.begin().await?;
        let row: Option<MessageRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE messages SET claimed_by = $2,
                    claimed_until = now() + make_interval(mins => $3)
             WHERE id = $1 AND direction = 'outbound' AND status = 'pending_review' AND {}
             RETURNING {MESSAGE_COLUMNS}",
            free_or_mine("$2")
        )))
        .bind(id)
        .bind(actor.id)
        .bind(CLAIM_MINUTES)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(why_not(&mut tx, id, actor).await);
        };
        notify_ids(&mut tx, "messages", &[id]).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Lets go of a claim the operator holds (closing the draft without deciding).
    pub async fn release_draft(&self, actor: &Actor, id: MessageId) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE messages SET claimed_by = NULL, claimed_until = NULL
             WHERE id = $1 AND claimed_by = $2",
        )
        .bind(id)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            notify_ids(&mut tx, "messages", &[id]).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An operator's own words replace the draft's, if it is still at `version`.
    pub async fn edit_draft(
        &self,
        actor: &Actor,
        id: MessageId,
        version: i32,
        subject: &str,
        body: &str,
    ) -> Result<MessageRow> {
        self.change_draft(
            actor,
            id,
            version,
            subject,
            body,
            None,
            Change::plain(VersionHow::Edit),
        )
        .await
    }

    /// A regenerated text (with the generation that made it) replaces the draft's.
    #[allow(clippy::too_many_arguments)]
    pub async fn regenerate_draft(
        &self,
        actor: &Actor,
        id: MessageId,
        version: i32,
        subject: &str,
        body: &str,
        generation: Value,
        change: Change<'_>,
    ) -> Result<MessageRow> {
        self.change_draft(actor, id, version, subject, body, Some(generation), change)
            .await
    }

    /// Replaces the draft's text and keeps it as the next version, in one transaction with the
    /// audit entry (which versions, before and after).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn change_draft(
        &self,
        actor: &Actor,
        id: MessageId,
        version: i32,
        subject: &str,
        body: &str,
        generation: Option<Value>,
        change: Change<'_>,
    ) -> Result<MessageRow> {
        if subject.trim().is_empty() || body.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a draft needs a subject and a body".into(),
            ));
        }
        let mut tx = self.pool.begin().await?;
        let row: Option<MessageRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE messages SET subject = $4, body_text = $5,
                    generation = coalesce($6, generation),
                    edited_by = CASE WHEN $6::jsonb IS NULL THEN $2 ELSE edited_by END,
                    claimed_by = $2, claimed_until = now() + make_interval(mins => $7),
                    updated_at = now(), version = version + 1
             WHERE id = $1 AND version = $3 AND direction = 'outbound'
               AND status = 'pending_review' AND {}
             RETURNING {MESSAGE_COLUMNS}",
            free_or_mine("$2")
        )))
        .bind(id)
        .bind(actor.id)
        .bind(version)
        .bind(subject)
        .bind(body)
        .bind(&generation)
        .bind(CLAIM_MINUTES)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(why_not(&mut tx, id, actor).await);
        };
        let number = add_version(&mut tx, id, &actor.name, change).await?;
        let action = match change.how {
            VersionHow::Edit => "edit",
            VersionHow::Restore => "restore",
            VersionHow::Recall => "recall",
            VersionHow::Ai | VersionHow::Offline => "regenerate",
        };
        let mut detail = json!({
            "before": { "version": number - 1 },
            "after": { "version": number, "how": change.how, "chars": body.chars().count() },
        });
        if let Some(i) = change.instructions {
            detail["reason"] = json!(i);
        }
        if let Some(n) = change.restored_from {
            detail["after"]["restored_from"] = json!(n);
        }
        record(
            &mut tx,
            actor,
            action,
            EntityType::Message,
            Some(id.0),
            detail,
        )
        .await?;
        notify_ids(&mut tx, "messages", &[id]).await?;
        tx.commit().await?;
        Ok(row)
    }
}

//! Every text a draft has had, numbered from 1, with who made it, how and (for a regeneration)
//! the instructions. Written in the transaction that changes the draft.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;

use super::{Actor, MessageRow, Result, Store, StoreError};
use crate::domain::ids::MessageId;
use crate::domain::message::VersionHow;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct DraftVersion {
    pub message_id: MessageId,
    pub number: i32,
    pub subject: String,
    pub body_text: String,
    pub how: VersionHow,
    pub author: String,
    pub instructions: Option<String>,
    pub restored_from: Option<i32>,
    pub created_at: DateTime<Utc>,
}

/// How a new version came to be, beyond its text.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub how: VersionHow,
    pub instructions: Option<&'a str>,
    pub restored_from: Option<i32>,
}

impl Change<'_> {
    pub fn plain(how: VersionHow) -> Change<'static> {
        Change {
            how,
            instructions: None,
            restored_from: None,
        }
    }
}

/// Appends the draft's current text as its next version; returns the version's number. The
/// caller has the message row locked (it just updated or inserted it).
pub(crate) async fn add_version(
    conn: &mut PgConnection,
    id: MessageId,
    author: &str,
    change: Change<'_>,
) -> Result<i32> {
    Ok(sqlx::query_scalar(
        "INSERT INTO draft_versions (message_id, number, subject, body_text, how, author,
                                     instructions, restored_from)
         SELECT m.id, coalesce((SELECT max(number) FROM draft_versions WHERE message_id = m.id), 0) + 1,
                coalesce(m.subject, ''), coalesce(m.body_text, ''), $2, $3, $4, $5
         FROM messages m WHERE m.id = $1
         RETURNING number",
    )
    .bind(id)
    .bind(change.how)
    .bind(author)
    .bind(change.instructions)
    .bind(change.restored_from)
    .fetch_one(conn)
    .await?)
}

impl Store {
    /// Every version of a draft, oldest first.
    pub async fn draft_versions(&self, id: MessageId) -> Result<Vec<DraftVersion>> {
        let rows: Vec<DraftVersion> =
            sqlx::query_as("SELECT * FROM draft_versions WHERE message_id = $1 ORDER BY number")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        if rows.is_empty() {
            // Tells "no such draft" from "a draft with no history" (an inbound message).
            self.message(id).await?;
        }
        Ok(rows)
    }

    /// One version of a draft.
    pub async fn draft_version(&self, id: MessageId, number: i32) -> Result<DraftVersion> {
        sqlx::query_as("SELECT * FROM draft_versions WHERE message_id = $1 AND number = $2")
            .bind(id)
            .bind(number)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("version", format!("{id} v{number}")))
    }

    /// Brings version `number` back as the draft's text (a new version), if the draft is still
    /// at `version` and nobody else holds it.
    pub async fn restore_draft_version(
        &self,
        actor: &Actor,
        id: MessageId,
        number: i32,
        version: i32,
    ) -> Result<MessageRow> {
        let v = self.draft_version(id, number).await?;
        self.change_draft(
            actor,
            id,
            version,
            &v.subject,
            &v.body_text,
            None,
            Change {
                how: VersionHow::Restore,
                instructions: None,
                restored_from: Some(number),
            },
        )
        .await
    }
}

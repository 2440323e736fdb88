//! Mailboxes and their per-folder sync state (one syncer per mailbox: see `leases`).

use super::{Result, Store};
use crate::domain::address::AddressMode;
use crate::domain::ids::MailboxId;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Mailbox {
    pub id: MailboxId,
    pub address: String,
    pub kind: String,
    pub enabled: bool,
}

/// Where a folder's sync stands; committed together with the messages it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FolderState {
    pub uidvalidity: Option<u32>,
    pub highest_uid: u32,
}

impl Store {
    /// The mailbox for `address`, created on first use.
    pub async fn ensure_mailbox(&self, address: &str, kind: AddressMode) -> Result<Mailbox> {
        Ok(sqlx::query_as(
            "INSERT INTO mailboxes (address, kind) VALUES (lower($1), $2)
             ON CONFLICT (address) DO UPDATE SET address = EXCLUDED.address
             RETURNING id, address, kind, enabled",
        )
        .bind(address)
        .bind(kind.as_str())
        .fetch_one(&self.pool)
        .await?)
    }

    /// The name of the lease that makes one process the syncer of `mailbox`.
    pub fn mailbox_lease_name(mailbox: MailboxId) -> String {
        format!("mailbox:{}", mailbox.0)
    }

    pub async fn folder_state(&self, mailbox: MailboxId, folder: &str) -> Result<FolderState> {
        let row: Option<(Option<i64>, i64)> = sqlx::query_as(
            "SELECT uidvalidity, highest_uid FROM mailbox_folders WHERE mailbox_id = $1 AND folder = $2",
        )
        .bind(mailbox)
        .bind(folder)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|(v, h)| FolderState {
                uidvalidity: v.map(|v| v as u32),
                highest_uid: h as u32,
            })
            .unwrap_or_default())
    }

    /// Records a folder's sync error, or (None) a good sync now, for the status bar.
    pub async fn set_folder_error(
        &self,
        mailbox: MailboxId,
        folder: &str,
        error: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO mailbox_folders (mailbox_id, folder, last_error, last_synced_at)
             VALUES ($1, $2, $3, CASE WHEN $3::text IS NULL THEN now() END)
             ON CONFLICT (mailbox_id, folder) DO UPDATE SET last_error = EXCLUDED.last_error,
                 last_synced_at = coalesce(EXCLUDED.last_synced_at, mailbox_folders.last_synced_at)",
        )
        .bind(mailbox)
        .bind(folder)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

impl Store {
    /// A sync pass's progress (`None` total when it is over), for the status bar.
    pub async fn set_sync_progress(
        &self,
        mailbox: MailboxId,
        folder: &str,
        done: Option<i32>,
        total: Option<i32>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO mailbox_folders (mailbox_id, folder, sync_done, sync_total)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (mailbox_id, folder) DO UPDATE
                 SET sync_done = EXCLUDED.sync_done, sync_total = EXCLUDED.sync_total",
        )
        .bind(mailbox)
        .bind(folder)
        .bind(done)
        .bind(total)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

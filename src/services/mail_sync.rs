//! Mail sync, as the worker runs it: the mailboxes it keeps (the configured one, and each
//! persona's own in `dedicated` mode), where a folder's sync stands, what threading needs to
//! know, storing a synced batch with the folder state it covers, and recording progress and
//! errors for the status bar. The sync decides what to fetch; what a new message does to its
//! shop is `crate::domain::reaction::on_arrival`, handed to the store here.

use std::collections::HashMap;

use crate::domain::address::AddressMode;
use crate::domain::ids::{MailboxId, ShopId};
use crate::domain::persona::Persona;
use crate::store::{FolderState, InboundBatch, IngestOutcome, Mailbox, Result, Store};

/// The mailbox for `address`, created on first use.
pub async fn mailbox(store: &Store, address: &str, mode: AddressMode) -> Result<Mailbox> {
    store.ensure_mailbox(address, mode).await
}

/// Every persona: in `dedicated` mode each has an account of its own to sync.
pub async fn personas(store: &Store) -> Result<Vec<Persona>> {
    store.list_personas(&Default::default()).await
}

/// The lease that lets exactly one process sync `mailbox`.
pub fn lease_name(mailbox: MailboxId) -> String {
    Store::mailbox_lease_name(mailbox)
}

/// Where the sync of `folder` stands: the UIDVALIDITY it was read under and the highest UID
/// stored.
pub async fn folder_state(store: &Store, mailbox: MailboxId, folder: &str) -> Result<FolderState> {
    store.folder_state(mailbox, folder).await
}

/// A long pass's progress (`None`, `None` when it is over).
pub async fn progress(
    store: &Store,
    mailbox: MailboxId,
    folder: &str,
    done: Option<i32>,
    total: Option<i32>,
) -> Result<()> {
    store.set_sync_progress(mailbox, folder, done, total).await
}

/// Threading: the shop and persona address of each of our outbound Message-IDs among `keys`.
pub async fn shops_by_message_id(
    store: &Store,
    keys: &[String],
) -> Result<HashMap<String, (ShopId, String)>> {
    store.shops_by_outbound_id(keys).await
}

/// Threading: the latest shop per (persona address, target address).
pub async fn shops_by_addresses(store: &Store) -> Result<HashMap<(String, String), ShopId>> {
    store.shops_by_addresses().await
}

/// Stores a synced batch with the folder state it covers, in one transaction under the batch's
/// lease; each new message reacts as the domain says (`on_arrival`).
pub async fn store_batch(store: &Store, batch: &InboundBatch) -> Result<IngestOutcome> {
    store
        .ingest_batch(batch, crate::domain::reaction::on_arrival)
        .await
}

/// The folder synced: any error shown for it is over.
pub async fn folder_ok(store: &Store, mailbox: MailboxId, folder: &str) -> Result<()> {
    store.set_folder_error(mailbox, folder, None).await
}

/// The folder's sync failed with `error` (shown until a pass succeeds).
pub async fn folder_failed(
    store: &Store,
    mailbox: MailboxId,
    folder: &str,
    error: &str,
) -> Result<()> {
    store.set_folder_error(mailbox, folder, Some(error)).await
}

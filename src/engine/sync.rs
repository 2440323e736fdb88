//! Keeps one mailbox folder in sync: exactly one process per mailbox (a lease it renews while it
//! runs, so a killed or stopped holder is replaced within seconds), batches of UID FETCH
//! BODY.PEEK[], stored with the folder state they cover, IMAP IDLE (renewed before the server's
//! 30-minute limit) or polling, reconnects with back-off capped at a few seconds. Safe to kill
//! or stop at any point.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::account::MailAccount;
use super::backoff::Backoff;
use super::inbound::{ThreadIndex, to_row};
use super::lease::HeldLease;
use crate::mail::classify::thread_keys;
use crate::mail::imap::{ImapError, ImapSession};
use crate::mail::imap_ops::{fetch_raw, uids_after};
use crate::mail::parse::parse_mail;
use crate::services::mail_sync;
use crate::store::{InboundBatch, LeaseGrant, Mailbox, Store, StoreError};

/// Messages per UID FETCH and per database transaction.
pub const BATCH: usize = 500;

/// How often a process that does not hold the mailbox looks whether its holder stopped.
const LEASE_POLL: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Imap(#[from] ImapError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("lost the mailbox lease to another process")]
    LeaseLost,
    #[error("parsing task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl From<async_imap::error::Error> for SyncError {
    fn from(e: async_imap::error::Error) -> Self {
        SyncError::Imap(ImapError::Protocol(e))
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SyncReport {
    pub fetched: usize,
    pub stored: usize,
    pub duplicates: usize,
    pub resynced: bool,
}

#[derive(Clone)]
pub struct Syncer {
    pub store: Store,
    pub account: Arc<MailAccount>,
    pub mailbox: Mailbox,
    pub poll_interval: Duration,
    pub idle_renew: Duration,
    /// How long the mailbox lease lasts without renewal.
    pub lease_ttl: Duration,
}

impl Syncer {
    /// Fetches and stores everything new in `folder` (selected afterwards).
    pub async fn sync_folder(
        &self,
        session: &mut ImapSession,
        folder: &str,
        lease: Option<&LeaseGrant>,
    ) -> Result<SyncReport, SyncError> {
        let selected = session.select(folder).await?;
        let uidvalidity = selected.uid_validity.unwrap_or(0);
        let state = mail_sync::folder_state(&self.store, self.mailbox.id, folder).await?;
        let mut report = SyncReport::default();
        // A new UIDVALIDITY means the server renumbered the folder: read it all again; copies
        // already stored are recognised by their bytes and re-keyed, not stored twice.
        let after = if state.uidvalidity == Some(uidvalidity) {
            state.highest_uid
        } else {
            report.resynced = state.uidvalidity.is_some();
            0
        };
        if let (Some(next), true) = (selected.uid_next, state.uidvalidity == Some(uidvalidity))
            && next <= after + 1
        {
            return Ok(report);
        }
        let uids = uids_after(session, after).await?;
        // Only long passes show progress: a reply or two is done before anyone could look.
        let show = uids.len() > BATCH;
        if show {
            mail_sync::progress(
                &self.store,
                self.mailbox.id,
                folder,
                Some(0),
                Some(uids.len() as i32),
            )
            .await?;
        }
        if uids.is_empty() && state.uidvalidity != Some(uidvalidity) {
            self.store_batch(folder, uidvalidity, after, Vec::new(), lease)
                .await?;
        }
        // A pipeline: the next batch is fetched while the last one is parsed and stored.
        // Batches are stored in order, so the folder state only ever moves forward.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(u32, Vec<(u32, Vec<u8>)>)>(2);
        let fetch = async {
            for chunk in uids.chunks(BATCH) {
                let fetched = fetch_raw(session, chunk).await?;
                let highest = *chunk.last().expect("chunks are never empty");
                if tx.send((highest, fetched)).await.is_err() {
                    break; // the store side failed; its error is the one to report
                }
            }
            drop(tx);
            Ok::<_, SyncError>(())
        };
        let store = async {
            let mut totals = (0, 0, 0);
            while let Some((highest, fetched)) = rx.recv().await {
                let n = fetched.len();
                let (stored, dups) = self
                    .store_batch(folder, uidvalidity, highest, fetched, lease)
                    .await?;
                totals = (totals.0 + n, totals.1 + stored, totals.2 + dups);
                if show {
                    mail_sync::progress(
                        &self.store,
                        self.mailbox.id,
                        folder,
                        Some(totals.0 as i32),
                        Some(uids.len() as i32),
                    )
                    .await?;
                }
            }
            Ok::<_, SyncError>(totals)
        };
        let joined = tokio::try_join!(fetch, store);
        if show {
            // Over, also when it failed (the next pass starts again).
            mail_sync::progress(&self.store, self.mailbox.id, folder, None, None).await?;
        }
        let ((), (fetched, stored, duplicates)) = joined?;
        report.fetched += fetched;
        report.stored += stored;
        report.duplicates += duplicates;
        if report.stored > 0 || report.resynced {
            tracing::info!(
                mailbox = %self.mailbox.address, folder, stored = report.stored,
                duplicates = report.duplicates, resynced = report.resynced, "synced"
            );
        }
        Ok(report)
    }

    async fn store_batch(
        &self,
        folder: &str,
        uidvalidity: u32,
        highest_uid: u32,
        fetched: Vec<(u32, Vec<u8>)>,
        lease: Option<&LeaseGrant>,
    ) -> Result<(usize, usize), SyncError> {
        let started = std::time::Instant::now();
        // Parsing is CPU work: keep it off the async threads.
        let parsed = tokio::task::spawn_blocking(move || {
            fetched
                .into_iter()
                .map(|(uid, raw)| {
                    let p = parse_mail(&raw);
                    let keys = thread_keys(&p);
                    (uid, raw, p, keys)
                })
                .collect::<Vec<_>>()
        })
        .await?;
        // Reply headers (and bounces' original ids) name our Message-IDs: one query for all.
        let parse_time = started.elapsed();
        let keys: Vec<String> = parsed
            .iter()
            .flat_map(|(_, _, _, k)| k.iter().cloned())
            .collect();
        let index = ThreadIndex {
            by_message_id: mail_sync::shops_by_message_id(&self.store, &keys).await?,
            by_addresses: mail_sync::shops_by_addresses(&self.store).await?,
        };
        let messages = parsed
            .into_iter()
            .map(|(uid, raw, p, k)| to_row(uid, raw, p, &k, &index))
            .collect();
        let batch = InboundBatch {
            mailbox: self.mailbox.id,
            folder: folder.to_string(),
            uidvalidity,
            highest_uid,
            messages,
            lease: lease.cloned(),
        };
        let stored_at = std::time::Instant::now();
        let outcome = match mail_sync::store_batch(&self.store, &batch).await {
            Err(StoreError::LeaseLost(_)) => return Err(SyncError::LeaseLost),
            r => r?,
        };
        tracing::debug!(
            n = batch.messages.len(),
            parse_ms = parse_time.as_millis() as u64,
            store_ms = stored_at.elapsed().as_millis() as u64,
            "batch stored"
        );
        Ok((outcome.stored.len(), outcome.duplicates))
    }

    /// Logs in, syncs, then waits for news (IDLE or polling) until `shutdown`; any error returns
    /// so the caller can reconnect. Stops as soon as the lease is lost.
    async fn session_loop(
        &self,
        lease: &HeldLease,
        shutdown: &CancellationToken,
    ) -> Result<(), SyncError> {
        let mut session = self.account.imap_login().await?;
        let idle = session.capabilities().await?.has_str("IDLE");
        let folder = self.account.inbox.clone();
        loop {
            if lease.is_lost() {
                return Err(SyncError::LeaseLost);
            }
            self.sync_folder(&mut session, &folder, Some(lease.grant()))
                .await?;
            mail_sync::folder_ok(&self.store, self.mailbox.id, &folder).await?;
            if shutdown.is_cancelled() {
                let _ = session.logout().await;
                return Ok(());
            }
            if idle {
                let mut handle = session.idle();
                handle.init().await?;
                let woke = {
                    let (wait, _stop) = handle.wait_with_timeout(self.idle_renew);
                    tokio::select! {
                        r = wait => { r?; true }
                        _ = shutdown.cancelled() => false,
                        _ = lease.lost() => return Err(SyncError::LeaseLost),
                    }
                };
                session = handle.done().await?;
                if !woke {
                    let _ = session.logout().await;
                    return Ok(());
                }
            } else {
                tokio::select! {
                    _ = tokio::time::sleep(self.poll_interval) => {}
                    _ = shutdown.cancelled() => {}
                    _ = lease.lost() => return Err(SyncError::LeaseLost),
                }
            }
            while session.unsolicited_responses.try_recv().is_ok() {}
        }
    }

    fn lease_name(&self) -> String {
        mail_sync::lease_name(self.mailbox.id)
    }

    /// Runs until `shutdown`: waits for the mailbox lease, syncs, reconnects after errors with
    /// back-off capped at a few seconds (so sync resumes soon after a server comes back).
    pub async fn run(self, shutdown: CancellationToken) {
        let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(3));
        let folder = self.account.inbox.clone();
        while !shutdown.is_cancelled() {
            let lease =
                match HeldLease::acquire(&self.store, &self.lease_name(), self.lease_ttl).await {
                    Ok(Some(lease)) => lease,
                    Ok(None) => {
                        // Someone else syncs it; take over soon after they stop.
                        wait_or_cancel(&shutdown, LEASE_POLL).await;
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "mail sync: database unavailable");
                        wait_or_cancel(&shutdown, backoff.next_delay()).await;
                        continue;
                    }
                };
            let result = self.session_loop(&lease, &shutdown).await;
            lease.release().await;
            match result {
                Ok(()) => backoff.reset(),
                Err(SyncError::LeaseLost) => {
                    tracing::warn!(mailbox = %self.mailbox.address, "mail sync: another process took over this mailbox");
                }
                Err(e) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(mailbox = %self.mailbox.address, error = %e, retry_in = ?delay, "mail sync failed");
                    let _ = mail_sync::folder_failed(
                        &self.store,
                        self.mailbox.id,
                        &folder,
                        &e.to_string(),
                    )
                    .await;
                    wait_or_cancel(&shutdown, delay).await;
                }
            }
        }
    }

    /// One pass (for `worker --once`): sync if no other process holds the mailbox.
    pub async fn run_once(&self) -> Result<Option<SyncReport>, SyncError> {
        let Some(lease) =
            HeldLease::acquire(&self.store, &self.lease_name(), self.lease_ttl).await?
        else {
            return Ok(None);
        };
        let result = async {
            let mut session = self.account.imap_login().await?;
            let report = self
                .sync_folder(&mut session, &self.account.inbox, Some(lease.grant()))
                .await?;
            let _ = session.logout().await;
            Ok::<_, SyncError>(report)
        }
        .await;
        lease.release().await;
        result.map(Some)
    }
}

pub(crate) async fn wait_or_cancel(shutdown: &CancellationToken, d: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = shutdown.cancelled() => {}
    }
}

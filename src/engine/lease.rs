//! A held lease with its heartbeat: renewed in the background while this process runs, and
//! reported lost when a renewal finds it taken (we were stopped past its expiry) or when it
//! could not be renewed for a whole term (the database is gone). Work done under a lease stops
//! when it is lost; writes also check it in their transaction.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::services::leases;
use crate::store::{LeaseGrant, Store, StoreError};

/// How long a lease lasts without renewal: a stopped holder is replaced after at most this.
pub const LEASE_TTL: Duration = Duration::from_secs(4);

/// This process, as lease holders are shown: `host:pid`.
pub fn holder_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    format!("{host}:{}", std::process::id())
}

pub struct HeldLease {
    store: Store,
    grant: LeaseGrant,
    lost: CancellationToken,
    stop: CancellationToken,
    heartbeat: Option<tokio::task::JoinHandle<()>>,
}

impl HeldLease {
    /// Takes `name` if it is free; `None` while another live process holds it.
    pub async fn acquire(
        store: &Store,
        name: &str,
        ttl: Duration,
    ) -> Result<Option<HeldLease>, StoreError> {
        let Some(grant) = leases::try_acquire(store, name, &holder_name(), ttl).await? else {
            return Ok(None);
        };
        let lost = CancellationToken::new();
        let stop = CancellationToken::new();
        let heartbeat = tokio::spawn(heartbeat(
            store.clone(),
            grant.clone(),
            ttl,
            lost.clone(),
            stop.clone(),
        ));
        Ok(Some(HeldLease {
            store: store.clone(),
            grant,
            lost,
            stop,
            heartbeat: Some(heartbeat),
        }))
    }

    pub fn grant(&self) -> &LeaseGrant {
        &self.grant
    }

    pub fn is_lost(&self) -> bool {
        self.lost.is_cancelled()
    }

    /// Resolves when the lease is lost.
    pub async fn lost(&self) {
        self.lost.cancelled().await
    }

    /// Stops the heartbeat and gives the lease back (best effort: it expires anyway).
    pub async fn release(mut self) {
        self.stop.cancel();
        if let Some(h) = self.heartbeat.take() {
            let _ = h.await;
        }
        if !self.lost.is_cancelled() {
            let _ = leases::release(&self.store, &self.grant).await;
        }
    }
}

impl Drop for HeldLease {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn heartbeat(
    store: Store,
    grant: LeaseGrant,
    ttl: Duration,
    lost: CancellationToken,
    stop: CancellationToken,
) {
    let every = ttl / 3;
    let mut last_ok = Instant::now();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.cancelled() => return,
        }
        // A process resumed after SIGSTOP sees a long gap: whatever the renewal says, it may
        // have been replaced meanwhile, and the renewal below tells.
        match leases::renew(&store, &grant, ttl).await {
            Ok(true) => last_ok = Instant::now(),
            Ok(false) => {
                tracing::warn!(lease = %grant.name, "lease lost: another process took over");
                lost.cancel();
                return;
            }
            Err(e) if last_ok.elapsed() >= ttl => {
                tracing::warn!(lease = %grant.name, error = %e, "lease lapsed: could not renew it");
                lost.cancel();
                return;
            }
            Err(e) => tracing::debug!(lease = %grant.name, error = %e, "lease renewal failed"),
        }
    }
}

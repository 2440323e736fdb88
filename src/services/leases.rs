//! Leases for "exactly one process does this" (sync a mailbox, run the scheduler): taking one,
//! renewing it while the work goes on, giving it back. The engine's heartbeat decides when.

use std::time::Duration;

use crate::store::{LeaseGrant, Result, Store};

/// Takes the lease `name` for `ttl` for `holder` if it is free or expired; `None` while someone
/// else holds it.
pub async fn try_acquire(
    store: &Store,
    name: &str,
    holder: &str,
    ttl: Duration,
) -> Result<Option<LeaseGrant>> {
    store.try_acquire_lease(name, holder, ttl).await
}

/// Extends a held lease by `ttl`; `false` when it is no longer ours.
pub async fn renew(store: &Store, grant: &LeaseGrant, ttl: Duration) -> Result<bool> {
    store.renew_lease(grant, ttl).await
}

/// Gives a held lease back so another process may take it at once.
pub async fn release(store: &Store, grant: &LeaseGrant) -> Result<()> {
    store.release_lease(grant).await
}

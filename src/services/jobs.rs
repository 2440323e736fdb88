//! Background jobs (reading replies, gathering websites, ...): listing them, and bringing a dead
//! one back; for the worker's job runner, claiming what is due and recording how it went.

use chrono::{DateTime, Utc};

use crate::domain::ids::JobId;
use crate::store::{Actor, Job, Store};

/// Jobs, newest first; only those in `status` when given.
pub async fn list(
    store: &Store,
    _actor: Option<&Actor>,
    status: Option<&str>,
    limit: i64,
) -> anyhow::Result<Vec<Job>> {
    Ok(store.list_jobs(status, limit).await?)
}

/// Queues a dead job again with fresh attempts.
pub async fn retry(store: &Store, actor: &Actor, id: JobId) -> anyhow::Result<()> {
    Ok(store.retry_job(&actor.name, id).await?)
}

/// Claims up to `limit` due jobs for `runner`, each for `lease` before another runner may take
/// it over.
pub async fn claim(
    store: &Store,
    runner: &str,
    limit: i64,
    lease: chrono::Duration,
) -> crate::store::Result<Vec<Job>> {
    store.claim_jobs(runner, limit, lease).await
}

/// A claimed job is done.
pub async fn complete(store: &Store, id: JobId) -> crate::store::Result<()> {
    store.complete_job(id).await
}

/// A claimed job failed with `error`: tried again at `retry_at`, or dead when it has no
/// attempts left (`true`).
pub async fn fail(
    store: &Store,
    id: JobId,
    error: &str,
    retry_at: DateTime<Utc>,
) -> crate::store::Result<bool> {
    store.fail_job(id, error, retry_at).await
}

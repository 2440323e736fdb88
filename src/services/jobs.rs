//! Background jobs (reading replies, gathering websites, ...): listing them, and bringing a dead
//! one back.

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

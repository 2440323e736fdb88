//! The jobs table: background work claimed with `FOR UPDATE SKIP LOCKED`, retried with back-off,
//! and kept as `dead` with its last error after too many tries, for an operator to retry.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::PgConnection;

use super::{Result, Store, StoreError};
use crate::domain::ids::JobId;
use crate::domain::job::JobKind;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Job {
    pub id: JobId,
    /// As stored: a kind this version does not know still lists (see [`Job::job_kind`]).
    pub kind: String,
    pub payload: Value,
    pub status: String,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Job {
    /// The kind, or an error naming it when this version does not know it.
    pub fn job_kind(&self) -> std::result::Result<JobKind, String> {
        self.kind.parse()
    }
}

const JOB_COLUMNS: &str =
    "id, kind, payload, status, run_at, attempts, max_attempts, last_error, created_at";

/// Queues a job unless one with the same `dedupe_key` exists (idempotent when two workers see
/// the same event).
pub(crate) async fn enqueue_tx(
    conn: &mut PgConnection,
    kind: JobKind,
    payload: Value,
    dedupe_key: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO jobs (kind, payload, dedupe_key) VALUES ($1, $2, $3)
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(kind)
    .bind(payload)
    .bind(dedupe_key)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    pub async fn enqueue_job(&self, kind: JobKind, payload: Value, dedupe_key: &str) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        enqueue_tx(&mut conn, kind, payload, dedupe_key).await
    }

    /// Claims due jobs (and ones whose runner died holding them) for `lease`.
    pub async fn claim_jobs(
        &self,
        runner: &str,
        limit: i64,
        lease: chrono::Duration,
    ) -> Result<Vec<Job>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = now() + $3,
                    attempts = attempts + 1, updated_at = now()
             WHERE id IN (SELECT id FROM jobs
                          WHERE (status = 'queued' AND run_at <= now())
                             OR (status = 'running' AND locked_until < now())
                          ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING {JOB_COLUMNS}"
        )))
        .bind(runner)
        .bind(limit)
        .bind(lease)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn complete_job(&self, id: JobId) -> Result<()> {
        sqlx::query(
            "UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL,
                    last_error = NULL, updated_at = now() WHERE id = $1",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A failed try: queued again at `retry_at`, or dead once out of attempts.
    pub async fn fail_job(&self, id: JobId, error: &str, retry_at: DateTime<Utc>) -> Result<bool> {
        let dead: bool = sqlx::query_scalar(
            "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                    run_at = $3, last_error = $2, locked_by = NULL, locked_until = NULL,
                    updated_at = now()
             WHERE id = $1 RETURNING status = 'dead'",
        )
        .bind(id)
        .bind(error)
        .bind(retry_at)
        .fetch_one(&self.pool)
        .await?;
        if dead {
            let mut conn = self.pool.acquire().await?;
            super::messages::notify_ids(&mut conn, "dead_jobs", &[id]).await?;
        }
        Ok(dead)
    }

    pub async fn list_jobs(&self, status: Option<&str>, limit: i64) -> Result<Vec<Job>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE ($1::text IS NULL OR status = $1)
             ORDER BY id DESC LIMIT $2"
        )))
        .bind(status)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// An operator retries a dead (or failed) job now, with a fresh set of attempts.
    pub async fn retry_job(&self, operator: &str, id: JobId) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE jobs SET status = 'queued', attempts = 0, run_at = now(), updated_at = now()
             WHERE id = $1 AND status IN ('dead', 'queued')",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("dead or queued job", id));
        }
        super::audit::record_as(
            &mut tx,
            operator,
            "retry",
            super::EntityType::Job,
            Some(id.0),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

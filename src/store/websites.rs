//! Website snapshots of targets: one row per gathering, `running` until it is `ok` (pages kept,
//! community extracted) or `failed` (with the error). Reports read the newest `ok` one's
//! `community` as an [`Extraction`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::PgConnection;
use sqlx::types::Json;

use super::audit::{EntityType, record_as};
use super::messages::notify_ids;
use super::{Result, Store, StoreError};
use crate::domain::community::Extraction;
use crate::domain::ids::{JobId, SnapshotId, TargetId};
use crate::domain::job::JobKind;

/// One page kept in a snapshot (`pages` is a list of these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotPage {
    pub url: String,
    pub title: String,
    pub status: u16,
    pub text: String,
    /// The page was larger than the limit; `text` is its start.
    #[serde(default)]
    pub truncated: bool,
}

/// A same-site URL that gave no page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedPage {
    pub url: String,
    /// robots, redirect, not_a_page, status or failed.
    pub kind: String,
    /// In words: "disallowed by robots.txt", "answered HTTP 404", ...
    pub reason: String,
}

/// What the crawl did besides the pages it kept (the `crawl` column).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrawlDetails {
    pub user_agent: String,
    /// What robots.txt said, in words.
    pub robots: String,
    pub skipped: Vec<SkippedPage>,
    pub off_site_links: usize,
    pub not_visited: usize,
    /// The limit that stopped the crawl early, if one did.
    pub stopped: Option<String>,
    pub elapsed_ms: u64,
    /// Why the offline rules read the pages although an AI is configured.
    pub fallback_reason: Option<String>,
}

impl CrawlDetails {
    /// How many skipped URLs are of `kind`.
    pub fn count(&self, kind: &str) -> usize {
        self.skipped.iter().filter(|s| s.kind == kind).count()
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct WebsiteSnapshot {
    pub id: SnapshotId,
    pub target_id: TargetId,
    /// running, ok or failed.
    pub status: String,
    pub root_url: String,
    pub pages: Json<Vec<SnapshotPage>>,
    pub community: Option<Json<Extraction>>,
    pub crawl: Json<CrawlDetails>,
    pub error: Option<String>,
    /// The model that read the pages, or "offline".
    pub extracted_by: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

async fn announce(conn: &mut PgConnection, id: SnapshotId) -> Result<()> {
    notify_ids(conn, "website_snapshots", &[id]).await
}

impl Store {
    /// Opens a `running` snapshot for a live target. Refuses while another gathering of the
    /// target runs; one running longer than `stale_after` was abandoned (its process died) and
    /// is marked failed first.
    pub async fn start_website_snapshot(
        &self,
        operator: &str,
        target: TargetId,
        root_url: &str,
        stale_after: chrono::Duration,
    ) -> Result<SnapshotId> {
        let mut tx = self.pool.begin().await?;
        // The target row serialises gatherings of one target.
        sqlx::query_scalar::<_, i64>(
            "SELECT id FROM targets WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
        )
        .bind(target)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("target", target))?;
        sqlx::query(
            "UPDATE website_snapshots
             SET status = 'failed', finished_at = now(),
                 error = 'abandoned: the gathering process stopped before it finished'
             WHERE target_id = $1 AND status = 'running' AND started_at < now() - $2",
        )
        .bind(target)
        .bind(stale_after)
        .execute(&mut *tx)
        .await?;
        let running: Option<SnapshotId> = sqlx::query_scalar(
            "SELECT id FROM website_snapshots WHERE target_id = $1 AND status = 'running'
             ORDER BY id LIMIT 1",
        )
        .bind(target)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = running {
            return Err(StoreError::Duplicate(format!(
                "a gathering of target {target}'s website is already running (snapshot {id})"
            )));
        }
        let id: SnapshotId = sqlx::query_scalar(
            "INSERT INTO website_snapshots (target_id, root_url) VALUES ($1, $2) RETURNING id",
        )
        .bind(target)
        .bind(root_url)
        .fetch_one(&mut *tx)
        .await?;
        record_as(
            &mut tx,
            operator,
            "gather",
            EntityType::WebsiteSnapshot,
            Some(id.0),
            json!({ "target_id": target, "root_url": root_url }),
        )
        .await?;
        announce(&mut tx, id).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Marks a running snapshot `ok` with its pages and what was extracted from them.
    pub async fn finish_website_snapshot(
        &self,
        operator: &str,
        id: SnapshotId,
        pages: &[SnapshotPage],
        crawl: &CrawlDetails,
        community: &Extraction,
        extracted_by: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE website_snapshots
             SET status = 'ok', pages = $2, crawl = $3, community = $4, extracted_by = $5,
                 error = NULL, finished_at = now()
             WHERE id = $1 AND status = 'running'",
        )
        .bind(id)
        .bind(Json(pages))
        .bind(Json(crawl))
        .bind(Json(community))
        .bind(extracted_by)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("running website snapshot", id));
        }
        record_as(
            &mut tx,
            operator,
            "gathered",
            EntityType::WebsiteSnapshot,
            Some(id.0),
            json!({
                "pages": pages.len(),
                "skipped": crawl.skipped.len(),
                "known_fields": community.known_fields(),
                "extracted_by": extracted_by,
            }),
        )
        .await?;
        announce(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a running snapshot `failed`, keeping whatever the crawl did get.
    pub async fn fail_website_snapshot(
        &self,
        operator: &str,
        id: SnapshotId,
        error: &str,
        pages: &[SnapshotPage],
        crawl: &CrawlDetails,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE website_snapshots
             SET status = 'failed', error = $2, pages = $3, crawl = $4, finished_at = now()
             WHERE id = $1 AND status = 'running'",
        )
        .bind(id)
        .bind(error)
        .bind(Json(pages))
        .bind(Json(crawl))
        .execute(&mut *tx)
        .await?;
        record_as(
            &mut tx,
            operator,
            "gather_failed",
            EntityType::WebsiteSnapshot,
            Some(id.0),
            json!({ "error": error }),
        )
        .await?;
        announce(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn website_snapshot(&self, id: SnapshotId) -> Result<WebsiteSnapshot> {
        sqlx::query_as("SELECT * FROM website_snapshots WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("website snapshot", id))
    }

    /// The target's newest snapshot, whatever its status.
    pub async fn latest_website_snapshot(
        &self,
        target: TargetId,
    ) -> Result<Option<WebsiteSnapshot>> {
        Ok(sqlx::query_as(
            "SELECT * FROM website_snapshots WHERE target_id = $1
             ORDER BY started_at DESC, id DESC LIMIT 1",
        )
        .bind(target)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The target's newest successful snapshot: what reports compare the agent's answers with.
    pub async fn latest_ok_website_snapshot(
        &self,
        target: TargetId,
    ) -> Result<Option<WebsiteSnapshot>> {
        Ok(sqlx::query_as(
            "SELECT * FROM website_snapshots WHERE target_id = $1 AND status = 'ok'
             ORDER BY finished_at DESC, id DESC LIMIT 1",
        )
        .bind(target)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Queues a `gather_website` job for the target unless one is already queued or running;
    /// returns the job and whether it is new.
    pub async fn enqueue_gather_website(
        &self,
        operator: &str,
        target: TargetId,
        payload: Value,
    ) -> Result<(JobId, bool)> {
        let mut tx = self.pool.begin().await?;
        sqlx::query_scalar::<_, i64>(
            "SELECT id FROM targets WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
        )
        .bind(target)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("target", target))?;
        let pending: Option<JobId> = sqlx::query_scalar(
            "SELECT id FROM jobs WHERE kind = $2 AND status IN ('queued', 'running')
               AND payload -> 'target_id' = to_jsonb($1::bigint)
             ORDER BY id LIMIT 1",
        )
        .bind(target)
        .bind(JobKind::GatherWebsite)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = pending {
            return Ok((id, false));
        }
        // Each request is its own job: the key only has to be unique.
        let key =
            JobKind::GatherWebsite.dedupe_key(format_args!("{target}:{}", uuid::Uuid::now_v7()));
        let id: JobId = sqlx::query_scalar(
            "INSERT INTO jobs (kind, payload, dedupe_key) VALUES ($3, $1, $2)
             RETURNING id",
        )
        .bind(payload)
        .bind(key)
        .bind(JobKind::GatherWebsite)
        .fetch_one(&mut *tx)
        .await?;
        record_as(
            &mut tx,
            operator,
            "enqueue",
            EntityType::Job,
            Some(id.0),
            json!({ "kind": JobKind::GatherWebsite, "target_id": target }),
        )
        .await?;
        tx.commit().await?;
        Ok((id, true))
    }
}

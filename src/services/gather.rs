//! Gathering a target's website into a snapshot: crawl it (robots.txt, same site, limits),
//! read the pages into the community schema (AI, else the offline rules), keep both. Used by
//! `target gather`, the TUI and the `gather_website` job.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ai::Ai;
use crate::ai::website::SitePage;
use crate::crawl::{self, CrawlError, CrawlReport, CrawlSettings};
use crate::domain::ids::{JobId, SnapshotId, TargetId};
use crate::store::{CrawlDetails, SkippedPage, SnapshotPage, Store, StoreError, WebsiteSnapshot};

/// The name background gatherings are audited under when the job names no operator.
pub const SYSTEM: &str = "system";

/// Page text kept per page in a snapshot; the extraction saw all of it.
const MAX_STORED_TEXT: usize = 64 * 1024;

/// A running snapshot older than this belongs to a process that died.
const STALE_AFTER_MINUTES: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum GatherError {
    #[error("target {0} has no website: set one with `secret-shop target edit {0} --website URL`")]
    NoWebsite(TargetId),
    #[error("target {0} is deleted")]
    Deleted(TargetId),
    /// The gathering ran and failed; the snapshot records it.
    #[error("gathering failed (snapshot {snapshot}): {message}")]
    Failed {
        snapshot: SnapshotId,
        message: String,
        /// Trying again later may work (site down, rate limited, timeout).
        transient: bool,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl GatherError {
    /// Worth retrying later: the site or the database may be back.
    pub fn is_transient(&self) -> bool {
        match self {
            GatherError::Failed { transient, .. } => *transient,
            GatherError::Store(e) => e.is_unavailable(),
            _ => false,
        }
    }
}

/// Crawls the target's website now and stores the snapshot; returns it (status `ok`). A
/// failure after the snapshot was opened leaves it `failed` with the error.
pub async fn gather_website(
    store: &Store,
    ai: &Ai,
    settings: &CrawlSettings,
    target: TargetId,
    operator: &str,
) -> Result<WebsiteSnapshot, GatherError> {
    let t = store.target(target).await?;
    if t.deleted_at.is_some() {
        return Err(GatherError::Deleted(target));
    }
    if t.website.trim().is_empty() {
        return Err(GatherError::NoWebsite(target));
    }
    let root = crawl::root_url(&t.website)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| t.website.trim().to_string());
    let id = store
        .start_website_snapshot(
            operator,
            target,
            &root,
            chrono::Duration::minutes(STALE_AFTER_MINUTES),
        )
        .await?;
    tracing::info!(target = %target, snapshot = %id, root = %root, "gathering a website");
    match crawl_and_read(store, ai, settings, &t.website, operator, id).await {
        Ok(()) => Ok(store.website_snapshot(id).await?),
        Err(Stop {
            message,
            transient,
            pages,
            details,
        }) => {
            tracing::warn!(target = %target, snapshot = %id, error = %message, "gathering failed");
            if let Err(e) = store
                .fail_website_snapshot(operator, id, &message, &pages, &details)
                .await
            {
                tracing::warn!(snapshot = %id, error = %e, "could not mark the snapshot failed");
                return Err(e.into());
            }
            Err(GatherError::Failed {
                snapshot: id,
                message,
                transient,
            })
        }
    }
}

/// Why a started gathering stopped, with what it had got so far.
struct Stop {
    message: String,
    transient: bool,
    pages: Vec<SnapshotPage>,
    details: CrawlDetails,
}

impl From<CrawlError> for Stop {
    fn from(e: CrawlError) -> Stop {
        Stop {
            transient: e.is_transient(),
            message: e.to_string(),
            pages: Vec::new(),
            details: CrawlDetails::default(),
        }
    }
}

async fn crawl_and_read(
    store: &Store,
    ai: &Ai,
    settings: &CrawlSettings,
    website: &str,
    operator: &str,
    id: SnapshotId,
) -> Result<(), Stop> {
    let report = crawl::crawl(website, settings).await?;
    let pages = snapshot_pages(&report);
    let mut details = crawl_details(&report);
    if let Some((message, transient)) = report.failure() {
        return Err(Stop {
            message,
            transient,
            pages,
            details,
        });
    }
    let site: Vec<SitePage<'_>> = report
        .pages
        .iter()
        .map(|p| SitePage {
            url: &p.url,
            title: &p.title,
            text: &p.text,
            html: p.html.as_deref(),
        })
        .collect();
    let (community, generation) = ai.read_website(&site).await;
    details.fallback_reason = generation.fallback_reason.clone();
    store
        .finish_website_snapshot(
            operator,
            id,
            &pages,
            &details,
            &community,
            &generation.model,
        )
        .await
        .map_err(|e| Stop {
            transient: e.is_unavailable(),
            message: format!("storing the snapshot: {e}"),
            pages: pages.clone(),
            details: details.clone(),
        })
}

fn snapshot_pages(report: &CrawlReport) -> Vec<SnapshotPage> {
    report
        .pages
        .iter()
        .map(|p| SnapshotPage {
            url: p.url.clone(),
            title: p.title.clone(),
            status: p.status,
            text: clip(&p.text, MAX_STORED_TEXT).to_string(),
            truncated: p.truncated,
        })
        .collect()
}

fn crawl_details(report: &CrawlReport) -> CrawlDetails {
    CrawlDetails {
        user_agent: report.user_agent.clone(),
        robots: report.robots.clone(),
        skipped: report
            .skipped
            .iter()
            .map(|s| SkippedPage {
                url: s.url.clone(),
                kind: s.reason.kind().to_string(),
                reason: s.reason.to_string(),
            })
            .collect(),
        off_site_links: report.off_site_links,
        not_visited: report.not_visited,
        stopped: report.stopped.clone(),
        elapsed_ms: report.elapsed.as_millis() as u64,
        fallback_reason: None,
    }
}

fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The payload of a `gather_website` job: the target, who asked, and the asker's `[crawl]`
/// settings (a worker without them uses the built-in ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatherJob {
    pub target_id: TargetId,
    #[serde(default)]
    pub operator: Option<String>,
    #[serde(default)]
    pub crawl: Option<CrawlSettings>,
}

impl GatherJob {
    pub fn from_payload(payload: &Value) -> Result<GatherJob, String> {
        serde_json::from_value(payload.clone())
            .map_err(|e| format!("not a gather_website payload ({e}): {payload}"))
    }
}

/// Queues a gathering for the worker unless one is already waiting; returns the job and
/// whether it is new.
pub async fn enqueue_gather(
    store: &Store,
    settings: &CrawlSettings,
    target: TargetId,
    operator: &str,
) -> Result<(JobId, bool), GatherError> {
    let t = store.target(target).await?;
    if t.deleted_at.is_some() {
        return Err(GatherError::Deleted(target));
    }
    if t.website.trim().is_empty() {
        return Err(GatherError::NoWebsite(target));
    }
    let payload = json!(GatherJob {
        target_id: target,
        operator: Some(operator.to_string()),
        crawl: Some(settings.clone()),
    });
    Ok(store
        .enqueue_gather_website(operator, target, payload)
        .await?)
}

/// Runs one `gather_website` job. A failure the site may get over (down, rate limited,
/// timing out) is an error, so the job is retried with back-off; a permanent one (no
/// website, robots.txt says no, home page gone) is recorded in the snapshot and done.
pub async fn run_gather_job(
    store: &Store,
    ai: &Ai,
    defaults: &CrawlSettings,
    payload: &Value,
) -> anyhow::Result<()> {
    let job = GatherJob::from_payload(payload).map_err(anyhow::Error::msg)?;
    // The asker's settings when the job carries them, else the worker's own [crawl] config.
    let settings = job.crawl.unwrap_or_else(|| defaults.clone());
    let operator = job.operator.as_deref().unwrap_or(SYSTEM);
    match gather_website(store, ai, &settings, job.target_id, operator).await {
        Ok(s) => {
            tracing::info!(target = %job.target_id, snapshot = %s.id, pages = s.pages.0.len(),
                           "website gathered");
            Ok(())
        }
        Err(e) if e.is_transient() => Err(e.into()),
        Err(e) => {
            tracing::warn!(target = %job.target_id, error = %e,
                           "website gathering failed for good; not retrying");
            Ok(())
        }
    }
}

//! The job runner: claims background work from the jobs table (any number of runners may run),
//! does it, and retries failures with back-off until they are dead for an operator to look at.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use super::sync::wait_or_cancel;
use crate::ai::Ai;
use crate::domain::ids::MessageId;
use crate::domain::job::JobKind;
use crate::domain::outbox::retry_delay;
use crate::services;
use crate::services::facts::read_reply;
use crate::services::gather::run_gather_job;
use crate::store::{Job, Store, StoreError};

#[derive(Clone)]
pub struct JobRunner {
    pub store: Store,
    pub ai: Ai,
    /// Who holds a claim (host and process), for the jobs list.
    pub name: String,
    pub tick: Duration,
    /// For `gather_website` jobs that carry no settings of their own.
    pub crawl: crate::crawl::CrawlSettings,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JobReport {
    pub done: usize,
    pub failed: usize,
    pub dead: usize,
}

impl JobRunner {
    pub async fn run(self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            match self.pass().await {
                Ok(r) if r.done + r.failed > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "job runner: database unavailable"),
            }
            wait_or_cancel(&shutdown, self.tick).await;
        }
    }

    /// Claims what is due and runs it; one pass.
    pub async fn pass(&self) -> Result<JobReport, StoreError> {
        // AI calls can be slow: a generous lease before another runner may take the job over.
        let jobs = services::jobs::claim(&self.store, &self.name, 5, chrono::Duration::minutes(10))
            .await?;
        let mut report = JobReport::default();
        for job in jobs {
            match self.execute(&job).await {
                Ok(()) => {
                    services::jobs::complete(&self.store, job.id).await?;
                    report.done += 1;
                }
                Err(e) => {
                    let at = Utc::now() + retry_delay(job.attempts);
                    let dead =
                        services::jobs::fail(&self.store, job.id, &format!("{e:#}"), at).await?;
                    tracing::warn!(job = %job.id, kind = %job.kind, error = %e, dead, "job failed");
                    report.failed += 1;
                    report.dead += dead as usize;
                }
            }
        }
        Ok(report)
    }

    async fn execute(&self, job: &Job) -> anyhow::Result<()> {
        let kind = job
            .job_kind()
            .map_err(|e| anyhow::anyhow!("this version does not run {} jobs: {e}", job.kind))?;
        match kind {
            JobKind::ExtractFacts => {
                let id = job.payload["message_id"]
                    .as_i64()
                    .map(MessageId)
                    .ok_or_else(|| anyhow::anyhow!("payload has no message_id"))?;
                read_reply(&self.store, &self.ai, id).await?;
                Ok(())
            }
            // Payload {"target_id": N}, optionally with who asked and their [crawl] settings.
            JobKind::GatherWebsite => {
                run_gather_job(&self.store, &self.ai, &self.crawl, &job.payload).await
            }
        }
    }
}

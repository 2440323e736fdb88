//! Long-running work: mail sync per mailbox and the outbox sender (the scheduler and job runner
//! join them later). Runs headless (`secret-shop worker`) or inside the TUI process. Writes to
//! the database and announces ids; never draws.

pub mod account;
pub mod backoff;
pub mod clock;
pub mod inbound;
pub mod jobs;
pub mod lease;
pub mod outbox;
pub mod scheduler;
pub mod sync;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::domain::address::AddressMode;
use crate::domain::planner::Sequence;
use crate::domain::send_window::SendWindow;
use crate::services::mail_sync;
use crate::store::{Store, StoreError};
use account::MailAccount;
use jobs::{JobReport, JobRunner};
use outbox::{SendReport, Sender};
use scheduler::{ScheduleReport, Scheduler};
use sync::{SyncError, SyncReport, Syncer};

#[derive(Clone)]
pub struct Engine {
    /// The configured mailbox.
    pub syncer: Syncer,
    /// `dedicated` mode: one more per persona with an account of its own.
    pub persona_syncers: Vec<Syncer>,
    pub sender: Sender,
    pub jobs: JobRunner,
    pub scheduler: Scheduler,
}

#[derive(Debug, Default)]
pub struct OnceReport {
    /// `None` when another process holds the mailbox.
    pub sync: Option<SyncReport>,
    pub send: SendReport,
    pub jobs: JobReport,
    pub schedule: ScheduleReport,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("mail.imap.user is empty: the engine needs a mailbox to sync (SECRET_SHOP_IMAP_USER)")]
    NoMailbox,
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("mail sync: {0}")]
    Sync(#[from] SyncError),
    #[error("scheduler: {0:#}")]
    Schedule(anyhow::Error),
}

/// The configured send window, as the domain sees it.
pub fn send_window(c: &Config) -> SendWindow {
    if c.send_window.always {
        SendWindow::always()
    } else {
        SendWindow {
            always: false,
            days: c.send_window.days.clone(),
            start: c.send_window.start,
            end: c.send_window.end,
        }
    }
}

impl Engine {
    pub async fn new(config: &Config, store: Store) -> Result<Engine, EngineError> {
        let account = Arc::new(MailAccount::from_config(config));
        if account.address.is_empty() {
            return Err(EngineError::NoMailbox);
        }
        let mailbox = mail_sync::mailbox(&store, &account.address, config.mail.mode).await?;
        let syncer = Syncer {
            store: store.clone(),
            account: account.clone(),
            mailbox,
            poll_interval: Duration::from_secs(config.mail.poll_interval_secs),
            idle_renew: Duration::from_secs(config.mail.idle_renew_secs),
            lease_ttl: lease::LEASE_TTL,
        };
        let dedicated = config.mail.mode == AddressMode::Dedicated;
        let mut persona_syncers = Vec::new();
        if dedicated {
            for p in mail_sync::personas(&store).await? {
                let own = Arc::new(account.as_user(&p.email));
                if own.address == account.address {
                    continue;
                }
                let mailbox =
                    mail_sync::mailbox(&store, &own.address, AddressMode::Dedicated).await?;
                persona_syncers.push(Syncer {
                    account: own,
                    mailbox,
                    ..syncer.clone()
                });
            }
        }
        let jobs = JobRunner {
            store: store.clone(),
            ai: crate::ai::Ai::from_config(&config.ai),
            name: lease::holder_name(),
            tick: Duration::from_secs(1),
            crawl: crate::crawl::CrawlSettings::from_config(config),
        };
        let scheduler = Scheduler {
            store: store.clone(),
            ai: jobs.ai.clone(),
            sequence: Sequence {
                nudge_after_hours: config.follow_up.nudge_after_hours,
                follow_up_after_reply_hours: config.follow_up.follow_up_after_reply_hours,
                max_follow_ups: config.follow_up.max_follow_ups,
                shop_timeout_days: config.follow_up.shop_timeout_days,
            },
            window: send_window(config),
            default_tz: config.send_window.time_zone,
            tick: Duration::from_secs(config.follow_up.plan_every_secs.max(1)),
            clock: clock::Clock::system(),
        };
        Ok(Engine {
            syncer,
            persona_syncers,
            jobs,
            scheduler,
            sender: Sender {
                store,
                account,
                per_persona_accounts: dedicated,
                window: send_window(config),
                default_tz: config.send_window.time_zone,
                jitter_minutes: config.send_window.jitter_minutes,
                daily_cap: config.send_window.daily_cap_per_mailbox,
                tick: Duration::from_secs(1),
                owner: uuid::Uuid::new_v4(),
            },
        })
    }

    /// Runs every part until `shutdown` is cancelled, then waits for them to finish.
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut tasks = vec![
            tokio::spawn(self.syncer.clone().run(shutdown.clone())),
            tokio::spawn(self.sender.clone().run(shutdown.clone())),
            tokio::spawn(self.jobs.clone().run(shutdown.clone())),
            tokio::spawn(self.scheduler.clone().run(shutdown.clone())),
        ];
        for s in &self.persona_syncers {
            tasks.push(tokio::spawn(s.clone().run(shutdown.clone())));
        }
        for t in tasks {
            let _ = t.await;
        }
    }

    /// One pass of each part, for cron and tests: send what is due, then sync.
    pub async fn run_once(&self) -> Result<OnceReport, EngineError> {
        let mut imap = None;
        let send = self.sender.pass(&mut imap).await?;
        if let Some((_, mut s)) = imap {
            let _ = s.logout().await;
        }
        let mut sync = self.syncer.run_once().await?;
        for s in &self.persona_syncers {
            if let Some(r) = s.run_once().await? {
                let total = sync.get_or_insert_with(SyncReport::default);
                total.fetched += r.fetched;
                total.stored += r.stored;
                total.duplicates += r.duplicates;
                total.resynced |= r.resynced;
            }
        }
        let jobs = self.jobs.pass().await?;
        let schedule = self.scheduler.pass().await.map_err(EngineError::Schedule)?;
        Ok(OnceReport {
            sync,
            send,
            jobs,
            schedule,
        })
    }
}

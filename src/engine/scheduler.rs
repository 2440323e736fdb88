//! The scheduler: for every shop waiting on the agent or on us, asks the follow-up planner what
//! comes next, drafts nudges and follow-ups into the review queue, and finishes and grades shops
//! whose checklist is full or whose sequence is over. One scheduler runs across all processes
//! (a lease, renewed while a pass runs: a stopped holder is replaced within seconds), and a shop
//! with a draft in flight is never planned again.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::lease::{HeldLease, LEASE_TTL};
use super::sync::wait_or_cancel;
use crate::ai::Ai;
use crate::domain::ids::ShopId;
use crate::domain::message::MessageKind;
use crate::domain::planner::{FinishReason, Plan, PlanInput, Sequence, plan};
use crate::domain::send_window::SendWindow;
use crate::domain::shop::ShopStatus;
use crate::services::grading::grade_shop;
use crate::services::{identity, planning, shops};
use crate::store::Store;

#[derive(Clone)]
pub struct Scheduler {
    pub store: Store,
    pub ai: Ai,
    pub sequence: Sequence,
    pub window: SendWindow,
    pub default_tz: chrono_tz::Tz,
    pub tick: Duration,
    pub clock: super::clock::Clock,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleReport {
    pub drafted: usize,
    pub finished: usize,
}

impl Scheduler {
    pub async fn run(self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            if let Err(e) = self.pass().await {
                tracing::warn!(error = %e, "scheduler pass failed");
            }
            wait_or_cancel(&shutdown, self.tick).await;
        }
    }

    /// One look at every active shop, if no other process is scheduling.
    pub async fn pass(&self) -> anyhow::Result<ScheduleReport> {
        let Some(lease) = HeldLease::acquire(&self.store, "scheduler", LEASE_TTL).await? else {
            return Ok(ScheduleReport::default());
        };
        let mut report = ScheduleReport::default();
        let result = async {
            let shops = planning::active_shops(&self.store).await?;
            for &shop in &shops {
                if lease.is_lost() {
                    break; // another process schedules now
                }
                self.step(shop, &mut report).await?;
            }
            // One line a pass (every `follow_up.plan_every_secs`): what the planner did, so an
            // operator can see it ran and decided nothing.
            tracing::info!(
                shops = shops.len(),
                drafted = report.drafted,
                finished = report.finished,
                "scheduler pass"
            );
            Ok::<_, anyhow::Error>(())
        }
        .await;
        lease.release().await;
        result.map(|()| report)
    }

    async fn step(&self, id: ShopId, report: &mut ScheduleReport) -> anyhow::Result<()> {
        let mut st = planning::state(&self.store, id).await?;
        if let Some(nudge) = st.stale_nudge {
            // "Just checking in" after they answered would read oddly: drop it, plan afresh.
            let system = identity::system(&self.store).await?;
            match planning::drop_stale_nudge(&self.store, &system, nudge).await {
                Ok(()) => st = planning::state(&self.store, id).await?,
                // An operator holds it: their call.
                Err(crate::store::StoreError::Held { .. }) => return Ok(()),
                Err(e) => return Err(e.into()),
            }
        }
        let now = self.clock.now();
        let input = PlanInput {
            now,
            started_at: st.shop.started_at.unwrap_or(st.shop.created_at),
            required: &st.shop.required_fields,
            known: &st.known,
            last_sent_at: st.last_sent_at,
            last_reply_at: st.last_reply_at,
            follow_ups_sent: st.follow_ups_sent,
            declined: st.declined,
            draft_pending: st.draft_pending,
            rejected_at: st.rejected_at,
        };
        match plan(&input, &self.sequence) {
            Plan::Wait { .. } | Plan::Held => Ok(()),
            Plan::Finish { reason } => {
                let (to, why) = match reason {
                    FinishReason::TimedOut if st.shop.status == ShopStatus::AwaitingReply => {
                        (ShopStatus::TimedOut, "no reply before the shop timed out")
                    }
                    FinishReason::TimedOut => (ShopStatus::Completed, "timed out after replies"),
                    FinishReason::ChecklistComplete => {
                        (ShopStatus::Completed, "checklist complete")
                    }
                    FinishReason::Declined => (ShopStatus::Completed, "the property declined"),
                    FinishReason::SequenceExhausted => {
                        (ShopStatus::Completed, "follow-up sequence exhausted")
                    }
                };
                if planning::finish(&self.store, id, to, why).await? {
                    report.finished += 1;
                    grade_shop(
                        &self.store,
                        &self.ai,
                        id,
                        &self.window,
                        self.default_tz,
                        "system",
                    )
                    .await?;
                }
                Ok(())
            }
            Plan::Nudge => self.draft(id, MessageKind::Nudge, &[], report).await,
            Plan::FollowUp { ask } => self.draft(id, MessageKind::FollowUp, &ask, report).await,
        }
    }

    async fn draft(
        &self,
        id: ShopId,
        kind: MessageKind,
        ask: &[String],
        report: &mut ScheduleReport,
    ) -> anyhow::Result<()> {
        let system = identity::system(&self.store).await?;
        let drafted =
            shops::draft_into_queue(&self.store, &self.ai, &system, id, kind, ask).await?;
        if drafted.is_none() {
            // Every text at hand was rejected: an operator writes this one (`draft new`).
            tracing::info!(shop = %id, "not drafting again: every text at hand was rejected");
            return Ok(());
        }
        report.drafted += 1;
        Ok(())
    }
}

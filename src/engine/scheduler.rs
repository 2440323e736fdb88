//! The scheduler: for every shop waiting on the agent or on us, asks the follow-up planner what
//! comes next, drafts nudges and follow-ups into the review queue, and finishes and grades shops
//! whose checklist is full or whose sequence is over. One scheduler runs across all processes
//! (an advisory lock), and a shop with a draft in flight is never planned again.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use super::sync::wait_or_cancel;
use crate::ai::Ai;
use crate::ai::drafting::{DraftRequest, ThreadText, agent_first_name, noted_from};
use crate::domain::community::Extraction;
use crate::domain::ids::ShopId;
use crate::domain::message::MessageKind;
use crate::domain::planner::{FinishReason, Plan, PlanInput, Sequence, plan};
use crate::domain::send_window::SendWindow;
use crate::domain::shop::ShopStatus;
use crate::services::grading::grade_shop;
use crate::store::{NewDraft, Store};

#[derive(Clone)]
pub struct Scheduler {
    pub store: Store,
    pub ai: Ai,
    pub sequence: Sequence,
    pub window: SendWindow,
    pub default_tz: chrono_tz::Tz,
    pub tick: Duration,
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
        let Some(lock) = self.store.try_lock_scheduler().await? else {
            return Ok(ScheduleReport::default());
        };
        let mut report = ScheduleReport::default();
        let result = async {
            for shop in self.store.shops_to_plan().await? {
                self.step(shop, &mut report).await?;
            }
            Ok::<_, anyhow::Error>(())
        }
        .await;
        lock.release().await;
        result.map(|()| report)
    }

    async fn step(&self, id: ShopId, report: &mut ScheduleReport) -> anyhow::Result<()> {
        let st = self.store.plan_state(id).await?;
        let now = Utc::now();
        let input = PlanInput {
            now,
            started_at: st.shop.started_at.unwrap_or(st.shop.created_at),
            required: &st.shop.required_fields,
            known: &st.known,
            last_sent_at: st.last_sent_at,
            last_reply_at: st.last_reply_at,
            follow_ups_sent: st.follow_ups_sent,
            declined: false,
            draft_pending: st.draft_pending,
        };
        match plan(&input, &self.sequence) {
            Plan::Wait { .. } => Ok(()),
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
                if self.store.finish_shop(id, to, why).await? {
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
        let shop = self.store.shop(id).await?;
        let persona = self.store.persona(shop.persona_id).await?;
        let target = self.store.target(shop.target_id).await?;
        let thread = self.store.shop_messages(id).await?;
        let last_in = thread
            .iter()
            .rev()
            .find(|m| m.direction == "inbound" && !m.is_auto_reply);
        let last_any = thread.iter().rev().find(|m| m.message_id.is_some());
        let texts: Vec<ThreadText> = thread
            .iter()
            .filter(|m| m.direction == "inbound" || m.status.is_some_and(|s| s.as_str() == "sent"))
            .map(|m| ThreadText {
                from: m.from_addr.clone(),
                text: m.body_text.chars().take(4000).collect(),
            })
            .collect();
        let extraction: Option<Extraction> = match last_in {
            Some(m) => self
                .store
                .message_analysis(m.id)
                .await?
                .and_then(|a| serde_json::from_value(a["extraction"].clone()).ok()),
            None => None,
        };
        let noted = extraction.as_ref().and_then(noted_from);
        let agent = last_in.and_then(|m| agent_first_name(&m.body_text));
        let reply_subject = last_any.map(|m| m.subject.clone());
        let d = self
            .ai
            .draft(&DraftRequest {
                persona: &persona,
                target: &target,
                shop_id: id.0,
                kind,
                thread: &texts,
                missing: ask,
                instructions: None,
                reply_subject: reply_subject.as_deref(),
                noted: noted.as_deref(),
                agent_name: agent.as_deref(),
                attempt: shop.follow_ups_sent as u32,
            })
            .await;
        let references: Vec<String> = thread.iter().filter_map(|m| m.message_id.clone()).collect();
        let system = self.store.actor("system").await?;
        self.store
            .insert_draft(
                &system,
                &NewDraft {
                    shop_id: id,
                    kind,
                    subject: d.subject,
                    body_text: d.body,
                    in_reply_to: last_any.and_then(|m| m.message_id.clone()),
                    reference_ids: references,
                    generation: Some(serde_json::to_value(&d.generation)?),
                },
            )
            .await?;
        report.drafted += 1;
        Ok(())
    }
}

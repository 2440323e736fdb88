//! Follow-up planning: given the checklist, what is known, the thread's timing and the sequence
//! settings, decide the shop's next step. Pure and table-tested.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// The follow-up sequence, frozen into a shop when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Sequence {
    pub nudge_after_hours: u32,
    pub follow_up_after_reply_hours: u32,
    pub max_follow_ups: u32,
    pub shop_timeout_days: u32,
}

/// Most missing items one follow-up asks for: more reads like an interrogation.
pub const MAX_ASKS_PER_FOLLOW_UP: usize = 3;

/// What the planner looks at.
#[derive(Debug, Clone)]
pub struct PlanInput<'a> {
    pub now: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    /// The checklist, as community field names.
    pub required: &'a [String],
    /// Fields the fact sheet has a value for.
    pub known: &'a [String],
    pub last_sent_at: Option<DateTime<Utc>>,
    /// The latest reply written by a person or an AI assistant (auto-replies do not count).
    pub last_reply_at: Option<DateTime<Utc>>,
    /// Follow-ups and nudges sent so far.
    pub follow_ups_sent: u32,
    /// The property declined or said it has nothing available.
    pub declined: bool,
    /// A draft is waiting for an operator: nothing else is planned until it is handled.
    pub draft_pending: bool,
    /// When an operator last rejected a follow-up or nudge the planner drafted.
    pub rejected_at: Option<DateTime<Utc>>,
}

impl PlanInput<'_> {
    /// An operator rejected the planner's last draft and nothing changed since (no reply, nothing
    /// sent): drafting it again on our own would undo their decision.
    pub fn held_by_rejection(&self) -> bool {
        self.rejected_at.is_some_and(|r| {
            self.last_reply_at.is_none_or(|x| r > x) && self.last_sent_at.is_none_or(|x| r > x)
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Plan {
    /// Nothing to do now; look again at `until` (if known).
    Wait {
        until: Option<DateTime<Utc>>,
    },
    /// No reply after the delay: a short "did you get my email?".
    Nudge,
    /// Ask for (at most three of) the missing items.
    FollowUp {
        ask: Vec<String>,
    },
    Finish {
        reason: FinishReason,
    },
    /// A follow-up or nudge is due, but an operator rejected the last one and nothing changed
    /// since: only a new reply or an operator's request drafts again.
    Held,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    ChecklistComplete,
    Declined,
    SequenceExhausted,
    TimedOut,
}

pub fn missing<'a>(required: &'a [String], known: &[String]) -> Vec<&'a String> {
    required.iter().filter(|f| !known.contains(f)).collect()
}

pub fn plan(input: &PlanInput<'_>, seq: &Sequence) -> Plan {
    match due(input, seq) {
        Plan::Nudge | Plan::FollowUp { .. } if input.held_by_rejection() => Plan::Held,
        p => p,
    }
}

/// The next step, rejections aside.
fn due(input: &PlanInput<'_>, seq: &Sequence) -> Plan {
    let hours = |h: u32| Duration::hours(h as i64);
    if input.draft_pending {
        return Plan::Wait { until: None };
    }
    if input.declined {
        return Plan::Finish {
            reason: FinishReason::Declined,
        };
    }
    let missing = missing(input.required, input.known);
    let deadline = input.started_at + Duration::days(seq.shop_timeout_days as i64);
    if missing.is_empty() && input.last_reply_at.is_some() {
        // An empty checklist asks for nothing: the shop runs until it times out.
        if input.required.is_empty() && input.now < deadline {
            return Plan::Wait {
                until: Some(deadline),
            };
        }
        return Plan::Finish {
            reason: FinishReason::ChecklistComplete,
        };
    }
    if input.now >= deadline {
        return Plan::Finish {
            reason: FinishReason::TimedOut,
        };
    }
    let Some(sent) = input.last_sent_at else {
        return Plan::Wait { until: None }; // the inquiry has not gone yet
    };
    let replied_since_sent = input.last_reply_at.is_some_and(|r| r >= sent);
    let budget_left = input.follow_ups_sent < seq.max_follow_ups;
    if replied_since_sent {
        let reply = input.last_reply_at.expect("checked");
        if !budget_left {
            return Plan::Finish {
                reason: FinishReason::SequenceExhausted,
            };
        }
        let due = reply + hours(seq.follow_up_after_reply_hours);
        if input.now < due {
            return Plan::Wait {
                until: Some(due.min(deadline)),
            };
        }
        return Plan::FollowUp {
            ask: missing
                .into_iter()
                .take(MAX_ASKS_PER_FOLLOW_UP)
                .cloned()
                .collect(),
        };
    }
    let due = sent + hours(seq.nudge_after_hours);
    if input.now < due {
        return Plan::Wait {
            until: Some(due.min(deadline)),
        };
    }
    if budget_left {
        Plan::Nudge
    } else {
        Plan::Finish {
            reason: FinishReason::SequenceExhausted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::hours(h)
    }

    const SEQ: Sequence = Sequence {
        nudge_after_hours: 48,
        follow_up_after_reply_hours: 4,
        max_follow_ups: 2,
        shop_timeout_days: 14,
    };

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn an_empty_checklist_waits_for_the_time_out() {
        let none: Vec<String> = Vec::new();
        let input = PlanInput {
            now: t(30),
            started_at: t(0),
            required: &none,
            known: &none,
            last_sent_at: Some(t(1)),
            last_reply_at: Some(t(20)),
            follow_ups_sent: 0,
            declined: false,
            draft_pending: false,
            rejected_at: None,
        };
        assert_eq!(
            plan(&input, &SEQ),
            Plan::Wait {
                until: Some(t(14 * 24))
            }
        );
    }

    #[test]
    fn a_rejected_follow_up_is_not_drafted_again_until_something_changes() {
        let req = s(&["application_fee", "pet_policy"]);
        let none: Vec<String> = Vec::new();
        let mut input = PlanInput {
            now: t(30),
            started_at: t(0),
            required: &req,
            known: &none,
            last_sent_at: Some(t(1)),
            last_reply_at: Some(t(20)),
            follow_ups_sent: 0,
            declined: false,
            draft_pending: false,
            rejected_at: None,
        };
        assert!(matches!(plan(&input, &SEQ), Plan::FollowUp { .. }));
        // The operator rejected the follow-up at hour 25: however long we wait, no new one.
        input.rejected_at = Some(t(25));
        assert_eq!(plan(&input, &SEQ), Plan::Held);
        input.now = t(100);
        assert_eq!(plan(&input, &SEQ), Plan::Held);
        // The shop still times out.
        input.now = t(15 * 24);
        assert!(matches!(plan(&input, &SEQ), Plan::Finish { .. }));
        // A new reply changes things.
        input.now = t(40);
        input.last_reply_at = Some(t(30));
        assert!(matches!(plan(&input, &SEQ), Plan::FollowUp { .. }));
        // So does a message an operator asked for and sent after the rejection (a nudge is due
        // 48 h later, as usual).
        input.last_reply_at = Some(t(20));
        input.last_sent_at = Some(t(26));
        input.now = t(26 + 49);
        assert_eq!(plan(&input, &SEQ), Plan::Nudge);
    }

    #[test]
    fn the_next_step_follows_the_thread() {
        let req = s(&["application_fee", "pet_policy", "floor_plans", "parking"]);
        let some = s(&["application_fee"]);
        let all = req.clone();
        struct Row {
            name: &'static str,
            now: i64,
            sent: Option<i64>,
            reply: Option<i64>,
            known: Vec<String>,
            follow_ups: u32,
            declined: bool,
            pending: bool,
            want: Plan,
        }
        let row = |name, now, sent, reply, known: &Vec<String>| Row {
            name,
            now,
            sent,
            reply,
            known: known.clone(),
            follow_ups: 0,
            declined: false,
            pending: false,
            want: Plan::Wait { until: None },
        };
        let table = vec![
            Row {
                want: Plan::Wait { until: None },
                ..row("not sent yet", 1, None, None, &vec![])
            },
            Row {
                want: Plan::Wait { until: Some(t(49)) },
                ..row("waiting for a reply", 10, Some(1), None, &vec![])
            },
            Row {
                want: Plan::Nudge,
                ..row("silence after 48 h", 50, Some(1), None, &vec![])
            },
            Row {
                want: Plan::Wait { until: Some(t(24)) },
                ..row("reply just in", 21, Some(1), Some(20), &some)
            },
            Row {
                want: Plan::FollowUp {
                    ask: s(&["pet_policy", "floor_plans", "parking"]),
                },
                ..row("reply with gaps", 30, Some(1), Some(20), &some)
            },
            Row {
                want: Plan::Finish {
                    reason: FinishReason::ChecklistComplete,
                },
                ..row("all answered", 30, Some(1), Some(20), &all)
            },
            Row {
                want: Plan::Finish {
                    reason: FinishReason::Declined,
                },
                declined: true,
                ..row("declined", 30, Some(1), Some(20), &some)
            },
            Row {
                want: Plan::Wait { until: None },
                pending: true,
                ..row("operator's turn", 90, Some(1), None, &vec![])
            },
            Row {
                want: Plan::Finish {
                    reason: FinishReason::SequenceExhausted,
                },
                follow_ups: 2,
                ..row("out of follow-ups, silence", 200, Some(100), None, &some)
            },
            Row {
                want: Plan::Finish {
                    reason: FinishReason::SequenceExhausted,
                },
                follow_ups: 2,
                ..row(
                    "out of follow-ups, partial answer",
                    200,
                    Some(100),
                    Some(150),
                    &some,
                )
            },
            Row {
                want: Plan::Finish {
                    reason: FinishReason::TimedOut,
                },
                ..row("two weeks gone", 14 * 24, Some(1), None, &vec![])
            },
        ];
        for r in table {
            let input = PlanInput {
                now: t(r.now),
                started_at: t(0),
                required: &req,
                known: &r.known,
                last_sent_at: r.sent.map(t),
                last_reply_at: r.reply.map(t),
                follow_ups_sent: r.follow_ups,
                declined: r.declined,
                draft_pending: r.pending,
                rejected_at: None,
            };
            assert_eq!(plan(&input, &SEQ), r.want, "{}", r.name);
        }
    }
}

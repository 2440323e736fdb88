//! The shop state machine: which status may follow which. Stores and services move a shop only
//! through `ShopStatus::transition`, so an illegal move is an error instead of a silent overwrite.

use crate::text_enum;

text_enum! {
    /// Where a shop is in its loop (DESIGN.md §1).
    pub enum ShopStatus {
        /// Created; the inquiry is not drafted yet.
        New => "new",
        /// A draft (inquiry or follow-up) waits for an operator.
        AwaitingReview => "awaiting_review",
        /// Approved; in the outbox until the send window opens.
        AwaitingSend => "awaiting_send",
        /// Sent; waiting for the agent.
        AwaitingReply => "awaiting_reply",
        /// The agent answered; facts to extract and a next step to plan.
        Replied => "replied",
        Completed => "completed",
        /// The property's address bounced.
        Blocked => "blocked",
        Cancelled => "cancelled",
        TimedOut => "timed_out",
        Failed => "failed",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a shop cannot go from {from} to {to}")]
pub struct IllegalTransition {
    pub from: ShopStatus,
    pub to: ShopStatus,
}

impl ShopStatus {
    /// True once nothing more happens in the loop (a late reply may still reopen a timed-out shop).
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Blocked | Self::Cancelled | Self::TimedOut | Self::Failed
        )
    }

    pub fn can_become(self, to: ShopStatus) -> bool {
        use ShopStatus::*;
        match (self, to) {
            (New, AwaitingReview | Cancelled | Failed) => true,
            // Approved, or rejected back to where the shop was before the draft.
            (AwaitingReview, AwaitingSend | New | AwaitingReply | Replied | Cancelled) => true,
            (AwaitingSend, AwaitingReply | Failed | Cancelled) => true,
            (
                AwaitingReply,
                Replied | AwaitingReview | TimedOut | Blocked | Completed | Cancelled,
            ) => true,
            (Replied, AwaitingReview | AwaitingReply | Completed | Blocked | Cancelled) => true,
            (TimedOut, Replied) => true,
            _ => false,
        }
    }

    pub fn transition(self, to: ShopStatus) -> Result<ShopStatus, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }
}

/// A shop as stored: one persona shopping one target.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct Shop {
    pub id: super::ids::ShopId,
    pub target_id: super::ids::TargetId,
    pub persona_id: super::ids::PersonaId,
    pub status: ShopStatus,
    pub status_reason: Option<String>,
    pub required_fields: Vec<String>,
    pub follow_ups_sent: i32,
    pub next_action_at: Option<chrono::DateTime<chrono::Utc>>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

#[cfg(test)]
mod tests {
    use super::ShopStatus::*;
    use super::*;

    #[test]
    fn transitions_follow_the_loop() {
        let table = [
            (New, AwaitingReview, true),
            (New, AwaitingReply, false),
            (New, Completed, false),
            (AwaitingReview, AwaitingSend, true),
            (AwaitingReview, New, true),
            (AwaitingReview, AwaitingReply, true),
            (AwaitingSend, AwaitingReply, true),
            (AwaitingSend, Replied, false),
            (AwaitingReply, Replied, true),
            (AwaitingReply, Blocked, true),
            (AwaitingReply, TimedOut, true),
            (Replied, AwaitingReview, true),
            (Replied, Completed, true),
            (Replied, New, false),
            (Completed, AwaitingReview, false),
            (Completed, Replied, false),
            (Cancelled, New, false),
            (TimedOut, Replied, true),
            (Failed, AwaitingSend, false),
        ];
        for (from, to, ok) in table {
            assert_eq!(from.can_become(to), ok, "{from} -> {to}");
        }
    }

    #[test]
    fn finished_states_only_leave_for_a_late_reply() {
        for from in ShopStatus::ALL.iter().copied().filter(|s| s.is_finished()) {
            for to in ShopStatus::ALL.iter().copied() {
                let allowed = from == TimedOut && to == Replied;
                assert_eq!(from.can_become(to), allowed, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn illegal_transition_names_both_states() {
        let err = Completed.transition(New).unwrap_err();
        assert_eq!(err.to_string(), "a shop cannot go from completed to new");
    }

    #[test]
    fn spellings_round_trip() {
        for s in ShopStatus::ALL {
            assert_eq!(s.as_str().parse::<ShopStatus>().unwrap(), *s);
        }
    }
}

//! Messages both ways: direction, kind, and the draft status machine of outbound mail.

use crate::text_enum;

text_enum! {
    pub enum Direction {
        Outbound => "outbound",
        Inbound => "inbound",
    }
}

text_enum! {
    /// How a version of a draft came to be.
    pub enum VersionHow {
        /// Drafted by the AI model.
        Ai => "ai",
        /// Drafted or revised by the offline templates and rules.
        Offline => "offline",
        /// An operator's own words (inline or `$EDITOR`).
        Edit => "edit",
        /// An earlier version brought back.
        Restore => "restore",
        /// Taken back after approval, back in the queue.
        Recall => "recall",
    }
}

text_enum! {
    pub enum MessageKind {
        Inquiry => "inquiry",
        FollowUp => "follow_up",
        /// A short "did you get my email?" after silence.
        Nudge => "nudge",
        Response => "response",
        /// Inbound mail no shop could be matched to, waiting for an operator.
        Unmatched => "unmatched",
    }
}

text_enum! {
    /// Who wrote a reply, as far as the classifier can tell.
    pub enum ResponderKind {
        Auto => "auto",
        Ai => "ai",
        Human => "human",
    }
}

text_enum! {
    /// An outbound message's life: nothing leaves without `Approved` first.
    pub enum DraftStatus {
        PendingReview => "pending_review",
        Approved => "approved",
        Queued => "queued",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
        Rejected => "rejected",
    }
}

impl DraftStatus {
    /// Whether some event moves a message from `self` to `to`.
    pub fn can_become(self, to: DraftStatus) -> bool {
        DraftEvent::ALL
            .iter()
            .any(|e| e.to() == to && e.from().contains(&self))
    }

    /// May an operator still change the words?
    pub fn is_editable(self) -> bool {
        matches!(self, DraftStatus::PendingReview)
    }
}

/// What happens to an outbound message, and the statuses it happens from: the draft state
/// machine. The store's updates take their guard (`status = ANY(from)`) and their new status
/// from here, so a move this table does not have cannot happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftEvent {
    /// An operator approves the draft: the outbox may send it.
    Approve,
    /// An operator rejects the draft: it is never sent.
    Reject,
    /// An operator takes an approved message back before the outbox has it.
    Recall,
    /// The shop is cancelled: whatever was not sent yet never is.
    CancelShop,
    /// A sender takes it to send (a lapsed sender's too).
    ClaimToSend,
    /// A temporary SMTP error, or outside the send window: back in the queue.
    Defer,
    /// A permanent SMTP error, or out of attempts.
    Fail,
    /// An operator sends a failed message again.
    Retry,
    /// The server accepted it, or its copy in the mailbox proves it was (also after a sender
    /// gave up on it).
    ConfirmSent,
}

impl DraftEvent {
    pub const ALL: [DraftEvent; 9] = [
        DraftEvent::Approve,
        DraftEvent::Reject,
        DraftEvent::Recall,
        DraftEvent::CancelShop,
        DraftEvent::ClaimToSend,
        DraftEvent::Defer,
        DraftEvent::Fail,
        DraftEvent::Retry,
        DraftEvent::ConfirmSent,
    ];

    /// The statuses the event applies in.
    pub fn from(self) -> &'static [DraftStatus] {
        use DraftStatus::*;
        match self {
            DraftEvent::Approve | DraftEvent::Reject => &[PendingReview],
            DraftEvent::Recall => &[Approved, Queued],
            DraftEvent::CancelShop => &[PendingReview, Approved, Queued],
            DraftEvent::ClaimToSend => &[Approved, Queued, Sending],
            DraftEvent::Defer | DraftEvent::Fail => &[Sending],
            DraftEvent::Retry => &[Failed],
            DraftEvent::ConfirmSent => &[Approved, Queued, Sending, Failed],
        }
    }

    /// The status it leaves the message in.
    pub fn to(self) -> DraftStatus {
        use DraftStatus::*;
        match self {
            DraftEvent::Approve => Approved,
            DraftEvent::Reject | DraftEvent::CancelShop => Rejected,
            DraftEvent::Recall => PendingReview,
            DraftEvent::ClaimToSend => Sending,
            DraftEvent::Defer | DraftEvent::Retry => Queued,
            DraftEvent::Fail => Failed,
            DraftEvent::ConfirmSent => Sent,
        }
    }

    /// [`from`](Self::from) as the stored text, to bind as `status = ANY($n)`.
    pub fn from_texts(self) -> Vec<&'static str> {
        self.from().iter().map(|s| s.as_str()).collect()
    }
}

/// A draft an operator rejected, and why: later drafts of the shop heed the reason and never
/// repeat the text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct RejectedDraft {
    pub body: String,
    pub reason: String,
}

/// Same words in the same order: spacing and line breaks aside, an operator rejects words.
fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// The text repeats a rejected draft.
pub fn repeats_rejected(body: &str, rejected: &[RejectedDraft]) -> bool {
    rejected.iter().any(|r| same_text(body, &r.body))
}

#[cfg(test)]
mod tests {
    use super::DraftStatus::*;

    #[test]
    fn nothing_is_sent_without_approval() {
        let table = [
            (PendingReview, Sending, false),
            (PendingReview, Sent, false),
            (PendingReview, Queued, false),
            (PendingReview, Approved, true),
            (Approved, Sending, true),
            (Sending, Sent, true),
            (Sending, Queued, true),
            (Sent, Sending, false),
            (Sent, PendingReview, false),
            (Rejected, Approved, false),
            (Failed, Queued, true),
            (Failed, Sent, true),
            (Queued, Rejected, true),
        ];
        for (from, to, ok) in table {
            assert_eq!(from.can_become(to), ok, "{from} -> {to}");
        }
    }

    #[test]
    fn only_approval_leads_out_of_the_review_queue_toward_the_server() {
        use super::DraftEvent;
        for e in DraftEvent::ALL {
            if matches!(e.to(), Queued | Sending | Sent | Failed) {
                assert!(!e.from().contains(&PendingReview), "{e:?}");
            }
        }
        // Sent and rejected are the end: nothing moves a message out of them.
        for e in DraftEvent::ALL {
            assert!(
                !e.from().contains(&Sent) && !e.from().contains(&Rejected),
                "{e:?}"
            );
        }
    }

    #[test]
    fn only_pending_drafts_are_editable() {
        assert!(PendingReview.is_editable());
        assert!(!Approved.is_editable());
        assert!(!Sent.is_editable());
    }
}

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
    pub fn can_become(self, to: DraftStatus) -> bool {
        use DraftStatus::*;
        matches!(
            (self, to),
            (PendingReview, Approved | Rejected)
                | (Approved, Queued | Sending | PendingReview)
                | (Queued, Sending | PendingReview)
                // A temporary SMTP error goes back to the queue; a permanent one fails.
                | (Sending, Sent | Failed | Queued)
                | (Failed, Queued | Rejected)
        )
    }

    /// May an operator still change the words?
    pub fn is_editable(self) -> bool {
        matches!(self, DraftStatus::PendingReview)
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
        ];
        for (from, to, ok) in table {
            assert_eq!(from.can_become(to), ok, "{from} -> {to}");
        }
    }

    #[test]
    fn only_pending_drafts_are_editable() {
        assert!(PendingReview.is_editable());
        assert!(!Approved.is_editable());
        assert!(!Sent.is_editable());
    }
}

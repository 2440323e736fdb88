//! Outbound mail rules: retry back-off, and a plain answer to "why has this not gone yet?".

use chrono::{DateTime, Duration, Utc};

use super::message::DraftStatus;
use crate::text_enum;

/// After this many refusals by the SMTP server (temporary errors it answered with) a message is
/// marked failed for an operator to look at. Crashes, lost claims and unreachable servers are not
/// attempts, and a message whose fate is unknown is never given up on.
pub const MAX_SEND_ATTEMPTS: i32 = 8;

/// A message whose SMTP attempt broke off may still arrive in the mailbox (the copy the sender
/// receives, or Sent): a check that finds nothing this soon after the attempt looks again later
/// rather than sending a second time.
pub const UNKNOWN_FATE_GRACE: Duration = Duration::seconds(60);

/// What a real check of the mailbox says about a message whose SMTP outcome was unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckVerdict {
    /// A copy is there: it went. `in_sent`: the copy in Sent exists.
    Sent { in_sent: bool },
    /// Nothing yet, but it is early: look again at this time.
    LookAgain(DateTime<Utc>),
    /// Nothing, long enough after the attempt: it did not go and may be sent.
    NotSent,
}

/// Decides from a check that ran (`found`: `None` = no copy, `Some(in_sent)` = a copy).
pub fn after_check(
    found: Option<bool>,
    smtp_started_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> CheckVerdict {
    match found {
        Some(in_sent) => CheckVerdict::Sent { in_sent },
        None if now < smtp_started_at + UNKNOWN_FATE_GRACE => {
            CheckVerdict::LookAgain(smtp_started_at + UNKNOWN_FATE_GRACE)
        }
        None => CheckVerdict::NotSent,
    }
}

text_enum! {
    /// Why a queued message waits (stored in `messages.wait_reason`).
    pub enum WaitReason {
        Window => "window",
        DailyCap => "cap",
        Retry => "retry",
        /// The SMTP attempt broke off: waiting for a real check of the mailbox.
        Checking => "checking",
        /// The SMTP or IMAP server cannot be reached right now.
        Connection => "connection",
        /// Just approved: the operator can still recall it (`review.undo_seconds`).
        Undo => "undo",
    }
}

/// Exponential back-off: 1 min, 2, 4, ... capped at one hour (jitter is the caller's).
pub fn retry_delay(attempt: i32) -> Duration {
    let exp = attempt.clamp(1, 7) - 1;
    Duration::minutes((1i64 << exp).min(60))
}

/// What the review queue and the shop list say about an outbound message.
pub fn why_not_sent(
    status: DraftStatus,
    wait: Option<WaitReason>,
    next_attempt_at: Option<DateTime<Utc>>,
    last_error: Option<&str>,
) -> String {
    let at = next_attempt_at
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "soon".into());
    match status {
        DraftStatus::PendingReview => "awaiting approval".into(),
        DraftStatus::Approved if wait == Some(WaitReason::Undo) => {
            format!("approved; can be recalled until {at}")
        }
        DraftStatus::Approved => "approved; waiting for the sender".into(),
        DraftStatus::Queued => match wait {
            Some(WaitReason::Window) => format!("outside the send window; goes at {at}"),
            Some(WaitReason::DailyCap) => format!("daily cap reached; goes at {at}"),
            Some(WaitReason::Retry) => format!(
                "retrying at {at} after: {}",
                last_error.unwrap_or("a temporary error")
            ),
            Some(WaitReason::Checking) => format!(
                "may have gone: looking in the mailbox before any retry ({})",
                last_error.unwrap_or("the last attempt broke off")
            ),
            Some(WaitReason::Connection) => format!(
                "waiting for the mail server: {}",
                last_error.unwrap_or("cannot connect")
            ),
            Some(WaitReason::Undo) | None => format!("queued; goes at {at}"),
        },
        DraftStatus::Sending => "sending now".into(),
        DraftStatus::Sent => "sent".into(),
        DraftStatus::Failed => format!("failed: {}", last_error.unwrap_or("unknown error")),
        DraftStatus::Rejected => "rejected".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_and_caps() {
        let mins: Vec<i64> = (1..=9).map(|a| retry_delay(a).num_minutes()).collect();
        assert_eq!(mins, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn an_unknown_fate_is_settled_only_by_a_check() {
        let t = DateTime::parse_from_rfc3339("2026-11-24T15:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            after_check(Some(false), t, t),
            CheckVerdict::Sent { in_sent: false }
        );
        assert_eq!(
            after_check(None, t, t + Duration::seconds(5)),
            CheckVerdict::LookAgain(t + UNKNOWN_FATE_GRACE)
        );
        assert_eq!(
            after_check(None, t, t + UNKNOWN_FATE_GRACE),
            CheckVerdict::NotSent
        );
    }

    #[test]
    fn every_wait_has_a_reason() {
        let t = DateTime::parse_from_rfc3339("2026-11-24T15:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            why_not_sent(DraftStatus::PendingReview, None, None, None),
            "awaiting approval"
        );
        assert_eq!(
            why_not_sent(DraftStatus::Queued, Some(WaitReason::Window), Some(t), None),
            "outside the send window; goes at 2026-11-24 15:00 UTC"
        );
        assert!(
            why_not_sent(
                DraftStatus::Queued,
                Some(WaitReason::Retry),
                Some(t),
                Some("421 busy")
            )
            .contains("421 busy")
        );
        assert_eq!(
            why_not_sent(DraftStatus::Failed, None, None, Some("550 no such user")),
            "failed: 550 no such user"
        );
    }
}

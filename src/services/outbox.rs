//! The outbox, as the worker's sender works it: claiming what is due (and keeping the claims
//! alive), recording an SMTP attempt and how it ended (sent, deferred, failed, found already
//! sent), the daily count, and filing Sent copies a crash or an outage left out. The sender
//! decides when and why (`crate::domain::outbox`); these record it. Nothing takes an operator:
//! the store audits the sender's writes as the system.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::domain::ids::{MailboxId, MessageId};
use crate::domain::outbox::WaitReason;
use crate::store::{OutboundJob, Result, SentCopy, SmtpOutcome, Store};

/// Claims up to `limit` messages that are due, for `lease`, as `owner`.
pub async fn claim(
    store: &Store,
    owner: Uuid,
    limit: i64,
    lease: Duration,
) -> Result<Vec<OutboundJob>> {
    store.claim_outbound(owner, limit, lease).await
}

/// Extends every claim `owner` holds (the sender's heartbeat); how many it holds.
pub async fn renew_claims(store: &Store, owner: Uuid, lease: Duration) -> Result<u64> {
    store.renew_outbound_claims(owner, lease).await
}

/// Right before handing `raw` to SMTP: the attempt begins. `false` when the claim is no longer
/// `owner`'s: then it must not be sent.
pub async fn begin_attempt(
    store: &Store,
    id: MessageId,
    owner: Uuid,
    raw: &[u8],
    lease: Duration,
) -> Result<bool> {
    store.begin_smtp(id, owner, raw, lease).await
}

/// Puts a claimed message back in the queue until `until`, saying why.
pub async fn defer(
    store: &Store,
    id: MessageId,
    owner: Uuid,
    until: DateTime<Utc>,
    reason: Option<WaitReason>,
    error: Option<&str>,
    outcome: SmtpOutcome,
) -> Result<()> {
    store
        .defer_outbound(id, owner, until, reason, error, outcome)
        .await
}

/// A real check of the mailbox found no copy after an attempt that broke off: it did not go.
/// `false` when the claim is no longer `owner`'s.
pub async fn settle_not_sent(store: &Store, id: MessageId, owner: Uuid) -> Result<bool> {
    store.settle_not_sent(id, owner).await
}

/// The server accepted it, or a copy was found (`how` says which): sent, once. `filed`: the copy
/// in Sent exists.
pub async fn mark_sent(store: &Store, message_id: &str, how: &str, filed: bool) -> Result<bool> {
    store.mark_outbound_sent(message_id, how, filed).await
}

/// It cannot be sent: failed, with the reason (the server's answer, or why it never went).
pub async fn mark_failed(store: &Store, id: MessageId, owner: Uuid, error: &str) -> Result<()> {
    store.mark_outbound_failed(id, owner, error).await
}

/// How many messages a mailbox has sent since `since` (for the daily cap).
pub async fn sent_since(
    store: &Store,
    mailbox: Option<MailboxId>,
    since: DateTime<Utc>,
) -> Result<i64> {
    store.sent_since(mailbox, since).await
}

/// Sent messages whose copy in Sent is missing, claimed for `lease` by `owner`.
pub async fn claim_sent_copies(
    store: &Store,
    owner: Uuid,
    limit: i64,
    lease: Duration,
) -> Result<Vec<SentCopy>> {
    store.claim_sent_copies(owner, limit, lease).await
}

/// The copy is in Sent now.
pub async fn sent_copy_filed(store: &Store, id: MessageId) -> Result<()> {
    store.mark_sent_copy_filed(id).await
}

/// Gives a Sent-filing claim back (IMAP is down): another pass tries again.
pub async fn release_sent_copy(store: &Store, id: MessageId, owner: Uuid) -> Result<()> {
    store.release_sent_copy(id, owner).await
}

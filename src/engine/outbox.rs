//! The outbox sender: sends approved messages exactly once, inside the send window, under the
//! daily cap, retrying temporary SMTP errors with back-off and failing permanent ones with the
//! server's answer. Any number of senders may run (claims use SKIP LOCKED).
//!
//! Exactly once across crashes: the envelope carries the persona's own address, so a copy of
//! every accepted message lands in our mailbox, and each sent message is appended to Sent.
//! Before sending anything that may already have gone (a retry, or a claim whose sender died),
//! the sender looks for its Message-ID in Sent and in the inbox.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::AsyncTransport;
use rand::Rng;
use tokio_util::sync::CancellationToken;

use super::account::MailAccount;
use super::sync::wait_or_cancel;
use crate::domain::outbox::{MAX_SEND_ATTEMPTS, WaitReason, retry_delay};
use crate::domain::send_window::SendWindow;
use crate::mail::compose::{Outgoing, compose};
use crate::mail::imap::ImapSession;
use crate::mail::imap_ops::{append_sent, folder_has_message_id};
use crate::store::{OutboundJob, Store, StoreError};

/// Set only by tests: abort the process right after the SMTP server accepted a message and
/// before anything is recorded, to prove that a restart does not send it twice.
pub const FAULT_ENV: &str = "SECRET_SHOP_FAULT";
pub const FAULT_ABORT_AFTER_SMTP_ACCEPT: &str = "abort-after-smtp-accept";

/// An open IMAP session and the account (address) it is logged in as.
pub type Session = (String, ImapSession);

/// How long a claim lasts; a sender that dies frees its messages after this.
const LEASE: Duration = Duration::from_secs(120);

#[derive(Clone)]
pub struct Sender {
    pub store: Store,
    pub account: Arc<MailAccount>,
    /// `dedicated` mode: each persona sends and files Sent mail through its own account.
    pub per_persona_accounts: bool,
    pub window: SendWindow,
    pub default_tz: Tz,
    pub jitter_minutes: u32,
    pub daily_cap: u32,
    pub tick: Duration,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub deferred: usize,
    pub failed: usize,
    pub found_already_sent: usize,
}

enum Outcome {
    Sent,
    AlreadySent,
    Deferred,
    Failed,
}

impl Sender {
    /// Runs until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut imap: Option<Session> = None;
        while !shutdown.is_cancelled() {
            match self.pass(&mut imap).await {
                Ok(r) if r.sent + r.deferred + r.failed + r.found_already_sent > 0 => {
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox: database unavailable"),
            }
            wait_or_cancel(&shutdown, self.tick).await;
        }
        if let Some(mut s) = imap {
            let _ = s.1.logout().await;
        }
    }

    /// Claims what is due and handles it; one pass.
    pub async fn pass(&self, imap: &mut Option<Session>) -> Result<SendReport, StoreError> {
        let lease = chrono::Duration::from_std(LEASE).expect("small");
        let jobs = self.store.claim_outbound(20, lease).await?;
        let mut report = SendReport::default();
        for job in jobs {
            match self.handle(&job, imap).await? {
                Outcome::Sent => report.sent += 1,
                Outcome::AlreadySent => report.found_already_sent += 1,
                Outcome::Deferred => report.deferred += 1,
                Outcome::Failed => report.failed += 1,
            }
        }
        Ok(report)
    }

    async fn handle(
        &self,
        job: &OutboundJob,
        imap: &mut Option<Session>,
    ) -> Result<Outcome, StoreError> {
        let account = self.account_for(job);
        let now = Utc::now();
        let tz: Tz = job
            .time_zone
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(self.default_tz);

        if job.previous_status == "approved" {
            let jitter = self.draw_jitter();
            let at = self.window.schedule(now, tz, jitter);
            if at > now + chrono::Duration::seconds(1) {
                let why = (!self.window.is_open(now, tz)).then_some(WaitReason::Window);
                self.store.defer_outbound(job.id, at, why, None).await?;
                return Ok(Outcome::Deferred);
            }
        } else if !self.window.is_open(now, tz) {
            let at = self.window.schedule(now, tz, self.draw_jitter());
            self.store
                .defer_outbound(job.id, at, Some(WaitReason::Window), None)
                .await?;
            return Ok(Outcome::Deferred);
        }

        if self.daily_cap > 0 {
            let since = start_of_day(now, tz);
            if self.store.sent_since(job.mailbox_id, since).await? >= self.daily_cap as i64 {
                let tomorrow = since + chrono::Duration::days(1);
                let at = self
                    .window
                    .schedule(tomorrow.max(now), tz, self.draw_jitter());
                self.store
                    .defer_outbound(job.id, at, Some(WaitReason::DailyCap), None)
                    .await?;
                return Ok(Outcome::Deferred);
            }
        }

        // It may have gone out before a crash: look before sending again.
        if job.previous_status == "sending" || job.attempts > 1 {
            match self.already_sent(&account, job, imap).await {
                Ok(true) => {
                    self.store
                        .mark_outbound_sent(&job.message_id, "found in the mailbox before a retry")
                        .await?;
                    return Ok(Outcome::AlreadySent);
                }
                Ok(false) => {}
                Err(e) => {
                    // Cannot tell: sending now could duplicate it, so wait for the mailbox.
                    *imap = None;
                    return self
                        .retry_later(job, &format!("cannot check Sent: {e}"))
                        .await;
                }
            }
        }

        let (raw, envelope) = match compose(&Outgoing {
            message_id: &job.message_id,
            from_name: &job.from_name,
            from_addr: &job.from_addr,
            to: &job.to_addrs,
            subject: &job.subject,
            body_text: &job.body_text,
            in_reply_to: job.in_reply_to.as_deref(),
            references: &job.reference_ids,
        }) {
            Ok(x) => x,
            Err(e) => {
                self.store
                    .mark_outbound_failed(job.id, &e.to_string())
                    .await?;
                return Ok(Outcome::Failed);
            }
        };
        let smtp = match account.smtp_transport() {
            Ok(t) => t,
            Err(e) => return self.retry_later(job, &e.to_string()).await,
        };
        match smtp.send_raw(&envelope, &raw).await {
            Ok(_) => {
                if std::env::var(FAULT_ENV).as_deref() == Ok(FAULT_ABORT_AFTER_SMTP_ACCEPT) {
                    std::process::abort();
                }
                if let Err(e) = self.append_to_sent(&account, &raw, imap).await {
                    tracing::warn!(error = %e, "could not append to Sent; the inbox copy still proves it was sent");
                    *imap = None;
                }
                self.store
                    .mark_outbound_sent(&job.message_id, "accepted by the SMTP server")
                    .await?;
                tracing::info!(message = %job.id, "sent");
                Ok(Outcome::Sent)
            }
            Err(e) if e.is_permanent() => {
                let answer = e.to_string();
                tracing::warn!(message = %job.id, error = %answer, "send failed permanently");
                self.store.mark_outbound_failed(job.id, &answer).await?;
                Ok(Outcome::Failed)
            }
            Err(e) => self.retry_later(job, &e.to_string()).await,
        }
    }

    async fn retry_later(&self, job: &OutboundJob, error: &str) -> Result<Outcome, StoreError> {
        if job.attempts >= MAX_SEND_ATTEMPTS {
            let msg = format!("gave up after {} tries: {error}", job.attempts);
            self.store.mark_outbound_failed(job.id, &msg).await?;
            return Ok(Outcome::Failed);
        }
        let at = Utc::now() + retry_delay(job.attempts) + self.draw_small_jitter();
        tracing::info!(message = %job.id, error, retry_at = %at, "send will be retried");
        self.store
            .defer_outbound(job.id, at, Some(WaitReason::Retry), Some(error))
            .await?;
        Ok(Outcome::Deferred)
    }

    fn account_for(&self, job: &OutboundJob) -> MailAccount {
        if self.per_persona_accounts {
            self.account.as_user(&job.from_addr)
        } else {
            (*self.account).clone()
        }
    }

    /// The open IMAP session for `account`, (re)connecting when it is another account's.
    async fn session<'a>(
        &self,
        account: &MailAccount,
        imap: &'a mut Option<Session>,
    ) -> Result<&'a mut ImapSession, crate::mail::imap::ImapError> {
        if imap
            .as_ref()
            .is_none_or(|(user, _)| *user != account.address)
        {
            if let Some((_, mut old)) = imap.take() {
                let _ = old.logout().await;
            }
            *imap = Some((account.address.clone(), account.imap_login().await?));
        }
        Ok(&mut imap.as_mut().expect("just set").1)
    }

    async fn already_sent(
        &self,
        account: &MailAccount,
        job: &OutboundJob,
        imap: &mut Option<Session>,
    ) -> Result<bool, crate::mail::imap::ImapError> {
        let session = self.session(account, imap).await?;
        for folder in [&account.sent, &account.inbox] {
            if folder_has_message_id(session, folder, &job.message_id).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn append_to_sent(
        &self,
        account: &MailAccount,
        raw: &[u8],
        imap: &mut Option<Session>,
    ) -> Result<(), crate::mail::imap::ImapError> {
        let session = self.session(account, imap).await?;
        append_sent(session, &account.sent, raw).await
    }

    fn draw_jitter(&self) -> chrono::Duration {
        if self.window.always || self.jitter_minutes == 0 {
            return chrono::Duration::zero();
        }
        chrono::Duration::seconds(rand::rng().random_range(0..=self.jitter_minutes as i64 * 60))
    }

    fn draw_small_jitter(&self) -> chrono::Duration {
        chrono::Duration::milliseconds(rand::rng().random_range(0..=5000))
    }
}

fn start_of_day(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    use chrono::TimeZone;
    let local = now
        .with_timezone(&tz)
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    tz.from_local_datetime(&local)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(now - chrono::Duration::hours(24))
}

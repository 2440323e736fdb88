//! The outbox sender: sends approved messages exactly once, inside the send window, under the
//! daily cap. A server that cannot be reached is one event for the sender (it backs off and
//! tries again within seconds), not a failure of each message; a temporary refusal is retried
//! with back-off; a permanent one fails the message with the server's answer. Any number of
//! senders may run: claims use SKIP LOCKED, are small, and carry a short lease that the sender
//! renews while it works, so a dead sender's messages go on within seconds.
//!
//! Exactly once across crashes: before SMTP the message is marked "attempt begun"; after the
//! server accepts it, it is appended to Sent and marked sent. A message found "attempt begun"
//! (a sender died, or the connection broke mid-attempt) is sent again only after a real check
//! of the mailbox (Sent, and the copy the envelope delivers to the persona) finds no copy; a
//! check that could not run never counts as "not sent". Sent copies that a crash or an IMAP
//! outage left out are filed later (`copies`).

mod copies;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::AsyncTransport;
use rand::Rng;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::account::MailAccount;
use super::backoff::Backoff;
use super::sync::wait_or_cancel;
use crate::domain::outbox::{
    CheckVerdict, MAX_SEND_ATTEMPTS, WaitReason, after_check, retry_delay,
};
use crate::domain::send_window::SendWindow;
use crate::mail::compose::{Outgoing, compose};
use crate::mail::imap::ImapSession;
use crate::mail::smtp::SmtpTransport;
use crate::services::outbox;
use crate::store::{OutboundJob, SmtpOutcome, Store, StoreError};

/// Set only by tests: abort the process right after the SMTP server accepted a message and
/// before anything is recorded, to prove that a restart does not send it twice.
pub const FAULT_ENV: &str = "SECRET_SHOP_FAULT";
pub const FAULT_ABORT_AFTER_SMTP_ACCEPT: &str = "abort-after-smtp-accept";

/// An open IMAP session and the account (address) it is logged in as.
pub type Session = (String, ImapSession);

/// How long a claim lasts without renewal; a sender that dies or stops frees its messages after
/// this. The sender renews its claims every third of it while it works.
const LEASE: Duration = Duration::from_secs(12);
/// Messages per claim: small, so a dead sender strands few.
const CLAIM_BATCH: i64 = 5;

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
    /// This sender's claims carry this token.
    pub owner: Uuid,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub deferred: usize,
    pub failed: usize,
    pub found_already_sent: usize,
    /// Copies filed in Sent that a crash or an outage had left out.
    pub filed_copies: usize,
    /// A mail server could not be reached or checked: the sender backs off.
    pub server_trouble: Option<String>,
}

impl SendReport {
    fn did_something(&self) -> bool {
        self.sent + self.deferred + self.failed + self.found_already_sent + self.filed_copies > 0
    }
}

enum Outcome {
    Sent,
    AlreadySent,
    Deferred,
    Failed,
    /// Another sender has it now (our claim lapsed).
    LostClaim,
    /// The server could not be reached or the mailbox not checked; the message was put back.
    ServerTrouble(String),
}

impl Sender {
    /// Runs until `shutdown`; backs off while a mail server or the database is unreachable
    /// (capped at a few seconds, so sending resumes soon after it comes back).
    pub async fn run(self, shutdown: CancellationToken) {
        let mut imap: Option<Session> = None;
        let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(3));
        while !shutdown.is_cancelled() {
            match self.pass(&mut imap).await {
                Ok(r) if r.server_trouble.is_some() => {
                    let delay = backoff.next_delay();
                    let error = r.server_trouble.as_deref().unwrap_or_default();
                    tracing::warn!(error, retry_in = ?delay, "outbox: mail server unavailable");
                    wait_or_cancel(&shutdown, delay).await;
                    continue;
                }
                Ok(r) if r.did_something() => {
                    backoff.reset();
                    continue;
                }
                Ok(_) => backoff.reset(),
                Err(e) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(error = %e, retry_in = ?delay, "outbox: database unavailable");
                    wait_or_cancel(&shutdown, delay).await;
                    continue;
                }
            }
            wait_or_cancel(&shutdown, self.tick).await;
        }
        if let Some(mut s) = imap {
            let _ = s.1.logout().await;
        }
    }

    /// Claims what is due and handles it, then files missing Sent copies; one pass. The claims
    /// are renewed in the background while the pass runs.
    pub async fn pass(&self, imap: &mut Option<Session>) -> Result<SendReport, StoreError> {
        let heartbeat = tokio::spawn({
            let (store, owner) = (self.store.clone(), self.owner);
            async move {
                loop {
                    tokio::time::sleep(LEASE / 3).await;
                    if let Err(e) = outbox::renew_claims(&store, owner, lease()).await {
                        tracing::debug!(error = %e, "could not renew the outbox claims");
                    }
                }
            }
        });
        let result = self.pass_inner(imap).await;
        heartbeat.abort();
        result
    }

    async fn pass_inner(&self, imap: &mut Option<Session>) -> Result<SendReport, StoreError> {
        let jobs = outbox::claim(&self.store, self.owner, CLAIM_BATCH, lease()).await?;
        let mut report = SendReport::default();
        let mut smtp: HashMap<String, SmtpTransport> = HashMap::new();
        for job in jobs {
            if let Some(trouble) = &report.server_trouble {
                // One outage is one event: the rest go back as they were, nothing counted.
                outbox::defer(
                    &self.store,
                    job.id,
                    self.owner,
                    Utc::now(),
                    Some(WaitReason::Connection),
                    Some(trouble),
                    SmtpOutcome::NotTried,
                )
                .await?;
                continue;
            }
            match self.handle(&job, imap, &mut smtp).await? {
                Outcome::Sent => report.sent += 1,
                Outcome::AlreadySent => report.found_already_sent += 1,
                Outcome::Deferred => report.deferred += 1,
                Outcome::Failed => report.failed += 1,
                Outcome::LostClaim => {}
                Outcome::ServerTrouble(e) => report.server_trouble = Some(e),
            }
        }
        if report.server_trouble.is_none() {
            match self.file_sent_copies(imap).await? {
                Ok(n) => report.filed_copies = n,
                Err(e) => report.server_trouble = Some(e),
            }
        }
        Ok(report)
    }

    /// Puts `job` back in the queue until `at`.
    async fn defer(
        &self,
        job: &OutboundJob,
        at: DateTime<Utc>,
        why: Option<WaitReason>,
        error: Option<&str>,
        outcome: SmtpOutcome,
    ) -> Result<(), StoreError> {
        outbox::defer(&self.store, job.id, self.owner, at, why, error, outcome).await
    }

    async fn handle(
        &self,
        job: &OutboundJob,
        imap: &mut Option<Session>,
        smtp: &mut HashMap<String, SmtpTransport>,
    ) -> Result<Outcome, StoreError> {
        let account = self.account_for(job);
        if let Some(at) = self.not_now(job).await? {
            let (at, why) = at;
            self.defer(job, at, why, None, SmtpOutcome::NotTried)
                .await?;
            return Ok(Outcome::Deferred);
        }

        // An attempt broke off (a crash, a lost connection): it may have gone. Only a check
        // that ran may say it did not.
        if let Some(started) = job.smtp_started_at {
            let found = match self.find_copy(&account, &job.message_id, imap).await {
                Ok(found) => found,
                Err(e) => {
                    *imap = None;
                    let why = format!("cannot look in the mailbox: {e}");
                    let wait = Some(WaitReason::Checking);
                    self.defer(job, Utc::now(), wait, Some(&why), SmtpOutcome::Unknown)
                        .await?;
                    return Ok(Outcome::ServerTrouble(why));
                }
            };
            match after_check(found, started, Utc::now()) {
                CheckVerdict::Sent { in_sent } => {
                    outbox::mark_sent(
                        &self.store,
                        &job.message_id,
                        "found in the mailbox",
                        in_sent,
                    )
                    .await?;
                    return Ok(Outcome::AlreadySent);
                }
                CheckVerdict::LookAgain(at) => {
                    let why = "the last attempt broke off; no copy in the mailbox yet";
                    let wait = Some(WaitReason::Checking);
                    self.defer(job, at, wait, Some(why), SmtpOutcome::Unknown)
                        .await?;
                    return Ok(Outcome::Deferred);
                }
                CheckVerdict::NotSent => {
                    if !outbox::settle_not_sent(&self.store, job.id, self.owner).await? {
                        return Ok(Outcome::LostClaim);
                    }
                }
            }
        }
        self.send(job, &account, imap, smtp).await
    }

    /// When the window or the daily cap says "not now": the time to try again and why.
    async fn not_now(
        &self,
        job: &OutboundJob,
    ) -> Result<Option<(DateTime<Utc>, Option<WaitReason>)>, StoreError> {
        let now = Utc::now();
        let tz: Tz = job
            .time_zone
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(self.default_tz);
        if job.previous_status == "approved" {
            let at = self.window.schedule(now, tz, self.draw_jitter());
            if at > now + chrono::Duration::seconds(1) {
                let why = (!self.window.is_open(now, tz)).then_some(WaitReason::Window);
                return Ok(Some((at, why)));
            }
        } else if !self.window.is_open(now, tz) {
            let at = self.window.schedule(now, tz, self.draw_jitter());
            return Ok(Some((at, Some(WaitReason::Window))));
        }
        if self.daily_cap > 0 {
            let since = start_of_day(now, tz);
            if outbox::sent_since(&self.store, job.mailbox_id, since).await?
                >= self.daily_cap as i64
            {
                let tomorrow = since + chrono::Duration::days(1);
                let at = self
                    .window
                    .schedule(tomorrow.max(now), tz, self.draw_jitter());
                return Ok(Some((at, Some(WaitReason::DailyCap))));
            }
        }
        Ok(None)
    }

    async fn send(
        &self,
        job: &OutboundJob,
        account: &MailAccount,
        imap: &mut Option<Session>,
        smtp: &mut HashMap<String, SmtpTransport>,
    ) -> Result<Outcome, StoreError> {
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
                outbox::mark_failed(&self.store, job.id, self.owner, &e.to_string()).await?;
                return Ok(Outcome::Failed);
            }
        };
        let transport = match smtp.get(&account.address) {
            Some(t) => t.clone(),
            None => match account.smtp_transport() {
                Ok(t) => {
                    smtp.insert(account.address.clone(), t.clone());
                    t
                }
                Err(e) => {
                    let why = e.to_string();
                    let wait = Some(WaitReason::Connection);
                    self.defer(job, Utc::now(), wait, Some(&why), SmtpOutcome::NotTried)
                        .await?;
                    return Ok(Outcome::ServerTrouble(why));
                }
            },
        };
        // Connect, greet and log in before the attempt is recorded: a server that is down or
        // cannot authenticate (its auth backend restarting) never saw the message, and saying
        // so here spares the message the wait for a mailbox check that an attempt broken off
        // mid-way needs. The pooled connection is the one the send then uses.
        match transport.test_connection().await {
            Ok(true) => {}
            result => {
                let why = match result {
                    Err(e) => format!("SMTP: {e}"),
                    _ => "SMTP: the server did not answer".to_string(),
                };
                let wait = Some(WaitReason::Connection);
                self.defer(job, Utc::now(), wait, Some(&why), SmtpOutcome::Unreachable)
                    .await?;
                return Ok(Outcome::ServerTrouble(why));
            }
        }
        if !outbox::begin_attempt(&self.store, job.id, self.owner, &raw, lease()).await? {
            return Ok(Outcome::LostClaim);
        }
        match transport.send_raw(&envelope, &raw).await {
            Ok(_) => {
                if std::env::var(FAULT_ENV).as_deref() == Ok(FAULT_ABORT_AFTER_SMTP_ACCEPT) {
                    std::process::abort();
                }
                let filed = match self.append_to_sent(account, &raw, imap).await {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::warn!(message = %job.id, error = %e, "could not file the copy in Sent; it is filed later");
                        *imap = None;
                        false
                    }
                };
                outbox::mark_sent(
                    &self.store,
                    &job.message_id,
                    "accepted by the SMTP server",
                    filed,
                )
                .await?;
                tracing::info!(message = %job.id, "sent");
                Ok(Outcome::Sent)
            }
            Err(e) if e.is_permanent() => {
                let answer = e.to_string();
                tracing::warn!(message = %job.id, error = %answer, "send failed permanently");
                outbox::mark_failed(&self.store, job.id, self.owner, &answer).await?;
                Ok(Outcome::Failed)
            }
            Err(e) if server_not_ready(&e) => {
                // 421 (closing) or 454 (authentication unavailable, e.g. its auth backend is
                // restarting): the server, not this message, is the trouble. One event for the
                // mailbox, retried within seconds, not a minute's retry of each message.
                let why = format!("SMTP: {e}");
                let wait = Some(WaitReason::Connection);
                self.defer(job, Utc::now(), wait, Some(&why), SmtpOutcome::Unreachable)
                    .await?;
                Ok(Outcome::ServerTrouble(why))
            }
            Err(e) if e.is_transient() => {
                // The server answered "not now": it did not take the message.
                let tries = job.attempts + 1;
                if tries >= MAX_SEND_ATTEMPTS {
                    let msg = format!("gave up after {tries} refusals: {e}");
                    outbox::mark_failed(&self.store, job.id, self.owner, &msg).await?;
                    return Ok(Outcome::Failed);
                }
                let at = Utc::now() + retry_delay(tries) + self.draw_small_jitter();
                tracing::info!(message = %job.id, error = %e, retry_at = %at, "send will be retried");
                let why = e.to_string();
                let wait = Some(WaitReason::Retry);
                self.defer(job, at, wait, Some(&why), SmtpOutcome::Refused)
                    .await?;
                Ok(Outcome::Deferred)
            }
            Err(e) if never_connected(&e) => {
                let why = format!("SMTP: {e}");
                let wait = Some(WaitReason::Connection);
                self.defer(job, Utc::now(), wait, Some(&why), SmtpOutcome::Unreachable)
                    .await?;
                Ok(Outcome::ServerTrouble(why))
            }
            Err(e) => {
                // Broke off mid-attempt: the server may have taken it.
                let why = format!("SMTP: {e}");
                let wait = Some(WaitReason::Checking);
                self.defer(job, Utc::now(), wait, Some(&why), SmtpOutcome::Unknown)
                    .await?;
                Ok(Outcome::ServerTrouble(why))
            }
        }
    }

    fn account_for(&self, job: &OutboundJob) -> MailAccount {
        self.account_from(&job.from_addr)
    }

    /// The account a message from `from_addr` goes through (its own in `dedicated` mode).
    fn account_from(&self, from_addr: &str) -> MailAccount {
        if self.per_persona_accounts {
            self.account.as_user(from_addr)
        } else {
            (*self.account).clone()
        }
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

fn lease() -> chrono::Duration {
    chrono::Duration::from_std(LEASE).expect("small")
}

/// lettre reports failures to connect (TCP, TLS set-up, the greeting) as "Connection error":
/// nothing was sent then. Any other broken exchange may have delivered the message.
/// A reply that says the server cannot serve anyone right now (it did not take the message).
fn server_not_ready(e: &lettre::transport::smtp::Error) -> bool {
    e.status()
        .is_some_and(|code| matches!(code.to_string().as_str(), "421" | "454"))
}

fn never_connected(e: &lettre::transport::smtp::Error) -> bool {
    e.to_string().starts_with("Connection error")
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

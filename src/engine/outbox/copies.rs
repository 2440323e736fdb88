//! The sender's IMAP side: looking for a copy of a message whose SMTP attempt broke off, filing
//! the copy in Sent, and finishing Sent copies a crash or an outage left out. Every check has a
//! deadline, and one that cannot run is an error, never "no copy".

use std::time::Duration;

use super::{Sender, Session, lease};
use crate::engine::account::MailAccount;
use crate::mail::imap::{ImapError, ImapSession};
use crate::mail::imap_ops::{append_sent, folder_has_message_id};
use crate::services::outbox;
use crate::store::{SentCopy, StoreError};

/// An IMAP check or append that takes longer than this did not run.
const IMAP_TIMEOUT: Duration = Duration::from_secs(30);

impl Sender {
    /// Looks for a copy of the message: in Sent (`Some(true)`), or the copy the envelope
    /// delivered to the persona's inbox (`Some(false)`); `None` when neither has it.
    pub(super) async fn find_copy(
        &self,
        account: &MailAccount,
        message_id: &str,
        imap: &mut Option<Session>,
    ) -> Result<Option<bool>, ImapError> {
        with_timeout(async {
            let session = self.session(account, imap).await?;
            if folder_has_message_id(session, &account.sent, message_id).await? {
                return Ok(Some(true));
            }
            if folder_has_message_id(session, &account.inbox, message_id).await? {
                return Ok(Some(false));
            }
            Ok(None)
        })
        .await
    }

    pub(super) async fn append_to_sent(
        &self,
        account: &MailAccount,
        raw: &[u8],
        imap: &mut Option<Session>,
    ) -> Result<(), ImapError> {
        with_timeout(async {
            let session = self.session(account, imap).await?;
            append_sent(session, &account.sent, raw).await
        })
        .await
    }

    /// Files the Sent copies a crash or an IMAP outage left out, looking first so a copy is
    /// never filed twice. The inner `Err` says IMAP is unavailable.
    pub(super) async fn file_sent_copies(
        &self,
        imap: &mut Option<Session>,
    ) -> Result<Result<usize, String>, StoreError> {
        let copies = outbox::claim_sent_copies(&self.store, self.owner, 10, lease()).await?;
        let mut filed = 0;
        let mut copies = copies.into_iter();
        while let Some(copy) = copies.next() {
            match self.file_one(&copy, imap).await {
                Ok(()) => {
                    outbox::sent_copy_filed(&self.store, copy.id).await?;
                    filed += 1;
                }
                Err(e) => {
                    *imap = None;
                    outbox::release_sent_copy(&self.store, copy.id, self.owner).await?;
                    for rest in copies {
                        outbox::release_sent_copy(&self.store, rest.id, self.owner).await?;
                    }
                    return Ok(Err(format!("IMAP: filing in Sent: {e}")));
                }
            }
        }
        if filed > 0 {
            tracing::info!(filed, "filed missing copies in Sent");
        }
        Ok(Ok(filed))
    }

    async fn file_one(&self, copy: &SentCopy, imap: &mut Option<Session>) -> Result<(), ImapError> {
        let account = self.account_from(&copy.from_addr);
        with_timeout(async {
            let session = self.session(&account, imap).await?;
            if !folder_has_message_id(session, &account.sent, &copy.message_id).await? {
                append_sent(session, &account.sent, &copy.raw).await?;
            }
            Ok(())
        })
        .await
    }

    /// The open IMAP session for `account`, (re)connecting when it is another account's.
    async fn session<'a>(
        &self,
        account: &MailAccount,
        imap: &'a mut Option<Session>,
    ) -> Result<&'a mut ImapSession, ImapError> {
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
}

async fn with_timeout<T>(
    f: impl std::future::Future<Output = Result<T, ImapError>>,
) -> Result<T, ImapError> {
    tokio::time::timeout(IMAP_TIMEOUT, f)
        .await
        .unwrap_or_else(|_| {
            Err(ImapError::Connect {
                addr: "IMAP".into(),
                reason: format!("no answer within {} s", IMAP_TIMEOUT.as_secs()),
            })
        })
}

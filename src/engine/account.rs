//! The mail account the engine works with, resolved from config: where to read, where to send.

use std::path::PathBuf;

use secrecy::SecretString;

use crate::config::{Config, TlsMode};
use crate::mail::imap::{ImapEndpoint, ImapError, ImapSession, login};
use crate::mail::smtp::{SmtpEndpoint, SmtpSetupError, SmtpTransport, transport};

#[derive(Debug, Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub user: String,
    pub password: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct MailAccount {
    /// The mailbox's own address (the IMAP login), which keys its sync state.
    pub address: String,
    pub imap: Server,
    pub smtp: Server,
    pub inbox: String,
    pub sent: String,
    pub ca_file: Option<PathBuf>,
}

impl MailAccount {
    pub fn from_config(c: &Config) -> MailAccount {
        let server = |s: &crate::config::ServerConfig| Server {
            host: s.host.clone(),
            port: s.port,
            tls: s.tls,
            user: s.user.clone(),
            password: s.password(),
        };
        MailAccount {
            address: c.mail.imap.user.to_lowercase(),
            imap: server(&c.mail.imap),
            smtp: server(&c.mail.smtp),
            inbox: c.mail.folders.inbox.clone(),
            sent: c.mail.folders.sent.clone(),
            ca_file: c.mail.tls_ca_file.clone(),
        }
    }

    /// The same servers and password, logged in as `address` (a persona's own account in
    /// `dedicated` mode).
    pub fn as_user(&self, address: &str) -> MailAccount {
        let mut a = self.clone();
        a.address = address.to_lowercase();
        a.imap.user = address.to_string();
        a.smtp.user = address.to_string();
        a
    }

    pub async fn imap_login(&self) -> Result<ImapSession, ImapError> {
        let password = self.imap.password.clone().ok_or_else(|| ImapError::Login {
            user: self.imap.user.clone(),
            reason: "no password configured (mail.imap.password_env or SECRET_SHOP_IMAP_PASSWORD)"
                .into(),
        })?;
        login(&ImapEndpoint {
            host: &self.imap.host,
            port: self.imap.port,
            tls: self.imap.tls,
            user: &self.imap.user,
            password,
            ca_file: self.ca_file.as_deref(),
        })
        .await
    }

    pub fn smtp_transport(&self) -> Result<SmtpTransport, SmtpSetupError> {
        transport(&SmtpEndpoint {
            host: &self.smtp.host,
            port: self.smtp.port,
            tls: self.smtp.tls,
            user: &self.smtp.user,
            password: self.smtp.password.clone(),
            ca_file: self.ca_file.as_deref(),
        })
    }
}

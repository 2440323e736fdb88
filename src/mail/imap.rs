//! IMAP connections over plain TCP (loopback only), STARTTLS or implicit TLS.

use std::fmt::Debug;
use std::path::Path;

use async_imap::{Client, Session};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::CONNECT_TIMEOUT;
use super::tls::client_config;
use crate::config::TlsMode;

/// A byte stream an IMAP client can run over, plain or encrypted.
pub trait MailStream: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> MailStream for T {}

pub type ImapSession = Session<Box<dyn MailStream>>;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect to {addr}: {reason}")]
    Connect { addr: String, reason: String },
    #[error("TLS with {host} failed: {reason}")]
    Tls { host: String, reason: String },
    #[error("login as {user} refused: {reason}")]
    Login { user: String, reason: String },
    #[error("IMAP error: {0}")]
    Protocol(#[from] async_imap::error::Error),
    #[error("plain IMAP (tls = none) is only allowed on loopback, not {0}")]
    PlainNotLoopback(String),
}

/// Where and how to log in.
#[derive(Debug, Clone)]
pub struct ImapEndpoint<'a> {
    pub host: &'a str,
    pub port: u16,
    pub tls: TlsMode,
    pub user: &'a str,
    pub password: SecretString,
    pub ca_file: Option<&'a Path>,
}

/// Connects, upgrades as configured, and logs in.
pub async fn login(ep: &ImapEndpoint<'_>) -> Result<ImapSession, ImapError> {
    let addr = format!("{}:{}", ep.host, ep.port);
    if ep.tls == TlsMode::None && !is_loopback(ep.host) {
        return Err(ImapError::PlainNotLoopback(ep.host.to_string()));
    }
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&addr))
        .await
        .map_err(|_| ImapError::Connect {
            addr: addr.clone(),
            reason: "timed out".into(),
        })?
        .map_err(|e| ImapError::Connect {
            addr: addr.clone(),
            reason: e.to_string(),
        })?;
    let client: Client<Box<dyn MailStream>> = match ep.tls {
        TlsMode::None => {
            let mut c = Client::new(Box::new(tcp) as Box<dyn MailStream>);
            read_greeting(&mut c, &addr).await?;
            c
        }
        TlsMode::Tls => {
            let tls = wrap_tls(tcp, ep).await?;
            let mut c = Client::new(Box::new(tls) as Box<dyn MailStream>);
            read_greeting(&mut c, &addr).await?;
            c
        }
        TlsMode::StartTls => {
            let mut c = Client::new(tcp);
            read_greeting(&mut c, &addr).await?;
            c.run_command_and_check_ok("STARTTLS", None).await?;
            let tls = wrap_tls(c.into_inner(), ep).await?;
            // No greeting after STARTTLS.
            Client::new(Box::new(tls) as Box<dyn MailStream>)
        }
    };
    client
        .login(ep.user, ep.password.expose_secret())
        .await
        .map_err(|(e, _)| ImapError::Login {
            user: ep.user.to_string(),
            reason: e.to_string(),
        })
}

async fn read_greeting<T: AsyncRead + AsyncWrite + Unpin + Send + Debug>(
    c: &mut Client<T>,
    addr: &str,
) -> Result<(), ImapError> {
    match tokio::time::timeout(CONNECT_TIMEOUT, c.read_response()).await {
        Ok(Ok(Some(_))) => Ok(()),
        Ok(Ok(None)) => Err(ImapError::Connect {
            addr: addr.to_string(),
            reason: "closed before the greeting".into(),
        }),
        Ok(Err(e)) => Err(ImapError::Connect {
            addr: addr.to_string(),
            reason: e.to_string(),
        }),
        Err(_) => Err(ImapError::Connect {
            addr: addr.to_string(),
            reason: "no greeting (is this an IMAP port? is tls set right?)".into(),
        }),
    }
}

async fn wrap_tls(
    tcp: TcpStream,
    ep: &ImapEndpoint<'_>,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ImapError> {
    let tls_err = |reason: String| ImapError::Tls {
        host: ep.host.to_string(),
        reason,
    };
    let config = client_config(ep.ca_file).map_err(|e| tls_err(e.to_string()))?;
    let name = rustls::pki_types::ServerName::try_from(ep.host.to_string())
        .map_err(|e| tls_err(e.to_string()))?;
    tokio::time::timeout(
        CONNECT_TIMEOUT,
        TlsConnector::from(config).connect(name, tcp),
    )
    .await
    .map_err(|_| tls_err("handshake timed out".into()))?
    .map_err(|e| tls_err(e.to_string()))
}

pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

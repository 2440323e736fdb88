//! SMTP transport (lettre) built from config: plain on loopback, STARTTLS, or implicit TLS.

use std::path::Path;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use super::CONNECT_TIMEOUT;
use super::imap::is_loopback;
use crate::config::TlsMode;

pub type SmtpTransport = AsyncSmtpTransport<Tokio1Executor>;

#[derive(Debug, thiserror::Error)]
pub enum SmtpSetupError {
    #[error("plain SMTP (tls = none) is only allowed on loopback, not {0}")]
    PlainNotLoopback(String),
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("TLS set-up failed: {0}")]
    Tls(String),
}

#[derive(Debug, Clone)]
pub struct SmtpEndpoint<'a> {
    pub host: &'a str,
    pub port: u16,
    pub tls: TlsMode,
    pub user: &'a str,
    pub password: Option<SecretString>,
    pub ca_file: Option<&'a Path>,
}

pub fn transport(ep: &SmtpEndpoint<'_>) -> Result<SmtpTransport, SmtpSetupError> {
    let tls = match ep.tls {
        TlsMode::None => {
            if !is_loopback(ep.host) {
                return Err(SmtpSetupError::PlainNotLoopback(ep.host.to_string()));
            }
            Tls::None
        }
        TlsMode::StartTls => Tls::Required(tls_parameters(ep)?),
        TlsMode::Tls => Tls::Wrapper(tls_parameters(ep)?),
    };
    let mut builder = SmtpTransport::builder_dangerous(ep.host)
        .port(ep.port)
        .tls(tls)
        .timeout(Some(CONNECT_TIMEOUT));
    if let Some(pw) = &ep.password
        && !ep.user.is_empty()
    {
        builder = builder.credentials(Credentials::new(
            ep.user.to_string(),
            pw.expose_secret().to_string(),
        ));
    }
    Ok(builder.build())
}

fn tls_parameters(ep: &SmtpEndpoint<'_>) -> Result<TlsParameters, SmtpSetupError> {
    let mut b = TlsParameters::builder(ep.host.to_string());
    if let Some(path) = ep.ca_file {
        let pem = std::fs::read(path).map_err(|e| SmtpSetupError::CaFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|e| SmtpSetupError::CaFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        b = b.add_root_certificate(cert);
    }
    b.build_rustls()
        .map_err(|e| SmtpSetupError::Tls(e.to_string()))
}

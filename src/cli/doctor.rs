//! `secret-shop doctor`: checks every part, one line each, and says how to fix what is wrong.

use std::process::ExitCode;
use std::time::Duration;

use secrecy::ExposeSecret;

use super::Ctx;
use super::context::DATABASE_HINT;
use crate::config::{Config, redacted_url};
use crate::mail::imap::{ImapEndpoint, login};
use crate::mail::smtp::{SmtpEndpoint, transport};
use crate::store::Store;

type Check = Result<String, String>;

/// Prints one check line.
pub fn report(part: &str, result: &Check) {
    match result {
        Ok(msg) => println!("OK    {part:<9} {msg}"),
        Err(msg) => println!("FAIL  {part:<9} {msg}"),
    }
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let c = &ctx.config;
    let files: Vec<String> = c
        .source_files()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let config_line: Check = Ok(format!(
        "operator {}, {}",
        c.operator.name,
        if files.is_empty() {
            "built-in defaults and environment (no config file)".to_string()
        } else {
            format!("from {}", files.join(", "))
        }
    ));
    let (db, smtp, imap, ai) = tokio::join!(
        check_database(c),
        check_smtp(c),
        check_imap(c),
        crate::ai::probe(&c.ai)
    );
    let results = [
        ("config", config_line),
        ("database", db),
        ("smtp", smtp),
        ("imap", imap),
        ("ai", ai),
    ];
    for (part, r) in &results {
        report(part, r);
    }
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    if failed == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{failed} check(s) failed");
        Ok(ExitCode::FAILURE)
    }
}

async fn check_database(c: &Config) -> Check {
    let url = c
        .database_url()
        .ok_or_else(|| format!("no database configured: {DATABASE_HINT}"))?;
    let shown = redacted_url(url.expose_secret());
    let timeout = Duration::from_secs(c.database.connect_timeout_secs.clamp(1, 10));
    let store = Store::connect(url, 1, timeout).await.map_err(|e| {
        let text = e.to_string();
        let hint = if text.contains("password authentication") || text.contains("role \"") {
            "the server refused the login: check the user and password in DATABASE_URL".to_string()
        } else if text.contains("does not exist") {
            "the server is up but has no such database: create it or fix DATABASE_URL".to_string()
        } else {
            format!("Postgres is not running there (or not reachable); {DATABASE_HINT}")
        };
        format!("{shown}: {text}; {hint}")
    })?;
    let (applied, known) = crate::services::session::migration_status(&store)
        .await
        .map_err(|e| format!("{shown}: {e}"))?;
    let schema = if applied >= known {
        format!("schema up to date ({applied}/{known} migrations)")
    } else {
        format!(
            "{applied}/{known} migrations applied; the rest run at the next start or `secret-shop migrate`"
        )
    };
    Ok(format!("{shown}, {schema}"))
}

async fn check_smtp(c: &Config) -> Check {
    let s = &c.mail.smtp;
    if s.host.is_empty() {
        return Err("mail.smtp.host is empty: set it or SECRET_SHOP_SMTP_HOST".into());
    }
    let where_ = format!("{}:{} ({})", s.host, s.port, s.tls.as_str());
    let ep = SmtpEndpoint {
        host: &s.host,
        port: s.port,
        tls: s.tls,
        user: &s.user,
        password: s.password(),
        ca_file: c.mail.tls_ca_file.as_deref(),
    };
    let t = transport(&ep).map_err(|e| format!("{where_}: {e}"))?;
    match t.test_connection().await {
        Ok(true) => Ok(format!(
            "{where_}, {}",
            if s.user.is_empty() {
                "no login configured".to_string()
            } else {
                format!("logged in as {}", s.user)
            }
        )),
        Ok(false) => Err(format!("{where_}: the server did not answer NOOP")),
        Err(e) => Err(format!(
            "{where_}: {e}; check mail.smtp.* (SECRET_SHOP_SMTP_HOST/PORT/TLS/USER/PASSWORD) \
             and that the mail server is running (`scripts/services start` for a local one)"
        )),
    }
}

async fn check_imap(c: &Config) -> Check {
    let s = &c.mail.imap;
    if s.host.is_empty() {
        return Err("mail.imap.host is empty: set it or SECRET_SHOP_IMAP_HOST".into());
    }
    let where_ = format!("{}:{} ({})", s.host, s.port, s.tls.as_str());
    let password = s.password().ok_or_else(|| {
        format!("{where_}: no password: set mail.imap.password_env or SECRET_SHOP_IMAP_PASSWORD")
    })?;
    let ep = ImapEndpoint {
        host: &s.host,
        port: s.port,
        tls: s.tls,
        user: &s.user,
        password,
        ca_file: c.mail.tls_ca_file.as_deref(),
    };
    let hint = "check mail.imap.* (SECRET_SHOP_IMAP_HOST/PORT/TLS/USER/PASSWORD) and that the \
                mail server is running (`scripts/services start` for a local one)";
    let mut session = login(&ep)
        .await
        .map_err(|e| format!("{where_}: {e}; {hint}"))?;
    let inbox = session
        .examine(&c.mail.folders.inbox)
        .await
        .map_err(|e| format!("{where_}: cannot open folder {}: {e}", c.mail.folders.inbox))?;
    let _ = session.logout().await;
    Ok(format!(
        "{where_}, {} messages in {} as {}",
        inbox.exists, c.mail.folders.inbox, s.user
    ))
}

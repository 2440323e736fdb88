//! The demo leasing agents: for each demo property (a `.test` address) read its mailbox over
//! IMAP and answer each new message over SMTP, with replies that vary the way real ones do
//! (full facts, a partial answer, an auto-acknowledgement, a decline, a fair-housing slip, an
//! HTML table). Only ever writes to `.test` addresses.

use std::time::Duration;

use anyhow::Context as _;
use lettre::AsyncTransport;
use lettre::address::Envelope;
use rand::Rng;

use crate::config::Config;
use crate::domain::target::Target;
use crate::engine::account::MailAccount;
use crate::mail::imap::{ImapEndpoint, login};
use crate::mail::imap_ops::fetch_raw;
use crate::mail::parse::parse_mail;
use crate::store::{Store, TargetFilter};

const FACTS: &str = include_str!("../../assets/demo/replies/facts.txt");
const PARTIAL: &str = include_str!("../../assets/demo/replies/partial.txt");
const AUTOACK: &str = include_str!("../../assets/demo/replies/autoack.txt");
const DECLINE: &str = include_str!("../../assets/demo/replies/decline.txt");
const SLIP: &str = include_str!("../../assets/demo/replies/slip.txt");
const HTML: &str = include_str!("../../assets/demo/replies/html.txt");

/// How one demo property answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Facts,
    Partial,
    AutoAck,
    Decline,
    Slip,
    Html,
}

const STYLES: [Style; 6] = [
    Style::Facts,
    Style::AutoAck,
    Style::Partial,
    Style::Html,
    Style::Decline,
    Style::Slip,
];

pub struct DemoAgent {
    store: Store,
    account: MailAccount,
}

impl DemoAgent {
    pub fn new(config: &Config, store: Store) -> DemoAgent {
        DemoAgent {
            store,
            account: MailAccount::from_config(config),
        }
    }

    /// Answers every unread message in the demo properties' mailboxes; returns how many.
    pub async fn answer_waiting(&self) -> anyhow::Result<usize> {
        let targets: Vec<Target> = self
            .store
            .list_targets(&TargetFilter::default())
            .await?
            .into_iter()
            .filter(|t| t.email.ends_with(".test"))
            .collect();
        let mut answered = 0;
        for target in &targets {
            // Each property keeps its manner: the style follows its id.
            let style = STYLES[(target.id.0 as usize).saturating_sub(1) % STYLES.len()];
            answered += self
                .answer_for(target, style)
                .await
                .with_context(|| format!("demo agent for {}", target.email))?;
        }
        Ok(answered)
    }

    /// Answers now and then, like people do, until Ctrl-C.
    pub async fn run(&self) -> anyhow::Result<()> {
        loop {
            match self.answer_waiting().await {
                Ok(n) if n > 0 => tracing::info!(answered = n, "demo agent replied"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "demo agent"),
            }
            let pause = Duration::from_secs(rand::rng().random_range(5..=20));
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        }
    }

    async fn answer_for(&self, target: &Target, style: Style) -> anyhow::Result<usize> {
        let password = self
            .account
            .imap
            .password
            .clone()
            .context("the demo agent logs in with the IMAP password; none is configured")?;
        let mut session = login(&ImapEndpoint {
            host: &self.account.imap.host,
            port: self.account.imap.port,
            tls: self.account.imap.tls,
            user: &target.email,
            password,
            ca_file: self.account.ca_file.as_deref(),
        })
        .await?;
        session.select("INBOX").await?;
        let mut unseen: Vec<u32> = session.uid_search("UNSEEN").await?.into_iter().collect();
        unseen.sort_unstable();
        let smtp = self.account.smtp_transport()?;
        let mut answered = 0;
        for (uid, raw) in fetch_raw(&mut session, &unseen).await? {
            let asked = parse_mail(&raw);
            if asked.from_addr.is_empty() || asked.from_addr == target.email {
                continue;
            }
            // A second message from the same person (a follow-up) gets the full answer.
            let style = if asked.in_reply_to.is_some() && style != Style::Decline {
                Style::Facts
            } else {
                style
            };
            let reply = compose_reply(target, &asked, style, chrono::Utc::now());
            let envelope =
                Envelope::new(Some(target.email.parse()?), vec![asked.from_addr.parse()?])?;
            smtp.send_raw(&envelope, reply.as_bytes()).await?;
            session
                .uid_store(uid.to_string(), "+FLAGS (\\Seen)")
                .await?
                .for_each(|_| async {})
                .await;
            answered += 1;
        }
        let _ = session.logout().await;
        Ok(answered)
    }
}

use futures::StreamExt as _;

fn fill(template: &str, target: &Target, first: &str) -> String {
    template
        .replace("{first}", first)
        .replace("{property}", &target.name)
        .replace("{beds}", "2")
        .replace("{baths}", "2")
}

/// The agent's answer to `asked` as raw RFC 5322 text, dated `date`.
pub(crate) fn compose_reply(
    target: &Target,
    asked: &crate::mail::parse::ParsedMail,
    style: Style,
    date: chrono::DateTime<chrono::Utc>,
) -> String {
    let first = asked
        .from_name
        .split_whitespace()
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("there");
    let domain = target.email.rsplit('@').next().unwrap_or("property.test");
    let id = format!("{}@{domain}", uuid::Uuid::new_v4().simple());
    let subject = if asked.subject.to_lowercase().starts_with("re:") {
        asked.subject.clone()
    } else {
        format!("Re: {}", asked.subject)
    };
    let mut refs = asked.references.clone();
    if let Some(mid) = &asked.message_id {
        refs.push(mid.clone());
    }
    let mut headers = format!(
        "From: {name} Leasing <{from}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: {date}\r\nMIME-Version: 1.0\r\n",
        name = target.name,
        from = target.email,
        to = asked.from_addr,
        date = date.to_rfc2822(),
    );
    if let Some(mid) = &asked.message_id {
        headers.push_str(&format!("In-Reply-To: <{mid}>\r\n"));
    }
    if !refs.is_empty() {
        let r: Vec<String> = refs.iter().map(|r| format!("<{r}>")).collect();
        headers.push_str(&format!("References: {}\r\n", r.join(" ")));
    }
    let (body, ctype) = match style {
        Style::Facts => (fill(FACTS, target, first), "text/plain"),
        Style::Partial => (fill(PARTIAL, target, first), "text/plain"),
        Style::AutoAck => {
            headers.push_str("Auto-Submitted: auto-replied\r\n");
            (fill(AUTOACK, target, first), "text/plain")
        }
        Style::Decline => (fill(DECLINE, target, first), "text/plain"),
        Style::Slip => (fill(SLIP, target, first), "text/plain"),
        Style::Html => (fill(HTML, target, first), "text/html"),
    };
    let body = body.replace("\r\n", "\n").replace('\n', "\r\n");
    format!(
        "{headers}Content-Type: {ctype}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
    )
}

//! Inbound mail classification (bounce / auto-reply / normal), bounce report details and threading
//! keys. Pure: no IO, no async, no database look-ups, no decisions about shops.

use std::borrow::Cow;

use mail_parser::{Message, MimeHeaders, PartType};

use crate::domain::reply::Reply;

use super::parse::{
    MAX_LIST, ParsedMail, address, angle_inner, ids, mime_type, push_unique, unfold,
};

/// What kind of inbound message this is, for threading and shop state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundClass {
    /// A delivery failure report (DSN or a mail daemon's failure notice).
    Bounce,
    /// Out-of-office and other automatic answers.
    AutoReply,
    /// Anything else: presumably a human.
    Normal,
}

/// Subjects a mail system gives its failure notices (lowercase; matched as substrings).
const BOUNCE_SUBJECTS: [&str; 9] = [
    "undelivered mail returned to sender",
    "delivery status notification (failure)",
    "mail delivery failed",
    "undeliverable:",
    "returned mail:",
    "failure notice",
    "delivery failure",
    "mail delivery failure",
    "undeliverable mail",
];

/// Subjects of automatic answers (lowercase; matched as substrings).
const AUTO_REPLY_SUBJECTS: [&str; 8] = [
    "out of office",
    "out of the office",
    "automatic reply",
    "autoreply",
    "auto-reply",
    "auto reply",
    "away from the office",
    "auto response",
];

/// Bounce first (bounces are often also marked Auto-Submitted), then auto-reply, else normal.
pub fn classify(m: &ParsedMail) -> InboundClass {
    if is_bounce(m) {
        InboundClass::Bounce
    } else if is_auto_reply(m) {
        InboundClass::AutoReply
    } else {
        InboundClass::Normal
    }
}

/// The reply the readers see (see [`Reply`]): the parsed mail's sender, subject and parts, and
/// whether [`classify`] calls it a bounce or an auto-reply.
impl From<&ParsedMail> for Reply {
    fn from(m: &ParsedMail) -> Reply {
        Reply {
            from_addr: m.from_addr.clone(),
            from_name: m.from_name.clone(),
            subject: m.subject.clone(),
            text: m.body_text.clone(),
            html: m.body_html.clone(),
            automatic: classify(m) != InboundClass::Normal,
        }
    }
}

fn is_bounce(m: &ParsedMail) -> bool {
    if m.content_type == "multipart/report" && m.report_type.as_deref() == Some("delivery-status") {
        return true;
    }
    let subject = m.subject.to_lowercase();
    is_daemon_sender(m) && BOUNCE_SUBJECTS.iter().any(|s| subject.contains(s))
}

fn is_auto_reply(m: &ParsedMail) -> bool {
    let auto_submitted = m
        .auto_submitted
        .as_deref()
        .or_else(|| m.header("auto-submitted"))
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"));
    if auto_submitted || m.header("x-autoreply").is_some() || m.header("x-autorespond").is_some() {
        return true;
    }
    let precedence = m
        .header("precedence")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if precedence == "auto_reply" {
        return true;
    }
    // Precedence bulk/junk alone is a mailing list, not an auto-reply: the subject decides, and
    // a typical auto-reply subject is enough on its own.
    auto_reply_subject(&m.subject)
}

fn auto_reply_subject(subject: &str) -> bool {
    let s = subject.trim().to_lowercase();
    s.starts_with("auto:") || AUTO_REPLY_SUBJECTS.iter().any(|p| s.contains(p))
}

/// Bounce details from a delivery report's parts (or a mail daemon's plain-text notice): the
/// failed recipients and the original message's Message-ID. Called by `parse_mail`.
pub(super) fn fill_report_details(p: &mut ParsedMail, msg: &Message<'_>) {
    let daemon = is_daemon_sender(p);
    if p.content_type != "multipart/report" && !daemon {
        return;
    }
    for part in &msg.parts {
        let (ctype, sub) = part
            .content_type()
            .map_or(("", None), |ct| (ct.ctype(), ct.subtype()));
        match (mime_type(ctype, sub).as_str(), &part.body) {
            ("message/delivery-status" | "message/global-delivery-status", body) => {
                for r in dsn_failed_recipients(&part_text(body)) {
                    push_unique(&mut p.failed_recipients, r);
                }
            }
            (_, PartType::Message(inner)) if p.original_message_id.is_none() => {
                p.original_message_id = inner.message_id().and_then(|id| ids(id).next());
            }
            ("text/rfc822-headers", body) if p.original_message_id.is_none() => {
                p.original_message_id = header_message_id(&part_text(body));
            }
            _ => {}
        }
    }
    if p.original_message_id.is_none() && daemon {
        // Non-DSN bounces (qmail, old Exim) quote the original headers in their text.
        p.original_message_id = header_message_id(&p.body_text);
    }
    p.failed_recipients.truncate(MAX_LIST);
}

/// Whether the sender looks like a mail system (mailer-daemon, postmaster, empty Return-Path).
pub(crate) fn is_daemon_sender(p: &ParsedMail) -> bool {
    let local = p.from_addr.split('@').next().unwrap_or_default();
    matches!(local, "mailer-daemon" | "postmaster" | "mail-daemon")
        || p.header("return-path").is_some_and(|rp| {
            let rp = rp.trim();
            rp.is_empty() || rp == "<>"
        })
}

/// Final-/Original-Recipient of every per-recipient block whose Action is "failed" (or absent).
fn dsn_failed_recipients(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for block in text.replace("\r\n", "\n").split("\n\n") {
        let mut recipients = Vec::new();
        let mut failed = true;
        for line in unfold(block).lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let name = name.trim().to_ascii_lowercase();
            match name.as_str() {
                "final-recipient" | "original-recipient" => {
                    let addr = value.split_once(';').map_or(value, |(_, a)| a);
                    recipients.push(address(angle_inner(addr)));
                }
                "action" => failed = value.trim().eq_ignore_ascii_case("failed"),
                _ => {}
            }
        }
        if failed {
            for r in recipients.into_iter().filter(|r| !r.is_empty()) {
                push_unique(&mut out, r);
            }
        }
    }
    out
}

/// The first Message-ID header found in a block of text (headers of a quoted message).
fn header_message_id(text: &str) -> Option<String> {
    let line = text.lines().find(|l| {
        l.get(..11)
            .is_some_and(|n| n.eq_ignore_ascii_case("message-id:"))
    })?;
    ids(&line[11..]).next()
}

fn part_text<'a>(body: &'a PartType<'_>) -> Cow<'a, str> {
    match body {
        PartType::Text(t) | PartType::Html(t) => Cow::Borrowed(t.as_ref()),
        PartType::Binary(b) | PartType::InlineBinary(b) => String::from_utf8_lossy(b),
        _ => Cow::Borrowed(""),
    }
}

/// The Message-IDs to look up among our own outbound mail, most specific first:
/// In-Reply-To, then References from last to first, then (for bounces) the original message id.
/// Deduplicated.
pub fn thread_keys(m: &ParsedMail) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let bounce_original = match classify(m) {
        InboundClass::Bounce => m.original_message_id.as_ref(),
        _ => None,
    };
    let candidates = m
        .in_reply_to
        .iter()
        .chain(m.references.iter().rev())
        .chain(bounce_original);
    for id in candidates {
        if !id.is_empty() && !keys.contains(id) {
            keys.push(id.clone());
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(subject: &str, headers: &[(&str, &str)]) -> ParsedMail {
        ParsedMail {
            from_addr: "agent@property.test".into(),
            subject: subject.into(),
            content_type: "text/plain".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..ParsedMail::default()
        }
    }

    #[test]
    fn auto_submitted_no_is_normal_and_other_values_are_auto() {
        let mut m = mail("Re: 2BR", &[]);
        m.auto_submitted = Some("no".into());
        assert_eq!(classify(&m), InboundClass::Normal);
        m.auto_submitted = Some("auto-replied".into());
        assert_eq!(classify(&m), InboundClass::AutoReply);
    }

    #[test]
    fn header_styles() {
        for h in [
            ("x-autoreply", "yes"),
            ("x-autorespond", "1"),
            ("precedence", "auto_reply"),
        ] {
            assert_eq!(
                classify(&mail("Re: 2BR", &[h])),
                InboundClass::AutoReply,
                "{h:?}"
            );
        }
        let m = mail("Re: 2BR", &[("x-auto-response-suppress", "All")]);
        assert_eq!(classify(&m), InboundClass::Normal);
        let m = mail("Weekly specials", &[("precedence", "bulk")]);
        assert_eq!(classify(&m), InboundClass::Normal);
        let m = mail("Out of Office: Weekly specials", &[("precedence", "junk")]);
        assert_eq!(classify(&m), InboundClass::AutoReply);
    }

    #[test]
    fn subjects() {
        for s in [
            "Out of Office",
            "Automatic reply: Inquiry about a 2BR",
            "AUTO: Inquiry",
            "Autoreply: hi",
            "Auto-Reply from Leasing",
            "Away from the office until Monday",
            "I am out of the office",
        ] {
            assert_eq!(classify(&mail(s, &[])), InboundClass::AutoReply, "{s}");
        }
        for s in [
            "Re: Inquiry about a 2BR",
            "Automobile parking",
            "Re: auto loan",
        ] {
            assert_eq!(classify(&mail(s, &[])), InboundClass::Normal, "{s}");
        }
    }

    #[test]
    fn bounce_needs_daemon_and_subject_or_report() {
        let mut m = mail("Undelivered Mail Returned to Sender", &[]);
        assert_eq!(classify(&m), InboundClass::Normal);
        m.from_addr = "mailer-daemon@mx.test".into();
        assert_eq!(classify(&m), InboundClass::Bounce);
        let mut m = mail("failure notice", &[("return-path", "<>")]);
        assert_eq!(classify(&m), InboundClass::Bounce);
        m.subject = "Hello".into();
        assert_eq!(classify(&m), InboundClass::Normal);
        m.content_type = "multipart/report".into();
        m.report_type = Some("delivery-status".into());
        assert_eq!(classify(&m), InboundClass::Bounce);
        m.report_type = Some("disposition-notification".into());
        assert_eq!(classify(&m), InboundClass::Normal);
    }

    #[test]
    fn thread_keys_order_and_dedup() {
        let mut m = mail("Re: x", &[]);
        m.in_reply_to = Some("c@shop.test".into());
        m.references = vec![
            "a@shop.test".into(),
            "b@shop.test".into(),
            "c@shop.test".into(),
        ];
        m.original_message_id = Some("orig@shop.test".into());
        assert_eq!(
            thread_keys(&m),
            ["c@shop.test", "b@shop.test", "a@shop.test"]
        );
        m.content_type = "multipart/report".into();
        m.report_type = Some("delivery-status".into());
        assert_eq!(
            thread_keys(&m),
            [
                "c@shop.test",
                "b@shop.test",
                "a@shop.test",
                "orig@shop.test"
            ]
        );
        assert!(thread_keys(&ParsedMail::default()).is_empty());
    }
}

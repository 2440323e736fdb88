//! Inbound mail classification (bounce / auto-reply / normal) and threading keys (a delivery
//! report's details are read with the parsing, in `parse::delivery_status`). Pure: no IO, no async, no database look-ups, no decisions about shops.

use crate::domain::reply::Reply;

use super::parse::{ParsedMail, is_daemon_sender};

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

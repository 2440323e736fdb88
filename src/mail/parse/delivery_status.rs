//! Delivery-status reports (RFC 3464 DSNs, and mail daemons' plain-text failure notices): which
//! recipients failed and which message bounced, read while the message is parsed.

use std::borrow::Cow;

use mail_parser::{Message, MimeHeaders, PartType};

use super::{MAX_LIST, ParsedMail, address, angle_inner, ids, mime_type, push_unique, unfold};

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
pub fn is_daemon_sender(p: &ParsedMail) -> bool {
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

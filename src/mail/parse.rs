//! Inbound mail parsing: raw RFC 5322 bytes → the fields the store and threading need. Pure: no IO,
//! no async, never fails or panics outward, and never returns text containing NUL.

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use mail_parser::{
    Address, HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType,
};

/// Longest subject kept, in chars.
pub const MAX_SUBJECT: usize = 1000;
/// Longest address or display name kept, in chars.
pub const MAX_ADDR: usize = 320;
/// Longest Message-ID kept, in chars (the RFC 5322 line limit).
pub const MAX_ID: usize = 998;
/// Most References / addresses / recipients kept per list.
pub const MAX_LIST: usize = 100;
/// Longest kept value of one classification header, in chars.
pub const MAX_HEADER_VALUE: usize = 1000;
/// Longest body (text or HTML) kept, in bytes; the raw message is stored whole anyway.
pub const MAX_BODY: usize = 1 << 20;
/// HTML larger than this is tag-stripped crudely instead of rendered by html2text.
const MAX_HTML_RENDER: usize = 512 * 1024;
const HTML_WIDTH: usize = 100;

/// The headers kept in [`ParsedMail::headers`] for classification.
pub const KEPT_HEADERS: [&str; 8] = [
    "auto-submitted",
    "x-autoreply",
    "x-autorespond",
    "precedence",
    "x-auto-response-suppress",
    "content-type",
    "return-path",
    "x-failed-recipients",
];

/// Everything the store needs from one raw message. Never fails: a message mail-parser cannot
/// parse at all still yields a ParsedMail with `parse_error: Some(reason)` and whatever could be
/// salvaged, so the raw bytes are stored and flagged, never skipped. Every string is NUL-free.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedMail {
    /// Without angle brackets, trimmed; None if absent or empty.
    pub message_id: Option<String>,
    /// The first id of In-Reply-To, no brackets.
    pub in_reply_to: Option<String>,
    /// References ids, no brackets, in order, deduplicated.
    pub references: Vec<String>,
    /// Lowercased address ("" if none).
    pub from_addr: String,
    pub from_name: String,
    /// Lowercased.
    pub to_addrs: Vec<String>,
    /// Lowercased.
    pub cc_addrs: Vec<String>,
    /// Delivered-To / X-Original-To, lowercased.
    pub delivered_to: Vec<String>,
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    /// The text/plain part(s); else the HTML part rendered to text.
    pub body_text: String,
    pub body_html: Option<String>,
    pub parse_error: Option<String>,
    /// Raw Auto-Submitted value.
    pub auto_submitted: Option<String>,
    /// (lowercased name, unfolded value) of the [`KEPT_HEADERS`] present, in message order.
    pub headers: Vec<(String, String)>,
    /// Top-level MIME type, lowercased, e.g. "multipart/report" ("" if nothing parsed).
    pub content_type: String,
    /// The report-type parameter, lowercased, e.g. "delivery-status".
    pub report_type: Option<String>,
    /// Reports and bounces: Message-ID of the original message (message/rfc822 or
    /// text/rfc822-headers part, or a copy quoted in a daemon's text).
    pub original_message_id: Option<String>,
    /// Bounces: failed Final-Recipient / Original-Recipient, or X-Failed-Recipients; lowercased.
    pub failed_recipients: Vec<String>,
}

impl ParsedMail {
    /// The first kept header (see [`KEPT_HEADERS`]) with this name, case-insensitive.
    pub fn header(&self, name: &str) -> Option<&str> {
        let (_, value) = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        Some(value)
    }
}

/// Removes NUL characters, which Postgres text cannot hold.
pub fn strip_nul(s: &str) -> String {
    s.replace('\0', "")
}

/// Parses one raw message. Never panics and never fails; see [`ParsedMail`].
pub fn parse_mail(raw: &[u8]) -> ParsedMail {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return ParsedMail {
            parse_error: Some("empty message".into()),
            ..ParsedMail::default()
        };
    }
    let full = catch_unwind(|| {
        let msg = MessageParser::default().parse(raw)?;
        let mut p = ParsedMail::default();
        fill_headers(&mut p, &msg);
        fill_body(&mut p, &msg);
        Some(p)
    });
    let reason = match full {
        Ok(Some(p)) => return p,
        Ok(None) => "no header fields found",
        Err(_) => "mail-parser panicked",
    };
    salvage(raw, reason)
}

/// Fallback: headers only (if mail-parser can read them), the rest of the bytes as lossy text.
fn salvage(raw: &[u8], reason: &str) -> ParsedMail {
    let mut p = catch_unwind(|| {
        let msg = MessageParser::default().parse_headers(raw)?;
        let mut p = ParsedMail::default();
        fill_headers(&mut p, &msg);
        Some(p)
    })
    .ok()
    .flatten()
    .unwrap_or_default();
    let body = if p.content_type.is_empty() {
        raw
    } else {
        find_sub(raw, b"\r\n\r\n")
            .map(|i| &raw[i + 4..])
            .or_else(|| find_sub(raw, b"\n\n").map(|i| &raw[i + 2..]))
            .unwrap_or_default()
    };
    p.body_text = bounded_bytes(&String::from_utf8_lossy(body), MAX_BODY);
    p.parse_error = Some(reason.to_string());
    p
}

fn fill_headers(p: &mut ParsedMail, msg: &Message<'_>) {
    p.message_id = msg.message_id().and_then(|id| ids(id).next());
    p.in_reply_to = msg
        .header_values(HeaderName::InReplyTo)
        .flat_map(value_ids)
        .next();
    for id in msg
        .header_values(HeaderName::References)
        .flat_map(value_ids)
    {
        push_unique(&mut p.references, id);
    }
    if p.references.len() > MAX_LIST {
        // The last ids are the most specific for threading.
        p.references.drain(..p.references.len() - MAX_LIST);
    }
    if let Some(from) = msg.from().and_then(Address::first) {
        p.from_addr = address(from.address().unwrap_or_default());
        p.from_name = bounded_chars(from.name().unwrap_or_default().trim(), MAX_ADDR);
    }
    p.to_addrs = address_list(msg.all_to());
    p.cc_addrs = address_list(msg.all_cc());
    p.subject = bounded_chars(msg.subject().unwrap_or_default().trim(), MAX_SUBJECT);
    p.date = msg.date().and_then(to_utc);
    p.auto_submitted = msg.header(HeaderName::AutoSubmitted).and_then(|v| match v {
        HeaderValue::Text(t) => Some(bounded_chars(t.trim(), MAX_HEADER_VALUE)),
        _ => None,
    });

    for h in msg.headers() {
        let name = h.name.as_str().to_ascii_lowercase();
        let Some(raw) = msg
            .raw_message
            .get(h.offset_start as usize..h.offset_end as usize)
        else {
            continue;
        };
        let value = unfold(&String::from_utf8_lossy(raw));
        match name.as_str() {
            "delivered-to" | "x-original-to" => {
                let addr = address(angle_inner(&value));
                if !addr.is_empty() && p.delivered_to.len() < MAX_LIST {
                    push_unique(&mut p.delivered_to, addr);
                }
            }
            "x-failed-recipients" => {
                for a in value.split(',').map(address).filter(|a| !a.is_empty()) {
                    push_unique(&mut p.failed_recipients, a);
                }
            }
            _ => {}
        }
        if KEPT_HEADERS.contains(&name.as_str()) && p.headers.len() < 2 * KEPT_HEADERS.len() {
            p.headers
                .push((name, bounded_chars(&value, MAX_HEADER_VALUE)));
        }
    }
    p.failed_recipients.truncate(MAX_LIST);

    let ct = msg.root_part().content_type();
    p.content_type = match ct {
        Some(ct) => mime_type(ct.ctype(), ct.subtype()),
        None => "text/plain".into(),
    };
    p.report_type = ct
        .and_then(|ct| ct.attributes())
        .and_then(|attrs| {
            attrs
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case("report-type"))
        })
        .map(|a| bounded_chars(a.value.trim(), MAX_ADDR).to_ascii_lowercase());
}

fn fill_body(p: &mut ParsedMail, msg: &Message<'_>) {
    let mut text = String::new();
    for part in msg
        .text_body
        .iter()
        .filter_map(|&i| msg.parts.get(i as usize))
    {
        let chunk = match &part.body {
            PartType::Text(t) => Cow::Borrowed(t.as_ref()),
            PartType::Html(h) => Cow::Owned(html_to_text(h)),
            _ => continue,
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&chunk);
        if text.len() > MAX_BODY {
            break;
        }
    }
    let html = msg
        .html_body
        .iter()
        .filter_map(|&i| msg.parts.get(i as usize))
        .find_map(|part| match &part.body {
            PartType::Html(h) => Some(h.as_ref()),
            _ => None,
        });
    if text.trim().is_empty() {
        match (html, &msg.root_part().body) {
            (Some(h), _) => text = html_to_text(h),
            (None, PartType::Text(t)) => text = t.to_string(),
            _ => {}
        }
    }
    p.body_text = bounded_bytes(&text, MAX_BODY);
    p.body_html = html.map(|h| bounded_bytes(h, MAX_BODY));

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

/// HTML rendered to plain text by html2text; a crude tag strip if that fails or input is huge.
fn html_to_text(html: &str) -> String {
    if html.len() <= MAX_HTML_RENDER {
        let rendered = catch_unwind(AssertUnwindSafe(|| {
            html2text::from_read(html.as_bytes(), HTML_WIDTH)
        }));
        if let Ok(Ok(text)) = rendered {
            return text;
        }
    }
    strip_tags(html)
}

/// Drops tags, script and style contents, decodes the commonest entities.
pub(crate) fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag = &rest[lt..];
        let lower: String = tag.chars().take(8).collect::<String>().to_ascii_lowercase();
        let end = if lower.starts_with("<script") || lower.starts_with("<style") {
            let close = if lower.starts_with("<script") {
                "</script"
            } else {
                "</style"
            };
            tag.to_ascii_lowercase().find(close).unwrap_or(tag.len())
        } else {
            0
        };
        match tag[end..].find('>') {
            Some(gt) => rest = &tag[end + gt + 1..],
            None => rest = "",
        }
        if lower.starts_with("<br") || lower.starts_with("<p") || lower.starts_with("</p") {
            out.push('\n');
        }
    }
    out.push_str(rest);
    [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
    ]
    .iter()
    .fold(out, |s, (from, to)| s.replace(from, to))
    .replace("&amp;", "&")
}

fn to_utc(d: &mail_parser::DateTime) -> Option<DateTime<Utc>> {
    let local = NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())?.and_hms_opt(
        d.hour.into(),
        d.minute.into(),
        d.second.into(),
    )?;
    let offset = TimeDelta::seconds(i64::from(d.tz_hour) * 3600 + i64::from(d.tz_minute) * 60);
    let utc = if d.tz_before_gmt {
        local + offset
    } else {
        local - offset
    };
    Some(utc.and_utc())
}

fn mime_type(ctype: &str, subtype: Option<&str>) -> String {
    let s = match subtype {
        Some(sub) => format!("{ctype}/{sub}"),
        None => ctype.to_string(),
    };
    bounded_chars(s.trim(), MAX_ADDR).to_ascii_lowercase()
}

/// Ids from a header value: `<a@b> <c@d>` or bare `a@b c@d`, brackets removed, NUL-free.
fn ids(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == ',')
        .map(|id| strip_nul(id.trim()))
        .filter(|id| !id.is_empty())
        .map(|id| bounded_chars(&id, MAX_ID))
}

fn value_ids<'a>(v: &'a HeaderValue<'_>) -> Box<dyn Iterator<Item = String> + 'a> {
    match v {
        HeaderValue::Text(t) => Box::new(ids(t)),
        HeaderValue::TextList(list) => Box::new(list.iter().flat_map(|t| ids(t))),
        _ => Box::new(std::iter::empty()),
    }
}

fn address_list<'a>(headers: impl Iterator<Item = &'a Address<'a>>) -> Vec<String> {
    let mut out = Vec::new();
    for addr in headers.flat_map(|a| a.iter()) {
        let a = address(addr.address().unwrap_or_default());
        if !a.is_empty() && out.len() < MAX_LIST {
            push_unique(&mut out, a);
        }
    }
    out
}

/// A bare address: trimmed, lowercased, bounded, NUL-free.
fn address(s: &str) -> String {
    bounded_chars(s.trim(), MAX_ADDR).to_lowercase()
}

/// The part between `<` and `>` if any, else the whole value.
fn angle_inner(s: &str) -> &str {
    match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s,
    }
}

fn unfold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if i > 0 && line.starts_with([' ', '\t']) {
            out.push(' ');
            out.push_str(line.trim_start());
        } else {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out.trim().to_string()
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

fn find_sub(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// NUL stripped, at most `max` chars.
fn bounded_chars(s: &str, max: usize) -> String {
    s.chars().filter(|&c| c != '\0').take(max).collect()
}

/// NUL stripped, at most `max` bytes (cut at a char boundary).
fn bounded_bytes(s: &str, max: usize) -> String {
    let mut out = strip_nul(s);
    out.truncate(out.floor_char_boundary(max));
    out
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;

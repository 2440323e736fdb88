//! Inbound mail parsing: raw RFC 5322 bytes → the fields the store and threading need. Pure: no IO,
//! no async, never fails or panics outward, and never returns text containing NUL.

mod delivery_status;

pub use delivery_status::is_daemon_sender;

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use mail_parser::{
    Address, Header, HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType,
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
/// HTML nested deeper than this is tag-stripped crudely too.
const MAX_HTML_DEPTH: usize = 1000;
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
        let mut kept = self.headers.iter();
        kept.find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
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
        // mail-parser accepts any bytes before a colon or newline as a field name.
        if !msg.headers().iter().any(|h| is_field(h, &msg.raw_message)) {
            return Some(Err("no valid header fields"));
        }
        let mut p = ParsedMail::default();
        fill_headers(&mut p, &msg);
        fill_body(&mut p, &msg);
        Some(Ok(p))
    });
    match full {
        Ok(Some(Ok(p))) => p,
        Ok(Some(Err(reason))) => salvage(raw, reason, false),
        Ok(None) => salvage(raw, "no header fields found", false),
        Err(_) => salvage(raw, "mail-parser panicked", true),
    }
}

/// A real header field: an RFC 5322 name followed by a colon. mail-parser also reads a last line
/// with no colon (`Thanks!`) as a field with no value.
fn is_field(h: &Header<'_>, raw: &[u8]) -> bool {
    is_field_name(h.name.as_str())
        && raw
            .get(h.offset_field as usize..h.offset_start as usize)
            .is_some_and(|name_and_colon| name_and_colon.contains(&b':'))
}

/// RFC 5322 field name: printable ASCII except colon.
fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 76
        && name.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

/// Fallback: headers only (if asked and mail-parser can read them), the rest as lossy text.
fn salvage(raw: &[u8], reason: &str, try_headers: bool) -> ParsedMail {
    let headers = || {
        let msg = MessageParser::default().parse_headers(raw)?;
        let mut p = ParsedMail::default();
        fill_headers(&mut p, &msg);
        Some(p)
    };
    let mut p = match try_headers {
        true => catch_unwind(headers).ok().flatten().unwrap_or_default(),
        false => ParsedMail::default(),
    };
    let text = String::from_utf8_lossy(raw);
    let body = match p.content_type.is_empty() {
        true => &text[..],
        false => text
            .split_once("\r\n\r\n")
            .or_else(|| text.split_once("\n\n"))
            .map_or("", |(_, b)| b),
    };
    p.body_text = bounded_bytes(body, MAX_BODY);
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

    delivery_status::fill_report_details(p, msg);
}

/// HTML rendered to plain text by html2text; a crude tag strip if that fails, or if the input is
/// huge or deeply nested (html2text's time grows with the square of the depth).
fn html_to_text(html: &str) -> String {
    if html.len() <= MAX_HTML_RENDER && nesting_depth(html) <= MAX_HTML_DEPTH {
        let rendered = catch_unwind(AssertUnwindSafe(|| {
            html2text::from_read(html.as_bytes(), HTML_WIDTH)
        }));
        if let Ok(Ok(text)) = rendered {
            return text;
        }
    }
    strip_tags(html)
}

/// A rough upper bound of the element nesting depth (unclosed `<p>` etc. count as open).
fn nesting_depth(html: &str) -> usize {
    const VOID: [&str; 12] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr",
    ];
    let (mut depth, mut max) = (0usize, 0usize);
    for tag in html.split('<').skip(1) {
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .take(12)
            .collect::<String>()
            .to_ascii_lowercase();
        let self_closing = tag.split('>').next().is_some_and(|t| t.ends_with('/'));
        if name.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if !name.is_empty() && !self_closing && !VOID.contains(&name.as_str()) {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

/// Drops tags, script and style contents, decodes the commonest entities. Linear time.
pub(crate) fn strip_tags(html: &str) -> String {
    let (mut out, mut rest) = (String::with_capacity(html.len() / 2), html);
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let head = rest
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(t) = ["<script", "<style"]
            .into_iter()
            .find(|t| head.starts_with(t))
        {
            let close = format!("</{}", &t[1..]);
            let mut windows = rest.as_bytes().windows(close.len());
            let at = windows.position(|w| w.eq_ignore_ascii_case(close.as_bytes()));
            rest = &rest[at.unwrap_or(rest.len())..];
        }
        rest = rest.find('>').map_or("", |gt| &rest[gt + 1..]);
        if head.starts_with("<br") || head.starts_with("<p") || head.starts_with("</p") {
            out.push('\n');
        }
    }
    out.push_str(rest);
    let entities = [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
    ];
    let out = entities
        .iter()
        .fold(out, |s, (from, to)| s.replace(from, to));
    out.replace("&amp;", "&")
}

fn to_utc(d: &mail_parser::DateTime) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())?;
    let local = date.and_hms_opt(d.hour.into(), d.minute.into(), d.second.into())?;
    let offset = i64::from(d.tz_hour) * 3600 + i64::from(d.tz_minute) * 60;
    let sign = if d.tz_before_gmt { 1 } else { -1 };
    Some((local + TimeDelta::seconds(sign * offset)).and_utc())
}

pub(super) fn mime_type(ctype: &str, subtype: Option<&str>) -> String {
    let s = match subtype {
        Some(sub) => format!("{ctype}/{sub}"),
        None => ctype.to_string(),
    };
    bounded_chars(s.trim(), MAX_ADDR).to_ascii_lowercase()
}

/// Ids from a header value: `<a@b> <c@d>` or bare `a@b c@d`, brackets removed, NUL-free.
pub(super) fn ids(value: &str) -> impl Iterator<Item = String> + '_ {
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
pub(super) fn address(s: &str) -> String {
    bounded_chars(s.trim(), MAX_ADDR).to_lowercase()
}

/// The part between `<` and `>` if any, else the whole value.
pub(super) fn angle_inner(s: &str) -> &str {
    match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s,
    }
}

/// Joins folded header lines.
pub(super) fn unfold(s: &str) -> String {
    let s = s
        .replace("\r\n", "\n")
        .replace("\n ", " ")
        .replace("\n\t", " ");
    s.trim().to_string()
}

pub(super) fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
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

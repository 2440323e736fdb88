//! Unit tests for `mail::parse` (and classification of parsed messages) on hand-written messages.
//! No files, no services.

use super::*;
use crate::mail::classify::{InboundClass, classify, thread_keys};

/// Every text field of a ParsedMail, for NUL checks.
fn texts(p: &ParsedMail) -> Vec<&str> {
    let mut v: Vec<&str> = vec![
        &p.from_addr,
        &p.from_name,
        &p.subject,
        &p.body_text,
        &p.content_type,
    ];
    v.extend(p.message_id.as_deref());
    v.extend(p.in_reply_to.as_deref());
    v.extend(p.body_html.as_deref());
    v.extend(p.parse_error.as_deref());
    v.extend(p.auto_submitted.as_deref());
    v.extend(p.report_type.as_deref());
    v.extend(p.original_message_id.as_deref());
    for list in [
        &p.references,
        &p.to_addrs,
        &p.cc_addrs,
        &p.delivered_to,
        &p.failed_recipients,
    ] {
        v.extend(list.iter().map(String::as_str));
    }
    for (n, val) in &p.headers {
        v.push(n);
        v.push(val);
    }
    v
}

fn assert_nul_free(p: &ParsedMail) {
    for t in texts(p) {
        assert!(!t.contains('\0'), "NUL in {t:?}");
    }
}

const REPLY: &[u8] = b"Return-Path: <agent@property.test>\r\n\
Delivered-To: Jane.Doe@Shop.test\r\n\
X-Original-To: jane.doe@shop.test\r\n\
From: \"Pat Agent\" <Pat.Agent@Property.TEST>\r\n\
To: Jane Doe <jane.doe@shop.test>, other@shop.test\r\n\
Cc: manager@property.test\r\n\
Subject: Re: Two-bedroom availability\r\n\
Date: Tue, 3 Jun 2025 09:15:00 -0500\r\n\
Message-ID: <reply-1@property.test>\r\n\
In-Reply-To: <third@shop.test>\r\n\
References: <first@shop.test>\r\n <second@shop.test>\r\n\t<first@shop.test> <third@shop.test>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hi Jane,\r\n\r\nYes, the two-bedroom is available from July 1st. Rent is $1,850.\r\n\r\nPat\r\n";

#[test]
fn plain_reply_ids_addresses_and_date() {
    let p = parse_mail(REPLY);
    assert_eq!(p.parse_error, None);
    assert_eq!(p.message_id.as_deref(), Some("reply-1@property.test"));
    assert_eq!(p.in_reply_to.as_deref(), Some("third@shop.test"));
    assert_eq!(
        p.references,
        ["first@shop.test", "second@shop.test", "third@shop.test"]
    );
    assert_eq!(p.from_addr, "pat.agent@property.test");
    assert_eq!(p.from_name, "Pat Agent");
    assert_eq!(p.to_addrs, ["jane.doe@shop.test", "other@shop.test"]);
    assert_eq!(p.cc_addrs, ["manager@property.test"]);
    assert_eq!(p.delivered_to, ["jane.doe@shop.test"]);
    assert_eq!(p.subject, "Re: Two-bedroom availability");
    assert_eq!(p.date.unwrap().to_rfc3339(), "2025-06-03T14:15:00+00:00");
    assert!(p.body_text.contains("Rent is $1,850."));
    assert_eq!(p.body_html, None);
    assert_eq!(p.content_type, "text/plain");
    assert_eq!(p.header("return-path"), Some("<agent@property.test>"));
    assert_eq!(classify(&p), InboundClass::Normal);
    assert_eq!(
        thread_keys(&p),
        ["third@shop.test", "second@shop.test", "first@shop.test"]
    );
}

#[test]
fn html_only_becomes_text_without_tags() {
    let raw = b"From: a@property.test\r\nSubject: Hi\r\nMIME-Version: 1.0\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n\
<html><head><style>p {color: red}</style></head><body><p>Rent is <b>$1,850</b> &amp; \
parking is free.</p><p>Call us</p></body></html>\r\n";
    let p = parse_mail(raw);
    assert!(p.body_text.contains("Rent is"), "{:?}", p.body_text);
    assert!(p.body_text.contains("$1,850"));
    assert!(p.body_text.contains("& parking is free."));
    assert!(
        !p.body_text.contains('<') && !p.body_text.contains("color"),
        "{:?}",
        p.body_text
    );
    assert!(p.body_html.as_deref().unwrap().contains("<b>$1,850</b>"));
}

#[test]
fn crude_tag_strip_fallback() {
    let t = strip_tags("<p>A &amp; B</p><script>alert('<x>')</script><br>C &lt;3");
    assert_eq!(t, "\nA & B\n\nC <3");
}

#[test]
fn nul_bytes_are_stripped() {
    let raw = b"From: a\0b@property.test\r\nSubject: Rent\0 info\r\nMessage-ID: <x\0y@p.test>\r\n\
Content-Type: text/plain\r\n\r\nRent is\0 $1,850.\r\n";
    let p = parse_mail(raw);
    assert_nul_free(&p);
    assert!(p.body_text.contains("Rent is $1,850."));
    assert_eq!(p.subject, "Rent info");
    assert_eq!(strip_nul("a\0b\0"), "ab");
}

#[test]
fn quoted_printable_latin1_and_encoded_subject() {
    let raw = b"From: =?ISO-8859-1?Q?Jos=E9_Mu=F1oz?= <jose@property.test>\r\n\
Subject: =?ISO-8859-1?Q?Caf=E9_and_pi=F1ata_?= =?UTF-8?B?4pyU?=\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=ISO-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n\
Se=F1or, el apartamento est=E1 disponible. Pr=\r\nix: 1 850 =80\r\n";
    let p = parse_mail(raw);
    assert_eq!(p.subject, "Café and piñata ✔");
    assert_eq!(p.from_name, "José Muñoz");
    assert!(
        p.body_text
            .contains("Señor, el apartamento está disponible. Prix"),
        "{:?}",
        p.body_text
    );
}

const DSN: &[u8] = b"Return-Path: <>\r\n\
From: MAILER-DAEMON@mx.shop.test (Mail Delivery System)\r\n\
To: jane.doe@shop.test\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
Auto-Submitted: auto-replied\r\n\
Message-ID: <20250603.ABC@mx.shop.test>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status;\r\n\
\tboundary=\"B1\"\r\n\r\n\
This is a MIME-encapsulated message.\r\n\r\n\
--B1\r\n\
Content-Description: Notification\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\r\n\
I'm sorry to have to inform you that your message could not\r\n\
be delivered to one or more recipients.\r\n\r\n\
<leasing@nowhere.test>: host nowhere.test said: 550 5.1.1 User unknown\r\n\r\n\
--B1\r\n\
Content-Description: Delivery report\r\n\
Content-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; mx.shop.test\r\n\
X-Postfix-Queue-ID: ABC\r\n\
Arrival-Date: Tue,  3 Jun 2025 09:15:00 +0000 (UTC)\r\n\r\n\
Final-Recipient: rfc822; leasing@nowhere.test\r\n\
Original-Recipient: rfc822;leasing@nowhere.test\r\n\
Action: failed\r\n\
Status: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n\
Final-Recipient: rfc822; slow@later.test\r\n\
Action: delayed\r\n\
Status: 4.4.1\r\n\r\n\
--B1\r\n\
Content-Description: Undelivered Message Headers\r\n\
Content-Type: text/rfc822-headers\r\n\r\n\
From: Jane Doe <jane.doe@shop.test>\r\n\
To: leasing@nowhere.test\r\n\
Subject: Two-bedroom availability\r\n\
Message-ID: <abc@shop.test>\r\n\r\n\
--B1--\r\n";

#[test]
fn postfix_dsn_is_bounce_with_original_and_failed_recipient() {
    let p = parse_mail(DSN);
    assert_eq!(p.parse_error, None);
    assert_eq!(p.content_type, "multipart/report");
    assert_eq!(p.report_type.as_deref(), Some("delivery-status"));
    assert_eq!(p.original_message_id.as_deref(), Some("abc@shop.test"));
    assert_eq!(p.failed_recipients, ["leasing@nowhere.test"]);
    assert_eq!(p.from_addr, "mailer-daemon@mx.shop.test");
    assert!(p.body_text.contains("could not"), "{:?}", p.body_text);
    assert!(!p.body_text.contains("Reporting-MTA"));
    assert_eq!(classify(&p), InboundClass::Bounce);
    assert_eq!(thread_keys(&p), ["abc@shop.test"]);
}

#[test]
fn dsn_with_message_rfc822_part() {
    let raw = String::from_utf8_lossy(DSN)
        .replace("text/rfc822-headers", "message/rfc822")
        .replace(
            "Message-ID: <abc@shop.test>\r\n\r\n--B1--",
            "Message-ID: <abc@shop.test>\r\n\r\nHello\r\n--B1--",
        );
    let p = parse_mail(raw.as_bytes());
    assert_eq!(p.original_message_id.as_deref(), Some("abc@shop.test"));
    assert_eq!(classify(&p), InboundClass::Bounce);
}

#[test]
fn qmail_style_bounce_without_report() {
    let raw = b"Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.test\r\nTo: jane@shop.test\r\n\
Subject: failure notice\r\nX-Failed-Recipients: Leasing@Nowhere.test\r\n\r\n\
Hi. This is the qmail-send program.\r\n<leasing@nowhere.test>:\r\nSorry, no mailbox here.\r\n\r\n\
--- Below this line is a copy of the message.\r\n\r\nFrom: jane@shop.test\r\n\
Message-ID: <orig@shop.test>\r\nSubject: Hi\r\n\r\nHello\r\n";
    let p = parse_mail(raw);
    assert_eq!(classify(&p), InboundClass::Bounce);
    assert_eq!(p.failed_recipients, ["leasing@nowhere.test"]);
    assert_eq!(p.original_message_id.as_deref(), Some("orig@shop.test"));
}

fn ooo(extra_header: &str, subject: &str) -> ParsedMail {
    let raw = format!(
        "From: pat@property.test\r\nTo: jane@shop.test\r\nSubject: {subject}\r\n\
{extra_header}Message-ID: <ooo@property.test>\r\nIn-Reply-To: <q@shop.test>\r\n\r\n\
I am away until Monday.\r\n"
    );
    parse_mail(raw.as_bytes())
}

#[test]
fn out_of_office_in_each_header_style() {
    for header in [
        "Auto-Submitted: auto-replied\r\n",
        "Auto-Submitted: auto-generated\r\n",
        "X-Autoreply: yes\r\n",
        "X-Autorespond: Re: Two-bedroom\r\n",
        "Precedence: auto_reply\r\n",
    ] {
        let p = ooo(header, "Re: Two-bedroom availability");
        assert_eq!(classify(&p), InboundClass::AutoReply, "{header}");
    }
    for subject in [
        "Automatic reply: Two-bedroom",
        "Out of Office: Re: Two-bedroom",
        "Auto: hi",
    ] {
        assert_eq!(
            classify(&ooo("", subject)),
            InboundClass::AutoReply,
            "{subject}"
        );
    }
    let p = ooo("Auto-Submitted: auto-replied\r\n", "x");
    assert_eq!(p.auto_submitted.as_deref(), Some("auto-replied"));
    assert_eq!(thread_keys(&p), ["q@shop.test"]);
}

#[test]
fn not_auto_replies() {
    let human = ooo("Auto-Submitted: no\r\n", "Re: Two-bedroom availability");
    assert_eq!(classify(&human), InboundClass::Normal);
    let suppress = ooo(
        "X-Auto-Response-Suppress: All\r\n",
        "Re: Two-bedroom availability",
    );
    assert_eq!(suppress.header("x-auto-response-suppress"), Some("All"));
    assert_eq!(classify(&suppress), InboundClass::Normal);
    let bulk = ooo("Precedence: bulk\r\n", "June specials at Maple Court");
    assert_eq!(bulk.header("precedence"), Some("bulk"));
    assert_eq!(classify(&bulk), InboundClass::Normal);
}

#[test]
fn garbage_and_empty_never_panic() {
    let garbage: Vec<u8> = [0xff_u8, 0x00].repeat(500);
    let mut noisy: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    noisy.extend_from_slice(b"\n\n\0\0");
    for raw in [
        &garbage[..],
        &[][..],
        b"\r\n\r\n",
        &noisy[..],
        b"Subject",
        b":",
        b"From: <\0>",
    ] {
        let p = parse_mail(raw);
        assert_nul_free(&p);
        assert!(p.parse_error.is_some() || p.message_id.is_none(), "{p:?}");
    }
    let p = parse_mail(&garbage);
    assert!(p.parse_error.is_some(), "{p:?}");
    assert_eq!(p.from_addr, "");
    assert!(parse_mail(b"").parse_error.is_some());
}

/// Found by tests/proptest_mail.rs: a lone line with no colon (`!`) passed for a header field.
#[test]
fn text_with_no_header_field_is_a_parse_error() {
    for raw in [
        &b"!"[..],
        b"Thanks!",
        b"Subject",
        b"hello world\r\n\r\nbody",
    ] {
        let p = parse_mail(raw);
        assert!(p.parse_error.is_some(), "{raw:?}: {p:?}");
        assert!(!p.body_text.is_empty(), "the text is kept: {p:?}");
    }
    // A stray line before real fields does not spoil them.
    let p = parse_mail(b"junk\r\nFrom: kim@grove.test\r\nSubject: hi\r\n\r\nbody\r\n");
    assert_eq!(p.parse_error, None);
    assert_eq!(
        (p.from_addr.as_str(), p.subject.as_str()),
        ("kim@grove.test", "hi")
    );
}

#[test]
fn hostile_sizes_are_bounded() {
    let long = "x".repeat(5000);
    let raw = format!(
        "From: {long}@p.test\r\nSubject: {long}\r\nMessage-ID: <{long}>\r\nReferences: {}\r\n\r\nbody\r\n",
        (0..500)
            .map(|i| format!("<r{i}@s.test>"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let p = parse_mail(raw.as_bytes());
    assert_eq!(p.subject.chars().count(), MAX_SUBJECT);
    assert!(p.from_addr.chars().count() <= MAX_ADDR);
    assert!(p.message_id.unwrap().chars().count() <= MAX_ID);
    assert_eq!(p.references.len(), MAX_LIST);
    assert_eq!(p.references.last().map(String::as_str), Some("r499@s.test"));
}

#[test]
fn deeply_nested_html_does_not_blow_up() {
    let html = format!("{}deep{}", "<div>".repeat(20_000), "</div>".repeat(20_000));
    let raw = format!("From: a@p.test\r\nContent-Type: text/html\r\n\r\n{html}\r\n");
    let p = parse_mail(raw.as_bytes());
    assert!(p.body_text.contains("deep"));
}

#[test]
fn nesting_depth_estimate() {
    assert_eq!(
        nesting_depth("<html><body><p>a<br>b<img src=x/></p><hr/></body></html>"),
        3
    );
    assert_eq!(nesting_depth(&"<div>".repeat(50)), 50);
    assert_eq!(nesting_depth("a < b and c<d"), 1);
}

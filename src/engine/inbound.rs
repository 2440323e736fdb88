//! Turns fetched raw messages into rows: parse, classify, thread to a shop. Pure apart from the
//! lookup maps the caller loads once per batch.

use std::collections::HashMap;

use crate::domain::ids::ShopId;
use crate::domain::message::ResponderKind;
use crate::mail::classify::{InboundClass, classify, thread_keys};
use crate::mail::parse::{ParsedMail, parse_mail};
use crate::store::InboundMessage;

/// What threading knows: our outbound Message-IDs (with their shop and the persona address they
/// came from), and the latest shop per (persona address, target address), all lower-cased.
#[derive(Debug, Default)]
pub struct ThreadIndex {
    pub by_message_id: HashMap<String, (ShopId, String)>,
    pub by_addresses: HashMap<(String, String), ShopId>,
}

/// Parses one message and finds its shop. Each mailbox copy is threaded on its own: a copy
/// delivered to one persona (Delivered-To) belongs to that persona's shop, even when the agent
/// answered two personas in one mail that quotes only one of our Message-IDs. Otherwise
/// In-Reply-To/References against our Message-IDs first, then persona address (To, Cc,
/// Delivered-To) + target address (From). `None` = unmatched.
pub fn prepare(uid: u32, raw: Vec<u8>, index: &ThreadIndex) -> InboundMessage {
    let parsed = parse_mail(&raw);
    let keys = thread_keys(&parsed);
    to_row(uid, raw, parsed, &keys, index)
}

/// [`prepare`] for a message already parsed, with its [`thread_keys`] (computed once, by the
/// caller that also looked them up to build `index`).
pub fn to_row(
    uid: u32,
    raw: Vec<u8>,
    parsed: ParsedMail,
    keys: &[String],
    index: &ThreadIndex,
) -> InboundMessage {
    let class = classify(&parsed);
    let by_id = keys
        .iter()
        .find_map(|k| index.by_message_id.get(k).cloned());
    let from = parsed.from_addr.to_lowercase();
    let shop_of = |persona: &String| {
        index
            .by_addresses
            .get(&(persona.to_lowercase(), from.clone()))
            .copied()
    };
    let bounce = class == InboundClass::Bounce;
    // The persona this copy was delivered to, when it is not the one the quoted id names.
    let delivered_elsewhere = || {
        let (_, persona) = by_id.as_ref()?;
        if bounce
            || parsed.delivered_to.is_empty()
            || parsed
                .delivered_to
                .iter()
                .any(|d| d.eq_ignore_ascii_case(persona))
        {
            return None;
        }
        parsed.delivered_to.iter().find_map(shop_of)
    };
    let by_addr = || {
        if bounce {
            return None;
        }
        parsed
            .delivered_to
            .iter()
            .chain(&parsed.to_addrs)
            .chain(&parsed.cc_addrs)
            .find_map(shop_of)
    };
    let shop_id = delivered_elsewhere()
        .or(by_id.as_ref().map(|(shop, _)| *shop))
        .or_else(by_addr);
    InboundMessage {
        uid,
        shop_id,
        message_id: parsed.message_id,
        in_reply_to: parsed.in_reply_to,
        reference_ids: parsed.references,
        from_addr: parsed.from_addr,
        from_name: parsed.from_name,
        to_addrs: parsed.to_addrs,
        cc_addrs: parsed.cc_addrs,
        delivered_to: parsed.delivered_to,
        subject: parsed.subject,
        body_text: parsed.body_text,
        body_html: parsed.body_html,
        raw,
        parse_error: parsed.parse_error,
        is_auto_reply: class == InboundClass::AutoReply,
        is_bounce: class == InboundClass::Bounce,
        responder_kind: (class == InboundClass::AutoReply).then_some(ResponderKind::Auto),
        date_header: parsed.date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> ThreadIndex {
        let mut i = ThreadIndex::default();
        i.by_message_id.insert(
            "a1@shop.test".into(),
            (ShopId(1), "jane.porter@shop.test".into()),
        );
        i.by_addresses.insert(
            ("jane.porter@shop.test".into(), "leasing@grove.test".into()),
            ShopId(2),
        );
        i
    }

    #[test]
    fn threads_by_reply_headers_first() {
        let raw = b"From: Leasing <leasing@grove.test>\r\nTo: jane.porter@shop.test\r\n\
            Message-ID: <r1@grove.test>\r\nIn-Reply-To: <a1@shop.test>\r\nSubject: Re: hi\r\n\r\nYes.\r\n";
        assert_eq!(prepare(1, raw.to_vec(), &index()).shop_id, Some(ShopId(1)));
    }

    #[test]
    fn then_by_persona_and_target_addresses() {
        let raw = b"From: leasing@grove.test\r\nTo: Jane <Jane.Porter@shop.test>\r\n\
            Message-ID: <r2@grove.test>\r\nSubject: hello\r\n\r\nHi Jane\r\n";
        let m = prepare(2, raw.to_vec(), &index());
        assert_eq!(m.shop_id, Some(ShopId(2)));
        assert!(!m.is_auto_reply && !m.is_bounce);
    }

    #[test]
    fn each_copy_threads_to_the_persona_it_was_delivered_to() {
        let mut i = index();
        i.by_addresses.insert(
            ("sam.lee@shop.test".into(), "leasing@grove.test".into()),
            ShopId(3),
        );
        let mail = |to: &str| {
            format!(
                "Delivered-To: {to}\r\nFrom: Leasing <leasing@grove.test>\r\n\
                 To: jane.porter@shop.test, sam.lee@shop.test\r\nMessage-ID: <both@grove.test>\r\n\
                 In-Reply-To: <a1@shop.test>\r\nSubject: Re: hi\r\n\r\nBoth of you: yes.\r\n"
            )
            .into_bytes()
        };
        assert_eq!(
            prepare(1, mail("jane.porter@shop.test"), &i).shop_id,
            Some(ShopId(1))
        );
        assert_eq!(
            prepare(2, mail("Sam.Lee@shop.test"), &i).shop_id,
            Some(ShopId(3))
        );
        // Delivered to someone with no shop here: the quoted id decides.
        assert_eq!(
            prepare(3, mail("other@shop.test"), &i).shop_id,
            Some(ShopId(1))
        );
    }

    #[test]
    fn strangers_are_unmatched_and_auto_replies_flagged() {
        let raw = b"From: someone@else.test\r\nTo: jane.porter@shop.test\r\nAuto-Submitted: auto-replied\r\n\
            Subject: Out of office\r\n\r\nAway\r\n";
        let m = prepare(3, raw.to_vec(), &index());
        assert_eq!(m.shop_id, None);
        assert!(m.is_auto_reply);
        assert_eq!(m.responder_kind, Some(ResponderKind::Auto));
    }
}

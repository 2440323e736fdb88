//! Property-based tests (proptest) of inbound mail: parsing, classification and threading never
//! panic on arbitrary bytes, nor on messages of the shared MIME corpus mutated (truncated, bytes
//! flipped, inserted or deleted, headers duplicated or added, the header/body separator stripped,
//! line ends changed, chunks spliced), and the raw bytes are always kept exactly, parsed and
//! stored. Threading: a message from a target to a persona address the index knows threads to
//! that shop, however the address is written and whatever else the index holds.
//!
//! The corpus is `../shared/corpus/mime` (or `$SECRET_SHOP_MIME_CORPUS`). The storing property
//! needs the real Postgres; the others need no services. Case counts are bounded so the file
//! runs in seconds in a debug build.

mod common;

use std::cell::Cell;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use secret_shop::domain::address::AddressMode;
use secret_shop::domain::ids::ShopId;
use secret_shop::engine::inbound::{ThreadIndex, prepare};
use secret_shop::mail::classify::{InboundClass, classify, thread_keys};
use secret_shop::mail::parse::{MAX_BODY, MAX_LIST, MAX_SUBJECT, parse_mail};
use secret_shop::store::{InboundBatch, InboundMessage};

/// The corpus, read once.
fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        common::corpus_files()
            .iter()
            .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display())))
            .collect()
    })
}

/// A position in a message: taken modulo its length (shrinks towards the start).
type Pos = usize;

/// One change to a message's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(Pos),
    Flip(Pos, u8),
    Insert(Pos, Vec<u8>),
    Delete(Pos, usize),
    /// One header line again, right after itself.
    DuplicateHeader(Pos),
    /// The blank line between header and body taken out.
    StripSeparator,
    /// CRLF to bare LF, or bare LF to CRLF.
    LineEnds(bool),
    /// A header line before the others.
    Prepend(Vec<u8>),
    /// A chunk of the message copied elsewhere (boundaries, nested parts, encoded words).
    Splice(Pos, Pos, usize),
}

/// Header lines that steer parsing and classification, some broken on purpose.
const TRICKY_HEADERS: &[&str] = &[
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"",
    "Content-Type: multipart/mixed; boundary=\"\"",
    "Content-Type: message/rfc822",
    "Content-Type: text/html; charset=\"x-unknown\"",
    "Content-Transfer-Encoding: base64",
    "Content-Transfer-Encoding: quoted-printable",
    "Auto-Submitted: auto-replied",
    "Precedence: bulk",
    "From: MAILER-DAEMON@example.test",
    "Return-Path: <>",
    "In-Reply-To: <",
    "References: <<<>>> < > <a@b",
    "Message-ID: <>",
    "Delivered-To: ",
    "X-Failed-Recipients: ,,, ,",
    "Subject: =?utf-8?B?broken?=",
    "Subject: =?x-unknown?Q?=FF=00?=",
    "Date: Mon, 99 Foo 99999 99:99:99 +9999",
    "To: undisclosed-recipients:;",
    ":",
    " folded continuation with no field",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let header = prop_oneof![
        prop::sample::select(TRICKY_HEADERS).prop_map(|h| h.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..40),
    ];
    prop_oneof![
        any::<Pos>().prop_map(Mutation::Truncate),
        (any::<Pos>(), 1..=255u8).prop_map(|(i, m)| Mutation::Flip(i, m)),
        (any::<Pos>(), prop::collection::vec(any::<u8>(), 1..24))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Pos>(), 1..64usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<Pos>().prop_map(Mutation::DuplicateHeader),
        Just(Mutation::StripSeparator),
        any::<bool>().prop_map(Mutation::LineEnds),
        header.prop_map(Mutation::Prepend),
        (any::<Pos>(), any::<Pos>(), 1..200usize).prop_map(|(a, b, n)| Mutation::Splice(a, b, n)),
    ]
}

/// Where the header block ends: just after the last header line's line break, before the blank
/// line; the whole message if there is no blank line.
fn header_end(raw: &[u8]) -> usize {
    let crlf = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 2);
    let lf = raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 1);
    crlf.into_iter().chain(lf).min().unwrap_or(raw.len())
}

fn apply(raw: &mut Vec<u8>, m: &Mutation) {
    let at = |i: &Pos, len: usize| if len == 0 { 0 } else { i % len };
    match m {
        Mutation::Truncate(i) => raw.truncate(at(i, raw.len() + 1)),
        Mutation::Flip(i, mask) if !raw.is_empty() => {
            let i = at(i, raw.len());
            raw[i] ^= mask;
        }
        Mutation::Flip(..) => {}
        Mutation::Insert(i, bytes) => {
            let i = at(i, raw.len() + 1);
            raw.splice(i..i, bytes.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let i = at(i, raw.len() + 1);
            raw.drain(i..(i + n).min(raw.len()));
        }
        Mutation::DuplicateHeader(i) => {
            let head = &raw[..header_end(raw)];
            let starts: Vec<usize> = std::iter::once(0)
                .chain(
                    head.iter()
                        .enumerate()
                        .filter(|(_, b)| **b == b'\n')
                        .map(|(k, _)| k + 1),
                )
                .filter(|s| *s < head.len())
                .collect();
            if starts.is_empty() {
                return;
            }
            let start = starts[at(i, starts.len())];
            let end = head[start..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(head.len(), |k| start + k + 1);
            let line = raw[start..end].to_vec();
            raw.splice(end..end, line);
        }
        Mutation::StripSeparator => {
            let end = header_end(raw);
            if raw[end..].starts_with(b"\r\n") {
                raw.drain(end..end + 2);
            } else if raw[end..].starts_with(b"\n") {
                raw.remove(end);
            }
        }
        Mutation::LineEnds(to_lf) => {
            let text = std::mem::take(raw);
            let mut out = Vec::with_capacity(text.len() + text.len() / 20);
            for (k, b) in text.iter().enumerate() {
                match (*to_lf, *b) {
                    (true, b'\r') if text.get(k + 1) == Some(&b'\n') => {}
                    (false, b'\n') if k == 0 || text[k - 1] != b'\r' => {
                        out.extend_from_slice(b"\r\n");
                    }
                    _ => out.push(*b),
                }
            }
            *raw = out;
        }
        Mutation::Prepend(line) => {
            let mut out = line.clone();
            out.extend_from_slice(b"\r\n");
            out.append(raw);
            *raw = out;
        }
        Mutation::Splice(from, to, n) => {
            let from = at(from, raw.len() + 1);
            let chunk = raw[from..(from + n).min(raw.len())].to_vec();
            let to = at(to, raw.len() + 1);
            raw.splice(to..to, chunk);
        }
    }
}

/// A corpus message with a few mutations applied.
fn mutated_corpus_message() -> impl Strategy<Value = Vec<u8>> {
    (0..corpus().len(), prop::collection::vec(mutation(), 1..5)).prop_map(|(which, mutations)| {
        let mut raw = corpus()[which].clone();
        for m in &mutations {
            apply(&mut raw, m);
        }
        raw
    })
}

/// Bytes that look like mail often enough to get past the header parser.
fn mail_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(
            ("[A-Za-z-]{1,16}", prop::collection::vec(any::<u8>(), 0..60)),
            0..10,
        ),
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..400),
    )
        .prop_map(|(headers, blank, body)| {
            let mut raw = Vec::new();
            for (name, value) in headers {
                raw.extend_from_slice(name.as_bytes());
                raw.extend_from_slice(b": ");
                raw.extend(value);
                raw.extend_from_slice(b"\r\n");
            }
            if blank {
                raw.extend_from_slice(b"\r\n");
            }
            raw.extend(body);
            raw
        })
}

/// An index with arbitrary keys: threading must not trip over what the store holds.
fn arbitrary_index() -> impl Strategy<Value = ThreadIndex> {
    (
        prop::collection::hash_map(any::<String>(), (any::<i64>(), any::<String>()), 0..6),
        prop::collection::hash_map((any::<String>(), any::<String>()), any::<i64>(), 0..6),
    )
        .prop_map(|(ids, addrs)| ThreadIndex {
            by_message_id: ids
                .into_iter()
                .map(|(k, (s, p))| (k, (ShopId(s), p)))
                .collect(),
            by_addresses: addrs.into_iter().map(|(k, s)| (k, ShopId(s))).collect(),
        })
}

/// What must hold for any input: no panic (proptest fails a case that panics), the raw bytes
/// kept exactly, text fit for Postgres (no NUL) and within bounds, classification and threading
/// keys consistent with the row, and a message with no header field flagged as a parse error.
fn check_inbound(raw: &[u8], index: &ThreadIndex) -> Result<InboundMessage, TestCaseError> {
    let m = prepare(7, raw.to_vec(), index);
    prop_assert!(m.raw == raw, "the raw bytes changed");
    let parsed = parse_mail(raw);
    prop_assert_eq!(&parsed, &parse_mail(raw), "parsing is deterministic");
    let class = classify(&parsed);
    prop_assert_eq!(m.is_bounce, class == InboundClass::Bounce);
    prop_assert_eq!(m.is_auto_reply, class == InboundClass::AutoReply);
    for k in thread_keys(&parsed) {
        prop_assert!(!k.is_empty() && !k.contains('\0'), "thread key {:?}", k);
    }
    let texts = [&m.from_addr, &m.from_name, &m.subject, &m.body_text]
        .into_iter()
        .chain(&m.message_id)
        .chain(&m.in_reply_to)
        .chain(&m.body_html)
        .chain(&m.parse_error)
        .chain(&m.reference_ids)
        .chain(&m.to_addrs)
        .chain(&m.cc_addrs)
        .chain(&m.delivered_to);
    for t in texts {
        prop_assert!(!t.contains('\0'), "NUL in {:?}", t);
    }
    prop_assert!(m.subject.chars().count() <= MAX_SUBJECT);
    prop_assert!(m.body_text.len() <= MAX_BODY);
    for list in [&m.reference_ids, &m.to_addrs, &m.cc_addrs, &m.delivered_to] {
        prop_assert!(list.len() <= MAX_LIST);
    }
    if !raw.contains(&b':') {
        prop_assert!(
            m.parse_error.is_some(),
            "no header field, yet no parse error"
        );
    }
    Ok(m)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_and_keep_their_raw_bytes(
        raw in prop_oneof![prop::collection::vec(any::<u8>(), 0..1024), mail_like_bytes()],
        index in arbitrary_index(),
    ) {
        check_inbound(&raw, &index)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn mutated_corpus_messages_never_panic_and_keep_their_raw_bytes(
        raw in mutated_corpus_message(),
        index in arbitrary_index(),
    ) {
        check_inbound(&raw, &index)?;
    }
}

/// An address as the store keeps it: lower case, never a mail system's.
fn address() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9._-]{0,10}@[a-z][a-z0-9-]{0,10}\\.test".prop_filter(
        "a person, not a daemon",
        |a| {
            let local = a.split('@').next().unwrap_or_default();
            !matches!(local, "mailer-daemon" | "postmaster" | "mail-daemon")
        },
    )
}

/// Which header names the persona.
#[derive(Debug, Clone, Copy)]
enum Slot {
    To,
    ToAmongOthers,
    Cc,
    DeliveredTo,
}

#[derive(Debug, Clone)]
struct Threading {
    persona: String,
    target: String,
    shop: i64,
    /// Other shops of the index: (persona, target, shop).
    others: Vec<(String, String, i64)>,
    slot: Slot,
    upper: bool,
    display_name: String,
    subject: String,
    body: String,
    /// An In-Reply-To naming nothing of ours.
    stray_reply_to: Option<String>,
}

fn threading() -> impl Strategy<Value = Threading> {
    (
        (address(), address(), 1..1_000_000i64),
        prop::collection::vec((address(), address(), 1..1_000_000i64), 0..6),
        prop_oneof![
            Just(Slot::To),
            Just(Slot::ToAmongOthers),
            Just(Slot::Cc),
            Just(Slot::DeliveredTo)
        ],
        any::<bool>(),
        "[A-Za-z .]{0,20}",
        "[ -~]{0,60}",
        "[ -~\r\n]{0,200}",
        prop::option::of("[a-z0-9.]{1,20}@nowhere\\.invalid"),
    )
        .prop_map(
            |(
                (persona, target, shop),
                others,
                slot,
                upper,
                display_name,
                subject,
                body,
                stray_reply_to,
            )| Threading {
                // The other shops never claim this persona and target.
                others: others
                    .into_iter()
                    .filter(|(p, t, _)| (p, t) != (&persona, &target))
                    .collect(),
                persona,
                target,
                shop,
                slot,
                upper,
                display_name,
                subject,
                body,
                stray_reply_to,
            },
        )
}

impl Threading {
    fn index(&self) -> ThreadIndex {
        let mut i = ThreadIndex::default();
        for (p, t, s) in &self.others {
            i.by_addresses.insert((p.clone(), t.clone()), ShopId(*s));
        }
        i.by_addresses.insert(
            (self.persona.clone(), self.target.clone()),
            ShopId(self.shop),
        );
        i
    }

    fn raw(&self) -> Vec<u8> {
        let persona = match self.upper {
            true => self.persona.to_uppercase(),
            false => self.persona.clone(),
        };
        let someone = "someone.else@elsewhere.test";
        let mut h = String::new();
        if let Slot::DeliveredTo = self.slot {
            h += &format!("Delivered-To: {persona}\r\n");
        }
        h += &format!("From: \"{}\" <{}>\r\n", self.display_name, self.target);
        h += &match self.slot {
            Slot::To => format!("To: {persona}\r\n"),
            Slot::ToAmongOthers => format!("To: {someone}, \"{}\" <{persona}>\r\n", "Jane"),
            Slot::Cc => format!("To: {someone}\r\nCc: {persona}\r\n"),
            Slot::DeliveredTo => format!("To: {someone}\r\n"),
        };
        h += &format!(
            "Subject: {}\r\nMessage-ID: <{}@x.test>\r\n",
            self.subject, self.shop
        );
        if let Some(id) = &self.stray_reply_to {
            h += &format!("In-Reply-To: <{id}>\r\n");
        }
        format!("{h}\r\n{}", self.body).into_bytes()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_message_to_a_known_persona_threads_to_its_shop(t in threading()) {
        let raw = t.raw();
        let m = check_inbound(&raw, &t.index())?;
        prop_assert!(!m.is_bounce);
        prop_assert_eq!(m.shop_id, Some(ShopId(t.shop)), "{}", String::from_utf8_lossy(&raw));
    }

    /// One agent mail quoting another persona's inquiry, delivered to this persona: this copy
    /// belongs to this persona's shop, not to the one the quoted Message-ID names.
    #[test]
    fn a_copy_delivered_to_a_persona_threads_to_its_shop_whatever_it_quotes(
        t in threading(),
        other in address(),
        other_shop in 1..1_000_000i64,
    ) {
        prop_assume!(other != t.persona);
        let mut t = t;
        t.slot = Slot::DeliveredTo;
        t.stray_reply_to = Some("theirs@shop.test".into());
        let mut index = t.index();
        index
            .by_message_id
            .insert("theirs@shop.test".into(), (ShopId(other_shop), other));
        let m = check_inbound(&t.raw(), &index)?;
        prop_assert_eq!(m.shop_id, Some(ShopId(t.shop)));
    }
}

/// Stored in the real Postgres, every copy reads back byte for byte, whatever it holds: the
/// batch never fails on what a message contains.
#[test]
fn stored_copies_keep_their_raw_bytes_exactly() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (store, _) = rt.block_on(common::fresh_database());
    let mailbox = rt
        .block_on(store.ensure_mailbox("ops@proptest.test", AddressMode::CatchAll))
        .expect("a mailbox");
    let messages = prop::collection::vec(
        prop_oneof![
            mutated_corpus_message(),
            prop::collection::vec(any::<u8>(), 0..512),
            mail_like_bytes(),
        ],
        1..16,
    );
    let mut runner = TestRunner::new(Config {
        cases: 16,
        ..Config::default()
    });
    let folder = Cell::new(0u32);
    let index = ThreadIndex::default();
    runner
        .run(&messages, |raws| {
            // A folder per case: every case starts from UID 1.
            folder.set(folder.get() + 1);
            let batch = InboundBatch {
                mailbox: mailbox.id,
                folder: format!("INBOX.case{}", folder.get()),
                uidvalidity: 1,
                highest_uid: raws.len() as u32,
                messages: raws
                    .iter()
                    .enumerate()
                    .map(|(k, raw)| prepare(k as u32 + 1, raw.clone(), &index))
                    .collect(),
                lease: None,
            };
            let outcome = rt
                .block_on(store.ingest_batch(&batch, secret_shop::domain::reaction::on_arrival))
                .map_err(|e| TestCaseError::fail(format!("ingest failed: {e}")))?;
            prop_assert_eq!(outcome.stored.len(), raws.len(), "every copy is stored");
            for (id, raw) in outcome.stored.iter().zip(&raws) {
                let back = rt
                    .block_on(store.message_raw(*id))
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(back.as_deref() == Some(&raw[..]), "message {} changed", id);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_mutations_do_what_they_say() {
    let mut raw = b"A: 1\r\nB: 2\r\n\r\nbody\nline\r\n".to_vec();
    apply(&mut raw, &Mutation::StripSeparator);
    assert_eq!(raw, b"A: 1\r\nB: 2\r\nbody\nline\r\n");
    apply(&mut raw, &Mutation::LineEnds(true));
    assert_eq!(raw, b"A: 1\nB: 2\nbody\nline\n");
    apply(&mut raw, &Mutation::LineEnds(false));
    assert_eq!(raw, b"A: 1\r\nB: 2\r\nbody\r\nline\r\n");
    let mut raw = b"A: 1\r\nB: 2\r\n\r\nbody".to_vec();
    apply(&mut raw, &Mutation::DuplicateHeader(1));
    assert_eq!(raw, b"A: 1\r\nB: 2\r\nB: 2\r\n\r\nbody");
    apply(&mut raw, &Mutation::Truncate(6));
    assert_eq!(raw, b"A: 1\r\n");
}

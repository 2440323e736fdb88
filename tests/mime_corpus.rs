//! Robustness of inbound parsing over the shared MIME corpus (../shared/corpus/mime, or
//! $SECRET_SHOP_MIME_CORPUS): every message parses without panicking and yields NUL-free text.
//! Needs no services; must not write anything.

use std::panic::catch_unwind;

use secret_shop::mail::classify::{classify, thread_keys};
use secret_shop::mail::parse::{ParsedMail, parse_mail};

mod common;

fn texts(p: &ParsedMail) -> Vec<(&'static str, &str)> {
    let mut v = vec![
        ("from_addr", p.from_addr.as_str()),
        ("from_name", &p.from_name),
        ("subject", &p.subject),
        ("body_text", &p.body_text),
        ("content_type", &p.content_type),
    ];
    let optional = [
        ("message_id", &p.message_id),
        ("in_reply_to", &p.in_reply_to),
        ("body_html", &p.body_html),
        ("parse_error", &p.parse_error),
        ("auto_submitted", &p.auto_submitted),
        ("report_type", &p.report_type),
        ("original_message_id", &p.original_message_id),
    ];
    for (name, value) in optional {
        v.extend(value.as_deref().map(|s| (name, s)));
    }
    let lists = [
        ("references", &p.references),
        ("to_addrs", &p.to_addrs),
        ("cc_addrs", &p.cc_addrs),
        ("delivered_to", &p.delivered_to),
        ("failed_recipients", &p.failed_recipients),
    ];
    for (name, list) in lists {
        v.extend(list.iter().map(|s| (name, s.as_str())));
    }
    for (n, value) in &p.headers {
        v.push(("headers", n));
        v.push(("headers", value));
    }
    v
}

#[test]
fn every_corpus_message_parses_without_panic_and_nul_free() {
    let dir = common::corpus_dir();
    let files = common::corpus_files();
    let mut parsed = 0;
    let mut panicked = Vec::new();
    let mut nul = Vec::new();
    for path in &files {
        let raw = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let name = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .display()
            .to_string();
        let Ok(p) = catch_unwind(|| {
            let p = parse_mail(&raw);
            let class = classify(&p);
            let keys = thread_keys(&p);
            (p, class, keys)
        }) else {
            panicked.push(name);
            continue;
        };
        let (p, class, keys) = p;
        parsed += 1;
        for (field, text) in texts(&p) {
            if text.contains('\0') {
                nul.push(format!("{name}: {field}"));
            }
        }
        assert!(
            keys.iter().all(|k| !k.is_empty() && !k.contains('\0')),
            "{name}: {keys:?}"
        );
        println!(
            "{name}: {class:?} {} err={:?} id={:?} subject={:?} text={}B",
            p.content_type,
            p.parse_error,
            p.message_id,
            p.subject.chars().take(40).collect::<String>(),
            p.body_text.len()
        );
    }
    assert!(panicked.is_empty(), "parse panicked on: {panicked:?}");
    assert!(nul.is_empty(), "NUL in text fields: {nul:?}");
    assert_eq!(parsed, files.len(), "every file found must be parsed");
}

//! Amenities a sentence names, from the vocabulary in `assets/amenities.txt` (canonical name and
//! synonyms; community or unit). Pure: the vocabulary is compiled in, nothing is read at run time,
//! and negated mentions ("we don't have a pool") and questions are not amenities.

use std::sync::LazyLock;

use super::text::{Sentence, find_all, words};

const VOCABULARY: &str = include_str!("../../../assets/amenities.txt");

/// One amenity of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    /// An amenity of a home (washer/dryer, balcony) rather than of the property.
    pub unit: bool,
}

struct Vocab {
    entries: Vec<Entry>,
    /// (phrase, entry index), longest phrase first.
    phrases: Vec<(String, usize)>,
}

static VOCAB: LazyLock<Vocab> = LazyLock::new(|| parse(VOCABULARY));

fn parse(text: &str) -> Vocab {
    let mut entries = Vec::new();
    let mut phrases = Vec::new();
    let mut unit = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            unit = line.eq_ignore_ascii_case("[unit]");
            continue;
        }
        let names: Vec<String> = line
            .split('|')
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        let Some(first) = names.first() else { continue };
        entries.push(Entry {
            name: first.clone(),
            unit,
        });
        for n in names {
            phrases.push((n, entries.len() - 1));
        }
    }
    phrases.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    Vocab { entries, phrases }
}

/// Every canonical amenity name of the vocabulary.
pub fn vocabulary() -> impl Iterator<Item = &'static Entry> {
    VOCAB.entries.iter()
}

/// The amenities a sentence names, in order of appearance, each once.
pub fn find(s: &Sentence) -> Vec<&'static Entry> {
    if s.is_question() {
        return Vec::new();
    }
    let vocab = &*VOCAB;
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    for (phrase, entry) in &vocab.phrases {
        for at in find_all(&s.lower, phrase) {
            let end = at + phrase.len();
            if spans.iter().any(|&(a, b, _)| at < b && a < end) || negated(&s.lower, at) {
                continue;
            }
            spans.push((at, end, *entry));
        }
    }
    spans.sort_by_key(|x| x.0);
    let mut out: Vec<&'static Entry> = Vec::new();
    for (_, _, e) in spans {
        let entry = &vocab.entries[e];
        if !out.iter().any(|x| x.name == entry.name) {
            out.push(entry);
        }
    }
    out
}

/// "no pool", "we don't have a dog park", "there isn't a gym", "without a balcony".
fn negated(lower: &str, at: usize) -> bool {
    let from = lower.floor_char_boundary(at.saturating_sub(40));
    let mut head = &lower[from..at];
    if let Some(cut) = head.rfind([',', ';', ':', '(']) {
        head = &head[cut + 1..];
    }
    let ws = words(head);
    ws.iter().rev().take(3).any(|(_, _, w)| {
        matches!(
            *w,
            "no" | "not" | "without" | "don" | "isn" | "aren" | "doesn" | "lack" | "nor"
        )
    }) || [
        "don't have",
        "do not have",
        "doesn't have",
        "does not have",
        "don't offer",
        "do not offer",
    ]
    .iter()
    .any(|p| head.contains(p))
}

//! Word diffs between two versions of a draft: what an operator reads to see what changed.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Same,
    Added,
    Removed,
}

/// A run of text that is the same, added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub change: Change,
    pub text: String,
}

/// The words of `new` against `old`, neighbouring runs of one kind merged.
pub fn word_diff(old: &str, new: &str) -> Vec<Piece> {
    let diff = TextDiff::from_words(old, new);
    let mut out: Vec<Piece> = Vec::new();
    for c in diff.iter_all_changes() {
        let change = match c.tag() {
            ChangeTag::Equal => Change::Same,
            ChangeTag::Insert => Change::Added,
            ChangeTag::Delete => Change::Removed,
        };
        match out.last_mut() {
            Some(last) if last.change == change => last.text.push_str(c.value()),
            _ => out.push(Piece {
                change,
                text: c.value().to_string(),
            }),
        }
    }
    out
}

/// (words added, words removed).
pub fn counts(pieces: &[Piece]) -> (usize, usize) {
    let words = |c: Change| {
        pieces
            .iter()
            .filter(|p| p.change == c)
            .map(|p| p.text.split_whitespace().count())
            .sum()
    };
    (words(Change::Added), words(Change::Removed))
}

/// Plain text with `[-removed-]` and `{+added+}` marks (the CLI's and a log's form).
pub fn marked(pieces: &[Piece]) -> String {
    pieces.iter().map(marked_piece).collect()
}

/// One run with its marks (none for text that is the same).
pub fn marked_piece(p: &Piece) -> String {
    let mut s = String::new();
    match p.change {
        Change::Same => s.push_str(&p.text),
        Change::Added => mark(&mut s, "{+", &p.text, "+}"),
        Change::Removed => mark(&mut s, "[-", &p.text, "-]"),
    }
    s
}

/// Marks the words of a run, leaving its surrounding whitespace outside the marks.
fn mark(s: &mut String, open: &str, text: &str, close: &str) {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        s.push_str(text);
        return;
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let tail = &text[text.trim_end().len()..];
    s.push_str(lead);
    s.push_str(open);
    s.push_str(trimmed);
    s.push_str(close);
    s.push_str(tail);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_added_and_removed_are_marked() {
        let d = word_diff(
            "Could you tell me the fee?\nThanks,\nAva",
            "Could you tell me the fee and parking?\nThanks,\nAva",
        );
        assert_eq!(
            marked(&d),
            "Could you tell me the [-fee?-]{+fee and parking?+}\nThanks,\nAva"
        );
        assert_eq!(counts(&d), (3, 1));
    }

    #[test]
    fn the_same_text_has_no_changes() {
        let d = word_diff("Hi there,\nAva", "Hi there,\nAva");
        assert_eq!(counts(&d), (0, 0));
        assert!(d.iter().all(|p| p.change == Change::Same));
    }
}

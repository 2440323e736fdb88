//! Text helpers for the offline rules: normalising, cutting a reply into sentences, and whole-word
//! phrase search on ASCII-lowercased copies (byte offsets stay valid). Pure; no regex, no IO, and
//! nothing here may panic on any input.

/// Longest evidence kept, in chars.
pub const MAX_EVIDENCE: usize = 300;

/// Straight quotes and plain spaces, no CR, no `**` (html2text's bold marks).
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\0' => {}
            '\u{a0}' | '\u{2009}' | '\u{202f}' | '\u{2007}' | '\t' => out.push(' '),
            '\u{2018}' | '\u{2019}' | '\u{2032}' => out.push('\''),
            '\u{201c}' | '\u{201d}' => out.push('"'),
            '\u{200b}' | '\u{feff}' | '\u{ad}' => {}
            c => out.push(c),
        }
    }
    out.replace("**", "")
}

/// At most `max` chars, trimmed.
pub fn clip(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].trim_end().to_string(),
        None => s.to_string(),
    }
}

/// One sentence (or list item / table row) of a reply, as the evidence of what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    pub text: String,
    /// ASCII-lowercased `text` (same byte offsets).
    pub lower: String,
}

impl Sentence {
    pub fn new(text: &str) -> Sentence {
        let text = text.trim().to_string();
        Sentence {
            lower: text.to_ascii_lowercase(),
            text,
        }
    }

    pub fn is_question(&self) -> bool {
        self.text
            .trim_end_matches([' ', ')', '"', '\''])
            .ends_with('?')
    }

    pub fn evidence(&self) -> String {
        clip(&self.text, MAX_EVIDENCE)
    }
}

/// A list item: `- x`, `* x`, `• x`, `1. x`, `1) x`.
pub fn bullet_body(line: &str) -> Option<&str> {
    let t = line.trim_start();
    for mark in ["- ", "* ", "• ", "· ", "– ", "o "] {
        if let Some(rest) = t.strip_prefix(mark) {
            return Some(rest);
        }
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = &t[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(r);
        }
    }
    None
}

/// A row of a text table (html2text's `│` grid, or `|` columns).
pub fn is_table_line(line: &str) -> bool {
    line.matches('│').count() >= 2 || line.matches('|').count() >= 2
}

/// A border line of a text table: only box-drawing and ASCII rule characters.
pub fn is_rule_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| "─━┼┬┴├┤┌┐└┘═+-=_|│ ".contains(c) || ('\u{2500}'..='\u{257f}').contains(&c))
}

/// Logical lines: wrapped paragraph lines joined again, list items and table rows kept apart.
pub fn logical_lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut last_len = 0usize;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || is_rule_line(line) {
            flush(&mut out, &mut cur);
            continue;
        }
        let bullet = bullet_body(line);
        let table = is_table_line(line);
        let joins = !cur.is_empty() && last_len >= 60 && bullet.is_none() && !table;
        if joins && !cur.ends_with(':') {
            cur.push(' ');
            cur.push_str(line);
        } else {
            flush(&mut out, &mut cur);
            cur.push_str(bullet.unwrap_or(line).trim());
        }
        last_len = raw.trim_end().chars().count();
        if table {
            flush(&mut out, &mut cur);
        }
    }
    flush(&mut out, &mut cur);
    out
}

fn flush(out: &mut Vec<String>, cur: &mut String) {
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    cur.clear();
}

/// Words before a '.' that do not end a sentence.
const ABBREVIATIONS: [&str; 16] = [
    "approx", "sq", "ft", "apt", "e.g", "i.e", "no", "st", "dr", "mr", "ms", "mrs", "vs", "a.m",
    "p.m", "ste",
];

/// Sentences of one logical line: split after `.`, `!` or `?` followed by a space and a capital,
/// digit, `$` or quote.
pub fn split_sentences(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let Some(&(_, next)) = chars.get(k + 1) else {
            continue;
        };
        let after = chars.get(k + 2).map(|&(_, c)| c);
        let starts_new = next == ' '
            && after.is_some_and(|a| a.is_uppercase() || a.is_ascii_digit() || "$\"'(".contains(a));
        if !starts_new {
            continue;
        }
        if c == '.' {
            let word: String = line[start..i]
                .rsplit([' ', '('])
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if ABBREVIATIONS.contains(&word.as_str()) {
                continue;
            }
        }
        out.push(line[start..=i].trim().to_string());
        start = i + 1;
    }
    if !line[start..].trim().is_empty() {
        out.push(line[start..].trim().to_string());
    }
    out
}

/// Every sentence of a text (already stripped of quoted history), in order. A run-on "sentence"
/// longer than [`MAX_SENTENCE`] is cut at spaces, which bounds the work per sentence.
pub fn sentences(text: &str) -> Vec<Sentence> {
    logical_lines(&normalize(text))
        .iter()
        .flat_map(|l| split_sentences(l))
        .flat_map(|s| cut_long(&s))
        .map(|s| Sentence::new(&s))
        .collect()
}

/// Longest sentence handled whole, in bytes.
pub const MAX_SENTENCE: usize = 1000;

fn cut_long(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while rest.len() > MAX_SENTENCE {
        let limit = rest.floor_char_boundary(MAX_SENTENCE);
        let at = rest[..limit].rfind(' ').filter(|&i| i > 0).unwrap_or(limit);
        out.push(rest[..at].to_string());
        rest = rest[at..].trim_start();
    }
    out.push(rest.to_string());
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Whole-word occurrences of `needle` (ASCII lowercase) in `hay` (ASCII-lowercased).
pub fn find_all(hay: &str, needle: &str) -> Vec<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let mut out = Vec::new();
    if n.is_empty() || n.len() > h.len() {
        return out;
    }
    let check_start = is_word_byte(n[0]);
    let check_end = is_word_byte(n[n.len() - 1]);
    let mut from = 0;
    while let Some(pos) = hay.get(from..).and_then(|rest| rest.find(needle)) {
        let at = from + pos;
        let end = at + n.len();
        let ok_start = !check_start || at == 0 || !is_word_byte(h[at - 1]);
        let ok_end = !check_end || end == h.len() || !is_word_byte(h[end]);
        if ok_start && ok_end {
            out.push(at);
        }
        from = at + 1;
        while from < h.len() && !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    out
}

pub fn has_word(hay: &str, needle: &str) -> bool {
    !find_all(hay, needle).is_empty()
}

pub fn has_any(hay: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| has_word(hay, n))
}

/// Number words a leasing agent writes out.
pub fn number_word(w: &str) -> Option<f64> {
    let n = match w {
        "zero" => 0.0,
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        _ => return None,
    };
    Some(n)
}

/// Words of a lowercased text with their byte spans; a word is letters/digits, with `.` and `,`
/// kept inside numbers ("1,050", "1.5").
pub fn words(lower: &str) -> Vec<(usize, usize, &str)> {
    let b = lower.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !is_word_byte(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() {
            let inner_num = matches!(b[i], b'.' | b',')
                && i > start
                && b[i - 1].is_ascii_digit()
                && b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if is_word_byte(b[i]) || inner_num {
                i += 1;
            } else {
                break;
            }
        }
        while i < b.len() && !lower.is_char_boundary(i) {
            i += 1;
        }
        out.push((start, i, &lower[start..i]));
    }
    out
}

/// A plain number: "1,050", "1.5", "720".
pub fn parse_number(w: &str) -> Option<f64> {
    if w.is_empty()
        || !w
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        return None;
    }
    w.replace(',', "").parse().ok()
}

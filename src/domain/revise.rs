//! Offline revision of a draft by an operator's instructions ("shorter, mention the cat is
//! indoor-only"). It starts from the current text, the operator's edits included, and either
//! follows every instruction or refuses, naming what it cannot follow: it never returns a text
//! that quietly ignores one. Pure: the caller supplies what the persona and checklist can add.

use std::fmt;

/// One thing an operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    Shorter,
    Longer,
    Formal,
    Casual,
    /// Say this, or ask about it ("mention parking", "add that I work from home").
    Mention(String),
    /// Take out what is said or asked about this ("drop the question about parking").
    Drop(String),
}

/// Something the persona or the checklist can say: matched by its words, added as `sentence`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub words: Vec<String>,
    pub sentence: String,
}

/// What offline revision may add: persona lines ("I have a cat.") and checklist questions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Material {
    pub persona: Vec<Topic>,
    pub checklist: Vec<Topic>,
}

/// Why nothing was replaced: each instruction that offline drafting could not follow, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reasons: Vec<String>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "offline drafting cannot follow this: {}; the draft is unchanged (edit it yourself, \
             or use an AI provider)",
            self.reasons.join("; ")
        )
    }
}

impl std::error::Error for Refusal {}

/// Verbs that make "mention X" a statement to add as it is ("the cat is indoor-only").
const STATEMENT_VERBS: &[&str] = &[
    "is", "are", "am", "was", "were", "has", "have", "had", "will", "would", "can", "could",
    "need", "needs", "want", "wants", "work", "works", "plan", "plans", "prefer", "prefers",
    "don't", "doesn't", "do", "does", "won't", "can't", "i'm", "it's", "we're", "'s",
];

/// Words that carry no topic ("the question about the parking" is about parking).
const FILLER: &[&str] = &[
    "the",
    "a",
    "an",
    "my",
    "our",
    "your",
    "their",
    "about",
    "question",
    "questions",
    "ask",
    "asking",
    "that",
    "to",
    "of",
    "for",
    "on",
    "in",
    "any",
    "some",
    "part",
    "bit",
    "sentence",
    "line",
    "mention",
    "request",
    "regarding",
    "re",
    "also",
    "please",
    "and",
    "or",
    "it",
];

/// Reads instructions into what offline revision can do, or refuses naming each clause it
/// cannot act on.
pub fn parse(instructions: &str) -> Result<Vec<Instruction>, Refusal> {
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for clause in clauses(instructions) {
        match instruction(&clause) {
            Some(i) => out.push(i),
            None => unknown.push(format!("\u{201c}{clause}\u{201d} is not something it knows how to do (it can make the draft shorter or longer, more formal or casual, mention or drop a topic)")),
        }
    }
    if !unknown.is_empty() {
        return Err(Refusal { reasons: unknown });
    }
    if out.is_empty() {
        return Err(Refusal {
            reasons: vec!["there are no instructions".into()],
        });
    }
    Ok(out)
}

/// Splits on , ; newlines and sentence ends, and on "and" where a new instruction begins
/// ("shorter and mention parking"), but not inside one ("mention the fee and the deposit").
fn clauses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split([',', ';', '\n']).flat_map(|p| p.split(". ")) {
        let mut rest = part.trim().trim_end_matches('.').to_string();
        loop {
            let lower = rest.to_lowercase();
            let split = lower.match_indices(" and ").find_map(|(i, _)| {
                let after = &rest[i + 5..];
                instruction_start(after).then_some(i)
            });
            match split {
                Some(i) => {
                    out.push(rest[..i].trim().to_string());
                    rest = rest[i + 5..].trim().to_string();
                }
                None => break,
            }
        }
        if !rest.trim().is_empty() {
            out.push(rest.trim().to_string());
        }
    }
    out.retain(|c| !c.is_empty());
    out
}

fn instruction_start(text: &str) -> bool {
    instruction(text).is_some_and(|i| !matches!(i, Instruction::Mention(_)))
        || verb_prefix(&text.to_lowercase(), MENTION_VERBS).is_some()
}

const MENTION_VERBS: &[&str] = &[
    "mention ",
    "say that ",
    "say ",
    "add that ",
    "add ",
    "tell them that ",
    "tell them ",
    "include ",
    "note that ",
    "also ask about ",
    "also ask for ",
    "ask about ",
    "ask for ",
    "ask ",
];

const DROP_VERBS: &[&str] = &[
    "drop ",
    "remove ",
    "delete ",
    "cut ",
    "skip ",
    "leave out ",
    "take out ",
    "don't ask about ",
    "don't ask ",
    "do not ask about ",
    "do not ask ",
    "don't mention ",
    "do not mention ",
    "no more ",
    "without ",
];

fn verb_prefix<'a>(lower: &'a str, verbs: &[&str]) -> Option<&'a str> {
    verbs
        .iter()
        .find_map(|v| lower.strip_prefix(v))
        .map(str::trim)
        .filter(|rest| !rest.is_empty())
}

fn instruction(clause: &str) -> Option<Instruction> {
    let lower = clause.trim().to_lowercase();
    let mut core = lower.as_str();
    for lead in [
        "please ",
        "make it ",
        "make the email ",
        "make this ",
        "be ",
        "sound ",
    ] {
        core = core.strip_prefix(lead).unwrap_or(core);
    }
    let has = |words: &[&str]| words.iter().any(|w| core.contains(w));
    // Drop and mention first: "drop the formal greeting" is a drop.
    if let Some(rest) = verb_prefix(core, DROP_VERBS) {
        return Some(Instruction::Drop(original_case(clause, rest)));
    }
    if let Some(rest) = verb_prefix(core, MENTION_VERBS) {
        return Some(Instruction::Mention(original_case(clause, rest)));
    }
    if has(&[
        "less formal",
        "casual",
        "informal",
        "relaxed",
        "friendlier",
        "more friendly",
    ]) {
        return Some(Instruction::Casual);
    }
    if has(&["formal", "professional", "polite"]) {
        return Some(Instruction::Formal);
    }
    if has(&[
        "shorter",
        "concise",
        "brief",
        "trim",
        "cut it down",
        "less wordy",
        "tighter",
    ]) {
        return Some(Instruction::Shorter);
    }
    if has(&[
        "longer",
        "more detail",
        "expand",
        "elaborate",
        "more about me",
    ]) {
        return Some(Instruction::Longer);
    }
    None
}

/// `rest` (a lowercase tail of `clause`) in the operator's own capitals.
fn original_case(clause: &str, rest: &str) -> String {
    let clause = clause.trim();
    clause[clause.len() - rest.len()..].trim().to_string()
}

/// Follows every instruction on `body`, or refuses: nothing is changed unless all can be done.
pub fn revise(
    body: &str,
    instructions: &[Instruction],
    material: &Material,
) -> Result<String, Refusal> {
    let mut d = Draft::read(body);
    let mut reasons = Vec::new();
    // Drops first, mentions after shortening (what the operator asked to add stays).
    let mut order: Vec<&Instruction> = instructions.iter().collect();
    order.sort_by_key(|i| match i {
        Instruction::Drop(_) => 0,
        Instruction::Shorter => 1,
        Instruction::Mention(_) => 2,
        Instruction::Longer => 3,
        Instruction::Formal | Instruction::Casual => 4,
    });
    for i in order {
        if let Err(why) = d.apply(i, material) {
            reasons.push(why);
        }
    }
    if !reasons.is_empty() {
        return Err(Refusal { reasons });
    }
    Ok(d.write())
}

/// A paragraph of the body: its sentences, and whether it changed (unchanged ones are written
/// back exactly as they were, line breaks included).
#[derive(Debug, Clone)]
struct Para {
    original: String,
    sentences: Vec<String>,
    changed: bool,
}

impl Para {
    fn new(text: &str) -> Para {
        Para {
            original: text.to_string(),
            sentences: sentences(text),
            changed: false,
        }
    }

    fn added(sentence: String) -> Para {
        Para {
            original: String::new(),
            sentences: vec![sentence],
            changed: true,
        }
    }

    fn text(&self) -> String {
        if self.changed {
            self.sentences.join(" ")
        } else {
            self.original.clone()
        }
    }
}

/// Greeting, the paragraphs in between, and the closing (sign-off, name, phone).
#[derive(Debug, Clone)]
struct Draft {
    greeting: Option<String>,
    paras: Vec<Para>,
    closing: Option<String>,
}

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "dear",
    "good morning",
    "good afternoon",
];
const CLOSINGS: &[&str] = &[
    "thanks",
    "thank you",
    "best",
    "sincerely",
    "regards",
    "kind regards",
    "best regards",
    "cheers",
    "warmly",
    "i appreciate",
    "all the best",
    "many thanks",
];

impl Draft {
    fn read(body: &str) -> Draft {
        let body = body.replace("\r\n", "\n");
        let mut paras: Vec<String> = body
            .split("\n\n")
            .map(|p| p.trim_matches('\n').to_string())
            .filter(|p| !p.trim().is_empty())
            .collect();
        let greeting = match paras.first() {
            Some(p) if !p.contains('\n') && starts_with_any(p, GREETINGS) => Some(paras.remove(0)),
            _ => None,
        };
        let closing = match paras.last() {
            Some(p) if paras.len() > 1 && starts_with_any(p, CLOSINGS) => paras.pop(),
            // "Thanks,\nAva" may follow the last question without a blank line.
            Some(p) if paras.len() > 1 && p.lines().count() <= 4 && p.len() < 80 => paras.pop(),
            _ => None,
        };
        Draft {
            greeting,
            paras: paras.iter().map(|p| Para::new(p)).collect(),
            closing,
        }
    }

    fn write(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.greeting.clone());
        parts.extend(
            self.paras
                .iter()
                .map(Para::text)
                .filter(|t| !t.trim().is_empty()),
        );
        parts.extend(self.closing.clone());
        parts.join("\n\n")
    }

    fn all_text(&self) -> String {
        self.paras
            .iter()
            .flat_map(|p| p.sentences.iter())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }

    fn apply(&mut self, i: &Instruction, m: &Material) -> Result<(), String> {
        match i {
            Instruction::Shorter => self.shorten(),
            Instruction::Longer => self.lengthen(m),
            Instruction::Formal => self.formal(),
            Instruction::Casual => self.casual(),
            Instruction::Mention(topic) => self.mention(topic, m),
            Instruction::Drop(topic) => self.drop_topic(topic),
        }
    }

    /// Adds a sentence as a paragraph of its own before the closing.
    fn add(&mut self, sentence: String) {
        self.paras.push(Para::added(sentence));
    }

    fn mention(&mut self, topic: &str, m: &Material) -> Result<(), String> {
        let words = content_words(topic);
        if words.is_empty() {
            return Err(format!(
                "\u{201c}mention {topic}\u{201d} names nothing to mention"
            ));
        }
        let sentence = if is_statement(topic) {
            as_sentence(topic)
        } else if let Some(t) = best_topic(&m.persona, &words).or(best_topic(&m.checklist, &words))
        {
            t.sentence.clone()
        } else {
            format!(
                "Could you also tell me about {}?",
                topic.trim_end_matches(['.', '?'])
            )
        };
        if self.all_text().contains(&sentence.to_lowercase()) {
            return Err(format!("the draft already says \u{201c}{sentence}\u{201d}"));
        }
        self.add(sentence);
        Ok(())
    }

    fn drop_topic(&mut self, topic: &str) -> Result<(), String> {
        let words = content_words(topic);
        if words.is_empty() {
            return Err(format!(
                "\u{201c}drop {topic}\u{201d} names nothing to drop"
            ));
        }
        let mut dropped = false;
        for p in &mut self.paras {
            let mut kept = Vec::new();
            for s in &p.sentences {
                if !mentions(s, &words) {
                    kept.push(s.clone());
                    continue;
                }
                dropped = true;
                p.changed = true;
                if let Some(rest) = without_item(s, &words) {
                    kept.push(rest);
                }
            }
            p.sentences = kept;
        }
        if !dropped {
            return Err(format!(
                "the draft says nothing about \u{201c}{topic}\u{201d} to drop"
            ));
        }
        if self.paras.iter().all(|p| p.sentences.is_empty()) {
            return Err(format!(
                "dropping \u{201c}{topic}\u{201d} would leave nothing but the greeting"
            ));
        }
        Ok(())
    }

    /// Takes out pleasantries that neither ask nor tell anything.
    fn shorten(&mut self) -> Result<(), String> {
        let before = self.write().len();
        let total: usize = self.paras.iter().map(|p| p.sentences.len()).sum();
        let mut left = total;
        for p in &mut self.paras {
            let n = p.sentences.len();
            p.sentences.retain(|s| {
                let filler = left > 1 && is_pleasantry(s);
                if filler {
                    left -= 1;
                }
                !filler
            });
            p.changed |= p.sentences.len() != n;
        }
        // Still as long: drop a statement that is not a question and has no figures, keeping
        // at least one sentence.
        if self.write().len() >= before {
            'outer: for p in &mut self.paras {
                for idx in 0..p.sentences.len() {
                    let s = &p.sentences[idx];
                    if left > 1 && !s.ends_with('?') && !s.chars().any(|c| c.is_ascii_digit()) {
                        p.sentences.remove(idx);
                        p.changed = true;
                        break 'outer;
                    }
                }
            }
        }
        if self.write().len() >= before {
            return Err(
                "it cannot make the draft shorter: every sentence asks or says something".into(),
            );
        }
        Ok(())
    }

    /// Adds up to two things about the persona the draft does not say yet.
    fn lengthen(&mut self, m: &Material) -> Result<(), String> {
        let said: Vec<String> = self.all_text().split_whitespace().map(stem).collect();
        let new: Vec<String> = m
            .persona
            .iter()
            .filter(|t| {
                !t.words
                    .iter()
                    .any(|w| said.contains(&stem(&w.to_lowercase())))
            })
            .take(2)
            .map(|t| t.sentence.clone())
            .collect();
        if new.is_empty() {
            return Err(
                "it cannot make the draft longer: it already says all it knows about the persona"
                    .into(),
            );
        }
        for s in new {
            self.add(s);
        }
        Ok(())
    }

    fn formal(&mut self) -> Result<(), String> {
        let before = self.write();
        if let Some(g) = &mut self.greeting {
            let name = greeting_name(g);
            *g = format!("Dear {},", name.unwrap_or_else(|| "Leasing Team".into()));
        }
        if let Some(c) = &mut self.closing {
            *c = replace_first_line(c, |l| {
                starts_with_any(l, &["thanks", "thank you", "cheers", "best"])
                    .then(|| "Kind regards,".to_string())
            });
        }
        for p in &mut self.paras {
            for s in &mut p.sentences {
                let expanded = expand_contractions(s);
                if expanded != *s {
                    *s = expanded;
                    p.changed = true;
                }
            }
        }
        if self.write() == before {
            return Err("the draft already reads as formal as offline drafting can make it".into());
        }
        Ok(())
    }

    fn casual(&mut self) -> Result<(), String> {
        let before = self.write();
        if let Some(g) = &mut self.greeting {
            let name = greeting_name(g);
            *g = match name {
                Some(n) if n != "Leasing Team" => format!("Hi {n},"),
                _ => "Hi there,".into(),
            };
        }
        if let Some(c) = &mut self.closing {
            *c = replace_first_line(c, |l| {
                starts_with_any(
                    l,
                    &[
                        "kind regards",
                        "best regards",
                        "regards",
                        "sincerely",
                        "respectfully",
                    ],
                )
                .then(|| "Thanks,".to_string())
            });
        }
        if self.write() == before {
            return Err("the draft already reads as casual as offline drafting can make it".into());
        }
        Ok(())
    }
}

/// A sentence that neither asks nor tells: thanks, hopes, "that's really helpful".
fn is_pleasantry(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "thank",
        "appreciate",
        "helpful",
        "great",
        "hope",
        "glad",
        "excited",
        "look forward",
        "wonderful",
        "lovely",
        "happy to",
    ];
    let lower = s.to_lowercase();
    !s.ends_with('?')
        && !s.chars().any(|c| c.is_ascii_digit())
        && WORDS.iter().any(|w| lower.contains(w))
}

fn starts_with_any(text: &str, leads: &[&str]) -> bool {
    let lower = text.trim().to_lowercase();
    leads.iter().any(|l| {
        lower.starts_with(l)
            && lower[l.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// "Hi Derek," → Derek.
fn greeting_name(g: &str) -> Option<String> {
    let words: Vec<&str> = g
        .trim()
        .trim_end_matches([',', '!', ':'])
        .split_whitespace()
        .collect();
    let rest: Vec<&str> = match words.as_slice() {
        ["Good", _, rest @ ..] => rest.to_vec(),
        [_, rest @ ..] => rest.to_vec(),
        [] => Vec::new(),
    };
    let name = rest.join(" ");
    (!name.is_empty() && name != "there" && name != "all").then_some(name)
}

fn replace_first_line(text: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if let Some(first) = lines.first_mut()
        && let Some(new) = f(first)
    {
        *first = new;
    }
    lines.join("\n")
}

fn expand_contractions(s: &str) -> String {
    const PAIRS: &[(&str, &str)] = &[
        ("I'm", "I am"),
        ("I'd", "I would"),
        ("I've", "I have"),
        ("I'll", "I will"),
        ("you're", "you are"),
        ("don't", "do not"),
        ("can't", "cannot"),
        ("won't", "will not"),
        ("it's", "it is"),
        ("It's", "It is"),
        ("that's", "that is"),
        ("That's", "That is"),
        ("we're", "we are"),
        ("isn't", "is not"),
        ("what's", "what is"),
    ];
    let mut out = s.replace('\u{2019}', "'");
    for (short, long) in PAIRS {
        out = out.replace(short, long);
    }
    if out == s.replace('\u{2019}', "'") {
        s.to_string()
    } else {
        out
    }
}

/// Splits a paragraph into sentences at . ? ! followed by whitespace.
fn sentences(text: &str) -> Vec<String> {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = flat.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, b'.' | b'?' | b'!') && bytes.get(i + 1).is_some_and(|&n| n == b' ') {
            out.push(flat[start..=i].trim().to_string());
            start = i + 1;
        }
    }
    let tail = flat[start..].trim();
    if !tail.is_empty() {
        out.push(tail.to_string());
    }
    out
}

fn stem(w: &str) -> String {
    let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
    let w = w.strip_suffix("'s").unwrap_or(w);
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

/// The words that name a topic, stemmed ("the question about parking fees" → parking, fee).
fn content_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split_whitespace()
        .map(stem)
        .filter(|w| !w.is_empty() && !FILLER.contains(&w.as_str()))
        .collect()
}

fn mentions(sentence: &str, words: &[String]) -> bool {
    let have: Vec<String> = sentence
        .to_lowercase()
        .split_whitespace()
        .map(stem)
        .collect();
    words.iter().all(|w| have.contains(w))
}

fn is_statement(topic: &str) -> bool {
    let lower = topic.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    words.len() >= 2
        && words
            .iter()
            .any(|w| STATEMENT_VERBS.contains(w) || w.ends_with("'s"))
}

/// "the cat is indoor-only" → "The cat is indoor-only."
fn as_sentence(topic: &str) -> String {
    let t = topic.trim();
    let t = t.strip_prefix("that ").unwrap_or(t);
    let mut chars = t.chars();
    let mut s = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect::<String>(),
        None => String::new(),
    };
    if !s.ends_with(['.', '?', '!']) {
        s.push('.');
    }
    s
}

fn best_topic<'a>(topics: &'a [Topic], words: &[String]) -> Option<&'a Topic> {
    topics
        .iter()
        .map(|t| {
            let hits = t
                .words
                .iter()
                .filter(|w| words.contains(&stem(&w.to_lowercase())))
                .count();
            (hits, t)
        })
        .filter(|(hits, _)| *hits > 0)
        .max_by_key(|(hits, _)| *hits)
        .map(|(_, t)| t)
}

/// A list question with the topic as one of its items ("the fee, your pet policy and the
/// deposit") without that item; `None` when the sentence is about the topic alone.
fn without_item(sentence: &str, words: &[String]) -> Option<String> {
    let end = sentence
        .chars()
        .last()
        .filter(|c| matches!(c, '?' | '.' | '!'))?;
    let body = &sentence[..sentence.len() - 1];
    let flat = body.replace(", and ", ", ").replace(" and ", ", ");
    let items: Vec<&str> = flat.split(", ").collect();
    if items.len() < 2 {
        return None;
    }
    let hit: Vec<usize> = (0..items.len())
        .filter(|&i| mentions(items[i], words))
        .collect();
    if hit.len() != 1 {
        return None;
    }
    let i = hit[0];
    let mut items: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    if i == 0 {
        // The first item carries the lead-in ("Could you tell me the fee"): keep the lead-in.
        let lead = [
            "tell me ", "know ", "about ", "share ", "send me ", "things: ",
        ]
        .iter()
        .find_map(|l| {
            items[0]
                .find(l)
                .map(|at| items[0][..at + l.len()].to_string())
        })?;
        let next = items.remove(1);
        items[0] = format!("{lead}{next}");
    } else {
        items.remove(i);
    }
    let joined = match items.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => return None,
    };
    Some(format!("{joined}{end}"))
}

#[cfg(test)]
mod tests;

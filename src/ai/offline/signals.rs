//! Signals for grading, by rules: the prospect's name, an ask for a tour, qualifying questions,
//! signature and contact details, fair-housing flags and instructions aimed at an AI. Pure; reads
//! only the reply's own words (quoted history is cut first) and never grades.

use crate::domain::community::Signals;

use super::fair_housing;
use super::quoted::strip_quoted_history;
use super::text::{Sentence, find_all, has_any, normalize, sentences};

#[rustfmt::skip]
const TOUR: &[&str] = &[
    "tour", "tours", "visit", "showing", "showings", "show you", "appointment", "come by",
    "stop by", "come in", "swing by", "drop by", "schedule", "see the apartment", "see the unit",
    "see the home", "in person", "walkthrough", "walk-through", "come see", "take a look",
    "self-guided", "see it", "see the place", "check it out", "look at it", "show you around",
    "walk you through", "show it", "show them", "show both", "can show",
];
#[rustfmt::skip]
const OFFER: &[&str] = &[
    "let me know", "would you like", "feel free", "love to", "happy to", "book", "openings",
    "opening", "available", "availability", "i can", "we can", "please", "reply", "call", "click",
    "link", "today", "tomorrow", "this week", "weekend", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "want to", "online", "here",
];
#[rustfmt::skip]
const ASKING: &[&str] = &[
    "let me know", "please share", "please provide", "tell me", "send me", "share your",
    "what is your", "what's your", "please confirm", "i'd need", "we'll need", "we will need",
];
const QUALIFYING: &[(&str, &[&str])] = &[
    (
        "move_in_date",
        &[
            "move-in date",
            "move in date",
            "move-in",
            "move in",
            "moving",
            "timeline",
            "timeframe",
            "time frame",
            "when are you looking",
            "when do you need",
            "lease start",
            "start date",
            "desired date",
        ],
    ),
    (
        "budget",
        &[
            "budget",
            "price range",
            "price point",
            "looking to spend",
            "comfortable spending",
            "rent range",
            "how much are you",
            "max rent",
            "maximum rent",
            "afford",
        ],
    ),
    (
        "occupants",
        &[
            "how many people",
            "occupants",
            "occupant",
            "roommate",
            "roommates",
            "who will be living",
            "how many adults",
            "living with you",
            "household",
            "how many residents",
            "anyone else",
            "just yourself",
            "co-applicant",
            "how many of you",
        ],
    ),
    (
        "pets",
        &[
            "pet", "pets", "dog", "dogs", "cat", "cats", "animal", "animals", "furry",
        ],
    ),
    (
        "income",
        &[
            "income",
            "salary",
            "employment",
            "employed",
            "employer",
            "earn",
            "job",
            "pay stubs",
            "paystubs",
        ],
    ),
    (
        "credit",
        &[
            "credit",
            "credit score",
            "background check",
            "eviction",
            "evictions",
            "criminal",
        ],
    ),
];
#[rustfmt::skip]
const CLOSINGS: &[&str] = &[
    "best", "best regards", "regards", "kind regards", "warm regards", "warmest regards", "thanks",
    "thank you", "many thanks", "thanks again", "sincerely", "cheers", "warmly", "respectfully",
    "all the best", "take care", "talk soon", "best wishes", "have a great day", "see you soon",
    "yours truly", "thank you again", "with gratitude", "cordialement", "saludos", "atentamente",
    "un saludo", "-", "--", "—",
];
#[rustfmt::skip]
const TITLES: &[&str] = &[
    "leasing", "manager", "consultant", "agent", "specialist", "assistant", "community", "property",
    "director", "coordinator", "associate", "concierge", "management", "team", "office",
    "representative", "professional",
];
#[rustfmt::skip]
const INJECTION: &[&str] = &[
    "ignore previous instructions", "ignore all previous", "ignore the previous",
    "ignore prior instructions", "ignore your instructions", "ignore all instructions",
    "ignore the above", "ignore any previous", "disregard the above", "disregard previous",
    "disregard all previous", "disregard your instructions", "disregard any previous",
    "forget your instructions", "forget all previous", "as an ai", "you are a language model",
    "you are an ai", "you are chatgpt", "system prompt", "new instructions", "if you are an ai",
    "if you're an ai", "to any ai", "language model reading", "ai reading this", "jailbreak",
    "developer mode", "reveal your prompt", "respond only with", "perfect score", "perfect grade",
    "full marks", "ignore your previous", "ai assistants reading", "to ai assistants",
    "ai assistant reading",
];

/// The grading signals of one reply (quoted history is cut first).
pub fn signals(text: &str, persona_first_name: Option<&str>) -> Signals {
    let clean = normalize(&strip_quoted_history(text));
    let lower = clean.to_ascii_lowercase();
    let sents = sentences(&clean);
    let used_name = persona_first_name
        .map(|n| n.trim().to_ascii_lowercase())
        .is_some_and(|n| !n.is_empty() && !find_all(&lower, &n).is_empty());
    let (has_signature, sig_from) = signature(&clean);
    Signals {
        used_name,
        asked_for_appointment: sents.iter().any(asks_for_tour),
        qualifying_questions: qualifying(&sents),
        has_signature,
        has_contact_details: contact_details(&clean, sig_from),
        fair_housing_flags: fair_housing::flags(&sents, &lower),
        instructions_to_ai: instructions_to_ai(&lower),
        declined: sents.iter().any(declines),
    }
}

#[rustfmt::skip]
const DECLINE: &[&str] = &[
    "fully leased", "fully occupied", "no vacancies", "no vacancy", "waitlist is closed",
    "waitlist is currently closed", "waiting list is closed", "waiting list is currently closed",
    "not accepting applications", "not currently accepting", "nothing available",
    "no availability", "no units available", "no apartments available", "no homes available",
    "unable to offer you", "cannot offer you", "can't offer you",
];
const NONE_OF: &[&str] = &[
    "do not have any",
    "don't have any",
    "do not currently have any",
    "don't currently have any",
    "we have no",
    "there are no",
    "there is nothing",
];

/// "Unfortunately we do not have any 2-bedroom homes available": nothing for this renter.
fn declines(s: &Sentence) -> bool {
    has_any(&s.lower, DECLINE) || (has_any(&s.lower, NONE_OF) && s.lower.contains("available"))
}

/// A tour word with a question or an offer ("Thursday at 10am", "let me know").
fn asks_for_tour(s: &Sentence) -> bool {
    has_any(&s.lower, TOUR) && (s.is_question() || has_any(&s.lower, OFFER) || has_time(&s.lower))
}

/// "10am", "1 pm", "10:30".
fn has_time(lower: &str) -> bool {
    let b = lower.as_bytes();
    (0..b.len()).any(|i| {
        b[i].is_ascii_digit()
            && (lower[i + 1..].trim_start().starts_with("am")
                || lower[i + 1..].trim_start().starts_with("pm")
                || (b.get(i + 1) == Some(&b':') && b.get(i + 2).is_some_and(u8::is_ascii_digit)))
    })
}

/// Which qualifying topics the agent asked about, in the order of [`QUALIFYING`].
fn qualifying(sents: &[Sentence]) -> Vec<String> {
    let asking: Vec<String> = sents
        .iter()
        .filter(|s| s.is_question() || has_any(&s.lower, ASKING))
        .map(|s| {
            s.lower
                .replace("move-in special", "")
                .replace("pet policy", "")
        })
        .collect();
    QUALIFYING
        .iter()
        .filter(|(_, words)| asking.iter().any(|s| has_any(s, words)))
        .map(|(topic, _)| topic.to_string())
        .collect()
}

fn name_like(line: &str) -> bool {
    let n = line.split_whitespace().count();
    (1..=6).contains(&n)
        && line.chars().count() <= 60
        && line.starts_with(|c: char| c.is_uppercase())
        && !line.contains(['?', '!', ':'])
        && !line.ends_with('.')
}

/// A person's name on a line of its own: two or three capitalised words, no digits, no
/// sentence punctuation ("Kendra Wallace").
fn personal_name(line: &str) -> bool {
    let ws: Vec<&str> = line.split_whitespace().collect();
    (2..=3).contains(&ws.len())
        && ws.iter().all(|w| {
            w.starts_with(|c: char| c.is_uppercase())
                && w.chars().all(|c| c.is_alphabetic() || "-'.".contains(c))
        })
        && !line.ends_with('.')
        && !has_any(&line.to_ascii_lowercase(), TITLES)
}

fn title_like(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    line.split_whitespace().count() <= 8 && has_any(&l, TITLES) && !line.ends_with(['.', '?', '!'])
}

/// Whether the reply is signed, and the line where the signature starts.
fn signature(clean: &str) -> (bool, Option<usize>) {
    let lines: Vec<&str> = clean
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        let l = line.to_ascii_lowercase();
        let bare = l.trim_end_matches([',', '!', '.', ' ']);
        let next_is_name = lines.get(i + 1).is_some_and(|n| name_like(n));
        if CLOSINGS.contains(&bare) && next_is_name {
            return (true, Some(i));
        }
        // "Thanks, Derek" / "Best - Maria".
        if let Some((head, tail)) = line.split_once([',', '-'])
            && CLOSINGS.contains(&head.trim().to_ascii_lowercase().as_str())
            && name_like(tail.trim())
            && i + 3 >= lines.len()
        {
            return (true, Some(i));
        }
    }
    // A name line above a title line near the end ("Tom Reed" / "Community Manager"), or one
    // line with both ("Ramona Castillo | Leasing Manager"), or a name above the office's
    // contact lines ("Dale Kruger" / "The Whitmore" / "(336) 555-0178"); a CRM's footer may
    // follow.
    let tail_from = lines.len().saturating_sub(12);
    for i in tail_from..lines.len() {
        let title_next = lines.get(i + 1).is_some_and(|t| title_like(t));
        let (head, rest) = lines[i].split_once(" | ").unwrap_or((lines[i], ""));
        if name_like(head) && !title_like(head) && (title_next || title_like(rest)) {
            return (true, Some(i));
        }
        let person = personal_name(head);
        let contact_soon = lines[i + 1..lines.len().min(i + 4)]
            .iter()
            .any(|l| has_phone(l) || l.split_whitespace().any(is_email));
        if person && contact_soon && i > 0 {
            return (true, Some(i));
        }
    }
    // A dash sign-off as the last line ("- Tina").
    if let Some(last) = lines.last()
        && let Some(name) = last.strip_prefix(['-', '—', '–'])
        && name_like(name.trim_start_matches('-').trim())
    {
        return (true, Some(lines.len() - 1));
    }
    // A team sign-off as the last line ("Oakridge Apartments Management").
    if let Some(last) = lines.last() {
        let l = last.to_ascii_lowercase();
        if name_like(last)
            && !last.chars().any(|c| c.is_ascii_digit())
            && ["team", "management", "office", "leasing", "staff"]
                .iter()
                .any(|t| l.ends_with(t))
        {
            return (true, Some(lines.len() - 1));
        }
    }
    (false, None)
}

/// A phone number, email address or website in the signature (or the last lines).
fn contact_details(clean: &str, sig_from: Option<usize>) -> bool {
    let lines: Vec<&str> = clean
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let from = sig_from.unwrap_or(lines.len().saturating_sub(8));
    lines[from.min(lines.len())..]
        .iter()
        .any(|l| has_phone(l) || l.split_whitespace().any(|w| is_email(w) || is_website(w)))
}

pub fn has_phone(line: &str) -> bool {
    let mut digits = 0;
    for c in line.chars() {
        if c.is_ascii_digit() {
            digits += 1;
        } else if !"()-. +/".contains(c) {
            if (10..=15).contains(&digits) {
                return true;
            }
            digits = 0;
        }
    }
    (10..=15).contains(&digits)
}

fn is_email(w: &str) -> bool {
    let w = w.trim_matches(|c: char| !c.is_alphanumeric());
    w.split_once('@')
        .is_some_and(|(a, d)| !a.is_empty() && d.contains('.') && !d.starts_with('.'))
}

fn is_website(w: &str) -> bool {
    let l = w.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www.")
}

/// Words aimed at an AI reading the mail ("ignore previous instructions", "system prompt").
pub fn instructions_to_ai(lower: &str) -> bool {
    has_any(lower, INJECTION)
}

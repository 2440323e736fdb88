//! Money in one sentence: the amounts ("$1,725", "$1725.00", "1,725 dollars", "$1,725 - $1,890",
//! "$1,725 to $1,890") and the fee each belongs to, by the words around it; "no admin fee" and
//! "waived" are 0. Pure string scanning; it does not decide floor plans or read other sentences.

use super::text::{Sentence, find_all, words};

/// One amount (or range) and its byte span in the sentence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount {
    pub start: usize,
    pub end: usize,
    pub value: f64,
    /// The upper end of a range.
    pub max: Option<f64>,
}

/// What an amount is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// A community-level fee field of the schema.
    Field(&'static str),
    /// Rent: a floor plan's price.
    Rent,
    /// Something else (parking, utilities, a holding deposit, income): no field of ours.
    Other,
}

use Claim::{Field, Other, Rent};

/// Phrases that own a nearby amount, by what they claim. Longest match wins where phrases overlap.
#[rustfmt::skip]
const KEYS: &[(Claim, &[&str])] = &[
    (Field("application_fee"), &["application fee", "application fees", "app fee", "app fees",
        "application charge", "application cost", "to apply", "per applicant"]),
    (Field("administration_fee"), &["administration fee", "administration fees",
        "administrative fee", "administrative fees", "admin fee", "admin fees", "admin charge"]),
    (Field("membership_fee"), &["amenity fee", "amenities fee", "amenity fees",
        "resident benefits package", "resident benefit package", "benefits package", "rbp",
        "membership fee", "membership"]),
    (Field("security_deposit"), &["security deposit", "security deposits", "refundable deposit",
        "deposit", "deposits", "dep"]),
    (Field("pet_deposit"), &["pet deposit", "pet deposits", "pet fee", "pet fees",
        "animal deposit", "deposit per pet", "fee per pet", "one-time pet fee"]),
    (Field("pet_rent"), &["pet rent", "monthly pet fee", "monthly pet rent", "rent per pet",
        "per pet per month", "per pet monthly", "animal rent"]),
    (Rent, &["rent", "rents", "monthly rent", "base rent", "rental rate"]),
    (Other, &["holding deposit", "holding fee", "reservation fee", "reservation deposit",
        "key deposit", "parking", "garage", "garages", "carport", "storage", "utilities",
        "utility", "water", "trash", "internet", "cable", "insurance", "income", "earn", "credit",
        "late fee", "lease break", "early termination", "transfer fee", "cleaning fee"]),
];

/// Words of a floor plan: an amount past them is the plan's, not a fee's.
const PLAN_WORDS: &[&str] = &[
    "bedroom", "bedrooms", "bed", "beds", "br", "studio", "studios", "bath", "baths",
];
/// Words that may sit between a phrase and its amount without weakening the link.
#[rustfmt::skip]
const FILLER: &[&str] = &[
    "as", "low", "from", "starting", "ranges", "range", "equal", "equals", "goes", "is", "are",
    "was", "will", "be", "of", "at", "just", "only", "currently", "a", "an", "the", "per", "month",
    "mo", "monthly", "adult", "adults", "applicant", "applicants", "person", "pet", "one", "time",
    "non", "refundable", "nonrefundable", "fully", "which", "starts", "start", "runs", "costs",
    "cost", "for", "each", "total", "our", "flat", "fee", "fees", "it", "s", "its", "due", "paid",
    "payable", "upfront", "up", "front", "approximately", "about", "around", "roughly", "usd",
    "also", "set", "charge", "charged", "we", "this", "that", "there", "amount", "x", "here",
    "right", "now", "move", "in", "lease", "signing", "applies", "to",
];

/// Every amount in a text, ranges merged.
pub fn amounts(s: &str) -> Vec<Amount> {
    let b = s.as_bytes();
    let lower = s.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let found = if b[i] == b'$' {
            // "$ 60", "$\u{a0}60": a space (also a non-breaking one) may follow the sign.
            let j = match s[i + 1..].chars().next() {
                Some(c) if c.is_whitespace() => i + 1 + c.len_utf8(),
                _ => i + 1,
            };
            number_at(s, j)
        } else if b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_alphanumeric())) {
            number_at(s, i).and_then(|(v, end)| {
                let rest = &lower[end..];
                ["dollars", " dollars", " dollar", " usd"]
                    .iter()
                    .find(|w| rest.starts_with(*w))
                    .map(|w| (v, end + w.len()))
            })
        } else {
            None
        };
        let Some((value, end)) = found else {
            i += 1;
            continue;
        };
        let mut amount = Amount {
            start: i,
            end,
            value,
            max: None,
        };
        if let Some((max, end)) = range_end(s, &lower, end)
            .filter(|(m, _)| *m > value && (value == 0.0 || *m <= value * 4.0))
        {
            amount.max = Some(max);
            amount.end = end;
        }
        i = amount.end.max(i + 1);
        out.push(amount);
    }
    for at in find_all(&lower, "dollars") {
        if let Some(a) = worded_amount(&lower, at)
            && !out.iter().any(|o| o.start < a.end && a.start < o.end)
        {
            out.push(a);
        }
    }
    out.sort_by_key(|a| a.start);
    out
}

/// "fifty dollars", "one hundred fifty dollars", "twenty-five dollars": the words before `at`.
fn worded_amount(lower: &str, at: usize) -> Option<Amount> {
    #[rustfmt::skip]
    const UNITS: [&str; 20] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let ws = words(&lower[..at]);
    let mut start = None;
    let (mut total, mut current) = (0.0, 0.0);
    let taken: Vec<_> = ws
        .iter()
        .rev()
        .take_while(|(_, _, w)| {
            UNITS.contains(w) || TENS.contains(w) || matches!(*w, "hundred" | "thousand" | "and")
        })
        .collect();
    for (s, _, w) in taken.iter().rev() {
        start.get_or_insert(*s);
        if let Some(n) = UNITS.iter().position(|u| u == w) {
            current += n as f64;
        } else if let Some(n) = TENS.iter().position(|t| t == w) {
            current += (n as f64 + 2.0) * 10.0;
        } else if *w == "hundred" {
            current = current.max(1.0) * 100.0;
        } else if *w == "thousand" {
            total += current.max(1.0) * 1000.0;
            current = 0.0;
        }
    }
    let value = total + current;
    (value > 0.0).then(|| Amount {
        start: start.unwrap_or(at),
        end: at + "dollars".len(),
        value,
        max: None,
    })
}

/// A number at `j`: digits, ",ddd" groups, ".dd" decimals, an optional "k".
fn number_at(s: &str, j: usize) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    let mut k = j;
    while k < b.len() && b[k].is_ascii_digit() {
        k += 1;
    }
    if k == j || k - j > 7 {
        return None;
    }
    while b.get(k) == Some(&b',')
        && b.len() >= k + 4
        && b[k + 1..k + 4].iter().all(u8::is_ascii_digit)
        && !b.get(k + 4).is_some_and(u8::is_ascii_digit)
    {
        k += 4;
    }
    if b.get(k) == Some(&b'.') && b.get(k + 1).is_some_and(u8::is_ascii_digit) {
        k += 1;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
    }
    let mut value: f64 = s[j..k].replace(',', "").parse().ok()?;
    if matches!(b.get(k), Some(b'k' | b'K')) && !b.get(k + 1).is_some_and(u8::is_ascii_alphabetic) {
        value *= 1000.0;
        k += 1;
    }
    Some((value, k))
}

/// "- $1,890", "to $1,890", "– 1,890" after an amount.
fn range_end(s: &str, lower: &str, from: usize) -> Option<(f64, usize)> {
    let rest = &lower[from..];
    let trimmed = rest.trim_start();
    let mut k = from + rest.len() - trimmed.len();
    let sep = ["-", "\u{2013}", "\u{2014}", "to "]
        .into_iter()
        .find(|p| trimmed.starts_with(p))?;
    k += sep.len();
    let after = &lower[k..];
    k += after.len() - after.trim_start().len();
    if lower[k..].starts_with('$') {
        k += 1;
    }
    number_at(s, k)
}

/// Whether the amount is a monthly one ("$20/mo", "$35 per month", "$25 a month").
pub fn monthly(lower: &str, a: &Amount) -> bool {
    let rest = lower.get(a.end..).unwrap_or_default().trim_start();
    [
        "/mo",
        "/month",
        "per month",
        "a month",
        "monthly",
        "each month",
        "a mo",
        "per mo",
    ]
    .iter()
    .any(|p| rest.starts_with(p))
}

/// A phrase found in the sentence.
#[derive(Debug, Clone, Copy)]
struct Key {
    start: usize,
    end: usize,
    claim: Claim,
}

fn keys(lower: &str) -> Vec<Key> {
    let mut found: Vec<Key> = Vec::new();
    let phrases = KEYS
        .iter()
        .flat_map(|(c, ps)| ps.iter().map(move |p| (*c, *p)));
    let mut all: Vec<Key> = phrases
        .flat_map(|(claim, p)| {
            find_all(lower, p).into_iter().map(move |at| Key {
                start: at,
                end: at + p.len(),
                claim,
            })
        })
        .collect();
    // Under a "Fees:" label the fee is named by one word: "Fees: application $60, admin $150".
    if lower.contains("fees:") {
        for (field, word) in [
            ("application_fee", "application"),
            ("administration_fee", "administration"),
            ("administration_fee", "admin"),
        ] {
            all.extend(find_all(lower, word).into_iter().map(|at| Key {
                start: at,
                end: at + word.len(),
                claim: Field(field),
            }));
        }
    }
    all.sort_by_key(|k| (usize::MAX - (k.end - k.start), k.start));
    for k in all {
        if !found.iter().any(|f| k.start < f.end && f.start < k.end) {
            found.push(k);
        }
    }
    found.sort_by_key(|k| k.start);
    found
}

/// What one sentence says about money.
#[derive(Debug, Clone, Default)]
pub struct MoneyRead {
    pub amounts: Vec<Amount>,
    /// Per amount: what it belongs to, if anything.
    pub claims: Vec<Option<Claim>>,
    /// Fee fields and their values (0 for "no admin fee", "waived").
    pub fees: Vec<(&'static str, f64)>,
}

/// Pairs amounts with the phrases around them: cheapest links first, each used once.
pub fn read_money(s: &Sentence) -> MoneyRead {
    let amounts = amounts(&s.text);
    let keys = keys(&s.lower);
    let mut links: Vec<(f64, usize, usize)> = Vec::new();
    for (ki, k) in keys.iter().enumerate() {
        for (ai, a) in amounts.iter().enumerate() {
            if a.start > k.end + 50 || k.start > a.end + 30 {
                continue;
            }
            let cost = if a.start >= k.end {
                link_cost(&s.lower, k.end, a.start, false, &keys, &amounts)
            } else if a.end <= k.start {
                link_cost(&s.lower, a.end, k.start, true, &keys, &amounts)
            } else {
                None
            };
            if let Some(c) = cost {
                links.push((c, ki, ai));
            }
        }
    }
    links.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.2.cmp(&y.2)));
    let mut claims = vec![None; amounts.len()];
    let mut key_amount: Vec<Option<usize>> = vec![None; keys.len()];
    for (_, ki, ai) in links {
        if claims[ai].is_none() && key_amount[ki].is_none() {
            claims[ai] = Some(keys[ki].claim);
            key_amount[ki] = Some(ai);
        }
    }
    let mut fees = Vec::new();
    for (ki, k) in keys.iter().enumerate() {
        let Field(field) = k.claim else { continue };
        let until = keys.get(ki + 1).map_or(s.lower.len(), |n| n.start);
        match key_amount[ki] {
            // "admin fee waived ($250)" and "admin fee waived (normally $250)".
            Some(ai)
                if waived_after(&s.lower, k.end.max(amounts[ai].end), until)
                    || waived_after(&s.lower, k.end, amounts[ai].start) =>
            {
                fees.push((field, 0.0))
            }
            Some(ai) => fees.push((field, amounts[ai].value)),
            None if negated(&s.lower, k, until) => fees.push((field, 0.0)),
            None => {}
        }
    }
    MoneyRead {
        amounts,
        claims,
        fees,
    }
}

/// The cost of linking a phrase and an amount across `lower[from..to]`; None if they cannot be.
fn link_cost(
    lower: &str,
    from: usize,
    to: usize,
    backward: bool,
    keys: &[Key],
    amounts: &[Amount],
) -> Option<f64> {
    let gap = &lower[from..to];
    let max_len = if backward { 24 } else { 45 };
    if gap.len() > max_len || gap.contains(['.', ';', '?', '!', '\n', '$']) {
        return None;
    }
    let inside = |s: usize, e: usize| s >= from && e <= to;
    if keys.iter().any(|k| inside(k.start, k.end)) || amounts.iter().any(|a| inside(a.start, a.end))
    {
        return None;
    }
    // Punctuation such as "–" is no word; a plan's words mean the amount is the plan's.
    let ws: Vec<_> = words(gap)
        .into_iter()
        .filter(|(_, _, w)| w.chars().any(char::is_alphanumeric))
        .collect();
    if ws.iter().any(|(_, _, w)| PLAN_WORDS.contains(w)) {
        return None;
    }
    let joins = ws
        .iter()
        .filter(|(_, _, w)| matches!(*w, "and" | "or" | "but" | "plus" | "with"))
        .count();
    let other = ws
        .iter()
        .filter(|(_, _, w)| {
            !FILLER.contains(w) && !matches!(*w, "and" | "or" | "but" | "plus" | "with")
        })
        .count();
    let filler = ws.len() - joins - other;
    let commas = gap.matches(',').count();
    if backward && (joins > 0 || other > 0 || commas > 0) {
        return None;
    }
    if other > 2 || joins > 1 {
        return None;
    }
    let cost = other as f64 * 2.0
        + filler as f64 * 0.5
        + joins as f64 * 4.0
        + commas as f64 * 2.0
        + if backward { 1.0 } else { 0.0 };
    Some(cost)
}

/// "no admin fee", "there's no application fee", "we don't charge an admin fee", "fee: none",
/// "admin fee waived".
fn negated(lower: &str, k: &Key, until: usize) -> bool {
    let from = lower.floor_char_boundary(k.start.saturating_sub(40));
    let mut head = &lower[from..k.start];
    if let Some(cut) = head.rfind([',', ':', '(', ')', ';']) {
        head = &head[cut + 1..];
    }
    let before = words(head);
    let no = before.iter().rev().take(3).any(|(_, _, w)| {
        matches!(
            *w,
            "no" | "zero" | "without" | "waive" | "waived" | "waiving"
        )
    });
    let charge_not = [
        "don't charge",
        "do not charge",
        "doesn't charge",
        "never charge",
        "don't have",
        "do not have",
        "no longer",
        "not charging",
    ]
    .iter()
    .any(|p| head.contains(p));
    if no || charge_not || waived_after(lower, k.end, until) {
        return true;
    }
    let tail = &lower[k.end..lower.floor_char_boundary((k.end + 25).min(until))];
    let t = tail.trim_start_matches([':', ' ', '-']);
    ["none", "n/a", "free", "is free", "is $0"]
        .iter()
        .any(|p| t.starts_with(p))
}

/// "waived" within four words after `from` (and before the next phrase at `until`).
fn waived_after(lower: &str, from: usize, until: usize) -> bool {
    let end = lower.floor_char_boundary((from + 30).min(until).min(lower.len()));
    if end <= from {
        return false;
    }
    words(&lower[from..end])
        .iter()
        .take(4)
        .any(|(_, _, w)| matches!(*w, "waived" | "waive"))
}

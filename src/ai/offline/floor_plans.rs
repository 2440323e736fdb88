//! Floor plans from a sentence or list item ("2 bed / 2 bath, about 1,050 sq ft, $1,725 to
//! $1,890"), the bed/bath/sq ft words tables use too, and plan dedup. Pure; it takes amounts
//! already claimed by fees as given, never reads quoted history, and leaves tables to plan_tables.

use crate::domain::community::{FloorPlan, HowRead};

use super::money::{Claim, MoneyRead};
use super::text::{MAX_EVIDENCE, Sentence, clip, number_word, parse_number, words};

const BED_WORDS: [&str; 10] = [
    "bed", "beds", "bedroom", "bedrooms", "br", "brs", "bd", "bdr", "bdrm", "bdrms",
];
const BATH_WORDS: [&str; 6] = ["bath", "baths", "bathroom", "bathrooms", "ba", "bth"];
#[rustfmt::skip]
const SQFT_WORDS: [&str; 10] = [
    "sq ft", "sq. ft", "sqft", "sq.ft", "square feet", "square foot", "sq feet", "sq. feet", "sf",
    "ft2",
];
/// Sentences that restate what the prospect asked for rather than what the property has.
#[rustfmt::skip]
const RESTATING: [&str; 7] = [
    "budget", "you mentioned", "you asked", "looking for", "you're looking", "you are looking",
    "your search",
];

/// A count before one of `units` ("2 bed", "two-bedroom", "2BR", "1.5 ba"), with its span.
fn counts(lower: &str, units: &[&str], studio: bool) -> Vec<(usize, usize, f64)> {
    let ws = words(lower);
    let mut out = Vec::new();
    for (i, &(s, e, w)) in ws.iter().enumerate() {
        if studio && matches!(w, "studio" | "studios" | "efficiency") {
            let prev = i.checked_sub(1).map(|p| ws[p].2).unwrap_or_default();
            if !matches!(
                prev,
                "fitness" | "yoga" | "art" | "recording" | "podcast" | "spin" | "dance"
            ) {
                out.push((s, e, 0.0));
            }
            continue;
        }
        // Compact: "2br", "1.5ba", "2bed".
        if let Some(unit) = units.iter().find(|u| w.ends_with(*u) && w.len() > u.len())
            && let Some(n) = parse_number(&w[..w.len() - unit.len()])
        {
            if n <= 6.0 {
                out.push((s, e, n));
            }
            continue;
        }
        let n = match number_word(w) {
            Some(v) => v,
            None if w.len() <= 3 => match parse_number(w) {
                Some(v) => v,
                None => continue,
            },
            None => continue,
        };
        if n > 6.0 {
            continue;
        }
        // "2 bed", "two-bedroom", "2 full baths".
        let (mut j, mut e) = (i + 1, e);
        if let Some(full) = ws.get(j).filter(|x| x.2 == "full") {
            (j, e) = (j + 1, full.1);
        }
        let Some(&(ns, ne, next)) = ws.get(j) else {
            continue;
        };
        let gap = &lower[e..ns];
        if units.contains(&next) && gap.len() <= 3 && gap.chars().all(|c| " -/".contains(c)) {
            out.push((s, ne, n));
        }
    }
    out
}

pub fn bed_mentions(lower: &str) -> Vec<(usize, usize, f64)> {
    let mut out = counts(lower, &BED_WORDS, true);
    for (s, e, beds, _) in by_by(lower) {
        if !out.iter().any(|m| m.0 < e && s < m.1) {
            out.push((s, e, beds));
        }
    }
    out.sort_by_key(|m| m.0);
    out
}

pub fn bath_mentions(lower: &str) -> Vec<(usize, usize, f64)> {
    let mut out = counts(lower, &BATH_WORDS, false);
    out.extend(
        by_by(lower)
            .into_iter()
            .map(|(s, e, _, baths)| (s, e, baths)),
    );
    out.sort_by_key(|m| m.0);
    out
}

/// "2x2", "1x1.5": beds by baths.
fn by_by(lower: &str) -> Vec<(usize, usize, f64, f64)> {
    words(lower)
        .into_iter()
        .filter_map(|(s, e, w)| {
            let w = w.strip_suffix('s').unwrap_or(w);
            let (b, ba) = w.split_once('x')?;
            let (b, ba) = (parse_number(b)?, parse_number(ba)?);
            (b <= 6.0 && (1.0..=5.0).contains(&ba)).then_some((s, e, b, ba))
        })
        .collect()
}

pub fn sqft_mentions(lower: &str) -> Vec<(usize, f64)> {
    let ws = words(lower);
    let mut out = Vec::new();
    for (i, &(s, e, w)) in ws.iter().enumerate() {
        if let Some(n) = ["sqft", "sf"]
            .iter()
            .find_map(|u| w.strip_suffix(u).and_then(parse_number))
        {
            out.push((s, n));
            continue;
        }
        let Some(n) = parse_number(w).filter(|n| (150.0..=10_000.0).contains(n)) else {
            continue;
        };
        let rest = lower[e..].trim_start_matches([' ', '-']);
        if SQFT_WORDS.iter().any(|u| {
            rest.starts_with(u) && !rest[u.len()..].starts_with(|c: char| c.is_ascii_alphabetic())
        }) && ws.get(i + 1).is_some()
        {
            out.push((s, n));
        }
    }
    out
}

fn restating(s: &Sentence) -> bool {
    RESTATING.iter().any(|r| s.lower.contains(r))
}

/// Amounts that can be rent: not a fee's, parking's or the like, and in a rent's range.
fn rents(money: &MoneyRead) -> Vec<(usize, f64, Option<f64>)> {
    money
        .amounts
        .iter()
        .zip(&money.claims)
        .filter(|(_, c)| matches!(c, None | Some(Claim::Rent)))
        .filter(|(a, _)| (300.0..=30_000.0).contains(&a.value))
        .map(|(a, _)| (a.start, a.value, a.max))
        .collect()
}

/// (lowest, highest if different) of some prices and ranges.
fn price_range(prices: &[&(usize, f64, Option<f64>)]) -> (Option<f64>, Option<f64>) {
    let min = prices.iter().map(|p| p.1).reduce(f64::min);
    let max = prices
        .iter()
        .map(|p| p.2.unwrap_or(p.1))
        .reduce(f64::max)
        .filter(|m| Some(*m) != min);
    (min, max)
}

/// A plan whose beds are in one sentence and price in the next ("The 2 bedroom is still open.
/// It's $1,400 a month.").
pub fn carried(prev: &Sentence, s: &Sentence, money: &MoneyRead) -> Option<FloorPlan> {
    let beds = bed_mentions(&prev.lower);
    if beds.len() != 1 || !bed_mentions(&s.lower).is_empty() || restating(prev) || restating(s) {
        return None;
    }
    let rents = rents(money);
    let (min, max) = price_range(&rents.iter().collect::<Vec<_>>());
    min?;
    Some(FloorPlan {
        beds: Some(beds[0].2),
        baths: bath_mentions(&prev.lower).first().map(|b| b.2),
        sqft: sqft_mentions(&s.lower).first().map(|q| q.1),
        min_rental_price: min,
        max_rental_price: max,
        evidence: clip(&format!("{} {}", prev.text, s.text), MAX_EVIDENCE),
        confidence: Some(HowRead::Inferred.confidence()),
        ..FloorPlan::default()
    })
}

/// Floor plans a sentence states; `money` is the sentence's money reading (fees already claimed).
pub fn from_sentence(s: &Sentence, money: &MoneyRead) -> Vec<FloorPlan> {
    if restating(s) {
        return Vec::new();
    }
    let beds = bed_mentions(&s.lower);
    if beds.is_empty() {
        return Vec::new();
    }
    let rents = rents(money);
    let sqft = sqft_mentions(&s.lower);
    let baths = bath_mentions(&s.lower);
    // Amount first ("$1,395 for the 1-bedroom and ..."): a segment ends at its bed mention.
    let amount_first = beds.len() > 1 && rents.first().is_some_and(|r| r.0 < beds[0].0);
    let mut plans = Vec::new();
    for (k, &(bs, be, n)) in beds.iter().enumerate() {
        let (from, to) = if beds.len() == 1 {
            (0, s.lower.len())
        } else if amount_first {
            (if k == 0 { 0 } else { beds[k - 1].1 }, be)
        } else {
            (
                if k == 0 { 0 } else { bs },
                beds.get(k + 1).map_or(s.lower.len(), |b| b.0),
            )
        };
        let within = |p: usize| p >= from && p < to;
        let prices: Vec<&(usize, f64, Option<f64>)> =
            rents.iter().filter(|r| within(r.0)).collect();
        let size = sqft.iter().find(|q| within(q.0)).map(|q| q.1);
        if prices.is_empty() && size.is_none() {
            continue;
        }
        let (min, max) = price_range(&prices);
        // The plan's own name near its bed mention, else (one plan) the sentence's label.
        let around = (
            if k == 0 { 0 } else { beds[k - 1].1 },
            bs,
            be,
            beds.get(k + 1).map_or(s.lower.len(), |b| b.0),
        );
        let name = (s.text.len() == s.lower.len())
            .then(|| name_near(&s.text, around))
            .flatten()
            .or_else(|| {
                (beds.len() == 1 || k == 0)
                    .then(|| plan_name(&s.text))
                    .flatten()
            });
        let segment = &s.lower[bs..around.3.max(be).min(s.lower.len())];
        // A deposit stated in this plan's own words ("..., deposit $350").
        let deposit = money
            .amounts
            .iter()
            .zip(&money.claims)
            .find(|(a, c)| {
                **c == Some(Claim::Field("security_deposit"))
                    && (beds.len() == 1 || (a.start >= bs && a.start < around.3))
            })
            .map(|(a, _)| a.value);
        let plan_type = ["townhome", "townhouse", "town home"]
            .iter()
            .any(|w| segment.contains(w))
            .then(|| "townhome".to_string());
        plans.push(FloorPlan {
            name,
            plan_type,
            security_deposit: deposit,
            beds: Some(n),
            baths: baths.iter().find(|b| within(b.0)).map(|b| b.2),
            sqft: size,
            min_rental_price: min,
            max_rental_price: max,
            evidence: s.evidence(),
            confidence: Some(HowRead::Sentence.confidence()),
            ..FloorPlan::default()
        });
    }
    plans
}

/// Words that are no plan's name, however capitalised.
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "studio", "studios", "one", "two", "three", "four", "bedroom", "bedrooms", "bed", "beds",
    "bath", "baths", "apartment", "apartments", "plan", "plans", "floor", "unit", "units", "our",
    "this", "that", "yes", "hi", "hello", "current", "pricing", "price", "prices", "rent", "we",
    "it", "i", "you", "the", "a", "an", "and", "or", "loft", "townhome", "townhomes", "home",
    "garden", "flat", "flats", "starting", "from", "only", "just", "now", "today", "currently",
];

/// A plan's name as people write it: one to three capitalised words or a short code ("A1",
/// "The Palo Verde"); a leading lowercase "the" is not part of it.
fn good_name(candidate: &str) -> Option<String> {
    let c = candidate
        .trim()
        .trim_matches(|ch: char| "\"'“”‘’".contains(ch))
        .trim();
    let c = c
        .strip_prefix("the ")
        .or(c.strip_prefix("our "))
        .unwrap_or(c)
        .trim();
    let ws: Vec<&str> = c.split_whitespace().collect();
    if ws.is_empty() || ws.len() > 3 || c.len() > 30 {
        return None;
    }
    let word_ok = |w: &str| {
        let code = w.len() <= 4
            && w.chars().any(|x| x.is_ascii_digit())
            && w.chars().any(|x| x.is_ascii_alphabetic())
            && w.chars().all(|x| x.is_ascii_alphanumeric() || x == '-');
        code || (w.starts_with(|x: char| x.is_uppercase())
            && w.chars()
                .all(|x| x.is_alphabetic() || x == '-' || x == '\''))
    };
    let all_generic = ws
        .iter()
        .all(|w| NOT_NAMES.contains(&w.to_lowercase().as_str()));
    (ws.iter().all(|w| word_ok(w)) && !all_generic && bed_mentions(&c.to_lowercase()).is_empty())
        .then(|| c.to_string())
}

/// The name a plan is given near its bed mention: after it, in parentheses or quotes ("2 bed
/// (plan Bastille, ...)", "1 bed \"Bordeaux\""); before it, as "the A1 (", "The Linden is a",
/// "the Wren, a", "Brighton - ". `around` is (where this plan's text may start, the bed mention's
/// start and end, where the next plan's starts), byte offsets into `text`.
fn name_near(text: &str, around: (usize, usize, usize, usize)) -> Option<String> {
    let (from, bs, be, to) = around;
    let (from, bs, be, to) = (from.min(bs), bs, be.max(bs), to.max(be).min(text.len()));
    if !(text.is_char_boundary(from)
        && text.is_char_boundary(bs)
        && text.is_char_boundary(be)
        && text.is_char_boundary(to))
    {
        return None;
    }
    let after = &text[be..to];
    let before = &text[from..bs];
    parenthesised(after)
        .or_else(|| quoted_name(after))
        .or_else(|| leading_name(before))
}

/// "(plan Bastille, 1,080 sq ft)", "(the Sauce plan, ...)", "(The Elm)", "(S1, 512 sq ft)".
fn parenthesised(s: &str) -> Option<String> {
    let open = s.find('(')?;
    let inner = &s[open + 1..];
    let close = inner.find([',', ')', ';'])?;
    let inside = inner[..close].trim();
    let lower = inside.to_lowercase();
    if let Some(rest) = lower.strip_prefix("plan ") {
        return good_name(&inside[inside.len() - rest.len()..]);
    }
    if let Some(head) = lower.strip_suffix(" plan") {
        return good_name(&inside[..head.len()]);
    }
    good_name(inside)
}

/// A name in quotes right after the details: `"Bordeaux"`, “Provence”.
fn quoted_name(s: &str) -> Option<String> {
    let start = s.find(['"', '“'])?;
    let rest = &s[start + s[start..].chars().next()?.len_utf8()..];
    let end = rest.find(['"', '”'])?;
    (start < 40).then(|| good_name(&rest[..end])).flatten()
}

/// The name just before the bed mention: "the A1 (", "The Linden is a", "the Wren, a",
/// "the Sycamore, which is our", "Brighton - ", "The Ashby      ".
fn leading_name(s: &str) -> Option<String> {
    let t = s.trim_end();
    let lower = t.to_lowercase();
    // "X (" / "X - " / "X: " / "X   " right before the count.
    for sep in ["(", " -", " –", " —", ":"] {
        if let Some(head) = t.strip_suffix(sep) {
            return last_words_name(head);
        }
    }
    if s.ends_with("  ") {
        return last_words_name(t);
    }
    // "The Linden is a" / "the Wren, a" / "the Sycamore, which is our" (longest first).
    for tail in [
        ", which is our",
        ", which is a",
        " is our",
        " is a",
        ", our",
        ", an",
        ", a",
    ] {
        if let Some(head) = lower.strip_suffix(tail) {
            return last_words_name(&t[..head.len()]);
        }
    }
    // Inside parentheses the count is part of: "(Aster, 1 bed / 1 bath".
    parenthesised(s)
}

/// The capitalised words at the end of `s` ("... and the B2" → "B2", "The Linden" kept whole
/// when it starts the text).
fn last_words_name(s: &str) -> Option<String> {
    let ws: Vec<&str> = s.split_whitespace().collect();
    let mut n = 0;
    while n < ws.len().min(3) {
        let w = ws[ws.len() - 1 - n].trim_matches(|c: char| "\"'“”,".contains(c));
        let capital = w.starts_with(|c: char| c.is_uppercase())
            || (w.chars().any(|c| c.is_ascii_digit()) && w.len() <= 4);
        if !capital {
            break;
        }
        n += 1;
    }
    if n == 0 {
        return None;
    }
    good_name(&ws[ws.len() - n..].join(" "))
}

/// "The Aspen: 1 bed ...", "Plan B2 - 2 bed ...": a short capitalised label before the details.
fn plan_name(text: &str) -> Option<String> {
    let cut = [":", "(", " - ", " – "]
        .iter()
        .filter_map(|c| text.find(c))
        .min()?;
    let label = text[..cut].trim();
    let n = label.split_whitespace().count();
    let generic = [
        "pricing",
        "price",
        "prices",
        "rent",
        "rents",
        "floor plan",
        "floor plans",
        "availability",
        "details",
        "units",
        "unit",
        "options",
        "note",
        "special",
        "current pricing",
    ];
    let lower = label.to_ascii_lowercase();
    let ok = (1..=4).contains(&n)
        && label
            .split_whitespace()
            .all(|w| w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()))
        && !generic.iter().any(|g| lower.ends_with(g))
        && bed_mentions(&lower).is_empty();
    ok.then(|| label.to_string())
}

/// Plans without repeats: the same beds and lowest price (within $1) are one plan.
pub fn dedup(plans: Vec<FloorPlan>) -> Vec<FloorPlan> {
    let mut out: Vec<FloorPlan> = Vec::new();
    for p in plans {
        let same = out.iter().any(|q| {
            q.beds == p.beds
                && match (q.min_rental_price, p.min_rental_price) {
                    (Some(a), Some(b)) => (a - b).abs() <= 1.0,
                    (None, None) => q.sqft == p.sqft,
                    _ => false,
                }
        });
        if !same {
            out.push(p);
        }
    }
    out
}

//! Floor plans from a sentence or list item ("2 bed / 2 bath, about 1,050 sq ft, $1,725 to
//! $1,890"), the bed/bath/sq ft words tables use too, and plan dedup. Pure; it takes amounts
//! already claimed by fees as given, never reads quoted history, and leaves tables to plan_tables.

use crate::domain::community::FloorPlan;

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
        plans.push(FloorPlan {
            name: plan_name(&s.text),
            beds: Some(n),
            baths: baths.iter().find(|b| within(b.0)).map(|b| b.2),
            sqft: size,
            min_rental_price: min,
            max_rental_price: max,
            evidence: s.evidence(),
            ..FloorPlan::default()
        });
    }
    plans
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

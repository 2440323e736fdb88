//! Rule-based extraction of the community schema from one reply: fees by the words around each
//! amount, pet policy, specials, lease terms, availability, parking, utilities, the website,
//! floor plans (sentences and tables) and amenities, each with the sentence it came from. Pure;
//! reads only the reply's own words (quoted history is cut first) and never guesses a value.

use serde_json::json;

use crate::domain::community::{Amenity, Extraction, FloorPlan, HowRead};

use super::text::{
    MAX_EVIDENCE, Sentence, clip, has_any, is_table_line, normalize, sentences, words,
};
use super::{amenities, floor_plans, money, plan_tables, quoted, tables};

#[rustfmt::skip]
const PET_TERMS: &[&str] = &[
    "pet", "pets", "cat", "cats", "dog", "dogs", "animal", "animals", "pet-friendly", "kitten",
    "puppy", "puppies",
];
#[rustfmt::skip]
const PET_CUES: &[&str] = &[
    "allow", "allowed", "allows", "welcome", "welcomes", "friendly", "pet-friendly", "accept",
    "accepts", "accepted", "permit", "permitted", "restriction", "restrictions", "restricted",
    "breed", "breeds", "weight", "lb", "lbs", "pound", "pounds", "limit", "limits", "max",
    "maximum", "up to", "deposit", "rent", "fee", "fees", "per pet", "only", "no", "not", "policy",
    "two pets", "one pet", "2 pets",
];
/// Pet amenities: not a statement of policy.
#[rustfmt::skip]
const PET_AMENITIES: &[&str] = &[
    "dog park", "bark park", "dog run", "dog wash", "pet wash", "pet spa", "pet washing station",
    "dog washing station", "pet grooming station",
];
/// A special named without its terms ("Current specials:"): used only when nothing better is said.
const SPECIALS_WEAK: &[&str] = &["special", "specials", "concession", "concessions"];
#[rustfmt::skip]
const SPECIALS: &[&str] = &[
    "move-in special", "month free", "months free", "weeks free", "week free", "free rent",
    "rent free", "look and lease", "look & lease", "first month free", "off your first month",
    "off the first month", "off first month", "discount", "discounted", "promo", "promotion",
    "waived", "waiving", "waive", "limited time",
];
#[rustfmt::skip]
const LEASE_PHRASES: &[&str] = &[
    "month-to-month", "month to month", "lease terms", "lease term", "lease length",
    "lease lengths", "short-term lease", "short term lease", "short-term leases",
];
/// Sentences about another property ("our sister property, Oak Hollow, has a playground").
#[rustfmt::skip]
const SISTER: &[&str] = &[
    "sister property", "sister community", "sister communities", "sister properties",
    "our other property", "our other community", "another one of our communities",
];
#[rustfmt::skip]
const AVAILABLE: &[&str] = &[
    "available", "availability", "opening up", "open up", "coming up", "still open",
    "open right now", "open now",
];
#[rustfmt::skip]
const AVAILABILITY_STRONG: &[&str] = &[
    "still available", "what's open", "what is open", "waitlist", "wait list", "waiting list",
    "fully leased", "fully occupied", "no vacancies", "no vacancy", "sold out", "vacant",
    "move-in ready", "ready for move-in", "currently have open", "have open", "styles open",
    "plans open", "units open", "homes open", "still have", "still avail", "avail now",
    "what we have right now", "available now",
];
#[rustfmt::skip]
const UNIT_WORDS: &[&str] = &[
    "unit", "units", "apartment", "apartments", "home", "homes", "bedroom", "bedrooms", "bed",
    "studio", "studios", "plan", "plans", "floor plan", "floorplan", "move-in", "move in", "now",
    "immediately", "today", "we have", "we do have", "january", "february", "march", "april",
    "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "next month", "this month",
    "timeframe",
];
#[rustfmt::skip]
const NOT_UNITS: &[&str] = &[
    "tour", "tours", "showing", "showings", "appointment", "appointments", "visit", "office",
    "hours", "24/7", "questions", "call", "i'm available", "i am available", "available to",
    "you're available", "you are available", "lockers",
];
#[rustfmt::skip]
const PARKING: &[&str] = &[
    "parking", "garage", "garages", "carport", "carports", "covered spot", "covered spots",
    "reserved spot", "reserved spots", "parking spot", "parking space", "assigned space",
    "assigned spaces",
];
#[rustfmt::skip]
const UTILITIES: &[&str] = &[
    "water", "sewer", "trash", "electric", "electricity", "gas", "internet", "wifi", "wi-fi",
    "cable",
];
#[rustfmt::skip]
const UTILITY_CUES: &[&str] = &[
    "included", "include", "includes", "including", "pay", "pays", "paid", "responsible", "billed",
    "bill", "covered", "separately", "separate", "flat fee", "flat rate", "rubs",
];
#[rustfmt::skip]
const MONTH_NUMBERS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
];
/// Hosts that are not the community's own website.
#[rustfmt::skip]
const NOT_HOMEPAGES: &[&str] = &[
    "facebook", "instagram", "twitter", "x.com", "linkedin", "youtube", "tiktok", "google",
    "goo.gl", "bit.ly", "calendly", "zillow", "apartments.com", "yelp", "rent.com",
];

/// A text field's test of one sentence.
type Rule = fn(&Sentence) -> bool;

/// The community schema from one reply. `html` (the HTML part, if any) adds its tables.
pub fn extract(text: &str, html: Option<&str>) -> Extraction {
    let own = quoted::strip_quoted_history(text);
    let sents = sentences(&own);
    let mut ex = Extraction::empty();
    let mut plans: Vec<FloorPlan> = Vec::new();
    let mut all_tables = tables::text_tables(&own);
    if let Some(h) = html {
        all_tables.splice(0..0, tables::html_tables(quoted::strip_quoted_html(h)));
    }
    for t in &all_tables {
        plans.extend(plan_tables::from_rows(t));
        if let Some(a) =
            plan_tables::availability_from_rows(t).filter(|_| ex.get("availability").is_none())
        {
            ex.set_read("availability", json!(a), &a, HowRead::TableCell);
        }
    }
    // Text fields whose sentences all count (joined), and the rest (first sentence wins).
    let mut joined: [(&str, Vec<String>); 2] =
        [("pet_policy", Vec::new()), ("utilities", Vec::new())];
    let mut weak_special: Option<String> = None;
    let mut found: Vec<Amenity> = Vec::new();
    let mut prev: Option<&Sentence> = None;
    // Deposits stated in one plan's own sentence: (value, the sentence's evidence).
    let mut plan_deposits: Vec<(f64, String)> = Vec::new();
    for s in &sents {
        // Another property of the same owner is not this one: nothing of it is read.
        if has_any(&s.lower, SISTER) {
            prev = None;
            continue;
        }
        let money = money::read_money(s);
        for (field, value) in &money.fees {
            if ex.get(field).is_none() {
                ex.set_read(field, money_json(*value), &s.evidence(), how_read(s));
            }
        }
        let mut here = match is_table_line(&s.text) {
            true => Vec::new(),
            false => floor_plans::from_sentence(s, &money),
        };
        if here.is_empty() {
            here.extend(prev.and_then(|p| floor_plans::carried(p, s, &money)));
        }
        // A deposit in a plan's own words is its own ("$1,050/month, deposit $200"); one in
        // the plans' sentence is all of theirs ("both with a $400 deposit").
        plan_deposits.extend(
            here.iter()
                .filter_map(|p| p.security_deposit)
                .map(|d| (d, s.evidence())),
        );
        if let Some(&(_, d)) = money.fees.iter().find(|(f, _)| *f == "security_deposit") {
            for p in &mut here {
                p.security_deposit.get_or_insert(d);
            }
        }
        // Beds without a price may be priced by the next sentence.
        prev = (here.is_empty() && !s.is_question()).then_some(s);
        for entry in amenities::find(s) {
            if entry.unit && !here.is_empty() {
                for p in &mut here {
                    p.amenities.push(entry.name.clone());
                }
            } else if !found.iter().any(|a| a.amenity == entry.name) {
                found.push(Amenity {
                    amenity: entry.name.clone(),
                    description: None,
                    evidence: s.evidence(),
                    confidence: Some(HowRead::Sentence.confidence()),
                });
            }
        }
        plans.extend(here);
        if s.is_question() {
            continue;
        }
        if pet_policy(s)
            && ex.get("pet_rent").is_none()
            && let Some(v) = unclaimed_monthly(s, &money)
        {
            ex.set_read("pet_rent", money_json(v), &s.evidence(), HowRead::Inferred);
        }
        for (field, list) in &mut joined {
            let hit = match *field {
                "pet_policy" => pet_policy(s),
                _ => utilities(s),
            };
            if hit && list.len() < 3 && !list.contains(&s.text) {
                list.push(s.text.clone());
            }
        }
        if weak_special.is_none() && has_any(&s.lower, SPECIALS_WEAK) {
            weak_special = Some(s.evidence());
        }
        let rules: [(&str, Rule); 4] = [
            ("specials", |s| has_any(&s.lower, SPECIALS)),
            ("lease_terms", lease_terms),
            ("availability", availability),
            ("parking", |s| has_any(&s.lower, PARKING)),
        ];
        for (field, rule) in rules {
            if ex.get(field).is_none() && rule(s) {
                ex.set_read(field, json!(s.evidence()), &s.evidence(), how_read(s));
            }
        }
    }
    for (q, a) in quoted::inline_answers(text) {
        inline_answer(&mut ex, &mut plans, &q, &a);
    }
    for (field, list) in joined {
        if !list.is_empty() {
            let all = list.join(" ");
            ex.set_read(
                field,
                json!(clip(&all, 1000)),
                &clip(&all, MAX_EVIDENCE),
                HowRead::Sentence,
            );
        }
    }
    if let (None, Some(w)) = (ex.get("specials"), weak_special) {
        ex.set_read("specials", json!(w), &w, HowRead::Guess);
    }
    if let Some((url, line)) = homepage(&normalize(&own)) {
        ex.set_read(
            "url",
            json!(url),
            &clip(&line, MAX_EVIDENCE),
            HowRead::LabelledLine,
        );
    }
    community_deposit(&mut ex, &mut plans, &plan_deposits);
    ex.floor_plans = floor_plans::dedup(plans);
    ex.community_amenities = found;
    ex
}

/// A deposit stated for the whole community ("$500 for either plan", "deposits start at
/// $250") is each plan's too, marked in the plan's evidence as inferred from that statement.
/// Deposits that differ plan by plan are the plans' own: then there is no one deposit for the
/// community, and the first plan's is not taken for it.
fn community_deposit(ex: &mut Extraction, plans: &mut [FloorPlan], own: &[(f64, String)]) {
    let Some(stated) = ex.get("security_deposit").cloned() else {
        return;
    };
    let mut distinct: Vec<f64> = Vec::new();
    for (d, _) in own {
        if !distinct.iter().any(|x| (x - d).abs() < 0.5) {
            distinct.push(*d);
        }
    }
    if distinct.len() > 1 && own.iter().any(|(_, e)| *e == stated.evidence) {
        ex.fields.insert("security_deposit".into(), None);
        return;
    }
    let Some(d) = stated.value.as_f64() else {
        return;
    };
    for p in plans.iter_mut().filter(|p| p.security_deposit.is_none()) {
        p.security_deposit = Some(d);
        let inferred = HowRead::Inferred.confidence();
        p.confidence = Some(p.confidence.map_or(inferred, |c| c.min(inferred)));
        p.evidence = clip(
            &format!(
                "{} [deposit inferred from: {}]",
                p.evidence, stated.evidence
            ),
            MAX_EVIDENCE * 2,
        );
    }
}

/// A labelled line ("Application fee: $50", "Pets: cats only") or a table line reads surer than
/// a sentence of prose.
fn how_read(s: &Sentence) -> HowRead {
    let labelled = s
        .text
        .split_once(':')
        .is_some_and(|(label, _)| label.split_whitespace().count() <= 4 && !label.contains('$'));
    if labelled || is_table_line(&s.text) {
        HowRead::LabelledLine
    } else {
        HowRead::Sentence
    }
}

/// A pet sentence's small monthly amount that no phrase claimed: "$20/mo each" after a pet fee.
fn unclaimed_monthly(s: &Sentence, money: &money::MoneyRead) -> Option<f64> {
    money
        .amounts
        .iter()
        .zip(&money.claims)
        .find(|(a, c)| c.is_none() && a.value < 200.0 && money::monthly(&s.lower, a))
        .map(|(a, _)| a.value)
}

/// An answer written under a quoted question ("> What is the application fee?" / "It's $40
/// per person."): the question names the fee or the plan, the value comes from the answer only.
fn inline_answer(ex: &mut Extraction, plans: &mut Vec<FloorPlan>, question: &str, answer: &str) {
    let Some(a) = sentences(answer).into_iter().next() else {
        return;
    };
    let q = Sentence::new(&question.replace('?', ":"));
    let asked: Vec<f64> = money::amounts(&q.text).iter().map(|x| x.value).collect();
    let said: Vec<f64> = money::amounts(&a.text).iter().map(|x| x.value).collect();
    let both = Sentence::new(&format!("{} {}", q.text, a.text));
    for (field, v) in money::read_money(&both).fees {
        if ex.get(field).is_none() && said.contains(&v) && !asked.contains(&v) {
            ex.set_read(field, money_json(v), &a.evidence(), HowRead::Sentence);
        }
    }
    if let Some(mut plan) = floor_plans::carried(&q, &a, &money::read_money(&a)) {
        plan.evidence = a.evidence();
        plans.push(plan);
    }
}

/// Whole dollars as an integer, else a float.
fn money_json(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 1e12 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn pet_policy(s: &Sentence) -> bool {
    let mut l = s.lower.clone();
    for a in PET_AMENITIES {
        l = l.replace(a, "");
    }
    has_any(&l, PET_TERMS) && has_any(&l, PET_CUES)
}

/// "12-month lease", "month-to-month", "13-month leases", "lease terms from 6 to 15 months".
fn lease_terms(s: &Sentence) -> bool {
    if has_any(&s.lower, LEASE_PHRASES) {
        return true;
    }
    let ws = words(&s.lower);
    let counted = ws.windows(2).any(|w| {
        let n = w[0].2;
        let numeric = n.bytes().all(|b| b.is_ascii_digit()) || MONTH_NUMBERS.contains(&n);
        numeric && matches!(w[1].2, "month" | "months" | "mo")
    });
    counted && has_any(&s.lower, &["lease", "leases", "term", "terms"])
}

fn availability(s: &Sentence) -> bool {
    // A garage's or a parking space's waitlist is parking's business.
    if has_any(&s.lower, AVAILABILITY_STRONG) && !has_any(&s.lower, PARKING) {
        return true;
    }
    if !has_any(&s.lower, AVAILABLE) {
        return false;
    }
    let units = has_any(&s.lower, UNIT_WORDS) || !floor_plans::bed_mentions(&s.lower).is_empty();
    let strong_units = has_any(&s.lower, &UNIT_WORDS[..12]);
    units && (!has_any(&s.lower, NOT_UNITS) || strong_units)
}

/// "utilities", or a utility with who pays it or what it costs ("Trash is $15/mo").
fn utilities(s: &Sentence) -> bool {
    has_any(&s.lower, &["utilities", "utility"])
        || (has_any(&s.lower, UTILITIES)
            && (has_any(&s.lower, UTILITY_CUES) || !money::amounts(&s.text).is_empty()))
}

/// The community's own website: a bare homepage link (no path), not a social or listing site.
fn homepage(text: &str) -> Option<(String, String)> {
    for line in text.lines() {
        for tok in line.split_whitespace() {
            let t = tok
                .trim_matches(|c: char| "<>()[],;\"'".contains(c))
                .trim_end_matches('.');
            let l = t.to_ascii_lowercase();
            let rest = l
                .strip_prefix("https://")
                .or_else(|| l.strip_prefix("http://"))
                .or_else(|| l.starts_with("www.").then_some(l.as_str()));
            let Some(rest) = rest else { continue };
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            if host.contains('.')
                && path.is_empty()
                && !NOT_HOMEPAGES.iter().any(|h| host.contains(h))
            {
                return Some((t.to_string(), line.trim().to_string()));
            }
        }
    }
    None
}

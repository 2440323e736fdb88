//! Fair-housing concerns in a reply: steering, familial status, guarantees of safety, source of
//! income, disability, religion, national origin, sex — each with the sentence quoted and why.
//! Pure phrase rules; it flags for an operator to confirm and never decides a grade.

use crate::domain::community::FairHousingFlag;

use super::text::{Sentence, has_any};

const FAMILIAL: &str = "familial status: steering away from or excluding families with children";
const SAFETY: &str =
    "guarantee of safety: claims about safety or crime can steer by implying who lives nearby";
const STEERING: &str = "steering: suggesting who would fit in or where a prospect should live";
const INCOME: &str =
    "source of income: refusing housing vouchers (Section 8), protected in many places";
const DISABILITY: &str = "disability: limiting assistance animals or people with disabilities";
const RELIGION: &str = "religion: describing or preferring residents by religion";
const ORIGIN: &str =
    "national origin or race: describing or preferring residents by origin, race or language";
const SEX: &str = "sex: preferring residents by sex";

/// Phrases (whole words, lowercase) and why each is a concern.
const PHRASES: &[(&[&str], &str)] = &[
    (
        &[
            "young professionals",
            "young professional",
            "not suited for families",
            "not suitable for families",
            "not ideal for families",
            "not a good fit for families",
            "not great for families",
            "not for families",
            "not for kids",
            "not for children",
            "much here for kids",
            "much here for children",
            "nothing for kids",
            "no families",
            "families usually prefer",
            "families would prefer",
            "families prefer",
            "better for families",
            "better suited for families",
            "great for singles",
            "perfect for singles",
            "ideal for singles",
            "singles only",
            "perfect for a couple",
            "ideal for couples",
            "perfect for couples",
            "too many kids",
            "without kids",
            "without children",
            "child-free",
            "kid-free",
            "empty nesters",
            "not kid friendly",
            "not kid-friendly",
            "not child friendly",
            "not child-friendly",
        ],
        FAMILIAL,
    ),
    (
        &[
            "safe neighborhood",
            "safe area",
            "safe community",
            "very safe",
            "completely safe",
            "totally safe",
            "perfectly safe",
            "super safe",
            "100% safe",
            "really safe",
            "extremely safe",
            "safest neighborhood",
            "safest area",
            "no crime",
            "zero crime",
            "never any crime",
            "low crime",
            "crime is low",
            "neighborhood is safe",
            "area is safe",
            "community is safe",
            "always safe",
        ],
        SAFETY,
    ),
    (
        &[
            "people like you",
            "your kind",
            "you'd fit in",
            "you would fit in",
            "fit right in",
            "more comfortable at",
            "more comfortable elsewhere",
            "be more comfortable",
            "better suited to",
            "not the right fit for you",
            "predominantly",
            "mostly white",
            "mostly black",
            "mostly hispanic",
            "those people",
            "that kind of people",
            "the right kind of",
        ],
        STEERING,
    ),
    (
        &[
            "english speakers",
            "speak english",
            "english only",
            "english-speaking",
            "no foreigners",
            "foreigners",
            "immigrants",
            "citizens only",
            "u.s. citizens",
            "american families",
            "hispanic",
            "latino",
            "latina",
            "asian",
            "african american",
            "caucasian",
            "ethnic",
            "arab",
            "white neighborhood",
            "black neighborhood",
        ],
        ORIGIN,
    ),
    (
        &[
            "christian",
            "christians",
            "jewish",
            "muslim",
            "muslims",
            "catholic",
            "church-going",
            "churchgoing",
            "hindu",
            "mormon",
            "mosque",
            "synagogue",
            "god-fearing",
            "religious",
        ],
        RELIGION,
    ),
    (
        &[
            "no wheelchairs",
            "wheelchair users",
            "handicapped people",
            "the handicapped",
            "disabled people",
            "mentally ill",
            "mental illness",
            "able-bodied",
            "must be able to climb",
        ],
        DISABILITY,
    ),
    (
        &[
            "women only",
            "female only",
            "females only",
            "men only",
            "male only",
            "males only",
            "no men",
            "single woman",
            "single women",
            "single men",
            "bachelor pad",
        ],
        SEX,
    ),
];

/// Adult-only language is lawful in housing for older persons.
#[rustfmt::skip]
const ADULT_ONLY: &[&str] = &[
    "adults only", "adult only", "adult-only", "adults-only", "adult community", "mature community",
    "mature adults", "mature residents", "mature tenants", "no kids", "no children", "quiet adults",
];
#[rustfmt::skip]
const SENIOR_HOUSING: &[&str] = &[
    "55+", "55 and older", "55 and over", "62+", "62 and older", "senior community",
    "senior living", "senior apartments", "age-restricted", "age restricted", "active adult",
];

#[rustfmt::skip]
const VOUCHERS: &[&str] = &[
    "section 8", "section-8", "housing voucher", "housing vouchers", "voucher", "vouchers",
    "housing choice", "hcv", "housing assistance", "rental assistance", "government assistance",
];
#[rustfmt::skip]
const ASSISTANCE_ANIMALS: &[&str] = &[
    "service animal", "service animals", "service dog", "service dogs", "emotional support",
    "support animal", "support animals", "assistance animal", "assistance animals", "esa", "esas",
];
/// Refusals (substring match on the lowercased sentence).
const REFUSALS: &[&str] = &["no ", "not ", "n't", "cannot", "unable", "never ", "nor "];
#[rustfmt::skip]
const ANIMAL_LIMITS: &[&str] = &[
    "not accept", "n't accept", "not allowed", "n't allowed", "not permitted", "no service",
    "no emotional", "no esa", "no support", "apply to", "applies to", "still pay", "still charge",
    "also pay", "must pay", "same pet", "counts as a pet", "count as pets", "considered pets",
    "n't count", "not count", "not recognize", "n't recognize",
];

/// The flags of a reply's sentences, one per sentence (the first reason found). `all_lower` is
/// the whole reply, lowercased, for the senior-housing exemption.
pub fn flags(sentences: &[Sentence], all_lower: &str) -> Vec<FairHousingFlag> {
    let senior = SENIOR_HOUSING.iter().any(|p| all_lower.contains(p));
    let mut out: Vec<FairHousingFlag> = Vec::new();
    for s in sentences {
        let Some(reason) = reason(s, senior) else {
            continue;
        };
        let quote = s.evidence();
        if !out.iter().any(|f| f.quote == quote) {
            out.push(FairHousingFlag {
                quote,
                reason: reason.to_string(),
            });
        }
    }
    out
}

fn reason(s: &Sentence, senior: bool) -> Option<&'static str> {
    let l = &s.lower;
    if let Some((_, r)) = PHRASES.iter().find(|(p, _)| has_any(l, p)) {
        // "We are not a 'young professionals only' community" is still a concern to confirm.
        return Some(r);
    }
    if !senior && has_any(l, ADULT_ONLY) {
        return Some(FAMILIAL);
    }
    if has_any(l, VOUCHERS) && REFUSALS.iter().any(|r| l.contains(r)) {
        return Some(INCOME);
    }
    if has_any(l, ASSISTANCE_ANIMALS) && ANIMAL_LIMITS.iter().any(|r| l.contains(r)) {
        return Some(DISABILITY);
    }
    None
}

//! The grading rubric (`assets/rubric.toml`, versioned) and the arithmetic that turns criterion
//! scores into a grade, with fair housing as a gate that caps the total.

use serde::{Deserialize, Serialize};

use super::community::FairHousingFlag;
use super::overrides::{Adjustment, FlagDecision};

pub const DEFAULT_RUBRIC: &str = include_str!("../../assets/rubric.toml");

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Rubric {
    pub version: String,
    pub fair_housing_cap: f64,
    pub criteria: Vec<Criterion>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Criterion {
    pub key: String,
    pub name: String,
    pub weight: f64,
    pub guidance: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionScore {
    pub key: String,
    pub name: String,
    pub score: f64,
    pub max: f64,
    pub reason: String,
    pub evidence: Vec<String>,
    /// An operator set the score (the machine's is kept here beside it).
    #[serde(default)]
    pub adjusted: Option<Adjustment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    pub rubric_version: String,
    pub total: f64,
    pub max_total: f64,
    pub criteria: Vec<CriterionScore>,
    pub fair_housing_flags: Vec<FairHousingFlag>,
    /// A flagged statement or an attempt to instruct an AI: an operator must confirm before the
    /// grade is final.
    pub needs_review: bool,
    /// Why it needs review, one line each: every fair-housing flag, every reply that tried to
    /// instruct an AI. Empty when it does not.
    #[serde(default)]
    pub review_reasons: Vec<String>,
    /// Operators' decisions on the flags above (confirmed: the cap stays; cleared: it goes).
    #[serde(default)]
    pub flag_decisions: Vec<FlagDecision>,
}

impl Grade {
    /// Marks the grade for an operator's review, saying why. The total stands: only the
    /// fair-housing gate caps it.
    pub fn flag_for_review(&mut self, reason: String) {
        if !self.review_reasons.contains(&reason) {
            self.review_reasons.push(reason);
        }
        self.needs_review = true;
    }
}

/// How a fair-housing flag reads among a grade's review reasons.
pub fn fair_housing_reason(f: &FairHousingFlag) -> String {
    format!(
        "fair-housing flag: \u{201c}{}\u{201d} ({})",
        f.quote, f.reason
    )
}

impl Rubric {
    pub fn default_rubric() -> Rubric {
        Rubric::parse(DEFAULT_RUBRIC).expect("the built-in rubric is valid")
    }

    pub fn parse(text: &str) -> Result<Rubric, String> {
        let r: Rubric = toml::from_str(text).map_err(|e| format!("rubric: {e}"))?;
        let sum: f64 = r.criteria.iter().map(|c| c.weight).sum();
        if (sum - 100.0).abs() > 0.01 {
            return Err(format!(
                "rubric {}: weights add up to {sum}, not 100",
                r.version
            ));
        }
        if r.criteria.iter().any(|c| c.weight <= 0.0) {
            return Err(format!(
                "rubric {}: every weight must be positive",
                r.version
            ));
        }
        Ok(r)
    }

    /// Totals the scores (each clamped to 0..=weight, given as a fraction 0..=1 of it) and
    /// applies the fair-housing gate.
    pub fn grade(
        &self,
        scored: Vec<(String, f64, String, Vec<String>)>,
        flags: Vec<FairHousingFlag>,
    ) -> Grade {
        let criteria: Vec<CriterionScore> = self
            .criteria
            .iter()
            .map(|c| {
                let (fraction, reason, evidence) = scored
                    .iter()
                    .find(|(k, ..)| *k == c.key)
                    .map(|(_, f, r, e)| (*f, r.clone(), e.clone()))
                    .unwrap_or((0.0, "not assessed".into(), Vec::new()));
                CriterionScore {
                    key: c.key.clone(),
                    name: c.name.clone(),
                    score: round1(fraction.clamp(0.0, 1.0) * c.weight),
                    max: c.weight,
                    reason,
                    evidence,
                    adjusted: None,
                }
            })
            .collect();
        let raw: f64 = criteria.iter().map(|c| c.score).sum();
        let needs_review = !flags.is_empty();
        let total = if needs_review {
            raw.min(self.fair_housing_cap)
        } else {
            raw
        };
        Grade {
            rubric_version: self.version.clone(),
            total: round1(total),
            max_total: self.criteria.iter().map(|c| c.weight).sum(),
            criteria,
            review_reasons: flags.iter().map(fair_housing_reason).collect(),
            fair_housing_flags: flags,
            needs_review,
            flag_decisions: Vec::new(),
        }
    }
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(f: f64) -> Vec<(String, f64, String, Vec<String>)> {
        [
            "responsiveness",
            "completeness",
            "follow_through",
            "professionalism",
        ]
        .iter()
        .map(|k| (k.to_string(), f, "r".to_string(), vec![]))
        .collect()
    }

    #[test]
    fn the_default_rubric_adds_up() {
        let r = Rubric::default_rubric();
        assert_eq!(r.criteria.len(), 4);
        assert_eq!(r.grade(scores(1.0), vec![]).total, 100.0);
        assert_eq!(r.grade(scores(0.5), vec![]).total, 50.0);
        let g = r.grade(scores(2.0), vec![]);
        assert_eq!(g.total, 100.0, "scores are clamped to the weight");
    }

    #[test]
    fn fair_housing_caps_and_asks_for_review() {
        let r = Rubric::default_rubric();
        let flag = FairHousingFlag {
            quote: "not suited for kids".into(),
            reason: "familial status".into(),
        };
        let mut g = r.grade(scores(0.9), vec![flag]);
        assert_eq!(g.total, r.fair_housing_cap);
        assert!(g.needs_review);
        assert_eq!(
            g.review_reasons,
            ["fair-housing flag: \u{201c}not suited for kids\u{201d} (familial status)"]
        );
        // Another reason adds to the list once; the cap stays what it was.
        g.flag_for_review("prompt-injection attempt in message #7".into());
        g.flag_for_review("prompt-injection attempt in message #7".into());
        assert_eq!(g.review_reasons.len(), 2);
        assert_eq!(g.total, r.fair_housing_cap);
    }

    #[test]
    fn a_review_reason_alone_flags_the_grade_without_capping_it() {
        let r = Rubric::default_rubric();
        let mut g = r.grade(scores(0.9), vec![]);
        assert!(!g.needs_review && g.review_reasons.is_empty());
        g.flag_for_review("prompt-injection attempt in message #7".into());
        assert!(g.needs_review);
        assert_eq!(g.total, 90.0);
    }

    #[test]
    fn weights_must_add_up_to_100() {
        let bad = DEFAULT_RUBRIC.replace("weight = 30", "weight = 31");
        assert!(Rubric::parse(&bad).unwrap_err().contains("101"));
    }
}

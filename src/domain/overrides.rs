//! Operators correcting the machine: their word on a grade's fair-housing flags, their values for
//! facts and criterion scores, and what these do to a grade. Pure; the store keeps them apart
//! from the machine's own values, so re-extraction and re-grading never overwrite them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::community::{FairHousingFlag, FieldKind, SCALAR_FIELDS, field_kind};
use super::rubric::{Grade, fair_housing_reason, round1};
use crate::text_enum;

text_enum! {
    /// An operator's word on a fair-housing flag.
    pub enum Verdict {
        /// The statement is a violation: the grade's cap stays.
        Confirmed => "confirmed",
        /// It is not: the grade is figured without the flag's cap.
        Cleared => "cleared",
    }
}

text_enum! {
    /// What an override sets.
    pub enum OverrideKind {
        Fact => "fact",
        Criterion => "criterion",
    }
}

/// An operator's decision on one flag, known by its quote (a re-grade raises it again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagDecision {
    pub quote: String,
    /// Why the machine flagged it ("familial status").
    pub flag_reason: String,
    pub verdict: Verdict,
    /// The operator's why (required to clear).
    pub reason: String,
    pub operator: String,
    pub at: DateTime<Utc>,
}

/// An operator's value for a fact (key: its field path) or a criterion (key: its rubric key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub kind: OverrideKind,
    pub key: String,
    pub value: Value,
    /// What the machine said when the operator set it.
    pub machine_value: Option<Value>,
    pub reason: String,
    pub operator: String,
    pub at: DateTime<Utc>,
}

/// A criterion score an operator set, with the machine's beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    pub machine_score: f64,
    pub by: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Every operator decision on one shop.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decisions {
    pub flags: Vec<FlagDecision>,
    pub overrides: Vec<Override>,
}

impl Decisions {
    pub fn fact(&self, path: &str) -> Option<&Override> {
        self.overrides
            .iter()
            .find(|o| o.kind == OverrideKind::Fact && o.key == path)
    }

    fn criterion(&self, key: &str) -> Option<&Override> {
        self.overrides
            .iter()
            .find(|o| o.kind == OverrideKind::Criterion && o.key == key)
    }

    fn flag(&self, f: &FairHousingFlag) -> Option<&FlagDecision> {
        self.flags.iter().find(|d| d.quote == f.quote)
    }

    /// The grade with the operators' word applied: criterion overrides replace the machine's
    /// scores (kept beside them); a decided flag no longer awaits review; only a flag not
    /// cleared caps the total. Applying to a grade that already had decisions applied starts
    /// again from the machine's scores, so it can be applied any number of times.
    pub fn apply(&self, mut g: Grade, cap: f64) -> Grade {
        for c in &mut g.criteria {
            if let Some(a) = c.adjusted.take() {
                c.score = a.machine_score;
            }
            if let Some(o) = self.criterion(&c.key) {
                let machine = c.score;
                c.score = round1(o.value.as_f64().unwrap_or(machine).clamp(0.0, c.max));
                c.adjusted = Some(Adjustment {
                    machine_score: machine,
                    by: o.operator.clone(),
                    reason: o.reason.clone(),
                    at: o.at,
                });
            }
        }
        g.flag_decisions = g
            .fair_housing_flags
            .iter()
            .filter_map(|f| self.flag(f).cloned())
            .collect();
        let flag_reasons: Vec<String> = g
            .fair_housing_flags
            .iter()
            .map(fair_housing_reason)
            .collect();
        let others = g
            .review_reasons
            .iter()
            .filter(|r| !flag_reasons.contains(r))
            .cloned();
        let undecided = g
            .fair_housing_flags
            .iter()
            .filter(|f| self.flag(f).is_none())
            .map(fair_housing_reason);
        g.review_reasons = undecided.chain(others).collect();
        g.needs_review = !g.review_reasons.is_empty();
        let raw: f64 = g.criteria.iter().map(|c| c.score).sum();
        let capped = g
            .fair_housing_flags
            .iter()
            .any(|f| self.flag(f).is_none_or(|d| d.verdict == Verdict::Confirmed));
        g.total = round1(if capped { raw.min(cap) } else { raw });
        g
    }
}

/// The flag numbered `n` (from 1, in the order the grade lists them).
pub fn flag_number(g: &Grade, n: usize) -> Result<&FairHousingFlag, String> {
    match n.checked_sub(1).and_then(|i| g.fair_housing_flags.get(i)) {
        Some(f) => Ok(f),
        None if g.fair_housing_flags.is_empty() => {
            Err("the grade has no fair-housing flags".into())
        }
        None => Err(format!(
            "no flag {n}: the grade has {} (numbered from 1)",
            g.fair_housing_flags.len()
        )),
    }
}

/// A fact's value as an operator types it: a money field takes `$1,725`, `45` or `none` (0);
/// a text field takes the text.
pub fn parse_fact_value(field: &str, text: &str) -> Result<Value, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the value is empty".into());
    }
    match field_kind(field) {
        Some(FieldKind::Text) => Ok(Value::String(text.to_string())),
        Some(FieldKind::Money) => {
            if ["none", "no fee", "free", "waived"].contains(&text.to_lowercase().as_str()) {
                return Ok(serde_json::json!(0.0));
            }
            let digits: String = text.chars().filter(|c| !matches!(c, '$' | ',')).collect();
            match digits.trim().parse::<f64>() {
                Ok(x) if x >= 0.0 && x.is_finite() => Ok(serde_json::json!(x)),
                _ => Err(format!("{field} is an amount in dollars, not {text:?}")),
            }
        }
        None => Err(format!(
            "{field} is not a fact an operator can set; one of: {}",
            SCALAR_FIELDS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// A criterion's score as an operator types it, within 0..=max.
pub fn parse_score(text: &str, max: f64) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(x) if (0.0..=max).contains(&x) => Ok(x),
        _ => Err(format!("a score is a number from 0 to {max}, not {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rubric::Rubric;

    fn flag(q: &str) -> FairHousingFlag {
        FairHousingFlag {
            quote: q.into(),
            reason: "familial status".into(),
        }
    }

    fn graded(flags: Vec<FairHousingFlag>) -> (Grade, f64) {
        let r = Rubric::default_rubric();
        let scores = [
            "responsiveness",
            "completeness",
            "follow_through",
            "professionalism",
        ]
        .iter()
        .map(|k| (k.to_string(), 0.9, "r".to_string(), vec![]))
        .collect();
        (r.grade(scores, flags), r.fair_housing_cap)
    }

    fn decided(q: &str, verdict: Verdict) -> FlagDecision {
        FlagDecision {
            quote: q.into(),
            flag_reason: "familial status".into(),
            verdict,
            reason: "why".into(),
            operator: "ann".into(),
            at: Utc::now(),
        }
    }

    #[test]
    fn a_confirmed_flag_keeps_the_cap_and_a_cleared_one_lifts_it() {
        let (g, cap) = graded(vec![flag("no kids")]);
        assert_eq!(g.total, cap);
        let confirmed = Decisions {
            flags: vec![decided("no kids", Verdict::Confirmed)],
            ..Default::default()
        }
        .apply(g.clone(), cap);
        assert_eq!(confirmed.total, cap);
        assert!(!confirmed.needs_review, "{:?}", confirmed.review_reasons);
        assert_eq!(confirmed.flag_decisions.len(), 1);
        let cleared = Decisions {
            flags: vec![decided("no kids", Verdict::Cleared)],
            ..Default::default()
        }
        .apply(g, cap);
        assert_eq!(cleared.total, 90.0);
        assert!(!cleared.needs_review);
    }

    #[test]
    fn one_undecided_flag_still_caps_and_other_review_reasons_stay() {
        let (mut g, cap) = graded(vec![flag("no kids"), flag("adults only")]);
        g.flag_for_review("prompt-injection attempt in message #7".into());
        let d = Decisions {
            flags: vec![decided("no kids", Verdict::Cleared)],
            ..Default::default()
        };
        let out = d.apply(g, cap);
        assert_eq!(out.total, cap);
        assert_eq!(
            out.review_reasons,
            [
                "fair-housing flag: \u{201c}adults only\u{201d} (familial status)",
                "prompt-injection attempt in message #7"
            ]
        );
    }

    #[test]
    fn a_criterion_override_replaces_the_score_keeps_the_machines_and_reapplies_cleanly() {
        let (g, cap) = graded(vec![]);
        let d = Decisions {
            overrides: vec![Override {
                kind: OverrideKind::Criterion,
                key: "responsiveness".into(),
                value: serde_json::json!(10.0),
                machine_value: Some(serde_json::json!(22.5)),
                reason: "the reply came by phone".into(),
                operator: "ann".into(),
                at: Utc::now(),
            }],
            ..Default::default()
        };
        let once = d.apply(g, cap);
        assert_eq!(once.criteria[0].score, 10.0);
        assert_eq!(
            once.criteria[0].adjusted.as_ref().unwrap().machine_score,
            22.5
        );
        assert_eq!(once.total, 77.5);
        assert_eq!(d.apply(once.clone(), cap), once, "idempotent");
        let undone = Decisions::default().apply(once, cap);
        assert_eq!((undone.criteria[0].score, undone.total), (22.5, 90.0));
        assert!(undone.criteria[0].adjusted.is_none());
    }

    #[test]
    fn values_and_scores_are_read_as_typed() {
        assert_eq!(
            parse_fact_value("application_fee", "$1,725"),
            Ok(serde_json::json!(1725.0))
        );
        assert_eq!(
            parse_fact_value("administration_fee", "none"),
            Ok(serde_json::json!(0.0))
        );
        assert!(parse_fact_value("application_fee", "cheap").is_err());
        assert_eq!(
            parse_fact_value("pet_policy", " cats ok "),
            Ok(serde_json::json!("cats ok"))
        );
        assert!(
            parse_fact_value("floor_plans[2br]", "x")
                .unwrap_err()
                .contains("one of")
        );
        assert_eq!(parse_score("12.5", 25.0), Ok(12.5));
        assert!(parse_score("26", 25.0).is_err());
        let (g, _) = graded(vec![flag("no kids")]);
        assert_eq!(flag_number(&g, 1).unwrap().quote, "no kids");
        assert!(flag_number(&g, 2).unwrap_err().contains("has 1"));
        assert!(flag_number(&g, 0).is_err());
    }
}

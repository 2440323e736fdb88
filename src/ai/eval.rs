//! Quality measurement of an analyzer (offline rules or a model) against a labelled set of
//! replies: NAME.eml with a sibling NAME.json label. Per-field precision and recall, floor plans,
//! amenities, responder and signal accuracy, and values leaked from quoted history. Reads the
//! directory only; never writes, sends or grades.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::domain::community::{Extraction, FieldKind, FloorPlan, SCALAR_FIELDS, Signals};
use crate::domain::message::ResponderKind;
use crate::mail::parse::{ParsedMail, parse_mail};

/// True positives, false positives, false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Score {
    /// 1.0 when nothing was found (no false positive either).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// 1.0 when nothing was expected.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    fn add(&mut self, o: Score) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The label of one reply (NAME.json).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// "human", "auto" or "ai".
    pub responder: String,
    /// The persona's first name, for `used_name`.
    #[serde(default)]
    pub persona: Option<String>,
    /// FIELD: a number (money), `true` (some text expected) or a string the text must contain.
    /// Fields absent here must not be extracted.
    #[serde(default)]
    pub facts: serde_json::Map<String, Value>,
    #[serde(default)]
    pub floor_plans: Vec<PlanLabel>,
    #[serde(default)]
    pub amenities: Vec<String>,
    #[serde(default)]
    pub signals: serde_json::Map<String, Value>,
    /// Words that appear only in quoted history: no evidence may contain them.
    #[serde(default)]
    pub quoted_only: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanLabel {
    pub beds: f64,
    #[serde(default)]
    pub min_rental_price: Option<f64>,
    #[serde(default)]
    pub max_rental_price: Option<f64>,
    #[serde(default)]
    pub baths: Option<f64>,
    #[serde(default)]
    pub sqft: Option<f64>,
    #[serde(default)]
    pub name: Option<String>,
}

/// What [`evaluate_dir`] measured.
#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    pub messages: usize,
    /// Scalar fields (schema order), then "floor_plans", "floor_plan_details", "amenities".
    pub fields: Vec<(String, Score)>,
    /// (correct, total).
    pub responder: (usize, usize),
    /// (signal, correct, total).
    pub signals: Vec<(String, usize, usize)>,
    /// "NAME: field «evidence»" for every value taken from quoted history.
    pub quoted_leaks: Vec<String>,
    /// One line per wrong or missing value, for reading.
    pub mistakes: Vec<String>,
    /// Files that could not be read or parsed.
    pub errors: Vec<String>,
}

impl EvalReport {
    pub fn field(&self, name: &str) -> Option<Score> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, s)| *s)
    }

    /// Micro-average over scalar fields, floor plans and amenities (not plan details).
    pub fn overall(&self) -> Score {
        let mut total = Score::default();
        for (n, s) in &self.fields {
            if n != "floor_plan_details" {
                total.add(*s);
            }
        }
        total
    }

    pub fn responder_accuracy(&self) -> f64 {
        ratio(self.responder.0, self.responder.1)
    }

    /// Accuracy over every labelled signal of every message.
    pub fn signal_accuracy(&self) -> f64 {
        let (ok, n) = self
            .signals
            .iter()
            .fold((0, 0), |(a, b), s| (a + s.1, b + s.2));
        ratio(ok, n)
    }

    fn score_mut(&mut self, name: &str) -> &mut Score {
        let i = match self.fields.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                self.fields.push((name.to_string(), Score::default()));
                self.fields.len() - 1
            }
        };
        &mut self.fields[i].1
    }

    fn signal(&mut self, name: &str, ok: bool) {
        let i = match self.signals.iter().position(|(n, _, _)| n == name) {
            Some(i) => i,
            None => {
                self.signals.push((name.to_string(), 0, 0));
                self.signals.len() - 1
            }
        };
        self.signals[i].1 += usize::from(ok);
        self.signals[i].2 += 1;
    }
}

/// Runs `analyze` (mail, persona first name) on every NAME.eml of `dir` and scores it against
/// NAME.json. Unreadable files are listed in `errors`, never fatal.
pub fn evaluate_dir(
    dir: &Path,
    analyze: impl Fn(&ParsedMail, Option<&str>) -> (ResponderKind, Extraction, Signals),
) -> EvalReport {
    let mut report = EvalReport::default();
    for (name, _) in SCALAR_FIELDS {
        report.score_mut(name);
    }
    for extra in ["floor_plans", "floor_plan_details", "amenities"] {
        report.score_mut(extra);
    }
    let mut emls: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect(),
        Err(e) => {
            report.errors.push(format!("{}: {e}", dir.display()));
            return report;
        }
    };
    emls.sort();
    for eml in emls {
        let name = eml
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let label: Label = match std::fs::read_to_string(eml.with_extension("json"))
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(l) => l,
            Err(e) => {
                report.errors.push(format!("{name}.json: {e}"));
                continue;
            }
        };
        let raw = match std::fs::read(&eml) {
            Ok(r) => r,
            Err(e) => {
                report.errors.push(format!("{name}.eml: {e}"));
                continue;
            }
        };
        let mail = parse_mail(&raw);
        let first = label
            .persona
            .as_deref()
            .and_then(|p| p.split_whitespace().next());
        let (responder, ex, sig) = analyze(&mail, first);
        report.messages += 1;
        score_message(&mut report, &name, &label, responder, &ex, &sig);
    }
    report
}

fn score_message(
    r: &mut EvalReport,
    name: &str,
    label: &Label,
    responder: ResponderKind,
    ex: &Extraction,
    sig: &Signals,
) {
    r.responder.1 += 1;
    if responder.as_str() == label.responder {
        r.responder.0 += 1;
    } else {
        r.mistakes.push(format!(
            "{name}: responder {} (expected {})",
            responder, label.responder
        ));
    }
    for (field, kind) in SCALAR_FIELDS {
        let expected = label
            .facts
            .get(*field)
            .filter(|v| !v.is_null() && **v != Value::Bool(false));
        let found = ex.get(field);
        let mut s = Score::default();
        match (expected, found) {
            (None, None) => {}
            (None, Some(f)) => {
                s.fp = 1;
                r.mistakes.push(format!(
                    "{name}: {field} not expected, found {} «{}»",
                    f.value, f.evidence
                ));
            }
            (Some(e), None) => {
                s.fn_ = 1;
                r.mistakes
                    .push(format!("{name}: {field} expected {e}, not found"));
            }
            (Some(e), Some(f)) => {
                if value_matches(*kind, e, &f.value) {
                    s.tp = 1;
                } else {
                    s.fp = 1;
                    s.fn_ = 1;
                    r.mistakes.push(format!(
                        "{name}: {field} expected {e}, found {} «{}»",
                        f.value, f.evidence
                    ));
                }
            }
        }
        r.score_mut(field).add(s);
    }
    score_plans(r, name, &label.floor_plans, &ex.floor_plans);
    let expected: BTreeSet<String> = label.amenities.iter().map(|a| a.to_lowercase()).collect();
    let mut found: BTreeSet<String> = ex
        .community_amenities
        .iter()
        .map(|a| a.amenity.to_lowercase())
        .collect();
    found.extend(
        ex.floor_plans
            .iter()
            .flat_map(|p| p.amenities.iter().map(|a| a.to_lowercase())),
    );
    let s = Score {
        tp: expected.intersection(&found).count(),
        fp: found.difference(&expected).count(),
        fn_: expected.difference(&found).count(),
    };
    for a in found.difference(&expected) {
        r.mistakes.push(format!("{name}: amenity {a} not expected"));
    }
    for a in expected.difference(&found) {
        r.mistakes.push(format!("{name}: amenity {a} missed"));
    }
    r.score_mut("amenities").add(s);
    score_signals(r, name, &label.signals, sig);
    leaks(r, name, &label.quoted_only, ex);
}

fn value_matches(kind: FieldKind, expected: &Value, found: &Value) -> bool {
    match (kind, expected) {
        (FieldKind::Money, _) => match (expected.as_f64(), found.as_f64()) {
            (Some(e), Some(f)) => (e - f).abs() <= 1.0,
            _ => false,
        },
        (FieldKind::Text, Value::String(want)) => {
            let got = found
                .as_str()
                .map(str::to_lowercase)
                .unwrap_or_else(|| found.to_string());
            got.contains(&want.to_lowercase())
        }
        (FieldKind::Text, _) => true,
    }
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1.0,
        (None, None) => true,
        _ => false,
    }
}

/// Plans match by beds and lowest price; matched plans then score their other labelled values.
fn score_plans(r: &mut EvalReport, name: &str, expected: &[PlanLabel], found: &[FloorPlan]) {
    let mut used = vec![false; found.len()];
    let (mut plans, mut details) = (Score::default(), Score::default());
    for e in expected {
        let hit = found.iter().enumerate().position(|(i, f)| {
            !used[i] && f.beds == Some(e.beds) && close(e.min_rental_price, f.min_rental_price)
        });
        let Some(i) = hit else {
            plans.fn_ += 1;
            r.mistakes.push(format!(
                "{name}: floor plan {} bed from {:?} missed",
                e.beds, e.min_rental_price
            ));
            continue;
        };
        used[i] = true;
        plans.tp += 1;
        let f = &found[i];
        let pairs = [
            ("baths", e.baths, f.baths),
            ("sqft", e.sqft, f.sqft),
            ("max_rental_price", e.max_rental_price, f.max_rental_price),
        ];
        for (what, want, got) in pairs {
            let Some(want) = want else { continue };
            if close(Some(want), got) {
                details.tp += 1;
            } else {
                details.fn_ += 1;
                details.fp += usize::from(got.is_some());
                r.mistakes.push(format!(
                    "{name}: plan {} bed {what} expected {want}, found {got:?}",
                    e.beds
                ));
            }
        }
        if let Some(want) = &e.name {
            if f.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(want))
            {
                details.tp += 1;
            } else {
                details.fn_ += 1;
                details.fp += usize::from(f.name.is_some());
                r.mistakes.push(format!(
                    "{name}: plan {} bed name expected {want}, found {:?}",
                    e.beds, f.name
                ));
            }
        }
    }
    for (f, _) in found.iter().zip(&used).filter(|(_, u)| !**u) {
        plans.fp += 1;
        r.mistakes.push(format!(
            "{name}: floor plan {:?} bed from {:?} not expected «{}»",
            f.beds, f.min_rental_price, f.evidence
        ));
    }
    r.score_mut("floor_plans").add(plans);
    r.score_mut("floor_plan_details").add(details);
}

fn score_signals(
    r: &mut EvalReport,
    name: &str,
    want: &serde_json::Map<String, Value>,
    sig: &Signals,
) {
    for (key, value) in want {
        let got = match key.as_str() {
            "used_name" => Value::Bool(sig.used_name),
            "asked_for_appointment" => Value::Bool(sig.asked_for_appointment),
            "has_signature" => Value::Bool(sig.has_signature),
            "has_contact_details" => Value::Bool(sig.has_contact_details),
            "fair_housing" => Value::Bool(!sig.fair_housing_flags.is_empty()),
            "instructions_to_ai" => Value::Bool(sig.instructions_to_ai),
            "qualifying_questions" => {
                let mut q = sig.qualifying_questions.clone();
                q.sort();
                let mut w: Vec<String> = value
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                w.sort();
                let ok = q == w;
                if !ok {
                    r.mistakes.push(format!(
                        "{name}: qualifying_questions expected {w:?}, found {q:?}"
                    ));
                }
                r.signal(key, ok);
                continue;
            }
            other => {
                r.errors
                    .push(format!("{name}.json: unknown signal {other}"));
                continue;
            }
        };
        let ok = &got == value;
        if !ok {
            r.mistakes.push(format!(
                "{name}: signal {key} expected {value}, found {got}"
            ));
        }
        r.signal(key, ok);
    }
}

/// Every evidence and value checked against the words found only in quoted history.
fn leaks(r: &mut EvalReport, name: &str, quoted_only: &[String], ex: &Extraction) {
    let mut texts: Vec<(String, String)> = Vec::new();
    for (field, v) in ex
        .fields
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    {
        texts.push((field.clone(), format!("{} {}", v.value, v.evidence)));
    }
    texts.extend(
        ex.floor_plans
            .iter()
            .map(|p| ("floor_plan".to_string(), p.evidence.clone())),
    );
    texts.extend(
        ex.community_amenities
            .iter()
            .map(|a| (a.amenity.clone(), a.evidence.clone())),
    );
    for q in quoted_only {
        for (what, t) in &texts {
            if t.to_lowercase().contains(&q.to_lowercase()) {
                r.quoted_leaks
                    .push(format!("{name}: {what} «{t}» contains quoted {q:?}"));
            }
        }
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Evaluated {} messages", self.messages)?;
        writeln!(
            f,
            "{:<22}{:>5}{:>5}{:>5}{:>11}{:>8}",
            "field", "TP", "FP", "FN", "precision", "recall"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, n: &str, s: &Score| {
            writeln!(
                f,
                "{:<22}{:>5}{:>5}{:>5}{:>11.2}{:>8.2}",
                n,
                s.tp,
                s.fp,
                s.fn_,
                s.precision(),
                s.recall()
            )
        };
        for (n, s) in &self.fields {
            row(f, n, s)?;
        }
        row(f, "OVERALL", &self.overall())?;
        let (ok, n) = self.responder;
        writeln!(
            f,
            "responder accuracy: {ok}/{n} ({:.2})",
            self.responder_accuracy()
        )?;
        for (s, ok, n) in &self.signals {
            writeln!(f, "signal {s:<24} {ok}/{n}")?;
        }
        writeln!(f, "signal accuracy: {:.2}", self.signal_accuracy())?;
        match self.quoted_leaks.is_empty() {
            true => writeln!(f, "quoted-history leaks: none")?,
            false => writeln!(f, "quoted-history leaks: {}", self.quoted_leaks.len())?,
        }
        for l in &self.quoted_leaks {
            writeln!(f, "  LEAK {l}")?;
        }
        for m in &self.mistakes {
            writeln!(f, "  - {m}")?;
        }
        for e in &self.errors {
            writeln!(f, "  ERROR {e}")?;
        }
        Ok(())
    }
}

//! Quality measurement of an analyzer (offline rules or a model) against a labelled set of
//! replies: NAME.eml with a sibling NAME.json label. Per-field precision and recall, floor plans,
//! amenities, responder and signal accuracy, and values leaked from quoted history. Reads the
//! directory only; never writes, sends or grades.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::domain::community::{
    Evidenced, Extraction, FieldKind, FloorPlan, SCALAR_FIELDS, Signals,
};
use crate::domain::message::ResponderKind;
use crate::domain::reply::Reply;
use crate::mail::parse::parse_mail;

/// True positives, false positives, false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Score {
    pub const fn new(tp: usize, fp: usize, fn_: usize) -> Score {
        Score { tp, fp, fn_ }
    }

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

/// Right answers out of labelled ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accuracy {
    pub correct: usize,
    pub total: usize,
}

impl Accuracy {
    pub fn rate(&self) -> f64 {
        ratio(self.correct, self.total)
    }

    fn count(&mut self, ok: bool) {
        self.correct += usize::from(ok);
        self.total += 1;
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
    /// The persona's name; its first word is what `used_name` looks for.
    #[serde(default)]
    pub persona: Option<String>,
    /// FIELD: a number (money), `true` (some text expected) or a string the text must contain.
    /// Fields absent here must not be extracted.
    #[serde(default)]
    pub facts: Map<String, Value>,
    #[serde(default)]
    pub floor_plans: Vec<PlanLabel>,
    /// Canonical names from `assets/amenities.txt` (community and unit amenities together).
    #[serde(default)]
    pub amenities: Vec<String>,
    /// used_name, asked_for_appointment, fair_housing (any flag), instructions_to_ai,
    /// has_signature, has_contact_details: booleans; qualifying_questions: a list.
    #[serde(default)]
    pub signals: Map<String, Value>,
    /// Words that appear only in quoted history: no value or evidence may contain them.
    #[serde(default)]
    pub quoted_only: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A labelled floor plan: matched by beds and lowest price, then its other values are checked.
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
    /// The plan's deposit, also when the reply states one deposit for every plan.
    #[serde(default)]
    pub security_deposit: Option<f64>,
    /// apartment, townhome, ...
    #[serde(default, rename = "type")]
    pub plan_type: Option<String>,
}

/// What [`evaluate_dir`] measured.
#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    pub messages: usize,
    /// Scalar fields (schema order), then "floor_plans", "floor_plan_details", "amenities".
    pub fields: Vec<(String, Score)>,
    pub responder: Accuracy,
    /// Per labelled signal, in order of first appearance.
    pub signals: Vec<(String, Accuracy)>,
    /// "NAME: field «text» contains quoted …" for every value taken from quoted history.
    pub quoted_leaks: Vec<String>,
    /// One line per wrong, missing or unexpected value, for reading.
    pub mistakes: Vec<String>,
    /// Files that could not be read or parsed, and unknown label keys.
    pub errors: Vec<String>,
}

/// A line of `mistakes`: "NAME: what".
macro_rules! miss {
    ($r:expr, $name:expr, $($arg:tt)*) => {
        $r.mistakes.push(format!("{}: {}", $name, format_args!($($arg)*)))
    };
}

/// The entry named `name` of a list, added (default) when absent.
fn entry<'a, T: Default>(list: &'a mut Vec<(String, T)>, name: &str) -> &'a mut T {
    let i = match list.iter().position(|(n, _)| n == name) {
        Some(i) => i,
        None => {
            list.push((name.to_string(), T::default()));
            list.len() - 1
        }
    };
    &mut list[i].1
}

impl EvalReport {
    pub fn field(&self, name: &str) -> Option<Score> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, s)| *s)
    }

    /// Micro-average over scalar fields, floor plans and amenities (not plan details).
    pub fn overall(&self) -> Score {
        let mut total = Score::default();
        for (_, s) in self
            .fields
            .iter()
            .filter(|(n, _)| n != "floor_plan_details")
        {
            total.add(*s);
        }
        total
    }

    pub fn responder_accuracy(&self) -> f64 {
        self.responder.rate()
    }

    /// Accuracy over every labelled signal of every message.
    pub fn signal_accuracy(&self) -> f64 {
        let (ok, n) = self
            .signals
            .iter()
            .fold((0, 0), |(a, b), (_, s)| (a + s.correct, b + s.total));
        ratio(ok, n)
    }

    fn score(&mut self, name: &str, s: Score) {
        entry(&mut self.fields, name).add(s);
    }
}

/// Runs `analyze` (reply, persona first name) on every NAME.eml of `dir` and scores it against
/// NAME.json. Unreadable files are listed in `errors`, never fatal.
pub fn evaluate_dir(
    dir: &Path,
    analyze: impl Fn(&Reply, Option<&str>) -> (ResponderKind, Extraction, Signals),
) -> EvalReport {
    let mut report = EvalReport::default();
    let names = SCALAR_FIELDS.iter().map(|(n, _)| *n);
    for name in names.chain(["floor_plans", "floor_plan_details", "amenities"]) {
        report.score(name, Score::default());
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
        let loaded = std::fs::read_to_string(eml.with_extension("json"))
            .map_err(|e| format!("{name}.json: {e}"))
            .and_then(|t| {
                serde_json::from_str::<Label>(&t).map_err(|e| format!("{name}.json: {e}"))
            })
            .and_then(|l| {
                std::fs::read(&eml)
                    .map(|raw| (l, raw))
                    .map_err(|e| format!("{name}.eml: {e}"))
            });
        let (label, raw) = match loaded {
            Ok(x) => x,
            Err(e) => {
                report.errors.push(e);
                continue;
            }
        };
        let first = label
            .persona
            .as_deref()
            .and_then(|p| p.split_whitespace().next());
        let (responder, ex, sig) = analyze(&Reply::from(&parse_mail(&raw)), first);
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
    let ok = responder.as_str() == label.responder;
    r.responder.count(ok);
    if !ok {
        miss!(
            r,
            name,
            "responder {responder} (expected {})",
            label.responder
        );
    }
    for (field, kind) in SCALAR_FIELDS {
        let expected = label
            .facts
            .get(*field)
            .filter(|v| !v.is_null() && **v != Value::Bool(false));
        let (s, note) = match (expected, ex.get(field)) {
            (None, None) => (Score::default(), None),
            (None, Some(f)) => (
                Score::new(0, 1, 0),
                Some(format!("not expected, found {}", shown(f))),
            ),
            (Some(e), None) => (
                Score::new(0, 0, 1),
                Some(format!("expected {e}, not found")),
            ),
            (Some(e), Some(f)) if value_matches(*kind, e, &f.value) => (Score::new(1, 0, 0), None),
            (Some(e), Some(f)) => (
                Score::new(0, 1, 1),
                Some(format!("expected {e}, found {}", shown(f))),
            ),
        };
        if let Some(note) = note {
            miss!(r, name, "{field} {note}");
        }
        r.score(field, s);
    }
    score_plans(r, name, &label.floor_plans, &ex.floor_plans);
    let expected: BTreeSet<String> = label.amenities.iter().map(|a| a.to_lowercase()).collect();
    let plan_amenities = ex.floor_plans.iter().flat_map(|p| p.amenities.iter());
    let found: BTreeSet<String> = ex
        .community_amenities
        .iter()
        .map(|a| &a.amenity)
        .chain(plan_amenities)
        .map(|a| a.to_lowercase())
        .collect();
    for a in found.difference(&expected) {
        miss!(r, name, "amenity {a} not expected");
    }
    for a in expected.difference(&found) {
        miss!(r, name, "amenity {a} missed");
    }
    let s = Score {
        tp: expected.intersection(&found).count(),
        fp: found.difference(&expected).count(),
        fn_: expected.difference(&found).count(),
    };
    r.score("amenities", s);
    score_signals(r, name, &label.signals, sig);
    leaks(r, name, &label.quoted_only, ex);
}

fn value_matches(kind: FieldKind, expected: &Value, found: &Value) -> bool {
    match (kind, expected) {
        (FieldKind::Money, _) => close(expected.as_f64(), found.as_f64()) && found.is_number(),
        (FieldKind::Text, Value::String(want)) => {
            let got = found
                .as_str()
                .map_or_else(|| found.to_string(), str::to_string);
            got.to_lowercase().contains(&want.to_lowercase())
        }
        (FieldKind::Text, _) => true,
    }
}

fn shown(f: &Evidenced) -> String {
    format!("{} «{}»", f.value, f.evidence)
}

/// Equal within $1 (or sq ft, or a bath), or both unknown.
fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1.0,
        (None, None) => true,
        _ => false,
    }
}

/// (expected, right, something found) for a labelled number of a plan.
fn number_check(want: Option<f64>, got: Option<f64>) -> Option<(String, bool, bool)> {
    want.map(|w| (w.to_string(), close(Some(w), got), got.is_some()))
}

/// Plans match by beds and lowest price; matched plans then score their other labelled values.
fn score_plans(r: &mut EvalReport, name: &str, expected: &[PlanLabel], found: &[FloorPlan]) {
    let mut used = vec![false; found.len()];
    let (mut plans, mut details) = (Score::default(), Score::default());
    for e in expected {
        let hit = (0..found.len()).find(|&i| {
            !used[i]
                && found[i].beds == Some(e.beds)
                && close(e.min_rental_price, found[i].min_rental_price)
        });
        let Some(i) = hit else {
            plans.fn_ += 1;
            miss!(
                r,
                name,
                "floor plan {} bed from {:?} missed",
                e.beds,
                e.min_rental_price
            );
            continue;
        };
        used[i] = true;
        plans.tp += 1;
        let f = &found[i];
        let name_ok = |w: &String| f.name.as_ref().is_some_and(|n| n.eq_ignore_ascii_case(w));
        let type_ok = |w: &String| {
            f.plan_type
                .as_ref()
                .is_some_and(|t| t.eq_ignore_ascii_case(w))
        };
        let checks = [
            ("baths", number_check(e.baths, f.baths)),
            ("sqft", number_check(e.sqft, f.sqft)),
            (
                "max_rental_price",
                number_check(e.max_rental_price, f.max_rental_price),
            ),
            (
                "name",
                e.name
                    .as_ref()
                    .map(|w| (w.clone(), name_ok(w), f.name.is_some())),
            ),
            (
                "security_deposit",
                number_check(e.security_deposit, f.security_deposit),
            ),
            (
                "type",
                e.plan_type
                    .as_ref()
                    .map(|w| (w.clone(), type_ok(w), f.plan_type.is_some())),
            ),
        ];
        for (what, check) in checks {
            let Some((want, ok, got_some)) = check else {
                continue;
            };
            if ok {
                details.tp += 1;
            } else {
                details.fn_ += 1;
                details.fp += usize::from(got_some);
                miss!(
                    r,
                    name,
                    "plan {} bed {what} expected {want} «{}»",
                    e.beds,
                    f.evidence
                );
            }
        }
    }
    for (f, _) in found.iter().zip(&used).filter(|(_, u)| !**u) {
        plans.fp += 1;
        miss!(
            r,
            name,
            "floor plan {:?} bed from {:?} not expected «{}»",
            f.beds,
            f.min_rental_price,
            f.evidence
        );
    }
    r.score("floor_plans", plans);
    r.score("floor_plan_details", details);
}

fn score_signals(r: &mut EvalReport, name: &str, want: &Map<String, Value>, sig: &Signals) {
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
                Value::from(q)
            }
            other => {
                r.errors
                    .push(format!("{name}.json: unknown signal {other}"));
                continue;
            }
        };
        let mut value = value.clone();
        if let Value::Array(list) = &mut value {
            list.sort_by_key(|v| v.to_string());
        }
        let ok = got == value;
        if !ok {
            miss!(r, name, "signal {key} expected {value}, found {got}");
        }
        entry(&mut r.signals, key).count(ok);
    }
}

/// Every value and evidence checked against the words found only in quoted history.
fn leaks(r: &mut EvalReport, name: &str, quoted_only: &[String], ex: &Extraction) {
    let fields = ex.fields.iter().filter_map(|(k, v)| {
        v.as_ref()
            .map(|v| (k.clone(), format!("{} {}", v.value, v.evidence)))
    });
    let plans = ex
        .floor_plans
        .iter()
        .map(|p| ("floor plan".to_string(), p.evidence.clone()));
    let amenities = ex
        .community_amenities
        .iter()
        .map(|a| (a.amenity.clone(), a.evidence.clone()));
    for (what, text) in fields.chain(plans).chain(amenities) {
        for q in quoted_only
            .iter()
            .filter(|q| text.to_lowercase().contains(&q.to_lowercase()))
        {
            r.quoted_leaks
                .push(format!("{name}: {what} «{text}» contains quoted {q:?}"));
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
        let overall = ("OVERALL".to_string(), self.overall());
        for (n, s) in self.fields.iter().chain([&overall]) {
            let (p, r) = (s.precision(), s.recall());
            writeln!(
                f,
                "{n:<22}{:>5}{:>5}{:>5}{p:>11.2}{r:>8.2}",
                s.tp, s.fp, s.fn_
            )?;
        }
        let a = self.responder;
        writeln!(
            f,
            "responder accuracy: {}/{} ({:.2})",
            a.correct,
            a.total,
            a.rate()
        )?;
        for (s, a) in &self.signals {
            writeln!(f, "signal {s:<24} {}/{}", a.correct, a.total)?;
        }
        writeln!(f, "signal accuracy: {:.2}", self.signal_accuracy())?;
        writeln!(f, "quoted-history leaks: {}", self.quoted_leaks.len())?;
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

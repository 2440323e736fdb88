//! The shop's fact sheet: extractions merge into it field by field. A later value supersedes an
//! earlier one and both are kept; a different value is a conflict, shown, never hidden.

use serde::Serialize;
use serde_json::Value;

use super::community::Extraction;

/// A current fact (one per field path).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrentFact {
    pub field_path: String,
    pub value: Value,
}

/// A fact to store from a new extraction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewFact {
    pub field_path: String,
    pub value: Value,
    pub evidence: String,
    /// It replaces the current fact for this path (which stays, superseded).
    pub supersedes: bool,
    /// The earlier value differed: the agent said two things.
    pub conflict: bool,
    /// How sure the reader is of it (0-1), when it said.
    pub confidence: Option<f64>,
}

/// One flattened value: its field path, value, evidence and confidence.
pub type Flat = (String, Value, String, Option<f64>);

/// Field paths: scalar names, `floor_plans[KEY]` per plan, `community_amenities[NAME]`.
pub fn flatten(e: &Extraction) -> Vec<Flat> {
    let mut out = Vec::new();
    for (name, v) in &e.fields {
        if let Some(v) = v {
            out.push((
                name.clone(),
                v.value.clone(),
                v.evidence.clone(),
                v.confidence,
            ));
        }
    }
    for p in &e.floor_plans {
        let key = match (&p.name, p.beds) {
            (Some(n), _) if !n.trim().is_empty() => n.trim().to_lowercase(),
            (_, Some(b)) => format!("{b}br"),
            _ => "plan".into(),
        };
        let mut value = serde_json::to_value(p).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut value {
            m.remove("evidence");
            m.remove("confidence");
        }
        out.push((
            format!("floor_plans[{key}]"),
            value,
            p.evidence.clone(),
            p.confidence,
        ));
    }
    for a in &e.community_amenities {
        out.push((
            format!("community_amenities[{}]", a.amenity.trim().to_lowercase()),
            Value::Bool(true),
            a.evidence.clone(),
            a.confidence,
        ));
    }
    out
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 0.005,
        _ => a == b,
    }
}

/// What to store for a new extraction, given the current facts and what the same message gave
/// before (`said`: an extraction run again). A value equal to the current one adds nothing, and
/// neither does one this message already gave: reading an older reply again must not bring its
/// value back over what the agent said since (that would read as a new conflict).
pub fn merge(current: &[CurrentFact], said: &[CurrentFact], new: &Extraction) -> Vec<NewFact> {
    flatten(new)
        .into_iter()
        .filter(|(path, value, _, _)| {
            !said
                .iter()
                .any(|s| s.field_path == *path && same(&s.value, value))
        })
        .filter_map(|(path, value, evidence, confidence)| {
            match current.iter().find(|c| c.field_path == path) {
                Some(c) if same(&c.value, &value) => None,
                Some(_) => Some(NewFact {
                    field_path: path,
                    value,
                    evidence,
                    supersedes: true,
                    conflict: true,
                    confidence,
                }),
                None => Some(NewFact {
                    field_path: path,
                    value,
                    evidence,
                    supersedes: false,
                    conflict: false,
                    confidence,
                }),
            }
        })
        .collect()
}

/// The parts of a fact sheet, in the order a reader expects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SheetSection {
    Fees,
    Terms,
    FloorPlans,
    Amenities,
}

impl SheetSection {
    pub fn title(self) -> &'static str {
        match self {
            SheetSection::Fees => "Fees and deposits",
            SheetSection::Terms => "Terms and policies",
            SheetSection::FloorPlans => "Floor plans",
            SheetSection::Amenities => "Amenities",
        }
    }
}

/// Where a field path goes on a fact sheet, and its place there: money fields first in the
/// schema's order, then the other fields, the floor plans, the amenities.
pub fn sheet_place(path: &str) -> (SheetSection, usize) {
    use super::community::{FieldKind, SCALAR_FIELDS};
    match checklist_name(path) {
        "floor_plans" => (SheetSection::FloorPlans, 0),
        "community_amenities" => (SheetSection::Amenities, 0),
        name => match SCALAR_FIELDS.iter().position(|(n, _)| *n == name) {
            Some(i) if SCALAR_FIELDS[i].1 == FieldKind::Money => (SheetSection::Fees, i),
            Some(i) => (SheetSection::Terms, i),
            None => (SheetSection::Terms, usize::MAX),
        },
    }
}

/// The checklist name a field path answers (`floor_plans[2br]` answers `floor_plans`).
pub fn checklist_name(path: &str) -> &str {
    path.split('[').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::community::{Amenity, FloorPlan};
    use serde_json::json;

    #[test]
    fn new_values_add_equal_values_do_not_and_changes_conflict() {
        let mut e = Extraction::empty();
        e.set("application_fee", json!(50), "app fee is $50");
        e.set("administration_fee", json!(0), "no admin fee");
        e.floor_plans.push(FloorPlan {
            beds: Some(2.0),
            min_rental_price: Some(1725.0),
            evidence: "2 bed from $1,725".into(),
            ..Default::default()
        });
        e.community_amenities.push(Amenity {
            amenity: "Pool".into(),
            description: None,
            evidence: "a pool".into(),
            confidence: Some(0.75),
        });
        let current = vec![
            CurrentFact {
                field_path: "application_fee".into(),
                value: json!(50.0),
            },
            CurrentFact {
                field_path: "administration_fee".into(),
                value: json!(150),
            },
        ];
        let merged = merge(&current, &[], &e);
        let paths: Vec<&str> = merged.iter().map(|f| f.field_path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "administration_fee",
                "floor_plans[2br]",
                "community_amenities[pool]"
            ]
        );
        assert!(merged[0].supersedes && merged[0].conflict);
        assert_eq!(
            merged[0].value,
            json!(0),
            "no admin fee is zero, not unknown"
        );
        assert!(!merged[1].supersedes);
        assert_eq!(checklist_name(&merged[1].field_path), "floor_plans");
    }

    #[test]
    fn reading_an_older_reply_again_does_not_bring_its_value_back() {
        let mut e = Extraction::empty();
        e.set("application_fee", json!(45), "the fee is $45");
        let current = vec![CurrentFact {
            field_path: "application_fee".into(),
            value: json!(50),
        }];
        let said = vec![CurrentFact {
            field_path: "application_fee".into(),
            value: json!(45.0),
        }];
        assert!(merge(&current, &said, &e).is_empty());
        assert_eq!(
            merge(&current, &[], &e).len(),
            1,
            "from a new message: a conflict"
        );
    }
}

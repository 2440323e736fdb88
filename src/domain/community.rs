//! The community schema (DESIGN.md §5) that a shop's replies and a website gathering both fill,
//! with each value's evidence: the quoted words it came from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What kind of value a scalar field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Dollars; "no admin fee" is 0, not unknown.
    Money,
    Text,
}

/// Scalar fields of the community object, in report order.
pub const SCALAR_FIELDS: &[(&str, FieldKind)] = &[
    ("name", FieldKind::Text),
    ("overview", FieldKind::Text),
    ("url", FieldKind::Text),
    ("application_fee", FieldKind::Money),
    ("administration_fee", FieldKind::Money),
    ("membership_fee", FieldKind::Money),
    ("security_deposit", FieldKind::Money),
    ("pet_policy", FieldKind::Text),
    ("pet_deposit", FieldKind::Money),
    ("pet_rent", FieldKind::Money),
    ("specials", FieldKind::Text),
    ("lease_terms", FieldKind::Text),
    ("availability", FieldKind::Text),
    ("parking", FieldKind::Text),
    ("utilities", FieldKind::Text),
];

/// What a shop's checklist may ask for: the schema's fields, its floor plans and its amenities.
pub fn checklist_fields() -> Vec<&'static str> {
    SCALAR_FIELDS
        .iter()
        .map(|(n, _)| *n)
        .chain(["floor_plans", "community_amenities"])
        .collect()
}

/// A checklist item as an operator may write it ("Pet policy", "floor-plans") as the schema's
/// field; anything else is refused with the fields there are.
pub fn checklist_field(item: &str) -> Result<&'static str, String> {
    let key = item.trim().to_lowercase().replace([' ', '-'], "_");
    let key = match key.as_str() {
        "amenities" => "community_amenities",
        "deposit" => "security_deposit",
        "admin_fee" => "administration_fee",
        other => other,
    };
    checklist_fields()
        .into_iter()
        .find(|f| *f == key)
        .ok_or_else(|| {
            format!(
                "{item:?} is not a field of the community schema; the checklist takes {}",
                checklist_fields().join(", ")
            )
        })
}

pub fn field_kind(name: &str) -> Option<FieldKind> {
    SCALAR_FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
}

/// How a value was read, and how sure that makes the reader of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HowRead {
    /// A cell of a table under its column's header.
    TableCell,
    /// A labelled line: "Application fee: $50".
    LabelledLine,
    /// A sentence of prose.
    Sentence,
    /// Not said of this item itself: carried from a statement about the whole community, or
    /// from the sentence before.
    Inferred,
    /// A weak cue only (a discount mentioned in passing).
    Guess,
}

/// Below this, a fact is marked for an operator's check.
pub const LOW_CONFIDENCE: f64 = 0.7;

/// A model's reading of a reply, which gives no confidence of its own.
pub const MODEL_CONFIDENCE: f64 = 0.8;

impl HowRead {
    pub fn confidence(self) -> f64 {
        match self {
            HowRead::TableCell | HowRead::LabelledLine => 0.9,
            HowRead::Sentence => 0.75,
            HowRead::Inferred => 0.6,
            HowRead::Guess => 0.5,
        }
    }
}

/// One value and the words that support it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidenced {
    /// A number for money fields, a string for text fields.
    pub value: serde_json::Value,
    pub evidence: String,
    /// How sure the reader is (0-1); `None`: not said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// Stored per plan without its evidence (a fact's evidence is its own column): missing keys read
/// as unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FloorPlan {
    pub name: Option<String>,
    pub beds: Option<f64>,
    pub baths: Option<f64>,
    pub url: Option<String>,
    pub sqft: Option<f64>,
    #[serde(rename = "type")]
    pub plan_type: Option<String>,
    pub min_rental_price: Option<f64>,
    pub max_rental_price: Option<f64>,
    pub security_deposit: Option<f64>,
    pub amenities: Vec<String>,
    pub evidence: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// A page of the property's website: what it is called, what it offers, where it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommunityPage {
    pub name: String,
    pub overview: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amenity {
    pub amenity: String,
    /// What the property says of it ("heated saltwater pool, open May to September").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub evidence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// What one message (or one website) says. Every scalar field is present; `None` = not said.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub fields: BTreeMap<String, Option<Evidenced>>,
    pub floor_plans: Vec<FloorPlan>,
    pub community_amenities: Vec<Amenity>,
    /// The pages of the property's website (from gathering it, or links an agent gave).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub community_pages: Vec<CommunityPage>,
}

impl Extraction {
    /// An extraction with every scalar field present and unknown.
    pub fn empty() -> Extraction {
        Extraction {
            fields: SCALAR_FIELDS
                .iter()
                .map(|(n, _)| (n.to_string(), None))
                .collect(),
            ..Default::default()
        }
    }

    pub fn set(&mut self, field: &str, value: serde_json::Value, evidence: &str) {
        self.fields.insert(
            field.to_string(),
            Some(Evidenced {
                value,
                evidence: evidence.trim().to_string(),
                confidence: None,
            }),
        );
    }

    /// [`set`](Self::set), with how the value was read.
    pub fn set_read(
        &mut self,
        field: &str,
        value: serde_json::Value,
        evidence: &str,
        how: HowRead,
    ) {
        self.set(field, value, evidence);
        if let Some(Some(e)) = self.fields.get_mut(field) {
            e.confidence = Some(how.confidence());
        }
    }

    /// Gives every value without a confidence `c` (a model's reading).
    pub fn fill_confidence(&mut self, c: f64) {
        for e in self.fields.values_mut().flatten() {
            e.confidence.get_or_insert(c);
        }
        for p in &mut self.floor_plans {
            p.confidence.get_or_insert(c);
        }
        for a in &mut self.community_amenities {
            a.confidence.get_or_insert(c);
        }
    }

    pub fn get(&self, field: &str) -> Option<&Evidenced> {
        self.fields.get(field).and_then(Option::as_ref)
    }

    /// Names of the fields with a value (floor plans and amenities count when non-empty).
    pub fn known_fields(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .fields
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| k.clone())
            .collect();
        if !self.floor_plans.is_empty() {
            out.push("floor_plans".into());
        }
        if !self.community_amenities.is_empty() {
            out.push("community_amenities".into());
        }
        out
    }
}

/// A statement that may breach fair-housing rules, for an operator to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairHousingFlag {
    pub quote: String,
    pub reason: String,
}

/// What grading looks at in one reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signals {
    pub used_name: bool,
    pub asked_for_appointment: bool,
    /// Which qualifying questions the agent asked: move_in_date, budget, occupants, pets, income, credit.
    pub qualifying_questions: Vec<String>,
    pub has_signature: bool,
    pub has_contact_details: bool,
    pub fair_housing_flags: Vec<FairHousingFlag>,
    /// The message tries to instruct an AI (prompt injection); noted, never obeyed.
    pub instructions_to_ai: bool,
    /// The property declined: nothing available for the renter, waitlist closed, will not rent.
    #[serde(default)]
    pub declined: bool,
}

#[cfg(test)]
mod checklist_tests {
    use super::*;

    #[test]
    fn a_checklist_item_is_a_schema_field_however_it_is_written() {
        assert_eq!(checklist_field("Pet policy"), Ok("pet_policy"));
        assert_eq!(checklist_field("floor-plans"), Ok("floor_plans"));
        assert_eq!(checklist_field("amenities"), Ok("community_amenities"));
        let e = checklist_field("pet_polcy").unwrap_err();
        assert!(
            e.contains("\"pet_polcy\" is not a field of the community schema"),
            "{e}"
        );
        assert!(
            e.contains("application_fee") && e.contains("floor_plans"),
            "{e}"
        );
    }
}

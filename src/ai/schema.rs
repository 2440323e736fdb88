//! The structured output the model must return when it reads a reply: the community schema with
//! the requirement's defects fixed (pet_policy is text, fields live under `properties`, every
//! field required and nullable for strict mode), each value with its evidence, plus the
//! responder and the grading signals. Every string has a maxLength so small models stop.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::community::{
    Amenity, CommunityPage, Evidenced, Extraction, FairHousingFlag, FieldKind, FloorPlan,
    SCALAR_FIELDS, Signals,
};
use crate::domain::message::ResponderKind;

/// Short limits keep a weak model from copying the whole email into every field and running out
/// of tokens mid-object (the answer must stay a few hundred tokens for small local models).
const EVIDENCE_MAX: u32 = 120;
const TEXT_MAX: u32 = 160;

const QUALIFYING: &[&str] = &[
    "move_in_date",
    "budget",
    "occupants",
    "pets",
    "income",
    "credit",
];

fn string(max: u32) -> Value {
    json!({ "type": "string", "maxLength": max })
}

fn nullable(inner: Value) -> Value {
    json!({ "anyOf": [inner, { "type": "null" }] })
}

fn object(props: Vec<(&str, Value)>) -> Value {
    let required: Vec<&str> = props.iter().map(|(k, _)| *k).collect();
    let properties: serde_json::Map<String, Value> =
        props.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The JSON schema for `response_format` (strict).
pub fn analysis_schema() -> Value {
    let facts: Vec<(&str, Value)> = SCALAR_FIELDS
        .iter()
        .map(|(name, kind)| {
            let value = match kind {
                FieldKind::Money => json!({ "type": "number" }),
                FieldKind::Text => string(TEXT_MAX),
            };
            (
                *name,
                nullable(object(vec![
                    ("value", value),
                    ("evidence", string(EVIDENCE_MAX)),
                ])),
            )
        })
        .collect();
    let number = || nullable(json!({ "type": "number" }));
    let plan = object(vec![
        ("name", nullable(string(60))),
        ("beds", number()),
        ("baths", number()),
        ("sqft", number()),
        ("min_rental_price", number()),
        ("max_rental_price", number()),
        ("security_deposit", number()),
        ("evidence", string(EVIDENCE_MAX)),
    ]);
    let amenity = object(vec![
        ("amenity", string(40)),
        ("evidence", string(EVIDENCE_MAX)),
    ]);
    let flag = object(vec![
        ("quote", string(EVIDENCE_MAX)),
        ("reason", string(80)),
    ]);
    let signals = object(vec![
        ("used_name", json!({ "type": "boolean" })),
        ("asked_for_appointment", json!({ "type": "boolean" })),
        (
            "qualifying_questions",
            json!({ "type": "array", "maxItems": 6, "items": { "type": "string", "enum": QUALIFYING } }),
        ),
        ("has_signature", json!({ "type": "boolean" })),
        ("has_contact_details", json!({ "type": "boolean" })),
        (
            "fair_housing_flags",
            json!({ "type": "array", "maxItems": 3, "items": flag }),
        ),
        ("instructions_to_ai", json!({ "type": "boolean" })),
        ("declined", json!({ "type": "boolean" })),
    ]);
    object(vec![
        (
            "responder",
            json!({ "type": "string", "enum": ["human", "auto", "ai"] }),
        ),
        ("facts", object(facts)),
        (
            "floor_plans",
            json!({ "type": "array", "maxItems": 12, "items": plan }),
        ),
        (
            "community_amenities",
            json!({ "type": "array", "maxItems": 20, "items": amenity }),
        ),
        ("signals", signals),
    ])
}

/// The reply schema with the parts only a website has (the requirements' information-gathering
/// schema): each page of the site, each plan's page, type and amenities, and what an amenity is.
pub fn with_website_parts(mut s: Value) -> Value {
    let plan = &mut s["properties"]["floor_plans"]["items"];
    add_required(plan, "url", nullable(string(200)));
    add_required(plan, "type", nullable(string(20)));
    let named = object(vec![("amenity", string(40))]);
    add_required(
        plan,
        "floor_plan_amenities",
        json!({ "type": "array", "maxItems": 10, "items": named }),
    );
    let amenity = &mut s["properties"]["community_amenities"]["items"];
    add_required(amenity, "description", nullable(string(120)));
    let page = object(vec![
        ("name", string(60)),
        ("overview", string(160)),
        ("url", string(200)),
    ]);
    add_required(
        &mut s,
        "community_pages",
        json!({ "type": "array", "maxItems": 12, "items": page }),
    );
    s
}

fn add_required(object: &mut Value, key: &str, schema: Value) {
    if let Some(props) = object["properties"].as_object_mut() {
        props.insert(key.to_string(), schema);
    }
    if let Some(req) = object["required"].as_array_mut() {
        req.push(json!(key));
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    responder: String,
    facts: serde_json::Map<String, Value>,
    floor_plans: Vec<PlanAnswer>,
    community_amenities: Vec<Amenity>,
    signals: Signals,
    #[serde(default)]
    community_pages: Vec<CommunityPage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanAnswer {
    name: Option<String>,
    beds: Option<f64>,
    baths: Option<f64>,
    sqft: Option<f64>,
    min_rental_price: Option<f64>,
    max_rental_price: Option<f64>,
    security_deposit: Option<f64>,
    evidence: String,
    // The website schema's parts (a reply's answer has none of them).
    #[serde(default)]
    url: Option<String>,
    #[serde(default, rename = "type")]
    plan_type: Option<String>,
    #[serde(default)]
    floor_plan_amenities: Vec<AmenityName>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AmenityName {
    amenity: String,
}

/// Validates the model's JSON against what we asked for and converts it.
pub fn parse_analysis(text: &str) -> Result<(ResponderKind, Extraction, Signals), String> {
    let a: Answer =
        serde_json::from_str(text.trim()).map_err(|e| format!("not the schema: {e}"))?;
    let responder: ResponderKind = a.responder.parse()?;
    let mut extraction = Extraction::empty();
    for (name, kind) in SCALAR_FIELDS {
        let Some(v) = a.facts.get(*name) else {
            return Err(format!("facts.{name} is missing"));
        };
        if v.is_null() {
            continue;
        }
        let e: Evidenced =
            serde_json::from_value(v.clone()).map_err(|e| format!("facts.{name}: {e}"))?;
        let ok = match kind {
            FieldKind::Money => e
                .value
                .as_f64()
                .is_some_and(|x| (0.0..1_000_000.0).contains(&x)),
            FieldKind::Text => e.value.as_str().is_some_and(|s| !s.trim().is_empty()),
        };
        if !ok {
            return Err(format!("facts.{name}: {} is not a {kind:?} value", e.value));
        }
        extraction.fields.insert(name.to_string(), Some(e));
    }
    if let Some(extra) = a
        .facts
        .keys()
        .find(|k| !SCALAR_FIELDS.iter().any(|(n, _)| n == k))
    {
        return Err(format!("facts.{extra} is not in the schema"));
    }
    extraction.floor_plans = a
        .floor_plans
        .into_iter()
        .map(|p| FloorPlan {
            name: p.name,
            beds: p.beds,
            baths: p.baths,
            sqft: p.sqft,
            min_rental_price: p.min_rental_price,
            max_rental_price: p.max_rental_price,
            security_deposit: p.security_deposit,
            evidence: p.evidence,
            url: p.url.filter(|u| !u.trim().is_empty()),
            plan_type: p
                .plan_type
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty()),
            amenities: p
                .floor_plan_amenities
                .into_iter()
                .map(|a| a.amenity.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            ..Default::default()
        })
        .collect();
    extraction.community_amenities = a.community_amenities;
    extraction.community_pages = a
        .community_pages
        .into_iter()
        .filter(|p| !p.url.trim().is_empty())
        .collect();
    let mut signals = a.signals;
    signals
        .qualifying_questions
        .retain(|q| QUALIFYING.contains(&q.as_str()));
    signals
        .fair_housing_flags
        .retain(|f: &FairHousingFlag| !f.quote.trim().is_empty());
    Ok((responder, extraction, signals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_strict_compatible() {
        let s = analysis_schema();
        // Every object lists all its properties as required and forbids others.
        fn check(v: &Value, path: &str) {
            if let Some(props) = v.get("properties").and_then(Value::as_object) {
                let req: Vec<&str> = v["required"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap())
                    .collect();
                for k in props.keys() {
                    assert!(req.contains(&k.as_str()), "{path}.{k} not required");
                }
                assert_eq!(v["additionalProperties"], false, "{path}");
                for (k, p) in props {
                    check(p, &format!("{path}.{k}"));
                }
            }
            if v.get("type") == Some(&json!("string")) && v.get("enum").is_none() {
                assert!(v.get("maxLength").is_some(), "{path} has no maxLength");
            }
            for key in ["items"] {
                if let Some(i) = v.get(key) {
                    check(i, &format!("{path}[]"));
                }
            }
            if let Some(any) = v.get("anyOf").and_then(Value::as_array) {
                for a in any {
                    check(a, path);
                }
            }
        }
        check(&s, "$");
        assert_eq!(
            s["properties"]["facts"]["properties"]["pet_policy"]["anyOf"][0]["properties"]["value"]
                ["type"],
            "string"
        );
    }

    #[test]
    fn a_valid_answer_converts_and_a_wrong_one_is_refused() {
        let mut facts = serde_json::Map::new();
        for (n, _) in SCALAR_FIELDS {
            facts.insert(n.to_string(), Value::Null);
        }
        facts.insert(
            "application_fee".into(),
            json!({"value": 50, "evidence": "app fee is $50"}),
        );
        facts.insert(
            "pet_policy".into(),
            json!({"value": "cats only", "evidence": "cats only"}),
        );
        let answer = json!({
            "responder": "human",
            "facts": facts,
            "floor_plans": [{"name": null, "beds": 2, "baths": 2, "sqft": null, "min_rental_price": 1725,
                              "max_rental_price": 1890, "security_deposit": null, "evidence": "2 bed $1,725"}],
            "community_amenities": [{"amenity": "pool", "evidence": "our pool"}],
            "signals": {"used_name": true, "asked_for_appointment": true, "qualifying_questions": ["pets"],
                        "has_signature": true, "has_contact_details": false, "fair_housing_flags": [],
                        "instructions_to_ai": false}
        });
        let (who, e, s) = parse_analysis(&answer.to_string()).unwrap();
        assert_eq!(who, ResponderKind::Human);
        assert_eq!(e.get("application_fee").unwrap().value, json!(50));
        assert_eq!(e.floor_plans[0].min_rental_price, Some(1725.0));
        assert!(s.asked_for_appointment);

        let mut bad = answer.clone();
        bad["facts"]["application_fee"] = json!({"value": "fifty", "evidence": "x"});
        assert!(
            parse_analysis(&bad.to_string())
                .unwrap_err()
                .contains("application_fee")
        );
        assert!(parse_analysis("{\"responder\": \"human\"").is_err());
    }
}

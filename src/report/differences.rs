//! What the website says against what the agent said: fees and prices that differ, fees the
//! agent named that the site does not disclose, what only one side mentions. Pure.

use serde::Serialize;
use serde_json::Value;

use super::format::{display_value, field_label, money, plan_title};
use crate::domain::community::{Extraction, FieldKind, FloorPlan, SCALAR_FIELDS};

/// How the two sources disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    /// Both give an amount and the amounts differ.
    Differs,
    /// The agent gave it; the website does not show it (e.g. a fee not disclosed on the site).
    NotOnWebsite,
    /// The website shows it; the agent never said it.
    NotFromAgent,
    /// Both describe it (text) in different words: for a reader to compare.
    WordedDifferently,
}

impl DiffKind {
    pub fn label(self) -> &'static str {
        match self {
            DiffKind::Differs => "differs",
            DiffKind::NotOnWebsite => "not on the website",
            DiffKind::NotFromAgent => "not from the agent",
            DiffKind::WordedDifferently => "worded differently",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// A community field (`application_fee`) or a plan's value (`floor_plans[2br].min_rental_price`).
    pub field: String,
    pub label: String,
    pub kind: DiffKind,
    /// As a reader sees it; `null` when that side says nothing.
    pub website: Option<String>,
    pub agent: Option<String>,
    /// For money: each side's amount in dollars, and agent minus website.
    pub website_amount: Option<f64>,
    pub agent_amount: Option<f64>,
    pub delta: Option<f64>,
    pub website_evidence: String,
    pub agent_evidence: String,
}

/// Text fields compared side by side (name, overview and url describe, they do not promise).
const COMPARED_TEXT: &[&str] = &[
    "pet_policy",
    "specials",
    "lease_terms",
    "availability",
    "parking",
    "utilities",
];

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The key a floor plan is stored under (`floor_plans[KEY]`), as the fact sheet makes it.
pub fn plan_key(p: &FloorPlan) -> String {
    match (&p.name, p.beds) {
        (Some(n), _) if !n.trim().is_empty() => n.trim().to_lowercase(),
        (_, Some(b)) => format!("{b}br"),
        _ => "plan".into(),
    }
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        other => Some(display_value("", other)),
    }
}

/// Every difference, scalar fields first (schema order), then floor plans.
pub fn compare(website: &Extraction, agent: &Extraction) -> Vec<Difference> {
    let mut out = Vec::new();
    for (field, fkind) in SCALAR_FIELDS {
        let money_field = *fkind == FieldKind::Money;
        let compared = money_field || COMPARED_TEXT.contains(field);
        if !compared {
            continue;
        }
        let w = website.get(field).filter(|e| !e.value.is_null());
        let a = agent.get(field).filter(|e| !e.value.is_null());
        let diff = |kind, delta| Difference {
            field: field.to_string(),
            label: field_label(field),
            kind,
            website: w.map(|e| display_value(field, &e.value)),
            agent: a.map(|e| display_value(field, &e.value)),
            website_amount: w.and_then(|e| e.value.as_f64()).filter(|_| money_field),
            agent_amount: a.and_then(|e| e.value.as_f64()).filter(|_| money_field),
            delta,
            website_evidence: w.map(|e| e.evidence.clone()).unwrap_or_default(),
            agent_evidence: a.map(|e| e.evidence.clone()).unwrap_or_default(),
        };
        match (w, a) {
            (Some(w), Some(a)) => match (w.value.as_f64(), a.value.as_f64()) {
                (Some(x), Some(y)) if money_field => {
                    if (x - y).abs() >= 0.005 {
                        out.push(diff(DiffKind::Differs, Some(round2(y - x))));
                    }
                }
                _ => {
                    let (ws, as_) = (value_text(&w.value), value_text(&a.value));
                    if norm(ws.as_deref().unwrap_or("")) != norm(as_.as_deref().unwrap_or("")) {
                        out.push(diff(DiffKind::WordedDifferently, None));
                    }
                }
            },
            (None, Some(_)) => out.push(diff(DiffKind::NotOnWebsite, None)),
            (Some(_), None) => out.push(diff(DiffKind::NotFromAgent, None)),
            (None, None) => {}
        }
    }
    out.extend(compare_plans(&website.floor_plans, &agent.floor_plans));
    out
}

/// Plans are paired by key, then leftover plans by bedroom count.
fn compare_plans(website: &[FloorPlan], agent: &[FloorPlan]) -> Vec<Difference> {
    let mut pairs: Vec<(Option<&FloorPlan>, Option<&FloorPlan>)> = Vec::new();
    let mut w_used = vec![false; website.len()];
    let mut a_left: Vec<&FloorPlan> = Vec::new();
    for a in agent {
        match (0..website.len()).find(|&i| !w_used[i] && plan_key(&website[i]) == plan_key(a)) {
            Some(i) => {
                w_used[i] = true;
                pairs.push((Some(&website[i]), Some(a)));
            }
            None => a_left.push(a),
        }
    }
    for a in a_left {
        let same_beds = (0..website.len())
            .find(|&i| !w_used[i] && a.beds.is_some() && website[i].beds == a.beds);
        match same_beds {
            Some(i) => {
                w_used[i] = true;
                pairs.push((Some(&website[i]), Some(a)));
            }
            None => pairs.push((None, Some(a))),
        }
    }
    for (i, w) in website.iter().enumerate() {
        if !w_used[i] {
            pairs.push((Some(w), None));
        }
    }

    let mut out = Vec::new();
    for (w, a) in pairs {
        let Some(named) = a.or(w) else { continue };
        let key = plan_key(named);
        let title = plan_title(named.name.as_deref(), named.beds, &key);
        let whole = |kind| Difference {
            field: format!("floor_plans[{key}]"),
            label: format!("Floor plan {title}"),
            kind,
            website: w.map(super::format::plan_summary),
            agent: a.map(super::format::plan_summary),
            website_amount: None,
            agent_amount: None,
            delta: None,
            website_evidence: w.map(|p| p.evidence.clone()).unwrap_or_default(),
            agent_evidence: a.map(|p| p.evidence.clone()).unwrap_or_default(),
        };
        match (w, a) {
            (Some(w), Some(a)) => {
                let amounts: [(&str, &str, Option<f64>, Option<f64>); 3] = [
                    (
                        "min_rental_price",
                        "rent from",
                        w.min_rental_price,
                        a.min_rental_price,
                    ),
                    (
                        "max_rental_price",
                        "rent up to",
                        w.max_rental_price,
                        a.max_rental_price,
                    ),
                    (
                        "security_deposit",
                        "deposit",
                        w.security_deposit,
                        a.security_deposit,
                    ),
                ];
                for (part, what, wv, av) in amounts {
                    if let (Some(x), Some(y)) = (wv, av)
                        && (x - y).abs() >= 0.005
                    {
                        out.push(Difference {
                            field: format!("floor_plans[{key}].{part}"),
                            label: format!("{title}: {what}"),
                            kind: DiffKind::Differs,
                            website: Some(money(x)),
                            agent: Some(money(y)),
                            website_amount: Some(x),
                            agent_amount: Some(y),
                            delta: Some(round2(y - x)),
                            website_evidence: w.evidence.clone(),
                            agent_evidence: a.evidence.clone(),
                        });
                    }
                }
            }
            (None, Some(_)) => out.push(whole(DiffKind::NotOnWebsite)),
            (Some(_), None) => out.push(whole(DiffKind::NotFromAgent)),
            (None, None) => {}
        }
    }
    out
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(name: Option<&str>, beds: f64, min: f64) -> FloorPlan {
        FloorPlan {
            name: name.map(String::from),
            beds: Some(beds),
            baths: Some(1.0),
            min_rental_price: Some(min),
            evidence: format!("{beds} bed from {min}"),
            ..Default::default()
        }
    }

    #[test]
    fn fees_prices_and_plans_are_compared() {
        let mut site = Extraction::empty();
        site.set("application_fee", json!(50), "Application fee: $50");
        site.set("security_deposit", json!(500), "Deposit $500");
        site.set("pet_policy", json!("Cats and dogs welcome"), "Pets welcome");
        site.set("parking", json!("Garage parking"), "Garage");
        site.floor_plans.push(plan(Some("The Aspen"), 2.0, 1650.0));
        site.floor_plans.push(plan(None, 3.0, 2100.0));

        let mut agent = Extraction::empty();
        agent.set("application_fee", json!(75), "the app fee is $75");
        agent.set("administration_fee", json!(150), "a $150 admin fee");
        agent.set("security_deposit", json!(500.0), "deposit is $500");
        agent.set(
            "pet_policy",
            json!("cats and dogs welcome!"),
            "we love pets",
        );
        agent.set("specials", json!("6 weeks free"), "6 weeks free");
        agent.floor_plans.push(plan(None, 2.0, 1725.0));
        agent.floor_plans.push(plan(None, 1.0, 1300.0));

        let d = compare(&site, &agent);
        let got: Vec<(&str, DiffKind)> = d.iter().map(|x| (x.field.as_str(), x.kind)).collect();
        assert_eq!(
            got,
            [
                ("application_fee", DiffKind::Differs),
                ("administration_fee", DiffKind::NotOnWebsite),
                ("specials", DiffKind::NotOnWebsite),
                ("parking", DiffKind::NotFromAgent),
                ("floor_plans[2br].min_rental_price", DiffKind::Differs),
                ("floor_plans[1br]", DiffKind::NotOnWebsite),
                ("floor_plans[3br]", DiffKind::NotFromAgent),
            ],
            "equal deposits and the same pet policy in other words are no difference"
        );
        assert_eq!(d[0].delta, Some(25.0));
        assert_eq!(
            (d[0].website_amount, d[0].agent_amount),
            (Some(50.0), Some(75.0))
        );
        assert_eq!(
            (d[1].website_amount, d[1].agent_amount),
            (None, Some(150.0))
        );
        assert_eq!(d[0].website.as_deref(), Some("$50"));
        assert_eq!(d[0].agent.as_deref(), Some("$75"));
        assert_eq!(d[4].website.as_deref(), Some("$1,650"));
        assert_eq!(d[4].label, "2 bd: rent from");
    }

    #[test]
    fn different_wording_is_shown_side_by_side() {
        let mut site = Extraction::empty();
        site.set("pet_policy", json!("No pets"), "No pets");
        let mut agent = Extraction::empty();
        agent.set("pet_policy", json!("Cats only, $300 deposit"), "cats only");
        let d = compare(&site, &agent);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].kind, DiffKind::WordedDifferently);
        assert!(compare(&Extraction::empty(), &Extraction::empty()).is_empty());
    }
}

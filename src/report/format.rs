//! How values read in a report: money, durations, field labels, floor plans. Pure.

use serde_json::Value;

use crate::domain::community::{FieldKind, FloorPlan, field_kind};

/// `$1,725`, `$49.50`, `-$20`.
pub fn money(x: f64) -> String {
    let cents = (x.abs() * 100.0).round() as u64;
    let (whole, frac) = (cents / 100, cents % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && cents > 0 { "-" } else { "" };
    if frac == 0 {
        format!("{sign}${grouped}")
    } else {
        format!("{sign}${grouped}.{frac:02}")
    }
}

/// A number without a needless `.0`: `2`, `1.5`.
pub fn number(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{}", (x * 100.0).round() / 100.0)
    }
}

/// `45 min`, `1 h 30 min`, `2 d 3 h`.
pub fn duration(minutes: i64) -> String {
    let m = minutes.max(0);
    match m {
        0..60 => format!("{m} min"),
        60..1440 if m % 60 == 0 => format!("{} h", m / 60),
        60..1440 => format!("{} h {} min", m / 60, m % 60),
        _ if (m % 1440) / 60 == 0 => format!("{} d", m / 1440),
        _ => format!("{} d {} h", m / 1440, (m % 1440) / 60),
    }
}

/// The label of a community field: `application_fee` → `Application fee`.
pub fn field_label(field: &str) -> String {
    let special = match field {
        "url" => Some("Website"),
        "name" => Some("Community name"),
        "floor_plans" => Some("Floor plans"),
        "community_amenities" => Some("Amenities"),
        "administration_fee" => Some("Administration fee"),
        _ => None,
    };
    if let Some(s) = special {
        return s.to_string();
    }
    let words = field.replace('_', " ");
    let mut c = words.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A stored value as text: money fields as dollars, text as is, anything else as JSON.
pub fn display_value(field: &str, v: &Value) -> String {
    match (field_kind(field), v) {
        (Some(FieldKind::Money), Value::Number(n)) => n.as_f64().map(money).unwrap_or_default(),
        (_, Value::String(s)) => s.trim().to_string(),
        (_, Value::Number(n)) => n.as_f64().map(number).unwrap_or_default(),
        (_, Value::Bool(b)) => if *b { "yes" } else { "no" }.to_string(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

/// `$1,725`, or `$1,725-$1,900` for a range.
pub fn price_range(min: Option<f64>, max: Option<f64>) -> Option<String> {
    match (min, max) {
        (Some(a), Some(b)) if (a - b).abs() >= 0.005 => Some(format!("{}-{}", money(a), money(b))),
        (Some(a), _) | (None, Some(a)) => Some(money(a)),
        (None, None) => None,
    }
}

/// `2 bd / 1 ba, 950 sq ft, $1,725-$1,900, deposit $500`.
pub fn plan_summary(p: &FloorPlan) -> String {
    let mut parts = Vec::new();
    let rooms = match (p.beds, p.baths) {
        (Some(0.0), Some(ba)) => format!("studio / {} ba", number(ba)),
        (Some(0.0), None) => "studio".to_string(),
        (Some(bd), Some(ba)) => format!("{} bd / {} ba", number(bd), number(ba)),
        (Some(bd), None) => format!("{} bd", number(bd)),
        (None, Some(ba)) => format!("{} ba", number(ba)),
        (None, None) => String::new(),
    };
    if !rooms.is_empty() {
        parts.push(rooms);
    }
    if let Some(s) = p.sqft {
        parts.push(format!("{} sq ft", number(s)));
    }
    if let Some(r) = price_range(p.min_rental_price, p.max_rental_price) {
        parts.push(r);
    }
    if let Some(d) = p.security_deposit {
        parts.push(format!("deposit {}", money(d)));
    }
    if parts.is_empty() {
        "no details".to_string()
    } else {
        parts.join(", ")
    }
}

/// A plan's name for a reader: its own name, else `2 bd`, else its key.
pub fn plan_title(name: Option<&str>, beds: Option<f64>, key: &str) -> String {
    match (name.map(str::trim).filter(|n| !n.is_empty()), beds) {
        (Some(n), _) => n.to_string(),
        (None, Some(0.0)) => "Studio".to_string(),
        (None, Some(b)) => format!("{} bd", number(b)),
        (None, None) => key.to_string(),
    }
}

/// Minutes as hours with one decimal, for charts.
pub fn hours(minutes: f64) -> f64 {
    (minutes / 6.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn money_and_numbers_read_like_a_person_wrote_them() {
        assert_eq!(money(1725.0), "$1,725");
        assert_eq!(money(1234567.5), "$1,234,567.50");
        assert_eq!(money(0.0), "$0");
        assert_eq!(money(-20.0), "-$20");
        assert_eq!(money(49.999), "$50");
        assert_eq!(number(2.0), "2");
        assert_eq!(number(1.5), "1.5");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(45), "45 min");
        assert_eq!(duration(60), "1 h");
        assert_eq!(duration(90), "1 h 30 min");
        assert_eq!(duration(1440), "1 d");
        assert_eq!(duration(1440 + 185), "1 d 3 h");
        assert_eq!(duration(-5), "0 min");
    }

    #[test]
    fn values_and_plans() {
        assert_eq!(display_value("application_fee", &json!(50)), "$50");
        assert_eq!(display_value("pet_policy", &json!(" cats ok ")), "cats ok");
        assert_eq!(field_label("pet_deposit"), "Pet deposit");
        assert_eq!(field_label("url"), "Website");
        let p = FloorPlan {
            beds: Some(2.0),
            baths: Some(1.0),
            sqft: Some(950.0),
            min_rental_price: Some(1725.0),
            max_rental_price: Some(1900.0),
            ..Default::default()
        };
        assert_eq!(plan_summary(&p), "2 bd / 1 ba, 950 sq ft, $1,725-$1,900");
        assert_eq!(plan_summary(&FloorPlan::default()), "no details");
        assert_eq!(plan_title(None, Some(0.0), "plan"), "Studio");
        assert_eq!(hours(90.0), 1.5);
    }
}

//! CSV output for spreadsheets: one header row, plain numbers (no `$`), times as local
//! `YYYY-MM-DD HH:MM`. A shop report is one row per item with a `section` column; a portfolio
//! is one row per shop.

use serde_json::Value;

use super::ReportError;
use super::format::{display_value, duration, number, plan_title};
use super::model::{Portfolio, ShopReport};

/// Columns of a shop report's CSV.
pub const SHOP_COLUMNS: &[&str] = &[
    "section",
    "key",
    "label",
    "value",
    "max",
    "detail",
    "evidence",
    "message_id",
];

/// Columns of a portfolio's CSV before the fee columns (one per money field, in schema order).
pub const PORTFOLIO_COLUMNS: &[&str] = &[
    "shop_id",
    "target_id",
    "target",
    "city",
    "state",
    "manager",
    "operator",
    "persona",
    "status",
    "time_zone",
    "started_at",
    "ended_at",
    "first_response_minutes",
    "first_response_business_minutes",
    "score",
    "max_score",
    "needs_review",
];

struct Rows(::csv::Writer<Vec<u8>>);

impl Rows {
    fn new() -> Rows {
        Rows(::csv::Writer::from_writer(Vec::new()))
    }

    fn push<I, S>(&mut self, cells: I) -> Result<(), ReportError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.0
            .write_record(cells.into_iter().map(|c| inert(c.as_ref())))
            .map_err(|e| ReportError::Render(e.to_string()))
    }

    fn finish(self) -> Result<String, ReportError> {
        let bytes = self
            .0
            .into_inner()
            .map_err(|e| ReportError::Render(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| ReportError::Render(e.to_string()))
    }
}

/// A cell a spreadsheet will not run: text starting like a formula (`=`, `+`, `-`, `@`) gets a
/// leading `'`; numbers such as `-20` stay numbers.
pub fn inert(cell: &str) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn num(v: Option<f64>) -> String {
    v.map(number).unwrap_or_default()
}

/// A stored value as a cell: numbers bare, text as is.
fn cell(v: &Value) -> String {
    match v {
        Value::Number(n) => n.as_f64().map(number).unwrap_or_default(),
        other => display_value("", other),
    }
}

/// A shop report: sections `shop`, `fact`, `floor_plan`, `amenity`, `difference`, `missing`,
/// `criterion`, `flag`, `metric`, `timeline`, `decision` (an operator's: key the action,
/// label the operator, value the time, detail what was decided, evidence the reason).
pub fn shop(r: &ShopReport) -> Result<String, ReportError> {
    let mut w = Rows::new();
    w.push(SHOP_COLUMNS)?;
    let mut put = |section: &str,
                   key: &str,
                   label: &str,
                   value: String,
                   max: String,
                   detail: String,
                   evidence: &str,
                   message: String|
     -> Result<(), ReportError> {
        w.push([
            section,
            key,
            label,
            value.as_str(),
            max.as_str(),
            detail.as_str(),
            evidence,
            message.as_str(),
        ])
    };
    let none = String::new;
    let t = &r.target;
    let header: [(&str, &str, String); 12] = [
        ("shop_id", "Shop", r.shop.id.to_string()),
        ("target", "Property", t.name.clone()),
        ("address", "Address", t.address()),
        (
            "property_manager",
            "Property manager",
            t.property_manager.clone(),
        ),
        ("persona", "Persona", r.persona.name.clone()),
        (
            "operator",
            "Operator",
            r.shop.operator.clone().unwrap_or_default(),
        ),
        ("status", "Status", r.shop.status.to_string()),
        (
            "started_at",
            "Started",
            opt(r.shop.started_at.map(|d| d.plain())),
        ),
        ("ended_at", "Ended", opt(r.shop.ended_at.map(|d| d.plain()))),
        ("time_zone", "Time zone", r.time_zone.clone()),
        ("checklist", "Checklist", r.shop.checklist.join(";")),
        (
            "total",
            "Total score",
            opt(r.grading.as_ref().map(|g| number(g.total))),
        ),
    ];
    for (key, label, value) in header {
        let max = if key == "total" {
            opt(r.grading.as_ref().map(|g| number(g.max_total)))
        } else {
            none()
        };
        put("shop", key, label, value, max, none(), "", none())?;
    }

    let s = &r.summary;
    for f in &s.facts {
        let detail = f.note.clone();
        put(
            "fact",
            &f.field,
            &f.label,
            cell(&f.value),
            none(),
            detail,
            &f.evidence,
            opt(f.source_message_id),
        )?;
    }
    for p in &s.floor_plans {
        put(
            "floor_plan",
            &format!("floor_plans[{}]", p.key),
            &plan_title(p.name.as_deref(), p.beds, &p.key),
            num(p.min_rental_price),
            num(p.max_rental_price),
            p.display.clone(),
            &p.evidence,
            opt(p.source_message_id),
        )?;
    }
    for a in &s.amenities {
        put(
            "amenity",
            &format!("community_amenities[{}]", a.name.to_lowercase()),
            &a.name,
            "yes".into(),
            none(),
            none(),
            &a.evidence,
            opt(a.source_message_id),
        )?;
    }
    for d in &s.differences {
        let agent = d.agent_amount.map(number).or_else(|| d.agent.clone());
        let website = d.website_amount.map(number).or_else(|| d.website.clone());
        put(
            "difference",
            &d.field,
            &d.label,
            agent.unwrap_or_default(),
            none(),
            format!(
                "{}; website: {}{}",
                d.kind.label(),
                website.as_deref().unwrap_or("-"),
                d.delta
                    .map(|x| format!("; agent minus website: {}", number(x)))
                    .unwrap_or_default()
            ),
            &d.agent_evidence,
            none(),
        )?;
    }
    for m in &s.missing {
        put(
            "missing",
            m,
            &super::format::field_label(m),
            none(),
            none(),
            "on the checklist, not answered".into(),
            "",
            none(),
        )?;
    }
    if let Some(g) = &r.grading {
        for c in &g.criteria {
            put(
                "criterion",
                &c.key,
                &c.name,
                number(c.score),
                number(c.max),
                match &c.adjusted {
                    Some(a) => format!(
                        "adjusted by {}: {} (machine: {}); {}",
                        a.by,
                        a.reason,
                        number(a.machine_score),
                        c.reason
                    ),
                    None => c.reason.clone(),
                },
                &c.evidence.join("; "),
                none(),
            )?;
        }
        for f in &g.fair_housing_flags {
            let verdict = g.flag_decisions.iter().find(|d| d.quote == f.quote);
            put(
                "flag",
                "fair_housing",
                "Fair-housing flag",
                verdict.map_or_else(none, |d| d.verdict.to_string()),
                none(),
                match verdict {
                    Some(d) if d.reason.is_empty() => {
                        format!("{}; {} by {}", f.reason, d.verdict, d.operator)
                    }
                    Some(d) => format!(
                        "{}; {} by {}: {}",
                        f.reason, d.verdict, d.operator, d.reason
                    ),
                    None => f.reason.clone(),
                },
                &f.quote,
                none(),
            )?;
        }
        for r in &g.review_reasons {
            put(
                "review",
                "reason",
                "Review needed",
                none(),
                none(),
                r.clone(),
                "",
                none(),
            )?;
        }
        let m = &g.metrics;
        let metrics: [(&str, &str, String); 8] = [
            (
                "first_response_minutes",
                "First response (minutes)",
                opt(m.first_response_minutes),
            ),
            (
                "first_response_business_minutes",
                "First response (business minutes)",
                opt(m.first_response_business_minutes),
            ),
            ("replies", "Replies", m.replies.to_string()),
            ("auto_replies", "Auto-replies", m.auto_replies.to_string()),
            (
                "follow_ups_sent",
                "Follow-ups sent",
                m.follow_ups_sent.to_string(),
            ),
            (
                "fields_required",
                "Checklist items",
                m.fields_required.to_string(),
            ),
            (
                "fields_answered",
                "Checklist items answered",
                m.fields_answered.to_string(),
            ),
            (
                "fields_answered_unprompted",
                "Answered without being asked again",
                m.fields_answered_unprompted.to_string(),
            ),
        ];
        for (key, label, value) in metrics {
            put("metric", key, label, value, none(), none(), "", none())?;
        }
    }
    for e in &r.timeline {
        put(
            "timeline",
            &e.at.plain(),
            e.author.label(),
            opt(e.response_minutes),
            none(),
            format!(
                "{}: {}{}",
                e.kind,
                e.subject,
                match (e.response_minutes, e.first_response) {
                    (Some(m), true) => format!(" (first response after {})", duration(m)),
                    _ => String::new(),
                }
            ),
            "",
            e.message_id.to_string(),
        )?;
    }
    for d in &r.decisions {
        put(
            "decision",
            &d.action,
            &d.operator,
            d.at.plain(),
            none(),
            d.summary.clone(),
            d.reason.as_deref().unwrap_or_default(),
            none(),
        )?;
    }
    w.finish()
}

/// A portfolio: one row per shop, fee columns named after the money fields.
pub fn portfolio(p: &Portfolio) -> Result<String, ReportError> {
    let mut w = Rows::new();
    let fee_names: Vec<&str> = p.fees.iter().map(|f| f.field.as_str()).collect();
    let mut head: Vec<&str> = PORTFOLIO_COLUMNS.to_vec();
    head.extend(&fee_names);
    w.push(&head)?;
    for s in &p.shops {
        let mut cells = vec![
            s.shop_id.to_string(),
            s.target_id.to_string(),
            s.target.clone(),
            s.city.clone(),
            s.state.clone(),
            s.manager.clone(),
            s.operator.clone().unwrap_or_default(),
            s.persona.clone(),
            s.status.to_string(),
            s.time_zone.clone(),
            s.started_at.plain(),
            opt(s.ended_at.map(|d| d.plain())),
            opt(s.first_response_minutes),
            opt(s.first_response_business_minutes),
            num(s.score),
            num(s.max_score),
            opt(s.needs_review),
        ];
        cells.extend(
            fee_names
                .iter()
                .map(|f| num(s.fees.get(*f).copied().flatten())),
        );
        w.push(&cells)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formulas_from_outside_stay_text() {
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("-20"), "-20");
        assert_eq!(inert("$50 fee"), "$50 fee");
    }
}

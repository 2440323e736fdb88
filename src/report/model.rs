//! The report models: a shop report (summary + grading + timeline) and a portfolio, built from
//! store data. Loading is async and thin; everything that decides what a report says is pure
//! and unit-tested. Every renderer (Markdown, HTML, CSV, JSON) reads these same structs.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::ReportError;
use super::differences::{Difference, compare, plan_key};
use super::format::{display_value, field_label, plan_summary};
use crate::domain::community::{Amenity, Extraction, FairHousingFlag, FieldKind, FloorPlan};
use crate::domain::community::{LOW_CONFIDENCE, SCALAR_FIELDS, field_kind};
use crate::domain::facts::checklist_name;
use crate::domain::grading::Metrics;
use crate::domain::ids::{FactId, MessageId, PersonaId, ShopId, SnapshotId, TargetId};
use crate::domain::message::ResponderKind;
use crate::domain::overrides::{Decisions, FlagDecision, OverrideKind};
use crate::domain::rubric::CriterionScore;
use crate::domain::send_window::local_instant;
use crate::domain::shop::{Shop, ShopStatus};
use crate::domain::target::Target;
use crate::store::SYSTEM;
use crate::store::{
    AuditEntry, AuditFilter, FactRow, GradeRecord, MessageRow, PortfolioFilter, PortfolioRow,
    Store, StoreError, WebsiteRecord,
};

/// Bumped whenever a field of the JSON output changes meaning or goes away (docs/reports.md).
pub const SCHEMA_VERSION: u32 = 1;

/// An instant shown in a particular time zone. Serialised as RFC 3339 with that zone's offset
/// (`2026-11-23T09:30:00-06:00`): the instant and the local wall time in one value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalTime(pub DateTime<Tz>);

impl LocalTime {
    pub fn new(at: DateTime<Utc>, tz: Tz) -> LocalTime {
        LocalTime(at.with_timezone(&tz))
    }

    pub fn rfc3339(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Secs, false)
    }

    /// `Mon 23 Nov 2026 09:30`
    pub fn long(&self) -> String {
        self.0.format("%a %-d %b %Y %H:%M").to_string()
    }

    /// `2026-11-23 09:30` (sorts and reads well in a spreadsheet)
    pub fn plain(&self) -> String {
        self.0.format("%Y-%m-%d %H:%M").to_string()
    }

    /// `23 Nov 09:30`
    pub fn short(&self) -> String {
        self.0.format("%-d %b %H:%M").to_string()
    }
}

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
    }
}

/// The time zone a target's times are shown in: its own, else the configured default.
pub fn target_tz(target_zone: Option<&str>, default: Tz) -> Tz {
    target_zone
        .and_then(|z| z.trim().parse::<Tz>().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// Shop report

#[derive(Debug, Clone, Serialize)]
pub struct ShopReport {
    pub schema_version: u32,
    /// Always `"shop"`.
    pub report: &'static str,
    pub generated_at: DateTime<Utc>,
    /// IANA name of the zone every time in this report is given in.
    pub time_zone: String,
    pub shop: ShopInfo,
    pub target: TargetInfo,
    pub persona: PersonaInfo,
    pub summary: Summary,
    pub grading: Option<Grading>,
    pub timeline: Vec<TimelineEntry>,
    /// Operators' decisions on this shop, oldest first.
    pub decisions: Vec<DecisionEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShopInfo {
    pub id: ShopId,
    pub status: ShopStatus,
    pub status_reason: Option<String>,
    pub operator: Option<String>,
    pub started_at: Option<LocalTime>,
    pub ended_at: Option<LocalTime>,
    /// Checklist items (community field names) the shop had to get answered.
    pub checklist: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    pub id: TargetId,
    pub name: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub owners: String,
    pub property_manager: String,
}

impl TargetInfo {
    /// `100 Main St, Austin, TX 78701` (empty parts left out).
    pub fn address(&self) -> String {
        let state_zip = [self.state.as_str(), self.zip.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        [self.street.as_str(), self.city.as_str(), state_zip.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonaInfo {
    pub id: PersonaId,
    pub name: String,
    pub email: String,
    pub rental_budget: i32,
    pub bedrooms: i32,
    pub bathrooms: f64,
    pub pets: String,
    pub move_in_date: Option<NaiveDate>,
}

/// Which part of the fact sheet a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Community,
    Fees,
    Pets,
    Leasing,
    Other,
}

impl Category {
    pub fn of(field: &str) -> Category {
        match field {
            "name" | "overview" | "url" => Category::Community,
            "application_fee" | "administration_fee" | "membership_fee" | "security_deposit" => {
                Category::Fees
            }
            "pet_policy" | "pet_deposit" | "pet_rent" => Category::Pets,
            "specials" | "lease_terms" | "availability" | "parking" | "utilities" => {
                Category::Leasing
            }
            _ => Category::Other,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Category::Community => "Community",
            Category::Fees => "Fees",
            Category::Pets => "Pet policy",
            Category::Leasing => "Specials and leasing",
            Category::Other => "Other",
        }
    }

    /// Report order.
    pub const ALL: [Category; 5] = [
        Category::Fees,
        Category::Pets,
        Category::Leasing,
        Category::Community,
        Category::Other,
    ];
}

/// A value the agent gave earlier and later changed.
#[derive(Debug, Clone, Serialize)]
pub struct EarlierValue {
    pub value: Value,
    pub display: String,
    pub evidence: String,
    pub source_message_id: Option<MessageId>,
}

/// A fact an operator set: who, why, and the machine's value beside it.
#[derive(Debug, Clone, Serialize)]
pub struct FactAdjustment {
    /// What the machine read from the replies (`null`: nothing).
    pub machine_value: Option<Value>,
    pub machine_display: Option<String>,
    pub by: String,
    pub reason: String,
    pub at: LocalTime,
}

/// One current fact of the sheet.
#[derive(Debug, Clone, Serialize)]
pub struct FactItem {
    /// The machine's fact (`null` when only an operator gave the value).
    pub fact_id: Option<FactId>,
    pub field: String,
    pub label: String,
    pub category: Category,
    /// As stored: a number (dollars) for money fields, a string for text fields.
    pub value: Value,
    pub display: String,
    pub evidence: String,
    pub source_message_id: Option<MessageId>,
    /// The agent said something different earlier (see `earlier`).
    pub conflict: bool,
    pub earlier: Vec<EarlierValue>,
    /// An operator set the value (`value`, `display`): the machine's is here.
    pub adjusted: Option<FactAdjustment>,
    /// What to say beside the value: adjusted by whom and why, a conflict, a low confidence.
    /// Empty when nothing.
    pub note: String,
    /// How sure the reader was (0-1), when it said.
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub fact_id: FactId,
    /// The fact's key: `floor_plans[KEY]`.
    pub key: String,
    pub name: Option<String>,
    pub beds: Option<f64>,
    pub baths: Option<f64>,
    pub sqft: Option<f64>,
    #[serde(rename = "type")]
    pub plan_type: Option<String>,
    pub min_rental_price: Option<f64>,
    pub max_rental_price: Option<f64>,
    pub security_deposit: Option<f64>,
    pub amenities: Vec<String>,
    pub url: Option<String>,
    pub display: String,
    pub evidence: String,
    pub source_message_id: Option<MessageId>,
    pub conflict: bool,
    /// How sure the reader was (0-1), when it said; an inferred deposit lowers it.
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AmenityItem {
    pub fact_id: FactId,
    pub name: String,
    pub evidence: String,
    pub source_message_id: Option<MessageId>,
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebsiteInfo {
    pub snapshot_id: SnapshotId,
    pub url: String,
    pub gathered_at: LocalTime,
    /// Scalar fields the website states.
    pub fields_found: usize,
    pub floor_plans: usize,
    pub amenities: usize,
    /// The site's pages as gathered: name, what it offers, where.
    pub pages: Vec<crate::domain::community::CommunityPage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Current scalar facts, in the community schema's order.
    pub facts: Vec<FactItem>,
    pub floor_plans: Vec<PlanItem>,
    pub amenities: Vec<AmenityItem>,
    /// The latest website gathering the comparison used; `null` when there is none.
    pub website: Option<WebsiteInfo>,
    pub differences: Vec<Difference>,
    /// Checklist items nobody answered.
    pub missing: Vec<String>,
    /// Other scalar fields of the community schema the agent never mentioned (checklist items
    /// are in `missing`).
    pub not_mentioned: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Grading {
    pub total: f64,
    pub max_total: f64,
    /// The criteria's scores added up; above `total` when the fair-housing gate capped it.
    pub criteria_total: f64,
    /// `total / max_total * 100`, one decimal.
    pub percent: f64,
    pub rubric_version: String,
    /// `offline` or the AI that helped.
    pub model: String,
    pub graded_at: LocalTime,
    /// An operator must confirm the grade: a fair-housing flag (which caps the total) or a
    /// reply that tried to instruct an AI.
    pub needs_review: bool,
    /// Why, one line each.
    pub review_reasons: Vec<String>,
    pub criteria: Vec<CriterionScore>,
    pub fair_housing_flags: Vec<FairHousingFlag>,
    /// Operators' verdicts on those flags (confirmed: the cap stays; cleared: it goes).
    pub flag_decisions: Vec<FlagDecision>,
    pub metrics: Metrics,
}

/// One decision an operator took on the shop, from the audit log (the report's appendix).
#[derive(Debug, Clone, Serialize)]
pub struct DecisionEntry {
    pub at: LocalTime,
    pub operator: String,
    pub action: String,
    /// What was decided, in words.
    pub summary: String,
    pub reason: Option<String>,
}

/// Who wrote a message of the thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// Us, as the persona.
    Persona,
    /// A person or leasing assistant at the property.
    Agent,
    AutoReply,
    Bounce,
}

impl Author {
    pub fn label(self) -> &'static str {
        match self {
            Author::Persona => "persona",
            Author::Agent => "agent",
            Author::AutoReply => "auto-reply",
            Author::Bounce => "bounce",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub message_id: MessageId,
    pub at: LocalTime,
    pub author: Author,
    /// inquiry, follow_up, nudge, response
    pub kind: String,
    pub from: String,
    pub subject: String,
    /// For the agent's messages: minutes since our latest message before it.
    pub response_minutes: Option<i64>,
    /// The reply that counts as the first response.
    pub first_response: bool,
}

/// Everything a shop report is made of, as loaded from the store.
pub struct ShopInputs {
    pub shop: Shop,
    pub target: Target,
    pub persona: crate::store::Shopper,
    pub operator: Option<String>,
    pub messages: Vec<MessageRow>,
    pub facts: Vec<FactRow>,
    pub grade: Option<GradeRecord>,
    pub website: Option<WebsiteRecord>,
    pub decisions: Decisions,
    pub audit: Vec<AuditEntry>,
}

fn not_found_as(e: StoreError, id: ShopId) -> ReportError {
    match e {
        StoreError::NotFound { entity: "shop", .. } => ReportError::NoSuchShop(id),
        other => ReportError::Store(other),
    }
}

/// Loads what a shop report needs.
pub async fn load_shop(store: &Store, id: ShopId) -> Result<ShopInputs, ReportError> {
    let shop = store.shop(id).await.map_err(|e| not_found_as(e, id))?;
    let target = store.target(shop.target_id).await?;
    let persona = store.shopper(shop.persona_id).await?;
    let audit_filter = AuditFilter {
        shop: Some(id),
        limit: 10_000,
        ..Default::default()
    };
    let (operator, messages, facts, grade, website, decisions, audit) = tokio::try_join!(
        store.report_shop_operator(id),
        store.shop_messages(id),
        store.shop_facts(id),
        store.report_grade(id),
        store.report_website(shop.target_id),
        store.decisions(id),
        store.audit_list(&audit_filter),
    )?;
    Ok(ShopInputs {
        shop,
        target,
        persona,
        operator,
        messages,
        facts,
        grade,
        website,
        decisions,
        audit,
    })
}

/// Loads and builds the report of one shop; times in the target's zone (else `default_tz`).
pub async fn shop_report(
    store: &Store,
    id: ShopId,
    default_tz: Tz,
    now: DateTime<Utc>,
) -> Result<ShopReport, ReportError> {
    Ok(build_shop_report(
        load_shop(store, id).await?,
        default_tz,
        now,
    ))
}

/// The shop report from loaded data.
pub fn build_shop_report(i: ShopInputs, default_tz: Tz, now: DateTime<Utc>) -> ShopReport {
    let tz = target_tz(i.target.time_zone.as_deref(), default_tz);
    let at = |d: DateTime<Utc>| LocalTime::new(d, tz);
    let summary = build_summary(
        &i.facts,
        &i.decisions,
        &i.shop.required_fields,
        i.website.as_ref(),
        tz,
    );
    let grading = i.grade.map(|g| {
        let percent = if g.grade.max_total > 0.0 {
            (g.grade.total / g.grade.max_total * 1000.0).round() / 10.0
        } else {
            0.0
        };
        let criteria_total = g.grade.criteria.iter().map(|c| c.score).sum::<f64>();
        Grading {
            total: g.grade.total,
            max_total: g.grade.max_total,
            criteria_total: (criteria_total * 10.0).round() / 10.0,
            percent,
            rubric_version: g.grade.rubric_version,
            model: g.model,
            graded_at: at(g.graded_at),
            needs_review: g.grade.needs_review,
            review_reasons: g.grade.review_reasons,
            criteria: g.grade.criteria,
            fair_housing_flags: g.grade.fair_housing_flags,
            flag_decisions: g.grade.flag_decisions,
            metrics: g.metrics,
        }
    });
    ShopReport {
        schema_version: SCHEMA_VERSION,
        report: "shop",
        generated_at: now,
        time_zone: tz.name().to_string(),
        shop: ShopInfo {
            id: i.shop.id,
            status: i.shop.status,
            status_reason: i.shop.status_reason.filter(|r| !r.trim().is_empty()),
            operator: i.operator,
            started_at: i.shop.started_at.map(at),
            ended_at: i.shop.ended_at.map(at),
            checklist: i.shop.required_fields.clone(),
        },
        target: TargetInfo {
            id: i.target.id,
            name: i.target.name,
            street: i.target.street,
            city: i.target.city,
            state: i.target.state,
            zip: i.target.zip,
            phone: i.target.phone,
            email: i.target.email,
            website: i.target.website,
            owners: i.target.owners,
            property_manager: i.target.property_manager,
        },
        persona: PersonaInfo {
            id: i.persona.id,
            name: format!("{} {}", i.persona.first_name, i.persona.last_name),
            email: i.persona.email,
            rental_budget: i.persona.rental_budget,
            bedrooms: i.persona.bedrooms,
            bathrooms: i.persona.bathrooms,
            pets: i.persona.pets,
            move_in_date: i.persona.move_in_date,
        },
        summary,
        grading,
        timeline: build_timeline(
            &i.messages
                .iter()
                .map(ThreadMessage::from)
                .collect::<Vec<_>>(),
            tz,
        ),
        decisions: decision_entries(&i.audit, tz),
    }
}

/// Actions in the audit log that are operators' decisions on a shop (the rest is its
/// history: drafts created, replies read, grades computed).
const DECISIONS: &[&str] = &[
    "confirm_flag",
    "clear_flag",
    "override_fact",
    "override_criterion",
    "approve",
    "reject",
    "recall",
    "edit",
    "regenerate",
    "restore",
    "retry",
    "assign",
    // A shop's status changed by an operator (a cancellation); the scheduler's are `system`.
    "status",
];

/// The appendix: every decision an operator took on the shop, in words.
pub fn decision_entries(audit: &[AuditEntry], tz: Tz) -> Vec<DecisionEntry> {
    audit
        .iter()
        .filter(|e| e.operator != SYSTEM && DECISIONS.contains(&e.action.as_str()))
        // A status change is a decision when an operator cancels; the others follow from a
        // draft, an approval or a send, which are listed themselves.
        .filter(|e| e.action != "status" || e.detail["to"] == "cancelled")
        .map(|e| {
            let summary = match e.detail["summary"].as_str() {
                Some(s) => s.to_string(),
                None if e.entity_type == "message" => message_decision(e),
                None if e.action == "status" => {
                    format!("cancelled shop #{}", e.entity_id.unwrap_or_default())
                }
                None => format!(
                    "{} {}{}",
                    e.action.replace('_', " "),
                    e.entity_type,
                    e.entity_id.map(|id| format!(" #{id}")).unwrap_or_default()
                ),
            };
            DecisionEntry {
                at: LocalTime::new(e.at, tz),
                operator: e.operator.clone(),
                action: e.action.clone(),
                summary,
                reason: e.detail["reason"]
                    .as_str()
                    .filter(|r| !r.trim().is_empty())
                    .map(String::from),
            }
        })
        .collect()
}

/// A decision on a draft in words: "approved message #12 (version 3)".
fn message_decision(e: &AuditEntry) -> String {
    let id = e.entity_id.map(|i| format!("#{i}")).unwrap_or_default();
    let after = &e.detail["after"];
    let version = after["version"]
        .as_i64()
        .map(|v| format!(" (version {v})"))
        .unwrap_or_default();
    match e.action.as_str() {
        "approve" => format!("approved message {id}{version}"),
        "reject" => format!("rejected draft {id}"),
        "recall" => format!("recalled message {id} into the review queue{version}"),
        "edit" => format!("edited draft {id}{version}"),
        "regenerate" => format!(
            "had draft {id} drafted again{}{version}",
            after["how"]
                .as_str()
                .map(|h| format!(" ({h})"))
                .unwrap_or_default()
        ),
        "restore" => format!(
            "restored version {} of draft {id}{version}",
            after["restored_from"]
        ),
        other => format!("{} message {id}", other.replace('_', " ")),
    }
}

/// What the fact sheet says beside a value: who adjusted it and why (with the machine's
/// value), and a conflict when the agent said something else.
pub fn fact_note(
    adjusted: Option<&FactAdjustment>,
    conflict: bool,
    earlier: &[EarlierValue],
) -> String {
    let mut parts = Vec::new();
    if let Some(a) = adjusted {
        parts.push(format!(
            "adjusted by {}: {} (machine: {})",
            a.by,
            a.reason,
            a.machine_display.as_deref().unwrap_or("nothing")
        ));
    }
    if !earlier.is_empty() {
        parts.push(format!(
            "conflict; earlier: {}",
            earlier
                .iter()
                .map(|e| e.display.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    } else if conflict {
        parts.push("conflict".into());
    }
    parts.join("; ")
}

/// The fact sheet, the comparison with the website and what is missing.
pub fn build_summary(
    facts: &[FactRow],
    decisions: &Decisions,
    checklist: &[String],
    website: Option<&WebsiteRecord>,
    tz: Tz,
) -> Summary {
    let current: Vec<&FactRow> = facts.iter().filter(|f| f.superseded_by.is_none()).collect();
    let earlier_of = |path: &str, current_id: FactId| -> Vec<EarlierValue> {
        facts
            .iter()
            .filter(|f| f.field_path == path && f.id != current_id && f.superseded_by.is_some())
            .map(|f| EarlierValue {
                value: f.value.clone(),
                display: display_value(path, &f.value),
                evidence: f.evidence.clone(),
                source_message_id: f.source_message_id,
            })
            .collect()
    };

    let mut scalar: Vec<FactItem> = current
        .iter()
        .filter(|f| !f.field_path.contains('['))
        .map(|f| FactItem {
            fact_id: Some(f.id),
            field: f.field_path.clone(),
            label: field_label(&f.field_path),
            category: Category::of(&f.field_path),
            value: f.value.clone(),
            display: display_value(&f.field_path, &f.value),
            evidence: f.evidence.clone(),
            source_message_id: f.source_message_id,
            conflict: f.conflict,
            earlier: earlier_of(&f.field_path, f.id),
            adjusted: None,
            note: String::new(),
            confidence: f.confidence,
        })
        .collect();
    // Operators' values stand over the machine's, which stay beside them.
    for o in decisions
        .overrides
        .iter()
        .filter(|o| o.kind == OverrideKind::Fact && !o.key.contains('['))
    {
        let item = match scalar.iter_mut().find(|f| f.field == o.key) {
            Some(item) => item,
            None => {
                scalar.push(FactItem {
                    fact_id: None,
                    field: o.key.clone(),
                    label: field_label(&o.key),
                    category: Category::of(&o.key),
                    value: Value::Null,
                    display: String::new(),
                    evidence: String::new(),
                    source_message_id: None,
                    conflict: false,
                    earlier: Vec::new(),
                    adjusted: None,
                    note: String::new(),
                    confidence: None,
                });
                scalar.last_mut().expect("just pushed")
            }
        };
        let machine = item.fact_id.map(|_| item.value.clone());
        item.adjusted = Some(FactAdjustment {
            machine_display: machine.as_ref().map(|v| display_value(&o.key, v)),
            machine_value: machine,
            by: o.operator.clone(),
            reason: o.reason.clone(),
            at: LocalTime::new(o.at, tz),
        });
        item.value = o.value.clone();
        item.display = display_value(&o.key, &o.value);
    }
    for f in &mut scalar {
        f.note = fact_note(f.adjusted.as_ref(), f.conflict, &f.earlier);
        // An operator's value is checked; the machine's, read with little certainty, is not.
        if let Some(c) = f.confidence.filter(|c| *c < LOW_CONFIDENCE)
            && f.adjusted.is_none()
        {
            let low = format!("low confidence ({c:.2}): check");
            f.note = [f.note.as_str(), &low]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
        }
    }
    let order = |field: &str| {
        SCALAR_FIELDS
            .iter()
            .position(|(n, _)| *n == field)
            .unwrap_or(usize::MAX)
    };
    scalar.sort_by(|a, b| {
        order(&a.field)
            .cmp(&order(&b.field))
            .then(a.field.cmp(&b.field))
    });

    let mut plans: Vec<PlanItem> = current
        .iter()
        .filter_map(|f| {
            let key = bracket_key(&f.field_path, "floor_plans")?;
            let p = floor_plan_from(&f.value, &f.evidence);
            Some(PlanItem {
                fact_id: f.id,
                key: key.to_string(),
                display: plan_summary(&p),
                name: p.name,
                beds: p.beds,
                baths: p.baths,
                sqft: p.sqft,
                plan_type: p.plan_type,
                min_rental_price: p.min_rental_price,
                max_rental_price: p.max_rental_price,
                security_deposit: p.security_deposit,
                amenities: p.amenities,
                url: p.url,
                evidence: f.evidence.clone(),
                source_message_id: f.source_message_id,
                conflict: f.conflict,
                confidence: f.confidence,
            })
        })
        .collect();
    plans.sort_by(|a, b| {
        a.beds
            .unwrap_or(f64::MAX)
            .total_cmp(&b.beds.unwrap_or(f64::MAX))
            .then(a.key.cmp(&b.key))
    });

    let amenities: Vec<AmenityItem> = current
        .iter()
        .filter_map(|f| {
            let key = bracket_key(&f.field_path, "community_amenities")?;
            Some(AmenityItem {
                fact_id: f.id,
                name: capitalise(key),
                evidence: f.evidence.clone(),
                source_message_id: f.source_message_id,
                confidence: f.confidence,
            })
        })
        .collect();

    let answered: Vec<&str> = current
        .iter()
        .map(|f| checklist_name(&f.field_path))
        .chain(scalar.iter().map(|f| f.field.as_str()))
        .collect();
    let missing: Vec<String> = checklist
        .iter()
        .filter(|c| !answered.contains(&c.as_str()))
        .cloned()
        .collect();
    let not_mentioned = SCALAR_FIELDS
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !answered.contains(n) && !missing.iter().any(|m| m == n))
        .map(String::from)
        .collect();

    let mut agent = agent_extraction(&current);
    // What the website is compared with is what the report states: an operator's value where
    // one was set.
    for o in decisions
        .overrides
        .iter()
        .filter(|o| o.kind == OverrideKind::Fact && field_kind(&o.key).is_some())
    {
        let why = format!("adjusted by {}: {}", o.operator, o.reason);
        agent.set(&o.key, o.value.clone(), &why);
    }
    let (website_info, differences) = match website {
        Some(w) => (
            Some(WebsiteInfo {
                snapshot_id: w.snapshot_id,
                url: w.root_url.clone(),
                gathered_at: LocalTime::new(w.gathered_at, tz),
                fields_found: w.extraction.fields.values().filter(|v| v.is_some()).count(),
                floor_plans: w.extraction.floor_plans.len(),
                amenities: w.extraction.community_amenities.len(),
                pages: w.extraction.community_pages.clone(),
            }),
            compare(&w.extraction, &agent),
        ),
        None => (None, Vec::new()),
    };

    Summary {
        facts: scalar,
        floor_plans: plans,
        amenities,
        website: website_info,
        differences,
        missing,
        not_mentioned,
    }
}

/// `floor_plans[2br]` → `2br` (when the prefix matches).
fn bracket_key<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    path.strip_prefix(prefix)?
        .strip_prefix('[')?
        .strip_suffix(']')
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A stored floor-plan fact back as a plan (the evidence is kept beside the value).
fn floor_plan_from(value: &Value, evidence: &str) -> FloorPlan {
    let mut v = value.clone();
    if let Value::Object(m) = &mut v {
        m.insert("evidence".into(), Value::String(evidence.to_string()));
        m.entry("amenities").or_insert_with(|| Value::Array(vec![]));
    }
    serde_json::from_value(v).unwrap_or_else(|_| FloorPlan {
        evidence: evidence.to_string(),
        ..Default::default()
    })
}

/// The agent's current facts as one extraction, for comparing with the website's.
pub fn agent_extraction(current: &[&FactRow]) -> Extraction {
    let mut e = Extraction::empty();
    for f in current {
        if let Some(key) = bracket_key(&f.field_path, "floor_plans") {
            let mut p = floor_plan_from(&f.value, &f.evidence);
            p.confidence = f.confidence;
            if p.name.is_none() && plan_key(&p) != key {
                p.name = Some(key.to_string());
            }
            e.floor_plans.push(p);
        } else if let Some(key) = bracket_key(&f.field_path, "community_amenities") {
            e.community_amenities.push(Amenity {
                amenity: key.to_string(),
                description: None,
                evidence: f.evidence.clone(),
                confidence: f.confidence,
            });
        } else if field_kind(&f.field_path).is_some() {
            e.set(&f.field_path, f.value.clone(), &f.evidence);
            if let Some(Some(v)) = e.fields.get_mut(&f.field_path) {
                v.confidence = f.confidence;
            }
        }
    }
    e
}

/// One message of the thread, as the timeline needs it.
#[derive(Debug, Clone)]
pub struct ThreadMessage {
    pub id: MessageId,
    pub outbound: bool,
    pub kind: String,
    /// Sent (ours) or received (theirs); `None` for a draft that never went out.
    pub at: Option<DateTime<Utc>>,
    pub from: String,
    pub subject: String,
    pub is_auto_reply: bool,
    pub is_bounce: bool,
    pub responder: Option<ResponderKind>,
}

impl From<&MessageRow> for ThreadMessage {
    fn from(m: &MessageRow) -> ThreadMessage {
        let outbound = m.direction == "outbound";
        ThreadMessage {
            id: m.id,
            outbound,
            kind: m.kind.to_string(),
            at: if outbound {
                m.sent_at
            } else {
                Some(m.received_at.unwrap_or(m.created_at))
            },
            from: if m.from_name.trim().is_empty() {
                m.from_addr.clone()
            } else {
                format!("{} <{}>", m.from_name.trim(), m.from_addr)
            },
            subject: m.subject.clone(),
            is_auto_reply: m.is_auto_reply,
            is_bounce: m.is_bounce,
            responder: m.responder_kind,
        }
    }
}

/// The thread as it happened: messages that went out, and everything that came in.
pub fn build_timeline(messages: &[ThreadMessage], tz: Tz) -> Vec<TimelineEntry> {
    let mut entries: Vec<(DateTime<Utc>, &ThreadMessage)> = messages
        .iter()
        .filter_map(|m| m.at.map(|at| (at, m)))
        .collect();
    entries.sort_by_key(|(at, m)| (*at, m.id));
    let mut last_ours: Option<DateTime<Utc>> = None;
    let mut first_seen = false;
    let mut out = Vec::with_capacity(entries.len());
    for (at, m) in entries {
        let author = if m.outbound {
            Author::Persona
        } else if m.is_bounce {
            Author::Bounce
        } else if m.is_auto_reply || m.responder == Some(ResponderKind::Auto) {
            Author::AutoReply
        } else {
            Author::Agent
        };
        let response_minutes = match author {
            Author::Agent | Author::AutoReply => last_ours.map(|o| (at - o).num_minutes()),
            _ => None,
        };
        let first_response = author == Author::Agent && last_ours.is_some() && !first_seen;
        first_seen |= first_response;
        if author == Author::Persona {
            last_ours = Some(at);
        }
        out.push(TimelineEntry {
            message_id: m.id,
            at: LocalTime::new(at, tz),
            author,
            kind: m.kind.clone(),
            from: m.from.clone(),
            subject: m.subject.clone(),
            response_minutes,
            first_response,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Portfolio

/// The portfolio's filter as the operator gave it (dates are local days, both inclusive).
#[derive(Debug, Clone, Default, Serialize)]
pub struct PortfolioQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub manager: Option<String>,
    /// Only this client's targets (its name); resolved by [`portfolio`].
    pub client: Option<String>,
}

impl PortfolioQuery {
    /// The store's filter: local midnight of `from` up to local midnight after `to`.
    pub fn to_filter(&self, tz: Tz) -> Result<PortfolioFilter, ReportError> {
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            return Err(ReportError::BadQuery(format!(
                "--from {f} is after --to {t}"
            )));
        }
        let midnight = |d: NaiveDate| local_instant(tz, d, NaiveTime::MIN);
        Ok(PortfolioFilter {
            from: self.from.and_then(midnight),
            to: self.to.and_then(|d| d.succ_opt()).and_then(midnight),
            manager: self
                .manager
                .as_ref()
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty()),
            client: None,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Portfolio {
    pub schema_version: u32,
    /// Always `"portfolio"`.
    pub report: &'static str,
    pub generated_at: DateTime<Utc>,
    /// The zone dates and months are counted in (each shop's own times are in its target's).
    pub time_zone: String,
    pub filter: PortfolioQuery,
    pub totals: Totals,
    pub response_times: Vec<Bucket>,
    pub score_distribution: Vec<Bucket>,
    pub fees: Vec<FeeStats>,
    pub by_target: Vec<Group>,
    pub by_manager: Vec<Group>,
    pub by_operator: Vec<Group>,
    pub by_month: Vec<Group>,
    pub shops: Vec<PortfolioShop>,
}

/// Figures over a set of shops.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    pub shops: usize,
    /// In a finished state (completed, timed out, blocked, cancelled, failed).
    pub finished: usize,
    pub completed: usize,
    pub cancelled: usize,
    /// completed / (finished - cancelled); `null` when nothing counts yet.
    pub completion_rate: Option<f64>,
    /// Shops whose agent answered at all.
    pub replied: usize,
    pub median_first_response_minutes: Option<f64>,
    pub graded: usize,
    /// Mean and median of totals as a percentage of their maximum.
    pub average_score: Option<f64>,
    pub median_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: String,
    #[serde(flatten)]
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeeStats {
    pub field: String,
    pub label: String,
    /// Shops that know this fee.
    pub shops: usize,
    pub min: Option<f64>,
    pub median: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortfolioShop {
    pub shop_id: ShopId,
    pub target_id: TargetId,
    pub target: String,
    pub city: String,
    pub state: String,
    pub manager: String,
    pub operator: Option<String>,
    pub persona: String,
    pub status: ShopStatus,
    /// The target's zone.
    pub time_zone: String,
    pub started_at: LocalTime,
    pub ended_at: Option<LocalTime>,
    pub first_response_minutes: Option<i64>,
    pub first_response_business_minutes: Option<i64>,
    pub score: Option<f64>,
    pub max_score: Option<f64>,
    pub needs_review: Option<bool>,
    /// Every money field of the community schema; `null` = unknown.
    pub fees: BTreeMap<String, Option<f64>>,
}

/// The money fields of the community schema: the portfolio's fee columns, in schema order.
pub fn fee_fields() -> Vec<String> {
    SCALAR_FIELDS
        .iter()
        .filter(|(_, k)| *k == FieldKind::Money)
        .map(|(n, _)| n.to_string())
        .collect()
}

pub async fn portfolio(
    store: &Store,
    query: PortfolioQuery,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Portfolio, ReportError> {
    let mut query = query;
    let mut filter = query.to_filter(tz)?;
    if let Some(name) = query.client.as_deref().filter(|c| !c.trim().is_empty()) {
        let client = store.client_by_name(name).await.map_err(|e| match e {
            StoreError::NotFound { .. } => ReportError::BadQuery(format!(
                "there is no client named {:?}; `secret-shop client list` shows them",
                name.trim()
            )),
            e => e.into(),
        })?;
        filter.client = Some(client.id);
        // The report names the client as it is spelled, not as it was typed.
        query.client = Some(client.name);
    }
    let rows = store.portfolio_rows(&filter, &fee_fields()).await?;
    Ok(build_portfolio(rows, query, tz, now))
}

pub fn build_portfolio(
    rows: Vec<PortfolioRow>,
    query: PortfolioQuery,
    tz: Tz,
    now: DateTime<Utc>,
) -> Portfolio {
    let fields = fee_fields();
    let shops: Vec<PortfolioShop> = rows
        .into_iter()
        .map(|r| {
            let shop_tz = target_tz(r.time_zone.as_deref(), tz);
            let metrics: Option<Metrics> = r.metrics.and_then(|m| serde_json::from_value(m).ok());
            let fees = fields
                .iter()
                .map(|f| (f.clone(), r.fees.get(f).and_then(Value::as_f64)))
                .collect();
            PortfolioShop {
                shop_id: r.shop_id,
                target_id: r.target_id,
                target: r.target_name,
                city: r.city,
                state: r.state,
                manager: r.property_manager,
                operator: r.operator,
                persona: r.persona_name,
                status: r.status,
                time_zone: shop_tz.name().to_string(),
                started_at: LocalTime::new(r.started_at, shop_tz),
                ended_at: r.ended_at.map(|e| LocalTime::new(e, shop_tz)),
                first_response_minutes: match (r.first_sent_at, r.first_reply_at) {
                    (Some(s), Some(a)) => Some((a - s).num_minutes()),
                    _ => None,
                },
                first_response_business_minutes: metrics
                    .and_then(|m| m.first_response_business_minutes),
                score: r.score,
                max_score: r.max_score,
                needs_review: r.needs_review,
                fees,
            }
        })
        .collect();

    let all: Vec<&PortfolioShop> = shops.iter().collect();
    let group_by = |key: &dyn Fn(&PortfolioShop) -> String| -> Vec<Group> {
        let mut groups: BTreeMap<String, Vec<&PortfolioShop>> = BTreeMap::new();
        for s in &shops {
            groups.entry(key(s)).or_default().push(s);
        }
        groups
            .into_iter()
            .map(|(key, members)| Group {
                key,
                totals: totals(&members),
            })
            .collect()
    };
    let by_target = group_by(&|s| s.target.clone());
    let by_manager = group_by(&|s| or_none(&s.manager));
    let by_operator = group_by(&|s| or_none(s.operator.as_deref().unwrap_or("")));
    let by_month = group_by(&|s| {
        s.started_at
            .0
            .with_timezone(&tz)
            .format("%Y-%m")
            .to_string()
    });

    let fees = fields
        .iter()
        .map(|f| {
            let mut values: Vec<f64> = shops.iter().filter_map(|s| s.fees[f]).collect();
            values.sort_by(f64::total_cmp);
            FeeStats {
                field: f.clone(),
                label: field_label(f),
                shops: values.len(),
                min: values.first().copied(),
                median: median(&values),
                max: values.last().copied(),
                mean: mean(&values).map(round2),
            }
        })
        .collect();

    Portfolio {
        schema_version: SCHEMA_VERSION,
        report: "portfolio",
        generated_at: now,
        time_zone: tz.name().to_string(),
        filter: query,
        totals: totals(&all),
        response_times: response_buckets(&all),
        score_distribution: score_buckets(&all),
        fees,
        by_target,
        by_manager,
        by_operator,
        by_month,
        shops,
    }
}

fn or_none(s: &str) -> String {
    if s.trim().is_empty() {
        "(none)".into()
    } else {
        s.to_string()
    }
}

fn percent_of(s: &PortfolioShop) -> Option<f64> {
    match (s.score, s.max_score) {
        (Some(t), Some(m)) if m > 0.0 => Some(t / m * 100.0),
        _ => None,
    }
}

pub fn totals(shops: &[&PortfolioShop]) -> Totals {
    let finished = shops.iter().filter(|s| s.status.is_finished()).count();
    let completed = shops
        .iter()
        .filter(|s| s.status == ShopStatus::Completed)
        .count();
    let cancelled = shops
        .iter()
        .filter(|s| s.status == ShopStatus::Cancelled)
        .count();
    let counted = finished - cancelled;
    let mut firsts: Vec<f64> = shops
        .iter()
        .filter_map(|s| s.first_response_minutes)
        .map(|m| m as f64)
        .collect();
    firsts.sort_by(f64::total_cmp);
    let mut scores: Vec<f64> = shops.iter().filter_map(|s| percent_of(s)).collect();
    scores.sort_by(f64::total_cmp);
    Totals {
        shops: shops.len(),
        finished,
        completed,
        cancelled,
        completion_rate: (counted > 0).then(|| round2(completed as f64 / counted as f64)),
        replied: firsts.len(),
        median_first_response_minutes: median(&firsts),
        graded: scores.len(),
        average_score: mean(&scores).map(round1),
        median_score: median(&scores).map(round1),
    }
}

/// Labels of the first-response buckets with their upper bounds in minutes (exclusive).
pub const RESPONSE_BUCKETS: &[(&str, Option<i64>)] = &[
    ("under 1 h", Some(60)),
    ("1-4 h", Some(240)),
    ("4-24 h", Some(1440)),
    ("1-3 days", Some(4320)),
    ("over 3 days", None),
];

pub fn response_buckets(shops: &[&PortfolioShop]) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = RESPONSE_BUCKETS
        .iter()
        .map(|(l, _)| Bucket {
            label: l.to_string(),
            count: 0,
        })
        .collect();
    let mut none = 0;
    for s in shops {
        match s.first_response_minutes {
            Some(m) => {
                let i = RESPONSE_BUCKETS
                    .iter()
                    .position(|(_, hi)| hi.is_none_or(|h| m < h))
                    .unwrap_or(RESPONSE_BUCKETS.len() - 1);
                out[i].count += 1;
            }
            None => none += 1,
        }
    }
    out.push(Bucket {
        label: "no reply".into(),
        count: none,
    });
    out
}

/// Ten buckets of 10 percentage points (the last includes 100).
pub fn score_buckets(shops: &[&PortfolioShop]) -> Vec<Bucket> {
    let mut counts = [0usize; 10];
    for p in shops.iter().filter_map(|s| percent_of(s)) {
        counts[((p / 10.0).floor() as usize).min(9)] += 1;
    }
    counts
        .iter()
        .enumerate()
        .map(|(i, c)| Bucket {
            label: format!("{}-{}", i * 10, i * 10 + 10),
            count: *c,
        })
        .collect()
}

pub fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::America::Chicago;
    use serde_json::json;

    fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
    }

    fn fact(id: i64, path: &str, value: Value, superseded_by: Option<i64>) -> FactRow {
        FactRow {
            id: FactId(id),
            field_path: path.into(),
            value,
            source_message_id: Some(MessageId(2)),
            evidence: format!("said {path}"),
            extracted_by: "offline".into(),
            conflict: superseded_by.is_none() && id > 3,
            superseded_by: superseded_by.map(FactId),
            created_at: utc(23, 12, 0),
            confidence: None,
        }
    }

    #[test]
    fn summary_orders_facts_keeps_earlier_values_and_lists_what_is_missing() {
        let facts = vec![
            fact(1, "pet_policy", json!("cats ok"), None),
            fact(
                2,
                "floor_plans[2br]",
                json!({"beds": 2.0, "min_rental_price": 1725.0, "name": null, "baths": 1.0, "url": null, "sqft": null, "type": null, "max_rental_price": null, "security_deposit": null, "amenities": []}),
                None,
            ),
            fact(3, "administration_fee", json!(150), Some(4)),
            fact(4, "administration_fee", json!(0), None),
            fact(5, "application_fee", json!(50), None),
            fact(6, "community_amenities[pool]", json!(true), None),
        ];
        let checklist: Vec<String> = ["application_fee", "floor_plans", "availability"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = build_summary(&facts, &Decisions::default(), &checklist, None, Chicago);
        let fields: Vec<&str> = s.facts.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["application_fee", "administration_fee", "pet_policy"]
        );
        let admin = &s.facts[1];
        assert_eq!(admin.display, "$0");
        assert!(admin.conflict);
        assert_eq!(admin.earlier.len(), 1);
        assert_eq!(admin.earlier[0].display, "$150");
        assert_eq!(s.floor_plans.len(), 1);
        assert_eq!(s.floor_plans[0].min_rental_price, Some(1725.0));
        assert_eq!(s.amenities[0].name, "Pool");
        assert_eq!(s.missing, ["availability"]);
        assert!(s.not_mentioned.contains(&"specials".to_string()));
        assert!(
            !s.not_mentioned.contains(&"availability".to_string()),
            "it is missing"
        );
        assert!(!s.not_mentioned.contains(&"pet_policy".to_string()));
        assert!(s.website.is_none() && s.differences.is_empty());
    }

    /// The website is compared with what the report states: an operator's value, not the
    /// machine's it replaced.
    #[test]
    fn the_website_is_compared_with_the_adjusted_value() {
        let facts = vec![fact(1, "application_fee", json!(50), None)];
        let mut site = Extraction::empty();
        site.set("application_fee", json!(45), "Application fee: $45");
        let website = WebsiteRecord {
            snapshot_id: crate::domain::ids::SnapshotId(1),
            root_url: "https://grove.test".into(),
            gathered_at: utc(22, 9, 0),
            extraction: site,
        };
        let machine = build_summary(&facts, &Decisions::default(), &[], Some(&website), Chicago);
        assert_eq!(machine.differences.len(), 1, "$50 against $45");
        let decisions = Decisions {
            flags: Vec::new(),
            overrides: vec![crate::domain::overrides::Override {
                kind: OverrideKind::Fact,
                key: "application_fee".into(),
                value: json!(45),
                machine_value: Some(json!(50)),
                reason: "corrected by phone".into(),
                operator: "maria".into(),
                at: utc(23, 9, 0),
            }],
        };
        let adjusted = build_summary(&facts, &decisions, &[], Some(&website), Chicago);
        assert!(
            adjusted
                .differences
                .iter()
                .all(|d| d.field != "application_fee"),
            "{:?}",
            adjusted.differences
        );
    }

    fn msg(id: i64, outbound: bool, at: DateTime<Utc>, auto: bool) -> ThreadMessage {
        ThreadMessage {
            id: MessageId(id),
            outbound,
            kind: if outbound { "inquiry" } else { "response" }.into(),
            at: Some(at),
            from: "a@b.test".into(),
            subject: "s".into(),
            is_auto_reply: auto,
            is_bounce: false,
            responder: None,
        }
    }

    #[test]
    fn timeline_measures_each_reply_from_our_latest_message() {
        let mut draft = msg(9, true, utc(23, 16, 0), false);
        draft.at = None; // never sent: not part of the thread
        let messages = vec![
            msg(1, true, utc(23, 15, 30), false),
            msg(2, false, utc(23, 15, 31), true),
            msg(3, false, utc(23, 17, 0), false),
            msg(4, true, utc(23, 21, 0), false),
            msg(5, false, utc(24, 15, 15), false),
            draft,
        ];
        let t = build_timeline(&messages, Chicago);
        let ids: Vec<i64> = t.iter().map(|e| e.message_id.0).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5]);
        assert_eq!(t[1].author, Author::AutoReply);
        assert_eq!(t[1].response_minutes, Some(1));
        assert!(!t[1].first_response, "an auto-reply is not a response");
        assert_eq!(t[2].response_minutes, Some(90));
        assert!(t[2].first_response);
        assert_eq!(t[4].response_minutes, Some(18 * 60 + 15));
        assert!(!t[4].first_response);
        assert_eq!(t[0].at.rfc3339(), "2026-11-23T09:30:00-06:00");
    }

    fn pshop(status: ShopStatus, first: Option<i64>, score: Option<f64>) -> PortfolioShop {
        PortfolioShop {
            shop_id: ShopId(1),
            target_id: TargetId(1),
            target: "T".into(),
            city: String::new(),
            state: String::new(),
            manager: String::new(),
            operator: None,
            persona: "P".into(),
            status,
            time_zone: "UTC".into(),
            started_at: LocalTime::new(utc(1, 0, 0), Tz::UTC),
            ended_at: None,
            first_response_minutes: first,
            first_response_business_minutes: None,
            score,
            max_score: score.map(|_| 100.0),
            needs_review: None,
            fees: BTreeMap::new(),
        }
    }

    #[test]
    fn totals_count_completion_over_finished_shops_not_cancelled_ones() {
        use ShopStatus::*;
        let shops = [
            pshop(Completed, Some(30), Some(80.0)),
            pshop(Completed, Some(90), Some(60.0)),
            pshop(TimedOut, None, Some(10.0)),
            pshop(Cancelled, None, None),
            pshop(AwaitingReply, Some(600), None),
        ];
        let refs: Vec<&PortfolioShop> = shops.iter().collect();
        let t = totals(&refs);
        assert_eq!(
            (t.shops, t.finished, t.completed, t.cancelled),
            (5, 4, 2, 1)
        );
        assert_eq!(t.completion_rate, Some(0.67));
        assert_eq!(t.median_first_response_minutes, Some(90.0));
        assert_eq!(t.average_score, Some(50.0));
        assert_eq!(t.median_score, Some(60.0));
        let b = response_buckets(&refs);
        let counts: Vec<usize> = b.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 1, 1, 0, 0, 2]);
        let s = score_buckets(&refs);
        assert_eq!((s[1].count, s[6].count, s[8].count), (1, 1, 1));
    }

    #[test]
    fn medians_and_date_filters() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, 3.0]), Some(2.0));
        assert_eq!(median(&[1.0, 3.0, 10.0]), Some(3.0));
        let q = PortfolioQuery {
            from: NaiveDate::from_ymd_opt(2026, 11, 1),
            to: NaiveDate::from_ymd_opt(2026, 11, 30),
            manager: Some("  ".into()),
            client: None,
        };
        let f = q.to_filter(Chicago).unwrap();
        assert_eq!(f.from, Some(utc(1, 5, 0)), "CDT until 1 Nov 02:00");
        assert_eq!(
            f.to,
            Some(Utc.with_ymd_and_hms(2026, 12, 1, 6, 0, 0).unwrap())
        );
        assert_eq!(f.manager, None);
        let backwards = PortfolioQuery {
            from: q.to,
            to: q.from,
            manager: None,
            client: None,
        };
        assert!(backwards.to_filter(Chicago).is_err());
    }

    #[test]
    fn target_zone_falls_back_to_the_default() {
        assert_eq!(
            target_tz(Some("America/Denver"), Chicago).name(),
            "America/Denver"
        );
        assert_eq!(target_tz(Some("Mars/Base"), Chicago), Chicago);
        assert_eq!(target_tz(None, Chicago), Chicago);
    }
}

//! Grading a shop: its thread's replies (read first when they were not yet, see
//! [`super::facts`]), the measured metrics, the rubric, the fair-housing gate.

use chrono::Utc;

use super::facts::read_reply;
use crate::ai::Ai;
use crate::domain::community::Signals;
use crate::domain::facts::checklist_name;
use crate::domain::grading::{ThreadEntry, grade_thread};
use crate::domain::ids::{GradeId, ShopId};
use crate::domain::message::ResponderKind;
use crate::domain::rubric::{Grade, Rubric};
use crate::domain::send_window::SendWindow;
use crate::store::Store;

/// Grades a shop from its thread: every reply read (analysed now if it was not yet), metrics
/// computed, the rubric applied; a reply that tried to instruct an AI puts the grade up for an
/// operator's review. Stored as the shop's current grade.
pub async fn grade_shop(
    store: &Store,
    ai: &Ai,
    shop: ShopId,
    window: &SendWindow,
    default_tz: chrono_tz::Tz,
    operator: &str,
) -> anyhow::Result<(GradeId, Grade)> {
    let s = store.shop(shop).await?;
    let target = store.target(s.target_id).await?;
    let tz = target
        .time_zone
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(default_tz);
    let mut thread = Vec::new();
    for m in store.shop_messages(shop).await? {
        if m.direction == "outbound" {
            if let Some(at) = m.sent_at {
                thread.push(ThreadEntry {
                    message: Some(m.id),
                    at,
                    outbound: true,
                    responder: None,
                    signals: Signals::default(),
                    fields: Vec::new(),
                });
            }
            continue;
        }
        if m.is_bounce {
            continue;
        }
        let analysis = match store.message_analysis(m.id).await? {
            Some(a) => a,
            None => {
                read_reply(store, ai, m.id).await?;
                store.message_analysis(m.id).await?.unwrap_or_default()
            }
        };
        let responder: ResponderKind =
            serde_json::from_value(analysis["responder"].clone()).unwrap_or(ResponderKind::Human);
        let signals: Signals =
            serde_json::from_value(analysis["signals"].clone()).unwrap_or_default();
        let extraction: crate::domain::community::Extraction =
            serde_json::from_value(analysis["extraction"].clone()).unwrap_or_default();
        let mut fields: Vec<String> = extraction
            .known_fields()
            .iter()
            .map(|f| checklist_name(f).to_string())
            .collect();
        fields.dedup();
        thread.push(ThreadEntry {
            message: Some(m.id),
            at: m.received_at.unwrap_or(m.created_at),
            outbound: false,
            responder: Some(if m.is_auto_reply {
                ResponderKind::Auto
            } else {
                responder
            }),
            signals,
            fields,
        });
    }
    thread.sort_by_key(|e| e.at);
    let rubric = Rubric::default_rubric();
    let (grade, m) = grade_thread(&rubric, &thread, &s.required_fields, window, tz);
    let model = if ai.is_offline() {
        "offline"
    } else {
        "ai+rules"
    };
    // The operators' decisions on this shop (flag verdicts, criterion scores) outlive grading.
    let cap = rubric.fair_housing_cap;
    let (id, grade) = store
        .insert_grade_with(operator, shop, grade, &m, model, |g, d| d.apply(g, cap))
        .await?;
    tracing::info!(
        shop = %shop, total = grade.total, needs_review = grade.needs_review, at = %Utc::now(),
        "graded"
    );
    Ok((id, grade))
}

//! Operators' decisions on a shop's grade and facts: flag verdicts and overrides, each written
//! with its audit entry (who, what, before, after, why) in one transaction.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::PgConnection;

use super::audit::{EntityType, record};
use super::grades::{insert_current_grade, lock_shop};
use super::messages::notify_ids;
use super::{Actor, Result, Store, StoreError};
use crate::domain::ids::{GradeId, ShopId};
use crate::domain::overrides::{Decisions, FlagDecision, Override, OverrideKind, Verdict};
use crate::domain::rubric::Grade;

/// One decision on a grade.
#[derive(Debug, Clone)]
pub enum GradeDecision {
    /// A verdict on the flag with this quote (and the machine's reason for it).
    Flag {
        quote: String,
        flag_reason: String,
        verdict: Verdict,
        reason: String,
    },
    /// A criterion's score.
    Criterion {
        key: String,
        score: f64,
        reason: String,
    },
}

/// A grade before and after a decision.
#[derive(Debug, Clone)]
pub struct Regraded {
    pub grade_id: GradeId,
    pub before: Grade,
    pub after: Grade,
}

type FlagRow = (String, String, Verdict, String, String, DateTime<Utc>);
type OverrideRow = (
    OverrideKind,
    String,
    Value,
    Option<Value>,
    String,
    String,
    DateTime<Utc>,
);

/// The shop's decisions, as the transaction sees them.
pub(super) async fn load_decisions(conn: &mut PgConnection, shop: ShopId) -> Result<Decisions> {
    let flags: Vec<FlagRow> = sqlx::query_as(
        "SELECT quote, flag_reason, verdict, reason, operator, decided_at
         FROM flag_decisions WHERE shop_id = $1 ORDER BY id",
    )
    .bind(shop)
    .fetch_all(&mut *conn)
    .await?;
    let overrides: Vec<OverrideRow> = sqlx::query_as(
        "SELECT kind, key, value, machine_value, reason, operator, created_at
         FROM overrides WHERE shop_id = $1 ORDER BY id",
    )
    .bind(shop)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Decisions {
        flags: flags
            .into_iter()
            .map(
                |(quote, flag_reason, verdict, reason, operator, at)| FlagDecision {
                    quote,
                    flag_reason,
                    verdict,
                    reason,
                    operator,
                    at,
                },
            )
            .collect(),
        overrides: overrides
            .into_iter()
            .map(
                |(kind, key, value, machine_value, reason, operator, at)| Override {
                    kind,
                    key,
                    value,
                    machine_value,
                    reason,
                    operator,
                    at,
                },
            )
            .collect(),
    })
}

impl Store {
    /// Every operator decision on a shop.
    pub async fn decisions(&self, shop: ShopId) -> Result<Decisions> {
        let mut conn = self.pool.acquire().await?;
        load_decisions(&mut conn, shop).await
    }

    /// Records a decision on the shop's current grade and stores the grade it gives
    /// (`regrade`: the current grade and every decision, this one included) as the current
    /// one, audited with before and after, all in one transaction.
    pub async fn decide_on_grade(
        &self,
        actor: &Actor,
        shop: ShopId,
        decision: &GradeDecision,
        regrade: impl FnOnce(Grade, &Decisions) -> Grade,
    ) -> Result<Regraded> {
        let mut tx = self.pool.begin().await?;
        lock_shop(&mut tx, shop).await?;
        let current: Option<(Value, Value, String, bool, Vec<String>)> = sqlx::query_as(
            "SELECT criteria, metrics, model, needs_review, review_reasons FROM grades
             WHERE shop_id = $1 AND is_current",
        )
        .bind(shop)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((criteria, metrics, model, needs_review, reasons)) = current else {
            return Err(StoreError::Refused(format!(
                "shop {shop} has no grade yet: grade it first (shop grade {shop})"
            )));
        };
        let before = super::grades::with_review(
            serde_json::from_value(criteria)
                .map_err(|e| StoreError::Invalid(format!("stored grade of shop {shop}: {e}")))?,
            needs_review,
            reasons,
        );
        let (action, mut detail) = match decision {
            GradeDecision::Flag {
                quote,
                flag_reason,
                verdict,
                reason,
            } => {
                let earlier: Option<(Verdict, String, String)> = sqlx::query_as(
                    "SELECT verdict, reason, operator FROM flag_decisions
                     WHERE shop_id = $1 AND quote = $2",
                )
                .bind(shop)
                .bind(quote)
                .fetch_optional(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO flag_decisions (shop_id, quote, flag_reason, verdict, reason, operator)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (shop_id, quote) DO UPDATE SET verdict = EXCLUDED.verdict,
                         reason = EXCLUDED.reason, operator = EXCLUDED.operator, decided_at = now()",
                )
                .bind(shop)
                .bind(quote)
                .bind(flag_reason)
                .bind(verdict)
                .bind(reason)
                .bind(&actor.name)
                .execute(&mut *tx)
                .await?;
                let action = match verdict {
                    Verdict::Confirmed => "confirm_flag",
                    Verdict::Cleared => "clear_flag",
                };
                let summary =
                    format!("{verdict} fair-housing flag \u{201c}{quote}\u{201d} ({flag_reason})");
                (
                    action,
                    json!({
                        "summary": summary, "quote": quote, "flag_reason": flag_reason,
                        "before": { "verdict": earlier.as_ref().map(|e| e.0),
                                    "by": earlier.as_ref().map(|e| &e.2) },
                        "after": { "verdict": verdict },
                        "reason": reason,
                    }),
                )
            }
            GradeDecision::Criterion { key, score, reason } => {
                let c = before
                    .criteria
                    .iter()
                    .find(|c| c.key == *key)
                    .ok_or_else(|| {
                        StoreError::Refused(format!("the grade has no criterion {key}"))
                    })?;
                let machine = c.adjusted.as_ref().map_or(c.score, |a| a.machine_score);
                sqlx::query(
                    "INSERT INTO overrides (shop_id, kind, key, value, machine_value, reason, operator)
                     VALUES ($1, 'criterion', $2, $3, $4, $5, $6)
                     ON CONFLICT (shop_id, kind, key) DO UPDATE SET value = EXCLUDED.value,
                         machine_value = EXCLUDED.machine_value, reason = EXCLUDED.reason,
                         operator = EXCLUDED.operator, created_at = now()",
                )
                .bind(shop)
                .bind(key)
                .bind(json!(score))
                .bind(json!(machine))
                .bind(reason)
                .bind(&actor.name)
                .execute(&mut *tx)
                .await?;
                let summary = format!("{} set to {score} / {} (machine: {machine})", c.name, c.max);
                (
                    "override_criterion",
                    json!({
                        "summary": summary, "criterion": key, "machine": machine,
                        "before": { "score": c.score }, "after": { "score": score },
                        "reason": reason,
                    }),
                )
            }
        };
        let decisions = load_decisions(&mut tx, shop).await?;
        let after = regrade(before.clone(), &decisions);
        let grade_id = insert_current_grade(&mut tx, shop, &after, &metrics, &model).await?;
        detail["grade_id"] = json!(grade_id);
        detail["before"]["total"] = json!(before.total);
        detail["after"]["total"] = json!(after.total);
        record(
            &mut tx,
            actor,
            action,
            EntityType::Shop,
            Some(shop.0),
            detail,
        )
        .await?;
        notify_ids(&mut tx, "shops", &[shop]).await?;
        tx.commit().await?;
        Ok(Regraded {
            grade_id,
            before,
            after,
        })
    }

    /// Sets a fact of the shop's sheet to an operator's value (the machine's stays in `facts`),
    /// audited with before, after and why. Returns the value it replaced as shown (an earlier
    /// override, else the machine's), if any.
    pub async fn set_fact_override(
        &self,
        actor: &Actor,
        shop: ShopId,
        field: &str,
        value: &Value,
        reason: &str,
        summary: impl FnOnce(Option<&Value>, Option<&Value>) -> String,
    ) -> Result<Option<Value>> {
        let mut tx = self.pool.begin().await?;
        lock_shop(&mut tx, shop).await?;
        let machine: Option<Value> = sqlx::query_scalar(
            "SELECT value FROM facts WHERE shop_id = $1 AND field_path = $2
               AND superseded_by IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(shop)
        .bind(field)
        .fetch_optional(&mut *tx)
        .await?;
        let earlier: Option<Value> = sqlx::query_scalar(
            "SELECT value FROM overrides WHERE shop_id = $1 AND kind = 'fact' AND key = $2",
        )
        .bind(shop)
        .bind(field)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO overrides (shop_id, kind, key, value, machine_value, reason, operator)
             VALUES ($1, 'fact', $2, $3, $4, $5, $6)
             ON CONFLICT (shop_id, kind, key) DO UPDATE SET value = EXCLUDED.value,
                 machine_value = EXCLUDED.machine_value, reason = EXCLUDED.reason,
                 operator = EXCLUDED.operator, created_at = now()",
        )
        .bind(shop)
        .bind(field)
        .bind(value)
        .bind(&machine)
        .bind(reason)
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        let before = earlier.or_else(|| machine.clone());
        record(
            &mut tx,
            actor,
            "override_fact",
            EntityType::Shop,
            Some(shop.0),
            json!({
                "summary": summary(before.as_ref(), machine.as_ref()),
                "field": field, "machine": machine, "before": before, "after": value,
                "reason": reason,
            }),
        )
        .await?;
        notify_ids(&mut tx, "shops", &[shop]).await?;
        tx.commit().await?;
        Ok(before)
    }
}

//! Operators correcting the machine, on the record: a verdict on a grade's fair-housing flag,
//! a criterion's score, a fact's value. Each is kept with who and why, beside the machine's
//! value, and audited in the same transaction.

use anyhow::bail;

use crate::domain::ids::ShopId;
use crate::domain::overrides::{Verdict, flag_number, parse_fact_value, parse_score};
use crate::domain::rubric::Rubric;
use crate::report::format::display_value;
use crate::store::{Actor, GradeDecision, Regraded, Store};

/// Confirms (the cap stays) or clears (the shop is graded without the flag's cap) the flag
/// numbered `n` (from 1, as `grade flags` lists them). Clearing needs a reason.
pub async fn decide_flag(
    store: &Store,
    actor: &Actor,
    shop: ShopId,
    n: usize,
    verdict: Verdict,
    reason: &str,
) -> anyhow::Result<Regraded> {
    super::review::must_decide(actor, "fair-housing flags are an operator's to decide")?;
    let reason = reason.trim();
    if verdict == Verdict::Cleared && reason.is_empty() {
        bail!("say why the statement is not a violation: clearing a flag needs a reason");
    }
    let Some((grade, _)) = store.current_grade(shop).await? else {
        bail!("shop {shop} has no grade yet: grade it first (shop grade {shop})");
    };
    let flag = flag_number(&grade, n).map_err(|e| anyhow::anyhow!("shop {shop}: {e}"))?;
    let decision = GradeDecision::Flag {
        quote: flag.quote.clone(),
        flag_reason: flag.reason.clone(),
        verdict,
        reason: reason.to_string(),
    };
    regrade_with(store, actor, shop, &decision).await
}

/// Sets a criterion's score (`responsiveness 12`); the machine's stays beside it and every
/// later grading keeps the operator's.
pub async fn set_criterion(
    store: &Store,
    actor: &Actor,
    shop: ShopId,
    criterion: &str,
    score: &str,
    reason: &str,
) -> anyhow::Result<Regraded> {
    super::review::must_decide(actor, "grades are an operator's to override")?;
    let reason = reason.trim();
    if reason.is_empty() {
        bail!("an override needs a reason (--reason)");
    }
    let rubric = Rubric::default_rubric();
    let Some(c) = rubric
        .criteria
        .iter()
        .find(|c| c.key == criterion || c.name.eq_ignore_ascii_case(criterion))
    else {
        bail!(
            "no criterion {criterion:?}; one of: {}",
            rubric
                .criteria
                .iter()
                .map(|c| c.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let score = parse_score(score, c.weight).map_err(anyhow::Error::msg)?;
    let decision = GradeDecision::Criterion {
        key: c.key.clone(),
        score,
        reason: reason.to_string(),
    };
    regrade_with(store, actor, shop, &decision).await
}

async fn regrade_with(
    store: &Store,
    actor: &Actor,
    shop: ShopId,
    decision: &GradeDecision,
) -> anyhow::Result<Regraded> {
    let cap = Rubric::default_rubric().fair_housing_cap;
    Ok(store
        .decide_on_grade(actor, shop, decision, |g, d| d.apply(g, cap))
        .await?)
}

/// Sets a fact of the shop's sheet (`application_fee 45`): reports show it as adjusted by the
/// operator, with the machine's value beside it; re-reading the replies never overwrites it.
/// Returns what it replaced, as shown.
pub async fn set_fact(
    store: &Store,
    actor: &Actor,
    shop: ShopId,
    field: &str,
    value: &str,
    reason: &str,
) -> anyhow::Result<Option<String>> {
    super::review::must_decide(actor, "facts are an operator's to override")?;
    let reason = reason.trim();
    if reason.is_empty() {
        bail!("an override needs a reason (--reason)");
    }
    store.shop(shop).await?;
    let value = parse_fact_value(field, value).map_err(anyhow::Error::msg)?;
    let shown = display_value(field, &value);
    let before = store
        .set_fact_override(actor, shop, field, &value, reason, |before, machine| {
            let show = |v: Option<&serde_json::Value>| {
                v.map_or("nothing".to_string(), |v| display_value(field, v))
            };
            format!(
                "{field} set to {shown} (was {}; machine: {})",
                show(before),
                show(machine)
            )
        })
        .await?;
    Ok(before.map(|v| display_value(field, &v)))
}

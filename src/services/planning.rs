//! The scheduler's reads and moves: which shops to plan, what a shop's plan rests on, dropping a
//! nudge the agent's reply made stale, finishing a shop, and putting a follow-up draft in the
//! review queue. What comes next is `crate::domain::planner`'s call, made by the scheduler; where
//! a rejected draft's shop goes is `crate::domain::reaction::on_rejection`, handed to the store
//! here.

use crate::domain::ids::{MessageId, ShopId};
use crate::domain::shop::ShopStatus;
use crate::store::{Actor, PlanState, Result, Store};

/// Shops waiting on the agent or on our next step.
pub async fn active_shops(store: &Store) -> Result<Vec<ShopId>> {
    store.shops_to_plan().await
}

/// What the planner needs to know about a shop: its checklist, what is known, the thread's
/// times, a draft in flight.
pub async fn state(store: &Store, id: ShopId) -> Result<PlanState> {
    store.plan_state(id).await
}

/// Rejects a nudge the agent's reply made stale ("just checking in" after they answered); the
/// shop goes where `on_rejection` says. Refused (`StoreError::Held`) while an operator holds it.
pub async fn drop_stale_nudge(store: &Store, actor: &Actor, nudge: MessageId) -> Result<()> {
    store
        .reject_draft(
            actor,
            nudge,
            "superseded: the agent replied",
            crate::domain::reaction::on_rejection,
        )
        .await
}

/// Ends a shop by the planner's decision (completed or timed out), saying why, audited as the
/// system; `true` when it moved.
pub async fn finish(store: &Store, id: ShopId, to: ShopStatus, reason: &str) -> Result<bool> {
    store.finish_shop(id, to, reason).await
}

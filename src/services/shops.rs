//! Starting a shop (the inquiry drafted into the review queue) and the decisions on drafts.

use anyhow::bail;

use crate::ai::Ai;
use crate::ai::drafting::DraftRequest;
use crate::domain::ids::{MessageId, PersonaId, ShopId, TargetId};
use crate::domain::message::{MessageKind, repeats_rejected};
use crate::domain::persona::Persona;
use crate::domain::planner::{MAX_ASKS_PER_FOLLOW_UP, missing};
use crate::domain::shop::Shop;
use crate::domain::shop::ShopStatus;
use crate::domain::target::Target;
use crate::services::draft_context::DraftContext;
use crate::store::{Actor, MessageRow, NewDraft, Store};

/// What a shop asks for unless told otherwise.
pub const DEFAULT_CHECKLIST: &[&str] = &[
    "application_fee",
    "administration_fee",
    "pet_policy",
    "floor_plans",
    "availability",
];

/// Starts a shop: refuses a persona already used at the same target, or at another target of the
/// same property manager within `reuse_window_days` (a burnt cover ruins the shop) unless `force`;
/// then drafts the inquiry into the review queue.
#[allow(clippy::too_many_arguments)]
pub async fn start_shop(
    store: &Store,
    ai: &Ai,
    actor: &Actor,
    target: TargetId,
    persona: PersonaId,
    checklist: &[String],
    force: bool,
    reuse_window_days: u32,
) -> anyhow::Result<(Shop, MessageRow)> {
    // The checklist first: a typo is refused before anything else is looked at.
    let checklist: Vec<String> = if checklist.is_empty() {
        DEFAULT_CHECKLIST.iter().map(|s| s.to_string()).collect()
    } else {
        let mut fields: Vec<String> = Vec::new();
        for item in checklist.iter().filter(|i| !i.trim().is_empty()) {
            let f = crate::domain::community::checklist_field(item).map_err(anyhow::Error::msg)?;
            if !fields.iter().any(|x| x == f) {
                fields.push(f.to_string());
            }
        }
        fields
    };
    let t = store.target(target).await?;
    let p = store.persona(persona).await?;
    if t.deleted_at.is_some() {
        bail!("target {target} is deleted");
    }
    if p.deleted_at.is_some() {
        bail!("persona {persona} is retired");
    }
    if t.email.is_empty() {
        bail!(
            "target {target} has no email address to write to (target edit {target} --email ...)"
        );
    }
    if !force {
        let clash = store
            .persona_clash(persona, target, &t.property_manager, reuse_window_days)
            .await?;
        if let Some((shop, name)) = clash {
            bail!(
                "persona {persona} ({}) already shopped {name} (shop {shop}); the agent may know \
                 them. Use another persona, or --force",
                p.full_name()
            );
        }
    }
    let shop = store
        .create_shop(actor, target, persona, &checklist)
        .await?;
    let row = draft_inquiry(store, ai, actor, &shop, &p, &t, &checklist).await?;
    let shop = store.shop(shop.id).await?;
    Ok((shop, row))
}

/// Drafts a shop's inquiry (AI or offline) into the review queue.
pub async fn draft_inquiry(
    store: &Store,
    ai: &Ai,
    actor: &Actor,
    shop: &Shop,
    persona: &Persona,
    target: &Target,
    checklist: &[String],
) -> anyhow::Result<MessageRow> {
    let rejected = store.rejected_drafts(shop.id).await?;
    let draft = ai
        .draft(&DraftRequest {
            persona,
            target,
            shop_id: shop.id.0,
            kind: MessageKind::Inquiry,
            thread: &[],
            missing: checklist,
            instructions: None,
            reply_subject: None,
            noted: None,
            agent_name: None,
            attempt: 0,
            rejected: &rejected,
        })
        .await;
    let mut generation = serde_json::to_value(&draft.generation)?;
    generation["missing"] = serde_json::json!(checklist);
    Ok(store
        .insert_draft(
            actor,
            &NewDraft {
                shop_id: shop.id,
                kind: MessageKind::Inquiry,
                subject: draft.subject,
                body_text: draft.body,
                in_reply_to: None,
                reference_ids: Vec::new(),
                generation: Some(generation),
            },
        )
        .await?)
}

/// Approves a draft at the version the operator saw (or the current one). It waits
/// `undo_secs` before the outbox may send it; until then (and until the outbox takes it) it can
/// be recalled.
pub async fn approve(
    store: &Store,
    actor: &Actor,
    id: MessageId,
    version: Option<i32>,
    undo_secs: u64,
) -> anyhow::Result<()> {
    super::review::must_decide(actor, "drafts cannot be approved")?;
    let m = store.message(id).await?;
    store
        .approve_draft_with_undo(actor, id, version.unwrap_or(m.version), undo_secs)
        .await?;
    Ok(())
}

/// Rejects a draft with the operator's reason; it is never sent.
pub async fn reject(
    store: &Store,
    actor: &Actor,
    id: MessageId,
    reason: &str,
) -> anyhow::Result<()> {
    super::review::must_decide(actor, "drafts cannot be rejected")?;
    Ok(store
        .reject_draft(actor, id, reason, crate::domain::reaction::on_rejection)
        .await?)
}

/// Cancels a shop: nothing more of it is sent.
pub async fn cancel(store: &Store, actor: &Actor, id: ShopId, reason: &str) -> anyhow::Result<()> {
    Ok(store.cancel_shop(actor, id, reason).await?)
}

/// Takes an approved message back into the review queue, held by `actor` (see
/// [`Store::recall_message`] for when it is too late).
pub async fn recall(store: &Store, actor: &Actor, id: MessageId) -> anyhow::Result<()> {
    super::review::must_decide(actor, "approved messages cannot be recalled")?;
    Ok(store.recall_message(actor, id).await?)
}

/// Sends a failed message again (an operator's decision, audited): back in the outbox with
/// fresh attempts. Only a failed message can be retried.
pub async fn retry_send(store: &Store, actor: &Actor, id: MessageId) -> anyhow::Result<()> {
    super::review::must_decide(actor, "failed messages cannot be sent again")?;
    Ok(store.retry_failed(actor, id).await?)
}

/// An operator asks for the shop's next message now (after rejecting the planner's, or not to
/// wait): a follow-up for what is still missing when the agent has replied since our last
/// message, else a nudge. Drafted with the shop's rejections in mind (their reasons go to the
/// AI; no rejected text is offered again) into the review queue.
pub async fn draft_next(
    store: &Store,
    ai: &Ai,
    actor: &Actor,
    id: ShopId,
) -> anyhow::Result<MessageRow> {
    let st = store.plan_state(id).await?;
    if st.draft_pending {
        bail!(
            "shop {id} already has a message awaiting review or in the outbox, or a reply still \
             being read: handle that first"
        );
    }
    if !matches!(
        st.shop.status,
        ShopStatus::AwaitingReply | ShopStatus::Replied
    ) {
        bail!(
            "shop {id} is {}: only a shop waiting on the agent gets a new follow-up",
            st.shop.status.as_str()
        );
    }
    let replied = st
        .last_reply_at
        .is_some_and(|r| st.last_sent_at.is_none_or(|s| r >= s));
    let (kind, ask) = if replied {
        let ask: Vec<String> = missing(&st.shop.required_fields, &st.known)
            .into_iter()
            .take(MAX_ASKS_PER_FOLLOW_UP)
            .cloned()
            .collect();
        if ask.is_empty() {
            bail!("shop {id} has every checklist item: there is nothing to follow up on");
        }
        (MessageKind::FollowUp, ask)
    } else {
        (MessageKind::Nudge, Vec::new())
    };
    match draft_into_queue(store, ai, actor, id, kind, &ask).await? {
        Some(row) => Ok(row),
        None => bail!(
            "every {} text at hand was rejected on shop {id}: write this one yourself \
             (`draft new` drafts nothing)",
            kind.as_str()
        ),
    }
}

/// Drafts a shop's `kind` of message asking for `ask` (AI or offline, the shop's rejections in
/// mind) into the review queue, for the planner and for an operator alike. `None` when every
/// text at hand was rejected: nothing is stored, and an operator writes this one.
pub async fn draft_into_queue(
    store: &Store,
    ai: &Ai,
    actor: &Actor,
    id: ShopId,
    kind: MessageKind,
    ask: &[String],
) -> anyhow::Result<Option<MessageRow>> {
    let ctx = DraftContext::load(store, id).await?;
    let attempt = ctx.shop.follow_ups_sent as u32;
    let d = ai.draft(&ctx.request(kind, ask, None, attempt)).await;
    if repeats_rejected(&d.body, &ctx.rejected) {
        return Ok(None);
    }
    let mut generation = serde_json::to_value(&d.generation)?;
    // Kept so a regeneration asks for the same items.
    generation["missing"] = serde_json::json!(ask);
    generation["attempt"] = serde_json::json!(attempt);
    let draft = NewDraft {
        shop_id: id,
        kind,
        subject: d.subject,
        body_text: d.body,
        in_reply_to: ctx.in_reply_to.clone(),
        reference_ids: ctx.references.clone(),
        generation: Some(generation),
    };
    Ok(Some(store.insert_draft(actor, &draft).await?))
}

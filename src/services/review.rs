//! Reviewing a draft: open (claim), edit, regenerate with instructions, close (release). Approve
//! and reject live in `shops`; all of them refuse a draft another operator holds.

use anyhow::{Context as _, bail};
use serde_json::json;

use super::draft_context::DraftContext;
use crate::ai::Ai;
use crate::domain::ids::MessageId;
use crate::domain::message::{MessageKind, VersionHow};
use crate::store::{Actor, Change, MessageRow, Store};

/// Refuses, in words naming the login's role, unless it decides on drafts (an operator, a lead,
/// the schema owner): the worker drafts but never decides, a client only reads. The database
/// refuses an approval anyway (a trigger); this says why before it comes to that.
pub(crate) fn must_decide(actor: &Actor, what: &str) -> anyhow::Result<()> {
    if actor.role.decides_drafts() {
        Ok(())
    } else {
        bail!("{}", actor.role.refusal(&actor.name, what))
    }
}

/// Opens a draft for review; the operator holds it for a few minutes.
pub async fn open(store: &Store, actor: &Actor, id: MessageId) -> anyhow::Result<MessageRow> {
    Ok(store.claim_draft(actor, id).await?)
}

/// Closes a draft without deciding; others may take it at once.
pub async fn close(store: &Store, actor: &Actor, id: MessageId) -> anyhow::Result<()> {
    Ok(store.release_draft(actor, id).await?)
}

/// The operator's text replaces the draft's, if nobody changed it since `version`.
pub async fn edit(
    store: &Store,
    actor: &Actor,
    id: MessageId,
    version: i32,
    subject: &str,
    body: &str,
) -> anyhow::Result<MessageRow> {
    must_decide(actor, "drafts cannot be edited")?;
    Ok(store.edit_draft(actor, id, version, subject, body).await?)
}

/// Drafts the message again (AI or offline) following the operator's instructions, asking for the
/// same items as before; the new text replaces the old at `version`.
pub async fn regenerate(
    store: &Store,
    ai: &Ai,
    actor: &Actor,
    id: MessageId,
    version: Option<i32>,
    instructions: Option<&str>,
) -> anyhow::Result<MessageRow> {
    must_decide(actor, "drafts cannot be drafted again")?;
    let m = store.message(id).await?;
    let Some(shop) = m.shop_id else {
        bail!("message {id} belongs to no shop");
    };
    if m.direction != "outbound" || m.status.is_none_or(|s| s.as_str() != "pending_review") {
        bail!("message {id} is not a draft awaiting review");
    }
    // Claim first: regenerating a draft someone else is reading would pull it from under them.
    store.claim_draft(actor, id).await?;
    let ctx = DraftContext::load(store, shop).await?;
    let previous = m.generation.clone().unwrap_or_else(|| json!({}));
    let missing: Vec<String> = match previous.get("missing") {
        Some(v) => serde_json::from_value(v.clone()).context("the draft's recorded checklist")?,
        None if m.kind == MessageKind::Inquiry => ctx.shop.required_fields.clone(),
        None => Vec::new(),
    };
    let attempt = previous
        .get("attempt")
        .and_then(|a| a.as_u64())
        .unwrap_or(0) as u32
        + 1;
    let instructions = instructions.map(str::trim).filter(|s| !s.is_empty());
    let req = ctx.request(m.kind, &missing, instructions, attempt);
    // Once an operator has written in the draft, every regeneration starts from its text.
    let edited = store
        .draft_versions(id)
        .await?
        .iter()
        .any(|v| matches!(v.how, VersionHow::Edit | VersionHow::Restore));
    let d = if edited || instructions.is_some() {
        let subject = m.subject.clone();
        let current = m.body_text.clone();
        ai.revise(&req, &subject, &current).await?
    } else {
        ai.draft(&req).await
    };
    let how = if d.generation.model == "offline" {
        VersionHow::Offline
    } else {
        VersionHow::Ai
    };
    let mut generation = serde_json::to_value(&d.generation)?;
    generation["missing"] = json!(missing);
    generation["attempt"] = json!(attempt);
    Ok(store
        .regenerate_draft(
            actor,
            id,
            version.unwrap_or(m.version),
            &d.subject,
            &d.body,
            generation,
            Change {
                how,
                instructions,
                restored_from: None,
            },
        )
        .await?)
}

/// Brings an earlier version back as the draft's text (a new version).
pub async fn restore(
    store: &Store,
    actor: &Actor,
    id: MessageId,
    number: i32,
    version: Option<i32>,
) -> anyhow::Result<MessageRow> {
    must_decide(actor, "draft versions cannot be restored")?;
    let version = match version {
        Some(v) => v,
        None => store.message(id).await?.version,
    };
    Ok(store
        .restore_draft_version(actor, id, number, version)
        .await?)
}

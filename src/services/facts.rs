//! Reading replies into the fact sheet: each inbound reply analysed (by the model when one is
//! configured, else by the offline rules) and its facts merged into its shop's sheet. The reply
//! comes from the columns sync stored; it is parsed again only for messages stored before.

use crate::ai::Ai;
use crate::domain::ids::MessageId;
use crate::domain::message::ResponderKind;
use crate::domain::reply::Reply;
use crate::mail::parse::parse_mail;
use crate::store::Store;

/// Analyzes one stored inbound message and merges its facts into its shop's sheet.
pub async fn read_reply(store: &Store, ai: &Ai, id: MessageId) -> anyhow::Result<Vec<String>> {
    let m = store.message(id).await?;
    let reply = stored_reply(store, id).await?;
    let first = match m.shop_id {
        Some(shop) => {
            let s = store.shop(shop).await?;
            Some(store.persona(s.persona_id).await?.first_name)
        }
        None => None,
    };
    let a = ai.analyze(&reply, first.as_deref()).await;
    store
        .set_message_analysis(id, a.responder, &serde_json::to_value(&a)?)
        .await?;
    if let (Some(shop), false) = (m.shop_id, a.responder == ResponderKind::Auto) {
        store
            .apply_extraction(shop, Some(id), &a.extraction, &a.generation.model)
            .await?;
    }
    Ok(a.extraction.known_fields())
}

/// The reply as sync stored it; a message stored before sync kept it (or written another way)
/// is parsed from its raw bytes.
pub async fn stored_reply(store: &Store, id: MessageId) -> anyhow::Result<Reply> {
    if let Some(reply) = store.message_reply(id).await? {
        return Ok(reply);
    }
    let raw = store.message_raw(id).await?.unwrap_or_default();
    Ok(Reply::from(&parse_mail(&raw)))
}

//! Inbound mail an operator handles by hand: assigning a message no shop matched, marking
//! messages read.

use crate::domain::ids::{MessageId, ShopId};
use crate::store::{Actor, Store};

/// Assigns an unmatched message to a shop; it is then read as the agent's reply.
pub async fn assign(
    store: &Store,
    actor: &Actor,
    message: MessageId,
    shop: ShopId,
) -> anyhow::Result<()> {
    let reaction = crate::domain::reaction::on_assignment();
    Ok(store
        .assign_message(actor, message, shop, &reaction)
        .await?)
}

/// Marks messages read.
pub async fn mark_read(store: &Store, _actor: &Actor, ids: &[MessageId]) -> anyhow::Result<()> {
    Ok(store.mark_read(ids).await?)
}

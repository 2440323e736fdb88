//! Clients: the use cases the CLI and the TUI share (add, find by name or id, edit, delete).

use anyhow::anyhow;

use crate::domain::FieldError;
use crate::domain::client::{Client, ClientInput};
use crate::domain::ids::{ClientId, TargetId};
use crate::store::{Actor, Store};

/// What an edit changes; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ClientChange {
    pub name: Option<String>,
    pub contact: Option<String>,
    pub notes: Option<String>,
}

fn invalid(errors: Vec<FieldError>) -> anyhow::Error {
    let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
    anyhow!("invalid client:\n{}", lines.join("\n"))
}

pub async fn add_client(
    store: &Store,
    actor: &Actor,
    input: ClientInput,
) -> anyhow::Result<Client> {
    let input = input.validated().map_err(invalid)?;
    Ok(store.insert_client(actor, &input).await?)
}

/// Clients by name, with their number of live targets; deleted ones too when asked.
pub async fn list_clients(store: &Store, include_deleted: bool) -> anyhow::Result<Vec<Client>> {
    Ok(store.list_clients(include_deleted).await?)
}

/// A client by id (`12`, `#12`) or by name (any case); deleted ones only by id.
pub async fn find_client(store: &Store, key: &str) -> anyhow::Result<Client> {
    match key.parse::<ClientId>() {
        Ok(id) => Ok(store.client(id).await?),
        Err(_) => store
            .client_by_name(key)
            .await
            .map_err(|e| anyhow!("{e}; `secret-shop client list` shows the clients")),
    }
}

/// The id of the live client `name` (or id) refers to, for filters.
pub async fn client_id(store: &Store, key: &str) -> anyhow::Result<ClientId> {
    let c = find_client(store, key).await?;
    if c.deleted_at.is_some() {
        return Err(anyhow!("client {} ({}) is deleted", c.id, c.name));
    }
    Ok(c.id)
}

/// Applies `change` to the client `key` names, refusing if it changed since `version`.
pub async fn edit_client(
    store: &Store,
    actor: &Actor,
    key: &str,
    change: ClientChange,
    version: Option<i32>,
) -> anyhow::Result<Client> {
    let current = find_client(store, key).await?;
    if current.deleted_at.is_some() {
        return Err(anyhow!(
            "client {} ({}) is deleted",
            current.id,
            current.name
        ));
    }
    let mut input = ClientInput::from(&current);
    if let Some(v) = change.name {
        input.name = v;
    }
    if let Some(v) = change.contact {
        input.contact = v;
    }
    if let Some(v) = change.notes {
        input.notes = v;
    }
    let input = input.validated().map_err(invalid)?;
    Ok(store
        .update_client(actor, current.id, version, &input)
        .await?)
}

/// Deletes a client. One with live targets is refused unless `detach`: then they lose their
/// client (and say "no client") but keep everything else. Returns the detached targets.
pub async fn delete_client(
    store: &Store,
    actor: &Actor,
    id: ClientId,
    detach: bool,
) -> anyhow::Result<Vec<TargetId>> {
    Ok(store.delete_client(actor, id, detach).await?)
}

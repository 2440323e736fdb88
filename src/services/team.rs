//! The team: logins and their roles, managed by a lead (or the schema owner). Anyone else is told
//! in words before the database refuses anyway.

use anyhow::bail;
use secrecy::SecretString;

use crate::domain::role::Role;
use crate::store::{Actor, LoginRow, Store};

/// Refuses, naming the acting login's role, unless it is a lead or the schema owner.
async fn must_lead(store: &Store) -> anyhow::Result<()> {
    let me = store.whoami().await?;
    match me.role() {
        Role::Owner | Role::Lead => Ok(()),
        role => bail!(
            "{}",
            role.refusal(&me.login, "only a lead manages operators")
        ),
    }
}

/// Adds a login in `role`'s group; a client's is tied to `client` (by name).
pub async fn add(
    store: &Store,
    actor: &Actor,
    name: &str,
    role: &str,
    password: Option<&SecretString>,
    client: Option<&str>,
) -> anyhow::Result<()> {
    must_lead(store).await?;
    let client = match client {
        Some(c) => Some(store.client_by_name(c).await?.id),
        None => None,
    };
    Ok(store
        .create_login(actor, name, role, password, client)
        .await?)
}

/// Moves a login to `role`; a client's login is tied to `client` (by name).
pub async fn set_role(
    store: &Store,
    actor: &Actor,
    name: &str,
    role: &str,
    client: Option<&str>,
) -> anyhow::Result<()> {
    must_lead(store).await?;
    let client = match client {
        Some(c) => Some(store.client_by_name(c).await?.id),
        None => None,
    };
    Ok(store.set_login_role(actor, name, role, client).await?)
}

pub async fn disable(store: &Store, actor: &Actor, name: &str) -> anyhow::Result<()> {
    must_lead(store).await?;
    Ok(store.disable_login(actor, name).await?)
}

pub async fn list(store: &Store) -> anyhow::Result<Vec<LoginRow>> {
    Ok(store.list_logins().await?)
}

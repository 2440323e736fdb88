//! Who is acting: the database's answer. A login that is not the schema owner acts as itself
//! (`session_user`); `operator.name` may only repeat that name. The schema owner (a single-login
//! set-up, the demo, the tests) names the operator with `operator.name`.

use anyhow::bail;

use crate::config::OperatorConfig;
use crate::domain::role::Role;
use crate::store::{Actor, Store, Whoami};

/// The operator the worker's background work acts as (the scheduler's drafts and rejections).
pub async fn system(store: &Store) -> crate::store::Result<Actor> {
    store.actor(crate::store::SYSTEM).await
}

pub async fn acting_operator(store: &Store, operator: &OperatorConfig) -> anyhow::Result<Actor> {
    act_as(store, operator, &store.whoami().await?).await
}

/// Who a login is and what it may do, for a view that also serves readers: a client's login is
/// itself (it reads its portfolio), everyone else as [`act_as`].
pub async fn signed_in(
    store: &Store,
    operator: &OperatorConfig,
    me: &Whoami,
) -> anyhow::Result<(Actor, Role)> {
    let role = me.role();
    let actor = if role == Role::Client {
        store.session_actor().await?
    } else {
        act_as(store, operator, me).await?
    };
    Ok((actor, role))
}

/// [`acting_operator`] for a login already asked who it is.
pub async fn act_as(
    store: &Store,
    operator: &OperatorConfig,
    me: &Whoami,
) -> anyhow::Result<Actor> {
    if me.schema_owner || me.superuser {
        return Ok(store.actor(&operator.name).await?);
    }
    let acts = [
        "secret_shop_lead",
        "secret_shop_operator",
        "secret_shop_worker",
    ];
    if !me.groups.iter().any(|g| acts.contains(&g.as_str())) {
        let what = if me.groups.iter().any(|g| g == "secret_shop_client") {
            "a client: it reads its portfolio and acts on nothing"
        } else {
            "in no operator group (secret_shop_lead, _operator or _worker): ask a lead to add it"
        };
        bail!("{} is {what}", me.login);
    }
    if operator.named && operator.name != me.login {
        bail!(
            "operator.name says {} but you are logged in to the database as {}: the login is \
             who you are (remove SECRET_SHOP_OPERATOR / operator.name, or log in as {})",
            operator.name,
            me.login,
            operator.name
        );
    }
    Ok(store.session_actor().await?)
}

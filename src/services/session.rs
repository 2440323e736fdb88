//! Connect-time things a UI asks of the database before and besides any use case: who the login
//! is, whether the database answers, the change feed, and the schema's migrations. They return
//! the store's own error so a caller can tell a database that is down from one that refuses.

use crate::store::{Listener, Result, Store, Whoami};

/// Who the connected login is: its name, groups, and whether it owns the schema.
pub async fn whoami(store: &Store) -> Result<Whoami> {
    store.whoami().await
}

/// One round trip: the database answers, or the error says why not.
pub async fn ping(store: &Store) -> Result<()> {
    store.ping().await
}

/// The change feed: NOTIFY payloads from every process writing to the database.
pub async fn listen(store: &Store) -> Result<Listener> {
    store.listen().await
}

/// Brings the schema to this binary's when the login may migrate; otherwise, with migrations
/// pending, says who must run `secret-shop migrate`.
pub async fn ensure_schema(store: &Store) -> Result<()> {
    store.ensure_schema().await
}

/// Applies pending migrations (the schema owner only).
pub async fn migrate(store: &Store) -> Result<()> {
    store.migrate_as_owner().await
}

/// Migrations applied, and migrations this binary knows.
pub async fn migration_status(store: &Store) -> Result<(usize, usize)> {
    store.migration_status().await
}

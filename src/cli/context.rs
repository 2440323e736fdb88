//! What every command needs: the loaded config, and on demand a migrated store and the actor.

use std::time::Duration;

use anyhow::anyhow;

use crate::config::{Config, redacted_url};
use crate::store::{Actor, Store, StoreError};
use secrecy::{ExposeSecret, SecretString};

pub struct Ctx {
    pub config: Config,
}

/// Said whenever no database is configured or it cannot be reached.
pub const DATABASE_HINT: &str = "set DATABASE_URL (or [database] url in config.toml); \
     for a local one run `eval \"$(scripts/services start)\"`, or use scripts/run which does it for you";

impl Ctx {
    /// Connects and applies pending migrations.
    pub async fn store(&self) -> anyhow::Result<Store> {
        let url = self.database_url()?;
        self.open_store(url)
            .await
            .map_err(|e| self.explain_store_error(e))
    }

    /// Connects without touching the schema (for `migrate`, which checks who may).
    pub async fn store_unchecked(&self) -> anyhow::Result<Store> {
        let url = self.database_url()?;
        let db = &self.config.database;
        Store::connect(
            url,
            db.max_connections,
            Duration::from_secs(db.connect_timeout_secs),
        )
        .await
        .map_err(|e| self.explain_store_error(e))
    }

    /// The configured database URL, or an error saying how to set one.
    pub(super) fn database_url(&self) -> anyhow::Result<&SecretString> {
        self.config
            .database_url()
            .ok_or_else(|| anyhow!("no database configured: {DATABASE_HINT}"))
    }

    /// Connects and migrates, keeping the store's error so a caller can tell a database that is
    /// down (worth waiting for) from one that refuses us.
    pub(super) async fn open_store(&self, url: &SecretString) -> Result<Store, StoreError> {
        let db = &self.config.database;
        let store = Store::connect(
            url,
            db.max_connections,
            Duration::from_secs(db.connect_timeout_secs),
        )
        .await?;
        crate::services::session::ensure_schema(&store).await?;
        Ok(store)
    }

    /// An [`open_store`](Self::open_store) error, worded for the operator.
    pub(super) fn explain_store_error(&self, e: StoreError) -> anyhow::Error {
        let shown = self
            .config
            .database_url()
            .map_or_else(String::new, |u| redacted_url(u.expose_secret()));
        match e {
            StoreError::Migrate(_) => anyhow::Error::new(e).context("applying database migrations"),
            StoreError::Schema(why) => anyhow!("{why}"),
            StoreError::Unavailable(_) => {
                anyhow!("cannot reach the database at {shown}: {e}\n  hint: {DATABASE_HINT}")
            }
            e => anyhow!("the database at {shown} refused us: {e}\n  hint: {DATABASE_HINT}"),
        }
    }

    /// The operator this run acts as (asks the database who the login is).
    pub async fn acting_operator(&self, store: &Store) -> anyhow::Result<Actor> {
        crate::services::identity::acting_operator(store, &self.config.operator).await
    }
}

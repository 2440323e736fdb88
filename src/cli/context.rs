//! What every command needs: the loaded config, and on demand a migrated store and the actor.

use std::time::Duration;

use anyhow::{Context as _, anyhow};

use crate::config::{Config, redacted_url};
use crate::store::{Actor, Store};
use secrecy::ExposeSecret;

pub struct Ctx {
    pub config: Config,
}

/// Said whenever no database is configured or it cannot be reached.
pub const DATABASE_HINT: &str = "set DATABASE_URL (or [database] url in config.toml); \
     for a local one run `eval \"$(scripts/services start)\"`, or use scripts/run which does it for you";

impl Ctx {
    /// Connects and applies pending migrations.
    pub async fn store(&self) -> anyhow::Result<Store> {
        let url = self
            .config
            .database_url()
            .ok_or_else(|| anyhow!("no database configured: {DATABASE_HINT}"))?;
        let db = &self.config.database;
        let store = Store::connect(
            url,
            db.max_connections,
            Duration::from_secs(db.connect_timeout_secs),
        )
        .await
        .map_err(|e| {
            anyhow!(
                "cannot reach the database at {}: {e}\n  hint: {DATABASE_HINT}",
                redacted_url(url.expose_secret())
            )
        })?;
        store
            .migrate()
            .await
            .context("applying database migrations")?;
        Ok(store)
    }

    pub async fn actor(&self, store: &Store) -> anyhow::Result<Actor> {
        Ok(store.actor(&self.config.operator.name).await?)
    }
}

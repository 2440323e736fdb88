//! Postgres through sqlx: the pool, migrations at start, one module per table group.
//! Queries are runtime-checked (`query_as(..).bind(..)`) so building never needs a database.
//! No business decisions here, and never SQL built from values.

mod audit;
mod clients;
mod demo_history;
mod draft_versions;
mod error;
mod facts;
mod grades;
mod jobs;
mod leases;
mod mailboxes;
mod messages;
mod operators;
mod overrides;
mod personas;
mod reports;
mod shops;
mod targets;
mod templates;
mod views;
mod websites;

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sqlx::migrate::MigrateError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

pub use audit::{AuditEntry, AuditFilter, EntityType, SYSTEM};
pub use demo_history::PastMessage;
pub use draft_versions::{Change, DraftVersion};
pub use error::StoreError;
pub use facts::FactRow;
pub use jobs::Job;
pub use leases::{LeaseGrant, LeaseHolder};
pub use mailboxes::{FolderState, Mailbox};
pub use messages::{
    CLAIM_MINUTES, EVENTS_CHANNEL, InboundBatch, InboundMessage, IngestOutcome, MessageRow,
    NewDraft, OutboundJob, SentCopy, SmtpOutcome,
};
pub use overrides::{GradeDecision, Regraded};
pub use personas::PersonaFilter;
pub use reports::{
    Dashboard, DayCount, GradeRecord, PortfolioFilter, PortfolioRow, ScoreBucket, StateCount,
    WebsiteRecord,
};
pub use shops::PlanState;
pub use targets::TargetFilter;
pub use views::{InboxFilter, InboxRow, ShopRow, SyncState};
pub use websites::{CrawlDetails, SkippedPage, SnapshotPage, WebsiteSnapshot};

use crate::domain::ids::OperatorId;

pub type Result<T> = std::result::Result<T, StoreError>;

/// This process's sessions carry this application_name: a lease whose holder has no session
/// left belongs to a process that is gone (see `leases`).
pub fn process_tag() -> &'static str {
    static TAG: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "secret-shop/{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        )
    });
    &TAG
}

/// Why a first connection failed. A server that answered and refused (wrong password, no such
/// database, a bad option) is not unavailable: waiting would not help. Anything else is.
fn connect_error(e: sqlx::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Other(e)
            if e.as_database_error().is_some() || matches!(e, sqlx::Error::Configuration(_)) =>
        {
            StoreError::Other(e)
        }
        StoreError::Other(e) => StoreError::Unavailable(e.to_string()),
        other => other,
    }
}

/// The migrations compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Who does a write: every change that matters is audited with this name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: OperatorId,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: PgPool,
}

impl Store {
    /// Connects (failing fast, with the server's own reason, when it is down); does not migrate.
    pub async fn connect(
        url: &SecretString,
        max_connections: u32,
        timeout: Duration,
    ) -> Result<Store> {
        let options: PgConnectOptions = url
            .expose_secret()
            .parse()
            .map_err(|e: sqlx::Error| StoreError::Invalid(format!("bad database URL: {e}")))?;
        // A process stopped mid-transaction (SIGSTOP, a suspended laptop) must not keep its row
        // locks: the server ends such a transaction after this long. As short as the leases
        // (4 s), so a frozen syncer blocks the one that takes over no longer than its lease
        // does; our transactions only ever wait on the database, never on IMAP, SMTP or an AI.
        let options = options
            .options([("idle_in_transaction_session_timeout", "4s")])
            .application_name(process_tag());
        // One direct connection first: a pool would retry until its timeout and then report
        // only "timed out", hiding "connection refused" or "password authentication failed".
        match tokio::time::timeout(timeout, PgConnection::connect_with(&options)).await {
            Err(_) => {
                return Err(StoreError::Unavailable(format!(
                    "no answer within {} s",
                    timeout.as_secs()
                )));
            }
            Ok(Err(e)) => return Err(connect_error(e)),
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
            }
        }
        // One session stays open, so the leases this process holds can tell it is alive.
        let pool = PgPoolOptions::new()
            .min_connections(1)
            .max_connections(max_connections)
            .acquire_timeout(timeout)
            .connect_lazy_with(options);
        Ok(Store { pool })
    }

    pub fn from_pool(pool: PgPool) -> Store {
        Store { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies pending migrations; harmless when there are none.
    pub async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await.map_err(|e| match e {
            // The server went away mid-way: unavailable like any query (each migration is one
            // transaction, so running them again later is safe), not a broken migration.
            MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _)
                if error::is_unavailable(&e) =>
            {
                StoreError::Unavailable(e.to_string())
            }
            e => StoreError::Migrate(e),
        })
    }

    /// (applied, known) migration counts, for `doctor`.
    pub async fn migration_status(&self) -> Result<(usize, usize)> {
        let applied: i64 =
            sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await
                .or_else(|e| match &e {
                    // relation does not exist: nothing applied yet
                    sqlx::Error::Database(db) if db.code().as_deref() == Some("42P01") => Ok(0),
                    _ => Err(e),
                })?;
        Ok((applied as usize, MIGRATOR.iter().count()))
    }
}

/// The change notifications (`NOTIFY` on [`EVENTS_CHANNEL`]) on a connection of their own.
pub struct Listener(sqlx::postgres::PgListener);

impl Listener {
    /// The next notification's payload; `None` when the connection dropped.
    pub async fn next(&mut self) -> Option<String> {
        match self.0.try_recv().await {
            Ok(Some(n)) => Some(n.payload().to_string()),
            Ok(None) | Err(_) => None,
        }
    }
}

impl Store {
    /// Listens for changes other processes announce (see [`EVENTS_CHANNEL`]).
    pub async fn listen(&self) -> Result<Listener> {
        let mut l = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        l.listen(EVENTS_CHANNEL).await?;
        Ok(Listener(l))
    }

    /// One round trip to the database: is it there?
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

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
mod logins;
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
pub use logins::{GROUPS, LoginRow, group_of};
pub use mailboxes::{FolderState, Mailbox};
pub use messages::{
    CLAIM_MINUTES, EVENTS_CHANNEL, InboundBatch, InboundMessage, IngestOutcome, MessageRow,
    NewDraft, OutboundJob, SentCopy, SmtpOutcome,
};
pub use overrides::{GradeDecision, Regraded};
pub use personas::{PersonaFilter, Shopper};
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
    /// What the connected login may do (its group): the services refuse in words what it may
    /// not, before the database would.
    pub role: crate::domain::role::Role,
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

    /// Brings the schema to this binary's: migrates when the connected role may (the schema
    /// owner: the database's owner, or a superuser); otherwise, with migrations pending, says
    /// plainly who must run `secret-shop migrate` instead of failing on a DDL statement.
    pub async fn ensure_schema(&self) -> Result<()> {
        let s = self.schema_state().await?;
        if s.pending == 0 {
            if s.unknown > 0 {
                tracing::warn!(
                    unknown = s.unknown,
                    "the database has migrations this binary does not know: update secret-shop"
                );
            }
            return Ok(());
        }
        if s.may_migrate {
            return self.migrate().await;
        }
        Err(StoreError::Schema(format!(
            "the database is at migration {} of {} this secret-shop needs; {} cannot change the \
             schema: ask the schema owner ({}) to run `secret-shop migrate`",
            s.applied, s.known, s.role, s.owner
        )))
    }

    /// `secret-shop migrate`: only the schema owner may.
    pub async fn migrate_as_owner(&self) -> Result<()> {
        let s = self.schema_state().await?;
        if !s.may_migrate {
            return Err(StoreError::Schema(format!(
                "only the schema owner ({}) runs migrations; you are connected as {}",
                s.owner, s.role
            )));
        }
        self.migrate().await
    }

    async fn schema_state(&self) -> Result<SchemaState> {
        let (role, owner, may_migrate): (String, String, bool) = sqlx::query_as(
            "SELECT current_user::text, pg_get_userbyid(d.datdba)::text,
                    pg_has_role(current_user, d.datdba, 'MEMBER') OR r.rolsuper
             FROM pg_database d JOIN pg_roles r ON r.rolname = current_user
             WHERE d.datname = current_database()",
        )
        .fetch_one(&self.pool)
        .await?;
        let applied: Vec<i64> =
            match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await
            {
                Ok(v) => v,
                Err(sqlx::Error::Database(db)) => match db.code().as_deref() {
                    // relation does not exist: nothing applied yet
                    Some("42P01") => Vec::new(),
                    Some("42501") => {
                        return Err(StoreError::Schema(format!(
                            "{role} may not read the schema's version (_sqlx_migrations): ask \
                             the schema owner ({owner}) to grant your role its privileges"
                        )));
                    }
                    _ => return Err(sqlx::Error::Database(db).into()),
                },
                Err(e) => return Err(e.into()),
            };
        let known: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
        Ok(SchemaState {
            pending: known.iter().filter(|v| !applied.contains(v)).count(),
            unknown: applied.iter().filter(|v| !known.contains(v)).count(),
            applied: applied.len(),
            known: known.len(),
            role,
            owner,
            may_migrate,
        })
    }

    /// (applied, known) migration counts, for `doctor`.
    pub async fn migration_status(&self) -> Result<(usize, usize)> {
        let s = self.schema_state().await?;
        Ok((s.applied, s.known))
    }
}

/// Who the database says this connection is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Whoami {
    /// `session_user`: the login role.
    pub login: String,
    pub superuser: bool,
    pub schema_owner: bool,
    /// The roles the login is a member of (group roles such as an operator's).
    pub groups: Vec<String>,
}

impl Whoami {
    pub fn role(&self) -> crate::domain::role::Role {
        crate::domain::role::Role::of_login(self.superuser, self.schema_owner, &self.groups)
    }
}

impl Store {
    pub async fn whoami(&self) -> Result<Whoami> {
        Ok(sqlx::query_as(
            "SELECT session_user::text AS login, r.rolsuper AS superuser,
                    pg_get_userbyid(d.datdba) = session_user AS schema_owner,
                    ARRAY(SELECT g.rolname::text FROM pg_auth_members m
                          JOIN pg_roles g ON g.oid = m.roleid
                          WHERE m.member = r.oid ORDER BY 1) AS groups
             FROM pg_roles r, pg_database d
             WHERE r.rolname = session_user AND d.datname = current_database()",
        )
        .fetch_one(&self.pool)
        .await?)
    }
}

/// Where the schema stands against this binary, and whether the connected role may move it.
struct SchemaState {
    pending: usize,
    unknown: usize,
    applied: usize,
    known: usize,
    role: String,
    owner: String,
    may_migrate: bool,
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

//! Typed store errors: what a caller can act on (not found, lost a race, database gone).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// An optimistic update lost: someone else changed the row first.
    #[error("{entity} {id} was changed by someone else; reload and try again")]
    Conflict { entity: &'static str, id: String },
    /// Another operator holds the claim on this draft; it is read-only to everyone else.
    #[error(
        "{entity} {id} is being reviewed by {by} until {until}; it is read-only to you until then"
    )]
    Held {
        entity: &'static str,
        id: String,
        by: String,
        until: String,
    },
    /// Refused, for the reason given (e.g. too late to recall a message that went).
    #[error("{0}")]
    Refused(String),
    #[error("already exists: {0}")]
    Duplicate(String),
    #[error("rejected by the database: {0}")]
    Invalid(String),
    /// The database cannot be reached; callers show it and retry with backoff.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A lease this process held was taken over (it stopped, or lost the database, too long).
    #[error("lost the lease {0} to another process")]
    LeaseLost(String),
    /// The schema is behind this binary and the connected role may not migrate it (or it is
    /// ahead: an older binary). Worded for the operator.
    #[error("{0}")]
    Schema(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Other(sqlx::Error),
}

impl StoreError {
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// The server is down, starting up, full or cut off: the same request may work later.
pub(super) fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        // admin shutdown, starting up (cannot connect now), connection failures, too many connections
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("57P") || c.starts_with("08") || c == "53300"),
        _ => false,
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_unavailable(&e) {
            return StoreError::Unavailable(e.to_string());
        }
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound {
                entity: "row",
                id: String::new(),
            },
            sqlx::Error::Database(db) => match db.code().as_deref() {
                Some("23505") => StoreError::Duplicate(describe(db.as_ref())),
                Some("23514") | Some("23502") | Some("23503") | Some("22P02") | Some("22001") => {
                    StoreError::Invalid(describe(db.as_ref()))
                }
                // The login's role does not allow it (a grant missing, or a trigger's refusal
                // that names the login itself): said as a refusal, not a database failure.
                Some("42501") => StoreError::Refused(refusal(db.message())),
                _ => StoreError::Other(e),
            },
            _ => StoreError::Other(e),
        }
    }
}

/// "permission denied for table messages" → what it means for the operator.
fn refusal(message: &str) -> String {
    match message.strip_prefix("permission denied for ") {
        Some(what) => {
            format!("your login's role may not do this (the database refused access to the {what})")
        }
        None => message.to_string(),
    }
}

fn describe(db: &dyn sqlx::error::DatabaseError) -> String {
    match db.constraint() {
        Some(c) => format!("{} (constraint {c})", db.message()),
        None => db.message().to_string(),
    }
}

//! Leases: "exactly one process does this" (sync a mailbox, run the scheduler) without session
//! locks. A holder renews its lease while it works; one that stops making progress (killed,
//! stopped with SIGSTOP, a suspended laptop) loses it when it expires and another process takes
//! over; one whose process is gone (none of its sessions is left: killed, crashed) loses it at
//! once. Expiry uses the database's clock.

use std::time::Duration;

use uuid::Uuid;

use super::{Result, Store};

/// A lease this process acquired; `token` proves it is still ours.
#[derive(Debug, Clone)]
pub struct LeaseGrant {
    pub name: String,
    pub token: Uuid,
}

/// Who holds a lease, for the status bar and tests.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LeaseHolder {
    pub holder: String,
    pub live: bool,
}

fn interval(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::seconds(10))
}

impl Store {
    /// Takes the lease `name` for `ttl` if it is free or expired; `None` while someone else holds it.
    pub async fn try_acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<LeaseGrant>> {
        let token = Uuid::new_v4();
        let got: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO leases (name, holder, holder_app, token, expires_at)
             VALUES ($1, $2, current_setting('application_name'), $3, now() + $4)
             ON CONFLICT (name) DO UPDATE
                 SET holder = EXCLUDED.holder, holder_app = EXCLUDED.holder_app,
                     token = EXCLUDED.token, acquired_at = now(), renewed_at = now(),
                     expires_at = EXCLUDED.expires_at
                 WHERE leases.expires_at < now()
                    OR (leases.holder_app <> ''
                        AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                                        WHERE a.application_name = leases.holder_app))
             RETURNING token",
        )
        .bind(name)
        .bind(holder)
        .bind(token)
        .bind(interval(ttl))
        .fetch_optional(&self.pool)
        .await?;
        Ok(got.map(|token| LeaseGrant {
            name: name.to_string(),
            token,
        }))
    }

    /// Extends a lease we hold; `false` when it is no longer ours (it expired and was taken).
    pub async fn renew_lease(&self, grant: &LeaseGrant, ttl: Duration) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE leases SET expires_at = now() + $3, renewed_at = now()
             WHERE name = $1 AND token = $2 AND expires_at > now()",
        )
        .bind(&grant.name)
        .bind(grant.token)
        .bind(interval(ttl))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Gives a lease back so another process need not wait for it to expire.
    pub async fn release_lease(&self, grant: &LeaseGrant) -> Result<()> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND token = $2")
            .bind(&grant.name)
            .bind(grant.token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Who holds `name`, if anyone ever did.
    pub async fn lease_holder(&self, name: &str) -> Result<Option<LeaseHolder>> {
        Ok(
            sqlx::query_as("SELECT holder, expires_at > now() AS live FROM leases WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

/// Is `grant` still live? Checked inside a writer's transaction, so a holder that lost its lease
/// while stopped does not write as if it still held it.
pub(crate) async fn lease_is_live(
    conn: &mut sqlx::PgConnection,
    grant: &LeaseGrant,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM leases WHERE name = $1 AND token = $2 AND expires_at > now())",
    )
    .bind(&grant.name)
    .bind(grant.token)
    .fetch_one(conn)
    .await?)
}

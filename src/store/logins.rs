//! Logins and their group roles: the people who may act, as Postgres knows them. Managing them
//! is a lead's business: the statements are role DDL, which needs CREATEROLE (the database
//! refuses everyone else). Each change is audited in its transaction.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::json;

use super::audit::{EntityType, record};
use super::{Actor, Result, Store, StoreError};
use crate::domain::ids::ClientId;

/// (the role's name in the product, its Postgres group role).
pub const GROUPS: [(&str, &str); 4] = [
    ("lead", "secret_shop_lead"),
    ("operator", "secret_shop_operator"),
    ("worker", "secret_shop_worker"),
    ("client", "secret_shop_client"),
];

/// The Postgres group of a product role ("operator" → secret_shop_operator).
pub fn group_of(role: &str) -> Option<&'static str> {
    GROUPS.iter().find(|(r, _)| *r == role).map(|(_, g)| *g)
}

/// One login in a product group.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct LoginRow {
    pub name: String,
    /// lead, operator, worker or client.
    pub role: String,
    pub can_login: bool,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// A login's name: a plain lowercase identifier, not one of the product's own roles.
fn check_name(name: &str) -> Result<()> {
    let ok = name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with("secret_shop_")
        && !name.starts_with("pg_")
        && name != "system";
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "`{name}` is not a login name: lowercase letters, digits and _, starting with a \
             letter (and not system, pg_… or secret_shop_…)"
        )))
    }
}

fn group(role: &str) -> Result<&'static str> {
    group_of(role).ok_or_else(|| {
        StoreError::Invalid(format!(
            "`{role}` is not a role: lead, operator, worker or client"
        ))
    })
}

impl Store {
    /// Every login in one of the product's groups, by name.
    pub async fn list_logins(&self) -> Result<Vec<LoginRow>> {
        Ok(sqlx::query_as(
            "SELECT r.rolname::text AS name,
                    replace(g.rolname::text, 'secret_shop_', '') AS role,
                    r.rolcanlogin AS can_login, o.last_seen_at
             FROM pg_roles r
             JOIN pg_auth_members m ON m.member = r.oid
             JOIN pg_roles g ON g.oid = m.roleid
             LEFT JOIN operators o ON o.name = r.rolname
             WHERE g.rolname IN ('secret_shop_lead', 'secret_shop_operator',
                                 'secret_shop_worker', 'secret_shop_client')
               AND r.rolname NOT LIKE 'secret_shop_%'
             ORDER BY r.rolname, g.rolname",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// A new login in `role`'s group (a lead may also create roles: CREATEROLE); with a
    /// password for SCRAM logins, without one for peer authentication over the socket.
    pub async fn create_login(
        &self,
        actor: &Actor,
        name: &str,
        role: &str,
        password: Option<&SecretString>,
        client: Option<ClientId>,
    ) -> Result<()> {
        check_name(name)?;
        let group = group(role)?;
        if (role == "client") != client.is_some() {
            return Err(StoreError::Invalid(
                "a client login needs its client (--client NAME), and only a client login has one"
                    .into(),
            ));
        }
        let mut tx = self.pool.begin().await?;
        let password = password.map(|p| p.expose_secret().to_string());
        role_ddl(
            &mut tx,
            name,
            "SELECT format('CREATE ROLE %I LOGIN %s IN ROLE %I', $1::text,
                           CASE WHEN $3::text IS NULL THEN '' ELSE format('PASSWORD %L', $3) END,
                           $2::text)
                    || CASE WHEN $2 = 'secret_shop_lead' THEN ' CREATEROLE' ELSE '' END",
            &[Some(name), Some(group), password.as_deref()],
        )
        .await?;
        // Its operators row now: a client's ties it to the rows it may read.
        sqlx::query(
            "INSERT INTO operators (name, client_id) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET client_id = EXCLUDED.client_id",
        )
        .bind(name)
        .bind(client)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "add_login",
            EntityType::Operator,
            None,
            json!({ "summary": format!("added {name} as {role}"),
                    "after": { "login": name, "role": role, "password": password.is_some(),
                               "client_id": client } }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a login to `role`'s group (out of the product's other groups).
    /// Moves a login to `role`; a client's login is tied to `client` (kept when `None` and it
    /// was a client's already), anyone else's to none.
    pub async fn set_login_role(
        &self,
        actor: &Actor,
        name: &str,
        role: &str,
        client: Option<ClientId>,
    ) -> Result<()> {
        check_name(name)?;
        let group = group(role)?;
        if role != "client" && client.is_some() {
            return Err(StoreError::Invalid(
                "only a client login has a client (--client)".into(),
            ));
        }
        let before: Vec<String> = self
            .list_logins()
            .await?
            .into_iter()
            .filter(|l| l.name == name)
            .map(|l| l.role)
            .collect();
        if before.is_empty() {
            return Err(StoreError::not_found("login", name));
        }
        let mut tx = self.pool.begin().await?;
        for (_, other) in GROUPS.iter().filter(|(_, g)| *g != group) {
            role_ddl(
                &mut tx,
                name,
                "SELECT format('REVOKE %I FROM %I', $1::text, $2::text)",
                &[Some(other), Some(name)],
            )
            .await?;
        }
        role_ddl(
            &mut tx,
            name,
            "SELECT format('GRANT %I TO %I', $1::text, $2::text)
                    || CASE WHEN $1 = 'secret_shop_lead' THEN format('; ALTER ROLE %I CREATEROLE', $2)
                            ELSE format('; ALTER ROLE %I NOCREATEROLE', $2) END",
            &[Some(group), Some(name)],
        )
        .await?;
        // A client's rows are those of its client; staff read every row.
        let tied: Option<ClientId> = sqlx::query_scalar(
            "INSERT INTO operators (name, client_id) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE
                 SET client_id = CASE WHEN $3 THEN coalesce($2, operators.client_id) END
             RETURNING client_id",
        )
        .bind(name)
        .bind(client)
        .bind(role == "client")
        .fetch_one(&mut *tx)
        .await?;
        if role == "client" && tied.is_none() {
            return Err(StoreError::Invalid(
                "a client login needs its client: add --client NAME".into(),
            ));
        }
        record(
            &mut tx,
            actor,
            "set_role",
            EntityType::Operator,
            None,
            json!({ "summary": format!("{name} is now {role}"),
                    "before": { "login": name, "role": before.join(", ") },
                    "after": { "login": name, "role": role } }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops a login from logging in (its history stays, signed with its name).
    pub async fn disable_login(&self, actor: &Actor, name: &str) -> Result<()> {
        check_name(name)?;
        let mut tx = self.pool.begin().await?;
        role_ddl(
            &mut tx,
            name,
            "SELECT format('ALTER ROLE %I NOLOGIN', $1::text)",
            &[Some(name)],
        )
        .await?;
        record(
            &mut tx,
            actor,
            "disable_login",
            EntityType::Operator,
            None,
            json!({ "summary": format!("disabled {name}"),
                    "before": { "login": name, "can_login": true },
                    "after": { "login": name, "can_login": false } }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Runs role DDL. DDL takes no parameters, so `format_sql` (a `SELECT format(...)` over the
/// text parameters `args`) has Postgres quote the names and the password; its result runs.
async fn role_ddl(
    conn: &mut sqlx::PgConnection,
    name: &str,
    format_sql: &'static str,
    args: &[Option<&str>],
) -> Result<()> {
    let mut q = sqlx::query_scalar::<_, String>(format_sql);
    for a in args {
        q = q.bind(*a);
    }
    let sql = q.fetch_one(&mut *conn).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .map_err(|e| refused(e, name))?;
    Ok(())
}

/// A role statement the database refused, said plainly.
fn refused(e: sqlx::Error, name: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("42710") => {
            StoreError::Duplicate(format!("a login named {name}"))
        }
        sqlx::Error::Database(db) if db.code().as_deref() == Some("42704") => {
            StoreError::not_found("login", name)
        }
        sqlx::Error::Database(db) if db.code().as_deref() == Some("42501") => {
            StoreError::Refused(format!("the database refused it: {}", db.message()))
        }
        _ => e.into(),
    }
}

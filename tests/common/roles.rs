//! Logins in the product's group roles, for tests that act as a lead, an operator, the worker or
//! a client against the real Postgres.

use sqlx::PgPool;

/// A login role in `group` with a unique name. Roles are global to the server, so each test drops
/// its own (`drop`) rather than leaving it with the database it threw away.
pub struct Login {
    admin: PgPool,
    pub name: String,
    /// The database URL that logs in as this role.
    pub url: String,
    pub pool: PgPool,
}

impl Login {
    pub async fn new(db_url: &str, group: &str) -> Login {
        let admin = PgPool::connect(db_url).await.unwrap();
        let name = format!(
            "ss_{}_{}",
            group.trim_start_matches("secret_shop_"),
            &uuid::Uuid::new_v4().simple().to_string()[..10]
        );
        // Names are ours (a uuid), not input: safe to splice.
        // A lead manages logins: that takes CREATEROLE.
        let create = if group == "secret_shop_lead" {
            " CREATEROLE"
        } else {
            ""
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE ROLE {name} LOGIN PASSWORD 'pw' IN ROLE {group}{create}"
        )))
        .execute(&admin)
        .await
        .unwrap();
        let mut u = url::Url::parse(db_url).unwrap();
        u.set_username(&name).unwrap();
        u.set_password(Some("pw")).unwrap();
        let pool = PgPool::connect(u.as_str()).await.unwrap();
        Login {
            admin,
            name,
            url: u.to_string(),
            pool,
        }
    }

    pub async fn exec(&self, sql: &str) -> Result<u64, String> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(|e| e.to_string())
    }

    pub async fn drop(self) {
        self.pool.close().await;
        let db: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&self.admin)
            .await
            .unwrap();
        for sql in [
            format!("REVOKE ALL ON DATABASE {db} FROM {}", self.name),
            format!("DROP OWNED BY {}", self.name),
            format!("DROP ROLE {}", self.name),
        ] {
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&self.admin)
                .await;
        }
    }
}

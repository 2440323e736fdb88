//! Only the schema owner changes the schema (issue 12): an operator's login whose binary is ahead
//! of the database gets a clear message naming who must run `secret-shop migrate`, not a failed
//! DDL statement; `migrate` itself is refused to anyone but the owner. Real Postgres.

mod common;

use common::{Cli, replace_db_name, service_env};

struct Scratch {
    admin: sqlx::PgPool,
    db: String,
    role: String,
}

impl Scratch {
    /// An empty, unmigrated database and a login role that may connect to it and nothing more.
    async fn new() -> (Scratch, String, String) {
        let admin_url = service_env("DATABASE_URL");
        let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
        let tag = &uuid::Uuid::new_v4().simple().to_string()[..12];
        let (db, role) = (format!("t_{tag}"), format!("ss_op_{tag}"));
        // Names are ours (a uuid), not input: safe to splice.
        for sql in [
            format!("CREATE DATABASE {db}"),
            format!("CREATE ROLE {role} LOGIN PASSWORD 'op-pw'"),
            format!("GRANT CONNECT ON DATABASE {db} TO {role}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&admin)
                .await
                .unwrap();
        }
        let owner_url = replace_db_name(&admin_url, &db);
        let mut u = url::Url::parse(&owner_url).unwrap();
        u.set_username(&role).unwrap();
        u.set_password(Some("op-pw")).unwrap();
        (Scratch { admin, db, role }, owner_url, u.to_string())
    }

    async fn drop(self) {
        for sql in [
            format!("DROP DATABASE {} WITH (FORCE)", self.db),
            format!("DROP ROLE {}", self.role),
        ] {
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&self.admin)
                .await;
        }
    }
}

fn stderr_of(cli: &Cli, args: &[&str]) -> String {
    let out = cli.run(args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn a_non_owner_is_told_who_must_migrate_and_cannot_migrate() {
    let (scratch, owner_url, operator_url) = Scratch::new().await;
    let mut operator = Cli::new(&operator_url);
    // The login is the operator: no name claimed beside it.
    operator.env.retain(|(k, _)| k != "SECRET_SHOP_OPERATOR");

    let said = stderr_of(&operator, &["target", "list"]);
    assert!(
        said.contains("the database is at migration 0 of")
            && said.contains(&format!("{} cannot change the schema", scratch.role))
            && said.contains("ask the schema owner (secretshop) to run `secret-shop migrate`"),
        "{said}"
    );
    let said = stderr_of(&operator, &["migrate"]);
    assert!(
        said.contains(&format!(
            "only the schema owner (secretshop) runs migrations; you are connected as {}",
            scratch.role
        )),
        "{said}"
    );

    // The owner migrates; the operator's binary then finds the schema where it needs it.
    let owner = Cli::new(&owner_url);
    let out = owner.ok(&["migrate"]);
    assert!(out.contains("database schema up to date"), "{out}");
    let said = stderr_of(&operator, &["target", "list"]);
    assert!(
        said.contains("may not read the schema's version")
            && said.contains("ask the schema owner (secretshop)"),
        "{said}"
    );
    let db = sqlx::PgPool::connect(&owner_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "GRANT SELECT ON _sqlx_migrations TO {}",
        scratch.role
    )))
    .execute(&db)
    .await
    .unwrap();
    db.close().await;
    let said = stderr_of(&operator, &["migrate"]);
    assert!(said.contains("only the schema owner"), "{said}");

    // Each learns who the database says it is.
    let me = operator.ok(&["whoami"]);
    assert!(
        me.contains(&format!("database login: {}\n", scratch.role)),
        "{me}"
    );
    let me = owner.ok(&["whoami"]);
    assert!(
        me.contains("database login: secretshop (superuser, schema owner)"),
        "{me}"
    );
    scratch.drop().await;
}

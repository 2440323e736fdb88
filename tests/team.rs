//! The team's logins (issue 12): a lead adds, re-roles and disables logins with `secret-shop
//! operator`; the new login logs in as itself in its group; an operator is refused in words
//! (and by the database with raw SQL). Real Postgres, the real binary.

mod common;

use common::Cli;
use common::mail::world;
use common::roles::Login;

/// The binary as `login`, claiming no other name.
fn as_login(url: &str) -> Cli {
    let mut cli = Cli::new(url);
    cli.env.retain(|(k, _)| k != "SECRET_SHOP_OPERATOR");
    cli
}

fn url_for(base: &str, name: &str, password: &str) -> String {
    let mut u = url::Url::parse(base).unwrap();
    u.set_username(name).unwrap();
    u.set_password(Some(password)).unwrap();
    u.to_string()
}

async fn drop_role(url: &str, name: &str) {
    let admin = sqlx::PgPool::connect(url).await.unwrap();
    for sql in [
        format!("DROP OWNED BY {name}"),
        format!("DROP ROLE IF EXISTS {name}"),
    ] {
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&admin).await;
    }
}

#[tokio::test]
async fn a_lead_adds_re_roles_and_disables_logins_and_an_operator_may_not() {
    let w = world().await;
    let lena = Login::new(&w.url, "secret_shop_lead").await;
    let lead = as_login(&lena.url);
    let dave = format!("dave_{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);

    let out = lead.run_with_stdin(
        &["operator", "add", &dave, "--role", "operator", "--password"],
        "s3cret-pw\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dave_cli = as_login(&url_for(&w.url, &dave, "s3cret-pw"));
    let me = dave_cli.ok(&["whoami"]);
    assert!(
        me.contains(&format!("operator: {dave}\n"))
            && me.contains("member of secret_shop_operator"),
        "{me}"
    );
    let list = lead.ok(&["operator", "list"]);
    assert!(
        list.lines()
            .any(|l| l.contains(&dave) && l.contains("operator")),
        "{list}"
    );

    // Dave is an operator: managing the team is not his to do.
    let out = dave_cli.run(&["operator", "add", "eve_x", "--role", "lead"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains(&format!(
            "{dave} is operator: only a lead manages operators"
        )),
        "{said}"
    );
    let dave_db = sqlx::PgPool::connect(&url_for(&w.url, &dave, "s3cret-pw"))
        .await
        .unwrap();
    let e = sqlx::query("CREATE ROLE eve_x LOGIN")
        .execute(&dave_db)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("permission denied"), "{e}");
    dave_db.close().await;

    // Re-roled to lead, then disabled: each on the record with the lead's name.
    lead.ok(&["operator", "role", &dave, "lead"]);
    let me = dave_cli.ok(&["whoami"]);
    assert!(me.contains("member of secret_shop_lead"), "{me}");
    assert!(!me.contains("member of secret_shop_operator"), "{me}");
    lead.ok(&["operator", "disable", &dave]);
    let out = dave_cli.run(&["whoami"]);
    assert!(!out.status.success(), "a disabled login cannot log in");
    let actions: Vec<(String, String)> = sqlx::query_as(
        "SELECT operator, action FROM audit_log WHERE entity_type = 'operator' ORDER BY id",
    )
    .fetch_all(w.store.pool())
    .await
    .unwrap();
    let by_lena = |a: &str| (lena.name.clone(), a.to_string());
    assert_eq!(
        actions,
        [
            by_lena("add_login"),
            by_lena("set_role"),
            by_lena("disable_login")
        ]
    );
    drop_role(&w.url, &dave).await;
    lena.drop().await;
}

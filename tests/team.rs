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
            "{dave} is an operator: only a lead manages operators"
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

/// A client's login reads its own client's targets, shops, facts and grades, and nothing of
/// another client's (row-level security); staff see every row.
#[tokio::test]
async fn a_client_login_sees_only_its_own_clients_rows() {
    let (store, url) = common::fresh_database().await;
    let owner = Cli::new(&url);
    owner.ok(&["demo"]);
    owner.ok(&["client", "add", "Acme Living"]);
    owner.ok(&["client", "add", "Birch Co"]);
    // Acme's target is the one with the most mail sent and received.
    let targets: Vec<(i64, String)> = sqlx::query_as(
        "SELECT t.id, t.name FROM targets t
         ORDER BY (SELECT count(*) FROM messages m JOIN shops s ON s.id = m.shop_id
                   WHERE s.target_id = t.id AND (m.direction = 'inbound' OR m.status = 'sent'))
                  DESC, t.id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert!(targets.len() >= 2);
    let (acme_target, acme_name) = targets[0].clone();
    owner.ok(&[
        "target",
        "edit",
        &acme_target.to_string(),
        "--client",
        "Acme Living",
    ]);
    for (id, _) in &targets[1..] {
        owner.ok(&["target", "edit", &id.to_string(), "--client", "Birch Co"]);
    }
    let count = |sql: &'static str| {
        let store = store.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(acme_target)
                .fetch_one(store.pool())
                .await
                .unwrap()
        }
    };
    let acme_shops = count("SELECT count(*) FROM shops WHERE target_id = $1").await;
    let acme_facts = count(
        "SELECT count(*) FROM facts f JOIN shops s ON s.id = f.shop_id WHERE s.target_id = $1",
    )
    .await;
    let all_shops = count("SELECT count(*) FROM shops WHERE $1 > 0").await;
    assert!(acme_shops > 0, "the client's target has shops");
    assert!(all_shops > acme_shops, "other clients have shops too");

    let lena = Login::new(&url, "secret_shop_lead").await;
    let clara = format!("clara_{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let out = as_login(&lena.url).run_with_stdin(
        &[
            "operator",
            "add",
            &clara,
            "--role",
            "client",
            "--client",
            "Acme Living",
            "--password",
        ],
        "clara-pw\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = sqlx::PgPool::connect(&url_for(&url, &clara, "clara-pw"))
        .await
        .unwrap();
    let seen: Vec<String> = sqlx::query_scalar("SELECT name FROM targets")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(seen, std::slice::from_ref(&acme_name));
    let n = |sql: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(n("SELECT count(*) FROM shops").await, acme_shops);
    assert_eq!(n("SELECT count(*) FROM facts").await, acme_facts);
    let clients: Vec<String> = sqlx::query_scalar("SELECT name FROM clients")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(clients, ["Acme Living"]);
    let e = sqlx::query("UPDATE targets SET notes = 'x'")
        .execute(&db)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("permission denied"), "{e}");
    // Its shops' mail as sent and received, never a draft nor another client's.
    let visible = count(
        "SELECT count(*) FROM messages m JOIN shops s ON s.id = m.shop_id
         WHERE s.target_id = $1 AND (m.direction = 'inbound' OR m.status = 'sent')",
    )
    .await;
    assert!(visible > 0, "the demo's shops have mail");
    assert_eq!(n("SELECT count(*) FROM messages").await, visible);
    let drafts = count("SELECT count(*) FROM messages WHERE status = 'pending_review' AND $1 > 0");
    assert!(drafts.await > 0, "the demo has drafts in the queue");
    // Its shops' personas as the office met them; their private details not at all.
    assert_eq!(
        n("SELECT count(DISTINCT id) FROM personas").await,
        count("SELECT count(DISTINCT persona_id) FROM shops WHERE target_id = $1").await
    );
    let e = sqlx::query("SELECT credit_score FROM personas")
        .fetch_all(&db)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("permission denied"), "{e}");
    db.close().await;

    // Through the app: its reports, its dashboard, and nothing of another client's.
    let reader = as_login(&url_for(&url, &clara, "clara-pw"));
    let portfolio = reader.ok(&["report", "portfolio", "--format", "json"]);
    assert!(portfolio.contains(&acme_name), "{portfolio}");
    for (_, other) in &targets[1..] {
        assert!(
            !portfolio.contains(other.as_str()),
            "{other} in {portfolio}"
        );
    }
    let (own_shop, other_shop): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT min(id) FROM shops WHERE target_id = $1),
                (SELECT min(id) FROM shops WHERE target_id <> $1)",
    )
    .bind(acme_target)
    .fetch_one(store.pool())
    .await
    .unwrap();
    let report = reader.ok(&["report", "shop", &own_shop.to_string(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["target"]["name"], acme_name.as_str());
    let out = reader.run(&["report", "shop", &other_shop.to_string()]);
    assert!(!out.status.success(), "another client's shop was reported");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("shop {other_shop} does not exist")),
        "{said}"
    );
    let dash = reader.ok(&["report", "dashboard", "--json"]);
    let dash: serde_json::Value = serde_json::from_str(&dash).unwrap();
    assert_eq!(dash["shops_total"], acme_shops, "{dash}");
    assert_eq!(
        dash["pending_reviews"], 0,
        "the queue is not the client's: {dash}"
    );

    // An operator sees every client's rows.
    let olive = Login::new(&url, "secret_shop_operator").await;
    let shops: i64 = sqlx::query_scalar("SELECT count(*) FROM shops")
        .fetch_one(&olive.pool)
        .await
        .unwrap();
    assert_eq!(shops, all_shops);
    olive.drop().await;
    drop_role(&url, &clara).await;
    lena.drop().await;
}

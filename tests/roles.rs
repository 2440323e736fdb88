//! Roles enforced by Postgres (issue 12): each group role may do what it needs and the database
//! itself refuses the rest, whatever the application does. Raw SQL as each role's login against
//! a migrated database on the real server.

mod common;

use common::mail::world;
use common::roles::Login;

fn refused(r: Result<u64, String>, what: &str) -> String {
    match r {
        Ok(n) => panic!("{what}: allowed ({n} rows)"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn each_role_does_what_it_may_and_the_database_refuses_the_rest() {
    let w = world().await;
    let draft = w.inquiry_draft(&["application_fee"]).await;
    let approve = format!(
        "UPDATE messages SET status = 'approved' WHERE id = {} AND status = 'pending_review'",
        draft.id
    );

    // The worker sends, syncs and drafts, but approving is an operator's act.
    let worker = Login::new(&w.url, "secret_shop_worker").await;
    let e = refused(worker.exec(&approve).await, "the worker's approval");
    assert!(
        e.contains("may not approve drafts: only an operator approves"),
        "{e}"
    );
    assert!(e.contains(&worker.name), "the refusal names the login: {e}");
    worker
        .exec("UPDATE jobs SET attempts = attempts WHERE false")
        .await
        .expect("the worker updates jobs");
    let e = refused(
        worker.exec("DELETE FROM messages").await,
        "the worker's delete",
    );
    assert!(e.contains("permission denied"), "{e}");

    // A client reads its portfolio; it writes nothing and sees no mail or personas.
    let client = Login::new(&w.url, "secret_shop_client").await;
    let e = refused(client.exec(&approve).await, "a client's approval");
    assert!(e.contains("permission denied for table messages"), "{e}");
    let e = refused(
        client.exec("SELECT * FROM personas").await,
        "a client's read",
    );
    assert!(e.contains("permission denied for table personas"), "{e}");
    // It may read shops, but sees only its own client's: this login is tied to none.
    assert_eq!(client.exec("SELECT * FROM shops").await, Ok(0));

    // An operator approves, but who is an operator is not theirs to change.
    let operator = Login::new(&w.url, "secret_shop_operator").await;
    let e = refused(
        operator
            .exec("UPDATE operators SET role = 'admin' WHERE name = 'tester'")
            .await,
        "an operator's role change",
    );
    assert!(e.contains("permission denied for table operators"), "{e}");
    let e = refused(
        operator
            .exec(&format!("GRANT secret_shop_lead TO {}", operator.name))
            .await,
        "an operator making itself a lead",
    );
    assert!(
        e.contains("permission denied") || e.contains("must have admin option"),
        "{e}"
    );
    let e = refused(
        operator.exec("DELETE FROM audit_log").await,
        "an operator erasing the record",
    );
    assert!(e.contains("permission denied for table audit_log"), "{e}");
    assert_eq!(operator.exec(&approve).await, Ok(1), "an operator approves");

    for login in [worker, client, operator] {
        login.drop().await;
    }
}

/// The acting operator is the login: a name in the environment cannot claim another identity,
/// and the audit log is signed by the database with the login whatever the client writes.
#[tokio::test]
async fn the_login_is_the_operator_and_signs_the_record() {
    let w = world().await;
    let draft = w.inquiry_draft(&["application_fee"]).await;
    let carol = Login::new(&w.url, "secret_shop_operator").await;
    let mut cli = common::Cli::new(&carol.url);
    cli.set("SECRET_SHOP_OPERATOR", "mallory");

    let out = cli.run(&["draft", "approve", &draft.id.to_string()]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains(&format!(
            "operator.name says mallory but you are logged in to the database as {}",
            carol.name
        )),
        "{said}"
    );

    cli.env.retain(|(k, _)| k != "SECRET_SHOP_OPERATOR");
    let me = cli.ok(&["whoami"]);
    assert!(
        me.contains(&format!("operator: {}\n", carol.name))
            && me.contains("member of secret_shop_operator"),
        "{me}"
    );
    cli.ok(&["draft", "approve", &draft.id.to_string()]);
    let signed: String = sqlx::query_scalar(
        "SELECT operator FROM audit_log WHERE action = 'approve' AND entity_id = $1",
    )
    .bind(draft.id)
    .fetch_one(w.store.pool())
    .await
    .unwrap();
    assert_eq!(signed, carol.name);

    // Raw SQL naming someone else is signed with the login all the same.
    carol
        .exec(
            "INSERT INTO audit_log (operator, action, entity_type) \
             VALUES ('mallory', 'note', 'shop')",
        )
        .await
        .unwrap();
    let signed: String = sqlx::query_scalar("SELECT operator FROM audit_log WHERE action = 'note'")
        .fetch_one(w.store.pool())
        .await
        .unwrap();
    assert_eq!(signed, carol.name);
    carol.drop().await;
}

/// A client's login acts on nothing, and says so in words rather than a raw SQL error.
#[tokio::test]
async fn a_client_is_told_it_acts_on_nothing() {
    let w = world().await;
    let clara = Login::new(&w.url, "secret_shop_client").await;
    let mut cli = common::Cli::new(&clara.url);
    cli.env.retain(|(k, _)| k != "SECRET_SHOP_OPERATOR");
    let out = cli.run(&["draft", "reject", "1", "--reason", "no"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains(&format!(
            "{} is a client: it reads its portfolio and acts on nothing",
            clara.name
        )),
        "{said}"
    );
    clara.drop().await;
}

/// The worker's login trying to approve through the app is told why, in words.
#[tokio::test]
async fn a_refusal_through_the_app_is_said_in_words() {
    let w = world().await;
    let draft = w.inquiry_draft(&["application_fee"]).await;
    let worker = Login::new(&w.url, "secret_shop_worker").await;
    let mut cli = common::Cli::new(&worker.url);
    cli.env.retain(|(k, _)| k != "SECRET_SHOP_OPERATOR");
    let out = cli.run(&["draft", "approve", &draft.id.to_string()]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains(&format!(
            "{} is the worker: drafts cannot be approved (runs the engine; operators decide on \
             drafts)",
            worker.name
        )) && !said.contains("database error"),
        "{said}"
    );
    let out = cli.run(&["draft", "reject", &draft.id.to_string(), "--reason", "no"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!(
            "{} is the worker: drafts cannot be rejected",
            worker.name
        )),
        "{said}"
    );
    let status: String = sqlx::query_scalar("SELECT status::text FROM messages WHERE id = $1")
        .bind(draft.id)
        .fetch_one(w.store.pool())
        .await
        .unwrap();
    assert_eq!(status, "pending_review", "nothing was decided");
    let out = cli.run(&["target", "delete", &w.target.id.to_string(), "--yes"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("your login's role may not do this") && !said.contains("database error"),
        "{said}"
    );
    worker.drop().await;
}

/// The engine runs under the worker's own login: it sends what an operator approved, syncs the
/// reply and reads it into the fact sheet, and the database refuses it nothing it needs.
#[tokio::test]
async fn the_worker_login_sends_syncs_and_reads_with_its_own_privileges() {
    let w = world().await;
    let (id, inquiry) = w.approved_inquiry("Two bedrooms").await;
    let worker = Login::new(&w.url, "secret_shop_worker").await;
    let mut env = w.env.clone();
    env.insert("DATABASE_URL".into(), worker.url.clone());
    env.remove("SECRET_SHOP_OPERATOR");
    let log = env["SECRET_SHOP_LOG_FILE"].clone();
    let run = |env: &std::collections::HashMap<String, String>| {
        let out = common::mail::run_binary(env, &["worker", "--once"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&env);
    let sent: String = sqlx::query_scalar("SELECT status::text FROM messages WHERE id = $1")
        .bind(id)
        .fetch_one(w.store.pool())
        .await
        .unwrap();
    assert_eq!(sent, "sent");
    w.agent_sends(
        "Re: Two bedrooms",
        "Hi Jane, the application fee is $50.\r\n\r\nMaria",
        &format!("In-Reply-To: <{inquiry}>\r\n"),
    )
    .await;
    common::mail::wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await;
    let read = common::mail::wait_until(std::time::Duration::from_secs(30), || {
        run(&env);
        let store = w.store.clone();
        let shop = w.shop;
        async move {
            store
                .shop_facts(shop)
                .await
                .unwrap()
                .iter()
                .any(|f| f.field_path == "application_fee")
        }
    })
    .await;
    assert!(read.is_some(), "the reply read into the fact sheet");
    let denied: Vec<String> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("permission denied") || l.contains("may not"))
        .map(String::from)
        .collect();
    assert!(denied.is_empty(), "{denied:#?}");
    worker.drop().await;
}

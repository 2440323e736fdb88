//! Clients (issue 12 §3): the companies shop programs are run for, through the real binary and
//! the store against the real Postgres.

mod common;

use common::{Cli, stderr, stdout};
use secret_shop::store::EntityType;

#[tokio::test]
async fn clients_are_added_listed_shown_and_edited() {
    let (_store, url) = common::fresh_database().await;
    let cli = Cli::new(&url);
    let out = cli.ok(&[
        "client",
        "add",
        "Acme Living",
        "--contact",
        "Dana Reyes <dana@acme.test>",
        "--notes",
        "quarterly program",
    ]);
    assert!(out.contains("added client 1 (Acme Living)"), "{out}");
    cli.ok(&["client", "add", "Birch Homes"]);

    // The name is unique in any case.
    let dup = cli.run(&["client", "add", "acme living"]);
    assert!(!dup.status.success());
    assert!(stderr(&dup).contains("a client named"), "{}", stderr(&dup));
    // A name that reads as an id is refused.
    let num = cli.run(&["client", "add", "42"]);
    assert!(!num.status.success());
    assert!(stderr(&num).contains("reads as an id"), "{}", stderr(&num));

    let list = cli.json(&["client", "list", "--json"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Acme Living", "Birch Homes"]);
    let table = cli.ok(&["client", "list"]);
    assert!(table.contains("Dana Reyes"), "{table}");

    // By name (any case) or by id.
    let shown = cli.json(&["client", "show", "ACME living", "--json"]);
    assert_eq!(shown["id"], 1);
    assert_eq!(shown["contact"], "Dana Reyes <dana@acme.test>");
    assert_eq!(
        cli.json(&["client", "show", "2", "--json"])["name"],
        "Birch Homes"
    );
    let missing = cli.run(&["client", "show", "Cedar"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("client list"),
        "{}",
        stderr(&missing)
    );

    cli.ok(&[
        "client",
        "edit",
        "Acme Living",
        "--notes",
        "monthly now",
        "--version",
        "1",
    ]);
    let edited = cli.json(&["client", "show", "1", "--json"]);
    assert_eq!(edited["notes"], "monthly now");
    assert_eq!(
        edited["contact"], "Dana Reyes <dana@acme.test>",
        "untouched"
    );
    assert_eq!(edited["version"], 2);
    let stale = cli.run(&["client", "edit", "1", "--contact", "x", "--version", "1"]);
    assert!(!stale.status.success());
    assert!(
        stderr(&stale).contains("changed by someone else"),
        "{}",
        stderr(&stale)
    );
}

#[tokio::test]
async fn a_target_belongs_to_a_client_and_lists_filter_by_it() {
    let (_store, url) = common::fresh_database().await;
    let cli = Cli::new(&url);
    cli.ok(&["client", "add", "Acme Living"]);
    cli.ok(&["client", "add", "Birch Homes"]);
    cli.ok(&[
        "target",
        "add",
        "--name",
        "The Grove",
        "--client",
        "acme living",
    ]);
    cli.ok(&[
        "target",
        "add",
        "--name",
        "Maple Court",
        "--client",
        "Birch Homes",
    ]);
    cli.ok(&["target", "add", "--name", "Oak Flats"]);

    let unknown = cli.run(&["target", "add", "--name", "Pine", "--client", "Cedar"]);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("client \"Cedar\" not found"),
        "{}",
        stderr(&unknown)
    );

    let grove = cli.json(&["target", "show", "1", "--json"]);
    assert_eq!(grove["client"], "Acme Living", "spelled as the client is");
    assert_eq!(grove["client_id"], 1);

    let acme = cli.json(&["target", "list", "--client", "Acme Living", "--json"]);
    let names: Vec<&str> = acme
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["The Grove"]);
    let table = cli.ok(&["target", "list"]);
    assert!(table.contains("CLIENT"), "{table}");
    assert!(table.contains("no client"), "{table}");
    assert!(table.contains("Birch Homes"), "{table}");
    // --search matches the client's name too.
    let found = cli.json(&["target", "list", "--search", "birch", "--json"]);
    assert_eq!(found[0]["name"], "Maple Court");

    // Move a target; "" takes its client away.
    cli.ok(&["target", "edit", "1", "--client", "Birch Homes"]);
    assert_eq!(
        cli.json(&["target", "show", "1", "--json"])["client"],
        "Birch Homes"
    );
    cli.ok(&["target", "edit", "1", "--client", ""]);
    let none = cli.json(&["target", "show", "1", "--json"]);
    assert!(
        none["client"].is_null() && none["client_id"].is_null(),
        "{none}"
    );
    assert!(cli.ok(&["target", "show", "1"]).contains("no client"));

    assert_eq!(
        cli.json(&["client", "show", "Birch Homes", "--json"])["targets"],
        1
    );
}

#[tokio::test]
async fn a_client_with_targets_is_deleted_only_with_force_which_detaches_them() {
    let (store, url) = common::fresh_database().await;
    let cli = Cli::new(&url);
    cli.ok(&["client", "add", "Acme Living"]);
    cli.ok(&[
        "target",
        "add",
        "--name",
        "The Grove",
        "--client",
        "Acme Living",
    ]);

    let refused = cli.run(&["client", "delete", "Acme Living", "--yes"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("still has 1 target"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        cli.json(&["target", "show", "1", "--json"])["client"],
        "Acme Living"
    );

    let out = cli.ok(&["client", "delete", "Acme Living", "--force", "--yes"]);
    assert!(out.contains("targets now without a client: 1"), "{out}");
    assert!(cli.json(&["target", "show", "1", "--json"])["client"].is_null());
    assert_eq!(
        cli.json(&["client", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        cli.json(&["client", "list", "--all", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The name is free again.
    cli.ok(&["client", "add", "Acme Living"]);

    let target_audit = store.audit_for(EntityType::Target, 1).await.unwrap();
    let last = target_audit.last().unwrap();
    assert_eq!(last.action, "edit");
    assert_eq!(last.detail["changed"][0], "client");
}

#[tokio::test]
async fn csv_import_takes_a_client_column_all_rows_or_none() {
    let (_store, url) = common::fresh_database().await;
    let cli = Cli::new(&url);
    cli.ok(&["client", "add", "Acme Living"]);
    let dir = tempfile::tempdir().unwrap();

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "name,city,client\nThe Grove,Austin,Acme Living\nMaple Court,Austin,Cedar Co\n",
    )
    .unwrap();
    let out = cli.run(&["target", "import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("\"Cedar Co\" is not a client"), "{err}");
    assert!(err.contains("nothing imported"), "{err}");
    assert_eq!(
        cli.json(&["target", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "name,city,client\nThe Grove,Austin,acme living\nMaple Court,Austin,\n",
    )
    .unwrap();
    let out = cli.ok(&["target", "import", good.to_str().unwrap()]);
    assert!(out.contains("imported 2 targets"), "{out}");
    let list = cli.json(&["target", "list", "--json"]);
    assert_eq!(list[0]["name"], "Maple Court");
    assert!(list[0]["client"].is_null());
    assert_eq!(list[1]["client"], "Acme Living");

    // Export writes the client by name, and the file imports back.
    let exported = cli.ok(&["target", "export", "-"]);
    let mut lines = exported.lines();
    assert!(lines.next().unwrap().ends_with(",client"), "{exported}");
    assert!(exported.contains(",Acme Living"), "{exported}");
    let again = dir.path().join("again.csv");
    std::fs::write(&again, &exported).unwrap();
    cli.ok(&["target", "import", again.to_str().unwrap()]);
    let acme = cli.json(&["target", "list", "--client", "Acme Living", "--json"]);
    assert_eq!(acme.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn every_change_to_a_client_is_audited() {
    let (store, url) = common::fresh_database().await;
    let cli = Cli::new(&url);
    cli.ok(&["client", "add", "Acme Living", "--contact", "Dana"]);
    cli.ok(&["client", "edit", "Acme Living", "--name", "Acme Homes"]);
    cli.ok(&["client", "delete", "Acme Homes", "--yes"]);
    let entries = store.audit_for(EntityType::Client, 1).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "edit", "delete"]);
    assert_eq!(entries[0].detail["name"], "Acme Living");
    assert_eq!(entries[1].detail["changed"][0], "name");
    assert_eq!(entries[1].detail["before"]["name"], "Acme Living");
    assert_eq!(entries[1].detail["after"]["name"], "Acme Homes");
    assert_eq!(entries[2].detail["name"], "Acme Homes");
    assert!(entries.iter().all(|e| !e.operator.is_empty()));
    let json = stdout(&cli.run(&["audit", "--json"]));
    assert!(json.contains("\"client\""), "{json}");
}

/// The shops of targets 1 and 2 of the demo set, once they belong to Acme Living.
fn shops_of(shops: &serde_json::Value, targets: &[i64]) -> Vec<i64> {
    let mut ids: Vec<i64> = shops
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| targets.contains(&s["target_id"].as_i64().unwrap()))
        .map(|s| s["id"].as_i64().or(s["shop_id"].as_i64()).unwrap())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn shops_portfolio_and_dashboard_narrow_to_one_client() {
    let (store, url) = common::fresh_database().await;
    let cli = Cli::new(&url);
    assert!(cli.ok(&["demo"]).contains("loaded demo data"));
    cli.ok(&["client", "add", "Acme Living"]);
    cli.ok(&["client", "add", "Birch Homes"]);
    cli.ok(&["target", "edit", "1", "--client", "Acme Living"]);
    cli.ok(&["target", "edit", "2", "--client", "Acme Living"]);

    let all = cli.json(&["shop", "list", "--json"]);
    let acme_shops = shops_of(&all, &[1, 2]);
    assert!(!acme_shops.is_empty(), "the demo shops targets 1 and 2");
    assert!(acme_shops.len() < all.as_array().unwrap().len());

    let listed = cli.json(&["shop", "list", "--client", "Acme Living", "--json"]);
    assert_eq!(shops_of(&listed, &[1, 2]), acme_shops);
    assert_eq!(
        listed.as_array().unwrap().len(),
        acme_shops.len(),
        "only Acme's"
    );
    // The TUI's shops list names each shop's client.
    for row in store.shop_rows(100, 0).await.unwrap() {
        let acme = [1, 2].contains(&row.target_id.0);
        // The others stay with the demo's own clients.
        assert_eq!(
            row.client.as_deref() == Some("Acme Living"),
            acme,
            "{row:?}"
        );
    }
    let birch = cli.json(&["shop", "list", "--client", "Birch Homes", "--json"]);
    assert_eq!(birch.as_array().unwrap().len(), 0);

    let p = cli.json(&[
        "report",
        "portfolio",
        "--client",
        "acme living",
        "--format",
        "json",
    ]);
    assert_eq!(p["filter"]["client"], "Acme Living");
    assert_eq!(p["shops"].as_array().unwrap().len(), acme_shops.len());
    assert_eq!(shops_of(&p["shops"], &[1, 2]), acme_shops, "{p}");
    assert_eq!(p["totals"]["shops"], acme_shops.len());
    let md = cli.ok(&["report", "portfolio", "--client", "Acme Living"]);
    assert!(md.contains("client \u{201c}Acme Living\u{201d}"), "{md}");
    let unknown = cli.run(&["report", "portfolio", "--client", "Cedar"]);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("no client named \"Cedar\""),
        "{}",
        stderr(&unknown)
    );
    let everything = cli.json(&["report", "portfolio", "--format", "json"]);
    assert!(everything["filter"]["client"].is_null());

    let acme_id: i64 = sqlx::query_scalar("SELECT id FROM clients WHERE name = 'Acme Living'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let d = cli.json(&["report", "dashboard", "--client", "Acme Living", "--json"]);
    assert_eq!(d["client"], "Acme Living");
    assert_eq!(d["shops_total"], acme_shops.len());
    let whole = cli.json(&["report", "dashboard", "--json"]);
    assert_eq!(whole["shops_total"], all.as_array().unwrap().len());
    for e in d["recent_activity"].as_array().unwrap() {
        let id = e["entity_id"].as_i64().unwrap_or_default();
        match e["entity_type"].as_str().unwrap() {
            "target" => assert!([1, 2].contains(&id), "{e}"),
            "shop" => assert!(acme_shops.contains(&id), "{e}"),
            "client" => assert_eq!(id, acme_id, "{e}"),
            _ => {}
        }
    }
    let text = cli.ok(&["report", "dashboard", "--client", "Acme Living"]);
    assert!(text.starts_with("Dashboard of Acme Living"), "{text}");
    let empty = cli.json(&["report", "dashboard", "--client", "Birch Homes", "--json"]);
    assert_eq!(empty["shops_total"], 0);
    assert_eq!(empty["pending_reviews"], 0);
    assert_eq!(empty["graded_shops"], 0);
}

#[tokio::test]
async fn a_target_given_a_client_being_deleted_waits_and_is_refused() {
    use secret_shop::domain::client::ClientInput;
    use secret_shop::domain::target::TargetInput;
    use secret_shop::store::StoreError;

    let (store, _url) = common::fresh_database().await;
    let actor = store.actor("alice").await.unwrap();
    let acme = ClientInput {
        name: "Acme Living".into(),
        ..Default::default()
    };
    let client = store.insert_client(&actor, &acme).await.unwrap();
    // Another session is deleting the client: it holds the row.
    let mut tx = store.pool().begin().await.unwrap();
    sqlx::query("SELECT id FROM clients WHERE id = $1 FOR UPDATE")
        .bind(client.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    let (s, a) = (store.clone(), actor.clone());
    let insert = tokio::spawn(async move {
        let grove = TargetInput {
            name: "The Grove".into(),
            client: Some("Acme Living".into()),
            ..Default::default()
        };
        s.insert_target(&a, &grove).await
    });
    // Until the insert is seen blocked on the client's row lock (deadline 10 s).
    let blocked = common::mail::wait_until(std::time::Duration::from_secs(10), || {
        let pool = store.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
                > 0
        }
    })
    .await;
    assert!(blocked.is_some(), "the insert never waited on the lock");
    assert!(!insert.is_finished(), "the insert waits for the delete");
    sqlx::query("UPDATE clients SET deleted_at = now() WHERE id = $1")
        .bind(client.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let err = insert.await.unwrap().unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert!(
        store
            .list_targets(&Default::default())
            .await
            .unwrap()
            .is_empty()
    );
}

//! Store layer against the real Postgres `scripts/test` starts: each test on a fresh database.

mod common;

use std::time::Duration;

use secret_shop::domain::ids::TargetId;
use secret_shop::domain::persona::{NewPersona, TemplateInput};
use secret_shop::domain::target::TargetInput;
use secret_shop::store::{EntityType, Store, StoreError, TargetFilter};

fn grove() -> TargetInput {
    TargetInput {
        name: "The Grove".into(),
        city: "Austin".into(),
        email: "leasing@grove.test".into(),
        property_manager: "Greystar".into(),
        tags: vec!["austin".into()],
        ..Default::default()
    }
    .validated()
    .unwrap()
}

#[tokio::test]
async fn migrations_are_idempotent() {
    let (store, _) = common::fresh_database().await;
    store.migrate().await.expect("second run is harmless");
    let (applied, known) = store.migration_status().await.unwrap();
    assert_eq!(applied, known);
    assert!(known >= 1);
}

#[tokio::test]
async fn target_crud_is_audited_with_the_operator() {
    let (store, _) = common::fresh_database().await;
    let alice = store.actor("alice").await.unwrap();
    let t = store.insert_target(&alice, &grove()).await.unwrap();
    assert_eq!(t.version, 1);

    let mut changed = grove();
    changed.city = "Round Rock".into();
    let t2 = store
        .update_target(&alice, t.id, Some(1), &changed)
        .await
        .unwrap();
    assert_eq!((t2.city.as_str(), t2.version), ("Round Rock", 2));

    store.delete_target(&alice, t.id).await.unwrap();
    assert!(
        store
            .list_targets(&TargetFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let all = TargetFilter {
        include_deleted: true,
        ..Default::default()
    };
    assert_eq!(store.list_targets(&all).await.unwrap().len(), 1);

    let log = store.audit_for(EntityType::Target, t.id.0).await.unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "edit", "delete"]);
    assert!(log.iter().all(|e| e.operator == "alice"));
    assert_eq!(log[1].detail["changed"], serde_json::json!(["city"]));
}

#[tokio::test]
async fn a_stale_edit_is_a_conflict_and_changes_nothing() {
    let (store, _) = common::fresh_database().await;
    let a = store.actor("alice").await.unwrap();
    let b = store.actor("bob").await.unwrap();
    let t = store.insert_target(&a, &grove()).await.unwrap();
    let mut first = grove();
    first.notes = "alice was here".into();
    store
        .update_target(&a, t.id, Some(1), &first)
        .await
        .unwrap();
    let mut second = grove();
    second.notes = "bob overwrites".into();
    let err = store
        .update_target(&b, t.id, Some(1), &second)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(store.target(t.id).await.unwrap().notes, "alice was here");
}

#[tokio::test]
async fn missing_rows_are_not_found() {
    let (store, _) = common::fresh_database().await;
    let err = store.target(TargetId(999)).await.unwrap_err();
    assert_eq!(err.to_string(), "target 999 not found");
    let a = store.actor("alice").await.unwrap();
    assert!(matches!(
        store.delete_target(&a, TargetId(999)).await,
        Err(StoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn import_is_all_or_nothing() {
    let (store, _) = common::fresh_database().await;
    let a = store.actor("alice").await.unwrap();
    // The second row breaks a database rule (name must not be empty), so the first is undone too.
    let bad = vec![grove(), TargetInput::default()];
    assert!(store.import_targets(&a, &bad).await.is_err());
    assert!(
        store
            .list_targets(&TargetFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let good = vec![grove(), grove()];
    assert_eq!(store.import_targets(&a, &good).await.unwrap().len(), 2);
}

#[tokio::test]
async fn target_search_and_tag_filter() {
    let (store, _) = common::fresh_database().await;
    let a = store.actor("alice").await.unwrap();
    store.insert_target(&a, &grove()).await.unwrap();
    let mut other = grove();
    other.name = "Maple Court 100%".into();
    other.city = "Columbus".into();
    other.tags = vec!["ohio".into()];
    store.insert_target(&a, &other).await.unwrap();
    let find = |search: Option<&str>, tag: Option<&str>| TargetFilter {
        search: search.map(Into::into),
        tag: tag.map(Into::into),
        client: None,
        include_deleted: false,
    };
    let names = |v: Vec<secret_shop::domain::target::Target>| {
        v.into_iter().map(|t| t.name).collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            store
                .list_targets(&find(Some("columbus"), None))
                .await
                .unwrap()
        ),
        ["Maple Court 100%"]
    );
    assert_eq!(
        names(store.list_targets(&find(Some("100%"), None)).await.unwrap()),
        ["Maple Court 100%"]
    );
    assert_eq!(
        names(
            store
                .list_targets(&find(None, Some("AUSTIN")))
                .await
                .unwrap()
        ),
        ["The Grove"]
    );
}

#[tokio::test]
async fn persona_addresses_are_unique_even_after_retirement() {
    let (store, _) = common::fresh_database().await;
    let a = store.actor("alice").await.unwrap();
    let template = store
        .insert_template(
            &a,
            &TemplateInput {
                name: "pro".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let person = NewPersona {
        template_id: Some(template.id),
        first_name: "Jane".into(),
        last_name: "Porter".into(),
        email: "jane.porter@shop.test".into(),
        phone: String::new(),
        rental_budget: 1800,
        bedrooms: 1,
        bathrooms: 1.0,
        preferences: String::new(),
        pets: "none".into(),
        credit_score: 720,
        monthly_income: 6000,
        additional_occupants: String::new(),
        rental_history: String::new(),
        writing_style: String::new(),
        move_in_date: None,
    };
    let p = store
        .insert_personas(&a, std::slice::from_ref(&person))
        .await
        .unwrap();
    store.delete_persona(&a, p[0].id).await.unwrap();
    assert!(
        store
            .persona_emails()
            .await
            .unwrap()
            .contains("jane.porter@shop.test")
    );
    let err = store.insert_personas(&a, &[person]).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
    assert!(err.to_string().contains("jane.porter@shop.test"));
}

#[tokio::test]
async fn template_names_are_unique_and_found_case_insensitively() {
    let (store, _) = common::fresh_database().await;
    let a = store.actor("alice").await.unwrap();
    let input = TemplateInput {
        name: "Family of Four".into(),
        ..Default::default()
    };
    let t = store.insert_template(&a, &input).await.unwrap();
    assert_eq!(
        store
            .template_by_name_or_id("family of four")
            .await
            .unwrap()
            .id,
        t.id
    );
    assert_eq!(
        store
            .template_by_name_or_id(&t.id.to_string())
            .await
            .unwrap()
            .id,
        t.id
    );
    assert!(matches!(
        store.insert_template(&a, &input).await,
        Err(StoreError::Duplicate(_))
    ));
}

#[tokio::test]
async fn check_constraints_guard_enum_columns() {
    let (store, _) = common::fresh_database().await;
    let err = sqlx::query("INSERT INTO operators (name, role) VALUES ('x', 'god')")
        .execute(store.pool())
        .await
        .map_err(StoreError::from)
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
}

#[tokio::test]
async fn a_server_that_is_down_is_unavailable_not_a_panic() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = secrecy::SecretString::from(format!("postgres://x:y@127.0.0.1:{port}/db"));
    let err = Store::connect(&url, 1, Duration::from_secs(2))
        .await
        .unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
}

/// A server that answers and refuses is not "unavailable": waiting for it would not help.
#[tokio::test]
async fn a_refused_login_is_not_unavailable() {
    let mut url = url::Url::parse(&common::service_env("DATABASE_URL")).unwrap();
    url.set_password(Some("not-the-password")).unwrap();
    let url = secrecy::SecretString::from(url.to_string());
    let err = Store::connect(&url, 1, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(!err.is_unavailable(), "{err:?}");
    assert!(err.to_string().contains("password authentication"), "{err}");
}

/// The schema holds a whole shop's life (later issues add behaviour, not tables), and its
/// constraints refuse the states that must never exist.
#[tokio::test]
async fn the_schema_holds_a_whole_shop_and_refuses_impossible_rows() {
    let (store, _) = common::fresh_database().await;
    let a = store.actor("alice").await.unwrap();
    let target = store.insert_target(&a, &grove()).await.unwrap();
    let pool = store.pool();
    let exec = |sql: &'static str| async move {
        sqlx::query(sql)
            .execute(pool)
            .await
            .map_err(StoreError::from)
    };
    exec("INSERT INTO mailboxes (address, kind) VALUES ('ops@shop.test', 'catch_all')")
        .await
        .unwrap();
    exec(
        "INSERT INTO personas (first_name, last_name, email, mailbox_id, rental_budget, bedrooms,
                               bathrooms, credit_score, monthly_income)
         VALUES ('Jane', 'Porter', 'jane.porter@shop.test', 1, 1800, 1, 1, 720, 6000)",
    )
    .await
    .unwrap();
    let shop_sql = format!(
        "INSERT INTO shops (target_id, persona_id, status, required_fields, started_by)
         VALUES ({}, 1, 'awaiting_review', '{{application_fee,pet_policy}}', {})",
        target.id, a.id
    );
    sqlx::query(sqlx::AssertSqlSafe(shop_sql))
        .execute(pool)
        .await
        .unwrap();
    exec(
        "INSERT INTO messages (shop_id, mailbox_id, direction, kind, status, message_id, subject)
         VALUES (1, 1, 'outbound', 'inquiry', 'pending_review', 'a1@shop.test', 'Hello')",
    )
    .await
    .unwrap();
    exec(
        "INSERT INTO messages (shop_id, mailbox_id, direction, kind, message_id, in_reply_to,
                               imap_folder, imap_uidvalidity, imap_uid, raw, responder_kind)
         VALUES (1, 1, 'inbound', 'response', 'r1@grove.test', 'a1@shop.test', 'INBOX', 7, 1,
                 '\\x00ff'::bytea, 'human')",
    )
    .await
    .unwrap();
    exec(
        "INSERT INTO facts (shop_id, field_path, value, source_message_id, evidence, confidence)
         VALUES (1, 'application_fee', '50', 2, 'the application fee is $50', 0.9)",
    )
    .await
    .unwrap();
    exec("INSERT INTO grades (shop_id, rubric_version, total) VALUES (1, 'v1', 82.5)")
        .await
        .unwrap();
    exec("INSERT INTO jobs (kind, payload) VALUES ('extract_facts', '{\"message_id\": 2}')")
        .await
        .unwrap();
    exec("INSERT INTO website_snapshots (target_id, root_url) VALUES (1, 'https://grove.test')")
        .await
        .unwrap();

    // Another mailbox copy with the same Message-ID (one mail to two personas) is kept.
    exec(
        "INSERT INTO messages (shop_id, mailbox_id, direction, kind, message_id, imap_folder,
                               imap_uidvalidity, imap_uid, raw)
         VALUES (1, 1, 'inbound', 'response', 'r1@grove.test', 'INBOX', 7, 2, '\\x00fe'::bytea)",
    )
    .await
    .unwrap();
    let refused = [
        // an outbound message without a draft status
        "INSERT INTO messages (shop_id, direction, kind) VALUES (1, 'outbound', 'inquiry')",
        // an inbound message with one
        "INSERT INTO messages (direction, kind, status) VALUES ('inbound', 'response', 'sent')",
        // the same IMAP message twice
        "INSERT INTO messages (mailbox_id, direction, kind, imap_folder, imap_uidvalidity, imap_uid)
         VALUES (1, 'inbound', 'unmatched', 'INBOX', 7, 1)",
        // two outbound messages with one Message-ID (we name our own)
        "INSERT INTO messages (shop_id, direction, kind, status, message_id)
         VALUES (1, 'outbound', 'inquiry', 'pending_review', 'a1@shop.test')",
        // a status the state machine does not know
        "UPDATE shops SET status = 'paused' WHERE id = 1",
        // a second current grade for one shop
        "INSERT INTO grades (shop_id, rubric_version, total) VALUES (1, 'v1', 70)",
        // a job kind nobody runs
        "INSERT INTO jobs (kind) VALUES ('mine_bitcoin')",
        // a shop for a target that does not exist
        "INSERT INTO shops (target_id, persona_id) VALUES (999, 1)",
    ];
    for sql in refused {
        let err = exec(sql).await.expect_err(sql);
        assert!(
            matches!(err, StoreError::Invalid(_) | StoreError::Duplicate(_)),
            "{sql}: {err:?}"
        );
    }

    // The Rust enums and the CHECK constraints spell every state the same way.
    use secret_shop::domain::message::DraftStatus;
    use secret_shop::domain::shop::ShopStatus;
    for status in ShopStatus::ALL {
        sqlx::query("UPDATE shops SET status = $1 WHERE id = 1")
            .bind(status.as_str())
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("shop status {status}: {e}"));
    }
    for status in DraftStatus::ALL {
        sqlx::query("UPDATE messages SET status = $1 WHERE id = 1")
            .bind(status.as_str())
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("draft status {status}: {e}"));
    }
}

#[tokio::test]
async fn a_persona_address_is_frozen_once_a_shop_used_it() {
    let (store, _) = common::fresh_database().await;
    let a = store.actor("alice").await.unwrap();
    let t = store.insert_target(&a, &grove()).await.unwrap();
    insert_jane(&store).await;
    let rename = "UPDATE personas SET email = 'jane.p@shop.test' WHERE id = 1";
    sqlx::query(rename)
        .execute(store.pool())
        .await
        .expect("unused: may change");
    store
        .create_shop(&a, t.id, secret_shop::domain::ids::PersonaId(1), &[])
        .await
        .unwrap();
    let err = sqlx::query("UPDATE personas SET email = 'jane@shop.test' WHERE id = 1")
        .execute(store.pool())
        .await
        .map_err(StoreError::from)
        .unwrap_err();
    assert!(err.to_string().contains("cannot change"), "{err}");
}

#[tokio::test]
async fn facts_merge_later_values_supersede_and_conflicts_are_kept() {
    use secret_shop::domain::community::Extraction;
    let (store, _) = common::fresh_database().await;
    let a = store.actor("alice").await.unwrap();
    let t = store.insert_target(&a, &grove()).await.unwrap();
    insert_jane(&store).await;
    let shop = store
        .create_shop(&a, t.id, secret_shop::domain::ids::PersonaId(1), &[])
        .await
        .unwrap();
    let mut first = Extraction::empty();
    first.set("application_fee", serde_json::json!(50), "app fee $50");
    first.set(
        "administration_fee",
        serde_json::json!(150),
        "admin fee $150",
    );
    assert_eq!(
        store
            .apply_extraction(shop.id, None, &first, "offline")
            .await
            .unwrap()
            .len(),
        2
    );
    // The same again adds nothing.
    assert!(
        store
            .apply_extraction(shop.id, None, &first, "offline")
            .await
            .unwrap()
            .is_empty()
    );
    let mut later = Extraction::empty();
    later.set(
        "administration_fee",
        serde_json::json!(0),
        "we waived the admin fee",
    );
    store
        .apply_extraction(shop.id, None, &later, "offline")
        .await
        .unwrap();
    let facts = store.shop_facts(shop.id).await.unwrap();
    assert_eq!(facts.len(), 3);
    let admin: Vec<_> = facts
        .iter()
        .filter(|f| f.field_path == "administration_fee")
        .collect();
    assert_eq!(admin.len(), 2, "both values kept");
    assert_eq!(admin[0].superseded_by, Some(admin[1].id));
    assert!(admin[1].conflict && admin[1].superseded_by.is_none());
    assert_eq!(admin[1].value, serde_json::json!(0));
}

/// Persona 1, Jane Porter, straight into the table.
async fn insert_jane(store: &Store) {
    sqlx::query(
        "INSERT INTO personas (first_name, last_name, email, rental_budget, bedrooms, bathrooms,
                               credit_score, monthly_income)
         VALUES ('Jane', 'Porter', 'jane.porter@shop.test', 1800, 1, 1, 720, 6000)",
    )
    .execute(store.pool())
    .await
    .unwrap();
}

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

//! `secret-shop audit` (issue 11, part 6): every decision on record with the operator's name,
//! filtered by shop, operator and time. Real Postgres.

mod common;

use common::mail::world;
use secret_shop::domain::message::MessageKind;

#[tokio::test]
async fn audit_lists_a_shops_decisions_by_operator_and_time() {
    let w = world().await;
    let bob = w.store.actor("bob").await.unwrap();
    let approved = w
        .draft_for(w.shop, MessageKind::Inquiry, "one", "Hi, is it available?")
        .await;
    w.store
        .approve_draft_with_undo(&w.actor, approved.id, approved.version, 60)
        .await
        .unwrap();
    w.store.recall_message(&w.actor, approved.id).await.unwrap();
    let rejected = w
        .draft_for(w.shop, MessageKind::Inquiry, "two", "Hi again.")
        .await;
    w.store
        .reject_draft(
            &bob,
            rejected.id,
            "too short",
            secret_shop::domain::reaction::on_rejection,
        )
        .await
        .unwrap();
    // Another shop's decisions stay out of this shop's list.
    let (_, other_shop) = w.another_shopper("Sam", "Lee").await;
    let other = w
        .draft_for(other_shop, MessageKind::Inquiry, "three", "Hello.")
        .await;
    w.store
        .reject_draft(
            &bob,
            other.id,
            "not this one",
            secret_shop::domain::reaction::on_rejection,
        )
        .await
        .unwrap();

    let run = |args: &[&str]| common::mail::run_binary(&w.env, args);
    let json = |args: &[&str]| -> Vec<serde_json::Value> {
        let out = run(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let shop = w.shop.0.to_string();
    let on_shop = json(&["audit", "--shop", &shop, "--json"]);
    let decisions: Vec<(String, String, i64)> = on_shop
        .iter()
        .filter(|e| e["entity_type"] == "message")
        .map(|e| {
            (
                e["operator"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["entity_id"].as_i64().unwrap(),
            )
        })
        .filter(|(_, a, _)| a != "create_draft" && a != "draft")
        .collect();
    for want in [
        ("tester".to_string(), "approve".to_string(), approved.id.0),
        ("tester".to_string(), "recall".to_string(), approved.id.0),
        ("bob".to_string(), "reject".to_string(), rejected.id.0),
    ] {
        assert!(decisions.contains(&want), "{want:?} not in {decisions:?}");
    }
    assert!(
        !on_shop
            .iter()
            .any(|e| e["entity_id"] == other.id.0 && e["entity_type"] == "message"),
        "another shop's decision is not listed"
    );
    let reasons: Vec<&str> = on_shop
        .iter()
        .filter_map(|e| e["detail"]["reason"].as_str())
        .collect();
    assert!(reasons.contains(&"too short"), "{reasons:?}");

    let bobs = json(&["audit", "--operator", "bob", "--json"]);
    assert!(bobs.iter().all(|e| e["operator"] == "bob"), "{bobs:?}");
    assert_eq!(
        bobs.iter().filter(|e| e["action"] == "reject").count(),
        2,
        "{bobs:?}"
    );
    assert!(json(&["audit", "--since", "2099-01-01", "--json"]).is_empty());

    let table = run(&["audit", "--shop", &shop]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("recall") && text.contains("bob"), "{text}");
    let bad = run(&["audit", "--since", "yesterday"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected a day"));
}

//! The review queue shared by several operators: claims that others see and that lapse, edits
//! and regenerations conditional on the version read, `$EDITOR` editing and concurrent approvals
//! from separate processes. Real Postgres, the real binary.

mod common;

use std::process::Command;

use common::mail::world;
use secret_shop::ai::Ai;
use secret_shop::domain::message::MessageKind;
use secret_shop::services::review;
use secret_shop::store::StoreError;

#[tokio::test]
async fn a_draft_held_by_one_operator_is_read_only_to_the_others_until_the_claim_lapses() {
    let w = world().await;
    let d = w
        .draft_for(w.shop, MessageKind::Inquiry, "2BR", "Hello there")
        .await;
    let alice = w.store.actor("alice").await.unwrap();
    let bob = w.store.actor("bob").await.unwrap();

    let held = w.store.claim_draft(&alice, d.id).await.unwrap();
    assert_eq!(held.claimed_by_name.as_deref(), Some("alice"));
    // The queue shows who holds it.
    let queue = w.store.pending_drafts().await.unwrap();
    assert_eq!(queue[0].claimed_by_name.as_deref(), Some("alice"));

    // Bob can read it but neither claim, edit, approve nor reject it; the error names alice.
    for result in [
        w.store.claim_draft(&bob, d.id).await.map(|_| ()),
        w.store
            .edit_draft(&bob, d.id, d.version, "x", "y")
            .await
            .map(|_| ()),
        w.store.approve_draft(&bob, d.id, d.version).await,
        w.store
            .reject_draft(
                &bob,
                d.id,
                "no",
                secret_shop::domain::reaction::on_rejection,
            )
            .await,
    ] {
        match result {
            Err(e @ StoreError::Held { .. }) => assert!(e.to_string().contains("alice"), "{e}"),
            other => panic!("expected Held, got {other:?}"),
        }
    }

    // Alice edits: the version moves on and the text is hers.
    let edited = w
        .store
        .edit_draft(
            &alice,
            d.id,
            d.version,
            "2BR question",
            "Hello, is it free?",
        )
        .await
        .unwrap();
    assert_eq!(edited.version, d.version + 1);

    // Her claim lapses (as if she walked away): bob may take it, but approving the version he
    // read before her edit is refused, so he never sends text he has not seen.
    sqlx::query("UPDATE messages SET claimed_until = now() - interval '1 second' WHERE id = $1")
        .bind(d.id)
        .execute(w.store.pool())
        .await
        .unwrap();
    assert!(
        w.store.pending_drafts().await.unwrap()[0]
            .claimed_by_name
            .is_none()
    );
    assert!(matches!(
        w.store.approve_draft(&bob, d.id, d.version).await,
        Err(StoreError::Conflict { .. })
    ));
    w.store.claim_draft(&bob, d.id).await.unwrap();
    w.store
        .approve_draft(&bob, d.id, edited.version)
        .await
        .unwrap();
    let after = w.store.message(d.id).await.unwrap();
    assert_eq!(after.status.unwrap().as_str(), "approved");
    assert!(after.claimed_by_name.is_none(), "approving ends the claim");
    assert_eq!(after.body_text, "Hello, is it free?");

    // Every decision is in the audit log under the operator's name.
    let log: Vec<(String, String)> = sqlx::query_as(
        "SELECT operator, action FROM audit_log WHERE entity_type = 'message' AND entity_id = $1
         ORDER BY id",
    )
    .bind(d.id)
    .fetch_all(w.store.pool())
    .await
    .unwrap();
    assert!(log.contains(&("alice".into(), "edit".into())), "{log:?}");
    assert!(log.contains(&("bob".into(), "approve".into())), "{log:?}");
}

#[tokio::test]
async fn regenerating_follows_the_instructions_and_keeps_what_the_draft_asked_for() {
    let w = world().await;
    let ai = Ai::offline();
    let d = w.inquiry_draft(&["application_fee", "pet_policy"]).await;
    let again = review::regenerate(
        &w.store,
        &ai,
        &w.actor,
        d.id,
        Some(d.version),
        Some("  mention the cat is indoor-only  "),
    )
    .await
    .unwrap();
    assert_eq!(again.version, d.version + 1);
    assert!(
        again.body_text.contains("The cat is indoor-only."),
        "{}",
        again.body_text
    );
    let g = again.generation.unwrap();
    assert_eq!(g["instructions"], "mention the cat is indoor-only");
    assert_eq!(g["attempt"], 1);
    assert_eq!(
        g["missing"],
        serde_json::json!(["application_fee", "pet_policy"])
    );
    // The stale version cannot be regenerated over.
    assert!(
        review::regenerate(&w.store, &ai, &w.actor, d.id, Some(d.version), None)
            .await
            .is_err()
    );
}

fn cli(w: &common::mail::World, operator: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_secret-shop"));
    let dir = std::env::temp_dir();
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &dir)
        .env(
            "SECRET_SHOP_LOG_FILE",
            dir.join("secret-shop-review-test.log"),
        );
    for (k, v) in &w.env {
        cmd.env(k, v);
    }
    cmd.env("SECRET_SHOP_OPERATOR", operator);
    cmd
}

#[tokio::test]
async fn draft_edit_opens_the_editor_and_saves_only_a_changed_text() {
    let w = world().await;
    let d = w
        .draft_for(
            w.shop,
            MessageKind::Inquiry,
            "2BR",
            "Hello there, is the 2BR free?",
        )
        .await;
    // The "editor" is sed, as a script would be: it rewrites the body in place.
    let out = cli(&w, "alice")
        .args(["draft", "edit", &d.id.to_string()])
        .env("EDITOR", "sed -i s/Hello/Howdy/")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("saved draft"));
    let m = w.store.message(d.id).await.unwrap();
    assert_eq!(m.body_text, "Howdy there, is the 2BR free?");
    assert_eq!(m.subject, "2BR");
    assert_eq!(m.version, d.version + 1);

    // An editor that changes nothing saves nothing and lets go of the draft.
    let out = cli(&w, "alice")
        .args(["draft", "edit", &d.id.to_string()])
        .env("EDITOR", "true")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no change"));
    assert_eq!(w.store.message(d.id).await.unwrap().version, m.version);

    // While bob holds it, alice's editor never opens and she is told who has it.
    let bob = w.store.actor("bob").await.unwrap();
    w.store.claim_draft(&bob, d.id).await.unwrap();
    let out = cli(&w, "alice")
        .args(["draft", "edit", &d.id.to_string()])
        .env("EDITOR", "sed -i s/Howdy/Hey/")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bob"), "{err}");
    assert!(
        w.store
            .message(d.id)
            .await
            .unwrap()
            .body_text
            .starts_with("Howdy")
    );

    // A broken first line is refused and the draft kept.
    w.store.release_draft(&bob, d.id).await.unwrap();
    let out = cli(&w, "alice")
        .args(["draft", "edit", &d.id.to_string()])
        .env("EDITOR", "sed -i 1d")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Subject:"));
    assert!(
        w.store
            .message(d.id)
            .await
            .unwrap()
            .claimed_by_name
            .is_none()
    );
}

#[tokio::test]
async fn two_processes_approving_the_same_draft_approve_it_once() {
    let w = world().await;
    let d = w
        .draft_for(w.shop, MessageKind::Inquiry, "2BR", "Hello")
        .await;
    let id = d.id.to_string();
    let version = d.version.to_string();
    let children: Vec<_> = ["alice", "bob"]
        .into_iter()
        .map(|op| {
            cli(&w, op)
                .args(["draft", "approve", &id, "--version", &version])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outcomes: Vec<bool> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.success())
        .collect();
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
    let approvals: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'approve' AND entity_id = $1",
    )
    .bind(d.id)
    .fetch_one(w.store.pool())
    .await
    .unwrap();
    assert_eq!(approvals, 1);
}

/// Editing a persona changes what it may change, at the version read, audited.
#[tokio::test]
async fn a_persona_edit_is_conditional_on_the_version_and_audited() {
    let w = world().await;
    let alice = w.store.actor("alice").await.unwrap();
    let edit = secret_shop::domain::persona::PersonaEdit::parse(|k| {
        match k {
            "rental_budget" => "2100",
            "bedrooms" => "3",
            "bathrooms" => "2",
            "credit_score" => "750",
            "monthly_income" => "7500",
            "move_in_date" => "2027-02-01",
            "pets" => "a small dog",
            _ => "",
        }
        .to_string()
    })
    .unwrap();
    let before = w.persona.version;
    let after = w
        .store
        .update_persona(&alice, w.persona.id, before, &edit)
        .await
        .unwrap();
    assert_eq!(after.version, before + 1);
    assert_eq!((after.rental_budget, after.bedrooms), (2100, 3));
    assert_eq!(after.pets, "a small dog");
    assert_eq!(
        after.email, w.persona.email,
        "the address never changes here"
    );
    // Someone who read the old version loses, and changes nothing.
    assert!(matches!(
        w.store
            .update_persona(&alice, w.persona.id, before, &edit)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE operator = 'alice' AND action = 'update'
           AND entity_type = 'persona' AND entity_id = $1",
    )
    .bind(w.persona.id)
    .fetch_one(w.store.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // Bad values are named by field.
    let errs = secret_shop::domain::persona::PersonaEdit::parse(|k| {
        if k == "credit_score" { "9000" } else { "x" }.to_string()
    })
    .unwrap_err();
    assert!(errs.iter().any(|e| e.field == "credit_score"));
}

/// A template is edited only from the state it was read in, and retiring one hides it.
#[tokio::test]
async fn a_template_edit_is_conditional_and_retiring_hides_it() {
    let w = world().await;
    let alice = w.store.actor("alice").await.unwrap();
    let input = secret_shop::domain::persona::TemplateInput {
        name: "students".into(),
        ..Default::default()
    }
    .validated()
    .unwrap();
    let t = w.store.insert_template(&alice, &input).await.unwrap();
    let seen = t.updated_at.unwrap();
    let changed = secret_shop::domain::persona::TemplateInput {
        budget: (900, 1300),
        ..input.clone()
    };
    let after = w
        .store
        .update_template(&alice, t.id, seen, &changed)
        .await
        .unwrap();
    assert_eq!((after.budget_min, after.budget_max), (900, 1300));
    // A second operator who read it before the change loses and changes nothing.
    assert!(matches!(
        w.store.update_template(&alice, t.id, seen, &input).await,
        Err(StoreError::Conflict { .. })
    ));
    w.store.retire_template(&alice, t.id).await.unwrap();
    assert!(
        !w.store
            .list_templates()
            .await
            .unwrap()
            .iter()
            .any(|x| x.id == t.id)
    );
}

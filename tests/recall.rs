//! Approval you can take back (issue 11, part 3): an approved message waits out the undo window
//! before the outbox may send it, and until the outbox takes it an operator can recall it into
//! the review queue. Deliveries are checked over IMAP in the agent's mailbox.

mod common;

use std::time::Duration;

use common::mail::{mailbox_contents, wait_until, world};
use secret_shop::domain::message::DraftStatus;
use secret_shop::domain::message::MessageKind;

fn holds(raw: &[u8], message_id: &str) -> bool {
    String::from_utf8_lossy(raw).contains(message_id.trim_matches(['<', '>']))
}

#[tokio::test]
async fn a_recalled_message_is_never_delivered_and_one_left_alone_goes_once_after_the_window() {
    let w = world().await;
    let engine = w.engine().await;
    let recalled = w
        .draft_for(
            w.shop,
            MessageKind::Inquiry,
            "recalled",
            "Hi, this one is recalled.",
        )
        .await;
    let kept = w
        .draft_for(w.shop, MessageKind::Inquiry, "kept", "Hi, this one goes.")
        .await;
    const UNDO: u64 = 3;
    for d in [&recalled, &kept] {
        w.store
            .approve_draft_with_undo(&w.actor, d.id, d.version, UNDO)
            .await
            .unwrap();
    }
    // Inside the window the outbox leaves both alone.
    assert_eq!(engine.sender.pass(&mut None).await.unwrap().sent, 0);
    w.store.recall_message(&w.actor, recalled.id).await.unwrap();
    let m = w.store.message(recalled.id).await.unwrap();
    assert_eq!(m.status, Some(DraftStatus::PendingReview));
    assert!(m.version > recalled.version, "a new version");

    let went = wait_until(Duration::from_secs(30), || async {
        engine.sender.pass(&mut None).await.unwrap().sent >= 1
    })
    .await;
    assert!(
        went.is_some(),
        "the message left alone goes after the window"
    );
    let k = w.store.message(kept.id).await.unwrap();
    assert_eq!(k.status, Some(DraftStatus::Sent));
    let (approved_at, sent_at): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT approved_at, sent_at FROM messages WHERE id = $1")
            .bind(kept.id)
            .fetch_one(w.store.pool())
            .await
            .unwrap();
    assert!(
        sent_at - approved_at >= chrono::Duration::seconds(UNDO as i64),
        "sent {} after the approval, inside the undo window",
        sent_at - approved_at
    );

    // Over IMAP: the kept one arrived once, the recalled one never.
    let kept_id = k.message_id.clone().unwrap();
    let recalled_id = m.message_id.clone().unwrap();
    let arrived = wait_until(Duration::from_secs(10), || async {
        mailbox_contents(&w.agent_address())
            .await
            .iter()
            .any(|raw| holds(raw, &kept_id))
    })
    .await;
    assert!(arrived.is_some());
    // More passes: nothing else goes (the recalled draft waits for review).
    for _ in 0..3 {
        assert_eq!(engine.sender.pass(&mut None).await.unwrap().sent, 0);
    }
    let mail = mailbox_contents(&w.agent_address()).await;
    assert_eq!(mail.iter().filter(|r| holds(r, &kept_id)).count(), 1);
    assert_eq!(mail.iter().filter(|r| holds(r, &recalled_id)).count(), 0);

    // Too late: it went, and recall says so plainly.
    let err = w
        .store
        .recall_message(&w.actor, kept.id)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("was sent at") && err.contains("too late to recall"),
        "{err}"
    );
    let recalls: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'recall' AND operator = 'tester'",
    )
    .fetch_one(w.store.pool())
    .await
    .unwrap();
    assert_eq!(
        recalls, 1,
        "the recall is on the record with the operator's name"
    );
}

/// From the command line: approve with the default window, recall, see it back in the queue.
#[tokio::test]
async fn approve_then_recall_from_the_command_line() {
    let w = world().await;
    let d = w
        .draft_for(
            w.shop,
            MessageKind::Inquiry,
            "cli",
            "Hi from the command line.",
        )
        .await;
    let mut env = w.env.clone();
    env.insert("SECRET_SHOP_UNDO_SECONDS".into(), "60".into());
    let run = |args: &[&str]| common::mail::run_binary(&env, args);
    let id = d.id.0.to_string();
    let out = run(&["draft", "approve", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("can be recalled for 60 s"));
    let out = run(&["draft", "recall", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = w.store.message(d.id).await.unwrap();
    assert_eq!(m.status, Some(DraftStatus::PendingReview));
    let out = run(&["draft", "recall", &id]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not approved"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

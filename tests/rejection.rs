//! A rejection is final (issue 11, part 2): the planner does not draft the rejected step again
//! until something changes, the shop says who rejected it and why, and a draft an operator asks
//! for heeds the rejection and never repeats a rejected text. Real Postgres, Postfix, Dovecot.

mod common;

use common::mail::{World, wait_for_mail, world};
use secret_shop::ai::Ai;
use secret_shop::domain::message::MessageKind;
use secret_shop::domain::planner::Sequence;
use secret_shop::services::shops::draft_next;

fn quick() -> Sequence {
    Sequence {
        nudge_after_hours: 48,
        follow_up_after_reply_hours: 0,
        max_follow_ups: 3,
        shop_timeout_days: 14,
    }
}

async fn shop_next_step(w: &World) -> String {
    let rows = w.store.shop_rows(50, 0).await.unwrap();
    let row = rows.iter().find(|r| r.id == w.shop).expect("the shop");
    secret_shop::tui::panes::shops::next_step(row)
}

#[tokio::test]
async fn a_rejected_follow_up_is_not_drafted_again_and_a_new_one_differs() {
    let w = world().await;
    let mut engine = w.engine().await;
    engine.scheduler.sequence = quick();
    let follow = w.replied_with_gaps(&engine).await;

    w.store
        .reject_draft(
            &w.actor,
            follow.id,
            "too pushy about parking",
            secret_shop::domain::reaction::on_rejection,
        )
        .await
        .unwrap();
    // Several passes of the whole engine (sync, send, jobs, planner): nothing comes back.
    for pass in 0..5 {
        let r = engine.run_once().await.unwrap();
        assert_eq!(r.schedule.drafted, 0, "pass {pass}: {r:?}");
    }
    assert!(w.store.pending_drafts().await.unwrap().is_empty());
    let step = shop_next_step(&w).await;
    assert!(
        step.starts_with("follow-up rejected by tester: too pushy about parking"),
        "{step}"
    );

    // The operator asks for a new one: drafted, different from the rejected text.
    let ai = Ai::offline();
    let fresh = draft_next(&w.store, &ai, &w.actor, w.shop).await.unwrap();
    assert_eq!(fresh.kind, MessageKind::FollowUp);
    assert_ne!(
        fresh.body_text.split_whitespace().collect::<Vec<_>>(),
        follow.body_text.split_whitespace().collect::<Vec<_>>(),
        "the rejected text is not offered again"
    );
    // One at a time: a second request is refused while this one waits for review.
    let again = draft_next(&w.store, &ai, &w.actor, w.shop).await;
    assert!(again.unwrap_err().to_string().contains("awaiting review"),);
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'reject' AND operator = 'tester'",
    )
    .fetch_one(w.store.pool())
    .await
    .unwrap();
    assert_eq!(
        audit, 1,
        "the rejection is on the record with the operator's name"
    );
}

#[tokio::test]
async fn a_new_reply_after_a_rejection_lets_the_planner_draft_again_without_repeating() {
    let w = world().await;
    let mut engine = w.engine().await;
    engine.scheduler.sequence = quick();
    let follow = w.replied_with_gaps(&engine).await;
    w.store
        .reject_draft(
            &w.actor,
            follow.id,
            "wrong tone",
            secret_shop::domain::reaction::on_rejection,
        )
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().schedule.drafted, 0);

    // The agent writes again: something changed, the planner drafts, avoiding the rejected text.
    w.agent_sends(
        "Re: 2-bedroom",
        "Also, cats are welcome with a $300 deposit.\r\n\r\nMaria",
        "",
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 3).await;
    let mut drafted = 0;
    for _ in 0..3 {
        drafted += engine.run_once().await.unwrap().schedule.drafted;
    }
    assert_eq!(drafted, 1);
    let next = w.store.pending_drafts().await.unwrap().remove(0);
    assert_ne!(
        next.body_text.split_whitespace().collect::<Vec<_>>(),
        follow.body_text.split_whitespace().collect::<Vec<_>>()
    );
}

/// `draft new SHOP` from the command line, after a rejection.
#[tokio::test]
async fn draft_new_from_the_command_line() {
    let w = world().await;
    let mut engine = w.engine().await;
    engine.scheduler.sequence = quick();
    let follow = w.replied_with_gaps(&engine).await;
    w.store
        .reject_draft(
            &w.actor,
            follow.id,
            "ask about parking only",
            secret_shop::domain::reaction::on_rejection,
        )
        .await
        .unwrap();
    let out = common::mail::run_binary(&w.env, &["draft", "new", &w.shop.0.to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("drafted follow-up #"), "{text}");
    assert_eq!(w.store.pending_drafts().await.unwrap().len(), 1);
}

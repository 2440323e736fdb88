//! The real binary in tmux (issue 11): approve a draft, see the undo countdown, recall it with
//! `u` inside the window, and find it back in the review queue, held by the operator.

mod common;

use std::time::Duration;

use common::tmux::{Stderr, Tmux, write_script};
use common::{Cli, fresh_database};

#[tokio::test]
async fn approve_then_recall_within_the_window_in_a_real_terminal() {
    let (store, url) = fresh_database().await;
    let mut cli = Cli::new(&url);
    assert!(cli.ok(&["demo"]).contains("loaded demo data"));
    cli.set("SECRET_SHOP_UNDO_SECONDS", "120");
    let draft = store.pending_drafts().await.unwrap().remove(0);

    let tmux = Tmux::start(&write_script(&cli, &["tui", "--no-engine"], Stderr::File));
    tmux.wait("the dashboard", Duration::from_secs(30), |s| {
        s.contains("to review")
    })
    .await;
    tmux.key("3");
    tmux.wait_pane("Review queue (1)").await;
    tmux.key("Enter");
    tmux.wait_text(&format!("Draft #{} —", draft.id)).await;
    tmux.key("a");
    let dialog = tmux
        .wait_text(&format!("Approve draft #{}?", draft.id))
        .await;
    assert!(
        dialog.contains("From: ") && dialog.contains("Subject: "),
        "{dialog}"
    );
    tmux.key("y");
    let screen = tmux
        .wait("the undo countdown", Duration::from_secs(10), |s| {
            s.contains(&format!("approved #{} (undo 1:", draft.id))
        })
        .await;
    assert!(
        screen.contains("u recalls it"),
        "the review pane says how: {screen}"
    );
    let status: String = sqlx::query_scalar("SELECT status::text FROM messages WHERE id = $1")
        .bind(draft.id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(status, "approved");

    tmux.key("u");
    tmux.wait("the recall", Duration::from_secs(10), |s| {
        s.contains(&format!("recalled #{}", draft.id))
    })
    .await;
    let (status, holder): (String, Option<String>) = sqlx::query_as(
        "SELECT m.status::text, o.name FROM messages m
         LEFT JOIN operators o ON o.id = m.claimed_by AND m.claimed_until > now()
         WHERE m.id = $1",
    )
    .bind(draft.id)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), holder.as_deref()),
        ("pending_review", Some("tester"))
    );
    let screen = tmux
        .wait(
            "the draft back in the queue, held by you",
            Duration::from_secs(10),
            |s| {
                s.lines()
                    .any(|l| l.starts_with(&format!("│{} ", draft.id)) && l.contains(" you "))
            },
        )
        .await;
    assert!(
        !screen.contains("(undo "),
        "the countdown is gone: {screen}"
    );
    tmux.key("q");
    tmux.wait_exit().await;
}

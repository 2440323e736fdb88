//! The real binary in tmux with its engine running (issue 11): reject a follow-up with a reason,
//! let the scheduler pass over the shop several times, and see that nothing came back: the
//! review queue stays empty and the shop says who rejected it and why. The TUI logs in as an
//! operator's own role (issue 12), so its engine runs with an operator's privileges too.

mod common;

use std::time::Duration;

use common::Cli;
use common::mail::world;
use common::roles::Login;
use common::tmux::{Stderr, Tmux, poll, write_script};

const REASON: &str = "too pushy about parking";

/// Scheduler passes the worker has logged so far.
fn passes(log: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("scheduler pass"))
        .count()
}

#[tokio::test]
async fn a_rejected_follow_up_does_not_come_back_while_the_scheduler_runs() {
    let w = world().await;
    let mut engine = w.engine().await;
    engine.scheduler.sequence.follow_up_after_reply_hours = 0;
    let follow = w.replied_with_gaps(&engine).await;
    drop(engine);

    let login = Login::new(&w.url, "secret_shop_operator").await;
    let mut cli = Cli::new(&login.url);
    for (k, v) in &w.env {
        cli.set(k, v);
    }
    // The login is the operator: nothing claims another name.
    cli.set("DATABASE_URL", &login.url);
    cli.env.retain(|(k, _)| k != "SECRET_SHOP_OPERATOR");
    // The TUI's own engine plans every second and follows up at once after a reply.
    std::fs::write(
        cli.config_path(),
        "[follow_up]\nfollow_up_after_reply_hours = 0\nplan_every_secs = 1\n",
    )
    .unwrap();
    let log = w.env["SECRET_SHOP_LOG_FILE"].clone();

    let tmux = Tmux::start(&write_script(&cli, &["tui"], Stderr::File));
    tmux.wait("the dashboard", Duration::from_secs(30), |s| {
        s.contains("engine on")
    })
    .await;
    tmux.key("3");
    tmux.wait_pane("Review queue (1)").await;
    tmux.key("Enter");
    tmux.wait_text(&format!("Draft #{} — follow_up", follow.id))
        .await;
    tmux.key("r");
    tmux.type_text(REASON);
    tmux.key("Enter");
    tmux.wait_pane("Review queue (0)").await;
    let rejected: String = sqlx::query_scalar("SELECT status::text FROM messages WHERE id = $1")
        .bind(follow.id)
        .fetch_one(w.store.pool())
        .await
        .unwrap();
    assert_eq!(rejected, "rejected");

    // Three scheduler passes after the rejection, by the worker's own log.
    let before = passes(&log);
    poll(
        "three scheduler passes after the rejection",
        Duration::from_secs(30),
        || (passes(&log) >= before + 3).then_some(()),
    )
    .await;
    assert!(
        w.store.pending_drafts().await.unwrap().is_empty(),
        "the planner drafted the rejected step again"
    );
    tmux.key("2");
    let screen = tmux
        .wait(
            "the shop's next step says who rejected what",
            Duration::from_secs(10),
            |s| s.contains(&format!("follow-up rejected by {}: {REASON}", login.name)),
        )
        .await;
    assert!(!screen.contains("Review ("), "nothing to review: {screen}");
    tmux.key("q");
    tmux.wait_exit().await;
    let stderr = std::fs::read_to_string(cli.dir.path().join("stderr.txt")).unwrap_or_default();
    assert!(stderr.is_empty(), "the TUI wrote to stderr: {stderr}");
    let denied = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("permission denied"))
        .map(String::from)
        .collect::<Vec<_>>();
    assert!(denied.is_empty(), "the engine was refused: {denied:#?}");
    login.drop().await;
}

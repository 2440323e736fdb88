//! The real binary in a real terminal: `secret-shop tui --no-engine` inside a detached tmux
//! session (private server socket, 100x30) on a fresh demo database. Keys go in with
//! `send-keys`, the screen comes back with `capture-pane`; every wait polls with a deadline.

mod common;

use std::time::{Duration, Instant};

use secret_shop::domain::ids::MessageId;
use secret_shop::store::Store;

use common::tmux::{DONE, Stderr, Tmux, write_script};
use common::{Cli, fresh_database};

/// Polls the database until `ready` holds on what `read` returns.
async fn db_until<T: std::fmt::Debug, F: Future<Output = T>>(
    what: &str,
    read: impl Fn() -> F,
    ready: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = read().await;
        if ready(&v) {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: still {v:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn draft_state(store: &Store, id: MessageId) -> (String, Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT m.status, h.name, a.name FROM messages m
         LEFT JOIN operators h ON h.id = m.claimed_by AND m.claimed_until > now()
         LEFT JOIN operators a ON a.id = m.approved_by
         WHERE m.id = $1",
    )
    .bind(id)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

/// What a test runs against: the demo database with one more shop started (two inquiries to
/// review, oldest first in `pending`), and the TUI up on its dashboard in a tmux pane.
struct Running {
    store: Store,
    pending: Vec<MessageId>,
    tmux: Tmux,
    /// Holds the config, log and script; outlives nothing it needs.
    cli: Cli,
    /// The dashboard as first drawn.
    first_screen: String,
}

async fn launch() -> Running {
    let (store, url) = fresh_database().await;
    let cli = Cli::new(&url);
    assert!(cli.ok(&["demo"]).contains("loaded demo data"));
    // The demo leaves one inquiry to review; an operator starts one more shop on the target and
    // persona of the demo's shop that was just started.
    let shops = cli.json(&["shop", "list", "--json"]);
    let fresh = shops
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == "new")
        .expect("the demo has a shop just started");
    cli.ok(&[
        "shop",
        "start",
        "--target",
        &fresh["target_id"].to_string(),
        "--persona",
        &fresh["persona_id"].to_string(),
        "--force",
    ]);
    let pending: Vec<MessageId> = store
        .pending_drafts()
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(pending.len(), 2);

    let tmux = Tmux::start(&write_script(&cli, &["tui", "--no-engine"], Stderr::File));
    assert_eq!(tmux.display("#{window_width}x#{window_height}"), "100x30");
    let first_screen = tmux
        .wait("the dashboard", Duration::from_secs(30), |s| {
            s.contains("pending reviews") && s.contains("2 to review")
        })
        .await;
    Running {
        store,
        pending,
        tmux,
        cli,
        first_screen,
    }
}

#[tokio::test]
async fn the_tui_in_a_real_terminal_reviews_a_draft_and_restores_the_terminal() {
    let Running {
        store,
        pending,
        tmux,
        cli,
        first_screen: screen,
    } = launch().await;
    let first = pending[0];

    // The dashboard, with the status bar: operator, database, engine, pending reviews.
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "the TUI owns the screen"
    );
    let lines: Vec<&str> = screen.lines().collect();
    assert_eq!(lines.len(), 30, "{screen}");
    assert!(lines[0].contains("3 Review (2)"), "{screen}");
    let status = lines[29];
    for part in ["tester", "db ok", "engine off", "2 to review"] {
        assert!(status.contains(part), "status bar lacks `{part}`: {status}");
    }
    let figure = lines
        .iter()
        .find(|l| l.contains("pending reviews"))
        .unwrap();
    assert!(
        figure.split_whitespace().any(|w| w == "2"),
        "dashboard figure: {figure}"
    );

    // Every pane by its number key, each recognised by the title on its top border; the lists
    // show their demo rows.
    for (key, title, rows) in [
        ("2", "Shops", Some(12)),
        ("3", "Review queue", Some(2)),
        ("4", "Inbox", None),
        ("5", "Targets", Some(6)),
        ("6", "Personas", Some(6)),
        ("7", "Reports", None),
        ("1", "Dashboard", None),
    ] {
        tmux.key(key);
        let border = format!("┌ {title}");
        let count = rows.map(|n| format!("({n})")).unwrap_or_default();
        tmux.wait(&format!("the {title} pane"), Duration::from_secs(10), |s| {
            s.lines()
                .nth(1)
                .is_some_and(|l| l.starts_with(&border) && l.contains(&count))
        })
        .await;
    }
    // Tab goes to the next pane.
    tmux.key("Tab");
    tmux.wait_pane("Shops").await;

    // The review queue: Enter opens the first draft and claims it; Esc closes and releases it.
    tmux.key("3");
    tmux.wait_pane("Review queue (2)").await;
    tmux.key("Enter");
    let screen = tmux.wait_text(&format!("Draft #{first} —")).await;
    assert!(screen.contains("Asks for"), "{screen}");
    assert_eq!(
        draft_state(&store, first).await,
        ("pending_review".into(), Some("tester".into()), None),
        "opening claims it"
    );
    tmux.escape().await;
    tmux.wait("the queue again", Duration::from_secs(10), |s| {
        s.contains("Review queue (2)") && !s.contains("Draft #")
    })
    .await;
    db_until(
        "the claim is released on Esc",
        || draft_state(&store, first),
        |s| s.1.is_none(),
    )
    .await;

    // Open again, approve, confirm: the draft leaves the queue, and the database agrees.
    tmux.key("Enter");
    tmux.wait_text(&format!("Draft #{first} —")).await;
    tmux.key("a");
    tmux.wait_text(&format!("Approve draft #{first}")).await;
    assert_eq!(
        draft_state(&store, first).await.0,
        "pending_review",
        "nothing happens before the answer"
    );
    tmux.key("y");
    let screen = tmux
        .wait(
            "the queue without the draft",
            Duration::from_secs(10),
            |s| s.contains("3 Review (1)") && s.contains("1 to review"),
        )
        .await;
    assert!(!screen.contains("3 Review (2)"), "{screen}");
    assert_eq!(
        draft_state(&store, first).await,
        ("approved".into(), None, Some("tester".into()))
    );
    let left: Vec<MessageId> = store
        .pending_drafts()
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(left, vec![pending[1]]);

    // q quits; the shell gets its terminal back as it was.
    tmux.key("q");
    let screen = tmux
        .wait("the shell after the TUI", Duration::from_secs(15), |s| {
            s.contains(DONE)
        })
        .await;
    assert!(screen.contains("exit status 0"), "{screen}");
    assert!(screen.contains("tty settings restored"), "{screen}");
    assert!(
        screen.lines().any(|l| l.trim_end() == DONE),
        "output starts at the left margin again (no raw mode): {screen}"
    );
    assert!(
        !screen.contains("Review queue"),
        "the TUI's screen is gone: {screen}"
    );
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "0",
        "alternate screen left"
    );
    assert_eq!(tmux.display("#{cursor_flag}"), "1", "cursor shown again");
    let stderr = std::fs::read_to_string(cli.dir.path().join("stderr.txt")).unwrap();
    assert!(stderr.is_empty(), "the TUI wrote to stderr: {stderr}");
}

/// Quitting with a draft open lets go of it, so another operator can take it at once.
#[tokio::test]
async fn quitting_with_a_draft_open_releases_it() {
    let Running {
        store,
        pending,
        tmux,
        cli: _cli,
        ..
    } = launch().await;
    let first = pending[0];
    tmux.key("3");
    tmux.wait_pane("Review queue (2)").await;
    tmux.key("Enter");
    tmux.wait_text(&format!("Draft #{first} —")).await;
    assert_eq!(
        draft_state(&store, first).await.1.as_deref(),
        Some("tester")
    );
    tmux.key("q");
    tmux.wait("the shell after the TUI", Duration::from_secs(15), |s| {
        s.contains(DONE)
    })
    .await;
    assert_eq!(
        draft_state(&store, first).await,
        ("pending_review".into(), None, None),
        "the claim outlived the TUI"
    );
}

/// With no mailbox configured the TUI still opens (issue 14): the engine is off and the status
/// bar says why, instead of refusing to start.
#[tokio::test]
async fn with_no_mailbox_configured_the_tui_opens_with_the_engine_off() {
    let (_store, url) = fresh_database().await;
    let cli = Cli::new(&url);
    assert!(cli.ok(&["demo"]).contains("loaded demo data"));
    assert!(
        !cli.env.iter().any(|(k, _)| k == "SECRET_SHOP_IMAP_USER"),
        "no mailbox in this environment"
    );
    let tmux = Tmux::start(&write_script(&cli, &["tui"], Stderr::File));
    let screen = tmux
        .wait("the status bar", Duration::from_secs(30), |s| {
            s.contains("engine off (")
        })
        .await;
    assert!(
        screen.contains("engine off (no mailbox configured"),
        "{screen}"
    );
    tmux.key("q");
    let after = tmux.wait_exit().await;
    common::tmux::assert_clean_exit(&tmux, &after);
}

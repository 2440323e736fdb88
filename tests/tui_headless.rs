//! The TUI's core driven headless against a real database: an `App` and a `Runtime` on a fresh
//! demo database, effects run through `Runtime::run` and their events fed back, the way the event
//! loop does it, minus the terminal. Then two operators, each with their own app, runtime and
//! LISTEN task on one database: claims and decisions of one show up in the other's app, driven
//! only by the NOTIFYs their listener receives.

mod common;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secret_shop::ai::Ai;
use secret_shop::config::Config;
use secret_shop::domain::ids::{MessageId, ShopId};
use secret_shop::services::demo::load_demo;
use secret_shop::services::shops::start_shop;
use secret_shop::store::{EVENTS_CHANNEL, InboxFilter, Store};
use secret_shop::tui::action::Action;
use secret_shop::tui::app::App;
use secret_shop::tui::effect::Effect;
use secret_shop::tui::event::{Changed, Event};
use secret_shop::tui::keymap::Keymap;
use secret_shop::tui::runtime::{Runtime, listen};
use secret_shop::tui::state::{Modal, Pane, PromptFor};
use secret_shop::tui::theme::Theme;
use secret_shop::tui::view;
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::task::JoinHandle;

use common::fresh_database;

/// The config an operator's process would load: built-in defaults, an empty config file, the
/// operator's name and the persona mail domain from the environment.
fn config_for(operator: &str) -> Arc<Config> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "").unwrap();
    let env = |k: &str| match k {
        "SECRET_SHOP_OPERATOR" => Some(operator.to_string()),
        "SECRET_SHOP_MAIL_DOMAIN" => Some("shop.test".to_string()),
        _ => None,
    };
    Arc::new(Config::load_with_env(Some(&path), &env).expect("test config"))
}

/// A second connection pool on the same database: another operator's process.
async fn connect(url: &str) -> Store {
    Store::connect(
        &secrecy::SecretString::from(url.to_string()),
        5,
        Duration::from_secs(10),
    )
    .await
    .expect("connect")
}

/// A fresh database with the demo set loaded, and one more shop started on the demo's "new"
/// shop's target and persona: two inquiries await review.
async fn demo_database() -> (Store, String) {
    let (store, url) = fresh_database().await;
    let loader = store.actor("demo-loader").await.unwrap();
    load_demo(&store, &loader, &config_for("demo-loader"))
        .await
        .expect("demo loads")
        .expect("the database was empty");
    let shops = store.shop_rows(500, 0).await.unwrap();
    let fresh = shops
        .iter()
        .find(|s| s.status.as_str() == "new")
        .expect("the demo has a shop just started");
    start_shop(
        &store,
        &Ai::offline(),
        &loader,
        fresh.target_id,
        fresh.persona_id,
        &[],
        true,
        0,
    )
    .await
    .expect("another shop starts");
    (store, url)
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Event {
    key(KeyCode::Char(c))
}

/// One operator's UI without a terminal: what the event loop does, in order, and synchronously,
/// so every step of a test sees the state its events left behind.
struct Driver {
    app: App,
    rt: Runtime,
    /// What the LISTEN task sends (nothing else sends here: effects are run in place).
    rx: UnboundedReceiver<Event>,
    listener: Option<JoinHandle<()>>,
    /// Effects only the terminal runs (alerts, the external editor, quit), in order.
    skipped: Vec<Effect>,
    /// Effects that failed, with their error.
    errors: Vec<String>,
    /// Change notices the listener delivered and this driver fed to the app.
    changes: Vec<Changed>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(l) = self.listener.take() {
            l.abort();
        }
    }
}

impl Driver {
    async fn new(store: Store, operator: &str) -> Driver {
        let config = config_for(operator);
        let actor = store.actor(operator).await.unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        let rt = Runtime::new(store, Ai::from_config(&config.ai), actor, config, tx);
        Driver {
            app: App::new(operator, Keymap::default_map(), false, Utc::now()),
            rt,
            rx,
            listener: None,
            skipped: Vec::new(),
            errors: Vec::new(),
            changes: Vec::new(),
        }
    }

    /// Starts the LISTEN task and waits until it hears the channel: probes go out until one
    /// comes back, so no change made after this returns can be missed.
    async fn listen(&mut self) {
        self.listener = Some(tokio::spawn(listen(
            self.rt.store.clone(),
            self.rt.tx.clone(),
        )));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(EVENTS_CHANNEL)
                .bind(r#"{"probe":[1]}"#)
                .execute(self.rt.store.pool())
                .await
                .unwrap();
            if let Ok(Some(Event::Changed(c))) =
                tokio::time::timeout(Duration::from_millis(200), self.rx.recv()).await
            {
                assert!(c.other, "a probe reads as `other`: {c:?}");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the LISTEN task never heard the channel"
            );
        }
    }

    /// Drops what the listener has queued so far (probes, earlier changes).
    fn discard_queued(&mut self) {
        while self.rx.try_recv().is_ok() {}
    }

    /// Takes in what the listener has queued so far.
    async fn catch_up(&mut self) {
        while let Ok(event) = self.rx.try_recv() {
            self.send(event).await;
        }
    }

    async fn start(&mut self) {
        let effects = self.app.start();
        self.run(effects).await;
    }

    async fn send(&mut self, event: Event) {
        let effects = self.app.handle(event);
        self.run(effects).await;
    }

    async fn act(&mut self, action: Action) {
        self.send(Event::Action(action)).await;
    }

    async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(ch(c)).await;
        }
    }

    /// Runs effects and what their events ask for, until nothing is left.
    async fn run(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        let mut steps = 0;
        while let Some(effect) = queue.pop_front() {
            steps += 1;
            assert!(steps < 200, "effects never settle: {queue:?}");
            if matches!(
                effect,
                Effect::Alert(_) | Effect::OpenEditor { .. } | Effect::Quit
            ) {
                self.skipped.push(effect);
                continue;
            }
            let what = format!("{effect:?}");
            match self.rt.run(effect).await {
                Ok(Some(event)) => queue.extend(self.app.handle(event)),
                Ok(None) => {}
                Err(e) => {
                    let error = format!("{e:#}");
                    self.errors.push(format!("{what}: {error}"));
                    queue.extend(self.app.handle(Event::Failed { what, error }));
                }
            }
        }
    }

    /// Feeds what the listener delivers until `done` holds; how long that took from `since`.
    async fn pump_until(
        &mut self,
        what: &str,
        since: Instant,
        limit: Duration,
        done: impl Fn(&App) -> bool,
    ) -> Duration {
        loop {
            if done(&self.app) {
                return since.elapsed();
            }
            let left = limit.checked_sub(since.elapsed()).unwrap_or_default();
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(event)) => {
                    if let Event::Changed(c) = &event {
                        self.changes.push(c.clone());
                    }
                    self.send(event).await;
                }
                Ok(None) => panic!("{what}: the listener's channel closed"),
                Err(_) => panic!(
                    "{what}: not within {limit:?}; changes heard: {:?}; errors: {:?}",
                    self.changes, self.errors
                ),
            }
        }
    }

    fn review_ids(&self) -> Vec<MessageId> {
        self.app.review.visible_rows().map(|m| m.id).collect()
    }

    fn holder_in_list(&self, id: MessageId) -> Option<String> {
        self.app
            .review
            .rows
            .iter()
            .find(|m| m.id == id)
            .and_then(|m| m.claimed_by_name.clone())
    }

    /// The screen as the terminal would show it at 100x30, one string per row.
    fn screen(&self) -> Vec<String> {
        let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
        let theme = Theme::from_env(true, "default");
        t.draw(|f| view::draw(&self.app, &theme, f)).unwrap();
        let buf = t.backend().buffer();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect()
    }

    fn screen_text(&self) -> String {
        self.screen().join("\n")
    }
}

async fn status(store: &Store, id: MessageId) -> String {
    sqlx::query_scalar("SELECT status FROM messages WHERE id = $1")
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Who holds a live claim on the draft, by name.
async fn holder(store: &Store, id: MessageId) -> Option<String> {
    sqlx::query_scalar(
        "SELECT o.name FROM messages m JOIN operators o ON o.id = m.claimed_by
         WHERE m.id = $1 AND m.claimed_until > now()",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await
    .unwrap()
}

async fn decided_by(store: &Store, id: MessageId, column: &str) -> Option<String> {
    let sql = match column {
        "approved_by" => {
            "SELECT o.name FROM messages m JOIN operators o ON o.id = m.approved_by WHERE m.id = $1"
        }
        "rejected_by" => {
            "SELECT o.name FROM messages m JOIN operators o ON o.id = m.rejected_by WHERE m.id = $1"
        }
        other => panic!("no such column {other}"),
    };
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_operator_reviews_drafts_reads_a_thread_and_the_inbox() {
    let (store, _url) = demo_database().await;
    let pending: Vec<MessageId> = store
        .pending_drafts()
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(pending.len(), 2, "two drafts to review");
    let (first, second) = (pending[0], pending[1]);

    let mut d = Driver::new(store.clone(), "tester").await;
    d.start().await;
    let dash = d
        .app
        .dashboard
        .as_ref()
        .expect("the dashboard loads at start");
    assert_eq!(dash.pending_reviews, 2);
    assert_eq!(
        d.review_ids(),
        pending,
        "the queue loads at start, oldest first"
    );
    assert_eq!(
        d.app.shops.rows.len(),
        12,
        "the demo's shops and the one started"
    );
    assert!(d.app.inbox.loaded);
    assert!(
        d.screen()[0].contains("3 Review (2)"),
        "{}",
        d.screen_text()
    );

    // The review queue; Enter opens the first draft and claims it.
    d.act(Action::GoReview).await;
    assert_eq!(d.app.pane, Pane::Review);
    assert!(d.screen_text().contains("Review queue (2)"));
    assert_eq!(holder(&store, first).await, None);
    d.send(key(KeyCode::Enter)).await;
    let open = d.app.draft.as_ref().expect("Enter opens the draft");
    assert_eq!(open.id(), first);
    assert_eq!(open.held_by, None, "ours to decide");
    assert_eq!(holder(&store, first).await.as_deref(), Some("tester"));
    assert!(
        d.screen_text().contains(&format!("Draft #{first}")),
        "{}",
        d.screen_text()
    );

    // Approve asks first; nothing changes before the answer.
    d.send(ch('a')).await;
    assert!(
        matches!(&d.app.modal, Some(Modal::Confirm { action: Action::ApproveDraft, question })
            if question.contains(&format!("#{first}"))),
        "approve asks to confirm"
    );
    assert_eq!(status(&store, first).await, "pending_review");
    d.send(ch('y')).await;
    assert_eq!(status(&store, first).await, "approved");
    assert_eq!(
        decided_by(&store, first, "approved_by").await.as_deref(),
        Some("tester")
    );
    assert_eq!(
        holder(&store, first).await,
        None,
        "approving ends the claim"
    );
    assert!(d.app.draft.is_none(), "the decided draft closes");
    assert!(d.app.modal.is_none());
    assert_eq!(
        d.review_ids(),
        vec![second],
        "the queue lost the approved draft"
    );
    assert!(
        d.screen()[0].contains("3 Review (1)"),
        "{}",
        d.screen_text()
    );

    // Reject the other from the queue: a reason is asked for, and an empty one is refused.
    assert_eq!(d.app.review.selected_row().map(|m| m.id), Some(second));
    d.send(ch('r')).await;
    assert!(matches!(
        &d.app.modal,
        Some(Modal::Prompt { purpose: PromptFor::RejectReason(id), .. }) if *id == second
    ));
    d.send(key(KeyCode::Enter)).await;
    assert_eq!(status(&store, second).await, "pending_review");
    assert!(
        d.app.modal.is_some(),
        "an empty reason keeps the prompt open"
    );
    d.type_text("rent asked twice").await;
    d.send(key(KeyCode::Backspace)).await;
    d.type_text("e").await;
    d.send(key(KeyCode::Enter)).await;
    assert_eq!(status(&store, second).await, "rejected");
    let reason: Option<String> =
        sqlx::query_scalar("SELECT rejected_reason FROM messages WHERE id = $1")
            .bind(second)
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(reason.as_deref(), Some("rent asked twice"));
    assert_eq!(
        decided_by(&store, second, "rejected_by").await.as_deref(),
        Some("tester")
    );
    assert!(d.app.review.is_empty(), "the queue is empty");
    assert!(d.screen_text().contains("nothing awaits review"));

    // A shop with facts: its thread and fact sheet.
    let mut with_facts = None;
    for s in store.shop_rows(500, 0).await.unwrap() {
        let facts = store.shop_facts(s.id).await.unwrap();
        if !facts.is_empty() {
            with_facts = Some((s.id, facts));
            break;
        }
    }
    let (shop, facts): (ShopId, _) = with_facts.expect("a demo shop has facts");
    d.send(ch('2')).await;
    assert_eq!(d.app.pane, Pane::Shops);
    for _ in 0..d.app.shops.len() {
        if d.app.shops.selected_row().map(|s| s.id) == Some(shop) {
            break;
        }
        d.send(ch('j')).await;
    }
    assert_eq!(d.app.shops.selected_row().map(|s| s.id), Some(shop));
    d.send(key(KeyCode::Enter)).await;
    let thread = d
        .app
        .thread
        .as_ref()
        .expect("Enter opens the shop's thread");
    assert_eq!(thread.shop, shop);
    assert!(thread.loaded);
    // The shop's facts, ordered as a fact sheet reads (fees, terms, plans, amenities).
    let mut shown: Vec<_> = thread.facts.iter().map(|f| f.id).collect();
    shown.sort();
    let mut stored: Vec<_> = facts.iter().map(|f| f.id).collect();
    stored.sort();
    assert_eq!(shown, stored);
    let places: Vec<_> = thread
        .facts
        .iter()
        .map(|f| secret_shop::domain::facts::sheet_place(&f.field_path))
        .collect();
    assert!(places.is_sorted(), "{places:?}");
    let messages = store.shop_messages(shop).await.unwrap();
    assert!(!messages.is_empty());
    assert_eq!(thread.messages.len(), messages.len());
    let current = facts.iter().filter(|f| f.superseded_by.is_none()).count();
    let screen = d.screen_text();
    assert!(
        screen.contains(&format!("Fact sheet ({current})")),
        "{screen}"
    );
    // A fact sheet labels its fields in words ("Application fee").
    let shown = facts
        .iter()
        .find(|f| f.superseded_by.is_none() && !f.field_path.contains('['))
        .expect("a current fact");
    let label = secret_shop::report::format::field_label(&shown.field_path);
    assert!(screen.contains(&label), "{label}: {screen}");
    assert!(screen.contains(&format!("Shop #{shop}")), "{screen}");
    d.send(key(KeyCode::Esc)).await;
    assert!(d.app.thread.is_none(), "Esc closes the thread");

    // The inbox: what the store lists, newest reply included.
    d.send(ch('4')).await;
    assert_eq!(d.app.pane, Pane::Inbox);
    let inbox = store
        .inbox_rows(&InboxFilter::default(), 500, 0)
        .await
        .unwrap();
    assert!(!inbox.is_empty(), "the demo threads have replies");
    assert!(d.app.inbox.loaded);
    assert_eq!(
        d.app.inbox.visible_rows().map(|m| m.id).collect::<Vec<_>>(),
        inbox.iter().map(|m| m.id).collect::<Vec<_>>()
    );
    assert!(
        d.screen_text()
            .contains(&format!("Inbox ({})", inbox.len())),
        "{}",
        d.screen_text()
    );

    assert!(d.errors.is_empty(), "effects failed: {:?}", d.errors);
    assert!(d.app.last_error.is_none(), "{:?}", d.app.last_error);
    assert!(
        d.skipped.is_empty(),
        "nothing new arrived, so no alert: {:?}",
        d.skipped
    );
}

#[tokio::test]
async fn two_operators_see_each_others_claims_and_decisions_live() {
    let (store, url) = demo_database().await;
    let pending: Vec<MessageId> = store
        .pending_drafts()
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(pending.len(), 2);
    let (held, other) = (pending[0], pending[1]);

    // Two processes: each its own pool, runtime, listener.
    let mut alice = Driver::new(connect(&url).await, "alice").await;
    let mut bob = Driver::new(connect(&url).await, "bob").await;
    alice.listen().await;
    bob.listen().await;
    alice.discard_queued();
    bob.discard_queued();
    alice.start().await;
    bob.start().await;
    alice.act(Action::GoReview).await;
    bob.act(Action::GoReview).await;
    assert_eq!(alice.review_ids(), pending);
    assert_eq!(alice.holder_in_list(held), None, "nobody holds it yet");

    // Bob opens the first draft and holds it.
    bob.send(key(KeyCode::Enter)).await;
    let open = bob.app.draft.as_ref().expect("Bob opens the draft");
    assert_eq!((open.id(), open.held_by.as_deref()), (held, None));
    assert_eq!(holder(&store, held).await.as_deref(), Some("bob"));

    // Alice's queue learns it from the NOTIFY alone, and shows who holds the row.
    alice
        .pump_until(
            "Alice sees Bob's claim",
            Instant::now(),
            Duration::from_secs(5),
            |app| {
                app.review
                    .rows
                    .iter()
                    .any(|m| m.id == held && m.claimed_by_name.as_deref() == Some("bob"))
            },
        )
        .await;
    assert!(
        alice.changes.iter().any(|c| c.messages.contains(&held.0)),
        "the refresh came from a notice naming the draft: {:?}",
        alice.changes
    );
    let row = alice
        .screen()
        .into_iter()
        .find(|l| {
            l.trim_start_matches(['│', ' '])
                .starts_with(&format!("{held} "))
        })
        .unwrap_or_else(|| panic!("no row for #{held}:\n{}", alice.screen_text()));
    assert!(row.contains("bob"), "the row shows its holder: {row}");

    // Alice cannot approve it: not from the queue ...
    assert_eq!(alice.app.review.selected_row().map(|m| m.id), Some(held));
    alice.send(ch('a')).await;
    assert!(
        alice.app.modal.is_none(),
        "no confirm for a draft Bob holds"
    );
    // ... nor opened: it opens read-only, with Bob's name.
    alice.send(key(KeyCode::Enter)).await;
    let seen = alice.app.draft.as_ref().expect("Alice can read it");
    assert_eq!(seen.id(), held);
    assert_eq!(seen.held_by.as_deref(), Some("bob"));
    assert!(
        alice.screen_text().contains("held by bob, read-only"),
        "{}",
        alice.screen_text()
    );
    alice.send(ch('a')).await;
    assert!(alice.app.modal.is_none(), "no confirm while read-only");
    alice.send(ch('y')).await;
    assert!(
        alice
            .app
            .toasts
            .iter()
            .any(|t| t.text.contains("bob is reviewing this draft")),
        "{:?}",
        alice.app.toasts
    );
    assert_eq!(status(&store, held).await, "pending_review");
    assert_eq!(holder(&store, held).await.as_deref(), Some("bob"));
    // Closing a draft she only read leaves Bob's claim alone.
    alice.send(key(KeyCode::Esc)).await;
    assert!(alice.app.draft.is_none());
    assert_eq!(holder(&store, held).await.as_deref(), Some("bob"));

    // Alice approves the other draft; Bob's queue loses it within a second, from his listener.
    // Bob first takes in what he has heard so far, so only the approval is left to hear.
    bob.catch_up().await;
    bob.changes.clear();
    assert!(bob.review_ids().contains(&other));
    alice.send(ch('j')).await;
    assert_eq!(alice.app.review.selected_row().map(|m| m.id), Some(other));
    alice.send(ch('a')).await;
    assert!(matches!(alice.app.modal, Some(Modal::Confirm { .. })));
    let pressed = Instant::now();
    let ((), took) = tokio::join!(
        alice.send(ch('y')),
        bob.pump_until(
            "Bob sees Alice's approval",
            pressed,
            Duration::from_secs(5),
            |app| !app.review.rows.iter().any(|m| m.id == other),
        )
    );
    assert_eq!(status(&store, other).await, "approved");
    assert_eq!(
        decided_by(&store, other, "approved_by").await.as_deref(),
        Some("alice")
    );
    eprintln!("Bob's queue lost the approved draft {took:?} after Alice pressed y");
    assert!(
        took < Duration::from_secs(1),
        "Bob saw the approval after {took:?}"
    );
    assert!(
        bob.changes.iter().any(|c| c.messages.contains(&other.0)),
        "Bob's refresh came from the notice of the approval: {:?}",
        bob.changes
    );
    assert_eq!(bob.review_ids(), vec![held]);
    assert_eq!(alice.review_ids(), vec![held]);
    // Bob still has his draft open: someone else's decision does not close it.
    assert_eq!(bob.app.draft.as_ref().map(|d| d.id()), Some(held));

    for d in [&alice, &bob] {
        assert!(d.errors.is_empty(), "{}: {:?}", d.app.operator, d.errors);
    }
}

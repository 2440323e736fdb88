//! The database goes away under a running UI and comes back: the status bar says so, what can
//! still be shown stays shown, an action that needs the database fails with a message, and once
//! it is back the UI reloads what it shows. Headless (an `App` and a `Runtime` with the
//! `watch_database` task, drawn on a `TestBackend`), and the real binary in tmux.
//! Alone in its test binary, because it stops the Postgres other tests use; its tests take turns
//! and a guard starts Postgres again however a test ends.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secret_shop::ai::Ai;
use secret_shop::config::Config;
use secret_shop::services::demo::load_demo;
use secret_shop::services::shops::start_shop;
use secret_shop::store::Store;
use secret_shop::tui::app::App;
use secret_shop::tui::effect::{Effect, Query};
use secret_shop::tui::event::{DbStatus, Event, Loaded};
use secret_shop::tui::keymap::Keymap;
use secret_shop::tui::runtime::{Runtime, watch_database};
use secret_shop::tui::theme::Theme;
use secret_shop::tui::view;
use tokio::sync::mpsc::{self, UnboundedReceiver};

use common::tmux::{Stderr, Tmux, assert_clean_exit, write_script};
use common::{Cli, fresh_database, service_env};

/// One outage at a time: both tests stop the same server.
static POSTGRES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn services(action: &str) -> std::process::Output {
    let dir = service_env("SECRET_SHOP_SERVICES_DIR");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/services");
    Command::new(script)
        .args([action, "postgres", &dir])
        .output()
        .expect("run scripts/services")
}

/// Postgres stopped until `end` (or the drop, which starts it again whatever happened, so a
/// failing test does not leave the other tests without a database).
struct Outage {
    down: bool,
}

impl Outage {
    fn begin() -> Outage {
        let mut outage = Outage { down: true };
        let out = services("stop-one");
        if !out.status.success() {
            outage.end();
            panic!(
                "scripts/services stop-one postgres: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        outage
    }

    /// Starts Postgres and waits until it accepts connections (`start-one` waits for that).
    fn end(&mut self) {
        let out = services("start-one");
        self.down = false;
        assert!(
            out.status.success(),
            "scripts/services start-one postgres: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        if self.down {
            let out = services("start-one");
            if !out.status.success() {
                eprintln!(
                    "could not start Postgres again: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

/// The config the operator's process loads: defaults, an empty file, the operator's name.
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

/// A fresh database with the demo loaded (one draft to review).
async fn demo_database() -> (Store, String) {
    let (store, url) = fresh_database().await;
    let loader = store.actor("demo-loader").await.unwrap();
    load_demo(&store, &loader, &config_for("demo-loader"))
        .await
        .expect("demo loads")
        .expect("the database was empty");
    (store, url)
}

/// Starts one more shop on the demo's just-started shop's target and persona: one more draft
/// to review.
async fn start_another_shop(store: &Store) {
    let loader = store.actor("demo-loader").await.unwrap();
    let shops = store.shop_rows(500, 0).await.unwrap();
    let fresh = shops
        .iter()
        .find(|s| s.status.as_str() == "new")
        .expect("the demo has a shop just started");
    start_shop(
        store,
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
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The UI without a terminal: effects run in place, their events fed back; the health check's
/// events arrive on `rx` (nothing else sends there).
struct Ui {
    app: App,
    rt: Runtime,
    rx: UnboundedReceiver<Event>,
    /// Effects that failed, with their error.
    failures: Vec<String>,
}

impl Ui {
    /// Connects as the product does, with the config's pool size and connect timeout.
    async fn new(url: &str, operator: &str) -> Ui {
        let config = config_for(operator);
        let store = Store::connect(
            &secrecy::SecretString::from(url.to_string()),
            config.database.max_connections,
            Duration::from_secs(config.database.connect_timeout_secs),
        )
        .await
        .expect("connect");
        let actor = store.actor(operator).await.unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        let rt = Runtime::new(store, Ai::from_config(&config.ai), actor, config, tx);
        Ui {
            app: App::new(operator, Keymap::default_map(), false, Utc::now()),
            rt,
            rx,
            failures: Vec::new(),
        }
    }

    async fn send(&mut self, event: Event) {
        let effects = self.app.handle(event);
        self.run(effects).await;
    }

    /// Runs effects and what their events ask for, until nothing is left; what fails is fed
    /// back as `Failed`, as the runtime does.
    async fn run(&mut self, effects: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            if matches!(
                effect,
                Effect::Alert(_) | Effect::OpenEditor { .. } | Effect::Quit
            ) {
                continue;
            }
            let what = format!("{effect:?}");
            match self.rt.run(effect).await {
                Ok(Some(event)) => queue.extend(self.app.handle(event)),
                Ok(None) => {}
                Err(e) => {
                    let error = format!("{e:#}");
                    self.failures.push(format!("{what}: {error}"));
                    queue.extend(self.app.handle(Event::Failed { what, error }));
                }
            }
        }
    }

    /// Waits for the health check's next report, hands it to the app and returns the effects
    /// the app asked for (not yet run).
    async fn next_db_event(&mut self, what: &str, limit: Duration) -> Vec<Effect> {
        let event = tokio::time::timeout(limit, self.rx.recv())
            .await
            .unwrap_or_else(|_| panic!("{what}: no word from the health check within {limit:?}"))
            .expect("the health check's channel is open");
        assert!(
            matches!(event, Event::Database(_)),
            "{what}: only the health check sends here: {event:?}"
        );
        self.app.handle(event)
    }

    /// The screen at 100x30, one string per row, drawn as the terminal draws it.
    fn screen(&self) -> Vec<String> {
        let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
        t.draw(|f| view::draw(&self.app, &Theme::colour(), f))
            .unwrap();
        let buf = t.backend().buffer();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect()
    }

    fn status_bar(&self) -> String {
        self.screen().last().unwrap().clone()
    }
}

#[tokio::test]
async fn the_app_shows_the_database_lost_and_reloads_what_it_shows_when_it_is_back() {
    let _alone = POSTGRES.lock().await;
    let (admin, url) = demo_database().await;
    let mut ui = Ui::new(&url, "tester").await;
    let start = ui.app.start();
    ui.run(start).await;
    assert_eq!(ui.failures, Vec::<String>::new());
    let bar = ui.status_bar();
    assert!(
        bar.contains("db ok") && bar.contains("1 to review"),
        "{bar}"
    );
    let watcher = tokio::spawn(watch_database(ui.rt.store.clone(), ui.rt.tx.clone()));

    // Postgres stops: the health check notices within its interval plus the connect timeout.
    let mut outage = Outage::begin();
    let stopped = Instant::now();
    let effects = ui
        .next_db_event("the loss noticed", Duration::from_secs(15))
        .await;
    assert!(
        matches!(ui.app.db, DbStatus::Lost(_)),
        "the first report is the loss: {:?}",
        ui.app.db
    );
    assert_eq!(effects, vec![], "nothing to load from a lost database");
    assert!(
        stopped.elapsed() < Duration::from_secs(12),
        "took {:?}",
        stopped.elapsed()
    );
    let bar = ui.status_bar();
    assert!(bar.contains("db LOST, retrying"), "{bar}");
    assert!(!bar.contains("db ok"), "{bar}");
    assert!(bar.contains("last error: database"), "{bar}");

    // What was loaded stays on screen: the Shops pane from memory.
    ui.send(key('2')).await;
    assert_eq!(ui.failures, Vec::<String>::new(), "nothing to load");
    let screen = ui.screen().join("\n");
    assert!(screen.contains("┌ Shops (11)"), "{screen}");
    // An action that needs the database fails after the connect timeout, with a message; the
    // runtime runs it as the event loop does (on a task, its failure reported as an event).
    ui.send(key('3')).await;
    let open = ui.app.handle(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    assert!(
        matches!(open.as_slice(), [Effect::OpenDraft(_)]),
        "{open:?}"
    );
    let asked = Instant::now();
    ui.rt.spawn(open.into_iter().next().unwrap());
    let failed = loop {
        let event = tokio::time::timeout(Duration::from_secs(15), ui.rx.recv())
            .await
            .expect("opening a draft gives up")
            .unwrap();
        let failed = matches!(event, Event::Failed { .. });
        let more = ui.app.handle(event);
        assert_eq!(more, vec![]);
        if failed {
            break asked.elapsed();
        }
    };
    assert!(failed < Duration::from_secs(10), "gave up after {failed:?}");
    assert!(ui.app.draft.is_none());
    let screen = ui.screen().join("\n");
    assert!(
        screen.contains("opening draft #"),
        "an error toast: {screen}"
    );
    assert!(ui.status_bar().contains("db LOST, retrying"));

    // Postgres is back, and meanwhile another operator started a shop (this UI has no LISTEN
    // task: only the reload after reconnecting can show it).
    outage.end();
    let back = Instant::now();
    start_another_shop(&admin).await;
    let reload = ui
        .next_db_event("the reconnection noticed", Duration::from_secs(45))
        .await;
    assert_eq!(ui.app.db, DbStatus::Connected, "after {:?}", back.elapsed());
    for q in [Query::Dashboard, Query::Review, Query::Shops] {
        assert!(
            reload.contains(&Effect::Load(q.clone())),
            "{q:?} not reloaded: {reload:?}"
        );
    }
    for effect in reload {
        let what = format!("{effect:?}");
        match ui.rt.run(effect).await {
            Ok(Some(event @ Event::Loaded(_))) => {
                let more = ui.app.handle(event);
                ui.run(more).await;
            }
            other => panic!("{what} after reconnecting: {other:?}"),
        }
    }
    assert_eq!(ui.failures, Vec::<String>::new());
    assert_eq!(ui.app.review.rows.len(), 2, "the queue was reloaded");
    let bar = ui.status_bar();
    assert!(
        bar.contains("db ok") && bar.contains("2 to review"),
        "{bar}"
    );
    let screen = ui.screen().join("\n");
    assert!(screen.contains("database back"), "{screen}");
    assert!(screen.contains("┌ Review queue (2)"), "{screen}");

    // The UI works against the database again: the draft opens.
    ui.send(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )))
    .await;
    assert!(ui.app.draft.is_some(), "{:?}", ui.failures);
    assert!(!watcher.is_finished(), "the health check is still running");
    watcher.abort();
    let loaded = ui.rt.run(Effect::Load(Query::Review)).await.unwrap();
    assert!(matches!(loaded, Some(Event::Loaded(Loaded::Review(r))) if r.len() == 2));
}

/// The real binary: the status bar shows the database lost, the UI keeps answering keys, and it
/// shows `db ok` again once Postgres is back; quitting afterwards restores the terminal.
#[tokio::test]
async fn the_tui_in_a_terminal_shows_the_database_lost_then_back() {
    let _alone = POSTGRES.lock().await;
    let (_store, url) = fresh_database().await;
    let cli = Cli::new(&url);
    assert!(cli.ok(&["demo"]).contains("loaded demo data"));
    let tmux = Tmux::start(&write_script(&cli, &["tui", "--no-engine"], Stderr::File));
    let status_bar = |s: &str| s.lines().nth(29).unwrap_or_default().to_string();
    tmux.wait("the dashboard", Duration::from_secs(30), |s| {
        s.contains("pending reviews") && status_bar(s).contains("db ok")
    })
    .await;

    let mut outage = Outage::begin();
    let screen = tmux
        .wait("the status bar: db LOST", Duration::from_secs(15), |s| {
            status_bar(s).contains("db LOST, retrying")
        })
        .await;
    assert!(!status_bar(&screen).contains("db ok"), "{screen}");
    // Still answering keys, showing what it has.
    tmux.key("2");
    tmux.wait_pane("Shops (11)").await;

    outage.end();
    tmux.wait(
        "the status bar: db ok again",
        Duration::from_secs(45),
        |s| status_bar(s).contains("db ok") && s.contains("database back"),
    )
    .await;
    tmux.key("3");
    tmux.wait_pane("Review queue (1)").await;
    tmux.key("Enter");
    tmux.wait_text("Draft #").await;

    tmux.key("q");
    let screen = tmux.wait_exit().await;
    assert_clean_exit(&tmux, &screen);
    let stderr = std::fs::read_to_string(cli.dir.path().join("stderr.txt")).unwrap();
    assert!(stderr.is_empty(), "the TUI wrote to stderr: {stderr}");
}

/// The pane on screen is filled once the database is back, even when its first load failed
/// while the database was gone.
#[test]
fn a_pane_first_opened_while_the_database_is_down_is_loaded_when_it_is_back() {
    let mut app = App::new("tester", Keymap::default_map(), false, Utc::now());
    app.handle(Event::Database(DbStatus::Lost("connection refused".into())));
    let open = app.handle(key('5'));
    assert_eq!(open, vec![Effect::Load(Query::Targets)]);
    app.handle(Event::Failed {
        what: "loading targets".into(),
        error: "pool timed out while waiting for an open connection".into(),
    });
    let reload = app.handle(Event::Database(DbStatus::Connected));
    assert!(
        reload.contains(&Effect::Load(Query::Targets)),
        "the Targets pane on screen stays empty: {reload:?}"
    );
}

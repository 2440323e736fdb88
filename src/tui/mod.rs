//! The terminal UI (DESIGN.md §2 tui row): terminal set-up and restore (also on panic), the event
//! loop, and the pure core (`app`) with its `view`. Never runs SQL or network itself: effects go
//! to the runtime and come back as events.

pub mod action;
pub mod app;
pub mod effect;
pub mod event;
pub mod keymap;
pub mod panes;
pub mod runtime;
pub mod state;
pub mod theme;
pub mod view;

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;
use crossterm::event::{Event as TermEvent, EventStream, MouseEventKind};
use futures::StreamExt as _;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use self::action::Action;
use self::app::App;
use self::effect::Effect;
use self::event::Event;
use self::keymap::Keymap;
use self::runtime::Runtime;
use self::theme::Theme;
use crate::ai::Ai;
use crate::config::Config;
use crate::services::editor::{from_editor_text, run_editor, to_editor_text};
use crate::store::Store;

#[derive(Debug, Clone, Copy, Default)]
pub struct TuiOptions {
    /// Do not run the mail engine in this process (another worker does).
    pub no_engine: bool,
}

/// A file beside `config.toml` in the config dir.
fn config_dir_file(name: &str) -> Option<std::path::PathBuf> {
    crate::config::Config::default_path().and_then(|p| p.parent().map(|d| d.join(name)))
}

/// The operator's keymap: the built-in one, with `keymap.toml` from the config dir over it.
pub fn load_keymap() -> anyhow::Result<Keymap> {
    match config_dir_file("keymap.toml") {
        Some(p) if p.exists() => {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            Keymap::with_overrides(&text, &p.display().to_string())
        }
        _ => Ok(Keymap::default_map()),
    }
}

/// The theme: `tui.theme` (or NO_COLOR), with `theme.toml` from the config dir over it.
pub fn load_theme(config: &Config) -> anyhow::Result<Theme> {
    let no_color = std::env::var_os("NO_COLOR").is_some();
    let base = Theme::from_env(no_color, &config.tui.theme);
    match config_dir_file("theme.toml") {
        Some(p) if p.exists() => {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            base.with_overrides(&text, &p.display().to_string(), no_color)
        }
        _ => Ok(base),
    }
}

pub async fn run(config: Config, store: Store, opts: TuiOptions) -> anyhow::Result<()> {
    // Everything that can fail for a plain reason fails before the screen is taken.
    let keymap = load_keymap()?;
    let theme = load_theme(&config)?;
    let me = crate::services::session::whoami(&store).await?;
    let (actor, role) = crate::services::identity::signed_in(&store, &config.operator, &me).await?;
    let operator = actor.name.clone();
    let shutdown = CancellationToken::new();
    // A client's login reads its portfolio; the engine is the team's.
    let mut engine_off = opts.no_engine.then(|| "--no-engine".to_string());
    let engine = if opts.no_engine || role.reads_only() {
        None
    } else {
        match crate::engine::Engine::new(&config, store.clone()).await {
            Ok(engine) => {
                let token = shutdown.clone();
                Some(tokio::spawn(async move { engine.run(token).await }))
            }
            // No mailbox configured: the UI still opens, without the engine, and says why.
            Err(crate::engine::EngineError::NoMailbox) => {
                engine_off = Some("no mailbox configured: set SECRET_SHOP_IMAP_USER".into());
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let config = Arc::new(config);
    let rt = Runtime::new(
        store.clone(),
        Ai::from_config(&config.ai),
        actor,
        config.clone(),
        tx.clone(),
    );
    let listener = tokio::spawn(runtime::listen(store.clone(), tx.clone()));
    let watcher = tokio::spawn(runtime::watch_database(store.clone(), tx.clone()));

    let mut app = App::new(&operator, keymap, engine.is_some(), Utc::now());
    app.role = role;
    app.engine_off = engine_off;
    for e in app.start() {
        rt.spawn(e);
    }
    // ratatui::init installs a panic hook that restores the terminal before the message prints.
    let mut terminal = ratatui::init();
    if config.tui.mouse {
        // Give the mouse back on a panic too (ratatui's hook restores only the screen).
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
            previous(info);
        }));
        if let Err(e) = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)
        {
            ratatui::restore();
            return Err(e.into());
        }
    }
    let result = event_loop(&mut app, &mut terminal, &theme, &rt, &mut rx, &config).await;
    if config.tui.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    listener.abort();
    watcher.abort();
    shutdown.cancel();
    if let Some(e) = engine {
        // The engine finishes its current step (a send marks itself sent) then stops.
        let _ = tokio::time::timeout(Duration::from_secs(10), e).await;
    }
    result
}

async fn event_loop(
    app: &mut App,
    terminal: &mut ratatui::DefaultTerminal,
    theme: &Theme,
    rt: &Runtime,
    rx: &mut mpsc::UnboundedReceiver<Event>,
    config: &Config,
) -> anyhow::Result<()> {
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        terminal.draw(|f| view::draw(app, theme, f))?;
        let first = tokio::select! {
            k = keys.next() => match k {
                Some(Ok(TermEvent::Key(k))) => {
                    // Test hook: prove the terminal is restored when the UI panics.
                    if std::env::var(crate::engine::outbox::FAULT_ENV).as_deref()
                        == Ok("panic-on-key")
                    {
                        panic!("injected panic ({}=panic-on-key)", crate::engine::outbox::FAULT_ENV);
                    }
                    Event::Key(k)
                }
                Some(Ok(TermEvent::Resize(..))) => Event::Resized,
                Some(Ok(TermEvent::Mouse(m))) => match m.kind {
                    MouseEventKind::ScrollDown => Event::Action(Action::Down),
                    MouseEventKind::ScrollUp => Event::Action(Action::Up),
                    _ => continue,
                },
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(e) = rx.recv() => e,
            _ = tick.tick() => Event::Tick(Utc::now()),
        };
        // Drain what else is waiting so a burst of changes draws once.
        let mut batch = vec![first];
        while let Ok(e) = rx.try_recv() {
            batch.push(e);
        }
        for event in batch {
            for effect in app.handle(event) {
                match effect {
                    Effect::Quit => return Ok(()),
                    // Quitting: let go of the draft now, not on a task the exit would drop
                    // (it would stay claimed for minutes).
                    Effect::ReleaseDraft(id) if app.quit => {
                        let _ = tokio::time::timeout(
                            Duration::from_secs(3),
                            rt.run(Effect::ReleaseDraft(id)),
                        )
                        .await;
                    }
                    Effect::Alert(text) => alert(config, &text),
                    Effect::OpenEditor {
                        id,
                        version,
                        subject,
                        body,
                    } => {
                        let result =
                            edit_suspended(terminal, &subject, &body, config.tui.mouse).await;
                        rt.tx
                            .send(Event::EditorClosed {
                                id,
                                version,
                                result: result.map_err(|e| format!("{e:#}")),
                            })
                            .ok();
                    }
                    other => rt.spawn(other),
                }
            }
        }
    }
}

/// Leaves the screen to `$EDITOR`, then takes it back.
async fn edit_suspended(
    terminal: &mut ratatui::DefaultTerminal,
    subject: &str,
    body: &str,
    mouse: bool,
) -> anyhow::Result<(String, String)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("draft.txt");
    std::fs::write(&path, to_editor_text(subject, body))?;
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    let p = path.clone();
    let ran = tokio::task::spawn_blocking(move || run_editor(&p)).await;
    // Take the screen back whatever happened in the editor.
    *terminal = ratatui::init();
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    terminal.clear()?;
    ran??;
    from_editor_text(&std::fs::read_to_string(&path)?)
}

/// BEL, and OSC 9 (a desktop notification in terminals that support it), wrapped for tmux.
fn alert(config: &Config, text: &str) {
    let mut out = std::io::stdout();
    if config.tui.bell {
        let _ = out.write_all(b"\x07");
    }
    if config.tui.osc9 {
        let clean: String = text.chars().filter(|c| !c.is_control()).take(120).collect();
        let seq = if std::env::var_os("TMUX").is_some() {
            format!("\x1bPtmux;\x1b\x1b]9;{clean}\x07\x1b\\")
        } else {
            format!("\x1b]9;{clean}\x07")
        };
        let _ = out.write_all(seq.as_bytes());
    }
    let _ = out.flush();
}

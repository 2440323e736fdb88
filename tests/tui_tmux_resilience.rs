//! The real binary in a real terminal when things go wrong or leave the screen: a panic inside
//! the UI, and a draft edited in `$EDITOR` (the TUI steps aside, the editor runs, the TUI takes
//! the screen back). Each test runs `secret-shop tui --no-engine` in a private tmux server on a
//! fresh demo database; every wait polls with a deadline.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use secret_shop::store::{MessageRow, Store};

use common::tmux::{
    Stderr, Tmux, assert_clean_exit, poll, sh_quote, write_executable, write_script,
};
use common::{Cli, fresh_database};

/// A fresh database with the demo loaded, the CLI to run against it, and the draft the review
/// queue shows first (the demo leaves one inquiry to review).
async fn demo() -> (Store, Cli, MessageRow) {
    let (store, url) = fresh_database().await;
    let cli = Cli::new(&url);
    assert!(cli.ok(&["demo"]).contains("loaded demo data"));
    let pending = store.pending_drafts().await.unwrap();
    assert_eq!(pending.len(), 1, "the demo leaves one draft to review");
    let draft = pending.into_iter().next().unwrap();
    (store, cli, draft)
}

/// `secret-shop tui --no-engine` in a tmux pane, up on its dashboard.
async fn start_tui(cli: &Cli, stderr: Stderr) -> Tmux {
    let tmux = Tmux::start(&write_script(cli, &["tui", "--no-engine"], stderr));
    tmux.wait("the dashboard", Duration::from_secs(30), |s| {
        s.contains("pending reviews") && s.contains("1 to review")
    })
    .await;
    assert!(tmux.alternate_on(), "the TUI owns the screen");
    tmux
}

/// Review pane, Enter: the first draft open (and claimed by us).
async fn open_first_draft(tmux: &Tmux, draft: &MessageRow) -> String {
    tmux.key("3");
    tmux.wait_pane("Review queue (1)").await;
    tmux.key("Enter");
    tmux.wait_text(&format!("Draft #{} —", draft.id)).await
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn a_panic_leaves_the_terminal_as_it_was_and_the_message_readable() {
    let (_store, mut cli, _) = demo().await;
    cli.set("SECRET_SHOP_FAULT", "panic-on-key");
    let tmux = start_tui(&cli, Stderr::Pane).await;

    tmux.key("j");
    let screen = tmux.wait_exit().await;
    let status = screen
        .lines()
        .find_map(|l| l.strip_prefix("exit status "))
        .unwrap_or_else(|| panic!("no exit status: {screen}"));
    assert_ne!(status.trim(), "0", "a panic is a failure: {screen}");
    assert!(
        screen.contains("tty settings restored"),
        "raw mode is off again, the tty as before launch: {screen}"
    );
    // Printed on the normal screen once the TUI had left the alternate one (printed before,
    // it would have vanished with the alternate screen), at the left margin (raw mode off).
    assert!(!tmux.alternate_on(), "alternate screen left: {screen}");
    assert!(
        screen
            .lines()
            .any(|l| l.starts_with("thread 'main'") && l.contains("panicked at")),
        "{screen}"
    );
    assert!(
        screen
            .lines()
            .any(|l| l.trim_end() == "injected panic (SECRET_SHOP_FAULT=panic-on-key)"),
        "the panic message, whole, at the left margin: {screen}"
    );
    assert!(
        !screen.contains("pending reviews"),
        "the TUI's screen is gone: {screen}"
    );
    assert_eq!(tmux.display("#{cursor_flag}"), "1", "cursor shown again");
}

/// The first word of the body made only of letters, not in the subject: what the editor
/// replaces, so the change is exactly predictable.
fn word_to_replace(draft: &MessageRow) -> String {
    draft
        .body_text
        .split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| w.len() >= 4 && *w != "Howdy" && !draft.subject.contains(w))
        .expect("the demo draft has a word to replace")
        .to_string()
}

/// An editor that records what it was given (`editor-saw.txt`) and the tty settings it found
/// (`editor-stty.txt`), says it has started (`editor-started`), then waits for the test's
/// go-ahead (`editor-go`) so the test can look at the screen meanwhile; then, given a word,
/// replaces it on each line as `sed -i s/WORD/Howdy/` does. Gives up after 20 s.
fn gated_editor(dir: &Path, word: Option<&str>) -> PathBuf {
    let file = |name: &str| sh_quote(&dir.join(name).display().to_string());
    let edit = word
        .map(|w| format!("sed -i s/{w}/Howdy/ \"$1\"\n"))
        .unwrap_or_default();
    let editor = dir.join("editor.sh");
    write_executable(
        &editor,
        &format!(
            "#!/bin/sh\n\
             cp \"$1\" {saw}\n\
             stty -g >{tty}\n\
             touch {started}\n\
             i=0\n\
             while [ ! -e {go} ]; do i=$((i+1)); [ $i -gt 400 ] && exit 3; sleep 0.05; done\n\
             {edit}",
            saw = file("editor-saw.txt"),
            tty = file("editor-stty.txt"),
            started = file("editor-started"),
            go = file("editor-go"),
        ),
    );
    editor
}

async fn wait_for_editor(dir: &Path) {
    poll("the editor starts", Duration::from_secs(10), || {
        dir.join("editor-started").exists().then_some(())
    })
    .await;
}

/// `E` in an open draft: the TUI leaves the screen (alternate screen off, raw mode off) while the
/// editor runs, takes it back after, and saves what the editor left as a new version.
#[tokio::test]
async fn editing_a_draft_in_editor_suspends_the_tui_and_saves_the_change() {
    let (store, mut cli, draft) = demo().await;
    let word = word_to_replace(&draft);
    let dir = cli.dir.path().to_path_buf();
    let editor = gated_editor(&dir, Some(&word));
    cli.set("EDITOR", &editor.display().to_string());
    let tmux = start_tui(&cli, Stderr::File).await;
    open_first_draft(&tmux, &draft).await;

    tmux.key("E");
    wait_for_editor(&dir).await;
    // While the editor runs the TUI is off the screen, and the tty is as it was before launch.
    poll(
        "the TUI leaves the alternate screen to the editor",
        Duration::from_secs(5),
        || (!tmux.alternate_on()).then_some(()),
    )
    .await;
    assert_eq!(
        read(&dir.join("editor-stty.txt")),
        read(&dir.join("stty-before.txt")),
        "the editor gets the terminal in its normal mode, not raw"
    );
    assert_eq!(
        read(&dir.join("editor-saw.txt")),
        format!("Subject: {}\n\n{}", draft.subject, draft.body_text),
        "the editor is given the subject line, a blank line, the body"
    );
    assert_eq!(
        store.message(draft.id).await.unwrap().version,
        draft.version,
        "nothing saved while the editor is open"
    );

    std::fs::write(dir.join("editor-go"), "").unwrap();
    let expected: String = draft
        .body_text
        .split('\n')
        .map(|l| l.replacen(&word, "Howdy", 1))
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(expected, draft.body_text);
    let screen = tmux
        .wait(
            "the draft drawn again, saved as the next version",
            Duration::from_secs(10),
            |s| {
                s.contains(&format!("Draft #{} — inquiry — v2/2 edit by", draft.id))
                    && s.contains("your edit saved as version 2")
            },
        )
        .await;
    assert!(tmux.alternate_on(), "the TUI took the screen back");
    assert!(screen.contains("Howdy"), "the new text is shown: {screen}");
    let saved = store.message(draft.id).await.unwrap();
    assert_eq!(saved.body_text, expected);
    assert_eq!(saved.subject, draft.subject);
    assert_eq!(saved.version, draft.version + 1);
    assert_eq!(saved.status, draft.status, "edited, still to review");

    // Still a working UI: back to the queue, then quit cleanly.
    tmux.escape().await;
    tmux.wait_pane("Review queue (1)").await;
    tmux.key("q");
    let screen = tmux.wait_exit().await;
    assert_clean_exit(&tmux, &screen);
    let stderr = read(&dir.join("stderr.txt"));
    assert!(stderr.is_empty(), "the TUI wrote to stderr: {stderr}");
}

/// An editor that fails changes nothing: the draft stays as it was, the error shows, and the
/// TUI carries on.
#[tokio::test]
async fn an_editor_that_fails_leaves_the_draft_alone_and_the_tui_usable() {
    let (store, mut cli, draft) = demo().await;
    cli.set("EDITOR", "false");
    let tmux = start_tui(&cli, Stderr::File).await;
    open_first_draft(&tmux, &draft).await;

    tmux.key("E");
    let screen = tmux
        .wait("the editor's failure", Duration::from_secs(10), |s| {
            s.contains("the editor `false` exited with")
        })
        .await;
    assert!(tmux.alternate_on(), "the TUI took the screen back");
    assert!(
        screen.contains(&format!("Draft #{} — inquiry ─", draft.id)),
        "the draft is still open, with no second version: {screen}"
    );
    assert!(!screen.contains("saved as version"), "{screen}");
    let after = store.message(draft.id).await.unwrap();
    assert_eq!(
        (&after.subject, &after.body_text, after.version),
        (&draft.subject, &draft.body_text, draft.version),
        "the draft is unchanged"
    );

    // Keys still work: back to the queue, another pane, quit.
    tmux.escape().await;
    tmux.wait_pane("Review queue (1)").await;
    tmux.key("2");
    tmux.wait_pane("Shops").await;
    tmux.key("q");
    let screen = tmux.wait_exit().await;
    assert_clean_exit(&tmux, &screen);
}

/// With `tui.mouse = true` the terminal reports the mouse to the TUI; whoever gets the terminal
/// next (the editor, the shell after a panic) must not get mouse reports.
#[tokio::test]
async fn mouse_capture_is_given_up_for_the_editor_and_on_a_panic() {
    let (_store, mut cli, draft) = demo().await;
    std::fs::write(cli.config_path(), "[tui]\nmouse = true\n").unwrap();
    let dir = cli.dir.path().to_path_buf();
    let editor = gated_editor(&dir, None);
    cli.set("EDITOR", &editor.display().to_string());
    let mouse = |t: &Tmux| t.display("#{mouse_any_flag}") == "1";

    // The editor.
    let tmux = start_tui(&cli, Stderr::File).await;
    assert!(mouse(&tmux), "mouse capture on, as configured");
    open_first_draft(&tmux, &draft).await;
    tmux.key("E");
    wait_for_editor(&dir).await;
    poll("the editor gets the screen", Duration::from_secs(5), || {
        (!tmux.alternate_on()).then_some(())
    })
    .await;
    assert!(!mouse(&tmux), "mouse capture off while the editor runs");
    std::fs::write(dir.join("editor-go"), "").unwrap();
    tmux.wait_text("no change").await;
    assert!(mouse(&tmux), "mouse capture on again after the editor");
    drop(tmux);

    // A panic.
    cli.set("SECRET_SHOP_FAULT", "panic-on-key");
    let tmux = start_tui(&cli, Stderr::Pane).await;
    assert!(mouse(&tmux), "mouse capture on, as configured");
    tmux.key("j");
    let screen = tmux.wait_exit().await;
    assert!(screen.contains("injected panic"), "{screen}");
    assert!(
        !mouse(&tmux),
        "the shell gets no mouse reports after a panic"
    );
}

//! The real binary in a real terminal: a tmux server of the test's own (private socket, one
//! detached 100x30 session), keys in with `send-keys`, the screen back with `capture-pane`, and
//! every wait a poll with a deadline. The pane runs a small shell script (`write_script`) that
//! starts the TUI with a clean environment, then prints whether the tty settings came back, the
//! exit status and a marker, and stays open to be read.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use super::Cli;

/// Printed by the pane's shell once the TUI has exited.
pub const DONE: &str = "__secret_shop_tui_exited__";
pub const SESSION: &str = "tui";

/// A tmux server of our own; killed when dropped, so a failing test leaves nothing running.
pub struct Tmux {
    pub socket: String,
    /// The server's socket file, which `kill-server` leaves behind.
    socket_path: Option<String>,
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Tmux {
    /// Starts the server with one detached 100x30 session running `script`.
    pub fn start(script: &Path) -> Tmux {
        let mut tmux = Tmux {
            socket: format!(
                "ss-tui-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..12]
            ),
            socket_path: None,
        };
        let script = script.display().to_string();
        tmux.ok(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            SESSION,
            "-x",
            "100",
            "-y",
            "30",
            &script,
        ]);
        tmux.socket_path = Some(tmux.display("#{socket_path}"));
        tmux
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// One key (a tmux key name: "a", "Enter", "Escape").
    pub fn key(&self, key: &str) {
        self.ok(&["send-keys", "-t", SESSION, key]);
    }

    /// Text typed as it is (no key names).
    pub fn type_text(&self, text: &str) {
        self.ok(&["send-keys", "-t", SESSION, "-l", text]);
    }

    /// Escape on its own: a key sent right after it would read as Alt+key.
    pub async fn escape(&self) {
        self.key("Escape");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }

    pub fn screen(&self) -> String {
        self.ok(&["capture-pane", "-p", "-t", SESSION])
    }

    pub fn display(&self, format: &str) -> String {
        self.ok(&["display-message", "-p", "-t", SESSION, format])
            .trim()
            .to_string()
    }

    /// Whether the pane shows the alternate screen (the TUI's) now.
    pub fn alternate_on(&self) -> bool {
        self.display("#{alternate_on}") == "1"
    }

    /// Polls the screen until `ready` holds; fails with the last screen after `limit`.
    pub async fn wait(&self, what: &str, limit: Duration, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not on screen within {limit:?}; the screen:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the focused pane is the one titled `title` (its top border, the second row).
    pub async fn wait_pane(&self, title: &str) -> String {
        let border = format!("┌ {title}");
        self.wait(&format!("the {title} pane"), Duration::from_secs(10), |s| {
            s.lines().nth(1).is_some_and(|l| l.starts_with(&border))
        })
        .await
    }

    pub async fn wait_text(&self, text: &str) -> String {
        self.wait(&format!("`{text}`"), Duration::from_secs(10), |s| {
            s.contains(text)
        })
        .await
    }

    /// Waits for the pane's shell to report that the TUI has exited; returns that screen.
    pub async fn wait_exit(&self) -> String {
        self.wait("the shell after the TUI", Duration::from_secs(15), |s| {
            s.contains(DONE)
        })
        .await
    }
}

/// Polls `check` until it returns `Some`; fails with `what` after `limit`.
pub async fn poll<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Where the TUI's stderr goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stderr {
    /// `stderr.txt` in the CLI's temp dir (nothing should be there).
    File,
    /// The pane itself, to be read there (a panic message).
    Pane,
}

/// The pane's shell: `secret-shop --config .. ARGS` with a clean environment (the CLI's
/// variables, PATH, HOME and XDG dirs in its temp dir), then whether the tty settings came back
/// as they were, the exit status and `DONE`; then it stays open to be read. The settings before
/// launch are also written to `stty-before.txt`.
pub fn write_script(cli: &Cli, args: &[&str], stderr: Stderr) -> PathBuf {
    let dir = cli.dir.path();
    let mut env = vec![
        format!("PATH={}", std::env::var("PATH").unwrap_or_default()),
        format!("HOME={}", dir.display()),
        format!("XDG_CONFIG_HOME={}", dir.join("xdg-config").display()),
        format!("XDG_DATA_HOME={}", dir.join("xdg-data").display()),
    ];
    env.extend(cli.env.iter().map(|(k, v)| format!("{k}={v}")));
    let env: Vec<String> = env.iter().map(|e| sh_quote(e)).collect();
    let args: Vec<String> = args.iter().map(|a| sh_quote(a)).collect();
    let redirect = match stderr {
        Stderr::File => format!(
            "2>{}",
            sh_quote(&dir.join("stderr.txt").display().to_string())
        ),
        Stderr::Pane => String::new(),
    };
    let script = format!(
        "#!/bin/sh\n\
         before=$(stty -g)\n\
         echo \"$before\" >{before_file}\n\
         env -i TERM=\"$TERM\" {env} {bin} --config {config} {args} {redirect}\n\
         status=$?\n\
         if [ \"$(stty -g)\" = \"$before\" ]; then echo 'tty settings restored'; \
         else echo 'tty settings CHANGED'; fi\n\
         echo \"exit status $status\"\n\
         echo {DONE}\n\
         exec sleep 600\n",
        before_file = sh_quote(&dir.join("stty-before.txt").display().to_string()),
        env = env.join(" "),
        bin = sh_quote(env!("CARGO_BIN_EXE_secret-shop")),
        config = sh_quote(&cli.config_path().display().to_string()),
        args = args.join(" "),
    );
    let path = dir.join("run-tui.sh");
    write_executable(&path, &script);
    path
}

pub fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The checks every clean exit passes: status 0, the tty as before, the alternate screen left,
/// the cursor shown, output back at the left margin (no raw mode). `screen` is the pane after
/// `wait_exit`.
pub fn assert_clean_exit(tmux: &Tmux, screen: &str) {
    assert!(screen.contains("exit status 0"), "{screen}");
    assert!(screen.contains("tty settings restored"), "{screen}");
    assert!(
        screen.lines().any(|l| l.trim_end() == DONE),
        "output starts at the left margin again (no raw mode): {screen}"
    );
    assert!(!tmux.alternate_on(), "alternate screen left");
    assert_eq!(tmux.display("#{cursor_flag}"), "1", "cursor shown again");
}

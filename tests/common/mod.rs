//! Shared test set-up: real services only, addresses from the environment `scripts/test` exports.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use secret_shop::store::Store;

pub mod chaos;
pub mod cut;
pub mod mail;
pub mod roles;
pub mod tmux;
pub mod tui_fixtures;

/// Reads a variable `scripts/test` (via `scripts/services`) exports; fails loudly without it.
pub fn service_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: these tests need the real Postgres and mail servers. \
             Run them with scripts/test (it starts the services and exports their addresses), \
             or `eval \"$(scripts/services start)\"` first."
        )
    })
}

/// A fresh, migrated, empty database on the server `scripts/test` started.
pub async fn fresh_database() -> (Store, String) {
    let admin_url = service_env("DATABASE_URL");
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&admin_url)
        .await
        .expect("connect to the test Postgres");
    // The name is ours (a uuid), not input: safe to splice.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create a test database");
    admin.close().await;
    let url = replace_db_name(&admin_url, &name);
    let store = Store::connect(
        &secrecy::SecretString::from(url.clone()),
        5,
        Duration::from_secs(10),
    )
    .await
    .expect("connect to the fresh database");
    store.migrate().await.expect("migrations apply");
    (store, url)
}

pub fn replace_db_name(url: &str, name: &str) -> String {
    let mut u = url::Url::parse(url).expect("DATABASE_URL is a URL");
    u.set_path(&format!("/{name}"));
    u.to_string()
}

/// Runs the real binary with a clean environment: no user config, the given variables only
/// (plus PATH), and `--config` pointing at an empty file in a temp dir.
pub struct Cli {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
}

impl Cli {
    pub fn new(database_url: &str) -> Cli {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("config.toml"), "").unwrap();
        Cli {
            env: vec![
                ("DATABASE_URL".into(), database_url.into()),
                ("SECRET_SHOP_OPERATOR".into(), "tester".into()),
                ("SECRET_SHOP_MAIL_DOMAIN".into(), "shop.test".into()),
                // Approvals go at once unless a test is about the undo window.
                ("SECRET_SHOP_UNDO_SECONDS".into(), "0".into()),
                (
                    "SECRET_SHOP_LOG_FILE".into(),
                    dir.path().join("log.txt").display().to_string(),
                ),
            ],
            dir,
        }
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    /// Points the binary at the real SMTP and IMAP servers `scripts/test` started.
    pub fn use_mail_services(&mut self) {
        for key in [
            "SECRET_SHOP_SMTP_HOST",
            "SECRET_SHOP_SMTP_PORT",
            "SECRET_SHOP_SMTP_TLS",
            "SECRET_SHOP_SMTP_USER",
            "SECRET_SHOP_SMTP_PASSWORD",
            "SECRET_SHOP_IMAP_HOST",
            "SECRET_SHOP_IMAP_PORT",
            "SECRET_SHOP_IMAP_TLS",
            "SECRET_SHOP_IMAP_USER",
            "SECRET_SHOP_IMAP_PASSWORD",
            "SECRET_SHOP_TLS_CA_FILE",
        ] {
            self.set(key, &service_env(key));
        }
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run secret-shop")
    }

    /// Runs with `input` on stdin (a password, a confirmation).
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write as _;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run secret-shop");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().expect("secret-shop ran")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_secret-shop"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg-config"))
            .env("XDG_DATA_HOME", self.dir.path().join("xdg-data"))
            .arg("--config")
            .arg(self.config_path())
            .args(args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs and insists on success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "secret-shop {args:?} failed: {}\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(args);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {out}"))
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Names another MIME corpus folder than `../shared/corpus/mime`.
pub const CORPUS_ENV: &str = "SECRET_SHOP_MIME_CORPUS";

/// The shared MIME corpus: `$SECRET_SHOP_MIME_CORPUS`, else `../shared/corpus/mime` beside the
/// repository.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os(CORPUS_ENV)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/corpus/mime"
            ))
        })
}

/// Every message (`.eml`, any case, in any sub-folder) of the MIME corpus, sorted.
pub fn corpus_files() -> Vec<PathBuf> {
    let root = corpus_dir();
    assert!(
        root.is_dir(),
        "MIME corpus not found at {}: the tests expect the shared folder `../shared` (with \
         corpus/mime) beside the repository, or {CORPUS_ENV} naming another",
        root.display()
    );
    let mut out = Vec::new();
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("eml")) {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 100, "only {} corpus messages", out.len());
    out
}

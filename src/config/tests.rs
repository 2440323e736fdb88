//! Tests of config loading: layering, env overrides, and errors that point at the right line.
//! No test touches the process environment: each passes its own map to `load_from`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveTime, Weekday};
use secrecy::ExposeSecret;

use super::load::FileChoice;
use super::*;

pub(super) fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Loads with no user file at all (the real platform file must not leak into tests).
pub(super) fn load_defaults(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env = env_of(pairs);
    Config::load_from(FileChoice::Search(None), &|k| env.get(k).cloned())
}

/// Writes `text` to a temp `config.toml` and loads it as `--config`.
pub(super) fn load_file(
    text: &str,
    pairs: &[(&str, &str)],
) -> (Result<Config, ConfigError>, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let env = env_of(pairs);
    let result = Config::load_with_env(Some(&path), &|k| env.get(k).cloned());
    // Keep the directory until after loading; paths in the result stay valid strings.
    drop(dir);
    (result, path)
}

pub(super) fn err_text(result: Result<Config, ConfigError>) -> String {
    result.expect_err("expected a config error").to_string()
}

#[test]
fn defaults_load_with_no_file() {
    let c = load_defaults(&[]).unwrap();
    assert!(!c.operator.name.is_empty(), "empty name means the OS user");
    assert!(c.database_url().is_none());
    assert_eq!(c.database.max_connections, 10);
    assert_eq!(c.database.connect_timeout_secs, 5);
    assert_eq!(c.mail.domain, "shop.example");
    assert_eq!(c.mail.mode, AddressMode::CatchAll);
    assert_eq!(c.mail.plus_user, "shopper");
    assert_eq!(c.mail.tls_ca_file, None);
    assert_eq!(
        (c.mail.poll_interval_secs, c.mail.idle_renew_secs),
        (60, 1500)
    );
    assert_eq!(c.mail.imap.host, "127.0.0.1");
    assert_eq!((c.mail.imap.port, c.mail.imap.tls), (993, TlsMode::Tls));
    assert_eq!(
        (c.mail.smtp.port, c.mail.smtp.tls),
        (587, TlsMode::StartTls)
    );
    assert_eq!(c.mail.smtp.user, "");
    assert!(c.mail.imap.password().is_none() && c.mail.smtp.password().is_none());
    assert_eq!(c.mail.imap.password_env, "");
    assert_eq!(
        (c.mail.folders.inbox.as_str(), c.mail.folders.sent.as_str()),
        ("INBOX", "Sent")
    );
    assert_eq!(c.ai.provider, AiProvider::Offline);
    assert_eq!(c.ai.base_url, "https://api.openai.com/v1");
    assert_eq!(c.ai.model, "gpt-4o-mini");
    assert_eq!(c.ai.api_key_env, "OPENAI_API_KEY");
    assert_eq!((c.ai.request_timeout_secs, c.ai.max_retries), (60, 3));
    assert!((c.ai.temperature - 0.7).abs() < 1e-6);
    assert!(c.ai.api_key().is_none());
    let w = &c.send_window;
    assert!(!w.always);
    use Weekday::*;
    assert_eq!(w.days, vec![Mon, Tue, Wed, Thu, Fri]);
    assert_eq!(w.start, NaiveTime::from_hms_opt(9, 0, 0).unwrap());
    assert_eq!(w.end, NaiveTime::from_hms_opt(17, 0, 0).unwrap());
    assert_eq!(w.time_zone, chrono_tz::America::New_York);
    assert_eq!((w.jitter_minutes, w.daily_cap_per_mailbox), (20, 40));
    let f = &c.follow_up;
    assert_eq!(
        (
            f.nudge_after_hours,
            f.follow_up_after_reply_hours,
            f.max_follow_ups
        ),
        (48, 4, 3)
    );
    assert_eq!(
        (f.shop_timeout_days, f.persona_reuse_window_days),
        (14, 180)
    );
    assert!(c.paths.log_file.is_absolute() && c.paths.log_file.ends_with("secret-shop.log"));
    assert!(c.paths.export_dir.is_absolute() && c.paths.export_dir.ends_with("exports"));
    assert!(c.source_files().is_empty());
}

#[test]
fn example_file_names_every_env_var() {
    for var in env_var_names() {
        assert!(
            DEFAULTS.contains(&format!("env: {var}")),
            "config.example.toml does not document env: {var}"
        );
    }
    assert_eq!(env_var_names().count(), 23);
}

#[test]
fn user_file_overrides_one_key_and_keeps_the_rest() {
    let (c, path) = load_file("[mail.smtp]\nport = 2525\n", &[]);
    let c = c.unwrap();
    assert_eq!(c.mail.smtp.port, 2525);
    assert_eq!(c.mail.smtp.host, "127.0.0.1");
    assert_eq!(c.mail.smtp.tls, TlsMode::StartTls);
    assert_eq!(c.mail.imap.port, 993);
    assert_eq!(c.source_files(), [path]);
}

#[test]
fn env_overrides_file() {
    let text = "[mail]\ndomain = \"file.example\"\n[mail.imap]\nport = 1993\n";
    let env = [
        ("SECRET_SHOP_MAIL_DOMAIN", "env.example"),
        ("SECRET_SHOP_IMAP_PORT", "10993"),
        ("SECRET_SHOP_SMTP_TLS", "none"),
        ("SECRET_SHOP_AI_PROVIDER", "openai"),
        ("SECRET_SHOP_OPERATOR", "dana"),
        ("SECRET_SHOP_LOG_FILE", "/var/log/shop.log"),
    ];
    let c = load_file(text, &env).0.unwrap();
    assert_eq!(c.mail.domain, "env.example");
    assert_eq!(c.mail.imap.port, 10993);
    assert_eq!(c.mail.smtp.tls, TlsMode::None);
    assert_eq!(c.ai.provider, AiProvider::OpenAi);
    assert_eq!(c.operator.name, "dana");
    assert_eq!(c.paths.log_file, Path::new("/var/log/shop.log"));
}

#[test]
fn empty_env_var_counts_as_unset() {
    let c = load_defaults(&[("SECRET_SHOP_MAIL_DOMAIN", ""), ("DATABASE_URL", "")]).unwrap();
    assert_eq!(c.mail.domain, "shop.example");
    assert!(c.database_url().is_none());
}

#[test]
fn absent_default_file_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let choice = FileChoice::Search(Some(dir.path().join("config.toml")));
    let c = Config::load_from(choice, &|_| None).unwrap();
    assert!(c.source_files().is_empty());
    assert_eq!(
        c.user_file(),
        Some(dir.path().join("config.toml").as_path())
    );
}

#[test]
fn debug_never_shows_secrets() {
    let text =
        "[mail.imap]\npassword = \"imap-hunter2\"\n[mail.smtp]\npassword = \"smtp-hunter2\"\n";
    let env = [
        ("DATABASE_URL", "postgres://shop:db-hunter2@db/shop"),
        ("OPENAI_API_KEY", "sk-hunter2"),
    ];
    let c = load_file(text, &env).0.unwrap();
    assert_eq!(
        c.database_url().unwrap().expose_secret(),
        "postgres://shop:db-hunter2@db/shop"
    );
    let debug = format!("{c:?} {:#?}", c.mail);
    for secret in ["hunter2", "sk-"] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
}

#[test]
fn password_env_is_resolved() {
    let text = "[mail.imap]\npassword_env = \"MY_IMAP_PW\"\n\
                [mail.smtp]\npassword = \"direct\"\npassword_env = \"MY_SMTP_PW\"\n";
    let env = [("MY_IMAP_PW", "from-env"), ("MY_SMTP_PW", "ignored")];
    let c = load_file(text, &env).0.unwrap();
    assert_eq!(c.mail.imap.password().unwrap().expose_secret(), "from-env");
    assert_eq!(c.mail.smtp.password().unwrap().expose_secret(), "direct");

    let c = load_file(text, &[]).0.unwrap();
    assert!(c.mail.imap.password().is_none());

    let env = [("SECRET_SHOP_IMAP_PASSWORD", "override")];
    let c = load_file(text, &env).0.unwrap();
    assert_eq!(c.mail.imap.password().unwrap().expose_secret(), "override");
}

#[test]
fn api_key_comes_from_named_var_then_openai_api_key() {
    let c = load_defaults(&[("OPENAI_API_KEY", "sk-default")]).unwrap();
    assert_eq!(c.ai.api_key().unwrap().expose_secret(), "sk-default");

    let text = "[ai]\napi_key_env = \"GATEWAY_KEY\"\n";
    let env = [("GATEWAY_KEY", "gw"), ("OPENAI_API_KEY", "sk-default")];
    let c = load_file(text, &env).0.unwrap();
    assert_eq!(c.ai.api_key().unwrap().expose_secret(), "gw");
    let c = load_file(text, &[("OPENAI_API_KEY", "sk-default")])
        .0
        .unwrap();
    assert_eq!(c.ai.api_key().unwrap().expose_secret(), "sk-default");
}

#[test]
fn send_window_env() {
    let c = load_defaults(&[("SECRET_SHOP_SEND_WINDOW", "always")]).unwrap();
    assert!(c.send_window.always);
    let (c, _) = load_file(
        "[send_window]\nalways = true\n",
        &[("SECRET_SHOP_SEND_WINDOW", "window")],
    );
    assert!(!c.unwrap().send_window.always);
    let msg = err_text(load_defaults(&[("SECRET_SHOP_SEND_WINDOW", "sometimes")]));
    assert!(
        msg.starts_with("SECRET_SHOP_SEND_WINDOW=\"sometimes\""),
        "{msg}"
    );
    assert!(msg.contains("send_window.always"), "{msg}");
}

#[test]
fn paths_resolve_against_the_file_and_home() {
    let text = "[paths]\nlog_file = \"logs/shop.log\"\nexport_dir = \"~/shop-exports\"\n\
                [mail]\ntls_ca_file = \"ca.pem\"\n";
    let (c, path) = load_file(text, &[]);
    let c = c.unwrap();
    let dir = path.parent().unwrap();
    assert_eq!(c.paths.log_file, dir.join("logs/shop.log"));
    assert_eq!(c.mail.tls_ca_file, Some(dir.join("ca.pem")));
    let home = directories::BaseDirs::new()
        .unwrap()
        .home_dir()
        .to_path_buf();
    assert_eq!(c.paths.export_dir, home.join("shop-exports"));
}

#[test]
fn redacted_url_hides_passwords() {
    let cases = [
        (
            "postgres://shop:s3cret@db:5432/shop",
            "postgres://shop:***@db:5432/shop",
        ),
        ("postgres://shop@db/shop", "postgres://shop@db/shop"),
        (
            "postgres://db/shop?user=a&password=s3cret&x=1",
            "postgres://db/shop?user=a&password=***&x=1",
        ),
        (
            "host=db user=shop password=s3cret dbname=shop",
            "host=db user=shop password=*** dbname=shop",
        ),
        ("postgres://u:p@ss@db/shop", "postgres://u:***@db/shop"),
    ];
    for (url, want) in cases {
        assert_eq!(redacted_url(url), want);
    }
}

#[test]
fn crawl_defaults_and_overrides() {
    let c = load_defaults(&[]).unwrap();
    let k = &c.crawl;
    assert_eq!(k.contact, "");
    assert_eq!((k.max_pages, k.max_page_bytes), (20, 1024 * 1024));
    assert_eq!((k.timeout_secs, k.budget_secs, k.delay_ms), (10, 120, 500));
    let text = "[crawl]\ncontact = \"research@shop.example\"\nmax_pages = 5\ndelay_ms = 0\n";
    let c = load_file(text, &[]).0.unwrap();
    assert_eq!(c.crawl.contact, "research@shop.example");
    assert_eq!((c.crawl.max_pages, c.crawl.delay_ms), (5, 0));
    assert_eq!(c.crawl.timeout_secs, 10);
}

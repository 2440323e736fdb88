//! After deserialization: fills the "empty means ..." settings, reads the secrets named by `*_env`
//! keys, makes paths absolute, then cross-checks settings. Reads env only through `env`.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use super::env::{self, OPENAI_API_KEY};
use super::error::ConfigError;
use super::load::{Sources, base_dir, segs};
use super::types::{AddressMode, AiProvider, Config};

type EnvFn<'a> = &'a dyn Fn(&str) -> Option<String>;

pub(super) fn finish(config: &mut Config, src: &Sources, env: EnvFn) -> Result<(), ConfigError> {
    let name = config.operator.name.trim();
    config.operator.named = !name.is_empty();
    config.operator.name = if name.is_empty() {
        whoami::username()
    } else {
        name.to_string()
    };

    for server in [&mut config.mail.imap, &mut config.mail.smtp] {
        let var = server.password_env.trim();
        server.env_password = (!var.is_empty())
            .then(|| env::get(env, var))
            .flatten()
            .map(SecretString::from);
    }
    let key_var = config.ai.api_key_env.trim();
    config.ai.resolved_api_key = (!key_var.is_empty())
        .then(|| env::get(env, key_var))
        .flatten()
        .or_else(|| env::get(env, OPENAI_API_KEY))
        .map(SecretString::from);

    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    let data_dir = super::project_dirs().map(|d| d.data_dir().to_path_buf());
    let paths = &mut config.paths;
    paths.log_file = resolve_or_default(
        src,
        "paths.log_file",
        &paths.log_file,
        data_dir.as_ref().map(|d| d.join("secret-shop.log")),
        home.as_deref(),
    )?;
    paths.export_dir = resolve_or_default(
        src,
        "paths.export_dir",
        &paths.export_dir,
        data_dir.as_ref().map(|d| d.join("exports")),
        home.as_deref(),
    )?;
    if let Some(ca) = &config.mail.tls_ca_file {
        config.mail.tls_ca_file = Some(resolve(src, "mail.tls_ca_file", ca, home.as_deref())?);
    }
    Ok(())
}

fn resolve_or_default(
    src: &Sources,
    key: &str,
    path: &Path,
    default: Option<PathBuf>,
    home: Option<&Path>,
) -> Result<PathBuf, ConfigError> {
    if !path.as_os_str().is_empty() {
        return resolve(src, key, path, home);
    }
    default.ok_or_else(|| {
        src.invalid(
            key,
            format!("no home directory found to put the default in; set {key}"),
        )
    })
}

/// `~/x` becomes home/x; a relative path is relative to the file it was written in, or to the
/// current directory if it came from the environment.
fn resolve(
    src: &Sources,
    key: &str,
    path: &Path,
    home: Option<&Path>,
) -> Result<PathBuf, ConfigError> {
    let path = match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        (Ok(_), None) => return Err(src.invalid(key, "cannot expand ~: no home directory found")),
        (Err(_), _) => path.to_path_buf(),
    };
    if path.is_absolute() {
        return Ok(path);
    }
    let origin = src.origin(&segs(key), false);
    match base_dir(&origin) {
        Some(dir) => Ok(dir.join(path)),
        None => std::path::absolute(&path)
            .map_err(|e| src.invalid(key, format!("cannot make the relative path absolute: {e}"))),
    }
}

/// An error naming `key` unless `ok`.
fn checker(src: &Sources) -> impl Fn(bool, &str, &str) -> Result<(), ConfigError> + '_ {
    move |ok, key, reason| {
        if ok {
            Ok(())
        } else {
            Err(src.invalid(key, reason))
        }
    }
}

/// Checks that need more than one value, or a value the environment may still supply, then
/// [`check_values`]. Each names its key.
pub(super) fn validate(config: &Config, src: &Sources) -> Result<(), ConfigError> {
    let check = checker(src);
    let window = &config.send_window;
    check(
        window.start < window.end,
        "send_window.start",
        &format!(
            "must be earlier than send_window.end ({})",
            window.end.format("%H:%M")
        ),
    )?;

    let mail = &config.mail;
    check(
        !mail.domain.trim().is_empty(),
        "mail.domain",
        "must not be empty: persona addresses are made on it",
    )?;
    if mail.mode == AddressMode::Plus {
        check(
            !mail.plus_user.trim().is_empty(),
            "mail.plus_user",
            "must not be empty when mail.mode = \"plus\"",
        )?;
        check(
            !mail.plus_user.contains(['+', '@']),
            "mail.plus_user",
            "must be a bare mailbox name, without \"+\" or \"@\"",
        )?;
    }
    for (name, server) in [("imap", &mail.imap), ("smtp", &mail.smtp)] {
        check(
            !server.host.trim().is_empty(),
            &format!("mail.{name}.host"),
            "must not be empty",
        )?;
    }

    let ai = &config.ai;
    if ai.provider == AiProvider::OpenAi {
        let needed = "must not be empty when ai.provider = \"openai\"";
        check(!ai.model.trim().is_empty(), "ai.model", needed)?;
        check(!ai.base_url.trim().is_empty(), "ai.base_url", needed)?;
        check(
            ai.base_url.starts_with("http://") || ai.base_url.starts_with("https://"),
            "ai.base_url",
            "must start with http:// or https://",
        )?;
    }

    let crawl = &config.crawl;
    check(
        crawl.budget_secs >= crawl.timeout_secs,
        "crawl.budget_secs",
        &format!(
            "must be at least crawl.timeout_secs ({}): one page must fit",
            crawl.timeout_secs
        ),
    )?;
    check_values(config, src)
}

/// Ranges each value must keep on its own. Run on the files alone as well as on the final
/// config, so a value an environment variable overrides is still checked where it is written.
pub(super) fn check_values(config: &Config, src: &Sources) -> Result<(), ConfigError> {
    let check = checker(src);
    check(
        !config.send_window.days.is_empty(),
        "send_window.days",
        "list at least one day (or set send_window.always = true)",
    )?;

    let mail = &config.mail;
    for (name, server, usual) in [("imap", &mail.imap, 993), ("smtp", &mail.smtp, 587)] {
        check(
            server.port != 0,
            &format!("mail.{name}.port"),
            &format!("port 0 cannot be connected to (the usual port is {usual})"),
        )?;
    }
    check(
        mail.poll_interval_secs > 0,
        "mail.poll_interval_secs",
        "must be at least 1",
    )?;
    check(
        mail.idle_renew_secs > 0,
        "mail.idle_renew_secs",
        "must be at least 1",
    )?;
    check(
        !mail.folders.inbox.trim().is_empty(),
        "mail.folders.inbox",
        "must not be empty",
    )?;
    check(
        !mail.folders.sent.trim().is_empty(),
        "mail.folders.sent",
        "must not be empty",
    )?;

    check(
        config.database.max_connections > 0,
        "database.max_connections",
        "must be at least 1",
    )?;
    check(
        (0.0..=2.0).contains(&config.ai.temperature),
        "ai.temperature",
        "must be between 0.0 and 2.0",
    )?;
    check(
        ["default", "monochrome"].contains(&config.tui.theme.as_str()),
        "tui.theme",
        "must be \"default\" or \"monochrome\"",
    )?;

    let crawl = &config.crawl;
    check(
        crawl
            .contact
            .chars()
            .all(|c| c.is_ascii_graphic() || c == ' '),
        "crawl.contact",
        "must be printable ASCII: it is sent in the User-Agent header",
    )?;
    check(
        (1..=1000).contains(&crawl.max_pages),
        "crawl.max_pages",
        "must be between 1 and 1000",
    )?;
    check(
        (1024..=64 * 1024 * 1024).contains(&crawl.max_page_bytes),
        "crawl.max_page_bytes",
        "must be between 1024 (1 KiB) and 67108864 (64 MiB)",
    )?;
    check(
        crawl.timeout_secs > 0,
        "crawl.timeout_secs",
        "must be at least 1",
    )?;
    // A job runner's claim lasts ten minutes; a longer gathering would be run twice.
    check(
        crawl.budget_secs <= 600,
        "crawl.budget_secs",
        "must be at most 600 (ten minutes)",
    )?;
    check(
        crawl.delay_ms <= 60_000,
        "crawl.delay_ms",
        "must be at most 60000 (one minute)",
    )
}

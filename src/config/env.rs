//! Environment overrides: writes env values into the merged TOML table at their key, so the one
//! deserialization path validates them. Reads only through the `env` function it is given.

use toml::{Table, Value};

use super::error::{ConfigError, Origin};

/// Holds the AI key itself (not a name); read when `ai.api_key_env` names no set variable.
pub const OPENAI_API_KEY: &str = "OPENAI_API_KEY";

/// How an env value becomes a TOML value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    /// An integer if it parses as one; otherwise left a string so deserialization rejects it.
    Int,
    /// `SECRET_SHOP_SEND_WINDOW`: `always` = true, `window` = false.
    Window,
}

/// One environment variable that overrides one key.
#[derive(Debug, Clone, Copy)]
pub struct EnvOverride {
    pub var: &'static str,
    /// Dotted key path, e.g. `mail.smtp.port`.
    pub key: &'static str,
    /// Its value must never be shown.
    pub secret: bool,
    kind: Kind,
}

const fn ov(var: &'static str, key: &'static str, kind: Kind, secret: bool) -> EnvOverride {
    EnvOverride {
        var,
        key,
        secret,
        kind,
    }
}

/// Every variable that overrides a key. `OPENAI_API_KEY` is separate: it is not a key.
pub const ENV_OVERRIDES: &[EnvOverride] = &[
    ov("DATABASE_URL", "database.url", Kind::Str, true),
    ov("SECRET_SHOP_OPERATOR", "operator.name", Kind::Str, false),
    ov("SECRET_SHOP_MAIL_DOMAIN", "mail.domain", Kind::Str, false),
    ov("SECRET_SHOP_MAIL_MODE", "mail.mode", Kind::Str, false),
    ov("SECRET_SHOP_IMAP_HOST", "mail.imap.host", Kind::Str, false),
    ov("SECRET_SHOP_IMAP_PORT", "mail.imap.port", Kind::Int, false),
    ov("SECRET_SHOP_IMAP_USER", "mail.imap.user", Kind::Str, false),
    ov(
        "SECRET_SHOP_IMAP_PASSWORD",
        "mail.imap.password",
        Kind::Str,
        true,
    ),
    ov("SECRET_SHOP_IMAP_TLS", "mail.imap.tls", Kind::Str, false),
    ov("SECRET_SHOP_SMTP_HOST", "mail.smtp.host", Kind::Str, false),
    ov("SECRET_SHOP_SMTP_PORT", "mail.smtp.port", Kind::Int, false),
    ov("SECRET_SHOP_SMTP_USER", "mail.smtp.user", Kind::Str, false),
    ov(
        "SECRET_SHOP_SMTP_PASSWORD",
        "mail.smtp.password",
        Kind::Str,
        true,
    ),
    ov("SECRET_SHOP_SMTP_TLS", "mail.smtp.tls", Kind::Str, false),
    ov(
        "SECRET_SHOP_TLS_CA_FILE",
        "mail.tls_ca_file",
        Kind::Str,
        false,
    ),
    ov("SECRET_SHOP_AI_PROVIDER", "ai.provider", Kind::Str, false),
    ov("SECRET_SHOP_AI_BASE_URL", "ai.base_url", Kind::Str, false),
    ov("SECRET_SHOP_AI_MODEL", "ai.model", Kind::Str, false),
    ov(
        "SECRET_SHOP_SEND_WINDOW",
        "send_window.always",
        Kind::Window,
        false,
    ),
    ov(
        "SECRET_SHOP_UNDO_SECONDS",
        "review.undo_seconds",
        Kind::Int,
        false,
    ),
    ov("SECRET_SHOP_LOG_FILE", "paths.log_file", Kind::Str, false),
    ov(
        "SECRET_SHOP_EXPORT_DIR",
        "paths.export_dir",
        Kind::Str,
        false,
    ),
];

/// Every environment variable the config reads by a fixed name (for `doctor` and docs).
pub fn env_var_names() -> impl Iterator<Item = &'static str> {
    ENV_OVERRIDES
        .iter()
        .map(|o| o.var)
        .chain(std::iter::once(OPENAI_API_KEY))
}

/// An override that was set, remembered so errors can blame the variable.
#[derive(Debug, Clone)]
pub(super) struct Applied {
    pub over: EnvOverride,
    /// The raw value (never shown for secrets).
    pub value: String,
}

impl Applied {
    pub fn origin(&self) -> Origin {
        Origin::Env {
            var: self.over.var.to_string(),
            value: shown(&self.over, &self.value),
        }
    }
}

fn shown(over: &EnvOverride, value: &str) -> String {
    if over.secret {
        "<redacted>".to_string()
    } else {
        format!("{value:?}")
    }
}

/// Reads `env` for a variable, treating empty as unset.
pub(super) fn get(env: &dyn Fn(&str) -> Option<String>, var: &str) -> Option<String> {
    env(var).filter(|v| !v.is_empty())
}

/// Writes every set override into `table`; returns what was applied, in [`ENV_OVERRIDES`] order.
pub(super) fn apply(
    table: &mut Table,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Applied>, ConfigError> {
    let mut applied = Vec::new();
    for over in ENV_OVERRIDES {
        let Some(raw) = get(env, over.var) else {
            continue;
        };
        let value = to_value(over, &raw)?;
        set(table, over.key, value);
        applied.push(Applied {
            over: *over,
            value: raw,
        });
    }
    Ok(applied)
}

fn to_value(over: &EnvOverride, raw: &str) -> Result<Value, ConfigError> {
    Ok(match over.kind {
        Kind::Str => Value::String(raw.to_string()),
        Kind::Int => match raw.trim().parse::<i64>() {
            Ok(n) => Value::Integer(n),
            Err(_) => Value::String(raw.to_string()),
        },
        Kind::Window => match raw.trim().to_ascii_lowercase().as_str() {
            "always" => Value::Boolean(true),
            "window" => Value::Boolean(false),
            _ => {
                return Err(ConfigError::Invalid {
                    key: over.key.to_string(),
                    value: None,
                    origin: Origin::Env {
                        var: over.var.to_string(),
                        value: shown(over, raw),
                    },
                    reason: "expected \"always\" (send at any time) or \"window\" \
                             (only inside the send window)"
                        .to_string(),
                });
            }
        },
    })
}

/// Sets a dotted key, creating tables on the way. If the user put a non-table where a table
/// belongs, leaves it: deserialization then reports the user's mistake, not ours.
fn set(table: &mut Table, key: &str, value: Value) {
    let mut parts: Vec<&str> = key.split('.').collect();
    let Some(last) = parts.pop() else {
        return;
    };
    let mut cur = table;
    for part in parts {
        let entry = cur
            .entry(part)
            .or_insert_with(|| Value::Table(Table::new()));
        match entry {
            Value::Table(t) => cur = t,
            _ => return,
        }
    }
    cur.insert(last.to_string(), value);
}

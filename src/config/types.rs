//! The configuration types each section of `config.toml` deserializes into; no IO and no env here.

use std::path::PathBuf;

use chrono::{NaiveTime, Weekday};
use chrono_tz::Tz;
use secrecy::SecretString;
use serde::Deserialize;

use super::de;

/// The whole configuration, after defaults, the user's file and the environment are layered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct Config {
    pub operator: OperatorConfig,
    pub database: DatabaseConfig,
    pub mail: MailConfig,
    pub ai: AiConfig,
    pub send_window: SendWindowConfig,
    pub follow_up: FollowUpConfig,
    pub review: ReviewConfig,
    pub crawl: CrawlConfig,
    pub tui: TuiConfig,
    pub paths: PathsConfig,
    /// Files read, in order of precedence (lowest first); the built-in defaults are not listed.
    #[serde(skip)]
    pub(super) source_files: Vec<PathBuf>,
    /// Where the user's file was looked for, whether or not it existed.
    #[serde(skip)]
    pub(super) user_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct OperatorConfig {
    /// Never empty after loading: an empty setting becomes the OS user name.
    pub name: String,
    /// The name was set (config or `SECRET_SHOP_OPERATOR`), not taken from the OS user.
    #[serde(skip)]
    pub named: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct DatabaseConfig {
    /// A secret because the URL usually carries the password; show it with [`super::redacted_url`].
    #[serde(deserialize_with = "de::opt_secret")]
    pub url: Option<SecretString>,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct MailConfig {
    pub domain: String,
    pub mode: AddressMode,
    /// The mailbox local part for [`AddressMode::Plus`].
    pub plus_user: String,
    /// Extra CA certificate to trust (absolute after loading); `None` = public roots only.
    #[serde(deserialize_with = "de::opt_path")]
    pub tls_ca_file: Option<PathBuf>,
    pub poll_interval_secs: u64,
    pub idle_renew_secs: u64,
    pub imap: ServerConfig,
    pub smtp: ServerConfig,
    pub folders: FoldersConfig,
}

/// How persona addresses map onto mailboxes (one definition, in the domain).
pub use crate::domain::address::AddressMode;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct ServerConfig {
    pub host: String,
    #[serde(deserialize_with = "de::port")]
    pub port: u16,
    pub tls: TlsMode,
    pub user: String,
    /// The password written in the file or given by `SECRET_SHOP_{IMAP,SMTP}_PASSWORD`.
    #[serde(deserialize_with = "de::opt_secret")]
    pub password: Option<SecretString>,
    /// Name of an env var holding the password; `""` = none.
    pub password_env: String,
    /// The value of the `password_env` variable, read when the config was loaded.
    #[serde(skip)]
    pub(super) env_password: Option<SecretString>,
}

impl ServerConfig {
    /// The password: the one set directly, else the one in the variable named by `password_env`.
    pub fn password(&self) -> Option<SecretString> {
        self.password.clone().or_else(|| self.env_password.clone())
    }
}

/// How the connection to a mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text; for local test servers only.
    None,
    /// Plain connect, then upgrade with STARTTLS.
    StartTls,
    /// TLS from the first byte.
    Tls,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::StartTls => "starttls",
            Self::Tls => "tls",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct FoldersConfig {
    pub inbox: String,
    pub sent: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct AiConfig {
    pub provider: AiProvider,
    pub base_url: String,
    pub model: String,
    pub api_key_env: String,
    pub request_timeout_secs: u64,
    pub max_retries: u32,
    pub temperature: f32,
    /// The key found at load time (see [`AiConfig::api_key`]).
    #[serde(skip)]
    pub(super) resolved_api_key: Option<SecretString>,
}

impl AiConfig {
    /// The API key: from the variable named by `api_key_env`, else from `OPENAI_API_KEY`.
    pub fn api_key(&self) -> Option<SecretString> {
        self.resolved_api_key.clone()
    }
}

/// Which AI backend drafts and grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum AiProvider {
    /// Any OpenAI-compatible chat-completions API.
    #[serde(rename = "openai")]
    OpenAi,
    /// No AI: templates and rule-based grading.
    #[serde(rename = "offline")]
    Offline,
}

impl AiProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenAi => "openai",
            Self::Offline => "offline",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct SendWindowConfig {
    /// `true` = send at any time: no window, no jitter.
    pub always: bool,
    #[serde(deserialize_with = "de::weekdays")]
    pub days: Vec<Weekday>,
    #[serde(deserialize_with = "de::time_of_day")]
    pub start: NaiveTime,
    #[serde(deserialize_with = "de::time_of_day")]
    pub end: NaiveTime,
    /// Default for targets without a time zone of their own.
    #[serde(deserialize_with = "de::time_zone")]
    pub time_zone: Tz,
    pub jitter_minutes: u32,
    pub daily_cap_per_mailbox: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct FollowUpConfig {
    pub nudge_after_hours: u32,
    pub follow_up_after_reply_hours: u32,
    pub max_follow_ups: u32,
    pub shop_timeout_days: u32,
    pub persona_reuse_window_days: u32,
    pub plan_every_secs: u64,
}

/// The review queue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct ReviewConfig {
    /// How long an approved message can still be recalled before the outbox may send it.
    pub undo_seconds: u64,
}

/// Website gathering: how politely and how far a target's site is read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct CrawlConfig {
    /// Shown in the User-Agent header; `""` = the mail domain.
    pub contact: String,
    pub max_pages: usize,
    pub max_page_bytes: usize,
    pub timeout_secs: u64,
    pub budget_secs: u64,
    pub delay_ms: u64,
}

/// The terminal UI's manners.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct TuiConfig {
    /// `default` (16 ANSI colours) or `monochrome`; NO_COLOR forces monochrome.
    pub theme: String,
    /// Ring the terminal bell on a new reply.
    pub bell: bool,
    /// Also send OSC 9 (a desktop notification where the terminal supports it).
    pub osc9: bool,
    /// Capture the mouse (wheel scrolls lists); off so the terminal's own selection works.
    pub mouse: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub struct PathsConfig {
    /// Absolute after loading.
    pub log_file: PathBuf,
    /// Absolute after loading.
    pub export_dir: PathBuf,
}

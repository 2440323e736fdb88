//! Configuration: built-in defaults (`config.example.toml`), the user's `config.toml` merged over
//! them, environment variables over both. Loads once at startup; never writes any file.
//!
//! Secrets are `SecretString`s, so `Debug` of any part is safe to log.

mod de;
mod env;
mod error;
mod load;
mod resolve;
mod types;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;

use std::path::{Path, PathBuf};

use secrecy::SecretString;

pub use env::{ENV_OVERRIDES, EnvOverride, OPENAI_API_KEY, env_var_names};
pub use error::{ConfigError, Origin};
pub use types::{
    AddressMode, AiConfig, AiProvider, Config, CrawlConfig, DatabaseConfig, FoldersConfig,
    FollowUpConfig, MailConfig, OperatorConfig, PathsConfig, ReviewConfig, SendWindowConfig,
    ServerConfig, TlsMode,
};

use load::FileChoice;

/// The documented defaults, compiled in: the docs and the defaults cannot disagree.
pub const DEFAULTS: &str = include_str!("../../config.example.toml");

pub(crate) fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "secret-shop")
}

impl Config {
    /// Where the user's `config.toml` is looked for when no `--config` is given
    /// (Linux: `~/.config/secret-shop/config.toml`); `None` if there is no home directory.
    pub fn default_path() -> Option<PathBuf> {
        project_dirs().map(|d| d.config_dir().join("config.toml"))
    }

    /// Loads with the process environment. `path` is `--config PATH`, which must exist.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load_with_env(path, &|name| std::env::var(name).ok())
    }

    /// Loads with `env` standing in for the process environment (tests pass a map).
    pub fn load_with_env(
        path: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let choice = match path {
            Some(path) => FileChoice::Explicit(path.to_path_buf()),
            None => FileChoice::Search(Self::default_path()),
        };
        Self::load_from(choice, env)
    }

    fn load_from(
        choice: FileChoice,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let (mut config, sources) = load::read(choice, env)?;
        resolve::finish(&mut config, &sources, env)?;
        resolve::validate(&config, &sources)?;
        config.source_files = sources.user.into_iter().map(|u| u.path).collect();
        config.user_file = sources.location;
        Ok(config)
    }

    /// The built-in defaults alone: no user file, no environment. For tests and demos.
    pub fn defaults() -> Result<Config, ConfigError> {
        Self::load_from(FileChoice::Search(None), &|_| None)
    }

    pub fn database_url(&self) -> Option<&SecretString> {
        self.database.url.as_ref()
    }

    /// The config files that were read (for `doctor`); empty when only defaults and env apply.
    pub fn source_files(&self) -> &[PathBuf] {
        &self.source_files
    }

    /// Where the user's file was looked for (it may not exist); `None` without a home directory.
    pub fn user_file(&self) -> Option<&Path> {
        self.user_file.as_deref()
    }
}

/// A database URL fit for display: its password replaced by `***`. Handles the URL form
/// (`postgres://user:pw@host/db`, `?password=pw`) and the key=value form (`password=pw`).
pub fn redacted_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['?', '#'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(rest_start + colon + 1..rest_start + at, "***");
            }
        }
    }
    redact_password_params(&out)
}

/// Replaces the value of every `password=` parameter (query string or key=value form).
fn redact_password_params(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(found) = rest.to_ascii_lowercase().find("password=") {
        let starts_param = found == 0 || matches!(rest.as_bytes()[found - 1], b'?' | b'&' | b' ');
        let value_start = found + "password=".len();
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        if starts_param {
            let value_end = rest.find(['&', ' ', '#']).unwrap_or(rest.len());
            if value_end > 0 {
                out.push_str("***");
            }
            rest = &rest[value_end..];
        }
    }
    out.push_str(rest);
    out
}

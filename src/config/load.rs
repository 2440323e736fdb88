//! Reads and layers the sources (defaults, user file, env) into one table, deserializes it, and
//! traces any bad key back to the file line or variable it came from. Reads no env itself.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::env::{self, Applied, ENV_OVERRIDES};
use super::error::{self, ConfigError, Origin};
use super::resolve;
use super::{Config, DEFAULTS};

/// Which user file to read.
#[derive(Debug, Clone)]
pub(super) enum FileChoice {
    /// `--config PATH`: must exist.
    Explicit(PathBuf),
    /// The platform location, if there is one: absent is fine.
    Search(Option<PathBuf>),
}

/// The user's config file as read.
#[derive(Debug)]
pub(super) struct UserFile {
    pub path: PathBuf,
    pub text: String,
}

/// Everything that went into a config, kept to explain where each value came from.
#[derive(Debug)]
pub(super) struct Sources {
    /// Where the user file was looked for.
    pub location: Option<PathBuf>,
    pub user: Option<UserFile>,
    pub applied: Vec<Applied>,
    pub merged: Table,
}

/// One step of a key path: `mail`, `smtp`, `port`, or an index into a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

/// `mail.smtp.port`, `send_window.days[2]`.
pub(super) fn dotted(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

pub(super) fn segs(key: &str) -> Vec<Seg> {
    key.split('.').map(|k| Seg::Key(k.to_string())).collect()
}

/// Reads the sources and deserializes them, checking the files' values before the environment
/// goes over them; the caller finishes and validates the result.
pub(super) fn read(
    choice: FileChoice,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Config, Sources), ConfigError> {
    let mut merged = parse(DEFAULTS, "built-in defaults (config.example.toml)")?;
    let (location, user) = read_user(choice)?;
    if let Some(user) = &user {
        let name = user.path.display().to_string();
        merge(&mut merged, parse(&user.text, &name)?);
    }
    let mut sources = Sources {
        location,
        user,
        applied: Vec::new(),
        merged,
    };
    // The files are checked on their own first: an environment override must not hide a bad
    // value beneath it, which would break the day the variable is unset.
    let files_only = sources.deserialize()?;
    resolve::check_values(&files_only, &sources)?;
    sources.applied = env::apply(&mut sources.merged, env)?;
    let config = sources.deserialize()?;
    Ok((config, sources))
}

fn read_user(choice: FileChoice) -> Result<(Option<PathBuf>, Option<UserFile>), ConfigError> {
    let (path, must_exist) = match choice {
        FileChoice::Explicit(path) => (path, true),
        FileChoice::Search(Some(path)) => (path, false),
        FileChoice::Search(None) => return Ok((None, None)),
    };
    let path = std::path::absolute(&path).unwrap_or(path);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok((Some(path.clone()), Some(UserFile { path, text }))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && must_exist => {
            Err(ConfigError::NotFound { path })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Some(path), None)),
        Err(source) => Err(ConfigError::Read { path, source }),
    }
}

fn parse(text: &str, name: &str) -> Result<Table, ConfigError> {
    toml::from_str::<Table>(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        ConfigError::Syntax {
            file: name.to_string(),
            line,
            column,
            message: e.message().trim().replace('\n', "; "),
        }
    })
}

/// Deep merge: tables merge key by key; anything else in `over` replaces what `base` had.
fn merge(base: &mut Table, over: Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Byte offset of a key (or of its value) in a TOML text, following `segs`.
fn locate(text: &str, segs: &[Seg], at_key: bool) -> Option<usize> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut current: Option<&toml::de::DeValue> = None;
    let mut offset = None;
    for seg in segs {
        let spanned = match seg {
            Seg::Key(key) => {
                let table = match current {
                    None => doc.get_ref(),
                    Some(value) => value.as_table()?,
                };
                let (k, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == key)?;
                offset = Some(if at_key {
                    k.span().start
                } else {
                    v.span().start
                });
                v
            }
            Seg::Index(i) => {
                let item = current?.as_array()?.get(*i)?;
                offset = Some(item.span().start);
                item
            }
        };
        current = Some(spanned.get_ref());
    }
    offset
}

impl Sources {
    /// Where the value at `segs` came from: env beats the user file beats the defaults.
    pub fn origin(&self, segs: &[Seg], at_key: bool) -> Origin {
        let key = dotted(segs);
        if let Some(applied) = self.applied.iter().find(|a| a.over.key == key) {
            return applied.origin();
        }
        if let Some(user) = &self.user
            && let Some(offset) = locate(&user.text, segs, at_key)
        {
            let (line, column) = line_col(&user.text, offset);
            return Origin::File {
                path: user.path.clone(),
                line,
                column,
            };
        }
        let line = locate(DEFAULTS, segs, true).map(|o| line_col(DEFAULTS, o).0);
        Origin::Default { line }
    }

    /// The merged value at `segs` as TOML, unless it is a secret or a table.
    pub fn shown_value(&self, segs: &[Seg]) -> Option<String> {
        let key = dotted(segs);
        if ENV_OVERRIDES.iter().any(|o| o.secret && o.key == key) {
            return None;
        }
        let mut value: Option<&Value> = None;
        for seg in segs {
            value = match (seg, value) {
                (Seg::Key(k), None) => self.merged.get(k),
                (Seg::Key(k), Some(Value::Table(t))) => t.get(k),
                (Seg::Index(i), Some(Value::Array(a))) => a.get(*i),
                _ => None,
            };
            value?;
        }
        value
            .filter(|v| !v.is_table())
            .map(|v| v.to_string().trim().to_string())
    }

    /// The merged table as a [`Config`]; a bad value is blamed on the layer it came from.
    fn deserialize(&self) -> Result<Config, ConfigError> {
        serde_path_to_error::deserialize(self.merged.clone())
            .map_err(|e| self.deserialize_error(&e))
    }

    /// An error about the value at a dotted key, located and worded for the operator.
    pub fn invalid(&self, key: &str, reason: impl Into<String>) -> ConfigError {
        let segs = segs(key);
        ConfigError::Invalid {
            key: key.to_string(),
            value: self.shown_value(&segs),
            origin: self.origin(&segs, false),
            reason: reason.into(),
        }
    }

    fn deserialize_error(&self, err: &serde_path_to_error::Error<toml::de::Error>) -> ConfigError {
        let mut segs: Vec<Seg> = err
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                _ => None,
            })
            .collect();
        let message = err.inner().message();
        if let Some(name) = error::unknown_field_name(message) {
            let name_seg = Seg::Key(name.to_string());
            if segs.last() != Some(&name_seg) {
                segs.push(name_seg);
            }
            let known = error::expected_fields(message);
            let hint = match error::did_you_mean(name, &known) {
                Some(close) => format!(" (did you mean {close}?)"),
                None if known.is_empty() => String::new(),
                None => format!(" (known keys here: {})", known.join(", ")),
            };
            return ConfigError::UnknownKey {
                key: dotted(&segs),
                origin: self.origin(&segs, true),
                hint,
            };
        }
        ConfigError::Invalid {
            key: dotted(&segs),
            value: self.shown_value(&segs),
            origin: self.origin(&segs, false),
            reason: error::friendly_reason(message),
        }
    }
}

/// The directory a relative path from `origin` is taken against: that of the file it came from.
pub(super) fn base_dir(origin: &Origin) -> Option<&Path> {
    match origin {
        Origin::File { path, .. } => path.parent(),
        _ => None,
    }
}

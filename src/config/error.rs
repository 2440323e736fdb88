//! Config errors, written for the operator: each names the key, where its value came from and why
//! it is wrong. Never puts a secret's value into a message.

use std::fmt;
use std::path::PathBuf;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line of a config file the user wrote (1-based line and column).
    File {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    /// An environment variable; `value` is already redacted if the variable holds a secret.
    Env { var: String, value: String },
    /// The built-in defaults (`config.example.toml`), at this line if known.
    Default { line: Option<usize> },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File { path, line, column } => {
                write!(f, "in {} line {line} column {column}", path.display())
            }
            Self::Env { var, value } => write!(f, "from environment variable {var}={value}"),
            Self::Default { line: Some(line) } => {
                write!(
                    f,
                    "in the built-in defaults (config.example.toml line {line})"
                )
            }
            Self::Default { line: None } => f.write_str("in the built-in defaults"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--config PATH` named a file that is not there.
    #[error("config file {} does not exist (it was given with --config)", path.display())]
    NotFound { path: PathBuf },

    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file is not valid TOML. `file` is a path, or a name for the built-in defaults.
    #[error("{file} line {line} column {column}: invalid TOML: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// A key this version of secret-shop does not know (often a typo).
    #[error("unknown key {key} {origin}{hint}")]
    UnknownKey {
        key: String,
        origin: Origin,
        /// `""`, or text such as `" (did you mean port?)"`.
        hint: String,
    },

    /// A value of the wrong type or out of range, or one that contradicts another setting.
    #[error("{}", invalid_message(key, value.as_deref(), origin, reason))]
    Invalid {
        /// Dotted path, e.g. `mail.smtp.port` or `send_window.days[2]`.
        key: String,
        /// The offending value as TOML (e.g. `"tlsx"`); `None` for secrets or when not useful.
        value: Option<String>,
        origin: Origin,
        reason: String,
    },
}

impl ConfigError {
    /// The dotted key the error is about, if it is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::UnknownKey { key, .. } | Self::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }
}

fn invalid_message(key: &str, value: Option<&str>, origin: &Origin, reason: &str) -> String {
    match (origin, value) {
        (Origin::Env { var, value }, _) => {
            format!("{var}={value}: invalid value for {key}: {reason}")
        }
        (_, Some(value)) => format!("invalid value {value} for {key} {origin}: {reason}"),
        (_, None) => format!("invalid {key} {origin}: {reason}"),
    }
}

/// Turns serde's wording ("invalid type: string \"x\", expected u16") into the operator's
/// ("expected a whole number 0-65535"); the value itself is shown separately.
pub(super) fn friendly_reason(message: &str) -> String {
    let reason = match message.find(", expected ") {
        Some(at) => &message[at + 2..],
        None => message,
    };
    let reason = reason.replace('`', "");
    match reason.as_str() {
        "expected u16" => "expected a whole number 0-65535".into(),
        "expected u32" => "expected a whole number 0-4294967295".into(),
        "expected u64" => "expected a whole number 0 or more".into(),
        "expected f32" | "expected f64" => "expected a number".into(),
        "expected a sequence" => "expected a list, like [\"mon\", \"tue\"]".into(),
        _ => reason,
    }
}

/// The name in serde's "unknown field `name`, expected ..." message.
pub(super) fn unknown_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(&rest[..rest.find('`')?])
}

/// The known keys listed in serde's "..., expected one of `a`, `b`" message.
pub(super) fn expected_fields(message: &str) -> Vec<&str> {
    let Some(at) = message.find("expected ") else {
        return Vec::new();
    };
    message[at..].split('`').skip(1).step_by(2).collect()
}

/// The closest known key to a misspelt one, if it is close enough to be a likely typo.
pub(super) fn did_you_mean<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(unknown, k), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Edit distance counting a swap of two neighbouring letters as one edit (optimal alignment).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

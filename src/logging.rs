//! Logs go to a file (tracing-appender), filtered by `RUST_LOG`; `-v` adds stderr for CLI runs.
//! Never stdout, and never the terminal the TUI draws on.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{self, FilterExt};
use tracing_subscriber::fmt;
use tracing_subscriber::layer::Filter;
use tracing_subscriber::prelude::*;

/// Starts logging; keep the guard alive until exit so buffered lines are written.
/// When the log file cannot be opened, logging goes nowhere rather than onto the screen.
pub fn init(log_file: &Path, verbose: bool) -> Option<WorkerGuard> {
    let (file_layer, guard) = match open_log(log_file) {
        Some(file) => {
            let (writer, guard) = tracing_appender::non_blocking(file);
            (
                Some(
                    fmt::layer()
                        .with_writer(writer)
                        .with_ansi(false)
                        .with_filter(level_filter()),
                ),
                Some(guard),
            )
        }
        None => (None, None),
    };
    let stderr_layer = verbose.then(|| {
        fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(false)
            .with_filter(level_filter())
    });
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    guard
}

/// Libraries that write protocol lines verbatim at trace, credentials included: async-imap's
/// `encode` trace shows `LOGIN user password`.
/// (lettre would log SMTP AUTH at debug, but is built without its `tracing` feature.)
const VERBATIM_PROTOCOL_TARGETS: &[&str] = &["async_imap", "imap_proto"];

/// `RUST_LOG` (default: our info and everyone's warnings), minus the verbatim protocol traces.
fn level_filter<S>() -> impl Filter<S> {
    EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("secret_shop=info,warn"))
        .and(filter::filter_fn(no_verbatim_protocol))
}

/// False for the trace lines of those targets, whatever `RUST_LOG` asks for.
fn no_verbatim_protocol(meta: &tracing::Metadata<'_>) -> bool {
    *meta.level() != tracing::Level::TRACE
        || !VERBATIM_PROTOCOL_TARGETS
            .iter()
            .any(|t| meta.target() == *t || meta.target().starts_with(&format!("{t}::")))
}

fn open_log(path: &Path) -> Option<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok()?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .ok()
}

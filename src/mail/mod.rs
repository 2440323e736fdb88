//! Mail: TLS set-up, SMTP and IMAP connections. (Sync, outbox, parsing and threading build on
//! these.) Never touches the UI.

pub mod classify;
pub mod compose;
pub mod imap;
pub mod imap_ops;
pub mod parse;
pub mod smtp;
pub mod tls;

use std::time::Duration;

/// How long a connection attempt may take before it counts as down.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

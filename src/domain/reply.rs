//! A reply as the readers (the model and the offline rules) see it: built once from the parsed
//! mail at sync and stored with the message, so reading it needs neither the raw bytes nor the
//! mail parser.

/// One inbound reply: who sent it, what it says, and whether its headers (or its structure)
/// already mark it as automatic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// Lowercased address ("" if none).
    pub from_addr: String,
    pub from_name: String,
    pub subject: String,
    /// The text/plain part(s); else the HTML part rendered to text. Quoted history included:
    /// the readers cut it themselves.
    pub text: String,
    /// The HTML part, when there is one (tables, hidden text).
    pub html: Option<String>,
    /// The headers or the structure say automatic: an auto-reply (Auto-Submitted, X-Autoreply,
    /// Precedence: auto_reply, an out-of-office subject) or a delivery failure report.
    pub automatic: bool,
}

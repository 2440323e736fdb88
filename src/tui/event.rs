//! What happened (past tense): keys, resizes, ticks, and what the runtime reports back: data
//! loaded, a change another process NOTIFYed, an effect's outcome, the database's state.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use super::action::Action;
use crate::domain::ids::{MessageId, ShopId, TargetId};
use crate::domain::persona::Persona;
use crate::domain::target::Target;
use crate::store::{Dashboard, DraftVersion, FactRow, InboxRow, MessageRow, ShopRow};

#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    /// An action from outside the keymap (the palette, a headless test).
    Action(Action),
    Resized,
    Tick(DateTime<Utc>),
    Loaded(Loaded),
    /// Another process (or this one) changed rows: table name → ids, from NOTIFY.
    Changed(Changed),
    Database(DbStatus),
    Done(Done),
    Failed {
        what: String,
        error: String,
    },
    /// The external editor closed: the text it left, or why it failed.
    EditorClosed {
        id: MessageId,
        version: i32,
        result: Result<(String, String), String>,
    },
}

#[derive(Debug)]
pub enum Loaded {
    Dashboard(Box<Dashboard>),
    Shops(Vec<ShopRow>),
    Review(Vec<MessageRow>),
    Inbox(Vec<InboxRow>),
    Targets(Vec<Target>),
    Personas(Vec<Persona>),
    Thread {
        shop: ShopId,
        messages: Vec<MessageRow>,
        facts: Vec<FactRow>,
        review: super::state::ThreadReview,
    },
    /// A draft opened for review: claimed by us (`held_by` None) or read-only.
    Draft {
        draft: Box<MessageRow>,
        held_by: Option<String>,
        thread: Vec<MessageRow>,
        missing: Vec<String>,
        versions: Vec<DraftVersion>,
    },
    Report {
        shop: ShopId,
        text: String,
    },
    Portfolio(String),
    Templates(Vec<crate::domain::persona::PersonaTemplate>),
    Clients(Vec<String>),
    Target {
        target: TargetId,
        shops: Vec<ShopRow>,
        website: Option<Box<crate::store::WebsiteSnapshot>>,
    },
    Sync(Vec<crate::store::SyncState>),
    /// Messages approved in this session, as they are now.
    Outgoing(Vec<MessageRow>),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    pub messages: BTreeSet<i64>,
    pub shops: BTreeSet<i64>,
    /// Something else (jobs, snapshots): refresh counts only.
    pub other: bool,
}

impl Changed {
    /// Reads a NOTIFY payload such as `{"messages":[1,2]}`; unknown shapes count as "other".
    pub fn from_payload(payload: &str) -> Changed {
        let mut c = Changed::default();
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str(payload) else {
            c.other = true;
            return c;
        };
        for (table, ids) in map {
            let ids = ids
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_i64()).collect::<Vec<_>>())
                .unwrap_or_default();
            match table.as_str() {
                "messages" => c.messages.extend(ids),
                "shops" => c.shops.extend(ids),
                _ => c.other = true,
            }
        }
        c
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbStatus {
    Connected,
    /// Lost, with the error; the runtime retries with backoff.
    Lost(String),
}

#[derive(Debug)]
pub enum Done {
    /// Approved; it can be recalled until the time given (no undo window: `None`).
    DraftApproved(MessageId, Option<DateTime<Utc>>),
    Recalled(MessageId),
    DraftRejected(MessageId),
    /// The draft's new text and every version, with what made the latest.
    DraftSaved(Box<MessageRow>, Vec<DraftVersion>),
    DraftReleased(MessageId),
    MessageAssigned(MessageId, ShopId),
    ShopCancelled(ShopId),
    SendRetried(MessageId),
    DraftedNext(ShopId, MessageId),
    ShopGraded(ShopId, f64),
    /// A flag confirmed or cleared: its number, the verdict, the grade's new total.
    FlagDecided(ShopId, usize, crate::domain::overrides::Verdict, f64),
    ReportExported(PathBuf),
    GatherQueued(TargetId),
    ShopStarted {
        shop: ShopId,
        draft: MessageId,
    },
    TargetSaved(TargetId),
    TemplateSaved(String),
    TemplateRetired(crate::domain::ids::PersonaTemplateId),
    PersonaSaved(crate::domain::ids::PersonaId),
    TargetsImported(usize),
    PersonasGenerated(usize),
    PersonaRetired(crate::domain::ids::PersonaId),
}

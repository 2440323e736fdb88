//! What the UI asks the world to do, as data. `App::handle` returns these; the runtime runs them
//! off the draw path and reports back with events.

use std::path::PathBuf;

use crate::domain::ids::{MessageId, PersonaId, ShopId, TargetId};
use crate::domain::target::TargetInput;
use crate::store::InboxFilter;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Load(Query),
    /// Open a draft: claim it (or learn who holds it) and load its thread.
    OpenDraft(MessageId),
    ReleaseDraft(MessageId),
    ApproveDraft {
        id: MessageId,
        version: i32,
    },
    RejectDraft {
        id: MessageId,
        reason: String,
    },
    SaveDraft {
        id: MessageId,
        version: i32,
        subject: String,
        body: String,
    },
    RegenerateDraft {
        id: MessageId,
        version: i32,
        instructions: String,
    },
    /// Bring version `number` back as the draft's text (if it is still at `version`).
    RestoreVersion {
        id: MessageId,
        number: i32,
        version: i32,
    },
    /// Suspend the terminal and run $EDITOR on the draft.
    OpenEditor {
        id: MessageId,
        version: i32,
        subject: String,
        body: String,
    },
    AssignMessage {
        message: MessageId,
        shop: ShopId,
    },
    MarkRead(Vec<MessageId>),
    CancelShop(ShopId),
    /// Put a failed message back in the outbox.
    RetrySend(MessageId),
    /// Draft a shop's next message now, into the review queue.
    DraftNext(ShopId),
    /// Take an approved message back into the review queue.
    RecallMessage(MessageId),
    GradeShop(ShopId),
    /// Confirm or clear the shop's fair-housing flag `n` (from 1).
    DecideFlag {
        shop: ShopId,
        n: usize,
        verdict: crate::domain::overrides::Verdict,
        reason: String,
    },
    ExportReport {
        shop: ShopId,
        path: PathBuf,
    },
    GatherWebsite(TargetId),
    StartShop {
        target: TargetId,
        persona: PersonaId,
    },
    /// Add (`editing` None) or change a target, conditional on the version the form read.
    SaveTarget {
        editing: Option<(TargetId, i32)>,
        input: Box<TargetInput>,
    },
    ImportTargets(PathBuf),
    SaveTemplate {
        editing: Option<(
            crate::domain::ids::PersonaTemplateId,
            chrono::DateTime<chrono::Utc>,
        )>,
        input: Box<crate::domain::persona::TemplateInput>,
    },
    RetireTemplate(crate::domain::ids::PersonaTemplateId),
    SavePersona {
        id: PersonaId,
        version: i32,
        edit: Box<crate::domain::persona::PersonaEdit>,
    },
    GeneratePersonas {
        template: String,
        count: u32,
    },
    RetirePersona(PersonaId),
    /// New reply: BEL, and OSC 9 where enabled.
    Alert(String),
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    Dashboard,
    Shops,
    Review,
    Inbox(InboxFilter),
    Targets,
    Personas,
    Thread(ShopId),
    Report(ShopId),
    Portfolio,
    Sync,
    /// The messages approved in this session, for their state in the status bar.
    Outgoing(Vec<MessageId>),
    Target(TargetId),
    Templates,
    /// The live clients' names, for the target form's picker.
    Clients,
}

//! What the operator asks for: the names keys map to (imperative), with the help text the `?`
//! overlay, the hint bar and the command palette show.

use super::state::Pane;
use crate::domain::role::Role;
use crate::text_enum;

text_enum! {
    /// Every action a key, the palette or a test can trigger.
    pub enum Action {
        Quit => "quit",
        Help => "help",
        Palette => "command-palette",
        NextPane => "next-pane",
        PrevPane => "prev-pane",
        GoDashboard => "go-dashboard",
        GoShops => "go-shops",
        GoReview => "go-review",
        GoInbox => "go-inbox",
        GoTargets => "go-targets",
        GoPersonas => "go-personas",
        GoReports => "go-reports",
        Up => "up",
        Down => "down",
        PageUp => "page-up",
        PageDown => "page-down",
        Top => "top",
        Bottom => "bottom",
        Open => "open",
        Back => "back",
        Filter => "filter",
        Refresh => "refresh",
        ApproveDraft => "approve-draft",
        RejectDraft => "reject-draft",
        EditDraft => "edit-draft",
        EditDraftExternal => "edit-draft-external",
        RegenerateDraft => "regenerate-draft",
        SaveDraft => "save-draft",
        AssignMessage => "assign-message",
        ToggleUnmatched => "toggle-unmatched",
        CancelShop => "cancel-shop",
        RetrySend => "retry-send",
        DraftNext => "draft-next",
        RecallMessage => "recall-message",
        OlderVersion => "older-version",
        NewerVersion => "newer-version",
        ToggleDiff => "toggle-diff",
        RestoreVersion => "restore-version",
        GradeShop => "grade-shop",
        ReviewFlags => "review-flags",
        ExportReport => "export-report",
        GatherWebsite => "gather-website",
        StartShop => "start-shop",
        NewTarget => "new-target",
        EditTarget => "edit-target",
        ImportTargets => "import-targets",
        GeneratePersonas => "generate-personas",
        RetirePersona => "retire-persona",
        FilterInbox => "filter-inbox",
        ShowPortfolio => "show-portfolio",
        ToggleTemplates => "toggle-templates",
        Sort => "sort",
        NewTemplate => "new-template",
        EditPersona => "edit-persona",
    }
}

impl Action {
    /// One line for the help overlay and the palette.
    pub fn describe(self) -> &'static str {
        use Action::*;
        match self {
            Quit => "quit (asks first if an edit is unsaved)",
            Help => "show the keys",
            Palette => "run any action by name",
            NextPane => "next pane",
            PrevPane => "previous pane",
            GoDashboard => "dashboard",
            GoShops => "shops",
            GoReview => "review queue",
            GoInbox => "inbox",
            GoTargets => "targets",
            GoPersonas => "personas",
            GoReports => "reports",
            Up => "up",
            Down => "down",
            PageUp => "page up",
            PageDown => "page down",
            Top => "first row",
            Bottom => "last row",
            Open => "open the selected row",
            Back => "close / back",
            Filter => "filter the list",
            Refresh => "reload from the database",
            ApproveDraft => "approve the draft (it is sent in the send window)",
            RejectDraft => "reject the draft with a reason",
            EditDraft => "edit the draft here",
            EditDraftExternal => "edit the draft in $EDITOR",
            RegenerateDraft => "draft it again with instructions",
            SaveDraft => "save the edited draft",
            AssignMessage => "assign an unmatched message to a shop",
            ToggleUnmatched => "only unmatched mail / all mail",
            CancelShop => "cancel the shop (nothing more is sent)",
            RetrySend => "send the shop's failed message again",
            DraftNext => "draft the shop's next message now",
            RecallMessage => "recall the message just approved",
            OlderVersion => "show the draft's version before this one",
            NewerVersion => "show the draft's next version (back to the current text)",
            ToggleDiff => "show the words changed against the version before",
            RestoreVersion => "bring the version shown back as the draft's text",
            GradeShop => "grade the shop again",
            ReviewFlags => "confirm or clear the grade's fair-housing flags (with a reason)",
            ExportReport => "export the shop's report to a file",
            GatherWebsite => "read the target's website",
            StartShop => "start a shop: pick a target, then a persona",
            NewTarget => "add a target",
            EditTarget => "edit the target",
            ImportTargets => "import targets from a CSV file",
            GeneratePersonas => "generate personas from a template",
            RetirePersona => "retire the persona (its address is never reused)",
            FilterInbox => "show the inbox for a shop, a target or a kind of responder",
            ShowPortfolio => "the portfolio: scores, response times, fees across shops",
            ToggleTemplates => "personas / the templates they are drawn from",
            Sort => "sort the list by the next column",
            NewTemplate => "add a persona template (the ranges personas are drawn from)",
            EditPersona => "edit the persona's budget, needs, pets, style (not name or address)",
        }
    }

    /// Decisions on a draft: an operator's (a lead's) to take, not the worker's.
    pub fn decides_a_draft(self) -> bool {
        use Action::*;
        matches!(
            self,
            ApproveDraft
                | RejectDraft
                | EditDraft
                | EditDraftExternal
                | RegenerateDraft
                | SaveDraft
                | RestoreVersion
                | RecallMessage
                | DraftNext
                | RetrySend
                | ReviewFlags
        )
    }

    /// Whether a login in `role` may run this: the worker decides on no draft and edits no
    /// operator's target or persona; a client only reads its portfolio (its panes, moving,
    /// opening, filtering, exporting a report).
    pub fn allowed(self, role: Role) -> bool {
        use Action::*;
        match role {
            Role::Owner | Role::Lead | Role::Operator => true,
            Role::Worker => {
                !self.decides_a_draft() && !matches!(self, EditTarget | EditPersona | RetirePersona)
            }
            Role::Client | Role::None => {
                self.pane()
                    .is_none_or(|p| Pane::for_role(role).contains(&p))
                    && matches!(
                        self,
                        Quit | Help
                            | Palette
                            | NextPane
                            | PrevPane
                            | GoDashboard
                            | GoShops
                            | GoReports
                            | Up
                            | Down
                            | PageUp
                            | PageDown
                            | Top
                            | Bottom
                            | Open
                            | Back
                            | Filter
                            | Refresh
                            | ExportReport
                            | ShowPortfolio
                            | Sort
                    )
            }
        }
    }

    /// The pane a go-to action goes to.
    pub fn pane(self) -> Option<Pane> {
        use Action::*;
        Some(match self {
            GoDashboard => Pane::Dashboard,
            GoShops => Pane::Shops,
            GoReview => Pane::Review,
            GoInbox => Pane::Inbox,
            GoTargets => Pane::Targets,
            GoPersonas => Pane::Personas,
            GoReports => Pane::Reports,
            _ => return None,
        })
    }

    /// Actions that change shared data or throw work away: they ask before running.
    pub fn is_destructive(self) -> bool {
        matches!(
            self,
            Action::CancelShop | Action::ApproveDraft | Action::RetirePersona
        )
    }
}

/// Where a key binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Global,
    Dashboard,
    Shops,
    Review,
    Inbox,
    Targets,
    Personas,
    Reports,
    Thread,
    Draft,
}

impl Scope {
    pub const ALL: [Scope; 10] = [
        Scope::Global,
        Scope::Dashboard,
        Scope::Shops,
        Scope::Review,
        Scope::Inbox,
        Scope::Targets,
        Scope::Personas,
        Scope::Reports,
        Scope::Thread,
        Scope::Draft,
    ];

    /// The keymap file's section name.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Dashboard => "dashboard",
            Scope::Shops => "shops",
            Scope::Review => "review",
            Scope::Inbox => "inbox",
            Scope::Targets => "targets",
            Scope::Personas => "personas",
            Scope::Reports => "reports",
            Scope::Thread => "thread",
            Scope::Draft => "draft",
        }
    }

    pub fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.name() == name)
    }
}

//! The UI core: all state in `App`, one transition function `handle(Event) -> Vec<Effect>`.
//! Pure: no IO, no async, no clock of its own (ticks bring the time), so every transition is
//! tested without a terminal or a database.

use crate::domain::ids::MessageId;
use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Action, Scope};
use super::effect::{Effect, Query};
use super::event::{DbStatus, Event};
use super::keymap::{Key, Keymap};
use super::state::{
    DraftEditor, DraftView, ListView, Modal, Pane, PortfolioView, PromptFor, ReportView,
    TargetView, ThreadView, Toast,
};
use crate::domain::persona::Persona;
use crate::domain::role::Role;
use crate::domain::target::Target;
use crate::store::{Dashboard, InboxFilter, InboxRow, MessageRow, ShopRow};

const PAGE: isize = 10;
const TOAST_SECS: i64 = 5;

pub struct App {
    pub operator: String,
    pub keymap: Keymap,
    pub pane: Pane,
    pub now: DateTime<Utc>,
    pub dashboard: Option<Dashboard>,
    pub shops: ListView<ShopRow>,
    pub review: ListView<MessageRow>,
    pub inbox: ListView<InboxRow>,
    pub inbox_filter: InboxFilter,
    /// Indexes into `TARGET_SORTS` and `SHOP_SORTS`.
    pub targets_sort: usize,
    pub shops_sort: usize,
    pub targets: ListView<Target>,
    pub personas: ListView<Persona>,
    pub templates: ListView<crate::domain::persona::PersonaTemplate>,
    /// The live clients' names, what the target form's client picker offers.
    pub clients: Vec<String>,
    /// The personas pane shows the templates instead.
    pub show_templates: bool,
    pub thread: Option<ThreadView>,
    pub draft: Option<DraftView>,
    pub report: Option<ReportView>,
    pub portfolio: Option<PortfolioView>,
    pub target_view: Option<TargetView>,
    /// Mailbox sync states for the status bar, and when they were last asked for.
    pub sync: Vec<crate::store::SyncState>,
    pub sync_loaded_at: Option<DateTime<Utc>>,
    pub modal: Option<Modal>,
    pub toasts: Vec<Toast>,
    pub db: DbStatus,
    pub engine: bool,
    pub last_error: Option<String>,
    /// The newest inbound id seen, so a reload can tell what is new.
    pub newest_inbound: Option<i64>,
    /// Messages approved here that can still be recalled, and until when (newest last).
    pub undoable: Vec<(MessageId, DateTime<Utc>)>,
    /// Messages approved in this session and not yet settled (sent, failed, recalled): watched
    /// for the status bar.
    pub watching: Vec<MessageId>,
    /// The latest state of the last message approved here, as loaded.
    pub outgoing: Option<MessageRow>,
    /// What this login may do (its Postgres group): the worker's does not decide on drafts, a
    /// client's only reads its portfolio. It is offered only that, and told so in words rather
    /// than refused by the database.
    pub role: Role,
    /// Why the engine is not running in this process, for the status bar.
    pub engine_off: Option<String>,
    pub quit: bool,
}

impl App {
    pub fn new(operator: &str, keymap: Keymap, engine: bool, now: DateTime<Utc>) -> App {
        App {
            operator: operator.to_string(),
            keymap,
            pane: Pane::Dashboard,
            now,
            dashboard: None,
            shops: ListView::default(),
            review: ListView::default(),
            inbox: ListView::default(),
            inbox_filter: InboxFilter::default(),
            targets_sort: 0,
            shops_sort: 0,
            targets: ListView::default(),
            personas: ListView::default(),
            templates: ListView::default(),
            clients: Vec::new(),
            show_templates: false,
            thread: None,
            draft: None,
            report: None,
            portfolio: None,
            target_view: None,
            sync: Vec::new(),
            sync_loaded_at: None,
            modal: None,
            toasts: Vec::new(),
            db: DbStatus::Connected,
            engine,
            last_error: None,
            newest_inbound: None,
            undoable: Vec::new(),
            watching: Vec::new(),
            outgoing: None,
            role: Role::Owner,
            engine_off: None,
            quit: false,
        }
    }

    /// What to load when the UI starts.
    pub fn start(&self) -> Vec<Effect> {
        let mut out = vec![
            Effect::Load(Query::Dashboard),
            Effect::Load(Query::Review),
            Effect::Load(Query::Shops),
            Effect::Load(Query::Inbox(self.inbox_filter.clone())),
            Effect::Load(Query::Sync),
        ];
        out.retain(|e| self.may(e));
        out
    }

    /// The panes this login is offered: a client's are its portfolio's.
    pub fn panes(&self) -> &'static [Pane] {
        Pane::for_role(self.role)
    }

    /// Whether this login may run `effect`: a client loads only what its portfolio shows (the
    /// database would refuse the rest) and changes nothing.
    fn may(&self, effect: &Effect) -> bool {
        if !self.role.reads_only() {
            return true;
        }
        match effect {
            Effect::Load(q) => matches!(
                q,
                Query::Dashboard
                    | Query::Shops
                    | Query::Thread(_)
                    | Query::Report(_)
                    | Query::Portfolio
                    | Query::Clients
            ),
            Effect::Quit | Effect::Alert(_) | Effect::ExportReport { .. } => true,
            _ => false,
        }
    }

    /// The keymap scope of what has the focus.
    pub fn scope(&self) -> Scope {
        if self.draft.is_some() {
            Scope::Draft
        } else if self.thread.is_some() || self.report.is_some() {
            Scope::Thread
        } else if self.target_view.is_some() {
            Scope::Targets
        } else if self.portfolio.is_some() {
            Scope::Reports
        } else {
            self.pane.scope()
        }
    }

    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        let mut effects = self.handle_event(event);
        effects.retain(|e| self.may(e));
        effects
    }

    fn handle_event(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Key(k) if k.kind == KeyEventKind::Press => self.key(k),
            Event::Key(_) | Event::Resized => Vec::new(),
            Event::Action(a) => self.act(a),
            Event::Tick(now) => {
                self.now = now;
                self.toasts.retain(|t| t.until > now);
                self.undoable.retain(|(_, until)| *until > now);
                // The status bar's sync ages: asked for again every 15 s.
                if self
                    .sync_loaded_at
                    .is_none_or(|at| now - at >= Duration::seconds(15))
                {
                    self.sync_loaded_at = Some(now);
                    return vec![Effect::Load(Query::Sync)];
                }
                Vec::new()
            }
            Event::Loaded(l) => {
                // A load just succeeded: the database is back, whatever the watcher says yet.
                let mut out = if matches!(self.db, DbStatus::Lost(_)) {
                    self.database(DbStatus::Connected)
                } else {
                    Vec::new()
                };
                out.extend(self.loaded(l));
                out
            }
            Event::Changed(c) => self.changed(&c),
            Event::Database(s) => self.database(s),
            Event::Done(d) => self.done(d),
            Event::Failed { what, error } => {
                self.fail(&format!("{what}: {error}"));
                if let Some(d) = &mut self.draft {
                    d.busy = None;
                }
                Vec::new()
            }
            Event::EditorClosed {
                id,
                version,
                result,
            } => match result {
                Ok((subject, body))
                    if self.draft.as_ref().is_some_and(|d| {
                        d.id() == id
                            && d.draft.subject == subject
                            && d.draft.body_text.trim_end() == body
                    }) =>
                {
                    self.toast("no change");
                    Vec::new()
                }
                Ok((subject, body)) => vec![Effect::SaveDraft {
                    id,
                    version,
                    subject,
                    body,
                }],
                Err(e) => {
                    self.fail(&e);
                    Vec::new()
                }
            },
        }
    }

    pub fn toast(&mut self, text: impl Into<String>) {
        self.toasts.push(Toast {
            text: text.into(),
            error: false,
            until: self.now + Duration::seconds(TOAST_SECS),
        });
    }

    fn fail(&mut self, text: &str) {
        self.last_error = Some(text.to_string());
        self.toasts.push(Toast {
            text: text.to_string(),
            error: true,
            until: self.now + Duration::seconds(TOAST_SECS * 2),
        });
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if self.modal.is_some() {
            return self.modal_key(k);
        }
        // The in-place editor takes every key but Esc and C-c (both leave editing, asking first
        // when the text changed) and its save binding: `q` and the rest are text.
        if let Some(d) = &mut self.draft
            && let Some(editor) = &mut d.editor
        {
            let key = Key::from_event(&k);
            let bound = key.and_then(|key| self.keymap.lookup(Scope::Draft, key));
            let ctrl_c =
                k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
            if k.code == KeyCode::Esc || ctrl_c {
                return self.back();
            }
            if bound == Some(Action::SaveDraft) {
                return self.act(Action::SaveDraft);
            }
            editor.input(k);
            return Vec::new();
        }
        match Key::from_event(&k).and_then(|key| self.keymap.lookup(self.scope(), key)) {
            Some(a) => self.act(a),
            None => Vec::new(),
        }
    }

    fn modal_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Some(modal) = self.modal.take() else {
            return Vec::new();
        };
        match modal {
            Modal::Help { scroll } => match k.code {
                KeyCode::Down | KeyCode::Char('j') => {
                    self.modal = Some(Modal::Help {
                        scroll: (scroll + 1).min(60),
                    })
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    self.modal = Some(Modal::Help {
                        scroll: scroll.saturating_sub(1),
                    })
                }
                _ => {}
            },
            Modal::Confirm { action, question } => match k.code {
                KeyCode::Char('y') | KeyCode::Enter => return self.confirmed(action),
                KeyCode::Char('n') | KeyCode::Esc => {}
                _ => self.modal = Some(Modal::Confirm { action, question }),
            },
            Modal::ConfirmQuit => {
                if matches!(k.code, KeyCode::Char('y')) {
                    return self.quit_now();
                }
            }
            Modal::UnsavedEdit => match k.code {
                KeyCode::Char('s') => return self.act(Action::SaveDraft),
                KeyCode::Char('d') => {
                    if let Some(d) = &mut self.draft {
                        d.editor = None;
                    }
                    self.toast("edit discarded");
                }
                KeyCode::Esc | KeyCode::Char('k') | KeyCode::Char('e') => {}
                _ => self.modal = Some(Modal::UnsavedEdit),
            },
            Modal::Pick {
                purpose,
                input,
                selected,
            } => return self.pick_key(k, purpose, input, selected),
            Modal::Form(form) => return self.form_key(k, form),
            Modal::Flags(d) => return self.flags_key(k, d),
            Modal::LongField { form, editor } => return self.long_field_key(k, form, editor),
            Modal::Prompt { purpose, mut input } => match k.code {
                KeyCode::Esc => {
                    if purpose == PromptFor::Filter {
                        self.set_filter(String::new());
                    }
                }
                KeyCode::Enter => return self.prompted(purpose, input),
                KeyCode::Backspace => {
                    input.pop();
                    if purpose == PromptFor::Filter {
                        self.set_filter(input.clone());
                    }
                    self.modal = Some(Modal::Prompt { purpose, input });
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                    input.push(c);
                    if purpose == PromptFor::Filter {
                        self.set_filter(input.clone());
                    }
                    self.modal = Some(Modal::Prompt { purpose, input });
                }
                _ => self.modal = Some(Modal::Prompt { purpose, input }),
            },
            Modal::Palette {
                mut input,
                selected,
            } => match k.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    if let Some(a) = palette_matches(&input, self.role).get(selected) {
                        return self.act(*a);
                    }
                }
                KeyCode::Down | KeyCode::Tab => {
                    let n = palette_matches(&input, self.role).len();
                    self.modal = Some(Modal::Palette {
                        input,
                        selected: (selected + 1).min(n.saturating_sub(1)),
                    });
                }
                KeyCode::Up | KeyCode::BackTab => {
                    self.modal = Some(Modal::Palette {
                        input,
                        selected: selected.saturating_sub(1),
                    })
                }
                KeyCode::Backspace => {
                    input.pop();
                    self.modal = Some(Modal::Palette { input, selected: 0 });
                }
                KeyCode::Char(c) => {
                    input.push(c);
                    self.modal = Some(Modal::Palette { input, selected: 0 });
                }
                _ => self.modal = Some(Modal::Palette { input, selected }),
            },
        }
        Vec::new()
    }

    fn quit_now(&mut self) -> Vec<Effect> {
        self.quit = true;
        let mut out = Vec::new();
        if let Some(d) = &self.draft
            && d.held_by.is_none()
        {
            out.push(Effect::ReleaseDraft(d.id()));
        }
        out.push(Effect::Quit);
        out
    }

    fn set_filter(&mut self, filter: String) {
        match self.pane {
            Pane::Shops => {
                self.shops.filter = filter;
                self.shops.refilter(shop_text);
            }
            Pane::Review => {
                self.review.filter = filter;
                self.review.refilter(draft_text);
            }
            Pane::Inbox => {
                self.inbox.filter = filter;
                self.inbox.refilter(inbox_text);
            }
            Pane::Targets => {
                self.targets.filter = filter;
                self.targets.refilter(target_text);
            }
            Pane::Personas => {
                self.personas.filter = filter;
                self.personas.refilter(persona_text);
            }
            Pane::Reports => {
                self.shops.filter = filter;
                self.shops.refilter(shop_text);
            }
            Pane::Dashboard => {}
        }
    }

    /// The `/` filter of the pane's list ("" when none).
    pub fn filter(&self) -> &str {
        match self.pane {
            Pane::Shops | Pane::Reports => &self.shops.filter,
            Pane::Review => &self.review.filter,
            Pane::Inbox => &self.inbox.filter,
            Pane::Targets => &self.targets.filter,
            Pane::Personas => &self.personas.filter,
            Pane::Dashboard => "",
        }
    }

    /// The selected shop has ended (completed, cancelled, timed out...): nothing to cancel.
    pub fn selected_shop_finished(&self) -> bool {
        let Some(id) = self.selected_shop_id() else {
            return false;
        };
        self.shops
            .rows
            .iter()
            .find(|s| s.id == id)
            .is_some_and(|s| s.status.is_finished())
    }
}

/// Actions whose names contain every typed word, in keymap order (the palette's fuzzy match).
/// The actions whose name or description has each word of `input` (as a subsequence), of those
/// `role` may run.
pub fn palette_matches(input: &str, role: Role) -> Vec<Action> {
    let words: Vec<String> = input.split_whitespace().map(|w| w.to_lowercase()).collect();
    Action::ALL
        .iter()
        .copied()
        .filter(|a| a.allowed(role))
        .filter(|a| {
            let hay = format!("{} {}", a.as_str(), a.describe()).to_lowercase();
            words.iter().all(|w| subsequence(&hay, w))
        })
        .collect()
}

/// `needle`'s characters appear in `hay` in order ("apdr" matches "approve-draft").
fn subsequence(hay: &str, needle: &str) -> bool {
    let mut chars = hay.chars();
    needle.chars().all(|c| chars.any(|h| h == c))
}

pub fn shop_text(s: &ShopRow) -> String {
    format!(
        "{} {} {} {} {}",
        s.id,
        s.target_name,
        s.persona_name,
        s.status,
        s.client.as_deref().unwrap_or("")
    )
}

pub fn draft_text(m: &MessageRow) -> String {
    format!("{} {} {} {}", m.id, m.subject, m.kind, m.to_addrs.join(" "))
}

pub fn inbox_text(m: &InboxRow) -> String {
    format!(
        "{} {} {} {} {}",
        m.id,
        m.from_addr,
        m.from_name,
        m.subject,
        m.target_name.as_deref().unwrap_or("")
    )
}

pub fn target_text(t: &Target) -> String {
    format!(
        "{} {} {} {} {} {}",
        t.id,
        t.name,
        t.city,
        t.property_manager,
        t.email,
        t.client.as_deref().unwrap_or("")
    )
}

pub fn persona_text(p: &Persona) -> String {
    format!("{} {} {} {}", p.id, p.first_name, p.last_name, p.email)
}

mod actions;
mod flags;
mod forms;
mod loaded;
#[cfg(test)]
mod tests;

pub(crate) use loaded::reload_for;

pub(crate) fn editor_for(subject: &str, body: &str) -> DraftEditor {
    DraftEditor::new(subject, body)
}

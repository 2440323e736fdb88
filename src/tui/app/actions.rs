//! What each action does to the state, and the effects it asks for.

use super::super::action::Action;
use super::super::effect::{Effect, Query};
use super::super::state::{
    Form, Modal, Pane, PortfolioView, PromptFor, ReportView, SHOP_SORTS, TARGET_SORTS, TargetView,
    ThreadView, sort_shops, sort_targets,
};
use super::{App, PAGE, editor_for, reload_for};
use crate::domain::ids::ShopId;

impl App {
    pub(super) fn act(&mut self, action: Action) -> Vec<Effect> {
        use Action::*;
        if !action.allowed(self.role) {
            let what = match action.pane() {
                Some(p) => format!("the {} pane is not theirs", p.title().to_lowercase()),
                None => format!("it may not {}", action.describe()),
            };
            self.toast(self.role.refusal(&self.operator, &what));
            return Vec::new();
        }
        match action {
            Quit => {
                if self.draft.as_ref().is_some_and(|d| d.is_dirty()) {
                    self.modal = Some(Modal::ConfirmQuit);
                    Vec::new()
                } else {
                    self.quit_now()
                }
            }
            Help => {
                self.modal = Some(Modal::Help { scroll: 0 });
                Vec::new()
            }
            Palette => {
                self.modal = Some(Modal::Palette {
                    input: String::new(),
                    selected: 0,
                });
                Vec::new()
            }
            NextPane | PrevPane => {
                let panes = self.panes();
                let at = panes.iter().position(|p| *p == self.pane).unwrap_or(0);
                let step = if action == NextPane {
                    1
                } else {
                    panes.len() - 1
                };
                self.go(panes[(at + step) % panes.len()])
            }
            GoDashboard => self.go(Pane::Dashboard),
            GoShops => self.go(Pane::Shops),
            GoReview => self.go(Pane::Review),
            GoInbox => self.go(Pane::Inbox),
            GoTargets => self.go(Pane::Targets),
            GoPersonas => self.go(Pane::Personas),
            GoReports => self.go(Pane::Reports),
            Up => self.step(-1),
            Down => self.step(1),
            PageUp => self.step(-PAGE),
            PageDown => self.step(PAGE),
            Top => self.step(-isize::MAX / 2),
            Bottom => self.step(isize::MAX / 2),
            Open => self.open(),
            Back => self.back(),
            Filter => {
                let input = match self.pane {
                    Pane::Shops | Pane::Reports => self.shops.filter.clone(),
                    Pane::Review => self.review.filter.clone(),
                    Pane::Inbox => self.inbox.filter.clone(),
                    Pane::Targets => self.targets.filter.clone(),
                    Pane::Personas => self.personas.filter.clone(),
                    Pane::Dashboard => return Vec::new(),
                };
                self.modal = Some(Modal::Prompt {
                    purpose: PromptFor::Filter,
                    input,
                });
                Vec::new()
            }
            Refresh => {
                let mut out = vec![reload_for(self.pane, &self.inbox_filter)];
                if let Some(t) = &self.thread {
                    out.push(Effect::Load(Query::Thread(t.shop)));
                }
                out.push(Effect::Load(Query::Dashboard));
                out.dedup();
                out
            }
            OlderVersion => self.step_version(-1),
            NewerVersion => self.step_version(1),
            ToggleDiff => {
                if let Some(d) = &mut self.draft
                    && d.editor.is_none()
                {
                    d.diff = !d.diff;
                    d.scroll = 0;
                }
                Vec::new()
            }
            RestoreVersion => self.restore_version(),
            ApproveDraft | EditDraft | EditDraftExternal | RegenerateDraft
                if self.draft.as_ref().is_some_and(|d| d.is_browsing()) =>
            {
                self.toast(
                    "this is an earlier version: ] goes back to the current text, b restores this one",
                );
                Vec::new()
            }
            ApproveDraft => self.ask_approve(),
            RejectDraft if self.draft.as_ref().is_some_and(|d| d.held_by.is_some()) => {
                let who = self.draft.as_ref().and_then(|d| d.held_by.clone());
                self.read_only(who)
            }
            RejectDraft => match self.decidable_draft() {
                Some((id, _)) => {
                    self.modal = Some(Modal::Prompt {
                        purpose: PromptFor::RejectReason(id),
                        input: String::new(),
                    });
                    Vec::new()
                }
                None => Vec::new(),
            },
            EditDraft => self.edit_here(),
            EditDraftExternal => match &self.draft {
                Some(d) if d.held_by.is_none() => {
                    let (subject, body) = match &d.editor {
                        Some(e) => e.text(),
                        None => (d.draft.subject.clone(), d.draft.body_text.clone()),
                    };
                    vec![Effect::OpenEditor {
                        id: d.id(),
                        version: d.draft.version,
                        subject,
                        body,
                    }]
                }
                Some(d) => self.read_only(d.held_by.clone()),
                None => self.open_selected_draft(),
            },
            RegenerateDraft => match &self.draft {
                Some(d) if d.held_by.is_none() => {
                    self.modal = Some(Modal::Prompt {
                        purpose: PromptFor::Instructions(d.id(), d.draft.version),
                        input: String::new(),
                    });
                    Vec::new()
                }
                Some(d) => self.read_only(d.held_by.clone()),
                None => self.open_selected_draft(),
            },
            SaveDraft => {
                let Some(d) = &mut self.draft else {
                    return Vec::new();
                };
                let Some(editor) = &d.editor else {
                    return Vec::new();
                };
                if !d.is_dirty() {
                    d.editor = None;
                    return Vec::new();
                }
                let (subject, body) = editor.text();
                if subject.is_empty() || body.is_empty() {
                    self.toast("a draft needs a subject and a body");
                    return Vec::new();
                }
                d.busy = Some("saving");
                vec![Effect::SaveDraft {
                    id: d.id(),
                    version: d.draft.version,
                    subject,
                    body,
                }]
            }
            AssignMessage => match self.inbox.selected_row() {
                Some(m) if self.pane == Pane::Inbox && m.shop_id.is_none() => {
                    self.modal = Some(Modal::Prompt {
                        purpose: PromptFor::AssignToShop(m.id),
                        input: String::new(),
                    });
                    Vec::new()
                }
                Some(_) if self.pane == Pane::Inbox => {
                    self.toast("this message already belongs to a shop");
                    Vec::new()
                }
                _ => Vec::new(),
            },
            ToggleUnmatched => {
                self.inbox_filter.unmatched_only = !self.inbox_filter.unmatched_only;
                self.inbox_filter.limit = 0;
                vec![Effect::Load(Query::Inbox(self.inbox_filter.clone()))]
            }
            CancelShop if self.selected_shop_finished() => {
                self.toast("this shop has ended: there is nothing to cancel");
                Vec::new()
            }
            CancelShop => match self.selected_shop() {
                Some(id) => {
                    self.modal = Some(Modal::Confirm {
                        action: CancelShop,
                        question: format!("Cancel shop #{id}? Nothing more of it is sent."),
                    });
                    Vec::new()
                }
                None => Vec::new(),
            },
            RetrySend => match self.failed_message() {
                Some(id) => vec![Effect::RetrySend(id)],
                None => {
                    self.toast("nothing of this shop failed to send");
                    Vec::new()
                }
            },
            RecallMessage => match self.recallable() {
                Some(id) => vec![Effect::RecallMessage(id)],
                None => {
                    self.toast(
                        "nothing to recall here: select a shop with a message in the outbox \
                         (2 Shops), or secret-shop draft recall ID",
                    );
                    Vec::new()
                }
            },
            DraftNext => match self.selected_shop() {
                Some(id) => vec![Effect::DraftNext(id)],
                None => Vec::new(),
            },
            ReviewFlags => self.open_flags(),
            GradeShop => match self.selected_shop() {
                Some(id) => vec![Effect::GradeShop(id)],
                None => Vec::new(),
            },
            ExportReport => match self.selected_shop() {
                Some(id) => {
                    self.modal = Some(Modal::Prompt {
                        purpose: PromptFor::ExportPath(id),
                        input: format!("shop-{id}.html"),
                    });
                    Vec::new()
                }
                None => Vec::new(),
            },
            GatherWebsite => match self.targets.selected_row() {
                Some(t) if self.pane == Pane::Targets => vec![Effect::GatherWebsite(t.id)],
                _ => Vec::new(),
            },
            StartShop => self.start_pick(),
            Sort => {
                match self.pane {
                    Pane::Targets if self.target_view.is_none() => {
                        self.targets_sort = (self.targets_sort + 1) % TARGET_SORTS.len();
                        let mut rows = self.targets.rows.clone();
                        sort_targets(&mut rows, self.targets_sort);
                        self.targets.replace(rows, |t| t.id, super::target_text);
                        self.toast(format!("targets by {}", TARGET_SORTS[self.targets_sort]));
                    }
                    Pane::Shops | Pane::Reports
                        if self.thread.is_none() && self.report.is_none() =>
                    {
                        self.shops_sort = (self.shops_sort + 1) % SHOP_SORTS.len();
                        let mut rows = self.shops.rows.clone();
                        sort_shops(&mut rows, self.shops_sort);
                        self.shops.replace(rows, |s| s.id, super::shop_text);
                        self.toast(format!("shops by {}", SHOP_SORTS[self.shops_sort]));
                    }
                    _ => {}
                }
                Vec::new()
            }
            ToggleTemplates => {
                self.show_templates = !self.show_templates;
                if self.show_templates && !self.templates.loaded {
                    vec![Effect::Load(Query::Templates)]
                } else {
                    Vec::new()
                }
            }
            ShowPortfolio => {
                self.portfolio = Some(PortfolioView::default());
                vec![Effect::Load(Query::Portfolio)]
            }
            NewTarget => {
                self.modal = Some(Modal::Form(Form::new(None)));
                // Fresh names for the client picker: another operator may have added one.
                vec![Effect::Load(Query::Clients)]
            }
            EditTarget => {
                if let Some(t) = self
                    .targets
                    .selected_row()
                    .filter(|_| self.pane == Pane::Targets)
                {
                    self.modal = Some(Modal::Form(Form::new(Some(t))));
                    return vec![Effect::Load(Query::Clients)];
                }
                Vec::new()
            }
            ImportTargets => self.prompt(PromptFor::ImportTargets, ""),
            EditPersona if self.show_templates && self.pane == Pane::Personas => {
                if let Some(t) = self.templates.selected_row() {
                    self.modal = Some(Modal::Form(Form::for_template(t)));
                }
                Vec::new()
            }
            EditPersona => {
                if let Some(p) = self
                    .personas
                    .selected_row()
                    .filter(|_| self.pane == Pane::Personas && !self.show_templates)
                {
                    self.modal = Some(Modal::Form(Form::for_persona(p)));
                }
                Vec::new()
            }
            NewTemplate => {
                self.modal = Some(Modal::Form(Form::new_template()));
                Vec::new()
            }
            GeneratePersonas => {
                let name = self
                    .templates
                    .selected_row()
                    .filter(|_| self.show_templates)
                    .map(|t| format!("{} 1", t.name))
                    .unwrap_or_default();
                self.prompt(PromptFor::GeneratePersonas, &name)
            }
            RetirePersona if self.show_templates => match self.templates.selected_row() {
                Some(t) if self.pane == Pane::Personas => {
                    self.modal = Some(Modal::Confirm {
                        action: RetirePersona,
                        question: format!(
                            "Retire template #{} {}? No more personas are drawn from it.",
                            t.id, t.name
                        ),
                    });
                    Vec::new()
                }
                _ => Vec::new(),
            },
            RetirePersona => match self.personas.selected_row() {
                Some(p) if self.pane == Pane::Personas => {
                    self.modal = Some(Modal::Confirm {
                        action: RetirePersona,
                        question: format!(
                            "Retire persona #{} {}? Its address is never given out again.",
                            p.id,
                            p.full_name()
                        ),
                    });
                    Vec::new()
                }
                _ => Vec::new(),
            },
            FilterInbox => {
                let f = &self.inbox_filter;
                let mut current = Vec::new();
                if let Some(s) = f.shop {
                    current.push(format!("shop:{s}"));
                }
                if let Some(t) = &f.target {
                    current.push(format!("target:{t}"));
                }
                if let Some(r) = &f.responder {
                    current.push(format!("responder:{r}"));
                }
                let text = current.join(" ");
                self.prompt(PromptFor::InboxFilter, &text)
            }
        }
    }

    fn prompt(&mut self, purpose: PromptFor, input: &str) -> Vec<Effect> {
        self.modal = Some(Modal::Prompt {
            purpose,
            input: input.to_string(),
        });
        Vec::new()
    }

    pub(super) fn confirmed(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::ApproveDraft => match self.decidable_draft() {
                Some((id, version)) => {
                    if let Some(d) = &mut self.draft {
                        d.busy = Some("approving");
                    }
                    vec![Effect::ApproveDraft { id, version }]
                }
                None => Vec::new(),
            },
            Action::CancelShop => self
                .selected_shop()
                .map(|id| vec![Effect::CancelShop(id)])
                .unwrap_or_default(),
            Action::RetirePersona if self.show_templates => self
                .templates
                .selected_row()
                .map(|t| vec![Effect::RetireTemplate(t.id)])
                .unwrap_or_default(),
            Action::RetirePersona => self
                .personas
                .selected_row()
                .map(|p| vec![Effect::RetirePersona(p.id)])
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    pub(super) fn prompted(&mut self, purpose: PromptFor, input: String) -> Vec<Effect> {
        let text = input.trim().to_string();
        match purpose {
            PromptFor::Filter => Vec::new(),
            PromptFor::RejectReason(id) => {
                if text.is_empty() {
                    self.toast("a reason is needed to reject");
                    self.modal = Some(Modal::Prompt {
                        purpose: PromptFor::RejectReason(id),
                        input,
                    });
                    return Vec::new();
                }
                if let Some(d) = &mut self.draft
                    && d.id() == id
                {
                    d.busy = Some("rejecting");
                }
                vec![Effect::RejectDraft { id, reason: text }]
            }
            PromptFor::Instructions(id, version) => {
                if let Some(d) = &mut self.draft {
                    d.busy = Some("regenerating");
                }
                vec![Effect::RegenerateDraft {
                    id,
                    version,
                    instructions: text,
                }]
            }
            PromptFor::AssignToShop(message) => match text.trim_start_matches('#').parse::<i64>() {
                Ok(shop) => vec![Effect::AssignMessage {
                    message,
                    shop: ShopId(shop),
                }],
                Err(_) => {
                    self.toast(format!("`{text}` is not a shop number"));
                    Vec::new()
                }
            },
            PromptFor::ExportPath(shop) => {
                if text.is_empty() {
                    return Vec::new();
                }
                vec![Effect::ExportReport {
                    shop,
                    path: text.into(),
                }]
            }
            PromptFor::ImportTargets => {
                if text.is_empty() {
                    return Vec::new();
                }
                vec![Effect::ImportTargets(text.into())]
            }
            PromptFor::GeneratePersonas => {
                let mut words = text.rsplitn(2, ' ');
                let last = words.next().unwrap_or_default();
                let (template, count) = match (last.parse::<u32>(), words.next()) {
                    (Ok(n), Some(t)) => (t.trim().to_string(), n),
                    _ => (text.clone(), 1),
                };
                if template.is_empty() || !(1..=100).contains(&count) {
                    self.toast("give a template name and a count from 1 to 100");
                    return Vec::new();
                }
                vec![Effect::GeneratePersonas { template, count }]
            }
            PromptFor::InboxFilter => match parse_inbox_filter(&text) {
                Ok(f) => {
                    self.inbox_filter = crate::store::InboxFilter {
                        unmatched_only: self.inbox_filter.unmatched_only,
                        limit: 0,
                        ..f
                    };
                    vec![Effect::Load(Query::Inbox(self.inbox_filter.clone()))]
                }
                Err(e) => {
                    self.toast(e);
                    Vec::new()
                }
            },
        }
    }

    fn go(&mut self, pane: Pane) -> Vec<Effect> {
        let mut out = Vec::new();
        if let Some(d) = &self.draft {
            if d.is_dirty() {
                self.toast("save (C-s) or drop (esc, then esc) the edit first");
                return out;
            }
            if d.held_by.is_none() {
                out.push(Effect::ReleaseDraft(d.id()));
            }
            self.draft = None;
        }
        self.thread = None;
        self.report = None;
        self.portfolio = None;
        self.target_view = None;
        self.pane = pane;
        let loaded = match pane {
            Pane::Dashboard => self.dashboard.is_some(),
            Pane::Shops | Pane::Reports => self.shops.loaded,
            Pane::Review => self.review.loaded,
            Pane::Inbox => self.inbox.loaded,
            Pane::Targets => self.targets.loaded,
            Pane::Personas => self.personas.loaded,
        };
        if !loaded {
            out.push(reload_for(pane, &self.inbox_filter));
        }
        out
    }

    fn step(&mut self, delta: isize) -> Vec<Effect> {
        if let Some(d) = &mut self.draft
            && d.editor.is_none()
        {
            d.scroll = scroll(d.scroll, delta).min(d.max_scroll());
            return Vec::new();
        }
        if let Some(p) = &mut self.portfolio {
            p.scroll = scroll(p.scroll, delta);
            return Vec::new();
        }
        if let Some(v) = &mut self.target_view {
            v.scroll = scroll(v.scroll, delta);
            return Vec::new();
        }
        if let Some(r) = &mut self.report {
            r.scroll = scroll(r.scroll, delta);
            return Vec::new();
        }
        if let Some(t) = &mut self.thread {
            // Page keys scroll the conversation; single steps move between the facts shown
            // (superseded values are hidden, so they are skipped).
            let shown: Vec<usize> = t
                .facts
                .iter()
                .enumerate()
                .filter(|(_, f)| f.superseded_by.is_none())
                .map(|(i, _)| i)
                .collect();
            if shown.is_empty() || delta.abs() >= PAGE {
                t.scroll = scroll(t.scroll, delta);
            } else {
                let at = shown.iter().position(|i| *i >= t.fact).unwrap_or(0) as isize;
                let to = (at + delta).clamp(0, shown.len() as isize - 1) as usize;
                t.fact = shown[to];
            }
            return Vec::new();
        }
        if self.draft.is_some() {
            return Vec::new();
        }
        match self.pane {
            Pane::Shops | Pane::Reports => self.shops.step(delta),
            Pane::Review => self.review.step(delta),
            Pane::Inbox => {
                self.inbox.step(delta);
                // At the last row of a full page: the next page, from the database.
                let page = if self.inbox_filter.limit > 0 {
                    self.inbox_filter.limit
                } else {
                    super::super::runtime::LIST_LIMIT
                };
                let at_end = self.inbox.selected + 1 >= self.inbox.len();
                if delta > 0 && at_end && self.inbox.rows.len() as i64 >= page {
                    self.inbox_filter.limit = page + super::super::runtime::LIST_LIMIT;
                    return vec![Effect::Load(Query::Inbox(self.inbox_filter.clone()))];
                }
            }
            Pane::Targets => self.targets.step(delta),
            Pane::Personas if self.show_templates => self.templates.step(delta),
            Pane::Personas => self.personas.step(delta),
            Pane::Dashboard => {}
        }
        Vec::new()
    }

    fn open(&mut self) -> Vec<Effect> {
        if self.draft.is_some()
            || self.thread.is_some()
            || self.report.is_some()
            || self.portfolio.is_some()
            || self.target_view.is_some()
        {
            return Vec::new();
        }
        match self.pane {
            Pane::Shops => match self.shops.selected_row() {
                Some(s) => self.open_thread(s.id),
                None => Vec::new(),
            },
            Pane::Review => self.open_selected_draft(),
            Pane::Inbox => match self.inbox.selected_row() {
                Some(m) => {
                    let mut out = Vec::new();
                    if !m.read {
                        out.push(Effect::MarkRead(vec![m.id]));
                    }
                    match m.shop_id {
                        Some(shop) => out.extend(self.open_thread(shop)),
                        None => self.toast("unmatched: A assigns it to a shop"),
                    }
                    out
                }
                None => Vec::new(),
            },
            Pane::Reports => match self.shops.selected_row() {
                Some(s) => {
                    let shop = s.id;
                    self.report = Some(ReportView {
                        shop,
                        text: None,
                        scroll: 0,
                    });
                    vec![Effect::Load(Query::Report(shop))]
                }
                None => Vec::new(),
            },
            Pane::Targets => match self.targets.selected_row() {
                Some(t) => {
                    let target = t.id;
                    self.target_view = Some(TargetView {
                        target,
                        shops: Vec::new(),
                        website: None,
                        loaded: false,
                        scroll: 0,
                    });
                    vec![Effect::Load(Query::Target(target))]
                }
                None => Vec::new(),
            },
            // A persona's details are its edit form.
            Pane::Personas => self.act(Action::EditPersona),
            Pane::Dashboard => Vec::new(),
        }
    }

    fn open_thread(&mut self, shop: ShopId) -> Vec<Effect> {
        self.thread = Some(ThreadView::new(shop));
        vec![Effect::Load(Query::Thread(shop))]
    }

    fn open_selected_draft(&mut self) -> Vec<Effect> {
        if self.pane != Pane::Review {
            return Vec::new();
        }
        match self.review.selected_row() {
            Some(m) => vec![Effect::OpenDraft(m.id)],
            None => Vec::new(),
        }
    }

    pub(super) fn back(&mut self) -> Vec<Effect> {
        if let Some(d) = &mut self.draft {
            if d.editor.is_some() && !d.is_dirty() {
                d.editor = None;
                return Vec::new();
            }
            if d.editor.is_some() {
                // A changed text is never dropped without asking.
                self.modal = Some(Modal::UnsavedEdit);
                return Vec::new();
            }
            let out = match d.held_by {
                None => vec![Effect::ReleaseDraft(d.id())],
                Some(_) => Vec::new(),
            };
            self.draft = None;
            return out;
        }
        if self.portfolio.take().is_some()
            || self.target_view.take().is_some()
            || self.report.take().is_some()
            || self.thread.take().is_some()
        {
            return Vec::new();
        }
        // On a filtered list, Esc shows the whole list again.
        if !self.filter().is_empty() {
            self.set_filter(String::new());
        }
        Vec::new()
    }

    fn edit_here(&mut self) -> Vec<Effect> {
        let Some(d) = &mut self.draft else {
            return self.open_selected_draft();
        };
        if d.held_by.is_some() {
            let who = d.held_by.clone();
            return self.read_only(who);
        }
        if d.editor.is_none() {
            d.editor = Some(editor_for(&d.draft.subject, &d.draft.body_text));
        }
        Vec::new()
    }

    fn read_only(&mut self, who: Option<String>) -> Vec<Effect> {
        self.toast(format!(
            "{} is reviewing this draft: read-only",
            who.unwrap_or_else(|| "someone".into())
        ));
        Vec::new()
    }

    fn step_version(&mut self, by: isize) -> Vec<Effect> {
        let Some(d) = &mut self.draft else {
            return Vec::new();
        };
        if d.editor.is_some() {
            return Vec::new();
        }
        if !d.step_version(by) {
            let end = if by < 0 {
                "this is the first version"
            } else {
                "this is the current text"
            };
            self.toast(end);
        }
        Vec::new()
    }

    fn restore_version(&mut self) -> Vec<Effect> {
        let Some(d) = &mut self.draft else {
            return Vec::new();
        };
        if let Some(who) = d.held_by.clone() {
            return self.read_only(Some(who));
        }
        let Some(i) = d.browsing else {
            self.toast("step back with [ to the version to restore");
            return Vec::new();
        };
        d.busy = Some("restoring");
        vec![Effect::RestoreVersion {
            id: d.id(),
            number: d.versions[i].number,
            version: d.draft.version,
        }]
    }

    fn ask_approve(&mut self) -> Vec<Effect> {
        if let Some(d) = &self.draft {
            if let Some(who) = d.held_by.clone() {
                return self.read_only(Some(who));
            }
            if d.is_dirty() {
                self.toast("save the edit (C-s) before approving");
                return Vec::new();
            }
        }
        let Some((id, _)) = self.decidable_draft() else {
            return Vec::new();
        };
        let row = self
            .draft
            .as_ref()
            .map(|d| &d.draft)
            .or_else(|| self.review.selected_row());
        let Some(m) = row else {
            return Vec::new();
        };
        let mut question = format!(
            "Approve draft #{id}?\nFrom: {} <{}>\nTo: {}\nSubject: {}",
            m.from_name,
            m.from_addr,
            m.to_addrs.join(", "),
            m.subject
        );
        match self.draft.as_ref().map(|d| d.unread_lines()) {
            Some(0) => question.push_str("\nYou have read the whole text."),
            Some(n) => question.push_str(&format!(
                "\n{n} lines below not read yet (j, PgDn, G scroll)."
            )),
            None => question.push_str("\nOpen it (enter) to read the whole text first."),
        }
        question.push_str("\nIt is sent in the send window.");
        self.modal = Some(Modal::Confirm {
            action: Action::ApproveDraft,
            question,
        });
        Vec::new()
    }

    /// The draft an approve or reject applies to: the open one, or the selected queue row.
    fn decidable_draft(&self) -> Option<(crate::domain::ids::MessageId, i32)> {
        if let Some(d) = &self.draft {
            return d.held_by.is_none().then_some((d.id(), d.draft.version));
        }
        if self.pane != Pane::Review {
            return None;
        }
        let m = self.review.selected_row()?;
        if m.claimed_by_name
            .as_deref()
            .is_some_and(|who| who != self.operator)
        {
            return None;
        }
        Some((m.id, m.version))
    }

    /// What `u` recalls: on the shops pane the selected shop's approved message (until the
    /// outbox has it), elsewhere the message approved last within its undo window.
    pub(crate) fn recallable(&self) -> Option<crate::domain::ids::MessageId> {
        if self.pane == Pane::Shops && self.thread.is_none() {
            let s = self.shops.selected_row()?;
            return s
                .outbox_message
                .filter(|_| s.outbox_status.as_deref() != Some("sending"));
        }
        self.undoable.last().map(|(id, _)| *id)
    }

    /// The selected shop's failed message, if it has one.
    pub(crate) fn failed_message(&self) -> Option<crate::domain::ids::MessageId> {
        match self.pane {
            Pane::Shops => self.shops.selected_row().and_then(|s| s.failed_message),
            _ => None,
        }
    }

    /// The selected shop's planner is held by a rejected follow-up.
    pub(crate) fn shop_rejected(&self) -> bool {
        self.pane == Pane::Shops
            && self
                .shops
                .selected_row()
                .is_some_and(|s| s.rejection.is_some())
    }

    pub(crate) fn selected_shop_id(&self) -> Option<ShopId> {
        self.selected_shop()
    }

    fn selected_shop(&self) -> Option<ShopId> {
        if let Some(t) = &self.thread {
            return Some(t.shop);
        }
        if let Some(r) = &self.report {
            return Some(r.shop);
        }
        match self.pane {
            Pane::Shops | Pane::Reports => self.shops.selected_row().map(|s| s.id),
            _ => None,
        }
    }
}

fn scroll(at: u16, delta: isize) -> u16 {
    (at as isize + delta).clamp(0, u16::MAX as isize) as u16
}

/// "shop:12 target:grove responder:human" → a filter; empty → everything.
pub fn parse_inbox_filter(text: &str) -> Result<crate::store::InboxFilter, String> {
    let mut f = crate::store::InboxFilter::default();
    for word in text.split_whitespace() {
        match word.split_once(':') {
            Some(("shop", n)) => {
                f.shop = Some(ShopId(
                    n.trim_start_matches('#')
                        .parse()
                        .map_err(|_| format!("`{n}` is not a shop number"))?,
                ))
            }
            Some(("target", t)) if !t.is_empty() => f.target = Some(t.to_string()),
            Some(("responder", r)) if ["human", "auto", "ai"].contains(&r) => {
                f.responder = Some(r.to_string())
            }
            _ => {
                return Err(format!(
                    "`{word}`: use shop:N, target:TEXT or responder:human|auto|ai"
                ));
            }
        }
    }
    Ok(f)
}

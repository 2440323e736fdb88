//! The pieces of the UI's state: panes, lists with a selection and a filter, the open thread or
//! draft, dialogs and toasts. Plain data; `App::handle` changes it, `view` reads it.

use chrono::{DateTime, Utc};
use tui_textarea::TextArea;

use super::action::{Action, Scope};
use crate::domain::ids::{MessageId, ShopId};
use crate::domain::role::Role;
use crate::store::{DraftVersion, FactRow, MessageRow};

/// The panes, in Tab order; number keys jump to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Dashboard,
    Shops,
    Review,
    Inbox,
    Targets,
    Personas,
    Reports,
}

impl Pane {
    pub const ALL: [Pane; 7] = [
        Pane::Dashboard,
        Pane::Shops,
        Pane::Review,
        Pane::Inbox,
        Pane::Targets,
        Pane::Personas,
        Pane::Reports,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Dashboard => "Dashboard",
            Pane::Shops => "Shops",
            Pane::Review => "Review",
            Pane::Inbox => "Inbox",
            Pane::Targets => "Targets",
            Pane::Personas => "Personas",
            Pane::Reports => "Reports",
        }
    }

    pub fn scope(self) -> Scope {
        match self {
            Pane::Dashboard => Scope::Dashboard,
            Pane::Shops => Scope::Shops,
            Pane::Review => Scope::Review,
            Pane::Inbox => Scope::Inbox,
            Pane::Targets => Scope::Targets,
            Pane::Personas => Scope::Personas,
            Pane::Reports => Scope::Reports,
        }
    }

    /// The panes a login in `role` is offered: a client's portfolio (read-only), everyone
    /// else's all of them.
    pub fn for_role(role: Role) -> &'static [Pane] {
        if role.reads_only() {
            &[Pane::Dashboard, Pane::Shops, Pane::Reports]
        } else {
            &Pane::ALL
        }
    }

    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// Rows with a selection and a `/` filter. `visible` holds the indices that pass the filter.
#[derive(Debug, Clone)]
pub struct ListView<T> {
    pub rows: Vec<T>,
    pub visible: Vec<usize>,
    pub selected: usize,
    pub filter: String,
    pub loaded: bool,
}

impl<T> Default for ListView<T> {
    fn default() -> Self {
        ListView {
            rows: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            filter: String::new(),
            loaded: false,
        }
    }
}

impl<T> ListView<T> {
    /// New rows; the selection stays on the same row (by `key`) when it is still there.
    pub fn replace<K: PartialEq>(
        &mut self,
        rows: Vec<T>,
        key: impl Fn(&T) -> K,
        text: impl Fn(&T) -> String,
    ) {
        let keep = self.selected_row().map(&key);
        self.rows = rows;
        self.loaded = true;
        self.refilter(text);
        if let Some(k) = keep
            && let Some(pos) = self.visible.iter().position(|i| key(&self.rows[*i]) == k)
        {
            self.selected = pos;
        }
        self.clamp();
    }

    pub fn refilter(&mut self, text: impl Fn(&T) -> String) {
        let needle = self.filter.to_lowercase();
        self.visible = (0..self.rows.len())
            .filter(|i| needle.is_empty() || text(&self.rows[*i]).to_lowercase().contains(&needle))
            .collect();
        self.clamp();
    }

    fn clamp(&mut self) {
        if self.selected >= self.visible.len() {
            self.selected = self.visible.len().saturating_sub(1);
        }
    }

    pub fn selected_row(&self) -> Option<&T> {
        self.visible
            .get(self.selected)
            .and_then(|i| self.rows.get(*i))
    }

    pub fn visible_rows(&self) -> impl Iterator<Item = &T> {
        self.visible.iter().map(|i| &self.rows[*i])
    }

    pub fn len(&self) -> usize {
        self.visible.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    /// Moves the selection by `delta` rows, stopping at the ends.
    pub fn step(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }
}

/// The orders the targets list cycles through with `s`.
pub const TARGET_SORTS: [&str; 4] = ["name", "city", "manager", "newest"];
/// The orders the shops list cycles through with `s`.
pub const SHOP_SORTS: [&str; 4] = ["activity", "target", "state", "score"];

pub fn sort_targets(rows: &mut [crate::domain::target::Target], by: usize) {
    match TARGET_SORTS[by % TARGET_SORTS.len()] {
        "city" => rows.sort_by(|a, b| (&a.city, &a.name).cmp(&(&b.city, &b.name))),
        "manager" => {
            rows.sort_by(|a, b| (&a.property_manager, &a.name).cmp(&(&b.property_manager, &b.name)))
        }
        "newest" => rows.sort_by_key(|t| std::cmp::Reverse(t.created_at)),
        _ => rows.sort_by_key(|t| t.name.to_lowercase()),
    }
}

pub fn sort_shops(rows: &mut [crate::store::ShopRow], by: usize) {
    match SHOP_SORTS[by % SHOP_SORTS.len()] {
        "target" => rows.sort_by(|a, b| (&a.target_name, a.id).cmp(&(&b.target_name, b.id))),
        "state" => rows.sort_by(|a, b| {
            (a.status.as_str(), std::cmp::Reverse(a.last_activity))
                .cmp(&(b.status.as_str(), std::cmp::Reverse(b.last_activity)))
        }),
        "score" => rows.sort_by(|a, b| b.score.unwrap_or(-1.0).total_cmp(&a.score.unwrap_or(-1.0))),
        _ => rows.sort_by_key(|s| std::cmp::Reverse((s.last_activity, s.id))),
    }
}

/// A shop's current grade and the operators' decisions on it and on its facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThreadReview {
    pub grade: Option<crate::domain::rubric::Grade>,
    pub decisions: crate::domain::overrides::Decisions,
}

/// The fair-housing flag dialog: each flag of the shop's grade with its verdict so far; the
/// operator picks one, confirms or clears it, and says why (required to clear).
#[derive(Debug, Clone, PartialEq)]
pub struct FlagDialog {
    pub shop: ShopId,
    /// (quote, why it was flagged, the verdict so far: "cleared by ann: ...").
    pub flags: Vec<(String, String, Option<String>)>,
    pub selected: usize,
    pub verdict: crate::domain::overrides::Verdict,
    pub reason: String,
    pub error: Option<String>,
}

/// One shop's conversation, opened from the shops list or the inbox.
#[derive(Debug, Clone)]
pub struct ThreadView {
    pub shop: ShopId,
    pub messages: Vec<MessageRow>,
    pub facts: Vec<FactRow>,
    pub review: ThreadReview,
    pub loaded: bool,
    /// The selected fact (its evidence is shown).
    pub fact: usize,
    pub scroll: u16,
}

impl ThreadView {
    pub fn new(shop: ShopId) -> ThreadView {
        ThreadView {
            shop,
            messages: Vec::new(),
            facts: Vec::new(),
            review: ThreadReview::default(),
            loaded: false,
            fact: 0,
            scroll: 0,
        }
    }
}

/// A draft opened from the review queue.
pub struct DraftView {
    pub draft: MessageRow,
    /// Another operator holds it: read-only, and who.
    pub held_by: Option<String>,
    pub thread: Vec<MessageRow>,
    pub missing: Vec<String>,
    /// The in-place editor while editing (first line is the subject).
    pub editor: Option<DraftEditor>,
    pub busy: Option<&'static str>,
    /// First line of the text shown (clamped when drawn).
    pub scroll: u16,
    /// The text's wrapped height and the rows showing it, as last drawn: the view writes it so
    /// scrolling stops at the end and the approve dialog can say what was not read yet.
    pub seen: std::cell::Cell<Option<(u16, u16)>>,
    /// Every version of the text, oldest first (the last is the current text).
    pub versions: Vec<DraftVersion>,
    /// The version shown while stepping back with `[` (an index into `versions`); None: the
    /// current text.
    pub browsing: Option<usize>,
    /// Show the words changed against the version before the one shown.
    pub diff: bool,
}

impl DraftView {
    pub fn id(&self) -> MessageId {
        self.draft.id
    }

    /// The index of the version shown (the last when not stepping back).
    pub fn shown_index(&self) -> Option<usize> {
        self.browsing.or_else(|| self.versions.len().checked_sub(1))
    }

    /// An earlier version is on screen, not the text that would be approved.
    pub fn is_browsing(&self) -> bool {
        self.browsing.is_some()
    }

    /// Steps `by` versions (negative: older), stopping at the first and at the current text.
    pub fn step_version(&mut self, by: isize) -> bool {
        let Some(now) = self.shown_index() else {
            return false;
        };
        let last = self.versions.len() - 1;
        let to = now.saturating_add_signed(by).min(last);
        if to == now {
            return false;
        }
        self.browsing = (to < last).then_some(to);
        self.scroll = 0;
        true
    }

    /// The lowest the text can scroll, as last drawn (unknown before the first draw).
    pub fn max_scroll(&self) -> u16 {
        self.seen
            .get()
            .map_or(u16::MAX, |(total, visible)| total.saturating_sub(visible))
    }

    /// Lines of the text below the view: not read yet.
    pub fn unread_lines(&self) -> u16 {
        self.seen.get().map_or(0, |(total, visible)| {
            total.saturating_sub(self.scroll.min(self.max_scroll()) + visible)
        })
    }

    /// Edited and not saved.
    pub fn is_dirty(&self) -> bool {
        self.editor.as_ref().is_some_and(|e| {
            let (subject, body) = e.text();
            subject != self.draft.subject || body != self.draft.body_text.trim_end()
        })
    }
}

/// The in-place editor: a labelled one-line subject field above the body. Tab moves between
/// them; Enter in the subject goes to the body.
#[derive(Debug, Clone)]
pub struct DraftEditor {
    pub subject: TextArea<'static>,
    pub body: TextArea<'static>,
    pub on_subject: bool,
}

impl DraftEditor {
    /// Opens on the body (what is usually edited).
    pub fn new(subject: &str, body: &str) -> DraftEditor {
        let mut text = TextArea::new(body.lines().map(str::to_string).collect());
        // Long lines wrap at words as in the read view: the whole text stays in sight.
        text.set_wrap_mode(tui_textarea::WrapMode::WordOrGlyph);
        DraftEditor {
            subject: TextArea::new(vec![subject.to_string()]),
            body: text,
            on_subject: false,
        }
    }

    /// (subject, body) as they would be saved.
    pub fn text(&self) -> (String, String) {
        (
            self.subject.lines().join(" ").trim().to_string(),
            self.body
                .lines()
                .join("\n")
                .trim_start_matches('\n')
                .trim_end()
                .to_string(),
        )
    }

    /// A key typed into the field that has the focus.
    pub fn input(&mut self, k: crossterm::event::KeyEvent) {
        use crossterm::event::KeyCode;
        match k.code {
            KeyCode::Tab | KeyCode::BackTab => self.on_subject = !self.on_subject,
            // The subject is one line: Enter (or ↓) moves on to the body.
            KeyCode::Enter | KeyCode::Down if self.on_subject => self.on_subject = false,
            KeyCode::Up if !self.on_subject && self.body.cursor().0 == 0 => self.on_subject = true,
            _ if self.on_subject => {
                self.subject.input(k);
            }
            _ => {
                self.body.input(k);
            }
        }
    }
}

/// A shop's report, rendered as text for the terminal.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub shop: ShopId,
    pub text: Option<String>,
    pub scroll: u16,
}

/// One target with its shops and what its website says.
#[derive(Debug, Clone)]
pub struct TargetView {
    pub target: crate::domain::ids::TargetId,
    pub shops: Vec<crate::store::ShopRow>,
    pub website: Option<crate::store::WebsiteSnapshot>,
    pub loaded: bool,
    pub scroll: u16,
}

/// The portfolio report, rendered as text for the terminal.
#[derive(Debug, Clone, Default)]
pub struct PortfolioView {
    pub text: Option<String>,
    pub scroll: u16,
}

/// What a one-line prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptFor {
    Filter,
    RejectReason(MessageId),
    Instructions(MessageId, i32),
    AssignToShop(MessageId),
    ExportPath(ShopId),
    ImportTargets,
    /// "TEMPLATE [COUNT]"
    GeneratePersonas,
    /// "shop:12 target:grove responder:human"
    InboxFilter,
}

impl PromptFor {
    pub fn label(&self) -> &'static str {
        match self {
            PromptFor::Filter => "filter",
            PromptFor::RejectReason(_) => "reject: reason",
            PromptFor::Instructions(..) => "regenerate: instructions (empty for none)",
            PromptFor::AssignToShop(_) => "assign to shop #",
            PromptFor::ExportPath(_) => "export to file (.md .html .csv .json)",
            PromptFor::ImportTargets => "import targets from CSV file",
            PromptFor::GeneratePersonas => "generate personas: TEMPLATE [COUNT]",
            PromptFor::InboxFilter => {
                "show: shop:N target:TEXT responder:human|auto|ai (empty: all)"
            }
        }
    }
}

pub enum Modal {
    Help {
        scroll: u16,
    },
    Confirm {
        action: Action,
        question: String,
    },
    Prompt {
        purpose: PromptFor,
        input: String,
    },
    Palette {
        input: String,
        selected: usize,
    },
    /// Quit with an unsaved edit?
    ConfirmQuit,
    /// Leaving the draft editor with changes: save, discard, or keep editing?
    UnsavedEdit,
    /// Confirm or clear a fair-housing flag of the shop's grade.
    Flags(FlagDialog),
    /// Choose from a list (filtered as you type).
    Pick {
        purpose: PickFor,
        input: String,
        selected: usize,
    },
    Form(Form),
    /// A long field of a form (notes, descriptions) open in a text area.
    LongField {
        form: Form,
        editor: Box<TextArea<'static>>,
    },
}

/// Fields edited in a text area (several lines) rather than on one line.
pub const LONG_FIELDS: &[&str] = &["notes", "description", "rental_history", "writing_style"];

/// What a pick list chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    /// Starting a shop: first the target...
    ShopTarget,
    /// ...then the persona.
    ShopPersona(crate::domain::ids::TargetId),
}

/// What a form edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// A new target, or one being edited at the version it was read at.
    Target(Option<(crate::domain::ids::TargetId, i32)>),
    /// A new template, or one being edited with the `updated_at` it was read at.
    Template(
        Option<(
            crate::domain::ids::PersonaTemplateId,
            chrono::DateTime<chrono::Utc>,
        )>,
    ),
    /// A persona at the version the form was filled from.
    Persona(crate::domain::ids::PersonaId, i32),
}

/// A form (a target, or a persona template): one line per field, errors beside the fields
/// they concern.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<(&'static str, String)>,
    pub focus: usize,
    pub errors: Vec<crate::domain::FieldError>,
    /// Esc pressed once on a changed form: a second Esc discards.
    pub armed_discard: bool,
    pub changed: bool,
}

/// The template form's fields: ranges as MIN-MAX, choices separated by `;`.
pub const TEMPLATE_FIELDS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("description", "Description"),
    ("budget", "Budget $ (min-max)"),
    ("bedrooms", "Bedrooms"),
    ("bathrooms", "Bathrooms"),
    ("credit_score", "Credit score"),
    ("income_multiple", "Income / rent"),
    ("move_in_days", "Move in (days)"),
    ("preferences", "Preferences (;)"),
    ("pets", "Pets (;)"),
    ("occupants", "Occupants (;)"),
    ("writing_styles", "Writing styles (;)"),
];

/// The persona form's fields (name and address stay fixed: agents know them).
pub const PERSONA_FIELDS: &[(&str, &str)] = &[
    ("phone", "Phone"),
    ("rental_budget", "Budget $/month"),
    ("bedrooms", "Bedrooms"),
    ("bathrooms", "Bathrooms"),
    ("move_in_date", "Move in (YYYY-MM-DD)"),
    ("pets", "Pets"),
    ("preferences", "Preferences"),
    ("additional_occupants", "Other occupants"),
    ("credit_score", "Credit score"),
    ("monthly_income", "Income $/month"),
    ("rental_history", "Rental history"),
    ("writing_style", "Writing style"),
];

/// The form's fields, in order: (TargetInput field, label).
pub const TARGET_FIELDS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("street", "Street"),
    ("city", "City"),
    ("state", "State"),
    ("zip", "ZIP"),
    ("phone", "Phone"),
    ("email", "Leasing email"),
    ("website", "Website"),
    ("owners", "Owners"),
    ("property_manager", "Property manager"),
    ("time_zone", "Time zone"),
    ("tags", "Tags (comma-separated)"),
    ("notes", "Notes"),
    ("client", "Client (←/→ picks)"),
];

/// Fields picked from a list with ←/→ rather than typed.
pub const PICKED_FIELDS: &[&str] = &["client"];

impl Form {
    pub fn new(target: Option<&crate::domain::target::Target>) -> Form {
        let value = |key: &str| -> String {
            let Some(t) = target else {
                return String::new();
            };
            match key {
                "name" => t.name.clone(),
                "street" => t.street.clone(),
                "city" => t.city.clone(),
                "state" => t.state.clone(),
                "zip" => t.zip.clone(),
                "phone" => t.phone.clone(),
                "email" => t.email.clone(),
                "website" => t.website.clone(),
                "owners" => t.owners.clone(),
                "property_manager" => t.property_manager.clone(),
                "time_zone" => t.time_zone.clone().unwrap_or_default(),
                "tags" => t.tags.join(", "),
                "notes" => t.notes.clone(),
                "client" => t.client.clone().unwrap_or_default(),
                _ => String::new(),
            }
        };
        Form {
            kind: FormKind::Target(target.map(|t| (t.id, t.version))),
            fields: TARGET_FIELDS.iter().map(|(k, _)| (*k, value(k))).collect(),
            focus: 0,
            errors: Vec::new(),
            armed_discard: false,
            changed: false,
        }
    }

    /// A new persona template, filled with the usual ranges.
    pub fn new_template() -> Form {
        let d = crate::domain::persona::TemplateInput::default();
        let range = |a: String, b: String| if a == b { a } else { format!("{a}-{b}") };
        let values = [
            String::new(),
            String::new(),
            range(d.budget.0.to_string(), d.budget.1.to_string()),
            range(d.bedrooms.0.to_string(), d.bedrooms.1.to_string()),
            range(d.bathrooms.0.to_string(), d.bathrooms.1.to_string()),
            range(d.credit_score.0.to_string(), d.credit_score.1.to_string()),
            range(
                d.income_multiple.0.to_string(),
                d.income_multiple.1.to_string(),
            ),
            range(d.move_in_days.0.to_string(), d.move_in_days.1.to_string()),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ];
        Form {
            kind: FormKind::Template(None),
            fields: TEMPLATE_FIELDS
                .iter()
                .zip(values)
                .map(|((k, _), v)| (*k, v))
                .collect(),
            focus: 0,
            errors: Vec::new(),
            armed_discard: false,
            changed: false,
        }
    }

    pub fn labels(&self) -> &'static [(&'static str, &'static str)] {
        match self.kind {
            FormKind::Target(_) => TARGET_FIELDS,
            FormKind::Template(_) => TEMPLATE_FIELDS,
            FormKind::Persona(..) => PERSONA_FIELDS,
        }
    }

    /// A template's fields, filled in for editing.
    pub fn for_template(t: &crate::domain::persona::PersonaTemplate) -> Form {
        let range = |a: String, b: String| if a == b { a } else { format!("{a}-{b}") };
        let value = |k: &str| match k {
            "name" => t.name.clone(),
            "description" => t.description.clone(),
            "budget" => range(t.budget_min.to_string(), t.budget_max.to_string()),
            "bedrooms" => range(t.bedrooms_min.to_string(), t.bedrooms_max.to_string()),
            "bathrooms" => range(t.bathrooms_min.to_string(), t.bathrooms_max.to_string()),
            "credit_score" => range(
                t.credit_score_min.to_string(),
                t.credit_score_max.to_string(),
            ),
            "income_multiple" => range(
                t.income_multiple_min.to_string(),
                t.income_multiple_max.to_string(),
            ),
            "move_in_days" => range(
                t.move_in_days_min.to_string(),
                t.move_in_days_max.to_string(),
            ),
            "preferences" => t.preferences.join("; "),
            "pets" => t.pets.join("; "),
            "occupants" => t.occupants.join("; "),
            "writing_styles" => t.writing_styles.join("; "),
            _ => String::new(),
        };
        Form {
            kind: FormKind::Template(Some((t.id, t.updated_at.unwrap_or(t.created_at)))),
            fields: TEMPLATE_FIELDS
                .iter()
                .map(|(k, _)| (*k, value(k)))
                .collect(),
            focus: 0,
            errors: Vec::new(),
            armed_discard: false,
            changed: false,
        }
    }

    /// A persona's editable fields, filled in.
    pub fn for_persona(p: &crate::domain::persona::Persona) -> Form {
        let value = |k: &str| match k {
            "phone" => p.phone.clone(),
            "rental_budget" => p.rental_budget.to_string(),
            "bedrooms" => p.bedrooms.to_string(),
            "bathrooms" => p.bathrooms.to_string(),
            "move_in_date" => p.move_in_date.map(|d| d.to_string()).unwrap_or_default(),
            "pets" => p.pets.clone(),
            "preferences" => p.preferences.clone(),
            "additional_occupants" => p.additional_occupants.clone(),
            "credit_score" => p.credit_score.to_string(),
            "monthly_income" => p.monthly_income.to_string(),
            "rental_history" => p.rental_history.clone(),
            "writing_style" => p.writing_style.clone(),
            _ => String::new(),
        };
        Form {
            kind: FormKind::Persona(p.id, p.version),
            fields: PERSONA_FIELDS.iter().map(|(k, _)| (*k, value(k))).collect(),
            focus: 0,
            errors: Vec::new(),
            armed_discard: false,
            changed: false,
        }
    }

    /// The persona form as a checked edit.
    pub fn persona_edit(
        &self,
    ) -> Result<crate::domain::persona::PersonaEdit, Vec<crate::domain::FieldError>> {
        crate::domain::persona::PersonaEdit::parse(|k| self.get(k))
    }

    fn get(&self, k: &str) -> String {
        self.fields
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The template form as a validated `TemplateInput`, or every field's error.
    pub fn template_input(
        &self,
    ) -> Result<crate::domain::persona::TemplateInput, Vec<crate::domain::FieldError>> {
        use crate::domain::FieldError;
        use crate::domain::persona::parse_range;
        let mut errors = Vec::new();
        let mut int = |k: &'static str| {
            parse_range::<i32>(&self.get(k)).unwrap_or_else(|e| {
                errors.push(FieldError::new(k, e));
                (0, 0)
            })
        };
        let budget = int("budget");
        let bedrooms = int("bedrooms");
        let credit_score = int("credit_score");
        let move_in_days = int("move_in_days");
        let mut float = |k: &'static str| {
            parse_range::<f64>(&self.get(k)).unwrap_or_else(|e| {
                errors.push(FieldError::new(k, e));
                (0.0, 0.0)
            })
        };
        let bathrooms = float("bathrooms");
        let income_multiple = float("income_multiple");
        let list = |k: &str| -> Vec<String> {
            self.get(k)
                .split(';')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        crate::domain::persona::TemplateInput {
            name: self.get("name"),
            description: self.get("description"),
            budget,
            bedrooms,
            bathrooms,
            credit_score,
            income_multiple,
            move_in_days,
            preferences: list("preferences"),
            pets: list("pets"),
            occupants: list("occupants"),
            writing_styles: list("writing_styles"),
            ..Default::default()
        }
        .validated()
    }

    /// The form as a `TargetInput` (not yet validated).
    pub fn input(&self) -> crate::domain::target::TargetInput {
        let get = |k: &str| self.get(k);
        let tz = get("time_zone");
        crate::domain::target::TargetInput {
            name: get("name"),
            street: get("street"),
            city: get("city"),
            state: get("state"),
            zip: get("zip"),
            phone: get("phone"),
            email: get("email"),
            website: get("website"),
            owners: get("owners"),
            property_manager: get("property_manager"),
            time_zone: (!tz.trim().is_empty()).then_some(tz),
            notes: get("notes"),
            tags: get("tags")
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            client: Some(get("client")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

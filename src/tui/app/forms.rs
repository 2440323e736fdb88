//! The pick lists (start a shop: target, then persona) and the target form, with validation
//! shown beside the fields. Pure like the rest of `App`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::effect::{Effect, Query};
use tui_textarea::TextArea;

use super::super::state::{Form, FormKind, LONG_FIELDS, Modal, PICKED_FIELDS, PickFor};
use super::App;

impl App {
    /// The rows a pick list offers: (id, label), filtered by what was typed.
    pub fn pick_items(&self, purpose: PickFor, input: &str) -> Vec<(i64, String)> {
        let needle = input.to_lowercase();
        let items: Vec<(i64, String)> = match purpose {
            PickFor::ShopTarget => self
                .targets
                .rows
                .iter()
                .filter(|t| !t.email.is_empty())
                .map(|t| (t.id.0, format!("#{} {} — {}", t.id, t.name, t.city)))
                .collect(),
            PickFor::ShopPersona(_) => self
                .personas
                .rows
                .iter()
                .map(|p| (p.id.0, format!("#{} {} — {}", p.id, p.full_name(), p.email)))
                .collect(),
        };
        items
            .into_iter()
            .filter(|(_, label)| needle.is_empty() || label.to_lowercase().contains(&needle))
            .collect()
    }

    pub(super) fn start_pick(&mut self) -> Vec<Effect> {
        self.modal = Some(Modal::Pick {
            purpose: PickFor::ShopTarget,
            input: String::new(),
            selected: 0,
        });
        let mut out = Vec::new();
        if !self.targets.loaded {
            out.push(Effect::Load(Query::Targets));
        }
        if !self.personas.loaded {
            out.push(Effect::Load(Query::Personas));
        }
        out
    }

    pub(super) fn pick_key(
        &mut self,
        k: KeyEvent,
        purpose: PickFor,
        mut input: String,
        selected: usize,
    ) -> Vec<Effect> {
        let n = self.pick_items(purpose, &input).len();
        match k.code {
            KeyCode::Esc => return Vec::new(),
            KeyCode::Enter => {
                let Some((id, _)) = self.pick_items(purpose, &input).get(selected).cloned() else {
                    self.modal = Some(Modal::Pick {
                        purpose,
                        input,
                        selected,
                    });
                    return Vec::new();
                };
                return match purpose {
                    PickFor::ShopTarget => {
                        self.modal = Some(Modal::Pick {
                            purpose: PickFor::ShopPersona(crate::domain::ids::TargetId(id)),
                            input: String::new(),
                            selected: 0,
                        });
                        Vec::new()
                    }
                    PickFor::ShopPersona(target) => vec![Effect::StartShop {
                        target,
                        persona: crate::domain::ids::PersonaId(id),
                    }],
                };
            }
            KeyCode::Down | KeyCode::Tab => {
                self.modal = Some(Modal::Pick {
                    purpose,
                    input,
                    selected: (selected + 1).min(n.saturating_sub(1)),
                });
            }
            KeyCode::Up | KeyCode::BackTab => {
                self.modal = Some(Modal::Pick {
                    purpose,
                    input,
                    selected: selected.saturating_sub(1),
                });
            }
            KeyCode::Backspace => {
                input.pop();
                self.modal = Some(Modal::Pick {
                    purpose,
                    input,
                    selected: 0,
                });
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                input.push(c);
                self.modal = Some(Modal::Pick {
                    purpose,
                    input,
                    selected: 0,
                });
            }
            _ => {
                self.modal = Some(Modal::Pick {
                    purpose,
                    input,
                    selected,
                })
            }
        }
        Vec::new()
    }

    pub(super) fn form_key(&mut self, k: KeyEvent, mut form: Form) -> Vec<Effect> {
        let last = form.fields.len() - 1;
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Esc => {
                if form.changed && !form.armed_discard {
                    form.armed_discard = true;
                    self.modal = Some(Modal::Form(form));
                }
                return Vec::new();
            }
            KeyCode::Char('s') if ctrl => return self.submit_form(form),
            // A long field opens in a text area; C-s or Esc brings its text back.
            KeyCode::Enter if LONG_FIELDS.contains(&form.fields[form.focus].0) => {
                let text = form.fields[form.focus].1.clone();
                let mut editor = TextArea::new(text.lines().map(str::to_string).collect());
                editor.move_cursor(tui_textarea::CursorMove::Bottom);
                editor.move_cursor(tui_textarea::CursorMove::End);
                self.modal = Some(Modal::LongField {
                    form,
                    editor: Box::new(editor),
                });
                return Vec::new();
            }
            KeyCode::Enter if form.focus == last => return self.submit_form(form),
            // A picked field: ←/→ (or space) step through "no client" and the clients;
            // backspace clears it; typing does nothing.
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') | KeyCode::Backspace
                if PICKED_FIELDS.contains(&form.fields[form.focus].0) =>
            {
                let current = &form.fields[form.focus].1;
                let next = match k.code {
                    KeyCode::Backspace => String::new(),
                    KeyCode::Left => step_choice(&self.clients, current, false),
                    _ => step_choice(&self.clients, current, true),
                };
                if next != *current {
                    form.fields[form.focus].1 = next;
                    form.changed = true;
                }
            }
            KeyCode::Char(_) if PICKED_FIELDS.contains(&form.fields[form.focus].0) => {}
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => {
                form.focus = (form.focus + 1).min(last)
            }
            KeyCode::BackTab | KeyCode::Up => form.focus = form.focus.saturating_sub(1),
            KeyCode::Backspace => {
                form.fields[form.focus].1.pop();
                form.changed = true;
            }
            KeyCode::Char(c) if !ctrl => {
                form.fields[form.focus].1.push(c);
                form.changed = true;
            }
            _ => {}
        }
        form.armed_discard = false;
        self.modal = Some(Modal::Form(form));
        Vec::new()
    }

    pub(super) fn long_field_key(
        &mut self,
        k: KeyEvent,
        mut form: Form,
        mut editor: Box<TextArea<'static>>,
    ) -> Vec<Effect> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if k.code == KeyCode::Esc || (ctrl && k.code == KeyCode::Char('s')) {
            let text = editor.lines().join("\n").trim_end().to_string();
            if text != form.fields[form.focus].1 {
                form.fields[form.focus].1 = text;
                form.changed = true;
            }
            self.modal = Some(Modal::Form(form));
            return Vec::new();
        }
        editor.input(k);
        self.modal = Some(Modal::LongField { form, editor });
        Vec::new()
    }

    /// Validates in place: errors stay on the form beside their fields; nothing is sent.
    fn submit_form(&mut self, mut form: Form) -> Vec<Effect> {
        let result = match form.kind {
            FormKind::Target(editing) => form.input().validated().map(|input| Effect::SaveTarget {
                editing,
                input: Box::new(input),
            }),
            FormKind::Template(editing) => form.template_input().map(|t| Effect::SaveTemplate {
                editing,
                input: Box::new(t),
            }),
            FormKind::Persona(id, version) => form.persona_edit().map(|edit| Effect::SavePersona {
                id,
                version,
                edit: Box::new(edit),
            }),
        };
        match result {
            Ok(effect) => vec![effect],
            Err(errors) => {
                if let Some(first) = errors.first() {
                    form.focus = form
                        .fields
                        .iter()
                        .position(|(k, _)| *k == first.field)
                        .unwrap_or(form.focus);
                }
                form.errors = errors;
                self.modal = Some(Modal::Form(form));
                Vec::new()
            }
        }
    }
}

/// The choice after (or before) `current` in "none" followed by `choices`, wrapping round. A
/// value not among the choices (a client deleted meanwhile) starts from "none".
pub(crate) fn step_choice(choices: &[String], current: &str, forward: bool) -> String {
    let n = choices.len() + 1;
    let at = choices
        .iter()
        .position(|c| c.eq_ignore_ascii_case(current))
        .map_or(0, |i| i + 1);
    let next = if forward {
        (at + 1) % n
    } else {
        (at + n - 1) % n
    };
    match next {
        0 => String::new(),
        i => choices[i - 1].clone(),
    }
}

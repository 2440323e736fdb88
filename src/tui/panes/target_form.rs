//! The target form: one line per field, the focused one marked, each error beside its field.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::tui::state::{Form, FormKind, PICKED_FIELDS};
use crate::tui::theme::Theme;
use crate::tui::view::dialog;

pub fn draw(form: &Form, theme: &Theme, f: &mut Frame, area: Rect) {
    let height = (form.fields.len() as u16 + 4).min(area.height);
    let width = 76.min(area.width);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    f.render_widget(Clear, rect);
    let mut lines = Vec::new();
    for (i, ((key, value), (_, label))) in form.fields.iter().zip(form.labels()).enumerate() {
        let focused = i == form.focus;
        let mut spans = vec![Span::styled(
            format!("{}{label:<22} ", if focused { "▸" } else { " " }),
            if focused { theme.title } else { theme.muted },
        )];
        if PICKED_FIELDS.contains(key) {
            // A picker, not a text field: the choice between arrows, no cursor.
            let (text, style) = match value.as_str() {
                "" => ("no client", theme.muted),
                v => (v, theme.text),
            };
            spans.push(Span::styled("‹ ", theme.muted));
            spans.push(Span::styled(text.to_string(), style));
            spans.push(Span::styled(" ›", theme.muted));
        } else {
            spans.push(Span::raw(match value.split_once('\n') {
                Some((first, _)) => format!("{first} …"),
                None => value.clone(),
            }));
            if focused {
                spans.push(Span::raw("█"));
            }
        }
        if let Some(e) = form.errors.iter().find(|e| e.field == *key) {
            spans.push(Span::styled(format!("  ✗ {}", e.reason), theme.error));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        if form.armed_discard {
            "unsaved changes: esc again discards them"
        } else {
            "tab/↓ next · S-tab/↑ prev · enter on notes: a text area · C-s saves · esc cancels"
        },
        if form.armed_discard {
            theme.warn
        } else {
            theme.muted
        },
    ));
    let title = match form.kind {
        FormKind::Template(None) => " new persona template ".to_string(),
        FormKind::Template(Some((id, _))) => format!(" edit persona template #{id} "),
        FormKind::Persona(id, _) => format!(" edit persona #{id} "),
        FormKind::Target(Some((id, _))) => format!(" edit target #{id} "),
        FormKind::Target(None) => " new target ".to_string(),
    };
    f.render_widget(Paragraph::new(lines).block(dialog(&title, theme)), rect);
}

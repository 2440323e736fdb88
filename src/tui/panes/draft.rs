//! An open draft: its text (or the in-place editor) beside the thread it answers and the
//! checklist items still missing. Read-only with the holder's name when another operator has it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::pane_block;
use crate::domain::diff::{Change, marked_piece, word_diff};
use crate::tui::state::{DraftEditor, DraftView};
use crate::tui::theme::Theme;

pub fn draw(d: &DraftView, theme: &Theme, f: &mut Frame, area: Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(area);
    let mut title = format!(" Draft #{} — {} ", d.draft.id, d.draft.kind);
    if let Some(i) = d.shown_index()
        && (d.versions.len() > 1 || d.diff)
    {
        let v = &d.versions[i];
        title.push_str(&format!(
            "— v{}/{} {} by {} ",
            v.number,
            d.versions.len(),
            v.how,
            v.author
        ));
        if d.diff {
            title.push_str("— changes ");
        }
    }
    if let Some(who) = &d.held_by {
        title.push_str(&format!("— held by {who}, read-only "));
    } else if let Some(busy) = d.busy {
        title.push_str(&format!("— {busy}… "));
    } else if d.editor.is_some() {
        title.push_str(if d.is_dirty() {
            "— editing (changed) "
        } else {
            "— editing "
        });
    }
    let border = if d.held_by.is_some() {
        theme.warn
    } else {
        theme.border_focused
    };
    match &d.editor {
        Some(editor) => draw_editor(editor, title, border, theme, f, left),
        None => {
            let shown = d.browsing.map(|i| &d.versions[i]);
            let subject = shown.map_or(&d.draft.subject, |v| &v.subject);
            let body = shown.map_or(&d.draft.body_text, |v| &v.body_text);
            let mut lines = Vec::new();
            if let Some(v) = shown {
                lines.push(Line::styled(
                    format!(
                        "An earlier version: ] back to the current text, b brings this one back{}",
                        v.instructions
                            .as_ref()
                            .map(|i| format!(" · asked: \u{201c}{i}\u{201d}"))
                            .unwrap_or_default()
                    ),
                    theme.warn,
                ));
            }
            lines.extend([
                Line::from(vec![
                    Span::styled("To: ", theme.muted),
                    Span::raw(d.draft.to_addrs.join(", ")),
                ]),
                Line::from(vec![
                    Span::styled("Subject: ", theme.muted),
                    Span::styled(subject.clone(), theme.title),
                ]),
                Line::raw(""),
            ]);
            let before = d
                .shown_index()
                .and_then(|i| i.checked_sub(1))
                .map(|i| &d.versions[i]);
            match before {
                Some(b) if d.diff => lines.extend(diff_lines(&b.body_text, body, theme)),
                None if d.diff => {
                    lines.push(Line::styled(
                        "(the first version: nothing to compare)",
                        theme.muted,
                    ));
                    lines.extend(body.lines().map(|l| Line::raw(l.to_string())));
                }
                _ => lines.extend(body.lines().map(|l| Line::raw(l.to_string()))),
            }
            // The view knows the wrapped height: it clamps the scroll and tells the app (for the
            // approve dialog) how much is below.
            let text = Paragraph::new(lines).wrap(Wrap { trim: false });
            let total = text.line_count(left.width.saturating_sub(2)) as u16;
            let visible = left.height.saturating_sub(2);
            d.seen.set(Some((total, visible)));
            let top = d.scroll.min(d.max_scroll());
            let below = d.unread_lines();
            if below > 0 {
                title.push_str(&format!("— {below} lines below "));
            } else if top > 0 {
                title.push_str("— end ");
            }
            f.render_widget(
                text.scroll((top, 0))
                    .block(pane_block(title, theme).border_style(border)),
                left,
            );
        }
    }
    let [missing, thread] = Layout::vertical([
        Constraint::Length((d.missing.len() as u16 + 2).clamp(3, 8)),
        Constraint::Min(3),
    ])
    .areas(right);
    let items: Vec<Line> = if d.missing.is_empty() {
        vec![Line::styled("nothing asked for", theme.muted)]
    } else {
        d.missing
            .iter()
            .map(|m| Line::raw(format!("• {m}")))
            .collect()
    };
    f.render_widget(
        Paragraph::new(items).block(pane_block(" Asks for ".into(), theme)),
        missing,
    );
    let mut lines = Vec::new();
    for m in d.thread.iter().rev().take(4) {
        let inbound = m.direction == "inbound";
        lines.push(Line::styled(
            format!("{} {}", if inbound { "◀" } else { "▶" }, m.subject),
            if inbound {
                theme.inbound
            } else {
                theme.outbound
            },
        ));
        for l in m.body_text.lines().filter(|l| !l.trim().is_empty()).take(6) {
            lines.push(Line::raw(format!("  {l}")));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("the first message of the shop", theme.muted));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane_block(" Thread (latest first) ".into(), theme)),
        thread,
    );
}

/// The body with the words added ({+green, underlined+}) and removed ([-red, struck
/// through-]) against `old`.
fn diff_lines(old: &str, new: &str, theme: &Theme) -> Vec<Line<'static>> {
    let added = theme.ok.add_modifier(Modifier::UNDERLINED);
    let removed = theme.error.add_modifier(Modifier::CROSSED_OUT);
    let mut lines = vec![Line::default()];
    for piece in word_diff(old, new) {
        let style = match piece.change {
            Change::Same => theme.text,
            Change::Added => added,
            Change::Removed => removed,
        };
        // Marked in the text too: the change reads without colour (NO_COLOR).
        for (n, part) in marked_piece(&piece).split('\n').enumerate() {
            if n > 0 {
                lines.push(Line::default());
            }
            if !part.is_empty() {
                lines
                    .last_mut()
                    .expect("one line at least")
                    .push_span(Span::styled(part.to_string(), style));
            }
        }
    }
    lines
}

/// The in-place editor: "Subject:" and its one-line field, a rule, the body. Only the field with
/// the focus shows a cursor.
fn draw_editor(
    editor: &DraftEditor,
    title: String,
    border: ratatui::style::Style,
    theme: &Theme,
    f: &mut Frame,
    area: Rect,
) {
    let block = pane_block(title, theme).border_style(border);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [subject_row, rule, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    let [label, field] =
        Layout::horizontal([Constraint::Length(9), Constraint::Min(1)]).areas(subject_row);
    let label_style = if editor.on_subject {
        theme.key
    } else {
        theme.muted
    };
    f.render_widget(Span::styled("Subject: ", label_style), label);
    let hidden = ratatui::style::Style::default();
    let mut subject = editor.subject.clone();
    subject.set_cursor_line_style(theme.title);
    let mut text = editor.body.clone();
    text.set_cursor_line_style(theme.text);
    if editor.on_subject {
        text.set_cursor_style(hidden);
    } else {
        subject.set_cursor_style(hidden);
    }
    f.render_widget(&subject, field);
    f.render_widget(
        Line::styled(
            format!(
                "{:─<width$}",
                "── body (tab: subject) ",
                width = rule.width as usize
            ),
            theme.muted,
        ),
        rule,
    );
    f.render_widget(&text, body);
}

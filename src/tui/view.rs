//! Drawing: reads `App`, never changes it, never waits. The frame is tabs, the focused pane,
//! a key-hint line and the status bar; dialogs and toasts float over it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::action::Action;
use super::app::{App, palette_matches};
use super::event::DbStatus;
use super::panes;
use super::state::{Modal, Pane, PickFor};
use super::theme::Theme;

pub fn draw(app: &App, theme: &Theme, f: &mut Frame) {
    let [tabs, body, hints, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(f.area());
    draw_tabs(app, theme, f, tabs);
    if let Some(d) = &app.draft {
        panes::draft::draw(d, theme, f, body);
    } else if let Some(t) = &app.thread {
        panes::thread::draw(t, app, theme, f, body);
    } else if let Some(v) = &app.target_view {
        panes::target_detail::draw(v, app, theme, f, body);
    } else if let Some(p) = &app.portfolio {
        panes::reports::draw_portfolio(p, theme, f, body);
    } else if let Some(r) = &app.report {
        panes::reports::draw_report(r, theme, f, body);
    } else {
        match app.pane {
            Pane::Dashboard => panes::dashboard::draw(app.dashboard.as_ref(), theme, f, body),
            Pane::Shops => panes::shops::draw(&app.shops, app.shops_sort, theme, f, body),
            Pane::Review => {
                let undo = app
                    .undoable
                    .last()
                    .map(|(id, until)| (*id, (*until - app.now).num_seconds().max(0)));
                panes::review::draw(&app.review, &app.operator, undo, theme, f, body)
            }
            Pane::Inbox => panes::inbox::draw(&app.inbox, &app.inbox_filter, theme, f, body),
            Pane::Targets => panes::targets::draw(&app.targets, app.targets_sort, theme, f, body),
            Pane::Personas if app.show_templates => {
                panes::personas::draw_templates(&app.templates, theme, f, body)
            }
            Pane::Personas => panes::personas::draw(&app.personas, theme, f, body),
            Pane::Reports => panes::reports::draw_list(&app.shops, theme, f, body),
        }
    }
    draw_hints(app, theme, f, hints);
    draw_status(app, theme, f, status);
    draw_toasts(app, theme, f, body);
    if let Some(m) = &app.modal {
        draw_modal(app, m, theme, f);
    }
}

fn draw_tabs(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    // Narrow terminals drop the product name so every pane's tab fits.
    let mut spans = if area.width >= 100 {
        vec![Span::styled(" secret-shop ", theme.title)]
    } else {
        Vec::new()
    };
    for p in app.panes() {
        let i = p.index();
        let style = if *p == app.pane {
            theme.tab_active
        } else {
            theme.muted
        };
        let mut label = format!("{} {}", i + 1, p.title());
        if *p == Pane::Review && !app.review.rows.is_empty() {
            label.push_str(&format!(" ({})", app.review.rows.len()));
        }
        spans.push(Span::raw(" "));
        spans.push(Span::styled(label, style));
    }
    f.render_widget(Line::from(spans), area);
}

/// The focused pane's bindings, then the global essentials, as long as they fit.
fn draw_hints(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    let scope = app.scope();
    let mut spans = Vec::new();
    let mut width = 0usize;
    let mut push = |key: String, what: &str, spans: &mut Vec<Span<'static>>| {
        let w = key.chars().count() + what.chars().count() + 3;
        if width + w > area.width as usize {
            return;
        }
        width += w;
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::styled(format!(" {what}  "), theme.muted));
    };
    if app.draft.as_ref().is_some_and(|d| d.editor.is_some()) {
        push("C-s".into(), "save", &mut spans);
        push("esc".into(), "stop editing", &mut spans);
    } else {
        let held = app.draft.as_ref().is_some_and(|d| d.held_by.is_some());
        let browsing = app.draft.as_ref().is_some_and(|d| d.is_browsing());
        let history = app.draft.as_ref().is_some_and(|d| d.versions.len() > 1);
        let mut bindings = app.keymap.scope(scope);
        // The decisions first: on a narrow screen the version keys are the ones cut off.
        bindings.sort_by_key(|(_, a)| hint_rank(*a));
        for (k, a) in bindings {
            // Only what works now: no save without an edit, no decisions on a held draft.
            let useless = match a {
                a if !a.allowed(app.role) => true,
                Action::SaveDraft => true,
                Action::ApproveDraft
                | Action::RejectDraft
                | Action::EditDraft
                | Action::EditDraftExternal
                | Action::RegenerateDraft => held || browsing,
                Action::NewerVersion => !browsing,
                Action::RestoreVersion => !browsing || held,
                Action::OlderVersion | Action::ToggleDiff => !history,
                Action::RetrySend => app.failed_message().is_none(),
                Action::CancelShop => app.selected_shop_finished(),
                Action::DraftNext => !app.shop_rejected(),
                Action::RecallMessage => app.recallable().is_none(),
                Action::ReviewFlags => !app.thread.as_ref().is_some_and(|t| {
                    t.review
                        .grade
                        .as_ref()
                        .is_some_and(|g| !g.fair_housing_flags.is_empty())
                }),
                _ => false,
            };
            if !useless {
                push(k.label(), short(a), &mut spans);
            }
        }
        for a in [
            Action::Open,
            Action::Back,
            Action::Filter,
            Action::Help,
            Action::Quit,
        ] {
            if let Some(k) = app.keymap.key_for(scope, a) {
                push(k.label(), short(a), &mut spans);
            }
        }
    }
    f.render_widget(Line::from(spans), area);
}

/// Where an action's hint goes: what decides a draft before the rest.
fn hint_rank(a: Action) -> u8 {
    use Action::*;
    match a {
        ApproveDraft => 0,
        RejectDraft => 1,
        EditDraft => 2,
        RegenerateDraft => 3,
        EditDraftExternal => 4,
        OlderVersion | NewerVersion | RestoreVersion | ToggleDiff => 6,
        _ => 5,
    }
}

/// The hint bar's one-word names.
fn short(a: Action) -> &'static str {
    use Action::*;
    match a {
        ApproveDraft => "approve",
        RejectDraft => "reject",
        EditDraft => "edit",
        EditDraftExternal => "$EDITOR",
        RegenerateDraft => "regenerate",
        SaveDraft => "save",
        AssignMessage => "assign",
        ToggleUnmatched => "unmatched",
        CancelShop => "cancel",
        RetrySend => "retry send",
        DraftNext => "new draft",
        RecallMessage => "recall",
        OlderVersion => "older",
        NewerVersion => "newer",
        ToggleDiff => "changes",
        RestoreVersion => "restore",
        GradeShop => "grade",
        ReviewFlags => "flags",
        ExportReport => "export",
        GatherWebsite => "gather site",
        Open => "open",
        Back => "back",
        Filter => "filter",
        Help => "help",
        Quit => "quit",
        other => other.as_str(),
    }
}

fn draw_status(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(format!(" {} ", app.operator), theme.title)];
    match &app.db {
        DbStatus::Connected => spans.push(Span::styled("db ok", theme.ok)),
        DbStatus::Lost(_) => spans.push(Span::styled("db LOST, retrying", theme.error)),
    }
    spans.push(Span::styled(" │ ", theme.muted));
    if app.role.reads_only() {
        // A client's view: its portfolio, nothing of the team's engine or queue.
        spans.push(Span::styled(
            format!("{} · read-only", app.role.with_article()),
            theme.muted,
        ));
    } else {
        staff_status(app, theme, &mut spans);
    }
    if let Some(e) = &app.last_error {
        spans.push(Span::styled(" │ ", theme.muted));
        spans.push(Span::styled(format!("last error: {e}"), theme.error));
    }
    f.render_widget(Line::from(spans), area);
}

/// The engine, the mailboxes, the queue and what this operator sent: the team's part of the
/// status bar.
fn staff_status(app: &App, theme: &Theme, spans: &mut Vec<Span<'static>>) {
    spans.push(if app.engine {
        Span::styled("engine on", theme.ok)
    } else {
        Span::styled(
            format!(
                "engine off ({})",
                app.engine_off.as_deref().unwrap_or("--no-engine")
            ),
            theme.warn,
        )
    });
    for st in &app.sync {
        spans.push(Span::styled(" │ ", theme.muted));
        let name = st.address.split('@').next().unwrap_or(&st.address);
        spans.push(match (&st.last_error, st.last_synced_at) {
            _ if st.sync_total.is_some() => Span::styled(
                format!(
                    "{name}: syncing {}/{}",
                    st.sync_done.unwrap_or(0),
                    st.sync_total.unwrap_or(0)
                ),
                theme.warn,
            ),
            (Some(_), _) => Span::styled(format!("{name}: sync error, retrying"), theme.error),
            (None, Some(at)) => {
                Span::styled(format!("{name}: synced {}", ago(app.now, at)), theme.muted)
            }
            (None, None) => Span::styled(format!("{name}: not synced yet"), theme.warn),
        });
    }
    spans.push(Span::styled(" │ ", theme.muted));
    let pending = app.review.rows.len();
    spans.push(Span::styled(
        format!("{pending} to review"),
        if pending > 0 {
            theme.draft_pending
        } else {
            theme.muted
        },
    ));
    if let Some((id, until)) = app.undoable.last() {
        let left = (*until - app.now).num_seconds().max(0);
        spans.push(Span::styled(" │ ", theme.muted));
        spans.push(Span::styled(
            format!("approved #{id} (undo {}:{:02})", left / 60, left % 60),
            theme.warn,
        ));
    }
    if app.undoable.is_empty()
        && let Some(m) = &app.outgoing
        && let Some((text, bad)) = outgoing_text(m)
    {
        spans.push(Span::styled(" │ ", theme.muted));
        spans.push(Span::styled(
            text,
            if bad { theme.error } else { theme.muted },
        ));
    }
}

/// The state of the message approved last, for the status bar (and whether it is bad news):
/// queued and why, sending, sent at T, failed with the server's words, or recalled.
pub fn outgoing_text(m: &crate::store::MessageRow) -> Option<(String, bool)> {
    use crate::domain::outbox::WaitReason;
    use crate::tui::panes::{shops::wait_words, when};
    let id = m.id;
    let text = match m.status?.as_str() {
        "approved" | "queued" => match m.wait_reason {
            Some(WaitReason::Undo) | None => format!("#{id} approved, in the outbox"),
            Some(w) => format!(
                "#{id} queued: {}, next try {}",
                wait_words(w),
                when(m.next_attempt_at)
            ),
        },
        "sending" => format!("#{id} sending"),
        "sent" => format!("#{id} sent {}", when(m.sent_at)),
        "failed" => {
            let why = m.last_error.as_deref().unwrap_or("refused by the server");
            return Some((format!("#{id} failed: {why}"), true));
        }
        "pending_review" => format!("#{id} recalled, in the review queue"),
        _ => return None,
    };
    Some((text, false))
}

fn draw_toasts(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    // Newest at the bottom, long messages wrapped (an error is worth reading whole).
    let mut bottom = area.y + area.height;
    for t in app.toasts.iter().rev().take(3) {
        let width = (t.text.chars().count() as u16 + 4).min(area.width);
        let inner = width.saturating_sub(2).max(1) as usize;
        let lines = t.text.chars().count().div_ceil(inner).clamp(1, 4) as u16;
        let height = (lines + 2).min(area.height);
        if bottom < area.y + height {
            break;
        }
        bottom -= height;
        let rect = Rect {
            x: area.x + area.width.saturating_sub(width),
            y: bottom,
            width,
            height,
        };
        let style = if t.error { theme.error } else { theme.ok };
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(t.text.as_str())
                .wrap(Wrap { trim: true })
                .block(Block::bordered().border_style(style)),
            rect,
        );
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn draw_modal(app: &App, m: &Modal, theme: &Theme, f: &mut Frame) {
    let area = f.area();
    match m {
        Modal::Help { scroll } => {
            let rect = centered(area, 72, area.height.saturating_sub(2));
            f.render_widget(Clear, rect);
            let lines = super::panes::help::lines(app, theme);
            f.render_widget(
                Paragraph::new(lines)
                    .scroll((*scroll, 0))
                    .block(dialog(" keys (esc closes) ", theme)),
                rect,
            );
        }
        Modal::Confirm { question, .. } => {
            // One row per line of the question (wrapped at the dialog's width), the keys, borders.
            let rows: usize = question
                .lines()
                .map(|l| l.chars().count().div_ceil(62).max(1))
                .sum();
            let rect = centered(area, 64, rows as u16 + 3);
            f.render_widget(Clear, rect);
            let mut lines: Vec<Line> = question.lines().map(Line::from).collect();
            lines.push(Line::from(vec![
                Span::styled("y", theme.key),
                Span::raw(" yes   "),
                Span::styled("n", theme.key),
                Span::raw(" no"),
            ]));
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: true })
                    .block(dialog(" confirm ", theme)),
                rect,
            );
        }
        Modal::UnsavedEdit => {
            let rect = centered(area, 56, 4);
            f.render_widget(Clear, rect);
            f.render_widget(
                Paragraph::new(vec![
                    Line::from("The draft has changes you have not saved."),
                    Line::from(vec![
                        Span::styled("s", theme.key),
                        Span::raw(" save   "),
                        Span::styled("d", theme.key),
                        Span::raw(" discard   "),
                        Span::styled("esc", theme.key),
                        Span::raw(" keep editing"),
                    ]),
                ])
                .block(dialog(" unsaved edit ", theme)),
                rect,
            );
        }
        Modal::ConfirmQuit => {
            let rect = centered(area, 50, 4);
            f.render_widget(Clear, rect);
            f.render_widget(
                Paragraph::new("The draft has unsaved changes. Quit anyway? y/n")
                    .wrap(Wrap { trim: true })
                    .block(dialog(" unsaved edit ", theme)),
                rect,
            );
        }
        Modal::Prompt { purpose, input } => {
            let rect = Rect {
                x: area.x,
                y: area.y + area.height.saturating_sub(4),
                width: area.width,
                height: 3.min(area.height),
            };
            f.render_widget(Clear, rect);
            f.render_widget(
                Paragraph::new(format!("{input}█"))
                    .block(dialog(&format!(" {} (enter/esc) ", purpose.label()), theme)),
                rect,
            );
        }
        Modal::Pick {
            purpose,
            input,
            selected,
        } => {
            let rect = centered(area, 70, 16);
            f.render_widget(Clear, rect);
            let title = match purpose {
                PickFor::ShopTarget => " start a shop: which target? ".to_string(),
                PickFor::ShopPersona(t) => format!(" start a shop at #{t}: which persona? "),
            };
            let mut lines = vec![Line::from(format!("> {input}█")), Line::from("")];
            let items = app.pick_items(*purpose, input);
            if items.is_empty() {
                lines.push(Line::styled("loading… (or nothing matches)", theme.muted));
            }
            let start = selected.saturating_sub(9);
            for (i, (_, label)) in items.iter().enumerate().skip(start).take(12) {
                let style = if i == *selected {
                    theme.selection
                } else {
                    Style::default()
                };
                lines.push(Line::styled(label.clone(), style));
            }
            f.render_widget(Paragraph::new(lines).block(dialog(&title, theme)), rect);
        }
        Modal::Form(form) => super::panes::target_form::draw(form, theme, f, area),
        Modal::Flags(d) => {
            let rows = d.flags.len() as u16 * 3 + 4 + u16::from(d.error.is_some());
            super::panes::flags::draw(d, theme, f, centered(area, 76, rows + 2));
        }
        Modal::LongField { form, editor } => {
            super::panes::target_form::draw(form, theme, f, area);
            let rect = centered(area, 72, 12);
            f.render_widget(Clear, rect);
            let label = form
                .labels()
                .get(form.focus)
                .map(|(_, l)| *l)
                .unwrap_or("text");
            let mut e = editor.as_ref().clone();
            e.set_block(dialog(&format!(" {label} (C-s or esc: done) "), theme));
            e.set_cursor_line_style(theme.text);
            f.render_widget(&e, rect);
        }
        Modal::Palette { input, selected } => {
            let rect = centered(area, 60, 14);
            f.render_widget(Clear, rect);
            let mut lines = vec![Line::from(format!(": {input}█")), Line::from("")];
            let start = selected.saturating_sub(9);
            for (i, a) in palette_matches(input, app.role)
                .iter()
                .enumerate()
                .skip(start)
                .take(10)
            {
                let style = if i == *selected {
                    theme.selection
                } else {
                    Style::default()
                };
                lines.push(Line::styled(
                    format!("{:<22} {}", a.as_str(), a.describe()),
                    style,
                ));
            }
            f.render_widget(
                Paragraph::new(lines).block(dialog(" command ", theme)),
                rect,
            );
        }
    }
}

pub fn dialog<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Span::styled(title.to_string(), theme.title))
}

/// "12s ago", "3m ago", "2h ago".
pub fn ago(now: chrono::DateTime<chrono::Utc>, at: chrono::DateTime<chrono::Utc>) -> String {
    let s = (now - at).num_seconds().max(0);
    match s {
        0..60 => format!("{s}s ago"),
        60..3600 => format!("{}m ago", s / 60),
        3600..86400 => format!("{}h ago", s / 3600),
        _ => format!("{}d ago", s / 86400),
    }
}

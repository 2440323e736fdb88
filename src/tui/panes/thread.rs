//! A shop's conversation, oldest first, with direction, times, the response time between
//! messages and auto/ai/human tags (under a grade's review reasons, if it has any); the fact
//! sheet beside it with the selected fact's evidence.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{pane_block, when};
use crate::report::format::{display_value, duration};
use crate::store::{MessageRow, ShopRow};
use crate::tui::app::App;
use crate::tui::state::ThreadView;
use crate::tui::theme::Theme;

pub fn draw(t: &ThreadView, app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    let shop = app.shops.rows.iter().find(|s| s.id == t.shop);
    let title = shop
        .map(|s| format!(" Shop #{} — {} — {} ", s.id, s.target_name, s.status))
        .unwrap_or_else(|| format!(" Shop #{} ", t.shop));
    if !t.loaded {
        f.render_widget(
            Paragraph::new(Span::styled("loading…", theme.muted)).block(pane_block(title, theme)),
            area,
        );
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
    f.render_widget(
        Paragraph::new([review_lines(shop, theme), thread_lines(&t.messages, theme)].concat())
            .wrap(Wrap { trim: false })
            .scroll((t.scroll, 0))
            .block(pane_block(title, theme)),
        left,
    );
    let [facts, evidence] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(6)]).areas(right);
    let current: Vec<_> = t
        .facts
        .iter()
        .filter(|x| x.superseded_by.is_none())
        .collect();
    let lines: Vec<Line> = t
        .facts
        .iter()
        .enumerate()
        .filter(|(_, x)| x.superseded_by.is_none())
        .map(|(i, x)| {
            let style = if i == t.fact {
                theme.selection
            } else if x.conflict {
                theme.warn
            } else {
                theme.text
            };
            // An operator's value stands over the machine's (marked ✎); a conflict is named.
            let (value, mark) = match t.review.decisions.fact(&x.field_path) {
                Some(o) => (display_value(&x.field_path, &o.value), " ✎"),
                None => (display_value(&x.field_path, &x.value), ""),
            };
            let conflict = if x.conflict { " ⚠ conflict" } else { "" };
            Line::styled(
                format!("{:<22} {value}{mark}{conflict}", x.field_path),
                style,
            )
        })
        .collect();
    // Values only an operator gave (the agent said nothing the machine read): listed after.
    let mut lines = lines;
    for o in t.review.decisions.overrides.iter().filter(|o| {
        o.kind == crate::domain::overrides::OverrideKind::Fact
            && !current.iter().any(|x| x.field_path == o.key)
    }) {
        lines.push(Line::styled(
            // The mark first: a long value is cut at the pane's edge.
            format!(
                "{:<20} ✎ {} (by {})",
                o.key,
                display_value(&o.key, &o.value),
                o.operator
            ),
            theme.text,
        ));
    }
    let count = lines.len();
    f.render_widget(
        Paragraph::new(if lines.is_empty() {
            vec![Line::styled("no facts yet", theme.muted)]
        } else {
            lines
        })
        .block(pane_block(format!(" Fact sheet ({count}) "), theme)),
        facts,
    );
    let ev = t
        .facts
        .get(t.fact)
        .map(|x| fact_detail(t, x))
        .unwrap_or_default();
    f.render_widget(
        Paragraph::new(ev)
            .wrap(Wrap { trim: true })
            .block(pane_block(" Evidence ".into(), theme)),
        evidence,
    );
}

/// The selected fact's evidence, who adjusted it and why, and what else the agent said.
fn fact_detail(t: &ThreadView, x: &crate::store::FactRow) -> String {
    let mut out = format!("“{}”", x.evidence);
    if let Some(o) = t.review.decisions.fact(&x.field_path) {
        out = format!(
            "adjusted by {}: {} (machine: {}) {out}",
            o.operator,
            o.reason,
            display_value(&x.field_path, &x.value)
        );
    }
    let earlier: Vec<String> = t
        .facts
        .iter()
        .filter(|f| f.field_path == x.field_path && f.superseded_by.is_some())
        .map(|f| display_value(&f.field_path, &f.value))
        .collect();
    if x.conflict && !earlier.is_empty() {
        out.push_str(&format!(
            " — conflict: the agent also said {}",
            earlier.join(", ")
        ));
    }
    out
}

/// A grade an operator must review, and why, above the conversation.
fn review_lines(shop: Option<&ShopRow>, theme: &Theme) -> Vec<Line<'static>> {
    let Some(s) = shop.filter(|s| !s.review_reasons.is_empty()) else {
        return Vec::new();
    };
    let score = s.score.map(|x| format!(" {x:.0}")).unwrap_or_default();
    let mut out = vec![Line::styled(
        format!("⚠ grade{score} needs review:"),
        theme.warn,
    )];
    for r in &s.review_reasons {
        out.push(Line::styled(format!("  - {r}"), theme.warn));
    }
    out.push(Line::raw(""));
    out
}

fn thread_lines(messages: &[MessageRow], theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut last_out: Option<DateTime<Utc>> = None;
    for m in messages {
        let inbound = m.direction == "inbound";
        let at = if inbound { m.received_at } else { m.sent_at };
        let mut head = vec![
            Span::styled(
                if inbound { "◀ in  " } else { "▶ out " },
                if inbound {
                    theme.inbound
                } else {
                    theme.outbound
                },
            ),
            Span::styled(format!("{} ", when(at.or(Some(m.created_at)))), theme.muted),
            Span::raw(format!("{} ", m.kind)),
        ];
        if let Some(s) = m.status.filter(|_| !inbound) {
            head.push(Span::styled(format!("[{s}] "), theme.draft_pending));
        }
        if inbound {
            let tag = if m.is_bounce {
                "bounce".to_string()
            } else if m.is_auto_reply {
                "auto".to_string()
            } else {
                m.responder_kind
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "unread".into())
            };
            head.push(Span::styled(format!("[{tag}] "), theme.warn));
            if let (Some(sent), Some(got)) = (last_out, at) {
                head.push(Span::styled(
                    format!("after {}", duration((got - sent).num_minutes())),
                    theme.muted,
                ));
            }
        } else if at.is_some() {
            last_out = at;
        }
        out.push(Line::from(head));
        out.push(Line::styled(format!("  {}", m.subject), theme.title));
        for l in m.body_text.lines().take(12) {
            out.push(Line::raw(format!("  {l}")));
        }
        out.push(Line::raw(""));
    }
    out
}

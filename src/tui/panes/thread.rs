//! A shop's conversation, oldest first, with direction, times, the response time between
//! messages and auto/ai/human tags (under a grade's review reasons, if it has any); the fact
//! sheet beside it with the selected fact's evidence.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{pane_block, when};
use crate::domain::community::{FloorPlan, LOW_CONFIDENCE};
use crate::domain::facts::{SheetSection, sheet_place};
use crate::report::format::{display_value, duration, field_label, money, number, price_range};
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
    // Labels get half the pane at most, so a value still shows at 80 columns.
    let label_width = (right.width.saturating_sub(2) as usize / 2).min(20);
    let mut lines: Vec<Line> = Vec::new();
    let mut section = None;
    for (i, x) in t
        .facts
        .iter()
        .enumerate()
        .filter(|(_, x)| x.superseded_by.is_none())
    {
        let (here, _) = sheet_place(&x.field_path);
        if section != Some(here) {
            lines.push(Line::styled(here.title(), theme.title));
            if here == SheetSection::FloorPlans {
                lines.push(Line::styled(" plan     bd/ba sq ft rent", theme.muted));
            }
            section = Some(here);
        }
        let style = if i == t.fact {
            theme.selection
        } else if x.conflict {
            theme.warn
        } else {
            theme.text
        };
        // An operator's value stands over the machine's (marked ✎); a conflict is named.
        let (value, mark) = match t.review.decisions.fact(&x.field_path) {
            Some(o) => (&o.value, " ✎"),
            None => (&x.value, ""),
        };
        let conflict = if x.conflict { " ⚠ conflict" } else { "" };
        let mut text = fact_line(&x.field_path, value, label_width);
        // Read with little certainty: `?` in the margin, for an operator to check (the
        // evidence pane says how sure); an operator's own value needs no check.
        if x.confidence.is_some_and(|c| c < LOW_CONFIDENCE) && mark.is_empty() {
            text.replace_range(..1, "?");
        }
        lines.push(Line::styled(format!("{text}{mark}{conflict}"), style));
    }
    // Values only an operator gave (the agent said nothing the machine read): listed after.
    for o in t.review.decisions.overrides.iter().filter(|o| {
        o.kind == crate::domain::overrides::OverrideKind::Fact
            && !current.iter().any(|x| x.field_path == o.key)
    }) {
        lines.push(Line::styled(
            // The mark first: a long value is cut at the pane's edge.
            format!(
                "{:<label_width$} ✎ {} (by {})",
                field_label(&o.key),
                display_value(&o.key, &o.value),
                o.operator
            ),
            theme.text,
        ));
    }
    let count = current.len();
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

/// One fact as a fact sheet shows it: a label in words and the value (a plan as its rooms, size,
/// rent and deposit; an amenity by name).
fn fact_line(path: &str, value: &serde_json::Value, label_width: usize) -> String {
    let key = path
        .split_once('[')
        .map(|(_, k)| k.trim_end_matches(']'))
        .unwrap_or(path);
    match sheet_place(path).0 {
        SheetSection::FloorPlans => {
            // A row of a small table: name, beds/baths, sq ft, rent, deposit.
            let plan: FloorPlan = serde_json::from_value(value.clone()).unwrap_or_default();
            let name = plan
                .name
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or("—");
            let rooms = format!(
                "{}/{}",
                plan.beds.map(number).unwrap_or_else(|| "?".into()),
                plan.baths.map(number).unwrap_or_else(|| "?".into())
            );
            let sqft = plan.sqft.map(number).unwrap_or_default();
            let mut row = format!(" {:<8.8} {rooms:<5} {sqft:>5}", name);
            if let Some(rent) = price_range(plan.min_rental_price, plan.max_rental_price) {
                row.push_str(&format!(" {rent}"));
            }
            if let Some(d) = plan.security_deposit {
                row.push_str(&format!(" dep {}", money(d)));
            }
            if let Some(t) = &plan.plan_type {
                row.push_str(&format!(" {t}"));
            }
            row
        }
        SheetSection::Amenities => {
            let mut name = key.chars();
            let name: String = name
                .next()
                .map(|c| c.to_uppercase().chain(name).collect())
                .unwrap_or_default();
            format!(" • {name}")
        }
        _ => format!(
            " {:<w$} {}",
            field_label(path),
            display_value(path, value),
            w = label_width.saturating_sub(1)
        ),
    }
}

/// The selected fact's evidence, who adjusted it and why, and what else the agent said.
fn fact_detail(t: &ThreadView, x: &crate::store::FactRow) -> String {
    let mut out = format!("“{}”", x.evidence);
    if let Some(c) = x.confidence {
        let check = if c < LOW_CONFIDENCE { ": check it" } else { "" };
        out = format!("confidence {c:.2}{check} — {out}");
    }
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

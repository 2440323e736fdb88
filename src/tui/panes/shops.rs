//! Shops: each with its target, persona, state, last activity, and what happens next and why
//! (a grade an operator must review says so, and why).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use super::{Sorted, TableSpec, draw_table, when};
use crate::domain::outbox::WaitReason;
use crate::domain::shop::ShopStatus;
use crate::store::ShopRow;
use crate::tui::state::{ListView, SHOP_SORTS};
use crate::tui::theme::Theme;

/// What the shop waits for, in words an operator acts on.
pub fn next_step(s: &ShopRow) -> String {
    use ShopStatus::*;
    if let Some(m) = s.failed_message {
        let why = s.send_error.as_deref().unwrap_or("refused by the server");
        return format!("message #{m} failed to send: {why}");
    }
    match s.status {
        New => "draft the inquiry".into(),
        AwaitingReview => match s.pending_draft {
            Some(d) => format!("awaiting approval (draft #{d})"),
            None => "awaiting approval".into(),
        },
        AwaitingSend => match s
            .wait_reason
            .as_deref()
            .and_then(|w| w.parse::<WaitReason>().ok())
        {
            Some(WaitReason::Undo) => {
                format!("approved; u recalls it until {}", when(s.next_attempt_at))
            }
            Some(w) => {
                let why = wait_words(w);
                // Until the outbox takes it, it can still be called back.
                format!("{why}; next try {} (u recalls it)", when(s.next_attempt_at))
            }
            None => match (s.outbox_message, s.outbox_status.as_deref()) {
                (Some(m), Some("sending")) => format!("sending message #{m} now"),
                (Some(m), _) => format!("message #{m} in the outbox; u recalls it"),
                _ => "in the outbox".into(),
            },
        },
        AwaitingReply | Replied if s.rejection.is_some() => {
            let r = s.rejection.as_deref().unwrap_or_default();
            format!("{r}; waiting for a reply or a new draft (D)")
        }
        AwaitingReply => format!("sent {}; waiting for a reply", when(s.last_sent_at)),
        Replied => "reading the reply, planning the next step".into(),
        Completed | TimedOut => match s.score {
            Some(score) if !s.review_reasons.is_empty() => {
                format!(
                    "review the grade ({score:.0}): {}",
                    s.review_reasons.join("; ")
                )
            }
            Some(score) => format!("graded {score:.0}"),
            None => "to grade".into(),
        },
        Blocked | Cancelled | Failed => s.status_reason.clone().unwrap_or_default(),
    }
}

/// Why an approved message waits, in words.
pub fn wait_words(w: WaitReason) -> &'static str {
    match w {
        WaitReason::Window => "outside the send window",
        WaitReason::DailyCap => "daily cap reached",
        WaitReason::Retry => "retrying after a server error",
        WaitReason::Checking => "checking the mailbox before any retry",
        WaitReason::Connection => "waiting for the mail server",
        WaitReason::Undo => "approved",
    }
}

pub fn draw(list: &ListView<ShopRow>, sort: usize, theme: &Theme, f: &mut Frame, area: Rect) {
    // The selected shop's next step in full below the table: the NEXT column cuts it short.
    let [area, detail] = Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(area);
    if let Some(s) = list.selected_row() {
        let style = if s.review_reasons.is_empty() && s.failed_message.is_none() {
            theme.text
        } else {
            theme.warn
        };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!(" #{}", s.id), theme.muted),
                // The table has no room for the client at 100 columns; the detail line has.
                Span::styled(
                    s.client
                        .as_ref()
                        .map(|c| format!(" for {c}"))
                        .unwrap_or_default(),
                    theme.text,
                ),
                Span::styled(" next: ", theme.muted),
                Span::styled(next_step(s), style),
            ]))
            .wrap(Wrap { trim: true }),
            detail,
        );
    }
    draw_table(
        list,
        TableSpec {
            title: "Shops",
            header: vec!["#", "TARGET", "PERSONA", "STATE", "ACTIVE", "NEXT"],
            widths: vec![
                Constraint::Length(5),
                Constraint::Percentage(24),
                Constraint::Percentage(16),
                Constraint::Length(15),
                Constraint::Length(11),
                Constraint::Fill(1),
            ],
            empty: "no shops yet: start one from the CLI (`secret-shop shop start`) or load the demo",
            sorted: Some({
                let by = SHOP_SORTS[sort % SHOP_SORTS.len()];
                Sorted {
                    by,
                    column: match by {
                        "activity" => Some("ACTIVE"),
                        "target" => Some("TARGET"),
                        "state" => Some("STATE"),
                        _ => None,
                    },
                }
            }),
        },
        |s| {
            let state_style = match s.status {
                ShopStatus::AwaitingReview => theme.draft_pending,
                ShopStatus::Blocked | ShopStatus::Failed => theme.error,
                ShopStatus::Completed => theme.ok,
                _ => theme.text,
            };
            Row::new(vec![
                Cell::from(s.id.to_string()),
                Cell::from(s.target_name.clone()),
                Cell::from(s.persona_name.clone()),
                Cell::from(s.status.to_string()).style(state_style),
                Cell::from(when(Some(s.last_activity))),
                Cell::from(next_step(s)).style(if s.review_reasons.is_empty() {
                    theme.text
                } else {
                    theme.warn
                }),
            ])
        },
        theme,
        f,
        area,
    );
}

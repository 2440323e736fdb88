//! The review queue: drafts awaiting approval, oldest first, with who holds each.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::{TableSpec, draw_table, when};
use crate::domain::ids::MessageId;
use crate::store::MessageRow;
use crate::tui::state::ListView;
use crate::tui::theme::Theme;

/// `undo`: the message just approved and the seconds left to recall it.
pub fn draw(
    list: &ListView<MessageRow>,
    me: &str,
    undo: Option<(MessageId, i64)>,
    theme: &Theme,
    f: &mut Frame,
    area: Rect,
) {
    let title = match undo {
        Some((id, left)) => format!(
            "Review queue · approved #{id}: undo {}:{:02} (u recalls it)",
            left / 60,
            left % 60
        ),
        None => "Review queue".to_string(),
    };
    draw_table(
        list,
        TableSpec {
            title: &title,
            header: vec!["#", "SHOP", "KIND", "TO", "DRAFTED", "HELD BY", "SUBJECT"],
            widths: vec![
                Constraint::Length(5),
                Constraint::Length(5),
                Constraint::Length(10),
                Constraint::Percentage(22),
                Constraint::Length(11),
                Constraint::Length(10),
                Constraint::Fill(1),
            ],
            empty: "nothing awaits review",
            sorted: None,
        },
        |m| {
            let holder = match m.claimed_by_name.as_deref() {
                Some(who) if who == me => Cell::from("you").style(theme.ok),
                Some(who) => Cell::from(who.to_string()).style(theme.warn),
                None => Cell::from(""),
            };
            Row::new(vec![
                Cell::from(m.id.to_string()),
                Cell::from(m.shop_id.map(|s| s.to_string()).unwrap_or_default()),
                Cell::from(m.kind.to_string()).style(theme.draft_pending),
                Cell::from(m.to_addrs.join(", ")),
                Cell::from(when(Some(m.created_at))),
                holder,
                Cell::from(m.subject.clone()),
            ])
        },
        theme,
        f,
        area,
    );
}

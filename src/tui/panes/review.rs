//! The review queue: drafts awaiting approval, oldest first, with who holds each.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::{TableSpec, draw_table, when};
use crate::store::MessageRow;
use crate::tui::state::ListView;
use crate::tui::theme::Theme;

pub fn draw(list: &ListView<MessageRow>, me: &str, theme: &Theme, f: &mut Frame, area: Rect) {
    draw_table(
        list,
        TableSpec {
            title: "Review queue",
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

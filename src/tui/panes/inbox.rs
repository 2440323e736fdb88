//! The live inbox: new mail appears as it is synced; bold rows are unread.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::{TableSpec, draw_table, when};
use crate::store::{InboxFilter, InboxRow};
use crate::tui::state::ListView;
use crate::tui::theme::Theme;

pub fn draw(
    list: &ListView<InboxRow>,
    filter: &InboxFilter,
    theme: &Theme,
    f: &mut Frame,
    area: Rect,
) {
    let title = if filter.unmatched_only {
        "Inbox — unmatched only"
    } else {
        "Inbox"
    };
    draw_table(
        list,
        TableSpec {
            title,
            header: vec!["", "#", "RECEIVED", "FROM", "SHOP", "TAG", "SUBJECT"],
            widths: vec![
                Constraint::Length(1),
                Constraint::Length(6),
                Constraint::Length(11),
                Constraint::Percentage(24),
                Constraint::Percentage(18),
                Constraint::Length(9),
                Constraint::Fill(1),
            ],
            empty: "no mail yet: the engine syncs the mailbox",
            sorted: None,
        },
        |m| {
            let tag = if m.is_bounce {
                "bounce"
            } else if m.parse_error.is_some() {
                "malformed"
            } else if m.is_auto_reply {
                "auto"
            } else if m.shop_id.is_none() {
                "unmatched"
            } else {
                m.responder_kind.as_deref().unwrap_or("")
            };
            let style = if m.read { theme.text } else { theme.unread };
            let shop = match (m.shop_id, &m.target_name) {
                (Some(s), Some(t)) => format!("#{s} {t}"),
                (Some(s), None) => format!("#{s}"),
                _ => "—".into(),
            };
            Row::new(vec![
                Cell::from(if m.read { " " } else { "●" }).style(theme.inbound),
                Cell::from(m.id.to_string()),
                Cell::from(when(m.received_at)),
                Cell::from(if m.from_name.is_empty() {
                    m.from_addr.clone()
                } else {
                    m.from_name.clone()
                }),
                Cell::from(shop),
                Cell::from(tag.to_string()),
                Cell::from(m.subject.clone()),
            ])
            .style(style)
        },
        theme,
        f,
        area,
    );
}

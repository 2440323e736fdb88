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
    let title = inbox_title(filter);
    draw_table(
        list,
        TableSpec {
            title: &title,
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

/// The inbox's title with what it is narrowed to, as `/` shows its filter: "Inbox — unmatched
/// only · shop #12 · target oak · from ai".
pub fn inbox_title(filter: &InboxFilter) -> String {
    let mut parts = Vec::new();
    if filter.unmatched_only {
        parts.push("unmatched only".to_string());
    }
    if let Some(s) = filter.shop {
        parts.push(format!("shop #{s}"));
    }
    if let Some(t) = &filter.target {
        parts.push(format!("target {t}"));
    }
    if let Some(r) = &filter.responder {
        parts.push(format!("from {r}"));
    }
    if parts.is_empty() {
        "Inbox".to_string()
    } else {
        format!("Inbox — {}", parts.join(" · "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_says_what_the_inbox_is_narrowed_to() {
        assert_eq!(inbox_title(&InboxFilter::default()), "Inbox");
        let f = InboxFilter {
            unmatched_only: true,
            target: Some("oak".into()),
            responder: Some("ai".into()),
            ..Default::default()
        };
        assert_eq!(
            inbox_title(&f),
            "Inbox — unmatched only · target oak · from ai"
        );
    }
}

//! Targets: the properties being shopped.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::{TableSpec, draw_table};
use crate::domain::target::Target;
use crate::tui::state::ListView;
use crate::tui::theme::Theme;

pub fn draw(list: &ListView<Target>, theme: &Theme, f: &mut Frame, area: Rect) {
    draw_table(
        list,
        TableSpec {
            title: "Targets",
            header: vec!["#", "NAME", "CLIENT", "CITY", "MANAGER", "EMAIL", "WEBSITE"],
            widths: vec![
                Constraint::Length(5),
                Constraint::Percentage(21),
                Constraint::Percentage(12),
                Constraint::Percentage(15),
                Constraint::Percentage(16),
                Constraint::Percentage(22),
                Constraint::Fill(1),
            ],
            empty: "no targets: `secret-shop target add` or `target import FILE.csv`",
        },
        |t| {
            Row::new(vec![
                Cell::from(t.id.to_string()),
                Cell::from(t.name.clone()),
                match &t.client {
                    Some(c) => Cell::from(c.clone()),
                    None => Cell::from("no client").style(theme.muted),
                },
                Cell::from(format!("{}, {}", t.city, t.state)),
                Cell::from(t.property_manager.clone()),
                Cell::from(t.email.clone()),
                Cell::from(t.website.clone()).style(theme.muted),
            ])
        },
        theme,
        f,
        area,
    );
}

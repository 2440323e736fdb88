//! Targets: the properties being shopped.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::{Sorted, TableSpec, draw_table};
use crate::domain::target::Target;
use crate::tui::state::{ListView, TARGET_SORTS};
use crate::tui::theme::Theme;

pub fn draw(list: &ListView<Target>, sort: usize, theme: &Theme, f: &mut Frame, area: Rect) {
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
            sorted: Some({
                let by = TARGET_SORTS[sort % TARGET_SORTS.len()];
                Sorted {
                    by,
                    column: match by {
                        "name" => Some("NAME"),
                        "city" => Some("CITY"),
                        "manager" => Some("MANAGER"),
                        _ => None,
                    },
                }
            }),
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

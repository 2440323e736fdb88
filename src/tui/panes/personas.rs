//! Personas: the prospective renters the AI writes as.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::{TableSpec, draw_table};
use crate::domain::persona::Persona;
use crate::tui::state::ListView;
use crate::tui::theme::Theme;

pub fn draw(list: &ListView<Persona>, theme: &Theme, f: &mut Frame, area: Rect) {
    draw_table(
        list,
        TableSpec {
            title: "Personas",
            header: vec!["#", "NAME", "EMAIL", "BUDGET", "BEDS", "PETS"],
            widths: vec![
                Constraint::Length(5),
                Constraint::Percentage(22),
                Constraint::Percentage(34),
                Constraint::Length(8),
                Constraint::Length(5),
                Constraint::Fill(1),
            ],
            empty: "no personas: `secret-shop persona generate --template NAME`",
        },
        |p| {
            Row::new(vec![
                Cell::from(p.id.to_string()),
                Cell::from(p.full_name()),
                Cell::from(p.email.clone()),
                Cell::from(format!("${}", p.rental_budget)),
                Cell::from(p.bedrooms.to_string()),
                Cell::from(p.pets.clone()).style(theme.muted),
            ])
        },
        theme,
        f,
        area,
    );
}

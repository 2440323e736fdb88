//! Personas: the prospective renters the AI writes as.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::{TableSpec, draw_table};
use crate::domain::persona::{Persona, PersonaTemplate};
use crate::tui::state::ListView;
use crate::tui::theme::Theme;

pub fn draw(list: &ListView<Persona>, theme: &Theme, f: &mut Frame, area: Rect) {
    draw_table(
        list,
        TableSpec {
            title: "Personas (t: templates)",
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
            sorted: None,
        },
        |p| {
            Row::new(vec![
                Cell::from(p.id.to_string()),
                Cell::from(p.full_name()),
                Cell::from(p.email.clone()),
                Cell::from(crate::report::format::money(p.rental_budget as f64)),
                Cell::from(p.bedrooms.to_string()),
                Cell::from(p.pets.clone()).style(theme.muted),
            ])
        },
        theme,
        f,
        area,
    );
}

pub fn draw_templates(list: &ListView<PersonaTemplate>, theme: &Theme, f: &mut Frame, area: Rect) {
    draw_table(
        list,
        TableSpec {
            title: "Persona templates (t: personas, n generates from one)",
            header: vec!["#", "NAME", "BUDGET", "BEDS", "CREDIT", "DESCRIPTION"],
            widths: vec![
                Constraint::Length(5),
                Constraint::Percentage(22),
                Constraint::Length(12),
                Constraint::Length(6),
                Constraint::Length(9),
                Constraint::Fill(1),
            ],
            empty: "no templates: `secret-shop persona template add NAME`",
            sorted: None,
        },
        |t| {
            Row::new(vec![
                Cell::from(t.id.to_string()),
                Cell::from(t.name.clone()),
                Cell::from(format!("${}-{}", t.budget_min, t.budget_max)),
                Cell::from(format!("{}-{}", t.bedrooms_min, t.bedrooms_max)),
                Cell::from(format!("{}-{}", t.credit_score_min, t.credit_score_max)),
                Cell::from(t.description.clone()).style(theme.muted),
            ])
        },
        theme,
        f,
        area,
    );
}

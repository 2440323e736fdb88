//! Reports: finished and running shops to pick from, and a shop's summary and grading report
//! rendered as text; `o` exports it in any format.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use super::{TableSpec, draw_table, pane_block, when};
use crate::store::ShopRow;
use crate::tui::state::{ListView, PortfolioView, ReportView};
use crate::tui::theme::Theme;

pub fn draw_list(list: &ListView<ShopRow>, theme: &Theme, f: &mut Frame, area: Rect) {
    draw_table(
        list,
        TableSpec {
            title: "Reports — enter reads a shop's report, o exports it, p the portfolio",
            header: vec!["#", "TARGET", "STATE", "SCORE", "ACTIVE"],
            widths: vec![
                Constraint::Length(5),
                Constraint::Percentage(40),
                Constraint::Length(15),
                Constraint::Length(6),
                Constraint::Fill(1),
            ],
            empty: "no shops yet",
            sorted: None,
        },
        |s| {
            Row::new(vec![
                Cell::from(s.id.to_string()),
                Cell::from(s.target_name.clone()),
                Cell::from(s.status.to_string()),
                Cell::from(s.score.map(|x| format!("{x:.0}")).unwrap_or_default()),
                Cell::from(when(Some(s.last_activity))),
            ])
        },
        theme,
        f,
        area,
    );
}

pub fn draw_report(r: &ReportView, theme: &Theme, f: &mut Frame, area: Rect) {
    let block = pane_block(format!(" Report — shop #{} (o exports) ", r.shop), theme);
    match &r.text {
        None => f.render_widget(
            Paragraph::new(Span::styled("rendering…", theme.muted)).block(block),
            area,
        ),
        Some(text) => f.render_widget(
            Paragraph::new(text.as_str())
                .wrap(Wrap { trim: false })
                .scroll((r.scroll, 0))
                .block(block),
            area,
        ),
    }
}

pub fn draw_portfolio(p: &PortfolioView, theme: &Theme, f: &mut Frame, area: Rect) {
    let block = pane_block(" Portfolio (esc closes) ".into(), theme);
    match &p.text {
        None => f.render_widget(
            Paragraph::new(Span::styled("rendering…", theme.muted)).block(block),
            area,
        ),
        Some(text) => f.render_widget(
            Paragraph::new(text.as_str())
                .wrap(Wrap { trim: false })
                .scroll((p.scroll, 0))
                .block(block),
            area,
        ),
    }
}

//! One file per pane. Each draws from plain data it is handed; none of them load anything.

pub mod dashboard;
pub mod draft;
pub mod flags;
pub mod help;
pub mod inbox;
pub mod personas;
pub mod reports;
pub mod review;
pub mod shops;
pub mod target_detail;
pub mod target_form;
pub mod targets;
pub mod thread;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Constraint;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Row, Table, TableState};

use super::state::ListView;
use super::theme::Theme;

/// "11-23 14:05" (UTC): short and the same width everywhere.
pub fn when(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "—".into())
}

pub fn pane_block<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Span::styled(title, theme.title))
}

/// How a list is shown as a table.
pub struct TableSpec<'a> {
    pub title: &'a str,
    pub header: Vec<&'static str>,
    pub widths: Vec<Constraint>,
    /// Said instead of an empty table.
    pub empty: &'a str,
    /// The order the rows are in (`s` cycles it), shown in the title and, when it is a
    /// column's, marked in that column's header.
    pub sorted: Option<Sorted<'a>>,
}

/// How a list is sorted: its name, and the header of the column it sorts by (if one).
#[derive(Clone, Copy)]
pub struct Sorted<'a> {
    pub by: &'a str,
    pub column: Option<&'static str>,
}

/// A list as a table with a header, the selection highlighted and kept in view.
pub fn draw_table<T>(
    list: &ListView<T>,
    spec: TableSpec<'_>,
    row: impl Fn(&T) -> Row<'static>,
    theme: &Theme,
    f: &mut Frame,
    area: Rect,
) {
    let TableSpec {
        title,
        header,
        widths,
        empty,
        sorted,
    } = spec;
    // No count until the rows are there: "(0)" while loading would be a lie.
    let mut title = if list.loaded {
        format!(" {title} ({}) ", list.len())
    } else {
        format!(" {title} ")
    };
    if let Some(s) = sorted {
        title = format!("{title}· by {} ", s.by);
    }
    if !list.filter.is_empty() {
        title = format!(" {title}— filter: {} ", list.filter);
    }
    let marked = sorted.and_then(|s| s.column);
    let header: Vec<String> = header
        .into_iter()
        .map(|h| match marked {
            Some(m) if m == h => format!("{h} ▼"),
            _ => h.to_string(),
        })
        .collect();
    let block = pane_block(title, theme);
    if !list.loaded {
        f.render_widget(
            ratatui::widgets::Paragraph::new(Span::styled("loading…", theme.muted)).block(block),
            area,
        );
        return;
    }
    if list.is_empty() {
        f.render_widget(
            ratatui::widgets::Paragraph::new(Span::styled(empty.to_string(), theme.muted))
                .block(block),
            area,
        );
        return;
    }
    // Only the rows on screen are built, a page at a time: the view jumps by a page when the
    // selection leaves it (as mutt does), so most keys redraw two lines, not the whole table.
    let height = (area.height as usize).saturating_sub(3).max(1);
    let offset = (list.selected / height) * height;
    let rows: Vec<Row> = list
        .visible
        .iter()
        .skip(offset)
        .take(height)
        .map(|i| row(&list.rows[*i]))
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title))
        .row_highlight_style(theme.selection)
        .block(block);
    let mut state = TableState::default().with_selected(Some(list.selected - offset));
    f.render_stateful_widget(table, area, &mut state);
}

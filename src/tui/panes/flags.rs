//! The fair-housing flag dialog: the grade's flags, numbered, each with its verdict so far; the
//! choice (confirm / clear) and the reason being typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::domain::overrides::Verdict;
use crate::tui::state::FlagDialog;
use crate::tui::theme::Theme;
use crate::tui::view::dialog;

pub fn draw(d: &FlagDialog, theme: &Theme, f: &mut Frame, rect: Rect) {
    f.render_widget(Clear, rect);
    let mut lines = Vec::new();
    for (i, (quote, why, verdict)) in d.flags.iter().enumerate() {
        let style = if i == d.selected {
            theme.selection
        } else {
            theme.text
        };
        lines.push(Line::styled(
            format!(
                "{} {}. \u{201c}{quote}\u{201d}",
                if i == d.selected { ">" } else { " " },
                i + 1
            ),
            style,
        ));
        lines.push(Line::styled(format!("     {why}"), theme.muted));
        lines.push(match verdict {
            Some(v) => Line::styled(format!("     {v}"), theme.ok),
            None => Line::styled("     awaiting an operator", theme.warn),
        });
    }
    lines.push(Line::raw(""));
    let choice = |v: Verdict, text: &'static str| {
        let mark = if d.verdict == v { "(•) " } else { "( ) " };
        let style = if d.verdict == v {
            theme.selection
        } else {
            theme.text
        };
        Span::styled(format!("{mark}{text}"), style)
    };
    lines.push(Line::from(vec![
        choice(Verdict::Confirmed, "confirm: a violation, the cap stays"),
        Span::raw("  "),
        choice(Verdict::Cleared, "clear: not a violation"),
    ]));
    let label = match d.verdict {
        Verdict::Confirmed => "reason (optional): ",
        Verdict::Cleared => "reason (required): ",
    };
    lines.push(Line::from(vec![
        Span::styled(label, theme.title),
        Span::raw(format!("{}█", d.reason)),
    ]));
    if let Some(e) = &d.error {
        lines.push(Line::styled(e.clone(), theme.error));
    }
    lines.push(Line::from(vec![
        Span::styled("↑↓", theme.key),
        Span::raw(" flag   "),
        Span::styled("tab", theme.key),
        Span::raw(" confirm/clear   "),
        Span::styled("enter", theme.key),
        Span::raw(" decide   "),
        Span::styled("esc", theme.key),
        Span::raw(" close"),
    ]));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(dialog(
                &format!(" fair-housing flags: shop #{} ", d.shop),
                theme,
            )),
        rect,
    );
}

//! The `?` overlay, generated from the keymap: what every key does in the focused pane, then
//! everywhere.

use ratatui::text::{Line, Span};

use crate::tui::action::Scope;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let focused = app.scope();
    for scope in [focused, Scope::Global] {
        out.push(Line::styled(format!("{} keys", scope.name()), theme.title));
        for (k, a) in app
            .keymap
            .scope(scope)
            .into_iter()
            .filter(|(_, a)| a.allowed(app.role))
        {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<8}", k.label()), theme.key),
                Span::raw(a.describe()),
            ]));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled(
        "keymap.toml in the config dir overrides any of these",
        theme.muted,
    ));
    out
}

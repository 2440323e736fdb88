//! Colours by role, never by value at the call site: panes ask for `theme.muted`, and the theme
//! decides. NO_COLOR (or `monochrome`) keeps only bold, reverse and underline, which every
//! terminal renders; the default palette uses the 16 ANSI colours, readable on 16, 256 and
//! true-colour terminals alike.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub title: Style,
    pub text: Style,
    pub muted: Style,
    pub selection: Style,
    pub border: Style,
    pub border_focused: Style,
    pub tab_active: Style,
    pub key: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub draft_pending: Style,
    pub inbound: Style,
    pub outbound: Style,
    pub unread: Style,
}

impl Theme {
    pub fn colour() -> Theme {
        let fg = |c: Color| Style::default().fg(c);
        Theme {
            title: Style::default().add_modifier(Modifier::BOLD),
            text: Style::default(),
            muted: fg(Color::DarkGray),
            selection: Style::default()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            border: fg(Color::DarkGray),
            border_focused: fg(Color::Cyan),
            tab_active: fg(Color::Cyan).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            key: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            ok: fg(Color::Green),
            warn: fg(Color::Yellow),
            error: fg(Color::Red).add_modifier(Modifier::BOLD),
            draft_pending: fg(Color::Magenta),
            inbound: fg(Color::Green),
            outbound: fg(Color::Cyan),
            unread: Style::default().add_modifier(Modifier::BOLD),
        }
    }

    /// Attributes only: for NO_COLOR and terminals without colour.
    pub fn monochrome() -> Theme {
        let plain = Style::default();
        let bold = plain.add_modifier(Modifier::BOLD);
        Theme {
            title: bold,
            text: plain,
            muted: plain,
            selection: plain.add_modifier(Modifier::REVERSED),
            border: plain,
            border_focused: bold,
            tab_active: bold.add_modifier(Modifier::UNDERLINED),
            key: bold,
            ok: plain,
            warn: bold,
            error: bold.add_modifier(Modifier::UNDERLINED),
            draft_pending: bold,
            inbound: plain,
            outbound: plain,
            unread: bold,
        }
    }

    /// The theme the environment asks for: NO_COLOR (any value) means monochrome.
    pub fn from_env(no_color: bool, name: &str) -> Theme {
        if no_color || name == "monochrome" {
            Theme::monochrome()
        } else {
            Theme::colour()
        }
    }
}

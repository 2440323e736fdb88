//! Colours by role, never by value at the call site: panes ask for `theme.muted`, and the theme
//! decides. NO_COLOR (or `monochrome`) keeps only bold, reverse and underline, which every
//! terminal renders; the default palette uses the 16 ANSI colours, readable on 16, 256 and
//! true-colour terminals alike.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

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

    fn role_mut(&mut self, role: &str) -> Option<&mut Style> {
        Some(match role {
            "title" => &mut self.title,
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "selection" => &mut self.selection,
            "border" => &mut self.border,
            "border_focused" => &mut self.border_focused,
            "tab_active" => &mut self.tab_active,
            "key" => &mut self.key,
            "ok" => &mut self.ok,
            "warn" => &mut self.warn,
            "error" => &mut self.error,
            "draft_pending" => &mut self.draft_pending,
            "inbound" => &mut self.inbound,
            "outbound" => &mut self.outbound,
            "unread" => &mut self.unread,
            _ => return None,
        })
    }

    /// Applies a `theme.toml` (one table per role: fg, bg, bold, underline, reversed, italic)
    /// over this theme. With `no_color` the colours are ignored and only the attributes apply.
    pub fn with_overrides(
        mut self,
        text: &str,
        origin: &str,
        no_color: bool,
    ) -> anyhow::Result<Theme> {
        let file: BTreeMap<String, RoleSpec> = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("{origin} is not a valid theme: {e}"))?;
        for (role, spec) in file {
            let style = self.role_mut(&role).ok_or_else(|| {
                anyhow::anyhow!(
                    "{origin}: [{role}] is not a role; roles: title, text, muted, selection, \
                     border, border_focused, tab_active, key, ok, warn, error, draft_pending, \
                     inbound, outbound, unread"
                )
            })?;
            let colour = |key: &str, v: &Option<String>| -> anyhow::Result<Option<Color>> {
                match v {
                    None => Ok(None),
                    Some(c) => Color::from_str(c).map(Some).map_err(|_| {
                        anyhow::anyhow!(
                            "{origin}: [{role}] {key} = \"{c}\" is not a colour (a name such as \
                             \"lightblue\", \"#005f87\" or an index 0-255)"
                        )
                    }),
                }
            };
            let fg = colour("fg", &spec.fg)?;
            let bg = colour("bg", &spec.bg)?;
            if !no_color {
                if let Some(c) = fg {
                    *style = style.fg(c);
                }
                if let Some(c) = bg {
                    *style = style.bg(c);
                }
            }
            for (on, m) in [
                (spec.bold, Modifier::BOLD),
                (spec.underline, Modifier::UNDERLINED),
                (spec.reversed, Modifier::REVERSED),
                (spec.italic, Modifier::ITALIC),
            ] {
                match on {
                    Some(true) => *style = style.add_modifier(m),
                    Some(false) => *style = style.remove_modifier(m),
                    None => {}
                }
            }
        }
        Ok(self)
    }
}

/// One role in `theme.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleSpec {
    fg: Option<String>,
    bg: Option<String>,
    bold: Option<bool>,
    underline: Option<bool>,
    reversed: Option<bool>,
    italic: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_file_restyles_roles_and_names_its_mistakes() {
        let t = Theme::colour()
            .with_overrides(
                "[selection]\nbg = \"#005f87\"\nbold = false\n[error]\nfg = \"magenta\"\n",
                "theme.toml",
                false,
            )
            .unwrap();
        assert_eq!(t.selection.bg, Some(Color::Rgb(0, 0x5f, 0x87)));
        assert!(!t.selection.add_modifier.contains(Modifier::BOLD));
        assert_eq!(t.error.fg, Some(Color::Magenta));
        // NO_COLOR keeps attributes only.
        let mono = Theme::monochrome()
            .with_overrides("[error]\nfg = \"red\"\nitalic = true\n", "theme.toml", true)
            .unwrap();
        assert_eq!(mono.error.fg, None);
        assert!(mono.error.add_modifier.contains(Modifier::ITALIC));
        let err = Theme::colour()
            .with_overrides("[sparkle]\nfg = \"red\"\n", "theme.toml", false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a role"), "{err}");
        let err = Theme::colour()
            .with_overrides("[ok]\nfg = \"greenish\"\n", "theme.toml", false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a colour"), "{err}");
    }
}

//! Keys → actions, as data: the default keymap (`assets/tui/keymap.toml`) with the operator's
//! `keymap.toml` from the config dir merged over it. The help overlay and the hint bar are
//! generated from the same table, so they can never disagree with what the keys do.

use std::collections::BTreeMap;

use anyhow::{Context as _, anyhow, bail};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Scope};

const DEFAULT: &str = include_str!("../../assets/tui/keymap.toml");

/// A key as written in the keymap file ("ctrl-s", "G", "enter").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` subset that can be ordered (for a stable help listing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    Delete,
}

impl Key {
    pub fn parse(text: &str) -> anyhow::Result<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        use KeyCodeOrd::*;
        let code = match rest {
            "enter" => Enter,
            "esc" => Esc,
            "tab" => Tab,
            "backtab" | "shift-tab" => BackTab,
            "up" => Up,
            "down" => Down,
            "left" => Left,
            "right" => Right,
            "pageup" => PageUp,
            "pagedown" => PageDown,
            "home" => Home,
            "end" => End,
            "backspace" => Backspace,
            "delete" => Delete,
            "space" => Char(' '),
            s if s.chars().count() == 1 => Char(s.chars().next().unwrap_or(' ')),
            other => bail!("unknown key `{other}`"),
        };
        Ok(Key { code, ctrl, alt })
    }

    /// The key a terminal event stands for, if the keymap can name it.
    pub fn from_event(e: &KeyEvent) -> Option<Key> {
        use KeyCodeOrd::*;
        let code = match e.code {
            KeyCode::Char(c) => Char(c),
            KeyCode::Enter => Enter,
            KeyCode::Esc => Esc,
            KeyCode::Tab => Tab,
            KeyCode::BackTab => BackTab,
            KeyCode::Up => Up,
            KeyCode::Down => Down,
            KeyCode::Left => Left,
            KeyCode::Right => Right,
            KeyCode::PageUp => PageUp,
            KeyCode::PageDown => PageDown,
            KeyCode::Home => Home,
            KeyCode::End => End,
            KeyCode::Backspace => Backspace,
            KeyCode::Delete => Delete,
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// How the help overlay writes it.
    pub fn label(&self) -> String {
        use KeyCodeOrd::*;
        let base = match self.code {
            Char(' ') => "space".to_string(),
            Char(c) => c.to_string(),
            Enter => "enter".into(),
            Esc => "esc".into(),
            Tab => "tab".into(),
            BackTab => "S-tab".into(),
            Up => "↑".into(),
            Down => "↓".into(),
            Left => "←".into(),
            Right => "→".into(),
            PageUp => "pgup".into(),
            PageDown => "pgdn".into(),
            Home => "home".into(),
            End => "end".into(),
            Backspace => "bksp".into(),
            Delete => "del".into(),
        };
        let mut s = String::new();
        if self.ctrl {
            s.push_str("C-");
        }
        if self.alt {
            s.push_str("M-");
        }
        s + &base
    }
}

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    bindings: BTreeMap<Scope, BTreeMap<Key, Action>>,
}

type KeymapFile = BTreeMap<String, BTreeMap<String, String>>;

impl Keymap {
    /// The built-in keymap.
    pub fn default_map() -> Keymap {
        let mut k = Keymap::default();
        // The embedded file is tested; a broken one is a build defect, not user input.
        k.merge(DEFAULT, "the built-in keymap")
            .expect("assets/tui/keymap.toml is valid");
        k
    }

    /// The built-in keymap with `overrides` (a user's keymap.toml) merged over it.
    pub fn with_overrides(overrides: &str, origin: &str) -> anyhow::Result<Keymap> {
        let mut k = Keymap::default_map();
        k.merge(overrides, origin)?;
        Ok(k)
    }

    fn merge(&mut self, text: &str, origin: &str) -> anyhow::Result<()> {
        let file: KeymapFile =
            toml::from_str(text).with_context(|| format!("{origin} is not a valid keymap"))?;
        for (scope_name, keys) in file {
            let scope = Scope::parse(&scope_name)
                .ok_or_else(|| anyhow!("{origin}: no such section [{scope_name}]"))?;
            let table = self.bindings.entry(scope).or_default();
            for (key, action) in keys {
                let k =
                    Key::parse(&key).with_context(|| format!("{origin}: [{scope:?}] \"{key}\""))?;
                if action == "none" {
                    table.remove(&k);
                    continue;
                }
                let a: Action = action.parse().map_err(|_| {
                    anyhow!("{origin}: [{scope:?}] \"{key}\" = \"{action}\": no such action")
                })?;
                table.insert(k, a);
            }
        }
        Ok(())
    }

    /// The action for a key in `scope`, falling back to the global bindings.
    pub fn lookup(&self, scope: Scope, key: Key) -> Option<Action> {
        self.bindings
            .get(&scope)
            .and_then(|t| t.get(&key))
            .or_else(|| self.bindings.get(&Scope::Global).and_then(|t| t.get(&key)))
            .copied()
    }

    /// The bindings of one scope (not the global ones), in key order.
    pub fn scope(&self, scope: Scope) -> Vec<(Key, Action)> {
        self.bindings
            .get(&scope)
            .map(|t| t.iter().map(|(k, a)| (*k, *a)).collect())
            .unwrap_or_default()
    }

    /// A key bound to `action` in `scope` or globally, for hints: a plain key before a chord.
    pub fn key_for(&self, scope: Scope, action: Action) -> Option<Key> {
        [scope, Scope::Global].iter().find_map(|s| {
            let keys: Vec<Key> = self
                .bindings
                .get(s)?
                .iter()
                .filter(|(_, a)| **a == action)
                .map(|(k, _)| *k)
                .collect();
            keys.iter()
                .find(|k| !k.ctrl && !k.alt)
                .or(keys.first())
                .copied()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_keymap_loads_and_scopes_fall_back_to_global() {
        let k = Keymap::default_map();
        let a = Key::parse("a").unwrap();
        assert_eq!(k.lookup(Scope::Review, a), Some(Action::ApproveDraft));
        assert_eq!(k.lookup(Scope::Inbox, a), None);
        assert_eq!(
            k.lookup(Scope::Inbox, Key::parse("q").unwrap()),
            Some(Action::Quit)
        );
        assert_eq!(
            k.lookup(Scope::Draft, Key::parse("ctrl-s").unwrap()),
            Some(Action::SaveDraft)
        );
    }

    #[test]
    fn overrides_rebind_unbind_and_name_their_mistakes() {
        let k = Keymap::with_overrides(
            "[review]\n\"y\" = \"approve-draft\"\n\"a\" = \"none\"\n",
            "keymap.toml",
        )
        .unwrap();
        assert_eq!(
            k.lookup(Scope::Review, Key::parse("y").unwrap()),
            Some(Action::ApproveDraft)
        );
        assert_eq!(k.lookup(Scope::Review, Key::parse("a").unwrap()), None);
        let err = Keymap::with_overrides("[review]\n\"y\" = \"launch\"\n", "keymap.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no such action"), "{err}");
        let err = Keymap::with_overrides("[review]\n\"hyper-y\" = \"quit\"\n", "keymap.toml")
            .unwrap_err();
        assert!(format!("{err:#}").contains("unknown key"), "{err:#}");
    }
}

//! The fair-housing flag dialog: each flag of the open shop's grade with its verdict so far;
//! the operator confirms one (a violation: the cap stays) or clears it with a reason (the shop
//! is graded without its cap).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::App;
use crate::domain::overrides::Verdict;
use crate::tui::effect::Effect;
use crate::tui::state::{FlagDialog, Modal};

impl App {
    /// Opens the dialog on the open shop's flags (or says there are none).
    pub(super) fn open_flags(&mut self) -> Vec<Effect> {
        let Some(t) = self.thread.as_ref().filter(|t| t.loaded) else {
            self.toast("open a shop first (Enter on the shops list)");
            return Vec::new();
        };
        let Some(g) = t.review.grade.as_ref() else {
            self.toast(format!("shop #{} has no grade yet (= grades it)", t.shop));
            return Vec::new();
        };
        if g.fair_housing_flags.is_empty() {
            self.toast(format!("shop #{}: no fair-housing flags", t.shop));
            return Vec::new();
        }
        let flags = g
            .fair_housing_flags
            .iter()
            .map(|f| {
                let verdict = g
                    .flag_decisions
                    .iter()
                    .find(|d| d.quote == f.quote)
                    .map(|d| {
                        if d.reason.is_empty() {
                            format!("{} by {}", d.verdict, d.operator)
                        } else {
                            format!("{} by {}: {}", d.verdict, d.operator, d.reason)
                        }
                    });
                (f.quote.clone(), f.reason.clone(), verdict)
            })
            .collect();
        self.modal = Some(Modal::Flags(FlagDialog {
            shop: t.shop,
            flags,
            selected: 0,
            verdict: Verdict::Confirmed,
            reason: String::new(),
            error: None,
        }));
        Vec::new()
    }

    /// Up/Down pick a flag, Tab switches confirm/clear, typing writes the reason, Enter decides,
    /// Esc closes.
    pub(super) fn flags_key(&mut self, k: KeyEvent, mut d: FlagDialog) -> Vec<Effect> {
        match k.code {
            KeyCode::Esc => return Vec::new(),
            KeyCode::Up => d.selected = d.selected.saturating_sub(1),
            KeyCode::Down => d.selected = (d.selected + 1).min(d.flags.len().saturating_sub(1)),
            KeyCode::Tab | KeyCode::BackTab => {
                d.verdict = match d.verdict {
                    Verdict::Confirmed => Verdict::Cleared,
                    Verdict::Cleared => Verdict::Confirmed,
                };
                d.error = None;
            }
            KeyCode::Backspace => {
                d.reason.pop();
            }
            KeyCode::Enter => {
                if d.verdict == Verdict::Cleared && d.reason.trim().is_empty() {
                    d.error = Some("say why it is not a violation: clearing needs a reason".into());
                } else {
                    return vec![Effect::DecideFlag {
                        shop: d.shop,
                        n: d.selected + 1,
                        verdict: d.verdict,
                        reason: d.reason.trim().to_string(),
                    }];
                }
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                d.reason.push(c);
                d.error = None;
            }
            _ => {}
        }
        self.modal = Some(Modal::Flags(d));
        Vec::new()
    }
}

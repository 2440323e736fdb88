//! The offline fallback's judgement of a reply, by rules: quoted history cut, facts extracted with
//! evidence, responder classified, grading signals read. Runs when no AI is configured or the AI
//! fails. Pure: no IO (the amenity vocabulary is compiled in), no async, no model, and it never
//! takes a value from quoted history or obeys instructions in the mail.

mod amenities;
mod extract;
mod fair_housing;
mod floor_plans;
mod money;
mod plan_tables;
mod quoted;
mod responder;
mod signals;
mod tables;
mod text;

#[cfg(test)]
mod tests_extract;
#[cfg(test)]
mod tests_signals;

use crate::domain::community::{Extraction, Signals};
use crate::domain::message::ResponderKind;
use crate::domain::reply::Reply;
use crate::mail::parse::strip_tags;

pub use extract::extract;
pub use quoted::{strip_quoted_history, strip_quoted_html};
pub use responder::classify_responder;
pub use signals::signals;

/// Canonical names of the amenity vocabulary (`assets/amenities.txt`), for checks and help.
pub fn amenity_names() -> Vec<String> {
    amenities::vocabulary().map(|e| e.name.clone()).collect()
}

/// Classification, extraction and signals of one reply. Hidden HTML text (a white-on-white
/// "ignore previous instructions") counts for `instructions_to_ai` too.
pub fn analyze(
    m: &Reply,
    persona_first_name: Option<&str>,
) -> (ResponderKind, Extraction, Signals) {
    let responder = classify_responder(m);
    let extraction = extract(&m.text, m.html.as_deref());
    let mut sig = signals(&m.text, persona_first_name);
    sig.instructions_to_ai |= hidden_instructions_to_ai(m);
    (responder, extraction, sig)
}

/// Whether the reply tries to instruct an AI, in its text or in hidden HTML text. The rules
/// check every analysis, the model's too: a model the mail talked round may not say so.
pub fn instructs_ai(m: &Reply) -> bool {
    let text = text::normalize(&strip_quoted_history(&m.text)).to_ascii_lowercase();
    signals::instructions_to_ai(&text) || hidden_instructions_to_ai(m)
}

fn hidden_instructions_to_ai(m: &Reply) -> bool {
    m.html.as_ref().is_some_and(|html| {
        let all_text = strip_tags(strip_quoted_html(html)).to_ascii_lowercase();
        signals::instructions_to_ai(&text::normalize(&all_text))
    })
}

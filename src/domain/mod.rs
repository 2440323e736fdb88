//! Plain types and rules of the product. No IO, no async: everything here is testable alone.

pub mod address;
pub mod client;
pub mod community;
pub mod diff;
pub mod facts;
pub mod grading;
pub mod ids;
pub mod job;
pub mod message;
pub mod outbox;
pub mod overrides;
pub mod persona;
pub mod persona_gen;
pub mod planner;
pub mod reaction;
pub mod reply;
pub mod revise;
pub mod role;
pub mod rubric;
pub mod send_window;
pub mod shop;
pub mod target;
pub mod text_enum;

/// A value the operator typed (or a file carried) that breaks a rule: which field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: &'static str,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

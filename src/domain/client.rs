//! A client: the company a shop program is run for. Targets belong to a client (or to none).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::FieldError;
use super::ids::ClientId;

/// A client, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub contact: String,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
    /// Live targets of this client (filled by the list and show queries).
    #[sqlx(default)]
    pub targets: i64,
}

/// What an operator gives for a client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientInput {
    pub name: String,
    pub contact: String,
    pub notes: String,
}

/// The fields an edit compares, for the audit entry.
pub const CLIENT_FIELDS: &[&str] = &["name", "contact", "notes"];

impl ClientInput {
    /// Trims the values and checks them; every broken rule is reported.
    pub fn validated(mut self) -> Result<ClientInput, Vec<FieldError>> {
        self.name = self.name.split_whitespace().collect::<Vec<_>>().join(" ");
        self.contact = self.contact.trim().to_string();
        self.notes = self.notes.trim().to_string();
        let mut errors = Vec::new();
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "is required"));
        } else if self.name.parse::<i64>().is_ok() || self.name.starts_with('#') {
            // `client show 12` means the id; a name must never read as one.
            errors.push(FieldError::new(
                "name",
                format!("{:?} reads as an id; give the client a name", self.name),
            ));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// The fields that differ from `before`, in [`CLIENT_FIELDS`] order.
    pub fn changed_from(&self, before: &ClientInput) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.name != before.name {
            out.push("name");
        }
        if self.contact != before.contact {
            out.push("contact");
        }
        if self.notes != before.notes {
            out.push("notes");
        }
        out
    }
}

impl From<&Client> for ClientInput {
    fn from(c: &Client) -> Self {
        ClientInput {
            name: c.name.clone(),
            contact: c.contact.clone(),
            notes: c.notes.clone(),
        }
    }
}

/// The known client a name refers to, whatever its case and spacing; `None` when there is none.
pub fn find_client<'a>(known: &'a [String], name: &str) -> Option<&'a str> {
    let wanted = normalise(name);
    known
        .iter()
        .find(|k| normalise(k) == wanted)
        .map(String::as_str)
}

fn normalise(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_must_not_read_as_ids() {
        let c = ClientInput {
            name: "  Acme   Living ".into(),
            ..Default::default()
        }
        .validated()
        .unwrap();
        assert_eq!(c.name, "Acme Living");
        for bad in ["", "  ", "12", "#3"] {
            let errs = ClientInput {
                name: bad.into(),
                ..Default::default()
            }
            .validated()
            .unwrap_err();
            assert_eq!(errs[0].field, "name", "{bad:?}");
        }
    }

    #[test]
    fn a_client_is_found_by_name_in_any_case() {
        let known = vec!["Acme Living".to_string(), "Birch Homes".to_string()];
        assert_eq!(find_client(&known, "acme  living"), Some("Acme Living"));
        assert_eq!(find_client(&known, "Cedar"), None);
    }

    #[test]
    fn edits_name_what_changed() {
        let a = ClientInput {
            name: "Acme".into(),
            ..Default::default()
        };
        let b = ClientInput {
            notes: "pays late".into(),
            ..a.clone()
        };
        assert_eq!(b.changed_from(&a), ["notes"]);
    }
}

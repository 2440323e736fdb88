//! A target property and the rules for the values an operator gives it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::FieldError;
use super::ids::{ClientId, TargetId};

/// A property being shopped, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Target {
    pub id: TargetId,
    pub name: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub owners: String,
    pub property_manager: String,
    pub time_zone: Option<String>,
    pub notes: String,
    pub tags: Vec<String>,
    pub email_status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
    /// The client the property is shopped for; `None`: no client.
    pub client_id: Option<ClientId>,
    /// That client's name (joined in by the store's reads).
    #[sqlx(default)]
    pub client: Option<String>,
}

/// The live target `input` repeats, and how: the same leasing email, or the same street and ZIP
/// (case, spacing and punctuation aside).
pub fn duplicate_of<'a>(
    input: &TargetInput,
    existing: &'a [Target],
) -> Option<(&'a Target, &'static str)> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let email = input.email.trim().to_lowercase();
    let street = norm(&input.street);
    let zip = norm(&input.zip);
    existing
        .iter()
        .filter(|t| t.deleted_at.is_none())
        .find_map(|t| {
            if !email.is_empty() && t.email.trim().to_lowercase() == email {
                Some((t, "the same leasing email"))
            } else if !street.is_empty()
                && !zip.is_empty()
                && norm(&t.street) == street
                && norm(&t.zip) == zip
            {
                Some((t, "the same street and ZIP"))
            } else {
                None
            }
        })
}

/// What an operator (form, CLI flags or CSV row) provides for a target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetInput {
    pub name: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub owners: String,
    pub property_manager: String,
    pub time_zone: Option<String>,
    pub notes: String,
    pub tags: Vec<String>,
    /// The client's name (any case); `None` or empty: no client.
    #[serde(default)]
    pub client: Option<String>,
}

/// Column names of the CSV import/export, in order.
pub const CSV_FIELDS: &[&str] = &[
    "name",
    "street",
    "city",
    "state",
    "zip",
    "phone",
    "email",
    "website",
    "owners",
    "property_manager",
    "time_zone",
    "notes",
    "tags",
    "client",
];

impl TargetInput {
    /// Trims and normalises the values, then checks them; every broken rule is reported.
    pub fn validated(mut self) -> Result<TargetInput, Vec<FieldError>> {
        for s in [
            &mut self.name,
            &mut self.street,
            &mut self.city,
            &mut self.state,
            &mut self.zip,
            &mut self.phone,
            &mut self.email,
            &mut self.website,
            &mut self.owners,
            &mut self.property_manager,
            &mut self.notes,
        ] {
            *s = s.trim().to_string();
        }
        self.email = self.email.to_lowercase();
        if self.state.len() == 2 {
            self.state = self.state.to_uppercase();
        }
        self.time_zone = self
            .time_zone
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        self.client = self
            .client
            .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|c| !c.is_empty());
        self.tags = self
            .tags
            .iter()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        self.tags.sort();
        self.tags.dedup();

        let mut errors = Vec::new();
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "is required"));
        }
        if !self.email.is_empty() && !looks_like_email(&self.email) {
            errors.push(FieldError::new(
                "email",
                format!("{:?} is not an email address", self.email),
            ));
        }
        if !self.website.is_empty() {
            match url::Url::parse(&self.website) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => errors.push(FieldError::new(
                    "website",
                    format!("{:?} is not an http(s) URL", self.website),
                )),
            }
        }
        if !self.zip.is_empty() && !is_us_zip(&self.zip) {
            errors.push(FieldError::new(
                "zip",
                format!("{:?} is not a ZIP code (12345 or 12345-6789)", self.zip),
            ));
        }
        if let Some(tz) = &self.time_zone
            && tz.parse::<chrono_tz::Tz>().is_err()
        {
            errors.push(FieldError::new(
                "time_zone",
                format!("{tz:?} is not an IANA time zone (e.g. America/Chicago)"),
            ));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// Reads one CSV record by header name; `tags` are separated by `;`.
    pub fn from_csv_record(
        headers: &[String],
        record: &[String],
    ) -> Result<TargetInput, Vec<FieldError>> {
        let mut input = TargetInput::default();
        for (header, value) in headers.iter().zip(record) {
            let value = value.clone();
            match header.as_str() {
                "name" => input.name = value,
                "street" => input.street = value,
                "city" => input.city = value,
                "state" => input.state = value,
                "zip" => input.zip = value,
                "phone" => input.phone = value,
                "email" => input.email = value,
                "website" => input.website = value,
                "owners" => input.owners = value,
                "property_manager" => input.property_manager = value,
                "time_zone" => input.time_zone = Some(value),
                "notes" => input.notes = value,
                "tags" => input.tags = value.split(';').map(str::to_string).collect(),
                "client" => input.client = Some(value),
                _ => {}
            }
        }
        input.validated()
    }

    pub fn to_csv_record(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.street.clone(),
            self.city.clone(),
            self.state.clone(),
            self.zip.clone(),
            self.phone.clone(),
            self.email.clone(),
            self.website.clone(),
            self.owners.clone(),
            self.property_manager.clone(),
            self.time_zone.clone().unwrap_or_default(),
            self.notes.clone(),
            self.tags.join(";"),
            self.client.clone().unwrap_or_default(),
        ]
    }
}

impl From<&Target> for TargetInput {
    fn from(t: &Target) -> Self {
        TargetInput {
            name: t.name.clone(),
            street: t.street.clone(),
            city: t.city.clone(),
            state: t.state.clone(),
            zip: t.zip.clone(),
            phone: t.phone.clone(),
            email: t.email.clone(),
            website: t.website.clone(),
            owners: t.owners.clone(),
            property_manager: t.property_manager.clone(),
            time_zone: t.time_zone.clone(),
            notes: t.notes.clone(),
            tags: t.tags.clone(),
            client: t.client.clone(),
        }
    }
}

/// Checks a CSV header row: unknown or duplicate columns are errors, `name` is required.
pub fn check_csv_headers(headers: &[String]) -> Result<(), String> {
    for (i, h) in headers.iter().enumerate() {
        if !CSV_FIELDS.contains(&h.as_str()) {
            return Err(format!(
                "unknown column {h:?}; the columns are: {}",
                CSV_FIELDS.join(", ")
            ));
        }
        if headers[..i].contains(h) {
            return Err(format!("column {h:?} appears twice"));
        }
    }
    if !headers.iter().any(|h| h == "name") {
        return Err("the header row has no \"name\" column".into());
    }
    Ok(())
}

/// Parses CSV text (header row first); `source` names it in messages. A `client` column must
/// name one of `clients` (any case; written back as the client spells it).
pub fn parse_targets_csv(
    data: impl std::io::Read,
    source: &str,
    clients: &[String],
) -> Result<Vec<TargetInput>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(data);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{source}: cannot read the header row: {e}"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    check_csv_headers(&headers).map_err(|e| format!("{source} line 1: {e}"))?;
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let values: Vec<String> = record.iter().map(str::to_string).collect();
                match TargetInput::from_csv_record(&headers, &values)
                    .and_then(|input| with_known_client(input, clients))
                {
                    Ok(input) => inputs.push(input),
                    Err(errs) => {
                        for e in errs {
                            problems.push(format!("line {line}: {e}"));
                        }
                    }
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(format!("line {line}: {e}"));
            }
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "{source}: nothing imported, {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        ));
    }
    if inputs.is_empty() {
        return Err(format!(
            "{source}: no rows under the header, nothing imported"
        ));
    }
    Ok(inputs)
}

/// The row's client as one of `clients` spells it, or an error naming the unknown one.
fn with_known_client(
    mut input: TargetInput,
    clients: &[String],
) -> Result<TargetInput, Vec<FieldError>> {
    if let Some(name) = &input.client {
        match super::client::find_client(clients, name) {
            Some(known) => input.client = Some(known.to_string()),
            None => {
                return Err(vec![FieldError::new(
                    "client",
                    format!(
                        "{name:?} is not a client (add it with `secret-shop client add`, \
                         or leave the column empty)"
                    ),
                )]);
            }
        }
    }
    Ok(input)
}

/// A plausible address: one `@`, a local part, and a dotted domain. Deliverability is the mail
/// server's business; this only catches typos.
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == '<' || c == '>')
}

fn is_us_zip(s: &str) -> bool {
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    match s.split_once('-') {
        Some((a, b)) => digits(a, 5) && digits(b, 4),
        None => digits(s, 5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TargetInput {
        TargetInput {
            name: " The Grove ".into(),
            email: "Leasing@TheGrove.example".into(),
            website: "https://thegrove.example".into(),
            state: "tx".into(),
            zip: "78701".into(),
            time_zone: Some("America/Chicago".into()),
            tags: vec!["Austin".into(), " austin".into(), "".into()],
            ..Default::default()
        }
    }

    #[test]
    fn valid_input_is_normalised() {
        let v = input().validated().unwrap();
        assert_eq!(v.name, "The Grove");
        assert_eq!(v.email, "leasing@thegrove.example");
        assert_eq!(v.state, "TX");
        assert_eq!(v.tags, vec!["austin".to_string()]);
    }

    #[test]
    fn every_broken_rule_is_reported_by_field() {
        let bad = TargetInput {
            name: "  ".into(),
            email: "leasing at grove".into(),
            website: "ftp://x".into(),
            zip: "7870".into(),
            time_zone: Some("Mars/Olympus".into()),
            ..Default::default()
        };
        let errs = bad.validated().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "email", "website", "zip", "time_zone"]);
    }

    #[test]
    fn csv_headers_are_checked() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_csv_headers(&h(&["name", "city"])).is_ok());
        assert!(
            check_csv_headers(&h(&["name", "colour"]))
                .unwrap_err()
                .contains("colour")
        );
        assert!(check_csv_headers(&h(&["city"])).is_err());
        assert!(check_csv_headers(&h(&["name", "name"])).is_err());
    }

    #[test]
    fn csv_round_trip() {
        let v = input().validated().unwrap();
        let headers: Vec<String> = CSV_FIELDS.iter().map(|s| s.to_string()).collect();
        let back = TargetInput::from_csv_record(&headers, &v.to_csv_record()).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn a_csv_client_must_be_known_and_is_named_by_line() {
        let known = vec!["Acme Living".to_string()];
        let csv = "name,client\nThe Grove,acme living\nBirch,\n";
        let rows = parse_targets_csv(csv.as_bytes(), "t.csv", &known).unwrap();
        assert_eq!(rows[0].client.as_deref(), Some("Acme Living"));
        assert_eq!(rows[1].client, None);
        let bad = "name,client\nThe Grove,Acme Living\nBirch,Cedar Co\n";
        let err = parse_targets_csv(bad.as_bytes(), "t.csv", &known).unwrap_err();
        assert!(err.contains("nothing imported"), "{err}");
        assert!(
            err.contains("line 3: client: \"Cedar Co\" is not a client"),
            "{err}"
        );
    }

    #[test]
    fn email_shapes() {
        assert!(looks_like_email("a@b.co"));
        assert!(!looks_like_email("a@b"));
        assert!(!looks_like_email("@b.co"));
        assert!(!looks_like_email("a b@c.co"));
    }
}

//! Personas (believable prospective renters) and the templates they are drawn from.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::FieldError;
use super::ids::{MailboxId, PersonaId, PersonaTemplateId};

/// Ranges and choices for each persona field, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PersonaTemplate {
    pub id: PersonaTemplateId,
    pub name: String,
    pub description: String,
    pub budget_min: i32,
    pub budget_max: i32,
    pub bedrooms_min: i32,
    pub bedrooms_max: i32,
    pub bathrooms_min: f64,
    pub bathrooms_max: f64,
    pub credit_score_min: i32,
    pub credit_score_max: i32,
    pub income_multiple_min: f64,
    pub income_multiple_max: f64,
    pub move_in_days_min: i32,
    pub move_in_days_max: i32,
    pub preferences: Vec<String>,
    pub pets: Vec<String>,
    pub occupants: Vec<String>,
    pub rental_histories: Vec<String>,
    pub writing_styles: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// The edit token: an update applies only if this is unchanged since the template was read.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// What an operator gives to create a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateInput {
    pub name: String,
    pub description: String,
    pub budget: (i32, i32),
    pub bedrooms: (i32, i32),
    pub bathrooms: (f64, f64),
    pub credit_score: (i32, i32),
    pub income_multiple: (f64, f64),
    pub move_in_days: (i32, i32),
    pub preferences: Vec<String>,
    pub pets: Vec<String>,
    pub occupants: Vec<String>,
    pub rental_histories: Vec<String>,
    pub writing_styles: Vec<String>,
}

impl Default for TemplateInput {
    fn default() -> Self {
        TemplateInput {
            name: String::new(),
            description: String::new(),
            budget: (1400, 2200),
            bedrooms: (1, 2),
            bathrooms: (1.0, 2.0),
            credit_score: (660, 780),
            income_multiple: (2.8, 3.6),
            move_in_days: (14, 60),
            preferences: Vec::new(),
            pets: Vec::new(),
            occupants: Vec::new(),
            rental_histories: Vec::new(),
            writing_styles: Vec::new(),
        }
    }
}

impl TemplateInput {
    pub fn validated(mut self) -> Result<TemplateInput, Vec<FieldError>> {
        self.name = self.name.trim().to_string();
        let mut errors = Vec::new();
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "is required"));
        }
        let mut range = |field, lo: f64, hi: f64, min: f64, max: f64| {
            if lo > hi {
                errors.push(FieldError::new(
                    field,
                    format!("the range {lo}-{hi} runs backwards"),
                ));
            } else if lo < min || hi > max {
                errors.push(FieldError::new(
                    field,
                    format!("{lo}-{hi} is outside {min}-{max}"),
                ));
            }
        };
        let (b0, b1) = self.budget;
        range("budget", b0 as f64, b1 as f64, 100.0, 100_000.0);
        let (r0, r1) = self.bedrooms;
        range("bedrooms", r0 as f64, r1 as f64, 0.0, 10.0);
        let (h0, h1) = self.bathrooms;
        range("bathrooms", h0, h1, 0.0, 10.0);
        let (c0, c1) = self.credit_score;
        range("credit_score", c0 as f64, c1 as f64, 300.0, 850.0);
        let (m0, m1) = self.income_multiple;
        range("income_multiple", m0, m1, 0.5, 20.0);
        let (d0, d1) = self.move_in_days;
        range("move_in_days", d0 as f64, d1 as f64, 0.0, 365.0);
        for list in [
            &mut self.preferences,
            &mut self.pets,
            &mut self.occupants,
            &mut self.rental_histories,
            &mut self.writing_styles,
        ] {
            list.iter_mut().for_each(|s| *s = s.trim().to_string());
            list.retain(|s| !s.is_empty());
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// A template range as an operator writes it: "1400-2200", "1,400 to 2,200", "$1400..2200",
/// or one value for both ends.
pub fn parse_range<T: std::str::FromStr + Copy>(s: &str) -> Result<(T, T), String> {
    let parse = |p: &str| {
        p.trim()
            .trim_start_matches('$')
            .replace(',', "")
            .parse::<T>()
            .map_err(|_| format!("{p:?} is not a number"))
    };
    let parts = s
        .split_once("..")
        .or_else(|| s.split_once('-'))
        .or_else(|| s.split_once(" to "));
    match parts {
        Some((a, b)) => Ok((parse(a)?, parse(b)?)),
        None => {
            let v = parse(s)?;
            Ok((v, v))
        }
    }
}

/// What an operator may change on a persona (its name and address stay: agents know them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaEdit {
    pub phone: String,
    pub rental_budget: i32,
    pub bedrooms: i32,
    pub bathrooms: f64,
    pub preferences: String,
    pub pets: String,
    pub credit_score: i32,
    pub monthly_income: i32,
    pub additional_occupants: String,
    pub rental_history: String,
    pub writing_style: String,
    pub move_in_date: Option<NaiveDate>,
}

impl PersonaEdit {
    /// Reads the form's text fields; every field that is wrong is reported.
    pub fn parse(get: impl Fn(&str) -> String) -> Result<PersonaEdit, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut int = |k: &'static str, ok: &dyn Fn(i32) -> bool, rule: &str| -> i32 {
            match get(k)
                .trim()
                .trim_start_matches('$')
                .replace(',', "")
                .parse::<i32>()
            {
                Ok(v) if ok(v) => v,
                _ => {
                    errors.push(FieldError::new(k, rule.to_string()));
                    0
                }
            }
        };
        let rental_budget = int("rental_budget", &|v| v > 0, "a monthly amount in dollars");
        let bedrooms = int("bedrooms", &|v| (0..=10).contains(&v), "0 (studio) to 10");
        let credit_score = int(
            "credit_score",
            &|v| (300..=850).contains(&v),
            "between 300 and 850",
        );
        let monthly_income = int("monthly_income", &|v| v > 0, "a monthly amount in dollars");
        let bathrooms = match get("bathrooms").trim().parse::<f64>() {
            Ok(v) if (0.0..=10.0).contains(&v) => v,
            _ => {
                errors.push(FieldError::new("bathrooms", "a number such as 1 or 1.5"));
                0.0
            }
        };
        let move_in = get("move_in_date");
        let move_in_date = match move_in.trim() {
            "" => None,
            d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new("move_in_date", "a date as YYYY-MM-DD"));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = |k: &str| get(k).trim().to_string();
        Ok(PersonaEdit {
            phone: text("phone"),
            rental_budget,
            bedrooms,
            bathrooms,
            preferences: text("preferences"),
            pets: text("pets"),
            credit_score,
            monthly_income,
            additional_occupants: text("additional_occupants"),
            rental_history: text("rental_history"),
            writing_style: text("writing_style"),
            move_in_date,
        })
    }
}

/// A persona as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Persona {
    pub id: PersonaId,
    pub template_id: Option<PersonaTemplateId>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub mailbox_id: Option<MailboxId>,
    pub phone: String,
    pub rental_budget: i32,
    pub bedrooms: i32,
    pub bathrooms: f64,
    pub preferences: String,
    pub pets: String,
    pub credit_score: i32,
    pub monthly_income: i32,
    pub additional_occupants: String,
    pub rental_history: String,
    pub writing_style: String,
    pub move_in_date: Option<NaiveDate>,
    pub first_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl Persona {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// A persona ready to be stored (drawn from a template, address allocated).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPersona {
    pub template_id: Option<PersonaTemplateId>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub rental_budget: i32,
    pub bedrooms: i32,
    pub bathrooms: f64,
    pub preferences: String,
    pub pets: String,
    pub credit_score: i32,
    pub monthly_income: i32,
    pub additional_occupants: String,
    pub rental_history: String,
    pub writing_style: String,
    pub move_in_date: Option<NaiveDate>,
}

//! Drawing a believable persona from a template. Pure: the caller passes the random source,
//! today's date and the names already in use, so tests can pin all three.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand::seq::IndexedRandom;

use super::persona::{NewPersona, PersonaTemplate};

const FIRST_NAMES: &str = include_str!("../../assets/names/first.txt");
const LAST_NAMES: &str = include_str!("../../assets/names/last.txt");

const DEFAULT_PREFERENCES: &[&str] = &[
    "in-unit washer and dryer",
    "a quiet unit away from the elevator",
    "covered parking",
    "a balcony or patio",
    "close to public transit",
    "a dishwasher and updated kitchen",
    "a gym on site",
    "good natural light",
];
const DEFAULT_PETS: &[&str] = &[
    "none",
    "one cat",
    "a small dog (about 20 lbs)",
    "two cats",
    "a medium dog (about 45 lbs)",
];
const DEFAULT_OCCUPANTS: &[&str] = &[
    "none",
    "my partner",
    "my partner and our 6-year-old",
    "a roommate",
];
const DEFAULT_HISTORIES: &[&str] = &[
    "rented my current apartment for three years, always paid on time",
    "first time renting on my own after living with family",
    "two previous leases with good landlord references",
    "relocating for work; current lease ends next month",
];
const DEFAULT_STYLES: &[&str] = &[
    "friendly and brief, uses first names",
    "formal and thorough, full sentences",
    "casual, short sentences, a little informal",
    "organised, likes bullet points and clear questions",
];

/// Draws one persona (without its address) inside the template's ranges.
/// `taken` holds (first, last) pairs already used; a drawn name is never one of them.
pub fn draw_persona<R: Rng>(
    template: &PersonaTemplate,
    rng: &mut R,
    taken: &HashSet<(String, String)>,
    today: NaiveDate,
) -> Result<NewPersona, String> {
    let (first_name, last_name) = draw_name(rng, taken)?;
    let budget = round_to(
        rng.random_range(template.budget_min..=template.budget_max),
        25,
    )
    .clamp(template.budget_min, template.budget_max);
    let bedrooms = rng.random_range(template.bedrooms_min..=template.bedrooms_max);
    let bathrooms = draw_half_steps(rng, template.bathrooms_min, template.bathrooms_max);
    let credit_score = rng.random_range(template.credit_score_min..=template.credit_score_max);
    let multiple = if template.income_multiple_max > template.income_multiple_min {
        rng.random_range(template.income_multiple_min..=template.income_multiple_max)
    } else {
        template.income_multiple_min
    };
    let monthly_income = round_to((budget as f64 * multiple) as i32, 50);
    let days = rng.random_range(template.move_in_days_min..=template.move_in_days_max);
    Ok(NewPersona {
        template_id: Some(template.id),
        first_name,
        last_name,
        email: String::new(),
        phone: draw_phone(rng),
        rental_budget: budget,
        bedrooms,
        bathrooms,
        preferences: pick(rng, &template.preferences, DEFAULT_PREFERENCES),
        pets: pick(rng, &template.pets, DEFAULT_PETS),
        credit_score,
        monthly_income,
        additional_occupants: pick(rng, &template.occupants, DEFAULT_OCCUPANTS),
        rental_history: pick(rng, &template.rental_histories, DEFAULT_HISTORIES),
        writing_style: pick(rng, &template.writing_styles, DEFAULT_STYLES),
        move_in_date: Some(today + Duration::days(days as i64)),
    })
}

fn draw_name<R: Rng>(
    rng: &mut R,
    taken: &HashSet<(String, String)>,
) -> Result<(String, String), String> {
    let firsts: Vec<&str> = FIRST_NAMES.lines().filter(|l| !l.is_empty()).collect();
    let lasts: Vec<&str> = LAST_NAMES.lines().filter(|l| !l.is_empty()).collect();
    for _ in 0..10_000 {
        let first = firsts.choose(rng).expect("name list is not empty");
        let last = lasts.choose(rng).expect("name list is not empty");
        let pair = (first.to_string(), last.to_string());
        if !taken.contains(&pair) {
            return Ok(pair);
        }
    }
    Err("no unused name left to draw; retire some personas first".into())
}

fn pick<R: Rng>(rng: &mut R, choices: &[String], defaults: &[&str]) -> String {
    match choices.choose(rng) {
        Some(c) => c.clone(),
        None => defaults
            .choose(rng)
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

fn round_to(v: i32, step: i32) -> i32 {
    ((v + step / 2) / step) * step
}

/// Bathrooms come in half steps (1, 1.5, 2, ...).
fn draw_half_steps<R: Rng>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    let (lo2, hi2) = ((lo * 2.0).ceil() as i32, (hi * 2.0).floor() as i32);
    if hi2 < lo2 {
        return lo;
    }
    rng.random_range(lo2..=hi2) as f64 / 2.0
}

/// A 555-01xx number: reserved for fiction, so no real person is ever called.
fn draw_phone<R: Rng>(rng: &mut R) -> String {
    const AREAS: &[&str] = &["212", "312", "415", "512", "617", "702", "303", "206"];
    let area = AREAS.choose(rng).expect("not empty");
    format!("({area}) 555-01{:02}", rng.random_range(0..100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::PersonaTemplateId;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn template() -> PersonaTemplate {
        PersonaTemplate {
            id: PersonaTemplateId(1),
            name: "young professional".into(),
            description: String::new(),
            budget_min: 1500,
            budget_max: 2100,
            bedrooms_min: 1,
            bedrooms_max: 2,
            bathrooms_min: 1.0,
            bathrooms_max: 2.0,
            credit_score_min: 680,
            credit_score_max: 760,
            income_multiple_min: 3.0,
            income_multiple_max: 3.5,
            move_in_days_min: 20,
            move_in_days_max: 45,
            preferences: vec!["a gym".into()],
            pets: vec![],
            occupants: vec![],
            rental_histories: vec![],
            writing_styles: vec!["terse".into()],
            created_at: chrono::Utc::now(),
            updated_at: None,
        }
    }

    #[test]
    fn values_stay_inside_the_template_ranges() {
        let t = template();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..500 {
            let p = draw_persona(&t, &mut rng, &HashSet::new(), today).unwrap();
            assert!(
                (1500..=2100).contains(&p.rental_budget),
                "{}",
                p.rental_budget
            );
            assert_eq!(p.rental_budget % 25, 0);
            assert!((1..=2).contains(&p.bedrooms));
            assert!([1.0, 1.5, 2.0].contains(&p.bathrooms));
            assert!((680..=760).contains(&p.credit_score));
            let ratio = p.monthly_income as f64 / p.rental_budget as f64;
            assert!((2.95..=3.55).contains(&ratio), "{ratio}");
            let days = (p.move_in_date.unwrap() - today).num_days();
            assert!((20..=45).contains(&days));
            assert_eq!(p.preferences, "a gym");
            assert_eq!(p.writing_style, "terse");
            assert!(DEFAULT_PETS.contains(&p.pets.as_str()));
            assert!(p.phone.contains("555-01"));
        }
    }

    #[test]
    fn taken_names_are_never_drawn_again() {
        let t = template();
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut rng = StdRng::seed_from_u64(1);
        let mut taken = HashSet::new();
        for _ in 0..300 {
            let p = draw_persona(&t, &mut rng, &taken, today).unwrap();
            assert!(taken.insert((p.first_name, p.last_name)), "duplicate name");
        }
    }
}

//! Plain-text tables and `--json` output for the CLI.

use std::io::IsTerminal;

use comfy_table::{Table, presets};
use serde::Serialize;

use crate::domain::client::Client;
use crate::domain::persona::{Persona, PersonaTemplate};
use crate::domain::target::Target;

pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING);
    t.set_header(header.to_vec());
    t
}

pub fn print_targets(targets: &[Target]) {
    if targets.is_empty() {
        println!(
            "  (no targets; add one with `secret-shop target add --name ...` or `target import FILE.csv`)"
        );
        return;
    }
    let mut t = table(&[
        "ID", "NAME", "CLIENT", "CITY", "STATE", "EMAIL", "MANAGER", "TAGS",
    ]);
    for x in targets {
        let name = if x.deleted_at.is_some() {
            format!("{} (deleted)", x.name)
        } else {
            x.name.clone()
        };
        t.add_row(vec![
            x.id.to_string(),
            name,
            client_label(x.client.as_deref()),
            x.city.clone(),
            x.state.clone(),
            x.email.clone(),
            x.property_manager.clone(),
            x.tags.join(","),
        ]);
    }
    println!("{t}");
}

pub fn print_target(x: &Target) {
    let rows = [
        ("id", x.id.to_string()),
        ("name", x.name.clone()),
        ("client", client_label(x.client.as_deref())),
        ("street", x.street.clone()),
        ("city", x.city.clone()),
        ("state", x.state.clone()),
        ("zip", x.zip.clone()),
        ("phone", x.phone.clone()),
        ("email", format!("{} ({})", x.email, x.email_status)),
        ("website", x.website.clone()),
        ("owners", x.owners.clone()),
        ("property manager", x.property_manager.clone()),
        (
            "time zone",
            x.time_zone.clone().unwrap_or_else(|| "(default)".into()),
        ),
        ("tags", x.tags.join(", ")),
        ("notes", x.notes.clone()),
        ("created", x.created_at.to_rfc3339()),
        ("version", x.version.to_string()),
    ];
    print_fields(&rows);
    if let Some(d) = x.deleted_at {
        println!("{:>18}  {}", "deleted", d.to_rfc3339());
    }
}

/// A target's client as lists show it.
pub fn client_label(name: Option<&str>) -> String {
    name.map_or_else(|| "no client".to_string(), str::to_string)
}

pub fn print_clients(clients: &[Client]) {
    if clients.is_empty() {
        println!("  (no clients; add one with `secret-shop client add NAME`)");
        return;
    }
    let mut t = table(&["ID", "NAME", "TARGETS", "CONTACT", "NOTES"]);
    for c in clients {
        let name = if c.deleted_at.is_some() {
            format!("{} (deleted)", c.name)
        } else {
            c.name.clone()
        };
        let notes = c.notes.lines().next().unwrap_or_default().to_string();
        t.add_row(vec![
            c.id.to_string(),
            name,
            c.targets.to_string(),
            c.contact.clone(),
            notes,
        ]);
    }
    println!("{t}");
}

pub fn print_client(c: &Client) {
    let rows = [
        ("id", c.id.to_string()),
        ("name", c.name.clone()),
        ("contact", c.contact.clone()),
        ("targets", c.targets.to_string()),
        ("notes", c.notes.clone()),
        ("created", c.created_at.to_rfc3339()),
        ("version", c.version.to_string()),
    ];
    print_fields(&rows);
    if let Some(d) = c.deleted_at {
        println!("{:>18}  {}", "deleted", d.to_rfc3339());
    }
}

fn print_fields(rows: &[(&str, String)]) {
    for (k, v) in rows {
        println!("{k:>18}  {v}");
    }
}

/// A persona as JSON: every stored field plus `name` (the full name).
#[derive(Serialize)]
pub struct PersonaJson<'a> {
    pub name: String,
    #[serde(flatten)]
    pub persona: &'a Persona,
}

impl<'a> From<&'a Persona> for PersonaJson<'a> {
    fn from(p: &'a Persona) -> Self {
        PersonaJson {
            name: p.full_name(),
            persona: p,
        }
    }
}

pub fn print_personas(personas: &[Persona]) {
    if personas.is_empty() {
        println!("  (no personas; draw some with `secret-shop persona generate --template NAME`)");
        return;
    }
    let mut t = table(&["ID", "NAME", "EMAIL", "BUDGET", "BEDS", "BATHS", "PETS"]);
    for p in personas {
        let name = if p.deleted_at.is_some() {
            format!("{} (retired)", p.full_name())
        } else {
            p.full_name()
        };
        t.add_row(vec![
            p.id.to_string(),
            name,
            p.email.clone(),
            format!("${}", p.rental_budget),
            p.bedrooms.to_string(),
            p.bathrooms.to_string(),
            p.pets.clone(),
        ]);
    }
    println!("{t}");
}

pub fn print_persona(p: &Persona) {
    let rows = [
        ("id", p.id.to_string()),
        ("name", p.full_name()),
        ("email", p.email.clone()),
        ("phone", p.phone.clone()),
        ("rental budget", format!("${}/month", p.rental_budget)),
        ("bedrooms", p.bedrooms.to_string()),
        ("bathrooms", p.bathrooms.to_string()),
        ("monthly income", format!("${}", p.monthly_income)),
        ("credit score", p.credit_score.to_string()),
        (
            "move-in date",
            p.move_in_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("pets", p.pets.clone()),
        ("occupants", p.additional_occupants.clone()),
        ("preferences", p.preferences.clone()),
        ("rental history", p.rental_history.clone()),
        ("writing style", p.writing_style.clone()),
        (
            "template",
            p.template_id.map(|t| t.to_string()).unwrap_or_default(),
        ),
        (
            "first used",
            p.first_used_at
                .map(|d| d.to_rfc3339())
                .unwrap_or_else(|| "never".into()),
        ),
    ];
    print_fields(&rows);
    if let Some(d) = p.deleted_at {
        println!("{:>18}  {}", "retired", d.to_rfc3339());
    }
}

pub fn print_templates(templates: &[PersonaTemplate]) {
    if templates.is_empty() {
        println!("  (no templates; add one with `secret-shop persona template add NAME`)");
        return;
    }
    let mut t = table(&[
        "ID",
        "NAME",
        "BUDGET",
        "BEDS",
        "BATHS",
        "CREDIT",
        "DESCRIPTION",
    ]);
    for x in templates {
        t.add_row(vec![
            x.id.to_string(),
            x.name.clone(),
            format!("${}-{}", x.budget_min, x.budget_max),
            format!("{}-{}", x.bedrooms_min, x.bedrooms_max),
            format!("{}-{}", x.bathrooms_min, x.bathrooms_max),
            format!("{}-{}", x.credit_score_min, x.credit_score_max),
            x.description.clone(),
        ]);
    }
    println!("{t}");
}

pub fn print_template(x: &PersonaTemplate) {
    let list = |v: &[String]| {
        if v.is_empty() {
            "(built-in choices)".to_string()
        } else {
            v.join(" | ")
        }
    };
    let rows = [
        ("id", x.id.to_string()),
        ("name", x.name.clone()),
        ("description", x.description.clone()),
        ("budget", format!("${}-{}", x.budget_min, x.budget_max)),
        ("bedrooms", format!("{}-{}", x.bedrooms_min, x.bedrooms_max)),
        (
            "bathrooms",
            format!("{}-{}", x.bathrooms_min, x.bathrooms_max),
        ),
        (
            "credit score",
            format!("{}-{}", x.credit_score_min, x.credit_score_max),
        ),
        (
            "income / rent",
            format!("{}-{}", x.income_multiple_min, x.income_multiple_max),
        ),
        (
            "move in (days)",
            format!("{}-{}", x.move_in_days_min, x.move_in_days_max),
        ),
        ("preferences", list(&x.preferences)),
        ("pets", list(&x.pets)),
        ("occupants", list(&x.occupants)),
        ("rental histories", list(&x.rental_histories)),
        ("writing styles", list(&x.writing_styles)),
    ];
    print_fields(&rows);
}

/// Asks on the terminal; without one, refuses and says how to go on.
pub fn confirm(question: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("{question} Not a terminal, so not asking: pass --yes to confirm");
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

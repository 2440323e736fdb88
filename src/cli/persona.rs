//! `secret-shop persona ...`: templates, generation, list, show, retire.

use std::process::ExitCode;
use std::str::FromStr;

use anyhow::anyhow;
use clap::{Args, Subcommand};

use super::Ctx;
use super::output::{
    PersonaJson, confirm, print_json, print_persona, print_personas, print_template,
    print_templates,
};
use crate::domain::ids::PersonaId;
use crate::domain::persona::TemplateInput;
use crate::services::personas::{self, generate_personas};
use crate::services::{templates, views};
use crate::store::PersonaFilter;

#[derive(Debug, Subcommand)]
pub enum PersonaCmd {
    /// Persona templates: the ranges and choices personas are drawn from.
    #[command(subcommand)]
    Template(TemplateCmd),
    /// Draw new personas from a template, each with its own email address.
    Generate {
        /// Template name (or id).
        #[arg(long)]
        template: String,
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=500))]
        count: u32,
        #[arg(long)]
        json: bool,
    },
    /// List personas.
    List {
        #[arg(long)]
        search: Option<String>,
        /// Include retired personas.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show one persona.
    Show {
        id: PersonaId,
        #[arg(long)]
        json: bool,
    },
    /// Retire a persona (its address is never given out again).
    Delete {
        id: PersonaId,
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCmd {
    /// Add a template; ranges are MIN-MAX (or one value).
    Add(Box<TemplateArgs>),
    List {
        #[arg(long)]
        json: bool,
    },
    Show {
        /// Template name (or id).
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Retire a template: no more personas are drawn from it (those drawn keep working).
    Retire {
        /// Template name (or id).
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    name: String,
    #[arg(long, default_value = "")]
    description: String,
    /// Monthly rent budget in dollars.
    #[arg(long, default_value = "1400-2200")]
    budget: Range<i32>,
    #[arg(long, default_value = "1-2")]
    bedrooms: Range<i32>,
    #[arg(long, default_value = "1-2")]
    bathrooms: Range<f64>,
    #[arg(long, default_value = "660-780")]
    credit_score: Range<i32>,
    /// Monthly income as a multiple of the budget.
    #[arg(long, default_value = "2.8-3.6")]
    income_multiple: Range<f64>,
    /// Move-in date, in days from when the persona is drawn.
    #[arg(long, default_value = "14-60")]
    move_in_days: Range<i32>,
    /// A rental preference to choose from; repeat for several (default: built-in choices).
    #[arg(long = "preference")]
    preferences: Vec<String>,
    #[arg(long = "pet")]
    pets: Vec<String>,
    #[arg(long = "occupants")]
    occupants: Vec<String>,
    #[arg(long = "history")]
    rental_histories: Vec<String>,
    #[arg(long = "style")]
    writing_styles: Vec<String>,
}

/// `MIN-MAX`, `MIN..MAX` or a single value.
#[derive(Debug, Clone, Copy)]
pub struct Range<T>(T, T);

impl<T: FromStr + Copy> FromStr for Range<T> {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::domain::persona::parse_range(s).map(|(a, b)| Range(a, b))
    }
}

pub async fn run(ctx: &Ctx, cmd: PersonaCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        PersonaCmd::Template(TemplateCmd::Add(a)) => {
            let input = TemplateInput {
                name: a.name,
                description: a.description,
                budget: (a.budget.0, a.budget.1),
                bedrooms: (a.bedrooms.0, a.bedrooms.1),
                bathrooms: (a.bathrooms.0, a.bathrooms.1),
                credit_score: (a.credit_score.0, a.credit_score.1),
                income_multiple: (a.income_multiple.0, a.income_multiple.1),
                move_in_days: (a.move_in_days.0, a.move_in_days.1),
                preferences: a.preferences,
                pets: a.pets,
                occupants: a.occupants,
                rental_histories: a.rental_histories,
                writing_styles: a.writing_styles,
            }
            .validated()
            .map_err(|errs| {
                let lines: Vec<String> = errs.iter().map(|e| format!("  {e}")).collect();
                anyhow!("invalid template:\n{}", lines.join("\n"))
            })?;
            let actor = ctx.acting_operator(&store).await?;
            let t = templates::add(&store, &actor, &input).await?;
            println!("added persona template {} ({})", t.id, t.name);
        }
        PersonaCmd::Template(TemplateCmd::List { json }) => {
            let list = templates::list(&store, None).await?;
            if json {
                print_json(&list)?;
            } else {
                print_templates(&list);
            }
        }
        PersonaCmd::Template(TemplateCmd::Retire { name }) => {
            let t = templates::find(&store, None, &name).await?;
            let actor = ctx.acting_operator(&store).await?;
            templates::retire(&store, &actor, t.id).await?;
            println!("retired persona template {} ({})", t.id, t.name);
        }
        PersonaCmd::Template(TemplateCmd::Show { name, json }) => {
            let t = templates::find(&store, None, &name).await?;
            if json {
                print_json(&t)?;
            } else {
                print_template(&t);
            }
        }
        PersonaCmd::Generate {
            template,
            count,
            json,
        } => {
            let actor = ctx.acting_operator(&store).await?;
            let created =
                generate_personas(&store, &actor, &ctx.config.mail, &template, count).await?;
            if json {
                let out: Vec<PersonaJson> = created.iter().map(PersonaJson::from).collect();
                print_json(&out)?;
            } else {
                println!(
                    "generated {} persona(s) from template {template:?}:",
                    created.len()
                );
                print_personas(&created);
            }
        }
        PersonaCmd::List { search, all, json } => {
            let filter = PersonaFilter {
                search,
                include_deleted: all,
            };
            let list = views::personas(&store, None, &filter).await?;
            if json {
                let out: Vec<PersonaJson> = list.iter().map(PersonaJson::from).collect();
                print_json(&out)?;
            } else {
                print_personas(&list);
            }
        }
        PersonaCmd::Show { id, json } => {
            let p = views::persona_record(&store, None, id).await?;
            if json {
                print_json(&PersonaJson::from(&p))?;
            } else {
                print_persona(&p);
            }
        }
        PersonaCmd::Delete { id, yes } => {
            let p = views::persona_record(&store, None, id).await?;
            if !yes && !confirm(&format!("Retire persona {id} ({})?", p.full_name()))? {
                println!("not retired");
                return Ok(ExitCode::FAILURE);
            }
            let actor = ctx.acting_operator(&store).await?;
            personas::retire(&store, &actor, id).await?;
            println!("retired persona {id} ({})", p.full_name());
        }
    }
    Ok(ExitCode::SUCCESS)
}

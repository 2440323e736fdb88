//! `secret-shop demo`: realistic demo targets, templates and personas, into an empty database only.

use std::process::ExitCode;

use super::Ctx;
use crate::domain::persona::TemplateInput;
use crate::store::TargetFilter;

const DEMO_TARGETS: &str = include_str!("../../assets/demo/targets.csv");

fn demo_templates() -> Vec<TemplateInput> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        TemplateInput {
            name: "young professional".into(),
            description: "Single renter relocating for work, wants a 1-bed near transit".into(),
            budget: (1500, 2300),
            bedrooms: (0, 1),
            bathrooms: (1.0, 1.0),
            credit_score: (690, 790),
            income_multiple: (3.0, 3.8),
            move_in_days: (20, 45),
            preferences: s(&[
                "close to public transit",
                "a gym on site",
                "in-unit washer and dryer",
            ]),
            pets: s(&["none", "one cat"]),
            occupants: s(&["none"]),
            writing_styles: s(&[
                "friendly and brief, uses first names",
                "organised, likes bullet points and clear questions",
            ]),
            ..TemplateInput::default()
        },
        TemplateInput {
            name: "family of four".into(),
            description: "Two adults and two children, needs space and a good school district"
                .into(),
            budget: (2200, 3400),
            bedrooms: (3, 3),
            bathrooms: (2.0, 2.5),
            credit_score: (650, 760),
            income_multiple: (2.8, 3.4),
            move_in_days: (30, 75),
            preferences: s(&[
                "a fenced yard or nearby park",
                "a quiet unit",
                "covered parking",
            ]),
            pets: s(&["a medium dog (about 45 lbs)", "none"]),
            occupants: s(&["my spouse and our two kids (7 and 10)"]),
            writing_styles: s(&["formal and thorough, full sentences"]),
            ..TemplateInput::default()
        },
        TemplateInput {
            name: "retiree downsizing".into(),
            description: "Recently retired, selling a house, wants low maintenance".into(),
            budget: (1300, 2000),
            bedrooms: (1, 2),
            bathrooms: (1.0, 2.0),
            credit_score: (720, 820),
            income_multiple: (2.5, 3.2),
            move_in_days: (45, 90),
            preferences: s(&[
                "an elevator or ground floor",
                "a quiet unit away from the elevator",
            ]),
            pets: s(&["a small dog (about 20 lbs)", "two cats"]),
            occupants: s(&["my husband", "none"]),
            writing_styles: s(&["formal and thorough, full sentences", "warm and chatty"]),
            ..TemplateInput::default()
        },
    ]
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let existing = store
        .list_targets(&TargetFilter {
            include_deleted: true,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() || !store.list_templates().await?.is_empty() {
        println!("the database already has data; demo data loads only into an empty database");
        return Ok(ExitCode::SUCCESS);
    }
    let inputs = super::target::parse_csv(DEMO_TARGETS.as_bytes(), "demo targets")?;
    let actor = ctx.actor(&store).await?;
    let targets = store.import_targets(&actor, &inputs).await?;
    let mut personas = 0;
    for t in demo_templates() {
        let t = t
            .validated()
            .map_err(|e| anyhow::anyhow!("demo template: {e:?}"))?;
        store.insert_template(&actor, &t).await?;
        personas += super::persona::generate(ctx, &store, &t.name, 2)
            .await?
            .len();
    }
    println!(
        "loaded demo data: {} targets, {} persona templates, {personas} personas",
        targets.len(),
        demo_templates().len()
    );
    Ok(ExitCode::SUCCESS)
}

//! Demo data: realistic targets, persona templates, personas and shops in every state (live
//! ones the worker and demo agents carry on, and past ones with their threads and grades),
//! loaded into an empty database only. Demo targets live on `.test` domains (RFC 2606), so demo
//! mail can never reach a real leasing office.

use crate::config::Config;
use crate::domain::persona::TemplateInput;
use crate::domain::target::parse_targets_csv;
use crate::services::personas::generate_personas;
use crate::services::shops::draft_inquiry;
use crate::store::{Actor, Store, TargetFilter};

const DEMO_TARGETS: &str = include_str!("../../assets/demo/targets.csv");

/// The demo's clients and their contacts; `scripts/run` ties the demo client login (clara) to
/// the first.
pub const DEMO_CLIENTS: [(&str, &str); 2] = [
    (
        "Harbor Residential",
        "Nadia Park <nadia@harbor-residential.test>",
    ),
    ("Summit Living", "Owen Hale <owen@summit-living.test>"),
];

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

/// What `load_demo` put in.
#[derive(Debug, Default)]
pub struct DemoLoaded {
    pub targets: usize,
    pub templates: usize,
    pub personas: usize,
    pub shops: usize,
}

/// Loads the demo set; `None` when the database already has data.
pub async fn load_demo(
    store: &Store,
    actor: &Actor,
    config: &Config,
) -> anyhow::Result<Option<DemoLoaded>> {
    let existing = store
        .list_targets(&TargetFilter {
            include_deleted: true,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() || !store.list_templates().await?.is_empty() {
        return Ok(None);
    }
    // The companies the demo's shop programs are run for; each demo target is one's.
    let mut clients = Vec::new();
    for (name, contact) in DEMO_CLIENTS {
        let input = crate::domain::client::ClientInput {
            name: name.to_string(),
            contact: contact.to_string(),
            notes: "demo client".into(),
        };
        clients.push(super::clients::add_client(store, actor, input).await?.name);
    }
    let inputs = parse_targets_csv(DEMO_TARGETS.as_bytes(), "demo targets", &clients)
        .map_err(anyhow::Error::msg)?;
    let targets = store.import_targets(actor, &inputs).await?;
    let mut loaded = DemoLoaded {
        targets: targets.len(),
        ..Default::default()
    };
    let mut personas = Vec::new();
    for t in demo_templates() {
        let t = t
            .validated()
            .map_err(|e| anyhow::anyhow!("demo template: {e:?}"))?;
        store.insert_template(actor, &t).await?;
        loaded.templates += 1;
        personas.extend(generate_personas(store, actor, &config.mail, &t.name, 2).await?);
    }
    loaded.personas = personas.len();
    // Shops in their first states: one inquiry approved (the worker sends it), one awaiting an
    // operator's review, one just started.
    for (i, (target, persona)) in targets.iter().zip(&personas).take(3).enumerate() {
        let shop = store
            .create_shop(actor, target.id, persona.id, &default_checklist())
            .await?;
        loaded.shops += 1;
        if i == 2 {
            continue;
        }
        // The offline drafting writes the demo inquiries, as it would without an AI.
        let ai = crate::ai::Ai::offline();
        let draft = draft_inquiry(
            store,
            &ai,
            actor,
            &shop,
            persona,
            target,
            &shop.required_fields,
        )
        .await?;
        if i == 0 {
            store.approve_draft(actor, draft.id, draft.version).await?;
        }
    }
    loaded.shops +=
        super::demo_history::seed_history(store, actor, config, &targets, &personas).await?;
    Ok(Some(loaded))
}

fn default_checklist() -> Vec<String> {
    crate::services::shops::DEFAULT_CHECKLIST
        .iter()
        .map(|s| s.to_string())
        .collect()
}

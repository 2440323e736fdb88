//! Drawing personas from a template and giving each a fresh address; changing and retiring one.

use anyhow::anyhow;

use crate::config::MailConfig;
use crate::domain::address::allocate_address;
use crate::domain::ids::PersonaId;
use crate::domain::persona::{Persona, PersonaEdit};
use crate::domain::persona_gen::draw_persona;
use crate::store::{Actor, Store};

/// Draws `count` personas with unused names and addresses, and stores them all or none.
pub async fn generate_personas(
    store: &Store,
    actor: &Actor,
    mail: &MailConfig,
    template: &str,
    count: u32,
) -> anyhow::Result<Vec<Persona>> {
    let template = store.template_by_name_or_id(template).await?;
    let mut names = store.persona_names_in_use().await?;
    let mut emails = store.persona_emails().await?;
    let today = chrono::Local::now().date_naive();
    let mut drafts = Vec::with_capacity(count as usize);
    // The thread-local generator must not live across an await (the TUI runs this on a task).
    {
        let mut rng = rand::rng();
        for _ in 0..count {
            let mut p = draw_persona(&template, &mut rng, &names, today).map_err(|e| anyhow!(e))?;
            p.email = allocate_address(
                mail.mode,
                &p.first_name,
                &p.last_name,
                &mail.domain,
                &mail.plus_user,
                &|a| emails.contains(a),
            );
            names.insert((p.first_name.clone(), p.last_name.clone()));
            emails.insert(p.email.clone());
            drafts.push(p);
        }
    }
    Ok(store.insert_personas(actor, &drafts).await?)
}

/// Changes a persona, if nobody changed it since `version`.
pub async fn edit(
    store: &Store,
    actor: &Actor,
    id: PersonaId,
    version: i32,
    change: &PersonaEdit,
) -> anyhow::Result<Persona> {
    Ok(store.update_persona(actor, id, version, change).await?)
}

/// Retires a persona: its address is never given out again.
pub async fn retire(store: &Store, actor: &Actor, id: PersonaId) -> anyhow::Result<()> {
    Ok(store.delete_persona(actor, id).await?)
}

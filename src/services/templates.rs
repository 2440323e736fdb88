//! Persona templates: the ranges and choices personas are drawn from.

use chrono::{DateTime, Utc};

use crate::domain::ids::PersonaTemplateId;
use crate::domain::persona::{PersonaTemplate, TemplateInput};
use crate::store::{Actor, Store};

/// The templates in use (not retired), by name.
pub async fn list(store: &Store, _actor: Option<&Actor>) -> anyhow::Result<Vec<PersonaTemplate>> {
    Ok(store.list_templates().await?)
}

/// The template with this name, or this id.
pub async fn find(
    store: &Store,
    _actor: Option<&Actor>,
    key: &str,
) -> anyhow::Result<PersonaTemplate> {
    Ok(store.template_by_name_or_id(key).await?)
}

/// Adds a template.
pub async fn add(
    store: &Store,
    actor: &Actor,
    input: &TemplateInput,
) -> anyhow::Result<PersonaTemplate> {
    Ok(store.insert_template(actor, input).await?)
}

/// Replaces a template's ranges and choices, if nobody changed it since `seen`.
pub async fn edit(
    store: &Store,
    actor: &Actor,
    id: PersonaTemplateId,
    seen: DateTime<Utc>,
    input: &TemplateInput,
) -> anyhow::Result<PersonaTemplate> {
    Ok(store.update_template(actor, id, seen, input).await?)
}

/// Retires a template: no more personas are drawn from it (those drawn keep working).
pub async fn retire(store: &Store, actor: &Actor, id: PersonaTemplateId) -> anyhow::Result<()> {
    Ok(store.retire_template(actor, id).await?)
}

//! Persona templates.

use serde_json::json;

use super::audit::{EntityType, record};
use super::{Actor, Result, Store, StoreError};
use crate::domain::ids::PersonaTemplateId;
use crate::domain::persona::{PersonaTemplate, TemplateInput};

impl Store {
    pub async fn insert_template(
        &self,
        actor: &Actor,
        t: &TemplateInput,
    ) -> Result<PersonaTemplate> {
        let mut tx = self.pool.begin().await?;
        let row: PersonaTemplate = sqlx::query_as(
            "INSERT INTO persona_templates (name, description, budget_min, budget_max,
                 bedrooms_min, bedrooms_max, bathrooms_min, bathrooms_max, credit_score_min,
                 credit_score_max, income_multiple_min, income_multiple_max, move_in_days_min,
                 move_in_days_max, preferences, pets, occupants, rental_histories, writing_styles,
                 created_by)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)
             RETURNING *",
        )
        .bind(&t.name)
        .bind(&t.description)
        .bind(t.budget.0)
        .bind(t.budget.1)
        .bind(t.bedrooms.0)
        .bind(t.bedrooms.1)
        .bind(t.bathrooms.0)
        .bind(t.bathrooms.1)
        .bind(t.credit_score.0)
        .bind(t.credit_score.1)
        .bind(t.income_multiple.0)
        .bind(t.income_multiple.1)
        .bind(t.move_in_days.0)
        .bind(t.move_in_days.1)
        .bind(&t.preferences)
        .bind(&t.pets)
        .bind(&t.occupants)
        .bind(&t.rental_histories)
        .bind(&t.writing_styles)
        .bind(actor.id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Duplicate(_) => {
                StoreError::Duplicate(format!("a persona template named {:?}", t.name))
            }
            other => other,
        })?;
        record(
            &mut tx,
            actor,
            "create",
            EntityType::PersonaTemplate,
            Some(row.id.0),
            json!({ "name": row.name }),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn list_templates(&self) -> Result<Vec<PersonaTemplate>> {
        Ok(sqlx::query_as(
            "SELECT * FROM persona_templates WHERE deleted_at IS NULL ORDER BY lower(name)",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// By name, or by id when the text is a number.
    pub async fn template_by_name_or_id(&self, key: &str) -> Result<PersonaTemplate> {
        let id: Option<i64> = key.trim().trim_start_matches('#').parse().ok();
        sqlx::query_as(
            "SELECT * FROM persona_templates
             WHERE deleted_at IS NULL AND (lower(name) = lower($1) OR id = $2)
             ORDER BY (lower(name) = lower($1)) DESC LIMIT 1",
        )
        .bind(key.trim())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("persona template", key))
    }

    /// Changes a template if nobody changed it since `seen` (its `updated_at` when read).
    /// Personas already drawn from it keep what they were given.
    pub async fn update_template(
        &self,
        actor: &Actor,
        id: PersonaTemplateId,
        seen: chrono::DateTime<chrono::Utc>,
        t: &TemplateInput,
    ) -> Result<PersonaTemplate> {
        let mut tx = self.pool.begin().await?;
        let row: Option<PersonaTemplate> = sqlx::query_as(
            "UPDATE persona_templates SET name = $3, description = $4, budget_min = $5,
                 budget_max = $6, bedrooms_min = $7, bedrooms_max = $8, bathrooms_min = $9,
                 bathrooms_max = $10, credit_score_min = $11, credit_score_max = $12,
                 income_multiple_min = $13, income_multiple_max = $14, move_in_days_min = $15,
                 move_in_days_max = $16, preferences = $17, pets = $18, occupants = $19,
                 writing_styles = $20, updated_at = clock_timestamp()
             WHERE id = $1 AND updated_at = $2 AND deleted_at IS NULL
             RETURNING *",
        )
        .bind(id)
        .bind(seen)
        .bind(&t.name)
        .bind(&t.description)
        .bind(t.budget.0)
        .bind(t.budget.1)
        .bind(t.bedrooms.0)
        .bind(t.bedrooms.1)
        .bind(t.bathrooms.0)
        .bind(t.bathrooms.1)
        .bind(t.credit_score.0)
        .bind(t.credit_score.1)
        .bind(t.income_multiple.0)
        .bind(t.income_multiple.1)
        .bind(t.move_in_days.0)
        .bind(t.move_in_days.1)
        .bind(&t.preferences)
        .bind(&t.pets)
        .bind(&t.occupants)
        .bind(&t.writing_styles)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Duplicate(_) => {
                StoreError::Duplicate(format!("a persona template named {:?}", t.name))
            }
            other => other,
        })?;
        let Some(row) = row else {
            return Err(StoreError::Conflict {
                entity: "persona template",
                id: id.to_string(),
            });
        };
        record(
            &mut tx,
            actor,
            "update",
            EntityType::PersonaTemplate,
            Some(id.0),
            json!({ "name": row.name }),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Retires a template: no more personas are drawn from it; those drawn keep working.
    pub async fn retire_template(&self, actor: &Actor, id: PersonaTemplateId) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let name: Option<String> = sqlx::query_scalar(
            "UPDATE persona_templates SET deleted_at = now(), updated_at = clock_timestamp()
             WHERE id = $1 AND deleted_at IS NULL RETURNING name",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let name = name.ok_or_else(|| StoreError::not_found("persona template", id))?;
        record(
            &mut tx,
            actor,
            "delete",
            EntityType::PersonaTemplate,
            Some(id.0),
            json!({ "name": name }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

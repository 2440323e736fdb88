//! Personas: batch insert (generation), list, show, retire.

use std::collections::HashSet;

use serde_json::json;

use super::audit::{EntityType, record};
use super::{Actor, Result, Store, StoreError};
use crate::domain::ids::PersonaId;
use crate::domain::persona::{NewPersona, Persona};

#[derive(Debug, Clone, Default)]
pub struct PersonaFilter {
    pub search: Option<String>,
    pub include_deleted: bool,
}

/// See [`Store::shopper`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Shopper {
    pub id: PersonaId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub rental_budget: i32,
    pub bedrooms: i32,
    pub bathrooms: f64,
    pub pets: String,
    pub move_in_date: Option<chrono::NaiveDate>,
}

impl Store {
    /// Inserts all personas or none.
    pub async fn insert_personas(
        &self,
        actor: &Actor,
        people: &[NewPersona],
    ) -> Result<Vec<Persona>> {
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::with_capacity(people.len());
        for p in people {
            let row: Persona = sqlx::query_as(
                "INSERT INTO personas (template_id, first_name, last_name, email, phone,
                     rental_budget, bedrooms, bathrooms, preferences, pets, credit_score,
                     monthly_income, additional_occupants, rental_history, writing_style,
                     move_in_date, created_by)
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
                 RETURNING *",
            )
            .bind(p.template_id)
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(&p.email)
            .bind(&p.phone)
            .bind(p.rental_budget)
            .bind(p.bedrooms)
            .bind(p.bathrooms)
            .bind(&p.preferences)
            .bind(&p.pets)
            .bind(p.credit_score)
            .bind(p.monthly_income)
            .bind(&p.additional_occupants)
            .bind(&p.rental_history)
            .bind(&p.writing_style)
            .bind(p.move_in_date)
            .bind(actor.id)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Duplicate(_) => {
                    StoreError::Duplicate(format!("a persona with the address {}", p.email))
                }
                other => other,
            })?;
            record(
                &mut tx,
                actor,
                "create",
                EntityType::Persona,
                Some(row.id.0),
                json!({ "name": row.full_name(), "template_id": row.template_id }),
            )
            .await?;
            out.push(row);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn persona(&self, id: PersonaId) -> Result<Persona> {
        sqlx::query_as("SELECT * FROM personas WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("persona", id))
    }

    /// A persona as the leasing office met it: what a report shows, and all a client's login
    /// may read of it (no credit, income, phone, history or style).
    pub async fn shopper(&self, id: PersonaId) -> Result<Shopper> {
        sqlx::query_as(
            "SELECT id, first_name, last_name, email, rental_budget, bedrooms, bathrooms, pets,
                    move_in_date
             FROM personas WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("persona", id))
    }

    pub async fn list_personas(&self, filter: &PersonaFilter) -> Result<Vec<Persona>> {
        let pattern = filter.search.as_deref().map(|s| format!("%{s}%"));
        Ok(sqlx::query_as(
            "SELECT * FROM personas
             WHERE ($1 OR deleted_at IS NULL)
               AND ($2::text IS NULL OR (first_name || ' ' || last_name) ILIKE $2 OR email ILIKE $2)
             ORDER BY lower(last_name), lower(first_name), id",
        )
        .bind(filter.include_deleted)
        .bind(pattern)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Names in use by live personas, so generation never repeats one.
    pub async fn persona_names_in_use(&self) -> Result<HashSet<(String, String)>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT first_name, last_name FROM personas WHERE deleted_at IS NULL")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// Every address ever given out (retired personas keep theirs: an address is never reused).
    pub async fn persona_emails(&self) -> Result<HashSet<String>> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT lower(email) FROM personas")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Retires a persona (soft delete).
    pub async fn delete_persona(&self, actor: &Actor, id: PersonaId) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let name: Option<String> = sqlx::query_scalar(
            "UPDATE personas SET deleted_at = now(), version = version + 1
             WHERE id = $1 AND deleted_at IS NULL RETURNING first_name || ' ' || last_name",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let name = name.ok_or_else(|| StoreError::not_found("persona", id))?;
        record(
            &mut tx,
            actor,
            "delete",
            EntityType::Persona,
            Some(id.0),
            json!({ "name": name }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes what an operator may change, if the persona is still at `version`.
    pub async fn update_persona(
        &self,
        actor: &Actor,
        id: PersonaId,
        version: i32,
        e: &crate::domain::persona::PersonaEdit,
    ) -> Result<Persona> {
        let mut tx = self.pool.begin().await?;
        let row: Option<Persona> = sqlx::query_as(
            "UPDATE personas SET phone = $3, rental_budget = $4, bedrooms = $5, bathrooms = $6,
                    preferences = $7, pets = $8, credit_score = $9, monthly_income = $10,
                    additional_occupants = $11, rental_history = $12, writing_style = $13,
                    move_in_date = $14, version = version + 1
             WHERE id = $1 AND version = $2 AND deleted_at IS NULL
             RETURNING *",
        )
        .bind(id)
        .bind(version)
        .bind(&e.phone)
        .bind(e.rental_budget)
        .bind(e.bedrooms)
        .bind(e.bathrooms)
        .bind(&e.preferences)
        .bind(&e.pets)
        .bind(e.credit_score)
        .bind(e.monthly_income)
        .bind(&e.additional_occupants)
        .bind(&e.rental_history)
        .bind(&e.writing_style)
        .bind(e.move_in_date)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(p) = row else {
            return Err(StoreError::Conflict {
                entity: "persona",
                id: id.to_string(),
            });
        };
        record(
            &mut tx,
            actor,
            "update",
            EntityType::Persona,
            Some(id.0),
            json!({ "version": p.version }),
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }
}

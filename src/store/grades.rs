//! Grades: each new one becomes the shop's current grade; earlier ones stay for history.

use serde_json::json;

use super::audit::{EntityType, record_as};
use super::messages::notify_ids;
use super::overrides::load_decisions;
use super::{Result, Store};
use crate::domain::grading::Metrics;
use crate::domain::ids::{GradeId, ShopId};
use crate::domain::overrides::Decisions;
use crate::domain::rubric::Grade;
use sqlx::PgConnection;

impl Store {
    pub async fn insert_grade(
        &self,
        operator: &str,
        shop: ShopId,
        grade: &Grade,
        metrics: &Metrics,
        model: &str,
    ) -> Result<GradeId> {
        let (id, _) = self
            .insert_grade_with(operator, shop, grade.clone(), metrics, model, |g, _| g)
            .await?;
        Ok(id)
    }

    /// Stores the machine's grade as the shop's current one after `finish` applied the
    /// operators' decisions to it (read in the same transaction, so none is missed); returns
    /// the grade stored.
    pub async fn insert_grade_with(
        &self,
        operator: &str,
        shop: ShopId,
        grade: Grade,
        metrics: &Metrics,
        model: &str,
        finish: impl FnOnce(Grade, &Decisions) -> Grade,
    ) -> Result<(GradeId, Grade)> {
        let mut tx = self.pool.begin().await?;
        lock_shop(&mut tx, shop).await?;
        let decisions = load_decisions(&mut tx, shop).await?;
        let grade = finish(grade, &decisions);
        let metrics = serde_json::to_value(metrics).unwrap_or_default();
        let id = insert_current_grade(&mut tx, shop, &grade, &metrics, model).await?;
        record_as(
            &mut tx,
            operator,
            "grade",
            EntityType::Shop,
            Some(shop.0),
            json!({
                "grade_id": id, "total": grade.total, "needs_review": grade.needs_review,
                "review_reasons": grade.review_reasons,
            }),
        )
        .await?;
        notify_ids(&mut tx, "shops", &[shop]).await?;
        tx.commit().await?;
        Ok((id, grade))
    }

    /// The shop's current grade, as stored.
    pub async fn current_grade(&self, shop: ShopId) -> Result<Option<(Grade, Metrics)>> {
        let row: Option<GradeRow> = sqlx::query_as(
            "SELECT criteria, metrics, needs_review, review_reasons FROM grades
             WHERE shop_id = $1 AND is_current",
        )
        .bind(shop)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(g, m, needs_review, reasons)| {
            Some((
                with_review(serde_json::from_value(g).ok()?, needs_review, reasons),
                serde_json::from_value(m).ok()?,
            ))
        }))
    }
}

/// Serialises changes to one shop's grades and decisions (two at once would both make a
/// "current" grade).
pub(super) async fn lock_shop(conn: &mut PgConnection, shop: ShopId) -> Result<()> {
    sqlx::query("SELECT id FROM shops WHERE id = $1 FOR UPDATE")
        .bind(shop)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes `grade` the shop's current grade (the earlier ones stay, not current).
pub(super) async fn insert_current_grade(
    conn: &mut PgConnection,
    shop: ShopId,
    grade: &Grade,
    metrics: &serde_json::Value,
    model: &str,
) -> Result<GradeId> {
    sqlx::query("UPDATE grades SET is_current = false WHERE shop_id = $1 AND is_current")
        .bind(shop)
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar(
        "INSERT INTO grades (shop_id, rubric_version, total, max_total, criteria, metrics,
                             fair_housing_flag, needs_review, review_reasons, model)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(shop)
    .bind(&grade.rubric_version)
    .bind(grade.total)
    .bind(grade.max_total)
    .bind(serde_json::to_value(grade).unwrap_or_default())
    .bind(metrics)
    .bind(!grade.fair_housing_flags.is_empty())
    .bind(grade.needs_review)
    .bind(&grade.review_reasons)
    .bind(model)
    .fetch_one(&mut *conn)
    .await?)
}

/// A grade as stored: the grade (JSON), its metrics (JSON), whether and why it needs review.
type GradeRow = (serde_json::Value, serde_json::Value, bool, Vec<String>);

/// The grade with its review as its columns say (the columns are the record: grades stored
/// before they existed carry no reasons in their JSON).
pub(super) fn with_review(mut grade: Grade, needs_review: bool, reasons: Vec<String>) -> Grade {
    grade.needs_review = needs_review;
    grade.review_reasons = reasons;
    grade
}

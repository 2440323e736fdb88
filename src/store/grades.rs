//! Grades: each new one becomes the shop's current grade; earlier ones stay for history.

use serde_json::json;

use super::audit::{EntityType, record_as};
use super::messages::notify_ids;
use super::{Result, Store};
use crate::domain::grading::Metrics;
use crate::domain::ids::{GradeId, ShopId};
use crate::domain::rubric::Grade;

impl Store {
    pub async fn insert_grade(
        &self,
        operator: &str,
        shop: ShopId,
        grade: &Grade,
        metrics: &Metrics,
        model: &str,
    ) -> Result<GradeId> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE grades SET is_current = false WHERE shop_id = $1 AND is_current")
            .bind(shop)
            .execute(&mut *tx)
            .await?;
        let id: GradeId = sqlx::query_scalar(
            "INSERT INTO grades (shop_id, rubric_version, total, max_total, criteria, metrics,
                                 fair_housing_flag, model)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(shop)
        .bind(&grade.rubric_version)
        .bind(grade.total)
        .bind(grade.max_total)
        .bind(serde_json::to_value(grade).unwrap_or_default())
        .bind(serde_json::to_value(metrics).unwrap_or_default())
        .bind(grade.needs_review)
        .bind(model)
        .fetch_one(&mut *tx)
        .await?;
        record_as(
            &mut tx,
            operator,
            "grade",
            EntityType::Shop,
            Some(shop.0),
            json!({ "grade_id": id, "total": grade.total, "needs_review": grade.needs_review }),
        )
        .await?;
        notify_ids(&mut tx, "shops", &[shop]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The shop's current grade, as stored.
    pub async fn current_grade(&self, shop: ShopId) -> Result<Option<(Grade, Metrics)>> {
        let row: Option<(serde_json::Value, serde_json::Value)> = sqlx::query_as(
            "SELECT criteria, metrics FROM grades WHERE shop_id = $1 AND is_current",
        )
        .bind(shop)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(g, m)| {
            Some((
                serde_json::from_value(g).ok()?,
                serde_json::from_value(m).ok()?,
            ))
        }))
    }
}

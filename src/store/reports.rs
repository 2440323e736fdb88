//! Read-only queries behind the reports and the dashboard figures. Aggregation happens in
//! Postgres: the dashboard is a handful of small queries, never a load of every row.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;

use super::audit::AuditEntry;
use super::grades::with_review;
use super::{Result, Store};
use crate::domain::community::Extraction;
use crate::domain::grading::Metrics;
use crate::domain::ids::{ClientId, ShopId, SnapshotId, TargetId};
use crate::domain::rubric::Grade;
use crate::domain::send_window::local_instant;
use crate::domain::shop::ShopStatus;

/// An inbound message (alias `m`) that counts as the agent answering: not an
/// auto-acknowledgement, not a bounce (the same rule grading uses). A macro so the queries stay
/// `&'static str` literals (`concat!`), never strings built at run time.
macro_rules! is_answer {
    () => {
        " m.direction = 'inbound' AND NOT m.is_auto_reply AND NOT m.is_bounce
          AND coalesce(m.responder_kind, 'human') <> 'auto' "
    };
}

/// `COL` is a shop id of client `$P`'s targets, or `$P` is NULL (every shop). Subquery aliases
/// `cs`/`ct` so they cannot capture the outer query's.
macro_rules! of_client {
    ($col:literal, $p:literal) => {
        concat!(
            " (",
            $p,
            "::bigint IS NULL OR ",
            $col,
            " IN (
                 SELECT cs.id FROM shops cs JOIN targets ct ON ct.id = cs.target_id
                 WHERE ct.client_id = ",
            $p,
            ")) "
        )
    };
}

/// A shop's current grade with how and when it was made.
#[derive(Debug, Clone)]
pub struct GradeRecord {
    pub grade: Grade,
    pub metrics: Metrics,
    pub model: String,
    pub graded_at: DateTime<Utc>,
}

/// What the latest successful website gathering of a target found.
#[derive(Debug, Clone)]
pub struct WebsiteRecord {
    pub snapshot_id: SnapshotId,
    pub root_url: String,
    pub gathered_at: DateTime<Utc>,
    pub extraction: Extraction,
}

/// Which shops a portfolio covers. Dates bound the shop's start (`started_at`, else
/// `created_at`): `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Default)]
pub struct PortfolioFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// The property manager's name contains this (case-insensitive).
    pub manager: Option<String>,
    /// Only the shops of this client's targets.
    pub client: Option<ClientId>,
}

/// One shop of a portfolio, as measured from the database.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortfolioRow {
    pub shop_id: ShopId,
    pub target_id: TargetId,
    pub target_name: String,
    pub city: String,
    pub state: String,
    pub property_manager: String,
    pub time_zone: Option<String>,
    pub operator: Option<String>,
    pub persona_name: String,
    pub status: ShopStatus,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// The first message of ours that went out.
    pub first_sent_at: Option<DateTime<Utc>>,
    /// The agent's first answer after it (auto-acknowledgements and bounces excluded).
    pub first_reply_at: Option<DateTime<Utc>>,
    pub score: Option<f64>,
    pub max_score: Option<f64>,
    pub needs_review: Option<bool>,
    /// The current grade's metrics (serde JSON of `Metrics`).
    pub metrics: Option<Value>,
    /// Current facts among the requested fields: `{field_path: value}`.
    pub fees: Value,
}

/// How many shops are in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateCount {
    pub status: ShopStatus,
    pub count: i64,
}

/// Agent replies on one local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub count: i64,
}

/// Current grades whose share of the maximum falls in `from_percent..to_percent` (the last
/// bucket includes 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreBucket {
    pub from_percent: u32,
    pub to_percent: u32,
    pub count: i64,
}

/// The figures of the dashboard pane.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub generated_at: DateTime<Utc>,
    /// The client whose shops these are (its name); absent: every shop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The zone "today", "this week" and the days are counted in.
    pub time_zone: String,
    /// Every status, in the order of the shop loop, zeros included.
    pub shops_by_state: Vec<StateCount>,
    pub shops_total: i64,
    /// Shops not finished yet.
    pub shops_active: i64,
    /// Drafts waiting for an operator.
    pub pending_reviews: i64,
    /// Agent replies (auto-acknowledgements and bounces excluded) since local midnight.
    pub replies_today: i64,
    /// Agent replies since Monday 00:00 local time.
    pub replies_this_week: i64,
    /// Median over all shops of the minutes from our first sent message to the agent's first
    /// answer.
    pub median_first_response_minutes: Option<f64>,
    /// Mean total of current grades.
    pub average_score: Option<f64>,
    pub graded_shops: i64,
    /// The last 14 local days, oldest first, ending today, zeros included.
    pub replies_per_day: Vec<DayCount>,
    /// Ten buckets of 10 percent each.
    pub score_distribution: Vec<ScoreBucket>,
    /// The latest audit entries, newest first.
    pub recent_activity: Vec<AuditEntry>,
}

/// Days of replies the dashboard charts.
pub const DASHBOARD_DAYS: i64 = 14;
/// Audit entries the dashboard lists.
pub const DASHBOARD_ACTIVITY: i64 = 10;

/// Local midnight today, Monday 00:00 of this week, and midnight of the first charted day.
fn dashboard_bounds(now: DateTime<Utc>, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>, NaiveDate) {
    let today = now.with_timezone(&tz).date_naive();
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let first_day = today - Duration::days(DASHBOARD_DAYS - 1);
    let midnight = |d: NaiveDate| local_instant(tz, d, NaiveTime::MIN).unwrap_or(now);
    (midnight(today), midnight(monday), first_day)
}

impl Store {
    /// The shop's current grade with its model and time.
    pub async fn report_grade(&self, shop: ShopId) -> Result<Option<GradeRecord>> {
        #[allow(clippy::type_complexity)]
        let row: Option<(Value, Value, String, DateTime<Utc>, bool, Vec<String>)> = sqlx::query_as(
            "SELECT criteria, metrics, model, created_at, needs_review, review_reasons
                 FROM grades WHERE shop_id = $1 AND is_current",
        )
        .bind(shop)
        .fetch_optional(&self.pool)
        .await?;
        Ok(
            row.and_then(|(g, m, model, graded_at, needs_review, reasons)| {
                Some(GradeRecord {
                    grade: with_review(serde_json::from_value(g).ok()?, needs_review, reasons),
                    metrics: serde_json::from_value(m).unwrap_or_default(),
                    model,
                    graded_at,
                })
            }),
        )
    }

    /// The name of the operator who started the shop.
    pub async fn report_shop_operator(&self, shop: ShopId) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT o.name FROM shops s JOIN operators o ON o.id = s.started_by WHERE s.id = $1",
        )
        .bind(shop)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The latest successful website gathering of a target that extracted something. A
    /// snapshot whose community JSON no longer reads as an extraction is passed over.
    pub async fn report_website(&self, target: TargetId) -> Result<Option<WebsiteRecord>> {
        let rows: Vec<(SnapshotId, String, DateTime<Utc>, Value)> = sqlx::query_as(
            "SELECT id, root_url, finished_at, community FROM website_snapshots
             WHERE target_id = $1 AND status = 'ok' AND finished_at IS NOT NULL
               AND community IS NOT NULL
             ORDER BY finished_at DESC, id DESC LIMIT 5",
        )
        .bind(target)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().find_map(|(id, root_url, at, community)| {
            Some(WebsiteRecord {
                snapshot_id: id,
                root_url,
                gathered_at: at,
                extraction: serde_json::from_value(community).ok()?,
            })
        }))
    }

    /// One row per shop matching the filter, oldest start first, with its first-response
    /// times, current grade and the current values of `fee_fields`.
    pub async fn portfolio_rows(
        &self,
        filter: &PortfolioFilter,
        fee_fields: &[String],
    ) -> Result<Vec<PortfolioRow>> {
        const SQL: &str = concat!(
            "SELECT s.id AS shop_id, s.target_id, t.name AS target_name, t.city, t.state,
                    t.property_manager, t.time_zone, o.name AS operator,
                    p.first_name || ' ' || p.last_name AS persona_name, s.status,
                    coalesce(s.started_at, s.created_at) AS started_at, s.ended_at,
                    fs.first_sent_at, fr.first_reply_at,
                    g.total AS score, g.max_total AS max_score,
                    g.needs_review, g.metrics,
                    coalesce(fe.fees, '{}'::jsonb) AS fees
             FROM shops s
             JOIN targets t ON t.id = s.target_id
             JOIN personas p ON p.id = s.persona_id
             LEFT JOIN operators o ON o.id = s.started_by
             LEFT JOIN grades g ON g.shop_id = s.id AND g.is_current
             LEFT JOIN LATERAL (
                 SELECT min(m.sent_at) AS first_sent_at FROM messages m
                 WHERE m.shop_id = s.id AND m.direction = 'outbound' AND m.status = 'sent'
             ) fs ON true
             LEFT JOIN LATERAL (
                 SELECT min(coalesce(m.received_at, m.created_at)) AS first_reply_at
                 FROM messages m
                 WHERE m.shop_id = s.id AND",
            is_answer!(),
            "AND coalesce(m.received_at, m.created_at) >= fs.first_sent_at
             ) fr ON true
             LEFT JOIN LATERAL (
                 SELECT jsonb_object_agg(f.field_path, f.value) AS fees FROM facts f
                 WHERE f.shop_id = s.id AND f.superseded_by IS NULL
                   AND f.field_path = ANY($4)
             ) fe ON true
             WHERE ($1::timestamptz IS NULL OR coalesce(s.started_at, s.created_at) >= $1)
               AND ($2::timestamptz IS NULL OR coalesce(s.started_at, s.created_at) < $2)
               AND ($3::text IS NULL OR strpos(lower(t.property_manager), lower($3)) > 0)
               AND ($5::bigint IS NULL OR t.client_id = $5)
             ORDER BY coalesce(s.started_at, s.created_at), s.id"
        );
        Ok(sqlx::query_as(SQL)
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.manager.as_deref().filter(|m| !m.trim().is_empty()))
            .bind(fee_fields)
            .bind(filter.client)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The dashboard's figures at `now`, days counted in `tz`: five small aggregate queries,
    /// run side by side.
    pub async fn dashboard(&self, now: DateTime<Utc>, tz: Tz) -> Result<Dashboard> {
        self.dashboard_for(now, tz, None).await
    }

    /// The dashboard of one client's shops (its targets' shops, their messages, grades and
    /// audit entries), or of everything with `None`.
    pub async fn dashboard_for(
        &self,
        now: DateTime<Utc>,
        tz: Tz,
        client: Option<ClientId>,
    ) -> Result<Dashboard> {
        let (today, monday, first_day) = dashboard_bounds(now, tz);
        let since = local_instant(tz, first_day, NaiveTime::MIN).unwrap_or(now);

        let states = sqlx::query_as::<_, (ShopStatus, i64)>(concat!(
            "SELECT s.status, count(*) FROM shops s WHERE",
            of_client!("s.id", "$1"),
            "GROUP BY s.status"
        ))
        .bind(client)
        .fetch_all(&self.pool);

        const FIGURES: &str = concat!(
            "SELECT
                 (SELECT count(*) FROM messages
                  WHERE direction = 'outbound' AND status = 'pending_review' AND",
            of_client!("shop_id", "$3"),
            ") AS pending,
                 (SELECT count(*) FROM messages m WHERE",
            is_answer!(),
            "AND m.shop_id IS NOT NULL AND m.received_at >= $1 AND",
            of_client!("m.shop_id", "$3"),
            ") AS today,
                 (SELECT count(*) FROM messages m WHERE",
            is_answer!(),
            "AND m.shop_id IS NOT NULL AND m.received_at >= $2 AND",
            of_client!("m.shop_id", "$3"),
            ") AS week,
                 (SELECT avg(total) FROM grades WHERE is_current AND",
            of_client!("shop_id", "$3"),
            ") AS average_score,
                 (SELECT count(*) FROM grades WHERE is_current AND",
            of_client!("shop_id", "$3"),
            ") AS graded,
                 (SELECT percentile_cont(0.5) WITHIN GROUP (
                          ORDER BY floor(extract(epoch FROM r.first_reply - f.first_sent) / 60))
                  FROM (SELECT shop_id, min(sent_at) AS first_sent FROM messages
                        WHERE direction = 'outbound' AND status = 'sent' AND shop_id IS NOT NULL
                          AND",
            of_client!("shop_id", "$3"),
            "GROUP BY shop_id) f
                  CROSS JOIN LATERAL (
                      SELECT min(coalesce(m.received_at, m.created_at)) AS first_reply
                      FROM messages m
                      WHERE m.shop_id = f.shop_id AND",
            is_answer!(),
            "AND coalesce(m.received_at, m.created_at) >= f.first_sent) r
                  WHERE r.first_reply IS NOT NULL) AS median_first_response"
        );
        let figures = sqlx::query_as::<_, (i64, i64, i64, Option<f64>, i64, Option<f64>)>(FIGURES)
            .bind(today)
            .bind(monday)
            .bind(client)
            .fetch_one(&self.pool);

        const PER_DAY: &str = concat!(
            "SELECT (m.received_at AT TIME ZONE $1)::date AS day, count(*) FROM messages m WHERE",
            is_answer!(),
            "AND m.shop_id IS NOT NULL AND m.received_at >= $2
               AND m.received_at <= $3 AND",
            of_client!("m.shop_id", "$4"),
            "GROUP BY 1"
        );
        let per_day = sqlx::query_as::<_, (NaiveDate, i64)>(PER_DAY)
            .bind(tz.name())
            .bind(since)
            .bind(now)
            .bind(client)
            .fetch_all(&self.pool);

        let scores = sqlx::query_as::<_, (i32, i64)>(concat!(
            "SELECT least(greatest(floor(total / max_total * 10), 0), 9)::int AS bucket, count(*)
             FROM grades WHERE is_current AND max_total > 0 AND",
            of_client!("shop_id", "$1"),
            "GROUP BY 1"
        ))
        .bind(client)
        .fetch_all(&self.pool);

        // A client's activity: the entries on it, its targets, their shops and what those hold.
        let activity = sqlx::query_as::<_, AuditEntry>(concat!(
            "SELECT a.* FROM audit_log a
             WHERE $2::bigint IS NULL
                OR (a.entity_type = 'client' AND a.entity_id = $2)
                OR (a.entity_type = 'target'
                    AND a.entity_id IN (SELECT id FROM targets WHERE client_id = $2))
                OR (a.entity_type = 'shop' AND",
            of_client!("a.entity_id", "$2"),
            ")
                OR (a.entity_type = 'message' AND a.entity_id IN (
                    SELECT id FROM messages WHERE",
            of_client!("shop_id", "$2"),
            "))
                OR (a.entity_type = 'fact' AND a.entity_id IN (
                    SELECT id FROM facts WHERE",
            of_client!("shop_id", "$2"),
            "))
                OR (a.entity_type = 'grade' AND a.entity_id IN (
                    SELECT id FROM grades WHERE",
            of_client!("shop_id", "$2"),
            "))
             ORDER BY a.at DESC, a.id DESC LIMIT $1"
        ))
        .bind(DASHBOARD_ACTIVITY)
        .bind(client)
        .fetch_all(&self.pool);

        let (states, figures, per_day, scores, activity) =
            tokio::try_join!(states, figures, per_day, scores, activity)?;
        let (pending, replies_today, replies_week, average_score, graded, median) = figures;

        let shops_by_state: Vec<StateCount> = ShopStatus::ALL
            .iter()
            .map(|s| StateCount {
                status: *s,
                count: states.iter().find(|(st, _)| st == s).map_or(0, |(_, n)| *n),
            })
            .collect();
        let shops_total = shops_by_state.iter().map(|s| s.count).sum();
        let shops_active = shops_by_state
            .iter()
            .filter(|s| !s.status.is_finished())
            .map(|s| s.count)
            .sum();
        let replies_per_day = (0..DASHBOARD_DAYS)
            .map(|i| {
                let day = first_day + Duration::days(i);
                DayCount {
                    day,
                    count: per_day
                        .iter()
                        .find(|(d, _)| *d == day)
                        .map_or(0, |(_, n)| *n),
                }
            })
            .collect();
        let score_distribution = (0..10)
            .map(|b| ScoreBucket {
                from_percent: b * 10,
                to_percent: b * 10 + 10,
                count: scores
                    .iter()
                    .find(|(x, _)| *x == b as i32)
                    .map_or(0, |(_, n)| *n),
            })
            .collect();
        Ok(Dashboard {
            generated_at: now,
            client: None,
            time_zone: tz.name().to_string(),
            shops_by_state,
            shops_total,
            shops_active,
            pending_reviews: pending,
            replies_today,
            replies_this_week: replies_week,
            median_first_response_minutes: median,
            average_score: average_score.map(|a| (a * 10.0).round() / 10.0),
            graded_shops: graded,
            replies_per_day,
            score_distribution,
            recent_activity: activity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::America::Chicago;

    #[test]
    fn dashboard_days_and_weeks_start_at_local_midnight() {
        // Wednesday 25 Nov 2026, 01:30 in Chicago = 07:30 UTC.
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 7, 30, 0).unwrap();
        let (today, monday, first) = dashboard_bounds(now, Chicago);
        assert_eq!(today, Utc.with_ymd_and_hms(2026, 11, 25, 6, 0, 0).unwrap());
        assert_eq!(monday, Utc.with_ymd_and_hms(2026, 11, 23, 6, 0, 0).unwrap());
        assert_eq!(first, NaiveDate::from_ymd_opt(2026, 11, 12).unwrap());
        // In UTC it is already Wednesday too, but midnight is six hours earlier.
        let (today_utc, ..) = dashboard_bounds(now, Tz::UTC);
        assert_eq!(
            today_utc,
            Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap()
        );
    }
}

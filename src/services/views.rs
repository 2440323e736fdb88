//! What the TUI and the CLI load to show: lists, one record, a shop's thread, the dashboard,
//! reports. Nothing here writes.
//!
//! Each read names who is looking, so a check of what a role may see has one place to live.
//! `None`: the caller has not asked who it is, as the CLI's reads do not (a client's login reads
//! its portfolio without being an operator); the database's grants decide meanwhile.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::grading::Metrics;
use crate::domain::ids::{ClientId, MessageId, PersonaId, ShopId, SnapshotId, TargetId};
use crate::domain::overrides::Decisions;
use crate::domain::persona::Persona;
use crate::domain::rubric::Grade;
use crate::domain::shop::Shop;
use crate::domain::target::Target;
use crate::report::{Portfolio, PortfolioQuery, ShopReport};
use crate::store::{
    Actor, AuditEntry, AuditFilter, Dashboard, DraftVersion, FactRow, InboxFilter, InboxRow,
    MessageRow, PersonaFilter, ShopRow, Store, SyncState, TargetFilter, WebsiteSnapshot,
};

/// The dashboard's figures at `now`, days counted in `tz`.
pub async fn dashboard(
    store: &Store,
    _actor: Option<&Actor>,
    now: DateTime<Utc>,
    tz: Tz,
) -> anyhow::Result<Dashboard> {
    Ok(store.dashboard(now, tz).await?)
}

/// The dashboard of one client's shops, or of everything with `None`.
pub async fn client_dashboard(
    store: &Store,
    _actor: Option<&Actor>,
    now: DateTime<Utc>,
    tz: Tz,
    client: Option<ClientId>,
) -> anyhow::Result<Dashboard> {
    Ok(store.dashboard_for(now, tz, client).await?)
}

/// A page of shops with their target, persona and latest activity.
pub async fn shop_list(
    store: &Store,
    _actor: Option<&Actor>,
    limit: i64,
    offset: i64,
) -> anyhow::Result<Vec<ShopRow>> {
    Ok(store.shop_rows(limit, offset).await?)
}

/// The shops of one target, as rows.
pub async fn target_shop_list(
    store: &Store,
    _actor: Option<&Actor>,
    target: TargetId,
) -> anyhow::Result<Vec<ShopRow>> {
    Ok(store.target_shop_rows(target).await?)
}

/// Shops, of one client's targets or all.
pub async fn shops_of_client(
    store: &Store,
    _actor: Option<&Actor>,
    client: Option<ClientId>,
) -> anyhow::Result<Vec<Shop>> {
    Ok(store.list_shops_of(client).await?)
}

/// One shop.
pub async fn shop_record(
    store: &Store,
    _actor: Option<&Actor>,
    id: ShopId,
) -> anyhow::Result<Shop> {
    Ok(store.shop(id).await?)
}

/// A shop's messages, in and out, oldest first.
pub async fn thread(
    store: &Store,
    _actor: Option<&Actor>,
    shop: ShopId,
) -> anyhow::Result<Vec<MessageRow>> {
    Ok(store.shop_messages(shop).await?)
}

/// A shop's facts, current and superseded.
pub async fn facts(
    store: &Store,
    _actor: Option<&Actor>,
    shop: ShopId,
) -> anyhow::Result<Vec<FactRow>> {
    Ok(store.shop_facts(shop).await?)
}

/// A shop's current grade and the metrics it was computed from, if graded.
pub async fn grade(
    store: &Store,
    _actor: Option<&Actor>,
    shop: ShopId,
) -> anyhow::Result<Option<(Grade, Metrics)>> {
    Ok(store.current_grade(shop).await?)
}

/// The operators' decisions on a shop's grade and facts.
pub async fn shop_decisions(
    store: &Store,
    _actor: Option<&Actor>,
    shop: ShopId,
) -> anyhow::Result<Decisions> {
    Ok(store.decisions(shop).await?)
}

/// Drafts awaiting review, oldest first.
pub async fn review_queue(
    store: &Store,
    _actor: Option<&Actor>,
) -> anyhow::Result<Vec<MessageRow>> {
    Ok(store.pending_drafts().await?)
}

/// One message, in or out.
pub async fn message_row(
    store: &Store,
    _actor: Option<&Actor>,
    id: MessageId,
) -> anyhow::Result<MessageRow> {
    Ok(store.message(id).await?)
}

/// A received message's source as it arrived (`None` for ours).
pub async fn message_source(
    store: &Store,
    _actor: Option<&Actor>,
    id: MessageId,
) -> anyhow::Result<Option<Vec<u8>>> {
    Ok(store.message_raw(id).await?)
}

/// Every version of a draft's text, first to last.
pub async fn versions(
    store: &Store,
    _actor: Option<&Actor>,
    id: MessageId,
) -> anyhow::Result<Vec<DraftVersion>> {
    Ok(store.draft_versions(id).await?)
}

/// Version `number` of a draft's text.
pub async fn version(
    store: &Store,
    _actor: Option<&Actor>,
    id: MessageId,
    number: i32,
) -> anyhow::Result<DraftVersion> {
    Ok(store.draft_version(id, number).await?)
}

/// A page of the inbox as the TUI lists it.
pub async fn inbox_page(
    store: &Store,
    _actor: Option<&Actor>,
    filter: &InboxFilter,
    limit: i64,
    offset: i64,
) -> anyhow::Result<Vec<InboxRow>> {
    Ok(store.inbox_rows(filter, limit, offset).await?)
}

/// Inbound messages, newest first (only those matched to no shop with `unmatched_only`).
pub async fn inbound(
    store: &Store,
    _actor: Option<&Actor>,
    unmatched_only: bool,
    limit: i64,
) -> anyhow::Result<Vec<MessageRow>> {
    Ok(store.inbox(unmatched_only, limit).await?)
}

/// Where each mailbox folder's sync stands.
pub async fn sync(store: &Store, _actor: Option<&Actor>) -> anyhow::Result<Vec<SyncState>> {
    Ok(store.sync_states().await?)
}

/// Targets matching the filter.
pub async fn targets(
    store: &Store,
    _actor: Option<&Actor>,
    filter: &TargetFilter,
) -> anyhow::Result<Vec<Target>> {
    Ok(store.list_targets(filter).await?)
}

/// One target (deleted ones too).
pub async fn target_record(
    store: &Store,
    _actor: Option<&Actor>,
    id: TargetId,
) -> anyhow::Result<Target> {
    Ok(store.target(id).await?)
}

/// A target's latest website snapshot, if it was ever gathered.
pub async fn website(
    store: &Store,
    _actor: Option<&Actor>,
    target: TargetId,
) -> anyhow::Result<Option<WebsiteSnapshot>> {
    Ok(store.latest_website_snapshot(target).await?)
}

/// One website snapshot.
pub async fn website_by_id(
    store: &Store,
    _actor: Option<&Actor>,
    id: SnapshotId,
) -> anyhow::Result<WebsiteSnapshot> {
    Ok(store.website_snapshot(id).await?)
}

/// Personas matching the filter.
pub async fn personas(
    store: &Store,
    _actor: Option<&Actor>,
    filter: &PersonaFilter,
) -> anyhow::Result<Vec<Persona>> {
    Ok(store.list_personas(filter).await?)
}

/// One persona (retired ones too).
pub async fn persona_record(
    store: &Store,
    _actor: Option<&Actor>,
    id: PersonaId,
) -> anyhow::Result<Persona> {
    Ok(store.persona(id).await?)
}

/// The clients' names (for choosing a target's client).
pub async fn clients(store: &Store, _actor: Option<&Actor>) -> anyhow::Result<Vec<String>> {
    Ok(store.client_names().await?)
}

/// The decisions on record matching the filter, newest first.
pub async fn audit(
    store: &Store,
    _actor: Option<&Actor>,
    filter: &AuditFilter,
) -> anyhow::Result<Vec<AuditEntry>> {
    Ok(store.audit_list(filter).await?)
}

/// One shop's report; times in the target's zone (else `tz`).
pub async fn shop_report(
    store: &Store,
    _actor: Option<&Actor>,
    shop: ShopId,
    tz: Tz,
    now: DateTime<Utc>,
) -> anyhow::Result<ShopReport> {
    Ok(crate::report::shop_report(store, shop, tz, now).await?)
}

/// The portfolio: the shops the query selects, with their grades and figures.
pub async fn portfolio(
    store: &Store,
    _actor: Option<&Actor>,
    query: PortfolioQuery,
    tz: Tz,
    now: DateTime<Utc>,
) -> anyhow::Result<Portfolio> {
    Ok(crate::report::portfolio(store, query, tz, now).await?)
}

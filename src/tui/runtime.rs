//! Runs effects off the draw path: each on its own task against the store and services, its
//! outcome sent back as an event. Also the LISTEN task (changes from every process) and the
//! database health check that shows a lost connection and notices when it is back.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::UnboundedSender;

use super::effect::{Effect, Query};
use super::event::{Changed, DbStatus, Done, Event, Loaded};
use crate::ai::Ai;
use crate::config::Config;
use crate::domain::ids::MessageId;
use crate::report::{Format, RenderOptions, render_shop};
use crate::services::{
    grading, inbox, personas, review, session, shops, targets, templates, views,
};
use crate::store::{Actor, PersonaFilter, Store, StoreError, TargetFilter};

/// Rows a list loads at most; lists page from the database, never load everything.
pub const LIST_LIMIT: i64 = 500;

#[derive(Clone)]
pub struct Runtime {
    pub store: Store,
    pub ai: Ai,
    pub actor: Actor,
    pub config: Arc<Config>,
    pub tx: UnboundedSender<Event>,
    /// Loads in flight, by query kind: a burst of NOTIFYs runs one load at a time per kind and
    /// coalesces the rest into one more, so an older result never lands after a newer one.
    pub loads: Arc<Mutex<HashMap<std::mem::Discriminant<Query>, LoadSlot>>>,
}

/// One query kind's loads: running now, and the next one asked for meanwhile.
#[derive(Default)]
pub struct LoadSlot {
    running: bool,
    next: Option<Query>,
}

impl Runtime {
    pub fn new(
        store: Store,
        ai: Ai,
        actor: Actor,
        config: Arc<Config>,
        tx: UnboundedSender<Event>,
    ) -> Runtime {
        Runtime {
            store,
            ai,
            actor,
            config,
            tx,
            loads: Arc::default(),
        }
    }

    /// Starts the effect on a task; its outcome arrives as an event.
    pub fn spawn(&self, effect: Effect) {
        if let Effect::Load(q) = effect {
            return self.spawn_load(q);
        }
        let rt = self.clone();
        tokio::spawn(async move {
            let what = describe(&effect);
            match rt.run(effect).await {
                Ok(Some(e)) => rt.send(e),
                Ok(None) => {}
                Err(e) => rt.report(what, e),
            }
        });
    }

    fn spawn_load(&self, q: Query) {
        let kind = std::mem::discriminant(&q);
        {
            let mut loads = self.loads.lock().unwrap_or_else(|p| p.into_inner());
            let slot = loads.entry(kind).or_default();
            if slot.running {
                slot.next = Some(q);
                return;
            }
            slot.running = true;
        }
        let rt = self.clone();
        tokio::spawn(async move {
            let mut q = q;
            loop {
                let what = describe(&Effect::Load(q.clone()));
                match rt.load(q).await {
                    Ok(l) => rt.send(Event::Loaded(l)),
                    Err(e) => rt.report(what, e),
                }
                let mut loads = rt.loads.lock().unwrap_or_else(|p| p.into_inner());
                let slot = loads.entry(kind).or_default();
                match slot.next.take() {
                    Some(next) => q = next,
                    None => {
                        slot.running = false;
                        return;
                    }
                }
            }
        });
    }

    fn report(&self, what: String, e: anyhow::Error) {
        if e.downcast_ref::<StoreError>()
            .is_some_and(StoreError::is_unavailable)
        {
            self.send(Event::Database(DbStatus::Lost(e.to_string())));
        }
        self.send(Event::Failed {
            what,
            error: format!("{e:#}"),
        });
    }

    fn send(&self, e: Event) {
        // The UI has gone away: nothing left to tell.
        let _ = self.tx.send(e);
    }

    /// Runs one effect to completion (the headless tests call this directly).
    pub async fn run(&self, effect: Effect) -> anyhow::Result<Option<Event>> {
        let s = &self.store;
        let me = Some(&self.actor);
        let tz = self.config.send_window.time_zone;
        Ok(Some(match effect {
            Effect::Load(q) => Event::Loaded(self.load(q).await?),
            Effect::OpenDraft(id) => Event::Loaded(self.open_draft(id).await?),
            Effect::ReleaseDraft(id) => {
                review::close(s, &self.actor, id).await?;
                Event::Done(Done::DraftReleased(id))
            }
            Effect::ApproveDraft { id, version } => {
                let undo = self.config.review.undo_seconds;
                shops::approve(s, &self.actor, id, Some(version), undo).await?;
                let until =
                    (undo > 0).then(|| chrono::Utc::now() + chrono::Duration::seconds(undo as i64));
                Event::Done(Done::DraftApproved(id, until))
            }
            Effect::RejectDraft { id, reason } => {
                shops::reject(s, &self.actor, id, &reason).await?;
                Event::Done(Done::DraftRejected(id))
            }
            Effect::SaveDraft {
                id,
                version,
                subject,
                body,
            } => {
                let row = review::edit(s, &self.actor, id, version, &subject, &body).await?;
                Event::Done(Done::DraftSaved(
                    Box::new(row),
                    views::versions(s, me, id).await?,
                ))
            }
            Effect::RegenerateDraft {
                id,
                version,
                instructions,
            } => {
                let row = review::regenerate(
                    s,
                    &self.ai,
                    &self.actor,
                    id,
                    Some(version),
                    Some(&instructions),
                )
                .await?;
                Event::Done(Done::DraftSaved(
                    Box::new(row),
                    views::versions(s, me, id).await?,
                ))
            }
            Effect::RestoreVersion {
                id,
                number,
                version,
            } => {
                let row = review::restore(s, &self.actor, id, number, Some(version)).await?;
                Event::Done(Done::DraftSaved(
                    Box::new(row),
                    views::versions(s, me, id).await?,
                ))
            }
            Effect::AssignMessage { message, shop } => {
                inbox::assign(s, &self.actor, message, shop).await?;
                Event::Done(Done::MessageAssigned(message, shop))
            }
            Effect::MarkRead(ids) => {
                inbox::mark_read(s, &self.actor, &ids).await?;
                Event::Changed(Changed {
                    messages: ids.iter().map(|i| i.0).collect(),
                    ..Default::default()
                })
            }
            Effect::CancelShop(id) => {
                shops::cancel(s, &self.actor, id, "cancelled by an operator").await?;
                Event::Done(Done::ShopCancelled(id))
            }
            Effect::RetrySend(id) => {
                shops::retry_send(s, &self.actor, id).await?;
                Event::Done(Done::SendRetried(id))
            }
            Effect::RecallMessage(id) => {
                shops::recall(s, &self.actor, id).await?;
                Event::Done(Done::Recalled(id))
            }
            Effect::DraftNext(id) => {
                let d = shops::draft_next(s, &self.ai, &self.actor, id).await?;
                Event::Done(Done::DraftedNext(id, d.id))
            }
            Effect::GradeShop(id) => {
                let window = crate::engine::send_window(&self.config);
                let (_, grade) =
                    grading::grade_shop(s, &self.ai, id, &window, tz, &self.actor.name).await?;
                Event::Done(Done::ShopGraded(id, grade.total))
            }
            Effect::DecideFlag {
                shop,
                n,
                verdict,
                reason,
            } => {
                let r = crate::services::overrides::decide_flag(
                    s,
                    &self.actor,
                    shop,
                    n,
                    verdict,
                    &reason,
                )
                .await?;
                Event::Done(Done::FlagDecided(shop, n, verdict, r.after.total))
            }
            Effect::ExportReport { shop, path } => {
                let path = self.resolve(&path);
                let format = Format::from_path(&path).unwrap_or(Format::Html);
                let report = views::shop_report(s, me, shop, tz, Utc::now()).await?;
                let text = render_shop(&report, format, RenderOptions { evidence: true })?;
                if let Some(dir) = path.parent() {
                    tokio::fs::create_dir_all(dir).await?;
                }
                write_new(&path, &text).await?;
                Event::Done(Done::ReportExported(path))
            }
            Effect::GatherWebsite(target) => {
                let settings = crate::crawl::CrawlSettings::from_config(&self.config);
                crate::services::gather::enqueue_gather(s, &settings, target, &self.actor.name)
                    .await?;
                Event::Done(Done::GatherQueued(target))
            }
            Effect::StartShop { target, persona } => {
                let (shop, draft) = shops::start_shop(
                    s,
                    &self.ai,
                    &self.actor,
                    target,
                    persona,
                    &[],
                    false,
                    self.config.follow_up.persona_reuse_window_days,
                )
                .await?;
                Event::Done(Done::ShopStarted {
                    shop: shop.id,
                    draft: draft.id,
                })
            }
            Effect::SaveTarget { editing, input } => {
                let t = match editing {
                    None => targets::add(s, &self.actor, &input).await?,
                    Some((id, version)) => {
                        targets::edit(s, &self.actor, id, Some(version), &input).await?
                    }
                };
                Event::Done(Done::TargetSaved(t.id))
            }
            Effect::SavePersona { id, version, edit } => {
                personas::edit(s, &self.actor, id, version, &edit).await?;
                Event::Done(Done::PersonaSaved(id))
            }
            Effect::SaveTemplate { editing, input } => {
                match editing {
                    None => templates::add(s, &self.actor, &input).await?,
                    Some((id, seen)) => templates::edit(s, &self.actor, id, seen, &input).await?,
                };
                Event::Done(Done::TemplateSaved(input.name.clone()))
            }
            Effect::RetireTemplate(id) => {
                templates::retire(s, &self.actor, id).await?;
                Event::Done(Done::TemplateRetired(id))
            }
            Effect::ImportTargets(path) => {
                let path = self.resolve(&path);
                let n = targets::import_targets_csv(s, &self.actor, &path, false).await?;
                Event::Done(Done::TargetsImported(n))
            }
            Effect::GeneratePersonas { template, count } => {
                let made = personas::generate_personas(
                    s,
                    &self.actor,
                    &self.config.mail,
                    &template,
                    count,
                )
                .await?;
                Event::Done(Done::PersonasGenerated(made.len()))
            }
            Effect::RetirePersona(id) => {
                personas::retire(s, &self.actor, id).await?;
                Event::Done(Done::PersonaRetired(id))
            }
            // The event loop handles these itself (they touch the terminal).
            Effect::OpenEditor { .. } | Effect::Alert(_) | Effect::Quit => return Ok(None),
        }))
    }

    /// A relative path is taken from the export directory (`paths.export_dir`).
    fn resolve(&self, path: &Path) -> std::path::PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.config.paths.export_dir.join(path)
        }
    }

    async fn load(&self, q: Query) -> anyhow::Result<Loaded> {
        let s = &self.store;
        let me = Some(&self.actor);
        let tz = self.config.send_window.time_zone;
        Ok(match q {
            Query::Dashboard => {
                Loaded::Dashboard(Box::new(views::dashboard(s, me, Utc::now(), tz).await?))
            }
            Query::Shops => Loaded::Shops(views::shop_list(s, me, LIST_LIMIT, 0).await?),
            Query::Review => Loaded::Review(views::review_queue(s, me).await?),
            Query::Inbox(f) => {
                let limit = if f.limit > 0 { f.limit } else { LIST_LIMIT };
                Loaded::Inbox(views::inbox_page(s, me, &f, limit, 0).await?)
            }
            Query::Targets => {
                Loaded::Targets(views::targets(s, me, &TargetFilter::default()).await?)
            }
            Query::Personas => {
                Loaded::Personas(views::personas(s, me, &PersonaFilter::default()).await?)
            }
            Query::Thread(shop) => Loaded::Thread {
                shop,
                messages: views::thread(s, me, shop).await?,
                facts: views::facts(s, me, shop).await?,
                review: crate::tui::state::ThreadReview {
                    grade: views::grade(s, me, shop).await?.map(|(g, _)| g),
                    decisions: views::shop_decisions(s, me, shop).await?,
                },
            },
            Query::Sync => Loaded::Sync(views::sync(s, me).await?),
            Query::Outgoing(ids) => {
                let mut rows = Vec::new();
                for id in ids {
                    rows.push(views::message_row(s, me, id).await?);
                }
                Loaded::Outgoing(rows)
            }
            Query::Templates => Loaded::Templates(templates::list(s, me).await?),
            Query::Clients => Loaded::Clients(views::clients(s, me).await?),
            Query::Target(target) => Loaded::Target {
                target,
                shops: views::target_shop_list(s, me, target).await?,
                website: views::website(s, me, target).await?.map(Box::new),
            },
            Query::Portfolio => {
                let p = views::portfolio(
                    s,
                    me,
                    crate::report::PortfolioQuery::default(),
                    tz,
                    Utc::now(),
                )
                .await?;
                Loaded::Portfolio(crate::report::render_portfolio(
                    &p,
                    Format::Markdown,
                    RenderOptions::default(),
                )?)
            }
            Query::Report(shop) => {
                let report = views::shop_report(s, me, shop, tz, Utc::now()).await?;
                Loaded::Report {
                    shop,
                    text: render_shop(&report, Format::Markdown, RenderOptions { evidence: true })?,
                }
            }
        })
    }

    /// Claims the draft, or opens it read-only when another operator holds it.
    async fn open_draft(&self, id: MessageId) -> anyhow::Result<Loaded> {
        let s = &self.store;
        let me = Some(&self.actor);
        let (draft, held_by) = match review::open(s, &self.actor, id).await {
            Ok(row) => (row, None),
            Err(e) => match e.downcast::<StoreError>() {
                Ok(StoreError::Held { by, .. }) => (views::message_row(s, me, id).await?, Some(by)),
                Ok(other) => return Err(other.into()),
                Err(other) => return Err(other),
            },
        };
        let thread = match draft.shop_id {
            Some(shop) => views::thread(s, me, shop)
                .await?
                .into_iter()
                .filter(|m| {
                    m.direction == "inbound" || m.status.is_some_and(|x| x.as_str() == "sent")
                })
                .collect(),
            None => Vec::new(),
        };
        let missing = draft
            .generation
            .as_ref()
            .and_then(|g| g.get("missing"))
            .and_then(|m| serde_json::from_value(m.clone()).ok())
            .unwrap_or_default();
        let versions = views::versions(s, me, id).await?;
        Ok(Loaded::Draft {
            draft: Box::new(draft),
            held_by,
            thread,
            missing,
            versions,
        })
    }
}

/// Writes a file, refusing to overwrite one (an export never destroys anything).
async fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    use tokio::io::AsyncWriteExt as _;
    let mut f = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    f.write_all(text.as_bytes()).await?;
    Ok(())
}

fn describe(e: &Effect) -> String {
    match e {
        Effect::Load(q) => format!("loading {q:?}").to_lowercase(),
        Effect::OpenDraft(id) => format!("opening draft #{id}"),
        Effect::ReleaseDraft(id) => format!("releasing draft #{id}"),
        Effect::ApproveDraft { id, .. } => format!("approving draft #{id}"),
        Effect::RejectDraft { id, .. } => format!("rejecting draft #{id}"),
        Effect::DecideFlag {
            shop, n, verdict, ..
        } => {
            format!("deciding flag {n} of shop #{shop} ({verdict})")
        }
        Effect::SaveDraft { id, .. } => format!("saving draft #{id}"),
        Effect::RegenerateDraft { id, .. } => format!("regenerating draft #{id}"),
        Effect::RestoreVersion { id, number, .. } => {
            format!("restoring version {number} of draft #{id}")
        }
        Effect::AssignMessage { message, .. } => format!("assigning message #{message}"),
        Effect::MarkRead(_) => "marking read".into(),
        Effect::CancelShop(id) => format!("cancelling shop #{id}"),
        Effect::GradeShop(id) => format!("grading shop #{id}"),
        Effect::RetrySend(id) => format!("retrying message #{id}"),
        Effect::DraftNext(id) => format!("drafting shop #{id}'s next message"),
        Effect::RecallMessage(id) => format!("recalling message #{id}"),
        Effect::ExportReport { shop, .. } => format!("exporting shop #{shop}'s report"),
        Effect::GatherWebsite(t) => format!("queueing target #{t}'s website"),
        Effect::StartShop { .. } => "starting a shop".into(),
        Effect::SaveTarget { .. } => "saving the target".into(),
        Effect::ImportTargets(p) => format!("importing {}", p.display()),
        Effect::SaveTemplate { input, .. } => format!("saving template {}", input.name),
        Effect::RetireTemplate(id) => format!("retiring template #{id}"),
        Effect::SavePersona { id, .. } => format!("saving persona #{id}"),
        Effect::GeneratePersonas { template, .. } => format!("generating {template} personas"),
        Effect::RetirePersona(id) => format!("retiring persona #{id}"),
        Effect::OpenEditor { .. } | Effect::Alert(_) | Effect::Quit => String::new(),
    }
}

/// Forwards NOTIFY payloads as `Changed` events; reconnects with backoff.
pub async fn listen(store: Store, tx: UnboundedSender<Event>) {
    let mut backoff = Duration::from_millis(500);
    loop {
        match session::listen(&store).await {
            Ok(mut l) => {
                backoff = Duration::from_millis(500);
                // `None`: the connection dropped; the health check reports it.
                while let Some(payload) = l.next().await {
                    if tx
                        .send(Event::Changed(Changed::from_payload(&payload)))
                        .is_err()
                    {
                        return;
                    }
                }
            }
            Err(e) => tracing::debug!(error = %e, "LISTEN failed"),
        }
        if tx.is_closed() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(15));
    }
}

/// Asks the database for a heartbeat: every 2 s while it answers, with backoff while it does
/// not, reporting each change of state.
pub async fn watch_database(store: Store, tx: UnboundedSender<Event>) {
    let mut up = true;
    let mut wait = Duration::from_secs(2);
    loop {
        tokio::time::sleep(wait).await;
        let ok = session::ping(&store).await;
        match (ok, up) {
            (Ok(_), false) => {
                up = true;
                wait = Duration::from_secs(2);
                if tx.send(Event::Database(DbStatus::Connected)).is_err() {
                    return;
                }
            }
            (Err(e), _) => {
                if up
                    && tx
                        .send(Event::Database(DbStatus::Lost(e.to_string())))
                        .is_err()
                {
                    return;
                }
                up = false;
                // Short enough that "db ok" comes back soon after the database does.
                wait = (wait * 2).min(Duration::from_secs(8));
            }
            (Ok(_), true) => {}
        }
        if tx.is_closed() {
            return;
        }
    }
}

//! Data arriving, changes other operators made, the database coming and going, and the outcome
//! of what this operator asked for.

use super::super::effect::{Effect, Query};
use super::super::event::{Changed, DbStatus, Done, Loaded};
use super::super::state::{DraftView, Pane, sort_shops, sort_targets};
use super::{App, draft_text, inbox_text, persona_text, shop_text, target_text};
use crate::store::InboxFilter;

/// The query that refills a pane.
pub(crate) fn reload_for(pane: Pane, inbox: &InboxFilter) -> Effect {
    Effect::Load(match pane {
        Pane::Dashboard => Query::Dashboard,
        Pane::Shops | Pane::Reports => Query::Shops,
        Pane::Review => Query::Review,
        Pane::Inbox => Query::Inbox(inbox.clone()),
        Pane::Targets => Query::Targets,
        Pane::Personas => Query::Personas,
    })
}

impl App {
    pub(super) fn loaded(&mut self, l: Loaded) -> Vec<Effect> {
        let mut out = Vec::new();
        match l {
            Loaded::Dashboard(d) => self.dashboard = Some(*d),
            Loaded::Shops(mut rows) => {
                sort_shops(&mut rows, self.shops_sort);
                self.shops.replace(rows, |s| s.id, shop_text)
            }
            Loaded::Review(rows) => {
                if let Some(d) = &self.draft
                    && d.busy.is_none()
                    && !rows.iter().any(|m| m.id == d.id())
                {
                    // Someone else approved or rejected it while we looked.
                    self.toast(format!("draft #{} was decided by another operator", d.id()));
                    self.draft = None;
                }
                self.review.replace(rows, |m| m.id, draft_text);
            }
            Loaded::Inbox(rows) => {
                let newest = rows.iter().map(|m| m.id.0).max();
                // After the first load everything newer than what we saw is new, also when
                // the inbox was empty then.
                let seen = match self.newest_inbound {
                    Some(n) => Some(n),
                    None if self.inbox.loaded => Some(0),
                    None => None,
                };
                if let (Some(seen), Some(_)) = (seen, newest) {
                    let fresh: Vec<_> = rows
                        .iter()
                        .filter(|m| m.id.0 > seen && !m.is_auto_reply && !m.is_bounce)
                        .collect();
                    if let Some(first) = fresh.first() {
                        let text = match fresh.len() {
                            1 => format!("new reply from {}", sender(first)),
                            n => format!("{n} new replies, latest from {}", sender(first)),
                        };
                        self.toast(text.clone());
                        out.push(Effect::Alert(text));
                    }
                }
                if newest > self.newest_inbound {
                    self.newest_inbound = newest;
                }
                self.inbox.replace(rows, |m| m.id, inbox_text);
            }
            Loaded::Targets(mut rows) => {
                sort_targets(&mut rows, self.targets_sort);
                self.targets.replace(rows, |t| t.id, target_text)
            }
            Loaded::Personas(rows) => self.personas.replace(rows, |p| p.id, persona_text),
            Loaded::Thread {
                shop,
                messages,
                facts,
                review,
            } => {
                if let Some(t) = &mut self.thread
                    && t.shop == shop
                {
                    t.messages = messages;
                    t.facts = facts;
                    // As a fact sheet reads: fees, terms, plans, amenities (stable within).
                    t.facts
                        .sort_by_key(|f| crate::domain::facts::sheet_place(&f.field_path));
                    t.review = review;
                    t.loaded = true;
                    // Start on the first fact shown (superseded ones are hidden).
                    if t.facts
                        .get(t.fact)
                        .is_none_or(|f| f.superseded_by.is_some())
                    {
                        t.fact = t
                            .facts
                            .iter()
                            .position(|f| f.superseded_by.is_none())
                            .unwrap_or(0);
                    }
                }
            }
            Loaded::Draft {
                draft,
                held_by,
                thread,
                missing,
                versions,
            } => {
                if let Some(who) = &held_by {
                    self.toast(format!("{who} is reviewing this draft: read-only"));
                }
                self.draft = Some(DraftView {
                    draft: *draft,
                    held_by,
                    thread,
                    missing,
                    editor: None,
                    busy: None,
                    scroll: 0,
                    seen: std::cell::Cell::new(None),
                    versions,
                    browsing: None,
                    diff: false,
                });
            }
            Loaded::Sync(states) => self.sync = states,
            Loaded::Outgoing(rows) => {
                // Settled messages are no longer watched; the last approved stays on show.
                self.watching.retain(|id| {
                    rows.iter().any(|r| {
                        r.id == *id
                            && r.status.is_some_and(|s| {
                                matches!(s.as_str(), "approved" | "queued" | "sending")
                            })
                    })
                });
                if let Some(last) = rows.into_iter().last() {
                    self.outgoing = Some(last);
                }
            }
            Loaded::Templates(rows) => self.templates.replace(rows, |t| t.id, |t| t.name.clone()),
            Loaded::Clients(names) => self.clients = names,
            Loaded::Target {
                target,
                shops,
                website,
            } => {
                if let Some(v) = &mut self.target_view
                    && v.target == target
                {
                    v.shops = shops;
                    v.website = website.map(|w| *w);
                    v.loaded = true;
                }
            }
            Loaded::Portfolio(text) => {
                if let Some(p) = &mut self.portfolio {
                    p.text = Some(text);
                }
            }
            Loaded::Report { shop, text } => {
                if let Some(r) = &mut self.report
                    && r.shop == shop
                {
                    r.text = Some(text);
                }
            }
        }
        out
    }

    /// Refreshes what a NOTIFY says changed, and only that.
    pub(super) fn changed(&mut self, c: &Changed) -> Vec<Effect> {
        let mut out = Vec::new();
        if !self.watching.is_empty() && self.watching.iter().any(|id| c.messages.contains(&id.0)) {
            out.push(Effect::Load(Query::Outgoing(self.watching.clone())));
        }
        if !c.messages.is_empty() {
            // New mail means a sync pass: its progress and time for the status bar.
            out.push(Effect::Load(Query::Sync));
            out.push(Effect::Load(Query::Review));
            if self.inbox.loaded {
                out.push(Effect::Load(Query::Inbox(self.inbox_filter.clone())));
            }
        }
        if !c.shops.is_empty() || !c.messages.is_empty() {
            // A message moves its shop's state and last activity.
            if self.shops.loaded {
                out.push(Effect::Load(Query::Shops));
            }
        }
        if let Some(t) = &self.thread {
            let ours = c.shops.contains(&t.shop.0)
                || t.messages.iter().any(|m| c.messages.contains(&m.id.0))
                || !c.messages.is_empty();
            if ours {
                out.push(Effect::Load(Query::Thread(t.shop)));
            }
        }
        out.push(Effect::Load(Query::Dashboard));
        out
    }

    pub(super) fn database(&mut self, s: DbStatus) -> Vec<Effect> {
        let was_lost = matches!(self.db, DbStatus::Lost(_));
        let out = match (&s, was_lost) {
            (DbStatus::Lost(e), false) => {
                self.last_error = Some(format!("database: {e}"));
                Vec::new()
            }
            (DbStatus::Connected, true) => {
                self.toast("database back");
                if self
                    .last_error
                    .as_deref()
                    .is_some_and(|e| e.starts_with("database"))
                {
                    self.last_error = None;
                }
                let mut out = self.start();
                // What is on screen too, also a pane first opened while the database was down.
                out.push(reload_for(self.pane, &self.inbox_filter));
                if self.show_templates {
                    out.push(Effect::Load(Query::Templates));
                }
                if let Some(d) = &self.draft
                    && d.held_by.is_none()
                {
                    out.push(Effect::OpenDraft(d.id()));
                }
                if let Some(v) = &self.target_view {
                    out.push(Effect::Load(Query::Target(v.target)));
                }
                if self.targets.loaded {
                    out.push(Effect::Load(Query::Targets));
                }
                if self.personas.loaded {
                    out.push(Effect::Load(Query::Personas));
                }
                if let Some(t) = &self.thread {
                    out.push(Effect::Load(Query::Thread(t.shop)));
                }
                let mut seen = Vec::new();
                out.retain(|e| {
                    let new = !seen.contains(e);
                    if new {
                        seen.push(e.clone());
                    }
                    new
                });
                out
            }
            _ => Vec::new(),
        };
        self.db = s;
        out
    }

    pub(super) fn done(&mut self, d: Done) -> Vec<Effect> {
        match d {
            Done::DraftApproved(id, until) => {
                match until {
                    Some(until) => {
                        self.undoable.push((id, until));
                        self.toast(format!(
                            "approved draft #{id}; `u` recalls it until {}",
                            until.format("%H:%M:%S")
                        ));
                    }
                    None => self.toast(format!(
                        "approved draft #{id}; it is sent in the send window"
                    )),
                }
                self.close_draft(id);
                self.watching.retain(|m| *m != id);
                self.watching.push(id);
                vec![
                    Effect::Load(Query::Review),
                    Effect::Load(Query::Shops),
                    Effect::Load(Query::Outgoing(self.watching.clone())),
                ]
            }
            Done::DraftRejected(id) => {
                self.toast(format!("rejected draft #{id}"));
                self.close_draft(id);
                vec![Effect::Load(Query::Review), Effect::Load(Query::Shops)]
            }
            Done::DraftSaved(row, versions) => {
                self.toast(saved_toast(versions.last()));
                if let Some(v) = &mut self.draft
                    && v.id() == row.id
                {
                    v.draft = *row;
                    v.editor = None;
                    v.busy = None;
                    v.versions = versions;
                    v.browsing = None;
                }
                vec![Effect::Load(Query::Review)]
            }
            Done::DraftReleased(_) => Vec::new(),
            Done::MessageAssigned(m, shop) => {
                self.toast(format!("message #{m} assigned to shop #{shop}"));
                vec![Effect::Load(Query::Inbox(self.inbox_filter.clone()))]
            }
            Done::ShopCancelled(id) => {
                self.toast(format!("shop #{id} cancelled"));
                vec![Effect::Load(Query::Shops)]
            }
            Done::SendRetried(id) => {
                self.toast(format!("message #{id} is back in the outbox"));
                vec![Effect::Load(Query::Shops)]
            }
            Done::Recalled(id) => {
                self.undoable.retain(|(m, _)| *m != id);
                self.toast(format!(
                    "recalled #{id}: it is back in the review queue, held by you"
                ));
                vec![Effect::Load(Query::Review), Effect::Load(Query::Shops)]
            }
            Done::DraftedNext(shop, draft) => {
                self.toast(format!(
                    "drafted #{draft} for shop #{shop}: it is in the review queue"
                ));
                vec![Effect::Load(Query::Shops)]
            }
            Done::FlagDecided(id, n, verdict, total) => {
                self.toast(format!("shop #{id}: flag {n} {verdict}; grade {total:.0}"));
                vec![Effect::Load(Query::Shops), Effect::Load(Query::Thread(id))]
            }
            Done::ShopGraded(id, total) => {
                self.toast(format!("shop #{id} graded: {total:.0}"));
                vec![Effect::Load(Query::Shops)]
            }
            Done::ReportExported(path) => {
                self.toast(format!("wrote {}", path.display()));
                Vec::new()
            }
            Done::GatherQueued(t) => {
                self.toast(format!("gathering target #{t}'s website in the background"));
                Vec::new()
            }
            Done::ShopStarted { shop, draft } => {
                self.toast(format!(
                    "shop #{shop} started; its inquiry (draft #{draft}) awaits review"
                ));
                vec![Effect::Load(Query::Shops), Effect::Load(Query::Review)]
            }
            Done::TargetSaved(id) => {
                self.modal = None;
                self.toast(format!("target #{id} saved"));
                vec![Effect::Load(Query::Targets)]
            }
            Done::PersonaSaved(id) => {
                self.modal = None;
                self.toast(format!("persona #{id} saved"));
                vec![Effect::Load(Query::Personas)]
            }
            Done::TemplateSaved(name) => {
                self.modal = None;
                self.show_templates = true;
                self.toast(format!(
                    "template {name} saved; n generates personas from it"
                ));
                vec![Effect::Load(Query::Templates)]
            }
            Done::TemplateRetired(id) => {
                self.toast(format!("template #{id} retired"));
                vec![Effect::Load(Query::Templates)]
            }
            Done::TargetsImported(n) => {
                self.toast(format!("imported {n} targets"));
                vec![Effect::Load(Query::Targets)]
            }
            Done::PersonasGenerated(n) => {
                self.toast(format!("generated {n} personas"));
                vec![Effect::Load(Query::Personas)]
            }
            Done::PersonaRetired(id) => {
                self.toast(format!("persona #{id} retired"));
                vec![Effect::Load(Query::Personas)]
            }
        }
    }

    fn close_draft(&mut self, id: crate::domain::ids::MessageId) {
        if self.draft.as_ref().is_some_and(|d| d.id() == id) {
            self.draft = None;
        }
    }
}

fn sender(m: &crate::store::InboxRow) -> String {
    m.target_name
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| m.from_addr.clone())
}

/// What the toast says a save made: which version, and how ("version 4 saved: offline,
/// following “shorter”").
fn saved_toast(v: Option<&crate::store::DraftVersion>) -> String {
    use crate::domain::message::VersionHow;
    let Some(v) = v else {
        return "draft saved".into();
    };
    match (v.how, &v.instructions, v.restored_from) {
        (_, _, Some(from)) => format!("version {from} restored as version {}", v.number),
        (VersionHow::Edit, _, _) => format!("your edit saved as version {}", v.number),
        (how, Some(i), _) => format!(
            "version {} drafted ({how}), following \u{201c}{i}\u{201d}",
            v.number
        ),
        (how, None, _) => format!("version {} drafted ({how})", v.number),
    }
}

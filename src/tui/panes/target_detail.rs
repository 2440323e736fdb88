//! One target: its details, its shops, and what its website said at the last gathering.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{pane_block, when};
use crate::report::format::{display_value, field_label, plan_summary, plan_title};
use crate::tui::app::App;
use crate::tui::state::TargetView;
use crate::tui::theme::Theme;

pub fn draw(v: &TargetView, app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    let t = app.targets.rows.iter().find(|t| t.id == v.target);
    let title = t
        .map(|t| {
            format!(
                " Target #{} — {} (e edits, w gathers the website) ",
                t.id, t.name
            )
        })
        .unwrap_or_else(|| format!(" Target #{} ", v.target));
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<18}"), theme.muted),
            Span::raw(value),
        ])
    };
    let mut lines = Vec::new();
    if let Some(t) = t {
        lines.push(field(
            "client",
            t.client.clone().unwrap_or_else(|| "no client".into()),
        ));
        lines.push(field(
            "address",
            format!("{}, {}, {} {}", t.street, t.city, t.state, t.zip),
        ));
        lines.push(field("phone", t.phone.clone()));
        lines.push(field("email", t.email.clone()));
        lines.push(field("website", t.website.clone()));
        lines.push(field("owners", t.owners.clone()));
        lines.push(field("manager", t.property_manager.clone()));
        lines.push(field(
            "time zone",
            t.time_zone.clone().unwrap_or_else(|| "(default)".into()),
        ));
        lines.push(field("tags", t.tags.join(", ")));
        lines.push(field("email status", t.email_status.to_string()));
        if !t.notes.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::raw(t.notes.clone()));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("Shops ({})", v.shops.len()),
        theme.title,
    ));
    if !v.loaded {
        lines.push(Line::styled("loading…", theme.muted));
    }
    for s in &v.shops {
        lines.push(Line::raw(format!(
            "#{:<4} {:<16} {:<15} {}",
            s.id,
            s.persona_name,
            s.status.as_str(),
            s.score.map(|x| format!("{x:.0}")).unwrap_or_default()
        )));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((v.scroll, 0))
            .block(pane_block(title, theme)),
        left,
    );
    let mut web = Vec::new();
    match &v.website {
        None if v.loaded => web.push(Line::styled(
            "never gathered: w reads the website",
            theme.muted,
        )),
        None => {}
        Some(w) => {
            web.push(Line::from(vec![
                Span::styled(format!("{} ", w.status), theme.title),
                Span::styled(
                    format!(
                        "{} · {} pages · {}",
                        when(w.finished_at.or(Some(w.started_at))),
                        w.pages.0.len(),
                        w.extracted_by.clone().unwrap_or_default()
                    ),
                    theme.muted,
                ),
            ]));
            if let Some(e) = &w.error {
                web.push(Line::styled(e.clone(), theme.error));
            }
            if let Some(c) = &w.community {
                for (k, v) in c.0.fields.iter() {
                    if let Some(v) = v {
                        web.push(Line::raw(format!(
                            "{:<20} {}",
                            field_label(k),
                            display_value(k, &v.value)
                        )));
                    }
                }
                if !c.0.floor_plans.is_empty() {
                    web.push(Line::styled("Floor plans", theme.title));
                }
                for p in &c.0.floor_plans {
                    // Its name and type, rooms, size, rent; its amenities and page after.
                    let mut line = format!(
                        " {}: {}",
                        plan_title(p.name.as_deref(), p.beds, "plan"),
                        plan_summary(p)
                    );
                    if let Some(t) = &p.plan_type {
                        line.push_str(&format!(", {t}"));
                    }
                    if !p.amenities.is_empty() {
                        line.push_str(&format!("; {}", p.amenities.join(", ")));
                    }
                    if let Some(u) = &p.url {
                        line.push_str(&format!(" <{u}>"));
                    }
                    web.push(Line::raw(line));
                }
                if !c.0.community_amenities.is_empty() {
                    web.push(Line::styled("Amenities", theme.title));
                }
                for a in &c.0.community_amenities {
                    web.push(Line::raw(match &a.description {
                        Some(d) => format!(" • {} — {d}", a.amenity),
                        None => format!(" • {}", a.amenity),
                    }));
                }
                if !c.0.community_pages.is_empty() {
                    web.push(Line::styled("Pages", theme.title));
                }
                for p in &c.0.community_pages {
                    web.push(Line::raw(format!(
                        " {} <{}>: {}",
                        p.name, p.url, p.overview
                    )));
                }
            }
        }
    }
    f.render_widget(
        Paragraph::new(web)
            .wrap(Wrap { trim: true })
            .block(pane_block(" Website ".into(), theme)),
        right,
    );
}

//! The dashboard: the loop at a glance. Figures come from `Store::dashboard`, loaded elsewhere.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};

use super::pane_block;
use crate::store::Dashboard;
use crate::tui::theme::Theme;

/// The least a bar chart's top stands for, so a handful of replies or grades is not a wall of
/// full bars.
const MIN_SCALE: u64 = 10;

pub fn draw(d: Option<&Dashboard>, theme: &Theme, f: &mut Frame, area: Rect) {
    let Some(d) = d else {
        f.render_widget(
            Paragraph::new(Span::styled("loading…", theme.muted))
                .block(pane_block(" Dashboard ".into(), theme)),
            area,
        );
        return;
    };
    let [top, charts, activity] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Min(6),
        Constraint::Length(7),
    ])
    .areas(area);
    let [figures, states] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(top);
    let fig = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<21}"), theme.muted),
            Span::styled(value, theme.title),
        ])
    };
    let median = d
        .median_first_response_minutes
        .map(|m| crate::report::format::duration(m.round() as i64))
        .unwrap_or_else(|| "—".into());
    let avg = d
        .average_score
        .map(|s| format!("{s:.0}/100 (n={})", d.graded_shops))
        .unwrap_or_else(|| "—".into());
    f.render_widget(
        Paragraph::new(vec![
            fig("pending reviews", d.pending_reviews.to_string()),
            fig(
                "replies today / week",
                format!("{} / {}", d.replies_today, d.replies_this_week),
            ),
            fig("median 1st response", median),
            fig("average score", avg),
        ])
        .block(pane_block(" Dashboard ".into(), theme)),
        figures,
    );
    let state_lines: Vec<Line> = d
        .shops_by_state
        .chunks(2)
        .map(|pair| {
            Line::from(
                pair.iter()
                    .map(|s| Span::raw(format!("{:<16}{:>4}  ", s.status.as_str(), s.count)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    f.render_widget(
        Paragraph::new(state_lines).block(pane_block(
            format!(" Shops by state ({} active) ", d.shops_active),
            theme,
        )),
        states,
    );
    let [per_day, scores] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(charts);
    let day_bars: Vec<Bar> = d
        .replies_per_day
        .iter()
        .map(|c| {
            Bar::default()
                .value(c.count.max(0) as u64)
                .label(Line::from(c.day.format("%d").to_string()))
        })
        .collect();
    // Bars scale from zero to a floor of their own: one reply on a quiet day is a short bar,
    // not a full one.
    let day_max = d
        .replies_per_day
        .iter()
        .map(|c| c.count.max(0) as u64)
        .max()
        .unwrap_or(0)
        .max(MIN_SCALE);
    f.render_widget(
        BarChart::default()
            .block(pane_block(" Replies per day (14 days) ".into(), theme))
            .max(day_max)
            .data(BarGroup::default().bars(&day_bars))
            .bar_width(2)
            .bar_gap(1)
            .bar_style(theme.inbound),
        per_day,
    );
    let score_bars: Vec<Bar> = d
        .score_distribution
        .iter()
        .map(|b| {
            Bar::default()
                .value(b.count.max(0) as u64)
                .label(Line::from(format!("{}", b.from_percent / 10)))
        })
        .collect();
    let score_max = d
        .score_distribution
        .iter()
        .map(|b| b.count.max(0) as u64)
        .max()
        .unwrap_or(0)
        .max(MIN_SCALE);
    f.render_widget(
        BarChart::default()
            .block(pane_block(" Scores (by tens) ".into(), theme))
            .max(score_max)
            .data(BarGroup::default().bars(&score_bars))
            .bar_width(2)
            .bar_gap(1)
            .bar_style(theme.outbound),
        scores,
    );
    let lines: Vec<Line> = d
        .recent_activity
        .iter()
        .take(activity.height.saturating_sub(2) as usize)
        .map(|a| {
            Line::from(vec![
                Span::styled(a.at.format("%m-%d %H:%M ").to_string(), theme.muted),
                Span::raw(format!(
                    "{:<10} {} {} #{}",
                    a.operator,
                    a.action,
                    a.entity_type,
                    a.entity_id.unwrap_or(0)
                )),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(pane_block(" Recent activity ".into(), theme)),
        activity,
    );
}

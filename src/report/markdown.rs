//! Markdown output: readable raw in a terminal, and rendered anywhere Markdown is. Every text
//! that came from outside (agents, websites, operators) is escaped, so an agent's `<script>` or
//! `|` cannot become markup or break a table.

use std::fmt::Write;

use crate::domain::community::LOW_CONFIDENCE;
use crate::domain::overrides::Verdict;

use super::RenderOptions;
use super::format::{duration, field_label, money, number, plan_title, price_range};
use super::model::{Category, Group, Portfolio, ShopReport};

/// Escapes text for inline Markdown (table cells included): punctuation that could start
/// markup gets a backslash, line breaks become spaces.
pub fn md(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        match c {
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            // Intra-word underscores (`pet_policy`) are no emphasis in CommonMark.
            '_' if !(word(prev) && word(next)) => out.push_str("\\_"),
            // Only what would read as an entity (`&lt;`, `&#60;`): `Q&A` stays as it is.
            '&' if entity_at(&chars[i + 1..]) => out.push_str("\\&"),
            _ => out.push(c),
        }
    }
    out
}

/// `lt;`, `#60;`, `amp;` ...: a name or number followed by `;`.
fn entity_at(rest: &[char]) -> bool {
    let n = rest
        .iter()
        .take(33)
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    n > 0 && rest.get(n) == Some(&';')
}

/// `1 amenity`, `2 amenities`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "-".into()
    } else {
        md(s)
    }
}

fn quote(evidence: &str, message: Option<crate::domain::ids::MessageId>) -> String {
    if evidence.trim().is_empty() {
        return "-".into();
    }
    match message {
        Some(m) => format!("\u{201c}{}\u{201d} (message {m})", md(evidence)),
        None => format!("\u{201c}{}\u{201d}", md(evidence)),
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{} %", number((r * 1000.0).round() / 10.0)))
        .unwrap_or_else(|| "-".into())
}

fn score(s: Option<f64>) -> String {
    s.map(|x| format!("{} %", number(x)))
        .unwrap_or_else(|| "-".into())
}

fn minutes(m: Option<f64>) -> String {
    m.map(|m| duration(m.round() as i64))
        .unwrap_or_else(|| "-".into())
}

fn row(out: &mut String, cells: &[String]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

fn header(out: &mut String, cells: &[&str]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
    let _ = writeln!(out, "|{}", cells.iter().map(|_| "---|").collect::<String>());
}

/// A shop's summary and grading report.
pub fn shop(r: &ShopReport, o: RenderOptions) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Mystery shop {}: {}\n", r.shop.id, md(&r.target.name));
    let _ = writeln!(
        w,
        "Times are in {}. Generated {} UTC.\n",
        r.time_zone,
        r.generated_at.format("%Y-%m-%d %H:%M")
    );

    header(w, &["", ""]);
    let p = &r.persona;
    let persona = format!(
        "{} ({}), budget {}, {} bd / {} ba{}",
        md(&p.name),
        md(&p.email),
        money(p.rental_budget as f64),
        p.bedrooms,
        number(p.bathrooms),
        if p.pets.trim().is_empty() {
            String::new()
        } else {
            format!(", pets: {}", md(&p.pets))
        }
    );
    let status = match &r.shop.status_reason {
        Some(why) => format!("{} ({})", r.shop.status, md(why)),
        None => r.shop.status.to_string(),
    };
    let t = &r.target;
    for (k, v) in [
        ("Property", or_dash(&t.name)),
        ("Address", or_dash(&t.address())),
        ("Property manager", or_dash(&t.property_manager)),
        ("Owners", or_dash(&t.owners)),
        ("Leasing email", or_dash(&t.email)),
        ("Phone", or_dash(&t.phone)),
        ("Website", or_dash(&t.website)),
        ("Persona", persona),
        (
            "Operator",
            or_dash(r.shop.operator.as_deref().unwrap_or_default()),
        ),
        ("Status", status),
        (
            "Started",
            r.shop.started_at.map_or("-".into(), |d| d.long()),
        ),
        ("Ended", r.shop.ended_at.map_or("-".into(), |d| d.long())),
        (
            "Checklist",
            if r.shop.checklist.is_empty() {
                "-".into()
            } else {
                r.shop
                    .checklist
                    .iter()
                    .map(|c| field_label(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
    ] {
        row(w, &[format!("**{k}**"), v]);
    }

    let _ = writeln!(w, "\n## Summary\n");
    let s = &r.summary;
    if s.facts.is_empty() && s.floor_plans.is_empty() && s.amenities.is_empty() {
        let _ = writeln!(w, "The agent has not given any facts yet.\n");
    }
    for cat in Category::ALL {
        let facts: Vec<_> = s.facts.iter().filter(|f| f.category == cat).collect();
        if facts.is_empty() {
            continue;
        }
        let _ = writeln!(w, "### {}\n", cat.title());
        let mut cols = vec!["Item", "Agent said", "Note"];
        if o.evidence {
            cols.push("Evidence");
        }
        header(w, &cols);
        for f in facts {
            let note = or_dash(&md(&f.note));
            let mut cells = vec![f.label.clone(), or_dash(&f.display), note];
            if o.evidence {
                cells.push(quote(&f.evidence, f.source_message_id));
            }
            row(w, &cells);
        }
        let _ = writeln!(w);
    }

    if !s.floor_plans.is_empty() {
        let _ = writeln!(w, "### Floor plans\n");
        let mut cols = vec!["Plan", "Type", "Beds", "Baths", "Sq ft", "Rent", "Deposit"];
        if o.evidence {
            cols.push("Evidence");
        }
        header(w, &cols);
        let n = |x: Option<f64>| x.map_or("-".into(), number);
        for p in &s.floor_plans {
            let mut title = md(&plan_title(p.name.as_deref(), p.beds, &p.key));
            if p.conflict {
                title.push_str(" (changed)");
            }
            if p.confidence.is_some_and(|c| c < LOW_CONFIDENCE) {
                title.push_str(" (check)");
            }
            let mut cells = vec![
                title,
                or_dash(p.plan_type.as_deref().unwrap_or_default()),
                n(p.beds),
                n(p.baths),
                n(p.sqft),
                price_range(p.min_rental_price, p.max_rental_price).unwrap_or_else(|| "-".into()),
                p.security_deposit.map_or("-".into(), money),
            ];
            if o.evidence {
                cells.push(quote(&p.evidence, p.source_message_id));
            }
            row(w, &cells);
        }
        let _ = writeln!(w);
    }

    if !s.amenities.is_empty() {
        let _ = writeln!(w, "### Amenities\n");
        if o.evidence {
            for a in &s.amenities {
                let _ = writeln!(
                    w,
                    "- {}: {}",
                    md(&a.name),
                    quote(&a.evidence, a.source_message_id)
                );
            }
        } else {
            let names: Vec<String> = s.amenities.iter().map(|a| md(&a.name)).collect();
            let _ = writeln!(w, "{}", names.join(", "));
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "### Website vs agent\n");
    match &s.website {
        None => {
            let _ = writeln!(w, "No website gathering for this property yet.\n");
        }
        Some(site) => {
            let _ = writeln!(
                w,
                "Compared with {} as gathered {} (snapshot {}: {}, {}, {}).\n",
                md(&site.url),
                site.gathered_at.long(),
                site.snapshot_id,
                plural(site.fields_found, "field", "fields"),
                plural(site.floor_plans, "floor plan", "floor plans"),
                plural(site.amenities, "amenity", "amenities")
            );
            if !site.pages.is_empty() {
                let _ = writeln!(w, "Its pages:\n");
                for p in &site.pages {
                    let _ = writeln!(w, "- {} <{}>: {}", md(&p.name), p.url, md(&p.overview));
                }
                let _ = writeln!(w);
            }
            if s.differences.is_empty() {
                let _ = writeln!(w, "No differences found.\n");
            } else {
                let mut cols = vec!["Item", "Website", "Agent", "Difference"];
                if o.evidence {
                    cols.extend(["Website evidence", "Agent evidence"]);
                }
                header(w, &cols);
                for d in &s.differences {
                    let what = match d.delta {
                        Some(x) if x > 0.0 => format!("{} (+{})", d.kind.label(), money(x)),
                        Some(x) => format!("{} ({})", d.kind.label(), money(x)),
                        None => d.kind.label().to_string(),
                    };
                    let mut cells = vec![
                        md(&d.label),
                        or_dash(d.website.as_deref().unwrap_or_default()),
                        or_dash(d.agent.as_deref().unwrap_or_default()),
                        what,
                    ];
                    if o.evidence {
                        cells.push(quote(&d.website_evidence, None));
                        cells.push(quote(&d.agent_evidence, None));
                    }
                    row(w, &cells);
                }
                let _ = writeln!(w);
            }
        }
    }

    let _ = writeln!(w, "### Missing\n");
    if s.missing.is_empty() {
        let _ = writeln!(w, "Every checklist item was answered.");
    } else {
        for m in &s.missing {
            let _ = writeln!(w, "- {} (on the checklist, not answered)", field_label(m));
        }
    }
    if !s.not_mentioned.is_empty() {
        let _ = writeln!(
            w,
            "\nNot mentioned by the agent: {}.",
            s.not_mentioned
                .iter()
                .map(|f| field_label(f))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let _ = writeln!(w, "\n## Grading\n");
    match &r.grading {
        None => {
            let _ = writeln!(w, "Not graded yet.");
        }
        Some(g) => {
            let _ = writeln!(
                w,
                "**Total: {} / {} ({} %)**, rubric {}, graded {} ({}).\n",
                number(g.total),
                number(g.max_total),
                number(g.percent),
                md(&g.rubric_version),
                g.graded_at.long(),
                md(&g.model)
            );
            if g.criteria_total > g.total {
                let _ = writeln!(
                    w,
                    "The criteria add up to {}; the fair-housing gate caps the total at {}.\n",
                    number(g.criteria_total),
                    number(g.total)
                );
            }
            if !g.flag_decisions.is_empty() {
                let _ = writeln!(w, "Fair-housing flags decided by an operator:\n");
                for d in &g.flag_decisions {
                    let why = if d.reason.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", md(&d.reason))
                    };
                    let effect = match d.verdict {
                        Verdict::Confirmed => "a violation, the cap stays",
                        Verdict::Cleared => "not a violation, no cap",
                    };
                    let _ = writeln!(
                        w,
                        "- \u{201c}{}\u{201d} ({}): {} by {}{why} ({effect})",
                        md(&d.quote),
                        md(&d.flag_reason),
                        d.verdict,
                        md(&d.operator)
                    );
                }
                let _ = writeln!(w);
            }
            if g.needs_review {
                let _ = writeln!(
                    w,
                    "> **Review needed.** An operator must confirm this grade before it is final:\n>"
                );
                for r in &g.review_reasons {
                    let _ = writeln!(w, "> - {}", md(r));
                }
                let _ = writeln!(w);
            } else {
                let _ = writeln!(w, "No fair-housing flags.\n");
            }
            let mut cols = vec!["Criterion", "Score", "Reason"];
            if o.evidence {
                cols.push("Evidence");
            }
            header(w, &cols);
            for c in &g.criteria {
                let mut reason = or_dash(&c.reason);
                if let Some(a) = &c.adjusted {
                    reason = format!(
                        "adjusted by {}: {} (machine: {}); {reason}",
                        md(&a.by),
                        md(&a.reason),
                        number(a.machine_score)
                    );
                }
                let mut cells = vec![
                    md(&c.name),
                    format!("{} / {}", number(c.score), number(c.max)),
                    reason,
                ];
                if o.evidence {
                    cells.push(if c.evidence.is_empty() {
                        "-".into()
                    } else {
                        c.evidence
                            .iter()
                            .map(|e| md(e))
                            .collect::<Vec<_>>()
                            .join("; ")
                    });
                }
                row(w, &cells);
            }
            let m = &g.metrics;
            let _ = writeln!(w, "\n### Measured\n");
            let first = match (m.first_response_minutes, m.first_response_business_minutes) {
                (Some(a), Some(b)) => {
                    format!("{} ({} in business hours)", duration(a), duration(b))
                }
                (Some(a), None) => duration(a),
                _ => "no reply".into(),
            };
            let _ = writeln!(w, "- First response: {first}");
            let _ = writeln!(
                w,
                "- Replies: {} (plus {})",
                m.replies,
                plural(m.auto_replies, "auto-reply", "auto-replies")
            );
            let _ = writeln!(w, "- Follow-ups sent: {}", m.follow_ups_sent);
            let _ = writeln!(
                w,
                "- Checklist: {} of {} answered, {} without being asked again",
                m.fields_answered, m.fields_required, m.fields_answered_unprompted
            );
            let _ = writeln!(
                w,
                "- Agent followed up unprompted: {}",
                if m.followed_up_unprompted {
                    "yes"
                } else {
                    "no"
                }
            );
        }
    }

    let _ = writeln!(w, "\n## Timeline\n");
    if r.timeline.is_empty() {
        let _ = writeln!(w, "Nothing sent or received yet.");
    } else {
        header(w, &["When", "Who", "Kind", "Subject", "Response time"]);
        for e in &r.timeline {
            let response = match (e.response_minutes, e.first_response) {
                (Some(m), true) => format!("{} (first response)", duration(m)),
                (Some(m), false) => duration(m),
                (None, _) => "-".into(),
            };
            row(
                w,
                &[
                    e.at.long(),
                    e.author.label().to_string(),
                    e.kind.replace('_', " "),
                    or_dash(&e.subject),
                    response,
                ],
            );
        }
    }
    if !r.decisions.is_empty() {
        let _ = writeln!(w, "\n## Decisions\n");
        let _ = writeln!(w, "What operators decided on this shop, oldest first.\n");
        header(w, &["When", "Operator", "Decision", "Reason"]);
        for d in &r.decisions {
            row(
                w,
                &[
                    d.at.long(),
                    md(&d.operator),
                    md(&d.summary),
                    or_dash(&md(d.reason.as_deref().unwrap_or_default())),
                ],
            );
        }
    }
    out
}

fn group_table(out: &mut String, title: &str, what: &str, groups: &[Group]) {
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## {title}\n");
    header(
        out,
        &[
            what,
            "Shops",
            "Completed",
            "Completion rate",
            "Median first response",
            "Average score",
        ],
    );
    for g in groups {
        row(
            out,
            &[
                md(&g.key),
                g.totals.shops.to_string(),
                g.totals.completed.to_string(),
                percent(g.totals.completion_rate),
                minutes(g.totals.median_first_response_minutes),
                score(g.totals.average_score),
            ],
        );
    }
}

/// The portfolio across targets, managers, operators and months.
pub fn portfolio(p: &Portfolio) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Portfolio\n");
    let mut scope = Vec::new();
    match (p.filter.from, p.filter.to) {
        (Some(f), Some(t)) => scope.push(format!("shops started {f} to {t}")),
        (Some(f), None) => scope.push(format!("shops started from {f}")),
        (None, Some(t)) => scope.push(format!("shops started up to {t}")),
        (None, None) => scope.push("all shops".to_string()),
    }
    if let Some(c) = &p.filter.client {
        scope.push(format!("client \u{201c}{}\u{201d}", md(c)));
    }
    if let Some(m) = &p.filter.manager {
        scope.push(format!(
            "property manager matching \u{201c}{}\u{201d}",
            md(m)
        ));
    }
    let _ = writeln!(
        w,
        "{}. Dates in {}; each shop's times in its property's zone. Generated {} UTC.\n",
        capitalise_first(&scope.join(", ")),
        p.time_zone,
        p.generated_at.format("%Y-%m-%d %H:%M")
    );

    let t = &p.totals;
    header(
        w,
        &[
            "Shops",
            "Finished",
            "Completed",
            "Completion rate",
            "Replied",
            "Median first response",
            "Graded",
            "Average score",
            "Median score",
        ],
    );
    row(
        w,
        &[
            t.shops.to_string(),
            t.finished.to_string(),
            t.completed.to_string(),
            percent(t.completion_rate),
            t.replied.to_string(),
            minutes(t.median_first_response_minutes),
            t.graded.to_string(),
            score(t.average_score),
            score(t.median_score),
        ],
    );
    let _ = writeln!(
        w,
        "\nCompletion rate: completed shops out of finished ones, cancelled shops left out."
    );

    let _ = writeln!(w, "\n## First response times\n");
    header(w, &["First response", "Shops"]);
    for b in &p.response_times {
        row(w, &[b.label.clone(), b.count.to_string()]);
    }

    let _ = writeln!(w, "\n## Scores\n");
    header(w, &["Score (% of maximum)", "Shops"]);
    for b in &p.score_distribution {
        row(w, &[b.label.clone(), b.count.to_string()]);
    }

    let _ = writeln!(w, "\n## Fees\n");
    header(w, &["Fee", "Shops", "Min", "Median", "Max", "Mean"]);
    let m = |x: Option<f64>| x.map_or("-".into(), money);
    for f in &p.fees {
        row(
            w,
            &[
                f.label.clone(),
                f.shops.to_string(),
                m(f.min),
                m(f.median),
                m(f.max),
                m(f.mean),
            ],
        );
    }

    group_table(w, "By property manager", "Manager", &p.by_manager);
    group_table(w, "By target", "Target", &p.by_target);
    group_table(w, "By operator", "Operator", &p.by_operator);
    group_table(w, "By month", "Month", &p.by_month);

    let _ = writeln!(w, "\n## Shops\n");
    if p.shops.is_empty() {
        let _ = writeln!(w, "No shops match.");
        return out;
    }
    header(
        w,
        &[
            "Shop",
            "Target",
            "Manager",
            "Operator",
            "Persona",
            "Status",
            "Started",
            "First response",
            "Score",
        ],
    );
    for s in &p.shops {
        let sc = match (s.score, s.max_score) {
            (Some(a), Some(b)) => format!(
                "{} / {}{}",
                number(a),
                number(b),
                if s.needs_review == Some(true) {
                    " (review)"
                } else {
                    ""
                }
            ),
            _ => "-".into(),
        };
        row(
            w,
            &[
                s.shop_id.to_string(),
                md(&s.target),
                or_dash(&s.manager),
                or_dash(s.operator.as_deref().unwrap_or_default()),
                md(&s.persona),
                s.status.to_string(),
                s.started_at.plain(),
                s.first_response_minutes.map_or("-".into(), duration),
                sc,
            ],
        );
    }

    let _ = writeln!(w, "\n## Fee comparison\n");
    let mut cols = vec!["Shop".to_string(), "Target".to_string()];
    cols.extend(p.fees.iter().map(|f| f.label.clone()));
    let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    header(w, &refs);
    for s in &p.shops {
        let mut cells = vec![s.shop_id.to_string(), md(&s.target)];
        cells.extend(
            p.fees
                .iter()
                .map(|f| m(s.fees.get(&f.field).copied().flatten())),
        );
        row(w, &cells);
    }
    out
}

fn capitalise_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_outside_text_is_escaped() {
        assert_eq!(
            md("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(md("a | b\nc"), "a \\| b c");
        assert_eq!(md("pet_policy"), "pet_policy");
        assert_eq!(md("_emph_ *bold*"), "\\_emph\\_ \\*bold\\*");
        assert_eq!(md("Q&A &lt;"), "Q&A \\&lt;");
        assert_eq!(md("[link](x)"), "\\[link\\](x)");
    }
}

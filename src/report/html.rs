//! HTML output: one self-contained file (inline CSS, inline SVG charts, no scripts, no external
//! resources; a Content-Security-Policy forbids them anyway), readable printed. Templates are in
//! `assets/reports/` (minijinja, HTML auto-escaping on: every value is escaped unless it is one
//! of our own charts or the stylesheet).

use minijinja::value::Value as JValue;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::{Value, json};

use super::format::{duration, field_label, money, number, plan_title, price_range};
use super::model::{Category, Portfolio, ShopReport};
use super::svg::{Bar, bar_chart, escape};
use super::{RenderOptions, ReportError};

const CSS: &str = include_str!("../../assets/reports/report.css");
const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html.j2",
        include_str!("../../assets/reports/base.html.j2"),
    ),
    (
        "shop.html.j2",
        include_str!("../../assets/reports/shop.html.j2"),
    ),
    (
        "portfolio.html.j2",
        include_str!("../../assets/reports/portfolio.html.j2"),
    ),
];

/// The host a link may point to: the property's own site. Anything else is shown as text.
fn site_host(website: &str) -> Option<String> {
    let with_scheme = if website.contains("://") {
        website.to_string()
    } else {
        format!("https://{}", website.trim())
    };
    let u = url::Url::parse(&with_scheme).ok()?;
    Some(
        u.host_str()?
            .trim_start_matches("www.")
            .to_ascii_lowercase(),
    )
}

/// `url` if it is an http(s) link to the property's own site (`host`), else nothing.
pub fn own_link(url: &str, host: Option<&str>) -> Option<String> {
    let host = host?;
    let u = url::Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let h = u
        .host_str()?
        .trim_start_matches("www.")
        .to_ascii_lowercase();
    (h == host || h.ends_with(&format!(".{host}"))).then(|| u.to_string())
}

fn opt_f64(v: &JValue) -> Option<f64> {
    if v.is_none() || v.is_undefined() {
        return None;
    }
    f64::try_from(v.clone()).ok()
}

fn environment(link_host: Option<String>) -> Result<Environment<'static>, ReportError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    // minijinja's HTML escaping also turns `/` into `&#x2f;`; the five characters that matter
    // are enough and keep links and text readable in the source.
    env.set_formatter(|out, state, value| {
        let text = value.to_string();
        if value.is_safe() || state.auto_escape() == AutoEscape::None {
            out.write_str(&text)?;
        } else {
            out.write_str(&escape(&text))?;
        }
        Ok(())
    });
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, src) in TEMPLATES {
        env.add_template(name, src)
            .map_err(|e| ReportError::Render(format!("template {name}: {e}")))?;
    }
    let dash = || "-".to_string();
    env.add_filter("money", move |v: JValue| {
        opt_f64(&v).map_or_else(dash, money)
    });
    env.add_filter("num", move |v: JValue| {
        opt_f64(&v).map_or_else(dash, number)
    });
    env.add_filter("dur", move |v: JValue| {
        opt_f64(&v).map_or_else(dash, |m| duration(m.round() as i64))
    });
    env.add_filter("pct", move |v: JValue| {
        opt_f64(&v).map_or_else(dash, |r| {
            format!("{} %", number((r * 1000.0).round() / 10.0))
        })
    });
    env.add_filter("score", move |v: JValue| {
        opt_f64(&v).map_or_else(dash, |s| format!("{} %", number(s)))
    });
    env.add_filter("when", move |v: JValue| {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map_or_else(dash, |d| d.format("%a %-d %b %Y %H:%M").to_string())
    });
    env.add_filter("label", |v: String| field_label(&v));
    env.add_filter("own_link", move |v: JValue| {
        v.as_str()
            .and_then(|u| own_link(u, link_host.as_deref()))
            .map_or(JValue::from(()), JValue::from)
    });
    Ok(env)
}

fn render(env: &Environment<'_>, name: &str, ctx: JValue) -> Result<String, ReportError> {
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| ReportError::Render(format!("{name}: {e:#}")))
}

fn safe(s: String) -> JValue {
    JValue::from_safe_string(s)
}

/// The shop report as a page.
pub fn shop(r: &ShopReport, o: RenderOptions) -> Result<String, ReportError> {
    let mut v = serde_json::to_value(r).map_err(|e| ReportError::Render(e.to_string()))?;
    // What the template shows but the model does not store: readable plan titles and rents,
    // difference labels.
    for (i, p) in r.summary.floor_plans.iter().enumerate() {
        v["summary"]["floor_plans"][i]["title"] =
            json!(plan_title(p.name.as_deref(), p.beds, &p.key));
        v["summary"]["floor_plans"][i]["rent"] =
            json!(price_range(p.min_rental_price, p.max_rental_price));
    }
    for (i, d) in r.summary.differences.iter().enumerate() {
        v["summary"]["differences"][i]["kind_label"] = json!(d.kind.label());
        v["summary"]["differences"][i]["delta_text"] = json!(d.delta.map(|x| if x > 0.0 {
            format!("(+{})", money(x))
        } else {
            format!("({})", money(x))
        }));
    }
    let categories: Vec<Value> = Category::ALL
        .iter()
        .map(|c| json!({ "key": c, "title": c.title() }))
        .collect();

    let score_chart = r.grading.as_ref().map(|g| {
        let bars: Vec<Bar> = g
            .criteria
            .iter()
            .map(|c| {
                Bar::new(
                    c.name.clone(),
                    c.score,
                    format!("{} / {}", number(c.score), number(c.max)),
                )
                .out_of(c.max)
            })
            .collect();
        bar_chart("Score by criterion", &bars)
    });
    let reply_bars: Vec<Bar> = r
        .timeline
        .iter()
        .filter_map(|e| {
            let m = e.response_minutes?;
            Some(Bar::new(
                format!("{} {}", e.author.label(), e.at.short()),
                m as f64,
                duration(m),
            ))
        })
        .collect();
    let response_chart =
        (!reply_bars.is_empty()).then(|| bar_chart("Time to each reply", &reply_bars));

    let env = environment(site_host(&r.target.website))?;
    let ctx = minijinja::context! {
        r => JValue::from_serialize(&v),
        evidence => o.evidence,
        address => r.target.address(),
        categories => categories,
        css => safe(CSS.to_string()),
        generated => r.generated_at.format("%Y-%m-%d %H:%M").to_string(),
        score_chart => safe(score_chart.unwrap_or_default()),
        response_chart => safe(response_chart.unwrap_or_default()),
    };
    render(&env, "shop.html.j2", ctx)
}

/// The portfolio as a page.
pub fn portfolio(p: &Portfolio, _o: RenderOptions) -> Result<String, ReportError> {
    let response_chart = bar_chart(
        "Shops by first response time",
        &p.response_times
            .iter()
            .map(|b| Bar::new(b.label.clone(), b.count as f64, b.count.to_string()))
            .collect::<Vec<_>>(),
    );
    let score_chart = bar_chart(
        "Shops by score (% of maximum)",
        &p.score_distribution
            .iter()
            .map(|b| {
                Bar::new(
                    format!("{} %", b.label),
                    b.count as f64,
                    b.count.to_string(),
                )
            })
            .collect::<Vec<_>>(),
    );
    let manager_bars: Vec<Bar> = p
        .by_manager
        .iter()
        .filter_map(|g| {
            let s = g.totals.average_score?;
            Some(Bar::new(g.key.clone(), s, format!("{} %", number(s))).out_of(100.0))
        })
        .collect();
    let manager_chart = if manager_bars.is_empty() {
        String::new()
    } else {
        bar_chart("Average score by property manager", &manager_bars)
    };
    let mut scope = match (p.filter.from, p.filter.to) {
        (Some(f), Some(t)) => format!("Shops started {f} to {t}"),
        (Some(f), None) => format!("Shops started from {f}"),
        (None, Some(t)) => format!("Shops started up to {t}"),
        (None, None) => "All shops".to_string(),
    };
    if let Some(c) = &p.filter.client {
        scope.push_str(&format!(", client \u{201c}{c}\u{201d}"));
    }
    if let Some(m) = &p.filter.manager {
        scope.push_str(&format!(", property manager matching \u{201c}{m}\u{201d}"));
    }
    let groups = json!([
        { "title": "By property manager", "what": "Manager", "rows": p.by_manager },
        { "title": "By target", "what": "Target", "rows": p.by_target },
        { "title": "By operator", "what": "Operator", "rows": p.by_operator },
        { "title": "By month", "what": "Month", "rows": p.by_month },
    ]);
    let env = environment(None)?;
    let ctx = minijinja::context! {
        p => JValue::from_serialize(p),
        scope => scope,
        groups => JValue::from_serialize(&groups),
        css => safe(CSS.to_string()),
        generated => p.generated_at.format("%Y-%m-%d %H:%M").to_string(),
        response_chart => safe(response_chart),
        score_chart => safe(score_chart),
        manager_chart => safe(manager_chart),
    };
    render(&env, "portfolio.html.j2", ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_propertys_own_http_links_are_links() {
        let host = site_host("https://www.grove.test/");
        let host = host.as_deref();
        assert_eq!(host, Some("grove.test"));
        assert_eq!(
            own_link("https://grove.test/plans", host).as_deref(),
            Some("https://grove.test/plans")
        );
        assert!(own_link("http://leasing.grove.test/", host).is_some());
        assert_eq!(own_link("https://evil.test/grove.test", host), None);
        assert_eq!(own_link("javascript:alert(1)", host), None);
        assert_eq!(own_link("https://grove.test.evil.test/", host), None);
        assert_eq!(own_link("https://grove.test/", None), None);
        assert_eq!(site_host("grove.test").as_deref(), Some("grove.test"));
    }
}

//! Reports against the real Postgres: a graded shop with fixed timestamps rendered as Markdown,
//! CSV and JSON (insta snapshots), HTML checked for being self-contained and escaped, the JSON
//! checked against docs/reports.md, the portfolio's and the dashboard's figures on a seeded set.

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Chicago;
use serde_json::{Value, json};

use secret_shop::domain::community::{Amenity, Extraction, FairHousingFlag, FloorPlan};
use secret_shop::domain::grading::Metrics;
use secret_shop::domain::ids::{MessageId, ShopId};
use secret_shop::domain::persona::NewPersona;
use secret_shop::domain::rubric::Rubric;
use secret_shop::domain::target::TargetInput;
use secret_shop::report::{
    Format, PortfolioQuery, RenderOptions, ReportError, portfolio, render_portfolio, render_shop,
    shop_report,
};
use secret_shop::store::{Actor, Store};

fn utc(month: u32, day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, h, m, 0).unwrap()
}

/// When the fixed reports say they were generated.
fn generated() -> DateTime<Utc> {
    utc(11, 26, 12, 0)
}

async fn target(store: &Store, actor: &Actor, name: &str, manager: &str) -> i64 {
    let slug = name.split_whitespace().next().unwrap().to_lowercase();
    let t = store
        .insert_target(
            actor,
            &TargetInput {
                name: name.into(),
                street: "100 Main St".into(),
                city: "Austin".into(),
                state: "TX".into(),
                zip: "78701".into(),
                phone: "512-555-0100".into(),
                email: format!("leasing@{slug}.test"),
                website: format!("https://www.{slug}.test/"),
                owners: "Grove Holdings LLC".into(),
                property_manager: manager.into(),
                time_zone: Some("America/Chicago".into()),
                ..Default::default()
            }
            .validated()
            .unwrap(),
        )
        .await
        .unwrap();
    t.id.0
}

async fn persona(store: &Store, actor: &Actor, first: &str, last: &str) -> i64 {
    let p = store
        .insert_personas(
            actor,
            &[NewPersona {
                template_id: None,
                first_name: first.into(),
                last_name: last.into(),
                email: format!("{}.{}@shop.test", first.to_lowercase(), last.to_lowercase()),
                phone: String::new(),
                rental_budget: 1800,
                bedrooms: 2,
                bathrooms: 1.0,
                preferences: "quiet, near transit".into(),
                pets: "one cat".into(),
                credit_score: 720,
                monthly_income: 6200,
                additional_occupants: String::new(),
                rental_history: "two years at current place".into(),
                writing_style: "brief".into(),
                move_in_date: NaiveDate::from_ymd_opt(2026, 12, 15),
            }],
        )
        .await
        .unwrap();
    p[0].id.0
}

async fn shop(store: &Store, actor: &Actor, target: i64, persona: i64, checklist: &[&str]) -> i64 {
    let required: Vec<String> = checklist.iter().map(|s| s.to_string()).collect();
    store
        .create_shop(
            actor,
            secret_shop::domain::ids::TargetId(target),
            secret_shop::domain::ids::PersonaId(persona),
            &required,
        )
        .await
        .unwrap()
        .id
        .0
}

/// A message as it would be after sending or receiving.
struct Msg<'a> {
    shop: Option<i64>,
    outbound: bool,
    kind: &'a str,
    status: Option<&'a str>,
    at: DateTime<Utc>,
    from: (&'a str, &'a str),
    subject: &'a str,
    auto: bool,
    bounce: bool,
}

impl<'a> Msg<'a> {
    fn sent(shop: i64, kind: &'a str, at: DateTime<Utc>, subject: &'a str) -> Msg<'a> {
        Msg {
            shop: Some(shop),
            outbound: true,
            kind,
            status: Some("sent"),
            at,
            from: ("Jane Porter", "jane.porter@shop.test"),
            subject,
            auto: false,
            bounce: false,
        }
    }

    fn reply(shop: i64, at: DateTime<Utc>, subject: &'a str) -> Msg<'a> {
        Msg {
            shop: Some(shop),
            outbound: false,
            kind: "response",
            status: None,
            at,
            from: ("Maria Lopez", "leasing@grove.test"),
            subject,
            auto: false,
            bounce: false,
        }
    }
}

async fn insert(store: &Store, m: Msg<'_>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO messages (shop_id, direction, kind, status, from_name, from_addr, subject,
                               is_auto_reply, is_bounce, responder_kind, sent_at, received_at,
                               created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                 CASE WHEN $2 = 'outbound' AND $4 = 'sent' THEN $11 END,
                 CASE WHEN $2 = 'inbound' THEN $11 END, $11)
         RETURNING id",
    )
    .bind(m.shop)
    .bind(if m.outbound { "outbound" } else { "inbound" })
    .bind(m.kind)
    .bind(m.status)
    .bind(m.from.0)
    .bind(m.from.1)
    .bind(m.subject)
    .bind(m.auto)
    .bind(m.bounce)
    .bind(if m.outbound {
        None
    } else if m.auto {
        Some("auto")
    } else {
        Some("human")
    })
    .bind(m.at)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

async fn set_shop(
    store: &Store,
    id: i64,
    status: &str,
    reason: &str,
    started: DateTime<Utc>,
    ended: Option<DateTime<Utc>>,
) {
    sqlx::query(
        "UPDATE shops SET status = $2, status_reason = $3, started_at = $4, created_at = $4,
                          updated_at = $4, ended_at = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(reason)
    .bind(started)
    .bind(ended)
    .execute(store.pool())
    .await
    .unwrap();
}

/// Grades with the default rubric at fractions giving roughly `percent`, at a fixed time.
async fn grade(
    store: &Store,
    shop: i64,
    fraction: f64,
    flags: Vec<FairHousingFlag>,
    metrics: &Metrics,
    at: DateTime<Utc>,
) -> f64 {
    let scores = [
        "responsiveness",
        "completeness",
        "follow_through",
        "professionalism",
    ]
    .iter()
    .map(|k| {
        (
            k.to_string(),
            fraction,
            format!("{k} at {:.0} %", fraction * 100.0),
            vec![],
        )
    })
    .collect();
    let g = Rubric::default_rubric().grade(scores, flags);
    store
        .insert_grade("tester", ShopId(shop), &g, metrics, "offline")
        .await
        .unwrap();
    sqlx::query("UPDATE grades SET created_at = $2 WHERE shop_id = $1 AND is_current")
        .bind(shop)
        .bind(at)
        .execute(store.pool())
        .await
        .unwrap();
    g.total
}

async fn set_fees(store: &Store, shop: i64, message: i64, fees: &[(&str, f64)]) {
    let mut e = Extraction::empty();
    for (f, v) in fees {
        e.set(f, json!(v), &format!("{f} is ${v}"));
    }
    store
        .apply_extraction(ShopId(shop), Some(MessageId(message)), &e, "offline")
        .await
        .unwrap();
}

/// One completed, graded shop of The Grove with a website gathering, everything at fixed times.
async fn seed_grove(store: &Store) -> ShopId {
    let actor = store.actor("tester").await.unwrap();
    let t = target(store, &actor, "Grove Apartments", "Greystar").await;
    let p = persona(store, &actor, "Jane", "Porter").await;
    let s = shop(
        store,
        &actor,
        t,
        p,
        &[
            "application_fee",
            "administration_fee",
            "pet_policy",
            "floor_plans",
            "availability",
            "parking",
        ],
    )
    .await;

    insert(
        store,
        Msg::sent(
            s,
            "inquiry",
            utc(11, 23, 15, 30),
            "Two-bedroom for December?",
        ),
    )
    .await;
    insert(
        store,
        Msg {
            auto: true,
            from: ("The Grove", "noreply@grove.test"),
            ..Msg::reply(s, utc(11, 23, 15, 31), "Thanks for contacting The Grove")
        },
    )
    .await;
    let first = insert(
        store,
        Msg::reply(s, utc(11, 23, 17, 0), "Re: Two-bedroom for December?"),
    )
    .await;
    insert(
        store,
        Msg::sent(
            s,
            "follow_up",
            utc(11, 23, 21, 0),
            "Re: Two-bedroom for December?",
        ),
    )
    .await;
    let second = insert(
        store,
        Msg::reply(s, utc(11, 24, 15, 15), "Re: Two-bedroom for December?"),
    )
    .await;
    // A draft nobody approved: not part of the thread.
    insert(
        store,
        Msg {
            status: Some("pending_review"),
            ..Msg::sent(s, "nudge", utc(11, 25, 15, 0), "Just checking in")
        },
    )
    .await;

    let mut e = Extraction::empty();
    e.set(
        "application_fee",
        json!(50),
        "The application fee is $50 per adult.",
    );
    e.set(
        "administration_fee",
        json!(150),
        "there's also a $150 admin fee",
    );
    e.set(
        "pet_policy",
        json!("Cats and small dogs welcome | 2 pets max"),
        "Cats and small dogs are welcome, 2 pets max",
    );
    e.set(
        "specials",
        json!("6 weeks free <script>alert('x')</script>"),
        "6 weeks free if you sign by Dec 15 <script>alert('x')</script>",
    );
    e.floor_plans.push(FloorPlan {
        name: Some("The Aspen".into()),
        beds: Some(2.0),
        baths: Some(1.0),
        sqft: Some(950.0),
        min_rental_price: Some(1725.0),
        max_rental_price: Some(1900.0),
        url: Some("https://www.grove.test/plans/aspen".into()),
        evidence: "The Aspen, our 2x1 at 950 sq ft, runs $1,725-$1,900".into(),
        ..Default::default()
    });
    e.floor_plans.push(FloorPlan {
        beds: Some(1.0),
        baths: Some(1.0),
        min_rental_price: Some(1350.0),
        url: Some("https://evil.test/phish".into()),
        evidence: "one-bedrooms start at $1,350".into(),
        ..Default::default()
    });
    e.community_amenities.push(Amenity {
        amenity: "Pool".into(),
        description: None,
        evidence: "our resort-style pool".into(),
        confidence: None,
    });
    e.community_amenities.push(Amenity {
        amenity: "Fitness center".into(),
        description: None,
        evidence: "24-hour fitness center".into(),
        confidence: None,
    });
    store
        .apply_extraction(ShopId(s), Some(MessageId(first)), &e, "offline")
        .await
        .unwrap();
    let mut e = Extraction::empty();
    e.set(
        "administration_fee",
        json!(0),
        "Good news: we waived the admin fee",
    );
    e.set(
        "availability",
        json!("December 1"),
        "The Aspen is available December 1",
    );
    e.set("pet_deposit", json!(300), "$300 pet deposit");
    store
        .apply_extraction(ShopId(s), Some(MessageId(second)), &e, "offline")
        .await
        .unwrap();

    let metrics = Metrics {
        first_response_minutes: Some(90),
        first_response_business_minutes: Some(90),
        replies: 2,
        auto_replies: 1,
        follow_ups_sent: 1,
        fields_required: 6,
        fields_answered: 5,
        fields_answered_unprompted: 4,
        followed_up_unprompted: false,
    };
    let flags = vec![FairHousingFlag {
        quote: "the building is better suited to adults".into(),
        reason: "familial status".into(),
    }];
    grade(store, s, 0.75, flags, &metrics, utc(11, 25, 16, 5)).await;

    let mut site = Extraction::empty();
    site.set("application_fee", json!(50), "Application fee: $50");
    site.set("security_deposit", json!(500), "Deposit from $500");
    site.set(
        "parking",
        json!("Garage parking, $75/month"),
        "Garage parking $75/mo",
    );
    site.floor_plans.push(FloorPlan {
        name: Some("The Aspen".into()),
        beds: Some(2.0),
        baths: Some(1.0),
        min_rental_price: Some(1650.0),
        evidence: "The Aspen 2 bd 1 ba from $1,650".into(),
        ..Default::default()
    });
    site.floor_plans.push(FloorPlan {
        name: Some("The Birch".into()),
        beds: Some(3.0),
        baths: Some(2.0),
        min_rental_price: Some(2100.0),
        evidence: "The Birch 3 bd 2 ba from $2,100".into(),
        ..Default::default()
    });
    site.community_amenities.push(Amenity {
        amenity: "Pool".into(),
        description: None,
        evidence: "Pool".into(),
        confidence: None,
    });
    sqlx::query(
        "INSERT INTO website_snapshots (target_id, status, root_url, community, started_at,
                                        finished_at)
         VALUES ($1, 'ok', 'https://www.grove.test/', $2, $3, $3)",
    )
    .bind(t)
    .bind(serde_json::to_value(&site).unwrap())
    .bind(utc(11, 22, 14, 0))
    .execute(store.pool())
    .await
    .unwrap();

    set_shop(
        store,
        s,
        "completed",
        "checklist complete",
        utc(11, 23, 15, 25),
        Some(utc(11, 25, 16, 0)),
    )
    .await;
    ShopId(s)
}

async fn grove_report(store: &Store) -> secret_shop::report::ShopReport {
    let id = seed_grove(store).await;
    shop_report(store, id, chrono_tz::UTC, generated())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_graded_shop_renders_as_markdown_csv_and_json() {
    let (store, _) = common::fresh_database().await;
    let r = grove_report(&store).await;
    assert_eq!(
        r.time_zone, "America/Chicago",
        "the target's zone, not the default"
    );

    let md = render_shop(&r, Format::Markdown, RenderOptions { evidence: true }).unwrap();
    insta::assert_snapshot!("shop_md_evidence", md);
    let plain = render_shop(&r, Format::Markdown, RenderOptions::default()).unwrap();
    assert!(
        !plain.contains("waived the admin fee"),
        "quotes only on demand"
    );
    assert!(plain.contains("| Administration fee | $0 | conflict; earlier: $150 |"));

    let csv = render_shop(&r, Format::Csv, RenderOptions::default()).unwrap();
    insta::assert_snapshot!("shop_csv", csv);
    let json = render_shop(&r, Format::Json, RenderOptions::default()).unwrap();
    insta::assert_snapshot!("shop_json", json);
}

#[tokio::test]
async fn the_html_report_is_self_contained_escaped_and_printable() {
    let (store, _) = common::fresh_database().await;
    let r = grove_report(&store).await;
    let html = render_shop(&r, Format::Html, RenderOptions { evidence: true }).unwrap();

    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "inline charts");
    assert!(html.contains("Score by criterion") && html.contains("Time to each reply"));
    assert!(html.contains("@media print"));
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "the planted script is escaped");
    assert!(html.contains("&lt;script&gt;"));
    for banned in ["<link", "@import", "url(", "<img", "<iframe", " src="] {
        assert!(!lower.contains(banned), "no external resource ({banned})");
    }
    // Links only to the property's own site; the agent's off-site link stays text.
    let hrefs: Vec<&str> = html
        .split("href=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(!hrefs.is_empty());
    for h in &hrefs {
        assert!(h.starts_with("https://www.grove.test/"), "foreign link {h}");
    }
    assert!(!html.contains("href=\"https://evil.test"));
    assert!(html.contains("<strong>Review needed.</strong>"));
    assert!(html.contains("“the building is better suited to adults”"));

    let p = portfolio(&store, PortfolioQuery::default(), Chicago, generated())
        .await
        .unwrap();
    let html = render_portfolio(&p, Format::Html, RenderOptions::default()).unwrap();
    assert!(html.contains("<svg") && html.contains("@media print"));
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("href=\"http"));
}

/// Every path in a JSON value: object keys joined with `.`, arrays as `[]`. Below the
/// `opaque` paths (maps with data as keys, free values) nothing is listed.
fn paths(v: &Value, prefix: &str, opaque: &[&str], out: &mut BTreeSet<String>) {
    if opaque.contains(&prefix) {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                paths(child, &p, opaque, out);
            }
        }
        Value::Array(items) => {
            for child in items {
                paths(child, &format!("{prefix}[]"), opaque, out);
            }
        }
        _ => {}
    }
}

/// The field paths docs/reports.md documents in the section under `heading`: every table row
/// that starts with a `code` cell.
fn documented(heading: &str) -> BTreeSet<String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reports.md"))
        .expect("docs/reports.md exists");
    let start = doc
        .find(heading)
        .unwrap_or_else(|| panic!("docs/reports.md has no {heading:?}"));
    let section = &doc[start + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn json_carries_its_schema_version_and_exactly_the_documented_fields() {
    let (store, _) = common::fresh_database().await;
    let r = grove_report(&store).await;
    let v: Value =
        serde_json::from_str(&render_shop(&r, Format::Json, RenderOptions::default()).unwrap())
            .unwrap();
    assert_eq!(v["schema_version"], json!(1));
    assert_eq!(v["report"], json!("shop"));
    let mut found = BTreeSet::new();
    paths(
        &v,
        "",
        &["summary.facts[].value", "summary.facts[].earlier[].value"],
        &mut found,
    );
    let docs = documented("## Shop report JSON");
    let undocumented: Vec<_> = found.difference(&docs).collect();
    let missing: Vec<_> = docs.difference(&found).collect();
    assert!(
        undocumented.is_empty(),
        "not in docs/reports.md: {undocumented:?}"
    );
    assert!(
        missing.is_empty(),
        "documented but not in the JSON: {missing:?}"
    );

    let p = portfolio(&store, PortfolioQuery::default(), Chicago, generated())
        .await
        .unwrap();
    let v: Value = serde_json::from_str(
        &render_portfolio(&p, Format::Json, RenderOptions::default()).unwrap(),
    )
    .unwrap();
    assert_eq!(v["schema_version"], json!(1));
    let mut found = BTreeSet::new();
    paths(&v, "", &["shops[].fees"], &mut found);
    // The four group arrays share their fields, documented once as `<group>[]`.
    let found: BTreeSet<String> = found
        .into_iter()
        .map(|p| {
            ["by_target[]", "by_manager[]", "by_operator[]", "by_month[]"]
                .iter()
                .find_map(|g| p.strip_prefix(g).map(|rest| format!("<group>[]{rest}")))
                .unwrap_or(p)
        })
        .collect();
    let docs = documented("## Portfolio JSON");
    let undocumented: Vec<_> = found.difference(&docs).collect();
    let missing: Vec<_> = docs.difference(&found).collect();
    assert!(
        undocumented.is_empty(),
        "not in docs/reports.md: {undocumented:?}"
    );
    assert!(
        missing.is_empty(),
        "documented but not in the JSON: {missing:?}"
    );
}

#[tokio::test]
async fn csv_reads_back_with_one_header_row_and_the_expected_columns() {
    let (store, _) = common::fresh_database().await;
    let r = grove_report(&store).await;
    let text = render_shop(&r, Format::Csv, RenderOptions::default()).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "section",
            "key",
            "label",
            "value",
            "max",
            "detail",
            "evidence",
            "message_id"
        ]
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let section =
        |name: &str| -> Vec<&csv::StringRecord> { rows.iter().filter(|r| &r[0] == name).collect() };
    assert_eq!(section("criterion").len(), 4);
    assert_eq!(section("timeline").len(), 5, "the unsent draft is left out");
    let app = section("fact")
        .into_iter()
        .find(|r| &r[1] == "application_fee")
        .unwrap();
    assert_eq!((&app[3], &app[7]), ("50", "3"));
    let admin = section("fact")
        .into_iter()
        .find(|r| &r[1] == "administration_fee")
        .unwrap();
    assert_eq!(&admin[3], "0");
    assert!(
        section("difference")
            .iter()
            .any(|r| &r[1] == "administration_fee")
    );
    assert!(
        section("missing").iter().any(|r| &r[1] == "parking"),
        "parking is on the checklist and the agent never said it"
    );

    let p = portfolio(&store, PortfolioQuery::default(), Chicago, generated())
        .await
        .unwrap();
    let text = render_portfolio(&p, Format::Csv, RenderOptions::default()).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    for col in [
        "shop_id",
        "target",
        "manager",
        "operator",
        "persona",
        "status",
        "started_at",
        "ended_at",
        "first_response_minutes",
        "score",
        "application_fee",
        "administration_fee",
        "membership_fee",
        "security_deposit",
        "pet_deposit",
        "pet_rent",
    ] {
        assert!(
            header.iter().any(|h| h == col),
            "no {col} column in {header:?}"
        );
    }
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1);
    let get = |name: &str| {
        let i = header.iter().position(|h| h == name).unwrap();
        rows[0][i].to_string()
    };
    assert_eq!(get("target"), "Grove Apartments");
    assert_eq!(get("operator"), "tester");
    assert_eq!(get("started_at"), "2026-11-23 09:25");
    assert_eq!(get("first_response_minutes"), "90");
    assert_eq!(get("score"), "50");
    assert_eq!(get("application_fee"), "50");
    assert_eq!(get("administration_fee"), "0");
    assert_eq!(get("membership_fee"), "");
}

#[tokio::test]
async fn an_unknown_shop_is_a_clear_error() {
    let (store, _) = common::fresh_database().await;
    let err = shop_report(&store, ShopId(12), Chicago, generated())
        .await
        .unwrap_err();
    assert!(matches!(err, ReportError::NoSuchShop(ShopId(12))));
    assert_eq!(err.to_string(), "shop 12 does not exist");
}

/// Five shops across two managers and two operators (times UTC; Chicago is UTC-6):
///
/// | shop | manager  | operator | status         | first sent     | first answer        | score |
/// |------|----------|----------|----------------|----------------|---------------------|-------|
/// | A    | Greystar | alice    | completed      | Mon 23 16:00   | 16:30 (30 min)      | 80    |
/// | B    | Greystar | bob      | completed      | Fri 20 15:00   | 17:00 (120 min; an auto-reply at 15:01 does not count) | 60 |
/// | C    | Lincoln  | alice    | timed_out      | Mon 16 15:00   | none (a bounce)     | 20    |
/// | D    | Lincoln  | bob      | cancelled      | -              | -                   | -     |
/// | E    | Lincoln  | alice    | replied        | Tue 24 14:00   | Wed 25 00:00 (600 min), again Wed 15:00 | - |
async fn seed_set(store: &Store) -> [i64; 5] {
    let alice = store.actor("alice").await.unwrap();
    let bob = store.actor("bob").await.unwrap();
    let specs = [
        ("Aspen Court", "Greystar", &alice, "Ann"),
        ("Birch Commons", "Greystar", &bob, "Ben"),
        ("Cedar Flats", "Lincoln Property", &alice, "Cal"),
        ("Dogwood Place", "Lincoln Property", &bob, "Dee"),
        ("Elm Terrace", "Lincoln Property", &alice, "Eve"),
    ];
    let mut ids = [0i64; 5];
    for (i, (name, manager, actor, first)) in specs.iter().enumerate() {
        let t = target(store, actor, name, manager).await;
        let p = persona(store, actor, first, "Shopper").await;
        ids[i] = shop(store, actor, t, p, &["application_fee"]).await;
    }
    let [a, b, c, d, e] = ids;
    let m = Metrics::default();

    insert(store, Msg::sent(a, "inquiry", utc(11, 23, 16, 0), "A")).await;
    let ra = insert(store, Msg::reply(a, utc(11, 23, 16, 30), "Re: A")).await;
    set_fees(
        store,
        a,
        ra,
        &[("application_fee", 50.0), ("administration_fee", 150.0)],
    )
    .await;
    grade(store, a, 0.8, vec![], &m, utc(11, 24, 12, 0)).await;
    set_shop(
        store,
        a,
        "completed",
        "",
        utc(11, 23, 15, 59),
        Some(utc(11, 24, 12, 0)),
    )
    .await;

    insert(store, Msg::sent(b, "inquiry", utc(11, 20, 15, 0), "B")).await;
    insert(
        store,
        Msg {
            auto: true,
            ..Msg::reply(b, utc(11, 20, 15, 1), "Auto: B")
        },
    )
    .await;
    let rb = insert(store, Msg::reply(b, utc(11, 20, 17, 0), "Re: B")).await;
    set_fees(store, b, rb, &[("application_fee", 75.0)]).await;
    grade(store, b, 0.6, vec![], &m, utc(11, 21, 12, 0)).await;
    set_shop(
        store,
        b,
        "completed",
        "",
        utc(11, 20, 14, 59),
        Some(utc(11, 21, 12, 0)),
    )
    .await;

    insert(store, Msg::sent(c, "inquiry", utc(11, 16, 15, 0), "C")).await;
    let bounce = insert(
        store,
        Msg {
            bounce: true,
            ..Msg::reply(c, utc(11, 25, 16, 0), "Undeliverable: C")
        },
    )
    .await;
    set_fees(store, c, bounce, &[("application_fee", 25.0)]).await;
    grade(store, c, 0.2, vec![], &m, utc(11, 23, 12, 0)).await;
    set_shop(
        store,
        c,
        "timed_out",
        "",
        utc(11, 16, 14, 59),
        Some(utc(11, 23, 12, 0)),
    )
    .await;

    set_shop(
        store,
        d,
        "cancelled",
        "",
        utc(11, 18, 14, 0),
        Some(utc(11, 18, 15, 0)),
    )
    .await;

    insert(store, Msg::sent(e, "inquiry", utc(11, 24, 14, 0), "E")).await;
    insert(store, Msg::reply(e, utc(11, 25, 0, 0), "Re: E")).await;
    insert(store, Msg::reply(e, utc(11, 25, 15, 0), "Re: E again")).await;
    insert(
        store,
        Msg {
            auto: true,
            ..Msg::reply(e, utc(11, 25, 15, 30), "Auto: E")
        },
    )
    .await;
    insert(
        store,
        Msg {
            status: Some("pending_review"),
            ..Msg::sent(e, "follow_up", utc(11, 25, 16, 0), "More questions")
        },
    )
    .await;
    set_shop(store, e, "replied", "", utc(11, 24, 13, 59), None).await;

    // Mail no shop claims counts for nobody.
    insert(
        store,
        Msg {
            shop: None,
            kind: "unmatched",
            ..Msg::reply(a, utc(11, 25, 16, 0), "Hello?")
        },
    )
    .await;
    ids
}

#[tokio::test]
async fn portfolio_figures_are_right_for_a_seeded_set() {
    let (store, _) = common::fresh_database().await;
    let [a, b, _, _, e] = seed_set(&store).await;
    let p = portfolio(&store, PortfolioQuery::default(), Chicago, generated())
        .await
        .unwrap();
    let t = &p.totals;
    assert_eq!(
        (t.shops, t.finished, t.completed, t.cancelled),
        (5, 4, 2, 1)
    );
    assert_eq!(
        t.completion_rate,
        Some(0.67),
        "2 of 3 (the cancelled shop is left out)"
    );
    assert_eq!(t.replied, 3);
    assert_eq!(
        t.median_first_response_minutes,
        Some(120.0),
        "of 30, 120, 600"
    );
    assert_eq!(
        (t.graded, t.average_score, t.median_score),
        (3, Some(53.3), Some(60.0))
    );
    let counts: Vec<(&str, usize)> = p
        .response_times
        .iter()
        .map(|b| (b.label.as_str(), b.count))
        .collect();
    assert_eq!(
        counts,
        [
            ("under 1 h", 1),
            ("1-4 h", 1),
            ("4-24 h", 1),
            ("1-3 days", 0),
            ("over 3 days", 0),
            ("no reply", 2)
        ]
    );
    let app = p
        .fees
        .iter()
        .find(|f| f.field == "application_fee")
        .unwrap();
    assert_eq!(
        (app.shops, app.min, app.median, app.max, app.mean),
        (3, Some(25.0), Some(50.0), Some(75.0), Some(50.0))
    );
    let alice = p.by_operator.iter().find(|g| g.key == "alice").unwrap();
    assert_eq!((alice.totals.shops, alice.totals.completed), (3, 1));
    assert_eq!(alice.totals.completion_rate, Some(0.5));
    let lincoln = p
        .by_manager
        .iter()
        .find(|g| g.key == "Lincoln Property")
        .unwrap();
    assert_eq!(lincoln.totals.completion_rate, Some(0.0));
    assert_eq!(p.by_month.len(), 1);
    let ids: Vec<i64> = p.shops.iter().map(|s| s.shop_id.0).collect();
    assert_eq!(ids.len(), 5);
    assert_eq!(
        p.shops
            .iter()
            .find(|s| s.shop_id.0 == e)
            .unwrap()
            .first_response_minutes,
        Some(600)
    );

    // The manager filter matches part of the name, in any case.
    let q = PortfolioQuery {
        manager: Some("GREY".into()),
        ..Default::default()
    };
    let p = portfolio(&store, q, Chicago, generated()).await.unwrap();
    let ids: Vec<i64> = p.shops.iter().map(|s| s.shop_id.0).collect();
    assert_eq!(ids, [b, a], "oldest start first");
    assert_eq!(p.totals.completion_rate, Some(1.0));
    assert_eq!(p.totals.median_first_response_minutes, Some(75.0));

    // Dates are local days, both ends included: B started Fri 20 08:59, A Mon 23 09:59 (CST);
    // E started Tue 24 07:59 CST, a day after the range.
    let q = PortfolioQuery {
        from: NaiveDate::from_ymd_opt(2026, 11, 20),
        to: NaiveDate::from_ymd_opt(2026, 11, 23),
        manager: None,
        client: None,
    };
    let p = portfolio(&store, q, Chicago, generated()).await.unwrap();
    let ids: Vec<i64> = p.shops.iter().map(|s| s.shop_id.0).collect();
    assert_eq!(ids, [b, a]);

    let bad = PortfolioQuery {
        from: NaiveDate::from_ymd_opt(2026, 11, 23),
        to: NaiveDate::from_ymd_opt(2026, 11, 20),
        manager: None,
        client: None,
    };
    let err = portfolio(&store, bad, Chicago, generated())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("after --to"), "{err}");

    let md = render_portfolio(
        &portfolio(&store, PortfolioQuery::default(), Chicago, generated())
            .await
            .unwrap(),
        Format::Markdown,
        RenderOptions::default(),
    )
    .unwrap();
    insta::assert_snapshot!("portfolio_md", md);
}

#[tokio::test]
async fn dashboard_figures_are_right_for_a_seeded_set() {
    let (store, _) = common::fresh_database().await;
    seed_set(&store).await;
    // Wed 25 Nov 2026, 12:00 in Chicago.
    let now = utc(11, 25, 18, 0);
    let d = store.dashboard(now, Chicago).await.unwrap();
    let state = |s: &str| {
        d.shops_by_state
            .iter()
            .find(|x| x.status.as_str() == s)
            .unwrap()
            .count
    };
    assert_eq!(d.shops_by_state.len(), 10, "every state, zeros included");
    assert_eq!(
        (
            state("completed"),
            state("timed_out"),
            state("cancelled"),
            state("replied")
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(state("new"), 0);
    assert_eq!((d.shops_total, d.shops_active), (5, 1));
    assert_eq!(d.pending_reviews, 1);
    assert_eq!(
        d.replies_today, 1,
        "only E's 09:00 reply: its 00:00 UTC one was Tuesday evening in Chicago"
    );
    assert_eq!(d.replies_this_week, 3, "A on Monday, E twice");
    assert_eq!(d.median_first_response_minutes, Some(120.0));
    assert_eq!((d.average_score, d.graded_shops), (Some(53.3), 3));
    let buckets: Vec<i64> = d.score_distribution.iter().map(|b| b.count).collect();
    assert_eq!(buckets, [0, 0, 1, 0, 0, 0, 1, 0, 1, 0]);
    assert_eq!(d.replies_per_day.len(), 14);
    assert_eq!(
        d.replies_per_day[0].day,
        NaiveDate::from_ymd_opt(2026, 11, 12).unwrap()
    );
    assert_eq!(
        d.replies_per_day[13].day,
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    );
    let per_day: Vec<(u32, i64)> = d
        .replies_per_day
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| (chrono::Datelike::day(&c.day), c.count))
        .collect();
    assert_eq!(per_day, [(20, 1), (23, 1), (24, 1), (25, 1)]);
    assert!(!d.recent_activity.is_empty() && d.recent_activity.len() <= 10);
    assert!(
        d.recent_activity
            .windows(2)
            .all(|w| (w[0].at, w[0].id) >= (w[1].at, w[1].id)),
        "newest first"
    );
    assert_eq!(d.time_zone, "America/Chicago");
}

#[tokio::test]
async fn the_report_command_writes_files_and_names_a_missing_shop() {
    let (store, url) = common::fresh_database().await;
    seed_grove(&store).await;
    let cli = common::Cli::new(&url);
    let out = cli.dir.path().join("grove.html");
    cli.ok(&[
        "report",
        "shop",
        "1",
        "--evidence",
        "--out",
        out.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<svg") && html.contains("waived the admin fee"));

    let md = cli.ok(&["report", "shop", "1"]);
    assert!(md.starts_with("# Mystery shop 1: Grove Apartments"));
    let json = cli.json(&[
        "report",
        "portfolio",
        "--format",
        "json",
        "--manager",
        "grey",
    ]);
    assert_eq!(json["totals"]["shops"], json!(1));
    let csv = cli.ok(&[
        "report",
        "portfolio",
        "--from",
        "2026-11-01",
        "--format",
        "csv",
    ]);
    assert_eq!(csv.lines().count(), 2);
    let dash = cli.json(&["report", "dashboard", "--json"]);
    assert_eq!(dash["shops_total"], json!(1));

    let missing = cli.run(&["report", "shop", "12"]);
    assert!(!missing.status.success());
    assert!(
        common::stderr(&missing).contains("shop 12 does not exist"),
        "{}",
        common::stderr(&missing)
    );
    let bad = cli.run(&["report", "portfolio", "--from", "23/11/2026"]);
    assert!(common::stderr(&bad).contains("YYYY-MM-DD"));
}

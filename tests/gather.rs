//! Website gathering against a small static site (tests/fixtures/site) served on loopback:
//! robots.txt honoured, same-site links only, page and size limits, the community extracted
//! into the snapshot; the CLI, the job runner and the AI path. Needs the test Postgres.

mod common;

use std::time::Duration;

use secret_shop::ai::Ai;
use secret_shop::ai::client::OpenAiClient;
use secret_shop::ai::website::SitePage;
use secret_shop::config::Config;
use secret_shop::crawl::{CrawlSettings, user_agent};
use secret_shop::domain::community::{Extraction, SCALAR_FIELDS};
use secret_shop::domain::ids::TargetId;
use secret_shop::domain::target::TargetInput;
use secret_shop::engine::jobs::JobRunner;
use secret_shop::services::gather::{GatherError, enqueue_gather, gather_website};
use secret_shop::store::{Actor, EntityType, Store, StoreError, WebsiteSnapshot};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::{Cli, fresh_database};

/// The size limit the tests set: big.html (about 48 KB) is over it, the other pages under.
const PAGE_LIMIT_BYTES: usize = 16 * 1024;

fn fixture(name: &str) -> String {
    let p = format!("{}/tests/fixtures/site/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn html(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/html; charset=utf-8")
}

/// The site, and a second server standing for another site it links to.
struct Site {
    server: MockServer,
    offsite: MockServer,
}

impl Site {
    fn uri(&self) -> String {
        self.server.uri()
    }

    /// Every request the site got, robots.txt included, in order.
    async fn paths(&self) -> Vec<String> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .map(|r: &Request| r.url.path().to_string())
            .collect()
    }
}

/// Serves the fixture site with `robots` as the answer for /robots.txt. The disallowed page,
/// the PDF and the other site expect no request at all (checked by `verify`).
async fn serve(robots: ResponseTemplate, private_requests: u64) -> Site {
    let server = MockServer::start().await;
    let offsite = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(html("<html><body>another site</body></html>".into()))
        .expect(0)
        .named("the off-site page")
        .mount(&offsite)
        .await;
    Mock::given(method("GET"))
        .and(path("/robots.txt"))
        .respond_with(robots)
        .mount(&server)
        .await;
    let index = fixture("index.html").replace("{{OFFSITE}}", &offsite.uri());
    for (route, body) in [
        ("/", index),
        ("/pricing.html", fixture("pricing.html")),
        ("/fees.html", fixture("fees.html")),
        ("/amenities.html", fixture("amenities.html")),
        ("/big.html", fixture("big.html")),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(html(body))
            .mount(&server)
            .await;
    }
    // An old address of the pricing page, and the application portal on another site.
    Mock::given(method("GET"))
        .and(path("/floorplans"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/pricing.html"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/apply"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/apply", offsite.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/private/owner-notes.html"))
        .respond_with(html(fixture("private/owner-notes.html")))
        .expect(private_requests)
        .named("the page robots.txt disallows")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/brochure.pdf"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("%PDF-1.4", "application/pdf"))
        .expect(0)
        .named("a PDF link")
        .mount(&server)
        .await;
    Site { server, offsite }
}

async fn serve_site() -> Site {
    let robots = ResponseTemplate::new(200).set_body_raw(fixture("robots.txt"), "text/plain");
    serve(robots, 0).await
}

fn settings() -> CrawlSettings {
    CrawlSettings {
        user_agent: user_agent("research@shop.test"),
        max_pages: 20,
        max_page_bytes: PAGE_LIMIT_BYTES,
        timeout_secs: 5,
        budget_secs: 60,
        delay_ms: 0,
    }
}

async fn add_target(store: &Store, website: &str) -> (Actor, TargetId) {
    let actor = store.actor("tester").await.unwrap();
    let input = TargetInput {
        name: "Maple Court".into(),
        website: website.into(),
        ..Default::default()
    };
    let t = store.insert_target(&actor, &input).await.unwrap();
    (actor, t.id)
}

fn page_paths(s: &WebsiteSnapshot) -> Vec<String> {
    let mut out: Vec<String> = s
        .pages
        .0
        .iter()
        .map(|p| url::Url::parse(&p.url).unwrap().path().to_string())
        .collect();
    out.sort();
    out
}

fn money(ex: &Extraction, field: &str) -> Option<f64> {
    ex.get(field).and_then(|e| e.value.as_f64())
}

/// What the fixture site states, as the offline rules read it.
fn assert_site_facts(ex: &Extraction) {
    assert_eq!(money(ex, "application_fee"), Some(45.0), "{ex:#?}");
    assert_eq!(money(ex, "administration_fee"), Some(175.0), "{ex:#?}");
    let aspen = ex
        .floor_plans
        .iter()
        .find(|p| p.name.as_deref() == Some("The Aspen"))
        .unwrap_or_else(|| panic!("no Aspen plan: {:#?}", ex.floor_plans));
    assert_eq!((aspen.beds, aspen.baths), (Some(1.0), Some(1.0)));
    assert_eq!(aspen.sqft, Some(710.0));
    assert_eq!(
        (aspen.min_rental_price, aspen.max_rental_price),
        (Some(1250.0), Some(1340.0))
    );
    assert!(
        aspen
            .url
            .as_deref()
            .is_some_and(|u| u.ends_with("/pricing.html")),
        "{aspen:?}"
    );
    let birch = ex
        .floor_plans
        .iter()
        .find(|p| p.name.as_deref() == Some("The Birch"))
        .expect("a Birch plan");
    assert_eq!(birch.beds, Some(2.0));
    assert_eq!(birch.max_rental_price, Some(1725.0));
    let amenities: Vec<&str> = ex
        .community_amenities
        .iter()
        .map(|a| a.amenity.as_str())
        .collect();
    for a in ["pool", "fitness center", "dog park", "package lockers"] {
        assert!(amenities.contains(&a), "{a} missing from {amenities:?}");
    }
    assert!(ex.get("pet_policy").is_some(), "{ex:#?}");
}

#[tokio::test]
async fn gathering_honours_robots_stays_on_the_site_and_extracts_the_community() {
    let (store, _) = fresh_database().await;
    let site = serve_site().await;
    let (_, target) = add_target(&store, &site.uri()).await;

    let s = gather_website(&store, &Ai::offline(), &settings(), target, "tester")
        .await
        .unwrap();
    assert_eq!(s.status, "ok");
    assert_eq!(s.extracted_by.as_deref(), Some("offline"));
    assert_eq!(s.target_id, target);
    assert!(s.finished_at.is_some());
    assert_eq!(
        page_paths(&s),
        [
            "/",
            "/amenities.html",
            "/big.html",
            "/fees.html",
            "/pricing.html"
        ]
    );

    // robots.txt first, once; the disallowed page, the PDF and the other site never.
    let paths = site.paths().await;
    assert_eq!(paths[0], "/robots.txt", "{paths:?}");
    assert_eq!(paths.iter().filter(|p| *p == "/robots.txt").count(), 1);
    assert!(
        !paths.iter().any(|p| p.starts_with("/private")),
        "{paths:?}"
    );
    site.server.verify().await;
    site.offsite.verify().await;
    // Every request says who we are.
    for r in site.server.received_requests().await.unwrap() {
        let ua = r.headers.get("user-agent").unwrap().to_str().unwrap();
        assert!(ua.starts_with("secret-shop/"), "{ua}");
        assert!(ua.contains("contact: research@shop.test"), "{ua}");
    }

    let c = &s.crawl.0;
    assert_eq!(c.robots, "robots.txt read and honoured");
    assert_eq!(c.off_site_links, 1);
    let robots: Vec<&str> = c
        .skipped
        .iter()
        .filter(|k| k.kind == "robots")
        .map(|k| k.url.as_str())
        .collect();
    assert_eq!(
        robots,
        [format!("{}/private/owner-notes.html", site.uri())],
        "{c:#?}"
    );
    let missing = c.skipped.iter().find(|k| k.url.ends_with("/missing.html"));
    assert_eq!(
        missing.map(|k| (k.kind.as_str(), k.reason.as_str())),
        Some(("status", "answered HTTP 404"))
    );
    assert_eq!(c.stopped, None);
    // A redirect off the site is not followed; one within it is, and its page read once.
    let apply = c
        .skipped
        .iter()
        .find(|k| k.url.ends_with("/apply"))
        .unwrap();
    assert_eq!(apply.kind, "redirect");
    assert_eq!(
        apply.reason,
        format!("redirects off the site to {}/apply", site.offsite.uri())
    );
    assert_eq!(
        paths.iter().filter(|p| *p == "/pricing.html").count(),
        1,
        "{paths:?}"
    );
    assert!(paths.contains(&"/floorplans".to_string()));

    // The oversized page is kept, cut at the limit: its end was never read.
    let big = s
        .pages
        .0
        .iter()
        .find(|p| p.url.ends_with("/big.html"))
        .unwrap();
    assert!(big.truncated);
    assert_eq!(big.title, "Community Guide | Maple Court");
    assert!(big.text.contains("Community Guide"));
    assert!(!big.text.contains("END-OF-BIG-PAGE"));
    assert!(big.text.len() < PAGE_LIMIT_BYTES);
    let home = s.pages.0.iter().find(|p| p.title.contains("Home")).unwrap();
    assert_eq!(home.status, 200);
    assert!(!home.truncated);
    assert!(
        home.text.contains("garden-style community"),
        "{}",
        home.text
    );

    let ex = &s.community.as_ref().expect("community extracted").0;
    assert_site_facts(ex);
    assert_eq!(
        ex.get("url").unwrap().value,
        json!(format!("{}/", site.uri()))
    );

    // The contract the report relies on: the newest ok snapshot's community is an Extraction.
    let latest = store
        .latest_ok_website_snapshot(target)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.id, s.id);
    let raw: Value = sqlx::query_scalar("SELECT community FROM website_snapshots WHERE id = $1")
        .bind(s.id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    let back: Extraction = serde_json::from_value(raw).unwrap();
    assert_eq!(&back, ex);
    assert_eq!(back.fields.len(), SCALAR_FIELDS.len());

    let audit = store
        .audit_for(EntityType::WebsiteSnapshot, s.id.0)
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|a| (a.action.as_str(), a.operator.as_str()))
        .collect();
    assert_eq!(actions, [("gather", "tester"), ("gathered", "tester")]);
}

#[tokio::test]
async fn the_page_limit_stops_the_crawl() {
    let (store, _) = fresh_database().await;
    let site = serve_site().await;
    let (_, target) = add_target(&store, &site.uri()).await;
    let limited = CrawlSettings {
        max_pages: 2,
        ..settings()
    };
    let s = gather_website(&store, &Ai::offline(), &limited, target, "tester")
        .await
        .unwrap();
    // Two visits: the home page, then the link most likely to state prices (the old
    // floor-plans address, which redirects within the site), not the big guide.
    assert_eq!(
        site.paths().await,
        ["/robots.txt", "/", "/floorplans", "/pricing.html"]
    );
    assert_eq!(page_paths(&s), ["/", "/pricing.html"]);
    let c = &s.crawl.0;
    assert_eq!(c.stopped.as_deref(), Some("page limit of 2 reached"));
    assert!(c.not_visited >= 3, "{c:#?}");
    site.server.verify().await;
}

#[tokio::test]
async fn an_unreadable_robots_txt_means_no_crawl_and_a_failed_snapshot() {
    let (store, _) = fresh_database().await;
    let site = serve(ResponseTemplate::new(503), 0).await;
    let (_, target) = add_target(&store, &site.uri()).await;
    let err = gather_website(&store, &Ai::offline(), &settings(), target, "tester")
        .await
        .unwrap_err();
    let GatherError::Failed {
        snapshot,
        message,
        transient,
    } = &err
    else {
        panic!("expected a failed gathering, got {err:?}");
    };
    assert!(transient, "a 503 may pass");
    assert!(err.is_transient());
    assert!(
        message.contains("robots.txt") && message.contains("503"),
        "{message}"
    );
    assert_eq!(
        site.paths().await,
        ["/robots.txt"],
        "no page may be fetched"
    );

    let s = store.website_snapshot(*snapshot).await.unwrap();
    assert_eq!(s.status, "failed");
    assert_eq!(s.error.as_deref(), Some(message.as_str()));
    assert!(s.community.is_none());
    assert!(s.finished_at.is_some());
    assert!(
        store
            .latest_ok_website_snapshot(target)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .latest_website_snapshot(target)
            .await
            .unwrap()
            .unwrap()
            .id,
        *snapshot
    );
}

#[tokio::test]
async fn a_missing_robots_txt_allows_everything_and_a_dead_site_fails() {
    let (store, _) = fresh_database().await;
    // 404 for robots.txt: nothing is disallowed, so even the owners' page is read.
    let site = serve(ResponseTemplate::new(404), 1).await;
    let (_, target) = add_target(&store, &site.uri()).await;
    let s = gather_website(&store, &Ai::offline(), &settings(), target, "tester")
        .await
        .unwrap();
    assert!(
        s.crawl.0.robots.starts_with("no robots.txt"),
        "{}",
        s.crawl.0.robots
    );
    assert!(page_paths(&s).contains(&"/private/owner-notes.html".to_string()));
    assert_eq!(s.crawl.0.count("robots"), 0);
    site.server.verify().await;

    // Nothing listening: robots.txt cannot be read, so nothing is crawled.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (_, dead) = add_target(&store, &format!("http://127.0.0.1:{port}/")).await;
    let err = gather_website(&store, &Ai::offline(), &settings(), dead, "tester")
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(err.to_string().contains("robots.txt"), "{err}");

    // No website at all: refused before any snapshot.
    let (_, none) = add_target(&store, "").await;
    let err = gather_website(&store, &Ai::offline(), &settings(), none, "tester")
        .await
        .unwrap_err();
    assert!(matches!(err, GatherError::NoWebsite(_)), "{err}");
    assert!(err.to_string().contains("--website"), "{err}");
    assert!(store.latest_website_snapshot(none).await.unwrap().is_none());
}

#[tokio::test]
async fn one_gathering_of_a_target_runs_at_a_time() {
    let (store, _) = fresh_database().await;
    let (_, target) = add_target(&store, "https://maple.test/").await;
    let stale = chrono::Duration::minutes(30);
    let root = "https://maple.test/";
    let first = store
        .start_website_snapshot("tester", target, root, stale)
        .await
        .unwrap();
    let err = store
        .start_website_snapshot("tester", target, root, stale)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
    assert!(
        err.to_string().contains(&format!("snapshot {first}")),
        "{err}"
    );

    // A running one older than the limit was abandoned by a dead process: failed, and a new
    // gathering may start.
    sqlx::query(
        "UPDATE website_snapshots SET started_at = now() - interval '1 hour' WHERE id = $1",
    )
    .bind(first)
    .execute(store.pool())
    .await
    .unwrap();
    let second = store
        .start_website_snapshot("tester", target, root, stale)
        .await
        .unwrap();
    assert_ne!(first, second);
    let old = store.website_snapshot(first).await.unwrap();
    assert_eq!(old.status, "failed");
    assert!(old.error.unwrap().starts_with("abandoned"));
}

/// A CLI whose config sets the test limits.
fn cli(database_url: &str) -> Cli {
    let cli = Cli::new(database_url);
    std::fs::write(
        cli.config_path(),
        format!(
            "[crawl]\ncontact = \"research@shop.test\"\nmax_page_bytes = {PAGE_LIMIT_BYTES}\n\
             delay_ms = 0\ntimeout_secs = 5\n"
        ),
    )
    .unwrap();
    cli
}

fn added_id(out: &str) -> String {
    // "added target 1 (Maple Court)"
    out.split_whitespace().nth(2).unwrap().to_string()
}

#[tokio::test]
async fn the_cli_gathers_and_shows_the_snapshot() {
    let (_store, url) = fresh_database().await;
    let site = serve_site().await;
    let cli = cli(&url);
    let id = added_id(&cli.ok(&[
        "target",
        "add",
        "--name",
        "Maple Court",
        "--website",
        &site.uri(),
    ]));

    let out = cli.ok(&["target", "website", &id]);
    assert!(out.contains("no website snapshot yet"), "{out}");

    let out = cli.ok(&["target", "gather", &id]);
    for want in [
        "website snapshot 1 of target",
        ": ok (extracted by offline)",
        "5 pages fetched, 1 skipped by robots.txt, 1 failed, 1 other skipped, 1 off-site links",
        "robots.txt read and honoured",
        "/private/owner-notes.html  disallowed by robots.txt",
        "/big.html  Community Guide | Maple Court  (truncated)",
        "application fee",
        "$45",
        "administration fee",
        "$175",
        "The Aspen  1 bd  1 ba  710 sq ft  $1,250 - $1,340",
        "amenities: ",
        "dog park",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    site.server.verify().await;
    site.offsite.verify().await;

    let j = cli.json(&["target", "website", &id, "--json"]);
    assert_eq!(j["status"], "ok");
    assert_eq!(j["summary"]["pages_fetched"], 5);
    assert_eq!(j["summary"]["skipped_by_robots"], 1);
    assert_eq!(j["summary"]["failed"], 1);
    assert_eq!(j["summary"]["off_site_links"], 1);
    assert_eq!(j["community"]["fields"]["application_fee"]["value"], 45);
    assert_eq!(j["pages"].as_array().unwrap().len(), 5);

    // A second gathering is a new snapshot; --json prints it.
    let j = cli.json(&["target", "gather", &id, "--json"]);
    assert_eq!(j["id"], 2);
    assert_eq!(j["extracted_by"], "offline");

    // A failure prints the failed snapshot and exits 1.
    let dead = added_id(&cli.ok(&[
        "target",
        "add",
        "--name",
        "Gone",
        "--website",
        "http://127.0.0.1:9/",
    ]));
    let o = cli.run(&["target", "gather", &dead]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stdout(&o));
    assert!(
        common::stdout(&o).contains(": failed"),
        "{}",
        common::stdout(&o)
    );
    assert!(
        common::stderr(&o).contains("robots.txt"),
        "{}",
        common::stderr(&o)
    );
}

#[tokio::test]
async fn a_queued_gathering_is_run_by_the_job_runner() {
    let (store, url) = fresh_database().await;
    let site = serve_site().await;
    let cli = cli(&url);
    let id = added_id(&cli.ok(&[
        "target",
        "add",
        "--name",
        "Maple Court",
        "--website",
        &site.uri(),
    ]));
    let out = cli.ok(&["target", "gather", &id, "--queue"]);
    assert!(out.contains("queued gather_website job"), "{out}");
    // Asking again while it waits does not queue a second one.
    let out = cli.ok(&["target", "gather", &id, "--queue"]);
    assert!(out.contains("already queued"), "{out}");
    assert_eq!(site.paths().await.len(), 0, "queueing fetches nothing");

    let runner = JobRunner {
        store: store.clone(),
        ai: Ai::offline(),
        name: "test-runner".into(),
        tick: Duration::from_millis(50),
        crawl: Default::default(),
    };
    let report = runner.pass().await.unwrap();
    assert_eq!((report.done, report.failed), (1, 0), "{report:?}");

    let target = TargetId(id.parse().unwrap());
    let s = store
        .latest_ok_website_snapshot(target)
        .await
        .unwrap()
        .unwrap();
    assert_site_facts(&s.community.as_ref().unwrap().0);
    // The job carried the asker's [crawl] settings: the size limit and contact applied.
    assert!(s.pages.0.iter().any(|p| p.truncated));
    assert!(s.crawl.0.user_agent.contains("contact: research@shop.test"));
    let audit = store
        .audit_for(EntityType::WebsiteSnapshot, s.id.0)
        .await
        .unwrap();
    assert_eq!(audit[0].operator, "tester");
    let jobs = store.list_jobs(Some("done"), 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "gather_website");

    // Once done, a new request queues a new job.
    let settings = settings();
    let (_, new) = enqueue_gather(&store, &settings, target, "tester")
        .await
        .unwrap();
    assert!(new);
}

fn ai_client(server: &MockServer) -> OpenAiClient {
    let vars = [
        ("SECRET_SHOP_AI_PROVIDER", "openai".to_string()),
        ("SECRET_SHOP_AI_BASE_URL", format!("{}/v1", server.uri())),
        ("SECRET_SHOP_AI_MODEL", "site-model".to_string()),
        ("OPENAI_API_KEY", "sk-test".to_string()),
    ];
    let mut config = Config::load_with_env(None, &|k| {
        vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    config.ai.max_retries = 0;
    config.ai.request_timeout_secs = 10;
    OpenAiClient::new(&config.ai)
        .unwrap()
        .with_retry_delay(Duration::from_millis(10))
}

fn completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "site-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    })
}

fn website_answer() -> String {
    let mut facts = serde_json::Map::new();
    for (n, _) in SCALAR_FIELDS {
        facts.insert(n.to_string(), Value::Null);
    }
    facts.insert(
        "application_fee".into(),
        json!({"value": 45, "evidence": "Application fee: $45 per applicant."}),
    );
    json!({
        "facts": facts,
        "floor_plans": [{"name": "The Aspen", "beds": 1, "baths": 1, "sqft": 710,
                         "min_rental_price": 1250, "max_rental_price": 1340,
                         "security_deposit": 500, "evidence": "The Aspen 1 1 710"}],
        "community_amenities": [{"amenity": "pool", "evidence": "resort-style swimming pool"}]
    })
    .to_string()
}

#[tokio::test]
async fn the_ai_reads_the_website_when_configured() {
    let (store, _) = fresh_database().await;
    let site = serve_site().await;
    let ai_server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(&website_answer())))
        .expect(1)
        .mount(&ai_server)
        .await;
    let (_, target) = add_target(&store, &site.uri()).await;
    let ai = Ai::with_client(ai_client(&ai_server));
    let s = gather_website(&store, &ai, &settings(), target, "tester")
        .await
        .unwrap();
    assert_eq!(s.extracted_by.as_deref(), Some("site-model"));
    assert_eq!(s.crawl.0.fallback_reason, None);
    let ex = &s.community.as_ref().unwrap().0;
    assert_eq!(money(ex, "application_fee"), Some(45.0));
    assert_eq!(ex.floor_plans[0].security_deposit, Some(500.0));

    // The request: strict JSON with the website schema, the pages quoted as data.
    let req = &ai_server.received_requests().await.unwrap()[0];
    let body: Value = serde_json::from_slice(&req.body).unwrap();
    let format = &body["response_format"]["json_schema"];
    assert_eq!(format["name"], "community_website");
    assert_eq!(format["strict"], true);
    assert!(format["schema"]["properties"].get("signals").is_none());
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("<page url=\""), "{user}");
    assert!(user.contains("The Aspen"), "{user}");
    assert!(!user.contains("END-OF-BIG-PAGE"));
}

#[tokio::test]
async fn a_failing_ai_falls_back_to_the_offline_rules() {
    let ai_server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion("not json at all")))
        .expect(2)
        .mount(&ai_server)
        .await;
    let ai = Ai::with_client(ai_client(&ai_server));
    let fees = fixture("fees.html");
    let pages = [SitePage {
        url: "https://maple.test/fees.html",
        title: "Fees",
        text: "Application fee: $45 per applicant. Administration fee: $175, due at lease signing.",
        html: Some(&fees),
    }];
    let (ex, generation) = ai.read_website(&pages).await;
    assert_eq!(generation.model, "offline");
    assert!(
        generation
            .fallback_reason
            .as_deref()
            .is_some_and(|r| r.contains("invalid answer")),
        "{generation:?}"
    );
    assert_eq!(money(&ex, "application_fee"), Some(45.0));
    assert_eq!(money(&ex, "administration_fee"), Some(175.0));
    ai_server.verify().await;
}

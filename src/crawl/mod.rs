//! Website gathering (issue 5 §3): polite crawling of a target's own site into pages for
//! extraction. robots.txt is honoured (our group, else `*`); only same-site links are followed,
//! pricing and floor-plan pages first; every page is size-limited, every request timed out,
//! the whole crawl bounded by a page count and a time budget. HTTP only: no store, no AI.

pub mod fetch;
pub mod links;
mod report;
pub mod robots;
mod settings;
pub mod text;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use url::Url;

use fetch::RobotsFetch;
use links::{HtmlInfo, robots_path, same_site};
use robots::Robots;

pub use report::{CrawlError, CrawlReport, Page, SkipReason, Skipped};
pub use settings::{CrawlSettings, PRODUCT, user_agent};

/// Links remembered for later at most; a site with more is cut here, not in memory.
const MAX_FRONTIER: usize = 2000;

/// A website as an operator typed it ("maplecourt.example", "https://…/apartments") as a URL.
pub fn root_url(website: &str) -> Result<Url, CrawlError> {
    let w = website.trim();
    let with_scheme = if w.contains("://") {
        w.to_string()
    } else {
        format!("https://{w}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|_| CrawlError::InvalidUrl(w.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(CrawlError::InvalidUrl(w.to_string()));
    }
    url.set_fragment(None);
    Ok(url)
}

/// Same-site URLs waiting for a visit: the most promising first, then the shallowest, then
/// in the order found.
struct Frontier {
    queue: Vec<(u8, usize, usize, Url)>,
    seen: HashSet<String>,
    order: usize,
}

impl Frontier {
    fn new() -> Frontier {
        Frontier {
            queue: Vec::new(),
            seen: HashSet::new(),
            order: 0,
        }
    }

    /// Marks `u` seen; true if it was new.
    fn see(&mut self, u: &Url) -> bool {
        self.seen.insert(u.as_str().to_string())
    }

    fn push(&mut self, u: Url, priority: u8, depth: usize) {
        if self.queue.len() < MAX_FRONTIER {
            self.order += 1;
            self.queue.push((priority, depth, self.order, u));
        }
    }

    /// Drops a waiting visit of `u`.
    fn forget(&mut self, u: &Url) {
        self.queue.retain(|(_, _, _, q)| q != u);
    }

    fn pop(&mut self) -> Option<(Url, usize)> {
        let best = (0..self.queue.len()).min_by_key(|&i| {
            let (p, d, o, _) = &self.queue[i];
            (std::cmp::Reverse(*p), *d, *o)
        })?;
        let (_, depth, _, url) = self.queue.swap_remove(best);
        Some((url, depth))
    }
}

/// Crawls the site at `website` within `settings`. Fails before the first page only (bad
/// address, robots.txt unreadable, home page disallowed); later trouble is in the report.
pub async fn crawl(website: &str, settings: &CrawlSettings) -> Result<CrawlReport, CrawlError> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(settings.budget_secs.max(1));
    let timeout = Duration::from_secs(settings.timeout_secs.max(1));
    let root = root_url(website)?;
    let ua = settings.user_agent.as_str();

    let robots_client = fetch::robots_client(ua, timeout).map_err(CrawlError::Setup)?;
    let (robots, robots_note) = match fetch::fetch_robots(&robots_client, &root, timeout).await {
        RobotsFetch::Found(text) => (
            Robots::parse(&text, PRODUCT),
            "robots.txt read and honoured".to_string(),
        ),
        RobotsFetch::Missing(why) => (
            Robots::allow_all(),
            format!("no robots.txt ({why}): everything allowed"),
        ),
        RobotsFetch::Unreachable(why) => {
            return Err(CrawlError::RobotsUnreachable {
                url: root
                    .join("/robots.txt")
                    .map_or(root.to_string(), String::from),
                why,
            });
        }
    };
    tracing::info!(root = %root, robots = %robots_note, "website gathering started");
    if !robots.allows(&robots_path(&root)) {
        return Err(CrawlError::RootDisallowed(root.to_string()));
    }
    let delay =
        Duration::from_millis(settings.delay_ms).max(robots.crawl_delay.unwrap_or_default());
    let robots = Arc::new(robots);
    let client =
        fetch::page_client(ua, timeout, root.clone(), robots.clone()).map_err(CrawlError::Setup)?;

    let mut report = CrawlReport {
        root: root.to_string(),
        user_agent: ua.to_string(),
        robots: robots_note,
        pages: Vec::new(),
        skipped: Vec::new(),
        off_site_links: 0,
        not_visited: 0,
        stopped: None,
        elapsed: Duration::ZERO,
    };
    let mut frontier = Frontier::new();
    frontier.see(&root);
    frontier.push(root.clone(), u8::MAX, 0);
    let mut off_site: HashSet<String> = HashSet::new();
    let mut requests = 0usize;
    let mut last_request = Instant::now();

    while let Some((url, depth)) = frontier.pop() {
        if requests >= settings.max_pages {
            report.stopped = Some(format!("page limit of {} reached", settings.max_pages));
            frontier.push(url, 0, depth);
            break;
        }
        let ready = last_request + delay;
        if ready >= deadline || Instant::now() >= deadline {
            report.stopped = Some(format!("time budget of {} s used up", settings.budget_secs));
            frontier.push(url, 0, depth);
            break;
        }
        tokio::time::sleep_until(ready.into()).await;
        let remaining = deadline.saturating_duration_since(Instant::now());
        requests += 1;
        last_request = Instant::now();
        let fetched = fetch::fetch_page(
            &client,
            &url,
            settings.max_page_bytes,
            timeout.min(remaining),
        )
        .await;
        let got = match fetched {
            Ok(f) => f,
            Err(e) => {
                tracing::debug!(url = %url, error = %e, "page not fetched");
                report.skipped.push(Skipped {
                    url: url.to_string(),
                    reason: SkipReason::Failed(e),
                });
                continue;
            }
        };
        // A redirect may land on a page already read (two links to one place), or on one
        // still waiting: then this was its visit.
        if got.url != url {
            if report.pages.iter().any(|p| p.url == got.url.as_str()) {
                continue;
            }
            frontier.see(&got.url);
            frontier.forget(&got.url);
        }
        let reason = match got.status {
            300..=399 => Some(SkipReason::Redirect {
                to: got.location.clone().unwrap_or_else(|| "?".into()),
            }),
            200..=299 if !got.is_page() => Some(SkipReason::NotAPage {
                content_type: got.content_type.clone().unwrap_or_default(),
            }),
            200..=299 => None,
            s => Some(SkipReason::Status(s)),
        };
        if let Some(reason) = reason {
            report.skipped.push(Skipped {
                url: url.to_string(),
                reason,
            });
            continue;
        }
        let page = read_page(got).await;
        if let Some(info) = &page.1 {
            let base = info
                .base
                .as_deref()
                .and_then(|b| links::resolve(&url, b))
                .unwrap_or_else(|| Url::parse(&page.0.url).unwrap_or_else(|_| url.clone()));
            for href in info.hrefs.iter().filter(|_| !info.nofollow) {
                let Some(link) = links::resolve(&base, href) else {
                    continue;
                };
                if !same_site(&link, &root) {
                    off_site.insert(link.to_string());
                    continue;
                }
                if links::is_document(&link) || !frontier.see(&link) {
                    continue;
                }
                if robots.allows(&robots_path(&link)) {
                    frontier.push(link.clone(), links::priority(&link), depth + 1);
                } else {
                    report.skipped.push(Skipped {
                        url: link.to_string(),
                        reason: SkipReason::Robots,
                    });
                }
            }
        }
        report.pages.push(page.0);
    }
    report.off_site_links = off_site.len();
    report.not_visited = frontier.queue.len();
    report.elapsed = started.elapsed();
    tracing::info!(
        root = %root,
        pages = report.pages.len(),
        skipped = report.skipped.len(),
        off_site = report.off_site_links,
        stopped = report.stopped.as_deref().unwrap_or("no"),
        "website gathering crawled"
    );
    Ok(report)
}

/// The page's title, text and links; rendering runs off the async threads (it is CPU work).
async fn read_page(got: fetch::Fetched) -> (Page, Option<HtmlInfo>) {
    let plain = got
        .content_type
        .as_deref()
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("text/plain"));
    let mut body = String::from_utf8_lossy(&got.body).into_owned();
    if got.truncated {
        // A multi-byte character cut at the limit decodes as U+FFFD.
        body.truncate(body.trim_end_matches('\u{fffd}').len());
    }
    let bytes = got.body.len();
    let rendered = tokio::task::spawn_blocking(move || {
        if plain {
            return (body, None, None);
        }
        let info = links::scan(&body);
        let text = text::render(&body, info.depth);
        (text, Some(body), Some(info))
    })
    .await;
    let (text, html, info) = rendered.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "rendering a page failed");
        (String::new(), None, None)
    });
    let title = info.as_ref().map(|i| i.title.clone()).unwrap_or_default();
    (
        Page {
            url: got.url.to_string(),
            status: got.status,
            title,
            text,
            html,
            bytes,
            truncated: got.truncated,
        },
        info,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_urls_get_a_scheme_and_lose_the_fragment() {
        assert_eq!(
            root_url(" maple.test ").unwrap().as_str(),
            "https://maple.test/"
        );
        assert_eq!(
            root_url("http://maple.test/apts#top").unwrap().as_str(),
            "http://maple.test/apts"
        );
        for bad in ["", "ftp://maple.test/", "https://", "not a url at all"] {
            assert!(root_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn frontier_prefers_priority_then_depth_then_order() {
        let u = |s: &str| Url::parse(s).unwrap();
        let mut f = Frontier::new();
        f.push(u("https://m.test/a"), 1, 1);
        f.push(u("https://m.test/b"), 5, 2);
        f.push(u("https://m.test/c"), 5, 1);
        f.push(u("https://m.test/d"), 5, 1);
        let order: Vec<String> = std::iter::from_fn(|| f.pop())
            .map(|(u, _)| u.path().to_string())
            .collect();
        assert_eq!(order, ["/c", "/d", "/b", "/a"]);

        // A page reached by a redirect is not visited again.
        f.push(u("https://m.test/pricing"), 4, 1);
        f.push(u("https://m.test/fees"), 4, 1);
        f.forget(&u("https://m.test/pricing"));
        assert_eq!(
            f.pop().map(|(u, _)| u.path().to_string()).as_deref(),
            Some("/fees")
        );
        assert!(f.pop().is_none());
    }
}

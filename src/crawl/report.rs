//! What a crawl returns: the pages it read, what it skipped and why, and why it could not
//! start.

use std::time::Duration;

use super::PRODUCT;
use super::fetch::FetchError;

/// One page fetched and read.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: String,
    pub status: u16,
    pub title: String,
    pub text: String,
    /// The markup, for extraction (tables); `None` for plain-text pages.
    pub html: Option<String>,
    /// Bytes read (at most `max_page_bytes`).
    pub bytes: usize,
    pub truncated: bool,
}

/// Why a same-site URL gave no page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// robots.txt disallows it for us: never requested.
    Robots,
    /// It redirected off the site (or somewhere robots.txt disallows): not followed.
    Redirect { to: String },
    /// An image, PDF or other non-page content type: not read.
    NotAPage { content_type: String },
    /// A non-success HTTP answer.
    Status(u16),
    /// No answer: timeout, connection refused, broken body.
    Failed(FetchError),
}

impl SkipReason {
    /// One word for counting and storing: robots, redirect, not_a_page, status, failed.
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::Robots => "robots",
            SkipReason::Redirect { .. } => "redirect",
            SkipReason::NotAPage { .. } => "not_a_page",
            SkipReason::Status(_) => "status",
            SkipReason::Failed(_) => "failed",
        }
    }

    /// The site may answer next time (server error, rate limit, timeout).
    pub fn is_transient(&self) -> bool {
        match self {
            SkipReason::Status(s) => *s == 429 || *s >= 500,
            SkipReason::Failed(_) => true,
            _ => false,
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Robots => write!(f, "disallowed by robots.txt"),
            SkipReason::Redirect { to } => write!(f, "redirects off the site to {to}"),
            SkipReason::NotAPage { content_type } => write!(f, "not a web page ({content_type})"),
            SkipReason::Status(s) => write!(f, "answered HTTP {s}"),
            SkipReason::Failed(e) => write!(f, "{e}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub url: String,
    pub reason: SkipReason,
}

/// What one crawl did.
#[derive(Debug, Clone)]
pub struct CrawlReport {
    /// The normalised start address.
    pub root: String,
    pub user_agent: String,
    /// What robots.txt said, in words.
    pub robots: String,
    pub pages: Vec<Page>,
    pub skipped: Vec<Skipped>,
    /// Distinct links to other sites, seen and not followed.
    pub off_site_links: usize,
    /// Same-site links found but not visited because a limit stopped the crawl.
    pub not_visited: usize,
    /// Which limit stopped the crawl early, if one did.
    pub stopped: Option<String>,
    pub elapsed: Duration,
}

impl CrawlReport {
    /// Why the crawl gave nothing to read (no page at all), and whether trying again later
    /// may help.
    pub fn failure(&self) -> Option<(String, bool)> {
        if !self.pages.is_empty() {
            return None;
        }
        Some(match self.skipped.iter().find(|s| s.url == self.root) {
            Some(s) => (
                format!("the home page {} {}", s.url, s.reason),
                s.reason.is_transient(),
            ),
            None => (format!("no page of {} could be read", self.root), false),
        })
    }
}

/// Why a crawl could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrawlError {
    #[error("{0:?} is not a web address (expected e.g. https://maplecourt.example)")]
    InvalidUrl(String),
    #[error(
        "robots.txt at {url} could not be read ({why}): not crawling while the site's wishes \
         are unknown; try again later"
    )]
    RobotsUnreachable { url: String, why: String },
    #[error("robots.txt at {0} disallows the home page for {PRODUCT}: nothing was gathered")]
    RootDisallowed(String),
    #[error("HTTP client set-up: {0}")]
    Setup(String),
}

impl CrawlError {
    pub fn is_transient(&self) -> bool {
        matches!(self, CrawlError::RobotsUnreachable { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::user_agent;

    #[test]
    fn a_crawl_without_pages_says_why() {
        let report = CrawlReport {
            root: "https://m.test/".into(),
            user_agent: user_agent(""),
            robots: String::new(),
            pages: Vec::new(),
            skipped: vec![Skipped {
                url: "https://m.test/".into(),
                reason: SkipReason::Status(503),
            }],
            off_site_links: 0,
            not_visited: 0,
            stopped: None,
            elapsed: Duration::ZERO,
        };
        let (why, transient) = report.failure().unwrap();
        assert_eq!(why, "the home page https://m.test/ answered HTTP 503");
        assert!(transient);
    }
}

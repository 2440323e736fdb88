//! The HTTP side (reqwest): a client with our user agent and timeouts, robots.txt, and pages
//! read no further than the size limit. Redirects of pages are followed only within the site
//! and only where robots.txt allows.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, LOCATION};
use reqwest::{Client, Response, redirect};
use url::Url;

use super::links::{robots_path, same_site};
use super::robots::{MAX_ROBOTS_BYTES, Robots};

const MAX_REDIRECTS: usize = 5;
const ACCEPT_PAGES: &str = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5";

/// Why one request got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    fn from_reqwest(e: reqwest::Error, timeout: Duration) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout(timeout.as_secs().max(1))
        } else if e.is_connect() {
            FetchError::Connect(root_cause(&e))
        } else {
            FetchError::Other(root_cause(&e))
        }
    }
}

/// reqwest's outer message ("error sending request for url ...") says little; the innermost
/// cause ("connection refused") says what happened.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn builder(user_agent: &str, timeout: Duration) -> reqwest::ClientBuilder {
    Client::builder()
        .user_agent(user_agent)
        .timeout(timeout)
        .connect_timeout(timeout)
        // One request per page: a retry is a second visit the site did not ask for.
        .retry(reqwest::retry::never())
}

/// For robots.txt: RFC 9309 lets it redirect (up to five hops), even to another host.
pub fn robots_client(user_agent: &str, timeout: Duration) -> Result<Client, String> {
    builder(user_agent, timeout)
        .redirect(redirect::Policy::limited(MAX_REDIRECTS))
        .build()
        .map_err(|e| root_cause(&e))
}

/// For pages: a redirect is followed only to the same site and where robots.txt allows; any
/// other comes back as the 3xx answer, for the caller to record.
pub fn page_client(
    user_agent: &str,
    timeout: Duration,
    site: Url,
    robots: Arc<Robots>,
) -> Result<Client, String> {
    let policy = redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if same_site(attempt.url(), &site) && robots.allows(&robots_path(attempt.url())) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    builder(user_agent, timeout)
        .redirect(policy)
        .build()
        .map_err(|e| root_cause(&e))
}

/// What asking for robots.txt gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotsFetch {
    Found(String),
    /// A 4xx (other than 429) answer, or too many redirects: there is no robots.txt.
    Missing(String),
    /// A 5xx or 429 answer, a timeout, no connection: the site's wishes are unknown.
    Unreachable(String),
}

pub async fn fetch_robots(client: &Client, site: &Url, timeout: Duration) -> RobotsFetch {
    let Ok(url) = site.join("/robots.txt") else {
        return RobotsFetch::Missing("no robots.txt address".into());
    };
    let resp = match client.get(url).timeout(timeout).send().await {
        Ok(r) => r,
        Err(e) if e.is_redirect() => {
            return RobotsFetch::Missing(format!("robots.txt redirects too often ({e})"));
        }
        Err(e) => {
            return RobotsFetch::Unreachable(FetchError::from_reqwest(e, timeout).to_string());
        }
    };
    let status = resp.status();
    if status.is_success() {
        return match read_limited(resp, MAX_ROBOTS_BYTES, timeout).await {
            Ok((body, _)) => RobotsFetch::Found(String::from_utf8_lossy(&body).into_owned()),
            Err(e) => RobotsFetch::Unreachable(e.to_string()),
        };
    }
    if status.as_u16() == 429 || status.is_server_error() {
        return RobotsFetch::Unreachable(format!("answered {status}"));
    }
    RobotsFetch::Missing(format!("answered {status}"))
}

/// One page's answer. The body is read only for a successful web page.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where the page ended up, after redirects.
    pub url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    /// Where an unfollowed redirect pointed.
    pub location: Option<String>,
    pub body: Vec<u8>,
    /// The page was larger than the limit and only its start was read.
    pub truncated: bool,
}

impl Fetched {
    /// HTML, XHTML or plain text (no content type: assume HTML, as browsers do).
    pub fn is_page(&self) -> bool {
        self.content_type.as_deref().is_none_or(|ct| {
            let ct = ct.to_ascii_lowercase();
            ["text/html", "application/xhtml+xml", "text/plain"]
                .iter()
                .any(|t| ct.starts_with(t))
        })
    }
}

pub async fn fetch_page(
    client: &Client,
    url: &Url,
    max_bytes: usize,
    timeout: Duration,
) -> Result<Fetched, FetchError> {
    let resp = client
        .get(url.clone())
        .header(ACCEPT, ACCEPT_PAGES)
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| FetchError::from_reqwest(e, timeout))?;
    let header = |name: HeaderName| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut out = Fetched {
        url: resp.url().clone(),
        status: resp.status().as_u16(),
        content_type: header(CONTENT_TYPE),
        location: header(LOCATION),
        body: Vec::new(),
        truncated: false,
    };
    if resp.status().is_success() && out.is_page() {
        (out.body, out.truncated) = read_limited(resp, max_bytes, timeout).await?;
    }
    Ok(out)
}

/// Reads at most `max` bytes of the body; dropping the response then closes the connection,
/// so the rest of a huge page is never downloaded.
async fn read_limited(
    mut resp: Response,
    max: usize,
    timeout: Duration,
) -> Result<(Vec<u8>, bool), FetchError> {
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| FetchError::from_reqwest(e, timeout))?
    {
        let room = max - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

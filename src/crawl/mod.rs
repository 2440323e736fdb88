//! Website gathering (issue 5 §3): polite crawling of a target's own site.

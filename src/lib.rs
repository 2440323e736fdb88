//! secret-shop: mystery-shopping rental properties with AI personas over email.
//!
//! Layers point one way (DESIGN.md §2): `domain` (plain types and rules, no IO) ←
//! `store`, `mail`, `ai`, `crawl` ← `services` ← `engine`, `tui`, `cli`.

pub mod ai;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod domain;
pub mod engine;
pub mod logging;
pub mod mail;
pub mod report;
pub mod services;
pub mod store;
pub mod tui;

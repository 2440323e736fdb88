//! Use cases shared by the CLI, the TUI and the worker. They hold no state between calls and
//! never draw.

pub mod clients;
pub mod demo;
pub mod demo_agent;
pub mod demo_history;
pub mod draft_context;
pub mod editor;
pub mod facts;
pub mod gather;
pub mod grading;
pub mod identity;
pub mod inbox;
pub mod jobs;
pub mod leases;
pub mod mail_sync;
pub mod outbox;
pub mod overrides;
pub mod personas;
pub mod planning;
pub mod review;
pub mod session;
pub mod shops;
pub mod targets;
pub mod team;
pub mod templates;
pub mod views;

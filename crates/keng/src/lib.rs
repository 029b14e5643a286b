//! Kẻng: the platform through which a provincial police department (Công an tỉnh) works
//! with the press and the public.
//!
//! Layout: `platform/` holds what every capability needs (storage on SQLite or
//! PostgreSQL, the event log, the audit log, authentication, the permission matrix, the
//! web shell); each capability is a folder of its own (`accounts/` now; `newsroom/`,
//! `press_desk/`, `warnings/`, `scamcheck/`, `stats/`, `coverage/` as they come) with
//! its model, store, pages and API. `server` assembles the router; `cli` the commands.

pub mod accounts;
pub mod cli;
pub mod demo;
pub mod newsroom;
pub mod openapi;
pub mod platform;
pub mod server;

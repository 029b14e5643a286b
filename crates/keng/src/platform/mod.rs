//! The platform every capability stands on: storage, events, audit, authentication,
//! permissions, configuration, languages, the web shell and operations.

pub mod audit;
pub mod audit_pages;
pub mod auth;
pub mod backup;
pub mod blobs;
pub mod cache;
pub mod capability;
pub mod clock;
pub mod config;
pub mod db;
pub mod errors;
pub mod events;
pub mod files;
pub mod home;
pub mod i18n;
pub mod identity;
pub mod ids;
pub mod mailer;
pub mod ops;
pub mod permissions;
pub mod redirect;
pub mod spreadsheet;
pub mod state;
pub mod usage;
pub mod web;
pub mod webhooks;
pub mod word;

//! The test harness, split by purpose: `server` starts the real `keng` binary on a
//! random port against a fresh database (a SQLite file, or a PostgreSQL database of its
//! own when KENG_TEST_DATABASE_URL is set); `browser` and `api` talk HTTP to it like a
//! browser (cookies, CSRF tokens from the forms) or an API client (Bearer tokens);
//! `smtp` and `webhook` are the local receivers of mail and webhooks, `s3` a real
//! S3-compatible server (moto) for the blob store; `source` reads the
//! project's own code for the tests that check it; `fixtures` holds
//! the demo's password and the one way to take a bulletin through the workflow.
#![allow(dead_code)]

pub mod api;
pub mod browser;
pub mod fixtures;
pub mod s3;
pub mod server;
pub mod smtp;
pub mod source;
pub mod webhook;

pub use api::*;
pub use browser::*;
pub use fixtures::*;
pub use s3::*;
pub use server::*;
pub use smtp::*;
pub use source::*;
pub use webhook::*;

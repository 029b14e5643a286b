//! The integration suite, one binary: each module drives the real `keng` binary (spawned
//! on a random port, on SQLite and again on PostgreSQL when KENG_TEST_DATABASE_URL is
//! set) the way its users would. Modules by capability and concern; shared helpers in
//! `common`, split by purpose.

mod common;

mod attachments;
mod backups;
mod blobs;
mod browser;
mod cli_and_ops;
mod coverage;
mod distribution;
mod i18n_and_api_docs;
mod journey;
mod newsroom;
mod press_desk;
mod press_desk_answers;
mod scamcheck;
mod search;
mod security;
mod stats;
mod storage;
mod warnings;
mod warnings_share;

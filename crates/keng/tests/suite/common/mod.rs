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

/// The text of a DOCX read back with docx-rs: every paragraph, also in tables.
pub fn docx_text(bytes: &[u8]) -> String {
    let doc = docx_rs::read_docx(bytes).expect("a DOCX docx-rs can read");
    let json: serde_json::Value = serde_json::from_str(&doc.json()).unwrap();
    let mut out = String::new();
    fn walk(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(m) => {
                if m.get("type") == Some(&serde_json::json!("text")) {
                    if let Some(t) = m
                        .get("data")
                        .and_then(|d| d.get("text"))
                        .and_then(serde_json::Value::as_str)
                    {
                        out.push_str(t);
                    }
                }
                if m.get("type") == Some(&serde_json::json!("paragraph")) {
                    out.push('\n');
                }
                for x in m.values() {
                    walk(x, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(&json["document"], &mut out);
    out
}

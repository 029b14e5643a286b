//! Scam indicators in one canonical form, so that the same number, account or link
//! written ten ways is one record, and the pure parts of reading a suspicious message.
//!
//! - `phone`: what people type ("0912.345.678", "+84 912 345 678", "O9I2 345 678", the
//!   pre-2018 "0168 …") to E.164 with the kind of number;
//! - `bank`: bank accounts, the bank by NAPAS BIN, code or name;
//! - `link`: Safe Browsing canonicalisation and lookup expressions, the registrable
//!   domain (Public Suffix List), shorteners;
//! - `lookalike`: hosts imitating banks, the police, ministries, utilities (skeletons);
//! - `social`: Facebook, Zalo, Telegram, TikTok profiles, app packages, e-wallets;
//! - `refang`: invisible characters and defanged dots undone;
//! - `value`: what a typed value is and the keys (and their SHA-256) it is looked up by;
//! - `message`: a message folded and de-obfuscated, and every indicator in it;
//! - `lexicon`: scam-pattern phrases matched on folded text (Aho-Corasick), and the
//!   assessment of a message;
//! - `model`: a small trained model of scam wording (logistic regression), bounded;
//! - `evaluate`: labelled messages, the confusion matrix, k-fold cross-validation.
//!
//! Pure functions, no I/O: property-tested here and fuzzed alone (`fuzz/`).

pub mod bank;
pub mod evaluate;
pub mod lexicon;
pub mod link;
pub mod lookalike;
pub mod message;
pub mod model;
pub mod phone;
pub mod refang;
pub mod social;
pub mod value;

//! Accounts, units and press agencies: the records and their validation rules.

use serde::Serialize;

use crate::platform::db::{DbResult, Row};
use crate::platform::errors::AppError;

pub use crate::platform::identity::{Status, User};

/// Kinds of unit in the tree.
pub const UNIT_KINDS: [&str; 4] = ["province", "department", "district", "commune"];
/// Press agency kinds and media.
pub const AGENCY_KINDS: [&str; 2] = ["central", "local"];
pub const AGENCY_MEDIA: [&str; 5] = ["print", "online", "tv", "radio", "news_agency"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: String,
    pub code: String,
    pub name: String,
    /// province, department, district or commune.
    pub kind: String,
    pub parent_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Unit {
    pub fn from_row(r: &Row) -> DbResult<Unit> {
        Ok(Unit {
            id: r.str("id")?,
            code: r.str("code")?,
            name: r.str("name")?,
            kind: r.str("kind")?,
            parent_id: r.opt_str("parent_id")?,
            address: r.opt_str("address")?,
            phone: r.opt_str("phone")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Agency {
    pub id: String,
    pub code: String,
    pub name: String,
    /// central or local.
    pub kind: String,
    /// print, online, tv, radio or news_agency.
    pub medium: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub website_url: Option<String>,
    pub feed_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Agency {
    pub fn from_row(r: &Row) -> DbResult<Agency> {
        Ok(Agency {
            id: r.str("id")?,
            code: r.str("code")?,
            name: r.str("name")?,
            kind: r.str("kind")?,
            medium: r.str("medium")?,
            contact_name: r.opt_str("contact_name")?,
            contact_email: r.opt_str("contact_email")?,
            contact_phone: r.opt_str("contact_phone")?,
            website_url: r.opt_str("website_url")?,
            feed_url: r.opt_str("feed_url")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
        })
    }
}

/// A text as one line: canonical Vietnamese, every run of whitespace one space.
fn one_line(value: &str) -> String {
    keng_text::canonical(&value.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Bidirectional embedding, override and isolate controls (U+202A–U+202E,
/// U+2066–U+2069): invisible, they can make a text read differently from what it holds.
/// Characters that reorder text invisibly (bidi controls), and the noncharacters U+FFFE
/// and U+FFFF, which XML (feeds, CAP) cannot carry: refused in anything a person types.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FFFE}' | '\u{FFFF}'
    )
}

/// The message for a text over `max` characters (each names its limit).
fn too_long(max: usize) -> &'static str {
    match max {
        40 => "err.too_long_40",
        80 => "err.too_long_80",
        120 => "err.too_long_120",
        200 => "err.too_long_200",
        300 => "err.too_long_300",
        1000 => "err.too_long_1000",
        2000 => "err.too_long_2000",
        _ => "err.too_long",
    }
}

/// Collects field errors; `finish` turns them into one 422.
#[derive(Default)]
pub struct Check(Vec<(String, &'static str)>);

impl Check {
    pub fn fail(&mut self, field: &str, key: &'static str) {
        self.0.push((field.to_string(), key));
    }

    /// Has any check failed so far?
    pub fn failed(&self) -> bool {
        !self.0.is_empty()
    }

    /// Whether a field already failed.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    pub fn finish(mut self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            // One message per field: the first problem found.
            let mut seen = std::collections::HashSet::new();
            self.0.retain(|(f, _)| seen.insert(f.clone()));
            Err(AppError::Invalid(self.0))
        }
    }

    /// A required single-line text, canonical Vietnamese, at most `max` characters.
    /// Line breaks, tabs and runs of spaces (a pasted paragraph) become one space.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = one_line(value);
        if v.is_empty() {
            self.fail(field, "err.required");
        } else {
            self.limits(field, &v, max);
        }
        v
    }

    /// An optional single-line text (as [`Check::text`]).
    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = one_line(value.unwrap_or(""));
        if v.is_empty() {
            return None;
        }
        self.limits(field, &v, max);
        Some(v)
    }

    fn limits(&mut self, field: &str, v: &str, max: usize) {
        if v.chars().count() > max {
            self.fail(field, too_long(max));
        } else if v.chars().any(|c| c.is_control() || is_bidi_control(c)) {
            self.fail(field, "err.control_chars");
        }
    }

    /// A text of paragraphs (questions, an answer): line breaks kept (CRLF becomes LF),
    /// tabs and runs of spaces inside a line become one space, more than one empty line
    /// in a row becomes one; canonical Vietnamese; at most `max` characters. Empty is
    /// None, or `err.required` when `required`.
    pub fn paragraphs(
        &mut self,
        field: &str,
        value: &str,
        max: usize,
        required: bool,
    ) -> Option<String> {
        let mut lines: Vec<String> = Vec::new();
        for line in value.replace("\r\n", "\n").replace('\r', "\n").split('\n') {
            let l = line.split_whitespace().collect::<Vec<_>>().join(" ");
            if l.is_empty() && lines.last().is_none_or(|p| p.is_empty()) {
                continue;
            }
            lines.push(l);
        }
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        let v = keng_text::canonical(&lines.join("\n"));
        if v.is_empty() {
            if required {
                self.fail(field, "err.required");
            }
            return None;
        }
        if v.chars().count() > max {
            self.fail(field, too_long(max));
        } else if v
            .chars()
            .any(|c| (c.is_control() && c != '\n') || is_bidi_control(c))
        {
            self.fail(field, "err.control_chars");
        }
        Some(v)
    }

    /// A code: 2–32 of A–Z, 0–9, '-' and '_' (uppercased).
    pub fn code(&mut self, field: &str, value: &str) -> String {
        let v = value.trim().to_ascii_uppercase();
        let ok = (2..=32).contains(&v.len())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            self.fail(field, "err.code");
        }
        v
    }

    /// A username: 3–40 of a–z, 0–9, '.', '-' and '_' (lowercased).
    pub fn username(&mut self, field: &str, value: &str) -> String {
        let v = value.trim().to_ascii_lowercase();
        let ok = (3..=40).contains(&v.len())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !ok {
            self.fail(field, "err.username");
        }
        v
    }

    pub fn opt_email(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = value.unwrap_or("").trim().to_string();
        if v.is_empty() {
            return None;
        }
        let valid = v.len() <= 254
            && v.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !v.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            self.fail(field, "err.email");
        }
        Some(v)
    }

    /// A phone number: digits, spaces, '+', '.', '-', '(' and ')'; 8–15 digits.
    pub fn opt_phone(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = value.unwrap_or("").trim().to_string();
        if v.is_empty() {
            return None;
        }
        let digits = v.chars().filter(char::is_ascii_digit).count();
        let valid = (8..=15).contains(&digits)
            && v.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '.' | '-' | '(' | ')'));
        if !valid {
            self.fail(field, "err.phone");
        }
        Some(v)
    }

    pub fn opt_url(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = value.unwrap_or("").trim().to_string();
        if v.is_empty() {
            return None;
        }
        // A parser forgives spaces and line breaks inside an address (it drops or
        // encodes them); what we store and print must be the address itself.
        let clean = !v.chars().any(|c| c.is_whitespace() || c.is_control());
        match url::Url::parse(&v) {
            Ok(u) if clean && matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => self.fail(field, "err.url"),
        }
        Some(v)
    }

    pub fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) -> String {
        let v = value.trim().to_string();
        if v.is_empty() {
            self.fail(field, "err.choose");
        } else if !allowed.contains(&v.as_str()) {
            self.fail(field, "err.choice");
        }
        v
    }

    /// A new password: at least 10 characters, not all the same, at most 200.
    pub fn password(&mut self, field: &str, value: &str) {
        let n = value.chars().count();
        if n < 10 {
            self.fail(field, "err.password_short");
        } else if n > 200 {
            self.fail(field, "err.too_long");
        } else if value.chars().all(|c| value.starts_with(c)) {
            self.fail(field, "err.password_weak");
        }
    }
}

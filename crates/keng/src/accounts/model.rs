//! Accounts, units and press agencies: the records and their validation rules.

use serde::{Deserialize, Serialize};

use crate::platform::clock;
use crate::platform::db::{DbResult, Row};
use crate::platform::errors::AppError;
use crate::platform::permissions::{Actor, Role};

/// An account's state. For journalists `Active` means accredited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered journalist awaiting verification.
    Pending,
    Active,
    /// Registration refused (with a reason).
    Rejected,
    /// Temporarily barred (with a reason); can be reinstated.
    Suspended,
    /// Accreditation withdrawn for good (with a reason).
    Revoked,
    /// A staff account switched off by an admin.
    Disabled,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Pending,
        Status::Active,
        Status::Rejected,
        Status::Suspended,
        Status::Revoked,
        Status::Disabled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Active => "active",
            Status::Rejected => "rejected",
            Status::Suspended => "suspended",
            Status::Revoked => "revoked",
            Status::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The account workflow: may an account of `role` move from `self` to `to`?
    /// Journalists: pending → active (accredited) or rejected; active ⇄ suspended;
    /// active or suspended → revoked. Staff: active or suspended → disabled → active.
    pub fn can_move(self, role: Role, to: Status) -> bool {
        use Status::*;
        match to {
            Active => matches!(self, Pending | Suspended | Disabled),
            Rejected => self == Pending,
            Suspended => self == Active,
            Revoked => matches!(self, Active | Suspended) && role == Role::Journalist,
            Disabled => matches!(self, Active | Suspended) && role != Role::Journalist,
            Pending => false,
        }
    }
}

/// A user account (never carries the password hash or TOTP secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Rank and position, e.g. "Đại tá, Phó Giám đốc".
    pub title: Option<String>,
    pub role: Role,
    pub unit_id: Option<String>,
    pub agency_id: Option<String>,
    pub is_editor: bool,
    pub press_card_no: Option<String>,
    pub status: Status,
    pub status_reason: Option<String>,
    pub totp_enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl User {
    pub fn from_row(r: &Row) -> DbResult<User> {
        Ok(User {
            id: r.str("id")?,
            username: r.str("username")?,
            display_name: r.str("display_name")?,
            email: r.opt_str("email")?,
            phone: r.opt_str("phone")?,
            title: r.opt_str("title")?,
            role: Role::parse(&r.str("role")?).unwrap_or(Role::Public),
            unit_id: r.opt_str("unit_id")?,
            agency_id: r.opt_str("agency_id")?,
            is_editor: r.bool("is_editor")?,
            press_card_no: r.opt_str("press_card_no")?,
            status: Status::parse(&r.str("status")?).unwrap_or(Status::Disabled),
            status_reason: r.opt_str("status_reason")?,
            totp_enabled: r.bool("totp_enabled")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
        })
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id.clone()),
            role: self.role,
            unit_id: self.unit_id.clone(),
            agency_id: self.agency_id.clone(),
            is_editor: self.is_editor,
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    pub fn created_local(&self) -> String {
        clock::format_datetime(self.created_at)
    }
}

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

/// Collects field errors; `finish` turns them into one 422.
#[derive(Default)]
pub struct Check(Vec<(String, &'static str)>);

impl Check {
    pub fn fail(&mut self, field: &str, key: &'static str) {
        self.0.push((field.to_string(), key));
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }

    /// A required single-line text, canonical Vietnamese, at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = keng_text::canonical(value.trim());
        if v.is_empty() {
            self.fail(field, "err.required");
        } else if v.chars().count() > max || v.chars().any(|c| c.is_control()) {
            self.fail(field, "err.too_long");
        }
        v
    }

    /// An optional single-line text.
    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = keng_text::canonical(value.unwrap_or("").trim());
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > max || v.chars().any(|c| c.is_control()) {
            self.fail(field, "err.too_long");
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
        match url::Url::parse(&v) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => self.fail(field, "err.url"),
        }
        Some(v)
    }

    pub fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) -> String {
        let v = value.trim().to_string();
        if !allowed.contains(&v.as_str()) {
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

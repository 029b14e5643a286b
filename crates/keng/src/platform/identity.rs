//! Who signs in: the account record every request is resolved to (`User`), its status
//! and the account workflow between statuses, and the lookup of an account by id. The
//! accounts capability manages these records; the platform needs them to authenticate,
//! so they live here and `accounts::model` re-exports them.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::args;
use crate::platform::clock;
use crate::platform::db::{Db, DbResult, Row};
use crate::platform::permissions::{Actor, Role};

/// Bumped on this node right after a commit that changed who an account is or whether it
/// may act (its status, names, agency): caches of anything derived from accounts compare
/// it (other nodes learn of the change from the event log).
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// An account changed (call after the commit).
pub fn changed() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// The current account generation of this node.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

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

/// The account with this id, if any.
pub async fn get_user(db: &Db, id: &str) -> DbResult<Option<User>> {
    db.fetch_optional("SELECT * FROM users WHERE id = $1", args![id])
        .await?
        .as_ref()
        .map(User::from_row)
        .transpose()
}

//! Scam indicators as stored: what it is (kind, the key it is looked up by, how it is
//! shown), where it stands (reported → verified → published, or rejected / expired),
//! when it was first and last seen, how many reports name it, the evidence staff
//! recorded, the warnings and the incident behind it, where it came from.

use serde::{Deserialize, Serialize};

use crate::platform::db::{DbResult, Row};

/// Where an indicator stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = IndicatorStatus)]
pub enum Status {
    /// Named by a report or an import, not yet checked by staff.
    Reported,
    /// Checked by staff: a scam. The check says so.
    Verified,
    /// Verified and listed publicly (and in exports).
    Published,
    /// Checked by staff: not a scam (the check says "no record").
    Rejected,
    /// No longer in use (a number given back to the carrier, a site gone).
    Expired,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Reported,
        Status::Verified,
        Status::Published,
        Status::Rejected,
        Status::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Verified => "verified",
            Status::Published => "published",
            Status::Rejected => "rejected",
            Status::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// What the public check answers for it.
    pub fn verdict(self) -> Verdict {
        match self {
            Status::Verified | Status::Published => Verdict::Verified,
            Status::Reported => Verdict::Reported,
            Status::Rejected | Status::Expired => Verdict::None,
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(c: u8) -> Status {
        Status::ALL
            .get(c as usize)
            .copied()
            .unwrap_or(Status::Reported)
    }
}

/// The check's answer: never "safe".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No record (which does not mean safe).
    None,
    /// Reported, not yet verified.
    Reported,
    /// Verified by the police as a scam.
    Verified,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::None => "none",
            Verdict::Reported => "reported",
            Verdict::Verified => "verified",
        }
    }
}

/// An indicator as staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Indicator {
    pub id: String,
    /// phone, bank_account, account, link, social, app or wallet.
    pub kind: String,
    /// "phone:+84912345678", "bank:970436:0451000387261", "url:vcb-hotro.top/".
    pub lookup_key: String,
    /// As shown ("+84912345678", "Vietcombank 0451000387261", "https://vcb-hotro.top/").
    pub display: String,
    pub status: Status,
    pub report_count: i64,
    pub first_seen: i64,
    pub last_seen: i64,
    /// What staff established (never shown to the public).
    pub evidence: String,
    /// Warnings about the scam it serves (ids).
    pub warning_ids: Vec<String>,
    /// The case or incident reference.
    pub incident: String,
    /// "staff", "report", "import:chongluadao"…
    pub source: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Indicator {
    pub fn from_row(r: &Row) -> DbResult<Indicator> {
        Ok(Indicator {
            id: r.str("id")?,
            kind: r.str("kind")?,
            lookup_key: r.str("lookup_key")?,
            display: r.str("display")?,
            status: Status::parse(&r.str("status")?).unwrap_or(Status::Reported),
            report_count: r.i64("report_count")?,
            first_seen: r.i64("first_seen")?,
            last_seen: r.i64("last_seen")?,
            evidence: r.str("evidence")?,
            warning_ids: serde_json::from_str(&r.str("warning_ids")?).unwrap_or_default(),
            incident: r.str("incident")?,
            source: r.str("source")?,
            version: r.i64("version")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
        })
    }
}

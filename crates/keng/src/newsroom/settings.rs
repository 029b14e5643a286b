//! The newsroom's section of the configuration (`[newsroom]` in `keng.toml`, or
//! `KENG_NEWSROOM__*`): categories, emergency self-approval, corrections needing approval,
//! the digest hour. Read and checked at start ([`install`]); read back with [`of`].

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::model::DEFAULT_CATEGORIES;
use crate::platform::config::Config;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Bulletin categories (codes; labels come from the locale files, category.<code>).
    pub categories: Vec<String>,
    /// A spokesperson may approve their own initial information in an emergency (logged
    /// as self-approved). Off by default: four eyes.
    pub allow_emergency_self_approval: bool,
    /// The daily digest email goes out at this hour (Vietnam time).
    pub digest_hour: u32,
    /// Corrections of published bulletins are made only by those who may approve
    /// (leader, spokesperson), not by press officers alone. Off by default.
    pub corrections_need_approval: bool,
    /// The username of the spokesperson on duty: named on bulletins that name no other
    /// (their contact is on the public page). Empty: the first active spokesperson.
    pub spokesperson_on_duty: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            categories: DEFAULT_CATEGORIES.iter().map(|s| s.to_string()).collect(),
            allow_emergency_self_approval: false,
            digest_hour: 17,
            corrections_need_approval: false,
            spokesperson_on_duty: String::new(),
        }
    }
}

impl Settings {
    /// Checks values a person may have mistyped.
    pub fn validate(&self) -> Result<(), String> {
        let bad_code = |c: &String| {
            c.is_empty()
                || !c
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        };
        if self.categories.is_empty() || self.categories.iter().any(bad_code) {
            return Err("newsroom.categories: codes of a–z, 0–9 and _".into());
        }
        if self.digest_hour > 23 {
            return Err("newsroom.digest_hour: an hour from 0 to 23".into());
        }
        Ok(())
    }
}

/// Reads and checks `[newsroom]`, and keeps it in the configuration.
pub fn install(config: &mut Config) -> Result<(), String> {
    let s: Settings = config.section("newsroom")?;
    s.validate()?;
    config.install(s);
    Ok(())
}

/// The newsroom's settings (the defaults when none were installed).
pub fn of(config: &Config) -> &Settings {
    static DEFAULT: LazyLock<Settings> = LazyLock::new(Settings::default);
    config.settings::<Settings>().unwrap_or(&DEFAULT)
}

//! The press desk's section of the configuration (`[press_desk]` in `keng.toml`, or
//! `KENG_PRESS_DESK__*`): the time limit of each kind of request in working days, and
//! how many working days before the limit the person in charge is reminded.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::model::KINDS;
use crate::platform::config::Config;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Working days to answer, per kind (information, interview, field_work, operation,
    /// documents).
    pub deadline_days: BTreeMap<String, u32>,
    /// Remind the person in charge this many working days before the limit.
    pub remind_days_before: u32,
    /// How often (seconds) the clocks are checked for reminders and escalations.
    pub clock_check_seconds: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            deadline_days: [
                ("information", 5),
                ("interview", 5),
                ("field_work", 3),
                ("operation", 7),
                ("documents", 7),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            remind_days_before: 1,
            clock_check_seconds: 60,
        }
    }
}

impl Settings {
    pub fn validate(&self) -> Result<(), String> {
        for k in KINDS {
            match self.deadline_days.get(k) {
                Some(d) if (1..=60).contains(d) => {}
                _ => {
                    return Err(format!(
                        "press_desk.deadline_days.{k}: 1 to 60 working days"
                    ))
                }
            }
        }
        if let Some(k) = self
            .deadline_days
            .keys()
            .find(|k| !KINDS.contains(&k.as_str()))
        {
            return Err(format!(
                "press_desk.deadline_days.{k}: not a kind of request ({})",
                KINDS.join(", ")
            ));
        }
        if !(1..=3600).contains(&self.clock_check_seconds) {
            return Err("press_desk.clock_check_seconds: 1 to 3600".into());
        }
        if self.remind_days_before > 10 {
            return Err("press_desk.remind_days_before: 0 to 10".into());
        }
        Ok(())
    }

    pub fn days_for(&self, kind: &str) -> u32 {
        self.deadline_days.get(kind).copied().unwrap_or(5)
    }
}

/// Reads and checks `[press_desk]` (missing kinds take their defaults).
pub fn install(config: &mut Config) -> Result<(), String> {
    let mut s: Settings = config.section("press_desk")?;
    for (k, v) in Settings::default().deadline_days {
        s.deadline_days.entry(k).or_insert(v);
    }
    s.validate()?;
    config.install(s);
    Ok(())
}

pub fn of(config: &Config) -> &Settings {
    static DEFAULT: LazyLock<Settings> = LazyLock::new(Settings::default);
    config.settings::<Settings>().unwrap_or(&DEFAULT)
}

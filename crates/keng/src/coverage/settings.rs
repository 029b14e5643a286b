//! The press monitor's section of the configuration (`[coverage]` in `keng.toml`, or
//! `KENG_COVERAGE__*`): how often each feed is read, how politely (one request per host
//! at a time, a pause between them, a size and a time limit), and which internal
//! addresses it may reach (none unless the operator lists them, as for webhooks).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::platform::config::Config;
use crate::platform::webhooks::Cidr;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Seconds between two reads of one feed (it is read sooner when asked).
    pub poll_seconds: u64,
    /// Seconds the monitor sleeps when nothing is due.
    pub tick_seconds: u64,
    /// Milliseconds between two requests to one host.
    pub host_pause_ms: u64,
    /// Seconds a request may take.
    pub timeout_seconds: u64,
    /// Bytes a feed or a page may have.
    pub max_bytes: u64,
    /// Articles fetched per round (the rest wait for the next).
    pub articles_per_round: u64,
    /// Addresses or CIDR ranges feeds may be read from although internal.
    pub allow_private: Vec<String>,
    /// The demo serves its press agencies' sites on loopback and registers their feeds
    /// (off in tests that count coverage of their own).
    pub demo_feeds: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            poll_seconds: 900,
            tick_seconds: 30,
            host_pause_ms: 2000,
            timeout_seconds: 20,
            max_bytes: 5 * 1024 * 1024,
            articles_per_round: 20,
            allow_private: Vec::new(),
            demo_feeds: true,
        }
    }
}

impl Settings {
    pub fn validate(&self) -> Result<(), String> {
        if self.poll_seconds == 0 || self.tick_seconds == 0 || self.timeout_seconds == 0 {
            return Err(
                "coverage: poll_seconds, tick_seconds and timeout_seconds must be above 0".into(),
            );
        }
        if self.max_bytes < 1024 {
            return Err("coverage.max_bytes: at least 1024".into());
        }
        if let Some(bad) = self.allow_private.iter().find(|c| Cidr::parse(c).is_none()) {
            return Err(format!(
                "coverage.allow_private: {bad} is not an address or a range"
            ));
        }
        Ok(())
    }

    pub fn allow(&self) -> Vec<Cidr> {
        self.allow_private
            .iter()
            .filter_map(|c| Cidr::parse(c))
            .collect()
    }
}

pub fn install(config: &mut Config) -> Result<(), String> {
    let s: Settings = config.section("coverage")?;
    s.validate()?;
    config.install(s);
    Ok(())
}

/// The demo reads its own press sites on loopback.
pub fn for_demo(config: &mut Config) {
    let mut s = of(config).clone();
    if s.demo_feeds {
        for range in ["127.0.0.0/8", "::1/128"] {
            if !s.allow_private.iter().any(|r| r == range) {
                s.allow_private.push(range.into());
            }
        }
        config.install(s);
    }
}

pub fn of(config: &Config) -> &Settings {
    static DEFAULT: LazyLock<Settings> = LazyLock::new(Settings::default);
    config.settings::<Settings>().unwrap_or(&DEFAULT)
}

//! Configuration: defaults, then `keng.toml` in the data dir, then `KENG_*` environment
//! variables (nested keys with `__`, e.g. `KENG_AUTH__REQUIRE_TOTP_FOR_STAFF=true`).

use std::path::Path;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Shown in the header: "Công an tỉnh Thanh Hoá".
    pub site_name: String,
    pub province: String,
    /// The public address (https in production); decides the cookie's Secure flag and
    /// absolute links in feeds and email.
    pub public_base_url: String,
    /// `public_base_url` was not configured: links in pages, feeds and ninjs use each
    /// request's own origin, and mail and webhooks the address the server listens on
    /// (set at start).
    #[serde(skip)]
    pub base_url_from_request: bool,
    pub auth: AuthConfig,
    pub clocks: ClockConfig,
    pub smtp: SmtpConfig,
    /// Every other section of `keng.toml` (`[newsroom]`…), as written: each capability
    /// reads and checks its own (see [`Config::section`], [`Config::install`]).
    #[serde(flatten)]
    pub sections: std::collections::BTreeMap<String, serde_json::Value>,
    /// The capabilities' parsed settings, by type (see [`Config::settings`]).
    #[serde(skip)]
    pub settings: axum::http::Extensions,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// A separate listen address for `/metrics` only (e.g. "127.0.0.1:9898"), unauthenticated
    /// there; empty: no separate listener.
    pub metrics_listen: String,
    /// A bearer token that opens `/metrics` on the main listener; empty: `/metrics` answers
    /// 404 there.
    pub metrics_token: String,
    pub webhooks: WebhookConfig,
    /// Where files live (`[files] store`: "local", "database", or empty for the
    /// backend's default — local on SQLite, database on PostgreSQL).
    pub files: FilesConfig,
    /// The numbers the public home page gives (`[[hotlines]]` with `label` and
    /// `number`); by default the national emergency numbers.
    pub hotlines: Vec<Hotline>,
}

/// Where files live (see `platform::blobs`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FilesConfig {
    pub store: String,
    /// The bucket of `store = "s3"`.
    pub s3: S3Config,
}

/// An S3-compatible bucket (`[files.s3]`); credentials may instead come from the usual
/// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` environment variables.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct S3Config {
    pub bucket: String,
    /// "https://s3.example.vn" for MinIO, Garage, Ceph…; empty: AWS itself.
    pub endpoint: String,
    pub region: String,
    /// Key prefix inside the bucket (e.g. "keng/").
    pub prefix: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Seconds one request may take.
    pub timeout_secs: u64,
}

/// The secret key is never written to a log.
impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"…")
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

impl Default for S3Config {
    fn default() -> Self {
        S3Config {
            bucket: String::new(),
            endpoint: String::new(),
            region: String::new(),
            prefix: String::new(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            timeout_secs: 30,
        }
    }
}

/// A telephone number the public may call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hotline {
    pub label: String,
    /// The label in English (the Vietnamese one is shown when empty).
    #[serde(default)]
    pub label_en: String,
    /// Digits, spaces, dots and a leading + (dialled as its digits).
    pub number: String,
}

impl Hotline {
    /// The `tel:` form of the number.
    pub fn dial(&self) -> String {
        self.number
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }
}

fn national_hotlines() -> Vec<Hotline> {
    [
        (
            "Cảnh sát (báo tin tội phạm, an ninh trật tự)",
            "Police (crime, public order)",
            "113",
        ),
        ("Cứu hoả, cứu nạn, cứu hộ", "Fire and rescue", "114"),
        ("Cấp cứu y tế", "Ambulance", "115"),
    ]
    .into_iter()
    .map(|(label, label_en, number)| Hotline {
        label: label.into(),
        label_en: label_en.into(),
        number: number.into(),
    })
    .collect()
}

/// Where webhooks may be delivered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookConfig {
    /// Addresses or CIDR ranges (e.g. "10.1.2.0/24", "127.0.0.1/8") an agency's webhook
    /// may reach although they are loopback, private, link-local or otherwise internal.
    /// Empty: only public addresses.
    pub allow_private: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// Staff roles (admin, leader, spokesperson, press officer, unit officer) must set
    /// up TOTP before they can use the application.
    pub require_totp_for_staff: bool,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    /// Failed sign-ins at one account from one address within the window before that
    /// address may not try that account again (docs/adr/0003-sign-in-throttling.md).
    pub max_failures_per_account_and_ip: i64,
    /// Failed sign-ins at one account from all addresses within the window before
    /// addresses that never signed in to it may not try it; addresses that did are
    /// exempt, so strangers cannot lock the owner out.
    pub max_failures_per_account: i64,
    /// Failed sign-ins from one address (any account) within the window before the
    /// address may not try again; a successful sign-in does not reset the count.
    pub max_failures_per_ip: i64,
    /// The sliding window of the three limits above.
    pub lockout_minutes: i64,
    /// Journalist registrations sent from one address within the registration window.
    pub max_registrations_per_ip: i64,
    pub registration_window_minutes: i64,
}

/// The legal clocks (DOMAIN.md), configurable.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ClockConfig {
    /// Initial information on an incident of public concern is due within this time.
    pub initial_information_hours: i64,
    /// A press conference at least this often.
    pub press_conference_days: i64,
    /// Periodic information updated at least this often.
    pub periodic_information_days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpConfig {
    /// Empty: email is not sent (deliveries wait in the event log).
    pub host: String,
    pub port: u16,
    pub from: String,
    pub username: String,
    pub password: String,
    /// "none", "starttls" or "tls".
    pub security: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            site_name: "Công an tỉnh".into(),
            province: String::new(),
            public_base_url: String::new(),
            base_url_from_request: true,
            auth: AuthConfig::default(),
            clocks: ClockConfig::default(),
            smtp: SmtpConfig::default(),
            sections: Default::default(),
            settings: Default::default(),
            max_body_bytes: 2 * 1024 * 1024,
            metrics_listen: String::new(),
            metrics_token: String::new(),
            webhooks: WebhookConfig::default(),
            files: FilesConfig::default(),
            hotlines: national_hotlines(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            require_totp_for_staff: false,
            session_idle_minutes: 8 * 60,
            session_max_hours: 7 * 24,
            max_failures_per_account_and_ip: 5,
            max_failures_per_account: 20,
            max_failures_per_ip: 30,
            lockout_minutes: 15,
            max_registrations_per_ip: 5,
            registration_window_minutes: 60,
        }
    }
}

impl Default for ClockConfig {
    fn default() -> Self {
        ClockConfig {
            initial_information_hours: 24,
            press_conference_days: 90,
            periodic_information_days: 31,
        }
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: String::new(),
            port: 25,
            from: "keng@localhost".into(),
            username: String::new(),
            password: String::new(),
            security: "none".into(),
        }
    }
}

/// The top-level keys `KENG_*` environment variables may set.
/// A configuration error quotes the offending line of keng.toml: a secret's value
/// (tokens, passwords, keys) is never repeated in it, so it cannot reach a log.
fn redact_secrets(message: &str) -> String {
    message
        .lines()
        .map(|line| {
            let lower = line.to_ascii_lowercase();
            let secret = ["secret", "token", "password", "passwd", "key_id", "private"]
                .iter()
                .any(|w| lower.contains(w));
            match line.split_once('=') {
                Some((name, _)) if secret => format!("{name}= …"),
                _ => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const ENV_KEYS: &[&str] = &[
    "site_name",
    "province",
    "public_base_url",
    "auth",
    "clocks",
    "smtp",
    "max_body_bytes",
    "metrics_listen",
    "metrics_token",
    "webhooks",
    "files",
    "hotlines",
];

impl Config {
    /// The base of absolute links for a request that came with `host` (its Host header):
    /// the configured public URL, or else the request's own origin when `host` is a
    /// plain host[:port]; otherwise the address the server listens on.
    pub fn base_url_for(&self, host: Option<&str>) -> String {
        let own = host.filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b".-:[]".contains(&c))
        });
        match own {
            Some(h) if self.base_url_from_request => format!("http://{h}"),
            _ => self.public_base_url.trim_end_matches('/').to_string(),
        }
    }

    /// A capability's section of the configuration (its defaults when absent).
    pub fn section<T: serde::de::DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> Result<T, String> {
        match self.sections.get(name) {
            None => Ok(T::default()),
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("[{name}]: {e}")),
        }
    }

    /// Keeps a capability's parsed settings (read back with [`Config::settings`]).
    pub fn install<T: Clone + Send + Sync + 'static>(&mut self, settings: T) {
        self.settings.insert(settings);
    }

    /// The settings of type `T` a capability installed.
    pub fn settings<T: Clone + Send + Sync + 'static>(&self) -> Option<&T> {
        self.settings.get::<T>()
    }

    /// Loads the configuration for a data dir.
    pub fn load(data_dir: &Path) -> Result<Config, String> {
        let mut config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(data_dir.join("keng.toml")))
            // Only the configuration's own keys (not KENG_DATA_DIR, KENG_LOG…), judged by
            // their first segment so nested keys (`KENG_AUTH__…`) pass too (`only` compares
            // whole keys and dropped them).
            // Capabilities' sections are nested keys (`KENG_NEWSROOM__DIGEST_HOUR`).
            .merge(Env::prefixed("KENG_").split("__").filter(|key| {
                let top = key.as_str().split('.').next().unwrap_or("");
                ENV_KEYS.iter().any(|k| k.eq_ignore_ascii_case(top)) || key.as_str().contains('.')
            }))
            .extract()
            .map_err(|e| redact_secrets(&e.to_string()))?;
        config.public_base_url = config.public_base_url.trim().to_string();
        config.base_url_from_request = config.public_base_url.is_empty();
        config.validate()?;
        Ok(config)
    }

    /// Checks values a person may have mistyped.
    pub fn validate(&self) -> Result<(), String> {
        for h in &self.hotlines {
            let ok_chars =
                h.number.chars().enumerate().all(|(i, c)| {
                    c.is_ascii_digit() || c == ' ' || c == '.' || (c == '+' && i == 0)
                });
            let digits = h.dial().chars().filter(char::is_ascii_digit).count();
            if h.label.trim().is_empty() || !ok_chars || !(3..=15).contains(&digits) {
                return Err(format!(
                    "hotlines: \"{}\" ({}) needs a label and a number of 3 to 15 digits",
                    h.number, h.label
                ));
            }
        }
        if !self.public_base_url.is_empty() {
            let url = url::Url::parse(&self.public_base_url)
                .map_err(|e| format!("public_base_url: {e}"))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err("public_base_url must be http:// or https://".into());
            }
        }
        let positive = [
            (
                "clocks.initial_information_hours",
                self.clocks.initial_information_hours,
            ),
            (
                "clocks.press_conference_days",
                self.clocks.press_conference_days,
            ),
            (
                "clocks.periodic_information_days",
                self.clocks.periodic_information_days,
            ),
            ("auth.session_idle_minutes", self.auth.session_idle_minutes),
            ("auth.session_max_hours", self.auth.session_max_hours),
            (
                "auth.max_failures_per_account",
                self.auth.max_failures_per_account,
            ),
            ("auth.max_failures_per_ip", self.auth.max_failures_per_ip),
            (
                "auth.max_failures_per_account_and_ip",
                self.auth.max_failures_per_account_and_ip,
            ),
            ("auth.lockout_minutes", self.auth.lockout_minutes),
            (
                "auth.max_registrations_per_ip",
                self.auth.max_registrations_per_ip,
            ),
            (
                "auth.registration_window_minutes",
                self.auth.registration_window_minutes,
            ),
        ];
        for (name, v) in positive {
            if v <= 0 {
                return Err(format!("{name} must be greater than 0"));
            }
        }
        if !matches!(self.smtp.security.as_str(), "none" | "starttls" | "tls") {
            return Err("smtp.security must be none, starttls or tls".into());
        }
        if !matches!(
            self.files.store.trim(),
            "" | "auto" | "local" | "database" | "s3"
        ) {
            return Err(format!(
                "[files] store = \"{}\": choose local, database or s3 (or leave it out)",
                self.files.store
            ));
        }
        if self.files.store.trim() == "s3" {
            crate::platform::blobs::s3::S3::open(&self.files.s3)?;
        }
        if self.max_body_bytes < 1024 {
            return Err("max_body_bytes must be at least 1024".into());
        }
        if !self.metrics_listen.is_empty()
            && self.metrics_listen.parse::<std::net::SocketAddr>().is_err()
        {
            return Err("metrics_listen must be an address and port, e.g. 127.0.0.1:9898".into());
        }
        if !self.metrics_token.is_empty() && self.metrics_token.len() < 16 {
            return Err("metrics_token must be at least 16 characters".into());
        }
        for entry in &self.webhooks.allow_private {
            if crate::platform::webhooks::Cidr::parse(entry).is_none() {
                return Err(format!(
                    "webhooks.allow_private: {entry:?} is not an address or CIDR range"
                ));
            }
        }
        Ok(())
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_never_repeats_a_secret() {
        let dir = std::env::temp_dir().join(format!("keng-config-{}", super::super::ids::new_id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        std::fs::write(
            dir.join("keng.toml"),
            "[files]\nstore = \"s3\"\n[files.s3]\nbucket = \"b\"\nsecret_access_key = SuperSecretKeyZZZ123\n",
        )
        .unwrap_or_default();
        let err = Config::load(&dir).err().unwrap_or_default();
        assert!(!err.is_empty(), "the bad line is an error");
        assert!(!err.contains("SuperSecretKeyZZZ123"), "{err}");
        assert!(err.contains("secret_access_key"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

//! Reading another site politely: a User-Agent naming this site, robots.txt honoured
//! (texting_robots; read once an hour per host; a server error there means "not now",
//! as RFC 9309 asks), one request per host at a time with a pause between them,
//! conditional requests (ETag, Last-Modified), 429 and 503 with Retry-After obeyed, a
//! size and a time limit, no redirects to internal addresses (the webhooks' guarded
//! resolver: a name resolving inward is refused at every connection).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header;
use tokio::sync::Mutex;

use super::settings::Settings;
use crate::platform::webhooks::{destination_allowed, Cidr, GuardedResolver};

/// What a request brought.
#[derive(Debug)]
pub enum Fetched {
    /// 304: nothing new since the validators given.
    NotModified,
    Body {
        bytes: Vec<u8>,
        content_type: Option<String>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// 429 or 503: come back after this many seconds.
    Later {
        status: u16,
        seconds: u64,
    },
    /// robots.txt says no.
    Disallowed,
    Failed {
        status: Option<u16>,
        error: String,
    },
}

/// The most a Retry-After is obeyed for (a day).
const MAX_RETRY_AFTER: u64 = 86_400;
/// How long a host's robots.txt is kept.
const ROBOTS_TTL: Duration = Duration::from_secs(3600);

#[derive(Clone)]
enum Robots {
    /// Rules to follow.
    Rules(Arc<texting_robots::Robot>),
    /// No robots.txt (4xx): everything allowed.
    AllowAll,
    /// robots.txt unreachable (5xx, a network error): nothing now, and why.
    Unreachable(String),
}

/// One node's polite HTTP client for the press monitor.
pub struct Fetcher {
    client: reqwest::Client,
    agent: String,
    allow: Arc<Vec<Cidr>>,
    pause: Duration,
    max_bytes: u64,
    /// Per host: when its next request may start.
    hosts: Mutex<HashMap<String, Instant>>,
    robots: Mutex<HashMap<String, (Instant, Robots)>>,
}

impl Fetcher {
    pub fn new(settings: &Settings, site: &str) -> reqwest::Result<Fetcher> {
        let allow = Arc::new(settings.allow());
        let agent = if site.is_empty() {
            "KengPressMonitor/1".to_string()
        } else {
            format!("KengPressMonitor/1 (+{site})")
        };
        let resolver = GuardedResolver {
            allow: allow.clone(),
        };
        let redirect_allow = allow.clone();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_seconds))
            .connect_timeout(Duration::from_secs(settings.timeout_seconds.min(10)))
            .redirect(reqwest::redirect::Policy::custom(move |a| {
                if a.previous().len() >= 5 {
                    return a.error("too many redirects");
                }
                let inward = match a.url().host() {
                    Some(url::Host::Ipv4(v4)) => {
                        !destination_allowed(std::net::IpAddr::V4(v4), &redirect_allow)
                    }
                    Some(url::Host::Ipv6(v6)) => {
                        !destination_allowed(std::net::IpAddr::V6(v6), &redirect_allow)
                    }
                    _ => false,
                };
                if inward || !matches!(a.url().scheme(), "http" | "https") {
                    a.stop()
                } else {
                    a.follow()
                }
            }))
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .user_agent(agent.clone())
            .build()?;
        Ok(Fetcher {
            client,
            agent,
            allow,
            pause: Duration::from_millis(settings.host_pause_ms),
            max_bytes: settings.max_bytes,
            hosts: Mutex::new(HashMap::new()),
            robots: Mutex::new(HashMap::new()),
        })
    }

    /// The product token robots.txt rules are matched against.
    fn token(&self) -> &str {
        "KengPressMonitor"
    }

    /// Waits for this host's turn.
    async fn turn(&self, host: &str) {
        let wait = {
            let mut hosts = self.hosts.lock().await;
            let now = Instant::now();
            let at = hosts.get(host).copied().unwrap_or(now).max(now);
            hosts.insert(host.to_string(), at + self.pause);
            at - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    fn literal_refused(&self, url: &url::Url) -> bool {
        match url.host() {
            Some(url::Host::Ipv4(v4)) => {
                !destination_allowed(std::net::IpAddr::V4(v4), &self.allow)
            }
            Some(url::Host::Ipv6(v6)) => {
                !destination_allowed(std::net::IpAddr::V6(v6), &self.allow)
            }
            Some(url::Host::Domain(_)) => false,
            None => true,
        }
    }

    async fn robots_of(&self, url: &url::Url) -> Robots {
        let key = url.origin().ascii_serialization();
        if let Some((at, r)) = self.robots.lock().await.get(&key) {
            if at.elapsed() < ROBOTS_TTL {
                return r.clone();
            }
        }
        let robots_url = format!("{key}/robots.txt");
        let host = url.host_str().unwrap_or_default().to_string();
        self.turn(&host).await;
        let r = match self.client.get(&robots_url).send().await {
            Ok(resp) if resp.status().is_success() => match self.body(resp).await {
                Ok(bytes) => match texting_robots::Robot::new(self.token(), &bytes) {
                    Ok(robot) => Robots::Rules(Arc::new(robot)),
                    Err(_) => Robots::AllowAll,
                },
                Err(e) => Robots::Unreachable(e),
            },
            Ok(resp) if resp.status().is_client_error() => Robots::AllowAll,
            Ok(resp) => Robots::Unreachable(format!("HTTP {}", resp.status().as_u16())),
            Err(e) => Robots::Unreachable(if e.is_timeout() {
                "timed out".into()
            } else if e.is_connect() {
                "cannot connect".into()
            } else {
                e.to_string()
            }),
        };
        self.robots
            .lock()
            .await
            .insert(key, (Instant::now(), r.clone()));
        r
    }

    /// The body, up to the size limit.
    async fn body(&self, mut resp: reqwest::Response) -> Result<Vec<u8>, String> {
        if resp.content_length().is_some_and(|n| n > self.max_bytes) {
            return Err(format!("larger than {} bytes", self.max_bytes));
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
            if (out.len() + chunk.len()) as u64 > self.max_bytes {
                return Err(format!("larger than {} bytes", self.max_bytes));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// GETs `url`, conditionally when validators are given.
    pub async fn get(&self, url: &str, etag: Option<&str>, last_modified: Option<&str>) -> Fetched {
        let parsed = match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            _ => {
                return Fetched::Failed {
                    status: None,
                    error: "not an http(s) address".into(),
                }
            }
        };
        if self.literal_refused(&parsed) {
            return Fetched::Failed {
                status: None,
                error: "an internal address".into(),
            };
        }
        match self.robots_of(&parsed).await {
            Robots::Rules(r) if !r.allowed(url) => return Fetched::Disallowed,
            Robots::Unreachable(why) => {
                return Fetched::Failed {
                    status: None,
                    error: format!("robots.txt unreachable ({why}): not read, as RFC 9309 asks"),
                }
            }
            _ => {}
        }
        self.turn(parsed.host_str().unwrap_or_default()).await;
        let mut req = self.client.get(parsed);
        if let Some(e) = etag {
            req = req.header(header::IF_NONE_MATCH, e);
        }
        if let Some(m) = last_modified {
            req = req.header(header::IF_MODIFIED_SINCE, m);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                return Fetched::Failed {
                    status: None,
                    error: if e.is_timeout() {
                        "timed out".into()
                    } else {
                        format!("{e}")
                    },
                }
            }
        };
        let status = resp.status().as_u16();
        let header_of = |name: header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        match status {
            304 => Fetched::NotModified,
            429 | 503 => Fetched::Later {
                status,
                seconds: header_of(header::RETRY_AFTER)
                    .and_then(|v| retry_after(&v))
                    .unwrap_or(600)
                    .min(MAX_RETRY_AFTER),
            },
            200..=299 => {
                let content_type = header_of(header::CONTENT_TYPE);
                let etag = header_of(header::ETAG);
                let last_modified = header_of(header::LAST_MODIFIED);
                match self.body(resp).await {
                    Ok(bytes) => Fetched::Body {
                        bytes,
                        content_type,
                        etag,
                        last_modified,
                    },
                    Err(error) => Fetched::Failed {
                        status: Some(status),
                        error,
                    },
                }
            }
            _ => Fetched::Failed {
                status: Some(status),
                error: format!("HTTP {status}"),
            },
        }
    }

    pub fn agent(&self) -> &str {
        &self.agent
    }
}

/// Retry-After as seconds: a number, or an HTTP date.
fn retry_after(v: &str) -> Option<u64> {
    if let Ok(n) = v.trim().parse::<u64>() {
        return Some(n);
    }
    let at = chrono::DateTime::parse_from_rfc2822(v.trim()).ok()?;
    let secs = at.timestamp() - chrono::Utc::now().timestamp();
    Some(secs.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after("120"), Some(120));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(0));
        assert_eq!(retry_after("soon"), None);
    }
}

//! Languages and messages: Vietnamese first, English second. Every string a person
//! reads lives in `locales/vi.toml` and `locales/en.toml` (a test checks they have the
//! same keys and that every key the code and templates use exists).

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::http::HeaderMap;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The request's language: the `keng_lang` cookie, then (for the JSON API only) the
    /// first Accept-Language tag; Vietnamese otherwise.
    pub fn from_request(headers: &HeaderMap, is_api: bool) -> Lang {
        if let Some(l) = cookie(headers, "keng_lang").and_then(|v| Lang::parse(&v)) {
            return l;
        }
        if is_api {
            if let Some(al) = headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
            {
                let first = al
                    .split(',')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                if first.starts_with("en") {
                    return Lang::En;
                }
            }
        }
        Lang::Vi
    }
}

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

const VI: &str = include_str!("../../locales/vi.toml");
const EN: &str = include_str!("../../locales/en.toml");

/// Flattens a TOML table into dotted keys.
fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// Parses a locale file; a broken file is a build defect caught by the tests.
pub fn parse_locale(src: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    match src.parse::<toml::Table>() {
        Ok(t) => flatten("", &t, &mut out),
        Err(e) => tracing::error!("locale file does not parse: {e}"),
    }
    out
}

fn catalog(lang: Lang) -> &'static HashMap<String, String> {
    static VI_MAP: OnceLock<HashMap<String, String>> = OnceLock::new();
    static EN_MAP: OnceLock<HashMap<String, String>> = OnceLock::new();
    match lang {
        Lang::Vi => VI_MAP.get_or_init(|| parse_locale(VI)),
        Lang::En => EN_MAP.get_or_init(|| parse_locale(EN)),
    }
}

/// The message for `key` in `lang` (the key itself if missing, which a test forbids).
pub fn t(lang: Lang, key: &str) -> String {
    catalog(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// The message for `key` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, params: &[(&str, String)]) -> String {
    let mut s = t(lang, key);
    for (k, v) in params {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Both catalogs, for the templates and the consistency tests.
pub fn catalogs() -> [(Lang, &'static HashMap<String, String>); 2] {
    [(Lang::Vi, catalog(Lang::Vi)), (Lang::En, catalog(Lang::En))]
}

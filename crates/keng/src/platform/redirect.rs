//! Where a redirect may send a person: the one check every user-supplied redirect target
//! (`next` of sign-in and language switch, `back` of the status form) goes through.
//!
//! Only same-origin relative paths pass: a single leading `/` (never `//`), no backslash,
//! no control character or whitespace — judged after percent-decoding, because browsers
//! drop tabs and newlines from URLs (`/%09/evil.example` becomes `//evil.example`) and some
//! treat `\` as `/`. Anything else falls back to `/`. The result is always a valid
//! `Location` header value (non-ASCII characters are percent-encoded), so building the
//! redirect can never fail.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A same-origin relative path to redirect to, or `/`.
pub fn safe_target(target: Option<&str>) -> String {
    let Some(t) = target else {
        return "/".to_string();
    };
    if is_safe(t) {
        encode_non_ascii(t)
    } else {
        "/".to_string()
    }
}

fn is_safe(t: &str) -> bool {
    if t.len() > 2_000 {
        return false;
    }
    // Judge the text as given and every further percent-decoding of it (a few rounds:
    // a browser or proxy may decode again).
    let mut text = t.to_string();
    for _ in 0..3 {
        if !plain_path(&text) {
            return false;
        }
        let decoded = percent_decode(&text);
        if decoded == text {
            return true;
        }
        text = decoded;
    }
    plain_path(&text)
}

fn plain_path(t: &str) -> bool {
    t.starts_with('/')
        && !t.starts_with("//")
        && !t.contains('\\')
        && !t.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Decodes `%XX` escapes (invalid UTF-8 becomes U+FFFD; a stray `%` stays).
fn percent_decode(t: &str) -> String {
    let b = t.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes the bytes of non-ASCII characters (a `Location` value is ASCII).
fn encode_non_ascii(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// A 303 See Other to [`safe_target`] of `target`.
pub fn see_other(target: Option<&str>) -> Response {
    let to = safe_target(target);
    let value = HeaderValue::from_str(&to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_target;

    #[test]
    fn only_same_origin_paths_pass() {
        for good in ["/", "/users", "/users?role=journalist&x=1", "/tin/a-b#c"] {
            assert_eq!(safe_target(Some(good)), good);
        }
        assert_eq!(safe_target(Some("/tìm")), "/t%C3%ACm");
        for bad in [
            "//evil.example",
            "/\t/evil.example:8080/",
            "/%09/evil.example",
            "/%2509/evil.example",
            "/\r",
            "/%0d",
            "/\n",
            "/%0a",
            "/\\evil.example",
            "/%5Cevil.example",
            "/%2F/evil.example",
            "https://evil.example",
            "evil.example",
            "javascript:alert(1)",
            "/ /evil",
            "/\u{0}",
            "",
        ] {
            assert_eq!(safe_target(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_target(None), "/");
    }
}

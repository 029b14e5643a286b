//! Files that capabilities keep (bulletin attachments, a journalist's letter of
//! introduction, an answer's documents): the type is decided by the first bytes, never
//! by the name (images and PDF only — no SVG or HTML, which can carry script); names are
//! made safe to keep and save; files are served with a sandboxing CSP. Where the bytes
//! live is `blobs` (the data directory or the database). Who may read a file is the
//! capability's decision.

use std::path::{Path, PathBuf};

use axum::extract::Multipart;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::errors::{AppError, AppResult};

/// Largest file accepted.
pub const MAX_BYTES: usize = super::web::MAX_UPLOAD_BYTES;

/// What the first bytes say the file is (None: not a type we accept).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    const TYPES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"%PDF-", "application/pdf"),
    ];
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    TYPES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, m)| *m)
}

/// Does an image say what it is beyond its first bytes (its header names a size)? A
/// signature followed by anything else — a page behind "\x89PNG", a bare "GIF89a" — is
/// no image. PDFs are taken by their signature (readers are built for damaged ones).
fn whole_enough(bytes: &[u8], mime: &str) -> bool {
    if !mime.starts_with("image/") {
        return true;
    }
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
        .is_some_and(|(w, h)| w > 0 && h > 0)
}

/// A SHA-256 written as 64 lowercase hex digits (anything else names no file).
pub fn is_sha(s: &str) -> bool {
    s.len() == 64
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

fn files_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("files")
}

/// Where a file with this hash lives in a data directory (the caller checked it with
/// [`is_sha`]).
pub fn path_of(data_dir: &Path, sha: &str) -> PathBuf {
    files_dir(data_dir)
        .join(sha.get(..2).unwrap_or("00"))
        .join(sha)
}

/// A file of an upload, checked: not empty, at most [`MAX_BYTES`], a type we accept by
/// its content; its name cleaned for that type.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub filename: String,
    pub mime: &'static str,
}

/// Reads a multipart upload (`file` parts, repeatable, and the text fields named in
/// `fields`, the last of each kept): every file is checked before the caller stores
/// anything; none at all is `err.required` on `file`. The same checks for every upload
/// route of every capability.
pub async fn read_upload(
    req: axum::extract::Request,
    fields: &[&str],
) -> AppResult<(Vec<Upload>, std::collections::HashMap<String, String>)> {
    let (files, text) =
        read_form_with_files(req, fields, (usize::MAX, "err.too_many_files")).await?;
    if files.is_empty() {
        return Err(AppError::invalid("file", "err.required"));
    }
    Ok((files, text))
}

/// Reads a multipart form whose files are optional (a public form with screenshots):
/// the text fields named in `fields` (UTF-8, the last of each kept) and at most
/// `max_files` files (`file` parts, empty ones skipped), each checked as
/// [`read_upload`] checks them; one more is the error `too_many` on `file`.
pub async fn read_form_with_files(
    req: axum::extract::Request,
    fields: &[&str],
    (max_files, too_many): (usize, &'static str),
) -> AppResult<(Vec<Upload>, std::collections::HashMap<String, String>)> {
    let mut multipart = <Multipart as axum::extract::FromRequest<()>>::from_request(req, &())
        .await
        .map_err(|e| AppError::BadRequest {
            key: "err.multipart",
            detail: Some(e.body_text()),
        })?;
    let mut files = Vec::new();
    let mut text = std::collections::HashMap::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest {
            key: "err.malformed",
            detail: Some(e.to_string()),
        })?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let given = field.file_name().map(str::to_string);
            // Over the body limit is "too large"; a body cut short or malformed is not.
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::BadRequest {
                        key: "err.too_large",
                        detail: None,
                    }
                } else {
                    AppError::BadRequest {
                        key: "err.malformed",
                        detail: Some(e.body_text()),
                    }
                }
            })?;
            if bytes.is_empty() {
                continue;
            }
            if files.len() >= max_files {
                return Err(AppError::invalid("file", too_many));
            }
            if bytes.len() > MAX_BYTES {
                return Err(AppError::invalid("file", "err.file_too_large"));
            }
            let Some(mime) = sniff(&bytes) else {
                return Err(AppError::invalid("file", "err.file_type"));
            };
            if !whole_enough(&bytes, mime) {
                return Err(AppError::invalid("file", "err.file_type"));
            }
            files.push(Upload {
                filename: clean_name(given.as_deref(), mime),
                bytes: bytes.to_vec(),
                mime,
            });
        } else if fields.contains(&name.as_str()) {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::bad("err.malformed"))?;
            // A form's text is UTF-8, as the platform holds every urlencoded form to.
            let value = String::from_utf8(bytes.to_vec())
                .map_err(|_| AppError::bad("err.form_encoding"))?;
            text.insert(name, value);
        }
    }
    Ok((files, text))
}

/// What RFC 8187 lets stand unescaped in `filename*=` (attr-char): letters, digits and
/// ``!#$&+-.^_`|~``; a space is %20, never "+".
const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// A file as a response: its type, its name for saving, private caching with its hash
/// as `ETag` (a reader who has it gets 304), one byte range when asked (206; 416 for a
/// range outside the file) for large PDFs, and a CSP that keeps a crafted PDF or image
/// from running anything.
pub fn respond(
    headers: &axum::http::HeaderMap,
    sha: &str,
    bytes: Vec<u8>,
    mime: &str,
    filename: &str,
) -> Response {
    let disposition = format!(
        "inline; filename*=UTF-8''{}",
        percent_encoding::utf8_percent_encode(filename, ATTR_CHAR)
    );
    let etag = format!("\"{sha}\"");
    let common = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        (header::ACCEPT_RANGES, "bytes".to_string()),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox".to_string(),
        ),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        // Weak comparison (RFC 9110 § 13.1.2): W/"…" names the same bytes here.
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag
            })
        });
    if matches {
        return (axum::http::StatusCode::NOT_MODIFIED, common).into_response();
    }
    let len = bytes.len();
    match headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Wanted::Whole, |r| byte_range(r, len))
    {
        Wanted::Part(start, end) => (
            axum::http::StatusCode::PARTIAL_CONTENT,
            common,
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")),
            ],
            bytes[start..=end].to_vec(),
        )
            .into_response(),
        Wanted::Outside => (
            axum::http::StatusCode::RANGE_NOT_SATISFIABLE,
            common,
            [(header::CONTENT_RANGE, format!("bytes */{len}"))],
        )
            .into_response(),
        Wanted::Whole => (
            common,
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response(),
    }
}

/// What a `Range` header asks of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// The whole body (no range, or one we ignore: malformed, another unit, several
    /// ranges — RFC 9110 § 14.2 lets a server answer those with the whole).
    Whole,
    /// One range, as inclusive offsets.
    Part(usize, usize),
    /// A well-formed range wholly outside the body: 416.
    Outside,
}

/// One range of `Range: bytes=…` within a body of `len` bytes (`a-b`, `a-`, `-n`; an
/// end past the body, however large, is the body's end).
pub fn byte_range(header: &str, len: usize) -> Wanted {
    let Some(spec) = header
        .trim()
        .get(..6)
        .filter(|u| u.eq_ignore_ascii_case("bytes="))
        .and_then(|_| header.trim().get(6..))
    else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Wanted::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    // A number too large for memory is as large as the body.
    let number = |s: &str| s.parse::<usize>().unwrap_or(usize::MAX);
    if a.is_empty() {
        if !digits(b) {
            return Wanted::Whole;
        }
        let n = number(b);
        if n == 0 || len == 0 {
            return Wanted::Outside;
        }
        return Wanted::Part(len.saturating_sub(n), len - 1);
    }
    if !digits(a) || !(b.is_empty() || digits(b)) {
        return Wanted::Whole;
    }
    let start = number(a);
    let end = if b.is_empty() { usize::MAX } else { number(b) };
    if end < start {
        return Wanted::Whole;
    }
    if start >= len {
        return Wanted::Outside;
    }
    Wanted::Part(start, end.min(len - 1))
}

/// The extension a saved copy must have for its type (what the content is, not what the
/// name said).
fn extension_of(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        _ => "bin",
    }
}

/// Characters that reorder or hide text (a name "evil\u{202E}gnp.exe" shows as
/// "evilexe.png").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A file name as given by a browser, made safe to keep, show and save: no path, no
/// control or bidirectional characters, at most 120 characters, and the extension of
/// what the content is (`p.html` holding a PNG is kept as `p.png`).
pub fn clean_name(name: Option<&str>, mime: &str) -> String {
    let ext = extension_of(mime);
    let raw: String = name
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c) && *c != '/' && *c != '\\')
        .collect();
    let raw = raw.trim().trim_start_matches('.');
    let stem = match raw.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem,
        _ => raw,
    };
    let mut stem: String = stem.trim().chars().take(110).collect();
    if stem.is_empty() {
        stem = "tep".to_string();
    }
    let jpeg = ext == "jpg" && raw.to_lowercase().ends_with(".jpeg");
    format!("{stem}.{}", if jpeg { "jpeg" } else { ext })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0..JFIF"), Some("image/jpeg"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None, "a Windows executable");
        assert_eq!(sniff(b"\x7fELF"), None);
        assert_eq!(
            sniff(b"<svg onload=alert(1)>"),
            None,
            "SVG can carry script"
        );
    }

    #[test]
    fn byte_ranges() {
        use Wanted::*;
        assert_eq!(byte_range("bytes=0-9", 100), Part(0, 9));
        assert_eq!(byte_range("bytes=90-", 100), Part(90, 99));
        assert_eq!(byte_range("bytes=-10", 100), Part(90, 99));
        assert_eq!(byte_range("bytes=50-500", 100), Part(50, 99));
        assert_eq!(byte_range("BYTES=0-1", 100), Part(0, 1));
        assert_eq!(
            byte_range("bytes=0-99999999999999999999999", 100),
            Part(0, 99)
        );
        assert_eq!(byte_range("bytes=100-", 100), Outside);
        assert_eq!(byte_range("bytes=99999999999999999999999-", 100), Outside);
        assert_eq!(byte_range("bytes=-0", 100), Outside);
        // Ignored: the whole body.
        assert_eq!(byte_range("bytes=9-0", 100), Whole);
        assert_eq!(byte_range("bytes=0-1,5-6", 100), Whole);
        assert_eq!(byte_range("items=0-1", 100), Whole);
        assert_eq!(byte_range("bytes=x-y", 100), Whole);
        assert_eq!(byte_range("bytes=+5-9", 100), Whole);
        assert_eq!(byte_range("bytes", 100), Whole);
    }

    #[test]
    fn names_and_hashes_are_checked() {
        assert!(is_sha(&"a".repeat(64)));
        assert!(!is_sha(&"A".repeat(64)));
        assert!(!is_sha("../../etc/passwd"));
        assert_eq!(
            clean_name(Some("../thư giới thiệu.pdf"), "application/pdf"),
            "thư giới thiệu.pdf"
        );
        assert_eq!(clean_name(Some("\u{0}"), "image/png"), "tep.png");
        assert_eq!(
            clean_name(Some("evil\u{202E}gnp.exe"), "image/png"),
            "evilgnp.png"
        );
        assert_eq!(clean_name(Some("p.html"), "image/png"), "p.png");
        assert_eq!(clean_name(Some(".."), "application/pdf"), "tep.pdf");
        assert_eq!(clean_name(Some("ảnh.JPEG"), "image/jpeg"), "ảnh.jpeg");
        assert_eq!(clean_name(None, "image/gif"), "tep.gif");
        let long = format!("{}.pdf", "a".repeat(300));
        assert!(clean_name(Some(&long), "application/pdf").ends_with(".pdf"));
    }
}

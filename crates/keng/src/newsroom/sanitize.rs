//! Bulletin bodies: an allow-list of HTML (ammonia) — no script, no event handlers, no
//! `javascript:` URLs, no inline styles. Plain text without tags becomes paragraphs.

use std::collections::HashSet;

/// The tags a bulletin body may use.
const TAGS: &[&str] = &[
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "img",
    "hr",
    "sup",
    "sub",
];

/// Sanitises a body to the allow-list (and turns plain text into paragraphs).
pub fn body(input: &str) -> String {
    let text = keng_text::canonical(input.trim());
    let html = if looks_like_html(&text) {
        text
    } else {
        paragraphs(&text)
    };
    let tags: HashSet<&str> = TAGS.iter().copied().collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tag_attributes("img", ["src", "alt", "width", "height"])
        .add_tag_attributes("td", ["colspan", "rowspan"])
        .add_tag_attributes("th", ["colspan", "rowspan", "scope"])
        .clean(&html)
        .to_string()
}

/// Markup starts with '<' and a letter, '/' or '!' ("Đoạn <2>" is text).
fn looks_like_html(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// Blank lines separate paragraphs; single newlines become line breaks.
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let escaped = p
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!("<p>{}</p>", escaped.replace('\n', "<br>"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The body as plain text (feeds' summaries, search, Open Graph).
pub fn plain(html: &str) -> String {
    let stripped = ammonia::Builder::empty().clean(html).to_string();
    stripped
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_are_removed() {
        let dirty = r#"<p onclick="x()">Xin <b>chào</b><script>alert(1)</script></p><a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)><svg><script>alert(1)</script></svg><iframe src="//evil"></iframe><p style="color:red">s</p>"#;
        let clean = body(dirty);
        for bad in [
            "script",
            "onclick",
            "onerror",
            "javascript:",
            "<svg",
            "<iframe",
            "style=",
        ] {
            assert!(!clean.contains(bad), "{bad} survived: {clean}");
        }
        assert!(clean.contains("<b>chào</b>"));
    }

    #[test]
    fn plain_text_becomes_paragraphs() {
        assert_eq!(
            body("Dòng một\nDòng hai\n\nĐoạn <2>"),
            "<p>Dòng một<br>Dòng hai</p>\n<p>Đoạn &lt;2&gt;</p>"
        );
    }

    #[test]
    fn links_get_safe_rel_and_text_is_canonical() {
        let c = body(r#"<p>Thanh Hóa <a href="https://example.vn">nguồn</a></p>"#);
        assert!(c.contains("Thanh Hoá"));
        assert!(c.contains(r#"rel="noopener noreferrer nofollow""#));
        assert_eq!(plain(&c), "Thanh Hoá nguồn");
    }
}

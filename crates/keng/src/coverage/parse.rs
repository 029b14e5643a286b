//! What the press monitor reads, turned into data with maintained parsers: feeds (RSS,
//! Atom, JSON Feed: feed-rs), sitemaps and news sitemaps (quick-xml), and article pages
//! — the bytes decoded by their declared charset (encoding_rs: Windows-1258 and
//! friends), the main text found the way Firefox's reader view finds it (dom_smoothie),
//! the links read from the whole page (dom_query), relative ones made absolute.

use encoding_rs::Encoding;
use quick_xml::events::Event as Xml;

use crate::newsroom::sanitize::plain;

/// An item a feed or a sitemap lists.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub url: String,
    pub title: String,
    pub summary: Option<String>,
    pub author: Option<String>,
    /// Unix milliseconds.
    pub published_at: Option<i64>,
}

/// An article page's main text and links.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub title: String,
    pub text: String,
    pub links: Vec<String>,
    pub published_at: Option<i64>,
    /// The byline (readability's, else `<meta name="author">`).
    pub byline: Option<String>,
}

/// Items at most kept from one feed or sitemap.
const MAX_ITEMS: usize = 500;

/// The items of a feed or a sitemap at `base` (relative links resolved against it).
pub fn items(bytes: &[u8], base: &str) -> Result<Vec<Item>, String> {
    if looks_like_sitemap(bytes) {
        return sitemap(bytes, base);
    }
    let feed = feed_rs::parser::parse(bytes).map_err(|e| format!("not a feed: {e}"))?;
    let base = url::Url::parse(base).ok();
    let mut out = Vec::new();
    for e in feed.entries.into_iter().take(MAX_ITEMS) {
        let link = e
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(e.links.first())
            .map(|l| l.href.clone())
            .or_else(|| e.id.starts_with("http").then(|| e.id.clone()));
        let Some(url) = link.and_then(|l| absolute(base.as_ref(), &l)) else {
            continue;
        };
        let title = e.title.map(|t| plain(&t.content)).unwrap_or_default();
        let summary = e
            .summary
            .map(|t| plain(&t.content))
            .or_else(|| e.content.and_then(|c| c.body).map(|b| plain(&b)))
            .filter(|s| !s.is_empty());
        out.push(Item {
            url,
            title,
            summary,
            author: e.authors.into_iter().find_map(|p| p.name),
            published_at: e.published.or(e.updated).map(|d| d.timestamp_millis()),
        });
    }
    Ok(out)
}

fn looks_like_sitemap(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(2048)];
    let head = String::from_utf8_lossy(head);
    head.contains("<urlset") || head.contains("<sitemapindex")
}

/// A sitemap (`<urlset>`, with Google News' `<news:title>` and
/// `<news:publication_date>` when present).
fn sitemap(bytes: &[u8], base: &str) -> Result<Vec<Item>, String> {
    let base = url::Url::parse(base).ok();
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let (mut loc, mut title, mut date) = (None::<String>, None::<String>, None::<String>);
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Xml::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_string();
                if name == "url" {
                    (loc, title, date) = (None, None, None);
                }
                path.push(name);
            }
            Ok(Xml::End(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_string();
                path.pop();
                if name == "url" && out.len() < MAX_ITEMS {
                    if let Some(url) = loc.take().and_then(|l| absolute(base.as_ref(), &l)) {
                        out.push(Item {
                            url,
                            title: title.take().unwrap_or_default(),
                            summary: None,
                            author: None,
                            published_at: date.take().and_then(|d| when(&d)),
                        });
                    }
                }
            }
            Ok(Xml::Text(t)) => {
                let text = t.decode().map(|s| s.trim().to_string()).unwrap_or_default();
                match path.last().map(String::as_str) {
                    Some("loc") if path.iter().any(|p| p == "url") => loc = Some(text),
                    Some("title") => title = Some(text),
                    Some("publication_date") => date = Some(text),
                    Some("lastmod") if date.is_none() => date = Some(text),
                    _ => {}
                }
            }
            Ok(Xml::CData(t)) if path.last().map(String::as_str) == Some("title") => {
                title = Some(String::from_utf8_lossy(&t).trim().to_string());
            }
            Ok(Xml::Eof) => break,
            Err(e) => return Err(format!("not a sitemap: {e}")),
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// An RFC 3339 time or a day ("2025-01-15"), as Unix milliseconds.
fn when(s: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis() - 7 * 3_600_000)
}

fn absolute(base: Option<&url::Url>, link: &str) -> Option<String> {
    let u = match base {
        Some(b) => b.join(link.trim()).ok()?,
        None => url::Url::parse(link.trim()).ok()?,
    };
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}

/// The charset a page declares (header first, then `<meta>` in its first 2 KB).
fn encoding_of(bytes: &[u8], content_type: Option<&str>) -> &'static Encoding {
    let label = |s: &str| -> Option<&'static Encoding> {
        let lower = s.to_ascii_lowercase();
        let at = lower.find("charset=")? + 8;
        let rest = lower[at..].trim_start_matches(['"', '\'']);
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        Encoding::for_label(&rest.as_bytes()[..end])
    };
    if let Some(e) = content_type.and_then(label) {
        return e;
    }
    if let Some((e, _)) = Encoding::for_bom(bytes) {
        return e;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_string();
    label(&head).unwrap_or(encoding_rs::UTF_8)
}

/// An article page: decoded, its main text, its links.
pub fn page(bytes: &[u8], content_type: Option<&str>, url: &str) -> Result<Page, String> {
    let (html, _, _) = encoding_of(bytes, content_type).decode(bytes);
    let html = html.into_owned();
    let base = url::Url::parse(url).ok();
    let doc = dom_query::Document::from(html.as_str());
    let mut links: Vec<String> = doc
        .select("a[href]")
        .nodes()
        .iter()
        .filter_map(|n| n.attr("href"))
        .filter_map(|h| absolute(base.as_ref(), &h))
        .collect();
    links.sort();
    links.dedup();
    links.truncate(1000);
    let cfg = dom_smoothie::Config {
        max_elements_to_parse: 20_000,
        ..Default::default()
    };
    let parsed = dom_smoothie::Readability::new(html.as_str(), Some(url), Some(cfg))
        .map_err(|e| e.to_string())
        .and_then(|mut r| r.parse().map_err(|e| e.to_string()));
    let meta_author = doc
        .select("meta[name=author]")
        .attr("content")
        .map(|s| s.to_string());
    let (title, text, published_at, byline) = match parsed {
        Ok(a) => (
            a.title.clone(),
            a.text_content.to_string(),
            a.published_time.as_deref().and_then(when),
            a.byline.clone().or(meta_author),
        ),
        // Too little to be an article by readability's measure: the page's text.
        Err(_) => (
            doc.select("title").text().to_string(),
            doc.select("body").text().to_string(),
            None,
            meta_author,
        ),
    };
    let byline = byline
        .map(|b| b.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|b| !b.is_empty() && b.chars().count() <= 120);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(Page {
        title: title.trim().to_string(),
        text,
        links,
        published_at,
        byline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rss_feed_gives_its_items_with_absolute_links() {
        let rss = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Báo</title>
        <item><title>Bắt 3 đối tượng</title><link>/tin/1.html</link><description>&lt;p&gt;Công an &lt;b&gt;Đông Sơn&lt;/b&gt;&lt;/p&gt;</description>
        <pubDate>Tue, 14 Jan 2025 08:00:00 +0700</pubDate></item></channel></rss>"#;
        let got = items(rss.as_bytes(), "https://bao.example.vn/rss").unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].url, "https://bao.example.vn/tin/1.html");
        assert_eq!(got[0].summary.as_deref(), Some("Công an Đông Sơn"));
        assert_eq!(got[0].published_at, Some(1_736_816_400_000));
    }

    #[test]
    fn a_news_sitemap_gives_titles_and_dates_and_garbage_is_an_error() {
        let xml = r#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
        <url><loc>https://bao.example.vn/a.html</loc><news:news><news:publication_date>2025-01-14T08:00:00+07:00</news:publication_date><news:title>Tin A</news:title></news:news></url>
        <url><loc>https://bao.example.vn/b.html</loc><lastmod>2025-01-15</lastmod></url></urlset>"#;
        let got = items(xml.as_bytes(), "https://bao.example.vn/sitemap.xml").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].title.as_str(), got[0].published_at),
            ("Tin A", Some(1_736_816_400_000))
        );
        assert!(items(b"\x00\x01 not xml", "https://x.vn/").is_err());
    }

    #[test]
    fn a_windows_1258_page_is_decoded_and_its_links_kept() {
        // "Công an" in Windows-1258: the tone marks are combining characters there.
        let (bytes, _, _) = encoding_rs::WINDOWS_1258.encode("<html><head><meta charset=\"windows-1258\"><title>Tin</title></head><body><p>Công an huyện Đông Sơn bắt giữ 3 đối tượng.</p><a href=\"/tin/abc\">nguồn</a></body></html>");
        let p = page(&bytes, Some("text/html"), "https://congan.example.vn/x").unwrap();
        let text = keng_text::canonical(&p.text);
        assert!(
            text.contains(&keng_text::canonical("huyện Đông Sơn bắt giữ 3 đối tượng")),
            "{}",
            p.text
        );
        assert_eq!(p.links, ["https://congan.example.vn/tin/abc"]);
    }
}

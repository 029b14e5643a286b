//! OASIS CAP 1.2 messages of warnings, written with `quick-xml` in the schema's order and
//! read back by the `oasiscap` crate (its types hold the section-3 rules: closed polygons,
//! valid dates and identifiers) before they are issued: a `vi-VN` info
//! block, an `en-US` one when the warning was translated, the area with each commune's
//! administrative geocode, `web` back to the public page. Publication issues an Alert;
//! an update after publication an Update, a cancellation a Cancel, each referencing
//! every message issued before (`sender,identifier,sent`). A test warning's messages have
//! status Test. Messages are kept as sent (`warning_messages`), so `/cap/{id}.xml` always
//! serves the exact document aggregators received.

use chrono::{FixedOffset, TimeZone, Utc};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::model::{cap_category, Warning};
use crate::args;
use crate::platform::config::Config;
use crate::platform::db::{DbResult, Tx};

/// The sender: an address at the site's host (CAP: no spaces, commas or '<' '&').
pub fn sender(cfg: &Config) -> String {
    let host = url::Url::parse(&cfg.public_base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "localhost".into());
    format!("canh-bao@{host}")
}

/// A message's identifier: unique per sender.
pub fn identifier(cfg: &Config, warning_id: &str, seq: i64) -> String {
    let host = sender(cfg)
        .split('@')
        .nth(1)
        .unwrap_or("localhost")
        .to_string();
    format!("{host}.canh-bao.{warning_id}.{seq}")
}

fn text(lines: &[String]) -> Option<String> {
    (!lines.is_empty()).then(|| {
        lines
            .iter()
            .map(|l| format!("- {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The names of communes by code (for the area's description).
pub struct Place {
    pub code: String,
    pub name: String,
}

/// Where a message applies beyond its words: the communes (a geocode each) and the black
/// spots it names (a circle of 0.5 km each).
#[derive(Default)]
pub struct Area {
    pub communes: Vec<Place>,
    pub spots: Vec<(f64, f64)>,
}

/// What kind of message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Alert,
    Update,
    Cancel,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Alert => "Alert",
            Kind::Update => "Update",
            Kind::Cancel => "Cancel",
        }
    }
}

/// An earlier message this one references.
pub struct Earlier {
    pub identifier: String,
    pub sent: String,
}

/// A message as issued.
pub struct Message {
    pub identifier: String,
    /// CAP's `sent`, as written in the document.
    pub sent: String,
    pub xml: String,
}

/// A CAP date: seconds, Vietnam time (`+07:00`), as the schema's pattern wants.
fn cap_date(ms: i64) -> Option<String> {
    use chrono::Datelike;
    let t = Utc.timestamp_millis_opt(ms).single()?;
    let vn = FixedOffset::east_opt(7 * 3600)?;
    let local = t.with_timezone(&vn);
    // The schema's pattern has four-digit years.
    (1000..=9999)
        .contains(&local.year())
        .then(|| local.format("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

type W = Writer<Vec<u8>>;

fn el(w: &mut W, name: &str, text: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

fn pair(w: &mut W, outer: &str, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(outer).write_inner_content(|w| {
        el(w, "valueName", name)?;
        el(w, "value", value)
    })?;
    Ok(())
}

/// One `info` block, in the schema's order.
#[allow(clippy::too_many_arguments)]
fn info(
    w: &mut W,
    cfg: &Config,
    warning: &Warning,
    places: &Area,
    kind: Kind,
    lang: &str,
    headline: &str,
    happened: &str,
    signs: &[String],
    advice: &[String],
    web: &str,
) -> std::io::Result<()> {
    w.create_element("info").write_inner_content(|w| {
        el(w, "language", lang)?;
        el(w, "category", cap_category(&warning.kind))?;
        el(w, "event", &event_name(&warning.kind, &lang[..2]))?;
        el(
            w,
            "responseType",
            if kind == Kind::Cancel {
                "AllClear"
            } else {
                "Avoid"
            },
        )?;
        el(w, "urgency", &warning.urgency)?;
        el(w, "severity", &warning.severity)?;
        el(w, "certainty", &warning.certainty)?;
        if let Some(d) = cap_date(warning.valid_from) {
            el(w, "effective", &d)?;
        }
        if let Some(d) = warning.valid_until.and_then(cap_date) {
            el(w, "expires", &d)?;
        }
        el(w, "senderName", &cfg.site_name)?;
        el(w, "headline", headline)?;
        let mut description = happened.to_string();
        if let Some(s) = text(signs) {
            description.push_str(if lang == "vi-VN" {
                "\n\nDấu hiệu nhận biết:\n"
            } else {
                "\n\nSigns to recognise:\n"
            });
            description.push_str(&s);
        }
        el(w, "description", &description)?;
        if let Some(a) = text(advice) {
            el(w, "instruction", &a)?;
        }
        el(w, "web", web)?;
        el(w, "contact", &warning.contact)?;
        pair(w, "parameter", "keng:kind", &warning.kind)?;
        for r in &warning.routes {
            pair(w, "parameter", "keng:route", r)?;
        }
        w.create_element("area").write_inner_content(|w| {
            el(w, "areaDesc", &warning.area_desc)?;
            for p in &warning.polygons {
                el(w, "polygon", p)?;
            }
            for (lat, lon) in &places.spots {
                el(w, "circle", &format!("{lat},{lon} 0.5"))?;
            }
            for p in &places.communes {
                // The administrative code of Vietnam's statistics office.
                pair(w, "geocode", "VN-ADMIN", &p.code)?;
            }
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

/// The CAP document of `w` as a message of `kind`, sent at `sent_ms`, written with
/// quick-xml in the schema's element order, then read back by `oasiscap` (its types hold
/// CAP's section-3 rules): a document it refuses is never issued.
pub fn document(
    cfg: &Config,
    w: &Warning,
    places: &Area,
    kind: Kind,
    seq: i64,
    sent_ms: i64,
    earlier: &[Earlier],
) -> Result<Message, String> {
    // Set in production; without it, the address the server listens on.
    let base = match cfg.base_url_for(None) {
        b if b.is_empty() => "http://localhost".to_string(),
        b => b,
    };
    let base = base.trim_end_matches('/');
    let sender_id = sender(cfg);
    let sent = cap_date(sent_ms).ok_or("time out of range")?;
    let id = identifier(cfg, &w.id, seq);
    let web = format!("{base}/canh-bao/{}", w.id);
    let mut x = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written: std::io::Result<()> = (|| {
        x.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        x.create_element("alert")
            .with_attribute(("xmlns", "urn:oasis:names:tc:emergency:cap:1.2"))
            .write_inner_content(|x| {
                el(x, "identifier", &id)?;
                el(x, "sender", &sender_id)?;
                el(x, "sent", &sent)?;
                el(x, "status", if w.is_test { "Test" } else { "Actual" })?;
                el(x, "msgType", kind.as_str())?;
                el(x, "scope", "Public")?;
                if kind == Kind::Cancel {
                    if let Some(n) = &w.cancel_reason {
                        el(x, "note", n)?;
                    }
                }
                if !earlier.is_empty() {
                    let refs: Vec<String> = earlier
                        .iter()
                        .map(|e| format!("{sender_id},{},{}", e.identifier, e.sent))
                        .collect();
                    el(x, "references", &refs.join(" "))?;
                }
                info(
                    x,
                    cfg,
                    w,
                    places,
                    kind,
                    "vi-VN",
                    &w.headline,
                    &w.happened,
                    &w.signs,
                    &w.advice,
                    &web,
                )?;
                if let Some(h) = w.headline_en.as_deref().filter(|h| !h.is_empty()) {
                    info(
                        x,
                        cfg,
                        w,
                        places,
                        kind,
                        "en-US",
                        h,
                        w.happened_en.as_deref().unwrap_or(&w.happened),
                        if w.signs_en.is_empty() {
                            &w.signs
                        } else {
                            &w.signs_en
                        },
                        if w.advice_en.is_empty() {
                            &w.advice
                        } else {
                            &w.advice_en
                        },
                        &web,
                    )?;
                }
                Ok(())
            })?;
        Ok(())
    })();
    written.map_err(|e| e.to_string())?;
    let xml = String::from_utf8(x.into_inner()).map_err(|e| e.to_string())?;
    // CAP's rules beyond the schema, as an independent implementation reads them.
    xml.parse::<oasiscap::Alert>()
        .map_err(|e| format!("the CAP document breaks a CAP rule: {e}"))?;
    Ok(Message {
        identifier: id,
        sent,
        xml,
    })
}

/// The event's name in CAP (`info.event`).
pub fn event_name(kind: &str, lang: &str) -> String {
    let vi = lang == "vi";
    match kind {
        "scam" => {
            if vi {
                "Cảnh báo lừa đảo"
            } else {
                "Scam warning"
            }
        }
        "traffic" => {
            if vi {
                "Cảnh báo giao thông"
            } else {
                "Traffic warning"
            }
        }
        "security" => {
            if vi {
                "Cảnh báo an ninh, trật tự"
            } else {
                "Public order warning"
            }
        }
        "fire" => {
            if vi {
                "Cảnh báo cháy nổ"
            } else {
                "Fire warning"
            }
        }
        "weather_traffic" => {
            if vi {
                "Cảnh báo giao thông do thời tiết"
            } else {
                "Weather traffic warning"
            }
        }
        _ => {
            if vi {
                "Cảnh báo"
            } else {
                "Warning"
            }
        }
    }
    .to_string()
}

/// Issues the next message of `w` in `tx`: numbered after the last, referencing every
/// earlier one. A document the CAP types refuse is an error the caller reports (the
/// input checks make it unreachable in practice).
pub async fn issue(
    tx: &mut Tx,
    cfg: &Config,
    w: &Warning,
    places: &Area,
    kind: Kind,
    now: i64,
) -> DbResult<Result<Message, String>> {
    let rows = tx
        .fetch_all(
            "SELECT seq, identifier, sent FROM warning_messages WHERE warning_id = $1 ORDER BY seq",
            args![&w.id],
        )
        .await?;
    let mut earlier = Vec::new();
    let mut seq = 0;
    for r in &rows {
        seq = seq.max(r.i64("seq")?);
        earlier.push(Earlier {
            identifier: r.str("identifier")?,
            sent: r.str("sent")?,
        });
    }
    let seq = seq + 1;
    let m = match document(cfg, w, places, kind, seq, now, &earlier) {
        Ok(m) => m,
        Err(e) => return Ok(Err(e)),
    };
    tx.execute(
        "INSERT INTO warning_messages (warning_id, seq, identifier, sent, msg_type, xml, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![&w.id, seq, &m.identifier, &m.sent, kind.as_str(), &m.xml, now],
    )
    .await?;
    Ok(Ok(m))
}

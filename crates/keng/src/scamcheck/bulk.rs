//! Indicators in bulk: `keng import indicators FILE` and `keng export indicators` in
//! the formats other systems speak — CSV (value, kind, status), plain host lists (one a
//! line; hosts-file lines too), STIX 2.1 bundles (url, domain-name and ipv4-addr
//! objects, and indicators whose pattern compares a `:value`), MISP events (their
//! attributes and objects' attributes) and PhishTank's JSON. An import reads the whole
//! file first and reports every line it cannot use (line number and why); only a clean
//! file is written, in one transaction, so a file is never half-imported; the same file
//! twice adds nothing the second time. Text must be UTF-8 (a UTF-16 file with its byte
//! order mark is converted; Windows-1258 only when asked, since it cannot be told
//! apart from other 8-bit encodings).

use std::io::Write;

use serde_json::{json, Value};

use super::model::Status;
use super::store::{self, Import, ImportCounts};
use crate::args;
use crate::platform::audit::Origin;
use crate::platform::db::Db;
use keng_indicators::bank::Bank;
use keng_indicators::value::{self, Kind, Recognised};

/// The formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Hosts,
    Stix,
    Misp,
    Phishtank,
}

impl Format {
    /// The format a file name suggests.
    pub fn guess(path: &std::path::Path, text: &str) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Format::Csv,
            "json" | "stix" => {
                let head: String = text.chars().take(4000).collect();
                if head.contains("\"type\": \"bundle\"") || head.contains("\"type\":\"bundle\"") {
                    Format::Stix
                } else if head.contains("\"Event\"") || head.contains("\"Attribute\"") {
                    Format::Misp
                } else {
                    Format::Phishtank
                }
            }
            _ => Format::Hosts,
        }
    }
}

/// A line (or object) that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line, or the object's position for JSON formats.
    pub line: usize,
    pub why: String,
}

/// What a file holds: the readings, and the lines refused.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: Vec<(Recognised, Status)>,
    pub errors: Vec<LineError>,
    /// Lines left out on purpose (comments, blank lines, a CSV header).
    pub skipped: usize,
    /// Rows left out because they name an official address, a whole shared platform or
    /// a short public number (never listed, whatever a list says).
    pub protected: usize,
}

impl Parsed {
    fn push(&mut self, r: Recognised, st: Status) {
        if value::listable(&r) {
            self.rows.push((r, st));
        } else {
            self.protected += 1;
        }
    }
}

/// The file's bytes as text: UTF-8 (a byte order mark dropped), UTF-16 with a byte
/// order mark, or Windows-1258 when `windows_1258`; anything else is refused clearly.
pub fn decode(bytes: &[u8], windows_1258: bool) -> Result<String, String> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if enc == encoding_rs::UTF_8 {
            return std::str::from_utf8(&bytes[bom..])
                .map(str::to_string)
                .map_err(|e| format!("not valid UTF-8 after its byte order mark: {e}"));
        }
        let (text, _, bad) = enc.decode(bytes);
        if bad {
            return Err(format!("not valid {} text", enc.name()));
        }
        return Ok(text.into_owned());
    }
    if windows_1258 {
        let (text, _, _) = encoding_rs::WINDOWS_1258.decode(bytes);
        // Windows-1258 writes tones as combining marks: compose them.
        return Ok(keng_text::canonical(&text));
    }
    std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
        format!(
            "the file is not UTF-8 (first bad byte at {}); if it is Windows-1258, add --encoding windows-1258",
            e.valid_up_to()
        )
    })
}

fn status_of(s: &str, default: Status) -> Result<Status, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(default);
    }
    match Status::parse(s) {
        Some(st @ (Status::Reported | Status::Verified | Status::Published)) => Ok(st),
        _ => Err(format!(
            "status \"{s}\" is not reported, verified or published"
        )),
    }
}

fn read_one(value: &str, kind: &str, banks: &[Bank]) -> Result<Recognised, String> {
    if kind.is_empty() || kind == "link" {
        if let Some(r) = value::of_listed_link(value) {
            if kind == "link"
                || !value
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_digit() || " .+-()".contains(c))
            {
                return Ok(r);
            }
        }
    }
    store::read_value(value, kind, banks).ok_or_else(|| {
        if kind.is_empty() {
            format!(
                "\"{}\" is not a phone number, account, link, profile, app or wallet",
                clip(value)
            )
        } else {
            format!("\"{}\" is not a {kind}", clip(value))
        }
    })
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

/// Reads `text` in `format`; every row gets `default` unless it says its own status.
pub fn parse(text: &str, format: Format, default: Status, banks: &[Bank]) -> Parsed {
    let mut p = Parsed::default();
    match format {
        Format::Hosts => {
            for (i, line) in text.lines().enumerate() {
                let l = line.split('#').next().unwrap_or("").trim();
                if l.is_empty() {
                    p.skipped += 1;
                    continue;
                }
                // "0.0.0.0 host" / "127.0.0.1 host" lines of a hosts file.
                let v = l.split_whitespace().last().unwrap_or(l);
                match value::of_listed_link(v) {
                    Some(r) => p.push(r, default),
                    None => p.errors.push(LineError {
                        line: i + 1,
                        why: format!("\"{}\" is not a host or link", clip(v)),
                    }),
                }
            }
        }
        Format::Csv => {
            let mut rd = csv::ReaderBuilder::new()
                .has_headers(true)
                .flexible(true)
                .from_reader(text.as_bytes());
            let headers: Vec<String> = match rd.headers() {
                Ok(h) => h.iter().map(|x| x.trim().to_ascii_lowercase()).collect(),
                Err(e) => {
                    p.errors.push(LineError {
                        line: 1,
                        why: format!("unreadable header: {e}"),
                    });
                    return p;
                }
            };
            p.skipped += 1;
            let col = |name: &str| headers.iter().position(|h| h == name);
            let Some(vcol) = col("value") else {
                p.errors.push(LineError {
                    line: 1,
                    why: "no \"value\" column (columns: value, kind, status)".into(),
                });
                return p;
            };
            let (kcol, scol) = (col("kind"), col("status"));
            for rec in rd.records() {
                match rec {
                    Err(e) => {
                        let line = e.position().map_or(0, |pos| pos.line() as usize);
                        p.errors.push(LineError {
                            line,
                            why: format!("broken line: {e}"),
                        });
                    }
                    Ok(r) => {
                        let line = r.position().map_or(0, |pos| pos.line() as usize);
                        let get = |c: Option<usize>| {
                            c.and_then(|c| r.get(c)).unwrap_or("").trim().to_string()
                        };
                        let v = get(Some(vcol));
                        if v.is_empty() {
                            p.errors.push(LineError {
                                line,
                                why: "empty value".into(),
                            });
                            continue;
                        }
                        let st = match status_of(&get(scol), default) {
                            Ok(s) => s,
                            Err(why) => {
                                p.errors.push(LineError { line, why });
                                continue;
                            }
                        };
                        let kind = get(kcol);
                        if !kind.is_empty() && Kind::parse(&kind).is_none() {
                            p.errors.push(LineError {
                                line,
                                why: format!("unknown kind \"{}\"", clip(&kind)),
                            });
                            continue;
                        }
                        match read_one(&v, &kind, banks) {
                            Ok(r) => p.push(r, st),
                            Err(why) => p.errors.push(LineError { line, why }),
                        }
                    }
                }
            }
        }
        Format::Stix | Format::Misp | Format::Phishtank => {
            let v: Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    p.errors.push(LineError {
                        line: e.line(),
                        why: format!("not JSON: {e}"),
                    });
                    return p;
                }
            };
            let items = match format {
                Format::Stix => stix_values(&v),
                Format::Misp => misp_values(&v),
                _ => phishtank_values(&v),
            };
            match items {
                Err(why) => p.errors.push(LineError { line: 1, why }),
                Ok(items) => {
                    for (i, (kind, val)) in items.into_iter().enumerate() {
                        match read_one(&val, kind, banks) {
                            Ok(r) => p.push(r, default),
                            Err(why) => p.errors.push(LineError { line: i + 1, why }),
                        }
                    }
                }
            }
        }
    }
    p
}

/// The values in a STIX 2.1 bundle: url / domain-name / ipv4-addr objects, and
/// indicators whose pattern compares `<type>:value = '…'`.
fn stix_values(v: &Value) -> Result<Vec<(&'static str, String)>, String> {
    if v["type"] != "bundle" {
        return Err("not a STIX bundle (\"type\": \"bundle\")".into());
    }
    let objects = v["objects"]
        .as_array()
        .ok_or("a STIX bundle without \"objects\"")?;
    let mut out = Vec::new();
    for o in objects {
        match o["type"].as_str() {
            Some("url" | "domain-name" | "ipv4-addr") => {
                if let Some(val) = o["value"].as_str() {
                    out.push(("link", val.to_string()));
                }
            }
            Some("indicator") => {
                let pattern = o["pattern"].as_str().unwrap_or("");
                let mut rest = pattern;
                while let Some(i) = rest.find(":value") {
                    let obj_type = rest[..i].rsplit(['[', ' ', '(']).next().unwrap_or("");
                    let after = &rest[i + 6..];
                    let Some(q) = after.find('\'') else { break };
                    let body = &after[q + 1..];
                    let Some(end) = body.find('\'') else { break };
                    let kind = match obj_type {
                        "url" | "domain-name" | "ipv4-addr" | "ipv6-addr" => "link",
                        "x-keng-phone" => "phone",
                        "x-keng-bank-account" => "bank_account",
                        _ => "",
                    };
                    out.push((kind, body[..end].replace("\\'", "'")));
                    rest = &body[end + 1..];
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The values of a MISP event (or a list of events, or a search response).
fn misp_values(v: &Value) -> Result<Vec<(&'static str, String)>, String> {
    let mut events = Vec::new();
    match v {
        Value::Array(a) => events.extend(a.iter().map(|e| e.get("Event").unwrap_or(e))),
        Value::Object(o) if o.contains_key("response") => {
            for e in v["response"]
                .as_array()
                .ok_or("a MISP response without a list")?
            {
                events.push(e.get("Event").unwrap_or(e));
            }
        }
        Value::Object(_) => events.push(v.get("Event").unwrap_or(v)),
        _ => return Err("not a MISP event".into()),
    }
    let mut out = Vec::new();
    let mut take = |a: &Value| {
        let kind = match a["type"].as_str().unwrap_or("") {
            "url" | "link" | "domain" | "hostname" | "ip-dst" | "ip-src" => "link",
            "phone-number" => "phone",
            "bank-account-nr" | "iban" => "account",
            _ => return,
        };
        if let Some(val) = a["value"].as_str() {
            out.push((kind, val.to_string()));
        }
    };
    for e in events {
        for a in e["Attribute"].as_array().into_iter().flatten() {
            take(a);
        }
        for o in e["Object"].as_array().into_iter().flatten() {
            for a in o["Attribute"].as_array().into_iter().flatten() {
                take(a);
            }
        }
    }
    Ok(out)
}

/// PhishTank's online-valid JSON: a list of entries with a "url".
fn phishtank_values(v: &Value) -> Result<Vec<(&'static str, String)>, String> {
    let a = v
        .as_array()
        .ok_or("not a PhishTank list (a JSON array of entries)")?;
    Ok(a.iter()
        .filter_map(|e| e["url"].as_str().map(|u| ("link", u.to_string())))
        .collect())
}

/// Writes a parsed file in one transaction, `progress` after each chunk.
pub async fn write(
    db: &Db,
    origin: &Origin,
    parsed: &Parsed,
    source: &str,
    mut progress: impl FnMut(usize),
) -> crate::platform::errors::AppResult<ImportCounts> {
    let mut import = Import::begin(db, source).await?;
    let mut done = 0;
    for chunk in parsed.rows.chunks(5000) {
        import.add(chunk).await?;
        done += chunk.len();
        progress(done);
    }
    import.finish(origin, parsed.rows.len()).await
}

/// Writes every indicator in `statuses` to `out` in `format`; returns how many.
pub async fn export(
    db: &Db,
    statuses: &[Status],
    format: Format,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    // Paged by the primary key alone (see `store::page_after`), filtered here.
    let sql = "SELECT * FROM scam_indicators WHERE id > $1 ORDER BY id LIMIT 20000";
    let mut after = String::new();
    let mut n = 0;
    let mut stix_objects = Vec::new();
    let mut misp_attributes = Vec::new();
    let mut phishtank = Vec::new();
    if format == Format::Csv {
        writeln!(
            out,
            "value,kind,status,first_seen,last_seen,reports,lookup_key"
        )?;
    }
    loop {
        let rows = db.fetch_all(sql, args![&after]).await?;
        let Some(last) = rows.last() else { break };
        after = last.str("id")?;
        for r in &rows {
            let i = super::model::Indicator::from_row(r)?;
            if !statuses.contains(&i.status) {
                continue;
            }
            let form = i
                .lookup_key
                .split_once(':')
                .map_or(i.lookup_key.as_str(), |(_, v)| v)
                .to_string();
            n += 1;
            match format {
                Format::Csv => {
                    let mut w = csv::Writer::from_writer(Vec::new());
                    w.write_record([
                        i.display.as_str(),
                        i.kind.as_str(),
                        i.status.as_str(),
                        &crate::platform::clock::iso(i.first_seen),
                        &crate::platform::clock::iso(i.last_seen),
                        &i.report_count.to_string(),
                        i.lookup_key.as_str(),
                    ])?;
                    out.write_all(&w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
                }
                Format::Hosts => {
                    // Whole hosts only ("host/"): a page is not a host.
                    if i.kind == "link" && form.ends_with('/') && form.matches('/').count() == 1 {
                        writeln!(out, "{}", form.trim_end_matches('/'))?;
                    } else {
                        n -= 1;
                    }
                }
                Format::Stix => {
                    let (obj, value) = match i.kind.as_str() {
                        "link" if form.ends_with('/') && form.matches('/').count() == 1 => {
                            ("domain-name", form.trim_end_matches('/').to_string())
                        }
                        "link" => ("url", i.display.clone()),
                        "phone" => ("x-keng-phone", form.clone()),
                        "bank_account" | "account" => ("x-keng-bank-account", form.clone()),
                        _ => ("x-keng-indicator", i.lookup_key.clone()),
                    };
                    let ts = crate::platform::clock::iso(i.updated_at);
                    stix_objects.push(json!({
                        "type": "indicator", "spec_version": "2.1",
                        "id": format!("indicator--{}", i.id),
                        "created": crate::platform::clock::iso(i.created_at), "modified": ts,
                        "name": i.display, "indicator_types": ["malicious-activity"],
                        "pattern": format!("[{obj}:value = '{}']", value.replace('\\', "\\\\").replace('\'', "\\'")),
                        "pattern_type": "stix", "valid_from": crate::platform::clock::iso(i.first_seen),
                        "created_by_ref": "identity--6b1c2f5e-0000-4000-8000-6b656e670000",
                    }));
                }
                Format::Misp => {
                    let (t, cat) = match i.kind.as_str() {
                        "link" if form.ends_with('/') && form.matches('/').count() == 1 => {
                            ("domain", "Network activity")
                        }
                        "link" => ("url", "Network activity"),
                        "phone" | "wallet" => ("phone-number", "Financial fraud"),
                        "bank_account" | "account" => ("bank-account-nr", "Financial fraud"),
                        _ => ("text", "Other"),
                    };
                    let v = match t {
                        "domain" => form.trim_end_matches('/').to_string(),
                        "url" => i.display.clone(),
                        "bank-account-nr" => form.rsplit(':').next().unwrap_or(&form).to_string(),
                        _ => form.clone(),
                    };
                    misp_attributes.push(json!({"uuid": i.id, "type": t, "category": cat, "value": v, "to_ids": true,
                        "timestamp": (i.updated_at / 1000).to_string(), "comment": i.status.as_str()}));
                }
                Format::Phishtank => {
                    if i.kind == "link" {
                        phishtank.push(json!({"phish_id": i.id, "url": i.display, "submission_time": crate::platform::clock::iso(i.first_seen),
                            "verified": "yes", "verification_time": crate::platform::clock::iso(i.updated_at), "online": "yes", "target": "Other"}));
                    } else {
                        n -= 1;
                    }
                }
            }
        }
    }
    match format {
        Format::Stix => {
            let mut objects = vec![
                json!({"type": "identity", "spec_version": "2.1", "id": "identity--6b1c2f5e-0000-4000-8000-6b656e670000",
                "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "Kẻng", "identity_class": "organization"}),
            ];
            objects.extend(stix_objects);
            serde_json::to_writer_pretty(
                &mut *out,
                &json!({"type": "bundle", "id": format!("bundle--{}", uuid::Uuid::new_v4()), "objects": objects}),
            )?;
        }
        Format::Misp => serde_json::to_writer_pretty(
            &mut *out,
            &json!({"Event": {
            "info": "Kẻng: scam indicators", "date": crate::platform::clock::iso(crate::platform::clock::now_ms())[..10].to_string(),
            "threat_level_id": "2", "analysis": "2", "distribution": "0", "Attribute": misp_attributes}}),
        )?,
        Format::Phishtank => serde_json::to_writer_pretty(&mut *out, &phishtank)?,
        _ => {}
    }
    out.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn banks() -> Vec<Bank> {
        keng_indicators::bank::default_banks()
    }

    #[test]
    fn every_format_reads_its_values() {
        let p = parse(
            "# list\n0.0.0.0 vcb-hotro.top\nhttps://a.b/c\n\nnot a host!\n",
            Format::Hosts,
            Status::Published,
            &banks(),
        );
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].line, 5);
        let p = parse("value,kind,status\n0912345678,,verified\n\"Vietcombank 0451000387261\",bank_account,\nx,,maybe\n\"broken,\n", Format::Csv, Status::Published, &banks());
        assert_eq!(p.rows.len(), 2, "{:?}", p.errors);
        assert_eq!(p.rows[0].1, Status::Verified);
        assert_eq!(p.rows[1].0.keys[0], "bank:970436:0451000387261");
        assert!(!p.errors.is_empty());
        let stix = r#"{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","pattern":"[url:value = 'http://evil.top/x'] OR [domain-name:value = 'evil2.top']"},{"type":"domain-name","value":"evil3.top"}]}"#;
        let p = parse(stix, Format::Stix, Status::Published, &banks());
        assert_eq!(p.rows.len(), 3, "{:?}", p.errors);
        let misp = r#"{"Event":{"Attribute":[{"type":"domain","value":"a.top"},{"type":"phone-number","value":"0912345678"},{"type":"comment","value":"x"}],"Object":[{"Attribute":[{"type":"url","value":"http://b.top/"}]}]}}"#;
        let p = parse(misp, Format::Misp, Status::Published, &banks());
        assert_eq!(p.rows.len(), 3, "{:?}", p.errors);
        let p = parse(
            r#"[{"url":"http://c.top/login"}]"#,
            Format::Phishtank,
            Status::Published,
            &banks(),
        );
        assert_eq!(p.rows.len(), 1);
        let p = parse("{", Format::Misp, Status::Published, &banks());
        assert_eq!(p.rows.len(), 0);
        assert_eq!(p.errors.len(), 1);
    }

    #[test]
    fn encodings() {
        assert_eq!(decode("a,b".as_bytes(), false).as_deref(), Ok("a,b"));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hà".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&utf16, false).as_deref(), Ok("hà"));
        let cp1258 = [b'h', 0xE0];
        assert!(decode(&cp1258, false).unwrap_err().contains("windows-1258"));
        assert_eq!(decode(&cp1258, true).as_deref(), Ok("hà"));
    }
}

//! What accredited press receive of warnings on the newsroom's channels (live stream,
//! agency webhooks, instant email): `warning.published`, `warning.updated` and
//! `warning.cancelled`, each with the warning as that step left it (the event's
//! snapshot) and the link to its CAP document. Test warnings never leave the desk.

use serde_json::json;

use super::model::Warning;
use crate::platform::capability::PressNotice;
use crate::platform::config::Config;
use crate::platform::events::Event;

/// The press notice of a warning event, if it is one the press hears of.
pub fn notice(config: &Config, event: &Event) -> Option<PressNotice> {
    if event.entity != "warning" {
        return None;
    }
    let kind = match event.kind.as_str() {
        "warning.published" => "warning.published",
        "warning.updated" => "warning.updated",
        "warning.cancelled" => "warning.cancelled",
        _ => return None,
    };
    let w: Warning = serde_json::from_value(event.payload.get("after")?.clone()).ok()?;
    if w.is_test || w.id != event.entity_id {
        return None;
    }
    let base = config.public_base_url.trim_end_matches('/');
    let page = format!("{base}/canh-bao/{}", w.id);
    let cap = format!("{base}/cap/{}.xml", w.id);
    let label = match kind {
        "warning.updated" => "CẬP NHẬT CẢNH BÁO",
        "warning.cancelled" => "HUỶ CẢNH BÁO",
        _ => "CẢNH BÁO",
    };
    let mail_subject = format!("[{}] {label}: {}", config.site_name, w.headline);
    let mut mail_body = format!("{}\n\n{}\n", w.headline, w.happened);
    if kind == "warning.cancelled" {
        mail_body.push_str(&format!(
            "\nCảnh báo đã được huỷ. Lý do: {}\n",
            w.cancel_reason.clone().unwrap_or_default()
        ));
    } else {
        mail_body.push_str("\nDấu hiệu nhận biết:\n");
        for s in &w.signs {
            mail_body.push_str(&format!("- {s}\n"));
        }
        mail_body.push_str("\nCần làm gì:\n");
        for a in &w.advice {
            mail_body.push_str(&format!("- {a}\n"));
        }
        mail_body.push_str(&format!("\nLiên hệ: {}\n", w.contact));
    }
    mail_body.push_str(&format!("\n{page}\nCAP 1.2: {cap}\n"));
    Some(PressNotice {
        kind,
        subject_id: w.id.clone(),
        document: json!({ "warning": w, "url": page, "cap": cap }),
        mail_subject,
        mail_body,
    })
}

//! Languages and API description: the Vietnamese and English catalogs have the same
//! keys; every key the templates and the code use exists; errors come in the request's
//! language; the OpenAPI document covers every /api/v1 route and passes a real validator.

use crate::common;

use std::collections::BTreeSet;

use keng::platform::i18n::catalogs;
use keng::platform::web::Templates;
use reqwest::StatusCode;

#[test]
fn both_languages_have_the_same_keys_and_no_empty_message() {
    let [(_, vi), (_, en)] = catalogs();
    let vk: BTreeSet<_> = vi.keys().collect();
    let ek: BTreeSet<_> = en.keys().collect();
    assert!(
        vk.len() > 200,
        "the Vietnamese catalog did not load ({} keys)",
        vk.len()
    );
    assert_eq!(
        vk.difference(&ek).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "missing in English"
    );
    assert_eq!(
        ek.difference(&vk).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "missing in Vietnamese"
    );
    for (k, v) in vi.iter().chain(en.iter()) {
        assert!(!v.trim().is_empty(), "{k} is empty");
    }
}

#[test]
fn every_key_used_exists() {
    let [(_, vi), _] = catalogs();
    // Literal keys in templates: t("a.b") and t('a.b').
    let t_re = regex::Regex::new(r#"t\(\s*["']([a-z0-9_.]+)["']\s*\)"#).unwrap();
    let mut used = BTreeSet::new();
    for (name, src) in Templates::sources() {
        for c in t_re.captures_iter(&src) {
            used.insert((name.clone(), c[1].to_string()));
        }
    }
    // Keys in Rust code: "err.x", "done.x", "nav.x", "field.x".
    let code_re = regex::Regex::new(r#""((?:err|done|nav|field)\.[a-z0-9_]+)""#).unwrap();
    let files = common::rust_files(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    )));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for c in code_re.captures_iter(&text) {
            used.insert((f.display().to_string(), c[1].to_string()));
        }
    }
    assert!(used.len() > 100, "found only {} keys in use", used.len());
    let missing: Vec<_> = used.iter().filter(|(_, k)| !vi.contains_key(k)).collect();
    assert!(missing.is_empty(), "keys used but not defined: {missing:?}");
    // Every audit action the code records has a label in the audit page.
    let action_re =
        regex::Regex::new(r#""((?:user|unit|agency|token|session|bulletin|incident|feed_token|subscription|webhook)\.[a-z_]+)""#)
            .unwrap();
    let files = common::rust_files(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    )));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for c in action_re.captures_iter(&text) {
            assert!(
                vi.contains_key(&format!("audit_action.{}", &c[1])),
                "no label for audit action {} ({})",
                &c[1],
                f.display()
            );
        }
    }
    // Keys built from values: every role, status, kind and medium has a label.
    for r in keng::platform::permissions::Role::ALL {
        assert!(vi.contains_key(&format!("role.{}", r.as_str())));
    }
    for s in keng::accounts::model::Status::ALL {
        for prefix in ["status.", "status.journalist.", "action."] {
            assert!(
                vi.contains_key(&format!("{prefix}{}", s.as_str())),
                "{prefix}{}",
                s.as_str()
            );
        }
    }
    for k in keng::accounts::model::UNIT_KINDS {
        assert!(vi.contains_key(&format!("unit_kind.{k}")));
    }
    for k in keng::accounts::model::AGENCY_KINDS {
        assert!(vi.contains_key(&format!("agency_kind.{k}")));
    }
    for k in keng::accounts::model::AGENCY_MEDIA {
        assert!(vi.contains_key(&format!("medium.{k}")));
    }
}

#[tokio::test]
async fn pages_switch_language_and_errors_follow_it() {
    let s = common::Server::start(&common::Backend::Sqlite).await;
    let b = s.browser();
    let (_, vi) = b.text("/login").await;
    assert!(vi.contains("lang=\"vi\"") && vi.contains("Đăng nhập"));
    let r = b.get("/lang/en?next=/login").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, en) = b.text("/login").await;
    assert!(en.contains("lang=\"en\"") && en.contains("Sign in"), "{en}");
    let (st, html) = b.text("/no-such-page").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(html.contains("does not exist"));
    // The API follows Accept-Language.
    let r = reqwest::Client::new()
        .get(s.url("/api/v1/units"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["title"], "You need to sign in.");
    let r = reqwest::Client::new()
        .get(s.url("/api/v1/units"))
        .send()
        .await
        .unwrap();
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["title"], "Bạn cần đăng nhập.");
    // Field errors are listed by field, in the language asked for.
    let token = s.token_for("quantri").await;
    let r = reqwest::Client::new()
        .post(s.url("/api/v1/units"))
        .bearer_auth(&token)
        .header("accept-language", "en")
        .json(&serde_json::json!({"code": "!", "name": "", "kind": "castle"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: serde_json::Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["code", "name", "kind"]);
    assert_eq!(p["errors"][1]["message"], "This cannot be empty.");
}

#[tokio::test]
async fn the_openapi_document_covers_every_api_route_and_validates() {
    let s = common::Server::start(&common::Backend::Sqlite).await;
    let r = reqwest::get(s.url("/api/openapi.json")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    // Every /api/v1 route any capability declares is documented with its method: the
    // sources of every capability in the binary's list (a new capability is scanned
    // the day it is listed).
    let names: Vec<&str> = keng::capabilities::all()
        .iter()
        .map(|c| c.describe().name)
        .collect();
    assert!(
        names.contains(&"newsroom") && names.contains(&"accounts"),
        "{names:?}"
    );
    let files: Vec<_> = names
        .iter()
        .flat_map(|name| {
            common::rust_files(
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("src")
                    .join(name),
            )
        })
        .collect();
    let src = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect::<Vec<_>>()
        .join("\n");

    // Routes are registered with their whole path, one `.route(` each, so that this scan
    // and the security table's see every one.
    for forbidden in [".nest(", ".nest_service(", ".route_service("] {
        assert!(
            !src.contains(forbidden),
            "a capability registers routes with {forbidden}: write each route in full with .route(path, get(..).post(..))"
        );
    }
    let mut n = 0;
    for call in common::route_calls(&src) {
        if !call.path.starts_with("/api/v1") {
            continue;
        }
        for method in call.methods {
            n += 1;
            assert!(
                doc["paths"][&call.path][method].is_object(),
                "{method} {} is not in the OpenAPI document",
                call.path
            );
        }
    }
    assert!(n >= 24, "found only {n} API routes");

    // Every error answer of every operation says it is a problem document.
    let mut errors = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (code, answer) in op["responses"].as_object().into_iter().flatten() {
                if code.starts_with('4') || code.starts_with('5') {
                    errors += 1;
                    assert_eq!(
                        answer["content"]["application/problem+json"]["schema"]["$ref"],
                        "#/components/schemas/Problem",
                        "{method} {path} answers {code} without the problem schema"
                    );
                }
            }
        }
    }
    assert!(errors > 100, "only {errors} error answers documented");

    // A real validator (openapi-spec-validator, installed by scripts/test-deps).
    let path = common::temp_dir("openapi").join("openapi.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "openapi-spec-validator rejected the document (install it with scripts/test-deps):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A client generated from the OpenAPI document by a maintained generator
/// (openapi-python-client, installed by scripts/test-deps) runs the publish journey:
/// create, find in the approval queue, approve, publish, upload, read as the public
/// (`e2e/generated_client_journey.py`).
#[tokio::test]
async fn a_generated_client_runs_the_publish_journey() {
    let s = common::Server::start(&common::Backend::Sqlite).await;
    let doc = reqwest::get(s.url("/api/openapi.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let dir = common::temp_dir("client");
    std::fs::write(dir.join("openapi.json"), doc).unwrap();
    let gen = std::process::Command::new("openapi-python-client")
        .args(["generate", "--meta", "none", "--path"])
        .arg(dir.join("openapi.json"))
        .arg("--output-path")
        .arg(dir.join("keng_client"))
        .output()
        .expect("openapi-python-client runs (install it with scripts/test-deps)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&gen.stdout),
        String::from_utf8_lossy(&gen.stderr)
    );
    assert!(gen.status.success(), "the generator failed:\n{said}");
    assert!(
        !said.to_lowercase().contains("warning"),
        "the generator warned:\n{said}"
    );
    let officer = s.token_for("tuyentruyen").await;
    let leader = s.token_for("giamdoc").await;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../e2e/generated_client_journey.py");
    let run = std::process::Command::new("python3")
        .arg(script)
        .arg(&s.base)
        .arg(officer)
        .arg(leader)
        .arg(&dir)
        .output()
        .expect("python3 runs");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success() && out.contains("client: ok"), "{out}");
}

/// The interface in English has no Vietnamese left: templates hold no literal
/// Vietnamese text (every word comes from the locale files), and every staff and
/// journalist page rendered in English shows no Vietnamese-only interface message —
/// only content (names, titles, places), which is recognised because the API returns it
/// as data.
#[tokio::test]
async fn the_interface_in_english_has_no_vietnamese_left() {
    // Templates: outside {{ }}, {% %} and {# #}, no Vietnamese letter.
    let viet = regex::Regex::new(
        r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđĐ]",
    )
    .unwrap();
    let tags = regex::Regex::new(r"(?s)\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}").unwrap();
    for (name, text) in Templates::sources() {
        let bare = tags.replace_all(&text, "");
        assert!(
            !viet.is_match(&bare),
            "{name} has Vietnamese text outside the locale files"
        );
    }

    let s = common::Server::start(&common::Backend::Sqlite).await;
    let admin = s.api(Some(&s.token_for("quantri").await));
    // What is content: everything the API returns as data, and the site's own name.
    let mut corpus = String::from("Công an tỉnh Thanh Hoá\n");
    for path in [
        "/api/v1/units",
        "/api/v1/agencies",
        "/api/v1/users",
        "/api/v1/incidents",
        "/api/v1/desk/bulletins?limit=200",
        "/api/v1/audit",
    ] {
        let (st, v) = admin.get(path).await;
        assert_eq!(st, StatusCode::OK, "{path}");
        corpus.push_str(&v.to_string());
    }
    let [(_, vi), (_, en)] = catalogs();
    let vi_only: Vec<&String> = vi
        .iter()
        .filter(|(k, v)| {
            en.get(*k) != Some(*v) && v.chars().count() >= 6 && viet.is_match(v) && !v.contains('{')
        })
        .map(|(_, v)| v)
        .collect();
    assert!(vi_only.len() > 200, "{}", vi_only.len());
    let (_, bulletins) = admin.get("/api/v1/desk/bulletins?limit=1").await;
    let bulletin = bulletins[0]["bulletin"]["id"].as_str().unwrap().to_string();
    let (_, public) = admin.get("/api/v1/bulletins").await;
    let released = public
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["pubStatus"] == "usable")
        .unwrap()["uri"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let text_of = regex::Regex::new(r"(?s)<script.*?</script>|<[^>]+>").unwrap();
    let mut leaks = Vec::new();
    for (user, pages) in [
        (
            "quantri",
            vec![
                "/".to_string(),
                "/users".into(),
                "/users/new".into(),
                "/units".into(),
                "/agencies".into(),
                "/audit".into(),
                "/profile".into(),
            ],
        ),
        (
            "giamdoc",
            vec![
                "/".to_string(),
                "/newsroom".into(),
                format!("/newsroom/b/{bulletin}"),
                format!("/newsroom/b/{bulletin}/diff?from=1&to=1"),
            ],
        ),
        (
            "tuyentruyen",
            vec![
                "/".to_string(),
                "/newsroom".into(),
                "/newsroom/new".into(),
                "/newsroom/incidents/new".into(),
                format!("/newsroom/b/{bulletin}"),
                format!("/newsroom/b/{bulletin}/edit"),
                "/accreditation".into(),
                "/newsroom/deliveries".into(),
                "/scamcheck".into(),
                "/scamcheck/reports".into(),
                "/scamcheck/indicators/new".into(),
            ],
        ),
        (
            "pv.ttxvn",
            vec![
                "/".to_string(),
                "/press".into(),
                "/tin".into(),
                format!("/tin/{released}"),
                "/kiem-tra".into(),
                "/kiem-tra/tin-nhan".into(),
                "/kiem-tra/to-giac".into(),
            ],
        ),
    ] {
        let b = s.browser();
        b.get("/lang/en").await;
        b.login(user, common::DEMO_PASSWORD).await;
        for page in pages {
            let (st, html) = b.text(&page).await;
            assert_eq!(st, StatusCode::OK, "{user} {page}");
            assert!(
                html.contains(r#"<html lang="en">"#),
                "{page} is not in English"
            );
            let text = text_of.replace_all(&html, "\n");
            for v in &vi_only {
                if text.contains(v.as_str()) && !corpus.contains(v.as_str()) {
                    leaks.push(format!("{user} {page}: {v}"));
                }
            }
        }
    }
    leaks.sort();
    leaks.dedup();
    assert!(
        leaks.is_empty(),
        "Vietnamese interface text in English pages:\n{}",
        leaks.join("\n")
    );
    // The check can fail: on the same desk in Vietnamese it finds the interface text.
    let b = s.browser();
    b.login("tuyentruyen", common::DEMO_PASSWORD).await;
    let (_, html) = b.text("/newsroom").await;
    let text = text_of.replace_all(&html, "\n");
    let found = vi_only
        .iter()
        .filter(|v| text.contains(v.as_str()) && !corpus.contains(v.as_str()))
        .count();
    assert!(
        found >= 5,
        "the detector found only {found} messages on the Vietnamese desk"
    );
}

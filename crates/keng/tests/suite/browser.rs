//! The UI in a real browser: `e2e/smoke.mjs` (playwright-core driving Debian's Chromium)
//! against a real server — the newsroom's walk in Vietnamese and in English, at desktop
//! and phone widths, and the press desk's walk (`e2e/press_desk.mjs`: a field visit from
//! request to permit and gate, the report), the scam check (`e2e/scamcheck.mjs`: a check,
//! an analysis and a report on a phone, its proof of work done by the page), the figures
//! (`e2e/stats.mjs`: the public page on a phone, a ward's CSV upload, the leader's
//! approval, report and campaign), the press coordination (`e2e/coverage.mjs`: a TV
//! story by hand, the yearly review, a commendation, the public page on a phone, the
//! survey by keyboard), with axe-core on each page and no script errors. `scripts/test-deps`
//! installs Chromium and the npm packages; screenshots land in target/e2e/ (CI keeps them).

use crate::common;

use std::process::Command;

/// Runs an e2e script against a fresh demo server; its standard output.
async fn walk(script: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("e2e").join(script);
    let module = root.join("e2e/node_modules/playwright-core");
    assert!(
        module.exists() && (std::path::Path::new("/usr/bin/chromium").exists() || std::env::var("CHROMIUM").is_ok()),
        "the browser test needs Chromium and playwright-core: run `bash scripts/test-deps` (the README's test command does)"
    );
    let s = common::Server::start(&common::Backend::Sqlite).await;
    let out = root.join("target/e2e");
    std::fs::create_dir_all(&out).unwrap();
    let base = s.base.clone();
    let result = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script)
            .arg(&base)
            .arg(&out)
            .output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&result.stdout).to_string();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        result.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    stdout
}

/// A screenshot the walk must have taken (a real PNG, not an empty page).
fn screenshot(name: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let png = root.join(format!("target/e2e/{name}.png"));
    let bytes = std::fs::read(&png).unwrap_or_default();
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 5_000,
        "no screenshot {}",
        png.display()
    );
}

#[tokio::test]
async fn a_press_officer_works_in_a_real_browser() {
    let stdout = walk("smoke.mjs").await;
    assert!(stdout.contains("e2e: ok"), "{stdout}");
    for lang in ["vi", "en"] {
        assert!(
            stdout.contains(&format!("e2e: the walk in {lang} passed")),
            "{stdout}"
        );
        for shot in [
            "home",
            "desk",
            "news-phone",
            "desk-leader-phone",
            "approved-phone",
        ] {
            screenshot(&format!("{lang}-{shot}"));
        }
    }
}

#[tokio::test]
async fn a_field_visit_is_asked_routed_scheduled_and_checked_in_a_real_browser() {
    let stdout = walk("press_desk.mjs").await;
    assert!(
        stdout.contains("e2e: the press desk walk passed"),
        "{stdout}"
    );
    for shot in [
        "request-sent-phone",
        "desk",
        "permit-phone",
        "gate-phone",
        "report",
        "report-phone",
    ] {
        screenshot(&format!("press-{shot}"));
    }
}

#[tokio::test]
async fn a_person_checks_analyses_and_reports_a_scam_in_a_real_browser() {
    let stdout = walk("scamcheck.mjs").await;
    assert!(stdout.contains("e2e: scam check ok"), "{stdout}");
    assert!(stdout.contains("e2e: report TG-"), "{stdout}");
    for name in [
        "scam-check",
        "scam-analysis",
        "scam-tracking",
        "scam-report-view",
    ] {
        screenshot(name);
    }
}

#[tokio::test]
async fn a_ward_uploads_figures_and_the_leader_reports_them_in_a_real_browser() {
    let stdout = walk("stats.mjs").await;
    assert!(stdout.contains("e2e: figures ok"), "{stdout}");
    for name in [
        "stats-public-phone",
        "stats-submission",
        "stats-enter-mistake",
        "stats-dashboard",
        "stats-report",
        "stats-campaign",
        "stats-catalogue",
    ] {
        screenshot(name);
    }
}

#[tokio::test]
async fn the_press_coordination_is_reviewed_and_commended_in_a_real_browser() {
    let stdout = walk("coverage.mjs").await;
    assert!(stdout.contains("e2e: coverage ok"), "{stdout}");
    for name in [
        "coverage-desk",
        "coverage-review",
        "coverage-awards-phone",
        "coverage-survey",
    ] {
        screenshot(name);
    }
}

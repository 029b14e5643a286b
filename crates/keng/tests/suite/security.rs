//! Every state-changing route, three ways: without a CSRF token (403), by the wrong role
//! (403), and with malformed input (a 4xx, never a 500). A source scan makes sure no
//! state-changing route escapes the table. Plus: every page as every role renders without
//! a 500, login throttling, TOTP sign-in, cookie flags.

use crate::common;

use common::{agency_id, backends, user_id, Browser, Server, DEMO_PASSWORD};
use reqwest::{Method, StatusCode};

/// How a route is exercised.
struct Route {
    method: &'static str,
    /// The route as written in the router (with {id}).
    pattern: &'static str,
    /// A page carrying a CSRF token for the signed-in user.
    kind: Kind,
    /// A demo account allowed to call it, and one that is not (None: any account may).
    allowed: &'static str,
    wrong: Option<&'static str>,
    /// A well-formed body (form fields or JSON) that passes CSRF and reaches the handler.
    good: Body,
    /// A malformed body.
    bad: Body,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Form,
    Json,
}

enum Body {
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
    /// The route reads no input: there is no malformed form of it (garbage still may not 500).
    NoInput,
}

fn table() -> Vec<Route> {
    use Body::{Form as F, Json as J};
    use Kind::*;
    vec![
        Route {
            method: "POST",
            pattern: "/login",
            kind: Form,
            allowed: "quantri",
            wrong: None,
            good: F(&[("username", "x"), ("password", "y")]),
            bad: F(&[("user", "x")]),
        },
        Route {
            method: "POST",
            pattern: "/login/totp",
            kind: Form,
            allowed: "quantri",
            wrong: None,
            good: F(&[("code", "123456")]),
            bad: F(&[("nocode", "1")]),
        },
        Route {
            method: "POST",
            pattern: "/logout",
            kind: Form,
            allowed: "quantri",
            wrong: None,
            good: F(&[]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/register",
            kind: Form,
            allowed: "quantri",
            wrong: None,
            good: F(&[("username", "a")]),
            bad: F(&[("agency_id", "not-a-uuid"), ("password", "")]),
        },
        Route {
            method: "POST",
            pattern: "/users",
            kind: Form,
            allowed: "quantri",
            wrong: Some("tuyentruyen"),
            good: F(&[("role", "leader")]),
            bad: F(&[("role", "superuser"), ("is_editor", "maybe")]),
        },
        Route {
            method: "POST",
            pattern: "/users/{id}",
            kind: Form,
            allowed: "quantri",
            wrong: Some("tuyentruyen"),
            good: F(&[("role", "journalist"), ("display_name", "x")]),
            bad: F(&[("role", "admin"), ("unit_id", "../../etc")]),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/users/{id}",
            kind: Json,
            allowed: "quantri",
            wrong: Some("giamdoc"),
            good: J(r#"{"display_name":"x","role":"journalist"}"#),
            bad: J(r#"{"display_name":7}"#),
        },
        Route {
            method: "POST",
            pattern: "/users/{id}/status",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[("to", "suspended"), ("reason", "kiểm tra")]),
            bad: F(&[("to", "emperor")]),
        },
        Route {
            method: "POST",
            pattern: "/units",
            kind: Form,
            allowed: "quantri",
            wrong: Some("giamdoc"),
            good: F(&[("code", "X1"), ("name", "n"), ("kind", "commune")]),
            bad: F(&[
                ("code", "<script>"),
                ("kind", "castle"),
                ("parent_id", "' OR 1=1 --"),
            ]),
        },
        Route {
            method: "POST",
            pattern: "/agencies",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.baothanhhoa"),
            good: F(&[
                ("code", "AB"),
                ("name", "n"),
                ("kind", "local"),
                ("medium", "tv"),
            ]),
            bad: F(&[("code", ""), ("website_url", "javascript:alert(1)")]),
        },
        Route {
            method: "POST",
            pattern: "/agencies/{agency}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("phatngon"),
            good: F(&[
                ("code", "BTH"),
                ("name", "Báo Thanh Hoá"),
                ("kind", "local"),
                ("medium", "print"),
            ]),
            bad: F(&[("kind", "weird"), ("contact_email", "not an email")]),
        },
        Route {
            method: "POST",
            pattern: "/profile/password",
            kind: Form,
            allowed: "phatngon",
            wrong: None,
            good: F(&[
                ("current_password", "wrong"),
                ("new_password", "khong-doi-2025"),
            ]),
            bad: F(&[("current_password", "x")]),
        },
        Route {
            method: "POST",
            pattern: "/profile/totp",
            kind: Form,
            allowed: "phatngon",
            wrong: None,
            good: F(&[
                ("secret", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
                ("code", "000000"),
            ]),
            bad: F(&[("secret", "!!")]),
        },
        Route {
            method: "POST",
            pattern: "/profile/totp/disable",
            kind: Form,
            allowed: "phatngon",
            wrong: None,
            good: F(&[("current_password", "wrong")]),
            bad: F(&[]),
        },
        Route {
            method: "POST",
            pattern: "/profile/tokens",
            kind: Form,
            allowed: "phatngon",
            wrong: None,
            good: F(&[("name", "x")]),
            bad: F(&[("name", "")]),
        },
        Route {
            method: "POST",
            pattern: "/profile/tokens/{id}/revoke",
            kind: Form,
            allowed: "phatngon",
            wrong: None,
            good: F(&[]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/api/v1/units",
            kind: Json,
            allowed: "quantri",
            wrong: Some("tuyentruyen"),
            good: J(r#"{"code":"X2","name":"n","kind":"commune"}"#),
            bad: J(r#"{"code": 5"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/agencies",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("giamdoc"),
            good: J(r#"{"code":"AB","name":"n","kind":"local","medium":"tv"}"#),
            bad: J(r#"{"code":[],"name":null}"#),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/agencies/{agency}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"code":"BTH","name":"Báo Thanh Hoá","kind":"local","medium":"print"}"#),
            bad: J(r#"[1,2,3]"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/users",
            kind: Json,
            allowed: "quantri",
            wrong: Some("giamdoc"),
            good: J(
                r#"{"username":"abc","display_name":"n","role":"leader","password":"mot-mat-khau-dai"}"#,
            ),
            bad: J(r#"{"role":"god"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/users/{id}/status",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"status":"suspended","reason":"r"}"#),
            bad: J(r#"{"status":42}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/journalists",
            kind: Json,
            allowed: "quantri",
            wrong: None,
            good: J(r#"{"username":"a"}"#),
            bad: J(r#"not json at all"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/tokens",
            kind: Json,
            allowed: "phatngon",
            wrong: None,
            good: J(r#"{"name":"x"}"#),
            bad: J(r#"{"name":{"deep":true}}"#),
        },
        Route {
            method: "DELETE",
            pattern: "/api/v1/tokens/{id}",
            kind: Json,
            allowed: "phatngon",
            wrong: None,
            good: J(r#"{}"#),
            bad: J(r#"{}"#),
        },
        // press desk
        Route {
            method: "POST",
            pattern: "/press/feed-token",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: None,
            good: F(&[]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/press/feed-token/revoke",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: None,
            good: F(&[]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/press/subscription",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: None,
            good: F(&[("mode", "instant")]),
            bad: F(&[("mode", "carrier-pigeon"), ("categories", "bogus")]),
        },
        Route {
            method: "POST",
            pattern: "/press/webhook",
            kind: Form,
            allowed: "btv.ptth",
            wrong: Some("pv.ttxvn"),
            good: F(&[("url", "https://cms.example.vn/hook")]),
            bad: F(&[("url", "javascript:alert(1)")]),
        },
        Route {
            method: "POST",
            pattern: "/press/webhook/disable",
            kind: Form,
            allowed: "btv.ptth",
            wrong: Some("pv.baothanhhoa"),
            good: F(&[]),
            bad: F(&[("agency_id", "' OR 1=1")]),
        },
        Route {
            method: "POST",
            pattern: "/newsroom/deliveries/{id}/replay",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("giamdoc"),
            good: F(&[]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/newsroom/b/{bulletin}/attachments",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[("caption", "x")]),
            bad: F(&[("file", "not a file")]),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/bulletins/{bulletin}/attachments",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{}"#),
            bad: J(r#"{"file": "x"}"#),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/agencies/{agency}/webhook",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"url":"https://cms.example.vn/hook"}"#),
            bad: J(r#"{"url":"ftp://x"}"#),
        },
        // newsroom ({bulletin} is a submitted bulletin, {incident} an incident)
        Route {
            method: "POST",
            pattern: "/newsroom",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[("kind", "press_release"), ("title", "x")]),
            bad: F(&[
                ("kind", "rumour"),
                ("embargo_until", "soon"),
                ("incident_id", "../x"),
            ]),
        },
        Route {
            method: "POST",
            pattern: "/newsroom/b/{bulletin}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[("kind", "press_release"), ("title", "x")]),
            bad: F(&[("audience", "everyone"), ("body", "")]),
        },
        Route {
            method: "POST",
            pattern: "/newsroom/b/{bulletin}/correct",
            kind: Form,
            allowed: "giamdoc",
            wrong: Some("capx.hacthanh"),
            good: F(&[("note", "x")]),
            bad: F(&[("note", "")]),
        },
        Route {
            method: "POST",
            pattern: "/newsroom/b/{bulletin}/do/{action}",
            kind: Form,
            allowed: "giamdoc",
            wrong: Some("tuyentruyen"),
            good: F(&[]),
            bad: F(&[("publish_at", "yesterday-ish")]),
        },
        Route {
            method: "POST",
            pattern: "/newsroom/incidents",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.baothanhhoa"),
            good: F(&[("title", "x"), ("occurred_at", "2026-01-01T08:00")]),
            bad: F(&[("occurred_at", "31/02/2026 25:61")]),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/bulletins",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(
                r#"{"kind":"press_release","category":"khac","title":"t","summary":"s","body":"b","audience":"public"}"#,
            ),
            bad: J(r#"{"kind":1}"#),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/bulletins/{bulletin}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(
                r#"{"kind":"press_release","category":"khac","title":"t","summary":"s","body":"b","audience":"public"}"#,
            ),
            bad: J(r#"{"places":"not a list"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/bulletins/{bulletin}/{action}",
            kind: Json,
            allowed: "giamdoc",
            wrong: Some("tuyentruyen"),
            good: J(r#"{}"#),
            bad: J(r#"{"publish_at":[]}"#),
        },
        // press desk ({request} is a journalist's submitted request)
        Route {
            method: "POST",
            pattern: "/press/requests",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: Some("tuyentruyen"),
            good: F(&[("kind", "information"), ("topic", "x"), ("questions", "y")]),
            bad: F(&[
                ("kind", "party"),
                ("wished_from", "hôm qua"),
                ("unit_id", "../x"),
            ]),
        },
        Route {
            method: "POST",
            pattern: "/press/requests/{request}/do/{step}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.baothanhhoa"),
            good: F(&[]),
            bad: F(&[("unit_id", "../../etc"), ("assignee_id", "x")]),
        },
        Route {
            method: "POST",
            pattern: "/press/requests/{request}/attachments",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: Some("quantri"),
            good: F(&[("purpose", "letter")]),
            bad: F(&[("file", "not a file"), ("purpose", "../x")]),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/requests/{request}/attachments",
            kind: Json,
            allowed: "pv.ttxvn",
            wrong: Some("quantri"),
            good: J(r#"{}"#),
            bad: J(r#"{"file": "x"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/requests",
            kind: Json,
            allowed: "pv.ttxvn",
            wrong: Some("tuyentruyen"),
            good: J(r#"{"kind":"information","topic":"x","questions":"y"}"#),
            bad: J(r#"{"kind":1}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/requests/{request}/do/{step}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.baothanhhoa"),
            good: J(r#"{}"#),
            bad: J(r#"{"unit_id":5}"#),
        },
        Route {
            method: "POST",
            pattern: "/press-desk/calendar",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("giamdoc"),
            good: F(&[("day", "2027-02-13"), ("working", "working"), ("note", "x")]),
            bad: F(&[("day", "30/02/2027"), ("working", "maybe")]),
        },
        Route {
            method: "POST",
            pattern: "/press-desk/calendar/{day}/delete",
            kind: Form,
            allowed: "quantri",
            wrong: Some("capx.hacthanh"),
            good: F(&[]),
            bad: Body::NoInput,
        },
        // press conferences ({event} is a coming demo conference, {code} a door code)
        Route {
            method: "POST",
            pattern: "/press-desk/events",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[("kind", "press_conference"), ("title", "x")]),
            bad: F(&[
                ("kind", "rave"),
                ("starts_at", "mai"),
                ("agency_ids", "../x"),
            ]),
        },
        Route {
            method: "POST",
            pattern: "/press-desk/events/{event}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[("kind", "press_conference"), ("title", "x")]),
            bad: F(&[("ends_at", "31/02/2026 25:61"), ("agency_ids", "x")]),
        },
        Route {
            method: "POST",
            pattern: "/press-desk/events/{event}/{what}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[("minutes", "x")]),
            bad: F(&[("minutes", "")]),
        },
        Route {
            method: "POST",
            pattern: "/press/events/{event}/answer",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: None,
            good: F(&[("answer", "yes")]),
            bad: F(&[("answer", "perhaps")]),
        },
        Route {
            method: "POST",
            pattern: "/su-kien/check-in/{code}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/press/calendar-token",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: Some("tuyentruyen"),
            good: F(&[]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/press/calendar-token/revoke",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: Some("tuyentruyen"),
            good: F(&[]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/api/v1/events",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(
                r#"{"kind":"press_conference","title":"x","place":"y","starts_at":"2030-01-01T08:00","ends_at":"2030-01-01T09:00"}"#,
            ),
            bad: J(r#"{"kind":1}"#),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/events/{event}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(
                r#"{"kind":"press_conference","title":"x","place":"y","starts_at":"2030-01-01T08:00","ends_at":"2030-01-01T09:00"}"#,
            ),
            bad: J(r#"{"agency_ids":"not a list"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/events/{event}/answer",
            kind: Json,
            allowed: "pv.ttxvn",
            wrong: None,
            good: J(r#"{"answer":"yes"}"#),
            bad: J(r#"{"answer":5}"#),
        },
        // correction requests ({correction} is one sent to the radio station)
        Route {
            method: "POST",
            pattern: "/press-desk/corrections",
            kind: Form,
            allowed: "phatngon",
            wrong: Some("pv.ttxvn"),
            good: F(&[("kind", "correction"), ("article_title", "x")]),
            bad: F(&[
                ("kind", "apology"),
                ("agency_id", "../x"),
                ("article_url", "javascript:x"),
                ("due_on", "31/02/2026"),
            ]),
        },
        Route {
            method: "POST",
            pattern: "/press/corrections/{correction}/do/{cstep}",
            kind: Form,
            allowed: "phatngon",
            wrong: Some("pv.baothanhhoa"),
            good: F(&[]),
            bad: F(&[
                ("corrected_url", "javascript:alert(1)"),
                ("note", "\u{202e}"),
            ]),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/corrections",
            kind: Json,
            allowed: "phatngon",
            wrong: Some("pv.ttxvn"),
            good: J(
                r#"{"agency_id":"x","kind":"correction","article_url":"https://a.example/","article_title":"x","wrong":"x","correct":"y","due_on":"2030-01-01"}"#,
            ),
            bad: J(r#"{"kind":[]}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/corrections/{correction}/do/{cstep}",
            kind: Json,
            allowed: "phatngon",
            wrong: Some("pv.baothanhhoa"),
            good: J(r#"{}"#),
            bad: J(r#"{"corrected_url":5}"#),
        },
        Route {
            method: "POST",
            pattern: "/nguoi-phat-ngon/{user_id}/sua",
            kind: Form,
            allowed: "quantri",
            wrong: Some("tuyentruyen"),
            good: F(&[("scope", "x")]),
            bad: F(&[("valid_until", "31/02/2026"), ("email", "not-an-email")]),
        },
        // warnings ({warning} is a published demo warning, {wstep} the cancel step)
        Route {
            method: "POST",
            pattern: "/warnings",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[("headline", "x")]),
            bad: F(&[
                ("kind", "nope"),
                ("valid_until", "31/02/2026"),
                ("polygons", "1,1 2,2"),
                ("communes", "../x"),
            ]),
        },
        Route {
            method: "POST",
            pattern: "/warnings/{warning}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[("headline", "x")]),
            bad: F(&[("severity", "\u{202e}"), ("bulletins", "not-an-id")]),
        },
        Route {
            method: "POST",
            pattern: "/warnings/{warning}/revise",
            kind: Form,
            allowed: "giamdoc",
            wrong: Some("tuyentruyen"),
            good: F(&[("headline", "x")]),
            bad: F(&[
                ("valid_from", "hôm qua"),
                ("polygons", "91,181 1,1 2,2 91,181"),
            ]),
        },
        Route {
            method: "POST",
            pattern: "/warnings/{warning}/do/{wstep}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[]),
            bad: F(&[("note", "\u{0}\u{202e}x")]),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/warnings",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"kind":"scam","headline":"x"}"#),
            bad: J(r#"{"kind":"scam","signs":5}"#),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/warnings/{warning}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"kind":"scam","headline":"x"}"#),
            bad: J(r#"{"kind":"scam","valid_until":"31/02/2026"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/warnings/{warning}/{wstep}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{}"#),
            bad: J(r#"{"note":[1]}"#),
        },
        // black spots and road segments ({road} is a demo place)
        Route {
            method: "POST",
            pattern: "/warnings/roads",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[("name", "x")]),
            bad: F(&[("kind", "nope"), ("points", "NaN,1e999 \u{202e}")]),
        },
        Route {
            method: "POST",
            pattern: "/warnings/roads/{road}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[("name", "x")]),
            bad: F(&[("kind", "segment"), ("points", "105.8,19.8 1,2,3")]),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/road-places",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"kind":"black_spot","name":"x"}"#),
            bad: J(r#"{"kind":"black_spot","points":[1,2],"active":"maybe"}"#),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/road-places/{road}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"kind":"black_spot","name":"x"}"#),
            bad: J(r#"{"kind":"segment","points":"20,106","active":7}"#),
        },
        // scam check ({indicator} is the demo's reported number, {report} its report)
        Route {
            method: "POST",
            pattern: "/kiem-tra/tin-nhan",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: None,
            good: F(&[("text", "chuyen khoan ngay")]),
            bad: F(&[("text", "")]),
        },
        Route {
            method: "POST",
            pattern: "/kiem-tra/to-giac",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: None,
            good: F(&[("indicators", "0912345678"), ("story", "x")]),
            bad: F(&[
                ("indicators", "xin chào"),
                ("amount_lost", "nhiều"),
                ("happened_on", "2999-01-01"),
            ]),
        },
        Route {
            method: "POST",
            pattern: "/kiem-tra/to-giac/{code}/attachments",
            kind: Form,
            allowed: "pv.ttxvn",
            wrong: None,
            good: F(&[]),
            bad: F(&[("file", "not a file")]),
        },
        Route {
            method: "POST",
            pattern: "/scamcheck/indicators",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[("value", "0388 000 111"), ("status", "verified")]),
            bad: F(&[
                ("value", "\u{202e}"),
                ("status", "maybe"),
                ("warning_ids", "../x"),
            ]),
        },
        Route {
            method: "POST",
            pattern: "/scamcheck/indicators/{indicator}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[("evidence", "x")]),
            bad: F(&[("warning_ids", "not-an-id")]),
        },
        Route {
            method: "POST",
            pattern: "/scamcheck/indicators/{indicator}/do/{istep}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[("note", "x")]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/scamcheck/reports/{report}/do/{rstep}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[("note", "x")]),
            bad: F(&[("into", "TG-NOPE-NOPE")]),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/analyze",
            kind: Json,
            allowed: "pv.ttxvn",
            wrong: None,
            good: J(r#"{"text":"chuyen khoan ngay"}"#),
            bad: J(r#"{"text":7}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/reports",
            kind: Json,
            allowed: "pv.ttxvn",
            wrong: None,
            good: J(r#"{"indicators":"0912345678","story":"x"}"#),
            bad: J(r#"{"indicators":["0912345678"]}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/reports/{report}/attachments",
            kind: Json,
            allowed: "pv.ttxvn",
            wrong: None,
            good: J(r#"{}"#),
            bad: J(r#"{"file": "x"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/reports/{report}/{rstep}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J(r#"{}"#),
            bad: J(r#"{"note":["x"]}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/indicators",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J(r#"{"value":"0388 000 222","status":"verified"}"#),
            bad: J(r#"{"value":"","status":"published","warning_ids":"x"}"#),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/indicators/{indicator}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J(r#"{"evidence":"x"}"#),
            bad: J(r#"{"evidence":["x"]}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/indicators/{indicator}/{istep}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J(r#"{}"#),
            bad: J(r#"{"note":{"a":1}}"#),
        },
        // scam patterns ({pattern} is a default pattern; "try" saves nothing)
        Route {
            method: "POST",
            pattern: "/scamcheck/rules",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("giamdoc"),
            good: F(&[
                ("id", "test_pattern"),
                ("name_vi", "x"),
                ("name_en", "x"),
                ("phrases", "3 chuyen khoan gap"),
                ("action", "try"),
            ]),
            bad: F(&[("id", "../X"), ("phrases", "nhiều \u{202e}")]),
        },
        Route {
            method: "POST",
            pattern: "/scamcheck/rules/{pattern}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[
                ("name_vi", "x"),
                ("name_en", "x"),
                ("phrases", "3 chuyen khoan gap"),
                ("action", "try"),
            ]),
            bad: F(&[("phrases", "11 quá nặng\n0 không"), ("warning_id", "../x")]),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/scam-patterns/{pattern}",
            kind: Json,
            allowed: "quantri",
            wrong: Some("giamdoc"),
            good: J(
                r#"{"name_vi":"x","name_en":"x","phrases":[{"text":"chuyen khoan gap","weight":3}]}"#,
            ),
            bad: J(r#"{"name_vi":"x","name_en":"x","phrases":[{"text":"","weight":1e9}]}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/scam-patterns/{pattern}/try",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J(
                r#"{"name_vi":"x","name_en":"x","phrases":[{"text":"chuyen khoan gap","weight":3}]}"#,
            ),
            bad: J(r#"{"phrases":"x"}"#),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/banks/{bin}",
            kind: Json,
            allowed: "quantri",
            wrong: Some("giamdoc"),
            good: J(r#"{"code":"ZZB","name":"Ngân hàng thử"}"#),
            bad: J(r#"{"code":"","name":""}"#),
        },
        // figures ({sub} is a pending submission, {campaign} a demo campaign)
        Route {
            method: "POST",
            pattern: "/stats/enter",
            kind: Form,
            allowed: "capx.hacthanh",
            wrong: Some("giamdoc"),
            good: F(&[("unit", "x"), ("period", "2023-05"), ("v.ttxh.cases", "1")]),
            bad: F(&[("period", "hôm qua"), ("v.ttxh.cases", "ba")]),
        },
        Route {
            method: "POST",
            pattern: "/stats/upload",
            kind: Form,
            allowed: "capx.hacthanh",
            wrong: Some("pv.ttxvn"),
            good: F(&[]),
            bad: F(&[("file", "not a file")]),
        },
        Route {
            method: "POST",
            pattern: "/stats/submissions/{sub}/do/{sstep}",
            kind: Form,
            allowed: "giamdoc",
            wrong: Some("capx.hacthanh"),
            good: F(&[("note", "x")]),
            bad: F(&[("note", "")]),
        },
        Route {
            method: "POST",
            pattern: "/stats/quotes",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[("from", "2024-01-01"), ("to", "2024-01-07")]),
            bad: F(&[("from", "31/02/2024"), ("unit", "không có")]),
        },
        Route {
            method: "POST",
            pattern: "/stats/publish",
            kind: Form,
            allowed: "giamdoc",
            wrong: Some("capx.hacthanh"),
            good: F(&[
                ("from", "2024-01-01"),
                ("to", "2024-01-07"),
                ("quality_note", "x"),
            ]),
            bad: F(&[("from", "hôm qua"), ("unit", "../x")]),
        },
        Route {
            method: "POST",
            pattern: "/stats/campaigns",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[
                ("name", "x"),
                ("kind", "dates"),
                ("from", "2025-01-01"),
                ("to", "2025-01-31"),
            ]),
            bad: F(&[("kind", "tet"), ("tet_year", "abc")]),
        },
        Route {
            method: "POST",
            pattern: "/stats/catalogue",
            kind: Form,
            allowed: "quantri",
            wrong: Some("giamdoc"),
            good: F(&[
                ("id", "ma_tuy.form_g"),
                ("field_id", "ma_tuy"),
                ("name_vi", "x"),
                ("name_en", "x"),
                ("unit_vi", "g"),
                ("unit_en", "g"),
            ]),
            bad: F(&[("id", "../x"), ("field_id", "nope")]),
        },
        Route {
            method: "POST",
            pattern: "/stats/catalogue/{measure}",
            kind: Form,
            allowed: "quantri",
            wrong: Some("giamdoc"),
            good: F(&[
                ("name_vi", "Heroin"),
                ("name_en", "Heroin"),
                ("unit_vi", "gam"),
                ("unit_en", "g"),
                ("active", "1"),
            ]),
            bad: F(&[("name_vi", ""), ("at_least", "ma_tuy.heroin_g")]),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/stats/measures",
            kind: Json,
            allowed: "quantri",
            wrong: Some("giamdoc"),
            good: J(
                r#"{"id":"ma_tuy.test_g","field_id":"ma_tuy","name_vi":"x","name_en":"x","unit_vi":"g","unit_en":"g","whole":false,"summable":true}"#,
            ),
            bad: J(r#"{"id":1}"#),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/stats/measures/{measure}",
            kind: Json,
            allowed: "quantri",
            wrong: Some("giamdoc"),
            good: J(
                r#"{"field_id":"ma_tuy","name_vi":"Heroin","name_en":"Heroin","unit_vi":"gam","unit_en":"g","whole":false,"summable":true}"#,
            ),
            bad: J(
                r#"{"field_id":"giao_thong","name_vi":"","name_en":"x","unit_vi":"g","unit_en":"g","whole":false,"summable":true}"#,
            ),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/stats/submissions",
            kind: Json,
            allowed: "capx.hacthanh",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"unit":"CAP-HACTHANH","period":"2023-05","values":{"ttxh.cases":1}}"#),
            bad: J(r#"{"unit":"CAP-HACTHANH","period":"2023-05","values":{"ttxh.cases":-1}}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/stats/submissions/{sub}/{sstep}",
            kind: Json,
            allowed: "giamdoc",
            wrong: Some("capx.hacthanh"),
            good: J(r#"{"note":"x"}"#),
            bad: J(r#"{"note":{"a":1}}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/stats/uploads",
            kind: Json,
            allowed: "capx.hacthanh",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{}"#),
            bad: J(r#"{"file":"x"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/stats/quotes",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"from":"2024-01-01","to":"2024-01-07"}"#),
            bad: J(r#"{"from":"2024-01-01","to":"hôm qua"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/stats/publication",
            kind: Json,
            allowed: "giamdoc",
            wrong: Some("tuyentruyen"),
            good: J(r#"{"from":"2024-01-01","to":"2024-01-07","quality_note":"x"}"#),
            bad: J(r#"{"from":"2024-01-01","to":"2023-01-07"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/stats/campaigns",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J(r#"{"name":"x","from":"2025-01-01","to":"2025-01-31"}"#),
            bad: J(r#"{"name":"x","tet_year":1200}"#),
        },
        Route {
            method: "PUT",
            pattern: "/api/v1/stats/campaigns/{campaign}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J(r#"{"name":"x","from":"2025-01-01","to":"2025-01-31"}"#),
            bad: J(r#"{"name":"","targets":{"nope":1}}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/incidents",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"title":"x","occurred_at":"2026-01-01T08:00"}"#),
            bad: J(r#"{"title":"x","occurred_at":"hôm qua"}"#),
        },
        Route {
            method: "POST",
            pattern: "/coverage/feeds",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: F(&[("agency_id", "x"), ("url", "https://203.0.113.7/rss.xml")]),
            bad: F(&[("url", "không phải địa chỉ")]),
        },
        Route {
            method: "POST",
            pattern: "/coverage/feeds/{id}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[("action", "poll")]),
            bad: F(&[("action", "nhảy múa")]),
        },
        Route {
            method: "POST",
            pattern: "/coverage/reviews/{id}/{decision}",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/api/v1/coverage/feeds",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"agency_id":"x","url":"https://203.0.113.7/rss.xml"}"#),
            bad: J(r#"{"agency_id":7}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/coverage/feeds/{id}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J(r#"{"poll_now":true}"#),
            bad: J(r#"{"active":"có"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/coverage/reviews/{id}/{decision}",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J("{}"),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/coverage/manual",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[
                ("bulletin_id", "x"),
                ("agency_id", "x"),
                ("medium", "tv"),
                ("title", "Thời sự"),
                ("published_at", "2026-01-01T19:00"),
            ]),
            bad: F(&[("medium", "bồ câu")]),
        },
        Route {
            method: "POST",
            pattern: "/coverage/manual/{id}/remove",
            kind: Form,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: F(&[]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/coverage/awards",
            kind: Form,
            allowed: "giamdoc",
            wrong: Some("tuyentruyen"),
            good: F(&[
                ("year", "2025"),
                ("type_id", "giay_khen_giam_doc"),
                ("recipient_kind", "officer"),
                ("recipient_name", "Nguyễn Văn A"),
                ("decision_no", "1/QĐ"),
                ("decision_date", "2025-12-30"),
                ("reason", "Thành tích"),
            ]),
            bad: F(&[("year", "năm ngoái")]),
        },
        Route {
            method: "POST",
            pattern: "/coverage/awards/{id}/revoke",
            kind: Form,
            allowed: "giamdoc",
            wrong: Some("tuyentruyen"),
            good: F(&[("reason", "Nhầm")]),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/khao-sat",
            kind: Form,
            allowed: "btv.ptth",
            wrong: Some("pv.ttxvn"),
            good: F(&[
                ("year", "2026"),
                ("timeliness", "5"),
                ("usefulness", "4"),
                ("access", "3"),
            ]),
            bad: F(&[("year", "x")]),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/coverage/manual",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J(
                r#"{"bulletin_id":"x","agency_id":"x","medium":"tv","title":"Thời sự","published_at":"2026-01-01T19:00"}"#,
            ),
            bad: J(r#"{"medium":7}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/coverage/manual/{id}/remove",
            kind: Json,
            allowed: "tuyentruyen",
            wrong: Some("capx.hacthanh"),
            good: J("{}"),
            bad: Body::NoInput,
        },
        Route {
            method: "POST",
            pattern: "/api/v1/coverage/survey",
            kind: Json,
            allowed: "btv.ptth",
            wrong: Some("pv.ttxvn"),
            good: J(r#"{"year":2026,"timeliness":5,"usefulness":4,"access":3}"#),
            bad: J(r#"{"year":"x"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/awards",
            kind: Json,
            allowed: "giamdoc",
            wrong: Some("tuyentruyen"),
            good: J(
                r#"{"year":2025,"type_id":"giay_khen_giam_doc","recipient_kind":"officer","recipient_name":"Nguyễn Văn A","decision_no":"1/QĐ","decision_date":"2025-12-30","reason":"Thành tích"}"#,
            ),
            bad: J(r#"{"year":"x"}"#),
        },
        Route {
            method: "POST",
            pattern: "/coverage/award-types",
            kind: Form,
            allowed: "quantri",
            wrong: Some("tuyentruyen"),
            good: F(&[
                ("name", "Giấy khen của Trưởng phòng Tham mưu"),
                ("rank", "12"),
                ("recipients", "both"),
            ]),
            bad: F(&[("rank", "nhiều")]),
        },
        Route {
            method: "POST",
            pattern: "/coverage/award-types/{id}",
            kind: Form,
            allowed: "quantri",
            wrong: Some("tuyentruyen"),
            good: F(&[("action", "retire")]),
            bad: F(&[("action", "bay")]),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/awards/types",
            kind: Json,
            allowed: "quantri",
            wrong: Some("tuyentruyen"),
            good: J(r#"{"name":"Giấy khen của Trưởng phòng","rank":12,"recipients":"both"}"#),
            bad: J(r#"{"rank":"x"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/awards/types/{id}",
            kind: Json,
            allowed: "quantri",
            wrong: Some("tuyentruyen"),
            good: J(r#"{"active":false}"#),
            bad: J(r#"{"active":"có"}"#),
        },
        Route {
            method: "POST",
            pattern: "/api/v1/awards/{id}/revoke",
            kind: Json,
            allowed: "giamdoc",
            wrong: Some("tuyentruyen"),
            good: J(r#"{"reason":"Nhầm"}"#),
            bad: J(r#"{"reason":7}"#),
        },
    ]
}

/// Every state-changing route the routers declare is in the table.
#[test]
fn no_state_changing_route_escapes_the_table() {
    let src_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut declared = Vec::new();
    for entry in common::rust_files(std::path::Path::new(src_dir)) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        for call in common::route_calls(&text) {
            for method in call.methods.iter().filter(|m| **m != "get") {
                declared.push((method.to_ascii_uppercase(), call.path.clone()));
            }
        }
    }
    assert!(
        declared.len() >= 20,
        "found only {} state-changing routes",
        declared.len()
    );
    let normalise = |p: &str| {
        p.replace("{agency}", "{id}")
            .replace("{bulletin}", "{id}")
            .replace("{request}", "{id}")
            .replace("{event}", "{id}")
            .replace("{correction}", "{id}")
            .replace("{cstep}", "{step}")
            .replace("{warning}", "{id}")
            .replace("{wstep}", "{step}")
            .replace("{road}", "{id}")
            .replace("{indicator}", "{id}")
            .replace("{report}", "{id}")
            .replace("{istep}", "{step}")
            .replace("{rstep}", "{step}")
            .replace("{pattern}", "{id}")
            .replace("{sub}", "{id}")
            .replace("{sstep}", "{step}")
            .replace("{campaign}", "{id}")
            .replace("{measure}", "{id}")
    };

    let covered: Vec<(String, String)> = table()
        .iter()
        .map(|r| (r.method.to_string(), normalise(r.pattern)))
        .collect();
    for d in &declared {
        assert!(
            covered.contains(d),
            "state-changing route {} {} is not in the security table",
            d.0,
            d.1
        );
    }
}

async fn session(s: &Server, user: &str) -> (Browser, String) {
    let b = s.browser();
    b.login(user, DEMO_PASSWORD).await;
    let csrf = b.csrf("/profile").await;
    (b, csrf)
}

fn request(
    b: &Browser,
    r: &Route,
    path: &str,
    body: &Body,
    csrf: Option<&str>,
) -> reqwest::RequestBuilder {
    let method = Method::from_bytes(r.method.as_bytes()).unwrap();
    let mut req = b.client.request(method, format!("{}{}", b.base, path));
    match body {
        Body::NoInput => {
            let f: Vec<(&str, &str)> = csrf.map(|t| vec![("_csrf", t)]).unwrap_or_default();
            req = req.form(&f);
        }
        Body::Form(fields) => {
            let mut f: Vec<(&str, &str)> = fields.to_vec();
            if let Some(t) = csrf {
                f.push(("_csrf", t));
            }
            req = req.form(&f);
        }
        Body::Json(j) => {
            req = req
                .header("content-type", "application/json")
                .body(j.to_string());
            if let Some(t) = csrf {
                req = req.header("x-csrf-token", t);
            }
        }
    }
    req
}

/// Garbage of several shapes and content types never makes a 500.
async fn garbage(b: &Browser, r: &Route, path: &str, csrf: &str, who: &str) {
    for garbage in [
        "",
        "\u{0}\u{1}\u{2}",
        "%%%",
        "a=b&a=c&_csrf=x",
        &"x".repeat(3_000_000),
        "{\"a\":",
        "[]",
    ] {
        let method = Method::from_bytes(r.method.as_bytes()).unwrap();
        for ct in [
            "application/json",
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data; boundary=zz",
        ] {
            let sent = b
                .client
                .request(method.clone(), format!("{}{}", b.base, path))
                .header("content-type", ct)
                .header("x-csrf-token", csrf)
                .body(garbage.to_string())
                .send()
                .await;
            let oversize = garbage.len() > 2 * 1024 * 1024;
            match sent {
                Ok(resp) if oversize => assert!(
                    resp.status().is_client_error() || resp.status().is_redirection(),
                    "{who}: oversize body ({ct}) got {}",
                    resp.status()
                ),
                Ok(resp) => assert!(
                    resp.status().as_u16() < 500,
                    "{who}: garbage ({} bytes, {ct}) got {}",
                    garbage.len(),
                    resp.status()
                ),
                // The server may answer 413 and close before the client has written
                // the whole oversize body; the client then sees the connection end.
                Err(e) => assert!(oversize, "{who}: request failed: {e}"),
            }
        }
    }
}

#[tokio::test]
async fn every_state_changing_route_refuses_forgery_wrong_roles_and_garbage() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let admin_token = s.token_for("quantri").await;
        let api = s.api(Some(&admin_token));
        let target_user = user_id(&api, "pv.ttxvn").await;
        let agency = agency_id(&api, "BTH").await;
        let (_, tok) = s
            .api(Some(&s.token_for("phatngon").await))
            .post("/api/v1/tokens", &serde_json::json!({"name": "victim"}))
            .await;
        let token_id = tok["token"]["id"].as_str().unwrap().to_string();
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let (_, b) = officer
            .post(
                "/api/v1/bulletins",
                &serde_json::json!({"kind": "press_release", "category": "khac", "title": "Tin thử", "summary": "s", "body": "b", "audience": "public"}),
            )
            .await;
        let bulletin = b["id"].as_str().expect("a draft bulletin").to_string();
        officer
            .post(
                &format!("/api/v1/bulletins/{bulletin}/submit"),
                &serde_json::json!({}),
            )
            .await;

        let journalist = s.api(Some(&s.token_for("pv.ttxvn").await));
        let (_, pr) = journalist
            .post(
                "/api/v1/requests",
                &serde_json::json!({"kind": "information", "topic": "Yêu cầu thử", "questions": "?"}),
            )
            .await;
        let request_id = pr["id"].as_str().expect("a press request").to_string();
        let spokesperson = user_id(&api, "phatngon").await;
        let (_, events) = officer.get("/api/v1/events").await;
        let event = events
            .as_array()
            .and_then(|a| {
                a.iter().find(|e| {
                    e["pubStatus"] == "usable" && e["profile"] == "keng-event-press_conference"
                })
            })
            .and_then(|e| e["events"][0]["id"].as_str())
            .expect("a coming demo press conference")
            .to_string();
        let door_code = format!("{event}.{target_user}.AAAAAAAAAAAAAAAAAAAAAA");
        let (_, corrections) = officer.get("/api/v1/corrections").await;
        let correction = corrections
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|c| c["correction"]["state"] == "acknowledged")
            })
            .and_then(|c| c["correction"]["id"].as_str())
            .expect("an open demo correction request")
            .to_string();

        let (_, warnings) = s.api(None).get("/api/v1/warnings").await;
        let warning = warnings
            .as_array()
            .and_then(|a| a.iter().find(|w| w["state"] == "published"))
            .and_then(|w| w["id"].as_str())
            .expect("a published demo warning")
            .to_string();
        let (_, roads) = s.api(None).get("/api/v1/road-places").await;
        let road = roads[0]["id"]
            .as_str()
            .expect("a demo black spot")
            .to_string();
        let (_, reported) = officer.get("/api/v1/indicators?status=reported").await;
        let indicator = reported[0]["id"]
            .as_str()
            .expect("a reported demo indicator")
            .to_string();
        let (_, reports) = officer.get("/api/v1/reports?status=received").await;
        let report = reports[0]["id"]
            .as_str()
            .expect("a demo report")
            .to_string();

        let (st, sub) = officer
            .post(
                "/api/v1/stats/submissions",
                &serde_json::json!({"unit": "CAP-HACTHANH", "period": "2023-06", "values": {"ttxh.cases": 1}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{sub}");
        let sub = sub["id"].as_str().unwrap().to_string();
        let (_, campaigns) = officer.get("/api/v1/stats/campaigns").await;
        let campaign = campaigns[0]["id"]
            .as_str()
            .expect("a demo campaign")
            .to_string();

        for r in table() {
            let path = r
                .pattern
                .replace(
                    "{id}",
                    if r.pattern.contains("tokens") {
                        &token_id
                    } else {
                        &target_user
                    },
                )
                .replace("{agency}", &agency)
                .replace("{bulletin}", &bulletin)
                .replace("{action}", "approve")
                .replace("{request}", &request_id)
                .replace("{step}", "assign")
                .replace("{day}", "2027-02-13")
                .replace("{event}", &event)
                .replace("{what}", "held")
                .replace("{code}", &door_code)
                .replace("{correction}", &correction)
                .replace("{cstep}", "withdraw")
                .replace("{warning}", &warning)
                .replace("{wstep}", "cancel")
                .replace("{road}", &road)
                .replace("{indicator}", &indicator)
                .replace("{istep}", "verify")
                .replace("{report}", &report)
                .replace("{rstep}", "reject")
                .replace("{pattern}", "prize")
                .replace("{bin}", "970499")
                .replace("{sub}", &sub)
                .replace("{sstep}", "reject")
                .replace("{campaign}", &campaign)
                .replace("{measure}", "ma_tuy.heroin_g")
                .replace("{user_id}", &spokesperson);

            let who = format!("{} {} on {}", r.method, r.pattern, backend.name());

            // 1. Signed in as an allowed user, but no CSRF token: 403.
            let (b, _) = session(&s, r.allowed).await;
            let resp = request(&b, &r, &path, &r.good, None).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{who}: without CSRF");
            let body = resp.text().await.unwrap_or_default();
            assert!(
                body.contains("hết hạn") || body.contains("expired"),
                "{who}: the CSRF refusal explains itself: {body}"
            );
            // A wrong token is refused the same way.
            let resp = request(
                &b,
                &r,
                &path,
                &r.good,
                Some("forged-token-forged-token-forged-token"),
            )
            .send()
            .await
            .unwrap();
            assert_eq!(
                resp.status(),
                StatusCode::FORBIDDEN,
                "{who}: with a forged CSRF token"
            );

            // 2. The wrong role, with a valid CSRF token: 403.
            if let Some(wrong) = r.wrong {
                let (b, csrf) = session(&s, wrong).await;
                let resp = request(&b, &r, &path, &r.good, Some(&csrf))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{who}: as {wrong}");
            }

            // 3. Malformed input from an allowed user: a 4xx, never a 500.
            let (b, csrf) = session(&s, r.allowed).await;
            if matches!(r.bad, Body::NoInput) {
                garbage(&b, &r, &path, &csrf, &who).await;
                continue;
            }
            let resp = request(&b, &r, &path, &r.bad, Some(&csrf))
                .send()
                .await
                .unwrap();
            let st = resp.status();
            assert!(
                st.is_client_error() || st.is_redirection(),
                "{who}: malformed input got {st}"
            );
            if r.kind == Kind::Json {
                assert!(st.is_client_error(), "{who}: malformed JSON got {st}");
                let ct = resp
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap_or("").to_string())
                    .unwrap_or_default();
                assert_eq!(ct, "application/problem+json", "{who}");
                let problem: serde_json::Value = resp.json().await.unwrap();
                assert_eq!(problem["status"], st.as_u16(), "{who}");
                assert!(
                    problem["title"].as_str().is_some_and(|t| !t.is_empty()),
                    "{who}"
                );
            }
            garbage(&b, &r, &path, &csrf, &who).await;
        }
        // The API without any credential: 401 for staff routes.
        let (st, body) = s
            .api(None)
            .post(
                "/api/v1/units",
                &serde_json::json!({"code": "ZZ", "name": "n", "kind": "commune"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        assert_eq!(body["status"], 401);
        // A revoked or unknown token: 401.
        let (st, _) = s.api(Some("keng_not-a-real-token")).get("/api/v1/me").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn every_page_renders_for_every_role_without_a_server_error() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let api = s.api(Some(&s.token_for("quantri").await));
        let some_user = user_id(&api, "pv.vnexpress").await;
        let some_agency = agency_id(&api, "TTXVN-TH").await;
        let (_, docs) = api.get("/api/v1/bulletins").await;
        let bulletin = docs[0]["uri"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let (_, incidents) = api.get("/api/v1/incidents").await;
        let incident = incidents[0]["id"].as_str().unwrap().to_string();
        let newsroom_pages = [
            "/tin".to_string(),
            "/tin?category=ma_tuy&from=01/01/2025&to=31/12/2030&page=2".to_string(),
            "/tin?from=hôm-qua".to_string(),
            format!("/tin/{bulletin}"),
            format!("/tin/{bulletin}/print"),
            "/tin/not-an-id".to_string(),
            format!("/vu-viec/{incident}"),
            "/sitemap.xml".to_string(),
            "/feeds/bulletins.atom".to_string(),
            "/feeds/category/ma_tuy.atom".to_string(),
            "/feeds/category/nope.atom".to_string(),
            format!("/feeds/incident/{incident}.atom"),
            "/newsroom".to_string(),
            "/newsroom/new".to_string(),
            format!("/newsroom/new?incident={incident}"),
            "/newsroom/incidents/new".to_string(),
            format!("/newsroom/b/{bulletin}"),
            format!("/newsroom/b/{bulletin}/edit"),
            format!("/newsroom/b/{bulletin}/diff"),
            format!("/newsroom/b/{bulletin}/diff?from=1&to=1"),
            format!("/newsroom/b/{bulletin}/diff?from=x"),
            "/api/v1/bulletins?category=ma_tuy".to_string(),
            "/api/v1/incidents".to_string(),
            "/press".to_string(),
            "/newsroom/deliveries".to_string(),
            "/tim-kiem?q=l%E1%BB%ABa+%C4%91%E1%BA%A3o&category=khac".to_string(),
            "/tim-kiem?q=%3Cscript%3E".to_string(),
            "/api/v1/search?q=ma+tuy".to_string(),
            "/feeds/press/not-a-token.atom".to_string(),
        ];
        let user_page = format!("/users/{some_user}");
        let agency_page = format!("/agencies/{some_agency}");
        let mut pages: Vec<&str> = newsroom_pages.iter().map(String::as_str).collect();
        // The press desk: the demo's scheduled field visit and its permit.
        let (_, scheduled) = api.get("/api/v1/requests?state=scheduled").await;
        let request = scheduled[0]["id"]
            .as_str()
            .expect("a scheduled request")
            .to_string();
        let (_, item) = api.get(&format!("/api/v1/requests/{request}")).await;
        let permit = item["permit"]["permit"]["id"]
            .as_str()
            .expect("a permit")
            .to_string();
        let token = item["permit"]["token"]
            .as_str()
            .expect("a token")
            .to_string();
        let spokesperson = user_id(&api, "phatngon").await;
        let (_, corrections) = api.get("/api/v1/corrections").await;
        let correction = corrections[0]["correction"]["id"]
            .as_str()
            .expect("a demo correction request")
            .to_string();
        let (_, warnings) = api.get("/api/v1/warnings").await;
        let warning = warnings[0]["id"]
            .as_str()
            .expect("a public demo warning")
            .to_string();
        let (_, roads) = api.get("/api/v1/road-places").await;
        let road = roads[0]["id"]
            .as_str()
            .expect("a demo black spot")
            .to_string();
        let (_, events) = api.get("/api/v1/events").await;
        let event = events[0]["events"][0]["id"]
            .as_str()
            .expect("a demo event")
            .to_string();
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let (_, reported) = officer.get("/api/v1/indicators?status=reported").await;
        let indicator = reported[0]["id"]
            .as_str()
            .expect("a reported demo indicator")
            .to_string();
        let (_, reports) = officer.get("/api/v1/reports").await;
        let report = reports[0]["id"]
            .as_str()
            .expect("a demo report")
            .to_string();
        let report_code = reports[0]["code"].as_str().expect("its code").to_string();
        let press_desk_pages = [
            "/press-desk".to_string(),
            "/press-desk?state=refused&kind=information&overdue=1&page=2".to_string(),
            "/press-desk?state=bogus&unit_id=../x&page=-4".to_string(),
            "/press/requests".to_string(),
            "/press/requests/new".to_string(),
            "/press/requests/new?kind=interview&unit_id=x".to_string(),
            format!("/press/requests/{request}"),
            "/press/requests/not-an-id".to_string(),
            format!("/press/requests/{request}/attachments/{}", "0".repeat(64)),
            format!("/press/requests/{request}/attachments/..%2f..%2fetc%2fpasswd"),
            format!("/press/permits/{permit}"),
            "/press/permits/not-an-id".to_string(),
            format!("/xac-minh/{token}"),
            "/xac-minh/%00%ff".to_string(),
            "/nguoi-phat-ngon".to_string(),
            format!("/nguoi-phat-ngon/{spokesperson}/sua"),
            "/api/v1/requests".to_string(),
            "/api/v1/requests?state=nope&limit=0".to_string(),
            format!("/api/v1/requests/{request}"),
            "/api/v1/press-units".to_string(),
            "/api/v1/spokespersons".to_string(),
            "/press-desk/calendar".to_string(),
            "/press-desk/calendar?year=2027".to_string(),
            "/press-desk/calendar?year=1800".to_string(),
            "/press-desk/calendar?year=abc".to_string(),
            "/api/v1/work-calendar?year=2025".to_string(),
            "/api/v1/work-calendar?year=99999999999".to_string(),
            "/press-desk/events".to_string(),
            "/press-desk/events/new".to_string(),
            format!("/press-desk/events/{event}"),
            "/press-desk/events/not-an-id".to_string(),
            format!("/press/events/{event}"),
            "/press/events/not-an-id".to_string(),
            format!("/su-kien/check-in/{event}.x.y"),
            "/su-kien/check-in/garbage".to_string(),
            "/calendar/not-a-token.ics".to_string(),
            "/calendar/x".to_string(),
            "/api/v1/events".to_string(),
            format!("/api/v1/events/{event}"),
            "/press-desk/report".to_string(),
            "/press-desk/report?year=2025".to_string(),
            "/press-desk/report?year=%00".to_string(),
            "/press-desk/report.csv".to_string(),
            "/press-desk/report.csv?table=open&year=2024".to_string(),
            "/press-desk/report.csv?table=../../x".to_string(),
            "/press-desk/corrections".to_string(),
            "/press-desk/corrections/new".to_string(),
            "/press-desk/corrections/new?agency_id=x&kind=y".to_string(),
            "/press/corrections".to_string(),
            format!("/press/corrections/{correction}"),
            "/press/corrections/not-an-id".to_string(),
            "/api/v1/corrections".to_string(),
            format!("/api/v1/corrections/{correction}"),
            "/api/v1/corrections/not-an-id".to_string(),
            "/canh-bao".to_string(),
            "/canh-bao?loai=scam".to_string(),
            "/canh-bao?loai=../x".to_string(),
            format!("/canh-bao/{warning}"),
            "/canh-bao/not-an-id".to_string(),
            format!("/cap/{warning}.xml"),
            "/cap/x".to_string(),
            "/cap/not-an-id.xml".to_string(),
            "/feeds/warnings.atom".to_string(),
            "/feeds/warnings/scam.atom".to_string(),
            "/feeds/warnings/..%2fx.atom".to_string(),
            "/warnings".to_string(),
            "/warnings/new".to_string(),
            format!("/warnings/{warning}"),
            format!("/warnings/{warning}/edit"),
            "/warnings/not-an-id".to_string(),
            "/api/v1/warnings".to_string(),
            "/api/v1/warnings?kind=nope".to_string(),
            format!("/api/v1/warnings/{warning}"),
            "/api/v1/warnings/not-an-id".to_string(),
            "/api/v1/desk/warnings".to_string(),
            format!("/canh-bao/{warning}/in"),
            "/canh-bao/not-an-id/in".to_string(),
            format!("/chia-se/canh-bao/{warning}/wide.png"),
            format!("/chia-se/canh-bao/{warning}/square.png"),
            format!("/chia-se/canh-bao/{warning}/round.png"),
            "/chia-se/canh-bao/not-an-id/wide.png".to_string(),
            format!("/warnings/{warning}/card/wide.png"),
            format!("/warnings/{warning}/card/..%2f.png"),
            "/warnings/roads".to_string(),
            format!("/warnings/roads/{road}"),
            "/warnings/roads/not-an-id".to_string(),
            "/api/v1/road-places".to_string(),
            "/kiem-tra".to_string(),
            "/kiem-tra?value=0912.345.678".to_string(),
            "/kiem-tra?value=vcb-xacthuc[.]top/login".to_string(),
            "/kiem-tra?value=%FF%FE%00".to_string(),
            format!("/kiem-tra?value={}", "%2525".repeat(600)),
            "/kiem-tra?value=xin%20ch%C3%A0o".to_string(),
            "/kiem-tra/tin-nhan".to_string(),
            "/kiem-tra/to-giac".to_string(),
            "/kiem-tra/to-giac?value=0912345678".to_string(),
            format!("/kiem-tra/to-giac/{report_code}"),
            "/kiem-tra/to-giac/TG-0000-0000".to_string(),
            "/kiem-tra/to-giac/%00".to_string(),
            "/scamcheck".to_string(),
            "/scamcheck?status=published&kind=link&q=vcb&page=2".to_string(),
            "/scamcheck?status=nope&kind=../x&page=-1".to_string(),
            "/scamcheck/indicators/new".to_string(),
            format!("/scamcheck/indicators/{indicator}"),
            "/scamcheck/indicators/not-an-id".to_string(),
            "/scamcheck/reports".to_string(),
            "/scamcheck/reports?status=merged".to_string(),
            "/scamcheck/reports?status=x".to_string(),
            format!("/scamcheck/reports/{report}"),
            "/scamcheck/reports/not-an-id".to_string(),
            format!("/scamcheck/reports/{report}/files/{}", "0".repeat(64)),
            format!("/scamcheck/reports/{report}/files/..%2f..%2fetc%2fpasswd"),
            "/scamcheck/rules".to_string(),
            "/scamcheck/rules?done=prize".to_string(),
            "/scamcheck/rules/new".to_string(),
            "/scamcheck/rules/fake_bank".to_string(),
            "/scamcheck/rules/NOPE".to_string(),
            "/api/v1/scam-patterns".to_string(),
            "/api/v1/check?value=0912345678".to_string(),
            "/api/v1/check".to_string(),
            "/api/v1/check?value=%FF".to_string(),
            "/api/v1/check/range/abcde".to_string(),
            "/api/v1/check/range/xyz".to_string(),
            "/api/v1/indicators".to_string(),
            format!("/api/v1/indicators/{indicator}"),
            "/api/v1/reports".to_string(),
            format!("/api/v1/report-status/{report_code}"),
            "/api/v1/report-challenge".to_string(),
            "/api/v1/banks".to_string(),
        ];
        pages.extend(press_desk_pages.iter().map(String::as_str));

        pages.extend([
            "/",
            "/login",
            "/register",
            "/accreditation",
            "/users",
            "/users?role=journalist&status=pending",
            "/users/new",
            &user_page,
            "/units",
            "/agencies",
            &agency_page,
            "/profile",
            "/profile/totp",
            "/audit",
            "/audit?actor=quantri&from=01/01/2020&to=31/12/2030",
            "/audit?from=32/13/2020",
            "/audit.csv",
            "/users/not-an-id",
            "/agencies/00000000-0000-7000-8000-000000000000",
            "/nowhere",
            "/static/style.css",
            "/static/missing.css",
            "/login/totp",
            "/lang/en?next=/",
            "/lang/xx?next=//evil.example",
            "/api/openapi.json",
            "/healthz",
            "/readyz",
            "/metrics",
        ]);

        for who in [
            None,
            Some("quantri"),
            Some("giamdoc"),
            Some("phatngon"),
            Some("tuyentruyen"),
            Some("capx.hacthanh"),
            Some("pv.baothanhhoa"),
            Some("btv.ptth"),
        ] {
            let b = s.browser();
            if let Some(u) = who {
                b.login(u, DEMO_PASSWORD).await;
            }
            for p in &pages {
                let r = b.get(p).await;
                let st = r.status();
                assert!(
                    st.as_u16() < 500,
                    "{p} as {who:?} on {}: {st}",
                    backend.name()
                );
                if st == StatusCode::OK
                    && r.headers()
                        .get("content-type")
                        .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/html"))
                {
                    let html = r.text().await.unwrap();
                    assert!(
                        html.contains("<main id=\"main\""),
                        "{p} as {who:?}: no main landmark"
                    );
                    assert!(
                        !html.contains("err.")
                            && !html.contains("field.")
                            && !html.contains("nav."),
                        "{p} as {who:?}: an untranslated key shows"
                    );
                }
            }
        }
        // Open redirects are refused.
        let r = s.browser().get("/lang/en?next=//evil.example").await;
        assert_eq!(r.headers()["location"], "/");
    }
}

#[tokio::test]
async fn logins_are_throttled_and_cookies_are_safe() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let b = s.browser();
        // Cookie flags on the session cookie.
        let r = b
            .submit(
                "/login",
                "/login",
                &[("username", "giamdoc"), ("password", DEMO_PASSWORD)],
            )
            .await;
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("keng_session="))
            .unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(
            !cookie.contains("Secure"),
            "plain http demo: no Secure flag"
        );

        let attacker = s.browser();
        for _ in 0..5 {
            let r = attacker
                .submit(
                    "/login",
                    "/login",
                    &[("username", "phatngon"), ("password", "wrong password")],
                )
                .await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
        // Locked now, even with the right password.
        let r = attacker
            .submit(
                "/login",
                "/login",
                &[("username", "phatngon"), ("password", DEMO_PASSWORD)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().contains_key("retry-after"));
        assert!(r.text().await.unwrap().contains("phút"));
        // Other accounts are not affected.
        s.browser().login("tuyentruyen", DEMO_PASSWORD).await;
    }
}

#[tokio::test]
async fn staff_can_be_required_to_use_totp_and_sign_in_with_it() {
    let secret_re = regex::Regex::new(r#"name="secret" value="([A-Z2-7=]+)""#).unwrap();
    for backend in backends() {
        let opts = common::Options {
            toml: Some("[auth]\nrequire_totp_for_staff = true\n".into()),
            ..Default::default()
        };
        let s = Server::start_with(&backend, opts).await;
        let b = s.browser();
        b.login("phatngon", DEMO_PASSWORD).await;
        // Everything but the profile is closed until TOTP is set up.
        let r = b.get("/users").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("xác thực hai lớp"));
        let (_, setup) = b.text("/profile/totp").await;
        let secret = secret_re
            .captures(&setup)
            .map(|c| c[1].to_string())
            .expect("secret shown");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let code = keng::platform::auth::totp::code_at(&secret, now).unwrap();
        let r = b
            .submit(
                "/profile/totp",
                "/profile/totp",
                &[("secret", &secret), ("code", "000000")],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "a wrong code is refused"
        );
        let r = b
            .submit(
                "/profile/totp",
                "/profile/totp",
                &[("secret", &secret), ("code", &code)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(b.get("/users").await.status(), StatusCode::OK);

        // A new sign-in now asks for the code; the password alone opens nothing.
        let b2 = s.browser();
        let r = b2
            .submit(
                "/login",
                "/login",
                &[
                    ("username", "phatngon"),
                    ("password", DEMO_PASSWORD),
                    ("next", "/users"),
                ],
            )
            .await;
        assert!(r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login/totp"));
        assert_eq!(
            b2.get("/users").await.status(),
            StatusCode::SEE_OTHER,
            "not signed in before the second factor"
        );
        // The code already used during enrolment cannot be replayed.
        let r = b2
            .submit(
                "/login/totp",
                "/login/totp",
                &[("code", &code), ("next", "/users")],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "replayed code refused"
        );
        let next_code = keng::platform::auth::totp::code_at(&secret, now + 30).unwrap();
        let r = b2
            .submit(
                "/login/totp",
                "/login/totp",
                &[("code", &next_code), ("next", "/users")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/users");
        assert_eq!(b2.get("/users").await.status(), StatusCode::OK);
        // Journalists are not staff: no TOTP demanded.
        let j = s.browser();
        j.login("pv.ttxvn", DEMO_PASSWORD).await;
        assert_eq!(j.get("/profile").await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn redirect_targets_stay_on_this_site() {
    let bad = [
        "/%09/127.0.0.1:9/",
        "/%0d",
        "/%0a",
        "/%0d%0aSet-Cookie:%20x=1",
        "//evil.example",
        "/%5Cevil.example",
        "/%2F/evil.example",
        "/%2509/evil.example",
        "%20/evil.example",
        "https://evil.example/",
    ];
    for backend in backends() {
        let s = Server::start(&backend).await;
        let who = backend.name();
        // The language switch.
        for next in bad {
            let r = s.browser().get(&format!("/lang/en?next={next}")).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next} on {who}");
            assert_eq!(r.headers()["location"], "/", "{next} on {who}");
        }
        let r = s.browser().get("/lang/en?next=/tin%3Fpage%3D2").await;
        assert_eq!(r.headers()["location"], "/tin?page=2");
        // Non-ASCII paths are kept, encoded.
        let r = s.browser().get("/lang/en?next=/t%C3%ACm").await;
        assert_eq!(r.headers()["location"], "/t%C3%ACm");
        // The sign-in form's `next` (decoded once by the form, like a browser sends it).
        for next in ["/\t/127.0.0.1:9/", "/\r", "/\n", "/\\evil.example"] {
            let b = s.browser();
            let r = b
                .submit(
                    "/login",
                    "/login",
                    &[
                        ("username", "giamdoc"),
                        ("password", DEMO_PASSWORD),
                        ("next", next),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?} on {who}");
            assert_eq!(r.headers()["location"], "/", "{next:?} on {who}");
            // Already signed in: the sign-in page redirects with the same check.
            let r = b.get("/login?next=/%09/127.0.0.1:9/").await;
            assert_eq!(r.headers()["location"], "/", "{next:?} on {who}");
        }
        // The status form's `back`.
        let api = s.api(Some(&s.token_for("quantri").await));
        let (_, users) = api.get("/api/v1/users").await;
        let pending = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["status"] == "pending")
            .and_then(|u| u["id"].as_str())
            .expect("a journalist awaiting accreditation")
            .to_string();
        let (b, _) = session(&s, "tuyentruyen").await;
        let r = b
            .submit(
                "/accreditation",
                &format!("/users/{pending}/status"),
                &[("to", "active"), ("back", "/\t/127.0.0.1:9/")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{who}");
        assert_eq!(r.headers()["location"], "/?done=status_active", "{who}");
    }
}

#[tokio::test]
async fn webhooks_cannot_reach_internal_addresses() {
    for backend in backends() {
        // The test harness allows loopback (its receivers live there); this server does not.
        let opts = common::Options {
            env: vec![("KENG_WEBHOOKS__ALLOW_PRIVATE".into(), "[]".into())],
            ..Default::default()
        };
        let s = Server::start_with(&backend, opts).await;
        let who = backend.name();
        let receiver = common::Receiver::start(Vec::new()).await;
        let port = receiver
            .url
            .rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches("/hook")
            .to_string();
        // Refused when set: the agency editor's form…
        let (editor, _) = session(&s, "btv.ptth").await;
        for url in [
            receiver.url.clone(),
            format!("http://localhost:{port}/hook"),
            "http://10.0.0.5/hook".into(),
            "http://172.20.1.1/hook".into(),
            "http://192.168.1.10/hook".into(),
            "http://169.254.169.254/latest/meta-data/".into(),
            "http://100.64.0.1/hook".into(),
            "http://0.0.0.0/hook".into(),
            "http://224.0.0.1/hook".into(),
            "http://[::1]/hook".into(),
            "http://[fd00::1]/hook".into(),
            "http://[fe80::1]/hook".into(),
            "http://[::ffff:127.0.0.1]/hook".into(),
            "http://2130706433/hook".into(),
            "http://0x7f.1/hook".into(),
        ] {
            let r = editor
                .submit("/press", "/press/webhook", &[("url", &url)])
                .await;
            assert_eq!(
                r.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{url} on {who}"
            );
            let html = r.text().await.unwrap();
            assert!(html.contains("mạng nội bộ"), "{url} on {who}: {html}");
        }
        // …and the API.
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let admin = s.api(Some(&s.token_for("quantri").await));
        let bth = agency_id(&admin, "BTH").await;
        let ttxvn = agency_id(&admin, "TTXVN-TH").await;
        let (st, problem) = officer
            .send(
                Method::PUT,
                &format!("/api/v1/agencies/{bth}/webhook"),
                &serde_json::json!({"url": "http://192.168.1.10/hook"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{who}");
        assert_eq!(problem["errors"][0]["field"], "url", "{who}");
        // A public address is accepted.
        for agency in [&bth, &ttxvn] {
            let (st, _) = officer
                .send(
                    Method::PUT,
                    &format!("/api/v1/agencies/{agency}/webhook"),
                    &serde_json::json!({"url": "http://93.184.216.34:9/hook"}),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{who}");
        }
        // Checked again when connecting: a name that now resolves inward (DNS rebinding),
        // and an IP literal stored before the check existed, both reach nothing.
        let db = s.db.open().await;
        for (agency, url) in [
            (&bth, format!("http://localhost:{port}/hook")),
            (&ttxvn, receiver.url.clone()),
        ] {
            db.execute(
                "UPDATE webhook_endpoints SET url = $1 WHERE agency_id = $2",
                keng::args![url.as_str(), agency.as_str()],
            )
            .await
            .unwrap();
        }
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let id = common::publish(
            &officer,
            &leader,
            &serde_json::json!({"kind": "press_release", "category": "khac", "title": "Tin kiểm tra webhook",
                "summary": "Tóm tắt.", "body": "Nội dung.", "audience": "public"}),
            common::Until::Approved,
        )
        .await;
        let (st, _) = officer
            .post(
                &format!("/api/v1/bulletins/{id}/publish"),
                &serde_json::json!({}),
            )
            .await;
        assert!(st.is_success(), "{who}: publish {st}");
        let mut errors = Vec::new();
        for _ in 0..100 {
            errors = db
                .fetch_all(
                    "SELECT last_error FROM webhook_deliveries WHERE subject_id = $1 AND last_error IS NOT NULL",
                    keng::args![id.as_str()],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| r.str("last_error").unwrap())
                .collect();
            if errors.len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        db.close().await;
        assert_eq!(errors.len(), 2, "{who}: {errors:?}");
        assert!(
            errors.iter().all(|e| e.contains("refused")),
            "{who}: {errors:?}"
        );
        assert_eq!(
            receiver.count(),
            0,
            "{who}: the internal service was reached"
        );
    }
}

#[tokio::test]
async fn webhooks_reach_internal_addresses_the_operator_allows() {
    for backend in backends() {
        // The harness's allow-list (127.0.0.1/8): loopback is accepted, the rest is not.
        let s = Server::start(&backend).await;
        let receiver = common::Receiver::start(Vec::new()).await;
        let (editor, _) = session(&s, "btv.ptth").await;
        let r = editor
            .submit("/press", "/press/webhook", &[("url", &receiver.url)])
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", backend.name());
        let r = editor
            .submit(
                "/press",
                "/press/webhook",
                &[("url", "http://10.0.0.5/hook")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}

/// A browser whose requests come from `ip` (any 127.x.y.z reaches the loopback server),
/// so one test can play several addresses.
fn browser_from(s: &Server, ip: &str) -> Browser {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    Browser {
        client,
        base: s.base.clone(),
    }
}

async fn try_login(b: &Browser, user: &str, password: &str) -> StatusCode {
    b.submit(
        "/login",
        "/login",
        &[("username", user), ("password", password)],
    )
    .await
    .status()
}

#[tokio::test]
async fn a_successful_sign_in_does_not_reset_the_count_of_an_address() {
    for backend in backends() {
        let opts = common::Options {
            toml: Some("[auth]\nmax_failures_per_ip = 6\n".into()),
            ..Default::default()
        };
        let s = Server::start_with(&backend, opts).await;
        let who = backend.name();
        let attacker = browser_from(&s, "127.0.0.3");
        for guess in ["a1", "a2", "a3"] {
            assert_eq!(
                try_login(&attacker, guess, "sai").await,
                StatusCode::UNAUTHORIZED
            );
        }
        // The attacker's own account: the sign-in works, and forgives nothing.
        assert_eq!(
            try_login(&browser_from(&s, "127.0.0.3"), "pv.ttxvn", DEMO_PASSWORD).await,
            StatusCode::SEE_OTHER,
            "{who}"
        );
        for guess in ["a4", "a5", "a6"] {
            assert_eq!(
                try_login(&attacker, guess, "sai").await,
                StatusCode::UNAUTHORIZED,
                "{who}"
            );
        }
        assert_eq!(
            try_login(&attacker, "a7", "sai").await,
            StatusCode::TOO_MANY_REQUESTS,
            "six failures within the window, a success in between: {who}"
        );
        assert_eq!(
            try_login(&attacker, "pv.ttxvn", DEMO_PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS,
            "{who}"
        );
        // Another address is not concerned.
        assert_eq!(
            try_login(&browser_from(&s, "127.0.0.4"), "pv.ttxvn", DEMO_PASSWORD).await,
            StatusCode::SEE_OTHER,
            "{who}"
        );
    }
}

#[tokio::test]
async fn strangers_cannot_lock_an_account_out() {
    for backend in backends() {
        let opts = common::Options {
            toml: Some("[auth]\nmax_failures_per_account = 9\n".into()),
            ..Default::default()
        };
        let s = Server::start_with(&backend, opts).await;
        let who = backend.name();
        // The spokesperson signs in from her usual address.
        let owner = browser_from(&s, "127.0.0.1");
        assert_eq!(
            try_login(&owner, "phatngon", DEMO_PASSWORD).await,
            StatusCode::SEE_OTHER
        );
        // A stranger tries five wrong passwords: that address is done with this account…
        let stranger = browser_from(&s, "127.0.0.2");
        for _ in 0..5 {
            assert_eq!(
                try_login(&stranger, "phatngon", "doan-bua").await,
                StatusCode::UNAUTHORIZED,
                "{who}"
            );
        }
        assert_eq!(
            try_login(&stranger, "phatngon", DEMO_PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS,
            "{who}"
        );
        // …but the owner is not locked out, and the stranger's address may still sign in
        // to its own account.
        assert_eq!(
            try_login(&browser_from(&s, "127.0.0.1"), "phatngon", DEMO_PASSWORD).await,
            StatusCode::SEE_OTHER,
            "the owner signs in despite the stranger: {who}"
        );
        assert_eq!(
            try_login(&stranger, "tuyentruyen", DEMO_PASSWORD).await,
            StatusCode::SEE_OTHER,
            "{who}"
        );
        // Guesses spread over many addresses: past the per-account limit, addresses that
        // never signed in to the account are slowed down — never refused, so no stranger
        // locks the owner out, even on a new network; the owner's known address is not
        // slowed.
        for ip in ["127.0.0.5", "127.0.0.6"] {
            let b = browser_from(&s, ip);
            for _ in 0..2 {
                assert_eq!(
                    try_login(&b, "phatngon", "doan-bua").await,
                    StatusCode::UNAUTHORIZED,
                    "{who}"
                );
            }
        }
        let started = std::time::Instant::now();
        assert_eq!(
            try_login(&browser_from(&s, "127.0.0.9"), "phatngon", "doan-tiep").await,
            StatusCode::UNAUTHORIZED,
            "a new address during a distributed guess: {who}"
        );
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(1_900),
            "slowed down: {who}"
        );
        assert_eq!(
            try_login(&browser_from(&s, "127.0.0.10"), "phatngon", DEMO_PASSWORD).await,
            StatusCode::SEE_OTHER,
            "the owner on a new network still gets in: {who}"
        );
        let started = std::time::Instant::now();
        assert_eq!(
            try_login(&browser_from(&s, "127.0.0.1"), "phatngon", DEMO_PASSWORD).await,
            StatusCode::SEE_OTHER,
            "the owner's known address: {who}"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_millis(1_900),
            "a known address is not slowed: {who}"
        );
        // The state is in the database, as every node sees it.
        let db = s.db.open().await;
        let n = db
            .fetch_one(
                "SELECT COUNT(*) AS n FROM login_attempts WHERE username_key = $1 AND success = $2",
                keng::args!["phatngon", false],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        db.close().await;
        assert_eq!(n, 10, "{who}");
    }
}

fn registration<'a>(username: &'a str, agency: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("display_name", "Nguyễn Văn Thử"),
        ("agency_id", agency),
        ("press_card_no", "PV-2025-0001"),
        ("email", "thu@baothanhhoa.vn"),
        ("phone", "0912345678"),
        ("username", username),
        ("password", "mot-mat-khau-du-dai-2025"),
    ]
}

#[tokio::test]
async fn registration_does_not_tell_whether_a_username_exists_and_is_throttled() {
    for backend in backends() {
        let opts = common::Options {
            toml: Some("[auth]\nmax_registrations_per_ip = 3\n".into()),
            ..Default::default()
        };
        let s = Server::start_with(&backend, opts).await;
        let who = backend.name();
        let api = s.api(Some(&s.token_for("quantri").await));
        let agency = agency_id(&api, "BTH").await;
        let stranger = browser_from(&s, "127.0.0.7");
        let taken = stranger
            .submit("/register", "/register", &registration("phatngon", &agency))
            .await;
        let free = stranger
            .submit("/register", "/register", &registration("pv.moi", &agency))
            .await;
        assert_eq!(taken.status(), StatusCode::SEE_OTHER, "{who}");
        assert_eq!(free.status(), taken.status(), "{who}");
        assert_eq!(
            free.headers()["location"],
            taken.headers()["location"],
            "{who}"
        );
        // The same case-folded: still the same answer.
        let taken_again = stranger
            .submit("/register", "/register", &registration("PhatNgon", &agency))
            .await;
        assert_eq!(taken_again.status(), StatusCode::SEE_OTHER, "{who}");
        // The owner is not affected: her password still works, the stranger's does not.
        assert_eq!(
            try_login(&s.browser(), "phatngon", "mot-mat-khau-du-dai-2025").await,
            StatusCode::UNAUTHORIZED,
            "{who}"
        );
        s.browser().login("phatngon", DEMO_PASSWORD).await;
        // The free name is waiting for accreditation; the refusals are in the audit log.
        let db = s.db.open().await;
        let pending = db
            .fetch_one(
                "SELECT COUNT(*) AS n FROM users WHERE username = $1 AND status = 'pending'",
                keng::args!["pv.moi"],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        let refused = db
            .fetch_one(
                "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'user.registration_refused' AND ip = $1",
                keng::args!["127.0.0.7"],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        let holder_status = db
            .fetch_one(
                "SELECT status FROM users WHERE username = $1",
                keng::args!["phatngon"],
            )
            .await
            .unwrap()
            .str("status")
            .unwrap();
        db.close().await;
        assert_eq!((pending, refused), (1, 2), "{who}");
        assert_eq!(holder_status, "active", "{who}");

        // Three registrations from this address: the fourth is refused with 429, in the
        // person's language; the API the same; other addresses may still register.
        let r = stranger
            .submit("/register", "/register", &registration("pv.khac", &agency))
            .await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{who}");
        assert!(r.headers().contains_key("retry-after"));
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("quá nhiều yêu cầu đăng ký"),
            "{who}"
        );
        stranger.get("/lang/en?next=/register").await;
        let r = stranger
            .submit("/register", "/register", &registration("pv.khac", &agency))
            .await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{who}");
        assert!(
            r.text().await.unwrap().contains("Too many registrations"),
            "{who}"
        );
        let other = browser_from(&s, "127.0.0.8");
        let r = other
            .submit("/register", "/register", &registration("pv.khac", &agency))
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{who}");
        // The API answers taken and free names alike too.
        let anon = s.api(None);
        let body = |u: &str| {
            serde_json::json!({"username": u, "display_name": "Trần Thử", "agency_id": agency,
                "press_card_no": "PV-1", "password": "mot-mat-khau-du-dai-2025"})
        };
        let (st_taken, b_taken) = anon.post("/api/v1/journalists", &body("giamdoc")).await;
        let (st_free, b_free) = anon.post("/api/v1/journalists", &body("pv.api")).await;
        assert_eq!(st_taken, StatusCode::ACCEPTED, "{who}: {b_taken}");
        assert_eq!((st_free, &b_free), (st_taken, &b_taken), "{who}");
        // (127.0.0.1 has now sent two.)
        anon.post("/api/v1/journalists", &body("pv.api2")).await;
        let (st, problem) = anon.post("/api/v1/journalists", &body("pv.api3")).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{who}");
        assert_eq!(problem["status"], 429, "{who}");
    }
}

//! Social profiles, app packages and e-wallet ids in one form: a Facebook page or
//! profile (facebook.com/…, fb.com/…, m.facebook.com/…, profile.php?id=…), a Zalo
//! account (zalo.me/… — a phone number or a name), a Telegram account (t.me/…,
//! telegram.me/…, "@name" with the platform named), a TikTok account (tiktok.com/@…);
//! an Android package (play.google.com/…?id=…, "app:com.x.y"); a MoMo, ZaloPay,
//! ViettelPay or ShopeePay wallet (its phone number).

/// Which network a profile is on.
pub const PLATFORMS: [&str; 4] = ["facebook", "zalo", "telegram", "tiktok"];
/// Which e-wallets.
pub const WALLETS: [&str; 5] = ["momo", "zalopay", "viettelmoney", "shopeepay", "vnpay"];

/// A profile: platform and handle (lowercase; a Zalo phone in E.164; a Facebook
/// numeric id as "id:…").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub platform: &'static str,
    pub handle: String,
}

fn handle_ok(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 64
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The profile a canonical link points to (host without "www."/"m.", path), if any.
pub fn from_link(host: &str, path: &str, query: Option<&str>) -> Option<Profile> {
    let host = host
        .trim_start_matches("www.")
        .trim_start_matches("m.")
        .trim_start_matches("web.")
        .trim_start_matches("mbasic.");
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match host {
        "facebook.com" | "fb.com" | "fb.me" => {
            if first == "profile.php" {
                let id = query?.split('&').find_map(|kv| kv.strip_prefix("id="))?;
                return id.chars().all(|c| c.is_ascii_digit()).then(|| Profile {
                    platform: "facebook",
                    handle: format!("id:{id}"),
                });
            }
            let reserved = [
                "",
                "groups",
                "pages",
                "watch",
                "share",
                "sharer.php",
                "events",
                "login",
                "help",
                "story.php",
                "permalink.php",
                "photo.php",
                "reel",
                "marketplace",
            ];
            (!reserved.contains(&first) && handle_ok(first)).then(|| Profile {
                platform: "facebook",
                handle: first.to_lowercase(),
            })
        }
        "zalo.me" | "chat.zalo.me" => {
            if let Ok(p) = crate::phone::normalise(first) {
                return Some(Profile {
                    platform: "zalo",
                    handle: p.canonical,
                });
            }
            (first != "g" && handle_ok(first)).then(|| Profile {
                platform: "zalo",
                handle: first.to_lowercase(),
            })
        }
        "t.me" | "telegram.me" | "telegram.dog" => {
            let h = first.trim_start_matches('@');
            (!matches!(h, "" | "joinchat" | "s" | "c" | "share") && handle_ok(h)).then(|| Profile {
                platform: "telegram",
                handle: h.to_lowercase(),
            })
        }
        "tiktok.com" | "vt.tiktok.com" => {
            let h = first.strip_prefix('@')?;
            handle_ok(h).then(|| Profile {
                platform: "tiktok",
                handle: h.to_lowercase(),
            })
        }
        _ => None,
    }
}

/// "telegram:@name", "fb:name", "zalo:0912…", "Zalo 0912 345 678", "tiktok @name"
/// typed into the check.
pub fn from_typed(text: &str) -> Option<Profile> {
    let text = text.trim();
    let (p, h) = text
        .split_once(':')
        .filter(|(p, _)| !p.contains(char::is_whitespace))
        .or_else(|| text.split_once(char::is_whitespace))?;
    let platform = match p.trim().to_lowercase().as_str() {
        "facebook" | "fb" => "facebook",
        "zalo" => "zalo",
        "telegram" | "tele" | "tg" => "telegram",
        "tiktok" | "tt" => "tiktok",
        _ => return None,
    };
    let h = h.trim().trim_start_matches('@');
    if platform == "zalo" {
        if let Ok(p) = crate::phone::normalise(h) {
            return Some(Profile {
                platform,
                handle: p.canonical,
            });
        }
    }
    handle_ok(h).then(|| Profile {
        platform,
        handle: h.to_lowercase(),
    })
}

/// An Android package name ("com.example.app"): two or more dot-separated parts of
/// letters, digits and '_', each starting with a letter.
pub fn package_ok(p: &str) -> bool {
    let parts: Vec<&str> = p.split('.').collect();
    parts.len() >= 2
        && p.len() <= 150
        && parts.iter().all(|s| {
            s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// The package a Play Store link names.
pub fn package_from_link(host: &str, path: &str, query: Option<&str>) -> Option<String> {
    if host != "play.google.com" || !path.starts_with("/store/apps/details") {
        return None;
    }
    let id = query?.split('&').find_map(|kv| kv.strip_prefix("id="))?;
    package_ok(id).then(|| id.to_lowercase())
}

/// "momo:0912…", "ví momo 0912…": the wallet and its phone number.
pub fn wallet(text: &str) -> Option<(&'static str, String)> {
    let folded = keng_text::fold(text).replace([' ', '-'], "");
    let w = WALLETS.iter().find(|w| folded.contains(*w))?;
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit() && *c != '+')
        .collect();
    let p = crate::phone::normalise(&digits).ok()?;
    Some((w, p.canonical))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(s: &str) -> Option<Profile> {
        let l = crate::link::canonicalise(s).ok()?;
        from_link(&l.host, &l.path, l.query.as_deref())
    }

    #[test]
    fn profiles_from_links() {
        assert_eq!(
            link("https://www.facebook.com/Ho.Tro.Vay.Von/"),
            Some(Profile {
                platform: "facebook",
                handle: "ho.tro.vay.von".into()
            })
        );
        assert_eq!(
            link("m.facebook.com/profile.php?id=1000123"),
            Some(Profile {
                platform: "facebook",
                handle: "id:1000123".into()
            })
        );
        assert_eq!(
            link("zalo.me/0912345678"),
            Some(Profile {
                platform: "zalo",
                handle: "+84912345678".into()
            })
        );
        assert_eq!(
            link("https://t.me/hotro_vcb"),
            Some(Profile {
                platform: "telegram",
                handle: "hotro_vcb".into()
            })
        );
        assert_eq!(
            link("tiktok.com/@kiemtien.online"),
            Some(Profile {
                platform: "tiktok",
                handle: "kiemtien.online".into()
            })
        );
        assert_eq!(link("facebook.com/groups/123"), None);
        assert_eq!(link("example.com/abc"), None);
    }

    #[test]
    fn typed_and_wallets() {
        assert_eq!(
            from_typed("telegram: @Hotro_VCB"),
            Some(Profile {
                platform: "telegram",
                handle: "hotro_vcb".into()
            })
        );
        assert_eq!(
            from_typed("zalo:0912 345 678").map(|p| p.handle),
            Some("+84912345678".into())
        );
        assert_eq!(
            from_typed("Zalo 0912 345 678").map(|p| p.handle),
            Some("+84912345678".into())
        );
        assert_eq!(
            from_typed("Telegram @hotro").map(|p| p.handle),
            Some("hotro".into())
        );
        assert_eq!(from_typed("https://t.me/x"), None);
        assert_eq!(from_typed("xin chào"), None);
        assert_eq!(
            wallet("ví MoMo 0912.345.678"),
            Some(("momo", "+84912345678".into()))
        );
        assert!(package_ok("com.vcb.hotro"));
        assert!(!package_ok("vcb"));
        let l = crate::link::canonicalise(
            "https://play.google.com/store/apps/details?id=com.fake.vneid",
        )
        .expect("link");
        assert_eq!(
            package_from_link(&l.host, &l.path, l.query.as_deref()),
            Some("com.fake.vneid".into())
        );
    }
}

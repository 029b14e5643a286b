//! Ready-to-paste texts for Zalo and Facebook in three lengths: short (one line for a
//! Zalo message or an SMS-length notice, ≤ 160 characters), medium (a Zalo group post,
//! ≤ 500) and long (a Facebook post, ≤ 2,000). The link to the full warning (up to half
//! the length) and the number to call are always kept whole; what must give way is cut after a whole word
//! and marked with "…", and points are left out whole rather than cut.

/// How long a post may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Short,
    Medium,
    Long,
}

impl Length {
    pub const ALL: [Length; 3] = [Length::Short, Length::Medium, Length::Long];

    /// The most characters (Unicode scalar values) a post of this length has.
    pub fn limit(self) -> usize {
        match self {
            Length::Short => 160,
            Length::Medium => 500,
            Length::Long => 2000,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Length::Short => "short",
            Length::Medium => "medium",
            Length::Long => "long",
        }
    }
}

/// What a post says; the caller has translated every label.
#[derive(Debug, Clone, Default)]
pub struct Post {
    /// "CẢNH BÁO LỪA ĐẢO".
    pub kicker: String,
    pub headline: String,
    /// What happened (long posts only).
    pub happened: String,
    pub signs: Vec<String>,
    pub advice: Vec<String>,
    /// "Dấu hiệu nhận biết", "Cần làm", "Gọi", "Chi tiết".
    pub signs_label: String,
    pub advice_label: String,
    pub call_label: String,
    pub more_label: String,
    pub contact: String,
    pub url: String,
    /// Without the '#'.
    pub hashtags: Vec<String>,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// One line: runs of white space (line breaks included) become one space.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `s` in at most `max` characters: whole words and "…" when it is longer.
pub fn shorten(s: &str, max: usize) -> String {
    let s = flat(s);
    if chars(&s) <= max {
        return s;
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    for word in s.split(' ') {
        let extra = chars(word) + usize::from(!out.is_empty());
        if chars(&out) + extra + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        // One word longer than the room (a long link pasted as text): cut it.
        out = s.chars().take(max - 1).collect();
    }
    let trimmed = out
        .trim_end_matches([',', ';', ':', '.', '-', '–'])
        .to_string();
    format!("{trimmed}…")
}

/// The post at the given length.
pub fn text(p: &Post, length: Length) -> String {
    let limit = length.limit();
    let kicker = flat(&p.kicker);
    // The link is kept whole or left out (a cut link is a broken one); the number is
    // cut after a whole word only if it alone would take 30 % of the post.
    let url = Some(flat(&p.url))
        .filter(|u| chars(u) <= limit / 2)
        .unwrap_or_default();
    let contact = shorten(&p.contact, limit * 3 / 10);
    match length {
        Length::Short => {
            // The headline gets what the link and the number (at most 48 characters,
            // see above) leave.
            // "CẢNH BÁO LỪA ĐẢO: Cảnh báo …" says it twice: the kicker goes when the
            // headline starts with its first two words.
            let opening: Vec<String> = kicker
                .to_lowercase()
                .split(' ')
                .take(2)
                .map(str::to_string)
                .collect();
            let kicker = if !opening.is_empty()
                && flat(&p.headline)
                    .to_lowercase()
                    .starts_with(&opening.join(" "))
            {
                String::new()
            } else {
                format!("{kicker}: ")
            };
            let call = flat(&p.call_label);
            let room = limit.saturating_sub(chars(&url) + chars(&kicker) + chars(&call) + 4);
            let headline = shorten(&p.headline, room.saturating_sub(chars(&contact)));
            let headline = headline.trim_end_matches('.');
            let contact = if contact.ends_with('…') {
                contact
            } else {
                format!("{contact}.")
            };
            let out = format!("{kicker}{headline} {call} {contact} {url}");
            shorten(&out, limit)
        }
        Length::Medium | Length::Long => {
            let long = length == Length::Long;
            let footer = format!(
                "\n☎ {} {}\n👉 {}: {}",
                flat(&p.call_label),
                contact,
                flat(&p.more_label),
                url
            );
            let tags: String = if long {
                p.hashtags
                    .iter()
                    .map(|t| format!("#{}", t.split_whitespace().collect::<String>()))
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                String::new()
            };
            let tags = if tags.is_empty() {
                tags
            } else {
                format!("\n\n{tags}")
            };
            let budget = limit.saturating_sub(chars(&footer) + chars(&tags));
            let mut body = format!(
                "⚠️ {kicker}: {}",
                shorten(
                    &p.headline,
                    if long { 300 } else { 200 }.min(budget.saturating_sub(chars(&kicker) + 4))
                )
            );
            if long && !p.happened.trim().is_empty() {
                let room = budget.saturating_sub(chars(&body) + 2).min(700);
                if room > 40 {
                    body.push_str("\n\n");
                    body.push_str(&shorten(&p.happened, room));
                }
            }
            let max_items = if long { usize::MAX } else { 3 };
            for (label, items) in [(&p.signs_label, &p.signs), (&p.advice_label, &p.advice)] {
                let mut section = format!("\n\n{}:", flat(label));
                let mut any = false;
                for item in items.iter().take(max_items) {
                    let line = format!("\n• {}", shorten(item, if long { 240 } else { 120 }));
                    if chars(&body) + chars(&section) + chars(&line) > budget {
                        break;
                    }
                    section.push_str(&line);
                    any = true;
                }
                if any {
                    body.push_str(&section);
                }
            }
            let out = format!("{body}{footer}{tags}");
            shorten_lines(&out, limit)
        }
    }
}

/// A multi-line text cut to `max` characters at a line end (a safety net: the budget
/// above already keeps within it).
fn shorten_lines(s: &str, max: usize) -> String {
    if chars(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for line in s.lines() {
        if chars(&out) + chars(line) + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Post {
        Post {
            kicker: "CẢNH BÁO LỪA ĐẢO".into(),
            headline: "Giả danh công an gọi điện yêu cầu chuyển tiền để xác minh tài khoản".into(),
            happened: "Từ đầu tháng 11, nhiều người dân trong tỉnh nhận cuộc gọi của đối tượng xưng là cán bộ công an.".into(),
            signs: vec![
                "Người gọi xưng là công an, viện kiểm sát, toà án".into(),
                "Đe doạ liên quan đến vụ án, yêu cầu giữ bí mật".into(),
                "Yêu cầu chuyển tiền vào tài khoản tạm giữ".into(),
                "Gửi đường link cài ứng dụng lạ".into(),
            ],
            advice: vec!["Cúp máy, không chuyển tiền".into(), "Báo ngay cho công an xã".into()],
            signs_label: "Dấu hiệu nhận biết".into(),
            advice_label: "Cần làm".into(),
            call_label: "Gọi".into(),
            more_label: "Chi tiết".into(),
            contact: "113".into(),
            url: "https://congan.example.vn/canh-bao/9".into(),
            hashtags: vec!["CanhBaoLuaDao".into(), "Cong an Thanh Hoa".into()],
        }
    }

    #[test]
    fn the_three_lengths_grow_and_keep_the_link_and_the_number() {
        let p = sample();
        let [s, m, l] = Length::ALL.map(|n| text(&p, n));
        assert!(chars(&s) <= 160 && chars(&m) <= 500 && chars(&l) <= 2000);
        assert!(
            chars(&s) < chars(&m) && chars(&m) < chars(&l),
            "{s}\n---\n{m}\n---\n{l}"
        );
        for t in [&s, &m, &l] {
            assert!(t.contains("https://congan.example.vn/canh-bao/9"), "{t}");
            assert!(t.contains("113"), "{t}");
        }
        assert!(!s.contains('\n'));
        assert!(s.starts_with("CẢNH BÁO LỪA ĐẢO: Giả danh"), "{s}");
        let mut again = p.clone();
        again.headline = "Cảnh báo giả danh công an".into();
        assert!(
            text(&again, Length::Short).starts_with("Cảnh báo giả danh"),
            "no kicker twice"
        );
        assert!(l.ends_with("#CanhBaoLuaDao #ConganThanhHoa"), "{l}");
        assert!(l.contains("Báo ngay cho công an xã"));
        assert!(
            !m.contains("Gửi đường link"),
            "medium keeps three signs: {m}"
        );
    }

    #[test]
    fn shortening_keeps_whole_words() {
        assert_eq!(shorten("một hai ba bốn", 100), "một hai ba bốn");
        assert_eq!(shorten("một hai ba bốn", 9), "một hai…");
        assert_eq!(shorten("abcdefghij", 5), "abcd…");
        assert_eq!(shorten("x", 0), "");
    }

    proptest! {
        #[test]
        fn any_post_keeps_within_its_limit(
            headline in "\\PC{0,400}",
            item in "\\PC{0,300}",
            n in 0usize..30,
            contact in "[0-9 ]{1,30}",
            url in "https://[a-z]{1,20}\\.vn/[a-z0-9/]{0,30}",
        ) {
            let mut p = sample();
            p.headline = headline;
            p.happened = item.clone();
            p.signs = vec![item.clone(); n];
            p.advice = vec![item; n];
            p.contact = contact.clone();
            p.url = url.clone();
            for length in Length::ALL {
                let t = text(&p, length);
                prop_assert!(chars(&t) <= length.limit(), "{} > {}", chars(&t), length.limit());
                prop_assert!(t.contains(&url), "{}", t);
                prop_assert!(t.contains(contact.split_whitespace().collect::<Vec<_>>().join(" ").as_str()), "{}", t);
            }
        }
    }
}

//! A share card laid out as SVG: a coloured band naming the kind of warning and who
//! issues it, the headline as large as fits in its lines, sections of points (the signs,
//! what to do) while room lasts, and a footer with the number to call and the address
//! of the full warning. Lines are broken with the embedded font's advance widths
//! (`fonts::Face::width`), so nothing runs off the card; what does not fit ends with
//! "…" or is left out whole, never cut mid-word. Text the fonts cannot draw is dropped
//! first (`fonts::drawable`).

use std::fmt::Write;

use crate::fonts::{self, FAMILY};

/// The two sizes social networks show well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// 1200×630: link previews (Open Graph), Facebook and Zalo posts with a link.
    Wide,
    /// 1080×1080: a picture in a feed.
    Square,
}

impl Shape {
    pub const ALL: [Shape; 2] = [Shape::Wide, Shape::Square];

    /// Width and height in pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            Shape::Wide => (1200, 630),
            Shape::Square => (1080, 1080),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Wide => "wide",
            Shape::Square => "square",
        }
    }

    pub fn parse(s: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The band's colour, chosen by the caller from the kind and the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accent {
    Red,
    Amber,
    Blue,
    Teal,
    Slate,
    /// Something that no longer holds (a cancelled warning).
    Grey,
}

impl Accent {
    /// The band colour and a light tint of it for the footer; white text on the band
    /// has a contrast ratio above 4.5:1 for each.
    fn colours(self) -> (&'static str, &'static str) {
        match self {
            Accent::Red => ("#a8201a", "#fbeceb"),
            Accent::Amber => ("#8a4b00", "#fdf2e3"),
            Accent::Blue => ("#1d3f8f", "#e9eef9"),
            Accent::Teal => ("#00607a", "#e3f3f7"),
            Accent::Slate => ("#3d4a5c", "#eceff3"),
            Accent::Grey => ("#5b5f66", "#eeeeef"),
        }
    }
}

/// A titled list of short points.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub title: String,
    pub items: Vec<String>,
}

/// What a card says; the caller has translated every label.
#[derive(Debug, Clone)]
pub struct Card {
    /// The band: "CẢNH BÁO · LỪA ĐẢO".
    pub band: String,
    /// Who issues it, on the band's right when there is room.
    pub issuer: String,
    pub headline: String,
    pub sections: Vec<Section>,
    /// "Gọi ngay", before the contact.
    pub call_label: String,
    /// Whom to call.
    pub contact: String,
    /// Where the full warning is, as short as the caller can make it.
    pub footer: String,
    pub accent: Accent,
}

/// The measurements of one shape.
struct Frame {
    w: f32,
    h: f32,
    margin: f32,
    band: f32,
    band_size: f32,
    issuer_size: f32,
    headline_sizes: &'static [f32],
    headline_lines: usize,
    item_size: f32,
    item_lines: usize,
    footer: f32,
    contact_size: f32,
    footer_size: f32,
}

fn frame(shape: Shape) -> Frame {
    match shape {
        Shape::Wide => Frame {
            w: 1200.0,
            h: 630.0,
            margin: 56.0,
            band: 84.0,
            band_size: 30.0,
            issuer_size: 21.0,
            headline_sizes: &[58.0, 52.0, 46.0, 42.0, 38.0],
            headline_lines: 3,
            item_size: 26.0,
            item_lines: 2,
            footer: 104.0,
            contact_size: 34.0,
            footer_size: 21.0,
        },
        Shape::Square => Frame {
            w: 1080.0,
            h: 1080.0,
            margin: 64.0,
            band: 100.0,
            band_size: 34.0,
            issuer_size: 24.0,
            headline_sizes: &[70.0, 62.0, 56.0, 50.0, 44.0],
            headline_lines: 4,
            item_size: 32.0,
            item_lines: 3,
            footer: 150.0,
            contact_size: 42.0,
            footer_size: 26.0,
        },
    }
}

/// Room kept on every line for kerning and shaping the measure does not see.
const SLACK: f32 = 0.97;

/// `text` broken into lines no wider than `width` at `size`; a word wider than a line is
/// broken between characters.
pub fn wrap(text: &str, bold: bool, size: f32, width: f32) -> Vec<String> {
    let Some(face) = fonts::face(bold) else {
        return Vec::new();
    };
    let width = width * SLACK;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if face.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if face.width(word, size) <= width {
            line = word.to_string();
            continue;
        }
        // A word longer than a line (a long link): cut between characters.
        for c in word.chars() {
            let mut next = line.clone();
            next.push(c);
            if face.width(&next, size) > width && !line.is_empty() {
                lines.push(std::mem::replace(&mut line, c.to_string()));
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// At most `max` lines of `text`; when it is longer, the last kept line ends in "…"
/// after a whole word.
pub fn clamp(text: &str, bold: bool, size: f32, width: f32, max: usize) -> Vec<String> {
    let mut lines = wrap(text, bold, size, width);
    if lines.len() <= max {
        return lines;
    }
    lines.truncate(max);
    let Some(face) = fonts::face(bold) else {
        return lines;
    };
    if let Some(last) = lines.last_mut() {
        let mut words: Vec<&str> = last.split(' ').collect();
        loop {
            let candidate = format!("{}…", words.join(" "));
            if face.width(&candidate, size) <= width * SLACK || words.len() <= 1 {
                *last = candidate;
                break;
            }
            words.pop();
        }
    }
    lines
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// One line of text at a baseline (every argument is one SVG attribute).
#[allow(clippy::too_many_arguments)]
fn text(
    out: &mut String,
    x: f32,
    y: f32,
    size: f32,
    bold: bool,
    fill: &str,
    anchor: &str,
    s: &str,
) {
    let _ = writeln!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" font-family="{FAMILY}" font-size="{size:.1}" font-weight="{}" fill="{fill}" text-anchor="{anchor}">{}</text>"#,
        if bold { 700 } else { 400 },
        escape(s)
    );
}

/// The card as an SVG document of the shape's size.
pub fn svg(card: &Card, shape: Shape) -> String {
    let f = frame(shape);
    let (accent, tint) = card.accent.colours();
    let ink = "#15191f";
    let muted = "#4a4f57";
    let inner = f.w - 2.0 * f.margin;
    let mut out = String::with_capacity(8 * 1024);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#,
        w = f.w,
        h = f.h
    );
    let _ = writeln!(
        out,
        r##"<rect width="{}" height="{}" fill="#ffffff"/>"##,
        f.w, f.h
    );

    // The band: a warning sign, the kind, the issuer on the right when it fits.
    let _ = writeln!(
        out,
        r#"<rect width="{}" height="{}" fill="{accent}"/>"#,
        f.w, f.band
    );
    let icon = f.band * 0.5;
    let (ix, iy) = (f.margin, (f.band - icon) / 2.0);
    let _ = writeln!(
        out,
        r##"<path d="M{:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z" fill="#ffffff"/><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{accent}"/><circle cx="{:.1}" cy="{:.1}" r="{:.1}" fill="{accent}"/>"##,
        ix + icon / 2.0,
        iy,
        ix + icon,
        iy + icon,
        ix,
        iy + icon,
        ix + icon / 2.0 - icon * 0.05,
        iy + icon * 0.32,
        icon * 0.1,
        icon * 0.36,
        ix + icon / 2.0,
        iy + icon * 0.82,
        icon * 0.06
    );
    let band_x = ix + icon + f.margin * 0.3;
    let baseline = f.band / 2.0 + f.band_size * 0.36;
    let band_room = f.w - f.margin - band_x;
    let band_text = fonts::drawable(&card.band);
    let issuer = fonts::drawable(&card.issuer);
    let (band_w, issuer_w) = match (fonts::face(true), fonts::face(false)) {
        (Some(b), Some(r)) => (
            b.width(&band_text, f.band_size),
            r.width(&issuer, f.issuer_size),
        ),
        _ => (0.0, 0.0),
    };
    let band_line = clamp(&band_text, true, f.band_size, band_room, 1);
    text(
        &mut out,
        band_x,
        baseline,
        f.band_size,
        true,
        "#ffffff",
        "start",
        band_line.first().map(String::as_str).unwrap_or(""),
    );
    if !issuer.is_empty() && band_w + issuer_w + f.margin < band_room {
        text(
            &mut out,
            f.w - f.margin,
            baseline,
            f.issuer_size,
            false,
            "#ffffff",
            "end",
            &issuer,
        );
    }

    // The footer: whom to call, and where to read more.
    let footer_top = f.h - f.footer;
    let _ = writeln!(
        out,
        r#"<rect y="{footer_top:.1}" width="{}" height="{}" fill="{tint}"/><rect y="{footer_top:.1}" width="{}" height="4" fill="{accent}"/>"#,
        f.w, f.footer, f.w
    );
    let call = fonts::drawable(&format!(
        "{}: {}",
        card.call_label.trim(),
        card.contact.trim()
    ));
    let address = fonts::drawable(&card.footer);
    // Two lines: the call, in the largest size that fits (down to two thirds), then the
    // address. The number is what matters most: it is never dropped for the address.
    let call_size = [1.0, 0.9, 0.8, 0.7]
        .into_iter()
        .map(|k| f.contact_size * k)
        .find(|s| fonts::face(true).is_some_and(|b| b.width(&call, *s) <= inner * SLACK))
        .unwrap_or(f.contact_size * 0.7);
    let call_line = clamp(&call, true, call_size, inner, 1);
    let gap = (f.footer - f.contact_size - f.footer_size) / 3.0;
    let call_base = footer_top + gap + f.contact_size * 0.85;
    text(
        &mut out,
        f.margin,
        call_base,
        call_size,
        true,
        accent,
        "start",
        call_line.first().map(String::as_str).unwrap_or(""),
    );
    let address_line = clamp(&address, false, f.footer_size, inner, 1);
    text(
        &mut out,
        f.margin,
        call_base + gap + f.footer_size * 0.95,
        f.footer_size,
        false,
        muted,
        "start",
        address_line.first().map(String::as_str).unwrap_or(""),
    );

    // The headline, as large as fits in its lines.
    let headline = fonts::drawable(&card.headline);
    let mut size = f.headline_sizes.last().copied().unwrap_or(40.0);
    let mut lines = Vec::new();
    for s in f.headline_sizes {
        let l = wrap(&headline, true, *s, inner);
        if l.len() <= f.headline_lines {
            size = *s;
            lines = l;
            break;
        }
    }
    if lines.is_empty() {
        lines = clamp(&headline, true, size, inner, f.headline_lines);
    }
    let mut y = f.band + f.margin * 0.6 + size;
    for l in &lines {
        text(&mut out, f.margin, y, size, true, ink, "start", l);
        y += size * 1.18;
    }

    // The sections, while there is room above the footer.
    let bottom = footer_top - f.margin * 0.4;
    let line_h = f.item_size * 1.32;
    let indent = f.item_size * 1.1;
    y += f.item_size * 0.4 - size * 0.83;
    for section in &card.sections {
        let title = fonts::drawable(&section.title);
        let items: Vec<Vec<String>> = section
            .items
            .iter()
            .map(|i| {
                clamp(
                    &fonts::drawable(i),
                    false,
                    f.item_size,
                    inner - indent,
                    f.item_lines,
                )
            })
            .filter(|l| !l.is_empty())
            .collect();
        let Some(first) = items.first() else { continue };
        // A title is shown only with at least its first point.
        let needed = line_h * (1 + first.len()) as f32 + f.item_size * 0.3;
        if y + needed > bottom {
            break;
        }
        y += line_h;
        text(
            &mut out,
            f.margin,
            y,
            f.item_size,
            true,
            accent,
            "start",
            &title,
        );
        y += f.item_size * 0.3;
        for item in &items {
            if y + line_h * item.len() as f32 > bottom {
                break;
            }
            for (n, l) in item.iter().enumerate() {
                y += line_h;
                if n == 0 {
                    let _ = writeln!(
                        out,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="{:.1}" fill="{accent}"/>"#,
                        f.margin + f.item_size * 0.3,
                        y - f.item_size * 0.33,
                        f.item_size * 0.16
                    );
                }
                text(
                    &mut out,
                    f.margin + indent,
                    y,
                    f.item_size,
                    false,
                    ink,
                    "start",
                    l,
                );
            }
        }
        y += f.item_size * 0.4;
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Card {
        Card {
            band: "CẢNH BÁO · THỦ ĐOẠN LỪA ĐẢO".into(),
            issuer: "CÔNG AN TỈNH THANH HÓA".into(),
            headline: "Giả danh công an gọi điện yêu cầu chuyển tiền để “xác minh” tài khoản"
                .into(),
            sections: vec![
                Section {
                    title: "Dấu hiệu nhận biết".into(),
                    items: vec![
                        "Người gọi xưng là cán bộ công an, viện kiểm sát hoặc toà án".into(),
                        "Đe doạ bạn liên quan đến một vụ án và yêu cầu giữ bí mật".into(),
                        "Yêu cầu chuyển tiền vào “tài khoản tạm giữ” hoặc cài ứng dụng lạ".into(),
                    ],
                },
                Section {
                    title: "Cần làm".into(),
                    items: vec![
                        "Cúp máy, không chuyển tiền; gọi 113 hoặc đến công an xã gần nhất".into(),
                    ],
                },
            ],
            call_label: "Gọi ngay".into(),
            contact: "113 hoặc 0237 3 852 045".into(),
            footer: "congan.thanhhoa.example/canh-bao/9".into(),
            accent: Accent::Red,
        }
    }

    #[test]
    fn lines_fit_and_keep_every_word() {
        let text = "Giả danh công an gọi điện yêu cầu chuyển tiền để xác minh tài khoản ngân hàng";
        let lines = wrap(text, true, 52.0, 600.0);
        assert!(lines.len() > 1);
        let face = fonts::face(true).expect("face");
        for l in &lines {
            assert!(face.width(l, 52.0) <= 600.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn a_clamped_text_ends_with_an_ellipsis_after_a_whole_word() {
        let text = "một hai ba bốn năm sáu bảy tám chín mười ".repeat(20);
        let lines = clamp(&text, false, 26.0, 500.0, 2);
        assert_eq!(lines.len(), 2);
        let last = lines.last().expect("line");
        assert!(last.ends_with('…'), "{last}");
        let words: Vec<&str> = text.split_whitespace().collect();
        let before = last.trim_end_matches('…');
        assert!(before.split(' ').all(|w| words.contains(&w)), "{last}");
    }

    #[test]
    fn the_card_is_well_formed_svg_of_its_size_with_the_text_escaped() {
        let mut card = sample();
        card.headline = "<script>alert('x')</script> & \"quoted\"".into();
        for shape in Shape::ALL {
            let svg = svg(&card, shape);
            let (w, h) = shape.size();
            assert!(svg.contains(&format!(r#"width="{w}" height="{h}""#)));
            assert!(!svg.contains("<script>"));
            let mut reader = quick_xml::Reader::from_str(&svg);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{e}: {svg}"),
                }
            }
        }
    }

    #[test]
    fn the_square_card_has_room_for_more_points() {
        let card = sample();
        let wide = svg(&card, Shape::Wide).matches("<circle").count();
        let square = svg(&card, Shape::Square).matches("<circle").count();
        assert!(square >= wide, "{square} < {wide}");
        assert!(square >= 4, "{square}");
    }

    proptest! {
        #[test]
        fn any_text_gives_well_formed_svg(headline in "\\PC{0,300}", item in "\\PC{0,200}", n in 0usize..12) {
            let mut card = sample();
            card.headline = headline;
            card.sections = vec![Section { title: item.clone(), items: vec![item; n] }];
            for shape in Shape::ALL {
                let svg = svg(&card, shape);
                let mut reader = quick_xml::Reader::from_str(&svg);
                loop {
                    match reader.read_event() {
                        Ok(quick_xml::events::Event::Eof) => break,
                        Ok(_) => {}
                        Err(e) => prop_assert!(false, "{}: {}", e, svg),
                    }
                }
            }
        }
    }
}

//! An SVG card rasterised to PNG by resvg, with the embedded fonts only (never the
//! system's), and the proof that no glyph came out as a box: after layout, every glyph
//! usvg placed is looked up, and the `.notdef` glyph (id 0) is an error.

use resvg::tiny_skia::Pixmap;
use resvg::usvg::{self, Node, Tree};

/// Why a card could not be drawn.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// The SVG did not parse (a bug in the layout, not the user's text).
    Svg(String),
    /// Characters drawn as the missing-glyph box.
    Missing(Vec<String>),
    /// The picture could not be allocated or encoded.
    Raster(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Svg(e) => write!(f, "card SVG: {e}"),
            Error::Missing(t) => write!(f, "no glyph for {t:?}"),
            Error::Raster(e) => write!(f, "card PNG: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// The SVG laid out with the embedded fonts.
pub fn tree(svg: &str) -> Result<Tree, Error> {
    let options = usvg::Options {
        fontdb: crate::fonts::database(),
        font_family: crate::fonts::FAMILY.to_string(),
        languages: vec!["vi".to_string(), "en".to_string()],
        ..usvg::Options::default()
    };
    Tree::from_str(svg, &options).map_err(|e| Error::Svg(e.to_string()))
}

/// The text of every glyph drawn as `.notdef` (a box), in order.
pub fn missing_glyphs(tree: &Tree) -> Vec<String> {
    fn walk(group: &usvg::Group, out: &mut Vec<String>) {
        for node in group.children() {
            match node {
                Node::Group(g) => walk(g, out),
                Node::Text(t) => {
                    for span in t.layouted() {
                        for g in &span.positioned_glyphs {
                            if g.id.0 == 0 && !g.text.trim().is_empty() {
                                out.push(g.text.clone());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(tree.root(), &mut out);
    out
}

/// The number of glyphs laid out (to tell an empty drawing from a full one).
pub fn glyph_count(tree: &Tree) -> usize {
    fn walk(group: &usvg::Group) -> usize {
        group
            .children()
            .iter()
            .map(|node| match node {
                Node::Group(g) => walk(g),
                Node::Text(t) => t.layouted().iter().map(|s| s.positioned_glyphs.len()).sum(),
                _ => 0,
            })
            .sum()
    }
    walk(tree.root())
}

/// The SVG as PNG bytes at its own size; an error if any glyph would be a box.
pub fn png(svg: &str) -> Result<Vec<u8>, Error> {
    let tree = tree(svg)?;
    let missing = missing_glyphs(&tree);
    if !missing.is_empty() {
        return Err(Error::Missing(missing));
    }
    let size = tree.size().to_int_size();
    let mut pixmap = Pixmap::new(size.width(), size.height())
        .ok_or_else(|| Error::Raster(format!("{}×{}", size.width(), size.height())))?;
    resvg::render(&tree, usvg::Transform::identity(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| Error::Raster(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{svg, Accent, Card, Section, Shape};
    use crate::fonts::VIETNAMESE;

    fn card(headline: &str) -> Card {
        Card {
            band: "CẢNH BÁO · LỪA ĐẢO".into(),
            issuer: "CÔNG AN TỈNH".into(),
            headline: headline.into(),
            sections: vec![Section {
                title: "Dấu hiệu nhận biết".into(),
                items: vec![
                    VIETNAMESE[..VIETNAMESE.len() / 2].into(),
                    VIETNAMESE[VIETNAMESE.len() / 2..].into(),
                ],
            }],
            call_label: "Gọi ngay".into(),
            contact: "113".into(),
            footer: "example.vn/canh-bao/1".into(),
            accent: Accent::Red,
        }
    }

    #[test]
    fn every_vietnamese_letter_is_drawn_with_a_real_glyph() {
        for shape in Shape::ALL {
            let doc = svg(
                &card("Đề phòng lừa đảo “cập nhật sinh trắc học” qua đường link giả mạo ngân hàng"),
                shape,
            );
            let tree = tree(&doc).expect("parses");
            assert_eq!(missing_glyphs(&tree), Vec::<String>::new());
            // Every letter of the alphabet went through layout (none dropped).
            let letters = VIETNAMESE.chars().count();
            assert!(
                glyph_count(&tree) > letters,
                "{} glyphs",
                glyph_count(&tree)
            );
        }
    }

    #[test]
    fn decomposed_tone_marks_are_placed_not_boxed() {
        // "Hoá" typed as o + combining acute: shaped by the font's mark feature.
        let doc = svg(
            &card("Tha\u{0300}nh pho\u{0302}\u{0301} Ho\u{0301}a"),
            Shape::Wide,
        );
        let tree = tree(&doc).expect("parses");
        assert_eq!(missing_glyphs(&tree), Vec::<String>::new());
    }

    #[test]
    fn a_box_is_detected() {
        // Text drawn directly, bypassing the card's filter: a CJK character has no glyph.
        let doc = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><text x="5" y="40" font-family="Noto Sans" font-size="30">A中</text></svg>"#;
        let tree = tree(doc).expect("parses");
        assert_eq!(missing_glyphs(&tree), vec!["中".to_string()]);
        assert!(matches!(png(doc), Err(Error::Missing(_))));
    }

    #[test]
    fn the_png_has_the_shape_size_and_ink_on_it() {
        for shape in Shape::ALL {
            let bytes = png(&svg(&card("Cảnh báo thủ đoạn giả danh công an"), shape)).expect("png");
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
            let pixmap = Pixmap::decode_png(&bytes).expect("decodes");
            let (w, h) = shape.size();
            assert_eq!((pixmap.width(), pixmap.height()), (w, h));
            // The headline area is not blank: dark pixels where the text is.
            let dark = pixmap
                .pixels()
                .iter()
                .filter(|p| p.red() < 60 && p.green() < 60 && p.blue() < 60)
                .count();
            assert!(dark > 2000, "{dark} dark pixels");
        }
    }
}

//! The fonts compiled into the binary (Noto Sans Regular and Bold, subset to Latin and
//! Vietnamese; see `fonts/README.md`) and measuring text with them, so that a card's
//! lines are broken where the renderer will actually run out of room.

use std::sync::{Arc, OnceLock};

/// Noto Sans Regular, subset.
pub static REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.subset.ttf");
/// Noto Sans Bold, subset.
pub static BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.subset.ttf");
/// The family name both faces carry, as the SVG names it.
pub const FAMILY: &str = "Noto Sans";

/// A parsed face, for measuring.
pub struct Face {
    face: ttf_parser::Face<'static>,
    per_em: f32,
}

impl Face {
    fn parse(data: &'static [u8]) -> Option<Face> {
        let face = ttf_parser::Face::parse(data, 0).ok()?;
        let per_em = f32::from(face.units_per_em());
        Some(Face { face, per_em })
    }

    /// Whether the face draws `c` (white space counts as drawn).
    pub fn has(&self, c: char) -> bool {
        c.is_whitespace() || self.face.glyph_index(c).is_some()
    }

    /// The width of `text` at `size` pixels: the sum of the advances (combining marks
    /// have none; kerning is small and left to the margin the layout keeps).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map(u32::from)
                    .unwrap_or(0)
            })
            .sum();
        units as f32 * size / self.per_em
    }
}

struct Faces {
    regular: Face,
    bold: Face,
}

fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                regular: Face::parse(REGULAR)?,
                bold: Face::parse(BOLD)?,
            })
        })
        .as_ref()
}

/// The regular or the bold face (None only if the embedded file were damaged, which
/// the tests rule out).
pub fn face(bold: bool) -> Option<&'static Face> {
    faces().map(|f| if bold { &f.bold } else { &f.regular })
}

/// The font database the renderer uses: the two embedded faces and nothing from the
/// system, so a card looks the same on every node.
pub fn database() -> Arc<resvg::usvg::fontdb::Database> {
    static DB: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        db.set_sans_serif_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// Combining marks kept after one letter: Vietnamese needs two at most (ệ = e, a
/// circumflex and a dot below); a tower of them would draw over the lines above.
const MARKS_PER_LETTER: usize = 2;

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}')
}

/// `text` with what the fonts cannot draw (emoji, other scripts, control and zero-width
/// characters) left out, so a card never shows a box, and combining marks beyond two on
/// one letter dropped; runs of white space become one space.
pub fn drawable(text: &str) -> String {
    let (Some(regular), Some(bold)) = (face(false), face(true)) else {
        return String::new();
    };
    let mut out = String::with_capacity(text.len());
    let mut marks = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
            marks = MARKS_PER_LETTER;
        } else if is_combining(c) {
            if marks < MARKS_PER_LETTER && !out.is_empty() && regular.has(c) && bold.has(c) {
                out.push(c);
                marks += 1;
            }
        } else if !c.is_control() && regular.has(c) && bold.has(c) {
            out.push(c);
            marks = 0;
        }
    }
    out.trim_end().to_string()
}

/// Every Vietnamese letter in both cases, and the đồng sign: what the tests draw.
pub const VIETNAMESE: &str = "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬBCDĐEÈÉẺẼẸÊỀẾỂỄỆGHIÌÍỈĨỊKLMNOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢPQRSTUÙÚỦŨỤƯỪỨỬỮỰVXYỲÝỶỸỴaàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ₫";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_draw_every_vietnamese_letter() {
        for bold in [false, true] {
            let f = face(bold).expect("embedded face parses");
            let missing: Vec<char> = VIETNAMESE.chars().filter(|c| !f.has(*c)).collect();
            assert!(missing.is_empty(), "bold={bold}: {missing:?}");
        }
    }

    #[test]
    fn what_cannot_be_drawn_is_left_out() {
        assert_eq!(
            drawable("Cảnh báo 🚨 lừa\u{0007} đảo\n\n  qua  Zalo"),
            "Cảnh báo lừa đảo qua Zalo"
        );
        assert_eq!(drawable("中文"), "");
        assert_eq!(
            drawable(VIETNAMESE),
            VIETNAMESE,
            "every Vietnamese letter is kept"
        );
        let tower = format!("e{}", "\u{0301}".repeat(60));
        assert_eq!(drawable(&tower).chars().count(), 3);
        assert_eq!(drawable("Ho\u{0302}\u{0323}i"), "Ho\u{0302}\u{0323}i");
        assert_eq!(drawable("a\u{200b}b\tc"), "ab c");
    }

    #[test]
    fn wider_text_measures_wider() {
        let f = face(true).expect("face");
        assert!(f.width("Cảnh báo lừa đảo", 40.0) > f.width("Cảnh báo", 40.0));
        assert!((f.width("abc", 80.0) - 2.0 * f.width("abc", 40.0)).abs() < 0.01);
        assert_eq!(f.width("", 40.0), 0.0);
    }
}

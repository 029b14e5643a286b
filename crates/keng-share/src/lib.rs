//! What a warning becomes when people share it, as pure functions with no I/O:
//! - [`card`]: a share card laid out as SVG (1200×630 for link previews, 1080×1080 for
//!   feeds), the text wrapped with the real advance widths of the embedded font;
//! - [`render`]: that SVG rasterised to PNG by resvg with the embedded font only, and a
//!   check that every glyph drawn exists in it (no tofu boxes);
//! - [`posts`]: ready-to-paste texts for Zalo and Facebook in three lengths;
//! - [`fonts`]: the embedded Noto Sans (SIL OFL 1.1, `fonts/OFL.txt`), cut to Latin and
//!   Vietnamese, and measuring with it.

pub mod card;
pub mod fonts;
pub mod posts;
pub mod render;

pub use card::{Accent, Card, Section, Shape};
pub use posts::{Length, Post};

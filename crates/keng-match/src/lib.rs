//! Which police bulletin a press article reports on. Pure, no I/O: the coverage
//! capability feeds it the published bulletins and each article it fetched, and stores
//! what it answers.
//!
//! - **A link back** to a bulletin's page decides alone (confidence 1).
//! - Otherwise **the text**: both sides are cut into pairs of consecutive words of their
//!   canonical lowercase form (so "Thanh Hoá" and "Thanh Hóa" agree; `keng-text`), and
//!   each pair weighs by its rarity among the bulletins (inverse document frequency):
//!   the boilerplate every bulletin shares ("nâng cao cảnh giác") weighs nearly nothing,
//!   a ward's name, a number with its noun ("625 triệu", "9 xe") or an unusual crime
//!   weighs much. The score is the share of a bulletin's weight the article repeats
//!   (containment: an article may add its own paragraphs, or keep only the lead).
//! - **Facts**: a story naming another ward, or giving other counts of persons or
//!   cases, is another case of the same kind: each such conflict lowers the confidence
//!   ([`Facts`]).
//! - **Time**: an article counts for a bulletin only if it appeared from a little before
//!   the bulletin (clocks, embargoed copies) to [`Window::after`] later.
//! - **Evidence**: the rarest shared word pairs, as the article writes them, so a person
//!   reviewing a match sees why.
//!
//! Candidates come from an inverted index over the bulletins' pairs whose lists are kept
//! in order of publication: an article reads only the part of each list inside its time
//! window, so its cost follows the bulletins of a month, not of all years.

mod facts;
mod index;
mod shingle;

pub use facts::Facts;
pub use index::{Bulletin, Index, Match, Reason, Window};
pub use shingle::{pairs, Pair};

/// Where an answer falls: sure enough to record as coverage, worth a person's look, or
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Coverage,
    Review,
    Unrelated,
}

/// The confidence thresholds (measured on the labelled set in `fixtures/`: see the
/// crate's tests).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At or above: coverage without a person's look.
    pub coverage: f64,
    /// At or above (and below `coverage`): the review queue.
    pub review: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            coverage: 0.40,
            review: 0.20,
        }
    }
}

impl Thresholds {
    pub fn verdict(&self, confidence: f64) -> Verdict {
        if confidence >= self.coverage {
            Verdict::Coverage
        } else if confidence >= self.review {
            Verdict::Review
        } else {
            Verdict::Unrelated
        }
    }
}

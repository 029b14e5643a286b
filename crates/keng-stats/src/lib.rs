//! The arithmetic behind the department's figures, pure and without I/O: the periods a
//! report covers and the ones it is compared with ("so với cùng kỳ", "so với kỳ
//! trước"), including a peak campaign anchored to Tết, whose "same period last year" is
//! the same stretch around last year's Tết rather than the same solar dates; the change
//! between two figures with the rule for a zero base stated once; and the report's
//! Vietnamese sentences ("phát hiện, điều tra, xử lý 33 vụ, 73 đối tượng, tăng 5 vụ
//! (17,9%) so với cùng kỳ") with Vietnamese number formatting; and the packed form of a
//! day's running totals, which the reports read instead of the figures.

pub mod compare;
pub mod narrative;
pub mod number;
pub mod period;
pub mod running;

pub use compare::{Change, Direction};
pub use narrative::{change_phrase, counts_phrase, sentence, sentence_about, Figure};
pub use number::NumberError;
pub use period::{Kind, Period, PeriodError, TetSeason};

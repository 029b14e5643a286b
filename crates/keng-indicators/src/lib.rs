//! Scam indicators in one canonical form, so that the same number or link written ten
//! ways is one record: `phone` turns what people type ("0912.345.678", "+84 912 345 678",
//! "O9I2 345 678", the pre-2018 "0168 …") into E.164 with what kind of number it is.
//! Pure functions, no I/O: property-tested here and fuzzed alone.

pub mod phone;

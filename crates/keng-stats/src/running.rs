//! The running totals of one series at one day, packed: for each measure, staff's and the
//! public's sum and number of figures whose last day is on or before that day. A day of
//! one unit's own figures (or of its whole subtree) is one packed value, so a report
//! reads a row per unit and day instead of one per measure. The format is versioned and
//! decoding never trusts its input: a damaged value is an error, never a panic.
//!
//! Layout: the version byte `1`, then per measure (sorted by id, each once): the id's
//! length (one byte, 1–255), the id in UTF-8, and four little-endian 8-byte numbers —
//! staff's sum (f64), staff's count (i64), the public's sum (f64), the public's count (i64).

use std::collections::BTreeMap;
use std::fmt;

/// Staff's and the public's (sum, count) at a day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub staff: f64,
    pub staff_n: i64,
    pub public: f64,
    pub public_n: i64,
}

impl Totals {
    /// Adds another day's sums.
    pub fn add(&mut self, o: &Totals) {
        self.staff += o.staff;
        self.staff_n += o.staff_n;
        self.public += o.public;
        self.public_n += o.public_n;
    }

    /// Sums of decimals drift in binary; six places is finer than any measure is given.
    /// Sums too large to hold six decimal places (from about 9·10⁹) are left as they are.
    pub fn rounded(self) -> Totals {
        let r = |x: f64| {
            if x.abs() < 9.0e9 {
                (x * 1e6).round() / 1e6
            } else {
                x
            }
        };
        Totals {
            staff: r(self.staff),
            public: r(self.public),
            ..self
        }
    }

    /// (sum, count) for the public or for staff.
    pub fn pick(&self, public: bool) -> (f64, i64) {
        if public {
            (self.public, self.public_n)
        } else {
            (self.staff, self.staff_n)
        }
    }
}

const VERSION: u8 = 1;
const NUMBERS: usize = 32;

/// Why a packed value could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackError {
    /// An empty value, or an unknown version.
    Version,
    /// The value ends inside an entry.
    Truncated,
    /// A measure id that is empty, longer than 255 bytes or not UTF-8.
    BadId,
    /// Measure ids out of order or repeated (a reader searches them).
    Order,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PackError::Version => "running totals: unknown format",
            PackError::Truncated => "running totals: value cut short",
            PackError::BadId => "running totals: bad measure id",
            PackError::Order => "running totals: measures out of order",
        })
    }
}

impl std::error::Error for PackError {}

/// Packs measure → totals as they are.
pub fn pack(day: &BTreeMap<String, Totals>) -> Result<Vec<u8>, PackError> {
    pack_with(day, |t| t)
}

/// Packs measure → totals rounded to six places ([`Totals::rounded`]), leaving the
/// running sums themselves exact.
pub fn pack_rounded(day: &BTreeMap<String, Totals>) -> Result<Vec<u8>, PackError> {
    pack_with(day, Totals::rounded)
}

fn pack_with(
    day: &BTreeMap<String, Totals>,
    f: impl Fn(Totals) -> Totals,
) -> Result<Vec<u8>, PackError> {
    let mut out = Vec::with_capacity(1 + day.len() * (NUMBERS + 24));
    out.push(VERSION);
    for (id, t) in day {
        let len = u8::try_from(id.len()).map_err(|_| PackError::BadId)?;
        if len == 0 {
            return Err(PackError::BadId);
        }
        out.push(len);
        out.extend_from_slice(id.as_bytes());
        let t = f(*t);
        out.extend_from_slice(&t.staff.to_le_bytes());
        out.extend_from_slice(&t.staff_n.to_le_bytes());
        out.extend_from_slice(&t.public.to_le_bytes());
        out.extend_from_slice(&t.public_n.to_le_bytes());
    }
    Ok(out)
}

/// The entries of a packed value, borrowing their ids from it, sorted by id (checked).
pub fn unpack(bytes: &[u8]) -> Result<Vec<(&str, Totals)>, PackError> {
    let Some((&VERSION, mut rest)) = bytes.split_first() else {
        return Err(PackError::Version);
    };
    let mut out = Vec::with_capacity(rest.len() / (NUMBERS + 16));
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len);
        if len == 0 {
            return Err(PackError::BadId);
        }
        if tail.len() < len + NUMBERS {
            return Err(PackError::Truncated);
        }
        let (id, tail) = tail.split_at(len);
        let id = std::str::from_utf8(id).map_err(|_| PackError::BadId)?;
        if out
            .last()
            .is_some_and(|(prev, _): &(&str, Totals)| *prev >= id)
        {
            return Err(PackError::Order);
        }
        let (nums, tail) = tail.split_at(NUMBERS);
        let word = |k: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&nums[k * 8..k * 8 + 8]);
            b
        };
        out.push((
            id,
            Totals {
                staff: f64::from_le_bytes(word(0)),
                staff_n: i64::from_le_bytes(word(1)),
                public: f64::from_le_bytes(word(2)),
                public_n: i64::from_le_bytes(word(3)),
            },
        ));
        rest = tail;
    }
    Ok(out)
}

/// The entries of a packed value as an owned map.
pub fn unpack_owned(bytes: &[u8]) -> Result<BTreeMap<String, Totals>, PackError> {
    Ok(unpack(bytes)?
        .into_iter()
        .map(|(id, t)| (id.to_string(), t))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(x: f64, n: i64) -> Totals {
        Totals {
            staff: x,
            staff_n: n,
            public: x / 2.0,
            public_n: n / 2,
        }
    }

    #[test]
    fn a_day_packs_and_unpacks() {
        let day = BTreeMap::from([
            ("ma_tuy.cases".to_string(), t(33.0, 4)),
            ("trom_cap.subjects".to_string(), t(0.25, 1)),
        ]);
        let bytes = pack(&day).unwrap_or_default();
        assert_eq!(bytes[0], VERSION);
        assert_eq!(unpack_owned(&bytes), Ok(day));
        assert_eq!(unpack(&[VERSION]), Ok(Vec::new()));
    }

    #[test]
    fn damage_is_an_error() {
        let day = BTreeMap::from([("m".to_string(), t(1.0, 1))]);
        let bytes = pack(&day).unwrap_or_default();
        assert_eq!(unpack(&[]), Err(PackError::Version));
        assert_eq!(unpack(&[9]), Err(PackError::Version));
        assert_eq!(unpack(&bytes[..bytes.len() - 1]), Err(PackError::Truncated));
        assert_eq!(unpack(&[VERSION, 0]), Err(PackError::BadId));
        assert_eq!(
            unpack(&[VERSION, 1, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(PackError::Truncated)
        );
        let long = BTreeMap::from([("x".repeat(256), t(1.0, 1))]);
        assert_eq!(pack(&long), Err(PackError::BadId));
        let mut twice = bytes.clone();
        twice.extend_from_slice(&bytes[1..]);
        assert_eq!(unpack(&twice), Err(PackError::Order));
        assert_eq!(
            pack(&BTreeMap::from([(String::new(), t(1.0, 1))])),
            Err(PackError::BadId)
        );
    }

    #[test]
    fn totals_round_and_pick() {
        let mut a = t(0.1, 1);
        a.add(&t(0.2, 1));
        assert_eq!(a.rounded().staff, 0.3);
        let big = t(1.0e12 + 0.1, 1);
        assert_eq!(big.rounded().staff, big.staff);
        assert_eq!(t(f64::INFINITY, 1).rounded().staff, f64::INFINITY);
        let day = BTreeMap::from([("m".to_string(), a)]);
        let packed = unpack_owned(&pack_rounded(&day).unwrap_or_default()).unwrap_or_default();
        assert_eq!(packed["m"].staff, 0.3);
        assert_eq!(a.pick(false), (a.staff, 2));
        assert_eq!(a.pick(true), (a.public, 0));
    }

    proptest! {
        #[test]
        fn any_day_round_trips(entries in proptest::collection::btree_map(
            "[a-z_.]{1,40}", (any::<f64>(), any::<i64>(), any::<f64>(), any::<i64>()), 0..80)) {
            let day: BTreeMap<String, Totals> = entries.into_iter().map(|(k, (a, b, c, d))| {
                (k, Totals { staff: a, staff_n: b, public: c, public_n: d })
            }).collect();
            let bytes = pack(&day).unwrap_or_default();
            let back = unpack_owned(&bytes).unwrap_or_default();
            prop_assert_eq!(back.len(), day.len());
            for (k, v) in &day {
                let w = back.get(k).copied().unwrap_or_default();
                prop_assert_eq!(w.staff.to_bits(), v.staff.to_bits());
                prop_assert_eq!(w.public.to_bits(), v.public.to_bits());
                prop_assert_eq!((w.staff_n, w.public_n), (v.staff_n, v.public_n));
            }
        }

        #[test]
        fn any_bytes_unpack_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = unpack(&bytes);
        }
    }
}

//! The change between a figure and the one it is compared with. The rule for a zero
//! base, stated once: when the earlier figure is 0, the change is said in units only
//! ("tăng 5 vụ") and no percentage is given — a percentage of nothing is no number,
//! and "tăng 100%" would hide that the base was empty. Counts are whole; a measure that
//! cannot be summed is compared as it stands, never averaged here.

/// Which way a figure moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    Same,
}

/// A figure against the one it is compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub now: f64,
    pub before: f64,
    /// now − before.
    pub diff: f64,
    /// The change as a share of `before`, in percent (always ≥ 0: the direction says
    /// which way); None when `before` is 0 (see the module's rule) or a figure is not a
    /// number.
    pub percent: Option<f64>,
    pub direction: Direction,
}

impl Change {
    /// `now` compared with `before`.
    pub fn of(now: f64, before: f64) -> Change {
        let diff = now - before;
        let direction = if !diff.is_finite() || diff.abs() < 1e-9 {
            Direction::Same
        } else if diff > 0.0 {
            Direction::Up
        } else {
            Direction::Down
        };
        let percent = (before.is_finite() && now.is_finite() && before.abs() > 1e-9)
            .then(|| (diff / before).abs() * 100.0);
        Change {
            now,
            before,
            diff,
            percent,
            direction,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_seeds_figures() {
        // 33 cases against 28 the year before: up 5, 17.9 %.
        let c = Change::of(33.0, 28.0);
        assert_eq!(c.direction, Direction::Up);
        assert_eq!(c.diff, 5.0);
        assert!((c.percent.unwrap() - 17.857).abs() < 0.01);
        let c = Change::of(17.0, 20.0);
        assert_eq!(c.direction, Direction::Down);
        assert!((c.percent.unwrap() - 15.0).abs() < 1e-9);
        assert_eq!(Change::of(4.0, 4.0).direction, Direction::Same);
        assert_eq!(Change::of(4.0, 4.0).percent, Some(0.0));
    }

    #[test]
    fn a_zero_base_has_no_percentage() {
        let c = Change::of(5.0, 0.0);
        assert_eq!((c.direction, c.percent, c.diff), (Direction::Up, None, 5.0));
        let c = Change::of(0.0, 0.0);
        assert_eq!((c.direction, c.percent), (Direction::Same, None));
        assert_eq!(Change::of(f64::NAN, 3.0).percent, None);
    }

    proptest! {
        #[test]
        fn now_is_before_plus_the_change(now in 0u32..100_000, before in 0u32..100_000) {
            let c = Change::of(f64::from(now), f64::from(before));
            prop_assert_eq!(c.before + c.diff, c.now);
            prop_assert_eq!(c.percent.is_none(), before == 0);
            prop_assert!(c.percent.is_none_or(|p| p >= 0.0));
            prop_assert_eq!(c.direction == Direction::Up, now > before);
        }
    }
}

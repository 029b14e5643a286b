//! Vietnamese calendars, pure and without I/O: the lunar calendar as Vietnam keeps it
//! (new moons and solar terms reckoned at UTC+7, so Tết can differ from China's), the
//! public holidays of a year under the Labour Code 2019 Art. 112 (Tết and the Hùng
//! Kings' day computed from the lunar calendar), and working-day arithmetic over a
//! calendar the administrator can adjust (extra days off, make-up working days).

pub mod holidays;
pub mod lunar;
pub mod working;

pub use holidays::{public_holidays, Holiday, HolidayKind};
pub use lunar::{lunar_to_solar, solar_to_lunar, tet, LunarDate};
pub use working::{Adjustment, WorkingCalendar};

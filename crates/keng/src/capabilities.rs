//! The capabilities this binary is built with, in start order (a capability comes after
//! those it reads: the newsroom needs the accounts). Adding a capability is one line
//! here once its folder implements `platform::capability::Capability`; everything that
//! loops over capabilities (the server, the OpenAPI document, the demo, the menu, the
//! page cache, the event log) reads this list.

use crate::platform::capability::{self, Capability};
use crate::platform::config::Config;

/// Every capability, dependencies first.
pub static ALL: &[&dyn Capability] = &[
    &crate::accounts::Accounts,
    &crate::newsroom::Newsroom,
    &crate::press_desk::PressDesk,
    &crate::warnings::Warnings,
    &crate::scamcheck::ScamCheck,
    &crate::stats::Stats,
    &crate::coverage::Coverage,
];

/// Every capability.
pub fn all() -> &'static [&'static dyn Capability] {
    ALL
}

/// Reads and checks every capability's section of the configuration.
pub fn configure(config: &mut Config) -> Result<(), String> {
    for c in ALL {
        c.configure(config)?;
    }
    Ok(())
}

/// Installs the list process-wide (once, at start) for the shared surfaces.
pub fn install() {
    capability::install(ALL);
}

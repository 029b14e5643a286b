//! The capabilities this binary is built with, in menu order, and what each installs at
//! start (its description for the shared surfaces, its settings). Adding a capability
//! adds a line to each list here.

use crate::platform::capability::Capability;
use crate::platform::config::Config;

/// Every capability's description (see `platform::capability`).
pub fn all() -> Vec<Capability> {
    vec![crate::newsroom::CAPABILITY, crate::accounts::CAPABILITY]
}

/// Reads and checks every capability's section of the configuration.
pub fn configure(config: &mut Config) -> Result<(), String> {
    crate::newsroom::settings::install(config)?;
    Ok(())
}

/// Installs the descriptions process-wide (once, at start).
pub fn install() {
    crate::platform::capability::install(all());
}

//! The demo province (`keng serve --demo`): Công an tỉnh Thanh Hoá, modelled on the seed
//! report. Each capability loads its part (`Capability::demo`), in the list's order;
//! the whole is loaded only into a database without accounts.

use crate::platform::config::Config;
use crate::platform::db::Db;

/// The password of every demo account (printed when the demo is loaded).
pub const DEMO_PASSWORD: &str = "kengdemo2025";

/// Names the site after the demo province unless keng.toml names it, and lets the
/// press monitor read the press sites the demo serves on loopback.
pub fn configure(config: &mut Config) {
    if config.site_name == Config::default().site_name {
        config.site_name = "Công an tỉnh Thanh Hoá".into();
    }
    if config.province.is_empty() {
        config.province = "Thanh Hoá".into();
    }
    crate::coverage::settings::for_demo(config);
}

/// Loads the demo province if the database has no account yet.
pub async fn load(db: &Db, config: &Config) -> anyhow::Result<()> {
    let existing = db
        .fetch_one("SELECT COUNT(*) AS n FROM users", &[])
        .await?
        .i64("n")?;
    if existing > 0 {
        tracing::info!("database already has accounts: demo not loaded again");
        return Ok(());
    }
    for c in crate::capabilities::all() {
        c.demo(db, config).await?;
    }
    Ok(())
}

//! Queries of the accounts capability: units, press agencies, users and API tokens.
//! Every mutation runs in one transaction with its audit record and domain event.

use serde::Deserialize;

use crate::accounts::model::{Agency, Status, Unit, User};
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbResult};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{hash_secret, new_id, random_secret};
use crate::platform::permissions::Role;

mod api_tokens;
mod press_agencies;
mod units;
mod users;

pub use api_tokens::*;
pub use press_agencies::*;
pub use units::*;
pub use users::*;

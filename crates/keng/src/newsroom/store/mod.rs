//! Queries and the publication workflow of bulletins and incidents. Every change runs in
//! one transaction with its version row (for content), audit record and domain event.

use serde::Deserialize;

use super::model::{join_list, Bulletin, Incident, State, Version, AUDIENCES, KINDS};
use super::rules::{self, may_edit, owner_of};
use super::sanitize;
use super::visibility::{listing_filter, Viewer};
use crate::accounts::model::{Check, User};
use crate::accounts::store as accounts;
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::{self, now_ms};
use crate::platform::config::Config;
use crate::platform::db::{Conn, Db, DbResult, Tx, Value};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id};
use crate::platform::permissions::{allowed, Action, Owner, Role};

mod content;
mod incidents;
mod listing;
mod release;
mod workflow;

pub use content::*;
pub use incidents::*;
pub use listing::*;
pub use release::*;
pub use workflow::*;

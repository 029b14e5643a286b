//! This node's copies of what nearly every figures request reads first — the unit tree
//! and the catalogue of what is counted — served while no event about units or the
//! catalogue was committed on this node or seen in the log since they were read
//! (`events::generation_of`, read before the read): an edit shows at the next request
//! here, and on the other nodes as soon as their log follower sees it. Nothing here is
//! the only copy of anything; one process serves one database.

use std::sync::{Arc, Mutex, MutexGuard};

use super::catalogue::Catalogue;
use super::model::Units;
use crate::platform::db::Db;
use crate::platform::errors::AppResult;
use crate::platform::events::generation_of;

/// The kinds of entity the unit tree is read from.
const UNIT_KINDS: [&str; 1] = ["unit"];
/// The kinds of entity the catalogue is read from.
const CATALOGUE_KINDS: [&str; 2] = ["stat_field", "stat_measure"];

struct Stamped<T> {
    generation: u64,
    value: Arc<T>,
}

type Slot<T> = Mutex<Option<Stamped<T>>>;

static UNITS: Slot<Units> = Mutex::new(None);
static CATALOGUE: Slot<Catalogue> = Mutex::new(None);

fn lock<T>(slot: &Slot<T>) -> MutexGuard<'_, Option<Stamped<T>>> {
    match slot.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

fn cached<T>(slot: &Slot<T>, generation: u64) -> Option<Arc<T>> {
    lock(slot)
        .as_ref()
        .filter(|s| s.generation == generation)
        .map(|s| s.value.clone())
}

/// Keeps `value` read under `generation`, unless a copy read later is kept already.
fn keep<T>(slot: &Slot<T>, generation: u64, value: T) -> Arc<T> {
    let value = Arc::new(value);
    let mut kept = lock(slot);
    if kept.as_ref().is_none_or(|k| k.generation <= generation) {
        *kept = Some(Stamped {
            generation,
            value: value.clone(),
        });
    }
    value
}

/// The unit tree.
pub async fn units(db: &Db) -> AppResult<Arc<Units>> {
    let g = generation_of(&UNIT_KINDS);
    if let Some(u) = cached(&UNITS, g) {
        return Ok(u);
    }
    let fresh = Units::new(crate::accounts::store::list_units(db).await?);
    Ok(keep(&UNITS, g, fresh))
}

/// The catalogue of fields and measures.
pub async fn catalogue(db: &Db) -> AppResult<Arc<Catalogue>> {
    let g = generation_of(&CATALOGUE_KINDS);
    if let Some(c) = cached(&CATALOGUE, g) {
        return Ok(c);
    }
    let fresh = super::catalogue::load_fresh(db).await?;
    Ok(keep(&CATALOGUE, g, fresh))
}

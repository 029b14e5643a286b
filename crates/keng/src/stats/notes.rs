//! The data-quality notes of published figures: which notes, of which units, the
//! public's answer for a period names. `stat_note_spans` holds, per unit and note, the
//! first and last day a published figure carrying it starts on — a superset kept in the
//! transaction that publishes (spans only widen; a withdrawn or corrected figure leaves
//! its span, which the check below then finds empty). A period's notes are the spans
//! that reach into it and, for each, one probe of the published noted figures of that
//! unit inside the period (`stat_submissions_noted`): a few hundred index probes where a
//! scan of the period's figures read every one of them (17 k at 300 units and 58 days).
//! `keng stats rebuild` recomputes the spans from the figures.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use keng_stats::Period;

use super::model::{day_str, Units};
use super::visibility::{counted, Audience};
use crate::args;
use crate::platform::db::{Db, DbResult, Tx};

/// Widens the span of `note` for `unit` to take in figures starting from `first` to
/// `last` (days as stored, YYYY-MM-DD), in the caller's transaction.
pub async fn widen(tx: &mut Tx, unit: &str, note: &str, first: &str, last: &str) -> DbResult<()> {
    let changed = tx
        .execute(
            "UPDATE stat_note_spans
                SET first_from = CASE WHEN first_from < $3 THEN first_from ELSE $3 END,
                    last_from = CASE WHEN last_from > $4 THEN last_from ELSE $4 END
              WHERE unit_id = $1 AND note = $2",
            args![unit, note, first, last],
        )
        .await?;
    if changed == 0 {
        tx.execute(
            "INSERT INTO stat_note_spans (unit_id, note, first_from, last_from) VALUES ($1, $2, $3, $4)",
            args![unit, note, first, last],
        )
        .await?;
    }
    Ok(())
}

/// Recomputes every span from the figures (the demo's load, `keng stats rebuild`).
pub async fn rebuild(tx: &mut Tx) -> DbResult<()> {
    tx.execute("DELETE FROM stat_note_spans", &[]).await?;
    tx.execute(
        &format!(
            "INSERT INTO stat_note_spans (unit_id, note, first_from, last_from)
             SELECT s.unit_id, s.quality_note, MIN(s.period_from), MAX(s.period_from)
               FROM stat_submissions s
              WHERE s.quality_note IS NOT NULL AND {}
              GROUP BY s.unit_id, s.quality_note",
            counted(Audience::Public)
        ),
        &[],
    )
    .await?;
    Ok(())
}

/// The notes of the published figures whose whole period lies in `period`, of the
/// units in `members`: (note, the units' names joined), sorted by note.
pub async fn of_period(
    db: &Db,
    units: &Units,
    period: &Period,
    members: &[String],
) -> DbResult<Vec<(String, String)>> {
    let sql = format!(
        "SELECT n.unit_id, n.note FROM stat_note_spans n
          WHERE n.first_from <= $2 AND n.last_from >= $1
            AND EXISTS (SELECT 1 FROM stat_submissions s
                         WHERE s.unit_id = n.unit_id AND s.period_from >= $1 AND s.period_from <= $2
                           AND s.period_to <= $2 AND s.quality_note IS NOT NULL AND {}
                           AND s.quality_note = n.note)",
        counted(Audience::Public)
    );
    let rows = db
        .fetch_all(&sql, args![day_str(period.from), day_str(period.to)])
        .await?;
    let members: HashSet<&str> = members.iter().map(String::as_str).collect();
    let mut by_note: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &rows {
        let u = r.str("unit_id")?;
        if !members.contains(u.as_str()) {
            continue;
        }
        by_note
            .entry(r.str("note")?)
            .or_default()
            .insert(units.name(&u));
    }
    Ok(by_note
        .into_iter()
        .map(|(n, us)| (n, us.into_iter().collect::<Vec<_>>().join(", ")))
        .collect())
}

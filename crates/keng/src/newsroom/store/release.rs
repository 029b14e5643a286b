//! Release of published bulletins at their two moments (to accredited press, to the public after any embargo), and the next time one is due.

use super::*;

/// Marks the two moments of a published bulletin once each, with an event the
/// distribution follows: `bulletin.press_released` when accredited press may read it
/// (publication, or its scheduled time) and `bulletin.released` when the public may
/// (after any embargo; public audience only).
pub(super) async fn release_in(tx: &mut Tx, b: &Bulletin, now: i64) -> DbResult<bool> {
    let mut any = false;
    let moments = [
        (
            "press_released_at",
            "bulletin.press_released",
            b.press_time(),
        ),
        ("released_at", "bulletin.released", b.public_time()),
    ];
    for (column, kind, time) in moments {
        let Some(t) = time.filter(|t| *t <= now) else {
            continue;
        };
        let n = tx
            .execute(
                &format!("UPDATE bulletins SET {column} = $1 WHERE id = $2 AND {column} IS NULL AND state = 'published'"),
                args![t, &b.id],
            )
            .await?;
        if n == 1 {
            crate::platform::events::append(
                tx,
                kind,
                "bulletin",
                &b.id,
                None,
                &serde_json::json!({"id": b.id, "audience": b.audience, "at": t}),
            )
            .await?;
            any = true;
        }
    }
    Ok(any)
}

/// Releases every published bulletin whose schedule or embargo has passed (run every
/// second by the server; safe on several nodes: each release happens once).
pub async fn release_due(db: &Db) -> AppResult<usize> {
    let now = now_ms();
    let rows = db
        .fetch_all(
            "SELECT id FROM bulletins WHERE state = 'published' AND COALESCE(publish_at, 0) <= $1
               AND (press_released_at IS NULL
                    OR (released_at IS NULL AND audience = 'public' AND COALESCE(embargo_until, 0) <= $1))",
            args![now],
        )
        .await?;
    let mut released = 0;
    for r in rows {
        let id = r.str("id")?;
        let mut tx = db.begin().await?;
        let b = load_tx(&mut tx, &id).await?;
        if release_in(&mut tx, &b, now).await? {
            released += 1;
            recount_first_information(&mut tx, &b).await?;
        }
        tx.commit().await?;
    }
    Ok(released)
}

/// The earliest future time at which a published bulletin becomes due for release.
pub async fn next_release(db: &Db) -> AppResult<Option<i64>> {
    let now = now_ms();
    let row = db
        .fetch_one(
            "SELECT MIN(CASE WHEN press_released_at IS NULL THEN publish_at
                             WHEN audience = 'public' AND released_at IS NULL THEN embargo_until END) AS t
             FROM bulletins WHERE state = 'published' AND (press_released_at IS NULL OR released_at IS NULL)
               AND (COALESCE(publish_at, 0) > $1 OR COALESCE(embargo_until, 0) > $1)",
            args![now],
        )
        .await?;
    Ok(row.opt_i64("t")?)
}

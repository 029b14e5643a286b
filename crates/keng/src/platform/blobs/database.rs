//! The database backend of the blob store: a `blobs` row per file and its bytes in 1 MiB
//! `blob_chunks`, written in one transaction — every node of a cluster reads every file,
//! and a database backup holds them. Writers and orphan removal take the blob's row
//! first, so they never interleave.

use super::{io, sha_of};
use crate::args;
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbError};

/// Bytes per chunk.
pub const CHUNK: usize = 1 << 20;

/// Keeps `bytes`: their row is taken first (created, or locked and dated now), so two
/// writers of the same bytes — or a writer and an orphan's removal — go one after the
/// other; the chunks are then checked and (re)written only when they do not hold the
/// bytes. Their hash.
pub async fn put(db: &Db, bytes: &[u8]) -> std::io::Result<String> {
    put_tx(db, bytes).await.map_err(io)
}

async fn put_tx(db: &Db, bytes: &[u8]) -> Result<String, DbError> {
    let sha = sha_of(bytes);
    let now = now_ms();
    let mut tx = db.begin().await?;
    // Lock the row if it is there (a concurrent insert is waited for by the INSERT).
    let mut have = tx
        .execute(
            "UPDATE blobs SET created_at = $1 WHERE sha256 = $2",
            args![now, &sha],
        )
        .await?;
    if have == 0 {
        let n = tx
            .execute(
                "INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
                args![&sha, bytes.len() as i64, now],
            )
            .await?;
        if n == 0 {
            // Another writer inserted it meanwhile: take its row now.
            have = tx
                .execute(
                    "UPDATE blobs SET created_at = $1 WHERE sha256 = $2",
                    args![now, &sha],
                )
                .await?;
        }
    }
    // The row is ours. Chunks that already hold the bytes stay; others are replaced.
    let intact = have > 0 && {
        let rows = tx
            .fetch_all(
                "SELECT data FROM blob_chunks WHERE sha256 = $1 ORDER BY seq",
                args![&sha],
            )
            .await?;
        let mut h = <sha2::Sha256 as sha2::Digest>::new();
        for r in &rows {
            sha2::Digest::update(&mut h, r.opt_bytes("data")?.unwrap_or_default());
        }
        !rows.is_empty() && hex::encode(sha2::Digest::finalize(h)) == sha
    };
    if !intact {
        tx.execute("DELETE FROM blob_chunks WHERE sha256 = $1", args![&sha])
            .await?;
        tx.execute(
            "UPDATE blobs SET size = $1 WHERE sha256 = $2",
            args![bytes.len() as i64, &sha],
        )
        .await?;
        for (seq, chunk) in bytes.chunks(CHUNK).enumerate() {
            tx.execute(
                "INSERT INTO blob_chunks (sha256, seq, data) VALUES ($1, $2, $3)",
                args![&sha, seq as i64, chunk.to_vec()],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(sha)
}

/// The bytes stored under `sha` (None: not there).
pub async fn read(db: &Db, sha: &str) -> std::io::Result<Option<Vec<u8>>> {
    let rows = db
        .fetch_all(
            "SELECT data FROM blob_chunks WHERE sha256 = $1 ORDER BY seq",
            args![sha],
        )
        .await
        .map_err(io)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for r in rows {
        out.extend(r.opt_bytes("data").map_err(io)?.unwrap_or_default());
    }
    Ok(Some(out))
}

pub async fn exists(db: &Db, sha: &str) -> std::io::Result<bool> {
    Ok(db
        .fetch_optional("SELECT sha256 FROM blobs WHERE sha256 = $1", args![sha])
        .await
        .map_err(io)?
        .is_some())
}

pub async fn delete(db: &Db, sha: &str) -> std::io::Result<bool> {
    delete_if_older(db, sha, i64::MAX).await
}

/// Removes the blob unless it was stored (or stored again) at `cutoff` or later, in one
/// transaction holding its row: an upload of the same bytes either comes first (and
/// keeps it) or waits and stores it anew.
pub async fn delete_if_older(db: &Db, sha: &str, cutoff: i64) -> std::io::Result<bool> {
    let mut tx = db.begin().await.map_err(io)?;
    let mine = tx
        .execute(
            "UPDATE blobs SET size = size WHERE sha256 = $1 AND created_at < $2",
            args![sha, cutoff],
        )
        .await
        .map_err(io)?;
    if mine == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM blob_chunks WHERE sha256 = $1", args![sha])
        .await
        .map_err(io)?;
    tx.execute("DELETE FROM blobs WHERE sha256 = $1", args![sha])
        .await
        .map_err(io)?;
    tx.commit().await.map_err(io)?;
    Ok(true)
}

pub async fn stored_at(db: &Db, sha: &str) -> std::io::Result<Option<i64>> {
    Ok(db
        .fetch_optional("SELECT created_at FROM blobs WHERE sha256 = $1", args![sha])
        .await
        .map_err(io)?
        .and_then(|r| r.i64("created_at").ok()))
}

pub async fn list(db: &Db) -> std::io::Result<Vec<String>> {
    Ok(db
        .fetch_all("SELECT sha256 FROM blobs ORDER BY sha256", args![])
        .await
        .map_err(io)?
        .iter()
        .filter_map(|r| r.str("sha256").ok())
        .filter(|s| crate::platform::files::is_sha(s))
        .collect())
}

//! The database backend of the blob store: a `blobs` row per file and its bytes in 1 MiB
//! `blob_chunks`, written in one transaction — every node of a cluster reads every file,
//! and a database backup holds them.

use super::{io, sha_of};
use crate::args;
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbError};

/// Bytes per chunk.
pub const CHUNK: usize = 1 << 20;

/// Writes `bytes` (replacing a damaged copy's chunks); their hash.
pub async fn put(db: &Db, bytes: &[u8]) -> std::io::Result<String> {
    put_tx(db, bytes).await.map_err(io)
}

async fn put_tx(db: &Db, bytes: &[u8]) -> Result<String, DbError> {
    let sha = sha_of(bytes);
    let mut tx = db.begin().await?;
    tx.execute("DELETE FROM blob_chunks WHERE sha256 = $1", args![&sha])
        .await?;
    tx.execute("DELETE FROM blobs WHERE sha256 = $1", args![&sha])
        .await?;
    // The row first: a second writer of the same bytes waits on it, then finds it there.
    let n = tx
        .execute(
            "INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
            args![&sha, bytes.len() as i64, now_ms()],
        )
        .await?;
    if n == 1 {
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
    let mut tx = db.begin().await.map_err(io)?;
    tx.execute("DELETE FROM blob_chunks WHERE sha256 = $1", args![sha])
        .await
        .map_err(io)?;
    let n = tx
        .execute("DELETE FROM blobs WHERE sha256 = $1", args![sha])
        .await
        .map_err(io)?;
    tx.commit().await.map_err(io)?;
    Ok(n == 1)
}

pub async fn stored_at(db: &Db, sha: &str) -> std::io::Result<Option<i64>> {
    Ok(db
        .fetch_optional("SELECT created_at FROM blobs WHERE sha256 = $1", args![sha])
        .await
        .map_err(io)?
        .and_then(|r| r.i64("created_at").ok()))
}

pub async fn touch(db: &Db, sha: &str) -> std::io::Result<()> {
    db.execute(
        "UPDATE blobs SET created_at = $1 WHERE sha256 = $2",
        args![now_ms(), sha],
    )
    .await
    .map(|_| ())
    .map_err(io)
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

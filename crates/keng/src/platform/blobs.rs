//! The blob store seam, beside the database seam: files (attachments of bulletins, a
//! request's letters and answers…) put, read, checked and removed by the SHA-256 of their
//! bytes, in one of two backends chosen in `keng.toml` (`[files] store`):
//!
//! - `local`: the data directory (`files/ab/abcdef…`), written to a temporary file, fsynced
//!   and renamed — one node, nothing to run; the default on SQLite.
//! - `database`: the database itself, in 1 MiB chunks written in one transaction with the
//!   blob's row, so every node of a cluster reads every file and a database backup holds
//!   them; the default on PostgreSQL. Files stored in the data directory before are still
//!   read from there (`keng files migrate` moves them).
//!
//! A blob read back is checked against its hash: bytes that do not match are never served
//! (and `keng files verify` reports them). Capabilities decide who may read a file; this
//! module only keeps bytes.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::db::{Backend, Db};
use super::files::{is_sha, path_of};
use super::ids::new_id;
use crate::args;

/// Bytes per chunk in the database.
pub const CHUNK: usize = 1 << 20;

/// Where blobs live.
#[derive(Clone)]
pub enum BlobStore {
    Local(PathBuf),
    Database { db: Db, legacy: PathBuf },
}

/// The backends `[files] store` may name.
pub const KINDS: [&str; 2] = ["local", "database"];

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// The SHA-256 of bytes, as 64 lowercase hex digits.
pub fn sha_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl BlobStore {
    /// The store `kind` names ("" or "auto": `local` on SQLite, `database` on PostgreSQL).
    pub fn open(kind: &str, db: &Db, data_dir: &Path) -> Result<BlobStore, String> {
        let kind = match kind.trim() {
            "" | "auto" => match db.backend() {
                Backend::Sqlite => "local",
                Backend::Postgres => "database",
            },
            k => k,
        };
        match kind {
            "local" => Ok(BlobStore::Local(data_dir.to_path_buf())),
            "database" => Ok(BlobStore::Database {
                db: db.clone(),
                legacy: data_dir.to_path_buf(),
            }),
            other => Err(format!(
                "[files] store = \"{other}\": choose local or database"
            )),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            BlobStore::Local(_) => "local",
            BlobStore::Database { .. } => "database",
        }
    }

    /// Keeps `bytes`; their hash. Storing the same bytes twice keeps one copy (and marks
    /// it stored now); a stored copy that no longer matches its hash is replaced.
    pub async fn put(&self, bytes: Vec<u8>) -> std::io::Result<String> {
        let sha = sha_of(&bytes);
        if self.get_own(&sha).await.is_some() {
            self.touch(&sha).await?;
            return Ok(sha);
        }
        match self {
            BlobStore::Local(dir) => {
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || put_local(&dir, &bytes))
                    .await
                    .map_err(io)?
            }
            BlobStore::Database { db, .. } => put_db(db, &bytes).await.map_err(io),
        }
    }

    /// The bytes of a blob, checked against its hash (None: absent or damaged); with the
    /// database store, a file still in this node's data directory (stored before the
    /// switch) is read from there.
    pub async fn get(&self, sha: &str) -> Option<Vec<u8>> {
        if let Some(b) = self.get_own(sha).await {
            return Some(b);
        }
        match self {
            BlobStore::Database { legacy, .. } if is_sha(sha) => read_local(legacy, sha)
                .await
                .filter(|b| intact(b, sha, "local")),
            _ => None,
        }
    }

    /// The bytes of a blob from this store itself (no fallback), checked against its hash.
    pub async fn get_own(&self, sha: &str) -> Option<Vec<u8>> {
        if !is_sha(sha) {
            return None;
        }
        let bytes = match self {
            BlobStore::Local(dir) => read_local(dir, sha).await,
            BlobStore::Database { db, .. } => match read_db(db, sha).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "reading a blob from the database failed");
                    None
                }
            },
        }?;
        intact(&bytes, sha, self.name()).then_some(bytes)
    }

    /// Whether the store holds the blob (without reading it).
    pub async fn exists(&self, sha: &str) -> bool {
        if !is_sha(sha) {
            return false;
        }
        match self {
            BlobStore::Local(dir) => tokio::fs::metadata(path_of(dir, sha)).await.is_ok(),
            BlobStore::Database { db, .. } => db
                .fetch_optional("SELECT sha256 FROM blobs WHERE sha256 = $1", args![sha])
                .await
                .ok()
                .flatten()
                .is_some(),
        }
    }

    /// Removes a blob (orphans only: the caller checked nothing names it); whether it
    /// was there to remove.
    pub async fn delete(&self, sha: &str) -> std::io::Result<bool> {
        if !is_sha(sha) {
            return Ok(false);
        }
        match self {
            BlobStore::Local(dir) => match tokio::fs::remove_file(path_of(dir, sha)).await {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(e),
            },
            BlobStore::Database { db, .. } => {
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
        }
    }

    /// When a blob was last stored (ms; a new upload of the same bytes counts), if known:
    /// orphans younger than a grace period are never removed (an upload in flight has
    /// its blob before its row).
    pub async fn stored_at(&self, sha: &str) -> Option<i64> {
        if !is_sha(sha) {
            return None;
        }
        match self {
            BlobStore::Local(dir) => tokio::fs::metadata(path_of(dir, sha))
                .await
                .ok()?
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_millis() as i64),
            BlobStore::Database { db, .. } => db
                .fetch_optional("SELECT created_at FROM blobs WHERE sha256 = $1", args![sha])
                .await
                .ok()
                .flatten()
                .and_then(|r| r.i64("created_at").ok()),
        }
    }

    /// Marks an intact blob as stored now (a new upload of the same bytes).
    async fn touch(&self, sha: &str) -> std::io::Result<()> {
        match self {
            BlobStore::Local(dir) => {
                let path = path_of(dir, sha);
                tokio::task::spawn_blocking(move || {
                    std::fs::File::options()
                        .write(true)
                        .open(path)?
                        .set_modified(std::time::SystemTime::now())
                })
                .await
                .map_err(io)?
            }
            BlobStore::Database { db, .. } => db
                .execute(
                    "UPDATE blobs SET created_at = $1 WHERE sha256 = $2",
                    args![super::clock::now_ms(), sha],
                )
                .await
                .map(|_| ())
                .map_err(io),
        }
    }

    /// Every blob the store holds, by hash.
    pub async fn list(&self) -> std::io::Result<Vec<String>> {
        match self {
            BlobStore::Local(dir) => {
                let dir = dir.join("files");
                tokio::task::spawn_blocking(move || list_local(&dir))
                    .await
                    .map_err(io)?
            }
            BlobStore::Database { db, .. } => Ok(db
                .fetch_all("SELECT sha256 FROM blobs ORDER BY sha256", args![])
                .await
                .map_err(io)?
                .iter()
                .filter_map(|r| r.str("sha256").ok())
                .filter(|s| is_sha(s))
                .collect()),
        }
    }

    /// Writes and reads back a small probe (`keng check`, readiness).
    pub async fn check(&self) -> Result<(), String> {
        let probe = format!("keng blob store probe {}", new_id()).into_bytes();
        let sha = self.put(probe.clone()).await.map_err(|e| e.to_string())?;
        let back = self.get(&sha).await;
        let _ = self.delete(&sha).await;
        if back.as_deref() == Some(probe.as_slice()) {
            Ok(())
        } else {
            Err(format!(
                "the {} blob store did not give back what it was given",
                self.name()
            ))
        }
    }
}

/// Whether bytes match the hash they are stored under (logged when not).
fn intact(bytes: &[u8], sha: &str, store: &str) -> bool {
    let ok = sha_of(bytes) == sha;
    if !ok {
        tracing::warn!(sha, store, "a blob does not match its hash: not served");
    }
    ok
}

fn put_local(dir: &Path, bytes: &[u8]) -> std::io::Result<String> {
    use std::io::Write;
    // The caller found no intact copy: write one (replacing a damaged one).
    let sha = sha_of(bytes);
    let target = path_of(dir, &sha);
    let parent = target
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join("files"));
    std::fs::create_dir_all(&parent)?;
    let tmp = parent.join(format!(".{}.part", new_id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, &target)?;
    Ok(sha)
}

async fn read_local(dir: &Path, sha: &str) -> Option<Vec<u8>> {
    tokio::fs::read(path_of(dir, sha)).await.ok()
}

fn list_local(files: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir(files) else {
        return Ok(out);
    };
    for d in dirs.flatten() {
        let prefix = d.file_name().to_string_lossy().to_string();
        // Only real folders of this store (a symlink is not followed).
        if !d.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if let Ok(entries) = std::fs::read_dir(d.path()) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                // A blob is where its hash puts it, a regular file.
                if is_sha(&name)
                    && name.get(..2) == Some(prefix.as_str())
                    && e.file_type().is_ok_and(|t| t.is_file())
                {
                    out.push(name);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

async fn put_db(db: &Db, bytes: &[u8]) -> Result<String, super::db::DbError> {
    let sha = sha_of(bytes);
    let mut tx = db.begin().await?;
    // The caller found no intact copy: a damaged one's chunks go first.
    tx.execute("DELETE FROM blob_chunks WHERE sha256 = $1", args![&sha])
        .await?;
    tx.execute("DELETE FROM blobs WHERE sha256 = $1", args![&sha])
        .await?;
    // The row first: a second writer of the same bytes waits on it, then finds it there.
    let n = tx
        .execute(
            "INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
            args![&sha, bytes.len() as i64, super::clock::now_ms()],
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

async fn read_db(db: &Db, sha: &str) -> Result<Option<Vec<u8>>, super::db::DbError> {
    let rows = db
        .fetch_all(
            "SELECT data FROM blob_chunks WHERE sha256 = $1 ORDER BY seq",
            args![sha],
        )
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for r in rows {
        out.extend(r.opt_bytes("data")?.unwrap_or_default());
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_storage_is_content_addressed_and_complete() {
        let dir = std::env::temp_dir().join(format!("keng-blobs-{}", new_id()));
        let a = put_local(&dir, b"%PDF-1.4 hello").unwrap_or_default();
        let b = put_local(&dir, b"%PDF-1.4 hello").unwrap_or_default();
        assert_eq!(a, b);
        assert_eq!(a, sha_of(b"%PDF-1.4 hello"));
        assert_eq!(
            std::fs::read(path_of(&dir, &a)).unwrap_or_default(),
            b"%PDF-1.4 hello"
        );
        let leftovers = std::fs::read_dir(path_of(&dir, &a).parent().unwrap_or(&dir))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(leftovers, 1, "no temporary files left");
        assert_eq!(list_local(&dir.join("files")).unwrap_or_default(), vec![a]);
        let _ = std::fs::remove_dir_all(dir);
    }
}

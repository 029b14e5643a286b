//! The blob store seam, beside the database seam: files (attachments of bulletins, a
//! request's letters and answers…) put, read, checked and removed by the SHA-256 of their
//! bytes, in one of three backends chosen in `keng.toml` (`[files] store`):
//!
//! - `local` ([`local`]): the data directory — one node, nothing to run; the default on
//!   SQLite.
//! - `database` ([`database`]): the database itself, in 1 MiB chunks, so every node of a
//!   cluster reads every file and a database backup holds them; the default on PostgreSQL.
//! - `s3` ([`s3`]): an S3-compatible object store (`[files.s3]`), for deployments that run
//!   one.
//!
//! With `database` or `s3`, files stored in this node's data directory before the switch
//! are still read from there (`keng files migrate` moves them).
//!
//! A blob read back is checked against its hash: bytes that do not match are never served
//! (and `keng files verify` reports them). A store that cannot be reached or written gives
//! an error, never a half-stored file: handlers answer 503 ([`BlobStore::keep`],
//! [`BlobStore::fetch`]) and `/readyz` fails ([`BlobStore::ready`]). Capabilities decide
//! who may read a file; this module only keeps bytes.

pub mod database;
pub mod local;
pub mod s3;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::config::FilesConfig;
use super::db::{Backend, Db};
use super::errors::{AppError, AppResult};
use super::files::is_sha;
use super::ids::new_id;

/// The backends `[files] store` may name.
pub const KINDS: [&str; 3] = ["local", "database", "s3"];

#[derive(Clone)]
enum Backing {
    Local(PathBuf),
    Database(Db),
    S3(s3::S3),
}

impl Backing {
    /// The `local` or `s3` store `kind` names (None for any other kind).
    fn outside_database(
        kind: &str,
        files: &FilesConfig,
        data_dir: &Path,
    ) -> Result<Option<Backing>, String> {
        Ok(match kind {
            "local" => Some(Backing::Local(data_dir.to_path_buf())),
            "s3" => Some(Backing::S3(s3::S3::open(&files.s3)?)),
            _ => None,
        })
    }
}

/// Where blobs live, and this node's last readiness probe of it.
#[derive(Clone)]
pub struct BlobStore {
    backing: Backing,
    /// This node's data directory: files stored there before a switch are still read.
    legacy: PathBuf,
    probe: Arc<Mutex<Option<Probe>>>,
}

/// When this node last probed the store, and what it found.
type Probe = (Instant, Result<(), String>);

/// How long a readiness probe's answer is reused (a load balancer asks every few seconds).
const PROBE_TTL: Duration = Duration::from_secs(5);
/// A probe that takes longer than this fails.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// The SHA-256 of bytes, as 64 lowercase hex digits.
pub fn sha_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl BlobStore {
    /// The store `kind` names ("" or "auto": `local` on SQLite, `database` on
    /// PostgreSQL; `s3` with the settings of `files.s3`).
    pub fn open(
        kind: &str,
        files: &FilesConfig,
        db: &Db,
        data_dir: &Path,
    ) -> Result<BlobStore, String> {
        let kind = match kind.trim() {
            "" | "auto" => match db.backend() {
                Backend::Sqlite => "local",
                Backend::Postgres => "database",
            },
            k => k,
        };
        let backing = match kind {
            "database" => Backing::Database(db.clone()),
            other => Backing::outside_database(other, files, data_dir)?.ok_or_else(|| {
                format!("[files] store = \"{other}\": choose local, database or s3")
            })?,
        };
        Ok(BlobStore::of(backing, data_dir))
    }

    fn of(backing: Backing, data_dir: &Path) -> BlobStore {
        BlobStore {
            backing,
            legacy: data_dir.to_path_buf(),
            probe: Arc::new(Mutex::new(None)),
        }
    }

    /// The configured store when it is not the database (`local`, `s3`), so that it can
    /// be checked before there is a database; None for the database store.
    pub fn outside_database(
        files: &FilesConfig,
        data_dir: &Path,
    ) -> Result<Option<BlobStore>, String> {
        Ok(
            Backing::outside_database(files.store.trim(), files, data_dir)?
                .map(|b| BlobStore::of(b, data_dir)),
        )
    }

    /// The configured store (`[files] store`).
    pub fn configured(files: &FilesConfig, db: &Db, data_dir: &Path) -> Result<BlobStore, String> {
        BlobStore::open(&files.store, files, db, data_dir)
    }

    pub fn name(&self) -> &'static str {
        match &self.backing {
            Backing::Local(_) => "local",
            Backing::Database(_) => "database",
            Backing::S3(_) => "s3",
        }
    }

    /// Which store and where, for messages: "local store in /data/files", "database
    /// store", "s3 store in bucket/prefix".
    pub fn describe(&self) -> String {
        match &self.backing {
            Backing::Local(d) => format!("local store in {}", d.join("files").display()),
            Backing::Database(_) => "database store".into(),
            Backing::S3(s) => format!("s3 store in {}", s.label),
        }
    }

    /// Keeps `bytes`; their hash. Storing the same bytes twice keeps one copy (and marks
    /// it stored now); a stored copy that no longer matches its hash is replaced. An
    /// error means nothing usable was stored.
    pub async fn put(&self, bytes: Vec<u8>) -> std::io::Result<String> {
        let sha = sha_of(&bytes);
        match &self.backing {
            // A PUT replaces the object whole and dates it now.
            Backing::S3(s) => s.put(bytes).await,
            Backing::Local(dir) => {
                if self.read_own(&sha).await?.is_some() {
                    match local::touch(dir, &sha).await {
                        Ok(()) => return Ok(sha),
                        // Removed meanwhile (an orphan's removal): write it anew.
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e),
                    }
                }
                local::put(dir, bytes).await
            }
            // Checks, dates and (re)writes under the blob's row, in one transaction.
            Backing::Database(db) => database::put(db, &bytes).await,
        }
    }

    /// [`put`](Self::put) for a request handler: a store that is down or full is a 503
    /// in the user's language.
    pub async fn keep(&self, bytes: Vec<u8>) -> AppResult<String> {
        self.put(bytes).await.map_err(|e| {
            tracing::error!(error = %e, store = self.name(), "storing a file failed");
            self.forget_probe();
            AppError::Unavailable("err.files_unavailable")
        })
    }

    /// The bytes of a blob, checked against its hash (None: absent or damaged); files
    /// still in this node's data directory from before a switch are read from there.
    pub async fn read(&self, sha: &str) -> std::io::Result<Option<Vec<u8>>> {
        if let Some(b) = self.read_own(sha).await? {
            return Ok(Some(b));
        }
        match &self.backing {
            Backing::Local(_) => Ok(None),
            _ => Ok(local::read(&self.legacy, sha)
                .await
                .ok()
                .flatten()
                .filter(|b| intact(b, sha, "local"))),
        }
    }

    /// [`read`](Self::read) for a request handler: 404 when absent or damaged, 503 when
    /// the store cannot be reached.
    pub async fn fetch(&self, sha: &str) -> AppResult<Vec<u8>> {
        match self.read(sha).await {
            Ok(Some(b)) => Ok(b),
            Ok(None) => Err(AppError::NotFound),
            Err(e) => {
                tracing::error!(error = %e, store = self.name(), "reading a file failed");
                self.forget_probe();
                Err(AppError::Unavailable("err.files_unavailable"))
            }
        }
    }

    /// The bytes of a blob from this store itself (no fallback), checked against its hash.
    pub async fn read_own(&self, sha: &str) -> std::io::Result<Option<Vec<u8>>> {
        if !is_sha(sha) {
            return Ok(None);
        }
        let bytes = match &self.backing {
            Backing::Local(dir) => local::read(dir, sha).await?,
            Backing::Database(db) => database::read(db, sha).await?,
            Backing::S3(s) => s.read(sha).await?,
        };
        Ok(bytes.filter(|b| intact(b, sha, self.name())))
    }

    /// Whether the store holds the blob (without reading or checking it).
    pub async fn exists(&self, sha: &str) -> std::io::Result<bool> {
        if !is_sha(sha) {
            return Ok(false);
        }
        match &self.backing {
            Backing::Local(dir) => local::exists(dir, sha).await,
            Backing::Database(db) => database::exists(db, sha).await,
            Backing::S3(s) => s.exists(sha).await,
        }
    }

    /// Removes a blob (orphans only: the caller checked nothing names it); whether it
    /// was there to remove.
    pub async fn delete(&self, sha: &str) -> std::io::Result<bool> {
        if !is_sha(sha) {
            return Ok(false);
        }
        match &self.backing {
            Backing::Local(dir) => local::delete(dir, sha).await,
            Backing::Database(db) => database::delete(db, sha).await,
            Backing::S3(s) => s.delete(sha).await,
        }
    }

    /// Removes an orphan unless it was stored (or stored again) at `cutoff` or later —
    /// without racing an upload of the same bytes (see each backend).
    pub async fn delete_if_older(&self, sha: &str, cutoff: i64) -> std::io::Result<bool> {
        if !is_sha(sha) {
            return Ok(false);
        }
        match &self.backing {
            Backing::Local(dir) => local::delete_if_older(dir, sha, cutoff).await,
            Backing::Database(db) => database::delete_if_older(db, sha, cutoff).await,
            Backing::S3(s) => s.delete_if_older(sha, cutoff).await,
        }
    }

    /// When a blob was last stored (ms; a new upload of the same bytes counts), if known:
    /// orphans younger than a grace period are never removed (an upload in flight has
    /// its blob before its row).
    pub async fn stored_at(&self, sha: &str) -> std::io::Result<Option<i64>> {
        if !is_sha(sha) {
            return Ok(None);
        }
        match &self.backing {
            Backing::Local(dir) => local::stored_at(dir, sha).await,
            Backing::Database(db) => database::stored_at(db, sha).await,
            Backing::S3(s) => s.stored_at(sha).await,
        }
    }

    /// Every blob the store holds, by hash, sorted.
    pub async fn list(&self) -> std::io::Result<Vec<String>> {
        match &self.backing {
            Backing::Local(dir) => local::list(dir).await,
            Backing::Database(db) => database::list(db).await,
            Backing::S3(s) => s.list().await,
        }
    }

    /// Writes, reads back and removes a small probe (`keng check`, readiness).
    pub async fn check(&self) -> Result<(), String> {
        let probe = format!("keng blob store probe {}", new_id()).into_bytes();
        let sha = self.put(probe.clone()).await.map_err(|e| e.to_string())?;
        let back = self.read_own(&sha).await.map_err(|e| e.to_string())?;
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

    /// Whether the store takes and gives back files now (`/readyz`): a probe at most
    /// every few seconds per node, bounded in time; a failed upload or read clears it.
    pub async fn ready(&self) -> Result<(), String> {
        if let Ok(g) = self.probe.lock() {
            if let Some((at, r)) = g.as_ref() {
                if at.elapsed() < PROBE_TTL {
                    return r.clone();
                }
            }
        }
        let r = match tokio::time::timeout(PROBE_TIMEOUT, self.check()).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "the {} blob store did not answer in time",
                self.name()
            )),
        };
        if let Ok(mut g) = self.probe.lock() {
            *g = Some((Instant::now(), r.clone()));
        }
        r
    }

    fn forget_probe(&self) {
        if let Ok(mut g) = self.probe.lock() {
            *g = None;
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

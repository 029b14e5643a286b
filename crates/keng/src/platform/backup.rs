//! Backups that hold everything a restore needs, and the restore.
//!
//! `keng backup DIR` writes, while the server keeps serving:
//! - the database: on SQLite a `VACUUM INTO` copy (one transaction's snapshot, taken on a
//!   read connection, so writers go on); on PostgreSQL a `pg_dump --format=custom`;
//! - the files: every stored and every referenced blob, under `files/ab/abcdef…`, each
//!   read back intact from the store — except with `[files] store = "database"`, where
//!   they are inside the database copy already;
//! - `keng.toml`, when the data directory has one;
//! - `manifest.json` last (fsynced): the format, what was copied and each file's hash and
//!   size. A folder without a manifest is not a backup.
//!
//! The database copy is taken first: a row in it names a blob stored before the row was
//! committed (uploads store the file, then the row), and blobs are never removed except as
//! orphans an hour old, so the files copied after it cover every row in it.
//!
//! `keng restore DIR` checks every file against the manifest before touching anything,
//! then refuses a place that is not empty (a data directory with a database, a PostgreSQL
//! database with tables), puts the database back (`pg_restore` on PostgreSQL) and the
//! caller stores the files in the configured store.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::blobs::{sha_of, BlobStore};
use super::db::{Db, Location};
use super::files::{is_sha, path_of};

/// The manifest's format name.
pub const FORMAT: &str = "keng-backup/1";
pub const MANIFEST: &str = "manifest.json";
const SQLITE_COPY: &str = "keng.sqlite3";
const PG_COPY: &str = "keng.dump";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub keng_version: String,
    /// "sqlite" or "postgresql".
    pub backend: String,
    /// The database copy's file name in the folder, its SHA-256 and size.
    pub database: String,
    pub database_sha256: String,
    pub database_size: u64,
    /// The store the files were read from.
    pub files_store: String,
    /// True when the files are inside the database copy (store = "database").
    pub files_in_database: bool,
    pub files: Vec<FileEntry>,
    /// Referenced files the store did not have intact when the backup was taken (see
    /// `keng files verify`): not in the backup.
    #[serde(default)]
    pub missing: Vec<String>,
    /// "keng.toml" when the configuration was copied.
    pub config: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
}

fn backend_name(location: &Location) -> &'static str {
    match location {
        Location::SqliteFile(_) => "sqlite",
        Location::Postgres(_) => "postgresql",
    }
}

/// An empty (or new) folder to write a backup into.
fn fresh_folder(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        anyhow::bail!(
            "{} is not empty; choose a new folder for the backup",
            dir.display()
        );
    }
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!(
            "{} is a file; choose a new folder for the backup",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    // The backup holds the whole database (accounts, keys): for its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// The SHA-256 and size of a file, read in blocks.
fn hash_file(path: &Path) -> anyhow::Result<(String, u64)> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((hex::encode(h.finalize()), size))
}

/// Writes the database copy into `dir`; its file name.
async fn copy_database(db: &Db, location: &Location, dir: &Path) -> anyhow::Result<String> {
    match (db, location) {
        (Db::Sqlite { read, .. }, _) => {
            let target = dir.join(SQLITE_COPY);
            let path = target.to_string_lossy().to_string();
            sqlx::query("VACUUM INTO $1")
                .bind(&path)
                .execute(read)
                .await?;
            std::fs::File::open(&target)?.sync_all()?;
            Ok(SQLITE_COPY.into())
        }
        (Db::Postgres(_), Location::Postgres(url)) => {
            let target = dir.join(PG_COPY);
            let out = tokio::process::Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--no-owner")
                .arg(format!("--file={}", target.display()))
                .arg(format!("--dbname={url}"))
                .output()
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "pg_dump could not be started ({e}); install PostgreSQL's client tools (the version of the server or newer)"
                    )
                })?;
            if !out.status.success() {
                anyhow::bail!("pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
            }
            std::fs::File::open(&target)?.sync_all()?;
            Ok(PG_COPY.into())
        }
        (Db::Postgres(_), Location::SqliteFile(_)) => {
            anyhow::bail!("a PostgreSQL database opened from a SQLite location")
        }
    }
}

/// `keng backup DIR`: the database, the files and the configuration, then the manifest.
/// `progress(done, total)` follows the files.
pub async fn backup(
    db: &Db,
    location: &Location,
    blobs: &BlobStore,
    data_dir: &Path,
    dir: &Path,
    progress: impl Fn(usize, usize),
) -> anyhow::Result<Manifest> {
    fresh_folder(dir)?;
    match write_backup(db, location, blobs, data_dir, dir, progress).await {
        Ok(m) => Ok(m),
        Err(e) => {
            // A folder without a manifest is not a backup: leave none behind.
            let _ = std::fs::remove_dir_all(dir);
            Err(e)
        }
    }
}

async fn write_backup(
    db: &Db,
    location: &Location,
    blobs: &BlobStore,
    data_dir: &Path,
    dir: &Path,
    progress: impl Fn(usize, usize),
) -> anyhow::Result<Manifest> {
    let database = copy_database(db, location, dir).await?;
    let (database_sha256, database_size) = hash_file(&dir.join(&database))?;
    let config = data_dir.join("keng.toml");
    let config = if config.is_file() {
        std::fs::copy(&config, dir.join("keng.toml"))?;
        Some("keng.toml".to_string())
    } else {
        None
    };
    let files_in_database = blobs.name() == "database";
    let mut shas = super::capability::referenced_blobs(db).await?;
    shas.extend(blobs.list().await?);
    let total = shas.len();
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for (i, sha) in shas.iter().enumerate() {
        progress(i, total);
        // In the database copy already, unless only in this node's data directory.
        if files_in_database && blobs.read_own(sha).await?.is_some() {
            continue;
        }
        let Some(bytes) = blobs.read(sha).await? else {
            // Missing or damaged: the manifest and the summary name it; the backup goes on.
            missing.push(sha.clone());
            continue;
        };
        let target = path_of(dir, sha);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut f = std::fs::File::create(&target)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        files.push(FileEntry {
            sha256: sha.clone(),
            size: bytes.len() as u64,
        });
    }
    progress(total, total);
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: chrono::Utc::now().to_rfc3339(),
        keng_version: env!("CARGO_PKG_VERSION").into(),
        backend: backend_name(location).into(),
        database,
        database_sha256,
        database_size,
        files_store: blobs.name().into(),
        files_in_database,
        files,
        missing,
        config,
    };
    let tmp = dir.join(".manifest.json.part");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    f.sync_all()?;
    std::fs::rename(&tmp, dir.join(MANIFEST))?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(manifest)
}

/// The manifest of a backup folder, with every file it lists checked against its hash.
pub fn open_backup(dir: &Path) -> anyhow::Result<Manifest> {
    let text = std::fs::read(dir.join(MANIFEST)).map_err(|e| {
        anyhow::anyhow!(
            "{}: no readable {MANIFEST} ({e}); a backup folder written by `keng backup` has one",
            dir.display()
        )
    })?;
    let m: Manifest = serde_json::from_slice(&text)
        .map_err(|e| anyhow::anyhow!("{MANIFEST} is not a Kẻng backup manifest: {e}"))?;
    if m.format != FORMAT {
        anyhow::bail!("{MANIFEST}: format {} is not {FORMAT}", m.format);
    }
    if !matches!(m.database.as_str(), SQLITE_COPY | PG_COPY) || !dir.join(&m.database).is_file() {
        anyhow::bail!("the database copy {} is missing", m.database);
    }
    if hash_file(&dir.join(&m.database))? != (m.database_sha256.clone(), m.database_size) {
        anyhow::bail!("the database copy {} in the backup is damaged", m.database);
    }
    for f in &m.files {
        if !is_sha(&f.sha256) {
            anyhow::bail!(
                "{MANIFEST} names a file that is not a SHA-256: {}",
                f.sha256
            );
        }
        let bytes = std::fs::read(path_of(dir, &f.sha256))
            .map_err(|e| anyhow::anyhow!("file {} is missing from the backup: {e}", f.sha256))?;
        if sha_of(&bytes) != f.sha256 || bytes.len() as u64 != f.size {
            anyhow::bail!("file {} in the backup is damaged", f.sha256);
        }
    }
    Ok(m)
}

/// Puts the backup's database in place of an empty one at `location`.
pub async fn restore_database(dir: &Path, m: &Manifest, location: &Location) -> anyhow::Result<()> {
    let copy: PathBuf = dir.join(&m.database);
    match location {
        Location::SqliteFile(target) => {
            if m.backend != "sqlite" {
                anyhow::bail!(
                    "this backup is of a {} database: restore it with --database-url",
                    m.backend
                );
            }
            if target.exists() {
                anyhow::bail!(
                    "{} exists: restore into an empty data directory",
                    target.display()
                );
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let tmp = target.with_extension("restoring");
            std::fs::copy(&copy, &tmp)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            // SQLite's own check, on the copy, before it takes the database's place.
            let check = integrity(&tmp).await;
            if let Err(e) = check {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
            std::fs::rename(&tmp, target)?;
            Ok(())
        }
        Location::Postgres(url) => {
            if m.backend != "postgresql" {
                anyhow::bail!(
                    "this backup is of a {} database: restore it into a data directory without --database-url",
                    m.backend
                );
            }
            let db = Db::open(location).await?;
            let tables = db
                .fetch_one(
                    "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
                    &[],
                )
                .await?
                .i64("n")?;
            db.close().await;
            if tables > 0 {
                anyhow::bail!("the database has {tables} tables: restore into an empty database");
            }
            let out = tokio::process::Command::new("pg_restore")
                .arg("--no-owner")
                .arg("--exit-on-error")
                .arg("--single-transaction")
                .arg(format!("--dbname={url}"))
                .arg(&copy)
                .output()
                .await
                .map_err(|e| anyhow::anyhow!("pg_restore could not be started ({e})"))?;
            if !out.status.success() {
                anyhow::bail!(
                    "pg_restore failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            Ok(())
        }
    }
}

/// `PRAGMA integrity_check` on a SQLite file, opened read-only.
async fn integrity(path: &Path) -> anyhow::Result<()> {
    use sqlx::{ConnectOptions, Row};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await?;
    let rows = sqlx::query("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| {
            anyhow::anyhow!("the database copy does not pass SQLite's integrity check: {e}")
        })?;
    let first: String = rows.first().map(|r| r.get(0)).unwrap_or_default();
    if first != "ok" {
        anyhow::bail!("the database copy does not pass SQLite's integrity check: {first}");
    }
    Ok(())
}

/// Stores the backup's files in `blobs`, each checked; how many.
pub async fn restore_files(
    dir: &Path,
    m: &Manifest,
    blobs: &BlobStore,
    progress: impl Fn(usize, usize),
) -> anyhow::Result<usize> {
    let total = m.files.len();
    for (i, f) in m.files.iter().enumerate() {
        progress(i, total);
        let bytes = std::fs::read(path_of(dir, &f.sha256))?;
        let sha = blobs.put(bytes).await?;
        if sha != f.sha256 || blobs.read_own(&sha).await?.is_none() {
            anyhow::bail!(
                "{}: the {} store did not keep it intact",
                f.sha256,
                blobs.name()
            );
        }
    }
    progress(total, total);
    Ok(total)
}

//! Online backups. SQLite: `VACUUM INTO` writes a consistent copy of the live database
//! while the server keeps serving (readers and writers continue; the copy is one
//! transaction's snapshot). PostgreSQL: we point to `pg_dump`, the tool made for it.

use std::path::Path;

use super::db::{Db, DbError};

pub enum BackupOutcome {
    Written(u64),
    UsePgDump(String),
}

pub async fn backup(db: &Db, target: &Path) -> Result<BackupOutcome, DbError> {
    match db {
        Db::Sqlite { read, .. } => {
            if target.exists() {
                return Err(DbError::Url(format!("{} already exists; choose a new file", target.display())));
            }
            let path = target.to_string_lossy().to_string();
            // VACUUM INTO reads in one transaction (a consistent snapshot) and works on a
            // read-only connection, so it never holds the write lock.
            sqlx::query("VACUUM INTO $1").bind(&path).execute(read).await?;
            let size = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
            Ok(BackupOutcome::Written(size))
        }
        Db::Postgres(_) => Ok(BackupOutcome::UsePgDump(
            "pg_dump --format=custom --file=keng.dump \"$KENG_DATABASE_URL\"   # restore: pg_restore --clean --dbname=URL keng.dump"
                .to_string(),
        )),
    }
}

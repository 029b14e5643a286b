//! The local backend of the blob store: `files/ab/abcdef…` under the data directory,
//! each written to a temporary file, fsynced and renamed into place (a reader sees the
//! whole file or none).

use std::path::{Path, PathBuf};

use super::{io, sha_of};
use crate::platform::files::{is_sha, path_of};
use crate::platform::ids::new_id;

/// Writes `bytes` under their hash (replacing a damaged copy); their hash.
pub async fn put(dir: &Path, bytes: Vec<u8>) -> std::io::Result<String> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || put_sync(&dir, &bytes))
        .await
        .map_err(io)?
}

fn put_sync(dir: &Path, bytes: &[u8]) -> std::io::Result<String> {
    use std::io::Write;
    let sha = sha_of(bytes);
    let target = path_of(dir, &sha);
    let parent = target
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join("files"));
    std::fs::create_dir_all(&parent)?;
    let tmp = parent.join(format!(".{}.part", new_id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &target)
    })();
    if written.is_err() {
        // A full disk leaves no half-written temporary file behind.
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    Ok(sha)
}

/// The bytes stored under `sha` (None: not there).
pub async fn read(dir: &Path, sha: &str) -> std::io::Result<Option<Vec<u8>>> {
    match tokio::fs::read(path_of(dir, sha)).await {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn exists(dir: &Path, sha: &str) -> std::io::Result<bool> {
    match tokio::fs::metadata(path_of(dir, sha)).await {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

pub async fn delete(dir: &Path, sha: &str) -> std::io::Result<bool> {
    match tokio::fs::remove_file(path_of(dir, sha)).await {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes the file unless it was written or touched at `cutoff` or later. It is first
/// renamed aside, then its time is read again: an upload that touched it before the
/// rename gets it back; one that comes after finds no file and writes it anew.
pub async fn delete_if_older(dir: &Path, sha: &str, cutoff: i64) -> std::io::Result<bool> {
    let path = path_of(dir, sha);
    if stored_at(dir, sha).await?.is_none_or(|t| t >= cutoff) {
        return Ok(false);
    }
    let aside = path.with_file_name(format!(".{sha}.{}.removing", new_id()));
    match tokio::fs::rename(&path, &aside).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    }
    let touched = tokio::fs::metadata(&aside)
        .await?
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .is_some_and(|d| d.as_millis() as i64 >= cutoff);
    if touched && !tokio::fs::try_exists(&path).await.unwrap_or(true) {
        tokio::fs::rename(&aside, &path).await?;
        return Ok(false);
    }
    tokio::fs::remove_file(&aside).await?;
    Ok(true)
}

/// When the file was last written or touched (ms).
pub async fn stored_at(dir: &Path, sha: &str) -> std::io::Result<Option<i64>> {
    match tokio::fs::metadata(path_of(dir, sha)).await {
        Ok(m) => Ok(m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as i64)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Marks the file as written now.
pub async fn touch(dir: &Path, sha: &str) -> std::io::Result<()> {
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

/// Every blob under `dir/files`, by hash, sorted.
pub async fn list(dir: &Path) -> std::io::Result<Vec<String>> {
    let files: PathBuf = dir.join("files");
    tokio::task::spawn_blocking(move || list_sync(&files))
        .await
        .map_err(io)?
}

fn list_sync(files: &Path) -> std::io::Result<Vec<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_storage_is_content_addressed_and_complete() {
        let dir = std::env::temp_dir().join(format!("keng-blobs-{}", new_id()));
        let a = put_sync(&dir, b"%PDF-1.4 hello").unwrap_or_default();
        let b = put_sync(&dir, b"%PDF-1.4 hello").unwrap_or_default();
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
        assert_eq!(list_sync(&dir.join("files")).unwrap_or_default(), vec![a]);
        let _ = std::fs::remove_dir_all(dir);
    }
}

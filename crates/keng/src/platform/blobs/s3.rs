//! The S3 backend of the blob store: any S3-compatible object store (MinIO, Garage, Ceph,
//! a cloud bucket) through the `object_store` crate. Objects are named
//! `{prefix}files/ab/abcdef…`; a PUT is atomic (an object is there whole or not at all),
//! so a content-addressed write needs no temporary name. Requests time out and retry a
//! little, then fail: a store that is down gives the uploader a clear error quickly.

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, PutPayload, RetryConfig};

use super::{io, sha_of};
use crate::platform::config::S3Config;
use crate::platform::files::is_sha;

/// A bucket (and a prefix in it) holding blobs.
#[derive(Clone)]
pub struct S3 {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    /// "bucket/prefix", for messages.
    pub label: String,
}

impl S3 {
    /// The bucket `[files.s3]` names; credentials from there or the usual AWS_*
    /// environment variables.
    pub fn open(c: &S3Config) -> Result<S3, String> {
        if c.bucket.trim().is_empty() {
            return Err("[files] store = \"s3\" needs [files.s3] bucket = \"…\"".into());
        }
        let endpoint = c.endpoint.trim();
        if !endpoint.is_empty() {
            let ok = url::Url::parse(endpoint).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
            if !ok {
                return Err(format!(
                    "[files.s3] endpoint = \"{endpoint}\": give an http:// or https:// address with a host"
                ));
            }
        }
        let plain_http = endpoint.starts_with("http://");
        let mut b = AmazonS3Builder::from_env()
            .with_bucket_name(c.bucket.trim())
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(Duration::from_secs(c.timeout_secs.max(1)))
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_allow_http(plain_http),
            )
            // Four retries with doubling back-off (about 1.5 s in all): a 500 or a reset
            // connection from a busy store is retried, a store that is down still fails
            // within seconds (the suite's S3 server refused concurrent writes of one
            // object under load after two).
            .with_retry(RetryConfig {
                max_retries: 4,
                retry_timeout: Duration::from_secs(10),
                backoff: Default::default(),
            });
        if !c.region.trim().is_empty() {
            b = b.with_region(c.region.trim());
        }
        if !c.endpoint.trim().is_empty() {
            // Self-hosted stores (MinIO, Garage, Ceph) address buckets by path.
            b = b
                .with_endpoint(c.endpoint.trim())
                .with_allow_http(plain_http)
                .with_virtual_hosted_style_request(false);
        }
        if !c.access_key_id.is_empty() {
            b = b.with_access_key_id(&c.access_key_id);
        }
        if !c.secret_access_key.is_empty() {
            b = b.with_secret_access_key(&c.secret_access_key);
        }
        let store = b.build().map_err(|e| format!("[files.s3]: {e}"))?;
        let prefix = c.prefix.trim().trim_matches('/').to_string();
        Ok(S3 {
            store: Arc::new(store),
            label: if prefix.is_empty() {
                c.bucket.trim().to_string()
            } else {
                format!("{}/{prefix}", c.bucket.trim())
            },
            prefix,
        })
    }

    fn files(&self) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from("files")
        } else {
            ObjectPath::from(format!("{}/files", self.prefix))
        }
    }

    fn path(&self, sha: &str) -> ObjectPath {
        let dir = sha.get(..2).unwrap_or("00");
        self.files().child(dir).child(sha)
    }

    /// Writes `bytes` under their hash (a rewrite of the same bytes marks them stored now).
    pub async fn put(&self, bytes: Vec<u8>) -> std::io::Result<String> {
        let sha = sha_of(&bytes);
        self.store
            .put(&self.path(&sha), PutPayload::from(bytes))
            .await
            .map_err(io)?;
        Ok(sha)
    }

    pub async fn read(&self, sha: &str) -> std::io::Result<Option<Vec<u8>>> {
        match self.store.get(&self.path(sha)).await {
            Ok(r) => Ok(Some(r.bytes().await.map_err(io)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    async fn head(&self, sha: &str) -> std::io::Result<Option<object_store::ObjectMeta>> {
        match self.store.head(&self.path(sha)).await {
            Ok(m) => Ok(Some(m)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    pub async fn exists(&self, sha: &str) -> std::io::Result<bool> {
        Ok(self.head(sha).await?.is_some())
    }

    pub async fn stored_at(&self, sha: &str) -> std::io::Result<Option<i64>> {
        Ok(self
            .head(sha)
            .await?
            .map(|m| m.last_modified.timestamp_millis()))
    }

    pub async fn delete(&self, sha: &str) -> std::io::Result<bool> {
        if !self.exists(sha).await? {
            return Ok(false);
        }
        self.store.delete(&self.path(sha)).await.map_err(io)?;
        Ok(true)
    }

    /// Removes the object unless it was written at `cutoff` or later. S3 has no
    /// conditional delete: an upload of the same bytes between the check and the delete
    /// (milliseconds) would lose its object — run orphan removal when nobody uploads.
    pub async fn delete_if_older(&self, sha: &str, cutoff: i64) -> std::io::Result<bool> {
        if self.stored_at(sha).await?.is_none_or(|t| t >= cutoff) {
            return Ok(false);
        }
        self.store.delete(&self.path(sha)).await.map_err(io)?;
        Ok(true)
    }

    pub async fn list(&self) -> std::io::Result<Vec<String>> {
        let files = self.files();
        let metas: Vec<object_store::ObjectMeta> = self
            .store
            .list(Some(&files))
            .try_collect()
            .await
            .map_err(io)?;
        let mut out: Vec<String> = metas
            .into_iter()
            .filter_map(|m| {
                let name = m.location.filename()?.to_string();
                // A blob is where its hash puts it.
                (is_sha(&name) && m.location == self.path(&name)).then_some(name)
            })
            .collect();
        out.sort();
        Ok(out)
    }
}

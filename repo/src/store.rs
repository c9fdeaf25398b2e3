//! A blocking object-store client: one [`Store`] per repository location. Keys are
//! `/`-separated and relative to the location (`s3://bucket/prefix` → keys under `prefix/`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

use crate::error::{transient, RepoError};
use crate::retry::RetryPolicy;

/// An object and its size, its key relative to the store's location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
}

/// How to reach a location. The access and secret key are values handed in by the caller
/// (the runtime reads them from the environment variables the policy names; the simulator
/// from the repository's properties); `Debug` never prints them.
#[derive(Clone, Default)]
pub struct StoreOptions {
    /// `aws.s3.endpoint`: an S3-compatible server (`http://127.0.0.1:9000`, `minio:9000`);
    /// `None` for AWS itself.
    pub endpoint: Option<String>,
    /// `aws.s3.region`; `us-east-1` when absent.
    pub region: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    /// Path-style requests (`http://host/bucket/key`). Defaults to true when an endpoint is
    /// given (S3-compatible servers), false for AWS.
    pub path_style: Option<bool>,
    /// `aws.s3.enable_ssl=false`: an endpoint without a scheme is reached over http.
    pub plain_http: bool,
    /// Let `object_store` find credentials on the instance (`aws.s3.use_instance_profile`).
    pub instance_profile: bool,
    /// Whole-operation retries on top of the client's per-request ones.
    pub retry: RetryPolicy,
}

impl fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreOptions")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key", &self.access_key.as_ref().map(|_| "***"))
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("path_style", &self.path_style)
            .field("plain_http", &self.plain_http)
            .field("instance_profile", &self.instance_profile)
            .field("retry", &self.retry)
            .finish()
    }
}

impl StoreOptions {
    /// The options a StarRocks repository's properties describe (`aws.s3.endpoint`,
    /// `aws.s3.region`, `aws.s3.access_key`, `aws.s3.secret_key`,
    /// `aws.s3.enable_path_style_access`, `aws.s3.enable_ssl`, `aws.s3.use_instance_profile`).
    pub fn from_properties(props: &BTreeMap<String, String>) -> StoreOptions {
        let get = |k: &str| {
            props
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let flag = |k: &str| get(k).map(|v| v.eq_ignore_ascii_case("true"));
        StoreOptions {
            endpoint: get("aws.s3.endpoint"),
            region: get("aws.s3.region"),
            access_key: get("aws.s3.access_key"),
            secret_key: get("aws.s3.secret_key"),
            path_style: flag("aws.s3.enable_path_style_access"),
            plain_http: flag("aws.s3.enable_ssl") == Some(false),
            instance_profile: flag("aws.s3.use_instance_profile") == Some(true),
            retry: RetryPolicy::default(),
        }
    }

    fn secrets(&self) -> Vec<String> {
        [&self.access_key, &self.secret_key]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect()
    }
}

/// Location schemes served by the S3 client (with an `aws.s3.endpoint` for the non-AWS ones).
pub const S3_SCHEMES: [&str; 8] = ["s3", "s3a", "s3n", "oss", "cos", "obs", "ks3", "tos"];

/// A location's storage, blocking.
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    /// Key prefix inside the bucket (or the local folder): no leading or trailing `/`.
    base: String,
    location: String,
    rt: tokio::runtime::Runtime,
    retry: RetryPolicy,
    secrets: Vec<String>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

fn config_err(location: &str, message: impl Into<String>) -> RepoError {
    RepoError::Config {
        location: location.to_string(),
        message: message.into(),
    }
}

impl Store {
    /// Opens `location`: `s3://bucket/prefix` (and the other S3 schemes), `gs://bucket/prefix`,
    /// `azblob://container/prefix` (account from `azure.blob.storage_account`), `file:///dir`
    /// or a plain absolute path. Nothing is contacted yet.
    pub fn open(location: &str, opts: &StoreOptions) -> Result<Store, RepoError> {
        let secrets = opts.secrets();
        Store::open_inner(location, opts).map_err(|e| e.scrubbed(&secrets))
    }

    fn open_inner(location: &str, opts: &StoreOptions) -> Result<Store, RepoError> {
        let shown = location.to_string();
        let (scheme, rest) = match location.split_once("://") {
            Some((s, r)) => (s.to_ascii_lowercase(), r),
            None => ("file".to_string(), location),
        };
        let (inner, base): (Arc<dyn ObjectStore>, String) = match scheme.as_str() {
            "file" => {
                let dir = std::path::PathBuf::from(if rest.is_empty() { "/" } else { rest });
                (Arc::new(local_store(&dir, &shown)?), String::new())
            }
            s if S3_SCHEMES.contains(&s) => {
                let (bucket, prefix) = split_bucket(rest, &shown)?;
                (Arc::new(s3_store(bucket, opts, &shown)?), prefix)
            }
            "gs" => {
                let (bucket, prefix) = split_bucket(rest, &shown)?;
                let mut b = object_store::gcp::GoogleCloudStorageBuilder::new()
                    .with_bucket_name(bucket)
                    .with_retry(client_retry());
                if let Some(key) = &opts.secret_key {
                    b = b.with_service_account_key(key);
                }
                let store = b.build().map_err(|e| config_err(&shown, e.to_string()))?;
                (Arc::new(store), prefix)
            }
            "azblob" | "az" | "abfs" | "abfss" => {
                let (container, prefix) = split_bucket(rest, &shown)?;
                let mut b = object_store::azure::MicrosoftAzureBuilder::new()
                    .with_container_name(container)
                    .with_retry(client_retry());
                if let Some(account) = &opts.access_key {
                    b = b.with_account(account);
                }
                if let Some(key) = &opts.secret_key {
                    b = b.with_access_key(key);
                }
                if let Some(ep) = &opts.endpoint {
                    b = b.with_endpoint(ep.clone()).with_allow_http(true);
                }
                let store = b.build().map_err(|e| config_err(&shown, e.to_string()))?;
                (Arc::new(store), prefix)
            }
            other => {
                return Err(config_err(
                    &shown,
                    format!("scheme {other}:// is not reachable through object storage (S3, GCS, Azure or a local folder)"),
                ))
            }
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| config_err(&shown, format!("cannot start the I/O runtime: {e}")))?;
        Ok(Store {
            inner,
            base,
            location: shown,
            rt,
            retry: opts.retry,
            secrets: opts.secrets(),
        })
    }

    /// A local folder (created when missing).
    pub fn local(dir: &std::path::Path) -> Result<Store, RepoError> {
        Store::open(&dir.to_string_lossy(), &StoreOptions::default())
    }

    /// The location as given.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// `<location>/<key>` as StarRocks names remote paths.
    pub fn remote(&self, key: &str) -> String {
        format!("{}/{key}", self.location.trim_end_matches('/'))
    }

    fn path(&self, key: &str) -> Result<Path, RepoError> {
        let key = key.trim_matches('/');
        let full = match (self.base.is_empty(), key.is_empty()) {
            (true, _) => key.to_string(),
            (false, true) => self.base.clone(),
            (false, false) => format!("{}/{key}", self.base),
        };
        Path::parse(&full).map_err(|e| RepoError::Storage {
            operation: "resolve",
            path: self.remote(key),
            message: e.to_string(),
        })
    }

    /// The key of a store path relative to the location.
    fn relative(&self, p: &Path) -> String {
        let raw = p.as_ref();
        if self.base.is_empty() {
            return raw.to_string();
        }
        raw.strip_prefix(self.base.as_str())
            .map(|r| r.trim_start_matches('/').to_string())
            .unwrap_or_else(|| raw.to_string())
    }

    fn err(
        &self,
        operation: &'static str,
        key: &str,
        e: object_store::Error,
        attempts: u32,
    ) -> RepoError {
        let path = self.remote(key);
        let e = match e {
            object_store::Error::NotFound { .. } => RepoError::NotFound { path },
            e if transient(&e) => RepoError::Transient {
                operation,
                path,
                message: e.to_string(),
                attempts,
            },
            e => RepoError::Storage {
                operation,
                path,
                message: e.to_string(),
            },
        };
        e.scrubbed(&self.secrets)
    }

    fn run<T>(
        &self,
        operation: &'static str,
        key: &str,
        f: impl Fn() -> Result<T, object_store::Error>,
    ) -> Result<T, RepoError> {
        let (r, attempts) = self.retry.run(f, transient);
        r.map_err(|e| self.err(operation, key, e, attempts))
    }

    /// The object's bytes, or `None` when it does not exist.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, RepoError> {
        let path = self.path(key)?;
        let r = self.run("read", key, || {
            self.rt.block_on(async {
                let got = self.inner.get(&path).await?;
                got.bytes().await
            })
        });
        match r {
            Ok(b) => Ok(Some(b.to_vec())),
            Err(RepoError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes (replaces) the object.
    pub fn put(&self, key: &str, bytes: &[u8]) -> Result<(), RepoError> {
        let path = self.path(key)?;
        let payload = PutPayload::from(bytes.to_vec());
        self.run("write", key, || {
            self.rt
                .block_on(self.inner.put(&path, payload.clone()))
                .map(|_| ())
        })
    }

    /// Every object under `prefix` (recursively) with its size, in key order. The listing
    /// is paginated by the client (S3 ListObjectsV2 continuation tokens, 1,000 keys a page).
    pub fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, RepoError> {
        let path = self.path(prefix)?;
        let metas = self.run("list", prefix, || {
            self.rt
                .block_on(self.inner.list(Some(&path)).try_collect::<Vec<_>>())
        })?;
        let mut out: Vec<ObjectInfo> = metas
            .into_iter()
            .map(|m| ObjectInfo {
                key: self.relative(&m.location),
                size: m.size,
            })
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    /// One level under `prefix`: the names of its sub-folders and its objects, each sorted.
    pub fn list_dir(&self, prefix: &str) -> Result<(Vec<String>, Vec<ObjectInfo>), RepoError> {
        let path = self.path(prefix)?;
        let r = self.run("list", prefix, || {
            self.rt
                .block_on(self.inner.list_with_delimiter(Some(&path)))
        });
        let listed = match r {
            Ok(l) => l,
            Err(RepoError::NotFound { .. }) => return Ok((Vec::new(), Vec::new())),
            Err(e) => return Err(e),
        };
        let mut dirs: Vec<String> = listed
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_string))
            .collect();
        dirs.sort();
        let mut files: Vec<ObjectInfo> = listed
            .objects
            .into_iter()
            .map(|m| ObjectInfo {
                key: self.relative(&m.location),
                size: m.size,
            })
            .collect();
        files.sort_by(|a, b| a.key.cmp(&b.key));
        Ok((dirs, files))
    }

    /// Deletes the objects (S3: DeleteObjects, up to 1,000 keys a request). Objects already
    /// gone count as deleted, so a deletion interrupted halfway is finished by calling again.
    /// Keys that fail with a transient error are retried; returns how many were deleted.
    pub fn delete(&self, keys: &[String]) -> Result<usize, RepoError> {
        let mut pending: Vec<(String, Path)> = keys
            .iter()
            .map(|k| self.path(k).map(|p| (k.clone(), p)))
            .collect::<Result<_, _>>()?;
        let total = pending.len();
        let mut pause = self.retry.initial_backoff;
        let mut attempt = 0;
        while !pending.is_empty() {
            let paths: Vec<Path> = pending.iter().map(|(_, p)| p.clone()).collect();
            let results: Vec<Result<Path, object_store::Error>> = self.rt.block_on(
                self.inner
                    .delete_stream(futures::stream::iter(paths.into_iter().map(Ok)).boxed())
                    .collect(),
            );
            let mut failed: Vec<(String, Path, object_store::Error)> = Vec::new();
            for ((key, path), r) in pending.into_iter().zip(results) {
                match r {
                    Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => failed.push((key, path, e)),
                }
            }
            if failed.is_empty() {
                break;
            }
            let retryable = failed.iter().all(|(_, _, e)| transient(e));
            if !retryable || attempt >= self.retry.retries {
                let n = failed.len();
                let (key, _, e) = failed.remove(0);
                let first = self.err("delete", &key, e, attempt);
                return Err(if n > 1 {
                    RepoError::Storage {
                        operation: "delete",
                        path: self.remote(&key),
                        message: format!("{first} (and {} more objects not deleted)", n - 1),
                    }
                    .scrubbed(&self.secrets)
                } else {
                    first
                });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(self.retry.max_backoff);
            attempt += 1;
            pending = failed.into_iter().map(|(k, p, _)| (k, p)).collect();
        }
        Ok(total)
    }
}

fn client_retry() -> object_store::RetryConfig {
    object_store::RetryConfig {
        backoff: object_store::BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: 4,
        retry_timeout: Duration::from_secs(60),
    }
}

fn split_bucket<'a>(rest: &'a str, shown: &str) -> Result<(&'a str, String), RepoError> {
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(config_err(shown, "no bucket in the location"));
    }
    let prefix = prefix.trim_matches('/');
    if prefix.split('/').any(|s| s == "." || s == "..") {
        return Err(config_err(
            shown,
            "`.` and `..` are not allowed in the location",
        ));
    }
    let prefix = prefix
        .split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    Ok((bucket, prefix))
}

fn local_store(
    dir: &std::path::Path,
    shown: &str,
) -> Result<object_store::local::LocalFileSystem, RepoError> {
    std::fs::create_dir_all(dir).map_err(|e| config_err(shown, e.to_string()))?;
    object_store::local::LocalFileSystem::new_with_prefix(dir)
        .map(|s| s.with_automatic_cleanup(true))
        .map_err(|e| config_err(shown, e.to_string()))
}

fn s3_store(
    bucket: &str,
    opts: &StoreOptions,
    shown: &str,
) -> Result<object_store::aws::AmazonS3, RepoError> {
    use object_store::aws::AmazonS3Builder;
    let mut b = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(opts.region.clone().unwrap_or_else(|| "us-east-1".into()))
        .with_retry(client_retry())
        .with_client_options(
            object_store::ClientOptions::new()
                .with_connect_timeout(Duration::from_secs(5))
                .with_timeout(Duration::from_secs(60)),
        );
    if let Some(ep) = &opts.endpoint {
        let ep = if ep.contains("://") {
            ep.clone()
        } else if opts.plain_http {
            format!("http://{ep}")
        } else {
            format!("https://{ep}")
        };
        b = b
            .with_allow_http(ep.starts_with("http://"))
            .with_endpoint(ep)
            .with_virtual_hosted_style_request(!opts.path_style.unwrap_or(true));
    } else if let Some(false) = opts.path_style.map(|p| !p) {
        b = b.with_virtual_hosted_style_request(false);
    }
    match (&opts.access_key, &opts.secret_key) {
        (Some(a), Some(s)) => b = b.with_access_key_id(a).with_secret_access_key(s),
        _ if opts.instance_profile => {}
        _ => b = b.with_skip_signature(true),
    }
    b.build().map_err(|e| config_err(shown, e.to_string()))
}

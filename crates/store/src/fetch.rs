//! Reading objects back: to a file, verified against a BLAKE3 hash as it streams, or hashed where they are.

use crate::{Result, Store};
use opendal::Operator;

/// Hex BLAKE3 of bytes.
pub(crate) fn blake3_hex(b: &[u8]) -> String {
    blake3::hash(b).to_hex().to_string()
}

/// Reads the object at `key` into the new file `tmp` a chunk at a time (memory stays bounded
/// whatever the object's size), hashing as it goes, and fsyncs it. Returns the size when the
/// bytes hash to `expect`; otherwise removes `tmp` and says why.
pub(crate) async fn fetch_to_file(
    op: &Operator,
    key: &str,
    tmp: &std::path::Path,
    expect: &str,
) -> std::result::Result<u64, String> {
    fetch_to_file_with(op, key, tmp, expect, |_| true).await
}

/// [`fetch_to_file`], telling `each` the bytes received so far after every chunk; it returns
/// false to stop (the partial file goes).
pub(crate) async fn fetch_to_file_with(
    op: &Operator,
    key: &str,
    tmp: &std::path::Path,
    expect: &str,
    mut each: impl FnMut(u64) -> bool,
) -> std::result::Result<u64, String> {
    use futures::TryStreamExt;
    use std::io::Write;
    let res = async {
        let mut stream = op
            .reader_with(key)
            .chunk(4 << 20)
            .await
            .map_err(|e| format!("{key}: {e}"))?
            .into_bytes_stream(..)
            .await
            .map_err(|e| format!("{key}: {e}"))?;
        let mut f = std::fs::File::create(tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let mut h = blake3::Hasher::new();
        let mut n = 0u64;
        while let Some(chunk) = stream.try_next().await.map_err(|e| format!("{key}: {e}"))? {
            h.update(&chunk);
            f.write_all(&chunk)
                .map_err(|e| format!("{}: {e}", tmp.display()))?;
            n += chunk.len() as u64;
            if !each(n) {
                return Err(format!("{key}: stopped"));
            }
        }
        if h.finalize().to_hex().as_str() != expect {
            return Err(format!(
                "{key} on the store does not match its hash; not used"
            ));
        }
        f.sync_all()
            .map_err(|e| format!("{}: {e}", tmp.display()))?;
        Ok(n)
    }
    .await;
    if res.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    res
}

/// The BLAKE3 and size of the object at `key`, read a chunk at a time.
pub(crate) async fn hash_object(
    op: &Operator,
    key: &str,
) -> std::result::Result<(String, u64), String> {
    use futures::TryStreamExt;
    let mut stream = op
        .reader_with(key)
        .chunk(4 << 20)
        .await
        .map_err(|e| e.to_string())?
        .into_bytes_stream(..)
        .await
        .map_err(|e| e.to_string())?;
    let mut h = blake3::Hasher::new();
    let mut n = 0u64;
    while let Some(chunk) = stream.try_next().await.map_err(|e| e.to_string())? {
        h.update(&chunk);
        n += chunk.len() as u64;
    }
    Ok((h.finalize().to_hex().to_string(), n))
}

impl Store {
    /// The entries under `prefix` (with `recursive`, the whole tree below it). A prefix nothing
    /// has been written under yet is empty, not an error.
    pub(crate) async fn list_or_empty(
        &self,
        prefix: &str,
        recursive: bool,
    ) -> Result<Vec<opendal::Entry>> {
        self.list_or_empty_on(&self.op, prefix, recursive).await
    }

    /// [`Store::list_or_empty`] through `op` (`raw`: a shared album's objects).
    pub(crate) async fn list_or_empty_on(
        &self,
        op: &opendal::Operator,
        prefix: &str,
        recursive: bool,
    ) -> Result<Vec<opendal::Entry>> {
        match op.list_with(prefix).recursive(recursive).await {
            Ok(e) => Ok(e),
            Err(e) if e.kind() == opendal::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(self.store_err(&e)),
        }
    }

    /// The names of the folders under `devices/`: every device that wrote a log or a head
    /// (callers check each is a device id).
    pub(crate) async fn device_folders(&self) -> Result<Vec<String>> {
        Ok(self
            .list_or_empty("devices/", false)
            .await?
            .iter()
            .filter_map(|e| e.path().strip_prefix("devices/"))
            .map(|d| d.trim_end_matches('/').to_owned())
            .collect())
    }
}

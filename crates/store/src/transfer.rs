//! Verified transfers: a put whose object is read back (or its ETag or size proven) before it counts, streaming for big files, multipart from MULTIPART_FROM.

use crate::Result;
use md5::{Digest, Md5};
use opendal::Operator;

pub(crate) const MULTIPART_FROM: usize = 64 << 20;

/// Writes `bytes` at `key` and proves it arrived: the size, and the MD5 ETag where the store gives
/// one, else the bytes read back.
pub(crate) async fn put_verified(
    op: &Operator,
    key: &str,
    bytes: Vec<u8>,
    hash: &str,
) -> Result<(), String> {
    put_verified_as(op, key, bytes, hash, None).await
}

/// [`put_verified`] with the `Content-Type` the object is served with (a web page on S3, which
/// otherwise serves what it was not told as `binary/octet-stream`, and a browser downloads it).
pub(crate) async fn put_verified_as(
    op: &Operator,
    key: &str,
    bytes: Vec<u8>,
    hash: &str,
    content_type: Option<&str>,
) -> Result<(), String> {
    let len = bytes.len() as u64;
    // An encrypted store proves the transfer on the ciphertext (crypt::VERIFIED): the plain
    // bytes' MD5 would never match its ETag, so it is not worked out.
    let md5 = if crate::crypt::is_encrypted(op) {
        String::new()
    } else {
        hex::encode(Md5::digest(&bytes))
    };
    let res = if bytes.len() >= MULTIPART_FROM && op.info().capability().write_can_multi {
        async {
            let mut w = op.writer_with(key).chunk(8 << 20).concurrent(4);
            if let Some(t) = content_type {
                w = w.content_type(t);
            }
            let mut w = w.await?;
            w.write(bytes).await?;
            w.close().await
        }
        .await
    } else if let Some(t) = content_type {
        op.write_with(key, bytes).content_type(t).await
    } else {
        op.write(key, bytes).await
    };
    let written = res.map_err(|e| e.to_string())?;
    prove(op, key, written.etag(), len, &md5, hash).await
}

/// Proves that `key` holds what was sent (`len` bytes with MD5 `md5` and BLAKE3 `hash`). S3
/// answers a single-part PUT with the MD5 of the bytes it received: when that matches, nothing
/// more is asked. Otherwise the size must match and then the store's MD5 ETag, where it gives
/// one, or the bytes read back.
pub(crate) async fn prove(
    op: &Operator,
    key: &str,
    put_etag: Option<&str>,
    len: u64,
    md5: &str,
    hash: &str,
) -> Result<(), String> {
    if put_etag == Some(crate::crypt::VERIFIED) || md5_etag(put_etag).is_some_and(|e| e == md5) {
        return Ok(());
    }
    let meta = op
        .stat(key)
        .await
        .map_err(|e| format!("written but not found afterwards: {e}"))?;
    if meta.content_length() != len {
        return Err(format!(
            "the store holds {} bytes, {len} were sent",
            meta.content_length()
        ));
    }
    match md5_etag(meta.etag()) {
        Some(e) if e == md5 => Ok(()),
        Some(e) => Err(format!(
            "the store's MD5 {e} differs from the sent bytes' {md5}"
        )),
        None => read_back(op, key, hash).await,
    }
}

/// Proves `key` holds bytes hashing to `hash` by reading it back as a stream.
pub(crate) async fn read_back(op: &Operator, key: &str, hash: &str) -> Result<(), String> {
    let (back, _) = crate::hash_object(op, key)
        .await
        .map_err(|e| format!("cannot read back to verify: {e}"))?;
    if back != hash {
        return Err("the bytes read back differ from the bytes sent".into());
    }
    Ok(())
}

/// Files at least this big are streamed from disk to the store in chunks instead of being read
/// into memory: at most `STREAM_CHUNK` × (`concurrent` + 1) bytes are held per transfer.
pub(crate) const STREAM_FROM: u64 = 32 << 20;

pub(crate) const STREAM_CHUNK: usize = 8 << 20;

/// Streams the file at `local` to `key` and proves it arrived, like [`put_verified`]. The
/// file's BLAKE3 is computed on the way; when it is not `expect` (the file changed since it was
/// catalogued) the upload is aborted and nothing is recorded.
///
/// OpenDAL 0.59's WebDAV writer sends one PUT from one buffer, so there the whole file is held
/// once; S3 (multipart) and local folders stream.
pub(crate) async fn put_file_verified(
    op: &Operator,
    key: &str,
    local: &std::path::Path,
    expect: Option<&str>,
) -> Result<String, String> {
    use tokio::io::AsyncReadExt;
    let mut f = tokio::fs::File::open(local)
        .await
        .map_err(|e| format!("cannot read {}: {e}", local.display()))?;
    let multi = op.info().capability().write_can_multi;
    let mut w = if multi {
        op.writer_with(key).chunk(STREAM_CHUNK).concurrent(4).await
    } else {
        op.writer(key).await
    }
    .map_err(|e| e.to_string())?;
    let mut blake = blake3::Hasher::new();
    let mut md5 = Md5::new();
    let encrypted = crate::crypt::is_encrypted(op);
    let mut len = 0u64;
    loop {
        let mut buf = Vec::with_capacity(STREAM_CHUNK);
        let n = (&mut f)
            .take(STREAM_CHUNK as u64)
            .read_to_end(&mut buf)
            .await
            .map_err(|e| format!("cannot read {}: {e}", local.display()))?;
        if n == 0 {
            break;
        }
        blake.update(&buf);
        if !encrypted {
            md5.update(&buf);
        }
        len += n as u64;
        if let Err(e) = w.write(buf).await {
            let _ = w.abort().await;
            return Err(e.to_string());
        }
    }
    let hash = blake.finalize().to_hex().to_string();
    if expect.is_some_and(|e| e != hash) {
        let _ = w.abort().await;
        return Err(format!(
            "{} no longer matches its hash; not uploaded (run `shoebox check`)",
            local.display()
        ));
    }
    let written = w.close().await.map_err(|e| e.to_string())?;
    let md5 = if encrypted {
        String::new()
    } else {
        hex::encode(md5.finalize())
    };
    prove(op, key, written.etag(), len, &md5, &hash).await?;
    Ok(hash)
}

/// An ETag that is an MD5 (S3 single-part uploads), lower-case, without quotes.
pub(crate) fn md5_etag(etag: Option<&str>) -> Option<String> {
    let e = etag?.trim_matches('"').to_ascii_lowercase();
    (e.len() == 32 && e.chars().all(|c| c.is_ascii_hexdigit())).then_some(e)
}

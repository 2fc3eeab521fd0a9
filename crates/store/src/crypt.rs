//! An OpenDAL layer that keeps a store in the rclone crypt format: names and contents are
//! encrypted on the way in and decrypted on the way out, so the rest of the store code does
//! not change, and `rclone` with a `crypt` remote and the same password reads the store.
//!
//! - Paths: every segment encrypted ([`shoebox_crypt::Keys::encrypt_path`]); listing decrypts
//!   them and leaves out what is not one of this store's names (the public marker, an `fs`
//!   target's temporary folder).
//! - Sizes: stat and list report the decrypted size.
//! - Reads: any range; the chunks holding it are read and opened (at most one chunk more than
//!   asked at each end), streaming, a chunk in memory at a time.
//! - Writes: sealed chunk by chunk, handed on in pieces of at least 8 MiB (S3 multipart parts
//!   must be 5 MiB or more). On close, when the store's ETag is the MD5 of the ciphertext sent,
//!   the ETag given back is [`VERIFIED`] (the store proved it holds exactly what was encrypted,
//!   so the caller need not hash the plaintext too); otherwise none, and the caller reads the
//!   object back to prove it.
//! - Copy, rename, append, compose and presign are not offered (Shoebox uses none of them).

use md5::{Digest, Md5};
use opendal::raw::*;
use opendal::*;
use shoebox_crypt::Keys;
use shoebox_crypt::content::{CHUNK, FileCipher, HEADER, TAG, decrypted_size};
use std::sync::Arc;

/// Hand encrypted bytes to the store in pieces of at least this.
const WRITE_PIECE: usize = 8 << 20;

/// The ETag a write returns when the store's own ETag proved it received the ciphertext whole.
pub(crate) const VERIFIED: &str = "shoebox-crypt:the-store-has-the-ciphertext-sent";
/// Added to the service's name, so the store code can tell an encrypted operator.
const NAME_MARK: &str = "+rclone-crypt";

/// Whether `op` encrypts (has this layer on top).
pub(crate) fn is_encrypted(op: &Operator) -> bool {
    op.info().name().ends_with(NAME_MARK)
}

fn crypt_err(path: &str, e: shoebox_crypt::Error) -> Error {
    Error::new(ErrorKind::Unexpected, e.to_string()).with_context("path", path)
}

#[derive(Debug, Clone)]
pub struct CryptLayer {
    keys: Arc<Keys>,
}

impl CryptLayer {
    pub fn new(keys: Keys) -> Self {
        CryptLayer {
            keys: Arc::new(keys),
        }
    }
}

impl Layer for CryptLayer {
    fn apply_service(&self, inner: Servicer) -> Servicer {
        Arc::new(CryptService {
            inner,
            keys: self.keys.clone(),
        })
    }
}

#[derive(Debug)]
pub struct CryptService {
    inner: Servicer,
    keys: Arc<Keys>,
}

impl CryptService {
    fn enc(&self, path: &str) -> Result<String> {
        self.keys.encrypt_path(path).map_err(|e| crypt_err(path, e))
    }
}

/// What a file's metadata says once decrypted: its plain size, nothing about the ciphertext.
fn plain_meta(m: &Metadata) -> Metadata {
    if m.is_dir() {
        return MetadataBuilder::dir().build();
    }
    let len = m.content_length();
    MetadataBuilder::file(decrypted_size(len).unwrap_or(len)).build()
}

impl Service for CryptService {
    type Reader = CryptReader;
    type Writer = CryptWriter;
    type Lister = CryptLister;
    type Deleter = CryptDeleter;
    type Copier = ();
    type Composer = ();

    fn info(&self) -> ServiceInfo {
        let i = self.inner.info();
        ServiceInfo::new(i.scheme(), &*i.root(), format!("{}{NAME_MARK}", i.name()))
    }

    fn capability(&self) -> Capability {
        let mut c = self.inner.capability();
        c.copy = false;
        c.compose = false;
        c.write_can_append = false;
        c.write_can_copy_from = false;
        c
    }

    async fn create_dir(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpCreateDir,
    ) -> Result<RpCreateDir> {
        self.inner.create_dir(ctx, &self.enc(path)?, args).await
    }

    async fn stat(&self, ctx: &OperationContext, path: &str, args: OpStat) -> Result<RpStat> {
        let rp = self.inner.stat(ctx, &self.enc(path)?, args).await?;
        Ok(RpStat::new(plain_meta(&rp.into_metadata())))
    }

    fn read(&self, ctx: &OperationContext, path: &str, args: OpRead) -> Result<Self::Reader> {
        let enc = self.enc(path)?;
        Ok(CryptReader {
            reader: self.inner.read(ctx, &enc, args)?,
            inner: self.inner.clone(),
            ctx: ctx.clone(),
            enc,
            path: path.to_owned(),
            keys: self.keys.clone(),
        })
    }

    fn write(&self, ctx: &OperationContext, path: &str, args: OpWrite) -> Result<Self::Writer> {
        let enc = self.enc(path)?;
        Ok(CryptWriter {
            inner: self.inner.write(ctx, &enc, args)?,
            cipher: FileCipher::new(&self.keys),
            plain: Vec::new(),
            sealed: Vec::new(),
            next: 0,
            started: false,
            sealed_md5: Md5::new(),
            len: 0,
        })
    }

    fn delete(&self, ctx: &OperationContext) -> Result<Self::Deleter> {
        Ok(CryptDeleter {
            inner: self.inner.delete(ctx)?,
            keys: self.keys.clone(),
        })
    }

    fn list(&self, ctx: &OperationContext, path: &str, args: OpList) -> Result<Self::Lister> {
        Ok(CryptLister {
            inner: self.inner.list(ctx, &self.enc(path)?, args)?,
            keys: self.keys.clone(),
        })
    }

    fn copy(&self, _: &OperationContext, _: &str, _: &str, _: OpCopy) -> Result<Self::Copier> {
        Err(Error::new(
            ErrorKind::Unsupported,
            "copy is not offered on an encrypted store",
        ))
    }

    async fn rename(
        &self,
        _: &OperationContext,
        _: &str,
        _: &str,
        _: OpRename,
    ) -> Result<RpRename> {
        Err(Error::new(
            ErrorKind::Unsupported,
            "rename is not offered on an encrypted store",
        ))
    }

    async fn presign(&self, _: &OperationContext, _: &str, _: OpPresign) -> Result<RpPresign> {
        Err(Error::new(
            ErrorKind::Unsupported,
            "presigned URLs would hand out ciphertext",
        ))
    }
}

pub struct CryptReader {
    reader: oio::Reader,
    inner: Servicer,
    ctx: OperationContext,
    enc: String,
    path: String,
    keys: Arc<Keys>,
}

impl CryptReader {
    async fn stored_size(&self) -> Result<u64> {
        Ok(self
            .inner
            .stat(&self.ctx, &self.enc, OpStat::default())
            .await?
            .into_metadata()
            .content_length())
    }

    /// The header (nonce) of the object.
    async fn header(&self) -> Result<Vec<u8>> {
        let (_, buf) = self
            .reader
            .read_dyn(BytesRange::new(0, Some(HEADER)))
            .await?;
        Ok(buf.to_vec())
    }
}

impl oio::Read for CryptReader {
    async fn open(&self, range: BytesRange) -> Result<(RpRead, Box<dyn oio::ReadStreamDyn>)> {
        // The plain range [from, until) (until None: to the end).
        // The object's size on the store, asked for once and only when a range needs it (a
        // suffix, or an end that may lie past the object: a store may refuse such a range).
        let mut size = None;
        let (from, until) = if range.is_suffix() {
            let enc = self.stored_size().await?;
            size = Some(enc);
            let plain = decrypted_size(enc).map_err(|e| crypt_err(&self.path, e))?;
            let n = range.size().unwrap_or(0).min(plain);
            (plain - n, Some(plain))
        } else {
            (range.offset(), range.size().map(|s| range.offset() + s))
        };
        let first = from / CHUNK;
        let start = HEADER + first * (CHUNK + TAG);
        let end = match until {
            None => None,
            Some(u) if u <= from => Some(start),
            Some(u) => {
                let last = (u - 1) / CHUNK;
                let size = match size {
                    Some(s) => s,
                    None => self.stored_size().await?,
                };
                Some((HEADER + (last + 1) * (CHUNK + TAG)).min(size))
            }
        };
        let header = self.header().await?;
        let cipher =
            FileCipher::from_header(&self.keys, &header).map_err(|e| crypt_err(&self.path, e))?;
        let stream: Option<Box<dyn oio::ReadStreamDyn>> = match end {
            Some(e) if e <= start => None,
            _ => Some(
                self.reader
                    .open_dyn(BytesRange::new(start, end.map(|e| e - start)))
                    .await?
                    .1,
            ),
        };
        Ok((
            RpRead::default(),
            Box::new(CryptStream {
                stream,
                cipher,
                path: self.path.clone(),
                pending: Vec::new(),
                next: first,
                skip: (from - first * CHUNK) as usize,
                left: until.map(|u| u.saturating_sub(from)),
                ended: false,
            }),
        ))
    }

    async fn read(&self, range: BytesRange) -> Result<(RpRead, Buffer)> {
        let (rp, mut s) = self.open(range).await?;
        Ok((rp, s.read_all_dyn().await?))
    }
}

/// Plaintext from a stream of sealed chunks.
struct CryptStream {
    stream: Option<Box<dyn oio::ReadStreamDyn>>,
    cipher: FileCipher,
    path: String,
    /// Sealed bytes not yet opened.
    pending: Vec<u8>,
    next: u64,
    /// Plain bytes of the first chunk before the range.
    skip: usize,
    /// Plain bytes still wanted (None: to the end).
    left: Option<u64>,
    ended: bool,
}

impl oio::ReadStream for CryptStream {
    async fn read(&mut self) -> Result<Buffer> {
        let sealed_len = (CHUNK + TAG) as usize;
        loop {
            if self.left == Some(0) {
                return Ok(Buffer::new());
            }
            let full = self.pending.len() >= sealed_len;
            if full || (self.ended && !self.pending.is_empty()) {
                let take = self.pending.len().min(sealed_len);
                let sealed: Vec<u8> = self.pending.drain(..take).collect();
                let mut plain = self
                    .cipher
                    .open(self.next, &sealed)
                    .map_err(|e| crypt_err(&self.path, e))?;
                self.next += 1;
                let skip = std::mem::take(&mut self.skip).min(plain.len());
                plain.drain(..skip);
                if let Some(left) = &mut self.left {
                    plain.truncate((*left).min(plain.len() as u64) as usize);
                    *left -= plain.len() as u64;
                }
                if plain.is_empty() {
                    continue;
                }
                return Ok(Buffer::from(plain));
            }
            if self.ended {
                return Ok(Buffer::new());
            }
            match &mut self.stream {
                None => self.ended = true,
                Some(s) => {
                    let buf = s.read_dyn().await?;
                    if buf.is_empty() {
                        self.ended = true;
                    } else {
                        self.pending.extend_from_slice(&buf.to_vec());
                    }
                }
            }
        }
    }
}

pub struct CryptWriter {
    inner: oio::Writer,
    cipher: FileCipher,
    /// Plain bytes short of a whole chunk.
    plain: Vec<u8>,
    /// Sealed chunks not yet handed on.
    sealed: Vec<u8>,
    next: u64,
    started: bool,
    sealed_md5: Md5,
    len: u64,
}

impl CryptWriter {
    fn seal_whole_chunks(&mut self, last: bool) {
        if !self.started {
            let h = self.cipher.header();
            self.sealed_md5.update(h);
            self.sealed.extend_from_slice(&h);
            self.started = true;
        }
        let mut at = 0;
        while self.plain.len() - at >= CHUNK as usize || (last && at < self.plain.len()) {
            let end = (at + CHUNK as usize).min(self.plain.len());
            let s = self.cipher.seal(self.next, &self.plain[at..end]);
            self.next += 1;
            self.sealed_md5.update(&s);
            self.sealed.extend_from_slice(&s);
            at = end;
        }
        self.plain.drain(..at);
    }

    async fn hand_on(&mut self, all: bool) -> Result<()> {
        if self.sealed.len() >= WRITE_PIECE || (all && !self.sealed.is_empty()) {
            let piece = std::mem::take(&mut self.sealed);
            self.inner.write_dyn(Buffer::from(piece)).await?;
        }
        Ok(())
    }
}

impl oio::Write for CryptWriter {
    async fn write(&mut self, bs: Buffer) -> Result<()> {
        for b in bs {
            self.len += b.len() as u64;
            self.plain.extend_from_slice(&b);
        }
        self.seal_whole_chunks(false);
        self.hand_on(false).await
    }

    async fn close(&mut self) -> Result<Metadata> {
        self.seal_whole_chunks(true);
        self.hand_on(true).await?;
        let written = self.inner.close_dyn().await?;
        let sent = hex::encode(self.sealed_md5.clone().finalize());
        let mut meta = MetadataBuilder::file(self.len);
        let etag = written
            .etag()
            .map(|e| e.trim_matches('"').to_ascii_lowercase());
        if etag.as_deref() == Some(sent.as_str()) {
            meta.etag(VERIFIED);
        }
        Ok(meta.build())
    }

    async fn abort(&mut self) -> Result<()> {
        self.inner.abort_dyn().await
    }
}

pub struct CryptLister {
    inner: oio::Lister,
    keys: Arc<Keys>,
}

impl oio::List for CryptLister {
    async fn next(&mut self) -> Result<Option<oio::Entry>> {
        loop {
            let Some(e) = self.inner.next_dyn().await? else {
                return Ok(None);
            };
            let (path, meta) = e.into_parts();
            // Not one of this store's names (the public marker, a temporary folder): left out.
            let Ok(plain) = self.keys.decrypt_path(&path) else {
                continue;
            };
            return Ok(Some(oio::Entry::new(&plain, plain_meta(&meta))));
        }
    }
}

pub struct CryptDeleter {
    inner: oio::Deleter,
    keys: Arc<Keys>,
}

impl oio::Delete for CryptDeleter {
    async fn delete(&mut self, path: &str, args: OpDelete) -> Result<()> {
        let enc = self
            .keys
            .encrypt_path(path)
            .map_err(|e| crypt_err(path, e))?;
        self.inner.delete_dyn(&enc, args).await
    }

    async fn close(&mut self) -> Result<()> {
        self.inner.close_dyn().await
    }
}

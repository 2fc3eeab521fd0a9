//! File contents: a 32-byte header (`RCLONE\0\0` and a random 24-byte nonce), then 64 KiB
//! chunks, each sealed with XSalsa20-Poly1305 under the nonce plus the chunk's index (as a
//! little-endian 192-bit number). Streaming both ways, a chunk in memory at a time; any chunk can
//! be decrypted on its own, so ranged reads cost at most one chunk more than asked.
//!
//! What the format cannot tell: a file cut exactly at a chunk boundary, or chunks dropped from
//! its end, decrypts to a shorter file without an error (rclone's format has no length or
//! "last chunk" mark). Shoebox checks every original against its content hash, which catches it.

use crate::{Error, Keys};
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use std::io::{self, Read};

pub const MAGIC: &[u8; 8] = b"RCLONE\0\0";
pub const HEADER: u64 = 32;
/// Plaintext bytes per chunk.
pub const CHUNK: u64 = 64 * 1024;
/// Bytes a sealed chunk adds (the Poly1305 tag).
pub const TAG: u64 = 16;

/// Size on the store of `plain` bytes.
pub fn encrypted_size(plain: u64) -> u64 {
    HEADER + plain + TAG * plain.div_ceil(CHUNK)
}

/// Size of the contents of an object of `enc` bytes on the store; an impossible size (a header
/// cut short, a chunk with no data) is an error.
pub fn decrypted_size(enc: u64) -> Result<u64, Error> {
    if enc < HEADER {
        return Err(Error::Truncated(format!(
            "{enc} bytes, less than the 32-byte header"
        )));
    }
    let body = enc - HEADER;
    let (full, rest) = (body / (CHUNK + TAG), body % (CHUNK + TAG));
    if rest != 0 && rest <= TAG {
        return Err(Error::Truncated(format!(
            "{enc} bytes end inside a chunk's tag"
        )));
    }
    Ok(full * CHUNK + rest.saturating_sub(TAG))
}

/// The chunk holding plaintext offset `at`, and where that chunk starts on the store.
pub fn chunk_at(at: u64) -> (u64, u64) {
    let chunk = at / CHUNK;
    (chunk, HEADER + chunk * (CHUNK + TAG))
}

fn nonce_plus(base: &[u8; 24], n: u64) -> [u8; 24] {
    let mut out = *base;
    let mut carry = n as u128;
    for b in out.iter_mut() {
        if carry == 0 {
            break;
        }
        let sum = *b as u128 + (carry & 0xff);
        *b = sum as u8;
        carry = (carry >> 8) + (sum >> 8);
    }
    out
}

/// `plain` encrypted whole, in rclone's format: the header, then each 64 KiB chunk sealed.
pub fn seal_all(keys: &Keys, plain: &[u8]) -> Vec<u8> {
    let c = FileCipher::new(keys);
    let mut out = Vec::with_capacity(encrypted_size(plain.len() as u64) as usize);
    out.extend_from_slice(&c.header());
    for (i, chunk) in plain.chunks(CHUNK as usize).enumerate() {
        out.extend_from_slice(&c.seal(i as u64, chunk));
    }
    out
}

/// `secret` sealed with XSalsa20-Poly1305 under `key` and a fresh nonce (tweetnacl's
/// `secretbox`): returns the nonce and the sealed bytes (tag first).
pub fn seal_box(key: &[u8; 32], secret: &[u8]) -> ([u8; 24], Vec<u8>) {
    let c = FileCipher::new(&Keys::from_data_key(*key));
    let nonce = c.nonce;
    (nonce, c.seal(0, secret))
}

/// What [`seal_box`] sealed, opened; a wrong key or a changed byte fails.
pub fn open_box(key: &[u8; 32], nonce: &[u8; 24], sealed: &[u8]) -> Result<Vec<u8>, Error> {
    FileCipher::with_nonce(&Keys::from_data_key(*key), *nonce).open(0, sealed)
}

/// What [`seal_all`] made (or rclone wrote), opened whole; any change fails.
pub fn open_all(keys: &Keys, sealed: &[u8]) -> Result<Vec<u8>, Error> {
    let c = FileCipher::from_header(keys, sealed)?;
    let mut out = Vec::with_capacity(sealed.len());
    let body = &sealed[HEADER as usize..];
    for (i, chunk) in body.chunks((CHUNK + TAG) as usize).enumerate() {
        out.extend_from_slice(&c.open(i as u64, chunk)?);
    }
    Ok(out)
}

/// Seals and opens the chunks of one file.
pub struct FileCipher {
    aead: XSalsa20Poly1305,
    #[cfg(feature = "sodium")]
    key: [u8; 32],
    nonce: [u8; 24],
}

impl FileCipher {
    /// For a new file: a fresh random nonce.
    pub fn new(keys: &Keys) -> FileCipher {
        let mut nonce = [0u8; 24];
        crate::fill_random(&mut nonce);
        FileCipher::with_nonce(keys, nonce)
    }

    pub fn with_nonce(keys: &Keys, nonce: [u8; 24]) -> FileCipher {
        FileCipher {
            aead: XSalsa20Poly1305::new(Key::from_slice(&keys.data)),
            #[cfg(feature = "sodium")]
            key: keys.data,
            nonce,
        }
    }

    /// For an existing file, from its 32-byte header.
    pub fn from_header(keys: &Keys, header: &[u8]) -> Result<FileCipher, Error> {
        if header.len() < HEADER as usize || &header[..8] != MAGIC {
            return Err(Error::NotEncrypted);
        }
        let mut nonce = [0u8; 24];
        nonce.copy_from_slice(&header[8..32]);
        Ok(FileCipher::with_nonce(keys, nonce))
    }

    pub fn header(&self) -> [u8; 32] {
        let mut h = [0u8; 32];
        h[..8].copy_from_slice(MAGIC);
        h[8..].copy_from_slice(&self.nonce);
        h
    }

    /// Chunk `index` of the plaintext (at most [`CHUNK`] bytes), sealed: tag then ciphertext.
    pub fn seal(&self, index: u64, plain: &[u8]) -> Vec<u8> {
        let n = nonce_plus(&self.nonce, index);
        #[cfg(feature = "sodium")]
        if let Some(sealed) = crate::sodium::seal(&self.key, &n, plain) {
            return sealed;
        }
        #[allow(clippy::expect_used)] // sealing fails only for inputs beyond 2^38 bytes
        self.aead
            .encrypt(Nonce::from_slice(&n), plain)
            .expect("a chunk is far below the cipher's limit")
    }

    /// Chunk `index` as stored, opened; any change to it, or a chunk from elsewhere, fails.
    pub fn open(&self, index: u64, sealed: &[u8]) -> Result<Vec<u8>, Error> {
        if sealed.len() <= TAG as usize {
            return Err(Error::Truncated(format!(
                "chunk {index} has {} bytes, no data after its tag",
                sealed.len()
            )));
        }
        let n = nonce_plus(&self.nonce, index);
        #[cfg(feature = "sodium")]
        if let Some(opened) = crate::sodium::open(&self.key, &n, sealed) {
            return opened.ok_or(Error::Tampered { chunk: index });
        }
        self.aead
            .decrypt(Nonce::from_slice(&n), sealed)
            .map_err(|_| Error::Tampered { chunk: index })
    }
}

/// Reads until `buf` is full or the source ends; the number of bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn invalid(e: Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// Plaintext in, the encrypted file out (header first), a chunk at a time.
pub struct Encrypt<R> {
    inner: R,
    cipher: FileCipher,
    out: Vec<u8>,
    pos: usize,
    next: u64,
    done: bool,
}

impl<R: Read> Encrypt<R> {
    pub fn new(keys: &Keys, inner: R) -> Self {
        let cipher = FileCipher::new(keys);
        Encrypt {
            out: cipher.header().to_vec(),
            inner,
            cipher,
            pos: 0,
            next: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Encrypt<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.done {
                return Ok(0);
            }
            let mut plain = vec![0u8; CHUNK as usize];
            let n = read_full(&mut self.inner, &mut plain)?;
            if n < plain.len() {
                self.done = true;
            }
            if n == 0 {
                return Ok(0);
            }
            self.out = self.cipher.seal(self.next, &plain[..n]);
            self.next += 1;
            self.pos = 0;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// An encrypted file in (from its header, or from chunk `first` on with [`Decrypt::from_chunk`]),
/// plaintext out. A chunk that fails authentication is an `InvalidData` error holding
/// [`Error::Tampered`].
pub struct Decrypt<R> {
    inner: R,
    keys: Keys,
    cipher: Option<FileCipher>,
    out: Vec<u8>,
    pos: usize,
    next: u64,
    done: bool,
}

impl<R: Read> Decrypt<R> {
    pub fn new(keys: &Keys, inner: R) -> Self {
        Decrypt {
            inner,
            keys: keys.clone(),
            cipher: None,
            out: Vec::new(),
            pos: 0,
            next: 0,
            done: false,
        }
    }

    /// `inner` positioned at the start of chunk `first` of the file whose header was `header`.
    pub fn from_chunk(keys: &Keys, header: &[u8], first: u64, inner: R) -> Result<Self, Error> {
        Ok(Decrypt {
            inner,
            keys: keys.clone(),
            cipher: Some(FileCipher::from_header(keys, header)?),
            out: Vec::new(),
            pos: 0,
            next: first,
            done: false,
        })
    }
}

impl<R: Read> Read for Decrypt<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cipher.is_none() {
            let mut h = [0u8; HEADER as usize];
            let n = read_full(&mut self.inner, &mut h)?;
            if n < h.len() {
                return Err(invalid(if n >= 8 && &h[..8] == MAGIC || n == 0 {
                    Error::Truncated(format!("{n} bytes, less than the 32-byte header"))
                } else {
                    Error::NotEncrypted
                }));
            }
            self.cipher = Some(FileCipher::from_header(&self.keys, &h).map_err(invalid)?);
        }
        while self.pos == self.out.len() {
            if self.done {
                return Ok(0);
            }
            let mut sealed = vec![0u8; (CHUNK + TAG) as usize];
            let n = read_full(&mut self.inner, &mut sealed)?;
            if n < sealed.len() {
                self.done = true;
            }
            if n == 0 {
                return Ok(0);
            }
            let Some(c) = &self.cipher else {
                return Ok(0);
            };
            self.out = c.open(self.next, &sealed[..n]).map_err(invalid)?;
            self.next += 1;
            self.pos = 0;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libsodium and the RustCrypto crates seal the same bytes and open each other's chunks;
    /// a changed byte fails in both.
    #[cfg(feature = "sodium")]
    #[test]
    fn libsodium_and_rustcrypto_agree() {
        let keys = Keys::derive("both ways", None);
        let c = FileCipher::with_nonce(&keys, [5; 24]);
        let plain: Vec<u8> = (0..70_000u32).map(|i| (i * 7) as u8).collect();
        let n = nonce_plus(&c.nonce, 3);
        let by_sodium = crate::sodium::seal(&c.key, &n, &plain).unwrap();
        let by_rust = c.aead.encrypt(Nonce::from_slice(&n), &plain[..]).unwrap();
        assert_eq!(by_sodium, by_rust);
        assert_eq!(
            c.aead
                .decrypt(Nonce::from_slice(&n), &by_sodium[..])
                .unwrap(),
            plain
        );
        assert_eq!(crate::sodium::open(&c.key, &n, &by_rust), Some(Some(plain)));
        let mut bad = by_rust;
        bad[40] ^= 1;
        assert_eq!(crate::sodium::open(&c.key, &n, &bad), Some(None));
        assert!(c.open(3, &bad).is_err());
    }

    /// Whole objects (a shared album's): what `seal_all` makes the streaming reader opens, and
    /// the other way round, at chunk edges; a wrong key or a changed byte opens nothing.
    #[test]
    fn whole_objects_match_the_streaming_format() {
        let keys = Keys::from_data_key([9; 32]);
        for n in [0usize, 1, 65_536, 65_537, 200_000] {
            let plain: Vec<u8> = (0..n as u32).map(|i| (i * 13) as u8).collect();
            let sealed = seal_all(&keys, &plain);
            assert_eq!(sealed.len() as u64, encrypted_size(n as u64));
            let mut back = Vec::new();
            Decrypt::new(&keys, &sealed[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, plain);
            let mut streamed = Vec::new();
            Encrypt::new(&keys, &plain[..])
                .read_to_end(&mut streamed)
                .unwrap();
            assert_eq!(open_all(&keys, &streamed).unwrap(), plain);
            if n > 0 {
                assert!(open_all(&Keys::from_data_key([8; 32]), &sealed).is_err());
                let mut bad = sealed.clone();
                let last = bad.len() - 1;
                bad[last] ^= 1;
                assert!(open_all(&keys, &bad).is_err());
            }
        }
    }

    fn roundtrip(keys: &Keys, plain: &[u8]) -> Vec<u8> {
        let mut enc = Vec::new();
        Encrypt::new(keys, plain).read_to_end(&mut enc).unwrap();
        assert_eq!(enc.len() as u64, encrypted_size(plain.len() as u64));
        assert_eq!(decrypted_size(enc.len() as u64), Ok(plain.len() as u64));
        let mut back = Vec::new();
        Decrypt::new(keys, &enc[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, plain);
        enc
    }

    #[test]
    fn contents_round_trip_at_every_chunk_edge_and_changes_are_caught() {
        let k = Keys::derive("pw", None);
        let data: Vec<u8> = (0..(3 * CHUNK + 5)).map(|i| (i * 7 % 251) as u8).collect();
        for n in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5] {
            roundtrip(&k, &data[..n as usize]);
        }
        let enc = roundtrip(&k, &data);
        // A flipped byte in the second chunk: that chunk fails.
        let mut bad = enc.clone();
        bad[(HEADER + CHUNK + TAG + 100) as usize] ^= 1;
        let err = Decrypt::new(&k, &bad[..])
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(
            err.into_inner().unwrap().downcast::<Error>().unwrap(),
            Box::new(Error::Tampered { chunk: 1 })
        );
        // Cut inside a chunk's tag, or inside the header: said so.
        assert!(decrypted_size(HEADER + 10).is_err());
        assert!(
            Decrypt::new(&k, &enc[..20])
                .read_to_end(&mut Vec::new())
                .is_err()
        );
        assert!(
            Decrypt::new(&k, &b"\xff\xd8\xff\xe0 a JPEG, not encrypted at all"[..])
                .read_to_end(&mut Vec::new())
                .is_err()
        );
        // Two chunks swapped: both fail (each is sealed under its own index).
        let mut swapped = enc.clone();
        let c = (CHUNK + TAG) as usize;
        let h = HEADER as usize;
        let (a, b) = (enc[h..h + c].to_vec(), enc[h + c..h + 2 * c].to_vec());
        swapped[h..h + c].copy_from_slice(&b);
        swapped[h + c..h + 2 * c].copy_from_slice(&a);
        assert!(
            Decrypt::new(&k, &swapped[..])
                .read_to_end(&mut Vec::new())
                .is_err()
        );
        // The wrong password fails at the first chunk.
        assert!(
            Decrypt::new(&Keys::derive("other", None), &enc[..])
                .read_to_end(&mut Vec::new())
                .is_err()
        );
        // From the middle: chunk 2 on its own.
        let (chunk, off) = chunk_at(2 * CHUNK + 3);
        assert_eq!(chunk, 2);
        let mut tail = Vec::new();
        Decrypt::from_chunk(&k, &enc[..32], chunk, &enc[off as usize..])
            .unwrap()
            .read_to_end(&mut tail)
            .unwrap();
        assert_eq!(tail, &data[(2 * CHUNK) as usize..]);
    }

    #[test]
    fn the_nonce_counts_up_with_carry() {
        let mut base = [0u8; 24];
        base[0] = 0xff;
        base[1] = 0xff;
        let n = nonce_plus(&base, 1);
        assert_eq!(&n[..3], &[0, 0, 1]);
        assert_eq!(nonce_plus(&[0; 24], 0x0102)[..2], [2, 1]);
    }
}

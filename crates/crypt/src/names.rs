//! File and folder names: each segment padded to whole AES blocks (PKCS#7), encrypted with EME
//! under the name key and tweak, written as lower-case base32hex without `=`.
//!
//! EME ("ECB-mask-ECB", Halevi and Rogaway, 2003) enciphers the whole name as one wide block,
//! so names sharing a beginning share nothing once encrypted, and the same name always gives
//! the same result (so a path can be looked up without listing).

use crate::{Error, Keys};
use aes::Aes256;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit, generic_array::GenericArray};

/// Most bytes of padded name EME takes: 128 blocks.
const MAX_BLOCKS: usize = 128;

type B = [u8; 16];

/// Doubling in GF(2^128) with the byte order EME uses (the first byte is the least significant).
fn times_two(x: &B) -> B {
    let mut out = [0u8; 16];
    out[0] = x[0] << 1;
    if x[15] & 0x80 != 0 {
        out[0] ^= 0x87;
    }
    for j in 1..16 {
        out[j] = (x[j] << 1) | (x[j - 1] >> 7);
    }
    out
}

fn xor(a: &B, b: &B) -> B {
    let mut o = [0u8; 16];
    for i in 0..16 {
        o[i] = a[i] ^ b[i];
    }
    o
}

/// EME over `data` (whole 16-byte blocks, 1 to 128 of them); `encrypt` false deciphers.
fn eme(aes: &Aes256, tweak: &B, data: &[u8], encrypt: bool) -> Vec<u8> {
    let m = data.len() / 16;
    debug_assert!((1..=MAX_BLOCKS).contains(&m) && data.len().is_multiple_of(16));
    let block = |b: &B| -> B {
        let mut g = GenericArray::clone_from_slice(b);
        if encrypt {
            aes.encrypt_block(&mut g);
        } else {
            aes.decrypt_block(&mut g);
        }
        g.into()
    };
    // L = 2·E(0), and the masks 2^j·L (always with the forward cipher).
    let mut zero = GenericArray::clone_from_slice(&[0u8; 16]);
    aes.encrypt_block(&mut zero);
    let mut l: B = zero.into();
    let mut masks = Vec::with_capacity(m);
    for _ in 0..m {
        l = times_two(&l);
        masks.push(l);
    }
    let mut c: Vec<B> = data
        .chunks_exact(16)
        .zip(&masks)
        .map(|(p, mask)| {
            #[allow(clippy::unwrap_used)] // chunks_exact(16)
            let p: B = p.try_into().unwrap();
            block(&xor(&p, mask))
        })
        .collect();
    let mut mp = xor(&c[0], tweak);
    for cj in &c[1..] {
        mp = xor(&mp, cj);
    }
    let mc = block(&mp);
    let mut mask = xor(&mp, &mc);
    for cj in c.iter_mut().skip(1) {
        mask = times_two(&mask);
        *cj = xor(cj, &mask);
    }
    let mut first = xor(&mc, tweak);
    for cj in &c[1..] {
        first = xor(&first, cj);
    }
    c[0] = first;
    let mut out = Vec::with_capacity(data.len());
    for (cj, mask) in c.iter().zip(&masks) {
        out.extend_from_slice(&xor(&block(cj), mask));
    }
    out
}

impl Keys {
    fn name_cipher(&self) -> Aes256 {
        Aes256::new(GenericArray::from_slice(&self.name))
    }

    /// One segment of a path, encrypted (an empty one stays empty).
    pub fn encrypt_name(&self, name: &str) -> Result<String, Error> {
        if name.is_empty() {
            return Ok(String::new());
        }
        let pad = 16 - name.len() % 16;
        let mut padded = name.as_bytes().to_vec();
        padded.extend(std::iter::repeat_n(pad as u8, pad));
        if padded.len() > MAX_BLOCKS * 16 {
            return Err(Error::NameTooLong(name.len()));
        }
        let enc = eme(&self.name_cipher(), &self.tweak, &padded, true);
        Ok(data_encoding::BASE32HEX_NOPAD
            .encode(&enc)
            .to_ascii_lowercase())
    }

    /// One segment, decrypted; a segment that is not one of this store's names is an error.
    pub fn decrypt_name(&self, enc: &str) -> Result<String, Error> {
        if enc.is_empty() {
            return Ok(String::new());
        }
        let bad = || Error::BadName(enc.to_owned());
        let raw = data_encoding::BASE32HEX_NOPAD
            .decode(enc.to_ascii_uppercase().as_bytes())
            .map_err(|_| bad())?;
        if raw.is_empty() || raw.len() % 16 != 0 || raw.len() > MAX_BLOCKS * 16 {
            return Err(bad());
        }
        let mut plain = eme(&self.name_cipher(), &self.tweak, &raw, false);
        let pad = *plain.last().ok_or_else(bad)? as usize;
        if pad == 0
            || pad > 16
            || plain[plain.len() - pad..]
                .iter()
                .any(|&b| b as usize != pad)
        {
            return Err(bad());
        }
        plain.truncate(plain.len() - pad);
        String::from_utf8(plain).map_err(|_| bad())
    }

    /// A `/`-separated path, each segment encrypted (a trailing `/` kept: a folder).
    pub fn encrypt_path(&self, path: &str) -> Result<String, Error> {
        path.split('/')
            .map(|s| self.encrypt_name(s))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.join("/"))
    }

    pub fn decrypt_path(&self, path: &str) -> Result<String, Error> {
        path.split('/')
            .map(|s| self.decrypt_name(s))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_go_there_and_back_and_hide_their_length_to_the_block() {
        let k = Keys::derive("a password", None);
        for name in ["a", "IMG_0001.JPG", "2026", "é—☃.heic", &"x".repeat(2047)] {
            let e = k.encrypt_name(name).unwrap();
            assert!(
                e.bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'v').contains(&c))
            );
            assert_eq!(k.decrypt_name(&e).unwrap(), name);
        }
        // Same length to the block, different everywhere.
        let (a, b) = (
            k.encrypt_name("IMG_0001.JPG").unwrap(),
            k.encrypt_name("IMG_0002.JPG").unwrap(),
        );
        assert_eq!(a.len(), b.len());
        assert_ne!(a[..10], b[..10]);
        assert_eq!(
            k.encrypt_name(&"x".repeat(2048)),
            Err(Error::NameTooLong(2048))
        );
        let p = k.encrypt_path("originals/2026/11/IMG.JPG").unwrap();
        assert_eq!(p.matches('/').count(), 3);
        assert_eq!(k.decrypt_path(&p).unwrap(), "originals/2026/11/IMG.JPG");
        // Another password, or a name that is not base32hex, is refused.
        let other = Keys::derive("another", None);
        assert!(other.decrypt_name(&a).is_err());
        assert!(k.decrypt_name("shoebox.json").is_err());
    }
}

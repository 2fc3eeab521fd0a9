//! Passwords as `rclone.conf` holds them ("obscured"): AES-256-CTR under a key every rclone
//! knows, a random IV in front, base64url without padding. It keeps a password from being read
//! at a glance in a config file and nothing more; Shoebox uses it only to print the lines a
//! person pastes into `rclone config`.

use crate::Error;
use aes::Aes256;
use aes::cipher::{KeyIvInit, StreamCipher};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

type Ctr = ctr::Ctr128BE<Aes256>;

/// rclone's fixed obscuring key (part of its config format).
const KEY: [u8; 32] = [
    0x9c, 0x93, 0x5b, 0x48, 0x73, 0x0a, 0x55, 0x4d, 0x6b, 0xfd, 0x7c, 0x63, 0xc8, 0x86, 0xa9, 0x2b,
    0xd3, 0x90, 0x19, 0x8e, 0xb8, 0x12, 0x8a, 0xfb, 0xf4, 0xde, 0x16, 0x2b, 0x8b, 0x95, 0xf6, 0x38,
];

/// What `rclone obscure` prints for `password` (a different string each time: the IV is random).
pub fn obscure(password: &str) -> String {
    let mut iv = [0u8; 16];
    crate::fill_random(&mut iv);
    let mut buf = password.as_bytes().to_vec();
    Ctr::new(&KEY.into(), &iv.into()).apply_keystream(&mut buf);
    let mut out = iv.to_vec();
    out.extend_from_slice(&buf);
    URL_SAFE_NO_PAD.encode(out)
}

/// The password behind an obscured one (`rclone reveal`).
pub fn reveal(obscured: &str) -> Result<String, Error> {
    let raw = URL_SAFE_NO_PAD
        .decode(obscured.trim())
        .map_err(|e| Error::BadObscured(e.to_string()))?;
    if raw.len() < 16 {
        return Err(Error::BadObscured("shorter than its IV".into()));
    }
    let (iv, body) = raw.split_at(16);
    let mut buf = body.to_vec();
    let iv: [u8; 16] = iv
        .try_into()
        .map_err(|_| Error::BadObscured("no IV".into()))?;
    Ctr::new(&KEY.into(), &iv.into()).apply_keystream(&mut buf);
    String::from_utf8(buf).map_err(|_| Error::BadObscured("not text once revealed".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obscured_passwords_come_back() {
        for p in ["", "secret", "ünïcödé and spaces"] {
            let o = obscure(p);
            assert_ne!(o, obscure(p), "a fresh IV each time");
            assert_eq!(reveal(&o).unwrap(), p);
        }
        // Made by `rclone obscure secret` (rclone v1.75.2).
        assert_eq!(reveal("pNOWiFsTv5mY-b8pM1j_-h7kKLQEJw").unwrap(), "secret");
        assert!(reveal("not base64!").is_err());
    }
}

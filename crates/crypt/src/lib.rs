//! The rclone crypt format, so that a store Shoebox encrypts stays readable by `rclone` with a
//! `crypt` remote and the same password, with no Shoebox code at all.
//!
//! Written from rclone's description of the format (<https://rclone.org/crypt/>), and checked
//! against the real `rclone` in `tests/`:
//!
//! - **Keys**: scrypt (N = 16384, r = 8, p = 1) of the password with the second password as salt
//!   (or rclone's fixed default salt) gives 80 bytes: 32 for contents, 32 for names, 16 for the
//!   names' tweak ([`Keys::derive`]).
//! - **Contents** ([`content`]): `RCLONE\0\0`, a random 24-byte nonce, then the data in 64 KiB
//!   chunks, each sealed with XSalsa20-Poly1305 (NaCl secretbox: a 16-byte tag, then the
//!   ciphertext) under the nonce plus the chunk's index.
//! - **Names** ([`names`]): each path segment padded (PKCS#7) to whole 16-byte blocks, encrypted
//!   with EME (a wide-block mode over AES-256, tweaked), and written in lower-case base32hex
//!   without padding. Directory names the same way.
//! - **Obscured passwords** ([`obscure`]): how `rclone.conf` holds them (AES-CTR with a key that
//!   is public; it hides a password from a glance, not from anyone).

pub mod content;
pub mod names;
pub mod obscure;
#[cfg(feature = "sodium")]
mod sodium;

use scrypt::Params;

/// Why a name, a file or a password could not be decrypted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("not an rclone crypt file (no RCLONE header): wrong store, or not encrypted")]
    NotEncrypted,
    #[error(
        "chunk {chunk} failed authentication: the file was changed, damaged or swapped, or the password is wrong"
    )]
    Tampered { chunk: u64 },
    #[error("the file is cut short: {0}")]
    Truncated(String),
    #[error("{0:?} is not an encrypted name (wrong password, or not from this store)")]
    BadName(String),
    #[error("an obscured password must be base64 from `rclone obscure`: {0}")]
    BadObscured(String),
    #[error("a name of {0} bytes is too long to encrypt (2,047 at most)")]
    NameTooLong(usize),
}

/// rclone's salt when no second password is set (part of the format: without it nothing made
/// by rclone could be read).
const DEFAULT_SALT: [u8; 16] = [
    0xa8, 0x0d, 0xf4, 0x3a, 0x8f, 0xbd, 0x03, 0x08, 0xa7, 0xca, 0xb8, 0x3e, 0x58, 0x1f, 0x86, 0xb1,
];

/// The keys of one encrypted store. Never written anywhere: derived from the password when the
/// store is opened.
#[derive(Clone)]
pub struct Keys {
    pub(crate) data: [u8; 32],
    pub(crate) name: [u8; 32],
    pub(crate) tweak: [u8; 16],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

impl Keys {
    /// The keys rclone derives from `password` and its optional second password (`password2`,
    /// the salt). scrypt makes this slow on purpose (16 MiB, tens of milliseconds), and a store
    /// is opened several times a sync: the last few derivations are kept for the process.
    pub fn derive(password: &str, salt: Option<&str>) -> Keys {
        type Seen = Vec<((String, Option<String>), Keys)>;
        static SEEN: std::sync::Mutex<Seen> = std::sync::Mutex::new(Vec::new());
        let id = (password.to_owned(), salt.map(str::to_owned));
        if let Ok(seen) = SEEN.lock()
            && let Some((_, k)) = seen.iter().find(|(i, _)| *i == id)
        {
            return k.clone();
        }
        let k = Keys::derive_now(password, salt);
        if let Ok(mut seen) = SEEN.lock() {
            if seen.len() >= 4 {
                seen.remove(0);
            }
            seen.push((id, k.clone()));
        }
        k
    }

    fn derive_now(password: &str, salt: Option<&str>) -> Keys {
        let mut out = [0u8; 80];
        let salt = match salt.filter(|s| !s.is_empty()) {
            Some(s) => s.as_bytes(),
            None => &DEFAULT_SALT,
        };
        if !password.is_empty() {
            #[allow(clippy::unwrap_used)] // constant parameters scrypt accepts
            let params = Params::new(14, 8, 1, Params::RECOMMENDED_LEN).unwrap();
            // The output is as long as the buffer (80 bytes); `len` above only matters to PHC strings.
            #[allow(clippy::unwrap_used)] // 80 is a valid output length
            scrypt::scrypt(password.as_bytes(), salt, &params, &mut out).unwrap();
        }
        let mut k = Keys {
            data: [0; 32],
            name: [0; 32],
            tweak: [0; 16],
        };
        k.data.copy_from_slice(&out[..32]);
        k.name.copy_from_slice(&out[32..64]);
        k.tweak.copy_from_slice(&out[64..]);
        k
    }
}

impl Keys {
    /// Keys for contents only, from a random 32-byte data key (a shared album's: the browser
    /// that opens the share holds this key and no password). Names are not encrypted with it.
    pub fn from_data_key(data: [u8; 32]) -> Keys {
        Keys {
            data,
            name: [0; 32],
            tweak: [0; 16],
        }
    }

    /// 32 random bytes for [`Keys::from_data_key`].
    pub fn random_data_key() -> [u8; 32] {
        let mut k = [0u8; 32];
        fill_random(&mut k);
        k
    }
}

/// A fresh random password for a new encrypted store: 24 characters of base32 (120 bits).
pub fn new_password() -> String {
    let mut b = [0u8; 15];
    fill_random(&mut b);
    data_encoding::BASE32_NOPAD.encode(&b).to_ascii_lowercase()
}

pub(crate) fn fill_random(b: &mut [u8]) {
    #[allow(clippy::expect_used)] // no randomness from the OS is not something to carry on from
    getrandom::fill(b).expect("the operating system gives no random bytes");
}

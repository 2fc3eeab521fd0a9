//! Content hashes: BLAKE3, written as 64 lower-case hex digits.

use crate::{Error, Result};
use std::fmt;
use std::path::Path;

/// A BLAKE3 content hash. Only 64 lower-case hex digits can become one, so slicing it, naming a
/// file after it or building a store key from it can neither panic nor escape a folder.
/// Written and read as its 64 hex digits; reading anything else fails.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Hash(String);

impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Hash, D::Error> {
        let s = String::deserialize(d)?;
        Hash::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl std::borrow::Borrow<str> for Hash {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Hash {
    /// Checks a hash read from a catalog, a store or a user.
    pub fn parse(s: &str) -> Result<Hash> {
        if is_hash(s) {
            Ok(Hash(s.to_owned()))
        } else {
            Err(Error::BadHash(s.chars().take(80).collect()))
        }
    }
    /// The hash of some bytes.
    pub fn of(bytes: &[u8]) -> Hash {
        Hash(blake3::hash(bytes).to_hex().to_string())
    }
    pub fn from_blake3(h: blake3::Hash) -> Hash {
        Hash(h.to_hex().to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
    /// The first `n` hex digits (at most 64), for messages and short names.
    pub fn short(&self, n: usize) -> &str {
        &self.0[..n.min(64)]
    }
    /// The two-digit shard folder of thumbnails: `ab` of `ab12…`.
    pub fn shard(&self) -> &str {
        &self.0[..2]
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Hash {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Hash {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Hash {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<Hash> for String {
    fn eq(&self, other: &Hash) -> bool {
        *self == other.0
    }
}

impl PartialEq<Hash> for &str {
    fn eq(&self, other: &Hash) -> bool {
        *self == other.0
    }
}

impl PartialEq<String> for Hash {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

/// True for 64 lower-case hex digits: a hash as Shoebox writes it.
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// The hash of a file, streamed.
pub fn hash_file(path: &Path) -> Result<Hash> {
    let mut h = blake3::Hasher::new();
    h.update_reader(std::fs::File::open(path).map_err(Error::io(path))?)
        .map_err(Error::io(path))?;
    Ok(Hash::from_blake3(h.finalize()))
}

#[cfg(feature = "sql")]
impl rusqlite::ToSql for Hash {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

/// A hash read from the catalog is checked like any other: a damaged row is an error, never a
/// path or a key.
#[cfg(feature = "sql")]
impl rusqlite::types::FromSql for Hash {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let s = String::column_result(v)?;
        Hash::parse(&s).map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_written_as_its_hex_and_read_back_only_when_well_formed() {
        let h = Hash::of(b"photo");
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, format!("\"{h}\""));
        assert_eq!(serde_json::from_str::<Hash>(&json).unwrap(), h);
        for bad in ["\"../../etc/passwd\"", "\"ABC\"", "\"\"", "42"] {
            assert!(serde_json::from_str::<Hash>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_well_formed_hashes_parse() {
        let good = "ab".repeat(32);
        assert_eq!(Hash::parse(&good).unwrap().shard(), "ab");
        assert_eq!(Hash::parse(&good).unwrap().short(12), &good[..12]);
        for bad in [
            "",
            "a",
            &"A".repeat(64),
            &"a".repeat(63),
            &"a".repeat(65),
            "../../etc/passwd",
            &format!("{}/..", "a".repeat(61)),
            // 64 bytes but multi-byte characters: slicing at 2 would panic.
            &"é".repeat(32),
        ] {
            assert!(Hash::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hash_of_bytes_and_file_agree() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("x");
        std::fs::write(&p, b"hello").unwrap();
        assert_eq!(hash_file(&p).unwrap(), Hash::of(b"hello"));
    }
}

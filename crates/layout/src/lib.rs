//! The library's on-disk layout and its checked types: every crate that turns a path or a hash
//! read from a catalog, a store or a user into a file goes through here.
//!
//! ```
//! use shoebox_layout::{Hash, LibraryPaths, RelPath};
//! let lib = LibraryPaths::new("/home/me/Pictures/Shoebox".into());
//! let rel = RelPath::parse("originals/2023/07/IMG_1.JPG").unwrap();
//! assert!(lib.original(&rel).ends_with("originals/2023/07/IMG_1.JPG"));
//! assert!(RelPath::parse("originals/../../.ssh/id_ed25519").is_err());
//! let h = Hash::of(b"photo");
//! assert!(lib.thumb(&h, 320).parent().unwrap().ends_with(h.shard()));
//! assert!(Hash::parse("../../etc").is_err());
//! ```

mod durable;
mod hash;
mod path;

pub use durable::{
    create_dir_durable, dir_sync_unsupported, place_no_replace, sync_dir, write_atomic_cache,
    write_synced,
};
pub use hash::{Hash, hash_file, is_hash};
pub use path::{
    MAX_NAME_BYTES, RelPath, fold_key, is_reserved_on_windows, key_problem, name_problem,
    safe_name, split_ext,
};

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("unsafe path {path:?}: {why}")]
    BadPath { path: String, why: &'static str },
    #[error("not a content hash: {0:?}")]
    BadHash(String),
}

impl Error {
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| Error::Io {
            path: path.to_owned(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Where things live inside a library.
#[derive(Debug, Clone)]
pub struct LibraryPaths {
    pub root: PathBuf,
}

impl LibraryPaths {
    pub fn new(root: PathBuf) -> Self {
        LibraryPaths { root }
    }
    pub fn originals(&self) -> PathBuf {
        self.root.join("originals")
    }
    pub fn meta_dir(&self) -> PathBuf {
        self.root.join(".shoebox")
    }
    pub fn catalog(&self) -> PathBuf {
        self.meta_dir().join("catalog.db")
    }
    pub fn thumbs(&self) -> PathBuf {
        self.meta_dir().join("thumbs")
    }
    pub fn tmp(&self) -> PathBuf {
        self.meta_dir().join("tmp")
    }
    /// The file of an original.
    pub fn original(&self, rel: &RelPath) -> PathBuf {
        rel.under(&self.root)
    }
    /// The file of a path read from a catalog, once it is checked.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf> {
        Ok(self.original(&RelPath::parse(rel)?))
    }
    /// `.shoebox/thumbs/<2 hex>/<hash>-<size>.jpg`
    pub fn thumb(&self, hash: &Hash, size: u32) -> PathBuf {
        self.thumbs()
            .join(hash.shard())
            .join(format!("{hash}-{size}.jpg"))
    }
}

/// The store key of an original: its library path with a content tag before the extension,
/// `originals/2023/07/IMG_1.JPG` → `originals/2023/07/IMG_1~<16 hex of its hash>.JPG`.
///
/// Two devices can only ever write the same bytes under one key (barring a 64-bit collision
/// of BLAKE3 prefixes among photos of one name and month), so no device can overwrite
/// another's original, with no locks and no conditional writes; the name stays recognisable
/// for someone browsing the store with rclone alone.
pub fn original_key(path: &RelPath, hash: &Hash) -> String {
    tagged(path.as_str(), hash)
}

fn tagged(path: &str, hash: &Hash) -> String {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let (stem, ext) = split_ext(name);
    format!("{dir}/{stem}~{}{ext}", hash.short(16))
}

/// Why `key` cannot be where photo `hash`'s original is kept on a store, or `None` when it can.
/// The one check of an original's key read from a store (a change log, a catalog snapshot):
/// `originals/…/<stem>~<16 hex of this hash>.<ext>` ([`original_key`]), or, on a store written
/// before keys were tagged, the library path `announced` itself (`None`: any such untagged
/// path, as the device that uploaded it recorded). Anything else (the store's marker, a head,
/// a snapshot, another photo's original) is refused, so no log can point a delete at it.
pub fn original_key_problem(
    hash: &Hash,
    key: &str,
    announced: Option<&str>,
) -> Option<&'static str> {
    if let Some(why) = key_problem(key) {
        return Some(why);
    }
    if !key.starts_with("originals/") {
        return Some("not under originals/");
    }
    let Some((dir, name)) = key.rsplit_once('/') else {
        return Some("not under originals/");
    };
    let (stem, ext) = split_ext(name);
    if let Some((bare, tag)) = stem.rsplit_once('~')
        && tag.len() == 16
        && tag.bytes().all(|c| c.is_ascii_hexdigit())
    {
        // The path it was announced at may be one only some disks hold (`aux.jpg` from a
        // device that did not make names portable): the key itself is checked above.
        let path = format!("{dir}/{bare}{ext}");
        let tagged = key_problem(&path).is_none()
            && path.starts_with("originals/")
            && self::tagged(&path, hash) == key;
        return (!tagged).then_some("names another photo's original");
    }
    let legacy = RelPath::parse(key).is_ok() && announced.is_none_or(|p| p == key);
    (!legacy).then_some("not this photo's original")
}

/// The store key of a thumbnail: `thumbs/<2 hex>/<hash>-<size>.jpg`.
pub fn thumb_key(hash: &Hash, size: u32) -> String {
    format!("thumbs/{}/{hash}-{size}.jpg", hash.shard())
}

/// The hash and size a thumbnail key names, if it is well formed (and only then).
pub fn parse_thumb_key(key: &str) -> Option<(Hash, u32)> {
    let rest = key.strip_prefix("thumbs/")?;
    let (shard, name) = rest.split_once('/')?;
    let (h, size) = name.strip_suffix(".jpg")?.split_once('-')?;
    let hash = Hash::parse(h).ok()?;
    let size: u32 = size.parse().ok()?;
    (hash.shard() == shard && thumb_key(&hash, size) == key).then_some((hash, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_photos_own_original_keys_pass() {
        let h = Hash::of(b"x");
        let other = Hash::of(b"y");
        let path = "originals/2023/07/IMG_1.JPG";
        let own = original_key(&RelPath::parse(path).unwrap(), &h);
        assert_eq!(original_key_problem(&h, &own, Some(path)), None);
        assert_eq!(original_key_problem(&h, &own, None), None);
        // A store written before keys were tagged: the library path the log announced.
        assert_eq!(original_key_problem(&h, path, Some(path)), None);
        assert_eq!(original_key_problem(&h, path, None), None);
        let theirs = original_key(&RelPath::parse(path).unwrap(), &other);
        for bad in [
            theirs.as_str(),
            "shoebox.json",
            "devices/0123456789abcdef/head.json",
            "catalogs/0123456789abcdef/latest.json",
            "catalogs/0123456789abcdef/20240101T000000Z.db",
            "thumbs/ab/x-320.jpg",
            "originals/../shoebox.json",
            "originals/2023/07/IMG_2.JPG",
            "originals",
            "",
        ] {
            assert!(
                original_key_problem(&h, bad, Some(path)).is_some(),
                "{bad:?} passed"
            );
        }
        assert!(original_key_problem(&h, &theirs, None).is_some());
    }

    #[test]
    fn original_keys_carry_a_content_tag() {
        let h = Hash::of(b"x");
        let rel = RelPath::parse("originals/2023/07/IMG_1.JPG").unwrap();
        let k = original_key(&rel, &h);
        assert_eq!(k, format!("originals/2023/07/IMG_1~{}.JPG", h.short(16)));
        assert_eq!(key_problem(&k), None);
        // Different bytes under the same name never share a key.
        assert_ne!(k, original_key(&rel, &Hash::of(b"y")));
        let bare = RelPath::parse("originals/2023/07/README").unwrap();
        assert_eq!(
            original_key(&bare, &h),
            format!("originals/2023/07/README~{}", h.short(16))
        );
    }

    #[test]
    fn thumb_keys_round_trip_and_nothing_else_parses() {
        let h = Hash::of(b"x");
        let k = thumb_key(&h, 320);
        assert_eq!(parse_thumb_key(&k), Some((h.clone(), 320)));
        for bad in [
            format!("thumbs/zz/{h}-320.jpg"),
            format!("thumbs/{}/{h}-320.png", h.shard()),
            format!("thumbs/{}/{h}-+320.jpg", h.shard()),
            format!("thumbs/{}/../{h}-320.jpg", h.shard()),
            "thumbs/ab/ab-320.jpg".into(),
        ] {
            assert_eq!(parse_thumb_key(&bad), None, "{bad}");
        }
    }
}
